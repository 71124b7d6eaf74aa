package replay

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/mapiscope/mapiscope/client"
	"github.com/mapiscope/mapiscope/proxy"
	"github.com/mapiscope/mapiscope/server"
)

// TestReplaySyncScenario: the cached-mode sync scenario (ICS downloads and
// uploads, FastTransfer streams, state uploads) recorded through the proxy
// against the built-in server replays against the built-in server with
// zero differences (issue 10's acceptance).
func TestReplaySyncScenario(t *testing.T) {
	srv, err := server.Start(server.RunConfig{Listen: "http://127.0.0.1:0", Users: []server.UserSpec{{Email: diffUser, Password: diffPassword}}, Deterministic: true})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	path := filepath.Join(t.TempDir(), "sync.trace")
	p, err := proxy.Start(proxy.RunConfig{Listen: "http://127.0.0.1:0", Upstream: srv.URL, Trace: path})
	if err != nil {
		t.Fatal(err)
	}
	steps, err := client.RunScenario(context.Background(), "sync", p.AutodiscoverURL, client.Config{Email: diffUser, Password: diffPassword, Token: "fixed"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range steps {
		if !s.OK() {
			t.Fatalf("step %s: %v", s.Name, s.Err)
		}
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	res, err := Run(context.Background(), SessionRef{Trace: path}, Options{Target: "builtin", Password: diffPassword})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Summary.Clean() || len(res.Errors) > 0 {
		for _, r := range res.Rops {
			if r.Outcome != Same {
				t.Errorf("exchange %d %s: %s %v", r.Exchange, r.Rop, r.Outcome, r.Diffs)
				break
			}
		}
		t.Fatalf("summary %+v, errors %v", res.Summary, res.Errors)
	}
	if res.Summary.Same < 500 {
		t.Errorf("only %d ROPs compared", res.Summary.Same)
	}
}

package main

import (
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mapiscope/mapiscope/server"
	"github.com/mapiscope/mapiscope/server/store"
)

// startClientTestServer runs the built-in server on loopback with one user
// and returns its Autodiscover URL.
func startClientTestServer(t *testing.T) string {
	t.Helper()
	st, err := store.Open(filepath.Join(t.TempDir(), "store.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	hs := httptest.NewUnstartedServer(nil)
	srv, err := server.New(server.Config{Store: st, PublicURL: "http://" + hs.Listener.Addr().String()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := srv.AddUser("grace@example.test", "s3cret:x", "Grace Hopper"); err != nil {
		t.Fatal(err)
	}
	hs.Config.Handler = srv
	hs.Start()
	t.Cleanup(func() { srv.Close(); hs.Close() })
	return hs.URL + "/autodiscover/autodiscover.xml"
}

func TestClientCLI(t *testing.T) {
	url := startClientTestServer(t)

	// Text: one line per step, all ok; the password may hold a colon.
	code, out, errs := runCLI(t, "", "client", "--url", url, "--user", "grace@example.test:s3cret:x")
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out, errs)
	}
	t.Logf("\n%s", out)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) < 10 || !strings.HasPrefix(lines[0], "ok    autodiscover") || !strings.Contains(lines[0], "MailStore=http://") {
		t.Fatalf("output:\n%s", out)
	}
	for _, l := range lines {
		if !strings.HasPrefix(l, "ok ") {
			t.Errorf("step not ok: %s", l)
		}
	}

	// JSON, password from the environment.
	t.Setenv("MAPISCOPE_PASSWORD", "s3cret:x")
	code, out, errs = runCLI(t, "", "client", "--url", url, "--user", "grace@example.test", "--json")
	if code != 0 {
		t.Fatalf("--json: exit %d\n%s%s", code, out, errs)
	}
	var steps []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("not JSON: %q", l)
		}
		steps = append(steps, m)
	}
	if len(steps) != len(lines) || steps[0]["step"] != "autodiscover" || steps[0]["ok"] != true {
		t.Fatalf("JSON steps %v", steps)
	}

	// A refused password fails the first step: exit 1, one line on stderr.
	code, out, errs = runCLI(t, "", "client", "--url", url, "--user", "grace@example.test:wrong")
	if code != 1 || !strings.HasPrefix(out, "FAIL  autodiscover") || !strings.Contains(out, "401") ||
		strings.Count(strings.TrimSpace(errs), "\n") != 0 || !strings.Contains(errs, "1 of 1 steps failed") {
		t.Fatalf("wrong password: exit %d\n%s%s", code, out, errs)
	}
}

func TestClientCLIUsage(t *testing.T) {
	t.Setenv("MAPISCOPE_PASSWORD", "")
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no url", []string{"client", "--user", "a@b.c:x"}, "--url"},
		{"no user", []string{"client", "--url", "http://127.0.0.1:1/a"}, "--user"},
		{"not an address", []string{"client", "--url", "http://127.0.0.1:1/a", "--user", "bob:x"}, "not an email address"},
		{"unknown scenario", []string{"client", "--url", "http://127.0.0.1:1/a", "--user", "a@b.c:x", "--scenario", "nope"}, "unknown scenario"},
		{"stray argument", []string{"client", "extra"}, "client"},
	} {
		code, out, errs := runCLI(t, "", tc.args...)
		if code != 2 || out != "" || !strings.Contains(errs, tc.want) {
			t.Errorf("%s: exit %d, stdout %q, stderr %q", tc.name, code, out, errs)
		}
	}
	// No password anywhere.
	os.Unsetenv("MAPISCOPE_PASSWORD") // restored by t.Setenv
	if code, _, errs := runCLI(t, "", "client", "--url", "http://127.0.0.1:1/a", "--user", "a@b.c"); code != 2 || !strings.Contains(errs, "MAPISCOPE_PASSWORD") {
		t.Errorf("no password: exit %d, %s", code, errs)
	}
}

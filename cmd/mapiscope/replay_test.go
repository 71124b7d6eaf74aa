package main

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mapiscope/mapiscope/client"
	"github.com/mapiscope/mapiscope/proxy"
	"github.com/mapiscope/mapiscope/server"
)

// recordScenarioTrace records the client scenario through the proxy in
// front of its built-in server (demo mail) into a new trace.
func recordScenarioTrace(t *testing.T, email, password string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "scenario.trace")
	p, err := proxy.Start(proxy.RunConfig{Listen: "http://127.0.0.1:0", Users: []server.UserSpec{{Email: email, Password: password}}, Trace: path})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.RunScenario(context.Background(), "basic", p.AutodiscoverURL, client.Config{Email: email, Password: password}, nil); err != nil {
		p.Close()
		t.Fatal(err)
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestReplayCLI(t *testing.T) {
	path := recordScenarioTrace(t, "alice@example.test", "secret")
	dir := t.TempDir()

	// Against the built-in server: no difference, exit 0; JUnit without
	// failures.
	junit := filepath.Join(dir, "clean.xml")
	code, out, errs := runCLI(t, "", "replay", path, "--target", "builtin", "--junit", junit)
	if code != 0 || !strings.Contains(out, "0 different, 0 missing, 0 extra: no differences") {
		t.Fatalf("builtin: exit %d\n%s%s", code, out, errs)
	}
	var suites struct {
		Suite struct {
			Tests    int `xml:"tests,attr"`
			Failures int `xml:"failures,attr"`
		} `xml:"testsuite"`
	}
	if b, err := os.ReadFile(junit); err != nil || xml.Unmarshal(b, &suites) != nil || suites.Suite.Tests < 70 || suites.Suite.Failures != 0 {
		t.Fatalf("JUnit %s: %v %+v", junit, err, suites)
	}

	// JSON, one session (the address book).
	code, out, errs = runCLI(t, "", "replay", path+":1", "--target", "builtin", "--json")
	var res struct {
		Session struct {
			Session int `json:"session"`
		} `json:"session"`
		Rops []struct {
			Rop     string `json:"rop"`
			Outcome string `json:"outcome"`
		} `json:"rops"`
		Summary map[string]int `json:"summary"`
	}
	if code != 0 || json.Unmarshal([]byte(out), &res) != nil || res.Session.Session != 1 || len(res.Rops) != 4 || res.Summary["same"] != 4 {
		t.Fatalf("--json: exit %d\n%s%s", code, out, errs)
	}

	// Against a server whose mailbox holds no demo mail (a URL target,
	// credentials from --user): the Inbox and hierarchy differ, exit 1,
	// and the JUnit file lists the failures.
	other, err := server.Start(server.RunConfig{Listen: "http://127.0.0.1:0", Users: []server.UserSpec{{Email: "alice@example.test", Password: "other:pw"}},
		NoSeed: true, Deterministic: true, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	junit = filepath.Join(dir, "diff.xml")
	code, out, errs = runCLI(t, "", "replay", path, "--target", other.URL, "--user", "alice@example.test:other:pw", "--junit", junit)
	if code != 1 || !strings.Contains(out, "RopQueryRows: different") || !strings.Contains(out, "DIFFERENCES") {
		t.Fatalf("empty mailbox: exit %d\n%s%s", code, out, errs)
	}
	if b, err := os.ReadFile(junit); err != nil || xml.Unmarshal(b, &suites) != nil || suites.Suite.Failures == 0 {
		t.Fatalf("JUnit %s: %v %+v", junit, err, suites)
	}
	// … unless the differing ROPs are ignored.
	rules := filepath.Join(dir, "ignore.txt")
	os.WriteFile(rules, []byte("# the mailbox is empty\nrop RopQueryRows\nrop GetHierarchyTable\nrop RopGetContentsTable\n"), 0o600)
	t.Setenv("MAPISCOPE_PASSWORD", "other:pw")
	code, out, errs = runCLI(t, "", "replay", path, "--target", other.URL, "--ignore", rules)
	if code != 0 {
		t.Fatalf("--ignore: exit %d\n%s%s", code, out, errs)
	}

	// Bad input: exit 2, one line on stderr.
	badRules := filepath.Join(dir, "bad.txt")
	os.WriteFile(badRules, []byte("frobnicate X\n"), 0o600)
	for _, args := range [][]string{
		{"replay", path},
		{"replay", path + ":99", "--target", "builtin"},
		{"replay", filepath.Join(dir, "none.trace"), "--target", "builtin"},
		{"replay", path, "--target", "builtin", "--ignore", badRules},
		{"replay", path, "--target", "builtin", "--ignore", filepath.Join(dir, "none.txt")},
		{"replay", path, "--target", "ftp://example.test"},
		{"replay", path, "--target", "builtin", "--serve"},
		{"replay", path, "--target", other.URL, "--seed-from-trace"},
		{"replay", path, "--target", "builtin", "--user", "nobody"},
	} {
		code, _, errs := runCLI(t, "", args...)
		if code != 2 || strings.Count(strings.TrimSpace(errs), "\n") != 0 || !strings.HasPrefix(errs, "mapiscope: ") {
			t.Errorf("%v: exit %d, stderr %q", args, code, errs)
		}
	}
}

// TestReplayServeCLI: --serve prints the mock's Autodiscover URL and
// stops on SIGINT.
func TestReplayServeCLI(t *testing.T) {
	path := recordScenarioTrace(t, "alice@example.test", "secret")
	var out, errb syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- run([]string{"replay", path, "--serve", "--listen", "http://127.0.0.1:0"}, nil, &out, &errb)
	}()
	re := regexp.MustCompile(`Autodiscover URL: (http://\S+)`)
	started := false
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline) && !started; time.Sleep(10 * time.Millisecond) {
		started = re.MatchString(out.String())
		select {
		case code := <-done:
			t.Fatalf("exit %d before SIGINT: %s%s", code, out.String(), errb.String())
		default:
		}
	}
	if !started {
		t.Fatalf("mock did not start: %s %s", out.String(), errb.String())
	}
	syscall.Kill(os.Getpid(), syscall.SIGINT)
	select {
	case code := <-done:
		if code != 0 || !strings.Contains(out.String(), "stopped; 0 requests had no recorded answer") {
			t.Fatalf("exit %d: %s%s", code, out.String(), errb.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("replay --serve did not stop on SIGINT")
	}
}

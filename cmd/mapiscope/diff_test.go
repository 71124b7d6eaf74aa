package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mapiscope/mapiscope/internal/mapitest"
	"github.com/mapiscope/mapiscope/trace"
)

// diffCLI runs mapiscope diff through run, as a user would. Until main.go
// adds newDiffCmd to the root, it runs the command under a root of its
// own, with run's exit status rules.
func diffCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	if c, _, err := newRoot().Find([]string{"diff"}); err == nil && c.Name() == "diff" {
		return runCLI(t, "", append([]string{"diff"}, args...)...)
	}
	t.Log("main.go does not add newDiffCmd yet: running it on its own")
	var out, errb strings.Builder
	root := newRoot()
	root.AddCommand(newDiffCmd())
	root.SetArgs(append([]string{"diff"}, args...))
	root.SetOut(&out)
	root.SetErr(&errb)
	err := root.Execute()
	if err == nil {
		return 0, out.String(), errb.String()
	}
	if ee, ok := err.(*exitError); ok {
		if ee.msg != "" {
			errb.WriteString("mapiscope: " + oneLine(ee.msg) + "\n")
		}
		return ee.code, out.String(), errb.String()
	}
	errb.WriteString("mapiscope: " + oneLine(err.Error()) + "\n")
	return 2, out.String(), errb.String()
}

// sampleTrace writes the shared sample session into a trace, leaving out
// the exchanges drop names (by index).
func sampleTrace(t *testing.T, path string, drop ...int) string {
	t.Helper()
	exs, err := mapitest.SampleSession(mapitest.NewConversation())
	if err != nil {
		t.Fatal(err)
	}
	tr, err := trace.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	w, err := tr.NewWriter("test", "", "test")
	if err != nil {
		t.Fatal(err)
	}
next:
	for i, ex := range exs {
		for _, d := range drop {
			if i == d {
				continue next
			}
		}
		if _, err := w.Add(ex); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestDiffCLI(t *testing.T) {
	dir := t.TempDir()
	a := sampleTrace(t, filepath.Join(dir, "a.trace"))
	b := sampleTrace(t, filepath.Join(dir, "b.trace"))
	// The sample's exchange 6 is the Execute whose RopOpenFolder fails.
	c := sampleTrace(t, filepath.Join(dir, "c.trace"), 6)

	code, out, errs := diffCLI(t, a, b)
	if code != 0 || !strings.Contains(out, "  RopQueryRows\n") || !strings.Contains(out, "0 changed, 0 removed (A only), 0 inserted (B only)") {
		t.Fatalf("same sessions: exit %d\n%s%s", code, out, errs)
	}

	code, out, errs = diffCLI(t, a, c)
	if code != 1 || !strings.Contains(out, "- RopOpenFolder (A only, exchange 7 rop 0)") || !strings.Contains(out, "1 removed (A only)") || errs != "" {
		t.Fatalf("one ROP less: exit %d\n%s%s", code, out, errs)
	}
	code, out, _ = diffCLI(t, a, c, "--json")
	var res struct {
		A       struct{ Trace string } `json:"a"`
		Ops     []struct{ Kind string }
		Summary struct{ Same, Different, Missing, Extra int }
	}
	if code != 1 || json.Unmarshal([]byte(out), &res) != nil || res.Summary.Missing != 1 || res.Summary.Extra != 0 || res.A.Trace != a {
		t.Fatalf("--json: exit %d\n%s", code, out)
	}
	removed := 0
	for _, op := range res.Ops {
		if op.Kind == "removed" {
			removed++
		}
	}
	if removed != 1 || len(res.Ops) != res.Summary.Same+1 {
		t.Fatalf("--json ops: %+v", res)
	}

	// A session of a trace against the same session of another; the
	// sample's mailbox session is session 2.
	if code, out, errs = diffCLI(t, a+":2", b+":2"); code != 0 || strings.Contains(out, "Bind") {
		t.Fatalf("sessions: exit %d\n%s%s", code, out, errs)
	}

	// --ignore: leaving RopOpenFolder out makes the sessions the same.
	rules := filepath.Join(dir, "rules")
	if err := os.WriteFile(rules, []byte("# the failing open is expected\nrop RopOpenFolder\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, out, errs = diffCLI(t, a, c, "--ignore", rules); code != 0 || strings.Contains(out, "RopOpenFolder") {
		t.Fatalf("--ignore: exit %d\n%s%s", code, out, errs)
	}
}

func TestDiffCLIBadInput(t *testing.T) {
	dir := t.TempDir()
	a := sampleTrace(t, filepath.Join(dir, "a.trace"))
	bad := filepath.Join(dir, "bad-rules")
	os.WriteFile(bad, []byte("frobnicate LogonTime\n"), 0o644)
	notTrace := filepath.Join(dir, "not.trace")
	os.WriteFile(notTrace, []byte("hello"), 0o644)
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"one argument", []string{a}, "arg"},
		{"missing trace", []string{a, filepath.Join(dir, "missing.trace")}, "no such trace"},
		{"no such session", []string{a, a + ":99"}, "no session 99"},
		{"session zero", []string{a, a + ":0"}, "start at 1"},
		{"not a trace", []string{a, notTrace}, "not a mapiscope trace"},
		{"bad rules", []string{a, a, "--ignore", bad}, "unknown rule"},
		{"missing rules", []string{a, a, "--ignore", filepath.Join(dir, "nope")}, "--ignore"},
	} {
		code, out, errs := diffCLI(t, tc.args...)
		if code != 2 {
			t.Errorf("%s: exit %d, want 2\n%s%s", tc.name, code, out, errs)
		}
		if strings.Count(strings.TrimSpace(errs), "\n") != 0 || !strings.Contains(errs, tc.want) {
			t.Errorf("%s: stderr %q, want one line mentioning %q", tc.name, errs, tc.want)
		}
	}
}

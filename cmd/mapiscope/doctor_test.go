package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mapiscope/mapiscope/doctor"
	"github.com/mapiscope/mapiscope/internal/mapitest"
	"github.com/mapiscope/mapiscope/trace"
)

// TestDoctorDemo: the trace `mapiscope demo` records gives no finding
// worth a warning: exit 0.
func TestDoctorDemo(t *testing.T) {
	path := filepath.Join(t.TempDir(), "demo.trace")
	if code, out, errb := runCLI(t, "", "demo", "--no-tui", "--trace", path); code != 0 {
		t.Fatalf("demo: exit %d: %s%s", code, out, errb)
	}
	code, out, errb := runCLI(t, "", "doctor", path)
	if code != 0 || errb != "" {
		t.Fatalf("doctor: exit %d\n%s%s", code, out, errb)
	}
	code, out, _ = runCLI(t, "", "doctor", "--json", path)
	var fs []doctor.Finding
	if code != 0 || json.Unmarshal([]byte(out), &fs) != nil {
		t.Fatalf("doctor --json: exit %d: %s", code, out)
	}
	for _, f := range fs {
		if f.Severity >= doctor.Warning {
			t.Errorf("demo trace: %s %s", f.Severity, f.Title)
		}
	}
}

// doctorTrace writes a session of Outlook for Mac whose Autodiscover
// requests are refused twice.
func doctorTrace(t *testing.T) string {
	t.Helper()
	cv := mapitest.NewConversation()
	cv.ClientApp = "MacOutlook/16.89.24091630 (Intelx64 Mac OS X 14.6.1 (Build 23G93))"
	exs, err := mapitest.SampleSession(cv)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "doctor.trace")
	tr, err := trace.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w, err := tr.NewWriter("jsonl", "test", "dev")
	if err != nil {
		t.Fatal(err)
	}
	for _, ex := range exs {
		if _, err := w.Add(ex); err != nil {
			t.Fatal(err)
		}
	}
	for range 2 {
		ex, err := cv.Bind()
		if err != nil {
			t.Fatal(err)
		}
		ex.Status, ex.RespBody, ex.Chunks = 401, nil, nil
		ex.RespHeader.Set("WWW-Authenticate", `Basic realm="mail"`)
		if _, err := w.Add(ex); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	tr.Close()
	return path
}

func TestDoctorFindings(t *testing.T) {
	path := doctorTrace(t)
	code, out, errb := runCLI(t, "", "doctor", path)
	if code != 1 || errb != "" {
		t.Fatalf("exit %d, want 1\n%s%s", code, out, errb)
	}
	for _, s := range []string{"ERROR  Outlook for Mac  [unsupported-client]", "WARNING  2 requests of alice@example.test refused",
		"  evidence: 1 ", "  why:  ", "  fix:  ", "MicrosoftOffice16_Data:SSPI:alice@example.test",
		"2 findings: 1 error, 1 warning. Show evidence with: mapiscope show " + path + " ID"} {
		if !strings.Contains(out, s) {
			t.Errorf("output lacks %q:\n%s", s, out)
		}
	}
	for _, l := range strings.Split(out, "\n") {
		if len([]rune(l)) > 100 && (strings.HasPrefix(l, "  why:") || strings.HasPrefix(l, "        ")) {
			t.Errorf("line not wrapped: %q", l)
		}
	}
	code, out, _ = runCLI(t, "", "doctor", "--json", path)
	var fs []doctor.Finding
	if err := json.Unmarshal([]byte(out), &fs); err != nil || code != 1 || len(fs) != 2 {
		t.Fatalf("--json: exit %d, %v:\n%s", code, err, out)
	}
	if fs[0].Rule != "unsupported-client" || fs[0].Severity != doctor.Error || fs[0].Evidence[0].Exchange != 1 {
		t.Errorf("first finding: %+v", fs[0])
	}
	// One rule only; an info-only or empty result exits 0.
	if code, out, _ := runCLI(t, "", "doctor", "--rule", "anomalies,framing", path); code != 0 || !strings.Contains(out, "no findings") {
		t.Errorf("--rule: exit %d:\n%s", code, out)
	}
	if code, out, _ := runCLI(t, "", "doctor", "--list"); code != 0 || !strings.Contains(out, "ics-download-state") {
		t.Errorf("--list: exit %d:\n%s", code, out)
	}
}

func TestDoctorBadInput(t *testing.T) {
	dir := t.TempDir()
	notTrace := filepath.Join(dir, "notes.txt")
	os.WriteFile(notTrace, []byte("hello"), 0o644)
	for _, args := range [][]string{
		{"doctor"},
		{"doctor", filepath.Join(dir, "missing.trace")},
		{"doctor", notTrace},
		{"doctor", "--rule", "no-such-rule", doctorTrace(t)},
		{"doctor", "--list", "extra"},
	} {
		code, out, errb := runCLI(t, "", args...)
		if code != 2 || strings.Count(strings.TrimSpace(errb), "\n") != 0 || errb == "" {
			t.Errorf("%v: exit %d, want 2 with a one-line error\n%s%s", args, code, out, errb)
		}
	}
}

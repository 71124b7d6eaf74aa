package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mapiscope/mapiscope/trace"
)

// TestDemo runs mapiscope demo without the TUI: every scenario step ok
// through the proxy, and the trace holds the session with no anomaly.
func TestDemo(t *testing.T) {
	path := filepath.Join(t.TempDir(), "demo.trace")
	var out, errb bytes.Buffer
	if code := run([]string{"demo", "--no-tui", "--trace", path}, nil, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s%s", code, out.String(), errb.String())
	}
	if strings.Contains(out.String(), "FAIL") || !strings.Contains(out.String(), "ok    unbind") {
		t.Fatalf("output:\n%s", out.String())
	}
	tr, err := trace.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	var n, anomalies, rops int
	tr.DB.QueryRow(`SELECT count(*), coalesce(sum(anomaly_count),0), coalesce(sum(rop_count),0) FROM exchanges`).Scan(&n, &anomalies, &rops)
	if n < 20 || rops < 50 || anomalies != 0 {
		t.Errorf("trace: %d exchanges, %d ROPs, %d anomalies", n, rops, anomalies)
	}
}

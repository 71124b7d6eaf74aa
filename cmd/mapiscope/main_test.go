package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func runCLI(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

func TestDecodeCLI(t *testing.T) {
	// The specification's RopDeleteFolder request, as JSON.
	code, out, _ := runCLI(t, "", "decode", "--layer", "rop-request", "--json", "--hex", "1d000105010000000e8edf36")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if m["FolderId"] != "0001-00000E8EDF36" {
		t.Fatalf("FolderId = %v", m["FolderId"])
	}
	// Hex text on stdin, auto layer.
	code, out, _ = runCLI(t, "08000100000100016f0000006e000000\n", "decode", "-")
	if code != 0 || !strings.Contains(out, "ropbuffer-request") || !strings.Contains(out, "RopRelease") {
		t.Fatalf("stdin: exit %d\n%s", code, out)
	}
	// --columns lets a QueryRows response decode its rows.
	code, out, _ = runCLI(t, "", "decode", "--layer", "rop-response", "--columns", "PidTagFolderId,PidTagDisplayName",
		"--hex", "15 01 00000000 02 0100 00 0100000000000123 49006e0062006f0078000000")
	if code != 0 || !strings.Contains(out, `"Inbox"`) {
		t.Fatalf("columns: exit %d\n%s", code, out)
	}
}

func TestDecodeCLIBadInput(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"truncated", []string{"decode", "--layer", "rop-request", "--hex", "020001"}, "truncated"},
		{"garbage", []string{"decode", "--layer", "execute-request", "--hex", "deadbeefdeadbeef"}, "offset"},
		{"huge size", []string{"decode", "--layer", "execute-request", "--hex", "00000000ffffffff"}, "RopBufferSize"},
		{"not hex", []string{"decode", "--hex", "xyzw"}, "not hex"},
		{"unknown layer", []string{"decode", "--layer", "nope", "--hex", "00"}, "unknown layer"},
		{"no columns", []string{"decode", "--layer", "property-row", "--hex", "00"}, "--columns"},
	} {
		code, _, errs := runCLI(t, "", tc.args...)
		if code != 2 {
			t.Errorf("%s: exit %d, want 2", tc.name, code)
		}
		if strings.Count(strings.TrimSpace(errs), "\n") != 0 || !strings.Contains(errs, tc.want) {
			t.Errorf("%s: stderr %q, want one line mentioning %q", tc.name, errs, tc.want)
		}
	}
}

func TestDecodeSessionCLI(t *testing.T) {
	code, out, errs := runCLI(t, "", "decode", "--session", "../../testdata/examples/session.jsonl", "--brief")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if !strings.Contains(out, "RopQueryRows on contents table of folder Inbox") {
		t.Fatalf("output:\n%s", out)
	}
	code, out, _ = runCLI(t, "", "decode", "--session", "../../testdata/examples/session.jsonl", "--json")
	var arr []map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &arr) != nil || len(arr) != 4 {
		t.Fatalf("session JSON: exit %d\n%s", code, out)
	}
}

package tui

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/gdamore/tcell/v2"

	"github.com/mapiscope/mapiscope/decode/rop"
	"github.com/mapiscope/mapiscope/internal/mapitest"
	"github.com/mapiscope/mapiscope/trace"
)

// findingsTrace is the sample session and, at its end, a RopLogon to
// bob's mailbox refused with ecLoginPerm (exchange 9, ROP r9 or so).
func findingsTrace(t *testing.T) (path string, logonEx, logonRop int64) {
	t.Helper()
	cv := mapitest.NewConversation()
	exs, err := mapitest.SampleSession(cv)
	if err != nil {
		t.Fatal(err)
	}
	logon := &rop.LogonRequest{RequestHeader: mapitest.Req(0xFE, 1, 0), LogonFlags: 0x01, OpenFlags: 0x01000000,
		Essdn: "/o=example/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn=bob"}
	ex, err := cv.Execute(&mapitest.Batch{Requests: []rop.Request{logon}, ReqHandles: []uint32{mapitest.None},
		Responses: []rop.Response{&rop.LogonResponse{ResponseHeader: mapitest.Fail(0xFE, 0, 0x3F2)}}, RespHandles: []uint32{mapitest.None}})
	if err != nil {
		t.Fatal(err)
	}
	exs = append(exs, ex)
	path = filepath.Join(t.TempDir(), "f.trace")
	tr, err := trace.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w, err := tr.NewWriter("jsonl", "test", "dev")
	if err != nil {
		t.Fatal(err)
	}
	for _, ex := range exs {
		if logonEx, err = w.Add(ex); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	tr.DB.QueryRow(`SELECT id FROM rops WHERE exchange_id = ?`, logonEx).Scan(&logonRop)
	tr.Close()
	return path, logonEx, logonRop
}

func TestFindingsJumpToEvidence(t *testing.T) {
	path, logonEx, logonRop := findingsTrace(t)
	h := start(t, path, Options{})
	// A filter that hides the evidence: the jump clears it.
	h.keys("/~rt Connect")
	h.key(tcell.KeyEnter)
	h.waitFor("exchanges (1) / ~rt Connect")

	h.keys("D")
	h.waitFor("RopLogon to another mailbox refused with ecLoginPerm")
	h.waitFor(" doctor: 1 warning ")
	h.waitFor("Give the user access to that mailbox")
	h.waitFor("r" + itoa(int(logonRop)))

	h.key(tcell.KeyEnter) // to the evidence
	h.key(tcell.KeyEnter) // go there
	h.waitFor("ROPs of exchange " + itoa(int(logonEx)))
	if id := h.current(); id != logonEx {
		t.Fatalf("cursor on exchange %d, want %d", id, logonEx)
	}
	if strings.Contains(h.text(), "/ ~rt Connect") {
		t.Error("the filter hiding the evidence was not cleared")
	}
	var sel int64
	h.do(func() {
		if row, _ := h.ui.rops.GetSelection(); row >= 1 && row <= len(h.ui.ropIDs) {
			sel = h.ui.ropIDs[row-1].id
		}
	})
	if sel != logonRop {
		t.Errorf("ROP r%d selected, want r%d", sel, logonRop)
	}
	h.waitFor("evidence r" + itoa(int(logonRop)))

	// D again shows the same findings at once; esc closes them.
	h.keys("D")
	h.waitFor("what and why")
	h.key(tcell.KeyEsc)
	h.sync()
	if strings.Contains(h.text(), "what and why") {
		t.Error("esc did not close the findings")
	}
	// :doctor runs the rules again.
	h.keys(":doctor")
	h.key(tcell.KeyEnter)
	h.waitFor("what and why")
}

func TestFindingsNone(t *testing.T) {
	h := start(t, sampleTrace(t), Options{})
	h.keys("D")
	h.waitFor("no findings: none of the rules matched this trace")
	h.keys("q")
	h.sync()
	if strings.Contains(h.text(), "what and why") {
		t.Error("q did not close the findings")
	}
	h.waitFor("exchanges (8)")
}

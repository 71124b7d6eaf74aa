package server

import (
	"testing"

	"github.com/mapiscope/mapiscope/decode/rop"
)

func TestLogonHandles(t *testing.T) {
	h := newHarness(t)
	c := h.connect(alice)
	lh := c.logon()
	if lh != 0 {
		t.Fatalf("logon handle 0x%08X, want 0x00000000 ((LogonId<<24)|0)", lh)
	}
	if c.fids[4] == 0 {
		t.Fatal("no Inbox id")
	}
	out := c.exec([]rop.Request{
		&rop.GetReceiveFolderRequest{RequestHeader: hdr(0x27, 0), MessageClass: "IPM.Note"},
		&rop.GetReceiveFolderTableRequest{RequestHeader: hdr(0x68, 0)},
		&rop.GetStoreStateRequest{RequestHeader: hdr(0x7B, 0)},
	}, []uint32{lh})
	rf := out.must(t, 0).(*rop.GetReceiveFolderResponse)
	if rf.FolderId != c.fids[4] {
		t.Errorf("receive folder %v, want the Inbox %v", rf.FolderId, c.fids[4])
	}
	if tbl := out.must(t, 1).(*rop.GetReceiveFolderTableResponse); len(tbl.Rows) == 0 {
		t.Error("empty receive folder table")
	}
	out.must(t, 2)
}

func TestLogonOtherMailboxRefused(t *testing.T) {
	h := newHarness(t)
	c := h.connect(bob)
	mb, _ := h.st.MailboxByEmail(alice)
	c.logonTo(mb.LegacyDN, ecLoginPerm)
}

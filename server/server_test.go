package server

import (
	"testing"

	"github.com/mapiscope/mapiscope/decode/prop"
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

// TestReleaseParentKeepsChildren: objects live until released; releasing
// the folder a table came from leaves the table usable, across Executes.
func TestReleaseParentKeepsChildren(t *testing.T) {
	h := newHarness(t)
	c := h.connect(alice)
	lh := c.logon()
	out := c.exec([]rop.Request{
		&rop.OpenFolderRequest{RequestHeader: hdr(0x02, 0), OutputHandleIndex: 1, FolderId: c.fids[4]},
		&rop.GetContentsTableRequest{RequestHeader: hdr(0x05, 1), OutputHandleIndex: 2},
	}, []uint32{lh, 0xFFFFFFFF, 0xFFFFFFFF})
	out.must(t, 0)
	n := out.must(t, 1).(*rop.GetContentsTableResponse).RowCount
	folder, table := out.handles[1], out.handles[2]
	if folder>>24 != 0 || table>>24 != 0 || folder == table {
		t.Fatalf("handles 0x%08X 0x%08X: want (LogonId<<24)|n, distinct", folder, table)
	}
	c.exec([]rop.Request{&rop.ReleaseRequest{RequestHeader: hdr(0x01, 0)}}, []uint32{folder})
	out = c.exec([]rop.Request{
		&rop.SetColumnsRequest{RequestHeader: hdr(0x12, 0), PropertyTags: []prop.Tag{0x0037001F}},
		&rop.QueryRowsRequest{RequestHeader: hdr(0x15, 0), ForwardRead: true, RowCount: 100},
	}, []uint32{table})
	if rows := out.must(t, 1).(*rop.QueryRowsResponse).RowData; uint32(len(rows)) != n || n == 0 {
		t.Fatalf("%d rows after releasing the folder, want %d", len(rows), n)
	}
	// The released folder's handle names nothing now.
	out = c.exec([]rop.Request{&rop.GetContentsTableRequest{RequestHeader: hdr(0x05, 0), OutputHandleIndex: 1}}, []uint32{folder, 0xFFFFFFFF})
	if rv := out.resp(0).Header().ReturnValue; rv != ecNullObject {
		t.Errorf("released handle: %v, want ecNullObject", rv)
	}
}

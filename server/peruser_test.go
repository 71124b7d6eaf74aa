package server

import (
	"bytes"
	"testing"

	"github.com/mapiscope/mapiscope/decode/fxics"
	"github.com/mapiscope/mapiscope/decode/prop"
	"github.com/mapiscope/mapiscope/decode/rop"
	"github.com/mapiscope/mapiscope/server/store"
)

// Per-user information ROPs end to end: a private mailbox's cache of
// public-folder read state — [MS-OXCSTOR] 3.2.5.10–3.2.5.13.

var (
	puDB     = prop.GUID{0x4D, 0x77, 0xD4, 0x64, 0x83, 0x49, 0x70, 0x4F, 0x9B, 0x8B, 0x46, 0xE6, 0x35, 0xBB, 0x78, 0xAB}
	puOther  = prop.GUID{0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xAA, 0xBB, 0xCC, 0xDD, 0xEE, 0xFF, 0x01}
	puFolder = prop.LongTermID{DatabaseGuid: puDB, GlobalCounter: 0x1234}
	puEmpty  = prop.LongTermID{DatabaseGuid: puDB, GlobalCounter: 0x9999}
)

// puBlob is a CNSET of n read ranges, serialized as an IDSET with
// REPLGUIDs as a public store sends it.
func puBlob(n int) []byte {
	var s fxics.IDSet
	for i := 0; i < n; i++ {
		s = s.AddRangeGUID(puDB, uint64(i*10+1), uint64(i*10+3))
	}
	return s.Encode(true)
}

func puLongTermIds(c *tconn, lh uint32, db prop.GUID) rop.Response {
	c.h.t.Helper()
	out := c.exec([]rop.Request{&rop.GetPerUserLongTermIdsRequest{RequestHeader: hdr(0x60, 0), DatabaseGuid: db}}, []uint32{lh})
	return out.resp(0)
}

func puGuid(c *tconn, lh uint32, ltid prop.LongTermID) rop.Response {
	c.h.t.Helper()
	out := c.exec([]rop.Request{&rop.GetPerUserGuidRequest{RequestHeader: hdr(0x61, 0), LongTermId: ltid}}, []uint32{lh})
	return out.resp(0)
}

func puRead(c *tconn, lh uint32, ltid prop.LongTermID, off uint32, max uint16) rop.Response {
	c.h.t.Helper()
	out := c.exec([]rop.Request{&rop.ReadPerUserInformationRequest{RequestHeader: hdr(0x63, 0), FolderId: ltid, DataOffset: off, MaxDataSize: max}}, []uint32{lh})
	return out.resp(0)
}

func puWrite(c *tconn, lh uint32, ltid prop.LongTermID, off uint32, data []byte, finished bool) prop.ErrorCode {
	c.h.t.Helper()
	out := c.exec([]rop.Request{&rop.WritePerUserInformationRequest{RequestHeader: hdr(0x64, 0), FolderId: ltid, HasFinished: finished,
		DataOffset: off, Data: data, ReplGuid: puDB}}, []uint32{lh})
	return puRV(c.h.t, out.resp(0))
}

func puRV(t testing.TB, r rop.Response) prop.ErrorCode {
	t.Helper()
	if r == nil {
		t.Fatal("no response")
	}
	return r.Header().ReturnValue
}

// puWriteAll uploads blob in pieces of size n, as a client streams it.
func puWriteAll(t *testing.T, c *tconn, lh uint32, ltid prop.LongTermID, blob []byte, n int) {
	t.Helper()
	for off := 0; ; off += n {
		end := min(off+n, len(blob))
		if ec := puWrite(c, lh, ltid, uint32(off), blob[off:end], end == len(blob)); ec != 0 {
			t.Fatalf("write at %d: %v", off, ec)
		}
		if end == len(blob) {
			return
		}
	}
}

// puReadAll reads a folder's blob in chunks of at most max bytes and
// checks that HasFinished is set on the last chunk only.
func puReadAll(t *testing.T, c *tconn, lh uint32, ltid prop.LongTermID, max uint16) []byte {
	t.Helper()
	var got []byte
	for i := 0; i < 10000; i++ {
		r := puRead(c, lh, ltid, uint32(len(got)), max)
		rr, ok := r.(*rop.ReadPerUserInformationResponse)
		if !ok || rr.ReturnValue != 0 {
			t.Fatalf("read at %d: %#v", len(got), r)
		}
		if max != 0 && len(rr.Data) > int(max) {
			t.Fatalf("read at %d: %d bytes, MaxDataSize %d", len(got), len(rr.Data), max)
		}
		got = append(got, rr.Data...)
		if rr.HasFinished {
			return got
		}
		if len(rr.Data) == 0 {
			t.Fatalf("read at %d: no data and not finished", len(got))
		}
	}
	t.Fatal("read never finished")
	return nil
}

func TestPerUserNothingCached(t *testing.T) {
	h := newHarness(t)
	c := h.connect(alice)
	lh := c.logon()

	r, ok := puLongTermIds(c, lh, puDB).(*rop.GetPerUserLongTermIdsResponse)
	if !ok || r.ReturnValue != 0 || len(r.LongTermIds) != 0 {
		t.Fatalf("GetPerUserLongTermIds on a fresh mailbox: %#v", r)
	}
	if ec := puRV(t, puGuid(c, lh, puFolder)); ec != ecNotFound {
		t.Errorf("GetPerUserGuid without data: %v, want ecNotFound", ec)
	}
	rr, ok := puRead(c, lh, puFolder, 0, 100).(*rop.ReadPerUserInformationResponse)
	if !ok || rr.ReturnValue != 0 || !rr.HasFinished || len(rr.Data) != 0 {
		t.Errorf("ReadPerUserInformation without data: %#v", rr)
	}
}

func TestPerUserWriteThenRead(t *testing.T) {
	h := newHarness(t)
	c := h.connect(alice)
	lh := c.logon()
	blob := puBlob(400)
	if len(blob) < 1000 {
		t.Fatalf("test blob only %d bytes", len(blob))
	}

	// The first piece alone is staged, not visible.
	if ec := puWrite(c, lh, puFolder, 0, blob[:100], false); ec != 0 {
		t.Fatalf("first piece: %v", ec)
	}
	if ec := puRV(t, puGuid(c, lh, puFolder)); ec != ecNotFound {
		t.Errorf("GetPerUserGuid during an upload: %v, want ecNotFound", ec)
	}
	// The rest, in pieces over several Executes.
	for off := 100; off < len(blob); off += 250 {
		end := min(off+250, len(blob))
		if ec := puWrite(c, lh, puFolder, uint32(off), blob[off:end], end == len(blob)); ec != 0 {
			t.Fatalf("piece at %d: %v", off, ec)
		}
	}

	lr, ok := puLongTermIds(c, lh, puDB).(*rop.GetPerUserLongTermIdsResponse)
	if !ok || lr.ReturnValue != 0 || len(lr.LongTermIds) != 1 || lr.LongTermIds[0] != puFolder {
		t.Fatalf("GetPerUserLongTermIds: %#v", lr)
	}
	if lr, _ := puLongTermIds(c, lh, puOther).(*rop.GetPerUserLongTermIdsResponse); lr == nil || lr.ReturnValue != 0 || len(lr.LongTermIds) != 0 {
		t.Errorf("GetPerUserLongTermIds of another store: %#v", lr)
	}
	gr, ok := puGuid(c, lh, puFolder).(*rop.GetPerUserGuidResponse)
	if !ok || gr.ReturnValue != 0 || gr.DatabaseGuid != puDB {
		t.Fatalf("GetPerUserGuid: %#v", gr)
	}
	// The Pad of a LongTermID names nothing.
	padded := puFolder
	padded.Pad = 0x55AA
	if gr, _ := puGuid(c, lh, padded).(*rop.GetPerUserGuidResponse); gr == nil || gr.ReturnValue != 0 {
		t.Errorf("GetPerUserGuid with a nonzero Pad: %#v", gr)
	}

	// Read back in chunks of 64 bytes, and in one go with the default size.
	if got := puReadAll(t, c, lh, puFolder, 64); !bytes.Equal(got, blob) {
		t.Errorf("read in 64-byte chunks: %d bytes, want %d, equal %v", len(got), len(blob), bytes.Equal(got, blob))
	}
	if got := puReadAll(t, c, lh, puFolder, 0); !bytes.Equal(got, blob) {
		t.Errorf("read with MaxDataSize 0: %d bytes", len(got))
	}
	rr, _ := puRead(c, lh, puFolder, 0, 0).(*rop.ReadPerUserInformationResponse)
	if rr == nil || !rr.HasFinished || len(rr.Data) != len(blob) {
		t.Errorf("MaxDataSize 0 reads the whole %d-byte blob at once: %#v", len(blob), rr)
	}
	rr, _ = puRead(c, lh, puFolder, uint32(len(blob)), 10).(*rop.ReadPerUserInformationResponse)
	if rr == nil || rr.ReturnValue != 0 || !rr.HasFinished || len(rr.Data) != 0 {
		t.Errorf("read at the end: %#v", rr)
	}
	if ec := puRV(t, puRead(c, lh, puFolder, uint32(len(blob))+1, 10)); ec != ecInvalidParam {
		t.Errorf("read past the end: %v, want ecInvalidParam", ec)
	}

	// A new upload replaces the blob; an empty IDSET is a valid one.
	puWriteAll(t, c, lh, puFolder, puBlob(2), 5)
	if got := puReadAll(t, c, lh, puFolder, 0); !bytes.Equal(got, puBlob(2)) {
		t.Errorf("after rewrite: %x", got)
	}
	puWriteAll(t, c, lh, puEmpty, []byte{}, 1)
	if gr, _ := puGuid(c, lh, puEmpty).(*rop.GetPerUserGuidResponse); gr == nil || gr.ReturnValue != 0 {
		t.Errorf("empty blob stored: %#v", gr)
	}
	if lr, _ := puLongTermIds(c, lh, puDB).(*rop.GetPerUserLongTermIdsResponse); lr == nil || len(lr.LongTermIds) != 2 {
		t.Errorf("two folders cached: %#v", lr)
	}

	// It persists in the store, beyond the session.
	c2 := h.connect(alice)
	lh2 := c2.logon()
	if got := puReadAll(t, c2, lh2, puFolder, 7); !bytes.Equal(got, puBlob(2)) {
		t.Errorf("another session reads %x", got)
	}
}

func TestPerUserWriteFailures(t *testing.T) {
	h := newHarness(t)
	c := h.connect(alice)
	lh := c.logon()
	blob := puBlob(50)

	// A piece that continues nothing.
	if ec := puWrite(c, lh, puFolder, 10, blob[10:20], true); ec != ecError {
		t.Errorf("DataOffset without an upload: %v, want ecError", ec)
	}
	// A gap in an upload drops it: continuing at the right offset fails too.
	if ec := puWrite(c, lh, puFolder, 0, blob[:20], false); ec != 0 {
		t.Fatal(ec)
	}
	if ec := puWrite(c, lh, puFolder, 25, blob[25:40], false); ec != ecError {
		t.Errorf("gap: %v, want ecError", ec)
	}
	if ec := puWrite(c, lh, puFolder, 20, blob[20:], true); ec != ecError {
		t.Errorf("after a dropped upload: %v, want ecError", ec)
	}
	// Switching folders drops the first upload.
	if ec := puWrite(c, lh, puFolder, 0, blob[:20], false); ec != 0 {
		t.Fatal(ec)
	}
	if ec := puWrite(c, lh, puEmpty, 0, blob[:5], false); ec != 0 {
		t.Fatal(ec)
	}
	if ec := puWrite(c, lh, puFolder, 20, blob[20:], true); ec != ecError {
		t.Errorf("continuing an upload after another folder's: %v, want ecError", ec)
	}
	if ec := puRV(t, puGuid(c, lh, puFolder)); ec != ecNotFound {
		t.Errorf("nothing was stored: %v", ec)
	}
	// Bytes that are no IDSET with REPLGUIDs.
	if ec := puWrite(c, lh, puFolder, 0, []byte{1, 2, 3, 4, 5}, true); ec != store.ErrCorruptData {
		t.Errorf("corrupt blob: %v, want ecCorruptData", ec)
	}
	if ec := puWrite(c, lh, puFolder, 0, blob[:len(blob)-1], true); ec != store.ErrCorruptData {
		t.Errorf("truncated blob: %v, want ecCorruptData", ec)
	}
	if ec := puRV(t, puGuid(c, lh, puFolder)); ec != ecNotFound {
		t.Errorf("a corrupt blob was stored: %v", ec)
	}
	// Each logon streams on its own: logon 1 cannot continue logon 0's.
	if ec := puWrite(c, lh, puFolder, 0, blob[:20], false); ec != 0 {
		t.Fatal(ec)
	}
	mb, _ := h.st.MailboxByEmail(alice)
	out := c.exec([]rop.Request{&rop.LogonRequest{RequestHeader: rop.RequestHeader{RopId: 0xFE, LogonId: 1}, LogonFlags: 0x01, OpenFlags: 0x01000000 | 0x04, Essdn: mb.LegacyDN}}, []uint32{0xFFFFFFFF})
	out.must(t, 0)
	lh1 := out.handles[0]
	w := &rop.WritePerUserInformationRequest{RequestHeader: rop.RequestHeader{RopId: 0x64, LogonId: 1}, FolderId: puFolder, HasFinished: true, DataOffset: 20, Data: blob[20:]}
	if ec := puRV(t, c.exec([]rop.Request{w}, []uint32{lh1}).resp(0)); ec != ecError {
		t.Errorf("another logon continues the upload: %v, want ecError", ec)
	}
	if ec := puWrite(c, lh, puFolder, 20, blob[20:], true); ec != 0 {
		t.Errorf("the first logon's upload survives: %v", ec)
	}
	if got := puReadAll(t, c, lh, puFolder, 0); !bytes.Equal(got, blob) {
		t.Errorf("stored %x", got)
	}
}

func TestPerUserBadHandles(t *testing.T) {
	h := newHarness(t)
	c := h.connect(alice)
	lh := c.logon()
	reqs := []rop.Request{
		&rop.GetPerUserLongTermIdsRequest{RequestHeader: hdr(0x60, 0), DatabaseGuid: puDB},
		&rop.GetPerUserGuidRequest{RequestHeader: hdr(0x61, 0), LongTermId: puFolder},
		&rop.ReadPerUserInformationRequest{RequestHeader: hdr(0x63, 0), FolderId: puFolder},
		&rop.WritePerUserInformationRequest{RequestHeader: hdr(0x64, 0), FolderId: puFolder, HasFinished: true, ReplGuid: puDB},
	}
	// No object at the handle index.
	for _, r := range reqs {
		if ec := puRV(t, c.exec([]rop.Request{r}, []uint32{0xFFFFFFFF}).resp(0)); ec != ecNullObject {
			t.Errorf("%T on no object: %v, want ecNullObject", r, ec)
		}
	}
	// A folder is not a logon.
	out := c.exec([]rop.Request{&rop.OpenFolderRequest{RequestHeader: hdr(0x02, 0), OutputHandleIndex: 1, FolderId: c.fids[4]}}, []uint32{lh, 0xFFFFFFFF})
	out.must(t, 0)
	fh := out.handles[1]
	for _, r := range reqs {
		if ec := puRV(t, c.exec([]rop.Request{r}, []uint32{fh}).resp(0)); ec != ecNotSupported {
			t.Errorf("%T on a folder: %v, want ecNotSupported", r, ec)
		}
	}
}

func TestPerUserOtherUsers(t *testing.T) {
	h := newHarness(t)
	ca := h.connect(alice)
	la := ca.logon()
	blob := puBlob(20)
	puWriteAll(t, ca, la, puFolder, blob, 40)

	// Bob's own mailbox holds none of alice's data.
	cb := h.connect(bob)
	lb := cb.logon()
	if r, _ := puLongTermIds(cb, lb, puDB).(*rop.GetPerUserLongTermIdsResponse); r == nil || r.ReturnValue != 0 || len(r.LongTermIds) != 0 {
		t.Errorf("bob's mailbox lists alice's folders: %#v", r)
	}
	if ec := puRV(t, puGuid(cb, lb, puFolder)); ec != ecNotFound {
		t.Errorf("bob's GetPerUserGuid: %v", ec)
	}
	if r, _ := puRead(cb, lb, puFolder, 0, 0).(*rop.ReadPerUserInformationResponse); r == nil || len(r.Data) != 0 {
		t.Errorf("bob reads alice's blob from his mailbox: %#v", r)
	}
	// Bob writes his own, which leaves alice's alone.
	puWriteAll(t, cb, lb, puFolder, puBlob(3), 100)

	// Logged on to alice's mailbox through a folder permission, bob can
	// neither read nor write her per-user data.
	amb, _ := h.st.MailboxByEmail(alice)
	if err := h.st.ModifyPermissions(amb, ca.fids[4], false, []store.PermOp{{Op: store.RowAdd, Perm: store.Permission{User: bob, Rights: store.RightReadAny | store.RightFolderVisible}}}); err != nil {
		t.Fatal(err)
	}
	cb2 := h.connect(bob)
	lba := cb2.logonTo(amb.LegacyDN, 0)
	if ec := puRV(t, puLongTermIds(cb2, lba, puDB)); ec != ecAccessDenied {
		t.Errorf("bob's GetPerUserLongTermIds on alice's mailbox: %v", ec)
	}
	if ec := puRV(t, puGuid(cb2, lba, puFolder)); ec != ecAccessDenied {
		t.Errorf("bob's GetPerUserGuid on alice's mailbox: %v", ec)
	}
	if ec := puRV(t, puRead(cb2, lba, puFolder, 0, 0)); ec != ecAccessDenied {
		t.Errorf("bob's ReadPerUserInformation on alice's mailbox: %v", ec)
	}
	if ec := puWrite(cb2, lba, puFolder, 0, puBlob(1), true); ec != ecAccessDenied {
		t.Errorf("bob's WritePerUserInformation on alice's mailbox: %v", ec)
	}
	if got := puReadAll(t, ca, la, puFolder, 0); !bytes.Equal(got, blob) {
		t.Errorf("alice's blob changed: %x", got)
	}
	if got := puReadAll(t, cb, lb, puFolder, 0); !bytes.Equal(got, puBlob(3)) {
		t.Errorf("bob's blob: %x", got)
	}
}

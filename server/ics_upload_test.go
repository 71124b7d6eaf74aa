package server

import (
	"bytes"
	"testing"
	"time"

	"github.com/mapiscope/mapiscope/decode/fxics"
	"github.com/mapiscope/mapiscope/decode/prop"
	"github.com/mapiscope/mapiscope/decode/rop"
	"github.com/mapiscope/mapiscope/server/store"
)

// End-to-end tests of the ICS upload ROPs and the FastTransfer destination
// through the harness (real HTTP on loopback, every Execute decoded with
// zero anomalies, FastTransfer streams included).

// iuClientGUID is the replica GUID of the test client's local store: its
// change keys are XIDs of this GUID.
var iuClientGUID = prop.GUID{0xC1, 0x1E, 0x47, 0x00, 0x5A, 0x11, 0x4E, 0x0B, 0x9D, 0x31, 0x0C, 0x4A, 0x2E, 0x77, 0x10, 0x01}

const iuNone uint32 = 0xFFFFFFFF

// iuGIDsTag is the PtypMultipleBinary that carries the GIDs of
// RopSynchronizationImportDeletes.
var iuGIDsTag = store.TagSourceKey.WithType(prop.PtypMultipleBinary)

// iuEnv is alice's session with a range of local replica ids reserved.
type iuEnv struct {
	t    *testing.T
	h    *harness
	c    *tconn
	mb   *store.Mailbox
	lh   uint32
	next uint64 // next reserved GLOBCNT
	end  uint64 // end of the reserved range
	cn   uint64 // the client's change counter
}

func newIUEnv(t *testing.T) *iuEnv {
	t.Helper()
	h := newHarness(t)
	c := h.connect(alice)
	lh := c.logon()
	mb, err := h.st.MailboxByEmail(alice)
	if err != nil {
		t.Fatal(err)
	}
	e := &iuEnv{t: t, h: h, c: c, mb: mb, lh: lh}
	out := c.exec([]rop.Request{&rop.GetLocalReplicaIdsRequest{RequestHeader: hdr(0x7F, 0), IdCount: 100}}, []uint32{lh})
	r := out.must(t, 0).(*rop.GetLocalReplicaIdsResponse)
	if r.ReplGuid != mb.ReplicaGUID {
		t.Fatalf("GetLocalReplicaIds: ReplGuid %v, want the mailbox replica %v", r.ReplGuid, mb.ReplicaGUID)
	}
	last, err := h.st.LastChangeNumber(mb)
	if err != nil {
		t.Fatal(err)
	}
	if uint64(r.GlobalCount)+99 != last {
		t.Fatalf("GetLocalReplicaIds: range starts at %d, the last GLOBCNT handed out is %d", r.GlobalCount, last)
	}
	e.next, e.end = uint64(r.GlobalCount), uint64(r.GlobalCount)+100
	return e
}

// gid returns a GID from the reserved range and its id.
func (e *iuEnv) gid() ([]byte, prop.ID) {
	if e.next >= e.end {
		e.t.Fatal("reserved ids used up")
	}
	gc := e.next
	e.next++
	return store.XID(e.mb.ReplicaGUID, gc), prop.MakeID(1, gc)
}

// ck returns the next change key of the client's replica.
func (e *iuEnv) ck() []byte {
	e.cn++
	return store.XID(iuClientGUID, e.cn)
}

func (e *iuEnv) special(role store.Role) prop.ID {
	e.t.Helper()
	f, err := e.h.st.SpecialFolder(e.mb, role)
	if err != nil {
		e.t.Fatal(err)
	}
	return f.ID
}

func (e *iuEnv) folderKey(fid prop.ID) []byte {
	e.t.Helper()
	p, err := e.h.st.FolderProps(e.mb, fid)
	if err != nil {
		e.t.Fatal(err)
	}
	v, _ := p.Get(store.TagSourceKey)
	return v.([]byte)
}

// collector opens folder fid and an upload context on it; it returns
// the folder's and the context's handles.
func (e *iuEnv) collector(fid prop.ID, contents bool) (uint32, uint32) {
	e.t.Helper()
	out := e.c.exec([]rop.Request{
		&rop.OpenFolderRequest{RequestHeader: hdr(0x02, 0), OutputHandleIndex: 1, FolderId: fid},
		&rop.SynchronizationOpenCollectorRequest{RequestHeader: hdr(0x7E, 1), OutputHandleIndex: 2, IsContentsCollector: contents},
	}, []uint32{e.lh, iuNone, iuNone})
	out.must(e.t, 0)
	out.must(e.t, 1)
	return out.handles[1], out.handles[2]
}

func iuHeader(sk []byte, mtime prop.Filetime, ck, pcl []byte) []prop.TaggedValue {
	return []prop.TaggedValue{
		{Tag: store.TagSourceKey, Value: sk},
		{Tag: store.TagLastModificationTime, Value: mtime},
		{Tag: store.TagChangeKey, Value: ck},
		{Tag: store.TagPredecessorChangeList, Value: pcl},
	}
}

// importMsg uploads one message version: ImportMessageChange, then
// SetProperties and SaveChangesMessage on the message it returns.
func (e *iuEnv) importMsg(coll uint32, flag uint8, sk, ck, pcl []byte, mtime prop.Filetime, props ...prop.TaggedValue) *execOut {
	e.t.Helper()
	return e.c.exec([]rop.Request{
		&rop.SynchronizationImportMessageChangeRequest{RequestHeader: hdr(0x72, 0), OutputHandleIndex: 1, ImportFlag: flag,
			PropertyValues: iuHeader(sk, mtime, ck, pcl)},
		&rop.SetPropertiesRequest{RequestHeader: hdr(0x0A, 1), PropertyValues: props},
		&rop.SaveChangesMessageRequest{RequestHeader: hdr(0x0C, 1), ResponseHandleIndex: 1, SaveFlags: 0x02},
	}, []uint32{coll, iuNone})
}

func (e *iuEnv) msg(fid, mid prop.ID) *store.Message {
	e.t.Helper()
	m, err := e.h.st.OpenMessage(e.mb, fid, mid)
	if err != nil {
		e.t.Fatalf("message %v in folder %v: %v", mid, fid, err)
	}
	return m
}

func iuBin(m *store.Message, tag prop.Tag) []byte {
	v, _ := m.Prop(tag)
	b, _ := v.([]byte)
	return b
}

func iuStr(src store.PropSource, tag prop.Tag) string {
	v, _ := src.Prop(tag)
	s, _ := v.(string)
	return s
}

func iuRV(t *testing.T, o *execOut, i int, want prop.ErrorCode) {
	t.Helper()
	r := o.resp(i)
	if r == nil {
		t.Fatalf("no response to ROP %d", i)
	}
	if got := r.Header().ReturnValue; got != want {
		t.Fatalf("ROP %d (%T): %v, want %v", i, r, got, want)
	}
}

// iuState returns the ICS state of the collector with handle hv in e's
// session (taken under the session's sequence lock).
func (e *iuEnv) iuState(hv uint32) uploadState {
	e.t.Helper()
	e.h.srv.mu.Lock()
	var ss *session
	for id, s := range e.h.srv.sessions {
		for _, v := range e.c.cookies {
			if v == id {
				ss = s
			}
		}
	}
	e.h.srv.mu.Unlock()
	if ss == nil || ss.em == nil {
		e.t.Fatal("session not found")
	}
	ss.mu.Lock()
	defer ss.mu.Unlock()
	c, ok := ss.em.handles[hv].(*collectorObj)
	if !ok {
		e.t.Fatalf("handle %d is not a collector", hv)
	}
	return c.icsUploadState()
}

func iuPCL(xids ...[]byte) []byte {
	var out []byte
	for _, x := range xids {
		out = append(out, store.PCLOf(x)...)
	}
	return out
}

// ---- RopSynchronizationImportMessageChange ----

func TestICSUploadMessageChange(t *testing.T) {
	e := newIUEnv(t)
	drafts := e.special(store.RoleDrafts)
	_, coll := e.collector(drafts, true)
	now := prop.FiletimeOf(time.Now())

	// A new message under a GID the client made from its reserved range.
	sk, mid := e.gid()
	ck1 := e.ck()
	out := e.importMsg(coll, 0, sk, ck1, store.PCLOf(ck1), now,
		prop.TaggedValue{Tag: store.TagSubject, Value: "offline draft"},
		prop.TaggedValue{Tag: store.TagMessageClass, Value: "IPM.Note"})
	if r := out.must(t, 0).(*rop.SynchronizationImportMessageChangeResponse); r.MessageId != 0 {
		t.Errorf("ImportMessageChange MessageId %v, want 0 ([MS-OXCROPS] 2.2.13.2.2)", r.MessageId)
	}
	out.must(t, 1)
	if r := out.must(t, 2).(*rop.SaveChangesMessageResponse); r.MessageId != mid {
		t.Errorf("SaveChangesMessage MessageId %v, want the GID's id %v", r.MessageId, mid)
	}
	m := e.msg(drafts, mid)
	if iuStr(m, store.TagSubject) != "offline draft" {
		t.Errorf("subject %q", iuStr(m, store.TagSubject))
	}
	if !bytes.Equal(iuBin(m, store.TagSourceKey), sk) || !bytes.Equal(iuBin(m, store.TagChangeKey), ck1) ||
		!bytes.Equal(iuBin(m, store.TagPredecessorChangeList), store.PCLOf(ck1)) {
		t.Errorf("identity not the upload's: sk %x ck %x pcl %x", iuBin(m, store.TagSourceKey), iuBin(m, store.TagChangeKey), iuBin(m, store.TagPredecessorChangeList))
	}
	cnv, _ := m.Prop(store.TagChangeNumber)
	cn1 := prop.ID(cnv.(int64)).GlobalCounter()
	if st := e.iuState(coll); !st.Seen.ContainsGUID(e.mb.ReplicaGUID, cn1) {
		t.Errorf("the collector's CnsetSeen %v lacks the import's CN %d", st.Seen, cn1)
	}

	// An update whose PCL includes the server's change key is accepted,
	// with a new CN.
	ck2 := e.ck()
	out = e.importMsg(coll, 0, sk, ck2, store.MergePCL(iuBin(m, store.TagPredecessorChangeList), store.PCLOf(ck2)), now+10,
		prop.TaggedValue{Tag: store.TagSubject, Value: "edited offline"})
	out.must(t, 0)
	out.must(t, 2)
	m = e.msg(drafts, mid)
	if iuStr(m, store.TagSubject) != "edited offline" || !bytes.Equal(iuBin(m, store.TagChangeKey), ck2) {
		t.Errorf("update: subject %q ck %x", iuStr(m, store.TagSubject), iuBin(m, store.TagChangeKey))
	}
	if _, ok := m.Prop(store.TagMessageClass); ok {
		t.Errorf("the update kept a property of the old version: the import's message must start empty")
	}
	cnv, _ = m.Prop(store.TagChangeNumber)
	if cn2 := prop.ID(cnv.(int64)).GlobalCounter(); cn2 <= cn1 {
		t.Errorf("update CN %d not after %d", cn2, cn1)
	}

	// A stale version (the server's PCL includes it) and the same version
	// again: IgnoreFailure, the message unchanged.
	for _, v := range []struct{ ck, pcl []byte }{{ck1, store.PCLOf(ck1)}, {ck2, iuPCL(ck1, ck2)}} {
		out = e.importMsg(coll, 0, sk, v.ck, v.pcl, now, prop.TaggedValue{Tag: store.TagSubject, Value: "stale"})
		iuRV(t, out, 0, ecSyncIgnore)
		iuRV(t, out, 2, ecNullObject)
	}
	if m = e.msg(drafts, mid); iuStr(m, store.TagSubject) != "edited offline" {
		t.Errorf("a stale upload changed the message: %q", iuStr(m, store.TagSubject))
	}

	// Bad requests.
	ck := e.ck()
	bad := []struct {
		name  string
		flag  uint8
		props []prop.TaggedValue
		want  prop.ErrorCode
	}{
		{"unknown ImportFlag bit", 0x01, iuHeader(sk, now, ck, store.PCLOf(ck)), ecInvalidParam},
		{"properties out of order", 0, []prop.TaggedValue{
			{Tag: store.TagLastModificationTime, Value: now}, {Tag: store.TagSourceKey, Value: sk},
			{Tag: store.TagChangeKey, Value: ck}, {Tag: store.TagPredecessorChangeList, Value: store.PCLOf(ck)}}, ecInvalidParam},
		{"no PCL", 0, iuHeader(sk, now, ck, nil)[:3], ecInvalidParam},
		{"PCL not a PredecessorChangeList", 0, iuHeader(sk, now, ck, []byte{0xFF, 1, 2}), ecInvalidParam},
		{"GID never reserved", 0, iuHeader(store.XID(e.mb.ReplicaGUID, e.end+1000), now, ck, store.PCLOf(ck)), ecInvalidParam},
		{"Associated flag on a normal message", 0x10, iuHeader(sk, now, ck, iuPCL(ck1, ck2, ck)), ecInvalidParam},
	}
	for _, b := range bad {
		out = e.c.exec([]rop.Request{&rop.SynchronizationImportMessageChangeRequest{RequestHeader: hdr(0x72, 0), OutputHandleIndex: 1,
			ImportFlag: b.flag, PropertyValues: b.props}}, []uint32{coll, iuNone})
		if rv := out.resp(0).Header().ReturnValue; rv != b.want {
			t.Errorf("%s: %v, want %v", b.name, rv, b.want)
		}
	}

	// The wrong objects.
	fh, hcoll := e.collector(drafts, false)
	out = e.c.exec([]rop.Request{
		&rop.SynchronizationImportMessageChangeRequest{RequestHeader: hdr(0x72, 0), OutputHandleIndex: 1, PropertyValues: iuHeader(sk, now, ck, store.PCLOf(ck))},
		&rop.SynchronizationImportMessageChangeRequest{RequestHeader: hdr(0x72, 2), OutputHandleIndex: 1, PropertyValues: iuHeader(sk, now, ck, store.PCLOf(ck))},
		&rop.SynchronizationImportMessageChangeRequest{RequestHeader: hdr(0x72, 3), OutputHandleIndex: 1, PropertyValues: iuHeader(sk, now, ck, store.PCLOf(ck))},
		&rop.SynchronizationOpenCollectorRequest{RequestHeader: hdr(0x7E, 0), OutputHandleIndex: 1, IsContentsCollector: true},
		&rop.SynchronizationOpenCollectorRequest{RequestHeader: hdr(0x7E, 3), OutputHandleIndex: 1, IsContentsCollector: true},
	}, []uint32{hcoll, iuNone, fh, iuNone})
	iuRV(t, out, 0, ecNotSupported) // a hierarchy collector
	iuRV(t, out, 1, ecNotSupported) // a folder
	iuRV(t, out, 2, ecNullObject)
	iuRV(t, out, 3, ecNotSupported) // a collector is no folder
	iuRV(t, out, 4, ecNullObject)
}

// ---- conflicts ----

func TestICSUploadConflict(t *testing.T) {
	e := newIUEnv(t)
	drafts := e.special(store.RoleDrafts)
	_, coll := e.collector(drafts, true)
	now := prop.FiletimeOf(time.Now())

	// serverEdit changes a message on the server, as another client would.
	serverEdit := func(fid, mid prop.ID, subject string) []byte {
		t.Helper()
		m := e.msg(fid, mid)
		if _, err := m.SetProps([]prop.TaggedValue{{Tag: store.TagSubject, Value: subject}}); err != nil {
			t.Fatal(err)
		}
		if err := m.SaveChanges(false); err != nil {
			t.Fatal(err)
		}
		return iuBin(e.msg(fid, mid), store.TagPredecessorChangeList)
	}
	// create uploads a first version and returns its GID, id and PCL.
	create := func(coll uint32, fid prop.ID, flag uint8, subject string) ([]byte, prop.ID, []byte) {
		t.Helper()
		sk, mid := e.gid()
		ck := e.ck()
		e.importMsg(coll, flag, sk, ck, store.PCLOf(ck), now, prop.TaggedValue{Tag: store.TagSubject, Value: subject}).must(t, 2)
		return sk, mid, store.PCLOf(ck)
	}

	// FailOnConflict: ecSyncConflict, nothing changes.
	sk, mid, pcl := create(coll, drafts, 0, "v1")
	spcl := serverEdit(drafts, mid, "server edit")
	if o, _ := store.ComparePCL(spcl, pcl); o != store.PCLNewer {
		t.Fatalf("a server edit does not make a newer PCL: %v", o)
	}
	ck := e.ck()
	out := e.importMsg(coll, 0x40, sk, ck, store.MergePCL(pcl, store.PCLOf(ck)), now, prop.TaggedValue{Tag: store.TagSubject, Value: "client edit"})
	iuRV(t, out, 0, ecSyncConflict)
	if m := e.msg(drafts, mid); iuStr(m, store.TagSubject) != "server edit" {
		t.Errorf("FailOnConflict changed the message: %q", iuStr(m, store.TagSubject))
	}

	// Without it: a conflict resolve message ([MS-OXCFXICS] 3.1.5.6.2.1),
	// the later version's content, both versions as attachments, the
	// merged PCL — and its CN left out of the state.
	later := prop.FiletimeOf(time.Now().Add(time.Hour))
	out = e.importMsg(coll, 0, sk, ck, store.MergePCL(pcl, store.PCLOf(ck)), later, prop.TaggedValue{Tag: store.TagSubject, Value: "client edit"})
	out.must(t, 0)
	out.must(t, 2)
	m := e.msg(drafts, mid)
	if status := uint32(m.AllProps().Int32(store.TagMessageStatus)); status&store.MsgStatusInConflict == 0 {
		t.Errorf("PidTagMessageStatus %#x lacks msInConflict", status)
	}
	if iuStr(m, store.TagSubject) != "client edit" {
		t.Errorf("the conflict resolve message shows %q, want the last writer's version", iuStr(m, store.TagSubject))
	}
	if !bytes.Equal(iuBin(m, store.TagChangeKey), ck) {
		t.Errorf("change key %x, want the winner's %x", iuBin(m, store.TagChangeKey), ck)
	}
	mp := iuBin(m, store.TagPredecessorChangeList)
	if o1, _ := store.ComparePCL(mp, spcl); o1 != store.PCLNewer {
		t.Errorf("the merged PCL does not include the server's version")
	}
	if o2, _ := store.ComparePCL(mp, store.PCLOf(ck)); o2 != store.PCLNewer {
		t.Errorf("the merged PCL does not include the upload")
	}
	var versions []string
	for i, p := range m.AttachmentTable() {
		if v, _ := p.Get(store.TagInConflict); v != true {
			t.Errorf("attachment %d lacks PidTagInConflict", i)
			continue
		}
		a, err := m.OpenAttachment(uint32(p.Int32(store.TagAttachNumber)))
		if err != nil {
			t.Fatal(err)
		}
		em, err := a.OpenEmbeddedMessage(false)
		if err != nil {
			t.Fatalf("conflict attachment %d: %v", i, err)
		}
		versions = append(versions, iuStr(em, store.TagSubject))
	}
	if len(versions) != 2 || versions[0] != "server edit" || versions[1] != "client edit" {
		t.Errorf("conflict versions %q, want [server edit client edit]", versions)
	}
	cnv, _ := m.Prop(store.TagChangeNumber)
	if st := e.iuState(coll); st.Seen.ContainsGUID(e.mb.ReplicaGUID, prop.ID(cnv.(int64)).GlobalCounter()) {
		t.Errorf("a conflict resolution's CN is in CnsetSeen: the client would never download it")
	}
	// The client, having downloaded the resolution, uploads its own: the
	// conflict is over.
	ck = e.ck()
	out = e.importMsg(coll, 0, sk, ck, store.MergePCL(mp, store.PCLOf(ck)), later+1, prop.TaggedValue{Tag: store.TagSubject, Value: "resolved"})
	out.must(t, 2)
	if m = e.msg(drafts, mid); iuStr(m, store.TagSubject) != "resolved" || len(m.AttachmentTable()) != 0 {
		t.Errorf("after resolution: %q with %d attachments", iuStr(m, store.TagSubject), len(m.AttachmentTable()))
	}

	// A folder with RESOLVE_METHOD_LAST_WRITER_WINS: the later version
	// wins outright, whichever side it is on.
	ipm := e.special(store.RoleIPMSubtree)
	lww, _, err := e.h.st.CreateFolder(e.mb, ipm, "LWW", store.FolderGeneric,
		[]prop.TaggedValue{{Tag: store.TagResolveMethod, Value: int32(store.ResolveLastWriterWins)}}, false)
	if err != nil {
		t.Fatal(err)
	}
	_, lcoll := e.collector(lww.ID, true)
	for _, c := range []struct {
		mtime prop.Filetime
		want  string
	}{{later, "client wins"}, {prop.FiletimeOf(time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC)), "server keeps"}} {
		sk, mid, pcl := create(lcoll, lww.ID, 0, "v1")
		spcl := serverEdit(lww.ID, mid, "server keeps")
		ck := e.ck()
		out := e.importMsg(lcoll, 0, sk, ck, store.MergePCL(pcl, store.PCLOf(ck)), c.mtime, prop.TaggedValue{Tag: store.TagSubject, Value: "client wins"})
		out.must(t, 2)
		m := e.msg(lww.ID, mid)
		if iuStr(m, store.TagSubject) != c.want || len(m.AttachmentTable()) != 0 {
			t.Errorf("last writer wins: %q with %d attachments, want %q", iuStr(m, store.TagSubject), len(m.AttachmentTable()), c.want)
		}
		mp := iuBin(m, store.TagPredecessorChangeList)
		o1, _ := store.ComparePCL(mp, spcl)
		o2, _ := store.ComparePCL(mp, store.PCLOf(ck))
		if o1 != store.PCLNewer || o2 != store.PCLNewer {
			t.Errorf("last writer wins: the PCL %x is not the merge", mp)
		}
	}

	// FAI messages always take last writer wins.
	sk, mid, pcl = create(coll, drafts, 0x10, "fai v1")
	serverEdit(drafts, mid, "fai server")
	ck = e.ck()
	out = e.importMsg(coll, 0x10, sk, ck, store.MergePCL(pcl, store.PCLOf(ck)), later, prop.TaggedValue{Tag: store.TagSubject, Value: "fai client"})
	out.must(t, 2)
	if m := e.msg(drafts, mid); iuStr(m, store.TagSubject) != "fai client" || !m.Associated || len(m.AttachmentTable()) != 0 {
		t.Errorf("FAI conflict: %q assoc %v with %d attachments", iuStr(m, store.TagSubject), m.Associated, len(m.AttachmentTable()))
	}
}

// ---- deletes, read state, moves ----

func TestICSUploadDeletesReadStateMove(t *testing.T) {
	e := newIUEnv(t)
	drafts, inbox := e.special(store.RoleDrafts), e.special(store.RoleInbox)
	_, coll := e.collector(drafts, true)
	now := prop.FiletimeOf(time.Now())
	var sks [][]byte
	var mids []prop.ID
	var pcls [][]byte
	for i := range 4 {
		sk, mid := e.gid()
		ck := e.ck()
		e.importMsg(coll, 0, sk, ck, store.PCLOf(ck), now, prop.TaggedValue{Tag: store.TagSubject, Value: "m" + string(rune('0'+i))},
			prop.TaggedValue{Tag: store.TagMessageFlags, Value: int32(0)}).must(t, 2)
		sks, mids, pcls = append(sks, sk), append(mids, mid), append(pcls, store.PCLOf(ck))
	}

	// ImportReadStateChanges: the message is read, with a read CN in the
	// collector's CnsetRead; an XID naming nothing is ignored.
	nothing, _ := e.gid()
	out := e.c.exec([]rop.Request{&rop.SynchronizationImportReadStateChangesRequest{RequestHeader: hdr(0x80, 0),
		MessageReadStates: []rop.MessageReadState{{MessageId: sks[0], MarkAsRead: true}, {MessageId: nothing, MarkAsRead: true}}}}, []uint32{coll})
	out.must(t, 0)
	if !e.msg(drafts, mids[0]).Read() {
		t.Error("ImportReadStateChanges did not mark the message read")
	}
	if st := e.iuState(coll); st.Read.Count() != 1 {
		t.Errorf("CnsetRead %v, want one read CN", st.Read)
	}
	out = e.c.exec([]rop.Request{&rop.SynchronizationImportReadStateChangesRequest{RequestHeader: hdr(0x80, 0),
		MessageReadStates: []rop.MessageReadState{{MessageId: []byte{1, 2, 3}, MarkAsRead: true}}}}, []uint32{coll})
	iuRV(t, out, 0, ecInvalidParam)

	// ImportDeletes: a soft delete leaves a tombstone; an id of the range
	// never used is recorded so that no import brings it back.
	unused, unusedID := e.gid()
	out = e.c.exec([]rop.Request{
		&rop.SynchronizationImportDeletesRequest{RequestHeader: hdr(0x74, 0), ImportDeleteFlags: 0,
			PropertyValues: []prop.TaggedValue{{Tag: iuGIDsTag, Value: [][]byte{sks[1], unused}}}},
		&rop.SynchronizationImportDeletesRequest{RequestHeader: hdr(0x74, 0), ImportDeleteFlags: 0x01,
			PropertyValues: []prop.TaggedValue{{Tag: iuGIDsTag, Value: [][]byte{sks[2]}}}},
		&rop.SynchronizationImportDeletesRequest{RequestHeader: hdr(0x74, 0), ImportDeleteFlags: 0x80,
			PropertyValues: []prop.TaggedValue{{Tag: iuGIDsTag, Value: [][]byte{sks[2]}}}},
	}, []uint32{coll})
	out.must(t, 0)
	iuRV(t, out, 1, ecInvalidParam) // the Hierarchy flag on a contents collector
	iuRV(t, out, 2, ecInvalidParam) // an unknown flag
	if _, err := e.h.st.OpenMessage(e.mb, drafts, mids[1]); err == nil {
		t.Error("the deleted message still opens")
	}
	if _, err := e.h.st.OpenMessage(e.mb, drafts, mids[2]); err != nil {
		t.Errorf("a failed ImportDeletes deleted: %v", err)
	}
	ts, err := e.h.st.Tombstones(e.mb, drafts, 0)
	if err != nil {
		t.Fatal(err)
	}
	found := map[prop.ID]bool{}
	for _, x := range ts {
		found[x.ID] = true
	}
	if !found[mids[1]] || !found[unusedID] {
		t.Errorf("tombstones %v lack the deleted %v or the unused %v", ts, mids[1], unusedID)
	}
	ck := e.ck()
	out = e.importMsg(coll, 0, unused, ck, store.PCLOf(ck), now)
	iuRV(t, out, 0, ecSyncObjectDeleted)
	out = e.importMsg(coll, 0, sks[1], ck, store.MergePCL(pcls[1], store.PCLOf(ck)), now)
	iuRV(t, out, 0, ecSyncObjectDeleted)

	// ImportMessageMove into the Inbox: the message moves under the
	// destination GID's id, the source keeps a tombstone. The client had
	// the server's version: the change key and PCL apply.
	_, icoll := e.collector(inbox, true)
	dsk, did := e.gid()
	mck := e.ck()
	out = e.c.exec([]rop.Request{&rop.SynchronizationImportMessageMoveRequest{RequestHeader: hdr(0x78, 0),
		SourceFolderId: e.folderKey(drafts), SourceMessageId: sks[2], PredecessorChangeList: pcls[2],
		DestinationMessageId: dsk, ChangeNumber: mck}}, []uint32{icoll})
	if r := out.must(t, 0).(*rop.SynchronizationImportMessageMoveResponse); r.MessageId != 0 {
		t.Errorf("ImportMessageMove MessageId %v, want 0", r.MessageId)
	}
	if _, err := e.h.st.OpenMessage(e.mb, drafts, mids[2]); err == nil {
		t.Error("the moved message is still in Drafts")
	}
	m := e.msg(inbox, did)
	if iuStr(m, store.TagSubject) != "m2" || !bytes.Equal(iuBin(m, store.TagChangeKey), mck) || !bytes.Equal(iuBin(m, store.TagSourceKey), dsk) {
		t.Errorf("moved message: %q ck %x sk %x", iuStr(m, store.TagSubject), iuBin(m, store.TagChangeKey), iuBin(m, store.TagSourceKey))
	}
	cnv, _ := m.Prop(store.TagChangeNumber)
	if st := e.iuState(icoll); !st.Seen.ContainsGUID(e.mb.ReplicaGUID, prop.ID(cnv.(int64)).GlobalCounter()) {
		t.Error("the move's CN is not in the destination collector's CnsetSeen")
	}
	// The client's version is newer than the server's: NewerClientChange,
	// the move done, the server's change key kept.
	dsk2, did2 := e.gid()
	newer := store.MergePCL(pcls[3], store.PCLOf(e.ck()))
	out = e.c.exec([]rop.Request{&rop.SynchronizationImportMessageMoveRequest{RequestHeader: hdr(0x78, 0),
		SourceFolderId: e.folderKey(drafts), SourceMessageId: sks[3], PredecessorChangeList: newer,
		DestinationMessageId: dsk2, ChangeNumber: e.ck()}}, []uint32{icoll})
	iuRV(t, out, 0, ecSyncNewerClientChange)
	if m := e.msg(inbox, did2); !bytes.Equal(iuBin(m, store.TagPredecessorChangeList), pcls[3]) {
		t.Errorf("NewerClientChange applied the PCL: %x", iuBin(m, store.TagPredecessorChangeList))
	}
	// A message that is gone, and a source folder that is not its own.
	out = e.c.exec([]rop.Request{
		&rop.SynchronizationImportMessageMoveRequest{RequestHeader: hdr(0x78, 0), SourceFolderId: e.folderKey(drafts),
			SourceMessageId: sks[1], PredecessorChangeList: pcls[1], DestinationMessageId: dsk2, ChangeNumber: e.ck()},
		&rop.SynchronizationImportMessageMoveRequest{RequestHeader: hdr(0x78, 0), SourceFolderId: e.folderKey(inbox),
			SourceMessageId: sks[0], PredecessorChangeList: pcls[0], DestinationMessageId: dsk2, ChangeNumber: e.ck()},
	}, []uint32{icoll})
	iuRV(t, out, 0, ecSyncObjectDeleted)
	iuRV(t, out, 1, ecNotFound)
}

// ---- RopSynchronizationImportHierarchyChange ----

func TestICSUploadHierarchy(t *testing.T) {
	e := newIUEnv(t)
	ipm, inbox := e.special(store.RoleIPMSubtree), e.special(store.RoleInbox)
	_, coll := e.collector(ipm, false)
	now := prop.FiletimeOf(time.Now())
	hier := func(psk, sk, ck, pcl []byte, name string, extra ...prop.TaggedValue) *execOut {
		return e.c.exec([]rop.Request{&rop.SynchronizationImportHierarchyChangeRequest{RequestHeader: hdr(0x73, 0),
			HierarchyValues: []prop.TaggedValue{
				{Tag: store.TagParentSourceKey, Value: psk}, {Tag: store.TagSourceKey, Value: sk},
				{Tag: store.TagLastModificationTime, Value: now}, {Tag: store.TagChangeKey, Value: ck},
				{Tag: store.TagPredecessorChangeList, Value: pcl}, {Tag: store.TagDisplayName, Value: name}},
			PropertyValues: extra}}, []uint32{coll})
	}

	// A new folder under the collector's folder (empty parent key).
	sk, fid := e.gid()
	ck1 := e.ck()
	out := hier(nil, sk, ck1, store.PCLOf(ck1), "Projects", prop.TaggedValue{Tag: store.TagContainerClass, Value: "IPF.Note"})
	if r := out.must(t, 0).(*rop.SynchronizationImportHierarchyChangeResponse); r.FolderId != 0 {
		t.Errorf("FolderId %v, want 0", r.FolderId)
	}
	f, err := e.h.st.Folder(e.mb, fid)
	if err != nil {
		t.Fatalf("the imported folder: %v", err)
	}
	if f.Name != "Projects" || f.Parent != ipm {
		t.Errorf("folder %q under %v", f.Name, f.Parent)
	}
	p, _ := e.h.st.FolderProps(e.mb, fid)
	if iuStr(p, store.TagContainerClass) != "IPF.Note" || !bytes.Equal(p[store.TagChangeKey.ID()].Value.([]byte), ck1) {
		t.Errorf("folder props: class %q ck %x", iuStr(p, store.TagContainerClass), p[store.TagChangeKey.ID()].Value)
	}
	if !e.iuState(coll).Seen.ContainsGUID(e.mb.ReplicaGUID, f.ChangeNumber) {
		t.Error("the folder's CN is not in CnsetSeen")
	}

	// A subfolder, then a rename and a move to the Inbox.
	ssk, sfid := e.gid()
	sck := e.ck()
	hier(sk, ssk, sck, store.PCLOf(sck), "2024").must(t, 0)
	if f, err := e.h.st.Folder(e.mb, sfid); err != nil || f.Parent != fid {
		t.Fatalf("subfolder: %v %+v", err, f)
	}
	ck2 := e.ck()
	hier(nil, sk, ck2, iuPCL(ck1, ck2), "Projects 2").must(t, 0)
	ck3 := e.ck()
	hier(e.folderKey(inbox), sk, ck3, iuPCL(ck1, ck2, ck3), "Projects 2").must(t, 0)
	if f, _ := e.h.st.Folder(e.mb, fid); f.Name != "Projects 2" || f.Parent != inbox {
		t.Errorf("after rename and move: %q under %v", f.Name, f.Parent)
	}

	// Stale: IgnoreFailure. No parent: NoParentFolder. Duplicate name.
	out = hier(nil, sk, ck1, store.PCLOf(ck1), "Old name")
	iuRV(t, out, 0, ecSyncIgnore)
	nsk, _ := e.gid()
	out = hier(nsk, ssk, e.ck(), iuPCL(sck, ck3), "x")
	iuRV(t, out, 0, ecSyncNoParent)
	dsk, _ := e.gid()
	dck := e.ck()
	out = hier(e.folderKey(inbox), dsk, dck, store.PCLOf(dck), "Projects 2")
	iuRV(t, out, 0, store.ErrDuplicateName)
	out = e.c.exec([]rop.Request{&rop.SynchronizationImportHierarchyChangeRequest{RequestHeader: hdr(0x73, 0),
		HierarchyValues: []prop.TaggedValue{{Tag: store.TagSourceKey, Value: dsk}}}}, []uint32{coll})
	iuRV(t, out, 0, ecInvalidParam)

	// A conflict (a server-side rename meanwhile): last writer wins,
	// Success, the CN left out of the state.
	if _, err := e.h.st.SetFolderProps(e.mb, sfid, []prop.TaggedValue{{Tag: store.TagDisplayName, Value: "server name"}}); err != nil {
		t.Fatal(err)
	}
	cck := e.ck()
	later := prop.FiletimeOf(time.Now().Add(time.Hour))
	out = e.c.exec([]rop.Request{&rop.SynchronizationImportHierarchyChangeRequest{RequestHeader: hdr(0x73, 0),
		HierarchyValues: []prop.TaggedValue{
			{Tag: store.TagParentSourceKey, Value: sk}, {Tag: store.TagSourceKey, Value: ssk},
			{Tag: store.TagLastModificationTime, Value: later}, {Tag: store.TagChangeKey, Value: cck},
			{Tag: store.TagPredecessorChangeList, Value: iuPCL(sck, cck)}, {Tag: store.TagDisplayName, Value: "client name"}}}}, []uint32{coll})
	out.must(t, 0)
	sf, _ := e.h.st.Folder(e.mb, sfid)
	if sf.Name != "client name" {
		t.Errorf("hierarchy conflict: %q, want the later client name", sf.Name)
	}
	if e.iuState(coll).Seen.ContainsGUID(e.mb.ReplicaGUID, sf.ChangeNumber) {
		t.Error("a resolved conflict's CN is in CnsetSeen")
	}

	// Hierarchy deletes; a special folder cannot go.
	out = e.c.exec([]rop.Request{
		&rop.SynchronizationImportDeletesRequest{RequestHeader: hdr(0x74, 0), ImportDeleteFlags: 0x01 | 0x02,
			PropertyValues: []prop.TaggedValue{{Tag: iuGIDsTag, Value: [][]byte{ssk}}}},
		&rop.SynchronizationImportDeletesRequest{RequestHeader: hdr(0x74, 0), ImportDeleteFlags: 0x01,
			PropertyValues: []prop.TaggedValue{{Tag: iuGIDsTag, Value: [][]byte{e.folderKey(inbox)}}}},
		&rop.SynchronizationImportDeletesRequest{RequestHeader: hdr(0x74, 0), ImportDeleteFlags: 0,
			PropertyValues: []prop.TaggedValue{{Tag: iuGIDsTag, Value: [][]byte{ssk}}}},
	}, []uint32{coll})
	out.must(t, 0)
	iuRV(t, out, 1, ecAccessDenied)
	iuRV(t, out, 2, ecInvalidParam) // a message delete on a hierarchy collector
	if _, err := e.h.st.Folder(e.mb, sfid); err == nil {
		t.Error("the deleted folder is still there")
	}
}

// ---- FastTransfer destination ----

// iuMessageStream is a messageContent with properties (a named one
// among them), a recipient, an attachment of data and an embedded
// message.
func iuMessageStream(t *testing.T, data []byte) []byte {
	t.Helper()
	named := prop.PropertyName{Kind: prop.KindName, Guid: prop.GUID{0x29, 0x03, 0x02, 0x00, 0, 0, 0, 0, 0xC0, 0, 0, 0, 0, 0, 0, 0x46}, Name: "X-Test"}
	w := fxics.NewWriter(nil)
	w.Prop(store.TagSubject, "sent by FastTransfer")
	w.Prop(store.TagMessageClass, "IPM.Note")
	w.Prop(store.TagBody, "the body")
	w.NamedProp(prop.NewTag(0x8000, prop.PtypString), named, "named value")
	w.Prop(store.TagSourceKey, store.XID(prop.GUID{9}, 77)) // the source's, not the destination's
	w.Marker(fxics.StartRecip)
	w.Prop(store.TagRowid, int32(0))
	w.Prop(store.TagRecipientType, int32(store.RecipCc))
	w.Prop(store.TagDisplayName, "Carol")
	w.Prop(store.TagEmailAddress, "carol@example.test")
	w.Prop(store.TagAddressType, "SMTP")
	w.Marker(fxics.EndToRecip)
	w.Marker(fxics.NewAttach)
	w.Prop(fxics.PidTagAttachNumber, int32(0))
	w.Prop(store.TagAttachMethod, int32(store.AttachByValue))
	w.Prop(store.TagAttachLongFilename, "data.bin")
	w.Prop(store.TagAttachDataBinary, data)
	w.Marker(fxics.EndAttach)
	w.Marker(fxics.NewAttach)
	w.Prop(fxics.PidTagAttachNumber, int32(1))
	w.Prop(store.TagAttachMethod, int32(store.AttachEmbeddedMessage))
	w.Marker(fxics.StartEmbed)
	w.Prop(store.TagSubject, "embedded")
	w.Prop(store.TagMessageClass, "IPM.Note")
	w.Marker(fxics.EndEmbed)
	w.Marker(fxics.EndAttach)
	if err := w.Err(); err != nil {
		t.Fatal(err)
	}
	return w.Bytes()
}

func TestICSUploadFastTransferDestination(t *testing.T) {
	e := newIUEnv(t)
	drafts := e.special(store.RoleDrafts)
	_, coll := e.collector(drafts, true)
	now := prop.FiletimeOf(time.Now())

	// ImportMessageChange, then the content as a FastTransfer stream cut
	// at arbitrary bytes (inside atoms) over three PutBuffers and a
	// PutBufferExtended, each in its own Execute, then SaveChangesMessage.
	data := bytes.Repeat([]byte("0123456789abcdef"), 1200) // 19200 bytes
	stream := iuMessageStream(t, data)
	cuts := []int{0, 37, 5001, 14333, len(stream)}
	sk, mid := e.gid()
	ck := e.ck()
	out := e.c.exec([]rop.Request{
		&rop.SynchronizationImportMessageChangeRequest{RequestHeader: hdr(0x72, 0), OutputHandleIndex: 1, PropertyValues: iuHeader(sk, now, ck, store.PCLOf(ck))},
		&rop.FastTransferDestinationConfigureRequest{RequestHeader: hdr(0x53, 1), OutputHandleIndex: 2, SourceOperation: fxOpCopyTo},
	}, []uint32{coll, iuNone, iuNone})
	out.must(t, 0)
	out.must(t, 1)
	msgH, fxH := out.handles[1], out.handles[2]
	var elements []*fxics.Element
	for i := 0; i+1 < len(cuts); i++ {
		piece := stream[cuts[i]:cuts[i+1]]
		var req rop.Request = &rop.FastTransferDestinationPutBufferRequest{RequestHeader: hdr(0x54, 0), TransferData: piece}
		if i == len(cuts)-2 {
			req = &rop.FastTransferDestinationPutBufferExtendedRequest{RequestHeader: hdr(0x9D, 0), TransferData: piece}
		}
		out = e.c.exec([]rop.Request{req}, []uint32{fxH})
		switch r := out.must(t, 0).(type) {
		case *rop.FastTransferDestinationPutBufferResponse:
			if int(r.BufferUsedSize) != len(piece) || r.TransferStatus != fxStatusPartial {
				t.Errorf("PutBuffer %d: used %d of %d, status %d", i, r.BufferUsedSize, len(piece), r.TransferStatus)
			}
		case *rop.FastTransferDestinationPutBufferExtendedResponse:
			if int(r.BufferUsedSize) != len(piece) {
				t.Errorf("PutBufferExtended: used %d of %d", r.BufferUsedSize, len(piece))
			}
		}
		for _, p := range out.pairs {
			if p.Stream != nil {
				elements = append(elements, p.Stream.Elements...)
			}
		}
	}
	if len(elements) == 0 {
		t.Error("the decoder saw no element of the uploaded stream")
	}
	out = e.c.exec([]rop.Request{&rop.SaveChangesMessageRequest{RequestHeader: hdr(0x0C, 0), ResponseHandleIndex: 0, SaveFlags: 0x02}}, []uint32{msgH})
	out.must(t, 0)

	m := e.msg(drafts, mid)
	if iuStr(m, store.TagSubject) != "sent by FastTransfer" || iuStr(m, store.TagBody) != "the body" {
		t.Errorf("properties: %q / %q", iuStr(m, store.TagSubject), iuStr(m, store.TagBody))
	}
	if !bytes.Equal(iuBin(m, store.TagSourceKey), sk) || !bytes.Equal(iuBin(m, store.TagChangeKey), ck) {
		t.Error("the stream's PidTagSourceKey replaced the import's identity")
	}
	nid, err := e.h.st.NamedPropertyID(e.mb, prop.PropertyName{Kind: prop.KindName, Guid: prop.GUID{0x29, 0x03, 0x02, 0x00, 0, 0, 0, 0, 0xC0, 0, 0, 0, 0, 0, 0, 0x46}, Name: "X-Test"}, false)
	if err != nil {
		t.Fatalf("the stream's named property was not mapped: %v", err)
	}
	if iuStr(m, prop.NewTag(nid, prop.PtypString)) != "named value" {
		t.Errorf("named property: %q", iuStr(m, prop.NewTag(nid, prop.PtypString)))
	}
	rs := m.Recipients()
	if len(rs) != 1 || rs[0].Type != store.RecipCc || rs[0].Props.String(store.TagDisplayName) != "Carol" ||
		rs[0].Props.String(store.TagEmailAddress) != "carol@example.test" {
		t.Errorf("recipients: %+v", rs)
	}
	at := m.AttachmentTable()
	if len(at) != 2 {
		t.Fatalf("%d attachments, want 2", len(at))
	}
	a0, _ := m.OpenAttachment(uint32(at[0].Int32(store.TagAttachNumber)))
	v, _ := a0.Prop(store.TagAttachDataBinary)
	if got, _ := v.([]byte); !bytes.Equal(got, data) || iuStr(a0, store.TagAttachLongFilename) != "data.bin" {
		t.Errorf("attachment 0: %q, %d data bytes", iuStr(a0, store.TagAttachLongFilename), len(got))
	}
	a1, _ := m.OpenAttachment(uint32(at[1].Int32(store.TagAttachNumber)))
	em, err := a1.OpenEmbeddedMessage(false)
	if err != nil || iuStr(em, store.TagSubject) != "embedded" {
		t.Errorf("embedded message: %v %q", err, iuStr(em, store.TagSubject))
	}

	// CopyMessages into a folder: a messageList of a normal and an FAI
	// message, created in the folder.
	fh, _ := e.collector(drafts, true)
	before, _ := e.h.st.Contents(e.mb, drafts, false)
	w := fxics.NewWriter(nil)
	w.Marker(fxics.StartMessage)
	w.Prop(store.TagSubject, "copied 1")
	w.Marker(fxics.EndMessage)
	w.Marker(fxics.StartFAIMsg)
	w.Prop(store.TagSubject, "copied FAI")
	w.Prop(store.TagMessageClass, "IPM.Configuration.Test")
	w.Marker(fxics.EndMessage)
	out = e.c.exec([]rop.Request{
		&rop.FastTransferDestinationConfigureRequest{RequestHeader: hdr(0x53, 0), OutputHandleIndex: 1, SourceOperation: fxOpCopyMessages},
		&rop.FastTransferDestinationPutBufferRequest{RequestHeader: hdr(0x54, 1), TransferData: w.Bytes()},
	}, []uint32{fh, iuNone})
	out.must(t, 0)
	out.must(t, 1)
	after, _ := e.h.st.Contents(e.mb, drafts, false)
	fai, _ := e.h.st.Contents(e.mb, drafts, true)
	if len(after) != len(before)+1 || iuStr(after[len(after)-1], store.TagSubject) != "copied 1" {
		t.Errorf("CopyMessages: %d messages (was %d)", len(after), len(before))
	}
	gotFAI := false
	for _, r := range fai {
		gotFAI = gotFAI || iuStr(r, store.TagSubject) == "copied FAI"
	}
	if !gotFAI {
		t.Error("CopyMessages: no FAI message")
	}

	// CopyFolder: a topFolder with a message and a subfolder, created
	// under the input folder; then CopyTo on a folder sets its properties.
	ipm := e.special(store.RoleIPMSubtree)
	ih, _ := e.collector(ipm, false)
	w = fxics.NewWriter(nil)
	w.Marker(fxics.StartTopFld)
	w.Prop(store.TagDisplayName, "Imported")
	w.Prop(store.TagContainerClass, "IPF.Note")
	w.Marker(fxics.StartMessage)
	w.Prop(store.TagSubject, "in imported")
	w.Marker(fxics.EndMessage)
	w.Prop(fxics.MetaTagFXDelProp, int32(fxics.PidTagContainerHierarchy))
	w.Marker(fxics.StartSubFld)
	w.Prop(store.TagDisplayName, "Child")
	w.Marker(fxics.EndFolder)
	w.Marker(fxics.EndFolder)
	topStream := w.Bytes()
	w = fxics.NewWriter(nil)
	w.Prop(store.TagComment, "set by CopyTo")
	out = e.c.exec([]rop.Request{
		&rop.FastTransferDestinationConfigureRequest{RequestHeader: hdr(0x53, 0), OutputHandleIndex: 1, SourceOperation: fxOpCopyFolder},
		&rop.FastTransferDestinationPutBufferRequest{RequestHeader: hdr(0x54, 1), TransferData: topStream[:20]},
		&rop.FastTransferDestinationPutBufferRequest{RequestHeader: hdr(0x54, 1), TransferData: topStream[20:]},
		&rop.FastTransferDestinationConfigureRequest{RequestHeader: hdr(0x53, 0), OutputHandleIndex: 2, SourceOperation: fxOpCopyTo},
		&rop.FastTransferDestinationPutBufferExtendedRequest{RequestHeader: hdr(0x9D, 2), TransferData: w.Bytes()},
	}, []uint32{ih, iuNone, iuNone})
	for i := range 5 {
		out.must(t, i)
	}
	if r := out.resp(2).(*rop.FastTransferDestinationPutBufferResponse); r.TransferStatus != fxStatusDone {
		t.Errorf("the end of a topFolder: TransferStatus %d, want Done", r.TransferStatus)
	}
	nf, err := e.h.st.FolderByName(e.mb, ipm, "Imported")
	if err != nil {
		t.Fatalf("CopyFolder: %v", err)
	}
	if msgs, _ := e.h.st.Contents(e.mb, nf.ID, false); len(msgs) != 1 || iuStr(msgs[0], store.TagSubject) != "in imported" {
		t.Errorf("CopyFolder: messages %d", len(msgs))
	}
	if _, err := e.h.st.FolderByName(e.mb, nf.ID, "Child"); err != nil {
		t.Errorf("CopyFolder: subfolder: %v", err)
	}
	if p, _ := e.h.st.FolderProps(e.mb, ipm); iuStr(p, store.TagComment) != "set by CopyTo" {
		t.Errorf("CopyTo on a folder: comment %q", iuStr(p, store.TagComment))
	}

	// Failures: a bad operation or flag, a PutBuffer on no context or the
	// wrong object, a stream that is not one, a read-only message.
	out = e.c.exec([]rop.Request{
		&rop.FastTransferDestinationConfigureRequest{RequestHeader: hdr(0x53, 0), OutputHandleIndex: 1, SourceOperation: 0x09},
		&rop.FastTransferDestinationConfigureRequest{RequestHeader: hdr(0x53, 0), OutputHandleIndex: 1, SourceOperation: fxOpCopyTo, CopyFlags: 0x02},
		&rop.FastTransferDestinationConfigureRequest{RequestHeader: hdr(0x53, 2), OutputHandleIndex: 1, SourceOperation: fxOpCopyTo},
		&rop.FastTransferDestinationPutBufferRequest{RequestHeader: hdr(0x54, 0), TransferData: []byte{1}},
		&rop.FastTransferDestinationPutBufferRequest{RequestHeader: hdr(0x54, 2), TransferData: []byte{1}},
	}, []uint32{ih, iuNone, iuNone})
	iuRV(t, out, 0, ecInvalidParam)
	iuRV(t, out, 1, ecInvalidParam)
	iuRV(t, out, 2, ecNullObject)
	iuRV(t, out, 3, ecNotSupported)
	iuRV(t, out, 4, ecNullObject)
	// A messageList stream that starts with a recipient: the decoder sees
	// the anomaly too, so the exchange is checked by hand.
	w = fxics.NewWriter(nil)
	w.Marker(fxics.StartRecip)
	w.Marker(fxics.EndToRecip)
	o2, code := e.c.execRaw([]rop.Request{
		&rop.FastTransferDestinationConfigureRequest{RequestHeader: hdr(0x53, 0), OutputHandleIndex: 1, SourceOperation: fxOpCopyMessages},
		&rop.FastTransferDestinationPutBufferRequest{RequestHeader: hdr(0x54, 1), TransferData: w.Bytes()},
		&rop.FastTransferDestinationPutBufferRequest{RequestHeader: hdr(0x54, 1), TransferData: w.Bytes()},
	}, []uint32{fh, iuNone})
	if code != 0 {
		t.Fatalf("X-ResponseCode %d", code)
	}
	iuRV(t, o2, 1, ecInvalidParam)
	iuRV(t, o2, 2, ecInvalidParam) // the context stays failed
	if len(o2.res.Anomalies) == 0 {
		t.Error("the decoder found nothing wrong with the bad stream")
	}
}

// ---- access ----

func TestICSUploadAccess(t *testing.T) {
	e := newIUEnv(t)
	drafts := e.special(store.RoleDrafts)
	// Bob sees alice's Drafts (FolderVisible) and may log on, nothing more.
	if err := e.h.st.ModifyPermissions(e.mb, drafts, false, []store.PermOp{{Op: store.RowAdd, Perm: store.Permission{User: bob, Rights: store.RightFolderVisible}}}); err != nil {
		t.Fatal(err)
	}
	inbox := e.special(store.RoleInbox)
	if err := e.h.st.ModifyPermissions(e.mb, inbox, false, []store.PermOp{{Op: store.RowAdd, Perm: store.Permission{User: bob, Rights: store.RightFolderVisible}}}); err != nil {
		t.Fatal(err)
	}
	cb := e.h.connect(bob)
	alh := cb.logonTo(e.mb.LegacyDN, 0)
	now := prop.FiletimeOf(time.Now())
	sk, mid := e.gid()
	ck := e.ck()
	out := cb.exec([]rop.Request{
		&rop.OpenFolderRequest{RequestHeader: hdr(0x02, 0), OutputHandleIndex: 1, FolderId: drafts},
		&rop.SynchronizationOpenCollectorRequest{RequestHeader: hdr(0x7E, 1), OutputHandleIndex: 2, IsContentsCollector: true},
		&rop.SynchronizationImportMessageChangeRequest{RequestHeader: hdr(0x72, 2), OutputHandleIndex: 3, PropertyValues: iuHeader(sk, now, ck, store.PCLOf(ck))},
		&rop.SynchronizationImportReadStateChangesRequest{RequestHeader: hdr(0x80, 2), MessageReadStates: []rop.MessageReadState{{MessageId: sk, MarkAsRead: true}}},
		&rop.GetLocalReplicaIdsRequest{RequestHeader: hdr(0x7F, 0), IdCount: 5},
		&rop.FastTransferDestinationConfigureRequest{RequestHeader: hdr(0x53, 1), OutputHandleIndex: 3, SourceOperation: fxOpCopyMessages},
		&rop.SynchronizationOpenCollectorRequest{RequestHeader: hdr(0x7E, 1), OutputHandleIndex: 4, IsContentsCollector: false},
	}, []uint32{alh, iuNone, iuNone, iuNone, iuNone})
	out.must(t, 0)
	out.must(t, 1)
	iuRV(t, out, 2, ecAccessDenied)
	iuRV(t, out, 3, ecAccessDenied)
	out.must(t, 4) // reserving ids is harmless: a delegate's cached mode needs it
	iuRV(t, out, 5, ecAccessDenied)
	out.must(t, 6)
	hcoll := out.handles[4]
	hsk, _ := e.gid()
	out = cb.exec([]rop.Request{&rop.SynchronizationImportHierarchyChangeRequest{RequestHeader: hdr(0x73, 0),
		HierarchyValues: []prop.TaggedValue{
			{Tag: store.TagParentSourceKey, Value: []byte{}}, {Tag: store.TagSourceKey, Value: hsk},
			{Tag: store.TagLastModificationTime, Value: now}, {Tag: store.TagChangeKey, Value: ck},
			{Tag: store.TagPredecessorChangeList, Value: store.PCLOf(ck)}, {Tag: store.TagDisplayName, Value: "bob's"}}}}, []uint32{hcoll})
	iuRV(t, out, 0, ecAccessDenied)
	if _, err := e.h.st.OpenMessage(e.mb, drafts, mid); err == nil {
		t.Error("bob created a message in alice's Drafts")
	}

	// With RightCreate he may import a new message; his own logon cannot
	// reach alice's objects at all.
	if err := e.h.st.ModifyPermissions(e.mb, drafts, false, []store.PermOp{{Op: store.RowAdd, Perm: store.Permission{User: bob, Rights: store.RightFolderVisible | store.RightCreate}}}); err != nil {
		t.Fatal(err)
	}
	out = cb.exec([]rop.Request{
		&rop.OpenFolderRequest{RequestHeader: hdr(0x02, 0), OutputHandleIndex: 1, FolderId: drafts},
		&rop.SynchronizationOpenCollectorRequest{RequestHeader: hdr(0x7E, 1), OutputHandleIndex: 2, IsContentsCollector: true},
		&rop.SynchronizationImportMessageChangeRequest{RequestHeader: hdr(0x72, 2), OutputHandleIndex: 3, PropertyValues: iuHeader(sk, now, ck, store.PCLOf(ck))},
		&rop.SaveChangesMessageRequest{RequestHeader: hdr(0x0C, 3), ResponseHandleIndex: 3},
	}, []uint32{alh, iuNone, iuNone, iuNone})
	for i := range 4 {
		out.must(t, i)
	}
	if _, err := e.h.st.OpenMessage(e.mb, drafts, mid); err != nil {
		t.Errorf("bob's permitted import: %v", err)
	}
}

// ---- PCL algebra ----

func TestICSUploadPCLOrder(t *testing.T) {
	a := prop.GUID{1}
	b := prop.GUID{2}
	x := func(g prop.GUID, n uint64) []byte { return store.XID(g, n) }
	cases := []struct {
		a, b []byte
		want store.PCLOrder
	}{
		{iuPCL(x(a, 1)), iuPCL(x(a, 1)), store.PCLEqual},
		{iuPCL(x(a, 2)), iuPCL(x(a, 1)), store.PCLNewer},
		{iuPCL(x(a, 1)), iuPCL(x(a, 2)), store.PCLOlder},
		{iuPCL(x(a, 2), x(b, 1)), iuPCL(x(a, 1)), store.PCLNewer},
		{iuPCL(x(a, 2)), iuPCL(x(a, 1), x(b, 1)), store.PCLConflict},
		{iuPCL(x(a, 1), x(b, 5)), iuPCL(x(b, 5), x(a, 1)), store.PCLEqual},
		{iuPCL(x(a, 0x10000)), iuPCL(x(a, 0xFFFF)), store.PCLNewer},
	}
	for i, c := range cases {
		got, err := store.ComparePCL(c.a, c.b)
		if err != nil || got != c.want {
			t.Errorf("case %d: %v %v, want %v", i, got, err, c.want)
		}
	}
	if _, err := store.ComparePCL([]byte{3, 1, 2, 3}, nil); err == nil {
		t.Error("a malformed PCL compared without error")
	}
	m := store.MergePCL(iuPCL(x(a, 1), x(b, 7)), iuPCL(x(a, 3)), []byte{0xFF})
	if o, _ := store.ComparePCL(m, iuPCL(x(a, 3), x(b, 7))); o != store.PCLEqual {
		t.Errorf("merge: %x", m)
	}
}

// ---- the collector's ICS state; local replica ids ----

func TestICSUploadTransferState(t *testing.T) {
	e := newIUEnv(t)
	drafts := e.special(store.RoleDrafts)
	fh, coll := e.collector(drafts, true)
	now := prop.FiletimeOf(time.Now())

	// The client uploads its CnsetSeen, imports a message, and reads the
	// checkpoint state: the upload and the import's CN, no IdsetGiven.
	seen := fxics.IDSet{}.AddRangeGUID(e.mb.ReplicaGUID, 1, 5)
	data := seen.Encode(true)
	out := e.c.exec([]rop.Request{
		&rop.SynchronizationUploadStateStreamBeginRequest{RequestHeader: hdr(0x75, 0), StateProperty: fxics.MetaTagCnsetSeen, TransferBufferSize: uint32(len(data))},
		&rop.SynchronizationUploadStateStreamContinueRequest{RequestHeader: hdr(0x76, 0), StreamData: data},
		&rop.SynchronizationUploadStateStreamEndRequest{RequestHeader: hdr(0x77, 0)},
	}, []uint32{coll})
	for i := range 3 {
		out.must(t, i)
	}
	sk, mid := e.gid()
	ck := e.ck()
	e.importMsg(coll, 0, sk, ck, store.PCLOf(ck), now, prop.TaggedValue{Tag: store.TagSubject, Value: "x"}).must(t, 2)
	cnv, _ := e.msg(drafts, mid).Prop(store.TagChangeNumber)
	cn := prop.ID(cnv.(int64)).GlobalCounter()
	out = e.c.exec([]rop.Request{
		&rop.SynchronizationGetTransferStateRequest{RequestHeader: hdr(0x82, 0), OutputHandleIndex: 1},
		&rop.FastTransferSourceGetBufferRequest{RequestHeader: hdr(0x4E, 1), BufferSize: rop.FastTransferBufferSizeAuto, MaximumBufferSize: 0x7BC0},
	}, []uint32{coll, iuNone})
	out.must(t, 0)
	gb := out.must(t, 1).(*rop.FastTransferSourceGetBufferResponse)
	el, _, an := fxics.DecodeStream(gb.TransferBuffer, fxics.RootState, false)
	if len(an) > 0 {
		t.Fatalf("state stream: %v", an)
	}
	st, err := fxics.StateOf(el)
	if err != nil {
		t.Fatal(err)
	}
	if st.IdsetGiven != nil {
		t.Errorf("an upload context returned IdsetGiven %v", *st.IdsetGiven)
	}
	if st.CnsetSeen == nil || !st.CnsetSeen.ContainsGUID(e.mb.ReplicaGUID, 3) || !st.CnsetSeen.ContainsGUID(e.mb.ReplicaGUID, cn) {
		t.Errorf("CnsetSeen %v lacks the uploaded 1-5 or the import's %d", st.CnsetSeen, cn)
	}
	if st.CnsetSeenFAI == nil || st.CnsetRead == nil {
		t.Error("a contents collector's state lacks CnsetSeenFAI or CnsetRead")
	}

	// A hierarchy collector takes no CnsetRead.
	_, hcoll := e.collector(drafts, false)
	out = e.c.exec([]rop.Request{
		&rop.SynchronizationUploadStateStreamBeginRequest{RequestHeader: hdr(0x75, 0), StateProperty: fxics.MetaTagCnsetRead},
	}, []uint32{hcoll})
	iuRV(t, out, 0, ecInvalidParam)

	// RopSetLocalReplicaMidsetDeleted: on a folder, with well-formed ranges.
	rng := func(lo, hi uint64) rop.LongTermIdRange {
		return rop.LongTermIdRange{MinLongTermId: prop.LongTermID{DatabaseGuid: e.mb.ReplicaGUID, GlobalCounter: prop.GlobCnt(lo)},
			MaxLongTermId: prop.LongTermID{DatabaseGuid: e.mb.ReplicaGUID, GlobalCounter: prop.GlobCnt(hi)}}
	}
	out = e.c.exec([]rop.Request{
		&rop.SetLocalReplicaMidsetDeletedRequest{RequestHeader: hdr(0x93, 1), LongTermIdRanges: []rop.LongTermIdRange{rng(e.next, e.end-1)}},
		&rop.SetLocalReplicaMidsetDeletedRequest{RequestHeader: hdr(0x93, 1), LongTermIdRanges: []rop.LongTermIdRange{rng(9, 3)}},
		&rop.SetLocalReplicaMidsetDeletedRequest{RequestHeader: hdr(0x93, 0), LongTermIdRanges: []rop.LongTermIdRange{rng(1, 3)}},
		&rop.GetLocalReplicaIdsRequest{RequestHeader: hdr(0x7F, 0), IdCount: 0},
		&rop.GetLocalReplicaIdsRequest{RequestHeader: hdr(0x7F, 1), IdCount: 3},
	}, []uint32{e.lh, fh})
	out.must(t, 0)
	iuRV(t, out, 1, ecInvalidParam)
	iuRV(t, out, 2, ecNotSupported)
	iuRV(t, out, 3, ecInvalidParam)
	iuRV(t, out, 4, ecNotSupported)
}

// FuzzICSUploadPCL checks that PCL comparison and merging take any bytes
// without panicking and agree with each other.
func FuzzICSUploadPCL(f *testing.F) {
	f.Add(iuPCL(store.XID(prop.GUID{1}, 1)), iuPCL(store.XID(prop.GUID{1}, 2), store.XID(prop.GUID{2}, 9)))
	f.Add([]byte{0x11, 1}, []byte{})
	f.Fuzz(func(t *testing.T, a, b []byte) {
		ab, err1 := store.ComparePCL(a, b)
		ba, err2 := store.ComparePCL(b, a)
		if (err1 == nil) != (err2 == nil) {
			t.Fatalf("errors differ: %v / %v", err1, err2)
		}
		if err1 != nil {
			return
		}
		flip := map[store.PCLOrder]store.PCLOrder{store.PCLEqual: store.PCLEqual, store.PCLNewer: store.PCLOlder,
			store.PCLOlder: store.PCLNewer, store.PCLConflict: store.PCLConflict}
		if flip[ab] != ba {
			t.Fatalf("ComparePCL(a,b) %v but ComparePCL(b,a) %v", ab, ba)
		}
		m := store.MergePCL(a, b)
		for _, x := range [][]byte{a, b} {
			if o, err := store.ComparePCL(m, x); err != nil || (o != store.PCLNewer && o != store.PCLEqual) {
				t.Fatalf("the merge %x does not include %x: %v %v", m, x, o, err)
			}
		}
	})
}

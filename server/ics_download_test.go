package server

import (
	"bytes"
	"testing"

	"github.com/mapiscope/mapiscope/decode/fxics"
	"github.com/mapiscope/mapiscope/decode/mapihttp"
	"github.com/mapiscope/mapiscope/decode/prop"
	"github.com/mapiscope/mapiscope/decode/rop"
	"github.com/mapiscope/mapiscope/server/store"
)

// ICS download and FastTransfer source ROPs end to end through the harness
// (real HTTP on loopback; every Execute, FastTransfer streams and state
// uploads included, decoded by decode.Session with zero anomalies).

const icsNone = 0xFFFFFFFF

// Outlook's cached-mode contents synchronization (outlook-real-behaviour.md).
const (
	icsOutlookContentsFlags = syncUnicode | syncReadState | syncFAI | syncNormal | syncNoForeignIdentifiers | syncBestBody | syncProgress
	icsAllExtra             = syncEid | syncMessageSize | syncCN | syncOrderByDeliveryTime
)

// icsOutlookExcluded is the exclusion list of Outlook's contents sync.
var icsOutlookExcluded = []prop.Tag{0x1000001F, 0x10060003, 0x10070003, 0x1008001F, 0x10100003, 0x10110003, 0x3FF8001F, 0x3FF90102, 0x300F0102}

// icsConfigure runs RopSynchronizationConfigure on the folder at handle fh
// and returns the download context's handle.
func icsConfigure(t *testing.T, c *tconn, fh uint32, typ uint8, so uint8, flags uint16, extra uint32, tags []prop.Tag, r *prop.Restriction) uint32 {
	t.Helper()
	out := c.exec([]rop.Request{&rop.SynchronizationConfigureRequest{RequestHeader: hdr(0x70, 0), OutputHandleIndex: 1,
		SynchronizationType: typ, SendOptions: so, SynchronizationFlags: flags, SynchronizationExtraFlags: extra,
		PropertyTags: tags, RestrictionData: r}}, []uint32{fh, icsNone})
	out.must(t, 0)
	return out.handles[1]
}

// icsUpload uploads one state property (no Continue for an empty one).
func icsUpload(t *testing.T, c *tconn, h uint32, tag prop.Tag, data []byte) {
	t.Helper()
	rops := []rop.Request{&rop.SynchronizationUploadStateStreamBeginRequest{RequestHeader: hdr(0x75, 0), StateProperty: tag, TransferBufferSize: uint32(len(data))}}
	if len(data) > 0 {
		rops = append(rops, &rop.SynchronizationUploadStateStreamContinueRequest{RequestHeader: hdr(0x76, 0), StreamData: data})
	}
	rops = append(rops, &rop.SynchronizationUploadStateStreamEndRequest{RequestHeader: hdr(0x77, 0)})
	out := c.exec(rops, []uint32{h})
	for i := range rops {
		out.must(t, i)
	}
}

// icsUploadState uploads the sets of a state (nil ones are not uploaded;
// Outlook uploads empty sets on a first synchronization).
func icsUploadState(t *testing.T, c *tconn, h uint32, st fxics.ICSState, contents bool) {
	t.Helper()
	up := func(tag prop.Tag, s *fxics.IDSet) {
		if s != nil {
			icsUpload(t, c, h, tag, s.Encode(true))
		}
	}
	up(fxics.MetaTagIdsetGiven, st.IdsetGiven)
	up(fxics.MetaTagCnsetSeen, st.CnsetSeen)
	if contents {
		up(fxics.MetaTagCnsetSeenFAI, st.CnsetSeenFAI)
		up(fxics.MetaTagCnsetRead, st.CnsetRead)
	}
}

// icsEmpty is the state of a first synchronization as Outlook uploads it.
func icsEmpty(contents bool) fxics.ICSState {
	st := fxics.ICSState{IdsetGiven: &fxics.IDSet{}, CnsetSeen: &fxics.IDSet{}}
	if contents {
		st.CnsetSeenFAI, st.CnsetRead = &fxics.IDSet{}, &fxics.IDSet{}
	}
	return st
}

// icsDrain runs RopFastTransferSourceGetBuffer until Done and returns the
// buffers. Every response is decoded by the harness's session.
func icsDrain(t *testing.T, c *tconn, h uint32, size, max uint16) [][]byte {
	t.Helper()
	var bufs [][]byte
	for i := 0; ; i++ {
		if i > 100000 {
			t.Fatal("GetBuffer never reached Done")
		}
		out := c.exec([]rop.Request{&rop.FastTransferSourceGetBufferRequest{RequestHeader: hdr(0x4E, 0), BufferSize: size, MaximumBufferSize: max}}, []uint32{h})
		done := false
		for _, p := range out.pairs {
			r, ok := p.Response.(*rop.FastTransferSourceGetBufferResponse)
			if !ok {
				continue
			}
			if r.ReturnValue != 0 {
				t.Fatalf("GetBuffer: %v", r.ReturnValue)
			}
			if r.Reserved != 0 || (r.TotalStepCount != 0 && r.InProgressCount > r.TotalStepCount) {
				t.Errorf("GetBuffer progress %d/%d reserved %d", r.InProgressCount, r.TotalStepCount, r.Reserved)
			}
			bufs = append(bufs, r.TransferBuffer)
			switch r.TransferStatus {
			case fxGetDone:
				done = true
			case fxGetPartial, fxGetNoRoom:
			default:
				t.Fatalf("TransferStatus %d", r.TransferStatus)
			}
		}
		if done {
			return bufs
		}
	}
}

// icsDecode decodes a whole stream, failing on any anomaly.
func icsDecode(t *testing.T, bufs [][]byte, root fxics.Root) (*fxics.Element, []byte) {
	t.Helper()
	all := bytes.Join(bufs, nil)
	el, _, an := fxics.DecodeStream(all, root, false)
	if len(an) > 0 {
		t.Fatalf("%s stream of %d bytes decodes with anomalies: %v", root, len(all), an)
	}
	return el, all
}

// icsSync runs a whole synchronization of the folder at handle fh with
// the given state and returns the decoded stream and its final state.
func icsSync(t *testing.T, c *tconn, fh uint32, typ uint8, flags uint16, extra uint32, tags []prop.Tag, r *prop.Restriction, st fxics.ICSState) (*fxics.Element, fxics.ICSState) {
	t.Helper()
	so := uint8(0)
	if flags&syncUnicode != 0 {
		so = fxUnicode
	}
	h := icsConfigure(t, c, fh, typ, so, flags, extra, tags, r)
	icsUploadState(t, c, h, st, typ == 1)
	root := fxics.RootContentsSync
	if typ == 2 {
		root = fxics.RootHierarchySync
	}
	el, _ := icsDecode(t, icsDrain(t, c, h, rop.FastTransferBufferSizeAuto, 0x7BC0), root)
	final, err := fxics.StateOf(el)
	if err != nil {
		t.Fatalf("final state: %v", err)
	}
	c.exec([]rop.Request{&rop.ReleaseRequest{RequestHeader: hdr(0x01, 0)}}, []uint32{h})
	return el, final
}

// icsPropValue returns the value of property t of an element (nil when absent).
func icsPropValue(t *testing.T, e *fxics.Element, tag prop.Tag) any {
	t.Helper()
	a := e.Prop(tag)
	if a == nil {
		return nil
	}
	v, err := a.Value()
	if err != nil {
		t.Fatalf("%s: %v", a.DisplayName(), err)
	}
	return v
}

// icsIDs reads an IDSET property of an element (REPLID form), or nil.
func icsIDs(t *testing.T, e *fxics.Element, tag prop.Tag) fxics.IDSet {
	t.Helper()
	if e == nil {
		return nil
	}
	a := e.Prop(tag)
	if a == nil {
		return nil
	}
	s, err := fxics.DecodeIDSet(a.Raw, false)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func icsMids(t *testing.T, el *fxics.Element) []prop.ID {
	t.Helper()
	var out []prop.ID
	for _, mc := range el.Elements(fxics.KindMessageChangeFull) {
		v, _ := icsPropValue(t, mc.Child(fxics.KindMessageChangeHeader), fxics.PidTagMid).(int64)
		out = append(out, prop.ID(v))
	}
	return out
}

func TestICSHierarchySync(t *testing.T) {
	h := newHarness(t)
	c := h.connect(alice)
	lh := c.logon()
	mb := foldMailbox(t, h, alice)
	root := foldOpen(t, c, lh, c.fids[0])

	el, st := icsSync(t, c, root, 2, syncUnicode|syncNoForeignIdentifiers, syncEid, nil, nil, icsEmpty(false))
	want, err := h.st.Hierarchy(mb, c.fids[0], true)
	if err != nil {
		t.Fatal(err)
	}
	changes := el.Elements(fxics.KindFolderChange)
	if len(changes) != len(want) || len(want) < 20 {
		t.Fatalf("%d folderChanges for %d folders", len(changes), len(want))
	}
	pos := map[prop.ID]int{}
	for i, fc := range changes {
		fid := prop.ID(icsPropValue(t, fc, fxics.PidTagFolderId).(int64))
		pos[fid] = i
		f, err := h.st.Folder(mb, fid)
		if err != nil {
			t.Fatalf("folderChange %d: folder %v: %v", i, fid, err)
		}
		if name := icsPropValue(t, fc, fxics.PidTagDisplayName); name != f.Name {
			t.Errorf("folder %v: name %v, want %q", fid, name, f.Name)
		}
		psk := icsPropValue(t, fc, fxics.PidTagParentSourceKey).([]byte)
		if f.Parent == c.fids[0] && len(psk) != 0 {
			t.Errorf("%s: a child of the sync root has a parent source key", f.Name)
		}
		if f.Parent != c.fids[0] {
			if p, ok := pos[f.Parent]; !ok || p > i || !bytes.Equal(psk, store.XID(mb.ReplicaGUID, f.Parent.GlobalCounter())) {
				t.Errorf("%s: parent %v at %d, source key %x", f.Name, f.Parent, p, psk)
			}
		}
		for _, tag := range []prop.Tag{fxics.PidTagSourceKey, fxics.PidTagChangeKey, fxics.PidTagPredecessorChangeList, fxics.PidTagLastModificationTime, fxics.PidTagParentFolderId} {
			if fc.Prop(tag) == nil {
				t.Errorf("%s: no %v", f.Name, tag)
			}
		}
		if !st.IdsetGiven.ContainsGUID(mb.ReplicaGUID, fid.GlobalCounter()) || !st.CnsetSeen.ContainsGUID(mb.ReplicaGUID, f.ChangeNumber) {
			t.Errorf("%s: not in the final state %v / %v", f.Name, st.IdsetGiven, st.CnsetSeen)
		}
	}
	if st.CnsetSeenFAI != nil || st.CnsetRead != nil {
		t.Error("hierarchy state has contents sets")
	}

	// Nothing changed: an empty synchronization.
	el2, st2 := icsSync(t, c, root, 2, syncUnicode, syncEid, nil, nil, st)
	if n := len(el2.Elements(fxics.KindFolderChange)); n != 0 || len(el2.Elements(fxics.KindDeletions)) != 0 {
		t.Fatalf("second sync: %d changes\n%s", n, el2.Dump())
	}
	if !st2.IdsetGiven.Equal(*st.IdsetGiven) {
		t.Errorf("given changed: %v -> %v", st.IdsetGiven, st2.IdsetGiven)
	}

	// Another session creates a folder and deletes one.
	c2 := h.connect(alice)
	lh2 := c2.logon()
	inbox2 := foldOpen(t, c2, lh2, c2.fids[4])
	cr, _ := foldCreate(t, c2, inbox2, "Synced later", 1, false)
	if cr.ReturnValue != 0 {
		t.Fatal(cr.ReturnValue)
	}
	gone, err := h.st.FolderByName(mb, c.fids[4], "Newsletters")
	if err != nil {
		t.Fatal(err)
	}
	out := c2.exec([]rop.Request{&rop.DeleteFolderRequest{RequestHeader: hdr(0x1D, 0), DeleteFolderFlags: store.DelMessages | store.DelFolders, FolderId: gone.ID}}, []uint32{inbox2})
	out.must(t, 0)

	el3, st3 := icsSync(t, c, root, 2, syncUnicode, syncEid, nil, nil, st2)
	ch := el3.Elements(fxics.KindFolderChange)
	if len(ch) != 1 || prop.ID(icsPropValue(t, ch[0], fxics.PidTagFolderId).(int64)) != cr.FolderId {
		t.Fatalf("incremental: %d changes, want the new folder %v\n%s", len(ch), cr.FolderId, el3.Dump())
	}
	dels := el3.Elements(fxics.KindDeletions)
	if len(dels) != 1 {
		t.Fatalf("incremental: %d deletions", len(dels))
	}
	if d := icsIDs(t, dels[0], fxics.MetaTagIdsetDeleted); d.Count() != 1 || !d.ContainsID(gone.ID) {
		t.Errorf("deleted %v, want %v", d, gone.ID)
	}
	if dels[0].Prop(fxics.MetaTagIdsetNoLongerInScope) != nil {
		t.Error("hierarchy deletions carry MetaTagIdsetNoLongerInScope")
	}
	if st3.IdsetGiven.ContainsGUID(mb.ReplicaGUID, gone.ID.GlobalCounter()) || !st3.IdsetGiven.ContainsGUID(mb.ReplicaGUID, cr.FolderId.GlobalCounter()) {
		t.Errorf("given after the changes: %v", st3.IdsetGiven)
	}

	// Without IdsetGiven, deletions come from the tombstones not seen.
	el4, _ := icsSync(t, c, root, 2, syncUnicode, 0, nil, nil, fxics.ICSState{CnsetSeen: st2.CnsetSeen})
	if d := icsIDs(t, el4.Child(fxics.KindDeletions), fxics.MetaTagIdsetDeleted); !d.ContainsID(gone.ID) {
		t.Errorf("tombstone deletions %v", d)
	}
	// NoDeletions.
	el5, _ := icsSync(t, c, root, 2, syncUnicode|syncNoDeletions, 0, nil, nil, st2)
	if len(el5.Elements(fxics.KindDeletions)) != 0 {
		t.Error("NoDeletions: deletions reported")
	}
}

func TestICSContentsSync(t *testing.T) {
	h := newHarness(t)
	c := h.connect(alice)
	lh := c.logon()
	mb := foldMailbox(t, h, alice)
	inbox := c.fids[4]
	ih := foldOpen(t, c, lh, inbox)
	rows, err := h.st.SyncContents(mb, inbox, nil)
	if err != nil {
		t.Fatal(err)
	}
	var nFAI int
	for _, r := range rows {
		if r.Associated {
			nFAI++
		}
	}
	if nFAI == 0 || len(rows)-nFAI < 3 {
		t.Fatalf("seeded Inbox: %d messages, %d FAI", len(rows), nFAI)
	}

	el, st := icsSync(t, c, ih, 1, icsOutlookContentsFlags, icsAllExtra, icsOutlookExcluded, nil, icsEmpty(true))
	pt := el.Elements(fxics.KindProgressTotal)
	if len(pt) != 1 {
		t.Fatalf("%d progressTotal", len(pt))
	}
	changes := el.Elements(fxics.KindMessageChangeFull)
	if len(changes) != len(rows) || len(el.Elements(fxics.KindProgressPerMessage)) != len(rows) {
		t.Fatalf("%d messageChangeFull, want %d", len(changes), len(rows))
	}
	byID := map[prop.ID]store.SyncMessage{}
	for _, r := range rows {
		byID[r.ID] = r
	}
	sawNormal := false
	for i, mc := range changes {
		hd := mc.Child(fxics.KindMessageChangeHeader)
		mid := prop.ID(icsPropValue(t, hd, fxics.PidTagMid).(int64))
		r, ok := byID[mid]
		if !ok {
			t.Fatalf("change %d: unknown message %v", i, mid)
		}
		delete(byID, mid)
		if assoc := icsPropValue(t, hd, fxics.PidTagAssociated); assoc != r.Associated {
			t.Errorf("%v: PidTagAssociated %v", mid, assoc)
		}
		if r.Associated && sawNormal {
			t.Errorf("FAI %v after normal messages", mid)
		}
		sawNormal = sawNormal || !r.Associated
		if sk := icsPropValue(t, hd, fxics.PidTagSourceKey).([]byte); !bytes.Equal(sk, store.XID(mb.ReplicaGUID, mid.GlobalCounter())) {
			t.Errorf("%v: source key %x", mid, sk)
		}
		if ck := icsPropValue(t, hd, fxics.PidTagChangeKey).([]byte); !bytes.Equal(ck, store.XID(mb.ReplicaGUID, r.ChangeNumber)) {
			t.Errorf("%v: change key %x, CN %d", mid, ck, r.ChangeNumber)
		}
		if cn := prop.ID(icsPropValue(t, hd, fxics.PidTagChangeNumber).(int64)); cn.GlobalCounter() != r.ChangeNumber {
			t.Errorf("%v: CN %v", mid, cn)
		}
		if sz := icsPropValue(t, hd, fxics.PidTagMessageSize).(int32); sz != r.Size {
			t.Errorf("%v: size %d, want %d", mid, sz, r.Size)
		}
		for _, tag := range []prop.Tag{fxics.PidTagLastModificationTime, fxics.PidTagPredecessorChangeList} {
			if hd.Prop(tag) == nil {
				t.Errorf("%v: header without %v", mid, tag)
			}
		}
		body := mc.Child(fxics.KindPropList)
		if body.Prop(store.TagMessageClass) == nil || body.Prop(fxics.PidTagSourceKey) != nil || body.Prop(store.TagMid) != nil {
			t.Errorf("%v: message properties %s", mid, body.Dump())
		}
		m, err := h.st.OpenMessage(mb, inbox, mid)
		if err != nil {
			t.Fatal(err)
		}
		_, hasHTML := m.Prop(store.TagHtml)
		_, hasBody := m.Prop(store.TagBody)
		if gotBody := body.Prop(store.TagBody) != nil; gotBody != (hasBody && !hasHTML) {
			t.Errorf("%v: PidTagBody sent %v (html %v): excluded unless it is the only body", mid, gotBody, hasHTML)
		}
		if flags := icsPropValue(t, body, store.TagMessageFlags).(int32); (uint32(flags)&store.MsgFlagRead != 0) != m.Read() {
			t.Errorf("%v: flags %#x, read %v", mid, flags, m.Read())
		}
		var nr, na int
		for _, k := range mc.Child(fxics.KindMessageChildren).Children {
			switch k.Kind {
			case fxics.KindRecipient:
				nr++
			case fxics.KindAttachment:
				na++
			}
		}
		if nr != len(m.Recipients()) || na != len(m.AttachmentTable()) {
			t.Errorf("%v: %d recipients and %d attachments, want %d and %d", mid, nr, na, len(m.Recipients()), len(m.AttachmentTable()))
		}
		seen := st.CnsetSeen
		if r.Associated {
			seen = st.CnsetSeenFAI
		}
		if !st.IdsetGiven.ContainsGUID(mb.ReplicaGUID, mid.GlobalCounter()) || !seen.ContainsGUID(mb.ReplicaGUID, r.ChangeNumber) {
			t.Errorf("%v not covered by the final state", mid)
		}
	}
	if st.CnsetRead == nil || st.CnsetRead.Count() == 0 {
		t.Errorf("CnsetRead %v", st.CnsetRead)
	}
	if len(el.Elements(fxics.KindDeletions))+len(el.Elements(fxics.KindReadStateChanges)) != 0 {
		t.Error("first sync reports deletions or read changes")
	}

	// Another session: create, modify, delete, mark read.
	var normal []store.SyncMessage
	for _, r := range rows {
		if !r.Associated {
			normal = append(normal, r)
		}
	}
	modified, deleted := normal[0].ID, normal[1].ID
	var unread prop.ID
	for _, r := range normal[2:] {
		if !r.Read {
			unread = r.ID
			break
		}
	}
	if unread == 0 {
		t.Fatal("no unread message in the seeded Inbox")
	}
	c2 := h.connect(alice)
	lh2 := c2.logon()
	created := mtDraft(t, c2, lh2, inbox, "ICS new message", bob)
	out := c2.exec([]rop.Request{
		&rop.OpenFolderRequest{RequestHeader: hdr(0x02, 0), OutputHandleIndex: 1, FolderId: inbox},
		&rop.OpenMessageRequest{RequestHeader: hdr(0x03, 1), OutputHandleIndex: 2, CodePageId: 0x0FFF, FolderId: inbox, OpenModeFlags: 0x01, MessageId: modified},
		mtSetProps(2, prop.TaggedValue{Tag: store.TagSubject, Value: "changed by ICS test"}),
		&rop.SaveChangesMessageRequest{RequestHeader: hdr(0x0C, 2), ResponseHandleIndex: 2, SaveFlags: 0x02},
		&rop.DeleteMessagesRequest{RequestHeader: hdr(0x1E, 1), MessageIds: []prop.ID{deleted}},
		&rop.SetReadFlagsRequest{RequestHeader: hdr(0x66, 1), ReadFlags: 0x00, MessageIds: []prop.ID{unread}},
	}, mtTable(3, lh2))
	for i := 0; i < 6; i++ {
		out.must(t, i)
	}

	el2, st2 := icsSync(t, c, ih, 1, icsOutlookContentsFlags, icsAllExtra, icsOutlookExcluded, nil, st)
	got := icsMids(t, el2)
	if len(got) != 2 || !((got[0] == created && got[1] == modified) || (got[0] == modified && got[1] == created)) {
		t.Fatalf("incremental changes %v, want %v and %v\n%s", got, created, modified, el2.Dump())
	}
	if sub := icsPropValue(t, el2.Elements(fxics.KindMessageChangeFull)[0].Child(fxics.KindPropList), store.TagSubject); got[0] == modified && sub != "changed by ICS test" {
		t.Errorf("modified subject %v", sub)
	}
	if d := icsIDs(t, el2.Child(fxics.KindDeletions), fxics.MetaTagIdsetDeleted); d.Count() != 1 || !d.ContainsID(deleted) {
		t.Errorf("deleted %v, want %v", d, deleted)
	}
	rs := el2.Child(fxics.KindReadStateChanges)
	if r := icsIDs(t, rs, fxics.MetaTagIdsetRead); r.Count() != 1 || !r.ContainsID(unread) {
		t.Errorf("read %v, want %v", r, unread)
	}
	if u := icsIDs(t, rs, fxics.MetaTagIdsetUnread); u.Count() != 0 {
		t.Errorf("unread %v", u)
	}
	g := st2.IdsetGiven
	if !g.ContainsGUID(mb.ReplicaGUID, created.GlobalCounter()) || g.ContainsGUID(mb.ReplicaGUID, deleted.GlobalCounter()) ||
		g.Count() != st.IdsetGiven.Count() {
		t.Errorf("given %v after the changes (was %v)", g, st.IdsetGiven)
	}

	// Converged: nothing more to say.
	el3, _ := icsSync(t, c, ih, 1, icsOutlookContentsFlags, icsAllExtra, icsOutlookExcluded, nil, st2)
	if n := len(el3.Elements(fxics.KindMessageChangeFull)); n != 0 || el3.Child(fxics.KindDeletions) != nil || el3.Child(fxics.KindReadStateChanges) != nil {
		t.Fatalf("third sync not empty:\n%s", el3.Dump())
	}

	// GetTransferState on a finished download gives its final state.
	dh := icsConfigure(t, c, ih, 1, 0x01, syncUnicode|syncNormal|syncFAI|syncReadState, 0, nil, nil)
	icsUploadState(t, c, dh, st2, true)
	icsDrain(t, c, dh, rop.FastTransferBufferSizeAuto, 0)
	out = c.exec([]rop.Request{&rop.SynchronizationGetTransferStateRequest{RequestHeader: hdr(0x82, 0), OutputHandleIndex: 1}}, []uint32{dh, icsNone})
	out.must(t, 0)
	sel, _ := icsDecode(t, icsDrain(t, c, out.handles[1], rop.FastTransferBufferSizeAuto, 0), fxics.RootState)
	ts, err := fxics.StateOf(sel)
	if err != nil || !ts.IdsetGiven.Equal(*st2.IdsetGiven) || ts.CnsetRead == nil {
		t.Errorf("transfer state %+v %v", ts, err)
	}
}

func TestICSContentsScopeAndFilters(t *testing.T) {
	h := newHarness(t)
	c := h.connect(alice)
	lh := c.logon()
	mb := foldMailbox(t, h, alice)
	inbox := c.fids[4]
	ih := foldOpen(t, c, lh, inbox)
	rows, err := h.st.Contents(mb, inbox, false)
	if err != nil || len(rows) < 2 {
		t.Fatal(len(rows), err)
	}
	subject := rows[0].Props.String(store.TagSubject)
	target := rows[0].ID
	eq := &prop.Restriction{RestrictType: prop.RestrictProperty, RelOp: prop.RelopEQ, PropTag: store.TagSubject,
		TaggedValue: prop.TaggedValue{Tag: store.TagSubject, Value: subject}}

	// A restriction: one message; FAI only with its own flag.
	el, st := icsSync(t, c, ih, 1, syncUnicode|syncNormal, syncEid, nil, eq, fxics.ICSState{})
	if got := icsMids(t, el); len(got) != 1 || got[0] != target {
		t.Fatalf("restricted sync: %v, want [%v]", got, target)
	}
	if st.CnsetSeenFAI.Count() != 0 || st.CnsetRead.Count() != 0 {
		t.Errorf("Normal-only sync advanced SeenFAI/Read: %v %v", st.CnsetSeenFAI, st.CnsetRead)
	}
	// The message leaves the scope: MetaTagIdsetNoLongerInScope.
	out := c.exec([]rop.Request{
		&rop.OpenMessageRequest{RequestHeader: hdr(0x03, 0), OutputHandleIndex: 1, CodePageId: 0x0FFF, FolderId: inbox, OpenModeFlags: 0x01, MessageId: target},
		mtSetProps(1, prop.TaggedValue{Tag: store.TagSubject, Value: "out of scope"}),
		&rop.SaveChangesMessageRequest{RequestHeader: hdr(0x0C, 1), ResponseHandleIndex: 1, SaveFlags: 0x02},
	}, mtTable(2, ih))
	out.must(t, 2)
	el2, st2 := icsSync(t, c, ih, 1, syncUnicode|syncNormal, syncEid, nil, eq, st)
	if n := len(icsMids(t, el2)); n != 0 {
		t.Fatalf("%d changes for a message out of scope", n)
	}
	d := el2.Child(fxics.KindDeletions)
	if nl := icsIDs(t, d, fxics.MetaTagIdsetNoLongerInScope); nl.Count() != 1 || !nl.ContainsID(target) || d.Prop(fxics.MetaTagIdsetDeleted) != nil {
		t.Errorf("deletions %v", d)
	}
	if st2.IdsetGiven.Count() != 0 {
		t.Errorf("given keeps an out-of-scope message: %v", st2.IdsetGiven)
	}
	el3, _ := icsSync(t, c, ih, 1, syncUnicode|syncNormal|syncIgnoreNoLongerInScope, syncEid, nil, eq, st)
	if el3.Child(fxics.KindDeletions) != nil {
		t.Error("IgnoreNoLongerInScope: deletions reported")
	}

	// OnlySpecifiedProperties: the listed properties and the header;
	// IgnoreSpecifiedOnFAI sends FAI messages whole.
	only := []prop.Tag{store.TagSubject, store.TagMessageClass}
	el4, _ := icsSync(t, c, ih, 1, syncUnicode|syncNormal|syncFAI|syncOnlySpecifiedProperties|syncIgnoreSpecifiedOnFAI, syncEid, only, nil, fxics.ICSState{})
	for _, mc := range el4.Elements(fxics.KindMessageChangeFull) {
		fai := icsPropValue(t, mc.Child(fxics.KindMessageChangeHeader), fxics.PidTagAssociated).(bool)
		props := mc.Child(fxics.KindPropList).Props()
		kids := mc.Child(fxics.KindMessageChildren)
		if !fai {
			for _, a := range props {
				if a.Tag.ID() != store.TagSubject.ID() && a.Tag.ID() != store.TagMessageClass.ID() {
					t.Errorf("OnlySpecifiedProperties sent %s", a.DisplayName())
				}
			}
			if len(kids.Children) != 0 {
				t.Error("OnlySpecifiedProperties without PidTagMessageRecipients sent subobjects")
			}
		} else if len(props) <= 2 {
			t.Errorf("IgnoreSpecifiedOnFAI: FAI with %d properties", len(props))
		}
	}

	// Without BestBody bodies also go as compressed RTF; non-Unicode
	// strings as PtypString8.
	el5, _ := icsSync(t, c, ih, 1, syncNormal, 0, nil, nil, fxics.ICSState{})
	for _, mc := range el5.Elements(fxics.KindMessageChangeFull) {
		pl := mc.Child(fxics.KindPropList)
		if pl.Prop(store.TagSubject.WithType(prop.PtypString8)) == nil || pl.Prop(store.TagSubject) != nil {
			t.Errorf("non-Unicode sync: subject not PtypString8: %s", pl.Dump())
		}
		if pl.Prop(store.TagBody.WithType(prop.PtypString8)) != nil {
			rtf, _ := icsPropValue(t, pl, fxTagRtfCompressed).([]byte)
			if len(rtf) < 16 || string(rtf[8:12]) != "MELA" || !bytes.Contains(rtf, []byte(`{\rtf1`)) {
				t.Errorf("no uncompressed RTF body: %q", rtf)
			}
		}
	}
}

// icsCuts checks that buffers end only where a stream may be split
// ([MS-OXCFXICS] 2.2.4.1): between atoms or inside a variable-size value.
func icsCuts(t *testing.T, bufs [][]byte, max int) {
	t.Helper()
	all := bytes.Join(bufs, nil)
	atoms, an := fxics.LexAll(all, fxics.LexerOptions{})
	if len(an) > 0 {
		t.Fatal(an)
	}
	off := 0
	for i, b := range bufs {
		if len(b) > max {
			t.Errorf("buffer %d: %d bytes, BufferSize %d", i, len(b), max)
		}
		off += len(b)
		if off == len(all) {
			break
		}
		ok := false
		for _, a := range atoms {
			if int(a.Off) == off {
				ok = true
				break
			}
			start := int(a.Off) + int(a.Hdr)
			if int(a.Off) < off && off < int(a.End()) {
				ok = !a.Marker && fxSplittable(a.Tag) && off >= start
				if ok && (a.Tag.Type() == prop.PtypString) && (off-start)%2 != 0 {
					ok = false
				}
				if !ok {
					t.Errorf("buffer %d ends at %d inside %s (%d+%d, header %d)", i, off, a.DisplayName(), a.Off, a.Len, a.Hdr)
				}
				break
			}
		}
		if !ok {
			return
		}
	}
}

func TestFXGetBufferSplitting(t *testing.T) {
	h := newHarness(t)
	c := h.connect(alice)
	lh := c.logon()
	mb := foldMailbox(t, h, alice)
	inbox := c.fids[4]
	// A big message for chained responses and split values.
	m, err := h.st.CreateMessage(mb, inbox, false)
	if err != nil {
		t.Fatal(err)
	}
	m.SetProps([]prop.TaggedValue{{Tag: store.TagSubject, Value: "big"}, {Tag: store.TagBody, Value: string(bytes.Repeat([]byte("ünïcode text "), 6000))}})
	a, _ := m.CreateAttachment()
	a.SetProps([]prop.TaggedValue{{Tag: store.TagAttachDataBinary, Value: mtPattern(150000)}, {Tag: store.TagAttachFilename, Value: "big.bin"}})
	if err := a.SaveChanges(); err != nil {
		t.Fatal(err)
	}
	if err := m.SaveChanges(false); err != nil {
		t.Fatal(err)
	}
	ih := foldOpen(t, c, lh, inbox)
	flags := uint16(syncUnicode | syncNormal | syncFAI | syncReadState | syncBestBody)

	whole := icsDrain(t, c, icsConfigure(t, c, ih, 1, 0x01, flags, syncEid, nil, nil), rop.FastTransferBufferSizeAuto, 0)
	_, all := icsDecode(t, whole, fxics.RootContentsSync)
	icsCuts(t, whole, 0x8000)

	for _, size := range []uint16{61, 500} {
		hs := icsConfigure(t, c, ih, 1, 0x01, flags, syncEid, nil, nil)
		bufs := icsDrain(t, c, hs, size, 0)
		if len(bufs) < len(all)/int(size) {
			t.Errorf("BufferSize %d: %d buffers for %d bytes", size, len(bufs), len(all))
		}
		if got := bytes.Join(bufs, nil); !bytes.Equal(got, all) {
			t.Fatalf("BufferSize %d: %d bytes differ from the whole stream (%d)", size, len(got), len(all))
		}
		icsCuts(t, bufs, int(size))
	}
	// 0xBABE with MaximumBufferSize.
	hs := icsConfigure(t, c, ih, 1, 0x01, flags, syncEid, nil, nil)
	bufs := icsDrain(t, c, hs, rop.FastTransferBufferSizeAuto, 1000)
	if !bytes.Equal(bytes.Join(bufs, nil), all) {
		t.Fatal("MaximumBufferSize 1000: stream differs")
	}
	icsCuts(t, bufs, 1000)

	// Chained: one Execute carries several GetBuffer responses.
	c.flags |= mapihttp.ExecuteChain
	hs = icsConfigure(t, c, ih, 1, 0x01, flags, syncEid, nil, nil)
	out := c.exec([]rop.Request{&rop.FastTransferSourceGetBufferRequest{RequestHeader: hdr(0x4E, 0), BufferSize: rop.FastTransferBufferSizeAuto}}, []uint32{hs})
	chained := 0
	var got []byte
	for _, p := range out.pairs {
		if r, ok := p.Response.(*rop.FastTransferSourceGetBufferResponse); ok {
			chained++
			got = append(got, r.TransferBuffer...)
		}
	}
	if chained < 2 || !bytes.HasPrefix(all, got) {
		t.Errorf("chained Execute: %d GetBuffer responses, %d bytes", chained, len(got))
	}
}

func TestFXCopyOperations(t *testing.T) {
	h := newHarness(t)
	c := h.connect(alice)
	lh := c.logon()
	mb := foldMailbox(t, h, alice)
	inbox := c.fids[4]
	ih := foldOpen(t, c, lh, inbox)
	rows, err := h.st.Contents(mb, inbox, false)
	if err != nil {
		t.Fatal(err)
	}
	var withAttach, withEmbedded prop.ID
	for _, r := range rows {
		m, _ := h.st.OpenMessage(mb, inbox, r.ID)
		for _, ap := range m.AttachmentTable() {
			if uint32(ap.Int32(store.TagAttachMethod)) == store.AttachEmbeddedMessage {
				withEmbedded = r.ID
			} else {
				withAttach = r.ID
			}
		}
	}
	if withAttach == 0 || withEmbedded == 0 {
		t.Fatal("seeded Inbox lacks the attachment messages")
	}
	open := func(mid prop.ID) uint32 {
		out := c.exec([]rop.Request{&rop.OpenMessageRequest{RequestHeader: hdr(0x03, 0), OutputHandleIndex: 1, CodePageId: 0x0FFF, FolderId: inbox, MessageId: mid}}, []uint32{ih, icsNone})
		out.must(t, 0)
		return out.handles[1]
	}
	fx := func(in uint32, r rop.Request) uint32 {
		out := c.exec([]rop.Request{r}, []uint32{in, icsNone})
		out.must(t, 0)
		return out.handles[1]
	}
	drain := func(h uint32, root fxics.Root) *fxics.Element {
		el, _ := icsDecode(t, icsDrain(t, c, h, 200, 0), root)
		return el
	}

	// A named property goes out with its name.
	lid := prop.PropertyName{Kind: prop.KindLID, Guid: prop.GUID{0x03, 0x20, 0x06, 0, 0, 0, 0, 0, 0xC0, 0, 0, 0, 0, 0, 0, 0x46}, LID: 0x8580}
	nid, err := h.st.NamedPropertyID(mb, lid, true)
	if err != nil {
		t.Fatal(err)
	}
	named := prop.NewTag(nid, prop.PtypInteger32)
	nm, _ := h.st.OpenMessage(mb, inbox, withAttach)
	if _, err := nm.SetProps([]prop.TaggedValue{{Tag: named, Value: int32(42)}}); err != nil {
		t.Fatal(err)
	}
	if err := nm.SaveChanges(false); err != nil {
		t.Fatal(err)
	}

	// CopyTo of a message: properties but the excluded, recipients and
	// attachments behind MetaTagFXDelProp, the body also as RTF.
	mh := open(withAttach)
	el := drain(fx(mh, &rop.FastTransferSourceCopyToRequest{RequestHeader: hdr(0x4D, 0), OutputHandleIndex: 1, SendOptions: 0x01, PropertyTags: []prop.Tag{store.TagSubject}}), fxics.RootMessageContent)
	m, _ := h.st.OpenMessage(mb, inbox, withAttach)
	pl := el.Child(fxics.KindPropList)
	if pl.Prop(store.TagSubject) != nil || pl.Prop(store.TagMessageClass) == nil || pl.Prop(fxTagRtfCompressed) == nil {
		t.Errorf("CopyTo properties:\n%s", pl.Dump())
	}
	if a := pl.Prop(named); a == nil || a.Name == nil || a.Name.LID != 0x8580 || a.Name.Guid != lid.Guid {
		t.Errorf("named property: %v", a)
	}
	kids := el.Child(fxics.KindMessageChildren)
	if len(kids.Elements(fxics.KindRecipient)) != len(m.Recipients()) || len(kids.Elements(fxics.KindAttachment)) != 1 {
		t.Errorf("CopyTo children:\n%s", kids.Dump())
	}
	dels := 0
	for _, k := range kids.Children {
		if k.Atom != nil && k.Atom.Tag == fxics.MetaTagFXDelProp {
			dels++
		}
	}
	if dels != 2 {
		t.Errorf("%d MetaTagFXDelProp in CopyTo", dels)
	}
	// Level 1: no subobjects.
	el = drain(fx(mh, &rop.FastTransferSourceCopyToRequest{RequestHeader: hdr(0x4D, 0), OutputHandleIndex: 1, Level: 1, SendOptions: 0x01, CopyFlags: 0x2000}), fxics.RootMessageContent)
	if n := len(el.Child(fxics.KindMessageChildren).Children); n != 0 || el.Child(fxics.KindPropList).Prop(fxTagRtfCompressed) != nil {
		t.Errorf("CopyTo Level 1 BestBody:\n%s", el.Dump())
	}
	// The embedded message.
	eh := open(withEmbedded)
	el = drain(fx(eh, &rop.FastTransferSourceCopyToRequest{RequestHeader: hdr(0x4D, 0), OutputHandleIndex: 1, SendOptions: 0x01}), fxics.RootMessageContent)
	emb := el.Elements(fxics.KindEmbeddedMessage)
	if len(emb) != 1 || emb[0].Child(fxics.KindMessageContent).Prop(store.TagSubject) == nil || len(emb[0].Elements(fxics.KindRecipient)) != 1 {
		t.Errorf("embedded message:\n%s", el.Dump())
	}
	// CopyProperties: the listed properties and subobjects only.
	el = drain(fx(mh, &rop.FastTransferSourceCopyPropertiesRequest{RequestHeader: hdr(0x69, 0), OutputHandleIndex: 1, SendOptions: 0x01,
		PropertyTags: []prop.Tag{store.TagSubject, store.TagMessageRecipients}}), fxics.RootMessageContent)
	if ps := el.Child(fxics.KindPropList).Props(); len(ps) != 1 || ps[0].Tag != store.TagSubject {
		t.Errorf("CopyProperties: %s", el.Dump())
	}
	if k := el.Child(fxics.KindMessageChildren); len(k.Elements(fxics.KindRecipient)) == 0 || len(k.Elements(fxics.KindAttachment)) != 0 {
		t.Errorf("CopyProperties children: %s", k.Dump())
	}
	// ForUpload (Unicode|UseCpid): code page 1200 strings.
	el = drain(fx(mh, &rop.FastTransferSourceCopyPropertiesRequest{RequestHeader: hdr(0x69, 0), OutputHandleIndex: 1, SendOptions: 0x03,
		PropertyTags: []prop.Tag{store.TagSubject}}), fxics.RootMessageContent)
	if v := icsPropValue(t, el.Child(fxics.KindPropList), store.TagSubject.WithType(0x8000|1200)); v != m.AllProps().String(store.TagSubject) {
		t.Errorf("ForUpload subject %v:\n%s", v, el.Dump())
	}
	// An attachment.
	out := c.exec([]rop.Request{&rop.OpenAttachmentRequest{RequestHeader: hdr(0x22, 0), OutputHandleIndex: 1, AttachmentID: 0}}, []uint32{mh, icsNone})
	out.must(t, 0)
	el = drain(fx(out.handles[1], &rop.FastTransferSourceCopyToRequest{RequestHeader: hdr(0x4D, 0), OutputHandleIndex: 1, SendOptions: 0x01}), fxics.RootAttachmentContent)
	if el.Prop(store.TagAttachDataBinary) == nil {
		t.Errorf("attachment content: %s", el.Dump())
	}

	// CopyMessages: a messageList, a FAI message as StartFAIMsg.
	fai, err := h.st.Contents(mb, inbox, true)
	if err != nil || len(fai) == 0 {
		t.Fatal(err)
	}
	cm := fx(ih, &rop.FastTransferSourceCopyMessagesRequest{RequestHeader: hdr(0x4B, 0), OutputHandleIndex: 1, SendOptions: 0x01, CopyFlags: 0x20, MessageIds: []prop.ID{withAttach, fai[0].ID}})
	out = c.exec([]rop.Request{&rop.TellVersionRequest{RequestHeader: hdr(0x86, 0), Version: [3]uint16{15, 1, 2507}}}, []uint32{cm})
	out.must(t, 0)
	el = drain(cm, fxics.RootMessageList)
	msgs := el.Elements(fxics.KindMessage)
	if len(msgs) != 2 || !msgs[1].Children[0].Atom.Is(fxics.StartFAIMsg) || msgs[0].Child(fxics.KindMessageContent).Prop(store.TagEntryId) == nil {
		t.Errorf("CopyMessages:\n%s", el.Dump())
	}

	// CopyFolder with subfolders; CopyTo of a folder.
	el = drain(fx(ih, &rop.FastTransferSourceCopyFolderRequest{RequestHeader: hdr(0x4C, 0), OutputHandleIndex: 1, CopyFlags: 0x10, SendOptions: 0x01}), fxics.RootTopFolder)
	kidsF, _ := h.st.Hierarchy(mb, inbox, false)
	if n := len(el.Child(fxics.KindFolderContent).Elements(fxics.KindSubFolder)); n != len(kidsF) || n == 0 {
		t.Errorf("CopyFolder: %d subfolders, want %d", n, len(kidsF))
	}
	all, _ := h.st.Contents(mb, inbox, false)
	if n := len(el.Child(fxics.KindFolderContent).Child(fxics.KindFolderMessages).Elements(fxics.KindMessage)); n != len(all)+len(fai) {
		t.Errorf("CopyFolder: %d messages, want %d", n, len(all)+len(fai))
	}
	for _, sf := range el.Elements(fxics.KindSubFolder) {
		ps := sf.Child(fxics.KindFolderContent).Child(fxics.KindPropList).Props()
		if len(ps) < 3 || ps[0].Tag != fxics.PidTagFolderId || ps[1].Tag.ID() != store.TagDisplayName.ID() || ps[2].Tag.ID() != store.TagComment.ID() {
			t.Errorf("subFolder properties do not start with FolderId, DisplayName, Comment")
		}
	}
	el = drain(fx(ih, &rop.FastTransferSourceCopyToRequest{RequestHeader: hdr(0x4D, 0), OutputHandleIndex: 1, SendOptions: 0x01,
		PropertyTags: []prop.Tag{fxics.PidTagFolderAssociatedContents}}), fxics.RootFolderContent)
	if n := len(el.Elements(fxics.KindMessage)); n == 0 || len(el.Elements(fxics.KindSubFolder)) != len(kidsF) {
		t.Errorf("CopyTo folder: %d messages", n)
	}
	for _, msg := range el.Child(fxics.KindFolderMessages).Elements(fxics.KindMessage) {
		if msg.Children[0].Atom.Is(fxics.StartFAIMsg) {
			t.Error("CopyTo excluding PidTagFolderAssociatedContents sent a FAI message")
		}
	}

	// CopyMessages with Move deletes once the stream went out.
	mv := fx(ih, &rop.FastTransferSourceCopyMessagesRequest{RequestHeader: hdr(0x4B, 0), OutputHandleIndex: 1, SendOptions: 0x01, CopyFlags: 0x01, MessageIds: []prop.ID{withAttach}})
	drain(mv, fxics.RootMessageList)
	if _, err := h.st.OpenMessage(mb, inbox, withAttach); err == nil {
		t.Error("CopyMessages Move left the message")
	}
}

func TestICSErrors(t *testing.T) {
	h := newHarness(t)
	c := h.connect(alice)
	lh := c.logon()
	amb := foldMailbox(t, h, alice)
	bmb := foldMailbox(t, h, bob)
	ih := foldOpen(t, c, lh, c.fids[4])
	want := func(out *execOut, i int, ec prop.ErrorCode) {
		t.Helper()
		if got := out.resp(i).Header().ReturnValue; got != ec {
			t.Errorf("ROP %d (%T): %v, want %v", i, out.resp(i), got, ec)
		}
	}
	cfg := func(typ, so uint8, r *prop.Restriction) rop.Request {
		return &rop.SynchronizationConfigureRequest{RequestHeader: hdr(0x70, 0), OutputHandleIndex: 1, SynchronizationType: typ, SendOptions: so,
			SynchronizationFlags: syncUnicode | syncNormal, RestrictionData: r}
	}
	exists := &prop.Restriction{RestrictType: prop.RestrictExist, PropTag: store.TagSubject}
	out := c.exec([]rop.Request{cfg(3, 1, nil)}, []uint32{ih, icsNone})
	want(out, 0, ecInvalidParam)
	out = c.exec([]rop.Request{cfg(2, 1, exists)}, []uint32{ih, icsNone})
	want(out, 0, ecInvalidParam)
	out = c.exec([]rop.Request{cfg(1, 0x80, nil)}, []uint32{ih, icsNone})
	want(out, 0, ecInvalidParam)
	out = c.exec([]rop.Request{cfg(1, fxUnicode|fxUseCpid|fxRecoverMode, nil)}, []uint32{ih, icsNone})
	want(out, 0, ecInvalidParam)
	out = c.exec([]rop.Request{cfg(1, 1, nil)}, []uint32{lh, icsNone})
	want(out, 0, ecNotSupported)
	out = c.exec([]rop.Request{cfg(1, 1, nil)}, []uint32{icsNone, icsNone})
	want(out, 0, ecNullObject)

	getBuf := &rop.FastTransferSourceGetBufferRequest{RequestHeader: hdr(0x4E, 0), BufferSize: 100}
	out = c.exec([]rop.Request{getBuf}, []uint32{ih})
	want(out, 0, ecNotSupported)
	out = c.exec([]rop.Request{getBuf}, []uint32{icsNone})
	want(out, 0, ecNullObject)
	out = c.exec([]rop.Request{&rop.TellVersionRequest{RequestHeader: hdr(0x86, 0)}}, []uint32{ih})
	want(out, 0, ecNotSupported)
	out = c.exec([]rop.Request{&rop.SynchronizationGetTransferStateRequest{RequestHeader: hdr(0x82, 0), OutputHandleIndex: 1}}, []uint32{ih, icsNone})
	want(out, 0, ecNotSupported)

	// State uploads: order, tags, contents-only sets, bad IDSETs, after
	// the download started.
	dh := icsConfigure(t, c, ih, 1, 0x01, syncUnicode|syncNormal, 0, nil, nil)
	hh := icsConfigure(t, c, ih, 2, 0x01, syncUnicode, 0, nil, nil)
	out = c.exec([]rop.Request{
		&rop.SynchronizationUploadStateStreamContinueRequest{RequestHeader: hdr(0x76, 0), StreamData: []byte{1}},
		&rop.SynchronizationUploadStateStreamEndRequest{RequestHeader: hdr(0x77, 0)},
		&rop.SynchronizationUploadStateStreamBeginRequest{RequestHeader: hdr(0x75, 0), StateProperty: store.TagSubject},
		&rop.SynchronizationUploadStateStreamBeginRequest{RequestHeader: hdr(0x75, 1), StateProperty: fxics.MetaTagCnsetSeenFAI},
		&rop.SynchronizationUploadStateStreamBeginRequest{RequestHeader: hdr(0x75, 0), StateProperty: fxics.MetaTagCnsetSeen},
		&rop.SynchronizationUploadStateStreamBeginRequest{RequestHeader: hdr(0x75, 0), StateProperty: fxics.MetaTagCnsetSeen},
	}, []uint32{dh, hh})
	want(out, 0, ecInvalidParam)
	want(out, 1, ecInvalidParam)
	want(out, 2, ecInvalidParam)
	want(out, 3, ecInvalidParam)
	want(out, 4, 0)
	want(out, 5, ecInvalidParam)
	// A broken IDSET (the session decoder reports it too: no anomaly check).
	res, code := c.execRaw([]rop.Request{
		&rop.SynchronizationUploadStateStreamContinueRequest{RequestHeader: hdr(0x76, 0), StreamData: []byte{1, 2, 3}},
		&rop.SynchronizationUploadStateStreamEndRequest{RequestHeader: hdr(0x77, 0)},
	}, []uint32{dh})
	if code != 0 {
		t.Fatal(code)
	}
	want(res, 1, ecInvalidParam)
	icsDrain(t, c, dh, 1000, 0)
	out = c.exec([]rop.Request{&rop.SynchronizationUploadStateStreamBeginRequest{RequestHeader: hdr(0x75, 0), StateProperty: fxics.MetaTagCnsetSeen}}, []uint32{dh})
	want(out, 0, ecInvalidParam)

	// Copy operations: bad flags, wrong objects, unknown messages.
	out = c.exec([]rop.Request{&rop.FastTransferSourceCopyToRequest{RequestHeader: hdr(0x4D, 0), OutputHandleIndex: 1, CopyFlags: 0x10, SendOptions: 1}}, []uint32{ih, icsNone})
	want(out, 0, ecInvalidParam)
	out = c.exec([]rop.Request{&rop.FastTransferSourceCopyToRequest{RequestHeader: hdr(0x4D, 0), OutputHandleIndex: 1, SendOptions: 1}}, []uint32{lh, icsNone})
	want(out, 0, ecNotSupported)
	out = c.exec([]rop.Request{&rop.FastTransferSourceCopyMessagesRequest{RequestHeader: hdr(0x4B, 0), OutputHandleIndex: 1, SendOptions: 1, MessageIds: []prop.ID{prop.MakeID(1, 0xABCDEF)}}}, []uint32{ih, icsNone})
	want(out, 0, ecNotFound)
	out = c.exec([]rop.Request{&rop.FastTransferSourceCopyFolderRequest{RequestHeader: hdr(0x4C, 0), OutputHandleIndex: 1, CopyFlags: 0x20, SendOptions: 1}}, []uint32{ih, icsNone})
	want(out, 0, ecInvalidParam)

	// Bob, with FolderVisible only on alice's Inbox, may sync its
	// hierarchy but not its contents.
	out = c.exec([]rop.Request{&rop.ModifyPermissionsRequest{RequestHeader: hdr(0x40, 0), PermissionsData: []rop.PermissionData{{
		PermissionDataFlags: rop.PermAddRow,
		PropertyValues: []prop.TaggedValue{{Tag: store.TagEntryId, Value: prptABEntryID(bmb.LegacyDN)},
			{Tag: store.TagMemberRights, Value: int32(store.RightFolderVisible)}},
	}}}}, []uint32{ih})
	out.must(t, 0)
	cb := h.connect(bob)
	bl := cb.logonTo(amb.LegacyDN, 0)
	bih := foldOpen(t, cb, bl, cb.fids[4])
	out = cb.exec([]rop.Request{cfg(1, 1, nil)}, []uint32{bih, icsNone})
	want(out, 0, ecAccessDenied)
	out = cb.exec([]rop.Request{&rop.FastTransferSourceCopyMessagesRequest{RequestHeader: hdr(0x4B, 0), OutputHandleIndex: 1, SendOptions: 1}}, []uint32{bih, icsNone})
	want(out, 0, ecAccessDenied)
	el, _ := icsSync(t, cb, bih, 2, syncUnicode, syncEid, nil, nil, fxics.ICSState{})
	if n := len(el.Elements(fxics.KindFolderChange)); n != 0 {
		t.Errorf("bob sees %d of alice's Inbox subfolders without rights on them", n)
	}
}

package server

import (
	"sync"
	"testing"

	"github.com/mapiscope/mapiscope/decode/prop"
	"github.com/mapiscope/mapiscope/decode/rop"
	"github.com/mapiscope/mapiscope/server/store"
)

// Tests of the folder, property, named-property, id, rule, permission
// and search-folder ROPs, end to end through the harness.

const foldNone = 0xFFFFFFFF

var (
	foldPSETIDCommon      = prop.GUID{0x08, 0x20, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0xC0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x46}
	foldPSInternetHeaders = prop.GUID{0x86, 0x03, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0xC0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x46}
)

// foldOpen opens a folder from the logon at handle lh and returns its handle.
func foldOpen(t *testing.T, c *tconn, lh uint32, fid prop.ID) uint32 {
	t.Helper()
	out := c.exec([]rop.Request{&rop.OpenFolderRequest{RequestHeader: hdr(0x02, 0), OutputHandleIndex: 1, FolderId: fid}}, []uint32{lh, foldNone})
	out.must(t, 0)
	return out.handles[1]
}

// foldGet runs RopGetPropertiesSpecific on the object at handle h.
func foldGet(t *testing.T, c *tconn, h uint32, unicode uint16, limit uint16, tags ...prop.Tag) *rop.GetPropertiesSpecificResponse {
	t.Helper()
	out := c.exec([]rop.Request{&rop.GetPropertiesSpecificRequest{RequestHeader: hdr(0x07, 0), PropertySizeLimit: limit, WantUnicode: unicode, PropertyTags: tags}}, []uint32{h})
	return out.must(t, 0).(*rop.GetPropertiesSpecificResponse)
}

// foldCell returns the value of cell i of a row, whatever its form, and
// whether it holds a value (not an error).
func foldCell(row prop.Row, i int) (any, prop.ErrorCode, bool) {
	switch v := row.Values[i].(type) {
	case prop.FlaggedValue:
		if v.Flag == prop.FlagError {
			ec, _ := v.Value.(prop.ErrorCode)
			return nil, ec, false
		}
		return v.Value, 0, v.Flag == prop.FlagValue
	case prop.TypedValue:
		return v.Value, 0, true
	default:
		return v, 0, true
	}
}

// foldCreate creates a folder under the folder at handle parent and
// returns the response and the new folder's handle.
func foldCreate(t *testing.T, c *tconn, parent uint32, name string, ftype uint8, openExisting bool) (*rop.CreateFolderResponse, uint32) {
	t.Helper()
	out := c.exec([]rop.Request{&rop.CreateFolderRequest{RequestHeader: hdr(0x1C, 0), OutputHandleIndex: 1, FolderType: ftype,
		UseUnicodeStrings: true, OpenExisting: openExisting, DisplayName: name, Comment: "made by a test"}}, []uint32{parent, foldNone})
	r := out.resp(0).(*rop.CreateFolderResponse)
	return r, out.handles[1]
}

func foldMailbox(t *testing.T, h *harness, email string) *store.Mailbox {
	t.Helper()
	mb, err := h.st.MailboxByEmail(email)
	if err != nil {
		t.Fatal(err)
	}
	return mb
}

func TestFoldOpenAndGetProperties(t *testing.T) {
	h := newHarness(t)
	c := h.connect(alice)
	lh := c.logon()
	mb := foldMailbox(t, h, alice)

	// The logon object: owner name, IPM subtree entry id, display name
	// asked as PtypUnspecified, and a property nobody set.
	tags := []prop.Tag{prptMailboxOwnerName, prptIpmSubtreeEntryId, prop.NewTag(0x3001, prop.PtypUnspecified), 0x12340003}
	for _, unicode := range []uint16{1, 0} {
		r := foldGet(t, c, lh, unicode, 0, tags...)
		if r.RowData.Flag != 1 {
			t.Fatalf("row flag %d, want a FlaggedPropertyRow for the missing property", r.RowData.Flag)
		}
		if v, _, _ := foldCell(r.RowData, 0); v != "Alice Example" {
			t.Errorf("PidTagMailboxOwnerName %v", v)
		}
		v, _, _ := foldCell(r.RowData, 1)
		_, eid, _, anomalies := prop.DecodeEntryID(v.([]byte), false)
		fe, ok := eid.(*prop.FolderEntryID)
		if !ok || len(anomalies) > 0 || uint64(fe.GlobalCounter) != c.fids[3].GlobalCounter() || fe.DatabaseGuid != mb.ReplicaGUID || fe.ProviderUID != mb.MailboxGUID {
			t.Errorf("PidTagIpmSubtreeEntryId %x does not name the IPM subtree %v (%v)", v, c.fids[3], anomalies)
		}
		fv := r.RowData.Values[2].(prop.FlaggedValue)
		want := prop.PtypString
		if unicode == 0 {
			want = prop.PtypString8
		}
		if fv.Type != want || fv.Value != "Mailbox - Alice Example" {
			t.Errorf("WantUnicode %d: display name %v %v, want %v", unicode, fv.Type, fv.Value, want)
		}
		if _, ec, ok := foldCell(r.RowData, 3); ok || ec != ecNotFound {
			t.Errorf("missing property: error %v, want ecNotFound", ec)
		}
	}

	// The Inbox: name and count, in both string widths.
	ih := foldOpen(t, c, lh, c.fids[4])
	counts, err := h.st.FolderCounts(mb, c.fids[4])
	if err != nil {
		t.Fatal(err)
	}
	for _, unicode := range []uint16{1, 0} {
		r := foldGet(t, c, ih, unicode, 0, store.TagDisplayName, store.TagContentCount, prop.NewTag(0x3001, prop.PtypString8), prop.NewTag(0x3613, prop.PtypUnspecified))
		if r.RowData.Flag != 0 {
			t.Fatalf("row flag %d, want a StandardPropertyRow", r.RowData.Flag)
		}
		if r.RowData.Values[0] != "Inbox" || r.RowData.Values[2] != "Inbox" {
			t.Errorf("display name %v / %v", r.RowData.Values[0], r.RowData.Values[2])
		}
		if r.RowData.Values[1] != int32(counts.Content) || counts.Content == 0 {
			t.Errorf("PidTagContentCount %v, store has %d", r.RowData.Values[1], counts.Content)
		}
		tv := r.RowData.Values[3].(prop.TypedValue)
		if (unicode != 0) != (tv.Type == prop.PtypString) || tv.Value != "IPF.Note" {
			t.Errorf("WantUnicode %d: container class %v %v", unicode, tv.Type, tv.Value)
		}
	}
	// A value over PropertySizeLimit is an error cell.
	r := foldGet(t, c, ih, 1, 4, store.TagDisplayName, store.TagContentCount)
	if _, ec, ok := foldCell(r.RowData, 0); ok || ec != ecPrptOOM {
		t.Errorf("display name over the size limit: %v, want ecMAPIOOM", ec)
	}
	if v, _, ok := foldCell(r.RowData, 1); !ok || v != int32(counts.Content) {
		t.Errorf("content count under the size limit: %v", v)
	}

	// GetPropertiesAll and GetPropertiesList.
	for _, unicode := range []uint16{1, 0} {
		out := c.exec([]rop.Request{&rop.GetPropertiesAllRequest{RequestHeader: hdr(0x08, 0), WantUnicode: unicode}}, []uint32{ih})
		all := out.must(t, 0).(*rop.GetPropertiesAllResponse)
		found := false
		for _, tv := range all.PropertyValues {
			if tv.Tag.ID() == store.TagDisplayName.ID() {
				found = tv.Value == "Inbox"
				if (unicode != 0) != (tv.Tag.Type() == prop.PtypString) {
					t.Errorf("WantUnicode %d: GetPropertiesAll display name typed %v", unicode, tv.Tag.Type())
				}
			}
		}
		if !found {
			t.Errorf("GetPropertiesAll lacks PidTagDisplayName: %v", all.PropertyValues)
		}
	}
	out := c.exec([]rop.Request{&rop.GetPropertiesListRequest{RequestHeader: hdr(0x09, 0)}}, []uint32{ih})
	list := out.must(t, 0).(*rop.GetPropertiesListResponse)
	have := map[prop.Tag]bool{}
	for _, tag := range list.PropertyTags {
		have[tag] = true
	}
	for _, tag := range []prop.Tag{store.TagDisplayName, store.TagContentCount, store.TagFolderId, prptEntryId} {
		if !have[tag] {
			t.Errorf("GetPropertiesList lacks %v", tag)
		}
	}

	// Failures: an empty handle slot, a folder that does not exist.
	out = c.exec([]rop.Request{
		&rop.GetPropertiesSpecificRequest{RequestHeader: hdr(0x07, 1), PropertyTags: []prop.Tag{store.TagDisplayName}},
		&rop.OpenFolderRequest{RequestHeader: hdr(0x02, 0), OutputHandleIndex: 1, FolderId: prop.MakeID(1, 0xABCDEF)},
	}, []uint32{lh, foldNone})
	if rv := out.resp(0).Header().ReturnValue; rv != ecNullObject {
		t.Errorf("GetPropertiesSpecific on an empty slot: %v, want ecNullObject", rv)
	}
	if rv := out.resp(1).Header().ReturnValue; rv != ecNotFound {
		t.Errorf("OpenFolder of an unknown id: %v, want ecNotFound", rv)
	}
}

func TestFoldSetDeleteProperties(t *testing.T) {
	h := newHarness(t)
	c := h.connect(alice)
	lh := c.logon()
	ih := foldOpen(t, c, lh, c.fids[4])
	cr, fh := foldCreate(t, c, ih, "Scratch", 1, false)
	if cr.ReturnValue != 0 {
		t.Fatalf("CreateFolder: %v", cr.ReturnValue)
	}
	custom := prop.NewTag(0x6701, prop.PtypInteger32)
	out := c.exec([]rop.Request{&rop.SetPropertiesRequest{RequestHeader: hdr(0x0A, 0), PropertyValues: []prop.TaggedValue{
		{Tag: store.TagComment, Value: "hello"},
		{Tag: store.TagContentCount, Value: int32(99)},
		{Tag: custom, Value: int32(7)},
	}}}, []uint32{fh})
	sp := out.must(t, 0).(*rop.SetPropertiesResponse)
	if len(sp.PropertyProblems) != 1 || sp.PropertyProblems[0].Index != 1 || sp.PropertyProblems[0].ErrorCode != ecAccessDenied {
		t.Fatalf("problems %+v, want one for PidTagContentCount (index 1, ecAccessDenied)", sp.PropertyProblems)
	}
	r := foldGet(t, c, fh, 1, 0, store.TagComment, store.TagContentCount, custom)
	if r.RowData.Values[0] != "hello" || r.RowData.Values[1] != int32(0) || r.RowData.Values[2] != int32(7) {
		t.Errorf("after SetProperties: %v", r.RowData.Values)
	}
	out = c.exec([]rop.Request{&rop.DeletePropertiesRequest{RequestHeader: hdr(0x0B, 0), PropertyTags: []prop.Tag{store.TagComment, store.TagFolderId}}}, []uint32{fh})
	dp := out.must(t, 0).(*rop.DeletePropertiesResponse)
	if len(dp.PropertyProblems) != 1 || dp.PropertyProblems[0].Index != 1 {
		t.Errorf("delete problems %+v, want one for PidTagFolderId", dp.PropertyProblems)
	}
	r = foldGet(t, c, fh, 1, 0, store.TagComment, custom)
	if _, ec, ok := foldCell(r.RowData, 0); ok || ec != ecNotFound {
		t.Errorf("comment after DeleteProperties: %v", r.RowData.Values[0])
	}
	// The NoReplicate twins.
	out = c.exec([]rop.Request{
		&rop.SetPropertiesNoReplicateRequest{RequestHeader: hdr(0x79, 0), PropertyValues: []prop.TaggedValue{{Tag: store.TagComment, Value: "again"}}},
		&rop.DeletePropertiesNoReplicateRequest{RequestHeader: hdr(0x7A, 0), PropertyTags: []prop.Tag{custom}},
	}, []uint32{fh})
	out.must(t, 0)
	out.must(t, 1)
	r = foldGet(t, c, fh, 1, 0, store.TagComment, custom)
	if v, _, _ := foldCell(r.RowData, 0); v != "again" {
		t.Errorf("comment %v", v)
	}
	if _, _, ok := foldCell(r.RowData, 1); ok {
		t.Error("custom property survived DeletePropertiesNoReplicate")
	}
	// A name taken by a sibling.
	out = c.exec([]rop.Request{&rop.SetPropertiesRequest{RequestHeader: hdr(0x0A, 0), PropertyValues: []prop.TaggedValue{{Tag: store.TagDisplayName, Value: "Projects"}}}}, []uint32{fh})
	if rv := out.resp(0).Header().ReturnValue; rv != ecFoldDuplicateName {
		t.Errorf("renaming onto a sibling: %v, want ecDuplicateName", rv)
	}
	// Logon properties: settable by the owner, computed ones refused.
	out = c.exec([]rop.Request{&rop.SetPropertiesRequest{RequestHeader: hdr(0x0A, 0), PropertyValues: []prop.TaggedValue{
		{Tag: prptMailboxOwnerName, Value: "Mallory"}, {Tag: 0x0E340003, Value: int32(0x100)},
	}}}, []uint32{lh})
	sp = out.must(t, 0).(*rop.SetPropertiesResponse)
	if len(sp.PropertyProblems) != 1 || sp.PropertyProblems[0].Index != 0 {
		t.Errorf("logon problems %+v", sp.PropertyProblems)
	}
	r = foldGet(t, c, lh, 1, 0, prptMailboxOwnerName, 0x0E340003)
	if r.RowData.Values[0] != "Alice Example" || r.RowData.Values[1] != int32(0x100) {
		t.Errorf("logon after SetProperties: %v", r.RowData.Values)
	}
}

func TestFoldNamedProperties(t *testing.T) {
	h := newHarness(t)
	c := h.connect(alice)
	lh := c.logon()
	names := []prop.PropertyName{
		{Kind: prop.KindLID, Guid: foldPSETIDCommon, LID: 0x8580},
		{Kind: prop.KindName, Guid: foldPSInternetHeaders, Name: "X-Mapiscope-Test"},
		{Kind: prop.KindLID, Guid: store.PSMAPI, LID: 0x0037},
	}
	// Without Create the unknown names map to 0 with a warning.
	out := c.exec([]rop.Request{&rop.GetPropertyIdsFromNamesRequest{RequestHeader: hdr(0x56, 0), PropertyNames: names}}, []uint32{lh})
	ids := out.resp(0).(*rop.GetPropertyIdsFromNamesResponse)
	if ids.ReturnValue != ecWarnWithErrors || len(ids.PropertyIds) != 3 || ids.PropertyIds[0] != 0 || ids.PropertyIds[2] != 0x0037 {
		t.Fatalf("without Create: %v %v", ids.ReturnValue, ids.PropertyIds)
	}
	out = c.exec([]rop.Request{&rop.GetPropertyIdsFromNamesRequest{RequestHeader: hdr(0x56, 0), Flags: 0x02, PropertyNames: names}}, []uint32{lh})
	ids = out.must(t, 0).(*rop.GetPropertyIdsFromNamesResponse)
	if len(ids.PropertyIds) != 3 || ids.PropertyIds[0] < 0x8000 || ids.PropertyIds[1] < 0x8000 || ids.PropertyIds[0] == ids.PropertyIds[1] || ids.PropertyIds[2] != 0x0037 {
		t.Fatalf("with Create: %v", ids.PropertyIds)
	}
	id1, id2 := ids.PropertyIds[0], ids.PropertyIds[1]
	// Stable on a second call (another object of the same mailbox).
	ih := foldOpen(t, c, lh, c.fids[4])
	out = c.exec([]rop.Request{&rop.GetPropertyIdsFromNamesRequest{RequestHeader: hdr(0x56, 0), PropertyNames: names[:2]}}, []uint32{ih})
	if again := out.must(t, 0).(*rop.GetPropertyIdsFromNamesResponse); again.PropertyIds[0] != id1 || again.PropertyIds[1] != id2 {
		t.Errorf("ids changed: %v, want %v %v", again.PropertyIds, id1, id2)
	}
	// Every mapping for an empty name list.
	out = c.exec([]rop.Request{&rop.GetPropertyIdsFromNamesRequest{RequestHeader: hdr(0x56, 0)}}, []uint32{lh})
	if all := out.must(t, 0).(*rop.GetPropertyIdsFromNamesResponse); len(all.PropertyIds) != 2 {
		t.Errorf("all mappings: %v, want the 2 created", all.PropertyIds)
	}
	// Round trip through GetNamesFromPropertyIds.
	out = c.exec([]rop.Request{&rop.GetNamesFromPropertyIdsRequest{RequestHeader: hdr(0x55, 0), PropertyIds: []uint16{id1, id2, 0x0037, 0xFFF0}}}, []uint32{lh})
	nr := out.resp(0).(*rop.GetNamesFromPropertyIdsResponse)
	if nr.ReturnValue != ecWarnWithErrors || len(nr.PropertyNames) != 4 {
		t.Fatalf("GetNamesFromPropertyIds: %v %d names", nr.ReturnValue, len(nr.PropertyNames))
	}
	if nr.PropertyNames[0] != names[0] || nr.PropertyNames[1] != names[1] || nr.PropertyNames[2] != names[2] || nr.PropertyNames[3].Kind != prop.KindNone {
		t.Errorf("names %+v", nr.PropertyNames)
	}
	// QueryNamedProperties, whole map and one property set.
	out = c.exec([]rop.Request{
		&rop.QueryNamedPropertiesRequest{RequestHeader: hdr(0x5F, 0)},
		&rop.QueryNamedPropertiesRequest{RequestHeader: hdr(0x5F, 0), HasGuid: true, PropertyGuid: foldPSInternetHeaders},
		&rop.QueryNamedPropertiesRequest{RequestHeader: hdr(0x5F, 0), QueryFlags: 0x01},
	}, []uint32{lh})
	q := out.must(t, 0).(*rop.QueryNamedPropertiesResponse)
	if len(q.PropertyIds) != 2 || q.PropertyIds[0] != id1 || q.PropertyNames[1] != names[1] {
		t.Errorf("QueryNamedProperties: %v %+v", q.PropertyIds, q.PropertyNames)
	}
	if q := out.must(t, 1).(*rop.QueryNamedPropertiesResponse); len(q.PropertyIds) != 1 || q.PropertyIds[0] != id2 {
		t.Errorf("QueryNamedProperties of PS_INTERNET_HEADERS: %v", q.PropertyIds)
	}
	if q := out.must(t, 2).(*rop.QueryNamedPropertiesResponse); len(q.PropertyIds) != 1 || q.PropertyIds[0] != id1 {
		t.Errorf("QueryNamedProperties NoStrings: %v", q.PropertyIds)
	}
	// A value under the named id.
	tag := prop.NewTag(id1, prop.PtypInteger32)
	out = c.exec([]rop.Request{
		&rop.SetPropertiesRequest{RequestHeader: hdr(0x0A, 0), PropertyValues: []prop.TaggedValue{{Tag: tag, Value: int32(42)}}},
		&rop.GetPropertiesSpecificRequest{RequestHeader: hdr(0x07, 0), WantUnicode: 1, PropertyTags: []prop.Tag{tag}},
	}, []uint32{ih})
	out.must(t, 0)
	if r := out.must(t, 1).(*rop.GetPropertiesSpecificResponse); r.RowData.Values[0] != int32(42) {
		t.Errorf("named property value %v", r.RowData.Values[0])
	}
	// Bob's mailbox has its own map.
	cb := h.connect(bob)
	bl := cb.logon()
	out = cb.exec([]rop.Request{&rop.GetNamesFromPropertyIdsRequest{RequestHeader: hdr(0x55, 0), PropertyIds: []uint16{id1}}}, []uint32{bl})
	if nr := out.resp(0).(*rop.GetNamesFromPropertyIdsResponse); nr.ReturnValue != ecWarnWithErrors {
		t.Errorf("bob sees alice's name map: %v", nr.ReturnValue)
	}
}

// foldEvents collects the events published for a mailbox.
type foldEvents struct {
	mu  sync.Mutex
	evs []event
}

func (e *foldEvents) has(kind uint16, fid prop.ID) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, ev := range e.evs {
		if ev.kind == kind && ev.fid == fid {
			return true
		}
	}
	return false
}

func foldListen(h *harness, mb *store.Mailbox) *foldEvents {
	e := &foldEvents{}
	sub := &subscription{mailbox: mb.ID, deliver: func(ev event) {
		e.mu.Lock()
		e.evs = append(e.evs, ev)
		e.mu.Unlock()
	}}
	h.srv.events.subscribe(sub)
	h.t.Cleanup(func() { h.srv.events.unsubscribe(sub) })
	return e
}

func TestFoldCreateMoveCopyEmptyDelete(t *testing.T) {
	h := newHarness(t)
	c := h.connect(alice)
	lh := c.logon()
	mb := foldMailbox(t, h, alice)
	evs := foldListen(h, mb)
	ih := foldOpen(t, c, lh, c.fids[4])

	a, ah := foldCreate(t, c, ih, "Alpha", 1, false)
	if a.ReturnValue != 0 || a.IsExistingFolder || a.FolderId == 0 {
		t.Fatalf("CreateFolder: %+v", a)
	}
	if !evs.has(fnevObjectCreated, a.FolderId) {
		t.Error("no ObjectCreated event for the new folder")
	}
	again, _ := foldCreate(t, c, ih, "alpha", 1, true)
	if again.ReturnValue != 0 || !again.IsExistingFolder || again.FolderId != a.FolderId {
		t.Errorf("CreateFolder OpenExisting: %+v", again)
	}
	dup, _ := foldCreate(t, c, ih, "Alpha", 1, false)
	if dup.ReturnValue != ecFoldDuplicateName {
		t.Errorf("duplicate CreateFolder: %v, want ecDuplicateName", dup.ReturnValue)
	}
	if bad, _ := foldCreate(t, c, ih, "Gamma", 7, false); bad.ReturnValue != ecInvalidParam {
		t.Errorf("FolderType 7: %v, want ecInvalidParam", bad.ReturnValue)
	}
	// 8-bit names.
	out := c.exec([]rop.Request{&rop.CreateFolderRequest{RequestHeader: hdr(0x1C, 0), OutputHandleIndex: 1, FolderType: 1, DisplayName: "Beta"}}, []uint32{ih, foldNone})
	b := out.must(t, 0).(*rop.CreateFolderResponse)
	bh := out.handles[1]
	if f, err := h.st.Folder(mb, b.FolderId); err != nil || f.Name != "Beta" {
		t.Fatalf("8-bit CreateFolder: %v %v", f, err)
	}
	sub, _ := foldCreate(t, c, ah, "Alpha child", 1, false)
	if sub.ReturnValue != 0 {
		t.Fatal(sub.ReturnValue)
	}

	// Move Alpha under Beta, renamed.
	out = c.exec([]rop.Request{&rop.MoveFolderRequest{RequestHeader: hdr(0x35, 0), DestHandleIndex: 1, UseUnicode: true, FolderId: a.FolderId, NewFolderName: "Alpha moved"}}, []uint32{ih, bh})
	out.must(t, 0)
	if f, err := h.st.Folder(mb, a.FolderId); err != nil || f.Parent != b.FolderId || f.Name != "Alpha moved" {
		t.Errorf("after MoveFolder: %+v %v", f, err)
	}
	if !evs.has(fnevObjectMoved, a.FolderId) {
		t.Error("no ObjectMoved event")
	}
	// A bad destination handle: ecDstNullObject with DestHandleIndex.
	out = c.exec([]rop.Request{&rop.MoveFolderRequest{RequestHeader: hdr(0x35, 0), DestHandleIndex: 1, FolderId: a.FolderId}}, []uint32{bh, foldNone})
	if mr := out.resp(0).(*rop.MoveFolderResponse); mr.ReturnValue != ecDstNullObject || mr.DestHandleIndex != 1 {
		t.Errorf("MoveFolder to nothing: %v dest %d", mr.ReturnValue, mr.DestHandleIndex)
	}
	// The folder must be a child of the source.
	out = c.exec([]rop.Request{&rop.MoveFolderRequest{RequestHeader: hdr(0x35, 0), DestHandleIndex: 1, FolderId: a.FolderId}}, []uint32{ih, bh})
	if rv := out.resp(0).Header().ReturnValue; rv != ecNotFound {
		t.Errorf("MoveFolder from the wrong parent: %v", rv)
	}

	// Copy the seeded Projects folder (two messages) under Beta, and
	// Beta recursively under the Inbox.
	projects, err := h.st.FolderByName(mb, c.fids[4], "Projects")
	if err != nil {
		t.Fatal(err)
	}
	out = c.exec([]rop.Request{
		&rop.CopyFolderRequest{RequestHeader: hdr(0x36, 0), DestHandleIndex: 1, UseUnicode: true, FolderId: projects.ID, NewFolderName: "Projects copy"},
		&rop.CopyFolderRequest{RequestHeader: hdr(0x36, 0), DestHandleIndex: 0, WantRecursive: true, UseUnicode: true, FolderId: b.FolderId, NewFolderName: "Beta copy"},
	}, []uint32{ih, bh})
	out.must(t, 0)
	out.must(t, 1)
	pc, err := h.st.FolderByName(mb, b.FolderId, "Projects copy")
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := h.st.FolderCounts(mb, pc.ID); n.Content != 2 {
		t.Errorf("copied folder has %d messages, want 2", n.Content)
	}
	bc, err := h.st.FolderByName(mb, c.fids[4], "Beta copy")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.st.FolderByName(mb, bc.ID, "Alpha moved"); err != nil {
		t.Errorf("recursive CopyFolder lost a subfolder: %v", err)
	}
	if !evs.has(fnevObjectCopied, bc.ID) {
		t.Error("no ObjectCopied event")
	}

	// EmptyFolder on Beta removes its subfolders.
	out = c.exec([]rop.Request{&rop.EmptyFolderRequest{RequestHeader: hdr(0x58, 0)}}, []uint32{bh})
	if er := out.must(t, 0).(*rop.EmptyFolderResponse); er.PartialCompletion {
		t.Error("EmptyFolder partial")
	}
	if n, _ := h.st.FolderCounts(mb, b.FolderId); n.Subfolders != 0 {
		t.Errorf("Beta has %d subfolders after EmptyFolder", n.Subfolders)
	}
	out = c.exec([]rop.Request{&rop.HardDeleteMessagesAndSubfoldersRequest{RequestHeader: hdr(0x92, 0), WantDeleteAssociated: true}}, []uint32{bh})
	out.must(t, 0)

	// DeleteFolder: a folder with subfolders stays without DEL_FOLDERS.
	out = c.exec([]rop.Request{&rop.DeleteFolderRequest{RequestHeader: hdr(0x1D, 0), FolderId: bc.ID}}, []uint32{ih})
	if dr := out.must(t, 0).(*rop.DeleteFolderResponse); !dr.PartialCompletion {
		t.Error("DeleteFolder of a non-empty folder without flags: not partial")
	}
	if _, err := h.st.Folder(mb, bc.ID); err != nil {
		t.Errorf("non-empty folder deleted: %v", err)
	}
	out = c.exec([]rop.Request{
		&rop.DeleteFolderRequest{RequestHeader: hdr(0x1D, 0), DeleteFolderFlags: store.DelFolders | store.DelMessages, FolderId: bc.ID},
		&rop.DeleteFolderRequest{RequestHeader: hdr(0x1D, 0), DeleteFolderFlags: 0x40, FolderId: b.FolderId},
		&rop.DeleteFolderRequest{RequestHeader: hdr(0x1D, 0), DeleteFolderFlags: store.DelHardDelete, FolderId: b.FolderId},
	}, []uint32{ih})
	if dr := out.must(t, 0).(*rop.DeleteFolderResponse); dr.PartialCompletion {
		t.Error("DeleteFolder with DEL_FOLDERS|DEL_MESSAGES partial")
	}
	if _, err := h.st.Folder(mb, bc.ID); err == nil {
		t.Error("folder still there after DeleteFolder")
	}
	if !evs.has(fnevObjectDeleted, bc.ID) {
		t.Error("no ObjectDeleted event")
	}
	if rv := out.resp(1).Header().ReturnValue; rv != ecInvalidParam {
		t.Errorf("DeleteFolder with an unknown flag: %v", rv)
	}
	out.must(t, 2)
	// Special folders stay.
	ph := foldOpen(t, c, lh, c.fids[3])
	out = c.exec([]rop.Request{&rop.DeleteFolderRequest{RequestHeader: hdr(0x1D, 0), DeleteFolderFlags: 0x15, FolderId: c.fids[4]}}, []uint32{ph})
	if rv := out.resp(0).Header().ReturnValue; rv != ecAccessDenied {
		t.Errorf("deleting the Inbox: %v, want ecAccessDenied", rv)
	}
}

func TestFoldCopyToAndCopyProperties(t *testing.T) {
	h := newHarness(t)
	c := h.connect(alice)
	lh := c.logon()
	mb := foldMailbox(t, h, alice)
	ih := foldOpen(t, c, lh, c.fids[4])
	x, xh := foldCreate(t, c, ih, "X", 1, false)
	y, yh := foldCreate(t, c, ih, "Y", 1, false)
	if x.ReturnValue != 0 || y.ReturnValue != 0 {
		t.Fatal("CreateFolder failed")
	}
	custom := prop.NewTag(0x6702, prop.PtypString)
	c.exec([]rop.Request{
		&rop.SetPropertiesRequest{RequestHeader: hdr(0x0A, 0), PropertyValues: []prop.TaggedValue{
			{Tag: store.TagContainerClass, Value: "IPF.Task"}, {Tag: store.TagComment, Value: "from X"}, {Tag: custom, Value: "x only"}}},
		&rop.SetPropertiesRequest{RequestHeader: hdr(0x0A, 1), PropertyValues: []prop.TaggedValue{
			{Tag: store.TagContainerClass, Value: "IPF.Note"}}},
	}, []uint32{xh, yh}).must(t, 1)

	// CopyProperties: one present, one missing.
	out := c.exec([]rop.Request{&rop.CopyPropertiesRequest{RequestHeader: hdr(0x67, 0), DestHandleIndex: 1,
		PropertyTags: []prop.Tag{store.TagComment, prop.NewTag(0x6703, prop.PtypString)}}}, []uint32{xh, yh})
	cp := out.must(t, 0).(*rop.CopyPropertiesResponse)
	if len(cp.PropertyProblems) != 1 || cp.PropertyProblems[0].Index != 1 || cp.PropertyProblems[0].ErrorCode != ecNotFound {
		t.Errorf("CopyProperties problems %+v", cp.PropertyProblems)
	}
	r := foldGet(t, c, yh, 1, 0, store.TagComment, store.TagContainerClass)
	if r.RowData.Values[0] != "from X" || r.RowData.Values[1] != "IPF.Note" {
		t.Errorf("Y after CopyProperties: %v", r.RowData.Values)
	}
	// CopyTo without overwriting, then excluding the container class.
	c.exec([]rop.Request{&rop.CopyToRequest{RequestHeader: hdr(0x39, 0), DestHandleIndex: 1, CopyFlags: 0x02}}, []uint32{xh, yh}).must(t, 0)
	r = foldGet(t, c, yh, 1, 0, custom, store.TagContainerClass, store.TagDisplayName)
	if r.RowData.Values[0] != "x only" || r.RowData.Values[1] != "IPF.Note" || r.RowData.Values[2] != "Y" {
		t.Errorf("Y after CopyTo NoOverwrite: %v", r.RowData.Values)
	}
	c.exec([]rop.Request{&rop.CopyToRequest{RequestHeader: hdr(0x39, 0), DestHandleIndex: 1, ExcludedTags: []prop.Tag{store.TagComment}}}, []uint32{xh, yh}).must(t, 0)
	r = foldGet(t, c, yh, 1, 0, store.TagContainerClass)
	if r.RowData.Values[0] != "IPF.Task" {
		t.Errorf("container class after CopyTo: %v", r.RowData.Values[0])
	}
	// With subobjects: the messages of Projects into Y.
	projects, _ := h.st.FolderByName(mb, c.fids[4], "Projects")
	pjh := foldOpen(t, c, lh, projects.ID)
	c.exec([]rop.Request{&rop.CopyToRequest{RequestHeader: hdr(0x39, 0), DestHandleIndex: 1, WantSubObjects: true}}, []uint32{pjh, yh}).must(t, 0)
	if n, _ := h.st.FolderCounts(mb, y.FolderId); n.Content != 2 {
		t.Errorf("Y has %d messages after CopyTo with subobjects, want 2", n.Content)
	}
	if n, _ := h.st.FolderCounts(mb, projects.ID); n.Content != 2 {
		t.Errorf("Projects has %d messages after CopyTo, want 2", n.Content)
	}
	// Failures: Move on folders, a bad destination, different kinds.
	out = c.exec([]rop.Request{
		&rop.CopyToRequest{RequestHeader: hdr(0x39, 0), DestHandleIndex: 1, CopyFlags: 0x01},
		&rop.CopyToRequest{RequestHeader: hdr(0x39, 0), DestHandleIndex: 2},
		&rop.CopyPropertiesRequest{RequestHeader: hdr(0x67, 0), DestHandleIndex: 2, PropertyTags: []prop.Tag{store.TagComment}},
		&rop.CopyToRequest{RequestHeader: hdr(0x39, 0), DestHandleIndex: 3},
		&rop.CopyToRequest{RequestHeader: hdr(0x39, 0), DestHandleIndex: 1, CopyFlags: 0x08},
	}, []uint32{xh, yh, foldNone, lh})
	if rv := out.resp(0).Header().ReturnValue; rv != ecNotSupported {
		t.Errorf("CopyTo Move on folders: %v", rv)
	}
	if ct := out.resp(1).(*rop.CopyToResponse); ct.ReturnValue != ecDstNullObject || ct.DestHandleIndex != 2 {
		t.Errorf("CopyTo to nothing: %v dest %d", ct.ReturnValue, ct.DestHandleIndex)
	}
	if cp := out.resp(2).(*rop.CopyPropertiesResponse); cp.ReturnValue != ecDstNullObject || cp.DestHandleIndex != 2 {
		t.Errorf("CopyProperties to nothing: %v dest %d", cp.ReturnValue, cp.DestHandleIndex)
	}
	if rv := out.resp(3).Header().ReturnValue; rv != ecNotSupported {
		t.Errorf("CopyTo folder to logon: %v", rv)
	}
	if rv := out.resp(4).Header().ReturnValue; rv != ecInvalidParam {
		t.Errorf("CopyTo with an unknown flag: %v", rv)
	}
}

func TestFoldLongTermIds(t *testing.T) {
	h := newHarness(t)
	c := h.connect(alice)
	lh := c.logon()
	mb := foldMailbox(t, h, alice)
	out := c.exec([]rop.Request{&rop.LongTermIdFromIdRequest{RequestHeader: hdr(0x43, 0), ObjectId: c.fids[4]}}, []uint32{lh})
	lt := out.must(t, 0).(*rop.LongTermIdFromIdResponse).LongTermId
	if lt.DatabaseGuid != mb.ReplicaGUID || uint64(lt.GlobalCounter) != c.fids[4].GlobalCounter() {
		t.Fatalf("LongTermId %+v", lt)
	}
	other := prop.GUID{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}
	out = c.exec([]rop.Request{
		&rop.IdFromLongTermIdRequest{RequestHeader: hdr(0x44, 0), LongTermId: lt},
		&rop.IdFromLongTermIdRequest{RequestHeader: hdr(0x44, 0), LongTermId: prop.LongTermID{DatabaseGuid: other, GlobalCounter: 0x1234}},
		&rop.IdFromLongTermIdRequest{RequestHeader: hdr(0x44, 0), LongTermId: prop.LongTermID{DatabaseGuid: other, GlobalCounter: 0x99}},
		&rop.IdFromLongTermIdRequest{RequestHeader: hdr(0x44, 0), LongTermId: prop.LongTermID{GlobalCounter: 0x1234}},
		&rop.LongTermIdFromIdRequest{RequestHeader: hdr(0x43, 0), ObjectId: prop.MakeID(0x0099, 5)},
	}, []uint32{lh})
	if id := out.must(t, 0).(*rop.IdFromLongTermIdResponse).ObjectId; id != c.fids[4] {
		t.Errorf("round trip gives %v, want %v", id, c.fids[4])
	}
	a := out.must(t, 1).(*rop.IdFromLongTermIdResponse).ObjectId
	b := out.must(t, 2).(*rop.IdFromLongTermIdResponse).ObjectId
	if a.ReplicaId() < 6 || a.ReplicaId() != b.ReplicaId() || a.GlobalCounter() != 0x1234 {
		t.Errorf("new REPLGUID mapped to %v and %v", a, b)
	}
	if rv := out.resp(3).Header().ReturnValue; rv != ecInvalidParam {
		t.Errorf("zero REPLGUID: %v", rv)
	}
	if rv := out.resp(4).Header().ReturnValue; rv != ecNotFound {
		t.Errorf("unknown REPLID: %v", rv)
	}
	// The new REPLID maps back to its GUID.
	out = c.exec([]rop.Request{&rop.LongTermIdFromIdRequest{RequestHeader: hdr(0x43, 0), ObjectId: a}}, []uint32{lh})
	if lt := out.must(t, 0).(*rop.LongTermIdFromIdResponse).LongTermId; lt.DatabaseGuid != other {
		t.Errorf("REPLID %d maps to %v", a.ReplicaId(), lt.DatabaseGuid)
	}
}

func foldRule(name string) []prop.TaggedValue {
	return []prop.TaggedValue{
		{Tag: store.TagRuleName, Value: name},
		{Tag: store.TagRuleSequence, Value: int32(10)},
		{Tag: store.TagRuleState, Value: int32(1)},
		{Tag: store.TagRuleProvider, Value: "RuleOrganizer"},
		{Tag: store.TagRuleCondition, Value: &prop.Restriction{RestrictType: prop.RestrictContent, FuzzyLevelLow: prop.FLSubstring,
			PropTag: store.TagSubject, TaggedValue: prop.TaggedValue{Tag: store.TagSubject, Value: "newsletter"}}},
		{Tag: store.TagRuleActions, Value: &prop.RuleActions{Actions: []prop.ActionBlock{{ActionType: prop.OpMarkAsRead}}}},
	}
}

func TestFoldModifyRules(t *testing.T) {
	h := newHarness(t)
	c := h.connect(alice)
	lh := c.logon()
	mb := foldMailbox(t, h, alice)
	ih := foldOpen(t, c, lh, c.fids[4])
	out := c.exec([]rop.Request{&rop.ModifyRulesRequest{RequestHeader: hdr(0x41, 0), RulesData: []rop.RuleData{
		{RuleDataFlags: rop.RowAdd, PropertyValues: foldRule("Newsletters")},
		{RuleDataFlags: rop.RowAdd, PropertyValues: foldRule("Second")},
	}}}, []uint32{ih})
	out.must(t, 0)
	rules, err := h.st.Rules(mb, c.fids[4])
	if err != nil || len(rules) != 2 || rules[0].Condition == nil || rules[0].Actions == nil {
		t.Fatalf("rules after ROW_ADD: %+v %v", rules, err)
	}
	out = c.exec([]rop.Request{&rop.OpenFolderRequest{RequestHeader: hdr(0x02, 0), OutputHandleIndex: 1, FolderId: c.fids[4]}}, []uint32{lh, foldNone})
	if of := out.must(t, 0).(*rop.OpenFolderResponse); !of.HasRules {
		t.Error("OpenFolder HasRules false with rules")
	}
	if r := foldGet(t, c, ih, 1, 0, prptHasRules); r.RowData.Values[0] != true {
		t.Errorf("PidTagHasRules %v", r.RowData.Values[0])
	}
	id := rules[0].ID
	other := rules[1].ID
	out = c.exec([]rop.Request{&rop.ModifyRulesRequest{RequestHeader: hdr(0x41, 0), RulesData: []rop.RuleData{
		{RuleDataFlags: rop.RowModify, PropertyValues: []prop.TaggedValue{{Tag: store.TagRuleId, Value: int64(id)}, {Tag: store.TagRuleName, Value: "Renamed"}}},
		{RuleDataFlags: rop.RowRemove, PropertyValues: []prop.TaggedValue{{Tag: store.TagRuleId, Value: int64(other)}}},
	}}}, []uint32{ih})
	out.must(t, 0)
	rules, _ = h.st.Rules(mb, c.fids[4])
	if len(rules) != 1 || rules[0].Name != "Renamed" || rules[0].Sequence != 10 || rules[0].Condition == nil {
		t.Fatalf("rules after modify/remove: %+v", rules)
	}
	// Replace: the set becomes the new rule alone.
	c.exec([]rop.Request{&rop.ModifyRulesRequest{RequestHeader: hdr(0x41, 0), ModifyRulesFlag: rop.ModifyRulesReplace, RulesData: []rop.RuleData{
		{RuleDataFlags: rop.RowAdd, PropertyValues: foldRule("Only")},
	}}}, []uint32{ih}).must(t, 0)
	rules, _ = h.st.Rules(mb, c.fids[4])
	if len(rules) != 1 || rules[0].Name != "Only" {
		t.Fatalf("rules after Replace: %+v", rules)
	}
	// Failures: unknown id, ROW_ADD without a condition, bad flags.
	out = c.exec([]rop.Request{
		&rop.ModifyRulesRequest{RequestHeader: hdr(0x41, 0), RulesData: []rop.RuleData{{RuleDataFlags: rop.RowRemove, PropertyValues: []prop.TaggedValue{{Tag: store.TagRuleId, Value: int64(12345)}}}}},
		&rop.ModifyRulesRequest{RequestHeader: hdr(0x41, 0), RulesData: []rop.RuleData{{RuleDataFlags: rop.RowAdd, PropertyValues: foldRule("x")[:3]}}},
		&rop.ModifyRulesRequest{RequestHeader: hdr(0x41, 0), ModifyRulesFlag: 0x80, RulesData: []rop.RuleData{{RuleDataFlags: rop.RowAdd, PropertyValues: foldRule("x")}}},
		&rop.ModifyRulesRequest{RequestHeader: hdr(0x41, 1), RulesData: []rop.RuleData{{RuleDataFlags: rop.RowAdd, PropertyValues: foldRule("x")}}},
	}, []uint32{ih, lh})
	for i, want := range []prop.ErrorCode{ecNotFound, ecInvalidParam, ecInvalidParam, ecNotSupported} {
		if rv := out.resp(i).Header().ReturnValue; rv != want {
			t.Errorf("ModifyRules failure %d: %v, want %v", i, rv, want)
		}
	}
	out = c.exec([]rop.Request{&rop.ModifyRulesRequest{RequestHeader: hdr(0x41, 0), RulesData: []rop.RuleData{
		{RuleDataFlags: rop.RowRemove, PropertyValues: []prop.TaggedValue{{Tag: store.TagRuleId, Value: int64(rules[0].ID)}}}}}}, []uint32{ih})
	out.must(t, 0)
	if rules, _ = h.st.Rules(mb, c.fids[4]); len(rules) != 0 {
		t.Errorf("rules left: %+v", rules)
	}
}

func TestFoldPermissionsAcrossMailboxes(t *testing.T) {
	h := newHarness(t)
	c := h.connect(alice)
	lh := c.logon()
	amb := foldMailbox(t, h, alice)
	bmb := foldMailbox(t, h, bob)
	ih := foldOpen(t, c, lh, c.fids[4])

	// Before any grant bob cannot log on to alice's mailbox.
	cb := h.connect(bob)
	cb.logonTo(amb.LegacyDN, ecLoginPerm)

	// Alice grants bob Reviewer (ReadAny | FolderVisible) on her Inbox.
	out := c.exec([]rop.Request{&rop.ModifyPermissionsRequest{RequestHeader: hdr(0x40, 0), PermissionsData: []rop.PermissionData{{
		PermissionDataFlags: rop.PermAddRow,
		PropertyValues: []prop.TaggedValue{{Tag: store.TagEntryId, Value: prptABEntryID(bmb.LegacyDN)},
			{Tag: store.TagMemberRights, Value: int32(store.RightReadAny | store.RightFolderVisible | store.RightFreeBusyDetailed)}},
	}}}}, []uint32{ih})
	out.must(t, 0)
	perms, err := h.st.Permissions(amb, c.fids[4])
	if err != nil || len(perms) != 3 || perms[2].User != bob || perms[2].Rights != store.RightReadAny|store.RightFolderVisible {
		t.Fatalf("permissions %+v %v (free/busy bits need IncludeFreeBusy)", perms, err)
	}

	bl := cb.logonTo(amb.LegacyDN, 0)
	bih := foldOpen(t, cb, bl, cb.fids[4])
	r := foldGet(t, cb, bih, 1, 0, store.TagDisplayName, prptRights)
	if r.RowData.Values[0] != "Inbox" || r.RowData.Values[1] != int32(store.RightReadAny|store.RightFolderVisible) {
		t.Errorf("bob reads alice's Inbox: %v", r.RowData.Values)
	}
	drafts, err := h.st.SpecialFolder(amb, store.RoleDrafts)
	if err != nil {
		t.Fatal(err)
	}
	out = cb.exec([]rop.Request{
		&rop.OpenFolderRequest{RequestHeader: hdr(0x02, 0), OutputHandleIndex: 2, FolderId: drafts.ID},
		&rop.SetPropertiesRequest{RequestHeader: hdr(0x0A, 1), PropertyValues: []prop.TaggedValue{{Tag: store.TagComment, Value: "bob was here"}}},
		&rop.CreateFolderRequest{RequestHeader: hdr(0x1C, 1), OutputHandleIndex: 2, FolderType: 1, UseUnicodeStrings: true, DisplayName: "Bob's"},
		&rop.ModifyRulesRequest{RequestHeader: hdr(0x41, 1), RulesData: []rop.RuleData{{RuleDataFlags: rop.RowAdd, PropertyValues: foldRule("bob")}}},
		&rop.ModifyPermissionsRequest{RequestHeader: hdr(0x40, 1), PermissionsData: []rop.PermissionData{{PermissionDataFlags: rop.PermModifyRow,
			PropertyValues: []prop.TaggedValue{{Tag: store.TagMemberId, Value: int64(0)}, {Tag: store.TagMemberRights, Value: int32(0x7FB)}}}}},
		&rop.SetPropertiesRequest{RequestHeader: hdr(0x0A, 0), PropertyValues: []prop.TaggedValue{{Tag: 0x0E340003, Value: int32(1)}}},
		&rop.EmptyFolderRequest{RequestHeader: hdr(0x58, 1)},
	}, []uint32{bl, bih, foldNone})
	for i := range 7 {
		if rv := out.resp(i).Header().ReturnValue; rv != ecAccessDenied {
			t.Errorf("bob's ROP %d (%T) on alice's mailbox: %v, want ecAccessDenied", i, out.resp(i), rv)
		}
	}
	if p, _ := h.st.FolderProps(amb, c.fids[4]); p.String(store.TagComment) != "" {
		t.Error("bob changed alice's Inbox")
	}

	// Alice takes the right away again: ModifyRow to 0, then RemoveRow.
	member := perms[2].MemberID
	c.exec([]rop.Request{&rop.ModifyPermissionsRequest{RequestHeader: hdr(0x40, 0), PermissionsData: []rop.PermissionData{{
		PermissionDataFlags: rop.PermModifyRow,
		PropertyValues:      []prop.TaggedValue{{Tag: store.TagMemberId, Value: member}, {Tag: store.TagMemberRights, Value: int32(0)}},
	}}}}, []uint32{ih}).must(t, 0)
	out = cb.exec([]rop.Request{&rop.OpenFolderRequest{RequestHeader: hdr(0x02, 0), OutputHandleIndex: 1, FolderId: cb.fids[4]}}, []uint32{bl, foldNone})
	if rv := out.resp(0).Header().ReturnValue; rv != ecAccessDenied {
		t.Errorf("bob opens the Inbox after losing the right: %v", rv)
	}
	out = c.exec([]rop.Request{&rop.ModifyPermissionsRequest{RequestHeader: hdr(0x40, 0), PermissionsData: []rop.PermissionData{
		{PermissionDataFlags: rop.PermRemoveRow, PropertyValues: []prop.TaggedValue{{Tag: store.TagMemberId, Value: member}}},
	}}}, []uint32{ih})
	out.must(t, 0)
	if perms, _ := h.st.Permissions(amb, c.fids[4]); len(perms) != 2 {
		t.Errorf("permissions after RemoveRow: %+v", perms)
	}
	// An entry id naming nobody, and a bad flag.
	out = c.exec([]rop.Request{
		&rop.ModifyPermissionsRequest{RequestHeader: hdr(0x40, 0), PermissionsData: []rop.PermissionData{{PermissionDataFlags: rop.PermAddRow,
			PropertyValues: []prop.TaggedValue{{Tag: store.TagEntryId, Value: prptABEntryID(store.LegacyDNPrefix + "nobody")}, {Tag: store.TagMemberRights, Value: int32(1)}}}}},
		&rop.ModifyPermissionsRequest{RequestHeader: hdr(0x40, 0), ModifyFlags: 0x10},
	}, []uint32{ih})
	if rv := out.resp(0).Header().ReturnValue; rv != ecNotFound {
		t.Errorf("AddRow of an unknown user: %v", rv)
	}
	if rv := out.resp(1).Header().ReturnValue; rv != ecInvalidParam {
		t.Errorf("ModifyPermissions with an unknown flag: %v", rv)
	}
}

func TestFoldSearchCriteria(t *testing.T) {
	h := newHarness(t)
	c := h.connect(alice)
	lh := c.logon()
	mb := foldMailbox(t, h, alice)
	evs := foldListen(h, mb)
	fh := foldOpen(t, c, lh, c.fids[10]) // Finder
	sf, sh := foldCreate(t, c, fh, "Reports", 2, false)
	if sf.ReturnValue != 0 {
		t.Fatalf("CreateFolder search: %v", sf.ReturnValue)
	}
	out := c.exec([]rop.Request{&rop.GetSearchCriteriaRequest{RequestHeader: hdr(0x31, 0), UseUnicode: true, IncludeRestriction: true, IncludeFolders: true}}, []uint32{sh})
	if rv := out.resp(0).Header().ReturnValue; rv != ecNotInitialized {
		t.Errorf("GetSearchCriteria before any criteria: %v, want ecNotInitialized", rv)
	}
	res := &prop.Restriction{RestrictType: prop.RestrictContent, FuzzyLevelLow: prop.FLSubstring, FuzzyLevelHigh: prop.FLIgnoreCase,
		PropTag: store.TagSubject, TaggedValue: prop.TaggedValue{Tag: store.TagSubject, Value: "report"}}
	out = c.exec([]rop.Request{&rop.SetSearchCriteriaRequest{RequestHeader: hdr(0x30, 0), RestrictionData: res,
		FolderIds: []prop.ID{c.fids[4]}, SearchFlags: store.SearchRestart | store.SearchRecursive}}, []uint32{sh})
	out.must(t, 0)
	if !evs.has(fnevSearchComplete, sf.FolderId) {
		t.Error("no SearchComplete event")
	}
	for _, unicode := range []bool{true, false} {
		out = c.exec([]rop.Request{&rop.GetSearchCriteriaRequest{RequestHeader: hdr(0x31, 0), UseUnicode: unicode, IncludeRestriction: true, IncludeFolders: true}}, []uint32{sh})
		gc := out.must(t, 0).(*rop.GetSearchCriteriaResponse)
		want := prop.PtypString
		if !unicode {
			want = prop.PtypString8
		}
		rd := gc.RestrictionData
		if rd == nil || rd.RestrictType != prop.RestrictContent || rd.PropTag != store.TagSubject.WithType(want) || rd.TaggedValue.Value != "report" {
			t.Errorf("UseUnicode %v: restriction %+v", unicode, rd)
		}
		if len(gc.FolderIds) != 1 || gc.FolderIds[0] != c.fids[4] {
			t.Errorf("scope %v", gc.FolderIds)
		}
		if gc.SearchFlags&(store.SearchStateComplete|store.SearchStateRecursive) != store.SearchStateComplete|store.SearchStateRecursive {
			t.Errorf("SearchFlags 0x%08X", gc.SearchFlags)
		}
	}
	// The search folder counts the seeded "Quarterly report draft" and
	// "Your receipt #10442"? only subjects with "report".
	r := foldGet(t, c, sh, 1, 0, store.TagContentCount, store.TagFolderType)
	if r.RowData.Values[0] != int32(1) || r.RowData.Values[1] != int32(store.FolderSearch) {
		t.Errorf("search folder content count / type: %v", r.RowData.Values)
	}
	// Without restriction or scope the previous ones stay.
	c.exec([]rop.Request{&rop.SetSearchCriteriaRequest{RequestHeader: hdr(0x30, 0), SearchFlags: store.SearchStop}}, []uint32{sh}).must(t, 0)
	out = c.exec([]rop.Request{
		&rop.GetSearchCriteriaRequest{RequestHeader: hdr(0x31, 0), UseUnicode: true},
		&rop.SetSearchCriteriaRequest{RequestHeader: hdr(0x30, 0), SearchFlags: store.SearchStop | store.SearchRestart},
		&rop.SetSearchCriteriaRequest{RequestHeader: hdr(0x30, 1), RestrictionData: res, FolderIds: []prop.ID{c.fids[4]}},
	}, []uint32{sh, foldOpen(t, c, lh, c.fids[4])})
	gc := out.must(t, 0).(*rop.GetSearchCriteriaResponse)
	if gc.RestrictionData != nil || len(gc.FolderIds) != 0 || gc.SearchFlags&store.SearchStateRunning != 0 {
		t.Errorf("after STOP without Include*: %+v", gc)
	}
	if rv := out.resp(1).Header().ReturnValue; rv != ecInvalidParam {
		t.Errorf("STOP|RESTART: %v", rv)
	}
	if rv := out.resp(2).Header().ReturnValue; rv != store.ErrNotSearchFolder {
		t.Errorf("SetSearchCriteria on the Inbox: %v, want ecNotSearchFolder", rv)
	}
}

func TestFoldMessageAndAttachmentProperties(t *testing.T) {
	for _, id := range []uint8{0x06, 0x23, 0x25} {
		if ropHandlers[id] == nil {
			t.Skipf("ROP 0x%02X not implemented yet", id)
		}
	}
	h := newHarness(t)
	c := h.connect(alice)
	lh := c.logon()
	mb := foldMailbox(t, h, alice)
	drafts, err := h.st.SpecialFolder(mb, store.RoleDrafts)
	if err != nil {
		t.Fatal(err)
	}
	data := []byte("attachment body")
	out := c.exec([]rop.Request{
		&rop.CreateMessageRequest{RequestHeader: hdr(0x06, 0), OutputHandleIndex: 1, CodePageId: 0x0FFF, FolderId: drafts.ID},
		&rop.CreateMessageRequest{RequestHeader: hdr(0x06, 0), OutputHandleIndex: 2, CodePageId: 0x0FFF, FolderId: drafts.ID},
		&rop.SetPropertiesRequest{RequestHeader: hdr(0x0A, 1), PropertyValues: []prop.TaggedValue{
			{Tag: store.TagSubject, Value: "new subject"}, {Tag: store.TagBody, Value: "the body"}, {Tag: store.TagMessageSize, Value: int32(1)}}},
		&rop.CreateAttachmentRequest{RequestHeader: hdr(0x23, 1), OutputHandleIndex: 3},
		&rop.SetPropertiesRequest{RequestHeader: hdr(0x0A, 3), PropertyValues: []prop.TaggedValue{
			{Tag: store.TagAttachLongFilename, Value: "a.txt"}, {Tag: store.TagAttachDataBinary, Value: data}, {Tag: store.TagAttachSize, Value: int32(1)}}},
		&rop.SaveChangesAttachmentRequest{RequestHeader: hdr(0x25, 3), ResponseHandleIndex: 3},
		&rop.SetPropertiesRequest{RequestHeader: hdr(0x0A, 2), PropertyValues: []prop.TaggedValue{{Tag: store.TagSubject, Value: "old"}}},
		&rop.CopyToRequest{RequestHeader: hdr(0x39, 1), DestHandleIndex: 2, WantSubObjects: true, CopyFlags: 0x02},
		&rop.GetPropertiesSpecificRequest{RequestHeader: hdr(0x07, 2), WantUnicode: 1, PropertyTags: []prop.Tag{
			store.TagSubject, store.TagBody, store.TagHasAttachments, prptObjectType, prptAccess}},
		&rop.CopyPropertiesRequest{RequestHeader: hdr(0x67, 1), DestHandleIndex: 2, CopyFlags: 0x01, PropertyTags: []prop.Tag{store.TagSubject}},
		&rop.GetPropertiesSpecificRequest{RequestHeader: hdr(0x07, 1), WantUnicode: 1, PropertyTags: []prop.Tag{store.TagSubject, store.TagBody}},
		&rop.GetPropertiesSpecificRequest{RequestHeader: hdr(0x07, 2), WantUnicode: 1, PropertyTags: []prop.Tag{store.TagSubject}},
		&rop.GetPropertiesSpecificRequest{RequestHeader: hdr(0x07, 3), WantUnicode: 1, PropertyTags: []prop.Tag{
			store.TagAttachLongFilename, store.TagAttachDataBinary, prptObjectType}},
	}, []uint32{lh, foldNone, foldNone, foldNone})
	for _, i := range []int{0, 1, 3, 5, 6, 7} {
		out.must(t, i)
	}
	if sp := out.must(t, 2).(*rop.SetPropertiesResponse); len(sp.PropertyProblems) != 1 || sp.PropertyProblems[0].Index != 2 {
		t.Errorf("message problems %+v, want PidTagMessageSize refused", sp.PropertyProblems)
	}
	if sp := out.must(t, 4).(*rop.SetPropertiesResponse); len(sp.PropertyProblems) != 1 || sp.PropertyProblems[0].Index != 2 {
		t.Errorf("attachment problems %+v, want PidTagAttachSize refused", sp.PropertyProblems)
	}
	r := out.must(t, 8).(*rop.GetPropertiesSpecificResponse)
	want := []any{"old", "the body", true, prptObjMessage, prptAccessRead | prptAccessModify | prptAccessDelete}
	for i, w := range want {
		if v, _, _ := foldCell(r.RowData, i); v != w {
			t.Errorf("copy, cell %d: %v, want %v", i, v, w)
		}
	}
	out.must(t, 9)
	r = out.must(t, 10).(*rop.GetPropertiesSpecificResponse)
	if _, ec, ok := foldCell(r.RowData, 0); ok || ec != ecNotFound {
		t.Errorf("moved subject still on the source: %v", r.RowData.Values[0])
	}
	if v, _, _ := foldCell(r.RowData, 1); v != "the body" {
		t.Errorf("source body %v", v)
	}
	if v, _, _ := foldCell(out.must(t, 11).(*rop.GetPropertiesSpecificResponse).RowData, 0); v != "new subject" {
		t.Errorf("destination subject after the move: %v", v)
	}
	r = out.must(t, 12).(*rop.GetPropertiesSpecificResponse)
	if v, _, _ := foldCell(r.RowData, 0); v != "a.txt" {
		t.Errorf("attachment name %v", v)
	}
	if v, _, _ := foldCell(r.RowData, 1); string(v.([]byte)) != string(data) {
		t.Errorf("attachment data %q", v)
	}
	if v, _, _ := foldCell(r.RowData, 2); v != prptObjAttachment {
		t.Errorf("attachment object type %v", v)
	}
}

func TestFoldLargeValuesFitTheBuffer(t *testing.T) {
	h := newHarness(t)
	c := h.connect(alice)
	lh := c.logon()
	mb := foldMailbox(t, h, alice)
	big := make([]byte, 20000)
	for i := range big {
		big[i] = 'a' + byte(i%26)
	}
	if _, err := h.st.SetFolderProps(mb, c.fids[4], []prop.TaggedValue{{Tag: store.TagComment, Value: string(big)}}); err != nil {
		t.Fatal(err)
	}
	ih := foldOpen(t, c, lh, c.fids[4])
	// 40 KB as UTF-16 does not fit a 32 KB response: an error cell.
	r := foldGet(t, c, ih, 1, 0, store.TagComment, store.TagDisplayName)
	if _, ec, ok := foldCell(r.RowData, 0); ok || ec != ecPrptOOM {
		t.Errorf("large comment: %v, want ecMAPIOOM", ec)
	}
	if v, _, _ := foldCell(r.RowData, 1); v != "Inbox" {
		t.Errorf("display name beside the large value: %v", v)
	}
	// As 8-bit it fits.
	r = foldGet(t, c, ih, 0, 0, prop.NewTag(0x3004, prop.PtypString8))
	if v, _, _ := foldCell(r.RowData, 0); v != string(big) {
		t.Errorf("8-bit comment of %d bytes not returned", len(big))
	}
	out := c.exec([]rop.Request{&rop.GetPropertiesAllRequest{RequestHeader: hdr(0x08, 0), WantUnicode: 1}}, []uint32{ih})
	all := out.must(t, 0).(*rop.GetPropertiesAllResponse)
	found := false
	for _, tv := range all.PropertyValues {
		if tv.Tag.ID() == store.TagComment.ID() {
			found = tv.Tag.Type() == prop.PtypErrorCode && tv.Value == ecPrptOOM
		}
	}
	if !found {
		t.Error("GetPropertiesAll: the large comment is not a NotEnoughMemory error")
	}
}

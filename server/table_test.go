package server

import (
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mapiscope/mapiscope/decode"
	"github.com/mapiscope/mapiscope/decode/auxbuf"
	"github.com/mapiscope/mapiscope/decode/mapihttp"
	"github.com/mapiscope/mapiscope/decode/prop"
	"github.com/mapiscope/mapiscope/decode/rop"
	"github.com/mapiscope/mapiscope/decode/rpcext"
	"github.com/mapiscope/mapiscope/decode/wire"
	"github.com/mapiscope/mapiscope/server/store"
)

// Table ROPs end to end through the harness: real HTTP on loopback, every
// response decoded by decode.Session with zero anomalies.

// tblOpenFolder opens folder fid from logon handle lh.
func tblOpenFolder(t *testing.T, c *tconn, lh uint32, fid prop.ID) uint32 {
	t.Helper()
	if ropHandlers[0x02] == nil {
		t.Skip("RopOpenFolder is not implemented yet")
	}
	out := c.exec([]rop.Request{&rop.OpenFolderRequest{RequestHeader: hdr(0x02, 0), OutputHandleIndex: 1, FolderId: fid}}, []uint32{lh, 0xFFFFFFFF})
	out.must(t, 0)
	return out.handles[1]
}

// tblOpen runs a table-opening request (OutputHandleIndex 1) on handle in
// and returns the table handle and the response.
func tblOpen(t *testing.T, c *tconn, in uint32, req rop.Request) (uint32, rop.Response) {
	t.Helper()
	out := c.exec([]rop.Request{req}, []uint32{in, 0xFFFFFFFF})
	return out.handles[1], out.must(t, 0)
}

// tblContents opens the contents table of folder handle fh.
func tblContents(t *testing.T, c *tconn, fh uint32, flags uint8) (uint32, uint32) {
	t.Helper()
	th, r := tblOpen(t, c, fh, &rop.GetContentsTableRequest{RequestHeader: hdr(0x05, 0), OutputHandleIndex: 1, TableFlags: flags})
	return th, r.(*rop.GetContentsTableResponse).RowCount
}

// tblRun runs ROPs on table handle th (handle index 0).
func tblRun(t *testing.T, c *tconn, th uint32, rops ...rop.Request) *execOut {
	t.Helper()
	return c.exec(rops, []uint32{th})
}

func tblSetColumns(t *testing.T, c *tconn, th uint32, cols ...prop.Tag) {
	t.Helper()
	r := tblRun(t, c, th, &rop.SetColumnsRequest{RequestHeader: hdr(0x12, 0), PropertyTags: cols}).must(t, 0).(*rop.SetColumnsResponse)
	if r.TableStatus != rop.TblStatComplete {
		t.Fatalf("SetColumns TableStatus %d", r.TableStatus)
	}
}

func tblQuery(t *testing.T, c *tconn, th uint32, count uint16, forward bool) *rop.QueryRowsResponse {
	t.Helper()
	return tblRun(t, c, th, &rop.QueryRowsRequest{RequestHeader: hdr(0x15, 0), ForwardRead: forward, RowCount: count}).must(t, 0).(*rop.QueryRowsResponse)
}

func tblPosition(t *testing.T, c *tconn, th uint32) (uint32, uint32) {
	t.Helper()
	r := tblRun(t, c, th, &rop.QueryPositionRequest{RequestHeader: hdr(0x17, 0)}).must(t, 0).(*rop.QueryPositionResponse)
	return r.Numerator, r.Denominator
}

func tblSeek(t *testing.T, c *tconn, th uint32, origin uint8, n int32) *rop.SeekRowResponse {
	t.Helper()
	return tblRun(t, c, th, &rop.SeekRowRequest{RequestHeader: hdr(0x18, 0), Origin: origin, RowCount: n, WantRowMovedCount: true}).must(t, 0).(*rop.SeekRowResponse)
}

// tblFails runs one ROP on th and checks its ReturnValue.
func tblFails(t *testing.T, c *tconn, th uint32, req rop.Request, want prop.ErrorCode) {
	t.Helper()
	r := tblRun(t, c, th, req).resp(0)
	if r == nil {
		t.Fatalf("%T: no response", req)
	}
	if got := r.Header().ReturnValue; got != want {
		t.Fatalf("%T: ReturnValue %v, want %v", req, got, want)
	}
}

// cell returns the value of column i of a row (nil when not present).
func cell(r prop.Row, i int) any {
	v := r.Values[i]
	if fv, ok := v.(prop.FlaggedValue); ok {
		if fv.Flag != prop.FlagValue {
			return nil
		}
		return fv.Value
	}
	return v
}

// column returns column i of every row as strings.
func column(rows []prop.Row, i int) []string {
	var out []string
	for _, r := range rows {
		out = append(out, fmt.Sprint(cell(r, i)))
	}
	return out
}

// inboxSubjects are the seeded mails of alice's Inbox in creation order
// (server/store/seed.go).
var inboxSubjects = []string{"Lunch on Friday?", "Meeting notes", "Invitation: design review", "Photos from the offsite", "Password expiry notice", "Welcome to mapiscope"}

func TestTableHierarchy(t *testing.T) {
	h := newHarness(t)
	c := h.connect(alice)
	lh := c.logon()
	sub := tblOpenFolder(t, c, lh, c.fids[3])
	th, r := tblOpen(t, c, sub, &rop.GetHierarchyTableRequest{RequestHeader: hdr(0x04, 0), OutputHandleIndex: 1, TableFlags: tblFlagDepth | tblFlagUnicode})
	count := r.(*rop.GetHierarchyTableResponse).RowCount
	tblSetColumns(t, c, th, store.TagDisplayName, tblTagDepth, store.TagContentCount, store.TagFolderId, tblTagRowType, store.TagEntryId, store.TagSubfolders)
	q := tblQuery(t, c, th, 0x100, true)
	if uint32(len(q.RowData)) != count || q.Origin != rop.BookmarkEnd {
		t.Fatalf("%d rows (origin %d), RowCount said %d", len(q.RowData), q.Origin, count)
	}
	byName := map[string]prop.Row{}
	for _, row := range q.RowData {
		byName[fmt.Sprint(cell(row, 0))] = row
	}
	for _, name := range []string{"Inbox", "Sent Items", "Deleted Items", "Calendar", "Projects"} {
		if _, ok := byName[name]; !ok {
			t.Errorf("hierarchy lacks %q: %v", name, column(q.RowData, 0))
		}
	}
	if d := cell(byName["Inbox"], 1); d != int32(0) {
		t.Errorf("Inbox depth %v", d)
	}
	if d := cell(byName["Projects"], 1); d != int32(1) {
		t.Errorf("Projects depth %v", d)
	}
	if n := cell(byName["Inbox"], 2); n != int32(len(inboxSubjects)) {
		t.Errorf("Inbox content count %v, want %d", n, len(inboxSubjects))
	}
	if n := cell(byName["Projects"], 2); n != int32(2) {
		t.Errorf("Projects content count %v", n)
	}
	if id := cell(byName["Inbox"], 3); id != int64(c.fids[4]) {
		t.Errorf("Inbox FolderId %v, want %v", id, c.fids[4])
	}
	if rt := cell(byName["Inbox"], 4); rt != tblLeafRow {
		t.Errorf("row type %v", rt)
	}
	eid, _ := cell(byName["Inbox"], 5).([]byte)
	var fe prop.FolderEntryID
	if dc := wire.NewDecoder(eid, false, "EntryID"); true {
		prop.CodecFolderEntryID(dc, &fe, "EntryID")
		if dc.Failed() || len(dc.Anomalies()) > 0 || uint64(fe.GlobalCounter) != c.fids[4].GlobalCounter() {
			t.Errorf("Inbox entry id %x: %v %+v", eid, dc.Anomalies(), fe)
		}
	}
	if sf := cell(byName["Inbox"], 6); sf != true {
		t.Errorf("Inbox PidTagSubfolders %v", sf)
	}

	// Without Depth: the direct children only.
	th2, r2 := tblOpen(t, c, sub, &rop.GetHierarchyTableRequest{RequestHeader: hdr(0x04, 0), OutputHandleIndex: 1})
	if n := r2.(*rop.GetHierarchyTableResponse).RowCount; n >= count || n == 0 {
		t.Fatalf("hierarchy without Depth has %d rows, with %d", n, count)
	}
	tblSetColumns(t, c, th2, store.TagDisplayName)
	for _, name := range column(tblQuery(t, c, th2, 0x100, true).RowData, 0) {
		if name == "Projects" {
			t.Fatal("Projects (under Inbox) listed without Depth")
		}
	}
}

// tblInbox logs alice on and opens her Inbox contents table.
func tblInbox(t *testing.T, h *harness, flags uint8) (*tconn, uint32, uint32, uint32) {
	t.Helper()
	c := h.connect(alice)
	lh := c.logon()
	fh := tblOpenFolder(t, c, lh, c.fids[4])
	th, n := tblContents(t, c, fh, flags)
	return c, fh, th, n
}

func TestTableContentsPaging(t *testing.T) {
	h := newHarness(t)
	c, fh, th, n := tblInbox(t, h, tblFlagUnicode)
	if n != uint32(len(inboxSubjects)) {
		t.Fatalf("RowCount %d, want %d", n, len(inboxSubjects))
	}
	// QueryRows before SetColumns: ecNullObject — [MS-OXCTABL] 3.2.5.2.
	tblFails(t, c, th, &rop.QueryRowsRequest{RequestHeader: hdr(0x15, 0), ForwardRead: true, RowCount: 1}, ecNullObject)
	tblSetColumns(t, c, th, store.TagSubject, store.TagMid, store.TagMessageFlags, tblTagInstID, tblTagInstanceNum)
	var subjects []string
	for i := 0; ; i++ {
		q := tblQuery(t, c, th, 2, true)
		if len(q.RowData) == 0 {
			if q.Origin != rop.BookmarkEnd {
				t.Fatalf("empty read, origin %d", q.Origin)
			}
			break
		}
		if len(q.RowData) > 2 {
			t.Fatalf("%d rows for RowCount 2", len(q.RowData))
		}
		want := rop.BookmarkCurrent
		if len(subjects)+len(q.RowData) == len(inboxSubjects) {
			want = rop.BookmarkEnd
		}
		if q.Origin != want {
			t.Fatalf("page %d origin %d, want %d", i, q.Origin, want)
		}
		for _, row := range q.RowData {
			if cell(row, 1) != cell(row, 3) {
				t.Fatalf("PidTagInstID %v is not the message id %v", cell(row, 3), cell(row, 1))
			}
		}
		subjects = append(subjects, column(q.RowData, 0)...)
	}
	if strings.Join(subjects, "|") != strings.Join(inboxSubjects, "|") {
		t.Fatalf("subjects %q, want %q", subjects, inboxSubjects)
	}
	// Backwards from the end: the last four rows, in table order; the
	// cursor moves to the first of them.
	if s := tblSeek(t, c, th, rop.BookmarkEnd, 0); s.RowsSought != 0 {
		t.Fatalf("SeekRow END: %+v", s)
	}
	q := tblQuery(t, c, th, 4, false)
	if got := column(q.RowData, 0); strings.Join(got, "|") != strings.Join(inboxSubjects[2:], "|") || q.Origin != rop.BookmarkCurrent {
		t.Fatalf("backward read %q origin %d", got, q.Origin)
	}
	if num, den := tblPosition(t, c, th); num != 2 || den != 6 {
		t.Fatalf("position %d/%d, want 2/6", num, den)
	}
	q = tblQuery(t, c, th, 10, false)
	if len(q.RowData) != 2 || q.Origin != rop.BookmarkBeginning {
		t.Fatalf("second backward read: %d rows origin %d", len(q.RowData), q.Origin)
	}
	// NoAdvance leaves the cursor.
	r := tblRun(t, c, th, &rop.QueryRowsRequest{RequestHeader: hdr(0x15, 0), QueryRowsFlags: 0x01, ForwardRead: true, RowCount: 3}).must(t, 0).(*rop.QueryRowsResponse)
	if len(r.RowData) != 3 {
		t.Fatalf("NoAdvance read %d rows", len(r.RowData))
	}
	if num, _ := tblPosition(t, c, th); num != 0 {
		t.Fatalf("NoAdvance moved the cursor to %d", num)
	}

	// The FAI contents table.
	ah, an := tblContents(t, c, fh, tblFlagAssociated)
	if an != 3 {
		t.Fatalf("associated RowCount %d", an)
	}
	tblSetColumns(t, c, ah, store.TagMessageClass, store.TagMessageFlags)
	for _, row := range tblQuery(t, c, ah, 10, true).RowData {
		if cls := fmt.Sprint(cell(row, 0)); !strings.HasPrefix(cls, "IPM.Configuration.") {
			t.Errorf("FAI row class %q", cls)
		}
		if f, _ := cell(row, 1).(int32); uint32(f)&store.MsgFlagAssociated == 0 {
			t.Errorf("FAI row flags %#x", f)
		}
	}

	// Every column the rows have; strings as PtypString8 in a table
	// opened without Unicode.
	nh, _ := tblContents(t, c, fh, 0)
	all := tblRun(t, c, nh, &rop.QueryColumnsAllRequest{RequestHeader: hdr(0x37, 0)}).must(t, 0).(*rop.QueryColumnsAllResponse)
	has := map[prop.Tag]bool{}
	for _, tag := range all.PropertyTags {
		has[tag] = true
	}
	if !has[store.TagSubject.WithType(prop.PtypString8)] || !has[store.TagMid] || has[store.TagSubject] {
		t.Fatalf("QueryColumnsAll: %v", all.PropertyTags)
	}
	if st := tblRun(t, c, nh, &rop.GetStatusRequest{RequestHeader: hdr(0x16, 0)}).must(t, 0).(*rop.GetStatusResponse); st.TableStatus != rop.TblStatComplete {
		t.Fatalf("GetStatus %d", st.TableStatus)
	}
	tblFails(t, c, nh, &rop.AbortRequest{RequestHeader: hdr(0x38, 0)}, ecUnableToAbort)
}

func TestTableSortRestrictFind(t *testing.T) {
	h := newHarness(t)
	c, _, th, _ := tblInbox(t, h, tblFlagUnicode)
	tblSetColumns(t, c, th, store.TagSubject, store.TagSenderName)

	// Subject descending, case-insensitive.
	tblRun(t, c, th, &rop.SortTableRequest{RequestHeader: hdr(0x13, 0), SortOrders: []prop.SortOrder{
		{PropertyType: prop.PtypString, PropertyId: store.TagSubject.ID(), Order: prop.OrderDescending}}}).must(t, 0)
	got := column(tblQuery(t, c, th, 100, true).RowData, 0)
	want := append([]string(nil), inboxSubjects...)
	sortDesc(want)
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("sorted %q, want %q", got, want)
	}
	if num, _ := tblPosition(t, c, th); num != 6 {
		t.Fatalf("cursor %d after reading all", num)
	}

	// A substring content restriction, case-insensitive.
	res := &prop.Restriction{RestrictType: prop.RestrictContent, FuzzyLevelLow: prop.FLSubstring, FuzzyLevelHigh: prop.FLIgnoreCase,
		PropTag: store.TagSubject, TaggedValue: prop.TaggedValue{Tag: store.TagSubject, Value: "NOT"}}
	tblRun(t, c, th, &rop.RestrictRequest{RequestHeader: hdr(0x14, 0), Restriction: res}).must(t, 0)
	if num, den := tblPosition(t, c, th); num != 0 || den != 2 {
		t.Fatalf("after Restrict: position %d/%d, want 0/2", num, den)
	}
	got = column(tblQuery(t, c, th, 100, true).RowData, 0)
	if strings.Join(got, "|") != "Password expiry notice|Meeting notes" {
		t.Fatalf("restricted rows %q", got)
	}
	// A nil restriction removes it.
	tblRun(t, c, th, &rop.RestrictRequest{RequestHeader: hdr(0x14, 0)}).must(t, 0)
	if _, den := tblPosition(t, c, th); den != 6 {
		t.Fatalf("after removing the restriction: %d rows", den)
	}

	// FindRow forwards from the beginning, backwards from the end.
	eq := func(s string) *prop.Restriction {
		return &prop.Restriction{RestrictType: prop.RestrictProperty, RelOp: prop.RelopEQ, PropTag: store.TagSenderName,
			TaggedValue: prop.TaggedValue{Tag: store.TagSenderName, Value: s}}
	}
	f := tblRun(t, c, th, &rop.FindRowRequest{RequestHeader: hdr(0x4F, 0), Restriction: eq("Grace Hopper"), Origin: rop.BookmarkBeginning}).must(t, 0).(*rop.FindRowResponse)
	if !f.HasRowData || cell(f.RowData, 0) != "Photos from the offsite" {
		t.Fatalf("FindRow forwards: %+v", f)
	}
	if num, _ := tblPosition(t, c, th); num != 1 {
		t.Fatalf("FindRow left the cursor at %d", num)
	}
	f = tblRun(t, c, th, &rop.FindRowRequest{RequestHeader: hdr(0x4F, 0), FindRowFlags: 0x01, Restriction: eq("Grace Hopper"), Origin: rop.BookmarkEnd}).must(t, 0).(*rop.FindRowResponse)
	if !f.HasRowData || cell(f.RowData, 0) != "Lunch on Friday?" {
		t.Fatalf("FindRow backwards: %+v", f)
	}
	tblFails(t, c, th, &rop.FindRowRequest{RequestHeader: hdr(0x4F, 0), Restriction: eq("Nobody"), Origin: rop.BookmarkBeginning}, ecNotFound)
	tblFails(t, c, th, &rop.FindRowRequest{RequestHeader: hdr(0x4F, 0), Restriction: eq("Ada Lovelace"), Origin: 7}, ecInvalidParam)

	// A SubObject restriction over the recipients: only "Meeting notes"
	// has Grace Hopper as Cc.
	sub := &prop.Restriction{RestrictType: prop.RestrictSubObject, Subobject: store.TagMessageRecipients,
		Restriction: &prop.Restriction{RestrictType: prop.RestrictProperty, RelOp: prop.RelopEQ, PropTag: store.TagSmtpAddress,
			TaggedValue: prop.TaggedValue{Tag: store.TagSmtpAddress, Value: "grace@example.com"}}}
	tblRun(t, c, th, &rop.RestrictRequest{RequestHeader: hdr(0x14, 0), Restriction: sub}).must(t, 0)
	if got := column(tblQuery(t, c, th, 100, true).RowData, 0); strings.Join(got, "|") != "Meeting notes" {
		t.Fatalf("SubObject restriction rows %q", got)
	}

	// ResetTable: no columns, no restriction, no sort.
	tblRun(t, c, th, &rop.ResetTableRequest{RequestHeader: hdr(0x81, 0)}).must(t, 0)
	tblFails(t, c, th, &rop.QueryRowsRequest{RequestHeader: hdr(0x15, 0), ForwardRead: true, RowCount: 1}, ecNullObject)
	tblSetColumns(t, c, th, store.TagSubject)
	if got := column(tblQuery(t, c, th, 100, true).RowData, 0); strings.Join(got, "|") != strings.Join(inboxSubjects, "|") {
		t.Fatalf("after ResetTable %q", got)
	}
}

func sortDesc(s []string) {
	for i := range s {
		for j := i + 1; j < len(s); j++ {
			if strings.ToLower(s[j]) > strings.ToLower(s[i]) {
				s[i], s[j] = s[j], s[i]
			}
		}
	}
}

func TestTableSeekAndBookmarks(t *testing.T) {
	h := newHarness(t)
	c, _, th, _ := tblInbox(t, h, tblFlagUnicode)
	tblSetColumns(t, c, th, store.TagSubject, store.TagMid)

	if s := tblSeek(t, c, th, rop.BookmarkBeginning, 2); s.RowsSought != 2 || s.HasSoughtLess {
		t.Fatalf("SeekRow +2: %+v", s)
	}
	bm := tblRun(t, c, th, &rop.CreateBookmarkRequest{RequestHeader: hdr(0x1B, 0)}).must(t, 0).(*rop.CreateBookmarkResponse).Bookmark
	if s := tblSeek(t, c, th, rop.BookmarkCurrent, 10); s.RowsSought != 4 || !s.HasSoughtLess {
		t.Fatalf("SeekRow past the end: %+v", s)
	}
	if s := tblSeek(t, c, th, rop.BookmarkCurrent, -10); s.RowsSought != -6 || !s.HasSoughtLess {
		t.Fatalf("SeekRow before the beginning: %+v", s)
	}
	sb := tblRun(t, c, th, &rop.SeekRowBookmarkRequest{RequestHeader: hdr(0x19, 0), Bookmark: bm, RowCount: 1, WantRowMovedCount: true}).must(t, 0).(*rop.SeekRowBookmarkResponse)
	if sb.RowNoLongerVisible || sb.RowsSought != 1 {
		t.Fatalf("SeekRowBookmark: %+v", sb)
	}
	if num, _ := tblPosition(t, c, th); num != 3 {
		t.Fatalf("after SeekRowBookmark +1: position %d", num)
	}

	// SeekRowFractional: half way.
	tblRun(t, c, th, &rop.SeekRowFractionalRequest{RequestHeader: hdr(0x1A, 0), Numerator: 1, Denominator: 2}).must(t, 0)
	if num, _ := tblPosition(t, c, th); num != 3 {
		t.Fatalf("SeekRowFractional 1/2: position %d", num)
	}
	tblFails(t, c, th, &rop.SeekRowFractionalRequest{RequestHeader: hdr(0x1A, 0), Numerator: 1}, ecInvalidParam)

	// The bookmarked row is deleted: RowNoLongerVisible, the cursor on
	// the next row; the table's client gets TABLE_ROW_DELETED.
	q := tblRun(t, c, th, &rop.SeekRowBookmarkRequest{RequestHeader: hdr(0x19, 0), Bookmark: bm},
		&rop.QueryRowsRequest{RequestHeader: hdr(0x15, 0), QueryRowsFlags: 0x01, ForwardRead: true, RowCount: 2}).must(t, 1).(*rop.QueryRowsResponse)
	mid := prop.ID(cell(q.RowData[0], 1).(int64))
	next := cell(q.RowData[1], 0)
	mb, _ := h.st.MailboxByEmail(alice)
	if _, err := h.st.DeleteMessages(mb, c.fids[4], []prop.ID{mid}, false); err != nil {
		t.Fatal(err)
	}
	h.srv.publish(mb.ID, event{kind: fnevObjectDeleted, fid: c.fids[4], mid: mid, parent: c.fids[4]})
	out := tblRun(t, c, th, &rop.SeekRowBookmarkRequest{RequestHeader: hdr(0x19, 0), Bookmark: bm},
		&rop.QueryRowsRequest{RequestHeader: hdr(0x15, 0), QueryRowsFlags: 0x01, ForwardRead: true, RowCount: 1})
	if sb := out.must(t, 0).(*rop.SeekRowBookmarkResponse); !sb.RowNoLongerVisible {
		t.Fatalf("SeekRowBookmark to a deleted row: %+v", sb)
	}
	if got := cell(out.must(t, 1).(*rop.QueryRowsResponse).RowData[0], 0); got != next {
		t.Fatalf("after the deleted row the cursor is on %v, want %v", got, next)
	}
	if notes := tblNotifies(out); len(notes) != 1 || notes[0].NotificationData.TableEventType != rop.TableEventRowDeleted ||
		notes[0].NotificationData.TableRowMessageID != mid || notes[0].NotificationHandle != th {
		t.Fatalf("notifications %+v", notes)
	}
	if _, den := tblPosition(t, c, th); den != 5 {
		t.Fatalf("after the delete: %d rows", den)
	}

	// A new message: TABLE_CHANGED, once until the client looks again.
	m, _ := h.st.CreateMessage(mb, c.fids[4], false)
	m.SetProps([]prop.TaggedValue{{Tag: store.TagSubject, Value: "Fresh"}})
	if err := m.SaveChanges(false); err != nil {
		t.Fatal(err)
	}
	h.srv.publish(mb.ID, event{kind: fnevObjectCreated, fid: c.fids[4], mid: m.ID, parent: c.fids[4]})
	h.srv.publish(mb.ID, event{kind: fnevObjectModified, fid: c.fids[4], mid: m.ID, parent: c.fids[4]})
	notes := tblNotifies(c.exec(nil, nil))
	if len(notes) != 1 || notes[0].NotificationData.TableEventType != rop.TableEventChanged {
		t.Fatalf("notifications %+v", notes)
	}
	if _, den := tblPosition(t, c, th); den != 6 {
		t.Fatalf("after the new message: %d rows", den)
	}
	// NoNotifications: the table follows changes without notifying.
	fh2 := tblOpenFolder(t, c, c.logon(), c.fids[4])
	quiet, _ := tblContents(t, c, fh2, tblFlagNoNotifications)
	tblSetColumns(t, c, quiet, store.TagSubject)
	h.srv.publish(mb.ID, event{kind: fnevObjectModified, fid: c.fids[4], mid: m.ID, parent: c.fids[4]})
	if notes := tblNotifies(c.exec(nil, nil)); len(notes) != 1 || notes[0].NotificationHandle != th {
		t.Fatalf("notifications with a NoNotifications table open: %+v", notes)
	}

	// FreeBookmark, then the bookmark is unknown; SortTable invalidates.
	tblRun(t, c, th, &rop.FreeBookmarkRequest{RequestHeader: hdr(0x89, 0), Bookmark: bm}).must(t, 0)
	tblFails(t, c, th, &rop.SeekRowBookmarkRequest{RequestHeader: hdr(0x19, 0), Bookmark: bm}, ecTblInvalidBookmark)
	tblFails(t, c, th, &rop.FreeBookmarkRequest{RequestHeader: hdr(0x89, 0), Bookmark: []byte{1, 2}}, ecTblInvalidBookmark)
	bm2 := tblRun(t, c, th, &rop.CreateBookmarkRequest{RequestHeader: hdr(0x1B, 0)}).must(t, 0).(*rop.CreateBookmarkResponse).Bookmark
	tblRun(t, c, th, &rop.SortTableRequest{RequestHeader: hdr(0x13, 0), SortOrders: []prop.SortOrder{{PropertyType: prop.PtypString, PropertyId: store.TagSubject.ID()}}}).must(t, 0)
	tblFails(t, c, th, &rop.SeekRowBookmarkRequest{RequestHeader: hdr(0x19, 0), Bookmark: bm2}, ecTblInvalidBookmark)
	tblFails(t, c, th, &rop.FindRowRequest{RequestHeader: hdr(0x4F, 0), Bookmark: bm2}, ecTblInvalidBookmark)

	// A released table notifies no more.
	c.exec([]rop.Request{&rop.ReleaseRequest{RequestHeader: hdr(0x01, 0)}}, []uint32{th})
	h.srv.publish(mb.ID, event{kind: fnevObjectModified, fid: c.fids[4], mid: m.ID, parent: c.fids[4]})
	if notes := tblNotifies(c.exec(nil, nil)); len(notes) != 0 {
		t.Fatalf("notifications after RopRelease: %+v", notes)
	}
}

// tblNotifies returns the RopNotify responses of an Execute.
func tblNotifies(o *execOut) []*rop.NotifyResponse {
	var out []*rop.NotifyResponse
	for _, p := range o.pairs {
		if n, ok := p.Response.(*rop.NotifyResponse); ok && p.Index < 0 {
			out = append(out, n)
		}
	}
	return out
}

func TestTableCategories(t *testing.T) {
	h := newHarness(t)
	c, _, th, _ := tblInbox(t, h, tblFlagUnicode)
	tblSetColumns(t, c, th, tblTagInstID, tblTagRowType, tblTagDepth, store.TagSenderName, store.TagContentCount, store.TagSubject, tblTagInstanceNum)
	sorts := []prop.SortOrder{
		{PropertyType: prop.PtypString, PropertyId: store.TagSenderName.ID()},
		{PropertyType: prop.PtypTime, PropertyId: store.TagMessageDeliveryTime.ID(), Order: prop.OrderDescending},
	}
	tblRun(t, c, th, &rop.SortTableRequest{RequestHeader: hdr(0x13, 0), CategoryCount: 1, ExpandedCount: 1, SortOrders: sorts}).must(t, 0)
	rows := tblQuery(t, c, th, 100, true).RowData
	// Inbox senders: Ada (Invitation, Welcome), Alan (Meeting notes,
	// Password expiry), Grace (Lunch, Photos); newest first in each.
	var shape []string
	cats := map[string]int64{}
	for _, r := range rows {
		if cell(r, 1) == tblLeafRow {
			if cell(r, 2) != int32(1) {
				t.Fatalf("leaf depth %v", cell(r, 2))
			}
			shape = append(shape, "  "+fmt.Sprint(cell(r, 5)))
			continue
		}
		if cell(r, 1) != tblExpandedCategory || cell(r, 2) != int32(0) || cell(r, 4) != int32(2) {
			t.Fatalf("header row %v", r.Values)
		}
		shape = append(shape, fmt.Sprint(cell(r, 3)))
		cats[fmt.Sprint(cell(r, 3))] = cell(r, 0).(int64)
	}
	wantShape := []string{"Ada Lovelace", "  Welcome to mapiscope", "  Invitation: design review",
		"Alan Turing", "  Password expiry notice", "  Meeting notes",
		"Grace Hopper", "  Photos from the offsite", "  Lunch on Friday?"}
	if strings.Join(shape, "\n") != strings.Join(wantShape, "\n") {
		t.Fatalf("categorized view:\n%s", strings.Join(shape, "\n"))
	}

	ada, alan := uint64(cats["Ada Lovelace"]), uint64(cats["Alan Turing"])
	col := tblRun(t, c, th, &rop.CollapseRowRequest{RequestHeader: hdr(0x5A, 0), CategoryId: ada}).must(t, 0).(*rop.CollapseRowResponse)
	if col.CollapsedRowCount != 2 {
		t.Fatalf("CollapsedRowCount %d", col.CollapsedRowCount)
	}
	if _, den := tblPosition(t, c, th); den != 7 {
		t.Fatalf("%d rows after collapsing Ada", den)
	}
	tblFails(t, c, th, &rop.CollapseRowRequest{RequestHeader: hdr(0x5A, 0), CategoryId: ada}, ecTblNotExpanded)
	tblFails(t, c, th, &rop.ExpandRowRequest{RequestHeader: hdr(0x59, 0), CategoryId: alan, MaxRowCount: 5}, ecTblNotCollapsed)
	tblFails(t, c, th, &rop.ExpandRowRequest{RequestHeader: hdr(0x59, 0), CategoryId: 12345, MaxRowCount: 5}, ecNotFound)
	tblSeek(t, c, th, rop.BookmarkBeginning, 0)
	first := tblQuery(t, c, th, 1, true).RowData[0]
	if cell(first, 1) != tblCollapsedCategory {
		t.Fatalf("collapsed header row type %v", cell(first, 1))
	}

	// The state with Ada collapsed, bookmarking Alan's header.
	state := tblRun(t, c, th, &rop.GetCollapseStateRequest{RequestHeader: hdr(0x6B, 0), RowId: alan}).must(t, 0).(*rop.GetCollapseStateResponse).CollapseState

	ex := tblRun(t, c, th, &rop.ExpandRowRequest{RequestHeader: hdr(0x59, 0), CategoryId: ada, MaxRowCount: 1}).must(t, 0).(*rop.ExpandRowResponse)
	if ex.ExpandedRowCount != 2 || len(ex.RowData) != 1 || cell(ex.RowData[0], 5) != "Welcome to mapiscope" {
		t.Fatalf("ExpandRow: %d rows, %v", ex.ExpandedRowCount, ex.RowData)
	}
	if _, den := tblPosition(t, c, th); den != 9 {
		t.Fatalf("%d rows after expanding Ada", den)
	}

	set := tblRun(t, c, th, &rop.SetCollapseStateRequest{RequestHeader: hdr(0x6C, 0), CollapseState: state}).must(t, 0).(*rop.SetCollapseStateResponse)
	if _, den := tblPosition(t, c, th); den != 7 {
		t.Fatalf("%d rows after SetCollapseState", den)
	}
	tblRun(t, c, th, &rop.SeekRowBookmarkRequest{RequestHeader: hdr(0x19, 0), Bookmark: set.Bookmark}).must(t, 0)
	if r := tblQuery(t, c, th, 1, true).RowData[0]; uint64(cell(r, 0).(int64)) != alan {
		t.Fatalf("the SetCollapseState bookmark is on %v, want Alan's header", r.Values)
	}
	tblFails(t, c, th, &rop.SetCollapseStateRequest{RequestHeader: hdr(0x6C, 0), CollapseState: []byte("junk")}, ecInvalidParam)

	// ExpandedCount 0: every category starts collapsed.
	tblRun(t, c, th, &rop.SortTableRequest{RequestHeader: hdr(0x13, 0), CategoryCount: 1, SortOrders: sorts}).must(t, 0)
	if _, den := tblPosition(t, c, th); den != 3 {
		t.Fatalf("%d rows with every category collapsed", den)
	}
	// Bad counts are refused (the request itself decodes with an anomaly).
	out, code := c.execRaw([]rop.Request{&rop.SortTableRequest{RequestHeader: hdr(0x13, 0), CategoryCount: 3, SortOrders: sorts}}, []uint32{th})
	if code != 0 || out.resp(0) == nil || out.resp(0).Header().ReturnValue != ecInvalidParam {
		t.Fatalf("SortTable with CategoryCount 3 of 2: code %d, %+v", code, out.resp(0))
	}
}

func TestTableMultiValueInstances(t *testing.T) {
	h := newHarness(t)
	mb, _ := h.st.MailboxByEmail(alice)
	inbox, _ := h.st.SpecialFolder(mb, store.RoleInbox)
	keywords := prop.NewTag(0x6830, prop.PtypMultipleString)
	m, _ := h.st.CreateMessage(mb, inbox.ID, false)
	m.SetProps([]prop.TaggedValue{{Tag: store.TagSubject, Value: "Tagged"}, {Tag: keywords, Value: []string{"red", "blue"}}})
	if err := m.SaveChanges(false); err != nil {
		t.Fatal(err)
	}
	c, _, th, n := tblInbox(t, h, tblFlagUnicode)
	if n != 7 {
		t.Fatalf("RowCount %d", n)
	}
	mvi := keywords.WithType(prop.PtypMultipleString | prop.MultiValueInstance)
	tblSetColumns(t, c, th, store.TagSubject, mvi, tblTagInstanceNum)
	rows := tblQuery(t, c, th, 100, true).RowData
	if len(rows) != 8 {
		t.Fatalf("%d rows with the multi-value instance column, want 8", len(rows))
	}
	var got []string
	for _, r := range rows[6:] {
		got = append(got, fmt.Sprint(cell(r, 0), "/", cell(r, 1), "/", cell(r, 2)))
	}
	if strings.Join(got, " ") != "Tagged/red/1 Tagged/blue/2" {
		t.Fatalf("instances %v", got)
	}
	// Sorted by the instance value.
	tblRun(t, c, th, &rop.SortTableRequest{RequestHeader: hdr(0x13, 0), SortOrders: []prop.SortOrder{{PropertyType: mvi.Type(), PropertyId: mvi.ID(), Order: prop.OrderDescending}}}).must(t, 0)
	rows = tblQuery(t, c, th, 2, true).RowData
	if cell(rows[0], 1) != "red" || cell(rows[1], 1) != "blue" {
		t.Fatalf("sorted instances %v %v", rows[0].Values, rows[1].Values)
	}
}

func TestTableAttachmentsRulesPermissions(t *testing.T) {
	h := newHarness(t)
	c, fh, th, _ := tblInbox(t, h, tblFlagUnicode)
	tblSetColumns(t, c, th, store.TagSubject, store.TagMid)
	var mid prop.ID
	for _, r := range tblQuery(t, c, th, 100, true).RowData {
		if cell(r, 0) == "Meeting notes" {
			mid = prop.ID(cell(r, 1).(int64))
		}
	}
	if ropHandlers[0x03] == nil {
		t.Skip("RopOpenMessage is not implemented yet")
	}
	out := c.exec([]rop.Request{&rop.OpenMessageRequest{RequestHeader: hdr(0x03, 0), OutputHandleIndex: 1, FolderId: c.fids[4], MessageId: mid}}, []uint32{fh, 0xFFFFFFFF})
	out.must(t, 0)
	at, _ := tblOpen(t, c, out.handles[1], &rop.GetAttachmentTableRequest{RequestHeader: hdr(0x21, 0), OutputHandleIndex: 1, TableFlags: tblFlagUnicode})
	tblSetColumns(t, c, at, store.TagAttachNumber, store.TagAttachLongFilename, store.TagAttachMethod, store.TagObjectType)
	rows := tblQuery(t, c, at, 10, true).RowData
	if len(rows) != 1 || cell(rows[0], 1) != "notes.txt" || cell(rows[0], 2) != int32(store.AttachByValue) || cell(rows[0], 3) != tblObjAttach {
		t.Fatalf("attachment rows %v", rows)
	}
	// A table ROP on a folder handle is not supported.
	tblFails(t, c, fh, &rop.QueryPositionRequest{RequestHeader: hdr(0x17, 0)}, ecNotSupported)

	// Rules.
	mb, _ := h.st.MailboxByEmail(alice)
	if _, err := h.st.ModifyRules(mb, c.fids[4], false, []store.RuleOp{{Op: store.RowAdd, Rule: store.Rule{Name: "Receipts", Sequence: 10, State: 1, Provider: "RuleOrganizer",
		Condition: &prop.Restriction{RestrictType: prop.RestrictExist, PropTag: store.TagSubject}}}}); err != nil {
		t.Fatal(err)
	}
	rt, _ := tblOpen(t, c, fh, &rop.GetRulesTableRequest{RequestHeader: hdr(0x3F, 0), OutputHandleIndex: 1, TableFlags: tblFlagUnicode})
	tblSetColumns(t, c, rt, store.TagRuleId, store.TagRuleName, store.TagRuleSequence, store.TagRuleCondition)
	rows = tblQuery(t, c, rt, 10, true).RowData
	if len(rows) != 1 || cell(rows[0], 1) != "Receipts" || cell(rows[0], 2) != int32(10) {
		t.Fatalf("rules rows %v", rows)
	}
	if cond, ok := cell(rows[0], 3).(*prop.Restriction); !ok || cond.RestrictType != prop.RestrictExist {
		t.Fatalf("rule condition %#v", cell(rows[0], 3))
	}

	// Permissions: Default, Anonymous, Bob; free/busy bits only with
	// IncludeFreeBusy.
	if err := h.st.ModifyPermissions(mb, c.fids[4], false, []store.PermOp{{Op: store.RowAdd, Perm: store.Permission{User: bob, Name: "Bob Example",
		Rights: store.RightReadAny | store.RightFolderVisible | store.RightFreeBusyDetailed}}}); err != nil {
		t.Fatal(err)
	}
	for _, flags := range []uint8{0, tblFlagIncludeFreeBusy} {
		pt, _ := tblOpen(t, c, fh, &rop.GetPermissionsTableRequest{RequestHeader: hdr(0x3E, 0), OutputHandleIndex: 1, TableFlags: flags})
		tblSetColumns(t, c, pt, store.TagMemberId, store.TagMemberName, store.TagMemberRights)
		rows = tblQuery(t, c, pt, 10, true).RowData
		if len(rows) != 3 || cell(rows[2], 1) != "Bob Example" {
			t.Fatalf("permission rows %v", rows)
		}
		want := store.RightReadAny | store.RightFolderVisible
		if flags != 0 {
			want |= store.RightFreeBusyDetailed
		}
		if got := cell(rows[2], 2); got != int32(want) {
			t.Fatalf("TableFlags %#x: Bob's rights %#x, want %#x", flags, got, want)
		}
	}
}

func TestTableAccess(t *testing.T) {
	h := newHarness(t)
	mb, _ := h.st.MailboxByEmail(alice)
	fids, _ := h.st.LogonFolderIDs(mb)
	// Bob sees alice's Inbox but may not read its contents.
	if err := h.st.ModifyPermissions(mb, fids[4], false, []store.PermOp{{Op: store.RowAdd, Perm: store.Permission{User: bob, Rights: store.RightFolderVisible}}}); err != nil {
		t.Fatal(err)
	}
	c := h.connect(bob)
	lh := c.logonTo(mb.LegacyDN, 0)
	fh := tblOpenFolder(t, c, lh, fids[4])
	out := c.exec([]rop.Request{&rop.GetContentsTableRequest{RequestHeader: hdr(0x05, 0), OutputHandleIndex: 1}}, []uint32{fh, 0xFFFFFFFF})
	if rv := out.resp(0).Header().ReturnValue; rv != ecAccessDenied {
		t.Fatalf("bob's GetContentsTable on alice's Inbox: %v", rv)
	}
	out = c.exec([]rop.Request{&rop.GetRulesTableRequest{RequestHeader: hdr(0x3F, 0), OutputHandleIndex: 1}}, []uint32{fh, 0xFFFFFFFF})
	if rv := out.resp(0).Header().ReturnValue; rv != ecAccessDenied {
		t.Fatalf("bob's GetRulesTable on alice's Inbox: %v", rv)
	}
	// The hierarchy lists only the subfolders bob may see: none.
	_, r := tblOpen(t, c, fh, &rop.GetHierarchyTableRequest{RequestHeader: hdr(0x04, 0), OutputHandleIndex: 1, TableFlags: tblFlagDepth})
	if n := r.(*rop.GetHierarchyTableResponse).RowCount; n != 0 {
		t.Fatalf("bob sees %d of alice's Inbox subfolders", n)
	}
	// With ReadAny he may.
	if err := h.st.ModifyPermissions(mb, fids[4], false, []store.PermOp{{Op: store.RowAdd, Perm: store.Permission{User: bob, Rights: store.RightFolderVisible | store.RightReadAny}}}); err != nil {
		t.Fatal(err)
	}
	if _, n := tblContents(t, c, fh, 0); n != uint32(len(inboxSubjects)) {
		t.Fatalf("bob with ReadAny: %d rows", n)
	}

	// Wrong handles and bad parameters.
	tblFails(t, c, 0xFFFFFFFF, &rop.QueryRowsRequest{RequestHeader: hdr(0x15, 0), ForwardRead: true, RowCount: 1}, ecNullObject)
	tblFails(t, c, 0x00ABCDEF, &rop.SetColumnsRequest{RequestHeader: hdr(0x12, 0), PropertyTags: []prop.Tag{store.TagSubject}}, ecNullObject)
	c2, _, th2, _ := tblInbox(t, h, 0)
	tblFails(t, c2, th2, &rop.SetColumnsRequest{RequestHeader: hdr(0x12, 0), PropertyTags: []prop.Tag{prop.NewTag(0x0037, prop.PtypUnspecified)}}, ecInvalidParam)
	tblFails(t, c2, th2, &rop.SetColumnsRequest{RequestHeader: hdr(0x12, 0), PropertyTags: []prop.Tag{prop.NewTag(0x0037, 0x0099)}}, ecInvalidParam)
	tblFails(t, c2, th2, &rop.SeekRowRequest{RequestHeader: hdr(0x18, 0), Origin: 9}, ecInvalidParam)
	tblFails(t, c2, th2, &rop.CollapseRowRequest{RequestHeader: hdr(0x5A, 0), CategoryId: 1}, ecNullObject)
	// Category ROPs are for contents tables.
	lh2 := c2.logon()
	sub := tblOpenFolder(t, c2, lh2, c2.fids[3])
	hh, _ := tblOpen(t, c2, sub, &rop.GetHierarchyTableRequest{RequestHeader: hdr(0x04, 0), OutputHandleIndex: 1})
	tblSetColumns(t, c2, hh, store.TagDisplayName)
	tblFails(t, c2, hh, &rop.ExpandRowRequest{RequestHeader: hdr(0x59, 0), CategoryId: 1}, ecNotSupported)
	tblFails(t, c2, hh, &rop.SortTableRequest{RequestHeader: hdr(0x13, 0), CategoryCount: 1, SortOrders: []prop.SortOrder{{PropertyType: prop.PtypString, PropertyId: 0x3001}}}, ecNotSupported)
}

func TestTableQueryRowsBudget(t *testing.T) {
	h := newHarness(t)
	mb, _ := h.st.MailboxByEmail(alice)
	inbox, _ := h.st.SpecialFolder(mb, store.RoleInbox)
	big, _, err := h.st.CreateFolder(mb, inbox.ID, "Big", store.FolderGeneric, nil, false)
	if err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("x", 2000)
	const n = 150
	for i := range n {
		m, _ := h.st.CreateMessage(mb, big.ID, false)
		m.SetProps([]prop.TaggedValue{{Tag: store.TagSubject, Value: fmt.Sprintf("%03d %s", i, long)}, {Tag: store.TagBody, Value: long},
			{Tag: store.TagHtml, Value: []byte(long)}})
		if err := m.SaveChanges(false); err != nil {
			t.Fatal(err)
		}
	}
	c := h.connect(alice)
	lh := c.logon()
	fh := tblOpenFolder(t, c, lh, big.ID)
	th, _ := tblContents(t, c, fh, tblFlagUnicode)
	tblSetColumns(t, c, th, store.TagSubject, store.TagBody, store.TagHtml, store.TagMid)
	total := 0
	for page := 0; total < n; page++ {
		q := tblQuery(t, c, th, 0x100, true)
		if len(q.RowData) == 0 || len(q.RowData) >= n {
			t.Fatalf("page %d: %d rows of %d", page, len(q.RowData), n)
		}
		for i, r := range q.RowData {
			s := cell(r, 0).(string)
			if len(s) != 255 || !strings.HasPrefix(s, fmt.Sprintf("%03d ", total+i)) {
				t.Fatalf("row %d subject %q… (%d chars), want truncated to 255", total+i, s[:8], len(s))
			}
			if b := cell(r, 2).([]byte); len(b) != maxCellBytes {
				t.Fatalf("binary cell of %d bytes", len(b))
			}
		}
		total += len(q.RowData)
		if page > 20 {
			t.Fatal("too many pages")
		}
	}
	if q := tblQuery(t, c, th, 0x100, true); len(q.RowData) != 0 || q.Origin != rop.BookmarkEnd {
		t.Fatalf("after the last page: %d rows origin %d", len(q.RowData), q.Origin)
	}
}

// BenchmarkQueryRows10k reads a 10,000-row contents table with 8 columns
// in pages of 0x100 rows over loopback (without LZ77, so that the table
// work shows), SeekRow to the beginning first; SetBytes is the response
// bodies of one full read.
func BenchmarkQueryRows10k(b *testing.B) {
	st, err := store.Open(filepath.Join(b.TempDir(), "s.db"), store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	srv, err := New(Config{Store: st, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	if _, err := srv.AddUser(alice, pw, "Alice"); err != nil {
		b.Fatal(err)
	}
	mb, _ := st.MailboxByEmail(alice)
	inbox, _ := st.SpecialFolder(mb, store.RoleInbox)
	const rows = 10000
	for i := range rows {
		m, err := st.CreateMessage(mb, inbox.ID, false)
		if err != nil {
			b.Fatal(err)
		}
		m.SetProps([]prop.TaggedValue{
			{Tag: store.TagSubject, Value: fmt.Sprintf("Message number %d about something", i)},
			{Tag: store.TagSenderName, Value: "Ada Lovelace"},
			{Tag: store.TagMessageDeliveryTime, Value: prop.Filetime(133000000000000000 + int64(i)*10000000)},
			{Tag: store.TagImportance, Value: int32(1)},
		})
		if err := m.SaveChanges(false); err != nil {
			b.Fatal(err)
		}
	}
	hs := httptest.NewServer(srv)
	defer hs.Close()
	s := newBenchSession(b, hs.URL, alice, st)
	dec := decode.NewSession()
	exec := func(rops []rop.Request, handles []uint32) (*decode.ExecuteResult, int) {
		enc := wire.NewEncoder(nil)
		rop.CodecRequestBuffer(enc, &rop.RequestBuffer{Rops: rops, Handles: handles}, nil)
		chain, _ := rpcext.Append(nil, []rpcext.Block{rpcext.Build(enc.Output(), 0, true)})
		body := encodeTest(b, &mapihttp.ExecuteRequest{Flags: mapihttp.ExecuteNoCompression | mapihttp.ExecuteNoXorMagic, RopBuffer: chain, MaxRopOut: 0x40000, AuxiliaryBuffer: auxbuf.Buffer{}})
		out := s.post(b, "Execute", body)
		res := dec.Execute(body, out, false)
		if len(res.Anomalies) > 0 {
			b.Fatalf("anomalies: %v", res.Anomalies)
		}
		return res, len(out)
	}
	res, _ := exec([]rop.Request{
		&rop.OpenFolderRequest{RequestHeader: hdr(0x02, 0), OutputHandleIndex: 1, FolderId: inbox.ID},
		&rop.GetContentsTableRequest{RequestHeader: hdr(0x05, 1), OutputHandleIndex: 2},
		&rop.SetColumnsRequest{RequestHeader: hdr(0x12, 2), PropertyTags: []prop.Tag{store.TagMid, store.TagSubject, store.TagSenderName,
			store.TagMessageDeliveryTime, store.TagMessageFlags, store.TagMessageSize, store.TagImportance, tblTagInstanceKey}},
	}, []uint32{0, 0xFFFFFFFF, 0xFFFFFFFF})
	th := res.Buffers.Responses[0].Handles[2]
	seek := &rop.SeekRowRequest{RequestHeader: hdr(0x18, 0), Origin: rop.BookmarkBeginning}
	query := &rop.QueryRowsRequest{RequestHeader: hdr(0x15, 0), ForwardRead: true, RowCount: 0x100}
	b.ResetTimer()
	var bytes int64
	for range b.N {
		got := 0
		first := true
		for {
			rops := []rop.Request{query}
			if first {
				rops = []rop.Request{seek, query}
			}
			res, n := exec(rops, []uint32{th})
			bytes += int64(n)
			q, ok := res.Pairs()[len(rops)-1].Response.(*rop.QueryRowsResponse)
			if !ok || q.ReturnValue != 0 {
				b.Fatalf("QueryRows: %+v", res.Pairs())
			}
			first = false
			got += len(q.RowData)
			if q.Origin == rop.BookmarkEnd {
				break
			}
		}
		if got != rows {
			b.Fatalf("read %d rows, want %d", got, rows)
		}
	}
	b.SetBytes(bytes / int64(b.N))
}

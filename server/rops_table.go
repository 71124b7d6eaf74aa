package server

import (
	"github.com/mapiscope/mapiscope/decode/prop"
	"github.com/mapiscope/mapiscope/decode/rop"
	"github.com/mapiscope/mapiscope/decode/wire"
	"github.com/mapiscope/mapiscope/server/store"
)

// The table ROPs — [MS-OXCROPS] 2.2.5, semantics [MS-OXCTABL] 3.2.5 — and
// the ROPs that open tables: RopGetHierarchyTable and RopGetContentsTable
// ([MS-OXCFOLD] 3.2.5.13, 3.2.5.14), RopGetAttachmentTable ([MS-OXCMSG]
// 3.2.5.17), RopGetRulesTable ([MS-OXORULE] 3.2.5.2) and
// RopGetPermissionsTable ([MS-OXCPERM] 3.2.5.1).

func init() {
	handle(0x04, ropGetHierarchyTable)
	handle(0x05, ropGetContentsTable)
	handle(0x21, ropGetAttachmentTable)
	handle(0x3E, ropGetPermissionsTable)
	handle(0x3F, ropGetRulesTable)
	handle(0x12, ropSetColumns)
	handle(0x13, ropSortTable)
	handle(0x14, ropRestrict)
	handle(0x15, ropQueryRows)
	handle(0x16, ropGetStatus)
	handle(0x17, ropQueryPosition)
	handle(0x18, ropSeekRow)
	handle(0x19, ropSeekRowBookmark)
	handle(0x1A, ropSeekRowFractional)
	handle(0x1B, ropCreateBookmark)
	handle(0x37, ropQueryColumnsAll)
	handle(0x38, ropAbort)
	handle(0x4F, ropFindRow)
	handle(0x59, ropExpandRow)
	handle(0x5A, ropCollapseRow)
	handle(0x6B, ropGetCollapseState)
	handle(0x6C, ropSetCollapseState)
	handle(0x81, ropResetTable)
	handle(0x89, ropFreeBookmark)
}

// ---- opening tables ----

// tableFolder returns the folder a table-opening ROP works on.
func (x *execCtx) tableFolder(req rop.Request) (*folderObj, prop.ErrorCode) {
	obj, ec := x.input(req)
	if ec != 0 {
		return nil, ec
	}
	f, ok := obj.(*folderObj)
	if !ok {
		return nil, ecNotSupported
	}
	return f, 0
}

// openTable loads a new table, binds it to the output handle and starts
// its notifications; it returns the table's row count.
func (x *execCtx) openTable(t *tableObj, out uint8) (uint32, prop.ErrorCode) {
	t.st, t.em = x.st, x.em
	t.mu.Lock()
	ec := t.refresh()
	n := len(t.rows)
	t.mu.Unlock()
	if ec != 0 {
		return 0, ec
	}
	if ec := x.bind(out, t); ec != 0 {
		return 0, ec
	}
	t.mu.Lock()
	t.handle = x.handles[out]
	t.mu.Unlock()
	t.subscribe()
	return uint32(n), 0
}

// ropGetHierarchyTable — [MS-OXCFOLD] 3.2.5.13: the folder's subfolders
// (the whole subtree with Depth). Another user sees the folders they have
// RightFolderVisible on.
func ropGetHierarchyTable(x *execCtx, req rop.Request) rop.Response {
	r := req.(*rop.GetHierarchyTableRequest)
	f, ec := x.tableFolder(req)
	if ec != 0 {
		return x.fail(ec)
	}
	if !x.canAccess(f.lg, f.fid, store.RightFolderVisible) {
		return x.fail(ecAccessDenied)
	}
	t := &tableObj{lg: f.lg, kind: tableHierarchy, fid: f.fid, flags: r.TableFlags}
	n, ec := x.openTable(t, r.OutputHandleIndex)
	if ec != 0 {
		return x.fail(ec)
	}
	return x.ok(&rop.GetHierarchyTableResponse{RowCount: n})
}

// ropGetContentsTable — [MS-OXCFOLD] 3.2.5.14: the folder's messages
// (FAI ones with Associated), in creation order until RopSortTable.
// ConversationMembers and DeferredErrors change nothing here. Another
// user needs RightReadAny.
func ropGetContentsTable(x *execCtx, req rop.Request) rop.Response {
	r := req.(*rop.GetContentsTableRequest)
	f, ec := x.tableFolder(req)
	if ec != 0 {
		return x.fail(ec)
	}
	if !x.canAccess(f.lg, f.fid, store.RightReadAny) {
		return x.fail(ecAccessDenied)
	}
	t := &tableObj{lg: f.lg, kind: tableContents, fid: f.fid, flags: r.TableFlags}
	if fo, err := x.st.Folder(f.lg.mb, f.fid); err == nil {
		t.search = fo.Type == store.FolderSearch
	}
	n, ec := x.openTable(t, r.OutputHandleIndex)
	if ec != 0 {
		return x.fail(ec)
	}
	return x.ok(&rop.GetContentsTableResponse{RowCount: n})
}

// ropGetAttachmentTable — [MS-OXCMSG] 3.2.5.17: the attachments of the
// message's working copy.
func ropGetAttachmentTable(x *execCtx, req rop.Request) rop.Response {
	r := req.(*rop.GetAttachmentTableRequest)
	obj, ec := x.input(req)
	if ec != 0 {
		return x.fail(ec)
	}
	m, ok := obj.(*messageObj)
	if !ok {
		return x.fail(ecNotSupported)
	}
	t := &tableObj{lg: m.lg, kind: tableAttachments, fid: m.fid, flags: r.TableFlags, msg: m}
	if _, ec := x.openTable(t, r.OutputHandleIndex); ec != 0 {
		return x.fail(ec)
	}
	return x.ok(&rop.GetAttachmentTableResponse{})
}

// ropGetRulesTable — [MS-OXORULE] 3.2.5.2: the folder's server-side rules
// (one row per rule, (*store.Rule).Props). Another user needs
// RightFolderOwner.
func ropGetRulesTable(x *execCtx, req rop.Request) rop.Response {
	r := req.(*rop.GetRulesTableRequest)
	f, ec := x.tableFolder(req)
	if ec != 0 {
		return x.fail(ec)
	}
	if !x.canAccess(f.lg, f.fid, store.RightFolderOwner) {
		return x.fail(ecAccessDenied)
	}
	t := &tableObj{lg: f.lg, kind: tableRules, fid: f.fid, flags: r.TableFlags}
	if _, ec := x.openTable(t, r.OutputHandleIndex); ec != 0 {
		return x.fail(ec)
	}
	return x.ok(&rop.GetRulesTableResponse{})
}

// ropGetPermissionsTable — [MS-OXCPERM] 3.2.5.1: the folder's permission
// entries, with the free/busy rights only under IncludeFreeBusy.
func ropGetPermissionsTable(x *execCtx, req rop.Request) rop.Response {
	r := req.(*rop.GetPermissionsTableRequest)
	f, ec := x.tableFolder(req)
	if ec != 0 {
		return x.fail(ec)
	}
	if !x.canAccess(f.lg, f.fid, store.RightFolderVisible) {
		return x.fail(ecAccessDenied)
	}
	t := &tableObj{lg: f.lg, kind: tablePermissions, fid: f.fid, flags: r.TableFlags}
	if _, ec := x.openTable(t, r.OutputHandleIndex); ec != 0 {
		return x.fail(ec)
	}
	return x.ok(&rop.GetPermissionsTableResponse{})
}

// ---- table ROPs ----

// tableInput returns the table a table ROP works on, locked; the caller
// unlocks it. needColumns fails the ROP with ecNullObject before a
// RopSetColumns — [MS-OXCTABL] 3.2.5.2.
func (x *execCtx) tableInput(req rop.Request, needColumns bool) (*tableObj, prop.ErrorCode) {
	obj, ec := x.input(req)
	if ec != 0 {
		return nil, ec
	}
	t, ok := obj.(*tableObj)
	if !ok {
		return nil, ecNotSupported
	}
	t.mu.Lock()
	t.touch()
	if needColumns && !t.hasColumns {
		t.mu.Unlock()
		return nil, ecNullObject
	}
	if ec := t.refresh(); ec != 0 {
		t.mu.Unlock()
		return nil, ec
	}
	return t, 0
}

// ropSetColumns — [MS-OXCTABL] 3.2.5.2. PtypUnspecified, PtypErrorCode
// and unknown types are refused with ecInvalidParam.
func ropSetColumns(x *execCtx, req rop.Request) rop.Response {
	r := req.(*rop.SetColumnsRequest)
	t, ec := x.tableInput(req, false)
	if ec != 0 {
		return x.fail(ec)
	}
	defer t.mu.Unlock()
	for _, tag := range r.PropertyTags {
		ty := tag.Type()
		if ty == prop.PtypUnspecified || ty.Cell() == prop.PtypErrorCode || !ty.Known() {
			t.hasColumns = false
			return x.fail(ecInvalidParam)
		}
	}
	t.columns = append([]prop.Tag(nil), r.PropertyTags...)
	t.hasColumns = true
	t.prepareColumns()
	if !sameIDs(t.mvi, t.mviIDs()) {
		t.viewOK = false
		if ec := t.refresh(); ec != 0 {
			return x.fail(ec)
		}
	}
	return x.ok(&rop.SetColumnsResponse{TableStatus: rop.TblStatComplete})
}

// ropSortTable — [MS-OXCTABL] 3.2.5.3: the bookmarks become invalid and
// the cursor goes to the beginning. Categories are for contents tables.
func ropSortTable(x *execCtx, req rop.Request) rop.Response {
	r := req.(*rop.SortTableRequest)
	t, ec := x.tableInput(req, false)
	if ec != 0 {
		return x.fail(ec)
	}
	defer t.mu.Unlock()
	if int(r.CategoryCount) > len(r.SortOrders) || r.ExpandedCount > r.CategoryCount {
		return x.fail(ecInvalidParam)
	}
	if r.CategoryCount > 0 && t.kind != tableContents {
		return x.fail(ecNotSupported)
	}
	for _, so := range r.SortOrders {
		ty := so.PropertyType
		if ty == prop.PtypUnspecified || !ty.Known() || so.Order&^(prop.OrderDescending|prop.OrderMaximumCategory) != 0 {
			return x.fail(ecTooComplex)
		}
	}
	t.sorts = append([]prop.SortOrder(nil), r.SortOrders...)
	t.categories, t.expanded = int(r.CategoryCount), int(r.ExpandedCount)
	t.catState = nil
	t.invalidate()
	if ec := t.refresh(); ec != 0 {
		return x.fail(ec)
	}
	t.cursor = 0
	return x.ok(&rop.SortTableResponse{TableStatus: rop.TblStatComplete})
}

// ropRestrict — [MS-OXCTABL] 3.2.5.4: rows not matching the restriction
// leave the view (a nil restriction removes it); bookmarks become
// invalid and the cursor goes to the beginning.
func ropRestrict(x *execCtx, req rop.Request) rop.Response {
	r := req.(*rop.RestrictRequest)
	t, ec := x.tableInput(req, false)
	if ec != 0 {
		return x.fail(ec)
	}
	defer t.mu.Unlock()
	t.restriction = r.Restriction
	t.invalidate()
	if ec := t.refresh(); ec != 0 {
		return x.fail(ec)
	}
	t.cursor = 0
	return x.ok(&rop.RestrictResponse{TableStatus: rop.TblStatComplete})
}

// queryRowsOverhead is the size of a RopQueryRows response without rows:
// header, Origin, RowCount.
const queryRowsOverhead = 6 + 1 + 2

// ropQueryRows — [MS-OXCTABL] 3.2.5.5. As many rows as fit the response
// budget (at least one, else ecBufferTooSmall); x.more asks for chained
// blocks when rows remain. Reading backwards returns the rows before the
// cursor, in table order, and moves the cursor to the first of them.
func ropQueryRows(x *execCtx, req rop.Request) rop.Response {
	r := req.(*rop.QueryRowsRequest)
	t, ec := x.tableInput(req, true)
	if ec != 0 {
		return x.fail(ec)
	}
	defer t.mu.Unlock()
	advance := r.QueryRowsFlags&0x01 == 0
	want := int(r.RowCount)
	n := len(t.rows)
	room := x.budget - queryRowsOverhead
	enc := wire.NewEncoder(nil)
	var out []prop.Row
	full, bad := false, false
	add := func(i int) bool {
		row, size, ok := t.encodedRow(t.rows[i], enc)
		if !ok {
			bad = true
			return false
		}
		if size > room {
			full = true
			return false
		}
		room -= size
		out = append(out, row)
		return true
	}
	if r.ForwardRead {
		for i := t.cursor; i < n && len(out) < want; i++ {
			if !add(i) {
				break
			}
		}
	} else {
		for i := t.cursor - 1; i >= 0 && len(out) < want; i-- {
			if !add(i) {
				break
			}
		}
		for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
			out[i], out[j] = out[j], out[i]
		}
	}
	if bad {
		x.srv.log.Error("table row does not encode", "table", t.kind.String(), "err", enc.Err())
		return x.fail(ecError)
	}
	if len(out) == 0 && full {
		return x.fail(ecBufferTooSmall)
	}
	resp := &rop.QueryRowsResponse{Origin: rop.BookmarkCurrent, RowData: out}
	if r.ForwardRead {
		end := t.cursor + len(out)
		if end >= n {
			resp.Origin = rop.BookmarkEnd
		}
		if advance {
			t.cursor = end
			x.more = full && end < n
		}
	} else {
		begin := t.cursor - len(out)
		if begin <= 0 {
			resp.Origin = rop.BookmarkBeginning
		}
		if advance {
			t.cursor = begin
		}
	}
	return x.ok(t.withColumns(resp))
}

// ropGetStatus — [MS-OXCTABL] 3.2.5.6: every table operation here is
// synchronous, so the table is always complete.
func ropGetStatus(x *execCtx, req rop.Request) rop.Response {
	t, ec := x.tableInput(req, false)
	if ec != 0 {
		return x.fail(ec)
	}
	t.mu.Unlock()
	return x.ok(&rop.GetStatusResponse{TableStatus: rop.TblStatComplete})
}

// ropAbort — [MS-OXCTABL] 3.2.5.7: nothing is ever in progress.
func ropAbort(x *execCtx, req rop.Request) rop.Response {
	t, ec := x.tableInput(req, false)
	if ec != 0 {
		return x.fail(ec)
	}
	t.mu.Unlock()
	return x.fail(ecUnableToAbort)
}

// ropQueryPosition — [MS-OXCTABL] 3.2.5.8: the cursor's row index and the
// number of rows.
func ropQueryPosition(x *execCtx, req rop.Request) rop.Response {
	t, ec := x.tableInput(req, false)
	if ec != 0 {
		return x.fail(ec)
	}
	defer t.mu.Unlock()
	return x.ok(&rop.QueryPositionResponse{Numerator: uint32(t.cursor), Denominator: uint32(len(t.rows))})
}

// origin returns the row index a predefined bookmark names.
func (t *tableObj) origin(o uint8) (int, bool) {
	switch o {
	case rop.BookmarkBeginning:
		return 0, true
	case rop.BookmarkCurrent:
		return t.cursor, true
	case rop.BookmarkEnd:
		return len(t.rows), true
	}
	return 0, false
}

// seek moves the cursor count rows from row index from, within the
// table; it returns how far it went.
func (t *tableObj) seek(from int, count int32) (sought int32, less bool) {
	to := int64(from) + int64(count)
	to = max(0, min(to, int64(len(t.rows))))
	t.cursor = int(to)
	sought = int32(to - int64(from))
	return sought, sought != count
}

// ropSeekRow — [MS-OXCTABL] 3.2.5.9.
func ropSeekRow(x *execCtx, req rop.Request) rop.Response {
	r := req.(*rop.SeekRowRequest)
	t, ec := x.tableInput(req, false)
	if ec != 0 {
		return x.fail(ec)
	}
	defer t.mu.Unlock()
	from, ok := t.origin(r.Origin)
	if !ok {
		return x.fail(ecInvalidParam)
	}
	sought, less := t.seek(from, r.RowCount)
	return x.ok(&rop.SeekRowResponse{HasSoughtLess: less, RowsSought: sought})
}

// ropSeekRowBookmark — [MS-OXCTABL] 3.2.5.10: from a custom bookmark;
// when its row is gone, RowNoLongerVisible and the seek starts at the
// next row.
func ropSeekRowBookmark(x *execCtx, req rop.Request) rop.Response {
	r := req.(*rop.SeekRowBookmarkRequest)
	t, ec := x.tableInput(req, true)
	if ec != 0 {
		return x.fail(ec)
	}
	defer t.mu.Unlock()
	_, bm, ok := t.bookmark(r.Bookmark)
	if !ok {
		return x.fail(ecTblInvalidBookmark)
	}
	from, gone := t.resolve(bm)
	sought, less := t.seek(from, r.RowCount)
	return x.ok(&rop.SeekRowBookmarkResponse{RowNoLongerVisible: gone, HasSoughtLess: less, RowsSought: sought})
}

// ropSeekRowFractional — [MS-OXCTABL] 3.2.5.11: to about
// Numerator/Denominator of the table.
func ropSeekRowFractional(x *execCtx, req rop.Request) rop.Response {
	r := req.(*rop.SeekRowFractionalRequest)
	t, ec := x.tableInput(req, false)
	if ec != 0 {
		return x.fail(ec)
	}
	defer t.mu.Unlock()
	if r.Denominator == 0 {
		return x.fail(ecInvalidParam)
	}
	n := uint64(len(t.rows))
	pos := uint64(r.Numerator) * n / uint64(r.Denominator)
	t.cursor = int(min(pos, n))
	return x.ok(&rop.SeekRowFractionalResponse{})
}

// ropCreateBookmark — [MS-OXCTABL] 3.2.5.12: a bookmark to the cursor's
// row (or the end).
func ropCreateBookmark(x *execCtx, req rop.Request) rop.Response {
	t, ec := x.tableInput(req, false)
	if ec != 0 {
		return x.fail(ec)
	}
	defer t.mu.Unlock()
	return x.ok(&rop.CreateBookmarkResponse{Bookmark: t.createBookmark(t.cursor)})
}

// ropFreeBookmark — [MS-OXCTABL] 3.2.5.15.
func ropFreeBookmark(x *execCtx, req rop.Request) rop.Response {
	r := req.(*rop.FreeBookmarkRequest)
	t, ec := x.tableInput(req, true)
	if ec != 0 {
		return x.fail(ec)
	}
	defer t.mu.Unlock()
	id, _, ok := t.bookmark(r.Bookmark)
	if !ok {
		return x.fail(ecTblInvalidBookmark)
	}
	delete(t.bookmarks, id)
	return x.ok(&rop.FreeBookmarkResponse{})
}

// ropQueryColumnsAll — [MS-OXCTABL] 3.2.5.13: every property the rows
// have, and the columns the table computes.
func ropQueryColumnsAll(x *execCtx, req rop.Request) rop.Response {
	t, ec := x.tableInput(req, false)
	if ec != 0 {
		return x.fail(ec)
	}
	defer t.mu.Unlock()
	return x.ok(&rop.QueryColumnsAllResponse{PropertyTags: t.columnsAll()})
}

// ropFindRow — [MS-OXCTABL] 3.2.5.14: the first row from Origin (or the
// bookmark) matching the restriction, forwards or backwards; the cursor
// moves to it and the row comes back when it fits the response.
func ropFindRow(x *execCtx, req rop.Request) rop.Response {
	r := req.(*rop.FindRowRequest)
	t, ec := x.tableInput(req, true)
	if ec != 0 {
		return x.fail(ec)
	}
	defer t.mu.Unlock()
	if r.FindRowFlags&^0x01 != 0 {
		return x.fail(ecInvalidParam)
	}
	backward := r.FindRowFlags&0x01 != 0
	n := len(t.rows)
	var start int
	gone := false
	if len(r.Bookmark) > 0 {
		_, bm, ok := t.bookmark(r.Bookmark)
		if !ok {
			return x.fail(ecTblInvalidBookmark)
		}
		start, gone = t.resolve(bm)
	} else {
		var ok bool
		if start, ok = t.origin(r.Origin); !ok {
			return x.fail(ecInvalidParam)
		}
	}
	m := store.NewMatcher(r.Restriction)
	found := -1
	if !backward {
		for i := start; i < n; i++ {
			if m.Match(t.rows[i]) {
				found = i
				break
			}
		}
	} else {
		i := min(start, n-1)
		if gone {
			i = start - 1
		}
		for ; i >= 0; i-- {
			if m.Match(t.rows[i]) {
				found = i
				break
			}
		}
	}
	if found < 0 {
		return x.fail(ecNotFound)
	}
	t.cursor = found
	resp := &rop.FindRowResponse{RowNoLongerVisible: gone, HasRowData: true, RowData: t.wireRow(t.rows[found])}
	enc := wire.NewEncoder(nil)
	prop.CodecRow(enc, &resp.RowData, t.columns, "", prop.ROP)
	if enc.Failed() || len(enc.Output())+8 > x.budget {
		resp.HasRowData, resp.RowData = false, prop.Row{}
	}
	return x.ok(t.withColumns(resp))
}

// ropResetTable — [MS-OXCTABL] 3.2.5.16: no columns, restriction, sort
// order or bookmarks any more, the cursor at the beginning.
func ropResetTable(x *execCtx, req rop.Request) rop.Response {
	t, ec := x.tableInput(req, false)
	if ec != 0 {
		return x.fail(ec)
	}
	defer t.mu.Unlock()
	t.columns, t.hasColumns = nil, false
	t.prepareColumns()
	t.restriction = nil
	t.sorts, t.categories, t.expanded, t.catState = nil, 0, 0, nil
	t.invalidate()
	if ec := t.refresh(); ec != 0 {
		return x.fail(ec)
	}
	t.cursor = 0
	return x.ok(&rop.ResetTableResponse{})
}

// categoryTable checks that a category ROP runs on a contents table.
func categoryTable(t *tableObj) prop.ErrorCode {
	if t.kind != tableContents {
		return ecNotSupported
	}
	return 0
}

// ropExpandRow — [MS-OXCTABL] 3.2.5.17: the category's rows become
// visible; up to MaxRowCount of them come back (as many as fit).
func ropExpandRow(x *execCtx, req rop.Request) rop.Response {
	r := req.(*rop.ExpandRowRequest)
	t, ec := x.tableInput(req, true)
	if ec != 0 {
		return x.fail(ec)
	}
	defer t.mu.Unlock()
	if ec := categoryTable(t); ec != 0 {
		return x.fail(ec)
	}
	c := t.category(r.CategoryId)
	if c == nil {
		return x.fail(ecNotFound)
	}
	if t.isExpanded(c) {
		return x.fail(ecTblNotCollapsed)
	}
	t.setVisibility(func() {
		if t.catState == nil {
			t.catState = map[uint64]bool{}
		}
		t.catState[c.id] = true
	})
	resp := &rop.ExpandRowResponse{}
	if t.hidden(c.parent) {
		return x.ok(t.withColumns(resp))
	}
	h := -1
	for i, row := range t.rows {
		if row == c.header {
			h = i
			break
		}
	}
	room := x.budget - (6 + 4 + 2)
	enc := wire.NewEncoder(nil)
	full := false
	for i := h + 1; h >= 0 && i < len(t.rows) && under(t.rows[i], c); i++ {
		resp.ExpandedRowCount++
		if full || len(resp.RowData) >= int(r.MaxRowCount) {
			continue
		}
		row := t.wireRow(t.rows[i])
		prop.CodecRow(enc, &row, t.columns, "", prop.ROP)
		if enc.Failed() || len(enc.Output()) > room {
			full = true
			continue
		}
		resp.RowData = append(resp.RowData, row)
	}
	return x.ok(t.withColumns(resp))
}

// ropCollapseRow — [MS-OXCTABL] 3.2.5.18: the category's rows leave the
// view; CollapsedRowCount says how many.
func ropCollapseRow(x *execCtx, req rop.Request) rop.Response {
	r := req.(*rop.CollapseRowRequest)
	t, ec := x.tableInput(req, true)
	if ec != 0 {
		return x.fail(ec)
	}
	defer t.mu.Unlock()
	if ec := categoryTable(t); ec != 0 {
		return x.fail(ec)
	}
	c := t.category(r.CategoryId)
	if c == nil {
		return x.fail(ecNotFound)
	}
	if !t.isExpanded(c) {
		return x.fail(ecTblNotExpanded)
	}
	var hidden uint32
	for _, row := range t.rows {
		if under(row, c) {
			hidden++
		}
	}
	t.setVisibility(func() {
		if t.catState == nil {
			t.catState = map[uint64]bool{}
		}
		t.catState[c.id] = false
	})
	return x.ok(&rop.CollapseRowResponse{CollapsedRowCount: hidden})
}

// ropGetCollapseState — [MS-OXCTABL] 3.2.5.19: the expanded/collapsed
// state of every category the client changed, and the row RowId /
// RowInstanceNumber names for RopSetCollapseState to bookmark.
func ropGetCollapseState(x *execCtx, req rop.Request) rop.Response {
	r := req.(*rop.GetCollapseStateRequest)
	t, ec := x.tableInput(req, true)
	if ec != 0 {
		return x.fail(ec)
	}
	defer t.mu.Unlock()
	if ec := categoryTable(t); ec != 0 {
		return x.fail(ec)
	}
	return x.ok(&rop.GetCollapseStateResponse{CollapseState: t.collapseState(r.RowId, r.RowInstanceNumber)})
}

// ropSetCollapseState — [MS-OXCTABL] 3.2.5.20: restores a state from
// RopGetCollapseState and returns a bookmark to the row it names.
func ropSetCollapseState(x *execCtx, req rop.Request) rop.Response {
	r := req.(*rop.SetCollapseStateRequest)
	t, ec := x.tableInput(req, true)
	if ec != 0 {
		return x.fail(ec)
	}
	defer t.mu.Unlock()
	if ec := categoryTable(t); ec != 0 {
		return x.fail(ec)
	}
	state, row, ok := parseCollapseState(r.CollapseState)
	if !ok {
		return x.fail(ecInvalidParam)
	}
	t.setVisibility(func() { t.catState = state })
	pos := t.find(row)
	if pos < 0 {
		pos = t.cursor
	}
	return x.ok(&rop.SetCollapseStateResponse{Bookmark: t.createBookmark(pos)})
}

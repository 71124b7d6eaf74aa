package server

import (
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"sort"
	"strings"
	"sync"

	"github.com/mapiscope/mapiscope/decode/prop"
	"github.com/mapiscope/mapiscope/decode/rop"
	"github.com/mapiscope/mapiscope/decode/wire"
	"github.com/mapiscope/mapiscope/server/store"
)

// Table objects — [MS-OXCTABL]. A table loads its rows from the store once
// and keeps them; RopRestrict, RopSortTable and RopSetColumns (when the
// multi-value instance columns change) rebuild the view from that cache,
// and an event on the table's folder marks it stale so that the next ROP
// on it reloads. RopQueryRows only walks the view.

// Columns a table computes itself ([MS-OXPROPS]).
const (
	tblTagRowType     prop.Tag = 0x0FF50003 // PidTagRowType
	tblTagInstanceKey prop.Tag = 0x0FF60102 // PidTagInstanceKey
	tblTagDepth       prop.Tag = 0x30050003 // PidTagDepth
	tblTagInstID      prop.Tag = 0x674D0014 // PidTagInstID
	tblTagInstanceNum prop.Tag = 0x674E0003 // PidTagInstanceNum
)

// PidTagRowType values (MAPI TBL_LEAF_ROW …) — [MS-OXCTABL] 2.2.1.2.
const (
	tblLeafRow           int32 = 1
	tblEmptyCategory     int32 = 2
	tblExpandedCategory  int32 = 3
	tblCollapsedCategory int32 = 4
)

// PidTagObjectType values — [MS-OXPROPS] 2.803 (MAPI_FOLDER, MAPI_MESSAGE,
// MAPI_ATTACH).
const (
	tblObjFolder  int32 = 3
	tblObjMessage int32 = 5
	tblObjAttach  int32 = 7
)

// Error codes of the table ROPs — [MS-OXCDATA] 2.4, [MS-OXCTABL] 3.2.5.
const (
	ecTblInvalidBookmark prop.ErrorCode = 0x80040405
	ecTblNotExpanded     prop.ErrorCode = 0x000004F7
	ecTblNotCollapsed    prop.ErrorCode = 0x000004F8
)

// TableFlags of the ROPs that open tables — [MS-OXCFOLD] 2.2.1.13.1 and
// 2.2.1.14.1, [MS-OXCMSG] 2.2.3.17.1, [MS-OXORULE] 2.2.2.1, [MS-OXCPERM]
// 2.2.1.1.
const (
	tblFlagAssociated      uint8 = 0x02 // contents: FAI messages
	tblFlagIncludeFreeBusy uint8 = 0x02 // permissions
	tblFlagDepth           uint8 = 0x04 // hierarchy: the whole subtree
	tblFlagNoNotifications uint8 = 0x10
	tblFlagSoftDeletes     uint8 = 0x20
	tblFlagUnicode         uint8 = 0x40
	tblFlagSuppressNotify  uint8 = 0x80 // hierarchy: not for this client's own changes
)

// tableKind says what a table lists.
type tableKind uint8

const (
	tableHierarchy tableKind = iota + 1
	tableContents
	tableAttachments
	tableRules
	tablePermissions
)

func (k tableKind) String() string {
	switch k {
	case tableHierarchy:
		return "hierarchy"
	case tableContents:
		return "contents"
	case tableAttachments:
		return "attachments"
	case tableRules:
		return "rules"
	case tablePermissions:
		return "permissions"
	}
	return "table"
}

// tableObj is an open table — [MS-OXCTABL] 1.3. Its state is guarded by
// mu: event delivery runs in the publishing session's goroutine.
type tableObj struct {
	lg     *logonObj
	kind   tableKind
	fid    prop.ID
	flags  uint8
	msg    *messageObj // attachment tables
	st     *store.Store
	em     *emsmdbSession
	handle uint32
	sub    *subscription
	search bool // the folder is a search folder: any message event may change it

	mu       sync.Mutex
	released bool

	columns    []prop.Tag
	hasColumns bool
	colsFix    bool   // some column needs the post-processing of fixRow
	colGen     uint32 // bumped when the columns change: cached wire rows are stale

	restriction *prop.Restriction
	sorts       []prop.SortOrder
	categories  int
	expanded    int
	catState    map[uint64]bool // explicit expanded (true) / collapsed state by category id

	base   []*tblBase
	fids   map[prop.ID]bool // hierarchy: the folders that are rows
	loaded bool
	stale  bool
	viewOK bool
	mvi    []uint16  // property ids the view expands into instances
	all    []*tblRow // the view, headers included
	rows   []*tblRow // the visible rows
	cursor int

	bookmarks    map[uint32]*tblBookmark
	nextBookmark uint32

	// notified: a TABLE_CHANGED was queued and the client has not looked
	// at the table since; more changes need no more notifications.
	notified bool
}

func (t *tableObj) logon() *logonObj { return t.lg }

// release stops the table's notifications (RopRelease or session end).
func (t *tableObj) release() {
	t.mu.Lock()
	t.released = true
	sub := t.sub
	t.sub = nil
	t.mu.Unlock()
	if sub == nil {
		return
	}
	t.em.srv.events.unsubscribe(sub)
	t.em.nmu.Lock()
	delete(t.em.subs, sub)
	t.em.nmu.Unlock()
}

// tblBase is one stored row: a message, folder, attachment, rule or
// permission.
type tblBase struct {
	src    store.PropSource
	props  store.Props // the row's properties when enumerable (QueryColumnsAll)
	fid    prop.ID
	mid    prop.ID
	id     uint64 // PidTagInstID
	unread bool

	entryID []byte
	sub     store.SubObjectSource // the opened message, for SubObject restrictions
	subDone bool
}

// tblCat is a category of a categorized view — [MS-OXCTABL] 3.2.5.3.
type tblCat struct {
	id     uint64
	level  int
	parent *tblCat
	header *tblRow
	first  *tblRow // the leaf the category's values come from
	leaves int32
	unread int32
}

// tblMV is the value a multi-value instance row has for one property.
type tblMV struct {
	id uint16
	v  any
}

// tblRow is one row of the view: a leaf (base set) or a category header.
type tblRow struct {
	t     *tableObj
	base  *tblBase
	cat   *tblCat // header: its category; leaf: its innermost category
	mv    []tblMV
	num   uint32 // PidTagInstanceNum
	depth int32
	keys  []any // sort keys

	// The row on the wire over the columns of generation wireGen (leaf
	// rows only: a header's row changes with the collapse state).
	wire     prop.Row
	wireSize int
	wireGen  uint32
}

// tblKey identifies a row across view rebuilds.
type tblKey struct {
	id  uint64
	num uint32
}

func (r *tblRow) key() tblKey {
	if r.base == nil {
		return tblKey{id: r.cat.id}
	}
	return tblKey{id: r.base.id, num: r.num}
}

// tblVirtual answers a computed column when the requested type allows it.
func tblVirtual(tag prop.Tag, t prop.Type, v any) (any, bool) {
	if want := tag.Type(); want != t && want != prop.PtypUnspecified {
		return nil, false
	}
	return v, true
}

// Prop implements store.PropSource over the row's columns: the stored
// properties, the instance value of multi-value instance columns, and the
// columns a table computes (PidTagInstID, PidTagInstanceNum,
// PidTagInstanceKey, PidTagRowType, PidTagDepth, and on category headers
// the category values and PidTagContentCount/PidTagContentUnreadCount).
func (r *tblRow) Prop(tag prop.Tag) (any, bool) {
	switch tag.ID() {
	case tblTagInstID.ID():
		return tblVirtual(tag, prop.PtypInteger64, int64(r.key().id))
	case tblTagInstanceNum.ID():
		return tblVirtual(tag, prop.PtypInteger32, int32(r.num))
	case tblTagInstanceKey.ID():
		k := r.key()
		b := make([]byte, 12)
		binary.LittleEndian.PutUint64(b, k.id)
		binary.LittleEndian.PutUint32(b[8:], k.num)
		return tblVirtual(tag, prop.PtypBinary, b)
	case tblTagRowType.ID():
		if r.base != nil {
			return tblVirtual(tag, prop.PtypInteger32, tblLeafRow)
		}
		if r.t.isExpanded(r.cat) {
			return tblVirtual(tag, prop.PtypInteger32, tblExpandedCategory)
		}
		return tblVirtual(tag, prop.PtypInteger32, tblCollapsedCategory)
	case tblTagDepth.ID():
		if r.base != nil && r.t.categories == 0 {
			if v, ok := r.base.src.Prop(tag); ok {
				return v, true
			}
		}
		return tblVirtual(tag, prop.PtypInteger32, r.depth)
	}
	if r.base == nil {
		return r.headerProp(tag)
	}
	if tag.Type()&prop.MultiValueInstance != 0 {
		for _, m := range r.mv {
			if m.id == tag.ID() {
				if prop.TypeOf(m.v) == tag.Type().Cell() || (tag.Type().Cell() == prop.PtypString8 && prop.TypeOf(m.v) == prop.PtypString) {
					return m.v, true
				}
				return nil, false
			}
		}
	}
	if v, ok := r.base.src.Prop(tag); ok {
		return v, true
	}
	switch tag.ID() {
	case store.TagObjectType.ID():
		switch r.t.kind {
		case tableHierarchy:
			return tblVirtual(tag, prop.PtypInteger32, tblObjFolder)
		case tableContents:
			return tblVirtual(tag, prop.PtypInteger32, tblObjMessage)
		case tableAttachments:
			return tblVirtual(tag, prop.PtypInteger32, tblObjAttach)
		}
	case store.TagEntryId.ID():
		if b := r.t.entryID(r.base); b != nil {
			return tblVirtual(tag, prop.PtypBinary, b)
		}
	}
	return nil, false
}

// headerProp answers the columns of a category header row: the values of
// the category columns down to its level, and its counts.
func (r *tblRow) headerProp(tag prop.Tag) (any, bool) {
	switch tag.ID() {
	case store.TagContentCount.ID():
		return tblVirtual(tag, prop.PtypInteger32, r.cat.leaves)
	case store.TagContentUnreadCount.ID():
		return tblVirtual(tag, prop.PtypInteger32, r.cat.unread)
	}
	for l := 0; l <= r.cat.level && l < len(r.t.sorts); l++ {
		if so := r.t.sorts[l]; so.PropertyId == tag.ID() {
			return r.cat.first.Prop(tag)
		}
	}
	return nil, false
}

// SubObjects implements store.SubObjectSource: a contents row opens its
// message (once) for a SubObject restriction on recipients or
// attachments.
func (r *tblRow) SubObjects(tag prop.Tag) []store.PropSource {
	b := r.base
	if b == nil {
		return nil
	}
	if so, ok := b.src.(store.SubObjectSource); ok {
		return so.SubObjects(tag)
	}
	if r.t.kind != tableContents || b.mid == 0 {
		return nil
	}
	if !b.subDone {
		b.subDone = true
		if m, err := r.t.st.OpenMessage(r.t.lg.mb, b.fid, b.mid); err == nil {
			b.sub = m
		}
	}
	if b.sub == nil {
		return nil
	}
	return b.sub.SubObjects(tag)
}

// entryID computes PidTagEntryId of a folder or message row —
// [MS-OXCDATA] 2.2.4.1, 2.2.4.2.
func (t *tableObj) entryID(b *tblBase) []byte {
	if b.entryID != nil {
		return b.entryID
	}
	if t.kind != tableHierarchy && t.kind != tableContents {
		return nil
	}
	mb := t.lg.mb
	guid := func(id prop.ID) prop.GUID {
		if id.ReplicaId() == 1 {
			return mb.ReplicaGUID
		}
		g, _ := t.st.ReplGUID(mb, id.ReplicaId())
		return g
	}
	c := wire.NewEncoder(make([]byte, 0, 70))
	if t.kind == tableHierarchy {
		e := prop.FolderEntryID{ProviderUID: mb.MailboxGUID, FolderType: 0x0001, // eitLTPrivateFolder
			DatabaseGuid: guid(b.fid), GlobalCounter: prop.GlobCnt(b.fid.GlobalCounter())}
		prop.CodecFolderEntryID(c, &e, "EntryID")
	} else {
		e := prop.MessageEntryID{ProviderUID: mb.MailboxGUID, MessageType: 0x0007, // eitLTPrivateMessage
			FolderDatabaseGuid: guid(b.fid), FolderGlobalCounter: prop.GlobCnt(b.fid.GlobalCounter()),
			MessageDatabaseGuid: guid(b.mid), MessageGlobalCounter: prop.GlobCnt(b.mid.GlobalCounter())}
		prop.CodecMessageEntryID(c, &e, "EntryID")
	}
	if c.Failed() {
		return nil
	}
	b.entryID = c.Output()
	return b.entryID
}

// unicode reports whether the table was opened with Unicode strings:
// RopQueryColumnsAll then names string columns PtypString, else
// PtypString8.
func (t *tableObj) unicode() bool {
	switch t.kind {
	case tablePermissions:
		return true
	}
	return t.flags&tblFlagUnicode != 0
}

// ---- loading ----

// load reads the table's rows from the store.
func (t *tableObj) load() error {
	var base []*tblBase
	mb := t.lg.mb
	switch t.kind {
	case tableContents:
		if t.flags&tblFlagSoftDeletes != 0 {
			break // soft-deleted messages are not listed by this store
		}
		rows, err := t.st.Contents(mb, t.fid, t.flags&tblFlagAssociated != 0)
		if err != nil {
			return err
		}
		base = make([]*tblBase, len(rows))
		all := make([]tblBase, len(rows))
		for i, r := range rows {
			all[i] = tblBase{src: r, props: r.Props, fid: r.FolderID, mid: r.ID, id: uint64(r.ID), unread: !r.Read}
			base[i] = &all[i]
		}
	case tableHierarchy:
		t.fids = map[prop.ID]bool{}
		if t.flags&tblFlagSoftDeletes != 0 {
			break
		}
		rows, err := t.st.Hierarchy(mb, t.fid, t.flags&tblFlagDepth != 0)
		if err != nil {
			return err
		}
		for _, r := range rows {
			if !t.lg.owner && !t.st.CanAccess(mb, r.Folder.ID, t.lg.user, store.RightFolderVisible) {
				continue
			}
			base = append(base, &tblBase{src: r.Props, props: r.Props, fid: r.Folder.ID, id: uint64(r.Folder.ID)})
			t.fids[r.Folder.ID] = true
		}
	case tableAttachments:
		for _, p := range t.msg.msg.AttachmentTable() {
			base = append(base, &tblBase{src: p, props: p, id: uint64(uint32(p.Int32(store.TagAttachNumber)))})
		}
	case tableRules:
		rules, err := t.st.Rules(mb, t.fid)
		if err != nil {
			return err
		}
		for i := range rules {
			p := rules[i].Props()
			base = append(base, &tblBase{src: p, props: p, id: rules[i].ID})
		}
	case tablePermissions:
		perms, err := t.st.Permissions(mb, t.fid)
		if err != nil {
			return err
		}
		for i := range perms {
			p := perms[i].Props()
			if t.flags&tblFlagIncludeFreeBusy == 0 {
				// Without IncludeFreeBusy the free/busy bits are not
				// shown — [MS-OXCPERM] 3.2.5.1.
				rights := uint32(p.Int32(store.TagMemberRights)) &^ (store.RightFreeBusySimple | store.RightFreeBusyDetailed)
				p.Set(store.TagMemberRights, int32(rights))
			}
			base = append(base, &tblBase{src: p, props: p, id: uint64(perms[i].MemberID)})
		}
	}
	t.base = base
	return nil
}

// refresh makes the view current: it reloads a stale table and rebuilds
// a view that a changed sort, restriction or column set invalidated,
// keeping the cursor on the row it was on.
func (t *tableObj) refresh() prop.ErrorCode {
	if t.kind == tableAttachments {
		// The attachment table shows the message's working copy.
		t.stale = true
	}
	if t.loaded && !t.stale && t.viewOK {
		return 0
	}
	var key tblKey
	hadKey, atEnd := false, false
	old := t.cursor
	if t.viewOK {
		if t.cursor < len(t.rows) {
			key, hadKey = t.rows[t.cursor].key(), true
		} else {
			atEnd = t.cursor > 0
		}
	}
	if !t.loaded || t.stale {
		if err := t.load(); err != nil {
			return ecOf(err)
		}
		t.loaded, t.stale, t.viewOK = true, false, false
	}
	if !t.viewOK {
		if ec := t.buildView(); ec != 0 {
			return ec
		}
	}
	switch {
	case hadKey:
		if i := t.find(key); i >= 0 {
			t.cursor = i
		} else {
			t.cursor = min(old, len(t.rows))
		}
	case atEnd:
		t.cursor = len(t.rows)
	default:
		t.cursor = min(t.cursor, len(t.rows))
	}
	return 0
}

// find returns the index of the visible row with key k, or -1.
func (t *tableObj) find(k tblKey) int {
	for i, r := range t.rows {
		if r.key() == k {
			return i
		}
	}
	return -1
}

// ---- the view ----

// mviIDs lists the property ids whose multiple values the view expands
// into one row each: the MultiValueInstance columns and sort keys —
// [MS-OXCTABL] 3.2.5.2, 3.2.5.3.
func (t *tableObj) mviIDs() []uint16 {
	var ids []uint16
	add := func(tag prop.Tag) {
		if tag.Type()&prop.MultiValueInstance == 0 {
			return
		}
		for _, id := range ids {
			if id == tag.ID() {
				return
			}
		}
		ids = append(ids, tag.ID())
	}
	for _, c := range t.columns {
		add(c)
	}
	for _, s := range t.sorts {
		add(s.Tag())
	}
	return ids
}

func sameIDs(a, b []uint16) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// buildView expands, restricts, sorts and categorizes the cached rows.
func (t *tableObj) buildView() prop.ErrorCode {
	t.mvi = t.mviIDs()
	var rows []*tblRow
	if len(t.mvi) == 0 {
		rows = make([]*tblRow, len(t.base))
		all := make([]tblRow, len(t.base))
		for i, b := range t.base {
			all[i] = tblRow{t: t, base: b}
			rows[i] = &all[i]
		}
	} else {
		rows = make([]*tblRow, 0, len(t.base))
		for _, b := range t.base {
			rows = t.expand(rows, b)
		}
	}
	if t.restriction != nil {
		m := store.NewMatcher(t.restriction)
		kept := rows[:0]
		for _, r := range rows {
			if m.Match(r) {
				kept = append(kept, r)
			}
		}
		rows = kept
	}
	if len(t.sorts) > 0 {
		t.sortRows(rows)
	}
	if t.categories > 0 {
		t.all = t.categorize(rows)
	} else {
		t.all = rows
	}
	t.viewOK = true
	t.computeVisible()
	return 0
}

// expand appends the rows of b: one per combination of the values of its
// multi-value instance properties, numbered from 1 (PidTagInstanceNum);
// a row without multiple values for them stays one row numbered 0.
func (t *tableObj) expand(rows []*tblRow, b *tblBase) []*tblRow {
	combos := [][]tblMV{nil}
	for _, id := range t.mvi {
		v, ok := b.src.Prop(prop.NewTag(id, prop.PtypUnspecified))
		if !ok {
			continue
		}
		el, multi := prop.Elements(v)
		if !multi || len(el) == 0 {
			continue
		}
		next := make([][]tblMV, 0, len(combos)*len(el))
		for _, c := range combos {
			for _, e := range el {
				nc := append(append([]tblMV(nil), c...), tblMV{id: id, v: e})
				next = append(next, nc)
			}
		}
		combos = next
	}
	if len(combos) == 1 && combos[0] == nil {
		return append(rows, &tblRow{t: t, base: b})
	}
	for i, c := range combos {
		rows = append(rows, &tblRow{t: t, base: b, mv: c, num: uint32(i + 1)})
	}
	return rows
}

// sortKey is a value as sorting compares it: strings without case.
func sortKey(v any, ok bool) any {
	if !ok {
		return nil
	}
	if s, isStr := v.(string); isStr {
		return strings.ToLower(s)
	}
	return v
}

// cmpKeys orders two sort keys; a missing value sorts first.
func cmpKeys(a, b any) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return -1
	case b == nil:
		return 1
	}
	c, _ := store.Compare(a, b)
	return c
}

// sortRows orders rows by the sort orders — [MS-OXCTABL] 3.2.5.3: the
// category columns first, then the others; a MaximumCategory category is
// ordered by the greatest value its rows have for the first non-category
// column.
func (t *tableObj) sortRows(rows []*tblRow) {
	n := len(t.sorts)
	keys := make([]any, len(rows)*n)
	for i, r := range rows {
		r.keys = keys[i*n : (i+1)*n : (i+1)*n]
		for j, so := range t.sorts {
			r.keys[j] = sortKey(r.Prop(so.Tag()))
		}
	}
	sort.SliceStable(rows, func(i, j int) bool {
		a, b := rows[i].keys, rows[j].keys
		for k, so := range t.sorts {
			c := cmpKeys(a[k], b[k])
			if so.Order&prop.OrderDescending != 0 {
				c = -c
			}
			if c != 0 {
				return c < 0
			}
		}
		return false
	})
	t.maxCategoryOrder(rows, 0)
}

// maxCategoryOrder reorders the categories of one level whose sort order
// has the MaximumCategory bit, level by level.
func (t *tableObj) maxCategoryOrder(rows []*tblRow, level int) {
	if level >= t.categories || t.categories >= len(t.sorts) || len(rows) == 0 {
		return
	}
	var groups [][]*tblRow
	start := 0
	for i := 1; i <= len(rows); i++ {
		if i == len(rows) || cmpKeys(rows[i].keys[level], rows[start].keys[level]) != 0 {
			groups = append(groups, rows[start:i])
			start = i
		}
	}
	if t.sorts[level].Order&prop.OrderMaximumCategory != 0 {
		col := t.categories
		desc := t.sorts[col].Order&prop.OrderDescending != 0
		aggs := make([]any, len(groups))
		for gi, g := range groups {
			var best any
			for _, r := range g {
				if best == nil || cmpKeys(r.keys[col], best) > 0 {
					best = r.keys[col]
				}
			}
			aggs[gi] = best
		}
		idx := make([]int, len(groups))
		for i := range idx {
			idx[i] = i
		}
		sort.SliceStable(idx, func(i, j int) bool {
			c := cmpKeys(aggs[idx[i]], aggs[idx[j]])
			if desc {
				c = -c
			}
			return c < 0
		})
		ordered := make([]*tblRow, 0, len(rows))
		for _, gi := range idx {
			ordered = append(ordered, groups[gi]...)
		}
		copy(rows, ordered)
		// Regroup over the reordered slice.
		groups = groups[:0]
		start = 0
		for i := 1; i <= len(rows); i++ {
			if i == len(rows) || cmpKeys(rows[i].keys[level], rows[start].keys[level]) != 0 {
				groups = append(groups, rows[start:i])
				start = i
			}
		}
	}
	for _, g := range groups {
		t.maxCategoryOrder(g, level+1)
	}
}

// categorize inserts a header row before each category — [MS-OXCTABL]
// 3.2.5.3. Leaves sit at depth CategoryCount.
func (t *tableObj) categorize(leaves []*tblRow) []*tblRow {
	out := make([]*tblRow, 0, len(leaves)+16)
	var open []*tblCat
	for _, r := range leaves {
		lvl := 0
		for lvl < len(open) && cmpKeys(open[lvl].first.keys[lvl], r.keys[lvl]) == 0 {
			lvl++
		}
		open = open[:lvl]
		for l := lvl; l < t.categories; l++ {
			c := &tblCat{level: l, first: r, id: categoryID(r.keys[:l+1])}
			if l > 0 {
				c.parent = open[l-1]
			}
			h := &tblRow{t: t, cat: c, depth: int32(l)}
			c.header = h
			open = append(open, c)
			out = append(out, h)
		}
		r.cat = open[len(open)-1]
		r.depth = int32(t.categories)
		for c := r.cat; c != nil; c = c.parent {
			c.leaves++
			if r.base.unread {
				c.unread++
			}
		}
		out = append(out, r)
	}
	return out
}

// categoryID names a category by its values, so that the same category
// has the same PidTagInstID across reloads and collapse states.
func categoryID(keys []any) uint64 {
	h := fnv.New64a()
	for _, k := range keys {
		fmt.Fprintf(h, "%T:%v\x00", k, k)
	}
	return h.Sum64() | 1<<63
}

// isExpanded reports a category's state: explicit, else expanded for the
// first ExpandedCount levels — [MS-OXCTABL] 2.2.2.3.1.
func (t *tableObj) isExpanded(c *tblCat) bool {
	if v, ok := t.catState[c.id]; ok {
		return v
	}
	return c.level < t.expanded
}

// hidden reports whether some category from c up is collapsed.
func (t *tableObj) hidden(c *tblCat) bool {
	for ; c != nil; c = c.parent {
		if !t.isExpanded(c) {
			return true
		}
	}
	return false
}

// computeVisible lists the rows not under a collapsed category.
func (t *tableObj) computeVisible() {
	if t.categories == 0 {
		t.rows = t.all
		return
	}
	rows := make([]*tblRow, 0, len(t.all))
	for _, r := range t.all {
		c := r.cat
		if r.base == nil {
			c = c.parent
		}
		if !t.hidden(c) {
			rows = append(rows, r)
		}
	}
	t.rows = rows
}

// under reports whether row r belongs to category c (a descendant).
func under(r *tblRow, c *tblCat) bool {
	p := r.cat
	if r.base == nil {
		p = p.parent
	}
	for ; p != nil; p = p.parent {
		if p == c {
			return true
		}
	}
	return false
}

// category finds the category with PidTagInstID id.
func (t *tableObj) category(id uint64) *tblCat {
	for _, r := range t.all {
		if r.base == nil && r.cat.id == id {
			return r.cat
		}
	}
	return nil
}

// setVisibility changes the visible rows by f, keeping the cursor on its
// row when that row stays visible, else on fallback(old index).
func (t *tableObj) setVisibility(f func()) {
	var key tblKey
	hadKey := t.cursor < len(t.rows)
	if hadKey {
		key = t.rows[t.cursor].key()
	}
	old := t.cursor
	f()
	t.computeVisible()
	if hadKey {
		if i := t.find(key); i >= 0 {
			t.cursor = i
			return
		}
	}
	t.cursor = min(old, len(t.rows))
}

// ---- rows on the wire ----

// prepareColumns notes whether rows need fixRow over these columns.
func (t *tableObj) prepareColumns() {
	t.colGen++
	t.colsFix = false
	for _, c := range t.columns {
		switch c.Type().Cell() {
		case prop.PtypString, prop.PtypString8, prop.PtypBinary:
			t.colsFix = true
		}
	}
}

// wireRow builds the PropertyRow of r over the table's columns.
func (t *tableObj) wireRow(r *tblRow) prop.Row {
	row := rowFor(r, t.columns)
	if t.colsFix {
		t.fixRow(&row)
	}
	return row
}

// encodedRow returns the PropertyRow of r and its size on the wire,
// encoding it into enc to measure it. Leaf rows keep both, so that reading
// the table again costs neither rowFor nor a second measure.
func (t *tableObj) encodedRow(r *tblRow, enc *wire.Codec) (prop.Row, int, bool) {
	if r.base != nil && r.wireGen == t.colGen && r.wireSize > 0 {
		return r.wire, r.wireSize, true
	}
	row := t.wireRow(r)
	before := len(enc.Output())
	prop.CodecRow(enc, &row, t.columns, "", prop.ROP)
	if enc.Failed() {
		return row, 0, false
	}
	size := len(enc.Output()) - before
	if r.base != nil {
		r.wire, r.wireSize, r.wireGen = row, size, t.colGen
	}
	return row, size, true
}

// fixRow applies the rule rowFor does not know: values larger than 510
// bytes are truncated — [MS-OXCTABL] 2.2.2.5.2. (Columns are never
// PtypUnspecified in a table: RopSetColumns refuses them.)
func (t *tableObj) fixRow(row *prop.Row) {
	for i, v := range row.Values {
		if fv, flagged := v.(prop.FlaggedValue); flagged {
			if fv.Flag == prop.FlagValue {
				fv.Value = truncateValue(fv.Value)
				row.Values[i] = fv
			}
			continue
		}
		row.Values[i] = truncateValue(v)
	}
}

// maxCellBytes is the largest value a table row carries — [MS-OXCTABL]
// 2.2.2.5.2.
const maxCellBytes = 510

// truncateValue cuts a string or binary value to maxCellBytes (a
// Unicode string to 255 UTF-16 code units).
func truncateValue(v any) any {
	switch x := v.(type) {
	case string:
		if len(x) <= maxCellBytes/2 {
			return x
		}
		n := 0
		for i, r := range x {
			w := 1
			if r >= 0x10000 {
				w = 2
			}
			if n+w > maxCellBytes/2 {
				return x[:i]
			}
			n += w
		}
		return x
	case []byte:
		if len(x) > maxCellBytes {
			return x[:maxCellBytes]
		}
	}
	return v
}

// tblColumnsResponse carries a response whose rows encode against the
// table's columns: the Execute loop encodes responses with the request
// alone in the Ctx, and rows need the column set.
type tblColumnsResponse struct {
	rop.Response
	columns []prop.Tag
}

func (r *tblColumnsResponse) Codec(c *wire.Codec, ctx *rop.Ctx) {
	var cx rop.Ctx
	if ctx != nil {
		cx = *ctx
	}
	cx.Columns, cx.HasColumns = r.columns, true
	r.Response.Codec(c, &cx)
}

// withColumns wraps resp with the table's current columns.
func (t *tableObj) withColumns(resp rop.Response) rop.Response {
	return &tblColumnsResponse{Response: resp, columns: t.columns}
}

// ---- bookmarks ----

// tblBookmark is a custom bookmark — [MS-OXCTABL] 2.2.2.1.2: a row, or
// the end of the table.
type tblBookmark struct {
	key   tblKey
	atEnd bool
	pos   int // where the row was, for when it is gone
}

// createBookmark marks the cursor's row and returns the bookmark bytes.
func (t *tableObj) createBookmark(pos int) []byte {
	if t.bookmarks == nil {
		t.bookmarks = map[uint32]*tblBookmark{}
	}
	t.nextBookmark++
	bm := &tblBookmark{pos: pos}
	if pos < len(t.rows) {
		bm.key = t.rows[pos].key()
	} else {
		bm.atEnd = true
	}
	t.bookmarks[t.nextBookmark] = bm
	b := make([]byte, 4)
	binary.LittleEndian.PutUint32(b, t.nextBookmark)
	return b
}

// bookmark looks a bookmark up: ok is false for one the table does not
// know (freed, or invalidated by RopSortTable, RopRestrict or
// RopResetTable).
func (t *tableObj) bookmark(b []byte) (uint32, *tblBookmark, bool) {
	if len(b) != 4 {
		return 0, nil, false
	}
	id := binary.LittleEndian.Uint32(b)
	bm, ok := t.bookmarks[id]
	return id, bm, ok
}

// resolve returns where a bookmark points now, and whether its row is no
// longer visible (then the position is that of the next row).
func (t *tableObj) resolve(bm *tblBookmark) (pos int, gone bool) {
	if bm.atEnd {
		return len(t.rows), false
	}
	if bm.pos < len(t.rows) && t.rows[bm.pos].key() == bm.key {
		return bm.pos, false
	}
	if i := t.find(bm.key); i >= 0 {
		bm.pos = i
		return i, false
	}
	return min(bm.pos, len(t.rows)), true
}

// invalidate forgets the bookmarks and moves the cursor to the beginning
// (RopSortTable, RopRestrict, RopResetTable).
func (t *tableObj) invalidate() {
	t.bookmarks = nil
	t.cursor = 0
	t.viewOK = false
}

// ---- collapse state ----

// The collapse state is opaque to clients — [MS-OXCTABL] 2.2.2.19.2. Ours:
// "MSC1", u16 count, count × (u64 category id, u8 expanded), then the
// u64 PidTagInstID and u32 PidTagInstanceNum of the row to bookmark.
const collapseMagic = "MSC1"

func (t *tableObj) collapseState(rowID uint64, num uint32) []byte {
	ids := make([]uint64, 0, len(t.catState))
	for id := range t.catState {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	b := make([]byte, 0, 4+2+9*len(ids)+12)
	b = append(b, collapseMagic...)
	b = binary.LittleEndian.AppendUint16(b, uint16(len(ids)))
	for _, id := range ids {
		b = binary.LittleEndian.AppendUint64(b, id)
		e := byte(0)
		if t.catState[id] {
			e = 1
		}
		b = append(b, e)
	}
	b = binary.LittleEndian.AppendUint64(b, rowID)
	b = binary.LittleEndian.AppendUint32(b, num)
	return b
}

// parseCollapseState reads a collapse state; ok is false for bytes that
// are not one.
func parseCollapseState(b []byte) (state map[uint64]bool, row tblKey, ok bool) {
	if len(b) < 4+2+12 || string(b[:4]) != collapseMagic {
		return nil, row, false
	}
	n := int(binary.LittleEndian.Uint16(b[4:]))
	if len(b) != 4+2+9*n+12 {
		return nil, row, false
	}
	state = make(map[uint64]bool, n)
	p := 6
	for range n {
		state[binary.LittleEndian.Uint64(b[p:])] = b[p+8] != 0
		p += 9
	}
	row.id = binary.LittleEndian.Uint64(b[p:])
	row.num = binary.LittleEndian.Uint32(b[p+8:])
	return state, row, true
}

// ---- notifications ----

// subscribe follows the table's folder on the event bus.
func (t *tableObj) subscribe() {
	if t.kind != tableHierarchy && t.kind != tableContents {
		return
	}
	sub := &subscription{mailbox: t.lg.mb.ID, deliver: t.deliver}
	t.mu.Lock()
	t.sub = sub
	t.mu.Unlock()
	t.em.nmu.Lock()
	t.em.subs[sub] = true
	t.em.nmu.Unlock()
	t.em.srv.events.subscribe(sub)
}

// concerns reports whether an event may change the table's rows.
func (t *tableObj) concerns(ev event) bool {
	switch t.kind {
	case tableContents:
		if ev.mid != 0 {
			return t.search || ev.fid == t.fid || ev.oldFid == t.fid
		}
		return ev.fid == t.fid || t.search
	case tableHierarchy:
		if ev.mid != 0 {
			return t.fids[ev.fid] || t.fids[ev.oldFid]
		}
		if ev.parent == t.fid || ev.oldParent == t.fid || t.fids[ev.fid] || ev.fid == t.fid {
			return true
		}
		return t.flags&tblFlagDepth != 0
	}
	return false
}

// deliver marks the table stale on an event about its rows and queues a
// TableModified notification for its handle — [MS-OXCNOTIF] 2.2.1.4.1.2:
// TABLE_ROW_DELETED when a plain row went away, else TABLE_CHANGED (once
// until the client looks at the table again).
func (t *tableObj) deliver(ev event) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.released || !t.concerns(ev) {
		return
	}
	wasCurrent := t.loaded && !t.stale && t.viewOK
	t.stale = true
	if t.flags&tblFlagNoNotifications != 0 || t.notified {
		return
	}
	if t.kind == tableHierarchy && t.flags&tblFlagSuppressNotify != 0 && ev.origin == t.em {
		return
	}
	resp := &rop.NotifyResponse{RopId: 0x2A, NotificationHandle: t.handle, LogonId: t.lg.id}
	d := &resp.NotificationData
	d.NotificationFlags = rop.NotifyTableModified
	d.TableEventType = rop.TableEventChanged
	if wasCurrent && t.categories == 0 && len(t.mvi) == 0 && t.deletes(ev) {
		var k tblKey
		if t.kind == tableContents {
			k.id = uint64(ev.mid)
		} else {
			k.id = uint64(ev.fid)
		}
		if t.find(k) >= 0 {
			d.TableEventType = rop.TableEventRowDeleted
			if t.kind == tableContents {
				d.NotificationFlags |= rop.NotifyFlagM
				d.TableRowFolderID, d.TableRowMessageID = t.fid, ev.mid
			} else {
				d.TableRowFolderID = ev.fid
			}
		}
	}
	if d.TableEventType == rop.TableEventChanged {
		t.notified = true
	}
	t.em.queue(resp)
}

// deletes reports an event that removes one row of the table.
func (t *tableObj) deletes(ev event) bool {
	switch t.kind {
	case tableContents:
		if ev.mid == 0 || t.search {
			return false
		}
		return (ev.kind == fnevObjectDeleted && ev.fid == t.fid) ||
			(ev.kind == fnevObjectMoved && ev.oldFid == t.fid && ev.fid != t.fid)
	case tableHierarchy:
		return ev.mid == 0 && ev.kind == fnevObjectDeleted && t.flags&tblFlagDepth == 0 && ev.parent == t.fid
	}
	return false
}

// touch records that the client looked at the table: the next change
// is notified again.
func (t *tableObj) touch() { t.notified = false }

// columnsAll lists every property the rows have — RopQueryColumnsAll,
// [MS-OXCTABL] 3.2.5.12 — string types as the table's Unicode flag asks.
func (t *tableObj) columnsAll() []prop.Tag {
	seen := map[uint16]prop.Tag{}
	for _, b := range t.base {
		for id, tv := range b.props {
			if _, ok := seen[id]; !ok {
				seen[id] = tv.Tag
			}
		}
	}
	if t.kind == tableHierarchy || t.kind == tableContents {
		for _, tag := range []prop.Tag{tblTagInstID, tblTagInstanceNum, tblTagInstanceKey, tblTagRowType, tblTagDepth, store.TagEntryId, store.TagObjectType} {
			if _, ok := seen[tag.ID()]; !ok {
				seen[tag.ID()] = tag
			}
		}
	}
	out := make([]prop.Tag, 0, len(seen))
	uni := t.unicode()
	for _, tag := range seen {
		if !uni {
			switch tag.Type() {
			case prop.PtypString:
				tag = tag.WithType(prop.PtypString8)
			case prop.PtypMultipleString:
				tag = tag.WithType(prop.PtypMultipleString8)
			}
		}
		out = append(out, tag)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

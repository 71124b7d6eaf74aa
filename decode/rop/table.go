package rop

import (
	"github.com/mapiscope/mapiscope/decode/prop"
	"github.com/mapiscope/mapiscope/decode/wire"
)

// The table ROPs of [MS-OXCROPS] 2.2.5, whose semantics [MS-OXCTABL]
// specifies.

// TableStatus values — [MS-OXCTABL] 2.2.2.1.3.
var tableStatusSym = wire.Enum(
	wire.Flag{Mask: 0x00, Name: "TBLSTAT_COMPLETE"},
	wire.Flag{Mask: 0x09, Name: "TBLSTAT_SORTING"},
	wire.Flag{Mask: 0x0A, Name: "TBLSTAT_SORT_ERROR"},
	wire.Flag{Mask: 0x0B, Name: "TBLSTAT_SETTING_COLS"},
	wire.Flag{Mask: 0x0D, Name: "TBLSTAT_SETCOL_ERROR"},
	wire.Flag{Mask: 0x0E, Name: "TBLSTAT_RESTRICTING"},
	wire.Flag{Mask: 0x0F, Name: "TBLSTAT_RESTRICT_ERROR"},
)

// TableStatus constants — [MS-OXCTABL] 2.2.2.1.3.
const (
	TblStatComplete      uint8 = 0x00
	TblStatSorting       uint8 = 0x09
	TblStatSortError     uint8 = 0x0A
	TblStatSettingCols   uint8 = 0x0B
	TblStatSetColError   uint8 = 0x0D
	TblStatRestricting   uint8 = 0x0E
	TblStatRestrictError uint8 = 0x0F
)

// CodecTableStatus reads or writes a TableStatus byte.
func CodecTableStatus(c *wire.Codec, p *uint8) {
	c.U8(p, "TableStatus")
	c.Hex().Named(tableStatusSym)
}

// asyncFlagsSym names the asynchronous flags of SetColumnsFlags,
// SortTableFlags and RestrictFlags — [MS-OXCTABL] 2.2.2.1.4.
var asyncFlagsSym = wire.Flags(wire.Flag{Mask: 0x01, Name: "TBL_ASYNC"})

// Origin of a table position: the predefined bookmarks — [MS-OXCTABL]
// 2.2.2.1.1.
var originSym = wire.Enum(
	wire.Flag{Mask: 0x00, Name: "BOOKMARK_BEGINNING"},
	wire.Flag{Mask: 0x01, Name: "BOOKMARK_CURRENT"},
	wire.Flag{Mask: 0x02, Name: "BOOKMARK_END"},
)

// Predefined bookmarks — [MS-OXCTABL] 2.2.2.1.1.
const (
	BookmarkBeginning uint8 = 0x00
	BookmarkCurrent   uint8 = 0x01
	BookmarkEnd       uint8 = 0x02
)

// CodecOrigin reads or writes an Origin byte under a name.
func CodecOrigin(c *wire.Codec, p *uint8, name string) {
	c.U8(p, name)
	c.Hex().Named(originSym)
}

// codecSizedBytes reads or writes a 16-bit size then that many bytes
// (BookmarkSize/Bookmark, CollapseStateSize/CollapseState, …).
func codecSizedBytes(c *wire.Codec, b *[]byte, sizeName, name string) {
	n := c.Count16(len(*b), 1, sizeName)
	c.Fixed(b, n, name)
}

// codecRestrictionData is shared by several families: see shared.go.

// tableColumns returns the column set rows decode against. Without one it
// fails the decode, or the encode when there are rows to write.
func tableColumns(c *wire.Codec, ctx *Ctx, rop string, rows int) ([]prop.Tag, bool) {
	if ctx != nil && ctx.HasColumns {
		return ctx.Columns, true
	}
	if rows == 0 {
		return nil, true
	}
	if c.Encoding() {
		c.EncodeError("%s: encoding rows needs the table's columns in Ctx", rop)
		return nil, false
	}
	return nil, needColumns(c, ctx, rop)
}

// ---- RopSetColumns 0x12 ----

// RopSetColumns request — [MS-OXCROPS] 2.2.5.1.1.
type SetColumnsRequest struct {
	RequestHeader
	SetColumnsFlags uint8
	PropertyTags    []prop.Tag
}

func (r *SetColumnsRequest) Codec(c *wire.Codec, ctx *Ctx) {
	r.RequestHeader.Codec(c, 0x12)
	c.U8(&r.SetColumnsFlags, "SetColumnsFlags")
	c.Hex().Named(asyncFlagsSym)
	prop.CodecTags(c, &r.PropertyTags, "PropertyTagCount", "PropertyTags", 2)
}

// RopSetColumns response — [MS-OXCROPS] 2.2.5.1.2.
type SetColumnsResponse struct {
	ResponseHeader
	TableStatus uint8
}

func (r *SetColumnsResponse) Codec(c *wire.Codec, ctx *Ctx) {
	r.ResponseHeader.Codec(c, 0x12, "InputHandleIndex")
	if r.ReturnValue != 0 {
		return
	}
	CodecTableStatus(c, &r.TableStatus)
}

// ---- RopSortTable 0x13 ----

// RopSortTable request — [MS-OXCROPS] 2.2.5.2.1. The first CategoryCount
// SortOrders are category columns, the first ExpandedCount of those start
// expanded ([MS-OXCTABL] 2.2.2.3.1).
type SortTableRequest struct {
	RequestHeader
	SortTableFlags uint8
	CategoryCount  uint16
	ExpandedCount  uint16
	SortOrders     []prop.SortOrder
}

func (r *SortTableRequest) Codec(c *wire.Codec, ctx *Ctx) {
	r.RequestHeader.Codec(c, 0x13)
	c.U8(&r.SortTableFlags, "SortTableFlags")
	c.Hex().Named(asyncFlagsSym)
	n := c.Count16(len(r.SortOrders), 5, "SortOrderCount")
	c.U16(&r.CategoryCount, "CategoryCount")
	c.U16(&r.ExpandedCount, "ExpandedCount")
	if c.Decoding() && !c.Failed() {
		if int(r.CategoryCount) > n {
			c.Note("CategoryCount %d exceeds SortOrderCount %d", r.CategoryCount, n)
		}
		if r.ExpandedCount > r.CategoryCount {
			c.Note("ExpandedCount %d exceeds CategoryCount %d", r.ExpandedCount, r.CategoryCount)
		}
	}
	wire.Make(c, &r.SortOrders, n)
	prop.CodecSortOrders(c, r.SortOrders, "SortOrders")
}

// RopSortTable response — [MS-OXCROPS] 2.2.5.2.2.
type SortTableResponse struct {
	ResponseHeader
	TableStatus uint8
}

func (r *SortTableResponse) Codec(c *wire.Codec, ctx *Ctx) {
	r.ResponseHeader.Codec(c, 0x13, "InputHandleIndex")
	if r.ReturnValue != 0 {
		return
	}
	CodecTableStatus(c, &r.TableStatus)
}

// ---- RopRestrict 0x14 ----

// RopRestrict request — [MS-OXCROPS] 2.2.5.3.1. Restriction is nil when
// RestrictionDataSize is 0.
type RestrictRequest struct {
	RequestHeader
	RestrictFlags uint8
	Restriction   *prop.Restriction
}

func (r *RestrictRequest) Codec(c *wire.Codec, ctx *Ctx) {
	r.RequestHeader.Codec(c, 0x14)
	c.U8(&r.RestrictFlags, "RestrictFlags")
	c.Hex().Named(asyncFlagsSym)
	codecRestrictionData(c, &r.Restriction)
}

// RopRestrict response — [MS-OXCROPS] 2.2.5.3.2.
type RestrictResponse struct {
	ResponseHeader
	TableStatus uint8
}

func (r *RestrictResponse) Codec(c *wire.Codec, ctx *Ctx) {
	r.ResponseHeader.Codec(c, 0x14, "InputHandleIndex")
	if r.ReturnValue != 0 {
		return
	}
	CodecTableStatus(c, &r.TableStatus)
}

// ---- RopQueryRows 0x15 ----

// QueryRowsFlags — [MS-OXCTABL] 2.2.2.5.1.
var queryRowsFlagsSym = wire.Flags(
	wire.Flag{Mask: 0x01, Name: "NoAdvance"},
	wire.Flag{Mask: 0x02, Name: "EnablePackedBuffers"},
)

// RopQueryRows request — [MS-OXCROPS] 2.2.5.4.1.
type QueryRowsRequest struct {
	RequestHeader
	QueryRowsFlags uint8
	ForwardRead    bool
	RowCount       uint16
}

func (r *QueryRowsRequest) Codec(c *wire.Codec, ctx *Ctx) {
	r.RequestHeader.Codec(c, 0x15)
	c.U8(&r.QueryRowsFlags, "QueryRowsFlags")
	c.Hex().Named(queryRowsFlagsSym)
	c.Bool8(&r.ForwardRead, "ForwardRead")
	c.U16(&r.RowCount, "RowCount")
}

// RopQueryRows response — [MS-OXCROPS] 2.2.5.4.2. RowData decodes against
// the column set of the table (RopSetColumns), which comes from Ctx.
type QueryRowsResponse struct {
	ResponseHeader
	Origin  uint8
	RowData []prop.Row
}

func (r *QueryRowsResponse) Codec(c *wire.Codec, ctx *Ctx) {
	r.ResponseHeader.Codec(c, 0x15, "InputHandleIndex")
	if r.ReturnValue != 0 {
		return
	}
	CodecOrigin(c, &r.Origin, "Origin")
	n := c.Count16(len(r.RowData), 1, "RowCount")
	cols, ok := tableColumns(c, ctx, "RopQueryRows response", n)
	if !ok {
		return
	}
	wire.Make(c, &r.RowData, n)
	prop.CodecRows(c, r.RowData, cols, "RowData", prop.ROP)
}

// ---- RopAbort 0x38 ----

// RopAbort request — [MS-OXCROPS] 2.2.5.5.1.
type AbortRequest struct {
	RequestHeader
}

func (r *AbortRequest) Codec(c *wire.Codec, ctx *Ctx) { r.RequestHeader.Codec(c, 0x38) }

// RopAbort response — [MS-OXCROPS] 2.2.5.5.2.
type AbortResponse struct {
	ResponseHeader
	TableStatus uint8
}

func (r *AbortResponse) Codec(c *wire.Codec, ctx *Ctx) {
	r.ResponseHeader.Codec(c, 0x38, "InputHandleIndex")
	if r.ReturnValue != 0 {
		return
	}
	CodecTableStatus(c, &r.TableStatus)
}

// ---- RopGetStatus 0x16 ----

// RopGetStatus request — [MS-OXCROPS] 2.2.5.6.1.
type GetStatusRequest struct {
	RequestHeader
}

func (r *GetStatusRequest) Codec(c *wire.Codec, ctx *Ctx) { r.RequestHeader.Codec(c, 0x16) }

// RopGetStatus response — [MS-OXCROPS] 2.2.5.6.2.
type GetStatusResponse struct {
	ResponseHeader
	TableStatus uint8
}

func (r *GetStatusResponse) Codec(c *wire.Codec, ctx *Ctx) {
	r.ResponseHeader.Codec(c, 0x16, "InputHandleIndex")
	if r.ReturnValue != 0 {
		return
	}
	CodecTableStatus(c, &r.TableStatus)
}

// ---- RopQueryPosition 0x17 ----

// RopQueryPosition request — [MS-OXCROPS] 2.2.5.7.1.
type QueryPositionRequest struct {
	RequestHeader
}

func (r *QueryPositionRequest) Codec(c *wire.Codec, ctx *Ctx) { r.RequestHeader.Codec(c, 0x17) }

// RopQueryPosition response — [MS-OXCROPS] 2.2.5.7.2: the cursor is at row
// Numerator of Denominator.
type QueryPositionResponse struct {
	ResponseHeader
	Numerator   uint32
	Denominator uint32
}

func (r *QueryPositionResponse) Codec(c *wire.Codec, ctx *Ctx) {
	r.ResponseHeader.Codec(c, 0x17, "InputHandleIndex")
	if r.ReturnValue != 0 {
		return
	}
	c.U32(&r.Numerator, "Numerator")
	c.U32(&r.Denominator, "Denominator")
}

// ---- RopSeekRow 0x18 ----

// RopSeekRow request — [MS-OXCROPS] 2.2.5.8.1. RowCount is signed: negative
// seeks backwards ([MS-OXCTABL] 2.2.2.9.1).
type SeekRowRequest struct {
	RequestHeader
	Origin            uint8
	RowCount          int32
	WantRowMovedCount bool
}

func (r *SeekRowRequest) Codec(c *wire.Codec, ctx *Ctx) {
	r.RequestHeader.Codec(c, 0x18)
	CodecOrigin(c, &r.Origin, "Origin")
	c.I32(&r.RowCount, "RowCount")
	c.Bool8(&r.WantRowMovedCount, "WantRowMovedCount")
}

// RopSeekRow response — [MS-OXCROPS] 2.2.5.8.2. HasSoughtLess and
// RowsSought are always present but meaningful only when the request set
// WantRowMovedCount.
type SeekRowResponse struct {
	ResponseHeader
	HasSoughtLess bool
	RowsSought    int32
}

func (r *SeekRowResponse) Codec(c *wire.Codec, ctx *Ctx) {
	r.ResponseHeader.Codec(c, 0x18, "InputHandleIndex")
	if r.ReturnValue != 0 {
		return
	}
	c.Bool8(&r.HasSoughtLess, "HasSoughtLess")
	c.I32(&r.RowsSought, "RowsSought")
}

// ---- RopSeekRowBookmark 0x19 ----

// RopSeekRowBookmark request — [MS-OXCROPS] 2.2.5.9.1. Bookmark is the
// opaque value a RopCreateBookmark response returned.
type SeekRowBookmarkRequest struct {
	RequestHeader
	Bookmark          []byte
	RowCount          int32
	WantRowMovedCount bool
}

func (r *SeekRowBookmarkRequest) Codec(c *wire.Codec, ctx *Ctx) {
	r.RequestHeader.Codec(c, 0x19)
	codecSizedBytes(c, &r.Bookmark, "BookmarkSize", "Bookmark")
	c.I32(&r.RowCount, "RowCount")
	c.Bool8(&r.WantRowMovedCount, "WantRowMovedCount")
}

// RopSeekRowBookmark response — [MS-OXCROPS] 2.2.5.9.2. RowsSought is
// described as unsigned in [MS-OXCROPS] but signed (negative backwards) in
// [MS-OXCTABL] 2.2.2.10.2; it is kept signed.
type SeekRowBookmarkResponse struct {
	ResponseHeader
	RowNoLongerVisible bool
	HasSoughtLess      bool
	RowsSought         int32
}

func (r *SeekRowBookmarkResponse) Codec(c *wire.Codec, ctx *Ctx) {
	r.ResponseHeader.Codec(c, 0x19, "InputHandleIndex")
	if r.ReturnValue != 0 {
		return
	}
	c.Bool8(&r.RowNoLongerVisible, "RowNoLongerVisible")
	c.Bool8(&r.HasSoughtLess, "HasSoughtLess")
	c.I32(&r.RowsSought, "RowsSought")
}

// ---- RopSeekRowFractional 0x1A ----

// RopSeekRowFractional request — [MS-OXCROPS] 2.2.5.10.1: seek to the row
// at Numerator/Denominator of the table.
type SeekRowFractionalRequest struct {
	RequestHeader
	Numerator   uint32
	Denominator uint32
}

func (r *SeekRowFractionalRequest) Codec(c *wire.Codec, ctx *Ctx) {
	r.RequestHeader.Codec(c, 0x1A)
	c.U32(&r.Numerator, "Numerator")
	c.U32(&r.Denominator, "Denominator")
}

// RopSeekRowFractional response — [MS-OXCROPS] 2.2.5.10.2 (header only).
type SeekRowFractionalResponse struct {
	ResponseHeader
}

func (r *SeekRowFractionalResponse) Codec(c *wire.Codec, ctx *Ctx) {
	r.ResponseHeader.Codec(c, 0x1A, "InputHandleIndex")
}

// ---- RopCreateBookmark 0x1B ----

// RopCreateBookmark request — [MS-OXCROPS] 2.2.5.11.1.
type CreateBookmarkRequest struct {
	RequestHeader
}

func (r *CreateBookmarkRequest) Codec(c *wire.Codec, ctx *Ctx) { r.RequestHeader.Codec(c, 0x1B) }

// RopCreateBookmark response — [MS-OXCROPS] 2.2.5.11.2.
type CreateBookmarkResponse struct {
	ResponseHeader
	Bookmark []byte
}

func (r *CreateBookmarkResponse) Codec(c *wire.Codec, ctx *Ctx) {
	r.ResponseHeader.Codec(c, 0x1B, "InputHandleIndex")
	if r.ReturnValue != 0 {
		return
	}
	codecSizedBytes(c, &r.Bookmark, "BookmarkSize", "Bookmark")
}

// ---- RopQueryColumnsAll 0x37 ----

// RopQueryColumnsAll request — [MS-OXCROPS] 2.2.5.12.1.
type QueryColumnsAllRequest struct {
	RequestHeader
}

func (r *QueryColumnsAllRequest) Codec(c *wire.Codec, ctx *Ctx) { r.RequestHeader.Codec(c, 0x37) }

// RopQueryColumnsAll response — [MS-OXCROPS] 2.2.5.12.2: every column the
// table has.
type QueryColumnsAllResponse struct {
	ResponseHeader
	PropertyTags []prop.Tag
}

func (r *QueryColumnsAllResponse) Codec(c *wire.Codec, ctx *Ctx) {
	r.ResponseHeader.Codec(c, 0x37, "InputHandleIndex")
	if r.ReturnValue != 0 {
		return
	}
	prop.CodecTags(c, &r.PropertyTags, "PropertyTagCount", "PropertyTags", 2)
}

// ---- RopFindRow 0x4F ----

// FindRowFlags — [MS-OXCTABL] 2.2.2.14.1.
var findRowFlagsSym = wire.Flags(
	wire.Flag{Mask: 0x00, Name: "Forwards"},
	wire.Flag{Mask: 0x01, Name: "Backwards"},
)

// RopFindRow request — [MS-OXCROPS] 2.2.5.13.1. The search starts at
// Origin, or at Bookmark (a RopCreateBookmark value) when one is given.
type FindRowRequest struct {
	RequestHeader
	FindRowFlags uint8
	Restriction  *prop.Restriction // RestrictionData; nil when RestrictionDataSize is 0
	Origin       uint8
	Bookmark     []byte
}

func (r *FindRowRequest) Codec(c *wire.Codec, ctx *Ctx) {
	r.RequestHeader.Codec(c, 0x4F)
	c.U8(&r.FindRowFlags, "FindRowFlags")
	c.Hex().Named(findRowFlagsSym)
	codecRestrictionData(c, &r.Restriction)
	CodecOrigin(c, &r.Origin, "Origin")
	codecSizedBytes(c, &r.Bookmark, "BookmarkSize", "Bookmark")
}

// RopFindRow response — [MS-OXCROPS] 2.2.5.13.2. RowData is present when
// HasRowData, and decodes against the table's columns from Ctx.
type FindRowResponse struct {
	ResponseHeader
	RowNoLongerVisible bool
	HasRowData         bool
	RowData            prop.Row
}

func (r *FindRowResponse) Codec(c *wire.Codec, ctx *Ctx) {
	r.ResponseHeader.Codec(c, 0x4F, "InputHandleIndex")
	if r.ReturnValue != 0 {
		return
	}
	c.Bool8(&r.RowNoLongerVisible, "RowNoLongerVisible")
	c.Bool8(&r.HasRowData, "HasRowData")
	if !r.HasRowData || c.Failed() {
		return
	}
	cols, ok := tableColumns(c, ctx, "RopFindRow response", 1)
	if !ok {
		return
	}
	prop.CodecRow(c, &r.RowData, cols, "RowData", prop.ROP)
}

// ---- RopFreeBookmark 0x89 ----

// RopFreeBookmark request — [MS-OXCROPS] 2.2.5.14.1.
type FreeBookmarkRequest struct {
	RequestHeader
	Bookmark []byte
}

func (r *FreeBookmarkRequest) Codec(c *wire.Codec, ctx *Ctx) {
	r.RequestHeader.Codec(c, 0x89)
	codecSizedBytes(c, &r.Bookmark, "BookmarkSize", "Bookmark")
}

// RopFreeBookmark response — [MS-OXCROPS] 2.2.5.14.2 (header only).
type FreeBookmarkResponse struct {
	ResponseHeader
}

func (r *FreeBookmarkResponse) Codec(c *wire.Codec, ctx *Ctx) {
	r.ResponseHeader.Codec(c, 0x89, "InputHandleIndex")
}

// ---- RopResetTable 0x81 ----

// RopResetTable request — [MS-OXCROPS] 2.2.5.15.1.
type ResetTableRequest struct {
	RequestHeader
}

func (r *ResetTableRequest) Codec(c *wire.Codec, ctx *Ctx) { r.RequestHeader.Codec(c, 0x81) }

// RopResetTable response — [MS-OXCROPS] 2.2.5.15.2 (header only).
type ResetTableResponse struct {
	ResponseHeader
}

func (r *ResetTableResponse) Codec(c *wire.Codec, ctx *Ctx) {
	r.ResponseHeader.Codec(c, 0x81, "InputHandleIndex")
}

// ---- RopExpandRow 0x59 ----

// RopExpandRow request — [MS-OXCROPS] 2.2.5.16.1. CategoryId is the
// PidTagInstID of the category's header row ([MS-OXCTABL] 2.2.2.17.1).
type ExpandRowRequest struct {
	RequestHeader
	MaxRowCount uint16
	CategoryId  uint64
}

func (r *ExpandRowRequest) Codec(c *wire.Codec, ctx *Ctx) {
	r.RequestHeader.Codec(c, 0x59)
	c.U16(&r.MaxRowCount, "MaxRowCount")
	c.U64(&r.CategoryId, "CategoryId")
	c.Hex()
}

// RopExpandRow response — [MS-OXCROPS] 2.2.5.16.2. RowData decodes against
// the table's columns from Ctx.
type ExpandRowResponse struct {
	ResponseHeader
	ExpandedRowCount uint32
	RowData          []prop.Row
}

func (r *ExpandRowResponse) Codec(c *wire.Codec, ctx *Ctx) {
	r.ResponseHeader.Codec(c, 0x59, "InputHandleIndex")
	if r.ReturnValue != 0 {
		return
	}
	c.U32(&r.ExpandedRowCount, "ExpandedRowCount")
	n := c.Count16(len(r.RowData), 1, "RowCount")
	if c.Decoding() && !c.Failed() && uint32(n) > r.ExpandedRowCount {
		c.Note("RowCount %d exceeds ExpandedRowCount %d", n, r.ExpandedRowCount)
	}
	cols, ok := tableColumns(c, ctx, "RopExpandRow response", n)
	if !ok {
		return
	}
	wire.Make(c, &r.RowData, n)
	prop.CodecRows(c, r.RowData, cols, "RowData", prop.ROP)
}

// ---- RopCollapseRow 0x5A ----

// RopCollapseRow request — [MS-OXCROPS] 2.2.5.17.1.
type CollapseRowRequest struct {
	RequestHeader
	CategoryId uint64
}

func (r *CollapseRowRequest) Codec(c *wire.Codec, ctx *Ctx) {
	r.RequestHeader.Codec(c, 0x5A)
	c.U64(&r.CategoryId, "CategoryId")
	c.Hex()
}

// RopCollapseRow response — [MS-OXCROPS] 2.2.5.17.2.
type CollapseRowResponse struct {
	ResponseHeader
	CollapsedRowCount uint32
}

func (r *CollapseRowResponse) Codec(c *wire.Codec, ctx *Ctx) {
	r.ResponseHeader.Codec(c, 0x5A, "InputHandleIndex")
	if r.ReturnValue != 0 {
		return
	}
	c.U32(&r.CollapsedRowCount, "CollapsedRowCount")
}

// ---- RopGetCollapseState 0x6B ----

// RopGetCollapseState request — [MS-OXCROPS] 2.2.5.18.1. RowId and
// RowInstanceNumber name the row the returned state keeps as the cursor.
type GetCollapseStateRequest struct {
	RequestHeader
	RowId             uint64
	RowInstanceNumber uint32
}

func (r *GetCollapseStateRequest) Codec(c *wire.Codec, ctx *Ctx) {
	r.RequestHeader.Codec(c, 0x6B)
	c.U64(&r.RowId, "RowId")
	c.Hex()
	c.U32(&r.RowInstanceNumber, "RowInstanceNumber")
}

// RopGetCollapseState response — [MS-OXCROPS] 2.2.5.18.2. CollapseState is
// opaque to the client.
type GetCollapseStateResponse struct {
	ResponseHeader
	CollapseState []byte
}

func (r *GetCollapseStateResponse) Codec(c *wire.Codec, ctx *Ctx) {
	r.ResponseHeader.Codec(c, 0x6B, "InputHandleIndex")
	if r.ReturnValue != 0 {
		return
	}
	codecSizedBytes(c, &r.CollapseState, "CollapseStateSize", "CollapseState")
}

// ---- RopSetCollapseState 0x6C ----

// RopSetCollapseState request — [MS-OXCROPS] 2.2.5.19.1.
type SetCollapseStateRequest struct {
	RequestHeader
	CollapseState []byte
}

func (r *SetCollapseStateRequest) Codec(c *wire.Codec, ctx *Ctx) {
	r.RequestHeader.Codec(c, 0x6C)
	codecSizedBytes(c, &r.CollapseState, "CollapseStateSize", "CollapseState")
}

// RopSetCollapseState response — [MS-OXCROPS] 2.2.5.19.2: a bookmark to
// the row the collapse state kept as the cursor.
type SetCollapseStateResponse struct {
	ResponseHeader
	Bookmark []byte
}

func (r *SetCollapseStateResponse) Codec(c *wire.Codec, ctx *Ctx) {
	r.ResponseHeader.Codec(c, 0x6C, "InputHandleIndex")
	if r.ReturnValue != 0 {
		return
	}
	codecSizedBytes(c, &r.Bookmark, "BookmarkSize", "Bookmark")
}

func init() {
	register(Info{ID: 0x12, Section: "2.2.5.1",
		Request:  func() Request { return &SetColumnsRequest{} },
		Response: func() Response { return &SetColumnsResponse{} }})
	register(Info{ID: 0x13, Section: "2.2.5.2",
		Request:  func() Request { return &SortTableRequest{} },
		Response: func() Response { return &SortTableResponse{} }})
	register(Info{ID: 0x14, Section: "2.2.5.3",
		Request:  func() Request { return &RestrictRequest{} },
		Response: func() Response { return &RestrictResponse{} }})
	register(Info{ID: 0x15, Section: "2.2.5.4", Context: "columns",
		Request:  func() Request { return &QueryRowsRequest{} },
		Response: func() Response { return &QueryRowsResponse{} }})
	register(Info{ID: 0x38, Section: "2.2.5.5",
		Request:  func() Request { return &AbortRequest{} },
		Response: func() Response { return &AbortResponse{} }})
	register(Info{ID: 0x16, Section: "2.2.5.6",
		Request:  func() Request { return &GetStatusRequest{} },
		Response: func() Response { return &GetStatusResponse{} }})
	register(Info{ID: 0x17, Section: "2.2.5.7",
		Request:  func() Request { return &QueryPositionRequest{} },
		Response: func() Response { return &QueryPositionResponse{} }})
	register(Info{ID: 0x18, Section: "2.2.5.8",
		Request:  func() Request { return &SeekRowRequest{} },
		Response: func() Response { return &SeekRowResponse{} }})
	register(Info{ID: 0x19, Section: "2.2.5.9",
		Request:  func() Request { return &SeekRowBookmarkRequest{} },
		Response: func() Response { return &SeekRowBookmarkResponse{} }})
	register(Info{ID: 0x1A, Section: "2.2.5.10",
		Request:  func() Request { return &SeekRowFractionalRequest{} },
		Response: func() Response { return &SeekRowFractionalResponse{} }})
	register(Info{ID: 0x1B, Section: "2.2.5.11",
		Request:  func() Request { return &CreateBookmarkRequest{} },
		Response: func() Response { return &CreateBookmarkResponse{} }})
	register(Info{ID: 0x37, Section: "2.2.5.12",
		Request:  func() Request { return &QueryColumnsAllRequest{} },
		Response: func() Response { return &QueryColumnsAllResponse{} }})
	register(Info{ID: 0x4F, Section: "2.2.5.13", Context: "columns",
		Request:  func() Request { return &FindRowRequest{} },
		Response: func() Response { return &FindRowResponse{} }})
	register(Info{ID: 0x89, Section: "2.2.5.14",
		Request:  func() Request { return &FreeBookmarkRequest{} },
		Response: func() Response { return &FreeBookmarkResponse{} }})
	register(Info{ID: 0x81, Section: "2.2.5.15",
		Request:  func() Request { return &ResetTableRequest{} },
		Response: func() Response { return &ResetTableResponse{} }})
	register(Info{ID: 0x59, Section: "2.2.5.16", Context: "columns",
		Request:  func() Request { return &ExpandRowRequest{} },
		Response: func() Response { return &ExpandRowResponse{} }})
	register(Info{ID: 0x5A, Section: "2.2.5.17",
		Request:  func() Request { return &CollapseRowRequest{} },
		Response: func() Response { return &CollapseRowResponse{} }})
	register(Info{ID: 0x6B, Section: "2.2.5.18",
		Request:  func() Request { return &GetCollapseStateRequest{} },
		Response: func() Response { return &GetCollapseStateResponse{} }})
	register(Info{ID: 0x6C, Section: "2.2.5.19",
		Request:  func() Request { return &SetCollapseStateRequest{} },
		Response: func() Response { return &SetCollapseStateResponse{} }})
}

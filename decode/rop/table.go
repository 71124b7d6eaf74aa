package rop

import (
	"github.com/mapiscope/mapiscope/decode/prop"
	"github.com/mapiscope/mapiscope/decode/wire"
)

// TableStatus values — [MS-OXCTABL] 2.2.2.1.3.
var tableStatusSym = wire.Enum(
	wire.Flag{Mask: 0x00, Name: "TBLSTAT_COMPLETE"},
	wire.Flag{Mask: 0x09, Name: "TBLSTAT_SORTING"},
	wire.Flag{Mask: 0x0A, Name: "TBLSTAT_SORT_ERROR"},
	wire.Flag{Mask: 0x0D, Name: "TBLSTAT_SETTING_COLS"},
	wire.Flag{Mask: 0x0E, Name: "TBLSTAT_SETCOL_ERROR"},
	wire.Flag{Mask: 0x0F, Name: "TBLSTAT_RESTRICTING"},
	wire.Flag{Mask: 0x10, Name: "TBLSTAT_RESTRICT_ERROR"},
)

// CodecTableStatus reads or writes a TableStatus byte.
func CodecTableStatus(c *wire.Codec, p *uint8) {
	c.U8(p, "TableStatus")
	c.Hex().Named(tableStatusSym)
}

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

// asyncFlagsSym names the TBL_ASYNC flag used by several table ROPs.
var asyncFlagsSym = wire.Flags(wire.Flag{Mask: 0x01, Name: "TBL_ASYNC"})

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

// Origin of a table position — [MS-OXCTABL] 2.2.2.5.2.
var originSym = wire.Enum(
	wire.Flag{Mask: 0x00, Name: "BOOKMARK_BEGINNING"},
	wire.Flag{Mask: 0x01, Name: "BOOKMARK_CURRENT"},
	wire.Flag{Mask: 0x02, Name: "BOOKMARK_END"},
)

// CodecOrigin reads or writes an Origin byte under a name.
func CodecOrigin(c *wire.Codec, p *uint8, name string) {
	c.U8(p, name)
	c.Hex().Named(originSym)
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
	if n > 0 && !needColumns(c, ctx, "RopQueryRows response") {
		return
	}
	wire.Make(c, &r.RowData, n)
	prop.CodecRows(c, r.RowData, ctx.Columns, "RowData", prop.ROP)
}

func init() {
	register(Info{ID: 0x12, Section: "2.2.5.1",
		Request:  func() Request { return &SetColumnsRequest{} },
		Response: func() Response { return &SetColumnsResponse{} }})
	register(Info{ID: 0x15, Section: "2.2.5.4", Context: "columns",
		Request:  func() Request { return &QueryRowsRequest{} },
		Response: func() Response { return &QueryRowsResponse{} }})
}

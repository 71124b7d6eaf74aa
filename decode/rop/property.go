package rop

import (
	"github.com/mapiscope/mapiscope/decode/prop"
	"github.com/mapiscope/mapiscope/decode/wire"
)

// RopGetPropertiesSpecific request — [MS-OXCROPS] 2.2.8.3.1.
type GetPropertiesSpecificRequest struct {
	RequestHeader
	PropertySizeLimit uint16
	WantUnicode       uint16
	PropertyTags      []prop.Tag
}

func (r *GetPropertiesSpecificRequest) Codec(c *wire.Codec, ctx *Ctx) {
	r.RequestHeader.Codec(c, 0x07)
	c.U16(&r.PropertySizeLimit, "PropertySizeLimit")
	c.U16(&r.WantUnicode, "WantUnicode")
	prop.CodecTags(c, &r.PropertyTags, "PropertyTagCount", "PropertyTags", 2)
}

// RopGetPropertiesSpecific response — [MS-OXCROPS] 2.2.8.3.2. RowData is a
// PropertyRow over the request's PropertyTags, which come from Ctx.Request
// or, without a request, from Ctx.Columns.
type GetPropertiesSpecificResponse struct {
	ResponseHeader
	RowData prop.Row
}

func (r *GetPropertiesSpecificResponse) Codec(c *wire.Codec, ctx *Ctx) {
	r.ResponseHeader.Codec(c, 0x07, "InputHandleIndex")
	if r.ReturnValue != 0 {
		return
	}
	var tags []prop.Tag
	switch {
	case ctx != nil && ctx.Request != nil:
		req, ok := ctx.Request.(*GetPropertiesSpecificRequest)
		if !ok {
			c.Fail("RopGetPropertiesSpecific response paired with a %T", ctx.Request)
			return
		}
		tags = req.PropertyTags
	case ctx != nil && ctx.HasColumns:
		tags = ctx.Columns
	default:
		if c.Decoding() {
			c.Fail("RopGetPropertiesSpecific response: the requested property tags are unknown (decode with its request, or give --columns)")
			return
		}
		tags = nil
		if len(r.RowData.Values) > 0 {
			c.EncodeError("RopGetPropertiesSpecific response: encoding needs the request's tags in Ctx")
			return
		}
	}
	prop.CodecRow(c, &r.RowData, tags, "RowData", prop.ROP)
}

func init() {
	register(Info{ID: 0x07, Section: "2.2.8.3", Context: "request tags",
		Request:  func() Request { return &GetPropertiesSpecificRequest{} },
		Response: func() Response { return &GetPropertiesSpecificResponse{} }})
}

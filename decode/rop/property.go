package rop

import (
	"github.com/mapiscope/mapiscope/decode/prop"
	"github.com/mapiscope/mapiscope/decode/propnames"
	"github.com/mapiscope/mapiscope/decode/wire"
)

// The property ROPs of [MS-OXCROPS] 2.2.8, whose semantics [MS-OXCPRPT]
// defines.

// prptWarnWithErrors is ecWarnWithErrors (0x00040380, MAPI_W_ERRORS_RETURNED), the warning
// RopGetPropertyIdsFromNames and RopGetNamesFromPropertyIds return when some
// entries could not be mapped; the response still carries the success
// layout (0x0000 IDs, Kind 0xFF names for those entries).
const prptWarnWithErrors = 0x00040380

// prptDstNullObject is ecDstNullObject (0x00000503), the ReturnValue of the null destination
// failure responses, which carry DestHandleIndex.
const prptDstNullObject = 0x00000503

// prptSourceHeader reads or writes RopId, LogonId and the SourceHandleIndex
// that ROPs with two input objects have where others have
// InputHandleIndex; it is kept in RequestHeader.InputHandleIndex.
func prptSourceHeader(c *wire.Codec, h *RequestHeader, id uint8) {
	codecRopID(c, &h.RopId, id)
	c.U8(&h.LogonId, "LogonId")
	c.U8(&h.InputHandleIndex, "SourceHandleIndex")
}

// prptPropID reads or writes a 16-bit property ID under a name and shows
// the PidTag name of IDs below 0x8000.
func prptPropID(c *wire.Codec, p *uint16, name string) {
	c.U16(p, name)
	c.Hex()
	if c.Spans() && *p < 0x8000 {
		if n, ok := propnames.IDName(*p); ok {
			c.Sym(n)
		}
	}
}

// ---- RopGetPropertiesSpecific (0x07) ----

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

// ---- RopGetPropertyIdsFromNames (0x56) ----

// Flags of RopGetPropertyIdsFromNames — [MS-OXCPRPT] 2.2.12.1.
var prptIdsFromNamesFlagsSym = wire.Flags(
	wire.Flag{Mask: 0x00, Name: "None"},
	wire.Flag{Mask: 0x02, Name: "Create"},
)

// RopGetPropertyIdsFromNames request — [MS-OXCROPS] 2.2.8.1.1. An empty
// PropertyNames asks for every registered named property.
type GetPropertyIdsFromNamesRequest struct {
	RequestHeader
	Flags         uint8
	PropertyNames []prop.PropertyName
}

func (r *GetPropertyIdsFromNamesRequest) Codec(c *wire.Codec, ctx *Ctx) {
	r.RequestHeader.Codec(c, 0x56)
	c.U8(&r.Flags, "Flags")
	c.Hex().Named(prptIdsFromNamesFlagsSym)
	n := c.Count16(len(r.PropertyNames), prop.PropertyNameMinSize, "PropertyNameCount")
	wire.Make(c, &r.PropertyNames, n)
	prop.CodecPropertyNames(c, r.PropertyNames, "PropertyNames")
}

// RopGetPropertyIdsFromNames response — [MS-OXCROPS] 2.2.8.1.2. An ID of
// 0x0000 means the name could not be mapped. The success layout is also
// read for ecWarnWithErrors (0x00040380).
type GetPropertyIdsFromNamesResponse struct {
	ResponseHeader
	PropertyIds []uint16
}

func (r *GetPropertyIdsFromNamesResponse) Codec(c *wire.Codec, ctx *Ctx) {
	r.ResponseHeader.Codec(c, 0x56, "InputHandleIndex")
	if r.ReturnValue != 0 && r.ReturnValue != prptWarnWithErrors {
		return
	}
	n := c.Count16(len(r.PropertyIds), 2, "PropertyIdCount")
	var names []prop.PropertyName
	if ctx != nil {
		if req, ok := ctx.Request.(*GetPropertyIdsFromNamesRequest); ok {
			names = req.PropertyNames
			if c.Decoding() && len(names) != 0 && len(names) != n {
				c.Note("PropertyIdCount %d differs from the request's PropertyNameCount %d", n, len(names))
				names = nil
			}
		}
	}
	wire.Make(c, &r.PropertyIds, n)
	c.BeginArray("PropertyIds")
	for i := range r.PropertyIds {
		c.U16(&r.PropertyIds[i], "")
		c.Hex()
		if c.Spans() && i < len(names) {
			c.Sym(names[i].String())
		}
	}
	c.End()
}

// ---- RopGetNamesFromPropertyIds (0x55) ----

// RopGetNamesFromPropertyIds request — [MS-OXCROPS] 2.2.8.2.1.
type GetNamesFromPropertyIdsRequest struct {
	RequestHeader
	PropertyIds []uint16
}

func (r *GetNamesFromPropertyIdsRequest) Codec(c *wire.Codec, ctx *Ctx) {
	r.RequestHeader.Codec(c, 0x55)
	n := c.Count16(len(r.PropertyIds), 2, "PropertyIdCount")
	wire.Make(c, &r.PropertyIds, n)
	c.BeginArray("PropertyIds")
	for i := range r.PropertyIds {
		prptPropID(c, &r.PropertyIds[i], "")
	}
	c.End()
}

// RopGetNamesFromPropertyIds response — [MS-OXCROPS] 2.2.8.2.2. An ID with
// no name comes back as Kind 0xFF. The success layout is also read for
// ecWarnWithErrors (0x00040380).
type GetNamesFromPropertyIdsResponse struct {
	ResponseHeader
	PropertyNames []prop.PropertyName
}

func (r *GetNamesFromPropertyIdsResponse) Codec(c *wire.Codec, ctx *Ctx) {
	r.ResponseHeader.Codec(c, 0x55, "InputHandleIndex")
	if r.ReturnValue != 0 && r.ReturnValue != prptWarnWithErrors {
		return
	}
	n := c.Count16(len(r.PropertyNames), prop.PropertyNameMinSize, "PropertyNameCount")
	if c.Decoding() && ctx != nil {
		if req, ok := ctx.Request.(*GetNamesFromPropertyIdsRequest); ok && len(req.PropertyIds) != n {
			c.Note("PropertyNameCount %d differs from the request's PropertyIdCount %d", n, len(req.PropertyIds))
		}
	}
	wire.Make(c, &r.PropertyNames, n)
	prop.CodecPropertyNames(c, r.PropertyNames, "PropertyNames")
}

// ---- RopGetPropertiesAll (0x08) ----

// RopGetPropertiesAll request — [MS-OXCROPS] 2.2.8.4.1.
type GetPropertiesAllRequest struct {
	RequestHeader
	PropertySizeLimit uint16
	WantUnicode       uint16
}

func (r *GetPropertiesAllRequest) Codec(c *wire.Codec, ctx *Ctx) {
	r.RequestHeader.Codec(c, 0x08)
	c.U16(&r.PropertySizeLimit, "PropertySizeLimit")
	c.U16(&r.WantUnicode, "WantUnicode")
}

// RopGetPropertiesAll response — [MS-OXCROPS] 2.2.8.4.2. A value too big
// for the buffer comes back typed PtypErrorCode (NotEnoughMemory).
type GetPropertiesAllResponse struct {
	ResponseHeader
	PropertyValues []prop.TaggedValue
}

func (r *GetPropertiesAllResponse) Codec(c *wire.Codec, ctx *Ctx) {
	r.ResponseHeader.Codec(c, 0x08, "InputHandleIndex")
	if r.ReturnValue != 0 {
		return
	}
	prop.CodecTaggedList(c, &r.PropertyValues, "PropertyValueCount", "PropertyValues", 2, prop.ROP)
}

// ---- RopGetPropertiesList (0x09) ----

// RopGetPropertiesList request — [MS-OXCROPS] 2.2.8.5.1.
type GetPropertiesListRequest struct {
	RequestHeader
}

func (r *GetPropertiesListRequest) Codec(c *wire.Codec, ctx *Ctx) {
	r.RequestHeader.Codec(c, 0x09)
}

// RopGetPropertiesList response — [MS-OXCROPS] 2.2.8.5.2.
type GetPropertiesListResponse struct {
	ResponseHeader
	PropertyTags []prop.Tag
}

func (r *GetPropertiesListResponse) Codec(c *wire.Codec, ctx *Ctx) {
	r.ResponseHeader.Codec(c, 0x09, "InputHandleIndex")
	if r.ReturnValue != 0 {
		return
	}
	prop.CodecTags(c, &r.PropertyTags, "PropertyTagCount", "PropertyTags", 2)
}

// ---- RopSetProperties (0x0A), RopSetPropertiesNoReplicate (0x79) ----

// prptSetPropsRequest is the body shared by RopSetProperties and
// RopSetPropertiesNoReplicate: PropertyValueSize counts the bytes of
// PropertyValueCount and PropertyValues.
func prptSetPropsRequest(c *wire.Codec, h *RequestHeader, id uint8, vals *[]prop.TaggedValue) {
	h.Codec(c, id)
	c.Sized(2, "PropertyValueSize", func() {
		prop.CodecTaggedList(c, vals, "PropertyValueCount", "PropertyValues", 2, prop.ROP)
	})
}

// prptProblemsResponse is the response shared by the ROPs that answer with
// PropertyProblems on success.
func prptProblemsResponse(c *wire.Codec, h *ResponseHeader, id uint8, problems *[]prop.Problem) {
	h.Codec(c, id, "InputHandleIndex")
	if h.ReturnValue != 0 {
		return
	}
	prop.CodecProblems(c, problems, "PropertyProblemCount", "PropertyProblems")
}

// RopSetProperties request — [MS-OXCROPS] 2.2.8.6.1.
type SetPropertiesRequest struct {
	RequestHeader
	PropertyValues []prop.TaggedValue
}

func (r *SetPropertiesRequest) Codec(c *wire.Codec, ctx *Ctx) {
	prptSetPropsRequest(c, &r.RequestHeader, 0x0A, &r.PropertyValues)
}

// RopSetProperties response — [MS-OXCROPS] 2.2.8.6.2.
type SetPropertiesResponse struct {
	ResponseHeader
	PropertyProblems []prop.Problem
}

func (r *SetPropertiesResponse) Codec(c *wire.Codec, ctx *Ctx) {
	prptProblemsResponse(c, &r.ResponseHeader, 0x0A, &r.PropertyProblems)
}

// RopSetPropertiesNoReplicate request — [MS-OXCROPS] 2.2.8.7.1.
type SetPropertiesNoReplicateRequest struct {
	RequestHeader
	PropertyValues []prop.TaggedValue
}

func (r *SetPropertiesNoReplicateRequest) Codec(c *wire.Codec, ctx *Ctx) {
	prptSetPropsRequest(c, &r.RequestHeader, 0x79, &r.PropertyValues)
}

// RopSetPropertiesNoReplicate response — [MS-OXCROPS] 2.2.8.7.2.
type SetPropertiesNoReplicateResponse struct {
	ResponseHeader
	PropertyProblems []prop.Problem
}

func (r *SetPropertiesNoReplicateResponse) Codec(c *wire.Codec, ctx *Ctx) {
	prptProblemsResponse(c, &r.ResponseHeader, 0x79, &r.PropertyProblems)
}

// ---- RopDeleteProperties (0x0B), RopDeletePropertiesNoReplicate (0x7A) ----

// RopDeleteProperties request — [MS-OXCROPS] 2.2.8.8.1.
type DeletePropertiesRequest struct {
	RequestHeader
	PropertyTags []prop.Tag
}

func (r *DeletePropertiesRequest) Codec(c *wire.Codec, ctx *Ctx) {
	r.RequestHeader.Codec(c, 0x0B)
	prop.CodecTags(c, &r.PropertyTags, "PropertyTagCount", "PropertyTags", 2)
}

// RopDeleteProperties response — [MS-OXCROPS] 2.2.8.8.2.
type DeletePropertiesResponse struct {
	ResponseHeader
	PropertyProblems []prop.Problem
}

func (r *DeletePropertiesResponse) Codec(c *wire.Codec, ctx *Ctx) {
	prptProblemsResponse(c, &r.ResponseHeader, 0x0B, &r.PropertyProblems)
}

// RopDeletePropertiesNoReplicate request — [MS-OXCROPS] 2.2.8.9.1.
type DeletePropertiesNoReplicateRequest struct {
	RequestHeader
	PropertyTags []prop.Tag
}

func (r *DeletePropertiesNoReplicateRequest) Codec(c *wire.Codec, ctx *Ctx) {
	r.RequestHeader.Codec(c, 0x7A)
	prop.CodecTags(c, &r.PropertyTags, "PropertyTagCount", "PropertyTags", 2)
}

// RopDeletePropertiesNoReplicate response — [MS-OXCROPS] 2.2.8.9.2.
type DeletePropertiesNoReplicateResponse struct {
	ResponseHeader
	PropertyProblems []prop.Problem
}

func (r *DeletePropertiesNoReplicateResponse) Codec(c *wire.Codec, ctx *Ctx) {
	prptProblemsResponse(c, &r.ResponseHeader, 0x7A, &r.PropertyProblems)
}

// ---- RopQueryNamedProperties (0x5F) ----

// QueryFlags of RopQueryNamedProperties — [MS-OXCPRPT] 2.2.9.1.
var prptQueryFlagsSym = wire.Flags(
	wire.Flag{Mask: 0x01, Name: "NoStrings"},
	wire.Flag{Mask: 0x02, Name: "NoIds"},
)

// RopQueryNamedProperties request — [MS-OXCROPS] 2.2.8.10.1. PropertyGuid
// is present when HasGuid is set.
type QueryNamedPropertiesRequest struct {
	RequestHeader
	QueryFlags   uint8
	HasGuid      bool
	PropertyGuid prop.GUID
}

func (r *QueryNamedPropertiesRequest) Codec(c *wire.Codec, ctx *Ctx) {
	r.RequestHeader.Codec(c, 0x5F)
	c.U8(&r.QueryFlags, "QueryFlags")
	c.Hex().Named(prptQueryFlagsSym)
	c.Bool8(&r.HasGuid, "HasGuid")
	if r.HasGuid {
		prop.CodecGUID(c, &r.PropertyGuid, "PropertyGuid")
		if c.Spans() {
			if n, ok := propnames.SetName([16]byte(r.PropertyGuid)); ok {
				c.Sym(n)
			}
		}
	}
}

// RopQueryNamedProperties response — [MS-OXCROPS] 2.2.8.10.2: IdCount,
// then IdCount property IDs, then IdCount PropertyNames in the same order.
type QueryNamedPropertiesResponse struct {
	ResponseHeader
	PropertyIds   []uint16
	PropertyNames []prop.PropertyName
}

func (r *QueryNamedPropertiesResponse) Codec(c *wire.Codec, ctx *Ctx) {
	r.ResponseHeader.Codec(c, 0x5F, "InputHandleIndex")
	if r.ReturnValue != 0 {
		return
	}
	if c.Encoding() && len(r.PropertyIds) != len(r.PropertyNames) {
		c.EncodeError("RopQueryNamedProperties response: %d PropertyIds for %d PropertyNames", len(r.PropertyIds), len(r.PropertyNames))
		return
	}
	n := c.Count16(len(r.PropertyIds), 2+prop.PropertyNameMinSize, "IdCount")
	wire.Make(c, &r.PropertyIds, n)
	wire.Make(c, &r.PropertyNames, n)
	var idNodes []*wire.Node
	c.BeginArray("PropertyIds")
	for i := range r.PropertyIds {
		c.U16(&r.PropertyIds[i], "")
		c.Hex()
		if c.Spans() {
			idNodes = append(idNodes, c.Last())
		}
	}
	c.End()
	prop.CodecPropertyNames(c, r.PropertyNames, "PropertyNames")
	// Name each ID after the PropertyName it maps to.
	if !c.Failed() {
		for i, nd := range idNodes {
			if nd != nil && i < len(r.PropertyNames) {
				nd.Sym = r.PropertyNames[i].String()
			}
		}
	}
}

// ---- RopCopyProperties (0x67), RopCopyTo (0x39) ----

// CopyFlags of RopCopyProperties and RopCopyTo — [MS-OXCPRPT] 2.2.10.1,
// 2.2.11.1.
var prptCopyFlagsSym = wire.Flags(
	wire.Flag{Mask: 0x01, Name: "Move"},
	wire.Flag{Mask: 0x02, Name: "NoOverwrite"},
)

// prptCopyResponse is the response of RopCopyProperties and RopCopyTo:
// PropertyProblems on success; DestHandleIndex (4 bytes) on
// ecDstNullObject (0x00000503); the header alone on any other failure.
func prptCopyResponse(c *wire.Codec, h *ResponseHeader, id uint8, dest *uint32, problems *[]prop.Problem) {
	h.Codec(c, id, "SourceHandleIndex")
	switch h.ReturnValue {
	case 0:
		prop.CodecProblems(c, problems, "PropertyProblemCount", "PropertyProblems")
	case prptDstNullObject:
		c.U32(dest, "DestHandleIndex")
	}
}

// RopCopyProperties request — [MS-OXCROPS] 2.2.8.11.1. The SourceHandleIndex
// is kept in RequestHeader.InputHandleIndex.
type CopyPropertiesRequest struct {
	RequestHeader
	DestHandleIndex  uint8
	WantAsynchronous bool
	CopyFlags        uint8
	PropertyTags     []prop.Tag
}

func (r *CopyPropertiesRequest) Codec(c *wire.Codec, ctx *Ctx) {
	prptSourceHeader(c, &r.RequestHeader, 0x67)
	c.U8(&r.DestHandleIndex, "DestHandleIndex")
	c.Bool8(&r.WantAsynchronous, "WantAsynchronous")
	c.U8(&r.CopyFlags, "CopyFlags")
	c.Hex().Named(prptCopyFlagsSym)
	prop.CodecTags(c, &r.PropertyTags, "PropertyTagCount", "PropertyTags", 2)
}

// RopCopyProperties response — [MS-OXCROPS] 2.2.8.11.2 (success),
// 2.2.8.11.3 (null destination failure), 2.2.8.11.4 (failure).
// ResponseHeader.HandleIndex is the SourceHandleIndex.
type CopyPropertiesResponse struct {
	ResponseHeader
	PropertyProblems []prop.Problem // success
	DestHandleIndex  uint32         // ReturnValue ecDstNullObject (0x00000503)
}

func (r *CopyPropertiesResponse) Codec(c *wire.Codec, ctx *Ctx) {
	prptCopyResponse(c, &r.ResponseHeader, 0x67, &r.DestHandleIndex, &r.PropertyProblems)
}

// RopCopyTo request — [MS-OXCROPS] 2.2.8.12.1. The SourceHandleIndex is
// kept in RequestHeader.InputHandleIndex.
type CopyToRequest struct {
	RequestHeader
	DestHandleIndex  uint8
	WantAsynchronous bool
	WantSubObjects   bool
	CopyFlags        uint8
	ExcludedTags     []prop.Tag
}

func (r *CopyToRequest) Codec(c *wire.Codec, ctx *Ctx) {
	prptSourceHeader(c, &r.RequestHeader, 0x39)
	c.U8(&r.DestHandleIndex, "DestHandleIndex")
	c.Bool8(&r.WantAsynchronous, "WantAsynchronous")
	c.Bool8(&r.WantSubObjects, "WantSubObjects")
	c.U8(&r.CopyFlags, "CopyFlags")
	c.Hex().Named(prptCopyFlagsSym)
	prop.CodecTags(c, &r.ExcludedTags, "ExcludedTagCount", "ExcludedTags", 2)
}

// RopCopyTo response — [MS-OXCROPS] 2.2.8.12.2 (success), 2.2.8.12.3
// (null destination failure), 2.2.8.12.4 (failure).
// ResponseHeader.HandleIndex is the SourceHandleIndex.
type CopyToResponse struct {
	ResponseHeader
	PropertyProblems []prop.Problem // success
	DestHandleIndex  uint32         // ReturnValue ecDstNullObject (0x00000503)
}

func (r *CopyToResponse) Codec(c *wire.Codec, ctx *Ctx) {
	prptCopyResponse(c, &r.ResponseHeader, 0x39, &r.DestHandleIndex, &r.PropertyProblems)
}

// ---- RopProgress (0x50) ----

// RopProgress request — [MS-OXCROPS] 2.2.8.13.1.
type ProgressRequest struct {
	RequestHeader
	WantCancel bool
}

func (r *ProgressRequest) Codec(c *wire.Codec, ctx *Ctx) {
	r.RequestHeader.Codec(c, 0x50)
	c.Bool8(&r.WantCancel, "WantCancel")
}

// RopProgress response — [MS-OXCROPS] 2.2.8.13.2. The server also sends it
// in place of the response to a ROP asked to run asynchronously
// (WantAsynchronous) while that ROP is still running.
type ProgressResponse struct {
	ResponseHeader
	LogonId            uint8
	CompletedTaskCount uint32
	TotalTaskCount     uint32
}

func (r *ProgressResponse) Codec(c *wire.Codec, ctx *Ctx) {
	r.ResponseHeader.Codec(c, 0x50, "InputHandleIndex")
	if r.ReturnValue != 0 {
		return
	}
	c.U8(&r.LogonId, "LogonId")
	c.U32(&r.CompletedTaskCount, "CompletedTaskCount")
	c.U32(&r.TotalTaskCount, "TotalTaskCount")
}

func init() {
	register(Info{ID: 0x07, Section: "2.2.8.3", Context: "request tags",
		Request:  func() Request { return &GetPropertiesSpecificRequest{} },
		Response: func() Response { return &GetPropertiesSpecificResponse{} }})
	register(Info{ID: 0x56, Section: "2.2.8.1",
		Request:  func() Request { return &GetPropertyIdsFromNamesRequest{} },
		Response: func() Response { return &GetPropertyIdsFromNamesResponse{} }})
	register(Info{ID: 0x55, Section: "2.2.8.2",
		Request:  func() Request { return &GetNamesFromPropertyIdsRequest{} },
		Response: func() Response { return &GetNamesFromPropertyIdsResponse{} }})
	register(Info{ID: 0x08, Section: "2.2.8.4",
		Request:  func() Request { return &GetPropertiesAllRequest{} },
		Response: func() Response { return &GetPropertiesAllResponse{} }})
	register(Info{ID: 0x09, Section: "2.2.8.5",
		Request:  func() Request { return &GetPropertiesListRequest{} },
		Response: func() Response { return &GetPropertiesListResponse{} }})
	register(Info{ID: 0x0A, Section: "2.2.8.6",
		Request:  func() Request { return &SetPropertiesRequest{} },
		Response: func() Response { return &SetPropertiesResponse{} }})
	register(Info{ID: 0x79, Section: "2.2.8.7",
		Request:  func() Request { return &SetPropertiesNoReplicateRequest{} },
		Response: func() Response { return &SetPropertiesNoReplicateResponse{} }})
	register(Info{ID: 0x0B, Section: "2.2.8.8",
		Request:  func() Request { return &DeletePropertiesRequest{} },
		Response: func() Response { return &DeletePropertiesResponse{} }})
	register(Info{ID: 0x7A, Section: "2.2.8.9",
		Request:  func() Request { return &DeletePropertiesNoReplicateRequest{} },
		Response: func() Response { return &DeletePropertiesNoReplicateResponse{} }})
	register(Info{ID: 0x5F, Section: "2.2.8.10",
		Request:  func() Request { return &QueryNamedPropertiesRequest{} },
		Response: func() Response { return &QueryNamedPropertiesResponse{} }})
	register(Info{ID: 0x67, Section: "2.2.8.11",
		Request:  func() Request { return &CopyPropertiesRequest{} },
		Response: func() Response { return &CopyPropertiesResponse{} }})
	register(Info{ID: 0x39, Section: "2.2.8.12",
		Request:  func() Request { return &CopyToRequest{} },
		Response: func() Response { return &CopyToResponse{} }})
	register(Info{ID: 0x50, Section: "2.2.8.13",
		Request:  func() Request { return &ProgressRequest{} },
		Response: func() Response { return &ProgressResponse{} }})
}

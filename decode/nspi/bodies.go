package nspi

import (
	"github.com/mapiscope/mapiscope/decode/auxbuf"
	"github.com/mapiscope/mapiscope/decode/prop"
	"github.com/mapiscope/mapiscope/decode/wire"
)

// Body is an address book endpoint request or response body —
// [MS-OXCMAPIHTTP] 2.2.5. It has the method set of mapihttp.Body, so the
// bodies of either package fit both interfaces.
type Body interface {
	Codec(c *wire.Codec)
	// Name is the body's name for the span tree ("BindRequest").
	Name() string
}

// Response is implemented by every response body of this package.
type Response interface {
	Body
	// Status returns StatusCode: 0 for the success layout, anything else
	// for the failure layout.
	Status() uint32
}

// Failed reports a response body in its failure layout.
func Failed(b Body) bool {
	r, ok := b.(Response)
	return ok && r.Status() != 0
}

// ResponseHeader is the start of every response body: StatusCode and, in the
// success layout, ErrorCode (the NSPI return value).
type ResponseHeader struct {
	StatusCode uint32
	ErrorCode  prop.ErrorCode
}

func (h *ResponseHeader) Status() uint32 { return h.StatusCode }

// codec reads or writes StatusCode and, when it is 0, ErrorCode; it
// reports whether the success layout follows.
func (h *ResponseHeader) codec(c *wire.Codec) bool {
	c.U32(&h.StatusCode, "StatusCode")
	c.Hex()
	if h.StatusCode != 0 {
		if c.Decoding() {
			h.ErrorCode = 0
		}
		return false
	}
	u := uint32(h.ErrorCode)
	c.U32(&u, "ErrorCode")
	c.Hex().Named(prop.ErrorSym)
	h.ErrorCode = prop.ErrorCode(u)
	return !c.Failed()
}

// reservedZero reads or writes a 4-byte field the client MUST set to 0,
// noting a nonzero value.
func reservedZero(c *wire.Codec, v *uint32, name string) {
	c.U32(v, name)
	c.Hex()
	if c.Decoding() && !c.Failed() && *v != 0 {
		c.NoteAt(c.Pos()-4, "%s is 0x%08X; the client MUST set it to 0", name, *v)
	}
}

func codecFlags(c *wire.Codec, v *uint32, name string, sym func(uint64) string) {
	c.U32(v, name)
	c.Hex().Named(sym)
}

// ---- Bind — 2.2.5.1 ----

// BindRequest — [MS-OXCMAPIHTTP] 2.2.5.1.1.
type BindRequest struct {
	Flags           uint32 // fAnonymousLogin
	HasState        Bool
	State           *STAT
	AuxiliaryBuffer auxbuf.Buffer
}

func (*BindRequest) Name() string { return "BindRequest" }
func (r *BindRequest) Codec(c *wire.Codec) {
	codecFlags(c, &r.Flags, "Flags", bindFlagsSym)
	codecState(c, &r.HasState, &r.State)
	auxbuf.CodecSized(c, &r.AuxiliaryBuffer)
}

// BindResponse — 2.2.5.1.2 (success) and 2.2.5.1.3 (failure).
type BindResponse struct {
	ResponseHeader
	ServerGuid      prop.GUID
	AuxiliaryBuffer auxbuf.Buffer
}

func (*BindResponse) Name() string { return "BindResponse" }
func (r *BindResponse) Codec(c *wire.Codec) {
	if r.ResponseHeader.codec(c) {
		prop.CodecGUID(c, &r.ServerGuid, "ServerGuid")
	}
	auxbuf.CodecSized(c, &r.AuxiliaryBuffer)
}

// ---- Unbind — 2.2.5.2 ----

// UnbindRequest — 2.2.5.2.1.
type UnbindRequest struct {
	Reserved        uint32
	AuxiliaryBuffer auxbuf.Buffer
}

func (*UnbindRequest) Name() string { return "UnbindRequest" }
func (r *UnbindRequest) Codec(c *wire.Codec) {
	reservedZero(c, &r.Reserved, "Reserved")
	auxbuf.CodecSized(c, &r.AuxiliaryBuffer)
}

// UnbindResponse — 2.2.5.2.2 (success) and 2.2.5.2.3 (failure).
type UnbindResponse struct {
	ResponseHeader
	AuxiliaryBuffer auxbuf.Buffer
}

func (*UnbindResponse) Name() string { return "UnbindResponse" }
func (r *UnbindResponse) Codec(c *wire.Codec) {
	r.ResponseHeader.codec(c)
	auxbuf.CodecSized(c, &r.AuxiliaryBuffer)
}

// ---- CompareMIds — 2.2.5.3 ----

// CompareMIdsRequest — 2.2.5.3.1.
type CompareMIdsRequest struct {
	Reserved        uint32
	HasState        Bool
	State           *STAT
	MinimalId1      uint32
	MinimalId2      uint32
	AuxiliaryBuffer auxbuf.Buffer
}

func (*CompareMIdsRequest) Name() string { return "CompareMIdsRequest" }
func (r *CompareMIdsRequest) Codec(c *wire.Codec) {
	reservedZero(c, &r.Reserved, "Reserved")
	codecState(c, &r.HasState, &r.State)
	codecMId(c, &r.MinimalId1, "MinimalId1", nil)
	codecMId(c, &r.MinimalId2, "MinimalId2", nil)
	auxbuf.CodecSized(c, &r.AuxiliaryBuffer)
}

// CompareMIdsResponse — 2.2.5.3.2 (success) and 2.2.5.3.3 (failure).
// Result is negative when MinimalId1 comes first, 0 when equal, positive
// when MinimalId2 comes first.
type CompareMIdsResponse struct {
	ResponseHeader
	Result          int32
	AuxiliaryBuffer auxbuf.Buffer
}

func (*CompareMIdsResponse) Name() string { return "CompareMIdsResponse" }
func (r *CompareMIdsResponse) Codec(c *wire.Codec) {
	if r.ResponseHeader.codec(c) {
		c.I32(&r.Result, "Result")
	}
	auxbuf.CodecSized(c, &r.AuxiliaryBuffer)
}

// ---- DNToMId — 2.2.5.4 ----

// DNToMIdRequest — 2.2.5.4.1. NameValues are 8-bit distinguished names.
type DNToMIdRequest struct {
	Reserved        uint32
	HasNames        Bool
	NameValues      []string
	AuxiliaryBuffer auxbuf.Buffer
}

func (*DNToMIdRequest) Name() string { return "DNToMIdRequest" }
func (r *DNToMIdRequest) Codec(c *wire.Codec) {
	reservedZero(c, &r.Reserved, "Reserved")
	if codecHas(c, &r.HasNames, len(r.NameValues) > 0, "HasNames") {
		codecStrings(c, &r.NameValues, false, "NameCount", "NameValues")
	} else if c.Decoding() {
		r.NameValues = nil
	}
	auxbuf.CodecSized(c, &r.AuxiliaryBuffer)
}

// DNToMIdResponse — 2.2.5.4.2 (success) and 2.2.5.4.3 (failure).
type DNToMIdResponse struct {
	ResponseHeader
	HasMinimalIds   Bool
	MinimalIds      []uint32
	AuxiliaryBuffer auxbuf.Buffer
}

func (*DNToMIdResponse) Name() string { return "DNToMIdResponse" }
func (r *DNToMIdResponse) Codec(c *wire.Codec) {
	if r.ResponseHeader.codec(c) {
		codecOptMIds(c, &r.HasMinimalIds, &r.MinimalIds, nil)
	} else if c.Decoding() {
		r.HasMinimalIds, r.MinimalIds = False, nil
	}
	auxbuf.CodecSized(c, &r.AuxiliaryBuffer)
}

// ---- GetMatches — 2.2.5.5 ----

// GetMatchesRequest — 2.2.5.5.1. Filter is a [MS-OXCDATA] 2.12
// restriction (32-bit counts); the property name is a GUID and a 4-byte
// ID (a PropertyName_r without its Reserved field).
type GetMatchesRequest struct {
	Reserved             uint32
	HasState             Bool
	State                *STAT
	HasMinimalIds        Bool
	MinimalIds           []uint32 // an explicit table
	InterfaceOptionFlags uint32   // reserved, 0
	HasFilter            Bool
	Filter               *prop.Restriction
	HasPropertyName      Bool
	PropertyNameGuid     prop.GUID
	PropertyNameId       uint32
	RowCount             uint32 // rows requested
	HasColumns           Bool
	Columns              []prop.Tag
	AuxiliaryBuffer      auxbuf.Buffer
}

func (*GetMatchesRequest) Name() string { return "GetMatchesRequest" }
func (r *GetMatchesRequest) Codec(c *wire.Codec) {
	reservedZero(c, &r.Reserved, "Reserved")
	codecState(c, &r.HasState, &r.State)
	codecOptMIds(c, &r.HasMinimalIds, &r.MinimalIds, nil)
	reservedZero(c, &r.InterfaceOptionFlags, "InterfaceOptionFlags")
	if codecHas(c, &r.HasFilter, r.Filter != nil, "HasFilter") {
		if c.Decoding() {
			r.Filter = &prop.Restriction{}
		}
		f := r.Filter
		if f == nil {
			f = &prop.Restriction{RestrictType: prop.RestrictExist}
			c.EncodeError("GetMatchesRequest: HasFilter is set but Filter is nil")
		}
		prop.CodecRestriction(c, f, "Filter", prop.Wide)
	} else if c.Decoding() {
		r.Filter = nil
	}
	present := r.PropertyNameGuid != (prop.GUID{}) || r.PropertyNameId != 0
	if codecHas(c, &r.HasPropertyName, present, "HasPropertyName") {
		prop.CodecGUID(c, &r.PropertyNameGuid, "PropertyNameGuid")
		c.U32(&r.PropertyNameId, "PropertyNameId")
		c.Hex()
	} else if c.Decoding() {
		r.PropertyNameGuid, r.PropertyNameId = prop.GUID{}, 0
	}
	c.U32(&r.RowCount, "RowCount")
	codecOptTags(c, &r.HasColumns, &r.Columns, "HasColumns", "Columns")
	auxbuf.CodecSized(c, &r.AuxiliaryBuffer)
}

// GetMatchesResponse — 2.2.5.5.2 (success) and 2.2.5.5.3 (failure).
type GetMatchesResponse struct {
	ResponseHeader
	HasState        Bool
	State           *STAT
	HasMinimalIds   Bool
	MinimalIds      []uint32
	HasColsAndRows  Bool
	Columns         []prop.Tag
	RowData         []PropertyRow // RowCount rows against Columns
	AuxiliaryBuffer auxbuf.Buffer
}

func (*GetMatchesResponse) Name() string { return "GetMatchesResponse" }
func (r *GetMatchesResponse) Codec(c *wire.Codec) {
	if r.ResponseHeader.codec(c) {
		codecState(c, &r.HasState, &r.State)
		codecOptMIds(c, &r.HasMinimalIds, &r.MinimalIds, nil)
		codecColsAndRows(c, &r.HasColsAndRows, "HasColsAndRows", &r.Columns, "Columns", &r.RowData)
	} else if c.Decoding() {
		*r = GetMatchesResponse{ResponseHeader: r.ResponseHeader}
	}
	auxbuf.CodecSized(c, &r.AuxiliaryBuffer)
}

// codecColsAndRows reads or writes a presence byte, then the columns
// (LargePropertyTagArray), RowCount and the rows decoded against them.
func codecColsAndRows(c *wire.Codec, has *Bool, hasName string, cols *[]prop.Tag, colsName string, rows *[]PropertyRow) {
	if !codecHas(c, has, len(*cols) > 0 || len(*rows) > 0, hasName) {
		if c.Decoding() {
			*cols, *rows = nil, nil
		}
		return
	}
	CodecLargePropertyTagArray(c, cols, colsName)
	codecRows(c, rows, *cols, "RowCount", "RowData")
}

// ---- GetPropList — 2.2.5.6 ----

// GetPropListRequest — 2.2.5.6.1.
type GetPropListRequest struct {
	Flags           uint32 // fSkipObjects, fEphID
	MinimalId       uint32
	CodePage        uint32
	AuxiliaryBuffer auxbuf.Buffer
}

func (*GetPropListRequest) Name() string { return "GetPropListRequest" }
func (r *GetPropListRequest) Codec(c *wire.Codec) {
	codecFlags(c, &r.Flags, "Flags", propFlagsSym)
	codecMId(c, &r.MinimalId, "MinimalId", nil)
	c.U32(&r.CodePage, "CodePage")
	c.Named(codePageSym)
	auxbuf.CodecSized(c, &r.AuxiliaryBuffer)
}

// GetPropListResponse — 2.2.5.6.2 (success) and 2.2.5.6.3 (failure).
type GetPropListResponse struct {
	ResponseHeader
	HasPropertyTags Bool
	PropertyTags    []prop.Tag
	AuxiliaryBuffer auxbuf.Buffer
}

func (*GetPropListResponse) Name() string { return "GetPropListResponse" }
func (r *GetPropListResponse) Codec(c *wire.Codec) {
	if r.ResponseHeader.codec(c) {
		codecOptTags(c, &r.HasPropertyTags, &r.PropertyTags, "HasPropertyTags", "PropertyTags")
	} else if c.Decoding() {
		r.HasPropertyTags, r.PropertyTags = False, nil
	}
	auxbuf.CodecSized(c, &r.AuxiliaryBuffer)
}

// ---- GetProps — 2.2.5.7 ----

// GetPropsRequest — 2.2.5.7.1. The object is State.CurrentRec.
type GetPropsRequest struct {
	Flags           uint32 // fSkipObjects, fEphID
	HasState        Bool
	State           *STAT
	HasPropertyTags Bool
	PropertyTags    []prop.Tag
	AuxiliaryBuffer auxbuf.Buffer
}

func (*GetPropsRequest) Name() string { return "GetPropsRequest" }
func (r *GetPropsRequest) Codec(c *wire.Codec) {
	codecFlags(c, &r.Flags, "Flags", propFlagsSym)
	codecState(c, &r.HasState, &r.State)
	codecOptTags(c, &r.HasPropertyTags, &r.PropertyTags, "HasPropertyTags", "PropertyTags")
	auxbuf.CodecSized(c, &r.AuxiliaryBuffer)
}

// GetPropsResponse — 2.2.5.7.2 (success) and 2.2.5.7.3 (failure).
type GetPropsResponse struct {
	ResponseHeader
	CodePage          uint32
	HasPropertyValues Bool
	PropertyValues    []TaggedValue // an AddressBookPropertyValueList
	AuxiliaryBuffer   auxbuf.Buffer
}

func (*GetPropsResponse) Name() string { return "GetPropsResponse" }
func (r *GetPropsResponse) Codec(c *wire.Codec) {
	if r.ResponseHeader.codec(c) {
		c.U32(&r.CodePage, "CodePage")
		c.Named(codePageSym)
		codecOptValues(c, &r.HasPropertyValues, &r.PropertyValues, "HasPropertyValues", "PropertyValues")
	} else if c.Decoding() {
		*r = GetPropsResponse{ResponseHeader: r.ResponseHeader}
	}
	auxbuf.CodecSized(c, &r.AuxiliaryBuffer)
}

// codecOptValues reads or writes a presence byte and an optional
// AddressBookPropertyValueList.
func codecOptValues(c *wire.Codec, has *Bool, l *[]TaggedValue, hasName, name string) {
	if codecHas(c, has, len(*l) > 0, hasName) {
		CodecPropertyValueList(c, l, name)
	} else if c.Decoding() {
		*l = nil
	}
}

// ---- GetSpecialTable — 2.2.5.8 ----

// GetSpecialTableRequest — 2.2.5.8.1.
type GetSpecialTableRequest struct {
	Flags           uint32 // NspiAddressCreationTemplates, NspiUnicodeStrings
	HasState        Bool
	State           *STAT
	HasVersion      Bool
	Version         uint32 // of the hierarchy table the client has
	AuxiliaryBuffer auxbuf.Buffer
}

func (*GetSpecialTableRequest) Name() string { return "GetSpecialTableRequest" }
func (r *GetSpecialTableRequest) Codec(c *wire.Codec) {
	codecFlags(c, &r.Flags, "Flags", specialTableFlagsSym)
	codecState(c, &r.HasState, &r.State)
	codecOptU32(c, &r.HasVersion, &r.Version, "HasVersion", "Version")
	auxbuf.CodecSized(c, &r.AuxiliaryBuffer)
}

// codecOptU32 reads or writes a presence byte and an optional 4-byte
// field (present when nonzero, for encoding a body built by hand).
func codecOptU32(c *wire.Codec, has *Bool, v *uint32, hasName, name string) {
	if codecHas(c, has, *v != 0, hasName) {
		c.U32(v, name)
	} else if c.Decoding() {
		*v = 0
	}
}

// GetSpecialTableResponse — 2.2.5.8.2 (success) and 2.2.5.8.3 (failure).
// Each row is an AddressBookPropertyValueList.
type GetSpecialTableResponse struct {
	ResponseHeader
	CodePage        uint32
	HasVersion      Bool
	Version         uint32
	HasRows         Bool
	Rows            [][]TaggedValue // RowCount rows
	AuxiliaryBuffer auxbuf.Buffer
}

func (*GetSpecialTableResponse) Name() string { return "GetSpecialTableResponse" }
func (r *GetSpecialTableResponse) Codec(c *wire.Codec) {
	if r.ResponseHeader.codec(c) {
		c.U32(&r.CodePage, "CodePage")
		c.Named(codePageSym)
		codecOptU32(c, &r.HasVersion, &r.Version, "HasVersion", "Version")
		if codecHas(c, &r.HasRows, len(r.Rows) > 0, "HasRows") {
			n := c.Count32(len(r.Rows), 4, "RowCount")
			wire.Make(c, &r.Rows, n)
			c.BeginArray("Rows")
			for i := range r.Rows {
				if c.Failed() {
					break
				}
				CodecPropertyValueList(c, &r.Rows[i], "")
			}
			c.End()
		} else if c.Decoding() {
			r.Rows = nil
		}
	} else if c.Decoding() {
		*r = GetSpecialTableResponse{ResponseHeader: r.ResponseHeader}
	}
	auxbuf.CodecSized(c, &r.AuxiliaryBuffer)
}

// ---- GetTemplateInfo — 2.2.5.9 ----

// GetTemplateInfoRequest — 2.2.5.9.1. TemplateDn is 8-bit.
type GetTemplateInfoRequest struct {
	Flags           uint32 // TI_* values
	DisplayType     uint32 // DT_* value
	HasTemplateDn   Bool
	TemplateDn      string
	CodePage        uint32
	LocaleId        uint32
	AuxiliaryBuffer auxbuf.Buffer
}

func (*GetTemplateInfoRequest) Name() string { return "GetTemplateInfoRequest" }
func (r *GetTemplateInfoRequest) Codec(c *wire.Codec) {
	codecFlags(c, &r.Flags, "Flags", templateFlagsSym)
	c.U32(&r.DisplayType, "DisplayType")
	c.Hex().Named(displayTypeSym)
	if codecHas(c, &r.HasTemplateDn, r.TemplateDn != "", "HasTemplateDn") {
		c.String8Z(&r.TemplateDn, "TemplateDn")
	} else if c.Decoding() {
		r.TemplateDn = ""
	}
	c.U32(&r.CodePage, "CodePage")
	c.Named(codePageSym)
	c.U32(&r.LocaleId, "LocaleId")
	c.Hex()
	auxbuf.CodecSized(c, &r.AuxiliaryBuffer)
}

// GetTemplateInfoResponse — 2.2.5.9.2 (success) and 2.2.5.9.3 (failure).
type GetTemplateInfoResponse struct {
	ResponseHeader
	CodePage        uint32
	HasRow          Bool
	Row             []TaggedValue // an AddressBookPropertyValueList
	AuxiliaryBuffer auxbuf.Buffer
}

func (*GetTemplateInfoResponse) Name() string { return "GetTemplateInfoResponse" }
func (r *GetTemplateInfoResponse) Codec(c *wire.Codec) {
	if r.ResponseHeader.codec(c) {
		c.U32(&r.CodePage, "CodePage")
		c.Named(codePageSym)
		codecOptValues(c, &r.HasRow, &r.Row, "HasRow", "Row")
	} else if c.Decoding() {
		*r = GetTemplateInfoResponse{ResponseHeader: r.ResponseHeader}
	}
	auxbuf.CodecSized(c, &r.AuxiliaryBuffer)
}

// ---- ModLinkAtt — 2.2.5.10 ----

// ModLinkAttRequest — 2.2.5.10.1. EntryIds are Ephemeral or Permanent
// Entry IDs, one after the other without size prefixes.
type ModLinkAttRequest struct {
	Flags           uint32 // fDelete
	PropertyTag     prop.Tag
	MinimalId       uint32
	HasEntryIds     Bool
	EntryIds        []EntryID // EntryIdCount entries
	AuxiliaryBuffer auxbuf.Buffer
}

func (*ModLinkAttRequest) Name() string { return "ModLinkAttRequest" }
func (r *ModLinkAttRequest) Codec(c *wire.Codec) {
	codecFlags(c, &r.Flags, "Flags", modLinkAttFlagsSym)
	prop.CodecTag(c, &r.PropertyTag, "PropertyTag")
	codecMId(c, &r.MinimalId, "MinimalId", nil)
	if codecHas(c, &r.HasEntryIds, len(r.EntryIds) > 0, "HasEntryIds") {
		n := c.Count32(len(r.EntryIds), EntryIDMinSize, "EntryIdCount")
		wire.Make(c, &r.EntryIds, n)
		c.BeginArray("EntryIds")
		for i := range r.EntryIds {
			if c.Failed() {
				break
			}
			CodecEntryID(c, &r.EntryIds[i], "")
		}
		c.End()
	} else if c.Decoding() {
		r.EntryIds = nil
	}
	auxbuf.CodecSized(c, &r.AuxiliaryBuffer)
}

// ModLinkAttResponse — 2.2.5.10.2 (success) and 2.2.5.10.3 (failure).
type ModLinkAttResponse struct {
	ResponseHeader
	AuxiliaryBuffer auxbuf.Buffer
}

func (*ModLinkAttResponse) Name() string { return "ModLinkAttResponse" }
func (r *ModLinkAttResponse) Codec(c *wire.Codec) {
	r.ResponseHeader.codec(c)
	auxbuf.CodecSized(c, &r.AuxiliaryBuffer)
}

// ---- ModProps — 2.2.5.11 ----

// ModPropsRequest — 2.2.5.11.1. The object is State.CurrentRec;
// PropertyTags are the properties to remove, PropertyValues those to set.
type ModPropsRequest struct {
	Reserved          uint32
	HasState          Bool
	State             *STAT
	HasPropertyTags   Bool
	PropertyTags      []prop.Tag
	HasPropertyValues Bool
	PropertyValues    []TaggedValue
	AuxiliaryBuffer   auxbuf.Buffer
}

func (*ModPropsRequest) Name() string { return "ModPropsRequest" }
func (r *ModPropsRequest) Codec(c *wire.Codec) {
	reservedZero(c, &r.Reserved, "Reserved")
	codecState(c, &r.HasState, &r.State)
	codecOptTags(c, &r.HasPropertyTags, &r.PropertyTags, "HasPropertyTags", "PropertyTags")
	codecOptValues(c, &r.HasPropertyValues, &r.PropertyValues, "HasPropertyValues", "PropertyValues")
	auxbuf.CodecSized(c, &r.AuxiliaryBuffer)
}

// ModPropsResponse — 2.2.5.11.2 (success) and 2.2.5.11.3 (failure).
type ModPropsResponse struct {
	ResponseHeader
	AuxiliaryBuffer auxbuf.Buffer
}

func (*ModPropsResponse) Name() string { return "ModPropsResponse" }
func (r *ModPropsResponse) Codec(c *wire.Codec) {
	r.ResponseHeader.codec(c)
	auxbuf.CodecSized(c, &r.AuxiliaryBuffer)
}

// ---- QueryRows — 2.2.5.12 ----

// QueryRowsRequest — 2.2.5.12.1. The explicit table has no presence
// byte: ExplicitTableCount is always there (0 for none).
type QueryRowsRequest struct {
	Flags           uint32 // fSkipObjects, fEphID
	HasState        Bool
	State           *STAT
	ExplicitTable   []uint32
	RowCount        uint32 // rows requested
	HasColumns      Bool
	Columns         []prop.Tag
	AuxiliaryBuffer auxbuf.Buffer
}

func (*QueryRowsRequest) Name() string { return "QueryRowsRequest" }
func (r *QueryRowsRequest) Codec(c *wire.Codec) {
	codecFlags(c, &r.Flags, "Flags", propFlagsSym)
	codecState(c, &r.HasState, &r.State)
	codecMIds(c, &r.ExplicitTable, "ExplicitTableCount", "ExplicitTable", nil)
	c.U32(&r.RowCount, "RowCount")
	codecOptTags(c, &r.HasColumns, &r.Columns, "HasColumns", "Columns")
	auxbuf.CodecSized(c, &r.AuxiliaryBuffer)
}

// QueryRowsResponse — 2.2.5.12.2 (success) and 2.2.5.12.3 (failure).
type QueryRowsResponse struct {
	ResponseHeader
	HasState        Bool
	State           *STAT
	HasColsAndRows  Bool
	Columns         []prop.Tag
	RowData         []PropertyRow // RowCount rows against Columns
	AuxiliaryBuffer auxbuf.Buffer
}

func (*QueryRowsResponse) Name() string { return "QueryRowsResponse" }
func (r *QueryRowsResponse) Codec(c *wire.Codec) {
	if r.ResponseHeader.codec(c) {
		codecState(c, &r.HasState, &r.State)
		codecColsAndRows(c, &r.HasColsAndRows, "HasColsAndRows", &r.Columns, "Columns", &r.RowData)
	} else if c.Decoding() {
		*r = QueryRowsResponse{ResponseHeader: r.ResponseHeader}
	}
	auxbuf.CodecSized(c, &r.AuxiliaryBuffer)
}

// ---- QueryColumns — 2.2.5.13 ----

// QueryColumnsRequest — 2.2.5.13.1.
type QueryColumnsRequest struct {
	Reserved        uint32
	MapiFlags       uint32 // NspiUnicodeProptypes
	AuxiliaryBuffer auxbuf.Buffer
}

func (*QueryColumnsRequest) Name() string { return "QueryColumnsRequest" }
func (r *QueryColumnsRequest) Codec(c *wire.Codec) {
	reservedZero(c, &r.Reserved, "Reserved")
	codecFlags(c, &r.MapiFlags, "MapiFlags", queryColumnsFlagsSym)
	auxbuf.CodecSized(c, &r.AuxiliaryBuffer)
}

// QueryColumnsResponse — 2.2.5.13.2 (success) and 2.2.5.13.3 (failure).
type QueryColumnsResponse struct {
	ResponseHeader
	HasColumns      Bool
	Columns         []prop.Tag
	AuxiliaryBuffer auxbuf.Buffer
}

func (*QueryColumnsResponse) Name() string { return "QueryColumnsResponse" }
func (r *QueryColumnsResponse) Codec(c *wire.Codec) {
	if r.ResponseHeader.codec(c) {
		codecOptTags(c, &r.HasColumns, &r.Columns, "HasColumns", "Columns")
	} else if c.Decoding() {
		r.HasColumns, r.Columns = False, nil
	}
	auxbuf.CodecSized(c, &r.AuxiliaryBuffer)
}

// ---- ResolveNames — 2.2.5.14 ----

// ResolveNamesRequest — 2.2.5.14.1. NameValues are UTF-16 strings.
type ResolveNamesRequest struct {
	Reserved        uint32
	HasState        Bool
	State           *STAT
	HasPropertyTags Bool
	PropertyTags    []prop.Tag
	HasNames        Bool
	NameValues      []string
	AuxiliaryBuffer auxbuf.Buffer
}

func (*ResolveNamesRequest) Name() string { return "ResolveNamesRequest" }
func (r *ResolveNamesRequest) Codec(c *wire.Codec) {
	reservedZero(c, &r.Reserved, "Reserved")
	codecState(c, &r.HasState, &r.State)
	codecOptTags(c, &r.HasPropertyTags, &r.PropertyTags, "HasPropertyTags", "PropertyTags")
	if codecHas(c, &r.HasNames, len(r.NameValues) > 0, "HasNames") {
		codecStrings(c, &r.NameValues, true, "NameCount", "NameValues")
	} else if c.Decoding() {
		r.NameValues = nil
	}
	auxbuf.CodecSized(c, &r.AuxiliaryBuffer)
}

// ResolveNamesResponse — 2.2.5.14.2 (success) and 2.2.5.14.3 (failure).
// MinimalIds hold one MID_UNRESOLVED, MID_AMBIGUOUS or Minimal Entry ID
// per name; RowData one row per resolved name, against PropertyTags.
type ResolveNamesResponse struct {
	ResponseHeader
	CodePage        uint32
	HasMinimalIds   Bool
	MinimalIds      []uint32
	HasRowsAndCols  Bool
	PropertyTags    []prop.Tag
	RowData         []PropertyRow // RowCount rows
	AuxiliaryBuffer auxbuf.Buffer
}

func (*ResolveNamesResponse) Name() string { return "ResolveNamesResponse" }
func (r *ResolveNamesResponse) Codec(c *wire.Codec) {
	if r.ResponseHeader.codec(c) {
		c.U32(&r.CodePage, "CodePage")
		c.Named(codePageSym)
		codecOptMIds(c, &r.HasMinimalIds, &r.MinimalIds, anrSym)
		codecColsAndRows(c, &r.HasRowsAndCols, "HasRowsAndCols", &r.PropertyTags, "PropertyTags", &r.RowData)
	} else if c.Decoding() {
		*r = ResolveNamesResponse{ResponseHeader: r.ResponseHeader}
	}
	auxbuf.CodecSized(c, &r.AuxiliaryBuffer)
}

// ---- ResortRestriction — 2.2.5.15 ----

// ResortRestrictionRequest — 2.2.5.15.1.
type ResortRestrictionRequest struct {
	Reserved        uint32
	HasState        Bool
	State           *STAT
	HasMinimalIds   Bool
	MinimalIds      []uint32
	AuxiliaryBuffer auxbuf.Buffer
}

func (*ResortRestrictionRequest) Name() string { return "ResortRestrictionRequest" }
func (r *ResortRestrictionRequest) Codec(c *wire.Codec) {
	reservedZero(c, &r.Reserved, "Reserved")
	codecState(c, &r.HasState, &r.State)
	codecOptMIds(c, &r.HasMinimalIds, &r.MinimalIds, nil)
	auxbuf.CodecSized(c, &r.AuxiliaryBuffer)
}

// ResortRestrictionResponse — 2.2.5.15.2 (success) and 2.2.5.15.3
// (failure).
type ResortRestrictionResponse struct {
	ResponseHeader
	HasState        Bool
	State           *STAT
	HasMinimalIds   Bool
	MinimalIds      []uint32
	AuxiliaryBuffer auxbuf.Buffer
}

func (*ResortRestrictionResponse) Name() string { return "ResortRestrictionResponse" }
func (r *ResortRestrictionResponse) Codec(c *wire.Codec) {
	if r.ResponseHeader.codec(c) {
		codecState(c, &r.HasState, &r.State)
		codecOptMIds(c, &r.HasMinimalIds, &r.MinimalIds, nil)
	} else if c.Decoding() {
		*r = ResortRestrictionResponse{ResponseHeader: r.ResponseHeader}
	}
	auxbuf.CodecSized(c, &r.AuxiliaryBuffer)
}

// ---- SeekEntries — 2.2.5.16 ----

// SeekEntriesRequest — 2.2.5.16.1.
type SeekEntriesRequest struct {
	Reserved         uint32
	HasState         Bool
	State            *STAT
	HasTarget        Bool
	Target           *TaggedValue
	HasExplicitTable Bool
	ExplicitTable    []uint32
	HasColumns       Bool
	Columns          []prop.Tag
	AuxiliaryBuffer  auxbuf.Buffer
}

func (*SeekEntriesRequest) Name() string { return "SeekEntriesRequest" }
func (r *SeekEntriesRequest) Codec(c *wire.Codec) {
	reservedZero(c, &r.Reserved, "Reserved")
	codecState(c, &r.HasState, &r.State)
	if codecHas(c, &r.HasTarget, r.Target != nil, "HasTarget") {
		if c.Decoding() {
			r.Target = &TaggedValue{}
		}
		t := r.Target
		if t == nil {
			t = &TaggedValue{PropertyType: prop.PtypInteger32, PropertyValue: PropertyValue{Value: int32(0)}}
			c.EncodeError("SeekEntriesRequest: HasTarget is set but Target is nil")
		}
		CodecTaggedValue(c, t, "Target")
	} else if c.Decoding() {
		r.Target = nil
	}
	if codecHas(c, &r.HasExplicitTable, len(r.ExplicitTable) > 0, "HasExplicitTable") {
		codecMIds(c, &r.ExplicitTable, "ExplicitTableCount", "ExplicitTable", nil)
	} else if c.Decoding() {
		r.ExplicitTable = nil
	}
	codecOptTags(c, &r.HasColumns, &r.Columns, "HasColumns", "Columns")
	auxbuf.CodecSized(c, &r.AuxiliaryBuffer)
}

// SeekEntriesResponse — 2.2.5.16.2 (success) and 2.2.5.16.3 (failure).
type SeekEntriesResponse struct {
	ResponseHeader
	HasState        Bool
	State           *STAT
	HasColsAndRows  Bool
	Columns         []prop.Tag
	RowData         []PropertyRow // RowCount rows against Columns
	AuxiliaryBuffer auxbuf.Buffer
}

func (*SeekEntriesResponse) Name() string { return "SeekEntriesResponse" }
func (r *SeekEntriesResponse) Codec(c *wire.Codec) {
	if r.ResponseHeader.codec(c) {
		codecState(c, &r.HasState, &r.State)
		codecColsAndRows(c, &r.HasColsAndRows, "HasColsAndRows", &r.Columns, "Columns", &r.RowData)
	} else if c.Decoding() {
		*r = SeekEntriesResponse{ResponseHeader: r.ResponseHeader}
	}
	auxbuf.CodecSized(c, &r.AuxiliaryBuffer)
}

// ---- UpdateStat — 2.2.5.17 ----

// UpdateStatRequest — 2.2.5.17.1.
type UpdateStatRequest struct {
	Reserved        uint32
	HasState        Bool
	State           *STAT
	DeltaRequested  Bool
	AuxiliaryBuffer auxbuf.Buffer
}

func (*UpdateStatRequest) Name() string { return "UpdateStatRequest" }
func (r *UpdateStatRequest) Codec(c *wire.Codec) {
	reservedZero(c, &r.Reserved, "Reserved")
	codecState(c, &r.HasState, &r.State)
	codecBool(c, &r.DeltaRequested, "DeltaRequested")
	auxbuf.CodecSized(c, &r.AuxiliaryBuffer)
}

// UpdateStatResponse — 2.2.5.17.2 (success) and 2.2.5.17.3 (failure).
type UpdateStatResponse struct {
	ResponseHeader
	HasState        Bool
	State           *STAT
	HasDelta        Bool
	Delta           int32
	AuxiliaryBuffer auxbuf.Buffer
}

func (*UpdateStatResponse) Name() string { return "UpdateStatResponse" }
func (r *UpdateStatResponse) Codec(c *wire.Codec) {
	if r.ResponseHeader.codec(c) {
		codecState(c, &r.HasState, &r.State)
		if codecHas(c, &r.HasDelta, r.Delta != 0, "HasDelta") {
			c.I32(&r.Delta, "Delta")
		} else if c.Decoding() {
			r.Delta = 0
		}
	} else if c.Decoding() {
		*r = UpdateStatResponse{ResponseHeader: r.ResponseHeader}
	}
	auxbuf.CodecSized(c, &r.AuxiliaryBuffer)
}

// ---- GetMailboxUrl — 2.2.5.18 ----

// GetMailboxUrlRequest — 2.2.5.18.1. ServerDn is UTF-16.
type GetMailboxUrlRequest struct {
	Flags           uint32 // not used, 0
	ServerDn        string
	AuxiliaryBuffer auxbuf.Buffer
}

func (*GetMailboxUrlRequest) Name() string { return "GetMailboxUrlRequest" }
func (r *GetMailboxUrlRequest) Codec(c *wire.Codec) {
	reservedZero(c, &r.Flags, "Flags")
	c.UnicodeZ(&r.ServerDn, "ServerDn")
	auxbuf.CodecSized(c, &r.AuxiliaryBuffer)
}

// GetMailboxUrlResponse — 2.2.5.18.2 (success) and 2.2.5.18.3 (failure).
// ServerUrl is the mailbox server endpoint's URL, UTF-16.
type GetMailboxUrlResponse struct {
	ResponseHeader
	ServerUrl       string
	AuxiliaryBuffer auxbuf.Buffer
}

func (*GetMailboxUrlResponse) Name() string { return "GetMailboxUrlResponse" }
func (r *GetMailboxUrlResponse) Codec(c *wire.Codec) {
	if r.ResponseHeader.codec(c) {
		c.UnicodeZ(&r.ServerUrl, "ServerUrl")
	} else if c.Decoding() {
		r.ServerUrl = ""
	}
	auxbuf.CodecSized(c, &r.AuxiliaryBuffer)
}

// ---- GetAddressBookUrl — 2.2.5.19 ----

// GetAddressBookUrlRequest — 2.2.5.19.1. UserDn is UTF-16.
type GetAddressBookUrlRequest struct {
	Flags           uint32
	UserDn          string
	AuxiliaryBuffer auxbuf.Buffer
}

func (*GetAddressBookUrlRequest) Name() string { return "GetAddressBookUrlRequest" }
func (r *GetAddressBookUrlRequest) Codec(c *wire.Codec) {
	c.U32(&r.Flags, "Flags")
	c.Hex()
	c.UnicodeZ(&r.UserDn, "UserDn")
	auxbuf.CodecSized(c, &r.AuxiliaryBuffer)
}

// GetAddressBookUrlResponse — 2.2.5.19.2 (success) and 2.2.5.19.3
// (failure). ServerUrl is the address book server endpoint's URL, UTF-16.
type GetAddressBookUrlResponse struct {
	ResponseHeader
	ServerUrl       string
	AuxiliaryBuffer auxbuf.Buffer
}

func (*GetAddressBookUrlResponse) Name() string { return "GetAddressBookUrlResponse" }
func (r *GetAddressBookUrlResponse) Codec(c *wire.Codec) {
	if r.ResponseHeader.codec(c) {
		c.UnicodeZ(&r.ServerUrl, "ServerUrl")
	} else if c.Decoding() {
		r.ServerUrl = ""
	}
	auxbuf.CodecSized(c, &r.AuxiliaryBuffer)
}

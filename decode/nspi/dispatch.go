package nspi

import (
	"fmt"

	"github.com/mapiscope/mapiscope/decode/mapihttp"
	"github.com/mapiscope/mapiscope/decode/wire"
)

type bodyPair struct {
	req, resp func() Body
}

var bodies = map[mapihttp.RequestType]bodyPair{
	mapihttp.TypeBind:              {func() Body { return &BindRequest{} }, func() Body { return &BindResponse{} }},
	mapihttp.TypeUnbind:            {func() Body { return &UnbindRequest{} }, func() Body { return &UnbindResponse{} }},
	mapihttp.TypeCompareMIds:       {func() Body { return &CompareMIdsRequest{} }, func() Body { return &CompareMIdsResponse{} }},
	mapihttp.TypeDNToMId:           {func() Body { return &DNToMIdRequest{} }, func() Body { return &DNToMIdResponse{} }},
	mapihttp.TypeGetMatches:        {func() Body { return &GetMatchesRequest{} }, func() Body { return &GetMatchesResponse{} }},
	mapihttp.TypeGetPropList:       {func() Body { return &GetPropListRequest{} }, func() Body { return &GetPropListResponse{} }},
	mapihttp.TypeGetProps:          {func() Body { return &GetPropsRequest{} }, func() Body { return &GetPropsResponse{} }},
	mapihttp.TypeGetSpecialTable:   {func() Body { return &GetSpecialTableRequest{} }, func() Body { return &GetSpecialTableResponse{} }},
	mapihttp.TypeGetTemplateInfo:   {func() Body { return &GetTemplateInfoRequest{} }, func() Body { return &GetTemplateInfoResponse{} }},
	mapihttp.TypeModLinkAtt:        {func() Body { return &ModLinkAttRequest{} }, func() Body { return &ModLinkAttResponse{} }},
	mapihttp.TypeModProps:          {func() Body { return &ModPropsRequest{} }, func() Body { return &ModPropsResponse{} }},
	mapihttp.TypeQueryColumns:      {func() Body { return &QueryColumnsRequest{} }, func() Body { return &QueryColumnsResponse{} }},
	mapihttp.TypeQueryRows:         {func() Body { return &QueryRowsRequest{} }, func() Body { return &QueryRowsResponse{} }},
	mapihttp.TypeResolveNames:      {func() Body { return &ResolveNamesRequest{} }, func() Body { return &ResolveNamesResponse{} }},
	mapihttp.TypeResortRestriction: {func() Body { return &ResortRestrictionRequest{} }, func() Body { return &ResortRestrictionResponse{} }},
	mapihttp.TypeSeekEntries:       {func() Body { return &SeekEntriesRequest{} }, func() Body { return &SeekEntriesResponse{} }},
	mapihttp.TypeUpdateStat:        {func() Body { return &UpdateStatRequest{} }, func() Body { return &UpdateStatResponse{} }},
	mapihttp.TypeGetMailboxUrl:     {func() Body { return &GetMailboxUrlRequest{} }, func() Body { return &GetMailboxUrlResponse{} }},
	mapihttp.TypeGetAddressBookUrl: {func() Body { return &GetAddressBookUrlRequest{} }, func() Body { return &GetAddressBookUrlResponse{} }},
	// PING belongs to both endpoints; its empty bodies are mapihttp's.
	mapihttp.TypePing: {func() Body { return &mapihttp.PingRequest{} }, func() Body { return &mapihttp.PingResponse{} }},
}

// RequestTypes lists the nineteen address book request types of
// [MS-OXCMAPIHTTP] 2.2.5, in the specification's order (PING, which both
// endpoints serve, is not among them).
func RequestTypes() []mapihttp.RequestType {
	var out []mapihttp.RequestType
	for _, t := range mapihttp.RequestTypes() {
		if t.AddressBook() && t != mapihttp.TypePing {
			out = append(out, t)
		}
	}
	return out
}

// ParseRequestType matches an X-RequestType value case-insensitively and
// reports whether it names a request type of the address book endpoint
// (one of RequestTypes, or PING).
func ParseRequestType(s string) (mapihttp.RequestType, bool) {
	t, ok := mapihttp.ParseRequestType(s)
	if !ok || !t.AddressBook() {
		return mapihttp.TypeUnknown, false
	}
	return t, true
}

// NewRequest returns an empty request body for an address book request
// type (nil for the mailbox types).
func NewRequest(t mapihttp.RequestType) Body {
	if p, ok := bodies[t]; ok {
		return p.req()
	}
	return nil
}

// NewResponse returns an empty response body for an address book request
// type (nil for the mailbox types).
func NewResponse(t mapihttp.RequestType) Body {
	if p, ok := bodies[t]; ok {
		return p.resp()
	}
	return nil
}

// Decode decodes b into body. base is the absolute offset of b[0] (for a
// response body: Framed.BodyOffset). Bytes after the body are an anomaly.
// The codec returned holds the anomalies and, with spans, the tree.
func Decode(body Body, b []byte, base int, spans bool) *wire.Codec {
	c := wire.NewDecoder(b, spans, body.Name())
	c.SetBase(base)
	if t := c.Tree(); t != nil {
		t.Off = base
	}
	body.Codec(c)
	if !c.Failed() && c.Remaining() > 0 {
		c.Note("%d bytes follow the %s", c.Remaining(), body.Name())
	}
	return c
}

// DecodeRequest decodes a request body of address book request type t.
func DecodeRequest(t mapihttp.RequestType, b []byte, base int, spans bool) (Body, *wire.Codec, error) {
	body := NewRequest(t)
	if body == nil {
		return nil, nil, fmt.Errorf("nspi: no request body codec for request type %q", t.String())
	}
	c := Decode(body, b, base, spans)
	return body, c, c.Err()
}

// DecodeResponse decodes a response body (the bytes after the meta-tags
// and additional headers) of address book request type t.
func DecodeResponse(t mapihttp.RequestType, b []byte, base int, spans bool) (Body, *wire.Codec, error) {
	body := NewResponse(t)
	if body == nil {
		return nil, nil, fmt.Errorf("nspi: no response body codec for request type %q", t.String())
	}
	c := Decode(body, b, base, spans)
	return body, c, c.Err()
}

// Encode appends body to dst.
func Encode(dst []byte, body Body) ([]byte, error) {
	c := wire.NewEncoder(dst)
	body.Codec(c)
	return c.Output(), c.Err()
}

// Package rop holds the remote operations of [MS-OXCROPS]: the ROP buffer
// framing, a registry of every ROP id, and a codec for each ROP's request
// and response. Each ROP is a typed struct whose Codec method is its single
// description, used to decode, encode and show it.
package rop

import (
	"fmt"
	"sort"

	"github.com/mapiscope/mapiscope/decode/prop"
	"github.com/mapiscope/mapiscope/decode/wire"
)

// Request is a ROP request.
type Request interface {
	Codec(c *wire.Codec, ctx *Ctx)
	Header() *RequestHeader
}

// Response is a ROP response.
type Response interface {
	Codec(c *wire.Codec, ctx *Ctx)
	Header() *ResponseHeader
}

// RequestHeader holds the fields that start nearly every request —
// [MS-OXCROPS] 2.2.1. (RopLogon has OutputHandleIndex where others have
// InputHandleIndex; its codec says so.)
type RequestHeader struct {
	RopId            uint8
	LogonId          uint8
	InputHandleIndex uint8
}

// Header returns the header (promoted to every request struct).
func (h *RequestHeader) Header() *RequestHeader { return h }

// Codec reads or writes RopId, LogonId and InputHandleIndex.
func (h *RequestHeader) Codec(c *wire.Codec, id uint8) {
	codecRopID(c, &h.RopId, id)
	c.U8(&h.LogonId, "LogonId")
	c.U8(&h.InputHandleIndex, "InputHandleIndex")
}

// ResponseHeader holds the fields that start nearly every response.
// HandleIndex is the field the specification calls InputHandleIndex,
// OutputHandleIndex or SourceHandleIndex depending on the ROP; the codec
// writes the ROP's own name.
type ResponseHeader struct {
	RopId       uint8
	HandleIndex uint8
	ReturnValue prop.ErrorCode
}

// Header returns the header (promoted to every response struct).
func (h *ResponseHeader) Header() *ResponseHeader { return h }

// Codec reads or writes RopId, the handle index under its name, and
// ReturnValue.
func (h *ResponseHeader) Codec(c *wire.Codec, id uint8, handleName string) {
	codecRopID(c, &h.RopId, id)
	c.U8(&h.HandleIndex, handleName)
	CodecReturnValue(c, &h.ReturnValue)
}

// Failed reports a nonzero ReturnValue. Warnings (high bit clear, nonzero)
// still carry the success layout in some ROPs; callers that care check
// the value itself.
func (h *ResponseHeader) Failed() bool { return h.ReturnValue != 0 }

// CodecReturnValue reads or writes a 32-bit ReturnValue with its name.
func CodecReturnValue(c *wire.Codec, v *prop.ErrorCode) {
	u := uint32(*v)
	c.U32(&u, "ReturnValue")
	c.Hex().Named(prop.ErrorSym)
	*v = prop.ErrorCode(u)
}

func codecRopID(c *wire.Codec, p *uint8, id uint8) {
	if c.Encoding() && *p == 0 {
		*p = id
	}
	c.U8(p, "RopId")
	c.Hex().Named(ropSym)
	if c.Decoding() && *p != id && !(id == 0x1F && *p == 0x20) {
		c.Note("RopId 0x%02X where 0x%02X (%s) was expected", *p, id, Name(id))
	}
}

func ropSym(v uint64) string { return Name(uint8(v)) }

// Ctx carries what a ROP cannot know from its own bytes, and collects what
// a session needs to learn from it. Session fills the inputs; codecs read
// them and set the outputs.
type Ctx struct {
	// Request is the paired request when a response is decoded.
	Request Request
	// Columns is the column set of the table the ROP works on
	// (RopQueryRows, RopFindRow, RopExpandRow); HasColumns says it is known.
	Columns    []prop.Tag
	HasColumns bool
	// LogonFlags of the ROP's logon; HasLogonFlags says it is known.
	LogonFlags    uint8
	HasLogonFlags bool
	// NotifyColumns resolves the columns of the table a RopNotify is about,
	// by notification handle; nil when unknown.
	NotifyColumns func(handle uint32) ([]prop.Tag, bool)

	// TagNamer names named-property tags on the ROP's logon (see
	// wire.Codec.TagNamer); nil when unknown.
	TagNamer func(tag uint32) string

	// OutputHandleIndex is set by requests that create an object.
	OutputHandleIndex int
	HasOutput         bool
}

// SetOutput records a request's OutputHandleIndex.
func (x *Ctx) SetOutput(i uint8) {
	if x != nil {
		x.OutputHandleIndex = int(i)
		x.HasOutput = true
	}
}

// Private reports whether the logon is a private-mailbox logon (LogonFlags
// bit 0x01), defaulting to true when unknown since that is what Outlook
// mostly opens.
func (x *Ctx) Private() bool {
	if x == nil || !x.HasLogonFlags {
		return true
	}
	return x.LogonFlags&0x01 != 0
}

// OutputHandle reads or writes an OutputHandleIndex field and records it.
func OutputHandle(c *wire.Codec, ctx *Ctx, p *uint8) {
	c.U8(p, "OutputHandleIndex")
	ctx.SetOutput(*p)
}

// needColumns fails a decode whose layout depends on unknown columns.
func needColumns(c *wire.Codec, ctx *Ctx, rop string) bool {
	if ctx != nil && ctx.HasColumns {
		return true
	}
	if c.Decoding() {
		c.Fail("%s: the table's column set is unknown (decode the session that set it, or give --columns)", rop)
	}
	return false
}

// Info describes one ROP id.
type Info struct {
	ID      uint8
	Name    string
	Spec    string // the specification that defines the ROP's semantics
	Section string // [MS-OXCROPS] section of the ROP
	// Request/Response construct empty structs; nil where the
	// specification defines no such direction (RopRelease has no
	// response; RopNotify, RopPending, RopBackoff, RopBufferTooSmall have
	// no request).
	Request  func() Request
	Response func() Response
	// NotOnWire marks ROPs the specification lists but says are not sent
	// over the wire; they still decode.
	NotOnWire bool
	// Context names the session context the ROP needs, if any.
	Context string
	// ReqOnly/RespOnly say that the specification defines only that
	// direction.
	ReqOnly, RespOnly bool
}

var registry [256]*Info

// register adds or completes a ROP's entry; called from init functions.
func register(in Info) {
	cur := registry[in.ID]
	if cur == nil {
		cp := in
		registry[in.ID] = &cp
		return
	}
	if in.Name != "" {
		cur.Name = in.Name
	}
	if in.Spec != "" {
		cur.Spec = in.Spec
	}
	if in.Section != "" {
		cur.Section = in.Section
	}
	if in.Request != nil {
		cur.Request = in.Request
	}
	if in.Response != nil {
		cur.Response = in.Response
	}
	if in.Context != "" {
		cur.Context = in.Context
	}
	cur.NotOnWire = cur.NotOnWire || in.NotOnWire
	cur.ReqOnly = cur.ReqOnly || in.ReqOnly
	cur.RespOnly = cur.RespOnly || in.RespOnly
}

// Lookup returns the ROP with that id.
func Lookup(id uint8) (*Info, bool) {
	in := registry[id]
	return in, in != nil
}

// Name returns the ROP's name, or "" for an unknown id.
func Name(id uint8) string {
	if in := registry[id]; in != nil {
		return in.Name
	}
	return ""
}

// ByName finds a ROP by name, with or without the "Rop" prefix,
// case-insensitively.
func ByName(name string) (*Info, bool) {
	for _, in := range registry {
		if in == nil {
			continue
		}
		if equalFold(in.Name, name) || equalFold(in.Name, "Rop"+name) {
			return in, true
		}
	}
	return nil, false
}

func equalFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if x >= 'A' && x <= 'Z' {
			x += 32
		}
		if y >= 'A' && y <= 'Z' {
			y += 32
		}
		if x != y {
			return false
		}
	}
	return true
}

// All returns every registered ROP in id order.
func All() []*Info {
	var out []*Info
	for _, in := range registry {
		if in != nil {
			out = append(out, in)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// DecodeRequest decodes one ROP request at the codec's position.
func DecodeRequest(c *wire.Codec, ctx *Ctx) (Request, error) {
	id, ok := c.Peek8()
	if !ok {
		c.Fail("truncated: no RopId")
		return nil, c.Err()
	}
	in := registry[id]
	if in == nil || in.Request == nil {
		c.Fail("unknown request RopId 0x%02X (%s): ROPs carry no length, so the rest of the buffer cannot be decoded", id, nameOr(id))
		return nil, c.Err()
	}
	r := in.Request()
	if ctx != nil && ctx.TagNamer != nil {
		prev := c.TagNamer
		c.TagNamer = ctx.TagNamer
		defer func() { c.TagNamer = prev }()
	}
	c.Begin(in.Name)
	c.SetTitle("request")
	r.Codec(c, ctx)
	c.End()
	return r, c.Err()
}

// DecodeResponse decodes one ROP response at the codec's position.
func DecodeResponse(c *wire.Codec, ctx *Ctx) (Response, error) {
	id, ok := c.Peek8()
	if !ok {
		c.Fail("truncated: no RopId")
		return nil, c.Err()
	}
	in := registry[id]
	if in == nil || in.Response == nil {
		c.Fail("unknown response RopId 0x%02X (%s): ROPs carry no length, so the rest of the buffer cannot be decoded", id, nameOr(id))
		return nil, c.Err()
	}
	r := in.Response()
	if ctx != nil && ctx.TagNamer != nil {
		prev := c.TagNamer
		c.TagNamer = ctx.TagNamer
		defer func() { c.TagNamer = prev }()
	}
	c.Begin(in.Name)
	c.SetTitle("response")
	r.Codec(c, ctx)
	c.End()
	return r, c.Err()
}

func nameOr(id uint8) string {
	if n := Name(id); n != "" {
		return n + " has no codec in this direction"
	}
	return "not a ROP of [MS-OXCROPS]"
}

// Encode appends a request or response to dst.
func Encode(dst []byte, r interface{ Codec(*wire.Codec, *Ctx) }, ctx *Ctx) ([]byte, error) {
	c := wire.NewEncoder(dst)
	if ctx == nil {
		ctx = &Ctx{}
	}
	r.Codec(c, ctx)
	if c.Failed() {
		return c.Output(), fmt.Errorf("%s", c.Anomalies()[0].Reason)
	}
	return c.Output(), nil
}

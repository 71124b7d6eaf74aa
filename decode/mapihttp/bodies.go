package mapihttp

import (
	"fmt"

	"github.com/mapiscope/mapiscope/decode/auxbuf"
	"github.com/mapiscope/mapiscope/decode/prop"
	"github.com/mapiscope/mapiscope/decode/wire"
)

// Body is a mailbox endpoint request or response body — [MS-OXCMAPIHTTP]
// 2.2.4. Its Codec method reads or writes it; response bodies take their
// success layout when StatusCode is 0 and their failure layout (StatusCode
// and the auxiliary buffer only) otherwise.
type Body interface {
	Codec(c *wire.Codec)
	// Name is the body's name for the span tree ("ExecuteRequest").
	Name() string
}

// Execute Flags — [MS-OXCMAPIHTTP] 2.2.4.2.1, the pulFlags of EcDoRpcExt2
// ([MS-OXCRPC] 3.1.4.2).
const (
	ExecuteNoCompression uint32 = 0x00000001 // do not compress the response
	ExecuteNoXorMagic    uint32 = 0x00000002 // do not obfuscate the response
	ExecuteChain         uint32 = 0x00000004 // the response may chain several RPC_HEADER_EXT blocks
)

// ExecuteFlagsSym names Execute request Flags values.
var ExecuteFlagsSym = wire.Flags(
	wire.Flag{Mask: uint64(ExecuteNoCompression), Name: "NoCompression"},
	wire.Flag{Mask: uint64(ExecuteNoXorMagic), Name: "NoXorMagic"},
	wire.Flag{Mask: uint64(ExecuteChain), Name: "Chain"},
)

func codecStatus(c *wire.Codec, v *uint32) {
	c.U32(v, "StatusCode")
	c.Hex()
}

func codecErrorCode(c *wire.Codec, v *prop.ErrorCode) {
	u := uint32(*v)
	c.U32(&u, "ErrorCode")
	c.Hex().Named(prop.ErrorSym)
	*v = prop.ErrorCode(u)
}

// reservedZero reads or writes a 4-byte field the specification reserves
// (MUST be 0), noting a nonzero value.
func reservedZero(c *wire.Codec, v *uint32, name string) {
	c.U32(v, name)
	c.Hex()
	if c.Decoding() && !c.Failed() && *v != 0 {
		c.NoteAt(c.Pos()-4, "%s is 0x%08X; it is reserved and MUST be 0", name, *v)
	}
}

// ---- Connect — 2.2.4.1 ----

// ConnectRequest — 2.2.4.1.1.
type ConnectRequest struct {
	UserDn          string // ASCII
	Flags           uint32
	DefaultCodePage uint32
	LcidSort        uint32
	LcidString      uint32
	AuxiliaryBuffer auxbuf.Buffer
}

func (*ConnectRequest) Name() string { return "ConnectRequest" }
func (r *ConnectRequest) Codec(c *wire.Codec) {
	c.String8Z(&r.UserDn, "UserDn")
	c.U32(&r.Flags, "Flags")
	c.Hex()
	c.U32(&r.DefaultCodePage, "DefaultCodePage")
	c.U32(&r.LcidSort, "LcidSort")
	c.Hex()
	c.U32(&r.LcidString, "LcidString")
	c.Hex()
	auxbuf.CodecSized(c, &r.AuxiliaryBuffer)
}

// ConnectResponse — 2.2.4.1.2 (success) and 2.2.4.1.3 (failure: only
// StatusCode and the auxiliary buffer).
type ConnectResponse struct {
	StatusCode      uint32
	ErrorCode       prop.ErrorCode
	PollsMax        uint32 // milliseconds: the maximum polling interval
	RetryCount      uint32
	RetryDelay      uint32 // milliseconds
	DnPrefix        string // ASCII
	DisplayName     string // Unicode
	AuxiliaryBuffer auxbuf.Buffer
}

func (*ConnectResponse) Name() string { return "ConnectResponse" }
func (r *ConnectResponse) Codec(c *wire.Codec) {
	codecStatus(c, &r.StatusCode)
	if r.StatusCode == 0 {
		codecErrorCode(c, &r.ErrorCode)
		c.U32(&r.PollsMax, "PollsMax")
		c.U32(&r.RetryCount, "RetryCount")
		c.U32(&r.RetryDelay, "RetryDelay")
		c.String8Z(&r.DnPrefix, "DnPrefix")
		c.UnicodeZ(&r.DisplayName, "DisplayName")
	}
	auxbuf.CodecSized(c, &r.AuxiliaryBuffer)
}

// ---- Execute — 2.2.4.2 ----

// ExecuteRequest — 2.2.4.2.1. RopBuffer is the RPC_HEADER_EXT chain
// carrying the ROP request buffer(s), as bytes.
type ExecuteRequest struct {
	Flags           uint32
	RopBuffer       []byte
	MaxRopOut       uint32
	AuxiliaryBuffer auxbuf.Buffer

	ropAt int
}

func (*ExecuteRequest) Name() string { return "ExecuteRequest" }
func (r *ExecuteRequest) Codec(c *wire.Codec) {
	c.U32(&r.Flags, "Flags")
	c.Hex().Named(ExecuteFlagsSym)
	codecRopBuffer(c, &r.RopBuffer, &r.ropAt)
	c.U32(&r.MaxRopOut, "MaxRopOut")
	auxbuf.CodecSized(c, &r.AuxiliaryBuffer)
}

// RopBufferOffset returns the absolute offset of RopBuffer (decode only).
func (r *ExecuteRequest) RopBufferOffset() int { return r.ropAt }

func codecRopBuffer(c *wire.Codec, p *[]byte, at *int) {
	c.Sized(4, "RopBufferSize", func() {
		*at = c.Offset()
		c.Rest(p, "RopBuffer")
	})
}

// ExecuteResponse — 2.2.4.2.2 (success) and 2.2.4.2.3 (failure).
type ExecuteResponse struct {
	StatusCode      uint32
	ErrorCode       prop.ErrorCode
	Flags           uint32 // reserved, 0
	RopBuffer       []byte
	AuxiliaryBuffer auxbuf.Buffer

	ropAt int
}

func (*ExecuteResponse) Name() string { return "ExecuteResponse" }
func (r *ExecuteResponse) Codec(c *wire.Codec) {
	codecStatus(c, &r.StatusCode)
	if r.StatusCode == 0 {
		codecErrorCode(c, &r.ErrorCode)
		reservedZero(c, &r.Flags, "Flags")
		codecRopBuffer(c, &r.RopBuffer, &r.ropAt)
	}
	auxbuf.CodecSized(c, &r.AuxiliaryBuffer)
}

// RopBufferOffset returns the absolute offset of RopBuffer (decode only).
func (r *ExecuteResponse) RopBufferOffset() int { return r.ropAt }

// ---- Disconnect — 2.2.4.3 ----

// DisconnectRequest — 2.2.4.3.1.
type DisconnectRequest struct {
	AuxiliaryBuffer auxbuf.Buffer
}

func (*DisconnectRequest) Name() string { return "DisconnectRequest" }
func (r *DisconnectRequest) Codec(c *wire.Codec) {
	auxbuf.CodecSized(c, &r.AuxiliaryBuffer)
}

// DisconnectResponse — 2.2.4.3.2 (success) and 2.2.4.3.3 (failure).
type DisconnectResponse struct {
	StatusCode      uint32
	ErrorCode       prop.ErrorCode
	AuxiliaryBuffer auxbuf.Buffer
}

func (*DisconnectResponse) Name() string { return "DisconnectResponse" }
func (r *DisconnectResponse) Codec(c *wire.Codec) {
	codecStatus(c, &r.StatusCode)
	if r.StatusCode == 0 {
		codecErrorCode(c, &r.ErrorCode)
	}
	auxbuf.CodecSized(c, &r.AuxiliaryBuffer)
}

// ---- NotificationWait — 2.2.4.4 ----

// NotificationWaitRequest — 2.2.4.4.1.
type NotificationWaitRequest struct {
	Flags           uint32 // reserved, 0
	AuxiliaryBuffer auxbuf.Buffer
}

func (*NotificationWaitRequest) Name() string { return "NotificationWaitRequest" }
func (r *NotificationWaitRequest) Codec(c *wire.Codec) {
	reservedZero(c, &r.Flags, "Flags")
	auxbuf.CodecSized(c, &r.AuxiliaryBuffer)
}

// NotificationWaitResponse — 2.2.4.4.2 (success) and 2.2.4.4.3 (failure).
type NotificationWaitResponse struct {
	StatusCode      uint32
	ErrorCode       prop.ErrorCode
	EventPending    uint32 // 1: an event is pending on the session context
	AuxiliaryBuffer auxbuf.Buffer
}

func (*NotificationWaitResponse) Name() string { return "NotificationWaitResponse" }
func (r *NotificationWaitResponse) Codec(c *wire.Codec) {
	codecStatus(c, &r.StatusCode)
	if r.StatusCode == 0 {
		codecErrorCode(c, &r.ErrorCode)
		c.U32(&r.EventPending, "EventPending")
		if c.Decoding() && !c.Failed() && r.EventPending > 1 {
			c.NoteAt(c.Pos()-4, "EventPending is %d; it is 0 or 1", r.EventPending)
		}
	}
	auxbuf.CodecSized(c, &r.AuxiliaryBuffer)
}

// ---- PING — 2.2.6 ----

// PingRequest is the PING request type's body, which is empty. Bytes
// found there anyway are an anomaly, kept in Extra.
type PingRequest struct {
	Extra []byte
}

func (*PingRequest) Name() string          { return "PingRequest" }
func (r *PingRequest) Codec(c *wire.Codec) { codecEmpty(c, &r.Extra) }

// PingResponse is the PING request type's response body after the
// meta-tags and additional headers, which is empty.
type PingResponse struct {
	Extra []byte
}

func (*PingResponse) Name() string          { return "PingResponse" }
func (r *PingResponse) Codec(c *wire.Codec) { codecEmpty(c, &r.Extra) }

func codecEmpty(c *wire.Codec, extra *[]byte) {
	if c.Decoding() && c.Remaining() > 0 {
		c.Note("a PING body is empty; %d bytes found", c.Remaining())
	}
	if c.Encoding() || c.Remaining() > 0 {
		c.Rest(extra, "Extra")
	}
}

// ---- by request type ----

// Failed reports a response body in its failure layout.
func Failed(b Body) bool {
	switch r := b.(type) {
	case *ConnectResponse:
		return r.StatusCode != 0
	case *ExecuteResponse:
		return r.StatusCode != 0
	case *DisconnectResponse:
		return r.StatusCode != 0
	case *NotificationWaitResponse:
		return r.StatusCode != 0
	}
	return false
}

// NewRequest returns an empty request body for a mailbox endpoint request
// type (nil for the address book types, which this package does not
// decode).
func NewRequest(t RequestType) Body {
	switch t {
	case TypeConnect:
		return &ConnectRequest{}
	case TypeExecute:
		return &ExecuteRequest{}
	case TypeDisconnect:
		return &DisconnectRequest{}
	case TypeNotificationWait:
		return &NotificationWaitRequest{}
	case TypePing:
		return &PingRequest{}
	}
	return nil
}

// NewResponse returns an empty response body for a mailbox endpoint
// request type (nil for the address book types).
func NewResponse(t RequestType) Body {
	switch t {
	case TypeConnect:
		return &ConnectResponse{}
	case TypeExecute:
		return &ExecuteResponse{}
	case TypeDisconnect:
		return &DisconnectResponse{}
	case TypeNotificationWait:
		return &NotificationWaitResponse{}
	case TypePing:
		return &PingResponse{}
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

// DecodeRequest decodes a request body of request type t.
func DecodeRequest(t RequestType, b []byte, base int, spans bool) (Body, *wire.Codec, error) {
	body := NewRequest(t)
	if body == nil {
		return nil, nil, fmt.Errorf("mapihttp: no request body codec for request type %q", t.String())
	}
	c := Decode(body, b, base, spans)
	return body, c, c.Err()
}

// DecodeResponse decodes a response body (the bytes after the meta-tags
// and additional headers) of request type t.
func DecodeResponse(t RequestType, b []byte, base int, spans bool) (Body, *wire.Codec, error) {
	body := NewResponse(t)
	if body == nil {
		return nil, nil, fmt.Errorf("mapihttp: no response body codec for request type %q", t.String())
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

package rop

import (
	"github.com/mapiscope/mapiscope/decode/wire"
)

// RequestBuffer is a ROP input buffer — [MS-OXCROPS] 2.2.1: RopSize (which
// counts itself), the ROP requests, then the ServerObjectHandleTable.
type RequestBuffer struct {
	Rops    []Request
	Ctxs    []Ctx // what each ROP recorded (its OutputHandleIndex, say)
	Handles []uint32
}

// ResponseBuffer is a ROP output buffer: RopSize, the ROP responses, the
// ServerObjectHandleTable.
type ResponseBuffer struct {
	Rops []Response
	// Pair[i] is the index in the request buffer of the request that
	// Rops[i] answers, or -1 (RopNotify, RopPending, RopBackoff,
	// RopBufferTooSmall, or a response that matches no request).
	Pair    []int
	Handles []uint32
}

// Env supplies session context while a buffer decodes, and learns from it.
// Every method may be a no-op; a nil Env decodes without context.
type Env interface {
	// BeforeRequest fills ctx before request i (RopId id, LogonId logon)
	// is decoded.
	BeforeRequest(i int, id, logon uint8, ctx *Ctx)
	// BeforeResponse fills ctx before the response to request reqIndex
	// (ctx.Request, nil when unpaired) is decoded.
	BeforeResponse(reqIndex int, ctx *Ctx)
	// AfterResponse sees each response once decoded, in order, so that
	// context changes inside one buffer (SetColumns then QueryRows on the
	// same table) take effect for the ROPs that follow.
	AfterResponse(reqIndex int, resp Response, ctx *Ctx)
}

// NoEnv decodes without session context.
type NoEnv struct{}

func (NoEnv) BeforeRequest(int, uint8, uint8, *Ctx) {}
func (NoEnv) BeforeResponse(int, *Ctx)              {}
func (NoEnv) AfterResponse(int, Response, *Ctx)     {}

// MaxHandles is the most handle-table entries a buffer may carry
// ([MS-OXCROPS] 2.2.1: at most 255 ROPs reference handles).
const MaxHandles = 256

// CodecRequestBuffer reads or writes a ROP request buffer.
func CodecRequestBuffer(c *wire.Codec, b *RequestBuffer, env Env) {
	if env == nil {
		env = NoEnv{}
	}
	if c.Encoding() {
		encodeList(c, func(c *wire.Codec) {
			for i, r := range b.Rops {
				ctx := Ctx{}
				if i < len(b.Ctxs) {
					ctx = b.Ctxs[i]
				}
				r.Codec(c, &ctx)
			}
		})
		codecHandles(c, &b.Handles)
		return
	}
	list := decodeList(c)
	if list != nil {
		for i := 0; list.Remaining() > 0 && !list.Failed(); i++ {
			var ctx Ctx
			id, _ := list.Peek8()
			logon := uint8(0)
			if in := list.Input(); list.Pos()+1 < len(in) {
				logon = in[list.Pos()+1]
			}
			env.BeforeRequest(i, id, logon, &ctx)
			r, err := DecodeRequest(list, &ctx)
			if err != nil {
				break
			}
			b.Rops = append(b.Rops, r)
			b.Ctxs = append(b.Ctxs, ctx)
		}
		c.Adopt(list)
	}
	codecHandles(c, &b.Handles)
}

// CodecResponseBuffer reads or writes a ROP response buffer. When decoding,
// req (the request buffer it answers; may be nil) pairs each response with
// its request.
func CodecResponseBuffer(c *wire.Codec, b *ResponseBuffer, req *RequestBuffer, env Env) {
	if env == nil {
		env = NoEnv{}
	}
	if c.Encoding() {
		encodeList(c, func(c *wire.Codec) {
			for i, r := range b.Rops {
				ctx := Ctx{}
				if i < len(b.Pair) && b.Pair[i] >= 0 && req != nil && b.Pair[i] < len(req.Rops) {
					ctx.Request = req.Rops[b.Pair[i]]
				}
				r.Codec(c, &ctx)
			}
		})
		codecHandles(c, &b.Handles)
		return
	}
	list := decodeList(c)
	if list != nil {
		p := pairer{req: req}
		for list.Remaining() > 0 && !list.Failed() {
			id, _ := list.Peek8()
			ri := p.next(id)
			var ctx Ctx
			if ri >= 0 {
				ctx.Request = req.Rops[ri]
			}
			env.BeforeResponse(ri, &ctx)
			r, err := DecodeResponse(list, &ctx)
			if err != nil {
				break
			}
			b.Rops = append(b.Rops, r)
			b.Pair = append(b.Pair, ri)
			env.AfterResponse(ri, r, &ctx)
			if id == 0xFF { // RopBufferTooSmall ends the list
				break
			}
		}
		c.Adopt(list)
	}
	codecHandles(c, &b.Handles)
}

// pairer walks the requests in order, skipping those with no response.
type pairer struct {
	req *RequestBuffer
	pos int
}

// Response-only ROPs that may appear among responses without a request.
func unsolicited(id uint8) bool {
	switch id {
	case 0x2A, 0x6E, 0xF9, 0xFF: // RopNotify, RopPending, RopBackoff, RopBufferTooSmall
		return true
	}
	return false
}

func (p *pairer) next(id uint8) int {
	if unsolicited(id) || p.req == nil {
		return -1
	}
	for j := p.pos; j < len(p.req.Rops); j++ {
		rid := p.req.Rops[j].Header().RopId
		in := registry[rid]
		if in != nil && in.Response == nil {
			continue // RopRelease and friends get no response
		}
		if rid == id || (rid == 0x1F && id == 0x20) {
			p.pos = j + 1
			return j
		}
		// A mismatch: the server skipped or reordered; look ahead for the
		// next request with this id before giving up.
		for k := j + 1; k < len(p.req.Rops); k++ {
			if p.req.Rops[k].Header().RopId == id {
				p.pos = k + 1
				return k
			}
		}
		return -1
	}
	// Past the last request: chained buffers repeat the last ROP.
	if n := len(p.req.Rops); n > 0 && p.req.Rops[n-1].Header().RopId == id {
		return n - 1
	}
	return -1
}

// decodeList reads RopSize and returns a sub-decoder over the ROP list, so
// that a ROP that fails to decode does not stop the handle table from
// being read. The outer codec is left after the list.
func decodeList(c *wire.Codec) *wire.Codec {
	var size uint16
	c.U16(&size, "RopSize")
	if c.Failed() {
		return nil
	}
	if size < 2 {
		c.Fail("RopSize %d is smaller than the 2 bytes of RopSize itself", size)
		return nil
	}
	n := int(size) - 2
	if n > c.Remaining() {
		c.Fail("RopSize %d exceeds the %d bytes of the buffer", size, c.Remaining()+2)
		return nil
	}
	pos := c.Pos()
	list := c.Sub(c.Input()[pos:pos+n], c.Offset(), "RopsList")
	if t := list.Tree(); t != nil {
		t.Kind = wire.KindArray
	}
	c.Advance(n)
	return list
}

// encodeList writes RopSize (counting itself) and the list.
func encodeList(c *wire.Codec, f func(*wire.Codec)) {
	sub := wire.NewEncoder(nil)
	f(sub)
	size := uint16(len(sub.Output()) + 2)
	c.U16(&size, "RopSize")
	b := sub.Output()
	c.Rest(&b, "RopsList")
	if sub.Failed() {
		c.AddAnomalies(sub.Anomalies())
		c.EncodeError("ROP list could not be encoded")
	}
}

// codecHandles reads the ServerObjectHandleTable (every remaining byte) or
// writes it.
func codecHandles(c *wire.Codec, h *[]uint32) {
	if c.Failed() {
		return
	}
	if c.Decoding() {
		rem := c.Remaining()
		n := rem / 4
		if n > MaxHandles {
			c.Note("ServerObjectHandleTable has %d entries, more than the %d a buffer can reference", n, MaxHandles)
		}
		if rem%4 != 0 {
			c.Note("ServerObjectHandleTable: %d bytes is not a whole number of 4-byte handles", rem)
		}
		*h = make([]uint32, n)
	}
	c.BeginArray("ServerObjectHandleTable")
	for i := range *h {
		c.U32(&(*h)[i], "")
		c.Hex()
	}
	c.End()
	if c.Decoding() && c.Remaining() > 0 {
		var tail []byte
		c.Rest(&tail, "TrailingBytes")
	}
}

// CodecHandleTable reads or writes a bare ServerObjectHandleTable.
func CodecHandleTable(c *wire.Codec, h *[]uint32) { codecHandles(c, h) }

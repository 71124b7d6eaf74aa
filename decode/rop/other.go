package rop

import "github.com/mapiscope/mapiscope/decode/wire"

// RopRelease request — [MS-OXCROPS] 2.2.15.3.1. It has no response.
type ReleaseRequest struct {
	RequestHeader
}

func (r *ReleaseRequest) Codec(c *wire.Codec, ctx *Ctx) { r.RequestHeader.Codec(c, 0x01) }

// BackoffRop is one entry of RopBackoff's BackoffRopData.
type BackoffRop struct {
	RopIdBackoff uint8
	Duration     uint32
}

// RopBackoff response — [MS-OXCROPS] 2.2.15.2.1. The server sends it,
// unrequested, to slow the client down.
type BackoffResponse struct {
	RopId          uint8
	LogonId        uint8
	Duration       uint32
	BackoffRopData []BackoffRop
	AdditionalData []byte
}

func (r *BackoffResponse) Header() *ResponseHeader {
	return &ResponseHeader{RopId: r.RopId}
}

func (r *BackoffResponse) Codec(c *wire.Codec, ctx *Ctx) {
	codecRopID(c, &r.RopId, 0xF9)
	c.U8(&r.LogonId, "LogonId")
	c.U32(&r.Duration, "Duration")
	c.Hex()
	n := c.Count8(len(r.BackoffRopData), 5, "BackoffRopCount")
	wire.Make(c, &r.BackoffRopData, n)
	c.BeginArray("BackoffRopData")
	for i := range r.BackoffRopData {
		e := &r.BackoffRopData[i]
		c.Begin("")
		c.U8(&e.RopIdBackoff, "RopIdBackoff")
		c.Hex().Named(ropSym)
		c.U32(&e.Duration, "Duration")
		c.Hex()
		c.End()
	}
	c.End()
	n = c.Count16(len(r.AdditionalData), 1, "AdditionalDataSize")
	c.Fixed(&r.AdditionalData, n, "AdditionalData")
}

// RopBufferTooSmall response — [MS-OXCROPS] 2.2.15.1.1. It ends the
// response list; RequestBuffers holds the request ROPs that did not run.
type BufferTooSmallResponse struct {
	RopId          uint8
	SizeNeeded     uint16
	RequestBuffers []byte
}

func (r *BufferTooSmallResponse) Header() *ResponseHeader {
	return &ResponseHeader{RopId: r.RopId}
}

func (r *BufferTooSmallResponse) Codec(c *wire.Codec, ctx *Ctx) {
	codecRopID(c, &r.RopId, 0xFF)
	c.U16(&r.SizeNeeded, "SizeNeeded")
	c.Rest(&r.RequestBuffers, "RequestBuffers")
}

func init() {
	register(Info{ID: 0x01, Section: "2.2.15.3", ReqOnly: true,
		Request: func() Request { return &ReleaseRequest{} }})
	register(Info{ID: 0xF9, Section: "2.2.15.2", RespOnly: true,
		Response: func() Response { return &BackoffResponse{} }})
	register(Info{ID: 0xFF, Section: "2.2.15.1", RespOnly: true,
		Response: func() Response { return &BufferTooSmallResponse{} }})
}

package server

import (
	"fmt"

	"github.com/mapiscope/mapiscope/decode/auxbuf"
	"github.com/mapiscope/mapiscope/decode/mapihttp"
	"github.com/mapiscope/mapiscope/decode/prop"
	"github.com/mapiscope/mapiscope/decode/rop"
	"github.com/mapiscope/mapiscope/decode/rpcext"
	"github.com/mapiscope/mapiscope/decode/wire"
	"github.com/mapiscope/mapiscope/server/store"
)

// ropFunc handles one ROP request and returns its response. It returns
// x.fail(ec) for a failure; nil means the ROP has no response.
type ropFunc func(x *execCtx, req rop.Request) rop.Response

var ropHandlers [256]ropFunc

// handle registers the handler of a ROP id; called from init functions.
func handle(id uint8, f ropFunc) {
	if ropHandlers[id] != nil {
		panic(fmt.Sprintf("server: ROP 0x%02X registered twice", id))
	}
	ropHandlers[id] = f
}

// Implemented reports whether the server handles a ROP id.
func Implemented(id uint8) bool { return ropHandlers[id] != nil || id == 0x01 }

// Limits of one Execute — [MS-OXCRPC] 3.1.4.2.1.1: each extended buffer
// carries at most 32 KB of ROP data; MaxRopOut bounds the whole chain.
const (
	blockLimit     = 0x8000
	maxRopOutLimit = 0x40000
)

// execCtx is what a ROP handler works with.
type execCtx struct {
	srv  *Server
	st   *store.Store
	em   *emsmdbSession
	user *user

	reqs    *rop.RequestBuffer
	handles []uint32 // the request's handle table, updated as objects are created
	index   int      // the ROP being handled
	ctx     *rop.Ctx // what decoding the request recorded

	// budget is how many bytes the current ROP's response may take;
	// handlers whose responses grow with the data (QueryRows, ReadStream,
	// FastTransferSourceGetBuffer) size them to fit.
	budget int
	// more is set by such a handler when it stopped for lack of room, so
	// that a chained Execute can run it again into another block.
	more bool
	// stop ends the batch after the current ROP (an unsupported ROP).
	stop bool
}

// object returns the object at a handle-table index.
func (x *execCtx) object(idx uint8) (object, prop.ErrorCode) {
	if int(idx) >= len(x.handles) {
		return nil, ecNullObject
	}
	h := x.handles[idx]
	if h == 0xFFFFFFFF {
		return nil, ecNullObject
	}
	obj, ok := x.em.handles[h]
	if !ok {
		return nil, ecNullObject
	}
	return obj, ecSuccess
}

// input returns the object the current ROP works on (its
// InputHandleIndex).
func (x *execCtx) input(req rop.Request) (object, prop.ErrorCode) {
	return x.object(req.Header().InputHandleIndex)
}

// bind gives obj a handle and stores it at a handle-table index.
func (x *execCtx) bind(idx uint8, obj object) prop.ErrorCode {
	if int(idx) >= len(x.handles) {
		return ecInvalidParam
	}
	lg := obj.logon()
	x.handles[idx] = x.em.allocHandle(lg.id, obj)
	return ecSuccess
}

// logonFor returns the logon a ROP names by its LogonId.
func (x *execCtx) logonFor(req rop.Request) (*logonObj, prop.ErrorCode) {
	lg := x.em.logons[req.Header().LogonId]
	if lg == nil {
		return nil, ecNullObject
	}
	return lg, ecSuccess
}

// fail returns the failure response of the current ROP: its response
// structure with the header alone (and whatever the ROP's failure layout
// adds, left zero).
func (x *execCtx) fail(ec prop.ErrorCode) rop.Response {
	return failResponse(x.reqs.Rops[x.index], x.ctx, ec)
}

func failResponse(req rop.Request, ctx *rop.Ctx, ec prop.ErrorCode) rop.Response {
	h := req.Header()
	in, ok := rop.Lookup(h.RopId)
	if !ok || in.Response == nil {
		return nil
	}
	resp := in.Response()
	rh := resp.Header()
	rh.RopId = h.RopId
	rh.HandleIndex = h.InputHandleIndex
	if ctx != nil && ctx.HasOutput {
		rh.HandleIndex = uint8(ctx.OutputHandleIndex)
	}
	rh.ReturnValue = ec
	return resp
}

// ok fills a response's header for the current ROP with success.
func (x *execCtx) ok(resp rop.Response) rop.Response {
	req := x.reqs.Rops[x.index]
	rh := resp.Header()
	rh.RopId = req.Header().RopId
	rh.HandleIndex = req.Header().InputHandleIndex
	if x.ctx != nil && x.ctx.HasOutput {
		rh.HandleIndex = uint8(x.ctx.OutputHandleIndex)
	}
	return resp
}

// execute answers the Execute request type — [MS-OXCMAPIHTTP] 2.2.4.2,
// [MS-OXCRPC] 3.1.4.2.
func (em *emsmdbSession) execute(body []byte) ([]byte, mapihttp.ResponseCode, error) {
	req := &mapihttp.ExecuteRequest{}
	if err := decodeBody(req, body); err != nil {
		return nil, mapihttp.CodeInvalidRequestBody, err
	}
	resp := &mapihttp.ExecuteResponse{AuxiliaryBuffer: auxbuf.Buffer{}}
	blocks, bc := rpcext.Decode(req.RopBuffer, false)
	if bc.Failed() || len(blocks) == 0 {
		resp.ErrorCode = ecRpcFormat
		return encodeBody(resp)
	}
	out, ec := em.run(req, blocks[0].Data)
	if ec != 0 {
		resp.ErrorCode = ec
		return encodeBody(resp)
	}
	resp.RopBuffer = out
	return encodeBody(resp)
}

// run executes a ROP request buffer and returns the response chain.
func (em *emsmdbSession) run(req *mapihttp.ExecuteRequest, in []byte) ([]byte, prop.ErrorCode) {
	var rb rop.RequestBuffer
	dc := wire.NewDecoder(in, false, "ROP request buffer")
	rop.CodecRequestBuffer(dc, &rb, nil)
	badAt := -1
	if dc.Failed() {
		if len(rb.Handles) == 0 {
			return nil, ecRpcFormat
		}
		badAt = len(rb.Rops)
	}
	maxOut := int(req.MaxRopOut)
	if maxOut <= 0 || maxOut > maxRopOutLimit {
		maxOut = maxRopOutLimit
	}
	flags := uint16(rpcext.FlagCompressed | rpcext.FlagXorMagic)
	if req.Flags&mapihttp.ExecuteNoCompression != 0 {
		flags &^= rpcext.FlagCompressed
	}
	if req.Flags&mapihttp.ExecuteNoXorMagic != 0 {
		flags &^= rpcext.FlagXorMagic
	}
	chain := req.Flags&mapihttp.ExecuteChain != 0

	handles := append([]uint32(nil), rb.Handles...)
	x := &execCtx{srv: em.srv, st: em.srv.st, em: em, user: em.ss.user, reqs: &rb, handles: handles}
	tableSize := 4 * len(handles)
	limit := min(blockLimit, maxOut-rpcext.HeaderSize) - 2 - tableSize
	if limit < 0 {
		return nil, ecBufferTooSmall
	}
	var payload []byte // the ROP responses of the first block
	lastRerun := -1
	tooSmall := false
	for i := 0; i < len(rb.Rops); i++ {
		r := rb.Rops[i]
		id := r.Header().RopId
		if id == 0x01 { // RopRelease: no response
			if h := r.Header().InputHandleIndex; int(h) < len(handles) {
				em.releaseHandle(handles[h])
			}
			continue
		}
		x.index, x.ctx, x.more, x.stop = i, &rb.Ctxs[i], false, false
		x.budget = limit - len(payload)
		resp := em.dispatch(x, r)
		if resp == nil {
			continue
		}
		b, err := rop.Encode(nil, resp, &rop.Ctx{Request: r})
		if err != nil {
			em.srv.log.Error("ROP response does not encode", "rop", rop.Name(id), "err", err)
			b, _ = rop.Encode(nil, failResponse(r, x.ctx, ecError), &rop.Ctx{Request: r})
		}
		if len(payload)+len(b) > limit {
			// RopBufferTooSmall — [MS-OXCROPS] 2.2.15.1: how much room the
			// response needs and the requests not yet processed.
			rest, _ := encodeRequests(rb.Rops[i:], rb.Ctxs[i:])
			need := len(b) + 2 + tableSize
			if need > 0xFFFF {
				need = 0xFFFF
			}
			bts := &rop.BufferTooSmallResponse{RopId: 0xFF, SizeNeeded: uint16(need), RequestBuffers: rest}
			tb, err := rop.Encode(nil, bts, nil)
			if err == nil && len(payload)+len(tb) <= limit {
				payload = append(payload, tb...)
			}
			tooSmall = true
			break
		}
		payload = append(payload, b...)
		if x.stop {
			break
		}
		if x.more && i == len(rb.Rops)-1 && chainable(id) {
			lastRerun = i
		}
	}
	if badAt >= 0 && badAt < 256 && !tooSmall {
		// The request that failed to decode: an error response for its id
		// when the id is known, and the batch ends there.
		if b, ok := undecodable(in, dc, badAt); ok && len(payload)+len(b) <= limit {
			payload = append(payload, b...)
		}
	}
	// Pending notifications go after the ROP responses, then RopPending
	// when some did not fit — [MS-OXCNOTIF] 3.2.5.
	// Nothing may follow RopBufferTooSmall: its RequestBuffers run to the
	// end of the buffer.
	if room := limit - len(payload) - 3; !tooSmall && room >= 0 {
		notes, more := em.takePending(room)
		for _, n := range notes {
			payload = append(payload, n...)
		}
		if more || (len(notes) == 0 && em.hasPending()) {
			if pb, err := rop.Encode(nil, &rop.PendingResponse{RopId: 0x6E}, nil); err == nil {
				payload = append(payload, pb...)
			}
		}
	}
	bufs := [][]byte{ropBuffer(payload, handles)}
	// Chaining — [MS-OXCRPC] 3.1.4.2.1.1: re-run the last ROP into more
	// blocks while it has more to give and MaxRopOut has room.
	used := rpcext.HeaderSize + len(bufs[0])
	for chain && lastRerun >= 0 {
		room := min(blockLimit, maxOut-used-rpcext.HeaderSize) - 2 - tableSize
		if room < 64 {
			break
		}
		r := rb.Rops[lastRerun]
		x.index, x.ctx, x.more, x.stop = lastRerun, &rb.Ctxs[lastRerun], false, false
		x.budget = room
		resp := em.dispatch(x, r)
		if resp == nil || resp.Header().ReturnValue != 0 {
			break
		}
		b, err := rop.Encode(nil, resp, &rop.Ctx{Request: r})
		if err != nil || len(b) > room {
			break
		}
		buf := ropBuffer(b, handles)
		bufs = append(bufs, buf)
		used += rpcext.HeaderSize + len(buf)
		if !x.more {
			break
		}
	}
	var chainOut []byte
	for i, b := range bufs {
		f := flags
		if len(b) < compressMin {
			f &^= rpcext.FlagCompressed
		}
		blk := rpcext.Build(b, f, i == len(bufs)-1)
		var err error
		chainOut, err = rpcext.Append(chainOut, []rpcext.Block{blk})
		if err != nil {
			return nil, ecError
		}
	}
	return chainOut, 0
}

// compressMin is the smallest payload worth compressing: LZ77 gains
// nothing on a few hundred bytes of ROP responses, and the specification
// lets the server choose ([MS-OXCRPC] 3.1.4.2.1.1).
const compressMin = 1024

// chainable reports the ROPs whose responses a server may spread over
// chained blocks.
func chainable(id uint8) bool { return id == 0x15 || id == 0x2C || id == 0x4E }

// ropBuffer frames responses as a ROP output buffer: RopSize, the
// responses, the handle table — [MS-OXCROPS] 2.2.1.
func ropBuffer(payload []byte, handles []uint32) []byte {
	out := make([]byte, 0, 2+len(payload)+4*len(handles))
	n := 2 + len(payload)
	out = append(out, byte(n), byte(n>>8))
	out = append(out, payload...)
	for _, h := range handles {
		out = append(out, byte(h), byte(h>>8), byte(h>>16), byte(h>>24))
	}
	return out
}

func encodeRequests(rs []rop.Request, ctxs []rop.Ctx) ([]byte, error) {
	var out []byte
	for i, r := range rs {
		var err error
		ctx := ctxs[i]
		out, err = rop.Encode(out, r, &ctx)
		if err != nil {
			return out, err
		}
	}
	return out, nil
}

// undecodable answers the request that failed to decode: an error
// response in the layout of its ROP when the id is a known ROP with a
// response, ending the batch.
func undecodable(in []byte, dc *wire.Codec, n int) ([]byte, bool) {
	// Find the failing ROP's first bytes: re-decode the list up to it.
	var rb rop.RequestBuffer
	c := wire.NewDecoder(in, false, "ROP request buffer")
	rop.CodecRequestBuffer(c, &rb, nil)
	_ = dc
	pos := 2
	for i := range rb.Rops {
		b, err := encodeRequests(rb.Rops[i:i+1], rb.Ctxs[i:i+1])
		if err != nil {
			return nil, false
		}
		pos += len(b)
	}
	if pos+3 > len(in) {
		return nil, false
	}
	id, handle := in[pos], in[pos+2]
	info, ok := rop.Lookup(id)
	if !ok || info.Response == nil {
		return nil, false
	}
	resp := info.Response()
	h := resp.Header()
	h.RopId, h.HandleIndex, h.ReturnValue = id, handle, ecRpcFormat
	b, err := rop.Encode(nil, resp, nil)
	return b, err == nil
}

// dispatch runs the handler of a ROP, answering ecNotSupported (and
// ending the batch) for a ROP the server does not implement.
func (em *emsmdbSession) dispatch(x *execCtx, r rop.Request) (resp rop.Response) {
	id := r.Header().RopId
	f := ropHandlers[id]
	if f == nil {
		x.stop = true
		return x.fail(ecNotSupported)
	}
	defer func() {
		if p := recover(); p != nil {
			em.srv.log.Error("ROP handler panic", "rop", rop.Name(id), "panic", p)
			resp = x.fail(ecError)
		}
	}()
	resp = f(x, r)
	if resp != nil && em.srv.cfg.RopHook != nil {
		em.srv.cfg.RopHook(em.ss.user.mb.Email, r, resp)
	}
	return resp
}

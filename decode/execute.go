package decode

import (
	"github.com/mapiscope/mapiscope/decode/mapihttp"
	"github.com/mapiscope/mapiscope/decode/rpcext"
	"github.com/mapiscope/mapiscope/decode/wire"
)

// ExecuteResult is one Execute exchange decoded in its session: the
// MAPI/HTTP bodies, their RPC_HEADER_EXT blocks and the paired ROPs.
type ExecuteResult struct {
	Request    *mapihttp.ExecuteRequest
	Response   *mapihttp.ExecuteResponse // nil without a response body
	ReqBlocks  []rpcext.Block
	RespBlocks []rpcext.Block
	// Buffers holds the ROPs, paired; nil when the request's ROP buffer
	// could not be reached.
	Buffers *Buffers
	// ReqTree and RespTree are the whole bodies as span trees, the ROP
	// buffers nested under their RPC_HEADER_EXT blocks (spans only).
	ReqTree, RespTree *wire.Node
	Anomalies         []wire.Anomaly
}

// Pairs returns the paired ROPs (nil when there are none).
func (r *ExecuteResult) Pairs() []RopPair {
	if r.Buffers == nil {
		return nil
	}
	return r.Buffers.Pairs
}

// Execute decodes an Execute request body and, when given, its response
// body (the binary body after the meta-tags) in the session's context,
// and updates the context.
func (s *Session) Execute(reqBody, respBody []byte, spans bool) *ExecuteResult {
	out := &ExecuteResult{}
	req := &mapihttp.ExecuteRequest{}
	rc := mapihttp.Decode(req, reqBody, 0, spans)
	out.Request, out.ReqTree = req, rc.Tree()
	out.Anomalies = append(out.Anomalies, rc.Anomalies()...)

	var reqData []byte
	reqBase := 0
	var reqBlockNodes []*wire.Node
	if req.RopBuffer != nil {
		blocks, nodes, an := chain(req.RopBuffer, req.RopBufferOffset(), spans, out.ReqTree)
		out.ReqBlocks, reqBlockNodes = blocks, nodes
		out.Anomalies = append(out.Anomalies, an...)
		if len(blocks) > 0 {
			reqData = blocks[0].Data
			if blocks[0].InWire() {
				reqBase = blocks[0].PayloadOffset()
			}
			if len(blocks) > 1 {
				out.Anomalies = append(out.Anomalies, wire.Anomaly{Offset: blocks[1].Offset,
					Reason: "Execute request carries more than one RPC_HEADER_EXT block; only the first holds the ROP request buffer"})
			}
		}
	}

	var respData [][]byte
	var respBases []int
	var respBlockNodes []*wire.Node
	if respBody != nil {
		resp := &mapihttp.ExecuteResponse{}
		pc := mapihttp.Decode(resp, respBody, 0, spans)
		out.Response, out.RespTree = resp, pc.Tree()
		out.Anomalies = append(out.Anomalies, pc.Anomalies()...)
		if resp.StatusCode == 0 && resp.RopBuffer != nil {
			blocks, nodes, an := chain(resp.RopBuffer, resp.RopBufferOffset(), spans, out.RespTree)
			out.RespBlocks, respBlockNodes = blocks, nodes
			out.Anomalies = append(out.Anomalies, an...)
			for _, b := range blocks {
				respData = append(respData, b.Data)
				base := 0
				if b.InWire() {
					base = b.PayloadOffset()
				}
				respBases = append(respBases, base)
			}
		}
	}

	if reqData == nil {
		return out
	}
	bufs := s.RopBuffers(reqData, reqBase, respData, respBases, spans)
	out.Buffers = bufs
	out.Anomalies = append(out.Anomalies, bufs.Anomalies...)
	if spans {
		attach(reqBlockNodes, 0, bufs.ReqTree, out.ReqBlocks)
		for i, t := range bufs.RespTrees {
			attach(respBlockNodes, i, t, out.RespBlocks)
		}
	}
	return out
}

// chain decodes the RPC_HEADER_EXT blocks of a RopBuffer field found at
// absolute offset base, and puts their span tree in place of the
// RopBuffer leaf of the body tree.
func chain(b []byte, base int, spans bool, body *wire.Node) ([]rpcext.Block, []*wire.Node, []wire.Anomaly) {
	c := wire.NewDecoder(b, spans, "RopBuffer")
	c.SetBase(base)
	var blocks []rpcext.Block
	rpcext.CodecChain(c, &blocks)
	var nodes []*wire.Node
	if t := c.Tree(); t != nil && body != nil {
		t.Off, t.Len = base, len(b)
		if bl := t.Child("Blocks"); bl != nil {
			nodes = bl.Children
		}
		for i, ch := range body.Children {
			if ch.Name == "RopBuffer" && ch.Kind == wire.KindValue {
				body.Children[i] = t
				break
			}
		}
	}
	return blocks, nodes, c.Anomalies()
}

// attach hangs a decoded ROP buffer under block i of a chain. A buffer
// read from a compressed or obfuscated payload carries the decoded bytes
// its offsets refer to.
func attach(blockNodes []*wire.Node, i int, t *wire.Node, blocks []rpcext.Block) {
	if t == nil || i >= len(blockNodes) || i >= len(blocks) {
		return
	}
	t.Name = "RopBuffer"
	bn := blockNodes[i]
	if !blocks[i].InWire() {
		// Offsets count from the start of the decoded data, not the wire.
		t.Data = blocks[i].Data
		t.Derived = true
		bn.Children = append(bn.Children, t)
		return
	}
	// The payload is the ROP buffer itself: show the buffer in its place.
	for k, ch := range bn.Children {
		if ch.Name == "Payload" && ch.Kind == wire.KindValue {
			bn.Children[k] = t
			return
		}
	}
	bn.Children = append(bn.Children, t)
}

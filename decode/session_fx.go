package decode

import (
	"fmt"

	"github.com/mapiscope/mapiscope/decode/fxics"
	"github.com/mapiscope/mapiscope/decode/prop"
	"github.com/mapiscope/mapiscope/decode/rop"
	"github.com/mapiscope/mapiscope/decode/wire"
)

// FastTransfer streams and ICS state ride on their context objects: each
// download or upload context keeps a streaming decoder that the
// RopFastTransferSourceGetBuffer responses (or the PutBuffer requests) of
// that handle feed in order, across RPC_HEADER_EXT blocks and Execute
// requests, so that a value split between two buffers decodes whole. The
// decoder keeps only the element being built: completed elements are
// handed to the ROP that completed them and dropped.

// maxStateStream bounds an uploaded ICS state stream (IDSETs of a big
// mailbox are a few hundred kilobytes).
const maxStateStream = 64 << 20

// fxState is the stream context of an object.
type fxState struct {
	dec       *fxics.Decoder
	anomalies int // anomalies already reported
	closed    bool
	// State upload (RopSynchronizationUploadStateStreamBegin … End).
	stateTag  prop.Tag
	stateBuf  []byte
	stateOpen bool
}

// StreamResult is what one ROP contributed to a FastTransfer stream or an
// ICS state upload.
type StreamResult struct {
	// Elements completed by this buffer (top-level children of the
	// stream's root, and the root itself once it ends).
	Elements []*fxics.Element
	// Node shows them; its offsets are stream offsets.
	Node *wire.Node
	// State is the IDSET a RopSynchronizationUploadStateStreamEnd closed.
	State    fxics.IDSet
	StateTag prop.Tag
	// Offset is how many stream bytes the context had seen after this ROP.
	Offset int64
}

// fxRoot says what a FastTransfer context's stream holds, from the ROP
// that created it and the object it works on.
func fxRoot(req rop.Request, parent *Object) (fxics.Root, bool) {
	switch r := req.(type) {
	case *rop.SynchronizationConfigureRequest:
		switch r.SynchronizationType {
		case 0x01:
			return fxics.RootContentsSync, true
		case 0x02:
			return fxics.RootHierarchySync, true
		}
		return fxics.RootUnknown, true
	case *rop.SynchronizationGetTransferStateRequest:
		return fxics.RootState, true
	case *rop.FastTransferSourceCopyMessagesRequest:
		return fxics.RootMessageList, true
	case *rop.FastTransferSourceCopyFolderRequest:
		return fxics.RootTopFolder, true
	case *rop.FastTransferSourceCopyToRequest, *rop.FastTransferSourceCopyPropertiesRequest:
		return contentRoot(parent), true
	case *rop.FastTransferDestinationConfigureRequest:
		switch r.SourceOperation {
		case 0x03:
			return fxics.RootMessageList, true
		case 0x04:
			return fxics.RootTopFolder, true
		}
		return contentRoot(parent), true
	}
	return 0, false
}

func contentRoot(o *Object) fxics.Root {
	if o == nil {
		return fxics.RootUnknown
	}
	switch o.Kind {
	case KindFolder:
		return fxics.RootFolderContent
	case KindMessage:
		return fxics.RootMessageContent
	case KindAttachment:
		return fxics.RootAttachmentContent
	}
	return fxics.RootUnknown
}

// startStream gives a new context object its stream decoder.
func startStream(o *Object, req rop.Request, parent *Object) {
	if root, ok := fxRoot(req, parent); ok {
		o.fx = &fxState{dec: fxics.NewDecoder(fxics.Options{Root: root, Discard: true})}
	} else if _, ok := req.(*rop.SynchronizationOpenCollectorRequest); ok {
		o.fx = &fxState{}
	}
}

// streamROP feeds the stream ROPs to their context: GetBuffer responses,
// PutBuffer requests, and the state upload ROPs. It runs for every
// response, chained ones included, before the success check, since a
// GetBuffer carries stream bytes whatever else happened.
func (e *sessionEnv) streamROP(req rop.Request, resp rop.Response, in *Object) {
	if in == nil || in.fx == nil {
		return
	}
	fx := in.fx
	var res *StreamResult
	switch r := req.(type) {
	case *rop.FastTransferSourceGetBufferRequest:
		a, ok := resp.(*rop.FastTransferSourceGetBufferResponse)
		if !ok || a.ReturnValue != 0 || fx.dec == nil || fx.closed {
			return
		}
		fx.dec.Feed(a.TransferBuffer)
		if a.TransferStatus == 0x0003 || a.TransferStatus == 0x0000 {
			fx.dec.Close()
			fx.closed = true
		}
		res = e.collect(fx)
	case *rop.FastTransferDestinationPutBufferRequest:
		res = e.feedUpload(fx, r.TransferData)
	case *rop.FastTransferDestinationPutBufferExtendedRequest:
		res = e.feedUpload(fx, r.TransferData)
	case *rop.SynchronizationUploadStateStreamBeginRequest:
		fx.stateTag, fx.stateBuf, fx.stateOpen = r.StateProperty, fx.stateBuf[:0], true
	case *rop.SynchronizationUploadStateStreamContinueRequest:
		if fx.stateOpen {
			if len(fx.stateBuf)+len(r.StreamData) > maxStateStream {
				e.streamAnomalies = append(e.streamAnomalies, wire.Anomaly{Reason: fmt.Sprintf("ICS state stream larger than %d bytes; the rest is not decoded", maxStateStream)})
				fx.stateOpen = false
				return
			}
			fx.stateBuf = append(fx.stateBuf, r.StreamData...)
		}
	case *rop.SynchronizationUploadStateStreamEndRequest:
		if !fx.stateOpen {
			return
		}
		fx.stateOpen = false
		set, _, node, an := fxics.DecodeIDSetNode(fx.stateBuf, fxics.FormREPLGUID, 0, e.spans)
		for _, a := range an {
			a.Reason = fmt.Sprintf("uploaded %s: %s", fx.stateTag.Name(), a.Reason)
			e.streamAnomalies = append(e.streamAnomalies, a)
		}
		res = &StreamResult{State: set, StateTag: fx.stateTag}
		if node != nil {
			node.Name = "UploadedState"
			node.Sym = fx.stateTag.Name()
			node.Derived = true
			node.Data = append([]byte(nil), fx.stateBuf...)
			res.Node = node
		}
		fx.stateBuf = nil
	}
	if res != nil {
		if e.streams == nil {
			e.streams = map[rop.Response]*StreamResult{}
		}
		e.streams[resp] = res
	}
}

// feedUpload feeds PutBuffer data to an upload context.
func (e *sessionEnv) feedUpload(fx *fxState, data []byte) *StreamResult {
	if fx.dec == nil || fx.closed {
		return nil
	}
	fx.dec.Feed(data)
	return e.collect(fx)
}

// collect takes what the decoder completed and its new anomalies.
func (e *sessionEnv) collect(fx *fxState) *StreamResult {
	res := &StreamResult{Elements: fx.dec.Completed(), Offset: fx.dec.Offset()}
	an := fx.dec.Anomalies()
	if len(an) > fx.anomalies {
		for _, a := range an[fx.anomalies:] {
			a.Reason = "FastTransfer stream: " + a.Reason
			e.streamAnomalies = append(e.streamAnomalies, a)
		}
		fx.anomalies = len(an)
	}
	if len(res.Elements) > 0 && e.spans {
		n := &wire.Node{Name: "FastTransferStream", Kind: wire.KindArray, Derived: true}
		for _, el := range res.Elements {
			if el == nil {
				continue
			}
			if en := el.Node(); en != nil {
				n.Children = append(n.Children, en)
			}
		}
		if len(n.Children) > 0 {
			n.Off = int(res.Elements[0].Off)
			last := res.Elements[len(res.Elements)-1]
			n.Len = int(last.Off+last.Len) - n.Off
			res.Node = n
		}
	}
	return res
}

// attachStream hangs a ROP's stream result under its node, so that the
// trace and the TUI show FastTransfer content as its grammar: under the
// response for downloads, under the request for uploads.
func attachStream(p *RopPair, res *StreamResult) {
	p.Stream = res
	if res.Node == nil {
		return
	}
	target := p.RespNode
	switch p.Request.(type) {
	case *rop.FastTransferDestinationPutBufferRequest, *rop.FastTransferDestinationPutBufferExtendedRequest,
		*rop.SynchronizationUploadStateStreamEndRequest:
		target = p.ReqNode
	}
	if target == nil {
		target = p.ReqNode
	}
	if target != nil {
		target.Children = append(target.Children, res.Node)
	}
}

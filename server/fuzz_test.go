package server

import (
	"testing"

	"github.com/mapiscope/mapiscope/decode/auxbuf"
	"github.com/mapiscope/mapiscope/decode/mapihttp"
	"github.com/mapiscope/mapiscope/decode/rop"
	"github.com/mapiscope/mapiscope/decode/rpcext"
	"github.com/mapiscope/mapiscope/decode/wire"
)

// FuzzExecute feeds Execute request bodies to a logged-on session: any
// input gets an answer (an error response at worst), never a panic, and
// the session stays usable.
func FuzzExecute(f *testing.F) {
	h := newHarness(f)
	c := h.connect(alice)
	c.logon()
	ss := h.srv.session(c.cookies[cookieContext], endpointEmsmdb)
	em := ss.em
	seed := func(rops []rop.Request, handles []uint32) []byte {
		enc := wire.NewEncoder(nil)
		rop.CodecRequestBuffer(enc, &rop.RequestBuffer{Rops: rops, Handles: handles}, nil)
		chain, _ := rpcext.Append(nil, []rpcext.Block{rpcext.Build(enc.Output(), 0, true)})
		c := wire.NewEncoder(nil)
		(&mapihttp.ExecuteRequest{RopBuffer: chain, MaxRopOut: 0x10008, AuxiliaryBuffer: auxbuf.Buffer{}}).Codec(c)
		return c.Output()
	}
	f.Add(seed([]rop.Request{&rop.GetReceiveFolderTableRequest{RequestHeader: hdr(0x68, 0)}}, []uint32{0}))
	f.Add(seed([]rop.Request{
		&rop.OpenFolderRequest{RequestHeader: hdr(0x02, 0), OutputHandleIndex: 1, FolderId: c.fids[4]},
		&rop.GetContentsTableRequest{RequestHeader: hdr(0x05, 1), OutputHandleIndex: 2},
		&rop.QueryRowsRequest{RequestHeader: hdr(0x15, 2), ForwardRead: true, RowCount: 10},
	}, []uint32{0, 0xFFFFFFFF, 0xFFFFFFFF}))
	f.Add([]byte{0, 0, 0, 0, 8, 0, 0, 0})
	f.Fuzz(func(t *testing.T, body []byte) {
		out, code, _ := em.execute(body)
		if code == 0 && len(out) == 0 {
			t.Fatal("no body and no error")
		}
		if code == 0 {
			resp := &mapihttp.ExecuteResponse{}
			if dc := mapihttp.Decode(resp, out, 0, false); dc.Failed() {
				t.Fatalf("response does not decode: %v", dc.Anomalies())
			}
		}
	})
}

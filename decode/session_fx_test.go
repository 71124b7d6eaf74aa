package decode

import (
	"strings"
	"testing"

	"github.com/mapiscope/mapiscope/decode/fxics"
	"github.com/mapiscope/mapiscope/decode/prop"
	"github.com/mapiscope/mapiscope/decode/rop"
)

// hierarchyStream builds a hierarchySync stream: two folder changes (one
// with a long display name, so that a buffer boundary can fall inside the
// value) and the final state.
func hierarchyStream(t *testing.T) []byte {
	t.Helper()
	guid, _ := prop.ParseGUIDString("3bd3a3d3-7f2d-4b67-9d3a-2a6d1b8e0c11")
	sk := func(n uint64) []byte { return fxics.NewXID(prop.GUID(guid), n).Bytes() }
	long := strings.Repeat("Projects and archives ", 40)
	given := fxics.IDSet{{ReplGUID: prop.GUID(guid), HasGUID: true, Ranges: []fxics.Range{{Low: 1, High: 2}}}}
	seen := fxics.IDSet{{ReplGUID: prop.GUID(guid), HasGUID: true, Ranges: []fxics.Range{{Low: 1, High: 9}}}}
	root := fxics.E(fxics.KindHierarchySync,
		fxics.FolderChangeElement(
			fxics.P(0x0E090102, sk(0)), fxics.P(0x65E00102, sk(1)),
			fxics.P(0x3001001F, "Inbox"), fxics.P(0x6748_0014, int64(prop.MakeID(1, 1)))),
		fxics.FolderChangeElement(
			fxics.P(0x0E090102, sk(1)), fxics.P(0x65E00102, sk(2)),
			fxics.P(0x3001001F, long), fxics.P(0x6748_0014, int64(prop.MakeID(1, 2)))),
		fxics.ICSState{CnsetSeen: &seen, IdsetGiven: &given}.Element(),
		fxics.M(fxics.IncrSyncEnd))
	b, err := fxics.Encode(root)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// A FastTransfer stream returned in pieces — the first in one Execute, the
// rest in the next one, split again over a chained RPC_HEADER_EXT block —
// decodes as one stream, even with a value cut in the middle.
func TestSessionFastTransferAcrossExecutes(t *testing.T) {
	sc := sessionScript{t}
	s := NewSession()
	logonExchange(t, s, sc, 0x100)
	stream := hierarchyStream(t)
	cut1 := len(stream) / 3     // inside the first folder change or so
	cut2 := len(stream) * 2 / 3 // inside the long display name
	if cut2-cut1 < 10 {
		t.Fatal("stream too short for the test")
	}

	// Execute A: open the IPM subtree, configure a hierarchy sync, upload an
	// empty state, read the first piece.
	open := &rop.OpenFolderRequest{RequestHeader: hdr(0x02, 0, 0), OutputHandleIndex: 1, FolderId: prop.MakeID(1, 4)}
	conf := &rop.SynchronizationConfigureRequest{RequestHeader: hdr(0x70, 0, 1), OutputHandleIndex: 2,
		SynchronizationType: 0x02, SendOptions: 0x01, SynchronizationFlags: 0x0101}
	begin := &rop.SynchronizationUploadStateStreamBeginRequest{RequestHeader: hdr(0x75, 0, 2), StateProperty: 0x67960102}
	cont := &rop.SynchronizationUploadStateStreamContinueRequest{RequestHeader: hdr(0x76, 0, 2),
		StreamData: fxics.IDSet{{ReplGUID: prop.GUID{1}, HasGUID: true, Ranges: []fxics.Range{{Low: 1, High: 5}}}}.Encode(true)}
	end := &rop.SynchronizationUploadStateStreamEndRequest{RequestHeader: hdr(0x77, 0, 2)}
	get := &rop.FastTransferSourceGetBufferRequest{RequestHeader: hdr(0x4E, 0, 2), BufferSize: 0xBABE, MaximumBufferSize: 0x7BC0}
	reqs := []rop.Request{open, conf, begin, cont, end, get}
	b := s.RopBuffers(sc.reqBuf([]uint32{0x100, none, none}, reqs...), 0,
		[][]byte{sc.respBuf([]uint32{0x100, 0x200, 0x300}, nil, reqs,
			&rop.OpenFolderResponse{ResponseHeader: ok(0x02, 1)},
			&rop.SynchronizationConfigureResponse{ResponseHeader: ok(0x70, 2)},
			&rop.SynchronizationUploadStateStreamBeginResponse{ResponseHeader: ok(0x75, 2)},
			&rop.SynchronizationUploadStateStreamContinueResponse{ResponseHeader: ok(0x76, 2)},
			&rop.SynchronizationUploadStateStreamEndResponse{ResponseHeader: ok(0x77, 2)},
			&rop.FastTransferSourceGetBufferResponse{ResponseHeader: ok(0x4E, 2), TransferStatus: 0x0001, TransferBuffer: stream[:cut1]})},
		nil, true)
	if len(b.Anomalies) != 0 {
		t.Fatalf("execute A: %v", b.Anomalies)
	}
	if st := b.Pairs[4].Stream; st == nil || st.StateTag != 0x67960102 || !st.State.ContainsGUID(prop.GUID{1}, 3) {
		t.Fatalf("uploaded CnsetSeen not decoded: %+v", b.Pairs[4].Stream)
	}
	var got []*fxics.Element
	if st := b.Pairs[5].Stream; st != nil {
		got = append(got, st.Elements...)
	}

	// Execute B: GetBuffer again; the server answers in two blocks.
	get2 := &rop.FastTransferSourceGetBufferRequest{RequestHeader: hdr(0x4E, 0, 0), BufferSize: 0xBABE, MaximumBufferSize: 0x7BC0}
	blk1 := sc.respBuf([]uint32{0x300}, nil, []rop.Request{get2},
		&rop.FastTransferSourceGetBufferResponse{ResponseHeader: ok(0x4E, 0), TransferStatus: 0x0001, TransferBuffer: stream[cut1:cut2]})
	blk2 := sc.respBuf([]uint32{0x300}, nil, []rop.Request{get2},
		&rop.FastTransferSourceGetBufferResponse{ResponseHeader: ok(0x4E, 0), TransferStatus: 0x0003, TransferBuffer: stream[cut2:]})
	b = s.RopBuffers(sc.reqBuf([]uint32{0x300}, get2), 0, [][]byte{blk1, blk2}, nil, true)
	if len(b.Anomalies) != 0 {
		t.Fatalf("execute B: %v", b.Anomalies)
	}
	if len(b.Pairs) != 2 || !b.Pairs[1].Chained {
		t.Fatalf("chained GetBuffer not listed: %+v", b.Pairs)
	}
	for _, p := range b.Pairs {
		if p.Stream != nil {
			got = append(got, p.Stream.Elements...)
		}
	}
	var kinds []string
	var names []string
	for _, e := range got {
		kinds = append(kinds, e.Kind.String())
		if e.Kind == fxics.KindFolderChange {
			var walk func(*fxics.Element)
			walk = func(x *fxics.Element) {
				if x.Atom != nil && x.Atom.Tag == 0x3001001F {
					v, _ := x.Atom.Value()
					names = append(names, v.(string))
				}
				for _, ch := range x.Children {
					walk(ch)
				}
			}
			walk(e)
		}
	}
	if strings.Join(kinds, ",") != "folderChange,folderChange,state,hierarchySync" {
		t.Fatalf("elements: %v", kinds)
	}
	if len(names) != 2 || names[0] != "Inbox" || !strings.HasPrefix(names[1], "Projects and archives") || len(names[1]) != 40*22 {
		t.Fatalf("display names: %q", names)
	}
	// The stream shows under the response that completed it.
	if !strings.Contains(b.RespTrees[1].Text(), "hierarchySync") {
		t.Fatalf("stream not in the response tree:\n%s", b.RespTrees[1].Text())
	}
}

package decode

import (
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/mapiscope/mapiscope/decode/fxics"
	"github.com/mapiscope/mapiscope/decode/mapihttp"
	"github.com/mapiscope/mapiscope/decode/prop"
	"github.com/mapiscope/mapiscope/decode/rop"
	"github.com/mapiscope/mapiscope/decode/rpcext"
	"github.com/mapiscope/mapiscope/decode/wire"
)

// benchColumns is a typical Outlook contents-table column set.
var benchColumns = []prop.Tag{
	0x674A0014, // PidTagMid
	0x0037001F, // PidTagSubject
	0x0C1A001F, // PidTagSenderName
	0x0E060040, // PidTagMessageDeliveryTime
	0x0E080003, // PidTagMessageSize
	0x0E070003, // PidTagMessageFlags
	0x001A001F, // PidTagMessageClass
	0x65E00102, // PidTagSourceKey
	0x65E20102, // PidTagChangeKey
	0x0E1B000B, // PidTagHasAttachments
}

func benchRow(i int) prop.Row {
	sk := make([]byte, 22)
	sk[21] = byte(i)
	ck := make([]byte, 20)
	ck[19] = byte(i)
	return prop.Row{Values: []any{
		int64(prop.MakeID(1, uint64(0x10000+i))),
		fmt.Sprintf("Re: status report for the week %d — numbers and next steps", i),
		"Alice Example",
		prop.Filetime(134090000000000000 + uint64(i)*1e9),
		int32(4096 + i),
		int32(1),
		"IPM.Note",
		sk, ck, i%3 == 0,
	}}
}

// benchExecute builds one typical Execute exchange: a request buffer
// opening a folder, its contents table, setting columns, sorting and
// reading rows, and a response with the given number of rows. The
// response is uncompressed, as Exchange sends it for table reads.
func benchExecute(b testing.TB, rows int) (req, resp []byte) {
	open := &rop.OpenFolderRequest{RequestHeader: hdr(0x02, 0, 0), OutputHandleIndex: 1, FolderId: inboxID}
	getct := &rop.GetContentsTableRequest{RequestHeader: hdr(0x05, 0, 1), OutputHandleIndex: 2}
	setcol := &rop.SetColumnsRequest{RequestHeader: hdr(0x12, 0, 2), PropertyTags: benchColumns}
	sortt := &rop.SortTableRequest{RequestHeader: hdr(0x13, 0, 2), SortOrders: []prop.SortOrder{{PropertyType: 0x0040, PropertyId: 0x0E06, Order: 1}}}
	qr := &rop.QueryRowsRequest{RequestHeader: hdr(0x15, 0, 2), ForwardRead: true, RowCount: uint16(rows)}
	reqs := []rop.Request{open, getct, setcol, sortt, qr}
	rb := &rop.RequestBuffer{Rops: reqs, Handles: []uint32{0x100, none, none}}
	var data []prop.Row
	for i := 0; i < rows; i++ {
		data = append(data, benchRow(i))
	}
	resps := []rop.Response{
		&rop.OpenFolderResponse{ResponseHeader: ok(0x02, 1)},
		&rop.GetContentsTableResponse{ResponseHeader: ok(0x05, 2), RowCount: uint32(rows)},
		&rop.SetColumnsResponse{ResponseHeader: ok(0x12, 2)},
		&rop.SortTableResponse{ResponseHeader: ok(0x13, 2)},
		&rop.QueryRowsResponse{ResponseHeader: ok(0x15, 2), Origin: 2, RowData: data},
	}
	reqROPs := mustEncodeReq(b, rb)
	respROPs := mustEncodeResp(b, resps, reqs, []uint32{0x100, 0x200, 0x300})
	rbuf, _ := rpcext.Append(nil, []rpcext.Block{rpcext.Build(reqROPs, 0, true)})
	req, _ = mapihttp.Encode(nil, &mapihttp.ExecuteRequest{Flags: mapihttp.ExecuteNoXorMagic, RopBuffer: rbuf, MaxRopOut: 0x8007})
	pbuf, _ := rpcext.Append(nil, []rpcext.Block{rpcext.Build(respROPs, 0, true)})
	resp, _ = mapihttp.Encode(nil, &mapihttp.ExecuteResponse{RopBuffer: pbuf})
	return req, resp
}

func mustEncodeReq(b testing.TB, rb *rop.RequestBuffer) []byte {
	out, err := encodeReqBuf(rb)
	if err != nil {
		b.Fatal(err)
	}
	return out
}

func mustEncodeResp(b testing.TB, resps []rop.Response, reqs []rop.Request, handles []uint32) []byte {
	var list []byte
	for i, r := range resps {
		ctx := &rop.Ctx{Request: reqs[i], Columns: benchColumns, HasColumns: true}
		var err error
		if list, err = rop.Encode(list, r, ctx); err != nil {
			b.Fatal(err)
		}
	}
	size := uint16(len(list) + 2)
	out := []byte{byte(size), byte(size >> 8)}
	out = append(out, list...)
	for _, h := range handles {
		out = append(out, byte(h), byte(h>>8), byte(h>>16), byte(h>>24))
	}
	return out
}

// BenchmarkExecuteDecode decodes typical Execute request+response bodies
// through a Session, with and without the span tree.
func BenchmarkExecuteDecode(b *testing.B) {
	for _, spans := range []bool{false, true} {
		b.Run(fmt.Sprintf("spans=%v", spans), func(b *testing.B) {
			req, resp := benchExecute(b, 50)
			b.SetBytes(int64(len(req) + len(resp)))
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				s := NewSession()
				logonForBench(s)
				res := s.Execute(req, resp, spans)
				if len(res.Anomalies) != 0 {
					b.Fatal(res.Anomalies)
				}
			}
		})
	}
}

// BenchmarkExecuteRequestDecode and ...Response measure each direction on
// its own (request: the ROP list; response: table rows).
func BenchmarkExecuteRequestDecode(b *testing.B) {
	req, _ := benchExecute(b, 50)
	b.SetBytes(int64(len(req)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		NewSession().Execute(req, nil, false)
	}
}

func BenchmarkExecuteResponseDecode(b *testing.B) {
	_, resp := benchExecute(b, 50)
	b.SetBytes(int64(len(resp)))
	b.ReportAllocs()
	o := Options{Columns: benchColumns, HasColumns: true}
	for i := 0; i < b.N; i++ {
		r := decodeExecuteResponse(resp, o)
		if len(r.Anomalies) != 0 {
			b.Fatal(r.Anomalies)
		}
	}
}

// logonForBench gives a session a logon at handle 0x100.
func logonForBench(s *Session) {
	s.seq++
	o := &Object{Seq: s.seq, Kind: KindLogon, Handle: 0x100}
	s.handles[0x100] = o
	s.logonFlags[0], s.hasLogon[0] = 1, true
}

// BenchmarkSession100k decodes a generated session of 100,000 Execute
// exchanges in one pass: each opens a folder and a contents table, reads 20
// rows and releases both, so live objects stay few while history grows.
// It reports throughput and the peak heap seen.
func BenchmarkSession100k(b *testing.B) {
	const n = 100000
	req, resp := sessionStep(b)
	b.SetBytes(int64(n * (len(req) + len(resp))))
	b.ReportAllocs()
	var peak uint64
	var ms runtime.MemStats
	for i := 0; i < b.N; i++ {
		runtime.GC()
		s := NewSession()
		logonForBench(s)
		for k := 0; k < n; k++ {
			res := s.Execute(req, resp, false)
			if len(res.Anomalies) != 0 {
				b.Fatal(res.Anomalies)
			}
			if k%5000 == 0 {
				runtime.ReadMemStats(&ms)
				if ms.HeapAlloc > peak {
					peak = ms.HeapAlloc
				}
			}
		}
		if s.LiveObjects() != 1 {
			b.Fatalf("%d live objects after the run", s.LiveObjects())
		}
	}
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
}

// sessionStep is one Execute of the generated session: the table read of
// benchExecute plus the release of the folder and table.
func sessionStep(b testing.TB) (req, resp []byte) {
	open := &rop.OpenFolderRequest{RequestHeader: hdr(0x02, 0, 0), OutputHandleIndex: 1, FolderId: inboxID}
	getct := &rop.GetContentsTableRequest{RequestHeader: hdr(0x05, 0, 1), OutputHandleIndex: 2}
	setcol := &rop.SetColumnsRequest{RequestHeader: hdr(0x12, 0, 2), PropertyTags: benchColumns}
	qr := &rop.QueryRowsRequest{RequestHeader: hdr(0x15, 0, 2), ForwardRead: true, RowCount: 20}
	rel1 := &rop.ReleaseRequest{RequestHeader: hdr(0x01, 0, 2)}
	rel2 := &rop.ReleaseRequest{RequestHeader: hdr(0x01, 0, 1)}
	reqs := []rop.Request{open, getct, setcol, qr, rel1, rel2}
	var data []prop.Row
	for i := 0; i < 20; i++ {
		data = append(data, benchRow(i))
	}
	resps := []rop.Response{
		&rop.OpenFolderResponse{ResponseHeader: ok(0x02, 1)},
		&rop.GetContentsTableResponse{ResponseHeader: ok(0x05, 2), RowCount: 20},
		&rop.SetColumnsResponse{ResponseHeader: ok(0x12, 2)},
		&rop.QueryRowsResponse{ResponseHeader: ok(0x15, 2), Origin: 2, RowData: data},
	}
	reqROPs := mustEncodeReq(b, &rop.RequestBuffer{Rops: reqs, Handles: []uint32{0x100, none, none}})
	respROPs := mustEncodeResp(b, resps, reqs[:4], []uint32{0x100, 0x200, 0x300})
	rbuf, _ := rpcext.Append(nil, []rpcext.Block{rpcext.Build(reqROPs, 0, true)})
	req, _ = mapihttp.Encode(nil, &mapihttp.ExecuteRequest{Flags: mapihttp.ExecuteNoXorMagic, RopBuffer: rbuf, MaxRopOut: 0x8007})
	pbuf, _ := rpcext.Append(nil, []rpcext.Block{rpcext.Build(respROPs, 0, true)})
	resp, _ = mapihttp.Encode(nil, &mapihttp.ExecuteResponse{RopBuffer: pbuf})
	return req, resp
}

func encodeReqBuf(rb *rop.RequestBuffer) ([]byte, error) {
	c := wire.NewEncoder(nil)
	rop.CodecRequestBuffer(c, rb, nil)
	return c.Output(), c.Err()
}

// contentsStream builds a contentsSync stream of n messages with bodies.
func contentsStream(tb testing.TB, n int) []byte {
	guid, _ := prop.ParseGUIDString("3bd3a3d3-7f2d-4b67-9d3a-2a6d1b8e0c11")
	var kids []*fxics.Element
	body := strings.Repeat("Hello Alice, here are the figures for the quarter. ", 20)
	for i := 0; i < n; i++ {
		hdr := []*fxics.Element{
			fxics.P(0x65E00102, fxics.NewXID(prop.GUID(guid), uint64(100+i)).Bytes()),
			fxics.P(0x30080040, prop.Filetime(134090000000000000+uint64(i))),
			fxics.P(0x65E20102, fxics.NewXID(prop.GUID(guid), uint64(500+i)).Bytes()),
			fxics.P(0x65E30102, append([]byte{22}, fxics.NewXID(prop.GUID(guid), uint64(500+i)).Bytes()...)),
			fxics.P(0x10960003, int32(0)),
		}
		props := []*fxics.Element{
			fxics.P(0x0037001F, fmt.Sprintf("Quarterly figures %d", i)),
			fxics.P(0x001A001F, "IPM.Note"),
			fxics.P(0x0C1A001F, "Alice Example"),
			fxics.P(0x1000001F, body),
			fxics.P(0x0E070003, int32(1)),
		}
		kids = append(kids, fxics.MessageChangeFullElement(hdr, props, nil))
	}
	seen := fxics.IDSet{{ReplGUID: prop.GUID(guid), HasGUID: true, Ranges: []fxics.Range{{Low: 1, High: uint64(600 + n)}}}}
	kids = append(kids, fxics.ICSState{CnsetSeen: &seen, IdsetGiven: &seen, CnsetSeenFAI: &seen, CnsetRead: &seen}.Element(), fxics.M(fxics.IncrSyncEnd))
	b, err := fxics.Encode(fxics.E(fxics.KindContentsSync, kids...))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// BenchmarkExecuteCachedModeSync decodes what dominates a cached-mode
// Outlook session by volume: an Execute that configures a contents
// synchronisation and reads a ~30 KiB FastTransfer buffer, decoded through
// the Session (stream elements included).
func BenchmarkExecuteCachedModeSync(b *testing.B) {
	stream := contentsStream(b, 200)
	const bufSize = 0x7BC0
	open := &rop.OpenFolderRequest{RequestHeader: hdr(0x02, 0, 0), OutputHandleIndex: 1, FolderId: inboxID}
	conf := &rop.SynchronizationConfigureRequest{RequestHeader: hdr(0x70, 0, 1), OutputHandleIndex: 2,
		SynchronizationType: 1, SendOptions: 0x01, SynchronizationFlags: 0xA139, SynchronizationExtraFlags: 0x0D,
		PropertyTags: []prop.Tag{0x1000001F, 0x10060003}}
	get := &rop.FastTransferSourceGetBufferRequest{RequestHeader: hdr(0x4E, 0, 2), BufferSize: 0xBABE, MaximumBufferSize: bufSize}
	reqs := []rop.Request{open, conf, get}
	resps := []rop.Response{
		&rop.OpenFolderResponse{ResponseHeader: ok(0x02, 1)},
		&rop.SynchronizationConfigureResponse{ResponseHeader: ok(0x70, 2)},
		&rop.FastTransferSourceGetBufferResponse{ResponseHeader: ok(0x4E, 2), TransferStatus: 1, TransferBuffer: stream[:bufSize]},
	}
	reqROPs := mustEncodeReq(b, &rop.RequestBuffer{Rops: reqs, Handles: []uint32{0x100, none, none}})
	respROPs := mustEncodeResp(b, resps, reqs, []uint32{0x100, 0x200, 0x300})
	rbuf, _ := rpcext.Append(nil, []rpcext.Block{rpcext.Build(reqROPs, 0, true)})
	req, _ := mapihttp.Encode(nil, &mapihttp.ExecuteRequest{Flags: mapihttp.ExecuteNoXorMagic, RopBuffer: rbuf, MaxRopOut: 0x8007})
	pbuf, _ := rpcext.Append(nil, []rpcext.Block{rpcext.Build(respROPs, 0, true)})
	resp, _ := mapihttp.Encode(nil, &mapihttp.ExecuteResponse{RopBuffer: pbuf})
	for _, spans := range []bool{false, true} {
		b.Run(fmt.Sprintf("spans=%v", spans), func(b *testing.B) {
			b.SetBytes(int64(len(req) + len(resp)))
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				s := NewSession()
				logonForBench(s)
				res := s.Execute(req, resp, spans)
				if len(res.Anomalies) != 0 {
					b.Fatal(res.Anomalies)
				}
			}
		})
	}
}

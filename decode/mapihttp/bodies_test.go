package mapihttp

import (
	"bytes"
	"encoding/binary"
	"strings"
	"testing"

	"github.com/mapiscope/mapiscope/decode/auxbuf"
	"github.com/mapiscope/mapiscope/decode/lz77"
	"github.com/mapiscope/mapiscope/decode/prop"
	"github.com/mapiscope/mapiscope/decode/rpcext"
	"github.com/mapiscope/mapiscope/decode/wire"
)

// bb builds little-endian fixtures field by field.
type bb []byte

func (b bb) u8(v uint8) bb      { return append(b, v) }
func (b bb) u16(v uint16) bb    { return binary.LittleEndian.AppendUint16(b, v) }
func (b bb) u32(v uint32) bb    { return binary.LittleEndian.AppendUint32(b, v) }
func (b bb) raw(p ...byte) bb   { return append(b, p...) }
func (b bb) str8z(s string) bb  { return append(append(b, s...), 0) }
func (b bb) utf16z(s string) bb { return append(wire.AppendUTF16(b, s), 0, 0) }

// sized prefixes p with its 32-bit length.
func (b bb) sized(p []byte) bb { return b.u32(uint32(len(p))).raw(p...) }

// rpcHeader builds an RPC_HEADER_EXT.
func rpcHeader(flags uint16, size, actual int) bb {
	return bb{}.u16(0).u16(flags).u16(uint16(size)).u16(uint16(actual))
}

// auxBlock builds an AUX_HEADER and block.
func auxBlock(version, typ uint8, body []byte) bb {
	return bb{}.u16(uint16(4 + len(body))).u8(version).u8(typ).raw(body...)
}

// clientAux is an auxiliary buffer as a client sends it: one
// RPC_HEADER_EXT (Last) around AUX_PERF_SESSIONINFO_V2,
// AUX_PERF_PROCESSINFO and AUX_CLIENT_CONNECTION_INFO.
func clientAux() []byte {
	guid := bytes.Repeat([]byte{0xAB}, 16)
	payload := bb{}.
		raw(auxBlock(2, 0x04, bb{}.u16(1).u16(0).raw(guid...).u32(77))...).
		raw(auxBlock(2, 0x0B, bb{}.u16(1).u16(0).raw(guid...).u16(28).u16(0).utf16z("OUTLOOK.EXE").raw(0, 0))...).
		raw(auxBlock(1, 0x4A, bb{}.raw(guid...).u16(32).u16(0).u32(1).u32(0).utf16z("ctx"))...)
	return rpcHeader(rpcext.FlagLast, len(payload), len(payload)).raw(payload...)
}

// serverAux is an auxiliary buffer as a server returns it.
func serverAux() []byte {
	payload := bb{}.
		raw(auxBlock(1, 0x17, bb{}.u32(1))...).
		raw(auxBlock(1, 0x48, bb{}.u32(1))...).
		raw(auxBlock(1, 0x4B, bb{}.u16(6).utf16z("s1").raw(0, 0))...)
	return rpcHeader(rpcext.FlagLast, len(payload), len(payload)).raw(payload...)
}

// ropRequests is an Execute RopBuffer: one RPC_HEADER_EXT (Last, XOR)
// around a ROP input buffer (RopSize 5, RopRelease, handle table).
func ropRequests() []byte {
	rops := bb{}.u16(5).raw(0x01, 0x00, 0x00).u32(0x00000011)
	x := append([]byte(nil), rops...)
	lz77.XOR(x)
	return rpcHeader(rpcext.FlagLast|rpcext.FlagXorMagic, len(x), len(rops)).raw(x...)
}

// ropResponses is an Execute response RopBuffer: two chained blocks, the
// first compressed.
func ropResponses() []byte {
	first := bytes.Repeat([]byte{0x07, 0x00, 0x00, 0x00, 0x00, 0x00}, 40)
	z := lz77.Compress(first)
	second := bb{}.u16(2).u32(0x11)
	return rpcHeader(rpcext.FlagCompressed, len(z), len(first)).raw(z...).
		raw(rpcHeader(rpcext.FlagLast, len(second), len(second))...).raw(second...)
}

type bodyCase struct {
	name string
	t    RequestType
	resp bool
	b    []byte
	chk  func(t *testing.T, body Body)
}

func bodyCases() []bodyCase {
	connectReq := bb{}.
		str8z("/o=Org/ou=Exchange Administrative Group/cn=Recipients/cn=user1"). // UserDn
		u32(0).                                                                  // Flags
		u32(1252).                                                               // DefaultCodePage
		u32(0x409).                                                              // LcidSort
		u32(0x409).                                                              // LcidString
		sized(clientAux())                                                       // AuxiliaryBufferSize, AuxiliaryBuffer
	connectResp := bb{}.
		u32(0).     // StatusCode
		u32(0).     // ErrorCode
		u32(60000). // PollsMax
		u32(6).     // RetryCount
		u32(10000). // RetryDelay
		str8z("/o=Org/ou=Exchange Administrative Group").
		utf16z("User One").
		sized(serverAux())
	connectFail := bb{}.u32(6).sized(nil) // StatusCode, AuxiliaryBufferSize 0
	executeReq := bb{}.
		u32(0x3).             // Flags NoCompression|NoXorMagic
		sized(ropRequests()). // RopBufferSize, RopBuffer
		u32(0x10008).         // MaxRopOut
		sized(clientAux())
	executeResp := bb{}.
		u32(0). // StatusCode
		u32(0). // ErrorCode
		u32(0). // Flags
		sized(ropResponses()).
		sized(nil)
	executeFail := bb{}.u32(4).sized(serverAux())
	disconnectReq := bb{}.sized(nil)
	disconnectResp := bb{}.u32(0).u32(0).sized(nil)
	disconnectFail := bb{}.u32(10).sized(nil)
	waitReq := bb{}.u32(0).sized(clientAux())
	waitResp := bb{}.u32(0).u32(0).u32(1).sized(nil)
	waitFail := bb{}.u32(15).sized(nil)
	return []bodyCase{
		{"Connect request", TypeConnect, false, connectReq, func(t *testing.T, body Body) {
			r := body.(*ConnectRequest)
			if r.UserDn != "/o=Org/ou=Exchange Administrative Group/cn=Recipients/cn=user1" || r.DefaultCodePage != 1252 || r.LcidSort != 0x409 || r.LcidString != 0x409 {
				t.Fatalf("%+v", r)
			}
			if len(r.AuxiliaryBuffer.Blocks) != 3 || r.AuxiliaryBuffer.Find("AUX_PERF_PROCESSINFO").Body.(*auxbuf.PerfProcessInfo).ProcessName != "OUTLOOK.EXE" {
				t.Fatalf("aux %+v", r.AuxiliaryBuffer.Blocks)
			}
		}},
		{"Connect success response", TypeConnect, true, connectResp, func(t *testing.T, body Body) {
			r := body.(*ConnectResponse)
			if r.PollsMax != 60000 || r.RetryCount != 6 || r.RetryDelay != 10000 || r.DnPrefix != "/o=Org/ou=Exchange Administrative Group" || r.DisplayName != "User One" || Failed(r) {
				t.Fatalf("%+v", r)
			}
			if len(r.AuxiliaryBuffer.Blocks) != 3 || r.AuxiliaryBuffer.Blocks[2].Body.(*auxbuf.ServerSessionInfo).ServerSessionContextInfo != "s1" {
				t.Fatalf("aux %+v", r.AuxiliaryBuffer.Blocks)
			}
		}},
		{"Connect failure response", TypeConnect, true, connectFail, func(t *testing.T, body Body) {
			r := body.(*ConnectResponse)
			if r.StatusCode != 6 || !Failed(r) || !r.AuxiliaryBuffer.Empty() {
				t.Fatalf("%+v", r)
			}
		}},
		{"Execute request", TypeExecute, false, executeReq, func(t *testing.T, body Body) {
			r := body.(*ExecuteRequest)
			if r.Flags != 3 || r.MaxRopOut != 0x10008 || !bytes.Equal(r.RopBuffer, ropRequests()) || r.RopBufferOffset() != 8 {
				t.Fatalf("%+v", r)
			}
			blocks, c := rpcext.Decode(r.RopBuffer, false)
			if len(c.Anomalies()) > 0 || !bytes.Equal(blocks[0].Data, bb{}.u16(5).raw(1, 0, 0).u32(0x11)) {
				t.Fatalf("rop buffer %+v %v", blocks, c.Anomalies())
			}
		}},
		{"Execute success response", TypeExecute, true, executeResp, func(t *testing.T, body Body) {
			r := body.(*ExecuteResponse)
			if r.StatusCode != 0 || r.ErrorCode != prop.Success || r.RopBufferOffset() != 16 {
				t.Fatalf("%+v", r)
			}
			blocks, c := rpcext.Decode(r.RopBuffer, false)
			if len(c.Anomalies()) > 0 || len(blocks) != 2 || len(blocks[0].Data) != 240 {
				t.Fatalf("rop buffer %v", c.Anomalies())
			}
		}},
		{"Execute failure response", TypeExecute, true, executeFail, func(t *testing.T, body Body) {
			r := body.(*ExecuteResponse)
			if r.StatusCode != 4 || r.RopBuffer != nil || len(r.AuxiliaryBuffer.Blocks) != 3 {
				t.Fatalf("%+v", r)
			}
		}},
		{"Disconnect request", TypeDisconnect, false, disconnectReq, nil},
		{"Disconnect success response", TypeDisconnect, true, disconnectResp, func(t *testing.T, body Body) {
			if Failed(body) {
				t.Fatal("failed")
			}
		}},
		{"Disconnect failure response", TypeDisconnect, true, disconnectFail, func(t *testing.T, body Body) {
			if body.(*DisconnectResponse).StatusCode != 10 {
				t.Fatal("status")
			}
		}},
		{"NotificationWait request", TypeNotificationWait, false, waitReq, func(t *testing.T, body Body) {
			if len(body.(*NotificationWaitRequest).AuxiliaryBuffer.Blocks) != 3 {
				t.Fatal("aux")
			}
		}},
		{"NotificationWait success response", TypeNotificationWait, true, waitResp, func(t *testing.T, body Body) {
			if body.(*NotificationWaitResponse).EventPending != 1 {
				t.Fatal("EventPending")
			}
		}},
		{"NotificationWait failure response", TypeNotificationWait, true, waitFail, nil},
		{"PING request", TypePing, false, nil, nil},
		{"PING response", TypePing, true, nil, nil},
	}
}

func decodeCase(tc bodyCase, base int, spans bool) (Body, *wire.Codec, error) {
	if tc.resp {
		return DecodeResponse(tc.t, tc.b, base, spans)
	}
	return DecodeRequest(tc.t, tc.b, base, spans)
}

func TestBodies(t *testing.T) {
	for _, tc := range bodyCases() {
		t.Run(tc.name, func(t *testing.T) {
			var body Body
			for _, spans := range []bool{false, true} {
				var c *wire.Codec
				var err error
				body, c, err = decodeCase(tc, 0, spans)
				if err != nil || len(c.Anomalies()) > 0 {
					t.Fatalf("spans=%v: %v %v", spans, err, c.Anomalies())
				}
				if spans && len(c.Tree().JSON(wire.JSONOptions{})) == 0 {
					t.Fatal("no tree")
				}
			}
			if tc.chk != nil {
				tc.chk(t, body)
			}
			out, err := Encode(nil, body)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(out, tc.b) {
				t.Fatalf("round trip differs:\n got %x\nwant %x", out, tc.b)
			}
		})
	}
}

func TestBodyTree(t *testing.T) {
	tc := bodyCases()[3] // Execute request
	_, c, _ := decodeCase(tc, 100, true)
	js := string(c.Tree().JSON(wire.JSONOptions{}))
	for _, want := range []string{
		`"Flags":{"value":3,"name":"NoCompression|NoXorMagic"`,
		`"RopBufferSize":`, `"RopBuffer":"`, `"MaxRopOut":65544`,
		`"AuxiliaryBufferSize":`, `"AuxiliaryBuffer":{"Blocks":[{"RPC_HEADER_EXT":{`,
		`"AUX_PERF_PROCESSINFO":{`, `"ProcessName":"OUTLOOK.EXE"`,
	} {
		if !strings.Contains(js, want) {
			t.Errorf("JSON lacks %s\n%s", want, js)
		}
	}
	// Offsets are absolute: the body starts at 100.
	if n := c.Tree().Find(100); n == nil || n.Name != "Flags" {
		t.Fatalf("Find(100) = %+v", n)
	}
	r, _, _ := decodeCase(tc, 100, false)
	if r.(*ExecuteRequest).RopBufferOffset() != 108 {
		t.Fatal("RopBufferOffset with base")
	}
	resp := bodyCases()[1]
	_, c, _ = decodeCase(resp, 0, true)
	js = string(c.Tree().JSON(wire.JSONOptions{}))
	if !strings.Contains(js, `"DisplayName":"User One"`) || !strings.Contains(js, `"PollsMax":60000`) {
		t.Errorf("%s", js)
	}
}

func TestBodyAnomalies(t *testing.T) {
	cases := bodyCases()
	// Every truncation of every non-empty body is an anomaly, never a panic.
	for _, tc := range cases {
		for n := 0; n < len(tc.b); n++ {
			cut := tc
			cut.b = tc.b[:n]
			_, c, _ := decodeCase(cut, 0, true)
			if len(c.Anomalies()) == 0 {
				t.Errorf("%s cut to %d bytes: no anomaly", tc.name, n)
			}
		}
	}
	check := func(name string, tc bodyCase, off int, substr string) {
		t.Helper()
		_, c, _ := decodeCase(tc, 0, true)
		for _, a := range c.Anomalies() {
			if a.Offset == off && strings.Contains(a.Reason, substr) {
				return
			}
		}
		t.Errorf("%s: want %q at %d, got %v", name, substr, off, c.Anomalies())
	}
	check("RopBufferSize too large", bodyCase{t: TypeExecute, b: bb{}.u32(0).u32(1000).u32(0)}, 8, "RopBufferSize: size 1000 exceeds")
	check("AuxiliaryBufferSize too large", bodyCase{t: TypeDisconnect, b: bb{}.u32(9)}, 4, "AuxiliaryBufferSize 9 exceeds")
	check("trailing bytes", bodyCase{t: TypeDisconnect, b: bb{}.u32(0).raw(1, 2)}, 4, "2 bytes follow the DisconnectRequest")
	check("reserved flags", bodyCase{t: TypeNotificationWait, b: bb{}.u32(7).u32(0)}, 0, "reserved and MUST be 0")
	check("response flags", bodyCase{t: TypeExecute, resp: true, b: bb{}.u32(0).u32(0).u32(1).u32(0).u32(0)}, 8, "reserved and MUST be 0")
	check("EventPending", bodyCase{t: TypeNotificationWait, resp: true, b: bb{}.u32(0).u32(0).u32(2).u32(0)}, 8, "EventPending is 2")
	check("PING body", bodyCase{t: TypePing, b: []byte{1}}, 0, "PING body is empty")
	check("garbage aux", bodyCase{t: TypeDisconnect, b: bb{}.u32(3).raw(1, 2, 3)}, 6, "truncated: Flags")
	check("no DisplayName terminator", bodyCase{t: TypeConnect, resp: true, b: bb{}.u32(0).u32(0).u32(0).u32(0).u32(0).raw(0).raw('a', 0)}, 21, "no terminating NUL")

	// A body whose aux buffer is garbage still re-encodes unchanged.
	tc := bodyCase{t: TypeExecute, b: bb{}.u32(0).sized(ropRequests()).u32(0).sized([]byte{9, 9, 9})}
	body, c, _ := decodeCase(tc, 0, false)
	if len(c.Anomalies()) == 0 || c.Failed() {
		t.Fatalf("anomalies %v failed %v", c.Anomalies(), c.Failed())
	}
	out, err := Encode(nil, body)
	if err != nil || !bytes.Equal(out, tc.b) {
		t.Fatalf("round trip: %v %x", err, out)
	}
	if _, _, err := DecodeRequest(TypeBind, nil, 0, false); err == nil {
		t.Error("address book body accepted")
	}
}

func TestBuildExecuteResponse(t *testing.T) {
	// What a server does: build the ROP buffer chain and the aux buffer,
	// encode the body, frame it with meta-tags.
	rops := rpcext.Build(bytes.Repeat([]byte{0x01, 0x00, 0x00}, 50), rpcext.FlagCompressed|rpcext.FlagXorMagic, true)
	ropBytes, err := rpcext.Append(nil, []rpcext.Block{rops})
	if err != nil {
		t.Fatal(err)
	}
	resp := &ExecuteResponse{RopBuffer: ropBytes, AuxiliaryBuffer: auxbuf.Buffer{Blocks: []auxbuf.Block{
		auxbuf.New(auxbuf.Version1, auxbuf.TypeServerSessionInfo, &auxbuf.ServerSessionInfo{ServerSessionContextInfo: "x"}),
	}}}
	body, err := Encode(nil, resp)
	if err != nil {
		t.Fatal(err)
	}
	full := BuildResponseBody(1, DoneHeaders(CodeSuccess, 3, ""), body)
	f, err := ParseResponseBody(full)
	if err != nil {
		t.Fatal(err)
	}
	got, c, err := DecodeResponse(TypeExecute, f.Body, f.BodyOffset, true)
	if err != nil || len(c.Anomalies()) > 0 {
		t.Fatalf("%v %v", err, c.Anomalies())
	}
	r := got.(*ExecuteResponse)
	if !bytes.Equal(r.RopBuffer, ropBytes) || r.AuxiliaryBuffer.Blocks[0].Body.(*auxbuf.ServerSessionInfo).ServerSessionContextInfo != "x" {
		t.Fatalf("%+v", r)
	}
	if r.RopBufferOffset() != f.BodyOffset+16 {
		t.Fatalf("RopBufferOffset %d", r.RopBufferOffset())
	}
}

func fuzzBody(t *testing.T, rt RequestType, resp bool, b []byte) {
	in := append([]byte(nil), b...)
	var body Body
	var c *wire.Codec
	if resp {
		body, c, _ = DecodeResponse(rt, b, 0, true)
	} else {
		body, c, _ = DecodeRequest(rt, b, 0, true)
	}
	if !bytes.Equal(in, b) {
		t.Fatal("decode modified its input")
	}
	out, err := Encode(nil, body)
	if len(c.Anomalies()) == 0 {
		if err != nil {
			t.Fatalf("encode: %v", err)
		}
		if !bytes.Equal(out, b) {
			t.Fatalf("round trip differs:\n got %x\nwant %x", out, b)
		}
	}
	// A body that decoded to its end re-encodes unchanged even with
	// anomalies: broken auxiliary buffers are kept as bytes.
	if !c.Failed() && c.Remaining() == 0 && !bytes.Equal(out, b) {
		t.Fatalf("decoded to the end with %v, but re-encodes as\n %x\nnot\n %x", c.Anomalies(), out, b)
	}
}

func FuzzExecuteRequestBody(f *testing.F) {
	for _, tc := range bodyCases() {
		if tc.t == TypeExecute && !tc.resp {
			f.Add(tc.b)
		}
	}
	f.Add([]byte(bb{}.u32(0).sized(ropRequests()).u32(0).sized(nil)))
	f.Fuzz(func(t *testing.T, b []byte) { fuzzBody(t, TypeExecute, false, b) })
}

func FuzzExecuteResponseBody(f *testing.F) {
	for _, tc := range bodyCases() {
		if tc.t == TypeExecute && tc.resp {
			f.Add(tc.b)
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) { fuzzBody(t, TypeExecute, true, b) })
}

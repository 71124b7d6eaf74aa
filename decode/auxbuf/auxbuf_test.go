package auxbuf

import (
	"bytes"
	"encoding/binary"
	"reflect"
	"strings"
	"testing"

	"github.com/mapiscope/mapiscope/decode/lz77"
	"github.com/mapiscope/mapiscope/decode/prop"
	"github.com/mapiscope/mapiscope/decode/rpcext"
	"github.com/mapiscope/mapiscope/decode/wire"
)

// bb builds little-endian fixtures field by field.
type bb []byte

func (b bb) u8(v uint8) bb   { return append(b, v) }
func (b bb) u16(v uint16) bb { return binary.LittleEndian.AppendUint16(b, v) }
func (b bb) u32(v uint32) bb { return binary.LittleEndian.AppendUint32(b, v) }
func (b bb) raw(p ...byte) bb {
	return append(b, p...)
}
func (b bb) zeros(n int) bb { return append(b, make([]byte, n)...) }
func (b bb) utf16z(s string) bb {
	return append(wire.AppendUTF16(b, s), 0, 0)
}
func (b bb) guid(g prop.GUID) bb { return append(b, g[:]...) }

// aux wraps a block structure's bytes in an AUX_HEADER.
func aux(version, typ uint8, body []byte) []byte {
	return bb{}.u16(uint16(HeaderSize + len(body))).u8(version).u8(typ).raw(body...)
}

// frame wraps auxiliary blocks in one RPC_HEADER_EXT flagged Last.
func frame(blocks ...[]byte) []byte {
	var payload []byte
	for _, b := range blocks {
		payload = append(payload, b...)
	}
	return bb{}.u16(0).u16(rpcext.FlagLast).u16(uint16(len(payload))).u16(uint16(len(payload))).raw(payload...)
}

var (
	g1 = prop.GUID{0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10}
	g2 = prop.GUID{0xf0, 0xe1, 0xd2, 0xc3, 0xb4, 0xa5, 0x96, 0x87, 0x78, 0x69, 0x5a, 0x4b, 0x3c, 0x2d, 0x1e, 0x0f}
)

// fixture is one auxiliary block built from the specification's field
// table, in the canonical layout, and the structure it decodes to.
type fixture struct {
	name          string
	version, typ  uint8
	body          []byte
	want          Body
	nonCanonical  bool // the bytes are not what encoding the struct gives
	wantAnomalies int
}

func fixtures() []fixture {
	requestID := bb{}.u16(7).u16(42) // SessionID, RequestID
	sessionInfo := bb{}.u16(7).u16(0).guid(g1)
	sessionInfoV2 := bb{}.u16(7).u16(0).guid(g1).u32(0x11223344)
	// AUX_PERF_CLIENTINFO: 28 fixed bytes after the 4-byte AUX_HEADER, so
	// the first variable field sits at offset 32.
	clientInfo := bb{}.
		u32(100000). // AdapterSpeed
		u16(1).      // ClientID
		u16(32).     // MachineNameOffset  -> "PC1\0" (8 bytes)
		u16(40).     // UserNameOffset     -> "bob\0" (8 bytes)
		u16(4).      // ClientIPSize
		u16(48).     // ClientIPOffset     -> 4 bytes
		u16(4).      // ClientIPMaskSize
		u16(52).     // ClientIPMaskOffset -> 4 bytes
		u16(56).     // AdapterNameOffset  -> "eth0\0" (10 bytes)
		u16(6).      // MacAddressSize
		u16(66).     // MacAddressOffset   -> 6 bytes
		u16(2).      // ClientMode CLIENTMODE_CACHED
		u16(0).      // Reserved
		utf16z("PC1").utf16z("bob").
		raw(192, 168, 1, 20).raw(255, 255, 255, 0).
		utf16z("eth0").
		raw(0x00, 0x15, 0x5d, 0x01, 0x02, 0x03)
	serverInfo := bb{}.
		u16(3).  // ServerID
		u16(1).  // ServerType SERVERTYPE_PRIVATE
		u16(12). // ServerDNOffset
		u16(26). // ServerNameOffset (after the 14 bytes of "/o=Org\0")
		utf16z("/o=Org").utf16z("mbx01")
	processInfo := bb{}.
		u16(5).   // ProcessID
		u16(0).   // Reserved_1
		guid(g2). // ProcessGuid
		u16(28).  // ProcessNameOffset
		u16(0).   // Reserved_2
		utf16z("OUTLOOK.EXE")
	defMdb := bb{}.u32(1500).u32(23).u16(42).u16(0)
	defGc := bb{}.u16(3).u16(7).u32(1500).u32(23).u8(9).zeros(3)
	mdb := bb{}.u16(1).u16(3).u16(7).u16(42).u32(1500).u32(23)
	mdbV2 := bb{}.u16(5).u16(1).u16(3).u16(7).u16(42).u16(0).u32(1500).u32(23)
	gc := bb{}.u16(1).u16(3).u16(7).u16(0).u32(1500).u32(23).u8(9).zeros(3)
	gcV2 := bb{}.u16(5).u16(1).u16(3).u16(7).u32(1500).u32(23).u8(9).zeros(3)
	failure := bb{}.u16(1).u16(3).u16(7).u16(42).u32(1500).u32(23).u32(0x80040115).u8(9).zeros(3)
	failureV2 := bb{}.u16(5).u16(1).u16(3).u16(7).u16(42).u16(0).u32(1500).u32(23).u32(0x80040115).u8(9).zeros(3)
	clientControl := bb{}.u32(0x15).u32(600000)
	osVersion := bb{}.u32(156).u32(10).u32(0).u32(20348).zeros(132).u16(0).u16(0).u32(0)
	exOrg := bb{}.u32(0x03)
	accountInfo := bb{}.u16(1).u16(0).guid(g2)
	serverCaps := bb{}.u32(0x0b)
	endpointCaps := bb{}.u32(0x01)
	connInfo := bb{}.guid(g1).
		u16(32). // OffsetConnectionContextInfo
		u16(0).  // Reserved
		u32(1).  // ConnectionAttempts
		u32(1).  // ConnectionFlags (cached mode)
		utf16z("ctx=1")
	serverSession := bb{}.u16(6).utf16z("srv-ctx")
	device := bb{}.
		u16(14). // DeviceManufacturerOffset -> "Acme\0" (10)
		u16(24). // DeviceModelOffset        -> "LB\0" (6)
		u16(0).  // DeviceSerialNumberOffset (empty)
		u16(30). // DeviceVersionOffset      -> "2\0" (4)
		u16(34). // DeviceFirmwareVersionOffset -> "1.0\0" (8)
		utf16z("Acme").utf16z("LB").utf16z("2").utf16z("1.0")

	// pad to the 4-byte multiple of the canonical layout
	pad := func(b []byte) []byte {
		for (len(b)+HeaderSize)%4 != 0 {
			b = append(b, 0)
		}
		return b
	}
	three := []byte{0, 0, 0}
	return []fixture{
		{name: "AUX_PERF_REQUESTID", version: 1, typ: 0x01, body: requestID, want: &PerfRequestID{SessionID: 7, RequestID: 42}},
		{name: "AUX_PERF_CLIENTINFO", version: 1, typ: 0x02, body: clientInfo, want: &PerfClientInfo{
			AdapterSpeed: 100000, ClientID: 1, ClientMode: 2, MachineName: "PC1", UserName: "bob",
			ClientIP: []byte{192, 168, 1, 20}, ClientIPMask: []byte{255, 255, 255, 0}, AdapterName: "eth0",
			MacAddress: []byte{0x00, 0x15, 0x5d, 0x01, 0x02, 0x03}}},
		{name: "AUX_PERF_SERVERINFO", version: 1, typ: 0x03, body: pad(serverInfo), want: &PerfServerInfo{ServerID: 3, ServerType: 1, ServerDN: "/o=Org", ServerName: "mbx01"}},
		{name: "AUX_PERF_SESSIONINFO", version: 1, typ: 0x04, body: sessionInfo, want: &PerfSessionInfo{SessionID: 7, SessionGuid: g1}},
		{name: "AUX_PERF_SESSIONINFO_V2", version: 2, typ: 0x04, body: sessionInfoV2, want: &PerfSessionInfoV2{SessionID: 7, SessionGuid: g1, ConnectionID: 0x11223344}},
		{name: "AUX_PERF_DEFMDB_SUCCESS", version: 1, typ: 0x05, body: defMdb, want: &PerfDefMdbSuccess{TimeSinceRequest: 1500, TimeToCompleteRequest: 23, RequestID: 42}},
		{name: "AUX_PERF_DEFGC_SUCCESS", version: 1, typ: 0x06, body: defGc, want: &PerfDefGcSuccess{ServerID: 3, SessionID: 7, TimeSinceRequest: 1500, TimeToCompleteRequest: 23, RequestOperation: 9, Reserved: three}},
		{name: "AUX_PERF_MDB_SUCCESS", version: 1, typ: 0x07, body: mdb, want: &PerfMdbSuccess{ClientID: 1, ServerID: 3, SessionID: 7, RequestID: 42, TimeSinceRequest: 1500, TimeToCompleteRequest: 23}},
		{name: "AUX_PERF_MDB_SUCCESS_V2", version: 2, typ: 0x07, body: mdbV2, want: &PerfMdbSuccessV2{ProcessID: 5, ClientID: 1, ServerID: 3, SessionID: 7, RequestID: 42, TimeSinceRequest: 1500, TimeToCompleteRequest: 23}},
		{name: "AUX_PERF_GC_SUCCESS", version: 1, typ: 0x08, body: gc, want: &PerfGcSuccess{ClientID: 1, ServerID: 3, SessionID: 7, TimeSinceRequest: 1500, TimeToCompleteRequest: 23, RequestOperation: 9, Reserved_2: three}},
		{name: "AUX_PERF_GC_SUCCESS_V2", version: 2, typ: 0x08, body: gcV2, want: &PerfGcSuccessV2{ProcessID: 5, ClientID: 1, ServerID: 3, SessionID: 7, TimeSinceRequest: 1500, TimeToCompleteRequest: 23, RequestOperation: 9, Reserved: three}},
		{name: "AUX_PERF_FAILURE", version: 1, typ: 0x09, body: failure, want: &PerfFailure{ClientID: 1, ServerID: 3, SessionID: 7, RequestID: 42, TimeSinceRequest: 1500, TimeToFailRequest: 23, ResultCode: 0x80040115, RequestOperation: 9, Reserved: three}},
		{name: "AUX_PERF_FAILURE_V2", version: 2, typ: 0x09, body: failureV2, want: &PerfFailureV2{ProcessID: 5, ClientID: 1, ServerID: 3, SessionID: 7, RequestID: 42, TimeSinceRequest: 1500, TimeToFailRequest: 23, ResultCode: 0x80040115, RequestOperation: 9, Reserved_2: three}},
		{name: "AUX_CLIENT_CONTROL", version: 1, typ: 0x0A, body: clientControl, want: &ClientControl{EnableFlags: 0x15, ExpiryTime: 600000}},
		{name: "AUX_PERF_PROCESSINFO", version: 1, typ: 0x0B, body: pad(processInfo), want: &PerfProcessInfo{ProcessID: 5, ProcessGuid: g2, ProcessName: "OUTLOOK.EXE"}},
		{name: "AUX_PERF_PROCESSINFO v2", version: 2, typ: 0x0B, body: pad(processInfo), want: &PerfProcessInfo{ProcessID: 5, ProcessGuid: g2, ProcessName: "OUTLOOK.EXE"}},
		{name: "AUX_OSVERSIONINFO", version: 1, typ: 0x16, body: osVersion, want: &OSVersionInfo{OSVersionInfoSize: 156, MajorVersion: 10, BuildNumber: 20348, Reserved1: make([]byte, 132)}},
		{name: "AUX_EXORGINFO", version: 1, typ: 0x17, body: exOrg, want: &ExOrgInfo{OrgFlags: 3}},
		{name: "AUX_PERF_ACCOUNTINFO", version: 1, typ: 0x18, body: accountInfo, want: &PerfAccountInfo{ClientID: 1, Account: g2}},
		{name: "AUX_SERVER_CAPABILITIES", version: 1, typ: 0x46, body: serverCaps, want: &ServerCapabilities{ServerCapabilityFlags: 0x0b}},
		{name: "AUX_ENDPOINT_CAPABILITIES", version: 1, typ: 0x48, body: endpointCaps, want: &EndpointCapabilities{EndpointCapabilityFlag: 1}},
		{name: "AUX_CLIENT_CONNECTION_INFO", version: 1, typ: 0x4A, body: connInfo, want: &ClientConnectionInfo{ConnectionGUID: g1, ConnectionAttempts: 1, ConnectionFlags: 1, ConnectionContextInfo: "ctx=1"}},
		{name: "AUX_SERVER_SESSION_INFO", version: 1, typ: 0x4B, body: pad(serverSession), want: &ServerSessionInfo{ServerSessionContextInfo: "srv-ctx"}},
		{name: "AUX_PROTOCOL_DEVICE_IDENTIFICATION", version: 1, typ: 0x4E, body: pad(device), want: &ProtocolDeviceIdentification{DeviceManufacturer: "Acme", DeviceModel: "LB", DeviceVersion: "2", DeviceFirmwareVersion: "1.0"}},
	}
}

// roundTrip decodes a whole auxiliary buffer, requires no anomaly, and
// requires encode(decode(b)) == b.
func roundTrip(t *testing.T, b []byte) *Buffer {
	t.Helper()
	var buf *Buffer
	for _, spans := range []bool{false, true} {
		var c *wire.Codec
		buf, c = Decode(b, spans)
		if len(c.Anomalies()) > 0 {
			t.Fatalf("decode %x (spans=%v): %v", b, spans, c.Anomalies())
		}
		if buf.Raw != nil {
			t.Fatal("a clean buffer kept Raw")
		}
		if spans && len(c.Tree().JSON(wire.JSONOptions{})) == 0 {
			t.Fatal("no tree")
		}
	}
	out, err := Encode(nil, buf)
	if err != nil {
		t.Fatalf("encode: %v", err)
	}
	if !bytes.Equal(out, b) {
		t.Fatalf("round trip differs:\n got %x\nwant %x", out, b)
	}
	return buf
}

func TestEveryBlockType(t *testing.T) {
	for _, fx := range fixtures() {
		t.Run(fx.name, func(t *testing.T) {
			blk := aux(fx.version, fx.typ, fx.body)
			buf := roundTrip(t, frame(blk))
			if len(buf.Blocks) != 1 {
				t.Fatalf("%d blocks", len(buf.Blocks))
			}
			got := buf.Blocks[0]
			if got.Size != uint16(len(blk)) || got.Version != fx.version || got.Type != fx.typ || got.Offset != 8 {
				t.Fatalf("header %+v", got)
			}
			if !reflect.DeepEqual(got.Body, fx.want) {
				t.Fatalf("decoded\n %#v\nwant\n %#v", got.Body, fx.want)
			}
			// The canonical encoding of the structure is the fixture.
			built := &Buffer{Blocks: []Block{New(fx.version, fx.typ, fx.want)}}
			enc, err := Encode(nil, built)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(enc, frame(blk)) {
				t.Fatalf("encoding the struct:\n got %x\nwant %x", enc, frame(blk))
			}
		})
	}
}

func TestTypeTable(t *testing.T) {
	// Each Type maps to its structure as [MS-OXCRPC] 2.2.2.2 tabulates.
	want := map[[2]uint8]string{
		{1, 0x01}: "AUX_PERF_REQUESTID", {1, 0x02}: "AUX_PERF_CLIENTINFO", {1, 0x03}: "AUX_PERF_SERVERINFO",
		{1, 0x04}: "AUX_PERF_SESSIONINFO", {1, 0x05}: "AUX_PERF_DEFMDB_SUCCESS", {1, 0x06}: "AUX_PERF_DEFGC_SUCCESS",
		{1, 0x07}: "AUX_PERF_MDB_SUCCESS", {1, 0x08}: "AUX_PERF_GC_SUCCESS", {1, 0x09}: "AUX_PERF_FAILURE",
		{1, 0x0A}: "AUX_CLIENT_CONTROL", {1, 0x0B}: "AUX_PERF_PROCESSINFO",
		{1, 0x0C}: "AUX_PERF_DEFMDB_SUCCESS", {1, 0x0D}: "AUX_PERF_DEFGC_SUCCESS", {1, 0x0E}: "AUX_PERF_MDB_SUCCESS",
		{1, 0x0F}: "AUX_PERF_GC_SUCCESS", {1, 0x10}: "AUX_PERF_FAILURE",
		{1, 0x11}: "AUX_PERF_DEFMDB_SUCCESS", {1, 0x12}: "AUX_PERF_DEFGC_SUCCESS", {1, 0x13}: "AUX_PERF_MDB_SUCCESS",
		{1, 0x14}: "AUX_PERF_GC_SUCCESS", {1, 0x15}: "AUX_PERF_FAILURE",
		{1, 0x16}: "AUX_OSVERSIONINFO", {1, 0x17}: "AUX_EXORGINFO", {1, 0x18}: "AUX_PERF_ACCOUNTINFO",
		{1, 0x46}: "AUX_SERVER_CAPABILITIES", {1, 0x48}: "AUX_ENDPOINT_CAPABILITIES",
		{1, 0x4A}: "AUX_CLIENT_CONNECTION_INFO", {1, 0x4B}: "AUX_SERVER_SESSION_INFO",
		{1, 0x4E}: "AUX_PROTOCOL_DEVICE_IDENTIFICATION",
		{2, 0x04}: "AUX_PERF_SESSIONINFO_V2", {2, 0x07}: "AUX_PERF_MDB_SUCCESS_V2", {2, 0x08}: "AUX_PERF_GC_SUCCESS_V2",
		{2, 0x09}: "AUX_PERF_FAILURE_V2", {2, 0x0B}: "AUX_PERF_PROCESSINFO",
		{2, 0x0E}: "AUX_PERF_MDB_SUCCESS_V2", {2, 0x0F}: "AUX_PERF_GC_SUCCESS_V2", {2, 0x10}: "AUX_PERF_FAILURE_V2",
		{2, 0x13}: "AUX_PERF_MDB_SUCCESS_V2", {2, 0x14}: "AUX_PERF_GC_SUCCESS_V2", {2, 0x15}: "AUX_PERF_FAILURE_V2",
	}
	all := Types()
	if len(all) != len(want) {
		t.Fatalf("%d types defined, want %d", len(all), len(want))
	}
	for _, ti := range all {
		w, ok := want[[2]uint8{ti.Version, ti.Type}]
		if !ok || ti.Struct != w || ti.New().StructName() != w {
			t.Errorf("version %d type 0x%02X -> %s / %s, want %s", ti.Version, ti.Type, ti.Struct, ti.New().StructName(), w)
		}
	}
	if TypeName(1, 0x10) != "AUX_TYPE_PERF_BG_FAILURE" || TypeName(2, 0x14) != "AUX_TYPE_PERF_FG_GC_SUCCESS" {
		t.Error("type names")
	}
}

func TestBgFgVariantsDecode(t *testing.T) {
	// A BG/FG type carries the same structure as its base type.
	fx := fixtures()
	byName := map[string]fixture{}
	for _, f := range fx {
		byName[f.name] = f
	}
	for _, c := range []struct {
		version, typ uint8
		base         string
	}{
		{1, 0x0C, "AUX_PERF_DEFMDB_SUCCESS"}, {1, 0x11, "AUX_PERF_DEFMDB_SUCCESS"},
		{1, 0x0D, "AUX_PERF_DEFGC_SUCCESS"}, {1, 0x12, "AUX_PERF_DEFGC_SUCCESS"},
		{1, 0x0E, "AUX_PERF_MDB_SUCCESS"}, {1, 0x13, "AUX_PERF_MDB_SUCCESS"},
		{1, 0x0F, "AUX_PERF_GC_SUCCESS"}, {1, 0x14, "AUX_PERF_GC_SUCCESS"},
		{1, 0x10, "AUX_PERF_FAILURE"}, {1, 0x15, "AUX_PERF_FAILURE"},
		{2, 0x0E, "AUX_PERF_MDB_SUCCESS_V2"}, {2, 0x13, "AUX_PERF_MDB_SUCCESS_V2"},
		{2, 0x0F, "AUX_PERF_GC_SUCCESS_V2"}, {2, 0x14, "AUX_PERF_GC_SUCCESS_V2"},
		{2, 0x10, "AUX_PERF_FAILURE_V2"}, {2, 0x15, "AUX_PERF_FAILURE_V2"},
	} {
		f := byName[c.base]
		buf := roundTrip(t, frame(aux(c.version, c.typ, f.body)))
		if !reflect.DeepEqual(buf.Blocks[0].Body, f.want) {
			t.Errorf("v%d 0x%02X: %#v", c.version, c.typ, buf.Blocks[0].Body)
		}
	}
}

func TestSeveralBlocksAndTree(t *testing.T) {
	fx := fixtures()
	var blocks [][]byte
	for _, f := range fx {
		blocks = append(blocks, aux(f.version, f.typ, f.body))
	}
	b := frame(blocks...)
	buf := roundTrip(t, b)
	if len(buf.Blocks) != len(fx) {
		t.Fatalf("%d blocks", len(buf.Blocks))
	}
	if p := buf.Find("AUX_PERF_CLIENTINFO"); p == nil || p.Body.(*PerfClientInfo).MachineName != "PC1" {
		t.Fatal("Find")
	}
	_, c := Decode(b, true)
	js := string(c.Tree().JSON(wire.JSONOptions{}))
	for _, want := range []string{
		`"MachineNameOffset":32`, `"MachineName":"PC1"`, `"ClientIP":"c0a80114"`,
		`"ClientMode":{"value":2,"name":"CLIENTMODE_CACHED"`,
		`"Type":{"value":2,"name":"AUX_TYPE_PERF_CLIENTINFO"`,
		`"EnableFlags":{"value":21,"name":"ENABLE_PERF_SENDTOSERVER|ENABLE_COMPRESSION|ENABLE_PERF_SENDGCDATA"`,
		`"ResultCode":{"value":2147746069,"name":"ecNetwork"`,
		`"ServerType":{"value":1,"name":"SERVERTYPE_PRIVATE"`,
	} {
		if !strings.Contains(js, want) {
			t.Errorf("JSON lacks %s", want)
		}
	}
	// Offsets: the MachineName of the CLIENTINFO block (second block).
	ci := buf.Blocks[1]
	if n := c.Tree().Find(ci.Offset + 32); n == nil || n.Name != "MachineName" {
		t.Fatalf("Find(MachineName) = %+v", n)
	}
}

func TestUnknownBlockKept(t *testing.T) {
	b := frame(aux(1, 0x01, bb{}.u16(1).u16(2)), aux(1, 0x99, []byte{1, 2, 3, 4, 5}), aux(3, 0x01, []byte{9}))
	buf, c := Decode(b, true)
	as := c.Anomalies()
	if len(as) != 2 || as[0].Offset != 16 || !strings.Contains(as[0].Reason, "Type 0x99") || as[1].Offset != 25 {
		t.Fatalf("anomalies %v", as)
	}
	if u, ok := buf.Blocks[1].Body.(*Unknown); !ok || !bytes.Equal(u.Data, []byte{1, 2, 3, 4, 5}) {
		t.Fatalf("unknown body %#v", buf.Blocks[1].Body)
	}
	if buf.Raw != nil {
		t.Fatal("unknown blocks are not a failure")
	}
	out, err := Encode(nil, buf)
	if err != nil || !bytes.Equal(out, b) {
		t.Fatalf("round trip: %v\n got %x\nwant %x", err, out, b)
	}
}

func TestNonCanonicalLayoutKept(t *testing.T) {
	// Strings in reverse order, an unused gap, and odd padding: decoded
	// and re-emitted as they were.
	body := bb{}.u16(3).u16(2).
		u16(24). // ServerDNOffset -> second string
		u16(12). // ServerNameOffset -> first string
		utf16z("mbx01").utf16z("/o=Org").raw(0xAA, 0xBB)
	b := frame(aux(1, 0x03, body))
	buf := roundTrip(t, b)
	got := buf.Blocks[0].Body.(*PerfServerInfo)
	if got.ServerDN != "/o=Org" || got.ServerName != "mbx01" {
		t.Fatalf("%+v", got)
	}
	// Changing the structure writes it canonically.
	got.ServerName = "mbx02"
	out, err := Encode(nil, buf)
	if err != nil {
		t.Fatal(err)
	}
	want := frame(aux(1, 0x03, bb{}.u16(3).u16(2).u16(12).u16(26).utf16z("/o=Org").utf16z("mbx02").zeros(2)))
	if !bytes.Equal(out, want) {
		t.Fatalf("re-encoded\n got %x\nwant %x", out, want)
	}
}

func TestEditOneBlock(t *testing.T) {
	fx := fixtures()
	b := frame(aux(1, 0x01, fx[0].body), aux(1, 0x02, fx[1].body))
	buf := roundTrip(t, b)
	buf.Blocks[1].Body.(*PerfClientInfo).UserName = "alice"
	out, err := Encode(nil, buf)
	if err != nil {
		t.Fatal(err)
	}
	again := roundTrip(t, out)
	if again.Blocks[1].Body.(*PerfClientInfo).UserName != "alice" || again.Blocks[1].Body.(*PerfClientInfo).AdapterName != "eth0" {
		t.Fatalf("%+v", again.Blocks[1].Body)
	}
	if !bytes.Equal(again.Blocks[0].Raw(), aux(1, 0x01, fx[0].body)) {
		t.Fatal("the untouched block changed")
	}
}

func TestCompressedAndXoredFrame(t *testing.T) {
	var payload []byte
	for i := 0; i < 8; i++ {
		payload = append(payload, aux(1, 0x02, fixtures()[1].body)...)
	}
	fr := rpcext.Build(payload, rpcext.FlagCompressed|rpcext.FlagXorMagic, true)
	if !fr.Compressed() {
		t.Fatal("fixture does not compress")
	}
	b, err := rpcext.Append(nil, []rpcext.Block{fr})
	if err != nil {
		t.Fatal(err)
	}
	buf := roundTrip(t, b)
	if len(buf.Blocks) != 8 || buf.Blocks[7].Body.(*PerfClientInfo).AdapterName != "eth0" {
		t.Fatalf("%d blocks", len(buf.Blocks))
	}
	// Offsets count from the start of the decoded data.
	if buf.Blocks[1].Offset != len(payload)/8 {
		t.Fatalf("offset %d", buf.Blocks[1].Offset)
	}
	// A fresh Buffer with the same frame flags encodes to the same bytes
	// (lz77.Compress is deterministic).
	fresh := &Buffer{Frames: []rpcext.Block{{Header: rpcext.Header{Flags: fr.Flags}}}}
	for _, blk := range buf.Blocks {
		fresh.Blocks = append(fresh.Blocks, New(blk.Version, blk.Type, blk.Body))
	}
	out, err := Encode(nil, fresh)
	if err != nil || !bytes.Equal(out, b) {
		t.Fatalf("fresh encode: %v\n got %x\nwant %x", err, out, b)
	}
	_ = lz77.XOR
}

func TestAnomaliesKeepRaw(t *testing.T) {
	fx := fixtures()
	cases := []struct {
		name string
		b    []byte
		off  int
		want string
		raw  bool // the buffer cannot be decoded to the end
	}{
		{"size below header", frame(bb{}.u16(2).u8(1).u8(1)), 8, "smaller than the header", true},
		{"size beyond frame", frame(bb{}.u16(40).u8(1).u8(1).u32(0)), 12, "exceeds", true},
		{"truncated structure", frame(aux(1, 0x09, fx[11].body[:10])), 20, "truncated: TimeSinceRequest", false},
		{"string past block", frame(aux(1, 0x03, bb{}.u16(3).u16(1).u16(200).u16(0))), 20, "past the block", false},
		{"string into fixed fields", frame(aux(1, 0x4B, bb{}.u16(4).raw('a', 0, 0, 0))), 14, "inside the block's fixed fields", false},
		{"unterminated string", frame(aux(1, 0x4B, bb{}.u16(6).raw('a', 0))), 14, "no terminating NUL", false},
		{"bytes beyond block", frame(aux(1, 0x02, bb{}.zeros(28).raw(1, 2, 3, 4))), 8, "", false},
		{"padding", frame(aux(1, 0x01, bb{}.u32(0).u32(0))), 16, "4 bytes follow the AUX_PERF_REQUESTID", false},
		{"trailing after frame", append(frame(aux(1, 0x01, bb{}.u32(0))), 7), 16, "follow the RPC_HEADER_EXT", true},
		{"no RPC_HEADER_EXT Last", bb{}.u16(0).u16(0).u16(8).u16(8).raw(aux(1, 0x01, bb{}.u32(0))...), 16, "without one flagged Last", false},
		{"bad frame size", bb{}.u16(0).u16(4).u16(80).u16(80).u32(0), 8, "exceeds", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			buf, c := Decode(tc.b, true)
			as := c.Anomalies()
			if tc.name == "bytes beyond block" {
				// ClientIPSize etc. are zero; the four extra bytes are
				// simply part of the variable region: no anomaly.
				if len(as) != 0 {
					t.Fatalf("anomalies %v", as)
				}
			} else {
				found := false
				for _, a := range as {
					if a.Offset == tc.off && strings.Contains(a.Reason, tc.want) {
						found = true
					}
				}
				if !found {
					t.Fatalf("want %q at %d, got %v", tc.want, tc.off, as)
				}
			}
			if (buf.Raw != nil) != tc.raw {
				t.Fatalf("Raw kept: %v", buf.Raw != nil)
			}
			out, err := Encode(nil, buf)
			if err != nil || !bytes.Equal(out, tc.b) {
				t.Fatalf("round trip: %v\n got %x\nwant %x", err, out, tc.b)
			}
		})
	}
}

func TestCodecSized(t *testing.T) {
	fx := fixtures()
	aux1 := frame(aux(1, 0x01, fx[0].body))
	b := bb{}.u32(uint32(len(aux1))).raw(aux1...).u32(0xCAFE)
	c := wire.NewDecoder(b, true, "Body")
	var buf Buffer
	CodecSized(c, &buf)
	var tail uint32
	c.U32(&tail, "Tail")
	if len(c.Anomalies()) > 0 || tail != 0xCAFE || len(buf.Blocks) != 1 || buf.Blocks[0].Offset != 12 {
		t.Fatalf("anomalies %v tail %x blocks %d", c.Anomalies(), tail, len(buf.Blocks))
	}
	// A broken buffer does not stop what follows, and re-encodes as is.
	bad := bb{}.u32(6).raw(1, 2, 3, 4, 5, 6).u32(0xCAFE)
	c = wire.NewDecoder(bad, true, "Body")
	CodecSized(c, &buf)
	c.U32(&tail, "Tail")
	if len(c.Anomalies()) == 0 || tail != 0xCAFE || buf.Raw == nil {
		t.Fatalf("anomalies %v tail %x raw %x", c.Anomalies(), tail, buf.Raw)
	}
	e := wire.NewEncoder(nil)
	CodecSized(e, &buf)
	if !bytes.Equal(e.Output(), bad[:10]) {
		t.Fatalf("re-encoded %x", e.Output())
	}
	// Size beyond the body is fatal for the body.
	c = wire.NewDecoder(bb{}.u32(100).u32(0), false, "Body")
	CodecSized(c, &buf)
	if !c.Failed() {
		t.Fatal("oversized AuxiliaryBufferSize accepted")
	}
	// Empty.
	e = wire.NewEncoder(nil)
	empty := Buffer{}
	CodecSized(e, &empty)
	if !bytes.Equal(e.Output(), []byte{0, 0, 0, 0}) || !empty.Empty() {
		t.Fatalf("empty: %x", e.Output())
	}
}

func FuzzAuxBuffer(f *testing.F) {
	fx := fixtures()
	var all [][]byte
	for _, x := range fx {
		all = append(all, aux(x.version, x.typ, x.body))
	}
	f.Add(frame(all...))
	f.Add(frame(aux(1, 0x02, fx[1].body)))
	f.Add(frame(aux(1, 0x4E, fx[len(fx)-1].body)))
	fr := rpcext.Build(frame(all[:4]...)[8:], rpcext.FlagCompressed|rpcext.FlagXorMagic, true)
	zb, _ := rpcext.Append(nil, []rpcext.Block{fr})
	f.Add(zb)
	f.Fuzz(func(t *testing.T, b []byte) {
		in := append([]byte(nil), b...)
		buf, c := Decode(b, true)
		if !bytes.Equal(in, b) {
			t.Fatal("decode modified its input")
		}
		out, err := Encode(nil, buf)
		if err != nil {
			t.Fatalf("encode: %v", err)
		}
		// Every decodable buffer re-encodes unchanged (a broken one is
		// kept as Raw).
		if !bytes.Equal(out, b) {
			t.Fatalf("round trip differs (anomalies %v):\n got %x\nwant %x", c.Anomalies(), out, b)
		}
		// Re-encoding every block canonically must decode back to the
		// same structures.
		if buf.Raw == nil && len(buf.Frames) == 1 {
			fresh := &Buffer{}
			for _, blk := range buf.Blocks {
				fresh.Blocks = append(fresh.Blocks, New(blk.Version, blk.Type, blk.Body))
			}
			enc, err := Encode(nil, fresh)
			if err != nil {
				return // e.g. a block grown past 65535 bytes
			}
			back, c2 := Decode(enc, false)
			if back.Raw != nil {
				t.Fatalf("canonical encoding does not decode: %v", c2.Anomalies())
			}
			if len(back.Blocks) != len(buf.Blocks) {
				t.Fatalf("canonical encoding has %d blocks, want %d", len(back.Blocks), len(buf.Blocks))
			}
			for i := range back.Blocks {
				if !sameBody(back.Blocks[i].Body, buf.Blocks[i].Body) {
					t.Fatalf("block %d: canonical round trip\n got %#v\nwant %#v", i, back.Blocks[i].Body, buf.Blocks[i].Body)
				}
			}
		}
	})
}

// sameBody compares structures, treating nil and empty byte slices alike
// and fixed reserved fields padded to their size.
func sameBody(a, b Body) bool {
	ea := canonical(&Block{Body: a})
	eb := canonical(&Block{Body: b})
	return bytes.Equal(ea, eb)
}

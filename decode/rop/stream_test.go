package rop

import (
	"testing"

	"github.com/mapiscope/mapiscope/decode/wire"
)

// Shared vector oxcprpt-4.4.1.1-openstream-req: open
// PidTagExtendedRuleMessageCondition read/write.
func TestOpenStream(t *testing.T) {
	const reqHex = "2b" + /*RopId*/ "01" + /*LogonId*/ "00" + /*InputHandleIndex*/ "01" + /*OutputHandleIndex*/
		"02019a0e" + /*PropertyTag: 0x0E9A0102*/ "01" /*OpenModeFlags: ReadWrite*/
	r := checkRequest(t, reqHex, nil).(*OpenStreamRequest)
	if r.LogonId != 1 || r.InputHandleIndex != 0 || r.OutputHandleIndex != 1 || r.PropertyTag != 0x0E9A0102 || r.OpenModeFlags != 0x01 {
		t.Fatalf("got %+v", r)
	}
	if nd := prptNode(t, reqHex, nil, true, "RopOpenStream.OpenModeFlags"); nd.Sym != "ReadWrite" {
		t.Fatalf("OpenModeFlags name %q", nd.Sym)
	}
	if nd := prptNode(t, reqHex, nil, true, "RopOpenStream.PropertyTag"); nd.Sym != "PidTagExtendedRuleMessageCondition:PtypBinary" {
		t.Fatalf("PropertyTag name %q", nd.Sym)
	}
	// The request creates an object at its OutputHandleIndex.
	ctx := &Ctx{}
	if _, err := DecodeRequest(wire.NewDecoder(unhex(t, reqHex), false, ""), ctx); err != nil || !ctx.HasOutput || ctx.OutputHandleIndex != 1 {
		t.Fatalf("ctx %+v err %v", ctx, err)
	}
	s := checkResponse(t, "2b"+ /*RopId*/ "01"+ /*OutputHandleIndex*/ "00000000"+ /*ReturnValue*/
		"00100000", /*StreamSize: 4096*/ &Ctx{Request: r}).(*OpenStreamResponse)
	if s.StreamSize != 4096 || s.HandleIndex != 1 {
		t.Fatalf("got %+v", s)
	}
	f := checkResponse(t, "2b 01 0f010480", nil).(*OpenStreamResponse)
	if f.ReturnValue != 0x8004010F || f.StreamSize != 0 {
		t.Fatalf("got %+v", f)
	}
	decodeFails(t, "2b 01 00000000 0010", nil, false)
	decodeFails(t, "2b 01 00 01 02019a0e", nil, true)
}

func TestReadStream(t *testing.T) {
	r := checkRequest(t, "2c"+ /*RopId*/ "00"+ /*LogonId*/ "01"+ /*InputHandleIndex*/ "0010" /*ByteCount: 4096*/, nil).(*ReadStreamRequest)
	if r.ByteCount != 0x1000 || r.Max() != 0x1000 {
		t.Fatalf("got %+v", r)
	}
	// ByteCount 0xBABE: MaximumByteCount follows.
	const babe = "2c" + /*RopId*/ "00" + /*LogonId*/ "01" + /*InputHandleIndex*/
		"beba" + /*ByteCount: 0xBABE*/ "00000100" /*MaximumByteCount: 0x10000*/
	m := checkRequest(t, babe, nil).(*ReadStreamRequest)
	if m.ByteCount != 0xBABE || m.MaximumByteCount != 0x10000 || m.Max() != 0x10000 {
		t.Fatalf("got %+v", m)
	}
	if nd := prptNode(t, babe, nil, true, "RopReadStream.ByteCount"); nd.Sym != "see MaximumByteCount" {
		t.Fatalf("ByteCount name %q", nd.Sym)
	}
	decodeFails(t, "2c 00 01 beba 0000", nil, true)

	const resp = "2c" + /*RopId*/ "01" + /*InputHandleIndex*/ "00000000" + /*ReturnValue*/
		"0500" + /*DataSize*/ "48656c6c6f" /*Data: "Hello"*/
	s := checkResponse(t, resp, &Ctx{Request: r}).(*ReadStreamResponse)
	if string(s.Data) != "Hello" {
		t.Fatalf("got %+v", s)
	}
	// The response has one layout: DataSize and Data follow a failure too.
	f := checkResponse(t, "2c 01 05000380 0000", nil).(*ReadStreamResponse)
	if f.ReturnValue != 0x80030005 || len(f.Data) != 0 {
		t.Fatalf("got %+v", f)
	}
	// More data than asked for is noted.
	decodeFails(t, resp, &Ctx{Request: &ReadStreamRequest{ByteCount: 4}}, false)
	decodeFails(t, "2c 01 00000000 0600 48656c6c6f", nil, false)
}

func TestWriteStream(t *testing.T) {
	r := checkRequest(t, "2d"+ /*RopId*/ "00"+ /*LogonId*/ "01"+ /*InputHandleIndex*/
		"0300"+ /*DataSize*/ "616263", /*Data: "abc"*/ nil).(*WriteStreamRequest)
	if string(r.Data) != "abc" {
		t.Fatalf("got %+v", r)
	}
	s := checkResponse(t, "2d"+ /*RopId*/ "01"+ /*InputHandleIndex*/ "00000000"+ /*ReturnValue*/ "0300" /*WrittenSize*/, nil).(*WriteStreamResponse)
	if s.WrittenSize != 3 {
		t.Fatalf("got %+v", s)
	}
	// A failed write still says how much was written.
	f := checkResponse(t, "2d 01 70000380 0100", nil).(*WriteStreamResponse)
	if f.ReturnValue != 0x80030070 || f.WrittenSize != 1 {
		t.Fatalf("got %+v", f)
	}
	decodeFails(t, "2d 00 01 0400 616263", nil, true)
	decodeFails(t, "2d 01 00000000", nil, false)
}

func TestWriteStreamExtended(t *testing.T) {
	r := checkRequest(t, "a3"+ /*RopId*/ "00"+ /*LogonId*/ "01"+ /*InputHandleIndex*/
		"0300"+ /*DataSize*/ "616263", /*Data*/ nil).(*WriteStreamExtendedRequest)
	if string(r.Data) != "abc" {
		t.Fatalf("got %+v", r)
	}
	s := checkResponse(t, "a3"+ /*RopId*/ "01"+ /*InputHandleIndex*/ "00000000"+ /*ReturnValue*/ "03000000" /*WrittenSize (4 bytes)*/, nil).(*WriteStreamExtendedResponse)
	if s.WrittenSize != 3 {
		t.Fatalf("got %+v", s)
	}
	checkResponse(t, "a3 01 70000380 00000000", nil)
	decodeFails(t, "a3 01 00000000 0300", nil, false)
}

func TestCommitStream(t *testing.T) {
	r := checkRequest(t, "5d"+ /*RopId*/ "00"+ /*LogonId*/ "01" /*InputHandleIndex*/, nil).(*CommitStreamRequest)
	if r.InputHandleIndex != 1 {
		t.Fatalf("got %+v", r)
	}
	s := checkResponse(t, "5d"+ /*RopId*/ "01"+ /*InputHandleIndex*/ "00000000" /*ReturnValue*/, nil).(*CommitStreamResponse)
	if s.HandleIndex != 1 {
		t.Fatalf("got %+v", s)
	}
	checkResponse(t, "5d 01 05000780", nil)
}

func TestGetStreamSize(t *testing.T) {
	checkRequest(t, "5e"+ /*RopId*/ "00"+ /*LogonId*/ "01" /*InputHandleIndex*/, nil)
	s := checkResponse(t, "5e"+ /*RopId*/ "01"+ /*InputHandleIndex*/ "00000000"+ /*ReturnValue*/ "39300000" /*StreamSize: 12345*/, nil).(*GetStreamSizeResponse)
	if s.StreamSize != 12345 {
		t.Fatalf("got %+v", s)
	}
	f := checkResponse(t, "5e 01 b9040000", nil).(*GetStreamSizeResponse)
	if f.ReturnValue != 0x4B9 {
		t.Fatalf("got %+v", f)
	}
	decodeFails(t, "5e 01 00000000 3930", nil, false)
}

func TestSetStreamSize(t *testing.T) {
	r := checkRequest(t, "2f"+ /*RopId*/ "00"+ /*LogonId*/ "01"+ /*InputHandleIndex*/ "0010000000000000" /*StreamSize: 4096*/, nil).(*SetStreamSizeRequest)
	if r.StreamSize != 4096 {
		t.Fatalf("got %+v", r)
	}
	checkResponse(t, "2f"+ /*RopId*/ "01"+ /*InputHandleIndex*/ "00000000" /*ReturnValue*/, nil)
	checkResponse(t, "2f 01 70000380", nil)
	decodeFails(t, "2f 00 01 00100000", nil, true)
}

func TestSeekStream(t *testing.T) {
	const reqHex = "2e" + /*RopId*/ "00" + /*LogonId*/ "01" + /*InputHandleIndex*/
		"01" + /*Origin: Current*/ "f6ffffffffffffff" /*Offset: -10*/
	r := checkRequest(t, reqHex, nil).(*SeekStreamRequest)
	if r.Origin != 1 || r.Offset != -10 {
		t.Fatalf("got %+v", r)
	}
	if nd := prptNode(t, reqHex, nil, true, "RopSeekStream.Origin"); nd.Sym != "Current" {
		t.Fatalf("Origin name %q", nd.Sym)
	}
	if nd := prptNode(t, reqHex, nil, true, "RopSeekStream.Offset"); nd.Value != int64(-10) {
		t.Fatalf("Offset %v", nd.Value)
	}
	s := checkResponse(t, "2e"+ /*RopId*/ "01"+ /*InputHandleIndex*/ "00000000"+ /*ReturnValue*/
		"0a00000000000000", /*NewPosition: 10*/ nil).(*SeekStreamResponse)
	if s.NewPosition != 10 {
		t.Fatalf("got %+v", s)
	}
	// StreamSeekError: the header alone.
	f := checkResponse(t, "2e 01 19000380", nil).(*SeekStreamResponse)
	if f.ReturnValue != 0x80030019 {
		t.Fatalf("got %+v", f)
	}
	decodeFails(t, "2e 01 00000000 0a000000", nil, false)
}

func TestCopyToStream(t *testing.T) {
	const reqHex = "3a" + /*RopId*/ "00" + /*LogonId*/ "01" + /*SourceHandleIndex*/ "02" + /*DestHandleIndex*/
		"0010000000000000" /*ByteCount: 4096*/
	r := checkRequest(t, reqHex, nil).(*CopyToStreamRequest)
	if r.InputHandleIndex != 1 || r.DestHandleIndex != 2 || r.ByteCount != 4096 {
		t.Fatalf("got %+v", r)
	}
	if nd := prptNode(t, reqHex, nil, true, "RopCopyToStream.SourceHandleIndex"); nd.Value != uint64(1) {
		t.Fatalf("SourceHandleIndex %v", nd.Value)
	}
	s := checkResponse(t, "3a"+ /*RopId*/ "01"+ /*SourceHandleIndex*/ "00000000"+ /*ReturnValue*/
		"0010000000000000"+ /*ReadByteCount*/ "0010000000000000", /*WrittenByteCount*/ &Ctx{Request: r}).(*CopyToStreamResponse)
	if s.ReadByteCount != 4096 || s.WrittenByteCount != 4096 {
		t.Fatalf("got %+v", s)
	}
	// Null destination failure: a 4-byte DestHandleIndex, then the counts.
	const nullDest = "3a" + /*RopId*/ "01" + /*SourceHandleIndex*/ "03050000" + /*ReturnValue: ecDstNullObject*/
		"02000000" + /*DestHandleIndex*/ "0000000000000000" + /*ReadByteCount*/ "0000000000000000" /*WrittenByteCount*/
	n := checkResponse(t, nullDest, nil).(*CopyToStreamResponse)
	if n.ReturnValue != 0x503 || n.DestHandleIndex != 2 {
		t.Fatalf("got %+v", n)
	}
	if nd := prptNode(t, nullDest, nil, false, "RopCopyToStream.ReturnValue"); nd.Sym != "ecDstNullObject" {
		t.Fatalf("ReturnValue name %q", nd.Sym)
	}
	// Any other failure keeps the counts, without DestHandleIndex.
	f := checkResponse(t, "3a 01 05000780 0000000000000000 0000000000000000", nil).(*CopyToStreamResponse)
	if f.ReturnValue != 0x80070005 || f.DestHandleIndex != 0 {
		t.Fatalf("got %+v", f)
	}
	decodeFails(t, "3a 01 03050000 0000000000000000 0000000000000000", nil, false)
}

func TestLockRegionStream(t *testing.T) {
	const reqHex = "5b" + /*RopId*/ "00" + /*LogonId*/ "01" + /*InputHandleIndex*/
		"0000000000000000" + /*RegionOffset*/ "0001000000000000" + /*RegionSize: 256*/ "01000000" /*LockFlags*/
	r := checkRequest(t, reqHex, nil).(*LockRegionStreamRequest)
	if r.RegionSize != 256 || r.LockFlags != 1 {
		t.Fatalf("got %+v", r)
	}
	if nd := prptNode(t, reqHex, nil, true, "RopLockRegionStream.LockFlags"); nd.Sym != "LOCK_WRITE" {
		t.Fatalf("LockFlags name %q", nd.Sym)
	}
	checkResponse(t, "5b"+ /*RopId*/ "01"+ /*InputHandleIndex*/ "00000000" /*ReturnValue*/, nil)
	checkResponse(t, "5b 01 21000380", nil)
	decodeFails(t, "5b 00 01 0000000000000000 0001000000000000 0100", nil, true)
}

func TestUnlockRegionStream(t *testing.T) {
	r := checkRequest(t, "5c"+ /*RopId*/ "00"+ /*LogonId*/ "01"+ /*InputHandleIndex*/
		"1000000000000000"+ /*RegionOffset: 16*/ "0001000000000000"+ /*RegionSize: 256*/ "01000000", /*LockFlags*/ nil).(*UnlockRegionStreamRequest)
	if r.RegionOffset != 16 || r.RegionSize != 256 || r.LockFlags != 1 {
		t.Fatalf("got %+v", r)
	}
	checkResponse(t, "5c"+ /*RopId*/ "01"+ /*InputHandleIndex*/ "00000000" /*ReturnValue*/, nil)
	checkResponse(t, "5c 01 21000380", nil)
}

func TestWriteAndCommitStream(t *testing.T) {
	r := checkRequest(t, "90"+ /*RopId*/ "00"+ /*LogonId*/ "01"+ /*InputHandleIndex*/
		"0200"+ /*DataSize*/ "6869", /*Data: "hi"*/ nil).(*WriteAndCommitStreamRequest)
	if string(r.Data) != "hi" {
		t.Fatalf("got %+v", r)
	}
	s := checkResponse(t, "90"+ /*RopId*/ "01"+ /*InputHandleIndex*/ "00000000"+ /*ReturnValue*/ "0200" /*WrittenSize*/, nil).(*WriteAndCommitStreamResponse)
	if s.WrittenSize != 2 {
		t.Fatalf("got %+v", s)
	}
	checkResponse(t, "90 01 70000380 0000", nil)
	decodeFails(t, "90 00 01 0300 6869", nil, true)
}

func TestCloneStream(t *testing.T) {
	const reqHex = "3b" + /*RopId*/ "00" + /*LogonId*/ "01" + /*InputHandleIndex*/ "02" /*OutputHandleIndex*/
	r := checkRequest(t, reqHex, nil).(*CloneStreamRequest)
	if r.InputHandleIndex != 1 || r.OutputHandleIndex != 2 {
		t.Fatalf("got %+v", r)
	}
	ctx := &Ctx{}
	if _, err := DecodeRequest(wire.NewDecoder(unhex(t, reqHex), false, ""), ctx); err != nil || ctx.OutputHandleIndex != 2 || !ctx.HasOutput {
		t.Fatalf("ctx %+v err %v", ctx, err)
	}
	s := checkResponse(t, "3b"+ /*RopId*/ "02"+ /*OutputHandleIndex*/ "00000000" /*ReturnValue*/, nil).(*CloneStreamResponse)
	if s.HandleIndex != 2 {
		t.Fatalf("got %+v", s)
	}
	if nd := prptNode(t, "3b 02 00000000", nil, false, "RopCloneStream.OutputHandleIndex"); nd.Value != uint64(2) {
		t.Fatalf("OutputHandleIndex %v", nd.Value)
	}
	checkResponse(t, "3b 02 05000780", nil)
}

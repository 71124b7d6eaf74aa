package rpcext

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/mapiscope/mapiscope/decode/lz77"
	"github.com/mapiscope/mapiscope/decode/wire"
)

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.Join(strings.Fields(s), ""))
	if err != nil {
		t.Fatalf("bad hex: %v", err)
	}
	return b
}

// hdr builds an RPC_HEADER_EXT.
func hdr(version, flags, size, actual uint16) []byte {
	b := make([]byte, 8)
	binary.LittleEndian.PutUint16(b, version)
	binary.LittleEndian.PutUint16(b[2:], flags)
	binary.LittleEndian.PutUint16(b[4:], size)
	binary.LittleEndian.PutUint16(b[6:], actual)
	return b
}

func cat(parts ...[]byte) []byte {
	var out []byte
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func xored(b []byte) []byte {
	c := append([]byte(nil), b...)
	lz77.XOR(c)
	return c
}

// roundTrip decodes b (with and without spans), requires no anomaly, and
// requires encode(decode(b)) == b. It returns the blocks.
func roundTrip(t *testing.T, b []byte) []Block {
	t.Helper()
	var blocks []Block
	for _, spans := range []bool{false, true} {
		var c *wire.Codec
		blocks, c = Decode(b, spans)
		if len(c.Anomalies()) > 0 {
			t.Fatalf("decode %x (spans=%v): anomalies %v", b, spans, c.Anomalies())
		}
		if spans && len(c.Tree().JSON(wire.JSONOptions{})) == 0 {
			t.Fatal("no tree")
		}
	}
	in := append([]byte(nil), b...)
	out, err := Append(nil, blocks)
	if err != nil {
		t.Fatalf("encode: %v", err)
	}
	if !bytes.Equal(out, b) {
		t.Fatalf("round trip differs:\n got %x\nwant %x", out, b)
	}
	if !bytes.Equal(in, b) {
		t.Fatal("decode/encode modified the input")
	}
	return blocks
}

func anomalies(t *testing.T, b []byte) []wire.Anomaly {
	t.Helper()
	_, c := Decode(b, true)
	if len(c.Anomalies()) == 0 {
		t.Fatalf("decode %x: expected an anomaly", b)
	}
	return c.Anomalies()
}

func hasAnomaly(as []wire.Anomaly, off int, substr string) bool {
	for _, a := range as {
		if a.Offset == off && strings.Contains(a.Reason, substr) {
			return true
		}
	}
	return false
}

func TestSingleBlock(t *testing.T) {
	b := cat(hdr(0, FlagLast, 5, 5), []byte("hello"))
	blocks := roundTrip(t, b)
	if len(blocks) != 1 {
		t.Fatalf("%d blocks", len(blocks))
	}
	k := blocks[0]
	if k.Version != 0 || k.Flags != FlagLast || k.Size != 5 || k.SizeActual != 5 || k.Offset != 0 {
		t.Fatalf("header %+v offset %d", k.Header, k.Offset)
	}
	if string(k.Data) != "hello" || string(k.Payload) != "hello" || !k.InWire() || k.PayloadOffset() != 8 {
		t.Fatalf("data %q payload %q", k.Data, k.Payload)
	}
}

func TestSeveralBlocks(t *testing.T) {
	b := cat(
		hdr(0, 0, 3, 3), []byte("abc"),
		hdr(0, FlagXorMagic, 2, 2), xored([]byte("de")),
		hdr(0, FlagLast, 4, 4), []byte("fghi"),
	)
	blocks := roundTrip(t, b)
	if len(blocks) != 3 {
		t.Fatalf("%d blocks", len(blocks))
	}
	if got := string(Join(blocks)); got != "abcdefghi" {
		t.Fatalf("joined %q", got)
	}
	if blocks[1].Offset != 11 || blocks[2].Offset != 21 {
		t.Fatalf("offsets %d %d", blocks[1].Offset, blocks[2].Offset)
	}
	if blocks[0].Last() || blocks[1].Last() || !blocks[2].Last() {
		t.Fatal("Last flags")
	}
}

func TestBlocksStopAtLast(t *testing.T) {
	// A block flagged Last ends the chain; what follows is not decoded.
	b := cat(hdr(0, FlagLast, 1, 1), []byte("x"), hdr(0, FlagLast, 1, 1), []byte("y"))
	blocks, c := Decode(b, false)
	if len(blocks) != 1 {
		t.Fatalf("%d blocks", len(blocks))
	}
	if !hasAnomaly(c.Anomalies(), 9, "follow the block flagged Last") {
		t.Fatalf("anomalies %v", c.Anomalies())
	}
}

func TestXorMagic(t *testing.T) {
	data := []byte("obfuscated ROP buffer")
	b := cat(hdr(0, FlagXorMagic|FlagLast, uint16(len(data)), uint16(len(data))), xored(data))
	blocks := roundTrip(t, b)
	if !bytes.Equal(blocks[0].Data, data) {
		t.Fatalf("data %q", blocks[0].Data)
	}
	if blocks[0].InWire() {
		t.Fatal("XORed block reported in wire")
	}
}

func TestCompressedSpecAlphabet(t *testing.T) {
	// [MS-XCA] 2.4.4: "abcdefghijklmnopqrstuvwxyz" with no matches is a
	// flag word 0x0000003F followed by the 26 literals.
	payload := cat(unhex(t, "3f000000"), []byte("abcdefghijklmnopqrstuvwxyz"))
	b := cat(hdr(0, FlagCompressed|FlagLast, uint16(len(payload)), 26), payload)
	// Size (30) is not less than SizeActual (26): the spec's rule for
	// compressed blocks is broken, which is an anomaly; the data still
	// decodes and re-encodes unchanged.
	blocks, c := Decode(b, true)
	if string(blocks[0].Data) != "abcdefghijklmnopqrstuvwxyz" {
		t.Fatalf("data %q", blocks[0].Data)
	}
	if !hasAnomaly(c.Anomalies(), 4, "not less than SizeActual") || len(c.Anomalies()) != 1 {
		t.Fatalf("anomalies %v", c.Anomalies())
	}
	out, err := Append(nil, blocks)
	if err != nil || !bytes.Equal(out, b) {
		t.Fatalf("round trip: %v\n got %x\nwant %x", err, out, b)
	}
}

func repetitive(n int) []byte {
	var b []byte
	for len(b) < n {
		b = append(b, "RopGetPropertiesSpecific RopQueryRows RopSetColumns "...)
	}
	return b[:n]
}

func TestCompressed(t *testing.T) {
	data := repetitive(3000)
	z := lz77.Compress(data)
	if len(z) >= len(data) {
		t.Fatal("fixture does not compress")
	}
	b := cat(hdr(0, FlagCompressed|FlagLast, uint16(len(z)), uint16(len(data))), z)
	blocks := roundTrip(t, b)
	if !bytes.Equal(blocks[0].Data, data) {
		t.Fatal("decompressed data differs")
	}
}

func TestCompressedAndXored(t *testing.T) {
	data := repetitive(500)
	z := xored(lz77.Compress(data))
	b := cat(hdr(0, FlagCompressed|FlagXorMagic|FlagLast, uint16(len(z)), uint16(len(data))), z)
	blocks := roundTrip(t, b)
	if !bytes.Equal(blocks[0].Data, data) {
		t.Fatal("data differs")
	}
}

func TestCompressedSpansShowData(t *testing.T) {
	data := repetitive(200)
	z := lz77.Compress(data)
	b := cat(hdr(0, FlagCompressed|FlagLast, uint16(len(z)), uint16(len(data))), z)
	_, c := Decode(b, true)
	js := string(c.Tree().JSON(wire.JSONOptions{}))
	for _, want := range []string{`"Flags":{"value":5,"name":"Compressed|Last"`, `"Payload":"`, `"Data":{"value":"`} {
		if !strings.Contains(js, want) {
			t.Fatalf("JSON lacks %s:\n%s", want, js)
		}
	}
	// The derived Data node is not found by offset: the payload is.
	if n := c.Tree().Find(9); n == nil || n.Name != "Payload" {
		t.Fatalf("Find(9) = %+v", n)
	}
}

func TestRebuildWhenDataChanges(t *testing.T) {
	for _, flags := range []uint16{0, FlagXorMagic, FlagCompressed, FlagCompressed | FlagXorMagic} {
		data := repetitive(400)
		blk := Build(data, flags, true)
		enc, err := Append(nil, []Block{blk})
		if err != nil {
			t.Fatal(err)
		}
		blocks := roundTrip(t, enc)
		blocks[0].Data = append(repetitive(100), "changed"...)
		enc2, err := Append(nil, blocks)
		if err != nil {
			t.Fatal(err)
		}
		got, c := Decode(enc2, false)
		if len(c.Anomalies()) > 0 {
			t.Fatalf("flags %x: %v", flags, c.Anomalies())
		}
		if !bytes.Equal(got[0].Data, blocks[0].Data) || got[0].Flags != flags|FlagLast {
			t.Fatalf("flags %x: rebuilt block has flags %x data %q", flags, got[0].Flags, got[0].Data)
		}
	}
}

func TestBuildDropsUselessCompression(t *testing.T) {
	blk := Build([]byte("xyz"), FlagCompressed|FlagXorMagic, true)
	if blk.Compressed() || !blk.XorMagic() || !blk.Last() {
		t.Fatalf("flags %x", blk.Flags)
	}
	if blk.Size != 3 || blk.SizeActual != 3 {
		t.Fatalf("sizes %d %d", blk.Size, blk.SizeActual)
	}
	blk = Build(repetitive(1000), FlagCompressed|FlagLast, false)
	if !blk.Compressed() || blk.Last() || int(blk.Size) >= 1000 || blk.SizeActual != 1000 {
		t.Fatalf("%+v", blk.Header)
	}
}

func TestEncodeTooLarge(t *testing.T) {
	blk := Build(make([]byte, 70000), 0, true)
	if _, err := Append(nil, []Block{blk}); err == nil {
		t.Fatal("expected an error for 70000 bytes")
	}
}

func TestAnomalies(t *testing.T) {
	cases := []struct {
		name string
		b    []byte
		off  int
		want string
	}{
		{"empty", nil, 0, "no RPC_HEADER_EXT"},
		{"short header", unhex(t, "0000 0400 05"), 4, "truncated: Size"},
		{"size beyond buffer", cat(hdr(0, FlagLast, 100, 100), []byte("abc")), 8, "exceeds the 3 bytes left"},
		{"no Last", cat(hdr(0, 0, 1, 1), []byte("a")), 9, "without one flagged Last"},
		{"version", cat(hdr(1, FlagLast, 1, 1), []byte("a")), 0, "Version is 0x0001"},
		{"undefined flag", cat(hdr(0, FlagLast|0x10, 1, 1), []byte("a")), 2, "undefined bits 0x0010"},
		{"size mismatch", cat(hdr(0, FlagLast, 1, 2), []byte("a")), 4, "differs from SizeActual"},
		{"trailing", cat(hdr(0, FlagLast, 1, 1), []byte("ab")), 9, "follow the block"},
		{"bad compressed", cat(hdr(0, FlagCompressed|FlagLast, 5, 9), unhex(t, "ffffffff01")), 12, "does not decompress"},
		{"short decompressed", cat(hdr(0, FlagCompressed|FlagLast, 7, 9), unhex(t, "1f000000616263")), 8, "decompresses to 3 bytes"},
		{"huge SizeActual", cat(hdr(0, FlagCompressed|FlagLast, 7, 0xFFFF), unhex(t, "1f000000616263")), 8, "SizeActual says 65535"},
	}
	for _, tc := range cases {
		as := anomalies(t, tc.b)
		if !hasAnomaly(as, tc.off, tc.want) {
			t.Errorf("%s: want %q at %d, got %v", tc.name, tc.want, tc.off, as)
		}
	}
}

func TestAnomalousRoundTrip(t *testing.T) {
	// Blocks that break rules but can be delimited still re-encode as
	// they were.
	for _, b := range [][]byte{
		cat(hdr(1, FlagLast, 1, 2), []byte("a")),
		cat(hdr(0, FlagCompressed|FlagLast, 5, 9), unhex(t, "ffffffff01")),
		cat(hdr(0, FlagCompressed|FlagXorMagic|FlagLast, 3, 300), []byte{1, 2, 3}),
	} {
		blocks, _ := Decode(b, false)
		out, err := Append(nil, blocks)
		if err != nil || !bytes.Equal(out, b) {
			t.Errorf("%x: got %x (%v)", b, out, err)
		}
	}
}

func TestCodecChainFunc(t *testing.T) {
	// In-wire payload: the content decoder sees absolute offsets.
	inner := []byte{0x03, 0x00, 0x07}
	b := cat([]byte{0xEE}, hdr(0, FlagLast, 3, 3), inner)
	c := wire.NewDecoder(b, true, "root")
	var skip uint8
	c.U8(&skip, "Lead")
	var blocks []Block
	var seen []int
	CodecChainFunc(c, &blocks, func(sc *wire.Codec, i int, blk *Block) {
		seen = append(seen, sc.Offset())
		var v uint16
		sc.U16(&v, "RopSize")
		var x uint8
		sc.U8(&x, "Byte")
	})
	if len(c.Anomalies()) > 0 || len(seen) != 1 || seen[0] != 9 {
		t.Fatalf("anomalies %v seen %v", c.Anomalies(), seen)
	}
	if n := c.Tree().Find(11); n == nil || n.Name != "Byte" {
		t.Fatalf("Find(11) = %+v", n)
	}

	// Encoding takes the content from the function.
	enc := wire.NewEncoder(nil)
	CodecChainFunc(enc, &blocks, func(ec *wire.Codec, i int, blk *Block) {
		v, x := uint16(3), uint8(7)
		ec.U16(&v, "RopSize")
		ec.U8(&x, "Byte")
	})
	if !bytes.Equal(enc.Output(), b[1:]) {
		t.Fatalf("encoded %x", enc.Output())
	}

	// Compressed payload: offsets are in the data; anomalies say so.
	data := repetitive(100)
	blk := Build(data, FlagCompressed, true)
	zb, _ := Append(nil, []Block{blk})
	c = wire.NewDecoder(zb, true, "root")
	CodecChainFunc(c, &blocks, func(sc *wire.Codec, i int, blk *Block) {
		if sc.Offset() != 0 {
			t.Errorf("compressed data decoder base %d", sc.Offset())
		}
		var p []byte
		sc.Fixed(&p, 90, "Head")
		sc.Note("something odd")
	})
	as := c.Anomalies()
	if len(as) != 1 || as[0].Offset != 8 || !strings.Contains(as[0].Reason, "at data offset 90") {
		t.Fatalf("anomalies %v", as)
	}
}

func TestPeekHeader(t *testing.T) {
	h, ok := PeekHeader(hdr(0, 5, 7, 9))
	if !ok || h.Flags != 5 || h.Size != 7 || h.SizeActual != 9 {
		t.Fatalf("%+v %v", h, ok)
	}
	if _, ok := PeekHeader([]byte{1}); ok {
		t.Fatal("short header accepted")
	}
}

func FuzzRPCExtChain(f *testing.F) {
	f.Add(cat(hdr(0, FlagLast, 5, 5), []byte("hello")))
	f.Add(cat(hdr(0, 0, 3, 3), []byte("abc"), hdr(0, FlagLast|FlagXorMagic, 2, 2), xored([]byte("de"))))
	z := lz77.Compress(repetitive(300))
	f.Add(cat(hdr(0, FlagCompressed|FlagLast, uint16(len(z)), 300), z))
	f.Add(cat(hdr(0, FlagCompressed|FlagLast, 30, 26), []byte("?\x00\x00\x00abcdefghijklmnopqrstuvwxyz")))
	f.Fuzz(func(t *testing.T, b []byte) {
		in := append([]byte(nil), b...)
		blocks, c := Decode(b, true)
		if !bytes.Equal(in, b) {
			t.Fatal("decode modified its input")
		}
		out, err := Append(nil, blocks)
		if len(c.Anomalies()) == 0 {
			if err != nil {
				t.Fatalf("encode: %v", err)
			}
			if !bytes.Equal(out, b) {
				t.Fatalf("round trip differs:\n got %x\nwant %x", out, b)
			}
		}
		for i := range blocks {
			if blocks[i].Compressed() && len(blocks[i].Data) > int(blocks[i].SizeActual) {
				t.Fatalf("block %d: %d bytes of data for SizeActual %d", i, len(blocks[i].Data), blocks[i].SizeActual)
			}
		}
	})
}

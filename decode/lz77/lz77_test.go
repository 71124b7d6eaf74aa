package lz77

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatalf("bad hex %q: %v", s, err)
	}
	return b
}

// Test vectors from [MS-XCA] section 3.1 (Plain LZ77 examples) and the
// project's shared "compressed" vector.
var specVectors = []struct {
	name       string
	compressed string
	plain      string
}{
	{
		// 26 zero flag bits for the literals, then 6 one bits of padding.
		name:       "MS-XCA 3.1 alphabet (shared vector)",
		compressed: "3f000000 6162636465666768696a6b6c6d6e6f707172737475767778797a",
		plain:      "abcdefghijklmnopqrstuvwxyz",
	},
	{
		// abc[match: distance = 3, length = 297]: metadata 0x0017, nibble
		// 0x0f -> byte 0xff -> 2-byte 0x0126 = 294 = 297-3.
		name:       "MS-XCA 3.1 abc x100",
		compressed: "ff ff ff 1f 61 62 63 17 00 0f ff 26 01",
		plain:      strings.Repeat("abc", 100),
	},
}

func TestSpecVectors(t *testing.T) {
	for _, v := range specVectors {
		t.Run(v.name, func(t *testing.T) {
			comp := unhex(t, v.compressed)
			got, err := Decompress(comp, len(v.plain))
			if err != nil {
				t.Fatalf("Decompress: %v", err)
			}
			if string(got) != v.plain {
				t.Fatalf("Decompress = %q, want %q", got, v.plain)
			}
			// A generous limit must not change the result.
			got, err = Decompress(comp, 1<<20)
			if err != nil || string(got) != v.plain {
				t.Fatalf("Decompress(maxOut=1MiB) = %q, %v", got, err)
			}
			// Our encoder reproduces the spec's encoding byte for byte.
			if c := Compress([]byte(v.plain)); !bytes.Equal(c, comp) {
				t.Fatalf("Compress = % x, want % x", c, comp)
			}
			// One byte short of the output is an error.
			if _, err := Decompress(comp, len(v.plain)-1); !errors.Is(err, ErrTooLarge) {
				t.Fatalf("Decompress(maxOut=%d) err = %v, want ErrTooLarge", len(v.plain)-1, err)
			}
		})
	}
}

// Hand-assembled streams exercising each tier of the length encoding.
var lengthVectors = []struct {
	name       string
	compressed string
	plain      string
}{
	{
		// "abcd", match(4, 12) opens a nibble byte (low nibble 12-10=2),
		// match(4, 15) uses its high nibble (15-10=5): byte 0x52.
		name:       "shared nibble",
		compressed: "ffffff0f 61626364 1f00 52 1f00",
		plain:      strings.Repeat("abcd", 8)[:31],
	},
	{
		// Third long match opens a new nibble byte (low nibble 1).
		name:       "shared nibble then new nibble",
		compressed: "ffffff0f 61626364 1f00 52 1f00 1f00 01",
		plain:      strings.Repeat("abcd", 12)[:31+11],
	},
	{
		name:       "short match",
		compressed: "ffffff7f 61 0600",
		plain:      strings.Repeat("a", 10),
	},
	{
		// length 100: 3 bits = 7, nibble 15, byte 100-3-7-15 = 75.
		name:       "byte length",
		compressed: "ffffff7f 61 0700 0f 4b",
		plain:      strings.Repeat("a", 101),
	},
	{
		// length 25: smallest byte form, byte 0.
		name:       "byte length minimum",
		compressed: "ffffff7f 61 0700 0f 00",
		plain:      strings.Repeat("a", 26),
	},
	{
		// length 279: largest byte form, byte 254.
		name:       "byte length maximum",
		compressed: "ffffff7f 61 0700 0f fe",
		plain:      strings.Repeat("a", 280),
	},
	{
		// length 280: smallest 2-byte form holding 277 = 0x0115.
		name:       "2-byte length minimum",
		compressed: "ffffff7f 61 0700 0f ff 1501",
		plain:      strings.Repeat("a", 281),
	},
	{
		// length 1000: 2-byte form holds 997 = 0x03e5.
		name:       "2-byte length",
		compressed: "ffffff7f 61 0700 0f ff e503",
		plain:      strings.Repeat("a", 1001),
	},
	{
		// length 65538: largest 2-byte form, 0xffff.
		name:       "2-byte length maximum",
		compressed: "ffffff7f 61 0700 0f ff ffff",
		plain:      strings.Repeat("a", 65539),
	},
	{
		// length 65539: 2-byte 0 then 4-byte 65536.
		name:       "4-byte length minimum",
		compressed: "ffffff7f 61 0700 0f ff 0000 00000100",
		plain:      strings.Repeat("a", 65540),
	},
	{
		// length 70000: 4-byte form holds 69997 = 0x0001116d.
		name:       "4-byte length",
		compressed: "ffffff7f 61 0700 0f ff 0000 6d110100",
		plain:      strings.Repeat("a", 70001),
	},
	{
		// Long match whose extension goes through a shared high nibble:
		// match(1, 12) opens nibble byte (low 2), match(1, 100) takes
		// high nibble 15 and appends byte 75.
		name:       "shared nibble escape",
		compressed: "ffffff7f 61 0700 f2 0700 4b",
		plain:      strings.Repeat("a", 113),
	},
	{
		// offset 8192: metadata 0xfff8 | len.
		name:       "maximum offset",
		compressed: "", // filled in by init
	},
}

func init() {
	// "maximum offset": 8192 literals of a pattern, then match(8192, 3).
	plain := make([]byte, 0, 8195)
	for i := 0; i < 8192; i++ {
		plain = append(plain, byte(i*7+i>>8))
	}
	plain = append(plain, plain[:3]...)
	// 8192 literals = 256 flag words of zeros, then a flag word 0x7fffffff.
	var out []byte
	for w := 0; w < 256; w++ {
		out = binary.LittleEndian.AppendUint32(out, 0)
		out = append(out, plain[w*32:w*32+32]...)
	}
	out = binary.LittleEndian.AppendUint32(out, 0xffffffff)
	out = binary.LittleEndian.AppendUint16(out, 0xfff8)
	lengthVectors[len(lengthVectors)-1].compressed = hex.EncodeToString(out)
	lengthVectors[len(lengthVectors)-1].plain = string(plain)
}

func TestLengthEncodings(t *testing.T) {
	for _, v := range lengthVectors {
		t.Run(v.name, func(t *testing.T) {
			comp := unhex(t, v.compressed)
			got, err := Decompress(comp, len(v.plain))
			if err != nil {
				t.Fatalf("Decompress: %v", err)
			}
			if string(got) != v.plain {
				t.Fatalf("Decompress = %d bytes, want %d", len(got), len(v.plain))
			}
			ref, err := refDecompress(comp, len(v.plain))
			if err != nil || string(ref) != v.plain {
				t.Fatalf("reference decoder disagrees: %v", err)
			}
			if _, err := Decompress(comp, len(v.plain)-1); !errors.Is(err, ErrTooLarge) {
				t.Fatalf("maxOut-1: err = %v, want ErrTooLarge", err)
			}
		})
	}
}

// The encoder must produce exactly the spec encodings for single runs
// ("a" followed by one match at distance 1).
func TestCompressLengthEncodings(t *testing.T) {
	for _, v := range lengthVectors {
		if !strings.HasPrefix(v.name, "byte") && !strings.HasPrefix(v.name, "2-byte") &&
			!strings.HasPrefix(v.name, "4-byte") && v.name != "short match" {
			continue
		}
		t.Run(v.name, func(t *testing.T) {
			want := unhex(t, v.compressed)
			if got := Compress([]byte(v.plain)); !bytes.Equal(got, want) {
				t.Fatalf("Compress = % x, want % x", got, want)
			}
		})
	}
}

// The encoder shares nibbles between consecutive long matches exactly as
// MS-XCA 2.3.4 describes.
func TestEncoderSharedNibble(t *testing.T) {
	enc := func(f func(e *encoder)) []byte {
		e := &encoder{out: make([]byte, 64), op: 4, nibblePos: -1}
		f(e)
		return e.finish()
	}
	cases := []struct {
		name string
		got  []byte
		want string
	}{
		{"shared nibble", enc(func(e *encoder) {
			for _, b := range []byte("abcd") {
				e.literal(b)
			}
			e.match(4, 12)
			e.match(4, 15)
		}), lengthVectors[0].compressed},
		{"shared nibble then new nibble", enc(func(e *encoder) {
			for _, b := range []byte("abcd") {
				e.literal(b)
			}
			e.match(4, 12)
			e.match(4, 15)
			e.match(4, 11)
		}), lengthVectors[1].compressed},
		{"shared nibble escape", enc(func(e *encoder) {
			e.literal('a')
			e.match(1, 12)
			e.match(1, 100)
		}), lengthVectors[11].compressed},
		{"empty", enc(func(e *encoder) {}), "ffffffff"},
	}
	for _, c := range cases {
		if want := unhex(t, c.want); !bytes.Equal(c.got, want) {
			t.Errorf("%s: got % x, want % x", c.name, c.got, want)
		}
	}
}

func TestEmpty(t *testing.T) {
	for _, in := range []string{"", "ffffffff", "00000000"} {
		got, err := Decompress(unhex(t, in), 0)
		if err != nil || len(got) != 0 {
			t.Errorf("Decompress(%q, 0) = %q, %v; want empty", in, got, err)
		}
	}
	if c := Compress(nil); !bytes.Equal(c, []byte{0xff, 0xff, 0xff, 0xff}) {
		t.Errorf("Compress(nil) = % x", c)
	}
}

// Streams that end where a flag word or a literal would be read are
// accepted (the MS-XCA encoder never produces them, but they are unambiguous).
func TestLenientEnd(t *testing.T) {
	lits := strings.Repeat("x", 32)
	cases := []struct{ in, want string }{
		{"00000000" + hex.EncodeToString([]byte(lits)), lits}, // no final flag word
		{"00000000 616263", "abc"},                            // literal flags past the end
		{"ffffff7f 61 0000", "aaaa"},                          // ends after a match
		{"ffffff5f 61 0000", "aaaa"},                          // literal bit then nothing
	}
	for _, c := range cases {
		got, err := Decompress(unhex(t, c.in), 100)
		if err != nil || string(got) != c.want {
			t.Errorf("Decompress(%s) = %q, %v; want %q", c.in, got, err, c.want)
		}
		compareWithReference(t, unhex(t, c.in), 100)
	}
}

func TestHostileInput(t *testing.T) {
	cases := []struct {
		name   string
		in     string
		maxOut int
		kind   error
		msg    string // substring of the error message
	}{
		{"truncated flag word", "ffff", 100, ErrCorrupt, "truncated flag word (2 of 4 bytes) at input offset 0"},
		{"truncated second flag word", "00000000" + strings.Repeat("61", 32) + "ff", 100, ErrCorrupt, "truncated flag word (1 of 4 bytes) at input offset 36"},
		{"truncated metadata", "ffffff7f 61 07", 100, ErrCorrupt, "truncated match metadata (1 of 2 bytes) at input offset 5"},
		{"truncated nibble", "ffffff7f 61 0700", 100, ErrCorrupt, "truncated match length nibble at input offset 7"},
		{"truncated length byte", "ffffff7f 61 0700 0f", 100, ErrCorrupt, "truncated match length byte at input offset 8"},
		{"truncated 2-byte length", "ffffff7f 61 0700 0f ff e5", 2000, ErrCorrupt, "truncated 2-byte match length at input offset 9"},
		{"truncated 4-byte length", "ffffff7f 61 0700 0f ff 0000 6d11", 1 << 20, ErrCorrupt, "truncated 4-byte match length at input offset 11"},
		{"extended length below 22", "ffffff7f 61 0700 0f ff 1500", 1000, ErrCorrupt, "extended match length field 21 below minimum 22 at input offset 5"},
		{"extended 4-byte length below 22", "ffffff7f 61 0700 0f ff 0000 01000000", 1000, ErrCorrupt, "extended match length field 1 below minimum 22"},
		// offset 300: metadata (299<<3)|0 = 0x0958.
		{"offset before start", "ffffff7f 61 5809", 1000, ErrCorrupt, "lz77: match offset 300 before start of output at input offset 5"},
		{"match with no output", "ffffffff 0000", 1000, ErrCorrupt, "match offset 1 before start of output at input offset 4"},
		{"match past maxOut", "ffffff7f 61 0700 0f ff e503", 1000, ErrTooLarge, "match length 1000 exceeds output limit of 1000 bytes (1 already produced)"},
		{"literals past maxOut", specVectors[0].compressed, 20, ErrTooLarge, "output exceeds limit of 20 bytes at input offset 24"},
		{"huge 4-byte length", "ffffff7f 61 0700 0f ff 0000 ffffffff", 1 << 30, ErrTooLarge, "match length 4294967298 exceeds"},
		{"negative maxOut", "", -1, ErrTooLarge, "negative output limit"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := unhex(t, c.in)
			got, err := Decompress(in, c.maxOut)
			if err == nil {
				t.Fatalf("Decompress succeeded with %d bytes, want error", len(got))
			}
			if got != nil {
				t.Errorf("Decompress returned %d bytes with error", len(got))
			}
			if !errors.Is(err, c.kind) {
				t.Errorf("err = %v, want errors.Is %v", err, c.kind)
			}
			var le *Error
			if !errors.As(err, &le) {
				t.Errorf("err %T is not *Error", err)
			}
			if !strings.Contains(err.Error(), c.msg) {
				t.Errorf("err = %q, want it to contain %q", err, c.msg)
			}
			// Every truncation of a hostile input fails or succeeds
			// cleanly, never panics.
			for i := 0; i <= len(in); i++ {
				_, _ = Decompress(in[:i], c.maxOut)
			}
		})
	}
}

// A tiny input may not trigger a huge allocation, whatever maxOut says.
func TestNoBigAllocation(t *testing.T) {
	if strconv.IntSize < 64 {
		t.Skip("needs 64-bit int")
	}
	var big uint64 = 1<<32 - 1
	maxOut := int(big)
	inputs := map[string][]byte{
		"flag word only":             unhex(t, "ffffffff"),
		"zero flag word":             unhex(t, "00000000"),
		"huge 4-byte length":         unhex(t, "ffffff7f 61 0700 0f ff 0000 ffffffff"),
		"huge 4-byte length bad off": unhex(t, "ffffff7f 61 ff07 0f ff 0000 ffffffff"),
		"alphabet":                   unhex(t, specVectors[0].compressed),
	}
	for name, in := range inputs {
		t.Run(name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			const runs = 100
			allocs := testing.AllocsPerRun(runs, func() {
				_, _ = Decompress(in, maxOut)
			})
			runtime.ReadMemStats(&after)
			perRun := (after.TotalAlloc - before.TotalAlloc) / (runs + 1)
			if allocs > 10 {
				t.Errorf("%v allocations per run", allocs)
			}
			if perRun > 4096 {
				t.Errorf("%d bytes allocated per run for a %d-byte input", perRun, len(in))
			}
		})
	}
}

// The output buffer never exceeds maxOut, even while growing.
func TestCapacityBoundedByMaxOut(t *testing.T) {
	for _, data := range [][]byte{
		bytes.Repeat([]byte("abc"), 100),
		make([]byte, 1<<20),
		typicalData(1 << 16),
	} {
		c := Compress(data)
		out, err := Decompress(c, len(data))
		if err != nil || !bytes.Equal(out, data) {
			t.Fatalf("round trip failed: %v", err)
		}
		if cap(out) > len(data) {
			t.Errorf("cap(out) = %d > maxOut %d", cap(out), len(data))
		}
	}
}

func TestDecompressAppend(t *testing.T) {
	comp := unhex(t, specVectors[1].compressed)
	want := strings.Repeat("abc", 100)

	out, err := DecompressAppend([]byte("prefix:"), comp, 300)
	if err != nil || string(out) != "prefix:"+want {
		t.Fatalf("DecompressAppend = %q, %v", out, err)
	}

	// Reuse: no allocation when dst has room.
	buf := make([]byte, 0, 512)
	allocs := testing.AllocsPerRun(100, func() {
		out, err = DecompressAppend(buf[:0], comp, 300)
	})
	if err != nil || string(out) != want {
		t.Fatalf("DecompressAppend(reuse) = %q, %v", out, err)
	}
	if allocs != 0 {
		t.Errorf("DecompressAppend with spare capacity allocated %v times", allocs)
	}
	if &out[0] != &buf[:1][0] {
		t.Errorf("DecompressAppend did not reuse dst")
	}

	// maxOut counts appended bytes only.
	if _, err := DecompressAppend([]byte("xx"), comp, 299); !errors.Is(err, ErrTooLarge) {
		t.Errorf("maxOut 299: err = %v", err)
	}

	// Matches cannot reach into dst's existing contents.
	dst := []byte("abc")
	got, err := DecompressAppend(dst, unhex(t, "ffffffff 1000"), 100)
	if !errors.Is(err, ErrCorrupt) {
		t.Errorf("match into prefix: err = %v", err)
	}
	if string(got) != "abc" {
		t.Errorf("on error DecompressAppend returned %q, want original dst", got)
	}
}

func TestXOR(t *testing.T) {
	for n := 0; n < 40; n++ {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(i * 37)
		}
		orig := append([]byte(nil), b...)
		XOR(b)
		for i := range b {
			if b[i] != orig[i]^0xA5 {
				t.Fatalf("n=%d: b[%d] = %#x, want %#x", n, i, b[i], orig[i]^0xA5)
			}
		}
		XOR(b)
		if !bytes.Equal(b, orig) {
			t.Fatalf("n=%d: XOR is not its own inverse", n)
		}
	}
	b := []byte{0x00, 0xa5, 0xff}
	XOR(b)
	if !bytes.Equal(b, []byte{0xa5, 0x00, 0x5a}) {
		t.Errorf("XOR = % x", b)
	}
}

// ---- round trips -------------------------------------------------------

var words = strings.Fields(`the of and to in is you that it he was for on are as with his
they at be this have from or one had by word but not what all were we when your can said
there use an each which she do how their if will up other about out many then them these
so some her would make like him into time has look two more write go see number no way
could people my than first water been call who oil its now find long down day did get come
made may part Message Folder Subject Recipient Attachment PidTagBody PidTagSubject
Exchange MAPI EMSMDB Execute Connect Disconnect NotificationWait ROP buffer`)

// typicalData returns deterministic data resembling MAPI payloads: runs of
// text interleaved with binary property records.
func typicalData(n int) []byte {
	r := rand.New(rand.NewPCG(1, uint64(n)))
	tags := []uint32{0x0037001f, 0x1000001f, 0x0e080003, 0x0e070003, 0x3001001f, 0x0ff90102, 0x00390040, 0x0e1b000b}
	guids := make([][]byte, 4)
	for i := range guids {
		guids[i] = make([]byte, 16)
		for j := range guids[i] {
			guids[i][j] = byte(r.IntN(256))
		}
	}
	out := make([]byte, 0, n+256)
	for len(out) < n {
		switch r.IntN(3) {
		case 0, 1: // a sentence of text, sometimes UTF-16LE
			utf16 := r.IntN(3) == 0
			for w := 3 + r.IntN(20); w > 0; w-- {
				word := words[r.IntN(len(words))]
				for _, c := range []byte(word + " ") {
					out = append(out, c)
					if utf16 {
						out = append(out, 0)
					}
				}
			}
		case 2: // a binary row of properties
			for p := 1 + r.IntN(8); p > 0; p-- {
				tag := tags[r.IntN(len(tags))]
				out = binary.LittleEndian.AppendUint32(out, tag)
				switch tag & 0xffff {
				case 0x0003:
					out = binary.LittleEndian.AppendUint32(out, uint32(r.IntN(1000)))
				case 0x000b:
					out = append(out, byte(r.IntN(2)))
				case 0x0040:
					out = binary.LittleEndian.AppendUint64(out, 0x01d9000000000000|uint64(r.IntN(1<<30)))
				case 0x0102:
					out = binary.LittleEndian.AppendUint16(out, 22)
					out = append(out, guids[r.IntN(len(guids))]...)
					out = append(out, 0, 0, 0, 0, byte(r.IntN(256)), byte(r.IntN(256)))
				default:
					out = append(out, 0, 0, 0, 0, 0, 0, 0, 0)
				}
			}
		}
	}
	return out[:n]
}

func genData(kind string, n int) []byte {
	r := rand.New(rand.NewPCG(uint64(n), 7))
	b := make([]byte, n)
	switch kind {
	case "random":
		for i := range b {
			b[i] = byte(r.IntN(256))
		}
	case "zero":
	case "text":
		var sb strings.Builder
		for sb.Len() < n {
			sb.WriteString(words[r.IntN(len(words))])
			sb.WriteByte(' ')
		}
		copy(b, sb.String())
	case "repetitive":
		period := 1 + n%13
		for i := range b {
			b[i] = byte('A' + i%period)
		}
	case "typical":
		b = typicalData(n)
	case "lowentropy": // few symbols, many short matches and literals
		for i := range b {
			b[i] = "ab\x00"[r.IntN(3)]
		}
	case "far": // matches at distances around the 8192 window limit
		block := make([]byte, 8190+n%5)
		for i := range block {
			block[i] = byte(r.IntN(256))
		}
		for i := range b {
			b[i] = block[i%len(block)]
		}
	}
	return b
}

var kinds = []string{"random", "zero", "text", "repetitive", "typical", "lowentropy", "far"}

func checkRoundTrip(t *testing.T, data []byte) []byte {
	t.Helper()
	c := Compress(data)
	if bound := len(data) + len(data)/8 + 4; len(c) > bound {
		t.Fatalf("len %d: compressed to %d bytes, over bound %d", len(data), len(c), bound)
	}
	got, err := Decompress(c, len(data))
	if err != nil {
		t.Fatalf("len %d: Decompress(Compress(x)): %v", len(data), err)
	}
	if !bytes.Equal(got, data) {
		t.Fatalf("len %d: round trip mismatch", len(data))
	}
	return c
}

func TestRoundTripSmall(t *testing.T) {
	for _, kind := range kinds {
		t.Run(kind, func(t *testing.T) {
			for n := 0; n <= 300; n++ {
				c := checkRoundTrip(t, genData(kind, n))
				ref, err := refDecompress(c, n)
				if err != nil || len(ref) != n {
					t.Fatalf("len %d: reference decoder rejects our stream: %v", n, err)
				}
			}
		})
	}
}

func TestRoundTripLarge(t *testing.T) {
	sizes := []int{1000, 4095, 4096, 8191, 8192, 8193, 8195, 16385, 65535, 1 << 16, 65537, 200003, 1 << 20}
	for _, kind := range kinds {
		for _, n := range sizes {
			t.Run(fmt.Sprintf("%s/%d", kind, n), func(t *testing.T) {
				data := genData(kind, n)
				c := checkRoundTrip(t, data)
				if n == 1<<16 || n == 1<<20 {
					t.Logf("ratio %.3f (%d -> %d)", float64(len(c))/float64(n), n, len(c))
				}
				if kind == "typical" && n >= 8192 && len(c) > n/2 {
					t.Errorf("typical data compressed poorly: %d -> %d", n, len(c))
				}
				if kind == "zero" && n >= 1<<16 && len(c) > 32 {
					t.Errorf("zeros compressed poorly: %d -> %d", n, len(c))
				}
				ref, err := refDecompress(c, n)
				if err != nil || !bytes.Equal(ref, data) {
					t.Fatalf("reference decoder disagrees: %v", err)
				}
			})
		}
	}
}

// Rebasing the matcher's position tables must not change the output.
func TestCompressRebase(t *testing.T) {
	data := append(typicalData(300000), genData("far", 100000)...)
	data = append(data, make([]byte, 70000)...)
	want := Compress(data)
	old := rebaseAt
	rebaseAt = 3 * MaxOffset
	defer func() { rebaseAt = old }()
	got := Compress(data)
	if !bytes.Equal(got, want) {
		t.Fatalf("rebasing changed the compressed output")
	}
	out, err := Decompress(got, len(data))
	if err != nil || !bytes.Equal(out, data) {
		t.Fatalf("round trip with rebasing failed: %v", err)
	}
}

// Random and mutated streams: the fast decoder agrees with the reference
// decoder written straight from the MS-XCA pseudocode.
func TestDecompressMatchesReference(t *testing.T) {
	r := rand.New(rand.NewPCG(42, 42))
	var seeds [][]byte
	for _, v := range specVectors {
		seeds = append(seeds, unhex(t, v.compressed))
	}
	for _, v := range lengthVectors[:len(lengthVectors)-1] {
		seeds = append(seeds, unhex(t, v.compressed))
	}
	seeds = append(seeds, Compress(typicalData(3000)), Compress(genData("lowentropy", 2000)))
	for i := 0; i < 20000; i++ {
		var in []byte
		if i%2 == 0 {
			in = append([]byte(nil), seeds[r.IntN(len(seeds))]...)
			for m := 1 + r.IntN(4); m > 0 && len(in) > 0; m-- {
				switch r.IntN(3) {
				case 0:
					in[r.IntN(len(in))] = byte(r.IntN(256))
				case 1:
					in = in[:r.IntN(len(in)+1)]
				case 2:
					in[r.IntN(len(in))] ^= 1 << r.IntN(8)
				}
			}
		} else {
			in = make([]byte, r.IntN(64))
			for j := range in {
				in[j] = byte(r.IntN(256))
			}
		}
		maxOut := []int{0, 10, 300, 5000, 1 << 17}[r.IntN(5)]
		compareWithReference(t, in, maxOut)
	}
}

func compareWithReference(t *testing.T, in []byte, maxOut int) {
	t.Helper()
	got, err := Decompress(in, maxOut)
	want, werr := refDecompress(in, maxOut)
	if (err == nil) != (werr == nil) {
		t.Fatalf("input % x maxOut %d: Decompress err = %v, reference err = %v", in, maxOut, err, werr)
	}
	if err != nil {
		if !errors.Is(err, werr) {
			t.Fatalf("input % x maxOut %d: error kind %v, reference %v", in, maxOut, err, werr)
		}
		return
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("input % x maxOut %d: output differs from reference", in, maxOut)
	}
}

// refDecompress is a literal transcription of the [MS-XCA] 2.4.4
// pseudocode (byte-at-a-time copying, explicit bounds checks), with the
// same end-of-input leniency and maxOut rule as Decompress. It returns
// ErrCorrupt or ErrTooLarge.
func refDecompress(in []byte, maxOut int) ([]byte, error) {
	var out []byte
	var bufferedFlags uint32
	bufferedFlagCount := 0
	inputPosition := 0
	lastLengthHalfByte := 0
	need := func(k int) bool { return inputPosition+k <= len(in) }
	for {
		if bufferedFlagCount == 0 {
			if inputPosition == len(in) {
				return out, nil
			}
			if !need(4) {
				return nil, ErrCorrupt
			}
			bufferedFlags = binary.LittleEndian.Uint32(in[inputPosition:])
			inputPosition += 4
			bufferedFlagCount = 32
		}
		bufferedFlagCount--
		if bufferedFlags&(1<<bufferedFlagCount) == 0 {
			if inputPosition == len(in) {
				return out, nil
			}
			if len(out) >= maxOut {
				return nil, ErrTooLarge
			}
			out = append(out, in[inputPosition])
			inputPosition++
			continue
		}
		if inputPosition == len(in) {
			return out, nil
		}
		if !need(2) {
			return nil, ErrCorrupt
		}
		matchBytes := uint64(binary.LittleEndian.Uint16(in[inputPosition:]))
		inputPosition += 2
		matchLength := matchBytes % 8
		matchOffset := matchBytes/8 + 1
		if matchLength == 7 {
			if lastLengthHalfByte == 0 {
				if !need(1) {
					return nil, ErrCorrupt
				}
				matchLength = uint64(in[inputPosition]) % 16
				lastLengthHalfByte = inputPosition
				inputPosition++
			} else {
				matchLength = uint64(in[lastLengthHalfByte]) / 16
				lastLengthHalfByte = 0
			}
			if matchLength == 15 {
				if !need(1) {
					return nil, ErrCorrupt
				}
				matchLength = uint64(in[inputPosition])
				inputPosition++
				if matchLength == 255 {
					if !need(2) {
						return nil, ErrCorrupt
					}
					matchLength = uint64(binary.LittleEndian.Uint16(in[inputPosition:]))
					inputPosition += 2
					if matchLength == 0 {
						if !need(4) {
							return nil, ErrCorrupt
						}
						matchLength = uint64(binary.LittleEndian.Uint32(in[inputPosition:]))
						inputPosition += 4
					}
					if matchLength < 15+7 {
						return nil, ErrCorrupt
					}
					matchLength -= 15 + 7
				}
				matchLength += 15
			}
			matchLength += 7
		}
		matchLength += 3
		if matchOffset > uint64(len(out)) {
			return nil, ErrCorrupt
		}
		if matchLength > uint64(maxOut-len(out)) {
			return nil, ErrTooLarge
		}
		for i := uint64(0); i < matchLength; i++ {
			out = append(out, out[uint64(len(out))-matchOffset])
		}
	}
}

// ---- fuzzing -----------------------------------------------------------

func FuzzDecompress(f *testing.F) {
	for _, v := range specVectors {
		f.Add(unhex(f, v.compressed))
	}
	for _, v := range lengthVectors[:len(lengthVectors)-1] {
		f.Add(unhex(f, v.compressed))
	}
	f.Add(Compress(typicalData(2000)))
	f.Fuzz(func(t *testing.T, in []byte) {
		const maxOut = 1 << 20
		out, err := Decompress(in, maxOut)
		compareWithReference(t, in, maxOut)
		if err != nil {
			return
		}
		if len(out) > maxOut {
			t.Fatalf("output %d bytes exceeds maxOut", len(out))
		}
		c := Compress(out)
		back, err := Decompress(c, len(out))
		if err != nil {
			t.Fatalf("Decompress(Compress(out)): %v", err)
		}
		if !bytes.Equal(back, out) {
			t.Fatalf("Compress/Decompress round trip mismatch")
		}
	})
}

func FuzzRoundTrip(f *testing.F) {
	f.Add([]byte(""))
	f.Add([]byte("abcdefghijklmnopqrstuvwxyz"))
	f.Add(bytes.Repeat([]byte("abc"), 100))
	f.Add(typicalData(1000))
	f.Add(make([]byte, 70000))
	f.Fuzz(func(t *testing.T, in []byte) {
		c := Compress(in)
		if bound := len(in) + len(in)/8 + 4; len(c) > bound {
			t.Fatalf("compressed %d bytes to %d, over bound %d", len(in), len(c), bound)
		}
		out, err := Decompress(c, len(in))
		if err != nil {
			t.Fatalf("Decompress: %v", err)
		}
		if !bytes.Equal(out, in) {
			t.Fatalf("round trip mismatch")
		}
	})
}

// ---- benchmarks --------------------------------------------------------

func BenchmarkDecompress(b *testing.B) {
	data := typicalData(64 << 10)
	c := Compress(data)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := Decompress(c, len(data)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(c))/float64(len(data)), "ratio")
}

func BenchmarkDecompressAppend(b *testing.B) {
	data := typicalData(64 << 10)
	c := Compress(data)
	buf := make([]byte, 0, len(data))
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := DecompressAppend(buf[:0], c, len(data)); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCompress(b *testing.B) {
	data := typicalData(64 << 10)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		Compress(data)
	}
}

func BenchmarkCompressRandom(b *testing.B) {
	data := genData("random", 64<<10)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		Compress(data)
	}
}

func BenchmarkXOR(b *testing.B) {
	data := typicalData(64 << 10)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		XOR(data)
	}
}

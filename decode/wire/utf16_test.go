package wire

import (
	"encoding/binary"
	"testing"
	"unicode/utf16"
)

func utf16Bytes(s string) []byte {
	u := utf16.Encode([]rune(s))
	b := make([]byte, 2*len(u))
	for i, x := range u {
		binary.LittleEndian.PutUint16(b[2*i:], x)
	}
	return b
}

func TestDecodeUTF16(t *testing.T) {
	for _, s := range []string{"", "abc", "é—ü", "😀x", "a\u00ffb\u07ff\u0800"} {
		g, ok := DecodeUTF16(utf16Bytes(s))
		if g != s || !ok {
			t.Fatalf("%q decoded as %q (ok=%v)", s, g, ok)
		}
		if string(AppendUTF16(nil, s)) != string(utf16Bytes(s)) {
			t.Fatalf("%q encodes differently", s)
		}
	}
	// An unpaired high surrogate cannot round-trip: it is flagged.
	g, ok := DecodeUTF16([]byte{0x00, 0xD8, 0x41, 0x00})
	if ok || g != "\uFFFDA" {
		t.Fatalf("unpaired surrogate: %q ok=%v", g, ok)
	}
}

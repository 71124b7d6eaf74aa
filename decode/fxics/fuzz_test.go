package fxics

import (
	"bytes"
	"fmt"
	"reflect"
	"testing"

	"github.com/mapiscope/mapiscope/decode/wire"
)

// fuzzLexerOptions make the large-value path reachable with small inputs.
var fuzzLexerOptions = LexerOptions{MaxValue: 300, KeepPrefix: 40}

func lexPieces(pieces ...[]byte) ([]Atom, []wire.Anomaly) {
	l := NewLexer(fuzzLexerOptions)
	var atoms []Atom
	for _, p := range pieces {
		l.Feed(p)
		atoms = append(atoms, l.Atoms()...)
	}
	l.Close()
	atoms = append(atoms, l.Atoms()...)
	return atoms, l.Anomalies()
}

// FuzzLexer feeds arbitrary bytes whole, split at a fuzzer-chosen point,
// and in small pieces: no panic, and the same atoms and anomalies every
// way. The atoms then go through the parser and the span tree.
func FuzzLexer(f *testing.F) {
	f.Add(mustEncode(f, sampleContentsSync(2, 20)), uint16(37))
	f.Add(unhex(f, handContents), uint16(100))
	f.Add(unhex(f, blogSample), uint16(5))
	f.Fuzz(func(t *testing.T, b []byte, split uint16) {
		cut := int(split) % (len(b) + 1)
		whole, wan := lexPieces(b)
		two, tan := lexPieces(b[:cut], b[cut:])
		if !reflect.DeepEqual(whole, two) || fmt.Sprint(wan) != fmt.Sprint(tan) {
			t.Fatalf("split at %d: %d atoms %v vs %d atoms %v", cut, len(whole), wan, len(two), tan)
		}
		step := int(split)%7 + 1
		var pieces [][]byte
		for i := 0; i < len(b); i += step {
			pieces = append(pieces, b[i:min(i+step, len(b))])
		}
		many, man := lexPieces(pieces...)
		if !reflect.DeepEqual(whole, many) || fmt.Sprint(wan) != fmt.Sprint(man) {
			t.Fatalf("pieces of %d: atoms differ", step)
		}
		var end int64
		for _, a := range whole {
			if a.Off != end || a.Len < 4 {
				t.Fatalf("atom %s at %d, expected at %d", a.String(), a.Off, end)
			}
			end = a.End()
		}
		if end > int64(len(b)) {
			t.Fatalf("atoms end at %d past %d", end, len(b))
		}
		// Parse with a guessed root and render.
		p := NewParser(ParserOptions{})
		p.Push(whole)
		p.Close()
		if r := p.Root(); r != nil {
			n := r.Node()
			_ = n.JSON(wire.JSONOptions{Spans: true})
			_ = n.Text()
			// What parsed without a truncated atom re-encodes to the input.
			if len(wan) == 0 && !truncatedAtoms(whole) {
				out, err := Encode(r)
				if err != nil || !bytes.Equal(out, b[:end]) {
					t.Fatalf("re-encode differs (%v)", err)
				}
			}
		}
	})
}

func truncatedAtoms(as []Atom) bool {
	for _, a := range as {
		if a.Truncated {
			return true
		}
	}
	return false
}

// FuzzIDSet decodes arbitrary bytes in both IDSET forms: no panic; when a
// form decodes cleanly, its canonical encoding decodes to the same set and
// re-encodes to itself.
func FuzzIDSet(f *testing.F) {
	for _, c := range globsetCases {
		f.Add(append([]byte{1, 0}, unhex(f, c.hex)...))
	}
	f.Add(IDSet{{ReplGUID: testReplGUID, HasGUID: true, Ranges: []Range{{1, 10}, {0x10000, 0x10004}}}}.Encode(true))
	f.Add([]byte{1, 0, 5, 0, 0, 0, 0, 0, 0x42, 0xFE, 0xFF, 0x50, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, form := range []IDSetForm{FormREPLID, FormREPLGUID} {
			s, _, n, an := DecodeIDSetNode(b, form, 7, true)
			if n != nil {
				_ = n.JSON(wire.JSONOptions{})
			}
			_ = s.String()
			if len(an) > 0 {
				continue
			}
			guid := form == FormREPLGUID
			enc := s.Encode(guid)
			back, err := DecodeIDSet(enc, guid)
			if err != nil {
				t.Fatalf("%s: canonical encoding %x does not decode: %v", form, enc, err)
			}
			if !reflect.DeepEqual(back.canonical(), s.canonical()) {
				t.Fatalf("%s: %v → %x → %v", form, s, enc, back)
			}
			if again := back.Encode(guid); !bytes.Equal(again, enc) {
				t.Fatalf("%s: canonical encoding not stable: %x vs %x", form, enc, again)
			}
			// Set algebra sanity on what decoded.
			if d := Difference(s, s); len(d) != 0 {
				t.Fatalf("s − s = %v", d)
			}
			if !Union(s, s).Equal(s) {
				t.Fatalf("s ∪ s ≠ s")
			}
		}
		_, _, _, _ = DecodeIDSetNode(b, FormUnknown, 0, false)
	})
}

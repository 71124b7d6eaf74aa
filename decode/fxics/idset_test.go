package fxics

import (
	"bytes"
	"strings"
	"testing"

	"github.com/mapiscope/mapiscope/decode/prop"
)

// GLOBSETs written from the command rules of [MS-OXCFXICS] 2.2.2.6 and
// 3.1.5.4.3, as the canonical encoder writes them.
var globsetCases = []struct {
	name string
	hex  string
	want string // RangesString
}{
	{"empty", "00", "(empty)"},
	{"singleton by a 6-byte push", "06 000000000110 00", "272"},
	{"range under 5 common bytes", "05 0000000000 52 01 05 50 00", "1-5"},
	{"bitmask", "05 0000000020 42 01 46 50 00", "8193, 8195-8196, 8200"},
	{"two singletons under 5 bytes", "05 0000000000 01 01 01 20 50 00", "1, 32"},
	{"range across the low byte", "04 00000000 52 0100 0250 50 00", "256-592"},
	{"range at the top level", "52 000000000001 010000000000 00", "1-1099511627776"},
	{"nested pushes", "04 01020304 01 05 52 06 07 01 10 52 20 30 50 01 06 01 06 01 10 50 50 00",
		"1108152157446-1108152157447, 1108152157456, 1108152157472-1108152157488, 1108152157702, 1108152157712"},
	{"runs by byte", "04 00000000 02 0102 02 0203 02 0304 50 00", "258, 515, 772"},
}

func TestGLOBSETCanonical(t *testing.T) {
	for _, c := range globsetCases {
		t.Run(c.name, func(t *testing.T) {
			b := unhex(t, c.hex)
			s, err := DecodeIDSet(append([]byte{1, 0}, b...), false)
			if err != nil {
				t.Fatal(err)
			}
			if len(s) != 1 || s[0].ReplID != 1 {
				t.Fatalf("set %v", s)
			}
			if got := RangesString(s[0].Ranges); got != c.want {
				t.Fatalf("ranges %s, want %s", got, c.want)
			}
			if enc := AppendGLOBSET(nil, s[0].Ranges); !bytes.Equal(enc, b) {
				t.Fatalf("encoded %x, want %x", enc, b)
			}
		})
	}
}

// The encoder's choices under five common bytes: a Range for a lone run,
// a Bitmask when several ranges fall within nine values, a one-byte Push
// for a lone value; and a Range of more bytes for a run across a byte.
func TestGLOBSETChoices(t *testing.T) {
	cases := []struct {
		rs   []Range
		want string
	}{
		{[]Range{{2, 4}}, "05 0000000000 52 02 04 50 00"},
		{[]Range{{2, 2}, {4, 4}}, "05 0000000000 42 02 02 50 00"},
		{[]Range{{2, 2}, {40, 40}}, "05 0000000000 01 02 01 28 50 00"},
		{[]Range{{2, 2}, {4, 100}}, "05 0000000000 01 02 52 04 64 50 00"},
		{[]Range{{0x10000, 0x10000}, {0x20005, 0x20006}}, "03 000000 03 010000 02 02 00 52 05 06 50 50 00"},
		{[]Range{{5, 3}, {1, 1}, {2, 2}}, "05 0000000000 52 01 05 50 00"}, // normalized first
	}
	for _, c := range cases {
		got := AppendGLOBSET(nil, c.rs)
		if want := unhex(t, c.want); !bytes.Equal(got, want) {
			t.Errorf("%v: %x, want %x", c.rs, got, want)
			continue
		}
		back, err := DecodeIDSet(append([]byte{1, 0}, got...), false)
		if err != nil || !back.Equal(IDSet{{ReplID: 1, Ranges: c.rs}}) {
			t.Errorf("%v: decodes to %v (%v)", c.rs, back, err)
		}
	}
}

func TestIDSetForms(t *testing.T) {
	g2 := testReplGUID
	g2[0] = 0x01 // sorts before testReplGUID
	set := IDSet{
		{ReplGUID: testReplGUID, HasGUID: true, Ranges: []Range{{1, 10}, {20, 20}}},
		{ReplGUID: g2, HasGUID: true, Ranges: []Range{{0x123456, 0x123456}}},
	}
	b := set.Encode(true)
	// REPLGUID pairs in ascending byte order (2.2.2.4.2).
	if !bytes.Equal(b[:16], g2[:]) {
		t.Fatalf("first GUID %x", b[:16])
	}
	back, err := DecodeIDSet(b, true)
	if err != nil || !back.Equal(set) || !bytes.Equal(back.Encode(true), b) {
		t.Fatalf("REPLGUID round trip: %v %v", back, err)
	}
	want := "replica {" + g2.String() + "}: 1193046; replica {" + testReplGUID.String() + "}: 1-10, 20"
	if back.String() != want {
		t.Fatalf("String %q", back.String())
	}
	ids := IDSet{{ReplID: 5, Ranges: []Range{{7, 9}}}, {ReplID: 1, Ranges: []Range{{1, 1}}}}
	b = ids.Encode(false)
	if !bytes.Equal(b[:2], []byte{1, 0}) {
		t.Fatalf("REPLIDs not ascending: %x", b)
	}
	back, err = DecodeIDSet(b, false)
	if err != nil || back.String() != "replica 1: 1; replica 5: 7-9" || !bytes.Equal(back.Encode(false), b) {
		t.Fatalf("REPLID round trip: %v %v", back, err)
	}
	// Form detection.
	for _, c := range []struct {
		b    []byte
		form IDSetForm
	}{{set.Encode(true), FormREPLGUID}, {ids.Encode(false), FormREPLID}} {
		s, f, _, an := DecodeIDSetNode(c.b, FormUnknown, 0, false)
		if f != c.form || len(an) != 0 || len(s) == 0 {
			t.Fatalf("detected %s (%v), want %s", f, an, c.form)
		}
	}
	// An empty IDSET is zero bytes in either form.
	if s, err := DecodeIDSet(nil, false); err != nil || len(s) != 0 {
		t.Fatal(s, err)
	}
}

func TestIDSetOperations(t *testing.T) {
	a := IDSet{{ReplID: 1, Ranges: []Range{{1, 10}, {20, 30}}}, {ReplID: 2, Ranges: []Range{{5, 5}}}}
	b := IDSet{{ReplID: 1, Ranges: []Range{{5, 22}, {30, 40}}}, {ReplID: 3, Ranges: []Range{{1, 1}}}}
	if got := Union(a, b).String(); got != "replica 1: 1-40; replica 2: 5; replica 3: 1" {
		t.Fatalf("union %s", got)
	}
	if got := Difference(a, b).String(); got != "replica 1: 1-4, 23-29; replica 2: 5" {
		t.Fatalf("difference %s", got)
	}
	if got := Difference(b, a).String(); got != "replica 1: 11-19, 31-40; replica 3: 1" {
		t.Fatalf("difference %s", got)
	}
	if got := Intersect(a, b).String(); got != "replica 1: 5-10, 20-22, 30" {
		t.Fatalf("intersect %s", got)
	}
	if !a.Contains(1, 25) || a.Contains(1, 15) || a.Contains(3, 1) || !b.Contains(3, 1) {
		t.Fatal("Contains")
	}
	if a.Count() != 22 {
		t.Fatalf("count %d", a.Count())
	}
	id := prop.MakeID(7, 0x4242)
	s := IDSet(nil).AddID(id).AddRange(7, 0x4243, 0x4250)
	if !s.ContainsID(id) || s.String() != "replica 7: 16962-16976" {
		t.Fatalf("AddID %s", s)
	}
	gs := IDSet(nil).AddRangeGUID(testReplGUID, 3, 4)
	if !gs.ContainsGUID(testReplGUID, 4) || gs.ContainsGUID(testReplGUID, 5) {
		t.Fatal("ContainsGUID")
	}
	if Difference(a, a) != nil || !Union(a).Equal(a) {
		t.Fatal("identities")
	}
	// Difference on the set difference the server and replay need:
	// given − seen.
	given := IDSet{{ReplID: 1, Ranges: []Range{{1, 100}}}}
	seen := IDSet{{ReplID: 1, Ranges: []Range{{1, 49}, {51, 100}}}}
	if got := Difference(given, seen).String(); got != "replica 1: 50" {
		t.Fatal(got)
	}
}

// Hostile and malformed GLOBSETs: anomalies, never a panic, never an
// allocation from a count.
func TestIDSetMalformed(t *testing.T) {
	cases := []struct {
		hex, reason string
		fatal       bool
	}{
		{"0100 07", "unknown command 0x07", true},
		{"0100 04 00000000 03 000000 00", "overflows the common byte stack", true},
		{"0100 50 00", "Pop with an empty common byte stack", true},
		{"0100 03 000000 42 01 01 50 00", "Bitmask with 3 bytes", true},
		{"0100 05 0000", "truncated", true},
		{"0100 05 0000000000 52 01 05 50", "truncated", true},
		{"01", "truncated", true},
		{"0100 01 00 00", "End with 1 bytes still on the common byte stack", false},
		{"0100 05 0000000000 52 05 01 50 00", "low value 000000000005 is above", false},
		{"0100 05 0000000000 42 FE 07 50 00", "past 0xFF", false},
		{"0100 05 0000000000 52 05 09 52 01 02 50 00", "not in ascending order", false},
		{"0200 00 0100 00", "does not follow", false},
	}
	for _, c := range cases {
		b := unhex(t, c.hex)
		_, _, _, an := DecodeIDSetNode(b, FormREPLID, 100, true)
		found := false
		for _, a := range an {
			if strings.Contains(a.Reason, c.reason) {
				found = true
				if a.Offset < 100 || a.Offset > 100+len(b) {
					t.Errorf("%s: offset %d outside the input", c.hex, a.Offset)
				}
			}
		}
		if !found {
			t.Errorf("%s: anomalies %v, want %q", c.hex, an, c.reason)
		}
		_, err := DecodeIDSet(b, false)
		if (err != nil) != c.fatal {
			t.Errorf("%s: error %v, fatal %v", c.hex, err, c.fatal)
		}
	}
}

func TestXID(t *testing.T) {
	x := NewXID(testReplGUID, 0x1234)
	b := x.Bytes()
	if len(b) != 22 {
		t.Fatal(len(b))
	}
	y, err := DecodeXID(b)
	if err != nil || y.String() != "{ec85f652-437d-4a2e-a960-34508853d90a}:000000001234" {
		t.Fatal(y, err)
	}
	if g, ok := y.GLOBCNT(); !ok || g != 0x1234 {
		t.Fatal(g, ok)
	}
	// A foreign XID: LocalId of another size (3.3.5.2.3).
	f, err := DecodeXID(append(testReplGUID[:], 1, 2, 3, 4, 5, 6, 7, 8))
	if err != nil || len(f.LocalId) != 8 {
		t.Fatal(f, err)
	}
	if _, ok := f.GLOBCNT(); ok {
		t.Fatal("8-byte LocalId read as GLOBCNT")
	}
	for _, n := range []int{0, 16, 25} {
		if _, err := DecodeXID(make([]byte, n)); err == nil {
			t.Fatalf("%d-byte XID accepted", n)
		}
	}
	pcl := []XID{x, f}
	enc, err := EncodePredecessorChangeList(pcl)
	if err != nil || len(enc) != 1+22+1+24 || enc[0] != 22 || enc[23] != 24 {
		t.Fatalf("PCL %x %v", enc, err)
	}
	back, err := DecodePredecessorChangeList(enc)
	if err != nil || len(back) != 2 || back[1].String() != f.String() {
		t.Fatal(back, err)
	}
	if _, err := DecodePredecessorChangeList([]byte{30, 1, 2}); err == nil {
		t.Fatal("XidSize 30 accepted")
	}
	if _, err := DecodePredecessorChangeList([]byte{22, 1, 2}); err == nil {
		t.Fatal("truncated SizedXid accepted")
	}
	if FormatPredecessorChangeList(back) != x.String()+", "+f.String() {
		t.Fatal(FormatPredecessorChangeList(back))
	}
	cn := MakeCN(1, 0x2001)
	if cn.String() != "0001-000000002001" || CNFromInt64(int64(cn)) != cn || cn.GlobalCounter() != 0x2001 {
		t.Fatal(cn)
	}
}

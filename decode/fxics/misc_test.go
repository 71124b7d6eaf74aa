package fxics

import (
	"bytes"
	"strings"
	"testing"

	"github.com/mapiscope/mapiscope/decode/prop"
	"github.com/mapiscope/mapiscope/decode/wire"
)

// Every property type through the span tree: every byte lands in a leaf.
func TestSpansAllTypes(t *testing.T) {
	w := NewWriter(nil)
	for _, c := range []struct {
		tag prop.Tag
		v   any
	}{
		{0x7F010002, int16(-2)}, {0x7F020003, int32(-3)}, {0x7F030004, float32(1.5)}, {0x7F040005, 2.25},
		{0x7F050006, prop.Currency(12345)}, {0x7F060007, prop.FloatingTime(4.5)}, {0x7F07000A, prop.ErrorCode(0x8004010F)},
		{0x7F08000B, true}, {0x7F090014, int64(-7)}, {0x7F0A0040, prop.Filetime(133000000000000000)},
		{0x7F0B0048, testReplGUID}, {0x7F0C001F, "wide"}, {0x7F0D001E, "narrow"}, {0x7F0E0102, []byte{1, 2}},
		{0x7F0F00FB, prop.ServerID{1, 2, 3}}, {0x7F10000D, []byte{9}}, {0x7F1184E4, "x"}, {0x7F1284B0, "y"}, {0x7F138000 | 437, "z"},
		{0x7F141002, []int16{1, -1}}, {0x7F151003, []int32{1}}, {0x7F161004, []float32{1}}, {0x7F171005, []float64{2}},
		{0x7F181006, []prop.Currency{3}}, {0x7F191007, []prop.FloatingTime{4}}, {0x7F1A1014, []int64{5}},
		{0x7F1B1040, []prop.Filetime{6}}, {0x7F1C1048, []prop.GUID{testReplGUID}}, {0x7F1D101F, []string{"a", "bc"}},
		{0x7F1E101E, []string{"x"}}, {0x7F1F1102, [][]byte{{1}, {}, {2, 3}}},
		{PidTagFolderId, int64(prop.MakeID(1, 2))},
	} {
		w.Prop(c.tag, c.v)
	}
	w.NamedProp(0x8001001F, prop.PropertyName{Kind: prop.KindName, Guid: psInternet, Name: "X-Test"}, "v")
	w.NamedProp(0x80020003, prop.PropertyName{Kind: prop.KindLID, Guid: psetCommon, LID: 0x8506}, int32(1))
	w.Prop(MetaTagFXDelProp, int32(PidTagMessageRecipients))
	w.Marker(StartRecip)
	w.Marker(EndToRecip)
	if w.Err() != nil || w.Len() == 0 {
		t.Fatal(w.Err())
	}
	b := w.Bytes()
	e, n, an := DecodeStream(b, RootMessageContent, true)
	if len(an) != 0 {
		t.Fatal(an)
	}
	for off := 0; off < len(b); off++ {
		if nd := n.Find(off); nd == nil || nd.Kind != wire.KindValue {
			t.Fatalf("offset %d: %+v", off, nd)
		}
	}
	js := string(n.JSON(wire.JSONOptions{Spans: true}))
	for _, s := range []string{`"name":"ecNotFound"`, `"name":"PidTagMessageRecipients:PtypObject"`, `"name":"0001-000000000002"`,
		`"value":"X-Test"`, `"value":"bc"`, `"value":"z"`} {
		if !strings.Contains(js, s) {
			t.Fatalf("JSON lacks %s", s)
		}
	}
	_, n2, _ := DecodeStream(stream(t, E(KindMessageList, P(MetaTagEcWarning, int32(0x00000503)))), RootMessageList, true)
	if !strings.Contains(string(n2.JSON(wire.JSONOptions{})), `"name":"ecDstNullObject"`) {
		t.Fatal(string(n2.JSON(wire.JSONOptions{})))
	}
	count := 0
	e.Walk(func(x *Element) bool {
		if x.IsLeaf() {
			count++
		}
		return true
	})
	if count != 37 {
		t.Fatalf("%d leaves", count)
	}
	if a := e.Elements(KindRecipient)[0].Children[0].Atom; a.MarkerValue() != StartRecip {
		t.Fatal(a)
	}
	// The writer refuses what is not a marker or a property.
	w = NewWriter(nil)
	w.Marker(Marker(0x00370003))
	if w.Err() == nil {
		t.Fatal("non-marker written")
	}
	w = NewWriter(nil)
	w.NamedProp(tagSubject, prop.PropertyName{}, "x")
	if w.Err() == nil {
		t.Fatal("named property with a low id written")
	}
}

func TestUnicodeChecks(t *testing.T) {
	bad := []byte{0x00, 0xD8, 'a', 0, 0, 0} // unpaired high surrogate, "a", NUL
	a := Atom{Tag: tagSubject, Raw: bad, Size: uint32(len(bad)), Hdr: 8, Len: int64(8 + len(bad))}
	if msgs := a.check(); len(msgs) != 1 || !strings.Contains(msgs[0], "unpaired surrogate") {
		t.Fatal(msgs)
	}
	good := wire.AppendUTF16(nil, "😀 ok")
	if !validUTF16(good) || validUTF16([]byte{0x00, 0xDC}) || validUTF16([]byte{0x00, 0xD8}) || validUTF16([]byte{0x00, 0xD8, 0x41, 0x00}) {
		t.Fatal("validUTF16")
	}
	odd := Atom{Tag: tagSubject, Raw: []byte{1, 0, 0}, Size: 3}
	if msgs := odd.check(); len(msgs) != 1 || !strings.Contains(msgs[0], "odd length") {
		t.Fatal(msgs)
	}
	// A named property whose name has an unpaired surrogate: lexed, noted.
	b := unhex(t, "1F 00 01 80 86 03 02 00 00 00 00 00 C0 00 00 00 00 00 00 46 01 00 D8 00 00 02 00 00 00 00 00")
	atoms, an := LexAll(b, LexerOptions{})
	if len(atoms) != 1 || len(an) != 1 || !strings.Contains(an[0].Reason, "unpaired surrogate") {
		t.Fatal(atoms, an)
	}
}

func TestPropertyGroupInfo(t *testing.T) {
	gi := PropertyGroupInfo{GroupId: 3, Groups: []PropertyGroup{
		{PropertyTags: []GroupProperty{{Tag: tagSubject}, {Tag: 0x80010003, Name: &GroupPropertyName{Guid: psetCommon, Kind: 0, LID: 0x8506}}}},
		{PropertyTags: []GroupProperty{{Tag: 0x8002001F, Name: &GroupPropertyName{Guid: psInternet, Kind: 1, Name: "x-h"}}}},
	}}
	b := encodeGroupInfo(gi)
	c := wire.NewDecoder(b, true, "g")
	var back PropertyGroupInfo
	back.Codec(c)
	if c.Err() != nil || c.Remaining() != 0 || back.GroupId != 3 || len(back.Groups) != 2 ||
		back.Groups[0].PropertyTags[1].Name.LID != 0x8506 || back.Groups[1].PropertyTags[0].Name.Name != "x-h" {
		t.Fatalf("%+v %v", back, c.Err())
	}
	// A bad kind and an oversized NameSize fail.
	bad := append([]byte(nil), b...)
	i := bytes.Index(bad, psInternet[:]) + 16
	bad[i] = 7
	c = wire.NewDecoder(bad, false, "g")
	back.Codec(c)
	if c.Err() == nil {
		t.Fatal("kind 7 accepted")
	}
	bad[i], bad[i+4] = 1, 0xFF
	c = wire.NewDecoder(bad, false, "g")
	back.Codec(c)
	if c.Err() == nil {
		t.Fatal("NameSize past the end accepted")
	}
	// In a stream, inside groupInfo, the structure shows in the spans.
	x := E(KindContentsSync, samplePartial(0), ICSState{CnsetSeen: &IDSet{}}.Element(), M(IncrSyncEnd))
	_, n, an := DecodeStream(mustEncode(t, x), RootUnknown, true)
	if len(an) != 0 || !strings.Contains(string(n.JSON(wire.JSONOptions{})), `"GroupId":1`) {
		t.Fatalf("%v", an)
	}
}

func TestDecoderAccessors(t *testing.T) {
	b := mustEncode(t, sampleContentsSync(2, 10))
	d := NewDecoder(Options{})
	if d.Node() != nil || d.Root() != nil {
		t.Fatal("root before any atom")
	}
	d.Feed(b)
	if d.Offset() != int64(len(b)) {
		t.Fatal(d.Offset())
	}
	d.Close()
	if n := d.Node(); n == nil || n.Len != len(b) {
		t.Fatal(n)
	}
	for _, k := range []Kind{KindUnknown, KindMarker, KindProp, KindErrorInfo, kindCount} {
		if k.String() == "" {
			t.Fatal(k)
		}
	}
	for s, f := range map[string]IDSetForm{"": FormUnknown, "REPLID": FormREPLID, "guid": FormREPLGUID} {
		if g, err := ParseIDSetForm(s); err != nil || g != f {
			t.Fatal(s, g, err)
		}
	}
	if _, err := ParseIDSetForm("x"); err == nil {
		t.Fatal("bad form accepted")
	}
	if FormUnknown.String() != "unknown" || Marker(1).String() != "Marker(0x00000001)" {
		t.Fatal("names")
	}
}

package prop

import (
	"bytes"
	"encoding/hex"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/mapiscope/mapiscope/decode/wire"
)

// hx turns hex written with spaces and line breaks into bytes.
func hx(t testing.TB, parts ...string) []byte {
	if t != nil {
		t.Helper()
	}
	s := strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, strings.Join(parts, ""))
	b, err := hex.DecodeString(s)
	if err != nil {
		if t == nil {
			panic("bad test hex " + s)
		}
		t.Fatalf("bad test hex %q: %v", s, err)
	}
	return b
}

// utf16z is s as UTF-16LE with its terminating NUL, in hex.
func utf16z(s string) string {
	return hex.EncodeToString(wire.AppendUTF16(nil, s)) + "0000"
}

// str8z is s as 8-bit characters with its terminating NUL, in hex.
func str8z(s string) string { return hex.EncodeToString([]byte(s)) + "00" }

// roundTrip decodes b with f twice (spans off, then on), requires no
// anomaly and every byte consumed, then encodes with f (which reads back
// the struct the decode filled) and requires the same bytes. It returns the
// decoder that recorded spans.
func roundTrip(t *testing.T, b []byte, f func(c *wire.Codec)) *wire.Codec {
	t.Helper()
	var d *wire.Codec
	for _, spans := range []bool{false, true} {
		d = wire.NewDecoder(b, spans, "test")
		f(d)
		if a := d.Anomalies(); len(a) > 0 {
			t.Fatalf("decode (spans %v) of %x: anomalies %v", spans, b, a)
		}
		if d.Remaining() != 0 {
			t.Fatalf("decode (spans %v) of %x: %d bytes left", spans, b, d.Remaining())
		}
	}
	e := wire.NewEncoder(nil)
	f(e)
	if err := e.Err(); err != nil {
		t.Fatalf("encode: %v", err)
	}
	if !bytes.Equal(e.Output(), b) {
		t.Fatalf("encode(decode(b)) differs:\n got %x\nwant %x", e.Output(), b)
	}
	return d
}

// decodeFails runs f over b and requires decoding to stop with an anomaly
// (and not to panic).
func decodeFails(t *testing.T, b []byte, f func(c *wire.Codec)) *wire.Codec {
	t.Helper()
	for _, spans := range []bool{false, true} {
		d := wire.NewDecoder(b, spans, "test")
		f(d)
		if !d.Failed() || len(d.Anomalies()) == 0 {
			t.Fatalf("decode (spans %v) of %x: want a failure, got none", spans, b)
		}
		if spans {
			return d
		}
	}
	return nil
}

var (
	testGUID = GUID{0x00, 0x20, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0xC0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x46}
	// testGUIDHex is testGUID in wire order: 00062000-0000-0000-C000-000000000046.
	testGUIDHex = "00200600 0000 0000 c000 000000000046"
	// 2024-01-01T00:00:00Z as a FILETIME.
	testTime    = Filetime(0x01DA3C457689C000)
	testTimeHex = "00c08976453cda01"
)

type valueCase struct {
	name string
	typ  Type
	rop  string // hex in a ROP buffer
	wide string // hex in the wide context; "" when the same as rop
	want any
}

// valueCases holds one value of every property type of [MS-OXCDATA]
// 2.11.1, as a ROP buffer carries it (PtypBinary counts 16 bits, value
// counts of multi-valued types 32 bits) and in the wide context (32-bit
// counts everywhere).
var valueCases = []valueCase{
	{"Null", PtypNull, "", "", nil},
	{"Integer16", PtypInteger16, "3412", "", int16(0x1234)},
	{"Integer16 negative", PtypInteger16, "feff", "", int16(-2)},
	{"Integer32", PtypInteger32, "78563412", "", int32(0x12345678)},
	{"Integer32 negative", PtypInteger32, "ffffffff", "", int32(-1)},
	{"Floating32", PtypFloating32, "0000c03f", "", float32(1.5)},
	{"Floating64", PtypFloating64, "000000000000e0bf", "", float64(-0.5)},
	// 1234.5678 scaled by 10,000.
	{"Currency", PtypCurrency, "4e61bc0000000000", "", Currency(12345678)},
	// 2.5 days after 1899-12-30: 1900-01-01 12:00.
	{"FloatingTime", PtypFloatingTime, "0000000000000440", "", FloatingTime(2.5)},
	{"ErrorCode", PtypErrorCode, "0f010480", "", ErrorCode(0x8004010F)},
	{"Boolean true", PtypBoolean, "01", "", true},
	{"Boolean false", PtypBoolean, "00", "", false},
	// PtypObject travels like PtypBinary: COUNT then bytes.
	{"Object", PtypObject, "0300 aabbcc", "03000000 aabbcc", []byte{0xAA, 0xBB, 0xCC}},
	{"Integer64", PtypInteger64, "0807060504030201", "", int64(0x0102030405060708)},
	{"String8", PtypString8, str8z("Hi"), "", "Hi"},
	{"String8 Latin-1", PtypString8, "e9 00", "", "\u00e9"},
	{"String", PtypString, utf16z("Héllo"), "", "Héllo"},
	{"String empty", PtypString, "0000", "", ""},
	{"Time", PtypTime, testTimeHex, "", testTime},
	{"Guid", PtypGuid, testGUIDHex, "", testGUID},
	// [MS-OXCDATA] 2.11.1.4: COUNT, then Ours 0x01, FolderId, MessageId,
	// Instance.
	{"ServerId", PtypServerId,
		"1500 01 0100000000001234 0100000000005678 00000000",
		"15000000 01 0100000000001234 0100000000005678 00000000",
		ServerID(hx(nil, "01 0100000000001234 0100000000005678 00000000"))},
	// ExistRestriction on PidTagSubject.
	{"Restriction", PtypRestriction, "08 1f003700", "", &Restriction{RestrictType: RestrictExist, PropTag: 0x0037001F}},
	{"Binary", PtypBinary, "0400 01020304", "04000000 01020304", []byte{1, 2, 3, 4}},
	{"Binary empty", PtypBinary, "0000", "00000000", []byte{}},
	{"MultipleInteger16", PtypMultipleInteger16, "02000000 0100 ffff", "", []int16{1, -1}},
	{"MultipleInteger32", PtypMultipleInteger32, "03000000 01000000 02000000 feffffff", "", []int32{1, 2, -2}},
	{"MultipleFloating32", PtypMultipleFloating32, "02000000 0000c03f 000010c0", "", []float32{1.5, -2.25}},
	{"MultipleFloating64", PtypMultipleFloating64, "01000000 000000000000f83f", "", []float64{1.5}},
	{"MultipleCurrency", PtypMultipleCurrency, "02000000 4e61bc0000000000 0000000000000000", "", []Currency{12345678, 0}},
	{"MultipleFloatingTime", PtypMultipleFloatingTime, "01000000 0000000000000440", "", []FloatingTime{2.5}},
	{"MultipleInteger64", PtypMultipleInteger64, "02000000 0807060504030201 ffffffffffffffff", "", []int64{0x0102030405060708, -1}},
	{"MultipleString8", PtypMultipleString8, "02000000" + str8z("a") + str8z("bc"), "", []string{"a", "bc"}},
	{"MultipleString", PtypMultipleString, "03000000" + utf16z("Red") + utf16z("") + utf16z("Blue"), "", []string{"Red", "", "Blue"}},
	{"MultipleTime", PtypMultipleTime, "01000000" + testTimeHex, "", []Filetime{testTime}},
	{"MultipleGuid", PtypMultipleGuid, "02000000" + testGUIDHex + testGUIDHex, "", []GUID{testGUID, testGUID}},
	{"MultipleBinary", PtypMultipleBinary,
		"02000000 0100 aa 0200 bbcc",
		"02000000 01000000 aa 02000000 bbcc",
		[][]byte{{0xAA}, {0xBB, 0xCC}}},
	{"MultipleInteger32 empty", PtypMultipleInteger32, "00000000", "", []int32(nil)},
}

func TestValueEncodings(t *testing.T) {
	for _, tc := range valueCases {
		for _, w := range []Width{ROP, Wide} {
			h := tc.rop
			if w == Wide && tc.wide != "" {
				h = tc.wide
			}
			t.Run(tc.name+widthName(w), func(t *testing.T) {
				var v any
				roundTrip(t, hx(t, h), func(c *wire.Codec) { CodecValue(c, tc.typ, &v, "Value", w) })
				if !reflect.DeepEqual(v, tc.want) {
					t.Fatalf("value %#v, want %#v", v, tc.want)
				}
			})
		}
	}
}

func widthName(w Width) string {
	if w == Wide {
		return "/wide"
	}
	return "/rop"
}

func TestValueHelpers(t *testing.T) {
	if got := testTime.Time(); !got.Equal(time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("Filetime.Time = %v", got)
	}
	if FiletimeOf(time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)) != testTime {
		t.Fatal("FiletimeOf")
	}
	if testGUID.String() != "00062000-0000-0000-c000-000000000046" {
		t.Fatalf("GUID.String = %s", testGUID)
	}
	if g, err := ParseGUIDString("{00062000-0000-0000-C000-000000000046}"); err != nil || g != testGUID {
		t.Fatalf("ParseGUIDString = %v, %v", g, err)
	}
	for _, tc := range []struct {
		t    Type
		want string
	}{
		{PtypString, "PtypString"},
		{PtypMultipleBinary, "PtypMultipleBinary"},
		{0x301F, "PtypMultipleString|MV_INSTANCE"},
		{0x0099, "Ptyp(0x0099)"},
	} {
		if got := tc.t.String(); got != tc.want {
			t.Errorf("Type(0x%04X).String() = %q, want %q", uint16(tc.t), got, tc.want)
		}
	}
	if Type(0x3003).Cell() != PtypInteger32 || !PtypMultipleInteger32.IsMulti() || Type(0x3003).IsMulti() {
		t.Fatal("Cell/IsMulti")
	}
	if ErrorCode(0x8004010F).String() != "ecNotFound (0x8004010F)" {
		t.Fatalf("ErrorCode.String = %s", ErrorCode(0x8004010F))
	}
}

// Values that cannot be decoded stop with an anomaly and never make the
// decoder allocate from an unchecked count.
func TestValueTruncatedAndHostile(t *testing.T) {
	for _, tc := range []struct {
		name string
		typ  Type
		w    Width
		hex  string
	}{
		{"Integer32 short", PtypInteger32, ROP, "010203"},
		{"String no NUL", PtypString, ROP, "41004200"},
		{"String8 no NUL", PtypString8, ROP, "4142"},
		{"Binary count past end", PtypBinary, ROP, "0500 0102"},
		{"Binary wide count past end", PtypBinary, Wide, "ffffff7f 00"},
		{"Multiple count absurd", PtypMultipleInteger64, ROP, "ffffffff 00"},
		{"MultipleBinary count too big", PtypMultipleBinary, ROP, "10000000 0000"},
		{"Guid short", PtypGuid, ROP, "0001020304"},
		{"no encoding", Type(0x0099), ROP, "00000000"},
		{"Unspecified", PtypUnspecified, ROP, "00000000"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var v any
			decodeFails(t, hx(t, tc.hex), func(c *wire.Codec) { CodecValue(c, tc.typ, &v, "Value", tc.w) })
		})
	}
	// A boolean byte other than 0 or 1 decodes, with a note: it would not
	// round-trip.
	var v any
	d := wire.NewDecoder([]byte{0x02}, false, "test")
	CodecValue(d, PtypBoolean, &v, "Value", ROP)
	if d.Failed() || len(d.Anomalies()) != 1 || v != true {
		t.Fatalf("Boolean 0x02: %v %v", v, d.Anomalies())
	}
	// An unpaired surrogate is noted.
	d = wire.NewDecoder(hx(t, "00d8 0000"), false, "test")
	CodecValue(d, PtypString, &v, "Value", ROP)
	if d.Failed() || len(d.Anomalies()) != 1 {
		t.Fatalf("unpaired surrogate: %v", d.Anomalies())
	}
}

// Encoding a value of the wrong Go type is an error, not a silent zero.
func TestValueEncodeWrongGoType(t *testing.T) {
	e := wire.NewEncoder(nil)
	var v any = int(5)
	CodecValue(e, PtypInteger32, &v, "Value", ROP)
	if e.Err() == nil {
		t.Fatal("int encoded as PtypInteger32 without error")
	}
	// nil encodes as the zero value; ServerId accepts plain bytes.
	e = wire.NewEncoder(nil)
	v = nil
	CodecValue(e, PtypInteger32, &v, "Value", ROP)
	v = []byte{0x01}
	CodecValue(e, PtypServerId, &v, "Value", ROP)
	if e.Err() != nil || !bytes.Equal(e.Output(), hx(t, "00000000 0100 01")) {
		t.Fatalf("got %x, %v", e.Output(), e.Err())
	}
}

func TestFloatBitsRoundTrip(t *testing.T) {
	// A NaN with a payload keeps its bits.
	b := make([]byte, 8)
	for i, x := range []uint64{0x7FF0000000000001, 0xFFF8000000000123, math.Float64bits(math.Inf(-1))} {
		for j := range 8 {
			b[j] = byte(x >> (8 * j))
		}
		var v any
		roundTrip(t, b, func(c *wire.Codec) { CodecValue(c, PtypFloating64, &v, "Value", ROP) })
		if math.Float64bits(v.(float64)) != x {
			t.Fatalf("%d: bits %x", i, math.Float64bits(v.(float64)))
		}
	}
}

// ---- TaggedPropertyValue, TypedPropertyValue, FlaggedPropertyValue ----

func TestTaggedValueSharedVectors(t *testing.T) {
	// PropertyTag 0x0E1D001F (PidTagNormalizedSubject), "Hello World".
	b := hx(t, "1f001d0e 480065006c006c006f00200057006f0072006c0064000000")
	var p TaggedValue
	d := roundTrip(t, b, func(c *wire.Codec) { CodecTagged(c, &p, "TaggedValue", ROP) })
	if p.Tag != 0x0E1D001F || p.Value != "Hello World" || p.Tag.Name() != "PidTagNormalizedSubject" {
		t.Fatalf("got %v %#v", p.Tag, p.Value)
	}
	js := string(d.Tree().JSON(wire.JSONOptions{}))
	for _, want := range []string{`"PropertyTag"`, `"PropertyId"`, `"PropertyType"`, `"Value":"Hello World"`, `PidTagNormalizedSubject`, `PtypString`} {
		if !strings.Contains(js, want) {
			t.Errorf("JSON lacks %s: %s", want, js)
		}
	}

	// PropertyTag 0x003D001F (PidTagSubjectPrefix), "".
	b = hx(t, "1f003d00 0000")
	roundTrip(t, b, func(c *wire.Codec) { CodecTagged(c, &p, "TaggedValue", ROP) })
	if p.Tag != 0x003D001F || p.Value != "" || p.Tag.Name() != "PidTagSubjectPrefix" {
		t.Fatalf("got %v %#v", p.Tag, p.Value)
	}
}

func TestTaggedValueEveryType(t *testing.T) {
	for _, tc := range valueCases {
		for _, w := range []Width{ROP, Wide} {
			h := tc.rop
			if w == Wide && tc.wide != "" {
				h = tc.wide
			}
			tag := NewTag(0x6601, tc.typ)
			b := append(le32bytes(uint32(tag)), hx(t, h)...)
			t.Run(tc.name+widthName(w), func(t *testing.T) {
				var p TaggedValue
				roundTrip(t, b, func(c *wire.Codec) { CodecTagged(c, &p, "", w) })
				if p.Tag != tag || !reflect.DeepEqual(p.Value, tc.want) {
					t.Fatalf("got %v %#v", p.Tag, p.Value)
				}
			})
		}
	}
}

func le32bytes(v uint32) []byte { return []byte{byte(v), byte(v >> 8), byte(v >> 16), byte(v >> 24)} }

func TestTaggedList(t *testing.T) {
	b := hx(t,
		"0200",                 // PropertyValueCount
		"03001700", "01000000", // PidTagImportance = 1
		"1f003700", utf16z("Hi"), // PidTagSubject = "Hi"
	)
	var l []TaggedValue
	roundTrip(t, b, func(c *wire.Codec) { CodecTaggedList(c, &l, "PropertyValueCount", "PropertyValues", 2, ROP) })
	if len(l) != 2 || l[0].Value != int32(1) || l[1].Value != "Hi" {
		t.Fatalf("got %#v", l)
	}
	b = hx(t, "01000000", "0b000b0e", "01") // 32-bit count, PidTagHasAttachments = true
	roundTrip(t, b, func(c *wire.Codec) { CodecTaggedList(c, &l, "PropertyValueCount", "PropertyValues", 4, Wide) })
	if len(l) != 1 || l[0].Value != true {
		t.Fatalf("got %#v", l)
	}
}

func TestTypedValue(t *testing.T) {
	for _, tc := range []struct {
		hex  string
		want TypedValue
	}{
		{"0300 2a000000", TypedValue{PtypInteger32, int32(42)}},        // PropertyType, PropertyValue
		{"1e00" + str8z("abc"), TypedValue{PtypString8, "abc"}},        //
		{"0201 0200 beef", TypedValue{PtypBinary, []byte{0xBE, 0xEF}}}, //
		{"0100", TypedValue{PtypNull, nil}},                            // no value bytes
		{"0310 01000000 07000000", TypedValue{PtypMultipleInteger32, []int32{7}}},
	} {
		var p TypedValue
		roundTrip(t, hx(t, tc.hex), func(c *wire.Codec) { CodecTyped(c, &p, "TypedValue", ROP) })
		if !reflect.DeepEqual(p, tc.want) {
			t.Fatalf("%s: got %#v", tc.hex, p)
		}
	}
}

func TestFlaggedValue(t *testing.T) {
	for _, tc := range []struct {
		name string
		col  Type
		hex  string
		want FlaggedValue
	}{
		{"value", PtypInteger32, "00 2a000000", FlaggedValue{PtypInteger32, FlagValue, int32(42)}},
		{"not present", PtypString, "01", FlaggedValue{PtypString, FlagNotFound, nil}},
		{"error", PtypBinary, "0a 0f010480", FlaggedValue{PtypBinary, FlagError, ErrorCode(0x8004010F)}},
		// FlaggedPropertyValueWithType: the column type is PtypUnspecified.
		{"with type, value", PtypUnspecified, "1f00 00" + utf16z("A"), FlaggedValue{PtypString, FlagValue, "A"}},
		{"with type, not present", PtypUnspecified, "0300 01", FlaggedValue{PtypInteger32, FlagNotFound, nil}},
		{"with type, error", PtypUnspecified, "0201 0a 05000780", FlaggedValue{PtypBinary, FlagError, ErrorCode(0x80070005)}},
		{"instance column", 0x3003, "00 07000000", FlaggedValue{0x3003, FlagValue, int32(7)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var p FlaggedValue
			roundTrip(t, hx(t, tc.hex), func(c *wire.Codec) { CodecFlagged(c, &p, tc.col, "FlaggedValue", ROP) })
			if !reflect.DeepEqual(p, tc.want) {
				t.Fatalf("got %#v", p)
			}
		})
	}
	var p FlaggedValue
	decodeFails(t, hx(t, "02 00000000"), func(c *wire.Codec) { CodecFlagged(c, &p, PtypInteger32, "", ROP) })
}

// A truncated multi-value count leaves the fields before it in the tree.
func TestMultiValueTruncatedCountKeepsTree(t *testing.T) {
	var p TaggedValue
	d := decodeFails(t, hx(t, "03100166 0100"), func(c *wire.Codec) { CodecTagged(c, &p, "TaggedValue", ROP) })
	tv := d.Tree().Child("TaggedValue")
	if tv.Child("PropertyTag") == nil || tv.Child("PropertyType") == nil {
		t.Fatalf("tree lost fields: %s", d.Tree().Text())
	}
}

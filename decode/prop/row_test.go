package prop

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/mapiscope/mapiscope/decode/wire"
)

// Columns of the row tests: an id, a string, a time, a binary, an int, a
// PtypUnspecified column and a MultiValueInstance column (PidNameKeywords
// as mapped to 0x8008, expanded one keyword a row).
var rowColumns = []Tag{
	0x674A0014, // PidTagMid
	0x0037001F, // PidTagSubject
	0x0E060040, // PidTagMessageDeliveryTime
	0x0FFF0102, // PidTagEntryId
	0x0E080003, // PidTagMessageSize
	0x003D0000, // PidTagSubjectPrefix, PtypUnspecified
	0x8008301F, // named 0x8008, PtypMultipleString|MultiValueInstance
}

func TestStandardRow(t *testing.T) {
	b := hx(t,
		"00",                  // Flag: StandardPropertyRow
		"0100000000001234",    // PidTagMid
		utf16z("Hi"),          // PidTagSubject
		testTimeHex,           // PidTagMessageDeliveryTime
		"0300 010203",         // PidTagEntryId: 16-bit count, bytes
		"00100000",            // PidTagMessageSize 4096
		"1f00"+utf16z("RE: "), // PtypUnspecified: TypedPropertyValue
		utf16z("Blue"),        // instance column: one PtypString
	)
	var r Row
	d := roundTrip(t, b, func(c *wire.Codec) { CodecRow(c, &r, rowColumns, "RowData", ROP) })
	want := Row{Flag: 0, Values: []any{
		int64(0x3412000000000001), "Hi", testTime, []byte{1, 2, 3}, int32(4096),
		TypedValue{Type: PtypString, Value: "RE: "}, "Blue",
	}}
	if !reflect.DeepEqual(r, want) {
		t.Fatalf("got  %#v\nwant %#v", r, want)
	}
	if r.Flagged() {
		t.Fatal("standard row reported flagged")
	}
	js := string(d.Tree().JSON(wire.JSONOptions{}))
	for _, s := range []string{`"Flag":0`, `"ValueArray":[`, `"Hi"`, `"010203"`} {
		if !strings.Contains(js, s) {
			t.Errorf("JSON lacks %s: %s", s, js)
		}
	}
}

func TestFlaggedRow(t *testing.T) {
	b := hx(t,
		"01",                     // Flag: FlaggedPropertyRow
		"00 0100000000001234",    // PidTagMid: value
		"0a 0e000780",            // PidTagSubject: error ecMAPIOOM (too big, use a stream)
		"01",                     // PidTagMessageDeliveryTime: not present
		"00 0300 010203",         // PidTagEntryId: value
		"0a 0f010480",            // PidTagMessageSize: error ecNotFound
		"1f00 00"+utf16z("RE: "), // PtypUnspecified: FlaggedPropertyValueWithType
		"00"+utf16z("Blue"),      // instance column: value
	)
	var r Row
	roundTrip(t, b, func(c *wire.Codec) { CodecRow(c, &r, rowColumns, "RowData", ROP) })
	want := Row{Flag: 1, Values: []any{
		FlaggedValue{PtypInteger64, FlagValue, int64(0x3412000000000001)},
		FlaggedValue{PtypString, FlagError, ErrorCode(0x8007000E)},
		FlaggedValue{PtypTime, FlagNotFound, nil},
		FlaggedValue{PtypBinary, FlagValue, []byte{1, 2, 3}},
		FlaggedValue{PtypInteger32, FlagError, ErrorCode(0x8004010F)},
		FlaggedValue{PtypString, FlagValue, "RE: "},
		FlaggedValue{0x301F, FlagValue, "Blue"},
	}}
	if !reflect.DeepEqual(r, want) {
		t.Fatalf("got  %#v\nwant %#v", r, want)
	}
	if !r.Flagged() {
		t.Fatal("flagged row not reported flagged")
	}
}

func TestRowBad(t *testing.T) {
	var r Row
	cols := []Tag{0x00170003}
	decodeFails(t, hx(t, "02 01000000"), func(c *wire.Codec) { CodecRow(c, &r, cols, "", ROP) }) // Flag 0x02
	decodeFails(t, hx(t, "00 0100"), func(c *wire.Codec) { CodecRow(c, &r, cols, "", ROP) })     // truncated
	decodeFails(t, hx(t, "01 05"), func(c *wire.Codec) { CodecRow(c, &r, cols, "", ROP) })       // bad flag
	e := wire.NewEncoder(nil)
	CodecRow(e, &Row{Values: []any{int32(1), int32(2)}}, cols, "", ROP)
	if e.Err() == nil {
		t.Fatal("row with more values than columns encoded")
	}
}

func TestRowSet(t *testing.T) {
	cols := []Tag{0x0037001F, 0x0E080003} // PidTagSubject, PidTagMessageSize
	b := hx(t,
		"0200",                      // RowCount
		"00"+utf16z("a")+"01000000", // standard row
		"01 01 00 02000000",         // flagged row: subject not present, size 2
	)
	var s RowSet
	roundTrip(t, b, func(c *wire.Codec) { CodecRowSet(c, &s, cols, "RowSet", ROP) })
	want := RowSet{Rows: []Row{
		{Flag: 0, Values: []any{"a", int32(1)}},
		{Flag: 1, Values: []any{FlaggedValue{PtypString, FlagNotFound, nil}, FlaggedValue{PtypInteger32, FlagValue, int32(2)}}},
	}}
	if !reflect.DeepEqual(s, want) {
		t.Fatalf("got %#v", s)
	}
	// An empty row set, and a hostile RowCount.
	roundTrip(t, hx(t, "0000"), func(c *wire.Codec) { CodecRowSet(c, &s, cols, "RowSet", ROP) })
	decodeFails(t, hx(t, "ffff 00"), func(c *wire.Codec) { CodecRowSet(c, &s, cols, "RowSet", ROP) })
}

func TestPropertyProblems(t *testing.T) {
	b := hx(t,
		"0200",                   // PropertyProblemCount
		"0000 1f003700 05000780", // Index 0, PidTagSubject, ecAccessDenied
		"0300 0201ff0f 01030480", // Index 3, PidTagEntryId, ecPropBadValue
	)
	var l []Problem
	d := roundTrip(t, b, func(c *wire.Codec) { CodecProblems(c, &l, "PropertyProblemCount", "PropertyProblems") })
	want := []Problem{
		{Index: 0, PropertyTag: 0x0037001F, ErrorCode: 0x80070005},
		{Index: 3, PropertyTag: 0x0FFF0102, ErrorCode: 0x80040301},
	}
	if !reflect.DeepEqual(l, want) {
		t.Fatalf("got %#v", l)
	}
	if l[1].ErrorCode.Name() != "ecPropBadValue" {
		t.Fatalf("name %q", l[1].ErrorCode.Name())
	}
	js := string(d.Tree().JSON(wire.JSONOptions{}))
	if !strings.Contains(js, `"name":"ecAccessDenied"`) {
		t.Fatalf("JSON: %s", js)
	}
}

func TestSortOrderSet(t *testing.T) {
	// The shared vector: SortOrderCount 2, CategorizedCount 1,
	// ExpandedCount 1; 0x8008301F ascending, 0x0E060040 descending.
	b := hx(t,
		"0200",         // SortOrderCount
		"0100",         // CategorizedCount
		"0100",         // ExpandedCount
		"1f30 0880 00", // PropertyType 0x301F, PropertyId 0x8008, Order Ascending
		"4000 060e 01", // PropertyType 0x0040, PropertyId 0x0E06, Order Descending
	)
	var s SortOrderSet
	d := roundTrip(t, b, func(c *wire.Codec) { CodecSortOrderSet(c, &s, "SortOrderSet") })
	if s.CategorizedCount != 1 || s.ExpandedCount != 1 || len(s.SortOrders) != 2 {
		t.Fatalf("got %+v", s)
	}
	if s.SortOrders[0].Tag() != 0x8008301F || s.SortOrders[0].Order != OrderAscending ||
		s.SortOrders[1].Tag() != 0x0E060040 || s.SortOrders[1].Order != OrderDescending {
		t.Fatalf("got %+v", s.SortOrders)
	}
	js := string(d.Tree().JSON(wire.JSONOptions{}))
	for _, want := range []string{`"SortOrderCount":2`, `"CategorizedCount":1`, `"name":"Descending"`, `"name":"PidTagMessageDeliveryTime:PtypTime"`} {
		if !strings.Contains(js, want) {
			t.Errorf("JSON lacks %s: %s", want, js)
		}
	}
	decodeFails(t, hx(t, "0500 0000 0000 1f00"), func(c *wire.Codec) { CodecSortOrderSet(c, &s, "") })
}

// ---- benchmark ----

// benchColumns is a contents table's column set: ids, strings, times,
// binaries and integers.
var benchColumns = []Tag{
	0x674A0014, // PidTagMid
	0x67480014, // PidTagFolderId
	0x0037001F, // PidTagSubject
	0x0C1A001F, // PidTagSenderName
	0x0E060040, // PidTagMessageDeliveryTime
	0x30080040, // PidTagLastModificationTime
	0x0FFF0102, // PidTagEntryId
	0x0E080003, // PidTagMessageSize
	0x0E070003, // PidTagMessageFlags
	0x001A001F, // PidTagMessageClass
}

// benchRowSet encodes 30 rows of benchColumns as a PropertyRowSet.
func benchRowSet(tb testing.TB) []byte {
	var s RowSet
	for i := range 30 {
		eid := make([]byte, 70)
		for j := range eid {
			eid[j] = byte(i + j)
		}
		s.Rows = append(s.Rows, Row{Values: []any{
			int64(MakeID(1, uint64(0x10000+i))),
			int64(MakeID(1, 0x1234)),
			fmt.Sprintf("Quarterly report %d: figures for review", i),
			"Alice Example",
			testTime + Filetime(i)*10_000_000,
			testTime + Filetime(i)*20_000_000,
			eid,
			int32(4096 + i),
			int32(1),
			"IPM.Note",
		}})
	}
	c := wire.NewEncoder(nil)
	CodecRowSet(c, &s, benchColumns, "RowSet", ROP)
	if err := c.Err(); err != nil {
		tb.Fatal(err)
	}
	return c.Output()
}

func TestBenchRowSetRoundTrips(t *testing.T) {
	b := benchRowSet(t)
	var s RowSet
	roundTrip(t, b, func(c *wire.Codec) { CodecRowSet(c, &s, benchColumns, "RowSet", ROP) })
	if len(s.Rows) != 30 || s.Rows[29].Values[7] != int32(4096+29) {
		t.Fatalf("got %d rows", len(s.Rows))
	}
}

func BenchmarkPropertyRowDecode(b *testing.B) {
	buf := benchRowSet(b)
	for _, spans := range []bool{false, true} {
		b.Run(fmt.Sprintf("spans=%v", spans), func(b *testing.B) {
			b.SetBytes(int64(len(buf)))
			b.ReportAllocs()
			c := wire.NewDecoder(buf, spans, "RowSet")
			for b.Loop() {
				c.Reset(buf)
				var s RowSet
				CodecRowSet(c, &s, benchColumns, "RowSet", ROP)
				if c.Failed() {
					b.Fatal(c.Err())
				}
			}
		})
	}
}

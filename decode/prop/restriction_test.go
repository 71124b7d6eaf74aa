package prop

import (
	"bytes"
	"reflect"
	"strings"
	"testing"

	"github.com/mapiscope/mapiscope/decode/wire"
)

// Restrictions composed from [MS-OXCDATA] 2.12. Each case gives the ROP
// form (RestrictCount 16 bits, PtypBinary counts 16 bits) and, where it
// differs, the extended-rule form (both 32 bits).
var (
	// ExistRestriction: RestrictType 0x08, PropTag PidTagSubject.
	existSubject    = "08 1f003700"
	existSubjectVal = Restriction{RestrictType: RestrictExist, PropTag: 0x0037001F}
	// PropertyRestriction: RestrictType 0x04, RelOp RELOP_EQ, PropTag
	// PidTagMessageClass, TaggedValue {PidTagMessageClass, "IPM.Note"}.
	propMessageClass = "04 04 1f001a00 1f001a00" + utf16z("IPM.Note")
	propClassVal     = Restriction{RestrictType: RestrictProperty, RelOp: RelopEQ, PropTag: 0x001A001F,
		TaggedValue: TaggedValue{Tag: 0x001A001F, Value: "IPM.Note"}}
)

type restrictionCase struct {
	name string
	rop  string
	wide string
	want Restriction
}

var restrictionCases = []restrictionCase{
	{"And",
		"00 0200" + existSubject + propMessageClass, // RestrictType, RestrictCount, Restricts
		"00 02000000" + existSubject + propMessageClass,
		Restriction{RestrictType: RestrictAnd, Restricts: []Restriction{existSubjectVal, propClassVal}}},
	{"Or",
		"01 0100" + existSubject,
		"01 01000000" + existSubject,
		Restriction{RestrictType: RestrictOr, Restricts: []Restriction{existSubjectVal}}},
	{"And empty", "00 0000", "00 00000000", Restriction{RestrictType: RestrictAnd}},
	{"Not",
		"02" + existSubject, "",
		Restriction{RestrictType: RestrictNot, Restriction: &existSubjectVal}},
	{"Content",
		// FuzzyLevelLow FL_SUBSTRING, FuzzyLevelHigh FL_IGNORECASE,
		// PropertyTag PidTagSubject, TaggedValue {PidTagSubject, "report"}.
		"03 0100 0100 1f003700 1f003700" + utf16z("report"), "",
		Restriction{RestrictType: RestrictContent, FuzzyLevelLow: FLSubstring, FuzzyLevelHigh: FLIgnoreCase,
			PropTag: 0x0037001F, TaggedValue: TaggedValue{Tag: 0x0037001F, Value: "report"}}},
	{"Property", propMessageClass, "", propClassVal},
	{"Property binary",
		// RelOp RELOP_NE, PropTag PidTagEntryId, TaggedValue with a
		// 16-bit (ROP) or 32-bit (extended rule) binary count.
		"04 05 0201ff0f 0201ff0f 0200 abcd",
		"04 05 0201ff0f 0201ff0f 02000000 abcd",
		Restriction{RestrictType: RestrictProperty, RelOp: RelopNE, PropTag: 0x0FFF0102,
			TaggedValue: TaggedValue{Tag: 0x0FFF0102, Value: []byte{0xAB, 0xCD}}}},
	{"CompareProperties",
		// RelOp RELOP_GT, PropTag1 PidTagLastModificationTime, PropTag2
		// PidTagCreationTime.
		"05 02 40000830 40000730", "",
		Restriction{RestrictType: RestrictCompareProperties, RelOp: RelopGT, PropTag: 0x30080040, PropTag2: 0x30070040}},
	{"BitMask",
		// BitmapRelOp BMR_NEZ, PropTag PidTagMessageFlags, Mask MSGFLAG_READ.
		"06 01 0300070e 01000000", "",
		Restriction{RestrictType: RestrictBitMask, RelOp: 0x01, PropTag: 0x0E070003, Mask: 0x00000001}},
	{"Size",
		// RelOp RELOP_LT, PropTag PidTagBody, Size 4096.
		"07 00 1f000010 00100000", "",
		Restriction{RestrictType: RestrictSize, RelOp: RelopLT, PropTag: 0x1000001F, Size: 4096}},
	{"Exist", existSubject, "", existSubjectVal},
	{"SubObject",
		// Subobject PidTagMessageRecipients, then a restriction on the
		// recipient table.
		"09 0d00120e" + existSubject, "",
		Restriction{RestrictType: RestrictSubObject, Subobject: 0x0E12000D, Restriction: &existSubjectVal}},
	{"Comment with restriction",
		// TaggedValuesCount 1, TaggedValues, RestrictionPresent 0x01,
		// Restriction.
		"0a 01 1f003700" + utf16z("note") + "01" + existSubject, "",
		Restriction{RestrictType: RestrictComment,
			TaggedValues: []TaggedValue{{Tag: 0x0037001F, Value: "note"}},
			Restriction:  &existSubjectVal}},
	{"Comment without restriction",
		"0a 02 03001700 01000000 0b000b0e 00 00", "",
		Restriction{RestrictType: RestrictComment,
			TaggedValues: []TaggedValue{{Tag: 0x00170003, Value: int32(1)}, {Tag: 0x0E0B000B, Value: false}}}},
	{"Count",
		// Count 5, SubRestriction.
		"0b 05000000" + existSubject, "",
		Restriction{RestrictType: RestrictCount, Count: 5, Restriction: &existSubjectVal}},
	{"Nested",
		// And(Or(Exist, Not(Exist)), Count(3, SubObject(Property))).
		"00 0200" +
			"01 0200" + existSubject + "02" + existSubject +
			"0b 03000000 09 0d00120e" + propMessageClass,
		"00 02000000" +
			"01 02000000" + existSubject + "02" + existSubject +
			"0b 03000000 09 0d00120e" + propMessageClass,
		Restriction{RestrictType: RestrictAnd, Restricts: []Restriction{
			{RestrictType: RestrictOr, Restricts: []Restriction{
				existSubjectVal,
				{RestrictType: RestrictNot, Restriction: &existSubjectVal},
			}},
			{RestrictType: RestrictCount, Count: 3, Restriction: &Restriction{
				RestrictType: RestrictSubObject, Subobject: 0x0E12000D, Restriction: &propClassVal}},
		}}},
	{"Restriction value",
		// A PropertyRestriction whose value is itself a restriction
		// (PtypRestriction, tag 0x000100FD).
		"04 04 fd000100 fd000100" + existSubject, "",
		Restriction{RestrictType: RestrictProperty, RelOp: RelopEQ, PropTag: 0x000100FD,
			TaggedValue: TaggedValue{Tag: 0x000100FD, Value: &existSubjectVal}}},
}

func TestRestrictions(t *testing.T) {
	for _, tc := range restrictionCases {
		for _, w := range []Width{ROP, Wide} {
			h := tc.rop
			if w == Wide && tc.wide != "" {
				h = tc.wide
			}
			t.Run(tc.name+widthName(w), func(t *testing.T) {
				var r Restriction
				d := roundTrip(t, hx(t, h), func(c *wire.Codec) { CodecRestriction(c, &r, "Restriction", w) })
				if !reflect.DeepEqual(r, tc.want) {
					t.Fatalf("got  %+v\nwant %+v", r, tc.want)
				}
				if _, open := restrictionNesting.Load(d); open {
					t.Fatal("nesting count left behind")
				}
			})
		}
	}
}

func TestRestrictionSpans(t *testing.T) {
	var r Restriction
	d := roundTrip(t, hx(t, restrictionCases[0].rop), func(c *wire.Codec) { CodecRestriction(c, &r, "Restriction", ROP) })
	js := string(d.Tree().JSON(wire.JSONOptions{}))
	for _, want := range []string{`"RestrictType":{"value":0,"name":"AndRestriction"`, `"RestrictCount"`, `"Restricts":[`,
		`"name":"ExistRestriction"`, `"RelOp":{"value":4,"name":"RELOP_EQ"`, `"Value":"IPM.Note"`} {
		if !strings.Contains(js, want) {
			t.Errorf("JSON lacks %s:\n%s", want, js)
		}
	}
}

func TestRestrictionBad(t *testing.T) {
	var r Restriction
	for _, h := range []string{
		"0c",                     // unknown RestrictType
		"00 0300" + existSubject, // RestrictCount past the end
		"00 ffff",                // hostile RestrictCount
		"0a 01 1f003700 4100",    // comment value without terminator
		"04 04 1f003700",         // property restriction without its value
		"",                       // nothing
	} {
		decodeFails(t, hx(t, h), func(c *wire.Codec) { CodecRestriction(c, &r, "Restriction", ROP) })
	}
	// Encoding a Not without its restriction is an error.
	e := wire.NewEncoder(nil)
	CodecRestriction(e, &Restriction{RestrictType: RestrictNot}, "", ROP)
	if e.Err() == nil {
		t.Fatal("Not without a restriction encoded")
	}
}

// Hostile nesting is an anomaly, not a stack overflow — both the direct
// kind (Not(Not(…))) and nesting through PtypRestriction values.
func TestRestrictionDepth(t *testing.T) {
	var r Restriction
	// Exactly MaxRestrictionDepth+1 levels decode.
	ok := bytes.Repeat([]byte{RestrictNot}, MaxRestrictionDepth)
	ok = append(ok, hx(t, existSubject)...)
	roundTrip(t, ok, func(c *wire.Codec) { CodecRestriction(c, &r, "Restriction", ROP) })

	for _, w := range []Width{ROP, Wide} {
		and := "00 0100" // And with RestrictCount 1
		if w == Wide {
			and = "00 01000000"
		}
		for name, b := range map[string][]byte{
			"not":   append(bytes.Repeat([]byte{RestrictNot}, 200000), hx(t, existSubject)...),
			"and":   append(bytes.Repeat(hx(t, and), 100000), hx(t, existSubject)...),
			"value": append(bytes.Repeat(hx(t, "04 04 fd000100 fd000100"), 100000), hx(t, existSubject)...),
			"mixed": append(bytes.Repeat(hx(t, "02 09 0d00120e 04 04 fd000100 fd000100"), 30000), hx(t, existSubject)...),
		} {
			d := decodeFails(t, b, func(c *wire.Codec) { CodecRestriction(c, &r, "Restriction", w) })
			found := false
			for _, a := range d.Anomalies() {
				found = found || strings.Contains(a.Reason, "nested deeper")
			}
			if !found {
				t.Fatalf("%s: anomalies %v", name, d.Anomalies())
			}
			if _, open := restrictionNesting.Load(d); open {
				t.Fatalf("%s: nesting count left behind", name)
			}
		}
	}

	// Encoding a too-deep tree is refused too.
	deep := existSubjectVal
	for range MaxRestrictionDepth + 1 {
		inner := deep
		deep = Restriction{RestrictType: RestrictNot, Restriction: &inner}
	}
	e := wire.NewEncoder(nil)
	CodecRestriction(e, &deep, "", ROP)
	if e.Err() == nil || !strings.Contains(e.Err().Error(), "nested deeper") {
		t.Fatalf("deep encode: %v", e.Err())
	}
}

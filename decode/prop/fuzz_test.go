package prop

import (
	"bytes"
	"testing"

	"github.com/mapiscope/mapiscope/decode/wire"
)

// fuzzColumns are the column tags FuzzPropertyRow picks from: one of every
// property type (PtypRuleAction aside: its codec belongs to the rules
// code), PtypUnspecified and MultiValueInstance columns.
var fuzzColumns = func() []Tag {
	types := []Type{
		PtypUnspecified, PtypNull, PtypInteger16, PtypInteger32, PtypFloating32,
		PtypFloating64, PtypCurrency, PtypFloatingTime, PtypErrorCode, PtypBoolean,
		PtypObject, PtypInteger64, PtypString8, PtypString, PtypTime, PtypGuid,
		PtypServerId, PtypRestriction, PtypBinary,
		PtypMultipleInteger16, PtypMultipleInteger32, PtypMultipleFloating32,
		PtypMultipleFloating64, PtypMultipleCurrency, PtypMultipleFloatingTime,
		PtypMultipleInteger64, PtypMultipleString8, PtypMultipleString,
		PtypMultipleTime, PtypMultipleGuid, PtypMultipleBinary,
		0x3003, 0x301F, 0x3102, 0x3048, // MultiValueInstance columns
	}
	tags := make([]Tag, len(types))
	for i, t := range types {
		tags[i] = NewTag(uint16(0x6600+i), t)
	}
	return tags
}()

// checkFuzzRoundTrip decodes data with f (spans off and on, rendering the
// tree), and when the spans-off decode noted nothing, requires encoding to
// give back exactly the bytes it consumed.
func checkFuzzRoundTrip(t *testing.T, data []byte, f func(c *wire.Codec)) {
	d := wire.NewDecoder(data, true, "fuzz")
	f(d)
	if tr := d.Tree(); tr != nil {
		_ = tr.JSON(wire.JSONOptions{Spans: true})
		_ = tr.Text()
	}
	d = wire.NewDecoder(data, false, "fuzz")
	f(d)
	if d.Failed() || len(d.Anomalies()) > 0 {
		return
	}
	used := data[:d.Pos()]
	e := wire.NewEncoder(nil)
	f(e)
	if err := e.Err(); err != nil {
		t.Fatalf("encode after a clean decode of %x: %v", used, err)
	}
	if !bytes.Equal(e.Output(), used) {
		t.Fatalf("round trip differs:\n  in %x\n out %x", used, e.Output())
	}
}

func FuzzPropertyRow(f *testing.F) {
	f.Add(hx(f, "02 0d 03", "00", utf16z("Hi"), "2a000000"))             // String, Integer32: standard row
	f.Add(hx(f, "03 00 11 20", "01", "0300 01 0a 0f010480 00 2a000000")) // Unspecified, Binary, MV_INSTANCE Integer32: flagged
	f.Add(hx(f, "01 11", "00 0300 aabbcc"))
	f.Add(hx(f, "02 1b 1e", "00 02000000"+utf16z("a")+utf16z("b")+"01000000 0100 ff"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) == 0 {
			return
		}
		n := int(data[0]%6) + 1
		if len(data) < 1+n {
			return
		}
		cols := make([]Tag, n)
		for i := range cols {
			cols[i] = fuzzColumns[int(data[1+i])%len(fuzzColumns)]
		}
		var r Row
		checkFuzzRoundTrip(t, data[1+n:], func(c *wire.Codec) { CodecRow(c, &r, cols, "RowData", ROP) })
	})
}

func FuzzRestriction(f *testing.F) {
	for _, tc := range restrictionCases {
		f.Add(append([]byte{0}, hx(f, tc.rop)...))
		if tc.wide != "" {
			f.Add(append([]byte{1}, hx(f, tc.wide)...))
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) == 0 {
			return
		}
		w := Width(data[0] & 1)
		var r Restriction
		checkFuzzRoundTrip(t, data[1:], func(c *wire.Codec) { CodecRestriction(c, &r, "Restriction", w) })
	})
}

func FuzzTaggedValue(f *testing.F) {
	for _, tc := range valueCases {
		tag := le32bytes(uint32(NewTag(0x6601, tc.typ)))
		f.Add(append(append([]byte{0}, tag...), hx(f, tc.rop)...))
		if tc.wide != "" {
			f.Add(append(append([]byte{1}, tag...), hx(f, tc.wide)...))
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) == 0 {
			return
		}
		w := Width(data[0] & 1)
		var p TaggedValue
		checkFuzzRoundTrip(t, data[1:], func(c *wire.Codec) { CodecTagged(c, &p, "TaggedValue", w) })
	})
}

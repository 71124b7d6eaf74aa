package wire

import (
	"encoding/json"
	"strings"
	"testing"
)

// pair is a tiny structure described once for both directions.
type pair struct {
	A    uint16
	Name string
	List []uint32
}

func (p *pair) codec(c *Codec) {
	c.U16(&p.A, "A")
	c.Hex()
	c.UnicodeZ(&p.Name, "Name")
	n := c.Count16(len(p.List), 4, "ListCount")
	Make(c, &p.List, n)
	c.BeginArray("List")
	for i := range p.List {
		c.U32(&p.List[i], "")
	}
	c.End()
}

func TestCodecRoundTripAndSpans(t *testing.T) {
	in := pair{A: 0xBEEF, Name: "héllo", List: []uint32{1, 2, 3}}
	e := NewEncoder(nil)
	in.codec(e)
	b := e.Output()

	d := NewDecoder(b, true, "pair")
	var out pair
	out.codec(d)
	if len(d.Anomalies()) != 0 || out.A != in.A || out.Name != in.Name || len(out.List) != 3 || out.List[2] != 3 {
		t.Fatalf("decoded %+v, anomalies %v", out, d.Anomalies())
	}
	var m map[string]any
	if err := json.Unmarshal(d.Tree().JSON(JSONOptions{}), &m); err != nil {
		t.Fatal(err)
	}
	if m["A"] != float64(0xBEEF) || m["Name"] != "héllo" || m["ListCount"] != float64(3) {
		t.Fatalf("JSON %v", m)
	}
	// Every byte belongs to a field, and Find maps an offset back to it.
	if n := d.Tree().Find(2); n == nil || n.Name != "Name" {
		t.Fatalf("offset 2 finds %+v", n)
	}
	if n := d.Tree().Find(len(b) - 1); n == nil || n.Name != "" || n.Off != len(b)-4 {
		t.Fatalf("last byte finds %+v", n)
	}
}

func TestCodecTruncationIsAnAnomaly(t *testing.T) {
	e := NewEncoder(nil)
	(&pair{A: 1, Name: "x", List: []uint32{7, 8}}).codec(e)
	full := e.Output()
	for cut := 0; cut < len(full); cut++ {
		d := NewDecoder(full[:cut], cut%2 == 0, "pair")
		var p pair
		p.codec(d)
		as := d.Anomalies()
		if !d.Failed() || len(as) == 0 {
			t.Fatalf("cut at %d: no anomaly", cut)
		}
		if as[0].Offset > cut || !strings.Contains(as[0].Reason, "truncated") && !strings.Contains(as[0].Reason, "NUL") && !strings.Contains(as[0].Reason, "count") {
			t.Fatalf("cut at %d: anomaly %v", cut, as[0])
		}
	}
}

func TestHostileCountAllocatesNothing(t *testing.T) {
	// ListCount 0xFFFF with two bytes behind it.
	b := []byte{0, 0, 0, 0, 0xFF, 0xFF, 1, 2}
	allocs := testing.AllocsPerRun(100, func() {
		d := NewDecoder(b, false, "")
		var p pair
		p.codec(d)
		if !d.Failed() {
			t.Fatal("hostile count accepted")
		}
	})
	if allocs > 8 {
		t.Fatalf("%v allocations", allocs)
	}
}

func TestSizedRegion(t *testing.T) {
	e := NewEncoder(nil)
	var x uint32 = 42
	e.Sized(2, "Size", func() { e.U32(&x, "X") })
	b := e.Output()
	if len(b) != 6 || b[0] != 4 {
		t.Fatalf("encoded %x", b)
	}
	// A size larger than the data is a failure; a size larger than what is
	// read inside is a noted anomaly with the bytes skipped.
	d := NewDecoder([]byte{9, 0, 1, 2}, false, "")
	d.Sized(2, "Size", func() { d.U32(&x, "X") })
	if !d.Failed() {
		t.Fatal("oversized region accepted")
	}
	d = NewDecoder([]byte{6, 0, 1, 0, 0, 0, 9, 9, 7}, false, "")
	d.Sized(2, "Size", func() { d.U32(&x, "X") })
	var tail uint8
	d.U8(&tail, "Tail")
	if d.Failed() || len(d.Anomalies()) != 1 || tail != 7 {
		t.Fatalf("leftover handling: failed=%v anomalies=%v tail=%d", d.Failed(), d.Anomalies(), tail)
	}
}

func TestFlagsNamer(t *testing.T) {
	f := Flags(Flag{Mask: 1, Name: "A"}, Flag{Mask: 4, Name: "C"}, Flag{Mask: 0, Name: "None"})
	for v, want := range map[uint64]string{0: "None", 1: "A", 5: "A|C", 0x13: "A|0x12"} {
		if got := f(v); got != want {
			t.Errorf("Flags(%#x) = %q, want %q", v, got, want)
		}
	}
}

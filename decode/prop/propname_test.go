package prop

import (
	"bytes"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/mapiscope/mapiscope/decode/wire"
)

func pnHex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.Join(strings.Fields(s), ""))
	if err != nil {
		t.Fatalf("bad hex: %v", err)
	}
	return b
}

// pnRoundTrip decodes one PropertyName (with spans), requires no anomaly
// and every byte read, re-encodes and requires the same bytes.
func pnRoundTrip(t *testing.T, hexs string) (PropertyName, *wire.Node) {
	t.Helper()
	b := pnHex(t, hexs)
	c := wire.NewDecoder(b, true, "root")
	var p PropertyName
	CodecPropertyName(c, &p, "PropertyName")
	if len(c.Anomalies()) != 0 || c.Remaining() != 0 {
		t.Fatalf("decode %s: anomalies %v, %d left", hexs, c.Anomalies(), c.Remaining())
	}
	e := wire.NewEncoder(nil)
	CodecPropertyName(e, &p, "PropertyName")
	if e.Failed() || !bytes.Equal(e.Output(), b) {
		t.Fatalf("round trip:\n got %x\nwant %x (%v)", e.Output(), b, e.Anomalies())
	}
	return p, c.Tree().Child("PropertyName")
}

// [MS-OXCDATA] 2.6.1, Kind 0x00: PidLidReminderSet, LID 0x8503 in
// PSETID_Common {00062008-0000-0000-C000-000000000046}.
func TestPropertyNameLID(t *testing.T) {
	p, nd := pnRoundTrip(t, ""+
		"00"+ /*Kind: LID*/
		"0820060000000000c000000000000046"+ /*GUID: PSETID_Common*/
		"03850000" /*LID: 0x00008503*/)
	if p.Kind != KindLID || p.LID != 0x8503 {
		t.Fatalf("got %+v", p)
	}
	if nd.Sym != "PidLidReminderSet" || p.Canonical() != "PidLidReminderSet" {
		t.Fatalf("node name %q, canonical %q", nd.Sym, p.Canonical())
	}
	if g := nd.Child("GUID"); g == nil || g.Sym != "PSETID_Common" || g.Value != "00062008-0000-0000-c000-000000000046" {
		t.Fatalf("GUID node %+v", g)
	}
	if l := nd.Child("LID"); l == nil || l.Sym != "PidLidReminderSet" {
		t.Fatalf("LID node %+v", l)
	}
	if k := nd.Child("Kind"); k == nil || k.Sym != "LID" {
		t.Fatalf("Kind node %+v", k)
	}
}

// Kind 0x01: PidNameKeywords, "Keywords" in PS_PUBLIC_STRINGS. NameSize
// counts the UTF-16 bytes with the terminating NUL: 8 chars, 18 bytes.
func TestPropertyNameString(t *testing.T) {
	p, nd := pnRoundTrip(t, ""+
		"01"+ /*Kind: Name*/
		"2903020000000000c000000000000046"+ /*GUID: PS_PUBLIC_STRINGS*/
		"12"+ /*NameSize: 18*/
		"4b006500790077006f00720064007300"+"0000" /*Name: "Keywords" + NUL*/)
	if p.Kind != KindName || p.Name != "Keywords" {
		t.Fatalf("got %+v", p)
	}
	if nd.Sym != "PidNameKeywords" {
		t.Fatalf("node name %q", nd.Sym)
	}
	if n := nd.Child("Name"); n == nil || n.Sym != "PidNameKeywords" || n.Len != 18 {
		t.Fatalf("Name node %+v", n)
	}
	if ns := nd.Child("NameSize"); ns == nil || ns.Value != uint64(18) {
		t.Fatalf("NameSize node %+v", ns)
	}
	// An undocumented name falls back to set:"name".
	p.Name = "X-Custom"
	if s := p.String(); s != `PS_PUBLIC_STRINGS:"X-Custom"` {
		t.Fatalf("String() = %s", s)
	}
}

// Kind 0x00 in PS_MAPI names an ordinary property by its ID
// ([MS-OXCPRPT] 3.2.5.9): 0x0037 is PidTagSubject.
func TestPropertyNamePSMAPI(t *testing.T) {
	p, nd := pnRoundTrip(t, "00 2803020000000000c000000000000046 37000000")
	if p.Canonical() != "PidTagSubject" || nd.Sym != "PidTagSubject" {
		t.Fatalf("canonical %q, node %q", p.Canonical(), nd.Sym)
	}
}

// Kind 0xFF: no name; Kind and GUID only.
func TestPropertyNameNone(t *testing.T) {
	p, _ := pnRoundTrip(t, "ff 00000000000000000000000000000000")
	if p.Kind != KindNone || p.String() != "(no name)" {
		t.Fatalf("got %+v %s", p, p.String())
	}
}

func TestPropertyNameBad(t *testing.T) {
	for _, s := range []string{
		"02 0820060000000000c000000000000046",             // Kind 0x02 is not defined
		"00 0820060000000000c000000000000046 0385",        // LID truncated
		"01 2903020000000000c000000000000046 06 41004200", // NameSize past the end
		"01 2903020000000000c000000000000046 04 41004200", // no NUL inside NameSize
		"01 29030200", // GUID truncated
	} {
		c := wire.NewDecoder(pnHex(t, s), true, "root")
		var p PropertyName
		CodecPropertyName(c, &p, "PropertyName")
		if len(c.Anomalies()) == 0 {
			t.Errorf("%s: expected an anomaly", s)
		}
	}
	// A name too long for the one-byte NameSize cannot be encoded.
	e := wire.NewEncoder(nil)
	p := PropertyName{Kind: KindName, Name: strings.Repeat("x", 200)}
	CodecPropertyName(e, &p, "")
	if !e.Failed() {
		t.Fatalf("encoded a 402-byte Name")
	}
}

// [MS-OXCDATA] 2.6.2 PropertyName_r: GUID, Reserved, LID.
func TestPropertyNameR(t *testing.T) {
	b := pnHex(t, ""+
		"0820060000000000c000000000000046"+ /*GUID: PSETID_Common*/
		"00000000"+ /*Reserved*/
		"03850000" /*LID: 0x8503*/)
	c := wire.NewDecoder(b, true, "root")
	var p PropertyNameR
	CodecPropertyNameR(c, &p, "PropertyName")
	if len(c.Anomalies()) != 0 || c.Remaining() != 0 || p.LID != 0x8503 {
		t.Fatalf("got %+v, anomalies %v", p, c.Anomalies())
	}
	if nd := c.Tree().Child("PropertyName"); nd.Sym != "PidLidReminderSet" || nd.Len != PropertyNameRSize {
		t.Fatalf("node %+v", nd)
	}
	e := wire.NewEncoder(nil)
	CodecPropertyNameR(e, &p, "")
	if !bytes.Equal(e.Output(), b) {
		t.Fatalf("round trip %x", e.Output())
	}
	// A nonzero Reserved is noted.
	b[16] = 1
	c = wire.NewDecoder(b, false, "")
	CodecPropertyNameR(c, &p, "")
	if len(c.Anomalies()) != 1 || c.Failed() {
		t.Fatalf("anomalies %v", c.Anomalies())
	}
}

package prop

import (
	"bytes"
	"strings"
	"testing"

	"github.com/mapiscope/mapiscope/decode/wire"
)

func TestIDString(t *testing.T) {
	// ReplicaId 0x0001 (little-endian), GlobalCounter 0x00000E8EDF36
	// (big-endian) — [MS-OXCDATA] 2.2.1.1.
	b := hx(t, "0100 00000e8edf36")
	var id ID
	d := roundTrip(t, b, func(c *wire.Codec) { CodecID(c, &id, "FolderId") })
	if id.String() != "0001-00000E8EDF36" {
		t.Fatalf("String = %s", id)
	}
	if id.ReplicaId() != 1 || id.GlobalCounter() != 0x0E8EDF36 || !bytes.Equal(id.Bytes(), b) {
		t.Fatalf("ReplicaId %d GlobalCounter %x Bytes %x", id.ReplicaId(), id.GlobalCounter(), id.Bytes())
	}
	if MakeID(1, 0x0E8EDF36) != id {
		t.Fatalf("MakeID = %v", MakeID(1, 0x0E8EDF36))
	}
	for _, s := range []string{"0001-00000E8EDF36", "1-E8EDF36", "0x36DF8E0E00000001"} {
		if p, err := ParseID(s); err != nil || p != id {
			t.Fatalf("ParseID(%q) = %v, %v", s, p, err)
		}
	}
	for _, s := range []string{"0001-1000000000000", "x-1", "zz"} {
		if _, err := ParseID(s); err == nil {
			t.Fatalf("ParseID(%q) accepted", s)
		}
	}
	js := string(d.Tree().JSON(wire.JSONOptions{}))
	if !strings.Contains(js, `"FolderId":"0001-00000E8EDF36"`) || !strings.Contains(js, `"FolderIdBytes":"010000000e8edf36"`) {
		t.Fatalf("JSON: %s", js)
	}
}

func TestIDs(t *testing.T) {
	b := hx(t, "0200", "0100000000000001", "0100000000000002") // MessageIdCount, MessageIds
	var ids []ID
	roundTrip(t, b, func(c *wire.Codec) { CodecIDs(c, &ids, "MessageIdCount", "MessageIds", 2) })
	if len(ids) != 2 || ids[1].String() != "0001-000000000002" {
		t.Fatalf("got %v", ids)
	}
	b = hx(t, "01000000", "0500000000000a0b")
	roundTrip(t, b, func(c *wire.Codec) { CodecIDs(c, &ids, "Count", "Ids", 4) })
	if len(ids) != 1 || ids[0].String() != "0005-000000000A0B" {
		t.Fatalf("got %v", ids)
	}
	decodeFails(t, hx(t, "0300 0100000000000001"), func(c *wire.Codec) { CodecIDs(c, &ids, "Count", "Ids", 2) })
}

func TestGlobCnt(t *testing.T) {
	b := hx(t, "00000e8edf36") // 6 bytes, big-endian
	var g GlobCnt
	d := roundTrip(t, b, func(c *wire.Codec) { CodecGlobCnt(c, &g, "GlobalCounter") })
	if g != 0x0E8EDF36 {
		t.Fatalf("got %x", uint64(g))
	}
	if !strings.Contains(string(d.Tree().JSON(wire.JSONOptions{})), `"GlobalCounter":"00000E8EDF36"`) {
		t.Fatalf("JSON: %s", d.Tree().JSON(wire.JSONOptions{}))
	}
	decodeFails(t, hx(t, "0000"), func(c *wire.Codec) { CodecGlobCnt(c, &g, "GlobalCounter") })
}

func TestLongTermID(t *testing.T) {
	b := hx(t,
		testGUIDHex,    // DatabaseGuid
		"000000001234", // GlobalCounter
		"0000",         // Pad
	)
	var l LongTermID
	roundTrip(t, b, func(c *wire.Codec) { CodecLongTermID(c, &l, "LongTermId") })
	if l.DatabaseGuid != testGUID || l.GlobalCounter != 0x1234 || l.Pad != 0 {
		t.Fatalf("got %+v", l)
	}
	decodeFails(t, b[:20], func(c *wire.Codec) { CodecLongTermID(c, &l, "LongTermId") })
}

func TestTags(t *testing.T) {
	b := hx(t, "0300", "1f003700", "40000630", "0201ff0f") // PropertyTagCount, PropertyTags
	var tags []Tag
	d := roundTrip(t, b, func(c *wire.Codec) { CodecTags(c, &tags, "PropertyTagCount", "PropertyTags", 2) })
	if len(tags) != 3 || tags[0] != 0x0037001F || tags[2].Type() != PtypBinary || tags[1].ID() != 0x3006 {
		t.Fatalf("got %v", tags)
	}
	if !strings.Contains(string(d.Tree().JSON(wire.JSONOptions{})), "PidTagSubject:PtypString") {
		t.Fatalf("JSON: %s", d.Tree().JSON(wire.JSONOptions{}))
	}
	for s, want := range map[string]Tag{
		"0x0037001F":                0x0037001F,
		"PidTagSubject":             0x0037001F,
		"PidTagSubject:PtypString8": 0x0037001E,
		"0037001f":                  0x0037001F,
	} {
		if got, err := ParseTag(s); err != nil || got != want {
			t.Errorf("ParseTag(%q) = %v, %v", s, got, err)
		}
	}
	if _, err := ParseTag("NoSuchTag"); err == nil {
		t.Error("ParseTag accepted an unknown name")
	}
	if l, err := ParseTags("PidTagSubject, 0x0E080003"); err != nil || len(l) != 2 || l[1] != 0x0E080003 {
		t.Errorf("ParseTags = %v, %v", l, err)
	}
}

func TestErrorNames(t *testing.T) {
	for code, want := range map[ErrorCode]string{
		0x00000000: "Success",
		0x80004005: "ecError",
		0x80040102: "ecNotSupported",
		0x80040FFF: "NotImplemented",
		0x8004010F: "ecNotFound",
		0x000003F0: "ecServerOOM",
		0x000003F2: "ecLoginPerm",
		0x00000463: "ecNoReceiveFolder",
		0x00000478: "ecWrongServer",
		0x0000047D: "ecBufferTooSmall",
		0x00000480: "ecServerBusy",
		0x000004B9: "ecNullObject",
		0x00000503: "ecDstNullObject",
		0x80040301: "ecPropBadValue",
		0x00040380: "ecWarnWithErrors",
		0x00040821: "NewerClientChange",
	} {
		if got := code.Name(); got != want {
			t.Errorf("0x%08X: %q, want %q", uint32(code), got, want)
		}
	}
	for s, want := range map[string]ErrorCode{
		"ecNullObject":      0x000004B9,
		"nullobject":        0x000004B9,
		"0x80040102":        0x80040102,
		"ECDSTNULLOBJECT":   0x00000503,
		"NotImplemented":    0x80040FFF,
		"MAPI_E_STORE_FULL": 0x8004060C,
	} {
		if got, ok := LookupError(s); !ok || got != want {
			t.Errorf("LookupError(%q) = %v, %v", s, got, ok)
		}
	}
	if ErrorSym(0x12345678) != "" || ErrorCode(0x12345678).String() != "0x12345678" {
		t.Error("unknown code named")
	}
	// No name is used twice.
	seen := map[string]ErrorCode{}
	for code, name := range errorNames {
		if prev, dup := seen[strings.ToLower(name)]; dup {
			t.Errorf("%s names both 0x%08X and 0x%08X", name, uint32(prev), uint32(code))
		}
		seen[strings.ToLower(name)] = code
	}
}

package propnames

import (
	"bufio"
	"encoding/hex"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"
)

func mustSet(t *testing.T, name string) [16]byte {
	t.Helper()
	g, ok := SetGUID(name)
	if !ok {
		t.Fatalf("SetGUID(%q) not found", name)
	}
	return g
}

func TestKnownTags(t *testing.T) {
	cases := []struct {
		name string
		id   uint16
		typ  uint16
	}{
		{"PidTagSubject", 0x0037, 0x001F},
		{"PidTagDisplayName", 0x3001, 0x001F},
		{"PidTagFolderId", 0x6748, 0x0014},
		{"PidTagMessageClass", 0x001A, 0x001F},
		{"PidTagNormalizedSubject", 0x0E1D, 0x001F},
		{"PidTagAttachDataBinary", 0x3701, 0x0102},
		{"PidTagMid", 0x674A, 0x0014},
		{"PidTagRuleCondition", 0x6679, 0x00FD},
		{"PidTagRuleActions", 0x6680, 0x00FE},
		{"PidTagAddressBookContainerId", 0xFFFD, 0x0003},
		{"PidTagAccess", 0x0FF4, 0x0003},
	}
	for _, c := range cases {
		tag := uint32(c.id)<<16 | uint32(c.typ)
		if got, ok := TagName(tag); !ok || got != c.name {
			t.Errorf("TagName(%#08x) = %q, %v; want %q", tag, got, ok, c.name)
		}
		// The type is ignored when naming a tag.
		if got, ok := TagName(uint32(c.id)<<16 | 0x0001); !ok || got != c.name {
			t.Errorf("TagName(%#04x with PtypNull) = %q, %v; want %q", c.id, got, ok, c.name)
		}
		if got, ok := IDName(c.id); !ok || got != c.name {
			t.Errorf("IDName(%#04x) = %q, %v; want %q", c.id, got, ok, c.name)
		}
		if got, ok := CanonicalType(c.id); !ok || got != c.typ {
			t.Errorf("CanonicalType(%#04x) = %#04x, %v; want %#04x", c.id, got, ok, c.typ)
		}
		for _, n := range []string{c.name, strings.TrimPrefix(c.name, "PidTag"), strings.ToUpper(c.name), strings.ToLower(c.name)} {
			if got, ok := LookupTag(n); !ok || got != tag {
				t.Errorf("LookupTag(%q) = %#08x, %v; want %#08x", n, got, ok, tag)
			}
		}
	}
}

func TestUnknown(t *testing.T) {
	if n, ok := IDName(0x0038); ok {
		t.Errorf("IDName(0x0038) = %q, want unknown", n)
	}
	if _, ok := CanonicalType(0x0038); ok {
		t.Error("CanonicalType(0x0038) found, want unknown")
	}
	if _, ok := LookupTag("PidTagNoSuchProperty"); ok {
		t.Error("LookupTag(PidTagNoSuchProperty) found")
	}
	if _, ok := LidName([16]byte{1, 2, 3}, 0x8516); ok {
		t.Error("LidName with an unknown set found")
	}
	if _, ok := LidName(mustSet(t, "PSETID_Common"), 0x7FFF); ok {
		t.Error("LidName(PSETID_Common, 0x7FFF) found")
	}
	if _, ok := StringName(mustSet(t, "PS_PUBLIC_STRINGS"), "NoSuchName"); ok {
		t.Error("StringName(PS_PUBLIC_STRINGS, NoSuchName) found")
	}
	if _, _, _, _, ok := LookupNamed("PidLidNoSuchProperty"); ok {
		t.Error("LookupNamed(PidLidNoSuchProperty) found")
	}
	if _, ok := SetName([16]byte{}); ok {
		t.Error("SetName(zero GUID) found")
	}
	if _, ok := SetGUID("PSETID_NoSuchSet"); ok {
		t.Error("SetGUID(PSETID_NoSuchSet) found")
	}
}

func TestSharedIDsAreDeterministic(t *testing.T) {
	// [MS-OXPROPS] gives two names to these ids; the first listed wins.
	cases := []struct {
		id   uint16
		name string
		typ  uint16
	}{
		{0x3701, "PidTagAttachDataBinary", 0x0102},
		{0x1013, "PidTagBodyHtml", 0x001F},
		{0x0E08, "PidTagMessageSize", 0x0003},
		{0x0004, "PidTagAutoForwardComment", 0x001F},
		{0x3A1B, "PidTagBusiness2TelephoneNumber", 0x001F},
	}
	for _, c := range cases {
		for i := 0; i < 3; i++ {
			if got, ok := IDName(c.id); !ok || got != c.name {
				t.Fatalf("IDName(%#04x) = %q, %v; want %q", c.id, got, ok, c.name)
			}
		}
		if got, _ := CanonicalType(c.id); got != c.typ {
			t.Errorf("CanonicalType(%#04x) = %#04x, want %#04x", c.id, got, c.typ)
		}
	}
	// The second name still resolves to its own type.
	if got, ok := LookupTag("PidTagAttachDataObject"); !ok || got != 0x3701000D {
		t.Errorf("LookupTag(PidTagAttachDataObject) = %#08x, %v", got, ok)
	}
	if got, ok := LookupTag("PidTagHtml"); !ok || got != 0x10130102 {
		t.Errorf("LookupTag(PidTagHtml) = %#08x, %v", got, ok)
	}
}

func TestMarkers(t *testing.T) {
	cases := map[string]uint32{
		"StartTopFld":                          0x40090003,
		"EndFolder":                            0x400B0003,
		"StartSubFld":                          0x400A0003,
		"StartMessage":                         0x400C0003,
		"EndMessage":                           0x400D0003,
		"StartFAIMsg":                          0x40100003,
		"StartEmbed":                           0x40010003,
		"EndEmbed":                             0x40020003,
		"StartRecip":                           0x40030003,
		"EndToRecip":                           0x40040003,
		"NewAttach":                            0x40000003,
		"EndAttach":                            0x400E0003,
		"IncrSyncChg":                          0x40120003,
		"IncrSyncChgPartial":                   0x407D0003,
		"IncrSyncDel":                          0x40130003,
		"IncrSyncEnd":                          0x40140003,
		"IncrSyncRead":                         0x402F0003,
		"IncrSyncStateBegin":                   0x403A0003,
		"IncrSyncStateEnd":                     0x403B0003,
		"IncrSyncProgressMode":                 0x4074000B,
		"IncrSyncProgressPerMsg":               0x4075000B,
		"IncrSyncMessage":                      0x40150003,
		"IncrSyncGroupInfo":                    0x407B0102,
		"FXErrorInfo":                          0x40180003,
		"MetaTagIdsetGiven":                    0x40170003,
		"MetaTagCnsetSeen":                     0x67960102,
		"MetaTagCnsetSeenFAI":                  0x67DA0102,
		"MetaTagCnsetRead":                     0x67D20102,
		"MetaTagIdsetDeleted":                  0x67E50102,
		"MetaTagIdsetNoLongerInScope":          0x40210102,
		"MetaTagIdsetExpired":                  0x67930102,
		"MetaTagIdsetRead":                     0x402D0102,
		"MetaTagIdsetUnread":                   0x402E0102,
		"MetaTagFXDelProp":                     0x40160003,
		"MetaTagEcWarning":                     0x400F0003,
		"MetaTagNewFXFolder":                   0x40110102,
		"MetaTagIncrSyncGroupId":               0x407C0003,
		"MetaTagIncrementalSyncMessagePartial": 0x407A0003,
		"MetaTagDnPrefix":                      0x4008001E,
	}
	for name, tag := range cases {
		if got, ok := LookupTag(name); !ok || got != tag {
			t.Errorf("LookupTag(%q) = %#08x, %v; want %#08x", name, got, ok, tag)
		}
		if got, ok := TagName(tag); !ok || got != name {
			t.Errorf("TagName(%#08x) = %q, %v; want %q", tag, got, ok, name)
		}
	}
}

func TestNamed(t *testing.T) {
	common := mustSet(t, "PSETID_Common")
	want := [16]byte{0x08, 0x20, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0xc0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x46}
	if common != want {
		t.Fatalf("SetGUID(PSETID_Common) = % x, want % x", common, want)
	}
	if n, ok := SetName(common); !ok || n != "PSETID_Common" {
		t.Errorf("SetName(PSETID_Common GUID) = %q, %v", n, ok)
	}
	meeting := [16]byte{0x90, 0xda, 0xd8, 0x6e, 0x0b, 0x45, 0x1b, 0x10, 0x98, 0xda, 0x00, 0xaa, 0x00, 0x3f, 0x13, 0x05}
	if n, ok := SetName(meeting); !ok || n != "PSETID_Meeting" {
		t.Errorf("SetName(6ED8DA90-450B-101B-98DA-00AA003F1305) = %q, %v", n, ok)
	}
	if g, ok := SetGUID("ps_public_strings"); !ok || g != mustSet(t, "PS_PUBLIC_STRINGS") {
		t.Errorf("SetGUID is not case-insensitive")
	}

	lids := []struct {
		name string
		set  string
		lid  uint32
		typ  uint16
	}{
		{"PidLidCommonStart", "PSETID_Common", 0x8516, 0x0040},
		{"PidLidReminderSet", "PSETID_Common", 0x8503, 0x000B},
		{"PidLidAppointmentRecur", "PSETID_Appointment", 0x8216, 0x0102},
		{"PidLidGlobalObjectId", "PSETID_Meeting", 0x0003, 0x0102},
		{"PidLidEmail1EmailAddress", "PSETID_Address", 0x8083, 0x001F},
		{"PidLidTaskStatus", "PSETID_Task", 0x8101, 0x0003},
		{"PidLidCategories", "PS_PUBLIC_STRINGS", 0x9000, 0x101F},
	}
	for _, c := range lids {
		g := mustSet(t, c.set)
		if got, ok := LidName(g, c.lid); !ok || got != c.name {
			t.Errorf("LidName(%s, %#x) = %q, %v; want %q", c.set, c.lid, got, ok, c.name)
		}
		for _, n := range []string{c.name, strings.ToLower(c.name), strings.TrimPrefix(c.name, "PidLid")} {
			set, lid, str, typ, ok := LookupNamed(n)
			if !ok || set != g || lid != c.lid || str != "" || typ != c.typ {
				t.Errorf("LookupNamed(%q) = % x, %#x, %q, %#04x, %v", n, set, lid, str, typ, ok)
			}
		}
	}

	ps := mustSet(t, "PS_PUBLIC_STRINGS")
	for _, n := range []string{"Keywords", "keywords", "KEYWORDS"} {
		if got, ok := StringName(ps, n); !ok || got != "PidNameKeywords" {
			t.Errorf("StringName(PS_PUBLIC_STRINGS, %q) = %q, %v", n, got, ok)
		}
	}
	set, lid, str, typ, ok := LookupNamed("PidNameKeywords")
	if !ok || set != ps || lid != 0 || str != "Keywords" || typ != 0x101F {
		t.Errorf("LookupNamed(PidNameKeywords) = % x, %#x, %q, %#04x, %v", set, lid, str, typ, ok)
	}
	hdr := mustSet(t, "PS_INTERNET_HEADERS")
	if got, ok := StringName(hdr, "Content-Type"); !ok || got != "PidNameContentType" {
		t.Errorf("StringName(PS_INTERNET_HEADERS, Content-Type) = %q, %v", got, ok)
	}
	// "Subject" names a different property in each of two sets.
	if got, _ := StringName(hdr, "Subject"); got != "PidNameInternetSubject" {
		t.Errorf("StringName(PS_INTERNET_HEADERS, Subject) = %q", got)
	}
	if got, _ := StringName(ps, "Subject"); got != "PidNameSubject" {
		t.Errorf("StringName(PS_PUBLIC_STRINGS, Subject) = %q", got)
	}
	// Two canonical names share this string name; the first listed wins.
	if got, _ := StringName(ps, "urn:schemas:calendar:locationurl"); got != "PidNameCalendarLocationUrl" {
		t.Errorf("StringName(urn:schemas:calendar:locationurl) = %q", got)
	}
}

func TestCounts(t *testing.T) {
	tags, lids, names := Count()
	// [MS-OXPROPS] section 2 lists 575 PidTag, 365 PidLid and 139 PidName
	// properties; the tag table also holds markers and older PidTags.
	if tags < 630 || lids < 365 || names < 139 {
		t.Errorf("Count() = %d, %d, %d; want at least 630, 365, 139", tags, lids, names)
	}
	if len(propertySets) < 20 {
		t.Errorf("%d property sets, want at least 20", len(propertySets))
	}
}

// tsvRow is one data row of oxprops.tsv.
type tsvRow struct {
	kind, name, key, typ, set string
	line                      int
}

func readTSV(t *testing.T) []tsvRow {
	t.Helper()
	f, err := os.Open("oxprops.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rows []tsvRow
	sc := bufio.NewScanner(f)
	line := 0
	for sc.Scan() {
		line++
		s := sc.Text()
		if s == "" || strings.HasPrefix(s, "#") {
			continue
		}
		c := strings.Split(s, "\t")
		if len(c) != 5 {
			t.Fatalf("oxprops.tsv:%d: %d columns", line, len(c))
		}
		rows = append(rows, tsvRow{c[0], c[1], c[2], c[3], c[4], line})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return rows
}

func hexVal(t *testing.T, r tsvRow, s string, bits int) uint64 {
	t.Helper()
	if !strings.HasPrefix(s, "0x") {
		t.Fatalf("oxprops.tsv:%d: %q lacks 0x", r.line, s)
	}
	v, err := strconv.ParseUint(s[2:], 16, bits)
	if err != nil {
		t.Fatalf("oxprops.tsv:%d: %v", r.line, err)
	}
	return v
}

// TestGeneratedUpToDate rebuilds the tables from oxprops.tsv and compares
// them with table_gen.go; run `go generate` when it fails.
func TestGeneratedUpToDate(t *testing.T) {
	rows := readTSV(t)

	guids := map[string][16]byte{}
	var sets []setEntry
	for _, r := range rows {
		if r.kind != "set" {
			continue
		}
		raw, err := hex.DecodeString(strings.ReplaceAll(r.key, "-", ""))
		if err != nil || len(raw) != 16 {
			t.Fatalf("oxprops.tsv:%d: bad GUID %q", r.line, r.key)
		}
		var g [16]byte
		g[0], g[1], g[2], g[3], g[4], g[5], g[6], g[7] = raw[3], raw[2], raw[1], raw[0], raw[5], raw[4], raw[7], raw[6]
		copy(g[8:], raw[8:])
		guids[r.name] = g
		sets = append(sets, setEntry{GUID: g, Name: r.name})
	}
	sort.SliceStable(sets, func(i, j int) bool { return string(sets[i].GUID[:]) < string(sets[j].GUID[:]) })
	if len(sets) != len(propertySets) {
		t.Fatalf("TSV has %d sets, table_gen.go %d: run go generate", len(sets), len(propertySets))
	}
	idx := map[string]uint8{}
	for i, s := range sets {
		if s != propertySets[i] {
			t.Fatalf("property set %d: TSV %+v, table_gen.go %+v: run go generate", i, s, propertySets[i])
		}
		idx[s.Name] = uint8(i)
	}

	var tags []tagEntry
	var lids []lidEntry
	var names []nameEntry
	for _, r := range rows {
		switch r.kind {
		case "set":
		case "tag":
			tags = append(tags, tagEntry{ID: uint16(hexVal(t, r, r.key, 16)), Type: uint16(hexVal(t, r, r.typ, 16)), Name: r.name})
		case "lid":
			s, ok := idx[r.set]
			if !ok {
				t.Fatalf("oxprops.tsv:%d: unknown set %q", r.line, r.set)
			}
			lids = append(lids, lidEntry{Set: s, LID: uint32(hexVal(t, r, r.key, 32)), Type: uint16(hexVal(t, r, r.typ, 16)), Name: r.name})
		case "name":
			s, ok := idx[r.set]
			if !ok {
				t.Fatalf("oxprops.tsv:%d: unknown set %q", r.line, r.set)
			}
			names = append(names, nameEntry{Set: s, Name: r.key, Type: uint16(hexVal(t, r, r.typ, 16)), Canonical: r.name})
		default:
			t.Fatalf("oxprops.tsv:%d: unknown kind %q", r.line, r.kind)
		}
	}
	sort.SliceStable(tags, func(i, j int) bool { return tags[i].ID < tags[j].ID })
	sort.SliceStable(lids, func(i, j int) bool {
		if lids[i].Set != lids[j].Set {
			return lids[i].Set < lids[j].Set
		}
		return lids[i].LID < lids[j].LID
	})
	sort.SliceStable(names, func(i, j int) bool {
		if names[i].Set != names[j].Set {
			return names[i].Set < names[j].Set
		}
		return names[i].Name < names[j].Name
	})
	if len(tags) != len(tagTable) || len(lids) != len(lidTable) || len(names) != len(nameTable) {
		t.Fatalf("TSV has %d/%d/%d tags/lids/names, table_gen.go %d/%d/%d: run go generate",
			len(tags), len(lids), len(names), len(tagTable), len(lidTable), len(nameTable))
	}
	for i := range tags {
		if tags[i] != tagTable[i] {
			t.Fatalf("tag %d: TSV %+v, table_gen.go %+v: run go generate", i, tags[i], tagTable[i])
		}
	}
	for i := range lids {
		if lids[i] != lidTable[i] {
			t.Fatalf("lid %d: TSV %+v, table_gen.go %+v: run go generate", i, lids[i], lidTable[i])
		}
	}
	for i := range names {
		if names[i] != nameTable[i] {
			t.Fatalf("name %d: TSV %+v, table_gen.go %+v: run go generate", i, names[i], nameTable[i])
		}
	}
}

// TestNoConflictingDuplicates checks that rows sharing a key (kind, id, set)
// with different names are only those where [MS-OXPROPS] itself assigns
// several canonical names to one property, and that no canonical name
// appears twice.
func TestNoConflictingDuplicates(t *testing.T) {
	// Property ids that [MS-OXPROPS] gives more than one PidTag name.
	sharedTagIDs := map[string]bool{}
	for _, id := range strings.Fields(`0x0004 0x0E08 0x1013 0x3701 0x3A1B 0x3A2F
		0x6801 0x6802 0x6803 0x6804 0x6805 0x6841 0x6842 0x6844 0x6845 0x6846
		0x6847 0x6848 0x6849 0x684A 0x684B 0x684F 0x6850 0x6851 0x6852 0x6853
		0x6854 0x8005`) {
		sharedTagIDs[id] = true
	}
	sharedNamed := map[string]bool{
		"name|urn:schemas:calendar:locationurl|PS_PUBLIC_STRINGS": true,
	}

	byKey := map[string][]string{}
	seenName := map[string]int{}
	for _, r := range readTSV(t) {
		if r.kind == "set" {
			continue
		}
		if prev, dup := seenName[strings.ToLower(r.name)]; dup {
			t.Errorf("oxprops.tsv:%d: canonical name %s already on line %d", r.line, r.name, prev)
		}
		seenName[strings.ToLower(r.name)] = r.line
		k := r.kind + "|" + r.key + "|" + r.set
		if r.kind == "tag" {
			k = r.kind + "|" + strings.ToUpper(r.key[2:]) + "|"
		}
		byKey[k] = append(byKey[k], r.name)
	}
	for k, names := range byKey {
		if len(names) < 2 {
			continue
		}
		parts := strings.Split(k, "|")
		if parts[0] == "tag" && sharedTagIDs["0x"+parts[1]] {
			continue
		}
		if sharedNamed[k] {
			continue
		}
		t.Errorf("%s has several names %v", k, names)
	}
	for id := range sharedTagIDs {
		if len(byKey["tag|"+id[2:]+"|"]) < 2 {
			t.Errorf("shared id %s no longer has several names; update the test", id)
		}
	}
}

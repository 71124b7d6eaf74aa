//go:generate go run gen.go

// Package propnames maps MAPI property tags and named properties to their
// canonical names as listed in [MS-OXPROPS] (Exchange Server Protocols
// Master Property List), and back.
//
// The data lives in oxprops.tsv; gen.go turns it into table_gen.go. Besides
// the PidTag, PidLid and PidName properties of [MS-OXPROPS] section 2, the
// table holds the well-known property sets of [MS-OXPROPS] section 1.3.2 and
// the FastTransfer markers and meta-properties of [MS-OXCFXICS] 2.2.4.1
// (StartTopFld, IncrSyncChg, MetaTagDnPrefix, ...), which are looked up like
// PidTag properties.
//
// Property-set GUIDs are [16]byte values in wire order: Data1, Data2 and
// Data3 little-endian, then Data4 as written, so
// 00062008-0000-0000-C000-000000000046 is
// 08 20 06 00 00 00 00 00 C0 00 00 00 00 00 00 46.
package propnames

import (
	"bytes"
	"sort"
	"strings"
	"sync"
)

type setEntry struct {
	GUID [16]byte
	Name string
}

type tagEntry struct {
	ID   uint16
	Type uint16
	Name string
}

type lidEntry struct {
	Set  uint8 // index into propertySets
	LID  uint32
	Type uint16
	Name string
}

type nameEntry struct {
	Set       uint8 // index into propertySets
	Name      string
	Type      uint16
	Canonical string
}

// TagName returns the canonical PidTag name for a full 32-bit tag (id<<16|type).
// It matches on the id and returns the name even if the type differs
// (callers show the type separately); ok=false when unknown.
func TagName(tag uint32) (string, bool) {
	return IDName(uint16(tag >> 16))
}

// IDName returns the canonical name for a property id (upper 16 bits).
// Where [MS-OXPROPS] gives several canonical names for one id (for example
// 0x1013, PidTagBodyHtml and PidTagHtml), the first one listed in
// oxprops.tsv is returned.
func IDName(id uint16) (string, bool) {
	i := firstTag(id)
	if i < 0 {
		return "", false
	}
	return tagTable[i].Name, true
}

// CanonicalType returns the spec type of a PidTag id. For ids with several
// canonical names it is the type of the one IDName reports.
func CanonicalType(id uint16) (uint16, bool) {
	i := firstTag(id)
	if i < 0 {
		return 0, false
	}
	return tagTable[i].Type, true
}

func firstTag(id uint16) int {
	i := sort.Search(len(tagTable), func(i int) bool { return tagTable[i].ID >= id })
	if i < len(tagTable) && tagTable[i].ID == id {
		return i
	}
	return -1
}

// tagKey normalises a PidTag or marker name for LookupTag.
func tagKey(name string) string {
	k := strings.ToLower(strings.TrimSpace(name))
	return strings.TrimPrefix(k, "pidtag")
}

var tagIndex = sync.OnceValue(func() map[string]int {
	m := make(map[string]int, len(tagTable))
	for i, t := range tagTable {
		k := tagKey(t.Name)
		if _, dup := m[k]; !dup {
			m[k] = i
		}
	}
	return m
})

// LookupTag finds a PidTag (or marker) by canonical name, case-insensitive,
// with or without the "PidTag" prefix. It returns the full tag with its
// canonical type.
func LookupTag(name string) (uint32, bool) {
	i, ok := tagIndex()[tagKey(name)]
	if !ok {
		return 0, false
	}
	t := tagTable[i]
	return uint32(t.ID)<<16 | uint32(t.Type), true
}

// setIndex returns the index of set in propertySets, or -1.
func setIndex(set [16]byte) int {
	i := sort.Search(len(propertySets), func(i int) bool {
		return bytes.Compare(propertySets[i].GUID[:], set[:]) >= 0
	})
	if i < len(propertySets) && propertySets[i].GUID == set {
		return i
	}
	return -1
}

// LidName returns the PidLid canonical name for (property set GUID, LID).
func LidName(set [16]byte, lid uint32) (string, bool) {
	s := setIndex(set)
	if s < 0 {
		return "", false
	}
	si := uint8(s)
	i := sort.Search(len(lidTable), func(i int) bool {
		e := lidTable[i]
		return e.Set > si || (e.Set == si && e.LID >= lid)
	})
	if i < len(lidTable) && lidTable[i].Set == si && lidTable[i].LID == lid {
		return lidTable[i].Name, true
	}
	return "", false
}

// StringName returns the PidName canonical name for (set, string name). An
// exact match is preferred; otherwise the name is matched case-insensitively.
func StringName(set [16]byte, name string) (string, bool) {
	s := setIndex(set)
	if s < 0 {
		return "", false
	}
	si := uint8(s)
	lo := sort.Search(len(nameTable), func(i int) bool { return nameTable[i].Set >= si })
	i := sort.Search(len(nameTable), func(i int) bool {
		e := nameTable[i]
		return e.Set > si || (e.Set == si && e.Name >= name)
	})
	if i < len(nameTable) && nameTable[i].Set == si && nameTable[i].Name == name {
		return nameTable[i].Canonical, true
	}
	for j := lo; j < len(nameTable) && nameTable[j].Set == si; j++ {
		if strings.EqualFold(nameTable[j].Name, name) {
			return nameTable[j].Canonical, true
		}
	}
	return "", false
}

// namedRef points into lidTable (lid) or nameTable (!lid).
type namedRef struct {
	lid   bool
	index int
}

var namedIndex = sync.OnceValue(func() map[string]namedRef {
	m := make(map[string]namedRef, len(lidTable)+len(nameTable))
	for i, e := range lidTable {
		k := strings.ToLower(e.Name)
		if _, dup := m[k]; !dup {
			m[k] = namedRef{lid: true, index: i}
		}
	}
	for i, e := range nameTable {
		k := strings.ToLower(e.Canonical)
		if _, dup := m[k]; !dup {
			m[k] = namedRef{index: i}
		}
	}
	return m
})

// LookupNamed returns the (set, lid-or-name, type) of a PidLid/PidName by
// canonical name, case-insensitive. For a PidLid, strName is empty; for a
// PidName, lid is zero. A name without its "PidLid" or "PidName" prefix is
// also accepted (tried as PidLid first).
func LookupNamed(name string) (set [16]byte, lid uint32, strName string, typ uint16, ok bool) {
	idx := namedIndex()
	k := strings.ToLower(strings.TrimSpace(name))
	ref, found := idx[k]
	if !found {
		if ref, found = idx["pidlid"+k]; !found {
			ref, found = idx["pidname"+k]
		}
	}
	if !found {
		return set, 0, "", 0, false
	}
	if ref.lid {
		e := lidTable[ref.index]
		return propertySets[e.Set].GUID, e.LID, "", e.Type, true
	}
	e := nameTable[ref.index]
	return propertySets[e.Set].GUID, 0, e.Name, e.Type, true
}

// SetName returns the well-known name of a property-set GUID (e.g. "PSETID_Common").
func SetName(set [16]byte) (string, bool) {
	i := setIndex(set)
	if i < 0 {
		return "", false
	}
	return propertySets[i].Name, true
}

// SetGUID returns the GUID of a well-known property-set name, matched
// case-insensitively.
func SetGUID(name string) ([16]byte, bool) {
	name = strings.TrimSpace(name)
	for _, s := range propertySets {
		if strings.EqualFold(s.Name, name) {
			return s.GUID, true
		}
	}
	return [16]byte{}, false
}

// Count returns the number of PidTag, PidLid and PidName entries. The tag
// count includes the FastTransfer markers and meta-properties and the
// PidTag properties kept from earlier [MS-OXPROPS] revisions.
func Count() (tags, lids, names int) {
	return len(tagTable), len(lidTable), len(nameTable)
}

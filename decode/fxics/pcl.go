package fxics

import (
	"bytes"

	"github.com/mapiscope/mapiscope/decode/prop"
)

// Predecessor change lists: comparison and merge — [MS-OXCFXICS] 3.1.5.6.
// Server (conflict detection on upload) and client (replica) share them.

// PCLOrder is how two versions of an object relate — [MS-OXCFXICS]
// 3.1.5.6.1: PCL A includes PCL B when every XID of B has an XID of A with
// the same NamespaceGuid and a LocalId at least as large.
type PCLOrder int

const (
	PCLEqual    PCLOrder = iota // each includes the other: the same version
	PCLNewer                    // A includes B: A is the newer version
	PCLOlder                    // B includes A: A is the older version
	PCLConflict                 // neither includes the other
)

func (o PCLOrder) String() string {
	switch o {
	case PCLEqual:
		return "equal"
	case PCLNewer:
		return "newer"
	case PCLOlder:
		return "older"
	}
	return "conflict"
}

// pclMap reads a PredecessorChangeList into the highest LocalId per
// NamespaceGuid, keeping the order of first appearance.
func pclMap(b []byte) (map[prop.GUID][]byte, []prop.GUID, error) {
	l, err := DecodePredecessorChangeList(b)
	if err != nil {
		return nil, nil, err
	}
	m := map[prop.GUID][]byte{}
	var order []prop.GUID
	for _, x := range l {
		cur, ok := m[x.NamespaceGuid]
		if !ok {
			order = append(order, x.NamespaceGuid)
		}
		if !ok || localIDCmp(x.LocalId, cur) > 0 {
			m[x.NamespaceGuid] = x.LocalId
		}
	}
	return m, order, nil
}

// localIDCmp compares two LocalIds as big-endian numbers.
func localIDCmp(a, b []byte) int {
	a, b = bytes.TrimLeft(a, "\x00"), bytes.TrimLeft(b, "\x00")
	if len(a) != len(b) {
		if len(a) < len(b) {
			return -1
		}
		return 1
	}
	return bytes.Compare(a, b)
}

func pclIncludes(a, b map[prop.GUID][]byte) bool {
	for g, lb := range b {
		la, ok := a[g]
		if !ok || localIDCmp(la, lb) < 0 {
			return false
		}
	}
	return true
}

// ComparePCL compares PCL a with PCL b — [MS-OXCFXICS] 3.1.5.6.1. A value
// that is not a PredecessorChangeList is an error.
func ComparePCL(a, b []byte) (PCLOrder, error) {
	ma, _, err := pclMap(a)
	if err != nil {
		return 0, err
	}
	mb, _, err := pclMap(b)
	if err != nil {
		return 0, err
	}
	ab, ba := pclIncludes(ma, mb), pclIncludes(mb, ma)
	switch {
	case ab && ba:
		return PCLEqual, nil
	case ab:
		return PCLNewer, nil
	case ba:
		return PCLOlder, nil
	}
	return PCLConflict, nil
}

// MergePCL returns the merge of serialized PCLs: per NamespaceGuid the
// highest LocalId — the PCL of a version that succeeds all of them
// ([MS-OXCFXICS] 3.1.5.6.2.1). Values that do not parse are skipped.
func MergePCL(lists ...[]byte) []byte {
	m := map[prop.GUID][]byte{}
	var order []prop.GUID
	for _, b := range lists {
		l, err := DecodePredecessorChangeList(b)
		if err != nil {
			continue
		}
		for _, x := range l {
			cur, ok := m[x.NamespaceGuid]
			if !ok {
				order = append(order, x.NamespaceGuid)
			}
			if !ok || localIDCmp(x.LocalId, cur) > 0 {
				m[x.NamespaceGuid] = x.LocalId
			}
		}
	}
	out := make([]XID, 0, len(order))
	for _, g := range order {
		out = append(out, XID{NamespaceGuid: g, LocalId: m[g]})
	}
	b, _ := EncodePredecessorChangeList(out)
	return b
}

// PCLOf is the PCL holding one XID (a change key) — [MS-OXCFXICS] 2.2.2.3.
func PCLOf(xid []byte) []byte {
	return append([]byte{byte(len(xid))}, xid...)
}

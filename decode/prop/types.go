// Package prop is the MAPI property system of [MS-OXCDATA]: property types,
// tags and values in all their wire forms, property rows, restrictions, sort
// orders, identifiers, entry IDs and error codes.
package prop

import "fmt"

// Type is a property data type — [MS-OXCDATA] 2.11.1.
type Type uint16

const (
	PtypUnspecified          Type = 0x0000
	PtypNull                 Type = 0x0001
	PtypInteger16            Type = 0x0002
	PtypInteger32            Type = 0x0003
	PtypFloating32           Type = 0x0004
	PtypFloating64           Type = 0x0005
	PtypCurrency             Type = 0x0006
	PtypFloatingTime         Type = 0x0007
	PtypErrorCode            Type = 0x000A
	PtypBoolean              Type = 0x000B
	PtypObject               Type = 0x000D // also PtypEmbeddedTable
	PtypInteger64            Type = 0x0014
	PtypString8              Type = 0x001E
	PtypString               Type = 0x001F
	PtypTime                 Type = 0x0040
	PtypGuid                 Type = 0x0048
	PtypServerId             Type = 0x00FB
	PtypRestriction          Type = 0x00FD
	PtypRuleAction           Type = 0x00FE
	PtypBinary               Type = 0x0102
	PtypMultipleInteger16    Type = 0x1002
	PtypMultipleInteger32    Type = 0x1003
	PtypMultipleFloating32   Type = 0x1004
	PtypMultipleFloating64   Type = 0x1005
	PtypMultipleCurrency     Type = 0x1006
	PtypMultipleFloatingTime Type = 0x1007
	PtypMultipleInteger64    Type = 0x1014
	PtypMultipleString8      Type = 0x101E
	PtypMultipleString       Type = 0x101F
	PtypMultipleTime         Type = 0x1040
	PtypMultipleGuid         Type = 0x1048
	PtypMultipleBinary       Type = 0x1102

	// MultiValued is the bit every PtypMultiple type carries.
	MultiValued Type = 0x1000
	// MultiValueInstance marks a column that expands a multi-valued
	// property into one row per value ([MS-OXCDATA] 2.11.1.3 footnote;
	// [MS-OXCTABL] 2.2.1.1): such a cell holds a single value.
	MultiValueInstance Type = 0x2000
)

var typeNames = map[Type]string{
	PtypUnspecified: "PtypUnspecified", PtypNull: "PtypNull", PtypInteger16: "PtypInteger16",
	PtypInteger32: "PtypInteger32", PtypFloating32: "PtypFloating32", PtypFloating64: "PtypFloating64",
	PtypCurrency: "PtypCurrency", PtypFloatingTime: "PtypFloatingTime", PtypErrorCode: "PtypErrorCode",
	PtypBoolean: "PtypBoolean", PtypObject: "PtypObject", PtypInteger64: "PtypInteger64",
	PtypString8: "PtypString8", PtypString: "PtypString", PtypTime: "PtypTime", PtypGuid: "PtypGuid",
	PtypServerId: "PtypServerId", PtypRestriction: "PtypRestriction", PtypRuleAction: "PtypRuleAction",
	PtypBinary: "PtypBinary", PtypMultipleInteger16: "PtypMultipleInteger16",
	PtypMultipleInteger32: "PtypMultipleInteger32", PtypMultipleFloating32: "PtypMultipleFloating32",
	PtypMultipleFloating64: "PtypMultipleFloating64", PtypMultipleCurrency: "PtypMultipleCurrency",
	PtypMultipleFloatingTime: "PtypMultipleFloatingTime", PtypMultipleInteger64: "PtypMultipleInteger64",
	PtypMultipleString8: "PtypMultipleString8", PtypMultipleString: "PtypMultipleString",
	PtypMultipleTime: "PtypMultipleTime", PtypMultipleGuid: "PtypMultipleGuid",
	PtypMultipleBinary: "PtypMultipleBinary",
}

// String returns the specification name (PtypString, …), with the
// MultiValueInstance bit shown as a suffix.
func (t Type) String() string {
	if n, ok := typeNames[t]; ok {
		return n
	}
	if t&MultiValueInstance != 0 {
		if n, ok := typeNames[t&^MultiValueInstance]; ok {
			return n + "|MV_INSTANCE"
		}
	}
	return fmt.Sprintf("Ptyp(0x%04X)", uint16(t))
}

// Known reports whether t (without the instance bit) is a type of the spec.
func (t Type) Known() bool {
	_, ok := typeNames[t.Cell()]
	return ok
}

// Cell is the type of a single cell of a column of type t: a
// MultiValueInstance column holds one value of the base type.
func (t Type) Cell() Type {
	if t&MultiValueInstance != 0 {
		return t &^ (MultiValueInstance | MultiValued)
	}
	return t
}

// IsMulti reports a PtypMultiple type.
func (t Type) IsMulti() bool { return t&MultiValued != 0 && t&MultiValueInstance == 0 }

// Base is the element type of a multi-valued type.
func (t Type) Base() Type { return t &^ (MultiValued | MultiValueInstance) }

// FixedSize is the wire size of a fixed-length type, or 0 for variable ones.
func (t Type) FixedSize() int {
	switch t {
	case PtypInteger16:
		return 2
	case PtypInteger32, PtypFloating32, PtypErrorCode:
		return 4
	case PtypFloating64, PtypCurrency, PtypFloatingTime, PtypInteger64, PtypTime:
		return 8
	case PtypBoolean:
		return 1
	case PtypGuid:
		return 16
	case PtypNull:
		return 0
	}
	return 0
}

// Width says how wide the count fields of property values are. In ROP
// buffers PtypBinary byte counts are 16 bits and PtypMultiple value counts
// 32 bits; in extended rules ([MS-OXORULE] 2.2.4) and in the MAPI/HTTP
// address book ([MS-OXCMAPIHTTP] 2.2.5) both are 32 bits — [MS-OXCDATA] 2.11.1.
// Restrictions and rule actions follow the same split ([MS-OXCDATA] 2.12,
// [MS-OXORULE] 2.2.5): 16-bit counts in ROP buffers, 32-bit in extended rules.
type Width uint8

const (
	ROP  Width = iota // 16-bit binary counts, 32-bit multi-value counts
	Wide              // 32-bit counts everywhere
)

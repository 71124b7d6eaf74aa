package prop

import (
	"fmt"

	"github.com/mapiscope/mapiscope/decode/propnames"
	"github.com/mapiscope/mapiscope/decode/wire"
)

// Kind values of a PropertyName — [MS-OXCDATA] 2.6.1.
const (
	KindLID  uint8 = 0x00 // the property is identified by LID
	KindName uint8 = 0x01 // the property is identified by Name
	KindNone uint8 = 0xFF // the property has no associated name
)

var kindSym = wire.Enum(
	wire.Flag{Mask: uint64(KindLID), Name: "LID"},
	wire.Flag{Mask: uint64(KindName), Name: "Name"},
	wire.Flag{Mask: uint64(KindNone), Name: "None"},
)

// psMAPI is the PS_MAPI property set {00020328-0000-0000-C000-000000000046}:
// a PropertyName in it with Kind LID names an ordinary property whose
// property ID is the LID ([MS-OXCPRPT] 3.2.5.9).
var psMAPI = GUID{0x28, 0x03, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0xc0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x46}

// PropertyName identifies a named property — [MS-OXCDATA] 2.6.1: Kind,
// the property set GUID, then LID (Kind 0x00) or NameSize and Name
// (Kind 0x01). Kind 0xFF ("no associated name", returned by
// RopGetNamesFromPropertyIds for an unmapped ID) carries the GUID only.
type PropertyName struct {
	Kind uint8
	Guid GUID
	LID  uint32 // when Kind is KindLID
	Name string // when Kind is KindName
}

// SetName returns the well-known name of the property set, or "".
func (p *PropertyName) SetName() string {
	n, _ := propnames.SetName([16]byte(p.Guid))
	return n
}

// Canonical returns the [MS-OXPROPS] name of the property — PidLid… for
// a LID, PidName… for a string name, the PidTag… name for a PS_MAPI LID —
// or "" when it is not a documented property.
func (p *PropertyName) Canonical() string {
	switch p.Kind {
	case KindLID:
		if n, ok := propnames.LidName([16]byte(p.Guid), p.LID); ok {
			return n
		}
		if p.Guid == psMAPI && p.LID < 0x10000 {
			if n, ok := propnames.IDName(uint16(p.LID)); ok {
				return n
			}
		}
	case KindName:
		if n, ok := propnames.StringName([16]byte(p.Guid), p.Name); ok {
			return n
		}
	}
	return ""
}

// String renders the name for people: the canonical name when known,
// else set:LID or set:"name".
func (p *PropertyName) String() string {
	if n := p.Canonical(); n != "" {
		return n
	}
	set := p.SetName()
	if set == "" {
		set = "{" + p.Guid.String() + "}"
	}
	switch p.Kind {
	case KindLID:
		return fmt.Sprintf("%s:0x%08X", set, p.LID)
	case KindName:
		return fmt.Sprintf("%s:%q", set, p.Name)
	case KindNone:
		return "(no name)"
	}
	return fmt.Sprintf("Kind 0x%02X", p.Kind)
}

// PropertyNameMinSize is the fewest bytes a PropertyName occupies (Kind
// and GUID), for bounding counts of PropertyNames.
const PropertyNameMinSize = 17

// CodecPropertyName reads or writes a PropertyName. With spans, the GUID
// shows its property-set name, and the LID or Name leaf and the node itself
// the PidLid/PidName name (the PidTag name for a PS_MAPI LID).
//
// NameSize counts the bytes of Name including its two-byte terminating
// NUL, so Name must end inside NameSize ([MS-OXCDATA] 2.6.1: the Name is
// a UTF-16 string "followed by two zero bytes", NameSize "the number of
// bytes in the Name string").
func CodecPropertyName(c *wire.Codec, p *PropertyName, name string) {
	c.Begin(name)
	c.U8(&p.Kind, "Kind")
	c.Hex().Named(kindSym)
	CodecGUID(c, &p.Guid, "GUID")
	if c.Spans() {
		c.Sym(p.SetName())
	}
	switch p.Kind {
	case KindLID:
		c.U32(&p.LID, "LID")
		c.Hex()
		if c.Spans() {
			c.Sym(p.Canonical())
		}
	case KindName:
		var size uint8
		if c.Encoding() {
			n := wire.UTF16Len(p.Name) + 2
			if n > 0xFF {
				c.EncodeError("PropertyName: Name of %d bytes does not fit the one-byte NameSize", n)
				c.End()
				return
			}
			size = uint8(n)
		}
		c.U8(&size, "NameSize")
		c.Within(int(size), "Name", func() {
			c.UnicodeZ(&p.Name, "Name")
			if c.Spans() && !c.Failed() {
				c.Sym(p.Canonical())
			}
		})
	case KindNone:
	default:
		if c.Decoding() {
			c.Fail("PropertyName: Kind 0x%02X is not 0x00 (LID), 0x01 (Name) or 0xFF (none)", p.Kind)
		} else {
			c.EncodeError("PropertyName: Kind 0x%02X", p.Kind)
		}
	}
	if c.Spans() && !c.Failed() {
		c.SetTitle(p.Canonical())
	}
	c.End()
}

// CodecPropertyNames reads or writes PropertyNames whose count was read
// elsewhere, as an array node.
func CodecPropertyNames(c *wire.Codec, l []PropertyName, name string) {
	c.BeginArray(name)
	for i := range l {
		if c.Failed() {
			break
		}
		CodecPropertyName(c, &l[i], "")
	}
	c.End()
}

// PropertyNameR is the PropertyName_r structure — [MS-OXCDATA] 2.6.2: the
// GUID, a Reserved field that MUST be 0, and the LID, always present. The
// MAPI/HTTP address book uses it in GetIDsFromNames and GetNamesFromIDs
// ([MS-OXCMAPIHTTP] 2.2.5).
type PropertyNameR struct {
	Guid     GUID
	Reserved uint32
	LID      uint32
}

// PropertyNameRSize is the wire size of a PropertyName_r.
const PropertyNameRSize = 24

// CodecPropertyNameR reads or writes a PropertyName_r.
func CodecPropertyNameR(c *wire.Codec, p *PropertyNameR, name string) {
	c.Begin(name)
	CodecGUID(c, &p.Guid, "GUID")
	if c.Spans() {
		if n, ok := propnames.SetName([16]byte(p.Guid)); ok {
			c.Sym(n)
		}
	}
	c.U32(&p.Reserved, "Reserved")
	c.Hex()
	if c.Decoding() && !c.Failed() && p.Reserved != 0 {
		c.NoteAt(c.Pos()-4, "PropertyName_r: Reserved is 0x%08X, not 0", p.Reserved)
	}
	c.U32(&p.LID, "LID")
	c.Hex()
	if c.Spans() && !c.Failed() {
		if n, ok := propnames.LidName([16]byte(p.Guid), p.LID); ok {
			c.SetTitle(n)
		}
	}
	c.End()
}

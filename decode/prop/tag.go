package prop

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/mapiscope/mapiscope/decode/propnames"
	"github.com/mapiscope/mapiscope/decode/wire"
)

// Tag is a PropertyTag: id in the high 16 bits, type in the low 16 —
// [MS-OXCDATA] 2.9.
type Tag uint32

// NewTag builds a tag from id and type.
func NewTag(id uint16, t Type) Tag { return Tag(uint32(id)<<16 | uint32(t)) }

func (t Tag) ID() uint16 { return uint16(t >> 16) }
func (t Tag) Type() Type { return Type(t) }

// WithType returns the tag with another type.
func (t Tag) WithType(ty Type) Tag { return NewTag(t.ID(), ty) }

// Named reports a named-property id (0x8000 and up), whose meaning comes
// from the logon's name map.
func (t Tag) Named() bool { return t.ID() >= 0x8000 }

// Name returns the canonical name of the tag, or "" when unknown.
func (t Tag) Name() string {
	n, _ := propnames.TagName(uint32(t))
	return n
}

func (t Tag) String() string {
	if n := t.Name(); n != "" {
		return fmt.Sprintf("%s (0x%08X)", n, uint32(t))
	}
	return fmt.Sprintf("0x%08X", uint32(t))
}

// ParseTag accepts 0x3001001F, 3001001F, a canonical name (PidTagSubject,
// Subject) or name:type (PidTagSubject:PtypString8).
func ParseTag(s string) (Tag, error) {
	s = strings.TrimSpace(s)
	name, typ, hasType := strings.Cut(s, ":")
	hex := strings.TrimPrefix(strings.TrimPrefix(name, "0x"), "0X")
	var tag Tag
	if v, err := strconv.ParseUint(hex, 16, 32); err == nil && len(hex) == 8 {
		tag = Tag(v)
	} else if v, ok := propnames.LookupTag(name); ok {
		tag = Tag(v)
	} else {
		return 0, fmt.Errorf("unknown property tag %q (give 0xIIIITTTT or a PidTag name)", s)
	}
	if hasType {
		t, err := ParseType(typ)
		if err != nil {
			return 0, err
		}
		tag = tag.WithType(t)
	}
	return tag, nil
}

// ParseType accepts 0x001F or a Ptyp name.
func ParseType(s string) (Type, error) {
	hex := strings.TrimPrefix(strings.TrimPrefix(s, "0x"), "0X")
	if v, err := strconv.ParseUint(hex, 16, 16); err == nil {
		return Type(v), nil
	}
	for t, n := range typeNames {
		if strings.EqualFold(n, s) || strings.EqualFold(strings.TrimPrefix(n, "Ptyp"), s) {
			return t, nil
		}
	}
	return 0, fmt.Errorf("unknown property type %q", s)
}

// ParseTags parses a comma-separated list of tags.
func ParseTags(s string) ([]Tag, error) {
	var out []Tag
	for _, f := range strings.Split(s, ",") {
		if strings.TrimSpace(f) == "" {
			continue
		}
		t, err := ParseTag(f)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}

// TagSym is the symbolic name shown beside a tag value.
func TagSym(v uint64) string {
	t := Tag(v)
	n := t.Name()
	if n == "" {
		return t.Type().String()
	}
	return n + ":" + t.Type().String()
}

// TypeSym names a property type value.
func TypeSym(v uint64) string { return Type(v).String() }

// CodecTag reads or writes a PropertyTag and, with spans, shows its
// PropertyId and PropertyType beside it.
func CodecTag(c *wire.Codec, t *Tag, name string) {
	u := uint32(*t)
	c.U32(&u, name)
	*t = Tag(u)
	if c.Spans() {
		c.SetProp(uint32(*t))
		c.Hex().Named(TagSym)
		if n := NamedTagName(c, *t); n != "" {
			c.Sym(n + ":" + t.Type().String())
		}
		if name == "PropertyTag" {
			c.Derive("PropertyId", uint64(t.ID()), true, "")
			c.Derive("PropertyType", uint64(t.Type()), true, t.Type().String())
		}
	}
}

// CodecTags reads or writes count-prefixed tags (count width 2 or 4 bytes).
func CodecTags(c *wire.Codec, tags *[]Tag, countName, name string, countWidth int) {
	var n int
	if countWidth == 4 {
		n = c.Count32(len(*tags), 4, countName)
	} else {
		n = c.Count16(len(*tags), 4, countName)
	}
	wire.Make(c, tags, n)
	c.BeginArray(name)
	for i := range *tags {
		CodecTag(c, &(*tags)[i], "")
	}
	c.End()
}

// CodecType reads or writes a 16-bit property type.
func CodecType(c *wire.Codec, t *Type, name string) {
	u := uint16(*t)
	c.U16(&u, name)
	*t = Type(u)
	c.Hex().Named(TypeSym)
}

// NamedTagName names a named-property tag (id 0x8000 and up) through the
// codec's TagNamer, or returns "".
func NamedTagName(c *wire.Codec, t Tag) string {
	if !t.Named() || c.TagNamer == nil {
		return ""
	}
	return c.TagNamer(uint32(t))
}

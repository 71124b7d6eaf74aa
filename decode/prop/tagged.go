package prop

import "github.com/mapiscope/mapiscope/decode/wire"

// TaggedValue is a TaggedPropertyValue: PropertyTag then the value of the
// tag's type — [MS-OXCDATA] 2.11.4.
type TaggedValue struct {
	Tag   Tag
	Value any
}

// CodecTagged reads or writes a TaggedPropertyValue.
func CodecTagged(c *wire.Codec, p *TaggedValue, name string, w Width) {
	c.Begin(name)
	CodecTag(c, &p.Tag, "PropertyTag")
	CodecValue(c, p.Tag.Type(), &p.Value, "Value", w)
	annotateID(c, p.Tag, p.Value)
	c.End()
}

// CodecTaggedList reads or writes a count-prefixed list of
// TaggedPropertyValues (count width 2 or 4).
func CodecTaggedList(c *wire.Codec, l *[]TaggedValue, countName, name string, countWidth int, w Width) {
	var n int
	if countWidth == 4 {
		n = c.Count32(len(*l), 4, countName)
	} else {
		n = c.Count16(len(*l), 4, countName)
	}
	wire.Make(c, l, n)
	c.BeginArray(name)
	for i := range *l {
		CodecTagged(c, &(*l)[i], "", w)
	}
	c.End()
}

// TypedValue is a TypedPropertyValue: PropertyType then the value —
// [MS-OXCDATA] 2.11.3.
type TypedValue struct {
	Type  Type
	Value any
}

// CodecTyped reads or writes a TypedPropertyValue.
func CodecTyped(c *wire.Codec, p *TypedValue, name string, w Width) {
	c.Begin(name)
	CodecType(c, &p.Type, "PropertyType")
	CodecValue(c, p.Type, &p.Value, "PropertyValue", w)
	c.End()
}

// Flag values of a FlaggedPropertyValue — [MS-OXCDATA] 2.11.5.
const (
	FlagValue    uint8 = 0x00 // the value follows
	FlagNotFound uint8 = 0x01 // no value follows
	FlagError    uint8 = 0x0A // an ErrorCode follows
)

func flagSym(v uint64) string {
	switch uint8(v) {
	case FlagValue:
		return "value"
	case FlagNotFound:
		return "not present"
	case FlagError:
		return "error"
	}
	return "invalid"
}

// FlaggedValue is a FlaggedPropertyValue (Type is set when the column type
// is PtypUnspecified: FlaggedPropertyValueWithType, [MS-OXCDATA] 2.11.6).
// With Flag FlagError, Value holds the ErrorCode.
type FlaggedValue struct {
	Type  Type
	Flag  uint8
	Value any
}

// CodecFlagged reads or writes a FlaggedPropertyValue of column type t.
func CodecFlagged(c *wire.Codec, p *FlaggedValue, t Type, name string, w Width) {
	c.Begin(name)
	if t == PtypUnspecified {
		CodecType(c, &p.Type, "PropertyType")
		t = p.Type
	} else if c.Decoding() {
		p.Type = t
	}
	c.U8(&p.Flag, "Flag")
	c.Hex().Named(flagSym)
	switch p.Flag {
	case FlagValue:
		CodecValue(c, t, &p.Value, "PropertyValue", w)
	case FlagNotFound:
		if c.Decoding() {
			p.Value = nil
		}
	case FlagError:
		CodecValue(c, PtypErrorCode, &p.Value, "PropertyValue", w)
	default:
		c.Fail("FlaggedPropertyValue: Flag 0x%02X is not 0x00, 0x01 or 0x0A", p.Flag)
	}
	c.End()
}

package nspi

import (
	"github.com/mapiscope/mapiscope/decode/prop"
	"github.com/mapiscope/mapiscope/decode/wire"
)

// HasValueType reports whether an AddressBookPropertyValue of type t starts
// with a HasValue byte: PtypString, PtypString8, PtypBinary and every
// PtypMultiple type — [MS-OXCMAPIHTTP] 2.2.1.1.
func HasValueType(t prop.Type) bool {
	t = t.Cell()
	switch t {
	case prop.PtypString, prop.PtypString8, prop.PtypBinary:
		return true
	}
	return t.IsMulti()
}

// itemHasValueType reports the PtypMultiple types whose values each carry
// a HasValue byte of their own ([MS-OXCMAPIHTTP] 2.2.1.1: "a HasValue
// (1 byte) field in front of each PtypString, PtypString8, PtypBinary
// value" of a PtypMultipleString, PtypMultipleString8 or
// PtypMultipleBinary).
func itemHasValueType(t prop.Type) bool {
	switch t {
	case prop.PtypMultipleString, prop.PtypMultipleString8, prop.PtypMultipleBinary:
		return true
	}
	return false
}

// PropertyValue is an AddressBookPropertyValue — [MS-OXCMAPIHTTP] 2.2.1.1:
// a [MS-OXCDATA] 2.11.2.1 PropertyValue whose type the context gives,
// preceded by a HasValue byte when the type is PtypString, PtypString8,
// PtypBinary or a PtypMultiple type (HasValueType).
//
// Value holds the Go types of package prop (string, []byte, []string, …);
// it is nil when HasValue is FALSE. Byte counts of PtypBinary and value
// counts of PtypMultiple values are 32 bits.
//
// HasValue is meaningful only for the types that carry it; encoding
// writes it as decoded, or, when zero, TRUE for a non-nil Value and FALSE
// for a nil one. ItemHasValue holds the HasValue byte in front of each
// value of a PtypMultipleString, PtypMultipleString8 or PtypMultipleBinary
// value (a value whose byte is FALSE is "" or nil); a nil ItemHasValue
// encodes every value as present.
type PropertyValue struct {
	HasValue     Bool
	Value        any
	ItemHasValue []Bool
}

// CodecPropertyValue reads or writes an AddressBookPropertyValue of type
// t. Types with a HasValue byte show as a node {HasValue, PropertyValue};
// the others as the value itself.
func CodecPropertyValue(c *wire.Codec, t prop.Type, v *PropertyValue, name string) {
	t = t.Cell()
	if !HasValueType(t) {
		if c.Decoding() {
			v.HasValue, v.ItemHasValue = False, nil
		}
		codecBareValue(c, t, v, name)
		return
	}
	c.Begin(name)
	if codecHasValue(c, &v.HasValue, v.Value != nil, "HasValue") {
		codecBareValue(c, t, v, "PropertyValue")
	} else if c.Decoding() {
		v.Value, v.ItemHasValue = nil, nil
	}
	c.End()
}

// codecBareValue is the PropertyValue after HasValue.
func codecBareValue(c *wire.Codec, t prop.Type, v *PropertyValue, name string) {
	switch t {
	case prop.PtypMultipleString:
		codecItems(c, v, t, name, func(e *string) { c.UnicodeZ(e, "Value") })
	case prop.PtypMultipleString8:
		codecItems(c, v, t, name, func(e *string) { c.String8Z(e, "Value") })
	case prop.PtypMultipleBinary:
		codecItems(c, v, t, name, func(e *[]byte) {
			n := c.Count32(len(*e), 1, "Count")
			c.Fixed(e, n, "Value")
		})
	default:
		if c.Decoding() {
			v.ItemHasValue = nil
		}
		prop.CodecValue(c, t, &v.Value, name, prop.Wide)
	}
}

// codecItems is a PtypMultipleString, PtypMultipleString8 or
// PtypMultipleBinary value of the address book: a 32-bit count, then per
// value a HasValue byte and, when it is TRUE, the value.
func codecItems[T any](c *wire.Codec, v *PropertyValue, t prop.Type, name string, elem func(*T)) {
	x, ok := v.Value.([]T)
	if c.Encoding() && !ok && v.Value != nil {
		c.EncodeError("%s: a %T cannot be encoded as %s", name, v.Value, t)
		return
	}
	c.Begin(name)
	// Each value is at least its HasValue byte.
	n := c.Count32(len(x), 1, "Count")
	wire.Make(c, &x, n)
	var has []Bool
	if c.Decoding() && n > 0 {
		has = make([]Bool, n)
	}
	c.BeginArray("Values")
	for i := range x {
		if c.Failed() {
			break
		}
		b := True
		if c.Encoding() && v.ItemHasValue != nil && i < len(v.ItemHasValue) {
			b = v.ItemHasValue[i]
		}
		c.Begin("")
		codecBool(c, &b, "HasValue")
		noteHasValue(c, uint8(b), "HasValue")
		if c.Decoding() {
			has[i] = b
		}
		if b != 0 {
			elem(&x[i])
		}
		c.End()
	}
	c.End()
	c.End()
	if c.Decoding() {
		v.Value, v.ItemHasValue = x, has
	}
}

// ---- AddressBookTaggedPropertyValue — 2.2.1.2 ----

// TaggedValue is an AddressBookTaggedPropertyValue — [MS-OXCMAPIHTTP]
// 2.2.1.2: PropertyType, PropertyId and an AddressBookPropertyValue of
// that type.
type TaggedValue struct {
	PropertyType prop.Type
	PropertyId   uint16
	PropertyValue
}

// Tag returns the property tag PropertyId:PropertyType.
func (v *TaggedValue) Tag() prop.Tag { return prop.NewTag(v.PropertyId, v.PropertyType) }

// Tagged builds a TaggedValue of tag t holding value.
func Tagged(t prop.Tag, value any) TaggedValue {
	return TaggedValue{PropertyType: t.Type(), PropertyId: t.ID(), PropertyValue: PropertyValue{Value: value}}
}

// CodecTaggedValue reads or writes an AddressBookTaggedPropertyValue.
func CodecTaggedValue(c *wire.Codec, v *TaggedValue, name string) {
	c.Begin(name)
	prop.CodecType(c, &v.PropertyType, "PropertyType")
	c.U16(&v.PropertyId, "PropertyId")
	c.Hex()
	if c.Spans() {
		tag := v.Tag()
		n := tag.Name()
		if n == "" {
			n = prop.NamedTagName(c, tag)
		}
		c.Sym(n)
		c.SetTitle(n)
	}
	CodecPropertyValue(c, v.PropertyType, &v.PropertyValue, "PropertyValue")
	c.End()
}

// CodecPropertyValueList reads or writes an AddressBookPropertyValueList —
// [MS-OXCMAPIHTTP] 2.2.1.3: a 32-bit PropertyValueCount and that many
// AddressBookTaggedPropertyValues.
func CodecPropertyValueList(c *wire.Codec, l *[]TaggedValue, name string) {
	c.Begin(name)
	n := c.Count32(len(*l), 4, "PropertyValueCount")
	wire.Make(c, l, n)
	c.BeginArray("PropertyValues")
	for i := range *l {
		if c.Failed() {
			break
		}
		CodecTaggedValue(c, &(*l)[i], "")
	}
	c.End()
	c.End()
}

// ---- AddressBookPropertyRow — 2.2.1.7 ----

// Flags of an AddressBookPropertyRow.
const (
	RowStandard uint8 = 0x00 // every value present and without error
	RowFlagged  uint8 = 0x01 // each value carries a Flag
)

// Flag values of an AddressBookFlaggedPropertyValue — [MS-OXCMAPIHTTP]
// 2.2.1.5.
const (
	FlagValue    uint8 = 0x00 // an AddressBookPropertyValue of the column type follows
	FlagNotFound uint8 = 0x01 // no value follows
	FlagError    uint8 = 0x0A // a PtypErrorCode value follows
)

var rowFlagsSym = wire.Enum(
	wire.Flag{Mask: uint64(RowStandard), Name: "standard"},
	wire.Flag{Mask: uint64(RowFlagged), Name: "flagged"},
)

var flagSym = wire.Enum(
	wire.Flag{Mask: uint64(FlagValue), Name: "value"},
	wire.Flag{Mask: uint64(FlagNotFound), Name: "not present"},
	wire.Flag{Mask: uint64(FlagError), Name: "error"},
)

// PropertyRow is an AddressBookPropertyRow — [MS-OXCMAPIHTTP] 2.2.1.7 —
// decoded against the columns (a LargePropertyTagArray) of its body.
type PropertyRow struct {
	Flags      uint8 // RowStandard or RowFlagged
	ValueArray []RowValue
}

// RowValue is one column of an AddressBookPropertyRow. What it is on the
// wire depends on the row's Flags and the column's type:
//
//	standard row, typed column:            AddressBookPropertyValue (2.2.1.1)
//	standard row, PtypUnspecified column:  AddressBookTypedPropertyValue (2.2.1.4): PropertyType, value
//	flagged row, typed column:             AddressBookFlaggedPropertyValue (2.2.1.5): Flag, value
//	flagged row, PtypUnspecified column:   AddressBookFlaggedPropertyValueWithType (2.2.1.6): PropertyType, Flag, value
//
// For a typed column, decoding sets PropertyType to the column's type.
// With Flag FlagError, Value holds a prop.ErrorCode; with FlagNotFound it
// is nil.
type RowValue struct {
	PropertyType prop.Type
	Flag         uint8
	PropertyValue
}

// CodecPropertyRow reads or writes an AddressBookPropertyRow against a
// column set.
func CodecPropertyRow(c *wire.Codec, r *PropertyRow, columns []prop.Tag, name string) {
	c.Begin(name)
	c.U8(&r.Flags, "Flags")
	c.Hex().Named(rowFlagsSym)
	if r.Flags > RowFlagged {
		if c.Decoding() {
			c.Fail("AddressBookPropertyRow: Flags 0x%02X is neither 0x00 nor 0x01", r.Flags)
		} else {
			c.EncodeError("AddressBookPropertyRow: Flags 0x%02X", r.Flags)
		}
		c.End()
		return
	}
	if c.Decoding() {
		r.ValueArray = nil
		if len(columns) > 0 {
			r.ValueArray = make([]RowValue, len(columns))
		}
	} else if len(r.ValueArray) != len(columns) {
		c.EncodeError("AddressBookPropertyRow: %d values for %d columns", len(r.ValueArray), len(columns))
		c.End()
		return
	}
	c.BeginArray("ValueArray")
	for i, col := range columns {
		if c.Failed() {
			break
		}
		codecRowValue(c, &r.ValueArray[i], col, r.Flags == RowFlagged, columnLabel(c, col))
	}
	c.End()
	c.End()
}

func columnLabel(c *wire.Codec, col prop.Tag) string {
	if !c.Spans() {
		return ""
	}
	if n := col.Name(); n != "" {
		return n
	}
	if n := prop.NamedTagName(c, col); n != "" {
		return n
	}
	return col.String()
}

func codecRowValue(c *wire.Codec, v *RowValue, col prop.Tag, flagged bool, label string) {
	t := col.Type()
	typed := t == prop.PtypUnspecified
	if !typed && !flagged {
		if c.Decoding() {
			v.PropertyType, v.Flag = t, FlagValue
		}
		CodecPropertyValue(c, t, &v.PropertyValue, label)
		return
	}
	c.Begin(label)
	if typed {
		prop.CodecType(c, &v.PropertyType, "PropertyType")
		t = v.PropertyType
	} else if c.Decoding() {
		v.PropertyType = t
	}
	if !flagged {
		if c.Decoding() {
			v.Flag = FlagValue
		}
		CodecPropertyValue(c, t, &v.PropertyValue, "PropertyValue")
		c.End()
		return
	}
	c.U8(&v.Flag, "Flag")
	c.Hex().Named(flagSym)
	switch v.Flag {
	case FlagValue:
		CodecPropertyValue(c, t, &v.PropertyValue, "PropertyValue")
	case FlagNotFound:
		if c.Decoding() {
			v.PropertyValue = PropertyValue{}
		}
	case FlagError:
		CodecPropertyValue(c, prop.PtypErrorCode, &v.PropertyValue, "PropertyValue")
	default:
		if c.Decoding() {
			c.Fail("AddressBookFlaggedPropertyValue: Flag 0x%02X is not 0x0, 0x1 or 0xA", v.Flag)
		} else {
			c.EncodeError("AddressBookFlaggedPropertyValue: Flag 0x%02X", v.Flag)
		}
	}
	c.End()
}

// codecRows reads or writes a 32-bit RowCount and that many
// AddressBookPropertyRows against columns.
func codecRows(c *wire.Codec, rows *[]PropertyRow, columns []prop.Tag, countName, name string) {
	// A row is at least its Flags byte and, for every column but the
	// PtypNull ones (no bytes in a standard row), one byte.
	minRow := 1
	for _, col := range columns {
		if col.Type().Cell() != prop.PtypNull {
			minRow++
		}
	}
	n := c.Count32(len(*rows), minRow, countName)
	if c.Decoding() && n > 0 && int64(n)*int64(len(columns)) > int64(c.Remaining())+maxEmptyCells {
		// Only PtypNull columns can make this many cells out of so few
		// bytes; refuse rather than allocate them.
		c.Fail("%s: %d rows of %d columns cannot come from the %d bytes left", countName, n, len(columns), c.Remaining())
		n = 0
	}
	wire.Make(c, rows, n)
	c.BeginArray(name)
	for i := range *rows {
		if c.Failed() {
			break
		}
		CodecPropertyRow(c, &(*rows)[i], columns, "")
	}
	c.End()
}

// maxEmptyCells bounds the row cells that may take no bytes (PtypNull
// columns of standard rows) beyond one per byte of input.
const maxEmptyCells = 1 << 16

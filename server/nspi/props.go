package nspi

import (
	nsp "github.com/mapiscope/mapiscope/decode/nspi"
	"github.com/mapiscope/mapiscope/decode/prop"
)

// value returns o's value of tag in tag's type, and the type it has:
// tag's type, or for PtypUnspecified the property's own type (with
// PtypString for strings when unicode is set). 8-bit and Unicode string
// types convert into each other, as [MS-OXNSPI] String Handling has the server
// express strings in the type the client asks for; any other type must be
// the property's own. PidTagEntryId is the Ephemeral Entry ID when flags
// has fEphID, else the Permanent Entry ID ([MS-OXNSPI] 3.1.4.1.7
// constraints 7 and 8). A nil o has no properties.
func (g *gal) value(o *object, tag prop.Tag, flags uint32, unicode bool) (any, prop.Type, bool) {
	if o == nil {
		return nil, 0, false
	}
	p, ok := o.props[tag.ID()]
	if !ok {
		return nil, 0, false
	}
	if tag.ID() == tagEntryID.ID() && flags&nsp.FEphID != 0 {
		p.v = g.ephemeralEntryID(o)
	}
	want := tag.Type()
	if want == prop.PtypUnspecified {
		want = p.t
		if unicode {
			want = unicodeType(want)
		}
	}
	if want == p.t {
		return p.v, want, true
	}
	if isString(want) && isString(p.t) && want.IsMulti() == p.t.IsMulti() {
		return p.v, want, true
	}
	return nil, 0, false
}

func isString(t prop.Type) bool {
	switch t {
	case prop.PtypString, prop.PtypString8, prop.PtypMultipleString, prop.PtypMultipleString8:
		return true
	}
	return false
}

// unicodeType maps the 8-bit string types to the Unicode ones.
func unicodeType(t prop.Type) prop.Type {
	switch t {
	case prop.PtypString8:
		return prop.PtypString
	case prop.PtypMultipleString8:
		return prop.PtypMultipleString
	}
	return t
}

// string8Type maps the Unicode string types to the 8-bit ones.
func string8Type(t prop.Type) prop.Type {
	switch t {
	case prop.PtypString:
		return prop.PtypString8
	case prop.PtypMultipleString:
		return prop.PtypMultipleString8
	}
	return t
}

// row builds an AddressBookPropertyRow ([MS-OXCMAPIHTTP] 2.2.1.7) of o
// against columns. A row whose every column has a value is a standard
// row; otherwise it is flagged, and each missing property is a PtypErrorCode
// NotFound value — [MS-OXNSPI] 3.1.4.1.8 constraint 15 and 3.1.4.1.7
// constraint 12. A nil o (an unknown Minimal Entry ID) gives a row of
// errors.
func (g *gal) row(o *object, columns []prop.Tag, flags uint32) nsp.PropertyRow {
	r := nsp.PropertyRow{Flags: nsp.RowStandard, ValueArray: make([]nsp.RowValue, len(columns))}
	for i, col := range columns {
		v, t, ok := g.value(o, col, flags, true)
		if !ok {
			r.Flags = nsp.RowFlagged
			r.ValueArray[i] = nsp.RowValue{
				PropertyType:  prop.PtypErrorCode,
				Flag:          nsp.FlagError,
				PropertyValue: nsp.PropertyValue{Value: NotFound},
			}
			continue
		}
		r.ValueArray[i] = nsp.RowValue{PropertyType: t, Flag: nsp.FlagValue, PropertyValue: nsp.PropertyValue{Value: v}}
	}
	return r
}

// rowSet builds one row per object.
func (g *gal) rowSet(objs []*object, columns []prop.Tag, flags uint32) []nsp.PropertyRow {
	out := make([]nsp.PropertyRow, len(objs))
	for i, o := range objs {
		out[i] = g.row(o, columns, flags)
	}
	return out
}

// tagged builds an AddressBookPropertyValueList of o — the GetProps row:
// each property in its requested type, a missing one as a PtypErrorCode
// NotFound value. errs reports whether any was missing.
func (g *gal) tagged(o *object, tags []prop.Tag, flags uint32, unicode bool) (vals []nsp.TaggedValue, errs bool) {
	vals = make([]nsp.TaggedValue, len(tags))
	for i, tag := range tags {
		v, t, ok := g.value(o, tag, flags, unicode)
		if !ok {
			vals[i] = nsp.Tagged(tag.WithType(prop.PtypErrorCode), NotFound)
			errs = true
			continue
		}
		vals[i] = nsp.Tagged(tag.WithType(t), v)
	}
	return vals, errs
}

// propList lists o's property tags — [MS-OXNSPI] 3.1.4.1.6: string
// properties in Unicode types when unicode is set, else 8-bit;
// PtypObject properties left out under fSkipObjects (none exist here).
func propList(o *object, unicode bool) []prop.Tag {
	out := make([]prop.Tag, 0, len(o.order))
	for _, id := range o.order {
		t := o.props[id].t
		if isString(t) {
			if unicode {
				t = unicodeType(t)
			} else {
				t = string8Type(t)
			}
		}
		out = append(out, prop.NewTag(id, t))
	}
	return out
}

// source is an object as a store.PropSource, for restrictions.
type source struct {
	g *gal
	o *object
}

func (s source) Prop(tag prop.Tag) (any, bool) {
	v, _, ok := s.g.value(s.o, tag, 0, true)
	return v, ok
}

// defaultColumns is the column set of QueryRows and ResolveNames when the
// client names none — [MS-OXNSPI] 3.1.4.1.8 constraint 6, in this order,
// the strings as PtypString8.
var defaultColumns = []prop.Tag{
	tagContainerID,
	tagObjectType,
	tagDisplayType,
	tagDisplayName.WithType(prop.PtypString8),
	tagPrimaryTelephone,
	tagDepartmentName,
	tagOfficeLocation,
}

// columnsOr returns cols, or a copy of the default columns.
func columnsOr(cols []prop.Tag) []prop.Tag {
	if len(cols) > 0 {
		return cols
	}
	return append([]prop.Tag(nil), defaultColumns...)
}

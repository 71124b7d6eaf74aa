package server

import (
	"github.com/mapiscope/mapiscope/decode/prop"
	"github.com/mapiscope/mapiscope/server/store"
)

// valueFor returns the value of column col in src, converted to the
// column's type: PtypString and PtypString8 are interchangeable, a
// PtypUnspecified column takes the stored type (as a TypedValue), and a
// MultiValueInstance column takes one element (the caller expands rows).
// ok is false when src has no such property.
func valueFor(src store.PropSource, col prop.Tag) (any, bool) {
	v, ok := src.Prop(col)
	if !ok {
		// Try the other string width, then any type with the same id.
		switch col.Type().Base() {
		case prop.PtypString:
			v, ok = src.Prop(col.WithType(prop.PtypString8 | col.Type()&prop.MultiValued))
		case prop.PtypString8:
			v, ok = src.Prop(col.WithType(prop.PtypString | col.Type()&prop.MultiValued))
		}
		if !ok {
			return nil, false
		}
	}
	if col.Type() == prop.PtypUnspecified {
		return prop.TypedValue{Type: prop.TypeOf(v), Value: v}, true
	}
	if col.Type()&prop.MultiValueInstance != 0 {
		if el, isMulti := prop.Elements(v); isMulti {
			if len(el) == 0 {
				return nil, false
			}
			return el[0], true
		}
	}
	return v, true
}

// rowFor builds the PropertyRow of src over columns — [MS-OXCDATA] 2.8.1:
// a StandardPropertyRow when every column has a value, else a
// FlaggedPropertyRow whose missing cells carry ecNotFound (flag 0x0A), as
// Exchange answers.
func rowFor(src store.PropSource, columns []prop.Tag) prop.Row {
	vals := make([]any, len(columns))
	missing := false
	for i, col := range columns {
		v, ok := valueFor(src, col)
		if !ok {
			missing = true
			continue
		}
		vals[i] = v
	}
	if !missing {
		for i, col := range columns {
			if col.Type() == prop.PtypUnspecified {
				continue
			}
			vals[i] = fitValue(col, vals[i])
		}
		return prop.Row{Flag: 0, Values: vals}
	}
	for i, col := range columns {
		v, ok := valueFor(src, col)
		if !ok {
			vals[i] = prop.FlaggedValue{Flag: prop.FlagError, Value: ecNotFound}
			continue
		}
		if col.Type() == prop.PtypUnspecified {
			tv := v.(prop.TypedValue)
			vals[i] = prop.FlaggedValue{Type: tv.Type, Flag: prop.FlagValue, Value: tv.Value}
			continue
		}
		vals[i] = prop.FlaggedValue{Flag: prop.FlagValue, Value: fitValue(col, v)}
	}
	return prop.Row{Flag: 1, Values: vals}
}

// fitValue converts v to the Go type of column col where the store keeps
// it differently (a PtypString8 column of a Unicode value is the same Go
// string; a ServerId kept as bytes).
func fitValue(col prop.Tag, v any) any {
	t := col.Type().Cell()
	if t == prop.PtypServerId {
		if b, ok := v.([]byte); ok {
			return prop.ServerID(b)
		}
	}
	if t == prop.PtypBinary {
		if b, ok := v.(prop.ServerID); ok {
			return []byte(b)
		}
	}
	return v
}

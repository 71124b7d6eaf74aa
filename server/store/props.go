package store

import (
	"fmt"
	"sort"

	"github.com/mapiscope/mapiscope/decode/prop"
	"github.com/mapiscope/mapiscope/decode/wire"
)

// Props is a property bag keyed by property id; each entry keeps its full
// tag (with type). Lookups follow MAPI coercions: PtypUnspecified matches
// any type, PtypString and PtypString8 answer for each other.
type Props map[uint16]prop.TaggedValue

// Get returns the value of tag, or false.
func (p Props) Get(tag prop.Tag) (any, bool) {
	tv, ok := p[tag.ID()]
	if !ok {
		return nil, false
	}
	want := tag.Type()
	have := tv.Tag.Type()
	switch {
	case want == have, want == prop.PtypUnspecified:
		return tv.Value, true
	case isStringType(want) && isStringType(have):
		return tv.Value, true
	case want&prop.MultiValueInstance != 0 && want.Cell()|prop.MultiValued == have:
		return tv.Value, true
	}
	return nil, false
}

// Prop implements PropSource.
func (p Props) Prop(tag prop.Tag) (any, bool) { return p.Get(tag) }

// Set stores a value under tag (replacing any value of the same id).
func (p Props) Set(tag prop.Tag, v any) { p[tag.ID()] = prop.TaggedValue{Tag: tag, Value: v} }

// Delete removes the property with tag's id.
func (p Props) Delete(tag prop.Tag) { delete(p, tag.ID()) }

// List returns the values sorted by id.
func (p Props) List() []prop.TaggedValue {
	out := make([]prop.TaggedValue, 0, len(p))
	for _, tv := range p {
		out = append(out, tv)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Tag < out[j].Tag })
	return out
}

// Clone returns a deep enough copy (values are treated as immutable).
func (p Props) Clone() Props {
	q := make(Props, len(p))
	for k, v := range p {
		q[k] = v
	}
	return q
}

// String returns a string property or "".
func (p Props) String(tag prop.Tag) string {
	v, _ := p.Get(tag)
	s, _ := v.(string)
	return s
}

// Int32 returns an integer property or 0.
func (p Props) Int32(tag prop.Tag) int32 {
	v, _ := p.Get(tag)
	switch x := v.(type) {
	case int32:
		return x
	case int16:
		return int32(x)
	}
	return 0
}

func isStringType(t prop.Type) bool { return t == prop.PtypString || t == prop.PtypString8 }

// storable reports whether a property type may be stored.
func storable(t prop.Type) bool {
	if !t.Known() || t&prop.MultiValueInstance != 0 {
		return false
	}
	switch t {
	case prop.PtypUnspecified, prop.PtypNull:
		return false
	}
	return true
}

// encodeValue serialises one value of type t. Strings and binaries are
// stored as their raw bytes (UTF-8 for strings), everything else in the
// [MS-OXCDATA] PropertyValue form with 32-bit counts.
func encodeValue(t prop.Type, v any) ([]byte, error) {
	switch t {
	case prop.PtypString, prop.PtypString8:
		s, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("%v: value %T is not a string", t, v)
		}
		return []byte(s), nil
	case prop.PtypBinary, prop.PtypObject:
		b, ok := v.([]byte)
		if !ok {
			return nil, fmt.Errorf("%v: value %T is not []byte", t, v)
		}
		return b, nil
	}
	c := wire.NewEncoder(nil)
	prop.CodecValue(c, t, &v, "", prop.Wide)
	if err := c.Err(); err != nil {
		return nil, err
	}
	return c.Output(), nil
}

func decodeValue(t prop.Type, b []byte) (any, error) {
	switch t {
	case prop.PtypString, prop.PtypString8:
		return string(b), nil
	case prop.PtypBinary, prop.PtypObject:
		if b == nil {
			b = []byte{}
		}
		return b, nil
	}
	c := wire.NewDecoder(b, false, "")
	var v any
	prop.CodecValue(c, t, &v, "", prop.Wide)
	if err := c.Err(); err != nil {
		return nil, err
	}
	return v, nil
}

// valueSize is the byte size MAPI reports for a value (strings without
// terminator in UTF-16 units for PtypString).
func valueSize(v any) int {
	switch x := v.(type) {
	case string:
		return len(x)
	case []byte:
		return len(x)
	case prop.ServerID:
		return len(x)
	case []string:
		n := 0
		for _, s := range x {
			n += len(s)
		}
		return n
	case [][]byte:
		n := 0
		for _, s := range x {
			n += len(s)
		}
		return n
	case nil:
		return 0
	}
	t := prop.TypeOf(v)
	if t.IsMulti() {
		b, _ := encodeValue(t, v)
		return len(b)
	}
	return t.FixedSize()
}

// checkValue verifies that v has the Go type the prop package uses for t.
func checkValue(tv prop.TaggedValue) error {
	t := tv.Tag.Type()
	if !storable(t) {
		return fmt.Errorf("%w: property type %v cannot be stored", ErrInvalidParam, t)
	}
	if _, err := encodeValue(t, tv.Value); err != nil {
		return fmt.Errorf("%w: %v: %v", ErrInvalidParam, tv.Tag, err)
	}
	return nil
}

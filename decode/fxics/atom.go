package fxics

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"github.com/mapiscope/mapiscope/decode/prop"
	"github.com/mapiscope/mapiscope/decode/wire"
)

// Atom is one lexical element of a FastTransfer stream — [MS-OXCFXICS]
// 2.2.4.1: a marker, or a propValue (a property or meta-property with its
// value). Off and Len place it in the stream (absolute offsets from the
// first byte fed).
type Atom struct {
	Off int64
	Len int64

	// Tag is the marker value, or the propValue's property tag as it is on
	// the wire (a code page string keeps its 0x8000|CodePageId type).
	Tag    prop.Tag
	Marker bool

	// Name identifies a named property (property id 0x8000 and up): the
	// propertySet GUID and a dispid (Kind prop.KindLID) or a name
	// (prop.KindName) — [MS-OXCFXICS] 2.2.4.1.2 namedPropInfo.
	Name *prop.PropertyName

	// Hdr is the number of bytes before the value itself: the tag, the
	// named-property information and the length or count field.
	Hdr int32
	// Size is the length lexeme: the declared byte length of a variable-size
	// value, or the number of values of a multi-valued one.
	Size uint32
	// Raw holds the value bytes: the fixedSizeValue, the varSizeValue
	// (without its length), or for a multi-valued property everything after
	// the count. For a value larger than the lexer's MaxValue, Raw keeps only
	// the first bytes and Truncated is set.
	Raw       []byte
	Truncated bool
}

// ErrTruncated is returned by Value for a value the lexer did not keep whole.
var ErrTruncated = errors.New("value truncated by the lexer (too large to keep)")

// MarkerValue returns the atom's marker (meaningful when a.Marker is set).
func (a *Atom) MarkerValue() Marker { return Marker(a.Tag) }

// Is reports whether the atom is the marker m.
func (a *Atom) Is(m Marker) bool { return a.Marker && Marker(a.Tag) == m }

// IsProp reports whether the atom is the propValue with tag t.
func (a *Atom) IsProp(t prop.Tag) bool { return !a.Marker && a.Tag == t }

// End is the offset just past the atom.
func (a *Atom) End() int64 { return a.Off + a.Len }

// valueClass is how a property type is laid out in a FastTransfer stream —
// [MS-OXCFXICS] 2.2.4.1.1 fixedPropType, varPropType, mvPropType.
type valueClass uint8

const (
	classInvalid valueClass = iota
	classFixed
	classVar
	classMV
)

// fixedSize is the FastTransfer size of a fixed-length type. PtypBoolean
// is 2 bytes here, not 1 as in [MS-OXCDATA] — [MS-OXCFXICS] 2.2.4.1.3.
func fixedSize(t prop.Type) int {
	switch t {
	case prop.PtypInteger16, prop.PtypBoolean:
		return 2
	case prop.PtypInteger32, prop.PtypFloating32, prop.PtypErrorCode:
		return 4
	case prop.PtypFloating64, prop.PtypCurrency, prop.PtypFloatingTime, prop.PtypInteger64, prop.PtypTime:
		return 8
	case prop.PtypGuid:
		return 16
	}
	return 0
}

func isVarType(t prop.Type) bool {
	switch t {
	case prop.PtypString, prop.PtypString8, prop.PtypBinary, prop.PtypServerId, prop.PtypObject:
		return true
	}
	return t&0x8000 != 0 // code page string — [MS-OXCFXICS] 2.2.4.1.1.1
}

// classify returns the layout of a tag's value and, for fixed types and
// fixed multi-valued types, the size of one value.
func classify(tag prop.Tag) (valueClass, int) {
	if tag == MetaTagIdsetGiven {
		return classVar, 0
	}
	t := tag.Type()
	if t&0x8000 != 0 {
		return classVar, 0
	}
	if n := fixedSize(t); n > 0 {
		return classFixed, n
	}
	if isVarType(t) {
		return classVar, 0
	}
	if t&prop.MultiValued != 0 && t&prop.MultiValueInstance == 0 {
		b := t &^ prop.MultiValued
		if b == prop.PtypBoolean || b == prop.PtypErrorCode {
			return classInvalid, 0 // no PtypMultiple type of these in [MS-OXCDATA]
		}
		if n := fixedSize(b); n > 0 {
			return classMV, n
		}
		switch b {
		case prop.PtypString, prop.PtypString8, prop.PtypBinary:
			return classMV, 0
		}
	}
	return classInvalid, 0
}

// CodePage returns the code page of a code page string type, ok false for
// other types.
func CodePage(t prop.Type) (cp uint16, ok bool) {
	if t&0x8000 == 0 {
		return 0, false
	}
	return uint16(t &^ 0x8000), true
}

// TypeName names a FastTransfer property type, code page types included.
func TypeName(t prop.Type) string {
	if cp, ok := CodePage(t); ok {
		return fmt.Sprintf("PtypCodePageString(%d)", cp)
	}
	return t.String()
}

// DisplayName is the name shown for the atom: the marker name, the
// PidTag/MetaTag name, the named property's name, or the tag in hex.
func (a *Atom) DisplayName() string {
	if a.Marker {
		return Marker(a.Tag).String()
	}
	if a.Name != nil {
		return a.Name.String()
	}
	if a.Tag.ID() != 0 {
		if n := a.Tag.Name(); n != "" {
			return n
		}
	}
	return fmt.Sprintf("0x%08X", uint32(a.Tag))
}

// TagSym names the tag with its type, as the span tree shows it.
func (a *Atom) TagSym() string {
	if a.Marker {
		return Marker(a.Tag).String()
	}
	return a.DisplayName() + ":" + TypeName(a.Tag.Type())
}

func (a *Atom) String() string {
	if a.Marker {
		return fmt.Sprintf("%s@%d", Marker(a.Tag), a.Off)
	}
	return fmt.Sprintf("%s@%d+%d", a.TagSym(), a.Off, a.Len)
}

// Value decodes the value into the Go types of prop.CodecValue (see
// decode/prop/value.go), with these FastTransfer specifics: strings drop
// their terminating NUL; code page strings decode to string (code page 1200
// as UTF-16LE, 1252 as Windows-1252, others byte for byte); a truncated
// variable-size value returns its kept prefix with ErrTruncated.
func (a *Atom) Value() (any, error) {
	if a.Marker {
		return nil, nil
	}
	cls, n := classify(a.Tag)
	t := a.Tag.Type()
	switch cls {
	case classFixed:
		if len(a.Raw) != n {
			return nil, fmt.Errorf("%s: %d value bytes, want %d", a.DisplayName(), len(a.Raw), n)
		}
		return fixedValue(t, a.Raw), nil
	case classVar:
		var err error
		if a.Truncated {
			err = ErrTruncated
		}
		if a.Tag == MetaTagIdsetGiven {
			return a.Raw, err
		}
		return varValue(t, a.Raw, !a.Truncated), err
	case classMV:
		if a.Truncated {
			return nil, ErrTruncated
		}
		return mvValue(t&^prop.MultiValued, n, a.Raw, a.Size)
	}
	return nil, fmt.Errorf("%s: property type 0x%04X has no FastTransfer encoding", a.DisplayName(), uint16(t))
}

func fixedValue(t prop.Type, b []byte) any {
	switch t {
	case prop.PtypInteger16:
		return int16(binary.LittleEndian.Uint16(b))
	case prop.PtypBoolean:
		return binary.LittleEndian.Uint16(b) != 0
	case prop.PtypInteger32:
		return int32(binary.LittleEndian.Uint32(b))
	case prop.PtypFloating32:
		return math.Float32frombits(binary.LittleEndian.Uint32(b))
	case prop.PtypErrorCode:
		return prop.ErrorCode(binary.LittleEndian.Uint32(b))
	case prop.PtypFloating64:
		return math.Float64frombits(binary.LittleEndian.Uint64(b))
	case prop.PtypCurrency:
		return prop.Currency(binary.LittleEndian.Uint64(b))
	case prop.PtypFloatingTime:
		return prop.FloatingTime(math.Float64frombits(binary.LittleEndian.Uint64(b)))
	case prop.PtypInteger64:
		return int64(binary.LittleEndian.Uint64(b))
	case prop.PtypTime:
		return prop.Filetime(binary.LittleEndian.Uint64(b))
	case prop.PtypGuid:
		var g prop.GUID
		copy(g[:], b)
		return g
	}
	return nil
}

// varValue decodes a variable-size value. whole is false for a kept prefix
// (no terminator to drop, a split UTF-16 unit to cut).
func varValue(t prop.Type, b []byte, whole bool) any {
	switch {
	case t == prop.PtypString:
		return utf16String(b, whole)
	case t == prop.PtypString8:
		return string8(b, whole)
	case t == prop.PtypServerId:
		return prop.ServerID(b)
	case t == prop.PtypBinary || t == prop.PtypObject:
		return b
	}
	if cp, ok := CodePage(t); ok {
		switch cp {
		case 1200:
			return utf16String(b, whole)
		case 1252:
			if whole && len(b) > 0 && b[len(b)-1] == 0 {
				b = b[:len(b)-1]
			}
			return decode1252(b)
		}
		return string8(b, whole)
	}
	return b
}

func utf16String(b []byte, whole bool) string {
	if len(b)%2 == 1 {
		b = b[:len(b)-1]
	}
	if whole && len(b) >= 2 && b[len(b)-1] == 0 && b[len(b)-2] == 0 {
		b = b[:len(b)-2]
	}
	s, _ := wire.DecodeUTF16(b)
	return s
}

func string8(b []byte, whole bool) string {
	if whole && len(b) > 0 && b[len(b)-1] == 0 {
		b = b[:len(b)-1]
	}
	ascii := true
	for _, x := range b {
		if x >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		return string(b)
	}
	r := make([]rune, len(b))
	for i, x := range b {
		r[i] = rune(x)
	}
	return string(r)
}

// cp1252 maps 0x80..0x9F of Windows-1252; the rest is Latin-1.
var cp1252 = [32]rune{
	0x20AC, 0x81, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x8D, 0x017D, 0x8F,
	0x90, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x9D, 0x017E, 0x0178,
}

func decode1252(b []byte) string {
	r := make([]rune, len(b))
	for i, x := range b {
		if x >= 0x80 && x < 0xA0 {
			r[i] = cp1252[x-0x80]
		} else {
			r[i] = rune(x)
		}
	}
	return string(r)
}

func encode1252(s string) []byte {
	out := make([]byte, 0, len(s))
	for _, r := range s {
		switch {
		case r < 0x80 || (r >= 0xA0 && r <= 0xFF):
			out = append(out, byte(r))
		default:
			c := byte('?')
			for i, m := range cp1252 {
				if m == r {
					c = byte(0x80 + i)
					break
				}
			}
			out = append(out, c)
		}
	}
	return out
}

func mvValue(base prop.Type, n int, b []byte, count uint32) (any, error) {
	if n > 0 {
		if uint64(len(b)) != uint64(count)*uint64(n) {
			return nil, fmt.Errorf("multi-valued body of %d bytes for %d values of %d bytes", len(b), count, n)
		}
		switch base {
		case prop.PtypInteger16:
			out := make([]int16, count)
			for i := range out {
				out[i] = fixedValue(base, b[i*n:]).(int16)
			}
			return out, nil
		case prop.PtypInteger32:
			out := make([]int32, count)
			for i := range out {
				out[i] = fixedValue(base, b[i*n:]).(int32)
			}
			return out, nil
		case prop.PtypFloating32:
			out := make([]float32, count)
			for i := range out {
				out[i] = fixedValue(base, b[i*n:]).(float32)
			}
			return out, nil
		case prop.PtypFloating64:
			out := make([]float64, count)
			for i := range out {
				out[i] = fixedValue(base, b[i*n:]).(float64)
			}
			return out, nil
		case prop.PtypCurrency:
			out := make([]prop.Currency, count)
			for i := range out {
				out[i] = fixedValue(base, b[i*n:]).(prop.Currency)
			}
			return out, nil
		case prop.PtypFloatingTime:
			out := make([]prop.FloatingTime, count)
			for i := range out {
				out[i] = fixedValue(base, b[i*n:]).(prop.FloatingTime)
			}
			return out, nil
		case prop.PtypInteger64:
			out := make([]int64, count)
			for i := range out {
				out[i] = fixedValue(base, b[i*n:]).(int64)
			}
			return out, nil
		case prop.PtypTime:
			out := make([]prop.Filetime, count)
			for i := range out {
				out[i] = fixedValue(base, b[i*n:]).(prop.Filetime)
			}
			return out, nil
		case prop.PtypGuid:
			out := make([]prop.GUID, count)
			for i := range out {
				out[i] = fixedValue(base, b[i*n:]).(prop.GUID)
			}
			return out, nil
		}
		return nil, fmt.Errorf("multi-valued type 0x%04X", uint16(base|prop.MultiValued))
	}
	elems, err := splitMV(b, count)
	if err != nil {
		return nil, err
	}
	switch base {
	case prop.PtypString, prop.PtypString8:
		out := make([]string, len(elems))
		for i, e := range elems {
			out[i] = varValue(base, e, true).(string)
		}
		return out, nil
	default:
		return elems, nil
	}
}

// splitMV cuts the body of a variable-size multi-valued property into its
// values (each was a 4-byte length and that many bytes).
func splitMV(b []byte, count uint32) ([][]byte, error) {
	if uint64(count) > uint64(len(b))/4 {
		return nil, fmt.Errorf("%d values cannot fit in %d bytes", count, len(b))
	}
	out := make([][]byte, 0, count)
	p := 0
	for i := uint32(0); i < count; i++ {
		if len(b)-p < 4 {
			return nil, fmt.Errorf("value %d: truncated length", i)
		}
		l := binary.LittleEndian.Uint32(b[p:])
		p += 4
		if uint64(l) > uint64(len(b)-p) {
			return nil, fmt.Errorf("value %d: length %d exceeds the %d bytes left", i, l, len(b)-p)
		}
		out = append(out, b[p:p+int(l):p+int(l)])
		p += int(l)
	}
	if p != len(b) {
		return nil, fmt.Errorf("%d bytes after the last value", len(b)-p)
	}
	return out, nil
}

// ---- building atoms ----

// NewMarker returns the atom of a marker.
func NewMarker(m Marker) Atom {
	return Atom{Tag: prop.Tag(m), Marker: true, Hdr: 4, Len: 4}
}

// NewProp returns the propValue atom of tag with value v (Go types as
// Value returns them; an IDSet is accepted for the IDSET properties, a
// []byte for any variable-size type).
func NewProp(tag prop.Tag, v any) (Atom, error) {
	if tag.Named() {
		return Atom{}, fmt.Errorf("property 0x%08X is a named property: use NewNamedProp", uint32(tag))
	}
	return newProp(tag, nil, v)
}

// NewNamedProp returns the propValue atom of a named property (id 0x8000
// and up) with its propertySet and dispid or name.
func NewNamedProp(tag prop.Tag, name prop.PropertyName, v any) (Atom, error) {
	if !tag.Named() {
		return Atom{}, fmt.Errorf("property 0x%08X is not a named property", uint32(tag))
	}
	if name.Kind != prop.KindLID && name.Kind != prop.KindName {
		return Atom{}, fmt.Errorf("named property kind 0x%02X is neither 0x00 (dispid) nor 0x01 (name)", name.Kind)
	}
	n := name
	return newProp(tag, &n, v)
}

// MustProp is NewProp that panics on error, for fixed test and server data.
func MustProp(tag prop.Tag, v any) Atom {
	a, err := NewProp(tag, v)
	if err != nil {
		panic(err)
	}
	return a
}

func newProp(tag prop.Tag, name *prop.PropertyName, v any) (Atom, error) {
	if IsMarker(uint32(tag)) {
		return Atom{}, fmt.Errorf("0x%08X is the marker %s, not a property", uint32(tag), Marker(tag))
	}
	cls, n := classify(tag)
	a := Atom{Tag: tag, Name: name}
	raw, size, err := encodeValue(tag, cls, n, v)
	if err != nil {
		return Atom{}, err
	}
	a.Raw, a.Size = raw, size
	hdr := 4
	if name != nil {
		hdr += 17
		if name.Kind == prop.KindLID {
			hdr += 4
		} else {
			hdr += wire.UTF16Len(name.Name) + 2
		}
	}
	if cls == classVar || cls == classMV {
		hdr += 4
	}
	a.Hdr = int32(hdr)
	a.Len = int64(hdr) + int64(len(raw))
	return a, nil
}

func encodeValue(tag prop.Tag, cls valueClass, n int, v any) ([]byte, uint32, error) {
	t := tag.Type()
	bad := func() ([]byte, uint32, error) {
		return nil, 0, fmt.Errorf("0x%08X: a %T cannot be encoded as %s", uint32(tag), v, TypeName(t))
	}
	switch cls {
	case classFixed:
		b, ok := appendFixed(nil, t, v)
		if !ok {
			return bad()
		}
		return b, 0, nil
	case classVar:
		var b []byte
		switch x := v.(type) {
		case []byte:
			b = x
		case prop.ServerID:
			b = []byte(x)
		case IDSet:
			form, ok := IDSetTag(tag)
			if !ok {
				return bad()
			}
			b = x.Encode(form == FormREPLGUID)
		case string:
			switch {
			case t == prop.PtypString:
				b = append(wire.AppendUTF16(nil, x), 0, 0)
			case t == prop.PtypString8:
				b = append(latin1(x), 0)
			default:
				cp, ok := CodePage(t)
				if !ok {
					return bad()
				}
				switch cp {
				case 1200:
					b = append(wire.AppendUTF16(nil, x), 0, 0)
				case 1252:
					b = append(encode1252(x), 0)
				default:
					b = append(latin1(x), 0)
				}
			}
		default:
			return bad()
		}
		if uint64(len(b)) > math.MaxUint32 {
			return nil, 0, fmt.Errorf("0x%08X: %d bytes do not fit the 4-byte length", uint32(tag), len(b))
		}
		if b == nil {
			b = []byte{}
		}
		return b, uint32(len(b)), nil
	case classMV:
		base := t &^ prop.MultiValued
		var out []byte
		count := 0
		if n > 0 {
			rv, ok := prop.Elements(v)
			if !ok {
				return bad()
			}
			for _, e := range rv {
				var good bool
				out, good = appendFixed(out, base, e)
				if !good {
					return bad()
				}
			}
			count = len(rv)
		} else {
			switch x := v.(type) {
			case []string:
				for _, s := range x {
					var e []byte
					if base == prop.PtypString {
						e = append(wire.AppendUTF16(nil, s), 0, 0)
					} else {
						e = append(latin1(s), 0)
					}
					out = binary.LittleEndian.AppendUint32(out, uint32(len(e)))
					out = append(out, e...)
				}
				count = len(x)
			case [][]byte:
				if base != prop.PtypBinary {
					return bad()
				}
				for _, e := range x {
					out = binary.LittleEndian.AppendUint32(out, uint32(len(e)))
					out = append(out, e...)
				}
				count = len(x)
			default:
				return bad()
			}
		}
		if out == nil {
			out = []byte{}
		}
		return out, uint32(count), nil
	}
	return nil, 0, fmt.Errorf("0x%08X: property type 0x%04X has no FastTransfer encoding", uint32(tag), uint16(t))
}

func latin1(s string) []byte {
	out := make([]byte, 0, len(s))
	for _, r := range s {
		if r > 0xFF {
			r = '?'
		}
		out = append(out, byte(r))
	}
	return out
}

func appendFixed(dst []byte, t prop.Type, v any) ([]byte, bool) {
	le := binary.LittleEndian
	switch t {
	case prop.PtypInteger16:
		x, ok := v.(int16)
		return le.AppendUint16(dst, uint16(x)), ok
	case prop.PtypBoolean:
		x, ok := v.(bool)
		var u uint16
		if x {
			u = 1
		}
		return le.AppendUint16(dst, u), ok
	case prop.PtypInteger32:
		x, ok := v.(int32)
		return le.AppendUint32(dst, uint32(x)), ok
	case prop.PtypFloating32:
		x, ok := v.(float32)
		return le.AppendUint32(dst, math.Float32bits(x)), ok
	case prop.PtypErrorCode:
		x, ok := v.(prop.ErrorCode)
		return le.AppendUint32(dst, uint32(x)), ok
	case prop.PtypFloating64:
		x, ok := v.(float64)
		return le.AppendUint64(dst, math.Float64bits(x)), ok
	case prop.PtypCurrency:
		x, ok := v.(prop.Currency)
		return le.AppendUint64(dst, uint64(x)), ok
	case prop.PtypFloatingTime:
		x, ok := v.(prop.FloatingTime)
		return le.AppendUint64(dst, math.Float64bits(float64(x))), ok
	case prop.PtypInteger64:
		x, ok := v.(int64)
		if id, isID := v.(prop.ID); isID {
			x, ok = int64(id), true
		}
		return le.AppendUint64(dst, uint64(x)), ok
	case prop.PtypTime:
		x, ok := v.(prop.Filetime)
		return le.AppendUint64(dst, uint64(x)), ok
	case prop.PtypGuid:
		x, ok := v.(prop.GUID)
		return append(dst, x[:]...), ok
	}
	return dst, false
}

// AppendTo appends the atom's wire bytes. A truncated atom cannot be
// written (its value is gone): AppendTo returns an error for it.
func (a *Atom) AppendTo(dst []byte) ([]byte, error) {
	dst = binary.LittleEndian.AppendUint32(dst, uint32(a.Tag))
	if a.Marker {
		return dst, nil
	}
	if a.Truncated {
		return dst, fmt.Errorf("%s: a truncated value cannot be written", a.DisplayName())
	}
	if a.Tag.Named() {
		if a.Name == nil {
			return dst, fmt.Errorf("%s: named property without its propertyName", a.DisplayName())
		}
		dst = append(dst, a.Name.Guid[:]...)
		dst = append(dst, a.Name.Kind)
		switch a.Name.Kind {
		case prop.KindLID:
			dst = binary.LittleEndian.AppendUint32(dst, a.Name.LID)
		case prop.KindName:
			dst = wire.AppendUTF16(dst, a.Name.Name)
			dst = append(dst, 0, 0)
		default:
			return dst, fmt.Errorf("%s: named property kind 0x%02X", a.DisplayName(), a.Name.Kind)
		}
	}
	cls, _ := classify(a.Tag)
	switch cls {
	case classVar, classMV:
		dst = binary.LittleEndian.AppendUint32(dst, a.Size)
	case classInvalid:
		return dst, fmt.Errorf("%s: property type 0x%04X has no FastTransfer encoding", a.DisplayName(), uint16(a.Tag.Type()))
	}
	return append(dst, a.Raw...), nil
}

// check returns what is wrong with a value that still lexed: strings
// without their terminating NUL ([MS-OXCFXICS] 2.2.4.1.3: the server
// SHOULD output them), odd-length UTF-16, booleans other than 0 and 1,
// malformed multi-valued bodies.
func (a *Atom) check() []string {
	if a.Marker || a.Truncated {
		return nil
	}
	t := a.Tag.Type()
	var out []string
	checkString := func(b []byte, wide bool, what func() string) {
		if wide {
			if len(b)%2 == 1 {
				out = append(out, fmt.Sprintf("%s: UTF-16 string of odd length %d", what(), len(b)))
				return
			}
			if len(b) < 2 || b[len(b)-1] != 0 || b[len(b)-2] != 0 {
				out = append(out, what()+": string value lacks its terminating NUL")
				return
			}
			if !validUTF16(b[:len(b)-2]) {
				out = append(out, what()+": UTF-16 string holds an unpaired surrogate")
			}
			return
		}
		if len(b) < 1 || b[len(b)-1] != 0 {
			out = append(out, what()+": string value lacks its terminating NUL")
		}
	}
	name := a.DisplayName
	switch {
	case t == prop.PtypBoolean:
		if len(a.Raw) == 2 && binary.LittleEndian.Uint16(a.Raw) > 1 {
			out = append(out, fmt.Sprintf("%s: boolean 0x%04X is neither 0 nor 1", name(), binary.LittleEndian.Uint16(a.Raw)))
		}
	case t == prop.PtypString:
		checkString(a.Raw, true, name)
	case t == prop.PtypString8:
		checkString(a.Raw, false, name)
	case t&0x8000 != 0:
		cp, _ := CodePage(t)
		checkString(a.Raw, cp == 1200, name)
	case t == prop.PtypMultipleString || t == prop.PtypMultipleString8 || t == prop.PtypMultipleBinary:
		elems, err := splitMV(a.Raw, a.Size)
		if err != nil {
			out = append(out, name()+": "+err.Error())
			break
		}
		if t != prop.PtypMultipleBinary {
			for i, e := range elems {
				i := i
				checkString(e, t == prop.PtypMultipleString, func() string { return fmt.Sprintf("%s[%d]", name(), i) })
			}
		}
	}
	return out
}

// validUTF16 reports UTF-16LE without an unpaired surrogate, without
// decoding it.
func validUTF16(b []byte) bool {
	for i := 0; i+1 < len(b); i += 2 {
		u := uint16(b[i]) | uint16(b[i+1])<<8
		switch {
		case u < 0xD800 || u >= 0xE000:
		case u < 0xDC00:
			if i+3 >= len(b) {
				return false
			}
			v := uint16(b[i+2]) | uint16(b[i+3])<<8
			if v < 0xDC00 || v >= 0xE000 {
				return false
			}
			i += 2
		default:
			return false
		}
	}
	return true
}

// decodeName decodes the UTF-16 name of a named property (terminator
// excluded); ok is false for an unpaired surrogate.
func decodeName(b []byte) (string, bool) { return wire.DecodeUTF16(b) }

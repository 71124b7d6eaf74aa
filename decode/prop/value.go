package prop

import (
	"fmt"
	"time"

	"github.com/mapiscope/mapiscope/decode/wire"
)

// Value types held in a property value's `any`, by property type:
//
//	PtypNull           nil
//	PtypInteger16      int16        PtypMultipleInteger16   []int16
//	PtypInteger32      int32        PtypMultipleInteger32   []int32
//	PtypFloating32     float32      PtypMultipleFloating32  []float32
//	PtypFloating64     float64      PtypMultipleFloating64  []float64
//	PtypCurrency       Currency     PtypMultipleCurrency    []Currency
//	PtypFloatingTime   FloatingTime PtypMultipleFloatingTime []FloatingTime
//	PtypErrorCode      ErrorCode
//	PtypBoolean        bool
//	PtypInteger64      int64        PtypMultipleInteger64   []int64
//	PtypString8        string       PtypMultipleString8     []string
//	PtypString         string       PtypMultipleString      []string
//	PtypTime           Filetime     PtypMultipleTime        []Filetime
//	PtypGuid           GUID         PtypMultipleGuid        []GUID
//	PtypBinary         []byte       PtypMultipleBinary      [][]byte
//	PtypObject         []byte
//	PtypServerId       ServerID
//	PtypRestriction    *Restriction
//	PtypRuleAction     *RuleActions
type (
	// Currency is a 64-bit signed integer scaled by 10,000.
	Currency int64
	// FloatingTime is days since 1899-12-30 as a float64.
	FloatingTime float64
	// Filetime is 100-ns intervals since 1601-01-01 UTC.
	Filetime uint64
	// GUID is 16 bytes in wire order.
	GUID [16]byte
	// ServerID is the raw bytes of a PtypServerId value ([MS-OXCDATA] 2.11.1.4).
	ServerID []byte
)

func (g GUID) String() string { return wire.FormatGUID(g) }

// ParseGUIDString parses the standard GUID form.
func ParseGUIDString(s string) (GUID, error) {
	g, err := wire.ParseGUID(s)
	return GUID(g), err
}

const filetimeUnixEpoch = 116444736000000000

// Time converts a FILETIME to time.Time (UTC).
func (f Filetime) Time() time.Time {
	if f == 0 {
		return time.Time{}
	}
	d := int64(f) - filetimeUnixEpoch
	return time.Unix(d/1e7, (d%1e7)*100).UTC()
}

// FiletimeOf converts a time to FILETIME.
func FiletimeOf(t time.Time) Filetime {
	return Filetime(t.UnixNano()/100 + filetimeUnixEpoch)
}

func (f Filetime) String() string {
	if f == 0 {
		return "0"
	}
	if f == 0x7FFFFFFFFFFFFFFF || f >= 0x7FFFFFFF00000000 {
		return "never"
	}
	return f.Time().Format(time.RFC3339Nano)
}

func filetimeSym(v uint64) string { return Filetime(v).String() }

// CodecValue reads or writes one property value of type t (without tag) —
// the PropertyValue of [MS-OXCDATA] 2.11.2.1 — under the count widths w.
func CodecValue(c *wire.Codec, t Type, v *any, name string, w Width) {
	if t&MultiValueInstance != 0 {
		t = t.Cell()
	}
	switch t {
	case PtypNull:
		if c.Decoding() {
			*v = nil
		}
	case PtypInteger16:
		x, ok := (*v).(int16)
		wrongGoType(c, ok, *v, t, name)
		c.I16(&x, name)
		*v = x
	case PtypInteger32:
		x, ok := (*v).(int32)
		wrongGoType(c, ok, *v, t, name)
		c.I32(&x, name)
		*v = x
	case PtypFloating32:
		x, ok := (*v).(float32)
		wrongGoType(c, ok, *v, t, name)
		c.F32(&x, name)
		*v = x
	case PtypFloating64:
		x, ok := (*v).(float64)
		wrongGoType(c, ok, *v, t, name)
		c.F64(&x, name)
		*v = x
	case PtypCurrency:
		x, ok := (*v).(Currency)
		wrongGoType(c, ok, *v, t, name)
		i := int64(x)
		c.I64(&i, name)
		*v = Currency(i)
	case PtypFloatingTime:
		x, ok := (*v).(FloatingTime)
		wrongGoType(c, ok, *v, t, name)
		f := float64(x)
		c.F64(&f, name)
		*v = FloatingTime(f)
	case PtypErrorCode:
		x, ok := (*v).(ErrorCode)
		wrongGoType(c, ok, *v, t, name)
		u := uint32(x)
		c.U32(&u, name)
		c.Hex().Named(ErrorSym)
		*v = ErrorCode(u)
	case PtypBoolean:
		x, ok := (*v).(bool)
		wrongGoType(c, ok, *v, t, name)
		c.Bool8(&x, name)
		*v = x
	case PtypInteger64:
		x, ok := (*v).(int64)
		wrongGoType(c, ok, *v, t, name)
		c.I64(&x, name)
		*v = x
	case PtypTime:
		x, ok := (*v).(Filetime)
		wrongGoType(c, ok, *v, t, name)
		u := uint64(x)
		c.U64(&u, name)
		c.Named(filetimeSym)
		*v = Filetime(u)
	case PtypGuid:
		x, ok := (*v).(GUID)
		wrongGoType(c, ok, *v, t, name)
		a := [16]byte(x)
		c.Array16(&a, name)
		*v = GUID(a)
	case PtypString:
		x, ok := (*v).(string)
		wrongGoType(c, ok, *v, t, name)
		c.UnicodeZ(&x, name)
		*v = c.BoxString(x)
	case PtypString8:
		x, ok := (*v).(string)
		wrongGoType(c, ok, *v, t, name)
		c.String8Z(&x, name)
		*v = c.BoxString(x)
	case PtypBinary, PtypObject:
		x, ok := (*v).([]byte)
		wrongGoType(c, ok, *v, t, name)
		codecBinary(c, &x, name, w)
		*v = x
	case PtypServerId:
		x, ok := (*v).(ServerID)
		if raw, isBytes := (*v).([]byte); isBytes {
			x, ok = ServerID(raw), true
		}
		wrongGoType(c, ok, *v, t, name)
		b := []byte(x)
		codecBinary(c, &b, name, w)
		*v = ServerID(b)
	case PtypRestriction:
		x, ok := (*v).(*Restriction)
		wrongGoType(c, ok, *v, t, name)
		if x == nil {
			x = &Restriction{}
		}
		CodecRestriction(c, x, name, w)
		*v = x
	case PtypRuleAction:
		x, ok := (*v).(*RuleActions)
		wrongGoType(c, ok, *v, t, name)
		if x == nil {
			x = &RuleActions{}
		}
		CodecRuleActions(c, x, name, w)
		*v = x
	case PtypMultipleInteger16:
		x, ok := (*v).([]int16)
		wrongGoType(c, ok, *v, t, name)
		mv(c, &x, name, 2, func(e *int16) { c.I16(e, "") })
		*v = x
	case PtypMultipleInteger32:
		x, ok := (*v).([]int32)
		wrongGoType(c, ok, *v, t, name)
		mv(c, &x, name, 4, func(e *int32) { c.I32(e, "") })
		*v = x
	case PtypMultipleFloating32:
		x, ok := (*v).([]float32)
		wrongGoType(c, ok, *v, t, name)
		mv(c, &x, name, 4, func(e *float32) { c.F32(e, "") })
		*v = x
	case PtypMultipleFloating64:
		x, ok := (*v).([]float64)
		wrongGoType(c, ok, *v, t, name)
		mv(c, &x, name, 8, func(e *float64) { c.F64(e, "") })
		*v = x
	case PtypMultipleCurrency:
		x, ok := (*v).([]Currency)
		wrongGoType(c, ok, *v, t, name)
		mv(c, &x, name, 8, func(e *Currency) { i := int64(*e); c.I64(&i, ""); *e = Currency(i) })
		*v = x
	case PtypMultipleFloatingTime:
		x, ok := (*v).([]FloatingTime)
		wrongGoType(c, ok, *v, t, name)
		mv(c, &x, name, 8, func(e *FloatingTime) { f := float64(*e); c.F64(&f, ""); *e = FloatingTime(f) })
		*v = x
	case PtypMultipleInteger64:
		x, ok := (*v).([]int64)
		wrongGoType(c, ok, *v, t, name)
		mv(c, &x, name, 8, func(e *int64) { c.I64(e, "") })
		*v = x
	case PtypMultipleTime:
		x, ok := (*v).([]Filetime)
		wrongGoType(c, ok, *v, t, name)
		mv(c, &x, name, 8, func(e *Filetime) { u := uint64(*e); c.U64(&u, ""); c.Named(filetimeSym); *e = Filetime(u) })
		*v = x
	case PtypMultipleGuid:
		x, ok := (*v).([]GUID)
		wrongGoType(c, ok, *v, t, name)
		mv(c, &x, name, 16, func(e *GUID) { a := [16]byte(*e); c.Array16(&a, ""); *e = GUID(a) })
		*v = x
	case PtypMultipleString:
		x, ok := (*v).([]string)
		wrongGoType(c, ok, *v, t, name)
		mv(c, &x, name, 2, func(e *string) { c.UnicodeZ(e, "") })
		*v = x
	case PtypMultipleString8:
		x, ok := (*v).([]string)
		wrongGoType(c, ok, *v, t, name)
		mv(c, &x, name, 1, func(e *string) { c.String8Z(e, "") })
		*v = x
	case PtypMultipleBinary:
		x, ok := (*v).([][]byte)
		wrongGoType(c, ok, *v, t, name)
		minSize := 2
		if w == Wide {
			minSize = 4
		}
		mv(c, &x, name, minSize, func(e *[]byte) { codecBinary(c, e, "", w) })
		*v = x
	default:
		if c.Decoding() {
			c.Fail("%s: property type 0x%04X has no value encoding", name, uint16(t))
		} else {
			c.EncodeError("%s: property type 0x%04X has no value encoding", name, uint16(t))
		}
	}
}

// wrongGoType records an encode error when a value to encode holds a Go
// type other than the one its property type maps to (see the table above):
// encoding it as the zero value would silently lose it. A nil value encodes
// as the zero value of the type.
func wrongGoType(c *wire.Codec, ok bool, v any, t Type, name string) {
	if ok || v == nil || !c.Encoding() {
		return
	}
	c.EncodeError("%s: a %T cannot be encoded as %s", name, v, t)
}

// codecBinary is a PtypBinary value: COUNT bytes, 16 bits in ROP buffers
// and 32 bits in the wide context.
func codecBinary(c *wire.Codec, b *[]byte, name string, w Width) {
	c.Begin(name)
	var n int
	if w == Wide {
		n = c.Count32(len(*b), 1, "Count")
	} else {
		n = c.Count16(len(*b), 1, "Count")
	}
	c.Fixed(b, n, "Data")
	c.End()
	if c.Spans() {
		// Show a binary as its bytes, not as {Count, Data}: collapse the
		// node into a leaf covering both fields.
		if nd := c.Last(); nd != nil && nd.Kind == wire.KindStruct {
			nd.Kind = wire.KindValue
			nd.Value = *b
			if nd.Value == nil {
				nd.Value = []byte{}
			}
			nd.Children = nil
		}
	}
}

// mv is a PtypMultiple value: a 32-bit value count (in ROP buffers and in
// the wide context alike) followed by the values.
func mv[T any](c *wire.Codec, s *[]T, name string, minSize int, f func(*T)) {
	start := c.Offset()
	before := c.Last()
	n := c.Count32(len(*s), minSize, name+"Count")
	if c.Last() != before {
		// Fold the count leaf into the array node (only when it was
		// recorded: a truncated count adds no leaf, and dropping then
		// would remove the field before it).
		c.DropLast()
	}
	wire.Make(c, s, n)
	c.BeginArray(name)
	for i := range *s {
		f(&(*s)[i])
	}
	c.End()
	c.Extend(start)
}

// FormatValue renders a decoded value for people.
func FormatValue(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return fmt.Sprintf("%q", x)
	case []byte:
		return fmt.Sprintf("%x", x)
	case ServerID:
		return fmt.Sprintf("%x", []byte(x))
	case GUID:
		return x.String()
	case Filetime:
		return x.String()
	case ErrorCode:
		return x.String()
	default:
		return fmt.Sprint(x)
	}
}

// Elements spreads a multi-valued property value ([]int32, []string, …)
// into its elements; ok is false for a value that is not multi-valued.
func Elements(v any) (out []any, ok bool) {
	switch x := v.(type) {
	case []int16:
		return spread(x), true
	case []int32:
		return spread(x), true
	case []int64:
		return spread(x), true
	case []float32:
		return spread(x), true
	case []float64:
		return spread(x), true
	case []Currency:
		return spread(x), true
	case []FloatingTime:
		return spread(x), true
	case []Filetime:
		return spread(x), true
	case []GUID:
		return spread(x), true
	case []string:
		return spread(x), true
	case [][]byte:
		return spread(x), true
	}
	return nil, false
}

func spread[T any](s []T) []any {
	out := make([]any, len(s))
	for i := range s {
		out[i] = s[i]
	}
	return out
}

// TypeOf returns the property type of a Go value as this package
// represents values (see CodecValue); PtypNull for anything else.
func TypeOf(v any) Type {
	switch v.(type) {
	case int16:
		return PtypInteger16
	case int32:
		return PtypInteger32
	case float32:
		return PtypFloating32
	case float64:
		return PtypFloating64
	case Currency:
		return PtypCurrency
	case FloatingTime:
		return PtypFloatingTime
	case ErrorCode:
		return PtypErrorCode
	case bool:
		return PtypBoolean
	case int64:
		return PtypInteger64
	case Filetime:
		return PtypTime
	case GUID:
		return PtypGuid
	case string:
		return PtypString
	case []byte:
		return PtypBinary
	case ServerID:
		return PtypServerId
	case *Restriction:
		return PtypRestriction
	case *RuleActions:
		return PtypRuleAction
	case []int16:
		return PtypMultipleInteger16
	case []int32:
		return PtypMultipleInteger32
	case []float32:
		return PtypMultipleFloating32
	case []float64:
		return PtypMultipleFloating64
	case []Currency:
		return PtypMultipleCurrency
	case []FloatingTime:
		return PtypMultipleFloatingTime
	case []int64:
		return PtypMultipleInteger64
	case []Filetime:
		return PtypMultipleTime
	case []GUID:
		return PtypMultipleGuid
	case []string:
		return PtypMultipleString
	case [][]byte:
		return PtypMultipleBinary
	}
	return PtypNull
}

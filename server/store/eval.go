package store

import (
	"bytes"
	"strings"
	"unicode"

	"github.com/mapiscope/mapiscope/decode/prop"
)

// PropSource is anything restrictions can be evaluated over: a stored
// message row, an opened message, a recipient or attachment row.
type PropSource interface {
	Prop(tag prop.Tag) (any, bool)
}

// SubObjectSource is a PropSource with sub-objects (recipients under
// PidTagMessageRecipients, attachments under PidTagMessageAttachments)
// for SubObject restrictions.
type SubObjectSource interface {
	PropSource
	SubObjects(tag prop.Tag) []PropSource
}

// Eval evaluates restriction r over props — [MS-OXCDATA] 2.12 with the
// semantics of Exchange's table restrictions: a missing property makes a
// Content, Property, CompareProperties, BitMask or Size restriction
// false; a Count restriction is stateless here (use a Matcher to limit a
// sequence of rows). A nil restriction matches everything.
func Eval(r *prop.Restriction, props PropSource) bool {
	return (&Matcher{}).eval(r, props)
}

// Matcher evaluates one restriction over a sequence of rows (a table's
// Restrict or a search), keeping the state of Count restrictions.
type Matcher struct {
	R      *prop.Restriction
	counts map[*prop.Restriction]uint32
}

// NewMatcher returns a Matcher for r.
func NewMatcher(r *prop.Restriction) *Matcher { return &Matcher{R: r} }

// Match evaluates the restriction over the next row.
func (m *Matcher) Match(p PropSource) bool { return m.eval(m.R, p) }

func (m *Matcher) eval(r *prop.Restriction, p PropSource) bool {
	if r == nil {
		return true
	}
	switch r.RestrictType {
	case prop.RestrictAnd:
		for i := range r.Restricts {
			if !m.eval(&r.Restricts[i], p) {
				return false
			}
		}
		return true
	case prop.RestrictOr:
		for i := range r.Restricts {
			if m.eval(&r.Restricts[i], p) {
				return true
			}
		}
		return false
	case prop.RestrictNot:
		return r.Restriction != nil && !m.eval(r.Restriction, p)
	case prop.RestrictContent:
		return evalContent(r, p)
	case prop.RestrictProperty:
		v, ok := p.Prop(r.PropTag)
		if !ok {
			return false
		}
		if r.RelOp == prop.RelopMemberOfDL {
			return false // no distribution lists in this store
		}
		return relopMulti(v, r.TaggedValue.Value, r.RelOp)
	case prop.RestrictCompareProperties:
		a, ok1 := p.Prop(r.PropTag)
		b, ok2 := p.Prop(r.PropTag2)
		if !ok1 || !ok2 {
			return false
		}
		c, ok := compare(a, b)
		return ok && relop(c, r.RelOp)
	case prop.RestrictBitMask:
		v, ok := p.Prop(r.PropTag)
		if !ok {
			return false
		}
		n, ok := asInt(v)
		if !ok {
			return false
		}
		zero := uint32(n)&r.Mask == 0
		if r.RelOp == 0 { // BMR_EQZ
			return zero
		}
		return !zero
	case prop.RestrictSize:
		v, ok := p.Prop(r.PropTag)
		if !ok {
			return false
		}
		return relop(cmpInt(int64(propSize(r.PropTag.Type(), v)), int64(r.Size)), r.RelOp)
	case prop.RestrictExist:
		_, ok := p.Prop(r.PropTag)
		return ok
	case prop.RestrictSubObject:
		so, ok := p.(SubObjectSource)
		if !ok {
			return false
		}
		for _, sub := range so.SubObjects(r.Subobject) {
			if m.eval(r.Restriction, sub) {
				return true
			}
		}
		return false
	case prop.RestrictComment:
		if r.Restriction == nil {
			return true
		}
		return m.eval(r.Restriction, p)
	case prop.RestrictCount:
		if !m.eval(r.Restriction, p) {
			return false
		}
		if m.counts == nil {
			m.counts = map[*prop.Restriction]uint32{}
		}
		if m.counts[r] >= r.Count {
			return false
		}
		m.counts[r]++
		return true
	}
	return false
}

// propSize is the size a Size restriction compares: bytes of the value
// (UTF-16 with terminator for PtypString, as MAPI counts it).
func propSize(t prop.Type, v any) int {
	if s, ok := v.(string); ok {
		if t == prop.PtypString8 {
			return len(s) + 1
		}
		n := 0
		for _, r := range s {
			if r >= 0x10000 {
				n += 4
			} else {
				n += 2
			}
		}
		return n + 2
	}
	return valueSize(v)
}

func relop(c int, op uint8) bool {
	switch op {
	case prop.RelopLT:
		return c < 0
	case prop.RelopLE:
		return c <= 0
	case prop.RelopGT:
		return c > 0
	case prop.RelopGE:
		return c >= 0
	case prop.RelopEQ:
		return c == 0
	case prop.RelopNE:
		return c != 0
	}
	return false
}

// relopMulti applies a relop with multi-valued semantics: a multi-valued
// property against a single value matches when any value does; two
// multi-valued values compare as whole lists.
func relopMulti(have, want any, op uint8) bool {
	hs, hMulti := elems(have)
	_, wMulti := elems(want)
	if hMulti && !wMulti {
		for _, e := range hs {
			if c, ok := compare(e, want); ok && relop(c, op) {
				return true
			}
		}
		return false
	}
	c, ok := compare(have, want)
	return ok && relop(c, op)
}

// elems splits a multi-valued value into its elements.
func elems(v any) ([]any, bool) { return prop.Elements(v) }

func asInt(v any) (int64, bool) {
	switch x := v.(type) {
	case int16:
		return int64(x), true
	case int32:
		return int64(x), true
	case int64:
		return x, true
	case prop.Currency:
		return int64(x), true
	case prop.ErrorCode:
		return int64(x), true
	}
	return 0, false
}

func asFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case float32:
		return float64(x), true
	case float64:
		return x, true
	case prop.FloatingTime:
		return float64(x), true
	}
	return 0, false
}

func asBytes(v any) ([]byte, bool) {
	switch x := v.(type) {
	case []byte:
		return x, true
	case prop.ServerID:
		return x, true
	case prop.GUID:
		return x[:], true
	}
	return nil, false
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// compare orders two values of compatible types; strings compare
// case-insensitively as MAPI's default sort does.
func compare(a, b any) (int, bool) {
	if x, ok := asInt(a); ok {
		if y, ok := asInt(b); ok {
			return cmpInt(x, y), true
		}
		if y, ok := asFloat(b); ok {
			return cmpFloat(float64(x), y), true
		}
		return 0, false
	}
	if x, ok := asFloat(a); ok {
		if y, ok := asFloat(b); ok {
			return cmpFloat(x, y), true
		}
		if y, ok := asInt(b); ok {
			return cmpFloat(x, float64(y)), true
		}
		return 0, false
	}
	switch x := a.(type) {
	case bool:
		y, ok := b.(bool)
		if !ok {
			return 0, false
		}
		return cmpInt(b2i(x), b2i(y)), true
	case prop.Filetime:
		y, ok := b.(prop.Filetime)
		if !ok {
			return 0, false
		}
		switch {
		case x < y:
			return -1, true
		case x > y:
			return 1, true
		}
		return 0, true
	case string:
		y, ok := b.(string)
		if !ok {
			return 0, false
		}
		return strings.Compare(strings.ToLower(x), strings.ToLower(y)), true
	}
	if x, ok := asBytes(a); ok {
		y, ok := asBytes(b)
		if !ok {
			return 0, false
		}
		return bytes.Compare(x, y), true
	}
	xs, ok1 := elems(a)
	ys, ok2 := elems(b)
	if ok1 && ok2 {
		for i := 0; i < len(xs) && i < len(ys); i++ {
			c, ok := compare(xs[i], ys[i])
			if !ok {
				return 0, false
			}
			if c != 0 {
				return c, true
			}
		}
		return cmpInt(int64(len(xs)), int64(len(ys))), true
	}
	return 0, false
}

// Compare orders two property values of the same type (for table sorts);
// ok is false when they are not comparable.
func Compare(a, b any) (int, bool) { return compare(a, b) }

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

func evalContent(r *prop.Restriction, p PropSource) bool {
	v, ok := p.Prop(r.PropTag)
	if !ok {
		return false
	}
	pat := r.TaggedValue.Value
	var cands []any
	if es, multi := elems(v); multi {
		cands = es
	} else {
		cands = []any{v}
	}
	for _, c := range cands {
		if contentMatch(c, pat, r.FuzzyLevelLow, r.FuzzyLevelHigh) {
			return true
		}
	}
	return false
}

func contentMatch(v, pat any, low, high uint16) bool {
	if s, ok := v.(string); ok {
		ps, ok := pat.(string)
		if !ok {
			if es, multi := elems(pat); multi && len(es) > 0 {
				ps, ok = es[0].(string)
			}
			if !ok {
				return false
			}
		}
		s, ps = foldString(s, high), foldString(ps, high)
		return matchLevel(s, ps, low)
	}
	b, ok := asBytes(v)
	if !ok {
		return false
	}
	pb, ok := asBytes(pat)
	if !ok {
		return false
	}
	if high&prop.FLIgnoreCase != 0 || high&prop.FLLoose != 0 {
		b, pb = bytes.ToLower(b), bytes.ToLower(pb)
	}
	switch low & 0x3 {
	case prop.FLSubstring:
		return bytes.Contains(b, pb)
	case prop.FLPrefix:
		return bytes.HasPrefix(b, pb)
	}
	return bytes.Equal(b, pb)
}

func matchLevel(s, p string, low uint16) bool {
	switch low & 0x3 {
	case prop.FLSubstring:
		return strings.Contains(s, p)
	case prop.FLPrefix:
		return strings.HasPrefix(s, p)
	}
	return s == p
}

// foldString applies FL_IGNORECASE (case folding), FL_IGNORENONSPACE
// (diacritics removed) and FL_LOOSE (both, and runs of white space and
// punctuation ignored).
func foldString(s string, high uint16) string {
	loose := high&prop.FLLoose != 0
	if high&prop.FLIgnoreNonSpace != 0 || loose {
		s = stripDiacritics(s)
	}
	if high&prop.FLIgnoreCase != 0 || loose {
		s = strings.ToLower(s)
	}
	if loose {
		var b strings.Builder
		for _, r := range s {
			if unicode.IsSpace(r) || unicode.IsPunct(r) {
				continue
			}
			b.WriteRune(r)
		}
		s = b.String()
	}
	return s
}

// diacritics maps precomposed Latin letters to their base letters
// (Latin-1 Supplement and Latin Extended-A), enough for FL_IGNORENONSPACE
// without a Unicode normalisation table.
var diacritics = map[rune]rune{}

func init() {
	groups := map[rune]string{
		'A': "ÀÁÂÃÄÅĀĂĄ", 'a': "àáâãäåāăą", 'C': "ÇĆĈĊČ", 'c': "çćĉċč", 'D': "ĎĐ", 'd': "ďđ",
		'E': "ÈÉÊËĒĔĖĘĚ", 'e': "èéêëēĕėęě", 'G': "ĜĞĠĢ", 'g': "ĝğġģ", 'H': "ĤĦ", 'h': "ĥħ",
		'I': "ÌÍÎÏĨĪĬĮİ", 'i': "ìíîïĩīĭįı", 'J': "Ĵ", 'j': "ĵ", 'K': "Ķ", 'k': "ķ",
		'L': "ĹĻĽĿŁ", 'l': "ĺļľŀł", 'N': "ÑŃŅŇ", 'n': "ñńņň", 'O': "ÒÓÔÕÖØŌŎŐ", 'o': "òóôõöøōŏő",
		'R': "ŔŖŘ", 'r': "ŕŗř", 'S': "ŚŜŞŠ", 's': "śŝşš", 'T': "ŢŤŦ", 't': "ţťŧ",
		'U': "ÙÚÛÜŨŪŬŮŰŲ", 'u': "ùúûüũūŭůűų", 'W': "Ŵ", 'w': "ŵ", 'Y': "ÝŶŸ", 'y': "ýÿŷ",
		'Z': "ŹŻŽ", 'z': "źżž",
	}
	for base, s := range groups {
		for _, r := range s {
			diacritics[r] = base
		}
	}
}

func stripDiacritics(s string) string {
	var b strings.Builder
	for _, r := range s {
		if unicode.Is(unicode.Mn, r) {
			continue // combining marks
		}
		if x, ok := diacritics[r]; ok {
			r = x
		}
		b.WriteRune(r)
	}
	return b.String()
}

package filter

import (
	"fmt"
	"regexp"
	"regexp/syntax"
	"sort"
	"strconv"
	"strings"

	"github.com/mapiscope/mapiscope/decode/prop"
	"github.com/mapiscope/mapiscope/decode/propnames"
	"github.com/mapiscope/mapiscope/decode/rop"
)

// kind is an atom's name without the ~.
type kind uint8

const (
	kRT kind = iota
	kROP
	kEC
	kProp
	kSID
	kCode
	kXRC
	kURL
	kHeader
	kBody
	kAnomaly
	kMarked
	kComment
	kRequest
	kResponse
)

// valueMode says whether and how an atom takes a value.
type valueMode uint8

const (
	noValue       valueMode = iota
	wordValue               // a name or number: ends at whitespace ( ) & | ! ~
	textValue               // free text or a regexp: ends at whitespace or an unbalanced )
	optionalValue           // ~ec: a word value when one follows
)

type atomSpec struct {
	name string // without ~
	mode valueMode
	what string // what the value is, for "needs a value" errors
}

var specs = [...]atomSpec{
	kRT:       {"rt", wordValue, "an X-RequestType such as Execute"},
	kROP:      {"rop", wordValue, "a ROP name or id such as QueryRows or 0x15"},
	kEC:       {"ec", optionalValue, "an error code"},
	kProp:     {"prop", wordValue, "a property name, tag or id such as PidTagSubject or 0x0037001F"},
	kSID:      {"sid", wordValue, "a session id"},
	kCode:     {"code", wordValue, "an HTTP status"},
	kXRC:      {"xrc", wordValue, "an X-ResponseCode"},
	kURL:      {"u", textValue, "a regexp"},
	kHeader:   {"h", textValue, "a regexp"},
	kBody:     {"b", textValue, "a regexp"},
	kAnomaly:  {"anomaly", noValue, ""},
	kMarked:   {"m", noValue, ""},
	kComment:  {"c", textValue, "a text"},
	kRequest:  {"q", noValue, ""},
	kResponse: {"s", noValue, ""},
}

func lookupAtom(name string) (kind, bool) {
	for k, s := range specs {
		if s.name == name {
			return kind(k), true
		}
	}
	return 0, false
}

// atom is one test.
type atom struct {
	k     kind
	text  string    // the value as given (rt, u, h, b, c)
	num   int64     // rop id, error code, property id, session id, status, X-ResponseCode
	has   bool      // ~ec with a code
	regex string    // the pattern passed to regexp(), with the atom's flags
	lits  []literal // literals every match holds, tested before regexp()
	exact bool      // the pattern is lits[0]: no regexp() needed
}

// regexFlags are mitmproxy's: ~u ignores case, ~h is multi-line, ~b lets .
// match newlines.
var regexFlags = map[kind]string{kURL: "(?i)", kHeader: "(?m)", kBody: "(?s)"}

// makeAtom validates the value of an atom; col is the value's column for
// errors.
func makeAtom(k kind, v string, hasValue bool, col int) (*atom, error) {
	a := &atom{k: k, text: v, has: hasValue}
	fail := func(format string, args ...any) (*atom, error) {
		return nil, &Error{Col: col, Msg: "~" + specs[k].name + ": " + fmt.Sprintf(format, args...)}
	}
	if specs[k].mode == wordValue && v == "" {
		return fail("empty value (want %s)", specs[k].what)
	}
	switch k {
	case kROP:
		if n, ok, err := parseNumber(v); ok {
			if err != nil || n < 0 || n > 0xFF {
				return fail("bad ROP id %q (want 0 to 255 or 0x00 to 0xFF)", v)
			}
			a.num = n
			return a, nil
		}
		in, ok := rop.ByName(v)
		if !ok {
			return fail("unknown ROP %q%s", v, ropSuggestions(v))
		}
		a.num = int64(in.ID)
	case kEC:
		if !hasValue {
			return a, nil
		}
		if n, ok, err := parseNumber(v); ok {
			if err != nil || n > 0xFFFFFFFF {
				return fail("bad error code %q (want a 32-bit number or a name like ecNotFound)", v)
			}
			a.num = n
			return a, nil
		}
		if strings.HasPrefix(v, "-") {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < -0x80000000 {
				return fail("bad error code %q (want a 32-bit number or a name like ecNotFound)", v)
			}
			a.num = int64(uint32(int32(n)))
			return a, nil
		}
		code, ok := prop.LookupError(v)
		if !ok {
			return fail("unknown error code %q (want 0xNNNNNNNN, a decimal number or a name like ecNotFound)", v)
		}
		a.num = int64(code)
	case kProp:
		id, err := parsePropID(v)
		if err != nil {
			return fail("%v", err)
		}
		a.num = int64(id)
	case kSID, kXRC, kCode:
		n, ok, err := parseNumber(v)
		if !ok || err != nil {
			return fail("bad number %q", v)
		}
		switch {
		case k == kCode && n > 999:
			return fail("bad HTTP status %d (want 0 to 999)", n)
		case k == kXRC && n > 0xFFFFFFFF:
			return fail("bad X-ResponseCode %d (want a 32-bit number)", n)
		case n > 1<<62:
			return fail("number %q too large", v)
		}
		a.num = n
	case kURL, kHeader, kBody:
		a.regex = regexFlags[k] + v
		if _, err := regexp.Compile(a.regex); err != nil {
			msg := err.Error()
			if re, ok := err.(*syntax.Error); ok {
				msg = string(re.Code)
				if re.Expr != "" && re.Expr != a.regex {
					msg += ": " + re.Expr
				}
			}
			return fail("bad regexp %q: %s", v, msg)
		}
		a.lits, a.exact = requiredLiterals(a.regex)
	}
	return a, nil
}

// parseNumber parses a non-negative decimal or 0x hexadecimal number. ok
// says whether v looks like a number at all (starts with a digit).
func parseNumber(v string) (n int64, ok bool, err error) {
	if v == "" || v[0] < '0' || v[0] > '9' {
		return 0, false, nil
	}
	var u uint64
	if len(v) > 1 && (v[1] == 'x' || v[1] == 'X') && v[0] == '0' {
		u, err = strconv.ParseUint(v[2:], 16, 64)
	} else {
		u, err = strconv.ParseUint(v, 10, 64)
	}
	if err != nil {
		return 0, true, err
	}
	if u > 1<<62 {
		return 0, true, strconv.ErrRange
	}
	return int64(u), true, nil
}

// parsePropID reads a property name, a full hexadecimal tag (8 digits,
// with or without 0x) or a hexadecimal property id (0x and up to 4
// digits) and returns the 16-bit property id.
func parsePropID(v string) (uint16, error) {
	if h, ok := strings.CutPrefix(strings.ToLower(v), "0x"); ok {
		u, err := strconv.ParseUint(h, 16, 32)
		switch {
		case err != nil:
			return 0, fmt.Errorf("bad hexadecimal property %q", v)
		case len(h) <= 4:
			return uint16(u), nil
		case len(h) == 8:
			return uint16(u >> 16), nil
		}
		return 0, fmt.Errorf("bad property %q (want an id 0xIIII or a tag 0xIIIITTTT)", v)
	}
	t, err := prop.ParseTag(v)
	if err != nil {
		return 0, fmt.Errorf("unknown property %q (want a PidTag name like PidTagSubject, a tag 0xIIIITTTT or an id 0xIIII)", v)
	}
	return uint16(uint32(t) >> 16), nil
}

// ropSuggestions lists up to three ROP names close to v.
func ropSuggestions(v string) string {
	q := strings.ToLower(strings.TrimPrefix(strings.TrimPrefix(v, "Rop"), "rop"))
	type cand struct {
		name string
		d    int
	}
	var cs []cand
	for _, in := range rop.All() {
		name := strings.TrimPrefix(in.Name, "Rop")
		l := strings.ToLower(name)
		d := editDistance(q, l)
		switch {
		case len(q) >= 3 && strings.Contains(l, q):
			d = 0
		case d <= max(2, len(q)/3):
		default:
			continue
		}
		cs = append(cs, cand{name, d})
	}
	if len(cs) == 0 {
		return " (want a name like QueryRows or an id like 0x15)"
	}
	sort.SliceStable(cs, func(i, j int) bool {
		if cs[i].d != cs[j].d {
			return cs[i].d < cs[j].d
		}
		return cs[i].name < cs[j].name
	})
	if len(cs) > 3 {
		cs = cs[:3]
	}
	names := make([]string, len(cs))
	for i, c := range cs {
		names[i] = c.name
	}
	return " (did you mean " + strings.Join(names, ", ") + "?)"
}

// editDistance is the Levenshtein distance of two ASCII-ish strings.
func editDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 1 << 20
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			c := prev[j-1]
			if a[i-1] != b[j-1] {
				c++
			}
			cur[j] = min(c, prev[j]+1, cur[j-1]+1)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// write renders the atom canonically.
func (a *atom) write(b *strings.Builder) {
	b.WriteString("~")
	b.WriteString(specs[a.k].name)
	var v string
	switch a.k {
	case kROP:
		if n := rop.Name(uint8(a.num)); n != "" {
			v = strings.TrimPrefix(n, "Rop")
		} else {
			v = fmt.Sprintf("0x%02X", a.num)
		}
	case kEC:
		if !a.has {
			return
		}
		v = fmt.Sprintf("0x%08X", a.num)
		if n := prop.ErrorCode(a.num).Name(); n != "" && wordSafe(n) {
			if c, ok := prop.LookupError(n); ok && int64(c) == a.num {
				v = n
			}
		}
	case kProp:
		v = fmt.Sprintf("0x%04X", a.num)
		if n, ok := propnames.IDName(uint16(a.num)); ok && wordSafe(n) {
			if t, ok := propnames.LookupTag(n); ok && int64(t>>16) == a.num {
				v = n
			}
		}
	case kSID, kCode, kXRC:
		v = strconv.FormatInt(a.num, 10)
	case kRT, kURL, kHeader, kBody, kComment:
		v = a.text
	default:
		return
	}
	b.WriteByte(' ')
	if unquotedOK(v, specs[a.k].mode) {
		b.WriteString(v)
		return
	}
	b.WriteByte('"')
	for _, r := range v {
		if r == '"' || r == '\\' {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	b.WriteByte('"')
}

// wordSafe reports whether a generated name needs no quoting as a word.
func wordSafe(s string) bool { return unquotedOK(s, wordValue) }

package filter

import (
	"reflect"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestParseCanonical(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{" \t ", ""},
		// atoms and their canonical values
		{"~rop QueryRows", "~rop QueryRows"},
		{"~rop RopQueryRows", "~rop QueryRows"},
		{"~rop ropqueryrows", "~rop QueryRows"},
		{"~rop 0x15", "~rop QueryRows"},
		{"~rop 21", "~rop QueryRows"},
		{"~rop 0xfe", "~rop Logon"},
		{"~rt execute", "~rt execute"},
		{"~rt NotificationWait", "~rt NotificationWait"},
		{"~ec", "~ec"},
		{"~ec 0x8004010F", "~ec ecNotFound"},
		{"~ec 0x8004010f", "~ec ecNotFound"},
		{"~ec 2147746063", "~ec ecNotFound"},
		{"~ec -2147221233", "~ec ecNotFound"},
		{"~ec ecNotFound", "~ec ecNotFound"},
		{"~ec NotFound", "~ec ecNotFound"},
		{"~ec 0x000004B9", "~ec ecNullObject"},
		{"~ec 0x12345678", "~ec 0x12345678"},
		{"~ec 0", "~ec Success"},
		{"~prop PidTagSubject", "~prop PidTagSubject"},
		{"~prop subject", "~prop PidTagSubject"},
		{"~prop PidTagSubject:PtypString8", "~prop PidTagSubject"},
		{"~prop 0x0037001F", "~prop PidTagSubject"},
		{"~prop 0037001E", "~prop PidTagSubject"},
		{"~prop 0x37", "~prop PidTagSubject"},
		{"~prop 0x0037", "~prop PidTagSubject"},
		{"~sid 7", "~sid 7"},
		{"~sid 0x10", "~sid 16"},
		{"~code 200", "~code 200"},
		{"~xrc 0", "~xrc 0"},
		{"~u /mapi/emsmdb", "~u /mapi/emsmdb"},
		{"~h X-RequestType", "~h X-RequestType"},
		{"~b hello", "~b hello"},
		{"~anomaly", "~anomaly"},
		{"~m", "~m"},
		{"~c todo", "~c todo"},
		{"~q", "~q"},
		{"~s", "~s"},
		// bare words
		{"emsmdb", "~u emsmdb"},
		{"'a b'", `~u "a b"`},
		// precedence and grouping
		{"a b", "~u a & ~u b"},
		{"a & b & c", "~u a & ~u b & ~u c"},
		{"a | b c", "~u a | ~u b & ~u c"},
		{"a b | c", "~u a & ~u b | ~u c"},
		{"a | b & c | d", "~u a | ~u b & ~u c | ~u d"},
		{"(a | b) c", "(~u a | ~u b) & ~u c"},
		{"(a | b) & (c | d)", "(~u a | ~u b) & (~u c | ~u d)"},
		{"((a))", "~u a"},
		{"(a b) c", "~u a & ~u b & ~u c"},
		{"a | (b | c)", "~u a | ~u b | ~u c"},
		// negation
		{"!a & b", "!~u a & ~u b"},
		{"!a b", "!~u a & ~u b"},
		{"! a", "!~u a"},
		{"!(a & b)", "!(~u a & ~u b)"},
		{"!(a | b) c", "!(~u a | ~u b) & ~u c"},
		{"!!a", "~u a"},
		{"!!!a", "!~u a"},
		{"~m !~q", "~m & !~q"},
		// optional value of ~ec
		{"~ec ~rop QueryRows", "~ec & ~rop QueryRows"},
		{"~ec & foo", "~ec & ~u foo"},
		{"~ec !~m", "~ec & !~m"},
		{"~ec (~m)", "~ec & ~m"},
		{"(~ec)", "~ec"},
		{"~ec|~m", "~ec | ~m"},
		{"~ec 'ecNotFound'", "~ec ecNotFound"},
		// word values end at operators
		{"~rop QueryRows|~rop SetColumns", "~rop QueryRows | ~rop SetColumns"},
		{"~rop QueryRows&~code 200", "~rop QueryRows & ~code 200"},
		{"(~rop QueryRows)", "~rop QueryRows"},
		{"~rt Execute!~code 200", "~rt Execute & !~code 200"},
		// text values run to whitespace or an unbalanced )
		{"~u a|b", "~u a|b"},
		{"~u a&b=1", "~u a&b=1"},
		{"~u /mapi/(emsmdb|nspi)", "~u /mapi/(emsmdb|nspi)"},
		{"(~u nspi)", "~u nspi"},
		{"(~u (nspi))", "~u (nspi)"},
		{"(nspi|emsmdb)", "~u nspi|emsmdb"},
		{"~u a\\)", "~u a\\)"},
		{"(~u a\\))", "~u a\\)"},
		{"~u it's", "~u it's"},
		{`~u a"b`, `~u a"b`},
		{`~c "!"`, `~c "!"`},
		// quoting
		{`~u "a b"`, `~u "a b"`},
		{`~u 'a b'`, `~u "a b"`},
		{`~u "a\d+"`, `~u a\d+`},
		{`~u "a\\d+"`, `~u a\d+`},
		{`~u "say \"hi\""`, `~u "say \"hi\""`},
		{`~u 'it\'s'`, `~u it's`},
		{`~c "x\\"`, `~c "x\\"`},
		{`~c "x\\" ~m`, `~c "x\\" & ~m`},
		{`~c "a(b"`, `~c "a(b"`},
		{`(~m | ~c "a(b") ~q`, `(~m | ~c "a(b") & ~q`},
		{`(~m | ~c "a(b)") ~q`, `(~m | ~c a(b)) & ~q`},
		{`~u "a\ b"`, `~u "a\\ b"`},
		{`~u ""`, `~u ""`},
		{`~u "~x"`, `~u "~x"`},
		{`~c "(x"`, `~c "(x"`},
		{`~c ")"`, `~c ")"`},
		{`~c "needs review"`, `~c "needs review"`},
		{`~rt "Execute"`, `~rt Execute`},
		{`~rop "QueryRows"`, `~rop QueryRows`},
		{`~rt "a(b"`, `~rt "a(b"`},
		{`~u "a"b`, `~u a & ~u b`},
		{"~u\tx", "~u x"},
		{"~u ünïcödé", "~u ünïcödé"},
	} {
		f, err := Parse(tc.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", tc.in, err)
			continue
		}
		if got := f.String(); got != tc.want {
			t.Errorf("Parse(%q).String() = %q, want %q", tc.in, got, tc.want)
			continue
		}
		g, err := Parse(tc.want)
		if err != nil {
			t.Errorf("Parse(%q) (canonical of %q): %v", tc.want, tc.in, err)
			continue
		}
		if got := g.String(); got != tc.want {
			t.Errorf("canonical form %q is not stable: %q", tc.want, got)
		}
	}
}

func TestParseValues(t *testing.T) {
	for _, tc := range []struct {
		in    string
		k     kind
		text  string
		num   int64
		regex string
	}{
		{`~u "a\d"`, kURL, `a\d`, 0, `(?i)a\d`},
		{`~h ^X-`, kHeader, `^X-`, 0, `(?m)^X-`},
		{`~b .`, kBody, `.`, 0, `(?s).`},
		{`~c "50%"`, kComment, `50%`, 0, ""},
		{`~rop 0x4E`, kROP, `0x4E`, 0x4E, ""},
		{`~ec ecNotFound`, kEC, `ecNotFound`, 0x8004010F, ""},
		{`~ec -1`, kEC, `-1`, 0xFFFFFFFF, ""},
		{`~prop 0x0E1D001F`, kProp, `0x0E1D001F`, 0x0E1D, ""},
		{`~sid 12`, kSID, `12`, 12, ""},
	} {
		f, err := Parse(tc.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", tc.in, err)
			continue
		}
		a := f.root.a
		if f.root.op != opAtom || a.k != tc.k || a.text != tc.text || a.num != tc.num || a.regex != tc.regex {
			t.Errorf("Parse(%q) = %+v, want kind %d text %q num %#x regex %q", tc.in, a, tc.k, tc.text, tc.num, tc.regex)
		}
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct {
		in  string
		col int
		msg string // a substring of the message
	}{
		{"~xx", 1, `unknown atom "~xx" (known: ~rt ~rop ~ec ~prop ~sid ~code ~xrc ~u ~h ~b ~anomaly ~m ~c ~q ~s)`},
		{"~", 1, `unknown atom "~"`},
		{"~RT Execute", 1, `unknown atom "~RT"`},
		{"~m & ~ropx 5", 6, `unknown atom "~ropx"`},
		// parentheses
		{"(~m", 1, `unclosed "("`},
		{"~m & (~q | (~s)", 6, `unclosed "("`},
		{"~m)", 3, `unbalanced ")": no "(" to close`},
		{"(~m))", 5, `unbalanced ")"`},
		{"()", 1, "empty parentheses"},
		{"~m & ( )", 6, "empty parentheses"},
		{")", 1, `expected an expression before ")"`},
		{"(", 1, `unclosed "("`},
		// operators without operands
		{"& ~m", 1, `expected an expression before "&"`},
		{"| ~m", 1, `expected an expression before "|"`},
		{"~m &", 5, `expected an expression after "&"`},
		{"~m |  ", 7, `expected an expression after "|"`},
		{"~m | | ~q", 6, `expected an expression before "|"`},
		{"~m & | ~q", 6, `expected an expression before "|"`},
		{"~m & )", 6, `expected an expression before ")"`},
		{"!", 2, `expected an expression after "!"`},
		{"~m !", 5, `expected an expression after "!"`},
		{"!)", 2, `expected an expression before ")"`},
		// missing values
		{"~rop", 5, "~rop needs a value (a ROP name or id such as QueryRows or 0x15)"},
		{"~rop ", 6, "~rop needs a value"},
		{"(~rop)", 6, "~rop needs a value"},
		{"~rop & ~m", 6, "~rop needs a value"},
		{"~rop ~m", 6, "~rop needs a value"},
		{"~rop (QueryRows)", 6, "~rop needs a value"},
		{"~u", 3, "~u needs a value (a regexp)"},
		{"~u !x", 4, "~u needs a value"},
		{"~rt", 4, "~rt needs a value"},
		{"~c", 3, "~c needs a value"},
		{"~sid |", 6, "~sid needs a value"},
		{`~rop ""`, 6, "~rop: empty value"},
		// quoting
		{`~u "abc`, 4, "unterminated quoted value"},
		{`~u 'abc\'`, 4, "unterminated quoted value"},
		{`"abc`, 1, "unterminated quoted value"},
		// bad names and numbers
		{"~rop QueryRow", 6, `~rop: unknown ROP "QueryRow" (did you mean QueryRows`},
		{"~rop RopSetColumn", 6, `did you mean SetColumns`},
		{"~rop zzzzzzzzzz", 6, `unknown ROP "zzzzzzzzzz" (want a name like QueryRows or an id like 0x15)`},
		{"~rop 256", 6, `bad ROP id "256"`},
		{"~rop 0x100", 6, `bad ROP id "0x100"`},
		{"~rop 0xZZ", 6, `bad ROP id "0xZZ"`},
		{"~rop 99999999999999999999", 6, `bad ROP id`},
		{"~ec bogus", 5, `~ec: unknown error code "bogus"`},
		{"~ec 0x1FFFFFFFF", 5, `bad error code "0x1FFFFFFFF"`},
		{"~ec 0x8004010Fzz", 5, `bad error code`},
		{"~ec -99999999999", 5, `bad error code`},
		{"~prop nope", 7, `~prop: unknown property "nope"`},
		{"~prop 0x12345", 7, `bad property "0x12345"`},
		{"~prop 0xQQ", 7, `bad hexadecimal property`},
		{"~code abc", 7, `~code: bad number "abc"`},
		{"~code 1000", 7, `bad HTTP status 1000`},
		{"~code -1", 7, `bad number "-1"`},
		{"~sid 12x", 6, `~sid: bad number "12x"`},
		{"~sid 99999999999999999999", 6, `bad number`},
		{"~xrc 0x100000000", 6, `bad X-ResponseCode`},
		// bad regexps
		{"~u a(", 4, `~u: bad regexp "a(": missing closing )`},
		{"~m ~h [x", 7, `~h: bad regexp "[x": missing closing ]`},
		{"~b *", 4, `~b: bad regexp "*": missing argument to repetition operator`},
		{"x(", 1, `~u: bad regexp "x(": missing closing )`},
		{"~m x+*", 4, `~u: bad regexp "x+*": invalid nested repetition operator`},
		{`~m "a b" ~u \`, 13, `~u: bad regexp "\\": trailing backslash`},
		// nesting
		{strings.Repeat("(", 1000) + "~m" + strings.Repeat(")", 1000), maxDepth + 1, "nested too deeply"},
		{strings.Repeat("!", 1000) + "~m", maxDepth + 1, "nested too deeply"},
		// columns count characters, not bytes
		{"~u ünï ~zz", 8, `unknown atom "~zz"`},
	} {
		_, err := Parse(tc.in)
		fe, ok := err.(*Error)
		if !ok {
			t.Errorf("Parse(%q) = %v, want an *Error", tc.in, err)
			continue
		}
		if fe.Col != tc.col || !strings.Contains(fe.Msg, tc.msg) {
			t.Errorf("Parse(%q) = column %d %q, want column %d %q", tc.in, fe.Col, fe.Msg, tc.col, tc.msg)
		}
	}
}

func TestErrorText(t *testing.T) {
	_, err := Parse("~rt a ~xx")
	want := `filter: column 7: unknown atom "~xx" (known: ~rt ~rop ~ec ~prop ~sid ~code ~xrc ~u ~h ~b ~anomaly ~m ~c ~q ~s)`
	if err == nil || err.Error() != want {
		t.Fatalf("got %v\nwant %s", err, want)
	}
	if got, want := err.(*Error).Caret("~rt a ~xx"), "~rt a ~xx\n      ^"; got != want {
		t.Errorf("Caret:\n%s\nwant\n%s", got, want)
	}
	if got, want := Caret("\t~rop", mustErr(t, "\t~rop")), "\t~rop\n\t    ^"; got != want {
		t.Errorf("Caret with tab and column past the end:\n%q\nwant\n%q", got, want)
	}
	if got, want := Caret("ü ~q)", mustErr(t, "ü ~q)")), "ü ~q)\n    ^"; got != want {
		t.Errorf("Caret with non-ASCII:\n%q\nwant\n%q", got, want)
	}
}

func mustErr(t *testing.T, expr string) error {
	t.Helper()
	_, err := Parse(expr)
	if err == nil {
		t.Fatalf("Parse(%q): no error", expr)
	}
	return err
}

func TestEmpty(t *testing.T) {
	f, err := Parse("  ")
	if err != nil || !f.Empty() {
		t.Fatalf("Parse(blank) = %v, %v", f, err)
	}
	for name, fn := range map[string]func() (string, []any){
		"ExchangeWhere": f.ExchangeWhere, "RopWhere": f.RopWhere, "SessionWhere": f.SessionWhere,
	} {
		if s, args := fn(); s != "1" || args != nil {
			t.Errorf("%s of the empty filter = %q %v", name, s, args)
		}
	}
	var nilf *Filter
	if nilf.String() != "" || !nilf.Empty() {
		t.Error("nil filter")
	}
}

func TestRegexpFunc(t *testing.T) {
	for _, tc := range []struct {
		pattern string
		value   any
		want    bool
	}{
		{"b", "abc", true},
		{"^b", "abc", false},
		{"b", []byte("abc"), true},
		{"\\x00\\x01", []byte{0xff, 0, 1}, true},
		{"", nil, false},
		{"", []byte(nil), false}, // NULL as go-sqlite3 passes it
		{"^$", []byte{}, true},   // an empty BLOB
		{"^12$", int64(12), true},
		{"^1.5$", 1.5, true},
	} {
		got, err := Regexp(tc.pattern, tc.value)
		if err != nil || got != tc.want {
			t.Errorf("Regexp(%q, %#v) = %v, %v; want %v", tc.pattern, tc.value, got, err, tc.want)
		}
	}
	if _, err := Regexp("a(", "a"); err == nil {
		t.Error("bad pattern: no error")
	}
	for i := range 3 * regexpCacheSize {
		if _, err := Regexp("x"+strings.Repeat("y", i), "xy"); err != nil {
			t.Fatal(err)
		}
	}
	regexpCache.Lock()
	n := len(regexpCache.m)
	regexpCache.Unlock()
	if n > regexpCacheSize {
		t.Errorf("cache holds %d patterns, bound %d", n, regexpCacheSize)
	}
}

func TestSQLShapes(t *testing.T) {
	for _, tc := range []struct {
		in             string
		exch, rop, ses string
		nargs          int
	}{
		{"~rop QueryRows",
			"EXISTS (SELECT 1 FROM rops r2 WHERE r2.exchange_id = e.id AND r2.rop_id = ?)",
			"r.rop_id = ?",
			"EXISTS (SELECT 1 FROM exchanges e WHERE e.session_id = s.id AND EXISTS (SELECT 1 FROM rops r2 WHERE r2.exchange_id = e.id AND r2.rop_id = ?))", 1},
		{"~ec",
			"e.error_count > 0", "r.return_value != 0",
			"EXISTS (SELECT 1 FROM exchanges e WHERE e.session_id = s.id AND e.error_count > 0)", 0},
		{"~ec ecNotFound",
			"EXISTS (SELECT 1 FROM rops r2 WHERE r2.exchange_id = e.id AND r2.return_value = ? AND r2.return_value != 0)",
			"r.return_value = ?", "", 1},
		{"~prop Subject",
			"e.id IN (SELECT rp.exchange_id FROM rop_props rp WHERE rp.property_id = ?)",
			"EXISTS (SELECT 1 FROM rop_props rp WHERE rp.property_id = ? AND rp.rop = r.id)", "", 1},
		{"~rt Execute & !~code 200",
			"e.request_type = ? COLLATE NOCASE AND (e.http_status = ?) IS NOT TRUE", "", "", 2},
		{"!~rop QueryRows | ~anomaly",
			"NOT EXISTS (SELECT 1 FROM rops r2 WHERE r2.exchange_id = e.id AND r2.rop_id = ?) OR e.anomaly_count > 0",
			"NOT (r.rop_id = ?) OR e.anomaly_count > 0", "", 1},
		{"~sid 3", "e.session_id = ?", "e.session_id = ?", "s.id = ?", 1},
		{"!~sid 3", "(e.session_id = ?) IS NOT TRUE", "", "NOT (s.id = ?)", 1},
		{"~sid 3 & ~m | ~q",
			"(e.session_id = ? AND e.mark IS NOT NULL) OR coalesce(e.http_status, 0) = 0", "",
			"((s.id = ? AND EXISTS (SELECT 1 FROM exchanges e WHERE e.session_id = s.id AND e.mark IS NOT NULL)) OR EXISTS (SELECT 1 FROM exchanges e WHERE e.session_id = s.id AND coalesce(e.http_status, 0) = 0))", 1},
		{"~h .", "(regexp(?, e.req_headers) OR regexp(?, e.resp_headers))", "", "", 2},
		{"~b .", "(regexp(?, e.req_body) OR regexp(?, e.resp_body) OR EXISTS (SELECT 1 FROM rops r2 WHERE r2.exchange_id = e.id AND (regexp(?, r2.request_json) OR regexp(?, r2.response_json))))", "", "", 4},
		{"~u [0-9]", "regexp(?, e.url)", "", "", 1},
		{"~u /mapi/", "instr(upper(e.url), ?) > 0", "", "", 1},
		{"!~u /mapi/", "(instr(upper(e.url), ?) > 0) IS NOT TRUE", "", "", 1},
		{"~u ^/mapi/", "(instr(upper(e.url), ?) > 0 AND regexp(?, e.url))", "", "", 2},
		{"!~u ^/mapi/", "NOT ((instr(upper(e.url), ?) > 0 AND regexp(?, e.url)))", "", "", 2},
		{"~u a1.b22", "(instr(upper(e.url), ?) > 0 AND instr(upper(e.url), ?) > 0 AND regexp(?, e.url))", "", "", 3},
		{"~u mask", "instr(replace(replace(upper(e.url), char(383), 'S'), char(8490), 'K'), ?) > 0", "", "", 1},
		{"~h ^X-", "((instr(e.req_headers, ?) > 0 AND regexp(?, e.req_headers)) OR (instr(e.resp_headers, ?) > 0 AND regexp(?, e.resp_headers)))", "", "", 4},
		{"~h X-", "(instr(e.req_headers, ?) > 0 OR instr(e.resp_headers, ?) > 0)", "", "", 2},
		{"~b Subject", "(instr(e.req_body, ?) > 0 OR instr(e.resp_body, ?) > 0 OR EXISTS (SELECT 1 FROM rops r2 WHERE r2.exchange_id = e.id AND (instr(r2.request_json, ?) > 0 OR instr(r2.response_json, ?) > 0)))", "", "", 4},
		{"~b ^Subject", "((instr(e.req_body, ?) > 0 AND regexp(?, e.req_body)) OR (instr(e.resp_body, ?) > 0 AND regexp(?, e.resp_body)) OR EXISTS (SELECT 1 FROM rops r2 WHERE r2.exchange_id = e.id AND ((instr(r2.request_json, ?) > 0 AND regexp(?, r2.request_json)) OR (instr(r2.response_json, ?) > 0 AND regexp(?, r2.response_json)))))", "", "", 8},
		{"~b (?i)Subject", "(instr(replace(upper(e.req_body), char(383), 'S'), ?) > 0 OR instr(replace(upper(e.resp_body), char(383), 'S'), ?) > 0 OR EXISTS (SELECT 1 FROM rops r2 WHERE r2.exchange_id = e.id AND (instr(replace(upper(r2.request_json), char(383), 'S'), ?) > 0 OR instr(replace(upper(r2.response_json), char(383), 'S'), ?) > 0)))", "", "", 4},
		{"~c x", "instr(upper(e.comment), upper(?)) > 0", "", "", 1},
		{"!(~m | ~c x)", "(e.mark IS NOT NULL OR instr(upper(e.comment), upper(?)) > 0) IS NOT TRUE", "", "", 1},
	} {
		f, err := Parse(tc.in)
		if err != nil {
			t.Fatalf("Parse(%q): %v", tc.in, err)
		}
		check := func(name, want string, fn func() (string, []any)) {
			got, args := fn()
			if want != "" && got != want {
				t.Errorf("%s(%q) =\n  %s\nwant\n  %s", name, tc.in, got, want)
			}
			if n := strings.Count(got, "?"); n != len(args) || (name == "ExchangeWhere" && n != tc.nargs) {
				t.Errorf("%s(%q): %d placeholders, %d args, want %d", name, tc.in, n, len(args), tc.nargs)
			}
		}
		check("ExchangeWhere", tc.exch, f.ExchangeWhere)
		check("RopWhere", tc.rop, f.RopWhere)
		check("SessionWhere", tc.ses, f.SessionWhere)
	}
}

// The syntax package keeps case-folded literals in upper case.
func TestRequiredLiterals(t *testing.T) {
	for _, tc := range []struct {
		pattern string
		want    []literal
		exact   bool
	}{
		{"abc", []literal{{"abc", false}}, true},
		{"(?i)/mapi/", []literal{{"/MAPI/", true}}, true},
		{"(?i)emsmdb", []literal{{"EMSMDB", true}}, true},
		{"(?i)über-x", []literal{{"BER-X", true}}, false},
		{"über", []literal{{"über", false}}, true},
		{"^/mapi/(emsmdb|nspi)/", []literal{{"/mapi/", false}}, false},
		{"(?i)nspi/.*MailboxId=0000000[2-9]", []literal{{"MAILBOXID=0000000", true}, {"NSPI/", true}}, false},
		{"a.b", []literal{{"a", false}}, false},
		{"a.b.cd", []literal{{"cd", false}}, false},
		{"foo.*barbaz.*foo", []literal{{"barbaz", false}, {"foo", false}}, false},
		{"abcdef.*bcd", []literal{{"abcdef", false}}, false},
		{"(?i)abcdef.*(?-i)bcd", []literal{{"ABCDEF", true}, {"bcd", false}}, false},
		{"a1.b22.c333.d4444", []literal{{"d4444", false}, {"c333", false}, {"b22", false}}, false},
		{"x(abcd)y", []literal{{"abcd", false}}, false},
		{"(abcd)+", []literal{{"abcd", false}}, false},
		{"(abcd)*", nil, false},
		{"(abcd)?", nil, false},
		{"(abcd){2,3}", []literal{{"abcd", false}}, false},
		{"(abcd){0,3}", nil, false},
		{"abc|def", nil, false},
		{"[ab]", nil, false},
		{"", nil, false},
		{"^abc", []literal{{"abc", false}}, false},
		{"abc$", []literal{{"abc", false}}, false},
		{"ab(?i)cdef", []literal{{"CDEF", true}, {"ab", false}}, false},
		{`a\x{FFFD}bc`, []literal{{"bc", false}}, false},
		{`(?s)\x00\x01`, []literal{{"\x00\x01", false}}, true},
	} {
		got, exact := requiredLiterals(tc.pattern)
		if !reflect.DeepEqual(got, tc.want) || exact != tc.exact {
			t.Errorf("requiredLiterals(%q) = %+v %v, want %+v %v", tc.pattern, got, exact, tc.want, tc.exact)
		}
	}
}

// TestASCIIFolding checks what folded relies on: the only non-ASCII runes
// that Go's case folding puts with ASCII ones are U+017F (with s) and
// U+212A (with k).
func TestASCIIFolding(t *testing.T) {
	for r := rune(0); r < utf8.RuneSelf; r++ {
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			if f < utf8.RuneSelf {
				continue
			}
			if !(f == 0x17F && (r == 's' || r == 'S')) && !(f == 0x212A && (r == 'k' || r == 'K')) {
				t.Errorf("%q folds with %U", r, f)
			}
		}
	}
}

// TestNoInterpolation checks that user text reaches SQL only as arguments.
func TestNoInterpolation(t *testing.T) {
	const evil = `x'; DROP TABLE exchanges; --`
	for _, in := range []string{`~u "` + evil + `"`, `~c "` + evil + `"`, `~rt "` + evil + `"`, `~h "` + evil + `"`} {
		f, err := Parse(in)
		if err != nil {
			t.Fatal(err)
		}
		for _, fn := range []func() (string, []any){f.ExchangeWhere, f.RopWhere, f.SessionWhere} {
			if s, _ := fn(); strings.Contains(s, "DROP") {
				t.Errorf("%q: user text in SQL: %s", in, s)
			}
		}
	}
}

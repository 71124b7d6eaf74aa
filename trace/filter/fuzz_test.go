package filter

import (
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzParse checks that parsing never panics, that errors point inside the
// expression (or just past its end), and that the canonical form parses
// back to an equivalent filter: the same canonical form and the same SQL
// and arguments for every target.
//
//	go test -run '^$' -fuzz FuzzParse -fuzztime 2m ./trace/filter
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"", "~rop QueryRows", "~rop 0x15 | ~rop RopSetColumns", "~ec", "~ec 0x8004010F & ~rt Execute",
		"~prop PidTagSubject ~prop 0x0E07", "!(~m | ~c 'to do')", "~sid 3 & (~code 500 | ~xrc 9)",
		"~u /mapi/(emsmdb|nspi)", `~h "^X-RequestType: Execute$"`, `~b "Quarterly report"`, "~anomaly ~q",
		"!~s", "nspi emsmdb | 'a b'", `~u "a\"b\\c"`, "~rt Execute & !~code 200", "((~m))", "!!~m",
		"~ec ~m", "~ec (~m)", "~ec|~m", "~rop QueryRows|~ec", `~c "a(b"`, "(~c a\\)", "~u ü ~q",
		"~xx", "(~m", "~m)", "~rop QueryRow", "~u a(", "~code 1000", `"abc`, "~m &", "| ~m", "~",
		"~prop 0x12345", "~ec -1", "(~u (x|y)) & !(~h [a-z]+ | ~b \\x00)",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, expr string) {
		flt, err := Parse(expr)
		if err != nil {
			fe, ok := err.(*Error)
			if !ok {
				t.Fatalf("Parse(%q): %T %v", expr, err, err)
			}
			if n := utf8.RuneCountInString(expr); fe.Col < 1 || fe.Col > n+1 {
				t.Fatalf("Parse(%q): column %d outside 1..%d", expr, fe.Col, n+1)
			}
			if c := fe.Caret(expr); !strings.HasSuffix(c, "^") {
				t.Fatalf("Caret(%q) = %q", expr, c)
			}
			return
		}
		canon := flt.String()
		again, err := Parse(canon)
		if err != nil {
			t.Fatalf("Parse(%q) ok, but its canonical form %q: %v", expr, canon, err)
		}
		if s := again.String(); s != canon {
			t.Fatalf("Parse(%q): canonical %q reparses as %q", expr, canon, s)
		}
		for name, fns := range map[string][2]func() (string, []any){
			"ExchangeWhere": {flt.ExchangeWhere, again.ExchangeWhere},
			"RopWhere":      {flt.RopWhere, again.RopWhere},
			"SessionWhere":  {flt.SessionWhere, again.SessionWhere},
		} {
			s1, a1 := fns[0]()
			s2, a2 := fns[1]()
			if s1 != s2 || !reflect.DeepEqual(a1, a2) {
				t.Fatalf("%s of %q and of its canonical form %q differ:\n%s %q\n%s %q", name, expr, canon, s1, a1, s2, a2)
			}
			if n := strings.Count(s1, "?"); n != len(a1) {
				t.Fatalf("%s(%q): %d placeholders, %d args", name, expr, n, len(a1))
			}
		}
	})
}

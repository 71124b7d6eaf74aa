package filter

import (
	"regexp/syntax"
	"sort"
	"strings"
	"unicode/utf8"
)

// A regexp() call costs a round trip from SQLite into Go for every row,
// which makes a scan of a large trace take seconds. So each regexp atom
// also carries literals that any match must contain, tested first with
// SQLite's own instr(): only rows that pass call regexp(). A pattern that
// is one literal is tested with instr() alone.
//
// Case-folded literals (of ASCII runes only) are looked for in the column
// folded by upper(), which folds ASCII only, and by replace() of the two
// non-ASCII runes that Go folds with ASCII letters: U+017F (ſ) with s and
// U+212A (Kelvin sign) with k. Then a text holds a case-insensitive match
// of the literal exactly when its folded form holds the upper-cased
// literal.

// literal is a string every match of a pattern contains; fold says it is
// matched ignoring case.
type literal struct {
	s    string
	fold bool
}

// maxLiterals bounds the instr() tests of one column.
const maxLiterals = 3

// requiredLiterals returns up to maxLiterals literals, longest first, that
// every match of the pattern contains, in a form the SQL test cannot miss
// a match with: case-folded literals hold only ASCII runes, and no literal
// holds U+FFFD, which Go's regexp matches for any invalid byte. Literals
// of one character are kept only when there is nothing longer. exact says
// that the pattern is the one literal returned, so that a text matches
// exactly when it contains it.
func requiredLiterals(pattern string) (lits []literal, exact bool) {
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return nil, false
	}
	if re.Op == syntax.OpLiteral {
		fold := re.Flags&syntax.FoldCase != 0
		all := true
		for _, r := range re.Rune {
			all = all && usable(r, fold)
		}
		if all {
			return []literal{{string(re.Rune), fold}}, true
		}
	}
	var all []literal
	consider := func(rs []rune, fold bool) {
		start := 0
		for i := 0; i <= len(rs); i++ {
			if i < len(rs) && usable(rs[i], fold) {
				continue
			}
			if i > start {
				all = append(all, literal{string(rs[start:i]), fold})
			}
			start = i + 1
		}
	}
	var walk func(re *syntax.Regexp)
	walk = func(re *syntax.Regexp) {
		switch re.Op {
		case syntax.OpLiteral:
			consider(re.Rune, re.Flags&syntax.FoldCase != 0)
		case syntax.OpCapture, syntax.OpPlus:
			walk(re.Sub[0])
		case syntax.OpRepeat:
			if re.Min >= 1 {
				walk(re.Sub[0])
			}
		case syntax.OpConcat:
			// Adjacent literals with the same folding make one run.
			var run []rune
			fold := false
			for _, sub := range re.Sub {
				if sub.Op == syntax.OpLiteral {
					f := sub.Flags&syntax.FoldCase != 0
					if len(run) > 0 && f != fold {
						consider(run, fold)
						run = nil
					}
					run, fold = append(run, sub.Rune...), f
					continue
				}
				if len(run) > 0 {
					consider(run, fold)
					run = nil
				}
				walk(sub)
			}
			if len(run) > 0 {
				consider(run, fold)
			}
		}
	}
	walk(re)
	sort.SliceStable(all, func(i, j int) bool { return len(all[i].s) > len(all[j].s) })
	for _, l := range all {
		if len(lits) == maxLiterals || len(lits) > 0 && utf8.RuneCountInString(l.s) < 2 {
			break
		}
		if !containsLiteral(lits, l) {
			lits = append(lits, l)
		}
	}
	return lits, false
}

// containsLiteral reports whether l adds nothing to the tests in ls: an
// equal literal, or one containing it with the same folding, is there.
func containsLiteral(ls []literal, l literal) bool {
	for _, x := range ls {
		if x.fold == l.fold && strings.Contains(x.s, l.s) {
			return true
		}
	}
	return false
}

func usable(r rune, fold bool) bool {
	if r == utf8.RuneError {
		return false
	}
	return !fold || r < utf8.RuneSelf
}

// folded returns the SQL that folds col for instr() with the upper-cased
// literal l.
func folded(col, l string) string {
	s := "upper(" + col + ")"
	if strings.ContainsAny(l, "sS") {
		s = "replace(" + s + ", char(383), 'S')"
	}
	if strings.ContainsAny(l, "kK") {
		s = "replace(" + s + ", char(8490), 'K')"
	}
	return s
}

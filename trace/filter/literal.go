package filter

import (
	"regexp/syntax"
	"unicode/utf8"
)

// A regexp() call costs a round trip from SQLite into Go for every row,
// which makes a scan of a large trace take seconds. So each regexp atom
// also carries a literal that any match must contain, tested first with
// SQLite's own instr() or LIKE: only rows that pass call regexp().

// prefilter is a literal every match of a pattern contains; fold says it
// is matched ignoring ASCII case (LIKE). The zero value filters nothing.
type prefilter struct {
	lit  string
	fold bool
}

// requiredLiteral returns the longest literal that every match of the
// pattern contains, in a form the SQL test cannot miss a match with:
// case-folded literals keep only ASCII runes other than k and s (LIKE
// folds ASCII only, while Go also folds k with U+212A and s with U+017F),
// and no literal holds U+FFFD, which Go's regexp matches for any invalid
// byte.
func requiredLiteral(pattern string) prefilter {
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return prefilter{}
	}
	var best prefilter
	consider := func(rs []rune, fold bool) {
		start := 0
		for i := 0; i <= len(rs); i++ {
			if i < len(rs) && usable(rs[i], fold) {
				continue
			}
			if s := string(rs[start:i]); len(s) > len(best.lit) {
				best = prefilter{lit: s, fold: fold}
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
	return best
}

func usable(r rune, fold bool) bool {
	if r == utf8.RuneError {
		return false
	}
	if !fold {
		return true
	}
	switch r {
	case 'k', 'K', 's', 'S':
		return false
	}
	return r < utf8.RuneSelf
}

// Package filter is mapiscope's trace filter language: mitmproxy's flow
// filter expressions with MAPI atoms, compiled to SQL over a trace's
// SQLite schema (trace/schema.go).
//
// # Grammar
//
//	expr    = or
//	or      = and { "|" and }
//	and     = unary { ["&"] unary }        juxtaposition "a b" means "a & b"
//	unary   = "!" unary | "(" or ")" | atom | word
//	atom    = "~" name [value]
//	word    = value                        a bare word is "~u word"
//	value   = quoted | unquoted
//
// "!" binds tightest, then "&", then "|". An empty expression (or one of
// whitespace only) matches everything.
//
// Atoms:
//
//	~rt NAME      X-RequestType, case-insensitive exact (Execute, Connect, NotificationWait, PING, …)
//	~rop NAME|ID  the request holds that ROP: QueryRows, RopQueryRows (any case), 21 or 0x15
//	~ec           a ROP whose ReturnValue is not 0
//	~ec CODE      a ROP with that ReturnValue: 0x8004010F, 2147746063, -2147221233, ecNotFound, NotFound
//	~prop NAME|ID a property with that id is named in a request or response: PidTagSubject,
//	              Subject, PidTagSubject:PtypString8, 0x0037001F (a tag), 0x37 or 0x0037 (an id)
//	~sid N        session id
//	~code N       HTTP status (0: no response)
//	~xrc N        X-ResponseCode
//	~u REGEX      URL (case-insensitive, as mitmproxy)
//	~h REGEX      request or response headers ("Name: value" lines; ^ and $ match at lines)
//	~b REGEX      request or response body (raw bytes), or the decoded JSON of one of its ROPs
//	              ("." matches newlines)
//	~anomaly      the exchange has an anomaly
//	~m            marked exchanges
//	~c TEXT       the comment contains TEXT (ASCII case-insensitive)
//	~q            requests without a response
//	~s            exchanges with a response
//
// Values are 'single' or "double" quoted, or unquoted. In a quoted value a
// backslash escapes the quote character and the backslash itself; any
// other backslash is kept as written, so regular expressions need no
// doubling ("\d+" is the regexp \d+). An unquoted value runs to the next
// whitespace or to a ")" that closes a parenthesis opened before it (so
// ~u /mapi/(emsmdb|nspi) is one value, and (~u nspi) is a group); a
// backslash hides the following character from that paren counting. The
// values of ~rt ~rop ~ec ~prop ~sid ~code ~xrc (names and numbers) also
// end at any of ( ) & | ! ~. A value cannot start unquoted with ) & | ! ~;
// quote it. ~ec takes its value only when the next token is not an
// operator, parenthesis or atom: write "~ec & word" to mean the URL word.
// Numbers are decimal or 0x hexadecimal.
//
// # Compile targets
//
// [Filter.ExchangeWhere] is for a query over "exchanges e";
// [Filter.RopWhere] over "rops r JOIN exchanges e ON e.id = r.exchange_id",
// where ~rop, ~ec and ~prop test the ROP row itself and every other atom
// its exchange; [Filter.SessionWhere] over "sessions s": a session matches
// when one of its exchanges matches, with ~sid testing s.id (so a filter of
// ~sid atoms alone also lists sessions without exchanges). Subqueries use
// the aliases r2 (rops) and rp (rop_props); SessionWhere also uses e
// inside its subqueries, so the outer query must not. Each returns SQL
// text with ? placeholders and its arguments; user input is never
// interpolated into the text. An atom does not match a NULL column, so its
// negation does: !~code 200 lists the exchanges whose status is NULL.
//
// Regular expressions are Go's (RE2 syntax) and are evaluated by the SQL
// function regexp(pattern, value), which the connection must provide:
// register [Regexp] for it (with github.com/mattn/go-sqlite3, in a
// ConnectHook: conn.RegisterFunc("regexp", filter.Regexp, true)). As a call
// into Go per row is slow, the SQL first tests literals that every match
// must contain with instr(), and a pattern that is only a literal (a bare
// word, usually) needs no regexp() at all. Bodies are matched as bytes the
// way Go's regexp does: a byte that is not part of valid UTF-8 is U+FFFD
// to it, so ÿ in a pattern (U+00FF) does not match the byte 0xFF.
//
// Assumption about the stored data: rops.return_value holds the 32-bit
// ReturnValue as an unsigned (non-negative) integer, as 0x8004010F is
// 2147746063.
package filter

import (
	"fmt"
	"strings"
)

// Aliases the compiled SQL refers to.
const (
	ExchangeAlias = "e" // exchanges, in ExchangeWhere and RopWhere (and inside SessionWhere's subqueries)
	RopAlias      = "r" // rops, in RopWhere
	SessionAlias  = "s" // sessions, in SessionWhere
)

// Atoms lists the atoms of the language, in the order help shows them.
var Atoms = []string{"~rt", "~rop", "~ec", "~prop", "~sid", "~code", "~xrc", "~u", "~h", "~b", "~anomaly", "~m", "~c", "~q", "~s"}

// Filter is a parsed filter expression.
type Filter struct {
	root *node // nil: matches everything
}

// Error is a parse error with the 1-based column (in characters) of the
// offending place in the expression; a column one past the end means the
// expression ended too soon.
type Error struct {
	Col int
	Msg string
}

func (e *Error) Error() string {
	return fmt.Sprintf("filter: column %d: %s", e.Col, e.Msg)
}

// Caret renders expr with a caret under the error's column on the next
// line. Tabs before the column are kept so that the caret lines up.
func (e *Error) Caret(expr string) string {
	var b strings.Builder
	b.WriteString(expr)
	b.WriteByte('\n')
	i := 1
	for _, r := range expr {
		if i >= e.Col {
			break
		}
		if r == '\t' {
			b.WriteByte('\t')
		} else {
			b.WriteByte(' ')
		}
		i++
	}
	for ; i < e.Col; i++ {
		b.WriteByte(' ')
	}
	b.WriteByte('^')
	return b.String()
}

// Caret renders expr with a caret under the column of err when err is an
// *Error, or returns err's text otherwise.
func Caret(expr string, err error) string {
	if fe, ok := err.(*Error); ok {
		return fe.Caret(expr)
	}
	if err == nil {
		return expr
	}
	return err.Error()
}

// Empty reports whether the filter matches everything.
func (f *Filter) Empty() bool { return f == nil || f.root == nil }

// String returns the canonical form of the filter: explicit & and |,
// parentheses only where needed, ~u for bare words, ROP, property and
// error names where known, numbers in decimal. Parsing it gives an
// equivalent filter.
func (f *Filter) String() string {
	if f.Empty() {
		return ""
	}
	var b strings.Builder
	f.root.write(&b, 0)
	return b.String()
}

type op uint8

const (
	opAtom op = iota
	opNot
	opAnd
	opOr
)

// node is an expression: an atom or an operator over kids (And and Or are
// flattened and have two or more kids; Not has one).
type node struct {
	op   op
	kids []*node
	a    *atom
}

// prec is a node's binding strength for String.
func (n *node) prec() int {
	switch n.op {
	case opOr:
		return 1
	case opAnd:
		return 2
	}
	return 3
}

func (n *node) write(b *strings.Builder, min int) {
	if n.prec() < min {
		b.WriteByte('(')
		defer b.WriteByte(')')
	}
	switch n.op {
	case opAtom:
		n.a.write(b)
	case opNot:
		b.WriteByte('!')
		n.kids[0].write(b, 3)
	case opAnd, opOr:
		sep := " & "
		if n.op == opOr {
			sep = " | "
		}
		for i, k := range n.kids {
			if i > 0 {
				b.WriteString(sep)
			}
			k.write(b, n.prec()+1)
		}
	}
}

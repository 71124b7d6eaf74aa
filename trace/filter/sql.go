package filter

import "strings"

// target is what a compiled filter is evaluated against.
type target uint8

const (
	tExchange target = iota // exchanges e
	tRop                    // rops r JOIN exchanges e
	tSession                // exchanges e inside EXISTS over sessions s: ~sid is s.id
)

// ExchangeWhere compiles the filter for a query over "exchanges e":
//
//	SELECT … FROM exchanges e WHERE <sql> ORDER BY e.id
//
// The empty filter gives "1".
func (f *Filter) ExchangeWhere() (string, []any) {
	return f.compile(tExchange)
}

// RopWhere compiles the filter for a query over
// "rops r JOIN exchanges e ON e.id = r.exchange_id": ~rop, ~ec and ~prop
// test the ROP row r, every other atom its exchange e.
func (f *Filter) RopWhere() (string, []any) {
	return f.compile(tRop)
}

// SessionWhere compiles the filter for a query over "sessions s": a
// session matches when one of its exchanges matches, ~sid testing s.id.
// Parts made of ~sid atoms alone are tested on the session directly, so
// "~sid 3" lists session 3 even when it has no exchanges. The SQL uses the
// alias e in its subqueries.
func (f *Filter) SessionWhere() (string, []any) {
	if f.Empty() {
		return "1", nil
	}
	var c compiler
	c.target = tSession
	c.session(f.root)
	return c.b.String(), c.args
}

func (f *Filter) compile(t target) (string, []any) {
	if f.Empty() {
		return "1", nil
	}
	c := compiler{target: t}
	c.node(f.root, false)
	return c.b.String(), c.args
}

type compiler struct {
	target target
	b      strings.Builder
	args   []any
}

// node writes n; paren says n is an operand of a SQL operator and must be
// self-contained.
func (c *compiler) node(n *node, paren bool) {
	switch n.op {
	case opAtom:
		c.atom(n.a)
	case opNot:
		k := n.kids[0]
		if nullable(k, c.target) {
			// NOT NULL is NULL: "!" of an unknown is a match.
			c.b.WriteString("(")
			c.node(k, false)
			c.b.WriteString(") IS NOT TRUE")
			return
		}
		if k.op == opAtom && isExists(k.a, c.target) {
			c.b.WriteString("NOT ")
			c.atom(k.a)
			return
		}
		c.b.WriteString("NOT (")
		c.node(k, false)
		c.b.WriteString(")")
	case opAnd, opOr:
		sep := " AND "
		if n.op == opOr {
			sep = " OR "
		}
		if paren {
			c.b.WriteByte('(')
		}
		for i, k := range n.kids {
			if i > 0 {
				c.b.WriteString(sep)
			}
			c.node(k, true)
		}
		if paren {
			c.b.WriteByte(')')
		}
	}
}

// isExists reports whether a's SQL is an EXISTS (…).
func isExists(a *atom, t target) bool {
	switch a.k {
	case kROP:
		return t != tRop
	case kEC:
		return t != tRop && a.has
	case kProp:
		return t == tRop
	}
	return false
}

// nullable reports whether n's SQL may be NULL.
func nullable(n *node, t target) bool {
	switch n.op {
	case opNot:
		return false
	case opAnd, opOr:
		for _, k := range n.kids {
			if nullable(k, t) {
				return true
			}
		}
		return false
	}
	switch n.a.k {
	case kRT, kCode, kXRC, kComment:
		return true
	case kURL, kHeader, kBody:
		return n.a.exact // instr(NULL, …) is NULL
	case kSID:
		return t != tSession
	case kROP:
		return false // r.rop_id is NOT NULL
	case kEC, kProp:
		return t == tRop && n.a.k == kEC // r.return_value is NULL without a response
	}
	return false
}

func (c *compiler) arg(v any) { c.args = append(c.args, v) }

// atom writes one atom. Every atom's SQL is self-contained (a comparison,
// a function call, EXISTS or parenthesized).
func (c *compiler) atom(a *atom) {
	b := &c.b
	switch a.k {
	case kRT:
		b.WriteString("e.request_type = ? COLLATE NOCASE")
		c.arg(a.text)
	case kROP:
		if c.target == tRop {
			b.WriteString("r.rop_id = ?")
		} else {
			// rops_ropid (rop_id, exchange_id)
			b.WriteString("EXISTS (SELECT 1 FROM rops r2 WHERE r2.exchange_id = e.id AND r2.rop_id = ?)")
		}
		c.arg(a.num)
	case kEC:
		switch {
		case c.target == tRop && !a.has:
			b.WriteString("r.return_value != 0")
		case c.target == tRop:
			b.WriteString("r.return_value = ?")
			c.arg(a.num)
		case !a.has:
			b.WriteString("e.error_count > 0")
		case a.num == 0:
			b.WriteString("EXISTS (SELECT 1 FROM rops r2 WHERE r2.exchange_id = e.id AND r2.return_value = ?)")
			c.arg(a.num)
		default:
			// The "!= 0" lets SQLite use the partial index rops_error
			// (return_value, exchange_id) WHERE return_value != 0.
			b.WriteString("EXISTS (SELECT 1 FROM rops r2 WHERE r2.exchange_id = e.id AND r2.return_value = ? AND r2.return_value != 0)")
			c.arg(a.num)
		}
	case kProp:
		if c.target == tRop {
			// rop_props' primary key (property_id, rop)
			b.WriteString("EXISTS (SELECT 1 FROM rop_props rp WHERE rp.property_id = ? AND rp.rop = r.id)")
		} else {
			b.WriteString(propExchangeSQL)
		}
		c.arg(a.num)
	case kSID:
		if c.target == tSession {
			b.WriteString("s.id = ?")
		} else {
			b.WriteString("e.session_id = ?")
		}
		c.arg(a.num)
	case kCode:
		b.WriteString("e.http_status = ?")
		c.arg(a.num)
	case kXRC:
		b.WriteString("e.x_response_code = ?")
		c.arg(a.num)
	case kURL:
		c.match(a, "e.url", false)
	case kHeader:
		b.WriteByte('(')
		c.match(a, "e.req_headers", false)
		b.WriteString(" OR ")
		c.match(a, "e.resp_headers", false)
		b.WriteByte(')')
	case kBody:
		b.WriteByte('(')
		c.match(a, "e.req_body", true)
		b.WriteString(" OR ")
		c.match(a, "e.resp_body", true)
		b.WriteString(" OR EXISTS (SELECT 1 FROM rops r2 WHERE r2.exchange_id = e.id AND (")
		c.match(a, "r2.request_json", false)
		b.WriteString(" OR ")
		c.match(a, "r2.response_json", false)
		b.WriteString(")))")
	case kAnomaly:
		b.WriteString("e.anomaly_count > 0")
	case kMarked:
		b.WriteString("e.mark IS NOT NULL")
	case kComment:
		b.WriteString("instr(upper(e.comment), upper(?)) > 0")
		c.arg(a.text)
	case kRequest:
		b.WriteString("coalesce(e.http_status, 0) = 0")
	case kResponse:
		b.WriteString("coalesce(e.http_status, 0) != 0")
	}
}

// match writes a regexp test of col, after cheap tests of the literals
// the pattern requires (see literal.go): instr() for exact literals,
// instr() of the folded column for case-folded ones (LIKE is not used: it
// stops at a NUL). A pattern that is a literal needs no regexp(). None of
// the tests is NULL for a row that regexp() could match, and regexp() is
// 0 for NULL, so the conjunction is never NULL; an exact literal's test
// is NULL for NULL, which nullable allows for.
func (c *compiler) match(a *atom, col string, blob bool) {
	b := &c.b
	if len(a.lits) == 0 {
		b.WriteString("regexp(?, " + col + ")")
		c.arg(a.regex)
		return
	}
	if !a.exact {
		b.WriteByte('(')
	}
	for i, l := range a.lits {
		if i > 0 {
			b.WriteString(" AND ")
		}
		switch {
		case l.fold:
			up := strings.ToUpper(l.s)
			b.WriteString("instr(" + folded(col, up) + ", ?) > 0")
			c.arg(up)
		case blob:
			b.WriteString("instr(" + col + ", ?) > 0")
			c.arg([]byte(l.s))
		default:
			b.WriteString("instr(" + col + ", ?) > 0")
			c.arg(l.s)
		}
	}
	if !a.exact {
		b.WriteString(" AND regexp(?, " + col + "))")
		c.arg(a.regex)
	}
}

// propExchangeSQL tests whether an exchange's ROPs name a property id.
// rop_props has no index that starts (property_id, exchange_id), so an
// EXISTS probe per exchange would scan every row of the property; the IN
// list is built once per statement from the primary key's property_id
// prefix instead.
const propExchangeSQL = "e.id IN (SELECT rp.exchange_id FROM rop_props rp WHERE rp.property_id = ?)"

// pureSID reports whether n is made of ~sid atoms alone.
func pureSID(n *node) bool {
	if n.op == opAtom {
		return n.a.k == kSID
	}
	for _, k := range n.kids {
		if !pureSID(k) {
			return false
		}
	}
	return true
}

// session writes n for SessionWhere: "there is an exchange of s that
// matches n", with parts made of ~sid atoms alone taken out of the EXISTS.
func (c *compiler) session(n *node) {
	b := &c.b
	if pureSID(n) {
		c.node(n, true)
		return
	}
	switch n.op {
	case opOr:
		b.WriteByte('(')
		for i, k := range n.kids {
			if i > 0 {
				b.WriteString(" OR ")
			}
			c.session(k)
		}
		b.WriteByte(')')
		return
	case opAnd:
		var rest []*node
		b.WriteByte('(')
		for _, k := range n.kids {
			if pureSID(k) {
				c.node(k, true)
				b.WriteString(" AND ")
			} else {
				rest = append(rest, k)
			}
		}
		c.exists(group(opAnd, rest))
		b.WriteByte(')')
		return
	}
	c.exists(n)
}

func (c *compiler) exists(n *node) {
	c.b.WriteString("EXISTS (SELECT 1 FROM exchanges e WHERE e.session_id = s.id AND ")
	c.node(n, true)
	c.b.WriteByte(')')
}

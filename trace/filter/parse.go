package filter

import (
	"strings"
	"unicode"
)

// Parse parses a filter expression. An empty expression (or whitespace)
// gives a filter that matches everything. Errors are *Error.
func Parse(expr string) (*Filter, error) {
	p := &parser{src: []rune(expr)}
	p.skipSpace()
	if p.eof() {
		return &Filter{}, nil
	}
	root, err := p.parseOr()
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if !p.eof() {
		// parseOr stops only at ")" or the end.
		return nil, p.errf(p.pos, "unbalanced \")\": no \"(\" to close")
	}
	return &Filter{root: root}, nil
}

type parser struct {
	src   []rune
	pos   int
	depth int // open parentheses
}

// maxDepth bounds nesting so that hostile input cannot exhaust the stack.
const maxDepth = 200

func (p *parser) eof() bool { return p.pos >= len(p.src) }

func (p *parser) peek() rune {
	if p.eof() {
		return 0
	}
	return p.src[p.pos]
}

func (p *parser) skipSpace() {
	for !p.eof() && unicode.IsSpace(p.src[p.pos]) {
		p.pos++
	}
}

func (p *parser) errf(pos int, msg string) *Error {
	return &Error{Col: pos + 1, Msg: msg}
}

func (p *parser) parseOr() (*node, error) {
	first, err := p.parseAnd()
	if err != nil {
		return nil, err
	}
	kids := appendFlat(nil, first, opOr)
	for {
		p.skipSpace()
		if p.peek() != '|' {
			break
		}
		p.pos++
		k, err := p.parseOperand("|", p.parseAnd)
		if err != nil {
			return nil, err
		}
		kids = appendFlat(kids, k, opOr)
	}
	return group(opOr, kids), nil
}

func (p *parser) parseAnd() (*node, error) {
	first, err := p.parseUnary()
	if err != nil {
		return nil, err
	}
	kids := appendFlat(nil, first, opAnd)
	for {
		p.skipSpace()
		c := p.peek()
		var k *node
		switch {
		case p.eof() || c == '|' || c == ')':
			return group(opAnd, kids), nil
		case c == '&':
			p.pos++
			k, err = p.parseOperand("&", p.parseUnary)
		default: // juxtaposition
			k, err = p.parseUnary()
		}
		if err != nil {
			return nil, err
		}
		kids = appendFlat(kids, k, opAnd)
	}
}

// parseOperand parses the right operand of a binary operator.
func (p *parser) parseOperand(opName string, parse func() (*node, error)) (*node, error) {
	p.skipSpace()
	if p.eof() {
		return nil, p.errf(p.pos, "expected an expression after \""+opName+"\"")
	}
	return parse()
}

func appendFlat(kids []*node, k *node, o op) []*node {
	if k.op == o {
		return append(kids, k.kids...)
	}
	return append(kids, k)
}

func group(o op, kids []*node) *node {
	if len(kids) == 1 {
		return kids[0]
	}
	return &node{op: o, kids: kids}
}

func (p *parser) parseUnary() (*node, error) {
	p.skipSpace()
	if p.eof() {
		return nil, p.errf(p.pos, "expected an expression")
	}
	start := p.pos
	switch c := p.peek(); c {
	case '!':
		p.pos++
		p.skipSpace()
		if p.eof() {
			return nil, p.errf(p.pos, "expected an expression after \"!\"")
		}
		if p.depth >= maxDepth {
			return nil, p.errf(start, "expression nested too deeply")
		}
		p.depth++
		k, err := p.parseUnary()
		p.depth--
		if err != nil {
			return nil, err
		}
		if k.op == opNot { // !!a is a
			return k.kids[0], nil
		}
		return &node{op: opNot, kids: []*node{k}}, nil
	case '(':
		if p.depth >= maxDepth {
			return nil, p.errf(start, "expression nested too deeply")
		}
		p.pos++
		p.skipSpace()
		if p.peek() == ')' {
			return nil, p.errf(start, "empty parentheses")
		}
		if p.eof() {
			return nil, p.errf(start, "unclosed \"(\"")
		}
		p.depth++
		k, err := p.parseOr()
		p.depth--
		if err != nil {
			return nil, err
		}
		p.skipSpace()
		if p.peek() != ')' {
			return nil, p.errf(start, "unclosed \"(\"")
		}
		p.pos++
		return k, nil
	case ')':
		return nil, p.errf(start, "expected an expression before \")\"")
	case '&', '|':
		return nil, p.errf(start, "expected an expression before \""+string(c)+"\"")
	case '~':
		return p.parseAtom()
	default: // a bare word is ~u word
		v, err := p.value(textValue)
		if err != nil {
			return nil, err
		}
		a, err := makeAtom(kURL, v, true, start+1)
		if err != nil {
			return nil, err
		}
		return &node{op: opAtom, a: a}, nil
	}
}

// nameEnd reports whether r ends an atom's name.
func nameEnd(r rune) bool {
	return unicode.IsSpace(r) || strings.ContainsRune("()&|!~\"'", r)
}

func (p *parser) parseAtom() (*node, error) {
	start := p.pos
	p.pos++ // ~
	for !p.eof() && !nameEnd(p.src[p.pos]) {
		p.pos++
	}
	name := string(p.src[start+1 : p.pos])
	k, ok := lookupAtom(name)
	if !ok {
		return nil, p.errf(start, "unknown atom \"~"+name+"\" (known: "+strings.Join(Atoms, " ")+")")
	}
	mode := specs[k].mode
	var v string
	has := false
	valueAt := p.pos
	if mode != noValue {
		save := p.pos
		p.skipSpace()
		valueAt = p.pos
		if mode == optionalValue && !p.valueStarts(mode) {
			p.pos = save
		} else {
			if !p.valueStarts(mode) {
				return nil, p.errf(p.pos, "~"+name+" needs a value ("+specs[k].what+")")
			}
			var err error
			if v, err = p.value(mode); err != nil {
				return nil, err
			}
			has = true
		}
	}
	a, err := makeAtom(k, v, has, valueAt+1)
	if err != nil {
		return nil, err
	}
	return &node{op: opAtom, a: a}, nil
}

// valueStarts reports whether a value of that mode starts at the
// position.
func (p *parser) valueStarts(mode valueMode) bool {
	if p.eof() {
		return false
	}
	c := p.peek()
	return !strings.ContainsRune(")&|!~", c) && (mode == textValue || c != '(')
}

// value reads a quoted or unquoted value at the position.
func (p *parser) value(mode valueMode) (string, error) {
	start := p.pos
	if q := p.peek(); q == '"' || q == '\'' {
		p.pos++
		var b strings.Builder
		for !p.eof() {
			r := p.src[p.pos]
			p.pos++
			switch {
			case r == q:
				return b.String(), nil
			case r == '\\' && !p.eof() && (p.src[p.pos] == q || p.src[p.pos] == '\\'):
				b.WriteRune(p.src[p.pos])
				p.pos++
			default:
				b.WriteRune(r)
			}
		}
		return "", p.errf(start, "unterminated quoted value")
	}
	n, _ := unquotedLen(p.src[start:], mode)
	p.pos = start + n
	return string(p.src[start:p.pos]), nil
}

// unquotedLen returns the length of the unquoted value at the start of s,
// and whether it ends cleanly: with its parentheses balanced and not in a
// backslash, so that a ")" may follow it.
func unquotedLen(s []rune, mode valueMode) (n int, clean bool) {
	depth := 0
	escaped := false
	for i := 0; i < len(s); i++ {
		r := s[i]
		if unicode.IsSpace(r) {
			return i, depth == 0
		}
		if mode != textValue {
			if strings.ContainsRune("()&|!~", r) {
				return i, true
			}
			continue
		}
		escaped = false
		switch r {
		case '\\':
			if i+1 < len(s) && !unicode.IsSpace(s[i+1]) {
				i++
			} else {
				escaped = true
			}
		case '(':
			depth++
		case ')':
			if depth == 0 {
				return i, true
			}
			depth--
		}
	}
	return len(s), depth == 0 && !escaped
}

// unquotedOK reports whether v reads back as itself unquoted in a value
// position followed by whitespace, ")" or the end.
func unquotedOK(v string, mode valueMode) bool {
	s := []rune(v)
	if len(s) == 0 || strings.ContainsRune(")&|!~\"'", s[0]) {
		return false
	}
	n, clean := unquotedLen(s, mode)
	return n == len(s) && clean
}

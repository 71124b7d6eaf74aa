package wire

import (
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
)

// Kind says what a Node holds.
type Kind uint8

const (
	KindValue  Kind = iota // a leaf with a Value
	KindStruct             // named children
	KindArray              // ordered children, names ignored in JSON
)

// Node is one decoded field with the bytes it covers. Offsets are absolute
// within the outermost buffer. Value is nil, bool, uint64, int64, float64,
// string or []byte.
type Node struct {
	Name     string
	Off, Len int
	Kind     Kind
	Value    any
	Sym      string // symbolic name of the value (ROP name, tag name, flags)
	Hex      bool   // show the number in hexadecimal
	Derived  bool   // computed from other fields; covers no bytes of its own
	Alias    bool   // a second JSON name for a sibling (shown once in text)
	// Prop is the property tag the node is about: the tag itself for a
	// PropertyTag field, the column for a row cell, the tag of a tagged
	// value. 0 when none. (The trace indexes it for ~prop filters.)
	Prop uint32
	// Data, when set, is the buffer that this subtree's offsets refer to
	// (a decompressed payload), instead of the outermost input.
	Data     []byte
	Children []*Node
}

func (c *Codec) top() *Node { return c.stack[len(c.stack)-1] }

func (c *Codec) leaf(name string, n int, v any) {
	nd := &Node{Name: name, Off: c.base + c.off - n, Len: n, Value: v}
	t := c.top()
	t.Children = append(t.Children, nd)
	c.last = nd
}

// Begin opens a struct node (no-op when spans are off).
func (c *Codec) Begin(name string) {
	if c.tree == nil {
		return
	}
	c.open(name, KindStruct)
}

// BeginArray opens an array node.
func (c *Codec) BeginArray(name string) {
	if c.tree == nil {
		return
	}
	c.open(name, KindArray)
}

func (c *Codec) open(name string, k Kind) {
	nd := &Node{Name: name, Kind: k, Off: c.base + c.off}
	t := c.top()
	t.Children = append(t.Children, nd)
	c.stack = append(c.stack, nd)
	c.last = nil
}

// End closes the node opened last and fixes its length.
func (c *Codec) End() {
	if c.tree == nil || len(c.stack) < 2 {
		return
	}
	nd := c.top()
	nd.Len = c.base + c.off - nd.Off
	c.stack = c.stack[:len(c.stack)-1]
	c.last = nd
}

// Hex marks the last leaf for hexadecimal display.
func (c *Codec) Hex() *Codec {
	if c.last != nil {
		c.last.Hex = true
	}
	return c
}

// Named gives the last leaf a symbolic name computed from its value.
func (c *Codec) Named(f func(uint64) string) *Codec {
	if c.tree == nil || c.last == nil {
		return c
	}
	switch v := c.last.Value.(type) {
	case uint64:
		c.last.Sym = f(v)
	case int64:
		c.last.Sym = f(uint64(v))
	}
	return c
}

// Sym sets the symbolic name of the last node.
func (c *Codec) Sym(s string) {
	if c.last != nil {
		c.last.Sym = s
	}
}

// SetTitle sets the symbolic name of the innermost open node, e.g. the ROP
// name on a ROP struct once its RopId is known.
func (c *Codec) SetTitle(s string) {
	if c.tree == nil {
		return
	}
	c.top().Sym = s
}

// Derive adds a leaf that covers no bytes of its own: a value computed from
// fields already read (PropertyId beside PropertyTag, say).
func (c *Codec) Derive(name string, v any, hex bool, sym string) {
	if c.tree == nil {
		return
	}
	off, ln := c.base+c.off, 0
	if c.last != nil {
		off, ln = c.last.Off, c.last.Len
	}
	nd := &Node{Name: name, Off: off, Len: ln, Value: v, Hex: hex, Sym: sym, Derived: true}
	t := c.top()
	t.Children = append(t.Children, nd)
}

// Last returns the most recent leaf or closed node (nil when spans are off).
func (c *Codec) Last() *Node { return c.last }

// Child returns the first child with the given name.
func (n *Node) Child(name string) *Node {
	if n == nil {
		return nil
	}
	for _, ch := range n.Children {
		if ch.Name == name {
			return ch
		}
	}
	return nil
}

// Find returns the deepest node covering absolute offset off, for the hex
// view's "move in the bytes, select the field".
func (n *Node) Find(off int) *Node {
	if n == nil || off < n.Off || off >= n.Off+n.Len {
		return nil
	}
	for _, ch := range n.Children {
		if ch.Derived {
			continue
		}
		if f := ch.Find(off); f != nil {
			return f
		}
	}
	return n
}

// Walk calls f for n and every descendant, depth first, with the dotted path.
func (n *Node) Walk(f func(path string, nd *Node)) {
	var rec func(p string, nd *Node)
	rec = func(p string, nd *Node) {
		f(p, nd)
		for i, ch := range nd.Children {
			name := ch.Name
			if nd.Kind == KindArray || name == "" {
				name = "[" + strconv.Itoa(i) + "]"
			}
			cp := name
			if p != "" {
				cp = p + "." + name
			}
			rec(cp, ch)
		}
	}
	rec("", n)
}

// ---- JSON ----

// JSONOptions controls JSON rendering.
type JSONOptions struct {
	// Spans writes every leaf as {"value", "offset", "length"}; otherwise a
	// leaf is a plain value unless it has a symbolic name.
	Spans  bool
	Indent string
}

// JSON renders n as JSON: structs as objects with fields in wire order,
// arrays as arrays, numbers as JSON numbers, byte strings as lowercase hex.
func (n *Node) JSON(o JSONOptions) []byte {
	var b strings.Builder
	writeJSON(&b, n, o, 0)
	b.WriteByte('\n')
	return []byte(b.String())
}

func writeJSON(b *strings.Builder, n *Node, o JSONOptions, depth int) {
	nl := func(d int) {
		if o.Indent == "" {
			return
		}
		b.WriteByte('\n')
		for range d {
			b.WriteString(o.Indent)
		}
	}
	sep := ":"
	if o.Indent != "" {
		sep = ": "
	}
	switch n.Kind {
	case KindStruct:
		b.WriteByte('{')
		seen := map[string]bool{}
		first := true
		for _, ch := range n.Children {
			if ch.Name == "" || seen[ch.Name] {
				continue
			}
			seen[ch.Name] = true
			if !first {
				b.WriteByte(',')
			}
			first = false
			nl(depth + 1)
			b.WriteString(strconv.Quote(ch.Name))
			b.WriteString(sep)
			writeJSON(b, ch, o, depth+1)
		}
		if !first {
			nl(depth)
		}
		b.WriteByte('}')
	case KindArray:
		b.WriteByte('[')
		for i, ch := range n.Children {
			if i > 0 {
				b.WriteByte(',')
			}
			nl(depth + 1)
			writeJSON(b, ch, o, depth+1)
		}
		if len(n.Children) > 0 {
			nl(depth)
		}
		b.WriteByte(']')
	default:
		if n.Sym == "" && !o.Spans {
			writeScalar(b, n.Value)
			return
		}
		isep := ","
		if o.Indent != "" {
			isep = ", "
		}
		b.WriteString(`{"value"`)
		b.WriteString(sep)
		writeScalar(b, n.Value)
		if n.Sym != "" {
			b.WriteString(isep + `"name"`)
			b.WriteString(sep)
			b.WriteString(quoteJSON(n.Sym))
		}
		b.WriteString(isep + `"offset"`)
		b.WriteString(sep)
		b.WriteString(strconv.Itoa(n.Off))
		b.WriteString(isep + `"length"`)
		b.WriteString(sep)
		b.WriteString(strconv.Itoa(n.Len))
		b.WriteByte('}')
	}
}

func writeScalar(b *strings.Builder, v any) {
	switch x := v.(type) {
	case nil:
		b.WriteString("null")
	case bool:
		b.WriteString(strconv.FormatBool(x))
	case uint64:
		b.WriteString(strconv.FormatUint(x, 10))
	case int64:
		b.WriteString(strconv.FormatInt(x, 10))
	case float64:
		if x != x || x > 1.7e308 || x < -1.7e308 {
			b.WriteString(strconv.Quote(strconv.FormatFloat(x, 'g', -1, 64)))
			return
		}
		b.WriteString(strconv.FormatFloat(x, 'g', -1, 64))
	case string:
		b.WriteString(quoteJSON(x))
	case []byte:
		b.WriteByte('"')
		b.WriteString(hex.EncodeToString(x))
		b.WriteByte('"')
	default:
		b.WriteString(quoteJSON(fmt.Sprint(x)))
	}
}

// quoteJSON quotes s as a JSON string (strconv.Quote escapes differ from
// JSON for some control characters).
func quoteJSON(s string) string {
	plain := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' || c >= 0x80 {
			plain = false
			break
		}
	}
	if plain {
		return `"` + s + `"`
	}
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x2028 || r == 0x2029:
			fmt.Fprintf(&b, `\u%04x`, r)
		case r == 0xFFFD:
			b.WriteString(`\ufffd`)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// ---- text ----

// Text renders n as an indented tree, one field a line:
//
//	RopOpenFolder request [0+12]
//	  RopId: 0x02 (RopOpenFolder)
func (n *Node) Text() string {
	var b strings.Builder
	writeText(&b, n, 0, "")
	return b.String()
}

func writeText(b *strings.Builder, n *Node, depth int, label string) {
	ind := strings.Repeat("  ", depth)
	name := n.Name
	if label != "" {
		name = label
	}
	switch n.Kind {
	case KindStruct, KindArray:
		if n.Alias {
			return
		}
		b.WriteString(ind)
		b.WriteString(name)
		if n.Sym != "" {
			b.WriteString(" (" + n.Sym + ")")
		}
		if n.Kind == KindArray {
			fmt.Fprintf(b, " [%d]", len(n.Children))
		}
		fmt.Fprintf(b, "  @%d+%d\n", n.Off, n.Len)
		for i, ch := range n.Children {
			l := ""
			if n.Kind == KindArray || ch.Name == "" {
				l = "[" + strconv.Itoa(i) + "]"
				if ch.Name != "" {
					l += " " + ch.Name
				}
			}
			writeText(b, ch, depth+1, l)
		}
	default:
		if n.Alias {
			return
		}
		b.WriteString(ind)
		b.WriteString(name)
		b.WriteString(": ")
		b.WriteString(FormatValue(n))
		b.WriteByte('\n')
	}
}

// FormatValue renders a leaf's value for people: hex where marked, the
// symbolic name in parentheses, byte strings as hex (long ones cut).
func FormatValue(n *Node) string {
	var s string
	switch x := n.Value.(type) {
	case nil:
		s = "null"
	case uint64:
		if n.Hex {
			w := n.Len * 2
			if w < 2 || w > 16 {
				w = 2
			}
			s = fmt.Sprintf("0x%0*X", w, x)
		} else {
			s = strconv.FormatUint(x, 10)
		}
	case int64:
		s = strconv.FormatInt(x, 10)
	case float64:
		s = strconv.FormatFloat(x, 'g', -1, 64)
	case bool:
		s = strconv.FormatBool(x)
	case string:
		if n.Hex {
			s = x
		} else {
			s = strconv.Quote(x)
		}
	case []byte:
		if len(x) == 0 {
			s = "(empty)"
		} else if len(x) > 64 {
			s = hex.EncodeToString(x[:64]) + fmt.Sprintf("… (%d bytes)", len(x))
		} else {
			s = hex.EncodeToString(x)
		}
	default:
		s = fmt.Sprint(x)
	}
	if n.Sym != "" {
		s += " (" + n.Sym + ")"
	}
	return s
}

// FormatGUID renders 16 bytes in the standard mixed-endian GUID form.
func FormatGUID(g [16]byte) string {
	return fmt.Sprintf("%08x-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		uint32(g[3])<<24|uint32(g[2])<<16|uint32(g[1])<<8|uint32(g[0]),
		uint16(g[5])<<8|uint16(g[4]), uint16(g[7])<<8|uint16(g[6]),
		g[8], g[9], g[10], g[11], g[12], g[13], g[14], g[15])
}

// ParseGUID parses the standard GUID form (braces optional).
func ParseGUID(s string) ([16]byte, error) {
	var g [16]byte
	s = strings.Trim(s, "{}")
	h := strings.ReplaceAll(s, "-", "")
	if len(h) != 32 || len(s) != 36 {
		return g, fmt.Errorf("bad GUID %q", s)
	}
	raw, err := hex.DecodeString(h)
	if err != nil {
		return g, fmt.Errorf("bad GUID %q", s)
	}
	g[0], g[1], g[2], g[3] = raw[3], raw[2], raw[1], raw[0]
	g[4], g[5] = raw[5], raw[4]
	g[6], g[7] = raw[7], raw[6]
	copy(g[8:], raw[8:])
	return g, nil
}

// DropLast removes the most recent leaf from the open container: a count
// folded into the array that follows it, say. It returns the removed node.
func (c *Codec) DropLast() *Node {
	if c.tree == nil {
		return nil
	}
	t := c.top()
	if len(t.Children) == 0 {
		return nil
	}
	nd := t.Children[len(t.Children)-1]
	t.Children = t.Children[:len(t.Children)-1]
	c.last = nil
	return nd
}

// Extend widens the last closed node backwards to start at off (absolute),
// to cover a prefix such as a dropped count.
func (c *Codec) Extend(off int) {
	if c.last == nil {
		return
	}
	c.last.Len += c.last.Off - off
	c.last.Off = off
}

// Flag is one named bit (or bit group) of a flags field.
type Flag struct {
	Mask uint64
	Name string
}

// Flags returns a namer that lists the set flags joined by "|", with any
// unnamed remainder in hex; zero is named by the entry with Mask 0, if any.
func Flags(table ...Flag) func(uint64) string {
	return func(v uint64) string {
		if v == 0 {
			for _, f := range table {
				if f.Mask == 0 {
					return f.Name
				}
			}
			return ""
		}
		s, rest := "", v
		for _, f := range table {
			if f.Mask != 0 && v&f.Mask == f.Mask && rest&f.Mask != 0 {
				if s != "" {
					s += "|"
				}
				s += f.Name
				rest &^= f.Mask
			}
		}
		if rest != 0 {
			if s != "" {
				s += "|"
			}
			s += "0x" + strconv.FormatUint(rest, 16)
		}
		return s
	}
}

// Enum returns a namer for a value that is one of a list.
func Enum(table ...Flag) func(uint64) string {
	return func(v uint64) string {
		for _, f := range table {
			if f.Mask == v {
				return f.Name
			}
		}
		return ""
	}
}

// Alias adds, beside the last closed node, a JSON alias under another name
// sharing its content (the text view shows the node once).
func (c *Codec) Alias(name string) {
	if c.tree == nil || c.last == nil {
		return
	}
	cp := *c.last
	cp.Name = name
	cp.Alias = true
	t := c.top()
	t.Children = append(t.Children, &cp)
}

// SetProp records on the last node the property tag it is about.
func (c *Codec) SetProp(tag uint32) {
	if c.last != nil {
		c.last.Prop = tag
	}
}

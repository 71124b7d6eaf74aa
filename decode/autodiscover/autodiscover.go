// Package autodiscover reads, rewrites and builds the Autodiscover "POX"
// (plain old XML) documents Outlook exchanges with an Exchange-compatible
// server before it speaks MAPI over HTTP — [MS-OXDSCLI] section 2.2: the
// request (schema outlook/requestschema/2006), the response
// (responseschema/2006 wrapping outlook/responseschema/2006a), the error
// response, and the X-MapiHttpCapability, X-ClientCanHandle and
// X-AnchorMailbox headers.
//
// A Document keeps the bytes it was parsed from together with an element
// tree that knows each element's byte span. Everything the package does not
// know (unknown elements, comments, formatting, namespace prefixes) is
// therefore kept as it was: Marshal gives back the input bytes, and the
// rewriters (RewriteURLs, RewriteServers, Rewrite) splice new text into the
// spans of the elements they change and leave every other byte alone. The
// typed view (Request, Response, Account, Protocol, …) is read from the
// element tree after each parse.
//
// Element names are matched by local name, ignoring case and namespace, as
// clients do: a document with a stray namespace still reads, and Check
// reports the namespace as an anomaly.
package autodiscover

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// Namespaces — [MS-OXDSCLI] 2.2.3 (request) and 2.2.4 (response).
const (
	// RequestSchema is the namespace of the POX request.
	RequestSchema = "http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006"
	// ResponseSchema is the namespace of the Autodiscover element of every
	// response, and of the Response element of an error response.
	ResponseSchema = "http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006"
	// OutlookResponseSchema (2006a) is the namespace of the Response element
	// of a settings or redirect response, and the value Outlook sends in
	// AcceptableResponseSchema.
	OutlookResponseSchema = "http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a"
	// MobileSyncResponseSchema is the ActiveSync variant ([MS-ASCMD]);
	// recognised so that such a response is named, not decoded.
	MobileSyncResponseSchema = "http://schemas.microsoft.com/exchange/autodiscover/mobilesync/responseschema/2006"
)

// Limits on what Parse accepts. Autodiscover documents are a few kilobytes
// and a handful of levels deep; the limits keep a hostile body from costing
// more than a bounded amount of memory and time.
const (
	MaxDocumentSize = 1 << 20 // bytes
	MaxDepth        = 64      // element nesting
	MaxElements     = 20000
)

// ErrTooLarge is returned (wrapped) for a document over MaxDocumentSize.
var ErrTooLarge = errors.New("autodiscover: document too large")

// ErrNotAutodiscover is returned (wrapped) when the XML is well formed but
// its root element is not Autodiscover.
var ErrNotAutodiscover = errors.New("autodiscover: root element is not Autodiscover")

// SyntaxError is a document that is not well-formed XML (or breaks a
// limit), with the byte offset where reading stopped.
type SyntaxError struct {
	Offset int
	Err    error
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("autodiscover: offset %d: %v", e.Offset, e.Err)
}

func (e *SyntaxError) Unwrap() error { return e.Err }

// Kind says what a document is.
type Kind uint8

const (
	KindUnknown  Kind = iota // an Autodiscover root with neither Request nor Response
	KindRequest              // Autodiscover/Request
	KindResponse             // Autodiscover/Response
)

func (k Kind) String() string {
	switch k {
	case KindRequest:
		return "request"
	case KindResponse:
		return "response"
	}
	return "unknown"
}

// Element is one XML element with its byte span in the document.
type Element struct {
	// Name is the element name; Space is the namespace URL after prefix
	// resolution (or the bare prefix when it is undeclared).
	Name xml.Name
	Attr []xml.Attr
	// Text is the character data directly inside the element (CDATA
	// included, comments excluded), entities decoded, not trimmed.
	Text     string
	Children []*Element
	Parent   *Element
	Depth    int // 0 for the root

	// Start and End delimit the element (start tag to end of end tag);
	// ContentStart and ContentEnd delimit what lies between the tags
	// (equal for an empty element).
	Start, End               int
	ContentStart, ContentEnd int
	// SelfClosing is true for <Name/>.
	SelfClosing bool
}

// Is reports whether the element's local name is name (case-insensitive).
func (e *Element) Is(name string) bool { return e != nil && strings.EqualFold(e.Name.Local, name) }

// Value returns the element's text with surrounding whitespace removed.
func (e *Element) Value() string {
	if e == nil {
		return ""
	}
	return strings.TrimSpace(e.Text)
}

// Child returns the first child element with the given local name.
func (e *Element) Child(name string) *Element {
	if e == nil {
		return nil
	}
	for _, c := range e.Children {
		if c.Is(name) {
			return c
		}
	}
	return nil
}

// ChildValue returns the trimmed text of the first child named name.
func (e *Element) ChildValue(name string) string { return e.Child(name).Value() }

// ChildrenNamed returns every child element with the given local name.
func (e *Element) ChildrenNamed(name string) []*Element {
	if e == nil {
		return nil
	}
	var out []*Element
	for _, c := range e.Children {
		if c.Is(name) {
			out = append(out, c)
		}
	}
	return out
}

// AttrValue returns the value of the attribute with the given local name
// (case-insensitive, any namespace except xmlns declarations).
func (e *Element) AttrValue(name string) (string, bool) {
	if e == nil {
		return "", false
	}
	for _, a := range e.Attr {
		if a.Name.Space == "xmlns" || (a.Name.Space == "" && a.Name.Local == "xmlns") {
			continue
		}
		if strings.EqualFold(a.Name.Local, name) {
			return a.Value, true
		}
	}
	return "", false
}

// Path returns the slash-separated local names from the root.
func (e *Element) Path() string {
	if e == nil {
		return ""
	}
	if e.Parent == nil {
		return e.Name.Local
	}
	return e.Parent.Path() + "/" + e.Name.Local
}

// Walk calls f for e and every descendant, depth first, in document order.
func (e *Element) Walk(f func(*Element)) {
	if e == nil {
		return
	}
	f(e)
	for _, c := range e.Children {
		c.Walk(f)
	}
}

// Document is a parsed Autodiscover document: the bytes, the element tree
// and the typed view.
type Document struct {
	raw  []byte
	Root *Element
	Kind Kind
	// Request is set for a request, Response for a response.
	Request  *Request
	Response *Response
}

// Bytes returns the document's current bytes (shared; do not modify).
func (d *Document) Bytes() []byte { return d.raw }

// Marshal returns the document's bytes: the input, byte for byte, with the
// changes the rewriters made.
func (d *Document) Marshal() ([]byte, error) {
	if d == nil || d.Root == nil {
		return nil, errors.New("autodiscover: marshal of an empty document")
	}
	return bytes.Clone(d.raw), nil
}

// Parse reads an Autodiscover request or response. It refuses documents
// over MaxDocumentSize, XML that is not well formed, and a root element
// other than Autodiscover; it never panics.
func Parse(b []byte) (*Document, error) {
	d, err := parseXML(b)
	if err != nil {
		return nil, err
	}
	if !d.Root.Is("Autodiscover") {
		return nil, fmt.Errorf("%w (it is <%s>)", ErrNotAutodiscover, d.Root.Name.Local)
	}
	return d, nil
}

// parseXML reads any well-formed XML document into a Document (typed view
// filled only when the root is Autodiscover).
func parseXML(b []byte) (*Document, error) {
	if len(b) > MaxDocumentSize {
		return nil, fmt.Errorf("%w: %d bytes, the limit is %d", ErrTooLarge, len(b), MaxDocumentSize)
	}
	dec := xml.NewDecoder(bytes.NewReader(b))
	dec.Strict = true
	dec.CharsetReader = charsetReader
	var (
		root  *Element
		stack []*Element
		texts [][]byte
		prev  int
		count int
	)
	fail := func(off int, format string, args ...any) (*Document, error) {
		return nil, &SyntaxError{Offset: off, Err: fmt.Errorf(format, args...)}
	}
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			var se *xml.SyntaxError
			if errors.As(err, &se) {
				err = errors.New(se.Msg)
			}
			return nil, &SyntaxError{Offset: int(dec.InputOffset()), Err: err}
		}
		off := int(dec.InputOffset())
		switch t := tok.(type) {
		case xml.StartElement:
			if root != nil && len(stack) == 0 {
				return fail(prev, "a second root element <%s>", t.Name.Local)
			}
			count++
			if count > MaxElements {
				return fail(prev, "more than %d elements", MaxElements)
			}
			if len(stack) >= MaxDepth {
				return fail(prev, "elements nested more than %d deep", MaxDepth)
			}
			if a, ok := repeatedAttr(t.Attr); ok {
				return fail(prev, "attribute %s repeated on <%s>", a.Local, t.Name.Local)
			}
			e := &Element{Name: t.Name, Attr: append([]xml.Attr(nil), t.Attr...),
				Start: prev, ContentStart: off, Depth: len(stack)}
			e.SelfClosing = off >= 2 && off <= len(b) && string(b[off-2:off]) == "/>"
			if len(stack) > 0 {
				p := stack[len(stack)-1]
				e.Parent = p
				p.Children = append(p.Children, e)
			} else {
				root = e
			}
			stack = append(stack, e)
			texts = append(texts, nil)
		case xml.EndElement:
			if len(stack) == 0 { // the decoder reports this itself; belt and braces
				return fail(prev, "unexpected end element </%s>", t.Name.Local)
			}
			e := stack[len(stack)-1]
			e.ContentEnd, e.End = prev, off
			if e.SelfClosing {
				e.ContentEnd = e.ContentStart
			}
			e.Text = string(texts[len(texts)-1])
			stack = stack[:len(stack)-1]
			texts = texts[:len(texts)-1]
		case xml.CharData:
			if len(stack) > 0 {
				texts[len(texts)-1] = append(texts[len(texts)-1], t...)
			} else if s := strings.TrimLeft(string(t), " \t\r\n\ufeff"); s != "" {
				return fail(prev, "text outside the root element")
			}
		case xml.Directive:
			if len(stack) > 0 {
				return fail(prev, "a <!%s> directive inside an element", firstWord(t))
			}
		}
		prev = off
	}
	if root == nil {
		return fail(prev, "no root element")
	}
	if len(stack) > 0 {
		return fail(prev, "unexpected end of input inside <%s>", stack[len(stack)-1].Name.Local)
	}
	d := &Document{raw: b, Root: root}
	if root.Is("Autodiscover") {
		d.fill()
	}
	return d, nil
}

// repeatedAttr finds an attribute name given twice (not well-formed XML).
func repeatedAttr(attrs []xml.Attr) (xml.Name, bool) {
	if len(attrs) <= 8 {
		for i, a := range attrs {
			for _, o := range attrs[:i] {
				if o.Name == a.Name {
					return a.Name, true
				}
			}
		}
		return xml.Name{}, false
	}
	seen := make(map[xml.Name]bool, len(attrs))
	for _, a := range attrs {
		if seen[a.Name] {
			return a.Name, true
		}
		seen[a.Name] = true
	}
	return xml.Name{}, false
}

func firstWord(b []byte) string {
	s := string(b)
	if i := strings.IndexAny(s, " \t\r\n["); i >= 0 {
		s = s[:i]
	}
	if len(s) > 20 {
		s = s[:20]
	}
	return s
}

// charsetReader accepts the ASCII-compatible labels whose bytes need no
// conversion (so offsets stay offsets into the input); encoding/xml itself
// handles UTF-8.
func charsetReader(label string, in io.Reader) (io.Reader, error) {
	switch strings.ToLower(strings.TrimSpace(label)) {
	case "us-ascii", "ascii", "utf8":
		return in, nil
	}
	return nil, fmt.Errorf("unsupported encoding %q (only UTF-8 is read)", label)
}

// escapeText escapes s for use as element content: the markup characters,
// CR (so it survives end-of-line normalisation), and characters XML cannot
// hold (replaced by U+FFFD).
func escapeText(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		i += n
		switch {
		case r == '&':
			b.WriteString("&amp;")
		case r == '<':
			b.WriteString("&lt;")
		case r == '>':
			b.WriteString("&gt;")
		case r == '\r':
			b.WriteString("&#xD;")
		case r == utf8.RuneError && n == 1, !xmlChar(r):
			b.WriteRune('\uFFFD')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// escapeAttr escapes s for a double-quoted attribute value.
func escapeAttr(s string) string {
	t := escapeText(s)
	if !strings.ContainsAny(t, "\"\t\n") {
		return t
	}
	r := strings.NewReplacer(`"`, "&quot;", "\t", "&#x9;", "\n", "&#xA;")
	return r.Replace(t)
}

// xmlChar reports whether r may appear in an XML 1.0 document.
func xmlChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D ||
		r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD ||
		r >= 0x10000 && r <= 0x10FFFF
}

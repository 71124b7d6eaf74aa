package fxics

import (
	"fmt"
	"sort"

	"github.com/mapiscope/mapiscope/decode/wire"
)

// Options configure a Decoder.
type Options struct {
	// Root is the stream's root (RopSynchronizationConfigure contents →
	// RootContentsSync, hierarchy → RootHierarchySync,
	// RopSynchronizationGetTransferState → RootState, RopFastTransferSource-
	// CopyTo on a message → RootMessageContent, ...); RootUnknown guesses.
	Root    Root
	Lexer   LexerOptions
	Discard bool // see ParserOptions.Discard
}

// Decoder is a Lexer and a Parser together: feed it the TransferBuffer of
// each RopFastTransferSourceGetBuffer response of one FastTransfer
// context, in order, and it grows the element tree.
type Decoder struct {
	lx *Lexer
	p  *Parser
}

// NewDecoder returns a decoder at stream offset 0.
func NewDecoder(o Options) *Decoder {
	return &Decoder{lx: NewLexer(o.Lexer), p: NewParser(ParserOptions{Root: o.Root, Discard: o.Discard})}
}

// Feed decodes the next piece of the stream (b is copied as needed).
func (d *Decoder) Feed(b []byte) {
	d.lx.Feed(b)
	d.p.Push(d.lx.Atoms())
}

// Close ends the stream.
func (d *Decoder) Close() {
	d.lx.Close()
	d.p.Push(d.lx.Atoms())
	d.p.Close()
}

// Root returns the element tree so far (nil while the root is guessed).
func (d *Decoder) Root() *Element { return d.p.Root() }

// Completed returns the root's children completed since the last call (and
// the root itself once it ends).
func (d *Decoder) Completed() []*Element { return d.p.Completed() }

// Done reports that the root element has ended.
func (d *Decoder) Done() bool { return d.p.Done() }

// Offset returns the number of stream bytes fed.
func (d *Decoder) Offset() int64 { return d.lx.Offset() }

// Anomalies returns the lexical and syntactic anomalies so far, by offset.
func (d *Decoder) Anomalies() []wire.Anomaly {
	return mergeAnomalies(d.lx.Anomalies(), d.p.Anomalies())
}

// Node returns the span tree of the elements so far.
func (d *Decoder) Node() *wire.Node { return d.p.Root().Node() }

func mergeAnomalies(lists ...[]wire.Anomaly) []wire.Anomaly {
	var out []wire.Anomaly
	for _, l := range lists {
		out = append(out, l...)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Offset < out[j].Offset })
	return out
}

// DecodeStream decodes a complete FastTransfer stream held in b (the
// elements reference b). With spans it also returns the span tree. The
// returned element is never nil: an empty stream of unknown root gives an
// element of KindUnknown.
func DecodeStream(b []byte, root Root, spans bool) (*Element, *wire.Node, []wire.Anomaly) {
	l := NewLexer(LexerOptions{})
	p := NewParser(ParserOptions{Root: root})
	// Lex in chunks so that the atom slices stay small; the atoms still
	// reference b.
	const chunk = 256 << 10
	for i := 0; i < len(b); i += chunk {
		l.feed(b[i:min(i+chunk, len(b))], false)
		p.Push(l.Atoms())
	}
	l.Close()
	p.Push(l.Atoms())
	p.Close()
	e := p.Root()
	if e == nil {
		e = &Element{Kind: KindUnknown}
	}
	var n *wire.Node
	if spans {
		n = e.Node()
		// Bytes the lexer could not cut into atoms (a truncated last atom,
		// or everything after a lexical error) still get a span.
		if end := int(e.Len); end < len(b) {
			rest := b[end:]
			items := n.Child("items")
			if n.Kind != wire.KindStruct || items == nil {
				n = &wire.Node{Name: e.Kind.String(), Kind: wire.KindStruct, Children: []*wire.Node{n}}
				items = n
			}
			items.Children = append(items.Children, &wire.Node{Name: "unlexed", Off: end, Len: len(rest),
				Value: rest, Sym: fmt.Sprintf("%d bytes not lexed", len(rest))})
			n.Len, items.Len = len(b), len(b)
		}
	}
	return e, n, mergeAnomalies(l.Anomalies(), p.Anomalies())
}

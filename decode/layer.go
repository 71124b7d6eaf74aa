// Package decode is the entry point to mapiscope's codecs: named layers that
// turn bytes into a decoded tree (for `mapiscope decode`, the trace and the
// TUI), and Session, the per-MAPI-session decoding context.
package decode

import (
	"fmt"
	"sort"
	"strings"

	"github.com/mapiscope/mapiscope/decode/prop"
	"github.com/mapiscope/mapiscope/decode/rop"
	"github.com/mapiscope/mapiscope/decode/wire"
)

// Options are the inputs a layer may need beyond the bytes.
type Options struct {
	// Columns is the column set (or requested tags) a structure cannot
	// know from its own bytes; HasColumns says it was given.
	Columns    []prop.Tag
	HasColumns bool
	// Type is the request type for layers that need it (NSPI bodies).
	Type string
	// Spans records the decoded tree with offsets (always on for the CLI).
	Spans bool
}

// Result is a decoded input.
type Result struct {
	Layer     string
	Tree      *wire.Node
	Anomalies []wire.Anomaly
	// Value is the typed structure (a *rop.RequestBuffer, say), when the
	// layer has one.
	Value any
	// Consumed is how many input bytes the layer read.
	Consumed int
}

// OK reports a decode with no anomaly that used every byte.
func (r *Result) OK(n int) bool { return len(r.Anomalies) == 0 && r.Consumed == n }

// Layer is one way to read bytes.
type Layer struct {
	Name    string
	Help    string
	Aliases []string
	Decode  func(b []byte, o Options) *Result
	// NoAuto keeps a layer out of --layer auto's guesses.
	NoAuto bool
}

var layers = map[string]*Layer{}
var layerOrder []*Layer

func addLayer(l *Layer) {
	layers[l.Name] = l
	for _, a := range l.Aliases {
		layers[a] = l
	}
	layerOrder = append(layerOrder, l)
}

// Layers lists the layers in registration order.
func Layers() []*Layer { return layerOrder }

// LayerNames lists layer names, sorted.
func LayerNames() []string {
	var out []string
	for _, l := range layerOrder {
		out = append(out, l.Name)
	}
	sort.Strings(out)
	return out
}

// Decode runs the named layer ("auto" guesses) over b.
func Decode(layer string, b []byte, o Options) (*Result, error) {
	if layer == "" || layer == "auto" || layer == "other" {
		return auto(b, o), nil
	}
	l, ok := layers[strings.ToLower(layer)]
	if !ok {
		return nil, fmt.Errorf("unknown layer %q (known: auto, %s)", layer, strings.Join(LayerNames(), ", "))
	}
	r := l.Decode(b, o)
	r.Layer = l.Name
	return r, nil
}

// run decodes b with f under a fresh codec and collects the result.
func run(b []byte, o Options, root string, f func(c *wire.Codec) any) *Result {
	c := wire.NewDecoder(b, o.Spans, root)
	v := f(c)
	return &Result{Tree: c.Tree(), Anomalies: c.Anomalies(), Value: v, Consumed: c.Pos()}
}

// trailing notes bytes a single-structure layer left unread.
func trailing(c *wire.Codec) {
	if !c.Failed() && c.Remaining() > 0 {
		c.Note("%d bytes after the end of the structure", c.Remaining())
		var rest []byte
		c.Rest(&rest, "TrailingBytes")
	}
}

func ropCtx(o Options) *rop.Ctx {
	return &rop.Ctx{Columns: o.Columns, HasColumns: o.HasColumns}
}

func init() {
	addLayer(&Layer{Name: "rop-request", Aliases: []string{"rop_request"},
		Help: "one ROP request, no RopSize or handle table",
		Decode: func(b []byte, o Options) *Result {
			return run(b, o, "RopRequest", func(c *wire.Codec) any {
				r, _ := rop.DecodeRequest(c, ropCtx(o))
				lift(c)
				trailing(c)
				return r
			})
		}})
	addLayer(&Layer{Name: "rop-response", Aliases: []string{"rop_response"},
		Help: "one ROP response; --columns gives the columns or requested tags it needs",
		Decode: func(b []byte, o Options) *Result {
			return run(b, o, "RopResponse", func(c *wire.Codec) any {
				r, _ := rop.DecodeResponse(c, ropCtx(o))
				lift(c)
				trailing(c)
				return r
			})
		}})
	addLayer(&Layer{Name: "ropbuffer-request", Aliases: []string{"ropbuffer"},
		Help: "a ROP request buffer: RopSize, ROP requests, ServerObjectHandleTable",
		Decode: func(b []byte, o Options) *Result {
			return run(b, o, "RopBuffer", func(c *wire.Codec) any {
				var rb rop.RequestBuffer
				rop.CodecRequestBuffer(c, &rb, nil)
				ropsAlias(c)
				return &rb
			})
		}})
	addLayer(&Layer{Name: "ropbuffer-response",
		Help: "a ROP response buffer: RopSize, ROP responses, ServerObjectHandleTable",
		Decode: func(b []byte, o Options) *Result {
			return run(b, o, "RopBuffer", func(c *wire.Codec) any {
				var rb rop.ResponseBuffer
				rop.CodecResponseBuffer(c, &rb, nil, columnsEnv{o})
				ropsAlias(c)
				return &rb
			})
		}})
	addLayer(&Layer{Name: "handle-table",
		Help: "a bare ServerObjectHandleTable (4-byte handles)",
		Decode: func(b []byte, o Options) *Result {
			return run(b, o, "HandleTable", func(c *wire.Codec) any {
				var h []uint32
				rop.CodecHandleTable(c, &h)
				return h
			})
		}})
	addLayer(&Layer{Name: "tagged-property-value", Aliases: []string{"property_value", "tagged-value"},
		Help: "a TaggedPropertyValue (ROP count widths)",
		Decode: func(b []byte, o Options) *Result {
			return run(b, o, "TaggedPropertyValue", func(c *wire.Codec) any {
				var v prop.TaggedValue
				prop.CodecTag(c, &v.Tag, "PropertyTag")
				prop.CodecValue(c, v.Tag.Type(), &v.Value, "Value", prop.ROP)
				trailing(c)
				return &v
			})
		}})
	addLayer(&Layer{Name: "property-row",
		Help: "a PropertyRow against --columns",
		Decode: func(b []byte, o Options) *Result {
			return run(b, o, "PropertyRow", func(c *wire.Codec) any {
				if !o.HasColumns {
					c.Fail("property-row needs --columns TAG,… (a row does not carry its column set)")
					return nil
				}
				var r prop.Row
				prop.CodecRow(c, &r, o.Columns, "", prop.ROP)
				if t := c.Tree(); t != nil && len(t.Children) == 1 {
					// Lift the row's fields to the top level.
					t.Children = t.Children[0].Children
				}
				trailing(c)
				return &r
			})
		}})
	addLayer(&Layer{Name: "sort-order-set",
		Help: "a SortOrderSet",
		Decode: func(b []byte, o Options) *Result {
			return run(b, o, "SortOrderSet", func(c *wire.Codec) any {
				var s prop.SortOrderSet
				prop.CodecSortOrderSet(c, &s, "")
				lift(c)
				trailing(c)
				return &s
			})
		}})
	addLayer(&Layer{Name: "restriction",
		Help: "a restriction packet (ROP count widths; --type wide for extended rules)",
		Decode: func(b []byte, o Options) *Result {
			w := prop.ROP
			if strings.EqualFold(o.Type, "wide") {
				w = prop.Wide
			}
			return run(b, o, "Restriction", func(c *wire.Codec) any {
				var r prop.Restriction
				prop.CodecRestriction(c, &r, "", w)
				lift(c)
				trailing(c)
				return &r
			})
		}})
}

// lift replaces a root holding a single struct child by that child's fields.
func lift(c *wire.Codec) {
	t := c.Tree()
	if t == nil || len(t.Children) != 1 || t.Children[0].Kind != wire.KindStruct {
		return
	}
	ch := t.Children[0]
	t.Children = ch.Children
	if ch.Name != "" {
		t.Name = ch.Name
	}
	if ch.Sym != "" {
		t.Sym = ch.Sym
	}
}

// ropsAlias names the ROP list "Rops" as well as the specification's
// "RopsList".
func ropsAlias(c *wire.Codec) {
	t := c.Tree()
	if t == nil {
		return
	}
	if l := t.Child("RopsList"); l != nil {
		cp := *l
		cp.Name = "Rops"
		cp.Alias = true
		t.Children = append(t.Children, &cp)
	}
}

// columnsEnv hands --columns to every ROP of a buffer.
type columnsEnv struct{ o Options }

func (e columnsEnv) BeforeRequest(int, uint8, uint8, *rop.Ctx) {}
func (e columnsEnv) BeforeResponse(_ int, ctx *rop.Ctx) {
	ctx.Columns, ctx.HasColumns = e.o.Columns, e.o.HasColumns
}
func (e columnsEnv) AfterResponse(int, rop.Response, *rop.Ctx) {}

// auto guesses the layer: the first layer that decodes every byte with no
// anomaly, in an order from the most to the least specific.
func auto(b []byte, o Options) *Result {
	var first *Result
	for _, name := range autoOrder {
		l, ok := layers[name]
		if !ok || l.NoAuto {
			continue
		}
		r := l.Decode(b, o)
		r.Layer = l.Name
		if r.OK(len(b)) {
			return r
		}
		if first == nil {
			first = r
		}
	}
	if first == nil {
		return &Result{Layer: "auto", Anomalies: []wire.Anomaly{{Reason: "no layer recognises this input"}}}
	}
	first.Anomalies = append([]wire.Anomaly{{Reason: "auto: no layer decoded every byte cleanly; showing " + first.Layer}}, first.Anomalies...)
	return first
}

// autoOrder lists the layers --layer auto tries, most specific first.
var autoOrder = []string{
	"http", "autodiscover", "mapihttp-response", "execute-request", "execute-response",
	"connect-request", "connect-response", "rpc-ext",
	"ropbuffer-request", "ropbuffer-response", "rop-request", "rop-response",
	"tagged-property-value", "sort-order-set", "restriction", "handle-table", "lz77",
}

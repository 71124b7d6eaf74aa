package decode

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"

	"github.com/mapiscope/mapiscope/decode/mapihttp"
	"github.com/mapiscope/mapiscope/decode/nspi"
	"github.com/mapiscope/mapiscope/decode/rop"
	"github.com/mapiscope/mapiscope/decode/rpcext"
	"github.com/mapiscope/mapiscope/decode/wire"
)

// maxHTTPBody bounds the body the http layer reads from one message.
const maxHTTPBody = 256 << 20

func init() {
	addLayer(&Layer{Name: "execute-request",
		Help: "a MAPI/HTTP Execute request body (Flags, RopBuffer with RPC_HEADER_EXT blocks and ROPs, MaxRopOut, aux)",
		Decode: func(b []byte, o Options) *Result {
			res := NewSession().Execute(b, nil, o.Spans)
			r := &Result{Tree: res.ReqTree, Anomalies: res.Anomalies, Value: res, Consumed: len(b)}
			return r
		}})
	addLayer(&Layer{Name: "execute-response",
		Help: "a MAPI/HTTP Execute response body (the bytes after the meta-tags); --columns for rows",
		Decode: func(b []byte, o Options) *Result {
			return decodeExecuteResponse(b, o)
		}})
	addLayer(&Layer{Name: "rpc-ext",
		Help: "RPC_HEADER_EXT blocks with their payloads decompressed and de-obfuscated",
		Decode: func(b []byte, o Options) *Result {
			return run(b, o, "RopBuffer", func(c *wire.Codec) any {
				var blocks []rpcext.Block
				rpcext.CodecChain(c, &blocks)
				trailing(c)
				return blocks
			})
		}})
	for _, t := range mapihttp.RequestTypes() {
		if !t.Mailbox() || t == mapihttp.TypeExecute {
			continue
		}
		t := t
		name := strings.ToLower(t.String())
		addLayer(&Layer{Name: name + "-request",
			Help: "a MAPI/HTTP " + t.String() + " request body",
			Decode: func(b []byte, o Options) *Result {
				return decodeBody(b, o, mapihttp.NewRequest(t))
			}})
		addLayer(&Layer{Name: name + "-response",
			Help: "a MAPI/HTTP " + t.String() + " response body (after the meta-tags)",
			Decode: func(b []byte, o Options) *Result {
				return decodeBody(b, o, mapihttp.NewResponse(t))
			}})
	}
	addLayer(&Layer{Name: "nspi-request",
		Help:   "an address-book (NSPI) request body; --type names the request type (Bind, GetMatches, …)",
		Decode: func(b []byte, o Options) *Result { return decodeNSPI(b, o, false) }})
	addLayer(&Layer{Name: "nspi-response",
		Help:   "an address-book (NSPI) response body (after the meta-tags); --type names the request type",
		Decode: func(b []byte, o Options) *Result { return decodeNSPI(b, o, true) }})
	addLayer(&Layer{Name: "mapihttp-response",
		Help: "a de-chunked MAPI/HTTP response body: PROCESSING/PENDING/DONE meta-tags, headers, binary body (--type gives the request type)",
		Decode: func(b []byte, o Options) *Result {
			return decodeFramed(b, o, "")
		}})
	addLayer(&Layer{Name: "http",
		Help:   "a whole HTTP request or response message as captured (headers and body; chunked bodies are de-chunked)",
		Decode: decodeHTTP})
}

func decodeBody(b []byte, o Options, body mapihttp.Body) *Result {
	if body == nil {
		return &Result{Anomalies: []wire.Anomaly{{Reason: "no body codec for this request type"}}}
	}
	c := mapihttp.Decode(body, b, 0, o.Spans)
	return &Result{Tree: c.Tree(), Anomalies: c.Anomalies(), Value: body, Consumed: c.Pos()}
}

// decodeExecuteResponse decodes a response body on its own: without the
// request, each ROP response decodes with --columns as its context.
func decodeExecuteResponse(b []byte, o Options) *Result {
	resp := &mapihttp.ExecuteResponse{}
	c := mapihttp.Decode(resp, b, 0, o.Spans)
	r := &Result{Tree: c.Tree(), Anomalies: c.Anomalies(), Value: resp, Consumed: c.Pos()}
	if resp.StatusCode != 0 || resp.RopBuffer == nil {
		return r
	}
	blocks, nodes, an := chain(resp.RopBuffer, resp.RopBufferOffset(), o.Spans, r.Tree)
	r.Anomalies = append(r.Anomalies, an...)
	for i, bl := range blocks {
		base := 0
		if bl.InWire() {
			base = bl.PayloadOffset()
		}
		rc := wire.NewDecoder(bl.Data, o.Spans, "RopBuffer")
		rc.SetBase(base)
		var rb rop.ResponseBuffer
		rop.CodecResponseBuffer(rc, &rb, nil, columnsEnv{o})
		r.Anomalies = append(r.Anomalies, rc.Anomalies()...)
		attach(nodes, i, rc.Tree(), blocks)
	}
	return r
}

// decodeFramed decodes a response body with its meta-tags; typ names the
// request type ("" guesses Execute, then the other mailbox types).
func decodeFramed(b []byte, o Options, typ string) *Result {
	f, err := mapihttp.ParseResponseBody(b)
	if err != nil {
		return &Result{Anomalies: []wire.Anomaly{{Reason: err.Error()}}}
	}
	root := &wire.Node{Name: "MapiHttpResponse", Kind: wire.KindStruct, Len: len(b)}
	res := &Result{Tree: root, Consumed: len(b), Value: f}
	res.Anomalies = append(res.Anomalies, f.Anomalies...)
	if o.Spans {
		tags := &wire.Node{Name: "MetaTags", Kind: wire.KindArray}
		for _, t := range f.Tags {
			tags.Children = append(tags.Children, &wire.Node{Value: string(t.Tag), Off: t.Offset, Len: len(t.Tag) + 2})
		}
		root.Children = append(root.Children, tags)
		hdrs := &wire.Node{Name: "Headers", Kind: wire.KindStruct}
		for _, h := range f.Headers {
			hdrs.Children = append(hdrs.Children, &wire.Node{Name: h.Name, Value: h.Value, Off: h.Offset, Len: len(h.Line)})
		}
		root.Children = append(root.Children, hdrs)
	}
	if o.Type == "" {
		o.Type = typ
	}
	t := mapihttp.TypeExecute
	if o.Type != "" {
		if pt, ok := mapihttp.ParseRequestType(o.Type); ok {
			t = pt
		}
	}
	if len(f.Body) == 0 {
		return res
	}
	var sub *Result
	if t == mapihttp.TypeExecute {
		sub = decodeExecuteResponse(f.Body, o)
	} else {
		body := bodyFor(t, true)
		if body == nil {
			res.Anomalies = append(res.Anomalies, wire.Anomaly{Offset: f.BodyOffset, Reason: "no codec for " + t.String() + " responses"})
			return res
		}
		sub = decodeBody(f.Body, o, body)
	}
	shift(sub.Tree, f.BodyOffset)
	for i := range sub.Anomalies {
		sub.Anomalies[i].Offset += f.BodyOffset
	}
	if sub.Tree != nil {
		sub.Tree.Name = "Body"
		root.Children = append(root.Children, sub.Tree)
	}
	res.Anomalies = append(res.Anomalies, sub.Anomalies...)
	return res
}

// shift moves every wire offset of a tree by d (subtrees over decoded
// data keep theirs).
func shift(n *wire.Node, d int) {
	if n == nil || d == 0 {
		return
	}
	n.Off += d
	if n.Data != nil {
		return
	}
	for _, ch := range n.Children {
		shift(ch, d)
	}
}

// decodeHTTP reads one HTTP/1.x request or response as captured and
// decodes its body by X-RequestType.
func decodeHTTP(b []byte, o Options) *Result {
	bad := func(reason string) *Result {
		return &Result{Anomalies: []wire.Anomaly{{Reason: reason}}}
	}
	isResp := bytes.HasPrefix(b, []byte("HTTP/"))
	if !isResp && !looksLikeRequestLine(b) {
		return bad("not an HTTP message")
	}
	br := bufio.NewReader(bytes.NewReader(b))
	var header http.Header
	var body io.Reader
	title := ""
	if isResp {
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			return bad("HTTP response: " + err.Error())
		}
		defer resp.Body.Close()
		header, body, title = resp.Header, resp.Body, resp.Status
	} else {
		req, err := http.ReadRequest(br)
		if err != nil {
			return bad("HTTP request: " + err.Error())
		}
		defer req.Body.Close()
		header, body, title = req.Header, req.Body, req.Method+" "+req.URL.String()
	}
	data, err := io.ReadAll(io.LimitReader(body, maxHTTPBody))
	res := &Result{Consumed: len(b)}
	if err != nil {
		res.Anomalies = append(res.Anomalies, wire.Anomaly{Reason: "body: " + err.Error()})
	}
	root := &wire.Node{Name: "HTTP", Kind: wire.KindStruct, Sym: title, Len: len(b)}
	res.Tree = root
	if o.Spans {
		hn := &wire.Node{Name: "Headers", Kind: wire.KindStruct}
		for _, k := range sortedKeys(header) {
			hn.Children = append(hn.Children, &wire.Node{Name: k, Value: strings.Join(header[k], ", ")})
		}
		root.Children = append(root.Children, hn)
	}
	rt := header.Get("X-RequestType")
	t, ok := mapihttp.ParseRequestType(rt)
	if !ok {
		res.Anomalies = append(res.Anomalies, wire.Anomaly{Reason: fmt.Sprintf("no usable X-RequestType header (%q)", rt)})
		return res
	}
	var sub *Result
	switch {
	case isResp:
		sub = decodeFramed(data, o, t.String())
	case t == mapihttp.TypeExecute:
		r := NewSession().Execute(data, nil, o.Spans)
		sub = &Result{Tree: r.ReqTree, Anomalies: r.Anomalies}
	default:
		sub = decodeBody(data, o, bodyFor(t, false))
	}
	// Body offsets count from the body's first byte: the headers are text.
	if sub.Tree != nil {
		sub.Tree.Name = "Body"
		root.Children = append(root.Children, sub.Tree)
	}
	res.Anomalies = append(res.Anomalies, sub.Anomalies...)
	return res
}

// bodyFor returns an empty body struct for a request type and direction,
// from the mailbox or the address-book codecs.
func bodyFor(t mapihttp.RequestType, response bool) mapihttp.Body {
	if t.AddressBook() && t != mapihttp.TypePing {
		if response {
			return nspi.NewResponse(t)
		}
		return nspi.NewRequest(t)
	}
	if response {
		return mapihttp.NewResponse(t)
	}
	return mapihttp.NewRequest(t)
}

func looksLikeRequestLine(b []byte) bool {
	for _, m := range []string{"POST ", "GET ", "PUT ", "HEAD ", "OPTIONS "} {
		if bytes.HasPrefix(b, []byte(m)) {
			return true
		}
	}
	return false
}

func sortedKeys(h http.Header) []string {
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// decodeNSPI decodes an address-book body of the --type request type.
func decodeNSPI(b []byte, o Options, response bool) *Result {
	t, ok := mapihttp.ParseRequestType(o.Type)
	if !ok || !t.AddressBook() {
		return &Result{Anomalies: []wire.Anomaly{{Reason: fmt.Sprintf("--type must name an address-book request type (Bind, GetMatches, QueryRows, …), not %q", o.Type)}}}
	}
	return decodeBody(b, o, bodyFor(t, response))
}

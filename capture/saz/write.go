package saz

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"iter"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/mapiscope/mapiscope/trace"
)

// Writer writes exchanges as a Fiddler session archive: raw/NNNN_c.txt,
// raw/NNNN_s.txt and raw/NNNN_m.xml per exchange (numbered from 1),
// [Content_Types].xml and _index.htm.
//
// Messages are written as they went over the wire as far as the exchange
// tells: a chunked body is chunked again at the boundaries of its chunk
// timeline, a gzip or deflate body is compressed again (flushed at each
// chunk boundary, so each HTTP chunk decodes to the same bytes), and a
// request line in origin form gets the absolute URL Fiddler expects
// (https, or http when the port is 80 or 8080). Timers: ClientConnected,
// ClientBeginRequest, GotRequestHeaders and ServerConnected are Started;
// ClientDoneRequest, FiddlerBeginRequest and ServerGotRequest RequestDone;
// ServerBeginResponse, GotResponseHeaders and ClientBeginResponse
// ResponseStart; ServerDoneResponse and ClientDoneResponse Ended; an
// unknown time is written as Fiddler writes an unset timer. What the raw
// files and Fiddler's timers cannot hold goes into the x-mapiscope
// session flag.
type Writer struct {
	zw    *zip.Writer
	n     int
	rows  []string
	err   error
	state int // 0 open, 1 closed
}

// NewWriter starts an archive on w. Close finishes it (it does not close
// w).
func NewWriter(w io.Writer) *Writer {
	sw := &Writer{zw: zip.NewWriter(w)}
	sw.zw.SetComment("SAZ written by mapiscope (Fiddler session archive format)")
	sw.err = sw.file("[Content_Types].xml", time.Time{}, []byte(contentTypes))
	return sw
}

// Write writes all exchanges as one archive on w.
func Write(w io.Writer, exchanges iter.Seq[*trace.Exchange]) error {
	sw := NewWriter(w)
	for e := range exchanges {
		if err := sw.Add(e); err != nil {
			return err
		}
	}
	return sw.Close()
}

const contentTypes = `<?xml version="1.0" encoding="utf-8" ?>` + "\r\n" +
	`<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
	`<Default Extension="htm" ContentType="text/html" />` +
	`<Default Extension="xml" ContentType="application/xml" />` +
	`<Default Extension="txt" ContentType="text/plain" /></Types>`

func (w *Writer) file(name string, mod time.Time, data []byte) error {
	h := &zip.FileHeader{Name: name, Method: zip.Deflate}
	if !mod.IsZero() {
		h.Modified = mod
	} else {
		h.Modified = time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	f, err := w.zw.CreateHeader(h)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	return err
}

// Add writes one exchange as the next session.
func (w *Writer) Add(e *trace.Exchange) error {
	if w.state != 0 {
		return errors.New("saz: Add after Close")
	}
	if w.err != nil {
		return w.err
	}
	w.n++
	key := fmt.Sprintf("%04d", w.n)
	x := extra{
		URL: exactString(e.URL), Host: exactString(e.Host), Method: exactString(e.Method), Proto: exactString(e.Proto),
		Client: exactString(e.Client), Server: exactString(e.Server), Conn: exactString(e.Conn),
		Times:  [4]string{formatExact(e.Started), formatExact(e.RequestDone), formatExact(e.ResponseStart), formatExact(e.Ended)},
		Chunks: []extraChunk{},
		Error:  exactString(e.Error),
	}
	for _, c := range e.Chunks {
		x.Chunks = append(x.Chunks, extraChunk{Offset: c.Offset, Length: c.Length, At: formatExact(c.At)})
	}
	switch {
	case e.ReqPartial && e.RespPartial:
		x.Partial = "request,response"
	case e.ReqPartial:
		x.Partial = "request"
	case e.RespPartial:
		x.Partial = "response"
	}

	// Request.
	scheme, host := "", e.Host
	if host == "" {
		host = e.ReqHeader.Get("Host")
	}
	if host == "" {
		host = e.Server
	}
	target := e.URL
	if strings.HasPrefix(target, "/") && host != "" {
		scheme = schemeFor(host, e.Server)
		target = scheme + "://" + host + target
	} else if i := strings.Index(target, "://"); i > 0 {
		scheme = strings.ToLower(target[:i])
	}
	if target == "" {
		target = "/"
	}
	method, proto := e.Method, e.Proto
	if method == "" {
		method = "GET"
	}
	if proto == "" {
		proto = "HTTP/1.1"
	}
	reqHeader := e.ReqHeader.Clone()
	if reqHeader == nil {
		reqHeader = http.Header{}
	}
	if reqHeader.Get("Host") == "" && e.Host != "" {
		reqHeader.Set("Host", e.Host)
		x.HostAdded = true
	}
	var req bytes.Buffer
	fmt.Fprintf(&req, "%s %s %s\r\n", method, target, proto)
	reqBody, changed := wireBody(reqHeader, e.ReqBody, nil, !e.ReqPartial)
	if changed {
		x.ReqLength = exactStrings(e.ReqHeader.Values("Content-Length"))
	}
	writeHeader(&req, reqHeader)
	req.WriteString("\r\n")
	req.Write(reqBody)

	// Response.
	var resp []byte
	if e.Status != 0 || len(e.RespHeader) > 0 || len(e.RespBody) > 0 {
		respHeader := e.RespHeader.Clone()
		if respHeader == nil {
			respHeader = http.Header{}
		}
		var b bytes.Buffer
		respProto := proto
		if !strings.HasPrefix(respProto, "HTTP/") || strings.ContainsAny(respProto, " \r\n") {
			respProto = "HTTP/1.1"
		}
		fmt.Fprintf(&b, "%s %d %s\r\n", respProto, e.Status, e.StatusText)
		body, changed := wireBody(respHeader, e.RespBody, e.Chunks, !e.RespPartial)
		if changed {
			x.RespLength = exactStrings(e.RespHeader.Values("Content-Length"))
		}
		writeHeader(&b, respHeader)
		b.WriteString("\r\n")
		b.Write(body)
		resp = b.Bytes()
	}

	// Metadata.
	var bits uint64
	if scheme == "https" {
		bits |= bitIsHTTPS
	}
	var flags [][2]string
	if h, p, err := net.SplitHostPort(e.Client); err == nil {
		flags = append(flags, [2]string{"x-clientip", h}, [2]string{"x-clientport", p})
	} else if e.Client != "" {
		flags = append(flags, [2]string{"x-clientip", e.Client})
	}
	if h, _, err := net.SplitHostPort(e.Server); err == nil {
		flags = append(flags, [2]string{"x-hostip", h})
	} else if e.Server != "" {
		flags = append(flags, [2]string{"x-hostip", e.Server})
	}
	if e.Error != "" {
		flags = append(flags, [2]string{"ui-comments", e.Error})
	}
	xj, err := json.Marshal(x)
	if err != nil {
		return fmt.Errorf("saz: %v", err)
	}
	flags = append(flags, [2]string{flagExtra, asciiJSON(xj)})
	var timers [16]time.Time
	for i, name := range timerNames {
		switch name {
		case "ClientConnected", "ClientBeginRequest", "GotRequestHeaders", "ServerConnected":
			timers[i] = e.Started
		case "ClientDoneRequest", "FiddlerBeginRequest", "ServerGotRequest":
			timers[i] = e.RequestDone
		case "ServerBeginResponse", "GotResponseHeaders", "ClientBeginResponse":
			timers[i] = e.ResponseStart
		case "ServerDoneResponse", "ClientDoneResponse":
			timers[i] = e.Ended
		}
	}
	meta := writeMetadata(w.n, bits, timers, flags)

	if w.err = w.file("raw/"+key+"_c.txt", e.Started, req.Bytes()); w.err != nil {
		return w.err
	}
	if resp != nil {
		if w.err = w.file("raw/"+key+"_s.txt", e.Started, resp); w.err != nil {
			return w.err
		}
	}
	if w.err = w.file("raw/"+key+"_m.xml", e.Started, meta); w.err != nil {
		return w.err
	}
	w.rows = append(w.rows, indexRow(key, w.n, e, scheme, host))
	return nil
}

// wireBody gives a body as it goes over the wire: content-encoded again
// when the headers say so (and the coding is known), chunked at the
// timeline's boundaries when Transfer-Encoding is chunked. When encoding
// changed the length, a Content-Length header is set to the new length
// and changed is true.
func wireBody(h http.Header, body []byte, chunks []trace.Chunk, complete bool) (out []byte, changed bool) {
	segments := cut(body, chunks)
	cs := tokens(h, "Content-Encoding")
	encoded := false
	if len(body) > 0 && len(cs) > 0 && knownCodings(cs) {
		segments = encodeContent(cs, segments)
		encoded = true
	}
	if isChunked(h) {
		return chunk(segments, complete), false
	}
	out = bytes.Join(segments, nil)
	if out == nil {
		out = []byte{}
	}
	if encoded && h.Get("Content-Length") != "" && h.Get("Content-Length") != strconv.Itoa(len(out)) {
		h.Set("Content-Length", strconv.Itoa(len(out)))
		changed = true
	}
	return out, changed
}

// cut splits a body at the boundaries of its chunk timeline.
func cut(body []byte, chunks []trace.Chunk) [][]byte {
	if len(body) == 0 {
		return nil
	}
	var points []int
	for _, c := range chunks {
		for _, p := range []int{c.Offset, c.Offset + c.Length} {
			if p > 0 && p < len(body) {
				points = append(points, p)
			}
		}
	}
	slices.Sort(points)
	points = append(slices.Compact(points), len(body))
	out := make([][]byte, 0, len(points))
	prev := 0
	for _, p := range points {
		out = append(out, body[prev:p])
		prev = p
	}
	return out
}

func indexRow(key string, n int, e *trace.Exchange, scheme, host string) string {
	esc := html.EscapeString
	return fmt.Sprintf("<tr><td><a href='raw\\%s_c.txt'>C</a>&nbsp;<a href='raw\\%s_s.txt'>S</a>&nbsp;<a href='raw\\%s_m.xml'>M</a></td>"+
		"<td>%d</td><td>%d</td><td>%s</td><td>%s</td><td>%s</td><td>%d</td><td>%s</td><td>%s</td></tr>",
		key, key, key, n, e.Status, esc(strings.ToUpper(scheme)), esc(host), esc(e.URL), len(e.RespBody),
		esc(e.RespHeader.Get("Content-Type")), esc(e.Error))
}

// Close writes _index.htm and the zip directory.
func (w *Writer) Close() error {
	if w.state != 0 {
		return w.err
	}
	w.state = 1
	if w.err != nil {
		return w.err
	}
	var b bytes.Buffer
	b.WriteString("<html><head><meta charset=\"utf-8\"><title>Sessions</title></head><body><table>" +
		"<thead><tr><th>&nbsp;</th><th>#</th><th>Result</th><th>Protocol</th><th>Host</th><th>URL</th><th>Body</th><th>Content-Type</th><th>Comments</th></tr></thead><tbody>")
	for _, r := range w.rows {
		b.WriteString(r)
		b.WriteString("\r\n")
	}
	b.WriteString("</tbody></table></body></html>")
	if w.err = w.file("_index.htm", time.Time{}, b.Bytes()); w.err != nil {
		return w.err
	}
	w.err = w.zw.Close()
	return w.err
}

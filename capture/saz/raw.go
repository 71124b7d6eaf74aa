package saz

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"fmt"
	"io"
	"net/http"
	"net/textproto"
	"slices"
	"strconv"
	"strings"
)

// maxBody bounds a body after content decoding (a gzip bomb in an archive
// must not exhaust memory); a larger decoded body is kept as sent.
var maxBody = 1 << 30

// message is one raw HTTP message as Fiddler stores it: start line,
// headers, then the body as it went over the wire (possibly chunked,
// possibly content-encoded).
type message struct {
	start   string
	header  http.Header
	body    []byte // after transfer decoding (chunked framing removed)
	chunked bool
	ends    []int // for chunked bodies: the end offset in body of each data chunk
	partial bool
	notes   []string
}

// parseMessage splits a raw message into start line, headers and body.
// It never fails: what is missing or broken is noted and the message is
// marked partial.
func parseMessage(data []byte) message {
	var m message
	m.header = http.Header{}
	// Tolerate blank lines before the start line.
	for len(data) > 0 && (data[0] == '\r' || data[0] == '\n') {
		data = data[1:]
	}
	line, rest, ok := cutLine(data)
	m.start = line
	if !ok {
		m.partial = true
		if len(data) == 0 {
			m.notes = append(m.notes, "empty file")
		} else {
			m.notes = append(m.notes, "headers incomplete")
		}
		return m
	}
	data = rest
	var last string // previous header name, for obsolete line folding
	for {
		line, rest, ok := cutLine(data)
		if !ok {
			if line != "" {
				addHeaderLine(&m, line, &last)
			}
			m.partial = true
			m.notes = append(m.notes, "headers incomplete")
			m.body = nil
			return m
		}
		data = rest
		if line == "" {
			break
		}
		addHeaderLine(&m, line, &last)
	}
	if isChunked(m.header) {
		m.chunked = true
		var complete bool
		m.body, m.ends, complete = dechunk(data, m.header)
		if !complete {
			m.partial = true
			m.notes = append(m.notes, "chunked body incomplete")
		}
	} else {
		m.body = data
	}
	return m
}

func addHeaderLine(m *message, line string, last *string) {
	if (line[0] == ' ' || line[0] == '\t') && *last != "" {
		vs := m.header[*last]
		vs[len(vs)-1] += " " + strings.TrimSpace(line)
		return
	}
	name, value, ok := strings.Cut(line, ":")
	if !ok || strings.TrimSpace(name) == "" {
		m.notes = append(m.notes, fmt.Sprintf("header line without a name: %.40q", line))
		return
	}
	key := textproto.CanonicalMIMEHeaderKey(strings.TrimSpace(name))
	m.header[key] = append(m.header[key], strings.TrimSpace(value))
	*last = key
}

// cutLine returns the first line of data without its CRLF or LF, and
// whether a line end was found.
func cutLine(data []byte) (line string, rest []byte, ok bool) {
	i := bytes.IndexByte(data, '\n')
	if i < 0 {
		return string(data), nil, false
	}
	l := data[:i]
	if len(l) > 0 && l[len(l)-1] == '\r' {
		l = l[:len(l)-1]
	}
	return string(l), data[i+1:], true
}

// tokens splits a comma-separated header list into lower-case tokens.
func tokens(h http.Header, name string) []string {
	var out []string
	for _, v := range h.Values(name) {
		for t := range strings.SplitSeq(v, ",") {
			if t = strings.ToLower(strings.TrimSpace(t)); t != "" {
				out = append(out, t)
			}
		}
	}
	return out
}

func isChunked(h http.Header) bool {
	te := tokens(h, "Transfer-Encoding")
	return len(te) > 0 && te[len(te)-1] == "chunked"
}

// dechunk removes chunked framing. ends holds the end offset of each data
// chunk in the result. Trailer fields are added to h. complete is false
// when the data stops before the last chunk and its trailer.
func dechunk(data []byte, h http.Header) (body []byte, ends []int, complete bool) {
	body = []byte{}
	for {
		line, rest, ok := cutLine(data)
		if !ok {
			return body, ends, false
		}
		data = rest
		sizeText, _, _ := strings.Cut(line, ";")
		sizeText = strings.TrimSpace(sizeText)
		size, err := strconv.ParseUint(sizeText, 16, 63)
		if err != nil || sizeText == "" {
			// Not a chunk size: keep the rest as body, it is what we have.
			body = append(body, line...)
			body = append(body, '\n')
			body = append(body, data...)
			ends = append(ends, len(body))
			return body, ends, false
		}
		if size == 0 {
			// Trailer fields up to the final empty line.
			for {
				line, rest, ok := cutLine(data)
				if !ok {
					return body, ends, line == ""
				}
				data = rest
				if line == "" {
					return body, ends, true
				}
				if name, value, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(name) != "" {
					h.Add(strings.TrimSpace(name), strings.TrimSpace(value))
				}
			}
		}
		if uint64(len(data)) < size {
			if len(data) > 0 {
				body = append(body, data...)
				ends = append(ends, len(body))
			}
			return body, ends, false
		}
		body = append(body, data[:size]...)
		ends = append(ends, len(body))
		data = data[size:]
		switch {
		case bytes.HasPrefix(data, []byte("\r\n")):
			data = data[2:]
		case bytes.HasPrefix(data, []byte("\n")):
			data = data[1:]
		case len(data) == 0:
			return body, ends, false
		}
	}
}

// chunk frames body segments as HTTP chunks, with the last chunk and an
// empty trailer unless the body was cut short.
func chunk(segments [][]byte, complete bool) []byte {
	var b bytes.Buffer
	for _, s := range segments {
		if len(s) == 0 {
			continue
		}
		fmt.Fprintf(&b, "%x\r\n", len(s))
		b.Write(s)
		b.WriteString("\r\n")
	}
	if complete {
		b.WriteString("0\r\n\r\n")
	}
	return b.Bytes()
}

// knownCodings reports whether every content coding in cs can be decoded
// and encoded here.
func knownCodings(cs []string) bool {
	for _, c := range cs {
		switch c {
		case "gzip", "x-gzip", "deflate", "identity":
		default:
			return false
		}
	}
	return true
}

// decodeContent removes content codings (applied in order, so removed in
// reverse). lenient returns what could be decoded before an error.
func decodeContent(cs []string, data []byte, lenient bool) ([]byte, error) {
	for i := len(cs) - 1; i >= 0; i-- {
		out, err := decodeOne(cs[i], data)
		if err != nil && !lenient {
			return nil, fmt.Errorf("%s: %v", cs[i], err)
		}
		data = out
	}
	return data, nil
}

func decodeOne(c string, data []byte) ([]byte, error) {
	var r io.Reader
	switch c {
	case "identity":
		return data, nil
	case "gzip", "x-gzip":
		zr, err := gzip.NewReader(bytes.NewReader(data))
		if err != nil {
			return nil, err
		}
		r = zr
	case "deflate":
		// HTTP deflate is zlib; some servers send raw deflate.
		if zr, err := zlib.NewReader(bytes.NewReader(data)); err == nil {
			r = zr
		} else {
			r = flate.NewReader(bytes.NewReader(data))
		}
	default:
		return data, fmt.Errorf("unknown content coding")
	}
	out, err := io.ReadAll(io.LimitReader(r, int64(maxBody)+1))
	if len(out) > maxBody {
		return out[:maxBody], fmt.Errorf("decoded body larger than %d bytes", maxBody)
	}
	return out, err
}

// encodeContent applies content codings to a body given as segments. With
// a single coding each segment is flushed on its own, so the encoded
// segments can be framed as chunks that decode to the original segments.
func encodeContent(cs []string, segments [][]byte) [][]byte {
	var real []string
	for _, c := range cs {
		if c != "identity" {
			real = append(real, c)
		}
	}
	if len(real) == 0 {
		return segments
	}
	if len(real) > 1 {
		data := bytes.Join(segments, nil)
		for _, c := range real {
			data = encodeSegments(c, [][]byte{data})[0]
		}
		return [][]byte{data}
	}
	return encodeSegments(real[0], segments)
}

type flushWriter interface {
	io.WriteCloser
	Flush() error
}

func encodeSegments(c string, segments [][]byte) [][]byte {
	var buf bytes.Buffer
	var w flushWriter
	switch c {
	case "gzip", "x-gzip":
		w = gzip.NewWriter(&buf)
	default: // deflate
		w = zlib.NewWriter(&buf)
	}
	out := make([][]byte, 0, len(segments))
	for _, s := range segments {
		w.Write(s)
		w.Flush()
		out = append(out, slices.Clone(buf.Bytes()))
		buf.Reset()
	}
	w.Close()
	if len(out) == 0 {
		return [][]byte{buf.Bytes()}
	}
	out[len(out)-1] = append(out[len(out)-1], buf.Bytes()...)
	return out
}

// mapEnds converts chunk end offsets in an encoded body into offsets in
// the decoded body: each chunk ends where the bytes received so far
// decode to. It costs one partial decode per chunk; past a budget (64 MB
// of work) it scales the offsets instead.
func mapEnds(cs []string, raw []byte, ends []int, decodedLen int) []int {
	out := make([]int, len(ends))
	// Each partial decode reads up to the whole input and writes up to
	// the whole output.
	work := int64(len(ends)) * int64(len(raw)+decodedLen)
	prev := 0
	for i, e := range ends {
		var n int
		switch {
		case e >= len(raw):
			n = decodedLen
		case work > 64<<20:
			n = int(int64(e) * int64(decodedLen) / int64(max(len(raw), 1)))
		default:
			d, _ := decodeContent(cs, raw[:e], true)
			n = len(d)
		}
		n = min(max(n, prev), decodedLen)
		out[i] = n
		prev = n
	}
	return out
}

// writeHeader writes header fields, Host first, then the others sorted,
// with line feeds inside names and values turned into spaces.
func writeHeader(b *bytes.Buffer, h http.Header) {
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int {
		if a == "Host" {
			return -1
		}
		if b == "Host" {
			return 1
		}
		return strings.Compare(a, b)
	})
	// A bare CR inside a line survives reading; a line feed would end it.
	clean := strings.NewReplacer("\r\n", " ", "\n", " ")
	for _, k := range keys {
		for _, v := range h[k] {
			b.WriteString(clean.Replace(k))
			b.WriteString(": ")
			b.WriteString(clean.Replace(v))
			b.WriteString("\r\n")
		}
	}
}

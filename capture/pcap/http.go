package pcap

import (
	"bytes"
	"fmt"
	"net/http"
	"net/textproto"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/gopacket/reassembly"

	"github.com/mapiscope/mapiscope/trace"
)

// The HTTP/1.x parser of one direction of a connection: a state machine
// fed with the reassembled bytes as they come, never holding more than
// the message head being read and the bodies of the messages in flight.

type state uint8

const (
	stStart     state = iota // nothing seen: TLS or HTTP or something else
	stSync                   // looking for the start line of a message
	stHead                   // reading a header block
	stBodyLen                // Content-Length body
	stBodyClose              // body delimited by the end of the connection
	stChunkSize              // chunk-size line
	stChunkData              // chunk data
	stChunkCRLF              // the CRLF after chunk data
	stTrailer                // trailer section after the last chunk
)

const (
	maxStartLine = 16 << 10
	maxHead      = 256 << 10
	maxChunkLine = 4 << 10
	maxTrailer   = 64 << 10
	// maxGapFill is the largest gap filled with zeros inside a body to
	// keep its framing; past it the message is cut.
	maxGapFill = 16 << 20
	// burst: body bytes of an unchunked response arriving within this
	// time of the previous ones extend the same timeline entry.
	burst = time.Millisecond
)

type half struct {
	c   *tcpConn
	idx int
	st  state

	// strict: the next bytes must start a message (the connection's start
	// was seen, or a message just ended). Otherwise the parser skips to
	// the first line that looks like a start line.
	strict   bool
	inLine   bool   // in stSync: at or inside a candidate line
	line     []byte // a partial line (start line, chunk size, trailer)
	lineAt   time.Time
	lineFrm  int64
	head     []byte // the header block being read
	headScan int    // where to resume looking for its end
	headAt   time.Time
	headFrm  int64
	m        *message
	cr       bool // stChunkCRLF: '\r' seen
	messages int
	skipped  int64 // bytes skipped looking for a message
	notHTTP  bool
	// midStream: the connection's start was not captured.
	midStream bool

	// TCP
	pos    uint32 // sequence number of the next byte
	posOK  bool
	isn    uint32
	sawSYN bool
	rst    bool
	closed bool
	fakes  []fake

	// the delivery being fed
	at       time.Time // capture time of the packet that completed it
	frame    int64
	sg       reassembly.ScatterGather
	sgBase   int
	curFakes []span
}

type bodyMode uint8

const (
	bodyNone bodyMode = iota
	bodyLen
	bodyChunked
	bodyClose
)

type message struct {
	x       *exch
	resp    bool
	mode    bodyMode
	rem     int64 // bodyLen: bytes left; chunked: bytes left in the chunk
	body    *[]byte
	chunkAt int   // offset of the current chunk in the body
	snap    int64 // bytes padded after snap-length cuts
	lost    int64 // bytes of missing segments filled with zeros
	dropped int64 // bytes past MaxBody
	lastAt  time.Time
	tunnel  bool // 101 or CONNECT 2xx: the connection stops being HTTP
	cut     bool // cut short by a framing error or a gap
}

func (h *half) init(c *tcpConn, idx int) {
	h.c, h.idx = c, idx
}

func (h *half) release() {
	h.line, h.head, h.m, h.fakes = nil, nil, nil, nil
}

func (h *half) side() string {
	if h.c.clientIdx == h.idx {
		return "client→server"
	}
	if h.c.clientIdx == 1-h.idx {
		return "server→client"
	}
	return fmt.Sprintf("direction %d", h.idx)
}

// fakeIn counts padded bytes in [from, to) of the bytes being fed.
func (h *half) fakeIn(from, to int) int64 {
	var n int64
	for _, s := range h.curFakes {
		a, b := max(s.from, from), min(s.to, to)
		if b > a {
			n += int64(b - a)
		}
	}
	return n
}

// isTLS reports whether b starts with a TLS record header.
func isTLS(b []byte) bool {
	return len(b) >= 3 && b[0] >= 0x14 && b[0] <= 0x17 && b[1] == 0x03 && b[2] <= 0x04
}

// feed parses the next in-order bytes.
func (h *half) feed(data []byte) {
	i := 0
	for i < len(data) && !h.c.ignore {
		switch h.st {
		case stStart:
			if isTLS(data) {
				h.c.markTLS()
				return
			}
			// Strict when the connection's start was seen: its first bytes
			// must then be HTTP.
			h.midStream = !h.sawSYN && !h.c.h[1-h.idx].sawSYN
			h.st, h.strict, h.inLine = stSync, !h.midStream, true
		case stSync:
			i += h.sync(data[i:], i)
		case stHead:
			i += h.headBytes(data[i:], i)
		case stBodyLen, stChunkData:
			m := h.m
			n := int(min(m.rem, int64(len(data)-i)))
			h.appendBody(data[i:i+n], i)
			m.rem -= int64(n)
			i += n
			if m.rem == 0 {
				if h.st == stBodyLen {
					h.endMessage(0)
				} else {
					h.chunkDone()
				}
			}
		case stBodyClose:
			h.appendBody(data[i:], i)
			i = len(data)
		case stChunkSize, stTrailer:
			i += h.lineBytes(data[i:], i)
		case stChunkCRLF:
			switch b := data[i]; {
			case b == '\r' && !h.cr:
				h.cr = true
				i++
			case b == '\n':
				h.cr = false
				h.st = stChunkSize
				i++
			default:
				h.broken("chunk data not followed by CRLF")
			}
		}
	}
}

// sync looks for a start line; it returns the bytes consumed.
func (h *half) sync(data []byte, base int) int {
	i := 0
	for i < len(data) {
		if !h.inLine {
			j := bytes.IndexByte(data[i:], '\n')
			if j < 0 {
				h.skipped += int64(len(data) - i)
				return len(data)
			}
			h.skipped += int64(j + 1)
			i += j + 1
			h.inLine = true
			h.line = h.line[:0]
			continue
		}
		if len(h.line) == 0 {
			b := data[i]
			if h.strict && (b == '\r' || b == '\n') {
				i++ // empty lines before a message are tolerated
				continue
			}
			if b < 'A' || b > 'Z' {
				if h.notStart(); h.c.ignore {
					return len(data)
				}
				continue
			}
			h.lineAt, h.lineFrm = h.ciAt(base + i)
		}
		j := bytes.IndexByte(data[i:], '\n')
		if j < 0 {
			if len(h.line)+len(data)-i > maxStartLine {
				h.skipped += int64(len(h.line) + len(data) - i)
				h.line = h.line[:0]
				h.notStart()
				h.inLine = false
				return len(data)
			}
			h.line = append(h.line, data[i:]...)
			return len(data)
		}
		line := data[i : i+j+1]
		if len(h.line) > 0 {
			h.line = append(h.line, line...)
			line = h.line
		}
		i += j + 1
		if startLine(line) != 0 {
			h.head = append(h.head[:0], line...)
			h.headScan = len(h.head) - 1
			h.headAt, h.headFrm = h.lineAt, h.lineFrm
			h.line = h.line[:0]
			h.st = stHead
			return i
		}
		h.skipped += int64(len(line))
		h.line = h.line[:0]
		if h.notStart(); h.c.ignore {
			return len(data)
		}
		h.inLine = true // the next line is a candidate
	}
	return i
}

// notStart handles bytes that cannot start a message where one must.
func (h *half) notStart() {
	h.inLine = false
	if !h.strict {
		return
	}
	h.strict = false
	if h.messages == 0 && !h.c.sawHTTP {
		// The connection's own first bytes are not HTTP.
		h.notHTTP = true
		h.c.ignore = true
		return
	}
	h.c.rd.warnf("%s: unexpected bytes after an HTTP message in the %s stream (frame %d); skipping to the next message", h.c.label(), h.side(), h.frame)
}

// startLine tells a request line (1) or a status line (2) from anything
// else (0). The line includes its '\n'.
func startLine(line []byte) int {
	line = bytes.TrimRight(line, "\r\n")
	if bytes.HasPrefix(line, []byte("HTTP/1.")) {
		if len(line) >= 12 && isDigit(line[7]) && line[8] == ' ' && isDigit(line[9]) && isDigit(line[10]) && isDigit(line[11]) && (len(line) == 12 || line[12] == ' ') {
			return 2
		}
		return 0
	}
	sp := bytes.IndexByte(line, ' ')
	if sp < 1 || sp > 24 {
		return 0
	}
	for _, b := range line[:sp] {
		if (b < 'A' || b > 'Z') && b != '-' && b != '_' {
			return 0
		}
	}
	rest := line[sp+1:]
	sp2 := bytes.LastIndexByte(rest, ' ')
	if sp2 < 1 || bytes.IndexByte(rest[:sp2], ' ') >= 0 {
		return 0
	}
	proto := rest[sp2+1:]
	if len(proto) != 8 || !bytes.HasPrefix(proto, []byte("HTTP/1.")) || !isDigit(proto[7]) {
		return 0
	}
	return 1
}

func isDigit(b byte) bool { return b >= '0' && b <= '9' }

// headBytes reads the header block; it returns the bytes consumed.
func (h *half) headBytes(data []byte, base int) int {
	old := len(h.head)
	take := min(len(data), maxHead+4-old)
	h.head = append(h.head, data[:take]...)
	for {
		j := bytes.IndexByte(h.head[h.headScan:], '\n')
		if j < 0 {
			h.headScan = len(h.head)
			break
		}
		p := h.headScan + j
		end := -1
		switch {
		case p+1 < len(h.head) && h.head[p+1] == '\n':
			end = p + 2
		case p+2 < len(h.head) && h.head[p+1] == '\r' && h.head[p+2] == '\n':
			end = p + 3
		case p+1 == len(h.head) || (p+2 == len(h.head) && h.head[p+1] == '\r'):
			h.headScan = p // wait for the next bytes
			if len(h.head) > maxHead {
				break
			}
			return take
		}
		if end >= 0 {
			consumed := end - old
			head := h.head[:end]
			h.m = nil
			// Bytes of the head that were padding make it unreliable.
			snap := h.fakeIn(base, base+consumed)
			h.beginMessage(head)
			if h.m != nil {
				h.m.snap += snap
			}
			h.head = h.head[:0]
			if h.m != nil && h.m.mode == bodyNone {
				h.endMessage(0)
			}
			return consumed
		}
		h.headScan = p + 1
	}
	if len(h.head) > maxHead {
		h.c.rd.warnf("%s: HTTP header block over %d bytes in the %s stream (frame %d); skipping it", h.c.label(), maxHead, h.side(), h.headFrm)
		h.head = h.head[:0]
		h.lost()
	}
	return take
}

// beginMessage parses a header block and sets up the message and its
// body.
func (h *half) beginMessage(head []byte) {
	// One string for the whole block: names and values are slices of it.
	lines := splitLines(string(head))
	if len(lines) == 0 {
		return
	}
	first := lines[0]
	hdr := parseHeader(lines[1:])
	kind := startLine([]byte(first))
	c := h.c
	if kind == 1 {
		if c.clientIdx < 0 {
			c.clientIdx = h.idx
		} else if c.clientIdx != h.idx {
			h.c.rd.warnf("%s: a request line in the server→client stream (frame %d); skipped", c.label(), h.headFrm)
			h.lost()
			return
		}
		method, rest, _ := strings.Cut(first, " ")
		sp := strings.LastIndexByte(rest, ' ')
		x := &exch{}
		x.ex.Method, x.ex.URL, x.ex.Proto = method, rest[:sp], rest[sp+1:]
		x.ex.ReqHeader = hdr
		x.ex.Host = hdr.Get("Host")
		x.ex.Started = h.headAt
		x.frame(h.headFrm)
		c.queue = append(c.queue, x)
		m := &message{x: x, body: &x.ex.ReqBody}
		h.m = m
		m.mode, m.rem = requestFraming(hdr, h, x)
	} else {
		if c.clientIdx < 0 {
			c.clientIdx = 1 - h.idx
		} else if c.clientIdx == h.idx {
			h.c.rd.warnf("%s: a status line in the client→server stream (frame %d); skipped", c.label(), h.headFrm)
			h.lost()
			return
		}
		code, _ := strconv.Atoi(first[9:12])
		text := ""
		if len(first) > 13 {
			text = first[13:]
		}
		if code >= 100 && code < 200 && code != 101 {
			// An interim response (100 Continue): the real one follows.
			c.sawHTTP, c.rd.sawHTTP = true, true
			h.messages++
			h.toNext()
			return
		}
		x := c.nextAwaiting()
		if x == nil {
			x = &exch{noReq: true}
			x.ex.ReqPartial = true
			x.addErr("request not captured")
			x.ex.Started = h.headAt
			c.queue = append(c.queue, x)
		}
		x.respStarted = true
		x.ex.Status, x.ex.StatusText = code, text
		x.ex.RespHeader = hdr
		x.ex.ResponseStart = h.headAt
		x.frame(h.headFrm)
		m := &message{x: x, resp: true, body: &x.ex.RespBody}
		h.m = m
		m.mode, m.rem = responseFraming(hdr, code, x.ex.Method, h, x)
		if code == 101 || (x.ex.Method == "CONNECT" && code/100 == 2) {
			m.mode, m.tunnel = bodyNone, true
		}
	}
	if h.midStream && !c.sawHTTP && !c.midWarn {
		c.midWarn = true
		if n := c.h[0].skipped + c.h[1].skipped; n > 0 {
			c.rd.warnf("%s: connection start not captured; skipped %d bytes to the first HTTP message (frame %d)", c.label(), n, h.headFrm)
		} else {
			c.rd.warnf("%s: connection start not captured; picked up at an HTTP message (frame %d)", c.label(), h.headFrm)
		}
	}
	c.sawHTTP, c.rd.sawHTTP = true, true
	h.messages++
	m := h.m
	switch m.mode {
	case bodyLen:
		h.st = stBodyLen
		*m.body = make([]byte, 0, min(m.rem, 1<<20, h.c.rd.maxBody))
	case bodyChunked:
		h.st = stChunkSize
	case bodyClose:
		h.st = stBodyClose
	}
}

// requestFraming says how a request body is delimited (RFC 9112 6.3).
func requestFraming(hdr http.Header, h *half, x *exch) (bodyMode, int64) {
	if te := hdr.Values("Transfer-Encoding"); len(te) > 0 {
		if lastCoding(te) == "chunked" {
			return bodyChunked, 0
		}
		x.addErr("request with a Transfer-Encoding other than chunked: body not delimited")
		return bodyNone, 0
	}
	if cl, ok, bad := contentLength(hdr); bad {
		x.addErr("request with an invalid Content-Length: body not read")
		return bodyNone, 0
	} else if ok && cl > 0 {
		return bodyLen, cl
	}
	return bodyNone, 0
}

// responseFraming says how a response body is delimited.
func responseFraming(hdr http.Header, code int, method string, h *half, x *exch) (bodyMode, int64) {
	if method == "HEAD" || code == 204 || code == 304 || (code >= 100 && code < 200) {
		return bodyNone, 0
	}
	if te := hdr.Values("Transfer-Encoding"); len(te) > 0 {
		if lastCoding(te) == "chunked" {
			return bodyChunked, 0
		}
		return bodyClose, 0
	}
	if cl, ok, bad := contentLength(hdr); bad {
		x.addErr("response with an invalid Content-Length: body read to the end of the connection")
		return bodyClose, 0
	} else if ok {
		if cl == 0 {
			return bodyNone, 0
		}
		return bodyLen, cl
	}
	return bodyClose, 0
}

func lastCoding(values []string) string {
	v := values[len(values)-1]
	if i := strings.LastIndexByte(v, ','); i >= 0 {
		v = v[i+1:]
	}
	return strings.ToLower(strings.TrimSpace(v))
}

// contentLength reads Content-Length: ok when present, bad when invalid
// (not a number, or differing values).
func contentLength(hdr http.Header) (n int64, ok, bad bool) {
	vals := hdr.Values("Content-Length")
	if len(vals) == 0 {
		return 0, false, false
	}
	n = -1
	for _, v := range vals {
		for _, p := range strings.Split(v, ",") {
			k, err := strconv.ParseInt(strings.TrimSpace(p), 10, 64)
			if err != nil || k < 0 || (n >= 0 && k != n) {
				return 0, false, true
			}
			n = k
		}
	}
	return n, true, false
}

func splitLines(head string) []string {
	out := make([]string, 0, 24)
	for len(head) > 0 {
		j := strings.IndexByte(head, '\n')
		if j < 0 {
			break // an unfinished line (partial head) is left out
		}
		l := strings.TrimSuffix(head[:j], "\r")
		head = head[j+1:]
		if len(l) == 0 {
			break
		}
		out = append(out, l)
	}
	return out
}

func parseHeader(lines []string) http.Header {
	h := make(http.Header, len(lines))
	// One backing array for the values of all the names (most have one).
	vals := make([]string, len(lines))
	var last string
	for i, l := range lines {
		if (l[0] == ' ' || l[0] == '\t') && last != "" {
			// obsolete line folding
			v := h[last]
			v[len(v)-1] += " " + strings.TrimSpace(l)
			continue
		}
		name, value, ok := strings.Cut(l, ":")
		if !ok {
			continue
		}
		name = strings.TrimSpace(name)
		if name == "" {
			continue
		}
		key := textproto.CanonicalMIMEHeaderKey(name)
		vals[i] = strings.TrimSpace(value)
		if old, ok := h[key]; ok {
			h[key] = append(old[:len(old):len(old)], vals[i])
		} else {
			h[key] = vals[i : i+1 : i+1]
		}
		last = key
	}
	return h
}

// appendBody adds body bytes fed at offset off of the current delivery.
func (h *half) appendBody(p []byte, off int) {
	m := h.m
	if len(h.curFakes) > 0 {
		m.snap += h.fakeIn(off, off+len(p))
	}
	h.addBody(p, len(p))
}

// addBody adds n bytes: p, or zeros when p is nil (a gap).
func (h *half) addBody(p []byte, n int) {
	m := h.m
	before := len(*m.body)
	room := h.c.rd.maxBody - int64(before)
	if int64(n) > room {
		m.dropped += int64(n) - max(room, 0)
		n = int(max(room, 0))
	}
	if p == nil {
		*m.body = append(*m.body, make([]byte, n)...)
	} else {
		*m.body = append(*m.body, p[:n]...)
	}
	if m.resp && m.mode != bodyChunked && n > 0 {
		// Unchunked bodies: one timeline entry per burst of segments.
		ch := &m.x.ex.Chunks
		if k := len(*ch); k > 0 && h.at.Sub(m.lastAt) < burst && (*ch)[k-1].Offset+(*ch)[k-1].Length == before {
			(*ch)[k-1].Length += n
			(*ch)[k-1].At = h.at
		} else {
			*ch = append(*ch, trace.Chunk{Offset: before, Length: n, At: h.at})
		}
		m.lastAt = h.at
	}
}

// lineBytes reads chunk-size and trailer lines.
func (h *half) lineBytes(data []byte, base int) int {
	j := bytes.IndexByte(data, '\n')
	limit := maxChunkLine
	if h.st == stTrailer {
		limit = maxTrailer
	}
	if j < 0 {
		if len(h.line)+len(data) > limit {
			h.broken("overlong chunk-size or trailer line")
			return len(data)
		}
		h.line = append(h.line, data...)
		return len(data)
	}
	line := data[:j]
	if len(h.line) > 0 {
		h.line = append(h.line, line...)
		line = h.line
	}
	line = bytes.TrimRight(line, "\r")
	if h.st == stTrailer {
		h.line = h.line[:0]
		if len(line) == 0 {
			h.endMessage(0)
		}
		return j + 1
	}
	size := bytes.TrimSpace(line)
	if k := bytes.IndexByte(size, ';'); k >= 0 {
		size = bytes.TrimSpace(size[:k])
	}
	n, err := strconv.ParseUint(string(size), 16, 63)
	h.line = h.line[:0]
	if err != nil || len(size) == 0 || len(size) > 15 {
		h.broken(fmt.Sprintf("bad chunk size %q", clip(line)))
		return j + 1
	}
	m := h.m
	if n == 0 {
		h.st = stTrailer
		return j + 1
	}
	m.rem = int64(n)
	m.chunkAt = len(*m.body)
	if room := h.c.rd.maxBody - int64(len(*m.body)); room > 0 {
		// Make room for the chunk at once (bounded by what is left of
		// MaxBody and by 1 MiB, not by the untrusted size).
		*m.body = slices.Grow(*m.body, int(min(m.rem, room, 1<<20)))
	}
	h.st = stChunkData
	return j + 1
}

func clip(b []byte) string {
	if len(b) > 32 {
		return string(b[:32]) + "…"
	}
	return string(b)
}

// chunkDone records a complete chunk on the response timeline.
func (h *half) chunkDone() {
	m := h.m
	if m.resp {
		end := len(*m.body)
		if end > m.chunkAt {
			m.x.ex.Chunks = append(m.x.ex.Chunks, trace.Chunk{Offset: m.chunkAt, Length: end - m.chunkAt, At: h.at})
		}
	}
	h.st, h.cr = stChunkCRLF, false
}

// broken ends the current message on a framing error and looks for the
// next one.
func (h *half) broken(why string) {
	if m := h.m; m != nil {
		m.x.addErr("HTTP framing error: " + why)
		h.c.rd.warnf("%s: HTTP framing error in the %s stream (frame %d): %s", h.c.label(), h.side(), h.frame, why)
		m.cut = true
		h.endMessage(0)
	}
	h.lost()
}

// lost drops what is being parsed and skips to the next start line.
func (h *half) lost() {
	h.m = nil
	h.st, h.strict, h.inLine = stSync, false, false
	h.line, h.head = h.line[:0], h.head[:0]
}

// toNext waits for the next message after one ended.
func (h *half) toNext() {
	h.m = nil
	h.st, h.strict, h.inLine = stSync, true, true
	h.line = h.line[:0]
}

// endMessage finishes the current message. kind is 0 for a message that
// ended by its own framing, or why it was cut short.
func (h *half) endMessage(kind endKind) {
	m := h.m
	if m == nil {
		h.toNext()
		return
	}
	x := m.x
	ex := &x.ex
	partial := kind != 0 || m.cut || m.snap > 0 || m.lost > 0 || m.dropped > 0
	what := "request"
	if m.resp {
		what = "response"
	}
	if kind != 0 {
		x.addErr(endText(kind, m.resp))
	}
	if m.snap > 0 {
		x.addErr(fmt.Sprintf("%d bytes of the %s were cut by the capture's snap length (zeros in their place)", m.snap, what))
	}
	if m.lost > 0 {
		x.addErr(fmt.Sprintf("%d bytes of the %s were missing from the capture (zeros in their place)", m.lost, what))
	}
	if m.dropped > 0 {
		x.addErr(fmt.Sprintf("%s body over %d bytes: the rest (%d bytes) was dropped", what, h.c.rd.maxBody, m.dropped))
	}
	hdr := ex.ReqHeader
	if m.resp {
		hdr = ex.RespHeader
	}
	if enc := hdr.Get("Content-Encoding"); enc != "" {
		var chunks *[]trace.Chunk
		if m.resp {
			chunks = &ex.Chunks
		}
		if err := decodeContent(m.body, chunks, enc, h.c.rd.maxBody); err != nil {
			x.addErr(fmt.Sprintf("%s body: %v", what, err))
		}
	}
	x.frame(h.frame)
	if m.resp {
		x.respDone = true
		ex.Ended = h.at
		if partial {
			ex.RespPartial = true
		}
	} else {
		x.reqDone = true
		ex.RequestDone = h.at
		if partial {
			ex.ReqPartial = true
		}
		if c := h.c; c.clientIdx >= 0 && c.h[1-c.clientIdx].closed && !x.respDone && !x.respStarted {
			// The server's side is already closed: no response can come.
			x.respDone = true
			c.noResponse(x, endFIN)
		}
	}
	tunnel := m.tunnel
	h.toNext()
	if tunnel {
		h.c.ignore = true
	}
	h.c.emit(false)
}

// gap handles n bytes missing from the stream (lost or uncaptured
// segments that reassembly gave up waiting for).
func (h *half) gap(n int64) {
	if !h.c.gapWarn && h.st != stStart {
		h.c.gapWarn = true
		h.c.rd.warnf("%s: %d bytes missing from the %s stream (frame %d): segments lost or not captured", h.c.label(), n, h.side(), h.frame)
	}
	m := h.m
	switch h.st {
	case stStart:
		h.st, h.strict, h.inLine = stSync, false, false
		return
	case stSync:
		if h.strict && h.messages > 0 {
			h.c.rd.warnf("%s: %d bytes missing between HTTP messages in the %s stream (frame %d)", h.c.label(), n, h.side(), h.frame)
		}
		h.strict, h.inLine = false, false
		h.line = h.line[:0]
		h.skipped += n
		return
	case stBodyLen, stChunkData:
		if k := min(n, m.rem); k <= maxGapFill {
			h.addBody(nil, int(k))
			m.lost += k
			m.rem -= k
			n -= k
			if n == 0 {
				if m.rem == 0 {
					if h.st == stBodyLen {
						h.endMessage(0)
					} else {
						h.chunkDone()
					}
				}
				return
			}
			if h.st == stBodyLen {
				// The gap runs past the body into what follows.
				h.endMessage(0)
				h.lost()
				return
			}
		}
	case stBodyClose:
		if n <= maxGapFill {
			h.addBody(nil, int(n))
			m.lost += n
			return
		}
	case stHead:
		h.partialHead(0)
	}
	if h.m != nil {
		h.m.cut = true
		h.endMessage(0)
	}
	h.lost()
}

// partialHead turns a header block cut short into a partial message.
func (h *half) partialHead(kind endKind) {
	if len(h.head) == 0 {
		return
	}
	head := h.head
	h.head = h.head[:0]
	h.beginMessage(head)
	if h.m != nil {
		h.m.x.addErr("the header block was cut short")
		h.m.cut = true
	}
}

// end handles the end of this direction: FIN, reset, or the capture's end.
func (h *half) end(kind endKind) {
	if h.closed {
		return
	}
	h.closed = true
	c := h.c
	if !c.ignore {
		switch h.st {
		case stHead:
			h.partialHead(kind)
			h.endMessage(kind)
		case stBodyLen, stChunkSize, stChunkData, stChunkCRLF, stTrailer:
			h.endMessage(kind)
		case stBodyClose:
			if kind == endFIN {
				h.endMessage(0)
			} else {
				h.endMessage(kind)
			}
		}
	}
	if c.clientIdx >= 0 && h.idx != c.clientIdx {
		// The server's side ended: requests still waiting get no response.
		for _, x := range c.queue {
			if !x.respStarted && !x.respDone && !x.noReq {
				x.respDone = true
				c.noResponse(x, kind)
			}
		}
	}
	c.emit(false)
}

package mapihttp

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"

	"github.com/mapiscope/mapiscope/decode/wire"
)

// MetaTag is a response meta-tag — [MS-OXCMAPIHTTP] 2.2.7. A response body
// (after HTTP de-chunking) starts with PROCESSING, then zero or more
// PENDING keep-alives, then DONE, each on its own CRLF-terminated line;
// after DONE come additional header lines (X-ResponseCode, X-ElapsedTime,
// X-StartTime, …), an empty line, and the binary response body.
type MetaTag string

const (
	Processing MetaTag = "PROCESSING" // the server queued the request
	Pending    MetaTag = "PENDING"    // keep-alive while the server works
	Done       MetaTag = "DONE"       // processing finished; headers follow
)

var metaTags = []MetaTag{Processing, Pending, Done}

// MaxLine bounds a meta-tag or additional-header line; a longer line is
// garbage.
const MaxLine = 64 << 10

// Error is a framing error in a response body, at Offset.
type Error struct {
	Offset int
	Reason string
}

func (e *Error) Error() string { return fmt.Sprintf("offset %d: %s", e.Offset, e.Reason) }

// TagAt is a meta-tag and the offset of its line.
type TagAt struct {
	Tag    MetaTag
	Offset int
}

// HeaderLine is one additional header after DONE. Line is the line as
// received (without its line ending); Offset is where it starts.
type HeaderLine struct {
	Name, Value string
	Line        string
	Offset      int
}

// text returns the line to write.
func (h HeaderLine) text() string {
	if h.Line != "" {
		return h.Line
	}
	return h.Name + ": " + h.Value
}

// EventKind says what a MetaScanner event reports.
type EventKind uint8

const (
	// EventMetaTag: a meta-tag line is complete (Tag, Offset).
	EventMetaTag EventKind = iota + 1
	// EventHeader: an additional header line is complete (Name, Value).
	EventHeader
	// EventHeadersEnd: the empty line after the additional headers; the
	// binary body starts at Offset.
	EventHeadersEnd
	// EventBody: body bytes from this Feed (Data aliases the fed slice).
	EventBody
	// EventAnomaly: something is wrong at Offset (Reason). After a framing
	// error the scanner delivers every remaining byte as EventBody.
	EventAnomaly
)

// Event is one thing a MetaScanner saw.
type Event struct {
	Kind   EventKind
	Offset int
	Tag    MetaTag
	Name   string
	Value  string
	Line   string
	Data   []byte
	Reason string
}

type scanState uint8

const (
	stTags scanState = iota
	stHeaders
	stBody
)

// MetaScanner parses a response body as it arrives, one chunk at a time,
// reporting each meta-tag as soon as its line is complete (so that a proxy
// can time PROCESSING / PENDING / DONE). It keeps only the current partial
// line; body bytes are handed back, not stored. The zero value is ready.
type MetaScanner struct {
	off       int // absolute offset of the next byte
	state     scanState
	line      []byte
	lineStart int
	tags      []TagAt
	headers   []HeaderLine
	bodyOff   int
	inBody    bool
	complete  bool
	anomalies []wire.Anomaly
	err       *Error
}

// Feed scans p and returns what it completed.
func (s *MetaScanner) Feed(p []byte) []Event {
	var ev []Event
	for len(p) > 0 {
		if s.state == stBody {
			ev = append(ev, Event{Kind: EventBody, Offset: s.off, Data: p})
			s.off += len(p)
			return ev
		}
		if len(s.line) == 0 {
			s.lineStart = s.off
		}
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			s.line = append(s.line, p...)
			s.off += len(p)
			p = nil
			ev = s.checkPartial(ev)
			continue
		}
		s.line = append(s.line, p[:i]...)
		s.off += i + 1
		p = p[i+1:]
		ev = s.endLine(ev)
		if s.state == stBody && !s.inBody {
			// a framing error turned the held line into body bytes
			ev = s.flushGarbage(ev)
		}
	}
	return ev
}

// checkPartial spots garbage before its line ends: a partial line in the
// meta-tag section that cannot begin a meta-tag, or an overlong line.
func (s *MetaScanner) checkPartial(ev []Event) []Event {
	switch s.state {
	case stTags:
		l := bytes.TrimSuffix(s.line, []byte("\r"))
		for _, t := range metaTags {
			if len(l) <= len(t) && string(t[:len(l)]) == string(l) {
				return ev
			}
		}
		ev = s.fail(ev, s.lineStart, "response body does not start with the meta-tags PROCESSING / PENDING / DONE")
		return s.flushGarbage(ev)
	case stHeaders:
		if len(s.line) > MaxLine {
			ev = s.fail(ev, s.lineStart, fmt.Sprintf("additional header line longer than %d bytes", MaxLine))
			return s.flushGarbage(ev)
		}
	}
	return ev
}

// flushGarbage delivers the held partial line as body after an error.
func (s *MetaScanner) flushGarbage(ev []Event) []Event {
	if len(s.line) > 0 {
		ev = append(ev, Event{Kind: EventBody, Offset: s.lineStart, Data: s.line})
		s.line = nil
	}
	s.inBody = true
	return ev
}

func (s *MetaScanner) note(ev []Event, off int, reason string) []Event {
	s.anomalies = append(s.anomalies, wire.Anomaly{Offset: off, Reason: reason})
	return append(ev, Event{Kind: EventAnomaly, Offset: off, Reason: reason})
}

// fail records a framing error and switches to body mode from off.
func (s *MetaScanner) fail(ev []Event, off int, reason string) []Event {
	if s.err == nil {
		s.err = &Error{Offset: off, Reason: reason}
	}
	ev = s.note(ev, off, reason)
	s.state = stBody
	s.bodyOff = off
	return ev
}

// endLine handles a complete line (without its '\n') held in s.line.
func (s *MetaScanner) endLine(ev []Event) []Event {
	raw := s.line
	l := raw
	if n := len(l); n > 0 && l[n-1] == '\r' {
		l = l[:n-1]
	} else {
		ev = s.note(ev, s.lineStart, "line ends with LF instead of CRLF")
	}
	text := string(l)
	switch s.state {
	case stTags:
		tag := MetaTag(text)
		switch tag {
		case Processing, Pending, Done:
		default:
			// keep the raw line as the start of the body
			s.line = append(raw, '\n')
			return s.fail(ev, s.lineStart, fmt.Sprintf("expected a meta-tag line, found %q", clip(text)))
		}
		if len(s.tags) == 0 && tag != Processing {
			ev = s.note(ev, s.lineStart, fmt.Sprintf("first meta-tag is %s, not PROCESSING", tag))
		} else if len(s.tags) > 0 && tag == Processing {
			ev = s.note(ev, s.lineStart, "PROCESSING repeated")
		}
		s.tags = append(s.tags, TagAt{Tag: tag, Offset: s.lineStart})
		ev = append(ev, Event{Kind: EventMetaTag, Offset: s.lineStart, Tag: tag, Line: text})
		if tag == Done {
			s.state = stHeaders
		}
	case stHeaders:
		if text == "" {
			s.state = stBody
			s.inBody = true
			s.complete = true
			s.bodyOff = s.off
			ev = append(ev, Event{Kind: EventHeadersEnd, Offset: s.off})
			break
		}
		name, value, ok := strings.Cut(text, ":")
		if !ok || strings.TrimSpace(name) == "" || strings.ContainsAny(name, " \t") {
			s.line = append(raw, '\n')
			return s.fail(ev, s.lineStart, fmt.Sprintf("expected an additional header line or an empty line after DONE, found %q", clip(text)))
		}
		h := HeaderLine{
			Name:   strings.TrimSpace(name),
			Value:  strings.TrimSpace(value),
			Line:   text,
			Offset: s.lineStart,
		}
		s.headers = append(s.headers, h)
		ev = append(ev, Event{Kind: EventHeader, Offset: s.lineStart, Name: h.Name, Value: h.Value, Line: text})
	}
	s.line = s.line[:0]
	return ev
}

func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

// Finish ends the input and returns what that completes: a body without
// DONE, or whose additional headers never end, is a framing error, and an
// unfinished line is handed back as body.
func (s *MetaScanner) Finish() []Event {
	off := s.off
	if len(s.line) > 0 {
		off = s.lineStart // the unfinished line becomes the body
	}
	var ev []Event
	switch s.state {
	case stTags:
		ev = s.fail(ev, off, "response ends before the DONE meta-tag")
	case stHeaders:
		ev = s.fail(ev, off, "response ends inside the additional headers after DONE (no empty line)")
	default:
		return nil
	}
	return s.flushGarbage(ev)
}

// Close is Finish for callers that only want the framing error.
func (s *MetaScanner) Close() error {
	s.Finish()
	return s.Err()
}

// Tags returns the meta-tags seen so far.
func (s *MetaScanner) Tags() []TagAt { return s.tags }

// Headers returns the additional headers seen so far.
func (s *MetaScanner) Headers() []HeaderLine { return s.headers }

// InBody reports whether the scanner has reached the body.
func (s *MetaScanner) InBody() bool { return s.state == stBody }

// BodyOffset returns where the body starts (valid once InBody).
func (s *MetaScanner) BodyOffset() int { return s.bodyOff }

// Offset returns the number of bytes fed so far.
func (s *MetaScanner) Offset() int { return s.off }

// Anomalies returns every anomaly found so far.
func (s *MetaScanner) Anomalies() []wire.Anomaly { return s.anomalies }

// Err returns the framing error, if any.
func (s *MetaScanner) Err() error {
	if s.err == nil {
		return nil
	}
	return s.err
}

// Framed is a parsed response body.
type Framed struct {
	Tags    []TagAt
	Headers []HeaderLine
	// Body is the binary body after the empty line (after a framing error:
	// everything from the error on). It aliases the input.
	Body       []byte
	BodyOffset int
	// Complete reports that the empty line ending the additional headers
	// was seen (the body is where the specification puts it).
	Complete  bool
	Anomalies []wire.Anomaly
}

// ParseResponseBody parses a whole (de-chunked) response body. It always
// returns a Framed with what it found; err reports a missing DONE, an
// unterminated header block, or garbage, with its offset.
func ParseResponseBody(b []byte) (*Framed, error) {
	var s MetaScanner
	s.Feed(b)
	err := s.Close()
	f := &Framed{Tags: s.tags, Headers: s.headers, Anomalies: s.anomalies, Complete: s.complete}
	if s.state == stBody && s.bodyOff <= len(b) {
		f.BodyOffset = s.bodyOff
		f.Body = b[s.bodyOff:len(b):len(b)]
	} else {
		f.BodyOffset = len(b)
	}
	return f, err
}

// Done reports whether the DONE meta-tag was seen.
func (f *Framed) Done() bool {
	for _, t := range f.Tags {
		if t.Tag == Done {
			return true
		}
	}
	return false
}

// Pendings counts the PENDING keep-alives.
func (f *Framed) Pendings() int {
	n := 0
	for _, t := range f.Tags {
		if t.Tag == Pending {
			n++
		}
	}
	return n
}

// Header returns the additional headers as an http.Header.
func (f *Framed) Header() http.Header {
	h := http.Header{}
	for _, l := range f.Headers {
		h.Add(l.Name, l.Value)
	}
	return h
}

// View returns the MAPI/HTTP view of the additional headers.
func (f *Framed) View() Headers { return ParseHeaders(f.Header()) }

// Bytes rebuilds the response body (CRLF line endings).
func (f *Framed) Bytes() []byte {
	var out []byte
	for _, t := range f.Tags {
		out = AppendMetaTag(out, t.Tag)
	}
	for _, h := range f.Headers {
		out = append(out, h.text()...)
		out = append(out, '\r', '\n')
	}
	if f.Complete {
		out = append(out, '\r', '\n')
	}
	return append(out, f.Body...)
}

// AppendMetaTag appends one meta-tag line ("PENDING\r\n").
func AppendMetaTag(dst []byte, t MetaTag) []byte {
	dst = append(dst, t...)
	return append(dst, '\r', '\n')
}

func appendHeaders(dst []byte, headers []HeaderLine) []byte {
	for _, h := range headers {
		dst = append(dst, h.text()...)
		dst = append(dst, '\r', '\n')
	}
	return append(dst, '\r', '\n')
}

// AppendDone appends the DONE meta-tag, the additional headers and the
// empty line that ends them: what precedes the binary body in the final
// chunk.
func AppendDone(dst []byte, headers []HeaderLine) []byte {
	return appendHeaders(AppendMetaTag(dst, Done), headers)
}

// BuildResponseBody builds a whole response body: PROCESSING, pending
// PENDING keep-alives, DONE, the additional headers, the empty line, and
// body. A server that streams writes AppendMetaTag(nil, Processing) first,
// a PENDING line every X-PendingPeriod, and AppendDone plus the body last.
func BuildResponseBody(pending int, headers []HeaderLine, body []byte) []byte {
	out := AppendMetaTag(nil, Processing)
	for range pending {
		out = AppendMetaTag(out, Pending)
	}
	out = AppendDone(out, headers)
	return append(out, body...)
}

// DoneHeaders returns the usual additional headers after DONE.
func DoneHeaders(code ResponseCode, elapsedMillis int64, startTime string) []HeaderLine {
	h := []HeaderLine{
		{Name: HeaderResponseCode, Value: fmt.Sprint(uint32(code))},
		{Name: HeaderElapsedTime, Value: fmt.Sprint(elapsedMillis)},
	}
	if startTime != "" {
		h = append(h, HeaderLine{Name: HeaderStartTime, Value: startTime})
	}
	return h
}

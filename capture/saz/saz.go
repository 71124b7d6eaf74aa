// Package saz reads and writes Fiddler session archives (.saz).
//
// A SAZ file is a zip holding, for each session NN (numbered from 1,
// zero-padded to any width), raw/NN_c.txt (the request as on the wire:
// request line, headers, body), raw/NN_s.txt (the response likewise;
// Fiddler keeps chunked and gzip bodies as they arrived unless the user
// decoded them) and raw/NN_m.xml (timers, flags). [Content_Types].xml and
// _index.htm are for other tools and people.
//
// Reading gives one trace.Exchange per session, bodies de-chunked and
// content-decoded (gzip, deflate; other codings are kept as sent) with the
// headers as they were. Timers map to the exchange as:
//
//	Started       ClientBeginRequest (else GotRequestHeaders, ClientConnected)
//	RequestDone   ClientDoneRequest
//	ResponseStart ServerBeginResponse (else GotResponseHeaders)
//	Ended         ClientDoneResponse (else ServerDoneResponse)
//
// Fiddler records no time for the chunks of a body, so the chunk timeline
// of a chunked response keeps the chunk boundaries and gives every chunk
// the time the response ended: the order and sizes are real, spacing in
// time is unknown and not made up. An unchunked body is one chunk.
// Archives written by this package also carry an x-mapiscope session flag
// (JSON) with the exact times (Fiddler's timers hold 100 ns), the chunk
// timeline and the exchange fields a raw message cannot hold; reading
// prefers it, so writing then reading gives the same exchange back.
//
// Session flags x-clientip and x-clientport give Client ("ip:port") and
// Conn ("tcp/ip:port": exchanges on one client connection share it);
// x-hostip gives Server, with the port of the URL (or Host header, or
// the scheme's). The request target is kept as in the file: Fiddler
// writes absolute URLs ("POST https://host/mapi/emsmdb/?… HTTP/1.1").
//
// Limits: header names are canonicalized (X-Requesttype) and their order
// is not kept; content codings other than gzip and deflate (br, zstd) are
// kept as sent, with a note; WebSocket messages (raw/NN_w.txt) are not
// read; a password-protected archive is refused.
package saz

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/mapiscope/mapiscope/trace"
)

// Stats sums up a read.
type Stats struct {
	Sessions int      // exchanges passed to each
	Partial  int      // of which cut short or in error (ReqPartial, RespPartial or Error set)
	Notes    []string // what was read differently or left out, for people
}

// maxEntry bounds one file of the archive once decompressed.
var maxEntry int64 = 1 << 30

// ReadFile reads the archive at name; see Read.
func ReadFile(name string, each func(*trace.Exchange) error) (Stats, error) {
	f, err := os.Open(name)
	if err != nil {
		return Stats{}, fmt.Errorf("saz: %v", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return Stats{}, fmt.Errorf("saz: %v", err)
	}
	return read(f, fi.Size(), name, each)
}

// Read reads a Fiddler archive of size bytes and calls each with every
// session's exchange in session-number order. A broken session file gives
// an exchange marked partial with its Error; a file that is not a usable
// archive gives a one-line error. An error from each stops the read and is
// returned as is.
func Read(r io.ReaderAt, size int64, each func(*trace.Exchange) error) (Stats, error) {
	return read(r, size, "", each)
}

type session struct {
	key     string // NN as in the file names
	num     int
	numeric bool
	c, s, m *zip.File
}

func read(r io.ReaderAt, size int64, name string, each func(*trace.Exchange) error) (Stats, error) {
	var st Stats
	what := "the archive"
	if name != "" {
		what = name
	}
	zr, err := zip.NewReader(r, size)
	if err != nil && !(errors.Is(err, zip.ErrInsecurePath) && zr != nil) {
		var head [4]byte
		n, _ := r.ReadAt(head[:], 0)
		if n >= 2 && head[0] == 'P' && head[1] == 'K' {
			return st, fmt.Errorf("saz: %s is a damaged or truncated zip file (%v)", what, err)
		}
		return st, errors.New("saz: not a Fiddler archive (not a zip file)")
	}
	for _, f := range zr.File {
		if encrypted(f) {
			return st, errors.New("saz: the archive is password-protected; in Fiddler save it again with File > Save > All Sessions without a password")
		}
	}
	byKey := map[string]*session{}
	var sessions []*session
	hasRequest := false
	for _, f := range zr.File {
		n := strings.ReplaceAll(f.Name, `\`, "/")
		lower := strings.ToLower(n)
		if !strings.HasPrefix(lower, "raw/") || strings.HasSuffix(n, "/") {
			continue
		}
		base := n[len("raw/"):]
		lb := strings.ToLower(base)
		var kind string
		for _, suf := range []string{"_c.txt", "_s.txt", "_m.xml"} {
			if strings.HasSuffix(lb, suf) && len(base) > len(suf) {
				kind = suf
			}
		}
		if kind == "" {
			st.Notes = append(st.Notes, fmt.Sprintf("%s: not read (only raw/NN_c.txt, _s.txt and _m.xml are)", f.Name))
			continue
		}
		key := base[:len(base)-len(kind)]
		s := byKey[key]
		if s == nil {
			s = &session{key: key}
			s.num, err = strconv.Atoi(key)
			s.numeric = err == nil
			byKey[key] = s
			sessions = append(sessions, s)
		}
		switch kind {
		case "_c.txt":
			s.c = f
			hasRequest = true
		case "_s.txt":
			s.s = f
		case "_m.xml":
			s.m = f
		}
	}
	if !hasRequest {
		return st, fmt.Errorf("saz: %s is a zip but holds no Fiddler sessions (raw/NN_c.txt)", what)
	}
	slices.SortStableFunc(sessions, func(a, b *session) int {
		switch {
		case a.numeric && b.numeric && a.num != b.num:
			if a.num < b.num {
				return -1
			}
			return 1
		case a.numeric != b.numeric:
			if a.numeric {
				return -1
			}
			return 1
		}
		return strings.Compare(a.key, b.key)
	})
	for _, s := range sessions {
		e, notes := s.exchange()
		st.Sessions++
		if e.ReqPartial || e.RespPartial || e.Error != "" {
			st.Partial++
		}
		st.Notes = append(st.Notes, notes...)
		if err := each(e); err != nil {
			return st, err
		}
	}
	return st, nil
}

// encrypted reports a zip entry stored with a password: traditional
// PKWARE encryption (general purpose bit 0), or WinZip AES (method 99,
// extra field 0x9901).
func encrypted(f *zip.File) bool {
	if f.Flags&1 != 0 || f.Method == 99 {
		return true
	}
	x := f.Extra
	for len(x) >= 4 {
		id := uint16(x[0]) | uint16(x[1])<<8
		n := int(uint16(x[2]) | uint16(x[3])<<8)
		if id == 0x9901 {
			return true
		}
		if n > len(x)-4 {
			break
		}
		x = x[4+n:]
	}
	return false
}

func readEntry(f *zip.File) ([]byte, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, maxEntry+1))
	if int64(len(data)) > maxEntry {
		return data[:maxEntry], fmt.Errorf("larger than %d bytes", maxEntry)
	}
	return data, err
}

// exchange builds the session's exchange. It never fails: problems are
// recorded in Error (joined with "; ") and the partial flags.
func (s *session) exchange() (*trace.Exchange, []string) {
	e := &trace.Exchange{Source: "SAZ session " + s.key}
	if s.numeric {
		e.Source = "SAZ session " + strconv.Itoa(s.num)
	}
	var errs, notes []string
	var truncReq, truncResp []string // the request or response file stops short
	fail := func(format string, args ...any) { errs = append(errs, fmt.Sprintf(format, args...)) }
	file := func(f *zip.File) string { return f.Name }

	// Metadata first: it decides how to read the rest.
	var md metadata
	var x *extra
	if s.m != nil {
		data, err := readEntry(s.m)
		if err != nil {
			fail("%s: %v", file(s.m), err)
		}
		if len(data) > 0 || err == nil {
			md, err = parseMetadata(data)
			if err != nil {
				fail("%s: %v", file(s.m), err)
			}
		}
		if v, ok := md.flags[flagExtra]; ok {
			x, _ = parseExtra(v)
		}
	}

	// Request.
	if s.c == nil {
		e.ReqPartial = true
		fail("raw/%s_c.txt missing", s.key)
	} else {
		data, err := readEntry(s.c)
		if err != nil {
			e.ReqPartial = true
			fail("%s: %v", file(s.c), err)
		}
		m := parseMessage(data)
		method, target, proto, ok := splitRequestLine(m.start)
		if !ok {
			fail("%s: bad request line %.60q", file(s.c), m.start)
		}
		e.Method, e.URL, e.Proto = method, target, proto
		e.ReqHeader = m.header
		e.Host = m.header.Get("Host")
		if e.Host == "" {
			if u, err := url.Parse(target); err == nil && u.Host != "" {
				e.Host = u.Host
			}
		}
		body, bodyErr := contentDecode(m, &notes, e.Source, "request")
		e.ReqBody = body
		if bodyErr != "" {
			fail("request body: %s", bodyErr)
		}
		if m.partial {
			e.ReqPartial = true
			for _, n := range m.notes {
				truncReq = append(truncReq, fmt.Sprintf("%s: %s", file(s.c), n))
			}
		} else if short := shortBody(m); short != "" {
			e.ReqPartial = true
			truncReq = append(truncReq, fmt.Sprintf("%s: request %s", file(s.c), short))
		}
	}

	// Response.
	var resp message
	var respRaw []byte // body before content decoding, for chunk mapping
	haveResp := false
	if s.s != nil {
		data, err := readEntry(s.s)
		if err != nil {
			e.RespPartial = true
			fail("%s: %v", file(s.s), err)
		}
		for {
			resp = parseMessage(data)
			status, _, _ := parseStatusLine(resp.start)
			// Skip interim 1xx responses stored ahead of the final one.
			if status >= 100 && status < 200 && status != 101 && !resp.partial && len(resp.body) > 0 && !resp.chunked {
				data = resp.body
				continue
			}
			break
		}
		haveResp = true
		status, text, ok := parseStatusLine(resp.start)
		if !ok {
			fail("%s: bad status line %.60q", file(s.s), resp.start)
		}
		e.Status, e.StatusText = status, text
		e.RespHeader = resp.header
		respRaw = resp.body
		body, bodyErr := contentDecode(resp, &notes, e.Source, "response")
		e.RespBody = body
		if bodyErr != "" {
			fail("response body: %s", bodyErr)
		}
		if resp.partial {
			e.RespPartial = true
			for _, n := range resp.notes {
				truncResp = append(truncResp, fmt.Sprintf("%s: %s", file(s.s), n))
			}
		} else if short := shortBody(resp); short != "" && !noBody(e.Method, status) {
			e.RespPartial = true
			truncResp = append(truncResp, fmt.Sprintf("%s: response %s", file(s.s), short))
		}
	}

	// Where and when.
	t := md.timers
	e.Started = first(t["ClientBeginRequest"], t["GotRequestHeaders"], t["ClientConnected"])
	e.RequestDone = t["ClientDoneRequest"]
	e.ResponseStart = first(t["ServerBeginResponse"], t["GotResponseHeaders"])
	e.Ended = first(t["ClientDoneResponse"], t["ServerDoneResponse"])
	if ip := md.flags["x-clientip"]; ip != "" {
		e.Client = ip
		if p := md.flags["x-clientport"]; p != "" && p != "0" {
			e.Client = net.JoinHostPort(ip, p)
			e.Conn = "tcp/" + e.Client
		}
	}
	if ip := md.flags["x-hostip"]; ip != "" {
		e.Server = ip
		if p := serverPort(e.URL, e.Host, md.bitFlags&bitIsHTTPS != 0); p != "" {
			e.Server = net.JoinHostPort(ip, p)
		}
	}

	// Chunk timeline.
	if haveResp {
		if cs, ok := x.chunks(len(e.RespBody)); ok {
			e.Chunks = cs
		} else {
			e.Chunks = timeline(resp, respRaw, e.RespBody, e.Ended)
		}
	}

	// What only the writer's flag knows.
	if x == nil {
		errs = append(append(errs, truncReq...), truncResp...)
	} else {
		// The writer leaves a message short when the exchange was; other
		// shortness is news.
		if !strings.Contains(x.Partial, "request") {
			errs = append(errs, truncReq...)
		}
		if !strings.Contains(x.Partial, "response") {
			errs = append(errs, truncResp...)
		}
		if xu := string(x.URL); xu == e.URL || (strings.HasPrefix(xu, "/") && strings.HasSuffix(e.URL, xu)) || (xu == "" && e.URL == "/") {
			e.URL = xu
		}
		e.Host, e.Proto, e.Method = string(x.Host), string(x.Proto), string(x.Method)
		if x.HostAdded && e.ReqHeader != nil {
			delete(e.ReqHeader, "Host")
		}
		e.Client, e.Server, e.Conn = string(x.Client), string(x.Server), string(x.Conn)
		e.Started, e.RequestDone = parseExact(x.Times[0]), parseExact(x.Times[1])
		e.ResponseStart, e.Ended = parseExact(x.Times[2]), parseExact(x.Times[3])
		if x.ReqLength != nil && e.ReqHeader != nil {
			e.ReqHeader["Content-Length"] = plainStrings(x.ReqLength)
		}
		if x.RespLength != nil && e.RespHeader != nil {
			e.RespHeader["Content-Length"] = plainStrings(x.RespLength)
		}
		for _, p := range strings.Split(x.Partial, ",") {
			switch p {
			case "request":
				e.ReqPartial = true
			case "response":
				e.RespPartial = true
			}
		}
		// Problems found now that the writer did not know of are added.
		var fresh []string
		for _, m := range errs {
			if !strings.Contains(string(x.Error), m) {
				fresh = append(fresh, m)
			}
		}
		errs = fresh
		if x.Error != "" {
			errs = append([]string{string(x.Error)}, errs...)
		}
	}
	e.Error = strings.Join(errs, "; ")
	return e, notes
}

func first(ts ...time.Time) time.Time {
	for _, t := range ts {
		if !t.IsZero() {
			return t
		}
	}
	return time.Time{}
}

// timeline builds the chunk timeline of a response read from a raw file:
// one chunk per HTTP chunk (mapped into the decoded body when the body
// was content-encoded), or one for an unchunked body, all at the end of
// the response.
func timeline(m message, raw, body []byte, at time.Time) []trace.Chunk {
	if !m.chunked {
		if len(body) == 0 {
			return nil
		}
		return []trace.Chunk{{Offset: 0, Length: len(body), At: at}}
	}
	ends := m.ends
	if !bytes.Equal(raw, body) {
		ends = mapEnds(tokens(m.header, "Content-Encoding"), raw, ends, len(body))
	}
	var out []trace.Chunk
	prev := 0
	for _, end := range ends {
		out = append(out, trace.Chunk{Offset: prev, Length: end - prev, At: at})
		prev = end
	}
	if prev < len(body) {
		out = append(out, trace.Chunk{Offset: prev, Length: len(body) - prev, At: at})
	}
	return out
}

// contentDecode removes the content codings of a message's body. A coding
// not known here is kept (with a note); a body that does not decode is
// kept as sent and the reason returned.
func contentDecode(m message, notes *[]string, source, what string) ([]byte, string) {
	cs := tokens(m.header, "Content-Encoding")
	if len(cs) == 0 || len(m.body) == 0 {
		return m.body, ""
	}
	if !knownCodings(cs) {
		*notes = append(*notes, fmt.Sprintf("%s: %s body kept as sent (Content-Encoding %s not decoded)", source, what, strings.Join(cs, ", ")))
		return m.body, ""
	}
	out, err := decodeContent(cs, m.body, false)
	if err != nil {
		return m.body, fmt.Sprintf("%v; kept as sent", err)
	}
	return out, ""
}

// shortBody says whether an unchunked body holds fewer bytes than its
// Content-Length announces.
func shortBody(m message) string {
	if m.chunked {
		return ""
	}
	cl := m.header.Get("Content-Length")
	if cl == "" {
		return ""
	}
	n, err := strconv.ParseInt(strings.TrimSpace(cl), 10, 64)
	if err != nil || n <= int64(len(m.body)) {
		return ""
	}
	return fmt.Sprintf("body has %d of %d bytes (Content-Length)", len(m.body), n)
}

// noBody reports responses that have no body whatever their headers say.
func noBody(method string, status int) bool {
	return method == "HEAD" || method == "CONNECT" || (status >= 100 && status < 200) || status == 204 || status == 304
}

func splitRequestLine(line string) (method, target, proto string, ok bool) {
	i := strings.IndexByte(line, ' ')
	if i < 0 {
		return line, "", "", false
	}
	method = line[:i]
	rest := line[i+1:]
	j := strings.LastIndexByte(rest, ' ')
	if j < 0 {
		return method, rest, "", false
	}
	return method, rest[:j], rest[j+1:], method != "" && rest[:j] != ""
}

func parseStatusLine(line string) (status int, text string, ok bool) {
	_, rest, found := strings.Cut(line, " ")
	if !found {
		return 0, "", false
	}
	code, text, _ := strings.Cut(rest, " ")
	n, err := strconv.Atoi(code)
	if err != nil || n < 0 || n > 999 {
		return 0, "", false
	}
	return n, text, strings.HasPrefix(line, "HTTP/")
}

// serverPort is the port a request went to: from an absolute URL or the
// Host header, else the scheme's default.
func serverPort(target, host string, https bool) string {
	if u, err := url.Parse(target); err == nil && u.Host != "" {
		if p := u.Port(); p != "" {
			return p
		}
		switch u.Scheme {
		case "https":
			return "443"
		case "http":
			return "80"
		}
	}
	if _, p, err := net.SplitHostPort(host); err == nil && p != "" {
		return p
	}
	if https {
		return "443"
	}
	if host != "" || target != "" {
		return "80"
	}
	return ""
}

// schemeFor guesses the scheme of an origin-form request, for the
// absolute URL Fiddler wants in the request line: http when the port is
// 80 or 8080, https otherwise (MAPI over HTTP is normally HTTPS).
func schemeFor(host, server string) string {
	port := ""
	if _, p, err := net.SplitHostPort(host); err == nil {
		port = p
	} else if _, p, err := net.SplitHostPort(server); err == nil {
		port = p
	}
	if port == "80" || port == "8080" {
		return "http"
	}
	return "https"
}

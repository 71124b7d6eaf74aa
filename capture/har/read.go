package har

import (
	"bufio"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/mapiscope/mapiscope/trace"
)

// Stats sums up a read.
type Stats struct {
	Entries int      // exchanges passed to each
	Partial int      // of which cut short or in error (ReqPartial, RespPartial or Error set)
	Notes   []string // what was read differently or left out, for people
}

// Read reads a HAR file and calls each with every entry's exchange, in
// file order; entries are numbered from 1 in Source ("HAR entry 3") and
// in errors. It reads entry by entry, so a large file is not held in
// memory at once. Errors are one line: "har: not a HAR file: …" when the
// input is not a HAR, "har: entry 3: …" for an entry that cannot be read
// (bad JSON, a body that is not valid base64); entries before it have
// been passed to each. An error from each stops the read and is returned
// as is.
func Read(r io.Reader, each func(*trace.Exchange) error) (Stats, error) {
	var st Stats
	br := bufio.NewReader(r)
	if b, err := br.Peek(3); err == nil && string(b) == "\xef\xbb\xbf" {
		br.Discard(3)
	}
	dec := json.NewDecoder(br)
	notHAR := func(format string, args ...any) error {
		return errors.New("har: not a HAR file: " + oneLine(fmt.Sprintf(format, args...)))
	}
	tok, err := dec.Token()
	if err != nil {
		if err == io.EOF {
			return st, notHAR("empty")
		}
		return st, notHAR("%v", err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return st, notHAR("not a JSON object")
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return st, notHAR("%v", err)
		}
		if tok != "log" {
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return st, notHAR("%v", err)
			}
			continue
		}
		return st, readLog(dec, &st, each, notHAR)
	}
	return st, notHAR(`no "log" object`)
}

func readLog(dec *json.Decoder, st *Stats, each func(*trace.Exchange) error, notHAR func(string, ...any) error) error {
	tok, err := dec.Token()
	if err != nil {
		return notHAR("%v", err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return notHAR(`"log" is not an object`)
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return notHAR("%v", err)
		}
		if tok != "entries" {
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return notHAR("%v", err)
			}
			continue
		}
		tok, err = dec.Token()
		if err != nil {
			return notHAR("%v", err)
		}
		if tok == nil {
			return nil // "entries": null
		}
		if d, ok := tok.(json.Delim); !ok || d != '[' {
			return notHAR(`"log.entries" is not an array`)
		}
		n := 0
		for dec.More() {
			n++
			var raw json.RawMessage
			if err := dec.Decode(&raw); err != nil {
				return fmt.Errorf("har: entry %d: bad JSON: %s", n, oneLine(err.Error()))
			}
			var ent harEntry
			if err := json.Unmarshal(raw, &ent); err != nil {
				return fmt.Errorf("har: entry %d: %s", n, oneLine(err.Error()))
			}
			e, err := toExchange(n, &ent, &st.Notes)
			if err != nil {
				return err
			}
			st.Entries++
			if e.ReqPartial || e.RespPartial || e.Error != "" {
				st.Partial++
			}
			if err := each(e); err != nil {
				return err
			}
		}
		if _, err := dec.Token(); err != nil {
			return fmt.Errorf("har: after entry %d: bad JSON: %s", n, oneLine(err.Error()))
		}
		return nil
	}
	return notHAR(`no "log.entries" array`)
}

func decodeBase64(s string) ([]byte, error) {
	s = strings.Map(func(r rune) rune {
		if r == ' ' || r == '\t' || r == '\r' || r == '\n' {
			return -1
		}
		return r
	}, s)
	b, err := base64.StdEncoding.DecodeString(s)
	if err == nil {
		return b, nil
	}
	for _, enc := range []*base64.Encoding{base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err2 := enc.DecodeString(s); err2 == nil {
			return b, nil
		}
	}
	return nil, err
}

// body decodes a HAR body text by its encoding ("" or "base64").
func body(n int, what, text, encoding string, notes *[]string) ([]byte, error) {
	switch strings.ToLower(encoding) {
	case "":
		if text == "" {
			return nil, nil
		}
		return []byte(text), nil
	case "base64":
		b, err := decodeBase64(text)
		if err != nil {
			return nil, fmt.Errorf("har: entry %d: %s body: bad base64: %s", n, what, oneLine(err.Error()))
		}
		return b, nil
	default:
		*notes = append(*notes, fmt.Sprintf("HAR entry %d: %s body encoding %q unknown: text taken as is", n, what, encoding))
		return []byte(text), nil
	}
}

func headers(list []harNV) (h http.Header, authority string) {
	for _, nv := range list {
		if strings.HasPrefix(nv.Name, ":") {
			if nv.Name == ":authority" {
				authority = nv.Value
			}
			continue
		}
		if h == nil {
			h = http.Header{}
		}
		h.Add(nv.Name, nv.Value)
	}
	return h, authority
}

func toExchange(n int, ent *harEntry, notes *[]string) (*trace.Exchange, error) {
	e := &trace.Exchange{Source: fmt.Sprintf("HAR entry %d", n)}
	x := ent.Mapiscope
	rq, rs := &ent.Request, &ent.Response

	e.Method, e.URL, e.Proto = rq.Method, rq.URL, rq.HTTPVersion
	var authority string
	e.ReqHeader, authority = headers(rq.Headers)
	e.Host = e.ReqHeader.Get("Host")
	if e.Host == "" {
		e.Host = authority
	}
	if e.Host == "" {
		if u, err := url.Parse(rq.URL); err == nil {
			e.Host = u.Host
		}
	}
	if pd := rq.PostData; pd != nil {
		enc := pd.CustomEncoding
		if enc == "" {
			enc = pd.Encoding
		}
		b, err := body(n, "request", pd.Text, enc, notes)
		if err != nil {
			return nil, err
		}
		if pd.Text == "" && len(pd.Params) > 0 {
			v := url.Values{}
			for _, p := range pd.Params {
				v.Add(p.Name, p.Value)
			}
			b = []byte(v.Encode())
		}
		e.ReqBody = b
	}

	e.Status, e.StatusText = rs.Status, rs.StatusText
	e.RespHeader, _ = headers(rs.Headers)
	b, err := body(n, "response", rs.Content.Text, rs.Content.Encoding, notes)
	if err != nil {
		return nil, err
	}
	e.RespBody = b

	e.Client, e.Conn = ent.Client, string(ent.Connection)
	e.Error = ent.Error
	if e.Error == "" {
		e.Error = rs.Error
	}
	for _, p := range ent.Partial {
		switch p {
		case "request":
			e.ReqPartial = true
		case "response":
			e.RespPartial = true
		}
	}
	if ip := ent.ServerIPAddress; ip != "" {
		ip = strings.TrimSuffix(strings.TrimPrefix(ip, "["), "]")
		e.Server = ip
		if p := portOf(rq.URL); p != "" {
			e.Server = net.JoinHostPort(ip, p)
		}
	}

	// Times.
	if x != nil {
		e.Started, e.RequestDone = parseExact(x.Started), parseExact(x.RequestDone)
		e.ResponseStart, e.Ended = parseExact(x.ResponseStart), parseExact(x.Ended)
		if x.URL != nil {
			e.URL = *x.URL
		}
		if x.Host != nil {
			e.Host = *x.Host
		}
		if x.Server != nil {
			e.Server = *x.Server
		}
	} else if t := parseExact(ent.StartedDateTime); !t.IsZero() {
		tm := ent.Timings
		pre := time.Duration(0)
		for _, p := range []*float64{tm.Blocked, tm.DNS, tm.Connect} {
			if p != nil {
				pre += fromMS(*p)
			}
		}
		e.Started = t
		if tm.Send > 0 || tm.Wait > 0 || tm.Receive > 0 || pre > 0 {
			e.RequestDone = t.Add(pre + fromMS(tm.Send))
			e.ResponseStart = e.RequestDone.Add(fromMS(tm.Wait))
			e.Ended = e.ResponseStart.Add(fromMS(tm.Receive))
			if rs.Status == 0 {
				e.ResponseStart = time.Time{}
			}
		} else if ent.Time > 0 {
			e.Ended = t.Add(fromMS(ent.Time))
		}
	}

	// Chunk timeline.
	if ent.Chunks != nil {
		ok := true
		var cs []trace.Chunk
		for _, c := range *ent.Chunks {
			if c.Offset < 0 || c.Length < 0 || c.Offset > len(e.RespBody) || c.Length > len(e.RespBody)-c.Offset {
				ok = false
				break
			}
			cs = append(cs, trace.Chunk{Offset: c.Offset, Length: c.Length, At: parseExact(c.At)})
		}
		if ok {
			e.Chunks = cs
		} else {
			*notes = append(*notes, fmt.Sprintf("HAR entry %d: _chunks do not fit the response body: left out", n))
		}
	} else if len(e.RespBody) > 0 {
		e.Chunks = []trace.Chunk{{Offset: 0, Length: len(e.RespBody), At: e.Ended}}
	}
	return e, nil
}

// portOf gives the port of an absolute URL, explicit or the scheme's.
func portOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return ""
	}
	if p := u.Port(); p != "" {
		return p
	}
	switch u.Scheme {
	case "https", "wss":
		return "443"
	case "http", "ws":
		return "80"
	}
	return ""
}

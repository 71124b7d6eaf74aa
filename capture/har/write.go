package har

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"iter"
	"math"
	"net"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/mapiscope/mapiscope/trace"
)

// Creator names the tool in written files' log.creator.
var Creator = harCreator{Name: "mapiscope", Version: "1"}

// Writer writes exchanges as a HAR 1.2 file, one entry at a time.
type Writer struct {
	w       io.Writer
	n       int
	err     error
	started bool
	closed  bool
}

// NewWriter starts a HAR file on w; Close finishes it (it does not close
// w).
func NewWriter(w io.Writer) *Writer { return &Writer{w: w} }

// Write writes all exchanges as one HAR file on w.
func Write(w io.Writer, exchanges iter.Seq[*trace.Exchange]) error {
	hw := NewWriter(w)
	for e := range exchanges {
		if err := hw.Add(e); err != nil {
			return err
		}
	}
	return hw.Close()
}

func (w *Writer) start() {
	if w.started || w.err != nil {
		return
	}
	w.started = true
	c, _ := json.Marshal(Creator)
	_, w.err = io.WriteString(w.w, `{"log": {"version": "1.2", "creator": `+string(c)+`, "pages": [], "entries": [`)
}

// Add writes one exchange as the next entry.
func (w *Writer) Add(e *trace.Exchange) error {
	if w.closed {
		return errors.New("har: Add after Close")
	}
	w.start()
	if w.err != nil {
		return w.err
	}
	var b bytes.Buffer
	if w.n > 0 {
		b.WriteString(",")
	}
	b.WriteString("\n  ")
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("  ", "  ")
	if err := enc.Encode(entry(e)); err != nil {
		w.err = err
		return err
	}
	b.Truncate(b.Len() - 1) // the Encoder's newline
	w.n++
	_, w.err = w.w.Write(b.Bytes())
	return w.err
}

// Close ends the entries and the file.
func (w *Writer) Close() error {
	if w.closed {
		return w.err
	}
	w.start()
	w.closed = true
	if w.err != nil {
		return w.err
	}
	_, w.err = io.WriteString(w.w, "\n]}}\n")
	return w.err
}

func headerList(h http.Header) []harNV {
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
	out := []harNV{}
	for _, k := range keys {
		for _, v := range h[k] {
			out = append(out, harNV{Name: k, Value: v})
		}
	}
	return out
}

// roundMS rounds milliseconds to the nanosecond, dropping float noise.
func roundMS(v float64) float64 { return math.Round(v*1e6) / 1e6 }

func entry(e *trace.Exchange) *harEntry {
	ent := &harEntry{}
	started := e.Started
	if started.IsZero() {
		started = time.Unix(0, 0).UTC()
	}
	ent.StartedDateTime = started.Format("2006-01-02T15:04:05.000Z07:00")

	// Timings: the spans between the known points.
	unknown := -1.0
	ent.Timings.Blocked, ent.Timings.DNS, ent.Timings.Connect, ent.Timings.SSL = &unknown, &unknown, &unknown, &unknown
	prev := e.Started
	span := func(t time.Time) float64 {
		if t.IsZero() || prev.IsZero() {
			if !t.IsZero() {
				prev = t
			}
			return 0
		}
		d := t.Sub(prev)
		prev = t
		return max(roundMS(ms(d)), 0)
	}
	ent.Timings.Send = span(e.RequestDone)
	ent.Timings.Wait = span(e.ResponseStart)
	ent.Timings.Receive = span(e.Ended)
	ent.Time = roundMS(ent.Timings.Send + ent.Timings.Wait + ent.Timings.Receive)

	host := e.Host
	if host == "" {
		host = e.ReqHeader.Get("Host")
	}
	rq := &ent.Request
	rq.Method, rq.HTTPVersion = e.Method, e.Proto
	rq.URL = absoluteURL(e.URL, host, e.Server)
	rq.Cookies, rq.Headers, rq.QueryString = []harCookie{}, headerList(e.ReqHeader), queryOf(rq.URL)
	rq.HeadersSize, rq.BodySize = -1, int64(len(e.ReqBody))
	if len(e.ReqBody) > 0 {
		pd := &harPostData{MimeType: e.ReqHeader.Get("Content-Type")}
		if isText(e.ReqBody) {
			pd.Text = string(e.ReqBody)
		} else {
			pd.Text, pd.CustomEncoding = base64.StdEncoding.EncodeToString(e.ReqBody), "base64"
		}
		rq.PostData = pd
	}

	rs := &ent.Response
	rs.Status, rs.StatusText = e.Status, e.StatusText
	if e.Status != 0 {
		rs.HTTPVersion = e.Proto
	}
	rs.Cookies, rs.Headers = []harCookie{}, headerList(e.RespHeader)
	rs.RedirectURL = e.RespHeader.Get("Location")
	rs.HeadersSize, rs.BodySize = -1, int64(len(e.RespBody))
	if ce := e.RespHeader.Get("Content-Encoding"); (ce != "" && ce != "identity") || e.Status == 0 {
		rs.BodySize = -1 // the size on the wire is not known
	}
	rs.Content.Size = int64(len(e.RespBody))
	rs.Content.MimeType = e.RespHeader.Get("Content-Type")
	if rs.Content.MimeType == "" {
		rs.Content.MimeType = "x-unknown"
	}
	if len(e.RespBody) > 0 {
		if isText(e.RespBody) {
			rs.Content.Text = string(e.RespBody)
		} else {
			rs.Content.Text, rs.Content.Encoding = base64.StdEncoding.EncodeToString(e.RespBody), "base64"
		}
	}

	if h, _, err := net.SplitHostPort(e.Server); err == nil {
		ent.ServerIPAddress = h
	} else {
		ent.ServerIPAddress = e.Server
	}
	ent.Connection = flexString(e.Conn)
	ent.Client, ent.Error = e.Client, e.Error
	if e.ReqPartial {
		ent.Partial = append(ent.Partial, "request")
	}
	if e.RespPartial {
		ent.Partial = append(ent.Partial, "response")
	}
	chunks := make([]harChunk, 0, len(e.Chunks))
	for _, c := range e.Chunks {
		chunks = append(chunks, harChunk{Offset: c.Offset, Length: c.Length, At: formatExact(c.At)})
	}
	ent.Chunks = &chunks
	url, h, srv := e.URL, e.Host, e.Server
	ent.Mapiscope = &harExtra{
		Started: formatExact(e.Started), RequestDone: formatExact(e.RequestDone),
		ResponseStart: formatExact(e.ResponseStart), Ended: formatExact(e.Ended),
		URL: &url, Host: &h, Server: &srv,
	}
	return ent
}

// Package trace is mapiscope's trace: one SQLite file holding captures,
// MAPI sessions, HTTP exchanges with their raw bodies and chunk timelines,
// decoded ROPs, server objects and anomalies. Importers (capture/) and the
// proxy produce Exchange records; the Writer decodes and stores them.
package trace

import (
	"net/http"
	"time"
)

// Exchange is one HTTP request and its response as captured, before any
// MAPI decoding. Bodies are the bytes after transfer decoding (chunked
// framing removed); content encodings (gzip) are removed too, with the
// original Content-Encoding kept in the headers.
type Exchange struct {
	// Where and when.
	Client, Server string // "ip:port" when known
	Conn           string // connection identity within the capture (e.g. "tcp/3"); exchanges on one connection share it
	Started        time.Time
	RequestDone    time.Time // last request byte (zero when unknown)
	ResponseStart  time.Time // first response byte (zero when unknown)
	Ended          time.Time // last response byte (zero when unknown)

	// Request.
	Method     string
	URL        string // as in the request line: path and query, or absolute in forward-proxy form
	Host       string
	Proto      string // "HTTP/1.1"
	ReqHeader  http.Header
	ReqBody    []byte
	ReqPartial bool // the request was cut short (truncated capture, client gone)

	// Response (Status 0: no response seen).
	Status      int
	StatusText  string
	RespHeader  http.Header
	RespBody    []byte
	RespPartial bool
	// Chunks is the timeline of the response body as it arrived: each
	// HTTP chunk (or network read, for unchunked bodies) with its offset
	// in RespBody and arrival time. MAPI/HTTP meta-tags (PROCESSING,
	// PENDING, DONE) are found inside these.
	Chunks []Chunk

	// Error says why the exchange is incomplete or failed ("upstream
	// down", "capture truncated", …); empty for a complete exchange.
	Error string
	// Source points back into the original file ("frame 1234", "SAZ
	// session 17", "HAR entry 3") for people.
	Source string
}

// Chunk is one piece of a response body as it arrived.
type Chunk struct {
	Offset int
	Length int
	At     time.Time
}

// Duration is the time from the request's start to the response's end,
// or zero when either is unknown.
func (e *Exchange) Duration() time.Duration {
	if e.Started.IsZero() || e.Ended.IsZero() {
		return 0
	}
	return e.Ended.Sub(e.Started)
}

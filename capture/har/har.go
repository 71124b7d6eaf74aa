// Package har reads and writes HTTP Archive (HAR 1.2) files.
//
// Each HAR entry is one trace.Exchange. Bodies are kept byte for byte:
// a body that is not printable UTF-8 text is written in base64 (response
// content.encoding "base64"; for requests the non-standard
// postData._encoding "base64", also read as postData.encoding), and read
// text without an encoding is taken as is.
//
// Times: startedDateTime is Started; timings.send, wait and receive are
// the spans Started→RequestDone→ResponseStart→Ended (blocked, dns,
// connect and ssl are -1, not known); time is their sum. HAR times are
// milliseconds, so the writer also keeps the exact times in an entry's
// _mapiscope object, and reading prefers them. Reading a HAR from another
// tool: Started is startedDateTime, RequestDone follows blocked, dns,
// connect and send, ResponseStart wait, Ended receive.
//
// What HAR has no field for is kept in custom fields: _client (the
// client's ip:port), _error, _partial ("request", "response"), _chunks
// (the chunk timeline: offset, length, exact time), and in _mapiscope the
// exact request target, Host and server address. The standard connection
// field holds Exchange.Conn, serverIPAddress the server's address without
// port. HTTP/2 pseudo-headers (":authority", …) in a HAR are not request
// headers here; :authority gives Host when there is no Host header.
//
// HAR wants absolute URLs: a request target in origin form is written
// https://Host/… (http:// when the port is 80 or 8080) with the target
// as captured in _mapiscope. A HAR from another tool gives that absolute
// URL as Exchange.URL, and a response body is one chunk at Ended.
//
// Limit: HAR is JSON, so header names and values, URLs and other strings
// must be UTF-8; other bytes (a Latin-1 header value) come back as U+FFFD.
// Bodies have no such limit.
package har

import (
	"encoding/json"
	"net"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"
)

type harCreator struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

type harEntry struct {
	StartedDateTime string      `json:"startedDateTime"`
	Time            float64     `json:"time"`
	Request         harRequest  `json:"request"`
	Response        harResponse `json:"response"`
	Cache           struct{}    `json:"cache"`
	Timings         harTimings  `json:"timings"`
	ServerIPAddress string      `json:"serverIPAddress,omitempty"`
	Connection      flexString  `json:"connection,omitempty"`

	Client    string      `json:"_client,omitempty"`
	Error     string      `json:"_error,omitempty"`
	Partial   []string    `json:"_partial,omitempty"`
	Chunks    *[]harChunk `json:"_chunks,omitempty"`
	Mapiscope *harExtra   `json:"_mapiscope,omitempty"`
}

type harRequest struct {
	Method      string       `json:"method"`
	URL         string       `json:"url"`
	HTTPVersion string       `json:"httpVersion"`
	Cookies     []harCookie  `json:"cookies"`
	Headers     []harNV      `json:"headers"`
	QueryString []harNV      `json:"queryString"`
	PostData    *harPostData `json:"postData,omitempty"`
	HeadersSize int64        `json:"headersSize"`
	BodySize    int64        `json:"bodySize"`
}

type harResponse struct {
	Status      int         `json:"status"`
	StatusText  string      `json:"statusText"`
	HTTPVersion string      `json:"httpVersion"`
	Cookies     []harCookie `json:"cookies"`
	Headers     []harNV     `json:"headers"`
	Content     harContent  `json:"content"`
	RedirectURL string      `json:"redirectURL"`
	HeadersSize int64       `json:"headersSize"`
	BodySize    int64       `json:"bodySize"`
	Error       string      `json:"_error,omitempty"` // Chrome puts failures here
}

type harCookie struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

type harNV struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

type harPostData struct {
	MimeType       string  `json:"mimeType"`
	Params         []harNV `json:"params,omitempty"`
	Text           string  `json:"text"`
	CustomEncoding string  `json:"_encoding,omitempty"`
	Encoding       string  `json:"encoding,omitempty"` // read only: some tools write it
}

type harContent struct {
	Size     int64  `json:"size"`
	MimeType string `json:"mimeType"`
	Text     string `json:"text,omitempty"`
	Encoding string `json:"encoding,omitempty"`
}

type harTimings struct {
	Blocked *float64 `json:"blocked,omitempty"`
	DNS     *float64 `json:"dns,omitempty"`
	Connect *float64 `json:"connect,omitempty"`
	Send    float64  `json:"send"`
	Wait    float64  `json:"wait"`
	Receive float64  `json:"receive"`
	SSL     *float64 `json:"ssl,omitempty"`
}

type harChunk struct {
	Offset int    `json:"offset"`
	Length int    `json:"length"`
	At     string `json:"at,omitempty"` // RFC 3339 with nanoseconds; absent when unknown
}

// harExtra holds what a HAR entry cannot: exact times (RFC 3339 with
// nanoseconds, absent when unknown), the request target and Host as
// captured, the server's ip:port.
type harExtra struct {
	Started       string  `json:"started,omitempty"`
	RequestDone   string  `json:"requestDone,omitempty"`
	ResponseStart string  `json:"responseStart,omitempty"`
	Ended         string  `json:"ended,omitempty"`
	URL           *string `json:"url,omitempty"`
	Host          *string `json:"host,omitempty"`
	Server        *string `json:"server,omitempty"`
}

// flexString reads a JSON string or number (tools differ on connection).
type flexString string

func (f *flexString) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*f = flexString(s)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return err
	}
	*f = flexString(n.String())
	return nil
}

const exact = time.RFC3339Nano

func formatExact(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(exact)
}

func parseExact(s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	t, err := time.Parse(exact, s)
	if err != nil || t.Year() <= 1 {
		return time.Time{}
	}
	return t
}

// isText reports whether a body can go in a HAR as text: valid UTF-8
// without control characters other than tab, CR and LF.
func isText(b []byte) bool {
	if !utf8.Valid(b) {
		return false
	}
	for _, c := range b {
		if c < 0x20 && c != '\t' && c != '\r' && c != '\n' || c == 0x7f {
			return false
		}
	}
	return true
}

// absoluteURL gives the absolute URL HAR wants for a request target in
// origin form: https, unless the port is 80 or 8080.
func absoluteURL(target, host, server string) string {
	if !strings.HasPrefix(target, "/") {
		return target
	}
	if host == "" {
		host = server
	}
	if host == "" {
		return target
	}
	port := ""
	if _, p, err := net.SplitHostPort(host); err == nil {
		port = p
	} else if _, p, err := net.SplitHostPort(server); err == nil {
		port = p
	}
	scheme := "https"
	if port == "80" || port == "8080" {
		scheme = "http"
	}
	return scheme + "://" + host + target
}

func queryOf(target string) []harNV {
	out := []harNV{}
	u, err := url.Parse(target)
	if err != nil {
		return out
	}
	for _, kv := range strings.Split(u.RawQuery, "&") {
		if kv == "" {
			continue
		}
		k, v, _ := strings.Cut(kv, "=")
		if uk, err := url.QueryUnescape(k); err == nil {
			k = uk
		}
		if uv, err := url.QueryUnescape(v); err == nil {
			v = uv
		}
		out = append(out, harNV{Name: k, Value: v})
	}
	return out
}

// ms converts a duration to HAR milliseconds.
func ms(d time.Duration) float64 {
	return float64(d) / float64(time.Millisecond)
}

// fromMS converts HAR milliseconds to a duration; negative (unknown) and
// absurd values give 0.
func fromMS(v float64) time.Duration {
	if !(v > 0) || v > 1e12 {
		return 0
	}
	return time.Duration(v*float64(time.Millisecond) + 0.5)
}

func oneLine(s string) string {
	s = strings.ReplaceAll(s, "\r", " ")
	return strings.ReplaceAll(s, "\n", " ")
}

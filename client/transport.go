// Package client is a MAPI/HTTP client: Autodiscover, the mailbox server
// endpoint (EMSMDB: Connect, Execute, NotificationWait, PING, Disconnect)
// and the address book server endpoint (NSPI) of [MS-OXCMAPIHTTP], built on
// the project's own encoders and decoders. Every request and response is
// handed, raw, to an optional Observer, so that a test or the CLI can see
// the exact bytes; Execute responses are decoded with a decode.Session kept
// per mailbox session, which pairs the ROPs and reports anomalies.
//
// RunScenario drives a whole Outlook-like session against a server and
// reports each step.
package client

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/mapiscope/mapiscope/decode/mapihttp"
	"github.com/mapiscope/mapiscope/decode/prop"
)

// Config says how to reach and authenticate to a server.
type Config struct {
	Email, Password string
	// Username is the Basic user name (DOMAIN\user, say); Email when empty.
	Username string
	// Insecure skips TLS certificate verification (self-signed servers).
	Insecure bool
	// HTTPClient replaces the client built from Insecure and Timeout.
	HTTPClient *http.Client
	// ClientInfo is the GUID part of X-ClientInfo; a random GUID when
	// empty. Each session appends ":counter" (a value with a colon is
	// sent as it is).
	ClientInfo string
	// UserAgent is sent as User-Agent; ClientApplication as
	// X-ClientApplication ("mapiscope/dev" when empty).
	UserAgent         string
	ClientApplication string
	// NoCompression and NoXor ask the server not to compress or obfuscate
	// Execute responses (Execute Flags 0x1 and 0x2).
	NoCompression, NoXor bool
	// CompressRequests LZ77-compresses the RPC_HEADER_EXT payload of our
	// Execute requests when that makes it smaller; XorRequests obfuscates it.
	CompressRequests, XorRequests bool
	// MaxRopOut is the Execute MaxRopOut (0x10008, Outlook's, when 0).
	MaxRopOut uint32
	// Timeout bounds each HTTP request (0: no limit beyond the context).
	Timeout time.Duration
	// Observer, when set, sees every exchange once it is complete.
	Observer func(Exchange)
	// Token makes a scenario run's subjects, rule name and file names
	// unique; random when empty. Give a fixed one to record runs that
	// compare equal (replay and diff tests).
	Token string
}

// DefaultMaxRopOut is the MaxRopOut Outlook sends.
const DefaultMaxRopOut = 0x10008

// maxBody bounds a response body read into memory.
const maxBody = 64 << 20

func (c *Config) username() string {
	if c.Username != "" {
		return c.Username
	}
	return c.Email
}

func (c *Config) clientApplication() string {
	if c.ClientApplication != "" {
		return c.ClientApplication
	}
	return "mapiscope/dev"
}

func (c *Config) httpClient() *http.Client {
	if c.HTTPClient != nil {
		return c.HTTPClient
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	if c.Insecure {
		tr.TLSClientConfig = &tls.Config{InsecureSkipVerify: true} //nolint:gosec // asked for
	}
	return &http.Client{Transport: tr, Timeout: c.Timeout,
		// A redirect would lose the MAPI headers and cookies; report it.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// NewGUID returns a random GUID in braces, upper case, as MAPI/HTTP
// headers carry them.
func NewGUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0F | 0x40
	b[8] = b[8]&0x3F | 0x80
	return fmt.Sprintf("{%X-%X-%X-%X-%X}", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// ---- errors ----

// ErrUnauthorized is an HTTP 401: the server refused the credentials.
var ErrUnauthorized = errors.New("HTTP 401 Unauthorized: the server refused the user name or password")

// HTTPError is an HTTP status other than 200 (and 401).
type HTTPError struct {
	StatusCode int
	Status     string
	Body       string // the start of the body, for the message
}

func (e *HTTPError) Error() string {
	s := "HTTP " + e.Status
	if e.Body != "" {
		s += ": " + e.Body
	}
	return s
}

// ResponseCodeError is a nonzero X-ResponseCode — [MS-OXCMAPIHTTP]
// 2.2.3.3.3: the server refused the request before running it.
type ResponseCodeError struct {
	Code mapihttp.ResponseCode
	Name string
}

func (e *ResponseCodeError) Error() string {
	if e.Name != "" {
		return fmt.Sprintf("X-ResponseCode %d (%s)", uint32(e.Code), e.Name)
	}
	return fmt.Sprintf("X-ResponseCode %d", uint32(e.Code))
}

// FramingError is a response body that does not follow the meta-tag
// framing of [MS-OXCMAPIHTTP] 2.2.7.
type FramingError struct{ Err error }

func (e *FramingError) Error() string { return "response framing: " + e.Err.Error() }
func (e *FramingError) Unwrap() error { return e.Err }

// StatusError is a response body in its failure layout (StatusCode not 0)
// or whose ErrorCode is not success.
type StatusError struct {
	Op         string // "Connect", "Bind", …
	StatusCode uint32
	ErrorCode  uint32
}

func (e *StatusError) Error() string {
	if e.StatusCode != 0 {
		return fmt.Sprintf("%s: StatusCode 0x%08X", e.Op, e.StatusCode)
	}
	return fmt.Sprintf("%s: ErrorCode %s", e.Op, errorCodeString(e.ErrorCode))
}

// ---- exchanges ----

// TagTime is a meta-tag and when its line arrived, counted from the start
// of the request.
type TagTime struct {
	Tag mapihttp.MetaTag
	At  time.Duration
}

// Exchange is one HTTP request and its response, as sent and received.
type Exchange struct {
	Endpoint    string // "autodiscover", "emsmdb" or "nspi"
	RequestType string // X-RequestType ("Execute"); "" for Autodiscover
	URL         string
	RequestID   string
	// RequestHeader is as sent, Authorization redacted.
	RequestHeader http.Header
	Request       []byte
	StatusCode    int
	// ResponseHeader is the HTTP header; Additional the headers after the
	// DONE meta-tag (X-ResponseCode, X-ElapsedTime, X-StartTime).
	ResponseHeader http.Header
	Additional     http.Header
	// Response is the response body as received (de-chunked): meta-tags,
	// additional headers and the binary body. Body is the binary body.
	Response []byte
	Body     []byte
	Tags     []TagTime
	Start    time.Time
	// Headers is when the HTTP response header arrived, Elapsed when the
	// body ended; ServerElapsed is X-ElapsedTime.
	Headers       time.Duration
	Elapsed       time.Duration
	ServerElapsed time.Duration
	StartTime     string // X-StartTime
	Err           error
}

// ---- one endpoint session ----

// conn is one session context with one endpoint: the fixed X-ClientInfo,
// the X-RequestId GUID and counter, and the cookies the server set.
type conn struct {
	cfg        Config
	endpoint   string
	url        string
	http       *http.Client
	clientInfo string
	requestID  string

	mu      sync.Mutex
	counter int
	cookies []cookie // in the order first set
}

type cookie struct{ name, value string }

func newConn(cfg Config, endpoint, url string, sessionNo int) *conn {
	ci := cfg.ClientInfo
	if ci == "" {
		ci = NewGUID()
	}
	if !strings.Contains(ci, ":") {
		ci += ":" + strconv.Itoa(sessionNo)
	}
	return &conn{cfg: cfg, endpoint: endpoint, url: url, http: cfg.httpClient(), clientInfo: ci, requestID: NewGUID()}
}

// next returns the Cookie header value and the next X-RequestId.
func (c *conn) next() (cookieHeader, requestID string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.counter++
	parts := make([]string, 0, len(c.cookies))
	for _, k := range c.cookies {
		parts = append(parts, k.name+"="+k.value)
	}
	return strings.Join(parts, "; "), c.requestID + ":" + strconv.Itoa(c.counter)
}

// setCookies keeps the Set-Cookie values of a response (a cookie the
// server expires is dropped).
func (c *conn) setCookies(resp *http.Response) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, k := range resp.Cookies() {
		i := -1
		for j := range c.cookies {
			if c.cookies[j].name == k.Name {
				i = j
				break
			}
		}
		expired := k.MaxAge < 0 || (!k.Expires.IsZero() && k.Expires.Before(time.Now()))
		switch {
		case expired && i >= 0:
			c.cookies = append(c.cookies[:i], c.cookies[i+1:]...)
		case expired:
		case i >= 0:
			c.cookies[i].value = k.Value
		default:
			c.cookies = append(c.cookies, cookie{k.Name, k.Value})
		}
	}
}

// Cookies returns the session's cookies as name=value pairs.
func (c *conn) Cookies() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]string, len(c.cookies))
	for i, k := range c.cookies {
		out[i] = k.name + "=" + k.value
	}
	return out
}

// do sends one MAPI/HTTP request of type t and returns the binary
// response body after the meta-tags — [MS-OXCMAPIHTTP] 2.2.2, 2.2.7.
func (c *conn) do(ctx context.Context, t mapihttp.RequestType, body []byte) ([]byte, *Exchange, error) {
	cookies, rid := c.next()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url, bytes.NewReader(body))
	if err != nil {
		return nil, nil, err
	}
	h := req.Header
	h.Set(mapihttp.HeaderContentType, mapihttp.ContentType)
	h.Set(mapihttp.HeaderRequestType, t.String())
	h.Set(mapihttp.HeaderClientInfo, c.clientInfo)
	h.Set(mapihttp.HeaderRequestID, rid)
	h.Set(mapihttp.HeaderClientApplication, c.cfg.clientApplication())
	h.Set("Accept", "*/*")
	if c.cfg.UserAgent != "" {
		h.Set("User-Agent", c.cfg.UserAgent)
	}
	if cookies != "" {
		h.Set(mapihttp.HeaderCookie, cookies)
	}
	req.SetBasicAuth(c.cfg.username(), c.cfg.Password)
	ex := &Exchange{Endpoint: c.endpoint, RequestType: t.String(), URL: c.url, RequestID: rid,
		RequestHeader: redacted(h), Request: body}
	out, err := roundTrip(c.http, req, ex, true, c.setCookies)
	ex.Err = err
	if c.cfg.Observer != nil {
		c.cfg.Observer(*ex)
	}
	return out, ex, err
}

func redacted(h http.Header) http.Header {
	out := h.Clone()
	if out.Get("Authorization") != "" {
		out.Set("Authorization", "Basic <redacted>")
	}
	return out
}

// roundTrip sends req and reads the whole response into ex. With framed,
// the body is parsed as meta-tags, additional headers and binary body as
// it streams in, and X-ResponseCode is checked; the binary body is
// returned. Without, the whole body is returned. onResp sees the response
// as soon as its header arrives (for Set-Cookie).
func roundTrip(hc *http.Client, req *http.Request, ex *Exchange, framed bool, onResp func(*http.Response)) ([]byte, error) {
	ex.Start = time.Now()
	defer func() { ex.Elapsed = time.Since(ex.Start) }()
	resp, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	ex.Headers = time.Since(ex.Start)
	ex.StatusCode = resp.StatusCode
	ex.ResponseHeader = resp.Header.Clone()
	if onResp != nil {
		onResp(resp)
	}

	var sc mapihttp.MetaScanner
	scan := framed && resp.StatusCode == http.StatusOK
	buf := make([]byte, 32<<10)
	var raw []byte
	for {
		n, rerr := resp.Body.Read(buf)
		if n > 0 {
			if len(raw)+n > maxBody {
				return nil, fmt.Errorf("response body larger than %d bytes", maxBody)
			}
			raw = append(raw, buf[:n]...)
			if scan {
				for _, ev := range sc.Feed(buf[:n]) {
					if ev.Kind == mapihttp.EventMetaTag {
						ex.Tags = append(ex.Tags, TagTime{Tag: ev.Tag, At: time.Since(ex.Start)})
					}
				}
			}
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			ex.Response = raw
			return nil, fmt.Errorf("reading the response: %w", rerr)
		}
	}
	ex.Response = raw

	switch resp.StatusCode {
	case http.StatusOK:
	case http.StatusUnauthorized:
		return nil, ErrUnauthorized
	default:
		return nil, &HTTPError{StatusCode: resp.StatusCode, Status: resp.Status, Body: snippet(raw)}
	}
	if !framed {
		ex.Body = raw
		return raw, nil
	}
	// A request refused before processing carries X-ResponseCode in the
	// HTTP header and need not be framed.
	if code, ok := mapihttp.ParseHeaders(resp.Header).Code(); ok && code != mapihttp.CodeSuccess {
		return nil, &ResponseCodeError{Code: code, Name: code.Name()}
	}
	sc.Finish()
	f := framedOf(&sc, raw)
	ex.Body = f.Body
	ex.Additional = f.Header()
	view := f.View()
	if d, ok := view.Elapsed(); ok {
		ex.ServerElapsed = d
	}
	ex.StartTime = view.StartTime
	if err := sc.Err(); err != nil {
		return nil, &FramingError{Err: err}
	}
	code, ok := view.Code()
	if !ok {
		if code, ok = mapihttp.ParseHeaders(resp.Header).Code(); !ok {
			return nil, &FramingError{Err: errors.New("no X-ResponseCode after DONE")}
		}
	}
	if code != mapihttp.CodeSuccess {
		return nil, &ResponseCodeError{Code: code, Name: code.Name()}
	}
	return f.Body, nil
}

// framedOf assembles what the scanner found over raw.
func framedOf(sc *mapihttp.MetaScanner, raw []byte) *mapihttp.Framed {
	f := &mapihttp.Framed{Tags: sc.Tags(), Headers: sc.Headers(), Anomalies: sc.Anomalies()}
	if sc.InBody() && sc.BodyOffset() <= len(raw) {
		f.BodyOffset = sc.BodyOffset()
		f.Body = raw[f.BodyOffset:len(raw):len(raw)]
		f.Complete = sc.Err() == nil
	} else {
		f.BodyOffset = len(raw)
	}
	return f
}

func snippet(b []byte) string {
	s := strings.TrimSpace(string(b))
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = s[:i]
	}
	if len(s) > 120 {
		s = s[:120] + "…"
	}
	return s
}

func errorCodeString(v uint32) string { return prop.ErrorCode(v).String() }

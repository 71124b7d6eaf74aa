package replay

// The mock server: `mapiscope replay TRACE --serve` answers a MAPI/HTTP
// client from a trace's recorded responses. It speaks the transport of
// [MS-OXCMAPIHTTP] 2.2 and 3.2 itself (its own MapiContext/MapiSequence
// cookies, the chunked PROCESSING/DONE framing) and matches requests on
// their meaning, not their bytes: an Execute's ROPs are decoded and each is
// paired with a recorded ROP of the same kind whose request, after
// normalisation (Normalizer.Compare: handles left out, ids and GUIDs mapped
// as learnt), equals it — preferring the next unused one in recorded order,
// on the same object. The recorded response is encoded again with the
// client's handle-table indexes, the mock's own handle values, and the ids
// and strings the client knows. Address-book and the other request types
// are matched the same way on their decoded bodies. A request without a
// match gets an error answer and a line in Unmatched.

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf16"

	"github.com/mapiscope/mapiscope/decode"
	"github.com/mapiscope/mapiscope/decode/autodiscover"
	"github.com/mapiscope/mapiscope/decode/auxbuf"
	"github.com/mapiscope/mapiscope/decode/mapihttp"
	"github.com/mapiscope/mapiscope/decode/nspi"
	"github.com/mapiscope/mapiscope/decode/prop"
	"github.com/mapiscope/mapiscope/decode/rop"
	"github.com/mapiscope/mapiscope/decode/rpcext"
	"github.com/mapiscope/mapiscope/decode/wire"
	"github.com/mapiscope/mapiscope/server"
	"github.com/mapiscope/mapiscope/trace"
)

// MockConfig configures a mock server that answers from a trace.
type MockConfig struct {
	// Ref is the recorded session (Session 0: every session of the trace).
	Ref SessionRef
	// Listen is http://HOST:PORT or https://HOST:PORT (port 0 picks one;
	// https presents a self-signed certificate).
	Listen string
	// Logger gets a line per unmatched request (nothing when nil).
	Logger *slog.Logger
}

// MockServer answers a MAPI/HTTP client from a trace's recorded responses.
type MockServer struct {
	// URL is the base URL the mock answers on; AutodiscoverURL is the
	// one to give a client.
	URL, AutodiscoverURL string

	log  *slog.Logger
	hs   *http.Server
	host string // host name of URL, for the EXHTTP Server elements

	mu        sync.Mutex // guards everything below and the recording's use counts
	rec       *mockRecording
	n         *Normalizer
	sessions  map[string]*mockSession
	unmatched []string
	dropped   int
	closed    bool
}

// Error codes of mock answers — [MS-OXCDATA] 2.4.
const (
	mockEcNotSupported prop.ErrorCode = 0x80040102 // no recorded answer
	mockEcNullObject   prop.ErrorCode = 0x000004B9 // the input handle names no object
	mockEcRpcFormat    prop.ErrorCode = 0x000004B6 // the ROP buffer does not decode
	mockNoHandle                      = 0xFFFFFFFF
)

// How long a NotificationWait without a pending event is held at most
// (Exchange holds it up to 5 minutes; a mock need not).
const mockHoldMax = 30 * time.Second

// mockPendingPeriod is the X-PendingPeriod of mock answers.
const mockPendingPeriod = 15 * time.Second

// StartMock loads cfg.Ref and starts serving it.
func StartMock(cfg MockConfig) (*MockServer, error) {
	u, err := url.Parse(cfg.Listen)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("--listen %q: want http://HOST:PORT or https://HOST:PORT", cfg.Listen)
	}
	rec, err := mockLoad(cfg.Ref)
	if err != nil {
		return nil, err
	}
	host := u.Host
	if u.Port() == "" {
		host = net.JoinHostPort(u.Hostname(), map[string]string{"http": "80", "https": "443"}[u.Scheme])
	}
	ln, err := net.Listen("tcp", host)
	if err != nil {
		return nil, err
	}
	port := ln.Addr().(*net.TCPAddr).Port
	m := &MockServer{
		URL:      u.Scheme + "://" + net.JoinHostPort(u.Hostname(), strconv.Itoa(port)),
		log:      cfg.Logger,
		host:     u.Hostname(),
		rec:      rec,
		n:        mockNormalizer(),
		sessions: map[string]*mockSession{},
	}
	if m.log == nil {
		m.log = slog.New(slog.DiscardHandler)
	}
	m.AutodiscoverURL = m.URL + "/autodiscover/autodiscover.xml"
	if u.Scheme == "https" {
		cert, err := server.SelfSigned(u.Hostname(), "localhost", "127.0.0.1", "::1")
		if err != nil {
			ln.Close()
			return nil, err
		}
		ln = tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12, NextProtos: []string{"http/1.1"}})
	}
	m.hs = &http.Server{Handler: m, ReadHeaderTimeout: 30 * time.Second}
	go m.hs.Serve(ln)
	return m, nil
}

// mockNormalizer compares requests: handle-table indexes are left out
// (the objects behind them are checked instead), and so are the
// auxiliary buffers, which carry per-run client details.
func mockNormalizer() *Normalizer {
	n := NewNormalizer()
	for _, f := range []string{"InputHandleIndex", "OutputHandleIndex", "ResponseHandleIndex", "SourceHandleIndex",
		"DestHandleIndex", "HandleIndex", "AuxiliaryBuffer", "AuxiliaryBufferSize"} {
		n.IgnoreField(f)
	}
	return n
}

// Close stops the server and ends its sessions.
func (m *MockServer) Close() error {
	m.mu.Lock()
	m.closed = true
	for _, ss := range m.sessions {
		ss.end()
	}
	m.mu.Unlock()
	return m.hs.Close()
}

// Unmatched lists, one line each, the requests that had no recorded match.
func (m *MockServer) Unmatched() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := append([]string(nil), m.unmatched...)
	if m.dropped > 0 {
		out = append(out, fmt.Sprintf("(and %d more unmatched requests)", m.dropped))
	}
	return out
}

// mockMaxUnmatched bounds the lines kept for Unmatched.
const mockMaxUnmatched = 10000

// report records an unmatched request; the caller holds m.mu.
func (m *MockServer) report(line string) {
	if len(m.unmatched) < mockMaxUnmatched {
		m.unmatched = append(m.unmatched, line)
	} else {
		m.dropped++
	}
	m.log.Warn("mock: no recorded answer", "request", line)
}

// ---- the recording ----

// mockRecording is what the mock answers from.
type mockRecording struct {
	autodiscover []mockAutodiscover
	calls        map[mapihttp.RequestType][]*mockCall // every request type but Execute
	rops         map[uint8][]*mockRop                 // by RopId, in recorded order
	legacyDN     string                               // from a recorded Connect, for a made-up Autodiscover answer
	email        string
	displayName  string
	positions    int // recorded calls and ROPs, for distances
}

type mockAutodiscover struct {
	email string
	body  []byte
}

// mockCall is one recorded request other than Execute.
type mockCall struct {
	exchange int64
	session  int64
	pos      int
	rt       mapihttp.RequestType
	req      *wire.Node // the decoded request body (nil for PING)
	resp     []byte     // the binary response body
	duration time.Duration
	used     int
}

// mockExec is one recorded Execute.
type mockExec struct {
	exchange                int64
	session                 int64
	reqHandles, respHandles []uint32
	ctxs                    []rop.Ctx // the request ROPs' contexts (OutputHandleIndex)
	notes                   []*rop.NotifyResponse
	columns                 map[uint32][]prop.Tag // table columns by recorded handle, for the notes
	notesSent               bool
}

// mockRop is one recorded ROP with its response.
type mockRop struct {
	ex       *mockExec
	pos      int
	index    int
	req      rop.Request
	resp     rop.Response
	reqNode  *wire.Node
	respNode *wire.Node
	ctx      decode.RopContext
	chained  []rop.Response // the same ROP re-run into chained blocks
	used     int
}

// inHandle is the recorded handle of the object a ROP worked on.
func (r *mockRop) inHandle() (uint32, bool) {
	if r.req.Header().RopId == 0xFE { // RopLogon has no input object
		return 0, false
	}
	idx := int(r.req.Header().InputHandleIndex)
	if idx < len(r.ex.reqHandles) && r.ex.reqHandles[idx] != mockNoHandle {
		return r.ex.reqHandles[idx], true
	}
	if idx < len(r.ex.respHandles) && r.ex.respHandles[idx] != mockNoHandle {
		return r.ex.respHandles[idx], true
	}
	return 0, false
}

// outHandle is the recorded handle a successful creating ROP received.
func (r *mockRop) outHandle() (uint32, bool) {
	if r.index >= len(r.ex.ctxs) || !r.ex.ctxs[r.index].HasOutput {
		return 0, false
	}
	idx := r.ex.ctxs[r.index].OutputHandleIndex
	if idx < len(r.ex.respHandles) && r.ex.respHandles[idx] != mockNoHandle {
		return r.ex.respHandles[idx], true
	}
	return 0, false
}

func mockIsAutodiscover(rawURL string) bool {
	p := rawURL
	if u, err := url.Parse(rawURL); err == nil {
		p = u.Path
	}
	return strings.HasSuffix(strings.ToLower(p), "/autodiscover.xml")
}

// mockLoad reads the exchanges of ref: Autodiscover answers, every
// MAPI request type, and each Execute decoded into ROP pairs.
func mockLoad(ref SessionRef) (*mockRecording, error) {
	t, err := trace.Open(ref.Trace)
	if err != nil {
		return nil, fmt.Errorf("mock: %w", err)
	}
	defer t.Close()
	cond, args := "", []any(nil)
	if ref.Session != 0 {
		ss, err := t.Sessions("s.id = ?", []any{ref.Session}, trace.Page{})
		if err != nil {
			return nil, fmt.Errorf("mock: %s: %w", ref, err)
		}
		if len(ss) == 0 {
			return nil, fmt.Errorf("mock: %s: the trace has no session %d", ref.Trace, ref.Session)
		}
		// The session, and the Autodiscover exchanges, which belong to none.
		cond, args = "e.session_id = ? OR e.session_id IS NULL", []any{ref.Session}
	}
	rows, err := t.Exchanges(cond, args, trace.Page{})
	if err != nil {
		return nil, fmt.Errorf("mock: %s: %w", ref, err)
	}
	byID := make(map[int64]*trace.ExchangeRow, len(rows))
	for i := range rows {
		byID[rows[i].ID] = &rows[i]
	}
	rec := &mockRecording{calls: map[mapihttp.RequestType][]*mockCall{}, rops: map[uint8][]*mockRop{}}
	var executes []int64
	err = t.ReadExchanges(cond, args, func(id int64, ex *trace.Exchange) error {
		row := byID[id]
		if row == nil || ex.Status != http.StatusOK {
			return nil
		}
		if mockIsAutodiscover(ex.URL) {
			email := ""
			if doc, err := autodiscover.Parse(ex.ReqBody); err == nil && doc.Request != nil {
				email = strings.TrimSpace(doc.Request.EMailAddress)
			}
			if len(ex.RespBody) > 0 {
				rec.autodiscover = append(rec.autodiscover, mockAutodiscover{email: email, body: ex.RespBody})
			}
			return nil
		}
		rt, ok := mapihttp.ParseRequestType(row.RequestType)
		if !ok || (row.XResponseCode != nil && *row.XResponseCode != 0) {
			return nil
		}
		if rt == mapihttp.TypeExecute {
			executes = append(executes, id)
			return nil
		}
		f, err := mapihttp.ParseResponseBody(ex.RespBody)
		if err != nil || !f.Done() {
			return nil
		}
		if code, ok := f.View().Code(); ok && code != 0 {
			return nil
		}
		call := &mockCall{exchange: id, rt: rt, resp: append([]byte(nil), f.Body...)}
		if row.Session != nil {
			call.session = *row.Session
		}
		if row.DurationMs != nil {
			call.duration = time.Duration(*row.DurationMs * float64(time.Millisecond))
		}
		if rt != mapihttp.TypePing {
			tree, err := mockRequestTree(rt, ex.ReqBody)
			if err != nil {
				return nil
			}
			call.req = tree
		}
		if rt == mapihttp.TypeConnect && rec.legacyDN == "" {
			req := &mapihttp.ConnectRequest{}
			if !mapihttp.Decode(req, ex.ReqBody, 0, false).Failed() {
				rec.legacyDN = req.UserDn
			}
			resp := &mapihttp.ConnectResponse{}
			if !mapihttp.Decode(resp, call.resp, 0, false).Failed() {
				rec.displayName = resp.DisplayName
			}
			if q, err := url.Parse(ex.URL); err == nil {
				rec.email = q.Query().Get("MailboxId")
			}
		}
		call.pos = rec.positions
		rec.positions++
		rec.calls[rt] = append(rec.calls[rt], call)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("mock: %s: %w", ref, err)
	}
	for _, id := range executes {
		d, err := t.DecodeExchange(id)
		if err != nil {
			return nil, fmt.Errorf("mock: %s: exchange %d: %w", ref, id, err)
		}
		rec.addExecute(d, byID[id])
	}
	if len(rec.rops) == 0 && len(rec.calls) == 0 && len(rec.autodiscover) == 0 {
		return nil, fmt.Errorf("mock: %s holds no MAPI/HTTP or Autodiscover exchange to answer from", ref)
	}
	return rec, nil
}

// mockRequestTree decodes a request body of any type but Execute, with spans.
func mockRequestTree(rt mapihttp.RequestType, body []byte) (*wire.Node, error) {
	var c *wire.Codec
	var err error
	if rt.AddressBook() && rt != mapihttp.TypePing {
		_, c, err = nspi.DecodeRequest(rt, body, 0, true)
	} else {
		_, c, err = mapihttp.DecodeRequest(rt, body, 0, true)
	}
	if err != nil {
		return nil, err
	}
	return c.Tree(), nil
}

// addExecute adds a decoded Execute's ROP pairs.
func (rec *mockRecording) addExecute(d *trace.Decoded, row *trace.ExchangeRow) {
	res := d.Execute
	if res == nil || res.Buffers == nil || res.Response == nil || res.Response.StatusCode != 0 || res.Response.ErrorCode != 0 {
		return
	}
	b := res.Buffers
	ex := &mockExec{exchange: d.ID, reqHandles: b.Request.Handles, ctxs: b.Request.Ctxs, columns: map[uint32][]prop.Tag{}}
	if row != nil && row.Session != nil {
		ex.session = *row.Session
	}
	if len(b.Responses) > 0 {
		ex.respHandles = b.Responses[0].Handles
	}
	byIndex := map[int]*mockRop{}
	for _, p := range b.Pairs {
		switch {
		case p.Index >= 0 && p.Chained && byIndex[p.Index] != nil:
			byIndex[p.Index].chained = append(byIndex[p.Index].chained, p.Response)
		case p.Index >= 0 && p.Request != nil && p.Response != nil && p.ReqNode != nil && p.RespNode != nil:
			r := &mockRop{ex: ex, pos: rec.positions, index: p.Index, req: p.Request, resp: p.Response,
				reqNode: p.ReqNode, respNode: p.RespNode, ctx: p.Context}
			rec.positions++
			byIndex[p.Index] = r
			id := p.Request.Header().RopId
			rec.rops[id] = append(rec.rops[id], r)
			if sc, ok := p.Request.(*rop.SetColumnsRequest); ok && p.Response.Header().ReturnValue == 0 {
				if h, ok := r.inHandle(); ok {
					ex.columns[h] = sc.PropertyTags
				}
			}
		case p.Index < 0:
			if n, ok := p.Response.(*rop.NotifyResponse); ok {
				ex.notes = append(ex.notes, n)
			}
		}
	}
}

// ---- live sessions ----

// mockSession is one session context the mock gave out: an emsmdb Connect
// or an nspi Bind.
type mockSession struct {
	id, seq    string
	nspi       bool
	recSession int64 // the recorded session its Connect or Bind matched
	cursor     int   // recorded position after the last match
	requests   int
	tokens     *BiMap   // recorded ↔ live words the client chose (subjects, names)
	tokenOrder []string // recorded tokens, in the order learnt

	handles   map[uint32]uint32 // mock handle → recorded handle
	recHandle map[uint32]uint32 // recorded handle → mock handle
	next      [256]uint32
	logonFlag [256]uint8
	hasLogon  [256]bool

	endOnce sync.Once
	ended   chan struct{}
}

func newMockSession(nspiEP bool) *mockSession {
	return &mockSession{id: mockCookie(), seq: mockCookie(), nspi: nspiEP, tokens: NewBiMap(),
		handles: map[uint32]uint32{}, recHandle: map[uint32]uint32{}, ended: make(chan struct{})}
}

func (ss *mockSession) end() { ss.endOnce.Do(func() { close(ss.ended) }) }

// alloc gives a new object a handle of the mock's own: (LogonId << 24) |
// (0x100 + n), unlike the built-in server's, so that a client that keeps a
// recorded handle shows up.
func (ss *mockSession) alloc(logon uint8, recorded uint32) uint32 {
	for {
		h := uint32(logon)<<24 | (0x100+ss.next[logon])&0x00FFFFFF
		ss.next[logon]++
		if _, used := ss.handles[h]; !used && h != mockNoHandle {
			ss.handles[h] = recorded
			ss.recHandle[recorded] = h
			return h
		}
	}
}

func (ss *mockSession) release(h uint32) {
	if r, ok := ss.handles[h]; ok {
		delete(ss.handles, h)
		if ss.recHandle[r] == h {
			delete(ss.recHandle, r)
		}
	}
}

func mockCookie() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// ---- HTTP ----

const (
	mockCookieContext  = "MapiContext"
	mockCookieSequence = "MapiSequence"
)

func (m *MockServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p := strings.ToLower(r.URL.Path)
	switch {
	case strings.HasSuffix(p, "/autodiscover.xml"):
		m.autodiscover(w, r)
	case strings.HasPrefix(p, "/mapi/emsmdb"):
		m.mapi(w, r, false)
	case strings.HasPrefix(p, "/mapi/nspi"):
		m.mapi(w, r, true)
	default:
		http.NotFound(w, r)
	}
}

func mockChallenge(w http.ResponseWriter) {
	w.Header().Set("WWW-Authenticate", `Basic realm="mapiscope mock"`)
	http.Error(w, "401 Unauthorized", http.StatusUnauthorized)
}

// autodiscover answers with the recorded Autodiscover response for the
// address asked about, its URLs pointed at the mock.
func (m *MockServer) autodiscover(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Authorization") == "" {
		mockChallenge(w)
		return
	}
	body, _ := io.ReadAll(io.LimitReader(r.Body, 64<<10))
	email := ""
	if doc, err := autodiscover.Parse(body); err == nil && doc.Request != nil {
		email = strings.TrimSpace(doc.Request.EMailAddress)
	}
	var out []byte
	for _, a := range m.rec.autodiscover {
		if strings.EqualFold(a.email, email) {
			out = a.body
			break
		}
	}
	if out == nil && len(m.rec.autodiscover) > 0 {
		out = m.rec.autodiscover[0].body
	}
	if out != nil {
		if b, err := m.pointAtMock(out); err == nil {
			out = b
		} else {
			m.log.Warn("mock: recorded Autodiscover response not rewritten", "err", err)
		}
	} else if m.rec.legacyDN != "" {
		// No recorded Autodiscover: describe the recorded mailbox.
		q := "?MailboxId=" + url.QueryEscape(m.rec.email)
		out = autodiscover.NewMapiHTTPResponse(autodiscover.User{DisplayName: m.rec.displayName, LegacyDN: m.rec.legacyDN,
			AutoDiscoverSMTPAddress: m.rec.email}, m.URL+"/mapi/emsmdb/"+q, m.URL+"/mapi/nspi/"+q)
	} else {
		m.mu.Lock()
		m.report(fmt.Sprintf("Autodiscover for %q: the trace has no Autodiscover response and no Connect", email))
		m.mu.Unlock()
		http.Error(w, "404 Not Found: the trace has no Autodiscover response", http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	w.Write(out)
}

// pointAtMock rewrites the URLs of an Autodiscover response to the mock,
// keeping their paths and queries, and the EXHTTP server names to its host.
func (m *MockServer) pointAtMock(body []byte) ([]byte, error) {
	doc, err := autodiscover.Parse(body)
	if err != nil {
		return nil, err
	}
	base, _ := url.Parse(m.URL)
	if _, err := autodiscover.RewriteURLs(doc, func(v string) string {
		u, err := url.Parse(strings.TrimSpace(v))
		if err != nil || !u.IsAbs() || u.Host == "" {
			return v
		}
		u.Scheme, u.Host = base.Scheme, base.Host
		return u.String()
	}); err != nil {
		return nil, err
	}
	if _, err := autodiscover.RewriteServers(doc, func(string) string { return m.host }); err != nil {
		return nil, err
	}
	return doc.Marshal()
}

// reject refuses a request before processing, with X-ResponseCode —
// [MS-OXCMAPIHTTP] 2.2.3.3.3.
func (m *MockServer) reject(w http.ResponseWriter, r *http.Request, code mapihttp.ResponseCode, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	h := w.Header()
	h.Set(mapihttp.HeaderResponseCode, strconv.FormatUint(uint64(code), 10))
	for _, k := range []string{mapihttp.HeaderRequestType, mapihttp.HeaderRequestID, mapihttp.HeaderClientInfo} {
		if v := r.Header.Get(k); v != "" {
			h.Set(k, v)
		}
	}
	h.Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	fmt.Fprintf(w, "<html><body><p>X-ResponseCode %d (%s): %s</p></body></html>\n", uint32(code), code.Name(), html.EscapeString(msg))
}

// mapi handles a request on the emsmdb or nspi endpoint.
func (m *MockServer) mapi(w http.ResponseWriter, r *http.Request, nspiEP bool) {
	if r.Method != http.MethodPost {
		m.reject(w, r, mapihttp.CodeInvalidVerb, "%s: the MAPI/HTTP endpoints take POST only", r.Method)
		return
	}
	if r.Header.Get("Authorization") == "" {
		mockChallenge(w)
		return
	}
	rt, ok := mapihttp.ParseRequestType(r.Header.Get(mapihttp.HeaderRequestType))
	if !ok || (!nspiEP && !rt.Mailbox()) || (nspiEP && !rt.AddressBook()) {
		m.reject(w, r, mapihttp.CodeInvalidRequestType, "X-RequestType %q is not a request type of this endpoint", r.Header.Get(mapihttp.HeaderRequestType))
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 64<<20))
	if err != nil {
		m.reject(w, r, mapihttp.CodeInvalidRequestBody, "reading the request body: %v", err)
		return
	}
	creates := rt == mapihttp.TypeConnect || rt == mapihttp.TypeBind
	sequenced := rt != mapihttp.TypeNotificationWait && rt != mapihttp.TypePing

	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		m.reject(w, r, mapihttp.CodeEndpointShuttingDown, "the mock is shutting down")
		return
	}
	var ss *mockSession
	if creates {
		ss = newMockSession(nspiEP)
	} else {
		c, err := r.Cookie(mockCookieContext)
		if err != nil || c.Value == "" {
			m.mu.Unlock()
			m.reject(w, r, mapihttp.CodeMissingCookie, "no %s cookie: Connect or Bind first", mockCookieContext)
			return
		}
		ss = m.sessions[c.Value]
		if ss == nil || ss.nspi != nspiEP {
			m.mu.Unlock()
			m.reject(w, r, mapihttp.CodeContextNotFound, "session context not found")
			return
		}
		if sequenced {
			if c, err := r.Cookie(mockCookieSequence); err != nil || c.Value != ss.seq {
				m.mu.Unlock()
				m.reject(w, r, mapihttp.CodeInvalidSequence, "%s cookie is not the one the last response set", mockCookieSequence)
				return
			}
			ss.seq = mockCookie()
		}
	}
	ss.requests++
	label := fmt.Sprintf("%s request %d (%s)", map[bool]string{false: "emsmdb", true: "nspi"}[nspiEP], ss.requests, rt)

	var out []byte
	var hold func(ctx context.Context) // runs after the lock is released
	switch {
	case rt == mapihttp.TypePing:
		out = nil
	case rt == mapihttp.TypeExecute:
		out = m.execute(ss, body, label)
	case rt == mapihttp.TypeNotificationWait:
		out, hold = m.notificationWait(ss, body, label)
	default:
		out = m.call(ss, rt, body, label)
	}
	if creates {
		m.sessions[ss.id] = ss
	}
	if rt == mapihttp.TypeDisconnect || rt == mapihttp.TypeUnbind {
		delete(m.sessions, ss.id)
		ss.end()
	}
	seq := ss.seq
	m.mu.Unlock()
	m.respond(w, r, ss, seq, rt, sequenced, out, hold)
}

// respond writes the chunked response of [MS-OXCMAPIHTTP] 3.2.5.2
// (mapihttp.Responder): PROCESSING, PENDING while hold runs, then DONE,
// the additional headers and the body.
func (m *MockServer) respond(w http.ResponseWriter, r *http.Request, ss *mockSession, seq string, rt mapihttp.RequestType, sequenced bool,
	body []byte, hold func(context.Context)) {
	var cookies []*http.Cookie
	if sequenced {
		path := "/mapi/emsmdb/"
		if ss.nspi {
			path = "/mapi/nspi/"
		}
		cookies = []*http.Cookie{
			{Name: mockCookieContext, Value: ss.id, Path: path, HttpOnly: true},
			{Name: mockCookieSequence, Value: seq, Path: path, HttpOnly: true},
		}
	}
	o := mapihttp.Responder{PendingPeriod: mockPendingPeriod, ServerApplication: "mapiscope-mock"}
	o.Stream(w, r, rt, cookies, func() ([]byte, mapihttp.ResponseCode) {
		if hold != nil {
			hold(r.Context())
		}
		return body, 0
	})
}

// ---- request types other than Execute ----

// call answers Connect, Disconnect, Bind, Unbind and the address book
// requests with the recorded body of the matching request.
func (m *MockServer) call(ss *mockSession, rt mapihttp.RequestType, body []byte, label string) []byte {
	tree, err := mockRequestTree(rt, body)
	if err != nil {
		m.report(fmt.Sprintf("%s: the request body does not decode: %v", label, err))
		return mockFailureBody(rt, mockEcRpcFormat)
	}
	c, why := m.matchCall(ss, rt, tree)
	if c == nil {
		if rt == mapihttp.TypeDisconnect || rt == mapihttp.TypeUnbind {
			// Ending a session needs no recorded answer.
			return mockFailureBody(rt, 0)
		}
		m.report(fmt.Sprintf("%s: %s", label, why))
		return mockFailureBody(rt, mockEcNotSupported)
	}
	if rt == mapihttp.TypeConnect || rt == mapihttp.TypeBind {
		ss.recSession = c.session
	}
	out := m.patchTokens(ss, append([]byte(nil), c.resp...))
	if rt == mapihttp.TypeGetMailboxUrl || rt == mapihttp.TypeGetAddressBookUrl {
		out = m.pointURLAtMock(out)
	}
	return out
}

// matchCall finds the recorded request of type rt that equals tree after
// normalisation: in the session the client's Connect or Bind matched
// first, unused first, nearest after the last match.
func (m *MockServer) matchCall(ss *mockSession, rt mapihttp.RequestType, tree *wire.Node) (*mockCall, string) {
	cands := m.rec.calls[rt]
	if len(cands) == 0 {
		return nil, fmt.Sprintf("the trace has no %s request", rt)
	}
	type ranked struct {
		c   *mockCall
		key [3]int
	}
	rs := make([]ranked, 0, len(cands))
	for _, c := range cands {
		rs = append(rs, ranked{c, [3]int{mockB2i(ss.recSession != 0 && c.session != ss.recSession), mockB2i(c.used > 0), m.distance(ss, c.pos)}})
	}
	sort.SliceStable(rs, func(i, j int) bool { return mockLess3(rs[i].key, rs[j].key) })
	var near nearest
	for _, r := range rs {
		ok, diffs := m.try(ss, r.c.req, tree)
		if ok {
			r.c.used++
			ss.cursor = r.c.pos + 1
			return r.c, ""
		}
		near.see(diffs)
	}
	return nil, fmt.Sprintf("no recorded %s with the same arguments (%d recorded%s)", rt, len(cands), near)
}

// nearest keeps the differences of the recorded request closest to a
// live one without a match, for the report.
type nearest struct{ diffs []Difference }

func (n *nearest) see(d []Difference) {
	if len(d) > 0 && (n.diffs == nil || len(d) < len(n.diffs)) {
		n.diffs = d
	}
}

func (n nearest) String() string {
	if len(n.diffs) == 0 {
		return ""
	}
	s := "; the nearest differs at " + n.diffs[0].String()
	if len(n.diffs) > 1 {
		s += fmt.Sprintf(" and %d more fields", len(n.diffs)-1)
	}
	return s
}

func mockB2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func mockLess3(a, b [3]int) bool {
	for i := range a {
		if a[i] != b[i] {
			return a[i] < b[i]
		}
	}
	return false
}

// distance is how far a recorded position lies after the session's last
// match, wrapping around.
func (m *MockServer) distance(ss *mockSession, pos int) int {
	n := max(m.rec.positions, 1)
	return ((pos-ss.cursor)%n + n) % n
}

// mockFailureBody is the answer to a request type without a recorded match:
// its response body with the error code (0: a plain success).
func mockFailureBody(rt mapihttp.RequestType, ec prop.ErrorCode) []byte {
	var b mapihttp.Body
	if rt.AddressBook() && rt != mapihttp.TypePing {
		b = nspi.NewResponse(rt)
	} else {
		b = mapihttp.NewResponse(rt)
	}
	if b == nil {
		return nil
	}
	if f := reflect.ValueOf(b).Elem().FieldByName("ErrorCode"); f.IsValid() && f.CanSet() {
		f.SetUint(uint64(ec))
	}
	if f := reflect.ValueOf(b).Elem().FieldByName("AuxiliaryBuffer"); f.IsValid() && f.CanSet() {
		f.Set(reflect.ValueOf(auxbuf.Buffer{}))
	}
	c := wire.NewEncoder(nil)
	b.Codec(c)
	return c.Output()
}

// pointURLAtMock rewrites the URL of a GetMailboxUrl or GetAddressBookUrl
// response body ([MS-OXCMAPIHTTP] 2.2.5.19, 2.2.5.20) to the mock.
func (m *MockServer) pointURLAtMock(body []byte) []byte {
	resp := &nspi.GetMailboxUrlResponse{} // both share one layout
	c := wire.NewDecoder(body, false, "nspi url response")
	resp.Codec(c)
	if c.Failed() || resp.ServerUrl == "" {
		return body
	}
	u, err := url.Parse(resp.ServerUrl)
	base, _ := url.Parse(m.URL)
	if err != nil || !u.IsAbs() {
		return body
	}
	u.Scheme, u.Host = base.Scheme, base.Host
	resp.ServerUrl = u.String()
	out, err := nspi.Encode(nil, resp)
	if err != nil {
		return body
	}
	return out
}

// notificationWait answers with the next recorded NotificationWait: at
// once when it reported an event, else after holding the request as long
// as the recorded one was held (bounded), the session's end or the
// client's leaving.
func (m *MockServer) notificationWait(ss *mockSession, body []byte, label string) ([]byte, func(context.Context)) {
	tree, err := mockRequestTree(mapihttp.TypeNotificationWait, body)
	if err != nil {
		m.report(fmt.Sprintf("%s: the request body does not decode: %v", label, err))
		return mockFailureBody(mapihttp.TypeNotificationWait, mockEcRpcFormat), nil
	}
	wait := mockHoldMax
	var out []byte
	c, why := m.matchCall(ss, mapihttp.TypeNotificationWait, tree)
	if c == nil {
		m.report(fmt.Sprintf("%s: %s", label, why))
		out = mockFailureBody(mapihttp.TypeNotificationWait, 0) // EventPending 0
	} else {
		out = c.resp
		resp := &mapihttp.NotificationWaitResponse{}
		if !mapihttp.Decode(resp, c.resp, 0, false).Failed() && resp.EventPending != 0 {
			return out, nil
		}
		wait = min(c.duration, mockHoldMax)
	}
	return out, func(ctx context.Context) {
		t := time.NewTimer(wait)
		defer t.Stop()
		select {
		case <-t.C:
		case <-ss.ended:
		case <-ctx.Done():
		}
	}
}

// ---- Execute ----

// mockEnv decodes the client's ROPs with the LogonFlags of its logons.
type mockEnv struct{ ss *mockSession }

func (e mockEnv) BeforeRequest(_ int, _ uint8, logon uint8, ctx *rop.Ctx) {
	if e.ss.hasLogon[logon] {
		ctx.LogonFlags, ctx.HasLogonFlags = e.ss.logonFlag[logon], true
	}
}
func (mockEnv) BeforeResponse(int, *rop.Ctx)              {}
func (mockEnv) AfterResponse(int, rop.Response, *rop.Ctx) {}

// mockRawROP is an encoded ROP response, to frame with the buffer codec.
type mockRawROP []byte

func (r mockRawROP) Codec(c *wire.Codec, _ *rop.Ctx) {
	b := []byte(r)
	c.Rest(&b, "Rop")
}
func (r mockRawROP) Header() *rop.ResponseHeader { return &rop.ResponseHeader{} }

// execute answers an Execute — [MS-OXCMAPIHTTP] 2.2.4.2: each ROP from
// its recorded match, or an error ROP.
func (m *MockServer) execute(ss *mockSession, body []byte, label string) []byte {
	req := &mapihttp.ExecuteRequest{}
	resp := &mapihttp.ExecuteResponse{AuxiliaryBuffer: auxbuf.Buffer{}}
	encode := func() []byte {
		c := wire.NewEncoder(nil)
		resp.Codec(c)
		return c.Output()
	}
	if mapihttp.Decode(req, body, 0, false).Failed() {
		m.report(fmt.Sprintf("%s: the Execute request body does not decode", label))
		resp.ErrorCode = mockEcRpcFormat
		return encode()
	}
	blocks, bc := rpcext.Decode(req.RopBuffer, false)
	if bc.Failed() || len(blocks) == 0 {
		m.report(fmt.Sprintf("%s: the RPC_HEADER_EXT blocks do not decode", label))
		resp.ErrorCode = mockEcRpcFormat
		return encode()
	}
	dc := wire.NewDecoder(blocks[0].Data, true, "RopBuffer")
	var rb rop.RequestBuffer
	rop.CodecRequestBuffer(dc, &rb, mockEnv{ss})
	if dc.Failed() && len(rb.Handles) == 0 && len(rb.Rops) == 0 {
		m.report(fmt.Sprintf("%s: the ROP request buffer does not decode: %s", label, dc.Anomalies()[0].Reason))
		resp.ErrorCode = mockEcRpcFormat
		return encode()
	}
	var nodes []*wire.Node
	if t := dc.Tree(); t != nil {
		if l := t.Child("RopsList"); l != nil {
			nodes = l.Children
		}
	}
	x := &mockExecState{ss: ss, rb: &rb, nodes: nodes, handles: append([]uint32(nil), rb.Handles...), label: label,
		chain: req.Flags&mapihttp.ExecuteChain != 0, touched: map[*mockExec]bool{}}
	var raws []rop.Response
	for i := range rb.Rops {
		if b := m.answerRop(x, i); b != nil {
			raws = append(raws, mockRawROP(b))
		}
	}
	if dc.Failed() {
		m.report(fmt.Sprintf("%s rop %d: does not decode: %s", label, len(rb.Rops), dc.Anomalies()[0].Reason))
	}
	raws = append(raws, m.notifications(x)...)

	flags := rpcext.FlagXorMagic
	if req.Flags&mapihttp.ExecuteNoXorMagic != 0 {
		flags = 0
	}
	bufs := []rop.ResponseBuffer{{Rops: raws, Handles: x.handles}}
	for _, b := range x.chained {
		bufs = append(bufs, rop.ResponseBuffer{Rops: []rop.Response{mockRawROP(b)}, Handles: x.handles})
	}
	var blks []rpcext.Block
	for i := range bufs {
		c := wire.NewEncoder(nil)
		rop.CodecResponseBuffer(c, &bufs[i], nil, nil)
		if c.Failed() {
			resp.ErrorCode = mockEcRpcFormat
			return encode()
		}
		blks = append(blks, rpcext.Build(c.Output(), flags, i == len(bufs)-1))
	}
	chain, err := rpcext.Append(nil, blks)
	if err != nil {
		resp.ErrorCode = mockEcRpcFormat
		return encode()
	}
	resp.RopBuffer = chain
	return encode()
}

// mockExecState is one Execute being answered.
type mockExecState struct {
	ss      *mockSession
	rb      *rop.RequestBuffer
	nodes   []*wire.Node
	handles []uint32 // the handle table, as objects are created
	label   string
	chain   bool
	chained [][]byte // further blocks: the last ROP's recorded continuations
	touched map[*mockExec]bool
}

// answerRop answers request ROP i: its encoded response, or nil when it
// has none (RopRelease).
func (m *MockServer) answerRop(x *mockExecState, i int) []byte {
	ss := x.ss
	r := x.rb.Rops[i]
	h := r.Header()
	id := h.RopId
	info, _ := rop.Lookup(id)
	if info == nil || info.Response == nil {
		if id == 0x01 && int(h.InputHandleIndex) < len(x.handles) { // RopRelease
			ss.release(x.handles[h.InputHandleIndex])
		}
		return nil
	}
	var node *wire.Node
	if i < len(x.nodes) {
		node = x.nodes[i]
	}
	name := rop.Name(id)
	where := fmt.Sprintf("%s rop %d %s", x.label, i, name)
	var liveIn uint32
	hasIn := false
	if id != 0xFE {
		idx := int(h.InputHandleIndex)
		if idx >= len(x.handles) {
			m.report(fmt.Sprintf("%s: InputHandleIndex %d is beyond the %d-entry handle table", where, idx, len(x.handles)))
			return m.failure(x, i, mockEcNullObject)
		}
		if _, ok := ss.handles[x.handles[idx]]; !ok {
			m.report(fmt.Sprintf("%s: handle 0x%08X at index %d names no object the mock opened", where, x.handles[idx], idx))
			return m.failure(x, i, mockEcNullObject)
		}
		liveIn, hasIn = ss.handles[x.handles[idx]], true
	}
	if node == nil {
		m.report(fmt.Sprintf("%s: not decoded", where))
		return m.failure(x, i, mockEcNotSupported)
	}
	rec, why := m.matchRop(ss, r, node, liveIn, hasIn)
	if rec == nil {
		m.report(fmt.Sprintf("%s: %s", where, why))
		return m.failure(x, i, mockEcNotSupported)
	}
	mockSetHandleIndexes(rec.resp, rec.respNode, node, x.rb.Ctxs[i])
	ctx := &rop.Ctx{Request: rec.req, Columns: rec.ctx.Columns, HasColumns: rec.ctx.HasColumns,
		LogonFlags: rec.ctx.LogonFlags, HasLogonFlags: rec.ctx.HasLogonFlags}
	b, err := rop.Encode(nil, rec.resp, ctx)
	if err != nil {
		m.report(fmt.Sprintf("%s: the recorded response (exchange %d) does not encode: %v", where, rec.ex.exchange, err))
		return m.failure(x, i, mockEcNotSupported)
	}
	if len(b) == rec.respNode.Len {
		m.patchIDs(b, rec.respNode)
	}
	b = m.patchTokens(ss, b)
	rec.used++
	ss.cursor = rec.pos + 1
	x.touched[rec.ex] = true
	if lr, ok := r.(*rop.LogonRequest); ok {
		ss.logonFlag[lr.LogonId], ss.hasLogon[lr.LogonId] = lr.LogonFlags, true
	}
	if lc := x.rb.Ctxs[i]; lc.HasOutput && rec.resp.Header().ReturnValue == 0 && lc.OutputHandleIndex < len(x.handles) {
		if rh, ok := rec.outHandle(); ok {
			x.handles[lc.OutputHandleIndex] = ss.alloc(h.LogonId, rh)
		}
	}
	if x.chain && i == len(x.rb.Rops)-1 {
		for _, cr := range rec.chained {
			if cb, err := rop.Encode(nil, cr, ctx); err == nil {
				x.chained = append(x.chained, m.patchTokens(ss, cb))
			}
		}
	}
	return b
}

// failure is the error response of request ROP i: its response structure
// with the header alone, as the built-in server answers a ROP it does not
// implement.
func (m *MockServer) failure(x *mockExecState, i int, ec prop.ErrorCode) []byte {
	r := x.rb.Rops[i]
	h := r.Header()
	info, ok := rop.Lookup(h.RopId)
	if !ok || info.Response == nil {
		return nil
	}
	resp := info.Response()
	rh := resp.Header()
	rh.RopId, rh.HandleIndex, rh.ReturnValue = h.RopId, h.InputHandleIndex, ec
	if i < len(x.nodes) {
		if v, ok := mockNodeIndex(x.nodes[i], "ResponseHandleIndex"); ok {
			rh.HandleIndex = v
		}
	}
	if c := x.rb.Ctxs[i]; c.HasOutput {
		rh.HandleIndex = uint8(c.OutputHandleIndex)
	}
	b, err := rop.Encode(nil, resp, &rop.Ctx{Request: r})
	if err != nil {
		return nil
	}
	return b
}

// mockNodeIndex reads a handle-index field of a decoded request.
func mockNodeIndex(n *wire.Node, name string) (uint8, bool) {
	if n == nil {
		return 0, false
	}
	for _, c := range n.Children {
		if c.Name == name && !c.Derived {
			if v, ok := c.Value.(uint64); ok {
				return uint8(v), true
			}
		}
	}
	return 0, false
}

// mockSetHandleIndexes points a recorded response's handle-index fields at
// the slots the client's request used: the header field names the request
// field it echoes (InputHandleIndex, OutputHandleIndex, …), and so does
// any other *HandleIndex field of the response.
func mockSetHandleIndexes(resp rop.Response, respNode, live *wire.Node, lc rop.Ctx) {
	rh := resp.Header()
	set := false
	if len(respNode.Children) > 1 {
		if v, ok := mockNodeIndex(live, respNode.Children[1].Name); ok {
			rh.HandleIndex, set = v, true
		}
	}
	if !set {
		if v, ok := mockNodeIndex(live, "InputHandleIndex"); ok {
			rh.HandleIndex = v
		}
		if lc.HasOutput {
			rh.HandleIndex = uint8(lc.OutputHandleIndex)
		}
	}
	v := reflect.ValueOf(resp)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		return
	}
	v = v.Elem()
	for i := 0; i < v.NumField(); i++ {
		f := v.Type().Field(i)
		if f.Anonymous || f.Type.Kind() != reflect.Uint8 || !strings.HasSuffix(f.Name, "HandleIndex") || !v.Field(i).CanSet() {
			continue
		}
		if idx, ok := mockNodeIndex(live, f.Name); ok {
			v.Field(i).SetUint(uint64(idx))
		}
	}
}

// matchRop finds the recorded ROP to answer a live one with: same RopId,
// a request equal after normalisation; ranked by whether it worked on the
// object the live one works on, whether it is in the session the client's
// Connect matched, whether it was used already, and how far it lies after
// the last match.
func (m *MockServer) matchRop(ss *mockSession, r rop.Request, live *wire.Node, liveIn uint32, hasIn bool) (*mockRop, string) {
	id := r.Header().RopId
	cands := m.rec.rops[id]
	if len(cands) == 0 {
		return nil, fmt.Sprintf("the trace has no %s", rop.Name(id))
	}
	type ranked struct {
		r   *mockRop
		key [4]int
	}
	rs := make([]ranked, 0, len(cands))
	for _, c := range cands {
		other := false
		if hasIn {
			if h, ok := c.inHandle(); ok && h != liveIn {
				other = true
			}
		}
		rs = append(rs, ranked{c, [4]int{mockB2i(other), mockB2i(ss.recSession != 0 && c.ex.session != ss.recSession),
			mockB2i(c.used > 0), m.distance(ss, c.pos)}})
	}
	sort.SliceStable(rs, func(i, j int) bool {
		a, b := rs[i].key, rs[j].key
		for k := range a {
			if a[k] != b[k] {
				return a[k] < b[k]
			}
		}
		return false
	})
	var near nearest
	for _, c := range rs {
		ok, diffs := m.try(ss, c.r.reqNode, live)
		if ok {
			return c.r, ""
		}
		near.see(diffs)
	}
	return nil, fmt.Sprintf("no recorded %s with the same arguments (%d recorded%s)", rop.Name(id), len(cands), near)
}

// notifications are the recorded RopNotify responses of the Executes this
// one matched, sent once, their handles turned into the mock's.
func (m *MockServer) notifications(x *mockExecState) []rop.Response {
	var out []rop.Response
	for ex := range x.touched {
		if ex.notesSent || len(ex.notes) == 0 {
			continue
		}
		ex.notesSent = true
		for _, n := range ex.notes {
			mh, ok := x.ss.recHandle[n.NotificationHandle]
			if !ok {
				continue
			}
			recH := n.NotificationHandle
			cols := ex.columns
			ctx := &rop.Ctx{NotifyColumns: func(h uint32) ([]prop.Tag, bool) { c, ok := cols[recH]; return c, ok }}
			n.NotificationHandle = mh
			b, err := rop.Encode(nil, n, ctx)
			n.NotificationHandle = recH
			if err == nil {
				out = append(out, mockRawROP(m.patchTokens(x.ss, b)))
			}
		}
	}
	return out
}

// ---- normalised comparison with learning that can be undone ----

// try reports whether a recorded request equals a live one after
// normalisation. Strings that differ only by a word the client made up
// (a random token in a subject) are explained by a per-session token map
// learnt here. What the comparison learns (ids, GUIDs, tokens) is kept
// only when it matches.
func (m *MockServer) try(ss *mockSession, rec, live *wire.Node) (bool, []Difference) {
	if rec == nil || live == nil {
		return rec == nil && live == nil, nil
	}
	u := m.snapshot(rec)
	var fixes []mockStrFix
	var proposed [][2]string
	m.explainStrings(ss, rec, live, &fixes, &proposed)
	diffs := m.n.Compare(rec, live)
	for _, f := range fixes {
		f.nd.Value = f.old
	}
	if len(diffs) == 0 {
		for _, p := range proposed {
			if ss.tokens.Match(p[0], p[1]) {
				ss.tokenOrder = append(ss.tokenOrder, p[0])
			}
		}
		return true, nil
	}
	m.rollback(u)
	return false, diffs
}

// mockUndo lists the recorded ids and GUIDs a comparison may learn, to
// forget them when it fails.
type mockUndo struct{ ids, guids []string }

func (m *MockServer) snapshot(rec *wire.Node) mockUndo {
	var u mockUndo
	var walk func(n *wire.Node)
	walk = func(n *wire.Node) {
		switch v := n.Value.(type) {
		case string:
			if idRe.MatchString(v) {
				if _, ok := m.n.IDs.fwd[v]; !ok {
					u.ids = append(u.ids, v)
				}
			}
		case int64:
			if idRe.MatchString(n.Sym) {
				if _, ok := m.n.IDs.fwd[n.Sym]; !ok {
					u.ids = append(u.ids, n.Sym)
				}
			}
		case []byte:
			if len(v) == 16 {
				if _, ok := m.n.GUIDs.fwd[string(v)]; !ok {
					u.guids = append(u.guids, string(v))
				}
			}
		}
		for _, c := range n.Children {
			walk(c)
		}
	}
	walk(rec)
	// An id or GUID the mock has not given out stands for itself: a
	// client cannot know another one for it.
	for _, k := range u.ids {
		if _, taken := m.n.IDs.rev[k]; !taken {
			m.n.IDs.Match(k, k)
		}
	}
	for _, k := range u.guids {
		if _, taken := m.n.GUIDs.rev[k]; !taken {
			m.n.GUIDs.Match(k, k)
		}
	}
	return u
}

func (m *MockServer) rollback(u mockUndo) {
	for _, k := range u.ids {
		if l, ok := m.n.IDs.fwd[k]; ok {
			delete(m.n.IDs.fwd, k)
			delete(m.n.IDs.rev, l)
		}
	}
	for _, k := range u.guids {
		if l, ok := m.n.GUIDs.fwd[k]; ok {
			delete(m.n.GUIDs.fwd, k)
			delete(m.n.GUIDs.rev, l)
		}
		delete(m.n.guidRe, k)
	}
}

// mockStrFix is a live string value replaced by its recorded form for one
// comparison.
type mockStrFix struct {
	nd  *wire.Node
	old any
}

// explainStrings walks both trees as Compare does; a live string that
// equals the recorded one once the session's tokens (and ones proposed
// here) are substituted is given the recorded value for the comparison.
func (m *MockServer) explainStrings(ss *mockSession, rec, live *wire.Node, fixes *[]mockStrFix, proposed *[][2]string) {
	rk, lk := kids(rec), kids(live)
	if len(rk) == 0 && len(lk) == 0 {
		r, ok1 := rec.Value.(string)
		l, ok2 := live.Value.(string)
		if !ok1 || !ok2 || r == l || idRe.MatchString(r) {
			return
		}
		sub := m.substitute(ss, r, *proposed)
		if sub != l {
			rt, lt, ok := mockTokenDiff(sub, l)
			if !ok || !mockTokenFree(ss, *proposed, rt, lt) {
				return
			}
			*proposed = append(*proposed, [2]string{rt, lt})
			sub = strings.ReplaceAll(sub, rt, lt)
		}
		if sub == l {
			*fixes = append(*fixes, mockStrFix{live, live.Value})
			live.Value = r
		}
		return
	}
	for i := 0; i < len(rk) && i < len(lk); i++ {
		m.explainStrings(ss, rk[i], lk[i], fixes, proposed)
	}
}

// substitute replaces the recorded tokens in s by their live forms.
func (m *MockServer) substitute(ss *mockSession, s string, proposed [][2]string) string {
	for _, r := range ss.tokenOrder {
		if l, ok := ss.tokens.Live(r); ok {
			s = strings.ReplaceAll(s, r, l)
		}
	}
	for _, p := range proposed {
		s = strings.ReplaceAll(s, p[0], p[1])
	}
	return s
}

// mockTokenFree reports whether rec ↔ live can be added to the token map.
func mockTokenFree(ss *mockSession, proposed [][2]string, rec, live string) bool {
	if l, ok := ss.tokens.Live(rec); ok && l != live {
		return false
	}
	if r, ok := ss.tokens.Recorded(live); ok && r != rec {
		return false
	}
	for _, p := range proposed {
		if (p[0] == rec) != (p[1] == live) {
			return false
		}
	}
	return true
}

func mockWordByte(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// mockTokenDiff finds the one word in which two strings of equal length
// differ: a made-up token (letters and digits, at least 6, with a digit),
// not a different word.
func mockTokenDiff(a, b string) (string, string, bool) {
	if len(a) != len(b) || a == b {
		return "", "", false
	}
	p := 0
	for p < len(a) && a[p] == b[p] {
		p++
	}
	e := len(a)
	for e > p && a[e-1] == b[e-1] {
		e--
	}
	for p > 0 && mockWordByte(a[p-1]) {
		p--
	}
	for e < len(a) && mockWordByte(a[e]) {
		e++
	}
	ta, tb := a[p:e], b[p:e]
	if len(ta) < 6 || len(ta) > 64 {
		return "", "", false
	}
	digit := false
	for i := 0; i < len(ta); i++ {
		if !mockWordByte(ta[i]) || !mockWordByte(tb[i]) {
			return "", "", false
		}
		if ta[i] >= '0' && ta[i] <= '9' || tb[i] >= '0' && tb[i] <= '9' {
			digit = true
		}
	}
	if !digit {
		return "", "", false
	}
	return ta, tb, true
}

// patchTokens writes the session's live tokens over the recorded ones in
// an encoded response, in 8-bit and UTF-16LE form (same lengths, so no
// size changes).
func (m *MockServer) patchTokens(ss *mockSession, b []byte) []byte {
	for _, r := range ss.tokenOrder {
		l, ok := ss.tokens.Live(r)
		if !ok || l == r {
			continue
		}
		b = bytes.ReplaceAll(b, []byte(r), []byte(l))
		b = bytes.ReplaceAll(b, mockUTF16LE(r), mockUTF16LE(l))
	}
	return b
}

func mockUTF16LE(s string) []byte {
	u := utf16.Encode([]rune(s))
	out := make([]byte, 2*len(u))
	for i, c := range u {
		out[2*i], out[2*i+1] = byte(c), byte(c>>8)
	}
	return out
}

// patchIDs writes the live ids over the recorded ones in an encoded ROP
// response whose layout is the recorded one (its tree's offsets hold),
// and learns the ids the client has not seen as its own.
func (m *MockServer) patchIDs(b []byte, respNode *wire.Node) {
	base := respNode.Off
	var walk func(n *wire.Node)
	walk = func(n *wire.Node) {
		if n.Derived || n.Data != nil && n != respNode {
			return
		}
		recStr := ""
		switch v := n.Value.(type) {
		case string:
			if idRe.MatchString(v) {
				recStr = v
			}
		case int64:
			if idRe.MatchString(n.Sym) {
				recStr = n.Sym
			}
		}
		if recStr != "" && n.Len == 8 {
			live, ok := m.n.IDs.Live(recStr)
			if !ok {
				if _, taken := m.n.IDs.Recorded(recStr); !taken {
					m.n.IDs.Match(recStr, recStr)
				}
			} else if live != recStr {
				ri, err1 := prop.ParseID(recStr)
				li, err2 := prop.ParseID(live)
				off := n.Off - base
				if err1 == nil && err2 == nil && off >= 0 && off+8 <= len(b) && bytes.Equal(b[off:off+8], ri.Bytes()) {
					copy(b[off:off+8], li.Bytes())
				}
			}
		}
		for _, c := range n.Children {
			walk(c)
		}
	}
	walk(respNode)
}

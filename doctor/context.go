package doctor

import (
	"context"
	"database/sql"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/mapiscope/mapiscope/decode"
	"github.com/mapiscope/mapiscope/decode/autodiscover"
	"github.com/mapiscope/mapiscope/decode/mapihttp"
	"github.com/mapiscope/mapiscope/trace"
)

// Context is what rules read a trace through. It loads each view of the
// trace (exchanges, sessions, decoded ROPs) the first time a rule asks for
// it and keeps it for the others. A read error is kept (Err) and the view
// comes back empty, so that rules stay free of error plumbing; Run reports
// the error.
//
// The decoded ROPs are held in memory for the whole run: a doctor run
// costs memory in proportion to the trace's Execute traffic.
type Context struct {
	Trace *trace.Trace
	ctx   context.Context
	err   error

	exchanges []*Exchange
	byID      map[int64]*Exchange
	exLoaded  bool

	sessions   []trace.SessionRow
	sessByID   map[int64]*trace.SessionRow
	sessLoaded bool

	executes  []*Execute
	rops      []*Rop
	ropLoaded bool

	ads      []*Autodiscover
	adLoaded bool

	// memo holds views rules share beyond these (see Memo).
	memo map[string]any
}

// Memo returns the value load computes for key, computing it the first
// time only: views several rules read (the ICS synchronisations, say)
// are built once per run.
func (c *Context) Memo(key string, load func() any) any {
	if v, ok := c.memo[key]; ok {
		return v
	}
	if c.memo == nil {
		c.memo = map[string]any{}
	}
	v := load()
	c.memo[key] = v
	return v
}

func newContext(ctx context.Context, tr *trace.Trace) *Context {
	if ctx == nil {
		ctx = context.Background()
	}
	return &Context{Trace: tr, ctx: ctx}
}

// Err returns the first error met reading the trace, or the context's.
func (c *Context) Err() error {
	if c.err != nil {
		return c.err
	}
	return c.ctx.Err()
}

func (c *Context) fail(err error) {
	if c.err == nil && err != nil {
		c.err = err
	}
}

// Exchange is one HTTP exchange of the trace, without its bodies
// (Context.Bodies reads them).
type Exchange struct {
	ID       int64
	Session  int64  // 0: not part of a MAPI session
	Endpoint string // emsmdb | nspi | autodiscover | other
	Method   string
	URL      string
	// Host is the Host header (or the CONNECT target), as captured.
	Host          string
	RequestType   string // X-RequestType as sent
	Status        int    // 0: no response
	XResponseCode *int
	Started       time.Time
	Duration      time.Duration // 0 when unknown
	ReqHeader     http.Header   // credentials redacted, as stored
	RespHeader    http.Header
	Error         string
	Anomalies     int
}

// Evidence points at the exchange.
func (e *Exchange) Evidence(note string) Evidence { return Evidence{Exchange: e.ID, Note: note} }

// Hostname is the server the request went to, lower case, without port:
// from an absolute URL (forward proxy), the CONNECT target or the Host
// header.
func (e *Exchange) Hostname() string {
	h := e.Host
	if u, err := url.Parse(e.URL); err == nil && u.IsAbs() && u.Host != "" {
		h = u.Host
	} else if strings.EqualFold(e.Method, "CONNECT") && e.URL != "" {
		h = e.URL
	}
	if hh, _, err := net.SplitHostPort(h); err == nil {
		h = hh
	}
	return strings.ToLower(strings.Trim(h, "[]. "))
}

// Path is the request's path, lower case, without the query.
func (e *Exchange) Path() string {
	p := e.URL
	if u, err := url.Parse(e.URL); err == nil {
		p = u.Path
	}
	return strings.ToLower(p)
}

// Type is the MAPI/HTTP request type (TypeUnknown for other requests).
func (e *Exchange) Type() mapihttp.RequestType {
	t, _ := mapihttp.ParseRequestType(e.RequestType)
	return t
}

// Client is what the client says it is: X-ClientApplication, else the
// User-Agent.
func (e *Exchange) Client() string {
	if v := strings.TrimSpace(e.ReqHeader.Get("X-ClientApplication")); v != "" {
		return v
	}
	return strings.TrimSpace(e.ReqHeader.Get("User-Agent"))
}

// endpointOf classifies a request URL the way the trace writer does.
func endpointOf(u string) string {
	l := strings.ToLower(u)
	switch {
	case strings.Contains(l, "/mapi/emsmdb"):
		return "emsmdb"
	case strings.Contains(l, "/mapi/nspi"):
		return "nspi"
	case strings.Contains(l, "autodiscover"):
		return "autodiscover"
	}
	return "other"
}

// Exchanges returns every exchange of the trace, in id order.
func (c *Context) Exchanges() []*Exchange {
	if c.exLoaded {
		return c.exchanges
	}
	c.exLoaded = true
	c.byID = map[int64]*Exchange{}
	rows, err := c.Trace.DB.QueryContext(c.ctx, `SELECT e.id, e.session_id, e.method, e.url, e.host, e.request_type,
		e.http_status, e.x_response_code, e.started, e.duration, e.req_headers, e.resp_headers, e.error, e.anomaly_count
		FROM exchanges e ORDER BY e.id`)
	if err != nil {
		c.fail(fmt.Errorf("reading exchanges: %w", err))
		return nil
	}
	defer rows.Close()
	for rows.Next() {
		e := &Exchange{}
		var sid, xrc, started, dur sql.NullInt64
		var method, u, host, rt, reqH, respH, errs sql.NullString
		if err := rows.Scan(&e.ID, &sid, &method, &u, &host, &rt, &e.Status, &xrc, &started, &dur, &reqH, &respH, &errs, &e.Anomalies); err != nil {
			c.fail(fmt.Errorf("reading exchanges: %w", err))
			return nil
		}
		e.Session = sid.Int64
		e.Method, e.URL, e.Host, e.RequestType, e.Error = method.String, u.String, host.String, rt.String, errs.String
		if xrc.Valid {
			v := int(xrc.Int64)
			e.XResponseCode = &v
		}
		if started.Valid {
			e.Started = time.Unix(0, started.Int64).UTC()
		}
		e.Duration = time.Duration(dur.Int64)
		e.ReqHeader = trace.ParseHeaderText(reqH.String)
		e.RespHeader = trace.ParseHeaderText(respH.String)
		e.Endpoint = endpointOf(e.URL)
		c.exchanges = append(c.exchanges, e)
		c.byID[e.ID] = e
	}
	if err := rows.Err(); err != nil {
		c.fail(fmt.Errorf("reading exchanges: %w", err))
	}
	return c.exchanges
}

// ExchangeByID returns an exchange (nil when unknown).
func (c *Context) ExchangeByID(id int64) *Exchange {
	c.Exchanges()
	return c.byID[id]
}

// Bodies reads the request and response bodies of an exchange (the
// response as stored: meta-tags included).
func (c *Context) Bodies(id int64) (req, resp []byte) {
	err := c.Trace.DB.QueryRowContext(c.ctx, `SELECT req_body, resp_body FROM exchanges WHERE id = ?`, id).Scan(&req, &resp)
	if err != nil {
		c.fail(fmt.Errorf("reading exchange %d: %w", id, err))
	}
	return req, resp
}

// ResponseBody returns the binary body of a MAPI/HTTP response (after the
// meta-tags), or nil when the exchange has none.
func (c *Context) ResponseBody(e *Exchange) []byte {
	_, resp := c.Bodies(e.ID)
	return mapiBody(e.Status, e.RespHeader, resp)
}

// mapiBody takes the binary body out of a framed MAPI/HTTP response, as
// the trace writer does.
func mapiBody(status int, h http.Header, resp []byte) []byte {
	if status != 200 || len(resp) == 0 || !mapihttp.IsContentType(h.Get("Content-Type")) {
		return nil
	}
	f, _ := mapihttp.ParseResponseBody(resp)
	if f == nil {
		return nil
	}
	return f.Body
}

// Sessions returns the MAPI sessions of the trace.
func (c *Context) Sessions() []trace.SessionRow {
	if c.sessLoaded {
		return c.sessions
	}
	c.sessLoaded = true
	s, err := c.Trace.Sessions("", nil, trace.Page{})
	if err != nil {
		c.fail(fmt.Errorf("reading sessions: %w", err))
		return nil
	}
	c.sessions = s
	c.sessByID = map[int64]*trace.SessionRow{}
	for i := range c.sessions {
		c.sessByID[c.sessions[i].ID] = &c.sessions[i]
	}
	return c.sessions
}

// Session returns a session (nil when unknown).
func (c *Context) Session(id int64) *trace.SessionRow {
	c.Sessions()
	return c.sessByID[id]
}

// Execute is one Execute exchange of a mailbox session, decoded again in
// its session's context.
type Execute struct {
	Exchange int64
	Session  int64
	// RopBuffer is the request's ROP buffer (the first RPC_HEADER_EXT
	// payload, decompressed): two Executes with equal RopBuffers sent the
	// same ROPs on the same handles.
	RopBuffer []byte
	Rops      []*Rop
}

// Rop is one ROP of an Execute: the decoded request and response with the
// objects they worked on and, for stream ROPs, what they added to a
// FastTransfer stream or an ICS state.
type Rop struct {
	decode.RopPair
	// ID is the ROP's trace id (0 when the trace holds no row for it).
	ID       int64
	Exchange int64
	Session  int64
}

// Evidence points at the ROP.
func (r *Rop) Evidence(note string) Evidence {
	return Evidence{Exchange: r.Exchange, Rop: r.ID, Note: note}
}

// Executes returns the Execute exchanges of every mailbox session, each
// session walked once in order with a decode.Session, as the trace writer
// walked it.
func (c *Context) Executes() []*Execute {
	c.loadRops()
	return c.executes
}

// Rops returns the ROPs of every Execute, in trace order.
func (c *Context) Rops() []*Rop {
	c.loadRops()
	return c.rops
}

func (c *Context) loadRops() {
	if c.ropLoaded {
		return
	}
	c.ropLoaded = true
	// The trace ids of the stored ROPs, per exchange, in the order the
	// writer stored them (the order of decode's pairs).
	type ropRow struct {
		id    int64
		ropID uint8
	}
	stored := map[int64][]ropRow{}
	rr, err := c.Trace.DB.QueryContext(c.ctx, `SELECT r.id, r.exchange_id, r.rop_id FROM rops r
		JOIN sessions s ON s.id = r.session_id WHERE s.endpoint = 'emsmdb' ORDER BY r.id`)
	if err != nil {
		c.fail(fmt.Errorf("reading ROPs: %w", err))
		return
	}
	for rr.Next() {
		var ex int64
		var r ropRow
		if err := rr.Scan(&r.id, &ex, &r.ropID); err != nil {
			rr.Close()
			c.fail(fmt.Errorf("reading ROPs: %w", err))
			return
		}
		stored[ex] = append(stored[ex], r)
	}
	rr.Close()
	if err := rr.Err(); err != nil {
		c.fail(fmt.Errorf("reading ROPs: %w", err))
		return
	}

	rows, err := c.Trace.DB.QueryContext(c.ctx, `SELECT e.id, e.session_id, e.request_type, e.http_status, e.resp_headers,
		e.req_body, e.resp_body FROM exchanges e JOIN sessions s ON s.id = e.session_id
		WHERE s.endpoint = 'emsmdb' ORDER BY e.id`)
	if err != nil {
		c.fail(fmt.Errorf("reading Execute exchanges: %w", err))
		return
	}
	defer rows.Close()
	sessions := map[int64]*decode.Session{}
	for rows.Next() {
		if err := c.ctx.Err(); err != nil {
			return
		}
		var id, sid int64
		var status int
		var rt, respH sql.NullString
		var req, resp []byte
		if err := rows.Scan(&id, &sid, &rt, &status, &respH, &req, &resp); err != nil {
			c.fail(fmt.Errorf("reading Execute exchanges: %w", err))
			return
		}
		if t, _ := mapihttp.ParseRequestType(rt.String); t != mapihttp.TypeExecute {
			continue
		}
		s := sessions[sid]
		if s == nil {
			s = decode.NewSession()
			sessions[sid] = s
		}
		res := s.Execute(req, mapiBody(status, trace.ParseHeaderText(respH.String), resp), false)
		x := &Execute{Exchange: id, Session: sid}
		if len(res.ReqBlocks) > 0 {
			x.RopBuffer = res.ReqBlocks[0].Data
		}
		ids := stored[id]
		pairs := res.Pairs()
		for i := range pairs {
			r := &Rop{RopPair: pairs[i], Exchange: id, Session: sid}
			if i < len(ids) && ids[i].ropID == ropIDOf(&pairs[i]) {
				r.ID = ids[i].id
			}
			x.Rops = append(x.Rops, r)
			c.rops = append(c.rops, r)
		}
		c.executes = append(c.executes, x)
	}
	if err := rows.Err(); err != nil {
		c.fail(fmt.Errorf("reading Execute exchanges: %w", err))
	}
}

func ropIDOf(p *decode.RopPair) uint8 {
	if p.Request != nil {
		return p.Request.Header().RopId
	}
	if p.Response != nil {
		return p.Response.Header().RopId
	}
	return 0
}

// Autodiscover is an Autodiscover exchange with its documents read.
type Autodiscover struct {
	*Exchange
	// EMailAddress is the address the request asked about (or
	// X-AnchorMailbox when the body has none).
	EMailAddress string
	// Response is the response document (nil when there is none, or it is
	// not an Autodiscover document: an HTML login page, say).
	Response *autodiscover.Response
}

// Autodiscovers returns the Autodiscover exchanges (POX requests, JSON
// v2 requests and CONNECT tunnels to Autodiscover hosts), in order.
func (c *Context) Autodiscovers() []*Autodiscover {
	if c.adLoaded {
		return c.ads
	}
	c.adLoaded = true
	for _, e := range c.Exchanges() {
		if e.Endpoint != "autodiscover" {
			continue
		}
		a := &Autodiscover{Exchange: e}
		if !strings.EqualFold(e.Method, "CONNECT") {
			req, resp := c.Bodies(e.ID)
			if d, err := autodiscover.Parse(req); err == nil && d.Request != nil {
				a.EMailAddress = strings.TrimSpace(d.Request.EMailAddress)
			}
			if e.Status == 200 && len(resp) > 0 {
				if d, err := autodiscover.Parse(resp); err == nil && d.Response != nil {
					a.Response = d.Response
				}
			}
		}
		if a.EMailAddress == "" {
			a.EMailAddress = autodiscover.AnchorMailbox(e.ReqHeader)
		}
		if a.EMailAddress == "" {
			// Autodiscover v2 (JSON) names the address in the path or query:
			// /autodiscover/autodiscover.json/v1.0/user@domain?Protocol=…,
			// /autodiscover/autodiscover.json?Email=user@domain&…
			if u, err := url.Parse(e.URL); err == nil {
				if v := u.Query().Get("Email"); v != "" {
					a.EMailAddress = v
				} else if i := strings.LastIndexByte(u.Path, '/'); i >= 0 && strings.Contains(u.Path[i:], "@") {
					a.EMailAddress = u.Path[i+1:]
				}
			}
		}
		c.ads = append(c.ads, a)
	}
	return c.ads
}

// accountAddresses are the addresses the client says it is: Autodiscover
// requests, X-AnchorMailbox, Basic user names that are addresses; lower
// case.
func (c *Context) accountAddresses() map[string]bool {
	out := map[string]bool{}
	add := func(s string) {
		s = strings.ToLower(strings.TrimSpace(s))
		if strings.Count(s, "@") == 1 && !strings.HasPrefix(s, "@") && !strings.HasSuffix(s, "@") {
			out[s] = true
		}
	}
	for _, a := range c.Autodiscovers() {
		add(a.EMailAddress)
	}
	for _, s := range c.Sessions() {
		add(s.User)
	}
	for _, e := range c.Exchanges() {
		add(e.ReqHeader.Get("X-AnchorMailbox"))
	}
	return out
}

// mapiHosts are the servers the MAPI endpoints were reached at.
func (c *Context) mapiHosts() map[string]bool {
	out := map[string]bool{}
	for _, e := range c.Exchanges() {
		if (e.Endpoint == "emsmdb" || e.Endpoint == "nspi") && e.Hostname() != "" {
			out[e.Hostname()] = true
		}
	}
	return out
}

// statusText says how an exchange ended, for evidence notes.
func statusText(e *Exchange) string {
	switch {
	case e.Status == 0 && e.Error != "":
		return "no response: " + e.Error
	case e.Status == 0:
		return "no response"
	}
	return fmt.Sprintf("HTTP %d", e.Status)
}

func joinKeys(m map[string]bool) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return strings.Join(keys, ", ")
}

func sortedStrings(s []string) []string {
	sort.Strings(s)
	return s
}

// nof writes a count with its noun, in the plural unless the count is 1:
// nof(2, "request") is "2 requests", nof(1, "time") "1 time",
// nof(3, "anomaly") "3 anomalies".
func nof(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	switch {
	case strings.HasSuffix(noun, "y") && !strings.HasSuffix(noun, "ay"):
		noun = strings.TrimSuffix(noun, "y") + "ies"
	case strings.HasSuffix(noun, "x"), strings.HasSuffix(noun, "s"):
		noun += "es"
	default:
		noun += "s"
	}
	return fmt.Sprintf("%d %s", n, noun)
}

// times writes "once", "twice" or "N times".
func times(n int) string {
	switch n {
	case 1:
		return "once"
	case 2:
		return "twice"
	}
	return fmt.Sprintf("%d times", n)
}

package trace

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/mapiscope/mapiscope/decode"
	"github.com/mapiscope/mapiscope/decode/autodiscover"
	"github.com/mapiscope/mapiscope/decode/mapihttp"
	"github.com/mapiscope/mapiscope/decode/rop"
	"github.com/mapiscope/mapiscope/decode/wire"
)

// pipeline groups exchanges into MAPI sessions and decodes them in order.
//
// A MAPI session is keyed by its endpoint (emsmdb or nspi), MailboxId and
// context cookie. Cookie names differ between servers (MapiContext /
// MapiSequence on Exchange, sid / sequence on gromox …), so the names are
// learnt from the Set-Cookie of each Connect or Bind response: a cookie
// whose name mentions "seq" is the rotating sequence cookie, the others
// identify the session context. X-ClientInfo and X-RequestId are not
// unique across clients and are not used as keys.
type pipeline struct {
	w        *Writer
	sessions map[string]*sessState // by context-cookie key
	byConn   map[string]*sessState // fallback: by endpoint + connection
	// contextNames are the cookie names that identify a context, per
	// endpoint, learnt from Connect/Bind responses.
	contextNames map[string]map[string]bool
	dirty        map[*sessState]bool
	// ops collects the rows of the exchange being added.
	ops []op
}

// emit queues one statement execution for the exchange being added.
func (p *pipeline) emit(k stmtKind, args ...any) { p.ops = append(p.ops, op{k: k, args: args}) }

func (p *pipeline) nextID(n *int64) int64 {
	id := *n
	*n++
	return id
}

type sessState struct {
	id        int64
	endpoint  string
	mailbox   string
	key       string
	dec       *decode.Session
	seq       int
	exchanges int
	rops      int
	errors    int
	anomalies int
	lastSeen  time.Time
	user      string
	cookie    string
	objects   map[*decode.Object]int64
	// While an exchange decodes: objects it created (rows written once
	// their creating ROP has an id) and objects it changed or released.
	newObjs  []*decode.Object
	touched  []*decode.Object
	released []*decode.Object
}

func newPipeline(w *Writer) *pipeline {
	return &pipeline{w: w, sessions: map[string]*sessState{}, byConn: map[string]*sessState{},
		contextNames: map[string]map[string]bool{}, dirty: map[*sessState]bool{}}
}

// endpointOf classifies a request URL.
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

func mailboxOf(u string) string {
	if i := strings.IndexByte(u, '?'); i >= 0 {
		if q, err := url.ParseQuery(u[i+1:]); err == nil {
			for k, v := range q {
				if strings.EqualFold(k, "MailboxId") && len(v) > 0 {
					return v[0]
				}
			}
		}
	}
	return ""
}

func isSequenceCookie(name string) bool { return strings.Contains(strings.ToLower(name), "seq") }

// contextKey finds the context cookie of a request: a learnt context
// name, else any cookie that does not look like a sequence cookie.
func (p *pipeline) contextKey(endpoint string, h http.Header) string {
	cookies := mapihttp.ParseCookies(h)
	names := p.contextNames[endpoint]
	for _, c := range cookies {
		if names[c.Name] {
			return endpoint + "|" + c.Name + "=" + c.Value
		}
	}
	for _, c := range cookies {
		if !isSequenceCookie(c.Name) {
			return endpoint + "|" + c.Name + "=" + c.Value
		}
	}
	return ""
}

// learnCookies records the context cookie a Connect/Bind response sets
// and returns its key.
func (p *pipeline) learnCookies(endpoint string, h http.Header) string {
	key := ""
	for _, c := range mapihttp.ParseCookies(h) {
		if isSequenceCookie(c.Name) {
			continue
		}
		if p.contextNames[endpoint] == nil {
			p.contextNames[endpoint] = map[string]bool{}
		}
		p.contextNames[endpoint][c.Name] = true
		if key == "" {
			key = endpoint + "|" + c.Name + "=" + c.Value
		}
	}
	return key
}

// sessionFor finds or starts the session an exchange belongs to.
func (p *pipeline) sessionFor(ex *Exchange, endpoint string, rt mapihttp.RequestType) (*sessState, error) {
	connKey := endpoint + "|" + ex.Conn + "|" + mailboxOf(ex.URL)
	starts := rt == mapihttp.TypeConnect || rt == mapihttp.TypeBind
	var s *sessState
	if !starts {
		if k := p.contextKey(endpoint, ex.ReqHeader); k != "" {
			s = p.sessions[k]
		}
		if s == nil && ex.Conn != "" {
			s = p.byConn[connKey]
		}
	}
	if s == nil {
		var err error
		if s, err = p.newSession(ex, endpoint); err != nil {
			return nil, err
		}
		if k := p.contextKey(endpoint, ex.ReqHeader); k != "" && !starts {
			s.key = k
			p.sessions[k] = s
		}
	}
	if starts && ex.RespHeader != nil {
		if k := p.learnCookies(endpoint, ex.RespHeader); k != "" {
			s.key = k
			s.cookie = strings.TrimPrefix(k, endpoint+"|")
			p.sessions[k] = s
		}
	}
	if ex.Conn != "" {
		p.byConn[connKey] = s
	}
	return s, nil
}

func (p *pipeline) newSession(ex *Exchange, endpoint string) (*sessState, error) {
	w := p.w
	s := &sessState{endpoint: endpoint, mailbox: mailboxOf(ex.URL), objects: map[*decode.Object]int64{}}
	if endpoint == "emsmdb" {
		s.dec = decode.NewSession()
		s.dec.OnObject = func(o *decode.Object) { p.storeObject(s, o) }
	}
	s.user = userOf(ex)
	s.id = p.nextID(&w.ids.session)
	p.emit(stSession, s.id, w.CaptureID, endpoint, nullStr(s.mailbox), nullStr(s.user), nil,
		nullStr(ex.ReqHeader.Get("X-ClientApplication")), nullStr(ex.ReqHeader.Get("X-ClientInfo")),
		nullStr(ex.Server), nsOrNil(ex.Started), nsOrNil(ex.Started))
	return s, nil
}

// userOf finds who the client is: the user of a Basic Authorization
// header (the password is never kept), or the DN of a Connect.
func userOf(ex *Exchange) string {
	if ex.ReqHeader == nil {
		return ""
	}
	if r, err := http.NewRequest("GET", "/", nil); err == nil {
		r.Header = ex.ReqHeader
		if u, _, ok := r.BasicAuth(); ok {
			return u
		}
	}
	return ""
}

// sessionOps returns the updates of the session rows that changed.
func (p *pipeline) sessionOps() []op {
	var out []op
	for s := range p.dirty {
		out = append(out, op{k: stSessionUpdate, args: []any{nsOrNil(s.lastSeen), s.exchanges, s.rops, s.errors, s.anomalies,
			nullStr(s.user), nullStr(s.cookie), s.id}})
	}
	p.dirty = map[*sessState]bool{}
	return out
}

// exchangeRow is what one exchange contributes beyond its raw bytes.
type exchangeRow struct {
	reqType      string
	xrc          any
	ropCount     int
	ropSummary   string
	errorCount   int
	anomalies    []anomalyRow
	rops         []ropRow
	chunkTags    []string
	respBodyBase int
}

type anomalyRow struct {
	dir string
	a   wire.Anomaly
}

type ropRow struct {
	position                 int
	ropID                    uint8
	name                     string
	logon                    any
	inIdx, outIdx, inH, outH any
	inObj, outObj            *decode.Object
	rv                       any
	reqOff, reqLen, respOff  any
	respLen                  any
	summary                  string
	reqJSON, respJSON        any
	context                  any
	props                    map[uint16]bool
}

// add decodes one exchange and returns the rows to store and its id.
func (p *pipeline) add(ex *Exchange) ([]op, int64, error) {
	w := p.w
	p.ops = nil
	if ex.ReqHeader == nil {
		ex.ReqHeader = http.Header{}
	}
	endpoint := endpointOf(ex.URL)
	rtName := ex.ReqHeader.Get("X-RequestType")
	rt, _ := mapihttp.ParseRequestType(rtName)
	row := exchangeRow{reqType: rtName}

	var s *sessState
	if endpoint == "emsmdb" || endpoint == "nspi" {
		var err error
		if s, err = p.sessionFor(ex, endpoint, rt); err != nil {
			return nil, 0, err
		}
	}

	// The response body: meta-tags, trailing headers, binary body.
	var binBody []byte
	if ex.RespHeader != nil && ex.RespHeader.Get("X-ResponseCode") != "" {
		if v, err := strconv.Atoi(strings.TrimSpace(ex.RespHeader.Get("X-ResponseCode"))); err == nil {
			row.xrc = v
		}
	}
	var framed *mapihttp.Framed
	if (endpoint == "emsmdb" || endpoint == "nspi") && len(ex.RespBody) > 0 && ex.Status == 200 &&
		mapihttp.IsContentType(ex.RespHeader.Get("Content-Type")) {
		f, err := mapihttp.ParseResponseBody(ex.RespBody)
		if err != nil {
			row.anomalies = append(row.anomalies, anomalyRow{"response", wire.Anomaly{Reason: "meta-tags: " + err.Error()}})
		}
		if f != nil {
			framed = f
			binBody = f.Body
			row.respBodyBase = f.BodyOffset
			for _, a := range f.Anomalies {
				row.anomalies = append(row.anomalies, anomalyRow{"response", a})
			}
			for _, h := range f.Headers {
				if strings.EqualFold(h.Name, "X-ResponseCode") {
					if v, err := strconv.Atoi(strings.TrimSpace(h.Value)); err == nil {
						row.xrc = v
					}
				}
			}
		}
	}
	row.chunkTags = chunkTags(ex.Chunks, framed)

	switch {
	case s != nil && s.dec != nil && rt == mapihttp.TypeExecute:
		p.decodeExecute(&row, s, ex, binBody)
	case endpoint == "emsmdb" || endpoint == "nspi":
		if rt != mapihttp.TypeUnknown {
			p.decodeBodies(&row, ex, rt, binBody)
		}
	case endpoint == "autodiscover" && len(ex.ReqBody) > 0:
		if _, _, an := autodiscover.Inspect(ex.ReqBody); len(an) > 0 {
			for _, a := range an {
				row.anomalies = append(row.anomalies, anomalyRow{"request", a})
			}
		}
		if len(ex.RespBody) > 0 && ex.Status == 200 {
			_, _, an := autodiscover.Inspect(ex.RespBody)
			for _, a := range an {
				row.anomalies = append(row.anomalies, anomalyRow{"response", a})
			}
		}
	}

	var sid any
	seq := 0
	if s != nil {
		sid = s.id
		s.seq++
		seq = s.seq
	}
	req := ex.ReqHeader
	partial := 0
	if ex.ReqPartial || ex.RespPartial {
		partial = 1
	}
	var dur any
	if d := ex.Duration(); d > 0 {
		dur = int64(d)
	}
	exID := p.nextID(&w.ids.exchange)
	p.emit(stExchange, exID, w.CaptureID, sid, seq, nsOrNil(ex.Started), nsOrNil(ex.RequestDone), nsOrNil(ex.ResponseStart),
		nsOrNil(ex.Ended), dur, nullStr(ex.Client), nullStr(ex.Server), nullStr(ex.Conn), ex.Method, ex.URL, nullStr(ex.Host),
		nullStr(rtName), nullStr(req.Get("X-RequestId")), nullStr(req.Get("X-ClientInfo")), nullStr(req.Get("X-ClientApplication")),
		ex.Status, row.xrc, redactHeaders(req), headerText(ex.RespHeader), ex.ReqBody, ex.RespBody, len(ex.ReqBody), len(ex.RespBody),
		row.ropCount, nullStr(row.ropSummary), row.errorCount, len(row.anomalies), partial, nullStr(ex.Error), nullStr(ex.Source))
	for i, c := range ex.Chunks {
		p.emit(stChunk, exID, i, c.Offset, c.Length, nsOrNil(c.At), nullStr(row.chunkTags[i]))
	}
	created := map[*decode.Object]int64{} // object → the ROP that created it
	releasedBy := map[*decode.Object]int64{}
	for _, r := range row.rops {
		rid := p.nextID(&w.ids.rop)
		p.emit(stRop, rid, exID, sid, r.position, r.ropID, r.name, r.logon, r.inIdx, r.outIdx, r.inH, r.outH,
			p.objectID(s, r.inObj), p.objectID(s, r.outObj), r.rv, r.reqOff, r.reqLen, r.respOff, r.respLen,
			nullStr(r.summary), r.reqJSON, r.respJSON, r.context)
		for id := range r.props {
			p.emit(stRopProp, id, rid, exID)
		}
		if r.outObj != nil {
			created[r.outObj] = rid
		}
		if r.ropID == 0x01 && r.inObj != nil {
			releasedBy[r.inObj] = rid
		}
	}
	if s != nil {
		p.objectRows(s, exID, created, releasedBy)
	}
	for _, a := range row.anomalies {
		p.emit(stAnomaly, exID, sid, a.dir, a.a.Offset, nullStr(a.a.Path), a.a.Reason, a.a.Raw)
	}
	if s != nil {
		s.exchanges++
		s.rops += row.ropCount
		s.errors += row.errorCount
		s.anomalies += len(row.anomalies)
		if !ex.Ended.IsZero() {
			s.lastSeen = ex.Ended
		} else if !ex.Started.IsZero() {
			s.lastSeen = ex.Started
		}
		if s.user == "" {
			s.user = userOf(ex)
		}
		p.dirty[s] = true
	}
	return p.ops, exID, nil
}

// redactHeaders renders request headers with credentials removed: the
// scheme of an Authorization header is kept, its secret is not.
func redactHeaders(h http.Header) string {
	if h.Get("Authorization") == "" && h.Get("Proxy-Authorization") == "" {
		return headerText(h)
	}
	c := h.Clone()
	for _, k := range []string{"Authorization", "Proxy-Authorization"} {
		for i, v := range c[k] {
			scheme, _, _ := strings.Cut(v, " ")
			c[k][i] = scheme + " [redacted]"
		}
	}
	return headerText(c)
}

// chunkTags names the meta-tag each response chunk carries, if any.
func chunkTags(chunks []Chunk, f *mapihttp.Framed) []string {
	tags := make([]string, len(chunks))
	if f == nil {
		return tags
	}
	for i, c := range chunks {
		for _, t := range f.Tags {
			if t.Offset >= c.Offset && t.Offset < c.Offset+c.Length {
				if tags[i] != "" {
					tags[i] += "+"
				}
				tags[i] += string(t.Tag)
			}
		}
		if tags[i] == "" && f.BodyOffset < c.Offset+c.Length && c.Offset+c.Length > 0 && len(f.Body) > 0 && c.Offset >= f.BodyOffset {
			tags[i] = "body"
		}
	}
	return tags
}

// decodeBodies decodes a non-Execute request and its response body.
func (p *pipeline) decodeBodies(row *exchangeRow, ex *Exchange, rt mapihttp.RequestType, binBody []byte) {
	if res, err := decode.Decode(bodyLayer(rt, false), ex.ReqBody, decode.Options{Type: rt.String()}); err == nil {
		for _, a := range res.Anomalies {
			row.anomalies = append(row.anomalies, anomalyRow{"request", a})
		}
	}
	if binBody != nil {
		if res, err := decode.Decode(bodyLayer(rt, true), binBody, decode.Options{Type: rt.String()}); err == nil {
			for _, a := range res.Anomalies {
				a.Offset += row.respBodyBase
				row.anomalies = append(row.anomalies, anomalyRow{"response", a})
			}
		}
	}
}

func bodyLayer(rt mapihttp.RequestType, response bool) string {
	dir := "-request"
	if response {
		dir = "-response"
	}
	if rt.AddressBook() && rt != mapihttp.TypePing {
		return "nspi" + dir
	}
	return strings.ToLower(rt.String()) + dir
}

// decodeExecute decodes an Execute in its session and collects ROP rows.
func (p *pipeline) decodeExecute(row *exchangeRow, s *sessState, ex *Exchange, binBody []byte) {
	res := s.dec.Execute(ex.ReqBody, binBody, true)
	for _, a := range res.Anomalies {
		row.anomalies = append(row.anomalies, anomalyRow{"exchange", a})
	}
	pairs := res.Pairs()
	row.ropCount = len(pairs)
	var names []string
	var reqHandles, respHandles []uint32
	if res.Buffers != nil {
		reqHandles = res.Buffers.Request.Handles
		if len(res.Buffers.Responses) > 0 {
			respHandles = res.Buffers.Responses[0].Handles
		}
	}
	for i := range pairs {
		pr := &pairs[i]
		r := ropRow{position: pr.Index, name: pr.Name(), inObj: pr.Input, outObj: pr.Output, props: map[uint16]bool{}}
		if pr.Index < 0 {
			r.position = len(pairs) + i
		}
		names = append(names, strings.TrimPrefix(r.name, "Rop"))
		if pr.Request != nil {
			h := pr.Request.Header()
			r.ropID, r.logon = h.RopId, h.LogonId
			if _, isLogon := pr.Request.(*rop.LogonRequest); !isLogon {
				r.inIdx = h.InputHandleIndex
				if int(h.InputHandleIndex) < len(reqHandles) {
					r.inH = int64(reqHandles[h.InputHandleIndex])
				}
			}
			if pr.Index >= 0 && pr.Index < len(res.Buffers.Request.Ctxs) {
				if c := res.Buffers.Request.Ctxs[pr.Index]; c.HasOutput {
					r.outIdx = c.OutputHandleIndex
					if c.OutputHandleIndex < len(respHandles) {
						r.outH = int64(respHandles[c.OutputHandleIndex])
					}
				}
			}
		} else if pr.Response != nil {
			r.ropID = pr.Response.Header().RopId
		}
		if rv, ok := pr.ReturnValue(); ok {
			r.rv = int64(rv)
			if rv != 0 {
				row.errorCount++
			}
		}
		if pr.ReqNode != nil {
			r.reqOff, r.reqLen = pr.ReqNode.Off, pr.ReqNode.Len
			r.reqJSON = string(pr.ReqNode.JSON(wire.JSONOptions{}))
			collectProps(pr.ReqNode, r.props)
		}
		if pr.RespNode != nil {
			r.respOff, r.respLen = pr.RespNode.Off+row.respBodyBase, pr.RespNode.Len
			r.respJSON = string(pr.RespNode.JSON(wire.JSONOptions{}))
			collectProps(pr.RespNode, r.props)
		}
		r.summary = ropSummary(pr)
		if !pr.Context.Empty() && pr.Index >= 0 {
			if b, err := json.Marshal(pr.Context); err == nil {
				r.context = string(b)
			}
		}
		row.rops = append(row.rops, r)
	}
	row.ropSummary = SummarizeNames(names)
}

func collectProps(n *wire.Node, into map[uint16]bool) {
	if n.Prop != 0 {
		into[uint16(n.Prop>>16)] = true
	}
	for _, ch := range n.Children {
		collectProps(ch, into)
	}
}

// ropSummary is a one-line description of a ROP for listings.
func ropSummary(p *decode.RopPair) string {
	var b strings.Builder
	if p.Input != nil {
		b.WriteString("on " + p.Input.Name())
	}
	if p.Output != nil {
		if b.Len() > 0 {
			b.WriteString(" ")
		}
		b.WriteString("⇒ " + p.Output.Name())
	}
	return b.String()
}

// SummarizeNames run-length encodes ROP names: "Logon, OpenFolder ×2,
// GetHierarchyTable".
func SummarizeNames(names []string) string {
	var b strings.Builder
	for i := 0; i < len(names); {
		j := i
		for j < len(names) && names[j] == names[i] {
			j++
		}
		if b.Len() > 0 {
			b.WriteString(", ")
		}
		b.WriteString(names[i])
		if j-i > 1 {
			b.WriteString(" ×" + strconv.Itoa(j-i))
		}
		i = j
	}
	return b.String()
}

// storeObject notes a new or changed object (called by the decoder while
// an exchange decodes); objectRows writes them once the exchange's ROPs
// have ids.
func (p *pipeline) storeObject(s *sessState, o *decode.Object) {
	if _, ok := s.objects[o]; ok {
		s.touched = append(s.touched, o)
		if o.Released {
			s.released = append(s.released, o)
		}
		return
	}
	s.objects[o] = p.nextID(&p.w.ids.object)
	s.newObjs = append(s.newObjs, o)
}

// objectID returns the row id of an object (nil when unknown).
func (p *pipeline) objectID(s *sessState, o *decode.Object) any {
	if s == nil || o == nil {
		return nil
	}
	if id, ok := s.objects[o]; ok {
		return id
	}
	return nil
}

// objectRows writes the objects the exchange created and the changes to
// those it touched, pointing them at their creating and releasing ROPs,
// and forgets released objects.
func (p *pipeline) objectRows(s *sessState, exID int64, created, releasedBy map[*decode.Object]int64) {
	for _, o := range s.newObjs {
		var parent, fid, mid, crop any
		if o.Parent != nil {
			if id, ok := s.objects[o.Parent]; ok {
				parent = id
			}
		}
		if o.HasFolder {
			fid = o.FolderId.String()
		}
		if o.HasMessage {
			mid = o.MessageId.String()
		}
		if rid, ok := created[o]; ok {
			crop = rid
		}
		p.emit(stObject, s.objects[o], s.id, o.Seq, o.Kind.String(), nullStr(o.Detail), o.Name(), int64(o.Handle), o.LogonId,
			parent, fid, mid, exID, crop)
	}
	for _, o := range s.touched {
		var relEx, relRop any
		if o.Released {
			relEx = exID
			if rid, ok := releasedBy[o]; ok {
				relRop = rid
			}
		}
		p.emit(stObjectUpdate, o.Name(), int64(o.Handle), relEx, relRop, s.objects[o])
	}
	for _, o := range s.released {
		delete(s.objects, o)
	}
	s.newObjs, s.touched, s.released = s.newObjs[:0], s.touched[:0], s.released[:0]
}

package decode

import (
	"fmt"

	"github.com/mapiscope/mapiscope/decode/prop"
	"github.com/mapiscope/mapiscope/decode/rop"
	"github.com/mapiscope/mapiscope/decode/wire"
)

// Kind is what a server object is.
type Kind uint8

const (
	KindUnknown Kind = iota
	KindLogon
	KindFolder
	KindMessage
	KindAttachment
	KindTable
	KindStream
	KindFastTransferDownload
	KindFastTransferUpload
	KindICSDownload
	KindICSUpload
	KindSubscription
)

var kindNames = [...]string{"object", "logon", "folder", "message", "attachment", "table",
	"stream", "FastTransfer download context", "FastTransfer upload context",
	"ICS download context", "ICS upload collector", "notification subscription"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "object"
}

// RopRef points at one ROP of a session: the exchange (0-based, in the
// order the session saw them) and the ROP's index in that request buffer.
type RopRef struct {
	Exchange int
	Index    int
}

func (r RopRef) String() string { return fmt.Sprintf("exchange %d rop %d", r.Exchange, r.Index) }

// Object is one server object the session opened: a logon, folder,
// message, table … with where it came from and where it went.
type Object struct {
	Seq     int // creation order within the session, from 1
	Kind    Kind
	Detail  string // "contents table", "associated contents table", …
	Handle  uint32 // server handle value; 0 until the response's handle table is read
	LogonId uint8
	Parent  *Object

	FolderId      prop.ID
	HasFolder     bool
	MessageId     prop.ID
	HasMessage    bool
	PropertyTag   prop.Tag // streams
	Columns       []prop.Tag
	HasColumns    bool
	CreatedBy     RopRef
	CreatedByRop  uint8
	ReleasedBy    RopRef
	Released      bool
	FolderName    string // well-known folder name from the logon, if any
	replacedByNew bool
	fx            *fxState // FastTransfer / ICS stream context
}

// Name is a short label for people: "folder Inbox", "contents table of
// folder Inbox", "message 0001-000000000123".
func (o *Object) Name() string {
	if o == nil {
		return "(unknown object)"
	}
	s := o.Kind.String()
	if o.Detail != "" {
		s = o.Detail
	}
	switch {
	case o.Kind == KindFolder && o.FolderName != "":
		s += " " + o.FolderName
	case o.Kind == KindFolder && o.HasFolder:
		s += " " + o.FolderId.String()
	case o.Kind == KindMessage && o.HasMessage:
		s += " " + o.MessageId.String()
	case o.Kind == KindStream && o.PropertyTag != 0:
		s += " " + o.PropertyTag.String()
	}
	if o.Parent != nil && (o.Kind == KindTable || o.Kind == KindStream || o.Kind == KindICSDownload ||
		o.Kind == KindICSUpload || o.Kind == KindFastTransferDownload) {
		s += " of " + o.Parent.Name()
	}
	return s
}

// Session walks the exchanges of one MAPI session in order and keeps the
// context that makes context-dependent ROPs readable: the handle table,
// LogonFlags per LogonId, table column sets, named-property maps. It is
// O(n) in the exchanges and holds only live objects.
type Session struct {
	handles    map[uint32]*Object
	logonFlags [256]uint8
	hasLogon   [256]bool
	// folderNames maps well-known FolderIds to names from RopLogon.
	folderNames map[prop.ID]string
	named       map[uint8]map[uint16]prop.PropertyName
	exchanges   int
	seq         int
	// OnObject, when set, sees each object when it is created and again
	// when it is released or its handle becomes known.
	OnObject func(*Object)
	// replay, when set, supplies each ROP's context by request index
	// instead of the session's own state (ReplayExecute).
	replay map[int]RopContext
}

// NewSession starts an empty session context.
func NewSession() *Session {
	return &Session{
		handles:     map[uint32]*Object{},
		folderNames: map[prop.ID]string{},
		named:       map[uint8]map[uint16]prop.PropertyName{},
	}
}

// LiveObjects returns how many objects the session holds open.
func (s *Session) LiveObjects() int { return len(s.handles) }

// ObjectByHandle returns the live object with that server handle.
func (s *Session) ObjectByHandle(h uint32) *Object { return s.handles[h] }

// NamedProperty returns what a named-property id (0x8000 and up) means on
// a logon, as learnt from RopGetPropertyIdsFromNames and friends.
func (s *Session) NamedProperty(logon uint8, id uint16) (prop.PropertyName, bool) {
	m := s.named[logon]
	if m == nil {
		return prop.PropertyName{}, false
	}
	n, ok := m[id]
	return n, ok
}

// NamedPropertyName returns the canonical or descriptive name of a named
// property id on a logon ("PidLidCommonStart", or "{GUID}:0x8580").
func (s *Session) NamedPropertyName(logon uint8, id uint16) string {
	n, ok := s.NamedProperty(logon, id)
	if !ok {
		return ""
	}
	return n.String()
}

// namer returns the TagNamer for a logon, or nil when it maps no names.
func (s *Session) namer(logon uint8) func(uint32) string {
	if len(s.named[logon]) == 0 {
		return nil
	}
	return func(tag uint32) string { return s.NamedPropertyName(logon, uint16(tag>>16)) }
}

// RopPair is one request ROP with the response that answers it.
type RopPair struct {
	Index    int // position in the request buffer; -1 for unsolicited responses
	Request  rop.Request
	Response rop.Response // nil for RopRelease or a missing response
	ReqNode  *wire.Node
	RespNode *wire.Node
	// Input is the object the ROP worked on; Output the one it created.
	Input  *Object
	Output *Object
	// Stream is what the ROP added to a FastTransfer stream or an ICS
	// state upload (nil for other ROPs).
	Stream *StreamResult
	// Chained marks a response that came in an extra RPC_HEADER_EXT block
	// of the same Execute (the server re-ran the last ROP).
	Chained bool
	// Context is the session context the ROP's decoding used; stored with
	// it, it lets the ROP be decoded again on its own (ReplayExecute).
	Context RopContext
}

// RopContext is what a ROP's decoding took from its session.
type RopContext struct {
	Columns       []prop.Tag `json:"columns,omitempty"`
	HasColumns    bool       `json:"has_columns,omitempty"`
	LogonFlags    uint8      `json:"logon_flags,omitempty"`
	HasLogonFlags bool       `json:"has_logon_flags,omitempty"`
}

// Empty reports a context that adds nothing to the bytes.
func (c RopContext) Empty() bool { return !c.HasColumns && !c.HasLogonFlags }

// Name returns the ROP's name.
func (p *RopPair) Name() string {
	if p.Request != nil {
		return rop.Name(p.Request.Header().RopId)
	}
	if p.Response != nil {
		return rop.Name(p.Response.Header().RopId)
	}
	return "?"
}

// ReturnValue returns the response's ReturnValue and whether there is one.
func (p *RopPair) ReturnValue() (prop.ErrorCode, bool) {
	if p.Response == nil {
		return 0, false
	}
	switch p.Response.(type) {
	case *rop.BackoffResponse, *rop.BufferTooSmallResponse:
		return 0, false
	}
	return p.Response.Header().ReturnValue, true
}

// Buffers is the result of decoding one request ROP buffer and the
// response buffers that answer it.
type Buffers struct {
	Request   *rop.RequestBuffer
	Responses []*rop.ResponseBuffer
	ReqTree   *wire.Node
	RespTrees []*wire.Node
	Pairs     []RopPair
	Anomalies []wire.Anomaly
}

// RopBuffers decodes one request ROP buffer and its response ROP buffers
// (several when the server chained RPC_HEADER_EXT blocks) in the session's
// context, then updates the context. reqBase/respBase are the absolute
// offsets of the buffers for spans (0 when they stand alone).
func (s *Session) RopBuffers(reqBuf []byte, reqBase int, respBufs [][]byte, respBases []int, spans bool) *Buffers {
	ex := s.exchanges
	s.exchanges++
	out := &Buffers{}
	env := &sessionEnv{s: s, ex: ex, slots: make(map[int]*Object), created: map[int]*Object{}, spans: spans}

	c := wire.NewDecoder(reqBuf, spans, "RopBuffer")
	c.SetBase(reqBase)
	rb := &rop.RequestBuffer{}
	rop.CodecRequestBuffer(c, rb, env)
	out.Request, out.ReqTree = rb, c.Tree()
	out.Anomalies = append(out.Anomalies, c.Anomalies()...)
	env.req = rb
	for i, h := range rb.Handles {
		if o := s.handles[h]; o != nil && h != 0xFFFFFFFF {
			env.slots[i] = o
		}
	}
	var reqNodes []*wire.Node
	if t := c.Tree(); t != nil {
		if l := t.Child("RopsList"); l != nil {
			reqNodes = l.Children
		}
	}
	env.pairs = make([]RopPair, len(rb.Rops))
	for i, r := range rb.Rops {
		env.pairs[i] = RopPair{Index: i, Request: r}
		if i < len(reqNodes) {
			env.pairs[i].ReqNode = reqNodes[i]
		}
	}

	var unsolicited []RopPair
	for bi, rbytes := range respBufs {
		base := 0
		if bi < len(respBases) {
			base = respBases[bi]
		}
		if bi == 0 {
			env.respHandles = peekHandles(rbytes)
		}
		rc := wire.NewDecoder(rbytes, spans, "RopBuffer")
		rc.SetBase(base)
		resp := &rop.ResponseBuffer{}
		env.chained = bi > 0
		rop.CodecResponseBuffer(rc, resp, rb, env)
		out.Responses = append(out.Responses, resp)
		out.RespTrees = append(out.RespTrees, rc.Tree())
		out.Anomalies = append(out.Anomalies, rc.Anomalies()...)
		var respNodes []*wire.Node
		if t := rc.Tree(); t != nil {
			if l := t.Child("RopsList"); l != nil {
				respNodes = l.Children
			}
		}
		for k, r := range resp.Rops {
			var nd *wire.Node
			if k < len(respNodes) {
				nd = respNodes[k]
			}
			ri := resp.Pair[k]
			if ri < 0 || ri >= len(env.pairs) {
				unsolicited = append(unsolicited, RopPair{Index: -1, Response: r, RespNode: nd})
				continue
			}
			if env.pairs[ri].Response != nil {
				// A chained re-run of the request (or a duplicate answer).
				cp := RopPair{Index: ri, Request: env.pairs[ri].Request, Response: r, RespNode: nd,
					Input: env.pairs[ri].Input, Chained: bi > 0}
				if res := env.streams[r]; res != nil {
					attachStream(&cp, res)
				}
				unsolicited = append(unsolicited, cp)
				continue
			}
			env.pairs[ri].Response = r
			env.pairs[ri].RespNode = nd
			if res := env.streams[r]; res != nil {
				attachStream(&env.pairs[ri], res)
			}
		}
		if bi == 0 {
			env.finishReleases(len(rb.Rops))
		}
	}
	if len(respBufs) == 0 {
		env.finishReleases(len(rb.Rops))
	}
	out.Pairs = append(env.pairs, unsolicited...)
	out.Anomalies = append(out.Anomalies, env.streamAnomalies...)
	return out
}

// sessionEnv is the rop.Env a Session hands to the buffer codecs.
type sessionEnv struct {
	s       *Session
	ex      int
	req     *rop.RequestBuffer
	slots   map[int]*Object // handle-table index → object, during this buffer
	created map[int]*Object // objects created in this buffer, by index
	pairs   []RopPair
	done    int // requests before this index have had their effects
	chained bool
	// respHandles is the response's ServerObjectHandleTable, read ahead
	// so that objects get their handle values as soon as they are created
	// (a RopNotify later in the same buffer may name them).
	respHandles []uint32
	// streams holds the stream results of responses, until the pairs
	// are assembled.
	streams         map[rop.Response]*StreamResult
	streamAnomalies []wire.Anomaly
	spans           bool // build span trees (of stream elements too)
}

// peekHandles reads the ServerObjectHandleTable of a ROP buffer without
// decoding its ROPs.
func peekHandles(b []byte) []uint32 {
	if len(b) < 2 {
		return nil
	}
	size := int(b[0]) | int(b[1])<<8
	if size < 2 || size > len(b) {
		return nil
	}
	rest := b[size:]
	out := make([]uint32, len(rest)/4)
	for i := range out {
		out[i] = uint32(rest[4*i]) | uint32(rest[4*i+1])<<8 | uint32(rest[4*i+2])<<16 | uint32(rest[4*i+3])<<24
	}
	return out
}

func (e *sessionEnv) BeforeRequest(i int, id, logon uint8, ctx *rop.Ctx) {
	ctx.TagNamer = e.s.namer(logon)
	if e.s.hasLogon[logon] {
		ctx.LogonFlags, ctx.HasLogonFlags = e.s.logonFlags[logon], true
	}
	if e.s.replay != nil {
		if rc, ok := e.s.replay[i]; ok && rc.HasLogonFlags {
			ctx.LogonFlags, ctx.HasLogonFlags = rc.LogonFlags, true
		}
	}
}

func (e *sessionEnv) BeforeResponse(ri int, ctx *rop.Ctx) {
	if ri < 0 {
		ctx.NotifyColumns = func(h uint32) ([]prop.Tag, bool) {
			if o := e.s.handles[h]; o != nil && o.HasColumns {
				return o.Columns, true
			}
			return nil, false
		}
		return
	}
	if !e.chained {
		e.finishReleases(ri)
	}
	req := e.req.Rops[ri]
	h := req.Header()
	ctx.TagNamer = e.s.namer(h.LogonId)
	if e.s.hasLogon[h.LogonId] {
		ctx.LogonFlags, ctx.HasLogonFlags = e.s.logonFlags[h.LogonId], true
	}
	if lr, ok := req.(*rop.LogonRequest); ok {
		ctx.LogonFlags, ctx.HasLogonFlags = lr.LogonFlags, true
	}
	in := e.input(req)
	if in != nil && in.HasColumns {
		ctx.Columns, ctx.HasColumns = in.Columns, true
	}
	if e.s.replay != nil {
		replayCtx(e.s.replay, ri, ctx)
	}
	if ri < len(e.pairs) {
		rc := &e.pairs[ri].Context
		rc.Columns, rc.HasColumns = ctx.Columns, ctx.HasColumns
		rc.LogonFlags, rc.HasLogonFlags = ctx.LogonFlags, ctx.HasLogonFlags
	}
}

// input is the object a request works on.
func (e *sessionEnv) input(req rop.Request) *Object {
	if _, ok := req.(*rop.LogonRequest); ok {
		return nil
	}
	return e.slots[int(req.Header().InputHandleIndex)]
}

// finishReleases applies the requests without a response (RopRelease)
// that come before request index upto, in order.
func (e *sessionEnv) finishReleases(upto int) {
	for ; e.done < upto && e.done < len(e.req.Rops); e.done++ {
		req := e.req.Rops[e.done]
		if _, ok := req.(*rop.ReleaseRequest); !ok {
			continue
		}
		idx := int(req.Header().InputHandleIndex)
		o := e.slots[idx]
		e.pairs[e.done].Input = o
		if o == nil {
			continue
		}
		o.Released = true
		o.ReleasedBy = RopRef{Exchange: e.ex, Index: e.done}
		if e.s.handles[o.Handle] == o {
			delete(e.s.handles, o.Handle)
		}
		delete(e.slots, idx)
		if e.s.OnObject != nil {
			e.s.OnObject(o)
		}
	}
}

func (e *sessionEnv) AfterResponse(ri int, resp rop.Response, ctx *rop.Ctx) {
	if ri < 0 {
		return
	}
	req := e.req.Rops[ri]
	if e.chained {
		e.streamROP(req, resp, e.input(req))
		return
	}
	if e.done <= ri {
		e.done = ri + 1
	}
	in := e.input(req)
	e.pairs[ri].Input = in
	e.streamROP(req, resp, in)
	if resp.Header().ReturnValue != 0 {
		return
	}
	s := e.s
	switch r := req.(type) {
	case *rop.SetColumnsRequest:
		if in != nil {
			in.Columns, in.HasColumns = r.PropertyTags, true
		}
	case *rop.LogonRequest:
		s.logonFlags[r.LogonId], s.hasLogon[r.LogonId] = r.LogonFlags, true
		if lr, ok := resp.(*rop.LogonResponse); ok {
			names := rop.PublicFolderNames
			if lr.LogonFlags&0x01 != 0 {
				names = rop.PrivateFolderNames
			}
			for i, id := range lr.FolderIds {
				if id != 0 {
					s.folderNames[id] = names[i]
				}
			}
		}
	}
	e.learnNames(req, resp)
	learnColumns(in, req, resp)
	rc := e.reqCtx(ri)
	if rc == nil || !rc.HasOutput {
		return
	}
	o := e.newObject(req, resp, in)
	e.slots[rc.OutputHandleIndex] = o
	e.created[rc.OutputHandleIndex] = o
	e.pairs[ri].Output = o
	e.bind(rc.OutputHandleIndex, o)
	if s.OnObject != nil {
		s.OnObject(o)
	}
}

// bind gives o the handle value at index idx of the response's handle
// table and registers it; a value still held by an older object means the
// server reused it, so the older object is gone.
func (e *sessionEnv) bind(idx int, o *Object) {
	if idx >= len(e.respHandles) {
		return
	}
	h := e.respHandles[idx]
	if h == 0xFFFFFFFF {
		return
	}
	if old := e.s.handles[h]; old != nil && old != o {
		old.replacedByNew = true
	}
	o.Handle = h
	e.s.handles[h] = o
}

func (e *sessionEnv) reqCtx(ri int) *rop.Ctx {
	if ri < len(e.req.Ctxs) {
		return &e.req.Ctxs[ri]
	}
	return nil
}

// newObject makes the object a successful creating ROP opened.
func (e *sessionEnv) newObject(req rop.Request, resp rop.Response, parent *Object) *Object {
	s := e.s
	s.seq++
	h := req.Header()
	o := &Object{Seq: s.seq, LogonId: h.LogonId, Parent: parent,
		CreatedBy: RopRef{Exchange: e.ex, Index: indexOf(e.req.Rops, req)}, CreatedByRop: h.RopId}
	o.Kind, o.Detail = objectKind(h.RopId, req)
	if parent != nil {
		if parent.HasFolder && o.Kind != KindFolder {
			o.FolderId, o.HasFolder = parent.FolderId, true
		}
		if parent.HasMessage && o.Kind != KindMessage {
			o.MessageId, o.HasMessage = parent.MessageId, true
		}
	}
	describeObject(o, req, resp)
	startStream(o, req, parent)
	if o.Kind == KindFolder && o.HasFolder {
		o.FolderName = s.folderNames[o.FolderId]
	}
	return o
}

func indexOf(l []rop.Request, r rop.Request) int {
	for i := range l {
		if l[i] == r {
			return i
		}
	}
	return -1
}

package server

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mapiscope/mapiscope/decode/mapihttp"
	"github.com/mapiscope/mapiscope/server/nspi"
)

// The MAPI/HTTP transport — [MS-OXCMAPIHTTP] 2.2 and 3.2.

type endpoint uint8

const (
	endpointEmsmdb endpoint = iota
	endpointNspi
)

func (e endpoint) path() string {
	if e == endpointNspi {
		return "/mapi/nspi/"
	}
	return "/mapi/emsmdb/"
}

// Cookie names, as Exchange names them ([MS-OXCMAPIHTTP] 2.2.3.2.3 leaves
// them opaque).
const (
	cookieContext  = "MapiContext"
	cookieSequence = "MapiSequence"
)

// session is one session context: an emsmdb Connect or an nspi Bind.
type session struct {
	srv   *Server
	ep    endpoint
	id    string
	user  *user
	authz string // the Authorization value verified when it was created

	mu  sync.Mutex // serialises the requests that carry the sequence cookie
	seq string

	lastUsed atomic.Int64 // unix nanoseconds (wall clock)
	busy     atomic.Int32
	ended    atomic.Bool
	endCh    chan struct{}
	endOnce  sync.Once

	em *emsmdbSession
	ab *nspi.Session
}

func (ss *session) touch() { ss.lastUsed.Store(time.Now().UnixNano()) }

func (ss *session) expired(now time.Time, idle time.Duration) bool {
	return ss.busy.Load() == 0 && now.Sub(time.Unix(0, ss.lastUsed.Load())) > idle
}

// end frees the session's objects and wakes its NotificationWait.
func (ss *session) end() {
	ss.endOnce.Do(func() {
		ss.ended.Store(true)
		close(ss.endCh)
		if ss.em != nil {
			ss.em.close()
		}
	})
}

// authorized reports whether a request's Authorization value may use the
// session: the value verified at creation, compared in constant time, or
// other valid credentials of the same user.
func (ss *session) authorized(authz string) (ok, wrongUser bool) {
	if authz != "" && subtle.ConstantTimeCompare([]byte(authz), []byte(ss.authz)) == 1 {
		return true, false
	}
	u := ss.srv.users.authenticate(authz)
	if u == nil {
		return false, false
	}
	if u.mb.ID != ss.user.mb.ID {
		return false, true
	}
	return true, false
}

// rejection is a request refused before processing.
type rejection struct {
	code mapihttp.ResponseCode
	msg  string
}

func (s *Server) reject(w http.ResponseWriter, r *http.Request, code mapihttp.ResponseCode, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	s.log.Info("mapi request refused", "path", r.URL.Path, "type", r.Header.Get(mapihttp.HeaderRequestType), "code", uint32(code), "reason", msg)
	h := w.Header()
	h.Set(mapihttp.HeaderResponseCode, strconv.FormatUint(uint64(code), 10))
	if v := r.Header.Get(mapihttp.HeaderRequestType); v != "" {
		h.Set(mapihttp.HeaderRequestType, v)
	}
	if v := r.Header.Get(mapihttp.HeaderRequestID); v != "" {
		h.Set(mapihttp.HeaderRequestID, v)
	}
	if v := r.Header.Get(mapihttp.HeaderClientInfo); v != "" {
		h.Set(mapihttp.HeaderClientInfo, v)
	}
	h.Set(mapihttp.HeaderServerApplication, s.cfg.ServerApplication)
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "private")
	w.WriteHeader(http.StatusOK)
	fmt.Fprintf(w, "<html><head><title>%d %s</title></head><body><p>X-ResponseCode %d (%s): %s</p></body></html>\n",
		uint32(code), code.Name(), uint32(code), code.Name(), html.EscapeString(msg))
}

// mapi handles a request on the emsmdb or nspi endpoint.
func (s *Server) mapi(w http.ResponseWriter, r *http.Request, ep endpoint) {
	if r.Method != http.MethodPost {
		s.reject(w, r, mapihttp.CodeInvalidVerb, "%s: the MAPI/HTTP endpoints take POST only", r.Method)
		return
	}
	authz := r.Header.Get("Authorization")
	if authz == "" {
		challenge(w)
		return
	}
	rtName := r.Header.Get(mapihttp.HeaderRequestType)
	if rtName == "" {
		s.reject(w, r, mapihttp.CodeMissingHeader, "no X-RequestType header")
		return
	}
	rt, ok := mapihttp.ParseRequestType(rtName)
	if !ok || (ep == endpointEmsmdb && !rt.Mailbox()) || (ep == endpointNspi && !rt.AddressBook()) {
		s.reject(w, r, mapihttp.CodeInvalidRequestType, "X-RequestType %q is not a request type of %s", rtName, ep.path())
		return
	}
	if r.Header.Get(mapihttp.HeaderRequestID) == "" {
		s.reject(w, r, mapihttp.CodeMissingHeader, "no X-RequestId header")
		return
	}
	if ct := r.Header.Get("Content-Type"); !mapihttp.IsContentType(ct) {
		s.reject(w, r, mapihttp.CodeInvalidHeader, "Content-Type %q is not %s", ct, mapihttp.ContentType)
		return
	}
	if r.ContentLength > s.cfg.MaxBody {
		s.reject(w, r, mapihttp.CodeTooLarge, "request body of %d bytes is over the limit of %d", r.ContentLength, s.cfg.MaxBody)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, s.cfg.MaxBody+1))
	if err != nil {
		s.reject(w, r, mapihttp.CodeInvalidRequestBody, "reading the request body: %v", err)
		return
	}
	if int64(len(body)) > s.cfg.MaxBody {
		s.reject(w, r, mapihttp.CodeTooLarge, "request body is over the limit of %d bytes", s.cfg.MaxBody)
		return
	}

	creates := rt == mapihttp.TypeConnect || rt == mapihttp.TypeBind
	var ss *session
	if creates {
		u := s.users.authenticate(authz)
		if u == nil {
			challenge(w)
			return
		}
		if old := s.cookieSession(r, ep); old != nil && old.user == u {
			s.drop(old) // a re-Connect replaces the context it names (4.4)
		}
		ss = s.newSession(ep, u, authz)
	} else {
		c, err := r.Cookie(cookieContext)
		if err != nil || c.Value == "" {
			s.reject(w, r, mapihttp.CodeMissingCookie, "no %s cookie: Connect or Bind first", cookieContext)
			return
		}
		if !validCookie(c.Value) {
			s.reject(w, r, mapihttp.CodeInvalidContextCookie, "malformed %s cookie", cookieContext)
			return
		}
		ss = s.session(c.Value, ep)
		if ss == nil {
			s.reject(w, r, mapihttp.CodeContextNotFound, "session context not found (expired or ended)")
			return
		}
		ok, wrong := ss.authorized(authz)
		if wrong {
			s.reject(w, r, mapihttp.CodeNoPrivilege, "the session context belongs to another user")
			return
		}
		if !ok {
			challenge(w)
			return
		}
	}
	ss.busy.Add(1)
	defer ss.busy.Add(-1)
	ss.touch()

	// NotificationWait and PING run beside Execute on their own
	// connections, so they neither take the sequence lock nor rotate it.
	sequenced := rt != mapihttp.TypeNotificationWait && rt != mapihttp.TypePing
	if sequenced {
		ss.mu.Lock()
		defer ss.mu.Unlock()
		if !creates {
			c, err := r.Cookie(cookieSequence)
			if err != nil || c.Value == "" {
				s.reject(w, r, mapihttp.CodeMissingCookie, "no %s cookie", cookieSequence)
				return
			}
			if subtle.ConstantTimeCompare([]byte(c.Value), []byte(ss.seq)) != 1 {
				s.reject(w, r, mapihttp.CodeInvalidSequence, "%s cookie is not the one the last response set", cookieSequence)
				return
			}
		}
		if ss.ended.Load() {
			s.reject(w, r, mapihttp.CodeContextNotFound, "session context ended")
			return
		}
		ss.seq = s.newCookie()
	}

	var work func(ctx context.Context) ([]byte, mapihttp.ResponseCode, error)
	switch {
	case ep == endpointNspi && rt != mapihttp.TypePing:
		work = func(context.Context) ([]byte, mapihttp.ResponseCode, error) {
			out, err := s.nspi.Handle(ss.ab, rt, body)
			if err != nil {
				return nil, mapihttp.CodeInvalidRequestBody, err
			}
			return out, 0, nil
		}
	case rt == mapihttp.TypePing:
		work = func(context.Context) ([]byte, mapihttp.ResponseCode, error) { return nil, 0, nil }
	default:
		work = func(ctx context.Context) ([]byte, mapihttp.ResponseCode, error) {
			return ss.em.handle(ctx, rt, body)
		}
	}
	s.respond(w, r, ss, rt, sequenced, work)

	if (rt == mapihttp.TypeDisconnect || rt == mapihttp.TypeUnbind) && !creates {
		s.drop(ss)
	}
}

func validCookie(v string) bool {
	if len(v) > 128 {
		return false
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// respond writes the chunked response of [MS-OXCMAPIHTTP] 3.2.5.2
// (mapihttp.Responder): PROCESSING at once, PENDING every X-PendingPeriod
// while work runs, then DONE, the additional headers and the body. A
// failure's body is a short HTML explanation.
func (s *Server) respond(w http.ResponseWriter, r *http.Request, ss *session, rt mapihttp.RequestType, sequenced bool,
	work func(ctx context.Context) ([]byte, mapihttp.ResponseCode, error)) {
	var cookies []*http.Cookie
	if sequenced {
		path := ss.ep.path()
		cookies = []*http.Cookie{
			{Name: cookieContext, Value: ss.id, Path: path, HttpOnly: true},
			{Name: cookieSequence, Value: ss.seq, Path: path, HttpOnly: true},
		}
	}
	o := mapihttp.Responder{PendingPeriod: s.cfg.PendingPeriod, ServerApplication: s.cfg.ServerApplication, ExpirationInfo: s.cfg.SessionIdle}
	if s.cfg.Deterministic {
		o.Now, o.FixedElapsed = s.cfg.Clock, true
	}
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	o.Stream(w, r, rt, cookies, func() (body []byte, code mapihttp.ResponseCode) {
		var err error
		func() {
			defer func() {
				if p := recover(); p != nil {
					s.log.Error("request handler panic", "type", rt.String(), "panic", p)
					body, code, err = nil, mapihttp.CodeUnknownFailure, fmt.Errorf("internal error: %v", p)
				}
			}()
			body, code, err = work(ctx)
		}()
		if code != 0 {
			msg := "request failed"
			if err != nil {
				msg = err.Error()
			}
			s.log.Info("mapi request failed", "type", rt.String(), "code", uint32(code), "reason", msg)
			body = fmt.Appendf(nil, "<html><body><p>X-ResponseCode %d (%s): %s</p></body></html>\n",
				uint32(code), code.Name(), html.EscapeString(msg))
		}
		return body, code
	})
}

func (s *Server) newSession(ep endpoint, u *user, authz string) *session {
	ss := &session{srv: s, ep: ep, id: s.newCookie(), user: u, authz: authz, endCh: make(chan struct{})}
	ss.touch()
	if ep == endpointEmsmdb {
		ss.em = newEmsmdbSession(s, ss)
	} else {
		ss.ab = s.nspi.NewSession(u.mb.Email)
	}
	var evict []*session
	s.mu.Lock()
	s.sessions[ss.id] = ss
	// Limit the session contexts per user: drop the least recently used.
	var mine []*session
	for _, o := range s.sessions {
		if o.user == u {
			mine = append(mine, o)
		}
	}
	for len(mine) > s.cfg.MaxSessionsPerUser {
		oldest := 0
		for i, o := range mine {
			if o != ss && (mine[oldest] == ss || o.lastUsed.Load() < mine[oldest].lastUsed.Load()) {
				oldest = i
			}
		}
		delete(s.sessions, mine[oldest].id)
		evict = append(evict, mine[oldest])
		mine = append(mine[:oldest], mine[oldest+1:]...)
	}
	s.mu.Unlock()
	for _, o := range evict {
		o.end()
	}
	return ss
}

func (s *Server) session(id string, ep endpoint) *session {
	s.mu.Lock()
	defer s.mu.Unlock()
	ss := s.sessions[id]
	if ss == nil || ss.ep != ep {
		return nil
	}
	return ss
}

func (s *Server) cookieSession(r *http.Request, ep endpoint) *session {
	c, err := r.Cookie(cookieContext)
	if err != nil {
		return nil
	}
	return s.session(c.Value, ep)
}

func (s *Server) drop(ss *session) {
	s.mu.Lock()
	if s.sessions[ss.id] == ss {
		delete(s.sessions, ss.id)
	}
	s.mu.Unlock()
	ss.end()
}

// SessionCount returns the number of live session contexts.
func (s *Server) SessionCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.sessions)
}

var errEnded = errors.New("session context ended")

package server

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/mapiscope/mapiscope/decode/auxbuf"
	"github.com/mapiscope/mapiscope/decode/mapihttp"
	"github.com/mapiscope/mapiscope/decode/rop"
	"github.com/mapiscope/mapiscope/decode/wire"
	"github.com/mapiscope/mapiscope/server/store"
)

// emsmdbSession is the state of one emsmdb session context: the logons,
// the handle map and the pending notifications.
type emsmdbSession struct {
	srv *Server
	ss  *session

	// Touched only by Execute, which the session's sequence lock
	// serialises.
	handles   map[uint32]object
	next      [256]uint32 // next handle number per LogonId
	logons    [256]*logonObj
	connected bool
	codePage  uint32

	// Notifications, shared with NotificationWait and other sessions'
	// publishers.
	nmu     sync.Mutex
	pending []rop.Response // RopNotify responses waiting for an Execute
	wake    chan struct{}  // signalled when pending becomes non-empty
	subs    map[*subscription]bool
}

func newEmsmdbSession(s *Server, ss *session) *emsmdbSession {
	return &emsmdbSession{srv: s, ss: ss, handles: map[uint32]object{}, wake: make(chan struct{}, 1), subs: map[*subscription]bool{}}
}

// close frees every object (subscriptions unsubscribe).
func (em *emsmdbSession) close() {
	em.nmu.Lock()
	subs := em.subs
	em.subs = map[*subscription]bool{}
	em.nmu.Unlock()
	for sub := range subs {
		em.srv.events.unsubscribe(sub)
	}
}

// handle runs one emsmdb request type.
func (em *emsmdbSession) handle(ctx context.Context, rt mapihttp.RequestType, body []byte) ([]byte, mapihttp.ResponseCode, error) {
	switch rt {
	case mapihttp.TypeConnect:
		return em.connect(body)
	case mapihttp.TypeExecute:
		return em.execute(body)
	case mapihttp.TypeDisconnect:
		return em.disconnect(body)
	case mapihttp.TypeNotificationWait:
		return em.notificationWait(ctx, body)
	}
	return nil, mapihttp.CodeInvalidRequestType, fmt.Errorf("%s is not an emsmdb request type", rt)
}

func encodeBody(b mapihttp.Body) ([]byte, mapihttp.ResponseCode, error) {
	c := wire.NewEncoder(nil)
	b.Codec(c)
	if err := c.Err(); err != nil {
		return nil, mapihttp.CodeUnknownFailure, fmt.Errorf("encoding the %s: %v", b.Name(), err)
	}
	return c.Output(), 0, nil
}

func decodeBody(b mapihttp.Body, body []byte) error {
	c := mapihttp.Decode(b, body, 0, false)
	if c.Failed() {
		return fmt.Errorf("%s: %s", b.Name(), c.Anomalies()[0].Reason)
	}
	return nil
}

// connect answers the Connect request type — [MS-OXCMAPIHTTP] 2.2.4.1.
func (em *emsmdbSession) connect(body []byte) ([]byte, mapihttp.ResponseCode, error) {
	req := &mapihttp.ConnectRequest{}
	if err := decodeBody(req, body); err != nil {
		return nil, mapihttp.CodeInvalidRequestBody, err
	}
	u := em.ss.user
	resp := &mapihttp.ConnectResponse{AuxiliaryBuffer: auxbuf.Buffer{}}
	if req.UserDn != "" && !strings.EqualFold(strings.TrimSpace(req.UserDn), u.mb.LegacyDN) {
		// The UserDn names someone else: the EcDoConnectEx error.
		resp.ErrorCode = ecUnknownUser
		return encodeBody(resp)
	}
	em.connected = true
	em.codePage = req.DefaultCodePage
	resp.PollsMax = 60000
	resp.RetryCount = 6
	resp.RetryDelay = 10000
	resp.DnPrefix = strings.TrimSuffix(store.LegacyDNPrefix, "/cn=Recipients/cn=")
	resp.DisplayName = u.mb.DisplayName
	return encodeBody(resp)
}

// disconnect answers the Disconnect request type; the transport then
// ends the session context.
func (em *emsmdbSession) disconnect(body []byte) ([]byte, mapihttp.ResponseCode, error) {
	req := &mapihttp.DisconnectRequest{}
	if err := decodeBody(req, body); err != nil {
		return nil, mapihttp.CodeInvalidRequestBody, err
	}
	return encodeBody(&mapihttp.DisconnectResponse{})
}

// notificationWait answers NotificationWait — [MS-OXCMAPIHTTP] 2.2.4.4:
// at once when an event is pending, else when one arrives, the session
// ends or NotificationWaitMax passes (EventPending 0).
func (em *emsmdbSession) notificationWait(ctx context.Context, body []byte) ([]byte, mapihttp.ResponseCode, error) {
	req := &mapihttp.NotificationWaitRequest{}
	if err := decodeBody(req, body); err != nil {
		return nil, mapihttp.CodeInvalidRequestBody, err
	}
	resp := &mapihttp.NotificationWaitResponse{}
	if em.hasPending() {
		resp.EventPending = 1
		return encodeBody(resp)
	}
	t := time.NewTimer(em.srv.cfg.NotificationWaitMax)
	defer t.Stop()
	for {
		select {
		case <-em.wake:
			if em.hasPending() {
				resp.EventPending = 1
				// Leave the signal for a concurrent waiter.
				select {
				case em.wake <- struct{}{}:
				default:
				}
				return encodeBody(resp)
			}
		case <-t.C:
			return encodeBody(resp)
		case <-em.ss.endCh:
			return encodeBody(resp)
		case <-ctx.Done():
			return encodeBody(resp)
		}
	}
}

func (em *emsmdbSession) hasPending() bool {
	em.nmu.Lock()
	defer em.nmu.Unlock()
	return len(em.pending) > 0
}

// queue adds a RopNotify response for the next Execute and wakes
// NotificationWait.
func (em *emsmdbSession) queue(r rop.Response) {
	em.nmu.Lock()
	if len(em.pending) < maxPendingNotifications {
		em.pending = append(em.pending, r)
	}
	em.nmu.Unlock()
	select {
	case em.wake <- struct{}{}:
	default:
	}
}

// maxPendingNotifications bounds the queue of a session nobody drains.
const maxPendingNotifications = 4096

// takePending removes up to budget bytes of pending notifications,
// reporting whether more remain.
func (em *emsmdbSession) takePending(budget int) (out [][]byte, more bool) {
	em.nmu.Lock()
	defer em.nmu.Unlock()
	n := 0
	for n < len(em.pending) {
		b, err := rop.Encode(nil, em.pending[n], nil)
		if err != nil {
			em.srv.log.Warn("dropping a notification that does not encode", "err", err)
			n++
			continue
		}
		if len(b) > budget {
			break
		}
		budget -= len(b)
		out = append(out, b)
		n++
	}
	em.pending = em.pending[n:]
	return out, len(em.pending) > 0
}

// allocHandle returns the next handle of a logon: (LogonId << 24) | n,
// n counting from 0 at RopLogon.
func (em *emsmdbSession) allocHandle(logonID uint8, obj object) uint32 {
	for {
		h := uint32(logonID)<<24 | em.next[logonID]&0x00FFFFFF
		em.next[logonID]++
		if _, used := em.handles[h]; !used {
			em.handles[h] = obj
			return h
		}
	}
}

// releaseHandle frees a handle; objects opened from it stay usable.
func (em *emsmdbSession) releaseHandle(h uint32) {
	obj, ok := em.handles[h]
	if !ok {
		return
	}
	delete(em.handles, h)
	if r, ok := obj.(releaser); ok {
		r.release()
	}
	if lg, ok := obj.(*logonObj); ok && em.logons[lg.id] == lg {
		em.logons[lg.id] = nil
		// Restart numbering at 0 for the next RopLogon with this LogonId
		// when nothing of this logon is left.
		left := false
		for hh := range em.handles {
			if uint8(hh>>24) == lg.id {
				left = true
				break
			}
		}
		if !left {
			em.next[lg.id] = 0
		}
	}
}

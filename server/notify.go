package server

import (
	"sync"

	"github.com/mapiscope/mapiscope/decode/prop"
)

// Notifications — [MS-OXCNOTIF]. Handlers that change the store publish
// an event; the bus hands it to every subscription on that mailbox
// (RopRegisterNotification subscriptions of any session, and open tables
// that follow their rows).

// Notification types (NotificationFlags) — [MS-OXCNOTIF] 2.2.1.4.1.2.
const (
	fnevCriticalError  uint16 = 0x0001
	fnevNewMail        uint16 = 0x0002
	fnevObjectCreated  uint16 = 0x0004
	fnevObjectDeleted  uint16 = 0x0008
	fnevObjectModified uint16 = 0x0010
	fnevObjectMoved    uint16 = 0x0020
	fnevObjectCopied   uint16 = 0x0040
	fnevSearchComplete uint16 = 0x0080
	fnevTableModified  uint16 = 0x0100
)

// event is one change in a mailbox.
type event struct {
	mailbox int64
	kind    uint16 // one fnev* value
	fid     prop.ID
	mid     prop.ID // 0 for folder events
	parent  prop.ID // the folder's parent (folder events)
	// Moves and copies: where the object was.
	oldFid, oldMid, oldParent prop.ID
	// New mail.
	messageClass string
	messageFlags uint32
	// The properties that changed (ObjectModified), when known.
	tags []prop.Tag
	// origin is the session that caused the event (nil for delivery).
	origin *emsmdbSession
}

// subscription receives the events of one mailbox.
type subscription struct {
	mailbox int64
	deliver func(ev event)
}

type eventBus struct {
	mu   sync.RWMutex
	subs map[int64]map[*subscription]bool
}

func newEventBus() *eventBus { return &eventBus{subs: map[int64]map[*subscription]bool{}} }

func (b *eventBus) subscribe(sub *subscription) {
	b.mu.Lock()
	defer b.mu.Unlock()
	m := b.subs[sub.mailbox]
	if m == nil {
		m = map[*subscription]bool{}
		b.subs[sub.mailbox] = m
	}
	m[sub] = true
}

func (b *eventBus) unsubscribe(sub *subscription) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if m := b.subs[sub.mailbox]; m != nil {
		delete(m, sub)
		if len(m) == 0 {
			delete(b.subs, sub.mailbox)
		}
	}
}

func (b *eventBus) publish(ev event) {
	b.mu.RLock()
	var list []*subscription
	for sub := range b.subs[ev.mailbox] {
		list = append(list, sub)
	}
	b.mu.RUnlock()
	for _, sub := range list {
		sub.deliver(ev)
	}
}

// publish announces a change in the mailbox of lg.
func (x *execCtx) publish(lg *logonObj, ev event) {
	ev.mailbox = lg.mb.ID
	ev.origin = x.em
	x.srv.events.publish(ev)
}

// Publish announces a change made outside any session (mail delivered by
// the store, say) to the subscribers of mailbox mb.
func (s *Server) publish(mb int64, ev event) {
	ev.mailbox = mb
	s.events.publish(ev)
}

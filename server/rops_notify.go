package server

import (
	"sync/atomic"

	"github.com/mapiscope/mapiscope/decode/prop"
	"github.com/mapiscope/mapiscope/decode/rop"
	"github.com/mapiscope/mapiscope/server/store"
)

// Notification subscriptions — RopRegisterNotification ([MS-OXCROPS]
// 2.2.14.1), semantics [MS-OXCNOTIF] 3.2.5. Events reach a subscription
// through the mailbox's event bus from any session; each matching event
// becomes a RopNotify queued in the subscriber's session, sent after the
// ROP responses of its next Execute and announced to NotificationWait.

func init() {
	handle(0x29, ropRegisterNotification)
}

// The NotificationTypes bits a subscription can ask for — [MS-OXCNOTIF]
// 2.2.1.2.1. CriticalError (0x01) has no RopNotify form.
const notifyTypesMask = fnevNewMail | fnevObjectCreated | fnevObjectDeleted |
	fnevObjectModified | fnevObjectMoved | fnevObjectCopied | fnevSearchComplete

// notifyObj is the notification subscription object of
// RopRegisterNotification — [MS-OXCNOTIF] 3.2.5.1. Its handle is the
// NotificationHandle of every RopNotify it produces; RopRelease ends it.
type notifyObj struct {
	lg     *logonObj
	em     *emsmdbSession // the subscriber's session
	st     *store.Store
	handle uint32
	types  uint16
	// Scope: the whole mailbox, else folder fid (mid 0) or message mid.
	whole    bool
	fid, mid prop.ID
	sub      *subscription
	// released is set, under em.nmu, by release: a delivery racing with
	// RopRelease queues nothing afterwards.
	released atomic.Bool
}

func (n *notifyObj) logon() *logonObj { return n.lg }

// release unsubscribes and drops the notifications of this subscription
// that no Execute has carried yet: their handle is no longer valid and
// may be given to another object.
func (n *notifyObj) release() {
	n.em.srv.events.unsubscribe(n.sub)
	n.em.nmu.Lock()
	defer n.em.nmu.Unlock()
	if n.released.Swap(true) {
		return
	}
	delete(n.em.subs, n.sub)
	kept := n.em.pending[:0]
	for _, r := range n.em.pending {
		if nr, ok := r.(*rop.NotifyResponse); ok && nr.NotificationHandle == n.handle && nr.LogonId == n.lg.id {
			continue
		}
		kept = append(kept, r)
	}
	clear(n.em.pending[len(kept):])
	n.em.pending = kept
}

// ropRegisterNotification — [MS-OXCNOTIF] 3.2.5.1. The input is the
// logon (any object of the logon is accepted). A scoped subscription
// names an existing folder, or a message in it, that the user may see.
func ropRegisterNotification(x *execCtx, req rop.Request) rop.Response {
	r := req.(*rop.RegisterNotificationRequest)
	in, ec := x.input(req)
	if ec != 0 {
		return x.fail(ec)
	}
	lg := in.logon()
	types := uint16(r.NotificationTypes) & notifyTypesMask
	if types == 0 {
		return x.fail(ecInvalidParam)
	}
	n := &notifyObj{lg: lg, em: x.em, st: x.st, types: types, whole: r.WantWholeStore}
	if !r.WantWholeStore {
		if r.FolderId == 0 {
			return x.fail(ecInvalidParam)
		}
		right := store.RightFolderVisible
		if r.MessageId != 0 {
			right = store.RightReadAny
		}
		if !x.canAccess(lg, r.FolderId, right) {
			return x.fail(ecAccessDenied)
		}
		if _, err := x.st.Folder(lg.mb, r.FolderId); err != nil {
			return x.fail(ecOf(err))
		}
		if r.MessageId != 0 {
			if _, err := x.st.OpenMessage(lg.mb, r.FolderId, r.MessageId); err != nil {
				return x.fail(ecOf(err))
			}
		}
		n.fid, n.mid = r.FolderId, r.MessageId
	}
	if ec := x.bind(r.OutputHandleIndex, n); ec != 0 {
		return x.fail(ec)
	}
	n.handle = x.handles[r.OutputHandleIndex]
	n.sub = &subscription{mailbox: lg.mb.ID, deliver: n.deliver}
	x.srv.events.subscribe(n.sub)
	x.em.nmu.Lock()
	x.em.subs[n.sub] = true
	x.em.nmu.Unlock()
	// A session ended meanwhile has already unsubscribed what it knew of.
	if x.em.ss.ended.Load() {
		n.release()
	}
	return x.ok(&rop.RegisterNotificationResponse{})
}

// deliver turns an event of the mailbox into the RopNotify responses of
// this subscription: the event itself when its type was asked for and it
// is in scope, then — for ObjectModified subscribers — the change of the
// message counts of the folders the event touched, as Exchange reports
// them (ObjectModified with the T and U flags, [MS-OXCNOTIF] 2.2.1.4.1.2).
func (n *notifyObj) deliver(ev event) {
	if n.released.Load() {
		return
	}
	if ev.kind&n.types != 0 && ev.kind&notifyTypesMask == ev.kind && n.covers(ev) && n.visible(ev.fid, ev.mid != 0) {
		d := notificationData(ev)
		if d.NotificationFlags&(rop.NotifyFlagT|rop.NotifyFlagU) != 0 {
			n.fillCounts(&d)
		}
		n.queue(d)
	}
	if n.types&fnevObjectModified == 0 || n.mid != 0 {
		return
	}
	for _, fid := range countChanges(ev) {
		if (n.whole || fid == n.fid) && n.visible(fid, false) {
			d := notificationData(event{kind: fnevObjectModified, fid: fid, tags: []prop.Tag{store.TagContentCount, store.TagContentUnreadCount}})
			n.fillCounts(&d)
			n.queue(d)
		}
	}
}

// covers reports whether an event is in the subscription's scope: a
// folder scope sees the folder, its messages and its direct subfolders
// (where they are and where they were); a message scope sees the message.
func (n *notifyObj) covers(ev event) bool {
	switch {
	case n.whole:
		return true
	case n.mid != 0:
		return (ev.fid == n.fid && ev.mid == n.mid) || (ev.oldFid == n.fid && ev.oldMid == n.mid && ev.oldMid != 0)
	case ev.mid != 0:
		return ev.fid == n.fid || ev.oldFid == n.fid
	default:
		return ev.fid == n.fid || ev.parent == n.fid || (ev.oldParent == n.fid && ev.oldParent != 0)
	}
}

// visible reports whether the subscriber may see folder fid (its
// messages, for a message event): always in an own mailbox, else by the
// folder's permissions — one user never learns of another's changes
// without them.
func (n *notifyObj) visible(fid prop.ID, message bool) bool {
	if n.lg.owner {
		return true
	}
	right := store.RightFolderVisible
	if message {
		right = store.RightReadAny
	}
	return n.st.CanAccess(n.lg.mb, fid, n.lg.user, right)
}

// fillCounts sets TotalMessageCount and UnreadMessageCount from the
// folder's current counts.
func (n *notifyObj) fillCounts(d *rop.NotificationData) {
	c, err := n.st.FolderCounts(n.lg.mb, d.FolderId)
	if err != nil {
		// The folder is gone: the counts are unknown, say nothing of them.
		d.NotificationFlags &^= rop.NotifyFlagT | rop.NotifyFlagU
		return
	}
	d.TotalMessageCount = uint32(c.Content)
	d.UnreadMessageCount = uint32(c.Unread)
}

// queue adds a RopNotify for this subscription to the subscriber's
// session unless the subscription was released meanwhile, and wakes its
// NotificationWait.
func (n *notifyObj) queue(d rop.NotificationData) {
	r := &rop.NotifyResponse{RopId: 0x2A, NotificationHandle: n.handle, LogonId: n.lg.id, NotificationData: d}
	em := n.em
	em.nmu.Lock()
	if n.released.Load() {
		em.nmu.Unlock()
		return
	}
	if len(em.pending) < maxPendingNotifications {
		em.pending = append(em.pending, r)
	}
	em.nmu.Unlock()
	select {
	case em.wake <- struct{}{}:
	default:
	}
}

// countChanges returns the folders whose message counts an event
// changed: a message created, deleted, copied or moved (both folders),
// or whose flags (read state) changed.
func countChanges(ev event) []prop.ID {
	if ev.mid == 0 {
		return nil
	}
	switch ev.kind {
	case fnevObjectCreated, fnevObjectDeleted, fnevObjectCopied:
		return []prop.ID{ev.fid}
	case fnevObjectMoved:
		if ev.oldFid != 0 && ev.oldFid != ev.fid {
			return []prop.ID{ev.fid, ev.oldFid}
		}
		return []prop.ID{ev.fid}
	case fnevObjectModified:
		for _, t := range ev.tags {
			if t == store.TagMessageFlags {
				return []prop.ID{ev.fid}
			}
		}
	}
	return nil
}

// tagsUnknown is the TagCount of an ObjectCreated or ObjectModified
// event whose changed properties are not known — [MS-OXCNOTIF]
// 2.2.1.4.1.2.
const tagsUnknown = 0xFFFF

// notificationData lays an event out as the NotificationData of
// [MS-OXCNOTIF] 2.2.1.4.1.2: the M flag and the message ids for a
// message, ParentFolderId for a folder created, deleted, moved or copied,
// the old ids of a move or copy, the changed tags of a creation or
// modification (TagCount 0xFFFF when unknown), T and U on a folder whose
// message counts changed, and the NewMail fields. The counts themselves
// are the caller's to fill.
func notificationData(ev event) rop.NotificationData {
	d := rop.NotificationData{NotificationFlags: ev.kind, FolderId: ev.fid}
	message := ev.mid != 0 || ev.kind == fnevNewMail
	if message {
		d.NotificationFlags |= rop.NotifyFlagM
		d.MessageId = ev.mid
	}
	switch ev.kind {
	case fnevObjectCreated, fnevObjectDeleted, fnevObjectMoved, fnevObjectCopied:
		if !message {
			d.ParentFolderId = ev.parent
		}
	}
	if ev.kind == fnevObjectMoved || ev.kind == fnevObjectCopied {
		d.OldFolderId = ev.oldFid
		if message {
			d.OldMessageId = ev.oldMid
		} else {
			d.OldParentFolderId = ev.oldParent
		}
	}
	if ev.kind == fnevObjectCreated || ev.kind == fnevObjectModified {
		if ev.tags == nil || len(ev.tags) >= tagsUnknown {
			d.TagCount = tagsUnknown
		} else {
			d.Tags = append([]prop.Tag(nil), ev.tags...)
			d.TagCount = uint16(len(d.Tags))
		}
		if ev.kind == fnevObjectModified && !message {
			for _, t := range ev.tags {
				switch t {
				case store.TagContentCount:
					d.NotificationFlags |= rop.NotifyFlagT
				case store.TagContentUnreadCount:
					d.NotificationFlags |= rop.NotifyFlagU
				}
			}
		}
	}
	if ev.kind == fnevNewMail {
		d.MessageFlags = ev.messageFlags
		d.UnicodeFlag = true
		d.MessageClass = ev.messageClass
	}
	return d
}

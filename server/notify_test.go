package server

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"net"
	"net/http/httputil"
	"strings"
	"testing"
	"time"

	"github.com/mapiscope/mapiscope/decode/auxbuf"
	"github.com/mapiscope/mapiscope/decode/mapihttp"
	"github.com/mapiscope/mapiscope/decode/prop"
	"github.com/mapiscope/mapiscope/decode/rop"
	"github.com/mapiscope/mapiscope/server/store"
)

// Notifications end to end: RopRegisterNotification, events from other
// sessions, NotificationWait over a raw connection, RopNotify and
// RopPending in later Execute responses.

// ntRegister runs RopRegisterNotification on logon handle lh and returns
// the subscription handle and the ROP's ReturnValue.
func ntRegister(t *testing.T, c *tconn, lh uint32, types uint8, whole bool, fid, mid prop.ID) (uint32, prop.ErrorCode) {
	t.Helper()
	out := c.exec([]rop.Request{&rop.RegisterNotificationRequest{RequestHeader: hdr(0x29, 0), OutputHandleIndex: 1,
		NotificationTypes: types, WantWholeStore: whole, FolderId: fid, MessageId: mid}}, []uint32{lh, 0xFFFFFFFF})
	r := out.resp(0)
	if r == nil {
		t.Fatal("no RopRegisterNotification response")
	}
	if _, ok := r.(*rop.RegisterNotificationResponse); !ok {
		t.Fatalf("RopRegisterNotification answered with %T", r)
	}
	return out.handles[1], r.Header().ReturnValue
}

// ntNotifies returns the RopNotify responses of an Execute and whether a
// RopPending followed them.
func ntNotifies(o *execOut) (notes []*rop.NotifyResponse, pending bool) {
	for _, p := range o.pairs {
		if p.Index >= 0 {
			continue
		}
		switch r := p.Response.(type) {
		case *rop.NotifyResponse:
			notes = append(notes, r)
		case *rop.PendingResponse:
			pending = true
		}
	}
	return notes, pending
}

// ntDrain runs an Execute without ROPs and returns the notifications it
// carried.
func ntDrain(t *testing.T, c *tconn) ([]*rop.NotifyResponse, bool) {
	t.Helper()
	return ntNotifies(c.exec(nil, nil))
}

// ntWaitResult is what a NotificationWait returned, seen on the wire.
type ntWaitResult struct {
	eventPending uint32
	pendings     int // PENDING meta-tags of the de-chunked body
	rawPendings  int // PENDING lines in the raw chunked stream
	chunked      bool
	elapsed      time.Duration
	err          error
}

// ntWait sends NotificationWait on the session of c over a raw TCP
// connection and reads the chunked response as the server wrote it. It
// reports errors instead of failing the test, so that it can run in a
// goroutine.
func ntWait(h *harness, c *tconn) ntWaitResult {
	var res ntWaitResult
	var cookies []string
	for k, v := range c.cookies {
		cookies = append(cookies, k+"="+v)
	}
	body := encodeTest(h.t, &mapihttp.NotificationWaitRequest{AuxiliaryBuffer: auxbuf.Buffer{}})
	conn, err := net.Dial("tcp", h.hs.Listener.Addr().String())
	if err != nil {
		res.err = err
		return res
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	var req bytes.Buffer
	fmt.Fprintf(&req, "POST /mapi/emsmdb/?MailboxId=%s HTTP/1.1\r\n", c.email)
	fmt.Fprintf(&req, "Host: %s\r\n", h.hs.Listener.Addr())
	fmt.Fprintf(&req, "Authorization: Basic %s\r\n", base64.StdEncoding.EncodeToString([]byte(c.email+":"+pw)))
	fmt.Fprintf(&req, "Content-Type: %s\r\n", mapihttp.ContentType)
	fmt.Fprintf(&req, "X-RequestType: NotificationWait\r\n")
	fmt.Fprintf(&req, "X-RequestId: {6F6D9BBD-9B0B-4B0F-8F49-6B05E7D0C8A1}:%d\r\n", 1000+time.Now().Nanosecond()%1000)
	fmt.Fprintf(&req, "X-ClientInfo: {2B1A6C9E-1C1A-4E57-9C3A-8A7E4AC2B6B0}:1\r\n")
	fmt.Fprintf(&req, "Cookie: %s\r\n", strings.Join(cookies, "; "))
	fmt.Fprintf(&req, "Content-Length: %d\r\nConnection: close\r\n\r\n", len(body))
	req.Write(body)
	start := time.Now()
	if _, err := conn.Write(req.Bytes()); err != nil {
		res.err = err
		return res
	}
	raw, err := io.ReadAll(conn)
	res.elapsed = time.Since(start)
	if err != nil {
		res.err = err
		return res
	}
	head, chunks, ok := bytes.Cut(raw, []byte("\r\n\r\n"))
	if !ok {
		res.err = fmt.Errorf("no end of the HTTP headers in %q", raw)
		return res
	}
	status, _, _ := strings.Cut(string(head), "\r\n")
	if !strings.Contains(status, " 200 ") {
		res.err = fmt.Errorf("HTTP status %q", status)
		return res
	}
	res.chunked = strings.Contains(strings.ToLower(string(head)), "\r\ntransfer-encoding: chunked")
	if !res.chunked {
		res.err = fmt.Errorf("response is not chunked: %q", head)
		return res
	}
	// The keep-alives as the server wrote them, in the chunked stream.
	res.rawPendings = bytes.Count(chunks, []byte("PENDING\r\n"))
	plain, err := io.ReadAll(httputil.NewChunkedReader(bufio.NewReader(bytes.NewReader(chunks))))
	if err != nil {
		res.err = fmt.Errorf("de-chunking: %v", err)
		return res
	}
	f, err := mapihttp.ParseResponseBody(plain)
	if err != nil {
		res.err = fmt.Errorf("response framing: %v", err)
		return res
	}
	res.pendings = f.Pendings()
	if code, _ := f.View().Code(); code != 0 {
		res.err = fmt.Errorf("X-ResponseCode %d", code)
		return res
	}
	resp := &mapihttp.NotificationWaitResponse{}
	if dc := mapihttp.Decode(resp, f.Body, 0, false); dc.Failed() || len(dc.Anomalies()) > 0 {
		res.err = fmt.Errorf("NotificationWait response: %v", dc.Anomalies())
		return res
	}
	if resp.StatusCode != 0 || resp.ErrorCode != 0 {
		res.err = fmt.Errorf("NotificationWait: status %d error %v", resp.StatusCode, resp.ErrorCode)
		return res
	}
	res.eventPending = resp.EventPending
	return res
}

func ntMailbox(t *testing.T, h *harness, email string) *store.Mailbox {
	t.Helper()
	mb, err := h.st.MailboxByEmail(email)
	if err != nil {
		t.Fatal(err)
	}
	return mb
}

const (
	ntCreated  = uint8(fnevObjectCreated)
	ntNewMail  = uint8(fnevNewMail)
	ntModified = uint8(fnevObjectModified)
	ntAll      = uint8(notifyTypesMask)
)

func TestNotifyDeliveryAcrossSessions(t *testing.T) {
	h := newHarness(t)
	a := h.connect(alice)
	lhA := a.logon()
	nh, ec := ntRegister(t, a, lhA, ntCreated|ntNewMail, true, 0, 0)
	if ec != 0 {
		t.Fatalf("RopRegisterNotification: %v", ec)
	}
	if nh == 0xFFFFFFFF || nh>>24 != 0 {
		t.Fatalf("subscription handle 0x%08X", nh)
	}
	b := h.connect(alice)
	lhB := b.logon()
	mb := ntMailbox(t, h, alice)

	// A waits; an event caused elsewhere wakes it at once.
	done := make(chan ntWaitResult, 1)
	go func() { done <- ntWait(h, a) }()
	time.Sleep(100 * time.Millisecond) // let the wait block first
	mid := prop.MakeID(1, 0x123456)
	sent := time.Now()
	h.srv.publish(mb.ID, event{kind: fnevObjectCreated, fid: a.fids[4], mid: mid})
	var w ntWaitResult
	select {
	case w = <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("NotificationWait did not return after an event")
	}
	if w.err != nil {
		t.Fatal(w.err)
	}
	if w.eventPending != 1 {
		t.Fatalf("EventPending %d after an event, want 1", w.eventPending)
	}
	if d := time.Since(sent); d > 500*time.Millisecond {
		t.Fatalf("NotificationWait took %v to report the event", d)
	}

	// Types not asked for are not delivered; new mail is.
	h.srv.publish(mb.ID, event{kind: fnevObjectDeleted, fid: a.fids[4], mid: mid})
	h.srv.publish(mb.ID, event{kind: fnevNewMail, fid: a.fids[4], mid: mid + 1<<16, messageClass: "IPM.Note", messageFlags: 0x10})

	// With events queued, a new wait answers at once.
	if w := ntWait(h, a); w.err != nil || w.eventPending != 1 || w.elapsed > 500*time.Millisecond {
		t.Fatalf("NotificationWait with pending events: %+v", w)
	}

	notes, pending := ntDrain(t, a)
	if pending || len(notes) != 2 {
		t.Fatalf("got %d notifications (RopPending %v), want 2", len(notes), pending)
	}
	n0 := notes[0]
	d := n0.NotificationData
	if n0.NotificationHandle != nh || n0.LogonId != 0 {
		t.Fatalf("RopNotify handle 0x%08X logon %d, want 0x%08X 0", n0.NotificationHandle, n0.LogonId, nh)
	}
	if d.NotificationFlags != fnevObjectCreated|rop.NotifyFlagM || d.FolderId != a.fids[4] || d.MessageId != mid || d.TagCount != 0xFFFF {
		t.Fatalf("ObjectCreated data: %+v", d)
	}
	d = notes[1].NotificationData
	if d.Type() != rop.NotifyNewMail || d.FolderId != a.fids[4] || d.MessageId != mid+1<<16 ||
		d.MessageClass != "IPM.Note" || d.MessageFlags != 0x10 || !d.UnicodeFlag {
		t.Fatalf("NewMail data: %+v", d)
	}
	// Drained: nothing more.
	if notes, _ := ntDrain(t, a); len(notes) != 0 {
		t.Fatalf("%d notifications delivered twice", len(notes))
	}

	// A real change by session B, when the folder ROPs exist.
	if ropHandlers[0x02] == nil || ropHandlers[0x1C] == nil {
		t.Log("RopOpenFolder/RopCreateFolder not implemented yet: real-ROP part skipped")
		return
	}
	out := b.exec([]rop.Request{
		&rop.OpenFolderRequest{RequestHeader: hdr(0x02, 0), OutputHandleIndex: 1, FolderId: b.fids[3]},
		&rop.CreateFolderRequest{RequestHeader: hdr(0x1C, 1), OutputHandleIndex: 2, FolderType: 1, UseUnicodeStrings: true, DisplayName: "Notified"},
	}, []uint32{lhB, 0xFFFFFFFF, 0xFFFFFFFF})
	cf := out.must(t, 1).(*rop.CreateFolderResponse)
	notes, _ = ntDrain(t, a)
	found := false
	for _, n := range notes {
		d := n.NotificationData
		if d.Type() == rop.NotifyObjectCreated && d.FolderId == cf.FolderId {
			found = true
			if d.NotificationFlags&rop.NotifyFlagM != 0 || d.ParentFolderId != b.fids[3] || n.NotificationHandle != nh {
				t.Fatalf("folder ObjectCreated: handle 0x%08X %+v", n.NotificationHandle, d)
			}
		}
	}
	if !found {
		t.Fatalf("RopCreateFolder in another session gave no ObjectCreated notification (got %d)", len(notes))
	}
}

func TestNotificationWaitTimesOut(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.NotificationWaitMax = 200 * time.Millisecond })
	a := h.connect(alice)
	lh := a.logon()
	if _, ec := ntRegister(t, a, lh, ntAll, true, 0, 0); ec != 0 {
		t.Fatalf("RopRegisterNotification: %v", ec)
	}
	w := ntWait(h, a)
	if w.err != nil {
		t.Fatal(w.err)
	}
	if w.eventPending != 0 {
		t.Fatalf("EventPending %d without events", w.eventPending)
	}
	if w.elapsed < 180*time.Millisecond || w.elapsed > 2*time.Second {
		t.Fatalf("NotificationWait returned after %v, want about 200ms", w.elapsed)
	}
	if !w.chunked || w.pendings < 2 || w.rawPendings != w.pendings {
		t.Fatalf("chunked %v with %d PENDING keep-alives (%d raw), want at least 2 at a 50ms period", w.chunked, w.pendings, w.rawPendings)
	}
}

func TestNotifyReleaseStops(t *testing.T) {
	h := newHarness(t)
	a := h.connect(alice)
	lh := a.logon()
	mb := ntMailbox(t, h, alice)
	nh, ec := ntRegister(t, a, lh, ntAll, true, 0, 0)
	if ec != 0 {
		t.Fatalf("RopRegisterNotification: %v", ec)
	}
	h.srv.publish(mb.ID, event{kind: fnevObjectCreated, fid: a.fids[4], mid: prop.MakeID(1, 0x777)})
	// Released before any Execute carried it: the queued notification
	// goes with the subscription.
	if notes, _ := ntNotifies(a.exec([]rop.Request{&rop.ReleaseRequest{RequestHeader: hdr(0x01, 1)}}, []uint32{lh, nh})); len(notes) != 0 {
		t.Fatalf("the Execute releasing the subscription carried %d of its notifications", len(notes))
	}
	h.srv.publish(mb.ID, event{kind: fnevObjectCreated, fid: a.fids[4], mid: prop.MakeID(1, 0x778)})
	if notes, pending := ntDrain(t, a); len(notes) != 0 || pending {
		t.Fatalf("%d notifications (RopPending %v) after RopRelease", len(notes), pending)
	}
	h.srv.events.mu.RLock()
	left := len(h.srv.events.subs[mb.ID])
	h.srv.events.mu.RUnlock()
	if left != 0 {
		t.Fatalf("%d subscriptions left on the bus after RopRelease", left)
	}
	// A second subscription works, and the session's end unsubscribes it.
	if _, ec := ntRegister(t, a, lh, ntCreated, true, 0, 0); ec != 0 {
		t.Fatalf("RopRegisterNotification: %v", ec)
	}
	h.srv.publish(mb.ID, event{kind: fnevObjectCreated, fid: a.fids[4], mid: prop.MakeID(1, 0x779)})
	if notes, _ := ntDrain(t, a); len(notes) != 1 {
		t.Fatalf("%d notifications from the second subscription, want 1", len(notes))
	}
	if _, code, _ := a.post("/mapi/emsmdb/", "Disconnect", encodeTest(t, &mapihttp.DisconnectRequest{AuxiliaryBuffer: auxbuf.Buffer{}})); code != 0 {
		t.Fatalf("Disconnect: X-ResponseCode %d", code)
	}
	h.srv.events.mu.RLock()
	left = len(h.srv.events.subs[mb.ID])
	h.srv.events.mu.RUnlock()
	if left != 0 {
		t.Fatalf("%d subscriptions left on the bus after Disconnect", left)
	}
}

func TestNotifyOverflowPending(t *testing.T) {
	h := newHarness(t)
	a := h.connect(alice)
	lh := a.logon()
	mb := ntMailbox(t, h, alice)
	if _, ec := ntRegister(t, a, lh, ntCreated, true, 0, 0); ec != 0 {
		t.Fatalf("RopRegisterNotification: %v", ec)
	}
	// Each message ObjectCreated RopNotify takes 26 bytes: 2000 of them
	// do not fit in one 32 KB response block.
	const total = 2000
	for i := 1; i <= total; i++ {
		h.srv.publish(mb.ID, event{kind: fnevObjectCreated, fid: a.fids[4], mid: prop.MakeID(1, uint64(i))})
	}
	first, pending := ntDrain(t, a)
	if !pending {
		t.Fatalf("no RopPending after %d of %d notifications", len(first), total)
	}
	if len(first) == 0 || len(first) >= total {
		t.Fatalf("first Execute carried %d of %d notifications", len(first), total)
	}
	if len(a.raw[len(a.raw)-1]) > 0x8000+64 {
		t.Fatalf("Execute response of %d bytes", len(a.raw[len(a.raw)-1]))
	}
	// RopPending announced them: NotificationWait answers at once.
	if w := ntWait(h, a); w.err != nil || w.eventPending != 1 {
		t.Fatalf("NotificationWait with notifications left: %+v", w)
	}
	rest, pending := ntDrain(t, a)
	if pending {
		t.Fatal("RopPending on the Execute that drained the queue")
	}
	all := append(first, rest...)
	if len(all) != total {
		t.Fatalf("%d + %d notifications, want %d", len(first), len(rest), total)
	}
	for i, n := range all {
		if want := prop.MakeID(1, uint64(i+1)); n.NotificationData.MessageId != want {
			t.Fatalf("notification %d: MessageId %v, want %v (order lost)", i, n.NotificationData.MessageId, want)
		}
	}
}

func TestNotifyIsolation(t *testing.T) {
	h := newHarness(t)
	a := h.connect(alice)
	lhA := a.logon()
	bb := h.connect(bob)
	lhB := bb.logon()
	amb := ntMailbox(t, h, alice)
	if _, ec := ntRegister(t, a, lhA, ntAll, true, 0, 0); ec != 0 {
		t.Fatalf("alice RopRegisterNotification: %v", ec)
	}
	if _, ec := ntRegister(t, bb, lhB, ntAll, true, 0, 0); ec != 0 {
		t.Fatalf("bob RopRegisterNotification: %v", ec)
	}
	h.srv.publish(amb.ID, event{kind: fnevObjectCreated, fid: a.fids[4], mid: prop.MakeID(1, 0x4242)})
	h.srv.publish(amb.ID, event{kind: fnevNewMail, fid: a.fids[4], mid: prop.MakeID(1, 0x4242), messageClass: "IPM.Note"})
	if notes, _ := ntDrain(t, bb); len(notes) != 0 {
		t.Fatalf("bob received %d notifications of alice's mailbox", len(notes))
	}
	if notes, _ := ntDrain(t, a); len(notes) < 2 {
		t.Fatalf("alice received %d notifications, want at least 2", len(notes))
	}

	// Ids are per mailbox: a folder only alice has is not found from
	// bob's own logon.
	bmb := ntMailbox(t, h, bob)
	rows, err := h.st.Hierarchy(amb, a.fids[3], true)
	if err != nil {
		t.Fatal(err)
	}
	var only prop.ID
	for _, r := range rows {
		if _, err := h.st.Folder(bmb, r.Folder.ID); err != nil {
			only = r.Folder.ID
			break
		}
	}
	if only == 0 {
		t.Fatal("no folder of alice's that bob lacks")
	}
	if _, ec := ntRegister(t, bb, lhB, ntAll, false, only, 0); ec != ecNotFound {
		t.Fatalf("bob scoped on a folder of alice's: %v, want ecNotFound", ec)
	}

	// With rights on alice's Inbox only, bob logs on to her mailbox and
	// sees Inbox events, not Sent Items ones.
	if err := h.st.ModifyPermissions(amb, a.fids[4], false, []store.PermOp{{Op: store.RowAdd,
		Perm: store.Permission{User: bob, Name: "Bob", Rights: store.RightReadAny | store.RightFolderVisible}}}); err != nil {
		t.Fatal(err)
	}
	lhBA := bb.logonTo(amb.LegacyDN, 0)
	if lhBA>>24 != 0 {
		t.Fatalf("logon handle 0x%08X", lhBA)
	}
	if _, ec := ntRegister(t, bb, lhBA, ntAll, false, a.fids[6], 0); ec != ecAccessDenied {
		t.Fatalf("bob on alice's Sent Items: %v, want ecAccessDenied", ec)
	}
	inboxSub, ec := ntRegister(t, bb, lhBA, ntCreated, false, a.fids[4], 0)
	if ec != 0 {
		t.Fatalf("bob on alice's Inbox: %v", ec)
	}
	wholeSub, ec := ntRegister(t, bb, lhBA, ntCreated, true, 0, 0)
	if ec != 0 {
		t.Fatalf("bob whole-store on alice's mailbox: %v", ec)
	}
	ntDrain(t, bb)
	h.srv.publish(amb.ID, event{kind: fnevObjectCreated, fid: a.fids[6], mid: prop.MakeID(1, 0x5001)})
	h.srv.publish(amb.ID, event{kind: fnevObjectCreated, fid: a.fids[4], mid: prop.MakeID(1, 0x5002)})
	notes, _ := ntDrain(t, bb)
	got := map[uint32]int{}
	for _, n := range notes {
		if n.NotificationData.FolderId != a.fids[4] || n.NotificationData.MessageId != prop.MakeID(1, 0x5002) {
			t.Fatalf("bob was told of %+v", n.NotificationData)
		}
		got[n.NotificationHandle]++
	}
	if got[inboxSub] != 1 || got[wholeSub] != 1 || len(notes) != 2 {
		t.Fatalf("bob's subscriptions got %v (%d notifications), want one each", got, len(notes))
	}
}

func TestNotifyScopeAndCounts(t *testing.T) {
	h := newHarness(t)
	a := h.connect(alice)
	lh := a.logon()
	mb := ntMailbox(t, h, alice)
	inbox, sent := a.fids[4], a.fids[6]
	nh, ec := ntRegister(t, a, lh, ntCreated|ntModified|uint8(fnevObjectMoved), false, inbox, 0)
	if ec != 0 {
		t.Fatalf("RopRegisterNotification: %v", ec)
	}
	mid := prop.MakeID(1, 0x6001)
	h.srv.publish(mb.ID, event{kind: fnevObjectCreated, fid: sent, mid: mid})                        // out of scope
	h.srv.publish(mb.ID, event{kind: fnevObjectCreated, fid: inbox, mid: mid + 1<<16})               // a message in the folder
	h.srv.publish(mb.ID, event{kind: fnevObjectCreated, fid: prop.MakeID(1, 0x6100), parent: inbox}) // a subfolder
	h.srv.publish(mb.ID, event{kind: fnevObjectModified, fid: inbox, tags: []prop.Tag{0x3001001F}})
	h.srv.publish(mb.ID, event{kind: fnevObjectMoved, fid: sent, mid: mid + 2<<16, oldFid: inbox, oldMid: mid + 3<<16})
	notes, _ := ntDrain(t, a)
	counts, err := h.st.FolderCounts(mb, inbox)
	if err != nil {
		t.Fatal(err)
	}
	type want struct {
		flags    uint16
		fid, mid prop.ID
	}
	wants := []want{
		{fnevObjectCreated | rop.NotifyFlagM, inbox, mid + 1<<16},
		{fnevObjectModified | rop.NotifyFlagT | rop.NotifyFlagU, inbox, 0}, // counts after the creation
		{fnevObjectCreated, prop.MakeID(1, 0x6100), 0},
		{fnevObjectModified, inbox, 0},
		{fnevObjectMoved | rop.NotifyFlagM, sent, mid + 2<<16},
		{fnevObjectModified | rop.NotifyFlagT | rop.NotifyFlagU, inbox, 0}, // the source folder lost one
	}
	if len(notes) != len(wants) {
		for _, n := range notes {
			t.Logf("%+v", n.NotificationData)
		}
		t.Fatalf("%d notifications, want %d", len(notes), len(wants))
	}
	for i, w := range wants {
		n := notes[i]
		d := n.NotificationData
		if n.NotificationHandle != nh || d.NotificationFlags != w.flags || d.FolderId != w.fid || d.MessageId != w.mid {
			t.Fatalf("notification %d: flags 0x%04X fid %v mid %v, want 0x%04X %v %v", i, d.NotificationFlags, d.FolderId, d.MessageId, w.flags, w.fid, w.mid)
		}
		if w.flags&rop.NotifyFlagT != 0 && (d.TotalMessageCount != uint32(counts.Content) || d.UnreadMessageCount != uint32(counts.Unread)) {
			t.Fatalf("notification %d counts %d/%d, want %d/%d", i, d.TotalMessageCount, d.UnreadMessageCount, counts.Content, counts.Unread)
		}
	}
	if d := notes[2].NotificationData; d.ParentFolderId != inbox || d.TagCount != 0xFFFF {
		t.Fatalf("subfolder ObjectCreated: %+v", d)
	}
	if d := notes[3].NotificationData; d.TagCount != 1 || len(d.Tags) != 1 || d.Tags[0] != 0x3001001F {
		t.Fatalf("ObjectModified tags: %+v", d)
	}
	if d := notes[4].NotificationData; d.OldFolderId != inbox || d.OldMessageId != mid+3<<16 {
		t.Fatalf("ObjectMoved old ids: %+v", d)
	}

	// A message-scoped subscription sees that message only.
	msgs, err := h.st.Contents(mb, inbox, false)
	if err != nil || len(msgs) == 0 {
		t.Fatalf("seeded Inbox contents: %d, %v", len(msgs), err)
	}
	m := msgs[0].ID
	mh, ec := ntRegister(t, a, lh, ntModified, false, inbox, m)
	if ec != 0 {
		t.Fatalf("message-scoped RopRegisterNotification: %v", ec)
	}
	h.srv.publish(mb.ID, event{kind: fnevObjectModified, fid: inbox, mid: m + 1<<40, tags: []prop.Tag{store.TagMessageFlags}})
	h.srv.publish(mb.ID, event{kind: fnevObjectModified, fid: inbox, mid: m, tags: []prop.Tag{store.TagMessageFlags}})
	notes, _ = ntDrain(t, a)
	var mine []*rop.NotifyResponse
	for _, n := range notes {
		if n.NotificationHandle == mh {
			mine = append(mine, n)
		}
	}
	if len(mine) != 1 || mine[0].NotificationData.MessageId != m || mine[0].NotificationData.Tags[0] != store.TagMessageFlags {
		t.Fatalf("message subscription got %d notifications", len(mine))
	}
}

func TestNotifyRegisterErrors(t *testing.T) {
	h := newHarness(t)
	a := h.connect(alice)
	lh := a.logon()
	cases := []struct {
		name     string
		handles  []uint32
		types    uint8
		whole    bool
		fid, mid prop.ID
		want     prop.ErrorCode
	}{
		{"no types", []uint32{lh, 0xFFFFFFFF}, 0, true, 0, 0, ecInvalidParam},
		{"critical error only", []uint32{lh, 0xFFFFFFFF}, 0x01, true, 0, 0, ecInvalidParam},
		{"no input object", []uint32{0xFFFFFFFF, 0xFFFFFFFF}, ntCreated, true, 0, 0, ecNullObject},
		{"stale handle", []uint32{0x00ABCDEF, 0xFFFFFFFF}, ntCreated, true, 0, 0, ecNullObject},
		{"no folder", []uint32{lh, 0xFFFFFFFF}, ntCreated, false, 0, 0, ecInvalidParam},
		{"unknown folder", []uint32{lh, 0xFFFFFFFF}, ntCreated, false, prop.MakeID(1, 0xFFFFFF), 0, ecNotFound},
		{"unknown message", []uint32{lh, 0xFFFFFFFF}, ntCreated, false, a.fids[4], prop.MakeID(1, 0xFFFFFE), ecNotFound},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out := a.exec([]rop.Request{&rop.RegisterNotificationRequest{RequestHeader: hdr(0x29, 0), OutputHandleIndex: 1,
				NotificationTypes: tc.types, WantWholeStore: tc.whole, FolderId: tc.fid, MessageId: tc.mid}}, tc.handles)
			r := out.resp(0)
			if r == nil {
				t.Fatal("no response")
			}
			if rv := r.Header().ReturnValue; rv != tc.want {
				t.Fatalf("ReturnValue %v, want %v", rv, tc.want)
			}
			if out.handles[1] != 0xFFFFFFFF {
				t.Fatalf("a failed registration bound handle 0x%08X", out.handles[1])
			}
		})
	}
}

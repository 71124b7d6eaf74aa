package replay

import (
	"bytes"
	"context"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/mapiscope/mapiscope/client"
	"github.com/mapiscope/mapiscope/decode/prop"
	"github.com/mapiscope/mapiscope/decode/rop"
	"github.com/mapiscope/mapiscope/proxy"
	"github.com/mapiscope/mapiscope/server"
	"github.com/mapiscope/mapiscope/server/store"
	"github.com/mapiscope/mapiscope/trace"
)

const (
	seedUser     = "seed@example.com"
	seedPassword = "seed-pw"
)

// seedBatch is one ROP request buffer with its handle table.
type seedBatch struct {
	rops    []rop.Request
	handles []uint32
}

func (b *seedBatch) in(h uint32) uint8 {
	for i, x := range b.handles {
		if x == h && h != 0xFFFFFFFF {
			return uint8(i)
		}
	}
	b.handles = append(b.handles, h)
	return uint8(len(b.handles) - 1)
}

func (b *seedBatch) out() uint8 {
	b.handles = append(b.handles, 0xFFFFFFFF)
	return uint8(len(b.handles) - 1)
}

func (b *seedBatch) add(r rop.Request) int {
	b.rops = append(b.rops, r)
	return len(b.rops) - 1
}

func seedHdr(in uint8) rop.RequestHeader { return rop.RequestHeader{InputHandleIndex: in} }

// seedSession connects a mailbox session through the proxy and logs on.
func seedSession(t *testing.T, ctx context.Context, adURL string) (*client.Mailbox, *rop.LogonResponse, uint32) {
	t.Helper()
	cfg := client.Config{Email: seedUser, Password: seedPassword}
	disc, err := client.Autodiscover(ctx, adURL, cfg)
	if err != nil {
		t.Fatal(err)
	}
	m := client.NewMailbox(disc.MailStoreURL, cfg)
	if _, err := m.Connect(ctx, disc.LegacyDN); err != nil {
		t.Fatal(err)
	}
	b := &seedBatch{}
	out := b.out()
	i := b.add(&rop.LogonRequest{OutputHandleIndex: out, LogonFlags: 0x01, OpenFlags: 0x01000000 | 0x04 | 0x08, Essdn: disc.LegacyDN})
	res := seedExec(t, ctx, m, b)
	lr, ok := res.Response(i).(*rop.LogonResponse)
	if !ok {
		t.Fatal("no RopLogon response")
	}
	return m, lr, res.Handle(out)
}

func seedExec(t *testing.T, ctx context.Context, m *client.Mailbox, b *seedBatch) *client.ExecResult {
	t.Helper()
	res, err := m.Execute(ctx, b.rops, b.handles)
	if err == nil {
		err = res.Check()
	}
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// seedBrowse reads what the basic scenario does not: the Inbox's subfolders
// and FAI messages, a message with recipients and an attachment (its
// data through a stream), and the contents of a subfolder.
func seedBrowse(t *testing.T, ctx context.Context, adURL string, meeting prop.ID) {
	m, lr, lh := seedSession(t, ctx, adURL)
	inbox := lr.FolderIds[4]
	b := &seedBatch{}
	ls := b.in(lh)
	f, ht, at, msg, att, a0, st := b.out(), b.out(), b.out(), b.out(), b.out(), b.out(), b.out()
	b.add(&rop.OpenFolderRequest{RequestHeader: seedHdr(ls), OutputHandleIndex: f, FolderId: inbox})
	b.add(&rop.GetHierarchyTableRequest{RequestHeader: seedHdr(f), OutputHandleIndex: ht, TableFlags: 0x40})
	b.add(&rop.SetColumnsRequest{RequestHeader: seedHdr(ht), PropertyTags: []prop.Tag{store.TagFolderId, store.TagDisplayName, store.TagContainerClass}})
	hq := b.add(&rop.QueryRowsRequest{RequestHeader: seedHdr(ht), ForwardRead: true, RowCount: 50})
	b.add(&rop.GetContentsTableRequest{RequestHeader: seedHdr(f), OutputHandleIndex: at, TableFlags: 0x40 | 0x02})
	b.add(&rop.SetColumnsRequest{RequestHeader: seedHdr(at), PropertyTags: []prop.Tag{store.TagMid, store.TagMessageClass, store.TagSubject}})
	b.add(&rop.QueryRowsRequest{RequestHeader: seedHdr(at), ForwardRead: true, RowCount: 50})
	b.add(&rop.OpenMessageRequest{RequestHeader: seedHdr(f), OutputHandleIndex: msg, CodePageId: 0x0FFF, FolderId: inbox, MessageId: meeting})
	b.add(&rop.GetPropertiesAllRequest{RequestHeader: seedHdr(msg), WantUnicode: 1})
	b.add(&rop.GetAttachmentTableRequest{RequestHeader: seedHdr(msg), OutputHandleIndex: att, TableFlags: 0x40})
	b.add(&rop.SetColumnsRequest{RequestHeader: seedHdr(att), PropertyTags: []prop.Tag{store.TagAttachNumber, store.TagAttachLongFilename}})
	b.add(&rop.QueryRowsRequest{RequestHeader: seedHdr(att), ForwardRead: true, RowCount: 10})
	b.add(&rop.OpenAttachmentRequest{RequestHeader: seedHdr(msg), OutputHandleIndex: a0, AttachmentID: 0})
	b.add(&rop.GetPropertiesSpecificRequest{RequestHeader: seedHdr(a0), WantUnicode: 1,
		PropertyTags: []prop.Tag{store.TagAttachMethod, store.TagAttachFilename, store.TagAttachMimeTag}})
	b.add(&rop.OpenStreamRequest{RequestHeader: seedHdr(a0), OutputHandleIndex: st, PropertyTag: store.TagAttachDataBinary})
	b.add(&rop.ReadStreamRequest{RequestHeader: seedHdr(st), ByteCount: 4096})
	res := seedExec(t, ctx, m, b)
	q, ok := res.Response(hq).(*rop.QueryRowsResponse)
	if !ok {
		t.Fatal("no hierarchy rows")
	}
	var projects prop.ID
	for _, r := range q.RowData {
		if len(r.Values) == 3 && r.Values[1] == "Projects" {
			id, _ := r.Values[0].(int64)
			projects = prop.ID(uint64(id))
		}
	}
	if projects == 0 {
		t.Fatal("no Projects folder under the Inbox")
	}

	b = &seedBatch{}
	ls = b.in(lh)
	pf, pt := b.out(), b.out()
	b.add(&rop.OpenFolderRequest{RequestHeader: seedHdr(ls), OutputHandleIndex: pf, FolderId: projects})
	b.add(&rop.GetContentsTableRequest{RequestHeader: seedHdr(pf), OutputHandleIndex: pt, TableFlags: 0x40})
	b.add(&rop.SetColumnsRequest{RequestHeader: seedHdr(pt), PropertyTags: []prop.Tag{store.TagMid, store.TagSubject,
		store.TagMessageClass, store.TagSenderName, store.TagMessageDeliveryTime, store.TagMessageFlags}})
	b.add(&rop.QueryRowsRequest{RequestHeader: seedHdr(pt), ForwardRead: true, RowCount: 50})
	seedExec(t, ctx, m, b)
	if err := m.Disconnect(ctx); err != nil {
		t.Fatal(err)
	}
}

type seedMsg struct {
	id      prop.ID
	subject string
}

func seedContents(t *testing.T, st *store.Store, mb *store.Mailbox, fid prop.ID, assoc bool) []seedMsg {
	t.Helper()
	rows, err := st.Contents(mb, fid, assoc)
	if err != nil {
		t.Fatal(err)
	}
	var out []seedMsg
	for _, r := range rows {
		out = append(out, seedMsg{r.ID, r.Props.String(store.TagSubject)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].id < out[j].id })
	return out
}

func childNames(t *testing.T, st *store.Store, mb *store.Mailbox, fid prop.ID) map[string]prop.ID {
	t.Helper()
	rows, err := st.Hierarchy(mb, fid, false)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]prop.ID{}
	for _, r := range rows {
		out[r.Folder.Name] = r.Folder.ID
	}
	return out
}

func special(t *testing.T, st *store.Store, mb *store.Mailbox, r store.Role) prop.ID {
	t.Helper()
	f, err := st.SpecialFolder(mb, r)
	if err != nil {
		t.Fatal(err)
	}
	return f.ID
}

// freshMailbox makes the store a built-in server with DataDir dir opens.
func freshMailbox(t *testing.T, dir string) (*store.Store, *store.Mailbox) {
	t.Helper()
	st, err := store.Open(filepath.Join(dir, "mailboxes.db"), server.DeterministicStoreOptions())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	mb, err := st.CreateMailbox(seedUser, "Seed User")
	if err != nil {
		t.Fatal(err)
	}
	return st, mb
}

func TestSeedFromTrace(t *testing.T) {
	srv, err := server.Start(server.RunConfig{Listen: "http://127.0.0.1:0", Deterministic: true,
		Users: []server.UserSpec{{Email: seedUser, Password: seedPassword, DisplayName: "Seed User"}}})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	rec, err := srv.Store.MailboxByEmail(seedUser)
	if err != nil {
		t.Fatal(err)
	}
	// What the recorded mailbox holds before the client runs.
	recInbox, recIPM := special(t, srv.Store, rec, store.RoleInbox), special(t, srv.Store, rec, store.RoleIPMSubtree)
	wantInbox := seedContents(t, srv.Store, rec, recInbox, false)
	wantFAI := seedContents(t, srv.Store, rec, recInbox, true)
	wantIPM := childNames(t, srv.Store, rec, recIPM)
	wantSub := childNames(t, srv.Store, rec, recInbox)
	wantProjects := seedContents(t, srv.Store, rec, wantSub["Projects"], false)
	if len(wantInbox) == 0 || len(wantFAI) == 0 || len(wantProjects) == 0 || wantSub["Projects"] == 0 {
		t.Fatalf("demo mailbox: inbox %v FAI %v projects %v subfolders %v", wantInbox, wantFAI, wantProjects, wantSub)
	}
	var meeting prop.ID
	for _, m := range wantInbox {
		if m.subject == "Meeting notes" {
			meeting = m.id
		}
	}
	recMeeting, err := srv.Store.OpenMessage(rec, recInbox, meeting)
	if err != nil {
		t.Fatal(err)
	}

	path := filepath.Join(t.TempDir(), "basic.trace")
	p, err := proxy.Start(proxy.RunConfig{Listen: "http://127.0.0.1:0", Upstream: srv.URL, Trace: path})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := client.RunScenario(ctx, "basic", p.AutodiscoverURL, client.Config{Email: seedUser, Password: seedPassword}, nil); err != nil {
		t.Fatal(err)
	}
	seedBrowse(t, ctx, p.AutodiscoverURL, meeting)
	p.Close()

	// What the client run added: neither may be seeded.
	recDrafts := seedContents(t, srv.Store, rec, special(t, srv.Store, rec, store.RoleDrafts), false)
	if len(recDrafts) == 0 {
		t.Fatal("the scenario left no draft")
	}
	firstAllocated := recDrafts[0].id

	tr, err := trace.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	dataDir := t.TempDir()
	st, mb := freshMailbox(t, dataDir)
	stats, err := SeedFromTrace(tr, SessionRef{Trace: path}, st, mb)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("stats %+v", stats)

	inbox := special(t, st, mb, store.RoleInbox)
	if got := seedContents(t, st, mb, inbox, false); !equalMsgs(got, wantInbox) {
		t.Errorf("seeded Inbox\n got %v\nwant %v", got, wantInbox)
	}
	if got := seedContents(t, st, mb, inbox, true); !equalMsgs(got, wantFAI) {
		t.Errorf("seeded Inbox FAI\n got %v\nwant %v", got, wantFAI)
	}
	if got := seedContents(t, st, mb, special(t, st, mb, store.RoleDrafts), false); len(got) != 0 {
		t.Errorf("the session's own draft was seeded: %v", got)
	}
	gotIPM := childNames(t, st, mb, special(t, st, mb, store.RoleIPMSubtree))
	for name, id := range wantIPM {
		if gotIPM[name] != id {
			t.Errorf("IPM subtree: %q is %s, recorded %s", name, gotIPM[name], id)
		}
	}
	gotSub := childNames(t, st, mb, inbox)
	for name, id := range wantSub {
		if gotSub[name] != id {
			t.Errorf("Inbox subfolder %q is %s, recorded %s", name, gotSub[name], id)
		}
	}
	if got := seedContents(t, st, mb, gotSub["Projects"], false); !equalMsgs(got, wantProjects) {
		t.Errorf("seeded Projects\n got %v\nwant %v", got, wantProjects)
	}
	if c, err := st.FolderProps(mb, gotSub["Projects"]); err != nil || c.String(store.TagContainerClass) != "IPF.Note" {
		t.Errorf("Projects PidTagContainerClass %q (%v)", c.String(store.TagContainerClass), err)
	}

	// The message read in full: properties, recipients, attachment data.
	m, err := st.OpenMessage(mb, inbox, meeting)
	if err != nil {
		t.Fatal(err)
	}
	for _, tag := range []prop.Tag{store.TagSubject, store.TagBody, store.TagSenderName, store.TagInternetMessageId} {
		g, _ := m.Prop(tag)
		w, _ := recMeeting.Prop(tag)
		if g != w || g == nil {
			t.Errorf("%v: seeded %v, recorded %v", tag, g, w)
		}
	}
	if g, w := m.Read(), recMeeting.Read(); g != w {
		t.Errorf("read flag: seeded %v, recorded %v", g, w)
	}
	var gotRecips, wantRecips []string
	for _, r := range m.Recipients() {
		gotRecips = append(gotRecips, r.Props.String(store.TagDisplayName)+"/"+r.Props.String(store.TagEmailAddress))
	}
	for _, r := range recMeeting.Recipients() {
		wantRecips = append(wantRecips, r.Props.String(store.TagDisplayName)+"/"+r.Props.String(store.TagEmailAddress))
	}
	if strings.Join(gotRecips, ",") != strings.Join(wantRecips, ",") || len(wantRecips) != 2 {
		t.Errorf("recipients: seeded %v, recorded %v", gotRecips, wantRecips)
	}
	ga, err := m.OpenAttachment(0)
	if err != nil {
		t.Fatalf("attachment 0: %v", err)
	}
	wa, _ := recMeeting.OpenAttachment(0)
	gd, _ := ga.Prop(store.TagAttachDataBinary)
	wd, _ := wa.Prop(store.TagAttachDataBinary)
	if gb, _ := gd.([]byte); !bytes.Equal(gb, wd.([]byte)) {
		t.Errorf("attachment data: seeded %q, recorded %q", gd, wd)
	}
	for _, tag := range []prop.Tag{store.TagAttachLongFilename, store.TagAttachFilename, store.TagAttachMimeTag} {
		if g, _ := ga.Prop(tag); g != "notes.txt" && g != "text/plain" {
			t.Errorf("attachment %v: %v", tag, g)
		}
	}

	wantMsgs := len(wantInbox) + len(wantFAI) + len(wantProjects)
	if stats.Folders != len(wantSub) || stats.Messages != wantMsgs || stats.Properties < 5*wantMsgs {
		t.Errorf("stats %+v: want %d folders, %d messages and their properties", stats, len(wantSub), wantMsgs)
	}
	if len(stats.IDs) != 0 {
		t.Errorf("ids not kept: %v", stats.IDs)
	}
	// Objects the replay creates get the ids the recording did.
	if last, err := st.LastChangeNumber(mb); err != nil || last+1 != firstAllocated.GlobalCounter() {
		t.Errorf("next GLOBCNT %d (%v), the session first allocated %s", last+1, err, firstAllocated)
	}

	// The seeded mailbox serves the client scenario again, and the draft
	// it writes gets the recorded id.
	st.Close()
	again, err := server.Start(server.RunConfig{Listen: "http://127.0.0.1:0", Deterministic: true, DataDir: dataDir,
		Users: []server.UserSpec{{Email: seedUser, Password: seedPassword}}})
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	if _, err := client.RunScenario(ctx, "basic", again.AutodiscoverURL, client.Config{Email: seedUser, Password: seedPassword}, nil); err != nil {
		t.Fatalf("scenario against the seeded mailbox: %v", err)
	}
	mb2, err := again.Store.MailboxByEmail(seedUser)
	if err != nil {
		t.Fatal(err)
	}
	if drafts := seedContents(t, again.Store, mb2, special(t, again.Store, mb2, store.RoleDrafts), false); len(drafts) == 0 || drafts[0].id != firstAllocated {
		t.Errorf("replayed draft %v, recorded %s", drafts, firstAllocated)
	}
}

func equalMsgs(a, b []seedMsg) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestSeedFromTraceNothingToSeed(t *testing.T) {
	srv, err := server.Start(server.RunConfig{Listen: "http://127.0.0.1:0", Deterministic: true,
		Users: []server.UserSpec{{Email: seedUser, Password: seedPassword}}})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	path := filepath.Join(t.TempDir(), "logon.trace")
	p, err := proxy.Start(proxy.RunConfig{Listen: "http://127.0.0.1:0", Upstream: srv.URL, Trace: path})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	m, _, lh := seedSession(t, ctx, p.AutodiscoverURL)
	b := &seedBatch{}
	b.add(&rop.ReleaseRequest{RequestHeader: seedHdr(b.in(lh))})
	if _, err := m.Execute(ctx, b.rops, b.handles); err != nil {
		t.Fatal(err)
	}
	if err := m.Disconnect(ctx); err != nil {
		t.Fatal(err)
	}
	p.Close()

	tr, err := trace.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	st, mb := freshMailbox(t, t.TempDir())
	before, _ := st.LastChangeNumber(mb)
	stats, err := SeedFromTrace(tr, SessionRef{Trace: path}, st, mb)
	if err != nil {
		t.Fatal(err)
	}
	if stats.Folders != 0 || stats.Messages != 0 || stats.Properties != 0 || len(stats.IDs) != 0 {
		t.Errorf("a logon alone seeded %+v", stats)
	}
	if after, _ := st.LastChangeNumber(mb); after != before {
		t.Errorf("GLOBCNT moved from %d to %d", before, after)
	}
	if got := seedContents(t, st, mb, special(t, st, mb, store.RoleInbox), false); len(got) != 0 {
		t.Errorf("Inbox: %v", got)
	}

	// Bad input: errors, not panics.
	if _, err := SeedFromTrace(tr, SessionRef{Trace: path, Session: 999}, st, mb); err == nil {
		t.Error("session 999: no error")
	}
	if _, err := SeedFromTrace(nil, SessionRef{}, st, mb); err == nil {
		t.Error("no trace: no error")
	}
}

// seedDownload reads a FastTransfer download context to its end.
func seedDownload(t *testing.T, ctx context.Context, m *client.Mailbox, h uint32) {
	t.Helper()
	for n := 0; n < 200; n++ {
		b := &seedBatch{}
		i := b.add(&rop.FastTransferSourceGetBufferRequest{RequestHeader: seedHdr(b.in(h)), BufferSize: 0x7FFF})
		res := seedExec(t, ctx, m, b)
		a, ok := res.Response(i).(*rop.FastTransferSourceGetBufferResponse)
		if !ok {
			t.Fatal("no RopFastTransferSourceGetBuffer response")
		}
		if a.TransferStatus == 0x0003 { // Done
			return
		}
	}
	t.Fatal("the FastTransfer stream does not end")
}

// TestSeedFromTraceFastTransfer seeds from what an ICS client sees: the
// hierarchy of the whole mailbox and the Inbox's contents through ICS
// download, a subfolder's messages through RopFastTransferSourceCopyMessages
// and a calendar item through RopFastTransferSourceCopyTo.
func TestSeedFromTraceFastTransfer(t *testing.T) {
	srv, err := server.Start(server.RunConfig{Listen: "http://127.0.0.1:0", Deterministic: true,
		Users: []server.UserSpec{{Email: seedUser, Password: seedPassword, DisplayName: "Seed User"}}})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	rec, err := srv.Store.MailboxByEmail(seedUser)
	if err != nil {
		t.Fatal(err)
	}
	recInbox, recCal := special(t, srv.Store, rec, store.RoleInbox), special(t, srv.Store, rec, store.RoleCalendar)
	wantInbox := seedContents(t, srv.Store, rec, recInbox, false)
	wantFAI := seedContents(t, srv.Store, rec, recInbox, true)
	wantSub := childNames(t, srv.Store, rec, recInbox)
	wantProjects := seedContents(t, srv.Store, rec, wantSub["Projects"], false)
	wantCal := seedContents(t, srv.Store, rec, recCal, false)
	if len(wantCal) != 1 || len(wantProjects) == 0 {
		t.Fatalf("demo mailbox: calendar %v projects %v", wantCal, wantProjects)
	}

	path := filepath.Join(t.TempDir(), "ics.trace")
	p, err := proxy.Start(proxy.RunConfig{Listen: "http://127.0.0.1:0", Upstream: srv.URL, Trace: path})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	m, lr, lh := seedSession(t, ctx, p.AutodiscoverURL)
	open := func(fid prop.ID) uint32 {
		b := &seedBatch{}
		out := b.out()
		b.add(&rop.OpenFolderRequest{RequestHeader: seedHdr(b.in(lh)), OutputHandleIndex: out, FolderId: fid})
		return seedExec(t, ctx, m, b).Handle(out)
	}
	sync := func(folder uint32, typ uint8, flags uint16) {
		b := &seedBatch{}
		out := b.out()
		b.add(&rop.SynchronizationConfigureRequest{RequestHeader: seedHdr(b.in(folder)), OutputHandleIndex: out,
			SynchronizationType: typ, SendOptions: 0x01, SynchronizationFlags: flags, SynchronizationExtraFlags: 0x01 | 0x04})
		seedDownload(t, ctx, m, seedExec(t, ctx, m, b).Handle(out))
	}
	sync(open(lr.FolderIds[0]), 0x02, 0x0001)               // the hierarchy under the Root
	sync(open(recInbox), 0x01, 0x0001|0x0010|0x0020|0x0002) // the Inbox, normal and FAI
	b := &seedBatch{}
	out := b.out()
	b.add(&rop.FastTransferSourceCopyMessagesRequest{RequestHeader: seedHdr(b.in(open(wantSub["Projects"]))), OutputHandleIndex: out,
		MessageIds: []prop.ID{wantProjects[0].id, wantProjects[1].id}, SendOptions: 0x01})
	seedDownload(t, ctx, m, seedExec(t, ctx, m, b).Handle(out))
	b = &seedBatch{}
	msg, out := b.out(), b.out()
	b.add(&rop.OpenMessageRequest{RequestHeader: seedHdr(b.in(open(recCal))), OutputHandleIndex: msg, CodePageId: 0x0FFF,
		FolderId: recCal, MessageId: wantCal[0].id})
	b.add(&rop.FastTransferSourceCopyToRequest{RequestHeader: seedHdr(msg), OutputHandleIndex: out, SendOptions: 0x01})
	seedDownload(t, ctx, m, seedExec(t, ctx, m, b).Handle(out))
	if err := m.Disconnect(ctx); err != nil {
		t.Fatal(err)
	}
	p.Close()

	tr, err := trace.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	st, mb := freshMailbox(t, t.TempDir())
	stats, err := SeedFromTrace(tr, SessionRef{Trace: path}, st, mb)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("stats %+v", stats)
	inbox := special(t, st, mb, store.RoleInbox)
	if got := seedContents(t, st, mb, inbox, false); !equalMsgs(got, wantInbox) {
		t.Errorf("seeded Inbox\n got %v\nwant %v", got, wantInbox)
	}
	if got := seedContents(t, st, mb, inbox, true); !equalMsgs(got, wantFAI) {
		t.Errorf("seeded Inbox FAI\n got %v\nwant %v", got, wantFAI)
	}
	gotSub := childNames(t, st, mb, inbox)
	for name, id := range wantSub {
		if gotSub[name] != id {
			t.Errorf("Inbox subfolder %q is %s, recorded %s", name, gotSub[name], id)
		}
	}
	if got := seedContents(t, st, mb, gotSub["Projects"], false); !equalMsgs(got, wantProjects[:2]) {
		t.Errorf("seeded Projects\n got %v\nwant %v", got, wantProjects[:2])
	}
	if got := seedContents(t, st, mb, special(t, st, mb, store.RoleCalendar), false); !equalMsgs(got, wantCal) {
		t.Errorf("seeded Calendar\n got %v\nwant %v", got, wantCal)
	}
	// Full content came with the streams: the Inbox mail's bodies.
	for _, w := range wantInbox {
		got, err := st.OpenMessage(mb, inbox, w.id)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := srv.Store.OpenMessage(rec, recInbox, w.id)
		g, _ := got.Prop(store.TagBody)
		wb, _ := want.Prop(store.TagBody)
		if g != wb || len(got.Recipients()) != len(want.Recipients()) || len(got.AttachmentTable()) != len(want.AttachmentTable()) {
			t.Errorf("%q: body %q/%q, %d/%d recipients, %d/%d attachments", w.subject, g, wb,
				len(got.Recipients()), len(want.Recipients()), len(got.AttachmentTable()), len(want.AttachmentTable()))
		}
	}
	// The calendar item's properties came through RopFastTransferSourceCopyTo.
	gotAppt, err := st.OpenMessage(mb, 0, wantCal[0].id)
	if err != nil {
		t.Fatal(err)
	}
	wantAppt, _ := srv.Store.OpenMessage(rec, recCal, wantCal[0].id)
	for _, tag := range []prop.Tag{store.TagStartDate, store.TagEndDate, store.TagBody, store.TagMessageClass} {
		g, _ := gotAppt.Prop(tag)
		w, _ := wantAppt.Prop(tag)
		if g != w || g == nil {
			t.Errorf("calendar item %v: seeded %v, recorded %v", tag, g, w)
		}
	}
	if stats.Folders != len(wantSub) || stats.Messages != len(wantInbox)+len(wantFAI)+2+1 {
		t.Errorf("stats %+v", stats)
	}
}

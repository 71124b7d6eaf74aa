package client

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"math/rand"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mapiscope/mapiscope/decode/fxics"
	"github.com/mapiscope/mapiscope/decode/prop"
	"github.com/mapiscope/mapiscope/decode/rop"
	"github.com/mapiscope/mapiscope/server"
	"github.com/mapiscope/mapiscope/server/store"
)

// syncServer runs the built-in server on loopback over a fresh store whose
// user has the demo mailbox (folders, mail, FAI messages).
func syncServer(t testing.TB) (string, *store.Store, *store.Mailbox) {
	t.Helper()
	st, err := store.Open(filepath.Join(t.TempDir(), "store.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	hs := httptest.NewUnstartedServer(nil)
	srv, err := server.New(server.Config{Store: st, PublicURL: "http://" + hs.Listener.Addr().String()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := srv.AddUser(testEmail, testPassword, "Ada Lovelace"); err != nil {
		t.Fatal(err)
	}
	mb, err := st.MailboxByEmail(testEmail)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.SeedDemo(mb); err != nil {
		t.Fatal(err)
	}
	hs.Config.Handler = srv
	hs.Start()
	t.Cleanup(func() { srv.Close(); hs.Close() })
	return hs.URL + "/autodiscover/autodiscover.xml", st, mb
}

func TestScenarioSync(t *testing.T) {
	url, _, _ := syncServer(t)
	var seen []string
	steps, err := RunScenario(context.Background(), "sync", url, Config{Email: testEmail, Password: testPassword}, func(s Step) { seen = append(seen, s.Name) })
	for _, s := range steps {
		t.Logf("%-16s %v %s %v", s.Name, s.Elapsed.Round(time.Millisecond), s.Detail, s.Err)
	}
	if err != nil {
		t.Fatalf("scenario: %v", err)
	}
	want := "autodiscover,connect,logon,full-sync,local-change,peer-change,incremental,local-delete,converged,release,disconnect"
	if strings.Join(seen, ",") != want {
		t.Fatalf("steps %v, want %s", seen, want)
	}
}

// syncEnv is a client session with a replica, a second session (the
// peer) making server-side changes, and the store underneath.
type syncEnv struct {
	t      *testing.T
	ctx    context.Context
	st     *store.Store
	mb     *store.Mailbox
	disc   *Discovery
	cli    *peer // the replica's session
	peer   *peer
	syncer *Syncer
}

func newSyncEnv(t *testing.T) *syncEnv {
	t.Helper()
	url, st, mb := syncServer(t)
	ctx := context.Background()
	cfg := Config{Email: testEmail, Password: testPassword}
	d, err := Autodiscover(ctx, url, cfg)
	if err != nil {
		t.Fatal(err)
	}
	e := &syncEnv{t: t, ctx: ctx, st: st, mb: mb, disc: d}
	cfg.ClientInfo = NewGUID()
	if e.cli, err = openPeer(ctx, d.MailStoreURL, d.LegacyDN, cfg); err != nil {
		t.Fatal(err)
	}
	cfg.ClientInfo = NewGUID()
	if e.peer, err = openPeer(ctx, d.MailStoreURL, d.LegacyDN, cfg); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.cli.close(ctx); e.peer.close(ctx) })
	e.syncer = NewSyncer(e.cli.mb, e.cli.lh, e.cli.logon, NewReplica())
	return e
}

func (e *syncEnv) replica() *Replica { return e.syncer.Replica() }

// sync runs a synchronization and checks that the replica equals the
// server: a fresh full synchronization and the store itself.
func (e *syncEnv) sync(what string) *SyncReport {
	e.t.Helper()
	rep, err := e.syncer.Sync(e.ctx)
	if err != nil {
		e.t.Fatalf("%s: sync: %v", what, err)
	}
	if e.replica().Pending() {
		e.t.Fatalf("%s: local changes still pending after the sync", what)
	}
	e.checkConverged(what)
	return rep
}

func (e *syncEnv) checkConverged(what string) {
	e.t.Helper()
	fresh := NewSyncer(e.cli.mb, e.cli.lh, e.cli.logon, NewReplica())
	fresh.ReserveIDs = 8
	if _, err := fresh.Sync(e.ctx); err != nil {
		e.t.Fatalf("%s: fresh sync: %v", what, err)
	}
	diffs := CompareReplicas(e.replica(), fresh.Replica())
	diffs = append(diffs, e.compareStore()...)
	if len(diffs) > 0 {
		if len(diffs) > 12 {
			diffs = diffs[:12]
		}
		e.t.Fatalf("%s: the replica differs from the server:\n  %s", what, strings.Join(diffs, "\n  "))
	}
}

// compareStore compares the replica with the store directly: folders
// (name, parent), messages (id, FAI, read, subject, change key).
func (e *syncEnv) compareStore() []string {
	r := e.replica()
	var out []string
	rows, err := e.st.Hierarchy(e.mb, r.Root, true)
	if err != nil {
		e.t.Fatal(err)
	}
	if len(rows) != len(r.Folders) {
		out = append(out, fmt.Sprintf("%d folders in the store, %d in the replica", len(rows), len(r.Folders)))
	}
	for _, row := range rows {
		sf := row.Folder
		f, ok := r.Folders[sf.ID]
		if !ok {
			out = append(out, fmt.Sprintf("store folder %s %q not in the replica", sf.ID, sf.Name))
			continue
		}
		if f.Name != sf.Name || f.Parent != sf.Parent {
			out = append(out, fmt.Sprintf("folder %s: %q under %s in the replica, %q under %s in the store", sf.ID, f.Name, f.Parent, sf.Name, sf.Parent))
		}
		n := 0
		for _, assoc := range []bool{false, true} {
			msgs, err := e.st.Contents(e.mb, sf.ID, assoc)
			if err != nil {
				e.t.Fatal(err)
			}
			n += len(msgs)
			for _, sm := range msgs {
				m, ok := f.Messages[sm.ID]
				subj := sm.Props.String(store.TagSubject)
				if !ok {
					out = append(out, fmt.Sprintf("folder %q: store message %s %q not in the replica", sf.Name, sm.ID, subj))
					continue
				}
				ck, _ := sm.Props.Get(store.TagChangeKey)
				if m.FAI != assoc || (!assoc && m.Read != sm.Read) || m.String(tagSubject) != subj || !bytes.Equal(m.ChangeKey, ck.([]byte)) {
					out = append(out, fmt.Sprintf("folder %q: message %s: FAI %v read %v %q %s in the replica; FAI %v read %v %q %s in the store",
						sf.Name, sm.ID, m.FAI, m.Read, m.String(tagSubject), xidString(m.ChangeKey), assoc, sm.Read, subj, xidString(ck.([]byte))))
				}
			}
		}
		if n != len(f.Messages) {
			out = append(out, fmt.Sprintf("folder %q: %d messages in the store, %d in the replica", sf.Name, n, len(f.Messages)))
		}
	}
	return out
}

// ---- server-side changes by the peer ----

func (p *peer) must(t *testing.T, ctx context.Context, b *batch) *ExecResult {
	t.Helper()
	res, err := p.exec(ctx, b)
	if err != nil {
		t.Fatalf("peer: %v", err)
	}
	return res
}

func (p *peer) modify(t *testing.T, ctx context.Context, fid, mid prop.ID, props []prop.TaggedValue) {
	t.Helper()
	b := &batch{}
	ms := b.out()
	b.add(&rop.OpenMessageRequest{RequestHeader: hdr(b.in(p.lh)), OutputHandleIndex: ms, CodePageId: codePageLogon, FolderId: fid,
		OpenModeFlags: 0x01, MessageId: mid})
	b.add(&rop.SetPropertiesRequest{RequestHeader: hdr(ms), PropertyValues: props})
	b.add(&rop.SaveChangesMessageRequest{RequestHeader: hdr(ms), ResponseHandleIndex: ms, SaveFlags: keepOpenReadWrite})
	b.add(&rop.ReleaseRequest{RequestHeader: hdr(ms)})
	p.must(t, ctx, b)
}

func (p *peer) delete(t *testing.T, ctx context.Context, fid prop.ID, mids []prop.ID) {
	t.Helper()
	b := &batch{}
	fo := b.out()
	b.add(&rop.OpenFolderRequest{RequestHeader: hdr(b.in(p.lh)), OutputHandleIndex: fo, FolderId: fid})
	b.add(&rop.DeleteMessagesRequest{RequestHeader: hdr(fo), MessageIds: mids})
	b.add(&rop.ReleaseRequest{RequestHeader: hdr(fo)})
	p.must(t, ctx, b)
}

func (p *peer) move(t *testing.T, ctx context.Context, src, dst prop.ID, mids []prop.ID) {
	t.Helper()
	b := &batch{}
	so, do := b.out(), b.out()
	b.add(&rop.OpenFolderRequest{RequestHeader: hdr(b.in(p.lh)), OutputHandleIndex: so, FolderId: src})
	b.add(&rop.OpenFolderRequest{RequestHeader: hdr(b.in(p.lh)), OutputHandleIndex: do, FolderId: dst})
	b.add(&rop.MoveCopyMessagesRequest{RequestHeader: hdr(so), DestHandleIndex: do, MessageIds: mids})
	b.add(&rop.ReleaseRequest{RequestHeader: hdr(so)}, &rop.ReleaseRequest{RequestHeader: hdr(do)})
	p.must(t, ctx, b)
}

func (p *peer) createFolder(t *testing.T, ctx context.Context, parent prop.ID, name string) prop.ID {
	t.Helper()
	b := &batch{}
	fo, no := b.out(), b.out()
	b.add(&rop.OpenFolderRequest{RequestHeader: hdr(b.in(p.lh)), OutputHandleIndex: fo, FolderId: parent})
	ci := b.add(&rop.CreateFolderRequest{RequestHeader: hdr(fo), OutputHandleIndex: no, FolderType: 1, UseUnicodeStrings: true, DisplayName: name})
	b.add(&rop.ReleaseRequest{RequestHeader: hdr(no)}, &rop.ReleaseRequest{RequestHeader: hdr(fo)})
	res := p.must(t, ctx, b)
	return res.Response(ci).(*rop.CreateFolderResponse).FolderId
}

// submit sends a message to the mailbox's own address from Drafts
// ([MS-OXOMSG] 3.1.4.1.3), delivered to the Inbox.
func (p *peer) submit(t *testing.T, ctx context.Context, drafts prop.ID, subject string) {
	t.Helper()
	b := &batch{}
	fo, ms := b.out(), b.out()
	b.add(&rop.OpenFolderRequest{RequestHeader: hdr(b.in(p.lh)), OutputHandleIndex: fo, FolderId: drafts})
	b.add(&rop.CreateMessageRequest{RequestHeader: hdr(fo), OutputHandleIndex: ms, CodePageId: codePageLogon, FolderId: drafts})
	b.add(&rop.SetPropertiesRequest{RequestHeader: hdr(ms), PropertyValues: []prop.TaggedValue{
		{Tag: tagMessageClass, Value: "IPM.Note"}, {Tag: tagSubject, Value: subject}, {Tag: tagBody, Value: "delivered\r\n"}}})
	cols := []prop.Tag{tagSmtpAddress}
	b.add(&rop.ModifyRecipientsRequest{RequestHeader: hdr(ms), RecipientColumns: cols, RecipientRows: []rop.ModifyRecipientRow{{
		RowId: 0, RecipientType: recipientPrimary, RecipientRow: &rop.RecipientRow{
			RecipientFlags: rop.RecipSMTP | rop.RecipE | rop.RecipD | rop.RecipS | rop.RecipU,
			EmailAddress:   testEmail, DisplayName: "Ada Lovelace", RecipientColumnCount: 1,
			RecipientProperties: prop.Row{Values: []any{testEmail}},
		}}}})
	b.add(&rop.SaveChangesMessageRequest{RequestHeader: hdr(ms), ResponseHandleIndex: ms, SaveFlags: keepOpenReadWrite})
	b.add(&rop.SubmitMessageRequest{RequestHeader: hdr(ms)})
	b.add(&rop.ReleaseRequest{RequestHeader: hdr(ms)}, &rop.ReleaseRequest{RequestHeader: hdr(fo)})
	p.must(t, ctx, b)
}

// ---- the convergence test ----

// storeMessages lists (folder, message) pairs of the store's mail folders.
func (e *syncEnv) storeMessages(folders []prop.ID, fai bool) [][2]prop.ID {
	var out [][2]prop.ID
	for _, fid := range folders {
		rows, err := e.st.Contents(e.mb, fid, fai)
		if err != nil {
			continue
		}
		for _, r := range rows {
			out = append(out, [2]prop.ID{fid, r.ID})
		}
	}
	return out
}

// mailFolders are the replica's mail folders (the ones the test changes).
func (e *syncEnv) mailFolders() []prop.ID {
	var out []prop.ID
	for _, f := range e.replica().SortedFolders() {
		if f.Class == "IPF.Note" || f.Class == "" {
			out = append(out, f.ID)
		}
	}
	return out
}

func TestSyncConvergence(t *testing.T) {
	e := newSyncEnv(t)
	ctx := e.ctx
	rep := e.sync("first full sync")
	if rep.Folders < 15 || rep.Messages < 10 || rep.FAI < 3 || rep.FAIChanges != rep.FAI || rep.MessageChanges != rep.Messages {
		t.Fatalf("first sync: %s", rep)
	}
	if rep.NormalTotal != uint32(rep.Messages) || rep.FAITotal != uint32(rep.FAI) {
		t.Errorf("progressTotal announced %d normal and %d FAI messages for %d and %d", rep.NormalTotal, rep.FAITotal, rep.Messages, rep.FAI)
	}
	// Nothing changed: nothing comes down.
	if rep := e.sync("empty sync"); rep.MessageChanges+rep.FAIChanges+rep.FolderChanges+rep.Deletions+rep.ReadChanges != 0 {
		t.Fatalf("a sync with nothing changed: %s", rep)
	}

	seed := int64(20240611)
	if v := os.Getenv("MAPISCOPE_SYNC_SEED"); v != "" { // to explore other interleavings
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			t.Fatalf("MAPISCOPE_SYNC_SEED: %v", err)
		}
		seed = n
	}
	rng := rand.New(rand.NewSource(seed))
	drafts, err := e.st.SpecialFolder(e.mb, store.RoleDrafts)
	if err != nil {
		t.Fatal(err)
	}
	inbox := e.cli.logon.FolderIds[4]
	seq := 0
	subject := func(who string) string { seq++; return fmt.Sprintf("%s %d", who, seq) }
	totals := map[string]int{}
	did := func(op string, args ...any) {
		totals[op]++
		t.Logf("  %s %v", op, args)
	}
	for round := 1; round <= 30; round++ {
		what := fmt.Sprintf("round %d", round)
		r := e.replica()
		peerTouched := map[prop.ID]bool{}

		// Server-side changes by the other session.
		for k := rng.Intn(4); k >= 0; k-- {
			folders := e.mailFolders()
			msgs := e.storeMessages(folders, false)
			switch op := rng.Intn(8); {
			case op == 0 || len(msgs) == 0:
				fid := folders[rng.Intn(len(folders))]
				id, err := e.peer.createMessage(ctx, fid, rng.Intn(5) == 0, []prop.TaggedValue{{Tag: tagMessageClass, Value: "IPM.Note"},
					{Tag: tagSubject, Value: subject("peer new")}, {Tag: tagBody, Value: "from the peer\r\n"}})
				if err != nil {
					t.Fatal(err)
				}
				peerTouched[id] = true
				did("peer create", fid, id)
			case op == 1:
				m := msgs[rng.Intn(len(msgs))]
				e.peer.modify(t, ctx, m[0], m[1], []prop.TaggedValue{{Tag: tagSubject, Value: subject("peer edit")}})
				peerTouched[m[1]] = true
				did("peer modify", m[0], m[1])
			case op == 2:
				m := msgs[rng.Intn(len(msgs))]
				e.peer.delete(t, ctx, m[0], []prop.ID{m[1]})
				peerTouched[m[1]] = true
				did("peer delete", m[0], m[1])
			case op == 3:
				m := msgs[rng.Intn(len(msgs))]
				dst := folders[rng.Intn(len(folders))]
				if dst != m[0] {
					e.peer.move(t, ctx, m[0], dst, []prop.ID{m[1]})
					peerTouched[m[1]] = true
					did("peer move", m[0], m[1], dst)
				}
			case op == 4:
				m := msgs[rng.Intn(len(msgs))]
				if err := e.peer.setRead(ctx, m[0], []prop.ID{m[1]}, rng.Intn(2) == 0); err != nil {
					t.Fatal(err)
				}
				peerTouched[m[1]] = true
				did("peer read", m[0], m[1])
			case op == 5:
				e.peer.createFolder(t, ctx, inbox, subject("peer folder"))
				did("peer folder")
			case op == 6:
				s := subject("peer mail")
				e.peer.submit(t, ctx, drafts.ID, s)
				e.waitDelivery(inbox, s)
				did("peer submit", s)
			default:
				fm := e.storeMessages(folders, true)
				if len(fm) > 0 {
					m := fm[rng.Intn(len(fm))]
					e.peer.modify(t, ctx, m[0], m[1], []prop.TaggedValue{{Tag: tagSubject, Value: subject("peer fai edit")}})
					peerTouched[m[1]] = true
					did("peer fai modify", m[0], m[1])
				}
			}
		}

		// Client-side changes in the replica.
		for k := rng.Intn(4); k >= 0; k-- {
			folders := e.mailFolders()
			var msgs [][2]prop.ID
			for _, fid := range folders {
				for id := range r.Folders[fid].Messages {
					msgs = append(msgs, [2]prop.ID{fid, id})
				}
			}
			sort.Slice(msgs, func(i, j int) bool { return msgs[i][1] < msgs[j][1] })
			// A third of the time, a message the peer just changed: the
			// two sides meet on the same object.
			var hot [][2]prop.ID
			for _, m := range msgs {
				if peerTouched[m[1]] {
					hot = append(hot, m)
				}
			}
			if len(hot) > 0 && rng.Intn(3) == 0 {
				msgs = hot
			}
			switch op := rng.Intn(8); {
			case op == 0 || len(msgs) == 0:
				fid := folders[rng.Intn(len(folders))]
				c := randomContent(rng, subject("client new"))
				if _, err := r.CreateMessage(fid, rng.Intn(6) == 0, c); err != nil {
					t.Fatal(err)
				}
				did("client create", fid)
			case op == 1:
				m := msgs[rng.Intn(len(msgs))]
				if err := r.ModifyMessage(m[0], m[1], []Prop{{Tag: tagSubject, Value: subject("client edit")}}, nil); err != nil {
					t.Fatal(err)
				}
				did("client modify", m[0], m[1])
			case op == 2:
				m := msgs[rng.Intn(len(msgs))]
				if err := r.DeleteMessage(m[0], m[1]); err != nil {
					t.Fatal(err)
				}
				did("client delete", m[0], m[1])
			case op == 3:
				m := msgs[rng.Intn(len(msgs))]
				dst := folders[rng.Intn(len(folders))]
				if dst != m[0] {
					if _, err := r.MoveMessage(m[0], m[1], dst); err != nil {
						t.Fatal(err)
					}
					did("client move", m[0], m[1], dst)
				}
			case op == 4:
				m := msgs[rng.Intn(len(msgs))]
				if !r.Folders[m[0]].Messages[m[1]].FAI {
					if err := r.SetRead(m[0], m[1], !r.Folders[m[0]].Messages[m[1]].Read); err != nil {
						t.Fatal(err)
					}
					did("client read", m[0], m[1])
				}
			case op == 5:
				if _, err := r.CreateFolder(folders[rng.Intn(len(folders))], subject("client folder"), "IPF.Note"); err != nil {
					t.Fatal(err)
				}
				did("client folder")
			case op == 6:
				// Rename or delete a folder the test made.
				var mine []*Folder
				for _, f := range r.SortedFolders() {
					if strings.Contains(f.Name, " folder ") {
						mine = append(mine, f)
					}
				}
				if len(mine) > 0 {
					f := mine[rng.Intn(len(mine))]
					switch rng.Intn(3) {
					case 0:
						if err := r.RenameFolder(f.ID, subject("client renamed folder")); err != nil {
							t.Fatal(err)
						}
						did("client rename folder", f.ID)
					case 1:
						// Under another folder (not its own subtree).
						if dst := folders[rng.Intn(len(folders))]; r.MoveFolder(f.ID, dst) == nil {
							did("client move folder", f.ID, dst)
						}
					default:
						if err := r.DeleteFolder(f.ID); err != nil {
							t.Fatal(err)
						}
						did("client delete folder", f.ID)
					}
				}
			default:
				m := msgs[rng.Intn(len(msgs))]
				if err := r.ModifyMessage(m[0], m[1], []Prop{{Tag: tagBody, Value: subject("client body") + "\r\n"}}, []prop.Tag{0x10130102}); err != nil {
					t.Fatal(err)
				}
				did("client body", m[0], m[1])
			}
		}

		// What the client changed and the peer did not touch must be on
		// the server after the sync.
		want := e.pendingExpectations(peerTouched)
		rep := e.sync(what)
		t.Logf("%s: %s", what, rep)
		for _, c := range rep.Conflicts {
			t.Logf("  conflict %s", c)
		}
		for _, c := range rep.Failures {
			t.Logf("  refused %s", c)
			if !peerTouched[c.ID] && c.Kind != "folder-refused" {
				t.Errorf("%s: %s refused with no server-side change to it", what, c)
			}
		}
		e.checkExpectations(what, want)
		e.checkUnique(what)

		if round%10 == 0 {
			// The replica survives a save and a load.
			var buf bytes.Buffer
			if err := e.replica().Save(&buf); err != nil {
				t.Fatal(err)
			}
			loaded, err := LoadReplica(&buf)
			if err != nil {
				t.Fatal(err)
			}
			if d := CompareReplicas(loaded, e.replica()); len(d) > 0 {
				t.Fatalf("%s: reloaded replica differs: %v", what, d)
			}
			e.syncer = NewSyncer(e.cli.mb, e.cli.lh, e.cli.logon, loaded)
		}
	}
	t.Logf("operations: %v", totals)
	for _, op := range []string{"peer create", "peer modify", "peer delete", "peer move", "peer read", "peer submit",
		"client create", "client modify", "client delete", "client move", "client read", "client folder"} {
		if totals[op] == 0 {
			t.Errorf("the random rounds never did %q", op)
		}
	}
}

// randomContent is a message: sometimes with recipients, an attachment
// (sometimes large enough for several PutBuffers) and a named property.
func randomContent(rng *rand.Rand, subject string) Content {
	c := Content{Props: []Prop{{Tag: tagMessageClass, Value: "IPM.Note"}, {Tag: tagSubject, Value: subject},
		{Tag: tagBody, Value: "written in the replica\r\n"}, {Tag: tagMessageFlags, Value: int32(rng.Intn(2))}}}
	if rng.Intn(3) == 0 {
		c.Props = append(c.Props, Prop{Tag: prop.NewTag(0x8000, prop.PtypString),
			Name: &prop.PropertyName{Kind: prop.KindName, Guid: psPublicStrings, Name: "X-Mapiscope-Sync"}, Value: subject})
	}
	if rng.Intn(3) == 0 {
		c.Recipients = []Recipient{{Props: []Prop{{Tag: tagRowid, Value: int32(0)}, {Tag: tagRecipientType, Value: int32(1)},
			{Tag: tagDisplayName, Value: "Grace Hopper"}, {Tag: tagEmailAddress, Value: "grace@example.com"},
			{Tag: 0x3002001F, Value: "SMTP"}}}}
	}
	if rng.Intn(3) == 0 {
		n := 100 + rng.Intn(200)
		if rng.Intn(3) == 0 {
			n = 60000
		}
		c.Attachments = []Attachment{{Number: 0, Props: []Prop{{Tag: tagAttachMethod, Value: attachByValue},
			{Tag: tagAttachLongFilename, Value: "data.bin"}, {Tag: tagAttachDataBinary, Value: attachmentData(n)}}}}
	}
	return c
}

// psPublicStrings is PS_PUBLIC_STRINGS {00020329-0000-0000-C000-000000000046}.
var psPublicStrings = prop.GUID{0x29, 0x03, 0x02, 0x00, 0, 0, 0, 0, 0xC0, 0, 0, 0, 0, 0, 0, 0x46}

// expectation is a local change that must be on the server after a sync.
type expectation struct {
	folder prop.ID
	id     prop.ID
	ck     []byte
	read   bool
	gone   bool // deleted
}

// pendingExpectations lists the replica's pending changes to objects the
// peer did not touch.
func (e *syncEnv) pendingExpectations(peerTouched map[prop.ID]bool) []expectation {
	r := e.replica()
	var out []expectation
	// A message moved locally is the peer's business too when the peer
	// touched its source.
	touched := map[prop.ID]bool{}
	for id := range peerTouched {
		touched[id] = true
	}
	for _, f := range r.Folders {
		for _, mv := range f.Moves {
			if src, _ := r.ownID(mv.SourceMessageKey); touched[src] {
				touched[mv.ID] = true
			}
		}
	}
	peerTouched = touched
	for _, f := range r.Folders {
		for _, m := range f.Messages {
			if (m.Dirty || m.ReadDirty) && !peerTouched[m.ID] {
				out = append(out, expectation{folder: f.ID, id: m.ID, ck: m.ChangeKey, read: m.Read})
			}
		}
		for _, mv := range f.Moves {
			src, _ := r.ownID(mv.SourceMessageKey)
			if m := f.Messages[mv.ID]; m != nil && !peerTouched[src] {
				out = append(out, expectation{folder: f.ID, id: mv.ID, ck: m.ChangeKey, read: m.Read}, expectation{id: src, gone: true})
			}
		}
		for _, sk := range f.DeletedMessages {
			if id, ok := r.ownID(sk); ok && !peerTouched[id] {
				out = append(out, expectation{id: id, gone: true})
			}
		}
	}
	return out
}

func (e *syncEnv) checkExpectations(what string, want []expectation) {
	e.t.Helper()
	r := e.replica()
	for _, x := range want {
		fid, err := e.st.MessageFolder(e.mb, x.id)
		if x.gone {
			if err == nil {
				e.t.Errorf("%s: message %s deleted or moved away locally is still in folder %s on the server", what, x.id, fid)
			}
			continue
		}
		if _, ok := r.Folders[x.folder]; !ok {
			continue // its folder was deleted since
		}
		if err != nil || fid != x.folder {
			e.t.Errorf("%s: message %s changed locally in folder %s: on the server in %s (%v)", what, x.id, x.folder, fid, err)
			continue
		}
		m := r.Folders[x.folder].Messages[x.id]
		switch {
		case m == nil:
			e.t.Errorf("%s: message %s changed locally is not in the replica after the sync", what, x.id)
		case x.ck != nil && !bytes.Equal(m.ChangeKey, x.ck):
			e.t.Errorf("%s: message %s %q: the local change %s was lost: the version is %s", what, x.id, m.String(tagSubject), xidString(x.ck), xidString(m.ChangeKey))
		case m.Read != x.read:
			e.t.Errorf("%s: message %s %q: read %v locally, %v after the sync", what, x.id, m.String(tagSubject), x.read, m.Read)
		}
	}
}

// checkUnique checks that no message the test made exists twice.
func (e *syncEnv) checkUnique(what string) {
	e.t.Helper()
	seen := map[string]prop.ID{}
	for _, f := range e.replica().Folders {
		for _, m := range f.Messages {
			s := m.String(tagSubject)
			if !strings.Contains(s, "peer ") && !strings.Contains(s, "client ") {
				continue
			}
			if other, dup := seen[s]; dup && !strings.Contains(s, "peer mail") {
				e.t.Errorf("%s: %q is both message %s and %s", what, s, other, m.ID)
			}
			seen[s] = m.ID
		}
	}
}

// waitDelivery waits for a submitted message to reach the Inbox.
func (e *syncEnv) waitDelivery(inbox prop.ID, subject string) {
	e.t.Helper()
	for i := 0; i < 100; i++ {
		rows, err := e.st.Contents(e.mb, inbox, false)
		if err != nil {
			e.t.Fatal(err)
		}
		for _, r := range rows {
			if r.Props.String(store.TagSubject) == subject {
				return
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	e.t.Fatalf("%q was not delivered", subject)
}

// TestSyncConflicts makes both sides change the same message before a
// sync and checks what the replica ends with: what the server decided
// ([MS-OXCFXICS] 3.1.5.6), reported as a conflict or a refused import.
func TestSyncConflicts(t *testing.T) {
	e := newSyncEnv(t)
	ctx := e.ctx
	e.sync("first full sync")
	r := e.replica()
	inbox := e.cli.logon.FolderIds[4]
	projects, ok := r.FolderByName(inbox, "Projects")
	if !ok {
		t.Fatal("no Projects folder under the Inbox")
	}
	receipts, _ := r.FolderByName(inbox, "Receipts")
	n := 0
	// fresh creates a message through the peer and syncs it down.
	fresh := func(fid prop.ID, fai bool) prop.ID {
		n++
		id, err := e.peer.createMessage(ctx, fid, fai, []prop.TaggedValue{{Tag: tagMessageClass, Value: "IPM.Note"},
			{Tag: tagSubject, Value: fmt.Sprintf("original %d", n)}, {Tag: tagBody, Value: "original\r\n"}})
		if err != nil {
			t.Fatal(err)
		}
		e.sync("setup")
		return id
	}
	serverEdit := func(fid, id prop.ID, subject string) {
		e.peer.modify(t, ctx, fid, id, []prop.TaggedValue{{Tag: tagSubject, Value: subject}})
		time.Sleep(2 * time.Millisecond) // the later edit has the later PidTagLastModificationTime
	}
	clientEdit := func(fid, id prop.ID, subject string) {
		if err := r.ModifyMessage(fid, id, []Prop{{Tag: tagSubject, Value: subject}}, nil); err != nil {
			t.Fatal(err)
		}
		time.Sleep(2 * time.Millisecond)
	}
	conflictOf := func(rep *SyncReport, id prop.ID) string {
		for _, c := range rep.Conflicts {
			if c.ID == id {
				return c.Kind
			}
		}
		return ""
	}
	failureOf := func(rep *SyncReport, id prop.ID) string {
		for _, c := range rep.Failures {
			if c.ID == id {
				return c.Kind
			}
		}
		return ""
	}

	t.Run("edit-edit", func(t *testing.T) {
		id := fresh(projects.ID, false)
		serverEdit(projects.ID, id, "server version")
		clientEdit(projects.ID, id, "client version")
		rep := e.sync("edit-edit")
		if k := conflictOf(rep, id); k != "conflict-message" {
			t.Fatalf("conflict reported as %q (%v)", k, rep.Conflicts)
		}
		m := projects.Messages[id]
		st, _ := m.Prop(tagMessageStatus)
		if v, _ := st.(int32); uint32(v)&msgStatusInConflict == 0 {
			t.Error("the conflict resolve message has no msInConflict")
		}
		if m.String(tagSubject) != "client version" {
			t.Errorf("subject %q: the later edit (the client's) wins", m.String(tagSubject))
		}
		var versions []string
		for _, a := range m.Attachments {
			if v, _ := getProp(a.Props, tagInConflict); v == true && a.Embedded != nil {
				versions = append(versions, a.Embedded.String(tagSubject))
			}
		}
		sort.Strings(versions)
		if strings.Join(versions, ",") != "client version,server version" {
			t.Errorf("conflicting versions attached: %q", versions)
		}
		// The conflict message is an ordinary message from then on: a
		// local edit uploads it whole (with its attachments).
		clientEdit(projects.ID, id, "resolved by hand")
		if rep := e.sync("edit after conflict"); rep.Uploaded.Messages != 1 || len(rep.Conflicts) != 0 {
			t.Errorf("edit after the conflict: %s", rep)
		}
	})
	t.Run("edit-edit-fai-client-later", func(t *testing.T) {
		id := fresh(inbox, true)
		serverEdit(inbox, id, "server version")
		clientEdit(inbox, id, "client version")
		rep := e.sync("fai")
		if k := conflictOf(rep, id); k != "last-writer-wins" {
			t.Fatalf("conflict reported as %q", k)
		}
		m := r.Folders[inbox].Messages[id]
		if m.String(tagSubject) != "client version" || len(m.Attachments) != 0 {
			t.Errorf("FAI after last writer wins: %q with %d attachments", m.String(tagSubject), len(m.Attachments))
		}
	})
	t.Run("edit-edit-fai-server-later", func(t *testing.T) {
		id := fresh(inbox, true)
		clientEdit(inbox, id, "client version")
		serverEdit(inbox, id, "server version")
		rep := e.sync("fai")
		if k := conflictOf(rep, id); k != "last-writer-wins" {
			t.Fatalf("conflict reported as %q", k)
		}
		if m := r.Folders[inbox].Messages[id]; m.String(tagSubject) != "server version" {
			t.Errorf("FAI after last writer wins: %q, the server's edit is later", m.String(tagSubject))
		}
	})
	t.Run("server-delete-client-edit", func(t *testing.T) {
		id := fresh(projects.ID, false)
		e.peer.delete(t, ctx, projects.ID, []prop.ID{id})
		clientEdit(projects.ID, id, "client version")
		rep := e.sync("delete-edit")
		if k := failureOf(rep, id); k != "deleted-on-server" {
			t.Fatalf("reported as %q", k)
		}
		if _, ok := projects.Messages[id]; ok {
			t.Error("the message deleted on the server is still in the replica")
		}
	})
	t.Run("server-move-client-edit", func(t *testing.T) {
		id := fresh(projects.ID, false)
		e.peer.move(t, ctx, projects.ID, receipts.ID, []prop.ID{id})
		clientEdit(projects.ID, id, "client version")
		rep := e.sync("move-edit")
		if k := failureOf(rep, id); k != "deleted-on-server" {
			t.Fatalf("reported as %q", k)
		}
		found := false
		for _, m := range receipts.Messages {
			if m.String(tagSubject) == fmt.Sprintf("original %d", n) {
				found = true
			}
		}
		if !found {
			t.Error("the message the server moved is not in its new folder")
		}
	})
	t.Run("server-edit-client-move", func(t *testing.T) {
		id := fresh(projects.ID, false)
		serverEdit(projects.ID, id, "server version")
		nid, err := r.MoveMessage(projects.ID, id, receipts.ID)
		if err != nil {
			t.Fatal(err)
		}
		rep := e.sync("edit-move")
		if rep.Uploaded.Moves != 1 {
			t.Fatalf("move not uploaded: %s", rep)
		}
		m, ok := receipts.Messages[nid]
		if !ok || m.String(tagSubject) != "server version" {
			t.Errorf("moved message: %v %q; the server's newer version moves", ok, m.String(tagSubject))
		}
	})
	t.Run("server-delete-client-move", func(t *testing.T) {
		id := fresh(projects.ID, false)
		e.peer.delete(t, ctx, projects.ID, []prop.ID{id})
		nid, err := r.MoveMessage(projects.ID, id, receipts.ID)
		if err != nil {
			t.Fatal(err)
		}
		rep := e.sync("delete-move")
		if k := failureOf(rep, id); k != "move-failed" {
			t.Fatalf("reported as %q", k)
		}
		if _, ok := receipts.Messages[nid]; ok {
			t.Error("the message deleted on the server was moved in the replica")
		}
	})
	t.Run("read-unread", func(t *testing.T) {
		id := fresh(projects.ID, false)
		if err := e.peer.setRead(ctx, projects.ID, []prop.ID{id}, true); err != nil {
			t.Fatal(err)
		}
		if err := r.SetRead(projects.ID, id, true); err != nil {
			t.Fatal(err)
		}
		if err := r.SetRead(projects.ID, id, false); err != nil { // no change: not sent
			t.Fatal(err)
		}
		if err := r.SetRead(projects.ID, id, true); err != nil {
			t.Fatal(err)
		}
		e.sync("read-read")
		if !projects.Messages[id].Read {
			t.Error("read on both sides, unread after the sync")
		}
		if err := e.peer.setRead(ctx, projects.ID, []prop.ID{id}, false); err != nil {
			t.Fatal(err)
		}
		if err := r.SetRead(projects.ID, id, false); err != nil {
			t.Fatal(err)
		}
		e.sync("unread-unread")
		if projects.Messages[id].Read {
			t.Error("unread on both sides, read after the sync")
		}
	})
	t.Run("server-edit-client-delete", func(t *testing.T) {
		id := fresh(projects.ID, false)
		serverEdit(projects.ID, id, "server version")
		if err := r.DeleteMessage(projects.ID, id); err != nil {
			t.Fatal(err)
		}
		e.sync("edit-delete")
		if _, ok := projects.Messages[id]; ok {
			t.Error("deleted locally, back after the sync")
		}
	})
	t.Run("folder-rename-both", func(t *testing.T) {
		fid := e.peer.createFolder(t, ctx, inbox, "Both")
		e.sync("setup folder")
		b := &batch{}
		fo := b.out()
		b.add(&rop.OpenFolderRequest{RequestHeader: hdr(b.in(e.peer.lh)), OutputHandleIndex: fo, FolderId: fid})
		b.add(&rop.SetPropertiesRequest{RequestHeader: hdr(fo), PropertyValues: []prop.TaggedValue{{Tag: tagDisplayName, Value: "Server name"}}})
		b.add(&rop.ReleaseRequest{RequestHeader: hdr(fo)})
		e.peer.must(t, ctx, b)
		time.Sleep(2 * time.Millisecond)
		if err := r.RenameFolder(fid, "Client name"); err != nil {
			t.Fatal(err)
		}
		e.sync("folder rename")
		if f := r.Folders[fid]; f.Name != "Client name" {
			t.Errorf("folder renamed on both sides, the client later, is %q after the sync", f.Name)
		}
	})
}

func TestReplicaLocalChangeErrors(t *testing.T) {
	r := NewReplica()
	if _, err := r.CreateMessage(7, false, Content{}); err == nil {
		t.Error("a message created in a folder the replica does not have")
	}
	r.Folders[7] = &Folder{ID: 7, Name: "Inbox", Messages: map[prop.ID]*Message{}}
	r.Folders[8] = &Folder{ID: 8, Name: "Other", Messages: map[prop.ID]*Message{}}
	if _, err := r.CreateMessage(7, false, Content{}); !errors.Is(err, ErrNoLocalIDs) {
		t.Errorf("no reserved ids: %v", err)
	}
	r.ReplicaGUID, r.ReplID, r.NextLocal, r.LocalEnd = prop.GUID{1}, 1, 100, 102
	id, err := r.CreateMessage(7, true, Content{Props: []Prop{{Tag: tagSubject, Value: "x"}, {Tag: tagMessageFlags, Value: int32(1)}}})
	if err != nil {
		t.Fatal(err)
	}
	m := r.Folders[7].Messages[id]
	if id != prop.MakeID(1, 100) || !m.New || !m.Dirty || m.Read || !pclIncludes(m.PCL, m.ChangeKey) {
		t.Errorf("new FAI message: id %s %+v", id, m)
	}
	for name, err := range map[string]error{
		"modify unknown":   r.ModifyMessage(7, 999, nil, nil),
		"read of FAI":      r.SetRead(7, id, true),
		"delete unknown":   r.DeleteMessage(8, id),
		"rename unknown":   r.RenameFolder(99, "x"),
		"delete folder 99": r.DeleteFolder(99),
	} {
		if err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if _, err := r.MoveMessage(7, id, 7); err == nil {
		t.Error("a move into the same folder")
	}
	if _, err := r.CreateFolder(7, "", ""); err == nil {
		t.Error("a folder without a name")
	}
	if _, err := r.CreateFolder(7, "Sub", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := r.CreateFolder(7, "Sub", ""); err == nil {
		t.Error("two folders of one name under one parent")
	}
	if _, err := r.CreateFolder(7, "Third", ""); !errors.Is(err, ErrNoLocalIDs) {
		t.Errorf("ids used up: %v", err)
	}
}

func TestReplicaSaveLoad(t *testing.T) {
	named := prop.PropertyName{Kind: prop.KindLID, Guid: psPublicStrings, LID: 0x8501}
	props := []Prop{
		{Tag: tagSubject, Value: "héllo"},
		{Tag: tagMessageFlags, Value: int32(5)},
		{Tag: 0x0E1B000B, Value: true},
		{Tag: 0x30070040, Value: prop.Filetime(133000000000000000)},
		{Tag: tagAttachDataBinary, Value: []byte{0, 1, 2}},
		{Tag: 0x8001101F, Name: &named, Value: []string{"a", "b"}},
		{Tag: 0x00140014, Value: int64(-3)},
	}
	r := NewReplica()
	r.Root, r.ReplID = 3, 1
	r.Folders[5] = &Folder{ID: 5, Parent: 3, Name: "Inbox", Messages: map[prop.ID]*Message{
		9: {ID: 9, ChangeKey: []byte{1}, Content: Content{Props: props,
			Attachments: []Attachment{{Number: 0, Props: props[:2], Embedded: &Content{Props: props[2:]}}}}},
	}, State: State{IdsetGiven: r.idSet(9)}}
	var buf bytes.Buffer
	if err := r.Save(&buf); err != nil {
		t.Fatal(err)
	}
	saved := buf.String()
	got, err := LoadReplica(strings.NewReader(saved))
	if err != nil {
		t.Fatal(err)
	}
	if d := CompareReplicas(got, r); len(d) > 0 {
		t.Fatalf("reloaded: %v", d)
	}
	if !got.Folders[5].State.IdsetGiven.Equal(r.Folders[5].State.IdsetGiven) {
		t.Error("the ICS state did not survive")
	}
	// Broken input gives errors, never a panic.
	for name, in := range map[string]string{
		"not json":       "{",
		"null folder":    `{"Folders":{"5":null}}`,
		"wrong key":      `{"Folders":{"5":{"ID":6}}}`,
		"null message":   `{"Folders":{"5":{"ID":5,"Messages":{"9":null}}}}`,
		"bad prop":       `{"Folders":{"5":{"ID":5,"Props":["!!"]}}}`,
		"two props":      `{"Folders":{"5":{"ID":5,"Props":["` + twoAtoms(t) + `"]}}}`,
		"truncated prop": `{"Folders":{"5":{"ID":5,"Props":["HwA3AAoAAAA="]}}}`,
	} {
		if _, err := LoadReplica(strings.NewReader(in)); err == nil {
			t.Errorf("%s: loaded", name)
		}
	}
}

// twoAtoms is the base64 of two propValues where one is expected.
func twoAtoms(t *testing.T) string {
	w := fxics.NewWriter(nil)
	w.Prop(tagSubject, "a")
	w.Prop(tagSubject, "b")
	if w.Err() != nil {
		t.Fatal(w.Err())
	}
	return base64.StdEncoding.EncodeToString(w.Bytes())
}

func TestPCL(t *testing.T) {
	a, b := prop.GUID{1}, prop.GUID{2}
	x := func(g prop.GUID, n uint64) []byte { return fxics.NewXID(g, n).Bytes() }
	pcl := mergePCL(pclOf(x(a, 5)), pclOf(x(b, 2)), pclOf(x(a, 3)))
	switch {
	case !pclIncludes(pcl, x(a, 5)) || !pclIncludes(pcl, x(a, 4)) || !pclIncludes(pcl, x(b, 2)):
		t.Errorf("merged %x lacks a version it includes", pcl)
	case pclIncludes(pcl, x(a, 6)) || pclIncludes(pcl, x(prop.GUID{3}, 1)) || pclIncludes(pcl, []byte{1, 2}):
		t.Errorf("merged %x includes a version it does not", pcl)
	case !samePCL(pcl, mergePCL(pclOf(x(b, 2)), pclOf(x(a, 5)))) || samePCL(pcl, pclOf(x(a, 5))):
		t.Error("samePCL")
	}
}

// FuzzLoadReplica: any input loads or fails, never panics, and what
// loads saves again.
func FuzzLoadReplica(f *testing.F) {
	r := NewReplica()
	r.Folders[5] = &Folder{ID: 5, Name: "Inbox", Props: []Prop{{Tag: tagSubject, Value: "x"}}, Messages: map[prop.ID]*Message{
		9: {ID: 9, Content: Content{Props: []Prop{{Tag: tagSubject, Value: "s"}}}}}}
	var buf bytes.Buffer
	if err := r.Save(&buf); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes())
	f.Add([]byte(`{"Folders":{"5":{"ID":5,"Messages":{"9":{"ID":9,"Props":["HwA3AAQAAABhAAAA"]}}}}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := LoadReplica(bytes.NewReader(b))
		if err != nil {
			return
		}
		var out bytes.Buffer
		if err := r.Save(&out); err != nil {
			t.Fatalf("a loaded replica does not save: %v", err)
		}
	})
}

// BenchmarkSyncFull measures a first full synchronization of a mailbox
// of 300 messages of about 8 KB (MB/s of FastTransfer stream).
func BenchmarkSyncFull(b *testing.B) {
	url, st, mb := syncServer(b)
	inbox, err := st.SpecialFolder(mb, store.RoleInbox)
	if err != nil {
		b.Fatal(err)
	}
	body := strings.Repeat("All work and no play makes a dull message. ", 190)
	for i := 0; i < 300; i++ {
		m, err := st.CreateMessage(mb, inbox.ID, false)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := m.SetProps([]prop.TaggedValue{{Tag: tagMessageClass, Value: "IPM.Note"},
			{Tag: tagSubject, Value: fmt.Sprintf("bench %d", i)}, {Tag: tagBody, Value: body}}); err != nil {
			b.Fatal(err)
		}
		if err := m.SaveChanges(false); err != nil {
			b.Fatal(err)
		}
	}
	ctx := context.Background()
	cfg := Config{Email: testEmail, Password: testPassword}
	d, err := Autodiscover(ctx, url, cfg)
	if err != nil {
		b.Fatal(err)
	}
	p, err := openPeer(ctx, d.MailStoreURL, d.LegacyDN, cfg)
	if err != nil {
		b.Fatal(err)
	}
	defer p.close(ctx)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s := NewSyncer(p.mb, p.lh, p.logon, NewReplica())
		rep, err := s.Sync(ctx)
		if err != nil {
			b.Fatal(err)
		}
		b.SetBytes(rep.StreamBytes)
	}
}

// TestSyncLargeState uploads ICS states too large for one Execute: the
// state streams go a chunk an Execute (RopSynchronizationUploadState-
// StreamContinue), for a download and for an upload context.
func TestSyncLargeState(t *testing.T) {
	e := newSyncEnv(t)
	e.sync("first full sync")
	r := e.replica()
	inbox := r.Folders[e.cli.logon.FolderIds[4]]
	// Ids and change numbers far above any the server handed out, spread
	// out so that no bitmask packs them: well over 64 KB serialized.
	rs := make([]fxics.Range, 20000)
	for i := range rs {
		gc := uint64(1)<<40 + uint64(i)*70001
		rs[i] = fxics.Range{Low: gc, High: gc}
	}
	bogus := fxics.IDSet{{ReplGUID: r.ReplicaGUID, HasGUID: true, Ranges: rs}}
	if n := len(bogus.Encode(true)); n < 0x10000 {
		t.Fatalf("the bogus set is only %d bytes", n)
	}
	inbox.State.IdsetGiven = fxics.Union(inbox.State.IdsetGiven, bogus)
	inbox.State.CnsetRead = fxics.Union(inbox.State.CnsetRead, bogus)
	if _, err := r.CreateMessage(inbox.ID, false, Content{Props: []Prop{{Tag: tagSubject, Value: "large state"}}}); err != nil {
		t.Fatal(err)
	}
	rep := e.sync("large state")
	if rep.Uploaded.Messages != 1 || rep.Deletions != 0 {
		t.Fatalf("large state: %s", rep)
	}
	// The server reported the ids it does not have as deleted: they left
	// IdsetGiven.
	if fxics.Intersect(inbox.State.IdsetGiven, bogus).Count() != 0 {
		t.Error("ids the folder never had are still in its IdsetGiven")
	}
}

// TestSyncLocalChains chains local changes on one object before a sync.
func TestSyncLocalChains(t *testing.T) {
	e := newSyncEnv(t)
	e.sync("first full sync")
	r := e.replica()
	inbox := e.cli.logon.FolderIds[4]
	projects, _ := r.FolderByName(inbox, "Projects")
	receipts, _ := r.FolderByName(inbox, "Receipts")
	news, _ := r.FolderByName(inbox, "Newsletters")
	anyMessage := func(f *Folder) prop.ID {
		for id, m := range f.Messages {
			if !m.FAI {
				return id
			}
		}
		t.Fatalf("no message in %q", f.Name)
		return 0
	}
	gone := func(id prop.ID) {
		t.Helper()
		if fid, err := e.st.MessageFolder(e.mb, id); err == nil {
			t.Errorf("message %s is still in folder %s on the server", id, fid)
		}
	}

	t.Run("move-then-delete", func(t *testing.T) {
		id := anyMessage(r.Folders[inbox])
		nid, err := r.MoveMessage(inbox, id, projects.ID)
		if err != nil {
			t.Fatal(err)
		}
		if err := r.DeleteMessage(projects.ID, nid); err != nil {
			t.Fatal(err)
		}
		e.sync("move-then-delete")
		gone(id)
		gone(nid)
	})
	t.Run("move-twice", func(t *testing.T) {
		id := anyMessage(projects)
		subject := projects.Messages[id].String(tagSubject)
		mid, err := r.MoveMessage(projects.ID, id, receipts.ID)
		if err != nil {
			t.Fatal(err)
		}
		nid, err := r.MoveMessage(receipts.ID, mid, news.ID)
		if err != nil {
			t.Fatal(err)
		}
		rep := e.sync("move-twice")
		if rep.Uploaded.Moves != 1 {
			t.Errorf("%d moves uploaded for a message moved twice", rep.Uploaded.Moves)
		}
		gone(id)
		if m := news.Messages[nid]; m == nil || m.String(tagSubject) != subject {
			t.Errorf("the message moved twice is not in its last folder")
		}
	})
	t.Run("new-folder", func(t *testing.T) {
		fid, err := r.CreateFolder(inbox, "Offline", "IPF.Note")
		if err != nil {
			t.Fatal(err)
		}
		sub, err := r.CreateFolder(fid, "Offline child", "IPF.Note")
		if err != nil {
			t.Fatal(err)
		}
		id := anyMessage(receipts)
		nid, err := r.MoveMessage(receipts.ID, id, sub)
		if err != nil {
			t.Fatal(err)
		}
		mid, err := r.CreateMessage(fid, false, Content{Props: []Prop{{Tag: tagSubject, Value: "made offline"}}})
		if err != nil {
			t.Fatal(err)
		}
		if err := r.RenameFolder(fid, "Offline renamed"); err != nil {
			t.Fatal(err)
		}
		rep := e.sync("new-folder")
		if rep.Uploaded.Folders != 2 || rep.Uploaded.Moves != 1 || rep.Uploaded.Messages != 1 {
			t.Errorf("uploaded %+v", rep.Uploaded)
		}
		if f, err := e.st.MessageFolder(e.mb, nid); err != nil || f != sub {
			t.Errorf("moved into a new folder: in %s (%v)", f, err)
		}
		if f, err := e.st.MessageFolder(e.mb, mid); err != nil || f != fid {
			t.Errorf("created in a new folder: in %s (%v)", f, err)
		}

		// Move a message in, then delete the folder: the message goes.
		id = anyMessage(news)
		if _, err := r.MoveMessage(news.ID, id, sub); err != nil {
			t.Fatal(err)
		}
		if err := r.DeleteFolder(fid); err != nil {
			t.Fatal(err)
		}
		e.sync("delete-folder")
		gone(id)
		gone(nid)
		if _, err := e.st.Folder(e.mb, sub); err == nil {
			t.Error("the deleted folder's subfolder is still on the server")
		}
	})
	t.Run("move-folder", func(t *testing.T) {
		fid, err := r.CreateFolder(inbox, "Mover", "IPF.Note")
		if err != nil {
			t.Fatal(err)
		}
		e.sync("create mover")
		if err := r.MoveFolder(fid, projects.ID); err != nil {
			t.Fatal(err)
		}
		if err := r.MoveFolder(projects.ID, fid); err == nil {
			t.Error("a folder moved under its own subfolder")
		}
		e.sync("move folder")
		if f, err := e.st.Folder(e.mb, fid); err != nil || f.Parent != projects.ID {
			t.Errorf("moved folder: %+v %v", f, err)
		}
	})
	t.Run("folder-created-and-deleted-offline", func(t *testing.T) {
		fid, err := r.CreateFolder(inbox, "Ephemeral", "IPF.Note")
		if err != nil {
			t.Fatal(err)
		}
		id := anyMessage(r.Folders[inbox])
		if _, err := r.MoveMessage(inbox, id, fid); err != nil {
			t.Fatal(err)
		}
		if err := r.DeleteFolder(fid); err != nil {
			t.Fatal(err)
		}
		rep := e.sync("ephemeral")
		if rep.Uploaded.Folders != 0 || rep.Uploaded.Deletes != 1 {
			t.Errorf("uploaded %+v", rep.Uploaded)
		}
		gone(id)
	})
}

package store

import (
	"bytes"
	"database/sql"
	"errors"
	"io"
	"math/rand"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/mapiscope/mapiscope/decode/prop"
)

func detOptions() Options {
	t0 := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	n := 0
	return Options{
		Clock: func() time.Time { n++; return t0.Add(time.Duration(n) * time.Second) },
		Rand:  rand.New(rand.NewSource(42)),
	}
}

func newStore(t testing.TB) *Store {
	t.Helper()
	s, err := Open(filepath.Join(t.TempDir(), "store.db"), detOptions())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func newMailbox(t testing.TB, s *Store, email string) *Mailbox {
	t.Helper()
	mb, err := s.CreateMailbox(email, "User "+email)
	if err != nil {
		t.Fatal(err)
	}
	return mb
}

func special(t testing.TB, s *Store, mb *Mailbox, r Role) prop.ID {
	t.Helper()
	f, err := s.SpecialFolder(mb, r)
	if err != nil {
		t.Fatalf("special folder %d: %v", r, err)
	}
	return f.ID
}

func wantErr(t *testing.T, err error, want prop.ErrorCode) {
	t.Helper()
	var code prop.ErrorCode
	if !errors.As(err, &code) || code != want {
		t.Fatalf("err = %v, want %v", err, want)
	}
}

func TestMailboxSpecialFolders(t *testing.T) {
	s := newStore(t)
	mb := newMailbox(t, s, "alice@example.com")
	if mb.LegacyDN != LegacyDNPrefix+"alice" {
		t.Errorf("legacy DN %q", mb.LegacyDN)
	}
	ids, err := s.LogonFolderIDs(mb)
	if err != nil {
		t.Fatal(err)
	}
	for i, id := range ids {
		if id.ReplicaId() != 1 || id.GlobalCounter() != uint64(i+1) {
			t.Errorf("logon folder %d = %v, want 0001-%012X", i, id, i+1)
		}
	}
	root, _ := s.Hierarchy(mb, ids[0], true)
	names := map[string]int{}
	for _, r := range root {
		names[r.Folder.Name] = r.Depth
	}
	for _, n := range []string{"Top of Information Store", "Inbox", "Outbox", "Sent Items", "Deleted Items", "Drafts", "Calendar",
		"Contacts", "Journal", "Notes", "Tasks", "Common Views", "Views", "Finder", "Deferred Action", "Spooler Queue",
		"Shortcuts", "Schedule", "Sync Issues", "Conflicts", "Local Failures", "Server Failures", "Junk E-mail"} {
		if _, ok := names[n]; !ok {
			t.Errorf("missing special folder %q", n)
		}
	}
	if names["Conflicts"] != 2 || names["Inbox"] != 1 || names["Finder"] != 0 {
		t.Errorf("depths: %v", names)
	}
	p, err := s.FolderProps(mb, special(t, s, mb, RoleCalendar))
	if err != nil {
		t.Fatal(err)
	}
	if p.String(TagContainerClass) != "IPF.Appointment" || p.Int32(TagFolderType) != int32(FolderGeneric) {
		t.Errorf("calendar props %v", p.List())
	}
	rp, _ := s.FolderProps(mb, ids[0])
	if rp.Int32(TagFolderType) != int32(FolderRoot) {
		t.Error("root folder type")
	}
	if v, _ := rp.Get(TagSubfolders); v != true {
		t.Error("root has no PidTagSubfolders")
	}
	sk, _ := p.Get(TagSourceKey)
	if g, c, ok := ParseXID(sk.([]byte)); !ok || g != mb.ReplicaGUID || c != special(t, s, mb, RoleCalendar).GlobalCounter() {
		t.Errorf("source key %x", sk)
	}
	// a second mailbox has its own ids and GUIDs
	mb2 := newMailbox(t, s, "bob@example.com")
	if mb2.ReplicaGUID == mb.ReplicaGUID || mb2.MailboxGUID == mb.MailboxGUID {
		t.Error("GUIDs shared between mailboxes")
	}
	if _, err := s.CreateMailbox("ALICE@example.com", "x"); err == nil {
		t.Error("duplicate mailbox accepted")
	}
	if got, err := s.MailboxByLegacyDN(mb.LegacyDN); err != nil || got.ID != mb.ID {
		t.Errorf("by DN: %v %v", got, err)
	}
}

func TestReplicaIDs(t *testing.T) {
	s := newStore(t)
	mb := newMailbox(t, s, "a@x")
	if g, _ := s.ReplGUID(mb, 1); g != mb.ReplicaGUID {
		t.Error("REPLID 1")
	}
	if id, _ := s.ReplID(mb, mb.ReplicaGUID); id != 1 {
		t.Errorf("ReplID(own) = %d", id)
	}
	g := prop.GUID{1, 2, 3}
	id1, _ := s.ReplID(mb, g)
	id2, _ := s.ReplID(mb, g)
	id3, _ := s.ReplID(mb, prop.GUID{9})
	if id1 != id2 || id1 < 6 || id3 != id1+1 {
		t.Errorf("replids %d %d %d", id1, id2, id3)
	}
	if back, _ := s.ReplGUID(mb, id1); back != g {
		t.Error("round trip")
	}
	last, _ := s.LastChangeNumber(mb)
	guid, first, err := s.LocalReplicaIDs(mb, 0x10000)
	if err != nil || guid != mb.ReplicaGUID || uint64(first) != last+1 {
		t.Errorf("local replica ids: %v %d %v (last %d)", guid, first, err, last)
	}
	f, _, _ := s.CreateFolder(mb, special(t, s, mb, RoleInbox), "After", FolderGeneric, nil, false)
	if f.ID.GlobalCounter() != last+1+0x10000 {
		t.Errorf("after reservation: %v", f.ID)
	}
}

func TestFolderCRUD(t *testing.T) {
	s := newStore(t)
	mb := newMailbox(t, s, "a@x")
	inbox := special(t, s, mb, RoleInbox)
	a, existed, err := s.CreateFolder(mb, inbox, "Projects", FolderGeneric, []prop.TaggedValue{{Tag: TagComment, Value: "work"}}, false)
	if err != nil || existed {
		t.Fatal(err)
	}
	if a.ID.ReplicaId() != 1 {
		t.Error("replid")
	}
	_, _, err = s.CreateFolder(mb, inbox, "projects", FolderGeneric, nil, false)
	wantErr(t, err, ErrDuplicateName)
	again, existed, err := s.CreateFolder(mb, inbox, "PROJECTS", FolderGeneric, nil, true)
	if err != nil || !existed || again.ID != a.ID {
		t.Fatalf("open existing: %v %v", again, err)
	}
	b, _, _ := s.CreateFolder(mb, a.ID, "Sub", FolderGeneric, nil, false)
	if b.ID.GlobalCounter() <= a.ID.GlobalCounter() {
		t.Error("ids not increasing")
	}
	p, _ := s.FolderProps(mb, a.ID)
	if p.String(TagComment) != "work" || p.String(TagDisplayName) != "Projects" {
		t.Errorf("props %v", p.List())
	}
	if v, _ := p.Get(TagSubfolders); v != true {
		t.Error("subfolders")
	}
	rows, _ := s.Hierarchy(mb, inbox, false)
	if len(rows) != 1 {
		t.Errorf("shallow hierarchy %d rows", len(rows))
	}
	rows, _ = s.Hierarchy(mb, inbox, true)
	if len(rows) != 2 || rows[1].Depth != 1 {
		t.Errorf("deep hierarchy %+v", rows)
	}
	// rename and change number
	cn := a.ChangeNumber
	if _, err := s.SetFolderProps(mb, a.ID, []prop.TaggedValue{{Tag: TagDisplayName, Value: "Work"}}); err != nil {
		t.Fatal(err)
	}
	a2, _ := s.Folder(mb, a.ID)
	if a2.Name != "Work" || a2.ChangeNumber <= cn {
		t.Errorf("after rename %+v", a2)
	}
	// delete non-empty
	wantErr(t, s.DeleteFolder(mb, a.ID, 0), ErrFolderHasChildren)
	m, _ := s.CreateMessage(mb, b.ID, false)
	m.SaveChanges(false)
	wantErr(t, s.DeleteFolder(mb, b.ID, 0), ErrFolderHasContents)
	wantErr(t, s.DeleteFolder(mb, inbox, DelFolders|DelMessages), ErrAccessDenied)
	// move and copy
	drafts := special(t, s, mb, RoleDrafts)
	if err := s.MoveFolder(mb, b.ID, drafts, ""); err != nil {
		t.Fatal(err)
	}
	if err := s.MoveFolder(mb, a.ID, a.ID, ""); err == nil {
		t.Error("moved into itself")
	}
	cid, err := s.CopyFolder(mb, b.ID, inbox, "Sub copy", true)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := s.FolderCounts(mb, cid)
	if c.Content != 1 {
		t.Errorf("copied folder counts %+v", c)
	}
	if err := s.DeleteFolder(mb, b.ID, DelMessages|DelFolders); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Folder(mb, b.ID); err != ErrNotFound {
		t.Errorf("deleted folder still there: %v", err)
	}
	ts, _ := s.Tombstones(mb, drafts, 0)
	if len(ts) != 1 || !ts[0].IsFolder || ts[0].ID != b.ID {
		t.Errorf("folder tombstones %+v", ts)
	}
	// empty folder
	if err := s.EmptyFolder(mb, inbox, true, true); err != nil {
		t.Fatal(err)
	}
	rows, _ = s.Hierarchy(mb, inbox, false)
	if len(rows) != 0 {
		t.Errorf("inbox not empty: %d", len(rows))
	}
}

// allTypes is one value of every storable property type.
func allTypes() []prop.TaggedValue {
	g := prop.GUID{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}
	r := &prop.Restriction{RestrictType: prop.RestrictExist, PropTag: TagSubject}
	ra := &prop.RuleActions{Actions: []prop.ActionBlock{prop.MarkAsReadAction()}}
	vals := []any{
		int16(-2), int32(-3), float32(1.5), float64(2.25), prop.Currency(12345), prop.FloatingTime(45000.5),
		prop.ErrorCode(0x8004010F), true, int64(-1 << 40), "ansi text", "Ünïcode ✓", prop.Filetime(133000000000000000),
		g, prop.ServerID{1, 0, 1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, r, ra, []byte{0, 1, 2, 0xFF},
		[]int16{1, -1}, []int32{1, 2, 3}, []float32{0.5}, []float64{1, 2}, []prop.Currency{1, 2}, []prop.FloatingTime{3},
		[]int64{1 << 50}, []string{"a", "b"}, []string{"ü", "✓"}, []prop.Filetime{1, 2}, []prop.GUID{g, {}},
		[][]byte{{1}, {}, {2, 3}}, []byte{0xAA, 0xBB},
	}
	types := []prop.Type{
		prop.PtypInteger16, prop.PtypInteger32, prop.PtypFloating32, prop.PtypFloating64, prop.PtypCurrency, prop.PtypFloatingTime,
		prop.PtypErrorCode, prop.PtypBoolean, prop.PtypInteger64, prop.PtypString8, prop.PtypString, prop.PtypTime,
		prop.PtypGuid, prop.PtypServerId, prop.PtypRestriction, prop.PtypRuleAction, prop.PtypBinary,
		prop.PtypMultipleInteger16, prop.PtypMultipleInteger32, prop.PtypMultipleFloating32, prop.PtypMultipleFloating64,
		prop.PtypMultipleCurrency, prop.PtypMultipleFloatingTime, prop.PtypMultipleInteger64, prop.PtypMultipleString8,
		prop.PtypMultipleString, prop.PtypMultipleTime, prop.PtypMultipleGuid, prop.PtypMultipleBinary, prop.PtypObject,
	}
	var out []prop.TaggedValue
	for i, t := range types {
		out = append(out, prop.TaggedValue{Tag: prop.NewTag(uint16(0x6600+i), t), Value: vals[i]})
	}
	return out
}

func TestMessageAllTypesRoundTrip(t *testing.T) {
	s := newStore(t)
	mb := newMailbox(t, s, "a@x")
	inbox := special(t, s, mb, RoleInbox)
	m, err := s.CreateMessage(mb, inbox, false)
	if err != nil {
		t.Fatal(err)
	}
	vals := allTypes()
	if probs, err := m.SetProps(vals); err != nil || len(probs) != 0 {
		t.Fatalf("set: %v %v", probs, err)
	}
	if err := m.SaveChanges(false); err != nil {
		t.Fatal(err)
	}
	m2, err := s.OpenMessage(mb, inbox, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, tv := range vals {
		got, ok := m2.Prop(tv.Tag)
		if !ok || !reflect.DeepEqual(got, tv.Value) {
			t.Errorf("%v: got %#v, want %#v", tv.Tag, got, tv.Value)
		}
	}
	// String8/String coercion and PtypUnspecified lookups
	if v, ok := m2.Prop(prop.NewTag(0x6609, prop.PtypString)); !ok || v != "ansi text" {
		t.Errorf("coercion: %v", v)
	}
	if _, ok := m2.Prop(prop.NewTag(0x6601, prop.PtypUnspecified)); !ok {
		t.Error("unspecified lookup")
	}
	if probs, _ := m2.SetProps([]prop.TaggedValue{{Tag: TagMid, Value: int64(1)}, {Tag: prop.NewTag(0x6700, prop.PtypInteger32), Value: "wrong"}}); len(probs) != 2 {
		t.Errorf("problems %v", probs)
	}
}

func TestChangeNumbersAndKeys(t *testing.T) {
	s := newStore(t)
	mb := newMailbox(t, s, "a@x")
	inbox := special(t, s, mb, RoleInbox)
	m, _ := s.CreateMessage(mb, inbox, false)
	sk, _ := m.Prop(TagSourceKey)
	if _, c, _ := ParseXID(sk.([]byte)); c != m.ID.GlobalCounter() {
		t.Error("source key at creation")
	}
	m.SetProps([]prop.TaggedValue{{Tag: TagSubject, Value: "v1"}})
	if err := m.SaveChanges(false); err != nil {
		t.Fatal(err)
	}
	ck1, _ := m.Prop(TagChangeKey)
	cn1 := m.cn
	m.SetProps([]prop.TaggedValue{{Tag: TagSubject, Value: "v2"}})
	if err := m.SaveChanges(false); err != nil {
		t.Fatal(err)
	}
	ck2, _ := m.Prop(TagChangeKey)
	if m.cn <= cn1 || bytes.Equal(ck1.([]byte), ck2.([]byte)) {
		t.Errorf("change number %d -> %d", cn1, m.cn)
	}
	g, c, _ := ParseXID(ck2.([]byte))
	if g != mb.ReplicaGUID || c != m.cn {
		t.Errorf("change key %x", ck2)
	}
	pcl, _ := m.Prop(TagPredecessorChangeList)
	want := append([]byte{22}, ck2.([]byte)...)
	if !bytes.Equal(pcl.([]byte), want) {
		t.Errorf("PCL %x, want %x", pcl, want)
	}
	// a foreign change key is kept in the PCL
	foreign := XID(prop.GUID{0xEE}, 7)
	m.SetProps([]prop.TaggedValue{{Tag: TagPredecessorChangeList, Value: UpdatePCL(pcl.([]byte), foreign)}})
	m.SaveChanges(false)
	pcl, _ = m.Prop(TagPredecessorChangeList)
	if len(pcl.([]byte)) != 46 {
		t.Errorf("PCL with two entries: %x", pcl)
	}
	// concurrent modification
	other, _ := s.OpenMessage(mb, inbox, m.ID)
	other.SaveChanges(false)
	wantErr(t, m.SaveChanges(false), ErrObjectModified)
	if err := m.SaveChanges(true); err != nil {
		t.Error(err)
	}
	lm, _ := m.Prop(TagLastModificationTime)
	if lm.(prop.Filetime) == 0 {
		t.Error("no last modification time")
	}
}

func TestFAICountsAndReadState(t *testing.T) {
	s := newStore(t)
	mb := newMailbox(t, s, "a@x")
	inbox := special(t, s, mb, RoleInbox)
	var mids []prop.ID
	for i := 0; i < 3; i++ {
		m, _ := s.CreateMessage(mb, inbox, false)
		m.SaveChanges(false)
		mids = append(mids, m.ID)
	}
	fai, _ := s.CreateMessage(mb, inbox, true)
	fai.SetProps([]prop.TaggedValue{{Tag: TagMessageClass, Value: "IPM.Configuration.Test"}})
	fai.SaveChanges(false)
	c, _ := s.FolderCounts(mb, inbox)
	if c.Content != 3 || c.Associated != 1 || c.Unread != 3 {
		t.Errorf("counts %+v", c)
	}
	if changed, _ := s.SetReadFlag(mb, mids[0], true); !changed {
		t.Error("read flag not changed")
	}
	if changed, _ := s.SetReadFlag(mb, mids[0], true); changed {
		t.Error("read flag changed twice")
	}
	c, _ = s.FolderCounts(mb, inbox)
	if c.Unread != 2 {
		t.Errorf("unread %d", c.Unread)
	}
	rows, _ := s.Contents(mb, inbox, false)
	if len(rows) != 3 || uint32(rows[0].Props.Int32(TagMessageFlags))&MsgFlagRead == 0 || rows[0].ReadCN <= rows[1].ReadCN {
		t.Errorf("contents %+v", rows[0])
	}
	frows, _ := s.Contents(mb, inbox, true)
	if len(frows) != 1 || uint32(frows[0].Props.Int32(TagMessageFlags))&MsgFlagAssociated == 0 {
		t.Errorf("FAI rows %+v", frows)
	}
	p, _ := s.FolderProps(mb, inbox)
	if p.Int32(TagContentCount) != 3 || p.Int32(TagAssociatedContentCount) != 1 || p.Int32(TagContentUnreadCount) != 2 {
		t.Errorf("folder props counts %v", p.List())
	}
}

func TestRecipientsAttachmentsEmbedded(t *testing.T) {
	s := newStore(t)
	mb := newMailbox(t, s, "a@x")
	inbox := special(t, s, mb, RoleInbox)
	m, _ := s.CreateMessage(mb, inbox, false)
	m.ModifyRecipients([]Recipient{
		{RowID: 0, Type: RecipTo, Props: Props{TagDisplayName.ID(): {Tag: TagDisplayName, Value: "Bob"}}},
		{RowID: 1, Type: RecipCc, Props: Props{TagDisplayName.ID(): {Tag: TagDisplayName, Value: "Carol"}}},
		{RowID: 2, Type: RecipBcc, Props: Props{TagDisplayName.ID(): {Tag: TagDisplayName, Value: "Dan"}}},
	})
	m.ModifyRecipients([]Recipient{{RowID: 1}}) // remove Carol
	a, _ := m.CreateAttachment()
	a.SetProps([]prop.TaggedValue{{Tag: TagAttachLongFilename, Value: "a.txt"}, {Tag: TagAttachDataBinary, Value: []byte("hello")}})
	if err := a.SaveChanges(); err != nil {
		t.Fatal(err)
	}
	a2, _ := m.CreateAttachment()
	e, err := a2.OpenEmbeddedMessage(true)
	if err != nil {
		t.Fatal(err)
	}
	e.SetProps([]prop.TaggedValue{{Tag: TagSubject, Value: "inner"}})
	e.AddRecipient(RecipTo, Props{TagDisplayName.ID(): {Tag: TagDisplayName, Value: "Eve"}})
	ea, _ := e.CreateAttachment()
	ea.SetProps([]prop.TaggedValue{{Tag: TagAttachDataBinary, Value: []byte("deep")}})
	ea.SaveChanges()
	if err := e.SaveChanges(false); err != nil {
		t.Fatal(err)
	}
	a2.SaveChanges()
	if err := m.SaveChanges(false); err != nil {
		t.Fatal(err)
	}

	got, err := s.OpenMessage(mb, inbox, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	rs := got.Recipients()
	if len(rs) != 2 || rs[0].Props.String(TagDisplayName) != "Bob" || rs[1].RowID != 2 || rs[1].Type != RecipBcc {
		t.Errorf("recipients %+v", rs)
	}
	at := got.AttachmentTable()
	if len(at) != 2 || at[0].Int32(TagAttachNumber) != 0 || at[1].Int32(TagAttachMethod) != int32(AttachEmbeddedMessage) {
		t.Errorf("attachments %+v", at)
	}
	if v, _ := got.Prop(TagHasAttachments); v != true {
		t.Error("PidTagHasAttachments")
	}
	oa, _ := got.OpenAttachment(1)
	oe, err := oa.OpenEmbeddedMessage(false)
	if err != nil {
		t.Fatal(err)
	}
	if oe.props.String(TagSubject) != "inner" || len(oe.Recipients()) != 1 || len(oe.AttachmentTable()) != 1 {
		t.Errorf("embedded %+v", oe.props.List())
	}
	oea, _ := oe.OpenAttachment(0)
	if v, _ := oea.Prop(TagAttachDataBinary); !bytes.Equal(v.([]byte), []byte("deep")) {
		t.Error("nested attachment")
	}
	// SubObject view
	if len(got.SubObjects(TagMessageRecipients)) != 2 || len(got.SubObjects(TagMessageAttachments)) != 2 {
		t.Error("sub objects")
	}
	// delete an attachment and save
	got.DeleteAttachment(0)
	got.SaveChanges(false)
	again, _ := s.OpenMessage(mb, inbox, m.ID)
	if len(again.AttachmentTable()) != 1 {
		t.Error("attachment not deleted")
	}
	// unsaved attachment changes are not in the message
	x, _ := again.OpenAttachment(1)
	x.SetProps([]prop.TaggedValue{{Tag: TagAttachLongFilename, Value: "changed"}})
	y, _ := again.OpenAttachment(1)
	if y.props.String(TagAttachLongFilename) == "changed" {
		t.Error("attachment working copy leaked")
	}
}

func TestLargePropertyStream(t *testing.T) {
	s := newStore(t)
	mb := newMailbox(t, s, "a@x")
	inbox := special(t, s, mb, RoleInbox)
	m, _ := s.CreateMessage(mb, inbox, false)
	st, err := OpenPropertyStream(m, TagHtml, true)
	if err != nil {
		t.Fatal(err)
	}
	data := make([]byte, 1<<20)
	rand.New(rand.NewSource(1)).Read(data)
	for off := 0; off < len(data); off += 8192 {
		if _, err := st.Write(data[off : off+8192]); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := m.SaveChanges(false); err != nil {
		t.Fatal(err)
	}
	var chunks int
	s.db.QueryRow(`SELECT count(*) FROM chunks`).Scan(&chunks)
	if chunks != (1<<20)/ChunkSize {
		t.Errorf("%d chunks", chunks)
	}
	m2, _ := s.OpenMessage(mb, inbox, m.ID)
	rs, err := OpenPropertyStream(m2, TagHtml, false)
	if err != nil {
		t.Fatal(err)
	}
	if rs.Size() != 1<<20 {
		t.Fatalf("size %d", rs.Size())
	}
	var got bytes.Buffer
	buf := make([]byte, 8192)
	for {
		n, err := rs.Read(buf)
		got.Write(buf[:n])
		if err == io.EOF {
			break
		}
	}
	if !bytes.Equal(got.Bytes(), data) {
		t.Error("stream data differs")
	}
	if _, err := rs.Write([]byte("x")); err == nil {
		t.Error("write on read-only stream")
	}
	// seek + set size on a Unicode body
	ws, _ := OpenPropertyStream(m2, TagBody, true)
	ws.Write([]byte{'h', 0, 'i', 0, '!', 0})
	ws.Seek(-2, io.SeekEnd)
	ws.Write([]byte{'?', 0})
	ws.SetSize(6)
	ws.Commit()
	if m2.props.String(TagBody) != "hi?" {
		t.Errorf("body %q", m2.props.String(TagBody))
	}
	// rows in contents tables omit large values
	rows, _ := s.Contents(mb, inbox, false)
	if _, ok := rows[0].Props.Get(TagHtml); ok {
		t.Error("large value in contents row")
	}
	if _, err := OpenPropertyStream(m2, TagSubject, false); err != ErrNotFound {
		t.Errorf("missing prop: %v", err)
	}
	// folder streams commit directly
	fs, _ := OpenPropertyStream(s.FolderObject(mb, inbox), prop.NewTag(0x7C04, prop.PtypBinary), true)
	fs.Write(bytes.Repeat([]byte{7}, 20))
	fs.Commit()
	fp, _ := s.FolderProps(mb, inbox)
	if v, _ := fp.Get(prop.NewTag(0x7C04, prop.PtypBinary)); len(v.([]byte)) != 20 {
		t.Error("folder stream")
	}
}

func TestDeleteMoveCopyTombstones(t *testing.T) {
	s := newStore(t)
	mb := newMailbox(t, s, "a@x")
	inbox := special(t, s, mb, RoleInbox)
	deleted := special(t, s, mb, RoleDeletedItems)
	var mids []prop.ID
	for i := 0; i < 4; i++ {
		m, _ := s.CreateMessage(mb, inbox, false)
		m.SetProps([]prop.TaggedValue{{Tag: TagSubject, Value: "m"}})
		m.SaveChanges(false)
		mids = append(mids, m.ID)
	}
	partial, err := s.DeleteMessages(mb, inbox, []prop.ID{mids[0], prop.MakeID(1, 999999)}, false)
	if err != nil || !partial {
		t.Fatalf("delete: %v %v", partial, err)
	}
	ts, _ := s.Tombstones(mb, inbox, 0)
	if len(ts) != 1 || ts[0].ID != mids[0] || ts[0].Hard || ts[0].ChangeNumber == 0 {
		t.Errorf("tombstones %+v", ts)
	}
	if _, err := s.OpenMessage(mb, inbox, mids[0]); err != ErrNotFound {
		t.Error("soft-deleted message still opens")
	}
	c, _ := s.FolderCounts(mb, inbox)
	if c.Content != 3 || c.Deleted != 1 {
		t.Errorf("counts %+v", c)
	}
	ids, _, err := s.MoveCopyMessages(mb, inbox, mids[1:2], mb, deleted, false)
	if err != nil || len(ids) != 1 || ids[0] == mids[1] {
		t.Fatalf("move %v %v", ids, err)
	}
	ts, _ = s.Tombstones(mb, inbox, ts[0].ChangeNumber)
	if len(ts) != 1 || ts[0].ID != mids[1] {
		t.Errorf("move tombstone %+v", ts)
	}
	mb2 := newMailbox(t, s, "b@x")
	ids, _, err = s.MoveCopyMessages(mb, inbox, mids[2:3], mb2, special(t, s, mb2, RoleInbox), true)
	if err != nil {
		t.Fatal(err)
	}
	cp, err := s.OpenMessage(mb2, 0, ids[0])
	if err != nil || cp.props.String(TagSubject) != "m" {
		t.Fatalf("cross-mailbox copy %v", err)
	}
	sk, _ := cp.Prop(TagSourceKey)
	if g, _, _ := ParseXID(sk.([]byte)); g != mb2.ReplicaGUID {
		t.Error("copy source key not in target replica")
	}
	c, _ = s.FolderCounts(mb, inbox)
	if c.Content != 2 {
		t.Errorf("after move/copy %+v", c)
	}
}

func TestNamedProperties(t *testing.T) {
	s := newStore(t)
	a := newMailbox(t, s, "a@x")
	b := newMailbox(t, s, "b@x")
	psCommon, _ := prop.ParseGUIDString("00062008-0000-0000-C000-000000000046")
	n1 := prop.PropertyName{Kind: prop.KindLID, Guid: psCommon, LID: 0x8580}
	n2 := prop.PropertyName{Kind: prop.KindName, Guid: psCommon, Name: "Keywords"}
	if _, err := s.NamedPropertyID(a, n1, false); err != ErrNotFound {
		t.Errorf("lookup without create: %v", err)
	}
	id1, _ := s.NamedPropertyID(a, n1, true)
	id2, _ := s.NamedPropertyID(a, n2, true)
	again, _ := s.NamedPropertyID(a, n1, true)
	if id1 != 0x8000 || id2 != 0x8001 || again != id1 {
		t.Errorf("ids %x %x %x", id1, id2, again)
	}
	idb, _ := s.NamedPropertyID(b, n2, true)
	if idb != 0x8000 {
		t.Errorf("per-mailbox id %x", idb)
	}
	if n, _ := s.NamedPropertyName(a, id2); n != n2 {
		t.Errorf("name %+v", n)
	}
	if id, _ := s.NamedPropertyID(a, prop.PropertyName{Kind: prop.KindLID, Guid: PSMAPI, LID: 0x0037}, true); id != 0x0037 {
		t.Error("PS_MAPI")
	}
	all, _ := s.QueryNamedProperties(a, nil, 0)
	ids, _ := s.QueryNamedProperties(a, &psCommon, 0x01)
	if len(all) != 2 || len(ids) != 1 || ids[0].ID != id1 {
		t.Errorf("query %+v %+v", all, ids)
	}
}

func TestReceiveFolders(t *testing.T) {
	s := newStore(t)
	mb := newMailbox(t, s, "a@x")
	inbox := special(t, s, mb, RoleInbox)
	cal := special(t, s, mb, RoleCalendar)
	for _, c := range []string{"", "IPM", "IPM.Note", "IPM.Note.Custom", "Unknown.Class"} {
		if fid, _, err := s.ReceiveFolder(mb, c); err != nil || fid != inbox {
			t.Errorf("%q -> %v %v", c, fid, err)
		}
	}
	if err := s.SetReceiveFolder(mb, "IPM.Appointment", cal); err != nil {
		t.Fatal(err)
	}
	fid, explicit, _ := s.ReceiveFolder(mb, "ipm.appointment.x")
	if fid != cal || explicit != "IPM.Appointment" {
		t.Errorf("appointment -> %v %q", fid, explicit)
	}
	tab, _ := s.ReceiveFolderTable(mb)
	if len(tab) != 6 || tab[0].MessageClass != "IPM.Appointment" {
		t.Errorf("table %+v", tab)
	}
	s.SetReceiveFolder(mb, "IPM.Appointment", 0)
	if fid, _, _ := s.ReceiveFolder(mb, "IPM.Appointment"); fid != inbox {
		t.Error("removal")
	}
	if err := s.SetReceiveFolder(mb, "", 0); err == nil {
		t.Error("default removed")
	}
}

func TestRulesCRUD(t *testing.T) {
	s := newStore(t)
	mb := newMailbox(t, s, "a@x")
	inbox := special(t, s, mb, RoleInbox)
	junk := special(t, s, mb, RoleJunk)
	cond := &prop.Restriction{RestrictType: prop.RestrictContent, FuzzyLevelLow: prop.FLSubstring, FuzzyLevelHigh: prop.FLIgnoreCase,
		PropTag: TagSubject, TaggedValue: prop.TaggedValue{Tag: TagSubject, Value: "spam"}}
	acts := &prop.RuleActions{Actions: []prop.ActionBlock{prop.MoveAction(junk)}}
	ids, err := s.ModifyRules(mb, inbox, false, []RuleOp{
		{Op: RowAdd, Rule: Rule{Name: "spam", Sequence: 10, State: 1, Condition: cond, Actions: acts}},
		{Op: RowAdd, Rule: Rule{Name: "other", Sequence: 5}},
	})
	if err != nil || len(ids) != 2 {
		t.Fatal(err)
	}
	rules, _ := s.Rules(mb, inbox)
	if len(rules) != 2 || rules[0].Name != "other" || rules[1].Condition == nil || rules[1].Actions == nil {
		t.Fatalf("rules %+v", rules)
	}
	if !reflect.DeepEqual(rules[1].Condition, cond) {
		t.Errorf("condition %+v", rules[1].Condition)
	}
	r, set := RuleFromProps([]prop.TaggedValue{{Tag: TagRuleId, Value: int64(ids[0])}, {Tag: TagRuleName, Value: "renamed"}})
	if _, err := s.ModifyRules(mb, inbox, false, []RuleOp{{Op: RowModify, Rule: r, Set: set}}); err != nil {
		t.Fatal(err)
	}
	rules, _ = s.Rules(mb, inbox)
	if rules[1].Name != "renamed" || rules[1].Sequence != 10 {
		t.Errorf("modify %+v", rules[1])
	}
	if p := rules[1].Props(); p.String(TagRuleName) != "renamed" {
		t.Error("props")
	}
	s.ModifyRules(mb, inbox, false, []RuleOp{{Op: RowRemove, Rule: Rule{ID: ids[1]}}})
	if rules, _ = s.Rules(mb, inbox); len(rules) != 1 {
		t.Error("remove")
	}
	_, err = s.ModifyRules(mb, inbox, false, []RuleOp{{Op: RowRemove, Rule: Rule{ID: 12345}}})
	wantErr(t, err, ErrNotFound)
	s.ModifyRules(mb, inbox, true, nil)
	if rules, _ = s.Rules(mb, inbox); len(rules) != 0 {
		t.Error("replace")
	}
}

func TestPermissionsAndIsolation(t *testing.T) {
	s := newStore(t)
	alice := newMailbox(t, s, "alice@x")
	newMailbox(t, s, "bob@x")
	cal := special(t, s, alice, RoleCalendar)
	inbox := special(t, s, alice, RoleInbox)
	if s.CanAccess(alice, inbox, "bob@x", RightReadAny) {
		t.Error("bob reads alice's inbox without a grant")
	}
	if !s.CanAccess(alice, inbox, "alice@x", RightReadAny|RightEditAny) {
		t.Error("owner denied")
	}
	if err := s.ModifyPermissions(alice, cal, false, []PermOp{{Op: RowAdd, Perm: Permission{User: "bob@x", Name: "Bob", Rights: RightReadAny | RightFolderVisible}}}); err != nil {
		t.Fatal(err)
	}
	if !s.CanAccess(alice, cal, "bob@x", RightReadAny) || s.CanAccess(alice, cal, "bob@x", RightEditAny) {
		t.Error("granted rights")
	}
	if s.CanAccess(alice, inbox, "bob@x", RightReadAny) {
		t.Error("grant leaked to another folder")
	}
	perms, _ := s.Permissions(alice, cal)
	if len(perms) != 3 || perms[0].MemberID != MemberDefault || perms[1].MemberID != MemberAnonymous || perms[2].Name != "Bob" {
		t.Fatalf("perms %+v", perms)
	}
	s.ModifyPermissions(alice, cal, false, []PermOp{{Op: RowModify, Perm: Permission{MemberID: MemberDefault, Rights: RightFreeBusySimple}}})
	if !s.CanAccess(alice, cal, "carol@x", RightFreeBusySimple) || s.CanAccess(alice, cal, "", RightFreeBusySimple) {
		t.Error("default/anonymous")
	}
	s.ModifyPermissions(alice, cal, false, []PermOp{{Op: RowModify, Perm: Permission{MemberID: perms[2].MemberID, Rights: RightReadAny | RightEditAny}}})
	if !s.CanAccess(alice, cal, "bob@x", RightEditAny) {
		t.Error("modify")
	}
	s.ModifyPermissions(alice, cal, false, []PermOp{{Op: RowRemove, Perm: Permission{MemberID: perms[2].MemberID}}})
	if s.CanAccess(alice, cal, "bob@x", RightReadAny) {
		t.Error("remove")
	}
}

func TestDeterministic(t *testing.T) {
	run := func() (*Mailbox, Props) {
		s := newStore(t)
		mb := newMailbox(t, s, "a@x")
		p, _ := s.FolderProps(mb, special(t, s, mb, RoleInbox))
		return mb, p
	}
	mb1, p1 := run()
	mb2, p2 := run()
	if mb1.MailboxGUID != mb2.MailboxGUID || mb1.ReplicaGUID != mb2.ReplicaGUID {
		t.Error("GUIDs differ")
	}
	if !reflect.DeepEqual(p1, p2) {
		t.Error("folder props differ")
	}
	ct, _ := p1.Get(TagCreationTime)
	if ct.(prop.Filetime).Time().Year() != 2024 {
		t.Errorf("clock not used: %v", ct)
	}
}

func TestSubmitDeliver(t *testing.T) {
	s := newStore(t)
	alice := newMailbox(t, s, "alice@x")
	bob := newMailbox(t, s, "bob@x")
	m, _ := s.CreateMessage(alice, special(t, s, alice, RoleOutbox), false)
	m.SetProps([]prop.TaggedValue{{Tag: TagSubject, Value: "hi bob"}})
	m.AddRecipient(RecipTo, Props{TagSmtpAddress.ID(): {Tag: TagSmtpAddress, Value: "bob@x"}})
	m.SaveChanges(false)
	to, sent, err := s.Submit(alice, m.ID)
	if err != nil || len(to) != 1 || to[0].ID != bob.ID || sent == 0 {
		t.Fatalf("submit %v %v %v", to, sent, err)
	}
	rows, _ := s.Contents(bob, special(t, s, bob, RoleInbox), false)
	if len(rows) != 1 || rows[0].Props.String(TagSubject) != "hi bob" || rows[0].Read {
		t.Fatalf("bob's inbox %+v", rows)
	}
	if rows[0].Props.String(TagSenderEmailAddress) != "alice@x" {
		t.Error("sender")
	}
	srows, _ := s.Contents(alice, special(t, s, alice, RoleSentItems), false)
	if len(srows) != 1 {
		t.Error("not in Sent Items")
	}
}

// TestRuleIDHighBit: rule ids use all 64 bits; reading one whose top bit
// is set must work (SQLite integers are signed).
func TestRuleIDHighBit(t *testing.T) {
	s := newStore(t)
	mb := newMailbox(t, s, "a@x")
	inbox := special(t, s, mb, RoleInbox)
	err := s.tx(func(tx *sql.Tx) error {
		return saveRule(tx, mb, inbox, &Rule{ID: 0x8000000000000101, Name: "high", Actions: &prop.RuleActions{}})
	})
	if err != nil {
		t.Fatal(err)
	}
	rules, err := s.Rules(mb, inbox)
	if err != nil || len(rules) != 1 || rules[0].ID != 0x8000000000000101 {
		t.Fatalf("rules %+v, %v", rules, err)
	}
}

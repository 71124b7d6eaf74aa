package client

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"strings"

	"github.com/mapiscope/mapiscope/decode/prop"
	"github.com/mapiscope/mapiscope/decode/rop"
)

// The "sync" scenario: Outlook's cached mode against any server. After
// Autodiscover, Connect and RopLogon it runs a first full synchronization
// of the IPM subtree into a local replica (hierarchy, then every folder's
// contents with FAI messages), creates a message locally and uploads it,
// lets a second session (another client instance) deliver a message to
// the Inbox and mark the uploaded one read, runs an incremental
// synchronization that must bring both changes, deletes the two messages
// locally and uploads the deletions, and finally checks that the replica
// converged: it must equal a fresh full synchronization into a second
// replica, and one more incremental synchronization must find nothing.

// syncRun runs the sync scenario's steps.
func (s *scenario) syncRun() {
	ss := &syncScenario{scenario: s}
	ok := s.step("autodiscover", s.autodiscover) &&
		s.step("connect", s.connect) &&
		s.step("logon", s.doLogon) &&
		s.step("full-sync", ss.fullSync) &&
		s.step("local-change", ss.localChange) &&
		s.step("peer-change", ss.peerChange) &&
		s.step("incremental", ss.incremental) &&
		s.step("local-delete", ss.localDelete) &&
		s.step("converged", ss.converged) &&
		s.step("release", ss.release)
	if ss.peer != nil {
		ss.peer.close(s.ctx)
	}
	if s.connected {
		if ok {
			s.step("disconnect", func() (string, error) { return "", s.mb.Disconnect(s.ctx) })
		} else {
			_ = s.mb.Disconnect(s.ctx)
		}
	}
}

// syncScenario is the state of the sync scenario.
type syncScenario struct {
	*scenario
	syncer *Syncer
	peer   *peer
	local  prop.ID // the message created locally
	remote prop.ID // the message the peer created
}

func (s *syncScenario) inbox() prop.ID { return s.logon.FolderIds[4] }

func (s *syncScenario) fullSync() (string, error) {
	r := NewReplica()
	if s.cfg.Token != "" {
		// A fixed token makes runs that compare equal: the local change
		// keys too.
		sum := sha256.Sum256([]byte("mapiscope replica " + s.cfg.Token))
		copy(r.ClientGUID[:], sum[:16])
	}
	s.syncer = NewSyncer(s.mb, s.lh, s.logon, r)
	rep, err := s.syncer.Sync(s.ctx)
	if err != nil {
		return "", err
	}
	if _, ok := s.syncer.Replica().Folder(s.inbox()); !ok {
		return "", fmt.Errorf("the Inbox (%s) is not in the replica after the hierarchy synchronization", s.inbox())
	}
	return fmt.Sprintf("%d folders, %d messages, %d FAI; %d stream bytes in %d Executes", rep.Folders, rep.Messages, rep.FAI,
		rep.StreamBytes, rep.Executes), nil
}

func (s *syncScenario) localChange() (string, error) {
	r := s.syncer.Replica()
	id, err := r.CreateMessage(s.inbox(), false, Content{Props: []Prop{
		{Tag: tagMessageClass, Value: "IPM.Note"},
		{Tag: tagSubject, Value: "mapiscope sync local " + s.token},
		{Tag: tagBody, Value: "Created offline in the replica and uploaded by ICS.\r\n"},
		{Tag: tagMessageFlags, Value: int32(0)},
	}})
	if err != nil {
		return "", err
	}
	s.local = id
	rep, err := s.syncer.Sync(s.ctx)
	if err != nil {
		return "", err
	}
	if rep.Uploaded.Messages != 1 {
		return "", fmt.Errorf("%d messages uploaded, 1 was created locally", rep.Uploaded.Messages)
	}
	if rep.MessageChanges != 0 {
		return "", fmt.Errorf("the download after the upload brought %d message changes back", rep.MessageChanges)
	}
	return fmt.Sprintf("message %s uploaded; %d Executes", id, rep.Executes), nil
}

func (s *syncScenario) peerChange() (string, error) {
	cfg := s.cfg
	cfg.ClientInfo = NewGUID() // another client instance
	p, err := openPeer(s.ctx, s.disc.MailStoreURL, s.disc.LegacyDN, cfg)
	if err != nil {
		return "", err
	}
	s.peer = p
	s.remote, err = p.createMessage(s.ctx, s.inbox(), false, []prop.TaggedValue{
		{Tag: tagMessageClass, Value: "IPM.Note"},
		{Tag: tagSubject, Value: "mapiscope sync peer " + s.token},
		{Tag: tagBody, Value: "Created by another session.\r\n"},
	})
	if err != nil {
		return "", err
	}
	if err := p.setRead(s.ctx, s.inbox(), []prop.ID{s.local}, true); err != nil {
		return "", err
	}
	return fmt.Sprintf("another session created %s and marked %s read", s.remote, s.local), nil
}

func (s *syncScenario) incremental() (string, error) {
	rep, err := s.syncer.Sync(s.ctx)
	if err != nil {
		return "", err
	}
	f, _ := s.syncer.Replica().Folder(s.inbox())
	if f == nil {
		return "", errors.New("the Inbox left the replica")
	}
	m, ok := f.Messages[s.remote]
	if !ok || m.String(tagSubject) != "mapiscope sync peer "+s.token {
		return "", fmt.Errorf("the message the other session created (%s) is not in the replica's Inbox", s.remote)
	}
	if l, ok := f.Messages[s.local]; !ok || !l.Read {
		return "", fmt.Errorf("the message uploaded (%s) is not read in the replica after the other session read it", s.local)
	}
	if rep.MessageChanges < 1 || rep.ReadChanges < 1 {
		return "", fmt.Errorf("%d message changes and %d read-state changes downloaded, want at least 1 and 1", rep.MessageChanges, rep.ReadChanges)
	}
	return fmt.Sprintf("%d message changes, %d read-state changes, %d deletions; %d Executes", rep.MessageChanges, rep.ReadChanges,
		rep.Deletions, rep.Executes), nil
}

func (s *syncScenario) localDelete() (string, error) {
	r := s.syncer.Replica()
	for _, id := range []prop.ID{s.local, s.remote} {
		if err := r.DeleteMessage(s.inbox(), id); err != nil {
			return "", err
		}
	}
	rep, err := s.syncer.Sync(s.ctx)
	if err != nil {
		return "", err
	}
	if rep.Uploaded.Deletes != 2 {
		return "", fmt.Errorf("%d deletions uploaded, 2 were made locally", rep.Uploaded.Deletes)
	}
	return fmt.Sprintf("2 deletions uploaded; %d Executes", rep.Executes), nil
}

func (s *syncScenario) converged() (string, error) {
	r := s.syncer.Replica()
	again, err := s.syncer.Sync(s.ctx)
	if err != nil {
		return "", err
	}
	if n := again.FolderChanges + again.MessageChanges + again.FAIChanges + again.Deletions + again.ReadChanges + again.FolderDeletions; n > 0 {
		return "", fmt.Errorf("a synchronization with nothing changed downloaded %d changes: %s", n, again)
	}
	fresh := NewSyncer(s.mb, s.lh, s.logon, NewReplica())
	if _, err := fresh.Sync(s.ctx); err != nil {
		return "", fmt.Errorf("fresh full synchronization: %w", err)
	}
	if diffs := CompareReplicas(r, fresh.Replica()); len(diffs) > 0 {
		if len(diffs) > 5 {
			diffs = append(diffs[:5], fmt.Sprintf("… %d more", len(diffs)-5))
		}
		return "", fmt.Errorf("the replica differs from a fresh full synchronization: %s", strings.Join(diffs, "; "))
	}
	folders, msgs, fai := r.Counts()
	return fmt.Sprintf("the replica equals a fresh full synchronization: %d folders, %d messages, %d FAI", folders, msgs, fai), nil
}

func (s *syncScenario) release() (string, error) {
	b := &batch{}
	b.add(&rop.ReleaseRequest{RequestHeader: hdr(b.in(s.lh))})
	if _, err := s.exec(b); err != nil {
		return "", err
	}
	return fmt.Sprintf("%d objects left in the decode session", s.mb.Session().LiveObjects()), nil
}

// ---- another session ----

// peer is a second session on the same mailbox (another client
// instance) making changes with ordinary ROPs, as a user on another
// computer or the server's mail delivery would.
type peer struct {
	mb    *Mailbox
	lh    uint32
	logon *rop.LogonResponse
}

// openPeer connects a session to the mailbox endpoint and logs on.
func openPeer(ctx context.Context, mailStoreURL, legacyDN string, cfg Config) (*peer, error) {
	mb := NewMailbox(mailStoreURL, cfg)
	if _, err := mb.Connect(ctx, legacyDN); err != nil {
		return nil, err
	}
	p := &peer{mb: mb}
	b := &batch{}
	out := b.out()
	i := b.add(&rop.LogonRequest{OutputHandleIndex: out, LogonFlags: logonPrivate,
		OpenFlags: openUsePerMDBReplIDMapping | openHomeLogon | openTakeOwnership, Essdn: legacyDN})
	res, err := p.exec(ctx, b)
	if err != nil {
		_ = mb.Disconnect(ctx)
		return nil, err
	}
	r, ok := res.Response(i).(*rop.LogonResponse)
	if !ok {
		_ = mb.Disconnect(ctx)
		return nil, errors.New("RopLogon: no response")
	}
	p.lh, p.logon = res.Handle(out), r
	return p, nil
}

func (p *peer) exec(ctx context.Context, b *batch) (*ExecResult, error) {
	res, err := p.mb.Execute(ctx, b.rops, b.handles)
	if err != nil {
		return res, err
	}
	return res, res.Check()
}

// createMessage creates a message in folder fid — RopCreateMessage,
// RopSetProperties, RopSaveChangesMessage — and returns its id.
func (p *peer) createMessage(ctx context.Context, fid prop.ID, fai bool, props []prop.TaggedValue) (prop.ID, error) {
	b := &batch{}
	fo, ms := b.out(), b.out()
	b.add(&rop.OpenFolderRequest{RequestHeader: hdr(b.in(p.lh)), OutputHandleIndex: fo, FolderId: fid})
	b.add(&rop.CreateMessageRequest{RequestHeader: hdr(fo), OutputHandleIndex: ms, CodePageId: codePageLogon, FolderId: fid, AssociatedFlag: fai})
	b.add(&rop.SetPropertiesRequest{RequestHeader: hdr(ms), PropertyValues: props})
	si := b.add(&rop.SaveChangesMessageRequest{RequestHeader: hdr(ms), ResponseHandleIndex: ms, SaveFlags: keepOpenReadWrite})
	b.add(&rop.ReleaseRequest{RequestHeader: hdr(ms)}, &rop.ReleaseRequest{RequestHeader: hdr(fo)})
	res, err := p.exec(ctx, b)
	if err != nil {
		return 0, err
	}
	sv, ok := res.Response(si).(*rop.SaveChangesMessageResponse)
	if !ok {
		return 0, errors.New("RopSaveChangesMessage: no response")
	}
	return sv.MessageId, nil
}

// setRead marks messages of folder fid read or unread — RopSetReadFlags
// ([MS-OXCMSG] 2.2.3.10; ReadFlags 0x04 is CLEAR_READ_FLAG).
func (p *peer) setRead(ctx context.Context, fid prop.ID, mids []prop.ID, read bool) error {
	flags := uint8(0x00)
	if !read {
		flags = 0x04
	}
	b := &batch{}
	fo := b.out()
	b.add(&rop.OpenFolderRequest{RequestHeader: hdr(b.in(p.lh)), OutputHandleIndex: fo, FolderId: fid})
	b.add(&rop.SetReadFlagsRequest{RequestHeader: hdr(fo), ReadFlags: flags, MessageIds: mids})
	b.add(&rop.ReleaseRequest{RequestHeader: hdr(fo)})
	_, err := p.exec(ctx, b)
	return err
}

// close releases the logon and ends the session.
func (p *peer) close(ctx context.Context) {
	b := &batch{}
	b.add(&rop.ReleaseRequest{RequestHeader: hdr(b.in(p.lh))})
	_, _ = p.exec(ctx, b)
	_ = p.mb.Disconnect(ctx)
}

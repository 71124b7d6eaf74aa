package client

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/mapiscope/mapiscope/decode/fxics"
	"github.com/mapiscope/mapiscope/decode/prop"
	"github.com/mapiscope/mapiscope/decode/rop"
	"github.com/mapiscope/mapiscope/decode/wire"
)

// Syncer synchronizes a Replica with the mailbox of a logon the way
// Outlook's cached mode does — [MS-OXCFXICS] 3.3.4.3 and the replication
// state machine of server-core-anchors.md §5 E: reserve local replica
// ids, upload the local changes (new and renamed folders, each folder's
// content changes, deleted folders), download the hierarchy, download
// each folder's contents (normal and FAI messages, deletions, read-state
// changes), keeping the ICS state of every synchronization. Every upload
// runs before every download, so that a message moved locally is never
// downloaded back into the folder it left.
type Syncer struct {
	mb    *Mailbox
	lh    uint32
	logon *rop.LogonResponse
	r     *Replica

	// ReserveIDs is how many ids RopGetLocalReplicaIds reserves once the
	// reserved ones are used up (1024 when 0; [MS-OXCFXICS] 3.3.5.8.12
	// recommends 0x200 to 0x10000).
	ReserveIDs uint32
	// BufferSize and MaxBufferSize are RopFastTransferSourceGetBuffer's
	// (Outlook's 0xBABE and 0x7BC0 when 0).
	BufferSize, MaxBufferSize uint16

	rep      *SyncReport
	release  []uint32           // handles to release with the next Execute
	uploaded map[prop.ID][]byte // change keys uploaded by this Sync, by message id
}

// NewSyncer returns a Syncer of replica r over the logon whose handle is
// lh on mb. An empty replica is bound to the logon's mailbox and IPM
// subtree by the first Sync.
func NewSyncer(mb *Mailbox, lh uint32, logon *rop.LogonResponse, r *Replica) *Syncer {
	return &Syncer{mb: mb, lh: lh, logon: logon, r: r}
}

// Replica returns the replica being synchronized.
func (s *Syncer) Replica() *Replica { return s.r }

// SyncReport counts what a Sync did.
type SyncReport struct {
	// The replica after the synchronization.
	Folders, Messages, FAI int
	// Downloaded.
	FolderChanges, FolderDeletions int
	FoldersSynced                  int
	MessageChanges, FAIChanges     int
	Deletions, ReadChanges         int
	StreamBytes                    int64
	NormalTotal, FAITotal          uint32 // progressTotal counts announced
	NormalTotalSize, FAITotalSize  uint64
	Uploaded                       UploadCounts
	Conflicts                      []SyncConflict
	Failures                       []SyncConflict // imports the server refused: its version is kept
	// FoldersSkipped are folders deleted on the server between the
	// hierarchy download and their contents synchronization.
	FoldersSkipped int
	Executes       int
	Elapsed        time.Duration
}

// UploadCounts counts the local changes a Sync uploaded.
type UploadCounts struct {
	Messages, FAI, Moves, Deletes, ReadStates, Folders, FolderDeletes int
}

// Total is the number of changes uploaded.
func (u UploadCounts) Total() int {
	return u.Messages + u.FAI + u.Moves + u.Deletes + u.ReadStates + u.Folders + u.FolderDeletes
}

// SyncConflict is a local change the server did not take as it was: a
// conflict it resolved ([MS-OXCFXICS] 3.1.5.6) or an import it refused.
type SyncConflict struct {
	Folder string
	ID     prop.ID // for a move, the message moved (its id in the source folder)
	// Kind: "conflict-message" (a conflict resolve message, 3.1.5.6.2.1),
	// "last-writer-wins" (3.1.5.6.2.2), "server-newer" (the server's
	// version already includes the upload), "deleted-on-server",
	// "move-failed", "folder-refused", "import-refused".
	Kind   string
	Detail string
}

func (c SyncConflict) String() string {
	s := fmt.Sprintf("%s %s in %q", c.Kind, c.ID, c.Folder)
	if c.Detail != "" {
		s += ": " + c.Detail
	}
	return s
}

// String summarises the report on one line.
func (r *SyncReport) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d folders, %d messages, %d FAI; downloaded %d folder changes, %d folder deletions, %d message changes, %d FAI changes, %d deletions, %d read-state changes (%d stream bytes)",
		r.Folders, r.Messages, r.FAI, r.FolderChanges, r.FolderDeletions, r.MessageChanges, r.FAIChanges, r.Deletions, r.ReadChanges, r.StreamBytes)
	if u := r.Uploaded; u.Total() > 0 {
		fmt.Fprintf(&b, "; uploaded %d messages, %d FAI, %d moves, %d deletes, %d read states, %d folders, %d folder deletes",
			u.Messages, u.FAI, u.Moves, u.Deletes, u.ReadStates, u.Folders, u.FolderDeletes)
	}
	if len(r.Conflicts) > 0 {
		fmt.Fprintf(&b, "; %d conflicts", len(r.Conflicts))
	}
	if len(r.Failures) > 0 {
		fmt.Fprintf(&b, "; %d refused", len(r.Failures))
	}
	fmt.Fprintf(&b, "; %d Executes", r.Executes)
	return b.String()
}

// SynchronizationFlags and SynchronizationExtraFlags — [MS-OXCFXICS]
// 2.2.3.2.1.1.1. The contents synchronization asks for what Outlook asks
// (0xA139: Unicode, ReadState, FAI, Normal, NoForeignIdentifiers, BestBody,
// Progress; extra Eid, MessageSize, CN, OrderByDeliveryTime), the
// hierarchy synchronization Unicode and NoForeignIdentifiers with Eid.
const (
	syncTypeContents  uint8  = 0x01
	syncTypeHierarchy uint8  = 0x02
	syncFlagsContents uint16 = 0x0001 | 0x0008 | 0x0010 | 0x0020 | 0x0100 | 0x2000 | 0x8000
	syncFlagsHier     uint16 = 0x0001 | 0x0100
	syncExtraContents uint32 = 0x01 | 0x02 | 0x04 | 0x08
	syncExtraHier     uint32 = 0x01
	// SendOptions Unicode | ForceUnicode ([MS-OXCFXICS] 2.2.3.1.1.1.1).
	syncSendOptions uint8 = 0x09

	transferDone  uint16 = 0x0003 // TransferStatus, 2.2.3.1.1.5.2
	transferError uint16 = 0x0000

	fxOpCopyTo        uint8 = 0x01 // SourceOperation of RopFastTransferDestinationConfigure
	importAssociated  uint8 = 0x10 // ImportFlag, 2.2.3.2.4.2.1
	importHierarchy   uint8 = 0x01 // ImportDeleteFlags, 2.2.3.2.4.5.1
	saveKeepOpenRW    uint8 = 0x02
	defaultReserveIDs       = 1024
	defaultMaxBuffer        = 0x7BC0
	// stateChunk and putChunk bound the stream data one ROP carries, so
	// that an Execute stays under the 64 KB of one RPC_HEADER_EXT.
	stateChunk = 16 << 10
	putChunk   = 24 << 10
	// setPropsLimit is the largest message uploaded with
	// RopSetProperties; bigger ones, and those with recipients,
	// attachments or named properties, go as a FastTransfer stream.
	setPropsLimit = 8 << 10
)

// Error codes the synchronization handles — [MS-OXCDATA] 2.4.
const (
	ecSyncObjectDeleted     prop.ErrorCode = 0x80040800
	ecSyncIgnore            prop.ErrorCode = 0x80040801
	ecSyncNewerClientChange prop.ErrorCode = 0x00040821
	ecNotFound              prop.ErrorCode = 0x8004010F
	ecNullObject            prop.ErrorCode = 0x000004B9
	ecServerBusy            prop.ErrorCode = 0x00000480
)

// Sync runs one synchronization: the first is a full synchronization of
// an empty replica, later ones are incremental.
func (s *Syncer) Sync(ctx context.Context) (*SyncReport, error) {
	start := time.Now()
	s.rep = &SyncReport{}
	s.uploaded = map[prop.ID][]byte{}
	rep := s.rep
	err := s.sync(ctx)
	if ferr := s.flushRelease(ctx); err == nil {
		err = ferr
	}
	rep.Folders, rep.Messages, rep.FAI = s.r.Counts()
	rep.Elapsed = time.Since(start)
	return rep, err
}

func (s *Syncer) sync(ctx context.Context) error {
	r := s.r
	if r.Folders == nil {
		r.Folders = map[prop.ID]*Folder{}
	}
	switch {
	case r.Root == 0:
		r.ReplicaGUID, r.ReplID, r.Root = s.logon.ReplGuid, s.logon.ReplId, s.logon.FolderIds[3]
	case r.ReplicaGUID != s.logon.ReplGuid:
		return fmt.Errorf("the replica is of mailbox replica %s, the logon of %s", r.ReplicaGUID, s.logon.ReplGuid)
	}
	if err := s.reserveIDs(ctx); err != nil {
		return fmt.Errorf("local replica ids: %w", err)
	}
	// Folder changes first (a message may move into a new folder), then
	// the contents, then folder deletions (a message may move out of a
	// folder deleted next).
	if r.anyDirtyFolder() {
		if err := s.uploadHierarchy(ctx, false); err != nil {
			return fmt.Errorf("hierarchy upload: %w", err)
		}
	}
	for _, f := range r.SortedFolders() {
		if !f.pendingContents() || f.Search() {
			continue
		}
		if err := s.uploadContents(ctx, f); err != nil {
			return fmt.Errorf("contents upload of %q: %w", f.Name, err)
		}
	}
	if len(r.DeletedFolders) > 0 {
		if err := s.uploadHierarchy(ctx, true); err != nil {
			return fmt.Errorf("hierarchy upload: %w", err)
		}
	}
	if err := s.downloadHierarchy(ctx); err != nil {
		return fmt.Errorf("hierarchy download: %w", err)
	}
	for _, f := range r.SortedFolders() {
		if f.Search() {
			continue
		}
		if err := s.downloadContents(ctx, f); err != nil {
			return fmt.Errorf("contents download of %q: %w", f.Name, err)
		}
	}
	return nil
}

func (r *Replica) anyDirtyFolder() bool {
	for _, f := range r.Folders {
		if f.Dirty {
			return true
		}
	}
	return false
}

// ---- executing ----

// exec sends a batch, with the releases left from earlier steps at its
// end (appended, they move no slot or index of b). Decode anomalies and
// missing responses are errors; a nonzero ReturnValue is one unless allow
// takes it (i is the request's index in b).
func (s *Syncer) exec(ctx context.Context, b *batch, allow func(i int, rv prop.ErrorCode) bool) (*ExecResult, error) {
	for _, h := range s.release {
		b.add(&rop.ReleaseRequest{RequestHeader: hdr(b.in(h))})
	}
	s.release = nil
	s.rep.Executes++
	res, err := s.mb.Execute(ctx, b.rops, b.handles)
	if err != nil {
		return res, err
	}
	if len(res.Anomalies) > 0 {
		return res, &AnomalyError{Anomaly: res.Anomalies[0]}
	}
	for k := range res.Pairs {
		p := &res.Pairs[k]
		if p.Response == nil {
			if p.Request != nil && expectsResponse(p.Request) {
				return res, &RopError{Index: p.Index, Rop: p.Name(), Missing: true}
			}
			continue
		}
		if rv, ok := p.ReturnValue(); ok && rv != 0 && (allow == nil || !allow(p.Index, rv)) {
			return res, &RopError{Index: p.Index, Rop: p.Name(), ReturnValue: rv}
		}
	}
	return res, nil
}

// rvOf returns the ReturnValue of request i (ecNullObject when it has no
// response).
func rvOf(res *ExecResult, i int) prop.ErrorCode {
	for k := range res.Pairs {
		p := &res.Pairs[k]
		if p.Index != i || p.Chained {
			continue
		}
		if p.Response == nil {
			return ecNullObject
		}
		v, _ := p.ReturnValue()
		return v
	}
	return ecNullObject
}

// resp returns the response to request i as a T.
func resp[T rop.Response](res *ExecResult, i int) (T, bool) {
	r, ok := res.Response(i).(T)
	return r, ok
}

// flushRelease releases what is left to release.
func (s *Syncer) flushRelease(ctx context.Context) error {
	if len(s.release) == 0 {
		return nil
	}
	b := &batch{}
	for _, h := range s.release {
		b.add(&rop.ReleaseRequest{RequestHeader: hdr(b.in(h))})
	}
	s.release = nil
	_, err := s.exec(ctx, b, nil)
	return err
}

// later queues server handles for release with the next Execute.
func (s *Syncer) later(hs ...uint32) {
	for _, h := range hs {
		if h != none {
			s.release = append(s.release, h)
		}
	}
}

// ---- local replica ids ----

// reserveIDs reserves ids for objects created locally —
// RopGetLocalReplicaIds, [MS-OXCFXICS] 2.2.3.2.4.7 — once the ones
// reserved before are used up, not earlier (3.3.5.8.12).
func (s *Syncer) reserveIDs(ctx context.Context) error {
	n := s.ReserveIDs
	if n == 0 {
		n = defaultReserveIDs
	}
	if s.r.localIDsLeft() > 0 {
		return nil
	}
	b := &batch{}
	i := b.add(&rop.GetLocalReplicaIdsRequest{RequestHeader: hdr(b.in(s.lh)), IdCount: n})
	res, err := s.exec(ctx, b, nil)
	if err != nil {
		return err
	}
	r, ok := resp[*rop.GetLocalReplicaIdsResponse](res, i)
	if !ok {
		return errors.New("RopGetLocalReplicaIds: no response")
	}
	if r.ReplGuid != s.r.ReplicaGUID {
		return fmt.Errorf("RopGetLocalReplicaIds: ReplGuid %s, the mailbox's replica is %s", r.ReplGuid, s.r.ReplicaGUID)
	}
	s.r.NextLocal, s.r.LocalEnd = uint64(r.GlobalCount), uint64(r.GlobalCount)+uint64(n)
	return nil
}

// ---- state upload and FastTransfer download ----

// stateProp is one ICS state property to upload.
type stateProp struct {
	tag prop.Tag
	set fxics.IDSet
}

// addState appends the upload of state properties to a batch on the
// context in slot ctxSlot — [MS-OXCFXICS] 2.2.3.2.2: Begin, Continue
// (none for an empty set) and End. It returns the properties too large to
// send in this batch (sent by uploadState).
func addState(b *batch, ctxSlot uint8, props []stateProp) (rest []stateProp) {
	budget := 3 * stateChunk
	for _, p := range props {
		data := p.set.Encode(true)
		if len(data) > budget {
			rest = append(rest, p)
			continue
		}
		budget -= len(data)
		b.add(&rop.SynchronizationUploadStateStreamBeginRequest{RequestHeader: hdr(ctxSlot), StateProperty: p.tag, TransferBufferSize: uint32(len(data))})
		for off := 0; off < len(data); off += stateChunk {
			b.add(&rop.SynchronizationUploadStateStreamContinueRequest{RequestHeader: hdr(ctxSlot), StreamData: data[off:min(off+stateChunk, len(data))]})
		}
		b.add(&rop.SynchronizationUploadStateStreamEndRequest{RequestHeader: hdr(ctxSlot)})
	}
	return rest
}

// uploadState uploads large state properties, a chunk an Execute.
func (s *Syncer) uploadState(ctx context.Context, h uint32, props []stateProp) error {
	for _, p := range props {
		data := p.set.Encode(true)
		b := &batch{}
		b.add(&rop.SynchronizationUploadStateStreamBeginRequest{RequestHeader: hdr(b.in(h)), StateProperty: p.tag, TransferBufferSize: uint32(len(data))})
		if _, err := s.exec(ctx, b, nil); err != nil {
			return err
		}
		for off := 0; off < len(data); off += 2 * stateChunk {
			b := &batch{}
			slot := b.in(h)
			for o := off; o < min(off+2*stateChunk, len(data)); o += stateChunk {
				b.add(&rop.SynchronizationUploadStateStreamContinueRequest{RequestHeader: hdr(slot), StreamData: data[o:min(o+stateChunk, len(data))]})
			}
			if _, err := s.exec(ctx, b, nil); err != nil {
				return err
			}
		}
		b = &batch{}
		b.add(&rop.SynchronizationUploadStateStreamEndRequest{RequestHeader: hdr(b.in(h))})
		if _, err := s.exec(ctx, b, nil); err != nil {
			return err
		}
	}
	return nil
}

func (s *Syncer) getBuffer(slot uint8) *rop.FastTransferSourceGetBufferRequest {
	size, max := s.BufferSize, s.MaxBufferSize
	if size == 0 {
		size = rop.FastTransferBufferSizeAuto
	}
	if max == 0 {
		max = defaultMaxBuffer
	}
	return &rop.FastTransferSourceGetBufferRequest{RequestHeader: hdr(slot), BufferSize: size, MaximumBufferSize: max}
}

// download is a FastTransfer download being read: the stream's decoder
// and what to do with each completed element.
type download struct {
	root fxics.Root
	dec  *fxics.Decoder
	each func(*fxics.Element) error
	done bool
}

// newDownload reads a stream of the given root. Synchronization streams
// keep one element at a time in memory (Discard); a state stream is kept
// whole, its root being the element wanted.
func newDownload(root fxics.Root, each func(*fxics.Element) error) *download {
	o := fxics.Options{Root: root, Discard: root != fxics.RootState, Lexer: fxics.LexerOptions{MaxValue: maxSyncValue}}
	return &download{root: root, dec: fxics.NewDecoder(o), each: each}
}

// feed takes the RopFastTransferSourceGetBuffer responses of an Execute
// in order (chained ones included); it returns how long the server asks
// to wait when it is busy.
func (s *Syncer) feed(d *download, res *ExecResult) (backoff time.Duration, err error) {
	for k := range res.Pairs {
		g, ok := res.Pairs[k].Response.(*rop.FastTransferSourceGetBufferResponse)
		if !ok || d.done {
			continue
		}
		switch {
		case g.ReturnValue == ecServerBusy:
			return time.Duration(min(g.BackoffTime, 5000)) * time.Millisecond, nil
		case g.ReturnValue != 0:
			return 0, &RopError{Index: res.Pairs[k].Index, Rop: "RopFastTransferSourceGetBuffer", ReturnValue: g.ReturnValue}
		case g.TransferStatus == transferError:
			return 0, errors.New("RopFastTransferSourceGetBuffer: TransferStatus Error")
		}
		s.rep.StreamBytes += int64(len(g.TransferBuffer))
		d.dec.Feed(g.TransferBuffer)
		if g.TransferStatus == transferDone {
			d.dec.Close()
			d.done = true
		}
		for _, el := range d.dec.Completed() {
			if el == nil || el.Kind == d.root {
				continue
			}
			if err := d.each(el); err != nil {
				return 0, err
			}
		}
	}
	if an := d.dec.Anomalies(); len(an) > 0 {
		return 0, fmt.Errorf("FastTransfer stream: %s", an[0].String())
	}
	return 0, nil
}

// drain reads the download context h until the stream is done, starting
// with the GetBuffer responses already in res (nil: none).
func (s *Syncer) drain(ctx context.Context, h uint32, d *download, res *ExecResult) error {
	for n := 0; ; n++ {
		if res != nil {
			wait, err := s.feed(d, res)
			if err != nil {
				return err
			}
			if d.done {
				return nil
			}
			if wait > 0 {
				select {
				case <-ctx.Done():
					return ctx.Err()
				case <-time.After(wait):
				}
			}
		}
		if n > 1<<20 {
			return errors.New("RopFastTransferSourceGetBuffer never reached TransferStatus Done")
		}
		b := &batch{}
		b.add(s.getBuffer(b.in(h)))
		var err error
		if res, err = s.exec(ctx, b, func(_ int, rv prop.ErrorCode) bool { return rv == ecServerBusy }); err != nil {
			return err
		}
	}
}

// checkpoint reads the ICS state of an upload context —
// RopSynchronizationGetTransferState then the GetBuffer loop,
// [MS-OXCFXICS] 3.3.4.3.3 step 5.
func (s *Syncer) checkpoint(ctx context.Context, collector uint32) (fxics.ICSState, error) {
	var state fxics.ICSState
	d := newDownload(fxics.RootState, func(*fxics.Element) error { return nil })
	b := &batch{}
	out := b.out()
	b.add(&rop.SynchronizationGetTransferStateRequest{RequestHeader: hdr(b.in(collector)), OutputHandleIndex: out})
	b.add(s.getBuffer(out))
	res, err := s.exec(ctx, b, func(_ int, rv prop.ErrorCode) bool { return rv == ecServerBusy })
	if err != nil {
		return state, err
	}
	h := res.Handle(out)
	defer s.later(h)
	if err := s.drain(ctx, h, d, res); err != nil {
		return state, err
	}
	return fxics.StateOf(d.dec.Root())
}

// ---- hierarchy ----

// downloadHierarchy runs the hierarchy synchronization of the root —
// [MS-OXCFXICS] 3.3.4.3.2 with SynchronizationType Hierarchy: folder
// changes (parents first), deletions, the final state.
func (s *Syncer) downloadHierarchy(ctx context.Context) error {
	r := s.r
	b := &batch{}
	fo, do := b.out(), b.out()
	b.add(&rop.OpenFolderRequest{RequestHeader: hdr(b.in(s.lh)), OutputHandleIndex: fo, FolderId: r.Root})
	b.add(&rop.SynchronizationConfigureRequest{RequestHeader: hdr(fo), OutputHandleIndex: do, SynchronizationType: syncTypeHierarchy,
		SendOptions: syncSendOptions, SynchronizationFlags: syncFlagsHier, SynchronizationExtraFlags: syncExtraHier})
	rest := addState(b, do, []stateProp{{fxics.MetaTagIdsetGiven, r.Hierarchy.IdsetGiven}, {fxics.MetaTagCnsetSeen, r.Hierarchy.CnsetSeen}})
	if len(rest) == 0 {
		b.add(s.getBuffer(do))
	}
	res, err := s.exec(ctx, b, func(_ int, rv prop.ErrorCode) bool { return rv == ecServerBusy })
	if err != nil {
		return err
	}
	fh, dh := res.Handle(fo), res.Handle(do)
	defer s.later(dh, fh)
	if len(rest) > 0 {
		if err := s.uploadState(ctx, dh, rest); err != nil {
			return err
		}
		res = nil
	}
	var final *fxics.ICSState
	d := newDownload(fxics.RootHierarchySync, func(el *fxics.Element) error {
		switch el.Kind {
		case fxics.KindFolderChange:
			return s.applyFolderChange(el)
		case fxics.KindDeletions:
			set, err := idsetProp(el, fxics.MetaTagIdsetDeleted)
			if err != nil {
				return err
			}
			for _, f := range r.SortedFolders() {
				if _, ok := r.Folders[f.ID]; ok && set.ContainsID(f.ID) {
					s.rep.FolderDeletions += len(r.removeFolder(f.ID))
				}
			}
		case fxics.KindState:
			st, err := fxics.StateOf(el)
			if err != nil {
				return err
			}
			final = &st
		}
		return nil
	})
	if err := s.drain(ctx, dh, d, res); err != nil {
		return err
	}
	if final == nil {
		return errors.New("the hierarchy synchronization stream has no state")
	}
	r.Hierarchy = State{IdsetGiven: deref(final.IdsetGiven), CnsetSeen: deref(final.CnsetSeen)}
	return nil
}

func deref(s *fxics.IDSet) fxics.IDSet {
	if s == nil {
		return fxics.IDSet{}
	}
	return *s
}

// idsetProp reads a REPLID-based IDSET property of a deletions or
// readStateChanges element (empty when absent).
func idsetProp(el *fxics.Element, tag prop.Tag) (fxics.IDSet, error) {
	a := el.Prop(tag)
	if a == nil {
		return nil, nil
	}
	if a.Truncated {
		return nil, fmt.Errorf("%s: value truncated", a.DisplayName())
	}
	set, err := fxics.DecodeIDSet(a.Raw, false)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", a.DisplayName(), err)
	}
	return set, nil
}

// Folder properties that are the folder's identity and change tracking
// ([MS-OXCFXICS] 2.2.4.3.5 folderChange), kept in their own fields.
var folderIdentity = map[uint16]bool{
	fxics.PidTagParentSourceKey.ID(): true, fxics.PidTagSourceKey.ID(): true, fxics.PidTagLastModificationTime.ID(): true,
	fxics.PidTagChangeKey.ID(): true, fxics.PidTagPredecessorChangeList.ID(): true, fxics.PidTagDisplayName.ID(): true,
	fxics.PidTagFolderId.ID(): true, fxics.PidTagParentFolderId.ID(): true, fxics.PidTagContainerClass.ID(): true,
}

// applyFolderChange adds or updates a folder from a folderChange.
func (s *Syncer) applyFolderChange(el *fxics.Element) error {
	r := s.r
	var (
		f                   Folder
		psk                 []byte
		havePSK, haveParent bool
	)
	for _, a := range el.Props() {
		p, err := propOf(a)
		if err != nil {
			return err
		}
		switch a.Tag.ID() {
		case fxics.PidTagParentSourceKey.ID():
			psk, _ = p.Value.([]byte)
			havePSK = true
		case fxics.PidTagSourceKey.ID():
			f.SourceKey, _ = p.Value.([]byte)
		case fxics.PidTagLastModificationTime.ID():
			f.LastModified, _ = p.Value.(prop.Filetime)
		case fxics.PidTagChangeKey.ID():
			f.ChangeKey, _ = p.Value.([]byte)
		case fxics.PidTagPredecessorChangeList.ID():
			f.PCL, _ = p.Value.([]byte)
		case fxics.PidTagDisplayName.ID():
			f.Name, _ = p.Value.(string)
		case fxics.PidTagFolderId.ID():
			v, _ := p.Value.(int64)
			f.ID = prop.ID(v)
		case fxics.PidTagParentFolderId.ID():
			v, _ := p.Value.(int64)
			f.Parent, haveParent = prop.ID(v), true
		case fxics.PidTagContainerClass.ID():
			f.Class, _ = p.Value.(string)
		}
		if !folderIdentity[a.Tag.ID()] {
			f.Props = append(f.Props, p)
		}
	}
	if f.ID == 0 {
		id, ok := r.ownID(f.SourceKey)
		if !ok {
			return fmt.Errorf("folderChange %q: no PidTagFolderId and a foreign source key", f.Name)
		}
		f.ID = id
	}
	if !haveParent {
		switch {
		case !havePSK || len(psk) == 0:
			f.Parent = r.Root
		default:
			p, ok := r.folderBySourceKey(psk)
			if !ok {
				return fmt.Errorf("folderChange %q: its parent %x is not in the replica", f.Name, psk)
			}
			f.Parent = p.ID
		}
	}
	s.rep.FolderChanges++
	if cur, ok := r.Folders[f.ID]; ok {
		cur.Parent, cur.SourceKey, cur.ChangeKey, cur.PCL = f.Parent, f.SourceKey, f.ChangeKey, f.PCL
		cur.LastModified, cur.Name, cur.Class, cur.Props = f.LastModified, f.Name, f.Class, f.Props
		cur.Dirty, cur.Created = false, false
		return nil
	}
	f.Messages = map[prop.ID]*Message{}
	r.Folders[f.ID] = &f
	return nil
}

// ownID maps a source key of the mailbox's replica to its id.
func (r *Replica) ownID(sk []byte) (prop.ID, bool) {
	x, err := fxics.DecodeXID(sk)
	if err != nil || x.NamespaceGuid != r.ReplicaGUID {
		return 0, false
	}
	gc, ok := x.GLOBCNT()
	if !ok {
		return 0, false
	}
	return prop.MakeID(r.ReplID, gc), true
}

// uploadHierarchy uploads the folders created and renamed locally, or
// with deletes the folders deleted locally — [MS-OXCFXICS] 3.3.4.3.3.1: a
// hierarchy collector on the root,
// RopSynchronizationImportHierarchyChange per folder (parents first) or
// RopSynchronizationImportDeletes, then the checkpoint state.
func (s *Syncer) uploadHierarchy(ctx context.Context, deletes bool) error {
	r := s.r
	b := &batch{}
	fo, co := b.out(), b.out()
	b.add(&rop.OpenFolderRequest{RequestHeader: hdr(b.in(s.lh)), OutputHandleIndex: fo, FolderId: r.Root})
	b.add(&rop.SynchronizationOpenCollectorRequest{RequestHeader: hdr(fo), OutputHandleIndex: co, IsContentsCollector: false})
	rest := addState(b, co, []stateProp{{fxics.MetaTagCnsetSeen, r.Hierarchy.CnsetSeen}})
	res, err := s.exec(ctx, b, nil)
	if err != nil {
		return err
	}
	fh, ch := res.Handle(fo), res.Handle(co)
	defer s.later(ch, fh)
	if err := s.uploadState(ctx, ch, rest); err != nil {
		return err
	}
	for _, f := range r.SortedFolders() {
		if !f.Dirty || deletes {
			continue
		}
		if _, ok := r.Folders[f.ID]; !ok {
			continue // removed with a refused parent
		}
		var psk []byte
		if f.Parent != r.Root {
			p, ok := r.Folders[f.Parent]
			if !ok {
				return fmt.Errorf("folder %q: parent %s not in the replica", f.Name, f.Parent)
			}
			psk = p.SourceKey
		}
		if psk == nil {
			psk = []byte{}
		}
		b := &batch{}
		hv := []prop.TaggedValue{
			{Tag: fxics.PidTagParentSourceKey, Value: psk},
			{Tag: fxics.PidTagSourceKey, Value: f.SourceKey},
			{Tag: fxics.PidTagLastModificationTime, Value: f.LastModified},
			{Tag: fxics.PidTagChangeKey, Value: f.ChangeKey},
			{Tag: fxics.PidTagPredecessorChangeList, Value: f.PCL},
			{Tag: fxics.PidTagDisplayName, Value: f.Name},
		}
		var pv []prop.TaggedValue
		if f.Class != "" {
			pv = append(pv, prop.TaggedValue{Tag: tagContainerClass, Value: f.Class})
		}
		b.add(&rop.SynchronizationImportHierarchyChangeRequest{RequestHeader: hdr(b.in(ch)), HierarchyValues: hv, PropertyValues: pv})
		res, err := s.exec(ctx, b, func(int, prop.ErrorCode) bool { return true })
		if err != nil {
			return err
		}
		switch rv := rvOf(res, 0); rv {
		case 0, ecSyncIgnore:
			f.Dirty, f.Created = false, false
			r.Hierarchy.IdsetGiven = r.addID(r.Hierarchy.IdsetGiven, f.ID)
			s.rep.Uploaded.Folders++
		default:
			// Refused: the server's version (if any) comes back with the
			// download.
			s.rep.Failures = append(s.rep.Failures, SyncConflict{Folder: f.Name, ID: f.ID, Kind: "folder-refused",
				Detail: "RopSynchronizationImportHierarchyChange: " + rv.String()})
			if f.Created {
				r.removeFolder(f.ID)
			} else {
				// Out of IdsetGiven, the server sends its version again.
				f.Dirty = false
				r.Hierarchy.IdsetGiven = r.removeID(r.Hierarchy.IdsetGiven, f.ID)
			}
		}
	}
	if deletes && len(r.DeletedFolders) > 0 {
		b := &batch{}
		b.add(&rop.SynchronizationImportDeletesRequest{RequestHeader: hdr(b.in(ch)), ImportDeleteFlags: importHierarchy,
			PropertyValues: []prop.TaggedValue{{Tag: fxics.PidTagSourceKey.WithType(prop.PtypMultipleBinary), Value: r.DeletedFolders}}})
		res, err := s.exec(ctx, b, func(int, prop.ErrorCode) bool { return true })
		if err != nil {
			return err
		}
		if rv := rvOf(res, 0); rv != 0 {
			s.rep.Failures = append(s.rep.Failures, SyncConflict{Folder: "(hierarchy)", Kind: "import-refused",
				Detail: fmt.Sprintf("RopSynchronizationImportDeletes of %d folders: %s", len(r.DeletedFolders), rv)})
			// They left IdsetGiven when deleted: the server sends them again.
		} else {
			s.rep.Uploaded.FolderDeletes += len(r.DeletedFolders)
		}
		r.DeletedFolders = nil
	}
	st, err := s.checkpoint(ctx, ch)
	if err != nil {
		return err
	}
	if st.CnsetSeen != nil {
		r.Hierarchy.CnsetSeen = *st.CnsetSeen
	}
	return nil
}

// ---- contents ----

// downloadContents runs the contents synchronization of a folder —
// [MS-OXCFXICS] 3.3.4.3.2 with SynchronizationType Contents.
func (s *Syncer) downloadContents(ctx context.Context, f *Folder) error {
	b := &batch{}
	fo, do := b.out(), b.out()
	oi := b.add(&rop.OpenFolderRequest{RequestHeader: hdr(b.in(s.lh)), OutputHandleIndex: fo, FolderId: f.ID})
	b.add(&rop.SynchronizationConfigureRequest{RequestHeader: hdr(fo), OutputHandleIndex: do, SynchronizationType: syncTypeContents,
		SendOptions: syncSendOptions, SynchronizationFlags: syncFlagsContents, SynchronizationExtraFlags: syncExtraContents})
	st := f.State
	rest := addState(b, do, []stateProp{{fxics.MetaTagIdsetGiven, st.IdsetGiven}, {fxics.MetaTagCnsetSeen, st.CnsetSeen},
		{fxics.MetaTagCnsetSeenFAI, st.CnsetSeenFAI}, {fxics.MetaTagCnsetRead, st.CnsetRead}})
	if len(rest) == 0 {
		b.add(s.getBuffer(do))
	}
	gone := false
	res, err := s.exec(ctx, b, func(i int, rv prop.ErrorCode) bool {
		if i == oi && rv == ecNotFound {
			gone = true
		}
		return gone || rv == ecServerBusy
	})
	if err != nil {
		return err
	}
	if gone {
		// Deleted on the server since the hierarchy download: the next
		// hierarchy synchronization reports it.
		s.rep.FoldersSkipped++
		return nil
	}
	fh, dh := res.Handle(fo), res.Handle(do)
	defer s.later(dh, fh)
	if len(rest) > 0 {
		if err := s.uploadState(ctx, dh, rest); err != nil {
			return err
		}
		res = nil
	}
	var final *fxics.ICSState
	d := newDownload(fxics.RootContentsSync, func(el *fxics.Element) error {
		switch el.Kind {
		case fxics.KindProgressTotal:
			if a := el.Prop(0x00000102); a != nil {
				var pi fxics.ProgressInformation
				if err := decodeProgress(a.Raw, &pi); err == nil {
					s.rep.NormalTotal += pi.NormalMessageCount
					s.rep.FAITotal += pi.FAIMessageCount
					s.rep.NormalTotalSize += pi.NormalMessageTotalSize
					s.rep.FAITotalSize += pi.FAIMessageTotalSize
				}
			}
		case fxics.KindMessageChangeFull:
			return s.applyMessageChange(f, el)
		case fxics.KindMessageChangePartial:
			return errors.New("messageChangePartial: partial item downloads were not asked for")
		case fxics.KindDeletions:
			for _, t := range []prop.Tag{fxics.MetaTagIdsetDeleted, fxics.MetaTagIdsetNoLongerInScope, fxics.MetaTagIdsetExpired} {
				set, err := idsetProp(el, t)
				if err != nil {
					return err
				}
				for id := range f.Messages {
					if set.ContainsID(id) {
						delete(f.Messages, id)
						s.rep.Deletions++
					}
				}
			}
		case fxics.KindReadStateChanges:
			for _, x := range []struct {
				t    prop.Tag
				read bool
			}{{fxics.MetaTagIdsetRead, true}, {fxics.MetaTagIdsetUnread, false}} {
				set, err := idsetProp(el, x.t)
				if err != nil {
					return err
				}
				for id, m := range f.Messages {
					if set.ContainsID(id) && !m.ReadDirty {
						m.setRead(x.read)
						s.rep.ReadChanges++
					}
				}
			}
		case fxics.KindState:
			st, err := fxics.StateOf(el)
			if err != nil {
				return err
			}
			final = &st
		}
		return nil
	})
	if err := s.drain(ctx, dh, d, res); err != nil {
		return err
	}
	if final == nil {
		return errors.New("the contents synchronization stream has no state")
	}
	f.State = State{IdsetGiven: deref(final.IdsetGiven), CnsetSeen: deref(final.CnsetSeen),
		CnsetSeenFAI: deref(final.CnsetSeenFAI), CnsetRead: deref(final.CnsetRead)}
	f.Synced = true
	s.rep.FoldersSynced++
	return nil
}

func decodeProgress(b []byte, pi *fxics.ProgressInformation) error {
	if len(b) != fxics.ProgressInformationSize {
		return fmt.Errorf("ProgressInformation of %d bytes", len(b))
	}
	c := wire.NewDecoder(b, false, "ProgressInformation")
	pi.Codec(c)
	return c.Err()
}

// Message header properties — [MS-OXCFXICS] 2.2.4.3.13
// messageChangeHeader — and what the replica keeps out of the content.
var messageIdentity = map[uint16]bool{
	fxics.PidTagSourceKey.ID(): true, fxics.PidTagLastModificationTime.ID(): true, fxics.PidTagChangeKey.ID(): true,
	fxics.PidTagPredecessorChangeList.ID(): true, fxics.PidTagAssociated.ID(): true, fxics.PidTagMid.ID(): true,
	fxics.PidTagMessageSize.ID(): true, fxics.PidTagChangeNumber.ID(): true,
}

// applyMessageChange adds or replaces a message from a messageChangeFull
// — [MS-OXCFXICS] 2.2.4.3.12.
func (s *Syncer) applyMessageChange(f *Folder, el *fxics.Element) error {
	m := &Message{}
	if h := el.Child(fxics.KindMessageChangeHeader); h != nil {
		for _, a := range h.Props() {
			p, err := propOf(a)
			if err != nil {
				return err
			}
			switch a.Tag.ID() {
			case fxics.PidTagSourceKey.ID():
				m.SourceKey, _ = p.Value.([]byte)
			case fxics.PidTagLastModificationTime.ID():
				m.LastModified, _ = p.Value.(prop.Filetime)
			case fxics.PidTagChangeKey.ID():
				m.ChangeKey, _ = p.Value.([]byte)
			case fxics.PidTagPredecessorChangeList.ID():
				m.PCL, _ = p.Value.([]byte)
			case fxics.PidTagAssociated.ID():
				m.FAI, _ = p.Value.(bool)
			case fxics.PidTagMid.ID():
				v, _ := p.Value.(int64)
				m.ID = prop.ID(v)
			case fxics.PidTagMessageSize.ID():
				m.Size, _ = p.Value.(int32)
			}
		}
	}
	if m.ID == 0 {
		id, ok := s.r.ownID(m.SourceKey)
		if !ok {
			return errors.New("messageChangeFull: no PidTagMid and a foreign source key")
		}
		m.ID = id
	}
	c, err := contentOf(el.Child(fxics.KindPropList), el.Child(fxics.KindMessageChildren))
	if err != nil {
		return fmt.Errorf("message %s: %w", m.ID, err)
	}
	m.Content = c
	v, _ := m.Prop(tagMessageFlags)
	fl, _ := v.(int32)
	m.Read = !m.FAI && uint32(fl)&msgFlagRead != 0
	if m.FAI {
		s.rep.FAIChanges++
	} else {
		s.rep.MessageChanges++
	}
	cur := f.Messages[m.ID]
	if cur != nil && cur.Dirty && !pclIncludes(m.PCL, cur.ChangeKey) {
		// A local change not uploaded yet that the server's version does
		// not include: keep it; its upload lets the server detect the
		// conflict and resolve it.
		return nil
	}
	// A version uploaded by this Sync comes back only when the server did
	// not store it as it was: it resolved a conflict (its CN is then kept
	// out of the checkpoint, [MS-OXCFXICS] 3.1.5.6.2), and its PCL
	// includes the upload.
	if ck, ok := s.uploaded[m.ID]; ok && pclIncludes(m.PCL, ck) {
		kind := "last-writer-wins"
		st, _ := m.Prop(tagMessageStatus)
		if n, _ := st.(int32); uint32(n)&msgStatusInConflict != 0 {
			kind = "conflict-message"
		}
		s.rep.Conflicts = append(s.rep.Conflicts, SyncConflict{Folder: f.Name, ID: m.ID, Kind: kind,
			Detail: fmt.Sprintf("the server resolved the local change %s into version %s", xidString(ck), xidString(m.ChangeKey))})
	}
	f.Messages[m.ID] = m
	return nil
}

func xidString(b []byte) string {
	x, err := fxics.DecodeXID(b)
	if err != nil {
		return fmt.Sprintf("%x", b)
	}
	return x.String()
}

// contentOf reads a message's propList and messageChildren.
func contentOf(pl, children *fxics.Element) (Content, error) {
	var c Content
	var err error
	if pl != nil {
		if c.Props, err = propsOf(pl); err != nil {
			return c, err
		}
	}
	if children == nil {
		return c, nil
	}
	for _, ch := range children.Children {
		switch ch.Kind {
		case fxics.KindRecipient:
			var rc Recipient
			if pl := ch.Child(fxics.KindPropList); pl != nil {
				if rc.Props, err = propsOf(pl); err != nil {
					return c, err
				}
			}
			c.Recipients = append(c.Recipients, rc)
		case fxics.KindAttachment:
			var at Attachment
			for _, x := range ch.Children {
				if x.Kind == fxics.KindProp && x.Atom.Tag == fxics.PidTagAttachNumber {
					v, _ := x.Atom.Value()
					at.Number, _ = v.(int32)
				}
			}
			if ac := ch.Child(fxics.KindAttachmentContent); ac != nil {
				if pl := ac.Child(fxics.KindPropList); pl != nil {
					if at.Props, err = propsOf(pl); err != nil {
						return c, err
					}
				}
				if em := ac.Child(fxics.KindEmbeddedMessage); em != nil {
					mc := em.Child(fxics.KindMessageContent)
					if mc == nil {
						return c, errors.New("embeddedMessage without messageContent")
					}
					e, err := contentOf(mc.Child(fxics.KindPropList), mc.Child(fxics.KindMessageChildren))
					if err != nil {
						return c, err
					}
					at.Embedded = &e
				}
			}
			c.Attachments = append(c.Attachments, at)
		}
	}
	return c, nil
}

func propsOf(pl *fxics.Element) ([]Prop, error) {
	atoms := pl.Props()
	out := make([]Prop, 0, len(atoms))
	for _, a := range atoms {
		p, err := propOf(a)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// uploadContents uploads a folder's local changes — [MS-OXCFXICS]
// 3.3.4.3.3.2: a contents collector with the folder's CNSETs (IdsetGiven
// is left out, 3.1.5.2.1), the moves into the folder, the new and changed
// messages, the deletions and the read-state changes; then the checkpoint
// state, into which the ids of the objects uploaded are merged.
func (s *Syncer) uploadContents(ctx context.Context, f *Folder) error {
	r := s.r
	b := &batch{}
	fo, co := b.out(), b.out()
	oi := b.add(&rop.OpenFolderRequest{RequestHeader: hdr(b.in(s.lh)), OutputHandleIndex: fo, FolderId: f.ID})
	b.add(&rop.SynchronizationOpenCollectorRequest{RequestHeader: hdr(fo), OutputHandleIndex: co, IsContentsCollector: true})
	rest := addState(b, co, []stateProp{{fxics.MetaTagCnsetSeen, f.State.CnsetSeen}, {fxics.MetaTagCnsetSeenFAI, f.State.CnsetSeenFAI},
		{fxics.MetaTagCnsetRead, f.State.CnsetRead}})
	gone := false
	res, err := s.exec(ctx, b, func(i int, rv prop.ErrorCode) bool {
		if i == oi && rv == ecNotFound {
			gone = true
		}
		return gone
	})
	if err != nil {
		return err
	}
	if gone {
		// Deleted on the server: the local changes inside go with it.
		s.rep.Failures = append(s.rep.Failures, SyncConflict{Folder: f.Name, ID: f.ID, Kind: "deleted-on-server",
			Detail: "the folder's local changes are dropped"})
		r.removeFolder(f.ID)
		return nil
	}
	fh, ch := res.Handle(fo), res.Handle(co)
	defer s.later(ch, fh)
	if err := s.uploadState(ctx, ch, rest); err != nil {
		return err
	}
	if err := s.uploadMoves(ctx, f, ch); err != nil {
		return err
	}
	ids := make([]prop.ID, 0, len(f.Messages))
	for id, m := range f.Messages {
		if m.Dirty {
			ids = append(ids, id)
		}
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	for _, id := range ids {
		if err := s.uploadMessage(ctx, f, ch, f.Messages[id]); err != nil {
			return fmt.Errorf("message %s: %w", id, err)
		}
	}
	if len(f.DeletedMessages) > 0 {
		b := &batch{}
		b.add(&rop.SynchronizationImportDeletesRequest{RequestHeader: hdr(b.in(ch)), ImportDeleteFlags: 0,
			PropertyValues: []prop.TaggedValue{{Tag: fxics.PidTagSourceKey.WithType(prop.PtypMultipleBinary), Value: f.DeletedMessages}}})
		res, err := s.exec(ctx, b, func(int, prop.ErrorCode) bool { return true })
		if err != nil {
			return err
		}
		if rv := rvOf(res, 0); rv != 0 {
			s.rep.Failures = append(s.rep.Failures, SyncConflict{Folder: f.Name, Kind: "import-refused",
				Detail: fmt.Sprintf("RopSynchronizationImportDeletes of %d messages: %s", len(f.DeletedMessages), rv)})
		} else {
			s.rep.Uploaded.Deletes += len(f.DeletedMessages)
		}
		f.DeletedMessages = nil
	}
	var states []rop.MessageReadState
	var readIDs []prop.ID
	for _, m := range f.Messages {
		if m.ReadDirty {
			states = append(states, rop.MessageReadState{MessageId: m.SourceKey, MarkAsRead: m.Read})
			readIDs = append(readIDs, m.ID)
		}
	}
	if len(states) > 0 {
		b := &batch{}
		b.add(&rop.SynchronizationImportReadStateChangesRequest{RequestHeader: hdr(b.in(ch)), MessageReadStates: states})
		res, err := s.exec(ctx, b, func(int, prop.ErrorCode) bool { return true })
		if err != nil {
			return err
		}
		if rv := rvOf(res, 0); rv != 0 {
			s.rep.Failures = append(s.rep.Failures, SyncConflict{Folder: f.Name, Kind: "import-refused",
				Detail: fmt.Sprintf("RopSynchronizationImportReadStateChanges of %d messages: %s", len(states), rv)})
			// Out of IdsetGiven, the messages come back whole with the
			// server's read state.
			for _, id := range readIDs {
				f.State.IdsetGiven = r.removeID(f.State.IdsetGiven, id)
			}
		} else {
			s.rep.Uploaded.ReadStates += len(states)
		}
		for _, id := range readIDs {
			f.Messages[id].ReadDirty = false
		}
	}
	st, err := s.checkpoint(ctx, ch)
	if err != nil {
		return err
	}
	// The checkpoint's CNSETs: what the client had plus what it uploaded;
	// IdsetGiven is the client's own (3.1.5.2.1).
	if st.CnsetSeen != nil {
		f.State.CnsetSeen = *st.CnsetSeen
	}
	if st.CnsetSeenFAI != nil {
		f.State.CnsetSeenFAI = *st.CnsetSeenFAI
	}
	if st.CnsetRead != nil {
		f.State.CnsetRead = *st.CnsetRead
	}
	return nil
}

// uploadMoves uploads the messages moved into a folder —
// RopSynchronizationImportMessageMove, [MS-OXCFXICS] 3.3.4.3.3.2.3.
func (s *Syncer) uploadMoves(ctx context.Context, f *Folder, ch uint32) error {
	if len(f.Moves) == 0 {
		return nil
	}
	r := s.r
	b := &batch{}
	slot := b.in(ch)
	for _, mv := range f.Moves {
		b.add(&rop.SynchronizationImportMessageMoveRequest{RequestHeader: hdr(slot), SourceFolderId: mv.SourceFolderKey,
			SourceMessageId: mv.SourceMessageKey, PredecessorChangeList: mv.PCL, DestinationMessageId: mv.SourceKey, ChangeNumber: mv.ChangeKey})
	}
	res, err := s.exec(ctx, b, func(int, prop.ErrorCode) bool { return true })
	if err != nil {
		return err
	}
	for i, mv := range f.Moves {
		switch rv := rvOf(res, i); rv {
		case 0:
			f.State.IdsetGiven = r.addID(f.State.IdsetGiven, mv.ID)
			s.rep.Uploaded.Moves++
		case ecSyncNewerClientChange:
			// The local version is newer: its content follows.
			f.State.IdsetGiven = r.addID(f.State.IdsetGiven, mv.ID)
			if m, ok := f.Messages[mv.ID]; ok {
				m.Dirty = true
			}
			s.rep.Uploaded.Moves++
		default:
			// Deleted or moved on the server: the local copy goes; the
			// server's version (if any) comes with its folder's download.
			delete(f.Messages, mv.ID)
			src, _ := r.ownID(mv.SourceMessageKey)
			s.rep.Failures = append(s.rep.Failures, SyncConflict{Folder: f.Name, ID: src, Kind: "move-failed",
				Detail: fmt.Sprintf("RopSynchronizationImportMessageMove to %s: %s", mv.ID, rv)})
		}
	}
	f.Moves = nil
	return nil
}

// Message properties an upload leaves out: identity and change tracking
// travel in the ImportMessageChange header ([MS-OXCFXICS] 2.2.3.2.4.2.1),
// and the server computes ids, sizes and object properties.
var uploadSkip = map[uint16]bool{
	fxics.PidTagSourceKey.ID(): true, fxics.PidTagParentSourceKey.ID(): true, fxics.PidTagChangeKey.ID(): true,
	fxics.PidTagPredecessorChangeList.ID(): true, fxics.PidTagLastModificationTime.ID(): true,
	fxics.PidTagChangeNumber.ID(): true, fxics.PidTagMid.ID(): true, fxics.PidTagFolderId.ID(): true,
	fxics.PidTagParentFolderId.ID(): true, fxics.PidTagInstID.ID(): true, fxics.PidTagMessageSize.ID(): true,
	fxics.PidTagAssociated.ID(): true, fxics.PidTagMessageRecipients.ID(): true, fxics.PidTagMessageAttachments.ID(): true,
	0x0E1B: true, // PidTagHasAttachments
	0x674E: true, // PidTagInstanceNum
}

func uploadProps(ps []Prop) []Prop {
	out := make([]Prop, 0, len(ps))
	for _, p := range ps {
		if !p.Tag.Named() && uploadSkip[p.Tag.ID()] {
			continue
		}
		out = append(out, p)
	}
	return out
}

// uploadMessage uploads a new or changed message —
// RopSynchronizationImportMessageChange ([MS-OXCFXICS] 3.3.4.3.3.2.1),
// its content through RopSetProperties or a FastTransfer stream
// (RopFastTransferDestinationConfigure and PutBuffer, 3.3.4.2.2), then
// RopSaveChangesMessage.
func (s *Syncer) uploadMessage(ctx context.Context, f *Folder, ch uint32, m *Message) error {
	r := s.r
	props := uploadProps(m.Props)
	useFX := len(m.Recipients) > 0 || len(m.Attachments) > 0
	size := 0
	for _, p := range props {
		if p.Tag.Named() {
			useFX = true
		}
		size += valueSize(p.Value)
	}
	if size > setPropsLimit {
		useFX = true
	}
	var stream []byte
	if useFX {
		var err error
		if stream, err = encodeContent(Content{Props: props, Recipients: m.Recipients, Attachments: m.Attachments}); err != nil {
			return err
		}
	}
	flag := uint8(0)
	if m.FAI {
		flag = importAssociated
	}
	b := &batch{}
	ms := b.out()
	ii := b.add(&rop.SynchronizationImportMessageChangeRequest{RequestHeader: hdr(b.in(ch)), OutputHandleIndex: ms, ImportFlag: flag,
		PropertyValues: []prop.TaggedValue{
			{Tag: fxics.PidTagSourceKey, Value: m.SourceKey},
			{Tag: fxics.PidTagLastModificationTime, Value: m.LastModified},
			{Tag: fxics.PidTagChangeKey, Value: m.ChangeKey},
			{Tag: fxics.PidTagPredecessorChangeList, Value: m.PCL},
		}})
	var fx uint8
	inline := !useFX || len(stream) <= putChunk
	si := -1
	if useFX {
		fx = b.out()
		b.add(&rop.FastTransferDestinationConfigureRequest{RequestHeader: hdr(ms), OutputHandleIndex: fx, SourceOperation: fxOpCopyTo})
		if inline {
			b.add(&rop.FastTransferDestinationPutBufferRequest{RequestHeader: hdr(fx), TransferData: stream})
		}
	} else {
		tv := make([]prop.TaggedValue, len(props))
		for i, p := range props {
			tv[i] = prop.TaggedValue{Tag: p.Tag, Value: p.Value}
		}
		b.add(&rop.SetPropertiesRequest{RequestHeader: hdr(ms), PropertyValues: tv})
	}
	if inline {
		si = b.add(&rop.SaveChangesMessageRequest{RequestHeader: hdr(ms), ResponseHandleIndex: ms, SaveFlags: saveKeepOpenRW})
		if useFX {
			b.add(&rop.ReleaseRequest{RequestHeader: hdr(fx)})
		}
		b.add(&rop.ReleaseRequest{RequestHeader: hdr(ms)})
	}
	tolerate := func(int, prop.ErrorCode) bool { return true }
	res, err := s.exec(ctx, b, tolerate)
	if err != nil {
		return err
	}
	rv := rvOf(res, ii)
	if rv == 0 && !inline {
		mh, fh := res.Handle(ms), res.Handle(fx)
		if rv = rvOf(res, ii+1); rv != 0 {
			s.later(mh)
			return fmt.Errorf("RopFastTransferDestinationConfigure: %s", rv)
		}
		for off := 0; off < len(stream); off += putChunk {
			b := &batch{}
			b.add(&rop.FastTransferDestinationPutBufferRequest{RequestHeader: hdr(b.in(fh)), TransferData: stream[off:min(off+putChunk, len(stream))]})
			if _, err := s.exec(ctx, b, nil); err != nil {
				s.later(fh, mh)
				return err
			}
		}
		b := &batch{}
		slot := b.in(mh)
		b.add(&rop.SaveChangesMessageRequest{RequestHeader: hdr(slot), ResponseHandleIndex: slot, SaveFlags: saveKeepOpenRW})
		s.later(fh, mh)
		res, err = s.exec(ctx, b, tolerate)
		if err != nil {
			return err
		}
		rv = rvOf(res, 0)
	} else if rv == 0 {
		for i := ii + 1; i < si; i++ {
			if v := rvOf(res, i); v != 0 {
				return fmt.Errorf("%s: %s", rop.Name(b.rops[i].Header().RopId), v)
			}
		}
		rv = rvOf(res, si)
	}
	switch rv {
	case 0:
		m.Dirty, m.New = false, false
		f.State.IdsetGiven = r.addID(f.State.IdsetGiven, m.ID)
		s.uploaded[m.ID] = m.ChangeKey
		if m.FAI {
			s.rep.Uploaded.FAI++
		} else {
			s.rep.Uploaded.Messages++
		}
	case ecSyncIgnore:
		// The server's version already includes this one (IgnoreFailure,
		// [MS-OXCFXICS] 3.1.5.6.1): a newer one, if any, comes down.
		m.Dirty, m.New = false, false
		f.State.IdsetGiven = r.addID(f.State.IdsetGiven, m.ID)
		s.rep.Conflicts = append(s.rep.Conflicts, SyncConflict{Folder: f.Name, ID: m.ID, Kind: "server-newer",
			Detail: "RopSynchronizationImportMessageChange: the server's version includes the local one"})
	default:
		// Refused (deleted on the server, moved away, …): the local
		// version goes and the server's, if any, comes back with the
		// download.
		kind := "import-refused"
		if rv == ecSyncObjectDeleted {
			kind = "deleted-on-server"
		}
		s.rep.Failures = append(s.rep.Failures, SyncConflict{Folder: f.Name, ID: m.ID, Kind: kind,
			Detail: "RopSynchronizationImportMessageChange: " + rv.String()})
		delete(f.Messages, m.ID)
		f.State.IdsetGiven = r.removeID(f.State.IdsetGiven, m.ID)
	}
	return nil
}

// valueSize approximates the wire size of a property value.
func valueSize(v any) int {
	switch x := v.(type) {
	case string:
		return 2*len(x) + 2
	case []byte:
		return len(x) + 2
	case [][]byte:
		n := 0
		for _, b := range x {
			n += len(b) + 2
		}
		return n
	case []string:
		n := 0
		for _, s := range x {
			n += 2*len(s) + 2
		}
		return n
	}
	return 8
}

// encodeContent writes a messageContent — [MS-OXCFXICS] 2.2.4.3.16:
// propList, then the recipients and attachments (messageChildren).
func encodeContent(c Content) ([]byte, error) {
	w := fxics.NewWriter(nil)
	writeContent(w, c)
	return w.Bytes(), w.Err()
}

func writeContent(w *fxics.Writer, c Content) {
	for _, p := range c.Props {
		writeProp(w, p)
	}
	for _, rc := range c.Recipients {
		w.Marker(fxics.StartRecip)
		for _, p := range rc.Props {
			writeProp(w, p)
		}
		w.Marker(fxics.EndToRecip)
	}
	for _, a := range c.Attachments {
		w.Marker(fxics.NewAttach)
		w.Prop(fxics.PidTagAttachNumber, a.Number)
		for _, p := range a.Props {
			if p.Tag.ID() == fxics.PidTagAttachNumber.ID() {
				continue
			}
			writeProp(w, p)
		}
		if a.Embedded != nil {
			w.Marker(fxics.StartEmbed)
			writeContent(w, Content{Props: uploadProps(a.Embedded.Props), Recipients: a.Embedded.Recipients, Attachments: a.Embedded.Attachments})
			w.Marker(fxics.EndEmbed)
		}
		w.Marker(fxics.EndAttach)
	}
}

func writeProp(w *fxics.Writer, p Prop) {
	if p.Tag.Named() && p.Name != nil {
		w.NamedProp(p.Tag, *p.Name, p.Value)
		return
	}
	w.Prop(p.Tag, p.Value)
}

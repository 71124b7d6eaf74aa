package server

import (
	"errors"
	"sort"

	"github.com/mapiscope/mapiscope/decode/fxics"
	"github.com/mapiscope/mapiscope/decode/prop"
	"github.com/mapiscope/mapiscope/server/store"
)

// ICS download contexts — [MS-OXCFXICS] 3.2.5.9: RopSynchronizationConfigure
// makes one on a folder; the client uploads its ICS state (3.2.5.9.2);
// the first RopFastTransferSourceGetBuffer plans the synchronization
// against that state and the stream is then produced message by message
// (or folder by folder), ending with the new state.

// SynchronizationFlags — [MS-OXCFXICS] 2.2.3.2.1.1.1.
const (
	syncUnicode                 uint16 = 0x0001
	syncNoDeletions             uint16 = 0x0002
	syncIgnoreNoLongerInScope   uint16 = 0x0004 // SYNC_NO_SOFT_DELETIONS in MAPI's names
	syncReadState               uint16 = 0x0008
	syncFAI                     uint16 = 0x0010
	syncNormal                  uint16 = 0x0020
	syncOnlySpecifiedProperties uint16 = 0x0080
	syncNoForeignIdentifiers    uint16 = 0x0100
	syncBestBody                uint16 = 0x2000
	syncIgnoreSpecifiedOnFAI    uint16 = 0x4000
	syncProgress                uint16 = 0x8000
)

// SynchronizationExtraFlags — [MS-OXCFXICS] 2.2.3.2.1.1.1.
const (
	syncEid                 uint32 = 0x01
	syncMessageSize         uint32 = 0x02
	syncCN                  uint32 = 0x04
	syncOrderByDeliveryTime uint32 = 0x08
)

// maxStateUpload bounds an uploaded ICS state property (IDSETs of a large
// mailbox are a few hundred kilobytes).
const maxStateUpload = 64 << 20

// stateStream is a state property upload in progress —
// RopSynchronizationUploadStateStreamBegin, Continue, End.
type stateStream struct {
	tag  prop.Tag
	open bool
	buf  []byte
}

// stateReceiver is a synchronization context that takes an uploaded ICS
// state ([MS-OXCFXICS] 3.2.5.9.2): a download context before its first
// RopFastTransferSourceGetBuffer, or an upload collector (ics_upload.go
// implements it on its collector). The state upload ROPs in rops_fx.go
// work on any stateReceiver.
type stateReceiver interface {
	object
	// stateUpload is the context's upload buffer.
	stateUpload() *stateStream
	// acceptState says whether the context takes state property tag now
	// (ecSuccess) or why not.
	acceptState(tag prop.Tag) prop.ErrorCode
	// setState stores an uploaded set, REPLGUID form, normalized; an
	// empty stream gives an empty set.
	setState(tag prop.Tag, set fxics.IDSet) prop.ErrorCode
}

// stateSource is a synchronization context whose current ICS state
// RopSynchronizationGetTransferState turns into a FastTransfer download
// ([MS-OXCFXICS] 2.2.3.2.3.1): a download context here, an upload
// collector in ics_upload.go.
type stateSource interface {
	object
	transferState(x *execCtx) (fxics.ICSState, prop.ErrorCode)
}

// fxSource is an object RopFastTransferSourceGetBuffer reads.
type fxSource interface {
	object
	fxStream(x *execCtx) (*fxStream, prop.ErrorCode)
}

// fxVersioned is a FastTransfer context that takes RopTellVersion.
type fxVersioned interface {
	object
	tellVersion(v [3]uint16)
}

// isStateTag reports the ICS state properties a client may upload —
// [MS-OXCFXICS] 2.2.1.1 (MetaTagIdsetGiven also as PtypBinary).
func isStateTag(t prop.Tag) bool {
	switch t {
	case fxics.MetaTagIdsetGiven, fxics.MetaTagIdsetGiven.WithType(prop.PtypBinary),
		fxics.MetaTagCnsetSeen, fxics.MetaTagCnsetSeenFAI, fxics.MetaTagCnsetRead:
		return true
	}
	return false
}

// icsState is an ICS state as sets in REPLGUID form; nil is a set the
// client did not upload.
type icsState struct {
	given, seen, seenFAI, read *fxics.IDSet
}

// set stores one uploaded state property.
func (st *icsState) set(tag prop.Tag, s fxics.IDSet) {
	v := s.Normalize()
	switch tag {
	case fxics.MetaTagCnsetSeen:
		st.seen = &v
	case fxics.MetaTagCnsetSeenFAI:
		st.seenFAI = &v
	case fxics.MetaTagCnsetRead:
		st.read = &v
	default:
		st.given = &v
	}
}

func orEmpty(s *fxics.IDSet) *fxics.IDSet {
	if s == nil {
		return &fxics.IDSet{}
	}
	return s
}

// fxDownload is a FastTransfer download context of a copy operation or of
// RopSynchronizationGetTransferState.
type fxDownload struct {
	lg      *logonObj
	s       *fxStream
	version [3]uint16
}

func (d *fxDownload) logon() *logonObj                              { return d.lg }
func (d *fxDownload) fxStream(*execCtx) (*fxStream, prop.ErrorCode) { return d.s, 0 }
func (d *fxDownload) tellVersion(v [3]uint16)                       { d.version = v }

// icsDownload is a synchronization download context — [MS-OXCFXICS]
// 3.2.5.9.1.
type icsDownload struct {
	lg          *logonObj
	fid         prop.ID
	hierarchy   bool
	so          uint8 // SendOptions, with Unicode when the SynchronizationFlags have it
	flags       uint16
	extra       uint32
	filter      fxFilter
	restriction *prop.Restriction
	version     [3]uint16

	upload stateStream
	up     icsState // what the client uploaded

	stream *fxStream       // from the first GetBuffer
	final  *fxics.ICSState // the state once the stream wrote it
	plan   *icsPlan
}

func (d *icsDownload) logon() *logonObj        { return d.lg }
func (d *icsDownload) tellVersion(v [3]uint16) { d.version = v }
func (d *icsDownload) stateUpload() *stateStream {
	return &d.upload
}

func (d *icsDownload) acceptState(tag prop.Tag) prop.ErrorCode {
	if d.stream != nil || !isStateTag(tag) {
		return ecInvalidParam
	}
	if d.hierarchy && (tag == fxics.MetaTagCnsetSeenFAI || tag == fxics.MetaTagCnsetRead) {
		return ecInvalidParam
	}
	return 0
}

func (d *icsDownload) setState(tag prop.Tag, s fxics.IDSet) prop.ErrorCode {
	if ec := d.acceptState(tag); ec != 0 {
		return ec
	}
	d.up.set(tag, s)
	return 0
}

// transferState is the state the download brought the client to once its
// stream ended, and the uploaded state before that (a state taken in the
// middle of a download is not to be used — [MS-OXCFXICS] 3.3.5.9.1).
func (d *icsDownload) transferState(*execCtx) (fxics.ICSState, prop.ErrorCode) {
	if d.final != nil {
		return *d.final, 0
	}
	st := fxics.ICSState{CnsetSeen: orEmpty(d.up.seen), IdsetGiven: orEmpty(d.up.given)}
	if !d.hierarchy {
		st.CnsetSeenFAI, st.CnsetRead = orEmpty(d.up.seenFAI), orEmpty(d.up.read)
	}
	return st, 0
}

func (d *icsDownload) fxStream(x *execCtx) (*fxStream, prop.ErrorCode) {
	if d.stream != nil {
		return d.stream, 0
	}
	var err error
	if d.hierarchy {
		err = d.planHierarchy(x)
	} else {
		err = d.planContents(x)
	}
	if err != nil {
		return nil, ecOf(err)
	}
	return d.stream, 0
}

// ---- replica GUIDs and sets ----

// replMap maps the mailbox's REPLIDs and REPLGUIDs both ways.
type replMap struct {
	byID   map[uint16]prop.GUID
	byGUID map[prop.GUID]uint16
}

func newReplMap(ids map[uint16]prop.GUID) replMap {
	m := replMap{byID: ids, byGUID: map[prop.GUID]uint16{}}
	for id, g := range ids {
		m.byGUID[g] = id
	}
	return m
}

// guidSet is the REPLGUID-form set of ids (or change numbers) given in
// REPLID form; ids of unknown replicas are left out.
func (m replMap) guidSet(ids []prop.ID) fxics.IDSet {
	per := map[prop.GUID][]fxics.Range{}
	for _, id := range ids {
		g, ok := m.byID[id.ReplicaId()]
		if !ok {
			continue
		}
		gc := id.GlobalCounter()
		per[g] = append(per[g], fxics.Range{Low: gc, High: gc})
	}
	var s fxics.IDSet
	for g, rs := range per {
		s = append(s, fxics.ReplicaRanges{ReplGUID: g, HasGUID: true, Ranges: rs})
	}
	return s.Normalize()
}

// replidSet converts a REPLGUID-form set to the REPLID form (replicas the
// mailbox does not know are dropped: none of their ids exist here).
func (m replMap) replidSet(s fxics.IDSet) fxics.IDSet {
	var out fxics.IDSet
	for _, r := range s {
		if !r.HasGUID {
			out = append(out, r)
			continue
		}
		id, ok := m.byGUID[r.ReplGUID]
		if !ok {
			continue
		}
		out = append(out, fxics.ReplicaRanges{ReplID: id, Ranges: r.Ranges})
	}
	return out.Normalize()
}

// guidForm converts the REPLID replicas of a set to REPLGUID ones: ICS
// state properties go out in the REPLGUID form ([MS-OXCFXICS] 3.1.5.4.2),
// and fxics.IDSet.Encode(true) leaves REPLID replicas out.
func (m replMap) guidForm(s fxics.IDSet) fxics.IDSet {
	var out fxics.IDSet
	for _, r := range s {
		if r.HasGUID {
			out = append(out, r)
			continue
		}
		g, ok := m.byID[r.ReplID]
		if !ok {
			continue
		}
		out = append(out, fxics.ReplicaRanges{ReplGUID: g, HasGUID: true, Ranges: r.Ranges})
	}
	return out.Normalize()
}

// icsReplicas returns the replica map of a logon's mailbox.
func (x *execCtx) icsReplicas(lg *logonObj) (replMap, error) {
	ids, err := x.st.Replicas(lg.mb)
	if err != nil {
		return replMap{}, err
	}
	return newReplMap(ids), nil
}

// idLookup answers membership in a normalized set in logarithmic time.
type idLookup map[prop.GUID][]fxics.Range

func newIDLookup(s *fxics.IDSet) idLookup {
	l := idLookup{}
	if s == nil {
		return l
	}
	for _, r := range s.Normalize() {
		if r.HasGUID {
			l[r.ReplGUID] = r.Ranges
		}
	}
	return l
}

func (l idLookup) has(g prop.GUID, v uint64) bool {
	rs := l[g]
	i := sort.Search(len(rs), func(i int) bool { return rs[i].High >= v })
	return i < len(rs) && rs[i].Low <= v
}

// hasID reports an id (REPLID form) in the set.
func (l idLookup) hasID(m replMap, id prop.ID) bool {
	g, ok := m.byID[id.ReplicaId()]
	return ok && l.has(g, id.GlobalCounter())
}

// ---- the plan ----

// icsItem is one object a synchronization sends.
type icsItem struct {
	id     prop.ID
	parent prop.ID // folders
	assoc  bool
	size   int32
	when   prop.Filetime
	cn     uint64
}

// icsPlan is what a synchronization found to send, and what it sent.
type icsPlan struct {
	repl   replMap
	lastCN uint64 // the CN high-water mark before the scan
	// Deletions in REPLID form (nil: none).
	deleted, noLongerInScope fxics.IDSet
	read, unread             fxics.IDSet
	// givenBase is the part of IdsetGiven that does not depend on what is
	// sent: the uploaded set minus the deletions, or the objects in scope
	// when none was uploaded (REPLGUID form).
	givenBase fxics.IDSet
	sent      []prop.ID
	sentCN    map[bool][]uint64 // CNs above lastCN sent, by FAI
}

// cnSet is {1..lastCN} plus extra CNs, in REPLGUID form.
func (p *icsPlan) cnSet(mb *store.Mailbox, extra []uint64) fxics.IDSet {
	var rs []fxics.Range
	if p.lastCN > 0 {
		rs = append(rs, fxics.Range{Low: 1, High: p.lastCN})
	}
	for _, c := range extra {
		rs = append(rs, fxics.Range{Low: c, High: c})
	}
	if len(rs) == 0 {
		return nil
	}
	return fxics.IDSet{{ReplGUID: mb.ReplicaGUID, HasGUID: true, Ranges: rs}}.Normalize()
}

// planContents scans the folder against the uploaded state and queues the
// stream of a contents synchronization — [MS-OXCFXICS] 2.2.4.3.2:
// [progressTotal] *([progressPerMessage] messageChange) [deletions]
// [readStateChanges] state IncrSyncEnd.
func (d *icsDownload) planContents(x *execCtx) error {
	mb := d.lg.mb
	lastCN, err := x.st.LastChangeNumber(mb)
	if err != nil {
		return err
	}
	rows, err := x.st.SyncContents(mb, d.fid, d.restriction)
	if err != nil {
		return err
	}
	repl, err := x.icsReplicas(d.lg)
	if err != nil {
		return err
	}
	p := &icsPlan{repl: repl, lastCN: lastCN, sentCN: map[bool][]uint64{}}
	d.plan = p
	normal := d.flags&syncNormal != 0
	fai := d.flags&syncFAI != 0
	given := newIDLookup(d.up.given)
	seen, seenFAI, read := newIDLookup(d.up.seen), newIDLookup(d.up.seenFAI), newIDLookup(d.up.read)
	ours := mb.ReplicaGUID
	reportScope := d.flags&(syncNoDeletions|syncIgnoreNoLongerInScope) == 0
	var send []icsItem
	var existing, inScope, nlis, readIDs, unreadIDs []prop.ID
	for _, r := range rows {
		existing = append(existing, r.ID)
		if (r.Associated && !fai) || (!r.Associated && !normal) {
			continue
		}
		has := d.up.given != nil && given.hasID(p.repl, r.ID)
		if !r.InScope {
			if has && reportScope {
				nlis = append(nlis, r.ID)
			}
			continue
		}
		inScope = append(inScope, r.ID)
		cns := seen
		if r.Associated {
			cns = seenFAI
		}
		if !cns.has(ours, r.ChangeNumber) || (d.up.given != nil && !has) {
			send = append(send, icsItem{id: r.ID, assoc: r.Associated, size: r.Size, when: r.DeliveryTime, cn: r.ChangeNumber})
			continue
		}
		// Known and unchanged: a read-state change only — 3.2.5.6.
		if d.flags&syncReadState != 0 && !r.Associated && r.ReadCN != 0 && !read.has(ours, r.ReadCN) {
			if r.Read {
				readIDs = append(readIDs, r.ID)
			} else {
				unreadIDs = append(unreadIDs, r.ID)
			}
		}
	}
	// Deletions — 3.2.5.3: what the client has and the folder no longer
	// does; without an uploaded IdsetGiven, the tombstones it has not seen.
	var deletedIDs []prop.ID
	var gone fxics.IDSet // reported deletions of IdsetGiven, REPLGUID form
	if d.flags&syncNoDeletions == 0 {
		if d.up.given != nil {
			p.deleted = p.repl.replidSet(fxics.Difference(*d.up.given, p.repl.guidSet(existing)))
			gone = p.repl.guidForm(p.deleted) // of the replicas the mailbox knows
		} else if len(*orEmpty(d.up.seen))+len(*orEmpty(d.up.seenFAI)) > 0 {
			tombs, err := x.st.Tombstones(mb, d.fid, 0)
			if err != nil {
				return err
			}
			for _, t := range tombs {
				cns := seen
				if t.Associated {
					cns = seenFAI
				}
				if (t.Associated && fai || !t.Associated && normal) && !cns.has(ours, t.ChangeNumber) {
					deletedIDs = append(deletedIDs, t.ID)
				}
			}
			p.deleted = p.repl.replidSet(p.repl.guidSet(deletedIDs))
		}
	}
	p.noLongerInScope = p.repl.replidSet(p.repl.guidSet(nlis))
	p.read = p.repl.replidSet(p.repl.guidSet(readIDs))
	p.unread = p.repl.replidSet(p.repl.guidSet(unreadIDs))
	// What the client keeps: all it had but what is reported gone.
	if d.up.given != nil {
		p.givenBase = fxics.Difference(*d.up.given, fxics.Union(gone, p.repl.guidSet(nlis)))
	} else {
		p.givenBase = p.repl.guidSet(inScope)
	}

	// FAI messages first (the configuration Outlook needs before the
	// mail), then the normal ones newest first by delivery time when asked,
	// else in change order.
	sort.SliceStable(send, func(i, j int) bool {
		a, b := send[i], send[j]
		if a.assoc != b.assoc {
			return a.assoc
		}
		if d.extra&syncOrderByDeliveryTime != 0 && !a.assoc && a.when != b.when {
			return a.when > b.when
		}
		return a.cn < b.cn
	})
	s := newFXStream()
	s.total = len(send)
	if d.flags&syncProgress != 0 {
		var pi fxics.ProgressInformation
		for _, it := range send {
			if it.assoc {
				pi.FAIMessageCount++
				pi.FAIMessageTotalSize += uint64(max(it.size, 0))
			} else {
				pi.NormalMessageCount++
				pi.NormalMessageTotalSize += uint64(max(it.size, 0))
			}
		}
		s.steps = append(s.steps, fxElemStep(fxics.ProgressTotalElement(pi)))
	}
	for _, it := range send {
		s.steps = append(s.steps, d.messageStep(it))
	}
	s.steps = append(s.steps, d.tailStep())
	d.stream = s
	return nil
}

// messageStep writes one messageChangeFull — [MS-OXCFXICS] 2.2.4.3.12:
// IncrSyncChg, the messageChangeHeader (2.2.4.3.13), IncrSyncMessage, the
// message's properties and its recipients and attachments.
func (d *icsDownload) messageStep(it icsItem) fxStep {
	return func(x *execCtx, s *fxStream) error {
		s.progress++
		lg := d.lg
		mb := lg.mb
		m, err := x.st.OpenMessage(mb, d.fid, it.id)
		if errors.Is(err, store.ErrNotFound) {
			return nil // gone since the scan: the next synchronization reports it
		}
		if err != nil {
			return err
		}
		p := m.AllProps()
		cn := it.cn
		if v, ok := p.Get(store.TagChangeNumber); ok {
			if n, ok := v.(int64); ok {
				cn = prop.ID(n).GlobalCounter()
			}
		}
		bin := func(t prop.Tag, def func() []byte) []byte {
			if v, ok := p.Get(t); ok {
				if b, ok := v.([]byte); ok && len(b) > 0 {
					return b
				}
			}
			return def()
		}
		g := d.plan.repl.byID[it.id.ReplicaId()]
		sk := bin(store.TagSourceKey, func() []byte { return store.XID(g, it.id.GlobalCounter()) })
		ck := bin(store.TagChangeKey, func() []byte { return store.XID(mb.ReplicaGUID, cn) })
		pcl := bin(store.TagPredecessorChangeList, func() []byte { return store.UpdatePCL(nil, ck) })
		lmt, ok := p.Get(store.TagLastModificationTime)
		if _, isTime := lmt.(prop.Filetime); !ok || !isTime {
			lmt = prop.FiletimeOf(x.srv.cfg.Clock())
		}
		size := p.Int32(store.TagMessageSize)
		hv := []prop.TaggedValue{
			{Tag: fxics.PidTagSourceKey, Value: sk},
			{Tag: fxics.PidTagLastModificationTime, Value: lmt},
			{Tag: fxics.PidTagChangeKey, Value: ck},
			{Tag: fxics.PidTagPredecessorChangeList, Value: pcl},
			{Tag: fxics.PidTagAssociated, Value: m.Associated},
		}
		if d.extra&syncEid != 0 {
			hv = append(hv, prop.TaggedValue{Tag: fxics.PidTagMid, Value: int64(it.id)})
		}
		if d.extra&syncMessageSize != 0 {
			hv = append(hv, prop.TaggedValue{Tag: fxics.PidTagMessageSize, Value: size})
		}
		if d.extra&syncCN != 0 {
			hv = append(hv, prop.TaggedValue{Tag: fxics.PidTagChangeNumber, Value: int64(prop.MakeID(1, cn))})
		}
		header := make([]*fxics.Element, 0, len(hv))
		for _, tv := range hv {
			e, err := fxMust(tv.Tag, tv.Value)
			if err != nil {
				return err
			}
			header = append(header, e)
		}
		inHeader := func(t prop.Tag) bool {
			switch t.ID() {
			case fxics.PidTagSourceKey.ID(), fxics.PidTagLastModificationTime.ID(), fxics.PidTagChangeKey.ID(),
				fxics.PidTagPredecessorChangeList.ID(), fxics.PidTagAssociated.ID():
				return true
			}
			return false
		}
		f := d.filter
		if m.Associated && d.flags&syncIgnoreSpecifiedOnFAI != 0 {
			f = fxAll
		}
		o := fxOptions{sendOptions: d.so, bestBody: d.flags&syncBestBody != 0, oneBody: true}
		props, children, err := x.fxMessageContent(s, lg, m, o, f, true, inHeader)
		if err != nil {
			return err
		}
		if d.flags&syncProgress != 0 {
			if err := s.elem(fxics.ProgressPerMessageElement(size, m.Associated)); err != nil {
				return err
			}
		}
		if err := s.elem(fxics.MessageChangeFullElement(header, props, children)); err != nil {
			return err
		}
		d.plan.sent = append(d.plan.sent, it.id)
		if cn > d.plan.lastCN {
			d.plan.sentCN[m.Associated] = append(d.plan.sentCN[m.Associated], cn)
		}
		return nil
	}
}

// tailStep writes the deletions, the read-state changes, the final state
// and IncrSyncEnd, and keeps the state for RopSynchronizationGetTransferState.
func (d *icsDownload) tailStep() fxStep {
	return func(x *execCtx, s *fxStream) error {
		p := d.plan
		mb := d.lg.mb
		if len(p.deleted) > 0 || len(p.noLongerInScope) > 0 {
			var del, nlis *fxics.IDSet
			if len(p.deleted) > 0 {
				del = &p.deleted
			}
			if len(p.noLongerInScope) > 0 && !d.hierarchy {
				nlis = &p.noLongerInScope
			}
			if err := s.elem(fxics.DeletionsElement(del, nlis, nil)); err != nil {
				return err
			}
		}
		if !d.hierarchy && (len(p.read) > 0 || len(p.unread) > 0) {
			var r, u *fxics.IDSet
			if len(p.read) > 0 {
				r = &p.read
			}
			if len(p.unread) > 0 {
				u = &p.unread
			}
			if err := s.elem(fxics.ReadStateChangesElement(r, u)); err != nil {
				return err
			}
		}
		given := fxics.Union(p.givenBase, p.repl.guidSet(p.sent))
		st := fxics.ICSState{IdsetGiven: &given}
		seen := d.advance(d.up.seen, d.hierarchy || d.flags&syncNormal != 0, p.cnSet(mb, p.sentCN[false]))
		st.CnsetSeen = seen
		if !d.hierarchy {
			st.CnsetSeenFAI = d.advance(d.up.seenFAI, d.flags&syncFAI != 0, p.cnSet(mb, p.sentCN[true]))
			st.CnsetRead = d.advance(d.up.read, d.flags&syncReadState != 0 && d.flags&syncNormal != 0, p.cnSet(mb, nil))
		}
		if err := s.elem(st.Element()); err != nil {
			return err
		}
		d.final = &st
		return s.marker(fxics.IncrSyncEnd)
	}
}

// advance is a state CNSET after the download: the uploaded set with the
// change numbers the download covered, or unchanged when the download did
// not cover that kind of change.
func (d *icsDownload) advance(up *fxics.IDSet, covered bool, cns fxics.IDSet) *fxics.IDSet {
	base := orEmpty(up)
	if !covered {
		return base
	}
	u := fxics.Union(*base, cns)
	return &u
}

// planHierarchy scans the folders under the synchronization root and
// queues the stream of a hierarchy synchronization — [MS-OXCFXICS]
// 2.2.4.3.9: *folderChange [deletions] state IncrSyncEnd. Parents come
// before their children.
func (d *icsDownload) planHierarchy(x *execCtx) error {
	lg := d.lg
	mb := lg.mb
	lastCN, err := x.st.LastChangeNumber(mb)
	if err != nil {
		return err
	}
	rows, err := x.st.Hierarchy(mb, d.fid, true)
	if err != nil {
		return err
	}
	repl, err := x.icsReplicas(d.lg)
	if err != nil {
		return err
	}
	p := &icsPlan{repl: repl, lastCN: lastCN, sentCN: map[bool][]uint64{}}
	d.plan = p
	given, seen := newIDLookup(d.up.given), newIDLookup(d.up.seen)
	hidden := map[prop.ID]bool{}
	var send []icsItem
	var existing []prop.ID
	for _, r := range rows {
		f := r.Folder
		if hidden[f.Parent] || !x.canAccess(lg, f.ID, store.RightFolderVisible) {
			hidden[f.ID] = true
			continue
		}
		existing = append(existing, f.ID)
		has := d.up.given != nil && given.hasID(p.repl, f.ID)
		if !seen.has(mb.ReplicaGUID, f.ChangeNumber) || (d.up.given != nil && !has) {
			send = append(send, icsItem{id: f.ID, parent: f.Parent, cn: f.ChangeNumber})
		}
	}
	var gone fxics.IDSet
	if d.flags&syncNoDeletions == 0 {
		if d.up.given != nil {
			p.deleted = p.repl.replidSet(fxics.Difference(*d.up.given, p.repl.guidSet(existing)))
			gone = p.repl.guidForm(p.deleted) // of the replicas the mailbox knows
		} else if len(*orEmpty(d.up.seen)) > 0 {
			tombs, err := x.st.FolderTombstones(mb, 0)
			if err != nil {
				return err
			}
			// Folders deleted under the root: their parent is the root, a
			// folder in it, or a folder deleted under it.
			under := map[prop.ID]bool{d.fid: true}
			for _, id := range existing {
				under[id] = true
			}
			var goneIDs []prop.ID
			for changed := true; changed; {
				changed = false
				for _, t := range tombs {
					if under[t.FolderID] && !under[t.ID] {
						under[t.ID] = true
						changed = true
						if !seen.has(mb.ReplicaGUID, t.ChangeNumber) {
							goneIDs = append(goneIDs, t.ID)
						}
					}
				}
			}
			p.deleted = p.repl.replidSet(p.repl.guidSet(goneIDs))
		}
	}
	if d.up.given != nil {
		p.givenBase = fxics.Difference(*d.up.given, gone)
	} else {
		p.givenBase = p.repl.guidSet(existing)
	}
	s := newFXStream()
	s.total = len(send)
	for _, it := range send {
		s.steps = append(s.steps, d.folderStep(it))
	}
	s.steps = append(s.steps, d.tailStep())
	d.stream = s
	return nil
}

// folderStep writes one folderChange — [MS-OXCFXICS] 2.2.4.3.5: the
// identification and change tracking properties, then the folder's own.
// A direct child of the synchronization root has an empty
// PidTagParentSourceKey.
func (d *icsDownload) folderStep(it icsItem) fxStep {
	return func(x *execCtx, s *fxStream) error {
		s.progress++
		lg := d.lg
		mb := lg.mb
		props, err := x.prptFolderProps(lg, it.id)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		cn := it.cn
		if v, ok := props.Get(store.TagChangeNumber); ok {
			if n, ok := v.(int64); ok {
				cn = prop.ID(n).GlobalCounter()
			}
		}
		bin := func(t prop.Tag, def func() []byte) []byte {
			if v, ok := props.Get(t); ok {
				if b, ok := v.([]byte); ok && len(b) > 0 {
					return b
				}
			}
			return def()
		}
		psk := []byte{}
		if it.parent != d.fid {
			psk = store.XID(d.plan.repl.byID[it.parent.ReplicaId()], it.parent.GlobalCounter())
		}
		sk := bin(store.TagSourceKey, func() []byte { return store.XID(d.plan.repl.byID[it.id.ReplicaId()], it.id.GlobalCounter()) })
		ck := bin(store.TagChangeKey, func() []byte { return store.XID(mb.ReplicaGUID, cn) })
		pcl := bin(store.TagPredecessorChangeList, func() []byte { return store.UpdatePCL(nil, ck) })
		lmt, ok := props.Get(store.TagLastModificationTime)
		if _, isTime := lmt.(prop.Filetime); !ok || !isTime {
			lmt = prop.FiletimeOf(x.srv.cfg.Clock())
		}
		name, _ := props.Get(store.TagDisplayName)
		if _, isString := name.(string); !isString {
			name = ""
		}
		var leaves []*fxics.Element
		for _, tv := range []prop.TaggedValue{
			{Tag: fxics.PidTagParentSourceKey, Value: psk},
			{Tag: fxics.PidTagSourceKey, Value: sk},
			{Tag: fxics.PidTagLastModificationTime, Value: lmt},
			{Tag: fxics.PidTagChangeKey, Value: ck},
			{Tag: fxics.PidTagPredecessorChangeList, Value: pcl},
		} {
			e, err := fxMust(tv.Tag, tv.Value)
			if err != nil {
				return err
			}
			leaves = append(leaves, e)
		}
		dn, ok := x.fxLeaf(s, lg, store.TagDisplayName, name, d.so)
		if !ok {
			return errors.New("folder display name has no FastTransfer form")
		}
		leaves = append(leaves, dn)
		if d.extra&syncEid != 0 {
			e, err := fxMust(fxics.PidTagFolderId, int64(it.id))
			if err != nil {
				return err
			}
			leaves = append(leaves, e)
		}
		if d.extra&syncEid != 0 || d.flags&syncNoForeignIdentifiers != 0 {
			e, err := fxMust(fxics.PidTagParentFolderId, int64(it.parent))
			if err != nil {
				return err
			}
			leaves = append(leaves, e)
		}
		leaves = append(leaves, x.fxPropList(s, lg, props, d.so, func(t prop.Tag) bool {
			switch t.ID() {
			case fxics.PidTagParentSourceKey.ID(), fxics.PidTagSourceKey.ID(), fxics.PidTagLastModificationTime.ID(),
				fxics.PidTagChangeKey.ID(), fxics.PidTagPredecessorChangeList.ID(), store.TagDisplayName.ID():
				return true
			}
			return fxFolderVolatile(t) || !d.filter.keep(t)
		})...)
		if err := s.elem(fxics.FolderChangeElement(leaves...)); err != nil {
			return err
		}
		d.plan.sent = append(d.plan.sent, it.id)
		if cn > d.plan.lastCN {
			d.plan.sentCN[false] = append(d.plan.sentCN[false], cn)
		}
		return nil
	}
}

package server

import (
	"sync"

	"github.com/mapiscope/mapiscope/decode/fxics"
	"github.com/mapiscope/mapiscope/decode/prop"
	"github.com/mapiscope/mapiscope/decode/rop"
	"github.com/mapiscope/mapiscope/server/store"
)

// ICS upload — [MS-OXCFXICS] 3.2.5.9.4: a synchronization upload context
// (RopSynchronizationOpenCollector) takes the client's changes through the
// RopSynchronizationImport* ROPs. The store detects and resolves conflicts
// (store/ics_upload.go); the collector keeps the ICS state that
// RopSynchronizationGetTransferState hands back.

// Error codes of the import ROPs — [MS-OXCDATA] 2.4.2.
const (
	ecSyncObjectDeleted     prop.ErrorCode = 0x80040800
	ecSyncIgnore            prop.ErrorCode = 0x80040801
	ecSyncConflict          prop.ErrorCode = 0x80040802
	ecSyncNoParent          prop.ErrorCode = 0x80040803
	ecSyncNewerClientChange prop.ErrorCode = 0x00040821
)

// ImportFlag bits of RopSynchronizationImportMessageChange —
// [MS-OXCFXICS] 2.2.3.2.4.2.1 — and ImportDeleteFlags of
// RopSynchronizationImportDeletes — 2.2.3.2.4.5.1.
const (
	importAssociated     uint8 = 0x10
	importFailOnConflict uint8 = 0x40
	importDelHierarchy   uint8 = 0x01
	importDelHard        uint8 = 0x02
)

// collectorObj is a synchronization upload context on a folder —
// [MS-OXCFXICS] 3.2.5.9.4.1. It is a stateReceiver (the state upload
// ROPs of rops_fx.go fill it) and a stateSource
// (RopSynchronizationGetTransferState reads it).
type collectorObj struct {
	lg       *logonObj
	fid      prop.ID
	contents bool // IsContentsCollector: messages, else the hierarchy below fid

	upload stateStream // a state property being uploaded

	mu    sync.Mutex
	state uploadState
}

func (c *collectorObj) logon() *logonObj { return c.lg }

// uploadState is a collector's ICS state — [MS-OXCFXICS] 2.2.1.1: the
// change numbers the client has, as REPLGUID-based sets: what it uploaded
// with the UploadStateStream ROPs, merged with every change it imported
// here (3.2.5.9.4.2 to 3.2.5.9.4.6), so that the next download does not
// send them back. A collector keeps no IdsetGiven: the client maintains
// its own (3.3.5.8.7), and Outlook mishandles one coming from an upload
// context.
type uploadState struct {
	Seen    fxics.IDSet
	SeenFAI fxics.IDSet
	Read    fxics.IDSet
}

// addSeen records that the client has change cn of a normal or FAI
// message (or of a folder, in a hierarchy collector).
func (c *collectorObj) addSeen(cn uint64, fai bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	g := c.lg.mb.ReplicaGUID
	if fai && c.contents {
		c.state.SeenFAI = c.state.SeenFAI.AddRangeGUID(g, cn, cn)
		return
	}
	c.state.Seen = c.state.Seen.AddRangeGUID(g, cn, cn)
}

// addRead records a read-state change number the client made.
func (c *collectorObj) addRead(cn uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.state.Read = c.state.Read.AddRangeGUID(c.lg.mb.ReplicaGUID, cn, cn)
}

// icsUploadState returns a copy of the collector's ICS state.
func (c *collectorObj) icsUploadState() uploadState {
	c.mu.Lock()
	defer c.mu.Unlock()
	return uploadState{Seen: c.state.Seen.Normalize(), SeenFAI: c.state.SeenFAI.Normalize(), Read: c.state.Read.Normalize()}
}

// stateUpload implements stateReceiver.
func (c *collectorObj) stateUpload() *stateStream { return &c.upload }

// acceptState implements stateReceiver: the state properties of
// [MS-OXCFXICS] 2.2.1.1, CnsetSeenFAI and CnsetRead on a contents
// collector only.
func (c *collectorObj) acceptState(tag prop.Tag) prop.ErrorCode {
	if !isStateTag(tag) {
		return ecInvalidParam
	}
	if !c.contents && (tag == fxics.MetaTagCnsetSeenFAI || tag == fxics.MetaTagCnsetRead) {
		return ecInvalidParam
	}
	return 0
}

// setState implements stateReceiver: an uploaded set is merged into the
// state (the imports add to it too); an IdsetGiven is taken and dropped.
func (c *collectorObj) setState(tag prop.Tag, set fxics.IDSet) prop.ErrorCode {
	if ec := c.acceptState(tag); ec != 0 {
		return ec
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	switch tag {
	case fxics.MetaTagCnsetSeen:
		c.state.Seen = fxics.Union(c.state.Seen, set)
	case fxics.MetaTagCnsetSeenFAI:
		c.state.SeenFAI = fxics.Union(c.state.SeenFAI, set)
	case fxics.MetaTagCnsetRead:
		c.state.Read = fxics.Union(c.state.Read, set)
	}
	return 0
}

// transferState implements stateSource: the checkpoint state of the
// upload ([MS-OXCFXICS] 3.3.4.3.3 step 5) — CnsetSeen, and for contents
// CnsetSeenFAI and CnsetRead; no IdsetGiven.
func (c *collectorObj) transferState(*execCtx) (fxics.ICSState, prop.ErrorCode) {
	st := c.icsUploadState()
	out := fxics.ICSState{CnsetSeen: &st.Seen}
	if c.contents {
		out.CnsetSeenFAI, out.CnsetRead = &st.SeenFAI, &st.Read
	}
	return out, 0
}

// collectorInput returns the upload context a RopSynchronizationImport*
// ROP works on: ecNullObject without an object, ecNotSupported for
// another object or a collector of the other kind.
func collectorInput(x *execCtx, req rop.Request, contents bool) (*collectorObj, prop.ErrorCode) {
	obj, ec := x.input(req)
	if ec != 0 {
		return nil, ec
	}
	c, ok := obj.(*collectorObj)
	if !ok || c.contents != contents {
		return nil, ecNotSupported
	}
	return c, 0
}

// importTagged reads the properties of an import ROP that have fixed
// positions — [MS-OXCFXICS] 2.2.3.2.4.2.1, 2.2.3.2.4.3.1: vals must start
// with values of the given tags (a string tag matches either width).
func importTagged(vals []prop.TaggedValue, tags ...prop.Tag) ([]any, bool) {
	if len(vals) < len(tags) {
		return nil, false
	}
	out := make([]any, len(tags))
	for i, t := range tags {
		v := vals[i]
		if v.Tag != t && !(v.Tag.ID() == t.ID() && isStringTag(v.Tag) && isStringTag(t)) {
			return nil, false
		}
		out[i] = v.Value
	}
	return out, true
}

func isStringTag(t prop.Tag) bool {
	b := t.Type()
	return b == prop.PtypString || b == prop.PtypString8
}

// importBin returns a binary import value; ok is false for another type.
func importBin(v any) ([]byte, bool) {
	b, ok := v.([]byte)
	return b, ok
}

// importMessageAccess checks that the logon's user may change (or create)
// messages of folder fid through an import.
func (x *execCtx) importMessageAccess(lg *logonObj, fid prop.ID, ref store.ImportRef) bool {
	if lg.owner {
		return true
	}
	if !ref.Exists {
		return x.canAccess(lg, fid, store.RightCreate)
	}
	if x.canAccess(lg, fid, store.RightEditAny) {
		return true
	}
	if !x.canAccess(lg, fid, store.RightEditOwned) {
		return false
	}
	m, err := x.st.OpenMessage(lg.mb, fid, ref.ID)
	return err == nil && msgOwned(x, m)
}

// importDeleteAccess checks that the user may delete message ref of
// folder fid through an import.
func (x *execCtx) importDeleteAccess(lg *logonObj, fid prop.ID, ref store.ImportRef) bool {
	if lg.owner || !ref.Exists || x.canAccess(lg, fid, store.RightDeleteAny) {
		return true
	}
	if !x.canAccess(lg, fid, store.RightDeleteOwned) {
		return false
	}
	m, err := x.st.OpenMessage(lg.mb, fid, ref.ID)
	return err == nil && msgOwned(x, m)
}

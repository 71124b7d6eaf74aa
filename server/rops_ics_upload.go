package server

import (
	"github.com/mapiscope/mapiscope/decode/fxics"
	"github.com/mapiscope/mapiscope/decode/prop"
	"github.com/mapiscope/mapiscope/decode/rop"
	"github.com/mapiscope/mapiscope/server/store"
)

// The ICS upload ROPs — [MS-OXCROPS] 2.2.13, semantics in [MS-OXCFXICS]
// 3.2.5.9.4 — and the local replica id ROPs (3.2.5.10, 3.2.5.11).

func init() {
	handle(0x7E, ropSynchronizationOpenCollector)
	handle(0x72, ropSynchronizationImportMessageChange)
	handle(0x73, ropSynchronizationImportHierarchyChange)
	handle(0x74, ropSynchronizationImportDeletes)
	handle(0x80, ropSynchronizationImportReadStateChanges)
	handle(0x78, ropSynchronizationImportMessageMove)
	handle(0x7F, ropGetLocalReplicaIds)
	handle(0x93, ropSetLocalReplicaMidsetDeleted)
}

// ropSynchronizationOpenCollector — [MS-OXCFXICS] 3.2.5.9.4.1: an upload
// context on a folder, for its messages or for the hierarchy below it.
// Rights are checked by each import.
func ropSynchronizationOpenCollector(x *execCtx, req rop.Request) rop.Response {
	r := req.(*rop.SynchronizationOpenCollectorRequest)
	f, ec := x.foldInput(req)
	if ec != 0 {
		return x.fail(ec)
	}
	if !x.canAccess(f.lg, f.fid, store.RightFolderVisible) {
		return x.fail(ecAccessDenied)
	}
	c := &collectorObj{lg: f.lg, fid: f.fid, contents: r.IsContentsCollector}
	if ec := x.bind(r.OutputHandleIndex, c); ec != 0 {
		return x.fail(ec)
	}
	return x.ok(&rop.SynchronizationOpenCollectorResponse{})
}

// ropSynchronizationImportMessageChange — [MS-OXCFXICS] 3.2.5.9.4.2.
// PropertyValues start with PidTagSourceKey, PidTagLastModificationTime,
// PidTagChangeKey and PidTagPredecessorChangeList (2.2.3.2.4.2.1). The
// stored version is compared with the upload now (3.1.5.6.1):
// ecSyncIgnore (IgnoreFailure) when it already includes the upload,
// ecSyncConflict for a conflict with FailOnConflict; otherwise the
// response's message object is empty, the client fills it and
// RopSaveChangesMessage stores it with the uploaded change key and PCL or
// resolves the conflict (3.1.5.6.2). MessageId is 0, as [MS-OXCROPS]
// 2.2.13.2.2 requires.
func ropSynchronizationImportMessageChange(x *execCtx, req rop.Request) rop.Response {
	r := req.(*rop.SynchronizationImportMessageChangeRequest)
	c, ec := collectorInput(x, req, true)
	if ec != 0 {
		return x.fail(ec)
	}
	if r.ImportFlag&^(importAssociated|importFailOnConflict) != 0 {
		return x.fail(ecInvalidParam)
	}
	v, ok := importTagged(r.PropertyValues, store.TagSourceKey, store.TagLastModificationTime, store.TagChangeKey, store.TagPredecessorChangeList)
	if !ok {
		return x.fail(ecInvalidParam)
	}
	sk, ok1 := importBin(v[0])
	mtime, ok2 := v[1].(prop.Filetime)
	ck, ok3 := importBin(v[2])
	pcl, ok4 := importBin(v[3])
	if !ok1 || !ok2 || !ok3 || !ok4 {
		return x.fail(ecInvalidParam)
	}
	lg := c.lg
	ref, err := x.st.MessageByGID(lg.mb, sk)
	if err != nil {
		return x.fail(ecOf(err))
	}
	if !x.importMessageAccess(lg, c.fid, ref) {
		return x.fail(ecAccessDenied)
	}
	fai := r.ImportFlag&importAssociated != 0
	m, err := x.st.ImportMessage(lg.mb, c.fid, store.MessageImport{
		SourceKey: sk, LastModificationTime: mtime, ChangeKey: ck, PCL: pcl,
		Associated: fai, FailOnConflict: r.ImportFlag&importFailOnConflict != 0,
		Saved: func(cn uint64, conflict bool) {
			// A conflict's resolution is new to the client: leave its CN
			// out so that the next download brings it.
			if !conflict {
				c.addSeen(cn, fai)
			}
		},
	})
	if err != nil {
		return x.fail(ecOf(err))
	}
	mo := &messageObj{lg: lg, fid: c.fid, msg: m}
	if ec := x.bind(r.OutputHandleIndex, mo); ec != 0 {
		return x.fail(ec)
	}
	return x.ok(&rop.SynchronizationImportMessageChangeResponse{MessageId: 0})
}

// ropSynchronizationImportHierarchyChange — [MS-OXCFXICS] 3.2.5.9.4.3.
// HierarchyValues are PidTagParentSourceKey (empty for the collector's
// folder), PidTagSourceKey, PidTagLastModificationTime, PidTagChangeKey,
// PidTagPredecessorChangeList and PidTagDisplayName (2.2.3.2.4.3.1). A new
// folder is created with the GID's id; an existing one is renamed, moved
// and updated. A conflict is resolved (last writer wins) and answered
// with Success; its CN is left out of the state so that the client
// downloads the result. FolderId is 0, as for the other import ROPs.
func ropSynchronizationImportHierarchyChange(x *execCtx, req rop.Request) rop.Response {
	r := req.(*rop.SynchronizationImportHierarchyChangeRequest)
	c, ec := collectorInput(x, req, false)
	if ec != 0 {
		return x.fail(ec)
	}
	v, ok := importTagged(r.HierarchyValues, store.TagParentSourceKey, store.TagSourceKey, store.TagLastModificationTime,
		store.TagChangeKey, store.TagPredecessorChangeList, store.TagDisplayName)
	if !ok || len(r.HierarchyValues) != 6 {
		return x.fail(ecInvalidParam)
	}
	psk, ok1 := importBin(v[0])
	sk, ok2 := importBin(v[1])
	mtime, ok3 := v[2].(prop.Filetime)
	ck, ok4 := importBin(v[3])
	pcl, ok5 := importBin(v[4])
	name, ok6 := v[5].(string)
	if !ok1 || !ok2 || !ok3 || !ok4 || !ok5 || !ok6 {
		return x.fail(ecInvalidParam)
	}
	lg := c.lg
	parent := c.fid
	if len(psk) > 0 {
		pref, err := x.st.FolderByGID(lg.mb, psk)
		if err != nil {
			return x.fail(ecOf(err))
		}
		if !pref.Exists {
			return x.fail(ecSyncNoParent)
		}
		parent = pref.ID
	}
	ref, err := x.st.FolderByGID(lg.mb, sk)
	if err != nil {
		return x.fail(ecOf(err))
	}
	oldParent := ref.FolderID
	switch {
	case lg.owner:
	case !ref.Exists:
		if !x.canAccess(lg, parent, store.RightCreateSubfolder) {
			return x.fail(ecAccessDenied)
		}
	case !x.canAccess(lg, ref.ID, store.RightFolderOwner):
		return x.fail(ecAccessDenied)
	case oldParent != parent && !x.canAccess(lg, parent, store.RightCreateSubfolder):
		return x.fail(ecAccessDenied)
	}
	fid, cn, conflict, err := x.st.ImportFolder(lg.mb, store.FolderImport{
		Parent: parent, Ref: ref, LastModificationTime: mtime, ChangeKey: ck, PCL: pcl,
		DisplayName: name, Props: r.PropertyValues,
	})
	if err != nil {
		return x.fail(ecOf(err))
	}
	if !conflict {
		c.addSeen(cn, false)
	}
	switch {
	case !ref.Exists:
		x.publish(lg, event{kind: fnevObjectCreated, fid: fid, parent: parent})
	case oldParent != parent:
		x.publish(lg, event{kind: fnevObjectMoved, fid: fid, parent: parent, oldFid: fid, oldParent: oldParent})
	default:
		x.publish(lg, event{kind: fnevObjectModified, fid: fid, parent: parent})
	}
	return x.ok(&rop.SynchronizationImportHierarchyChangeResponse{FolderId: 0})
}

// ropSynchronizationImportDeletes — [MS-OXCFXICS] 3.2.5.9.4.5. Every GID
// is resolved and every right checked before anything is deleted, so
// that the ROP fails whole rather than in part. Objects already deleted
// are ignored; an id of this replica that never existed is recorded as
// deleted so that a later import cannot bring it back.
func ropSynchronizationImportDeletes(x *execCtx, req rop.Request) rop.Response {
	r := req.(*rop.SynchronizationImportDeletesRequest)
	obj, ec := x.input(req)
	if ec != 0 {
		return x.fail(ec)
	}
	c, ok := obj.(*collectorObj)
	if !ok {
		return x.fail(ecNotSupported)
	}
	if r.ImportDeleteFlags&^(importDelHierarchy|importDelHard) != 0 {
		return x.fail(ecInvalidParam)
	}
	if (r.ImportDeleteFlags&importDelHierarchy != 0) == c.contents {
		return x.fail(ecInvalidParam)
	}
	for _, v := range r.PropertyValues {
		if v.Tag.Type() != prop.PtypMultipleBinary {
			return x.fail(ecInvalidParam)
		}
	}
	lg := c.lg
	hard := r.ImportDeleteFlags&importDelHard != 0
	var refs []store.ImportRef
	for _, gid := range r.GIDs() {
		var ref store.ImportRef
		var err error
		if c.contents {
			ref, err = x.st.MessageByGID(lg.mb, gid)
		} else {
			ref, err = x.st.FolderByGID(lg.mb, gid)
		}
		if err != nil {
			return x.fail(ecOf(err))
		}
		if c.contents && ref.Exists && ref.FolderID != c.fid {
			continue // not in this folder: nothing to delete here
		}
		switch {
		case c.contents && !x.importDeleteAccess(lg, c.fid, ref):
			return x.fail(ecAccessDenied)
		case !c.contents && ref.Exists && !x.canAccess(lg, ref.ID, store.RightFolderOwner):
			return x.fail(ecAccessDenied)
		}
		refs = append(refs, ref)
	}
	if c.contents {
		ids, err := x.st.ImportDeleteMessages(lg.mb, c.fid, refs, hard)
		if err != nil {
			return x.fail(ecOf(err))
		}
		for _, id := range ids {
			x.publish(lg, event{kind: fnevObjectDeleted, fid: c.fid, mid: id})
		}
		return x.ok(&rop.SynchronizationImportDeletesResponse{})
	}
	gone, err := x.st.ImportDeleteFolders(lg.mb, c.fid, refs, hard)
	if err != nil {
		return x.fail(ecOf(err))
	}
	for _, f := range gone {
		x.publish(lg, event{kind: fnevObjectDeleted, fid: f.ID, parent: f.Parent})
	}
	return x.ok(&rop.SynchronizationImportDeletesResponse{})
}

// ropSynchronizationImportReadStateChanges — [MS-OXCFXICS] 3.2.5.9.4.6:
// RopSetMessageReadFlag for many messages, each change getting a read
// change number that joins the collector's CnsetRead. FAI messages and
// MessageIds naming no message of the folder are ignored. Another user's
// folder needs RightReadAny.
func ropSynchronizationImportReadStateChanges(x *execCtx, req rop.Request) rop.Response {
	r := req.(*rop.SynchronizationImportReadStateChangesRequest)
	c, ec := collectorInput(x, req, true)
	if ec != 0 {
		return x.fail(ec)
	}
	lg := c.lg
	if !x.canAccess(lg, c.fid, store.RightReadAny) {
		return x.fail(ecAccessDenied)
	}
	var changes []store.ReadChange
	for _, s := range r.MessageReadStates {
		if _, err := fxics.DecodeXID(s.MessageId); err != nil {
			return x.fail(ecInvalidParam)
		}
		if id, ok := x.st.MessageIDByXID(lg.mb, s.MessageId); ok {
			changes = append(changes, store.ReadChange{ID: id, Read: s.MarkAsRead})
		}
	}
	ids, cns, err := x.st.ImportReadStates(lg.mb, c.fid, changes)
	if err != nil {
		return x.fail(ecOf(err))
	}
	for i, id := range ids {
		c.addRead(cns[i])
		x.publish(lg, event{kind: fnevObjectModified, fid: c.fid, mid: id})
	}
	return x.ok(&rop.SynchronizationImportReadStateChangesResponse{})
}

// ropSynchronizationImportMessageMove — [MS-OXCFXICS] 3.2.5.9.4.4: moves
// a message into the collector's folder under the id of
// DestinationMessageId. When the client had the server's version the
// moved message takes the uploaded change key (ChangeNumber) and PCL and
// its CN joins the state; when the client's version is newer they are
// not applied and the answer is NewerClientChange (2.2.3.2.4.4.2), the
// client uploading the content next. MessageId is 0 ([MS-OXCROPS]
// 2.2.13.6.2).
func ropSynchronizationImportMessageMove(x *execCtx, req rop.Request) rop.Response {
	r := req.(*rop.SynchronizationImportMessageMoveRequest)
	c, ec := collectorInput(x, req, true)
	if ec != 0 {
		return x.fail(ec)
	}
	if len(r.SourceFolderId) == 0 || len(r.SourceMessageId) == 0 || len(r.PredecessorChangeList) == 0 ||
		len(r.DestinationMessageId) == 0 || len(r.ChangeNumber) == 0 {
		return x.fail(ecInvalidParam)
	}
	lg := c.lg
	sf, err := x.st.FolderByGID(lg.mb, r.SourceFolderId)
	if err != nil {
		return x.fail(ecOf(err))
	}
	if !sf.Exists {
		return x.fail(ecNotFound)
	}
	src, err := x.st.MessageByGID(lg.mb, r.SourceMessageId)
	if err != nil {
		return x.fail(ecOf(err))
	}
	switch {
	case src.Deleted:
		return x.fail(ecSyncObjectDeleted)
	case !src.Exists || src.FolderID != sf.ID:
		return x.fail(ecNotFound)
	}
	dst, err := x.st.MessageByGID(lg.mb, r.DestinationMessageId)
	if err != nil {
		return x.fail(ecOf(err))
	}
	if !x.importDeleteAccess(lg, sf.ID, src) || !x.canAccess(lg, sf.ID, store.RightReadAny) ||
		!x.canAccess(lg, c.fid, store.RightCreate) {
		return x.fail(ecAccessDenied)
	}
	nid, cn, out, err := x.st.ImportMove(lg.mb, store.MoveImport{
		SrcFID: sf.ID, MID: src.ID, DstFID: c.fid, Dst: dst, PCL: r.PredecessorChangeList, ChangeKey: r.ChangeNumber,
	})
	if err != nil {
		return x.fail(ecOf(err))
	}
	x.publish(lg, event{kind: fnevObjectMoved, fid: c.fid, mid: nid, oldFid: sf.ID, oldMid: src.ID})
	resp := &rop.SynchronizationImportMessageMoveResponse{}
	switch out {
	case store.MoveApplied:
		c.addSeen(cn, src.Associated)
	case store.MoveClientNewer:
		x.ok(resp)
		resp.ReturnValue = ecSyncNewerClientChange
		return resp
	}
	return x.ok(resp)
}

// ropGetLocalReplicaIds — [MS-OXCFXICS] 3.2.5.10: reserves IdCount
// GLOBCNTs of the mailbox's replica for objects the client creates
// offline; their GIDs are the replica GUID and a reserved GLOBCNT. A
// delegate may reserve ids too (its cached copy of the folders it sees
// needs them); they grant nothing.
func ropGetLocalReplicaIds(x *execCtx, req rop.Request) rop.Response {
	r := req.(*rop.GetLocalReplicaIdsRequest)
	obj, ec := x.input(req)
	if ec != 0 {
		return x.fail(ec)
	}
	lg, ok := obj.(*logonObj)
	if !ok {
		return x.fail(ecNotSupported)
	}
	if r.IdCount == 0 {
		return x.fail(ecInvalidParam)
	}
	g, first, err := x.st.LocalReplicaIDs(lg.mb, r.IdCount)
	if err != nil {
		return x.fail(ecOf(err))
	}
	return x.ok(&rop.GetLocalReplicaIdsResponse{ReplGuid: g, GlobalCount: first})
}

// ropSetLocalReplicaMidsetDeleted — [MS-OXCFXICS] 3.2.5.11: the client
// says that ranges of ids it reserved will never be used. Nothing is
// kept for them (an id is only ever created by an import naming it), so
// the ROP checks the ranges and succeeds.
func ropSetLocalReplicaMidsetDeleted(x *execCtx, req rop.Request) rop.Response {
	r := req.(*rop.SetLocalReplicaMidsetDeletedRequest)
	if _, ec := x.foldInput(req); ec != 0 {
		return x.fail(ec)
	}
	for _, rg := range r.LongTermIdRanges {
		if rg.MinLongTermId.DatabaseGuid != rg.MaxLongTermId.DatabaseGuid ||
			rg.MinLongTermId.GlobalCounter > rg.MaxLongTermId.GlobalCounter {
			return x.fail(ecInvalidParam)
		}
	}
	return x.ok(&rop.SetLocalReplicaMidsetDeletedResponse{})
}

package server

import (
	"github.com/mapiscope/mapiscope/decode/prop"
	"github.com/mapiscope/mapiscope/decode/rop"
	"github.com/mapiscope/mapiscope/server/store"
)

// Folder ROPs — [MS-OXCROPS] 2.2.4, semantics [MS-OXCFOLD] 3.2.5— and the
// id ROPs RopLongTermIdFromId / RopIdFromLongTermId ([MS-OXCSTOR]
// 3.2.5.8, 3.2.5.9).

func init() {
	handle(0x02, ropOpenFolder)
	handle(0x1C, ropCreateFolder)
	handle(0x1D, ropDeleteFolder)
	handle(0x58, ropEmptyFolder)
	handle(0x92, ropHardDeleteMessagesAndSubfolders)
	handle(0x35, ropMoveFolder)
	handle(0x36, ropCopyFolder)
	handle(0x30, ropSetSearchCriteria)
	handle(0x31, ropGetSearchCriteria)
	handle(0x43, ropLongTermIdFromId)
	handle(0x44, ropIdFromLongTermId)
}

// Error codes of the folder ROPs — [MS-OXCDATA] 2.4.
const (
	ecFoldDuplicateName     prop.ErrorCode = 0x80040604
	ecFoldParameterOverflow prop.ErrorCode = 0x00000450
)

// foldInput returns the folder a folder ROP works on.
func (x *execCtx) foldInput(req rop.Request) (*folderObj, prop.ErrorCode) {
	obj, ec := x.input(req)
	if ec != 0 {
		return nil, ec
	}
	f, ok := obj.(*folderObj)
	if !ok {
		return nil, ecNotSupported
	}
	return f, 0
}

// foldHasRules reports whether a folder has rules (HasRules of the open
// responses, PidTagHasRules).
func (x *execCtx) foldHasRules(mb *store.Mailbox, fid prop.ID) bool {
	rules, err := x.st.Rules(mb, fid)
	return err == nil && len(rules) > 0
}

// ropOpenFolder — [MS-OXCFOLD] 3.2.5.1. The input is the logon or a
// folder of the same mailbox. Another user's folder needs FolderVisible.
// Soft-deleted folders are not kept openable by the store, so
// OpenSoftDeleted finds live folders only.
func ropOpenFolder(x *execCtx, req rop.Request) rop.Response {
	r := req.(*rop.OpenFolderRequest)
	obj, ec := x.input(req)
	if ec != 0 {
		return x.fail(ec)
	}
	switch obj.(type) {
	case *logonObj, *folderObj:
	default:
		return x.fail(ecNotSupported)
	}
	lg := obj.logon()
	if _, err := x.st.Folder(lg.mb, r.FolderId); err != nil {
		return x.fail(ecOf(err))
	}
	if !x.canAccess(lg, r.FolderId, store.RightFolderVisible) {
		return x.fail(ecAccessDenied)
	}
	if ec := x.bind(r.OutputHandleIndex, &folderObj{lg: lg, fid: r.FolderId}); ec != 0 {
		return x.fail(ec)
	}
	return x.ok(&rop.OpenFolderResponse{HasRules: x.foldHasRules(lg.mb, r.FolderId)})
}

// ropCreateFolder — [MS-OXCFOLD] 3.2.5.2: a generic or search folder
// under the input folder; with OpenExisting a sibling of the same name
// is opened instead of failing with ecDuplicateName. Another user needs
// CreateSubfolder on the parent.
func ropCreateFolder(x *execCtx, req rop.Request) rop.Response {
	r := req.(*rop.CreateFolderRequest)
	parent, ec := x.foldInput(req)
	if ec != 0 {
		return x.fail(ec)
	}
	lg := parent.lg
	ftype := uint32(r.FolderType)
	if ftype != store.FolderGeneric && ftype != store.FolderSearch {
		return x.fail(ecInvalidParam)
	}
	if r.DisplayName == "" {
		return x.fail(ecInvalidParam)
	}
	if !x.canAccess(lg, parent.fid, store.RightCreateSubfolder) {
		if f, err := x.st.FolderByName(lg.mb, parent.fid, r.DisplayName); err != nil || !r.OpenExisting ||
			!x.canAccess(lg, f.ID, store.RightFolderVisible) {
			return x.fail(ecAccessDenied)
		}
	}
	var props []prop.TaggedValue
	if r.Comment != "" {
		props = append(props, prop.TaggedValue{Tag: store.TagComment, Value: r.Comment})
	}
	f, existed, err := x.st.CreateFolder(lg.mb, parent.fid, r.DisplayName, ftype, props, r.OpenExisting)
	if err != nil {
		return x.fail(ecOf(err))
	}
	if existed && !x.canAccess(lg, f.ID, store.RightFolderVisible) {
		return x.fail(ecAccessDenied)
	}
	if ec := x.bind(r.OutputHandleIndex, &folderObj{lg: lg, fid: f.ID}); ec != 0 {
		return x.fail(ec)
	}
	resp := &rop.CreateFolderResponse{FolderId: f.ID, IsExistingFolder: existed}
	if existed {
		resp.HasRules = x.foldHasRules(lg.mb, f.ID)
	} else {
		x.publish(lg, event{kind: fnevObjectCreated, fid: f.ID, parent: parent.fid})
	}
	return x.ok(resp)
}

// ropDeleteFolder — [MS-OXCFOLD] 3.2.5.3: the folder must be a child of
// the input folder. A folder with messages (subfolders) and no
// DEL_MESSAGES (DEL_FOLDERS) stays, with PartialCompletion set.
func ropDeleteFolder(x *execCtx, req rop.Request) rop.Response {
	r := req.(*rop.DeleteFolderRequest)
	parent, ec := x.foldInput(req)
	if ec != 0 {
		return x.fail(ec)
	}
	if r.DeleteFolderFlags&^(store.DelMessages|store.DelFolders|store.DelHardDelete) != 0 {
		return x.fail(ecInvalidParam)
	}
	lg := parent.lg
	f, err := x.st.Folder(lg.mb, r.FolderId)
	if err != nil || f.Parent != parent.fid {
		return x.fail(ecNotFound)
	}
	if !x.canAccess(lg, f.ID, store.RightFolderVisible) {
		return x.fail(ecNotFound)
	}
	if !x.canAccess(lg, f.ID, store.RightFolderOwner) {
		return x.fail(ecAccessDenied)
	}
	err = x.st.DeleteFolder(lg.mb, f.ID, r.DeleteFolderFlags)
	switch ecOf(err) {
	case ecSuccess:
	case store.ErrFolderHasChildren, store.ErrFolderHasContents:
		return x.ok(&rop.DeleteFolderResponse{PartialCompletion: true})
	default:
		return x.fail(ecOf(err))
	}
	x.publish(lg, event{kind: fnevObjectDeleted, fid: f.ID, parent: f.Parent})
	return x.ok(&rop.DeleteFolderResponse{})
}

// foldEmpty deletes a folder's messages (FAI ones with associated) and
// subfolders — [MS-OXCFOLD] 3.2.5.9, 3.2.5.10. Special subfolders stay,
// which makes the completion partial.
func (x *execCtx) foldEmpty(req rop.Request, associated, hard bool) (partial bool, ec prop.ErrorCode) {
	f, ec := x.foldInput(req)
	if ec != 0 {
		return false, ec
	}
	lg := f.lg
	if !x.canAccess(lg, f.fid, store.RightDeleteAny) {
		return false, ecAccessDenied
	}
	folder, err := x.st.Folder(lg.mb, f.fid)
	if err != nil {
		return false, ecOf(err)
	}
	kids, err := x.st.Hierarchy(lg.mb, f.fid, false)
	if err != nil {
		return false, ecOf(err)
	}
	if err := x.st.EmptyFolder(lg.mb, f.fid, associated, hard); err != nil {
		return false, ecOf(err)
	}
	for _, k := range kids {
		if k.Folder.Role != store.RoleNone {
			partial = true
			continue
		}
		x.publish(lg, event{kind: fnevObjectDeleted, fid: k.Folder.ID, parent: f.fid})
	}
	x.publish(lg, event{kind: fnevObjectModified, fid: f.fid, parent: folder.Parent})
	return partial, 0
}

// ropEmptyFolder — [MS-OXCFOLD] 3.2.5.9 (soft deletion).
func ropEmptyFolder(x *execCtx, req rop.Request) rop.Response {
	r := req.(*rop.EmptyFolderRequest)
	partial, ec := x.foldEmpty(req, r.WantDeleteAssociated, false)
	if ec != 0 {
		return x.fail(ec)
	}
	return x.ok(&rop.EmptyFolderResponse{PartialCompletion: partial})
}

// ropHardDeleteMessagesAndSubfolders — [MS-OXCFOLD] 3.2.5.10.
func ropHardDeleteMessagesAndSubfolders(x *execCtx, req rop.Request) rop.Response {
	r := req.(*rop.HardDeleteMessagesAndSubfoldersRequest)
	partial, ec := x.foldEmpty(req, r.WantDeleteAssociated, true)
	if ec != 0 {
		return x.fail(ec)
	}
	return x.ok(&rop.HardDeleteMessagesAndSubfoldersResponse{PartialCompletion: partial})
}

// foldMoveCopyEnds returns the source parent (input handle) and the
// destination folder (DestHandleIndex) of RopMoveFolder / RopCopyFolder,
// and the folder moved or copied, which must be a child of the source.
func (x *execCtx) foldMoveCopyEnds(req rop.Request, dest uint8, fid prop.ID) (src, dst *folderObj, f *store.Folder, ec prop.ErrorCode) {
	src, ec = x.foldInput(req)
	if ec != 0 {
		return nil, nil, nil, ec
	}
	dobj, ec := x.object(dest)
	if ec != 0 {
		return nil, nil, nil, ecDstNullObject
	}
	dst, ok := dobj.(*folderObj)
	if !ok {
		return nil, nil, nil, ecNotSupported
	}
	if src.lg.mb.ID != dst.lg.mb.ID {
		// Folders move and copy within one mailbox.
		return nil, nil, nil, ecNotSupported
	}
	f, err := x.st.Folder(src.lg.mb, fid)
	if err != nil || f.Parent != src.fid || !x.canAccess(src.lg, fid, store.RightFolderVisible) {
		return nil, nil, nil, ecNotFound
	}
	if !x.canAccess(dst.lg, dst.fid, store.RightCreateSubfolder) {
		return nil, nil, nil, ecAccessDenied
	}
	return src, dst, f, 0
}

// ropMoveFolder — [MS-OXCFOLD] 3.2.5.7: NewFolderName renames the folder
// as it moves. Another user needs FolderOwner on the folder.
func ropMoveFolder(x *execCtx, req rop.Request) rop.Response {
	r := req.(*rop.MoveFolderRequest)
	src, dst, f, ec := x.foldMoveCopyEnds(req, r.DestHandleIndex, r.FolderId)
	if ec == 0 && !x.canAccess(src.lg, f.ID, store.RightFolderOwner) {
		ec = ecAccessDenied
	}
	if ec != 0 {
		resp := x.fail(ec).(*rop.MoveFolderResponse)
		if ec == ecDstNullObject {
			resp.DestHandleIndex = uint32(r.DestHandleIndex)
		}
		return resp
	}
	if err := x.st.MoveFolder(src.lg.mb, f.ID, dst.fid, r.NewFolderName); err != nil {
		return x.fail(ecOf(err))
	}
	x.publish(src.lg, event{kind: fnevObjectMoved, fid: f.ID, parent: dst.fid, oldFid: f.ID, oldParent: src.fid})
	return x.ok(&rop.MoveFolderResponse{})
}

// ropCopyFolder — [MS-OXCFOLD] 3.2.5.8: the folder with its messages,
// and with WantRecursive its subfolders. Another user needs ReadAny on
// the folder.
func ropCopyFolder(x *execCtx, req rop.Request) rop.Response {
	r := req.(*rop.CopyFolderRequest)
	src, dst, f, ec := x.foldMoveCopyEnds(req, r.DestHandleIndex, r.FolderId)
	if ec == 0 && !x.canAccess(src.lg, f.ID, store.RightReadAny) {
		ec = ecAccessDenied
	}
	if ec != 0 {
		resp := x.fail(ec).(*rop.CopyFolderResponse)
		if ec == ecDstNullObject {
			resp.DestHandleIndex = uint32(r.DestHandleIndex)
		}
		return resp
	}
	nid, err := x.st.CopyFolder(src.lg.mb, f.ID, dst.fid, r.NewFolderName, r.WantRecursive)
	if err != nil {
		return x.fail(ecOf(err))
	}
	x.publish(src.lg, event{kind: fnevObjectCopied, fid: nid, parent: dst.fid, oldFid: f.ID, oldParent: src.fid})
	return x.ok(&rop.CopyFolderResponse{})
}

// ropSetSearchCriteria — [MS-OXCFOLD] 3.2.5.4: the restriction and scope
// of a search folder (either may be left out to keep the previous one,
// but a search folder never given them is ecNotInitialized). The store
// evaluates searches when read, so the search is complete at once and
// fnevSearchComplete follows.
func ropSetSearchCriteria(x *execCtx, req rop.Request) rop.Response {
	r := req.(*rop.SetSearchCriteriaRequest)
	f, ec := x.foldInput(req)
	if ec != 0 {
		return x.fail(ec)
	}
	const known = store.SearchStop | store.SearchRestart | store.SearchRecursive | store.SearchShallow |
		0x00010000 | 0x00020000 | 0x00040000 // CONTENT_INDEXED, NON_CONTENT_INDEXED, STATIC
	fl := r.SearchFlags
	if fl&^known != 0 || (fl&store.SearchStop != 0 && fl&store.SearchRestart != 0) ||
		(fl&store.SearchRecursive != 0 && fl&store.SearchShallow != 0) {
		return x.fail(ecInvalidParam)
	}
	lg := f.lg
	if !x.canAccess(lg, f.fid, store.RightFolderOwner) {
		return x.fail(ecAccessDenied)
	}
	old, err := x.st.GetSearchCriteria(lg.mb, f.fid)
	if err != nil {
		return x.fail(ecOf(err))
	}
	if (r.RestrictionData == nil && old.Restriction == nil) || (len(r.FolderIds) == 0 && len(old.FolderIDs) == 0) {
		return x.fail(ecNotInitialized)
	}
	for _, id := range r.FolderIds {
		if !x.canAccess(lg, id, store.RightReadAny) {
			return x.fail(ecAccessDenied)
		}
	}
	if err := x.st.SetSearchCriteria(lg.mb, f.fid, r.RestrictionData, r.FolderIds, fl); err != nil {
		return x.fail(ecOf(err))
	}
	parent := prop.ID(0)
	if folder, err := x.st.Folder(lg.mb, f.fid); err == nil {
		parent = folder.Parent
	}
	x.publish(lg, event{kind: fnevObjectModified, fid: f.fid, parent: parent})
	if fl&store.SearchStop == 0 {
		x.publish(lg, event{kind: fnevSearchComplete, fid: f.fid, parent: parent})
	}
	return x.ok(&rop.SetSearchCriteriaResponse{})
}

// ropGetSearchCriteria — [MS-OXCFOLD] 3.2.5.5: the restriction when
// IncludeRestriction (its strings Unicode or 8-bit as UseUnicode asks),
// the scope when IncludeFolders, and the search state.
func ropGetSearchCriteria(x *execCtx, req rop.Request) rop.Response {
	r := req.(*rop.GetSearchCriteriaRequest)
	f, ec := x.foldInput(req)
	if ec != 0 {
		return x.fail(ec)
	}
	if !x.canAccess(f.lg, f.fid, store.RightFolderVisible) {
		return x.fail(ecAccessDenied)
	}
	c, err := x.st.GetSearchCriteria(f.lg.mb, f.fid)
	if err != nil {
		return x.fail(ecOf(err))
	}
	if c.Restriction == nil && len(c.FolderIDs) == 0 {
		return x.fail(ecNotInitialized)
	}
	resp := &rop.GetSearchCriteriaResponse{LogonId: r.LogonId, FolderIds: []prop.ID{}, SearchFlags: c.State()}
	if r.IncludeRestriction && c.Restriction != nil {
		foldRestrictionStrings(c.Restriction, r.UseUnicode)
		resp.RestrictionData = c.Restriction
	}
	if r.IncludeFolders {
		resp.FolderIds = append(resp.FolderIds, c.FolderIDs...)
	}
	return x.ok(resp)
}

// foldRestrictionStrings gives the string properties of a restriction
// the width asked for.
func foldRestrictionStrings(r *prop.Restriction, unicode bool) {
	if r == nil {
		return
	}
	fix := func(t prop.Tag) prop.Tag { return t.WithType(prptStringType(t.Type(), unicode)) }
	r.PropTag = fix(r.PropTag)
	r.PropTag2 = fix(r.PropTag2)
	r.TaggedValue.Tag = fix(r.TaggedValue.Tag)
	for i := range r.TaggedValues {
		r.TaggedValues[i].Tag = fix(r.TaggedValues[i].Tag)
	}
	for i := range r.Restricts {
		foldRestrictionStrings(&r.Restricts[i], unicode)
	}
	foldRestrictionStrings(r.Restriction, unicode)
}

// ropLongTermIdFromId — [MS-OXCSTOR] 3.2.5.8: the REPLID of the id maps
// to its REPLGUID; an unknown REPLID is ecNotFound.
func ropLongTermIdFromId(x *execCtx, req rop.Request) rop.Response {
	r := req.(*rop.LongTermIdFromIdRequest)
	lg, ec := x.logonInput(req)
	if ec != 0 {
		return x.fail(ec)
	}
	g, err := x.st.ReplGUID(lg.mb, r.ObjectId.ReplicaId())
	if err != nil {
		return x.fail(ecOf(err))
	}
	return x.ok(&rop.LongTermIdFromIdResponse{LongTermId: prop.LongTermID{
		DatabaseGuid: g, GlobalCounter: prop.GlobCnt(r.ObjectId.GlobalCounter()),
	}})
}

// ropIdFromLongTermId — [MS-OXCSTOR] 3.2.5.9: the REPLGUID maps to its
// REPLID, registering a GUID not seen before. A zero REPLGUID is
// ecInvalidParam; a zero GLOBCNT gives id 0 with success.
func ropIdFromLongTermId(x *execCtx, req rop.Request) rop.Response {
	r := req.(*rop.IdFromLongTermIdRequest)
	lg, ec := x.logonInput(req)
	if ec != 0 {
		return x.fail(ec)
	}
	if r.LongTermId.DatabaseGuid == (prop.GUID{}) {
		return x.fail(ecInvalidParam)
	}
	if r.LongTermId.GlobalCounter == 0 {
		return x.ok(&rop.IdFromLongTermIdResponse{})
	}
	replid, err := x.st.ReplID(lg.mb, r.LongTermId.DatabaseGuid)
	if ecOf(err) == ecPrptOOM {
		return x.fail(ecFoldParameterOverflow)
	}
	if err != nil {
		return x.fail(ecOf(err))
	}
	return x.ok(&rop.IdFromLongTermIdResponse{ObjectId: prop.MakeID(replid, uint64(r.LongTermId.GlobalCounter))})
}

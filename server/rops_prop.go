package server

import (
	"strings"

	"github.com/mapiscope/mapiscope/decode/prop"
	"github.com/mapiscope/mapiscope/decode/rop"
	"github.com/mapiscope/mapiscope/decode/wire"
	"github.com/mapiscope/mapiscope/server/store"
)

// Property ROPs — [MS-OXCROPS] 2.2.8, semantics [MS-OXCPRPT] 3.2.5: the
// same ROPs read and write the properties of a logon (the mailbox), a
// folder, a message (its working copy) and an attachment.

func init() {
	handle(0x07, ropGetPropertiesSpecific)
	handle(0x08, ropGetPropertiesAll)
	handle(0x09, ropGetPropertiesList)
	handle(0x0A, ropSetProperties)
	handle(0x79, ropSetPropertiesNoReplicate)
	handle(0x0B, ropDeleteProperties)
	handle(0x7A, ropDeletePropertiesNoReplicate)
	handle(0x56, ropGetPropertyIdsFromNames)
	handle(0x55, ropGetNamesFromPropertyIds)
	handle(0x5F, ropQueryNamedProperties)
	handle(0x39, ropCopyTo)
	handle(0x67, ropCopyProperties)
}

// Error codes of the property ROPs — [MS-OXCDATA] 2.4.
const (
	// ecPrptOOM is ecMAPIOOM (NotEnoughMemory): the value of a cell too
	// big for PropertySizeLimit or for the response buffer.
	ecPrptOOM prop.ErrorCode = 0x8007000E
)

// Properties the server computes — [MS-OXPROPS]. Store-level ones come
// from [MS-OXCSTOR] 2.2.2, folder ones from [MS-OXCFOLD] 2.2.2.2.
const (
	prptEntryId               prop.Tag = 0x0FFF0102
	prptRecordKey             prop.Tag = 0x0FF90102
	prptStoreEntryId          prop.Tag = 0x0FFB0102
	prptStoreRecordKey        prop.Tag = 0x0FFA0102
	prptObjectType            prop.Tag = 0x0FFE0003
	prptAccess                prop.Tag = 0x0FF40003
	prptAccessLevel           prop.Tag = 0x0FF70003
	prptParentEntryId         prop.Tag = 0x0E090102
	prptRights                prop.Tag = 0x66390003
	prptHasRules              prop.Tag = 0x663A000B
	prptMailboxOwnerEntryId   prop.Tag = 0x661B0102
	prptMailboxOwnerName      prop.Tag = 0x661C001F
	prptUserEntryId           prop.Tag = 0x66190102
	prptUserName              prop.Tag = 0x661A001F
	prptOutOfOfficeState      prop.Tag = 0x661D000B
	prptIpmSubtreeEntryId     prop.Tag = 0x35E00102
	prptIpmOutboxEntryId      prop.Tag = 0x35E20102
	prptIpmWastebasketEntryId prop.Tag = 0x35E30102
	prptIpmSentMailEntryId    prop.Tag = 0x35E40102
	prptViewsEntryId          prop.Tag = 0x35E50102
	prptCommonViewsEntryId    prop.Tag = 0x35E60102
	prptFinderEntryId         prop.Tag = 0x35E70102
	prptStoreSupportMask      prop.Tag = 0x340D0003
	prptStoreState            prop.Tag = 0x340E0003
	prptLocaleId              prop.Tag = 0x66A10003
	prptSortLocaleId          prop.Tag = 0x67050003
	prptCodePageId            prop.Tag = 0x66C30003
	prptIpmAppointmentEntryId prop.Tag = 0x36D00102
	prptIpmContactEntryId     prop.Tag = 0x36D10102
	prptIpmJournalEntryId     prop.Tag = 0x36D20102
	prptIpmNoteEntryId        prop.Tag = 0x36D30102
	prptIpmTaskEntryId        prop.Tag = 0x36D40102
	prptIpmDraftsEntryId      prop.Tag = 0x36D70102
	prptAdditionalRenEntryIds prop.Tag = 0x36D81102
	prptMessageRecipients     prop.Tag = 0x0E12000D
	prptMessageAttachments    prop.Tag = 0x0E13000D
)

// prptStoreSupportMaskPrivate is PidTagStoreSupportMask of a mailbox —
// [MS-OXCSTOR] 2.2.2.1.1: ENTRYID_UNIQUE, MODIFY_OK, CREATE_OK, ATTACH_OK,
// OLE_OK, MV_PROPS_OK, CATEGORIZE_OK, RTF_OK, HTML_OK, ANSI_OK, UNICODE_OK.
const prptStoreSupportMaskPrivate = 0x00070E79

// Object types (PidTagObjectType) — [MS-OXCPRPT] 2.2.1.7.
const (
	prptObjStore      int32 = 1
	prptObjFolder     int32 = 3
	prptObjMessage    int32 = 5
	prptObjAttachment int32 = 7
)

// PidTagAccess bits — [MS-OXCPRPT] 2.2.1.1.
const (
	prptAccessModify          int32 = 0x01
	prptAccessRead            int32 = 0x02
	prptAccessDelete          int32 = 0x04
	prptAccessCreateHierarchy int32 = 0x08
	prptAccessCreateContents  int32 = 0x10
	prptAccessCreateAssoc     int32 = 0x20
)

// Kinds of objects with properties.
const (
	prptKindLogon = iota + 1
	prptKindFolder
	prptKindMessage
	prptKindAttachment
)

// prptTarget is an object the property ROPs work on.
type prptTarget struct {
	x    *execCtx
	lg   *logonObj
	kind int
	fid  prop.ID // folder
	msg  *messageObj
	att  *attachmentObj
}

// prptTargetOf returns the property target of a server object, or
// ecNotSupported for objects without properties (tables, streams, …).
func (x *execCtx) prptTargetOf(obj object) (*prptTarget, prop.ErrorCode) {
	t := &prptTarget{x: x, lg: obj.logon()}
	switch o := obj.(type) {
	case *logonObj:
		t.kind = prptKindLogon
	case *folderObj:
		t.kind, t.fid = prptKindFolder, o.fid
	case *messageObj:
		t.kind, t.msg, t.fid = prptKindMessage, o, o.fid
	case *attachmentObj:
		t.kind, t.att = prptKindAttachment, o
	default:
		return nil, ecNotSupported
	}
	return t, 0
}

// prptInput returns the target at the request's input handle, checked
// for reading.
func (x *execCtx) prptInput(req rop.Request) (*prptTarget, prop.ErrorCode) {
	obj, ec := x.input(req)
	if ec != 0 {
		return nil, ec
	}
	t, ec := x.prptTargetOf(obj)
	if ec != 0 {
		return nil, ec
	}
	if ec := t.canRead(); ec != 0 {
		return nil, ec
	}
	return t, 0
}

// canRead checks the right to read the target's properties: the folder
// must be visible to a user who does not own the mailbox. Messages and
// attachments were checked when opened.
func (t *prptTarget) canRead() prop.ErrorCode {
	if t.kind == prptKindFolder && !t.x.canAccess(t.lg, t.fid, store.RightFolderVisible) {
		return ecAccessDenied
	}
	return 0
}

// canWrite checks the right to change the target's properties: the
// mailbox's own properties only for its owner, a folder's for its owner
// or a FolderOwner member, messages and attachments opened for writing.
func (t *prptTarget) canWrite() prop.ErrorCode {
	switch t.kind {
	case prptKindLogon:
		if !t.lg.owner {
			return ecAccessDenied
		}
	case prptKindFolder:
		if !t.x.canAccess(t.lg, t.fid, store.RightFolderOwner) {
			return ecAccessDenied
		}
	case prptKindMessage:
		if t.msg.readOnly || t.msg.msg.ReadOnly {
			return ecAccessDenied
		}
	case prptKindAttachment:
		if t.att.readOnly || t.att.att.ReadOnly {
			return ecAccessDenied
		}
	}
	return 0
}

// props returns every property of the target, stored and computed.
func (t *prptTarget) props() (store.Props, error) {
	switch t.kind {
	case prptKindLogon:
		return t.x.prptStoreProps(t.lg)
	case prptKindFolder:
		return t.x.prptFolderProps(t.lg, t.fid)
	case prptKindMessage:
		return t.x.prptMessageProps(t.msg), nil
	default:
		p := t.att.att.AllProps()
		p.Set(prptObjectType, prptObjAttachment)
		p.Set(prptAccessLevel, prptBool32(t.canWrite() == 0))
		return p, nil
	}
}

func prptBool32(b bool) int32 {
	if b {
		return 1
	}
	return 0
}

// computed reports a property the server computes for the target's kind,
// which clients cannot set or delete.
func (t *prptTarget) computed(tag prop.Tag) bool {
	switch tag.ID() {
	case prptEntryId.ID(), prptObjectType.ID(), prptAccessLevel.ID(), prptStoreEntryId.ID(), prptStoreRecordKey.ID():
		return true
	}
	switch t.kind {
	case prptKindLogon:
		switch tag.ID() {
		case store.TagDisplayName.ID(), prptRecordKey.ID(), prptMailboxOwnerEntryId.ID(), prptMailboxOwnerName.ID(),
			prptUserEntryId.ID(), prptUserName.ID(), prptIpmSubtreeEntryId.ID(), prptIpmOutboxEntryId.ID(),
			prptIpmWastebasketEntryId.ID(), prptIpmSentMailEntryId.ID(), prptViewsEntryId.ID(),
			prptCommonViewsEntryId.ID(), prptFinderEntryId.ID(), prptStoreSupportMask.ID(), prptStoreState.ID():
			return true
		}
	case prptKindFolder:
		return foldComputed(tag)
	case prptKindMessage:
		switch tag.ID() {
		case store.TagMid.ID(), store.TagFolderId.ID(), store.TagParentFolderId.ID(), store.TagMessageSize.ID(),
			store.TagHasAttachments.ID(), store.TagChangeNumber.ID(), prptMessageRecipients.ID(),
			prptMessageAttachments.ID(), prptParentEntryId.ID(), prptAccess.ID():
			return true
		}
	case prptKindAttachment:
		switch tag.ID() {
		case store.TagAttachNumber.ID(), store.TagAttachSize.ID():
			return true
		}
	}
	return false
}

// foldComputed reports the folder properties the server computes.
func foldComputed(tag prop.Tag) bool {
	switch tag.ID() {
	case store.TagFolderId.ID(), store.TagParentFolderId.ID(), store.TagContentCount.ID(),
		store.TagContentUnreadCount.ID(), store.TagAssociatedContentCount.ID(), store.TagSubfolders.ID(),
		store.TagChangeNumber.ID(), store.TagDeletedCountTotal.ID(), store.TagFolderType.ID(),
		prptEntryId.ID(), prptParentEntryId.ID(), prptRecordKey.ID(), prptStoreEntryId.ID(),
		prptStoreRecordKey.ID(), prptObjectType.ID(), prptAccess.ID(), prptAccessLevel.ID(),
		prptRights.ID(), prptHasRules.ID():
		return true
	}
	return false
}

// identity reports properties that name one object (its ids, change
// tracking, times) and stay behind when properties are copied to another.
func prptIdentity(tag prop.Tag) bool {
	switch tag.ID() {
	case store.TagSourceKey.ID(), store.TagParentSourceKey.ID(), store.TagChangeKey.ID(),
		store.TagPredecessorChangeList.ID(), store.TagCreationTime.ID(), store.TagLastModificationTime.ID(),
		store.TagLocalCommitTimeMax.ID(), prptRecordKey.ID(), prptRights.ID(), prptAccess.ID():
		return true
	}
	return false
}

// storable reports a value type the store keeps.
func prptStorable(t prop.Type) bool {
	if !t.Known() || t&prop.MultiValueInstance != 0 {
		return false
	}
	switch t {
	case prop.PtypUnspecified, prop.PtypNull, prop.PtypErrorCode:
		return false
	}
	return true
}

// set sets properties, returning a problem per refused value (indexes
// into vals).
func (t *prptTarget) set(vals []prop.TaggedValue) ([]prop.Problem, error) {
	var probs []prop.Problem
	var ok []prop.TaggedValue
	var at []int // index in vals of each value of ok
	for i, v := range vals {
		switch {
		case t.computed(v.Tag):
			probs = append(probs, prop.Problem{Index: uint16(i), PropertyTag: v.Tag, ErrorCode: ecAccessDenied})
		case !prptStorable(v.Tag.Type()):
			probs = append(probs, prop.Problem{Index: uint16(i), PropertyTag: v.Tag, ErrorCode: ecInvalidParam})
		default:
			ok = append(ok, v)
			at = append(at, i)
		}
	}
	if len(ok) == 0 {
		return probs, nil
	}
	var more []prop.Problem
	var err error
	switch t.kind {
	case prptKindLogon:
		err = t.x.st.SetStoreProps(t.lg.mb, ok)
	case prptKindFolder:
		more, err = t.x.st.SetFolderProps(t.lg.mb, t.fid, ok)
	case prptKindMessage:
		more, err = t.msg.msg.SetProps(ok)
	case prptKindAttachment:
		more, err = t.att.att.SetProps(ok)
	}
	if err != nil {
		return nil, err
	}
	for _, p := range more {
		if int(p.Index) < len(at) {
			p.Index = uint16(at[p.Index])
		}
		probs = append(probs, p)
	}
	prptSortProblems(probs)
	return probs, nil
}

func prptSortProblems(p []prop.Problem) {
	for i := 1; i < len(p); i++ {
		for j := i; j > 0 && p[j].Index < p[j-1].Index; j-- {
			p[j], p[j-1] = p[j-1], p[j]
		}
	}
}

// del deletes properties, returning a problem per computed property.
func (t *prptTarget) del(tags []prop.Tag) ([]prop.Problem, error) {
	var probs []prop.Problem
	var ok []prop.Tag
	for i, tag := range tags {
		if t.computed(tag) {
			probs = append(probs, prop.Problem{Index: uint16(i), PropertyTag: tag, ErrorCode: ecAccessDenied})
			continue
		}
		ok = append(ok, tag)
	}
	if len(ok) == 0 {
		return probs, nil
	}
	var err error
	switch t.kind {
	case prptKindLogon:
		// The store keeps mailbox properties set-only: a present one
		// cannot be removed.
		p, perr := t.x.st.StoreProps(t.lg.mb)
		if perr != nil {
			return nil, perr
		}
		for i, tag := range tags {
			if _, has := p.Get(tag.WithType(prop.PtypUnspecified)); has && !t.computed(tag) {
				probs = append(probs, prop.Problem{Index: uint16(i), PropertyTag: tag, ErrorCode: ecNotSupported})
			}
		}
		prptSortProblems(probs)
	case prptKindFolder:
		err = t.x.st.DeleteFolderProps(t.lg.mb, t.fid, ok)
	case prptKindMessage:
		err = t.msg.msg.DeleteProps(ok)
	case prptKindAttachment:
		err = t.att.att.DeleteProps(ok)
	}
	if err != nil {
		return nil, err
	}
	return probs, nil
}

// copyable returns the properties a copy carries to another object of
// the same kind: the writable ones, without the object's identity.
func (t *prptTarget) copyable() (store.Props, error) {
	p, err := t.props()
	if err != nil {
		return nil, err
	}
	for id, tv := range p {
		if t.computed(tv.Tag) || prptIdentity(tv.Tag) || !prptStorable(tv.Tag.Type()) || tv.Tag.Type() == prop.PtypObject {
			delete(p, id)
		}
	}
	if t.kind == prptKindFolder {
		// A folder keeps its own name and computed special-folder ids.
		p.Delete(store.TagDisplayName)
		if t.fid != 0 {
			if own, err := t.x.st.FolderProps(t.lg.mb, t.fid); err == nil {
				for _, tag := range foldSpecialIDTags {
					if _, stored := own.Get(tag); !stored {
						p.Delete(tag)
					}
				}
			}
		}
	}
	return p, nil
}

// publishModified announces a change of a folder's properties.
func (t *prptTarget) publishModified(tags []prop.Tag) {
	if t.kind != prptKindFolder {
		return
	}
	parent := prop.ID(0)
	if f, err := t.x.st.Folder(t.lg.mb, t.fid); err == nil {
		parent = f.Parent
	}
	t.x.publish(t.lg, event{kind: fnevObjectModified, fid: t.fid, parent: parent, tags: tags})
}

// ---- computed properties ----

// prptStoreProps returns the logon object's properties — [MS-OXCSTOR]
// 2.2.2.1: what clients set plus the mailbox's identity and the entry
// ids of its special folders.
func (x *execCtx) prptStoreProps(lg *logonObj) (store.Props, error) {
	p, err := x.st.StoreProps(lg.mb)
	if err != nil {
		return nil, err
	}
	mb := lg.mb
	fids, err := x.st.LogonFolderIDs(mb)
	if err != nil {
		return nil, err
	}
	p.Set(store.TagDisplayName, "Mailbox - "+mb.DisplayName)
	p.Set(prptMailboxOwnerName, mb.DisplayName)
	p.Set(prptMailboxOwnerEntryId, prptABEntryID(mb.LegacyDN))
	p.Set(prptUserEntryId, prptABEntryID(x.user.mb.LegacyDN))
	p.Set(prptUserName, x.user.mb.DisplayName)
	p.Set(prptEntryId, prptStoreEntryID(mb))
	p.Set(prptStoreEntryId, prptStoreEntryID(mb))
	p.Set(prptRecordKey, append([]byte(nil), mb.MailboxGUID[:]...))
	p.Set(prptStoreRecordKey, append([]byte(nil), mb.MailboxGUID[:]...))
	p.Set(prptObjectType, prptObjStore)
	p.Set(prptStoreSupportMask, int32(prptStoreSupportMaskPrivate))
	p.Set(prptStoreState, int32(0))
	p.Set(prptAccessLevel, prptBool32(lg.owner))
	for _, e := range []struct {
		tag prop.Tag
		i   int
	}{{prptIpmSubtreeEntryId, 3}, {prptIpmOutboxEntryId, 5}, {prptIpmSentMailEntryId, 6},
		{prptIpmWastebasketEntryId, 7}, {prptCommonViewsEntryId, 8}, {prptFinderEntryId, 10}, {prptViewsEntryId, 11}} {
		p.Set(e.tag, prptFolderEntryID(mb, fids[e.i]))
	}
	if _, ok := p.Get(prptOutOfOfficeState); !ok {
		p.Set(prptOutOfOfficeState, false)
	}
	if _, ok := p.Get(prptLocaleId); !ok {
		p.Set(prptLocaleId, int32(1033))
	}
	if _, ok := p.Get(prptSortLocaleId); !ok {
		p.Set(prptSortLocaleId, int32(1033))
	}
	if _, ok := p.Get(prptCodePageId); !ok {
		cp := int32(1252)
		if x.em.codePage != 0 {
			cp = int32(x.em.codePage)
		}
		p.Set(prptCodePageId, cp)
	}
	return p, nil
}

// foldSpecialIDTags are the special-folder entry ids the Root and Inbox
// folders carry — [MS-OXOSFLD] 2.2.
var foldSpecialIDTags = []prop.Tag{
	prptIpmAppointmentEntryId, prptIpmContactEntryId, prptIpmJournalEntryId, prptIpmNoteEntryId,
	prptIpmTaskEntryId, prptIpmDraftsEntryId, prptAdditionalRenEntryIds,
}

// prptFolderProps returns a folder's properties: the store's, its entry
// ids, access and rights for the session's user, and on the Root and
// Inbox folders the entry ids of the special folders ([MS-OXOSFLD] 2.2.2)
// unless a client stored its own.
func (x *execCtx) prptFolderProps(lg *logonObj, fid prop.ID) (store.Props, error) {
	mb := lg.mb
	p, err := x.st.FolderProps(mb, fid)
	if err != nil {
		return nil, err
	}
	f, err := x.st.Folder(mb, fid)
	if err != nil {
		return nil, err
	}
	if f.Type == store.FolderSearch {
		// A search folder counts its current results.
		c, err := x.st.FolderCounts(mb, fid)
		if err != nil {
			return nil, err
		}
		p.Set(store.TagContentCount, int32(c.Content))
		p.Set(store.TagContentUnreadCount, int32(c.Unread))
	}
	p.Set(prptEntryId, prptFolderEntryID(mb, fid))
	if f.Parent != 0 {
		p.Set(prptParentEntryId, prptFolderEntryID(mb, f.Parent))
	}
	p.Set(prptRecordKey, store.XID(mb.ReplicaGUID, fid.GlobalCounter()))
	p.Set(prptStoreEntryId, prptStoreEntryID(mb))
	p.Set(prptStoreRecordKey, append([]byte(nil), mb.MailboxGUID[:]...))
	p.Set(prptObjectType, prptObjFolder)
	rights, err := x.st.Rights(mb, fid, lg.user)
	if err != nil {
		return nil, err
	}
	if lg.owner {
		rights = store.RightsOwner | store.RightFreeBusySimple | store.RightFreeBusyDetailed
	}
	p.Set(prptRights, int32(rights))
	var access int32
	if rights&(store.RightReadAny|store.RightFolderVisible) != 0 {
		access |= prptAccessRead
	}
	if rights&store.RightFolderOwner != 0 {
		access |= prptAccessModify | prptAccessDelete | prptAccessCreateAssoc
	}
	if rights&store.RightCreateSubfolder != 0 {
		access |= prptAccessCreateHierarchy
	}
	if rights&store.RightCreate != 0 {
		access |= prptAccessCreateContents
	}
	p.Set(prptAccess, access)
	p.Set(prptAccessLevel, prptBool32(access&prptAccessModify != 0))
	rules, err := x.st.Rules(mb, fid)
	if err != nil {
		return nil, err
	}
	p.Set(prptHasRules, len(rules) > 0)
	if f.Role == store.RoleRoot || f.Role == store.RoleInbox {
		for _, e := range []struct {
			tag  prop.Tag
			role store.Role
		}{{prptIpmAppointmentEntryId, store.RoleCalendar}, {prptIpmContactEntryId, store.RoleContacts},
			{prptIpmJournalEntryId, store.RoleJournal}, {prptIpmNoteEntryId, store.RoleNotes},
			{prptIpmTaskEntryId, store.RoleTasks}, {prptIpmDraftsEntryId, store.RoleDrafts}} {
			if _, ok := p.Get(e.tag); ok {
				continue
			}
			if sf, err := x.st.SpecialFolder(mb, e.role); err == nil {
				p.Set(e.tag, prptFolderEntryID(mb, sf.ID))
			}
		}
		if _, ok := p.Get(prptAdditionalRenEntryIds); !ok {
			// Conflicts, Sync Issues, Local Failures, Server Failures,
			// Junk E-mail — [MS-OXOSFLD] 2.2.4.
			var ids [][]byte
			for _, r := range []store.Role{store.RoleConflicts, store.RoleSyncIssues, store.RoleLocalFailures, store.RoleServerFailures, store.RoleJunk} {
				if sf, err := x.st.SpecialFolder(mb, r); err == nil {
					ids = append(ids, prptFolderEntryID(mb, sf.ID))
				} else {
					ids = append(ids, []byte{})
				}
			}
			p.Set(prptAdditionalRenEntryIds, ids)
		}
	}
	return p, nil
}

// prptMessageProps returns an open message's properties with its entry
// ids and access.
func (x *execCtx) prptMessageProps(m *messageObj) store.Props {
	mb := m.lg.mb
	p := m.msg.AllProps()
	if m.msg.ID != 0 && m.msg.FolderID != 0 {
		p.Set(prptEntryId, prptMessageEntryID(mb, m.msg.FolderID, m.msg.ID))
	}
	if m.msg.FolderID != 0 {
		p.Set(prptParentEntryId, prptFolderEntryID(mb, m.msg.FolderID))
	}
	p.Set(prptStoreEntryId, prptStoreEntryID(mb))
	p.Set(prptStoreRecordKey, append([]byte(nil), mb.MailboxGUID[:]...))
	p.Set(prptObjectType, prptObjMessage)
	access := prptAccessRead
	if !m.readOnly && !m.msg.ReadOnly {
		access |= prptAccessModify | prptAccessDelete
	}
	p.Set(prptAccess, access)
	p.Set(prptAccessLevel, prptBool32(access&prptAccessModify != 0))
	return p
}

// prptFolderEntryID is a folder's Folder EntryID — [MS-OXCDATA] 2.2.4.1:
// the mailbox GUID as ProviderUID, the REPLGUID and GLOBCNT of the id.
func prptFolderEntryID(mb *store.Mailbox, fid prop.ID) []byte {
	b, _ := prop.EncodeEntryID(&prop.FolderEntryID{
		ProviderUID: mb.MailboxGUID, FolderType: prop.EitLTPrivateFolder,
		DatabaseGuid: mb.ReplicaGUID, GlobalCounter: prop.GlobCnt(fid.GlobalCounter()),
	})
	return b
}

// prptMessageEntryID is a message's Message EntryID — [MS-OXCDATA] 2.2.4.2.
func prptMessageEntryID(mb *store.Mailbox, fid, mid prop.ID) []byte {
	b, _ := prop.EncodeEntryID(&prop.MessageEntryID{
		ProviderUID: mb.MailboxGUID, MessageType: prop.EitLTPrivateMessage,
		FolderDatabaseGuid: mb.ReplicaGUID, FolderGlobalCounter: prop.GlobCnt(fid.GlobalCounter()),
		MessageDatabaseGuid: mb.ReplicaGUID, MessageGlobalCounter: prop.GlobCnt(mid.GlobalCounter()),
	})
	return b
}

// prptStoreEntryID is the mailbox's Store Object EntryID — [MS-OXCDATA]
// 2.2.4.3. The server short name is "<mailbox guid>@<domain>", the form
// Exchange Online uses.
func prptStoreEntryID(mb *store.Mailbox) []byte {
	_, domain, _ := strings.Cut(mb.Email, "@")
	b, _ := prop.EncodeEntryID(&prop.StoreEntryID{
		ProviderUID: prop.ProviderUIDStoreWrap, DLLFileName: prop.StoreDLLFileName,
		WrappedProviderUID: prop.ProviderUIDMailboxStore, WrappedType: 0x0000000C,
		ServerShortname: mb.MailboxGUID.String() + "@" + domain, MailboxDN: mb.LegacyDN,
	})
	return b
}

// prptABEntryID is the Address Book EntryID of a mail user —
// [MS-OXCDATA] 2.2.5.2.
func prptABEntryID(legacyDN string) []byte {
	b, _ := prop.EncodeEntryID(&prop.AddressBookEntryID{
		ProviderUID: prop.ProviderUIDAddressBook, Version: 1, Type: 0, X500DN: legacyDN,
	})
	return b
}

// ---- building responses ----

// prptValueSize is the encoded size of a value in a ROP buffer; -1 when
// it cannot be encoded there (a binary over 64 KB).
func prptValueSize(t prop.Type, v any) int {
	c := wire.NewEncoder(nil)
	prop.CodecValue(c, t, &v, "", prop.ROP)
	if c.Err() != nil {
		return -1
	}
	return len(c.Output())
}

// prptStringType returns the string type a client asked for by
// WantUnicode, for string types; others unchanged.
func prptStringType(t prop.Type, unicode bool) prop.Type {
	switch t {
	case prop.PtypString, prop.PtypString8:
		if unicode {
			return prop.PtypString
		}
		return prop.PtypString8
	case prop.PtypMultipleString, prop.PtypMultipleString8:
		if unicode {
			return prop.PtypMultipleString
		}
		return prop.PtypMultipleString8
	}
	return t
}

// prptRow builds the RowData of RopGetPropertiesSpecific — [MS-OXCPRPT]
// 3.2.5.1: values in the requested types (PtypUnspecified strings in the
// width WantUnicode asks), and a NotEnoughMemory error cell for a value
// larger than PropertySizeLimit.
func prptRow(src store.Props, tags []prop.Tag, unicode bool, limit int) prop.Row {
	row := rowFor(src, tags)
	for i, col := range tags {
		if col.Type() != prop.PtypUnspecified {
			continue
		}
		switch v := row.Values[i].(type) {
		case prop.TypedValue:
			v.Type = prptStringType(v.Type, unicode)
			row.Values[i] = v
		case prop.FlaggedValue:
			if v.Flag == prop.FlagValue {
				v.Type = prptStringType(v.Type, unicode)
				row.Values[i] = v
			}
		}
	}
	if limit > 0 {
		for i := range tags {
			if t, v, ok := prptCell(row, tags, i); ok {
				if n := prptValueSize(t, v); n < 0 || n > limit {
					prptErrorCell(&row, tags, i, ecPrptOOM)
				}
			}
		}
	}
	return row
}

// prptCell returns the type and value of cell i, false for an error or
// missing cell.
func prptCell(row prop.Row, tags []prop.Tag, i int) (prop.Type, any, bool) {
	switch v := row.Values[i].(type) {
	case prop.TypedValue:
		return v.Type, v.Value, true
	case prop.FlaggedValue:
		if v.Flag != prop.FlagValue {
			return 0, nil, false
		}
		t := v.Type
		if tags[i].Type() != prop.PtypUnspecified {
			t = tags[i].Type().Cell()
		}
		return t, v.Value, true
	default:
		return tags[i].Type().Cell(), v, true
	}
}

// prptErrorCell puts an error into cell i, making the row a
// FlaggedPropertyRow when it was a standard one.
func prptErrorCell(row *prop.Row, tags []prop.Tag, i int, ec prop.ErrorCode) {
	if row.Flag == 0 {
		for j, col := range tags {
			if col.Type() == prop.PtypUnspecified {
				tv, _ := row.Values[j].(prop.TypedValue)
				row.Values[j] = prop.FlaggedValue{Type: tv.Type, Flag: prop.FlagValue, Value: tv.Value}
				continue
			}
			row.Values[j] = prop.FlaggedValue{Flag: prop.FlagValue, Value: row.Values[j]}
		}
		row.Flag = 1
	}
	fv, _ := row.Values[i].(prop.FlaggedValue)
	row.Values[i] = prop.FlaggedValue{Type: fv.Type, Flag: prop.FlagError, Value: ec}
}

// prptFit shrinks a response until it fits x.budget by turning its
// largest value into an error (shrink returns false when nothing is left
// to shrink). It returns ecError when the response cannot be encoded.
func (x *execCtx) prptFit(resp rop.Response, req rop.Request, shrink func() bool) prop.ErrorCode {
	for {
		b, err := rop.Encode(nil, resp, &rop.Ctx{Request: req})
		if err == nil && len(b) <= x.budget {
			return 0
		}
		if !shrink() {
			if err != nil {
				return ecError
			}
			return 0 // the framework answers RopBufferTooSmall
		}
	}
}

// ropGetPropertiesSpecific — [MS-OXCPRPT] 3.2.5.1.
func ropGetPropertiesSpecific(x *execCtx, req rop.Request) rop.Response {
	r := req.(*rop.GetPropertiesSpecificRequest)
	t, ec := x.prptInput(req)
	if ec != 0 {
		return x.fail(ec)
	}
	p, err := t.props()
	if err != nil {
		return x.fail(ecOf(err))
	}
	resp := &rop.GetPropertiesSpecificResponse{RowData: prptRow(p, r.PropertyTags, r.WantUnicode != 0, int(r.PropertySizeLimit))}
	x.ok(resp)
	ec = x.prptFit(resp, req, func() bool {
		best, size := -1, 0
		for i := range r.PropertyTags {
			if ty, v, ok := prptCell(resp.RowData, r.PropertyTags, i); ok {
				n := prptValueSize(ty, v)
				if n < 0 {
					n = 1 << 30
				}
				if n > size {
					best, size = i, n
				}
			}
		}
		if best < 0 || size <= 4 {
			return false
		}
		prptErrorCell(&resp.RowData, r.PropertyTags, best, ecPrptOOM)
		return true
	})
	if ec != 0 {
		return x.fail(ec)
	}
	return resp
}

// prptAllValues returns the target's properties as TaggedPropertyValues
// for RopGetPropertiesAll: strings in the width WantUnicode asks, values
// over the size limit as NotEnoughMemory errors, PtypObject values left
// out (they are opened, not read).
func prptAllValues(p store.Props, unicode bool, limit int) []prop.TaggedValue {
	var out []prop.TaggedValue
	for _, tv := range p.List() {
		t := tv.Tag.Type()
		if t == prop.PtypObject || !t.Known() {
			continue
		}
		tv.Tag = tv.Tag.WithType(prptStringType(t, unicode))
		if n := prptValueSize(tv.Tag.Type(), tv.Value); n < 0 || (limit > 0 && n > limit) {
			tv = prop.TaggedValue{Tag: tv.Tag.WithType(prop.PtypErrorCode), Value: ecPrptOOM}
		}
		out = append(out, tv)
	}
	return out
}

// ropGetPropertiesAll — [MS-OXCPRPT] 3.2.5.2.
func ropGetPropertiesAll(x *execCtx, req rop.Request) rop.Response {
	r := req.(*rop.GetPropertiesAllRequest)
	t, ec := x.prptInput(req)
	if ec != 0 {
		return x.fail(ec)
	}
	p, err := t.props()
	if err != nil {
		return x.fail(ecOf(err))
	}
	resp := &rop.GetPropertiesAllResponse{PropertyValues: prptAllValues(p, r.WantUnicode != 0, int(r.PropertySizeLimit))}
	x.ok(resp)
	ec = x.prptFit(resp, req, func() bool {
		best, size := -1, 4
		for i, tv := range resp.PropertyValues {
			if tv.Tag.Type() == prop.PtypErrorCode {
				continue
			}
			if n := prptValueSize(tv.Tag.Type(), tv.Value); n > size || n < 0 {
				best, size = i, n
				if n < 0 {
					break
				}
			}
		}
		if best < 0 {
			return false
		}
		tv := resp.PropertyValues[best]
		resp.PropertyValues[best] = prop.TaggedValue{Tag: tv.Tag.WithType(prop.PtypErrorCode), Value: ecPrptOOM}
		return true
	})
	if ec != 0 {
		return x.fail(ec)
	}
	return resp
}

// ropGetPropertiesList — [MS-OXCPRPT] 3.2.5.3.
func ropGetPropertiesList(x *execCtx, req rop.Request) rop.Response {
	t, ec := x.prptInput(req)
	if ec != 0 {
		return x.fail(ec)
	}
	p, err := t.props()
	if err != nil {
		return x.fail(ecOf(err))
	}
	resp := &rop.GetPropertiesListResponse{PropertyTags: []prop.Tag{}}
	for _, tv := range p.List() {
		if tv.Tag.Type().Known() {
			resp.PropertyTags = append(resp.PropertyTags, tv.Tag.WithType(prptStringType(tv.Tag.Type(), true)))
		}
	}
	return x.ok(resp)
}

// prptWriteInput returns the target at the input handle, checked for
// writing.
func (x *execCtx) prptWriteInput(req rop.Request) (*prptTarget, prop.ErrorCode) {
	t, ec := x.prptInput(req)
	if ec != 0 {
		return nil, ec
	}
	if ec := t.canWrite(); ec != 0 {
		return nil, ec
	}
	return t, 0
}

// prptSet applies RopSetProperties and RopSetPropertiesNoReplicate —
// [MS-OXCPRPT] 3.2.5.4, 3.2.5.5: refused values come back as
// PropertyProblems, the others are set.
func (x *execCtx) prptSet(req rop.Request, vals []prop.TaggedValue) ([]prop.Problem, prop.ErrorCode) {
	t, ec := x.prptWriteInput(req)
	if ec != 0 {
		return nil, ec
	}
	probs, err := t.set(vals)
	if err != nil {
		return nil, ecOf(err)
	}
	tags := make([]prop.Tag, 0, len(vals))
	for _, v := range vals {
		tags = append(tags, v.Tag)
	}
	t.publishModified(tags)
	if probs == nil {
		probs = []prop.Problem{}
	}
	return probs, 0
}

func ropSetProperties(x *execCtx, req rop.Request) rop.Response {
	r := req.(*rop.SetPropertiesRequest)
	probs, ec := x.prptSet(req, r.PropertyValues)
	if ec != 0 {
		return x.fail(ec)
	}
	return x.ok(&rop.SetPropertiesResponse{PropertyProblems: probs})
}

func ropSetPropertiesNoReplicate(x *execCtx, req rop.Request) rop.Response {
	r := req.(*rop.SetPropertiesNoReplicateRequest)
	probs, ec := x.prptSet(req, r.PropertyValues)
	if ec != 0 {
		return x.fail(ec)
	}
	return x.ok(&rop.SetPropertiesNoReplicateResponse{PropertyProblems: probs})
}

// prptDelete applies RopDeleteProperties and
// RopDeletePropertiesNoReplicate — [MS-OXCPRPT] 3.2.5.6.
func (x *execCtx) prptDelete(req rop.Request, tags []prop.Tag) ([]prop.Problem, prop.ErrorCode) {
	t, ec := x.prptWriteInput(req)
	if ec != 0 {
		return nil, ec
	}
	probs, err := t.del(tags)
	if err != nil {
		return nil, ecOf(err)
	}
	t.publishModified(tags)
	if probs == nil {
		probs = []prop.Problem{}
	}
	return probs, 0
}

func ropDeleteProperties(x *execCtx, req rop.Request) rop.Response {
	r := req.(*rop.DeletePropertiesRequest)
	probs, ec := x.prptDelete(req, r.PropertyTags)
	if ec != 0 {
		return x.fail(ec)
	}
	return x.ok(&rop.DeletePropertiesResponse{PropertyProblems: probs})
}

func ropDeletePropertiesNoReplicate(x *execCtx, req rop.Request) rop.Response {
	r := req.(*rop.DeletePropertiesNoReplicateRequest)
	probs, ec := x.prptDelete(req, r.PropertyTags)
	if ec != 0 {
		return x.fail(ec)
	}
	return x.ok(&rop.DeletePropertiesNoReplicateResponse{PropertyProblems: probs})
}

// ---- named properties ----

// prptNamedInput returns the logon of a named-property ROP's input
// object, which may be a logon, folder, message or attachment.
func (x *execCtx) prptNamedInput(req rop.Request) (*prptTarget, prop.ErrorCode) {
	obj, ec := x.input(req)
	if ec != 0 {
		return nil, ec
	}
	return x.prptTargetOf(obj)
}

// mayCreateNames reports whether the session may add names to the
// mailbox's name map: its owner, or a user who may write the object the
// ROP was sent on.
func (t *prptTarget) mayCreateNames() bool {
	if t.lg.owner {
		return true
	}
	switch t.kind {
	case prptKindFolder:
		return t.x.canAccess(t.lg, t.fid, store.RightCreate)
	case prptKindMessage, prptKindAttachment:
		return t.canWrite() == 0
	}
	return false
}

// ropGetPropertyIdsFromNames — [MS-OXCPRPT] 3.2.5.9: names of PS_MAPI
// with a LID map to that id; unknown names get a new id with the Create
// flag, else 0 and ecWarnWithErrors. No names at all asks for every id
// of the mailbox's name map.
func ropGetPropertyIdsFromNames(x *execCtx, req rop.Request) rop.Response {
	r := req.(*rop.GetPropertyIdsFromNamesRequest)
	t, ec := x.prptNamedInput(req)
	if ec != 0 {
		return x.fail(ec)
	}
	if r.Flags&^0x02 != 0 {
		return x.fail(ecInvalidParam)
	}
	mb := t.lg.mb
	resp := &rop.GetPropertyIdsFromNamesResponse{PropertyIds: []uint16{}}
	if len(r.PropertyNames) == 0 {
		all, err := x.st.QueryNamedProperties(mb, nil, 0)
		if err != nil {
			return x.fail(ecOf(err))
		}
		for _, np := range all {
			resp.PropertyIds = append(resp.PropertyIds, np.ID)
		}
		return x.ok(resp)
	}
	create := r.Flags&0x02 != 0 && t.mayCreateNames()
	warn := false
	for _, n := range r.PropertyNames {
		id, err := x.st.NamedPropertyID(mb, n, create)
		switch ecOf(err) {
		case ecSuccess:
		case store.ErrNotFound, store.ErrInvalidParam, ecPrptOOM:
			id, warn = 0, true
		default:
			return x.fail(ecOf(err))
		}
		resp.PropertyIds = append(resp.PropertyIds, id)
	}
	x.ok(resp)
	if warn {
		resp.ReturnValue = ecWarnWithErrors
	}
	return resp
}

// ropGetNamesFromPropertyIds — [MS-OXCPRPT] 3.2.5.10: an id without a
// name comes back with Kind 0xFF and ecWarnWithErrors.
func ropGetNamesFromPropertyIds(x *execCtx, req rop.Request) rop.Response {
	r := req.(*rop.GetNamesFromPropertyIdsRequest)
	t, ec := x.prptNamedInput(req)
	if ec != 0 {
		return x.fail(ec)
	}
	resp := &rop.GetNamesFromPropertyIdsResponse{PropertyNames: []prop.PropertyName{}}
	warn := false
	for _, id := range r.PropertyIds {
		n, err := x.st.NamedPropertyName(t.lg.mb, id)
		switch ecOf(err) {
		case ecSuccess:
		case store.ErrNotFound:
			n, warn = prop.PropertyName{Kind: prop.KindNone}, true
		default:
			return x.fail(ecOf(err))
		}
		resp.PropertyNames = append(resp.PropertyNames, n)
	}
	x.ok(resp)
	if warn {
		resp.ReturnValue = ecWarnWithErrors
	}
	return resp
}

// ropQueryNamedProperties — [MS-OXCPRPT] 3.2.5.11.
func ropQueryNamedProperties(x *execCtx, req rop.Request) rop.Response {
	r := req.(*rop.QueryNamedPropertiesRequest)
	t, ec := x.prptNamedInput(req)
	if ec != 0 {
		return x.fail(ec)
	}
	if r.QueryFlags&^0x03 != 0 {
		return x.fail(ecInvalidParam)
	}
	var guid *prop.GUID
	if r.HasGuid {
		g := r.PropertyGuid
		guid = &g
	}
	all, err := x.st.QueryNamedProperties(t.lg.mb, guid, r.QueryFlags)
	if err != nil {
		return x.fail(ecOf(err))
	}
	resp := &rop.QueryNamedPropertiesResponse{PropertyIds: []uint16{}, PropertyNames: []prop.PropertyName{}}
	for _, np := range all {
		resp.PropertyIds = append(resp.PropertyIds, np.ID)
		resp.PropertyNames = append(resp.PropertyNames, np.Name)
	}
	return x.ok(resp)
}

// ---- copying ----

// prptCopyEnds returns the source (input handle) and destination
// (DestHandleIndex) of RopCopyTo / RopCopyProperties. A bad destination
// handle gives ecDstNullObject; objects of different kinds ecNotSupported.
func (x *execCtx) prptCopyEnds(req rop.Request, dest uint8, flags uint8) (src, dst *prptTarget, ec prop.ErrorCode) {
	src, ec = x.prptInput(req)
	if ec != 0 {
		return nil, nil, ec
	}
	dobj, ec := x.object(dest)
	if ec != 0 {
		return nil, nil, ecDstNullObject
	}
	dst, ec = x.prptTargetOf(dobj)
	if ec != 0 {
		return nil, nil, ec
	}
	if flags&^0x03 != 0 {
		return nil, nil, ecInvalidParam
	}
	if src.kind != dst.kind || src.kind == prptKindLogon {
		return nil, nil, ecNotSupported
	}
	if src.kind == prptKindFolder && flags&0x01 != 0 {
		// [MS-OXCPRPT] 3.2.5.7: folders do not move their properties.
		return nil, nil, ecNotSupported
	}
	if ec := dst.canRead(); ec != 0 {
		return nil, nil, ec
	}
	if ec := dst.canWrite(); ec != 0 {
		return nil, nil, ec
	}
	if flags&0x01 != 0 {
		if ec := src.canWrite(); ec != 0 {
			return nil, nil, ec
		}
	}
	return src, dst, 0
}

// prptCopyFail is the failure response of RopCopyTo / RopCopyProperties,
// with DestHandleIndex for ecDstNullObject.
func (x *execCtx) prptCopyFail(ec prop.ErrorCode, dest uint8) rop.Response {
	resp := x.fail(ec)
	if ec == ecDstNullObject {
		switch r := resp.(type) {
		case *rop.CopyToResponse:
			r.DestHandleIndex = uint32(dest)
		case *rop.CopyPropertiesResponse:
			r.DestHandleIndex = uint32(dest)
		}
	}
	return resp
}

// ropCopyProperties — [MS-OXCPRPT] 3.2.5.7: the listed properties, with
// a problem for each the source lacks or the destination refuses.
func ropCopyProperties(x *execCtx, req rop.Request) rop.Response {
	r := req.(*rop.CopyPropertiesRequest)
	src, dst, ec := x.prptCopyEnds(req, r.DestHandleIndex, r.CopyFlags)
	if ec != 0 {
		return x.prptCopyFail(ec, r.DestHandleIndex)
	}
	sp, err := src.props()
	if err != nil {
		return x.fail(ecOf(err))
	}
	dp, err := dst.props()
	if err != nil {
		return x.fail(ecOf(err))
	}
	probs := []prop.Problem{}
	var vals []prop.TaggedValue
	var at []int
	var moved []prop.Tag
	var name *prop.TaggedValue
	nameAt := 0
	for i, tag := range r.PropertyTags {
		v, ok := sp.Get(tag)
		if !ok {
			probs = append(probs, prop.Problem{Index: uint16(i), PropertyTag: tag, ErrorCode: ecNotFound})
			continue
		}
		full := sp[tag.ID()].Tag
		if r.CopyFlags&0x02 != 0 {
			if _, has := dp.Get(full.WithType(prop.PtypUnspecified)); has {
				continue
			}
		}
		tv := prop.TaggedValue{Tag: full, Value: v}
		if dst.kind == prptKindFolder && full.ID() == store.TagDisplayName.ID() {
			// A name taken by a sibling is a problem of this value only.
			name, nameAt = &tv, i
			continue
		}
		vals = append(vals, tv)
		at = append(at, i)
	}
	more, err := dst.set(vals)
	if err != nil {
		return x.fail(ecOf(err))
	}
	bad := map[int]bool{}
	for _, p := range more {
		i := at[p.Index]
		bad[i] = true
		p.Index = uint16(i)
		probs = append(probs, p)
	}
	for k, i := range at {
		if !bad[i] {
			moved = append(moved, vals[k].Tag)
		}
	}
	if name != nil {
		np, err := dst.set([]prop.TaggedValue{*name})
		if err != nil || len(np) > 0 {
			e := ecOf(err)
			if len(np) > 0 {
				e = np[0].ErrorCode
			}
			probs = append(probs, prop.Problem{Index: uint16(nameAt), PropertyTag: name.Tag, ErrorCode: e})
		} else {
			moved = append(moved, name.Tag)
		}
	}
	if r.CopyFlags&0x01 != 0 && len(moved) > 0 {
		if _, err := src.del(moved); err != nil {
			return x.fail(ecOf(err))
		}
	}
	prptSortProblems(probs)
	dst.publishModified(moved)
	return x.ok(&rop.CopyPropertiesResponse{PropertyProblems: probs})
}

// ropCopyTo — [MS-OXCPRPT] 3.2.5.8: every writable property but the
// excluded ones, and with WantSubObjects the subobjects: a folder's
// messages and subfolders, a message's recipients and attachments, an
// attachment's embedded message.
func ropCopyTo(x *execCtx, req rop.Request) rop.Response {
	r := req.(*rop.CopyToRequest)
	src, dst, ec := x.prptCopyEnds(req, r.DestHandleIndex, r.CopyFlags)
	if ec != 0 {
		return x.prptCopyFail(ec, r.DestHandleIndex)
	}
	if src.kind == prptKindFolder && src.lg.mb.ID == dst.lg.mb.ID && src.fid == dst.fid {
		return x.fail(ecInvalidParam)
	}
	noOverwrite := r.CopyFlags&0x02 != 0
	excluded := map[uint16]bool{}
	for _, t := range r.ExcludedTags {
		excluded[t.ID()] = true
	}
	sp, err := src.copyable()
	if err != nil {
		return x.fail(ecOf(err))
	}
	dp, err := dst.props()
	if err != nil {
		return x.fail(ecOf(err))
	}
	var vals []prop.TaggedValue
	for _, tv := range sp.List() {
		if excluded[tv.Tag.ID()] {
			continue
		}
		if _, has := dp[tv.Tag.ID()]; has && noOverwrite {
			continue
		}
		vals = append(vals, tv)
	}
	probs, err := dst.set(vals)
	if err != nil {
		return x.fail(ecOf(err))
	}
	if probs == nil {
		probs = []prop.Problem{}
	}
	if r.WantSubObjects {
		if ec := x.prptCopySubObjects(src, dst, excluded, noOverwrite); ec != 0 {
			return x.fail(ec)
		}
	}
	if r.CopyFlags&0x01 != 0 {
		var moved []prop.Tag
		for _, v := range vals {
			moved = append(moved, v.Tag)
		}
		if _, err := src.del(moved); err != nil {
			return x.fail(ecOf(err))
		}
	}
	tags := make([]prop.Tag, 0, len(vals))
	for _, v := range vals {
		tags = append(tags, v.Tag)
	}
	dst.publishModified(tags)
	return x.ok(&rop.CopyToResponse{PropertyProblems: probs})
}

// prptCopySubObjects copies the subobjects of src into dst for RopCopyTo.
func (x *execCtx) prptCopySubObjects(src, dst *prptTarget, excluded map[uint16]bool, noOverwrite bool) prop.ErrorCode {
	switch src.kind {
	case prptKindFolder:
		return x.prptCopyFolderContents(src, dst, excluded)
	case prptKindMessage:
		return ecOf(prptCopyMessageBody(src.msg.msg, dst.msg.msg, excluded, noOverwrite))
	case prptKindAttachment:
		if excluded[store.TagAttachDataObject.ID()] {
			return 0
		}
		se, err := src.att.att.OpenEmbeddedMessage(false)
		if err != nil {
			return 0 // nothing embedded
		}
		de, err := dst.att.att.OpenEmbeddedMessage(true)
		if err != nil {
			return ecOf(err)
		}
		if err := prptCopyMessage(se, de, nil, noOverwrite); err != nil {
			return ecOf(err)
		}
		return ecOf(de.SaveChanges(false))
	}
	return 0
}

// prptCopyFolderContents copies a folder's messages (normal and FAI)
// and subfolders (recursively) into another folder.
func (x *execCtx) prptCopyFolderContents(src, dst *prptTarget, excluded map[uint16]bool) prop.ErrorCode {
	smb, dmb := src.lg.mb, dst.lg.mb
	if !x.canAccess(src.lg, src.fid, store.RightReadAny) || !x.canAccess(dst.lg, dst.fid, store.RightCreate) {
		return ecAccessDenied
	}
	// ExcludedTags may name the subobject properties
	// PidTagContainerContents, PidTagFolderAssociatedContents and
	// PidTagContainerHierarchy — [MS-OXCPRPT] 3.2.5.8.
	for _, assoc := range []bool{false, true} {
		if (!assoc && excluded[0x360F]) || (assoc && excluded[0x3610]) {
			continue
		}
		{
			rows, err := x.st.Contents(smb, src.fid, assoc)
			if err != nil {
				return ecOf(err)
			}
			var mids []prop.ID
			for _, row := range rows {
				if row.FolderID == src.fid {
					mids = append(mids, row.ID)
				}
			}
			if len(mids) == 0 {
				continue
			}
			ids, _, err := x.st.MoveCopyMessages(smb, src.fid, mids, dmb, dst.fid, true)
			if err != nil {
				return ecOf(err)
			}
			for _, id := range ids {
				if id != 0 {
					x.publish(dst.lg, event{kind: fnevObjectCreated, fid: dst.fid, mid: id, parent: dst.fid})
				}
			}
		}
	}
	if excluded[0x360E] {
		return 0
	}
	kids, err := x.st.Hierarchy(smb, src.fid, false)
	if err != nil {
		return ecOf(err)
	}
	if len(kids) > 0 && smb.ID != dmb.ID {
		return ecNotSupported
	}
	for _, k := range kids {
		if !x.canAccess(src.lg, k.Folder.ID, store.RightFolderVisible) {
			continue
		}
		nid, err := x.st.CopyFolder(smb, k.Folder.ID, dst.fid, k.Folder.Name, true)
		if ecOf(err) == store.ErrDuplicateName {
			continue
		}
		if err != nil {
			return ecOf(err)
		}
		x.publish(dst.lg, event{kind: fnevObjectCopied, fid: nid, parent: dst.fid, oldFid: k.Folder.ID, oldParent: src.fid})
	}
	return 0
}

// prptCopyMessage copies a message's properties and subobjects into
// another open message.
func prptCopyMessage(src, dst *store.Message, excluded map[uint16]bool, noOverwrite bool) error {
	if excluded == nil {
		excluded = map[uint16]bool{}
	}
	t := &prptTarget{kind: prptKindMessage}
	dp := dst.AllProps()
	var vals []prop.TaggedValue
	for _, tv := range src.AllProps().List() {
		if excluded[tv.Tag.ID()] || t.computed(tv.Tag) || prptIdentity(tv.Tag) || !prptStorable(tv.Tag.Type()) || tv.Tag.Type() == prop.PtypObject {
			continue
		}
		if _, has := dp[tv.Tag.ID()]; has && noOverwrite {
			continue
		}
		vals = append(vals, tv)
	}
	if _, err := dst.SetProps(vals); err != nil {
		return err
	}
	return prptCopyMessageBody(src, dst, excluded, noOverwrite)
}

// prptCopyMessageBody copies recipients and attachments (with embedded
// messages) of src into dst, replacing dst's unless noOverwrite and dst
// has its own.
func prptCopyMessageBody(src, dst *store.Message, excluded map[uint16]bool, noOverwrite bool) error {
	if !excluded[prptMessageRecipients.ID()] && (!noOverwrite || len(dst.Recipients()) == 0) {
		if err := dst.RemoveAllRecipients(); err != nil {
			return err
		}
		var rows []store.Recipient
		for _, rc := range src.Recipients() {
			rows = append(rows, store.Recipient{RowID: rc.RowID, Type: rc.Type, Props: rc.Props.Clone()})
		}
		if err := dst.ModifyRecipients(rows); err != nil {
			return err
		}
	}
	if excluded[prptMessageAttachments.ID()] || (noOverwrite && len(dst.AttachmentTable()) > 0) {
		return nil
	}
	for _, a := range dst.AttachmentTable() {
		if err := dst.DeleteAttachment(uint32(a.Int32(store.TagAttachNumber))); err != nil {
			return err
		}
	}
	for _, a := range src.AttachmentTable() {
		sa, err := src.OpenAttachment(uint32(a.Int32(store.TagAttachNumber)))
		if err != nil {
			return err
		}
		da, err := dst.CreateAttachment()
		if err != nil {
			return err
		}
		var vals []prop.TaggedValue
		for _, tv := range sa.AllProps().List() {
			switch tv.Tag.ID() {
			case store.TagAttachNumber.ID(), store.TagAttachSize.ID():
				continue
			}
			if !prptStorable(tv.Tag.Type()) || tv.Tag.Type() == prop.PtypObject {
				continue
			}
			vals = append(vals, tv)
		}
		if _, err := da.SetProps(vals); err != nil {
			return err
		}
		if se, err := sa.OpenEmbeddedMessage(false); err == nil {
			de, err := da.OpenEmbeddedMessage(true)
			if err != nil {
				return err
			}
			if err := prptCopyMessage(se, de, nil, false); err != nil {
				return err
			}
			if err := de.SaveChanges(false); err != nil {
				return err
			}
		}
		if err := da.SaveChanges(); err != nil {
			return err
		}
	}
	return nil
}

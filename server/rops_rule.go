package server

import (
	"github.com/mapiscope/mapiscope/decode/prop"
	"github.com/mapiscope/mapiscope/decode/rop"
	"github.com/mapiscope/mapiscope/server/store"
)

// Rule and permission ROPs that change a folder: RopModifyRules
// ([MS-OXORULE] 3.2.5.2) and RopModifyPermissions ([MS-OXCPERM]
// 3.2.5.2). Only the mailbox owner or a member with FolderOwner on the
// folder may use them.

func init() {
	handle(0x41, ropModifyRules)
	handle(0x40, ropModifyPermissions)
}

// ruleOwnedFolder returns the input folder when the session may change
// its rules and permissions.
func (x *execCtx) ruleOwnedFolder(req rop.Request) (*folderObj, prop.ErrorCode) {
	f, ec := x.foldInput(req)
	if ec != 0 {
		return nil, ec
	}
	if !x.canAccess(f.lg, f.fid, store.RightFolderOwner) {
		return nil, ecAccessDenied
	}
	return f, 0
}

// rulePublish announces a change of a folder's rules or permissions.
func (x *execCtx) rulePublish(f *folderObj) {
	parent := prop.ID(0)
	if folder, err := x.st.Folder(f.lg.mb, f.fid); err == nil {
		parent = folder.Parent
	}
	x.publish(f.lg, event{kind: fnevObjectModified, fid: f.fid, parent: parent})
}

// ropModifyRules — [MS-OXORULE] 3.2.5.2: ROW_ADD rules get a new
// PidTagRuleId (and must not carry one), ROW_MODIFY changes the listed
// properties of the rule its PidTagRuleId names, ROW_REMOVE deletes it;
// with the Replace flag only ROW_ADD is allowed and the folder's rules
// are replaced.
func ropModifyRules(x *execCtx, req rop.Request) rop.Response {
	r := req.(*rop.ModifyRulesRequest)
	f, ec := x.ruleOwnedFolder(req)
	if ec != 0 {
		return x.fail(ec)
	}
	if r.ModifyRulesFlag&^rop.ModifyRulesReplace != 0 {
		return x.fail(ecInvalidParam)
	}
	replace := r.ModifyRulesFlag&rop.ModifyRulesReplace != 0
	ops := make([]store.RuleOp, 0, len(r.RulesData))
	for _, d := range r.RulesData {
		if len(d.PropertyValues) == 0 {
			return x.fail(ecInvalidParam)
		}
		rule, set := store.RuleFromProps(d.PropertyValues)
		hasID := false
		var changed []prop.Tag
		for _, t := range set {
			if t.ID() == store.TagRuleId.ID() {
				hasID = true
				continue
			}
			changed = append(changed, t)
		}
		switch d.RuleDataFlags {
		case rop.RowAdd:
			if hasID || rule.Condition == nil || rule.Actions == nil {
				return x.fail(ecInvalidParam)
			}
			ops = append(ops, store.RuleOp{Op: store.RowAdd, Rule: rule})
		case rop.RowModify:
			if replace || !hasID {
				return x.fail(ecInvalidParam)
			}
			if changed == nil {
				changed = []prop.Tag{}
			}
			ops = append(ops, store.RuleOp{Op: store.RowModify, Rule: rule, Set: changed})
		case rop.RowRemove:
			if replace || !hasID {
				return x.fail(ecInvalidParam)
			}
			ops = append(ops, store.RuleOp{Op: store.RowRemove, Rule: rule})
		default:
			return x.fail(ecInvalidParam)
		}
	}
	if _, err := x.st.ModifyRules(f.lg.mb, f.fid, replace, ops); err != nil {
		return x.fail(ecOf(err))
	}
	x.rulePublish(f)
	return x.ok(&rop.ModifyRulesResponse{})
}

// permFreeBusy are the free/busy bits of PidTagMemberRights, which only
// change when the request sets IncludeFreeBusy — [MS-OXCPERM] 2.2.2.1.
const permFreeBusy = store.RightFreeBusySimple | store.RightFreeBusyDetailed

// ropModifyPermissions — [MS-OXCPERM] 3.2.5.2: AddRow names a user by
// the Address Book EntryID in PidTagEntryId, ModifyRow and RemoveRow a
// member by PidTagMemberId (0 the default user, -1 anonymous).
// ReplaceRows replaces every entry but the default user's.
func ropModifyPermissions(x *execCtx, req rop.Request) rop.Response {
	r := req.(*rop.ModifyPermissionsRequest)
	f, ec := x.ruleOwnedFolder(req)
	if ec != 0 {
		return x.fail(ec)
	}
	if r.ModifyFlags&^(rop.PermReplaceRows|rop.PermIncludeFreeBusy) != 0 {
		return x.fail(ecInvalidParam)
	}
	mb := f.lg.mb
	current, err := x.st.Permissions(mb, f.fid)
	if err != nil {
		return x.fail(ecOf(err))
	}
	rightsOf := map[int64]uint32{}
	memberOf := map[string]int64{}
	for _, p := range current {
		rightsOf[p.MemberID] = p.Rights
		if p.User != "" {
			memberOf[p.User] = p.MemberID
		}
	}
	replace := r.ModifyFlags&rop.PermReplaceRows != 0
	withFB := r.ModifyFlags&rop.PermIncludeFreeBusy != 0
	// keepFB leaves a member's free/busy bits as they are without
	// IncludeFreeBusy.
	keepFB := func(rights uint32, member int64, known bool) uint32 {
		if withFB {
			return rights
		}
		rights &^= permFreeBusy
		if known {
			rights |= rightsOf[member] & permFreeBusy
		}
		return rights
	}
	var ops []store.PermOp
	if replace {
		for _, p := range current {
			if p.MemberID != store.MemberDefault && (p.MemberID != store.MemberAnonymous || p.Rights != 0) {
				ops = append(ops, store.PermOp{Op: store.RowRemove, Perm: store.Permission{MemberID: p.MemberID}})
			}
		}
	}
	for _, d := range r.PermissionsData {
		var (
			entryID   []byte
			memberID  int64
			rights    uint32
			hasEntry  bool
			hasMember bool
			hasRights bool
		)
		for _, v := range d.PropertyValues {
			switch v.Tag {
			case store.TagEntryId:
				entryID, hasEntry = v.Value.([]byte)
			case store.TagMemberId:
				memberID, hasMember = v.Value.(int64)
			case store.TagMemberRights:
				var n int32
				n, hasRights = v.Value.(int32)
				rights = uint32(n)
			}
		}
		switch d.PermissionDataFlags {
		case rop.PermAddRow:
			if !hasEntry || !hasRights || hasMember {
				return x.fail(ecInvalidParam)
			}
			user, ec := x.permUser(entryID)
			if ec != 0 {
				return x.fail(ec)
			}
			if user.ID == mb.ID {
				return x.fail(ecInvalidParam) // the owner is no member
			}
			id, known := memberOf[user.Email]
			ops = append(ops, store.PermOp{Op: store.RowAdd, Perm: store.Permission{
				EntryID: entryID, Name: user.DisplayName, User: user.Email,
				Rights: keepFB(rights, id, known && !replace),
			}})
		case rop.PermModifyRow:
			if replace || !hasMember || !hasRights {
				return x.fail(ecInvalidParam)
			}
			_, known := rightsOf[memberID]
			ops = append(ops, store.PermOp{Op: store.RowModify, Perm: store.Permission{MemberID: memberID, Rights: keepFB(rights, memberID, known)}})
		case rop.PermRemoveRow:
			if replace || !hasMember {
				return x.fail(ecInvalidParam)
			}
			ops = append(ops, store.PermOp{Op: store.RowRemove, Perm: store.Permission{MemberID: memberID}})
		default:
			return x.fail(ecInvalidParam)
		}
	}
	if err := x.st.ModifyPermissions(mb, f.fid, false, ops); err != nil {
		return x.fail(ecOf(err))
	}
	x.rulePublish(f)
	return x.ok(&rop.ModifyPermissionsResponse{})
}

// permUser resolves the Address Book EntryID of a permission entry to a
// mailbox user.
func (x *execCtx) permUser(entryID []byte) (*store.Mailbox, prop.ErrorCode) {
	_, v, _, anomalies := prop.DecodeEntryID(entryID, false)
	ab, ok := v.(*prop.AddressBookEntryID)
	if !ok || len(anomalies) > 0 {
		return nil, ecInvalidParam
	}
	mb, err := x.st.MailboxByLegacyDN(ab.X500DN)
	if err != nil {
		return nil, ecNotFound
	}
	return mb, 0
}

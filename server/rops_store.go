package server

import (
	"strings"

	"github.com/mapiscope/mapiscope/decode/prop"
	"github.com/mapiscope/mapiscope/decode/rop"
	"github.com/mapiscope/mapiscope/server/store"
)

// Logon and store ROPs — [MS-OXCROPS] 2.2.3, semantics [MS-OXCSTOR] 3.2.5.

func init() {
	handle(0xFE, ropLogon)
	handle(0x27, ropGetReceiveFolder)
	handle(0x26, ropSetReceiveFolder)
	handle(0x68, ropGetReceiveFolderTable)
	handle(0x7B, ropGetStoreState)
}

// ropLogon — [MS-OXCSTOR] 3.2.5.1.1. A private logon names its mailbox
// by ESSDN; a mailbox other than the user's own needs a permission on
// it, else ecLoginPerm.
func ropLogon(x *execCtx, req rop.Request) rop.Response {
	r := req.(*rop.LogonRequest)
	if r.LogonFlags&0x01 == 0 {
		// No public folders in the built-in server: Exchange without a
		// public folder mailbox fails the logon this way.
		return x.fail(ecNotFound)
	}
	mb := x.user.mb
	if essdn := strings.TrimSpace(r.Essdn); essdn != "" && !strings.EqualFold(essdn, mb.LegacyDN) {
		other, err := x.st.MailboxByLegacyDN(essdn)
		if err != nil {
			return x.fail(ecUnknownUser)
		}
		mb = other
	}
	lg := &logonObj{id: r.LogonId, mb: mb, owner: mb.ID == x.user.mb.ID, flags: r.LogonFlags, openFlags: r.OpenFlags, user: x.user.mb.Email}
	fids, err := x.st.LogonFolderIDs(mb)
	if err != nil {
		return x.fail(ecOf(err))
	}
	if !lg.owner && !x.canAccess(lg, fids[4], store.RightFolderVisible) && !x.canAccess(lg, fids[3], store.RightFolderVisible) {
		return x.fail(ecLoginPerm)
	}
	// Handles of this LogonId count from 0 again when nothing of an
	// earlier logon with the same id is left.
	if old := x.em.logons[r.LogonId]; old == nil {
		left := false
		for h := range x.em.handles {
			if uint8(h>>24) == r.LogonId {
				left = true
				break
			}
		}
		if !left {
			x.em.next[r.LogonId] = 0
		}
	}
	if ec := x.bind(r.OutputHandleIndex, lg); ec != 0 {
		return x.fail(ec)
	}
	x.em.logons[r.LogonId] = lg
	resp := &rop.LogonResponse{LogonFlags: r.LogonFlags, FolderIds: fids}
	resp.ResponseFlags = 0x01 // Reserved, always set
	if lg.owner {
		resp.ResponseFlags |= 0x02 | 0x04 // OwnerRight, SendAsRight
	}
	resp.MailboxGuid = mb.MailboxGUID
	resp.ReplId = 0x0001
	resp.ReplGuid = mb.ReplicaGUID
	now := x.srv.cfg.Clock().UTC()
	resp.LogonTime = rop.LogonTime{
		Seconds: uint8(now.Second()), Minutes: uint8(now.Minute()), Hour: uint8(now.Hour()),
		DayOfWeek: uint8(now.Weekday()), Day: uint8(now.Day()), Month: uint8(now.Month()), Year: uint16(now.Year()),
	}
	resp.GwartTime = uint64(prop.FiletimeOf(now))
	return x.ok(resp)
}

// logonInput returns the logon a store-level ROP works on: its input
// handle must be a logon.
func (x *execCtx) logonInput(req rop.Request) (*logonObj, prop.ErrorCode) {
	obj, ec := x.input(req)
	if ec != 0 {
		return nil, ec
	}
	lg, ok := obj.(*logonObj)
	if !ok {
		return nil, ecNotSupported
	}
	return lg, 0
}

// ropGetReceiveFolder — [MS-OXCSTOR] 3.2.5.2.
func ropGetReceiveFolder(x *execCtx, req rop.Request) rop.Response {
	r := req.(*rop.GetReceiveFolderRequest)
	lg, ec := x.logonInput(req)
	if ec != 0 {
		return x.fail(ec)
	}
	fid, explicit, err := x.st.ReceiveFolder(lg.mb, r.MessageClass)
	if err != nil {
		return x.fail(ecOf(err))
	}
	return x.ok(&rop.GetReceiveFolderResponse{FolderId: fid, ExplicitMessageClass: explicit})
}

// ropSetReceiveFolder — [MS-OXCSTOR] 3.2.5.3. Only the owner may change
// the mailbox's receive folders.
func ropSetReceiveFolder(x *execCtx, req rop.Request) rop.Response {
	r := req.(*rop.SetReceiveFolderRequest)
	lg, ec := x.logonInput(req)
	if ec != 0 {
		return x.fail(ec)
	}
	if !lg.owner {
		return x.fail(ecAccessDenied)
	}
	if err := x.st.SetReceiveFolder(lg.mb, r.MessageClass, r.FolderId); err != nil {
		return x.fail(ecOf(err))
	}
	return x.ok(&rop.SetReceiveFolderResponse{})
}

// ropGetReceiveFolderTable — [MS-OXCSTOR] 3.2.5.4.
func ropGetReceiveFolderTable(x *execCtx, req rop.Request) rop.Response {
	lg, ec := x.logonInput(req)
	if ec != 0 {
		return x.fail(ec)
	}
	rows, err := x.st.ReceiveFolderTable(lg.mb)
	if err != nil {
		return x.fail(ecOf(err))
	}
	resp := &rop.GetReceiveFolderTableResponse{}
	for _, r := range rows {
		resp.Rows = append(resp.Rows, prop.Row{Values: []any{int64(r.FolderID), r.MessageClass, r.LastModificationTime}})
	}
	return x.ok(resp)
}

// ropGetStoreState — [MS-OXCSTOR] 3.2.5.5: STORE_HAS_SEARCHES when the
// mailbox has search folders with criteria (none are persisted across
// logons here, so 0).
func ropGetStoreState(x *execCtx, req rop.Request) rop.Response {
	if _, ec := x.logonInput(req); ec != 0 {
		return x.fail(ec)
	}
	return x.ok(&rop.GetStoreStateResponse{StoreState: 0})
}

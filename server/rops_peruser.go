package server

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/mapiscope/mapiscope/decode/prop"
	"github.com/mapiscope/mapiscope/decode/rop"
	"github.com/mapiscope/mapiscope/server/store"
)

// Per-user information ROPs — [MS-OXCROPS] 2.2.3.10–2.2.3.13, semantics
// [MS-OXCSTOR] 3.2.5.10–3.2.5.13. On a private-mailbox logon these read
// and write the mailbox's cache of public-folder read state (see
// store/peruser.go). The built-in server has no public folders, so the
// public-folders-logon branches of the specification never run; the
// checks are kept so that the ROPs stay correct should it grow them.
//
// The data is the mailbox owner's: a user logged on to another's mailbox
// through folder permissions gets ecAccessDenied.

func init() {
	handle(0x60, ropGetPerUserLongTermIds)
	handle(0x61, ropGetPerUserGuid)
	handle(0x63, ropReadPerUserInformation)
	handle(0x64, ropWritePerUserInformation)
}

// perUserReadDefault is the chunk size of RopReadPerUserInformation when
// the client leaves MaxDataSize 0 ([MS-OXCSTOR] 2.2.1.12.1: "a default
// value MUST be used").
const perUserReadDefault = 4096

// perUserLogon returns the private-mailbox logon that a per-user ROP
// works on and that the session's user owns.
func (x *execCtx) perUserLogon(req rop.Request) (*logonObj, prop.ErrorCode) {
	lg, ec := x.logonInput(req)
	if ec != 0 {
		return nil, ec
	}
	if lg.flags&0x01 == 0 {
		return nil, ecNotSupported // a public folders logon — 3.2.5.10, 3.2.5.11
	}
	if !lg.owner {
		return nil, ecAccessDenied
	}
	return lg, 0
}

// ropGetPerUserLongTermIds — [MS-OXCSTOR] 3.2.5.10: the public folders
// the mailbox holds per-user data for from the store DatabaseGuid; an
// empty list when it holds none (what Exchange answers for a mailbox that
// never cached any).
func ropGetPerUserLongTermIds(x *execCtx, req rop.Request) rop.Response {
	r := req.(*rop.GetPerUserLongTermIdsRequest)
	lg, ec := x.perUserLogon(req)
	if ec != 0 {
		return x.fail(ec)
	}
	ids, err := x.st.PerUserLongTermIDs(lg.mb, r.DatabaseGuid)
	if err != nil {
		return x.fail(ecOf(err))
	}
	if len(ids) > 0xFFFF {
		return x.fail(ecTooBig)
	}
	if ids == nil {
		ids = []prop.LongTermID{}
	}
	return x.ok(&rop.GetPerUserLongTermIdsResponse{LongTermIds: ids})
}

// ropGetPerUserGuid — [MS-OXCSTOR] 3.2.5.11: the REPLGUID of the public
// store that provided a folder's per-user data; ecNotFound when the
// mailbox holds none for the folder.
func ropGetPerUserGuid(x *execCtx, req rop.Request) rop.Response {
	r := req.(*rop.GetPerUserGuidRequest)
	lg, ec := x.perUserLogon(req)
	if ec != 0 {
		return x.fail(ec)
	}
	g, err := x.st.PerUserGUID(lg.mb, r.LongTermId)
	if err != nil {
		return x.fail(ecOf(err))
	}
	return x.ok(&rop.GetPerUserGuidResponse{DatabaseGuid: g})
}

// ropReadPerUserInformation — [MS-OXCSTOR] 3.2.5.12: the cached blob of a
// folder from DataOffset, at most MaxDataSize bytes (a default for 0,
// less when the response buffer has less room), HasFinished once the
// chunk reaches the end. A folder with no cached data reads as an empty,
// finished blob; a DataOffset past the end is ecInvalidParam.
func ropReadPerUserInformation(x *execCtx, req rop.Request) rop.Response {
	r := req.(*rop.ReadPerUserInformationRequest)
	lg, ec := x.perUserLogon(req)
	if ec != 0 {
		return x.fail(ec)
	}
	max := int(r.MaxDataSize)
	if max == 0 {
		max = perUserReadDefault
	}
	// RopId, InputHandleIndex, ReturnValue, HasFinished, DataSize.
	const overhead = 1 + 1 + 4 + 1 + 2
	if room := x.budget - overhead; room > 0 && room < max {
		max = room
	}
	chunk, total, err := x.st.ReadPerUser(lg.mb, r.FolderId, r.DataOffset, max)
	if errors.Is(err, store.ErrNotFound) {
		return x.ok(&rop.ReadPerUserInformationResponse{HasFinished: true, Data: []byte{}})
	}
	if err != nil {
		return x.fail(ecOf(err))
	}
	done := int64(r.DataOffset)+int64(len(chunk)) >= int64(total)
	return x.ok(&rop.ReadPerUserInformationResponse{HasFinished: done, Data: chunk})
}

// ropWritePerUserInformation — [MS-OXCSTOR] 3.2.5.13: one piece of a
// folder's blob; the pieces of a logon are staged until HasFinished and
// then validated and stored with the ReplGuid of the first piece (sent
// with DataOffset 0 on a private-mailbox logon, [MS-OXCROPS] 2.2.3.13.1).
// A piece that does not continue the logon's upload and does not start a
// new one fails with ecError; a blob that is no IDSET with REPLGUIDs
// fails with ecCorruptData.
func ropWritePerUserInformation(x *execCtx, req rop.Request) rop.Response {
	r := req.(*rop.WritePerUserInformationRequest)
	lg, ec := x.perUserLogon(req)
	if ec != 0 {
		return x.fail(ec)
	}
	if r.DataOffset == 0 && !r.HasReplGuid {
		return x.fail(ecInvalidParam)
	}
	w := store.PerUserWrite{
		Writer:   perUserWriter(x, lg),
		Folder:   r.FolderId,
		Offset:   r.DataOffset,
		Data:     r.Data,
		ReplGUID: r.ReplGuid,
		Finished: r.HasFinished,
	}
	if err := x.st.WritePerUser(lg.mb, w); err != nil {
		return x.fail(ecOf(err))
	}
	return x.ok(&rop.WritePerUserInformationResponse{})
}

// perUserWriter names the unit within which one upload streams: a logon
// of a session. The session is named by a hash of its context cookie, a
// secret that has no business in the database.
func perUserWriter(x *execCtx, lg *logonObj) string {
	sum := sha256.Sum256([]byte(x.em.ss.id))
	return fmt.Sprintf("%s/%d", hex.EncodeToString(sum[:12]), lg.id)
}

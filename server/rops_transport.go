package server

import (
	"github.com/mapiscope/mapiscope/decode/prop"
	"github.com/mapiscope/mapiscope/decode/rop"
	"github.com/mapiscope/mapiscope/server/store"
)

// Transport ROPs — [MS-OXCROPS] 2.2.7, semantics in [MS-OXOMSG] 3.2.5.
// The built-in server delivers at submission: every recipient that is a
// mailbox of the store gets the message in its receive folder at once,
// and the sender's copy moves to Sent Items.

func init() {
	handle(0x32, ropSubmitMessage)
	handle(0x34, ropAbortSubmit)
	handle(0x49, ropGetAddressTypes)
	handle(0x47, ropSetSpooler)
	handle(0x48, ropSpoolerLockMessage)
	handle(0x4A, ropTransportSend)
	handle(0x51, ropTransportNewMail)
	handle(0x6D, ropGetTransportFolder)
	handle(0x6F, ropOptionsData)
}

// ecNotInQueue — [MS-OXOMSG] 3.2.5.2: the message is not waiting to be
// sent.
const ecNotInQueue prop.ErrorCode = 0x80040601

// xportSubmit submits the message of a handle: it is saved first when it
// never was, then store.Submit delivers it. The recipients' mailboxes get
// fnevNewMail and fnevObjectCreated; the sender's mailbox learns of the
// move to Sent Items (or the deletion, with PidTagDeleteAfterSubmit). The
// handle is read-only afterwards: its working copy is the message that
// left. Only the mailbox owner may send.
func xportSubmit(x *execCtx, req rop.Request) prop.ErrorCode {
	mo, ec := msgInput(x, req)
	if ec != 0 {
		return ec
	}
	lg, m := mo.lg, mo.msg
	if mo.parentAtt != nil {
		return ecNotSupported
	}
	if !lg.owner {
		return ecAccessDenied
	}
	if m.New {
		if mo.readOnly {
			return ecAccessDenied
		}
		if err := m.SaveChanges(false); err != nil {
			return ecOf(err)
		}
		x.publish(lg, event{kind: fnevObjectCreated, fid: m.FolderID, mid: m.ID})
	}
	class := m.AllProps().String(store.TagMessageClass)
	oldFid, oldMid := m.FolderID, m.ID
	delivered, sentID, err := x.st.Submit(lg.mb, oldMid)
	if err != nil {
		return ecOf(err)
	}
	mo.readOnly, m.ReadOnly = true, true
	for _, to := range delivered {
		xportAnnounceDelivery(x, to, class)
	}
	switch sent, err := x.st.SpecialFolder(lg.mb, store.RoleSentItems); {
	case sentID == 0:
		x.publish(lg, event{kind: fnevObjectDeleted, fid: oldFid, mid: oldMid})
	case err == nil && sentID != oldMid:
		x.publish(lg, event{kind: fnevObjectMoved, fid: sent.ID, mid: sentID, oldFid: oldFid, oldMid: oldMid})
	}
	return 0
}

// xportAnnounceDelivery publishes the new mail of mailbox to: the newest
// message of the receive folder of its class, which Submit just put there.
func xportAnnounceDelivery(x *execCtx, to *store.Mailbox, class string) {
	fid, _, err := x.st.ReceiveFolder(to, class)
	if err != nil {
		return
	}
	rows, err := x.st.Contents(to, fid, false)
	if err != nil || len(rows) == 0 {
		return
	}
	last := rows[len(rows)-1]
	flags := uint32(last.Props.Int32(store.TagMessageFlags))
	x.srv.publish(to.ID, event{kind: fnevNewMail, fid: fid, mid: last.ID, messageClass: class, messageFlags: flags})
	x.srv.publish(to.ID, event{kind: fnevObjectCreated, fid: fid, mid: last.ID})
}

// ropSubmitMessage — [MS-OXOMSG] 3.2.5.1. SubmitFlags (PreProcess,
// NeedsSpooler) change nothing here: there is no spooler.
func ropSubmitMessage(x *execCtx, req rop.Request) rop.Response {
	if ec := xportSubmit(x, req); ec != 0 {
		return x.fail(ec)
	}
	return x.ok(&rop.SubmitMessageResponse{})
}

// ropTransportSend — [MS-OXOMSG] 3.2.5.8: sends like RopSubmitMessage;
// the server has no properties to hand back (NoPropertiesReturned).
func ropTransportSend(x *execCtx, req rop.Request) rop.Response {
	if ec := xportSubmit(x, req); ec != 0 {
		return x.fail(ec)
	}
	return x.ok(&rop.TransportSendResponse{NoPropertiesReturned: true})
}

// ropAbortSubmit — [MS-OXOMSG] 3.2.5.2. Delivery happens at submission,
// so a submitted message (still flagged mfSubmitted, or gone from the
// folder it was sent from) cannot be stopped: ecUnableToAbort. A message
// never submitted gives ecNotInQueue.
func ropAbortSubmit(x *execCtx, req rop.Request) rop.Response {
	r := req.(*rop.AbortSubmitRequest)
	obj, ec := x.input(req)
	if ec != 0 {
		return x.fail(ec)
	}
	lg := obj.logon()
	if !lg.owner {
		return x.fail(ecAccessDenied)
	}
	m, err := x.st.OpenMessage(lg.mb, r.FolderId, r.MessageId)
	if err == nil {
		if uint32(m.AllProps().Int32(store.TagMessageFlags))&store.MsgFlagSubmitted != 0 {
			return x.fail(ecUnableToAbort)
		}
		return x.fail(ecNotInQueue)
	}
	gone, err := x.st.Tombstones(lg.mb, r.FolderId, 0)
	if err != nil {
		return x.fail(ecOf(err))
	}
	for _, t := range gone {
		if t.ID == r.MessageId && !t.IsFolder {
			return x.fail(ecUnableToAbort)
		}
	}
	return x.fail(ecNotInQueue)
}

// xportLogon returns the logon of a transport ROP whose input is the
// logon.
func xportLogon(x *execCtx, req rop.Request) (*logonObj, prop.ErrorCode) {
	obj, ec := x.input(req)
	if ec != 0 {
		return nil, ec
	}
	lg, ok := obj.(*logonObj)
	if !ok {
		return nil, ecNullObject
	}
	return lg, 0
}

// ropGetAddressTypes — [MS-OXOMSG] 3.2.5.3: the address types the server
// delivers to.
func ropGetAddressTypes(x *execCtx, req rop.Request) rop.Response {
	if _, ec := xportLogon(x, req); ec != 0 {
		return x.fail(ec)
	}
	return x.ok(&rop.GetAddressTypesResponse{AddressTypes: []string{"EX", "SMTP"}})
}

// ropSetSpooler — [MS-OXOMSG] 3.2.5.4: accepted; there is no spooler
// queue to hand over.
func ropSetSpooler(x *execCtx, req rop.Request) rop.Response {
	if _, ec := xportLogon(x, req); ec != 0 {
		return x.fail(ec)
	}
	return x.ok(&rop.SetSpoolerResponse{})
}

// ropSpoolerLockMessage — [MS-OXOMSG] 3.2.5.5: accepted for a message of
// the owner's mailbox.
func ropSpoolerLockMessage(x *execCtx, req rop.Request) rop.Response {
	r := req.(*rop.SpoolerLockMessageRequest)
	lg, ec := xportLogon(x, req)
	if ec != 0 {
		return x.fail(ec)
	}
	if !lg.owner {
		return x.fail(ecAccessDenied)
	}
	if r.LockState > 2 {
		return x.fail(ecInvalidParam)
	}
	if _, err := x.st.OpenMessage(lg.mb, 0, r.MessageId); err != nil {
		return x.fail(ecOf(err))
	}
	return x.ok(&rop.SpoolerLockMessageResponse{})
}

// ropTransportNewMail — [MS-OXOMSG] 3.2.5.7: a transport tells the store
// of a new message; the store announces it as new mail.
func ropTransportNewMail(x *execCtx, req rop.Request) rop.Response {
	r := req.(*rop.TransportNewMailRequest)
	lg, ec := xportLogon(x, req)
	if ec != 0 {
		return x.fail(ec)
	}
	if !lg.owner {
		return x.fail(ecAccessDenied)
	}
	if _, err := x.st.OpenMessage(lg.mb, r.FolderId, r.MessageId); err != nil {
		return x.fail(ecOf(err))
	}
	x.publish(lg, event{kind: fnevNewMail, fid: r.FolderId, mid: r.MessageId, messageClass: r.MessageClass, messageFlags: r.MessageFlags})
	return x.ok(&rop.TransportNewMailResponse{})
}

// ropGetTransportFolder — [MS-OXOMSG] 3.2.5.6: the Outbox.
func ropGetTransportFolder(x *execCtx, req rop.Request) rop.Response {
	lg, ec := xportLogon(x, req)
	if ec != 0 {
		return x.fail(ec)
	}
	f, err := x.st.SpecialFolder(lg.mb, store.RoleOutbox)
	if err != nil {
		return x.fail(ecOf(err))
	}
	if !x.canAccess(lg, f.ID, store.RightFolderVisible) {
		return x.fail(ecAccessDenied)
	}
	return x.ok(&rop.GetTransportFolderResponse{FolderId: f.ID})
}

// ropOptionsData — [MS-OXOMSG] 3.2.5.9: no address-type options and no
// help file (Reserved is always 0x01).
func ropOptionsData(x *execCtx, req rop.Request) rop.Response {
	if _, ec := xportLogon(x, req); ec != 0 {
		return x.fail(ec)
	}
	return x.ok(&rop.OptionsDataResponse{Reserved: 0x01, OptionsInfo: []byte{}, HelpFile: []byte{}})
}

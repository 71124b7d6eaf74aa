package server

import (
	"github.com/mapiscope/mapiscope/decode/prop"
	"github.com/mapiscope/mapiscope/decode/rop"
	"github.com/mapiscope/mapiscope/server/store"
)

// Attachment ROPs — [MS-OXCROPS] 2.2.6.12 to 2.2.6.18, semantics in
// [MS-OXCMSG] 3.2.5.12 to 3.2.5.17. Attachments live in their message's
// working copy: RopSaveChangesAttachment commits into it, and the
// message's RopSaveChangesMessage stores both.

func init() {
	handle(0x22, ropOpenAttachment)
	handle(0x23, ropCreateAttachment)
	handle(0x24, ropDeleteAttachment)
	handle(0x25, ropSaveChangesAttachment)
	handle(0x46, ropOpenEmbeddedMessage)
	handle(0x52, ropGetValidAttachments)
}

// OpenAttachmentFlags — [MS-OXCMSG] 2.2.3.12.1; OpenModeFlags of
// RopOpenEmbeddedMessage — 2.2.3.16.1.
const (
	attReadWrite   uint8 = 0x01
	attBestAccess  uint8 = 0x03
	embReadWrite   uint8 = 0x01
	embCreate      uint8 = 0x02
	attKeepOpenRO  uint8 = 0x01
	attKeepOpenRW  uint8 = 0x02
	attOpenAnyMode uint8 = 0x03
)

// attInput returns the attachment a ROP works on: ecNullObject when the
// input handle is not an Attachment object.
func attInput(x *execCtx, req rop.Request) (*attachmentObj, prop.ErrorCode) {
	obj, ec := x.input(req)
	if ec != 0 {
		return nil, ec
	}
	a, ok := obj.(*attachmentObj)
	if !ok {
		return nil, ecNullObject
	}
	return a, 0
}

// ropOpenAttachment — [MS-OXCMSG] 3.2.5.12: ReadWrite on a read-only
// message is refused; BestAccess follows the message.
func ropOpenAttachment(x *execCtx, req rop.Request) rop.Response {
	r := req.(*rop.OpenAttachmentRequest)
	mo, ec := msgInput(x, req)
	if ec != 0 {
		return x.fail(ec)
	}
	write := false
	switch r.OpenAttachmentFlags & attOpenAnyMode {
	case attReadWrite:
		if mo.readOnly {
			return x.fail(ecAccessDenied)
		}
		write = true
	case attBestAccess:
		write = !mo.readOnly
	}
	a, err := mo.msg.OpenAttachment(r.AttachmentID)
	if err != nil {
		return x.fail(ecOf(err))
	}
	a.ReadOnly = !write
	if ec := x.bind(r.OutputHandleIndex, &attachmentObj{lg: mo.lg, parent: mo, att: a, readOnly: !write}); ec != 0 {
		return x.fail(ec)
	}
	return x.ok(&rop.OpenAttachmentResponse{})
}

// ropCreateAttachment — [MS-OXCMSG] 3.2.5.13: a new attachment with the
// next attachment number; it joins the message on its
// RopSaveChangesAttachment.
func ropCreateAttachment(x *execCtx, req rop.Request) rop.Response {
	r := req.(*rop.CreateAttachmentRequest)
	mo, ec := msgInput(x, req)
	if ec != 0 {
		return x.fail(ec)
	}
	if mo.readOnly {
		return x.fail(ecAccessDenied)
	}
	a, err := mo.msg.CreateAttachment()
	if err != nil {
		return x.fail(ecOf(err))
	}
	if ec := x.bind(r.OutputHandleIndex, &attachmentObj{lg: mo.lg, parent: mo, att: a}); ec != 0 {
		return x.fail(ec)
	}
	return x.ok(&rop.CreateAttachmentResponse{AttachmentID: a.Num})
}

// ropDeleteAttachment — [MS-OXCMSG] 3.2.5.14: removes the attachment from
// the working copy.
func ropDeleteAttachment(x *execCtx, req rop.Request) rop.Response {
	r := req.(*rop.DeleteAttachmentRequest)
	mo, ec := msgInput(x, req)
	if ec != 0 {
		return x.fail(ec)
	}
	if mo.readOnly {
		return x.fail(ecAccessDenied)
	}
	if err := mo.msg.DeleteAttachment(r.AttachmentID); err != nil {
		return x.fail(ecOf(err))
	}
	return x.ok(&rop.DeleteAttachmentResponse{})
}

// ropSaveChangesAttachment — [MS-OXCMSG] 3.2.5.15: commits the attachment
// into its message's working copy. The response names
// ResponseHandleIndex.
func ropSaveChangesAttachment(x *execCtx, req rop.Request) rop.Response {
	r := req.(*rop.SaveChangesAttachmentRequest)
	a, ec := attInput(x, req)
	if ec != 0 {
		return x.failAt(ec, r.ResponseHandleIndex)
	}
	if a.readOnly {
		return x.failAt(ecAccessDenied, r.ResponseHandleIndex)
	}
	if err := a.att.SaveChanges(); err != nil {
		return x.failAt(ecOf(err), r.ResponseHandleIndex)
	}
	if r.SaveFlags&(attKeepOpenRO|attKeepOpenRW) == attKeepOpenRO {
		a.readOnly, a.att.ReadOnly = true, true
	}
	return x.okAt(&rop.SaveChangesAttachmentResponse{}, r.ResponseHandleIndex)
}

// ropOpenEmbeddedMessage — [MS-OXCMSG] 3.2.5.16: the message inside an
// attachment; Create makes one when there is none (the attachment's
// PidTagAttachMethod becomes afEmbeddedMessage). Its RopSaveChangesMessage
// saves into the attachment's working copy.
func ropOpenEmbeddedMessage(x *execCtx, req rop.Request) rop.Response {
	r := req.(*rop.OpenEmbeddedMessageRequest)
	a, ec := attInput(x, req)
	if ec != 0 {
		return x.fail(ec)
	}
	write := r.OpenModeFlags&(embReadWrite|embCreate) != 0
	if write && a.readOnly {
		return x.fail(ecAccessDenied)
	}
	e, err := a.att.OpenEmbeddedMessage(r.OpenModeFlags&embCreate != 0)
	if err != nil {
		return x.fail(ecOf(err))
	}
	if !write {
		e.ReadOnly = true
	}
	mo := &messageObj{lg: a.lg, fid: a.parent.fid, msg: e, readOnly: !write, parentAtt: a}
	if ec := x.bind(r.OutputHandleIndex, mo); ec != 0 {
		return x.fail(ec)
	}
	return msgOpened(x, req, mo, func(om rop.OpenedMessage) rop.Response {
		return &rop.OpenEmbeddedMessageResponse{MessageId: e.ID, OpenedMessage: om}
	})
}

// ropGetValidAttachments — [MS-OXCMSG] 3.2.5.18: the attachment numbers
// of the working copy.
func ropGetValidAttachments(x *execCtx, req rop.Request) rop.Response {
	mo, ec := msgInput(x, req)
	if ec != 0 {
		return x.fail(ec)
	}
	resp := &rop.GetValidAttachmentsResponse{AttachmentIdArray: []uint32{}}
	for _, p := range mo.msg.AttachmentTable() {
		resp.AttachmentIdArray = append(resp.AttachmentIdArray, uint32(p.Int32(store.TagAttachNumber)))
	}
	return x.ok(resp)
}

package rop

import (
	"fmt"

	"github.com/mapiscope/mapiscope/decode/prop"
	"github.com/mapiscope/mapiscope/decode/wire"
)

// The notification ROPs ([MS-OXCROPS] 2.2.14), whose semantics are in
// [MS-OXCNOTIF].

// NotificationTypes of RopRegisterNotification — [MS-OXCNOTIF] 2.2.1.2.1.
var notificationTypesSym = wire.Flags(
	wire.Flag{Mask: 0x02, Name: "NewMail"},
	wire.Flag{Mask: 0x04, Name: "ObjectCreated"},
	wire.Flag{Mask: 0x08, Name: "ObjectDeleted"},
	wire.Flag{Mask: 0x10, Name: "ObjectModified"},
	wire.Flag{Mask: 0x20, Name: "ObjectMoved"},
	wire.Flag{Mask: 0x40, Name: "ObjectCopied"},
	wire.Flag{Mask: 0x80, Name: "SearchComplete"},
)

// ---- RopRegisterNotification (0x29) ----

// RopRegisterNotification request — [MS-OXCROPS] 2.2.14.1.1. FolderId and
// MessageId are on the wire only when WantWholeStore is false.
type RegisterNotificationRequest struct {
	RequestHeader
	OutputHandleIndex uint8
	NotificationTypes uint8
	Reserved          uint8
	WantWholeStore    bool
	FolderId          prop.ID
	MessageId         prop.ID
}

func (r *RegisterNotificationRequest) Codec(c *wire.Codec, ctx *Ctx) {
	r.RequestHeader.Codec(c, 0x29)
	OutputHandle(c, ctx, &r.OutputHandleIndex)
	c.U8(&r.NotificationTypes, "NotificationTypes")
	c.Hex().Named(notificationTypesSym)
	c.U8(&r.Reserved, "Reserved")
	c.Bool8(&r.WantWholeStore, "WantWholeStore")
	if !r.WantWholeStore {
		prop.CodecID(c, &r.FolderId, "FolderId")
		prop.CodecID(c, &r.MessageId, "MessageId")
	}
}

// RopRegisterNotification response — [MS-OXCROPS] 2.2.14.1.2.
type RegisterNotificationResponse struct {
	ResponseHeader
}

func (r *RegisterNotificationResponse) Codec(c *wire.Codec, ctx *Ctx) {
	r.ResponseHeader.Codec(c, 0x29, "OutputHandleIndex")
}

// ---- RopPending (0x6E) ----

// RopPending response — [MS-OXCROPS] 2.2.14.3.1. The server sends it,
// unrequested, when more notifications wait for the session SessionIndex.
type PendingResponse struct {
	RopId        uint8
	SessionIndex uint16
}

func (r *PendingResponse) Header() *ResponseHeader {
	return &ResponseHeader{RopId: r.RopId}
}

func (r *PendingResponse) Codec(c *wire.Codec, ctx *Ctx) {
	codecRopID(c, &r.RopId, 0x6E)
	c.U16(&r.SessionIndex, "SessionIndex")
}

// ---- RopNotify (0x2A) ----

// NotificationType values, the low 12 bits of NotificationFlags —
// [MS-OXCNOTIF] 2.2.1.4.1.2.
const (
	NotifyNewMail         uint16 = 0x0002
	NotifyObjectCreated   uint16 = 0x0004
	NotifyObjectDeleted   uint16 = 0x0008
	NotifyObjectModified  uint16 = 0x0010
	NotifyObjectMoved     uint16 = 0x0020
	NotifyObjectCopied    uint16 = 0x0040
	NotifySearchCompleted uint16 = 0x0080
	NotifyTableModified   uint16 = 0x0100
	NotifyReserved        uint16 = 0x0400 // not used by servers
)

// The flags in the high 4 bits of NotificationFlags, which say which
// fields are present — [MS-OXCNOTIF] 2.2.1.4.1.2.
const (
	NotifyFlagT uint16 = 0x1000 // TotalMessageCount present
	NotifyFlagU uint16 = 0x2000 // UnreadMessageCount present
	NotifyFlagS uint16 = 0x4000 // the event is in a search folder
	NotifyFlagM uint16 = 0x8000 // the event is about a message (MessageId fields present)
)

var notificationTypeSym = wire.Enum(
	wire.Flag{Mask: uint64(NotifyNewMail), Name: "NewMail"},
	wire.Flag{Mask: uint64(NotifyObjectCreated), Name: "ObjectCreated"},
	wire.Flag{Mask: uint64(NotifyObjectDeleted), Name: "ObjectDeleted"},
	wire.Flag{Mask: uint64(NotifyObjectModified), Name: "ObjectModified"},
	wire.Flag{Mask: uint64(NotifyObjectMoved), Name: "ObjectMoved"},
	wire.Flag{Mask: uint64(NotifyObjectCopied), Name: "ObjectCopied"},
	wire.Flag{Mask: uint64(NotifySearchCompleted), Name: "SearchCompleted"},
	wire.Flag{Mask: uint64(NotifyTableModified), Name: "TableModified"},
	wire.Flag{Mask: uint64(NotifyReserved), Name: "Reserved"},
)

var notificationFlagBitsSym = wire.Flags(
	wire.Flag{Mask: uint64(NotifyFlagT), Name: "T"},
	wire.Flag{Mask: uint64(NotifyFlagU), Name: "U"},
	wire.Flag{Mask: uint64(NotifyFlagS), Name: "S"},
	wire.Flag{Mask: uint64(NotifyFlagM), Name: "M"},
)

// notificationFlagsSym names NotificationFlags as the type then its flags:
// "TableModified|M".
func notificationFlagsSym(v uint64) string {
	s := notificationTypeSym(v & 0x0FFF)
	if s == "" {
		s = fmt.Sprintf("0x%03X", v&0x0FFF)
	}
	if f := notificationFlagBitsSym(v & 0xF000); f != "" {
		s += "|" + f
	}
	return s
}

// TableEventType values — [MS-OXCNOTIF] 2.2.1.4.1.2.
const (
	TableEventChanged            uint16 = 0x0001 // TableChanged
	TableEventRowAdded           uint16 = 0x0003 // TableRowAdded
	TableEventRowDeleted         uint16 = 0x0004 // TableRowDeleted
	TableEventRowModified        uint16 = 0x0005 // TableRowModified
	TableEventRestrictionChanged uint16 = 0x0007 // TableRestrictionChanged
	// TableEventReload is MAPI's TABLE_RELOAD; [MS-OXCNOTIF] does not list
	// it. Like TableChanged it carries no row fields.
	TableEventReload uint16 = 0x0009
)

var tableEventTypeSym = wire.Enum(
	wire.Flag{Mask: uint64(TableEventChanged), Name: "TableChanged"},
	wire.Flag{Mask: uint64(TableEventRowAdded), Name: "TableRowAdded"},
	wire.Flag{Mask: uint64(TableEventRowDeleted), Name: "TableRowDeleted"},
	wire.Flag{Mask: uint64(TableEventRowModified), Name: "TableRowModified"},
	wire.Flag{Mask: uint64(TableEventRestrictionChanged), Name: "TableRestrictionChanged"},
	wire.Flag{Mask: uint64(TableEventReload), Name: "TableReload"},
)

// MessageFlags of a NewMail notification: PidTagMessageFlags —
// [MS-OXCMSG] 2.2.1.6.
var newMailMessageFlagsSym = wire.Flags(
	wire.Flag{Mask: 0x0001, Name: "mfRead"},
	wire.Flag{Mask: 0x0002, Name: "mfUnmodified"},
	wire.Flag{Mask: 0x0004, Name: "mfSubmitted"},
	wire.Flag{Mask: 0x0008, Name: "mfUnsent"},
	wire.Flag{Mask: 0x0010, Name: "mfHasAttach"},
	wire.Flag{Mask: 0x0020, Name: "mfFromMe"},
	wire.Flag{Mask: 0x0040, Name: "mfFAI"},
	wire.Flag{Mask: 0x0080, Name: "mfResend"},
	wire.Flag{Mask: 0x0100, Name: "mfNotifyRead"},
	wire.Flag{Mask: 0x0200, Name: "mfNotifyUnread"},
	wire.Flag{Mask: 0x0400, Name: "mfEverRead"},
	wire.Flag{Mask: 0x2000, Name: "mfInternet"},
	wire.Flag{Mask: 0x8000, Name: "mfUntrusted"},
)

// NotificationData — [MS-OXCNOTIF] 2.2.1.4.1.2. NotificationFlags (the
// NotificationType and the T, U, S, M flags) and TableEventType decide
// which fields are on the wire; the Has* methods say which. TagCount is
// kept because 0xFFFF (no Tags follow it either) cannot be told from the
// Tags slice; when encoding, a TagCount other than 0xFFFF is replaced by
// len(Tags).
type NotificationData struct {
	NotificationFlags uint16

	// TableModified
	TableEventType              uint16
	TableRowFolderID            prop.ID
	TableRowMessageID           prop.ID
	TableRowInstance            uint32
	InsertAfterTableRowFolderID prop.ID
	InsertAfterTableRowID       prop.ID
	InsertAfterTableRowInstance uint32
	TableRowData                prop.Row // over the table's columns
	TableRowRaw                 []byte   // the row as bytes when the columns are unknown

	// Object events
	FolderId          prop.ID
	MessageId         prop.ID
	ParentFolderId    prop.ID
	OldFolderId       prop.ID
	OldMessageId      prop.ID
	OldParentFolderId prop.ID
	TagCount          uint16
	Tags              []prop.Tag

	TotalMessageCount  uint32
	UnreadMessageCount uint32

	// NewMail
	MessageFlags uint32
	UnicodeFlag  bool
	MessageClass string
}

// Type is the NotificationType (the low 12 bits of NotificationFlags).
func (d *NotificationData) Type() uint16 { return d.NotificationFlags & 0x0FFF }

func (d *NotificationData) flag(f uint16) bool { return d.NotificationFlags&f != 0 }

func (d *NotificationData) tableEvent(events ...uint16) bool {
	if d.Type() != NotifyTableModified {
		return false
	}
	for _, e := range events {
		if d.TableEventType == e {
			return true
		}
	}
	return false
}

// HasTableEventType: the notification is a TableModified event.
func (d *NotificationData) HasTableEventType() bool { return d.Type() == NotifyTableModified }

// HasTableRowFolderID: TableRowAdded, TableRowDeleted or TableRowModified.
func (d *NotificationData) HasTableRowFolderID() bool {
	return d.tableEvent(TableEventRowAdded, TableEventRowDeleted, TableEventRowModified)
}

// HasTableRowMessageID covers TableRowMessageID and TableRowInstance:
// as HasTableRowFolderID, for a message (M).
func (d *NotificationData) HasTableRowMessageID() bool {
	return d.HasTableRowFolderID() && d.flag(NotifyFlagM)
}

// HasInsertAfter covers InsertAfterTableRowFolderID and the row data:
// TableRowAdded or TableRowModified.
func (d *NotificationData) HasInsertAfter() bool {
	return d.tableEvent(TableEventRowAdded, TableEventRowModified)
}

// HasInsertAfterMessage covers InsertAfterTableRowID and
// InsertAfterTableRowInstance: as HasInsertAfter, for a message (M).
func (d *NotificationData) HasInsertAfterMessage() bool {
	return d.HasInsertAfter() && d.flag(NotifyFlagM)
}

// HasFolderId: every type but TableModified and the reserved 0x0400.
func (d *NotificationData) HasFolderId() bool {
	t := d.Type()
	return t != NotifyTableModified && t != NotifyReserved
}

// HasMessageId: as HasFolderId, for a message (M).
func (d *NotificationData) HasMessageId() bool { return d.HasFolderId() && d.flag(NotifyFlagM) }

func (d *NotificationData) objectEvent() bool {
	switch d.Type() {
	case NotifyObjectCreated, NotifyObjectDeleted, NotifyObjectMoved, NotifyObjectCopied:
		return true
	}
	return false
}

func (d *NotificationData) movedOrCopied() bool {
	t := d.Type()
	return t == NotifyObjectMoved || t == NotifyObjectCopied
}

// HasParentFolderId: ObjectCreated, ObjectDeleted, ObjectMoved or
// ObjectCopied, about a folder (neither S nor M) or about a message in a
// search folder (both S and M).
func (d *NotificationData) HasParentFolderId() bool {
	return d.objectEvent() && d.flag(NotifyFlagS) == d.flag(NotifyFlagM)
}

// HasOldFolderId: ObjectMoved or ObjectCopied.
func (d *NotificationData) HasOldFolderId() bool { return d.movedOrCopied() }

// HasOldMessageId: ObjectMoved or ObjectCopied, for a message (M).
func (d *NotificationData) HasOldMessageId() bool { return d.movedOrCopied() && d.flag(NotifyFlagM) }

// HasOldParentFolderId: ObjectMoved or ObjectCopied, for a folder (no M).
func (d *NotificationData) HasOldParentFolderId() bool {
	return d.movedOrCopied() && !d.flag(NotifyFlagM)
}

// HasTagCount: ObjectCreated or ObjectModified.
func (d *NotificationData) HasTagCount() bool {
	t := d.Type()
	return t == NotifyObjectCreated || t == NotifyObjectModified
}

// HasNewMail covers MessageFlags, UnicodeFlag and MessageClass.
func (d *NotificationData) HasNewMail() bool { return d.Type() == NotifyNewMail }

// RopNotify response — [MS-OXCROPS] 2.2.14.2.1. The server sends it,
// unrequested; it has no ReturnValue. Row data of a TableModified event
// decodes against the columns of the table the notification handle was
// registered on, from Ctx.NotifyColumns or else Ctx.Columns.
type NotifyResponse struct {
	RopId              uint8
	NotificationHandle uint32
	LogonId            uint8
	NotificationData   NotificationData
}

func (r *NotifyResponse) Header() *ResponseHeader {
	return &ResponseHeader{RopId: r.RopId}
}

func (r *NotifyResponse) Codec(c *wire.Codec, ctx *Ctx) {
	codecRopID(c, &r.RopId, 0x2A)
	c.U32(&r.NotificationHandle, "NotificationHandle")
	c.Hex()
	c.U8(&r.LogonId, "LogonId")
	r.codecData(c, ctx)
}

// notifyColumns finds the column set of the table behind a notification
// handle.
func notifyColumns(ctx *Ctx, handle uint32) ([]prop.Tag, bool) {
	if ctx == nil {
		return nil, false
	}
	if ctx.NotifyColumns != nil {
		if cols, ok := ctx.NotifyColumns(handle); ok {
			return cols, true
		}
	}
	if ctx.HasColumns {
		return ctx.Columns, true
	}
	return nil, false
}

func (r *NotifyResponse) codecData(c *wire.Codec, ctx *Ctx) {
	d := &r.NotificationData
	c.Begin("NotificationData")
	defer c.End()
	c.U16(&d.NotificationFlags, "NotificationFlags")
	c.Hex().Named(notificationFlagsSym)
	if d.HasTableEventType() {
		c.U16(&d.TableEventType, "TableEventType")
		c.Hex().Named(tableEventTypeSym)
	}
	if d.HasTableRowFolderID() {
		prop.CodecID(c, &d.TableRowFolderID, "TableRowFolderID")
	}
	if d.HasTableRowMessageID() {
		prop.CodecID(c, &d.TableRowMessageID, "TableRowMessageID")
		c.U32(&d.TableRowInstance, "TableRowInstance")
	}
	if d.HasInsertAfter() {
		prop.CodecID(c, &d.InsertAfterTableRowFolderID, "InsertAfterTableRowFolderID")
	}
	if d.HasInsertAfterMessage() {
		prop.CodecID(c, &d.InsertAfterTableRowID, "InsertAfterTableRowID")
		c.U32(&d.InsertAfterTableRowInstance, "InsertAfterTableRowInstance")
	}
	if d.HasInsertAfter() {
		cols, ok := notifyColumns(ctx, r.NotificationHandle)
		if !ok || (c.Encoding() && d.TableRowRaw != nil) {
			// The row is sized, so an unknown column set costs only the
			// row: keep its bytes and go on with the buffer.
			c.Sized(2, "TableRowDataSize", func() {
				c.Rest(&d.TableRowRaw, "TableRowData")
			})
			if c.Decoding() && !c.Failed() {
				c.Note("RopNotify %s: the columns of the table behind notification handle 0x%08X are unknown; row kept as bytes",
					tableEventTypeSym(uint64(d.TableEventType)), r.NotificationHandle)
			}
			return
		}
		c.Sized(2, "TableRowDataSize", func() {
			prop.CodecRow(c, &d.TableRowData, cols, "TableRowData", prop.ROP)
		})
	}
	if d.HasFolderId() {
		prop.CodecID(c, &d.FolderId, "FolderId")
	}
	if d.HasMessageId() {
		prop.CodecID(c, &d.MessageId, "MessageId")
	}
	if d.HasParentFolderId() {
		prop.CodecID(c, &d.ParentFolderId, "ParentFolderId")
	}
	if d.HasOldFolderId() {
		prop.CodecID(c, &d.OldFolderId, "OldFolderId")
	}
	if d.HasOldMessageId() {
		prop.CodecID(c, &d.OldMessageId, "OldMessageId")
	}
	if d.HasOldParentFolderId() {
		prop.CodecID(c, &d.OldParentFolderId, "OldParentFolderId")
	}
	if d.HasTagCount() {
		if c.Encoding() && d.TagCount != 0xFFFF {
			d.TagCount = uint16(len(d.Tags))
		}
		c.U16(&d.TagCount, "TagCount")
		if d.TagCount != 0 && d.TagCount != 0xFFFF {
			n := c.Count(int(d.TagCount), 4, "TagCount")
			wire.Make(c, &d.Tags, n)
			c.BeginArray("Tags")
			for i := range d.Tags {
				prop.CodecTag(c, &d.Tags[i], "")
			}
			c.End()
		} else if c.Decoding() {
			d.Tags = nil
		}
	}
	if d.flag(NotifyFlagT) {
		c.U32(&d.TotalMessageCount, "TotalMessageCount")
	}
	if d.flag(NotifyFlagU) {
		c.U32(&d.UnreadMessageCount, "UnreadMessageCount")
	}
	if d.HasNewMail() {
		c.U32(&d.MessageFlags, "MessageFlags")
		c.Hex().Named(newMailMessageFlagsSym)
		c.Bool8(&d.UnicodeFlag, "UnicodeFlag")
		if d.UnicodeFlag {
			c.UnicodeZ(&d.MessageClass, "MessageClass")
		} else {
			c.String8Z(&d.MessageClass, "MessageClass")
		}
	}
}

func init() {
	register(Info{ID: 0x29, Section: "2.2.14.1",
		Request:  func() Request { return &RegisterNotificationRequest{} },
		Response: func() Response { return &RegisterNotificationResponse{} }})
	register(Info{ID: 0x2A, Section: "2.2.14.2", RespOnly: true, Context: "notification columns",
		Response: func() Response { return &NotifyResponse{} }})
	register(Info{ID: 0x6E, Section: "2.2.14.3", RespOnly: true,
		Response: func() Response { return &PendingResponse{} }})
}

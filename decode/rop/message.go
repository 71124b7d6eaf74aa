package rop

import (
	"github.com/mapiscope/mapiscope/decode/prop"
	"github.com/mapiscope/mapiscope/decode/wire"
)

// Message and attachment ROPs — [MS-OXCROPS] 2.2.6, semantics in
// [MS-OXCMSG] 2.2.3 — and the RecipientRow structure of [MS-OXCDATA] 2.8.3.

// OpenModeFlags of RopOpenMessage — [MS-OXCMSG] 2.2.3.1.1. ReadOnly is 0 and
// BestAccess (0x03) includes ReadWrite, so this is an enumeration of the
// access bits plus the OpenSoftDeleted bit.
var openMessageModeSym = wire.Flags(
	wire.Flag{Mask: 0x00, Name: "ReadOnly"},
	wire.Flag{Mask: 0x03, Name: "BestAccess"},
	wire.Flag{Mask: 0x01, Name: "ReadWrite"},
	wire.Flag{Mask: 0x04, Name: "OpenSoftDeleted"},
)

// OpenModeFlags of RopOpenEmbeddedMessage — [MS-OXCMSG] 2.2.3.16.1.
var openEmbeddedModeSym = wire.Enum(
	wire.Flag{Mask: 0x00, Name: "ReadOnly"},
	wire.Flag{Mask: 0x01, Name: "ReadWrite"},
	wire.Flag{Mask: 0x02, Name: "Create"},
)

// OpenAttachmentFlags — [MS-OXCMSG] 2.2.3.12.1.
var openAttachmentFlagsSym = wire.Enum(
	wire.Flag{Mask: 0x00, Name: "ReadOnly"},
	wire.Flag{Mask: 0x01, Name: "ReadWrite"},
	wire.Flag{Mask: 0x03, Name: "BestAccess"},
)

// SaveFlags of RopSaveChangesMessage and RopSaveChangesAttachment —
// [MS-OXCMSG] 2.2.3.3.1.
var saveFlagsSym = wire.Flags(
	wire.Flag{Mask: 0x01, Name: "KeepOpenReadOnly"},
	wire.Flag{Mask: 0x02, Name: "KeepOpenReadWrite"},
	wire.Flag{Mask: 0x04, Name: "ForceSave"},
)

// ReadFlags of RopSetReadFlags and RopSetMessageReadFlag — [MS-OXCMSG]
// 2.2.3.10.1.
var readFlagsSym = wire.Flags(
	wire.Flag{Mask: 0x00, Name: "rfDefault"},
	wire.Flag{Mask: 0x01, Name: "rfSuppressReceipt"},
	wire.Flag{Mask: 0x0A, Name: "rfReserved"},
	wire.Flag{Mask: 0x04, Name: "rfClearReadFlag"},
	wire.Flag{Mask: 0x10, Name: "rfGenerateReceiptOnly"},
	wire.Flag{Mask: 0x20, Name: "rfClearNotifyRead"},
	wire.Flag{Mask: 0x40, Name: "rfClearNotifyUnread"},
)

// MessageStatusFlags (PidTagMessageStatus bits) — [MS-OXCMSG] 2.2.1.8.
var messageStatusSym = wire.Flags(
	wire.Flag{Mask: 0x00000800, Name: "msInConflict"},
	wire.Flag{Mask: 0x00001000, Name: "msRemoteDownload"},
	wire.Flag{Mask: 0x00002000, Name: "msRemoteDelete"},
)

// TableFlags of RopGetAttachmentTable — [MS-OXCMSG] 2.2.3.17.1.
var attachmentTableFlagsSym = wire.Flags(
	wire.Flag{Mask: 0x00, Name: "Standard"},
	wire.Flag{Mask: 0x40, Name: "Unicode"},
)

// RecipientType — [MS-OXCMSG] 2.2.3.1.2: a type in the low bits OR'ed with
// flags in the high bits (0x10 and 0x80, the MAPI_P1 and MAPI_SUBMITTED
// bits of PidTagRecipientType shifted into one byte).
func recipientTypeSym(v uint64) string {
	s := ""
	switch v & 0x0F {
	case 0x01:
		s = "Primary"
	case 0x02:
		s = "Cc"
	case 0x03:
		s = "Bcc"
	default:
		if v&0x0F != 0 {
			s = "0x" + hex2(v&0x0F)
		}
	}
	add := func(n string) {
		if s != "" {
			s += "|"
		}
		s += n
	}
	if v&0x10 != 0 {
		add("NotReceivedLastAttempt")
	}
	if v&0x80 != 0 {
		add("ReceivedLastAttempt")
	}
	if rest := v & 0x60; rest != 0 {
		add("0x" + hex2(rest))
	}
	return s
}

func hex2(v uint64) string {
	const digits = "0123456789ABCDEF"
	return string([]byte{digits[(v>>4)&0xF], digits[v&0xF]})
}

// codePageSym names the CodePageId that means "the logon's code page" —
// [MS-OXCMSG] 2.2.3.1.1.
func codePageSym(v uint64) string {
	if v == 0x0FFF {
		return "logon code page"
	}
	return ""
}

func codecCodePage(c *wire.Codec, p *uint16) {
	c.U16(p, "CodePageId")
	c.Hex().Named(codePageSym)
}

// ---- TypedString ----

// StringType values of a TypedString — [MS-OXCDATA] 2.11.7.
const (
	StringNone         uint8 = 0x00 // no string present
	StringEmpty        uint8 = 0x01 // the empty string
	StringString8      uint8 = 0x02 // NUL-terminated 8-bit string
	StringReducedUTF16 uint8 = 0x03 // NUL-terminated, each byte one Unicode character below U+0100
	StringUTF16        uint8 = 0x04 // NUL-terminated UTF-16LE string
)

var stringTypeSym = wire.Enum(
	wire.Flag{Mask: 0x00, Name: "NotPresent"},
	wire.Flag{Mask: 0x01, Name: "Empty"},
	wire.Flag{Mask: 0x02, Name: "String8"},
	wire.Flag{Mask: 0x03, Name: "ReducedUnicode"},
	wire.Flag{Mask: 0x04, Name: "Unicode"},
)

// TypedString — [MS-OXCDATA] 2.11.7: StringType, then String for types
// 0x02, 0x03 and 0x04.
type TypedString struct {
	StringType uint8
	String     string
}

// CodecTypedString reads or writes a TypedString.
func CodecTypedString(c *wire.Codec, s *TypedString, name string) {
	c.Begin(name)
	c.U8(&s.StringType, "StringType")
	c.Hex().Named(stringTypeSym)
	switch s.StringType {
	case StringNone, StringEmpty:
		if c.Decoding() {
			s.String = ""
		}
	case StringString8, StringReducedUTF16:
		c.String8Z(&s.String, "String")
	case StringUTF16:
		c.UnicodeZ(&s.String, "String")
	default:
		if c.Decoding() {
			c.Fail("TypedString: StringType 0x%02X is not 0x00-0x04", s.StringType)
		} else {
			c.EncodeError("TypedString: StringType 0x%02X", s.StringType)
		}
	}
	c.End()
}

// ---- RecipientRow ----

// RecipientFlags bits — [MS-OXCDATA] 2.8.3.1.
const (
	RecipR        uint16 = 0x0080 // a different transport is responsible for delivery
	RecipS        uint16 = 0x0040 // TransmittableDisplayName equals DisplayName
	RecipT        uint16 = 0x0020 // TransmittableDisplayName is included
	RecipD        uint16 = 0x0010 // DisplayName is included
	RecipE        uint16 = 0x0008 // EmailAddress is included
	RecipTypeMask uint16 = 0x0007 // Type: the address type
	RecipO        uint16 = 0x8000 // non-standard address type: AddressType is included
	RecipReserved uint16 = 0x7800
	RecipI        uint16 = 0x0400 // SimpleDisplayName is included
	RecipU        uint16 = 0x0200 // strings are UTF-16 (else 8-bit)
	RecipN        uint16 = 0x0100 // recipient does not support rich text
)

// Address types of RecipientFlags.Type — [MS-OXCDATA] 2.8.3.1.
const (
	RecipNoType                    = 0x0
	RecipX500DN                    = 0x1
	RecipMsMail                    = 0x2
	RecipSMTP                      = 0x3
	RecipFax                       = 0x4
	RecipProfessionalOfficeSystem  = 0x5
	RecipPersonalDistributionList1 = 0x6
	RecipPersonalDistributionList2 = 0x7
)

var recipAddrTypeNames = [8]string{
	"NoType", "X500DN", "MsMail", "SMTP", "Fax", "ProfessionalOfficeSystem",
	"PersonalDistributionList1", "PersonalDistributionList2",
}

func recipientFlagsSym(v uint64) string {
	s := recipAddrTypeNames[v&uint64(RecipTypeMask)]
	for _, f := range []struct {
		m uint16
		n string
	}{{RecipR, "R"}, {RecipS, "S"}, {RecipT, "T"}, {RecipD, "D"}, {RecipE, "E"},
		{RecipO, "O"}, {RecipI, "I"}, {RecipU, "U"}, {RecipN, "N"}} {
		if uint16(v)&f.m != 0 {
			s += "|" + f.n
		}
	}
	if r := uint16(v) & RecipReserved; r != 0 {
		s += "|reserved 0x" + hex2(uint64(r>>8)) + "00"
	}
	return s
}

// DisplayType of an X500DN recipient — [MS-OXCDATA] 2.8.3.2.
var recipDisplayTypeSym = wire.Enum(
	wire.Flag{Mask: 0x00, Name: "DT_MAILUSER"},
	wire.Flag{Mask: 0x01, Name: "DT_DISTLIST"},
	wire.Flag{Mask: 0x02, Name: "DT_FORUM"},
	wire.Flag{Mask: 0x03, Name: "DT_AGENT"},
	wire.Flag{Mask: 0x04, Name: "DT_ORGANIZATION"},
	wire.Flag{Mask: 0x05, Name: "DT_PRIVATE_DISTLIST"},
	wire.Flag{Mask: 0x06, Name: "DT_REMOTE_MAILUSER"},
)

// RecipientRow — [MS-OXCDATA] 2.8.3.2. RecipientFlags decides which of the
// standard fields are present:
//
//   - Type X500DN: AddressPrefixUsed, DisplayType, X500DN (8-bit);
//   - Type PersonalDistributionList1/2: EntryIdSize+EntryID,
//     SearchKeySize+SearchKey;
//   - Type NoType with the O bit: AddressType (8-bit);
//   - E, D, I, T bits: EmailAddress, DisplayName, SimpleDisplayName,
//     TransmittableDisplayName, UTF-16 when the U bit is set, else 8-bit.
//
// RecipientProperties is a PropertyRow over the first RecipientColumnCount
// recipient columns (the RecipientColumns of the ROP, or of the message for
// RopReadRecipients). When those columns are unknown the row is kept
// undecoded in RawProperties.
type RecipientRow struct {
	RecipientFlags           uint16
	AddressPrefixUsed        uint8
	DisplayType              uint8
	X500DN                   string
	EntryID                  []byte
	SearchKey                []byte
	AddressType              string
	EmailAddress             string
	DisplayName              string
	SimpleDisplayName        string
	TransmittableDisplayName string
	RecipientColumnCount     uint16
	RecipientProperties      prop.Row
	RawProperties            []byte // RecipientProperties when the columns are unknown
}

// Type returns the address type (RecipientFlags & 0x0007).
func (r *RecipientRow) Type() uint16 { return r.RecipientFlags & RecipTypeMask }

// CodecRecipientRow reads or writes a RecipientRow. columns are the
// recipient columns its properties use, known says whether they are; it
// must run inside the RecipientRowSize region of its containing structure
// (an undecodable row is kept raw up to the region's end).
func CodecRecipientRow(c *wire.Codec, r *RecipientRow, columns []prop.Tag, known bool, name string) {
	c.Begin(name)
	defer c.End()
	c.U16(&r.RecipientFlags, "RecipientFlags")
	c.Hex().Named(recipientFlagsSym)
	flags := r.RecipientFlags
	if c.Decoding() && flags&RecipReserved != 0 {
		c.NoteAt(c.Pos()-2, "RecipientFlags: reserved bits 0x%04X are set", flags&RecipReserved)
	}
	str := func(p *string, n string) {
		if flags&RecipU != 0 {
			c.UnicodeZ(p, n)
		} else {
			c.String8Z(p, n)
		}
	}
	switch flags & RecipTypeMask {
	case RecipX500DN:
		c.U8(&r.AddressPrefixUsed, "AddressPrefixUsed")
		c.U8(&r.DisplayType, "DisplayType")
		c.Hex().Named(recipDisplayTypeSym)
		c.String8Z(&r.X500DN, "X500DN")
	case RecipPersonalDistributionList1, RecipPersonalDistributionList2:
		n := c.Count16(len(r.EntryID), 1, "EntryIdSize")
		c.Fixed(&r.EntryID, n, "EntryID")
		n = c.Count16(len(r.SearchKey), 1, "SearchKeySize")
		c.Fixed(&r.SearchKey, n, "SearchKey")
	case RecipNoType:
		if flags&RecipO != 0 {
			c.String8Z(&r.AddressType, "AddressType")
		}
	}
	if c.Decoding() && flags&RecipO != 0 && flags&RecipTypeMask != RecipNoType {
		c.Note("RecipientFlags: O bit set with Type %s; AddressType is present only with NoType", recipAddrTypeNames[flags&RecipTypeMask])
	}
	if flags&RecipE != 0 {
		str(&r.EmailAddress, "EmailAddress")
	}
	if flags&RecipD != 0 {
		str(&r.DisplayName, "DisplayName")
	}
	if flags&RecipI != 0 {
		str(&r.SimpleDisplayName, "SimpleDisplayName")
	}
	if flags&RecipT != 0 {
		str(&r.TransmittableDisplayName, "TransmittableDisplayName")
	}
	c.U16(&r.RecipientColumnCount, "RecipientColumnCount")
	if c.Failed() {
		return
	}
	n := int(r.RecipientColumnCount)
	switch {
	case c.Decoding() && !known && n > 0:
		c.Rest(&r.RawProperties, "RecipientProperties")
		c.Sym("recipient columns unknown: PropertyRow not decoded")
		if r.RawProperties == nil {
			r.RawProperties = []byte{}
		}
		return
	case c.Encoding() && r.RawProperties != nil:
		c.Rest(&r.RawProperties, "RecipientProperties")
		return
	case c.Encoding() && !known && n > 0:
		c.EncodeError("RecipientRow: recipient columns unknown and no RawProperties")
		return
	}
	if n > len(columns) {
		if c.Decoding() {
			c.Fail("RecipientColumnCount %d exceeds the %d recipient columns", n, len(columns))
		} else {
			c.EncodeError("RecipientColumnCount %d exceeds the %d recipient columns", n, len(columns))
		}
		return
	}
	prop.CodecRow(c, &r.RecipientProperties, columns[:n], "RecipientProperties", prop.ROP)
}

// OpenRecipientRow — [MS-OXCROPS] 2.2.6.1.2.1, the recipient rows of
// RopOpenMessage, RopReloadCachedInformation and RopOpenEmbeddedMessage.
type OpenRecipientRow struct {
	RecipientType uint8
	CodePageId    uint16
	Reserved      uint16
	RecipientRow  RecipientRow
}

func codecOpenRecipientRow(c *wire.Codec, r *OpenRecipientRow, columns []prop.Tag) {
	c.Begin("")
	c.U8(&r.RecipientType, "RecipientType")
	c.Hex().Named(recipientTypeSym)
	codecCodePage(c, &r.CodePageId)
	c.U16(&r.Reserved, "Reserved")
	c.Sized(2, "RecipientRowSize", func() {
		CodecRecipientRow(c, &r.RecipientRow, columns, true, "RecipientRow")
	})
	c.End()
}

// ReadRecipientRow — [MS-OXCROPS] 2.2.6.6.2.1, the rows of the
// RopReadRecipients response.
type ReadRecipientRow struct {
	RowId         uint32
	RecipientType uint8
	CodePageId    uint16
	Reserved      uint16
	RecipientRow  RecipientRow
}

// ModifyRecipientRow — [MS-OXCROPS] 2.2.6.5.1.1, the rows of the
// RopModifyRecipients request. RecipientRow is nil when RecipientRowSize is
// 0 (the recipient with RowId is removed).
type ModifyRecipientRow struct {
	RowId         uint32
	RecipientType uint8
	RecipientRow  *RecipientRow
}

// OpenedMessage holds the fields that describe a message just opened,
// shared by the RopOpenMessage, RopReloadCachedInformation and
// RopOpenEmbeddedMessage responses — [MS-OXCROPS] 2.2.6.1.2. ColumnCount
// and RowCount are len(RecipientColumns) and len(RecipientRows).
type OpenedMessage struct {
	HasNamedProperties bool
	SubjectPrefix      TypedString
	NormalizedSubject  TypedString
	RecipientCount     uint16
	RecipientColumns   []prop.Tag
	RecipientRows      []OpenRecipientRow
}

func (m *OpenedMessage) codec(c *wire.Codec) {
	c.Bool8(&m.HasNamedProperties, "HasNamedProperties")
	CodecTypedString(c, &m.SubjectPrefix, "SubjectPrefix")
	CodecTypedString(c, &m.NormalizedSubject, "NormalizedSubject")
	c.U16(&m.RecipientCount, "RecipientCount")
	prop.CodecTags(c, &m.RecipientColumns, "ColumnCount", "RecipientColumns", 2)
	// An OpenRecipientRow is at least 7 bytes before its RecipientRow.
	n := c.Count8(len(m.RecipientRows), 7, "RowCount")
	if c.Decoding() && !c.Failed() && n > int(m.RecipientCount) {
		c.NoteAt(c.Pos()-1, "RowCount %d exceeds RecipientCount %d", n, m.RecipientCount)
	}
	wire.Make(c, &m.RecipientRows, n)
	c.BeginArray("RecipientRows")
	for i := range m.RecipientRows {
		if c.Failed() {
			break
		}
		codecOpenRecipientRow(c, &m.RecipientRows[i], m.RecipientColumns)
	}
	c.End()
}

// ---- RopOpenMessage 0x03 ----

// RopOpenMessage request — [MS-OXCROPS] 2.2.6.1.1.
type OpenMessageRequest struct {
	RequestHeader
	OutputHandleIndex uint8
	CodePageId        uint16
	FolderId          prop.ID
	OpenModeFlags     uint8
	MessageId         prop.ID
}

func (r *OpenMessageRequest) Codec(c *wire.Codec, ctx *Ctx) {
	r.RequestHeader.Codec(c, 0x03)
	OutputHandle(c, ctx, &r.OutputHandleIndex)
	codecCodePage(c, &r.CodePageId)
	prop.CodecID(c, &r.FolderId, "FolderId")
	c.U8(&r.OpenModeFlags, "OpenModeFlags")
	c.Hex().Named(openMessageModeSym)
	prop.CodecID(c, &r.MessageId, "MessageId")
}

// RopOpenMessage response — [MS-OXCROPS] 2.2.6.1.2 (success), 2.2.6.1.3
// (failure: header only). The recipient rows decode against the
// RecipientColumns of the response itself.
type OpenMessageResponse struct {
	ResponseHeader
	OpenedMessage
}

func (r *OpenMessageResponse) Codec(c *wire.Codec, ctx *Ctx) {
	r.ResponseHeader.Codec(c, 0x03, "OutputHandleIndex")
	if r.ReturnValue != 0 {
		return
	}
	r.OpenedMessage.codec(c)
}

// ---- RopCreateMessage 0x06 ----

// RopCreateMessage request — [MS-OXCROPS] 2.2.6.2.1.
type CreateMessageRequest struct {
	RequestHeader
	OutputHandleIndex uint8
	CodePageId        uint16
	FolderId          prop.ID
	AssociatedFlag    bool
}

func (r *CreateMessageRequest) Codec(c *wire.Codec, ctx *Ctx) {
	r.RequestHeader.Codec(c, 0x06)
	OutputHandle(c, ctx, &r.OutputHandleIndex)
	codecCodePage(c, &r.CodePageId)
	prop.CodecID(c, &r.FolderId, "FolderId")
	c.Bool8(&r.AssociatedFlag, "AssociatedFlag")
}

// RopCreateMessage response — [MS-OXCROPS] 2.2.6.2.2 (success), 2.2.6.2.3
// (failure: header only). MessageId is present when HasMessageId is set.
type CreateMessageResponse struct {
	ResponseHeader
	HasMessageId bool
	MessageId    prop.ID
}

func (r *CreateMessageResponse) Codec(c *wire.Codec, ctx *Ctx) {
	r.ResponseHeader.Codec(c, 0x06, "OutputHandleIndex")
	if r.ReturnValue != 0 {
		return
	}
	c.Bool8(&r.HasMessageId, "HasMessageId")
	if r.HasMessageId {
		prop.CodecID(c, &r.MessageId, "MessageId")
	}
}

// ---- RopSaveChangesMessage 0x0C ----

// RopSaveChangesMessage request — [MS-OXCROPS] 2.2.6.3.1: RopId, LogonId,
// ResponseHandleIndex, InputHandleIndex, SaveFlags.
type SaveChangesMessageRequest struct {
	RequestHeader
	ResponseHandleIndex uint8
	SaveFlags           uint8
}

func (r *SaveChangesMessageRequest) Codec(c *wire.Codec, ctx *Ctx) {
	foldResponseInput(c, &r.RequestHeader, 0x0C, &r.ResponseHandleIndex)
	c.U8(&r.SaveFlags, "SaveFlags")
	c.Hex().Named(saveFlagsSym)
}

// RopSaveChangesMessage response — [MS-OXCROPS] 2.2.6.3.2 (success),
// 2.2.6.3.3 (failure: header only). The header's handle index is
// ResponseHandleIndex; InputHandleIndex follows on success.
type SaveChangesMessageResponse struct {
	ResponseHeader
	InputHandleIndex uint8
	MessageId        prop.ID
}

func (r *SaveChangesMessageResponse) Codec(c *wire.Codec, ctx *Ctx) {
	r.ResponseHeader.Codec(c, 0x0C, "ResponseHandleIndex")
	if r.ReturnValue != 0 {
		return
	}
	c.U8(&r.InputHandleIndex, "InputHandleIndex")
	prop.CodecID(c, &r.MessageId, "MessageId")
}

// ---- RopRemoveAllRecipients 0x0D ----

// RopRemoveAllRecipients request — [MS-OXCROPS] 2.2.6.4.1.
type RemoveAllRecipientsRequest struct {
	RequestHeader
	Reserved uint32
}

func (r *RemoveAllRecipientsRequest) Codec(c *wire.Codec, ctx *Ctx) {
	r.RequestHeader.Codec(c, 0x0D)
	c.U32(&r.Reserved, "Reserved")
	c.Hex()
}

// RopRemoveAllRecipients response — [MS-OXCROPS] 2.2.6.4.2.
type RemoveAllRecipientsResponse struct {
	ResponseHeader
}

func (r *RemoveAllRecipientsResponse) Codec(c *wire.Codec, ctx *Ctx) {
	r.ResponseHeader.Codec(c, 0x0D, "InputHandleIndex")
}

// ---- RopModifyRecipients 0x0E ----

// RopModifyRecipients request — [MS-OXCROPS] 2.2.6.5.1. The rows'
// RecipientProperties use the request's RecipientColumns.
type ModifyRecipientsRequest struct {
	RequestHeader
	RecipientColumns []prop.Tag
	RecipientRows    []ModifyRecipientRow
}

func (r *ModifyRecipientsRequest) Codec(c *wire.Codec, ctx *Ctx) {
	r.RequestHeader.Codec(c, 0x0E)
	prop.CodecTags(c, &r.RecipientColumns, "ColumnCount", "RecipientColumns", 2)
	// A ModifyRecipientRow is at least 7 bytes (RowId, RecipientType,
	// RecipientRowSize).
	n := c.Count16(len(r.RecipientRows), 7, "RowCount")
	wire.Make(c, &r.RecipientRows, n)
	c.BeginArray("RecipientRows")
	for i := range r.RecipientRows {
		if c.Failed() {
			break
		}
		row := &r.RecipientRows[i]
		c.Begin("")
		c.U32(&row.RowId, "RowId")
		c.U8(&row.RecipientType, "RecipientType")
		c.Hex().Named(recipientTypeSym)
		c.Sized(2, "RecipientRowSize", func() {
			if c.Decoding() {
				if c.Remaining() == 0 {
					row.RecipientRow = nil
					return
				}
				row.RecipientRow = &RecipientRow{}
			} else if row.RecipientRow == nil {
				return
			}
			CodecRecipientRow(c, row.RecipientRow, r.RecipientColumns, true, "RecipientRow")
		})
		c.End()
	}
	c.End()
}

// RopModifyRecipients response — [MS-OXCROPS] 2.2.6.5.2.
type ModifyRecipientsResponse struct {
	ResponseHeader
}

func (r *ModifyRecipientsResponse) Codec(c *wire.Codec, ctx *Ctx) {
	r.ResponseHeader.Codec(c, 0x0E, "InputHandleIndex")
}

// ---- RopReadRecipients 0x0F ----

// RopReadRecipients request — [MS-OXCROPS] 2.2.6.6.1.
type ReadRecipientsRequest struct {
	RequestHeader
	RowId    uint32
	Reserved uint16
}

func (r *ReadRecipientsRequest) Codec(c *wire.Codec, ctx *Ctx) {
	r.RequestHeader.Codec(c, 0x0F)
	c.U32(&r.RowId, "RowId")
	c.U16(&r.Reserved, "Reserved")
}

// RopReadRecipients response — [MS-OXCROPS] 2.2.6.6.2 (success), 2.2.6.6.3
// (failure: header only). The response carries no column list: the rows'
// RecipientProperties use the message's recipient columns (those of its
// RopOpenMessage or RopReloadCachedInformation response), which the session
// passes in Ctx.Columns. Without them each row's properties stay raw.
type ReadRecipientsResponse struct {
	ResponseHeader
	RecipientRows []ReadRecipientRow
}

func (r *ReadRecipientsResponse) Codec(c *wire.Codec, ctx *Ctx) {
	r.ResponseHeader.Codec(c, 0x0F, "InputHandleIndex")
	if r.ReturnValue != 0 {
		return
	}
	var columns []prop.Tag
	known := ctx != nil && ctx.HasColumns
	if known {
		columns = ctx.Columns
	}
	// A ReadRecipientRow is at least 11 bytes before its RecipientRow.
	n := c.Count8(len(r.RecipientRows), 11, "RowCount")
	wire.Make(c, &r.RecipientRows, n)
	c.BeginArray("RecipientRows")
	for i := range r.RecipientRows {
		if c.Failed() {
			break
		}
		row := &r.RecipientRows[i]
		c.Begin("")
		c.U32(&row.RowId, "RowId")
		c.U8(&row.RecipientType, "RecipientType")
		c.Hex().Named(recipientTypeSym)
		codecCodePage(c, &row.CodePageId)
		c.U16(&row.Reserved, "Reserved")
		c.Sized(2, "RecipientRowSize", func() {
			CodecRecipientRow(c, &row.RecipientRow, columns, known, "RecipientRow")
		})
		c.End()
	}
	c.End()
}

// ---- RopReloadCachedInformation 0x10 ----

// RopReloadCachedInformation request — [MS-OXCROPS] 2.2.6.7.1.
type ReloadCachedInformationRequest struct {
	RequestHeader
	Reserved uint16
}

func (r *ReloadCachedInformationRequest) Codec(c *wire.Codec, ctx *Ctx) {
	r.RequestHeader.Codec(c, 0x10)
	c.U16(&r.Reserved, "Reserved")
}

// RopReloadCachedInformation response — [MS-OXCROPS] 2.2.6.7.2 (success:
// the fields of the RopOpenMessage response), 2.2.6.7.3 (failure: header
// only).
type ReloadCachedInformationResponse struct {
	ResponseHeader
	OpenedMessage
}

func (r *ReloadCachedInformationResponse) Codec(c *wire.Codec, ctx *Ctx) {
	r.ResponseHeader.Codec(c, 0x10, "InputHandleIndex")
	if r.ReturnValue != 0 {
		return
	}
	r.OpenedMessage.codec(c)
}

// ---- RopSetMessageStatus 0x20, RopGetMessageStatus 0x1F ----

// RopSetMessageStatus request — [MS-OXCROPS] 2.2.6.8.1.
type SetMessageStatusRequest struct {
	RequestHeader
	MessageId          prop.ID
	MessageStatusFlags uint32
	MessageStatusMask  uint32
}

func (r *SetMessageStatusRequest) Codec(c *wire.Codec, ctx *Ctx) {
	r.RequestHeader.Codec(c, 0x20)
	prop.CodecID(c, &r.MessageId, "MessageId")
	c.U32(&r.MessageStatusFlags, "MessageStatusFlags")
	c.Hex().Named(messageStatusSym)
	c.U32(&r.MessageStatusMask, "MessageStatusMask")
	c.Hex().Named(messageStatusSym)
}

// RopSetMessageStatus response — [MS-OXCROPS] 2.2.6.8.2 (success),
// 2.2.6.8.3 (failure: header only). MessageStatusFlags are the flags the
// message had before. It is also the answer to RopGetMessageStatus (RopId
// 0x20 there too), which the ROP node's title says when the paired request
// is known.
type SetMessageStatusResponse struct {
	ResponseHeader
	MessageStatusFlags uint32
}

func (r *SetMessageStatusResponse) Codec(c *wire.Codec, ctx *Ctx) {
	if ctx != nil {
		if _, ok := ctx.Request.(*GetMessageStatusRequest); ok {
			c.SetTitle("response to RopGetMessageStatus")
		}
	}
	r.ResponseHeader.Codec(c, 0x20, "InputHandleIndex")
	if r.ReturnValue != 0 {
		return
	}
	c.U32(&r.MessageStatusFlags, "MessageStatusFlags")
	c.Hex().Named(messageStatusSym)
}

// RopGetMessageStatus request — [MS-OXCROPS] 2.2.6.9.1.
type GetMessageStatusRequest struct {
	RequestHeader
	MessageId prop.ID
}

func (r *GetMessageStatusRequest) Codec(c *wire.Codec, ctx *Ctx) {
	r.RequestHeader.Codec(c, 0x1F)
	prop.CodecID(c, &r.MessageId, "MessageId")
}

// RopGetMessageStatus response — [MS-OXCROPS] 2.2.6.9.2: the RopSetMessageStatus
// response layout, and on the wire its RopId is 0x20 (RopSetMessageStatus),
// so a response buffer decodes it as SetMessageStatusResponse. This type
// decodes one whose RopId is 0x1F and encodes with RopId 0x20 unless
// RopId is set.
type GetMessageStatusResponse struct {
	ResponseHeader
	MessageStatusFlags uint32
}

func (r *GetMessageStatusResponse) Codec(c *wire.Codec, ctx *Ctx) {
	if c.Encoding() && r.RopId == 0 {
		r.RopId = 0x20
	}
	r.ResponseHeader.Codec(c, 0x1F, "InputHandleIndex")
	if r.ReturnValue != 0 {
		return
	}
	c.U32(&r.MessageStatusFlags, "MessageStatusFlags")
	c.Hex().Named(messageStatusSym)
}

// ---- RopSetReadFlags 0x66 ----

// RopSetReadFlags request — [MS-OXCROPS] 2.2.6.10.1.
type SetReadFlagsRequest struct {
	RequestHeader
	WantAsynchronous bool
	ReadFlags        uint8
	MessageIds       []prop.ID
}

func (r *SetReadFlagsRequest) Codec(c *wire.Codec, ctx *Ctx) {
	r.RequestHeader.Codec(c, 0x66)
	c.Bool8(&r.WantAsynchronous, "WantAsynchronous")
	c.U8(&r.ReadFlags, "ReadFlags")
	c.Hex().Named(readFlagsSym)
	prop.CodecIDs(c, &r.MessageIds, "MessageIdCount", "MessageIds", 2)
}

// RopSetReadFlags response — [MS-OXCROPS] 2.2.6.10.2: PartialCompletion
// whatever the ReturnValue.
type SetReadFlagsResponse struct {
	ResponseHeader
	PartialCompletion bool
}

func (r *SetReadFlagsResponse) Codec(c *wire.Codec, ctx *Ctx) {
	foldPartial(c, &r.ResponseHeader, 0x66, &r.PartialCompletion)
}

// ---- RopSetMessageReadFlag 0x11 ----

// RopSetMessageReadFlag request — [MS-OXCROPS] 2.2.6.11.1. ClientData (a
// 24-byte LongTermID naming the message, [MS-OXCMSG] 2.2.3.11.1) is present
// when the logon was made without the Private flag (public folders); it is
// nil otherwise. Decoding asks Ctx.Private; encoding writes it when set.
type SetMessageReadFlagRequest struct {
	RequestHeader
	ResponseHandleIndex uint8
	ReadFlags           uint8
	ClientData          *prop.LongTermID
}

func (r *SetMessageReadFlagRequest) Codec(c *wire.Codec, ctx *Ctx) {
	foldResponseInput(c, &r.RequestHeader, 0x11, &r.ResponseHandleIndex)
	c.U8(&r.ReadFlags, "ReadFlags")
	c.Hex().Named(readFlagsSym)
	if c.Decoding() {
		if ctx.Private() {
			r.ClientData = nil
			return
		}
		r.ClientData = &prop.LongTermID{}
	} else if r.ClientData == nil {
		return
	}
	prop.CodecLongTermID(c, r.ClientData, "ClientData")
}

// RopSetMessageReadFlag response — [MS-OXCROPS] 2.2.6.11.2 (success),
// 2.2.6.11.3 (failure: header only). LogonId and ClientData follow only
// when ReadStatusChanged is set, which happens for public-folder logons.
type SetMessageReadFlagResponse struct {
	ResponseHeader
	ReadStatusChanged bool
	LogonId           uint8
	ClientData        prop.LongTermID
}

func (r *SetMessageReadFlagResponse) Codec(c *wire.Codec, ctx *Ctx) {
	r.ResponseHeader.Codec(c, 0x11, "ResponseHandleIndex")
	if r.ReturnValue != 0 {
		return
	}
	c.Bool8(&r.ReadStatusChanged, "ReadStatusChanged")
	if !r.ReadStatusChanged {
		return
	}
	if c.Decoding() && ctx != nil && ctx.HasLogonFlags && ctx.Private() {
		c.Note("ReadStatusChanged is set on a private-mailbox logon; the specification sets it only for public folders")
	}
	c.U8(&r.LogonId, "LogonId")
	prop.CodecLongTermID(c, &r.ClientData, "ClientData")
}

// ---- RopOpenAttachment 0x22 ----

// RopOpenAttachment request — [MS-OXCROPS] 2.2.6.12.1.
type OpenAttachmentRequest struct {
	RequestHeader
	OutputHandleIndex   uint8
	OpenAttachmentFlags uint8
	AttachmentID        uint32
}

func (r *OpenAttachmentRequest) Codec(c *wire.Codec, ctx *Ctx) {
	r.RequestHeader.Codec(c, 0x22)
	OutputHandle(c, ctx, &r.OutputHandleIndex)
	c.U8(&r.OpenAttachmentFlags, "OpenAttachmentFlags")
	c.Hex().Named(openAttachmentFlagsSym)
	c.U32(&r.AttachmentID, "AttachmentID")
}

// RopOpenAttachment response — [MS-OXCROPS] 2.2.6.12.2: the header only.
type OpenAttachmentResponse struct {
	ResponseHeader
}

func (r *OpenAttachmentResponse) Codec(c *wire.Codec, ctx *Ctx) {
	r.ResponseHeader.Codec(c, 0x22, "OutputHandleIndex")
}

// ---- RopCreateAttachment 0x23 ----

// RopCreateAttachment request — [MS-OXCROPS] 2.2.6.13.1.
type CreateAttachmentRequest struct {
	RequestHeader
	OutputHandleIndex uint8
}

func (r *CreateAttachmentRequest) Codec(c *wire.Codec, ctx *Ctx) {
	r.RequestHeader.Codec(c, 0x23)
	OutputHandle(c, ctx, &r.OutputHandleIndex)
}

// RopCreateAttachment response — [MS-OXCROPS] 2.2.6.13.2 (success),
// 2.2.6.13.3 (failure: header only).
type CreateAttachmentResponse struct {
	ResponseHeader
	AttachmentID uint32
}

func (r *CreateAttachmentResponse) Codec(c *wire.Codec, ctx *Ctx) {
	r.ResponseHeader.Codec(c, 0x23, "OutputHandleIndex")
	if r.ReturnValue != 0 {
		return
	}
	c.U32(&r.AttachmentID, "AttachmentID")
}

// ---- RopDeleteAttachment 0x24 ----

// RopDeleteAttachment request — [MS-OXCROPS] 2.2.6.14.1.
type DeleteAttachmentRequest struct {
	RequestHeader
	AttachmentID uint32
}

func (r *DeleteAttachmentRequest) Codec(c *wire.Codec, ctx *Ctx) {
	r.RequestHeader.Codec(c, 0x24)
	c.U32(&r.AttachmentID, "AttachmentID")
}

// RopDeleteAttachment response — [MS-OXCROPS] 2.2.6.14.2.
type DeleteAttachmentResponse struct {
	ResponseHeader
}

func (r *DeleteAttachmentResponse) Codec(c *wire.Codec, ctx *Ctx) {
	r.ResponseHeader.Codec(c, 0x24, "InputHandleIndex")
}

// ---- RopSaveChangesAttachment 0x25 ----

// RopSaveChangesAttachment request — [MS-OXCROPS] 2.2.6.15.1: RopId,
// LogonId, ResponseHandleIndex, InputHandleIndex, SaveFlags.
type SaveChangesAttachmentRequest struct {
	RequestHeader
	ResponseHandleIndex uint8
	SaveFlags           uint8
}

func (r *SaveChangesAttachmentRequest) Codec(c *wire.Codec, ctx *Ctx) {
	foldResponseInput(c, &r.RequestHeader, 0x25, &r.ResponseHandleIndex)
	c.U8(&r.SaveFlags, "SaveFlags")
	c.Hex().Named(saveFlagsSym)
}

// RopSaveChangesAttachment response — [MS-OXCROPS] 2.2.6.15.2.
type SaveChangesAttachmentResponse struct {
	ResponseHeader
}

func (r *SaveChangesAttachmentResponse) Codec(c *wire.Codec, ctx *Ctx) {
	r.ResponseHeader.Codec(c, 0x25, "ResponseHandleIndex")
}

// ---- RopOpenEmbeddedMessage 0x46 ----

// RopOpenEmbeddedMessage request — [MS-OXCROPS] 2.2.6.16.1.
type OpenEmbeddedMessageRequest struct {
	RequestHeader
	OutputHandleIndex uint8
	CodePageId        uint16
	OpenModeFlags     uint8
}

func (r *OpenEmbeddedMessageRequest) Codec(c *wire.Codec, ctx *Ctx) {
	r.RequestHeader.Codec(c, 0x46)
	OutputHandle(c, ctx, &r.OutputHandleIndex)
	codecCodePage(c, &r.CodePageId)
	c.U8(&r.OpenModeFlags, "OpenModeFlags")
	c.Hex().Named(openEmbeddedModeSym)
}

// RopOpenEmbeddedMessage response — [MS-OXCROPS] 2.2.6.16.2 (success),
// 2.2.6.16.3 (failure: header only): Reserved, MessageId, then the fields
// of the RopOpenMessage response.
type OpenEmbeddedMessageResponse struct {
	ResponseHeader
	Reserved  uint8
	MessageId prop.ID
	OpenedMessage
}

func (r *OpenEmbeddedMessageResponse) Codec(c *wire.Codec, ctx *Ctx) {
	r.ResponseHeader.Codec(c, 0x46, "OutputHandleIndex")
	if r.ReturnValue != 0 {
		return
	}
	c.U8(&r.Reserved, "Reserved")
	prop.CodecID(c, &r.MessageId, "MessageId")
	r.OpenedMessage.codec(c)
}

// ---- RopGetAttachmentTable 0x21 ----

// RopGetAttachmentTable request — [MS-OXCROPS] 2.2.6.17.1.
type GetAttachmentTableRequest struct {
	RequestHeader
	OutputHandleIndex uint8
	TableFlags        uint8
}

func (r *GetAttachmentTableRequest) Codec(c *wire.Codec, ctx *Ctx) {
	r.RequestHeader.Codec(c, 0x21)
	OutputHandle(c, ctx, &r.OutputHandleIndex)
	c.U8(&r.TableFlags, "TableFlags")
	c.Hex().Named(attachmentTableFlagsSym)
}

// RopGetAttachmentTable response — [MS-OXCROPS] 2.2.6.17.2: the header only.
type GetAttachmentTableResponse struct {
	ResponseHeader
}

func (r *GetAttachmentTableResponse) Codec(c *wire.Codec, ctx *Ctx) {
	r.ResponseHeader.Codec(c, 0x21, "OutputHandleIndex")
}

// ---- RopGetValidAttachments 0x52 ----

// RopGetValidAttachments request — [MS-OXCROPS] 2.2.6.18.1: the header only.
type GetValidAttachmentsRequest struct {
	RequestHeader
}

func (r *GetValidAttachmentsRequest) Codec(c *wire.Codec, ctx *Ctx) {
	r.RequestHeader.Codec(c, 0x52)
}

// RopGetValidAttachments response — [MS-OXCROPS] 2.2.6.18.2 (success),
// 2.2.6.18.3 (failure: header only).
type GetValidAttachmentsResponse struct {
	ResponseHeader
	AttachmentIdArray []uint32
}

func (r *GetValidAttachmentsResponse) Codec(c *wire.Codec, ctx *Ctx) {
	r.ResponseHeader.Codec(c, 0x52, "InputHandleIndex")
	if r.ReturnValue != 0 {
		return
	}
	n := c.Count16(len(r.AttachmentIdArray), 4, "AttachmentIdCount")
	wire.Make(c, &r.AttachmentIdArray, n)
	c.BeginArray("AttachmentIdArray")
	for i := range r.AttachmentIdArray {
		c.U32(&r.AttachmentIdArray[i], "")
	}
	c.End()
}

func init() {
	register(Info{ID: 0x03, Section: "2.2.6.1",
		Request:  func() Request { return &OpenMessageRequest{} },
		Response: func() Response { return &OpenMessageResponse{} }})
	register(Info{ID: 0x06, Section: "2.2.6.2",
		Request:  func() Request { return &CreateMessageRequest{} },
		Response: func() Response { return &CreateMessageResponse{} }})
	register(Info{ID: 0x0C, Section: "2.2.6.3",
		Request:  func() Request { return &SaveChangesMessageRequest{} },
		Response: func() Response { return &SaveChangesMessageResponse{} }})
	register(Info{ID: 0x0D, Section: "2.2.6.4",
		Request:  func() Request { return &RemoveAllRecipientsRequest{} },
		Response: func() Response { return &RemoveAllRecipientsResponse{} }})
	register(Info{ID: 0x0E, Section: "2.2.6.5",
		Request:  func() Request { return &ModifyRecipientsRequest{} },
		Response: func() Response { return &ModifyRecipientsResponse{} }})
	register(Info{ID: 0x0F, Section: "2.2.6.6", Context: "recipient columns",
		Request:  func() Request { return &ReadRecipientsRequest{} },
		Response: func() Response { return &ReadRecipientsResponse{} }})
	register(Info{ID: 0x10, Section: "2.2.6.7",
		Request:  func() Request { return &ReloadCachedInformationRequest{} },
		Response: func() Response { return &ReloadCachedInformationResponse{} }})
	register(Info{ID: 0x20, Section: "2.2.6.8",
		Request:  func() Request { return &SetMessageStatusRequest{} },
		Response: func() Response { return &SetMessageStatusResponse{} }})
	register(Info{ID: 0x1F, Section: "2.2.6.9",
		Request:  func() Request { return &GetMessageStatusRequest{} },
		Response: func() Response { return &GetMessageStatusResponse{} }})
	register(Info{ID: 0x66, Section: "2.2.6.10",
		Request:  func() Request { return &SetReadFlagsRequest{} },
		Response: func() Response { return &SetReadFlagsResponse{} }})
	register(Info{ID: 0x11, Section: "2.2.6.11", Context: "logon flags",
		Request:  func() Request { return &SetMessageReadFlagRequest{} },
		Response: func() Response { return &SetMessageReadFlagResponse{} }})
	register(Info{ID: 0x22, Section: "2.2.6.12",
		Request:  func() Request { return &OpenAttachmentRequest{} },
		Response: func() Response { return &OpenAttachmentResponse{} }})
	register(Info{ID: 0x23, Section: "2.2.6.13",
		Request:  func() Request { return &CreateAttachmentRequest{} },
		Response: func() Response { return &CreateAttachmentResponse{} }})
	register(Info{ID: 0x24, Section: "2.2.6.14",
		Request:  func() Request { return &DeleteAttachmentRequest{} },
		Response: func() Response { return &DeleteAttachmentResponse{} }})
	register(Info{ID: 0x25, Section: "2.2.6.15",
		Request:  func() Request { return &SaveChangesAttachmentRequest{} },
		Response: func() Response { return &SaveChangesAttachmentResponse{} }})
	register(Info{ID: 0x46, Section: "2.2.6.16",
		Request:  func() Request { return &OpenEmbeddedMessageRequest{} },
		Response: func() Response { return &OpenEmbeddedMessageResponse{} }})
	register(Info{ID: 0x21, Section: "2.2.6.17",
		Request:  func() Request { return &GetAttachmentTableRequest{} },
		Response: func() Response { return &GetAttachmentTableResponse{} }})
	register(Info{ID: 0x52, Section: "2.2.6.18",
		Request:  func() Request { return &GetValidAttachmentsRequest{} },
		Response: func() Response { return &GetValidAttachmentsResponse{} }})
}

package rop

import (
	"github.com/mapiscope/mapiscope/decode/prop"
	"github.com/mapiscope/mapiscope/decode/wire"
)

// The FastTransfer ROPs ([MS-OXCROPS] 2.2.12) and the incremental change
// synchronization ROPs ([MS-OXCROPS] 2.2.13), whose semantics are in
// [MS-OXCFXICS]. The FastTransfer streams they carry (TransferData,
// TransferBuffer, StreamData) stay raw bytes here.

// ---- symbolic names ----

// SendOptions — [MS-OXCFXICS] 2.2.3.1.1.1.1. ForUpload is the combination
// Unicode|UseCpid and is named as such when both bits are set.
var fxSendOptionsSym = wire.Flags(
	wire.Flag{Mask: 0x03, Name: "ForUpload"},
	wire.Flag{Mask: 0x01, Name: "Unicode"},
	wire.Flag{Mask: 0x02, Name: "UseCpid"},
	wire.Flag{Mask: 0x04, Name: "RecoverMode"},
	wire.Flag{Mask: 0x08, Name: "ForceUnicode"},
	wire.Flag{Mask: 0x10, Name: "PartialItem"},
	wire.Flag{Mask: 0x20, Name: "Reserved1"},
	wire.Flag{Mask: 0x40, Name: "Reserved2"},
)

// CopyFlags of RopFastTransferSourceCopyTo — [MS-OXCFXICS] 2.2.3.1.1.1.1.
var copyToFlagsSym = wire.Flags(
	wire.Flag{Mask: 0x00000001, Name: "Move"},
	wire.Flag{Mask: 0x00000002, Name: "Unused1"},
	wire.Flag{Mask: 0x00000004, Name: "Unused2"},
	wire.Flag{Mask: 0x00000008, Name: "Unused3"},
	wire.Flag{Mask: 0x00000200, Name: "Unused4"},
	wire.Flag{Mask: 0x00000400, Name: "Unused5"},
	wire.Flag{Mask: 0x00002000, Name: "BestBody"},
)

// CopyFlags of RopFastTransferSourceCopyProperties — [MS-OXCFXICS]
// 2.2.3.1.1.2.1.
var copyPropertiesFlagsSym = wire.Flags(
	wire.Flag{Mask: 0x01, Name: "Move"},
	wire.Flag{Mask: 0x02, Name: "Unused1"},
	wire.Flag{Mask: 0x04, Name: "Unused2"},
	wire.Flag{Mask: 0x08, Name: "Unused3"},
)

// CopyFlags of RopFastTransferSourceCopyMessages — [MS-OXCFXICS]
// 2.2.3.1.1.3.1.
var copyMessagesFlagsSym = wire.Flags(
	wire.Flag{Mask: 0x01, Name: "Move"},
	wire.Flag{Mask: 0x02, Name: "Unused1"},
	wire.Flag{Mask: 0x04, Name: "Unused2"},
	wire.Flag{Mask: 0x08, Name: "Unused3"},
	wire.Flag{Mask: 0x10, Name: "BestBody"},
	wire.Flag{Mask: 0x20, Name: "SendEntryId"},
)

// CopyFlags of RopFastTransferSourceCopyFolder — [MS-OXCFXICS]
// 2.2.3.1.1.4.1.
var copyFolderFlagsSym = wire.Flags(
	wire.Flag{Mask: 0x01, Name: "Move"},
	wire.Flag{Mask: 0x02, Name: "Unused1"},
	wire.Flag{Mask: 0x04, Name: "Unused2"},
	wire.Flag{Mask: 0x08, Name: "Unused3"},
	wire.Flag{Mask: 0x10, Name: "CopySubfolders"},
)

// SourceOperation and CopyFlags of RopFastTransferDestinationConfigure —
// [MS-OXCFXICS] 2.2.3.1.2.1.1.
var (
	sourceOperationSym = wire.Enum(
		wire.Flag{Mask: 0x01, Name: "CopyTo"},
		wire.Flag{Mask: 0x02, Name: "CopyProperties"},
		wire.Flag{Mask: 0x03, Name: "CopyMessages"},
		wire.Flag{Mask: 0x04, Name: "CopyFolder"},
	)
	destinationCopyFlagsSym = wire.Flags(
		wire.Flag{Mask: 0x01, Name: "Move"},
	)
)

// TransferStatus — [MS-OXCFXICS] 2.2.3.1.1.5.2.
var fxTransferStatusSym = wire.Enum(
	wire.Flag{Mask: 0x0000, Name: "Error"},
	wire.Flag{Mask: 0x0001, Name: "Partial"},
	wire.Flag{Mask: 0x0002, Name: "NoRoom"},
	wire.Flag{Mask: 0x0003, Name: "Done"},
)

// SynchronizationType, SynchronizationFlags and SynchronizationExtraFlags
// of RopSynchronizationConfigure — [MS-OXCFXICS] 2.2.3.2.1.1.1.
var (
	synchronizationTypeSym = wire.Enum(
		wire.Flag{Mask: 0x01, Name: "Contents"},
		wire.Flag{Mask: 0x02, Name: "Hierarchy"},
	)
	synchronizationFlagsSym = wire.Flags(
		wire.Flag{Mask: 0x0001, Name: "Unicode"},
		wire.Flag{Mask: 0x0002, Name: "NoDeletions"},
		wire.Flag{Mask: 0x0004, Name: "IgnoreNoLongerInScope"},
		wire.Flag{Mask: 0x0008, Name: "ReadState"},
		wire.Flag{Mask: 0x0010, Name: "FAI"},
		wire.Flag{Mask: 0x0020, Name: "Normal"},
		wire.Flag{Mask: 0x0080, Name: "OnlySpecifiedProperties"},
		wire.Flag{Mask: 0x0100, Name: "NoForeignIdentifiers"},
		wire.Flag{Mask: 0x1000, Name: "Reserved"},
		wire.Flag{Mask: 0x2000, Name: "BestBody"},
		wire.Flag{Mask: 0x4000, Name: "IgnoreSpecifiedOnFAI"},
		wire.Flag{Mask: 0x8000, Name: "Progress"},
	)
	synchronizationExtraFlagsSym = wire.Flags(
		wire.Flag{Mask: 0x00000001, Name: "Eid"},
		wire.Flag{Mask: 0x00000002, Name: "MessageSize"},
		wire.Flag{Mask: 0x00000004, Name: "CN"},
		wire.Flag{Mask: 0x00000008, Name: "OrderByDeliveryTime"},
	)
)

// ImportFlag of RopSynchronizationImportMessageChange — [MS-OXCFXICS]
// 2.2.3.2.4.2.1.
var importFlagSym = wire.Flags(
	wire.Flag{Mask: 0x10, Name: "Associated"},
	wire.Flag{Mask: 0x40, Name: "FailOnConflict"},
)

// ImportDeleteFlags of RopSynchronizationImportDeletes — [MS-OXCFXICS]
// 2.2.3.2.4.5.1.
var importDeleteFlagsSym = wire.Flags(
	wire.Flag{Mask: 0x01, Name: "Hierarchy"},
	wire.Flag{Mask: 0x02, Name: "HardDelete"},
)

// fxSendOptions reads or writes a SendOptions byte.
func fxSendOptions(c *wire.Codec, p *uint8) {
	c.U8(p, "SendOptions")
	c.Hex().Named(fxSendOptionsSym)
}

// fxSizedBytes reads or writes a byte array preceded by its byte count
// (width 2 or 4), the count named sizeName.
func fxSizedBytes(c *wire.Codec, b *[]byte, width int, sizeName, name string) {
	var n int
	if width == 4 {
		n = c.Count32(len(*b), 1, sizeName)
	} else {
		n = c.Count16(len(*b), 1, sizeName)
	}
	c.Fixed(b, n, name)
}

// ---- RopFastTransferDestinationConfigure (0x53) ----

// RopFastTransferDestinationConfigure request — [MS-OXCROPS] 2.2.12.1.1.
type FastTransferDestinationConfigureRequest struct {
	RequestHeader
	OutputHandleIndex uint8
	SourceOperation   uint8
	CopyFlags         uint8
}

func (r *FastTransferDestinationConfigureRequest) Codec(c *wire.Codec, ctx *Ctx) {
	r.RequestHeader.Codec(c, 0x53)
	OutputHandle(c, ctx, &r.OutputHandleIndex)
	c.U8(&r.SourceOperation, "SourceOperation")
	c.Hex().Named(sourceOperationSym)
	c.U8(&r.CopyFlags, "CopyFlags")
	c.Hex().Named(destinationCopyFlagsSym)
}

// RopFastTransferDestinationConfigure response — [MS-OXCROPS] 2.2.12.1.2.
type FastTransferDestinationConfigureResponse struct {
	ResponseHeader
}

func (r *FastTransferDestinationConfigureResponse) Codec(c *wire.Codec, ctx *Ctx) {
	r.ResponseHeader.Codec(c, 0x53, "OutputHandleIndex")
}

// ---- RopFastTransferDestinationPutBuffer (0x54) ----

// RopFastTransferDestinationPutBuffer request — [MS-OXCROPS] 2.2.12.2.1.
type FastTransferDestinationPutBufferRequest struct {
	RequestHeader
	TransferData []byte // a portion of a FastTransfer stream
}

func (r *FastTransferDestinationPutBufferRequest) Codec(c *wire.Codec, ctx *Ctx) {
	r.RequestHeader.Codec(c, 0x54)
	fxSizedBytes(c, &r.TransferData, 2, "TransferDataSize", "TransferData")
}

// RopFastTransferDestinationPutBuffer response — [MS-OXCROPS] 2.2.12.2.2.
// The specification defines a single response layout: the progress fields
// follow ReturnValue whatever its value ([MS-OXCFXICS] 2.2.3.1.2.2.2 says
// BufferUsedSize is meaningful on failure too).
type FastTransferDestinationPutBufferResponse struct {
	ResponseHeader
	TransferStatus  uint16
	InProgressCount uint16
	TotalStepCount  uint16
	Reserved        uint8
	BufferUsedSize  uint16
}

func (r *FastTransferDestinationPutBufferResponse) Codec(c *wire.Codec, ctx *Ctx) {
	r.ResponseHeader.Codec(c, 0x54, "InputHandleIndex")
	c.U16(&r.TransferStatus, "TransferStatus")
	c.Hex().Named(fxTransferStatusSym)
	c.U16(&r.InProgressCount, "InProgressCount")
	c.U16(&r.TotalStepCount, "TotalStepCount")
	c.U8(&r.Reserved, "Reserved")
	c.U16(&r.BufferUsedSize, "BufferUsedSize")
}

// ---- RopFastTransferDestinationPutBufferExtended (0x9D) ----

// RopFastTransferDestinationPutBufferExtended request — [MS-OXCROPS]
// 2.2.12.3.1.
type FastTransferDestinationPutBufferExtendedRequest struct {
	RequestHeader
	TransferData []byte
}

func (r *FastTransferDestinationPutBufferExtendedRequest) Codec(c *wire.Codec, ctx *Ctx) {
	r.RequestHeader.Codec(c, 0x9D)
	fxSizedBytes(c, &r.TransferData, 2, "TransferDataSize", "TransferData")
}

// RopFastTransferDestinationPutBufferExtended response — [MS-OXCROPS]
// 2.2.12.3.2. As for RopFastTransferDestinationPutBuffer, one layout
// whatever ReturnValue, but the step counts are 32 bits wide.
type FastTransferDestinationPutBufferExtendedResponse struct {
	ResponseHeader
	TransferStatus  uint16
	InProgressCount uint32
	TotalStepCount  uint32
	Reserved        uint8
	BufferUsedSize  uint16
}

func (r *FastTransferDestinationPutBufferExtendedResponse) Codec(c *wire.Codec, ctx *Ctx) {
	r.ResponseHeader.Codec(c, 0x9D, "InputHandleIndex")
	c.U16(&r.TransferStatus, "TransferStatus")
	c.Hex().Named(fxTransferStatusSym)
	c.U32(&r.InProgressCount, "InProgressCount")
	c.U32(&r.TotalStepCount, "TotalStepCount")
	c.U8(&r.Reserved, "Reserved")
	c.U16(&r.BufferUsedSize, "BufferUsedSize")
}

// ---- RopFastTransferSourceGetBuffer (0x4E) ----

// FastTransferBufferSizeAuto is the BufferSize sentinel of
// RopFastTransferSourceGetBuffer that lets the server size the buffer and
// brings MaximumBufferSize into the request — [MS-OXCFXICS] 3.2.5.8.1.5.
const FastTransferBufferSizeAuto = 0xBABE

// RopFastTransferSourceGetBuffer request — [MS-OXCROPS] 2.2.12.4.1.
// MaximumBufferSize is on the wire only when BufferSize is 0xBABE.
type FastTransferSourceGetBufferRequest struct {
	RequestHeader
	BufferSize        uint16
	MaximumBufferSize uint16
}

func (r *FastTransferSourceGetBufferRequest) Codec(c *wire.Codec, ctx *Ctx) {
	r.RequestHeader.Codec(c, 0x4E)
	c.U16(&r.BufferSize, "BufferSize")
	if r.BufferSize == FastTransferBufferSizeAuto {
		c.Hex()
		c.U16(&r.MaximumBufferSize, "MaximumBufferSize")
	}
}

// fxServerBusy (ecServerBusy) is the ReturnValue of a
// RopFastTransferSourceGetBuffer response that carries BackoffTime.
const fxServerBusy = 0x00000480

// RopFastTransferSourceGetBuffer response — [MS-OXCROPS] 2.2.12.4.2
// (success) and 2.2.12.4.3 (failure). On success the progress fields and
// TransferBuffer follow ReturnValue; on failure nothing does, except that
// with ecServerBusy (0x00000480) BackoffTime follows ([MS-OXCFXICS]
// 3.3.5.9.1).
type FastTransferSourceGetBufferResponse struct {
	ResponseHeader
	TransferStatus  uint16
	InProgressCount uint16
	TotalStepCount  uint16
	Reserved        uint8
	TransferBuffer  []byte // a portion of a FastTransfer stream
	BackoffTime     uint32 // milliseconds; ecServerBusy only
}

func (r *FastTransferSourceGetBufferResponse) Codec(c *wire.Codec, ctx *Ctx) {
	r.ResponseHeader.Codec(c, 0x4E, "InputHandleIndex")
	switch r.ReturnValue {
	case 0:
	case fxServerBusy:
		c.U32(&r.BackoffTime, "BackoffTime")
		return
	default:
		return
	}
	c.U16(&r.TransferStatus, "TransferStatus")
	c.Hex().Named(fxTransferStatusSym)
	c.U16(&r.InProgressCount, "InProgressCount")
	c.U16(&r.TotalStepCount, "TotalStepCount")
	c.U8(&r.Reserved, "Reserved")
	fxSizedBytes(c, &r.TransferBuffer, 2, "TransferBufferSize", "TransferBuffer")
}

// ---- RopFastTransferSourceCopyFolder (0x4C) ----

// RopFastTransferSourceCopyFolder request — [MS-OXCROPS] 2.2.12.5.1.
type FastTransferSourceCopyFolderRequest struct {
	RequestHeader
	OutputHandleIndex uint8
	CopyFlags         uint8
	SendOptions       uint8
}

func (r *FastTransferSourceCopyFolderRequest) Codec(c *wire.Codec, ctx *Ctx) {
	r.RequestHeader.Codec(c, 0x4C)
	OutputHandle(c, ctx, &r.OutputHandleIndex)
	c.U8(&r.CopyFlags, "CopyFlags")
	c.Hex().Named(copyFolderFlagsSym)
	fxSendOptions(c, &r.SendOptions)
}

// RopFastTransferSourceCopyFolder response — [MS-OXCROPS] 2.2.12.5.2.
type FastTransferSourceCopyFolderResponse struct {
	ResponseHeader
}

func (r *FastTransferSourceCopyFolderResponse) Codec(c *wire.Codec, ctx *Ctx) {
	r.ResponseHeader.Codec(c, 0x4C, "OutputHandleIndex")
}

// ---- RopFastTransferSourceCopyMessages (0x4B) ----

// RopFastTransferSourceCopyMessages request — [MS-OXCROPS] 2.2.12.6.1.
type FastTransferSourceCopyMessagesRequest struct {
	RequestHeader
	OutputHandleIndex uint8
	MessageIds        []prop.ID
	CopyFlags         uint8
	SendOptions       uint8
}

func (r *FastTransferSourceCopyMessagesRequest) Codec(c *wire.Codec, ctx *Ctx) {
	r.RequestHeader.Codec(c, 0x4B)
	OutputHandle(c, ctx, &r.OutputHandleIndex)
	prop.CodecIDs(c, &r.MessageIds, "MessageIdCount", "MessageIds", 2)
	c.U8(&r.CopyFlags, "CopyFlags")
	c.Hex().Named(copyMessagesFlagsSym)
	fxSendOptions(c, &r.SendOptions)
}

// RopFastTransferSourceCopyMessages response — [MS-OXCROPS] 2.2.12.6.2.
type FastTransferSourceCopyMessagesResponse struct {
	ResponseHeader
}

func (r *FastTransferSourceCopyMessagesResponse) Codec(c *wire.Codec, ctx *Ctx) {
	r.ResponseHeader.Codec(c, 0x4B, "OutputHandleIndex")
}

// ---- RopFastTransferSourceCopyTo (0x4D) ----

// RopFastTransferSourceCopyTo request — [MS-OXCROPS] 2.2.12.7.1.
// PropertyTags lists the properties to exclude.
type FastTransferSourceCopyToRequest struct {
	RequestHeader
	OutputHandleIndex uint8
	Level             uint8
	CopyFlags         uint32
	SendOptions       uint8
	PropertyTags      []prop.Tag
}

func (r *FastTransferSourceCopyToRequest) Codec(c *wire.Codec, ctx *Ctx) {
	r.RequestHeader.Codec(c, 0x4D)
	OutputHandle(c, ctx, &r.OutputHandleIndex)
	c.U8(&r.Level, "Level")
	c.U32(&r.CopyFlags, "CopyFlags")
	c.Hex().Named(copyToFlagsSym)
	fxSendOptions(c, &r.SendOptions)
	prop.CodecTags(c, &r.PropertyTags, "PropertyTagCount", "PropertyTags", 2)
}

// RopFastTransferSourceCopyTo response — [MS-OXCROPS] 2.2.12.7.2.
type FastTransferSourceCopyToResponse struct {
	ResponseHeader
}

func (r *FastTransferSourceCopyToResponse) Codec(c *wire.Codec, ctx *Ctx) {
	r.ResponseHeader.Codec(c, 0x4D, "OutputHandleIndex")
}

// ---- RopFastTransferSourceCopyProperties (0x69) ----

// RopFastTransferSourceCopyProperties request — [MS-OXCROPS] 2.2.12.8.1.
// PropertyTags lists the properties to copy.
type FastTransferSourceCopyPropertiesRequest struct {
	RequestHeader
	OutputHandleIndex uint8
	Level             uint8
	CopyFlags         uint8
	SendOptions       uint8
	PropertyTags      []prop.Tag
}

func (r *FastTransferSourceCopyPropertiesRequest) Codec(c *wire.Codec, ctx *Ctx) {
	r.RequestHeader.Codec(c, 0x69)
	OutputHandle(c, ctx, &r.OutputHandleIndex)
	c.U8(&r.Level, "Level")
	c.U8(&r.CopyFlags, "CopyFlags")
	c.Hex().Named(copyPropertiesFlagsSym)
	fxSendOptions(c, &r.SendOptions)
	prop.CodecTags(c, &r.PropertyTags, "PropertyTagCount", "PropertyTags", 2)
}

// RopFastTransferSourceCopyProperties response — [MS-OXCROPS] 2.2.12.8.2.
type FastTransferSourceCopyPropertiesResponse struct {
	ResponseHeader
}

func (r *FastTransferSourceCopyPropertiesResponse) Codec(c *wire.Codec, ctx *Ctx) {
	r.ResponseHeader.Codec(c, 0x69, "OutputHandleIndex")
}

// ---- RopTellVersion (0x86) ----

// RopTellVersion request — [MS-OXCROPS] 2.2.12.9.1. Version is the other
// server's version as three 16-bit numbers.
type TellVersionRequest struct {
	RequestHeader
	Version [3]uint16
}

func (r *TellVersionRequest) Codec(c *wire.Codec, ctx *Ctx) {
	r.RequestHeader.Codec(c, 0x86)
	c.BeginArray("Version")
	for i := range r.Version {
		c.U16(&r.Version[i], "Version")
	}
	c.End()
}

// RopTellVersion response — [MS-OXCROPS] 2.2.12.9.2.
type TellVersionResponse struct {
	ResponseHeader
}

func (r *TellVersionResponse) Codec(c *wire.Codec, ctx *Ctx) {
	r.ResponseHeader.Codec(c, 0x86, "InputHandleIndex")
}

// ---- RopSynchronizationConfigure (0x70) ----

// RopSynchronizationConfigure request — [MS-OXCROPS] 2.2.13.1.1.
// RestrictionData is nil when RestrictionDataSize is 0.
type SynchronizationConfigureRequest struct {
	RequestHeader
	OutputHandleIndex         uint8
	SynchronizationType       uint8
	SendOptions               uint8
	SynchronizationFlags      uint16
	RestrictionData           *prop.Restriction
	SynchronizationExtraFlags uint32
	PropertyTags              []prop.Tag
}

func (r *SynchronizationConfigureRequest) Codec(c *wire.Codec, ctx *Ctx) {
	r.RequestHeader.Codec(c, 0x70)
	OutputHandle(c, ctx, &r.OutputHandleIndex)
	c.U8(&r.SynchronizationType, "SynchronizationType")
	c.Hex().Named(synchronizationTypeSym)
	fxSendOptions(c, &r.SendOptions)
	c.U16(&r.SynchronizationFlags, "SynchronizationFlags")
	c.Hex().Named(synchronizationFlagsSym)
	c.Sized(2, "RestrictionDataSize", func() {
		if c.Decoding() {
			r.RestrictionData = nil
			if c.Remaining() == 0 {
				return
			}
			r.RestrictionData = &prop.Restriction{}
		} else if r.RestrictionData == nil {
			return
		}
		prop.CodecRestriction(c, r.RestrictionData, "RestrictionData", prop.ROP)
	})
	c.U32(&r.SynchronizationExtraFlags, "SynchronizationExtraFlags")
	c.Hex().Named(synchronizationExtraFlagsSym)
	prop.CodecTags(c, &r.PropertyTags, "PropertyTagCount", "PropertyTags", 2)
}

// RopSynchronizationConfigure response — [MS-OXCROPS] 2.2.13.1.2.
type SynchronizationConfigureResponse struct {
	ResponseHeader
}

func (r *SynchronizationConfigureResponse) Codec(c *wire.Codec, ctx *Ctx) {
	r.ResponseHeader.Codec(c, 0x70, "OutputHandleIndex")
}

// ---- RopSynchronizationImportMessageChange (0x72) ----

// RopSynchronizationImportMessageChange request — [MS-OXCROPS] 2.2.13.2.1.
type SynchronizationImportMessageChangeRequest struct {
	RequestHeader
	OutputHandleIndex uint8
	ImportFlag        uint8
	PropertyValues    []prop.TaggedValue
}

func (r *SynchronizationImportMessageChangeRequest) Codec(c *wire.Codec, ctx *Ctx) {
	r.RequestHeader.Codec(c, 0x72)
	OutputHandle(c, ctx, &r.OutputHandleIndex)
	c.U8(&r.ImportFlag, "ImportFlag")
	c.Hex().Named(importFlagSym)
	prop.CodecTaggedList(c, &r.PropertyValues, "PropertyValueCount", "PropertyValues", 2, prop.ROP)
}

// RopSynchronizationImportMessageChange response — [MS-OXCROPS] 2.2.13.2.2
// (success, with MessageId) and 2.2.13.2.3 (failure).
type SynchronizationImportMessageChangeResponse struct {
	ResponseHeader
	MessageId prop.ID
}

func (r *SynchronizationImportMessageChangeResponse) Codec(c *wire.Codec, ctx *Ctx) {
	r.ResponseHeader.Codec(c, 0x72, "OutputHandleIndex")
	if r.ReturnValue != 0 {
		return
	}
	prop.CodecID(c, &r.MessageId, "MessageId")
}

// ---- RopSynchronizationImportReadStateChanges (0x80) ----

// MessageReadState — [MS-OXCROPS] 2.2.13.3.1.1. MessageId is the XID of
// the message ([MS-OXCFXICS] 2.2.2.2): a namespace GUID then a local id.
type MessageReadState struct {
	MessageId  []byte
	MarkAsRead bool
}

// RopSynchronizationImportReadStateChanges request — [MS-OXCROPS]
// 2.2.13.3.1. MessageReadStateSize is the byte size of MessageReadStates.
type SynchronizationImportReadStateChangesRequest struct {
	RequestHeader
	MessageReadStates []MessageReadState
}

func (r *SynchronizationImportReadStateChangesRequest) Codec(c *wire.Codec, ctx *Ctx) {
	r.RequestHeader.Codec(c, 0x80)
	c.Sized(2, "MessageReadStateSize", func() {
		c.BeginArray("MessageReadStates")
		if c.Decoding() {
			r.MessageReadStates = nil
			// Each state takes at least 3 bytes, and one is appended
			// only once its bytes were read, so the loop is bounded by
			// the region.
			for c.Remaining() > 0 {
				var s MessageReadState
				codecMessageReadState(c, &s)
				if c.Failed() {
					break
				}
				r.MessageReadStates = append(r.MessageReadStates, s)
			}
		} else {
			for i := range r.MessageReadStates {
				codecMessageReadState(c, &r.MessageReadStates[i])
			}
		}
		c.End()
	})
}

func codecMessageReadState(c *wire.Codec, s *MessageReadState) {
	c.Begin("")
	fxSizedBytes(c, &s.MessageId, 2, "MessageIdSize", "MessageId")
	c.Bool8(&s.MarkAsRead, "MarkAsRead")
	c.End()
}

// RopSynchronizationImportReadStateChanges response — [MS-OXCROPS]
// 2.2.13.3.2.
type SynchronizationImportReadStateChangesResponse struct {
	ResponseHeader
}

func (r *SynchronizationImportReadStateChangesResponse) Codec(c *wire.Codec, ctx *Ctx) {
	r.ResponseHeader.Codec(c, 0x80, "InputHandleIndex")
}

// ---- RopSynchronizationImportHierarchyChange (0x73) ----

// RopSynchronizationImportHierarchyChange request — [MS-OXCROPS]
// 2.2.13.4.1.
type SynchronizationImportHierarchyChangeRequest struct {
	RequestHeader
	HierarchyValues []prop.TaggedValue
	PropertyValues  []prop.TaggedValue
}

func (r *SynchronizationImportHierarchyChangeRequest) Codec(c *wire.Codec, ctx *Ctx) {
	r.RequestHeader.Codec(c, 0x73)
	prop.CodecTaggedList(c, &r.HierarchyValues, "HierarchyValueCount", "HierarchyValues", 2, prop.ROP)
	prop.CodecTaggedList(c, &r.PropertyValues, "PropertyValueCount", "PropertyValues", 2, prop.ROP)
}

// RopSynchronizationImportHierarchyChange response — [MS-OXCROPS]
// 2.2.13.4.2 (success, with FolderId) and 2.2.13.4.3 (failure).
type SynchronizationImportHierarchyChangeResponse struct {
	ResponseHeader
	FolderId prop.ID
}

func (r *SynchronizationImportHierarchyChangeResponse) Codec(c *wire.Codec, ctx *Ctx) {
	r.ResponseHeader.Codec(c, 0x73, "InputHandleIndex")
	if r.ReturnValue != 0 {
		return
	}
	prop.CodecID(c, &r.FolderId, "FolderId")
}

// ---- RopSynchronizationImportDeletes (0x74) ----

// RopSynchronizationImportDeletes request — [MS-OXCROPS] 2.2.13.5.1.
// PropertyValues holds a PtypMultipleBinary whose values are the GIDs
// (PidTagSourceKey) of the deleted folders or messages — [MS-OXCFXICS]
// 2.2.3.2.4.5.1; GIDs returns them.
type SynchronizationImportDeletesRequest struct {
	RequestHeader
	ImportDeleteFlags uint8
	PropertyValues    []prop.TaggedValue
}

func (r *SynchronizationImportDeletesRequest) Codec(c *wire.Codec, ctx *Ctx) {
	r.RequestHeader.Codec(c, 0x74)
	c.U8(&r.ImportDeleteFlags, "ImportDeleteFlags")
	c.Hex().Named(importDeleteFlagsSym)
	prop.CodecTaggedList(c, &r.PropertyValues, "PropertyValueCount", "PropertyValues", 2, prop.ROP)
	if c.Decoding() && !c.Failed() {
		for _, v := range r.PropertyValues {
			if v.Tag.Type() != prop.PtypMultipleBinary {
				c.Note("RopSynchronizationImportDeletes: PropertyValues holds a %s where the GIDs are a PtypMultipleBinary", v.Tag.Type())
				break
			}
		}
	}
}

// GIDs returns the serialized GIDs of the deleted objects.
func (r *SynchronizationImportDeletesRequest) GIDs() [][]byte {
	var out [][]byte
	for _, v := range r.PropertyValues {
		if b, ok := v.Value.([][]byte); ok {
			out = append(out, b...)
		}
	}
	return out
}

// RopSynchronizationImportDeletes response — [MS-OXCROPS] 2.2.13.5.2.
type SynchronizationImportDeletesResponse struct {
	ResponseHeader
}

func (r *SynchronizationImportDeletesResponse) Codec(c *wire.Codec, ctx *Ctx) {
	r.ResponseHeader.Codec(c, 0x74, "InputHandleIndex")
}

// ---- RopSynchronizationImportMessageMove (0x78) ----

// RopSynchronizationImportMessageMove request — [MS-OXCROPS] 2.2.13.6.1.
// The ids are serialized GIDs, PredecessorChangeList a serialized
// PredecessorChangeList and ChangeNumber an XID ([MS-OXCFXICS]
// 2.2.3.2.4.4.1).
type SynchronizationImportMessageMoveRequest struct {
	RequestHeader
	SourceFolderId        []byte
	SourceMessageId       []byte
	PredecessorChangeList []byte
	DestinationMessageId  []byte
	ChangeNumber          []byte
}

func (r *SynchronizationImportMessageMoveRequest) Codec(c *wire.Codec, ctx *Ctx) {
	r.RequestHeader.Codec(c, 0x78)
	fxSizedBytes(c, &r.SourceFolderId, 4, "SourceFolderIdSize", "SourceFolderId")
	fxSizedBytes(c, &r.SourceMessageId, 4, "SourceMessageIdSize", "SourceMessageId")
	fxSizedBytes(c, &r.PredecessorChangeList, 4, "PredecessorChangeListSize", "PredecessorChangeList")
	fxSizedBytes(c, &r.DestinationMessageId, 4, "DestinationMessageIdSize", "DestinationMessageId")
	fxSizedBytes(c, &r.ChangeNumber, 4, "ChangeNumberSize", "ChangeNumber")
}

// RopSynchronizationImportMessageMove response — [MS-OXCROPS] 2.2.13.6.2
// (success, with MessageId) and 2.2.13.6.3 (failure).
type SynchronizationImportMessageMoveResponse struct {
	ResponseHeader
	MessageId prop.ID
}

func (r *SynchronizationImportMessageMoveResponse) Codec(c *wire.Codec, ctx *Ctx) {
	r.ResponseHeader.Codec(c, 0x78, "InputHandleIndex")
	if r.ReturnValue != 0 {
		return
	}
	prop.CodecID(c, &r.MessageId, "MessageId")
}

// ---- RopSynchronizationOpenCollector (0x7E) ----

// RopSynchronizationOpenCollector request — [MS-OXCROPS] 2.2.13.7.1.
type SynchronizationOpenCollectorRequest struct {
	RequestHeader
	OutputHandleIndex   uint8
	IsContentsCollector bool
}

func (r *SynchronizationOpenCollectorRequest) Codec(c *wire.Codec, ctx *Ctx) {
	r.RequestHeader.Codec(c, 0x7E)
	OutputHandle(c, ctx, &r.OutputHandleIndex)
	c.Bool8(&r.IsContentsCollector, "IsContentsCollector")
}

// RopSynchronizationOpenCollector response — [MS-OXCROPS] 2.2.13.7.2.
type SynchronizationOpenCollectorResponse struct {
	ResponseHeader
}

func (r *SynchronizationOpenCollectorResponse) Codec(c *wire.Codec, ctx *Ctx) {
	r.ResponseHeader.Codec(c, 0x7E, "OutputHandleIndex")
}

// ---- RopSynchronizationGetTransferState (0x82) ----

// RopSynchronizationGetTransferState request — [MS-OXCROPS] 2.2.13.8.1.
type SynchronizationGetTransferStateRequest struct {
	RequestHeader
	OutputHandleIndex uint8
}

func (r *SynchronizationGetTransferStateRequest) Codec(c *wire.Codec, ctx *Ctx) {
	r.RequestHeader.Codec(c, 0x82)
	OutputHandle(c, ctx, &r.OutputHandleIndex)
}

// RopSynchronizationGetTransferState response — [MS-OXCROPS] 2.2.13.8.2.
type SynchronizationGetTransferStateResponse struct {
	ResponseHeader
}

func (r *SynchronizationGetTransferStateResponse) Codec(c *wire.Codec, ctx *Ctx) {
	r.ResponseHeader.Codec(c, 0x82, "OutputHandleIndex")
}

// ---- RopSynchronizationUploadStateStreamBegin (0x75) ----

// RopSynchronizationUploadStateStreamBegin request — [MS-OXCROPS]
// 2.2.13.9.1. StateProperty is one of the ICS state meta-properties
// (MetaTagIdsetGiven, MetaTagCnsetSeen, MetaTagCnsetSeenFAI,
// MetaTagCnsetRead — [MS-OXCFXICS] 2.2.3.2.2.1.1).
type SynchronizationUploadStateStreamBeginRequest struct {
	RequestHeader
	StateProperty      prop.Tag
	TransferBufferSize uint32
}

func (r *SynchronizationUploadStateStreamBeginRequest) Codec(c *wire.Codec, ctx *Ctx) {
	r.RequestHeader.Codec(c, 0x75)
	prop.CodecTag(c, &r.StateProperty, "StateProperty")
	c.U32(&r.TransferBufferSize, "TransferBufferSize")
}

// RopSynchronizationUploadStateStreamBegin response — [MS-OXCROPS]
// 2.2.13.9.2.
type SynchronizationUploadStateStreamBeginResponse struct {
	ResponseHeader
}

func (r *SynchronizationUploadStateStreamBeginResponse) Codec(c *wire.Codec, ctx *Ctx) {
	r.ResponseHeader.Codec(c, 0x75, "InputHandleIndex")
}

// ---- RopSynchronizationUploadStateStreamContinue (0x76) ----

// RopSynchronizationUploadStateStreamContinue request — [MS-OXCROPS]
// 2.2.13.10.1.
type SynchronizationUploadStateStreamContinueRequest struct {
	RequestHeader
	StreamData []byte
}

func (r *SynchronizationUploadStateStreamContinueRequest) Codec(c *wire.Codec, ctx *Ctx) {
	r.RequestHeader.Codec(c, 0x76)
	fxSizedBytes(c, &r.StreamData, 4, "StreamDataSize", "StreamData")
}

// RopSynchronizationUploadStateStreamContinue response — [MS-OXCROPS]
// 2.2.13.10.2.
type SynchronizationUploadStateStreamContinueResponse struct {
	ResponseHeader
}

func (r *SynchronizationUploadStateStreamContinueResponse) Codec(c *wire.Codec, ctx *Ctx) {
	r.ResponseHeader.Codec(c, 0x76, "InputHandleIndex")
}

// ---- RopSynchronizationUploadStateStreamEnd (0x77) ----

// RopSynchronizationUploadStateStreamEnd request — [MS-OXCROPS]
// 2.2.13.11.1.
type SynchronizationUploadStateStreamEndRequest struct {
	RequestHeader
}

func (r *SynchronizationUploadStateStreamEndRequest) Codec(c *wire.Codec, ctx *Ctx) {
	r.RequestHeader.Codec(c, 0x77)
}

// RopSynchronizationUploadStateStreamEnd response — [MS-OXCROPS]
// 2.2.13.11.2.
type SynchronizationUploadStateStreamEndResponse struct {
	ResponseHeader
}

func (r *SynchronizationUploadStateStreamEndResponse) Codec(c *wire.Codec, ctx *Ctx) {
	r.ResponseHeader.Codec(c, 0x77, "InputHandleIndex")
}

// ---- RopSetLocalReplicaMidsetDeleted (0x93) ----

// LongTermIdRange — [MS-OXCROPS] 2.2.13.12.1.1.
type LongTermIdRange struct {
	MinLongTermId prop.LongTermID
	MaxLongTermId prop.LongTermID
}

// RopSetLocalReplicaMidsetDeleted request — [MS-OXCROPS] 2.2.13.12.1.
// DataSize covers LongTermIdRangeCount and LongTermIdRanges.
type SetLocalReplicaMidsetDeletedRequest struct {
	RequestHeader
	LongTermIdRanges []LongTermIdRange
}

func (r *SetLocalReplicaMidsetDeletedRequest) Codec(c *wire.Codec, ctx *Ctx) {
	r.RequestHeader.Codec(c, 0x93)
	c.Sized(2, "DataSize", func() {
		n := c.Count32(len(r.LongTermIdRanges), 48, "LongTermIdRangeCount")
		wire.Make(c, &r.LongTermIdRanges, n)
		c.BeginArray("LongTermIdRanges")
		for i := range r.LongTermIdRanges {
			e := &r.LongTermIdRanges[i]
			c.Begin("")
			prop.CodecLongTermID(c, &e.MinLongTermId, "MinLongTermId")
			prop.CodecLongTermID(c, &e.MaxLongTermId, "MaxLongTermId")
			c.End()
		}
		c.End()
	})
}

// RopSetLocalReplicaMidsetDeleted response — [MS-OXCROPS] 2.2.13.12.2.
type SetLocalReplicaMidsetDeletedResponse struct {
	ResponseHeader
}

func (r *SetLocalReplicaMidsetDeletedResponse) Codec(c *wire.Codec, ctx *Ctx) {
	r.ResponseHeader.Codec(c, 0x93, "InputHandleIndex")
}

// ---- RopGetLocalReplicaIds (0x7F) ----

// RopGetLocalReplicaIds request — [MS-OXCROPS] 2.2.13.13.1.
type GetLocalReplicaIdsRequest struct {
	RequestHeader
	IdCount uint32
}

func (r *GetLocalReplicaIdsRequest) Codec(c *wire.Codec, ctx *Ctx) {
	r.RequestHeader.Codec(c, 0x7F)
	c.U32(&r.IdCount, "IdCount")
}

// RopGetLocalReplicaIds response — [MS-OXCROPS] 2.2.13.13.2 (success) and
// 2.2.13.13.3 (failure). The reserved range is GlobalCount up to
// GlobalCount+IdCount-1 under ReplGuid.
type GetLocalReplicaIdsResponse struct {
	ResponseHeader
	ReplGuid    prop.GUID
	GlobalCount prop.GlobCnt
}

func (r *GetLocalReplicaIdsResponse) Codec(c *wire.Codec, ctx *Ctx) {
	r.ResponseHeader.Codec(c, 0x7F, "InputHandleIndex")
	if r.ReturnValue != 0 {
		return
	}
	prop.CodecGUID(c, &r.ReplGuid, "ReplGuid")
	prop.CodecGlobCnt(c, &r.GlobalCount, "GlobalCount")
}

func init() {
	register(Info{ID: 0x53, Section: "2.2.12.1",
		Request:  func() Request { return &FastTransferDestinationConfigureRequest{} },
		Response: func() Response { return &FastTransferDestinationConfigureResponse{} }})
	register(Info{ID: 0x54, Section: "2.2.12.2",
		Request:  func() Request { return &FastTransferDestinationPutBufferRequest{} },
		Response: func() Response { return &FastTransferDestinationPutBufferResponse{} }})
	register(Info{ID: 0x9D, Section: "2.2.12.3",
		Request:  func() Request { return &FastTransferDestinationPutBufferExtendedRequest{} },
		Response: func() Response { return &FastTransferDestinationPutBufferExtendedResponse{} }})
	register(Info{ID: 0x4E, Section: "2.2.12.4",
		Request:  func() Request { return &FastTransferSourceGetBufferRequest{} },
		Response: func() Response { return &FastTransferSourceGetBufferResponse{} }})
	register(Info{ID: 0x4C, Section: "2.2.12.5",
		Request:  func() Request { return &FastTransferSourceCopyFolderRequest{} },
		Response: func() Response { return &FastTransferSourceCopyFolderResponse{} }})
	register(Info{ID: 0x4B, Section: "2.2.12.6",
		Request:  func() Request { return &FastTransferSourceCopyMessagesRequest{} },
		Response: func() Response { return &FastTransferSourceCopyMessagesResponse{} }})
	register(Info{ID: 0x4D, Section: "2.2.12.7",
		Request:  func() Request { return &FastTransferSourceCopyToRequest{} },
		Response: func() Response { return &FastTransferSourceCopyToResponse{} }})
	register(Info{ID: 0x69, Section: "2.2.12.8",
		Request:  func() Request { return &FastTransferSourceCopyPropertiesRequest{} },
		Response: func() Response { return &FastTransferSourceCopyPropertiesResponse{} }})
	register(Info{ID: 0x86, Section: "2.2.12.9",
		Request:  func() Request { return &TellVersionRequest{} },
		Response: func() Response { return &TellVersionResponse{} }})
	register(Info{ID: 0x70, Section: "2.2.13.1",
		Request:  func() Request { return &SynchronizationConfigureRequest{} },
		Response: func() Response { return &SynchronizationConfigureResponse{} }})
	register(Info{ID: 0x72, Section: "2.2.13.2",
		Request:  func() Request { return &SynchronizationImportMessageChangeRequest{} },
		Response: func() Response { return &SynchronizationImportMessageChangeResponse{} }})
	register(Info{ID: 0x80, Section: "2.2.13.3",
		Request:  func() Request { return &SynchronizationImportReadStateChangesRequest{} },
		Response: func() Response { return &SynchronizationImportReadStateChangesResponse{} }})
	register(Info{ID: 0x73, Section: "2.2.13.4",
		Request:  func() Request { return &SynchronizationImportHierarchyChangeRequest{} },
		Response: func() Response { return &SynchronizationImportHierarchyChangeResponse{} }})
	register(Info{ID: 0x74, Section: "2.2.13.5",
		Request:  func() Request { return &SynchronizationImportDeletesRequest{} },
		Response: func() Response { return &SynchronizationImportDeletesResponse{} }})
	register(Info{ID: 0x78, Section: "2.2.13.6",
		Request:  func() Request { return &SynchronizationImportMessageMoveRequest{} },
		Response: func() Response { return &SynchronizationImportMessageMoveResponse{} }})
	register(Info{ID: 0x7E, Section: "2.2.13.7",
		Request:  func() Request { return &SynchronizationOpenCollectorRequest{} },
		Response: func() Response { return &SynchronizationOpenCollectorResponse{} }})
	register(Info{ID: 0x82, Section: "2.2.13.8",
		Request:  func() Request { return &SynchronizationGetTransferStateRequest{} },
		Response: func() Response { return &SynchronizationGetTransferStateResponse{} }})
	register(Info{ID: 0x75, Section: "2.2.13.9",
		Request:  func() Request { return &SynchronizationUploadStateStreamBeginRequest{} },
		Response: func() Response { return &SynchronizationUploadStateStreamBeginResponse{} }})
	register(Info{ID: 0x76, Section: "2.2.13.10",
		Request:  func() Request { return &SynchronizationUploadStateStreamContinueRequest{} },
		Response: func() Response { return &SynchronizationUploadStateStreamContinueResponse{} }})
	register(Info{ID: 0x77, Section: "2.2.13.11",
		Request:  func() Request { return &SynchronizationUploadStateStreamEndRequest{} },
		Response: func() Response { return &SynchronizationUploadStateStreamEndResponse{} }})
	register(Info{ID: 0x93, Section: "2.2.13.12",
		Request:  func() Request { return &SetLocalReplicaMidsetDeletedRequest{} },
		Response: func() Response { return &SetLocalReplicaMidsetDeletedResponse{} }})
	register(Info{ID: 0x7F, Section: "2.2.13.13",
		Request:  func() Request { return &GetLocalReplicaIdsRequest{} },
		Response: func() Response { return &GetLocalReplicaIdsResponse{} }})
}

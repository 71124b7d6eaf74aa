package rop

import (
	"github.com/mapiscope/mapiscope/decode/prop"
	"github.com/mapiscope/mapiscope/decode/wire"
)

// The stream ROPs of [MS-OXCROPS] 2.2.9, whose semantics [MS-OXCPRPT]
// defines.

// OpenModeFlags of RopOpenStream — [MS-OXCPRPT] 2.2.14.1 (one value, not
// a bit set).
var streamOpenModeSym = wire.Enum(
	wire.Flag{Mask: 0x00, Name: "ReadOnly"},
	wire.Flag{Mask: 0x01, Name: "ReadWrite"},
	wire.Flag{Mask: 0x02, Name: "Create"},
	wire.Flag{Mask: 0x03, Name: "BestAccess"},
)

// Origin of RopSeekStream — [MS-OXCPRPT] 2.2.21.1.
var streamOriginSym = wire.Enum(
	wire.Flag{Mask: 0x00, Name: "Beginning"},
	wire.Flag{Mask: 0x01, Name: "Current"},
	wire.Flag{Mask: 0x02, Name: "End"},
)

// LockFlags of RopLockRegionStream and RopUnlockRegionStream —
// [MS-OXCPRPT] 2.2.24.1: 0x00000001 locks against writing only; any
// other value locks against reading and writing. The names are those of
// the IStream LOCKTYPE values.
var streamLockFlagsSym = wire.Flags(
	wire.Flag{Mask: 0x01, Name: "LOCK_WRITE"},
	wire.Flag{Mask: 0x02, Name: "LOCK_EXCLUSIVE"},
	wire.Flag{Mask: 0x04, Name: "LOCK_ONLYONCE"},
)

// streamByteCountMax is the ByteCount of RopReadStream that means "read up
// to MaximumByteCount", which then follows — [MS-OXCROPS] 2.2.9.2.1.
const streamByteCountMax = 0xBABE

func streamByteCountSym(v uint64) string {
	if v == streamByteCountMax {
		return "see MaximumByteCount"
	}
	return ""
}

// streamData reads or writes DataSize (2 bytes) and Data.
func streamData(c *wire.Codec, data *[]byte) {
	n := c.Count16(len(*data), 1, "DataSize")
	c.Fixed(data, n, "Data")
}

// ---- RopOpenStream (0x2B) ----

// RopOpenStream request — [MS-OXCROPS] 2.2.9.1.1.
type OpenStreamRequest struct {
	RequestHeader
	OutputHandleIndex uint8
	PropertyTag       prop.Tag
	OpenModeFlags     uint8
}

func (r *OpenStreamRequest) Codec(c *wire.Codec, ctx *Ctx) {
	r.RequestHeader.Codec(c, 0x2B)
	OutputHandle(c, ctx, &r.OutputHandleIndex)
	prop.CodecTag(c, &r.PropertyTag, "PropertyTag")
	c.U8(&r.OpenModeFlags, "OpenModeFlags")
	c.Hex().Named(streamOpenModeSym)
}

// RopOpenStream response — [MS-OXCROPS] 2.2.9.1.2.
type OpenStreamResponse struct {
	ResponseHeader
	StreamSize uint32
}

func (r *OpenStreamResponse) Codec(c *wire.Codec, ctx *Ctx) {
	r.ResponseHeader.Codec(c, 0x2B, "OutputHandleIndex")
	if r.ReturnValue != 0 {
		return
	}
	c.U32(&r.StreamSize, "StreamSize")
}

// ---- RopReadStream (0x2C) ----

// RopReadStream request — [MS-OXCROPS] 2.2.9.2.1. MaximumByteCount is
// present when ByteCount is 0xBABE.
type ReadStreamRequest struct {
	RequestHeader
	ByteCount        uint16
	MaximumByteCount uint32
}

// Max returns the most bytes the request asks for.
func (r *ReadStreamRequest) Max() uint32 {
	if r.ByteCount == streamByteCountMax {
		return r.MaximumByteCount
	}
	return uint32(r.ByteCount)
}

func (r *ReadStreamRequest) Codec(c *wire.Codec, ctx *Ctx) {
	r.RequestHeader.Codec(c, 0x2C)
	c.U16(&r.ByteCount, "ByteCount")
	c.Hex().Named(streamByteCountSym)
	if r.ByteCount == streamByteCountMax {
		c.U32(&r.MaximumByteCount, "MaximumByteCount")
	}
}

// RopReadStream response — [MS-OXCROPS] 2.2.9.2.2. It has one layout
// whatever the ReturnValue: DataSize and Data are always present.
type ReadStreamResponse struct {
	ResponseHeader
	Data []byte
}

func (r *ReadStreamResponse) Codec(c *wire.Codec, ctx *Ctx) {
	r.ResponseHeader.Codec(c, 0x2C, "InputHandleIndex")
	streamData(c, &r.Data)
	if c.Decoding() && !c.Failed() && ctx != nil {
		if req, ok := ctx.Request.(*ReadStreamRequest); ok && uint32(len(r.Data)) > req.Max() {
			c.Note("DataSize %d is more than the %d bytes the request asked for", len(r.Data), req.Max())
		}
	}
}

// ---- RopWriteStream (0x2D) ----

// RopWriteStream request — [MS-OXCROPS] 2.2.9.3.1.
type WriteStreamRequest struct {
	RequestHeader
	Data []byte
}

func (r *WriteStreamRequest) Codec(c *wire.Codec, ctx *Ctx) {
	r.RequestHeader.Codec(c, 0x2D)
	streamData(c, &r.Data)
}

// RopWriteStream response — [MS-OXCROPS] 2.2.9.3.2. WrittenSize is present
// whatever the ReturnValue (a partial write reports its failure and how
// much was written).
type WriteStreamResponse struct {
	ResponseHeader
	WrittenSize uint16
}

func (r *WriteStreamResponse) Codec(c *wire.Codec, ctx *Ctx) {
	r.ResponseHeader.Codec(c, 0x2D, "InputHandleIndex")
	c.U16(&r.WrittenSize, "WrittenSize")
}

// ---- RopWriteStreamExtended (0xA3) ----

// RopWriteStreamExtended request — [MS-OXCROPS] 2.2.9.4.1.
type WriteStreamExtendedRequest struct {
	RequestHeader
	Data []byte
}

func (r *WriteStreamExtendedRequest) Codec(c *wire.Codec, ctx *Ctx) {
	r.RequestHeader.Codec(c, 0xA3)
	streamData(c, &r.Data)
}

// RopWriteStreamExtended response — [MS-OXCROPS] 2.2.9.4.2: a 4-byte
// WrittenSize, present whatever the ReturnValue.
type WriteStreamExtendedResponse struct {
	ResponseHeader
	WrittenSize uint32
}

func (r *WriteStreamExtendedResponse) Codec(c *wire.Codec, ctx *Ctx) {
	r.ResponseHeader.Codec(c, 0xA3, "InputHandleIndex")
	c.U32(&r.WrittenSize, "WrittenSize")
}

// ---- RopCommitStream (0x5D) ----

// RopCommitStream request — [MS-OXCROPS] 2.2.9.5.1.
type CommitStreamRequest struct {
	RequestHeader
}

func (r *CommitStreamRequest) Codec(c *wire.Codec, ctx *Ctx) {
	r.RequestHeader.Codec(c, 0x5D)
}

// RopCommitStream response — [MS-OXCROPS] 2.2.9.5.2.
type CommitStreamResponse struct {
	ResponseHeader
}

func (r *CommitStreamResponse) Codec(c *wire.Codec, ctx *Ctx) {
	r.ResponseHeader.Codec(c, 0x5D, "InputHandleIndex")
}

// ---- RopGetStreamSize (0x5E) ----

// RopGetStreamSize request — [MS-OXCROPS] 2.2.9.6.1.
type GetStreamSizeRequest struct {
	RequestHeader
}

func (r *GetStreamSizeRequest) Codec(c *wire.Codec, ctx *Ctx) {
	r.RequestHeader.Codec(c, 0x5E)
}

// RopGetStreamSize response — [MS-OXCROPS] 2.2.9.6.2.
type GetStreamSizeResponse struct {
	ResponseHeader
	StreamSize uint32
}

func (r *GetStreamSizeResponse) Codec(c *wire.Codec, ctx *Ctx) {
	r.ResponseHeader.Codec(c, 0x5E, "InputHandleIndex")
	if r.ReturnValue != 0 {
		return
	}
	c.U32(&r.StreamSize, "StreamSize")
}

// ---- RopSetStreamSize (0x2F) ----

// RopSetStreamSize request — [MS-OXCROPS] 2.2.9.7.1.
type SetStreamSizeRequest struct {
	RequestHeader
	StreamSize uint64
}

func (r *SetStreamSizeRequest) Codec(c *wire.Codec, ctx *Ctx) {
	r.RequestHeader.Codec(c, 0x2F)
	c.U64(&r.StreamSize, "StreamSize")
}

// RopSetStreamSize response — [MS-OXCROPS] 2.2.9.7.2.
type SetStreamSizeResponse struct {
	ResponseHeader
}

func (r *SetStreamSizeResponse) Codec(c *wire.Codec, ctx *Ctx) {
	r.ResponseHeader.Codec(c, 0x2F, "InputHandleIndex")
}

// ---- RopSeekStream (0x2E) ----

// RopSeekStream request — [MS-OXCROPS] 2.2.9.8.1. Offset is signed: a
// seek relative to the current position or the end can go backwards.
type SeekStreamRequest struct {
	RequestHeader
	Origin uint8
	Offset int64
}

func (r *SeekStreamRequest) Codec(c *wire.Codec, ctx *Ctx) {
	r.RequestHeader.Codec(c, 0x2E)
	c.U8(&r.Origin, "Origin")
	c.Hex().Named(streamOriginSym)
	c.I64(&r.Offset, "Offset")
}

// RopSeekStream response — [MS-OXCROPS] 2.2.9.8.2.
type SeekStreamResponse struct {
	ResponseHeader
	NewPosition uint64
}

func (r *SeekStreamResponse) Codec(c *wire.Codec, ctx *Ctx) {
	r.ResponseHeader.Codec(c, 0x2E, "InputHandleIndex")
	if r.ReturnValue != 0 {
		return
	}
	c.U64(&r.NewPosition, "NewPosition")
}

// ---- RopCopyToStream (0x3A) ----

// RopCopyToStream request — [MS-OXCROPS] 2.2.9.9.1. The SourceHandleIndex
// is kept in RequestHeader.InputHandleIndex.
type CopyToStreamRequest struct {
	RequestHeader
	DestHandleIndex uint8
	ByteCount       uint64
}

func (r *CopyToStreamRequest) Codec(c *wire.Codec, ctx *Ctx) {
	prptSourceHeader(c, &r.RequestHeader, 0x3A)
	c.U8(&r.DestHandleIndex, "DestHandleIndex")
	c.U64(&r.ByteCount, "ByteCount")
}

// RopCopyToStream response — [MS-OXCROPS] 2.2.9.9.2, and 2.2.9.9.3 for
// the null destination failure (ReturnValue ecDstNullObject, 0x00000503),
// which inserts a 4-byte DestHandleIndex. ReadByteCount and
// WrittenByteCount are present whatever the ReturnValue.
// ResponseHeader.HandleIndex is the SourceHandleIndex.
type CopyToStreamResponse struct {
	ResponseHeader
	DestHandleIndex  uint32 // ReturnValue ecDstNullObject only
	ReadByteCount    uint64
	WrittenByteCount uint64
}

func (r *CopyToStreamResponse) Codec(c *wire.Codec, ctx *Ctx) {
	r.ResponseHeader.Codec(c, 0x3A, "SourceHandleIndex")
	if r.ReturnValue == prptDstNullObject {
		c.U32(&r.DestHandleIndex, "DestHandleIndex")
	}
	c.U64(&r.ReadByteCount, "ReadByteCount")
	c.U64(&r.WrittenByteCount, "WrittenByteCount")
}

// ---- RopLockRegionStream (0x5B), RopUnlockRegionStream (0x5C) ----

func streamRegion(c *wire.Codec, off, size *uint64, flags *uint32) {
	c.U64(off, "RegionOffset")
	c.U64(size, "RegionSize")
	c.U32(flags, "LockFlags")
	c.Hex().Named(streamLockFlagsSym)
}

// RopLockRegionStream request — [MS-OXCROPS] 2.2.9.10.1.
type LockRegionStreamRequest struct {
	RequestHeader
	RegionOffset uint64
	RegionSize   uint64
	LockFlags    uint32
}

func (r *LockRegionStreamRequest) Codec(c *wire.Codec, ctx *Ctx) {
	r.RequestHeader.Codec(c, 0x5B)
	streamRegion(c, &r.RegionOffset, &r.RegionSize, &r.LockFlags)
}

// RopLockRegionStream response — [MS-OXCROPS] 2.2.9.10.2.
type LockRegionStreamResponse struct {
	ResponseHeader
}

func (r *LockRegionStreamResponse) Codec(c *wire.Codec, ctx *Ctx) {
	r.ResponseHeader.Codec(c, 0x5B, "InputHandleIndex")
}

// RopUnlockRegionStream request — [MS-OXCROPS] 2.2.9.11.1.
type UnlockRegionStreamRequest struct {
	RequestHeader
	RegionOffset uint64
	RegionSize   uint64
	LockFlags    uint32
}

func (r *UnlockRegionStreamRequest) Codec(c *wire.Codec, ctx *Ctx) {
	r.RequestHeader.Codec(c, 0x5C)
	streamRegion(c, &r.RegionOffset, &r.RegionSize, &r.LockFlags)
}

// RopUnlockRegionStream response — [MS-OXCROPS] 2.2.9.11.2.
type UnlockRegionStreamResponse struct {
	ResponseHeader
}

func (r *UnlockRegionStreamResponse) Codec(c *wire.Codec, ctx *Ctx) {
	r.ResponseHeader.Codec(c, 0x5C, "InputHandleIndex")
}

// ---- RopWriteAndCommitStream (0x90) ----

// RopWriteAndCommitStream request — [MS-OXCROPS] 2.2.9.12.1.
type WriteAndCommitStreamRequest struct {
	RequestHeader
	Data []byte
}

func (r *WriteAndCommitStreamRequest) Codec(c *wire.Codec, ctx *Ctx) {
	r.RequestHeader.Codec(c, 0x90)
	streamData(c, &r.Data)
}

// RopWriteAndCommitStream response — [MS-OXCROPS] 2.2.9.12.2: WrittenSize,
// present whatever the ReturnValue, as in RopWriteStream.
type WriteAndCommitStreamResponse struct {
	ResponseHeader
	WrittenSize uint16
}

func (r *WriteAndCommitStreamResponse) Codec(c *wire.Codec, ctx *Ctx) {
	r.ResponseHeader.Codec(c, 0x90, "InputHandleIndex")
	c.U16(&r.WrittenSize, "WrittenSize")
}

// ---- RopCloneStream (0x3B) ----

// RopCloneStream request — [MS-OXCROPS] 2.2.9.13.1.
type CloneStreamRequest struct {
	RequestHeader
	OutputHandleIndex uint8
}

func (r *CloneStreamRequest) Codec(c *wire.Codec, ctx *Ctx) {
	r.RequestHeader.Codec(c, 0x3B)
	OutputHandle(c, ctx, &r.OutputHandleIndex)
}

// RopCloneStream response — [MS-OXCROPS] 2.2.9.13.2.
type CloneStreamResponse struct {
	ResponseHeader
}

func (r *CloneStreamResponse) Codec(c *wire.Codec, ctx *Ctx) {
	r.ResponseHeader.Codec(c, 0x3B, "OutputHandleIndex")
}

func init() {
	register(Info{ID: 0x2B, Section: "2.2.9.1",
		Request:  func() Request { return &OpenStreamRequest{} },
		Response: func() Response { return &OpenStreamResponse{} }})
	register(Info{ID: 0x2C, Section: "2.2.9.2",
		Request:  func() Request { return &ReadStreamRequest{} },
		Response: func() Response { return &ReadStreamResponse{} }})
	register(Info{ID: 0x2D, Section: "2.2.9.3",
		Request:  func() Request { return &WriteStreamRequest{} },
		Response: func() Response { return &WriteStreamResponse{} }})
	register(Info{ID: 0xA3, Section: "2.2.9.4",
		Request:  func() Request { return &WriteStreamExtendedRequest{} },
		Response: func() Response { return &WriteStreamExtendedResponse{} }})
	register(Info{ID: 0x5D, Section: "2.2.9.5",
		Request:  func() Request { return &CommitStreamRequest{} },
		Response: func() Response { return &CommitStreamResponse{} }})
	register(Info{ID: 0x5E, Section: "2.2.9.6",
		Request:  func() Request { return &GetStreamSizeRequest{} },
		Response: func() Response { return &GetStreamSizeResponse{} }})
	register(Info{ID: 0x2F, Section: "2.2.9.7",
		Request:  func() Request { return &SetStreamSizeRequest{} },
		Response: func() Response { return &SetStreamSizeResponse{} }})
	register(Info{ID: 0x2E, Section: "2.2.9.8",
		Request:  func() Request { return &SeekStreamRequest{} },
		Response: func() Response { return &SeekStreamResponse{} }})
	register(Info{ID: 0x3A, Section: "2.2.9.9",
		Request:  func() Request { return &CopyToStreamRequest{} },
		Response: func() Response { return &CopyToStreamResponse{} }})
	register(Info{ID: 0x5B, Section: "2.2.9.10",
		Request:  func() Request { return &LockRegionStreamRequest{} },
		Response: func() Response { return &LockRegionStreamResponse{} }})
	register(Info{ID: 0x5C, Section: "2.2.9.11",
		Request:  func() Request { return &UnlockRegionStreamRequest{} },
		Response: func() Response { return &UnlockRegionStreamResponse{} }})
	register(Info{ID: 0x90, Section: "2.2.9.12",
		Request:  func() Request { return &WriteAndCommitStreamRequest{} },
		Response: func() Response { return &WriteAndCommitStreamResponse{} }})
	register(Info{ID: 0x3B, Section: "2.2.9.13",
		Request:  func() Request { return &CloneStreamRequest{} },
		Response: func() Response { return &CloneStreamResponse{} }})
}

package rop

import (
	"github.com/mapiscope/mapiscope/decode/prop"
	"github.com/mapiscope/mapiscope/decode/wire"
)

// The transport ROPs of [MS-OXCROPS] 2.2.7, whose semantics [MS-OXOMSG]
// defines.

// SubmitFlags of the RopSubmitMessage request — [MS-OXOMSG] (RopSubmitMessage).
var submitFlagsSym = wire.Flags(
	wire.Flag{Mask: 0x00, Name: "None"},
	wire.Flag{Mask: 0x01, Name: "PreProcess"},
	wire.Flag{Mask: 0x02, Name: "NeedsSpooler"},
)

// LockState of the RopSpoolerLockMessage request — [MS-OXOMSG] 2.2.5.3.
var lockStateSym = wire.Enum(
	wire.Flag{Mask: 0x00, Name: "lstLock"},
	wire.Flag{Mask: 0x01, Name: "lstUnlock"},
	wire.Flag{Mask: 0x02, Name: "lstFinished"},
)

// MessageFlags of RopTransportNewMail: the PidTagMessageFlags bits of
// [MS-OXCMSG] 2.2.1.6.
var transportMessageFlagsSym = wire.Flags(
	wire.Flag{Mask: 0x00000001, Name: "mfRead"},
	wire.Flag{Mask: 0x00000002, Name: "mfUnmodified"},
	wire.Flag{Mask: 0x00000004, Name: "mfSubmitted"},
	wire.Flag{Mask: 0x00000008, Name: "mfUnsent"},
	wire.Flag{Mask: 0x00000010, Name: "mfHasAttach"},
	wire.Flag{Mask: 0x00000020, Name: "mfFromMe"},
	wire.Flag{Mask: 0x00000040, Name: "mfFAI"},
	wire.Flag{Mask: 0x00000080, Name: "mfResend"},
	wire.Flag{Mask: 0x00000100, Name: "mfNotifyRead"},
	wire.Flag{Mask: 0x00000200, Name: "mfNotifyUnread"},
	wire.Flag{Mask: 0x00000400, Name: "mfEverRead"},
	wire.Flag{Mask: 0x00002000, Name: "mfInternet"},
	wire.Flag{Mask: 0x00008000, Name: "mfUntrusted"},
)

// transportBoolSym names an 8-bit Boolean where any nonzero value is TRUE.
func transportBoolSym(v uint64) string {
	if v == 0 {
		return "FALSE"
	}
	return "TRUE"
}

// RopSubmitMessage request — [MS-OXCROPS] 2.2.7.1.1.
type SubmitMessageRequest struct {
	RequestHeader
	SubmitFlags uint8
}

func (r *SubmitMessageRequest) Codec(c *wire.Codec, ctx *Ctx) {
	r.RequestHeader.Codec(c, 0x32)
	c.U8(&r.SubmitFlags, "SubmitFlags")
	c.Hex().Named(submitFlagsSym)
}

// RopSubmitMessage response — [MS-OXCROPS] 2.2.7.1.2.
type SubmitMessageResponse struct {
	ResponseHeader
}

func (r *SubmitMessageResponse) Codec(c *wire.Codec, ctx *Ctx) {
	r.ResponseHeader.Codec(c, 0x32, "InputHandleIndex")
}

// RopAbortSubmit request — [MS-OXCROPS] 2.2.7.2.1.
type AbortSubmitRequest struct {
	RequestHeader
	FolderId  prop.ID
	MessageId prop.ID
}

func (r *AbortSubmitRequest) Codec(c *wire.Codec, ctx *Ctx) {
	r.RequestHeader.Codec(c, 0x34)
	prop.CodecID(c, &r.FolderId, "FolderId")
	prop.CodecID(c, &r.MessageId, "MessageId")
}

// RopAbortSubmit response — [MS-OXCROPS] 2.2.7.2.2.
type AbortSubmitResponse struct {
	ResponseHeader
}

func (r *AbortSubmitResponse) Codec(c *wire.Codec, ctx *Ctx) {
	r.ResponseHeader.Codec(c, 0x34, "InputHandleIndex")
}

// RopGetAddressTypes request — [MS-OXCROPS] 2.2.7.3.1.
type GetAddressTypesRequest struct {
	RequestHeader
}

func (r *GetAddressTypesRequest) Codec(c *wire.Codec, ctx *Ctx) {
	r.RequestHeader.Codec(c, 0x49)
}

// RopGetAddressTypes response — [MS-OXCROPS] 2.2.7.3.2. AddressTypeSize is
// the byte length of AddressTypes, the NUL-terminated 8-bit strings.
type GetAddressTypesResponse struct {
	ResponseHeader
	AddressTypes []string
}

func (r *GetAddressTypesResponse) Codec(c *wire.Codec, ctx *Ctx) {
	r.ResponseHeader.Codec(c, 0x49, "InputHandleIndex")
	if r.ReturnValue != 0 {
		return
	}
	n := c.Count16(len(r.AddressTypes), 1, "AddressTypeCount")
	wire.Make(c, &r.AddressTypes, n)
	c.Sized(2, "AddressTypeSize", func() {
		c.BeginArray("AddressTypes")
		for i := range r.AddressTypes {
			c.String8Z(&r.AddressTypes[i], "")
		}
		c.End()
	})
}

// RopSetSpooler request — [MS-OXCROPS] 2.2.7.4.1.
type SetSpoolerRequest struct {
	RequestHeader
}

func (r *SetSpoolerRequest) Codec(c *wire.Codec, ctx *Ctx) {
	r.RequestHeader.Codec(c, 0x47)
}

// RopSetSpooler response — [MS-OXCROPS] 2.2.7.4.2.
type SetSpoolerResponse struct {
	ResponseHeader
}

func (r *SetSpoolerResponse) Codec(c *wire.Codec, ctx *Ctx) {
	r.ResponseHeader.Codec(c, 0x47, "InputHandleIndex")
}

// RopSpoolerLockMessage request — [MS-OXCROPS] 2.2.7.5.1.
type SpoolerLockMessageRequest struct {
	RequestHeader
	MessageId prop.ID
	LockState uint8
}

func (r *SpoolerLockMessageRequest) Codec(c *wire.Codec, ctx *Ctx) {
	r.RequestHeader.Codec(c, 0x48)
	prop.CodecID(c, &r.MessageId, "MessageId")
	c.U8(&r.LockState, "LockState")
	c.Hex().Named(lockStateSym)
}

// RopSpoolerLockMessage response — [MS-OXCROPS] 2.2.7.5.2.
type SpoolerLockMessageResponse struct {
	ResponseHeader
}

func (r *SpoolerLockMessageResponse) Codec(c *wire.Codec, ctx *Ctx) {
	r.ResponseHeader.Codec(c, 0x48, "InputHandleIndex")
}

// RopTransportSend request — [MS-OXCROPS] 2.2.7.6.1.
type TransportSendRequest struct {
	RequestHeader
}

func (r *TransportSendRequest) Codec(c *wire.Codec, ctx *Ctx) {
	r.RequestHeader.Codec(c, 0x4A)
}

// RopTransportSend response — [MS-OXCROPS] 2.2.7.6.2. PropertyValueCount
// (marked optional) and PropertyValues follow only when
// NoPropertiesReturned is FALSE.
type TransportSendResponse struct {
	ResponseHeader
	NoPropertiesReturned bool
	PropertyValues       []prop.TaggedValue
}

func (r *TransportSendResponse) Codec(c *wire.Codec, ctx *Ctx) {
	r.ResponseHeader.Codec(c, 0x4A, "InputHandleIndex")
	if r.ReturnValue != 0 {
		return
	}
	if c.Encoding() && r.NoPropertiesReturned && len(r.PropertyValues) > 0 {
		c.EncodeError("RopTransportSend response: %d PropertyValues with NoPropertiesReturned set", len(r.PropertyValues))
		return
	}
	c.Bool8(&r.NoPropertiesReturned, "NoPropertiesReturned")
	if r.NoPropertiesReturned {
		return
	}
	prop.CodecTaggedList(c, &r.PropertyValues, "PropertyValueCount", "PropertyValues", 2, prop.ROP)
}

// RopTransportNewMail request — [MS-OXCROPS] 2.2.7.7.1.
type TransportNewMailRequest struct {
	RequestHeader
	MessageId    prop.ID
	FolderId     prop.ID
	MessageClass string
	MessageFlags uint32
}

func (r *TransportNewMailRequest) Codec(c *wire.Codec, ctx *Ctx) {
	r.RequestHeader.Codec(c, 0x51)
	prop.CodecID(c, &r.MessageId, "MessageId")
	prop.CodecID(c, &r.FolderId, "FolderId")
	c.String8Z(&r.MessageClass, "MessageClass")
	c.U32(&r.MessageFlags, "MessageFlags")
	c.Hex().Named(transportMessageFlagsSym)
}

// RopTransportNewMail response — [MS-OXCROPS] 2.2.7.7.2.
type TransportNewMailResponse struct {
	ResponseHeader
}

func (r *TransportNewMailResponse) Codec(c *wire.Codec, ctx *Ctx) {
	r.ResponseHeader.Codec(c, 0x51, "InputHandleIndex")
}

// RopGetTransportFolder request — [MS-OXCROPS] 2.2.7.8.1.
type GetTransportFolderRequest struct {
	RequestHeader
}

func (r *GetTransportFolderRequest) Codec(c *wire.Codec, ctx *Ctx) {
	r.RequestHeader.Codec(c, 0x6D)
}

// RopGetTransportFolder response — [MS-OXCROPS] 2.2.7.8.2.
type GetTransportFolderResponse struct {
	ResponseHeader
	FolderId prop.ID
}

func (r *GetTransportFolderResponse) Codec(c *wire.Codec, ctx *Ctx) {
	r.ResponseHeader.Codec(c, 0x6D, "InputHandleIndex")
	if r.ReturnValue != 0 {
		return
	}
	prop.CodecID(c, &r.FolderId, "FolderId")
}

// RopOptionsData request — [MS-OXCROPS] 2.2.7.9.1. WantWin32 is kept as
// its byte: [MS-OXOMSG] 2.2.4.4.1 allows any nonzero value for TRUE.
type OptionsDataRequest struct {
	RequestHeader
	AddressType string
	WantWin32   uint8
}

func (r *OptionsDataRequest) Codec(c *wire.Codec, ctx *Ctx) {
	r.RequestHeader.Codec(c, 0x6F)
	c.String8Z(&r.AddressType, "AddressType")
	c.U8(&r.WantWin32, "WantWin32")
	c.Hex().Named(transportBoolSym)
}

// RopOptionsData response — [MS-OXCROPS] 2.2.7.9.2. HelpFileName follows
// only when HelpFileSize is nonzero.
type OptionsDataResponse struct {
	ResponseHeader
	Reserved     uint8 // MUST be 0x01
	OptionsInfo  []byte
	HelpFile     []byte
	HelpFileName string
}

func (r *OptionsDataResponse) Codec(c *wire.Codec, ctx *Ctx) {
	r.ResponseHeader.Codec(c, 0x6F, "InputHandleIndex")
	if r.ReturnValue != 0 {
		return
	}
	c.U8(&r.Reserved, "Reserved")
	c.Hex()
	if c.Decoding() && !c.Failed() && r.Reserved != 0x01 {
		c.NoteAt(c.Pos()-1, "RopOptionsData response: Reserved is 0x%02X, not 0x01", r.Reserved)
	}
	n := c.Count16(len(r.OptionsInfo), 1, "OptionsInfoSize")
	c.Fixed(&r.OptionsInfo, n, "OptionsInfo")
	n = c.Count16(len(r.HelpFile), 1, "HelpFileSize")
	c.Fixed(&r.HelpFile, n, "HelpFile")
	if n > 0 {
		c.String8Z(&r.HelpFileName, "HelpFileName")
	} else if c.Encoding() && r.HelpFileName != "" {
		c.EncodeError("RopOptionsData response: HelpFileName without a HelpFile is not encoded")
	}
}

func init() {
	register(Info{ID: 0x32, Section: "2.2.7.1",
		Request:  func() Request { return &SubmitMessageRequest{} },
		Response: func() Response { return &SubmitMessageResponse{} }})
	register(Info{ID: 0x34, Section: "2.2.7.2",
		Request:  func() Request { return &AbortSubmitRequest{} },
		Response: func() Response { return &AbortSubmitResponse{} }})
	register(Info{ID: 0x49, Section: "2.2.7.3",
		Request:  func() Request { return &GetAddressTypesRequest{} },
		Response: func() Response { return &GetAddressTypesResponse{} }})
	register(Info{ID: 0x47, Section: "2.2.7.4",
		Request:  func() Request { return &SetSpoolerRequest{} },
		Response: func() Response { return &SetSpoolerResponse{} }})
	register(Info{ID: 0x48, Section: "2.2.7.5",
		Request:  func() Request { return &SpoolerLockMessageRequest{} },
		Response: func() Response { return &SpoolerLockMessageResponse{} }})
	register(Info{ID: 0x4A, Section: "2.2.7.6",
		Request:  func() Request { return &TransportSendRequest{} },
		Response: func() Response { return &TransportSendResponse{} }})
	register(Info{ID: 0x51, Section: "2.2.7.7",
		Request:  func() Request { return &TransportNewMailRequest{} },
		Response: func() Response { return &TransportNewMailResponse{} }})
	register(Info{ID: 0x6D, Section: "2.2.7.8",
		Request:  func() Request { return &GetTransportFolderRequest{} },
		Response: func() Response { return &GetTransportFolderResponse{} }})
	register(Info{ID: 0x6F, Section: "2.2.7.9",
		Request:  func() Request { return &OptionsDataRequest{} },
		Response: func() Response { return &OptionsDataResponse{} }})
}

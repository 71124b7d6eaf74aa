package rop

import (
	"github.com/mapiscope/mapiscope/decode/prop"
	"github.com/mapiscope/mapiscope/decode/wire"
)

// Folder ROPs — [MS-OXCROPS] 2.2.4, semantics in [MS-OXCFOLD] 2.2.1.

// foldDstNullObject is ecDstNullObject, the ReturnValue of the "null
// destination failure" responses of the move/copy ROPs, which carry
// DestHandleIndex — [MS-OXCROPS] 2.2.4.6.3, 2.2.4.7.3, 2.2.4.8.3.
const foldDstNullObject prop.ErrorCode = 0x00000503

// OpenModeFlags of RopOpenFolder — [MS-OXCFOLD] 2.2.1.1.1.
var openFolderModeSym = wire.Flags(
	wire.Flag{Mask: 0x04, Name: "OpenSoftDeleted"},
)

// FolderType of RopCreateFolder — [MS-OXCFOLD] 2.2.1.2.1.
var folderTypeSym = wire.Enum(
	wire.Flag{Mask: 0x01, Name: "Generic"},
	wire.Flag{Mask: 0x02, Name: "Search"},
)

// DeleteFolderFlags — [MS-OXCFOLD] 2.2.1.3.1.
var deleteFolderFlagsSym = wire.Flags(
	wire.Flag{Mask: 0x01, Name: "DEL_MESSAGES"},
	wire.Flag{Mask: 0x04, Name: "DEL_FOLDERS"},
	wire.Flag{Mask: 0x10, Name: "DELETE_HARD_DELETE"},
)

// SearchFlags of RopSetSearchCriteria — [MS-OXCFOLD] 2.2.1.4.1.
var searchRequestFlagsSym = wire.Flags(
	wire.Flag{Mask: 0x00000001, Name: "STOP_SEARCH"},
	wire.Flag{Mask: 0x00000002, Name: "RESTART_SEARCH"},
	wire.Flag{Mask: 0x00000004, Name: "RECURSIVE_SEARCH"},
	wire.Flag{Mask: 0x00000008, Name: "SHALLOW_SEARCH"},
	wire.Flag{Mask: 0x00010000, Name: "CONTENT_INDEXED_SEARCH"},
	wire.Flag{Mask: 0x00020000, Name: "NON_CONTENT_INDEXED_SEARCH"},
	wire.Flag{Mask: 0x00040000, Name: "STATIC_SEARCH"},
)

// SearchFlags of the RopGetSearchCriteria response — [MS-OXCFOLD] 2.2.1.5.2.
var searchResponseFlagsSym = wire.Flags(
	wire.Flag{Mask: 0x00000001, Name: "SEARCH_RUNNING"},
	wire.Flag{Mask: 0x00000002, Name: "SEARCH_REBUILD"},
	wire.Flag{Mask: 0x00000004, Name: "SEARCH_RECURSIVE"},
	wire.Flag{Mask: 0x00001000, Name: "SEARCH_COMPLETE"},
	wire.Flag{Mask: 0x00002000, Name: "SEARCH_PARTIAL"},
	wire.Flag{Mask: 0x00010000, Name: "SEARCH_STATIC"},
	wire.Flag{Mask: 0x00020000, Name: "SEARCH_MAYBE_STATIC"},
	wire.Flag{Mask: 0x01000000, Name: "CI_TOTALLY"},
	wire.Flag{Mask: 0x08000000, Name: "TWIR_TOTALLY"},
)

// TableFlags of RopGetHierarchyTable — [MS-OXCFOLD] 2.2.1.13.1.
var hierarchyTableFlagsSym = wire.Flags(
	wire.Flag{Mask: 0x04, Name: "Depth"},
	wire.Flag{Mask: 0x08, Name: "DeferredErrors"},
	wire.Flag{Mask: 0x10, Name: "NoNotifications"},
	wire.Flag{Mask: 0x20, Name: "SoftDeletes"},
	wire.Flag{Mask: 0x40, Name: "UseUnicode"},
	wire.Flag{Mask: 0x80, Name: "SuppressesNotifications"},
)

// TableFlags of RopGetContentsTable — [MS-OXCFOLD] 2.2.1.14.1.
var contentsTableFlagsSym = wire.Flags(
	wire.Flag{Mask: 0x02, Name: "Associated"},
	wire.Flag{Mask: 0x08, Name: "DeferredErrors"},
	wire.Flag{Mask: 0x10, Name: "NoNotifications"},
	wire.Flag{Mask: 0x20, Name: "SoftDeletes"},
	wire.Flag{Mask: 0x40, Name: "UseUnicode"},
	wire.Flag{Mask: 0x80, Name: "ConversationMembers"},
)

// ---- shared pieces ----

// foldSourceDest reads or writes the start of the move/copy requests:
// RopId, LogonId, SourceHandleIndex, DestHandleIndex. SourceHandleIndex is
// kept in the header's InputHandleIndex (it is the ROP's input object).
func foldSourceDest(c *wire.Codec, h *RequestHeader, id uint8, dest *uint8) {
	codecRopID(c, &h.RopId, id)
	c.U8(&h.LogonId, "LogonId")
	c.U8(&h.InputHandleIndex, "SourceHandleIndex")
	c.U8(dest, "DestHandleIndex")
}

// foldResponseInput reads or writes RopId, LogonId, ResponseHandleIndex,
// InputHandleIndex — the start of RopSaveChangesMessage,
// RopSetMessageReadFlag and RopSaveChangesAttachment requests.
func foldResponseInput(c *wire.Codec, h *RequestHeader, id uint8, resp *uint8) {
	codecRopID(c, &h.RopId, id)
	c.U8(&h.LogonId, "LogonId")
	c.U8(resp, "ResponseHandleIndex")
	c.U8(&h.InputHandleIndex, "InputHandleIndex")
}

// foldString reads or writes a NUL-terminated string that is UTF-16
// when unicode is set and 8-bit otherwise (folder names and comments).
func foldString(c *wire.Codec, unicode bool, p *string, name string) {
	if unicode {
		c.UnicodeZ(p, name)
	} else {
		c.String8Z(p, name)
	}
}

// foldNullDest reads or writes the tail of a move/copy response: the
// 4-byte DestHandleIndex of the null destination failure response
// (ReturnValue ecDstNullObject), then PartialCompletion, which every other
// ReturnValue carries too.
func foldNullDest(c *wire.Codec, rv prop.ErrorCode, dest *uint32, partial *bool) {
	if rv == foldDstNullObject {
		c.U32(dest, "DestHandleIndex")
	}
	c.Bool8(partial, "PartialCompletion")
}

// ---- RopOpenFolder 0x02 ----

// RopOpenFolder request — [MS-OXCROPS] 2.2.4.1.1.
type OpenFolderRequest struct {
	RequestHeader
	OutputHandleIndex uint8
	FolderId          prop.ID
	OpenModeFlags     uint8
}

func (r *OpenFolderRequest) Codec(c *wire.Codec, ctx *Ctx) {
	r.RequestHeader.Codec(c, 0x02)
	OutputHandle(c, ctx, &r.OutputHandleIndex)
	prop.CodecID(c, &r.FolderId, "FolderId")
	c.U8(&r.OpenModeFlags, "OpenModeFlags")
	c.Hex().Named(openFolderModeSym)
}

// RopOpenFolder response — [MS-OXCROPS] 2.2.4.1.2 (success), 2.2.4.1.3
// (failure: header only).
type OpenFolderResponse struct {
	ResponseHeader
	HasRules         bool
	IsGhosted        bool
	CheapServerCount uint16
	Servers          []string // present when IsGhosted
}

func (r *OpenFolderResponse) Codec(c *wire.Codec, ctx *Ctx) {
	r.ResponseHeader.Codec(c, 0x02, "OutputHandleIndex")
	if r.ReturnValue != 0 {
		return
	}
	c.Bool8(&r.HasRules, "HasRules")
	c.Bool8(&r.IsGhosted, "IsGhosted")
	if r.IsGhosted {
		CodecServers(c, &r.Servers, &r.CheapServerCount)
	}
}

// CodecServers reads or writes ServerCount, CheapServerCount and Servers
// (NUL-terminated 8-bit strings), as in the ghosted-folder responses.
func CodecServers(c *wire.Codec, servers *[]string, cheap *uint16) {
	n := c.Count16(len(*servers), 1, "ServerCount")
	c.U16(cheap, "CheapServerCount")
	if c.Decoding() && !c.Failed() && int(*cheap) > n {
		c.NoteAt(c.Pos()-2, "CheapServerCount %d exceeds ServerCount %d", *cheap, n)
	}
	wire.Make(c, servers, n)
	c.BeginArray("Servers")
	for i := range *servers {
		c.String8Z(&(*servers)[i], "")
	}
	c.End()
}

// ---- RopCreateFolder 0x1C ----

// RopCreateFolder request — [MS-OXCROPS] 2.2.4.2.1. DisplayName and Comment
// are UTF-16 when UseUnicodeStrings is set, 8-bit otherwise.
type CreateFolderRequest struct {
	RequestHeader
	OutputHandleIndex uint8
	FolderType        uint8
	UseUnicodeStrings bool
	OpenExisting      bool
	Reserved          uint8
	DisplayName       string
	Comment           string
}

func (r *CreateFolderRequest) Codec(c *wire.Codec, ctx *Ctx) {
	r.RequestHeader.Codec(c, 0x1C)
	OutputHandle(c, ctx, &r.OutputHandleIndex)
	c.U8(&r.FolderType, "FolderType")
	c.Hex().Named(folderTypeSym)
	c.Bool8(&r.UseUnicodeStrings, "UseUnicodeStrings")
	c.Bool8(&r.OpenExisting, "OpenExisting")
	c.U8(&r.Reserved, "Reserved")
	foldString(c, r.UseUnicodeStrings, &r.DisplayName, "DisplayName")
	foldString(c, r.UseUnicodeStrings, &r.Comment, "Comment")
}

// RopCreateFolder response — [MS-OXCROPS] 2.2.4.2.2 (success), 2.2.4.2.3
// (failure: header only). HasRules and IsGhosted follow only when
// IsExistingFolder is set; the server list only when IsGhosted is set.
type CreateFolderResponse struct {
	ResponseHeader
	FolderId         prop.ID
	IsExistingFolder bool
	HasRules         bool
	IsGhosted        bool
	CheapServerCount uint16
	Servers          []string
}

func (r *CreateFolderResponse) Codec(c *wire.Codec, ctx *Ctx) {
	r.ResponseHeader.Codec(c, 0x1C, "OutputHandleIndex")
	if r.ReturnValue != 0 {
		return
	}
	prop.CodecID(c, &r.FolderId, "FolderId")
	c.Bool8(&r.IsExistingFolder, "IsExistingFolder")
	if !r.IsExistingFolder {
		return
	}
	c.Bool8(&r.HasRules, "HasRules")
	c.Bool8(&r.IsGhosted, "IsGhosted")
	if r.IsGhosted {
		CodecServers(c, &r.Servers, &r.CheapServerCount)
	}
}

// ---- RopDeleteFolder 0x1D ----

// RopDeleteFolder request — [MS-OXCROPS] 2.2.4.3.1.
type DeleteFolderRequest struct {
	RequestHeader
	DeleteFolderFlags uint8
	FolderId          prop.ID
}

func (r *DeleteFolderRequest) Codec(c *wire.Codec, ctx *Ctx) {
	r.RequestHeader.Codec(c, 0x1D)
	c.U8(&r.DeleteFolderFlags, "DeleteFolderFlags")
	c.Hex().Named(deleteFolderFlagsSym)
	prop.CodecID(c, &r.FolderId, "FolderId")
}

// foldPartial reads or writes the single response buffer of the ROPs whose
// response is the header then PartialCompletion, whatever the ReturnValue
// (the specification gives them no separate failure buffer):
// RopDeleteFolder ([MS-OXCROPS] 2.2.4.3.2), RopEmptyFolder (2.2.4.9.2),
// RopHardDeleteMessagesAndSubfolders (2.2.4.10.2), RopDeleteMessages
// (2.2.4.11.2), RopHardDeleteMessages (2.2.4.12.2), RopSetReadFlags
// (2.2.6.10.2).
func foldPartial(c *wire.Codec, h *ResponseHeader, id uint8, partial *bool) {
	h.Codec(c, id, "InputHandleIndex")
	c.Bool8(partial, "PartialCompletion")
}

// RopDeleteFolder response — [MS-OXCROPS] 2.2.4.3.2.
type DeleteFolderResponse struct {
	ResponseHeader
	PartialCompletion bool
}

func (r *DeleteFolderResponse) Codec(c *wire.Codec, ctx *Ctx) {
	foldPartial(c, &r.ResponseHeader, 0x1D, &r.PartialCompletion)
}

// ---- RopSetSearchCriteria 0x30 ----

// RopSetSearchCriteria request — [MS-OXCROPS] 2.2.4.4.1. RestrictionData is
// nil when RestrictionDataSize is 0 (reuse the previous criteria).
type SetSearchCriteriaRequest struct {
	RequestHeader
	RestrictionData *prop.Restriction
	FolderIds       []prop.ID
	SearchFlags     uint32
}

func (r *SetSearchCriteriaRequest) Codec(c *wire.Codec, ctx *Ctx) {
	r.RequestHeader.Codec(c, 0x30)
	codecRestrictionData(c, &r.RestrictionData)
	prop.CodecIDs(c, &r.FolderIds, "FolderIdCount", "FolderIds", 2)
	c.U32(&r.SearchFlags, "SearchFlags")
	c.Hex().Named(searchRequestFlagsSym)
}

// RopSetSearchCriteria response — [MS-OXCROPS] 2.2.4.4.2.
type SetSearchCriteriaResponse struct {
	ResponseHeader
}

func (r *SetSearchCriteriaResponse) Codec(c *wire.Codec, ctx *Ctx) {
	r.ResponseHeader.Codec(c, 0x30, "InputHandleIndex")
}

// ---- RopGetSearchCriteria 0x31 ----

// RopGetSearchCriteria request — [MS-OXCROPS] 2.2.4.5.1.
type GetSearchCriteriaRequest struct {
	RequestHeader
	UseUnicode         bool
	IncludeRestriction bool
	IncludeFolders     bool
}

func (r *GetSearchCriteriaRequest) Codec(c *wire.Codec, ctx *Ctx) {
	r.RequestHeader.Codec(c, 0x31)
	c.Bool8(&r.UseUnicode, "UseUnicode")
	c.Bool8(&r.IncludeRestriction, "IncludeRestriction")
	c.Bool8(&r.IncludeFolders, "IncludeFolders")
}

// RopGetSearchCriteria response — [MS-OXCROPS] 2.2.4.5.2 (success),
// 2.2.4.5.3 (failure: header only). LogonId echoes the request's.
type GetSearchCriteriaResponse struct {
	ResponseHeader
	RestrictionData *prop.Restriction
	LogonId         uint8
	FolderIds       []prop.ID
	SearchFlags     uint32
}

func (r *GetSearchCriteriaResponse) Codec(c *wire.Codec, ctx *Ctx) {
	r.ResponseHeader.Codec(c, 0x31, "InputHandleIndex")
	if r.ReturnValue != 0 {
		return
	}
	codecRestrictionData(c, &r.RestrictionData)
	c.U8(&r.LogonId, "LogonId")
	prop.CodecIDs(c, &r.FolderIds, "FolderIdCount", "FolderIds", 2)
	c.U32(&r.SearchFlags, "SearchFlags")
	c.Hex().Named(searchResponseFlagsSym)
}

// ---- RopMoveCopyMessages 0x33 ----

// RopMoveCopyMessages request — [MS-OXCROPS] 2.2.4.6.1. The header's
// InputHandleIndex holds SourceHandleIndex.
type MoveCopyMessagesRequest struct {
	RequestHeader
	DestHandleIndex  uint8
	MessageIds       []prop.ID
	WantAsynchronous bool
	WantCopy         bool
}

func (r *MoveCopyMessagesRequest) Codec(c *wire.Codec, ctx *Ctx) {
	foldSourceDest(c, &r.RequestHeader, 0x33, &r.DestHandleIndex)
	prop.CodecIDs(c, &r.MessageIds, "MessageIdCount", "MessageIds", 2)
	c.Bool8(&r.WantAsynchronous, "WantAsynchronous")
	c.Bool8(&r.WantCopy, "WantCopy")
}

// foldMoveCopy reads or writes the response shared by RopMoveCopyMessages,
// RopMoveFolder and RopCopyFolder: SourceHandleIndex, ReturnValue, then
// DestHandleIndex (4 bytes) only when ReturnValue is ecDstNullObject
// (0x00000503), then PartialCompletion for every ReturnValue.
func foldMoveCopy(c *wire.Codec, h *ResponseHeader, id uint8, dest *uint32, partial *bool) {
	h.Codec(c, id, "SourceHandleIndex")
	foldNullDest(c, h.ReturnValue, dest, partial)
}

// RopMoveCopyMessages response — [MS-OXCROPS] 2.2.4.6.2, and the null
// destination failure response 2.2.4.6.3.
type MoveCopyMessagesResponse struct {
	ResponseHeader
	DestHandleIndex   uint32 // null destination failure only
	PartialCompletion bool
}

func (r *MoveCopyMessagesResponse) Codec(c *wire.Codec, ctx *Ctx) {
	foldMoveCopy(c, &r.ResponseHeader, 0x33, &r.DestHandleIndex, &r.PartialCompletion)
}

// ---- RopMoveFolder 0x35 ----

// RopMoveFolder request — [MS-OXCROPS] 2.2.4.7.1. NewFolderName is UTF-16
// when UseUnicode is set. The header's InputHandleIndex holds
// SourceHandleIndex.
type MoveFolderRequest struct {
	RequestHeader
	DestHandleIndex  uint8
	WantAsynchronous bool
	UseUnicode       bool
	FolderId         prop.ID
	NewFolderName    string
}

func (r *MoveFolderRequest) Codec(c *wire.Codec, ctx *Ctx) {
	foldSourceDest(c, &r.RequestHeader, 0x35, &r.DestHandleIndex)
	c.Bool8(&r.WantAsynchronous, "WantAsynchronous")
	c.Bool8(&r.UseUnicode, "UseUnicode")
	prop.CodecID(c, &r.FolderId, "FolderId")
	foldString(c, r.UseUnicode, &r.NewFolderName, "NewFolderName")
}

// RopMoveFolder response — [MS-OXCROPS] 2.2.4.7.2, and the null
// destination failure response 2.2.4.7.3.
type MoveFolderResponse struct {
	ResponseHeader
	DestHandleIndex   uint32 // null destination failure only
	PartialCompletion bool
}

func (r *MoveFolderResponse) Codec(c *wire.Codec, ctx *Ctx) {
	foldMoveCopy(c, &r.ResponseHeader, 0x35, &r.DestHandleIndex, &r.PartialCompletion)
}

// ---- RopCopyFolder 0x36 ----

// RopCopyFolder request — [MS-OXCROPS] 2.2.4.8.1. The header's
// InputHandleIndex holds SourceHandleIndex.
type CopyFolderRequest struct {
	RequestHeader
	DestHandleIndex  uint8
	WantAsynchronous bool
	WantRecursive    bool
	UseUnicode       bool
	FolderId         prop.ID
	NewFolderName    string
}

func (r *CopyFolderRequest) Codec(c *wire.Codec, ctx *Ctx) {
	foldSourceDest(c, &r.RequestHeader, 0x36, &r.DestHandleIndex)
	c.Bool8(&r.WantAsynchronous, "WantAsynchronous")
	c.Bool8(&r.WantRecursive, "WantRecursive")
	c.Bool8(&r.UseUnicode, "UseUnicode")
	prop.CodecID(c, &r.FolderId, "FolderId")
	foldString(c, r.UseUnicode, &r.NewFolderName, "NewFolderName")
}

// RopCopyFolder response — [MS-OXCROPS] 2.2.4.8.2, and the null
// destination failure response 2.2.4.8.3.
type CopyFolderResponse struct {
	ResponseHeader
	DestHandleIndex   uint32 // null destination failure only
	PartialCompletion bool
}

func (r *CopyFolderResponse) Codec(c *wire.Codec, ctx *Ctx) {
	foldMoveCopy(c, &r.ResponseHeader, 0x36, &r.DestHandleIndex, &r.PartialCompletion)
}

// ---- RopEmptyFolder 0x58, RopHardDeleteMessagesAndSubfolders 0x92 ----

// RopEmptyFolder request — [MS-OXCROPS] 2.2.4.9.1.
type EmptyFolderRequest struct {
	RequestHeader
	WantAsynchronous     bool
	WantDeleteAssociated bool
}

func (r *EmptyFolderRequest) Codec(c *wire.Codec, ctx *Ctx) {
	r.RequestHeader.Codec(c, 0x58)
	c.Bool8(&r.WantAsynchronous, "WantAsynchronous")
	c.Bool8(&r.WantDeleteAssociated, "WantDeleteAssociated")
}

// RopEmptyFolder response — [MS-OXCROPS] 2.2.4.9.2.
type EmptyFolderResponse struct {
	ResponseHeader
	PartialCompletion bool
}

func (r *EmptyFolderResponse) Codec(c *wire.Codec, ctx *Ctx) {
	foldPartial(c, &r.ResponseHeader, 0x58, &r.PartialCompletion)
}

// RopHardDeleteMessagesAndSubfolders request — [MS-OXCROPS] 2.2.4.10.1.
type HardDeleteMessagesAndSubfoldersRequest struct {
	RequestHeader
	WantAsynchronous     bool
	WantDeleteAssociated bool
}

func (r *HardDeleteMessagesAndSubfoldersRequest) Codec(c *wire.Codec, ctx *Ctx) {
	r.RequestHeader.Codec(c, 0x92)
	c.Bool8(&r.WantAsynchronous, "WantAsynchronous")
	c.Bool8(&r.WantDeleteAssociated, "WantDeleteAssociated")
}

// RopHardDeleteMessagesAndSubfolders response — [MS-OXCROPS] 2.2.4.10.2.
type HardDeleteMessagesAndSubfoldersResponse struct {
	ResponseHeader
	PartialCompletion bool
}

func (r *HardDeleteMessagesAndSubfoldersResponse) Codec(c *wire.Codec, ctx *Ctx) {
	foldPartial(c, &r.ResponseHeader, 0x92, &r.PartialCompletion)
}

// ---- RopDeleteMessages 0x1E, RopHardDeleteMessages 0x91 ----

// RopDeleteMessages request — [MS-OXCROPS] 2.2.4.11.1.
type DeleteMessagesRequest struct {
	RequestHeader
	WantAsynchronous bool
	NotifyNonRead    bool
	MessageIds       []prop.ID
}

func (r *DeleteMessagesRequest) Codec(c *wire.Codec, ctx *Ctx) {
	r.RequestHeader.Codec(c, 0x1E)
	c.Bool8(&r.WantAsynchronous, "WantAsynchronous")
	c.Bool8(&r.NotifyNonRead, "NotifyNonRead")
	prop.CodecIDs(c, &r.MessageIds, "MessageIdCount", "MessageIds", 2)
}

// RopDeleteMessages response — [MS-OXCROPS] 2.2.4.11.2.
type DeleteMessagesResponse struct {
	ResponseHeader
	PartialCompletion bool
}

func (r *DeleteMessagesResponse) Codec(c *wire.Codec, ctx *Ctx) {
	foldPartial(c, &r.ResponseHeader, 0x1E, &r.PartialCompletion)
}

// RopHardDeleteMessages request — [MS-OXCROPS] 2.2.4.12.1.
type HardDeleteMessagesRequest struct {
	RequestHeader
	WantAsynchronous bool
	NotifyNonRead    bool
	MessageIds       []prop.ID
}

func (r *HardDeleteMessagesRequest) Codec(c *wire.Codec, ctx *Ctx) {
	r.RequestHeader.Codec(c, 0x91)
	c.Bool8(&r.WantAsynchronous, "WantAsynchronous")
	c.Bool8(&r.NotifyNonRead, "NotifyNonRead")
	prop.CodecIDs(c, &r.MessageIds, "MessageIdCount", "MessageIds", 2)
}

// RopHardDeleteMessages response — [MS-OXCROPS] 2.2.4.12.2.
type HardDeleteMessagesResponse struct {
	ResponseHeader
	PartialCompletion bool
}

func (r *HardDeleteMessagesResponse) Codec(c *wire.Codec, ctx *Ctx) {
	foldPartial(c, &r.ResponseHeader, 0x91, &r.PartialCompletion)
}

// ---- RopGetHierarchyTable 0x04, RopGetContentsTable 0x05 ----

// RopGetHierarchyTable request — [MS-OXCROPS] 2.2.4.13.1.
type GetHierarchyTableRequest struct {
	RequestHeader
	OutputHandleIndex uint8
	TableFlags        uint8
}

func (r *GetHierarchyTableRequest) Codec(c *wire.Codec, ctx *Ctx) {
	r.RequestHeader.Codec(c, 0x04)
	OutputHandle(c, ctx, &r.OutputHandleIndex)
	c.U8(&r.TableFlags, "TableFlags")
	c.Hex().Named(hierarchyTableFlagsSym)
}

// foldRowCount reads or writes the response of RopGetHierarchyTable and
// RopGetContentsTable: on success, RowCount (4 bytes).
func foldRowCount(c *wire.Codec, h *ResponseHeader, id uint8, rows *uint32) {
	h.Codec(c, id, "OutputHandleIndex")
	if h.ReturnValue != 0 {
		return
	}
	c.U32(rows, "RowCount")
}

// RopGetHierarchyTable response — [MS-OXCROPS] 2.2.4.13.2 (success),
// 2.2.4.13.3 (failure: header only).
type GetHierarchyTableResponse struct {
	ResponseHeader
	RowCount uint32
}

func (r *GetHierarchyTableResponse) Codec(c *wire.Codec, ctx *Ctx) {
	foldRowCount(c, &r.ResponseHeader, 0x04, &r.RowCount)
}

// RopGetContentsTable request — [MS-OXCROPS] 2.2.4.14.1.
type GetContentsTableRequest struct {
	RequestHeader
	OutputHandleIndex uint8
	TableFlags        uint8
}

func (r *GetContentsTableRequest) Codec(c *wire.Codec, ctx *Ctx) {
	r.RequestHeader.Codec(c, 0x05)
	OutputHandle(c, ctx, &r.OutputHandleIndex)
	c.U8(&r.TableFlags, "TableFlags")
	c.Hex().Named(contentsTableFlagsSym)
}

// RopGetContentsTable response — [MS-OXCROPS] 2.2.4.14.2 (success),
// 2.2.4.14.3 (failure: header only).
type GetContentsTableResponse struct {
	ResponseHeader
	RowCount uint32
}

func (r *GetContentsTableResponse) Codec(c *wire.Codec, ctx *Ctx) {
	foldRowCount(c, &r.ResponseHeader, 0x05, &r.RowCount)
}

func init() {
	register(Info{ID: 0x02, Section: "2.2.4.1",
		Request:  func() Request { return &OpenFolderRequest{} },
		Response: func() Response { return &OpenFolderResponse{} }})
	register(Info{ID: 0x1C, Section: "2.2.4.2",
		Request:  func() Request { return &CreateFolderRequest{} },
		Response: func() Response { return &CreateFolderResponse{} }})
	register(Info{ID: 0x1D, Section: "2.2.4.3",
		Request:  func() Request { return &DeleteFolderRequest{} },
		Response: func() Response { return &DeleteFolderResponse{} }})
	register(Info{ID: 0x30, Section: "2.2.4.4",
		Request:  func() Request { return &SetSearchCriteriaRequest{} },
		Response: func() Response { return &SetSearchCriteriaResponse{} }})
	register(Info{ID: 0x31, Section: "2.2.4.5",
		Request:  func() Request { return &GetSearchCriteriaRequest{} },
		Response: func() Response { return &GetSearchCriteriaResponse{} }})
	register(Info{ID: 0x33, Section: "2.2.4.6",
		Request:  func() Request { return &MoveCopyMessagesRequest{} },
		Response: func() Response { return &MoveCopyMessagesResponse{} }})
	register(Info{ID: 0x35, Section: "2.2.4.7",
		Request:  func() Request { return &MoveFolderRequest{} },
		Response: func() Response { return &MoveFolderResponse{} }})
	register(Info{ID: 0x36, Section: "2.2.4.8",
		Request:  func() Request { return &CopyFolderRequest{} },
		Response: func() Response { return &CopyFolderResponse{} }})
	register(Info{ID: 0x58, Section: "2.2.4.9",
		Request:  func() Request { return &EmptyFolderRequest{} },
		Response: func() Response { return &EmptyFolderResponse{} }})
	register(Info{ID: 0x92, Section: "2.2.4.10",
		Request:  func() Request { return &HardDeleteMessagesAndSubfoldersRequest{} },
		Response: func() Response { return &HardDeleteMessagesAndSubfoldersResponse{} }})
	register(Info{ID: 0x1E, Section: "2.2.4.11",
		Request:  func() Request { return &DeleteMessagesRequest{} },
		Response: func() Response { return &DeleteMessagesResponse{} }})
	register(Info{ID: 0x91, Section: "2.2.4.12",
		Request:  func() Request { return &HardDeleteMessagesRequest{} },
		Response: func() Response { return &HardDeleteMessagesResponse{} }})
	register(Info{ID: 0x04, Section: "2.2.4.13",
		Request:  func() Request { return &GetHierarchyTableRequest{} },
		Response: func() Response { return &GetHierarchyTableResponse{} }})
	register(Info{ID: 0x05, Section: "2.2.4.14",
		Request:  func() Request { return &GetContentsTableRequest{} },
		Response: func() Response { return &GetContentsTableResponse{} }})
}

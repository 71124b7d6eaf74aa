package rop

import (
	"github.com/mapiscope/mapiscope/decode/prop"
	"github.com/mapiscope/mapiscope/decode/wire"
)

// The permission ROPs of [MS-OXCROPS] 2.2.10, whose semantics [MS-OXCPERM]
// specifies.

// TableFlags of RopGetPermissionsTable — [MS-OXCPERM] 2.2.1.1.
var permTableFlagsSym = wire.Flags(
	wire.Flag{Mask: 0x02, Name: "IncludeFreeBusy"},
)

// ModifyFlags of RopModifyPermissions — [MS-OXCPERM] 2.2.2.1.
var modifyPermFlagsSym = wire.Flags(
	wire.Flag{Mask: 0x01, Name: "ReplaceRows"},
	wire.Flag{Mask: 0x02, Name: "IncludeFreeBusy"},
)

// PermissionDataFlags — [MS-OXCPERM] 2.2.2.1.1.
var permissionDataFlagsSym = wire.Flags(
	wire.Flag{Mask: 0x01, Name: "AddRow"},
	wire.Flag{Mask: 0x02, Name: "ModifyRow"},
	wire.Flag{Mask: 0x04, Name: "RemoveRow"},
)

// Flag values of RopGetPermissionsTable, RopModifyPermissions and
// PermissionData — [MS-OXCPERM] 2.2.1.1, 2.2.2.1, 2.2.2.1.1.
const (
	PermIncludeFreeBusy uint8 = 0x02 // TableFlags, ModifyFlags
	PermReplaceRows     uint8 = 0x01 // ModifyFlags
	PermAddRow          uint8 = 0x01 // PermissionDataFlags
	PermModifyRow       uint8 = 0x02 // PermissionDataFlags
	PermRemoveRow       uint8 = 0x04 // PermissionDataFlags
)

// ---- RopModifyPermissions 0x40 ----

// PermissionData is one change to a folder's permissions list —
// [MS-OXCROPS] 2.2.10.1.1.1, [MS-OXCPERM] 2.2.2.1.1: AddRow carries
// PidTagEntryId and PidTagMemberRights, ModifyRow PidTagMemberId and
// PidTagMemberRights, RemoveRow PidTagMemberId.
type PermissionData struct {
	PermissionDataFlags uint8
	PropertyValues      []prop.TaggedValue
}

// RopModifyPermissions request — [MS-OXCROPS] 2.2.10.1.1.
type ModifyPermissionsRequest struct {
	RequestHeader
	ModifyFlags     uint8
	PermissionsData []PermissionData
}

func (r *ModifyPermissionsRequest) Codec(c *wire.Codec, ctx *Ctx) {
	r.RequestHeader.Codec(c, 0x40)
	c.U8(&r.ModifyFlags, "ModifyFlags")
	c.Hex().Named(modifyPermFlagsSym)
	// A PermissionData is at least its flags byte and 16-bit count.
	n := c.Count16(len(r.PermissionsData), 3, "ModifyCount")
	wire.Make(c, &r.PermissionsData, n)
	c.BeginArray("PermissionsData")
	for i := range r.PermissionsData {
		if c.Failed() {
			break
		}
		p := &r.PermissionsData[i]
		c.Begin("")
		c.U8(&p.PermissionDataFlags, "PermissionDataFlags")
		c.Hex().Named(permissionDataFlagsSym)
		prop.CodecTaggedList(c, &p.PropertyValues, "PropertyValueCount", "PropertyValues", 2, prop.ROP)
		c.End()
	}
	c.End()
}

// RopModifyPermissions response — [MS-OXCROPS] 2.2.10.1.2 (header only).
type ModifyPermissionsResponse struct {
	ResponseHeader
}

func (r *ModifyPermissionsResponse) Codec(c *wire.Codec, ctx *Ctx) {
	r.ResponseHeader.Codec(c, 0x40, "InputHandleIndex")
}

// ---- RopGetPermissionsTable 0x3E ----

// RopGetPermissionsTable request — [MS-OXCROPS] 2.2.10.2.1. It opens the
// folder's permissions list as a Table object.
type GetPermissionsTableRequest struct {
	RequestHeader
	OutputHandleIndex uint8
	TableFlags        uint8
}

func (r *GetPermissionsTableRequest) Codec(c *wire.Codec, ctx *Ctx) {
	r.RequestHeader.Codec(c, 0x3E)
	OutputHandle(c, ctx, &r.OutputHandleIndex)
	c.U8(&r.TableFlags, "TableFlags")
	c.Hex().Named(permTableFlagsSym)
}

// RopGetPermissionsTable response — [MS-OXCROPS] 2.2.10.2.2 (header only).
type GetPermissionsTableResponse struct {
	ResponseHeader
}

func (r *GetPermissionsTableResponse) Codec(c *wire.Codec, ctx *Ctx) {
	r.ResponseHeader.Codec(c, 0x3E, "OutputHandleIndex")
}

func init() {
	register(Info{ID: 0x40, Section: "2.2.10.1",
		Request:  func() Request { return &ModifyPermissionsRequest{} },
		Response: func() Response { return &ModifyPermissionsResponse{} }})
	register(Info{ID: 0x3E, Section: "2.2.10.2",
		Request:  func() Request { return &GetPermissionsTableRequest{} },
		Response: func() Response { return &GetPermissionsTableResponse{} }})
}

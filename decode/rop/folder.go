package rop

import (
	"github.com/mapiscope/mapiscope/decode/prop"
	"github.com/mapiscope/mapiscope/decode/wire"
)

// OpenModeFlags of RopOpenFolder — [MS-OXCFOLD] 2.2.1.1.1.
var openFolderModeSym = wire.Flags(
	wire.Flag{Mask: 0x04, Name: "OpenSoftDeleted"},
)

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

// RopOpenFolder response — [MS-OXCROPS] 2.2.4.1.2.
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
	wire.Make(c, servers, n)
	c.BeginArray("Servers")
	for i := range *servers {
		c.String8Z(&(*servers)[i], "")
	}
	c.End()
}

func init() {
	register(Info{ID: 0x02, Section: "2.2.4.1",
		Request:  func() Request { return &OpenFolderRequest{} },
		Response: func() Response { return &OpenFolderResponse{} }})
}

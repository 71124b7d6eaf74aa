package rop

import (
	"github.com/mapiscope/mapiscope/decode/prop"
	"github.com/mapiscope/mapiscope/decode/wire"
)

// LogonFlags — [MS-OXCSTOR] 2.2.1.1.1.
var logonFlagsSym = wire.Flags(
	wire.Flag{Mask: 0x01, Name: "Private"},
	wire.Flag{Mask: 0x02, Name: "Undercover"},
	wire.Flag{Mask: 0x04, Name: "Ghosted"},
	wire.Flag{Mask: 0x08, Name: "SplProcess"},
)

// OpenFlags — [MS-OXCSTOR] 2.2.1.1.1.
var openFlagsSym = wire.Flags(
	wire.Flag{Mask: 0x00000001, Name: "USE_ADMIN_PRIVILEGE"},
	wire.Flag{Mask: 0x00000002, Name: "PUBLIC"},
	wire.Flag{Mask: 0x00000004, Name: "HOME_LOGON"},
	wire.Flag{Mask: 0x00000008, Name: "TAKE_OWNERSHIP"},
	wire.Flag{Mask: 0x00000100, Name: "ALTERNATE_SERVER"},
	wire.Flag{Mask: 0x00000200, Name: "IGNORE_HOME_MDB"},
	wire.Flag{Mask: 0x00000400, Name: "NO_MAIL"},
	wire.Flag{Mask: 0x01000000, Name: "USE_PER_MDB_REPLID_MAPPING"},
	wire.Flag{Mask: 0x20000000, Name: "SUPPORT_PROGRESS"},
)

// ResponseFlags — [MS-OXCSTOR] 2.2.1.1.3.
var responseFlagsSym = wire.Flags(
	wire.Flag{Mask: 0x01, Name: "Reserved"},
	wire.Flag{Mask: 0x02, Name: "OwnerRight"},
	wire.Flag{Mask: 0x04, Name: "SendAsRight"},
	wire.Flag{Mask: 0x10, Name: "OOF"},
)

// The 13 FolderIds of a private-mailbox logon, in wire order —
// [MS-OXCROPS] 2.2.3.1.2.
var PrivateFolderNames = [13]string{
	"Root", "DeferredAction", "SpoolerQueue", "IpmSubtree", "Inbox", "Outbox",
	"SentItems", "DeletedItems", "CommonViews", "Schedule", "Search", "Views", "Shortcuts",
}

// The 13 FolderIds of a public-folders logon — [MS-OXCROPS] 2.2.3.1.3.
var PublicFolderNames = [13]string{
	"PublicFoldersRoot", "IpmSubtree", "NonIpmSubtree", "EFormsRegistry", "FreeBusy",
	"OfflineAddressBook", "LocalizedEFormsRegistry", "LocalSiteFreeBusy",
	"LocalSiteOfflineAddressBook", "NntpArticleIndex", "Reserved1", "Reserved2", "Reserved3",
}

// RopLogon request — [MS-OXCROPS] 2.2.3.1.1.
type LogonRequest struct {
	RequestHeader // InputHandleIndex unused: RopLogon has OutputHandleIndex there
	OutputHandleIndex uint8
	LogonFlags        uint8
	OpenFlags         uint32
	StoreState        uint32
	Essdn             string // empty when EssdnSize is 0
}

func (r *LogonRequest) Codec(c *wire.Codec, ctx *Ctx) {
	codecRopID(c, &r.RopId, 0xFE)
	c.U8(&r.LogonId, "LogonId")
	OutputHandle(c, ctx, &r.OutputHandleIndex)
	c.U8(&r.LogonFlags, "LogonFlags")
	c.Hex().Named(logonFlagsSym)
	c.U32(&r.OpenFlags, "OpenFlags")
	c.Hex().Named(openFlagsSym)
	c.U32(&r.StoreState, "StoreState")
	c.Hex()
	// EssdnSize counts the terminating NUL; 0 means no Essdn at all.
	size := uint16(0)
	if c.Encoding() && r.Essdn != "" {
		size = uint16(wire.String8Len(r.Essdn) + 1)
	}
	c.U16(&size, "EssdnSize")
	if size > 0 {
		c.Within(int(size), "Essdn", func() { c.String8Z(&r.Essdn, "Essdn") })
	}
}

// LogonTime — [MS-OXCROPS] 2.2.3.1.2.
type LogonTime struct {
	Seconds, Minutes, Hour, DayOfWeek, Day, Month uint8
	Year                                          uint16
}

// RopLogon response — [MS-OXCROPS] 2.2.3.1.2 (private mailbox), 2.2.3.1.3
// (public folders), 2.2.3.1.4 (redirect, ReturnValue ecWrongServer). The
// layout follows the Private bit of LogonFlags, which the response echoes.
type LogonResponse struct {
	ResponseHeader
	LogonFlags uint8
	FolderIds  [13]prop.ID
	// Private mailbox
	ResponseFlags uint8
	MailboxGuid   prop.GUID
	ReplId        uint16
	ReplGuid      prop.GUID
	LogonTime     LogonTime
	GwartTime     uint64
	StoreState    uint32
	// Public folders (ReplId, ReplGuid shared)
	PerUserGuid prop.GUID
	// Redirect
	ServerName string
}

// ecWrongServer is the ReturnValue of a redirect response.
const ecWrongServer = 0x00000478

func (r *LogonResponse) Codec(c *wire.Codec, ctx *Ctx) {
	r.ResponseHeader.Codec(c, 0xFE, "OutputHandleIndex")
	switch {
	case r.ReturnValue == ecWrongServer:
		c.U8(&r.LogonFlags, "LogonFlags")
		c.Hex().Named(logonFlagsSym)
		size := uint8(0)
		if c.Encoding() {
			size = uint8(wire.String8Len(r.ServerName) + 1)
		}
		c.U8(&size, "ServerNameSize")
		c.Within(int(size), "ServerName", func() { c.String8Z(&r.ServerName, "ServerName") })
		return
	case r.ReturnValue != 0:
		return
	}
	c.U8(&r.LogonFlags, "LogonFlags")
	c.Hex().Named(logonFlagsSym)
	private := r.LogonFlags&0x01 != 0
	names := PublicFolderNames
	if private {
		names = PrivateFolderNames
	}
	c.Begin("FolderIds")
	for i := range r.FolderIds {
		prop.CodecID(c, &r.FolderIds[i], names[i])
	}
	c.End()
	if private {
		c.U8(&r.ResponseFlags, "ResponseFlags")
		c.Hex().Named(responseFlagsSym)
		prop.CodecGUID(c, &r.MailboxGuid, "MailboxGuid")
		c.U16(&r.ReplId, "ReplId")
		c.Hex()
		prop.CodecGUID(c, &r.ReplGuid, "ReplGuid")
		c.Begin("LogonTime")
		t := &r.LogonTime
		c.U8(&t.Seconds, "Seconds")
		c.U8(&t.Minutes, "Minutes")
		c.U8(&t.Hour, "Hour")
		c.U8(&t.DayOfWeek, "DayOfWeek")
		c.U8(&t.Day, "Day")
		c.U8(&t.Month, "Month")
		c.U16(&t.Year, "Year")
		c.End()
		c.U64(&r.GwartTime, "GwartTime")
		c.Hex()
		c.U32(&r.StoreState, "StoreState")
		c.Hex()
		return
	}
	c.U16(&r.ReplId, "ReplId")
	c.Hex()
	prop.CodecGUID(c, &r.ReplGuid, "ReplGuid")
	prop.CodecGUID(c, &r.PerUserGuid, "PerUserGuid")
}

func init() {
	register(Info{ID: 0xFE, Section: "2.2.3.1",
		Request:  func() Request { return &LogonRequest{} },
		Response: func() Response { return &LogonResponse{} }})
}

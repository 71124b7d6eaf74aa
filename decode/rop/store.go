package rop

import (
	"github.com/mapiscope/mapiscope/decode/prop"
	"github.com/mapiscope/mapiscope/decode/wire"
)

// The logon and store ROPs of [MS-OXCROPS] 2.2.3, whose semantics
// [MS-OXCSTOR] defines.

// LogonFlags — [MS-OXCSTOR] 2.2.1.1.1.
var logonFlagsSym = wire.Flags(
	wire.Flag{Mask: 0x01, Name: "Private"},
	wire.Flag{Mask: 0x02, Name: "Undercover"},
	wire.Flag{Mask: 0x04, Name: "Ghosted"},
	wire.Flag{Mask: 0x08, Name: "SpoolerProcess"},
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

// StoreState — [MS-OXCSTOR] 2.2.1.5.2 (also the RopLogon response field).
var storeStateSym = wire.Flags(
	wire.Flag{Mask: 0x01000000, Name: "STORE_HAS_SEARCHES"},
)

// DayOfWeek and Month of a LogonTime — [MS-OXCSTOR] 2.2.1.1.3.
var (
	logonDayOfWeekSym = wire.Enum(
		wire.Flag{Mask: 0, Name: "Sunday"}, wire.Flag{Mask: 1, Name: "Monday"},
		wire.Flag{Mask: 2, Name: "Tuesday"}, wire.Flag{Mask: 3, Name: "Wednesday"},
		wire.Flag{Mask: 4, Name: "Thursday"}, wire.Flag{Mask: 5, Name: "Friday"},
		wire.Flag{Mask: 6, Name: "Saturday"},
	)
	logonMonthSym = wire.Enum(
		wire.Flag{Mask: 1, Name: "January"}, wire.Flag{Mask: 2, Name: "February"},
		wire.Flag{Mask: 3, Name: "March"}, wire.Flag{Mask: 4, Name: "April"},
		wire.Flag{Mask: 5, Name: "May"}, wire.Flag{Mask: 6, Name: "June"},
		wire.Flag{Mask: 7, Name: "July"}, wire.Flag{Mask: 8, Name: "August"},
		wire.Flag{Mask: 9, Name: "September"}, wire.Flag{Mask: 10, Name: "October"},
		wire.Flag{Mask: 11, Name: "November"}, wire.Flag{Mask: 12, Name: "December"},
	)
)

// storeFiletimeSym shows a FILETIME field as a time.
func storeFiletimeSym(v uint64) string { return prop.Filetime(v).String() }

// The 13 FolderIds of a private-mailbox logon, in wire order —
// [MS-OXCSTOR] 2.2.1.1.3.
var PrivateFolderNames = [13]string{
	"Root", "DeferredAction", "SpoolerQueue", "IpmSubtree", "Inbox", "Outbox",
	"SentItems", "DeletedItems", "CommonViews", "Schedule", "Search", "Views", "Shortcuts",
}

// The 13 FolderIds of a public-folders logon — [MS-OXCSTOR] 2.2.1.1.4.
var PublicFolderNames = [13]string{
	"PublicFoldersRoot", "IpmSubtree", "NonIpmSubtree", "EFormsRegistry", "FreeBusy",
	"OfflineAddressBook", "LocalizedEFormsRegistry", "LocalSiteFreeBusy",
	"LocalSiteOfflineAddressBook", "NntpArticleIndex", "Reserved1", "Reserved2", "Reserved3",
}

// RopLogon request — [MS-OXCROPS] 2.2.3.1.1.
type LogonRequest struct {
	RequestHeader     // InputHandleIndex unused: RopLogon has OutputHandleIndex there
	OutputHandleIndex uint8
	LogonFlags        uint8
	OpenFlags         uint32
	StoreState        uint32
	// Essdn is the mailbox to log on to (empty for public folders).
	Essdn string
	// HasEssdn says the Essdn field is present (EssdnSize nonzero); a
	// nonempty Essdn is always written, HasEssdn also writes an empty one
	// (EssdnSize 1, just the terminating NUL).
	HasEssdn bool
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
	if c.Encoding() && (r.Essdn != "" || r.HasEssdn) {
		size = uint16(wire.String8Len(r.Essdn) + 1)
	}
	c.U16(&size, "EssdnSize")
	if c.Decoding() {
		r.HasEssdn = size > 0
	}
	if size > 0 {
		c.Within(int(size), "Essdn", func() { c.String8Z(&r.Essdn, "Essdn") })
	}
}

// LogonTime — [MS-OXCSTOR] 2.2.1.1.3.
type LogonTime struct {
	Seconds, Minutes, Hour, DayOfWeek, Day, Month uint8
	Year                                          uint16
}

func codecLogonTime(c *wire.Codec, t *LogonTime) {
	c.Begin("LogonTime")
	c.U8(&t.Seconds, "Seconds")
	c.U8(&t.Minutes, "Minutes")
	c.U8(&t.Hour, "Hour")
	c.U8(&t.DayOfWeek, "DayOfWeek")
	c.Named(logonDayOfWeekSym)
	c.U8(&t.Day, "Day")
	c.U8(&t.Month, "Month")
	c.Named(logonMonthSym)
	c.U16(&t.Year, "Year")
	c.End()
}

// RopLogon response — [MS-OXCROPS] 2.2.3.1.2 (private mailbox), 2.2.3.1.3
// (public folders), 2.2.3.1.4 (redirect, ReturnValue ecWrongServer) and
// 2.2.3.1.5 (failure: the header alone). The success layout follows the
// Private bit of LogonFlags, which the server echoes from the request.
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

// Private reports whether the response has the private-mailbox layout.
func (r *LogonResponse) Private() bool { return r.LogonFlags&0x01 != 0 }

// ecWrongServer is the ReturnValue of a redirect response.
const ecWrongServer = 0x00000478

func (r *LogonResponse) Codec(c *wire.Codec, ctx *Ctx) {
	r.ResponseHeader.Codec(c, 0xFE, "OutputHandleIndex")
	switch {
	case r.ReturnValue == ecWrongServer:
		c.U8(&r.LogonFlags, "LogonFlags")
		c.Hex().Named(logonFlagsSym)
		// ServerNameSize counts the terminating NUL.
		size := uint8(0)
		if c.Encoding() {
			n := wire.String8Len(r.ServerName) + 1
			if n > 0xFF {
				c.EncodeError("RopLogon redirect: ServerName of %d bytes does not fit ServerNameSize", n)
				return
			}
			size = uint8(n)
		}
		c.U8(&size, "ServerNameSize")
		if size == 0 {
			if c.Decoding() {
				c.Note("RopLogon redirect: ServerNameSize is 0, but ServerName includes its terminating NUL")
			}
			return
		}
		c.Within(int(size), "ServerName", func() { c.String8Z(&r.ServerName, "ServerName") })
		return
	case r.ReturnValue != 0:
		return
	}
	c.U8(&r.LogonFlags, "LogonFlags")
	c.Hex().Named(logonFlagsSym)
	if c.Decoding() && ctx != nil {
		if req, ok := ctx.Request.(*LogonRequest); ok && req.LogonFlags&0x01 != r.LogonFlags&0x01 {
			c.Note("RopLogon response: LogonFlags 0x%02X does not echo the Private bit of the request's 0x%02X", r.LogonFlags, req.LogonFlags)
		}
	}
	private := r.Private()
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
		codecLogonTime(c, &r.LogonTime)
		c.U64(&r.GwartTime, "GwartTime")
		c.Named(storeFiletimeSym)
		c.U32(&r.StoreState, "StoreState")
		c.Hex().Named(storeStateSym)
		return
	}
	c.U16(&r.ReplId, "ReplId")
	c.Hex()
	prop.CodecGUID(c, &r.ReplGuid, "ReplGuid")
	prop.CodecGUID(c, &r.PerUserGuid, "PerUserGuid")
}

// RopGetReceiveFolder request — [MS-OXCROPS] 2.2.3.2.1.
type GetReceiveFolderRequest struct {
	RequestHeader
	MessageClass string
}

func (r *GetReceiveFolderRequest) Codec(c *wire.Codec, ctx *Ctx) {
	r.RequestHeader.Codec(c, 0x27)
	c.String8Z(&r.MessageClass, "MessageClass")
}

// RopGetReceiveFolder response — [MS-OXCROPS] 2.2.3.2.2.
type GetReceiveFolderResponse struct {
	ResponseHeader
	FolderId             prop.ID
	ExplicitMessageClass string
}

func (r *GetReceiveFolderResponse) Codec(c *wire.Codec, ctx *Ctx) {
	r.ResponseHeader.Codec(c, 0x27, "InputHandleIndex")
	if r.ReturnValue != 0 {
		return
	}
	prop.CodecID(c, &r.FolderId, "FolderId")
	c.String8Z(&r.ExplicitMessageClass, "ExplicitMessageClass")
}

// RopSetReceiveFolder request — [MS-OXCROPS] 2.2.3.3.1.
type SetReceiveFolderRequest struct {
	RequestHeader
	FolderId     prop.ID
	MessageClass string
}

func (r *SetReceiveFolderRequest) Codec(c *wire.Codec, ctx *Ctx) {
	r.RequestHeader.Codec(c, 0x26)
	prop.CodecID(c, &r.FolderId, "FolderId")
	c.String8Z(&r.MessageClass, "MessageClass")
}

// RopSetReceiveFolder response — [MS-OXCROPS] 2.2.3.3.2.
type SetReceiveFolderResponse struct {
	ResponseHeader
}

func (r *SetReceiveFolderResponse) Codec(c *wire.Codec, ctx *Ctx) {
	r.ResponseHeader.Codec(c, 0x26, "InputHandleIndex")
}

// ReceiveFolderColumns are the columns of every Receive folder table row,
// in order — [MS-OXCSTOR] 2.2.1.4.2: PidTagFolderId (PtypInteger64),
// PidTagMessageClass (PtypString8), PidTagLastModificationTime (PtypTime).
var ReceiveFolderColumns = []prop.Tag{0x67480014, 0x001A001E, 0x30080040}

// RopGetReceiveFolderTable request — [MS-OXCROPS] 2.2.3.4.1.
type GetReceiveFolderTableRequest struct {
	RequestHeader
}

func (r *GetReceiveFolderTableRequest) Codec(c *wire.Codec, ctx *Ctx) {
	r.RequestHeader.Codec(c, 0x68)
}

// RopGetReceiveFolderTable response — [MS-OXCROPS] 2.2.3.4.2. Each row is
// a StandardPropertyRow or FlaggedPropertyRow over ReceiveFolderColumns.
type GetReceiveFolderTableResponse struct {
	ResponseHeader
	Rows []prop.Row
}

func (r *GetReceiveFolderTableResponse) Codec(c *wire.Codec, ctx *Ctx) {
	r.ResponseHeader.Codec(c, 0x68, "InputHandleIndex")
	if r.ReturnValue != 0 {
		return
	}
	// The smallest row is a FlaggedPropertyRow with three absent values.
	n := c.Count32(len(r.Rows), 1+len(ReceiveFolderColumns), "RowCount")
	wire.Make(c, &r.Rows, n)
	prop.CodecRows(c, r.Rows, ReceiveFolderColumns, "Rows", prop.ROP)
}

// ReceiveFolder is one row of the Receive folder table, as plain values.
type ReceiveFolder struct {
	FolderId             prop.ID
	MessageClass         string
	LastModificationTime prop.Filetime
}

// Entries returns the rows as ReceiveFolder values; a value a flagged row
// marks absent or in error is left zero.
func (r *GetReceiveFolderTableResponse) Entries() []ReceiveFolder {
	out := make([]ReceiveFolder, 0, len(r.Rows))
	for _, row := range r.Rows {
		var e ReceiveFolder
		for i, v := range row.Values {
			if fv, ok := v.(prop.FlaggedValue); ok {
				if fv.Flag != prop.FlagValue {
					continue
				}
				v = fv.Value
			}
			switch i {
			case 0:
				if x, ok := v.(int64); ok {
					e.FolderId = prop.ID(x)
				}
			case 1:
				e.MessageClass, _ = v.(string)
			case 2:
				e.LastModificationTime, _ = v.(prop.Filetime)
			}
		}
		out = append(out, e)
	}
	return out
}

// RopGetStoreState request — [MS-OXCROPS] 2.2.3.5.1.
type GetStoreStateRequest struct {
	RequestHeader
}

func (r *GetStoreStateRequest) Codec(c *wire.Codec, ctx *Ctx) {
	r.RequestHeader.Codec(c, 0x7B)
}

// RopGetStoreState response — [MS-OXCROPS] 2.2.3.5.2.
type GetStoreStateResponse struct {
	ResponseHeader
	StoreState uint32
}

func (r *GetStoreStateResponse) Codec(c *wire.Codec, ctx *Ctx) {
	r.ResponseHeader.Codec(c, 0x7B, "InputHandleIndex")
	if r.ReturnValue != 0 {
		return
	}
	c.U32(&r.StoreState, "StoreState")
	c.Hex().Named(storeStateSym)
}

// codecServerStrings reads or writes a server count, a cheap-server count
// and the list of NUL-terminated 8-bit server names, under the names the
// ROP gives them.
func codecServerStrings(c *wire.Codec, servers *[]string, cheap *uint16, countName, cheapName, listName string) {
	n := c.Count16(len(*servers), 1, countName)
	c.U16(cheap, cheapName)
	if c.Decoding() && !c.Failed() && int(*cheap) > n {
		c.Note("%s %d exceeds %s %d", cheapName, *cheap, countName, n)
	}
	wire.Make(c, servers, n)
	c.BeginArray(listName)
	for i := range *servers {
		c.String8Z(&(*servers)[i], "")
	}
	c.End()
}

// RopGetOwningServers request — [MS-OXCROPS] 2.2.3.6.1.
type GetOwningServersRequest struct {
	RequestHeader
	FolderId prop.ID
}

func (r *GetOwningServersRequest) Codec(c *wire.Codec, ctx *Ctx) {
	r.RequestHeader.Codec(c, 0x42)
	prop.CodecID(c, &r.FolderId, "FolderId")
}

// RopGetOwningServers response — [MS-OXCROPS] 2.2.3.6.2.
type GetOwningServersResponse struct {
	ResponseHeader
	CheapServersCount uint16
	OwningServers     []string
}

func (r *GetOwningServersResponse) Codec(c *wire.Codec, ctx *Ctx) {
	r.ResponseHeader.Codec(c, 0x42, "InputHandleIndex")
	if r.ReturnValue != 0 {
		return
	}
	codecServerStrings(c, &r.OwningServers, &r.CheapServersCount, "OwningServersCount", "CheapServersCount", "OwningServers")
}

// RopPublicFolderIsGhosted request — [MS-OXCROPS] 2.2.3.7.1.
type PublicFolderIsGhostedRequest struct {
	RequestHeader
	FolderId prop.ID
}

func (r *PublicFolderIsGhostedRequest) Codec(c *wire.Codec, ctx *Ctx) {
	r.RequestHeader.Codec(c, 0x45)
	prop.CodecID(c, &r.FolderId, "FolderId")
}

// RopPublicFolderIsGhosted response — [MS-OXCROPS] 2.2.3.7.2. The server
// list follows only when IsGhosted is TRUE.
type PublicFolderIsGhostedResponse struct {
	ResponseHeader
	IsGhosted         bool
	CheapServersCount uint16
	Servers           []string
}

func (r *PublicFolderIsGhostedResponse) Codec(c *wire.Codec, ctx *Ctx) {
	r.ResponseHeader.Codec(c, 0x45, "InputHandleIndex")
	if r.ReturnValue != 0 {
		return
	}
	c.Bool8(&r.IsGhosted, "IsGhosted")
	if r.IsGhosted {
		codecServerStrings(c, &r.Servers, &r.CheapServersCount, "ServersCount", "CheapServersCount", "Servers")
	}
}

// RopLongTermIdFromId request — [MS-OXCROPS] 2.2.3.8.1.
type LongTermIdFromIdRequest struct {
	RequestHeader
	ObjectId prop.ID
}

func (r *LongTermIdFromIdRequest) Codec(c *wire.Codec, ctx *Ctx) {
	r.RequestHeader.Codec(c, 0x43)
	prop.CodecID(c, &r.ObjectId, "ObjectId")
}

// RopLongTermIdFromId response — [MS-OXCROPS] 2.2.3.8.2.
type LongTermIdFromIdResponse struct {
	ResponseHeader
	LongTermId prop.LongTermID
}

func (r *LongTermIdFromIdResponse) Codec(c *wire.Codec, ctx *Ctx) {
	r.ResponseHeader.Codec(c, 0x43, "InputHandleIndex")
	if r.ReturnValue != 0 {
		return
	}
	prop.CodecLongTermID(c, &r.LongTermId, "LongTermId")
}

// RopIdFromLongTermId request — [MS-OXCROPS] 2.2.3.9.1.
type IdFromLongTermIdRequest struct {
	RequestHeader
	LongTermId prop.LongTermID
}

func (r *IdFromLongTermIdRequest) Codec(c *wire.Codec, ctx *Ctx) {
	r.RequestHeader.Codec(c, 0x44)
	prop.CodecLongTermID(c, &r.LongTermId, "LongTermId")
}

// RopIdFromLongTermId response — [MS-OXCROPS] 2.2.3.9.2.
type IdFromLongTermIdResponse struct {
	ResponseHeader
	ObjectId prop.ID
}

func (r *IdFromLongTermIdResponse) Codec(c *wire.Codec, ctx *Ctx) {
	r.ResponseHeader.Codec(c, 0x44, "InputHandleIndex")
	if r.ReturnValue != 0 {
		return
	}
	prop.CodecID(c, &r.ObjectId, "ObjectId")
}

// RopGetPerUserLongTermIds request — [MS-OXCROPS] 2.2.3.10.1.
type GetPerUserLongTermIdsRequest struct {
	RequestHeader
	DatabaseGuid prop.GUID
}

func (r *GetPerUserLongTermIdsRequest) Codec(c *wire.Codec, ctx *Ctx) {
	r.RequestHeader.Codec(c, 0x60)
	prop.CodecGUID(c, &r.DatabaseGuid, "DatabaseGuid")
}

// RopGetPerUserLongTermIds response — [MS-OXCROPS] 2.2.3.10.2.
type GetPerUserLongTermIdsResponse struct {
	ResponseHeader
	LongTermIds []prop.LongTermID
}

func (r *GetPerUserLongTermIdsResponse) Codec(c *wire.Codec, ctx *Ctx) {
	r.ResponseHeader.Codec(c, 0x60, "InputHandleIndex")
	if r.ReturnValue != 0 {
		return
	}
	n := c.Count16(len(r.LongTermIds), 24, "LongTermIdCount")
	wire.Make(c, &r.LongTermIds, n)
	c.BeginArray("LongTermIds")
	for i := range r.LongTermIds {
		prop.CodecLongTermID(c, &r.LongTermIds[i], "")
	}
	c.End()
}

// RopGetPerUserGuid request — [MS-OXCROPS] 2.2.3.11.1.
type GetPerUserGuidRequest struct {
	RequestHeader
	LongTermId prop.LongTermID
}

func (r *GetPerUserGuidRequest) Codec(c *wire.Codec, ctx *Ctx) {
	r.RequestHeader.Codec(c, 0x61)
	prop.CodecLongTermID(c, &r.LongTermId, "LongTermId")
}

// RopGetPerUserGuid response — [MS-OXCROPS] 2.2.3.11.2.
type GetPerUserGuidResponse struct {
	ResponseHeader
	DatabaseGuid prop.GUID
}

func (r *GetPerUserGuidResponse) Codec(c *wire.Codec, ctx *Ctx) {
	r.ResponseHeader.Codec(c, 0x61, "InputHandleIndex")
	if r.ReturnValue != 0 {
		return
	}
	prop.CodecGUID(c, &r.DatabaseGuid, "DatabaseGuid")
}

// RopReadPerUserInformation request — [MS-OXCROPS] 2.2.3.12.1. FolderId is
// a LongTermID.
type ReadPerUserInformationRequest struct {
	RequestHeader
	FolderId    prop.LongTermID
	Reserved    uint8
	DataOffset  uint32
	MaxDataSize uint16
}

func (r *ReadPerUserInformationRequest) Codec(c *wire.Codec, ctx *Ctx) {
	r.RequestHeader.Codec(c, 0x63)
	prop.CodecLongTermID(c, &r.FolderId, "FolderId")
	c.U8(&r.Reserved, "Reserved")
	c.U32(&r.DataOffset, "DataOffset")
	c.U16(&r.MaxDataSize, "MaxDataSize")
}

// RopReadPerUserInformation response — [MS-OXCROPS] 2.2.3.12.2. Data is a
// serialized change-number set ([MS-OXCSTOR] 2.2.1.12.2), kept as bytes.
type ReadPerUserInformationResponse struct {
	ResponseHeader
	HasFinished bool
	Data        []byte
}

func (r *ReadPerUserInformationResponse) Codec(c *wire.Codec, ctx *Ctx) {
	r.ResponseHeader.Codec(c, 0x63, "InputHandleIndex")
	if r.ReturnValue != 0 {
		return
	}
	c.Bool8(&r.HasFinished, "HasFinished")
	n := c.Count16(len(r.Data), 1, "DataSize")
	c.Fixed(&r.Data, n, "Data")
}

// RopWritePerUserInformation request — [MS-OXCROPS] 2.2.3.13.1. ReplGuid
// is present only when DataOffset is 0 and the logon is a private-mailbox
// logon (Ctx.Private; private when the logon flags are unknown).
type WritePerUserInformationRequest struct {
	RequestHeader
	FolderId    prop.LongTermID
	HasFinished bool
	DataOffset  uint32
	Data        []byte
	ReplGuid    prop.GUID
	// HasReplGuid reports, after decoding, that ReplGuid was present.
	// Encoding follows the rule above, not this field.
	HasReplGuid bool
}

func (r *WritePerUserInformationRequest) Codec(c *wire.Codec, ctx *Ctx) {
	r.RequestHeader.Codec(c, 0x64)
	prop.CodecLongTermID(c, &r.FolderId, "FolderId")
	c.Bool8(&r.HasFinished, "HasFinished")
	c.U32(&r.DataOffset, "DataOffset")
	n := c.Count16(len(r.Data), 1, "DataSize")
	c.Fixed(&r.Data, n, "Data")
	present := r.DataOffset == 0 && ctx.Private()
	if present {
		prop.CodecGUID(c, &r.ReplGuid, "ReplGuid")
	}
	if c.Decoding() {
		r.HasReplGuid = present && !c.Failed()
	}
}

// RopWritePerUserInformation response — [MS-OXCROPS] 2.2.3.13.2.
type WritePerUserInformationResponse struct {
	ResponseHeader
}

func (r *WritePerUserInformationResponse) Codec(c *wire.Codec, ctx *Ctx) {
	r.ResponseHeader.Codec(c, 0x64, "InputHandleIndex")
}

func init() {
	register(Info{ID: 0xFE, Section: "2.2.3.1",
		Request:  func() Request { return &LogonRequest{} },
		Response: func() Response { return &LogonResponse{} }})
	register(Info{ID: 0x27, Section: "2.2.3.2",
		Request:  func() Request { return &GetReceiveFolderRequest{} },
		Response: func() Response { return &GetReceiveFolderResponse{} }})
	register(Info{ID: 0x26, Section: "2.2.3.3",
		Request:  func() Request { return &SetReceiveFolderRequest{} },
		Response: func() Response { return &SetReceiveFolderResponse{} }})
	register(Info{ID: 0x68, Section: "2.2.3.4",
		Request:  func() Request { return &GetReceiveFolderTableRequest{} },
		Response: func() Response { return &GetReceiveFolderTableResponse{} }})
	register(Info{ID: 0x7B, Section: "2.2.3.5",
		Request:  func() Request { return &GetStoreStateRequest{} },
		Response: func() Response { return &GetStoreStateResponse{} }})
	register(Info{ID: 0x42, Section: "2.2.3.6",
		Request:  func() Request { return &GetOwningServersRequest{} },
		Response: func() Response { return &GetOwningServersResponse{} }})
	register(Info{ID: 0x45, Section: "2.2.3.7",
		Request:  func() Request { return &PublicFolderIsGhostedRequest{} },
		Response: func() Response { return &PublicFolderIsGhostedResponse{} }})
	register(Info{ID: 0x43, Section: "2.2.3.8",
		Request:  func() Request { return &LongTermIdFromIdRequest{} },
		Response: func() Response { return &LongTermIdFromIdResponse{} }})
	register(Info{ID: 0x44, Section: "2.2.3.9",
		Request:  func() Request { return &IdFromLongTermIdRequest{} },
		Response: func() Response { return &IdFromLongTermIdResponse{} }})
	register(Info{ID: 0x60, Section: "2.2.3.10",
		Request:  func() Request { return &GetPerUserLongTermIdsRequest{} },
		Response: func() Response { return &GetPerUserLongTermIdsResponse{} }})
	register(Info{ID: 0x61, Section: "2.2.3.11",
		Request:  func() Request { return &GetPerUserGuidRequest{} },
		Response: func() Response { return &GetPerUserGuidResponse{} }})
	register(Info{ID: 0x63, Section: "2.2.3.12",
		Request:  func() Request { return &ReadPerUserInformationRequest{} },
		Response: func() Response { return &ReadPerUserInformationResponse{} }})
	register(Info{ID: 0x64, Section: "2.2.3.13", Context: "logon flags",
		Request:  func() Request { return &WritePerUserInformationRequest{} },
		Response: func() Response { return &WritePerUserInformationResponse{} }})
}

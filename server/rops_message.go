package server

import (
	"bytes"
	"runtime"
	"sort"
	"strings"
	"sync"
	"weak"

	"github.com/mapiscope/mapiscope/decode/prop"
	"github.com/mapiscope/mapiscope/decode/rop"
	"github.com/mapiscope/mapiscope/decode/wire"
	"github.com/mapiscope/mapiscope/server/store"
)

// Message ROPs — [MS-OXCROPS] 2.2.6 and the message ROPs of 2.2.4 (delete,
// move/copy); semantics in [MS-OXCMSG] 3.2.5.

func init() {
	handle(0x03, ropOpenMessage)
	handle(0x06, ropCreateMessage)
	handle(0x0C, ropSaveChangesMessage)
	handle(0x0D, ropRemoveAllRecipients)
	handle(0x0E, ropModifyRecipients)
	handle(0x0F, ropReadRecipients)
	handle(0x10, ropReloadCachedInformation)
	handle(0x11, ropSetMessageReadFlag)
	handle(0x66, ropSetReadFlags)
	handle(0x1E, ropDeleteMessages)
	handle(0x91, ropHardDeleteMessages)
	handle(0x33, ropMoveCopyMessages)
	handle(0x1F, ropGetMessageStatus)
	handle(0x20, ropSetMessageStatus)
}

// Recipient and message properties the handlers read or set ([MS-OXPROPS]).
const (
	msgTagSubjectPrefix            prop.Tag = 0x003D001F
	msgTagObjectType               prop.Tag = 0x0FFE0003
	msgTagResponsibility           prop.Tag = 0x0E0F000B
	msgTagDisplayType              prop.Tag = 0x39000003
	msgTagABDisplayNamePrintable   prop.Tag = 0x39FF001F
	msgTagTransmittableDisplayName prop.Tag = 0x3A20001F
	msgTagSendRichInfo             prop.Tag = 0x3A40000B
	msgTagCreatorName              prop.Tag = 0x3FF8001F
	msgTagCreatorEntryID           prop.Tag = 0x3FF90102
	msgTagLastModifierName         prop.Tag = 0x3FFA001F
	msgTagLastModifierEntryID      prop.Tag = 0x3FFB0102
)

// OpenModeFlags of RopOpenMessage — [MS-OXCMSG] 2.2.3.1.1.
const (
	msgOpenReadWrite  uint8 = 0x01
	msgOpenBestAccess uint8 = 0x03
)

// SaveFlags — [MS-OXCMSG] 2.2.3.3.1.
const (
	msgSaveKeepOpenReadOnly  uint8 = 0x01
	msgSaveKeepOpenReadWrite uint8 = 0x02
	msgSaveForceSave         uint8 = 0x04
)

// ReadFlags — [MS-OXCMSG] 2.2.3.10.1.
const (
	msgReadClearReadFlag       uint8 = 0x04
	msgReadGenerateReceiptOnly uint8 = 0x10
	msgReadClearNotifyRead     uint8 = 0x20
	msgReadClearNotifyUnread   uint8 = 0x40
)

// PidTagMessageFlags bits the read ROPs touch — [MS-OXCMSG] 2.2.1.6.
const (
	msgFlagNotifyRead   uint32 = 0x00000100
	msgFlagNotifyUnread uint32 = 0x00000200
)

// ---- state kept beside the lead's object types ----

// sideTable keeps extra state for server objects, keyed weakly by the
// object so that an entry goes away with its object (whether released by
// RopRelease or dropped with its session).
type sideTable[T, V any] struct {
	mu sync.Mutex
	m  map[weak.Pointer[T]]*V
}

// get returns p's state, creating it on first use. V must not point back
// to p, or p would never be collected.
func (s *sideTable[T, V]) get(p *T) *V {
	k := weak.Make(p)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = map[weak.Pointer[T]]*V{}
	}
	v := s.m[k]
	if v == nil {
		v = new(V)
		s.m[k] = v
		runtime.AddCleanup(p, s.drop, k)
	}
	return v
}

func (s *sideTable[T, V]) drop(k weak.Pointer[T]) {
	s.mu.Lock()
	delete(s.m, k)
	s.mu.Unlock()
}

// msgState is what a message handle remembers: the recipient columns the
// client last saw on it — those of RopOpenMessage, RopOpenEmbeddedMessage
// or RopReloadCachedInformation, or the columns of its last
// RopModifyRecipients — against which RopReadRecipients rows are laid out
// ([MS-OXCROPS] 2.2.6.6.2 gives the response no column list).
type msgState struct {
	cols  []prop.Tag
	known bool
}

var msgStates sideTable[messageObj, msgState]

// ---- inputs and access ----

// msgInput returns the message a ROP works on — [MS-OXCMSG] 3.2.5:
// ecNullObject when the input handle is not a Message object.
func msgInput(x *execCtx, req rop.Request) (*messageObj, prop.ErrorCode) {
	obj, ec := x.input(req)
	if ec != 0 {
		return nil, ec
	}
	m, ok := obj.(*messageObj)
	if !ok {
		return nil, ecNullObject
	}
	return m, 0
}

// msgFolderInput returns the folder a ROP works on (RopSetReadFlags,
// RopDeleteMessages, RopMoveCopyMessages, message status ROPs).
func msgFolderInput(x *execCtx, req rop.Request) (*folderObj, prop.ErrorCode) {
	obj, ec := x.input(req)
	if ec != 0 {
		return nil, ec
	}
	f, ok := obj.(*folderObj)
	if !ok {
		return nil, ecNullObject
	}
	return f, 0
}

// msgContainer returns the logon of a RopOpenMessage or RopCreateMessage
// whose input is a folder or the logon itself.
func msgContainer(x *execCtx, req rop.Request) (*logonObj, prop.ErrorCode) {
	obj, ec := x.input(req)
	if ec != 0 {
		return nil, ec
	}
	switch o := obj.(type) {
	case *logonObj:
		return o, 0
	case *folderObj:
		return o.lg, 0
	}
	return nil, ecNullObject
}

// msgUserEntryID is the Address Book EntryID of the session's user
// ([MS-OXCDATA] 2.2.5.2), as Exchange puts it in PidTagCreatorEntryId.
func msgUserEntryID(x *execCtx) []byte {
	b, err := prop.EncodeEntryID(&prop.AddressBookEntryID{
		ProviderUID: prop.ProviderUIDAddressBook, Version: 1, X500DN: x.user.mb.LegacyDN,
	})
	if err != nil {
		return nil
	}
	return b
}

// msgOwned reports whether the session's user created the message (the
// "owned" of RightEditOwned and RightDeleteOwned, [MS-OXCPERM] 2.2.7).
func msgOwned(x *execCtx, m *store.Message) bool {
	v, _ := m.Prop(msgTagCreatorEntryID)
	b, _ := v.([]byte)
	return len(b) > 0 && bytes.Equal(b, msgUserEntryID(x))
}

// msgCanEdit reports whether the user may change message m of folder fid.
func msgCanEdit(x *execCtx, lg *logonObj, fid prop.ID, m *store.Message) bool {
	if lg.owner || m.New || x.canAccess(lg, fid, store.RightEditAny) {
		return true
	}
	return x.canAccess(lg, fid, store.RightEditOwned) && msgOwned(x, m)
}

// failAt is x.fail with the response header naming handle index idx (the
// ResponseHandleIndex of the ROPs that have one).
func (x *execCtx) failAt(ec prop.ErrorCode, idx uint8) rop.Response {
	resp := x.fail(ec)
	if resp != nil {
		resp.Header().HandleIndex = idx
	}
	return resp
}

// okAt is x.ok with the response header naming handle index idx.
func (x *execCtx) okAt(resp rop.Response, idx uint8) rop.Response {
	x.ok(resp)
	resp.Header().HandleIndex = idx
	return resp
}

// ---- recipients ----

// msgStdRecipTags are the recipient properties a RecipientRow carries in
// its standard fields ([MS-OXCDATA] 2.8.3.2), left out of the columns.
var msgStdRecipTags = map[uint16]bool{
	store.TagEmailAddress.ID():          true,
	store.TagDisplayName.ID():           true,
	store.TagAddressType.ID():           true,
	msgTagABDisplayNamePrintable.ID():   true,
	msgTagTransmittableDisplayName.ID(): true,
	msgTagResponsibility.ID():           true,
	msgTagSendRichInfo.ID():             true,
	store.TagRowid.ID():                 true,
	store.TagRecipientType.ID():         true,
}

// msgRecipColumns is the recipient column set of a message: PidTagObjectType
// and PidTagDisplayType (which every recipient answers), then every other
// property its recipients have, by tag.
func msgRecipColumns(m *store.Message) []prop.Tag {
	seen := map[uint16]bool{msgTagObjectType.ID(): true, msgTagDisplayType.ID(): true}
	var extra []prop.Tag
	for _, r := range m.Recipients() {
		for id, tv := range r.Props {
			if seen[id] || msgStdRecipTags[id] {
				continue
			}
			seen[id] = true
			extra = append(extra, tv.Tag)
		}
	}
	sort.Slice(extra, func(i, j int) bool { return extra[i] < extra[j] })
	return append([]prop.Tag{msgTagObjectType, msgTagDisplayType}, extra...)
}

// msgRecipSource is a recipient's properties with the ones every
// recipient answers: PidTagObjectType (MAPI_MAILUSER), PidTagDisplayType
// (DT_MAILUSER), PidTagRowid and PidTagRecipientType.
func msgRecipSource(r store.Recipient) store.Props {
	p := r.Props.Clone()
	if _, ok := p.Get(msgTagObjectType); !ok {
		p.Set(msgTagObjectType, int32(6))
	}
	if _, ok := p.Get(msgTagDisplayType); !ok {
		p.Set(msgTagDisplayType, int32(0))
	}
	p.Set(store.TagRowid, int32(r.RowID))
	p.Set(store.TagRecipientType, int32(r.Type))
	return p
}

// msgRecipientRow builds the RecipientRow of a recipient over columns
// ([MS-OXCDATA] 2.8.3): the address in the standard fields by its type,
// names as UTF-16, the rest as a PropertyRow. With raw the PropertyRow is
// encoded into RawProperties (RopReadRecipients, whose response carries
// no columns).
func msgRecipientRow(r store.Recipient, cols []prop.Tag, raw bool) rop.RecipientRow {
	p := r.Props
	row := rop.RecipientRow{RecipientFlags: rop.RecipU}
	addrType := p.String(store.TagAddressType)
	email := p.String(store.TagEmailAddress)
	switch strings.ToUpper(addrType) {
	case "EX":
		row.RecipientFlags |= rop.RecipX500DN
		row.X500DN = email
		row.DisplayType = uint8(p.Int32(msgTagDisplayType))
	case "SMTP":
		row.RecipientFlags |= rop.RecipSMTP
	case "":
	default:
		row.RecipientFlags |= rop.RecipO
		row.AddressType = addrType
	}
	if row.Type() != rop.RecipX500DN && email != "" {
		row.RecipientFlags |= rop.RecipE
		row.EmailAddress = email
	}
	display, hasDisplay := p.Get(store.TagDisplayName)
	if s, ok := display.(string); ok && hasDisplay {
		row.RecipientFlags |= rop.RecipD
		row.DisplayName = s
	}
	if s := p.String(msgTagABDisplayNamePrintable); s != "" {
		row.RecipientFlags |= rop.RecipI
		row.SimpleDisplayName = s
	}
	if v, ok := p.Get(msgTagTransmittableDisplayName); ok {
		if s, _ := v.(string); hasDisplay && s == row.DisplayName {
			row.RecipientFlags |= rop.RecipS
		} else {
			row.RecipientFlags |= rop.RecipT
			row.TransmittableDisplayName = s
		}
	}
	if v, _ := p.Get(msgTagResponsibility); v == true {
		row.RecipientFlags |= rop.RecipR
	}
	if v, ok := p.Get(msgTagSendRichInfo); ok && v == false {
		row.RecipientFlags |= rop.RecipN
	}
	row.RecipientColumnCount = uint16(len(cols))
	row.RecipientProperties = rowFor(msgRecipSource(r), cols)
	if raw {
		c := wire.NewEncoder(nil)
		prop.CodecRow(c, &row.RecipientProperties, cols, "RecipientProperties", prop.ROP)
		row.RawProperties = c.Output()
		if c.Err() != nil || row.RawProperties == nil {
			row.RawProperties = []byte{}
			row.RecipientColumnCount = 0
		}
	}
	return row
}

// msgRecipientProps turns a RecipientRow of RopModifyRecipients into the
// recipient's properties: the standard fields, then the PropertyRow over
// the first RecipientColumnCount columns.
func msgRecipientProps(row *rop.RecipientRow, cols []prop.Tag) store.Props {
	p := store.Props{}
	switch row.Type() {
	case rop.RecipX500DN:
		p.Set(store.TagAddressType, "EX")
		p.Set(store.TagEmailAddress, row.X500DN)
		p.Set(msgTagDisplayType, int32(row.DisplayType))
	case rop.RecipMsMail:
		p.Set(store.TagAddressType, "MSMAIL")
	case rop.RecipSMTP:
		p.Set(store.TagAddressType, "SMTP")
	case rop.RecipFax:
		p.Set(store.TagAddressType, "FAX")
	case rop.RecipProfessionalOfficeSystem:
		p.Set(store.TagAddressType, "PROFS")
	case rop.RecipPersonalDistributionList1, rop.RecipPersonalDistributionList2:
		p.Set(store.TagAddressType, "MAPIPDL")
		p.Set(store.TagEntryId, append([]byte{}, row.EntryID...))
		p.Set(store.TagSearchKey, append([]byte{}, row.SearchKey...))
	case rop.RecipNoType:
		if row.RecipientFlags&rop.RecipO != 0 {
			p.Set(store.TagAddressType, row.AddressType)
		}
	}
	f := row.RecipientFlags
	if f&rop.RecipE != 0 {
		p.Set(store.TagEmailAddress, row.EmailAddress)
		if row.Type() == rop.RecipSMTP {
			p.Set(store.TagSmtpAddress, row.EmailAddress)
		}
	}
	if f&rop.RecipD != 0 {
		p.Set(store.TagDisplayName, row.DisplayName)
	}
	if f&rop.RecipI != 0 {
		p.Set(msgTagABDisplayNamePrintable, row.SimpleDisplayName)
	}
	if f&rop.RecipT != 0 {
		p.Set(msgTagTransmittableDisplayName, row.TransmittableDisplayName)
	} else if f&rop.RecipS != 0 && f&rop.RecipD != 0 {
		p.Set(msgTagTransmittableDisplayName, row.DisplayName)
	}
	p.Set(msgTagResponsibility, f&rop.RecipR != 0)
	p.Set(msgTagSendRichInfo, f&rop.RecipN == 0)
	n := int(row.RecipientColumnCount)
	for i := 0; i < n && i < len(cols) && i < len(row.RecipientProperties.Values); i++ {
		v := row.RecipientProperties.Values[i]
		tag := cols[i]
		if fv, ok := v.(prop.FlaggedValue); ok {
			if fv.Flag != prop.FlagValue {
				continue
			}
			v = fv.Value
			if tag.Type() == prop.PtypUnspecified {
				tag = tag.WithType(fv.Type)
			}
		} else if tv, ok := v.(prop.TypedValue); ok {
			v, tag = tv.Value, tag.WithType(tv.Type)
		}
		switch tag.ID() {
		case store.TagRowid.ID(), store.TagRecipientType.ID():
			continue // carried by the row itself
		}
		if v == nil || prop.TypeOf(v) == prop.PtypNull {
			continue
		}
		p.Set(tag, v)
	}
	return p
}

// msgCodePage is the CodePageId of recipient rows: the session's code
// page from Connect.
func msgCodePage(x *execCtx) uint16 {
	if cp := x.em.codePage; cp != 0 && cp < 0xFFFF {
		return uint16(cp)
	}
	return 1252
}

// msgTypedString is a TypedString of a string property ([MS-OXCDATA]
// 2.11.7): absent, empty or UTF-16.
func msgTypedString(v string, ok bool) rop.TypedString {
	switch {
	case !ok:
		return rop.TypedString{StringType: rop.StringNone}
	case v == "":
		return rop.TypedString{StringType: rop.StringEmpty}
	}
	return rop.TypedString{StringType: rop.StringUTF16, String: v}
}

// msgOpened builds the fields describing an opened message — [MS-OXCMSG]
// 2.2.3.1.2 — and remembers its recipient columns on the handle. wrap
// makes the ROP's response around them; rows are dropped from the end
// until the response fits the ROP's room (the client reads the rest with
// RopReadRecipients, [MS-OXCMSG] 3.1.5.6).
func msgOpened(x *execCtx, req rop.Request, mo *messageObj, wrap func(rop.OpenedMessage) rop.Response) rop.Response {
	m := mo.msg
	all := m.AllProps()
	om := rop.OpenedMessage{}
	for id := range all {
		if id >= 0x8000 {
			om.HasNamedProperties = true
			break
		}
	}
	prefix, hasPrefix := all.Get(msgTagSubjectPrefix)
	ps, _ := prefix.(string)
	om.SubjectPrefix = msgTypedString(ps, hasPrefix)
	norm, hasNorm := all.Get(store.TagNormalizedSubject)
	ns, _ := norm.(string)
	if !hasNorm {
		if subj, ok := all.Get(store.TagSubject); ok {
			ns, _ = subj.(string)
			ns, hasNorm = strings.TrimPrefix(ns, ps), true
		}
	}
	om.NormalizedSubject = msgTypedString(ns, hasNorm)
	recips := m.Recipients()
	om.RecipientCount = uint16(min(len(recips), 0xFFFF))
	om.RecipientColumns = msgRecipColumns(m)
	st := msgStates.get(mo)
	st.cols, st.known = om.RecipientColumns, true
	cp := msgCodePage(x)
	for _, r := range recips {
		if len(om.RecipientRows) == 0xFF {
			break
		}
		om.RecipientRows = append(om.RecipientRows, rop.OpenRecipientRow{
			RecipientType: uint8(r.Type), CodePageId: cp,
			RecipientRow: msgRecipientRow(r, om.RecipientColumns, false),
		})
	}
	rows := om.RecipientRows
	size := func(n int) int {
		om.RecipientRows = rows[:n]
		b, err := rop.Encode(nil, x.ok(wrap(om)), &rop.Ctx{Request: req})
		if err != nil {
			return 1 << 30
		}
		return len(b)
	}
	n := len(rows)
	if size(n) > x.budget {
		// The most rows that fit.
		n = sort.Search(len(rows)+1, func(k int) bool { return size(k) > x.budget }) - 1
		if n < 0 {
			n = 0
		}
	}
	om.RecipientRows = rows[:n]
	return x.ok(wrap(om))
}

// ---- RopOpenMessage ----

// ropOpenMessage — [MS-OXCMSG] 3.2.5.1. The input is a folder or the
// logon; another user's message needs RightReadAny on its folder, and
// read/write access RightEditAny (or RightEditOwned on a message the user
// created). BestAccess opens read/write when allowed, else read-only.
func ropOpenMessage(x *execCtx, req rop.Request) rop.Response {
	r := req.(*rop.OpenMessageRequest)
	lg, ec := msgContainer(x, req)
	if ec != 0 {
		return x.fail(ec)
	}
	if !x.canAccess(lg, r.FolderId, store.RightReadAny) {
		return x.fail(ecAccessDenied)
	}
	m, err := x.st.OpenMessage(lg.mb, r.FolderId, r.MessageId)
	if err != nil {
		return x.fail(ecOf(err))
	}
	if m.FolderID != r.FolderId && !x.canAccess(lg, m.FolderID, store.RightReadAny) {
		return x.fail(ecAccessDenied)
	}
	// OpenSoftDeleted reaches nothing more here (the store keeps no
	// soft-deleted message to open); other unknown bits are ignored.
	mode := r.OpenModeFlags & msgOpenBestAccess
	canEdit := msgCanEdit(x, lg, m.FolderID, m)
	readOnly := true
	switch mode {
	case msgOpenReadWrite:
		if !canEdit {
			return x.fail(ecAccessDenied)
		}
		readOnly = false
	case msgOpenBestAccess:
		readOnly = !canEdit
	}
	m.ReadOnly = readOnly
	mo := &messageObj{lg: lg, fid: m.FolderID, msg: m, readOnly: readOnly}
	if ec := x.bind(r.OutputHandleIndex, mo); ec != 0 {
		return x.fail(ec)
	}
	return msgOpened(x, req, mo, func(om rop.OpenedMessage) rop.Response {
		return &rop.OpenMessageResponse{OpenedMessage: om}
	})
}

// ---- RopCreateMessage ----

// ropCreateMessage — [MS-OXCMSG] 3.2.5.2. The message exists only in its
// working copy until RopSaveChangesMessage; like Exchange the response
// carries no MessageId (HasMessageId 0). Another user's folder needs
// RightCreate.
func ropCreateMessage(x *execCtx, req rop.Request) rop.Response {
	r := req.(*rop.CreateMessageRequest)
	lg, ec := msgContainer(x, req)
	if ec != 0 {
		return x.fail(ec)
	}
	if !x.canAccess(lg, r.FolderId, store.RightCreate) {
		return x.fail(ecAccessDenied)
	}
	m, err := x.st.CreateMessage(lg.mb, r.FolderId, r.AssociatedFlag)
	if err != nil {
		return x.fail(ecOf(err))
	}
	eid := msgUserEntryID(x)
	m.SetProps([]prop.TaggedValue{
		{Tag: msgTagCreatorName, Value: x.user.mb.DisplayName},
		{Tag: msgTagCreatorEntryID, Value: eid},
		{Tag: msgTagLastModifierName, Value: x.user.mb.DisplayName},
		{Tag: msgTagLastModifierEntryID, Value: eid},
	})
	mo := &messageObj{lg: lg, fid: r.FolderId, msg: m}
	if ec := x.bind(r.OutputHandleIndex, mo); ec != 0 {
		return x.fail(ec)
	}
	return x.ok(&rop.CreateMessageResponse{HasMessageId: false})
}

// ---- RopSaveChangesMessage ----

// ropSaveChangesMessage — [MS-OXCMSG] 3.2.5.3: commits the working copy
// (an embedded message into its attachment's working copy).
// ecObjectModified when another session saved the message since it was
// opened, unless ForceSave. KeepOpenReadOnly leaves the handle read-only.
func ropSaveChangesMessage(x *execCtx, req rop.Request) rop.Response {
	r := req.(*rop.SaveChangesMessageRequest)
	mo, ec := msgInput(x, req)
	if ec != 0 {
		return x.failAt(ec, r.ResponseHandleIndex)
	}
	if mo.readOnly {
		return x.failAt(ecAccessDenied, r.ResponseHandleIndex)
	}
	m := mo.msg
	wasNew := m.New
	if mo.parentAtt == nil {
		m.SetProps([]prop.TaggedValue{
			{Tag: msgTagLastModifierName, Value: x.user.mb.DisplayName},
			{Tag: msgTagLastModifierEntryID, Value: msgUserEntryID(x)},
		})
	}
	if err := m.SaveChanges(r.SaveFlags&msgSaveForceSave != 0); err != nil {
		return x.failAt(ecOf(err), r.ResponseHandleIndex)
	}
	if r.SaveFlags&(msgSaveKeepOpenReadOnly|msgSaveKeepOpenReadWrite) == msgSaveKeepOpenReadOnly {
		mo.readOnly, m.ReadOnly = true, true
	}
	if mo.parentAtt == nil {
		kind := fnevObjectModified
		if wasNew {
			kind = fnevObjectCreated
		}
		x.publish(mo.lg, event{kind: kind, fid: m.FolderID, mid: m.ID})
	}
	return x.okAt(&rop.SaveChangesMessageResponse{InputHandleIndex: r.InputHandleIndex, MessageId: m.ID}, r.ResponseHandleIndex)
}

// ---- recipients ROPs ----

// ropRemoveAllRecipients — [MS-OXCMSG] 3.2.5.4.
func ropRemoveAllRecipients(x *execCtx, req rop.Request) rop.Response {
	mo, ec := msgInput(x, req)
	if ec != 0 {
		return x.fail(ec)
	}
	if mo.readOnly {
		return x.fail(ecAccessDenied)
	}
	if err := mo.msg.RemoveAllRecipients(); err != nil {
		return x.fail(ecOf(err))
	}
	return x.ok(&rop.RemoveAllRecipientsResponse{})
}

// ropModifyRecipients — [MS-OXCMSG] 3.2.5.5: each row adds the recipient
// with its RowId, replaces all its properties, or (RecipientRowSize 0)
// removes it. Its columns become those RopReadRecipients lays rows out
// with on this handle.
func ropModifyRecipients(x *execCtx, req rop.Request) rop.Response {
	r := req.(*rop.ModifyRecipientsRequest)
	mo, ec := msgInput(x, req)
	if ec != 0 {
		return x.fail(ec)
	}
	st := msgStates.get(mo)
	st.cols, st.known = append([]prop.Tag(nil), r.RecipientColumns...), true
	if mo.readOnly {
		return x.fail(ecAccessDenied)
	}
	for _, c := range r.RecipientColumns {
		if c.Type()&prop.MultiValueInstance != 0 || c.Type() == prop.PtypErrorCode {
			return x.fail(ecInvalidParam)
		}
	}
	rows := make([]store.Recipient, 0, len(r.RecipientRows))
	for _, row := range r.RecipientRows {
		rc := store.Recipient{RowID: row.RowId, Type: uint32(row.RecipientType)}
		if row.RecipientRow != nil {
			rc.Props = msgRecipientProps(row.RecipientRow, r.RecipientColumns)
		}
		rows = append(rows, rc)
	}
	if err := mo.msg.ModifyRecipients(rows); err != nil {
		return x.fail(ecOf(err))
	}
	return x.ok(&rop.ModifyRecipientsResponse{})
}

// ropReadRecipients — [MS-OXCMSG] 3.2.5.6: the recipients from RowId on,
// as many as fit. ecNotFound when none is left, ecBufferTooSmall when not
// even one fits.
func ropReadRecipients(x *execCtx, req rop.Request) rop.Response {
	r := req.(*rop.ReadRecipientsRequest)
	mo, ec := msgInput(x, req)
	if ec != 0 {
		return x.fail(ec)
	}
	st := msgStates.get(mo)
	cols := st.cols
	if !st.known {
		cols = msgRecipColumns(mo.msg)
	}
	resp := &rop.ReadRecipientsResponse{}
	size := 7 // header and RowCount
	cp := msgCodePage(x)
	found := false
	for _, rc := range mo.msg.Recipients() {
		if rc.RowID < r.RowId {
			continue
		}
		found = true
		if len(resp.RecipientRows) == 0xFF {
			break
		}
		row := rop.ReadRecipientRow{RowId: rc.RowID, RecipientType: uint8(rc.Type), CodePageId: cp,
			RecipientRow: msgRecipientRow(rc, cols, true)}
		one := &rop.ReadRecipientsResponse{RecipientRows: []rop.ReadRecipientRow{row}}
		b, err := rop.Encode(nil, one, nil)
		if err != nil {
			return x.fail(ecError)
		}
		if size+len(b)-7 > x.budget {
			break
		}
		size += len(b) - 7
		resp.RecipientRows = append(resp.RecipientRows, row)
	}
	switch {
	case !found:
		return x.fail(ecNotFound)
	case len(resp.RecipientRows) == 0:
		return x.fail(ecBufferTooSmall)
	}
	return x.ok(resp)
}

// ropReloadCachedInformation — [MS-OXCMSG] 3.2.5.7: the RopOpenMessage
// fields of the message as the handle now has it.
func ropReloadCachedInformation(x *execCtx, req rop.Request) rop.Response {
	mo, ec := msgInput(x, req)
	if ec != 0 {
		return x.fail(ec)
	}
	return msgOpened(x, req, mo, func(om rop.OpenedMessage) rop.Response {
		return &rop.ReloadCachedInformationResponse{OpenedMessage: om}
	})
}

// ---- read flags ----

// msgReadChange says what ReadFlags do to PidTagMessageFlags —
// [MS-OXCMSG] 2.2.3.10.1: whether mfRead changes (and to what), and the
// notify bits cleared.
func msgReadChange(flags uint8) (change, read bool, clear uint32) {
	if flags&msgReadClearNotifyRead != 0 {
		clear |= msgFlagNotifyRead
	}
	if flags&msgReadClearNotifyUnread != 0 {
		clear |= msgFlagNotifyUnread
	}
	if clear != 0 || flags&msgReadGenerateReceiptOnly != 0 {
		return false, false, clear
	}
	read = flags&msgReadClearReadFlag == 0
	if read {
		clear |= msgFlagNotifyRead // the read receipt is sent or suppressed
	}
	return true, read, clear
}

// ropSetMessageReadFlag — [MS-OXCMSG] 3.2.5.11: changes mfRead of an open
// message at once in the store (a read-state change, not a save) and in
// its working copy. ReadStatusChanged is for public-folder logons only,
// which this server does not have.
func ropSetMessageReadFlag(x *execCtx, req rop.Request) rop.Response {
	r := req.(*rop.SetMessageReadFlagRequest)
	mo, ec := msgInput(x, req)
	if ec != 0 {
		return x.failAt(ec, r.ResponseHandleIndex)
	}
	m := mo.msg
	change, read, clear := msgReadChange(r.ReadFlags)
	flags := uint32(m.AllProps().Int32(store.TagMessageFlags))
	nf := flags &^ clear
	if change {
		nf &^= store.MsgFlagRead
		if read {
			nf |= store.MsgFlagRead
		}
	}
	if nf != flags {
		// The read state is not a change of the content: a read-only
		// handle may set it too.
		ro := m.ReadOnly
		m.ReadOnly = false
		_, err := m.SetProps([]prop.TaggedValue{{Tag: store.TagMessageFlags, Value: int32(nf)}})
		m.ReadOnly = ro
		if err != nil {
			return x.failAt(ecOf(err), r.ResponseHandleIndex)
		}
	}
	if change && !m.New && m.ID != 0 && mo.parentAtt == nil {
		changed, err := x.st.SetReadFlag(mo.lg.mb, m.ID, read)
		if err != nil {
			return x.failAt(ecOf(err), r.ResponseHandleIndex)
		}
		if changed {
			x.publish(mo.lg, event{kind: fnevObjectModified, fid: m.FolderID, mid: m.ID, tags: []prop.Tag{store.TagMessageFlags}})
		}
	}
	return x.okAt(&rop.SetMessageReadFlagResponse{}, r.ResponseHandleIndex)
}

// ropSetReadFlags — [MS-OXCMSG] 3.2.5.10: changes mfRead of messages of
// the input folder at once, without a new change number. No MessageIds
// means every message of the folder, as IMAPIFolder::SetReadFlags with no
// list. Ids not in the folder set PartialCompletion.
func ropSetReadFlags(x *execCtx, req rop.Request) rop.Response {
	r := req.(*rop.SetReadFlagsRequest)
	f, ec := msgFolderInput(x, req)
	if ec != 0 {
		return x.fail(ec)
	}
	lg := f.lg
	if !x.canAccess(lg, f.fid, store.RightReadAny) {
		return x.fail(ecAccessDenied)
	}
	change, read, _ := msgReadChange(r.ReadFlags)
	mids := r.MessageIds
	checked := false
	if len(mids) == 0 {
		rows, err := x.st.Contents(lg.mb, f.fid, false)
		if err != nil {
			return x.fail(ecOf(err))
		}
		for _, row := range rows {
			mids = append(mids, row.ID)
		}
		checked = true
	}
	partial := false
	for _, mid := range mids {
		if !checked {
			if _, err := x.st.OpenMessage(lg.mb, f.fid, mid); err != nil {
				partial = true
				continue
			}
		}
		if !change {
			continue // receipts only: nothing this server stores
		}
		changed, err := x.st.SetReadFlag(lg.mb, mid, read)
		if err != nil {
			partial = true
			continue
		}
		if changed {
			x.publish(lg, event{kind: fnevObjectModified, fid: f.fid, mid: mid, tags: []prop.Tag{store.TagMessageFlags}})
		}
	}
	return x.ok(&rop.SetReadFlagsResponse{PartialCompletion: partial})
}

// ---- delete, move, copy ----

// ropDeleteMessages — [MS-OXCMSG] 3.2.5 (RopDeleteMessages, [MS-OXCFOLD]
// 3.2.5.11): soft deletion.
func ropDeleteMessages(x *execCtx, req rop.Request) rop.Response {
	r := req.(*rop.DeleteMessagesRequest)
	return msgDelete(x, req, r.MessageIds, false, func(partial bool) rop.Response {
		return &rop.DeleteMessagesResponse{PartialCompletion: partial}
	})
}

// ropHardDeleteMessages — [MS-OXCFOLD] 3.2.5.12.
func ropHardDeleteMessages(x *execCtx, req rop.Request) rop.Response {
	r := req.(*rop.HardDeleteMessagesRequest)
	return msgDelete(x, req, r.MessageIds, true, func(partial bool) rop.Response {
		return &rop.HardDeleteMessagesResponse{PartialCompletion: partial}
	})
}

// msgDelete deletes messages of the input folder one by one, so that each
// one deleted is announced and each one missing or not allowed sets
// PartialCompletion. Another user needs RightDeleteAny, or
// RightDeleteOwned for the messages they created. WantAsynchronous is
// answered synchronously; NotifyNonRead receipts are not generated.
func msgDelete(x *execCtx, req rop.Request, mids []prop.ID, hard bool, mk func(bool) rop.Response) rop.Response {
	f, ec := msgFolderInput(x, req)
	if ec != 0 {
		return x.fail(ec)
	}
	lg := f.lg
	delAny := x.canAccess(lg, f.fid, store.RightDeleteAny)
	owned := !delAny && x.canAccess(lg, f.fid, store.RightDeleteOwned)
	if !delAny && !owned {
		return x.fail(ecAccessDenied)
	}
	partial := false
	for _, mid := range mids {
		if owned {
			m, err := x.st.OpenMessage(lg.mb, f.fid, mid)
			if err != nil || !msgOwned(x, m) {
				partial = true
				continue
			}
		}
		p, err := x.st.DeleteMessages(lg.mb, f.fid, []prop.ID{mid}, hard)
		if err != nil {
			return x.fail(ecOf(err))
		}
		if p {
			partial = true
			continue
		}
		x.publish(lg, event{kind: fnevObjectDeleted, fid: f.fid, mid: mid})
	}
	return x.ok(mk(partial))
}

// ropMoveCopyMessages — [MS-OXCFOLD] 3.2.5.6: from the input folder to
// the folder at DestHandleIndex, possibly in another mailbox open in the
// session. Another user's source needs RightReadAny (and RightDeleteAny
// to move); another user's destination RightCreate. A bad destination
// handle gives the ecDstNullObject layout.
func ropMoveCopyMessages(x *execCtx, req rop.Request) rop.Response {
	r := req.(*rop.MoveCopyMessagesRequest)
	src, ec := msgFolderInput(x, req)
	if ec != 0 {
		return x.fail(ec)
	}
	dobj, ec := x.object(r.DestHandleIndex)
	dst, ok := dobj.(*folderObj)
	if ec != 0 || !ok {
		resp := x.fail(ecDstNullObject).(*rop.MoveCopyMessagesResponse)
		resp.DestHandleIndex = uint32(r.DestHandleIndex)
		return resp
	}
	if !x.canAccess(src.lg, src.fid, store.RightReadAny) ||
		(!r.WantCopy && !x.canAccess(src.lg, src.fid, store.RightDeleteAny)) ||
		!x.canAccess(dst.lg, dst.fid, store.RightCreate) {
		return x.fail(ecAccessDenied)
	}
	ids, partial, err := x.st.MoveCopyMessages(src.lg.mb, src.fid, r.MessageIds, dst.lg.mb, dst.fid, r.WantCopy)
	if err != nil {
		return x.fail(ecOf(err))
	}
	same := src.lg.mb.ID == dst.lg.mb.ID
	for i, nid := range ids {
		if nid == 0 || i >= len(r.MessageIds) {
			continue
		}
		old := r.MessageIds[i]
		switch {
		case same && r.WantCopy:
			x.publish(dst.lg, event{kind: fnevObjectCopied, fid: dst.fid, mid: nid, oldFid: src.fid, oldMid: old})
		case same:
			x.publish(dst.lg, event{kind: fnevObjectMoved, fid: dst.fid, mid: nid, oldFid: src.fid, oldMid: old})
		default:
			x.publish(dst.lg, event{kind: fnevObjectCreated, fid: dst.fid, mid: nid})
			if !r.WantCopy {
				x.publish(src.lg, event{kind: fnevObjectDeleted, fid: src.fid, mid: old})
			}
		}
	}
	return x.ok(&rop.MoveCopyMessagesResponse{PartialCompletion: partial})
}

// ---- message status ----

// msgStatusResponse makes the response of RopGetMessageStatus or
// RopSetMessageStatus: both go out with RopId 0x20 ([MS-OXCROPS]
// 2.2.6.9.2).
func msgStatusResponse(resp rop.Response) rop.Response {
	resp.Header().RopId = 0x20
	return resp
}

// ropGetMessageStatus — [MS-OXCMSG] 3.2.5.9: PidTagMessageStatus of a
// message of the input folder.
func ropGetMessageStatus(x *execCtx, req rop.Request) rop.Response {
	r := req.(*rop.GetMessageStatusRequest)
	status, _, ec := msgStatus(x, req, r.MessageId, 0, 0)
	if ec != 0 {
		return msgStatusResponse(x.fail(ec))
	}
	return msgStatusResponse(x.ok(&rop.GetMessageStatusResponse{MessageStatusFlags: status}))
}

// ropSetMessageStatus — [MS-OXCMSG] 3.2.5.8: changes the bits of
// PidTagMessageStatus under MessageStatusMask and answers the old value.
func ropSetMessageStatus(x *execCtx, req rop.Request) rop.Response {
	r := req.(*rop.SetMessageStatusRequest)
	old, _, ec := msgStatus(x, req, r.MessageId, r.MessageStatusFlags, r.MessageStatusMask)
	if ec != 0 {
		return msgStatusResponse(x.fail(ec))
	}
	return msgStatusResponse(x.ok(&rop.SetMessageStatusResponse{MessageStatusFlags: old}))
}

// msgStatus reads and, when mask is not 0, changes PidTagMessageStatus
// of a message of the input folder.
func msgStatus(x *execCtx, req rop.Request, mid prop.ID, flags, mask uint32) (old uint32, m *store.Message, ec prop.ErrorCode) {
	f, ec := msgFolderInput(x, req)
	if ec != 0 {
		return 0, nil, ec
	}
	if !x.canAccess(f.lg, f.fid, store.RightReadAny) {
		return 0, nil, ecAccessDenied
	}
	m, err := x.st.OpenMessage(f.lg.mb, f.fid, mid)
	if err != nil {
		return 0, nil, ecOf(err)
	}
	old = uint32(m.AllProps().Int32(store.TagMessageStatus))
	if mask == 0 {
		return old, m, 0
	}
	if !msgCanEdit(x, f.lg, f.fid, m) {
		return 0, nil, ecAccessDenied
	}
	nv := old&^mask | flags&mask
	if nv == old {
		return old, m, 0
	}
	if _, err := m.SetProps([]prop.TaggedValue{{Tag: store.TagMessageStatus, Value: int32(nv)}}); err != nil {
		return 0, nil, ecOf(err)
	}
	if err := m.SaveChanges(true); err != nil {
		return 0, nil, ecOf(err)
	}
	x.publish(f.lg, event{kind: fnevObjectModified, fid: f.fid, mid: mid, tags: []prop.Tag{store.TagMessageStatus}})
	return old, m, 0
}

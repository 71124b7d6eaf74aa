package replay

import (
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"unicode/utf16"

	"github.com/mapiscope/mapiscope/decode"
	"github.com/mapiscope/mapiscope/decode/fxics"
	"github.com/mapiscope/mapiscope/decode/mapihttp"
	"github.com/mapiscope/mapiscope/decode/prop"
	"github.com/mapiscope/mapiscope/decode/rop"
	"github.com/mapiscope/mapiscope/decode/wire"
	"github.com/mapiscope/mapiscope/server/store"
	"github.com/mapiscope/mapiscope/trace"
)

// SeedStats counts what SeedFromTrace stored.
type SeedStats struct {
	Folders    int `json:"folders"`    // folders created
	Messages   int `json:"messages"`   // top-level messages created, FAI messages included
	Properties int `json:"properties"` // property values stored on folders, messages, recipients and attachments
	// IDs maps a recorded folder or message id to its live id where the
	// two differ (special folders of another server, ids the store could
	// not keep): a replay can teach them to its Normalizer up front.
	IDs map[prop.ID]prop.ID `json:"-"`
}

// SeedFromTrace makes a fresh mailbox (CreateMailbox has made its special
// folders) look like the recorded one as far as the trace shows it, so
// that a session recorded against another server replays offline against
// the built-in one. It reads the emsmdb sessions of ref (all of them when
// ref.Session is 0) from tr, decoding each Execute in its session's
// context, and collects:
//
//   - folders from hierarchy-table rows (RopGetHierarchyTable, RopQueryRows
//     — [MS-OXCFOLD] 2.2.1.13), RopOpenFolder, RopCreateFolder on an
//     existing folder and the properties read on opened folders;
//   - messages from contents-table rows (normal and FAI — [MS-OXCFOLD]
//     2.2.1.14), RopOpenMessage (its subject and recipient rows — [MS-OXCMSG]
//     2.2.3.1), RopReadRecipients, RopGetPropertiesSpecific/All on opened
//     messages, attachment-table rows, RopOpenAttachment,
//     RopOpenEmbeddedMessage, and whole properties read through
//     RopOpenStream + RopReadStream ([MS-OXCPRPT] 2.2.14);
//   - FastTransfer downloads: folderChange and messageChangeFull elements
//     of ICS hierarchy and contents synchronisation, and the
//     messageContent/messageList/folderContent of RopFastTransferSourceCopyTo,
//     CopyProperties and CopyMessages ([MS-OXCFXICS] 2.2.4.3).
//
// Only the state before the session is seeded: objects the session
// created (RopCreateFolder, RopCreateMessage + RopSaveChangesMessage, ICS
// imports) are left out, observations of an object after the session
// changed it are ignored, and messages first seen in a folder after the
// session may have put new ones there (submit, move, copy) are left out.
//
// The recorded special folders (RopLogon FolderIds, by index —
// [MS-OXCSTOR] 2.2.1.1.3 — and the special-folder entry ids on the Root
// and Inbox — [MS-OXOSFLD] 2.2.4) map onto the mailbox's own by role;
// a folder of the same name under the same parent maps onto the existing
// one; the others are created under their recorded parents (under the
// IPM subtree when the trace never showed the parent, named "Folder
// RRRR-GGGGGGGGGGGG" when it never showed the name). Recorded ids
// are kept where the store allows (REPLID 1, GLOBCNT not yet handed out),
// by advancing the mailbox's GLOBCNT allocator, so that recorded and live
// ids coincide; at the end the allocator is moved to the first id the
// session itself allocated, so that objects the replay creates get the
// recorded ids too.
func SeedFromTrace(tr *trace.Trace, ref SessionRef, st *store.Store, mb *store.Mailbox) (SeedStats, error) {
	if tr == nil || st == nil || mb == nil {
		return SeedStats{}, errors.New("seed: no trace, store or mailbox")
	}
	var ids []int64
	if ref.Session != 0 {
		rows, err := tr.Sessions("s.id = ?", []any{ref.Session}, trace.Page{})
		if err != nil {
			return SeedStats{}, fmt.Errorf("seed: %s: %w", ref, err)
		}
		if len(rows) == 0 {
			return SeedStats{}, fmt.Errorf("seed: %s: no session %d in the trace", ref, ref.Session)
		}
		if rows[0].Endpoint == "emsmdb" {
			ids = append(ids, ref.Session)
		}
	} else {
		rows, err := tr.Sessions("s.endpoint = 'emsmdb'", nil, trace.Page{})
		if err != nil {
			return SeedStats{}, fmt.Errorf("seed: %s: %w", ref, err)
		}
		for _, r := range rows {
			ids = append(ids, r.ID)
		}
	}
	s := newSeeder()
	for _, id := range ids {
		if err := s.readSession(tr, id); err != nil {
			return SeedStats{}, fmt.Errorf("seed: %s session %d: %w", ref.Trace, id, err)
		}
	}
	stats, err := s.apply(st, mb)
	if err != nil {
		return stats, fmt.Errorf("seed: %w", err)
	}
	return stats, nil
}

// Observation priorities: a later observation replaces an earlier one
// only with a higher priority (the first is the state before the session).
const (
	prioTable = 1 // table rows: servers may cut long values short
	prioRead  = 2 // RopGetProperties*, streams, FastTransfer
)

// propVal is one observed property value.
type propVal struct {
	tag   prop.Tag
	name  *prop.PropertyName // for named properties: what the tag's id meant on its logon
	value any
	prio  int
}

// propSet holds observed properties by id (by name for named ones).
type propSet map[string]*propVal

func (ps propSet) put(tag prop.Tag, name *prop.PropertyName, v any, prio int) {
	key := fmt.Sprintf("%04X", tag.ID())
	if name != nil {
		key = "n:" + name.String()
	}
	if old := ps[key]; old != nil && old.prio >= prio {
		return
	}
	ps[key] = &propVal{tag: tag, name: name, value: v, prio: prio}
}

func (ps propSet) get(tag prop.Tag) (any, bool) {
	if v := ps[fmt.Sprintf("%04X", tag.ID())]; v != nil {
		return v.value, true
	}
	return nil, false
}

func (ps propSet) str(tag prop.Tag) string {
	v, _ := ps.get(tag)
	s, _ := v.(string)
	return s
}

type folderRec struct {
	id         prop.ID
	parent     prop.ID
	parentSure bool // the parent came from PidTagParentFolderId, a depth-less table or a FastTransfer stream
	props      propSet
}

type msgRec struct {
	id     prop.ID // 0 for an embedded message
	folder prop.ID
	assoc  bool
	props  propSet
	recips map[uint32]*recipRec
	atts   map[uint32]*attRec
}

func newMsgRec(id, folder prop.ID) *msgRec {
	return &msgRec{id: id, folder: folder, props: propSet{}, recips: map[uint32]*recipRec{}, atts: map[uint32]*attRec{}}
}

func (m *msgRec) attachment(num uint32) *attRec {
	a := m.atts[num]
	if a == nil {
		a = &attRec{num: num, props: propSet{}}
		m.atts[num] = a
	}
	return a
}

type recipRec struct {
	typ   uint32
	props propSet
}

type attRec struct {
	num      uint32
	props    propSet
	embedded *msgRec
}

// seeder is what the trace showed of the mailbox, across sessions.
type seeder struct {
	ownDN      string // the Essdn of the first private-mailbox logon
	replID     uint16 // REPLID and REPLGUID of that mailbox's logon
	replGUID   prop.GUID
	haveRepl   bool
	roles      map[prop.ID]store.Role
	folders    map[prop.ID]*folderRec
	msgs       map[prop.ID]*msgRec
	createdF   map[prop.ID]bool
	createdM   map[prop.ID]bool
	firstAlloc uint64 // lowest GLOBCNT the session allocated (0: none)

	dirtyMsg      map[prop.ID]bool // changed by the session: later observations are not the old state
	dirtyFolder   map[prop.ID]bool
	dirtyContents map[prop.ID]bool // may hold messages the session put there (FAI aside)
	contentsAll   bool             // any folder may (RopMoveCopyMessages and the like)
	hierAll       bool             // any folder may hold folders the session put there
}

func newSeeder() *seeder {
	return &seeder{
		roles: map[prop.ID]store.Role{}, folders: map[prop.ID]*folderRec{}, msgs: map[prop.ID]*msgRec{},
		createdF: map[prop.ID]bool{}, createdM: map[prop.ID]bool{},
		dirtyMsg: map[prop.ID]bool{}, dirtyFolder: map[prop.ID]bool{},
		dirtyContents: map[prop.ID]bool{},
	}
}

// allocated notes an id the session had the server allocate.
func (s *seeder) allocated(id prop.ID) {
	if id == 0 || id.ReplicaId() != 1 {
		return
	}
	if gc := id.GlobalCounter(); s.firstAlloc == 0 || gc < s.firstAlloc {
		s.firstAlloc = gc
	}
}

// folder returns the record of a folder seen; inTable says it was seen as
// a row of parent's hierarchy (and so may be one the session put there).
func (s *seeder) folder(fid, parent prop.ID, sure, inTable bool) *folderRec {
	if fid == 0 || s.createdF[fid] {
		return nil
	}
	f := s.folders[fid]
	if f == nil {
		if inTable && s.hierAll {
			return nil
		}
		f = &folderRec{id: fid, props: propSet{}}
		s.folders[fid] = f
	}
	if parent != 0 && parent != fid && !s.dirtyFolder[fid] && (f.parent == 0 || sure && !f.parentSure) {
		f.parent, f.parentSure = parent, sure
	}
	return f
}

// message returns the record of a top-level message seen in folder (in
// its FAI contents with assoc), or nil when it is not part of the state
// before the session.
func (s *seeder) message(mid, folder prop.ID, assoc bool) *msgRec {
	if mid == 0 || s.createdM[mid] || s.dirtyMsg[mid] {
		return nil
	}
	if m := s.msgs[mid]; m != nil {
		return m
	}
	if folder == 0 || s.createdF[folder] || s.contentsAll || !assoc && s.dirtyContents[folder] {
		return nil
	}
	if s.folder(folder, 0, false, false) == nil {
		return nil
	}
	m := newMsgRec(mid, folder)
	s.msgs[mid] = m
	return m
}

// recordedID turns a source key (an XID of the mailbox's REPLGUID) into a
// recorded id — [MS-OXCFXICS] 2.2.2.2.
func (s *seeder) recordedID(xid []byte) prop.ID {
	g, gc, ok := store.ParseXID(xid)
	if !ok || !s.haveRepl || g != s.replGUID {
		return 0
	}
	return prop.MakeID(s.replID, gc)
}

// ---- reading the trace ----

type objKind uint8

const (
	objFolder objKind = iota + 1
	objMessage
	objAttachment
	objTable
	objStream
	objFX
)

type tableKind uint8

const (
	tableHierarchy tableKind = iota + 1
	tableContents
	tableAttachments
)

type fxKind uint8

const (
	fxHierarchySync fxKind = iota + 1
	fxContentsSync
	fxCopyTo // messageContent / folderContent / attachmentContent of the parent object
	fxCopyMessages
)

// objRec is what the seeder knows of one object of the recorded session.
type objRec struct {
	kind   objKind
	fid    prop.ID // a folder's id; the folder of a message or table
	top    prop.ID // the top-level message of a message, attachment or stream
	msg    *msgRec // an embedded message's record
	att    *attRec // an attachment's record
	parent *objRec // what a table, stream, attachment or context belongs to
	ignore bool    // created or changed by the session, or not part of the old state

	table tableKind
	assoc bool
	depth bool

	tag    prop.Tag
	size   uint32
	data   []byte
	broken bool

	fx   fxKind
	mids []prop.ID
	next int
}

// walk reads one recorded session.
type walk struct {
	s    *seeder
	ds   *decode.Session
	objs map[*decode.Object]*objRec
	own  map[uint8]bool // LogonIds on the seeded mailbox
}

func (s *seeder) readSession(tr *trace.Trace, sid int64) error {
	w := &walk{s: s, ds: decode.NewSession(), objs: map[*decode.Object]*objRec{}, own: map[uint8]bool{}}
	return tr.ReadExchanges("e.session_id = ?", []any{sid}, func(id int64, ex *trace.Exchange) error {
		rt, _ := mapihttp.ParseRequestType(ex.ReqHeader.Get("X-RequestType"))
		if rt != mapihttp.TypeExecute || ex.Status != http.StatusOK || len(ex.RespBody) == 0 {
			return nil
		}
		f, err := mapihttp.ParseResponseBody(ex.RespBody)
		if err != nil || f == nil {
			return nil // an unreadable response shows nothing of the mailbox
		}
		res := w.ds.Execute(ex.ReqBody, f.Body, false)
		pairs := res.Pairs()
		for i := range pairs {
			w.pair(&pairs[i])
		}
		return nil
	})
}

func (w *walk) pair(p *decode.RopPair) {
	if p.Request == nil {
		return
	}
	if _, ok := p.Request.(*rop.ReleaseRequest); ok {
		delete(w.objs, p.Input)
		return
	}
	if p.Response == nil {
		return
	}
	if rv, ok := p.ReturnValue(); !ok || rv != 0 {
		return
	}
	h := p.Request.Header()
	if lr, ok := p.Request.(*rop.LogonRequest); ok {
		w.logon(h.LogonId, lr, p.Response)
		return
	}
	if !w.own[h.LogonId] {
		return
	}
	s := w.s
	in := w.objs[p.Input]
	out := func(o *objRec) {
		if p.Output != nil {
			w.objs[p.Output] = o
		}
	}
	switch r := p.Request.(type) {
	// ---- objects ----
	case *rop.OpenFolderRequest:
		o := &objRec{kind: objFolder, fid: r.FolderId}
		if s.folder(r.FolderId, 0, false, false) == nil {
			o.ignore = true
		}
		out(o)
	case *rop.CreateFolderRequest:
		a, _ := p.Response.(*rop.CreateFolderResponse)
		if a == nil {
			return
		}
		o := &objRec{kind: objFolder, fid: a.FolderId}
		switch {
		case !a.IsExistingFolder:
			s.createdF[a.FolderId] = true
			s.allocated(a.FolderId)
			o.ignore = true
		case in != nil && in.kind == objFolder:
			// An existing folder: its name and parent are the request's.
			if f := s.folder(a.FolderId, in.fid, true, true); f != nil && !s.dirtyFolder[a.FolderId] {
				f.props.put(store.TagDisplayName, nil, r.DisplayName, prioRead)
			} else {
				o.ignore = true
			}
		}
		out(o)
	case *rop.GetHierarchyTableRequest:
		if in != nil && in.kind == objFolder {
			out(&objRec{kind: objTable, table: tableHierarchy, fid: in.fid, depth: r.TableFlags&0x04 != 0, parent: in, ignore: s.createdF[in.fid]})
		}
	case *rop.GetContentsTableRequest:
		if in != nil && in.kind == objFolder {
			out(&objRec{kind: objTable, table: tableContents, fid: in.fid, assoc: r.TableFlags&0x02 != 0, parent: in, ignore: s.createdF[in.fid]})
		}
	case *rop.GetAttachmentTableRequest:
		if in != nil && in.kind == objMessage {
			out(&objRec{kind: objTable, table: tableAttachments, fid: in.fid, top: in.top, parent: in, ignore: in.ignore})
		}
	case *rop.OpenMessageRequest:
		o := &objRec{kind: objMessage, fid: r.FolderId, top: r.MessageId}
		out(o)
		m := s.message(r.MessageId, r.FolderId, false)
		if m == nil {
			o.ignore = true
			return
		}
		if a, ok := p.Response.(*rop.OpenMessageResponse); ok {
			w.opened(m, &a.OpenedMessage, h.LogonId)
		}
	case *rop.CreateMessageRequest:
		o := &objRec{kind: objMessage, fid: r.FolderId, ignore: true}
		if a, ok := p.Response.(*rop.CreateMessageResponse); ok && a.HasMessageId {
			o.top = a.MessageId
			s.createdM[a.MessageId] = true
			s.allocated(a.MessageId)
		}
		out(o)
	case *rop.SaveChangesMessageRequest:
		a, _ := p.Response.(*rop.SaveChangesMessageResponse)
		switch {
		case a == nil || in == nil:
		case p.Input != nil && p.Input.CreatedByRop == 0x06: // RopCreateMessage
			s.createdM[a.MessageId] = true
			s.allocated(a.MessageId)
		default:
			w.dirty(in)
		}
	case *rop.OpenAttachmentRequest:
		if in == nil || in.kind != objMessage {
			return
		}
		o := &objRec{kind: objAttachment, fid: in.fid, top: in.top, parent: in, ignore: true}
		if m := w.msgOf(in); m != nil {
			o.att, o.ignore = m.attachment(r.AttachmentID), false
		}
		out(o)
	case *rop.CreateAttachmentRequest:
		if in != nil {
			w.dirty(in)
			out(&objRec{kind: objAttachment, fid: in.fid, top: in.top, parent: in, ignore: true})
		}
	case *rop.OpenEmbeddedMessageRequest:
		if in == nil || in.kind != objAttachment {
			return
		}
		o := &objRec{kind: objMessage, fid: in.fid, top: in.top, parent: in, ignore: true}
		if r.OpenModeFlags&0x02 != 0 { // Create
			w.dirty(in)
		} else if in.att != nil && !in.ignore && !s.dirtyMsg[in.top] {
			if in.att.embedded == nil {
				in.att.embedded = newMsgRec(0, 0)
			}
			o.msg, o.ignore = in.att.embedded, false
			if a, ok := p.Response.(*rop.OpenEmbeddedMessageResponse); ok {
				w.opened(o.msg, &a.OpenedMessage, h.LogonId)
			}
		}
		out(o)
	case *rop.OpenStreamRequest:
		if in == nil {
			return
		}
		o := &objRec{kind: objStream, fid: in.fid, top: in.top, parent: in, tag: r.PropertyTag, ignore: in.ignore}
		if a, ok := p.Response.(*rop.OpenStreamResponse); ok {
			o.size = a.StreamSize
		}
		if r.OpenModeFlags&0x02 != 0 { // Create: the old value is gone
			o.broken = true
		}
		out(o)

	// ---- reads ----
	case *rop.QueryRowsRequest:
		if a, ok := p.Response.(*rop.QueryRowsResponse); ok {
			w.rows(in, p, a.RowData)
		}
	case *rop.FindRowRequest:
		if a, ok := p.Response.(*rop.FindRowResponse); ok && a.HasRowData {
			w.rows(in, p, []prop.Row{a.RowData})
		}
	case *rop.ExpandRowRequest:
		if a, ok := p.Response.(*rop.ExpandRowResponse); ok {
			w.rows(in, p, a.RowData)
		}
	case *rop.GetPropertiesSpecificRequest:
		a, _ := p.Response.(*rop.GetPropertiesSpecificResponse)
		if ps := w.props(in); ps != nil && a != nil {
			for i, t := range r.PropertyTags {
				if i < len(a.RowData.Values) {
					w.put(ps, in, t, a.RowData.Values[i], prioRead, h.LogonId)
				}
			}
		}
	case *rop.GetPropertiesAllRequest:
		a, _ := p.Response.(*rop.GetPropertiesAllResponse)
		if ps := w.props(in); ps != nil && a != nil {
			for _, tv := range a.PropertyValues {
				w.put(ps, in, tv.Tag, tv.Value, prioRead, h.LogonId)
			}
		}
	case *rop.ReadRecipientsRequest:
		a, _ := p.Response.(*rop.ReadRecipientsResponse)
		if m := w.msgOf(in); m != nil && a != nil {
			cols := p.Context.Columns
			for i := range a.RecipientRows {
				rr := &a.RecipientRows[i]
				w.recipient(m, rr.RowId, uint32(rr.RecipientType), &rr.RecipientRow, cols, h.LogonId)
			}
		}
	case *rop.ReadStreamRequest:
		a, _ := p.Response.(*rop.ReadStreamResponse)
		if in == nil || in.kind != objStream || a == nil || in.broken {
			return
		}
		if len(in.data)+len(a.Data) > int(in.size) {
			in.broken = true
			return
		}
		in.data = append(in.data, a.Data...)
		if len(in.data) == int(in.size) {
			w.streamDone(in, h.LogonId)
		}
	case *rop.SeekStreamRequest:
		if in != nil && in.kind == objStream && !(r.Origin == 0 && r.Offset == int64(len(in.data))) {
			in.broken = true
		}
	case *rop.FastTransferSourceGetBufferRequest:
		if in != nil && in.kind == objFX && !in.ignore && p.Stream != nil {
			for _, el := range p.Stream.Elements {
				w.fxElement(in, el)
			}
		}

	// ---- FastTransfer and ICS download contexts ----
	case *rop.SynchronizationConfigureRequest:
		if in == nil || in.kind != objFolder {
			return
		}
		o := &objRec{kind: objFX, fid: in.fid, parent: in, ignore: s.createdF[in.fid]}
		switch r.SynchronizationType {
		case 0x01:
			o.fx = fxContentsSync
		case 0x02:
			o.fx = fxHierarchySync
		default:
			o.ignore = true
		}
		out(o)
	case *rop.FastTransferSourceCopyToRequest:
		if in != nil {
			out(&objRec{kind: objFX, fx: fxCopyTo, fid: in.fid, top: in.top, parent: in, ignore: in.ignore})
		}
	case *rop.FastTransferSourceCopyPropertiesRequest:
		if in != nil {
			out(&objRec{kind: objFX, fx: fxCopyTo, fid: in.fid, top: in.top, parent: in, ignore: in.ignore})
		}
	case *rop.FastTransferSourceCopyMessagesRequest:
		if in != nil && in.kind == objFolder {
			out(&objRec{kind: objFX, fx: fxCopyMessages, fid: in.fid, parent: in, mids: r.MessageIds, ignore: s.createdF[in.fid]})
		}

	// ---- changes the session made ----
	case *rop.SetPropertiesRequest, *rop.SetPropertiesNoReplicateRequest, *rop.DeletePropertiesRequest,
		*rop.DeletePropertiesNoReplicateRequest, *rop.ModifyRecipientsRequest, *rop.RemoveAllRecipientsRequest,
		*rop.SetMessageReadFlagRequest, *rop.SetMessageStatusRequest, *rop.DeleteAttachmentRequest,
		*rop.SaveChangesAttachmentRequest, *rop.WriteStreamRequest, *rop.WriteStreamExtendedRequest,
		*rop.SetStreamSizeRequest, *rop.CommitStreamRequest, *rop.WriteAndCommitStreamRequest,
		*rop.FastTransferDestinationConfigureRequest:
		w.dirty(in)
	case *rop.SubmitMessageRequest, *rop.TransportSendRequest:
		w.dirty(in)
		// Delivery and the sent copy land in these (rules aside).
		for id, role := range s.roles {
			switch role {
			case store.RoleInbox, store.RoleSentItems, store.RoleOutbox, store.RoleDeletedItems:
				s.dirtyContents[id] = true
			}
		}
	case *rop.SetReadFlagsRequest:
		for _, id := range r.MessageIds {
			s.dirtyMsg[id] = true
		}
	case *rop.MoveCopyMessagesRequest:
		for _, id := range r.MessageIds {
			s.dirtyMsg[id] = true
		}
		s.contentsAll = true // the destination is a handle index the pair does not resolve
	case *rop.MoveFolderRequest:
		s.dirtyFolder[r.FolderId] = true
		s.hierAll = true
	case *rop.CopyFolderRequest:
		s.hierAll, s.contentsAll = true, true
	case *rop.SynchronizationImportMessageMoveRequest:
		s.contentsAll = true
	case *rop.SynchronizationImportMessageChangeRequest:
		if a, ok := p.Response.(*rop.SynchronizationImportMessageChangeResponse); ok {
			if s.msgs[a.MessageId] != nil {
				s.dirtyMsg[a.MessageId] = true
			} else {
				s.createdM[a.MessageId] = true
			}
		}
	case *rop.SynchronizationImportHierarchyChangeRequest:
		if a, ok := p.Response.(*rop.SynchronizationImportHierarchyChangeResponse); ok {
			if s.folders[a.FolderId] != nil {
				s.dirtyFolder[a.FolderId] = true
			} else {
				s.createdF[a.FolderId] = true
			}
		}
		s.hierAll = true
	case *rop.GetLocalReplicaIdsRequest:
		if a, ok := p.Response.(*rop.GetLocalReplicaIdsResponse); ok && s.haveRepl && a.ReplGuid == s.replGUID {
			s.allocated(prop.MakeID(1, uint64(a.GlobalCount)))
		}
	}
}

// logon learns which logons are on the seeded mailbox and the special
// folders' roles.
func (w *walk) logon(lid uint8, r *rop.LogonRequest, resp rop.Response) {
	a, ok := resp.(*rop.LogonResponse)
	if !ok || !a.Private() {
		w.own[lid] = false
		return
	}
	s := w.s
	if s.ownDN == "" {
		s.ownDN = r.Essdn
	}
	w.own[lid] = strings.EqualFold(s.ownDN, r.Essdn)
	if !w.own[lid] {
		return
	}
	if !s.haveRepl {
		s.replID, s.replGUID, s.haveRepl = a.ReplId, a.ReplGuid, true
	}
	for i, id := range a.FolderIds {
		if id != 0 {
			s.roles[id] = store.LogonFolderRoles[i]
		}
	}
}

// dirty marks the object a change-making ROP worked on as changed by the
// session.
func (w *walk) dirty(o *objRec) {
	for o != nil {
		switch o.kind {
		case objFolder:
			w.s.dirtyFolder[o.fid] = true
			return
		case objMessage, objAttachment:
			if o.top != 0 {
				w.s.dirtyMsg[o.top] = true
			}
			return
		}
		o = o.parent
	}
}

// msgOf returns the message record of a message object still part of the
// old state.
func (w *walk) msgOf(o *objRec) *msgRec {
	if o == nil || o.kind != objMessage || o.ignore || w.s.dirtyMsg[o.top] {
		return nil
	}
	if o.msg != nil {
		return o.msg
	}
	return w.s.message(o.top, o.fid, false)
}

// props returns where properties read on an object go (nil: nowhere).
func (w *walk) props(o *objRec) propSet {
	if o == nil || o.ignore {
		return nil
	}
	switch o.kind {
	case objFolder:
		if f := w.s.folders[o.fid]; f != nil && !w.s.dirtyFolder[o.fid] {
			return f.props
		}
	case objMessage:
		if m := w.msgOf(o); m != nil {
			return m.props
		}
	case objAttachment:
		if o.att != nil && !w.s.dirtyMsg[o.top] {
			return o.att.props
		}
	}
	return nil
}

// opened records what RopOpenMessage (or RopOpenEmbeddedMessage) says of
// a message: its subject parts and recipient rows.
func (w *walk) opened(m *msgRec, om *rop.OpenedMessage, logon uint8) {
	if om.SubjectPrefix.StringType != rop.StringNone {
		m.props.put(prop.NewTag(0x003D, prop.PtypString), nil, om.SubjectPrefix.String, prioRead) // PidTagSubjectPrefix
	}
	if om.NormalizedSubject.StringType != rop.StringNone {
		m.props.put(store.TagNormalizedSubject, nil, om.NormalizedSubject.String, prioRead)
	}
	for i := range om.RecipientRows {
		rr := &om.RecipientRows[i]
		w.recipient(m, uint32(i), uint32(rr.RecipientType), &rr.RecipientRow, om.RecipientColumns, logon)
	}
}

// recipient records a RecipientRow — [MS-OXCDATA] 2.8.3: the address in
// its standard fields by type, then the properties over cols.
func (w *walk) recipient(m *msgRec, rowID, typ uint32, row *rop.RecipientRow, cols []prop.Tag, logon uint8) {
	ps := propSet{}
	f := row.RecipientFlags
	switch row.Type() {
	case rop.RecipX500DN:
		ps.put(store.TagAddressType, nil, "EX", prioRead)
		ps.put(store.TagEmailAddress, nil, row.X500DN, prioRead)
	case rop.RecipMsMail:
		ps.put(store.TagAddressType, nil, "MSMAIL", prioRead)
	case rop.RecipSMTP:
		ps.put(store.TagAddressType, nil, "SMTP", prioRead)
	case rop.RecipFax:
		ps.put(store.TagAddressType, nil, "FAX", prioRead)
	case rop.RecipProfessionalOfficeSystem:
		ps.put(store.TagAddressType, nil, "PROFS", prioRead)
	case rop.RecipPersonalDistributionList1, rop.RecipPersonalDistributionList2:
		ps.put(store.TagAddressType, nil, "MAPIPDL", prioRead)
	case rop.RecipNoType:
		if f&rop.RecipO != 0 {
			ps.put(store.TagAddressType, nil, row.AddressType, prioRead)
		}
	}
	if f&rop.RecipE != 0 {
		ps.put(store.TagEmailAddress, nil, row.EmailAddress, prioRead)
		if row.Type() == rop.RecipSMTP {
			ps.put(store.TagSmtpAddress, nil, row.EmailAddress, prioRead)
		}
	}
	if f&rop.RecipD != 0 {
		ps.put(store.TagDisplayName, nil, row.DisplayName, prioRead)
	}
	if f&rop.RecipI != 0 {
		ps.put(prop.NewTag(0x39FF, prop.PtypString), nil, row.SimpleDisplayName, prioRead) // PidTagAddressBookDisplayNamePrintable
	}
	if f&rop.RecipT != 0 {
		ps.put(prop.NewTag(0x3A20, prop.PtypString), nil, row.TransmittableDisplayName, prioRead) // PidTagTransmittableDisplayName
	} else if f&rop.RecipS != 0 && f&rop.RecipD != 0 {
		ps.put(prop.NewTag(0x3A20, prop.PtypString), nil, row.DisplayName, prioRead)
	}
	n := int(row.RecipientColumnCount)
	for i := 0; i < n && i < len(cols) && i < len(row.RecipientProperties.Values); i++ {
		w.put(ps, nil, cols[i], row.RecipientProperties.Values[i], prioRead, logon)
	}
	m.recips[rowID] = &recipRec{typ: typ, props: ps}
}

// rows records the rows a table returned.
func (w *walk) rows(t *objRec, p *decode.RopPair, rows []prop.Row) {
	if t == nil || t.kind != objTable || t.ignore {
		return
	}
	cols := p.Context.Columns
	if !p.Context.HasColumns && p.Input != nil {
		cols = p.Input.Columns
	}
	if len(cols) == 0 {
		return
	}
	lid := p.Request.Header().LogonId
	col := func(tag prop.Tag) int {
		for i, c := range cols {
			if c.ID() == tag.ID() {
				return i
			}
		}
		return -1
	}
	s := w.s
	switch t.table {
	case tableHierarchy:
		iFid, iParent, iDepth := col(store.TagFolderId), col(store.TagParentFolderId), col(tagDepth)
		if iFid < 0 {
			return
		}
		stack := []prop.ID{t.fid}
		for _, row := range rows {
			fid := idCell(row, iFid)
			if fid == 0 {
				continue
			}
			parent, sure := t.fid, !t.depth
			if pid := idCell(row, iParent); pid != 0 {
				parent, sure = pid, true
			} else if t.depth {
				parent, sure = 0, false
				if d, ok := cell(row, iDepth); ok {
					if depth, ok := d.(int32); ok && depth >= 0 && int(depth) < len(stack) {
						parent, sure = stack[depth], true
						stack = append(stack[:depth+1], fid)
					}
				}
			}
			f := s.folder(fid, parent, sure, true)
			if f == nil || s.dirtyFolder[fid] {
				continue
			}
			w.putRow(f.props, nil, cols, row, lid)
		}
	case tableContents:
		iMid, iParent, iType := col(store.TagMid), col(store.TagParentFolderId), col(tagRowType)
		if iMid < 0 {
			return
		}
		for _, row := range rows {
			if v, ok := cell(row, iType); ok && v != int32(1) { // TBL_LEAF_ROW
				continue
			}
			folder := t.fid
			if pid := idCell(row, iParent); pid != 0 {
				folder = pid
			}
			m := s.message(idCell(row, iMid), folder, t.assoc)
			if m == nil {
				continue
			}
			if t.assoc {
				m.assoc = true
			}
			w.putRow(m.props, nil, cols, row, lid)
		}
	case tableAttachments:
		iNum := col(store.TagAttachNumber)
		m := w.msgOf(t.parent)
		if iNum < 0 || m == nil {
			return
		}
		for _, row := range rows {
			v, ok := cell(row, iNum)
			num, isInt := v.(int32)
			if !ok || !isInt {
				continue
			}
			w.putRow(m.attachment(uint32(num)).props, nil, cols, row, lid)
		}
	}
}

func (w *walk) putRow(ps propSet, o *objRec, cols []prop.Tag, row prop.Row, logon uint8) {
	for i, c := range cols {
		if i >= len(row.Values) {
			break
		}
		w.put(ps, o, c, row.Values[i], prioTable, logon)
	}
}

// put records one observed value: o, when it is a folder, may name the
// special folders through their entry ids.
func (w *walk) put(ps propSet, o *objRec, tag prop.Tag, v any, prio int, logon uint8) {
	tag, v, ok := cellValue(tag, v)
	if !ok {
		return
	}
	if o != nil && o.kind == objFolder {
		w.s.specialEntryIDs(tag, v)
	}
	if skipProp(tag) {
		return
	}
	var name *prop.PropertyName
	if tag.Named() {
		n, ok := w.ds.NamedProperty(logon, tag.ID())
		if !ok {
			return // an id whose name the trace never showed means nothing in another mailbox
		}
		name = &n
	}
	ps.put(tag, name, v, prio)
}

// Special-folder entry ids on the Root and Inbox — [MS-OXOSFLD] 2.2.4.
var specialEntryIDRoles = map[uint16]store.Role{
	0x36D0: store.RoleCalendar, 0x36D1: store.RoleContacts, 0x36D2: store.RoleJournal,
	0x36D3: store.RoleNotes, 0x36D4: store.RoleTasks, 0x36D7: store.RoleDrafts,
}

// additionalRenRoles are the folders of PidTagAdditionalRenEntryIds, by index.
var additionalRenRoles = []store.Role{store.RoleConflicts, store.RoleSyncIssues, store.RoleLocalFailures, store.RoleServerFailures, store.RoleJunk}

func (s *seeder) specialEntryIDs(tag prop.Tag, v any) {
	if r, ok := specialEntryIDRoles[tag.ID()]; ok {
		if b, ok := v.([]byte); ok {
			if id := s.folderEntryID(b); id != 0 {
				s.roles[id] = r
			}
		}
		return
	}
	if tag.ID() == 0x36D8 {
		if l, ok := v.([][]byte); ok {
			for i, b := range l {
				if i < len(additionalRenRoles) {
					if id := s.folderEntryID(b); id != 0 {
						s.roles[id] = additionalRenRoles[i]
					}
				}
			}
		}
	}
}

// folderEntryID reads a Folder EntryID of the mailbox — [MS-OXCDATA] 2.2.4.1.
func (s *seeder) folderEntryID(b []byte) prop.ID {
	if len(b) == 0 || !s.haveRepl {
		return 0
	}
	var e prop.FolderEntryID
	c := wire.NewDecoder(b, false, "FolderEntryID")
	prop.CodecFolderEntryID(c, &e, "FolderEntryID")
	if c.Err() != nil || e.DatabaseGuid != s.replGUID {
		return 0
	}
	return prop.MakeID(s.replID, uint64(e.GlobalCounter))
}

// streamDone records a stream read to its end as its property's value.
func (w *walk) streamDone(o *objRec, logon uint8) {
	ps := w.props(o.parent)
	if ps == nil {
		return
	}
	var v any = append([]byte(nil), o.data...)
	tag := o.tag
	switch tag.Type() {
	case prop.PtypString:
		u := make([]uint16, len(o.data)/2)
		for i := range u {
			u[i] = uint16(o.data[2*i]) | uint16(o.data[2*i+1])<<8
		}
		for len(u) > 0 && u[len(u)-1] == 0 {
			u = u[:len(u)-1]
		}
		v = string(utf16.Decode(u))
	case prop.PtypString8:
		v = strings.TrimRight(string(o.data), "\x00")
	case prop.PtypBinary, prop.PtypObject:
	default:
		return
	}
	w.put(ps, o.parent, tag, v, prioRead, logon)
	o.data = nil
	o.broken = true // read again from the start would append
}

// ---- FastTransfer ----

// fxElement records a completed element of a download stream.
func (w *walk) fxElement(o *objRec, el *fxics.Element) {
	if el == nil {
		return
	}
	s := w.s
	switch o.fx {
	case fxHierarchySync:
		if el.Kind != fxics.KindFolderChange {
			return
		}
		fid := idAtom(el.Prop(fxics.PidTagFolderId))
		if fid == 0 {
			fid = s.recordedID(bytesAtom(el.Prop(fxics.PidTagSourceKey)))
		}
		parent := o.fid
		if pk := bytesAtom(el.Prop(fxics.PidTagParentSourceKey)); len(pk) > 0 {
			parent = s.recordedID(pk)
		}
		if pid := idAtom(el.Prop(fxics.PidTagParentFolderId)); pid != 0 {
			parent = pid
		}
		f := s.folder(fid, parent, parent != 0, true)
		if f == nil || s.dirtyFolder[fid] {
			return
		}
		w.fxProps(f.props, &objRec{kind: objFolder, fid: fid}, el.Props())
	case fxContentsSync:
		if el.Kind != fxics.KindMessageChangeFull {
			return
		}
		mid := idAtom(el.Prop(fxics.PidTagMid))
		if mid == 0 {
			mid = s.recordedID(bytesAtom(el.Prop(fxics.PidTagSourceKey)))
		}
		assoc := false
		if a := el.Prop(fxics.PidTagAssociated); a != nil {
			v, err := a.Value()
			assoc = err == nil && v == true
		}
		m := s.message(mid, o.fid, assoc)
		if m == nil {
			return
		}
		if assoc {
			m.assoc = true
		}
		w.fxMessage(m, el)
	case fxCopyMessages:
		if el.Kind != fxics.KindMessage {
			return
		}
		if o.next >= len(o.mids) {
			return
		}
		mid := o.mids[o.next]
		o.next++
		fai := len(el.Children) > 0 && el.Children[0].Atom != nil && el.Children[0].Atom.Is(fxics.StartFAIMsg)
		if m := s.message(mid, o.fid, fai); m != nil {
			m.assoc = m.assoc || fai
			w.fxMessage(m, el)
		}
	case fxCopyTo:
		ps := w.props(o.parent)
		if ps == nil {
			return
		}
		switch el.Kind {
		case fxics.KindPropList:
			w.fxProps(ps, o.parent, el.Props())
		case fxics.KindMessageChildren:
			if m := w.msgOf(o.parent); m != nil {
				w.fxChildren(m, el)
			}
		}
	}
}

// fxMessage records a message element's properties, recipients and attachments.
func (w *walk) fxMessage(m *msgRec, el *fxics.Element) {
	w.fxProps(m.props, nil, el.Props())
	if ch := el.Elements(fxics.KindMessageChildren); len(ch) > 0 {
		w.fxChildren(m, ch[0])
	}
}

func (w *walk) fxChildren(m *msgRec, ch *fxics.Element) {
	for i, r := range ch.Elements(fxics.KindRecipient) {
		ps := propSet{}
		row, typ := uint32(i), uint32(store.RecipTo)
		for _, a := range r.Props() {
			v, err := a.Value()
			if err != nil {
				continue
			}
			switch a.Tag.ID() {
			case store.TagRowid.ID():
				if x, ok := v.(int32); ok {
					row = uint32(x)
				}
			case store.TagRecipientType.ID():
				if x, ok := v.(int32); ok {
					typ = uint32(x)
				}
			}
		}
		w.fxProps(ps, nil, r.Props())
		m.recips[row] = &recipRec{typ: typ, props: ps}
	}
	for _, at := range ch.Elements(fxics.KindAttachment) {
		a := at.Prop(fxics.PidTagAttachNumber)
		if a == nil {
			continue
		}
		v, err := a.Value()
		num, ok := v.(int32)
		if err != nil || !ok {
			continue
		}
		rec := m.attachment(uint32(num))
		w.fxProps(rec.props, nil, at.Props())
		if emb := at.Elements(fxics.KindEmbeddedMessage); len(emb) > 0 {
			if rec.embedded == nil {
				rec.embedded = newMsgRec(0, 0)
			}
			w.fxMessage(rec.embedded, emb[0])
		}
	}
}

// fxProps records propValues of a FastTransfer stream, which name their
// named properties themselves ([MS-OXCFXICS] 2.2.4.1.2).
func (w *walk) fxProps(ps propSet, o *objRec, atoms []*fxics.Atom) {
	for _, a := range atoms {
		if a == nil || a.Marker || a.Truncated {
			continue
		}
		v, err := a.Value()
		if err != nil {
			continue
		}
		tag := a.Tag
		if _, ok := fxics.CodePage(tag.Type()); ok {
			tag = tag.WithType(prop.PtypString)
		}
		tag, v, ok := cellValue(tag, v)
		if !ok {
			continue
		}
		if o != nil && o.kind == objFolder {
			w.s.specialEntryIDs(tag, v)
		}
		if skipProp(tag) {
			continue
		}
		var name *prop.PropertyName
		if tag.Named() {
			if a.Name == nil {
				continue
			}
			n := *a.Name
			name = &n
		}
		ps.put(tag, name, v, prioRead)
	}
}

func idAtom(a *fxics.Atom) prop.ID {
	if a == nil {
		return 0
	}
	v, err := a.Value()
	if x, ok := v.(int64); ok && err == nil {
		return prop.ID(uint64(x))
	}
	return 0
}

func bytesAtom(a *fxics.Atom) []byte {
	if a == nil {
		return nil
	}
	v, err := a.Value()
	if b, ok := v.([]byte); ok && err == nil {
		return b
	}
	return nil
}

// ---- values ----

// Table columns that are not properties of the object — [MS-OXCTABL] 2.2.1.
const (
	tagDepth   prop.Tag = 0x30050003 // PidTagDepth
	tagRowType prop.Tag = 0x0FF50003 // PidTagRowType
)

// skipIDs are properties the store or the server computes, that carry the
// recorded server's identities (entry ids, source and change keys), that
// only tables have, or FastTransfer meta-properties.
var skipIDs = map[uint16]bool{
	0x0FFF: true, 0x0E09: true, 0x0FF9: true, 0x0FFB: true, 0x0FFA: true, 0x0FFE: true, // entry ids, record keys, object type
	0x0FF4: true, 0x0FF7: true, 0x6639: true, 0x663A: true, // access, rights, has rules
	0x0FF6: true, 0x674D: true, 0x674E: true, 0x0FF5: true, 0x3005: true, // instance key/id/num, row type, depth
	0x65E0: true, 0x65E1: true, 0x65E2: true, 0x65E3: true, 0x67A4: true, // source/change keys, PCL, change number
	0x6748: true, 0x6749: true, 0x674A: true, 0x67AA: true, // folder id, parent folder id, mid, associated
	0x3601: true, 0x3602: true, 0x3603: true, 0x3617: true, 0x360A: true, 0x670B: true, 0x670A: true, // folder counts and type
	0x0E08: true, 0x0E1B: true, 0x0E12: true, 0x0E13: true, 0x0E21: true, 0x0E20: true, // message size, attachments
	0x3007: true, 0x3008: true, // creation and modification times
	0x3000: true, 0x0C15: true, // recipient row id and type: the row carries them
	0x4008: true, 0x400F: true, 0x4011: true, 0x4016: true, 0x4017: true, 0x407A: true, 0x407C: true, // FastTransfer meta-properties
	0x6796: true, 0x67DA: true, 0x67D2: true, 0x67E5: true, 0x4021: true, 0x6793: true, 0x402D: true, 0x402E: true,
}

func skipProp(t prop.Tag) bool {
	id := t.ID()
	return skipIDs[id] || id >= 0x36D0 && id <= 0x36D8 || id >= 0x35E0 && id <= 0x35E7
}

// cellValue unwraps a table or property-row cell into a tag and a value
// the store can keep: flagged and typed values are opened, errors and
// missing values dropped, 8-bit strings become Unicode ones.
func cellValue(tag prop.Tag, v any) (prop.Tag, any, bool) {
	switch x := v.(type) {
	case prop.FlaggedValue:
		if x.Flag != prop.FlagValue {
			return 0, nil, false
		}
		if tag.Type() == prop.PtypUnspecified {
			tag = tag.WithType(x.Type)
		}
		v = x.Value
	case prop.TypedValue:
		tag, v = tag.WithType(x.Type), x.Value
	}
	if tv, ok := v.(prop.TypedValue); ok {
		tag, v = tag.WithType(tv.Type), tv.Value
	}
	t := tag.Type()
	if v == nil || t&prop.MultiValueInstance != 0 || !t.Known() {
		return 0, nil, false
	}
	if _, isErr := v.(prop.ErrorCode); isErr {
		return 0, nil, false
	}
	switch t {
	case prop.PtypUnspecified, prop.PtypNull, prop.PtypErrorCode:
		return 0, nil, false
	case prop.PtypString8:
		tag = tag.WithType(prop.PtypString)
	case prop.PtypMultipleString8:
		tag = tag.WithType(prop.PtypMultipleString)
	}
	if !encodable(tag.Type(), v) {
		return 0, nil, false
	}
	return tag, v, true
}

// encodable reports whether v is a value of type t as the prop package
// represents them (what the store accepts).
func encodable(t prop.Type, v any) bool {
	switch t {
	case prop.PtypString:
		_, ok := v.(string)
		return ok
	case prop.PtypBinary, prop.PtypObject:
		_, ok := v.([]byte)
		return ok
	}
	c := wire.NewEncoder(nil)
	prop.CodecValue(c, t, &v, "", prop.Wide)
	return c.Err() == nil
}

// cell returns column i of a row, unwrapped (ok false when missing).
func cell(r prop.Row, i int) (any, bool) {
	if i < 0 || i >= len(r.Values) {
		return nil, false
	}
	v := r.Values[i]
	switch x := v.(type) {
	case prop.FlaggedValue:
		if x.Flag != prop.FlagValue {
			return nil, false
		}
		return x.Value, true
	case prop.TypedValue:
		return x.Value, true
	case prop.ErrorCode:
		return nil, false
	}
	return v, v != nil
}

func idCell(r prop.Row, i int) prop.ID {
	v, ok := cell(r, i)
	if x, isInt := v.(int64); ok && isInt {
		return prop.ID(uint64(x))
	}
	return 0
}

// ---- writing the mailbox ----

type applier struct {
	s     *seeder
	st    *store.Store
	mb    *store.Mailbox
	ids   map[prop.ID]prop.ID // recorded → live, every folder placed
	stats SeedStats
	ipm   prop.ID
}

func (s *seeder) apply(st *store.Store, mb *store.Mailbox) (SeedStats, error) {
	a := &applier{s: s, st: st, mb: mb, ids: map[prop.ID]prop.ID{}}
	a.stats.IDs = map[prop.ID]prop.ID{}
	ipm, err := st.SpecialFolder(mb, store.RoleIPMSubtree)
	if err != nil {
		return a.stats, fmt.Errorf("IPM subtree: %w", err)
	}
	a.ipm = ipm.ID
	// Special folders by role.
	for rec, role := range s.roles {
		f, err := st.SpecialFolder(mb, role)
		if err != nil {
			continue
		}
		a.place(rec, f.ID)
	}
	if err := a.folders(); err != nil {
		return a.stats, err
	}
	if err := a.messages(); err != nil {
		return a.stats, err
	}
	if s.firstAlloc != 0 {
		if err := a.advance(s.firstAlloc); err != nil {
			return a.stats, err
		}
	}
	return a.stats, nil
}

func (a *applier) place(rec, live prop.ID) {
	a.ids[rec] = live
	if rec != live {
		a.stats.IDs[rec] = live
	} else {
		delete(a.stats.IDs, rec)
	}
}

// next returns the GLOBCNT the store hands out next.
func (a *applier) next() (uint64, error) {
	n, err := a.st.LastChangeNumber(a.mb)
	return n + 1, err
}

// advance moves the GLOBCNT allocator up to gc (never down).
func (a *applier) advance(gc uint64) error {
	if gc >= maxKeptGlobCnt {
		return nil
	}
	next, err := a.next()
	if err != nil {
		return err
	}
	for next < gc {
		n := min(gc-next, 1<<32-1)
		if _, _, err := a.st.LocalReplicaIDs(a.mb, uint32(n)); err != nil {
			return fmt.Errorf("advancing the id allocator: %w", err)
		}
		next += n
	}
	return nil
}

// maxKeptGlobCnt bounds the GLOBCNTs kept: moving the allocator higher
// would leave the mailbox too few ids (and take long).
const maxKeptGlobCnt = 1 << 47

// keepable reports whether the store can give a recorded id to a new
// object: REPLID 1 and a GLOBCNT not handed out yet.
func (a *applier) keepable(id prop.ID) (bool, error) {
	if id.ReplicaId() != 1 || id.GlobalCounter() == 0 || id.GlobalCounter() >= maxKeptGlobCnt {
		return false, nil
	}
	next, err := a.next()
	return id.GlobalCounter() >= next, err
}

func (a *applier) folders() error {
	var pending []*folderRec
	for id, f := range a.s.folders {
		if _, done := a.ids[id]; !done && !a.s.createdF[id] {
			pending = append(pending, f)
		}
	}
	sort.Slice(pending, func(i, j int) bool {
		return pending[i].id.GlobalCounter() < pending[j].id.GlobalCounter()
	})
	for _, f := range a.s.folders {
		if live, ok := a.ids[f.id]; ok {
			if err := a.updateFolder(f, live); err != nil {
				return err
			}
		}
	}
	waiting := map[prop.ID]bool{}
	for _, f := range pending {
		waiting[f.id] = true
	}
	for len(pending) > 0 {
		var rest []*folderRec
		for _, f := range pending {
			parent := a.ipm
			if live, ok := a.ids[f.parent]; ok {
				parent = live
			} else if waiting[f.parent] {
				rest = append(rest, f)
				continue
			}
			if err := a.createFolder(f, parent); err != nil {
				return err
			}
			delete(waiting, f.id)
		}
		if len(rest) == len(pending) { // a cycle of parents: break it under the IPM subtree
			rest[0].parent = 0
			delete(waiting, rest[0].id)
		}
		pending = rest
	}
	return nil
}

// propList lists recorded properties for the store, named ones by
// their ids in the live mailbox.
func (a *applier) propList(ps propSet) ([]prop.TaggedValue, error) {
	keys := make([]string, 0, len(ps))
	for k := range ps {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var out []prop.TaggedValue
	for _, k := range keys {
		pv := ps[k]
		tag := pv.tag
		if pv.name != nil {
			id, err := a.st.NamedPropertyID(a.mb, *pv.name, true)
			if err != nil {
				return nil, fmt.Errorf("named property %s: %w", pv.name, err)
			}
			tag = prop.NewTag(id, tag.Type())
		}
		out = append(out, prop.TaggedValue{Tag: tag, Value: pv.value})
	}
	return out, nil
}

func (a *applier) createFolder(f *folderRec, parent prop.ID) error {
	name := f.props.str(store.TagDisplayName)
	if name == "" {
		name = "Folder " + f.id.String()
	}
	if old, err := a.st.FolderByName(a.mb, parent, name); err == nil {
		a.place(f.id, old.ID)
		return a.updateFolder(f, old.ID)
	} else if !errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("folder %q: %w", name, err)
	}
	keep, err := a.keepable(f.id)
	if err != nil {
		return err
	}
	if keep {
		if err := a.advance(f.id.GlobalCounter()); err != nil {
			return err
		}
	}
	vals, err := a.propList(f.props)
	if err != nil {
		return err
	}
	nf, _, err := a.st.CreateFolder(a.mb, parent, name, store.FolderGeneric, vals, false)
	if err != nil {
		return fmt.Errorf("creating folder %q (%s): %w", name, f.id, err)
	}
	a.place(f.id, nf.ID)
	a.stats.Folders++
	a.stats.Properties += len(vals)
	return nil
}

// updateFolder gives an existing folder the recorded properties it lacks
// or has otherwise (its name aside: it is the one it was found by or the
// mailbox's own for a special folder).
func (a *applier) updateFolder(f *folderRec, live prop.ID) error {
	if a.s.createdF[f.id] {
		return nil
	}
	have, err := a.st.FolderProps(a.mb, live)
	if err != nil {
		return fmt.Errorf("folder %s: %w", live, err)
	}
	vals, err := a.propList(f.props)
	if err != nil {
		return err
	}
	var set []prop.TaggedValue
	for _, v := range vals {
		if v.Tag.ID() == store.TagDisplayName.ID() {
			continue
		}
		if old, ok := have.Get(v.Tag); ok && fmt.Sprint(old) == fmt.Sprint(v.Value) {
			continue
		}
		set = append(set, v)
	}
	if len(set) == 0 {
		return nil
	}
	probs, err := a.st.SetFolderProps(a.mb, live, set)
	if err != nil {
		return fmt.Errorf("folder %s: %w", live, err)
	}
	a.stats.Properties += len(set) - len(probs)
	return nil
}

func (a *applier) messages() error {
	list := make([]*msgRec, 0, len(a.s.msgs))
	for _, m := range a.s.msgs {
		if !a.s.createdM[m.id] {
			list = append(list, m)
		}
	}
	sort.Slice(list, func(i, j int) bool { return list[i].id.GlobalCounter() < list[j].id.GlobalCounter() })
	for _, m := range list {
		folder, ok := a.ids[m.folder]
		if !ok {
			continue // in a folder the trace never showed enough of to place
		}
		if err := a.createMessage(m, folder); err != nil {
			return err
		}
	}
	return nil
}

func (a *applier) createMessage(m *msgRec, folder prop.ID) error {
	assoc := m.assoc
	if v, ok := m.props.get(store.TagMessageFlags); ok {
		if f, ok := v.(int32); ok && uint32(f)&store.MsgFlagAssociated != 0 {
			assoc = true
		}
	}
	id := prop.ID(0)
	keep, err := a.keepable(m.id)
	if err != nil {
		return err
	}
	if keep {
		// The id, then its change number next, as the recording server did.
		if err := a.advance(m.id.GlobalCounter() + 1); err != nil {
			return err
		}
		id = m.id
	}
	msg, err := a.st.CreateMessageWithID(a.mb, folder, id, assoc)
	if errors.Is(err, store.ErrDuplicateName) && id != 0 {
		msg, err = a.st.CreateMessageWithID(a.mb, folder, 0, assoc)
	}
	if err != nil {
		return fmt.Errorf("message %s: %w", m.id, err)
	}
	if err := a.fill(msg, m); err != nil {
		return fmt.Errorf("message %s: %w", m.id, err)
	}
	if err := msg.SaveChanges(true); err != nil {
		return fmt.Errorf("message %s: %w", m.id, err)
	}
	a.place(m.id, msg.ID)
	a.stats.Messages++
	return nil
}

// fill writes a message record's properties, recipients and attachments
// into an open message.
func (a *applier) fill(msg *store.Message, m *msgRec) error {
	vals, err := a.propList(m.props)
	if err != nil {
		return err
	}
	if _, ok := m.props.get(store.TagMessageFlags); !ok && m.id != 0 {
		// A message seen only through a few columns: received mail is
		// not a draft (the store starts new messages as unsent).
		vals = append(vals, prop.TaggedValue{Tag: store.TagMessageFlags, Value: int32(0)})
	}
	if len(vals) > 0 {
		probs, err := msg.SetProps(vals)
		if err != nil {
			return err
		}
		a.stats.Properties += len(vals) - len(probs)
	}
	if len(m.recips) > 0 {
		rows := make([]store.Recipient, 0, len(m.recips))
		for id, r := range m.recips {
			p, err := a.propList(r.props)
			if err != nil {
				return err
			}
			if len(p) == 0 {
				continue
			}
			sp := store.Props{}
			for _, v := range p {
				sp.Set(v.Tag, v.Value)
			}
			rows = append(rows, store.Recipient{RowID: id, Type: r.typ, Props: sp})
			a.stats.Properties += len(p)
		}
		sort.Slice(rows, func(i, j int) bool { return rows[i].RowID < rows[j].RowID })
		if err := msg.ModifyRecipients(rows); err != nil {
			return err
		}
	}
	if len(m.atts) == 0 {
		return nil
	}
	nums := make([]uint32, 0, len(m.atts))
	for n := range m.atts {
		nums = append(nums, n)
	}
	sort.Slice(nums, func(i, j int) bool { return nums[i] < nums[j] })
	// Attachment numbers come in order from 0 and attachments never saved
	// leave gaps, so recorded numbers are kept (within reason).
	for _, n := range nums {
		att, err := msg.CreateAttachment()
		for err == nil && att.Num < n && n-att.Num <= 1024 {
			att, err = msg.CreateAttachment()
		}
		if err != nil {
			return err
		}
		if err := a.fillAttachment(att, m.atts[n]); err != nil {
			return err
		}
	}
	return nil
}

func (a *applier) fillAttachment(att *store.Attachment, r *attRec) error {
	vals, err := a.propList(r.props)
	if err != nil {
		return err
	}
	if r.embedded != nil {
		// The embedded message holds the content; a method other than
		// afEmbeddedMessage would hide it.
		vals = append(vals[:0:0], vals...)
		for i := 0; i < len(vals); i++ {
			if vals[i].Tag.ID() == store.TagAttachMethod.ID() {
				vals = append(vals[:i], vals[i+1:]...)
				i--
			}
		}
	}
	if len(vals) > 0 {
		probs, err := att.SetProps(vals)
		if err != nil {
			return err
		}
		a.stats.Properties += len(vals) - len(probs)
	}
	if r.embedded != nil {
		e, err := att.OpenEmbeddedMessage(true)
		if err != nil {
			return err
		}
		if err := a.fill(e, r.embedded); err != nil {
			return err
		}
		if err := e.SaveChanges(true); err != nil {
			return err
		}
	}
	return att.SaveChanges()
}

package server

import (
	"encoding/binary"

	"github.com/mapiscope/mapiscope/decode/fxics"
	"github.com/mapiscope/mapiscope/decode/prop"
	"github.com/mapiscope/mapiscope/decode/rop"
	"github.com/mapiscope/mapiscope/server/store"
)

// FastTransfer destination — [MS-OXCFXICS] 3.2.5.8.2: the client uploads a
// FastTransfer stream (RopFastTransferDestinationConfigure, then
// RopFastTransferDestinationPutBuffer or PutBufferExtended any number of
// times, the stream split anywhere) and the server applies it to the
// object the context was configured on. The stream is lexed and parsed
// with decode/fxics as the buffers arrive; each atom is applied as soon as
// it is complete, so that a message filled this way can be saved right
// after its last PutBuffer, and memory holds one atom in progress.

func init() {
	handle(0x53, ropFastTransferDestinationConfigure)
	handle(0x54, ropFastTransferDestinationPutBuffer)
	handle(0x9D, ropFastTransferDestinationPutBufferExtended)
}

// SourceOperation of RopFastTransferDestinationConfigure — [MS-OXCFXICS]
// 2.2.3.1.2.1.1.
const (
	fxOpCopyTo         uint8 = 0x01
	fxOpCopyProperties uint8 = 0x02
	fxOpCopyMessages   uint8 = 0x03
	fxOpCopyFolder     uint8 = 0x04
	fxDestCopyMove     uint8 = 0x01
)

// TransferStatus values — [MS-OXCFXICS] 2.2.3.1.1.5.2 (clients ignore it
// on PutBuffer responses, 2.2.3.1.2.2.2).
const (
	fxStatusPartial uint16 = 0x0001
	fxStatusDone    uint16 = 0x0003
)

// fxDestMaxValue is the largest property value a destination stream may
// carry (a bigger one gives ecTooBig).
const fxDestMaxValue = 64 << 20

// fxDestObj is a FastTransfer upload context.
type fxDestObj struct {
	lg   *logonObj
	st   *store.Store
	root fxics.Root
	lx   *fxics.Lexer
	ps   *fxics.Parser

	stack []*fxFrame
	err   prop.ErrorCode // sticky: the stream failed
}

func (d *fxDestObj) logon() *logonObj { return d.lg }

// fxFrameKind is what a level of the stream being applied builds.
type fxFrameKind uint8

const (
	fxMessage    fxFrameKind = iota // a message's propList and children
	fxRecipient                     // between StartRecip and EndToRecip
	fxAttachment                    // between NewAttach and EndAttach (or a root attachmentContent)
	fxFolder                        // a folderContent
	fxList                          // a messageList (CopyMessages)
	fxTop                           // before StartTopFld (CopyFolder)
)

// fxFrame is one level of the stream being applied.
type fxFrame struct {
	kind fxFrameKind
	m    *store.Message
	a    *store.Attachment
	// The message was created by the stream in folder fid (StartMessage):
	// EndMessage saves it. An embedded message (StartEmbed) saves into its
	// attachment on EndEmbed; an attachment opened by NewAttach commits on
	// EndAttach.
	created bool
	fid     prop.ID // fxFolder: the folder (0 until created); fxList: the folder
	parent  prop.ID // fxFolder being created: its parent
	props   []prop.TaggedValue
	rtype   uint32
}

// ropFastTransferDestinationConfigure — [MS-OXCFXICS] 3.2.5.8.2.1: CopyTo
// and CopyProperties upload a messageContent, attachmentContent or
// folderContent onto the input object; CopyMessages a messageList of new
// messages and CopyFolder a topFolder (a new subfolder) into the input
// folder.
func ropFastTransferDestinationConfigure(x *execCtx, req rop.Request) rop.Response {
	r := req.(*rop.FastTransferDestinationConfigureRequest)
	obj, ec := x.input(req)
	if ec != 0 {
		return x.fail(ec)
	}
	if r.CopyFlags&^fxDestCopyMove != 0 {
		return x.fail(ecInvalidParam)
	}
	d := &fxDestObj{lg: obj.logon(), st: x.st}
	switch r.SourceOperation {
	case fxOpCopyTo, fxOpCopyProperties:
		switch o := obj.(type) {
		case *messageObj:
			if o.readOnly {
				return x.fail(ecAccessDenied)
			}
			d.root = fxics.RootMessageContent
			d.stack = []*fxFrame{{kind: fxMessage, m: o.msg}}
		case *attachmentObj:
			if o.readOnly {
				return x.fail(ecAccessDenied)
			}
			d.root = fxics.RootAttachmentContent
			d.stack = []*fxFrame{{kind: fxAttachment, a: o.att}}
		case *folderObj:
			if !x.canAccess(o.lg, o.fid, store.RightFolderOwner) {
				return x.fail(ecAccessDenied)
			}
			d.root = fxics.RootFolderContent
			d.stack = []*fxFrame{{kind: fxFolder, fid: o.fid}}
		default:
			return x.fail(ecNotSupported)
		}
	case fxOpCopyMessages, fxOpCopyFolder:
		f, ok := obj.(*folderObj)
		if !ok {
			return x.fail(ecNotSupported)
		}
		if r.SourceOperation == fxOpCopyMessages {
			if !x.canAccess(f.lg, f.fid, store.RightCreate) {
				return x.fail(ecAccessDenied)
			}
			d.root = fxics.RootMessageList
			d.stack = []*fxFrame{{kind: fxList, fid: f.fid}}
		} else {
			if !x.canAccess(f.lg, f.fid, store.RightCreateSubfolder) {
				return x.fail(ecAccessDenied)
			}
			d.root = fxics.RootTopFolder
			d.stack = []*fxFrame{{kind: fxTop, fid: f.fid}}
		}
	default:
		return x.fail(ecInvalidParam)
	}
	d.lx = fxics.NewLexer(fxics.LexerOptions{MaxValue: fxDestMaxValue})
	d.ps = fxics.NewParser(fxics.ParserOptions{Root: d.root, Discard: true})
	if ec := x.bind(r.OutputHandleIndex, d); ec != 0 {
		return x.fail(ec)
	}
	return x.ok(&rop.FastTransferDestinationConfigureResponse{})
}

// ropFastTransferDestinationPutBuffer — [MS-OXCFXICS] 3.2.5.8.2.2.
func ropFastTransferDestinationPutBuffer(x *execCtx, req rop.Request) rop.Response {
	r := req.(*rop.FastTransferDestinationPutBufferRequest)
	status, used, ec := fxPut(x, req, r.TransferData)
	resp := &rop.FastTransferDestinationPutBufferResponse{TransferStatus: status, TotalStepCount: 1, BufferUsedSize: used}
	x.ok(resp)
	resp.ReturnValue = ec
	return resp
}

// ropFastTransferDestinationPutBufferExtended — [MS-OXCFXICS] 3.2.5.8.2.3:
// the same with 32-bit progress counts.
func ropFastTransferDestinationPutBufferExtended(x *execCtx, req rop.Request) rop.Response {
	r := req.(*rop.FastTransferDestinationPutBufferExtendedRequest)
	status, used, ec := fxPut(x, req, r.TransferData)
	resp := &rop.FastTransferDestinationPutBufferExtendedResponse{TransferStatus: status, TotalStepCount: 1, BufferUsedSize: used}
	x.ok(resp)
	resp.ReturnValue = ec
	return resp
}

// fxPut feeds one buffer to the context of the ROP's input handle. On
// success BufferUsedSize is the whole buffer (2.2.3.1.2.2.2).
func fxPut(x *execCtx, req rop.Request, data []byte) (status, used uint16, ec prop.ErrorCode) {
	obj, ec := x.input(req)
	if ec != 0 {
		return 0, 0, ec
	}
	d, ok := obj.(*fxDestObj)
	if !ok {
		return 0, 0, ecNotSupported
	}
	if d.err != 0 {
		return 0, 0, d.err
	}
	if d.ps.Done() && len(data) > 0 {
		d.err = ecInvalidParam // bytes after the end of the stream
		return 0, 0, d.err
	}
	d.lx.Feed(data)
	atoms := d.lx.Atoms()
	d.ps.Push(atoms)
	if len(d.lx.Anomalies())+len(d.ps.Anomalies()) > 0 {
		d.err = ecInvalidParam // not a stream of the configured root
		return 0, 0, d.err
	}
	for i := range atoms {
		if ec := d.apply(x, &atoms[i]); ec != 0 {
			d.err = ec
			return 0, 0, ec
		}
	}
	if ec := d.flush(x); ec != 0 {
		d.err = ec
		return 0, 0, ec
	}
	status = fxStatusPartial
	if d.ps.Done() {
		status = fxStatusDone
	}
	return status, uint16(len(data)), 0
}

func (d *fxDestObj) top() *fxFrame { return d.stack[len(d.stack)-1] }

func (d *fxDestObj) push(f *fxFrame) { d.stack = append(d.stack, f) }

func (d *fxDestObj) pop() {
	if len(d.stack) > 1 {
		d.stack = d.stack[:len(d.stack)-1]
	}
}

// apply applies one atom to the object being built.
func (d *fxDestObj) apply(x *execCtx, a *fxics.Atom) prop.ErrorCode {
	f := d.top()
	if !a.Marker {
		return d.applyProp(x, f, a)
	}
	m := a.MarkerValue()
	switch f.kind {
	case fxMessage:
		switch m {
		case fxics.StartRecip:
			d.push(&fxFrame{kind: fxRecipient, m: f.m, rtype: store.RecipTo})
			return 0
		case fxics.NewAttach:
			att, err := f.m.CreateAttachment()
			if err != nil {
				return ecOf(err)
			}
			d.push(&fxFrame{kind: fxAttachment, a: att, created: true})
			return 0
		case fxics.EndEmbed, fxics.EndMessage:
			if err := f.m.SaveChanges(false); err != nil {
				return ecOf(err)
			}
			if m == fxics.EndMessage && f.created {
				x.publish(d.lg, event{kind: fnevObjectCreated, fid: f.m.FolderID, mid: f.m.ID})
			}
			d.pop()
			return 0
		}
	case fxRecipient:
		if m == fxics.EndToRecip {
			f.m.AddRecipient(f.rtype, recipientProps(f.props))
			d.pop()
			return 0
		}
	case fxAttachment:
		switch m {
		case fxics.StartEmbed:
			e, err := f.a.OpenEmbeddedMessage(true)
			if err != nil {
				return ecOf(err)
			}
			d.push(&fxFrame{kind: fxMessage, m: e})
			return 0
		case fxics.EndAttach:
			if err := f.a.SaveChanges(); err != nil {
				return ecOf(err)
			}
			d.pop()
			return 0
		}
	case fxFolder:
		if ec := d.ensureFolder(x, f); ec != 0 {
			return ec
		}
		switch m {
		case fxics.StartMessage, fxics.StartFAIMsg:
			return d.startMessage(f.fid, m == fxics.StartFAIMsg)
		case fxics.StartSubFld:
			d.push(&fxFrame{kind: fxFolder, parent: f.fid})
			return 0
		case fxics.EndFolder:
			d.pop()
			return 0
		}
	case fxList:
		switch m {
		case fxics.StartMessage, fxics.StartFAIMsg:
			return d.startMessage(f.fid, m == fxics.StartFAIMsg)
		}
	case fxTop:
		if m == fxics.StartTopFld {
			d.push(&fxFrame{kind: fxFolder, parent: f.fid})
			return 0
		}
	}
	return 0 // markers the grammar allows but nothing here needs (FXErrorInfo, …)
}

// startMessage begins a message the stream creates in folder fid.
func (d *fxDestObj) startMessage(fid prop.ID, fai bool) prop.ErrorCode {
	m, err := d.st.CreateMessage(d.lg.mb, fid, fai)
	if err != nil {
		return ecOf(err)
	}
	d.push(&fxFrame{kind: fxMessage, m: m, created: true})
	return 0
}

// applyProp applies one propValue atom.
func (d *fxDestObj) applyProp(x *execCtx, f *fxFrame, a *fxics.Atom) prop.ErrorCode {
	if a.Tag == fxics.MetaTagFXDelProp {
		// The destination's subobjects of that kind go before the new
		// ones come — [MS-OXCFXICS] 2.2.4.1.5.1.
		if f.kind != fxMessage || len(a.Raw) != 4 {
			return 0
		}
		switch prop.Tag(binary.LittleEndian.Uint32(a.Raw)) {
		case fxics.PidTagMessageRecipients:
			if err := f.m.RemoveAllRecipients(); err != nil {
				return ecOf(err)
			}
		case fxics.PidTagMessageAttachments:
			for _, p := range f.m.AttachmentTable() {
				if err := f.m.DeleteAttachment(uint32(p.Int32(store.TagAttachNumber))); err != nil {
					return ecOf(err)
				}
			}
		}
		return 0
	}
	if fxMetaTag(a.Tag) {
		return 0
	}
	if f.kind == fxAttachment && a.Tag == fxics.PidTagAttachNumber {
		return 0 // the attachment's number is the destination's own
	}
	tv, ok, ec := d.tagged(x, a)
	if ec != 0 || !ok {
		return ec
	}
	switch f.kind {
	case fxRecipient:
		switch tv.Tag.ID() {
		case store.TagRecipientType.ID():
			if v, ok := tv.Value.(int32); ok {
				f.rtype = uint32(v)
			}
			return 0
		case store.TagRowid.ID():
			return 0
		}
		f.props = append(f.props, tv)
		return 0
	case fxMessage:
		if fxIdentityTag(tv.Tag) {
			return 0
		}
		if _, err := f.m.SetProps([]prop.TaggedValue{tv}); err != nil {
			return ecOf(err)
		}
	case fxAttachment:
		if fxIdentityTag(tv.Tag) {
			return 0
		}
		if _, err := f.a.SetProps([]prop.TaggedValue{tv}); err != nil {
			return ecOf(err)
		}
	case fxFolder:
		if fxIdentityTag(tv.Tag) {
			return 0
		}
		f.props = append(f.props, tv)
	}
	return 0
}

// ensureFolder creates the folder a subFolder or topFolder describes once
// its propList is complete (its name is among its properties), or sets
// the properties of an existing folder.
func (d *fxDestObj) ensureFolder(x *execCtx, f *fxFrame) prop.ErrorCode {
	if f.fid != 0 {
		return d.flushFolder(f)
	}
	name := ""
	var rest []prop.TaggedValue
	for _, v := range f.props {
		if v.Tag.ID() == store.TagDisplayName.ID() {
			name, _ = v.Value.(string)
			continue
		}
		rest = append(rest, v)
	}
	if name == "" {
		return ecInvalidParam
	}
	nf, _, err := d.st.CreateFolder(d.lg.mb, f.parent, name, store.FolderGeneric, rest, false)
	if err != nil {
		return ecOf(err)
	}
	f.fid, f.props = nf.ID, nil
	x.publish(d.lg, event{kind: fnevObjectCreated, fid: nf.ID, parent: f.parent})
	return 0
}

// flushFolder sets the properties gathered for an existing folder.
func (d *fxDestObj) flushFolder(f *fxFrame) prop.ErrorCode {
	if len(f.props) == 0 {
		return 0
	}
	vals := f.props
	f.props = nil
	if _, err := d.st.SetFolderProps(d.lg.mb, f.fid, vals); err != nil {
		return ecOf(err)
	}
	return 0
}

// flush applies what a buffer left gathered: the properties of an
// existing folder (a folderContent may end with its propList).
func (d *fxDestObj) flush(x *execCtx) prop.ErrorCode {
	for _, f := range d.stack {
		if f.kind == fxFolder && f.fid != 0 && len(f.props) > 0 {
			if ec := d.flushFolder(f); ec != 0 {
				return ec
			}
			x.publish(d.lg, event{kind: fnevObjectModified, fid: f.fid})
		}
	}
	return 0
}

// tagged converts a propValue atom into a store value: code page strings
// become PtypString, named properties get the mailbox's id for their
// name. ok is false for what is not stored (PtypObject values, a named
// property without a name).
func (d *fxDestObj) tagged(x *execCtx, a *fxics.Atom) (prop.TaggedValue, bool, prop.ErrorCode) {
	if a.Truncated {
		return prop.TaggedValue{}, false, ecTooBig
	}
	v, err := a.Value()
	if err != nil {
		return prop.TaggedValue{}, false, ecInvalidParam
	}
	t := a.Tag.Type()
	if _, isCP := fxics.CodePage(t); isCP {
		t = prop.PtypString
	}
	if t == prop.PtypObject {
		return prop.TaggedValue{}, false, 0
	}
	id := a.Tag.ID()
	if id >= 0x8000 {
		if a.Name == nil {
			return prop.TaggedValue{}, false, 0
		}
		nid, err := x.st.NamedPropertyID(d.lg.mb, *a.Name, true)
		if err != nil {
			return prop.TaggedValue{}, false, ecOf(err)
		}
		id = nid
	}
	return prop.TaggedValue{Tag: prop.NewTag(id, t), Value: v}, true, 0
}

// recipientProps builds a recipient row's properties.
func recipientProps(vals []prop.TaggedValue) store.Props {
	p := store.Props{}
	for _, v := range vals {
		p.Set(v.Tag, v.Value)
	}
	return p
}

// fxMetaTag reports the meta-properties of [MS-OXCFXICS] 2.2.4.1.5 and
// the ICS state properties: stream syntax, not object properties.
func fxMetaTag(t prop.Tag) bool {
	switch t {
	case fxics.MetaTagFXDelProp, fxics.MetaTagEcWarning, fxics.MetaTagNewFXFolder, fxics.MetaTagIncrSyncGroupId,
		fxics.MetaTagIncrementalSyncMessagePartial, fxics.MetaTagDnPrefix,
		fxics.MetaTagIdsetGiven, fxics.MetaTagIdsetGiven&0xFFFF0000 | 0x0102, fxics.MetaTagCnsetSeen,
		fxics.MetaTagCnsetSeenFAI, fxics.MetaTagCnsetRead, fxics.MetaTagIdsetDeleted,
		fxics.MetaTagIdsetNoLongerInScope, fxics.MetaTagIdsetExpired, fxics.MetaTagIdsetRead, fxics.MetaTagIdsetUnread:
		return true
	}
	return false
}

// fxIdentityTag reports the properties that name an object or its
// version (ids, source and change keys). A stream carries the source's;
// the destination keeps its own, as a copy does, and an imported
// message's come from RopSynchronizationImportMessageChange.
func fxIdentityTag(t prop.Tag) bool {
	switch t.ID() {
	case store.TagSourceKey.ID(), store.TagParentSourceKey.ID(), store.TagChangeKey.ID(),
		store.TagPredecessorChangeList.ID(), store.TagMid.ID(), store.TagFolderId.ID(),
		store.TagParentFolderId.ID(), store.TagChangeNumber.ID(), store.TagEntryId.ID(),
		store.TagRecordKey.ID(), fxTagInstID.ID(), fxTagInstanceNum.ID(), fxTagInstanceKey.ID(),
		fxTagAssociated.ID():
		return true
	}
	return false
}

// Identity properties of [MS-OXPROPS] the store has no name for.
const (
	fxTagInstID      prop.Tag = 0x674D0014
	fxTagInstanceNum prop.Tag = 0x674E0003
	fxTagInstanceKey prop.Tag = 0x0FF60102
	fxTagAssociated  prop.Tag = 0x67AA000B
)

package server

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf16"

	"github.com/mapiscope/mapiscope/decode/fxics"
	"github.com/mapiscope/mapiscope/decode/prop"
	"github.com/mapiscope/mapiscope/server/store"
)

// FastTransfer stream production — [MS-OXCFXICS] 2.2.4. A download
// context (ICS synchronization, FastTransfer copy, transfer state) owns an
// fxStream: a queue of steps, each of which writes one element of the
// stream (a message, a folder's properties, the state, …) with the
// builders of decode/fxics. RopFastTransferSourceGetBuffer runs steps only
// until it has the bytes it may send, so a big folder is never held in
// memory whole, and cuts the bytes only where [MS-OXCFXICS] 2.2.4.1 lets a
// stream be split: between atoms, or inside the varSizeValue of a
// variable-size property (at an even offset for UTF-16 strings) — never
// inside a tag, a length, a named property's name or a fixed-size value.

// fxStep writes the next part of a stream; it may queue further steps
// before the remaining ones (a folder queues its messages).
type fxStep func(x *execCtx, s *fxStream) error

// fxUnit is one atom of the produced bytes, as far as splitting goes.
type fxUnit struct {
	end   int  // offset just past the atom in buf
	split int  // offset from which the atom may be cut (its value bytes); -1: only at end
	even  bool // cut the value at even offsets only (UTF-16)
}

// fxStream is a FastTransfer stream produced lazily.
type fxStream struct {
	buf   []byte // produced and not yet sent: buf[head:]
	head  int
	units []fxUnit // atoms of buf, offsets absolute in buf
	uhead int
	steps []fxStep
	err   error // a step's failure, returned by every later read

	// Progress for TransferStatus — steps are the stream's objects
	// (messages, folders).
	progress, total int
	// names resolves named property ids for the logon's mailbox.
	names map[uint16]*prop.PropertyName
}

func newFXStream(steps ...fxStep) *fxStream { return &fxStream{steps: steps} }

// pending is the number of produced bytes not yet sent.
func (s *fxStream) pending() int { return len(s.buf) - s.head }

// finished reports that everything was produced and sent.
func (s *fxStream) finished() bool { return len(s.steps) == 0 && s.pending() == 0 }

// push queues steps before the remaining ones.
func (s *fxStream) push(steps ...fxStep) {
	s.steps = append(append([]fxStep(nil), steps...), s.steps...)
}

// atom appends one atom, recording where it may be cut.
func (s *fxStream) atom(a *fxics.Atom) error {
	start := len(s.buf)
	var err error
	s.buf, err = a.AppendTo(s.buf)
	if err != nil {
		s.buf = s.buf[:start]
		return err
	}
	u := fxUnit{end: len(s.buf), split: -1}
	if !a.Marker && fxSplittable(a.Tag) {
		u.split = start + int(a.Hdr)
		t := a.Tag.Type()
		u.even = t == prop.PtypString || t == 0x8000|1200
	}
	s.units = append(s.units, u)
	return nil
}

// fxSplittable reports the single-valued variable-size properties whose
// value bytes may be split between buffers (MetaTagIdsetGiven carries a
// binary value under its PtypInteger32 tag).
func fxSplittable(t prop.Tag) bool {
	if t == fxics.MetaTagIdsetGiven {
		return true
	}
	switch ty := t.Type(); {
	case ty&0x8000 != 0:
		return true
	default:
		switch ty {
		case prop.PtypString, prop.PtypString8, prop.PtypBinary, prop.PtypServerId, prop.PtypObject:
			return true
		}
	}
	return false
}

// elem appends an element tree, leaf by leaf.
func (s *fxStream) elem(e *fxics.Element) error {
	if e == nil {
		return nil
	}
	if e.Atom != nil {
		return s.atom(e.Atom)
	}
	for _, c := range e.Children {
		if err := s.elem(c); err != nil {
			return err
		}
	}
	return nil
}

// marker appends a marker.
func (s *fxStream) marker(m fxics.Marker) error {
	a := fxics.NewMarker(m)
	return s.atom(&a)
}

// cutAt returns the largest legal cut of the pending bytes at most n bytes
// long (0 when none is).
func (s *fxStream) cutAt(n int) int {
	limit := s.head + n
	cut := s.head
	for _, u := range s.units[s.uhead:] {
		if u.end <= limit {
			cut = u.end
			continue
		}
		if u.split >= 0 && limit >= u.split {
			c := limit
			if u.even && (c-u.split)%2 == 1 {
				c--
			}
			if c > cut {
				cut = c
			}
		}
		break
	}
	return cut - s.head
}

// minCut is the shortest legal cut of the pending bytes.
func (s *fxStream) minCut() int {
	if s.uhead >= len(s.units) {
		return 0
	}
	u := s.units[s.uhead]
	if u.split > s.head {
		return u.split - s.head
	}
	if u.split >= 0 && u.end-s.head > 1 {
		if u.even && u.end-s.head > 2 {
			return 2
		}
		if !u.even {
			return 1
		}
	}
	return u.end - s.head
}

// consume drops the first n pending bytes (a legal cut).
func (s *fxStream) consume(n int) {
	s.head += n
	for s.uhead < len(s.units) && s.units[s.uhead].end <= s.head {
		s.uhead++
	}
	if s.uhead < len(s.units) {
		// A value cut in the middle: the rest of it is value bytes.
		if u := &s.units[s.uhead]; u.split >= 0 && u.split < s.head {
			u.split = s.head
		}
	}
	if s.head == len(s.buf) {
		s.buf, s.head, s.units, s.uhead = s.buf[:0], 0, s.units[:0], 0
		return
	}
	if s.head > 1<<16 && s.head > len(s.buf)/2 {
		rest := append([]byte(nil), s.buf[s.head:]...)
		units := make([]fxUnit, 0, len(s.units)-s.uhead)
		for _, u := range s.units[s.uhead:] {
			u.end -= s.head
			if u.split >= 0 {
				u.split -= s.head
			}
			units = append(units, u)
		}
		s.buf, s.head, s.units, s.uhead = rest, 0, units, 0
	}
}

// read returns the next portion of the stream: at most want bytes cut at a
// legal point, running steps as needed. When the next atom cannot be cut
// within want bytes, it is returned whole if that fits hard (the response's
// room), else nothing.
func (s *fxStream) read(x *execCtx, want, hard int) ([]byte, error) {
	if s.err != nil {
		return nil, s.err
	}
	if want > hard {
		want = hard
	}
	for s.pending() < want+1 && len(s.steps) > 0 {
		step := s.steps[0]
		s.steps = s.steps[1:]
		if err := step(x, s); err != nil {
			s.err = err
			return nil, err
		}
	}
	n := 0
	if want > 0 {
		n = s.cutAt(want)
	}
	if n == 0 && s.pending() > 0 {
		if m := s.minCut(); m <= hard {
			n = m
		}
	}
	out := append([]byte(nil), s.buf[s.head:s.head+n]...)
	s.consume(n)
	return out, nil
}

// counts returns InProgressCount and TotalStepCount, scaled to 16 bits.
func (s *fxStream) counts() (uint16, uint16) {
	done, total := s.progress, s.total
	if total < done {
		total = done
	}
	for total > 0xFFFF {
		done, total = done/2, total/2
	}
	return uint16(done), uint16(total)
}

// ---- objects to FastTransfer elements ----

// SendOptions bits — [MS-OXCFXICS] 2.2.3.1.1.1.1.
const (
	fxUnicode      uint8 = 0x01
	fxUseCpid      uint8 = 0x02
	fxRecoverMode  uint8 = 0x04
	fxForceUnicode uint8 = 0x08
	fxPartialItem  uint8 = 0x10
)

// fxValidSendOptions checks SendOptions: known bits only, and not
// Unicode, UseCpid and RecoverMode together.
func fxValidSendOptions(so uint8) bool {
	if so&^0x7F != 0 {
		return false
	}
	return so&(fxUnicode|fxUseCpid|fxRecoverMode) != fxUnicode|fxUseCpid|fxRecoverMode
}

// fxFilter is a property filter of a download operation: an exclusion
// list, or with only an inclusion list — property ids, types ignored.
// It also says which subobjects go out (PidTagMessageRecipients, …,
// [MS-OXCFXICS] 2.2.1.7).
type fxFilter struct {
	only bool
	tags map[uint16]bool
}

func newFXFilter(only bool, tags []prop.Tag) fxFilter {
	f := fxFilter{only: only, tags: map[uint16]bool{}}
	for _, t := range tags {
		f.tags[t.ID()] = true
	}
	return f
}

// keep reports whether the filter lets a property (or subobject) through.
func (f fxFilter) keep(t prop.Tag) bool {
	return f.tags[t.ID()] == f.only
}

// fxAll lets everything through.
var fxAll = fxFilter{}

// fxOptions shape the objects of one download operation.
type fxOptions struct {
	sendOptions uint8
	bestBody    bool
	// entryIDs adds the identification properties (CopyMessages'
	// SendEntryId flag).
	entryIDs bool
	// delProps writes MetaTagFXDelProp before the subobjects of the
	// top-level object (CopyTo and CopyProperties replace them on the
	// destination — [MS-OXCFXICS] 2.2.4.3.19).
	delProps bool
	// oneBody keeps PidTagBody when the filter excludes it but it is the
	// message's only body (ICS: Outlook excludes PidTagBody, and a message
	// must not arrive without any body, as gromox also does).
	oneBody bool
}

// Properties that never go into a stream: computed identities and sizes,
// and PtypObject placeholders of subobjects ([MS-OXCFXICS] 3.2.5.12).
func fxVolatile(t prop.Tag) bool {
	switch t.ID() {
	case store.TagMid.ID(), store.TagFolderId.ID(), store.TagParentFolderId.ID(), store.TagChangeNumber.ID(),
		store.TagMessageSize.ID(), fxics.PidTagInstID.ID(), store.TagEntryId.ID(), prptParentEntryId.ID(),
		prptStoreEntryId.ID(), prptStoreRecordKey.ID(), store.TagObjectType.ID(), prptAccess.ID(), prptAccessLevel.ID(),
		store.TagMessageRecipients.ID(), store.TagMessageAttachments.ID(), store.TagHasAttachments.ID():
		return true
	}
	return t.Type() == prop.PtypObject
}

// Body properties and compressed RTF — [MS-OXCMSG] 2.2.1.56.
const (
	fxTagRtfCompressed prop.Tag = 0x10090102
	fxTagRtfInSync     prop.Tag = 0x0E1F000B
)

// fxStringType is the type a string property goes out as — [MS-OXCFXICS]
// 3.2.5.9.1.1 and 2.2.3.1.1.1.1: ForceUnicode makes every string Unicode;
// UseCpid gives code page strings (1200 for Unicode, 1252 otherwise);
// Unicode keeps strings as stored; without it they go as PtypString8.
func fxStringType(t prop.Type, so uint8) prop.Type {
	mv := t & prop.MultiValued
	base := t &^ prop.MultiValued
	if base != prop.PtypString && base != prop.PtypString8 {
		return t
	}
	switch {
	case so&fxForceUnicode != 0:
		return prop.PtypString | mv
	case so&fxUseCpid != 0 && mv == 0:
		if so&fxUnicode != 0 && base == prop.PtypString {
			return 0x8000 | 1200
		}
		return 0x8000 | 1252
	case so&fxUnicode != 0:
		return t
	}
	return prop.PtypString8 | mv
}

// fxLeaf makes the propValue leaf of a property as the options want it:
// strings retyped, named properties with their names. ok is false for a
// value that has no FastTransfer form (restrictions, rule actions,
// unknown named properties): such a property is left out.
func (x *execCtx) fxLeaf(s *fxStream, lg *logonObj, tag prop.Tag, v any, so uint8) (*fxics.Element, bool) {
	tag = tag.WithType(fxStringType(tag.Type(), so))
	var a fxics.Atom
	var err error
	if tag.Named() {
		name, ok := x.fxName(s, lg, tag.ID())
		if !ok {
			return nil, false
		}
		a, err = fxics.NewNamedProp(tag, *name, v)
	} else {
		a, err = fxics.NewProp(tag, v)
	}
	if err != nil {
		return nil, false
	}
	return fxics.Leaf(a), true
}

// fxMust is the leaf of a property the grammar requires; its value is
// built here, so a failure is a server bug.
func fxMust(tag prop.Tag, v any) (*fxics.Element, error) {
	a, err := fxics.NewProp(tag, v)
	if err != nil {
		return nil, fmt.Errorf("FastTransfer %v: %w", tag, err)
	}
	return fxics.Leaf(a), nil
}

// fxName resolves a named property id of the logon's mailbox.
func (x *execCtx) fxName(s *fxStream, lg *logonObj, id uint16) (*prop.PropertyName, bool) {
	if s.names == nil {
		s.names = map[uint16]*prop.PropertyName{}
	}
	if n, ok := s.names[id]; ok {
		return n, n != nil
	}
	n, err := x.st.NamedPropertyName(lg.mb, id)
	if err != nil || (n.Kind != prop.KindLID && n.Kind != prop.KindName) {
		s.names[id] = nil
		return nil, false
	}
	s.names[id] = &n
	return &n, true
}

// fxPropList returns the leaves of props in tag order, leaving out the
// volatile ones, those skip rejects and those without a FastTransfer form.
func (x *execCtx) fxPropList(s *fxStream, lg *logonObj, props store.Props, so uint8, skip func(prop.Tag) bool) []*fxics.Element {
	var out []*fxics.Element
	for _, tv := range props.List() {
		if fxVolatile(tv.Tag) || (skip != nil && skip(tv.Tag)) {
			continue
		}
		if e, ok := x.fxLeaf(s, lg, tv.Tag, tv.Value, so); ok {
			out = append(out, e)
		}
	}
	return out
}

// fxBodies applies the body rules to a message's properties: without
// BestBody the body goes out as compressed RTF ([MS-OXCFXICS]
// 2.2.3.1.1.1.1: "MUST output message bodies in the compressed RTF
// format"), made here from the plain text when the message has no RTF.
func fxBodies(p store.Props, bestBody bool) store.Props {
	if bestBody {
		return p
	}
	if _, ok := p.Get(fxTagRtfCompressed); ok {
		return p
	}
	text, ok := p.Get(store.TagBody)
	if !ok {
		return p
	}
	s, _ := text.(string)
	p = p.Clone()
	p.Set(fxTagRtfCompressed, fxRTFCompressed(fxTextRTF(s)))
	p.Set(fxTagRtfInSync, true)
	return p
}

// fxTextRTF wraps plain text in a minimal RTF document (\fromtext).
func fxTextRTF(text string) []byte {
	var b strings.Builder
	b.WriteString(`{\rtf1\ansi\ansicpg1252\fromtext \deff0{\fonttbl{\f0\fswiss Arial;}}` + "\r\n" + `\pard\plain\f0\fs20 `)
	text = strings.ReplaceAll(text, "\r\n", "\n")
	for _, r := range text {
		switch {
		case r == '\\' || r == '{' || r == '}':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString("\\par\r\n")
		case r == '\t':
			b.WriteString("\\tab ")
		case r < 0x80:
			b.WriteRune(r)
		default:
			for _, u := range utf16.Encode([]rune{r}) {
				fmt.Fprintf(&b, "\\u%d?", int16(u))
			}
		}
	}
	b.WriteString("\\par\r\n}")
	return []byte(b.String())
}

// fxRTFCompressed stores RTF in the uncompressed form of [MS-OXRTFCP]
// 2.1.3.1: COMPSIZE, RAWSIZE, COMPTYPE "MELA", CRC 0, then the RTF.
func fxRTFCompressed(rtf []byte) []byte {
	out := make([]byte, 16, 16+len(rtf))
	put := func(off int, v uint32) {
		out[off], out[off+1], out[off+2], out[off+3] = byte(v), byte(v>>8), byte(v>>16), byte(v>>24)
	}
	put(0, uint32(len(rtf)+12))
	put(4, uint32(len(rtf)))
	put(8, 0x414C454D)
	return append(out, rtf...)
}

// fxMessageContent builds the propList and messageChildren of a message
// — [MS-OXCFXICS] 2.2.4.3.16/.17. top marks the operation's top-level
// object, the only one the filter applies to (3.2.5.10); skip leaves out
// further properties (those of an ICS header).
func (x *execCtx) fxMessageContent(s *fxStream, lg *logonObj, m *store.Message, o fxOptions, f fxFilter, top bool, skip func(prop.Tag) bool) ([]*fxics.Element, *fxics.Element, error) {
	if !top {
		f = fxAll
	}
	p := fxBodies(m.AllProps(), o.bestBody)
	_, hasHTML := p.Get(store.TagHtml)
	_, hasRTF := p.Get(fxTagRtfCompressed)
	props := x.fxPropList(s, lg, p, o.sendOptions, func(t prop.Tag) bool {
		if skip != nil && skip(t) {
			return true
		}
		if !f.keep(t) {
			return !(o.oneBody && t.ID() == store.TagBody.ID() && !hasHTML && !hasRTF)
		}
		return false
	})
	if o.entryIDs && m.ID != 0 && m.FolderID != 0 {
		e, err := fxMust(store.TagEntryId, prptMessageEntryID(lg.mb, m.FolderID, m.ID))
		if err != nil {
			return nil, nil, err
		}
		props = append(props, e)
	}
	children := fxics.E(fxics.KindMessageChildren)
	delProps := o.delProps && top
	if f.keep(store.TagMessageRecipients) {
		if delProps {
			e, err := fxMust(fxics.MetaTagFXDelProp, int32(uint32(store.TagMessageRecipients)))
			if err != nil {
				return nil, nil, err
			}
			children.Children = append(children.Children, e)
		}
		for _, r := range m.Recipients() {
			rp := r.Props.Clone()
			rp.Delete(store.TagRowid)
			rp.Delete(store.TagRecipientType)
			row, err := fxMust(store.TagRowid, int32(r.RowID))
			if err != nil {
				return nil, nil, err
			}
			typ, err := fxMust(store.TagRecipientType, int32(r.Type))
			if err != nil {
				return nil, nil, err
			}
			leaves := append([]*fxics.Element{row, typ}, x.fxPropList(s, lg, rp, o.sendOptions, nil)...)
			children.Children = append(children.Children, fxics.RecipientElement(leaves...))
		}
	}
	if f.keep(store.TagMessageAttachments) {
		if delProps {
			e, err := fxMust(fxics.MetaTagFXDelProp, int32(uint32(store.TagMessageAttachments)))
			if err != nil {
				return nil, nil, err
			}
			children.Children = append(children.Children, e)
		}
		for _, row := range m.AttachmentTable() {
			num := uint32(row.Int32(store.TagAttachNumber))
			a, err := m.OpenAttachment(num)
			if err != nil {
				return nil, nil, err
			}
			ae, err := x.fxAttachment(s, lg, a, o, fxAll, true)
			if err != nil {
				return nil, nil, err
			}
			children.Children = append(children.Children, ae)
		}
	}
	return props, children, nil
}

// fxAttachmentProps returns the propList leaves of an attachment and its
// embedded message element (nil when none, or when subobjects are left
// out).
func (x *execCtx) fxAttachmentProps(s *fxStream, lg *logonObj, a *store.Attachment, o fxOptions, f fxFilter, subobjects bool) ([]*fxics.Element, *fxics.Element, error) {
	props := x.fxPropList(s, lg, a.AllProps(), o.sendOptions, func(t prop.Tag) bool {
		return t.ID() == store.TagAttachNumber.ID() || !f.keep(t)
	})
	if !subobjects || !f.keep(store.TagAttachDataObject) {
		return props, nil, nil
	}
	e, err := a.OpenEmbeddedMessage(false)
	if errors.Is(err, store.ErrNotFound) {
		return props, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	eo := o
	eo.entryIDs = false
	ep, ec, err := x.fxMessageContent(s, lg, e, eo, fxAll, false, nil)
	if err != nil {
		return nil, nil, err
	}
	return props, fxics.EmbeddedMessageElement(ep, ec), nil
}

// fxAttachment builds attachment = NewAttach PidTagAttachNumber
// attachmentContent EndAttach.
func (x *execCtx) fxAttachment(s *fxStream, lg *logonObj, a *store.Attachment, o fxOptions, f fxFilter, subobjects bool) (*fxics.Element, error) {
	props, embedded, err := x.fxAttachmentProps(s, lg, a, o, f, subobjects)
	if err != nil {
		return nil, err
	}
	return fxics.AttachmentElement(int32(a.Num), props, embedded), nil
}

// fxFolderVolatile lists the folder properties a stream leaves out:
// computed counts and identities, and what only describes the session's
// view (access, rights).
func fxFolderVolatile(t prop.Tag) bool {
	switch t.ID() {
	case store.TagContentCount.ID(), store.TagContentUnreadCount.ID(), store.TagAssociatedContentCount.ID(),
		store.TagSubfolders.ID(), store.TagDeletedCountTotal.ID(), prptRights.ID(), prptHasRules.ID(),
		store.TagRecordKey.ID(), store.TagLocalCommitTimeMax.ID():
		return true
	}
	return false
}

// ---- FastTransfer copy operations: folders and message lists ----

// fxCopy describes a FastTransfer copy download — [MS-OXCFXICS]
// 2.2.3.1.1.
type fxCopy struct {
	lg *logonObj
	o  fxOptions
	f  fxFilter // on the top-level object
	// subfolders: CopyFolder's CopySubfolders; for CopyTo and
	// CopyProperties at Level 0 the top folder's subfolders, as the
	// filter lets them.
	subfolders bool
}

// messageStep writes one message of a messageList: StartMessage (or
// StartFAIMsg) messageContent EndMessage.
func (c *fxCopy) messageStep(fid, mid prop.ID) fxStep {
	return func(x *execCtx, s *fxStream) error {
		m, err := x.st.OpenMessage(c.lg.mb, fid, mid)
		if errors.Is(err, store.ErrNotFound) {
			s.progress++
			return nil // deleted since: nothing to copy
		}
		if err != nil {
			return err
		}
		start := fxics.StartMessage
		if m.Associated {
			start = fxics.StartFAIMsg
		}
		o := c.o
		o.delProps = false
		props, children, err := x.fxMessageContent(s, c.lg, m, o, fxAll, false, nil)
		if err != nil {
			return err
		}
		s.progress++
		return s.elem(fxics.E(fxics.KindMessage, fxics.M(start), fxics.E(fxics.KindMessageContent, fxics.PL(props...), children), fxics.M(fxics.EndMessage)))
	}
}

// folderSteps writes folderContent of folder fid: its properties, its
// messages and its subfolders — [MS-OXCFXICS] 2.2.4.3.6. top is the
// operation's folder (filters and MetaTagFXDelProp apply there only); sub
// marks a subFolder, whose propList starts with PidTagFolderId,
// PidTagDisplayName and PidTagComment.
func (c *fxCopy) folderSteps(fid prop.ID, top, sub bool, withMessages bool) fxStep {
	return func(x *execCtx, s *fxStream) error {
		f := c.f
		if !top {
			f = fxAll
		}
		lg := c.lg
		props, err := x.st.FolderProps(lg.mb, fid)
		if err != nil {
			return err
		}
		var leaves []*fxics.Element
		skip := func(t prop.Tag) bool { return fxFolderVolatile(t) || !f.keep(t) }
		if sub {
			name, _ := props.Get(store.TagDisplayName)
			comment, ok := props.Get(store.TagComment)
			if !ok {
				comment = ""
			}
			for _, tv := range []prop.TaggedValue{{Tag: store.TagFolderId, Value: int64(fid)}, {Tag: store.TagDisplayName, Value: name}, {Tag: store.TagComment, Value: comment}} {
				e, ok := x.fxLeaf(s, lg, tv.Tag, tv.Value, c.o.sendOptions)
				if !ok {
					return fmt.Errorf("folder %v: %v has no FastTransfer form", fid, tv.Tag)
				}
				leaves = append(leaves, e)
			}
			inner := skip
			skip = func(t prop.Tag) bool {
				return inner(t) || t.ID() == store.TagDisplayName.ID() || t.ID() == store.TagComment.ID()
			}
			if err := s.marker(fxics.StartSubFld); err != nil {
				return err
			}
		}
		leaves = append(leaves, x.fxPropList(s, lg, props, c.o.sendOptions, skip)...)
		if c.o.entryIDs {
			e, err := fxMust(store.TagEntryId, prptFolderEntryID(lg.mb, fid))
			if err != nil {
				return err
			}
			leaves = append(leaves, e)
		}
		if err := s.elem(fxics.PL(leaves...)); err != nil {
			return err
		}
		s.progress++
		var next []fxStep
		readable := x.canAccess(lg, fid, store.RightReadAny)
		for _, list := range []struct {
			tag   prop.Tag
			assoc bool
		}{{fxics.PidTagContainerContents, false}, {fxics.PidTagFolderAssociatedContents, true}} {
			if !withMessages || !f.keep(list.tag) || !readable {
				continue
			}
			rows, err := x.st.Contents(lg.mb, fid, list.assoc)
			if err != nil {
				return err
			}
			if top && c.o.delProps {
				e, err := fxMust(fxics.MetaTagFXDelProp, int32(uint32(list.tag)))
				if err != nil {
					return err
				}
				next = append(next, fxElemStep(e))
			}
			s.total += len(rows)
			for _, r := range rows {
				next = append(next, c.messageStep(fid, r.ID))
			}
		}
		if c.subfolders && f.keep(fxics.PidTagContainerHierarchy) {
			kids, err := x.st.Hierarchy(lg.mb, fid, false)
			if err != nil {
				return err
			}
			if top && c.o.delProps {
				e, err := fxMust(fxics.MetaTagFXDelProp, int32(uint32(fxics.PidTagContainerHierarchy)))
				if err != nil {
					return err
				}
				next = append(next, fxElemStep(e))
			}
			for _, k := range kids {
				if !x.canAccess(lg, k.Folder.ID, store.RightFolderVisible) {
					continue
				}
				s.total++
				next = append(next, c.folderSteps(k.Folder.ID, false, true, true))
			}
		}
		if sub {
			next = append(next, fxMarkerStep(fxics.EndFolder))
		}
		s.push(next...)
		return nil
	}
}

// fxElemStep writes a fixed element.
func fxElemStep(e *fxics.Element) fxStep {
	return func(_ *execCtx, s *fxStream) error { return s.elem(e) }
}

// fxMarkerStep writes a marker.
func fxMarkerStep(m fxics.Marker) fxStep {
	return func(_ *execCtx, s *fxStream) error { return s.marker(m) }
}

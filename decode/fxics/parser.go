package fxics

import (
	"encoding/binary"
	"fmt"

	"github.com/mapiscope/mapiscope/decode/prop"
	"github.com/mapiscope/mapiscope/decode/wire"
)

// ParserOptions tune a Parser.
type ParserOptions struct {
	// Root is the stream's root element; RootUnknown guesses it from the
	// first atoms (buffering them until the guess is certain).
	Root Root
	// Discard drops each completed child of the root from the tree once it
	// is complete (Completed still reports it), for long sessions that only
	// follow the stream.
	Discard bool
}

// maxDepth bounds element nesting (embedded messages in attachments,
// subfolders): deeper starts become stray atoms.
const maxDepth = 256

// guessLimit is how many atoms the parser buffers at most while guessing
// the root before deciding on what it has.
const guessLimit = 1024

// Parser builds the element tree of [MS-OXCFXICS] 2.2.4.2 from atoms fed
// in stream order. It works incrementally: each atom is placed as it
// arrives. Unexpected atoms become anomalies (and stray leaves, so nothing
// is lost) and parsing goes on. The grammar is followed leniently where
// real streams differ from the ABNF: optional groupInfo and
// MetaTagIncrSyncGroupId in messageChangePartial, meta-properties in any
// order between a folder's properties and its messages.
type Parser struct {
	opt       ParserOptions
	root      *Element
	stack     []*frame
	rootDone  bool
	pos       int64 // end of the last atom placed
	anomalies []wire.Anomaly
	completed []*Element
	buffered  []*Atom // atoms held while guessing the root
	closed    bool

	slab  []Element // elements are allocated in blocks
	spare []*frame  // frames popped, for reuse
}

func (p *Parser) newElement() *Element {
	if len(p.slab) == 0 {
		p.slab = make([]Element, 256)
	}
	e := &p.slab[0]
	p.slab = p.slab[1:]
	return e
}

type stopSet uint8

const (
	stopMarkers stopSet = iota // a propList ends at a marker
	stopSyntax                 // ... or at a meta-property that delimits elements
	stopGroupID                // ... or at MetaTagIncrSyncGroupId
)

type frame struct {
	el    *Element
	state uint8
	phase uint8
	n     uint8
	flag  bool
	stop  stopSet
}

type action uint8

const (
	actDone  action = iota // the atom was placed
	actAgain               // hand the atom to the new top of the stack
)

// NewParser returns a parser for a stream of the given root.
func NewParser(o ParserOptions) *Parser {
	p := &Parser{opt: o}
	if o.Root != RootUnknown {
		p.start(o.Root)
	}
	return p
}

func (p *Parser) start(r Root) {
	if !r.IsRoot() {
		r = RootMessageContent
	}
	p.root = &Element{Kind: r}
	p.stack = []*frame{{el: p.root}}
}

// Root returns the root element (nil while the root is still being guessed).
func (p *Parser) Root() *Element { return p.root }

// Anomalies returns the syntactic anomalies so far.
func (p *Parser) Anomalies() []wire.Anomaly { return p.anomalies }

// Completed returns the elements completed since the last call: children
// of the root as each ends (a messageChange ends when the next element
// starts), and the root itself when it ends.
func (p *Parser) Completed() []*Element {
	out := p.completed
	p.completed = nil
	return out
}

// Done reports that the root element has ended.
func (p *Parser) Done() bool { return p.rootDone }

// Push places atoms, in stream order. The parser keeps pointers into the
// slice: the caller must not modify it afterwards.
func (p *Parser) Push(atoms []Atom) {
	for i := range atoms {
		p.PushAtom(&atoms[i])
	}
}

// PushAtom places one atom.
func (p *Parser) PushAtom(a *Atom) {
	if p.closed {
		return
	}
	if p.root == nil {
		p.buffered = append(p.buffered, a)
		r, ok := guessRoot(p.buffered, len(p.buffered) >= guessLimit)
		if !ok {
			return
		}
		p.start(r)
		buf := p.buffered
		p.buffered = nil
		for _, b := range buf {
			p.dispatch(b)
		}
		return
	}
	p.dispatch(a)
}

// Close ends the stream: elements still open are closed, those that need
// an end marker with an anomaly.
func (p *Parser) Close() {
	if p.closed {
		return
	}
	if p.root == nil {
		if len(p.buffered) == 0 {
			p.closed = true
			return
		}
		r, _ := guessRoot(p.buffered, true)
		p.start(r)
		buf := p.buffered
		p.buffered = nil
		for _, b := range buf {
			p.dispatch(b)
		}
	}
	p.closed = true
	for len(p.stack) > 0 {
		f := p.stack[len(p.stack)-1]
		p.finish(f)
		if end, ok := endMarker(f.el.Kind); ok {
			p.noteAt(p.pos, "stream ends inside %s (no %s)", f.el.Kind, end)
		}
		if f.el.Kind == KindContentsSync && f.flag {
			p.noteAt(p.pos, "progressPerMessage is not followed by a messageChange")
		}
		p.pop()
	}
}

// finish adds, at the end of the stream, the parts an element always has
// that it had not reached yet: a messageContent whose stream ends after its
// properties still has its (empty) messageChildren, as the grammar says.
func (p *Parser) finish(f *frame) {
	switch f.el.Kind {
	case KindMessageContent:
		if f.state < 2 {
			p.push(KindPropList, stopSyntax, p.pos)
			p.pop()
			f.state = 2
		}
		if f.state == 2 {
			p.push(KindMessageChildren, stopMarkers, p.pos)
			p.pop()
			f.state = 3
		}
	case KindAttachmentContent:
		if f.state == 0 {
			p.push(KindPropList, stopSyntax, p.pos)
			p.pop()
			f.state = 1
		}
	case KindFolderContent:
		if f.state < 2 {
			p.push(KindPropList, stopSyntax, p.pos)
			p.pop()
			f.state = 2
		}
	}
}

func endMarker(k Kind) (Marker, bool) {
	switch k {
	case KindContentsSync, KindHierarchySync:
		return IncrSyncEnd, true
	case KindState:
		return IncrSyncStateEnd, true
	case KindRecipient:
		return EndToRecip, true
	case KindAttachment:
		return EndAttach, true
	case KindEmbeddedMessage:
		return EndEmbed, true
	case KindMessage:
		return EndMessage, true
	case KindSubFolder, KindTopFolder:
		return EndFolder, true
	}
	return 0, false
}

func (p *Parser) noteAt(off int64, format string, args ...any) {
	p.anomalies = append(p.anomalies, wire.Anomaly{Offset: int(off), Reason: fmt.Sprintf(format, args...)})
}

func (p *Parser) dispatch(a *Atom) {
	for guard := 0; ; guard++ {
		if len(p.stack) == 0 {
			p.noteAt(a.Off, "%s after the end of %s", a.DisplayName(), p.root.Kind)
			p.addLeaf(p.root, a, true, KindUnknown)
			p.root.Len = p.pos - p.root.Off
			return
		}
		f := p.stack[len(p.stack)-1]
		if guard > 4*maxDepth+16 {
			p.stray(f, a)
			return
		}
		if p.step(f, a) == actDone {
			return
		}
	}
}

// ---- tree building ----

func (p *Parser) addLeaf(parent *Element, a *Atom, stray bool, ctx Kind) {
	k := KindProp
	if a.Marker {
		k = KindMarker
	}
	e := p.newElement()
	*e = Element{Kind: k, Atom: a, Off: a.Off, Len: a.Len, Stray: stray}
	parent.Children = append(parent.Children, e)
	if e := a.End(); e > p.pos {
		p.pos = e
	}
	if !a.Marker {
		for _, s := range a.check() {
			p.noteAt(a.Off, "%s", s)
		}
		if hasStructure(a, ctx) {
			_, an := valueNode(a, ctx, false)
			p.anomalies = append(p.anomalies, an...)
		}
	}
}

// leaf places a in the top frame's element.
func (p *Parser) leaf(f *frame, a *Atom) {
	p.addLeaf(f.el, a, false, p.context())
}

// context is the element that owns the properties being placed: the
// parent of a propList.
func (p *Parser) context() Kind {
	n := len(p.stack)
	if n == 0 {
		return KindUnknown
	}
	k := p.stack[n-1].el.Kind
	if k == KindPropList && n >= 2 {
		return p.stack[n-2].el.Kind
	}
	return k
}

func (p *Parser) stray(f *frame, a *Atom) action {
	p.noteAt(a.Off, "unexpected %s in %s", a.DisplayName(), f.el.Kind)
	p.addLeaf(f.el, a, true, p.context())
	return actDone
}

// push opens a child element of the top frame.
func (p *Parser) push(k Kind, stop stopSet, at int64) *frame {
	parent := p.stack[len(p.stack)-1]
	if at < p.pos {
		at = p.pos
	}
	e := p.newElement()
	*e = Element{Kind: k, Off: at}
	parent.el.Children = append(parent.el.Children, e)
	var f *frame
	if n := len(p.spare); n > 0 {
		f = p.spare[n-1]
		p.spare = p.spare[:n-1]
		*f = frame{el: e, stop: stop}
	} else {
		f = &frame{el: e, stop: stop}
	}
	p.stack = append(p.stack, f)
	return f
}

// open pushes a child that will take a as its first atom.
func (p *Parser) open(f *frame, a *Atom, k Kind, stop stopSet) action {
	if len(p.stack) >= maxDepth {
		p.noteAt(a.Off, "%s nested deeper than %d elements", k, maxDepth)
		return p.stray(f, a)
	}
	p.push(k, stop, a.Off)
	return actAgain
}

func (p *Parser) pop() {
	n := len(p.stack)
	f := p.stack[n-1]
	f.el.Len = p.pos - f.el.Off
	p.stack = p.stack[:n-1]
	p.spare = append(p.spare, f)
	switch n - 1 {
	case 1:
		p.completed = append(p.completed, f.el)
		if p.opt.Discard {
			ch := p.root.Children
			if len(ch) > 0 && ch[len(ch)-1] == f.el {
				p.root.Children = ch[:len(ch)-1]
			}
		}
	case 0:
		p.rootDone = true
		p.completed = append(p.completed, f.el)
	}
}

// end places a as f's end marker and closes f.
func (p *Parser) end(f *frame, a *Atom) action {
	p.leaf(f, a)
	p.pop()
	return actDone
}

// close ends an element without an end marker: a belongs to an ancestor.
// The root never ends this way: a becomes stray.
func (p *Parser) close(f *frame, a *Atom) action {
	if len(p.stack) == 1 {
		return p.stray(f, a)
	}
	p.pop()
	return actAgain
}

// missingEnd handles an atom where f's end marker is due: when an
// ancestor can take it, f lacks its end marker; otherwise it is stray.
func (p *Parser) missingEnd(f *frame, a *Atom, end Marker) action {
	for i := len(p.stack) - 2; i >= 0; i-- {
		if looselyAccepts(p.stack[i].el.Kind, a) {
			p.noteAt(a.Off, "%s: missing %s before %s", f.el.Kind, end, a.DisplayName())
			p.pop()
			return actAgain
		}
	}
	return p.stray(f, a)
}

// looselyAccepts says whether an element of kind k could take a at some
// point: used to tell a missing end marker from a stray atom.
func looselyAccepts(k Kind, a *Atom) bool {
	if !a.Marker {
		switch k {
		case KindMessageChildren, KindMessageChangeFull, KindMessageContent, KindFolderContent, KindFolderMessages:
			return a.Tag == MetaTagFXDelProp
		case KindMessageList:
			return a.Tag == MetaTagEcWarning || a.Tag == MetaTagDnPrefix
		case KindMessageChangePartial:
			return a.Tag == MetaTagIncrementalSyncMessagePartial || a.Tag == MetaTagFXDelProp
		case KindContentsSync:
			return a.Tag == MetaTagIncrSyncGroupId
		}
		return false
	}
	m := Marker(a.Tag)
	switch k {
	case KindContentsSync:
		switch m {
		case IncrSyncChg, IncrSyncChgPartial, IncrSyncGroupInfo, IncrSyncDel, IncrSyncRead,
			IncrSyncStateBegin, IncrSyncEnd, IncrSyncProgressMode, IncrSyncProgressPerMsg:
			return true
		}
	case KindHierarchySync:
		switch m {
		case IncrSyncChg, IncrSyncDel, IncrSyncStateBegin, IncrSyncEnd:
			return true
		}
	case KindMessage:
		return m == EndMessage
	case KindRecipient:
		return m == EndToRecip
	case KindAttachment:
		return m == EndAttach
	case KindEmbeddedMessage:
		return m == EndEmbed
	case KindSubFolder, KindTopFolder:
		return m == EndFolder
	case KindState:
		return m == IncrSyncStateEnd
	case KindMessageChildren, KindMessageContent, KindMessageChangeFull, KindMessageChangePartial:
		return m == StartRecip || m == NewAttach
	case KindMessageList, KindFolderMessages:
		return m == StartMessage || m == StartFAIMsg || m == FXErrorInfo
	case KindFolderContent:
		return m == StartSubFld || m == StartMessage || m == StartFAIMsg || m == FXErrorInfo
	case KindAttachmentContent:
		return m == StartEmbed
	}
	return false
}

// ---- the grammar ----

func (p *Parser) step(f *frame, a *Atom) action {
	switch f.el.Kind {
	case KindPropList, KindMessageChangeHeader:
		if a.Marker || p.stops(f.stop, a) {
			return p.close(f, a)
		}
		p.leaf(f, a)
		return actDone
	case KindContentsSync:
		return p.stepContentsSync(f, a)
	case KindHierarchySync:
		return p.stepHierarchySync(f, a)
	case KindFolderChange, KindDeletions, KindReadStateChanges, KindProgressTotal,
		KindProgressPerMessage, KindGroupInfo, KindErrorInfo:
		// X = StartMarker propList
		if f.state == 0 {
			p.leaf(f, a)
			f.state = 1
			stop := stopMarkers
			if f.el.Kind == KindProgressPerMessage || f.el.Kind == KindGroupInfo {
				stop = stopGroupID
			}
			p.push(KindPropList, stop, p.pos)
			return actDone
		}
		return p.close(f, a)
	case KindState:
		return p.stepState(f, a)
	case KindMessageChangeFull:
		return p.stepMessageChangeFull(f, a)
	case KindMessageChangePartial:
		return p.stepMessageChangePartial(f, a)
	case KindMessageChildren:
		return p.stepMessageChildren(f, a)
	case KindRecipient:
		switch f.state {
		case 0:
			p.leaf(f, a)
			f.state = 1
			p.push(KindPropList, stopSyntax, p.pos)
			return actDone
		}
		if a.Is(EndToRecip) {
			return p.end(f, a)
		}
		return p.missingEnd(f, a, EndToRecip)
	case KindAttachment:
		return p.stepAttachment(f, a)
	case KindAttachmentContent:
		switch f.state {
		case 0:
			f.state = 1
			p.push(KindPropList, stopSyntax, a.Off)
			return actAgain
		case 1:
			if a.Is(StartEmbed) {
				f.state = 2
				return p.open(f, a, KindEmbeddedMessage, stopMarkers)
			}
		}
		return p.close(f, a)
	case KindEmbeddedMessage:
		if f.state == 0 {
			p.leaf(f, a)
			f.state = 1
			p.push(KindMessageContent, stopMarkers, p.pos)
			return actDone
		}
		if a.Is(EndEmbed) {
			return p.end(f, a)
		}
		return p.missingEnd(f, a, EndEmbed)
	case KindMessageContent:
		switch f.state {
		case 0:
			f.state = 1
			if a.IsProp(MetaTagDnPrefix) {
				p.leaf(f, a)
				return actDone
			}
			return actAgain
		case 1:
			f.state = 2
			p.push(KindPropList, stopSyntax, a.Off)
			return actAgain
		case 2:
			f.state = 3
			p.push(KindMessageChildren, stopMarkers, a.Off)
			return actAgain
		}
		return p.close(f, a)
	case KindMessage:
		if f.state == 0 {
			p.leaf(f, a)
			f.state = 1
			p.push(KindMessageContent, stopMarkers, p.pos)
			return actDone
		}
		if a.Is(EndMessage) {
			return p.end(f, a)
		}
		return p.missingEnd(f, a, EndMessage)
	case KindMessageList:
		switch {
		case a.IsProp(MetaTagDnPrefix), a.IsProp(MetaTagEcWarning):
			p.leaf(f, a)
			return actDone
		case a.Is(StartMessage), a.Is(StartFAIMsg):
			return p.open(f, a, KindMessage, stopMarkers)
		case a.Is(FXErrorInfo):
			return p.open(f, a, KindErrorInfo, stopMarkers)
		}
		return p.close(f, a)
	case KindFolderContent:
		return p.stepFolderContent(f, a)
	case KindFolderMessages:
		switch {
		case a.IsProp(MetaTagFXDelProp) && fxDelValue(a) != PidTagContainerHierarchy:
			p.leaf(f, a)
			f.n++
			if f.n == 3 {
				p.noteAt(a.Off, "folderMessages holds more than two MetaTagFXDelProp messageList pairs")
			}
			p.push(KindMessageList, stopMarkers, p.pos)
			return actDone
		case a.Is(StartMessage), a.Is(StartFAIMsg), a.Is(FXErrorInfo),
			a.IsProp(MetaTagDnPrefix), a.IsProp(MetaTagEcWarning):
			if f.flag {
				// A messageList just ended on this atom: do not loop.
				return p.close(f, a)
			}
			f.flag = true
			return p.open(f, a, KindMessageList, stopMarkers)
		}
		return p.close(f, a)
	case KindSubFolder:
		if f.state == 0 {
			p.leaf(f, a)
			f.state = 1
			p.push(KindFolderContent, stopMarkers, p.pos)
			return actDone
		}
		if a.Is(EndFolder) {
			return p.end(f, a)
		}
		return p.missingEnd(f, a, EndFolder)
	case KindTopFolder:
		if f.state == 0 {
			switch {
			case a.IsProp(MetaTagDnPrefix):
				p.leaf(f, a)
				return actDone
			case a.Is(StartTopFld):
				p.leaf(f, a)
				f.state = 1
				p.push(KindFolderContent, stopMarkers, p.pos)
				return actDone
			}
			p.noteAt(a.Off, "topFolder does not start with StartTopFld")
			f.state = 1
			p.push(KindFolderContent, stopMarkers, a.Off)
			return actAgain
		}
		if a.Is(EndFolder) {
			return p.end(f, a)
		}
		return p.missingEnd(f, a, EndFolder)
	}
	return p.stray(f, a)
}

func (p *Parser) stops(s stopSet, a *Atom) bool {
	switch s {
	case stopSyntax:
		return syntacticMeta(a.Tag)
	case stopGroupID:
		return a.Tag == MetaTagIncrSyncGroupId
	}
	return false
}

// order checks the position of a contentsSync/hierarchySync child: phase
// numbers must not go down, and only the message (folder) changes repeat.
func (p *Parser) order(f *frame, a *Atom, phase uint8, what Kind, repeats bool) {
	switch {
	case phase < f.phase:
		p.noteAt(a.Off, "%s out of order in %s", what, f.el.Kind)
	case phase == f.phase && !repeats:
		p.noteAt(a.Off, "second %s in %s", what, f.el.Kind)
	}
	if phase > f.phase {
		f.phase = phase
	}
}

// contentsSync = [progressTotal] *( [progressPerMessage] messageChange )
// [deletions] [readStateChanges] state IncrSyncEnd — 2.2.4.3.3.
func (p *Parser) stepContentsSync(f *frame, a *Atom) action {
	var k Kind
	var phase uint8
	repeats := false
	switch {
	case a.Is(IncrSyncProgressMode):
		k, phase = KindProgressTotal, 1
	case a.Is(IncrSyncProgressPerMsg):
		k, phase, repeats = KindProgressPerMessage, 2, true
	case a.Is(IncrSyncChg):
		k, phase, repeats = KindMessageChangeFull, 2, true
	case a.Is(IncrSyncChgPartial), a.Is(IncrSyncGroupInfo), a.IsProp(MetaTagIncrSyncGroupId):
		k, phase, repeats = KindMessageChangePartial, 2, true
	case a.Is(IncrSyncDel):
		k, phase = KindDeletions, 3
	case a.Is(IncrSyncRead):
		k, phase = KindReadStateChanges, 4
	case a.Is(IncrSyncStateBegin):
		k, phase = KindState, 5
	case a.Is(IncrSyncEnd):
		if f.flag {
			p.noteAt(a.Off, "progressPerMessage is not followed by a messageChange")
		}
		if f.phase < 5 {
			p.noteAt(a.Off, "contentsSync ends without its state")
		}
		return p.end(f, a)
	default:
		return p.stray(f, a)
	}
	p.order(f, a, phase, k, repeats)
	switch {
	case k.IsMessageChange():
		f.flag = false
	case f.flag:
		p.noteAt(a.Off, "progressPerMessage is not followed by a messageChange")
		f.flag = k == KindProgressPerMessage
	default:
		f.flag = k == KindProgressPerMessage
	}
	return p.open(f, a, k, stopMarkers)
}

// hierarchySync = *folderChange [deletions] state IncrSyncEnd — 2.2.4.3.9.
func (p *Parser) stepHierarchySync(f *frame, a *Atom) action {
	var k Kind
	var phase uint8
	repeats := false
	switch {
	case a.Is(IncrSyncChg):
		k, phase, repeats = KindFolderChange, 1, true
	case a.Is(IncrSyncDel):
		k, phase = KindDeletions, 3
	case a.Is(IncrSyncStateBegin):
		k, phase = KindState, 5
	case a.Is(IncrSyncEnd):
		if f.phase < 5 {
			p.noteAt(a.Off, "hierarchySync ends without its state")
		}
		return p.end(f, a)
	default:
		return p.stray(f, a)
	}
	p.order(f, a, phase, k, repeats)
	return p.open(f, a, k, stopMarkers)
}

// state = IncrSyncStateBegin propList IncrSyncStateEnd.
func (p *Parser) stepState(f *frame, a *Atom) action {
	if f.state == 0 {
		f.state = 1
		if a.Is(IncrSyncStateBegin) {
			p.leaf(f, a)
			p.push(KindPropList, stopMarkers, p.pos)
			return actDone
		}
		p.noteAt(a.Off, "state does not start with IncrSyncStateBegin")
		p.push(KindPropList, stopMarkers, a.Off)
		return actAgain
	}
	if a.Is(IncrSyncStateEnd) {
		return p.end(f, a)
	}
	return p.missingEnd(f, a, IncrSyncStateEnd)
}

// messageChangeFull = IncrSyncChg messageChangeHeader IncrSyncMessage
// propList messageChildren — 2.2.4.3.12.
func (p *Parser) stepMessageChangeFull(f *frame, a *Atom) action {
	switch f.state {
	case 0:
		p.leaf(f, a)
		f.state = 1
		p.push(KindMessageChangeHeader, stopSyntax, p.pos)
		return actDone
	case 1:
		f.state = 2
		if a.Is(IncrSyncMessage) {
			p.leaf(f, a)
			p.push(KindPropList, stopSyntax, p.pos)
			return actDone
		}
		p.noteAt(a.Off, "messageChangeFull: missing IncrSyncMessage before %s", a.DisplayName())
		p.push(KindPropList, stopSyntax, a.Off)
		return actAgain
	case 2:
		f.state = 3
		p.push(KindMessageChildren, stopMarkers, a.Off)
		return actAgain
	}
	return p.close(f, a)
}

// messageChangePartial = groupInfo MetaTagIncrSyncGroupId
// IncrSyncChgPartial messageChangeHeader
// *( MetaTagIncrementalSyncMessagePartial propList ) messageChildren —
// 2.2.4.3.15 (groupInfo and the group id are accepted as optional).
func (p *Parser) stepMessageChangePartial(f *frame, a *Atom) action {
	switch f.state {
	case 0:
		switch {
		case a.Is(IncrSyncGroupInfo):
			return p.open(f, a, KindGroupInfo, stopMarkers)
		case a.IsProp(MetaTagIncrSyncGroupId):
			p.leaf(f, a)
			return actDone
		case a.Is(IncrSyncChgPartial):
			p.leaf(f, a)
			f.state = 1
			p.push(KindMessageChangeHeader, stopSyntax, p.pos)
			return actDone
		}
		p.noteAt(a.Off, "messageChangePartial: missing IncrSyncChgPartial before %s", a.DisplayName())
		f.state = 2
		return p.close(f, a)
	case 1:
		if a.IsProp(MetaTagIncrementalSyncMessagePartial) {
			p.leaf(f, a)
			p.push(KindPropList, stopSyntax, p.pos)
			return actDone
		}
		f.state = 2
		p.push(KindMessageChildren, stopMarkers, a.Off)
		return actAgain
	}
	return p.close(f, a)
}

// fxDelValue reads the property tag a MetaTagFXDelProp names.
func fxDelValue(a *Atom) prop.Tag {
	if len(a.Raw) != 4 {
		return 0
	}
	return prop.Tag(binary.LittleEndian.Uint32(a.Raw))
}

// messageChildren = [ MetaTagFXDelProp ] [ *recipient ]
// [ MetaTagFXDelProp ] [ *attachment ] — 2.2.4.2.
func (p *Parser) stepMessageChildren(f *frame, a *Atom) action {
	switch {
	case a.IsProp(MetaTagFXDelProp):
		switch v := fxDelValue(a); {
		case v == PidTagMessageRecipients && f.phase == 0:
			f.phase = 1
		case v == PidTagMessageAttachments && f.phase < 3:
			f.phase = 3
		case v != PidTagMessageRecipients && v != PidTagMessageAttachments && f.phase == 0:
			f.phase = 1
		case v != PidTagMessageRecipients && v != PidTagMessageAttachments && f.phase < 3:
			f.phase = 3
		default:
			p.noteAt(a.Off, "MetaTagFXDelProp (%s) out of place in messageChildren", prop.Tag(v))
		}
		p.leaf(f, a)
		return actDone
	case a.Is(StartRecip):
		if f.phase > 2 {
			p.noteAt(a.Off, "recipient after the attachments in messageChildren")
		} else {
			f.phase = 2
		}
		return p.open(f, a, KindRecipient, stopMarkers)
	case a.Is(NewAttach):
		f.phase = 4
		return p.open(f, a, KindAttachment, stopMarkers)
	}
	return p.close(f, a)
}

// attachment = NewAttach PidTagAttachNumber attachmentContent EndAttach.
func (p *Parser) stepAttachment(f *frame, a *Atom) action {
	switch f.state {
	case 0:
		p.leaf(f, a)
		f.state = 1
		return actDone
	case 1:
		f.state = 2
		if a.IsProp(PidTagAttachNumber) {
			p.leaf(f, a)
			p.push(KindAttachmentContent, stopMarkers, p.pos)
			return actDone
		}
		p.noteAt(a.Off, "attachment: NewAttach is not followed by PidTagAttachNumber")
		p.push(KindAttachmentContent, stopMarkers, a.Off)
		return actAgain
	}
	if a.Is(EndAttach) {
		return p.end(f, a)
	}
	return p.missingEnd(f, a, EndAttach)
}

// folderContent = [MetaTagDnPrefix] propList [MetaTagEcWarning]
// ( [MetaTagNewFXFolder] / folderMessages ) [ MetaTagFXDelProp *subFolder ]
// and folderContentNoDelProps (the same without the MetaTagFXDelProp).
func (p *Parser) stepFolderContent(f *frame, a *Atom) action {
	switch f.state {
	case 0:
		f.state = 1
		if a.IsProp(MetaTagDnPrefix) {
			p.leaf(f, a)
			return actDone
		}
		return actAgain
	case 1:
		f.state = 2
		p.push(KindPropList, stopSyntax, a.Off)
		return actAgain
	case 2:
		switch {
		case a.IsProp(MetaTagEcWarning), a.IsProp(MetaTagNewFXFolder):
			p.leaf(f, a)
			return actDone
		case a.IsProp(MetaTagFXDelProp) && fxDelValue(a) == PidTagContainerHierarchy:
			p.leaf(f, a)
			f.state = 3
			return actDone
		case a.IsProp(MetaTagFXDelProp), a.Is(StartMessage), a.Is(StartFAIMsg), a.Is(FXErrorInfo),
			a.IsProp(MetaTagDnPrefix):
			if f.flag {
				return p.close(f, a)
			}
			f.flag = true
			return p.open(f, a, KindFolderMessages, stopMarkers)
		case a.Is(StartSubFld):
			f.state = 3
			return p.open(f, a, KindSubFolder, stopMarkers)
		}
	case 3:
		switch {
		case a.Is(StartSubFld):
			return p.open(f, a, KindSubFolder, stopMarkers)
		case a.IsProp(MetaTagFXDelProp):
			p.noteAt(a.Off, "second MetaTagFXDelProp before the subfolders")
			p.leaf(f, a)
			return actDone
		case a.Is(FXErrorInfo):
			return p.open(f, a, KindErrorInfo, stopMarkers)
		}
	}
	return p.close(f, a)
}

// ---- root guessing ----

// guessRoot picks the root element from the first atoms. It answers
// ok=false while more atoms could change the answer; final forces one.
// The decision depends only on the atoms, so it is the same however the
// stream was split.
func guessRoot(as []*Atom, final bool) (Root, bool) {
	i := 0
	for i < len(as) && as[i].IsProp(MetaTagDnPrefix) {
		i++
	}
	if i == len(as) {
		if final {
			return RootMessageList, true
		}
		return RootUnknown, false
	}
	a := as[i]
	if a.Marker {
		switch Marker(a.Tag) {
		case IncrSyncProgressMode, IncrSyncProgressPerMsg, IncrSyncGroupInfo, IncrSyncChgPartial,
			IncrSyncRead, IncrSyncMessage, IncrSyncEnd:
			return RootContentsSync, true
		case IncrSyncChg:
			for _, b := range as[i+1:] {
				if b.Marker {
					if b.Is(IncrSyncMessage) {
						return RootContentsSync, true
					}
					return RootHierarchySync, true
				}
				switch b.Tag {
				case PidTagParentSourceKey, PidTagDisplayName:
					return RootHierarchySync, true
				case PidTagAssociated, PidTagMid, PidTagMessageSize:
					return RootContentsSync, true
				}
			}
			return RootHierarchySync, final
		case IncrSyncDel, IncrSyncStateBegin:
			// A state root, or the tail of a contentsSync or hierarchySync:
			// contents state alone has MetaTagCnsetSeenFAI and
			// MetaTagCnsetRead, only contents has readStateChanges.
			fromState := Marker(a.Tag) == IncrSyncStateBegin
			contents := false
			for j := i + 1; j < len(as); j++ {
				b := as[j]
				switch {
				case b.Is(IncrSyncRead), b.IsProp(MetaTagIdsetRead), b.IsProp(MetaTagIdsetUnread):
					if !fromState {
						return RootContentsSync, true
					}
				case b.IsProp(MetaTagCnsetSeenFAI), b.IsProp(MetaTagCnsetRead):
					contents = true
					if !fromState {
						return RootContentsSync, true
					}
				case b.Is(IncrSyncStateEnd):
					if j+1 == len(as) {
						if !final {
							return RootUnknown, false
						}
						if fromState {
							return RootState, true
						}
					} else if fromState && !as[j+1].Is(IncrSyncEnd) {
						return RootState, true
					}
					if contents {
						return RootContentsSync, true
					}
					return RootHierarchySync, true
				}
			}
			if fromState {
				return RootState, final
			}
			return RootContentsSync, final
		case StartTopFld:
			return RootTopFolder, true
		case StartMessage, StartFAIMsg, FXErrorInfo:
			return RootMessageList, true
		case StartSubFld:
			return RootFolderContent, true
		case StartEmbed:
			return RootAttachmentContent, true
		}
		return RootMessageContent, true
	}
	switch a.Tag {
	case MetaTagEcWarning:
		return RootMessageList, true
	case MetaTagIncrSyncGroupId:
		return RootContentsSync, true
	}
	hint := RootMessageContent
	for _, b := range as[i:] {
		if b.Marker {
			switch Marker(b.Tag) {
			case StartRecip, NewAttach:
				return RootMessageContent, true
			case StartEmbed:
				return RootAttachmentContent, true
			case StartSubFld, StartMessage, StartFAIMsg:
				return RootFolderContent, true
			}
			return hint, true
		}
		switch b.Tag {
		case MetaTagFXDelProp:
			switch fxDelValue(b) {
			case PidTagMessageRecipients, PidTagMessageAttachments:
				return RootMessageContent, true
			}
			return RootFolderContent, true
		case MetaTagNewFXFolder, MetaTagEcWarning, MetaTagDnPrefix:
			return RootFolderContent, true
		case PidTagAttachNumber, PidTagAttachMethod:
			hint = RootAttachmentContent
		case PidTagFolderType, PidTagContainerClass:
			hint = RootFolderContent
		}
	}
	return hint, final
}

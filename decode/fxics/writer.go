package fxics

import (
	"errors"
	"fmt"

	"github.com/mapiscope/mapiscope/decode/prop"
)

// Writer produces FastTransfer stream bytes from markers, property values,
// atoms and element trees. The first error sticks (Err); later writes are
// ignored.
type Writer struct {
	buf []byte
	err error
}

// NewWriter returns a writer appending to dst.
func NewWriter(dst []byte) *Writer { return &Writer{buf: dst} }

// Bytes returns the stream written so far.
func (w *Writer) Bytes() []byte { return w.buf }

// Len returns the number of bytes written so far.
func (w *Writer) Len() int { return len(w.buf) }

// Err returns the first error.
func (w *Writer) Err() error { return w.err }

// Marker writes a marker.
func (w *Writer) Marker(m Marker) {
	if w.err != nil {
		return
	}
	if !IsMarker(uint32(m)) {
		w.err = fmt.Errorf("0x%08X is not a FastTransfer marker", uint32(m))
		return
	}
	a := NewMarker(m)
	w.Atom(&a)
}

// Prop writes a property value.
func (w *Writer) Prop(tag prop.Tag, v any) {
	if w.err != nil {
		return
	}
	a, err := NewProp(tag, v)
	if err != nil {
		w.err = err
		return
	}
	w.Atom(&a)
}

// NamedProp writes a named property's value with its propertyName.
func (w *Writer) NamedProp(tag prop.Tag, name prop.PropertyName, v any) {
	if w.err != nil {
		return
	}
	a, err := NewNamedProp(tag, name, v)
	if err != nil {
		w.err = err
		return
	}
	w.Atom(&a)
}

// Atom writes an atom as it is (Raw bytes and all).
func (w *Writer) Atom(a *Atom) {
	if w.err != nil {
		return
	}
	w.buf, w.err = a.AppendTo(w.buf)
}

// Element writes an element tree: its leaves in order.
func (w *Writer) Element(e *Element) {
	if w.err != nil || e == nil {
		return
	}
	if e.Atom != nil {
		w.Atom(e.Atom)
		return
	}
	for _, c := range e.Children {
		w.Element(c)
	}
}

// Encode returns the stream bytes of an element tree.
func Encode(e *Element) ([]byte, error) {
	w := NewWriter(nil)
	w.Element(e)
	return w.Bytes(), w.Err()
}

// ---- element builders for the common ICS elements ----

// ICSState is the ICS state of a synchronization — [MS-OXCFXICS] 2.2.1.1:
// the sets a state element carries (nil when absent; a hierarchy
// synchronization has no CnsetSeenFAI or CnsetRead).
type ICSState struct {
	CnsetSeen    *IDSet
	CnsetSeenFAI *IDSet
	IdsetGiven   *IDSet
	CnsetRead    *IDSet
}

// Element builds state = IncrSyncStateBegin propList IncrSyncStateEnd with
// the present sets in REPLGUID form (MetaTagIdsetGiven with its PtypInteger32
// tag and binary payload).
func (s ICSState) Element() *Element {
	pl := PL()
	add := func(t prop.Tag, v *IDSet) {
		if v != nil {
			pl.Children = append(pl.Children, P(t, v.Encode(true)))
		}
	}
	add(MetaTagCnsetSeen, s.CnsetSeen)
	add(MetaTagCnsetSeenFAI, s.CnsetSeenFAI)
	add(MetaTagIdsetGiven, s.IdsetGiven)
	add(MetaTagCnsetRead, s.CnsetRead)
	return E(KindState, M(IncrSyncStateBegin), pl, M(IncrSyncStateEnd))
}

// StateOf reads the ICS state from a state element, or from the first
// state element inside e (a contentsSync or hierarchySync).
func StateOf(e *Element) (ICSState, error) {
	var s ICSState
	if e == nil {
		return s, errors.New("no element")
	}
	st := e
	if e.Kind != KindState {
		if l := e.Elements(KindState); len(l) > 0 {
			st = l[0]
		} else {
			return s, errors.New("no state element")
		}
	}
	var errs []error
	for _, a := range st.Props() {
		var dst **IDSet
		switch a.Tag {
		case MetaTagCnsetSeen:
			dst = &s.CnsetSeen
		case MetaTagCnsetSeenFAI:
			dst = &s.CnsetSeenFAI
		case MetaTagIdsetGiven, MetaTagIdsetGiven&0xFFFF0000 | 0x0102:
			dst = &s.IdsetGiven
		case MetaTagCnsetRead:
			dst = &s.CnsetRead
		default:
			continue
		}
		if a.Truncated {
			errs = append(errs, fmt.Errorf("%s: value truncated", a.DisplayName()))
			continue
		}
		set, err := DecodeIDSet(a.Raw, true)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", a.DisplayName(), err))
		}
		*dst = &set
	}
	return s, errors.Join(errs...)
}

// DeletionsElement builds deletions = IncrSyncDel propList with the
// non-nil REPLID-form sets.
func DeletionsElement(deleted, noLongerInScope, expired *IDSet) *Element {
	pl := PL()
	for _, x := range []struct {
		t prop.Tag
		s *IDSet
	}{{MetaTagIdsetDeleted, deleted}, {MetaTagIdsetNoLongerInScope, noLongerInScope}, {MetaTagIdsetExpired, expired}} {
		if x.s != nil {
			pl.Children = append(pl.Children, P(x.t, x.s.Encode(false)))
		}
	}
	return E(KindDeletions, M(IncrSyncDel), pl)
}

// ReadStateChangesElement builds readStateChanges = IncrSyncRead propList.
func ReadStateChangesElement(read, unread *IDSet) *Element {
	pl := PL()
	if read != nil {
		pl.Children = append(pl.Children, P(MetaTagIdsetRead, read.Encode(false)))
	}
	if unread != nil {
		pl.Children = append(pl.Children, P(MetaTagIdsetUnread, unread.Encode(false)))
	}
	return E(KindReadStateChanges, M(IncrSyncRead), pl)
}

// ProgressTotalElement builds progressTotal = IncrSyncProgressMode
// propList, the propList holding the PtypBinary 0x00000102
// ProgressInformation.
func ProgressTotalElement(p ProgressInformation) *Element {
	return E(KindProgressTotal, M(IncrSyncProgressMode), PL(P(0x00000102, p.Bytes())))
}

// ProgressPerMessageElement builds progressPerMessage =
// IncrSyncProgressPerMsg propList with the message size (PtypInteger32
// 0x00000003) and FAI flag (PtypBoolean 0x0000000B).
func ProgressPerMessageElement(size int32, fai bool) *Element {
	return E(KindProgressPerMessage, M(IncrSyncProgressPerMsg), PL(P(0x00000003, size), P(0x0000000B, fai)))
}

// MessageChangeFullElement builds messageChangeFull = IncrSyncChg
// messageChangeHeader IncrSyncMessage propList messageChildren.
func MessageChangeFullElement(header, props []*Element, children *Element) *Element {
	if children == nil {
		children = E(KindMessageChildren)
	}
	return E(KindMessageChangeFull, M(IncrSyncChg), E(KindMessageChangeHeader, header...),
		M(IncrSyncMessage), PL(props...), children)
}

// FolderChangeElement builds folderChange = IncrSyncChg propList.
func FolderChangeElement(props ...*Element) *Element {
	return E(KindFolderChange, M(IncrSyncChg), PL(props...))
}

// RecipientElement builds recipient = StartRecip propList EndToRecip.
func RecipientElement(props ...*Element) *Element {
	return E(KindRecipient, M(StartRecip), PL(props...), M(EndToRecip))
}

// AttachmentElement builds attachment = NewAttach PidTagAttachNumber
// attachmentContent EndAttach (embedded may be nil).
func AttachmentElement(number int32, props []*Element, embedded *Element) *Element {
	ac := E(KindAttachmentContent, PL(props...))
	if embedded != nil {
		ac.Children = append(ac.Children, embedded)
	}
	return E(KindAttachment, M(NewAttach), P(PidTagAttachNumber, number), ac, M(EndAttach))
}

// EmbeddedMessageElement builds embeddedMessage = StartEmbed
// messageContent EndEmbed.
func EmbeddedMessageElement(props []*Element, children *Element) *Element {
	if children == nil {
		children = E(KindMessageChildren)
	}
	return E(KindEmbeddedMessage, M(StartEmbed), E(KindMessageContent, PL(props...), children), M(EndEmbed))
}

package fxics

import (
	"fmt"
	"strings"

	"github.com/mapiscope/mapiscope/decode/prop"
)

// Kind is the grammar element an Element stands for — [MS-OXCFXICS]
// 2.2.4.2 (syntactical structure) and 2.2.4.3 (the elements). Leaves are
// KindMarker and KindProp, which hold one Atom.
type Kind uint8

const (
	KindUnknown Kind = iota
	KindMarker
	KindProp

	// Roots (2.2.4.2: root = contentsSync / hierarchySync / state /
	// folderContent / messageContent / attachmentContent / messageList /
	// topFolder).
	KindContentsSync
	KindHierarchySync
	KindState
	KindFolderContent
	KindMessageContent
	KindAttachmentContent
	KindMessageList
	KindTopFolder

	// Sub-elements.
	KindPropList
	KindProgressTotal
	KindProgressPerMessage
	KindMessageChangeFull
	KindMessageChangePartial
	KindMessageChangeHeader
	KindGroupInfo
	KindDeletions
	KindReadStateChanges
	KindFolderChange
	KindMessageChildren
	KindRecipient
	KindAttachment
	KindEmbeddedMessage
	KindMessage
	KindSubFolder
	KindFolderMessages
	KindErrorInfo
	kindCount
)

var kindNames = [...]string{
	KindUnknown: "unknown", KindMarker: "marker", KindProp: "propValue",
	KindContentsSync: "contentsSync", KindHierarchySync: "hierarchySync", KindState: "state",
	KindFolderContent: "folderContent", KindMessageContent: "messageContent",
	KindAttachmentContent: "attachmentContent", KindMessageList: "messageList", KindTopFolder: "topFolder",
	KindPropList: "propList", KindProgressTotal: "progressTotal", KindProgressPerMessage: "progressPerMessage",
	KindMessageChangeFull: "messageChangeFull", KindMessageChangePartial: "messageChangePartial",
	KindMessageChangeHeader: "messageChangeHeader", KindGroupInfo: "groupInfo", KindDeletions: "deletions",
	KindReadStateChanges: "readStateChanges", KindFolderChange: "folderChange",
	KindMessageChildren: "messageChildren", KindRecipient: "recipient", KindAttachment: "attachment",
	KindEmbeddedMessage: "embeddedMessage", KindMessage: "message", KindSubFolder: "subFolder",
	KindFolderMessages: "folderMessages", KindErrorInfo: "errorInfo",
}

// String returns the element's name as the specification spells it.
func (k Kind) String() string {
	if int(k) < len(kindNames) && kindNames[k] != "" {
		return kindNames[k]
	}
	return fmt.Sprintf("Kind(%d)", uint8(k))
}

// IsMessageChange reports messageChange = messageChangeFull /
// messageChangePartial (2.2.4.3.11).
func (k Kind) IsMessageChange() bool {
	return k == KindMessageChangeFull || k == KindMessageChangePartial
}

// Root says which root element a stream holds. RootUnknown asks the
// parser to guess from the first atoms.
type Root = Kind

const (
	RootUnknown           Root = KindUnknown
	RootContentsSync      Root = KindContentsSync
	RootHierarchySync     Root = KindHierarchySync
	RootState             Root = KindState
	RootFolderContent     Root = KindFolderContent
	RootMessageContent    Root = KindMessageContent
	RootAttachmentContent Root = KindAttachmentContent
	RootMessageList       Root = KindMessageList
	RootTopFolder         Root = KindTopFolder
)

// IsRoot reports a kind the grammar allows as a stream's root.
func (k Kind) IsRoot() bool { return k >= KindContentsSync && k <= KindTopFolder }

// ParseRoot accepts a root's spec name (contentsSync), a short form
// (contents, hierarchy, state, folder, message, attachment, messages,
// topfolder) or "auto"/"" for RootUnknown.
func ParseRoot(s string) (Root, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "auto", "unknown", "guess":
		return RootUnknown, nil
	case "contentssync", "contents", "contents-sync", "ics-contents":
		return RootContentsSync, nil
	case "hierarchysync", "hierarchy", "hierarchy-sync", "ics-hierarchy":
		return RootHierarchySync, nil
	case "state", "ics-state":
		return RootState, nil
	case "foldercontent", "folder", "folder-content":
		return RootFolderContent, nil
	case "messagecontent", "message", "message-content":
		return RootMessageContent, nil
	case "attachmentcontent", "attachment", "attachment-content":
		return RootAttachmentContent, nil
	case "messagelist", "messages", "message-list":
		return RootMessageList, nil
	case "topfolder", "top-folder":
		return RootTopFolder, nil
	}
	return RootUnknown, fmt.Errorf("unknown FastTransfer root %q (contentsSync, hierarchySync, state, folderContent, messageContent, attachmentContent, messageList, topFolder or auto)", s)
}

// Element is a node of the parsed stream: a grammar element with its
// children in stream order, or a leaf holding one atom (a marker or a
// propValue). Off and Len are absolute stream offsets.
type Element struct {
	Kind     Kind
	Atom     *Atom
	Children []*Element
	Off, Len int64
	// Stray marks a leaf the grammar did not expect where it stands (an
	// anomaly was recorded for it); it is kept so that nothing is lost.
	Stray bool
}

// Name is the element's display name: the kind, or for a leaf its
// marker or property name.
func (e *Element) Name() string {
	if e.Atom != nil {
		return e.Atom.DisplayName()
	}
	return e.Kind.String()
}

// IsLeaf reports an element holding an atom.
func (e *Element) IsLeaf() bool { return e.Atom != nil }

// Walk calls f for e and every descendant, depth first; f returning false
// skips the element's children.
func (e *Element) Walk(f func(*Element) bool) {
	if e == nil || !f(e) {
		return
	}
	for _, c := range e.Children {
		c.Walk(f)
	}
}

// Elements returns the descendants of the given kind (not e itself), in
// stream order, without descending into matches.
func (e *Element) Elements(k Kind) []*Element {
	var out []*Element
	for _, c := range e.Children {
		if c.Kind == k {
			out = append(out, c)
			continue
		}
		out = append(out, c.Elements(k)...)
	}
	return out
}

// Child returns the first direct child of kind k.
func (e *Element) Child(k Kind) *Element {
	for _, c := range e.Children {
		if c.Kind == k {
			return c
		}
	}
	return nil
}

// Props returns the propValue atoms directly in e and in its direct
// propList children (messageChangeHeader holds them directly) — the
// properties of the object e describes, not of its sub-objects.
func (e *Element) Props() []*Atom {
	var out []*Atom
	for _, c := range e.Children {
		switch {
		case c.Kind == KindProp:
			out = append(out, c.Atom)
		case c.Kind == KindPropList || c.Kind == KindMessageChangeHeader:
			out = append(out, c.Props()...)
		case c.Kind == KindMessageContent || c.Kind == KindAttachmentContent || c.Kind == KindFolderContent:
			out = append(out, c.Props()...)
		}
	}
	return out
}

// Prop returns the first property with tag t among e.Props(), or nil.
func (e *Element) Prop(t prop.Tag) *Atom {
	for _, a := range e.Props() {
		if a.Tag == t {
			return a
		}
	}
	return nil
}

// Dump renders the element tree one node a line, for tests and debugging:
// kind, offsets, and for leaves the tag and value bytes.
func (e *Element) Dump() string {
	var b strings.Builder
	var rec func(e *Element, depth int)
	rec = func(e *Element, depth int) {
		b.WriteString(strings.Repeat("  ", depth))
		if e.Atom != nil {
			a := e.Atom
			if a.Marker {
				fmt.Fprintf(&b, "%s @%d", Marker(a.Tag), a.Off)
			} else {
				fmt.Fprintf(&b, "%s @%d+%d size=%d", a.TagSym(), a.Off, a.Len, a.Size)
				if a.Truncated {
					b.WriteString(" truncated")
				}
				if len(a.Raw) <= 32 {
					fmt.Fprintf(&b, " %x", a.Raw)
				} else {
					fmt.Fprintf(&b, " %x…(%d)", a.Raw[:32], len(a.Raw))
				}
			}
			if e.Stray {
				b.WriteString(" STRAY")
			}
			b.WriteByte('\n')
			return
		}
		fmt.Fprintf(&b, "%s @%d+%d\n", e.Kind, e.Off, e.Len)
		for _, c := range e.Children {
			rec(c, depth+1)
		}
	}
	if e != nil {
		rec(e, 0)
	}
	return b.String()
}

// ---- building trees (for the Writer and the built-in server) ----

// Leaf wraps an atom.
func Leaf(a Atom) *Element {
	k := KindProp
	if a.Marker {
		k = KindMarker
	}
	return &Element{Kind: k, Atom: &a, Len: a.Len}
}

// M is the leaf of a marker.
func M(m Marker) *Element { return Leaf(NewMarker(m)) }

// P is the leaf of a property; it panics when v does not fit tag's type
// (building fixed data).
func P(tag prop.Tag, v any) *Element { return Leaf(MustProp(tag, v)) }

// E builds an element of kind k with the given children.
func E(k Kind, children ...*Element) *Element {
	return &Element{Kind: k, Children: children}
}

// PL builds a propList.
func PL(props ...*Element) *Element { return E(KindPropList, props...) }

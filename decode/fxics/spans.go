package fxics

import (
	"fmt"

	"github.com/mapiscope/mapiscope/decode/prop"
	"github.com/mapiscope/mapiscope/decode/wire"
)

// Node renders the element tree as a wire.Node tree with absolute stream
// offsets, for the hex view, text and JSON. An element is a struct with an
// "element" name (JSON only) and its "items" in stream order; a marker is
// a leaf; a propValue is a struct with PropertyTag, PropertyName (named
// properties), Length or Count, and Value — decoded into its structure for
// IDSETs, XIDs, predecessor change lists, ProgressInformation,
// PropertyGroupInfo and FolderReplicaInfo.
func (e *Element) Node() *wire.Node {
	if e == nil {
		return nil
	}
	return buildNode(e, KindUnknown)
}

func buildNode(e *Element, ctx Kind) *wire.Node {
	if e.Atom != nil {
		n := atomNode(e.Atom, ctx)
		if e.Stray {
			n.Sym = "stray"
			if n.Kind == wire.KindStruct {
				n.Children = append(n.Children, &wire.Node{Name: "stray", Value: true, Off: n.Off, Derived: true, Alias: true})
			}
		}
		return n
	}
	n := &wire.Node{Name: e.Kind.String(), Kind: wire.KindStruct, Off: int(e.Off), Len: int(e.Len)}
	n.Children = append(n.Children, &wire.Node{Name: "element", Value: e.Kind.String(), Off: int(e.Off), Derived: true, Alias: true})
	items := &wire.Node{Name: "items", Kind: wire.KindArray, Off: int(e.Off), Len: int(e.Len)}
	childCtx := e.Kind
	if e.Kind == KindPropList {
		childCtx = ctx
	}
	for _, c := range e.Children {
		items.Children = append(items.Children, buildNode(c, childCtx))
	}
	n.Children = append(n.Children, items)
	return n
}

// AtomNode renders one atom (ctx is the element owning it, which decides
// how an id-0 PtypBinary is read).
func AtomNode(a *Atom, ctx Kind) *wire.Node { return atomNode(a, ctx) }

func atomNode(a *Atom, ctx Kind) *wire.Node {
	name := a.DisplayName()
	if a.Marker {
		return &wire.Node{Name: name, Off: int(a.Off), Len: int(a.Len), Value: uint64(a.Tag), Hex: true, Sym: name}
	}
	n := &wire.Node{Name: name, Kind: wire.KindStruct, Off: int(a.Off), Len: int(a.Len), Sym: TypeName(a.Tag.Type())}
	pos := int(a.Off)
	n.Children = append(n.Children, &wire.Node{Name: "PropertyTag", Off: pos, Len: 4, Value: uint64(a.Tag), Hex: true, Sym: a.TagSym()})
	pos += 4
	cls, _ := classify(a.Tag)
	lenField := 0
	if cls == classVar || cls == classMV {
		lenField = 4
	}
	if a.Name != nil {
		nameLen := int(a.Hdr) - 4 - lenField
		pn := &wire.Node{Name: "PropertyName", Kind: wire.KindStruct, Off: pos, Len: nameLen, Sym: a.Name.Canonical()}
		setName := a.Name.SetName()
		pn.Children = append(pn.Children,
			&wire.Node{Name: "GUID", Off: pos, Len: 16, Value: a.Name.Guid.String(), Sym: setName},
			&wire.Node{Name: "Kind", Off: pos + 16, Len: 1, Value: uint64(a.Name.Kind), Hex: true, Sym: kindName(a.Name.Kind)})
		if a.Name.Kind == prop.KindLID {
			pn.Children = append(pn.Children, &wire.Node{Name: "LID", Off: pos + 17, Len: 4, Value: uint64(a.Name.LID), Hex: true, Sym: a.Name.Canonical()})
		} else {
			pn.Children = append(pn.Children, &wire.Node{Name: "Name", Off: pos + 17, Len: nameLen - 17, Value: a.Name.Name, Sym: a.Name.Canonical()})
		}
		n.Children = append(n.Children, pn)
		pos += nameLen
	}
	switch cls {
	case classVar:
		n.Children = append(n.Children, &wire.Node{Name: "Length", Off: pos, Len: 4, Value: uint64(a.Size)})
	case classMV:
		n.Children = append(n.Children, &wire.Node{Name: "Count", Off: pos, Len: 4, Value: uint64(a.Size)})
	}
	v, _ := valueNode(a, ctx, true)
	if v != nil {
		n.Children = append(n.Children, v)
	}
	return n
}

func kindName(k uint8) string {
	switch k {
	case prop.KindLID:
		return "dispid"
	case prop.KindName:
		return "name"
	}
	return ""
}

// hasStructure reports a value with an inner structure worth decoding
// (and checking) beyond its property type.
func hasStructure(a *Atom, ctx Kind) bool {
	if a.Marker || a.Truncated {
		return false
	}
	if _, ok := IDSetTag(a.Tag); ok {
		return true
	}
	switch a.Tag {
	case PidTagSourceKey, PidTagParentSourceKey, PidTagChangeKey, PidTagPredecessorChangeList, MetaTagNewFXFolder:
		return true
	case 0x00000102:
		return ctx == KindProgressTotal || ctx == KindGroupInfo
	}
	return false
}

// valueNode decodes the value of a propValue: its structure when it has
// one (with the anomalies that finds), else its typed value (spans only).
func valueNode(a *Atom, ctx Kind, spans bool) (*wire.Node, []wire.Anomaly) {
	base := int(a.Off) + int(a.Hdr)
	body := int(a.Len) - int(a.Hdr)
	if a.Truncated {
		if !spans {
			return nil, nil
		}
		sym := fmt.Sprintf("truncated: first %d of %d bytes kept", len(a.Raw), body)
		if a.Tag.Type().IsMulti() {
			sym = fmt.Sprintf("truncated: first %d of %d bytes of %d values kept", len(a.Raw), body, a.Size)
		}
		return &wire.Node{Name: "Value", Off: base, Len: body, Value: a.Raw, Sym: sym}, nil
	}
	if hasStructure(a, ctx) {
		return structNode(a, ctx, base, spans)
	}
	if !spans {
		return nil, nil
	}
	return plainNode(a, base, body), nil
}

func structNode(a *Atom, ctx Kind, base int, spans bool) (*wire.Node, []wire.Anomaly) {
	if form, ok := IDSetTag(a.Tag); ok {
		s, _, n, an := DecodeIDSetNode(a.Raw, form, base, spans)
		if n != nil && spans {
			n.Name = "Value"
			n.Sym = s.String()
		}
		return n, an
	}
	c := wire.NewDecoder(a.Raw, spans, "Value")
	c.SetBase(base)
	sym := ""
	switch {
	case a.Tag == PidTagPredecessorChangeList:
		var l []XID
		CodecPredecessorChangeList(c, &l, "SizedXids")
		if spans {
			sym = FormatPredecessorChangeList(l)
		}
	case a.Tag == MetaTagNewFXFolder:
		var f FolderReplicaInfo
		f.Codec(c)
	case a.Tag == 0x00000102 && ctx == KindProgressTotal:
		var p ProgressInformation
		p.Codec(c)
		if !c.Failed() && p.Version != 0 {
			c.NoteAt(0, "ProgressInformation: Version %d (0 expected)", p.Version)
		}
	case a.Tag == 0x00000102 && ctx == KindGroupInfo:
		var g PropertyGroupInfo
		g.Codec(c)
	default: // source key, parent source key, change key
		if len(a.Raw) == 0 && a.Tag == PidTagParentSourceKey {
			break // the root of the synchronization scope
		}
		if len(a.Raw) < XIDMinSize || len(a.Raw) > XIDMaxSize {
			c.Note("%s: %d bytes is not an XID (%d to %d bytes)", a.DisplayName(), len(a.Raw), XIDMinSize, XIDMaxSize)
			var rest []byte
			c.Rest(&rest, "Bytes")
			break
		}
		var x XID
		CodecXID(c, &x, len(a.Raw), "XID")
		if spans {
			sym = x.String()
		}
	}
	if !c.Failed() && c.Remaining() > 0 {
		c.Note("%s: %d bytes after the end of the structure", a.DisplayName(), c.Remaining())
		var rest []byte
		c.Rest(&rest, "TrailingBytes")
	}
	t := c.Tree()
	if t != nil {
		t.Off, t.Len = base, len(a.Raw)
		if sym != "" {
			t.Sym = sym
		}
		if len(t.Children) == 0 {
			// An empty ParentSourceKey: show it as an empty value.
			t.Kind = wire.KindValue
			t.Value = []byte{}
		}
	}
	return t, c.Anomalies()
}

func plainNode(a *Atom, base, body int) *wire.Node {
	t := a.Tag.Type()
	cls, fs := classify(a.Tag)
	n := &wire.Node{Name: "Value", Off: base, Len: body}
	switch cls {
	case classFixed:
		fillScalar(n, a.Tag, t, a.Raw)
	case classVar:
		v, _ := a.Value()
		switch x := v.(type) {
		case string:
			n.Value = x
		case []byte:
			n.Value = x
		case prop.ServerID:
			n.Value = []byte(x)
		default:
			n.Value = a.Raw
		}
	case classMV:
		n.Kind = wire.KindArray
		base1 := t &^ prop.MultiValued
		if fs > 0 {
			for i := 0; i+fs <= len(a.Raw); i += fs {
				el := &wire.Node{Off: base + i, Len: fs}
				fillScalar(el, 0, base1, a.Raw[i:i+fs])
				n.Children = append(n.Children, el)
			}
			break
		}
		elems, err := splitMV(a.Raw, a.Size)
		if err != nil {
			n.Kind = wire.KindValue
			n.Value = a.Raw
			n.Sym = err.Error()
			break
		}
		p := base
		for _, e := range elems {
			el := &wire.Node{Off: p, Len: 4 + len(e)}
			if base1 == prop.PtypBinary {
				el.Value = e
			} else {
				el.Value = varValue(base1, e, true)
			}
			n.Children = append(n.Children, el)
			p += 4 + len(e)
		}
	}
	return n
}

// fillScalar sets a leaf from fixed-size value bytes.
func fillScalar(n *wire.Node, tag prop.Tag, t prop.Type, b []byte) {
	switch x := fixedValue(t, b).(type) {
	case int16:
		n.Value = int64(x)
	case int32:
		n.Value = int64(x)
		switch tag {
		case MetaTagFXDelProp:
			n.Value, n.Hex, n.Sym = uint64(uint32(x)), true, prop.TagSym(uint64(uint32(x)))
		case MetaTagEcWarning:
			n.Value, n.Hex, n.Sym = uint64(uint32(x)), true, prop.ErrorSym(uint64(uint32(x)))
		}
	case int64:
		n.Value = x
		switch tag {
		case PidTagFolderId, PidTagParentFolderId, PidTagMid, PidTagInstID, PidTagChangeNumber:
			n.Sym = prop.ID(uint64(x)).String()
		}
	case bool:
		n.Value = x
	case float32:
		n.Value = float64(x)
	case float64:
		n.Value = x
	case prop.Currency:
		n.Value = int64(x)
	case prop.FloatingTime:
		n.Value = float64(x)
	case prop.ErrorCode:
		n.Value, n.Hex, n.Sym = uint64(x), true, prop.ErrorSym(uint64(x))
	case prop.Filetime:
		n.Value, n.Sym = uint64(x), x.String()
	case prop.GUID:
		n.Value = x.String()
	default:
		n.Value = append([]byte(nil), b...)
	}
}

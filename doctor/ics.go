package doctor

import (
	"encoding/binary"
	"fmt"

	"github.com/mapiscope/mapiscope/decode"
	"github.com/mapiscope/mapiscope/decode/fxics"
	"github.com/mapiscope/mapiscope/decode/prop"
	"github.com/mapiscope/mapiscope/decode/rop"
)

// The ICS rules (ics-*.go) share one view of the trace's synchronisations:
// each ICS download context — [MS-OXCFXICS] 3.3.4.3.1: configured by
// RopSynchronizationConfigure on a folder, given the client's state by
// RopSynchronizationUploadStateStream*, then read by
// RopFastTransferSourceGetBuffer — with what its stream carried: the
// changes, and the final state.

// icsSync is one ICS download.
type icsSync struct {
	Session int64
	Context *decode.Object
	Config  *Rop
	Type    uint8  // syncTypeContents or syncTypeHierarchy
	Folder  string // mailbox and folder: the key successive syncs of one folder share
	// FolderName names the folder for people.
	FolderName string
	// Uploaded is the initial state the client uploaded, per state
	// property, with the RopSynchronizationUploadStateStreamEnd.
	Uploaded map[prop.Tag]icsSet
	Changes  []icsChange
	// Final is the state at the end of the stream, and FinalRop the
	// GetBuffer that completed it.
	Final    *fxics.ICSState
	FinalRop *Rop
	// Done says a GetBuffer reported the transfer complete; LastRop is the
	// last GetBuffer.
	Done    bool
	LastRop *Rop
}

// icsSet is a state property's IDSET and the ROP that carried it.
type icsSet struct {
	Set fxics.IDSet
	Rop *Rop
}

// icsChange is one message or folder a download sent.
type icsChange struct {
	Rop       *Rop // the GetBuffer that delivered it
	SourceKey fxics.XID
	HasSource bool
	Mid       prop.ID // PidTagMid or PidTagFolderId
	HasMid    bool
	CN        prop.ID // PidTagChangeNumber
	HasCN     bool
	ChangeKey fxics.XID
	HasChange bool
	FAI       bool
	Folder    bool // a folderChange (hierarchy)
}

func (ch icsChange) String() string {
	switch {
	case ch.HasSource:
		return ch.SourceKey.String()
	case ch.HasMid:
		return ch.Mid.String()
	}
	return "(no id)"
}

// icsSyncs returns the ICS downloads of the trace, in the order they were
// configured.
func (c *Context) icsSyncs() []*icsSync {
	return c.Memo("ics-syncs", func() any { return buildICSSyncs(c) }).([]*icsSync)
}

func buildICSSyncs(c *Context) []*icsSync {
	var out []*icsSync
	byCtx := map[*decode.Object]*icsSync{}
	for _, r := range c.Rops() {
		switch req := r.Request.(type) {
		case *rop.SynchronizationConfigureRequest:
			if rv, ok := r.ReturnValue(); !ok || rv != 0 || r.Output == nil {
				continue
			}
			s := &icsSync{Session: r.Session, Context: r.Output, Config: r, Type: req.SynchronizationType,
				Uploaded: map[prop.Tag]icsSet{}, FolderName: objectName(r.Input)}
			mailbox := ""
			if sr := c.Session(r.Session); sr != nil {
				mailbox = sr.MailboxID
			}
			folder := objectName(r.Input)
			if r.Input != nil && r.Input.HasFolder {
				folder = r.Input.FolderId.String()
			}
			s.Folder = fmt.Sprintf("%s|%s|%d", mailbox, folder, req.SynchronizationType)
			byCtx[r.Output] = s
			out = append(out, s)
		case *rop.SynchronizationUploadStateStreamEndRequest:
			s := byCtx[r.Input]
			if s == nil || r.Stream == nil {
				continue
			}
			s.Uploaded[r.Stream.StateTag] = icsSet{Set: r.Stream.State, Rop: r}
		case *rop.FastTransferSourceGetBufferRequest:
			s := byCtx[r.Input]
			if s == nil {
				continue
			}
			if resp, ok := r.Response.(*rop.FastTransferSourceGetBufferResponse); ok && resp.ReturnValue == 0 {
				s.LastRop = r
				if resp.TransferStatus == 0x0003 {
					s.Done = true
				}
			}
			if r.Stream != nil {
				for _, el := range r.Stream.Elements {
					s.collect(el, r)
				}
			}
		}
	}
	return out
}

// collect takes the changes and the state out of a completed element.
func (s *icsSync) collect(el *fxics.Element, r *Rop) {
	if el == nil {
		return
	}
	switch {
	case el.Kind.IsMessageChange() || el.Kind == fxics.KindFolderChange:
		s.Changes = append(s.Changes, changeOf(el, r))
	case el.Kind == fxics.KindState:
		if st, err := fxics.StateOf(el); err == nil {
			s.Final, s.FinalRop = &st, r
		}
	case el.Kind.IsRoot():
		// The root, once it ends, holds what was not handed out before.
		for _, ch := range el.Children {
			s.collect(ch, r)
		}
	}
}

func changeOf(el *fxics.Element, r *Rop) icsChange {
	ch := icsChange{Rop: r, Folder: el.Kind == fxics.KindFolderChange}
	for _, a := range el.Props() {
		switch a.Tag {
		case fxics.PidTagSourceKey:
			if x, err := fxics.DecodeXID(a.Raw); err == nil {
				ch.SourceKey, ch.HasSource = x, true
			}
		case fxics.PidTagChangeKey:
			if x, err := fxics.DecodeXID(a.Raw); err == nil {
				ch.ChangeKey, ch.HasChange = x, true
			}
		case fxics.PidTagMid, fxics.PidTagFolderId:
			if len(a.Raw) == 8 {
				ch.Mid, ch.HasMid = prop.ID(binary.LittleEndian.Uint64(a.Raw)), true
			}
		case fxics.PidTagChangeNumber:
			if len(a.Raw) == 8 {
				ch.CN, ch.HasCN = prop.ID(binary.LittleEndian.Uint64(a.Raw)), true
			}
		case fxics.PidTagAssociated:
			for _, b := range a.Raw {
				if b != 0 {
					ch.FAI = true
				}
			}
		}
	}
	return ch
}

// hasGUID reports a replica of set named by g.
func hasGUID(set fxics.IDSet, g prop.GUID) bool {
	for _, r := range set {
		if r.HasGUID && r.ReplGUID == g {
			return true
		}
	}
	return false
}

// containsAny reports v in any replica's ranges of set (a REPLGUID-based
// set checked against a REPLID-based id whose GUID is unknown).
func containsAny(set fxics.IDSet, v uint64) bool {
	for _, r := range set {
		for _, rg := range r.Ranges {
			if v >= rg.Low && v <= rg.High {
				return true
			}
		}
	}
	return false
}

// givenCovers reports whether an IdsetGiven holds a change's id, and
// whether the question could be answered.
func givenCovers(set fxics.IDSet, ch icsChange) (covered, known bool) {
	if ch.HasSource {
		if g, ok := ch.SourceKey.GLOBCNT(); ok && hasGUID(set, ch.SourceKey.NamespaceGuid) {
			return set.ContainsGUID(ch.SourceKey.NamespaceGuid, g), true
		}
	}
	if ch.HasMid {
		return containsAny(set, ch.Mid.GlobalCounter()), true
	}
	return false, false
}

// seenCovers reports whether a CNSET holds a change's change number.
func seenCovers(set fxics.IDSet, ch icsChange) (covered, known bool) {
	if ch.HasCN {
		return containsAny(set, ch.CN.GlobalCounter()), true
	}
	if ch.HasChange {
		if g, ok := ch.ChangeKey.GLOBCNT(); ok && hasGUID(set, ch.ChangeKey.NamespaceGuid) {
			return set.ContainsGUID(ch.ChangeKey.NamespaceGuid, g), true
		}
	}
	return false, false
}

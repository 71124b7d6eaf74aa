package doctor

import (
	"fmt"

	"github.com/mapiscope/mapiscope/decode/fxics"
	"github.com/mapiscope/mapiscope/decode/prop"
)

// icsStateBackwards finds change-number sets that shrink between the
// synchronisations of one folder. Change numbers only grow, and a state's
// MetaTagCnsetSeen, MetaTagCnsetSeenFAI and MetaTagCnsetRead only gain
// them ([MS-OXCFXICS] 2.2.1.1, 3.1.5.3): each download's final state must
// hold the state the client uploaded for it, and the state the client
// uploads next must hold that final state. (MetaTagIdsetGiven shrinks
// legitimately: deleted objects leave it.)
//
// A set that loses change numbers makes the server send again what the
// client has, or the client lose track of what it has; the usual causes
// are a server that rebuilt its state, or an OST restored from a backup
// or shared between two machines. An upload of an empty state after a
// non-empty one is a client starting over (a new OST): info only.
type icsStateBackwards struct{}

func init() { register(icsStateBackwards{}) }

func (icsStateBackwards) ID() string { return "ics-state-backwards" }
func (icsStateBackwards) Title() string {
	return "ICS state that goes backwards between synchronisations of a folder"
}

var cnsetTags = []prop.Tag{fxics.MetaTagCnsetSeen, fxics.MetaTagCnsetSeenFAI, fxics.MetaTagCnsetRead}

func (icsStateBackwards) Check(c *Context) []Finding {
	type obs struct {
		set   fxics.IDSet
		rop   *Rop
		final bool
	}
	last := map[string]obs{} // folder key + tag → last state seen
	var server, client, restart []Evidence
	note := func(name string, tag prop.Tag, prev, cur obs, lost fxics.IDSet) string {
		from, to := "uploaded state", "uploaded state"
		if prev.final {
			from = "final state"
		}
		if cur.final {
			to = "final state"
		}
		return fmt.Sprintf("%s of %s: the %s lacks %d change numbers of the %s (r%d): %s", tag.Name(), name, to,
			lost.Count(), from, prev.rop.ID, lost)
	}
	for _, s := range c.icsSyncs() {
		step := func(tag prop.Tag, cur obs) {
			key := fmt.Sprintf("%s|%08X", s.Folder, uint32(tag))
			prev, ok := last[key]
			last[key] = cur
			if !ok {
				return
			}
			lost := fxics.Difference(prev.set, cur.set)
			if lost.Count() == 0 {
				return
			}
			switch {
			case !cur.final && cur.set.Count() == 0:
				restart = append(restart, cur.rop.Evidence(fmt.Sprintf("%s of %s: the client starts from an empty state", tag.Name(), s.FolderName)))
			case cur.final:
				server = append(server, cur.rop.Evidence(note(s.FolderName, tag, prev, cur, lost)))
			default:
				client = append(client, cur.rop.Evidence(note(s.FolderName, tag, prev, cur, lost)))
			}
		}
		for _, tag := range cnsetTags {
			if u, ok := s.Uploaded[tag]; ok {
				step(tag, obs{set: u.Set, rop: u.Rop})
			}
			if s.Final == nil {
				continue
			}
			var fs *fxics.IDSet
			switch tag {
			case fxics.MetaTagCnsetSeen:
				fs = s.Final.CnsetSeen
			case fxics.MetaTagCnsetSeenFAI:
				fs = s.Final.CnsetSeenFAI
			case fxics.MetaTagCnsetRead:
				fs = s.Final.CnsetRead
			}
			if fs != nil {
				step(tag, obs{set: *fs, rop: s.FinalRop, final: true})
			}
		}
	}
	var out []Finding
	if len(server) > 0 {
		out = append(out, Finding{
			Severity: Warning,
			Title:    "The server's final ICS state forgets change numbers the client had (" + times(len(server)) + ")",
			Evidence: server,
			Explanation: "A synchronisation's final state lacks change numbers that the state the client uploaded for " +
				"it (or the previous final state) held. At the next synchronisation the server sends those changes " +
				"again: duplicates, items that come back after deletion, a folder that never settles.",
			Fix: "This is a server bug (or a server whose store was restored or rebuilt): report it with the evidence. " +
				"A new profile (a fresh OST) starts over from an empty state.",
		})
	}
	if len(client) > 0 {
		out = append(out, Finding{
			Severity: Warning,
			Title:    "Outlook uploads an older ICS state than the server last gave it (" + times(len(client)) + ")",
			Evidence: client,
			Explanation: "The state Outlook uploaded to synchronise a folder lacks change numbers of the final state " +
				"the server gave it last time: Outlook went back to an older state. That happens with an OST " +
				"restored from a backup, copied between machines, or used by two profiles at once.",
			Fix: "Make sure the OST is used by one profile on one machine and is not restored from a backup; " +
				"recreate it (a new profile) if the folder keeps misbehaving.",
		})
	}
	if len(restart) > 0 {
		out = append(out, Finding{
			Severity: Info,
			Title:    "Outlook restarted " + nof(len(restart), "folder synchronisation") + " from an empty state",
			Evidence: restart,
			Explanation: "Outlook uploaded an empty state for a folder it had synchronised before in this trace: it " +
				"downloads the folder again from scratch (a new or reset OST, or a folder Outlook decided to resync).",
			Fix: "Nothing, if the OST was just recreated; if it happens at every start, look for what resets the cache.",
		})
	}
	return out
}

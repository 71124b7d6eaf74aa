package doctor

import (
	"fmt"
	"strings"

	"github.com/mapiscope/mapiscope/decode/fxics"
	"github.com/mapiscope/mapiscope/decode/prop"
	"github.com/mapiscope/mapiscope/decode/rop"
)

// icsConflicts finds Outlook resolving synchronisation conflicts and
// logging failures: items carrying PidTagConflictItems ([MS-OXPROPS]
// 2.641: the entry ids of the other versions of an item involved in a
// conflict resolution), and messages Outlook creates in its Sync Issues
// folders — Conflicts, Local Failures, Server Failures, and Sync Issues
// itself for the synchronisation logs. Outlook names those folders in
// PidTagAdditionalRenEntryIds ([MS-OXOSFLD] 2.2.4: entries 0 to 3) and
// creates them by name.
type icsConflicts struct{}

func init() { register(icsConflicts{}) }

func (icsConflicts) ID() string { return "ics-conflicts" }
func (icsConflicts) Title() string {
	return "Synchronisation conflicts and failures logged by Outlook (Sync Issues)"
}

const (
	tagConflictItems         prop.Tag = 0x10981102
	tagAdditionalRenEntryIds prop.Tag = 0x36D81102
	tagDisplayName           prop.Tag = 0x3001001F
)

// syncIssueFolders are the folders of PidTagAdditionalRenEntryIds entries
// 0 to 3, and the names Outlook gives them (English, French).
var syncIssueFolders = []string{"Conflicts", "Sync Issues", "Local Failures", "Server Failures"}

var syncIssueNames = map[string]string{
	"conflicts": "Conflicts", "conflits": "Conflicts",
	"sync issues": "Sync Issues", "problèmes de synchronisation": "Sync Issues",
	"local failures": "Local Failures", "échecs locaux": "Local Failures",
	"server failures": "Server Failures", "échecs du serveur": "Server Failures",
}

func (icsConflicts) Check(c *Context) []Finding {
	special := map[uint64]string{} // folder GLOBCNT → which Sync Issues folder
	var conflicts, failures, logs []Evidence
	created := func(r *Rop, folder prop.ID, what string) {
		name, ok := special[folder.GlobalCounter()]
		if !ok {
			return
		}
		ev := r.Evidence(fmt.Sprintf("%s in %s", what, name))
		switch name {
		case "Conflicts":
			conflicts = append(conflicts, ev)
		case "Sync Issues":
			logs = append(logs, ev)
		default:
			failures = append(failures, ev)
		}
	}
	for _, r := range c.Rops() {
		switch req := r.Request.(type) {
		case *rop.GetPropertiesSpecificRequest:
			if resp, ok := r.Response.(*rop.GetPropertiesSpecificResponse); ok && resp.ReturnValue == 0 {
				for i, t := range req.PropertyTags {
					if t == tagAdditionalRenEntryIds && i < len(resp.RowData.Values) {
						learnRenEntryIDs(special, resp.RowData.Values[i])
					}
				}
			}
		case *rop.SetPropertiesRequest:
			conflicts = append(conflicts, conflictWrites(special, r, req.PropertyValues)...)
		case *rop.SetPropertiesNoReplicateRequest:
			conflicts = append(conflicts, conflictWrites(special, r, req.PropertyValues)...)
		case *rop.CreateFolderRequest:
			if resp, ok := r.Response.(*rop.CreateFolderResponse); ok && resp.ReturnValue == 0 {
				if name, ok := syncIssueNames[strings.ToLower(strings.TrimSpace(req.DisplayName))]; ok {
					special[resp.FolderId.GlobalCounter()] = name
				}
			}
		case *rop.CreateMessageRequest:
			if rv, ok := r.ReturnValue(); ok && rv == 0 {
				created(r, req.FolderId, "message created")
			}
		case *rop.SynchronizationImportMessageChangeRequest:
			if r.Input != nil && r.Input.Parent != nil && r.Input.Parent.HasFolder {
				created(r, r.Input.Parent.FolderId, "message uploaded")
			}
		}
		if r.Stream != nil {
			for _, el := range r.Stream.Elements {
				learnHierarchyNames(special, el)
				if hasConflictItems(el) {
					what := "the server sends an item carrying PidTagConflictItems"
					if r.Request != nil && r.Request.Header().RopId != 0x4E {
						what = "Outlook uploads an item carrying PidTagConflictItems"
					}
					conflicts = append(conflicts, r.Evidence(what))
				}
			}
		}
	}
	var out []Finding
	if len(conflicts) > 0 {
		out = append(out, Finding{
			Severity: Warning,
			Title:    "Outlook resolved synchronisation conflicts (" + nof(len(conflicts), "item") + ")",
			Evidence: conflicts,
			Explanation: "An item changed both in Outlook's cache and on the server (or by two clients) before they " +
				"synchronised. Outlook kept one version and filed the other under Sync Issues\\Conflicts, marking both " +
				"with PidTagConflictItems. A few are normal; many, on items nobody edited twice, mean the server " +
				"changes items on its own (a property it rewrites on every save) or reports stale versions.",
			Fix: "Look at the items in Sync Issues\\Conflicts (Ctrl+6 shows the folder list) and compare the versions; " +
				"to log every resolution set the policy EnableConflictLogging (the BlueMind guide: 3) under " +
				`HKEY_CURRENT_USER\Software\Policies\Microsoft\Office\16.0\Outlook\Options. Report items that ` +
				"conflict without a second edit to the server's vendor.",
		})
	}
	if len(failures) > 0 {
		out = append(out, Finding{
			Severity: Warning,
			Title:    "Outlook filed " + nof(len(failures), "item") + " under Local Failures or Server Failures",
			Evidence: failures,
			Explanation: "Outlook could not synchronise these items: Server Failures holds items the server refused, " +
				"Local Failures items Outlook could not store in its cache. They exist on one side only.",
			Fix: "Open Sync Issues\\Server Failures and Local Failures in Outlook (Ctrl+6) to see which items; the " +
				"ics-upload-rejected finding, when present, shows the refusals on the wire.",
		})
	}
	if len(logs) > 0 {
		out = append(out, Finding{
			Severity: Info,
			Title:    "Outlook wrote " + nof(len(logs), "synchronisation log") + " to Sync Issues",
			Evidence: logs,
			Explanation: "Outlook writes a \"Synchronization Log\" message to Sync Issues when a synchronisation meets " +
				"an error (or always, with diagnostic logging on). Their text names the folder and the error code.",
			Fix: "Read the newest logs in Sync Issues (Ctrl+6): the error codes there point at the failing folder.",
		})
	}
	return out
}

// learnRenEntryIDs reads PidTagAdditionalRenEntryIds: folder entry ids of
// Conflicts, Sync Issues, Local Failures and Server Failures, in that
// order.
func learnRenEntryIDs(special map[uint64]string, v any) {
	ids, ok := v.([][]byte)
	if !ok {
		return
	}
	for i, b := range ids {
		if i >= len(syncIssueFolders) {
			break
		}
		if _, e, _, _ := prop.DecodeEntryID(b, false); e != nil {
			if f, ok := e.(*prop.FolderEntryID); ok && f.GlobalCounter != 0 {
				special[uint64(f.GlobalCounter)] = syncIssueFolders[i]
			}
		}
	}
}

// conflictWrites returns evidence for PidTagConflictItems among the values
// a ROP writes, and learns PidTagAdditionalRenEntryIds from them.
func conflictWrites(special map[uint64]string, r *Rop, vals []prop.TaggedValue) []Evidence {
	var out []Evidence
	for _, v := range vals {
		switch v.Tag {
		case tagConflictItems:
			out = append(out, r.Evidence("Outlook writes PidTagConflictItems on "+objectName(r.Input)))
		case tagAdditionalRenEntryIds:
			learnRenEntryIDs(special, v.Value)
		}
	}
	return out
}

// learnHierarchyNames learns the Sync Issues folders from a hierarchy
// download's folder changes, by display name.
func learnHierarchyNames(special map[uint64]string, el *fxics.Element) {
	if el == nil || el.Kind != fxics.KindFolderChange {
		return
	}
	a := el.Prop(tagDisplayName)
	if a == nil {
		return
	}
	v, err := a.Value()
	s, _ := v.(string)
	if err != nil {
		return
	}
	name, ok := syncIssueNames[strings.ToLower(strings.TrimSpace(s))]
	if !ok {
		return
	}
	ch := changeOf(el, nil)
	switch {
	case ch.HasMid:
		special[ch.Mid.GlobalCounter()] = name
	case ch.HasSource:
		if g, ok := ch.SourceKey.GLOBCNT(); ok {
			special[g] = name
		}
	}
}

// hasConflictItems reports PidTagConflictItems anywhere in an element.
func hasConflictItems(el *fxics.Element) bool {
	found := false
	el.Walk(func(e *fxics.Element) bool {
		if e.Atom != nil && e.Atom.IsProp(tagConflictItems) {
			found = true
		}
		return !found
	})
	return found
}

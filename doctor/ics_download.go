package doctor

import "fmt"

// icsDownloadState finds ICS downloads whose final state does not cover
// what they sent — [MS-OXCFXICS] 3.2.5.2.1: the final state's
// MetaTagIdsetGiven holds every object the client now has and
// MetaTagCnsetSeen (MetaTagCnsetSeenFAI for associated messages) every
// change number it has seen. A message sent but missing from the state
// is sent again at the next synchronisation (duplicates, or a loop), or
// deleted from the client's cache; a download that ends without any state
// leaves the client unable to go on from where it was.
type icsDownloadState struct{}

func init() { register(icsDownloadState{}) }

func (icsDownloadState) ID() string { return "ics-download-state" }
func (icsDownloadState) Title() string {
	return "ICS download whose final state does not cover what it sent"
}

func (icsDownloadState) Check(c *Context) []Finding {
	var missing, stateless []Evidence
	folders := map[string]bool{}
	for _, s := range c.icsSyncs() {
		if s.Final == nil {
			if s.Done && s.LastRop != nil {
				stateless = append(stateless, s.LastRop.Evidence(fmt.Sprintf("download of %s complete without a final state", s.FolderName)))
				folders[s.FolderName] = true
			}
			continue
		}
		for _, ch := range s.Changes {
			var gaps []string
			if s.Final.IdsetGiven != nil {
				if ok, known := givenCovers(*s.Final.IdsetGiven, ch); known && !ok {
					gaps = append(gaps, "MetaTagIdsetGiven")
				}
			}
			seen, name := s.Final.CnsetSeen, "MetaTagCnsetSeen"
			if ch.FAI {
				seen, name = s.Final.CnsetSeenFAI, "MetaTagCnsetSeenFAI"
			}
			if seen != nil {
				if ok, known := seenCovers(*seen, ch); known && !ok {
					gaps = append(gaps, name)
				}
			}
			if len(gaps) == 0 {
				continue
			}
			what := "message"
			if ch.Folder {
				what = "folder"
			}
			folders[s.FolderName] = true
			missing = append(missing, ch.Rop.Evidence(fmt.Sprintf("%s %s of %s sent, but missing from the final state's %s",
				what, ch, s.FolderName, joinList(gaps))))
		}
	}
	if len(missing) == 0 && len(stateless) == 0 {
		return nil
	}
	var what []string
	if len(missing) > 0 {
		what = append(what, nof(len(missing), "object")+" sent but left out of the final state")
	}
	if len(stateless) > 0 {
		what = append(what, nof(len(stateless), "download")+" without a final state")
	}
	title := "ICS downloads of " + joinKeys(folders) + ": " + joinList(what)
	return []Finding{{
		Severity: Warning,
		Title:    title,
		Evidence: append(missing, stateless...),
		Explanation: "At the end of a synchronisation download the server sends the new state, which Outlook keeps and " +
			"uploads at the next synchronisation of the folder: the ids of every object it has (MetaTagIdsetGiven) " +
			"and every change number it has seen (MetaTagCnsetSeen). Objects sent but left out of that state come " +
			"again at every synchronisation (duplicates, a synchronisation that never settles) or are removed " +
			"from Outlook's cache as deleted; a download without a state starts from scratch each time.",
		Fix: "This is a server bug: report it to the server's vendor with the evidence (`mapiscope show TRACE rID` " +
			"shows the stream and the state). On BlueMind, compare the folder's items with `bm-cli mapi infos USER`; " +
			"a new profile (a fresh OST) hides the symptom until the object changes again.",
	}}
}

func joinList(s []string) string {
	switch len(s) {
	case 0:
		return ""
	case 1:
		return s[0]
	}
	out := s[0]
	for _, x := range s[1 : len(s)-1] {
		out += ", " + x
	}
	return out + " and " + s[len(s)-1]
}

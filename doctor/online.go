package doctor

import (
	"fmt"
	"strings"

	"github.com/mapiscope/mapiscope/decode"
	"github.com/mapiscope/mapiscope/decode/rop"
)

// onlineMode finds Outlook working in online mode where full cached mode
// is required (the BlueMind guide: "online configuration, full or
// partial, is not supported; full cached mode is required"), and cached
// mode limited to a time window.
//
// In cached mode Outlook keeps every folder in its OST through ICS
// (RopSynchronizationConfigure, [MS-OXCFXICS] 2.2.3.2.1.1) and reads the
// server's contents tables only now and then. In online mode there is no
// contents synchronisation at all, and every folder the user opens is a
// contents table (RopGetContentsTable, [MS-OXCFOLD] 2.2.1.13) read with
// RopQueryRows. The rule fires when the trace has no contents
// synchronisation and normal (not associated) contents tables were read
// in at least onlineFolders different folders of the user's own mailbox
// (well-known non-IPM folders such as the spooler queue left out): one
// folder read once is what any client does to look, and is no pattern.
// It is a warning when the client is Outlook, info otherwise (other MAPI
// clients are online clients by nature).
type onlineMode struct{}

func init() { register(onlineMode{}) }

func (onlineMode) ID() string { return "online-mode" }
func (onlineMode) Title() string {
	return "Outlook in online mode, or cached mode limited in time, where full cached mode is required"
}

const onlineFolders = 2

// nonIPM are the well-known folders of a private logon outside the IPM
// subtree ([MS-OXOSFLD] 2.2.1): their tables are read in cached mode too.
var nonIPM = map[string]bool{"Root": true, "DeferredAction": true, "SpoolerQueue": true, "CommonViews": true,
	"Schedule": true, "Search": true, "Views": true, "Shortcuts": true}

// SynchronizationConfigure values — [MS-OXCROPS] 2.2.13.1.1, [MS-OXCFXICS]
// 2.2.3.2.1.1.1.
const (
	syncTypeContents  = 0x01
	syncTypeHierarchy = 0x02
	syncFlagNormal    = 0x0020
)

// TableFlags of RopGetContentsTable — [MS-OXCFOLD] 2.2.1.13.1.
const (
	tableAssociated  = 0x02
	tableSoftDeletes = 0x20
)

func (onlineMode) Check(c *Context) []Finding {
	var icsContents bool
	var windowed []Evidence
	homeLogons := map[int64]map[uint8]bool{} // session → LogonIds of home logons
	type read struct {
		table  *decode.Object
		folder string
		ev     Evidence
	}
	tables := map[*decode.Object]*read{}
	folders := map[string][]Evidence{}
	var order []string
	for _, r := range c.Rops() {
		if rv, ok := r.ReturnValue(); !ok || rv != 0 {
			continue
		}
		switch req := r.Request.(type) {
		case *rop.LogonRequest:
			if req.OpenFlags&openHomeLogon != 0 && req.LogonFlags&logonPrivate != 0 {
				if homeLogons[r.Session] == nil {
					homeLogons[r.Session] = map[uint8]bool{}
				}
				homeLogons[r.Session][req.LogonId] = true
			}
		case *rop.SynchronizationConfigureRequest:
			if req.SynchronizationType != syncTypeContents {
				continue
			}
			icsContents = true
			if req.RestrictionData != nil && req.SynchronizationFlags&syncFlagNormal != 0 {
				windowed = append(windowed, r.Evidence("contents synchronisation of "+objectName(r.Input)+" with a restriction"))
			}
		case *rop.GetContentsTableRequest:
			if req.TableFlags&(tableAssociated|tableSoftDeletes) != 0 || r.Output == nil {
				continue
			}
			f := r.Input
			if f != nil && nonIPM[f.FolderName] {
				continue
			}
			if h := homeLogons[r.Session]; h != nil && !h[req.LogonId] {
				continue // a shared or delegated mailbox: not cached in any mode
			}
			tables[r.Output] = &read{table: r.Output, folder: fmt.Sprintf("%d/%s", r.Session, objectName(f)),
				ev: r.Evidence("contents table of " + objectName(f))}
		case *rop.QueryRowsRequest:
			rd := tables[r.Input]
			if rd == nil {
				continue
			}
			if _, ok := folders[rd.folder]; !ok {
				order = append(order, rd.folder)
				folders[rd.folder] = []Evidence{rd.ev}
			}
			folders[rd.folder] = append(folders[rd.folder], r.Evidence("rows read from the "+rd.ev.Note))
		}
	}
	var out []Finding
	if !icsContents && len(folders) >= onlineFolders {
		var ev []Evidence
		for _, f := range order {
			ev = append(ev, folders[f]...)
		}
		sev, who := Info, "The client"
		if c.isOutlook() {
			sev, who = Warning, "Outlook"
		}
		out = append(out, Finding{
			Severity: sev,
			Title: fmt.Sprintf("%s reads folder contents online (%d folders, no ICS synchronisation)", who,
				len(folders)),
			Evidence: ev,
			Explanation: who + " read the contents tables of several folders of the mailbox and never synchronised " +
				"a folder's contents (no RopSynchronizationConfigure of contents in the trace): the profile is in " +
				"online mode. BlueMind supports full cached mode only; in online mode every view is converted on " +
				"the fly, which is slow on both sides and misbehaves.",
			Fix: "In Outlook: File > Account settings > the account > Change: tick \"Use Cached Exchange Mode\" and move " +
				"the slider to \"All\", then restart Outlook. By policy (the BlueMind guide): Cached Exchange Mode on " +
				`(HKEY_CURRENT_USER\Software\Policies\Microsoft\Office\16.0\Outlook\Cached Mode: Enable=1, ` +
				"SyncWindowSetting=0); `mapiscope outlook-reg --cached-mode` writes the cached-mode values.",
		})
	}
	if len(windowed) > 0 {
		out = append(out, Finding{
			Severity: Warning,
			Title:    "Cached mode limited in time: " + nof(len(windowed), "contents synchronisation") + " with a restriction",
			Evidence: windowed,
			Explanation: "Outlook synchronises only part of each folder (the \"Mail to keep offline\" slider set to a " +
				"few months) and reads the rest online. BlueMind requires the whole mailbox in cache: it does not " +
				"support downloading the last N months only.",
			Fix: "Move the \"Mail to keep offline\" slider to \"All\" (File > Account settings > Change), or set the " +
				`policy SyncWindowSetting=0 under HKEY_CURRENT_USER\Software\Policies\Microsoft\Office\16.0\Outlook\Cached Mode ` +
				"(`mapiscope outlook-reg --cached-mode`).",
		})
	}
	return out
}

// objectName names an object for evidence notes.
func objectName(o *decode.Object) string {
	if o == nil {
		return "an unknown folder"
	}
	return o.Name()
}

// isOutlook reports a client that says it is Outlook (for Windows).
func (c *Context) isOutlook() bool {
	for _, e := range c.Exchanges() {
		if e.Endpoint != "emsmdb" {
			continue
		}
		if k, _ := clientKind(e.Client()); k == "windows" {
			return true
		}
		if strings.Contains(strings.ToLower(e.ReqHeader.Get("User-Agent")), "microsoft outlook") {
			return true
		}
	}
	return false
}

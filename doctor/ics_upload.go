package doctor

import (
	"fmt"
	"sort"
	"strings"

	"github.com/mapiscope/mapiscope/decode/fxics"
	"github.com/mapiscope/mapiscope/decode/prop"
	"github.com/mapiscope/mapiscope/decode/rop"
)

// icsUploadRejected finds changes Outlook uploaded that the server refused
// — [MS-OXCFXICS] 3.3.4.3.3: the RopSynchronizationImport* ROPs on an
// upload collector (new and changed messages, folders, deletions, moves,
// read states), the RopSaveChangesMessage that commits an imported
// message, the FastTransfer PutBuffers of an upload. A failed import
// leaves the item in Outlook only: the BlueMind symptom "mail visible in
// Outlook but not on the server after a copy or move; Sync Issues errors;
// synchronisation stuck until the item is deleted locally".
//
// Warning codes (0x0004xxxx, such as SYNC_W_CLIENT_CHANGE_NEWER) are not
// failures.
type icsUploadRejected struct{}

func init() { register(icsUploadRejected{}) }

func (icsUploadRejected) ID() string { return "ics-upload-rejected" }
func (icsUploadRejected) Title() string {
	return "Changes uploaded by Outlook rejected by the server"
}

// failed reports a ReturnValue that is an error, not a warning.
func failed(rv prop.ErrorCode) bool {
	return rv != 0 && (rv&0x80000000 != 0 || rv < 0x00040000)
}

// Synchronization errors — [MS-OXCDATA] 2.4.1 (SYNC_E_*).
const (
	syncObjectDeleted prop.ErrorCode = 0x80040800
	syncIgnore        prop.ErrorCode = 0x80040801
	syncConflict      prop.ErrorCode = 0x80040802
	syncNoParent      prop.ErrorCode = 0x80040803
)

func (icsUploadRejected) Check(c *Context) []Finding {
	var ev []Evidence
	codes := map[prop.ErrorCode]int{}
	for _, r := range c.Rops() {
		what := uploadWhat(r)
		if what == "" {
			continue
		}
		rv, ok := r.ReturnValue()
		if !ok || !failed(rv) {
			continue
		}
		codes[rv]++
		ev = append(ev, r.Evidence(fmt.Sprintf("%s: %s", what, rv)))
	}
	if len(ev) == 0 {
		return nil
	}
	var names []string
	for code, n := range codes {
		names = append(names, fmt.Sprintf("%s ×%d", code, n))
	}
	sort.Strings(names)
	expl := "Outlook uploaded changes made in its cache (new, changed, moved or deleted items, read states) and the " +
		"server refused them. Those changes exist in Outlook only: the item shows in Outlook but not in webmail or " +
		"on other devices, Outlook writes an error to Sync Issues, and its synchronisation of the folder may stay " +
		"stuck on the item."
	for code := range codes {
		switch code {
		case syncConflict:
			expl += " SyncConflict: the server holds a newer version of the item, changed elsewhere; Outlook keeps " +
				"both and files the loser under Sync Issues\\Conflicts."
		case syncIgnore:
			expl += " IgnoreFailure (SYNC_E_IGNORE): the server chose to ignore the change."
		case syncObjectDeleted:
			expl += " SyncObjectDeleted: the item was deleted on the server meanwhile."
		case syncNoParent:
			expl += " NoParentFolder: the folder the change belongs to does not exist on the server."
		}
	}
	return []Finding{{
		Severity:    Warning,
		Title:       fmt.Sprintf("%s uploaded by Outlook rejected by the server (%s)", nof(len(ev), "change"), strings.Join(names, ", ")),
		Evidence:    ev,
		Explanation: expl,
		Fix: "Find each item from the evidence (`mapiscope show TRACE rID`: source key, properties) and the server's " +
			"log at that time (BlueMind: /var/log/bm-mapi/mapi.log, `bm-cli mapi logging --enable USER`). To unblock " +
			"Outlook, copy the item out (to a PST, or as a file), delete it from the folder in Outlook and let the " +
			"synchronisation finish; report a reproducible rejection to the server's vendor.",
	}}
}

// uploadWhat describes an upload ROP ("" for other ROPs).
func uploadWhat(r *Rop) string {
	switch req := r.Request.(type) {
	case *rop.SynchronizationImportMessageChangeRequest:
		for _, v := range req.PropertyValues {
			if v.Tag == fxics.PidTagSourceKey {
				if b, ok := v.Value.([]byte); ok {
					if x, err := fxics.DecodeXID(b); err == nil {
						return "import of message " + x.String() + " into " + collectorFolder(r)
					}
				}
			}
		}
		return "import of a message into " + collectorFolder(r)
	case *rop.SynchronizationImportHierarchyChangeRequest:
		return "import of a folder change into " + collectorFolder(r)
	case *rop.SynchronizationImportDeletesRequest:
		return fmt.Sprintf("import of %d deletions into %s", len(req.GIDs()), collectorFolder(r))
	case *rop.SynchronizationImportMessageMoveRequest:
		return "import of a message move into " + collectorFolder(r)
	case *rop.SynchronizationImportReadStateChangesRequest:
		return fmt.Sprintf("import of %d read-state changes into %s", len(req.MessageReadStates), collectorFolder(r))
	case *rop.SynchronizationOpenCollectorRequest:
		return "opening an upload collector on " + objectName(r.Input)
	case *rop.SaveChangesMessageRequest:
		if r.Input != nil && r.Input.CreatedByRop == 0x72 {
			return "saving imported " + r.Input.Name()
		}
	case *rop.FastTransferDestinationPutBufferRequest, *rop.FastTransferDestinationPutBufferExtendedRequest:
		return "FastTransfer upload to " + objectName(r.Input)
	}
	return ""
}

// collectorFolder names the folder of the upload collector a ROP works on.
func collectorFolder(r *Rop) string {
	if r.Input != nil && r.Input.Parent != nil {
		return objectName(r.Input.Parent)
	}
	return objectName(r.Input)
}

package doctor

import (
	"strings"
	"testing"

	"github.com/mapiscope/mapiscope/decode/fxics"
)

// syncOnce is one synchronisation of the Inbox: the client uploads
// CnsetSeen up to `from`, the server sends one message and a final
// CnsetSeen up to `to`.
func syncOnce(t *testing.T, from *fxics.IDSet, to uint64) []byte {
	t.Helper()
	st := fxics.ICSState{IdsetGiven: set(0x10001, 0x10001), CnsetSeen: set(1, to), CnsetSeenFAI: set(1, 1)}
	return contentsStream(t, st, msgChange(0x10001, to, false))
}

func TestICSStateServerForgets(t *testing.T) {
	tr := newTrace(t, icsSession(t, icsDownload(folderOf(4), set(1, 0x3000), syncOnce(t, nil, 0x2002), true))...)
	f := want(t, check(t, tr, "ics-state-backwards"), Warning)
	evidenceExists(t, tr, f)
	if !strings.Contains(f.Title, "server's final") || !strings.Contains(f.Evidence[0].Note, "MetaTagCnsetSeen") ||
		!strings.Contains(f.Evidence[0].Note, "lacks 4094 change numbers") {
		t.Errorf("finding: %s", dump([]Finding{f}))
	}
}

func TestICSStateClientBackwards(t *testing.T) {
	tr := newTrace(t, icsSession(t,
		icsDownload(folderOf(4), set(1, 0x1000), syncOnce(t, nil, 0x2002), true),
		icsDownload(folderOf(4), set(1, 0x1000), syncOnce(t, nil, 0x2002), true))...)
	f := want(t, check(t, tr, "ics-state-backwards"), Warning)
	evidenceExists(t, tr, f)
	if !strings.Contains(f.Title, "older ICS state") {
		t.Errorf("finding: %s", dump([]Finding{f}))
	}
	tr = newTrace(t, icsSession(t,
		icsDownload(folderOf(4), set(1, 0x1000), syncOnce(t, nil, 0x2002), true),
		icsDownload(folderOf(4), &fxics.IDSet{}, syncOnce(t, nil, 0x2002), true))...)
	want(t, check(t, tr, "ics-state-backwards"), Info)
}

func TestICSStateForward(t *testing.T) {
	tr := newTrace(t, icsSession(t,
		icsDownload(folderOf(4), set(1, 0x1000), syncOnce(t, nil, 0x2002), true),
		icsDownload(folderOf(4), set(1, 0x2002), syncOnce(t, nil, 0x2005), true),
		// Another folder has its own sets.
		icsDownload(folderOf(6), set(1, 0x10), syncOnce(t, nil, 0x20), true))...)
	none(t, check(t, tr, "ics-state-backwards"))
	none(t, check(t, realTrace(t), "ics-state-backwards"))
}

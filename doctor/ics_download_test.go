package doctor

import (
	"strings"
	"testing"

	"github.com/mapiscope/mapiscope/decode/fxics"
	"github.com/mapiscope/mapiscope/decode/prop"
	"github.com/mapiscope/mapiscope/decode/rop"
	"github.com/mapiscope/mapiscope/internal/mapitest"
	"github.com/mapiscope/mapiscope/trace"
)

// replica is the mailbox's replica GUID in the ICS fixtures.
var replica = prop.GUID{0x3b, 0xd3, 0xa3, 0xd3, 0x7f, 0x2d, 0x4b, 0x67, 0x9d, 0x3a, 0x2a, 0x6d, 0x1b, 0x8e, 0x0c, 0x11}

// set is an IDSET of the replica with one range.
func set(low, high uint64) *fxics.IDSet {
	s := fxics.IDSet{{ReplGUID: replica, HasGUID: true, Ranges: []fxics.Range{{Low: low, High: high}}}}
	return &s
}

// msgChange is a messageChangeFull for message globcnt mid at change cn.
func msgChange(mid, cn uint64, fai bool, extra ...*fxics.Element) *fxics.Element {
	header := []*fxics.Element{
		fxics.P(fxics.PidTagSourceKey, fxics.NewXID(replica, mid).Bytes()),
		fxics.P(fxics.PidTagChangeKey, fxics.NewXID(replica, cn).Bytes()),
		fxics.P(fxics.PidTagAssociated, fai),
		fxics.P(fxics.PidTagMid, int64(prop.MakeID(1, mid))),
		fxics.P(fxics.PidTagChangeNumber, int64(prop.MakeID(1, cn))),
	}
	props := append([]*fxics.Element{fxics.P(0x0037001F, "Quarterly report")}, extra...)
	return fxics.MessageChangeFullElement(header, props, nil)
}

// contentsStream encodes a contentsSync of changes ending in state.
func contentsStream(t *testing.T, state fxics.ICSState, changes ...*fxics.Element) []byte {
	t.Helper()
	root := fxics.E(fxics.KindContentsSync, append(changes, state.Element(), fxics.M(fxics.IncrSyncEnd))...)
	b, err := fxics.Encode(root)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// icsDownload opens a folder, configures a contents synchronisation,
// uploads the client's state (CnsetSeen, when given) and reads the whole
// stream in one GetBuffer (done: TransferStatus Done).
func icsDownload(folder prop.ID, uploaded *fxics.IDSet, stream []byte, done bool) *mapitest.Batch {
	b := syncContents(folder, nil)
	if uploaded != nil {
		b.Requests = append(b.Requests,
			&rop.SynchronizationUploadStateStreamBeginRequest{RequestHeader: mapitest.Req(0x75, 0, 2), StateProperty: fxics.MetaTagCnsetSeen},
			&rop.SynchronizationUploadStateStreamContinueRequest{RequestHeader: mapitest.Req(0x76, 0, 2), StreamData: uploaded.Encode(true)},
			&rop.SynchronizationUploadStateStreamEndRequest{RequestHeader: mapitest.Req(0x77, 0, 2)})
		b.Responses = append(b.Responses,
			&rop.SynchronizationUploadStateStreamBeginResponse{ResponseHeader: mapitest.OK(0x75, 2)},
			&rop.SynchronizationUploadStateStreamContinueResponse{ResponseHeader: mapitest.OK(0x76, 2)},
			&rop.SynchronizationUploadStateStreamEndResponse{ResponseHeader: mapitest.OK(0x77, 2)})
	}
	status := uint16(0x0001)
	if done {
		status = 0x0003
	}
	b.Requests = append(b.Requests, &rop.FastTransferSourceGetBufferRequest{RequestHeader: mapitest.Req(0x4E, 0, 2), BufferSize: 0xBABE, MaximumBufferSize: 0x7BC0})
	b.Responses = append(b.Responses, &rop.FastTransferSourceGetBufferResponse{ResponseHeader: mapitest.OK(0x4E, 2), TransferStatus: status, TransferBuffer: stream})
	return b
}

// icsSession is an Outlook session running the given batches after its logon.
func icsSession(t *testing.T, batches ...*mapitest.Batch) []*trace.Exchange {
	t.Helper()
	return session(t, mapitest.NewConversation(), append([]*mapitest.Batch{logonBatch(0, aliceDN, 0x2100040C, logonOK(0))}, batches...)...)
}

func TestICSDownloadState(t *testing.T) {
	// Two messages sent; the state lacks the second's id and change number.
	bad := fxics.ICSState{IdsetGiven: set(0x10001, 0x10001), CnsetSeen: set(1, 0x2001), CnsetSeenFAI: set(1, 1)}
	tr := newTrace(t, icsSession(t, icsDownload(folderOf(4), nil, contentsStream(t, bad, msgChange(0x10001, 0x2001, false), msgChange(0x10002, 0x2002, false)), true))...)
	f := want(t, check(t, tr, "ics-download-state"), Warning)
	evidenceExists(t, tr, f)
	if len(f.Evidence) != 1 || f.Evidence[0].Rop == 0 ||
		!strings.Contains(f.Evidence[0].Note, "MetaTagIdsetGiven and MetaTagCnsetSeen") || !strings.Contains(f.Evidence[0].Note, "000000010002") {
		t.Errorf("finding: %s", dump([]Finding{f}))
	}

	// An associated message is checked against CnsetSeenFAI.
	faiBad := fxics.ICSState{IdsetGiven: set(0x10001, 0x10002), CnsetSeen: set(1, 0x2002), CnsetSeenFAI: set(1, 1)}
	tr = newTrace(t, icsSession(t, icsDownload(folderOf(4), nil, contentsStream(t, faiBad, msgChange(0x10002, 0x2002, true)), true))...)
	f = want(t, check(t, tr, "ics-download-state"), Warning)
	if !strings.Contains(f.Evidence[0].Note, "MetaTagCnsetSeenFAI") {
		t.Errorf("finding: %s", dump([]Finding{f}))
	}

	// A complete download without its state.
	noState, err := fxics.Encode(fxics.E(fxics.KindContentsSync, msgChange(0x10001, 0x2001, false)))
	if err != nil {
		t.Fatal(err)
	}
	tr = newTraceAnomalous(t, icsSession(t, icsDownload(folderOf(4), nil, noState, true))...)
	f = want(t, check(t, tr, "ics-download-state"), Warning)
	if !strings.Contains(f.Evidence[0].Note, "without a final state") {
		t.Errorf("finding: %s", dump([]Finding{f}))
	}
}

func TestICSDownloadStateCovered(t *testing.T) {
	good := fxics.ICSState{IdsetGiven: set(0x10001, 0x10002), CnsetSeen: set(1, 0x2002), CnsetSeenFAI: set(1, 1)}
	tr := newTrace(t, icsSession(t, icsDownload(folderOf(4), nil, contentsStream(t, good, msgChange(0x10001, 0x2001, false), msgChange(0x10002, 0x2002, false)), true))...)
	none(t, check(t, tr, "ics-download-state"))
	// A download still going on has no state yet.
	part := contentsStream(t, good, msgChange(0x10001, 0x2001, false))
	tr = newTrace(t, icsSession(t, icsDownload(folderOf(4), nil, part[:len(part)/2], false))...)
	none(t, check(t, tr, "ics-download-state"))
	none(t, check(t, realTrace(t), "ics-download-state"))
}

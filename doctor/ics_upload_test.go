package doctor

import (
	"strings"
	"testing"

	"github.com/mapiscope/mapiscope/decode/fxics"
	"github.com/mapiscope/mapiscope/decode/prop"
	"github.com/mapiscope/mapiscope/decode/rop"
	"github.com/mapiscope/mapiscope/internal/mapitest"
)

// importBatch opens the Inbox, an upload collector on it, and imports a
// message change (answered importRV), then saves it (answered saveRV,
// when the import succeeded), and imports a deletion (answered delRV).
func importBatch(importRV, saveRV, delRV prop.ErrorCode) *mapitest.Batch {
	pv := []prop.TaggedValue{
		{Tag: fxics.PidTagSourceKey, Value: fxics.NewXID(replica, 0x10009).Bytes()},
		{Tag: fxics.PidTagLastModificationTime, Value: prop.Filetime(134090000000000000)},
		{Tag: fxics.PidTagChangeKey, Value: fxics.NewXID(replica, 0x3001).Bytes()},
		{Tag: fxics.PidTagPredecessorChangeList, Value: append([]byte{22}, fxics.NewXID(replica, 0x3001).Bytes()...)},
	}
	b := &mapitest.Batch{
		Requests: []rop.Request{
			&rop.OpenFolderRequest{RequestHeader: mapitest.Req(0x02, 0, 0), OutputHandleIndex: 1, FolderId: folderOf(4)},
			&rop.SynchronizationOpenCollectorRequest{RequestHeader: mapitest.Req(0x7E, 0, 1), OutputHandleIndex: 2, IsContentsCollector: true},
			&rop.SynchronizationImportMessageChangeRequest{RequestHeader: mapitest.Req(0x72, 0, 2), OutputHandleIndex: 3, ImportFlag: 0x40, PropertyValues: pv},
		},
		ReqHandles: []uint32{0x100, mapitest.None, mapitest.None, mapitest.None},
		Responses: []rop.Response{
			&rop.OpenFolderResponse{ResponseHeader: mapitest.OK(0x02, 1)},
			&rop.SynchronizationOpenCollectorResponse{ResponseHeader: mapitest.OK(0x7E, 2)},
		},
		RespHandles: []uint32{0x100, 0x200, 0x300, 0x400},
	}
	if importRV != 0 {
		b.Responses = append(b.Responses, &rop.SynchronizationImportMessageChangeResponse{ResponseHeader: mapitest.Fail(0x72, 3, importRV)})
		b.RespHandles[3] = mapitest.None
	} else {
		b.Responses = append(b.Responses, &rop.SynchronizationImportMessageChangeResponse{ResponseHeader: mapitest.OK(0x72, 3), MessageId: prop.MakeID(1, 0x10009)})
		b.Requests = append(b.Requests, &rop.SaveChangesMessageRequest{RequestHeader: mapitest.Req(0x0C, 0, 3), ResponseHandleIndex: 3, SaveFlags: 0x0A})
		if saveRV != 0 {
			b.Responses = append(b.Responses, &rop.SaveChangesMessageResponse{ResponseHeader: mapitest.Fail(0x0C, 3, saveRV)})
		} else {
			b.Responses = append(b.Responses, &rop.SaveChangesMessageResponse{ResponseHeader: mapitest.OK(0x0C, 3), InputHandleIndex: 3, MessageId: prop.MakeID(1, 0x10009)})
		}
	}
	b.Requests = append(b.Requests, &rop.SynchronizationImportDeletesRequest{RequestHeader: mapitest.Req(0x74, 0, 2), ImportDeleteFlags: 0,
		PropertyValues: []prop.TaggedValue{{Tag: 0x00001102, Value: [][]byte{fxics.NewXID(replica, 0x10005).Bytes()}}}})
	if delRV != 0 {
		b.Responses = append(b.Responses, &rop.SynchronizationImportDeletesResponse{ResponseHeader: mapitest.Fail(0x74, 2, delRV)})
	} else {
		b.Responses = append(b.Responses, &rop.SynchronizationImportDeletesResponse{ResponseHeader: mapitest.OK(0x74, 2)})
	}
	return b
}

func TestICSUploadRejected(t *testing.T) {
	tr := newTrace(t, icsSession(t, importBatch(syncConflict, 0, 0x80004005))...)
	f := want(t, check(t, tr, "ics-upload-rejected"), Warning)
	evidenceExists(t, tr, f)
	if len(f.Evidence) != 2 || !strings.Contains(f.Evidence[0].Note, "import of message {") ||
		!strings.Contains(f.Evidence[0].Note, "Inbox") || !strings.Contains(f.Evidence[1].Note, "1 deletions") ||
		!strings.Contains(f.Explanation, "Sync Issues\\Conflicts") {
		t.Errorf("finding: %s", dump([]Finding{f}))
	}
	// The import accepted, the save refused.
	f = want(t, check(t, newTrace(t, icsSession(t, importBatch(0, 0x80070005, 0))...), "ics-upload-rejected"), Warning)
	if len(f.Evidence) != 1 || !strings.Contains(f.Evidence[0].Note, "saving imported message") {
		t.Errorf("finding: %s", dump([]Finding{f}))
	}
}

func TestICSUploadAccepted(t *testing.T) {
	// A warning code is no rejection.
	none(t, check(t, newTrace(t, icsSession(t, importBatch(0, 0, 0), importBatch(0x00040821, 0, 0))...), "ics-upload-rejected"))
	none(t, check(t, realTrace(t), "ics-upload-rejected"))
}

package doctor

import (
	"strings"
	"testing"

	"github.com/mapiscope/mapiscope/decode/prop"
	"github.com/mapiscope/mapiscope/decode/rop"
	"github.com/mapiscope/mapiscope/internal/mapitest"
)

// renEntryIDs reads PidTagAdditionalRenEntryIds on the Inbox: Conflicts,
// Sync Issues, Local Failures and Server Failures at GLOBCNT 0x5001 to
// 0x5004.
func renEntryIDs(t *testing.T) *mapitest.Batch {
	t.Helper()
	var ids [][]byte
	for i := range 4 {
		b, err := prop.EncodeEntryID(&prop.FolderEntryID{ProviderUID: prop.GUID{9, 9}, FolderType: 0x0001,
			DatabaseGuid: replica, GlobalCounter: prop.GlobCnt(0x5001 + i)})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, b)
	}
	tags := []prop.Tag{tagAdditionalRenEntryIds}
	return &mapitest.Batch{
		Requests: []rop.Request{
			&rop.OpenFolderRequest{RequestHeader: mapitest.Req(0x02, 0, 0), OutputHandleIndex: 1, FolderId: folderOf(4)},
			&rop.GetPropertiesSpecificRequest{RequestHeader: mapitest.Req(0x07, 0, 1), WantUnicode: 1, PropertyTags: tags},
			&rop.ReleaseRequest{RequestHeader: mapitest.Req(0x01, 0, 1)},
		},
		ReqHandles: []uint32{0x100, mapitest.None},
		Responses: []rop.Response{
			&rop.OpenFolderResponse{ResponseHeader: mapitest.OK(0x02, 1)},
			&rop.GetPropertiesSpecificResponse{ResponseHeader: mapitest.OK(0x07, 1), RowData: prop.Row{Values: []any{ids}}},
		},
		RespHandles: []uint32{0x100, 0x200},
		Columns:     tags,
	}
}

// createIn creates a message in folder and sets props on it.
func createIn(folder prop.ID, props ...prop.TaggedValue) *mapitest.Batch {
	return &mapitest.Batch{
		Requests: []rop.Request{
			&rop.CreateMessageRequest{RequestHeader: mapitest.Req(0x06, 0, 0), OutputHandleIndex: 1, CodePageId: 0x0FFF, FolderId: folder},
			&rop.SetPropertiesRequest{RequestHeader: mapitest.Req(0x0A, 0, 1), PropertyValues: props},
			&rop.SaveChangesMessageRequest{RequestHeader: mapitest.Req(0x0C, 0, 1), ResponseHandleIndex: 1, SaveFlags: 0x0A},
		},
		ReqHandles: []uint32{0x100, mapitest.None},
		Responses: []rop.Response{
			&rop.CreateMessageResponse{ResponseHeader: mapitest.OK(0x06, 1)},
			&rop.SetPropertiesResponse{ResponseHeader: mapitest.OK(0x0A, 1)},
			&rop.SaveChangesMessageResponse{ResponseHeader: mapitest.OK(0x0C, 1), InputHandleIndex: 1, MessageId: prop.MakeID(1, 0x10020)},
		},
		RespHandles: []uint32{0x100, 0x500},
	}
}

// createFolder creates a folder named name (GLOBCNT gc) under the root.
func createFolder(name string, gc uint64) *mapitest.Batch {
	return &mapitest.Batch{
		Requests: []rop.Request{&rop.CreateFolderRequest{RequestHeader: mapitest.Req(0x1C, 0, 0), OutputHandleIndex: 1, FolderType: 1,
			UseUnicodeStrings: true, DisplayName: name}},
		ReqHandles:  []uint32{0x100, mapitest.None},
		Responses:   []rop.Response{&rop.CreateFolderResponse{ResponseHeader: mapitest.OK(0x1C, 1), FolderId: prop.MakeID(1, gc)}},
		RespHandles: []uint32{0x100, 0x600},
	}
}

func TestICSConflicts(t *testing.T) {
	subject := prop.TaggedValue{Tag: 0x0037001F, Value: "Synchronization Log: 2 errors"}
	conflict := prop.TaggedValue{Tag: tagConflictItems, Value: [][]byte{make([]byte, 70)}}
	tr := newTrace(t, icsSession(t,
		renEntryIDs(t),
		createIn(prop.MakeID(1, 0x5001), subject, conflict), // a loser in Conflicts
		createIn(prop.MakeID(1, 0x5002), subject),           // a log in Sync Issues
		createFolder("Échecs locaux", 0x6001),
		createIn(prop.MakeID(1, 0x6001), subject),
	)...)
	fs := check(t, tr, "ics-conflicts")
	if len(fs) != 3 {
		t.Fatalf("%d findings: %s", len(fs), dump(fs))
	}
	for _, f := range fs {
		evidenceExists(t, tr, f)
	}
	if fs[0].Severity != Warning || len(fs[0].Evidence) != 2 || !strings.Contains(fs[0].Evidence[0].Note, "in Conflicts") ||
		!strings.Contains(fs[0].Evidence[1].Note, "PidTagConflictItems") {
		t.Errorf("conflicts: %s", dump(fs[:1]))
	}
	if fs[1].Severity != Warning || !strings.Contains(fs[1].Evidence[0].Note, "Local Failures") {
		t.Errorf("failures: %s", dump(fs[1:2]))
	}
	if fs[2].Severity != Info || !strings.Contains(fs[2].Evidence[0].Note, "Sync Issues") {
		t.Errorf("logs: %s", dump(fs[2:]))
	}
}

func TestICSNoConflicts(t *testing.T) {
	// Reading PidTagConflictItems is no conflict; a message in Drafts is none.
	tr := newTrace(t, icsSession(t, renEntryIDs(t), createIn(logonOK(0).FolderIds[4], prop.TaggedValue{Tag: 0x0037001F, Value: "hello"}))...)
	none(t, check(t, tr, "ics-conflicts"))
	none(t, check(t, realTrace(t), "ics-conflicts"))
}

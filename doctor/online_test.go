package doctor

import (
	"strings"
	"testing"

	"github.com/mapiscope/mapiscope/decode/prop"
	"github.com/mapiscope/mapiscope/decode/rop"
	"github.com/mapiscope/mapiscope/internal/mapitest"
	"github.com/mapiscope/mapiscope/trace"
)

var rowColumns = []prop.Tag{0x674A0014, 0x0037001F}

// folderOf is the well-known folder id i of logonOK (4 Inbox, 6 Sent Items).
func folderOf(i int) prop.ID { return logonOK(0).FolderIds[i] }

// readContents opens a folder, its contents table, and reads two rows.
func readContents(folder prop.ID, flags uint8) *mapitest.Batch {
	rows := []prop.Row{{Values: []any{int64(prop.MakeID(1, 0x10001)), "Quarterly report"}},
		{Values: []any{int64(prop.MakeID(1, 0x10002)), "Lunch?"}}}
	return &mapitest.Batch{
		Requests: []rop.Request{
			&rop.OpenFolderRequest{RequestHeader: mapitest.Req(0x02, 0, 0), OutputHandleIndex: 1, FolderId: folder},
			&rop.GetContentsTableRequest{RequestHeader: mapitest.Req(0x05, 0, 1), OutputHandleIndex: 2, TableFlags: flags},
			&rop.SetColumnsRequest{RequestHeader: mapitest.Req(0x12, 0, 2), PropertyTags: rowColumns},
			&rop.QueryRowsRequest{RequestHeader: mapitest.Req(0x15, 0, 2), ForwardRead: true, RowCount: 50},
		},
		ReqHandles: []uint32{0x100, mapitest.None, mapitest.None},
		Responses: []rop.Response{
			&rop.OpenFolderResponse{ResponseHeader: mapitest.OK(0x02, 1)},
			&rop.GetContentsTableResponse{ResponseHeader: mapitest.OK(0x05, 2), RowCount: 2},
			&rop.SetColumnsResponse{ResponseHeader: mapitest.OK(0x12, 2)},
			&rop.QueryRowsResponse{ResponseHeader: mapitest.OK(0x15, 2), Origin: 2, RowData: rows},
		},
		RespHandles: []uint32{0x100, 0x200, 0x300},
		Columns:     rowColumns,
	}
}

// syncContents opens a folder and configures a contents synchronisation
// on it (with a restriction when r is not nil).
func syncContents(folder prop.ID, r *prop.Restriction) *mapitest.Batch {
	return &mapitest.Batch{
		Requests: []rop.Request{
			&rop.OpenFolderRequest{RequestHeader: mapitest.Req(0x02, 0, 0), OutputHandleIndex: 1, FolderId: folder},
			&rop.SynchronizationConfigureRequest{RequestHeader: mapitest.Req(0x70, 0, 1), OutputHandleIndex: 2,
				SynchronizationType: syncTypeContents, SendOptions: 0x1D, SynchronizationFlags: 0xA139,
				RestrictionData: r, SynchronizationExtraFlags: 0x0D, PropertyTags: []prop.Tag{0x1000001F}},
		},
		ReqHandles: []uint32{0x100, mapitest.None, mapitest.None},
		Responses: []rop.Response{
			&rop.OpenFolderResponse{ResponseHeader: mapitest.OK(0x02, 1)},
			&rop.SynchronizationConfigureResponse{ResponseHeader: mapitest.OK(0x70, 2)},
		},
		RespHandles: []uint32{0x100, 0x200, 0x300},
	}
}

func onlineSession(t *testing.T, app string, batches ...*mapitest.Batch) []*trace.Exchange {
	t.Helper()
	cv := mapitest.NewConversation()
	cv.ClientApp = app
	exs := session(t, cv, append([]*mapitest.Batch{logonBatch(0, aliceDN, 0x2100040C, logonOK(0))}, batches...)...)
	if !strings.HasPrefix(app, "Outlook") {
		for _, ex := range exs {
			ex.ReqHeader.Set("User-Agent", "mapiscope/dev")
		}
	}
	return exs
}

func TestOnlineMode(t *testing.T) {
	tr := newTrace(t, onlineSession(t, "Outlook/16.0.17928.20114", readContents(folderOf(4), 0x40), readContents(folderOf(6), 0x40))...)
	f := want(t, check(t, tr, "online-mode"), Warning)
	evidenceExists(t, tr, f)
	if len(f.Evidence) != 4 || !strings.Contains(f.Evidence[0].Note, "Inbox") || !strings.Contains(f.Evidence[2].Note, "SentItems") {
		t.Errorf("finding: %s", dump([]Finding{f}))
	}
	// Another client reading two folders: info only.
	tr = newTrace(t, onlineSession(t, "mapiscope/dev", readContents(folderOf(4), 0x40), readContents(folderOf(6), 0x40))...)
	want(t, check(t, tr, "online-mode"), Info)
}

func TestCachedModeWindow(t *testing.T) {
	window := &prop.Restriction{RestrictType: prop.RestrictProperty, RelOp: prop.RelopGE, PropTag: 0x0E060040,
		TaggedValue: prop.TaggedValue{Tag: 0x0E060040, Value: prop.Filetime(133000000000000000)}}
	tr := newTrace(t, onlineSession(t, "Outlook/16.0.17928.20114", syncContents(folderOf(4), window))...)
	f := want(t, check(t, tr, "online-mode"), Warning)
	if !strings.Contains(f.Title, "limited in time") || f.Evidence[0].Rop == 0 {
		t.Errorf("finding: %s", dump([]Finding{f}))
	}
}

func TestCachedMode(t *testing.T) {
	// Cached mode: contents synchronisation, and tables read as Outlook does.
	none(t, check(t, newTrace(t, onlineSession(t, "Outlook/16.0.17928.20114", syncContents(folderOf(4), nil),
		readContents(folderOf(4), 0x40), readContents(folderOf(6), 0x40))...), "online-mode"))
	// One folder looked at, and associated tables: no pattern.
	none(t, check(t, newTrace(t, onlineSession(t, "Outlook/16.0.17928.20114", readContents(folderOf(4), 0x40),
		readContents(folderOf(4), 0x40), readContents(folderOf(6), 0x42))...), "online-mode"))
	none(t, check(t, realTrace(t), "online-mode"))
}

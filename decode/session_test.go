package decode

import (
	"strings"
	"testing"

	"github.com/mapiscope/mapiscope/decode/prop"
	"github.com/mapiscope/mapiscope/decode/rop"
	"github.com/mapiscope/mapiscope/decode/wire"
)

// sessionScript builds request and response ROP buffers with the
// project's encoders, so that session tests read as the exchanges they are.
type sessionScript struct {
	t *testing.T
}

func (s sessionScript) reqBuf(handles []uint32, rops ...rop.Request) []byte {
	s.t.Helper()
	rb := &rop.RequestBuffer{Rops: rops, Handles: handles}
	c := wire.NewEncoder(nil)
	rop.CodecRequestBuffer(c, rb, nil)
	if c.Failed() {
		s.t.Fatalf("encode request buffer: %v", c.Anomalies())
	}
	return c.Output()
}

// respBuf encodes responses; reqs pairs each with its request where the
// encoding needs it (GetPropertiesSpecific rows, QueryRows columns).
func (s sessionScript) respBuf(handles []uint32, columns []prop.Tag, reqs []rop.Request, rops ...rop.Response) []byte {
	s.t.Helper()
	c := wire.NewEncoder(nil)
	var list []byte
	for i, r := range rops {
		ctx := &rop.Ctx{Columns: columns, HasColumns: columns != nil}
		if i < len(reqs) {
			ctx.Request = reqs[i]
		}
		var err error
		list, err = rop.Encode(list, r, ctx)
		if err != nil {
			s.t.Fatalf("encode %T: %v", r, err)
		}
	}
	size := uint16(len(list) + 2)
	c.U16(&size, "")
	c.Rest(&list, "")
	rop.CodecHandleTable(c, &handles)
	return c.Output()
}

const none = 0xFFFFFFFF

func hdr(id, logon, in uint8) rop.RequestHeader {
	return rop.RequestHeader{RopId: id, LogonId: logon, InputHandleIndex: in}
}

func ok(id, idx uint8) rop.ResponseHeader {
	return rop.ResponseHeader{RopId: id, HandleIndex: idx}
}

var inboxID = prop.MakeID(1, 0x1234)

// logonExchange runs a private RopLogon that answers with handle h and an
// Inbox FolderId, so later exchanges can open folders.
func logonExchange(t *testing.T, s *Session, sc sessionScript, h uint32) {
	t.Helper()
	logon := &rop.LogonRequest{RequestHeader: hdr(0xFE, 0, 0), LogonFlags: 0x01, OpenFlags: 0x01000004, Essdn: "/o=test/cn=alice"}
	resp := &rop.LogonResponse{ResponseHeader: ok(0xFE, 0), LogonFlags: 0x01, ResponseFlags: 0x01}
	resp.FolderIds[4] = inboxID
	b := s.RopBuffers(sc.reqBuf([]uint32{none}, logon), 0,
		[][]byte{sc.respBuf([]uint32{h}, nil, nil, resp)}, nil, true)
	if len(b.Anomalies) != 0 {
		t.Fatalf("logon: %v", b.Anomalies)
	}
}

// A RopQueryRows whose RopSetColumns came two Executes earlier decodes its
// rows; a named property learnt from RopGetPropertyIdsFromNames prints by
// its name.
func TestSessionColumnsAcrossExecutes(t *testing.T) {
	sc := sessionScript{t}
	s := NewSession()
	logonExchange(t, s, sc, 0x100)

	// Execute 2: open the Inbox, its contents table, set the columns.
	cols := []prop.Tag{0x67480014, 0x0037001F, 0x80010040}
	open := &rop.OpenFolderRequest{RequestHeader: hdr(0x02, 0, 0), OutputHandleIndex: 1, FolderId: inboxID}
	getct := &rop.GetContentsTableRequest{RequestHeader: hdr(0x05, 0, 1), OutputHandleIndex: 2}
	setcol := &rop.SetColumnsRequest{RequestHeader: hdr(0x12, 0, 2), PropertyTags: cols}
	b := s.RopBuffers(sc.reqBuf([]uint32{0x100, none, none}, open, getct, setcol), 0,
		[][]byte{sc.respBuf([]uint32{0x100, 0x200, 0x300}, nil, nil,
			&rop.OpenFolderResponse{ResponseHeader: ok(0x02, 1)},
			&rop.GetContentsTableResponse{ResponseHeader: ok(0x05, 2), RowCount: 1},
			&rop.SetColumnsResponse{ResponseHeader: ok(0x12, 2)})}, nil, true)
	if len(b.Anomalies) != 0 {
		t.Fatalf("execute 2: %v", b.Anomalies)
	}
	if b.Pairs[0].Output == nil || b.Pairs[0].Output.FolderName != "Inbox" {
		t.Fatalf("OpenFolder output = %+v", b.Pairs[0].Output)
	}
	table := s.ObjectByHandle(0x300)
	if table == nil || table.Kind != KindTable || !table.HasColumns {
		t.Fatalf("table object = %+v", table)
	}
	if got := table.Name(); got != "contents table of folder Inbox" {
		t.Fatalf("table name %q", got)
	}

	// Execute 3: map PidLidCommonStart to 0x8001 on logon 0.
	common, _ := prop.ParseGUIDString("00062008-0000-0000-c000-000000000046")
	names := &rop.GetPropertyIdsFromNamesRequest{RequestHeader: hdr(0x56, 0, 0),
		PropertyNames: []prop.PropertyName{{Kind: prop.KindLID, Guid: common, LID: 0x8516}}}
	b = s.RopBuffers(sc.reqBuf([]uint32{0x100}, names), 0,
		[][]byte{sc.respBuf([]uint32{0x100}, nil, []rop.Request{names},
			&rop.GetPropertyIdsFromNamesResponse{ResponseHeader: ok(0x56, 0), PropertyIds: []uint16{0x8001}})}, nil, true)
	if len(b.Anomalies) != 0 {
		t.Fatalf("execute 3: %v", b.Anomalies)
	}
	if n := s.NamedPropertyName(0, 0x8001); n != "PidLidCommonStart" {
		t.Fatalf("named property 0x8001 = %q", n)
	}

	// Execute 4: QueryRows on the table handle, nothing else in the buffer.
	qr := &rop.QueryRowsRequest{RequestHeader: hdr(0x15, 0, 0), ForwardRead: true, RowCount: 10}
	row := prop.Row{Values: []any{int64(inboxID), "Hello", prop.Filetime(132000000000000000)}}
	b = s.RopBuffers(sc.reqBuf([]uint32{0x300}, qr), 0,
		[][]byte{sc.respBuf([]uint32{0x300}, cols, []rop.Request{qr},
			&rop.QueryRowsResponse{ResponseHeader: ok(0x15, 0), RowData: []prop.Row{row}})}, nil, true)
	if len(b.Anomalies) != 0 {
		t.Fatalf("QueryRows did not decode: %v", b.Anomalies)
	}
	resp := b.Pairs[0].Response.(*rop.QueryRowsResponse)
	if len(resp.RowData) != 1 || resp.RowData[0].Values[1] != "Hello" {
		t.Fatalf("rows = %+v", resp.RowData)
	}
	if b.Pairs[0].Input != table {
		t.Fatalf("QueryRows input is %v, want the contents table", b.Pairs[0].Input.Name())
	}
	text := b.RespTrees[0].Text()
	if !strings.Contains(text, "PidLidCommonStart") {
		t.Fatalf("named property not printed by name:\n%s", text)
	}
	// The request side names it too.
	setcol2 := &rop.SetColumnsRequest{RequestHeader: hdr(0x12, 0, 0), PropertyTags: cols}
	b = s.RopBuffers(sc.reqBuf([]uint32{0x300}, setcol2), 0,
		[][]byte{sc.respBuf([]uint32{0x300}, nil, nil, &rop.SetColumnsResponse{ResponseHeader: ok(0x12, 0)})}, nil, true)
	if !strings.Contains(b.ReqTree.Text(), "PidLidCommonStart") {
		t.Fatalf("request tags not named:\n%s", b.ReqTree.Text())
	}
}

// A handle released and then reused by the server decodes as the new
// object, with the new object's column set.
func TestSessionHandleReuse(t *testing.T) {
	sc := sessionScript{t}
	s := NewSession()
	logonExchange(t, s, sc, 0x100)

	open := &rop.OpenFolderRequest{RequestHeader: hdr(0x02, 0, 0), OutputHandleIndex: 1, FolderId: inboxID}
	getct := &rop.GetContentsTableRequest{RequestHeader: hdr(0x05, 0, 1), OutputHandleIndex: 2}
	setcol := &rop.SetColumnsRequest{RequestHeader: hdr(0x12, 0, 2), PropertyTags: []prop.Tag{0x0037001F}}
	s.RopBuffers(sc.reqBuf([]uint32{0x100, none, none}, open, getct, setcol), 0,
		[][]byte{sc.respBuf([]uint32{0x100, 0x200, 0x300}, nil, nil,
			&rop.OpenFolderResponse{ResponseHeader: ok(0x02, 1)},
			&rop.GetContentsTableResponse{ResponseHeader: ok(0x05, 2)},
			&rop.SetColumnsResponse{ResponseHeader: ok(0x12, 2)})}, nil, true)
	old := s.ObjectByHandle(0x300)

	// Release the table; the server then hands out 0x300 again for a
	// hierarchy table with other columns, in the same Execute.
	rel := &rop.ReleaseRequest{RequestHeader: hdr(0x01, 0, 1)}
	geth := &rop.GetHierarchyTableRequest{RequestHeader: hdr(0x04, 0, 0), OutputHandleIndex: 1}
	setcol2 := &rop.SetColumnsRequest{RequestHeader: hdr(0x12, 0, 1), PropertyTags: []prop.Tag{0x3001001F, 0x36020003}}
	b := s.RopBuffers(sc.reqBuf([]uint32{0x200, 0x300}, rel, geth, setcol2), 0,
		[][]byte{sc.respBuf([]uint32{0x200, 0x300}, nil, nil,
			&rop.GetHierarchyTableResponse{ResponseHeader: ok(0x04, 1)},
			&rop.SetColumnsResponse{ResponseHeader: ok(0x12, 1)})}, nil, true)
	if len(b.Anomalies) != 0 {
		t.Fatalf("%v", b.Anomalies)
	}
	if !old.Released || old.ReleasedBy.Index != 0 {
		t.Fatalf("old table not released: %+v", old)
	}
	now := s.ObjectByHandle(0x300)
	if now == old || now.Detail != "hierarchy table" || len(now.Columns) != 2 {
		t.Fatalf("handle 0x300 is %+v", now)
	}

	qr := &rop.QueryRowsRequest{RequestHeader: hdr(0x15, 0, 0), ForwardRead: true, RowCount: 1}
	row := prop.Row{Values: []any{"Inbox", int32(3)}}
	b = s.RopBuffers(sc.reqBuf([]uint32{0x300}, qr), 0,
		[][]byte{sc.respBuf([]uint32{0x300}, now.Columns, []rop.Request{qr},
			&rop.QueryRowsResponse{ResponseHeader: ok(0x15, 0), RowData: []prop.Row{row}})}, nil, false)
	if len(b.Anomalies) != 0 {
		t.Fatalf("QueryRows on the reused handle: %v", b.Anomalies)
	}
	if got := b.Pairs[0].Response.(*rop.QueryRowsResponse).RowData[0].Values[1]; got != int32(3) {
		t.Fatalf("row decoded against the wrong columns: %v", got)
	}
	if s.LiveObjects() != 3 { // logon, folder, hierarchy table
		t.Fatalf("live objects = %d", s.LiveObjects())
	}
}

// Release has no response; a response buffer that carries a RopBackoff and
// a RopNotify among the answers pairs the rest correctly.
func TestSessionPairingWithUnsolicited(t *testing.T) {
	sc := sessionScript{t}
	s := NewSession()
	logonExchange(t, s, sc, 0x100)
	rel := &rop.ReleaseRequest{RequestHeader: hdr(0x01, 0, 1)}
	gps := &rop.GetPropertiesSpecificRequest{RequestHeader: hdr(0x07, 0, 0), PropertyTags: []prop.Tag{0x3001001F}}
	reqb := sc.reqBuf([]uint32{0x100, 0x555}, rel, gps)
	respb := sc.respBuf([]uint32{0x100, 0x555}, nil, []rop.Request{gps},
		&rop.GetPropertiesSpecificResponse{ResponseHeader: ok(0x07, 0), RowData: prop.Row{Values: []any{"Alice"}}},
		&rop.BackoffResponse{RopId: 0xF9, Duration: 100})
	b := s.RopBuffers(reqb, 0, [][]byte{respb}, nil, true)
	if len(b.Anomalies) != 0 {
		t.Fatalf("%v", b.Anomalies)
	}
	if b.Pairs[0].Response != nil || b.Pairs[1].Response == nil {
		t.Fatalf("pairing wrong: %+v", b.Pairs)
	}
	if len(b.Pairs) != 3 || b.Pairs[2].Index != -1 || b.Pairs[2].Name() != "RopBackoff" {
		t.Fatalf("unsolicited RopBackoff not listed: %+v", b.Pairs)
	}
}

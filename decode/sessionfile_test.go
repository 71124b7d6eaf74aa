package decode

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/mapiscope/mapiscope/decode/mapihttp"
	"github.com/mapiscope/mapiscope/decode/prop"
	"github.com/mapiscope/mapiscope/decode/rop"
	"github.com/mapiscope/mapiscope/decode/rpcext"
)

// execLine wraps ROP buffers into Execute bodies and a session-file line.
func execLine(t *testing.T, reqROPs, respROPs []byte) string {
	t.Helper()
	rb, _ := rpcext.Append(nil, []rpcext.Block{rpcext.Build(reqROPs, 0, true)})
	req, err := mapihttp.Encode(nil, &mapihttp.ExecuteRequest{Flags: mapihttp.ExecuteNoXorMagic, RopBuffer: rb, MaxRopOut: 0x8007})
	if err != nil {
		t.Fatal(err)
	}
	pb, _ := rpcext.Append(nil, []rpcext.Block{rpcext.Build(respROPs, 0, true)})
	resp, err := mapihttp.Encode(nil, &mapihttp.ExecuteResponse{RopBuffer: pb})
	if err != nil {
		t.Fatal(err)
	}
	framed := mapihttp.BuildResponseBody(0, mapihttp.DoneHeaders(0, 3, "Sat, 28 Nov 2026 02:00:00 GMT"), resp)
	b, _ := json.Marshal(SessionLine{Type: "Execute", Request: hex.EncodeToString(req), Response: hex.EncodeToString(framed)})
	return string(b)
}

// exampleSession is a small Outlook-like session: logon, open the Inbox
// and its contents table, set columns, map a named property, read rows.
func exampleSession(t *testing.T) string {
	sc := sessionScript{t}
	var lines []string
	logon := &rop.LogonRequest{RequestHeader: hdr(0xFE, 0, 0), LogonFlags: 0x01, OpenFlags: 0x2100040C, Essdn: "/o=mapiscope/cn=Recipients/cn=alice"}
	lr := &rop.LogonResponse{ResponseHeader: ok(0xFE, 0), LogonFlags: 0x01, ResponseFlags: 0x01, ReplId: 1}
	lr.FolderIds[4] = inboxID
	lines = append(lines, execLine(t, sc.reqBuf([]uint32{none}, logon), sc.respBuf([]uint32{0x100}, nil, nil, lr)))

	cols := []prop.Tag{0x674A0014, 0x0037001F, 0x80010040}
	open := &rop.OpenFolderRequest{RequestHeader: hdr(0x02, 0, 0), OutputHandleIndex: 1, FolderId: inboxID}
	getct := &rop.GetContentsTableRequest{RequestHeader: hdr(0x05, 0, 1), OutputHandleIndex: 2}
	setcol := &rop.SetColumnsRequest{RequestHeader: hdr(0x12, 0, 2), PropertyTags: cols}
	lines = append(lines, execLine(t, sc.reqBuf([]uint32{0x100, none, none}, open, getct, setcol),
		sc.respBuf([]uint32{0x100, 0x200, 0x300}, nil, nil,
			&rop.OpenFolderResponse{ResponseHeader: ok(0x02, 1)},
			&rop.GetContentsTableResponse{ResponseHeader: ok(0x05, 2), RowCount: 2},
			&rop.SetColumnsResponse{ResponseHeader: ok(0x12, 2)})))

	common, _ := prop.ParseGUIDString("00062008-0000-0000-c000-000000000046")
	names := &rop.GetPropertyIdsFromNamesRequest{RequestHeader: hdr(0x56, 0, 0),
		PropertyNames: []prop.PropertyName{{Kind: prop.KindLID, Guid: common, LID: 0x8516}}}
	lines = append(lines, execLine(t, sc.reqBuf([]uint32{0x100}, names),
		sc.respBuf([]uint32{0x100}, nil, []rop.Request{names},
			&rop.GetPropertyIdsFromNamesResponse{ResponseHeader: ok(0x56, 0), PropertyIds: []uint16{0x8001}})))

	qr := &rop.QueryRowsRequest{RequestHeader: hdr(0x15, 0, 0), ForwardRead: true, RowCount: 50}
	rows := []prop.Row{
		{Values: []any{int64(prop.MakeID(1, 0x10001)), "Quarterly report", prop.Filetime(134090000000000000)}},
		{Values: []any{int64(prop.MakeID(1, 0x10002)), "Lunch?", prop.Filetime(134090100000000000)}},
	}
	rel := &rop.ReleaseRequest{RequestHeader: hdr(0x01, 0, 0)}
	lines = append(lines, execLine(t, sc.reqBuf([]uint32{0x300}, qr, rel),
		sc.respBuf([]uint32{0x300}, cols, []rop.Request{qr},
			&rop.QueryRowsResponse{ResponseHeader: ok(0x15, 0), Origin: 2, RowData: rows})))
	return strings.Join(lines, "\n") + "\n"
}

func TestSessionFile(t *testing.T) {
	file := exampleSession(t)
	if *update {
		if err := os.WriteFile("../testdata/examples/session.jsonl", []byte(file), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var got []*SessionExchange
	err := DecodeSessionFile(strings.NewReader(file), true, func(ex *SessionExchange) { got = append(got, ex) })
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 4 {
		t.Fatalf("%d exchanges", len(got))
	}
	for _, ex := range got {
		if len(ex.Anomalies) != 0 {
			t.Fatalf("line %d: %v", ex.Line, ex.Anomalies)
		}
	}
	last := got[3].Execute.Pairs()
	if last[0].Name() != "RopQueryRows" || last[0].Input.Detail != "contents table" {
		t.Fatalf("QueryRows pair: %+v", last[0])
	}
	if rows := last[0].Response.(*rop.QueryRowsResponse).RowData; len(rows) != 2 || rows[1].Values[1] != "Lunch?" {
		t.Fatalf("rows: %+v", rows)
	}
	if !strings.Contains(got[3].RespTree.Text(), "PidLidCommonStart") {
		t.Fatal("named property not shown by name")
	}
	if !last[1].Input.Released {
		t.Fatal("Release did not release the table")
	}
	// A broken line is a one-line error.
	err = DecodeSessionFile(bytes.NewReader([]byte("{\"request\": \"zz\"}\n")), false, func(*SessionExchange) {})
	if err == nil || !strings.Contains(err.Error(), "line 1") {
		t.Fatalf("bad hex: %v", err)
	}
}

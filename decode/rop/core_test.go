package rop

import (
	"testing"

	"github.com/mapiscope/mapiscope/decode/prop"
	"github.com/mapiscope/mapiscope/decode/wire"
)

// [MS-OXCROPS] 4.4: RopRelease request.
func TestReleaseRequest(t *testing.T) {
	r := checkRequest(t, "010001", nil).(*ReleaseRequest)
	if r.InputHandleIndex != 1 {
		t.Fatalf("InputHandleIndex = %d", r.InputHandleIndex)
	}
}

// [MS-OXCROPS] 4.6 and 4.7: RopBackoff.
func TestBackoff(t *testing.T) {
	r := checkResponse(t, "f90034120000000000", nil).(*BackoffResponse)
	if r.Duration != 0x1234 || len(r.BackoffRopData) != 0 {
		t.Fatalf("got %+v", r)
	}
	r = checkResponse(t, "f90000000000011c174f04000000", nil).(*BackoffResponse)
	if len(r.BackoffRopData) != 1 || r.BackoffRopData[0].RopIdBackoff != 0x1C || r.BackoffRopData[0].Duration != 0x44F17 {
		t.Fatalf("got %+v", r)
	}
}

// [MS-OXCROPS] 4.4: a request buffer with two RopRelease and a handle table.
func TestRequestBuffer(t *testing.T) {
	b := unhex(t, "08000100000100016f0000006e000000")
	c := wire.NewDecoder(b, true, "buf")
	var rb RequestBuffer
	CodecRequestBuffer(c, &rb, nil)
	if len(c.Anomalies()) != 0 || len(rb.Rops) != 2 || len(rb.Handles) != 2 || rb.Handles[0] != 0x6F {
		t.Fatalf("got %+v anomalies %v", rb, c.Anomalies())
	}
	e := wire.NewEncoder(nil)
	CodecRequestBuffer(e, &rb, nil)
	if string(e.Output()) != string(b) {
		t.Fatalf("round trip %x", e.Output())
	}
}

func TestQueryRowsNeedsColumns(t *testing.T) {
	// Origin 0, RowCount 1, one standard row with an Integer32 cell.
	resp := "15 01 00000000 00 0100 00 2a000000"
	decodeFails(t, resp, nil, false)
	ctx := &Ctx{HasColumns: true, Columns: []prop.Tag{0x0E080003}}
	r := checkResponse(t, resp, ctx).(*QueryRowsResponse)
	if len(r.RowData) != 1 || r.RowData[0].Values[0].(int32) != 42 {
		t.Fatalf("got %+v", r.RowData)
	}
}

func TestGetPropertiesSpecificPairs(t *testing.T) {
	req := checkRequest(t, "07 00 00 0000 0100 0200 1f003700 02001a00", nil).(*GetPropertiesSpecificRequest)
	ctx := &Ctx{Request: req}
	// Flagged row: subject "Hi", message class not found.
	r := checkResponse(t, "07 00 00000000 01 00 4800690000 00 0a 0f010480", ctx).(*GetPropertiesSpecificResponse)
	if !r.RowData.Flagged() {
		t.Fatalf("row not flagged")
	}
	fv := r.RowData.Values[0].(prop.FlaggedValue)
	if fv.Value.(string) != "Hi" {
		t.Fatalf("subject %v", fv.Value)
	}
}

func TestLogonPrivate(t *testing.T) {
	req := checkRequest(t, "fe 00 00 01 0c040021 00000000 0400 2f6f3d00", nil).(*LogonRequest)
	if req.Essdn != "/o=" || req.OpenFlags != 0x2100040C {
		t.Fatalf("got %+v", req)
	}
	resp := "fe 00 00000000 01" +
		"0100000000000001 0100000000000002 0100000000000003 0100000000000004 0100000000000005" +
		"0100000000000006 0100000000000007 0100000000000008 0100000000000009 010000000000000a" +
		"010000000000000b 010000000000000c 010000000000000d" +
		"01 00112233445566778899aabbccddeeff 0100 00112233445566778899aabbccddeeff" +
		"010203040506e907 0000000000000000 00000000"
	r := checkResponse(t, resp, &Ctx{Request: req}).(*LogonResponse)
	if r.FolderIds[4].GlobalCounter() != 5 || r.LogonTime.Year != 2025 {
		t.Fatalf("got %+v", r)
	}
}

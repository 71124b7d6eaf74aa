package rop

import (
	"bytes"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/mapiscope/mapiscope/decode/prop"
	"github.com/mapiscope/mapiscope/decode/wire"
)

// Table ROPs — [MS-OXCROPS] 2.2.5, [MS-OXCTABL]. Hex is composed field by
// field from the specification's tables unless a section-4 example is
// cited.

// [MS-OXCTABL] 4.2.1: RopSetColumns request (shared vector
// oxctabl-4.2.1-setcolumns-req).
func TestSetColumnsExample(t *testing.T) {
	r := checkRequest(t, "12 00 01"+ // RopId, LogonId, InputHandleIndex
		"00"+ // SetColumnsFlags
		"0600"+ // PropertyTagCount
		"14004867 14004a67 14004d67 03004e67 1f003700 4000060e", // PropertyTags
		nil).(*SetColumnsRequest)
	want := []prop.Tag{0x67480014, 0x674A0014, 0x674D0014, 0x674E0003, 0x0037001F, 0x0E060040}
	if r.SetColumnsFlags != 0 || len(r.PropertyTags) != len(want) {
		t.Fatalf("got %+v", r)
	}
	for i, tag := range want {
		if r.PropertyTags[i] != tag {
			t.Fatalf("tag %d = %v, want %v", i, r.PropertyTags[i], tag)
		}
	}
	resp := checkResponse(t, "12 01 00000000"+ // RopId, InputHandleIndex, ReturnValue
		"00", // TableStatus
		nil).(*SetColumnsResponse)
	if resp.TableStatus != TblStatComplete || resp.HandleIndex != 1 {
		t.Fatalf("got %+v", resp)
	}
	// Failure: header only.
	f := checkResponse(t, "12 01 0f010480", nil).(*SetColumnsResponse)
	if f.ReturnValue != 0x8004010F {
		t.Fatalf("got %+v", f)
	}
}

// [MS-OXCTABL] 2.2.2.1.3: the TableStatus names.
func TestTableStatusNames(t *testing.T) {
	for hexs, name := range map[string]string{
		"00": "TBLSTAT_COMPLETE", "09": "TBLSTAT_SORTING", "0a": "TBLSTAT_SORT_ERROR",
		"0b": "TBLSTAT_SETTING_COLS", "0d": "TBLSTAT_SETCOL_ERROR",
		"0e": "TBLSTAT_RESTRICTING", "0f": "TBLSTAT_RESTRICT_ERROR",
	} {
		js := treeJSON(t, "16 01 00000000 "+hexs, nil, false)
		if !strings.Contains(js, `"`+name+`"`) {
			t.Errorf("TableStatus %s: %s", hexs, js)
		}
	}
}

// [MS-OXCTABL] 4.3.1 and 4.3.2: RopSortTable (shared vector
// oxctabl-4.3.1-sorttable-req).
func TestSortTableExample(t *testing.T) {
	r := checkRequest(t, "13 00 00"+ // RopId, LogonId, InputHandleIndex
		"00"+ // SortTableFlags
		"0200"+ // SortOrderCount
		"0100"+ // CategoryCount
		"0100"+ // ExpandedCount
		"1f30 0880 00"+ // SortOrder: PropertyType 0x301F, PropertyId 0x8008, ascending
		"4000 060e 01", // SortOrder: PropertyType 0x0040, PropertyId 0x0E06, descending
		nil).(*SortTableRequest)
	if len(r.SortOrders) != 2 || r.CategoryCount != 1 || r.ExpandedCount != 1 {
		t.Fatalf("got %+v", r)
	}
	if r.SortOrders[0].Tag() != 0x8008301F || r.SortOrders[0].Order != prop.OrderAscending ||
		r.SortOrders[1].Tag() != 0x0E060040 || r.SortOrders[1].Order != prop.OrderDescending {
		t.Fatalf("sort orders %+v", r.SortOrders)
	}
	resp := checkResponse(t, "13 01 00000000"+ // RopId, InputHandleIndex, ReturnValue
		"00", // TableStatus
		nil).(*SortTableResponse)
	if resp.TableStatus != TblStatComplete {
		t.Fatalf("got %+v", resp)
	}
	decodeFails(t, "13 00 00 00 0200 0100 0100 1f30088000", nil, true)
	// CategoryCount greater than SortOrderCount breaks a MUST.
	decodeFails(t, "13 00 00 00 0100 0200 0000 4000060e01", nil, true)
}

func TestRestrict(t *testing.T) {
	req := "14 00 01" + // RopId, LogonId, InputHandleIndex
		"01" + // RestrictFlags: TBL_ASYNC
		"1000" + // RestrictionDataSize: 16
		"04" + // RestrictType: PropertyRestriction
		"04" + // RelOp: RELOP_EQ
		"1f003700" + // PropTag: PidTagSubject
		"1f003700 480069000000" // TaggedValue: PidTagSubject "Hi"
	r := checkRequest(t, req, nil).(*RestrictRequest)
	if r.RestrictFlags != 0x01 || r.Restriction == nil || r.Restriction.RestrictType != prop.RestrictProperty ||
		r.Restriction.PropTag != 0x0037001F || r.Restriction.TaggedValue.Value.(string) != "Hi" {
		t.Fatalf("got %+v", r)
	}
	if js := treeJSON(t, req, nil, true); !strings.Contains(js, `"TBL_ASYNC"`) || !strings.Contains(js, `"RELOP_EQ"`) {
		t.Fatalf("json %s", js)
	}
	// RestrictionDataSize 0: no restriction.
	r = checkRequest(t, "14 00 01 00 0000", nil).(*RestrictRequest)
	if r.Restriction != nil {
		t.Fatalf("got %+v", r.Restriction)
	}
	resp := checkResponse(t, "14 01 00000000"+ // RopId, InputHandleIndex, ReturnValue
		"0e", // TableStatus: TBLSTAT_RESTRICTING
		nil).(*RestrictResponse)
	if resp.TableStatus != TblStatRestricting {
		t.Fatalf("got %+v", resp)
	}
	// RestrictionDataSize larger than the bytes that follow.
	decodeFails(t, "14 00 01 00 1000 0404 1f003700", nil, true)
	// A restriction shorter than its declared size leaves bytes unread.
	decodeFails(t, "14 00 01 00 0600 08 1f003700 00", nil, true)
}

func TestGetStatus(t *testing.T) {
	checkRequest(t, "16 00 01", nil)        // RopId, LogonId, InputHandleIndex
	r := checkResponse(t, "16 01 00000000"+ // RopId, InputHandleIndex, ReturnValue
		"0b", // TableStatus: TBLSTAT_SETTING_COLS
		nil).(*GetStatusResponse)
	if r.TableStatus != TblStatSettingCols {
		t.Fatalf("got %+v", r)
	}
}

func TestQueryPosition(t *testing.T) {
	checkRequest(t, "17 00 01", nil)        // RopId, LogonId, InputHandleIndex
	r := checkResponse(t, "17 01 00000000"+ // RopId, InputHandleIndex, ReturnValue
		"05000000"+ // Numerator
		"0a000000", // Denominator
		nil).(*QueryPositionResponse)
	if r.Numerator != 5 || r.Denominator != 10 {
		t.Fatalf("got %+v", r)
	}
	decodeFails(t, "17 01 00000000 05000000 0a00", nil, false)
}

func TestSeekRow(t *testing.T) {
	req := checkRequest(t, "18 00 01"+ // RopId, LogonId, InputHandleIndex
		"01"+ // Origin: BOOKMARK_CURRENT
		"fdffffff"+ // RowCount: -3
		"01", // WantRowMovedCount
		nil).(*SeekRowRequest)
	if req.Origin != BookmarkCurrent || req.RowCount != -3 || !req.WantRowMovedCount {
		t.Fatalf("got %+v", req)
	}
	if js := treeJSON(t, "18 00 01 01 fdffffff 01", nil, true); !strings.Contains(js, `"BOOKMARK_CURRENT"`) {
		t.Fatalf("json %s", js)
	}
	r := checkResponse(t, "18 01 00000000"+ // RopId, InputHandleIndex, ReturnValue
		"01"+ // HasSoughtLess
		"feffffff", // RowsSought: -2
		nil).(*SeekRowResponse)
	if !r.HasSoughtLess || r.RowsSought != -2 {
		t.Fatalf("got %+v", r)
	}
}

func TestSeekRowBookmark(t *testing.T) {
	req := checkRequest(t, "19 00 01"+ // RopId, LogonId, InputHandleIndex
		"0400"+ // BookmarkSize
		"01020304"+ // Bookmark
		"05000000"+ // RowCount
		"01", // WantRowMovedCount
		nil).(*SeekRowBookmarkRequest)
	if string(req.Bookmark) != "\x01\x02\x03\x04" || req.RowCount != 5 {
		t.Fatalf("got %+v", req)
	}
	r := checkResponse(t, "19 01 00000000"+ // RopId, InputHandleIndex, ReturnValue
		"01"+ // RowNoLongerVisible
		"00"+ // HasSoughtLess
		"05000000", // RowsSought
		nil).(*SeekRowBookmarkResponse)
	if !r.RowNoLongerVisible || r.HasSoughtLess || r.RowsSought != 5 {
		t.Fatalf("got %+v", r)
	}
	// BookmarkSize beyond the buffer.
	decodeFails(t, "19 00 01 0800 01020304", nil, true)
	// Failure (ecInvalidBookmark): header only.
	f := checkResponse(t, "19 01 05040480", nil).(*SeekRowBookmarkResponse)
	if f.ReturnValue != 0x80040405 {
		t.Fatalf("got %+v", f)
	}
}

func TestSeekRowFractional(t *testing.T) {
	req := checkRequest(t, "1a 00 01"+ // RopId, LogonId, InputHandleIndex
		"01000000"+ // Numerator
		"02000000", // Denominator
		nil).(*SeekRowFractionalRequest)
	if req.Numerator != 1 || req.Denominator != 2 {
		t.Fatalf("got %+v", req)
	}
	checkResponse(t, "1a 01 00000000", nil) // RopId, InputHandleIndex, ReturnValue
}

func TestCreateBookmark(t *testing.T) {
	checkRequest(t, "1b 00 01", nil)        // RopId, LogonId, InputHandleIndex
	r := checkResponse(t, "1b 01 00000000"+ // RopId, InputHandleIndex, ReturnValue
		"0400"+ // BookmarkSize
		"0a0b0c0d", // Bookmark
		nil).(*CreateBookmarkResponse)
	if string(r.Bookmark) != "\x0a\x0b\x0c\x0d" {
		t.Fatalf("got %+v", r)
	}
	f := checkResponse(t, "1b 01 0f010480", nil).(*CreateBookmarkResponse)
	if f.ReturnValue != 0x8004010F || f.Bookmark != nil {
		t.Fatalf("got %+v", f)
	}
	decodeFails(t, "1b 01 00000000 0400 0a0b", nil, false)
}

func TestQueryColumnsAll(t *testing.T) {
	checkRequest(t, "37 00 01", nil)        // RopId, LogonId, InputHandleIndex
	r := checkResponse(t, "37 01 00000000"+ // RopId, InputHandleIndex, ReturnValue
		"0200"+ // PropertyTagCount
		"1f003700 0300080e", // PropertyTags: PidTagSubject, PidTagMessageSize
		nil).(*QueryColumnsAllResponse)
	if len(r.PropertyTags) != 2 || r.PropertyTags[0] != 0x0037001F || r.PropertyTags[1] != 0x0E080003 {
		t.Fatalf("got %+v", r)
	}
	decodeFails(t, "37 01 00000000 0300 1f003700 0300080e", nil, false)
}

func TestAbort(t *testing.T) {
	checkRequest(t, "38 00 01", nil)        // RopId, LogonId, InputHandleIndex
	r := checkResponse(t, "38 01 00000000"+ // RopId, InputHandleIndex, ReturnValue
		"00", // TableStatus
		nil).(*AbortResponse)
	if r.TableStatus != TblStatComplete {
		t.Fatalf("got %+v", r)
	}
}

func TestFindRow(t *testing.T) {
	req := checkRequest(t, "4f 00 01"+ // RopId, LogonId, InputHandleIndex
		"01"+ // FindRowFlags: backwards
		"0500"+ // RestrictionDataSize
		"08 1f003700"+ // RestrictionData: ExistRestriction PidTagSubject
		"02"+ // Origin: BOOKMARK_END
		"0000", // BookmarkSize (no Bookmark)
		nil).(*FindRowRequest)
	if req.FindRowFlags != 1 || req.Restriction.RestrictType != prop.RestrictExist || req.Origin != BookmarkEnd || len(req.Bookmark) != 0 {
		t.Fatalf("got %+v", req)
	}
	req = checkRequest(t, "4f 00 01 00 0500 08 1f003700 00"+
		"0200"+ // BookmarkSize
		"0102", // Bookmark
		nil).(*FindRowRequest)
	if string(req.Bookmark) != "\x01\x02" {
		t.Fatalf("got %+v", req)
	}

	resp := "4f 01 00000000" + // RopId, InputHandleIndex, ReturnValue
		"00" + // RowNoLongerVisible
		"01" + // HasRowData
		"00 480069000000" // RowData: StandardPropertyRow, PidTagSubject "Hi"
	decodeFails(t, resp, nil, false) // needs the columns
	ctx := &Ctx{HasColumns: true, Columns: []prop.Tag{0x0037001F}}
	r := checkResponse(t, resp, ctx).(*FindRowResponse)
	if !r.HasRowData || r.RowData.Values[0].(string) != "Hi" {
		t.Fatalf("got %+v", r)
	}
	// No row found: decodes without columns.
	r = checkResponse(t, "4f 01 00000000 01 00", nil).(*FindRowResponse)
	if r.HasRowData || !r.RowNoLongerVisible {
		t.Fatalf("got %+v", r)
	}
	decodeFails(t, "4f 01 00000000 00 01 00 4800", ctx, false)
}

func TestFreeBookmark(t *testing.T) {
	req := checkRequest(t, "89 00 01"+ // RopId, LogonId, InputHandleIndex
		"0400"+ // BookmarkSize
		"01020304", // Bookmark
		nil).(*FreeBookmarkRequest)
	if len(req.Bookmark) != 4 {
		t.Fatalf("got %+v", req)
	}
	checkResponse(t, "89 01 00000000", nil) // RopId, InputHandleIndex, ReturnValue
}

func TestResetTable(t *testing.T) {
	checkRequest(t, "81 00 01", nil)        // RopId, LogonId, InputHandleIndex
	checkResponse(t, "81 01 00000000", nil) // RopId, InputHandleIndex, ReturnValue
}

func TestExpandRow(t *testing.T) {
	req := checkRequest(t, "59 00 01"+ // RopId, LogonId, InputHandleIndex
		"0a00"+ // MaxRowCount
		"0100000000000002", // CategoryId
		nil).(*ExpandRowRequest)
	if req.MaxRowCount != 10 || req.CategoryId != 0x0200000000000001 {
		t.Fatalf("got %+v", req)
	}
	resp := "59 01 00000000" + // RopId, InputHandleIndex, ReturnValue
		"03000000" + // ExpandedRowCount
		"0200" + // RowCount
		"00 2a000000" + // RowData[0]: standard row, PidTagMessageSize 42
		"01 00 2b000000" // RowData[1]: flagged row, value 43
	decodeFails(t, resp, nil, false)
	ctx := &Ctx{HasColumns: true, Columns: []prop.Tag{0x0E080003}}
	r := checkResponse(t, resp, ctx).(*ExpandRowResponse)
	if r.ExpandedRowCount != 3 || len(r.RowData) != 2 || r.RowData[0].Values[0].(int32) != 42 ||
		r.RowData[1].Values[0].(prop.FlaggedValue).Value.(int32) != 43 {
		t.Fatalf("got %+v", r)
	}
	// No rows: no columns needed.
	checkResponse(t, "59 01 00000000 00000000 0000", nil)
	decodeFails(t, "59 01 00000000 03000000 0200 00 2a000000", ctx, false)
}

func TestCollapseRow(t *testing.T) {
	req := checkRequest(t, "5a 00 01"+ // RopId, LogonId, InputHandleIndex
		"0100000000000002", // CategoryId
		nil).(*CollapseRowRequest)
	if req.CategoryId != 0x0200000000000001 {
		t.Fatalf("got %+v", req)
	}
	r := checkResponse(t, "5a 01 00000000"+ // RopId, InputHandleIndex, ReturnValue
		"07000000", // CollapsedRowCount
		nil).(*CollapseRowResponse)
	if r.CollapsedRowCount != 7 {
		t.Fatalf("got %+v", r)
	}
}

func TestGetCollapseState(t *testing.T) {
	req := checkRequest(t, "6b 00 01"+ // RopId, LogonId, InputHandleIndex
		"0100000000000005"+ // RowId
		"02000000", // RowInstanceNumber
		nil).(*GetCollapseStateRequest)
	if req.RowId != 0x0500000000000001 || req.RowInstanceNumber != 2 {
		t.Fatalf("got %+v", req)
	}
	r := checkResponse(t, "6b 01 00000000"+ // RopId, InputHandleIndex, ReturnValue
		"0300"+ // CollapseStateSize
		"aabbcc", // CollapseState
		nil).(*GetCollapseStateResponse)
	if string(r.CollapseState) != "\xaa\xbb\xcc" {
		t.Fatalf("got %+v", r)
	}
}

func TestSetCollapseState(t *testing.T) {
	req := checkRequest(t, "6c 00 01"+ // RopId, LogonId, InputHandleIndex
		"0300"+ // CollapseStateSize
		"aabbcc", // CollapseState
		nil).(*SetCollapseStateRequest)
	if len(req.CollapseState) != 3 {
		t.Fatalf("got %+v", req)
	}
	r := checkResponse(t, "6c 01 00000000"+ // RopId, InputHandleIndex, ReturnValue
		"0200"+ // BookmarkSize
		"0102", // Bookmark
		nil).(*SetCollapseStateResponse)
	if string(r.Bookmark) != "\x01\x02" {
		t.Fatalf("got %+v", r)
	}
	decodeFails(t, "6c 00 01 0300 aabb", nil, true)
}

// Encoding rows without the column set is refused rather than written
// short.
func TestQueryRowsEncodeNeedsColumns(t *testing.T) {
	r := &QueryRowsResponse{RowData: []prop.Row{{Values: []any{int32(1)}}}}
	if _, err := Encode(nil, r, &Ctx{}); err == nil {
		t.Fatal("encoded rows without columns")
	}
	b, err := Encode(nil, r, &Ctx{HasColumns: true, Columns: []prop.Tag{0x0E080003}})
	if err != nil || len(b) != 1+1+4+1+2+1+4 {
		t.Fatalf("encode: %x %v", b, err)
	}
	// Zero rows decode without a context at all.
	checkResponse(t, "15 01 00000000 00 0000", nil)
}

// FuzzTableRuleRops decodes arbitrary bytes as one request and as one
// response, seeded with the table, permission and rule ROPs of these
// tests. It must never panic; bytes that decode with no anomaly must
// encode back to themselves.
func FuzzTableRuleRops(f *testing.F) {
	for _, s := range []string{
		"130000000200010001001f300880004000060e01",
		"14000101 1000 0404 1f003700 1f003700 480069000000",
		"4f000101 0500 08 1f003700 02 0000",
		"4f01 00000000 00 01 00 480069000000",
		"5901 00000000 03000000 0200 00 2a000000 01 00 2b000000",
		"1901 00000000 01 00 05000000",
		modifyPermissionsReq,
		modifyRulesAddReq,
		"570001 0300 aabbcc 0200 ddee",
	} {
		b, err := hex.DecodeString(strings.Join(strings.Fields(s), ""))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, request := range []bool{true, false} {
			ctx := &Ctx{HasColumns: true, Columns: []prop.Tag{0x0037001F, 0x0E080003}}
			c := wire.NewDecoder(b, false, "")
			var r interface{ Codec(*wire.Codec, *Ctx) }
			if request {
				q, err := DecodeRequest(c, ctx)
				if err != nil {
					continue
				}
				r = q
			} else {
				p, err := DecodeResponse(c, ctx)
				if err != nil {
					continue
				}
				r = p
			}
			if len(c.Anomalies()) > 0 {
				continue
			}
			n := len(b) - c.Remaining()
			enc, err := Encode(nil, r, ctx)
			if err != nil || !bytes.Equal(enc, b[:n]) {
				t.Fatalf("round trip (request=%v): %v\n got %x\nwant %x", request, err, enc, b[:n])
			}
		}
	})
}

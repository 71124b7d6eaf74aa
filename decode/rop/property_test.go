package rop

import (
	"strings"
	"testing"

	"github.com/mapiscope/mapiscope/decode/prop"
	"github.com/mapiscope/mapiscope/decode/wire"
)

// prptNode decodes one ROP with spans and returns the node at a dotted
// path under the root (array elements are [i]).
func prptNode(t *testing.T, hexs string, ctx *Ctx, request bool, path string) *wire.Node {
	t.Helper()
	c := wire.NewDecoder(unhex(t, hexs), true, "rop")
	if ctx == nil {
		ctx = &Ctx{}
	}
	if request {
		DecodeRequest(c, ctx)
	} else {
		DecodeResponse(c, ctx)
	}
	var found *wire.Node
	c.Tree().Walk(func(p string, nd *wire.Node) {
		if p == path && found == nil {
			found = nd
		}
	})
	if found == nil {
		t.Fatalf("no node %s in\n%s", path, c.Tree().Text())
	}
	return found
}

// GUIDs in wire order.
const (
	prptHexPublicStrings = "2903020000000000c000000000000046" // {00020329-0000-0000-C000-000000000046}
	prptHexCommon        = "0820060000000000c000000000000046" // {00062008-0000-0000-C000-000000000046}
	prptHexPSMAPI        = "2803020000000000c000000000000046" // {00020328-0000-0000-C000-000000000046}
)

// The request of [MS-OXCPRPT] 4.1: two string-named properties TestProp1
// and TestProp2 in PS_PUBLIC_STRINGS, to be created if missing.
const prptGetIdsReq = "" +
	"56" + /*RopId*/ "00" + /*LogonId*/ "00" + /*InputHandleIndex*/
	"02" + /*Flags: Create*/
	"0200" + /*PropertyNameCount: 2*/
	"01" + /*Kind: Name*/ prptHexPublicStrings + /*GUID*/ "14" + /*NameSize: 20*/
	"5400650073007400500072006f00700031000000" + /*Name: "TestProp1"*/
	"01" + /*Kind: Name*/ prptHexPublicStrings + /*GUID*/ "14" + /*NameSize: 20*/
	"5400650073007400500072006f00700032000000" /*Name: "TestProp2"*/

func TestGetPropertyIdsFromNames(t *testing.T) {
	req := checkRequest(t, prptGetIdsReq, nil).(*GetPropertyIdsFromNamesRequest)
	if req.Flags != 0x02 || len(req.PropertyNames) != 2 || req.PropertyNames[1].Name != "TestProp2" ||
		req.PropertyNames[0].Kind != prop.KindName || req.PropertyNames[0].SetName() != "PS_PUBLIC_STRINGS" {
		t.Fatalf("got %+v", req)
	}
	if nd := prptNode(t, prptGetIdsReq, nil, true, "RopGetPropertyIdsFromNames.Flags"); nd.Sym != "Create" {
		t.Fatalf("Flags name %q", nd.Sym)
	}

	// Shared vector oxcprpt-4.1.2-getpropertyidsfromnames-resp.
	const resp = "56" + /*RopId*/ "00" + /*InputHandleIndex*/ "00000000" + /*ReturnValue*/
		"0200" + /*PropertyIdCount*/ "3e86" + "3f86" /*PropertyIds: 0x863E, 0x863F*/
	r := checkResponse(t, resp, &Ctx{Request: req}).(*GetPropertyIdsFromNamesResponse)
	if len(r.PropertyIds) != 2 || r.PropertyIds[0] != 0x863E || r.PropertyIds[1] != 0x863F {
		t.Fatalf("got %+v", r.PropertyIds)
	}
	// Also without the request.
	checkResponse(t, resp, nil)
	// Each ID is named after the requested name.
	nd := prptNode(t, resp, &Ctx{Request: req}, false, "RopGetPropertyIdsFromNames.PropertyIds.[1]")
	if nd.Sym != `PS_PUBLIC_STRINGS:"TestProp2"` {
		t.Fatalf("PropertyIds[1] name %q", nd.Sym)
	}

	// ecWarnWithErrors keeps the success layout: the unmapped name has ID 0.
	w := checkResponse(t, "56 00 80030400 0200 3e86 0000", &Ctx{Request: req}).(*GetPropertyIdsFromNamesResponse)
	if w.ReturnValue != 0x00040380 || len(w.PropertyIds) != 2 || w.PropertyIds[1] != 0 {
		t.Fatalf("got %+v", w)
	}
	// Any other failure is the header alone.
	f := checkResponse(t, "56 00 0f010480", nil).(*GetPropertyIdsFromNamesResponse)
	if f.ReturnValue != 0x8004010F || f.PropertyIds != nil {
		t.Fatalf("got %+v", f)
	}
	// A count that disagrees with the request is noted.
	decodeFails(t, "56 00 00000000 0100 3e86", &Ctx{Request: req}, false)
	// Truncated inside the second PropertyName.
	decodeFails(t, prptGetIdsReq[:len(prptGetIdsReq)-10], nil, true)
}

// A LID name and the all-names query (PropertyNameCount 0).
func TestGetPropertyIdsFromNamesLID(t *testing.T) {
	req := checkRequest(t, "56 00 01"+ /*RopId, LogonId, InputHandleIndex*/
		"00"+ /*Flags*/ "0100"+ /*PropertyNameCount*/
		"00"+ /*Kind: LID*/ prptHexCommon+ /*GUID*/ "03850000", /*LID: 0x8503*/ nil).(*GetPropertyIdsFromNamesRequest)
	if req.PropertyNames[0].LID != 0x8503 || req.PropertyNames[0].Canonical() != "PidLidReminderSet" {
		t.Fatalf("got %+v", req.PropertyNames)
	}
	nd := prptNode(t, "56 00 01 00 0100 00"+prptHexCommon+"03850000", nil, true, "RopGetPropertyIdsFromNames.PropertyNames.[0]")
	if nd.Sym != "PidLidReminderSet" {
		t.Fatalf("PropertyName node name %q", nd.Sym)
	}
	all := checkRequest(t, "56 00 01 00 0000", nil).(*GetPropertyIdsFromNamesRequest)
	if len(all.PropertyNames) != 0 {
		t.Fatalf("got %+v", all)
	}
}

func TestGetNamesFromPropertyIds(t *testing.T) {
	const reqHex = "55" + /*RopId*/ "00" + /*LogonId*/ "01" + /*InputHandleIndex*/
		"0300" + /*PropertyIdCount*/ "0385" + "3700" + "0090" /*PropertyIds: 0x8503, 0x0037, 0x9000*/
	req := checkRequest(t, reqHex, nil).(*GetNamesFromPropertyIdsRequest)
	if len(req.PropertyIds) != 3 || req.PropertyIds[1] != 0x0037 {
		t.Fatalf("got %+v", req)
	}
	if nd := prptNode(t, reqHex, nil, true, "RopGetNamesFromPropertyIds.PropertyIds.[1]"); nd.Sym != "PidTagSubject" {
		t.Fatalf("PropertyIds[1] name %q", nd.Sym)
	}
	// 0x8503 is a LID name; 0x0037 comes back in PS_MAPI; 0x9000 has no
	// name (Kind 0xFF), so the server warns with ecWarnWithErrors.
	const resp = "55" + /*RopId*/ "01" + /*InputHandleIndex*/ "80030400" + /*ReturnValue: ecWarnWithErrors*/
		"0300" + /*PropertyNameCount*/
		"00" + prptHexCommon + "03850000" + /*Kind LID, PSETID_Common, 0x8503*/
		"00" + prptHexPSMAPI + "37000000" + /*Kind LID, PS_MAPI, 0x0037*/
		"ff" + "00000000000000000000000000000000" /*Kind None, GUID*/
	r := checkResponse(t, resp, &Ctx{Request: req}).(*GetNamesFromPropertyIdsResponse)
	if len(r.PropertyNames) != 3 || r.PropertyNames[0].Canonical() != "PidLidReminderSet" ||
		r.PropertyNames[1].Canonical() != "PidTagSubject" || r.PropertyNames[2].Kind != prop.KindNone {
		t.Fatalf("got %+v", r.PropertyNames)
	}
	ok := checkResponse(t, "55 01 00000000 0100 01"+prptHexPublicStrings+"12 4b006500790077006f007200640073000000", nil).(*GetNamesFromPropertyIdsResponse)
	if ok.PropertyNames[0].Name != "Keywords" {
		t.Fatalf("got %+v", ok.PropertyNames)
	}
	checkResponse(t, "55 01 0f010480", nil)
	decodeFails(t, "55 01 00000000 0200 00"+prptHexCommon+"03850000", nil, false) // one name missing
	decodeFails(t, resp, &Ctx{Request: &GetNamesFromPropertyIdsRequest{PropertyIds: []uint16{1}}}, false)
}

// [MS-OXCPRPT] 4.3.1 request; the response is composed from the field
// table: a flagged row with TestProp1 (PtypBoolean) TRUE, TestProp2
// (PtypInteger32) 42 and PidTagChangeKey as ecNotFound.
func TestGetPropertiesSpecificExample(t *testing.T) {
	const reqHex = "07" + /*RopId*/ "00" + /*LogonId*/ "00" + /*InputHandleIndex*/
		"0000" + /*PropertySizeLimit*/ "0100" + /*WantUnicode*/ "0300" + /*PropertyTagCount*/
		"0b003e86" + "03003f86" + "0201e265" /*PropertyTags*/
	req := checkRequest(t, reqHex, nil).(*GetPropertiesSpecificRequest)
	if req.WantUnicode != 1 || len(req.PropertyTags) != 3 || req.PropertyTags[2] != 0x65E20102 {
		t.Fatalf("got %+v", req)
	}
	const resp = "07" + /*RopId*/ "00" + /*InputHandleIndex*/ "00000000" + /*ReturnValue*/
		"01" + /*Flag: flagged row*/
		"00" + "01" + /*TestProp1: value TRUE*/
		"00" + "2a000000" + /*TestProp2: value 42*/
		"0a" + "0f010480" /*PidTagChangeKey: error ecNotFound*/
	r := checkResponse(t, resp, &Ctx{Request: req}).(*GetPropertiesSpecificResponse)
	if v := r.RowData.Values[0].(prop.FlaggedValue); v.Value != true {
		t.Fatalf("TestProp1 %+v", v)
	}
	if v := r.RowData.Values[2].(prop.FlaggedValue); v.Flag != prop.FlagError || v.Value != prop.ErrorCode(0x8004010F) {
		t.Fatalf("ChangeKey %+v", v)
	}
	checkResponse(t, "07 00 0f010480", &Ctx{Request: req})
	decodeFails(t, resp, nil, false) // no request: the tags are unknown
	decodeFails(t, resp, &Ctx{Request: &ProgressRequest{}}, false)
	decodeFails(t, resp[:len(resp)-4], &Ctx{Request: req}, false)
}

func TestGetPropertiesAll(t *testing.T) {
	req := checkRequest(t, "08"+ /*RopId*/ "00"+ /*LogonId*/ "02"+ /*InputHandleIndex*/
		"0010"+ /*PropertySizeLimit: 0x1000*/ "0100", /*WantUnicode*/ nil).(*GetPropertiesAllRequest)
	if req.PropertySizeLimit != 0x1000 || req.WantUnicode != 1 || req.InputHandleIndex != 2 {
		t.Fatalf("got %+v", req)
	}
	const resp = "08" + /*RopId*/ "02" + /*InputHandleIndex*/ "00000000" + /*ReturnValue*/
		"0300" + /*PropertyValueCount*/
		"1f003700" + "480069000000" + /*PidTagSubject "Hi"*/
		"03001700" + "01000000" + /*PidTagImportance 1*/
		"0a000010" + "0e000780" /*PidTagBody as PtypErrorCode NotEnoughMemory*/
	r := checkResponse(t, resp, nil).(*GetPropertiesAllResponse)
	if len(r.PropertyValues) != 3 || r.PropertyValues[0].Value != "Hi" || r.PropertyValues[1].Value != int32(1) ||
		r.PropertyValues[2].Value != prop.ErrorCode(0x8007000E) {
		t.Fatalf("got %+v", r.PropertyValues)
	}
	f := checkResponse(t, "08 02 0e000780", nil).(*GetPropertiesAllResponse)
	if f.ReturnValue != 0x8007000E || f.PropertyValues != nil {
		t.Fatalf("got %+v", f)
	}
	decodeFails(t, resp[:len(resp)-2], nil, false)
	decodeFails(t, "08 02 00000000 0100 1f003700 4800", nil, false) // string without NUL
}

func TestGetPropertiesList(t *testing.T) {
	checkRequest(t, "09"+ /*RopId*/ "00"+ /*LogonId*/ "00" /*InputHandleIndex*/, nil)
	r := checkResponse(t, "09"+ /*RopId*/ "00"+ /*InputHandleIndex*/ "00000000"+ /*ReturnValue*/
		"0200"+ /*PropertyTagCount*/ "1f003700"+"03001700", /*PropertyTags*/ nil).(*GetPropertiesListResponse)
	if len(r.PropertyTags) != 2 || r.PropertyTags[0] != 0x0037001F || r.PropertyTags[1].Name() != "PidTagImportance" {
		t.Fatalf("got %+v", r)
	}
	checkResponse(t, "09 00 05400780", nil)
	decodeFails(t, "09 00 00000000 0300 1f003700", nil, false)
}

// Shared vector oxcprpt-4.2.1-setproperties-req.
const prptSetPropsReq = "0a" + /*RopId*/ "00" + /*LogonId*/ "00" + /*InputHandleIndex*/
	"2400" + /*PropertyValueSize: 36*/ "0200" + /*PropertyValueCount*/
	"1f003d00" + "0000" + /*PidTagSubjectPrefix ""*/
	"1f001d0e" + "480065006c006c006f00200057006f0072006c0064000000" /*PidTagNormalizedSubject "Hello World"*/

func TestSetProperties(t *testing.T) {
	r := checkRequest(t, prptSetPropsReq, nil).(*SetPropertiesRequest)
	if len(r.PropertyValues) != 2 || r.PropertyValues[0].Tag != 0x003D001F || r.PropertyValues[0].Value != "" ||
		r.PropertyValues[1].Tag != 0x0E1D001F || r.PropertyValues[1].Value != "Hello World" {
		t.Fatalf("got %+v", r.PropertyValues)
	}
	if nd := prptNode(t, prptSetPropsReq, nil, true, "RopSetProperties.PropertyValueSize"); nd.Value != uint64(0x24) {
		t.Fatalf("PropertyValueSize %v", nd.Value)
	}
	if nd := prptNode(t, prptSetPropsReq, nil, true, "RopSetProperties.PropertyValues.[1].PropertyTag"); nd.Sym != "PidTagNormalizedSubject:PtypString" {
		t.Fatalf("tag name %q", nd.Sym)
	}
	// Encoding computes PropertyValueSize.
	b, err := Encode(nil, &SetPropertiesRequest{PropertyValues: r.PropertyValues}, nil)
	if err != nil || string(b) != string(unhex(t, prptSetPropsReq)) {
		t.Fatalf("encode %x %v", b, err)
	}

	ok := checkResponse(t, "0a"+ /*RopId*/ "00"+ /*InputHandleIndex*/ "00000000"+ /*ReturnValue*/ "0000" /*PropertyProblemCount*/, nil).(*SetPropertiesResponse)
	if len(ok.PropertyProblems) != 0 {
		t.Fatalf("got %+v", ok)
	}
	p := checkResponse(t, "0a 00 00000000"+"0100"+ /*PropertyProblemCount*/
		"0100"+ /*Index*/ "1f001d0e"+ /*PropertyTag*/ "05000780", /*ErrorCode: 0x80070005*/ nil).(*SetPropertiesResponse)
	if len(p.PropertyProblems) != 1 || p.PropertyProblems[0].Index != 1 || p.PropertyProblems[0].PropertyTag != 0x0E1D001F ||
		p.PropertyProblems[0].ErrorCode != 0x80070005 {
		t.Fatalf("got %+v", p.PropertyProblems)
	}
	checkResponse(t, "0a 00 05000780", nil)

	// PropertyValueSize beyond the buffer, and bytes left inside it.
	decodeFails(t, "0a 00 00 2500"+prptSetPropsReq[10:], nil, true)
	decodeFails(t, "0a 00 00 0800 0100 03001700 01000000", nil, true)      // the value overruns the 8 declared bytes
	decodeFails(t, "0a 00 00 0c00 0100 03001700 01000000 0000", nil, true) // 2 bytes left unread inside
}

func TestSetPropertiesNoReplicate(t *testing.T) {
	r := checkRequest(t, "79"+ /*RopId*/ "00"+ /*LogonId*/ "01"+ /*InputHandleIndex*/
		"0a00"+ /*PropertyValueSize: 10*/ "0100"+ /*PropertyValueCount*/
		"03001700"+"02000000", /*PidTagImportance 2*/ nil).(*SetPropertiesNoReplicateRequest)
	if len(r.PropertyValues) != 1 || r.PropertyValues[0].Value != int32(2) {
		t.Fatalf("got %+v", r)
	}
	p := checkResponse(t, "79 01 00000000 0100 0000 03001700 0f010480", nil).(*SetPropertiesNoReplicateResponse)
	if len(p.PropertyProblems) != 1 || p.PropertyProblems[0].ErrorCode != 0x8004010F {
		t.Fatalf("got %+v", p)
	}
	checkResponse(t, "79 01 0f010480", nil)
}

func TestDeleteProperties(t *testing.T) {
	r := checkRequest(t, "0b"+ /*RopId*/ "00"+ /*LogonId*/ "01"+ /*InputHandleIndex*/
		"0200"+ /*PropertyTagCount*/ "1f003700"+"03001700", /*PropertyTags*/ nil).(*DeletePropertiesRequest)
	if len(r.PropertyTags) != 2 || r.PropertyTags[1] != 0x00170003 {
		t.Fatalf("got %+v", r)
	}
	p := checkResponse(t, "0b"+ /*RopId*/ "01"+ /*InputHandleIndex*/ "00000000"+ /*ReturnValue*/
		"0100"+ /*PropertyProblemCount*/ "0000"+"1f003700"+"05000780", /*PropertyProblem*/ nil).(*DeletePropertiesResponse)
	if len(p.PropertyProblems) != 1 || p.PropertyProblems[0].PropertyTag != 0x0037001F {
		t.Fatalf("got %+v", p)
	}
	checkResponse(t, "0b 01 05000780", nil)
	decodeFails(t, "0b 01 00000000 0100 0000 1f00", nil, false)
}

func TestDeletePropertiesNoReplicate(t *testing.T) {
	r := checkRequest(t, "7a 00 01 0100 1f003700", nil).(*DeletePropertiesNoReplicateRequest)
	if len(r.PropertyTags) != 1 {
		t.Fatalf("got %+v", r)
	}
	p := checkResponse(t, "7a 01 00000000 0000", nil).(*DeletePropertiesNoReplicateResponse)
	if p.ReturnValue != 0 || len(p.PropertyProblems) != 0 {
		t.Fatalf("got %+v", p)
	}
	checkResponse(t, "7a 01 0f010480", nil)
}

func TestQueryNamedProperties(t *testing.T) {
	const reqHex = "5f" + /*RopId*/ "00" + /*LogonId*/ "01" + /*InputHandleIndex*/
		"02" + /*QueryFlags: NoIds*/ "01" + /*HasGuid*/ prptHexPublicStrings /*PropertyGuid*/
	r := checkRequest(t, reqHex, nil).(*QueryNamedPropertiesRequest)
	if r.QueryFlags != 0x02 || !r.HasGuid || r.PropertyGuid.String() != "00020329-0000-0000-c000-000000000046" {
		t.Fatalf("got %+v", r)
	}
	if nd := prptNode(t, reqHex, nil, true, "RopQueryNamedProperties.PropertyGuid"); nd.Sym != "PS_PUBLIC_STRINGS" {
		t.Fatalf("PropertyGuid name %q", nd.Sym)
	}
	if nd := prptNode(t, reqHex, nil, true, "RopQueryNamedProperties.QueryFlags"); nd.Sym != "NoIds" {
		t.Fatalf("QueryFlags name %q", nd.Sym)
	}
	noGuid := checkRequest(t, "5f 00 01 00 00", nil).(*QueryNamedPropertiesRequest)
	if noGuid.HasGuid {
		t.Fatalf("got %+v", noGuid)
	}

	const resp = "5f" + /*RopId*/ "01" + /*InputHandleIndex*/ "00000000" + /*ReturnValue*/
		"0200" + /*IdCount*/ "0080" + "0180" + /*PropertyIds: 0x8000, 0x8001*/
		"01" + prptHexPublicStrings + "12" + "4b006500790077006f007200640073000000" + /*"Keywords"*/
		"00" + prptHexCommon + "03850000" /*LID 0x8503*/
	q := checkResponse(t, resp, nil).(*QueryNamedPropertiesResponse)
	if len(q.PropertyIds) != 2 || q.PropertyIds[1] != 0x8001 || q.PropertyNames[0].Name != "Keywords" || q.PropertyNames[1].LID != 0x8503 {
		t.Fatalf("got %+v", q)
	}
	if nd := prptNode(t, resp, nil, false, "RopQueryNamedProperties.PropertyIds.[1]"); nd.Sym != "PidLidReminderSet" {
		t.Fatalf("PropertyIds[1] name %q", nd.Sym)
	}
	checkResponse(t, "5f 01 0f010480", nil)
	decodeFails(t, resp[:len(resp)-8], nil, false)
	decodeFails(t, "5f 00 01 00 01 2903", nil, true) // PropertyGuid truncated
	// Encoding needs as many names as IDs.
	if _, err := Encode(nil, &QueryNamedPropertiesResponse{PropertyIds: []uint16{1}}, nil); err == nil {
		t.Fatalf("encoded 1 ID with 0 names")
	}
}

func TestCopyProperties(t *testing.T) {
	const reqHex = "67" + /*RopId*/ "00" + /*LogonId*/ "01" + /*SourceHandleIndex*/ "02" + /*DestHandleIndex*/
		"00" + /*WantAsynchronous*/ "01" + /*CopyFlags: Move*/
		"0100" + /*PropertyTagCount*/ "1f003700" /*PropertyTags*/
	r := checkRequest(t, reqHex, nil).(*CopyPropertiesRequest)
	if r.InputHandleIndex != 1 || r.DestHandleIndex != 2 || r.CopyFlags != 0x01 || len(r.PropertyTags) != 1 {
		t.Fatalf("got %+v", r)
	}
	if nd := prptNode(t, reqHex, nil, true, "RopCopyProperties.SourceHandleIndex"); nd.Value != uint64(1) {
		t.Fatalf("SourceHandleIndex %v", nd.Value)
	}
	if nd := prptNode(t, reqHex, nil, true, "RopCopyProperties.CopyFlags"); nd.Sym != "Move" {
		t.Fatalf("CopyFlags name %q", nd.Sym)
	}
	ok := checkResponse(t, "67"+ /*RopId*/ "01"+ /*SourceHandleIndex*/ "00000000"+ /*ReturnValue*/
		"0100"+ /*PropertyProblemCount*/ "0000"+"1f003700"+"05000780", /*PropertyProblem*/ &Ctx{Request: r}).(*CopyPropertiesResponse)
	if ok.HandleIndex != 1 || len(ok.PropertyProblems) != 1 {
		t.Fatalf("got %+v", ok)
	}
	// Null destination failure: DestHandleIndex, 4 bytes.
	nd := checkResponse(t, "67"+ /*RopId*/ "01"+ /*SourceHandleIndex*/ "03050000"+ /*ReturnValue: ecDstNullObject*/
		"02000000", /*DestHandleIndex*/ nil).(*CopyPropertiesResponse)
	if nd.ReturnValue != 0x503 || nd.DestHandleIndex != 2 || nd.PropertyProblems != nil {
		t.Fatalf("got %+v", nd)
	}
	if n := prptNode(t, "67 01 03050000 02000000", nil, false, "RopCopyProperties.DestHandleIndex"); n.Len != 4 {
		t.Fatalf("DestHandleIndex %+v", n)
	}
	// Any other failure: the header alone.
	f := checkResponse(t, "67 01 05000780", nil).(*CopyPropertiesResponse)
	if f.ReturnValue != 0x80070005 {
		t.Fatalf("got %+v", f)
	}
	decodeFails(t, "67 01 03050000 02", nil, false)
}

func TestCopyTo(t *testing.T) {
	const reqHex = "39" + /*RopId*/ "00" + /*LogonId*/ "00" + /*SourceHandleIndex*/ "01" + /*DestHandleIndex*/
		"00" + /*WantAsynchronous*/ "01" + /*WantSubObjects*/ "02" + /*CopyFlags: NoOverwrite*/
		"0200" + /*ExcludedTagCount*/ "1f003700" + "0300070e" /*ExcludedTags*/
	r := checkRequest(t, reqHex, nil).(*CopyToRequest)
	if r.DestHandleIndex != 1 || !r.WantSubObjects || r.WantAsynchronous || r.CopyFlags != 0x02 ||
		len(r.ExcludedTags) != 2 || r.ExcludedTags[1] != 0x0E070003 {
		t.Fatalf("got %+v", r)
	}
	if nd := prptNode(t, reqHex, nil, true, "RopCopyTo.ExcludedTags.[1]"); !strings.HasPrefix(nd.Sym, "PidTagMessageFlags") {
		t.Fatalf("ExcludedTags[1] name %q", nd.Sym)
	}
	ok := checkResponse(t, "39"+ /*RopId*/ "00"+ /*SourceHandleIndex*/ "00000000"+ /*ReturnValue*/
		"0000", /*PropertyProblemCount*/ &Ctx{Request: r}).(*CopyToResponse)
	if ok.ReturnValue != 0 || len(ok.PropertyProblems) != 0 {
		t.Fatalf("got %+v", ok)
	}
	nd := checkResponse(t, "39 00 03050000 01000000", nil).(*CopyToResponse)
	if nd.DestHandleIndex != 1 {
		t.Fatalf("got %+v", nd)
	}
	checkResponse(t, "39 00 0f010480", nil)
	decodeFails(t, "39 00 00 01 00 01 02 0200 1f003700", nil, true)
}

// [MS-OXCPRPT] 4.5: RopProgress while a RopEmptyFolder runs asynchronously.
func TestProgress(t *testing.T) {
	r := checkRequest(t, "50"+ /*RopId*/ "00"+ /*LogonId*/ "00"+ /*InputHandleIndex*/ "00" /*WantCancel*/, nil).(*ProgressRequest)
	if r.WantCancel {
		t.Fatalf("got %+v", r)
	}
	p := checkResponse(t, "50"+ /*RopId*/ "00"+ /*InputHandleIndex*/ "00000000"+ /*ReturnValue*/
		"00"+ /*LogonId*/ "1d000000"+ /*CompletedTaskCount: 29*/ "d9020000", /*TotalTaskCount: 729*/ nil).(*ProgressResponse)
	if p.CompletedTaskCount != 29 || p.TotalTaskCount != 729 {
		t.Fatalf("got %+v", p)
	}
	p = checkResponse(t, "50 00 00000000 00 3b000000 d9020000", &Ctx{Request: r}).(*ProgressResponse)
	if p.CompletedTaskCount != 59 {
		t.Fatalf("got %+v", p)
	}
	checkRequest(t, "50 00 00 01", nil)
	checkResponse(t, "50 00 05000780", nil)
	decodeFails(t, "50 00 00000000 00 3b000000 d902", nil, false)
}

// Property ROPs inside whole buffers: the request pairs with its response
// so the IDs get their names.
func TestPropertyBuffer(t *testing.T) {
	reqBody := unhex(t, prptGetIdsReq+prptSetPropsReq)
	reqBuf := append([]byte{byte(len(reqBody) + 2), 0}, reqBody...)
	reqBuf = append(reqBuf, 0x10, 0, 0, 0)
	c := wire.NewDecoder(reqBuf, true, "req")
	var rb RequestBuffer
	CodecRequestBuffer(c, &rb, nil)
	if len(c.Anomalies()) != 0 || len(rb.Rops) != 2 {
		t.Fatalf("request buffer: %v %+v", c.Anomalies(), rb)
	}
	respBody := unhex(t, "56 00 00000000 0200 3e86 3f86"+"0a 00 00000000 0000")
	respBuf := append([]byte{byte(len(respBody) + 2), 0}, respBody...)
	respBuf = append(respBuf, 0x10, 0, 0, 0)
	c = wire.NewDecoder(respBuf, true, "resp")
	var sb ResponseBuffer
	CodecResponseBuffer(c, &sb, &rb, nil)
	if len(c.Anomalies()) != 0 || len(sb.Rops) != 2 || sb.Pair[1] != 1 {
		t.Fatalf("response buffer: %v %+v", c.Anomalies(), sb)
	}
	if !strings.Contains(string(c.Tree().JSON(wire.JSONOptions{})), `TestProp1`) {
		t.Fatalf("JSON lacks the property names:\n%s", c.Tree().JSON(wire.JSONOptions{}))
	}
}

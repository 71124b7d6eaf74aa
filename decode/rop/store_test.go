package rop

import (
	"strings"
	"testing"

	"github.com/mapiscope/mapiscope/decode/prop"
)

// Field values shared by the store tests.
const (
	tGUID = "00112233445566778899aabbccddeeff"
	// FolderId/MessageId 0001-000000000123: ReplicaId LE, GlobalCounter BE.
	tFID = "0100" + "000000000123"
	// LongTermID: DatabaseGuid, GlobalCounter 000000000123, Pad.
	tLTID = tGUID + "000000000123" + "0000"
)

func TestStoreRegistry(t *testing.T) {
	for _, want := range []struct {
		id      uint8
		section string
		context string
	}{
		{0xFE, "2.2.3.1", ""}, {0x27, "2.2.3.2", ""}, {0x26, "2.2.3.3", ""},
		{0x68, "2.2.3.4", ""}, {0x7B, "2.2.3.5", ""}, {0x42, "2.2.3.6", ""},
		{0x45, "2.2.3.7", ""}, {0x43, "2.2.3.8", ""}, {0x44, "2.2.3.9", ""},
		{0x60, "2.2.3.10", ""}, {0x61, "2.2.3.11", ""}, {0x63, "2.2.3.12", ""},
		{0x64, "2.2.3.13", "logon flags"},
	} {
		in, ok := Lookup(want.id)
		if !ok || in.Section != want.section || in.Request == nil || in.Response == nil ||
			in.Context != want.context || in.NotOnWire || in.ReqOnly || in.RespOnly {
			t.Errorf("0x%02X: got %+v", want.id, in)
		}
	}
	if in, ok := ByName("GetReceiveFolderTable"); !ok || in.ID != 0x68 {
		t.Fatalf("ByName: %+v", in)
	}
}

// [MS-OXCROPS] 2.2.3.1.1 with the public-folders flags of [MS-OXCSTOR]
// 2.2.1.1.1: no Essdn.
func TestLogonRequestPublic(t *testing.T) {
	req := checkRequest(t, "fe"+ /*LogonId*/ "00"+ /*OutputHandleIndex*/ "01"+
		/*LogonFlags*/ "00"+ /*OpenFlags PUBLIC|IGNORE_HOME_MDB*/ "02020000"+
		/*StoreState*/ "00000000"+ /*EssdnSize*/ "0000", nil).(*LogonRequest)
	if req.OutputHandleIndex != 1 || req.OpenFlags != 0x202 || req.HasEssdn || req.Essdn != "" {
		t.Fatalf("got %+v", req)
	}
	js := treeJSON(t, "fe0001000202000000000000000000", nil, true)
	if !strings.Contains(js, "PUBLIC|IGNORE_HOME_MDB") {
		t.Fatalf("OpenFlags not named: %s", js)
	}
}

// An Essdn that is just its terminating NUL (EssdnSize 1) round-trips.
func TestLogonRequestEmptyEssdn(t *testing.T) {
	req := checkRequest(t, "fe 00 00 01 0c040001 00000000 0100 00", nil).(*LogonRequest)
	if !req.HasEssdn || req.Essdn != "" {
		t.Fatalf("got %+v", req)
	}
	js := treeJSON(t, "fe 00 00 0f 00000000 00000000 0000", nil, true)
	if !strings.Contains(js, "Private|Undercover|Ghosted|SpoolerProcess") {
		t.Fatalf("LogonFlags not named: %s", js)
	}
	// EssdnSize runs past the buffer.
	decodeFails(t, "fe 00 00 01 00000000 00000000 0800 2f6f3d00", nil, true)
	// Essdn lacks its NUL within EssdnSize.
	decodeFails(t, "fe 00 00 01 00000000 00000000 0300 2f6f3d", nil, true)
}

const tFolderIds = "0100000000000001 0100000000000002 0100000000000003 0100000000000004 0100000000000005" +
	"0100000000000006 0100000000000007 0100000000000008 0100000000000009 010000000000000a" +
	"010000000000000b 010000000000000c 010000000000000d"

// [MS-OXCROPS] 2.2.3.1.2, with every private-only field checked.
func TestLogonResponsePrivateFields(t *testing.T) {
	req := &LogonRequest{LogonFlags: 0x01}
	resp := "fe" + /*OutputHandleIndex*/ "00" + /*ReturnValue*/ "00000000" + /*LogonFlags*/ "01" +
		/*FolderIds*/ tFolderIds +
		/*ResponseFlags Reserved|OwnerRight|SendAsRight*/ "07" + /*MailboxGuid*/ tGUID +
		/*ReplId*/ "0100" + /*ReplGuid*/ tGUID +
		/*LogonTime 10:20:30 Tuesday 14 Jan 2025*/ "1e140a020e01e907" +
		/*GwartTime*/ "0080e03e2ed9d401" + /*StoreState*/ "00000001"
	r := checkResponse(t, resp, &Ctx{Request: req}).(*LogonResponse)
	if !r.Private() || r.ResponseFlags != 0x07 || r.ReplId != 1 || r.StoreState != 0x01000000 {
		t.Fatalf("got %+v", r)
	}
	if lt := r.LogonTime; lt.Hour != 10 || lt.Minutes != 20 || lt.Seconds != 30 || lt.DayOfWeek != 2 || lt.Day != 14 || lt.Month != 1 || lt.Year != 2025 {
		t.Fatalf("LogonTime %+v", lt)
	}
	if r.FolderIds[12].GlobalCounter() != 13 || r.FolderIds[0].ReplicaId() != 1 {
		t.Fatalf("FolderIds %v", r.FolderIds)
	}
	js := treeJSON(t, resp, &Ctx{Request: req}, false)
	for _, s := range []string{"Inbox", "Shortcuts", "Tuesday", "January", "STORE_HAS_SEARCHES", "OwnerRight"} {
		if !strings.Contains(js, s) {
			t.Errorf("%q missing from %s", s, js)
		}
	}
	// Cut inside StoreState.
	decodeFails(t, resp[:len(resp)-2], &Ctx{Request: req}, false)
}

// [MS-OXCROPS] 2.2.3.1.3: public folders.
func TestLogonResponsePublic(t *testing.T) {
	req := checkRequest(t, "fe 00 01 00 02000000 00000000 0000", nil).(*LogonRequest)
	resp := "fe" + /*OutputHandleIndex*/ "01" + /*ReturnValue*/ "00000000" + /*LogonFlags*/ "00" +
		/*FolderIds*/ tFolderIds +
		/*ReplId*/ "0500" + /*ReplGuid*/ tGUID + /*PerUserGuid*/ "00000000000000000000000000000000"
	r := checkResponse(t, resp, &Ctx{Request: req}).(*LogonResponse)
	if r.Private() || r.ReplId != 5 || r.HandleIndex != 1 || r.FolderIds[1].GlobalCounter() != 2 {
		t.Fatalf("got %+v", r)
	}
	if r.ReplGuid.String() == "" || r.PerUserGuid != (prop.GUID{}) {
		t.Fatalf("GUIDs %v %v", r.ReplGuid, r.PerUserGuid)
	}
	js := treeJSON(t, resp, &Ctx{Request: req}, false)
	if !strings.Contains(js, "NntpArticleIndex") || strings.Contains(js, "Inbox") {
		t.Fatalf("public folder names: %s", js)
	}
	// The server must echo the Private bit of the request.
	decodeFails(t, resp, &Ctx{Request: &LogonRequest{LogonFlags: 0x01}}, false)
}

// [MS-OXCROPS] 2.2.3.1.4: redirect (ecWrongServer).
func TestLogonResponseRedirect(t *testing.T) {
	resp := "fe" + /*OutputHandleIndex*/ "00" + /*ReturnValue ecWrongServer*/ "78040000" +
		/*LogonFlags*/ "01" + /*ServerNameSize*/ "0c" + /*ServerName "srv.example"*/ "7372762e6578616d706c6500"
	r := checkResponse(t, resp, nil).(*LogonResponse)
	if r.ReturnValue != ecWrongServer || r.ServerName != "srv.example" || r.LogonFlags != 1 {
		t.Fatalf("got %+v", r)
	}
	// ServerName runs past the buffer.
	decodeFails(t, "fe 00 78040000 01 0c 73727600", nil, false)
	// ServerNameSize 0 breaks the rule that it counts the NUL.
	decodeFails(t, "fe 00 78040000 01 00", nil, false)
}

// [MS-OXCROPS] 2.2.3.1.5: any other failure is the header alone.
func TestLogonResponseFailure(t *testing.T) {
	r := checkResponse(t, "fe"+ /*OutputHandleIndex*/ "00"+ /*ReturnValue ecUnknownUser*/ "eb030000", nil).(*LogonResponse)
	if r.ReturnValue != 0x3EB || r.LogonFlags != 0 {
		t.Fatalf("got %+v", r)
	}
}

// [MS-OXCROPS] 2.2.3.2.
func TestGetReceiveFolder(t *testing.T) {
	req := checkRequest(t, "27"+ /*LogonId*/ "00"+ /*InputHandleIndex*/ "00"+
		/*MessageClass "IPM.Note"*/ "49504d2e4e6f746500", nil).(*GetReceiveFolderRequest)
	if req.MessageClass != "IPM.Note" {
		t.Fatalf("got %+v", req)
	}
	r := checkResponse(t, "27"+ /*InputHandleIndex*/ "00"+ /*ReturnValue*/ "00000000"+
		/*FolderId*/ tFID+ /*ExplicitMessageClass "IPM"*/ "49504d00", nil).(*GetReceiveFolderResponse)
	if r.FolderId.ReplicaId() != 1 || r.FolderId.GlobalCounter() != 0x123 || r.ExplicitMessageClass != "IPM" {
		t.Fatalf("got %+v", r)
	}
	// Failure: header alone.
	f := checkResponse(t, "27 00 0f010480", nil).(*GetReceiveFolderResponse)
	if f.ReturnValue != 0x8004010F {
		t.Fatalf("got %+v", f)
	}
	decodeFails(t, "27 00 00000000"+tFID+"49504d", nil, false)
	decodeFails(t, "27 00 00 49504d", nil, true)
}

// [MS-OXCROPS] 2.2.3.3.
func TestSetReceiveFolder(t *testing.T) {
	req := checkRequest(t, "26"+ /*LogonId*/ "00"+ /*InputHandleIndex*/ "00"+
		/*FolderId*/ tFID+ /*MessageClass "IPM.Note"*/ "49504d2e4e6f746500", nil).(*SetReceiveFolderRequest)
	if req.FolderId.GlobalCounter() != 0x123 || req.MessageClass != "IPM.Note" {
		t.Fatalf("got %+v", req)
	}
	r := checkResponse(t, "26"+ /*InputHandleIndex*/ "00"+ /*ReturnValue*/ "00000000", nil).(*SetReceiveFolderResponse)
	if r.ReturnValue != 0 {
		t.Fatalf("got %+v", r)
	}
}

// [MS-OXCROPS] 2.2.3.4 with the fixed columns of [MS-OXCSTOR] 2.2.1.4.2.
func TestGetReceiveFolderTable(t *testing.T) {
	req := checkRequest(t, "68"+ /*LogonId*/ "00"+ /*InputHandleIndex*/ "03", nil).(*GetReceiveFolderTableRequest)
	if req.InputHandleIndex != 3 {
		t.Fatalf("got %+v", req)
	}
	resp := "68" + /*InputHandleIndex*/ "03" + /*ReturnValue*/ "00000000" + /*RowCount*/ "02000000" +
		// StandardPropertyRow: FolderId, "IPM", LastModificationTime.
		"00" + tFID + "49504d00" + "0080e03e2ed9d401" +
		// FlaggedPropertyRow: FolderId, "IPM.Note", LastModificationTime not found.
		"01" + "00" + tFID + "00" + "49504d2e4e6f746500" + "01"
	r := checkResponse(t, resp, nil).(*GetReceiveFolderTableResponse)
	if len(r.Rows) != 2 || r.Rows[0].Flagged() || !r.Rows[1].Flagged() {
		t.Fatalf("got %+v", r.Rows)
	}
	e := r.Entries()
	if e[0].FolderId.GlobalCounter() != 0x123 || e[0].MessageClass != "IPM" || e[0].LastModificationTime != 0x01d4d92e3ee08000 {
		t.Fatalf("entry 0 %+v", e[0])
	}
	if e[1].FolderId.ReplicaId() != 1 || e[1].MessageClass != "IPM.Note" || e[1].LastModificationTime != 0 {
		t.Fatalf("entry 1 %+v", e[1])
	}
	js := treeJSON(t, resp, nil, false)
	for _, s := range []string{`"0001-000000000123"`, `"IPM.Note"`, `"not present"`} {
		if !strings.Contains(js, s) {
			t.Errorf("%s missing from %s", s, js)
		}
	}
	// Failure: header alone.
	checkResponse(t, "68 03 02010480", nil)
	// A RowCount the bytes cannot hold, and a row cut short.
	decodeFails(t, "68 03 00000000 ffffff7f", nil, false)
	decodeFails(t, resp[:len(resp)-4], nil, false)
}

// [MS-OXCROPS] 2.2.3.5.
func TestGetStoreState(t *testing.T) {
	checkRequest(t, "7b"+ /*LogonId*/ "00"+ /*InputHandleIndex*/ "00", nil)
	r := checkResponse(t, "7b"+ /*InputHandleIndex*/ "00"+ /*ReturnValue*/ "00000000"+
		/*StoreState STORE_HAS_SEARCHES*/ "00000001", nil).(*GetStoreStateResponse)
	if r.StoreState != 0x01000000 {
		t.Fatalf("got %+v", r)
	}
	// [MS-OXCSTOR] 3.2.5.5: servers mostly answer NotImplemented.
	f := checkResponse(t, "7b 00 ff0f0480", nil).(*GetStoreStateResponse)
	if f.ReturnValue != 0x80040FFF || f.StoreState != 0 {
		t.Fatalf("got %+v", f)
	}
	decodeFails(t, "7b 00 00000000 0000", nil, false)
}

// [MS-OXCROPS] 2.2.3.6.
func TestGetOwningServers(t *testing.T) {
	req := checkRequest(t, "42"+ /*LogonId*/ "00"+ /*InputHandleIndex*/ "00"+ /*FolderId*/ tFID, nil).(*GetOwningServersRequest)
	if req.FolderId.GlobalCounter() != 0x123 {
		t.Fatalf("got %+v", req)
	}
	resp := "42" + /*InputHandleIndex*/ "00" + /*ReturnValue*/ "00000000" +
		/*OwningServersCount*/ "0200" + /*CheapServersCount*/ "0100" +
		/*OwningServers "/o=A/ou=S1", "/o=A/ou=S2"*/ "2f6f3d412f6f753d533100" + "2f6f3d412f6f753d533200"
	r := checkResponse(t, resp, nil).(*GetOwningServersResponse)
	if len(r.OwningServers) != 2 || r.OwningServers[1] != "/o=A/ou=S2" || r.CheapServersCount != 1 {
		t.Fatalf("got %+v", r)
	}
	// Failure (ecNoReplicaHere): header alone.
	checkResponse(t, "42 00 68040000", nil)
	decodeFails(t, resp[:len(resp)-2], nil, false)
	// CheapServersCount larger than OwningServersCount.
	decodeFails(t, "42 00 00000000 0100 0200 7300", nil, false)
}

// [MS-OXCROPS] 2.2.3.7.
func TestPublicFolderIsGhosted(t *testing.T) {
	checkRequest(t, "45"+ /*LogonId*/ "00"+ /*InputHandleIndex*/ "00"+ /*FolderId*/ tFID, nil)
	r := checkResponse(t, "45"+ /*InputHandleIndex*/ "00"+ /*ReturnValue*/ "00000000"+ /*IsGhosted*/ "00", nil).(*PublicFolderIsGhostedResponse)
	if r.IsGhosted || r.Servers != nil {
		t.Fatalf("got %+v", r)
	}
	resp := "45" + /*InputHandleIndex*/ "00" + /*ReturnValue*/ "00000000" + /*IsGhosted*/ "01" +
		/*ServersCount*/ "0100" + /*CheapServersCount*/ "0100" + /*Servers "srv"*/ "73727600"
	r = checkResponse(t, resp, nil).(*PublicFolderIsGhostedResponse)
	if !r.IsGhosted || len(r.Servers) != 1 || r.Servers[0] != "srv" || r.CheapServersCount != 1 {
		t.Fatalf("got %+v", r)
	}
	if js := treeJSON(t, resp, nil, false); !strings.Contains(js, "ServersCount") || !strings.Contains(js, "CheapServersCount") {
		t.Fatalf("field names: %s", js)
	}
	decodeFails(t, "45 00 00000000 01 0100", nil, false)
}

// [MS-OXCROPS] 2.2.3.8.
func TestLongTermIdFromId(t *testing.T) {
	req := checkRequest(t, "43"+ /*LogonId*/ "00"+ /*InputHandleIndex*/ "00"+ /*ObjectId*/ tFID, nil).(*LongTermIdFromIdRequest)
	if req.ObjectId.GlobalCounter() != 0x123 {
		t.Fatalf("got %+v", req)
	}
	r := checkResponse(t, "43"+ /*InputHandleIndex*/ "00"+ /*ReturnValue*/ "00000000"+ /*LongTermId*/ tLTID, nil).(*LongTermIdFromIdResponse)
	if r.LongTermId.GlobalCounter != 0x123 || r.LongTermId.DatabaseGuid[0] != 0x00 || r.LongTermId.DatabaseGuid[15] != 0xff {
		t.Fatalf("got %+v", r)
	}
	checkResponse(t, "43 00 0f010480", nil)
	decodeFails(t, "43 00 00000000"+tGUID, nil, false)
}

// [MS-OXCROPS] 2.2.3.9.
func TestIdFromLongTermId(t *testing.T) {
	req := checkRequest(t, "44"+ /*LogonId*/ "00"+ /*InputHandleIndex*/ "00"+ /*LongTermId*/ tLTID, nil).(*IdFromLongTermIdRequest)
	if req.LongTermId.GlobalCounter != 0x123 {
		t.Fatalf("got %+v", req)
	}
	r := checkResponse(t, "44"+ /*InputHandleIndex*/ "00"+ /*ReturnValue*/ "00000000"+ /*ObjectId*/ tFID, nil).(*IdFromLongTermIdResponse)
	if r.ObjectId.String() != "0001-000000000123" {
		t.Fatalf("got %v", r.ObjectId)
	}
	checkResponse(t, "44 00 0f010480", nil)
	decodeFails(t, "44 00 00"+tGUID, nil, true)
}

// [MS-OXCROPS] 2.2.3.10.
func TestGetPerUserLongTermIds(t *testing.T) {
	req := checkRequest(t, "60"+ /*LogonId*/ "00"+ /*InputHandleIndex*/ "00"+ /*DatabaseGuid*/ tGUID, nil).(*GetPerUserLongTermIdsRequest)
	if req.DatabaseGuid[1] != 0x11 {
		t.Fatalf("got %+v", req)
	}
	resp := "60" + /*InputHandleIndex*/ "00" + /*ReturnValue*/ "00000000" + /*LongTermIdCount*/ "0200" +
		/*LongTermIds*/ tLTID + tGUID + "000000000456" + "0000"
	r := checkResponse(t, resp, nil).(*GetPerUserLongTermIdsResponse)
	if len(r.LongTermIds) != 2 || r.LongTermIds[1].GlobalCounter != 0x456 {
		t.Fatalf("got %+v", r)
	}
	checkResponse(t, "60 00 0f010480", nil)
	// LongTermIdCount says 2 but one follows.
	decodeFails(t, "60 00 00000000 0200"+tLTID, nil, false)
}

// [MS-OXCROPS] 2.2.3.11.
func TestGetPerUserGuid(t *testing.T) {
	req := checkRequest(t, "61"+ /*LogonId*/ "00"+ /*InputHandleIndex*/ "00"+ /*LongTermId*/ tLTID, nil).(*GetPerUserGuidRequest)
	if req.LongTermId.GlobalCounter != 0x123 {
		t.Fatalf("got %+v", req)
	}
	r := checkResponse(t, "61"+ /*InputHandleIndex*/ "00"+ /*ReturnValue*/ "00000000"+ /*DatabaseGuid*/ tGUID, nil).(*GetPerUserGuidResponse)
	if r.DatabaseGuid[15] != 0xff {
		t.Fatalf("got %+v", r)
	}
	checkResponse(t, "61 00 0f010480", nil)
	decodeFails(t, "61 00 00000000 0011", nil, false)
}

// [MS-OXCROPS] 2.2.3.12.
func TestReadPerUserInformation(t *testing.T) {
	req := checkRequest(t, "63"+ /*LogonId*/ "00"+ /*InputHandleIndex*/ "00"+ /*FolderId*/ tLTID+
		/*Reserved*/ "00"+ /*DataOffset*/ "00010000"+ /*MaxDataSize*/ "0010", nil).(*ReadPerUserInformationRequest)
	if req.FolderId.GlobalCounter != 0x123 || req.DataOffset != 0x100 || req.MaxDataSize != 0x1000 {
		t.Fatalf("got %+v", req)
	}
	r := checkResponse(t, "63"+ /*InputHandleIndex*/ "00"+ /*ReturnValue*/ "00000000"+
		/*HasFinished*/ "01"+ /*DataSize*/ "0300"+ /*Data*/ "aabbcc", nil).(*ReadPerUserInformationResponse)
	if !r.HasFinished || string(r.Data) != "\xaa\xbb\xcc" {
		t.Fatalf("got %+v", r)
	}
	checkResponse(t, "63 00 0f010480", nil)
	decodeFails(t, "63 00 00000000 00 0500 aabbcc", nil, false)
}

// [MS-OXCROPS] 2.2.3.13: ReplGuid only with DataOffset 0 on a private logon.
func TestWritePerUserInformation(t *testing.T) {
	private := &Ctx{HasLogonFlags: true, LogonFlags: 0x01}
	public := &Ctx{HasLogonFlags: true, LogonFlags: 0x00}
	head := "64" + /*LogonId*/ "00" + /*InputHandleIndex*/ "00" + /*FolderId*/ tLTID + /*HasFinished*/ "01"
	data := /*DataSize*/ "0300" + /*Data*/ "aabbcc"

	r := checkRequest(t, head+ /*DataOffset*/ "00000000"+data+ /*ReplGuid*/ tGUID, private).(*WritePerUserInformationRequest)
	if !r.HasReplGuid || r.ReplGuid[15] != 0xff || !r.HasFinished || len(r.Data) != 3 {
		t.Fatalf("private, offset 0: %+v", r)
	}
	// Unknown logon flags default to private.
	checkRequest(t, head+"00000000"+data+tGUID, nil)

	r = checkRequest(t, head+ /*DataOffset*/ "00000000"+data, public).(*WritePerUserInformationRequest)
	if r.HasReplGuid || r.ReplGuid != (prop.GUID{}) {
		t.Fatalf("public: %+v", r)
	}
	r = checkRequest(t, head+ /*DataOffset*/ "03000000"+data, private).(*WritePerUserInformationRequest)
	if r.HasReplGuid || r.DataOffset != 3 {
		t.Fatalf("private, offset 3: %+v", r)
	}
	// Private, offset 0, ReplGuid cut short.
	decodeFails(t, head+"00000000"+data+"0011", private, true)

	resp := checkResponse(t, "64"+ /*InputHandleIndex*/ "00"+ /*ReturnValue*/ "00000000", nil).(*WritePerUserInformationResponse)
	if resp.ReturnValue != 0 {
		t.Fatalf("got %+v", resp)
	}
	checkResponse(t, "64 00 05000780", nil)
}

// The RopGetPerUserLongTermIds fields of the [MS-OXCSTOR] section 4 example
// (DatabaseGuid, then an empty LongTermIdCount), behind headers of our own.
func TestGetPerUserLongTermIdsExample(t *testing.T) {
	req := checkRequest(t, "60 00 00"+ /*DatabaseGuid*/ "4d77d4648349704f9b8b46e635bb78ab", nil).(*GetPerUserLongTermIdsRequest)
	if req.DatabaseGuid.String() != "64d4774d-4983-4f70-9b8b-46e635bb78ab" {
		t.Fatalf("got %v", req.DatabaseGuid)
	}
	r := checkResponse(t, "60 00 00000000"+ /*LongTermIdCount*/ "0000", nil).(*GetPerUserLongTermIdsResponse)
	if len(r.LongTermIds) != 0 {
		t.Fatalf("got %+v", r)
	}
}

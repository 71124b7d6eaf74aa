package rop

import (
	"strings"
	"testing"

	"github.com/mapiscope/mapiscope/decode/prop"
	"github.com/mapiscope/mapiscope/decode/wire"
)

// Folder ROPs — [MS-OXCROPS] 2.2.4, [MS-OXCFOLD]. Hex is composed field by
// field from the specification's tables unless a section-4 example of
// [MS-OXCFOLD] or [MS-OXCTABL] is cited.

// foldID builds the FID/MID the examples print as RRRR-GGGGGGGGGGGG.
func foldID(replid uint16, counter uint64) prop.ID { return prop.MakeID(replid, counter) }

func TestOpenFolder(t *testing.T) {
	r := checkRequest(t, "02 00 00"+ // RopId, LogonId, InputHandleIndex
		"01"+ // OutputHandleIndex
		"0100000000000123"+ // FolderId 0001-000000000123
		"04", // OpenModeFlags OpenSoftDeleted
		nil).(*OpenFolderRequest)
	if r.OutputHandleIndex != 1 || r.FolderId != foldID(1, 0x123) || r.OpenModeFlags != 0x04 {
		t.Fatalf("got %+v", r)
	}
	if js := treeJSON(t, "02 00 00 01 0100000000000123 04", nil, true); !strings.Contains(js, `"OpenSoftDeleted"`) {
		t.Fatalf("OpenModeFlags not named: %s", js)
	}
	resp := checkResponse(t, "02 01 00000000"+ // RopId, OutputHandleIndex, ReturnValue
		"01"+ // HasRules
		"00", // IsGhosted
		nil).(*OpenFolderResponse)
	if !resp.HasRules || resp.IsGhosted {
		t.Fatalf("got %+v", resp)
	}
	g := checkResponse(t, "02 01 00000000 00 01"+ // HasRules, IsGhosted
		"0200"+ // ServerCount
		"0100"+ // CheapServerCount
		"73727631 00"+ // Servers[0] "srv1"
		"73727632 00", // Servers[1] "srv2"
		nil).(*OpenFolderResponse)
	if len(g.Servers) != 2 || g.Servers[1] != "srv2" || g.CheapServerCount != 1 {
		t.Fatalf("got %+v", g)
	}
	f := checkResponse(t, "02 01 0f010480", nil).(*OpenFolderResponse) // ecNotFound: header only
	if f.ReturnValue != 0x8004010F {
		t.Fatalf("got %+v", f)
	}
	decodeFails(t, "02 01 00000000 00 01 0200 0100 73727631 00", nil, false) // one server missing
}

// [MS-OXCFOLD] 4.1.1 and 4.1.2: RopCreateFolder.
func TestCreateFolderExample(t *testing.T) {
	r := checkRequest(t, "1C 00 00 01"+ // RopId, LogonId, InputHandleIndex, OutputHandleIndex
		"01 01 00 00"+ // FolderType generic, UseUnicodeStrings, OpenExisting, Reserved
		"46 00 6F 00 6C 00 64 00 65 00 72 00 31 00 00 00"+ // DisplayName "Folder1"
		"00 00", // Comment ""
		nil).(*CreateFolderRequest)
	if r.FolderType != 1 || !r.UseUnicodeStrings || r.OpenExisting || r.DisplayName != "Folder1" || r.Comment != "" {
		t.Fatalf("got %+v", r)
	}
	resp := checkResponse(t, "1C 01 00 00 00 00"+ // RopId, OutputHandleIndex, ReturnValue
		"01 00 00 00 0E 91 52 12"+ // FolderId 0001-00000E915212
		"00", // IsExistingFolder
		nil).(*CreateFolderResponse)
	if resp.HandleIndex != 1 || resp.FolderId != foldID(1, 0x0E915212) || resp.IsExistingFolder {
		t.Fatalf("got %+v", resp)
	}
	js := treeJSON(t, "1C 00 00 01 01 01 00 00 46006F006C00640065007200310000000000", nil, true)
	if !strings.Contains(js, `"Generic"`) || !strings.Contains(js, `"DisplayName":"Folder1"`) {
		t.Fatalf("JSON %s", js)
	}
}

func TestCreateFolder(t *testing.T) {
	// 8-bit strings, search folder, open existing.
	r := checkRequest(t, "1c 00 00 02"+ // RopId, LogonId, InputHandleIndex, OutputHandleIndex
		"02 00 01 00"+ // FolderType search, UseUnicodeStrings, OpenExisting, Reserved
		"53656172636800"+ // DisplayName "Search"
		"6300", // Comment "c"
		nil).(*CreateFolderRequest)
	if r.FolderType != 2 || r.UseUnicodeStrings || !r.OpenExisting || r.DisplayName != "Search" || r.Comment != "c" {
		t.Fatalf("got %+v", r)
	}
	// An existing ghosted public folder: HasRules, IsGhosted, then servers.
	g := checkResponse(t, "1c 02 00000000"+ // RopId, OutputHandleIndex, ReturnValue
		"0100000000000001"+ // FolderId
		"01"+ // IsExistingFolder
		"00 01"+ // HasRules, IsGhosted
		"0100 0100"+ // ServerCount, CheapServerCount
		"73727631 00", // Servers[0] "srv1"
		nil).(*CreateFolderResponse)
	if !g.IsExistingFolder || !g.IsGhosted || len(g.Servers) != 1 || g.Servers[0] != "srv1" {
		t.Fatalf("got %+v", g)
	}
	// Existing, not ghosted: no server list.
	e := checkResponse(t, "1c 02 00000000 0100000000000001 01 01 00", nil).(*CreateFolderResponse)
	if !e.HasRules || e.IsGhosted || e.Servers != nil {
		t.Fatalf("got %+v", e)
	}
	f := checkResponse(t, "1c 02 05000780", nil).(*CreateFolderResponse) // ecAccessDenied
	if f.ReturnValue != 0x80070005 {
		t.Fatalf("got %+v", f)
	}
	decodeFails(t, "1c 02 00000000 01000000", nil, false)     // FolderId cut
	decodeFails(t, "1c 00 00 02 01 01 00 00 4600", nil, true) // unterminated DisplayName
}

// [MS-OXCFOLD] 4.2.1 and 4.2.2: RopDeleteFolder (shared vector
// oxcfold-4.2.1-deletefolder-req).
func TestDeleteFolderExample(t *testing.T) {
	r := checkRequest(t, "1d 00 01"+ // RopId, LogonId, InputHandleIndex
		"05"+ // DeleteFolderFlags DEL_MESSAGES|DEL_FOLDERS
		"010000000e8edf36", // FolderId 0001-00000E8EDF36
		nil).(*DeleteFolderRequest)
	if r.InputHandleIndex != 1 || r.DeleteFolderFlags != 0x05 || r.FolderId != foldID(1, 0x0E8EDF36) {
		t.Fatalf("got %+v", r)
	}
	if r.FolderId.String() != "0001-00000E8EDF36" {
		t.Fatalf("FolderId %s", r.FolderId)
	}
	js := treeJSON(t, "1d000105010000000e8edf36", nil, true)
	if !strings.Contains(js, `"DEL_MESSAGES|DEL_FOLDERS"`) || !strings.Contains(js, `"0001-00000E8EDF36"`) {
		t.Fatalf("JSON %s", js)
	}
	resp := checkResponse(t, "1D 01 00 00 00 00"+ // RopId, InputHandleIndex, ReturnValue
		"00", // PartialCompletion
		nil).(*DeleteFolderResponse)
	if resp.HandleIndex != 1 || resp.PartialCompletion {
		t.Fatalf("got %+v", resp)
	}
	// [MS-OXCROPS] 2.2.4.3.2 is one buffer: PartialCompletion follows any
	// ReturnValue.
	f := checkResponse(t, "1d 01 05000780 01", nil).(*DeleteFolderResponse)
	if f.ReturnValue != 0x80070005 || !f.PartialCompletion {
		t.Fatalf("got %+v", f)
	}
	decodeFails(t, "1d 00 01 05 010000000e8e", nil, true)
}

func TestSetSearchCriteria(t *testing.T) {
	r := checkRequest(t, "30 00 01"+ // RopId, LogonId, InputHandleIndex
		"0500"+ // RestrictionDataSize
		"08 1f003700"+ // RestrictionData: ExistRestriction on PidTagSubject
		"0200"+ // FolderIdCount
		"0100000000000011 0100000000000012"+ // FolderIds
		"06000200", // SearchFlags RESTART_SEARCH|RECURSIVE_SEARCH|NON_CONTENT_INDEXED_SEARCH
		nil).(*SetSearchCriteriaRequest)
	if r.RestrictionData == nil || r.RestrictionData.RestrictType != prop.RestrictExist ||
		r.RestrictionData.PropTag != 0x0037001F || len(r.FolderIds) != 2 || r.FolderIds[1] != foldID(1, 0x12) ||
		r.SearchFlags != 0x00020006 {
		t.Fatalf("got %+v", r)
	}
	js := treeJSON(t, "30 00 01 0500 081f003700 0000 06000200", nil, true)
	if !strings.Contains(js, `"RESTART_SEARCH|RECURSIVE_SEARCH|NON_CONTENT_INDEXED_SEARCH"`) {
		t.Fatalf("JSON %s", js)
	}
	// RestrictionDataSize 0 and FolderIdCount 0: reuse the last search.
	z := checkRequest(t, "30 00 01 0000 0000 01000000", nil).(*SetSearchCriteriaRequest)
	if z.RestrictionData != nil || z.FolderIds != nil || z.SearchFlags != 1 {
		t.Fatalf("got %+v", z)
	}
	resp := checkResponse(t, "30 01 00000000", nil).(*SetSearchCriteriaResponse)
	if resp.HandleIndex != 1 {
		t.Fatalf("got %+v", resp)
	}
	decodeFails(t, "30 00 01 1000 081f003700", nil, true)                  // size beyond the buffer
	decodeFails(t, "30 00 01 0600 081f003700 00 0000 00000000", nil, true) // a byte left in the restriction
}

func TestGetSearchCriteria(t *testing.T) {
	r := checkRequest(t, "31 00 01"+ // RopId, LogonId, InputHandleIndex
		"01 01 01", // UseUnicode, IncludeRestriction, IncludeFolders
		nil).(*GetSearchCriteriaRequest)
	if !r.UseUnicode || !r.IncludeRestriction || !r.IncludeFolders {
		t.Fatalf("got %+v", r)
	}
	const ok = "31 01 00000000" + // RopId, InputHandleIndex, ReturnValue
		"0500 08 1f003700" + // RestrictionDataSize, RestrictionData
		"03" + // LogonId
		"0100 010000000000000a" + // FolderIdCount, FolderIds
		"05100000" // SearchFlags SEARCH_RUNNING|SEARCH_RECURSIVE|SEARCH_COMPLETE
	resp := checkResponse(t, ok, nil).(*GetSearchCriteriaResponse)
	if resp.RestrictionData == nil || resp.LogonId != 3 || len(resp.FolderIds) != 1 || resp.SearchFlags != 0x1005 {
		t.Fatalf("got %+v", resp)
	}
	if js := treeJSON(t, ok, nil, false); !strings.Contains(js, `"SEARCH_RUNNING|SEARCH_RECURSIVE|SEARCH_COMPLETE"`) {
		t.Fatalf("JSON %s", js)
	}
	n := checkResponse(t, "31 01 00000000 0000 00 0000 00000000", nil).(*GetSearchCriteriaResponse)
	if n.RestrictionData != nil || n.FolderIds != nil {
		t.Fatalf("got %+v", n)
	}
	f := checkResponse(t, "31 01 0f010480", nil).(*GetSearchCriteriaResponse)
	if f.ReturnValue != 0x8004010F {
		t.Fatalf("got %+v", f)
	}
	decodeFails(t, "31 01 00000000 0500 081f003700 03 0200 010000000000000a", nil, false)
}

// [MS-OXCFOLD] 4.4.1: RopMoveCopyMessages request; responses from
// [MS-OXCROPS] 2.2.4.6.2 and 2.2.4.6.3.
func TestMoveCopyMessages(t *testing.T) {
	r := checkRequest(t, "33 00 00 01"+ // RopId, LogonId, SourceHandleIndex, DestHandleIndex
		"01 00"+ // MessageIdCount
		"01 00 00 00 0E 8E EC 5D"+ // MessageIds[0] 0001-00000E8EEC5D
		"00 00", // WantAsynchronous, WantCopy
		nil).(*MoveCopyMessagesRequest)
	if r.InputHandleIndex != 0 || r.DestHandleIndex != 1 || len(r.MessageIds) != 1 ||
		r.MessageIds[0] != foldID(1, 0x0E8EEC5D) || r.WantCopy {
		t.Fatalf("got %+v", r)
	}
	if js := treeJSON(t, "33000001010001000000 0e8eec5d 0000", nil, true); !strings.Contains(js, `"SourceHandleIndex":0`) ||
		!strings.Contains(js, `"DestHandleIndex":1`) {
		t.Fatalf("JSON %s", js)
	}
	resp := checkResponse(t, "33 00 00000000"+ // RopId, SourceHandleIndex, ReturnValue
		"00", // PartialCompletion
		nil).(*MoveCopyMessagesResponse)
	if resp.PartialCompletion || resp.DestHandleIndex != 0 {
		t.Fatalf("got %+v", resp)
	}
	const nullDest = "33 00 03050000" + // ReturnValue ecDstNullObject
		"01000000" + // DestHandleIndex (4 bytes)
		"00" // PartialCompletion
	nd := checkResponse(t, nullDest, nil).(*MoveCopyMessagesResponse)
	if nd.ReturnValue != 0x503 || nd.DestHandleIndex != 1 {
		t.Fatalf("got %+v", nd)
	}
	if js := treeJSON(t, nullDest, nil, false); !strings.Contains(js, `"ecDstNullObject"`) || !strings.Contains(js, `"DestHandleIndex":1`) {
		t.Fatalf("JSON %s", js)
	}
	// Any other ReturnValue keeps the 2.2.4.6.2 layout.
	f := checkResponse(t, "33 00 05000780 01", nil).(*MoveCopyMessagesResponse)
	if !f.PartialCompletion {
		t.Fatalf("got %+v", f)
	}
	decodeFails(t, "33 00 03050000 0100", nil, false)
}

// [MS-OXCFOLD] 4.5.1 and 4.5.2: RopMoveFolder (shared vector
// oxcfold-4.5.2-movefolder-resp).
func TestMoveFolderExample(t *testing.T) {
	r := checkRequest(t, "35 00 01 02"+ // RopId, LogonID, SourceHandleIndex, DestHandleIndex
		"01 01"+ // WantAsynchronous, UseUnicode
		"01 00 00 00 0E 8E DF 36"+ // FolderId 0001-00000E8EDF36
		"46 00 6F 00 6C 00 64 00 65 00 72 00 31 00 00 00", // NewFolderName "Folder1"
		nil).(*MoveFolderRequest)
	if r.InputHandleIndex != 1 || r.DestHandleIndex != 2 || !r.WantAsynchronous || !r.UseUnicode ||
		r.FolderId != foldID(1, 0x0E8EDF36) || r.NewFolderName != "Folder1" {
		t.Fatalf("got %+v", r)
	}
	resp := checkResponse(t, "35 01"+ // RopId, SourceHandleIndex
		"00000000"+ // ReturnValue
		"00", // PartialCompletion
		nil).(*MoveFolderResponse)
	if resp.HandleIndex != 1 || resp.PartialCompletion {
		t.Fatalf("got %+v", resp)
	}
	if js := treeJSON(t, "35010000000000", nil, false); !strings.Contains(js, `"SourceHandleIndex":1`) {
		t.Fatalf("JSON %s", js)
	}
	// 8-bit name.
	a := checkRequest(t, "35 00 01 02 00 00 0100000000000001 4e657700", nil).(*MoveFolderRequest)
	if a.UseUnicode || a.NewFolderName != "New" {
		t.Fatalf("got %+v", a)
	}
	nd := checkResponse(t, "35 01 03050000 02000000 01", nil).(*MoveFolderResponse)
	if nd.DestHandleIndex != 2 || !nd.PartialCompletion {
		t.Fatalf("got %+v", nd)
	}
	decodeFails(t, "35 00 01 02 01 01 010000000e8edf36 4600", nil, true)
}

// [MS-OXCFOLD] 4.6.1: RopCopyFolder request.
func TestCopyFolderExample(t *testing.T) {
	r := checkRequest(t, "36 00 00 01"+ // RopId, LogonID, SourceHandleIndex, DestHandleIndex
		"01 01 01"+ // WantAsynchronous, WantRecursive, UseUnicode
		"01 00 00 00 0E 8E DF 36"+ // FolderId 0001-00000E8EDF36
		"46 00 6F 00 6C 00 64 00 65 00 72 00 31 00 00 00", // NewFolderName "Folder1"
		nil).(*CopyFolderRequest)
	if r.InputHandleIndex != 0 || r.DestHandleIndex != 1 || !r.WantRecursive || r.NewFolderName != "Folder1" {
		t.Fatalf("got %+v", r)
	}
	resp := checkResponse(t, "36 00 00000000 00", nil).(*CopyFolderResponse)
	if resp.PartialCompletion {
		t.Fatalf("got %+v", resp)
	}
	nd := checkResponse(t, "36 00 03050000"+ // ReturnValue ecDstNullObject
		"01000000"+ // DestHandleIndex
		"00", // PartialCompletion
		nil).(*CopyFolderResponse)
	if nd.DestHandleIndex != 1 {
		t.Fatalf("got %+v", nd)
	}
}

func TestEmptyFolder(t *testing.T) {
	r := checkRequest(t, "58 00 00"+ // RopId, LogonId, InputHandleIndex
		"00 01", // WantAsynchronous, WantDeleteAssociated
		nil).(*EmptyFolderRequest)
	if r.WantAsynchronous || !r.WantDeleteAssociated {
		t.Fatalf("got %+v", r)
	}
	resp := checkResponse(t, "58 00 00000000 01", nil).(*EmptyFolderResponse)
	if !resp.PartialCompletion {
		t.Fatalf("got %+v", resp)
	}
}

func TestHardDeleteMessagesAndSubfolders(t *testing.T) {
	r := checkRequest(t, "92 00 00"+ // RopId, LogonId, InputHandleIndex
		"01 00", // WantAsynchronous, WantDeleteAssociated
		nil).(*HardDeleteMessagesAndSubfoldersRequest)
	if !r.WantAsynchronous || r.WantDeleteAssociated {
		t.Fatalf("got %+v", r)
	}
	resp := checkResponse(t, "92 00 00000000 00", nil).(*HardDeleteMessagesAndSubfoldersResponse)
	if resp.PartialCompletion || resp.RopId != 0x92 {
		t.Fatalf("got %+v", resp)
	}
}

// [MS-OXCFOLD] 4.3.1 and 4.3.2: RopDeleteMessages (shared vector
// oxcfold-4.3.2-deletemessages-resp).
func TestDeleteMessagesExample(t *testing.T) {
	r := checkRequest(t, "1E 00 00"+ // RopId, LogonID, InputHandleIndex
		"00 01"+ // WantAsynchronous, NotifyNonRead
		"02 00"+ // MessageIdCount
		"01 00 00 00 0E 8E F1 48"+ // MessageIds[0] 0001-00000E8EF148
		"01 00 00 00 0E 8E C3 02", // MessageIds[1] 0001-00000E8EC302
		nil).(*DeleteMessagesRequest)
	if r.WantAsynchronous || !r.NotifyNonRead || len(r.MessageIds) != 2 || r.MessageIds[1] != foldID(1, 0x0E8EC302) {
		t.Fatalf("got %+v", r)
	}
	resp := checkResponse(t, "1e 00 00000000"+ // RopId, InputHandleIndex, ReturnValue
		"00", // PartialCompletion
		nil).(*DeleteMessagesResponse)
	if resp.HandleIndex != 0 || resp.PartialCompletion {
		t.Fatalf("got %+v", resp)
	}
	decodeFails(t, "1e 00 00 00 01 0200 010000000e8ef148", nil, true) // second MID missing
}

func TestHardDeleteMessages(t *testing.T) {
	r := checkRequest(t, "91 00 00"+ // RopId, LogonId, InputHandleIndex
		"00 00"+ // WantAsynchronous, NotifyNonRead
		"0100 0100000000000077", // MessageIdCount, MessageIds
		nil).(*HardDeleteMessagesRequest)
	if len(r.MessageIds) != 1 || r.MessageIds[0].GlobalCounter() != 0x77 {
		t.Fatalf("got %+v", r)
	}
	resp := checkResponse(t, "91 00 00000000 01", nil).(*HardDeleteMessagesResponse)
	if !resp.PartialCompletion {
		t.Fatalf("got %+v", resp)
	}
}

// [MS-OXCFOLD] 4.7.2: RopGetHierarchyTable response (shared vector
// oxcfold-4.7.2-gethierarchytable-resp).
func TestGetHierarchyTable(t *testing.T) {
	r := checkRequest(t, "04 00 01"+ // RopId, LogonId, InputHandleIndex
		"02"+ // OutputHandleIndex
		"04", // TableFlags Depth
		nil).(*GetHierarchyTableRequest)
	if r.OutputHandleIndex != 2 || r.TableFlags != 0x04 {
		t.Fatalf("got %+v", r)
	}
	if js := treeJSON(t, "04 00 01 02 44", nil, true); !strings.Contains(js, `"Depth|UseUnicode"`) {
		t.Fatalf("JSON %s", js)
	}
	resp := checkResponse(t, "04 02"+ // RopId, OutputHandleIndex
		"00000000"+ // ReturnValue
		"15000000", // RowCount 21
		nil).(*GetHierarchyTableResponse)
	if resp.HandleIndex != 2 || resp.RowCount != 21 {
		t.Fatalf("got %+v", resp)
	}
	if js := treeJSON(t, "04020000000015000000", nil, false); !strings.Contains(js, `"OutputHandleIndex":2`) {
		t.Fatalf("JSON %s", js)
	}
	f := checkResponse(t, "04 02 0f010480", nil).(*GetHierarchyTableResponse)
	if f.RowCount != 0 {
		t.Fatalf("got %+v", f)
	}
	decodeFails(t, "04 02 00000000 1500", nil, false)
}

// [MS-OXCTABL] 4.1.1: RopGetContentsTable request (shared vector
// oxctabl-4.1.1-getcontentstable-req).
func TestGetContentsTable(t *testing.T) {
	r := checkRequest(t, "05 00 00"+ // RopId, LogonId, InputHandleIndex
		"01"+ // OutputHandleIndex
		"00", // TableFlags
		nil).(*GetContentsTableRequest)
	if r.InputHandleIndex != 0 || r.OutputHandleIndex != 1 || r.TableFlags != 0 {
		t.Fatalf("got %+v", r)
	}
	if js := treeJSON(t, "05 00 00 01 82", nil, true); !strings.Contains(js, `"Associated|ConversationMembers"`) {
		t.Fatalf("JSON %s", js)
	}
	resp := checkResponse(t, "05 01 00000000"+ // RopId, OutputHandleIndex, ReturnValue
		"0a000000", // RowCount
		nil).(*GetContentsTableResponse)
	if resp.RowCount != 10 {
		t.Fatalf("got %+v", resp)
	}
	checkResponse(t, "05 01 0f010480", nil)
}

// Requests that create an object record their OutputHandleIndex.
func TestFolderOutputHandles(t *testing.T) {
	for _, hexs := range []string{
		"02 00 00 03 0100000000000123 00",
		"1c 00 00 03 01 00 00 00 4100 00",
		"04 00 00 03 00",
		"05 00 00 03 00",
	} {
		b := unhex(t, hexs)
		ctx := &Ctx{}
		c := wire.NewDecoder(b, false, "rop")
		if _, err := DecodeRequest(c, ctx); err != nil {
			t.Fatalf("%s: %v", hexs, err)
		}
		if !ctx.HasOutput || ctx.OutputHandleIndex != 3 {
			t.Fatalf("%s: output handle %+v", hexs, ctx)
		}
	}
}

func TestFolderRegistry(t *testing.T) {
	for id, sec := range map[uint8]string{
		0x02: "2.2.4.1", 0x1C: "2.2.4.2", 0x1D: "2.2.4.3", 0x30: "2.2.4.4", 0x31: "2.2.4.5",
		0x33: "2.2.4.6", 0x35: "2.2.4.7", 0x36: "2.2.4.8", 0x58: "2.2.4.9", 0x92: "2.2.4.10",
		0x1E: "2.2.4.11", 0x91: "2.2.4.12", 0x04: "2.2.4.13", 0x05: "2.2.4.14",
	} {
		in, ok := Lookup(id)
		if !ok || in.Section != sec || in.Request == nil || in.Response == nil {
			t.Errorf("0x%02X: %+v", id, in)
		}
	}
}

package rop

import (
	"strings"
	"testing"

	"github.com/mapiscope/mapiscope/decode/prop"
)

// Fixtures composed from the field tables of [MS-OXCROPS] 2.2.12 and
// 2.2.13 (with [MS-OXCFXICS] 2.2.3 for the flag values).

const (
	fxGUID = "00112233445566778899aabbccddeeff"
	// A serialized GID/XID: the GUID above then a 6-byte counter.
	fxXID1 = fxGUID + "000000000001"
	fxXID2 = fxGUID + "000000000002"
)

// fxJSON requires the span tree of a decode to contain every name.
func fxJSON(t *testing.T, hexs string, ctx *Ctx, request bool, names ...string) {
	t.Helper()
	js := treeJSON(t, hexs, ctx, request)
	for _, n := range names {
		if !strings.Contains(js, n) {
			t.Errorf("JSON lacks %q:\n%s", n, js)
		}
	}
}

func TestFastTransferDestinationConfigure(t *testing.T) {
	req := "53" + /*RopId*/ "00" + /*LogonId*/ "01" + /*InputHandleIndex*/ "02" + /*OutputHandleIndex*/
		"04" + /*SourceOperation: CopyFolder*/ "01" /*CopyFlags: Move*/
	r := checkRequest(t, req, nil).(*FastTransferDestinationConfigureRequest)
	if r.OutputHandleIndex != 2 || r.SourceOperation != 0x04 || r.CopyFlags != 0x01 {
		t.Fatalf("got %+v", r)
	}
	fxJSON(t, req, nil, true, `"CopyFolder"`, `"Move"`, `"RopFastTransferDestinationConfigure"`)

	resp := checkResponse(t, "53"+ /*RopId*/ "02"+ /*OutputHandleIndex*/ "00000000" /*ReturnValue*/, nil).(*FastTransferDestinationConfigureResponse)
	if resp.HandleIndex != 2 {
		t.Fatalf("got %+v", resp)
	}
	checkResponse(t, "53 02 0f010480" /*ecNotFound*/, nil)
}

func TestFastTransferDestinationPutBuffer(t *testing.T) {
	req := "54" + /*RopId*/ "00" + /*LogonId*/ "01" + /*InputHandleIndex*/
		"0500" + /*TransferDataSize*/ "0300400e01" /*TransferData*/
	r := checkRequest(t, req, nil).(*FastTransferDestinationPutBufferRequest)
	if len(r.TransferData) != 5 || r.TransferData[0] != 0x03 {
		t.Fatalf("got %+v", r)
	}
	resp := "54" + /*RopId*/ "01" + /*InputHandleIndex*/ "00000000" + /*ReturnValue*/
		"0100" + /*TransferStatus: Partial*/ "0000" + /*InProgressCount*/ "0a00" + /*TotalStepCount*/
		"00" + /*Reserved*/ "0500" /*BufferUsedSize*/
	p := checkResponse(t, resp, nil).(*FastTransferDestinationPutBufferResponse)
	if p.TransferStatus != 1 || p.TotalStepCount != 10 || p.BufferUsedSize != 5 {
		t.Fatalf("got %+v", p)
	}
	fxJSON(t, resp, nil, false, `"Partial"`)
	// The one response layout holds on failure too: BufferUsedSize says
	// how much was consumed ([MS-OXCFXICS] 2.2.3.1.2.2.2).
	fail := "54 01 05400080" + /*ReturnValue: ecError*/ "0000 0000 0000 00 0200"
	p = checkResponse(t, fail, nil).(*FastTransferDestinationPutBufferResponse)
	if p.ReturnValue != 0x80004005 || p.BufferUsedSize != 2 {
		t.Fatalf("got %+v", p)
	}
	decodeFails(t, "54 01 05400080", nil, false)
	decodeFails(t, "54 00 01 0600 0300400e01", nil, true)
}

func TestFastTransferDestinationPutBufferExtended(t *testing.T) {
	req := "9d" + /*RopId*/ "00" + /*LogonId*/ "01" + /*InputHandleIndex*/ "0300" + /*TransferDataSize*/ "aabbcc" /*TransferData*/
	r := checkRequest(t, req, nil).(*FastTransferDestinationPutBufferExtendedRequest)
	if string(r.TransferData) != "\xaa\xbb\xcc" {
		t.Fatalf("got %+v", r)
	}
	resp := "9d" + /*RopId*/ "01" + /*InputHandleIndex*/ "00000000" + /*ReturnValue*/
		"0300" + /*TransferStatus: Done*/ "02000000" + /*InProgressCount (4 bytes)*/
		"10000000" + /*TotalStepCount (4 bytes)*/ "00" + /*Reserved*/ "0300" /*BufferUsedSize*/
	p := checkResponse(t, resp, nil).(*FastTransferDestinationPutBufferExtendedResponse)
	if p.TransferStatus != 3 || p.InProgressCount != 2 || p.TotalStepCount != 16 || p.BufferUsedSize != 3 {
		t.Fatalf("got %+v", p)
	}
	decodeFails(t, "9d 01 00000000 0300 0200 1000 00 0300", nil, false) // 16-bit counts are too short
}

func TestFastTransferSourceGetBuffer(t *testing.T) {
	// BufferSize 0xBABE brings MaximumBufferSize.
	req := "4e" + /*RopId*/ "00" + /*LogonId*/ "01" + /*InputHandleIndex*/ "beba" + /*BufferSize*/ "0080" /*MaximumBufferSize*/
	r := checkRequest(t, req, nil).(*FastTransferSourceGetBufferRequest)
	if r.BufferSize != 0xBABE || r.MaximumBufferSize != 0x8000 {
		t.Fatalf("got %+v", r)
	}
	r = checkRequest(t, "4e 00 01 7c3c" /*BufferSize 15484, no MaximumBufferSize*/, nil).(*FastTransferSourceGetBufferRequest)
	if r.BufferSize != 15484 || r.MaximumBufferSize != 0 {
		t.Fatalf("got %+v", r)
	}

	resp := "4e" + /*RopId*/ "01" + /*InputHandleIndex*/ "00000000" + /*ReturnValue*/
		"0300" + /*TransferStatus: Done*/ "0100" + /*InProgressCount*/ "0100" + /*TotalStepCount*/
		"00" + /*Reserved*/ "0400" + /*TransferBufferSize*/ "01020304" /*TransferBuffer*/
	p := checkResponse(t, resp, nil).(*FastTransferSourceGetBufferResponse)
	if p.TransferStatus != 3 || len(p.TransferBuffer) != 4 || p.TransferBuffer[3] != 4 {
		t.Fatalf("got %+v", p)
	}
	fxJSON(t, resp, nil, false, `"Done"`, `"TransferBuffer"`)

	// ecServerBusy: BackoffTime alone follows ReturnValue.
	busy := "4e" + /*RopId*/ "01" + /*InputHandleIndex*/ "80040000" + /*ReturnValue: ecServerBusy*/ "e8030000" /*BackoffTime*/
	p = checkResponse(t, busy, nil).(*FastTransferSourceGetBufferResponse)
	if p.ReturnValue != 0x480 || p.BackoffTime != 1000 || p.TransferBuffer != nil {
		t.Fatalf("got %+v", p)
	}
	// Other failures: the header only.
	p = checkResponse(t, "4e 01 05400080", nil).(*FastTransferSourceGetBufferResponse)
	if p.ReturnValue != 0x80004005 {
		t.Fatalf("got %+v", p)
	}
	decodeFails(t, "4e 01 00000000 0300 0100 0100 00 0400 0102", nil, false)
	decodeFails(t, "4e 01 80040000 e803", nil, false)
	decodeFails(t, "4e 00 01 beba", nil, true)
}

func TestFastTransferSourceCopyFolder(t *testing.T) {
	req := "4c" + /*RopId*/ "00" + /*LogonId*/ "00" + /*InputHandleIndex*/ "01" + /*OutputHandleIndex*/
		"10" + /*CopyFlags: CopySubfolders*/ "01" /*SendOptions: Unicode*/
	r := checkRequest(t, req, nil).(*FastTransferSourceCopyFolderRequest)
	if r.OutputHandleIndex != 1 || r.CopyFlags != 0x10 || r.SendOptions != 0x01 {
		t.Fatalf("got %+v", r)
	}
	fxJSON(t, req, nil, true, `"CopySubfolders"`, `"Unicode"`)
	checkResponse(t, "4c"+ /*RopId*/ "01"+ /*OutputHandleIndex*/ "00000000" /*ReturnValue*/, nil)
}

func TestFastTransferSourceCopyMessages(t *testing.T) {
	req := "4b" + /*RopId*/ "00" + /*LogonId*/ "00" + /*InputHandleIndex*/ "01" + /*OutputHandleIndex*/
		"0200" + /*MessageIdCount*/ "0100000000000123" + "0100000000000124" + /*MessageIds*/
		"20" + /*CopyFlags: SendEntryId*/ "03" /*SendOptions: ForUpload*/
	r := checkRequest(t, req, nil).(*FastTransferSourceCopyMessagesRequest)
	if len(r.MessageIds) != 2 || r.MessageIds[1].GlobalCounter() != 0x124 || r.MessageIds[0].ReplicaId() != 1 {
		t.Fatalf("got %+v", r)
	}
	fxJSON(t, req, nil, true, `"SendEntryId"`, `"ForUpload"`)
	checkResponse(t, "4b 01 00000000", nil)
	decodeFails(t, "4b 00 00 01 0300 0100000000000123 0100000000000124 20 03", nil, true)
}

func TestFastTransferSourceCopyTo(t *testing.T) {
	req := "4d" + /*RopId*/ "00" + /*LogonId*/ "00" + /*InputHandleIndex*/ "01" + /*OutputHandleIndex*/
		"00" + /*Level*/ "00200000" + /*CopyFlags: BestBody (4 bytes)*/ "01" + /*SendOptions*/
		"0100" + /*PropertyTagCount*/ "1f003700" /*PropertyTags: PidTagSubject*/
	r := checkRequest(t, req, nil).(*FastTransferSourceCopyToRequest)
	if r.CopyFlags != 0x2000 || len(r.PropertyTags) != 1 || r.PropertyTags[0] != 0x0037001F {
		t.Fatalf("got %+v", r)
	}
	fxJSON(t, req, nil, true, `"BestBody"`)
	checkResponse(t, "4d 01 00000000", nil)
}

func TestFastTransferSourceCopyProperties(t *testing.T) {
	req := "69" + /*RopId*/ "00" + /*LogonId*/ "00" + /*InputHandleIndex*/ "01" + /*OutputHandleIndex*/
		"00" + /*Level*/ "01" + /*CopyFlags: Move*/ "01" + /*SendOptions*/
		"0200" + /*PropertyTagCount*/ "1f003700" + "0300070e" /*PropertyTags*/
	r := checkRequest(t, req, nil).(*FastTransferSourceCopyPropertiesRequest)
	if r.CopyFlags != 1 || len(r.PropertyTags) != 2 || r.PropertyTags[1] != 0x0E070003 {
		t.Fatalf("got %+v", r)
	}
	checkResponse(t, "69 01 00000000", nil)
}

func TestTellVersion(t *testing.T) {
	req := "86" + /*RopId*/ "00" + /*LogonId*/ "00" + /*InputHandleIndex*/ "0f00" + "0100" + "4b05" /*Version*/
	r := checkRequest(t, req, nil).(*TellVersionRequest)
	if r.Version != [3]uint16{15, 1, 1355} {
		t.Fatalf("got %+v", r)
	}
	checkResponse(t, "86"+ /*RopId*/ "00"+ /*InputHandleIndex*/ "00000000" /*ReturnValue*/, nil)
	decodeFails(t, "86 00 00 0f00 0100", nil, true)
}

func TestSynchronizationConfigure(t *testing.T) {
	req := "70" + /*RopId*/ "00" + /*LogonId*/ "00" + /*InputHandleIndex*/ "01" + /*OutputHandleIndex*/
		"01" + /*SynchronizationType: Contents*/ "01" + /*SendOptions: Unicode*/
		"b920" + /*SynchronizationFlags: Unicode|ReadState|FAI|Normal|OnlySpecifiedProperties|BestBody*/
		"0500" + /*RestrictionDataSize*/ "08" + "1f003700" + /*RestrictionData: ExistRestriction PidTagSubject*/
		"07000000" + /*SynchronizationExtraFlags: Eid|MessageSize|CN*/
		"0100" + /*PropertyTagCount*/ "0300070e" /*PropertyTags*/
	r := checkRequest(t, req, nil).(*SynchronizationConfigureRequest)
	if r.SynchronizationType != 1 || r.SynchronizationFlags != 0x20B9 || r.SynchronizationExtraFlags != 7 {
		t.Fatalf("got %+v", r)
	}
	if r.RestrictionData == nil || r.RestrictionData.RestrictType != prop.RestrictExist || r.RestrictionData.PropTag != 0x0037001F {
		t.Fatalf("restriction %+v", r.RestrictionData)
	}
	if len(r.PropertyTags) != 1 || r.PropertyTags[0] != 0x0E070003 {
		t.Fatalf("tags %v", r.PropertyTags)
	}
	fxJSON(t, req, nil, true, `"Contents"`, `"Unicode|ReadState|FAI|Normal|OnlySpecifiedProperties|BestBody"`,
		`"Eid|MessageSize|CN"`, `"ExistRestriction"`)

	// No restriction: RestrictionDataSize 0.
	noRes := "70 00 00 01 02 00 0100 0000 00000000 0000"
	r = checkRequest(t, noRes, nil).(*SynchronizationConfigureRequest)
	if r.RestrictionData != nil || r.SynchronizationType != 2 {
		t.Fatalf("got %+v", r)
	}
	fxJSON(t, noRes, nil, true, `"Hierarchy"`)

	resp := checkResponse(t, "70"+ /*RopId*/ "01"+ /*OutputHandleIndex*/ "00000000" /*ReturnValue*/, nil).(*SynchronizationConfigureResponse)
	if resp.HandleIndex != 1 {
		t.Fatalf("got %+v", resp)
	}
	// RestrictionDataSize larger than what follows, and a restriction
	// that leaves bytes unread inside its size.
	decodeFails(t, "70 00 00 01 01 01 b920 0900 08 1f003700", nil, true)
	decodeFails(t, "70 00 00 01 01 01 b920 0600 08 1f003700 00 07000000 0000", nil, true)
}

func TestSynchronizationImportMessageChange(t *testing.T) {
	req := "72" + /*RopId*/ "00" + /*LogonId*/ "00" + /*InputHandleIndex*/ "01" + /*OutputHandleIndex*/
		"10" + /*ImportFlag: Associated*/ "0200" + /*PropertyValueCount*/
		"0201e065" + "1600" + fxXID1 + /*PidTagSourceKey, PtypBinary*/
		"0300070e" + "01000000" /*PidTagMessageFlags*/
	r := checkRequest(t, req, nil).(*SynchronizationImportMessageChangeRequest)
	if r.ImportFlag != 0x10 || len(r.PropertyValues) != 2 {
		t.Fatalf("got %+v", r)
	}
	if b, _ := r.PropertyValues[0].Value.([]byte); len(b) != 22 {
		t.Fatalf("source key %v", r.PropertyValues[0].Value)
	}
	fxJSON(t, req, nil, true, `"Associated"`)

	resp := "72" + /*RopId*/ "01" + /*OutputHandleIndex*/ "00000000" + /*ReturnValue*/ "0100000000000456" /*MessageId*/
	p := checkResponse(t, resp, nil).(*SynchronizationImportMessageChangeResponse)
	if p.MessageId.GlobalCounter() != 0x456 {
		t.Fatalf("got %+v", p)
	}
	// Failure: no MessageId.
	p = checkResponse(t, "72 01 0f010480" /*ecNotFound*/, nil).(*SynchronizationImportMessageChangeResponse)
	if p.MessageId != 0 || p.ReturnValue != 0x8004010F {
		t.Fatalf("got %+v", p)
	}
	decodeFails(t, "72 01 00000000 01000000", nil, false)
}

func TestSynchronizationImportReadStateChanges(t *testing.T) {
	req := "80" + /*RopId*/ "00" + /*LogonId*/ "00" + /*InputHandleIndex*/ "3200" + /*MessageReadStateSize: 50*/
		"1600" + fxXID1 + "01" + /*MessageIdSize, MessageId, MarkAsRead*/
		"1600" + fxXID2 + "00"
	r := checkRequest(t, req, nil).(*SynchronizationImportReadStateChangesRequest)
	if len(r.MessageReadStates) != 2 || !r.MessageReadStates[0].MarkAsRead || r.MessageReadStates[1].MarkAsRead ||
		len(r.MessageReadStates[1].MessageId) != 22 || r.MessageReadStates[1].MessageId[21] != 2 {
		t.Fatalf("got %+v", r)
	}
	checkRequest(t, "80 00 00 0000", nil)
	checkResponse(t, "80"+ /*RopId*/ "00"+ /*InputHandleIndex*/ "00000000" /*ReturnValue*/, nil)
	// The size exceeds the buffer; a MessageId overruns the size; the
	// size ends inside a state.
	decodeFails(t, "80 00 00 3300 1600"+fxXID1+"01"+"1600"+fxXID2+"00", nil, true)
	decodeFails(t, "80 00 00 1800 1700"+fxXID1+"01", nil, true)
	decodeFails(t, "80 00 00 1a00 1600"+fxXID1+"01 16", nil, true)
}

func TestSynchronizationImportHierarchyChange(t *testing.T) {
	req := "73" + /*RopId*/ "00" + /*LogonId*/ "00" + /*InputHandleIndex*/
		"0200" + /*HierarchyValueCount*/ "0201e165" + "0000" + /*PidTagParentSourceKey (empty)*/
		"0201e065" + "1600" + fxXID1 + /*PidTagSourceKey*/
		"0100" + /*PropertyValueCount*/ "1f000130" + "410062000000" /*PidTagDisplayName "Ab"*/
	r := checkRequest(t, req, nil).(*SynchronizationImportHierarchyChangeRequest)
	if len(r.HierarchyValues) != 2 || len(r.PropertyValues) != 1 || r.PropertyValues[0].Value.(string) != "Ab" {
		t.Fatalf("got %+v", r)
	}
	resp := "73" + /*RopId*/ "00" + /*InputHandleIndex*/ "00000000" + /*ReturnValue*/ "0100000000000789" /*FolderId*/
	p := checkResponse(t, resp, nil).(*SynchronizationImportHierarchyChangeResponse)
	if p.FolderId.GlobalCounter() != 0x789 {
		t.Fatalf("got %+v", p)
	}
	p = checkResponse(t, "73 00 0f010480", nil).(*SynchronizationImportHierarchyChangeResponse)
	if p.FolderId != 0 {
		t.Fatalf("got %+v", p)
	}
}

func TestSynchronizationImportDeletes(t *testing.T) {
	req := "74" + /*RopId*/ "00" + /*LogonId*/ "00" + /*InputHandleIndex*/ "02" + /*ImportDeleteFlags: HardDelete*/
		"0100" + /*PropertyValueCount*/ "02110000" + /*PropertyTag: PtypMultipleBinary*/
		"02000000" + /*value count*/ "1600" + fxXID1 + "1600" + fxXID2 /*GIDs*/
	r := checkRequest(t, req, nil).(*SynchronizationImportDeletesRequest)
	gids := r.GIDs()
	if r.ImportDeleteFlags != 0x02 || len(gids) != 2 || gids[1][21] != 2 {
		t.Fatalf("got %+v", r)
	}
	fxJSON(t, req, nil, true, `"HardDelete"`)
	checkResponse(t, "74"+ /*RopId*/ "00"+ /*InputHandleIndex*/ "00000000" /*ReturnValue*/, nil)
	// A value that is not a PtypMultipleBinary is noted.
	decodeFails(t, "74 00 00 01 0100 0300070e 01000000", nil, true)
	decodeFails(t, "74 00 00 02 0100 02110000 03000000 1600"+fxXID1, nil, true)
}

func TestSynchronizationImportMessageMove(t *testing.T) {
	req := "78" + /*RopId*/ "00" + /*LogonId*/ "00" + /*InputHandleIndex*/
		"16000000" + fxXID1 + /*SourceFolderIdSize, SourceFolderId*/
		"16000000" + fxXID2 + /*SourceMessageIdSize, SourceMessageId*/
		"17000000" + "16" + fxXID1 + /*PredecessorChangeListSize, PredecessorChangeList*/
		"16000000" + fxXID2 + /*DestinationMessageIdSize, DestinationMessageId*/
		"16000000" + fxXID1 /*ChangeNumberSize, ChangeNumber*/
	r := checkRequest(t, req, nil).(*SynchronizationImportMessageMoveRequest)
	if len(r.SourceFolderId) != 22 || len(r.PredecessorChangeList) != 23 || len(r.ChangeNumber) != 22 {
		t.Fatalf("got %+v", r)
	}
	resp := "78" + /*RopId*/ "00" + /*InputHandleIndex*/ "00000000" + /*ReturnValue*/ "0000000000000000" /*MessageId*/
	checkResponse(t, resp, nil)
	// NewerClientChange (0x00040821) succeeds but carries no MessageId:
	// MessageId is present only with Success ([MS-OXCFXICS] 2.2.3.2.4.4.2).
	p := checkResponse(t, "78 00 21080400", nil).(*SynchronizationImportMessageMoveResponse)
	if p.ReturnValue != 0x00040821 {
		t.Fatalf("got %+v", p)
	}
	decodeFails(t, "78 00 00 16000000"+fxXID1+"ffffff7f", nil, true)
}

func TestSynchronizationOpenCollector(t *testing.T) {
	r := checkRequest(t, "7e"+ /*RopId*/ "00"+ /*LogonId*/ "00"+ /*InputHandleIndex*/ "01"+ /*OutputHandleIndex*/ "01" /*IsContentsCollector*/, nil).(*SynchronizationOpenCollectorRequest)
	if !r.IsContentsCollector || r.OutputHandleIndex != 1 {
		t.Fatalf("got %+v", r)
	}
	checkResponse(t, "7e"+ /*RopId*/ "01"+ /*OutputHandleIndex*/ "00000000" /*ReturnValue*/, nil)
}

func TestSynchronizationGetTransferState(t *testing.T) {
	r := checkRequest(t, "82"+ /*RopId*/ "00"+ /*LogonId*/ "00"+ /*InputHandleIndex*/ "02" /*OutputHandleIndex*/, nil).(*SynchronizationGetTransferStateRequest)
	if r.OutputHandleIndex != 2 {
		t.Fatalf("got %+v", r)
	}
	checkResponse(t, "82"+ /*RopId*/ "02"+ /*OutputHandleIndex*/ "00000000" /*ReturnValue*/, nil)
}

func TestSynchronizationUploadStateStream(t *testing.T) {
	begin := "75" + /*RopId*/ "00" + /*LogonId*/ "00" + /*InputHandleIndex*/
		"02019667" + /*StateProperty: MetaTagCnsetSeen*/ "20000000" /*TransferBufferSize*/
	b := checkRequest(t, begin, nil).(*SynchronizationUploadStateStreamBeginRequest)
	if b.StateProperty != 0x67960102 || b.TransferBufferSize != 32 {
		t.Fatalf("got %+v", b)
	}
	checkResponse(t, "75 00 00000000", nil)

	cont := "76" + /*RopId*/ "00" + /*LogonId*/ "00" + /*InputHandleIndex*/ "04000000" + /*StreamDataSize*/ "01020304" /*StreamData*/
	s := checkRequest(t, cont, nil).(*SynchronizationUploadStateStreamContinueRequest)
	if len(s.StreamData) != 4 {
		t.Fatalf("got %+v", s)
	}
	checkResponse(t, "76 00 00000000", nil)
	decodeFails(t, "76 00 00 05000000 01020304", nil, true)

	checkRequest(t, "77"+ /*RopId*/ "00"+ /*LogonId*/ "00" /*InputHandleIndex*/, nil)
	checkResponse(t, "77 00 00000000", nil)
}

func TestSetLocalReplicaMidsetDeleted(t *testing.T) {
	// A LongTermID: DatabaseGuid, GlobalCounter, Pad.
	ltid := func(cnt string) string { return fxGUID + cnt + "0000" }
	req := "93" + /*RopId*/ "00" + /*LogonId*/ "00" + /*InputHandleIndex*/ "3400" + /*DataSize: 4+48*/
		"01000000" + /*LongTermIdRangeCount*/ ltid("000000000100") + ltid("0000000001ff") /*MinLongTermId, MaxLongTermId*/
	r := checkRequest(t, req, nil).(*SetLocalReplicaMidsetDeletedRequest)
	if len(r.LongTermIdRanges) != 1 || r.LongTermIdRanges[0].MinLongTermId.GlobalCounter != 0x100 ||
		r.LongTermIdRanges[0].MaxLongTermId.GlobalCounter != 0x1FF {
		t.Fatalf("got %+v", r)
	}
	checkRequest(t, "93 00 00 0400 00000000", nil)
	checkResponse(t, "93"+ /*RopId*/ "00"+ /*InputHandleIndex*/ "00000000" /*ReturnValue*/, nil)
	// A count of 2 ranges cannot fit in DataSize.
	decodeFails(t, "93 00 00 3400 02000000"+ltid("000000000100")+ltid("0000000001ff"), nil, true)
}

func TestGetLocalReplicaIds(t *testing.T) {
	r := checkRequest(t, "7f"+ /*RopId*/ "00"+ /*LogonId*/ "00"+ /*InputHandleIndex*/ "00020000" /*IdCount*/, nil).(*GetLocalReplicaIdsRequest)
	if r.IdCount != 0x200 {
		t.Fatalf("got %+v", r)
	}
	resp := "7f" + /*RopId*/ "00" + /*InputHandleIndex*/ "00000000" + /*ReturnValue*/
		fxGUID + /*ReplGuid*/ "000000001000" /*GlobalCount*/
	p := checkResponse(t, resp, nil).(*GetLocalReplicaIdsResponse)
	if p.GlobalCount != 0x1000 || p.ReplGuid[1] != 0x11 {
		t.Fatalf("got %+v", p)
	}
	p = checkResponse(t, "7f 00 0f010480", nil).(*GetLocalReplicaIdsResponse)
	if p.GlobalCount != 0 {
		t.Fatalf("got %+v", p)
	}
	decodeFails(t, "7f 00 00000000"+fxGUID+"0000", nil, false)
}

func TestFXICSRegistered(t *testing.T) {
	for id, sec := range map[uint8]string{
		0x53: "2.2.12.1", 0x54: "2.2.12.2", 0x9D: "2.2.12.3", 0x4E: "2.2.12.4", 0x4C: "2.2.12.5",
		0x4B: "2.2.12.6", 0x4D: "2.2.12.7", 0x69: "2.2.12.8", 0x86: "2.2.12.9",
		0x70: "2.2.13.1", 0x72: "2.2.13.2", 0x80: "2.2.13.3", 0x73: "2.2.13.4", 0x74: "2.2.13.5",
		0x78: "2.2.13.6", 0x7E: "2.2.13.7", 0x82: "2.2.13.8", 0x75: "2.2.13.9", 0x76: "2.2.13.10",
		0x77: "2.2.13.11", 0x93: "2.2.13.12", 0x7F: "2.2.13.13",
	} {
		in, ok := Lookup(id)
		if !ok || in.Section != sec || in.Request == nil || in.Response == nil {
			t.Errorf("0x%02X: %+v", id, in)
		}
	}
}

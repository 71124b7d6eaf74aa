package rop

import (
	"strings"
	"testing"
)

func TestTransportRegistry(t *testing.T) {
	for _, want := range []struct {
		id      uint8
		section string
	}{
		{0x32, "2.2.7.1"}, {0x34, "2.2.7.2"}, {0x49, "2.2.7.3"}, {0x47, "2.2.7.4"},
		{0x48, "2.2.7.5"}, {0x4A, "2.2.7.6"}, {0x51, "2.2.7.7"}, {0x6D, "2.2.7.8"},
		{0x6F, "2.2.7.9"},
	} {
		in, ok := Lookup(want.id)
		if !ok || in.Section != want.section || in.Request == nil || in.Response == nil ||
			in.Spec != "MS-OXOMSG" || in.NotOnWire || in.ReqOnly || in.RespOnly {
			t.Errorf("0x%02X: got %+v", want.id, in)
		}
	}
}

// [MS-OXOMSG] 4.1.1 (shared vector oxomsg-4.1.1-submitmessage-req).
func TestSubmitMessage(t *testing.T) {
	req := checkRequest(t, "32"+ /*LogonId*/ "00"+ /*InputHandleIndex*/ "02"+ /*SubmitFlags None*/ "00", nil).(*SubmitMessageRequest)
	if req.RopId != 0x32 || req.LogonId != 0 || req.InputHandleIndex != 2 || req.SubmitFlags != 0 {
		t.Fatalf("got %+v", req)
	}
	if js := treeJSON(t, "32000200", nil, true); !strings.Contains(js, `"None"`) {
		t.Fatalf("SubmitFlags not named: %s", js)
	}
	if js := treeJSON(t, "32000203", nil, true); !strings.Contains(js, "PreProcess|NeedsSpooler") {
		t.Fatalf("SubmitFlags not named: %s", js)
	}
	r := checkResponse(t, "32"+ /*InputHandleIndex*/ "02"+ /*ReturnValue*/ "00000000", nil).(*SubmitMessageResponse)
	if r.HandleIndex != 2 || r.ReturnValue != 0 {
		t.Fatalf("got %+v", r)
	}
	checkResponse(t, "32 02 05000780", nil)
	decodeFails(t, "32 00 02", nil, true)
}

// [MS-OXOMSG] 4.3.1.
func TestAbortSubmit(t *testing.T) {
	req := checkRequest(t, "34"+ /*LogonId*/ "00"+ /*InputHandleIndex*/ "00"+
		/*FolderId 0001-0003b479ca47*/ "01000003b479ca47"+
		/*MessageId 0001-0003b7e65fa7*/ "01000003b7e65fa7", nil).(*AbortSubmitRequest)
	if req.FolderId.String() != "0001-0003B479CA47" || req.MessageId.String() != "0001-0003B7E65FA7" {
		t.Fatalf("got %v %v", req.FolderId, req.MessageId)
	}
	checkResponse(t, "34"+ /*InputHandleIndex*/ "00"+ /*ReturnValue*/ "00000000", nil)
	// ecNotInQueue.
	r := checkResponse(t, "34 00 01060480", nil).(*AbortSubmitResponse)
	if r.ReturnValue != 0x80040601 {
		t.Fatalf("got %+v", r)
	}
	decodeFails(t, "34 00 00 01000003b479ca47 010000", nil, true)
}

// [MS-OXCROPS] 2.2.7.3.
func TestGetAddressTypes(t *testing.T) {
	checkRequest(t, "49"+ /*LogonId*/ "00"+ /*InputHandleIndex*/ "00", nil)
	resp := "49" + /*InputHandleIndex*/ "00" + /*ReturnValue*/ "00000000" +
		/*AddressTypeCount*/ "0200" + /*AddressTypeSize*/ "0800" +
		/*AddressTypes "EX", "SMTP"*/ "455800" + "534d545000"
	r := checkResponse(t, resp, nil).(*GetAddressTypesResponse)
	if len(r.AddressTypes) != 2 || r.AddressTypes[0] != "EX" || r.AddressTypes[1] != "SMTP" {
		t.Fatalf("got %+v", r)
	}
	checkResponse(t, "49 00 02010480", nil)
	// AddressTypeSize runs past the buffer.
	decodeFails(t, "49 00 00000000 0200 0900 455800534d545000", nil, false)
	// One string, but AddressTypeSize covers two: bytes left unread.
	decodeFails(t, "49 00 00000000 0100 0800 455800534d545000", nil, false)
	// Two strings, but AddressTypeSize covers one.
	decodeFails(t, "49 00 00000000 0200 0300 455800534d545000", nil, false)
}

// [MS-OXOMSG] 4.6.1.2 (shared vector oxomsg-4.6.1.2-setspooler-resp).
func TestSetSpooler(t *testing.T) {
	checkRequest(t, "47"+ /*LogonId*/ "00"+ /*InputHandleIndex*/ "00", nil)
	r := checkResponse(t, "47"+ /*InputHandleIndex*/ "00"+ /*ReturnValue ecNone*/ "00000000", nil).(*SetSpoolerResponse)
	if r.RopId != 0x47 || r.HandleIndex != 0 || r.ReturnValue != 0 {
		t.Fatalf("got %+v", r)
	}
	checkResponse(t, "470000000000", nil)
	checkResponse(t, "47 00 02010480", nil)
}

// [MS-OXCROPS] 2.2.7.5; response from [MS-OXOMSG] 4.6.6.2.
func TestSpoolerLockMessage(t *testing.T) {
	req := checkRequest(t, "48"+ /*LogonId*/ "00"+ /*InputHandleIndex*/ "00"+
		/*MessageId*/ "01000003b7e65fa7"+ /*LockState lstFinished*/ "02", nil).(*SpoolerLockMessageRequest)
	if req.LockState != 2 || req.MessageId.GlobalCounter() != 0x03b7e65fa7 {
		t.Fatalf("got %+v", req)
	}
	if js := treeJSON(t, "48 00 00 01000003b7e65fa7 02", nil, true); !strings.Contains(js, "lstFinished") {
		t.Fatalf("LockState not named: %s", js)
	}
	checkResponse(t, "48"+ /*InputHandleIndex*/ "00"+ /*ReturnValue*/ "00000000", nil)
	checkResponse(t, "48 00 01060480", nil)
	decodeFails(t, "48 00 00 01000003b7e65fa7", nil, true)
}

// [MS-OXCROPS] 2.2.7.6.
func TestTransportSend(t *testing.T) {
	checkRequest(t, "4a"+ /*LogonId*/ "00"+ /*InputHandleIndex*/ "01", nil)
	r := checkResponse(t, "4a"+ /*InputHandleIndex*/ "01"+ /*ReturnValue*/ "00000000"+
		/*NoPropertiesReturned*/ "01", nil).(*TransportSendResponse)
	if !r.NoPropertiesReturned || r.PropertyValues != nil {
		t.Fatalf("got %+v", r)
	}
	resp := "4a" + /*InputHandleIndex*/ "01" + /*ReturnValue*/ "00000000" + /*NoPropertiesReturned*/ "00" +
		/*PropertyValueCount*/ "0200" +
		/*PidTagMessageFlags (PtypInteger32) mfRead*/ "0300070e" + "01000000" +
		/*PidTagSubject (PtypString8) "Hi"*/ "1e003700" + "486900"
	r = checkResponse(t, resp, nil).(*TransportSendResponse)
	if r.NoPropertiesReturned || len(r.PropertyValues) != 2 {
		t.Fatalf("got %+v", r)
	}
	if v := r.PropertyValues[0]; v.Tag != 0x0E070003 || v.Value.(int32) != 1 {
		t.Fatalf("value 0: %+v", v)
	}
	if v := r.PropertyValues[1]; v.Tag != 0x0037001E || v.Value.(string) != "Hi" {
		t.Fatalf("value 1: %+v", v)
	}
	checkResponse(t, "4a 01 05000780", nil)
	decodeFails(t, resp[:len(resp)-14], nil, false)
	if _, err := Encode(nil, &TransportSendResponse{NoPropertiesReturned: true, PropertyValues: r.PropertyValues}, nil); err == nil {
		t.Fatalf("encoding values with NoPropertiesReturned succeeded")
	}
}

// [MS-OXCROPS] 2.2.7.7.
func TestTransportNewMail(t *testing.T) {
	req := checkRequest(t, "51"+ /*LogonId*/ "00"+ /*InputHandleIndex*/ "00"+
		/*MessageId*/ "01000003b7e65fa7"+ /*FolderId*/ "01000003b479ca47"+
		/*MessageClass "IPM.Note"*/ "49504d2e4e6f746500"+ /*MessageFlags mfRead|mfHasAttach*/ "11000000", nil).(*TransportNewMailRequest)
	if req.MessageClass != "IPM.Note" || req.MessageFlags != 0x11 || req.FolderId.String() != "0001-0003B479CA47" {
		t.Fatalf("got %+v", req)
	}
	if js := treeJSON(t, "51 00 00 01000003b7e65fa7 01000003b479ca47 49504d2e4e6f746500 11000000", nil, true); !strings.Contains(js, "mfRead|mfHasAttach") {
		t.Fatalf("MessageFlags not named: %s", js)
	}
	checkResponse(t, "51"+ /*InputHandleIndex*/ "00"+ /*ReturnValue*/ "00000000", nil)
	checkResponse(t, "51 00 02010480", nil)
	decodeFails(t, "51 00 00 01000003b7e65fa7 01000003b479ca47 49504d2e4e6f746500 1100", nil, true)
}

// [MS-OXCROPS] 2.2.7.8.
func TestGetTransportFolder(t *testing.T) {
	checkRequest(t, "6d"+ /*LogonId*/ "00"+ /*InputHandleIndex*/ "00", nil)
	r := checkResponse(t, "6d"+ /*InputHandleIndex*/ "00"+ /*ReturnValue*/ "00000000"+
		/*FolderId*/ "01000003b479ca47", nil).(*GetTransportFolderResponse)
	if r.FolderId.String() != "0001-0003B479CA47" {
		t.Fatalf("got %v", r.FolderId)
	}
	f := checkResponse(t, "6d 00 02010480", nil).(*GetTransportFolderResponse)
	if f.ReturnValue != 0x80040102 || f.FolderId != 0 {
		t.Fatalf("got %+v", f)
	}
	decodeFails(t, "6d 00 00000000 010000", nil, false)
}

// [MS-OXCROPS] 2.2.7.9.
func TestOptionsData(t *testing.T) {
	req := checkRequest(t, "6f"+ /*LogonId*/ "00"+ /*InputHandleIndex*/ "00"+
		/*AddressType "SMTP"*/ "534d545000"+ /*WantWin32*/ "01", nil).(*OptionsDataRequest)
	if req.AddressType != "SMTP" || req.WantWin32 != 1 {
		t.Fatalf("got %+v", req)
	}
	// [MS-OXOMSG] 2.2.4.4.1: any nonzero WantWin32 means TRUE, and round-trips.
	checkRequest(t, "6f 00 00 534d545000 02", nil)

	r := checkResponse(t, "6f"+ /*InputHandleIndex*/ "00"+ /*ReturnValue*/ "00000000"+
		/*Reserved*/ "01"+ /*OptionsInfoSize*/ "0000"+ /*HelpFileSize*/ "0000", nil).(*OptionsDataResponse)
	if r.Reserved != 1 || len(r.OptionsInfo) != 0 || len(r.HelpFile) != 0 || r.HelpFileName != "" {
		t.Fatalf("got %+v", r)
	}
	resp := "6f" + /*InputHandleIndex*/ "00" + /*ReturnValue*/ "00000000" + /*Reserved*/ "01" +
		/*OptionsInfoSize*/ "0200" + /*OptionsInfo*/ "0102" +
		/*HelpFileSize*/ "0300" + /*HelpFile*/ "aabbcc" + /*HelpFileName "smtp.hlp"*/ "736d74702e686c7000"
	r = checkResponse(t, resp, nil).(*OptionsDataResponse)
	if len(r.OptionsInfo) != 2 || len(r.HelpFile) != 3 || r.HelpFileName != "smtp.hlp" {
		t.Fatalf("got %+v", r)
	}
	checkResponse(t, "6f 00 0f010480", nil)
	// Reserved must be 0x01.
	decodeFails(t, "6f 00 00000000 00 0000 0000", nil, false)
	// HelpFileName lacks its NUL.
	decodeFails(t, resp[:len(resp)-2], nil, false)
	decodeFails(t, "6f 00 00000000 01 0500 0102", nil, false)
}

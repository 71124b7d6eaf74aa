package rop

import (
	"encoding/hex"
	"strings"
	"testing"

	"github.com/mapiscope/mapiscope/decode/wire"
)

// Permission ROPs — [MS-OXCROPS] 2.2.10, [MS-OXCPERM].

// [MS-OXCPERM] 4.1: the RopGetPermissionsTable request of the example.
func TestGetPermissionsTable(t *testing.T) {
	hexs := "3e 00 00" + // RopId, LogonId, InputHandleIndex
		"01" + // OutputHandleIndex
		"02" // TableFlags: IncludeFreeBusy
	c := &Ctx{}
	req := checkRequest(t, hexs, c).(*GetPermissionsTableRequest)
	if req.OutputHandleIndex != 1 || req.TableFlags != PermIncludeFreeBusy {
		t.Fatalf("got %+v", req)
	}
	if js := treeJSON(t, hexs, c, true); !strings.Contains(js, `"IncludeFreeBusy"`) {
		t.Fatalf("json %s", js)
	}
	// The request creates an object.
	c = &Ctx{}
	if _, err := DecodeRequest(wire.NewDecoder(unhex(t, hexs), false, "rop"), c); err != nil || !c.HasOutput || c.OutputHandleIndex != 1 {
		t.Fatalf("output handle not recorded: %+v %v", c, err)
	}
	resp := checkResponse(t, "3e 01 00000000", nil).(*GetPermissionsTableResponse) // RopId, OutputHandleIndex, ReturnValue
	if resp.HandleIndex != 1 {
		t.Fatalf("got %+v", resp)
	}
	if js := treeJSON(t, "3e 01 00000000", nil, false); !strings.Contains(js, `"OutputHandleIndex"`) {
		t.Fatalf("json %s", js)
	}
}

const modifyPermissionsReq = "40 00 01" + // RopId, LogonId, InputHandleIndex
	"00" + // ModifyFlags
	"0200" + // ModifyCount
	// PermissionsData[0]
	"01" + // PermissionDataFlags: AddRow
	"0200" + // PropertyValueCount
	"0201ff0f 0400 deadbeef" + // PidTagEntryId (PtypBinary, 16-bit count)
	"03007366 7b040000" + // PidTagMemberRights 0x47B
	// PermissionsData[1]
	"04" + // PermissionDataFlags: RemoveRow
	"0100" + // PropertyValueCount
	"14007166 0100000000000000" // PidTagMemberId 1

func TestModifyPermissions(t *testing.T) {
	r := checkRequest(t, modifyPermissionsReq, nil).(*ModifyPermissionsRequest)
	if len(r.PermissionsData) != 2 {
		t.Fatalf("got %+v", r)
	}
	add, rm := r.PermissionsData[0], r.PermissionsData[1]
	if add.PermissionDataFlags != PermAddRow || len(add.PropertyValues) != 2 ||
		string(add.PropertyValues[0].Value.([]byte)) != "\xde\xad\xbe\xef" ||
		add.PropertyValues[1].Tag != 0x66730003 || add.PropertyValues[1].Value.(int32) != 0x47B {
		t.Fatalf("AddRow %+v", add)
	}
	if rm.PermissionDataFlags != PermRemoveRow || rm.PropertyValues[0].Value.(int64) != 1 {
		t.Fatalf("RemoveRow %+v", rm)
	}
	js := treeJSON(t, modifyPermissionsReq, nil, true)
	for _, s := range []string{`"AddRow"`, `"RemoveRow"`, "PidTagMemberRights", "PidTagEntryId"} {
		if !strings.Contains(js, s) {
			t.Fatalf("json lacks %s: %s", s, js)
		}
	}
	// ReplaceRows|IncludeFreeBusy with one ModifyRow.
	r = checkRequest(t, "40 00 01"+
		"03"+ // ModifyFlags: ReplaceRows|IncludeFreeBusy
		"0100"+ // ModifyCount
		"02 0200 14007166 0100000000000000 03007366 00080000", // ModifyRow: PidTagMemberId, PidTagMemberRights
		nil).(*ModifyPermissionsRequest)
	if r.ModifyFlags != PermReplaceRows|PermIncludeFreeBusy || r.PermissionsData[0].PermissionDataFlags != PermModifyRow {
		t.Fatalf("got %+v", r)
	}
	// Truncated: the second PermissionData is cut short.
	full := unhex(t, modifyPermissionsReq)
	decodeFails(t, hex.EncodeToString(full[:len(full)-5]), nil, true)
	// ModifyCount claims more than the bytes can hold.
	decodeFails(t, "40 00 01 00 0900 01 0000", nil, true)

	checkResponse(t, "40 01 00000000", nil) // RopId, InputHandleIndex, ReturnValue
	f := checkResponse(t, "40 01 05000780", nil).(*ModifyPermissionsResponse)
	if f.ReturnValue != 0x80070005 {
		t.Fatalf("got %+v", f)
	}
}

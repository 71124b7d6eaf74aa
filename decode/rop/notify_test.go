package rop

import (
	"bytes"
	"testing"

	"github.com/mapiscope/mapiscope/decode/prop"
	"github.com/mapiscope/mapiscope/decode/wire"
)

// Fixtures composed from the field tables of [MS-OXCROPS] 2.2.14 and
// [MS-OXCNOTIF] 2.2.1.2.1 / 2.2.1.4.1.2.

const (
	ntHandle = "78563412" // NotificationHandle 0x12345678
	ntFid    = "0100000000000010"
	ntMid    = "0100000000000020"
	ntPfid   = "0100000000000001"
	ntOldFid = "0100000000000011"
	ntOldMid = "0100000000000021"
	ntOldPfd = "0100000000000002"
)

func TestRegisterNotification(t *testing.T) {
	whole := "29" + /*RopId*/ "00" + /*LogonId*/ "00" + /*InputHandleIndex*/ "01" + /*OutputHandleIndex*/
		"02" + /*NotificationTypes: NewMail*/ "00" + /*Reserved*/ "01" /*WantWholeStore*/
	r := checkRequest(t, whole, nil).(*RegisterNotificationRequest)
	if !r.WantWholeStore || r.NotificationTypes != 0x02 || r.FolderId != 0 {
		t.Fatalf("got %+v", r)
	}
	fxJSON(t, whole, nil, true, `"NewMail"`)

	// WantWholeStore false: FolderId and MessageId follow.
	one := "29" + /*RopId*/ "00" + /*LogonId*/ "00" + /*InputHandleIndex*/ "01" + /*OutputHandleIndex*/
		"3c" + /*NotificationTypes: ObjectCreated|ObjectDeleted|ObjectModified|ObjectMoved*/
		"00" + /*Reserved*/ "00" + /*WantWholeStore*/ ntFid + /*FolderId*/ ntMid /*MessageId*/
	r = checkRequest(t, one, nil).(*RegisterNotificationRequest)
	if r.WantWholeStore || r.FolderId.GlobalCounter() != 0x10 || r.MessageId.GlobalCounter() != 0x20 {
		t.Fatalf("got %+v", r)
	}
	fxJSON(t, one, nil, true, `"ObjectCreated|ObjectDeleted|ObjectModified|ObjectMoved"`)
	decodeFails(t, "29 00 00 01 3c 00 00"+ntFid, nil, true)

	resp := checkResponse(t, "29"+ /*RopId*/ "01"+ /*OutputHandleIndex*/ "00000000" /*ReturnValue*/, nil).(*RegisterNotificationResponse)
	if resp.HandleIndex != 1 {
		t.Fatalf("got %+v", resp)
	}
	checkResponse(t, "29 01 0f010480", nil)
}

func TestPending(t *testing.T) {
	r := checkResponse(t, "6e"+ /*RopId*/ "0100" /*SessionIndex*/, nil).(*PendingResponse)
	if r.SessionIndex != 1 || r.Header().RopId != 0x6E {
		t.Fatalf("got %+v", r)
	}
	decodeFails(t, "6e 01", nil, false)
	if in, ok := Lookup(0x6E); !ok || !in.RespOnly || in.Request != nil || in.Section != "2.2.14.3" {
		t.Fatalf("registry %+v", in)
	}
}

func TestNotifyNewMail(t *testing.T) {
	hex := "2a" + /*RopId*/ ntHandle + /*NotificationHandle*/ "00" + /*LogonId*/
		"0280" + /*NotificationFlags: NewMail|M*/ ntFid + /*FolderId*/ ntMid + /*MessageId*/
		"10000000" + /*MessageFlags: mfHasAttach*/ "00" + /*UnicodeFlag*/ "49504d2e4e6f746500" /*MessageClass "IPM.Note"*/
	r := checkResponse(t, hex, nil).(*NotifyResponse)
	d := r.NotificationData
	if r.NotificationHandle != 0x12345678 || d.Type() != NotifyNewMail || d.MessageClass != "IPM.Note" ||
		d.FolderId.GlobalCounter() != 0x10 || d.MessageId.GlobalCounter() != 0x20 || d.MessageFlags != 0x10 {
		t.Fatalf("got %+v", r)
	}
	if r.Header().RopId != 0x2A {
		t.Fatalf("header %+v", r.Header())
	}
	fxJSON(t, hex, nil, false, `"NewMail|M"`, `"mfHasAttach"`, `"IPM.Note"`)

	// UnicodeFlag TRUE: MessageClass in UTF-16.
	uni := "2a" + ntHandle + "00" + "0280" + ntFid + ntMid + "00000000" + "01" + /*UnicodeFlag*/
		"490050004d002e004e006f007400650000 00" /*MessageClass*/
	r = checkResponse(t, uni, nil).(*NotifyResponse)
	if !r.NotificationData.UnicodeFlag || r.NotificationData.MessageClass != "IPM.Note" {
		t.Fatalf("got %+v", r)
	}
	decodeFails(t, "2a"+ntHandle+"00 0280"+ntFid+ntMid+"00000000 00 49504d", nil, false)
}

func TestNotifyObjectEvents(t *testing.T) {
	for _, tc := range []struct {
		name  string
		hex   string // NotificationData
		check func(d *NotificationData) bool
	}{
		{"ObjectCreated folder",
			"0400" + /*NotificationFlags*/ ntFid + /*FolderId*/ ntPfid + /*ParentFolderId*/
				"0200" + /*TagCount*/ "1f000130" + "03000236", /*Tags*/
			func(d *NotificationData) bool {
				return d.ParentFolderId.GlobalCounter() == 1 && len(d.Tags) == 2 && d.Tags[1] == 0x36020003
			}},
		{"ObjectCreated message",
			"0480" + /*NotificationFlags: M*/ ntFid + /*FolderId*/ ntMid + /*MessageId*/ "0000", /*TagCount*/
			func(d *NotificationData) bool {
				return d.MessageId.GlobalCounter() == 0x20 && d.ParentFolderId == 0 && d.TagCount == 0
			}},
		{"ObjectModified folder with counts",
			"1030" + /*NotificationFlags: T|U*/ ntFid + /*FolderId*/ "ffff" + /*TagCount*/
				"0a000000" + /*TotalMessageCount*/ "03000000", /*UnreadMessageCount*/
			func(d *NotificationData) bool {
				return d.TagCount == 0xFFFF && d.Tags == nil && d.TotalMessageCount == 10 && d.UnreadMessageCount == 3
			}},
		{"ObjectDeleted message in a search folder",
			"08c0" + /*NotificationFlags: S|M*/ ntFid + /*FolderId*/ ntMid + /*MessageId*/ ntPfid, /*ParentFolderId*/
			func(d *NotificationData) bool {
				return d.ParentFolderId.GlobalCounter() == 1 && d.MessageId.GlobalCounter() == 0x20
			}},
		{"ObjectMoved message",
			"2080" + /*NotificationFlags: M*/ ntFid + /*FolderId*/ ntMid + /*MessageId*/
				ntOldFid + /*OldFolderId*/ ntOldMid, /*OldMessageId*/
			func(d *NotificationData) bool {
				return d.OldFolderId.GlobalCounter() == 0x11 && d.OldMessageId.GlobalCounter() == 0x21 && d.OldParentFolderId == 0
			}},
		{"ObjectCopied folder",
			"4000" + /*NotificationFlags*/ ntFid + /*FolderId*/ ntPfid + /*ParentFolderId*/
				ntOldFid + /*OldFolderId*/ ntOldPfd, /*OldParentFolderId*/
			func(d *NotificationData) bool {
				return d.ParentFolderId.GlobalCounter() == 1 && d.OldParentFolderId.GlobalCounter() == 2
			}},
		{"SearchCompleted",
			"8000" + /*NotificationFlags*/ ntFid, /*FolderId*/
			func(d *NotificationData) bool {
				return d.Type() == NotifySearchCompleted && d.FolderId.GlobalCounter() == 0x10
			}},
	} {
		hex := "2a" + /*RopId*/ ntHandle + /*NotificationHandle*/ "00" /*LogonId*/ + tc.hex
		r := checkResponse(t, hex, nil).(*NotifyResponse)
		if !tc.check(&r.NotificationData) {
			t.Errorf("%s: got %+v", tc.name, r.NotificationData)
		}
	}
	fxJSON(t, "2a"+ntHandle+"00"+"08c0"+ntFid+ntMid+ntPfid, nil, false, `"ObjectDeleted|S|M"`, `"ParentFolderId"`)
	// ObjectModified with TagCount 2 but one tag.
	decodeFails(t, "2a"+ntHandle+"00 1000"+ntFid+"0200 1f000130", nil, false)
}

func TestNotifyTableModified(t *testing.T) {
	cols := []prop.Tag{0x0037001F, 0x0E070003} // PidTagSubject, PidTagMessageFlags
	byHandle := &Ctx{NotifyColumns: func(h uint32) ([]prop.Tag, bool) {
		if h == 0x12345678 {
			return cols, true
		}
		return nil, false
	}}
	row := "00" + /*Flag: standard row*/ "480069000000" + /*PidTagSubject "Hi"*/ "01000000" /*PidTagMessageFlags*/
	// RopId, NotificationHandle, LogonId.
	head := "2a" + ntHandle + "00"

	added := head + "0081" + /*NotificationFlags: TableModified|M*/ "0300" + /*TableEventType: TableRowAdded*/
		ntFid + /*TableRowFolderID*/ ntMid + /*TableRowMessageID*/ "00000000" + /*TableRowInstance*/
		ntFid + /*InsertAfterTableRowFolderID*/ ntOldMid + /*InsertAfterTableRowID*/ "00000000" + /*InsertAfterTableRowInstance*/
		"0b00" + /*TableRowDataSize*/ row /*TableRowData*/
	r := checkResponse(t, added, byHandle).(*NotifyResponse)
	d := r.NotificationData
	if d.TableEventType != TableEventRowAdded || d.TableRowMessageID.GlobalCounter() != 0x20 ||
		d.InsertAfterTableRowID.GlobalCounter() != 0x21 || d.TableRowData.Values[0].(string) != "Hi" ||
		d.TableRowData.Values[1].(int32) != 1 || d.FolderId != 0 {
		t.Fatalf("got %+v", d)
	}
	fxJSON(t, added, byHandle, false, `"TableModified|M"`, `"TableRowAdded"`, `"Hi"`)
	// Without the table's columns the row cannot be decoded.
	decodeFails(t, added, nil, false)
	decodeFails(t, added, &Ctx{NotifyColumns: func(uint32) ([]prop.Tag, bool) { return nil, false }}, false)
	// Ctx.Columns serves when the handle is not resolved.
	checkResponse(t, added, &Ctx{HasColumns: true, Columns: cols})
	// TableRowDataSize larger than the row: the byte left over is noted.
	decodeFails(t, head+"0081 0300"+ntFid+ntMid+"00000000"+ntFid+ntOldMid+"00000000 0c00"+row+"00", byHandle, false)

	// A folder row (no M) in a hierarchy table.
	modified := head + "0001" + /*NotificationFlags: TableModified*/ "0500" + /*TableEventType: TableRowModified*/
		ntFid + /*TableRowFolderID*/ ntPfid + /*InsertAfterTableRowFolderID*/ "0b00" + /*TableRowDataSize*/ row
	r = checkResponse(t, modified, byHandle).(*NotifyResponse)
	if r.NotificationData.InsertAfterTableRowFolderID.GlobalCounter() != 1 || r.NotificationData.TableRowMessageID != 0 {
		t.Fatalf("got %+v", r.NotificationData)
	}

	deleted := head + "0081" + /*NotificationFlags: TableModified|M*/ "0400" + /*TableEventType: TableRowDeleted*/
		ntFid + /*TableRowFolderID*/ ntMid + /*TableRowMessageID*/ "05000000" /*TableRowInstance*/
	r = checkResponse(t, deleted, nil).(*NotifyResponse)
	if r.NotificationData.TableRowInstance != 5 || r.NotificationData.TableRowMessageID.GlobalCounter() != 0x20 {
		t.Fatalf("got %+v", r.NotificationData)
	}

	// TableChanged, TableRestrictionChanged and TableReload carry only the
	// event type.
	for ev, name := range map[string]string{"0100": "TableChanged", "0700": "TableRestrictionChanged", "0900": "TableReload"} {
		hex := head + "0001" + /*NotificationFlags: TableModified*/ ev /*TableEventType*/
		checkResponse(t, hex, nil)
		fxJSON(t, hex, nil, false, `"`+name+`"`)
	}
}

// RopNotify and RopPending arrive unrequested in a ROP output buffer.
func TestNotifyInResponseBuffer(t *testing.T) {
	b := unhex(t, "1500"+ /*RopSize*/
		"2a"+ntHandle+"00"+"8000"+ntFid+ /*RopNotify: SearchCompleted*/
		"6e"+"0200"+ /*RopPending: SessionIndex 2*/
		"01000000" /*ServerObjectHandleTable*/)
	c := wire.NewDecoder(b, true, "buf")
	var rb ResponseBuffer
	CodecResponseBuffer(c, &rb, nil, nil)
	if len(c.Anomalies()) != 0 || len(rb.Rops) != 2 || rb.Pair[0] != -1 || rb.Pair[1] != -1 || len(rb.Handles) != 1 {
		t.Fatalf("got %+v anomalies %v", rb, c.Anomalies())
	}
	if p, ok := rb.Rops[1].(*PendingResponse); !ok || p.SessionIndex != 2 {
		t.Fatalf("got %T %+v", rb.Rops[1], rb.Rops[1])
	}
	e := wire.NewEncoder(nil)
	CodecResponseBuffer(e, &rb, nil, nil)
	if !bytes.Equal(e.Output(), b) {
		t.Fatalf("round trip %x", e.Output())
	}
}

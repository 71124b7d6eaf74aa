package rop

import (
	"bytes"
	"strings"
	"testing"

	"github.com/mapiscope/mapiscope/decode/prop"
	"github.com/mapiscope/mapiscope/decode/wire"
)

// Message and attachment ROPs — [MS-OXCROPS] 2.2.6, [MS-OXCMSG] — and
// RecipientRow, [MS-OXCDATA] 2.8.3. Hex is composed field by field from
// the specifications' tables.

// msgOpenResponse is a RopOpenMessage success response with one recipient.
const msgOpenResponse = "03 01 00000000" + // RopId, OutputHandleIndex, ReturnValue
	"00" + // HasNamedProperties
	"03 52453a2000" + // SubjectPrefix: StringType reduced Unicode, "RE: "
	"04 48006900 0000" + // NormalizedSubject: StringType Unicode, "Hi"
	"0100" + // RecipientCount
	"0200" + // ColumnCount
	"03000039 1f00fe39" + // RecipientColumns PidTagDisplayType, PidTagSmtpAddress
	"01" + // RowCount
	// RecipientRows[0]: OpenRecipientRow
	"01" + // RecipientType Primary
	"ff0f" + // CodePageId
	"0000" + // Reserved
	"1d00" + // RecipientRowSize 29
	"1b02" + // RecipientFlags SMTP|E|D|U
	"6100 4000 6200 0000" + // EmailAddress "a@b"
	"4100 0000" + // DisplayName "A"
	"0200" + // RecipientColumnCount
	"00" + // RecipientProperties: standard PropertyRow
	"00000000" + // PidTagDisplayType 0
	"6100 4000 6200 0000" // PidTagSmtpAddress "a@b"

func TestOpenMessage(t *testing.T) {
	r := checkRequest(t, "03 00 00"+ // RopId, LogonId, InputHandleIndex
		"01"+ // OutputHandleIndex
		"ff0f"+ // CodePageId (logon code page)
		"0100000000000001"+ // FolderId
		"03"+ // OpenModeFlags BestAccess
		"0100000000000002", // MessageId
		nil).(*OpenMessageRequest)
	if r.OutputHandleIndex != 1 || r.CodePageId != 0x0FFF || r.OpenModeFlags != 3 || r.MessageId != foldID(1, 2) {
		t.Fatalf("got %+v", r)
	}
	js := treeJSON(t, "03 00 00 01 ff0f 0100000000000001 03 0100000000000002", nil, true)
	if !strings.Contains(js, `"BestAccess"`) || !strings.Contains(js, `"logon code page"`) {
		t.Fatalf("JSON %s", js)
	}
	resp := checkResponse(t, msgOpenResponse, nil).(*OpenMessageResponse)
	if resp.SubjectPrefix.StringType != StringReducedUTF16 || resp.SubjectPrefix.String != "RE: " ||
		resp.NormalizedSubject.String != "Hi" || resp.RecipientCount != 1 || len(resp.RecipientColumns) != 2 ||
		len(resp.RecipientRows) != 1 {
		t.Fatalf("got %+v", resp)
	}
	row := resp.RecipientRows[0]
	rr := row.RecipientRow
	if row.RecipientType != 1 || rr.Type() != RecipSMTP || rr.EmailAddress != "a@b" || rr.DisplayName != "A" ||
		rr.RecipientColumnCount != 2 || len(rr.RecipientProperties.Values) != 2 ||
		rr.RecipientProperties.Values[1].(string) != "a@b" || rr.RawProperties != nil {
		t.Fatalf("row %+v", row)
	}
	js = treeJSON(t, msgOpenResponse, nil, false)
	for _, want := range []string{`"SMTP|D|E|U"`, `"Primary"`, `"ValueArray":[0,"a@b"]`, `"ReducedUnicode"`} {
		if !strings.Contains(js, want) {
			t.Errorf("JSON lacks %s: %s", want, js)
		}
	}
	f := checkResponse(t, "03 01 0f010480", nil).(*OpenMessageResponse) // ecNotFound: header only
	if f.ReturnValue != 0x8004010F || f.RecipientRows != nil {
		t.Fatalf("got %+v", f)
	}
	b := strings.Join(strings.Fields(msgOpenResponse), "")
	decodeFails(t, b[:len(b)-6], nil, false) // last property cut
	// RecipientColumnCount larger than ColumnCount.
	decodeFails(t, msgReplace(t, b, "4100000002", "4100000003"), nil, false)
	// RecipientRowSize one byte too large: a byte is left in the row.
	decodeFails(t, msgReplace(t, b, "1d001b02", "1e001b02")+"00", nil, false)
	// RowCount above RecipientCount.
	decodeFails(t, msgReplace(t, b, "010002000300", "000002000300"), nil, false)
	// Unknown StringType.
	decodeFails(t, "03 01 00000000 00 05", nil, false)
}

// msgReplace replaces old (which must occur) in s once.
func msgReplace(t *testing.T, s, old, new string) string {
	t.Helper()
	if !strings.Contains(s, old) {
		t.Fatalf("%s not in %s", old, s)
	}
	return strings.Replace(s, old, new, 1)
}

func TestCreateMessage(t *testing.T) {
	r := checkRequest(t, "06 00 00"+ // RopId, LogonId, InputHandleIndex
		"01"+ // OutputHandleIndex
		"ff0f"+ // CodePageId
		"0100000000000001"+ // FolderId
		"01", // AssociatedFlag
		nil).(*CreateMessageRequest)
	if r.OutputHandleIndex != 1 || !r.AssociatedFlag || r.FolderId != foldID(1, 1) {
		t.Fatalf("got %+v", r)
	}
	resp := checkResponse(t, "06 01 00000000"+ // RopId, OutputHandleIndex, ReturnValue
		"01"+ // HasMessageId
		"0100000000000005", // MessageId
		nil).(*CreateMessageResponse)
	if !resp.HasMessageId || resp.MessageId != foldID(1, 5) {
		t.Fatalf("got %+v", resp)
	}
	n := checkResponse(t, "06 01 00000000 00", nil).(*CreateMessageResponse)
	if n.HasMessageId || n.MessageId != 0 {
		t.Fatalf("got %+v", n)
	}
	checkResponse(t, "06 01 05000780", nil)
	decodeFails(t, "06 01 00000000 01 01000000", nil, false)
}

func TestSaveChangesMessage(t *testing.T) {
	r := checkRequest(t, "0c 00"+ // RopId, LogonId
		"01"+ // ResponseHandleIndex
		"00"+ // InputHandleIndex
		"02", // SaveFlags KeepOpenReadWrite
		nil).(*SaveChangesMessageRequest)
	if r.ResponseHandleIndex != 1 || r.InputHandleIndex != 0 || r.SaveFlags != 2 {
		t.Fatalf("got %+v", r)
	}
	if js := treeJSON(t, "0c 00 01 00 02", nil, true); !strings.Contains(js, `"ResponseHandleIndex":1`) ||
		!strings.Contains(js, `"KeepOpenReadWrite"`) {
		t.Fatalf("JSON %s", js)
	}
	resp := checkResponse(t, "0c 01 00000000"+ // RopId, ResponseHandleIndex, ReturnValue
		"00"+ // InputHandleIndex
		"0100000000000007", // MessageId
		nil).(*SaveChangesMessageResponse)
	if resp.HandleIndex != 1 || resp.InputHandleIndex != 0 || resp.MessageId != foldID(1, 7) {
		t.Fatalf("got %+v", resp)
	}
	f := checkResponse(t, "0c 01 09010480", nil).(*SaveChangesMessageResponse) // ecObjectModified
	if f.ReturnValue != 0x80040109 {
		t.Fatalf("got %+v", f)
	}
}

func TestRemoveAllRecipients(t *testing.T) {
	r := checkRequest(t, "0d 00 00"+ // RopId, LogonId, InputHandleIndex
		"00000000", // Reserved
		nil).(*RemoveAllRecipientsRequest)
	if r.Reserved != 0 {
		t.Fatalf("got %+v", r)
	}
	checkResponse(t, "0d 00 00000000", nil)
}

func TestModifyRecipients(t *testing.T) {
	const req = "0e 00 00" + // RopId, LogonId, InputHandleIndex
		"0200" + // ColumnCount
		"03000039 1f00fe39" + // RecipientColumns
		"0200" + // RowCount
		// RecipientRows[0]
		"00000000" + // RowId
		"01" + // RecipientType Primary
		"1600" + // RecipientRowSize 22
		"1102" + // RecipientFlags X500DN|D|U
		"00" + // AddressPrefixUsed
		"00" + // DisplayType DT_MAILUSER
		"2f6f3d7800" + // X500DN "/o=x"
		"42006f00 0000" + // DisplayName "Bo"
		"0100" + // RecipientColumnCount
		"00 00000000" + // RecipientProperties: PidTagDisplayType 0
		// RecipientRows[1]: removed
		"01000000" + // RowId
		"02" + // RecipientType Cc
		"0000" // RecipientRowSize 0
	r := checkRequest(t, req, nil).(*ModifyRecipientsRequest)
	if len(r.RecipientColumns) != 2 || len(r.RecipientRows) != 2 {
		t.Fatalf("got %+v", r)
	}
	a := r.RecipientRows[0].RecipientRow
	if a == nil || a.Type() != RecipX500DN || a.X500DN != "/o=x" || a.DisplayName != "Bo" ||
		len(a.RecipientProperties.Values) != 1 || a.RecipientProperties.Values[0].(int32) != 0 {
		t.Fatalf("row 0 %+v", a)
	}
	if r.RecipientRows[1].RowId != 1 || r.RecipientRows[1].RecipientType != 2 || r.RecipientRows[1].RecipientRow != nil {
		t.Fatalf("row 1 %+v", r.RecipientRows[1])
	}
	if js := treeJSON(t, req, nil, true); !strings.Contains(js, `"DT_MAILUSER"`) || !strings.Contains(js, `"X500DN|D|U"`) {
		t.Fatalf("JSON %s", js)
	}
	checkResponse(t, "0e 00 00000000", nil)
	decodeFails(t, "0e 00 00 0000 0100 00000000 01 0500 110200", nil, true) // row cut inside RecipientRowSize
}

// [MS-OXCDATA] 2.8.3.2: the optional fields of the other address types.
func TestRecipientRowTypes(t *testing.T) {
	const req = "0e 00 00" + // RopId, LogonId, InputHandleIndex
		"0000" + // ColumnCount
		"0200" + // RowCount
		// RecipientRows[0]: personal distribution list
		"02000000 01 0c00" + // RowId, RecipientType, RecipientRowSize 12
		"0600" + // RecipientFlags PersonalDistributionList1
		"0200 abcd" + // EntryIdSize, EntryID
		"0100 ef" + // SearchKeySize, SearchKey
		"0000 00" + // RecipientColumnCount, RecipientProperties (no columns)
		// RecipientRows[1]: non-standard address type, 8-bit strings
		"03000000 01 0d00" + // RowId, RecipientType, RecipientRowSize 13
		"2884" + // RecipientFlags NoType|E|T|I|O
		"5800" + // AddressType "X"
		"6500" + // EmailAddress "e"
		"7300" + // SimpleDisplayName "s"
		"7400" + // TransmittableDisplayName "t"
		"0000 00" // RecipientColumnCount, RecipientProperties
	r := checkRequest(t, req, nil).(*ModifyRecipientsRequest)
	d := r.RecipientRows[0].RecipientRow
	if d.Type() != RecipPersonalDistributionList1 || !bytes.Equal(d.EntryID, []byte{0xab, 0xcd}) ||
		!bytes.Equal(d.SearchKey, []byte{0xef}) {
		t.Fatalf("row 0 %+v", d)
	}
	o := r.RecipientRows[1].RecipientRow
	if o.AddressType != "X" || o.EmailAddress != "e" || o.SimpleDisplayName != "s" || o.TransmittableDisplayName != "t" {
		t.Fatalf("row 1 %+v", o)
	}
	// The O bit with another address type breaks [MS-OXCDATA] 2.8.3.2.
	decodeFails(t, "0e 00 00 0000 0100 00000000 01 0500 0380 0000 00", nil, true)
}

func TestReadRecipients(t *testing.T) {
	r := checkRequest(t, "0f 00 00"+ // RopId, LogonId, InputHandleIndex
		"05000000"+ // RowId
		"0000", // Reserved
		nil).(*ReadRecipientsRequest)
	if r.RowId != 5 {
		t.Fatalf("got %+v", r)
	}
	const resp = "0f 00 00000000" + // RopId, InputHandleIndex, ReturnValue
		"01" + // RowCount
		"00000000" + // RowId
		"03" + // RecipientType Bcc
		"ff0f" + // CodePageId
		"0000" + // Reserved
		"0d00" + // RecipientRowSize 13
		"1302" + // RecipientFlags SMTP|D|U
		"4300 0000" + // DisplayName "C"
		"0100" + // RecipientColumnCount
		"00 01000000" // RecipientProperties: PidTagDisplayType 1
	// With the message's recipient columns from the session.
	ctx := &Ctx{HasColumns: true, Columns: []prop.Tag{0x39000003, 0x39FE001F}}
	got := checkResponse(t, resp, ctx).(*ReadRecipientsResponse)
	if len(got.RecipientRows) != 1 || got.RecipientRows[0].RecipientType != 3 ||
		got.RecipientRows[0].RecipientRow.DisplayName != "C" ||
		got.RecipientRows[0].RecipientRow.RecipientProperties.Values[0].(int32) != 1 {
		t.Fatalf("got %+v", got)
	}
	// Without them the properties stay raw, and still round-trip.
	raw := checkResponse(t, resp, nil).(*ReadRecipientsResponse)
	rr := raw.RecipientRows[0].RecipientRow
	if rr.DisplayName != "C" || !bytes.Equal(rr.RawProperties, []byte{0, 1, 0, 0, 0}) {
		t.Fatalf("got %+v", rr)
	}
	if js := treeJSON(t, resp, nil, false); !strings.Contains(js, "recipient columns unknown") || !strings.Contains(js, `"Bcc"`) {
		t.Fatalf("JSON %s", js)
	}
	checkResponse(t, "0f 00 0f010480", nil)
	decodeFails(t, "0f 00 00000000 02 00000000 03 ff0f 0000 0d00 1302", nil, false)
}

func TestReloadCachedInformation(t *testing.T) {
	r := checkRequest(t, "10 00 00"+ // RopId, LogonId, InputHandleIndex
		"0000", // Reserved
		nil).(*ReloadCachedInformationRequest)
	if r.Reserved != 0 {
		t.Fatalf("got %+v", r)
	}
	resp := checkResponse(t, "10 00 00000000"+ // RopId, InputHandleIndex, ReturnValue
		"01"+ // HasNamedProperties
		"00"+ // SubjectPrefix: no string
		"01"+ // NormalizedSubject: empty string
		"0000"+ // RecipientCount
		"0000"+ // ColumnCount
		"00", // RowCount
		nil).(*ReloadCachedInformationResponse)
	if !resp.HasNamedProperties || resp.SubjectPrefix.StringType != StringNone ||
		resp.NormalizedSubject.StringType != StringEmpty || resp.RecipientRows != nil {
		t.Fatalf("got %+v", resp)
	}
	checkResponse(t, "10 00 0f010480", nil)
}

func TestSetMessageStatus(t *testing.T) {
	r := checkRequest(t, "20 00 00"+ // RopId, LogonId, InputHandleIndex
		"0100000000000009"+ // MessageId
		"00100000"+ // MessageStatusFlags msRemoteDownload
		"00300000", // MessageStatusMask msRemoteDownload|msRemoteDelete
		nil).(*SetMessageStatusRequest)
	if r.MessageStatusFlags != 0x1000 || r.MessageStatusMask != 0x3000 {
		t.Fatalf("got %+v", r)
	}
	if js := treeJSON(t, "20 00 00 0100000000000009 00100000 00300000", nil, true); !strings.Contains(js, `"msRemoteDownload|msRemoteDelete"`) {
		t.Fatalf("JSON %s", js)
	}
	resp := checkResponse(t, "20 00 00000000"+ // RopId, InputHandleIndex, ReturnValue
		"00080000", // MessageStatusFlags msInConflict (before the change)
		nil).(*SetMessageStatusResponse)
	if resp.MessageStatusFlags != 0x800 {
		t.Fatalf("got %+v", resp)
	}
	checkResponse(t, "20 00 b9040000", nil) // ecNullObject: header only
}

// RopGetMessageStatus is answered with RopId 0x20.
func TestGetMessageStatus(t *testing.T) {
	req := checkRequest(t, "1f 00 00"+ // RopId, LogonId, InputHandleIndex
		"0100000000000009", // MessageId
		nil).(*GetMessageStatusRequest)
	if req.MessageId != foldID(1, 9) {
		t.Fatalf("got %+v", req)
	}
	const resp = "20 00 00000000" + // RopId 0x20, InputHandleIndex, ReturnValue
		"00100000" // MessageStatusFlags
	got := checkResponse(t, resp, &Ctx{Request: req}).(*SetMessageStatusResponse)
	if got.MessageStatusFlags != 0x1000 {
		t.Fatalf("got %+v", got)
	}
	c := wire.NewDecoder(unhex(t, resp), true, "rop")
	if _, err := DecodeResponse(c, &Ctx{Request: req}); err != nil {
		t.Fatal(err)
	}
	if n := c.Tree().Children[0]; !strings.Contains(n.Sym, "RopGetMessageStatus") {
		t.Fatalf("title %q", n.Sym)
	}
	// A response that carries 0x1F decodes too; encoding writes 0x20.
	g := checkResponse(t, "1f 00 00000000 00200000", nil).(*GetMessageStatusResponse)
	if g.MessageStatusFlags != 0x2000 {
		t.Fatalf("got %+v", g)
	}
	out, err := Encode(nil, &GetMessageStatusResponse{MessageStatusFlags: 0x1000}, nil)
	if err != nil || !bytes.Equal(out, unhex(t, resp)) {
		t.Fatalf("encode %x %v", out, err)
	}
}

func TestSetReadFlags(t *testing.T) {
	r := checkRequest(t, "66 00 00"+ // RopId, LogonId, InputHandleIndex
		"00"+ // WantAsynchronous
		"05"+ // ReadFlags rfSuppressReceipt|rfClearReadFlag
		"0200"+ // MessageIdCount
		"0100000000000001 0100000000000002", // MessageIds
		nil).(*SetReadFlagsRequest)
	if r.ReadFlags != 5 || len(r.MessageIds) != 2 {
		t.Fatalf("got %+v", r)
	}
	if js := treeJSON(t, "66 00 00 00 05 0000", nil, true); !strings.Contains(js, `"rfSuppressReceipt|rfClearReadFlag"`) {
		t.Fatalf("JSON %s", js)
	}
	resp := checkResponse(t, "66 00 00000000 01", nil).(*SetReadFlagsResponse)
	if !resp.PartialCompletion {
		t.Fatalf("got %+v", resp)
	}
	// One response buffer: PartialCompletion after any ReturnValue.
	checkResponse(t, "66 00 05000780 00", nil)
}

// msgClientData is a LongTermID: DatabaseGuid, GlobalCounter, Pad.
const msgClientData = "00112233445566778899aabbccddeeff" + "000000000123" + "0000"

func TestSetMessageReadFlag(t *testing.T) {
	// Private mailbox (the default when the logon is unknown): no ClientData.
	r := checkRequest(t, "11 00"+ // RopId, LogonId
		"01"+ // ResponseHandleIndex
		"02"+ // InputHandleIndex
		"01", // ReadFlags rfSuppressReceipt
		nil).(*SetMessageReadFlagRequest)
	if r.ResponseHandleIndex != 1 || r.InputHandleIndex != 2 || r.ClientData != nil {
		t.Fatalf("got %+v", r)
	}
	// Public folders logon: ClientData follows.
	public := &Ctx{HasLogonFlags: true, LogonFlags: 0x00}
	p := checkRequest(t, "11 00 01 02 01"+msgClientData, public).(*SetMessageReadFlagRequest)
	if p.ClientData == nil || p.ClientData.GlobalCounter != 0x123 {
		t.Fatalf("got %+v", p)
	}
	decodeFails(t, "11 00 01 02 01 0011223344", public, true)
	resp := checkResponse(t, "11 01 00000000"+ // RopId, ResponseHandleIndex, ReturnValue
		"00", // ReadStatusChanged
		nil).(*SetMessageReadFlagResponse)
	if resp.ReadStatusChanged {
		t.Fatalf("got %+v", resp)
	}
	pr := checkResponse(t, "11 01 00000000"+
		"01"+ // ReadStatusChanged
		"00"+ // LogonId
		msgClientData, // ClientData
		public).(*SetMessageReadFlagResponse)
	if !pr.ReadStatusChanged || pr.ClientData.GlobalCounter != 0x123 {
		t.Fatalf("got %+v", pr)
	}
	checkResponse(t, "11 01 05000780", nil)
	decodeFails(t, "11 01 00000000 01 00 0011", public, false)
}

func TestAttachments(t *testing.T) {
	o := checkRequest(t, "22 00 00"+ // RopId, LogonId, InputHandleIndex
		"01"+ // OutputHandleIndex
		"01"+ // OpenAttachmentFlags ReadWrite
		"02000000", // AttachmentID
		nil).(*OpenAttachmentRequest)
	if o.OutputHandleIndex != 1 || o.OpenAttachmentFlags != 1 || o.AttachmentID != 2 {
		t.Fatalf("got %+v", o)
	}
	checkResponse(t, "22 01 00000000", nil)
	checkResponse(t, "22 01 0f010480", nil)

	c := checkRequest(t, "23 00 00 01", nil).(*CreateAttachmentRequest)
	if c.OutputHandleIndex != 1 {
		t.Fatalf("got %+v", c)
	}
	cr := checkResponse(t, "23 01 00000000"+ // RopId, OutputHandleIndex, ReturnValue
		"03000000", // AttachmentID
		nil).(*CreateAttachmentResponse)
	if cr.AttachmentID != 3 {
		t.Fatalf("got %+v", cr)
	}
	checkResponse(t, "23 01 05000780", nil)
	decodeFails(t, "23 01 00000000 0300", nil, false)

	d := checkRequest(t, "24 00 00 07000000", nil).(*DeleteAttachmentRequest)
	if d.AttachmentID != 7 {
		t.Fatalf("got %+v", d)
	}
	checkResponse(t, "24 00 00000000", nil)

	s := checkRequest(t, "25 00"+ // RopId, LogonId
		"01 02"+ // ResponseHandleIndex, InputHandleIndex
		"04", // SaveFlags ForceSave
		nil).(*SaveChangesAttachmentRequest)
	if s.ResponseHandleIndex != 1 || s.InputHandleIndex != 2 || s.SaveFlags != 4 {
		t.Fatalf("got %+v", s)
	}
	sr := checkResponse(t, "25 01 00000000", nil).(*SaveChangesAttachmentResponse)
	if sr.HandleIndex != 1 {
		t.Fatalf("got %+v", sr)
	}

	g := checkRequest(t, "21 00 00 01 40", nil).(*GetAttachmentTableRequest) // TableFlags Unicode
	if g.TableFlags != 0x40 {
		t.Fatalf("got %+v", g)
	}
	if js := treeJSON(t, "21 00 00 01 40", nil, true); !strings.Contains(js, `"Unicode"`) {
		t.Fatalf("JSON %s", js)
	}
	checkResponse(t, "21 01 00000000", nil)

	checkRequest(t, "52 00 00", nil)
	v := checkResponse(t, "52 00 00000000"+ // RopId, InputHandleIndex, ReturnValue
		"0200"+ // AttachmentIdCount
		"00000000 01000000", // AttachmentIdArray
		nil).(*GetValidAttachmentsResponse)
	if len(v.AttachmentIdArray) != 2 || v.AttachmentIdArray[1] != 1 {
		t.Fatalf("got %+v", v)
	}
	checkResponse(t, "52 00 0f010480", nil)
	decodeFails(t, "52 00 00000000 0300 00000000 01000000", nil, false)
}

func TestOpenEmbeddedMessage(t *testing.T) {
	r := checkRequest(t, "46 00 01"+ // RopId, LogonId, InputHandleIndex
		"02"+ // OutputHandleIndex
		"ff0f"+ // CodePageId
		"02", // OpenModeFlags Create
		nil).(*OpenEmbeddedMessageRequest)
	if r.OutputHandleIndex != 2 || r.OpenModeFlags != 2 {
		t.Fatalf("got %+v", r)
	}
	if js := treeJSON(t, "46 00 01 02 ff0f 02", nil, true); !strings.Contains(js, `"Create"`) {
		t.Fatalf("JSON %s", js)
	}
	resp := checkResponse(t, "46 02 00000000"+ // RopId, OutputHandleIndex, ReturnValue
		"00"+ // Reserved
		"0100000000000003"+ // MessageId
		"00"+ // HasNamedProperties
		"00"+ // SubjectPrefix: no string
		"02 4100"+ // NormalizedSubject: 8-bit "A"
		"0000"+ // RecipientCount
		"0000"+ // ColumnCount
		"00", // RowCount
		nil).(*OpenEmbeddedMessageResponse)
	if resp.MessageId != foldID(1, 3) || resp.NormalizedSubject.String != "A" {
		t.Fatalf("got %+v", resp)
	}
	checkResponse(t, "46 02 0f010480", nil)
	decodeFails(t, "46 02 00000000 00 0100000000000003 00 00 02 41", nil, false)
}

func TestMessageRegistry(t *testing.T) {
	for id, sec := range map[uint8]string{
		0x03: "2.2.6.1", 0x06: "2.2.6.2", 0x0C: "2.2.6.3", 0x0D: "2.2.6.4", 0x0E: "2.2.6.5",
		0x0F: "2.2.6.6", 0x10: "2.2.6.7", 0x20: "2.2.6.8", 0x1F: "2.2.6.9", 0x66: "2.2.6.10",
		0x11: "2.2.6.11", 0x22: "2.2.6.12", 0x23: "2.2.6.13", 0x24: "2.2.6.14", 0x25: "2.2.6.15",
		0x46: "2.2.6.16", 0x21: "2.2.6.17", 0x52: "2.2.6.18",
	} {
		in, ok := Lookup(id)
		if !ok || in.Section != sec || in.Request == nil || in.Response == nil {
			t.Errorf("0x%02X: %+v", id, in)
		}
	}
}

package server

import (
	"bytes"
	"fmt"
	"sync"
	"testing"

	"github.com/mapiscope/mapiscope/decode/mapihttp"
	"github.com/mapiscope/mapiscope/decode/prop"
	"github.com/mapiscope/mapiscope/decode/rop"
	"github.com/mapiscope/mapiscope/server/store"
)

// Message, attachment, stream and transport ROPs, end to end through the
// harness (real HTTP on loopback, every response decoded with zero
// anomalies by decode.Session).

const mtNone = 0xFFFFFFFF

// mtTable is a handle table: the given handles, then empty slots up to n.
func mtTable(n int, hs ...uint32) []uint32 {
	t := append([]uint32(nil), hs...)
	for len(t) < n {
		t = append(t, mtNone)
	}
	return t
}

// mtCell is the value of a PropertyRow cell, standard or flagged (nil
// when the flagged cell has no value).
func mtCell(v any) any {
	if fv, ok := v.(prop.FlaggedValue); ok {
		if fv.Flag != prop.FlagValue {
			return nil
		}
		return fv.Value
	}
	return v
}

// mtRV is the ReturnValue of response i.
func mtRV(t *testing.T, o *execOut, i int) prop.ErrorCode {
	t.Helper()
	r := o.resp(i)
	if r == nil {
		t.Fatalf("no response to ROP %d", i)
	}
	return r.Header().ReturnValue
}

func mtWant(t *testing.T, o *execOut, i int, want prop.ErrorCode) rop.Response {
	t.Helper()
	if got := mtRV(t, o, i); got != want {
		t.Fatalf("ROP %d (%T): %v, want %v", i, o.resp(i), got, want)
	}
	return o.resp(i)
}

func mtSpecial(t *testing.T, h *harness, email string, role store.Role) (*store.Mailbox, prop.ID) {
	t.Helper()
	mb, err := h.st.MailboxByEmail(email)
	if err != nil {
		t.Fatal(err)
	}
	f, err := h.st.SpecialFolder(mb, role)
	if err != nil {
		t.Fatal(err)
	}
	return mb, f.ID
}

// mtFind returns the id of the message of folder fid whose subject is
// subject (0 when there is none).
func mtFind(t *testing.T, h *harness, mb *store.Mailbox, fid prop.ID, subject string) prop.ID {
	t.Helper()
	rows, err := h.st.Contents(mb, fid, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if r.Props.String(store.TagSubject) == subject {
			return r.ID
		}
	}
	return 0
}

var (
	mtTagRecipDisplayName = prop.Tag(0x5FF6001F)
	mtTagEntryID          = prop.Tag(0x0FFF0102)
)

// mtRecipients is a ModifyRecipients request adding an SMTP To and an X500
// Cc recipient; the first row gives fewer properties than there are
// columns, the second is a flagged row.
func mtRecipients(in uint8, smtp string) *rop.ModifyRecipientsRequest {
	return &rop.ModifyRecipientsRequest{
		RequestHeader:    hdr(0x0E, in),
		RecipientColumns: []prop.Tag{mtTagRecipDisplayName, store.TagSmtpAddress, mtTagEntryID},
		RecipientRows: []rop.ModifyRecipientRow{
			{RowId: 0, RecipientType: 0x01, RecipientRow: &rop.RecipientRow{
				RecipientFlags: rop.RecipSMTP | rop.RecipE | rop.RecipD | rop.RecipU,
				EmailAddress:   smtp, DisplayName: "Bob Example",
				RecipientColumnCount: 2,
				RecipientProperties:  prop.Row{Values: []any{"Bob Example", smtp}},
			}},
			{RowId: 1, RecipientType: 0x02, RecipientRow: &rop.RecipientRow{
				RecipientFlags: rop.RecipX500DN | rop.RecipD | rop.RecipS | rop.RecipU,
				X500DN:         "/o=mapiscope/cn=carol", DisplayName: "Carol",
				RecipientColumnCount: 3,
				RecipientProperties: prop.Row{Flag: 1, Values: []any{
					prop.FlaggedValue{Flag: prop.FlagValue, Value: "Carol"},
					prop.FlaggedValue{Flag: prop.FlagNotFound},
					prop.FlaggedValue{Flag: prop.FlagValue, Value: []byte{1, 2, 3}},
				}},
			}},
		},
	}
}

func mtSetProps(in uint8, vals ...prop.TaggedValue) *rop.SetPropertiesRequest {
	return &rop.SetPropertiesRequest{RequestHeader: hdr(0x0A, in), PropertyValues: vals}
}

func mtOpenStream(in, out uint8, tag prop.Tag, mode uint8) *rop.OpenStreamRequest {
	return &rop.OpenStreamRequest{RequestHeader: hdr(0x2B, in), OutputHandleIndex: out, PropertyTag: tag, OpenModeFlags: mode}
}

func mtPattern(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + i/251)
	}
	return b
}

// mtDraft creates and saves a message in folder fid with a subject, a body
// and the two recipients of mtRecipients; it returns its id.
func mtDraft(t *testing.T, c *tconn, lh uint32, fid prop.ID, subject, to string) prop.ID {
	t.Helper()
	out := c.exec([]rop.Request{
		&rop.CreateMessageRequest{RequestHeader: hdr(0x06, 0), OutputHandleIndex: 1, CodePageId: 0x0FFF, FolderId: fid},
		mtSetProps(1, prop.TaggedValue{Tag: store.TagSubject, Value: subject},
			prop.TaggedValue{Tag: store.TagNormalizedSubject, Value: subject},
			prop.TaggedValue{Tag: store.TagBody, Value: "body of " + subject}),
		mtRecipients(1, to),
		&rop.SaveChangesMessageRequest{RequestHeader: hdr(0x0C, 1), ResponseHandleIndex: 1, SaveFlags: 0x02},
	}, mtTable(2, lh))
	cr := out.must(t, 0).(*rop.CreateMessageResponse)
	if cr.HasMessageId {
		t.Error("CreateMessage returned a MessageId before the save")
	}
	sv := out.must(t, 3).(*rop.SaveChangesMessageResponse)
	if sv.MessageId == 0 || sv.HandleIndex != 1 || sv.InputHandleIndex != 1 {
		t.Fatalf("SaveChangesMessage: %+v", sv)
	}
	return sv.MessageId
}

func TestMsgCreateSaveReopen(t *testing.T) {
	h := newHarness(t)
	c := h.connect(alice)
	lh := c.logon()
	mb, drafts := mtSpecial(t, h, alice, store.RoleDrafts)
	small := []byte("first attachment body")
	ext := mtPattern(5000)
	big := mtPattern(100_000)

	// A message with two recipients and three attachments: one written
	// with WriteStream+CommitStream, one with WriteStreamExtended and
	// committed by RopRelease, one of 100 KB written over several Executes.
	out := c.exec([]rop.Request{
		&rop.CreateMessageRequest{RequestHeader: hdr(0x06, 0), OutputHandleIndex: 1, CodePageId: 0x0FFF, FolderId: drafts},
		mtSetProps(1, prop.TaggedValue{Tag: store.TagSubject, Value: "Status report"},
			prop.TaggedValue{Tag: store.TagBody, Value: "All is well."}),
		mtRecipients(1, bob),
		&rop.ReadRecipientsRequest{RequestHeader: hdr(0x0F, 1)},
		&rop.CreateAttachmentRequest{RequestHeader: hdr(0x23, 1), OutputHandleIndex: 2},
		mtSetProps(2, prop.TaggedValue{Tag: store.TagAttachLongFilename, Value: "a.txt"}),
		mtOpenStream(2, 3, store.TagAttachDataBinary, strmCreate),
		&rop.WriteStreamRequest{RequestHeader: hdr(0x2D, 3), Data: small},
		&rop.CommitStreamRequest{RequestHeader: hdr(0x5D, 3)},
		&rop.SaveChangesAttachmentRequest{RequestHeader: hdr(0x25, 2), ResponseHandleIndex: 2},
		&rop.CreateAttachmentRequest{RequestHeader: hdr(0x23, 1), OutputHandleIndex: 4},
		mtOpenStream(4, 5, store.TagAttachDataBinary, strmBestAccess),
		&rop.WriteStreamExtendedRequest{RequestHeader: hdr(0xA3, 5), Data: ext},
		&rop.ReleaseRequest{RequestHeader: hdr(0x01, 5)},
		&rop.SaveChangesAttachmentRequest{RequestHeader: hdr(0x25, 4), ResponseHandleIndex: 4},
		&rop.CreateAttachmentRequest{RequestHeader: hdr(0x23, 1), OutputHandleIndex: 6},
		mtOpenStream(6, 7, store.TagAttachDataBinary, strmCreate),
	}, mtTable(8, lh))
	for i := range 17 {
		if i != 13 {
			out.must(t, i)
		}
	}
	rr := out.must(t, 3).(*rop.ReadRecipientsResponse)
	if len(rr.RecipientRows) != 2 {
		t.Fatalf("ReadRecipients after ModifyRecipients: %d rows", len(rr.RecipientRows))
	}
	if r0 := rr.RecipientRows[0].RecipientRow; r0.EmailAddress != bob || r0.DisplayName != "Bob Example" ||
		r0.RecipientColumnCount != 3 || mtCell(r0.RecipientProperties.Values[0]) != "Bob Example" ||
		mtCell(r0.RecipientProperties.Values[1]) != bob || mtCell(r0.RecipientProperties.Values[2]) != nil {
		t.Errorf("first recipient row: %+v", r0)
	}
	if r1 := rr.RecipientRows[1].RecipientRow; r1.Type() != rop.RecipX500DN || r1.X500DN != "/o=mapiscope/cn=carol" || rr.RecipientRows[1].RecipientType != 0x02 {
		t.Errorf("second recipient row: %+v", r1)
	}
	if a := out.must(t, 4).(*rop.CreateAttachmentResponse); a.AttachmentID != 0 {
		t.Errorf("first AttachmentID %d", a.AttachmentID)
	}
	if w := out.must(t, 12).(*rop.WriteStreamExtendedResponse); w.WrittenSize != uint32(len(ext)) {
		t.Errorf("WriteStreamExtended wrote %d", w.WrittenSize)
	}
	hs := out.handles
	for off := 0; off < len(big); off += 20_000 {
		o := c.exec([]rop.Request{&rop.WriteStreamRequest{RequestHeader: hdr(0x2D, 7), Data: big[off:min(off+20_000, len(big))]}}, hs)
		if w := o.must(t, 0).(*rop.WriteStreamResponse); int(w.WrittenSize) != min(20_000, len(big)-off) {
			t.Fatalf("WriteStream wrote %d", w.WrittenSize)
		}
	}
	out = c.exec([]rop.Request{
		&rop.GetStreamSizeRequest{RequestHeader: hdr(0x5E, 7)},
		&rop.CommitStreamRequest{RequestHeader: hdr(0x5D, 7)},
		&rop.SaveChangesAttachmentRequest{RequestHeader: hdr(0x25, 6), ResponseHandleIndex: 6},
		&rop.SaveChangesMessageRequest{RequestHeader: hdr(0x0C, 1), ResponseHandleIndex: 1, SaveFlags: 0x02},
	}, hs)
	if sz := out.must(t, 0).(*rop.GetStreamSizeResponse); sz.StreamSize != uint32(len(big)) {
		t.Errorf("GetStreamSize %d, want %d", sz.StreamSize, len(big))
	}
	mid := out.must(t, 3).(*rop.SaveChangesMessageResponse).MessageId
	if got := mtFind(t, h, mb, drafts, "Status report"); got != mid {
		t.Fatalf("saved message %v not in Drafts (found %v)", mid, got)
	}

	// Reopen read-only and read everything back.
	out = c.exec([]rop.Request{
		&rop.OpenMessageRequest{RequestHeader: hdr(0x03, 0), OutputHandleIndex: 1, CodePageId: 0x0FFF, FolderId: drafts, MessageId: mid},
		&rop.ReadRecipientsRequest{RequestHeader: hdr(0x0F, 1), RowId: 1},
		&rop.GetValidAttachmentsRequest{RequestHeader: hdr(0x52, 1)},
		&rop.OpenAttachmentRequest{RequestHeader: hdr(0x22, 1), OutputHandleIndex: 2, AttachmentID: 0},
		mtOpenStream(2, 3, store.TagAttachDataBinary, strmReadOnly),
		&rop.ReadStreamRequest{RequestHeader: hdr(0x2C, 3), ByteCount: 5},
		&rop.ReadStreamRequest{RequestHeader: hdr(0x2C, 3), ByteCount: 0xBABE, MaximumByteCount: 0x10000},
		&rop.WriteStreamRequest{RequestHeader: hdr(0x2D, 3), Data: []byte("x")},
		&rop.OpenAttachmentRequest{RequestHeader: hdr(0x22, 1), OutputHandleIndex: 4, AttachmentID: 1},
		mtOpenStream(4, 5, store.TagAttachDataBinary, strmReadOnly),
		&rop.ReadStreamRequest{RequestHeader: hdr(0x2C, 5), ByteCount: 0xBABE, MaximumByteCount: 0x10000},
		&rop.ModifyRecipientsRequest{RequestHeader: hdr(0x0E, 1)},
		&rop.OpenAttachmentRequest{RequestHeader: hdr(0x22, 1), OutputHandleIndex: 6, AttachmentID: 2},
		mtOpenStream(6, 7, store.TagAttachDataBinary, strmReadOnly),
		mtOpenStream(1, 8, store.TagBody, strmReadOnly),
		&rop.ReadStreamRequest{RequestHeader: hdr(0x2C, 8), ByteCount: 0x100},
	}, mtTable(9, lh))
	om := out.must(t, 0).(*rop.OpenMessageResponse)
	if om.NormalizedSubject.String != "Status report" || om.RecipientCount != 2 || len(om.RecipientRows) != 2 {
		t.Fatalf("OpenMessage: subject %q, %d recipients, %d rows", om.NormalizedSubject.String, om.RecipientCount, len(om.RecipientRows))
	}
	if r := om.RecipientRows[0].RecipientRow; r.EmailAddress != bob || r.DisplayName != "Bob Example" || om.RecipientRows[0].RecipientType != 1 {
		t.Errorf("OpenMessage first recipient: %+v", r)
	}
	var sawSMTP bool
	for i, col := range om.RecipientColumns {
		if col == store.TagSmtpAddress {
			sawSMTP = mtCell(om.RecipientRows[0].RecipientRow.RecipientProperties.Values[i]) == bob
		}
	}
	if !sawSMTP {
		t.Errorf("PidTagSmtpAddress not among the recipient columns with its value: %v", om.RecipientColumns)
	}
	rr = out.must(t, 1).(*rop.ReadRecipientsResponse)
	if len(rr.RecipientRows) != 1 || rr.RecipientRows[0].RowId != 1 || rr.RecipientRows[0].RecipientRow.DisplayName != "Carol" {
		t.Errorf("ReadRecipients from RowId 1: %+v", rr.RecipientRows)
	}
	if va := out.must(t, 2).(*rop.GetValidAttachmentsResponse); fmt.Sprint(va.AttachmentIdArray) != "[0 1 2]" {
		t.Errorf("GetValidAttachments %v", va.AttachmentIdArray)
	}
	if os := out.must(t, 4).(*rop.OpenStreamResponse); os.StreamSize != uint32(len(small)) {
		t.Errorf("StreamSize %d", os.StreamSize)
	}
	d1 := out.must(t, 5).(*rop.ReadStreamResponse).Data
	d2 := out.must(t, 6).(*rop.ReadStreamResponse).Data
	if !bytes.Equal(append(d1, d2...), small) || len(d1) != 5 {
		t.Errorf("read back %q + %q", d1, d2)
	}
	mtWant(t, out, 7, ecStreamAccessDeny)
	if d := out.must(t, 10).(*rop.ReadStreamResponse).Data; !bytes.Equal(d, ext) {
		t.Errorf("attachment committed by RopRelease: %d bytes, want %d", len(d), len(ext))
	}
	mtWant(t, out, 11, ecAccessDenied) // read-only message
	if os := out.must(t, 13).(*rop.OpenStreamResponse); os.StreamSize != uint32(len(big)) {
		t.Errorf("large attachment StreamSize %d", os.StreamSize)
	}
	if d := out.must(t, 15).(*rop.ReadStreamResponse).Data; string(d) != "All is well." {
		// PtypString streams are UTF-16LE.
		var s []rune
		for i := 0; i+1 < len(d); i += 2 {
			s = append(s, rune(d[i])|rune(d[i+1])<<8)
		}
		if string(s) != "All is well." {
			t.Errorf("body stream %q", d)
		}
	}
	hs = out.handles

	// The large body over several ReadStreams, each bounded by one block.
	var got []byte
	reads := 0
	for {
		o := c.exec([]rop.Request{&rop.ReadStreamRequest{RequestHeader: hdr(0x2C, 7), ByteCount: 0xBABE, MaximumByteCount: 0x100000}}, hs)
		d := o.must(t, 0).(*rop.ReadStreamResponse).Data
		if len(d) == 0 {
			break
		}
		if len(d) > blockLimit {
			t.Fatalf("ReadStream returned %d bytes in one block", len(d))
		}
		got = append(got, d...)
		reads++
		if reads > 20 {
			t.Fatal("ReadStream does not end")
		}
	}
	if !bytes.Equal(got, big) || reads < 4 {
		t.Fatalf("large read: %d bytes in %d ReadStreams, want %d in several", len(got), reads, len(big))
	}

	// The same with chained blocks: one ReadStream, the rest in further
	// RPC_HEADER_EXT blocks of the same response; and a ByteCount read
	// that spans blocks returns exactly what was asked.
	c.flags = mapihttp.ExecuteChain
	for _, tc := range []struct {
		byteCount uint16
		max       uint32
		want      int
	}{{0xBABE, 0x100000, len(big)}, {40_000, 0, 40_000}} {
		o := c.exec([]rop.Request{
			&rop.SeekStreamRequest{RequestHeader: hdr(0x2E, 7), Origin: 0, Offset: 0},
			&rop.ReadStreamRequest{RequestHeader: hdr(0x2C, 7), ByteCount: tc.byteCount, MaximumByteCount: tc.max},
		}, hs)
		var all []byte
		chained := 0
		for _, p := range o.pairs {
			if rs, ok := p.Response.(*rop.ReadStreamResponse); ok {
				if rs.ReturnValue != 0 {
					t.Fatalf("chained ReadStream: %v", rs.ReturnValue)
				}
				all = append(all, rs.Data...)
				if p.Chained {
					chained++
				}
			}
		}
		if !bytes.Equal(all, big[:tc.want]) || chained == 0 {
			t.Errorf("chained read of %d: %d bytes, %d chained blocks", tc.want, len(all), chained)
		}
	}
	c.flags = 0

	// Seek, SetStreamSize, CopyToStream, CloneStream on a writable stream
	// of the message (the body), then a save.
	out = c.exec([]rop.Request{
		&rop.OpenMessageRequest{RequestHeader: hdr(0x03, 0), OutputHandleIndex: 1, CodePageId: 0x0FFF, FolderId: drafts, MessageId: mid, OpenModeFlags: 0x01},
		mtOpenStream(1, 2, prop.Tag(0x10130102), strmCreate), // PidTagHtml
		&rop.WriteAndCommitStreamRequest{RequestHeader: hdr(0x90, 2), Data: []byte("<p>hello</p>")},
		&rop.SeekStreamRequest{RequestHeader: hdr(0x2E, 2), Origin: 2, Offset: -5},
		&rop.SeekStreamRequest{RequestHeader: hdr(0x2E, 2), Origin: 1, Offset: -100},
		&rop.SetStreamSizeRequest{RequestHeader: hdr(0x2F, 2), StreamSize: 8},
		&rop.CloneStreamRequest{RequestHeader: hdr(0x3B, 2), OutputHandleIndex: 3},
		&rop.SeekStreamRequest{RequestHeader: hdr(0x2E, 3), Origin: 0, Offset: 3},
		mtOpenStream(1, 4, prop.Tag(0x10090102), strmCreate), // PidTagRtfCompressed
		&rop.CopyToStreamRequest{RequestHeader: hdr(0x3A, 3), DestHandleIndex: 4, ByteCount: 100},
		&rop.CopyToStreamRequest{RequestHeader: hdr(0x3A, 3), DestHandleIndex: 8, ByteCount: 100},
		&rop.LockRegionStreamRequest{RequestHeader: hdr(0x5B, 4), RegionSize: 10, LockFlags: 1},
		&rop.UnlockRegionStreamRequest{RequestHeader: hdr(0x5C, 4), RegionSize: 10, LockFlags: 1},
		&rop.CommitStreamRequest{RequestHeader: hdr(0x5D, 4)},
		&rop.CommitStreamRequest{RequestHeader: hdr(0x5D, 2)},
		&rop.SaveChangesMessageRequest{RequestHeader: hdr(0x0C, 1), ResponseHandleIndex: 1},
		mtOpenStream(1, 5, prop.Tag(0x10090102), strmReadOnly),
		&rop.ReadStreamRequest{RequestHeader: hdr(0x2C, 5), ByteCount: 100},
		mtOpenStream(1, 6, prop.Tag(0x1000001F), 0x07),
		mtOpenStream(1, 6, prop.Tag(0x0E080003), strmReadOnly), // PidTagMessageSize: not streamable
		mtOpenStream(1, 6, prop.Tag(0x3001001F), strmReadOnly), // PidTagDisplayName: missing
	}, mtTable(9, lh))
	for _, i := range []int{0, 1, 2, 3, 5, 6, 7, 8, 11, 12, 13, 14, 15, 16} {
		out.must(t, i)
	}
	if p := out.must(t, 3).(*rop.SeekStreamResponse); p.NewPosition != 7 {
		t.Errorf("seek from the end: %d", p.NewPosition)
	}
	mtWant(t, out, 4, ecStreamSeekError)
	cp := out.must(t, 9).(*rop.CopyToStreamResponse)
	if cp.ReadByteCount != 5 || cp.WrittenByteCount != 5 {
		t.Errorf("CopyToStream %d/%d, want 5/5", cp.ReadByteCount, cp.WrittenByteCount)
	}
	if bad := mtWant(t, out, 10, ecDstNullObject).(*rop.CopyToStreamResponse); bad.DestHandleIndex != 8 {
		t.Errorf("ecDstNullObject DestHandleIndex %d", bad.DestHandleIndex)
	}
	if d := out.must(t, 17).(*rop.ReadStreamResponse).Data; string(d) != "hello" {
		t.Errorf("copied stream %q, want %q", d, "hello")
	}
	mtWant(t, out, 18, ecInvalidParam)
	mtWant(t, out, 19, ecNotSupported)
	mtWant(t, out, 20, ecNotFound)
	m, err := h.st.OpenMessage(mb, drafts, mid)
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := m.Prop(prop.Tag(0x10130102)); string(v.([]byte)) != "<p>hello" {
		t.Errorf("PidTagHtml after SetStreamSize and save: %q", v)
	}
}

func TestMsgEmbedded(t *testing.T) {
	h := newHarness(t)
	c := h.connect(alice)
	lh := c.logon()
	_, drafts := mtSpecial(t, h, alice, store.RoleDrafts)
	mid := mtDraft(t, c, lh, drafts, "Forward", bob)
	out := c.exec([]rop.Request{
		&rop.OpenMessageRequest{RequestHeader: hdr(0x03, 0), OutputHandleIndex: 1, CodePageId: 0x0FFF, FolderId: drafts, MessageId: mid, OpenModeFlags: 0x03},
		&rop.CreateAttachmentRequest{RequestHeader: hdr(0x23, 1), OutputHandleIndex: 2},
		&rop.OpenEmbeddedMessageRequest{RequestHeader: hdr(0x46, 2), OutputHandleIndex: 3, CodePageId: 0x0FFF, OpenModeFlags: 0x02},
		mtSetProps(3, prop.TaggedValue{Tag: store.TagSubject, Value: "Inner"}, prop.TaggedValue{Tag: store.TagNormalizedSubject, Value: "Inner"}),
		mtRecipients(3, "dave@example.com"),
		&rop.SaveChangesMessageRequest{RequestHeader: hdr(0x0C, 3), ResponseHandleIndex: 3},
		&rop.SaveChangesAttachmentRequest{RequestHeader: hdr(0x25, 2), ResponseHandleIndex: 2},
		&rop.SaveChangesMessageRequest{RequestHeader: hdr(0x0C, 1), ResponseHandleIndex: 1},
	}, mtTable(4, lh))
	for i := range 8 {
		out.must(t, i)
	}
	out = c.exec([]rop.Request{
		&rop.OpenMessageRequest{RequestHeader: hdr(0x03, 0), OutputHandleIndex: 1, CodePageId: 0x0FFF, FolderId: drafts, MessageId: mid},
		&rop.OpenAttachmentRequest{RequestHeader: hdr(0x22, 1), OutputHandleIndex: 2, AttachmentID: 0},
		&rop.OpenEmbeddedMessageRequest{RequestHeader: hdr(0x46, 2), OutputHandleIndex: 3, CodePageId: 0x0FFF},
		&rop.ReadRecipientsRequest{RequestHeader: hdr(0x0F, 3)},
		&rop.ReloadCachedInformationRequest{RequestHeader: hdr(0x10, 3)},
		&rop.OpenEmbeddedMessageRequest{RequestHeader: hdr(0x46, 2), OutputHandleIndex: 3, CodePageId: 0x0FFF, OpenModeFlags: 0x01},
		&rop.OpenAttachmentRequest{RequestHeader: hdr(0x22, 1), OutputHandleIndex: 2, AttachmentID: 9},
	}, mtTable(4, lh))
	em := out.must(t, 2).(*rop.OpenEmbeddedMessageResponse)
	if em.NormalizedSubject.String != "Inner" || em.RecipientCount != 2 {
		t.Errorf("embedded message: %q, %d recipients", em.NormalizedSubject.String, em.RecipientCount)
	}
	if rr := out.must(t, 3).(*rop.ReadRecipientsResponse); len(rr.RecipientRows) != 2 || rr.RecipientRows[0].RecipientRow.EmailAddress != "dave@example.com" {
		t.Errorf("embedded recipients: %+v", rr.RecipientRows)
	}
	if rc := out.must(t, 4).(*rop.ReloadCachedInformationResponse); rc.NormalizedSubject.String != "Inner" {
		t.Errorf("ReloadCachedInformation: %+v", rc.OpenedMessage)
	}
	mtWant(t, out, 5, ecAccessDenied) // read/write inside a read-only message
	mtWant(t, out, 6, ecNotFound)
}

func TestMsgReadFlagsMoveDelete(t *testing.T) {
	h := newHarness(t)
	if ropHandlers[0x02] == nil {
		t.Skip("RopOpenFolder is not implemented yet")
	}
	c := h.connect(alice)
	lh := c.logon()
	mb, drafts := mtSpecial(t, h, alice, store.RoleDrafts)
	inbox := c.fids[4]
	rows, err := h.st.Contents(mb, inbox, false)
	if err != nil || len(rows) < 2 {
		t.Fatalf("seeded Inbox: %d rows, %v", len(rows), err)
	}
	m1, m2 := rows[0].ID, rows[1].ID
	readOf := func(mid prop.ID) bool {
		t.Helper()
		m, err := h.st.OpenMessage(mb, 0, mid)
		if err != nil {
			t.Fatal(err)
		}
		return m.Read()
	}
	openFolder := func(in, out uint8, fid prop.ID) *rop.OpenFolderRequest {
		return &rop.OpenFolderRequest{RequestHeader: hdr(0x02, in), OutputHandleIndex: out, FolderId: fid}
	}
	out := c.exec([]rop.Request{
		openFolder(0, 1, inbox),
		&rop.SetReadFlagsRequest{RequestHeader: hdr(0x66, 1), ReadFlags: 0x05, MessageIds: []prop.ID{m1, m2}},
		&rop.SetReadFlagsRequest{RequestHeader: hdr(0x66, 1), ReadFlags: 0x00, MessageIds: []prop.ID{m1, prop.MakeID(1, 0xABCDEF)}},
	}, mtTable(2, lh))
	if r := out.must(t, 1).(*rop.SetReadFlagsResponse); r.PartialCompletion {
		t.Error("SetReadFlags on two Inbox messages: partial")
	}
	if r := out.must(t, 2).(*rop.SetReadFlagsResponse); !r.PartialCompletion {
		t.Error("SetReadFlags with an unknown id: not partial")
	}
	if !readOf(m1) || readOf(m2) {
		t.Errorf("read flags after SetReadFlags: %v %v, want true false", readOf(m1), readOf(m2))
	}
	out = c.exec([]rop.Request{
		openFolder(0, 1, inbox),
		&rop.OpenMessageRequest{RequestHeader: hdr(0x03, 1), OutputHandleIndex: 2, CodePageId: 0x0FFF, FolderId: inbox, MessageId: m2},
		&rop.SetMessageReadFlagRequest{RequestHeader: hdr(0x11, 2), ResponseHandleIndex: 1, ReadFlags: 0x00},
		&rop.SetMessageStatusRequest{RequestHeader: hdr(0x20, 1), MessageId: m2, MessageStatusFlags: 0x1000, MessageStatusMask: 0x1000},
		&rop.GetMessageStatusRequest{RequestHeader: hdr(0x1F, 1), MessageId: m2},
		&rop.SetMessageReadFlagRequest{RequestHeader: hdr(0x11, 1), ResponseHandleIndex: 1},
	}, mtTable(3, lh))
	rf := out.must(t, 2).(*rop.SetMessageReadFlagResponse)
	if rf.ReadStatusChanged || rf.HandleIndex != 1 {
		t.Errorf("SetMessageReadFlag response: %+v", rf)
	}
	if !readOf(m2) {
		t.Error("SetMessageReadFlag did not mark the message read")
	}
	if s := out.must(t, 3).(*rop.SetMessageStatusResponse); s.MessageStatusFlags != 0 {
		t.Errorf("old status %#x", s.MessageStatusFlags)
	}
	var status uint32
	switch s := out.must(t, 4).(type) {
	case *rop.SetMessageStatusResponse:
		status = s.MessageStatusFlags
	case *rop.GetMessageStatusResponse:
		status = s.MessageStatusFlags
	}
	if status != 0x1000 {
		t.Errorf("GetMessageStatus %#x, want 0x1000", status)
	}
	mtWant(t, out, 5, ecNullObject) // a folder is not a message

	// Move a draft to the Inbox, copy it back, delete the copies.
	mid := mtDraft(t, c, lh, drafts, "Move me", bob)
	var mu sync.Mutex
	var events []event
	sub := &subscription{mailbox: mb.ID, deliver: func(ev event) { mu.Lock(); events = append(events, ev); mu.Unlock() }}
	h.srv.events.subscribe(sub)
	defer h.srv.events.unsubscribe(sub)
	out = c.exec([]rop.Request{
		openFolder(0, 1, drafts),
		openFolder(0, 2, inbox),
		&rop.MoveCopyMessagesRequest{RequestHeader: hdr(0x33, 1), DestHandleIndex: 2, MessageIds: []prop.ID{mid}},
		&rop.MoveCopyMessagesRequest{RequestHeader: hdr(0x33, 1), DestHandleIndex: 3, MessageIds: []prop.ID{mid}},
		&rop.MoveCopyMessagesRequest{RequestHeader: hdr(0x33, 1), DestHandleIndex: 2, MessageIds: []prop.ID{mid}, WantCopy: true},
	}, mtTable(4, lh))
	if r := out.must(t, 2).(*rop.MoveCopyMessagesResponse); r.PartialCompletion {
		t.Error("move: partial")
	}
	if r := mtWant(t, out, 3, ecDstNullObject).(*rop.MoveCopyMessagesResponse); r.DestHandleIndex != 3 || r.HandleIndex != 1 {
		t.Errorf("null destination response: %+v", r)
	}
	if r := out.must(t, 4).(*rop.MoveCopyMessagesResponse); !r.PartialCompletion {
		t.Error("copy of a moved message: not partial")
	}
	moved := mtFind(t, h, mb, inbox, "Move me")
	if moved == 0 || mtFind(t, h, mb, drafts, "Move me") != 0 {
		t.Fatalf("after the move: Inbox %v, Drafts %v", moved, mtFind(t, h, mb, drafts, "Move me"))
	}
	out = c.exec([]rop.Request{
		openFolder(0, 1, inbox),
		openFolder(0, 2, drafts),
		&rop.MoveCopyMessagesRequest{RequestHeader: hdr(0x33, 1), DestHandleIndex: 2, MessageIds: []prop.ID{moved}, WantCopy: true},
		&rop.DeleteMessagesRequest{RequestHeader: hdr(0x1E, 1), MessageIds: []prop.ID{moved, mid}},
	}, mtTable(3, lh))
	out.must(t, 2)
	if r := out.must(t, 3).(*rop.DeleteMessagesResponse); !r.PartialCompletion {
		t.Error("delete of a moved-away id: not partial")
	}
	copied := mtFind(t, h, mb, drafts, "Move me")
	if copied == 0 || mtFind(t, h, mb, inbox, "Move me") != 0 {
		t.Fatalf("after copy and delete: Drafts %v, Inbox %v", copied, mtFind(t, h, mb, inbox, "Move me"))
	}
	out = c.exec([]rop.Request{
		openFolder(0, 1, drafts),
		&rop.HardDeleteMessagesRequest{RequestHeader: hdr(0x91, 1), MessageIds: []prop.ID{copied}},
	}, mtTable(2, lh))
	if r := out.must(t, 1).(*rop.HardDeleteMessagesResponse); r.PartialCompletion {
		t.Error("hard delete: partial")
	}
	if mtFind(t, h, mb, drafts, "Move me") != 0 {
		t.Error("hard-deleted message still listed")
	}
	mu.Lock()
	defer mu.Unlock()
	kinds := map[uint16]int{}
	for _, ev := range events {
		kinds[ev.kind]++
		if ev.kind == fnevObjectMoved && (ev.mid != moved || ev.oldMid != mid || ev.fid != inbox || ev.oldFid != drafts) {
			t.Errorf("move event %+v", ev)
		}
	}
	if kinds[fnevObjectMoved] != 1 || kinds[fnevObjectCopied] != 1 || kinds[fnevObjectDeleted] != 2 {
		t.Errorf("events by kind: %v", kinds)
	}
}

func TestMsgSubmit(t *testing.T) {
	h := newHarness(t)
	c := h.connect(alice)
	lh := c.logon()
	amb, sent := mtSpecial(t, h, alice, store.RoleSentItems)
	_, drafts := mtSpecial(t, h, alice, store.RoleDrafts)
	bmb, binbox := mtSpecial(t, h, bob, store.RoleInbox)
	outbox := c.fids[5]

	var mu sync.Mutex
	var bobEvents []event
	sub := &subscription{mailbox: bmb.ID, deliver: func(ev event) { mu.Lock(); bobEvents = append(bobEvents, ev); mu.Unlock() }}
	h.srv.events.subscribe(sub)
	defer h.srv.events.unsubscribe(sub)

	mid := mtDraft(t, c, lh, outbox, "Hello Bob", bob)
	out := c.exec([]rop.Request{
		&rop.OpenMessageRequest{RequestHeader: hdr(0x03, 0), OutputHandleIndex: 1, CodePageId: 0x0FFF, FolderId: outbox, MessageId: mid, OpenModeFlags: 0x01},
		&rop.SubmitMessageRequest{RequestHeader: hdr(0x32, 1)},
		&rop.AbortSubmitRequest{RequestHeader: hdr(0x34, 0), FolderId: outbox, MessageId: mid},
		&rop.GetAddressTypesRequest{RequestHeader: hdr(0x49, 0)},
		&rop.GetTransportFolderRequest{RequestHeader: hdr(0x6D, 0)},
		&rop.OptionsDataRequest{RequestHeader: hdr(0x6F, 0), AddressType: "SMTP", WantWin32: 1},
		&rop.SetSpoolerRequest{RequestHeader: hdr(0x47, 0)},
		&rop.SubmitMessageRequest{RequestHeader: hdr(0x32, 0)},
	}, mtTable(2, lh))
	out.must(t, 1)
	mtWant(t, out, 2, ecUnableToAbort)
	if at := out.must(t, 3).(*rop.GetAddressTypesResponse); fmt.Sprint(at.AddressTypes) != "[EX SMTP]" {
		t.Errorf("address types %v", at.AddressTypes)
	}
	if tf := out.must(t, 4).(*rop.GetTransportFolderResponse); tf.FolderId != outbox {
		t.Errorf("transport folder %v, want the Outbox %v", tf.FolderId, outbox)
	}
	if od := out.must(t, 5).(*rop.OptionsDataResponse); od.Reserved != 1 || len(od.OptionsInfo) != 0 {
		t.Errorf("OptionsData %+v", od)
	}
	out.must(t, 6)
	mtWant(t, out, 7, ecNullObject)

	got := mtFind(t, h, bmb, binbox, "Hello Bob")
	if got == 0 {
		t.Fatal("bob's Inbox does not have the message")
	}
	if mtFind(t, h, amb, sent, "Hello Bob") == 0 || mtFind(t, h, amb, outbox, "Hello Bob") != 0 {
		t.Error("the sender's copy did not move from the Outbox to Sent Items")
	}
	mu.Lock()
	var newMail bool
	for _, ev := range bobEvents {
		if ev.kind == fnevNewMail && ev.mid == got && ev.fid == binbox && ev.messageClass == "IPM.Note" {
			newMail = true
		}
	}
	mu.Unlock()
	if !newMail {
		t.Errorf("no fnevNewMail for bob's new message: %+v", bobEvents)
	}

	// TransportSend sends too; AbortSubmit of a message never sent.
	mid2 := mtDraft(t, c, lh, drafts, "Via TransportSend", bob)
	out = c.exec([]rop.Request{
		&rop.OpenMessageRequest{RequestHeader: hdr(0x03, 0), OutputHandleIndex: 1, CodePageId: 0x0FFF, FolderId: drafts, MessageId: mid2, OpenModeFlags: 0x01},
		&rop.AbortSubmitRequest{RequestHeader: hdr(0x34, 0), FolderId: drafts, MessageId: mid2},
		&rop.TransportSendRequest{RequestHeader: hdr(0x4A, 1)},
	}, mtTable(2, lh))
	mtWant(t, out, 1, ecNotInQueue)
	if ts := out.must(t, 2).(*rop.TransportSendResponse); !ts.NoPropertiesReturned {
		t.Errorf("TransportSend %+v", ts)
	}
	if mtFind(t, h, bmb, binbox, "Via TransportSend") == 0 {
		t.Error("TransportSend did not deliver")
	}
}

func TestMsgAccessAndHandles(t *testing.T) {
	h := newHarness(t)
	amb, drafts := mtSpecial(t, h, alice, store.RoleDrafts)
	_, inbox := mtSpecial(t, h, alice, store.RoleInbox)
	ca := h.connect(alice)
	mid := mtDraft(t, ca, ca.logon(), drafts, "Private draft", bob)
	rows, _ := h.st.Contents(amb, inbox, false)
	inboxMid := rows[0].ID

	// Bob's own logon does not reach alice's ids.
	cb := h.connect(bob)
	blh := cb.logon()
	out := cb.exec([]rop.Request{
		&rop.OpenMessageRequest{RequestHeader: hdr(0x03, 0), OutputHandleIndex: 1, CodePageId: 0x0FFF, FolderId: drafts, MessageId: mid},
	}, mtTable(2, blh))
	if rv := mtRV(t, out, 0); rv == 0 {
		t.Fatal("bob opened alice's draft through his own logon")
	}

	// With FolderVisible on alice's Inbox bob can log on to her mailbox,
	// and still not open her messages.
	if err := h.st.ModifyPermissions(amb, inbox, false, []store.PermOp{{Op: store.RowAdd, Perm: store.Permission{User: bob, Rights: store.RightFolderVisible}}}); err != nil {
		t.Fatal(err)
	}
	cb2 := h.connect(bob)
	alh := cb2.logonTo(amb.LegacyDN, 0)
	out = cb2.exec([]rop.Request{
		&rop.OpenMessageRequest{RequestHeader: hdr(0x03, 0), OutputHandleIndex: 1, CodePageId: 0x0FFF, FolderId: drafts, MessageId: mid},
		&rop.OpenMessageRequest{RequestHeader: hdr(0x03, 0), OutputHandleIndex: 1, CodePageId: 0x0FFF, FolderId: inbox, MessageId: inboxMid},
		&rop.CreateMessageRequest{RequestHeader: hdr(0x06, 0), OutputHandleIndex: 1, CodePageId: 0x0FFF, FolderId: inbox},
		&rop.AbortSubmitRequest{RequestHeader: hdr(0x34, 0), FolderId: drafts, MessageId: mid},
	}, mtTable(2, alh))
	for i := range 4 {
		mtWant(t, out, i, ecAccessDenied)
	}

	// ReadAny on the Inbox: read-only opens work, writes do not.
	if err := h.st.ModifyPermissions(amb, inbox, false, []store.PermOp{{Op: store.RowAdd, Perm: store.Permission{User: bob, Rights: store.RightFolderVisible | store.RightReadAny}}}); err != nil {
		t.Fatal(err)
	}
	out = cb2.exec([]rop.Request{
		&rop.OpenMessageRequest{RequestHeader: hdr(0x03, 0), OutputHandleIndex: 1, CodePageId: 0x0FFF, FolderId: inbox, MessageId: inboxMid, OpenModeFlags: 0x01},
		&rop.OpenMessageRequest{RequestHeader: hdr(0x03, 0), OutputHandleIndex: 1, CodePageId: 0x0FFF, FolderId: inbox, MessageId: inboxMid, OpenModeFlags: 0x03},
		&rop.RemoveAllRecipientsRequest{RequestHeader: hdr(0x0D, 1)},
		&rop.SaveChangesMessageRequest{RequestHeader: hdr(0x0C, 1), ResponseHandleIndex: 1},
		mtOpenStream(1, 2, store.TagBody, strmReadWrite),
		&rop.CreateAttachmentRequest{RequestHeader: hdr(0x23, 1), OutputHandleIndex: 2},
		&rop.SubmitMessageRequest{RequestHeader: hdr(0x32, 1)},
		mtOpenStream(1, 2, store.TagBody, strmBestAccess),
		&rop.WriteStreamRequest{RequestHeader: hdr(0x2D, 2), Data: []byte("x")},
	}, mtTable(3, alh))
	mtWant(t, out, 0, ecAccessDenied)
	out.must(t, 1)
	for _, i := range []int{2, 3, 4, 5, 6} {
		mtWant(t, out, i, ecAccessDenied)
	}
	out.must(t, 7)
	mtWant(t, out, 8, ecStreamAccessDeny)
	if ropHandlers[0x02] != nil {
		out = cb2.exec([]rop.Request{
			&rop.OpenFolderRequest{RequestHeader: hdr(0x02, 0), OutputHandleIndex: 1, FolderId: inbox},
			&rop.DeleteMessagesRequest{RequestHeader: hdr(0x1E, 1), MessageIds: []prop.ID{inboxMid}},
		}, mtTable(2, alh))
		out.must(t, 0)
		mtWant(t, out, 1, ecAccessDenied)
		if mtFind(t, h, amb, inbox, rows[0].Props.String(store.TagSubject)) == 0 {
			t.Error("bob deleted alice's message")
		}
	}

	// Wrong handles.
	alh0 := ca.logon()
	out = ca.exec([]rop.Request{
		&rop.OpenMessageRequest{RequestHeader: hdr(0x03, 1), OutputHandleIndex: 2, CodePageId: 0x0FFF, FolderId: drafts, MessageId: mid},
		&rop.SaveChangesMessageRequest{RequestHeader: hdr(0x0C, 0), ResponseHandleIndex: 0},
		&rop.ReadStreamRequest{RequestHeader: hdr(0x2C, 0), ByteCount: 10},
		&rop.OpenStreamRequest{RequestHeader: hdr(0x2B, 0), OutputHandleIndex: 2, PropertyTag: store.TagBody},
		&rop.ReadRecipientsRequest{RequestHeader: hdr(0x0F, 7)},
		&rop.OpenAttachmentRequest{RequestHeader: hdr(0x22, 0), OutputHandleIndex: 2},
		&rop.SetReadFlagsRequest{RequestHeader: hdr(0x66, 0)},
		&rop.WriteStreamRequest{RequestHeader: hdr(0x2D, 1), Data: []byte("x")},
		&rop.OpenMessageRequest{RequestHeader: hdr(0x03, 0), OutputHandleIndex: 2, CodePageId: 0x0FFF, FolderId: drafts, MessageId: prop.MakeID(1, 0x777777)},
	}, mtTable(3, alh0))
	for i, want := range []prop.ErrorCode{ecNullObject, ecNullObject, ecNullObject, ecNotSupported, ecNullObject, ecNullObject, ecNullObject, ecNullObject, ecNotFound} {
		mtWant(t, out, i, want)
	}
}

// A message with more recipients than one response holds: RopOpenMessage
// gives RecipientCount and as many rows as fit (at most 255), and
// RopReadRecipients pages through the rest.
func TestMsgManyRecipients(t *testing.T) {
	h := newHarness(t)
	c := h.connect(alice)
	lh := c.logon()
	_, drafts := mtSpecial(t, h, alice, store.RoleDrafts)
	const n = 600
	mod := &rop.ModifyRecipientsRequest{RequestHeader: hdr(0x0E, 1), RecipientColumns: []prop.Tag{mtTagRecipDisplayName}}
	for i := range n {
		addr := fmt.Sprintf("user%03d@example.com", i)
		mod.RecipientRows = append(mod.RecipientRows, rop.ModifyRecipientRow{RowId: uint32(i), RecipientType: 1, RecipientRow: &rop.RecipientRow{
			RecipientFlags: rop.RecipSMTP | rop.RecipE | rop.RecipD | rop.RecipU, EmailAddress: addr,
			DisplayName:          fmt.Sprintf("User number %03d with a long display name to fill the buffer", i),
			RecipientColumnCount: 1, RecipientProperties: prop.Row{Values: []any{fmt.Sprintf("User %03d", i)}},
		}})
	}
	// Two requests: one ModifyRecipients of 600 rows would not fit a
	// request block.
	first, second := *mod, *mod
	first.RecipientRows, second.RecipientRows = mod.RecipientRows[:n/2], mod.RecipientRows[n/2:]
	out := c.exec([]rop.Request{
		&rop.CreateMessageRequest{RequestHeader: hdr(0x06, 0), OutputHandleIndex: 1, CodePageId: 0x0FFF, FolderId: drafts},
		&first,
	}, mtTable(2, lh))
	out.must(t, 1)
	out = c.exec([]rop.Request{
		&second,
		&rop.SaveChangesMessageRequest{RequestHeader: hdr(0x0C, 1), ResponseHandleIndex: 1},
	}, out.handles)
	mid := out.must(t, 1).(*rop.SaveChangesMessageResponse).MessageId

	out = c.exec([]rop.Request{
		&rop.OpenMessageRequest{RequestHeader: hdr(0x03, 0), OutputHandleIndex: 1, CodePageId: 0x0FFF, FolderId: drafts, MessageId: mid},
	}, mtTable(2, lh))
	om := out.must(t, 0).(*rop.OpenMessageResponse)
	if om.RecipientCount != n || len(om.RecipientRows) == 0 || len(om.RecipientRows) >= n {
		t.Fatalf("OpenMessage: RecipientCount %d, %d rows", om.RecipientCount, len(om.RecipientRows))
	}
	seen := len(om.RecipientRows)
	hs := out.handles
	for pages := 0; seen < n; pages++ {
		if pages > n {
			t.Fatal("ReadRecipients does not advance")
		}
		o := c.exec([]rop.Request{&rop.ReadRecipientsRequest{RequestHeader: hdr(0x0F, 1), RowId: uint32(seen)}}, hs)
		rr := o.must(t, 0).(*rop.ReadRecipientsResponse)
		for i, row := range rr.RecipientRows {
			if row.RowId != uint32(seen+i) || row.RecipientRow.EmailAddress != fmt.Sprintf("user%03d@example.com", seen+i) {
				t.Fatalf("row %d: %+v", seen+i, row)
			}
		}
		seen += len(rr.RecipientRows)
	}
	o := c.exec([]rop.Request{
		&rop.ReadRecipientsRequest{RequestHeader: hdr(0x0F, 1), RowId: n},
		&rop.SeekStreamRequest{RequestHeader: hdr(0x2E, 1), Origin: 5},
	}, hs)
	mtWant(t, o, 0, ecNotFound)
	mtWant(t, o, 1, ecNullObject)
}

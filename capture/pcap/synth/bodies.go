// Package synth builds realistic MAPI/HTTP traffic for tests, benchmarks
// and the capture generator (scripts/genpcap): mailbox request and
// response bodies encoded with the project's own encoders (Connect,
// Execute with ROP buffers of table reads, property reads and
// FastTransfer GetBuffer streams, Disconnect), the HTTP headers Outlook
// and Exchange send, the PROCESSING / PENDING / DONE framing of responses
// as a server streams it, and whole captures of many sessions (Generate).
package synth

import (
	"encoding/binary"
	"fmt"
	"net/http"
	"time"
	"unicode/utf16"

	"github.com/mapiscope/mapiscope/decode/mapihttp"
	"github.com/mapiscope/mapiscope/decode/prop"
	"github.com/mapiscope/mapiscope/decode/rop"
	"github.com/mapiscope/mapiscope/decode/rpcext"
	"github.com/mapiscope/mapiscope/decode/wire"
)

const none = 0xFFFFFFFF

func hdr(id, logon, in uint8) rop.RequestHeader {
	return rop.RequestHeader{RopId: id, LogonId: logon, InputHandleIndex: in}
}

func ok(id, idx uint8) rop.ResponseHeader {
	return rop.ResponseHeader{RopId: id, HandleIndex: idx}
}

var inboxID = prop.MakeID(1, 0x1234)

// Columns is a typical Outlook contents-table column set.
var Columns = []prop.Tag{
	0x674A0014, // PidTagMid
	0x0037001F, // PidTagSubject
	0x0C1A001F, // PidTagSenderName
	0x0E060040, // PidTagMessageDeliveryTime
	0x0E080003, // PidTagMessageSize
	0x0E070003, // PidTagMessageFlags
	0x001A001F, // PidTagMessageClass
	0x65E00102, // PidTagSourceKey
	0x65E20102, // PidTagChangeKey
	0x0E1B000B, // PidTagHasAttachments
}

func row(i int) prop.Row {
	sk := make([]byte, 22)
	binary.LittleEndian.PutUint32(sk[18:], uint32(i))
	ck := make([]byte, 20)
	binary.LittleEndian.PutUint32(ck[16:], uint32(i))
	return prop.Row{Values: []any{
		int64(prop.MakeID(1, uint64(0x10000+i))),
		fmt.Sprintf("Re: status report for the week %d — numbers and next steps", i),
		"Alice Example",
		prop.Filetime(134090000000000000 + uint64(i)*1e9),
		int32(4096 + i),
		int32(1),
		"IPM.Note",
		sk, ck, i%3 == 0,
	}}
}

// reqBuffer encodes a ROP request buffer.
func reqBuffer(rops []rop.Request, handles []uint32) ([]byte, error) {
	c := wire.NewEncoder(nil)
	rop.CodecRequestBuffer(c, &rop.RequestBuffer{Rops: rops, Handles: handles}, nil)
	if c.Failed() {
		return nil, fmt.Errorf("encode request buffer: %s", c.Anomalies()[0].Reason)
	}
	return c.Output(), nil
}

// respBuffer encodes a ROP response buffer; resps[i] answers reqs[i].
func respBuffer(resps []rop.Response, reqs []rop.Request, handles []uint32) ([]byte, error) {
	var list []byte
	for i, r := range resps {
		ctx := &rop.Ctx{Columns: Columns, HasColumns: true}
		if i < len(reqs) {
			ctx.Request = reqs[i]
		}
		var err error
		if list, err = rop.Encode(list, r, ctx); err != nil {
			return nil, fmt.Errorf("encode %T: %v", r, err)
		}
	}
	size := uint16(len(list) + 2)
	out := binary.LittleEndian.AppendUint16(nil, size)
	out = append(out, list...)
	for _, h := range handles {
		out = binary.LittleEndian.AppendUint32(out, h)
	}
	return out, nil
}

// execute wraps ROP buffers in RPC_HEADER_EXT blocks and Execute bodies.
// respFlags chooses compression (rpcext.FlagCompressed) and obfuscation
// (rpcext.FlagXorMagic) of the response payload.
func execute(reqROPs, respROPs []byte, respFlags uint16) (req, resp []byte, err error) {
	rb, err := rpcext.Append(nil, []rpcext.Block{rpcext.Build(reqROPs, 0, true)})
	if err != nil {
		return nil, nil, err
	}
	req, err = mapihttp.Encode(nil, &mapihttp.ExecuteRequest{Flags: mapihttp.ExecuteNoXorMagic, RopBuffer: rb, MaxRopOut: 0x40000})
	if err != nil {
		return nil, nil, err
	}
	pb, err := rpcext.Append(nil, []rpcext.Block{rpcext.Build(respROPs, respFlags, true)})
	if err != nil {
		return nil, nil, err
	}
	resp, err = mapihttp.Encode(nil, &mapihttp.ExecuteResponse{RopBuffer: pb})
	return req, resp, err
}

// Connect returns a Connect request and response body.
func Connect(user string) (req, resp []byte, err error) {
	req, err = mapihttp.Encode(nil, &mapihttp.ConnectRequest{
		UserDn:          "/o=Contoso/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn=" + user,
		Flags:           0,
		DefaultCodePage: 1252,
		LcidSort:        0x0409,
		LcidString:      0x0409,
	})
	if err != nil {
		return nil, nil, err
	}
	resp, err = mapihttp.Encode(nil, &mapihttp.ConnectResponse{
		PollsMax:    60000,
		RetryCount:  6,
		RetryDelay:  10000,
		DnPrefix:    "/o=Contoso/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)",
		DisplayName: "Alice Example (" + user + ")",
	})
	return req, resp, err
}

// Disconnect returns a Disconnect request and response body.
func Disconnect() (req, resp []byte, err error) {
	if req, err = mapihttp.Encode(nil, &mapihttp.DisconnectRequest{}); err != nil {
		return nil, nil, err
	}
	resp, err = mapihttp.Encode(nil, &mapihttp.DisconnectResponse{})
	return req, resp, err
}

// Logon returns the first Execute of a session: RopLogon and
// RopGetReceiveFolder.
func Logon(user string) (req, resp []byte, err error) {
	logon := &rop.LogonRequest{RequestHeader: hdr(0xFE, 0, 0), LogonFlags: 0x01, OpenFlags: 0x2100040C,
		Essdn: "/o=Contoso/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn=" + user}
	grf := &rop.GetReceiveFolderRequest{RequestHeader: hdr(0x27, 0, 0), MessageClass: "IPM"}
	reqs := []rop.Request{logon, grf}
	lr := &rop.LogonResponse{ResponseHeader: ok(0xFE, 0), LogonFlags: 0x01, ResponseFlags: 0x01, ReplId: 1}
	for i := range lr.FolderIds {
		lr.FolderIds[i] = prop.MakeID(1, uint64(i+1))
	}
	lr.LogonTime = rop.LogonTime{Seconds: 1, Minutes: 2, Hour: 3, DayOfWeek: 6, Day: 28, Month: 11, Year: 2026}
	gr := &rop.GetReceiveFolderResponse{ResponseHeader: ok(0x27, 0), FolderId: inboxID, ExplicitMessageClass: "IPM"}
	rq, err := reqBuffer(reqs, []uint32{none})
	if err != nil {
		return nil, nil, err
	}
	rs, err := respBuffer([]rop.Response{lr, gr}, reqs, []uint32{0x100})
	if err != nil {
		return nil, nil, err
	}
	return execute(rq, rs, rpcext.FlagXorMagic)
}

// TableRead returns an Execute that opens the Inbox and its contents
// table, sets the columns, sorts, reads rows rows and releases both.
func TableRead(rows int) (req, resp []byte, err error) {
	open := &rop.OpenFolderRequest{RequestHeader: hdr(0x02, 0, 0), OutputHandleIndex: 1, FolderId: inboxID}
	getct := &rop.GetContentsTableRequest{RequestHeader: hdr(0x05, 0, 1), OutputHandleIndex: 2}
	setcol := &rop.SetColumnsRequest{RequestHeader: hdr(0x12, 0, 2), PropertyTags: Columns}
	sortt := &rop.SortTableRequest{RequestHeader: hdr(0x13, 0, 2), SortOrders: []prop.SortOrder{{PropertyType: 0x0040, PropertyId: 0x0E06, Order: 1}}}
	qr := &rop.QueryRowsRequest{RequestHeader: hdr(0x15, 0, 2), ForwardRead: true, RowCount: uint16(rows)}
	rel1 := &rop.ReleaseRequest{RequestHeader: hdr(0x01, 0, 2)}
	rel2 := &rop.ReleaseRequest{RequestHeader: hdr(0x01, 0, 1)}
	reqs := []rop.Request{open, getct, setcol, sortt, qr, rel1, rel2}
	data := make([]prop.Row, rows)
	for i := range data {
		data[i] = row(i)
	}
	resps := []rop.Response{
		&rop.OpenFolderResponse{ResponseHeader: ok(0x02, 1)},
		&rop.GetContentsTableResponse{ResponseHeader: ok(0x05, 2), RowCount: uint32(rows)},
		&rop.SetColumnsResponse{ResponseHeader: ok(0x12, 2)},
		&rop.SortTableResponse{ResponseHeader: ok(0x13, 2)},
		&rop.QueryRowsResponse{ResponseHeader: ok(0x15, 2), Origin: 2, RowData: data},
	}
	rq, err := reqBuffer(reqs, []uint32{0x100, none, none})
	if err != nil {
		return nil, nil, err
	}
	rs, err := respBuffer(resps, reqs, []uint32{0x100, 0x200, 0x300})
	if err != nil {
		return nil, nil, err
	}
	return execute(rq, rs, 0)
}

// messageTags are the properties a property read asks for.
var messageTags = []prop.Tag{
	0x0037001F, // PidTagSubject
	0x1000001F, // PidTagBody
	0x0C1A001F, // PidTagSenderName
	0x0E060040, // PidTagMessageDeliveryTime
	0x0E080003, // PidTagMessageSize
	0x001A001F, // PidTagMessageClass
	0x65E00102, // PidTagSourceKey
}

// PropertyRead returns an Execute that opens a message, reads its
// properties (a body of bodyChars characters) and releases it.
func PropertyRead(i, bodyChars int) (req, resp []byte, err error) {
	om := &rop.OpenMessageRequest{RequestHeader: hdr(0x03, 0, 0), OutputHandleIndex: 1, CodePageId: 0x0FFF, FolderId: inboxID, MessageId: prop.MakeID(1, uint64(0x10000+i))}
	gp := &rop.GetPropertiesSpecificRequest{RequestHeader: hdr(0x07, 0, 1), PropertySizeLimit: 0, WantUnicode: 1, PropertyTags: messageTags}
	rel := &rop.ReleaseRequest{RequestHeader: hdr(0x01, 0, 1)}
	reqs := []rop.Request{om, gp, rel}
	body := make([]rune, 0, bodyChars)
	const text = "The quarterly numbers are in. Revenue grew in every region; see the attached sheet for details. "
	for len(body) < bodyChars {
		body = append(body, []rune(text)...)
	}
	sk := make([]byte, 22)
	binary.LittleEndian.PutUint32(sk[18:], uint32(i))
	gpr := &rop.GetPropertiesSpecificResponse{ResponseHeader: ok(0x07, 1), RowData: prop.Row{Values: []any{
		fmt.Sprintf("Quarterly numbers %d", i),
		string(body[:bodyChars]),
		"Bob Example",
		prop.Filetime(134090000000000000 + uint64(i)*1e9),
		int32(2*bodyChars + 512),
		"IPM.Note",
		sk,
	}}}
	omr := &rop.OpenMessageResponse{ResponseHeader: ok(0x03, 1), OpenedMessage: rop.OpenedMessage{
		NormalizedSubject: rop.TypedString{StringType: 0x04, String: fmt.Sprintf("Quarterly numbers %d", i)}}}
	rq, err := reqBuffer(reqs, []uint32{0x100, none})
	if err != nil {
		return nil, nil, err
	}
	rs, err := respBuffer([]rop.Response{omr, gpr}, reqs, []uint32{0x100, 0x400})
	if err != nil {
		return nil, nil, err
	}
	return execute(rq, rs, rpcext.FlagCompressed|rpcext.FlagXorMagic)
}

// FastTransfer returns an Execute with one RopFastTransferSourceGetBuffer
// whose TransferBuffer holds size bytes of a FastTransfer stream of
// messages (part of a larger stream when more is true).
func FastTransfer(seq, size int, more bool) (req, resp []byte, err error) {
	gb := &rop.FastTransferSourceGetBufferRequest{RequestHeader: hdr(0x4E, 0, 0), BufferSize: rop.FastTransferBufferSizeAuto, MaximumBufferSize: 0x7FF0}
	reqs := []rop.Request{gb}
	status := uint16(0x0003) // Done
	if more {
		status = 0x0001 // Partial
	}
	gbr := &rop.FastTransferSourceGetBufferResponse{ResponseHeader: ok(0x4E, 0), TransferStatus: status,
		InProgressCount: uint16(seq), TotalStepCount: uint16(seq + 4), TransferBuffer: fxStream(seq, size)}
	rq, err := reqBuffer(reqs, []uint32{0x500})
	if err != nil {
		return nil, nil, err
	}
	rs, err := respBuffer([]rop.Response{gbr}, reqs, []uint32{0x500})
	if err != nil {
		return nil, nil, err
	}
	// Obfuscated, not compressed (the client asked for NoCompression).
	return execute(rq, rs, rpcext.FlagXorMagic)
}

// fxStream writes size bytes of FastTransfer messages: StartMessage, a
// property list (subject, size, body), EndMessage, repeated.
func fxStream(seq, size int) []byte {
	le := binary.LittleEndian
	out := make([]byte, 0, size+4096)
	for i := 0; len(out) < size; i++ {
		out = le.AppendUint32(out, 0x400C0003) // StartMessage
		out = appendFXString(out, 0x0037001F, fmt.Sprintf("Synchronised message %d.%d", seq, i))
		out = le.AppendUint32(out, 0x0E080003)
		out = le.AppendUint32(out, uint32(4096+i))
		out = appendFXString(out, 0x1000001F, "Hello,\r\nplease find the minutes of today's meeting below.\r\nRegards,\r\nAlice\r\n")
		out = le.AppendUint32(out, 0x400D0003) // EndMessage
	}
	return out[:size]
}

func appendFXString(out []byte, tag uint32, s string) []byte {
	le := binary.LittleEndian
	u := utf16.Encode([]rune(s))
	out = le.AppendUint32(out, tag)
	out = le.AppendUint32(out, uint32(2*len(u)+2))
	for _, c := range u {
		out = le.AppendUint16(out, c)
	}
	return append(out, 0, 0)
}

// ---- HTTP ----

// Identity is what one Outlook session puts in its headers.
type Identity struct {
	Mailbox   string // "alice@contoso.com"
	Host      string // "mail.contoso.com"
	ClientID  string // "{GUID}" of X-ClientInfo
	RequestID string // "{GUID}" prefix of X-RequestId
	Context   string // MapiContext cookie
}

// NewIdentity makes an identity for session n.
func NewIdentity(n int) Identity {
	g := func(k int) string {
		return fmt.Sprintf("{%08X-%04X-%04X-%04X-%012X}", uint32(n*2654435761+k), uint16(n+k), uint16(0x4000|n&0xFFF), uint16(0x8000|k&0x3FFF), uint64(n)*0x9E3779B97F4A7C15>>16)
	}
	return Identity{
		Mailbox:   fmt.Sprintf("user%04d@contoso.com", n%10000),
		Host:      "mail.contoso.com",
		ClientID:  g(1),
		RequestID: g(2),
		Context:   fmt.Sprintf("%08x-%04x-4%03x-a%03x-%012x", n*7919, n%65536, n%4096, (n*3)%4096, n*104729),
	}
}

// RequestHeader is the header of a mailbox request of type reqType (as in
// X-RequestType: "Connect", "Execute", "Disconnect") number seq of the
// session, sent behind nginx (X-Forwarded-For).
func RequestHeader(id Identity, reqType string, seq int, client string) http.Header {
	h := http.Header{}
	h.Set("Host", id.Host)
	h.Set("Content-Type", mapihttp.ContentType)
	h.Set("User-Agent", "Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17928; Pro)")
	h.Set("X-RequestType", reqType)
	h.Set("X-RequestId", fmt.Sprintf("%s:%d", id.RequestID, seq))
	h.Set("X-ClientInfo", fmt.Sprintf("%s:%d", id.ClientID, seq/16))
	h.Set("X-ClientApplication", "Outlook/16.0.17928.20114")
	h.Set("Accept", "*/*")
	h.Set("Connection", "Keep-Alive")
	h.Set("Authorization", "Bearer eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.c3ludGhldGlj.c2lnbmF0dXJl")
	h.Set("X-Forwarded-For", client)
	h.Set("X-Real-Ip", client)
	if reqType != "Connect" {
		h.Set("Cookie", fmt.Sprintf("MapiContext=%s; MapiSequence=%d-%s", id.Context, seq, id.Context[:8]))
	}
	return h
}

// ResponseHeader is the header of a chunked mailbox response.
func ResponseHeader(id Identity, reqType string, seq int, at time.Time) http.Header {
	h := http.Header{}
	h.Set("Content-Type", mapihttp.ContentType)
	h.Set("Cache-Control", "private")
	h.Set("Server", "Microsoft-IIS/10.0")
	h.Set("X-RequestType", reqType)
	h.Set("X-RequestId", fmt.Sprintf("%s:%d", id.RequestID, seq))
	h.Set("X-ClientInfo", fmt.Sprintf("%s:%d", id.ClientID, seq/16))
	h.Set("X-ResponseCode", "0")
	h.Set("X-PendingPeriod", "15000")
	h.Set("X-ExpirationInfo", "1800000")
	h.Set("X-ServerApplication", "Exchange/15.02.1544.004")
	h.Set("Date", at.UTC().Format(http.TimeFormat))
	h.Set("Set-Cookie", fmt.Sprintf("MapiSequence=%d-%s; path=/mapi/emsmdb/", seq+1, id.Context[:8]))
	if reqType == "Connect" {
		h.Add("Set-Cookie", fmt.Sprintf("MapiContext=%s; path=/mapi/emsmdb/", id.Context))
	}
	return h
}

// Parts is a MAPI/HTTP response body as a server streams it: the
// PROCESSING meta-tag, the PENDING keep-alives, then DONE with the
// additional headers and the body. Each is one HTTP chunk.
func Parts(pending int, elapsed time.Duration, start time.Time, body []byte) [][]byte {
	parts := [][]byte{mapihttp.AppendMetaTag(nil, mapihttp.Processing)}
	for range pending {
		parts = append(parts, mapihttp.AppendMetaTag(nil, mapihttp.Pending))
	}
	done := mapihttp.AppendDone(nil, mapihttp.DoneHeaders(0, elapsed.Milliseconds(), start.UTC().Format(http.TimeFormat)))
	return append(parts, append(done, body...))
}

// Package mapitest builds realistic MAPI/HTTP traffic with the project's
// own encoders, for tests and generators: Execute bodies from ROP structs,
// and whole exchanges (headers, cookies, chunked meta-tagged responses)
// shaped like what Outlook and Exchange send.
package mapitest

import (
	"fmt"
	"net/http"
	"time"

	"github.com/mapiscope/mapiscope/decode/mapihttp"
	"github.com/mapiscope/mapiscope/decode/nspi"
	"github.com/mapiscope/mapiscope/decode/prop"
	"github.com/mapiscope/mapiscope/decode/rop"
	"github.com/mapiscope/mapiscope/decode/rpcext"
	"github.com/mapiscope/mapiscope/decode/wire"
	"github.com/mapiscope/mapiscope/trace"
)

// None is the handle-table value of an empty slot.
const None = 0xFFFFFFFF

// Req makes a request header.
func Req(id, logon, in uint8) rop.RequestHeader {
	return rop.RequestHeader{RopId: id, LogonId: logon, InputHandleIndex: in}
}

// OK makes a success response header.
func OK(id, idx uint8) rop.ResponseHeader {
	return rop.ResponseHeader{RopId: id, HandleIndex: idx}
}

// Fail makes a failure response header.
func Fail(id, idx uint8, ec prop.ErrorCode) rop.ResponseHeader {
	return rop.ResponseHeader{RopId: id, HandleIndex: idx, ReturnValue: ec}
}

// Batch is one Execute: the request ROPs with their handle table, the
// response ROPs with theirs, and the columns rows are encoded against.
type Batch struct {
	Requests    []rop.Request
	ReqHandles  []uint32
	Responses   []rop.Response
	RespHandles []uint32
	// Pair[i] is the request index response i answers (nil: in order,
	// skipping requests without a response).
	Pair    []int
	Columns []prop.Tag
	// RespFlags compresses/obfuscates the response payload.
	RespFlags uint16
}

// ReqBuffer encodes the request ROP buffer.
func (b *Batch) ReqBuffer() ([]byte, error) {
	c := wire.NewEncoder(nil)
	rop.CodecRequestBuffer(c, &rop.RequestBuffer{Rops: b.Requests, Handles: b.ReqHandles}, nil)
	return c.Output(), c.Err()
}

// RespBuffer encodes the response ROP buffer.
func (b *Batch) RespBuffer() ([]byte, error) {
	var list []byte
	j := 0
	for i, r := range b.Responses {
		ctx := &rop.Ctx{Columns: b.Columns, HasColumns: b.Columns != nil}
		ri := -1
		if b.Pair != nil {
			ri = b.Pair[i]
		} else {
			for j < len(b.Requests) {
				if _, isRel := b.Requests[j].(*rop.ReleaseRequest); !isRel {
					break
				}
				j++
			}
			if j < len(b.Requests) {
				ri = j
				j++
			}
		}
		if ri >= 0 && ri < len(b.Requests) {
			ctx.Request = b.Requests[ri]
		}
		var err error
		if list, err = rop.Encode(list, r, ctx); err != nil {
			return nil, fmt.Errorf("response %d (%T): %w", i, r, err)
		}
	}
	c := wire.NewEncoder(nil)
	size := uint16(len(list) + 2)
	c.U16(&size, "")
	c.Rest(&list, "")
	h := b.RespHandles
	rop.CodecHandleTable(c, &h)
	return c.Output(), c.Err()
}

// Bodies encodes the Execute request and response bodies (response
// without meta-tags).
func (b *Batch) Bodies() (req, resp []byte, err error) {
	rb, err := b.ReqBuffer()
	if err != nil {
		return nil, nil, err
	}
	pb, err := b.RespBuffer()
	if err != nil {
		return nil, nil, err
	}
	rch, err := rpcext.Append(nil, []rpcext.Block{rpcext.Build(rb, 0, true)})
	if err != nil {
		return nil, nil, err
	}
	req, err = mapihttp.Encode(nil, &mapihttp.ExecuteRequest{Flags: mapihttp.ExecuteNoXorMagic, RopBuffer: rch, MaxRopOut: 0x8007})
	if err != nil {
		return nil, nil, err
	}
	pch, err := rpcext.Append(nil, []rpcext.Block{rpcext.Build(pb, b.RespFlags, true)})
	if err != nil {
		return nil, nil, err
	}
	resp, err = mapihttp.Encode(nil, &mapihttp.ExecuteResponse{RopBuffer: pch})
	return req, resp, err
}

// Conversation builds the exchanges of one client talking to one server:
// cookies, request ids and timing advance as a real client's would.
type Conversation struct {
	Host      string // "mail.example.test"
	Mailbox   string // MailboxId
	User      string // Basic user
	Client    string // "10.0.0.5:50123"
	Server    string // "10.0.0.1:80"
	ClientApp string
	Clock     time.Time
	// Step is how long each exchange takes.
	Step time.Duration

	ctx, seq int
	reqID    int
	nspiCtx  int
}

// NewConversation starts a conversation with sensible defaults.
func NewConversation() *Conversation {
	return &Conversation{Host: "mail.example.test", Mailbox: "5b2f06d6-1a1e-4f7e-9a61-2a0f6c2a9e11@example.test",
		User: "alice@example.test", Client: "192.0.2.10:50123", Server: "192.0.2.1:80",
		ClientApp: "Outlook/16.0.17928.20114", Clock: time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC), Step: 20 * time.Millisecond}
}

func (cv *Conversation) headers(rt string, endpoint string) http.Header {
	cv.reqID++
	h := http.Header{}
	h.Set("Content-Type", "application/mapi-http")
	h.Set("X-RequestType", rt)
	h.Set("X-RequestId", fmt.Sprintf("{E2EA6713-A9B5-4E4B-9AD2-0A3B1C2D3E4F}:%d", cv.reqID))
	h.Set("X-ClientInfo", "{2F94A2BF-A2E6-4CCC-BF98-B5F22C542226}-7")
	h.Set("X-ClientApplication", cv.ClientApp)
	h.Set("User-Agent", "Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17928; Pro)")
	h.Set("Authorization", "Basic YWxpY2VAZXhhbXBsZS50ZXN0OnNlY3JldA==")
	if endpoint == "emsmdb" && cv.ctx > 0 && rt != "Connect" {
		h.Set("Cookie", fmt.Sprintf("MapiContext=ctx%d; MapiSequence=seq%d", cv.ctx, cv.seq))
	}
	if endpoint == "nspi" && cv.nspiCtx > 0 && rt != "Bind" {
		h.Set("Cookie", fmt.Sprintf("MapiContext=nspi%d; MapiSequence=seq%d", cv.nspiCtx, cv.seq))
	}
	return h
}

// Exchange builds one exchange on an endpoint ("emsmdb" or "nspi") with a
// request body and a binary response body, framed with PROCESSING,
// pending PENDING keep-alives and DONE in separate chunks.
func (cv *Conversation) Exchange(endpoint, rt string, reqBody, respBody []byte, pending int) *trace.Exchange {
	start := cv.Clock
	cv.Clock = cv.Clock.Add(cv.Step)
	url := fmt.Sprintf("/mapi/%s/?MailboxId=%s", endpoint, cv.Mailbox)
	ex := &trace.Exchange{
		Client: cv.Client, Server: cv.Server, Conn: "tcp/" + cv.Client, Started: start,
		RequestDone: start.Add(time.Millisecond), ResponseStart: start.Add(2 * time.Millisecond), Ended: cv.Clock.Add(-time.Millisecond),
		Method: "POST", URL: url, Host: cv.Host, Proto: "HTTP/1.1",
		ReqHeader: cv.headers(rt, endpoint), ReqBody: reqBody, Status: 200, StatusText: "OK",
	}
	ex.ReqHeader.Set("Content-Length", fmt.Sprint(len(reqBody)))
	h := http.Header{}
	h.Set("Content-Type", "application/mapi-http")
	h.Set("Transfer-Encoding", "chunked")
	h.Set("X-RequestType", rt)
	h.Set("X-RequestId", ex.ReqHeader.Get("X-RequestId"))
	h.Set("X-ResponseCode", "0")
	h.Set("X-ServerApplication", "Exchange/15.02.1544.004")
	h.Set("X-PendingPeriod", "30000")
	cv.seq++
	switch {
	case endpoint == "emsmdb" && rt == "Connect":
		cv.ctx++
		h.Add("Set-Cookie", fmt.Sprintf("MapiContext=ctx%d; path=/mapi/emsmdb/; secure; HttpOnly", cv.ctx))
		h.Add("Set-Cookie", fmt.Sprintf("MapiSequence=seq%d; path=/mapi/emsmdb/; secure; HttpOnly", cv.seq))
	case endpoint == "nspi" && rt == "Bind":
		cv.nspiCtx++
		h.Add("Set-Cookie", fmt.Sprintf("MapiContext=nspi%d; path=/mapi/nspi/; secure; HttpOnly", cv.nspiCtx))
		h.Add("Set-Cookie", fmt.Sprintf("MapiSequence=seq%d; path=/mapi/nspi/; secure; HttpOnly", cv.seq))
	default:
		h.Add("Set-Cookie", fmt.Sprintf("MapiSequence=seq%d; path=/mapi/%s/; secure; HttpOnly", cv.seq, endpoint))
	}
	ex.RespHeader = h
	// PROCESSING, PENDING…, DONE with headers, body: one chunk each.
	var body []byte
	at := ex.ResponseStart
	add := func(b []byte) {
		ex.Chunks = append(ex.Chunks, trace.Chunk{Offset: len(body), Length: len(b), At: at})
		body = append(body, b...)
		at = at.Add(time.Millisecond)
	}
	add(mapihttp.AppendMetaTag(nil, mapihttp.Processing))
	for range pending {
		add(mapihttp.AppendMetaTag(nil, mapihttp.Pending))
	}
	done := mapihttp.AppendDone(nil, mapihttp.DoneHeaders(0, int64(cv.Step/time.Millisecond), start.Format(http.TimeFormat)))
	add(append(done, respBody...))
	ex.RespBody = body
	return ex
}

// Execute builds an Execute exchange from a batch.
func (cv *Conversation) Execute(b *Batch) (*trace.Exchange, error) {
	req, resp, err := b.Bodies()
	if err != nil {
		return nil, err
	}
	return cv.Exchange("emsmdb", "Execute", req, resp, 0), nil
}

// Connect builds a Connect exchange.
func (cv *Conversation) Connect() (*trace.Exchange, error) {
	req, err := mapihttp.Encode(nil, &mapihttp.ConnectRequest{UserDn: "/o=example/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn=alice",
		DefaultCodePage: 1252, LcidSort: 1033, LcidString: 1033})
	if err != nil {
		return nil, err
	}
	resp, err := mapihttp.Encode(nil, &mapihttp.ConnectResponse{PollsMax: 60000, RetryCount: 6, RetryDelay: 10000, DisplayName: "Alice Example"})
	if err != nil {
		return nil, err
	}
	return cv.Exchange("emsmdb", "Connect", req, resp, 0), nil
}

// Bind builds an NSPI Bind exchange.
func (cv *Conversation) Bind() (*trace.Exchange, error) {
	req, err := nspi.Encode(nil, &nspi.BindRequest{})
	if err != nil {
		return nil, err
	}
	resp, err := nspi.Encode(nil, &nspi.BindResponse{})
	if err != nil {
		return nil, err
	}
	return cv.Exchange("nspi", "Bind", req, resp, 0), nil
}

var inbox = prop.MakeID(1, 0x1234)

// ContentsColumns is the column set the sample sessions read.
var ContentsColumns = []prop.Tag{0x674A0014, 0x0037001F, 0x0E060040, 0x80010040}

// SampleSession is a short Outlook-like session: Connect; RopLogon; open
// the Inbox, its contents table and set columns; map a named property;
// read rows; a failing RopOpenFolder; NotificationWait; NSPI Bind. It is
// what the trace, capture and TUI tests share.
func SampleSession(cv *Conversation) ([]*trace.Exchange, error) {
	var out []*trace.Exchange
	add := func(ex *trace.Exchange, err error) error {
		if err == nil {
			out = append(out, ex)
		}
		return err
	}
	if err := add(cv.Bind()); err != nil {
		return nil, err
	}
	if err := add(cv.Connect()); err != nil {
		return nil, err
	}
	logon := &rop.LogonRequest{RequestHeader: Req(0xFE, 0, 0), LogonFlags: 0x01, OpenFlags: 0x2100040C, Essdn: "/o=example/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn=alice"}
	lr := &rop.LogonResponse{ResponseHeader: OK(0xFE, 0), LogonFlags: 0x01, ResponseFlags: 0x01, ReplId: 1}
	for i := range lr.FolderIds {
		lr.FolderIds[i] = prop.MakeID(1, uint64(0x1230+i))
	}
	lr.LogonTime = rop.LogonTime{Seconds: 5, Minutes: 0, Hour: 9, DayOfWeek: 6, Day: 28, Month: 11, Year: 2026}
	if err := add(cv.Execute(&Batch{Requests: []rop.Request{logon}, ReqHandles: []uint32{None},
		Responses: []rop.Response{lr}, RespHandles: []uint32{0x100}})); err != nil {
		return nil, err
	}
	open := &rop.OpenFolderRequest{RequestHeader: Req(0x02, 0, 0), OutputHandleIndex: 1, FolderId: lr.FolderIds[4]}
	getct := &rop.GetContentsTableRequest{RequestHeader: Req(0x05, 0, 1), OutputHandleIndex: 2}
	setcol := &rop.SetColumnsRequest{RequestHeader: Req(0x12, 0, 2), PropertyTags: ContentsColumns}
	if err := add(cv.Execute(&Batch{Requests: []rop.Request{open, getct, setcol}, ReqHandles: []uint32{0x100, None, None},
		Responses: []rop.Response{&rop.OpenFolderResponse{ResponseHeader: OK(0x02, 1)},
			&rop.GetContentsTableResponse{ResponseHeader: OK(0x05, 2), RowCount: 2},
			&rop.SetColumnsResponse{ResponseHeader: OK(0x12, 2)}},
		RespHandles: []uint32{0x100, 0x200, 0x300}})); err != nil {
		return nil, err
	}
	common, _ := prop.ParseGUIDString("00062008-0000-0000-c000-000000000046")
	names := &rop.GetPropertyIdsFromNamesRequest{RequestHeader: Req(0x56, 0, 0),
		PropertyNames: []prop.PropertyName{{Kind: prop.KindLID, Guid: common, LID: 0x8516}}}
	if err := add(cv.Execute(&Batch{Requests: []rop.Request{names}, ReqHandles: []uint32{0x100},
		Responses:   []rop.Response{&rop.GetPropertyIdsFromNamesResponse{ResponseHeader: OK(0x56, 0), PropertyIds: []uint16{0x8001}}},
		RespHandles: []uint32{0x100}})); err != nil {
		return nil, err
	}
	qr := &rop.QueryRowsRequest{RequestHeader: Req(0x15, 0, 0), ForwardRead: true, RowCount: 50}
	rows := []prop.Row{
		{Values: []any{int64(prop.MakeID(1, 0x10001)), "Quarterly report", prop.Filetime(134090000000000000)}},
		{Values: []any{int64(prop.MakeID(1, 0x10002)), "Lunch?", prop.Filetime(134090100000000000)}},
	}
	for i := range rows {
		rows[i].Values = append(rows[i].Values, prop.Filetime(134090200000000000))
	}
	rel := &rop.ReleaseRequest{RequestHeader: Req(0x01, 0, 0)}
	if err := add(cv.Execute(&Batch{Requests: []rop.Request{qr, rel}, ReqHandles: []uint32{0x300},
		Responses:   []rop.Response{&rop.QueryRowsResponse{ResponseHeader: OK(0x15, 0), Origin: 2, RowData: rows}},
		RespHandles: []uint32{0x300}, Columns: ContentsColumns})); err != nil {
		return nil, err
	}
	missing := &rop.OpenFolderRequest{RequestHeader: Req(0x02, 0, 0), OutputHandleIndex: 1, FolderId: prop.MakeID(1, 0x9999)}
	if err := add(cv.Execute(&Batch{Requests: []rop.Request{missing}, ReqHandles: []uint32{0x100, None},
		Responses:   []rop.Response{&rop.OpenFolderResponse{ResponseHeader: Fail(0x02, 1, 0x8004010F)}},
		RespHandles: []uint32{0x100, None}})); err != nil {
		return nil, err
	}
	nwReq, _ := mapihttp.Encode(nil, &mapihttp.NotificationWaitRequest{})
	nwResp, _ := mapihttp.Encode(nil, &mapihttp.NotificationWaitResponse{EventPending: 1})
	out = append(out, cv.Exchange("emsmdb", "NotificationWait", nwReq, nwResp, 2))
	return out, nil
}

package client

import (
	"context"
	"fmt"
	"sync"

	"github.com/mapiscope/mapiscope/decode"
	"github.com/mapiscope/mapiscope/decode/mapihttp"
	"github.com/mapiscope/mapiscope/decode/prop"
	"github.com/mapiscope/mapiscope/decode/rop"
	"github.com/mapiscope/mapiscope/decode/rpcext"
	"github.com/mapiscope/mapiscope/decode/wire"
)

// Session numbers appended to X-ClientInfo: each endpoint session of one
// client instance gets its own ([MS-OXCMAPIHTTP] 2.2.3.3.4).
const (
	sessionMailbox     = 1
	sessionAddressBook = 2
)

// Mailbox is a session context with the mailbox server endpoint (EMSMDB)
// — [MS-OXCMAPIHTTP] 2.2.4. Execute decodes its responses with a
// decode.Session kept for the life of the Mailbox, which knows the table
// columns, logons and handles from earlier ROPs.
type Mailbox struct {
	c *conn

	// exec serialises Execute: the decode session walks exchanges in order.
	exec sync.Mutex
	sess *decode.Session
}

// NewMailbox prepares a session with the mailbox endpoint at url (the
// MailStore URL, with its ?MailboxId=…). Nothing is sent until Connect.
func NewMailbox(url string, cfg Config) *Mailbox {
	return &Mailbox{c: newConn(cfg, "emsmdb", url, sessionMailbox), sess: decode.NewSession()}
}

// Session returns the decode session that follows this mailbox session.
func (m *Mailbox) Session() *decode.Session { return m.sess }

// Cookies returns the session's cookies (name=value).
func (m *Mailbox) Cookies() []string { return m.c.Cookies() }

func (m *Mailbox) call(ctx context.Context, t mapihttp.RequestType, req, resp mapihttp.Body) (*Exchange, error) {
	body, err := mapihttp.Encode(nil, req)
	if err != nil {
		return nil, fmt.Errorf("%s: encoding the request: %w", t, err)
	}
	out, ex, err := m.c.do(ctx, t, body)
	if err != nil {
		return ex, fmt.Errorf("%s: %w", t, err)
	}
	dc := mapihttp.Decode(resp, out, 0, false)
	if err := dc.Err(); err != nil {
		return ex, fmt.Errorf("%s response: %w", t, err)
	}
	return ex, nil
}

// Connect establishes the session context — [MS-OXCMAPIHTTP] 2.2.4.1 —
// for the user whose DN (Autodiscover's LegacyDN) is userDN, with code
// page 1252 and locale 1033 as Outlook in English sends them.
func (m *Mailbox) Connect(ctx context.Context, userDN string) (*mapihttp.ConnectResponse, error) {
	req := &mapihttp.ConnectRequest{UserDn: userDN, DefaultCodePage: 1252, LcidSort: 1033, LcidString: 1033}
	resp := &mapihttp.ConnectResponse{}
	if _, err := m.call(ctx, mapihttp.TypeConnect, req, resp); err != nil {
		return nil, err
	}
	if resp.StatusCode != 0 || resp.ErrorCode != 0 {
		return resp, &StatusError{Op: "Connect", StatusCode: resp.StatusCode, ErrorCode: uint32(resp.ErrorCode)}
	}
	return resp, nil
}

// Disconnect ends the session context — [MS-OXCMAPIHTTP] 2.2.4.3.
func (m *Mailbox) Disconnect(ctx context.Context) error {
	resp := &mapihttp.DisconnectResponse{}
	if _, err := m.call(ctx, mapihttp.TypeDisconnect, &mapihttp.DisconnectRequest{}, resp); err != nil {
		return err
	}
	if resp.StatusCode != 0 || resp.ErrorCode != 0 {
		return &StatusError{Op: "Disconnect", StatusCode: resp.StatusCode, ErrorCode: uint32(resp.ErrorCode)}
	}
	return nil
}

// NotificationWait waits for an event on the session context —
// [MS-OXCMAPIHTTP] 2.2.4.4 — and reports whether one is pending (the
// server answers at once when one is, else after its polling interval).
func (m *Mailbox) NotificationWait(ctx context.Context) (eventPending bool, err error) {
	resp := &mapihttp.NotificationWaitResponse{}
	if _, err := m.call(ctx, mapihttp.TypeNotificationWait, &mapihttp.NotificationWaitRequest{}, resp); err != nil {
		return false, err
	}
	if resp.StatusCode != 0 || resp.ErrorCode != 0 {
		return false, &StatusError{Op: "NotificationWait", StatusCode: resp.StatusCode, ErrorCode: uint32(resp.ErrorCode)}
	}
	return resp.EventPending != 0, nil
}

// Ping checks that the endpoint and the session context are alive —
// [MS-OXCMAPIHTTP] 2.2.6.
func (m *Mailbox) Ping(ctx context.Context) error {
	_, err := m.call(ctx, mapihttp.TypePing, &mapihttp.PingRequest{}, &mapihttp.PingResponse{})
	return err
}

// ExecResult is one Execute decoded in the session's context.
type ExecResult struct {
	// Responses are the response ROPs in order, unsolicited ones
	// (RopNotify, RopPending, …) included.
	Responses []rop.Response
	// Pairs pairs each request ROP with its response.
	Pairs []decode.RopPair
	// Handles is the response's ServerObjectHandleTable: Handles[i] is
	// the object in slot i (what an OutputHandleIndex i received).
	Handles   []uint32
	Anomalies []wire.Anomaly
	Body      *mapihttp.ExecuteResponse // the Execute response body
	Raw       *Exchange
}

// Response returns the response to request ROP i (nil when it got none).
func (r *ExecResult) Response(i int) rop.Response {
	for k := range r.Pairs {
		if p := &r.Pairs[k]; p.Index == i && !p.Chained {
			return p.Response
		}
	}
	return nil
}

// Handle returns the handle in slot i of the response's handle table
// (0xFFFFFFFF when there is no such slot).
func (r *ExecResult) Handle(i uint8) uint32 {
	if int(i) < len(r.Handles) {
		return r.Handles[i]
	}
	return 0xFFFFFFFF
}

// RopError is a ROP whose response is missing or carries a nonzero
// ReturnValue.
type RopError struct {
	Index       int
	Rop         string
	ReturnValue prop.ErrorCode
	Missing     bool
}

func (e *RopError) Error() string {
	if e.Missing {
		return fmt.Sprintf("%s (rop %d): no response", e.Rop, e.Index)
	}
	return fmt.Sprintf("%s (rop %d): ReturnValue %s", e.Rop, e.Index, e.ReturnValue)
}

// AnomalyError is a decode anomaly in an Execute exchange.
type AnomalyError struct{ Anomaly wire.Anomaly }

func (e *AnomalyError) Error() string { return "decode anomaly: " + e.Anomaly.String() }

// Check returns the first decode anomaly, or the first ROP without a
// response (RopRelease and the like excepted) or with a nonzero
// ReturnValue.
func (r *ExecResult) Check() error {
	if len(r.Anomalies) > 0 {
		return &AnomalyError{Anomaly: r.Anomalies[0]}
	}
	for k := range r.Pairs {
		p := &r.Pairs[k]
		if p.Response == nil {
			if p.Request != nil && expectsResponse(p.Request) {
				return &RopError{Index: p.Index, Rop: p.Name(), Missing: true}
			}
			continue
		}
		if rv, ok := p.ReturnValue(); ok && rv != 0 {
			return &RopError{Index: p.Index, Rop: p.Name(), ReturnValue: rv}
		}
	}
	return nil
}

func expectsResponse(r rop.Request) bool {
	in, ok := rop.Lookup(r.Header().RopId)
	return ok && in.Response != nil
}

func (m *Mailbox) maxRopOut() uint32 {
	if m.c.cfg.MaxRopOut != 0 {
		return m.c.cfg.MaxRopOut
	}
	return DefaultMaxRopOut
}

// Execute sends ROP requests — [MS-OXCMAPIHTTP] 2.2.4.2, [MS-OXCRPC]
// 3.1.4.2 — in one ROP buffer ([MS-OXCROPS] 2.2.1) wrapped in one
// RPC_HEADER_EXT flagged Last, with handles as the ServerObjectHandleTable
// (0xFFFFFFFF for the slots that output handles will fill). A nonzero
// StatusCode or ErrorCode is an error; ROP failures are not: see
// ExecResult.Check.
func (m *Mailbox) Execute(ctx context.Context, rops []rop.Request, handles []uint32) (*ExecResult, error) {
	c := wire.NewEncoder(nil)
	rop.CodecRequestBuffer(c, &rop.RequestBuffer{Rops: rops, Handles: handles}, nil)
	if err := c.Err(); err != nil {
		return nil, fmt.Errorf("Execute: encoding the ROP buffer: %w", err)
	}
	ropBuf := c.Output()
	if len(ropBuf) > 0xFFFF {
		return nil, fmt.Errorf("Execute: ROP buffer of %d bytes does not fit one RPC_HEADER_EXT", len(ropBuf))
	}
	var flags uint16
	if m.c.cfg.CompressRequests {
		flags |= rpcext.FlagCompressed
	}
	if m.c.cfg.XorRequests {
		flags |= rpcext.FlagXorMagic
	}
	ext, err := rpcext.Append(nil, []rpcext.Block{rpcext.Build(ropBuf, flags, true)})
	if err != nil {
		return nil, fmt.Errorf("Execute: RPC_HEADER_EXT: %w", err)
	}
	var execFlags uint32
	if m.c.cfg.NoCompression {
		execFlags |= mapihttp.ExecuteNoCompression
	}
	if m.c.cfg.NoXor {
		execFlags |= mapihttp.ExecuteNoXorMagic
	}
	body, err := mapihttp.Encode(nil, &mapihttp.ExecuteRequest{Flags: execFlags, RopBuffer: ext, MaxRopOut: m.maxRopOut()})
	if err != nil {
		return nil, fmt.Errorf("Execute: encoding the request: %w", err)
	}

	m.exec.Lock()
	defer m.exec.Unlock()
	out, ex, err := m.c.do(ctx, mapihttp.TypeExecute, body)
	if err != nil {
		return &ExecResult{Raw: ex}, fmt.Errorf("Execute: %w", err)
	}
	dr := m.sess.Execute(body, out, false)
	res := &ExecResult{Body: dr.Response, Raw: ex, Pairs: dr.Pairs(), Anomalies: dr.Anomalies}
	if dr.Response == nil {
		return res, fmt.Errorf("Execute: no response body")
	}
	if dr.Response.StatusCode != 0 || dr.Response.ErrorCode != 0 {
		return res, &StatusError{Op: "Execute", StatusCode: dr.Response.StatusCode, ErrorCode: uint32(dr.Response.ErrorCode)}
	}
	if b := dr.Buffers; b != nil {
		for i, rb := range b.Responses {
			res.Responses = append(res.Responses, rb.Rops...)
			if i == 0 {
				res.Handles = rb.Handles
			}
		}
	}
	return res, nil
}

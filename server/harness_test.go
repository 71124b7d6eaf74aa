package server

import (
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mapiscope/mapiscope/decode"
	"github.com/mapiscope/mapiscope/decode/auxbuf"
	"github.com/mapiscope/mapiscope/decode/mapihttp"
	"github.com/mapiscope/mapiscope/decode/prop"
	"github.com/mapiscope/mapiscope/decode/rop"
	"github.com/mapiscope/mapiscope/decode/rpcext"
	"github.com/mapiscope/mapiscope/decode/wire"
	"github.com/mapiscope/mapiscope/server/store"
)

// The test harness: a real server on a real loopback listener, and a
// minimal MAPI/HTTP client that checks every response decodes with zero
// anomalies.

type harness struct {
	t   testing.TB
	st  *store.Store
	srv *Server
	hs  *httptest.Server
}

const (
	alice = "alice@example.test"
	bob   = "bob@example.test"
	pw    = "secret"
)

// newHarness starts a server with users alice (seeded demo mailbox) and
// bob (empty mailbox).
func newHarness(t testing.TB, mod ...func(*Config)) *harness {
	t.Helper()
	st, err := store.Open(filepath.Join(t.TempDir(), "store.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{Store: st, PendingPeriod: 50 * time.Millisecond, NotificationWaitMax: 2 * time.Second,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	for _, m := range mod {
		m(&cfg)
	}
	hs := httptest.NewUnstartedServer(nil)
	cfg.PublicURL = "http://" + hs.Listener.Addr().String()
	srv, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	hs.Config.Handler = srv
	hs.Start()
	h := &harness{t: t, st: st, srv: srv, hs: hs}
	t.Cleanup(func() { hs.Close(); srv.Close(); st.Close() })
	if created, err := srv.AddUser(alice, pw, "Alice Example"); err != nil {
		t.Fatal(err)
	} else if created {
		mb, _ := st.MailboxByEmail(alice)
		if err := st.SeedDemo(mb); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := srv.AddUser(bob, pw, "Bob Example"); err != nil {
		t.Fatal(err)
	}
	return h
}

// tconn is one emsmdb session context of a test client.
type tconn struct {
	h       *harness
	email   string
	cookies map[string]string
	dec     *decode.Session
	reqID   int
	flags   uint32
	fids    [13]prop.ID
	raw     [][]byte // every response body (after the meta-tags)
}

// post sends one MAPI/HTTP request and returns the HTTP response, the
// X-ResponseCode from the DONE headers (or the HTTP header) and the body.
func (c *tconn) post(path, rt string, body []byte) (*http.Response, mapihttp.ResponseCode, []byte) {
	c.h.t.Helper()
	req, _ := http.NewRequest("POST", c.h.hs.URL+path+"?MailboxId="+c.email, bytes.NewReader(body))
	req.SetBasicAuth(c.email, pw)
	req.Header.Set("Content-Type", mapihttp.ContentType)
	req.Header.Set("X-RequestType", rt)
	c.reqID++
	req.Header.Set("X-RequestId", fmt.Sprintf("{6F6D9BBD-9B0B-4B0F-8F49-6B05E7D0C8A1}:%d", c.reqID))
	req.Header.Set("X-ClientInfo", "{2B1A6C9E-1C1A-4E57-9C3A-8A7E4AC2B6B0}:1")
	for k, v := range c.cookies {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.h.t.Fatal(err)
	}
	defer resp.Body.Close()
	all, err := io.ReadAll(resp.Body)
	if err != nil {
		c.h.t.Fatal(err)
	}
	for _, ck := range resp.Cookies() {
		c.cookies[ck.Name] = ck.Value
	}
	if code := resp.Header.Get("X-ResponseCode"); code != "0" {
		var n uint32
		fmt.Sscan(code, &n)
		return resp, mapihttp.ResponseCode(n), all
	}
	f, err := mapihttp.ParseResponseBody(all)
	if err != nil {
		c.h.t.Fatalf("%s: response framing: %v", rt, err)
	}
	code, _ := f.View().Code()
	return resp, code, f.Body
}

// connect opens an emsmdb session context for email.
func (h *harness) connect(email string) *tconn {
	h.t.Helper()
	c := &tconn{h: h, email: email, cookies: map[string]string{}, dec: decode.NewSession()}
	mb, err := h.st.MailboxByEmail(email)
	if err != nil {
		h.t.Fatal(err)
	}
	body := encodeTest(h.t, &mapihttp.ConnectRequest{UserDn: mb.LegacyDN, DefaultCodePage: 1252, LcidSort: 1033, LcidString: 1033, AuxiliaryBuffer: auxbuf.Buffer{}})
	_, code, out := c.post("/mapi/emsmdb/", "Connect", body)
	if code != 0 {
		h.t.Fatalf("Connect: X-ResponseCode %d", code)
	}
	resp := &mapihttp.ConnectResponse{}
	if dc := mapihttp.Decode(resp, out, 0, false); dc.Failed() || len(dc.Anomalies()) > 0 {
		h.t.Fatalf("Connect response: %v", dc.Anomalies())
	}
	if resp.StatusCode != 0 || resp.ErrorCode != 0 {
		h.t.Fatalf("Connect failed: status %d error %v", resp.StatusCode, resp.ErrorCode)
	}
	return c
}

func encodeTest(t testing.TB, b mapihttp.Body) []byte {
	t.Helper()
	c := wire.NewEncoder(nil)
	b.Codec(c)
	if err := c.Err(); err != nil {
		t.Fatal(err)
	}
	return c.Output()
}

// execOut is one Execute's result.
type execOut struct {
	pairs   []decode.RopPair
	handles []uint32
	res     *decode.ExecuteResult
}

// resp returns the response to request i (nil when there is none).
func (o *execOut) resp(i int) rop.Response {
	for _, p := range o.pairs {
		if p.Index == i {
			return p.Response
		}
	}
	return nil
}

// exec runs ROPs with a handle table and fails the test on any decode
// anomaly of the request or the response.
func (c *tconn) exec(rops []rop.Request, handles []uint32) *execOut {
	c.h.t.Helper()
	out, code := c.execRaw(rops, handles)
	if code != 0 {
		c.h.t.Fatalf("Execute: X-ResponseCode %d", code)
	}
	if len(out.res.Anomalies) > 0 {
		c.h.t.Fatalf("Execute decodes with anomalies: %v", out.res.Anomalies)
	}
	return out
}

func (c *tconn) execRaw(rops []rop.Request, handles []uint32) (*execOut, mapihttp.ResponseCode) {
	c.h.t.Helper()
	enc := wire.NewEncoder(nil)
	rb := &rop.RequestBuffer{Rops: rops, Handles: handles}
	rop.CodecRequestBuffer(enc, rb, nil)
	if err := enc.Err(); err != nil {
		c.h.t.Fatalf("encoding ROPs: %v", err)
	}
	blk := rpcext.Build(enc.Output(), 0, true)
	chain, err := rpcext.Append(nil, []rpcext.Block{blk})
	if err != nil {
		c.h.t.Fatal(err)
	}
	body := encodeTest(c.h.t, &mapihttp.ExecuteRequest{Flags: c.flags, RopBuffer: chain, MaxRopOut: 0x40000, AuxiliaryBuffer: auxbuf.Buffer{}})
	_, code, out := c.post("/mapi/emsmdb/", "Execute", body)
	if code != 0 {
		return nil, code
	}
	c.raw = append(c.raw, out)
	res := c.dec.Execute(body, out, false)
	o := &execOut{pairs: res.Pairs(), res: res}
	if res.Buffers != nil && len(res.Buffers.Responses) > 0 {
		o.handles = res.Buffers.Responses[0].Handles
	}
	return o, 0
}

// logon runs RopLogon (LogonId 0) on the user's own mailbox and returns
// the logon handle.
func (c *tconn) logon() uint32 {
	c.h.t.Helper()
	mb, _ := c.h.st.MailboxByEmail(c.email)
	return c.logonTo(mb.LegacyDN, 0)
}

func (c *tconn) logonTo(essdn string, want prop.ErrorCode) uint32 {
	c.h.t.Helper()
	out := c.exec([]rop.Request{&rop.LogonRequest{RequestHeader: rop.RequestHeader{RopId: 0xFE}, LogonFlags: 0x01, OpenFlags: 0x01000000 | 0x04 | 0x08, Essdn: essdn}}, []uint32{0xFFFFFFFF})
	r, ok := out.resp(0).(*rop.LogonResponse)
	if !ok {
		c.h.t.Fatalf("no RopLogon response")
	}
	if r.ReturnValue != want {
		c.h.t.Fatalf("RopLogon: %v, want %v", r.ReturnValue, want)
	}
	c.fids = r.FolderIds
	return out.handles[0]
}

// must returns response i, failing the test when it is missing or failed.
func (o *execOut) must(t testing.TB, i int) rop.Response {
	t.Helper()
	r := o.resp(i)
	if r == nil {
		t.Fatalf("no response to ROP %d", i)
	}
	if rv := r.Header().ReturnValue; rv != 0 {
		t.Fatalf("ROP %d (%T): %v", i, r, rv)
	}
	return r
}

// hdr makes a request header.
func hdr(id, handleIndex uint8) rop.RequestHeader {
	return rop.RequestHeader{RopId: id, InputHandleIndex: handleIndex}
}

var _ = strings.TrimSpace

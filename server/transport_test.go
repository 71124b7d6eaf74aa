package server

import (
	"bytes"
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/mapiscope/mapiscope/decode/autodiscover"
	"github.com/mapiscope/mapiscope/decode/auxbuf"
	"github.com/mapiscope/mapiscope/decode/mapihttp"
	"github.com/mapiscope/mapiscope/decode/nspi"
	"github.com/mapiscope/mapiscope/decode/rop"
	"github.com/mapiscope/mapiscope/decode/rpcext"
	"github.com/mapiscope/mapiscope/decode/wire"
)

// rawPost sends a request with full control of its headers.
func (h *harness) rawPost(path string, hdr map[string]string, cookies map[string]string, body []byte) (*http.Response, []byte) {
	h.t.Helper()
	req, _ := http.NewRequest("POST", h.hs.URL+path, bytes.NewReader(body))
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	for k, v := range cookies {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

func basic(user, pass string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass))
}

func mapiHeaders(rt, authz string) map[string]string {
	return map[string]string{"Content-Type": mapihttp.ContentType, "X-RequestType": rt, "X-RequestId": "{0}:1", "X-ClientInfo": "{1}:1", "Authorization": authz}
}

func TestAuth(t *testing.T) {
	h := newHarness(t)
	connect := encodeTest(t, &mapihttp.ConnectRequest{DefaultCodePage: 1252, AuxiliaryBuffer: auxbuf.Buffer{}})
	for _, tc := range []struct {
		authz string
		want  int
	}{
		{"", 401},
		{basic(alice, "wrong"), 401},
		{basic("nobody@example.test", pw), 401},
		{"Bearer xyz", 401},
		{basic(alice, pw), 200},
		{basic(`example\alice`, pw), 200},
		{basic(`EXAMPLE.TEST\alice`, pw), 200},
	} {
		resp, _ := h.rawPost("/mapi/emsmdb/", mapiHeaders("Connect", tc.authz), nil, connect)
		if resp.StatusCode != tc.want {
			t.Errorf("%q: HTTP %d, want %d", tc.authz, resp.StatusCode, tc.want)
		}
		if tc.want == 401 && !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Basic") {
			t.Errorf("%q: no Basic challenge", tc.authz)
		}
	}
}

func responseCode(t *testing.T, resp *http.Response, body []byte) mapihttp.ResponseCode {
	t.Helper()
	if c := resp.Header.Get("X-ResponseCode"); c != "0" {
		var n uint32
		for _, ch := range c {
			n = n*10 + uint32(ch-'0')
		}
		return mapihttp.ResponseCode(n)
	}
	f, err := mapihttp.ParseResponseBody(body)
	if err != nil {
		t.Fatalf("framing: %v", err)
	}
	code, _ := f.View().Code()
	return code
}

func TestTransportErrors(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.MaxBody = 1 << 16 })
	c := h.connect(alice)
	lh := c.logon()
	az := basic(alice, pw)
	exec := encodeTest(t, &mapihttp.ExecuteRequest{RopBuffer: emptyRopChain(t, []uint32{lh}), MaxRopOut: 0x10000, AuxiliaryBuffer: auxbuf.Buffer{}})

	check := func(name string, hdr map[string]string, cookies map[string]string, body []byte, want mapihttp.ResponseCode) {
		t.Helper()
		resp, b := h.rawPost("/mapi/emsmdb/", hdr, cookies, body)
		if got := responseCode(t, resp, b); got != want {
			t.Errorf("%s: X-ResponseCode %d (%s), want %d (%s)", name, got, got.Name(), want, want.Name())
		}
	}
	check("no cookies", mapiHeaders("Execute", az), nil, exec, mapihttp.CodeMissingCookie)
	check("unknown context", mapiHeaders("Execute", az), map[string]string{cookieContext: "AAAAAAAAAAAAAAAAAAAAAAAA", cookieSequence: c.cookies[cookieSequence]}, exec, mapihttp.CodeContextNotFound)
	check("malformed context", mapiHeaders("Execute", az), map[string]string{cookieContext: "a b", cookieSequence: "x"}, exec, mapihttp.CodeInvalidContextCookie)
	old := map[string]string{cookieContext: c.cookies[cookieContext], cookieSequence: "stale"}
	check("stale sequence", mapiHeaders("Execute", az), old, exec, mapihttp.CodeInvalidSequence)
	check("bad request type", mapiHeaders("Bind", az), c.cookies, exec, mapihttp.CodeInvalidRequestType)
	hh := mapiHeaders("Execute", az)
	delete(hh, "X-RequestId")
	check("no request id", hh, c.cookies, exec, mapihttp.CodeMissingHeader)
	hh = mapiHeaders("Execute", az)
	hh["Content-Type"] = "text/plain"
	check("content type", hh, c.cookies, exec, mapihttp.CodeInvalidHeader)
	check("too large", mapiHeaders("Execute", az), c.cookies, make([]byte, 1<<17), mapihttp.CodeTooLarge)
	// Bob's credentials on alice's session context.
	check("other user", mapiHeaders("Execute", basic(bob, pw)), c.cookies, exec, mapihttp.CodeNoPrivilege)

	// A malformed body gets X-ResponseCode 12 and leaves the session usable
	// (the cookies of that response carry on).
	_, code, _ := c.post("/mapi/emsmdb/", "Execute", []byte{1, 2, 3})
	if code != mapihttp.CodeInvalidRequestBody {
		t.Errorf("malformed body: %d, want 12", code)
	}
	// Request types match case-insensitively.
	_, code, _ = c.post("/mapi/emsmdb/", "eXeCuTe", exec)
	if code != 0 {
		t.Errorf("after a malformed body: %d", code)
	}
	// GET is an invalid verb.
	req, _ := http.NewRequest("GET", h.hs.URL+"/mapi/emsmdb/", nil)
	req.Header.Set("Authorization", az)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.Header.Get("X-ResponseCode") != "2" {
		t.Errorf("GET: X-ResponseCode %q, want 2", resp.Header.Get("X-ResponseCode"))
	}
}

func emptyRopChain(t testing.TB, handles []uint32) []byte {
	enc := wire.NewEncoder(nil)
	rop.CodecRequestBuffer(enc, &rop.RequestBuffer{Handles: handles}, nil)
	chain, err := rpcext.Append(nil, []rpcext.Block{rpcext.Build(enc.Output(), 0, true)})
	if err != nil {
		t.Fatal(err)
	}
	return chain
}

func TestChunkedResponseHeaders(t *testing.T) {
	h := newHarness(t)
	connect := encodeTest(t, &mapihttp.ConnectRequest{DefaultCodePage: 1252, AuxiliaryBuffer: auxbuf.Buffer{}})
	resp, body := h.rawPost("/mapi/emsmdb/", mapiHeaders("connect", basic(alice, pw)), nil, connect)
	for _, name := range []string{"X-RequestType", "X-RequestId", "X-ClientInfo", "X-ResponseCode", "X-PendingPeriod", "X-ExpirationInfo", "X-ServerApplication"} {
		if resp.Header.Get(name) == "" {
			t.Errorf("no %s header", name)
		}
	}
	if resp.Header.Get("X-RequestType") != "Connect" {
		t.Errorf("X-RequestType %q", resp.Header.Get("X-RequestType"))
	}
	if len(resp.TransferEncoding) == 0 || resp.TransferEncoding[0] != "chunked" {
		t.Errorf("transfer encoding %v, want chunked", resp.TransferEncoding)
	}
	f, err := mapihttp.ParseResponseBody(body)
	if err != nil {
		t.Fatal(err)
	}
	v := f.View()
	if !f.Done() || v.ElapsedTime == "" || v.StartTime == "" || v.ResponseCode != "0" {
		t.Errorf("DONE headers: %+v", v)
	}
	var names []string
	for _, ck := range resp.Cookies() {
		names = append(names, ck.Name)
	}
	if strings.Join(names, ",") != "MapiContext,MapiSequence" {
		t.Errorf("cookies %v", names)
	}
}

func TestSessionExpiry(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.SessionIdle = 150 * time.Millisecond })
	c := h.connect(alice)
	c.logon()
	deadline := time.Now().Add(3 * time.Second)
	for h.srv.SessionCount() > 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	_, code := c.execRaw(nil, nil)
	if code != mapihttp.CodeContextNotFound {
		t.Fatalf("after expiry: X-ResponseCode %d, want 10", code)
	}
}

func TestExecuteSemantics(t *testing.T) {
	h := newHarness(t)
	c := h.connect(alice)
	lh := c.logon()

	// RopRelease has no response; the handle table keeps its size; an
	// unsupported ROP gets an error response and ends the batch.
	out := c.exec([]rop.Request{
		&rop.GetStoreStateRequest{RequestHeader: hdr(0x7B, 0)},
		&rop.ReleaseRequest{RequestHeader: hdr(0x01, 1)},
		&rop.GetStoreStateRequest{RequestHeader: hdr(0x7B, 0)},
	}, []uint32{lh, 0x7777, 0xFFFFFFFF})
	n := 0
	for _, p := range out.pairs {
		if p.Response != nil {
			n++
		}
	}
	if n != 2 || len(out.handles) != 3 {
		t.Fatalf("%d responses, %d handles; want 2 and 3", n, len(out.handles))
	}
	// A handle that names nothing: ecNullObject.
	out = c.exec([]rop.Request{&rop.GetStoreStateRequest{RequestHeader: hdr(0x7B, 1)}}, []uint32{lh, 0x12345})
	if rv := out.resp(0).Header().ReturnValue; rv != ecNullObject {
		t.Errorf("bad handle: %v, want ecNullObject", rv)
	}

	// Response flags: compressed/obfuscated by default, plain when asked.
	for _, flags := range []uint32{0, mapihttp.ExecuteNoCompression | mapihttp.ExecuteNoXorMagic} {
		c.flags = flags
		out := c.exec([]rop.Request{&rop.GetReceiveFolderTableRequest{RequestHeader: hdr(0x68, 0)}}, []uint32{lh})
		blk := out.res.RespBlocks[0]
		if flags != 0 && blk.Flags&(rpcext.FlagCompressed|rpcext.FlagXorMagic) != 0 {
			t.Errorf("flags %#x: response block flags %#x", flags, blk.Flags)
		}
		if flags == 0 && blk.Flags&rpcext.FlagXorMagic == 0 {
			t.Errorf("default: response block not obfuscated (flags %#x)", blk.Flags)
		}
	}
	c.flags = 0
}

func TestBufferTooSmall(t *testing.T) {
	h := newHarness(t)
	c := h.connect(alice)
	lh := c.logon()
	enc := wire.NewEncoder(nil)
	rops := []rop.Request{
		&rop.GetStoreStateRequest{RequestHeader: hdr(0x7B, 0)},
		&rop.GetReceiveFolderTableRequest{RequestHeader: hdr(0x68, 0)},
	}
	rop.CodecRequestBuffer(enc, &rop.RequestBuffer{Rops: rops, Handles: []uint32{lh}}, nil)
	chain, _ := rpcext.Append(nil, []rpcext.Block{rpcext.Build(enc.Output(), 0, true)})
	body := encodeTest(t, &mapihttp.ExecuteRequest{Flags: 3, RopBuffer: chain, MaxRopOut: 8 + 2 + 4 + 10 + 12, AuxiliaryBuffer: auxbuf.Buffer{}})
	_, code, out := c.post("/mapi/emsmdb/", "Execute", body)
	if code != 0 {
		t.Fatal(code)
	}
	res := c.dec.Execute(body, out, false)
	if len(res.Anomalies) > 0 {
		t.Fatal(res.Anomalies)
	}
	var sawTooSmall bool
	for _, p := range res.Pairs() {
		if _, ok := p.Response.(*rop.BufferTooSmallResponse); ok {
			sawTooSmall = true
		}
	}
	if !sawTooSmall {
		t.Fatalf("no RopBufferTooSmall in %d responses", len(res.Pairs()))
	}
}

func TestDeterministic(t *testing.T) {
	script := func() [][]byte {
		run, err := Start(RunConfig{Listen: "http://127.0.0.1:0", Deterministic: true, Users: []UserSpec{{Email: alice, Password: pw}}})
		if err != nil {
			t.Fatal(err)
		}
		defer run.Close()
		h := &harness{t: t, st: run.Store, srv: run.Server, hs: nil}
		h.hs = fakeHTTPTest(run.URL)
		c := h.connect(alice)
		lh := c.logon()
		c.exec([]rop.Request{&rop.GetReceiveFolderTableRequest{RequestHeader: hdr(0x68, 0)}}, []uint32{lh})
		return c.raw
	}
	a, b := script(), script()
	if len(a) != len(b) {
		t.Fatalf("%d vs %d responses", len(a), len(b))
	}
	for i := range a {
		if !bytes.Equal(a[i], b[i]) {
			t.Errorf("response %d differs between two deterministic runs", i)
		}
	}
}

func TestAutodiscover(t *testing.T) {
	h := newHarness(t)
	post := func(email string) []byte {
		req := autodiscover.BuildRequest(autodiscover.Request{EMailAddress: email, AcceptableResponseSchema: "http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a"})
		resp, body := h.rawPost("/Autodiscover/Autodiscover.xml", map[string]string{"Content-Type": "text/xml", "Authorization": basic(alice, pw), "X-MapiHttpCapability": "1"}, nil, req)
		if resp.StatusCode != 200 {
			t.Fatalf("HTTP %d", resp.StatusCode)
		}
		return body
	}
	doc, err := autodiscover.Parse(post(alice))
	if err != nil {
		t.Fatal(err)
	}
	p := doc.Response.MapiHTTP()
	if p == nil || !strings.HasPrefix(p.MailStore.InternalUrl, h.hs.URL+"/mapi/emsmdb/") || !strings.HasPrefix(p.AddressBook.ExternalUrl, h.hs.URL+"/mapi/nspi/") {
		t.Fatalf("mapiHttp protocol: %+v", p)
	}
	if doc.Response.User.LegacyDN == "" || doc.Response.User.DisplayName != "Alice Example" {
		t.Errorf("user %+v", doc.Response.User)
	}
	if an := autodiscover.Check(doc); len(an) > 0 {
		t.Errorf("anomalies: %v", an)
	}
	doc, err = autodiscover.Parse(post("nobody@example.test"))
	if err != nil {
		t.Fatal(err)
	}
	if !doc.Response.IsError() || doc.Response.Error.Code() != 500 {
		t.Errorf("unknown address: %+v", doc.Response)
	}
}

func fakeHTTPTest(url string) *httptest.Server { return &httptest.Server{URL: url} }

func nspiEncode(t *testing.T, b interface{ Codec(*wire.Codec) }) []byte {
	t.Helper()
	c := wire.NewEncoder(nil)
	b.Codec(c)
	if err := c.Err(); err != nil {
		t.Fatal(err)
	}
	return c.Output()
}

func TestNspiEndpoint(t *testing.T) {
	h := newHarness(t)
	c := &tconn{h: h, email: alice, cookies: map[string]string{}}
	stat := &nspi.STAT{CodePage: 1252, TemplateLocale: 1033, SortLocale: 1033}
	_, code, out := c.post("/mapi/nspi/", "Bind", nspiEncode(t, &nspi.BindRequest{HasState: 1, State: stat, AuxiliaryBuffer: auxbuf.Buffer{}}))
	if code != 0 {
		t.Fatalf("Bind: %d", code)
	}
	bind := &nspi.BindResponse{}
	if dc := wire.NewDecoder(out, false, "bind"); true {
		bind.Codec(dc)
		if dc.Failed() || bind.StatusCode != 0 || bind.ErrorCode != 0 {
			t.Fatalf("Bind response: %v %+v", dc.Anomalies(), bind)
		}
	}
	_, code, out = c.post("/mapi/nspi/", "ResolveNames", nspiEncode(t, &nspi.ResolveNamesRequest{HasState: 1, State: stat, HasNames: 1, NameValues: []string{bob}, AuxiliaryBuffer: auxbuf.Buffer{}}))
	if code != 0 {
		t.Fatalf("ResolveNames: %d", code)
	}
	rn := &nspi.ResolveNamesResponse{}
	dc := wire.NewDecoder(out, false, "resolve")
	rn.Codec(dc)
	if dc.Failed() || len(dc.Anomalies()) > 0 || len(rn.MinimalIds) != 1 || rn.MinimalIds[0] < 0x10 {
		t.Fatalf("ResolveNames: %v %+v", dc.Anomalies(), rn)
	}
	// The nspi cookie does not open the emsmdb endpoint.
	_, code, _ = c.post("/mapi/emsmdb/", "Execute", nil)
	if code != mapihttp.CodeContextNotFound {
		t.Errorf("nspi cookie on emsmdb: %d, want 10", code)
	}
	_, code, _ = c.post("/mapi/nspi/", "Unbind", nspiEncode(t, &nspi.UnbindRequest{AuxiliaryBuffer: auxbuf.Buffer{}}))
	if code != 0 {
		t.Fatalf("Unbind: %d", code)
	}
	_, code, _ = c.post("/mapi/nspi/", "ResolveNames", nspiEncode(t, &nspi.ResolveNamesRequest{HasState: 1, State: stat, AuxiliaryBuffer: auxbuf.Buffer{}}))
	if code != mapihttp.CodeContextNotFound {
		t.Errorf("after Unbind: %d, want 10", code)
	}
}

func TestSessionsPerUserLimit(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.MaxSessionsPerUser = 3 })
	var conns []*tconn
	for range 5 {
		conns = append(conns, h.connect(alice))
	}
	if n := h.srv.SessionCount(); n != 3 {
		t.Fatalf("%d sessions, want 3", n)
	}
	// The oldest were dropped; the newest still work.
	if _, code := conns[0].execRaw(nil, nil); code != mapihttp.CodeContextNotFound {
		t.Errorf("oldest session: %d, want 10", code)
	}
	conns[4].logon()
	h.connect(bob) // another user's sessions are counted apart
	if n := h.srv.SessionCount(); n != 4 {
		t.Errorf("%d sessions, want 4", n)
	}
}

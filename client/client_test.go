package client

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mapiscope/mapiscope/decode/mapihttp"
	"github.com/mapiscope/mapiscope/decode/rop"
	"github.com/mapiscope/mapiscope/decode/rpcext"
	"github.com/mapiscope/mapiscope/decode/wire"
	"github.com/mapiscope/mapiscope/server"
	"github.com/mapiscope/mapiscope/server/store"
)

const (
	testEmail    = "ada@example.test"
	testPassword = "correct horse"
)

// startServer runs the built-in server over a fresh store on a loopback
// listener, plain or with a self-signed certificate, with one user.
func startServer(t *testing.T, tls bool) string {
	t.Helper()
	st, err := store.Open(filepath.Join(t.TempDir(), "store.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	hs := httptest.NewUnstartedServer(nil)
	scheme := "http"
	if tls {
		scheme = "https"
	}
	srv, err := server.New(server.Config{Store: st, PublicURL: scheme + "://" + hs.Listener.Addr().String()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := srv.AddUser(testEmail, testPassword, "Ada Lovelace"); err != nil {
		t.Fatal(err)
	}
	hs.Config.Handler = srv
	if tls {
		hs.StartTLS()
	} else {
		hs.Start()
	}
	t.Cleanup(func() { srv.Close(); hs.Close() })
	return hs.URL + "/autodiscover/autodiscover.xml"
}

func TestScenarioBasic(t *testing.T) {
	for _, tc := range []struct {
		name string
		tls  bool
	}{{"plain", false}, {"tls", true}} {
		t.Run(tc.name, func(t *testing.T) {
			url := startServer(t, tc.tls)
			var mu sync.Mutex
			var exchanges []Exchange
			cfg := Config{Email: testEmail, Password: testPassword, Insecure: tc.tls, CompressRequests: true,
				Observer: func(e Exchange) { mu.Lock(); exchanges = append(exchanges, e); mu.Unlock() }}
			var seen []string
			steps, err := RunScenario(context.Background(), "basic", url, cfg, func(s Step) { seen = append(seen, s.Name) })
			for _, s := range steps {
				t.Logf("%-14s %v %s %v", s.Name, s.Elapsed.Round(time.Millisecond), s.Detail, s.Err)
			}
			if err != nil {
				t.Fatalf("scenario: %v", err)
			}
			want := []string{"autodiscover", "nspi-bind", "nspi-resolve", "nspi-getprops", "connect", "logon", "open-folders",
				"hierarchy", "drafts", "contents", "create-draft", "read-draft", "rule-add", "rule-remove", "submit", "deliver",
				"release", "disconnect", "unbind"}
			if strings.Join(seen, ",") != strings.Join(want, ",") {
				t.Fatalf("steps reported: %v\nwant %v", seen, want)
			}
			checkExchanges(t, exchanges)
		})
	}
}

// checkExchanges asserts what the Observer saw: every request, in order,
// with MAPI/HTTP headers, counters and cookies as the specification wants.
func checkExchanges(t *testing.T, exchanges []Exchange) {
	t.Helper()
	types := map[string]int{}
	lastID := map[string]int{}
	for i, e := range exchanges {
		types[e.Endpoint+"/"+e.RequestType]++
		if e.Err != nil || e.StatusCode != http.StatusOK {
			t.Errorf("exchange %d (%s %s): status %d, %v", i, e.Endpoint, e.RequestType, e.StatusCode, e.Err)
		}
		if len(e.Response) == 0 || e.Elapsed <= 0 {
			t.Errorf("exchange %d (%s %s): empty response or no timing", i, e.Endpoint, e.RequestType)
		}
		if got := e.RequestHeader.Get("Authorization"); got != "Basic <redacted>" {
			t.Errorf("exchange %d: Authorization %q not redacted", i, got)
		}
		if e.Endpoint == "autodiscover" {
			continue
		}
		tags := make([]string, len(e.Tags))
		for k, tt := range e.Tags {
			tags[k] = string(tt.Tag)
		}
		if len(tags) < 2 || tags[0] != "PROCESSING" || tags[len(tags)-1] != "DONE" {
			t.Errorf("exchange %d (%s): meta-tags %v", i, e.RequestType, tags)
		}
		if e.Additional.Get("X-ResponseCode") != "0" {
			t.Errorf("exchange %d (%s): X-ResponseCode after DONE is %q", i, e.RequestType, e.Additional.Get("X-ResponseCode"))
		}
		h := e.RequestHeader
		if h.Get("Content-Type") != mapihttp.ContentType || h.Get("X-RequestType") != e.RequestType || h.Get("X-ClientApplication") == "" {
			t.Errorf("exchange %d: request headers %v", i, h)
		}
		// X-RequestId: {GUID}:counter, the counter rising by one per request.
		guid, n, ok := strings.Cut(e.RequestID, ":")
		if !ok || len(guid) != 38 || h.Get("X-RequestId") != e.RequestID {
			t.Errorf("exchange %d: X-RequestId %q", i, e.RequestID)
		}
		key := e.Endpoint + guid
		if want := lastID[key] + 1; n != itoa(want) {
			t.Errorf("exchange %d: X-RequestId counter %s, want %d", i, n, want)
		}
		lastID[key]++
		if e.RequestType != "Connect" && e.RequestType != "Bind" && h.Get("Cookie") == "" {
			t.Errorf("exchange %d (%s): no Cookie sent back", i, e.RequestType)
		}
	}
	for _, k := range []string{"autodiscover/", "nspi/Bind", "nspi/ResolveNames", "nspi/GetProps", "nspi/Unbind",
		"emsmdb/Connect", "emsmdb/Disconnect"} {
		if types[k] != 1 {
			t.Errorf("%s seen %d times, want 1 (all: %v)", k, types[k], types)
		}
	}
	if types["emsmdb/Execute"] < 15 {
		t.Errorf("only %d Executes observed", types["emsmdb/Execute"])
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

func TestScenarioWrongPassword(t *testing.T) {
	url := startServer(t, false)
	var seen []Step
	steps, err := RunScenario(context.Background(), "", url, Config{Email: testEmail, Password: "wrong"}, func(s Step) { seen = append(seen, s) })
	if !errors.Is(err, ErrUnauthorized) {
		t.Fatalf("error %v, want ErrUnauthorized", err)
	}
	if len(steps) != 1 || steps[0].Name != "autodiscover" || !errors.Is(steps[0].Err, ErrUnauthorized) || len(seen) != 1 {
		t.Fatalf("steps %+v", steps)
	}
	if _, err := RunScenario(context.Background(), "nope", url, Config{}, nil); err == nil || !strings.Contains(err.Error(), "unknown scenario") {
		t.Fatalf("unknown scenario: %v", err)
	}
}

func TestMailboxPingAndNotificationWait(t *testing.T) {
	url := startServer(t, false)
	cfg := Config{Email: testEmail, Password: testPassword}
	d, err := Autodiscover(context.Background(), url, cfg)
	if err != nil {
		t.Fatal(err)
	}
	mb := NewMailbox(d.MailStoreURL, cfg)
	if _, err := mb.Connect(context.Background(), d.LegacyDN); err != nil {
		t.Fatal(err)
	}
	if len(mb.Cookies()) == 0 {
		t.Fatal("Connect set no cookie")
	}
	if err := mb.Ping(context.Background()); err != nil {
		t.Fatalf("PING: %v", err)
	}
	// Nothing happened: the wait ends by the context or the server's limit.
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	if pending, err := mb.NotificationWait(ctx); err == nil && pending {
		t.Fatal("NotificationWait: an event pending on a fresh session")
	}
	if err := mb.Disconnect(context.Background()); err != nil {
		t.Fatal(err)
	}
	// The context is gone: the server says so.
	var rc *ResponseCodeError
	if err := mb.Ping(context.Background()); !errors.As(err, &rc) {
		t.Fatalf("PING after Disconnect: %v, want an X-ResponseCode error", err)
	}
}

// fakeEndpoint is a handcrafted MAPI/HTTP endpoint for framing tests: it
// streams each response as PROCESSING, two PENDINGs, DONE and the
// additional headers, the body, flushing between them, and checks the
// cookies it set come back.
type fakeEndpoint struct {
	t        *testing.T
	mu       sync.Mutex
	seq      int
	requests []*http.Request
	bodies   [][]byte
}

func (f *fakeEndpoint) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	f.requests = append(f.requests, r)
	f.bodies = append(f.bodies, body)
	f.seq++
	seq := f.seq
	f.mu.Unlock()
	if u, p, ok := r.BasicAuth(); !ok || u != testEmail || p != testPassword {
		w.Header().Set("WWW-Authenticate", `Basic realm="test"`)
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	rt := r.Header.Get("X-RequestType")
	if rt != "Connect" && r.Header.Get("Cookie") != "MapiContext=ctx1; MapiSequence=s"+itoa(seq-1) {
		w.Header().Set("X-ResponseCode", "6")
		w.WriteHeader(http.StatusOK)
		return
	}
	var resp []byte
	switch rt {
	case "Connect":
		resp, _ = mapihttp.Encode(nil, &mapihttp.ConnectResponse{PollsMax: 60000, DisplayName: "Ada"})
	case "NotificationWait":
		resp, _ = mapihttp.Encode(nil, &mapihttp.NotificationWaitResponse{EventPending: 1})
	case "Execute":
		resp = fakeExecute(f.t, body)
	case "PING":
	case "Disconnect":
		// Garbage instead of the framing.
		w.Header().Set("Set-Cookie", "MapiSequence=s"+itoa(seq)+"; path=/")
		w.Header().Set("Content-Type", mapihttp.ContentType)
		io.WriteString(w, "<html>oops</html>")
		return
	}
	w.Header().Add("Set-Cookie", "MapiContext=ctx1; path=/mapi/")
	w.Header().Add("Set-Cookie", "MapiSequence=s"+itoa(seq)+"; path=/mapi/")
	w.Header().Set("Content-Type", mapihttp.ContentType)
	w.Header().Set("X-ResponseCode", "0")
	fl := w.(http.Flusher)
	for _, tag := range []mapihttp.MetaTag{mapihttp.Processing, mapihttp.Pending, mapihttp.Pending} {
		w.Write(mapihttp.AppendMetaTag(nil, tag))
		fl.Flush()
		time.Sleep(15 * time.Millisecond)
	}
	w.Write(mapihttp.AppendDone(nil, mapihttp.DoneHeaders(0, 42, "Mon, 05 Jan 2026 09:00:00 GMT")))
	w.Write(resp)
}

// fakeExecute answers an Execute holding one RopOpenFolder with a
// compressed and obfuscated response block.
func fakeExecute(t *testing.T, body []byte) []byte {
	req := &mapihttp.ExecuteRequest{}
	if err := mapihttp.Decode(req, body, 0, false).Err(); err != nil {
		t.Errorf("fake: Execute request: %v", err)
		return nil
	}
	blocks, c := rpcext.Decode(req.RopBuffer, false)
	if c.Err() != nil || len(blocks) != 1 || !blocks[0].Last() || !blocks[0].Compressed() {
		t.Errorf("fake: request RPC_HEADER_EXT %+v %v (want one compressed block flagged Last)", blocks, c.Err())
		return nil
	}
	if req.Flags != mapihttp.ExecuteNoXorMagic || req.MaxRopOut != DefaultMaxRopOut {
		t.Errorf("fake: Flags 0x%X MaxRopOut 0x%X", req.Flags, req.MaxRopOut)
	}
	var rb rop.RequestBuffer
	rop.CodecRequestBuffer(wire.NewDecoder(blocks[0].Data, false, ""), &rb, nil)
	of, ok := rb.Rops[0].(*rop.OpenFolderRequest)
	if !ok || len(rb.Handles) < 2 || rb.Handles[0] != 0x1111 {
		t.Errorf("fake: request ROPs %T handles %v", rb.Rops[0], rb.Handles)
		return nil
	}
	// Padding makes the response compress.
	rops := []rop.Response{&rop.OpenFolderResponse{ResponseHeader: rop.ResponseHeader{HandleIndex: of.OutputHandleIndex}}}
	enc := wire.NewEncoder(nil)
	rop.CodecResponseBuffer(enc, &rop.ResponseBuffer{Rops: rops, Pair: []int{0},
		Handles: append([]uint32{rb.Handles[0], 0x2222}, make([]uint32, 64)...)}, &rb, nil)
	ext, err := rpcext.Append(nil, []rpcext.Block{rpcext.Build(enc.Output(), rpcext.FlagCompressed|rpcext.FlagXorMagic, true)})
	if err != nil {
		t.Errorf("fake: %v", err)
	}
	out, _ := mapihttp.Encode(nil, &mapihttp.ExecuteResponse{RopBuffer: ext})
	return out
}

func TestTransportFraming(t *testing.T) {
	f := &fakeEndpoint{t: t}
	hs := httptest.NewServer(f)
	defer hs.Close()
	var exs []Exchange
	cfg := Config{Email: testEmail, Password: testPassword, ClientInfo: "{5F1C3F2E-0000-4000-8000-000000000001}",
		NoXor: true, CompressRequests: true, Observer: func(e Exchange) { exs = append(exs, e) }}
	mb := NewMailbox(hs.URL+"/mapi/emsmdb/?MailboxId="+testEmail, cfg)
	ctx := context.Background()

	cr, err := mb.Connect(ctx, "/o=x/cn=ada")
	if err != nil || cr.DisplayName != "Ada" || cr.PollsMax != 60000 {
		t.Fatalf("Connect: %+v %v", cr, err)
	}
	pending, err := mb.NotificationWait(ctx)
	if err != nil || !pending {
		t.Fatalf("NotificationWait: %v %v", pending, err)
	}
	e := exs[1]
	var tags []string
	var prev time.Duration
	for _, tt := range e.Tags {
		tags = append(tags, string(tt.Tag))
		if tt.At < prev {
			t.Errorf("meta-tag times go backwards: %v", e.Tags)
		}
		prev = tt.At
	}
	if strings.Join(tags, " ") != "PROCESSING PENDING PENDING DONE" {
		t.Fatalf("tags %v", tags)
	}
	// The keep-alives were timed as they came, not when the body ended.
	if d := e.Tags[3].At - e.Tags[0].At; d < 30*time.Millisecond {
		t.Errorf("DONE only %v after PROCESSING; the tags were not read as they streamed", d)
	}
	if e.ServerElapsed != 42*time.Millisecond || e.StartTime != "Mon, 05 Jan 2026 09:00:00 GMT" || e.Additional.Get("X-ResponseCode") != "0" {
		t.Errorf("additional headers: %v elapsed %v", e.Additional, e.ServerElapsed)
	}
	// StatusCode, ErrorCode, EventPending, AuxiliaryBufferSize.
	if !bytes.HasSuffix(e.Response, e.Body) || len(e.Body) != 16 {
		t.Errorf("body %x in response %q", e.Body, e.Response)
	}
	h := e.RequestHeader
	if h.Get("X-ClientInfo") != cfg.ClientInfo+":1" || h.Get("X-RequestType") != "NotificationWait" ||
		!strings.HasSuffix(h.Get("X-RequestId"), ":2") || h.Get("Cookie") != "MapiContext=ctx1; MapiSequence=s1" {
		t.Errorf("request headers %v", h)
	}

	// Unused slots make the request buffer compressible.
	handles := []uint32{0x1111}
	for range 40 {
		handles = append(handles, none)
	}
	res, err := mb.Execute(ctx, []rop.Request{&rop.OpenFolderRequest{OutputHandleIndex: 1, FolderId: 0x0100000000000001}}, handles)
	if err != nil {
		t.Fatalf("Execute: %v", err)
	}
	if err := res.Check(); err != nil {
		t.Fatalf("Check: %v", err)
	}
	if _, ok := res.Response(0).(*rop.OpenFolderResponse); !ok || res.Handle(1) != 0x2222 || len(res.Pairs) != 1 {
		t.Fatalf("Execute result %+v", res)
	}
	if err := mb.Ping(ctx); err != nil {
		t.Fatalf("PING: %v", err)
	}

	// Framing errors, X-ResponseCode errors and 401 are typed.
	var fe *FramingError
	if err := mb.Disconnect(ctx); !errors.As(err, &fe) {
		t.Fatalf("garbage body: %v, want a FramingError", err)
	}
	other := NewMailbox(hs.URL+"/mapi/emsmdb/", cfg)
	var rc *ResponseCodeError
	if err := other.Ping(ctx); !errors.As(err, &rc) || rc.Code != mapihttp.CodeInvalidContextCookie || rc.Name != "Invalid Context Cookie" {
		t.Fatalf("no cookie: %v", err)
	}
	bad := cfg
	bad.Password = "nope"
	if _, err := NewMailbox(hs.URL+"/mapi/emsmdb/", bad).Connect(ctx, "x"); !errors.Is(err, ErrUnauthorized) {
		t.Fatalf("wrong password: %v", err)
	}
	if len(exs) != 7 {
		t.Errorf("Observer saw %d exchanges, want 7", len(exs))
	}
}

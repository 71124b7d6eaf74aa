package replay

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mapiscope/mapiscope/client"
	"github.com/mapiscope/mapiscope/decode/auxbuf"
	"github.com/mapiscope/mapiscope/decode/mapihttp"
	"github.com/mapiscope/mapiscope/decode/nspi"
	"github.com/mapiscope/mapiscope/decode/prop"
	"github.com/mapiscope/mapiscope/decode/rop"
	"github.com/mapiscope/mapiscope/decode/rpcext"
	"github.com/mapiscope/mapiscope/decode/wire"
	"github.com/mapiscope/mapiscope/proxy"
	"github.com/mapiscope/mapiscope/server"
)

const (
	mockUser = "alice@mock.test"
	mockPass = "pw-alice-mock"
)

var mockQuiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// recordedScenario records the client's basic scenario through the
// proxy against the built-in server into a temporary trace.
func recordedScenario(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "basic.trace")
	run, err := proxy.Start(proxy.RunConfig{Listen: "http://127.0.0.1:0", Users: []server.UserSpec{{Email: mockUser, Password: mockPass}},
		Trace: path, Logger: mockQuiet})
	if err != nil {
		t.Fatal(err)
	}
	_, err = client.RunScenario(context.Background(), "basic", run.AutodiscoverURL, client.Config{Email: mockUser, Password: mockPass}, nil)
	if cerr := run.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatalf("recording the scenario: %v", err)
	}
	return path
}

func startMock(t *testing.T, ref SessionRef) *MockServer {
	t.Helper()
	m, err := StartMock(MockConfig{Ref: ref, Listen: "http://127.0.0.1:0", Logger: mockQuiet})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

func runBasic(t *testing.T, adURL string) {
	t.Helper()
	steps, err := client.RunScenario(context.Background(), "basic", adURL, client.Config{Email: mockUser, Password: "any password"}, nil)
	for _, s := range steps {
		if !s.OK() {
			t.Errorf("step %s: %v", s.Name, s.Err)
		}
	}
	if err != nil {
		t.Fatalf("scenario against the mock: %v", err)
	}
	if len(steps) < 17 {
		t.Fatalf("%d steps ran", len(steps))
	}
}

// The acceptance test of issue 9 §4: a second run of the client scenario
// is answered entirely from the trace — and a third, from the same mock.
func TestMockServesScenario(t *testing.T) {
	m := startMock(t, SessionRef{Trace: recordedScenario(t)})
	runBasic(t, m.AutodiscoverURL)
	if u := m.Unmatched(); len(u) != 0 {
		t.Fatalf("unmatched requests:\n%s", strings.Join(u, "\n"))
	}
	runBasic(t, m.AutodiscoverURL)
	if u := m.Unmatched(); len(u) != 0 {
		t.Fatalf("unmatched requests on the second run:\n%s", strings.Join(u, "\n"))
	}
}

// Requests the trace does not hold get error answers and are reported:
// a RopOpenFolder on a folder id the mock never gave out, an NSPI request
// type the client never sent, and a ROP on a handle the mock never made.
func TestMockUnmatched(t *testing.T) {
	m := startMock(t, SessionRef{Trace: recordedScenario(t)})
	ctx := context.Background()
	cfg := client.Config{Email: mockUser, Password: "x"}
	d, err := client.Autodiscover(ctx, m.AutodiscoverURL, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(d.MailStoreURL, m.URL+"/mapi/emsmdb") || !strings.HasPrefix(d.AddressBookURL, m.URL+"/mapi/nspi") {
		t.Fatalf("Autodiscover URLs not pointed at the mock: %s %s", d.MailStoreURL, d.AddressBookURL)
	}
	mb := client.NewMailbox(d.MailStoreURL, cfg)
	if _, err := mb.Connect(ctx, d.LegacyDN); err != nil {
		t.Fatal(err)
	}
	res, err := mb.Execute(ctx, []rop.Request{&rop.LogonRequest{OutputHandleIndex: 0, LogonFlags: 0x01,
		OpenFlags: 0x0100000C, Essdn: d.LegacyDN}}, []uint32{0xFFFFFFFF})
	if err != nil {
		t.Fatal(err)
	}
	lr, ok := res.Response(0).(*rop.LogonResponse)
	if !ok || lr.ReturnValue != 0 {
		t.Fatalf("RopLogon: %#v", res.Response(0))
	}
	logon := res.Handle(0)
	if len(m.Unmatched()) != 0 {
		t.Fatalf("recorded requests reported: %v", m.Unmatched())
	}

	// A known folder opens; an unknown one gets ecNotSupported.
	res, err = mb.Execute(ctx, []rop.Request{
		&rop.OpenFolderRequest{OutputHandleIndex: 1, FolderId: lr.FolderIds[4]},
		&rop.OpenFolderRequest{OutputHandleIndex: 2, FolderId: prop.MakeID(1, 0xDEAD)},
		&rop.GetPropertiesSpecificRequest{RequestHeader: rop.RequestHeader{InputHandleIndex: 2}, WantUnicode: 1, PropertyTags: []prop.Tag{0x3001001F}},
	}, []uint32{logon, 0xFFFFFFFF, 0xFFFFFFFF})
	if err != nil {
		t.Fatal(err)
	}
	if rv := res.Response(0).Header().ReturnValue; rv != 0 {
		t.Errorf("RopOpenFolder of the Inbox: %s", rv)
	}
	if res.Handle(1) == 0xFFFFFFFF {
		t.Errorf("RopOpenFolder of the Inbox gave no handle")
	}
	if rv := res.Response(1).Header().ReturnValue; rv != mockEcNotSupported {
		t.Errorf("RopOpenFolder of an unknown folder: ReturnValue %s, want ecNotSupported", rv)
	}
	if rv := res.Response(2).Header().ReturnValue; rv != mockEcNullObject {
		t.Errorf("RopGetPropertiesSpecific on the folder not opened: ReturnValue %s, want ecNullObject", rv)
	}
	u := m.Unmatched()
	if len(u) != 2 || !strings.Contains(u[0], "RopOpenFolder") || !strings.Contains(u[0], "0001-00000000DEAD") ||
		!strings.Contains(u[1], "RopGetPropertiesSpecific") {
		t.Fatalf("unmatched lines:\n%s", strings.Join(u, "\n"))
	}

	// NSPI: Bind is recorded, GetMatches is not.
	ab := client.NewAddressBook(d.AddressBookURL, cfg)
	if _, err := ab.Bind(ctx, client.DefaultSTAT()); err != nil {
		t.Fatal(err)
	}
	st := client.DefaultSTAT()
	_, err = ab.GetMatches(ctx, &nspi.GetMatchesRequest{HasState: nspi.True, State: &st, RowCount: 10})
	var se *client.StatusError
	if !errors.As(err, &se) || prop.ErrorCode(se.ErrorCode) != mockEcNotSupported {
		t.Errorf("GetMatches: %v, want ErrorCode ecNotSupported", err)
	}
	u = m.Unmatched()
	if len(u) != 3 || !strings.Contains(u[2], "GetMatches") {
		t.Fatalf("unmatched lines:\n%s", strings.Join(u, "\n"))
	}

	// The transport refuses what a server refuses.
	if err := mb.Disconnect(ctx); err != nil {
		t.Fatal(err)
	}
	var rce *client.ResponseCodeError
	if _, err := mb.Execute(ctx, []rop.Request{&rop.ReleaseRequest{}}, []uint32{logon}); !errors.As(err, &rce) || rce.Code != mapihttp.CodeContextNotFound {
		t.Errorf("Execute after Disconnect: %v, want X-ResponseCode 10", err)
	}
}

func TestMockBadInput(t *testing.T) {
	if _, err := StartMock(MockConfig{Ref: SessionRef{Trace: filepath.Join(t.TempDir(), "none.trace")}, Listen: "http://127.0.0.1:0"}); err == nil {
		t.Error("a missing trace started a mock")
	}
	path := recordedScenario(t)
	if _, err := StartMock(MockConfig{Ref: SessionRef{Trace: path}, Listen: "ftp://x"}); err == nil {
		t.Error("an ftp listen URL started a mock")
	}
	if _, err := StartMock(MockConfig{Ref: SessionRef{Trace: path, Session: 999}, Listen: "http://127.0.0.1:0"}); err == nil {
		t.Error("an unknown session started a mock")
	}
}

func TestMockTokenDiff(t *testing.T) {
	for _, c := range []struct {
		a, b   string
		ta, tb string
		ok     bool
	}{
		{"mapiscope draft C0CDC052", "mapiscope draft 1A2B3C4D", "C0CDC052", "1A2B3C4D", true},
		{"mapiscope-C0CDC052.bin", "mapiscope-C0ABC052.bin", "C0CDC052", "C0ABC052", true},
		{"Inbox", "Outbox", "", "", false},
		{"draft ABCDEF", "draft ABCDEG", "", "", false}, // a word, no digit
		{"x 123", "x 456", "", "", false},               // too short
		{"a-b-c-d-e-f-1", "a-b-c-d-e-f-2", "", "", false},
	} {
		ta, tb, ok := mockTokenDiff(c.a, c.b)
		if ok != c.ok || ta != c.ta || tb != c.tb {
			t.Errorf("mockTokenDiff(%q, %q) = %q, %q, %v", c.a, c.b, ta, tb, ok)
		}
	}
}

// A RopNotify recorded in an Execute's answer is sent again with the
// mock's handle of the subscription; NotificationWait answers as the
// recorded one did, after about as long.
func TestMockNotifications(t *testing.T) {
	path := filepath.Join(t.TempDir(), "notify.trace")
	run, err := proxy.Start(proxy.RunConfig{Listen: "http://127.0.0.1:0", Users: []server.UserSpec{{Email: mockUser, Password: mockPass}},
		Trace: path, Logger: mockQuiet, BuiltinTune: func(c *server.Config) { c.NotificationWaitMax = 300 * time.Millisecond }})
	if err != nil {
		t.Fatal(err)
	}
	session := func(adURL string) (sub uint32, notes []*rop.NotifyResponse, waited time.Duration) {
		t.Helper()
		ctx := context.Background()
		cfg := client.Config{Email: mockUser, Password: mockPass}
		d, err := client.Autodiscover(ctx, adURL, cfg)
		if err != nil {
			t.Fatal(err)
		}
		mb := client.NewMailbox(d.MailStoreURL, cfg)
		if _, err := mb.Connect(ctx, d.LegacyDN); err != nil {
			t.Fatal(err)
		}
		res, err := mb.Execute(ctx, []rop.Request{&rop.LogonRequest{LogonFlags: 0x01, OpenFlags: 0x0100000C, Essdn: d.LegacyDN}}, []uint32{0xFFFFFFFF})
		if err != nil || res.Check() != nil {
			t.Fatalf("RopLogon: %v %v", err, res.Check())
		}
		lr := res.Response(0).(*rop.LogonResponse)
		lh := res.Handle(0)
		res, err = mb.Execute(ctx, []rop.Request{&rop.RegisterNotificationRequest{OutputHandleIndex: 1, NotificationTypes: 0x04, WantWholeStore: true}},
			[]uint32{lh, 0xFFFFFFFF})
		if err != nil || res.Check() != nil {
			t.Fatalf("RopRegisterNotification: %v %v", err, res.Check())
		}
		sub = res.Handle(1)
		res, err = mb.Execute(ctx, []rop.Request{
			&rop.OpenFolderRequest{OutputHandleIndex: 1, FolderId: lr.FolderIds[3]},
			&rop.CreateFolderRequest{RequestHeader: rop.RequestHeader{InputHandleIndex: 1}, OutputHandleIndex: 2, FolderType: 1,
				UseUnicodeStrings: true, DisplayName: "Notified"},
		}, []uint32{lh, 0xFFFFFFFF, 0xFFFFFFFF})
		if err != nil || res.Check() != nil {
			t.Fatalf("RopCreateFolder: %v %v", err, res.Check())
		}
		for _, r := range res.Responses {
			if n, ok := r.(*rop.NotifyResponse); ok {
				notes = append(notes, n)
			}
		}
		start := time.Now()
		if ev, err := mb.NotificationWait(ctx); err != nil || ev {
			t.Fatalf("NotificationWait: event %v, %v", ev, err)
		}
		waited = time.Since(start)
		if err := mb.Disconnect(ctx); err != nil {
			t.Fatal(err)
		}
		return sub, notes, waited
	}
	recSub, recNotes, _ := session(run.AutodiscoverURL)
	if err := run.Close(); err != nil {
		t.Fatal(err)
	}
	if len(recNotes) == 0 {
		t.Fatal("the recording has no RopNotify to replay")
	}
	m := startMock(t, SessionRef{Trace: path})
	sub, notes, waited := session(m.AutodiscoverURL)
	if u := m.Unmatched(); len(u) != 0 {
		t.Fatalf("unmatched requests:\n%s", strings.Join(u, "\n"))
	}
	if sub == recSub {
		t.Fatalf("the mock handed out the recorded subscription handle 0x%08X", sub)
	}
	if len(notes) != len(recNotes) {
		t.Fatalf("%d RopNotify from the mock, %d recorded", len(notes), len(recNotes))
	}
	for i, n := range notes {
		if n.NotificationHandle != sub {
			t.Errorf("RopNotify %d: handle 0x%08X, want the mock's subscription 0x%08X", i, n.NotificationHandle, sub)
		}
		if n.NotificationData.FolderId != recNotes[i].NotificationData.FolderId {
			t.Errorf("RopNotify %d: FolderId %s, recorded %s", i, n.NotificationData.FolderId, recNotes[i].NotificationData.FolderId)
		}
	}
	if waited < 200*time.Millisecond || waited > 5*time.Second {
		t.Errorf("NotificationWait answered after %v; the recorded one was held about 300ms", waited)
	}
}

// Any request body gets an answer, never a panic.
func FuzzMockRequest(f *testing.F) {
	path := filepath.Join(f.TempDir(), "basic.trace")
	run, err := proxy.Start(proxy.RunConfig{Listen: "http://127.0.0.1:0", Users: []server.UserSpec{{Email: mockUser, Password: mockPass}},
		Trace: path, Logger: mockQuiet})
	if err != nil {
		f.Fatal(err)
	}
	_, err = client.RunScenario(context.Background(), "basic", run.AutodiscoverURL, client.Config{Email: mockUser, Password: mockPass}, nil)
	run.Close()
	if err != nil {
		f.Fatal(err)
	}
	m, err := StartMock(MockConfig{Ref: SessionRef{Trace: path}, Listen: "http://127.0.0.1:0"})
	if err != nil {
		f.Fatal(err)
	}
	defer m.Close()
	rb := rop.RequestBuffer{Rops: []rop.Request{
		&rop.LogonRequest{LogonFlags: 0x01, OpenFlags: 0x0100000C, Essdn: "/o=mapiscope/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn=alice"},
		&rop.OpenFolderRequest{OutputHandleIndex: 1, FolderId: prop.MakeID(1, 5)},
		&rop.ReleaseRequest{RequestHeader: rop.RequestHeader{InputHandleIndex: 1}},
	}, Ctxs: make([]rop.Ctx, 3), Handles: []uint32{0xFFFFFFFF, 0xFFFFFFFF}}
	c := wire.NewEncoder(nil)
	rop.CodecRequestBuffer(c, &rb, nil)
	chain, err := rpcext.Append(nil, []rpcext.Block{rpcext.Build(c.Output(), 0, true)})
	if err != nil {
		f.Fatal(err)
	}
	exec, err := mapihttp.Encode(nil, &mapihttp.ExecuteRequest{RopBuffer: chain, MaxRopOut: 0x10008, AuxiliaryBuffer: auxbuf.Buffer{}})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(byte(0), exec)
	bind, _ := nspi.Encode(nil, &nspi.BindRequest{HasState: nspi.True, State: &nspi.STAT{CodePage: 1252}})
	f.Add(byte(1), bind)
	f.Add(byte(2), []byte{0, 0, 0, 0, 0xFF})
	types := []mapihttp.RequestType{mapihttp.TypeExecute, mapihttp.TypeBind, mapihttp.TypeConnect, mapihttp.TypeResolveNames,
		mapihttp.TypeGetProps, mapihttp.TypeNotificationWait, mapihttp.TypeDisconnect}
	f.Fuzz(func(t *testing.T, which byte, body []byte) {
		rt := types[int(which)%len(types)]
		m.mu.Lock()
		defer m.mu.Unlock()
		ss := newMockSession(rt.AddressBook())
		switch rt {
		case mapihttp.TypeExecute:
			out := m.execute(ss, body, "fuzz")
			resp := &mapihttp.ExecuteResponse{}
			if mapihttp.Decode(resp, out, 0, false).Failed() {
				t.Fatalf("the Execute answer does not decode")
			}
		case mapihttp.TypeNotificationWait:
			m.notificationWait(ss, body, "fuzz")
		default:
			m.call(ss, rt, body, "fuzz")
		}
	})
}

func TestMockHTTPS(t *testing.T) {
	m, err := StartMock(MockConfig{Ref: SessionRef{Trace: recordedScenario(t)}, Listen: "https://127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if !strings.HasPrefix(m.AutodiscoverURL, "https://127.0.0.1:") {
		t.Fatalf("AutodiscoverURL %s", m.AutodiscoverURL)
	}
	d, err := client.Autodiscover(context.Background(), m.AutodiscoverURL, client.Config{Email: mockUser, Password: "x", Insecure: true})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(d.MailStoreURL, m.URL+"/mapi/emsmdb/") {
		t.Fatalf("MailStore URL %s, want one under %s", d.MailStoreURL, m.URL)
	}
}

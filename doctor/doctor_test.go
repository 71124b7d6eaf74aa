package doctor

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mapiscope/mapiscope/client"
	"github.com/mapiscope/mapiscope/decode/autodiscover"
	"github.com/mapiscope/mapiscope/proxy"
	"github.com/mapiscope/mapiscope/server"
	"github.com/mapiscope/mapiscope/trace"
)

const (
	alice = "alice@example.test"
	pw    = "secret"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// newTrace writes exchanges into a new trace (through the real Writer,
// which groups and decodes them) and opens it read-only. The exchanges
// must decode without anomaly: a test's fixtures are well-formed unless
// it says otherwise (newTraceAnomalous).
func newTrace(t *testing.T, exs ...*trace.Exchange) *trace.Trace {
	t.Helper()
	tr := newTraceAnomalous(t, exs...)
	rows, err := tr.DB.Query(`SELECT exchange_id, path, reason FROM anomalies`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var path, reason sql.NullString
		rows.Scan(&id, &path, &reason)
		t.Errorf("fixture exchange %d decodes with an anomaly: %s: %s", id, path.String, reason.String)
	}
	return tr
}

// newTraceAnomalous is newTrace for fixtures that break the specifications
// on purpose.
func newTraceAnomalous(t *testing.T, exs ...*trace.Exchange) *trace.Trace {
	t.Helper()
	path := filepath.Join(t.TempDir(), "t.trace")
	w, err := trace.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	wr, err := w.NewWriter("jsonl", "doctor test", "dev")
	if err != nil {
		t.Fatal(err)
	}
	for _, ex := range exs {
		if _, err := wr.Add(ex); err != nil {
			t.Fatal(err)
		}
	}
	if err := wr.Close(); err != nil {
		t.Fatal(err)
	}
	w.Close()
	return openTrace(t, path)
}

func openTrace(t testing.TB, path string) *trace.Trace {
	t.Helper()
	tr, err := trace.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tr.Close() })
	return tr
}

// check runs one rule.
func check(t *testing.T, tr *trace.Trace, rule string) []Finding {
	t.Helper()
	fs, err := Run(context.Background(), tr, Options{Rules: []string{rule}})
	if err != nil {
		t.Fatal(err)
	}
	return fs
}

// want asserts exactly one finding of severity sev, and returns it.
func want(t *testing.T, fs []Finding, sev Severity) Finding {
	t.Helper()
	if len(fs) != 1 {
		t.Fatalf("%d findings, want 1: %s", len(fs), dump(fs))
	}
	if fs[0].Severity != sev {
		t.Fatalf("severity %s, want %s: %s", fs[0].Severity, sev, dump(fs))
	}
	if fs[0].Explanation == "" || fs[0].Fix == "" || fs[0].Title == "" || len(fs[0].Evidence) == 0 {
		t.Fatalf("finding lacks a title, evidence, explanation or fix: %s", dump(fs))
	}
	return fs[0]
}

// none asserts no finding at all.
func none(t *testing.T, fs []Finding) {
	t.Helper()
	if len(fs) != 0 {
		t.Fatalf("unexpected findings: %s", dump(fs))
	}
}

func dump(fs []Finding) string {
	b, _ := json.MarshalIndent(fs, "", "  ")
	return string(b)
}

// evidenceExists checks every piece of evidence names an exchange (and ROP)
// of the trace, the way `mapiscope show` looks them up.
func evidenceExists(t *testing.T, tr *trace.Trace, f Finding) {
	t.Helper()
	for _, e := range f.Evidence {
		var n int
		tr.DB.QueryRow(`SELECT count(*) FROM exchanges WHERE id = ?`, e.Exchange).Scan(&n)
		if n != 1 {
			t.Errorf("evidence %+v: no exchange %d", e, e.Exchange)
		}
		if e.Rop != 0 {
			tr.DB.QueryRow(`SELECT count(*) FROM rops WHERE id = ? AND exchange_id = ?`, e.Rop, e.Exchange).Scan(&n)
			if n != 1 {
				t.Errorf("evidence %+v: no ROP r%d in exchange %d", e, e.Rop, e.Exchange)
			}
		}
	}
}

var t0 = time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)

// httpExchange builds a plain HTTP exchange.
func httpExchange(method, host, u string, reqH http.Header, reqBody []byte, status int, respH http.Header, respBody []byte) *trace.Exchange {
	if reqH == nil {
		reqH = http.Header{}
	}
	if respH == nil {
		respH = http.Header{}
	}
	t0 = t0.Add(100 * time.Millisecond)
	return &trace.Exchange{Client: "192.0.2.10:50200", Server: host + ":443", Conn: "tcp/" + host, Started: t0,
		RequestDone: t0.Add(time.Millisecond), ResponseStart: t0.Add(5 * time.Millisecond), Ended: t0.Add(10 * time.Millisecond),
		Method: method, URL: u, Host: host, Proto: "HTTP/1.1", ReqHeader: reqH, ReqBody: reqBody,
		Status: status, StatusText: http.StatusText(status), RespHeader: respH, RespBody: respBody}
}

// adPost builds an Autodiscover POST for email to host, answered with
// status and body.
func adPost(host, email, auth string, status int, respH http.Header, resp []byte) *trace.Exchange {
	h := http.Header{}
	h.Set("Content-Type", "text/xml; charset=utf-8")
	h.Set("User-Agent", "Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17928; Pro)")
	if auth != "" {
		h.Set("Authorization", auth)
	}
	if respH == nil {
		respH = http.Header{}
	}
	if resp != nil && respH.Get("Content-Type") == "" {
		respH.Set("Content-Type", "text/xml; charset=utf-8")
	}
	return httpExchange("POST", host, "/autodiscover/autodiscover.xml", h,
		autodiscover.BuildRequest(autodiscover.Request{EMailAddress: email}), status, respH, resp)
}

// adSettings is a settings response for email on the server host.
func adSettings(host, primary string) []byte {
	return autodiscover.NewMapiHTTPResponse(autodiscover.User{DisplayName: "Alice", AutoDiscoverSMTPAddress: primary,
		LegacyDN: "/o=example/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn=alice"},
		"https://"+host+"/mapi/emsmdb/?MailboxId=5b2f06d6@example.test", "https://"+host+"/mapi/nspi/?MailboxId=5b2f06d6@example.test")
}

// ---- a real session: built-in server, proxy, scripted client ----

var (
	realOnce sync.Once
	realPath string
	realErr  error
	realDir  string
)

func TestMain(m *testing.M) {
	code := m.Run()
	if realDir != "" {
		os.RemoveAll(realDir)
	}
	os.Exit(code)
}

// recordScenario runs the basic client scenario through the recording
// proxy in front of the built-in server into path; the scenario's error
// (a wrong password, say) is returned, not fatal.
func recordScenario(path string, runs int, cfg client.Config) error {
	run, err := proxy.Start(proxy.RunConfig{Listen: "http://127.0.0.1:0", Users: []server.UserSpec{{Email: alice, Password: pw}},
		Trace: path, Logger: quiet})
	if err != nil {
		return err
	}
	var scenarioErr error
	for range runs {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		_, err := client.RunScenario(ctx, "basic", run.AutodiscoverURL, cfg, nil)
		cancel()
		if err != nil && scenarioErr == nil {
			scenarioErr = err
		}
	}
	if err := run.Close(); err != nil {
		return err
	}
	return scenarioErr
}

// realTrace is one clean session of the scripted client against the
// built-in server through the proxy (recorded once per test binary).
func realTrace(t testing.TB) *trace.Trace {
	t.Helper()
	realOnce.Do(func() {
		realDir, realErr = os.MkdirTemp("", "doctor-real")
		if realErr != nil {
			return
		}
		realPath = filepath.Join(realDir, "real.trace")
		realErr = recordScenario(realPath, 1, client.Config{Email: alice, Password: pw})
	})
	if realErr != nil {
		t.Fatal(realErr)
	}
	return openTrace(t, realPath)
}

// TestRealSessionNoWarning: a clean session of the scripted client through
// the proxy gives no warning or error with every rule (the acceptance
// criterion for the demo trace).
func TestRealSessionNoWarning(t *testing.T) {
	tr := realTrace(t)
	fs, err := Run(context.Background(), tr, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if w, ok := Worst(fs); ok && w >= Warning {
		t.Fatalf("a clean session gives warnings: %s", dump(fs))
	}
	var n int
	tr.DB.QueryRow(`SELECT count(*) FROM rops`).Scan(&n)
	if n < 50 {
		t.Fatalf("the real session has %d ROPs: the scenario did not run", n)
	}
	// Every ROP decoded again is matched with its trace row.
	c := newContext(context.Background(), tr)
	rops := c.Rops()
	if len(rops) != n || c.Err() != nil {
		t.Fatalf("%d ROPs decoded again, %d in the trace (%v)", len(rops), n, c.Err())
	}
	for _, r := range rops {
		var name string
		var ex int64
		if err := tr.DB.QueryRow(`SELECT name, exchange_id FROM rops WHERE id = ?`, r.ID).Scan(&name, &ex); err != nil || name != r.Name() || ex != r.Exchange {
			t.Fatalf("ROP r%d (%s in exchange %d): trace row %q in %d (%v)", r.ID, r.Name(), r.Exchange, name, ex, err)
		}
	}
	t.Logf("findings on a clean session: %s", dump(fs))
}

func TestRegistry(t *testing.T) {
	ids := RuleIDs()
	if len(ids) < 15 {
		t.Fatalf("%d rules: %v", len(ids), ids)
	}
	for _, r := range Rules() {
		if r.ID() == "" || r.Title() == "" || strings.ContainsAny(r.ID(), " _") {
			t.Errorf("rule %q: bad id or empty title", r.ID())
		}
	}
	tr := newTrace(t)
	if _, err := Run(context.Background(), tr, Options{Rules: []string{"no-such-rule"}}); err == nil ||
		!strings.Contains(err.Error(), "unknown rule") {
		t.Errorf("unknown rule: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Run(ctx, tr, Options{}); err == nil {
		t.Error("a cancelled context gives no error")
	}
	fs, err := Run(context.Background(), tr, Options{})
	if err != nil || len(fs) != 0 {
		t.Errorf("empty trace: %v %s", err, dump(fs))
	}
}

func TestSeverityJSON(t *testing.T) {
	f := Finding{Rule: "x", Severity: Warning, Title: "t", Evidence: []Evidence{{Exchange: 3, Rop: 7}}}
	b, err := json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"severity":"warning"`) || !strings.Contains(string(b), `"rop":7`) {
		t.Errorf("JSON %s", b)
	}
	var back Finding
	if err := json.Unmarshal(b, &back); err != nil || back.Severity != Warning {
		t.Errorf("round trip: %v %+v", err, back)
	}
	if err := json.Unmarshal([]byte(`{"severity":"fatal"}`), &back); err == nil {
		t.Error("unknown severity accepted")
	}
	if got := (Evidence{Exchange: 3, Rop: 7}).Ref(); got != "r7" {
		t.Errorf("Ref %q", got)
	}
	if got := (Evidence{Exchange: 3}).Ref(); got != "3" {
		t.Errorf("Ref %q", got)
	}
}

// TestMaxEvidence: evidence beyond MaxEvidence is counted, not listed.
func TestMaxEvidence(t *testing.T) {
	var exs []*trace.Exchange
	for range 30 {
		exs = append(exs, adPost("mail.example.test", alice, "Basic [redacted]", 401, nil, nil))
	}
	tr := newTrace(t, exs...)
	fs, err := Run(context.Background(), tr, Options{Rules: []string{"auth-rejected"}, MaxEvidence: 5})
	if err != nil {
		t.Fatal(err)
	}
	f := want(t, fs, Warning)
	if len(f.Evidence) != 5 || f.Omitted != 25 {
		t.Errorf("%d evidence, %d omitted", len(f.Evidence), f.Omitted)
	}
	_ = fmt.Sprint
}

type panicky struct{}

func (panicky) ID() string               { return "panicky" }
func (panicky) Title() string            { return "a rule with a bug" }
func (panicky) Check(*Context) []Finding { panic("index out of range") }

// A rule that panics gives an error naming it, not a crash.
func TestRulePanic(t *testing.T) {
	c := newContext(context.Background(), newTrace(t))
	fs, err := runRule(c, panicky{})
	if fs != nil || err == nil || !strings.Contains(err.Error(), "rule panicky failed") {
		t.Errorf("runRule: %v %v", fs, err)
	}
}

func TestNof(t *testing.T) {
	for _, c := range []struct {
		n    int
		noun string
		want string
	}{{1, "request", "1 request"}, {2, "request", "2 requests"}, {3, "decode anomaly", "3 decode anomalies"},
		{2, "other mailbox", "2 other mailboxes"}, {0, "item", "0 items"}} {
		if got := nof(c.n, c.noun); got != c.want {
			t.Errorf("nof(%d, %q) = %q", c.n, c.noun, got)
		}
	}
	if times(1) != "once" || times(2) != "twice" || times(5) != "5 times" {
		t.Error("times")
	}
}

// BenchmarkRun runs every rule over the real session.
func BenchmarkRun(b *testing.B) {
	tr := realTrace(b)
	var size int64
	tr.DB.QueryRow(`SELECT coalesce(sum(req_size + resp_size), 0) FROM exchanges`).Scan(&size)
	b.SetBytes(size)
	for b.Loop() {
		if _, err := Run(context.Background(), tr, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

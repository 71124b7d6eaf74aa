package proxy

import (
	"bufio"
	"context"
	"crypto/tls"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mapiscope/mapiscope/client"
	"github.com/mapiscope/mapiscope/decode/mapihttp"
	"github.com/mapiscope/mapiscope/decode/nspi"
	"github.com/mapiscope/mapiscope/server"
	"github.com/mapiscope/mapiscope/trace"
)

const (
	alice = "alice@example.test"
	pw    = "secret"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// checkTrace opens a trace and checks it holds want exchanges, none with
// an anomaly, and no Authorization value.
func checkTrace(t *testing.T, path string, want int) *trace.Trace {
	t.Helper()
	tr, err := trace.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tr.Close() })
	var n, anomalies int
	if err := tr.DB.QueryRow(`SELECT count(*), coalesce(sum(anomaly_count),0) FROM exchanges`).Scan(&n, &anomalies); err != nil {
		t.Fatal(err)
	}
	if n != want {
		t.Errorf("trace holds %d exchanges, want %d", n, want)
	}
	if anomalies != 0 {
		rows, _ := tr.DB.Query(`SELECT exchange_id, reason FROM anomalies LIMIT 5`)
		for rows.Next() {
			var id int
			var reason string
			rows.Scan(&id, &reason)
			t.Errorf("anomaly in exchange %d: %s", id, reason)
		}
		rows.Close()
	}
	var leaked int
	tr.DB.QueryRow(`SELECT count(*) FROM exchanges WHERE req_headers LIKE '%Basic YWxp%'`).Scan(&leaked)
	if leaked != 0 {
		t.Errorf("%d exchanges keep the Authorization value", leaked)
	}
	return tr
}

func runScenario(t *testing.T, adURL string, cfg client.Config) int {
	t.Helper()
	var mu sync.Mutex
	n := 0
	cfg.Email, cfg.Password = alice, pw
	cfg.Observer = func(client.Exchange) { mu.Lock(); n++; mu.Unlock() }
	steps, err := client.RunScenario(context.Background(), "basic", adURL, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range steps {
		if !s.OK() {
			t.Fatalf("step %s: %v", s.Name, s.Err)
		}
	}
	return n
}

func TestReverseScenario(t *testing.T) {
	path := filepath.Join(t.TempDir(), "t.trace")
	run, err := Start(RunConfig{Listen: "http://127.0.0.1:0", Users: []server.UserSpec{{Email: alice, Password: pw}}, Trace: path, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	n := runScenario(t, run.AutodiscoverURL, client.Config{})
	if err := run.Close(); err != nil {
		t.Fatal(err)
	}
	tr := checkTrace(t, path, n)
	// Every request after Autodiscover went to the proxy: the rewritten
	// URLs kept the client there.
	var rewritten int
	tr.DB.QueryRow(`SELECT count(*) FROM exchanges WHERE resp_headers LIKE '%X-Mapiscope-Rewritten: 4 URLs%'`).Scan(&rewritten)
	if rewritten != 1 {
		t.Errorf("%d rewritten Autodiscover responses, want 1", rewritten)
	}
	var sessions int
	tr.DB.QueryRow(`SELECT count(*) FROM sessions WHERE endpoint IN ('emsmdb','nspi')`).Scan(&sessions)
	if sessions != 2 {
		t.Errorf("%d MAPI sessions in the trace, want 2", sessions)
	}
}

func TestForwardScenario(t *testing.T) {
	up, err := server.Start(server.RunConfig{Listen: "https://127.0.0.1:0", Users: []server.UserSpec{{Email: alice, Password: pw}}, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	defer up.Close()
	path := filepath.Join(t.TempDir(), "t.trace")
	run, err := Start(RunConfig{Mode: Forward, Listen: "http://127.0.0.1:0", Intercept: `^127\.0\.0\.1$`, CADir: t.TempDir(), UpstreamInsecure: true, Trace: path, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	pu, _ := url.Parse(run.URL)
	hc := &http.Client{Transport: &http.Transport{Proxy: http.ProxyURL(pu), TLSClientConfig: &tls.Config{RootCAs: run.CA.Pool()}}}
	n := runScenario(t, up.AutodiscoverURL, client.Config{HTTPClient: hc})
	if err := run.Close(); err != nil {
		t.Fatal(err)
	}
	checkTrace(t, path, n)

	// A host the proxy is not told about is refused.
	run2, err := Start(RunConfig{Mode: Forward, Listen: "http://127.0.0.1:0", Intercept: `^mail\.example\.test$`, CADir: t.TempDir(), Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	defer run2.Close()
	pu2, _ := url.Parse(run2.URL)
	hc2 := &http.Client{Transport: &http.Transport{Proxy: http.ProxyURL(pu2)}}
	if _, err := hc2.Get(up.URL); err == nil || !strings.Contains(err.Error(), "Forbidden") {
		t.Errorf("CONNECT to an unlisted host: %v, want 403", err)
	}
}

// TestStreaming: the upstream sends PROCESSING and PENDING, waits two
// seconds, then DONE; the client sees PENDING within 100 ms.
func TestStreaming(t *testing.T) {
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", mapihttp.ContentType)
		w.Header().Set("X-ResponseCode", "0")
		w.WriteHeader(200)
		io.WriteString(w, "PROCESSING\r\nPENDING\r\n")
		w.(http.Flusher).Flush()
		select {
		case <-time.After(2 * time.Second):
		case <-r.Context().Done():
			return
		}
		io.WriteString(w, "DONE\r\nX-ResponseCode: 0\r\n\r\n")
	}))
	defer up.Close()
	path := filepath.Join(t.TempDir(), "t.trace")
	run, err := Start(RunConfig{Listen: "http://127.0.0.1:0", Upstream: up.URL, Trace: path, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	defer run.Close()
	req, _ := http.NewRequest("POST", run.URL+"/mapi/emsmdb/", strings.NewReader("x"))
	req.Header.Set("Content-Type", mapihttp.ContentType)
	req.Header.Set("X-RequestType", "NotificationWait")
	start := time.Now()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	br := bufio.NewReader(resp.Body)
	for _, want := range []string{"PROCESSING", "PENDING"} {
		line, err := br.ReadString('\n')
		if err != nil || strings.TrimSpace(line) != want {
			t.Fatalf("read %q, %v; want %s", line, err, want)
		}
	}
	if d := time.Since(start); d > 100*time.Millisecond {
		t.Errorf("PENDING reached the client after %v, want < 100 ms", d)
	}
	rest, _ := io.ReadAll(br)
	if !strings.HasPrefix(string(rest), "DONE") {
		t.Errorf("rest %q", rest)
	}
	if d := time.Since(start); d < 2*time.Second {
		t.Errorf("DONE after %v, before the upstream sent it", d)
	}
	run.Flush()
	tr, _ := trace.Open(path)
	defer tr.Close()
	var chunks int
	tr.DB.QueryRow(`SELECT count(*) FROM chunks`).Scan(&chunks)
	if chunks < 2 {
		t.Errorf("%d chunks recorded, want the PENDING and the DONE apart", chunks)
	}
}

func TestFaults(t *testing.T) {
	// Upstream down: 502 with a one-line reason, recorded with the error.
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	dead := "http://" + ln.Addr().String()
	ln.Close()
	path := filepath.Join(t.TempDir(), "t.trace")
	run, err := Start(RunConfig{Listen: "http://127.0.0.1:0", Upstream: dead, Trace: path, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Post(run.URL+"/mapi/emsmdb/", mapihttp.ContentType, strings.NewReader("x"))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 502 || strings.Count(string(body), "\n") != 1 || !strings.Contains(string(body), "upstream") {
		t.Errorf("upstream down: %d %q", resp.StatusCode, body)
	}
	run.Close()
	tr, _ := trace.Open(path)
	var errText string
	tr.DB.QueryRow(`SELECT coalesce(error,'') FROM exchanges`).Scan(&errText)
	tr.Close()
	if !strings.Contains(errText, "upstream") {
		t.Errorf("recorded error %q", errText)
	}

	// Client gone mid-stream: the upstream request is cancelled and the
	// partial exchange recorded.
	cancelled := make(chan struct{})
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(200)
		io.WriteString(w, "PROCESSING\r\n")
		w.(http.Flusher).Flush()
		select {
		case <-r.Context().Done():
			close(cancelled)
		case <-time.After(5 * time.Second):
		}
	}))
	defer up.Close()
	path = filepath.Join(t.TempDir(), "t2.trace")
	run, err = Start(RunConfig{Listen: "http://127.0.0.1:0", Upstream: up.URL, Trace: path, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "POST", run.URL+"/mapi/emsmdb/", strings.NewReader("x"))
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 12)
	io.ReadFull(resp.Body, buf)
	cancel()
	resp.Body.Close()
	select {
	case <-cancelled:
	case <-time.After(3 * time.Second):
		t.Error("the upstream request was not cancelled when the client left")
	}
	time.Sleep(100 * time.Millisecond)
	run.Close()
	tr, _ = trace.Open(path)
	var partial int
	tr.DB.QueryRow(`SELECT coalesce(error,''), partial FROM exchanges`).Scan(&errText, &partial)
	tr.Close()
	if partial == 0 || !strings.Contains(errText, "client gone") {
		t.Errorf("client gone: recorded partial=%d error %q", partial, errText)
	}

	// A malformed upstream response is forwarded as received; the trace
	// records the anomaly.
	garbage := "PROCESSING\r\nDONE\r\nX-ResponseCode: 0\r\n\r\n\x01\x02\x03"
	up2 := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", mapihttp.ContentType)
		w.Header().Set("X-RequestType", "Execute")
		w.Header().Set("X-ResponseCode", "0")
		io.WriteString(w, garbage)
	}))
	defer up2.Close()
	path = filepath.Join(t.TempDir(), "t3.trace")
	run, err = Start(RunConfig{Listen: "http://127.0.0.1:0", Upstream: up2.URL, Trace: path, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	req, _ = http.NewRequest("POST", run.URL+"/mapi/emsmdb/", strings.NewReader("\x00\x00\x00\x00\x00\x00\x00\x00"))
	req.Header.Set("Content-Type", mapihttp.ContentType)
	req.Header.Set("X-RequestType", "Execute")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != garbage {
		t.Errorf("forwarded %q, want the upstream's bytes", body)
	}
	run.Close()
	tr, _ = trace.Open(path)
	var anomalies int
	tr.DB.QueryRow(`SELECT anomaly_count FROM exchanges`).Scan(&anomalies)
	tr.Close()
	if anomalies == 0 {
		t.Error("no anomaly recorded for a malformed response")
	}
}

func TestNspiURLRewrite(t *testing.T) {
	run, err := Start(RunConfig{Listen: "http://127.0.0.1:0", Users: []server.UserSpec{{Email: alice, Password: pw}}, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	defer run.Close()
	ab := client.NewAddressBook(run.URL+"/mapi/nspi/?MailboxId="+alice, client.Config{Email: alice, Password: pw})
	ctx := context.Background()
	if _, err := ab.Bind(ctx, nspi.STAT{CodePage: 1252, TemplateLocale: 1033, SortLocale: 1033}); err != nil {
		t.Fatal(err)
	}
	mb, _ := run.Builtin.Store.MailboxByEmail(alice)
	for name, get := range map[string]func() (string, error){
		"GetMailboxUrl":     func() (string, error) { return ab.GetMailboxUrl(ctx, server.ServerDN) },
		"GetAddressBookUrl": func() (string, error) { return ab.GetAddressBookUrl(ctx, mb.LegacyDN) },
	} {
		u, err := get()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !strings.HasPrefix(u, run.URL+"/mapi/") {
			t.Errorf("%s: %q does not point at the proxy %s", name, u, run.URL)
		}
	}
}

func TestForwardPlainHTTPAndKeyLog(t *testing.T) {
	up, err := server.Start(server.RunConfig{Listen: "http://127.0.0.1:0", Users: []server.UserSpec{{Email: alice, Password: pw}}, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	defer up.Close()
	dir := t.TempDir()
	run, err := Start(RunConfig{Mode: Forward, Listen: "http://127.0.0.1:0", Allow: `^127\.0\.0\.1$`, Trace: filepath.Join(dir, "t.trace"), Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	pu, _ := url.Parse(run.URL)
	n := runScenario(t, up.AutodiscoverURL, client.Config{HTTPClient: &http.Client{Transport: &http.Transport{Proxy: http.ProxyURL(pu)}}})
	run.Close()
	checkTrace(t, filepath.Join(dir, "t.trace"), n)

	// Key log lines for both TLS legs of an intercepted tunnel.
	tlsUp, err := server.Start(server.RunConfig{Listen: "https://127.0.0.1:0", Users: []server.UserSpec{{Email: alice, Password: pw}}, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	defer tlsUp.Close()
	keylog := filepath.Join(dir, "keys.log")
	run, err = Start(RunConfig{Mode: Forward, Listen: "http://127.0.0.1:0", Intercept: `^127\.0\.0\.1$`, CADir: dir, UpstreamInsecure: true, KeyLog: keylog, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	pu, _ = url.Parse(run.URL)
	hc := &http.Client{Transport: &http.Transport{Proxy: http.ProxyURL(pu), TLSClientConfig: &tls.Config{RootCAs: run.CA.Pool()}}}
	req, _ := http.NewRequest("POST", tlsUp.AutodiscoverURL, strings.NewReader("<x/>"))
	req.SetBasicAuth(alice, pw)
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	run.Close()
	b, _ := os.ReadFile(keylog)
	randoms := map[string]bool{}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) == 3 {
			randoms[f[1]] = true
		}
	}
	if len(randoms) < 2 {
		t.Errorf("key log has secrets of %d TLS connections, want both legs:\n%s", len(randoms), b)
	}
	if fi, err := os.Stat(keylog); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("key log mode %v", fi.Mode())
	}
}

// TestConnectionAffinity: each client connection is carried by its own
// upstream connection, so a connection-oriented handshake (NTLM,
// Negotiate) sees all its legs on one upstream connection.
func TestConnectionAffinity(t *testing.T) {
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		io.WriteString(w, r.RemoteAddr)
	}))
	defer up.Close()
	run, err := Start(RunConfig{Listen: "http://127.0.0.1:0", Upstream: up.URL, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	defer run.Close()
	seen := func(hc *http.Client) []string {
		var out []string
		for range 3 {
			resp, err := hc.Post(run.URL+"/mapi/emsmdb/", "text/plain", strings.NewReader("x"))
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			out = append(out, string(b))
		}
		return out
	}
	a := seen(&http.Client{Transport: &http.Transport{MaxConnsPerHost: 1}})
	b := seen(&http.Client{Transport: &http.Transport{MaxConnsPerHost: 1}})
	if a[0] != a[1] || a[1] != a[2] || b[0] != b[1] || b[1] != b[2] {
		t.Errorf("one client connection used several upstream connections: %v %v", a, b)
	}
	if a[0] == b[0] {
		t.Errorf("two client connections shared the upstream connection %s", a[0])
	}
}

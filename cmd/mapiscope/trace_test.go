package main

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mapiscope/mapiscope/capture/jsonl"
	"github.com/mapiscope/mapiscope/capture/pcap"
	"github.com/mapiscope/mapiscope/internal/mapitest"
	"github.com/mapiscope/mapiscope/trace"
)

// sampleFile writes the shared sample session as JSON lines.
func sampleFile(t *testing.T, dir string) string {
	t.Helper()
	exs, err := mapitest.SampleSession(mapitest.NewConversation())
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	for _, ex := range exs {
		if err := jsonl.Write(&b, ex); err != nil {
			t.Fatal(err)
		}
	}
	p := filepath.Join(dir, "sample.jsonl")
	if err := os.WriteFile(p, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestImportLsShowStats(t *testing.T) {
	dir := t.TempDir()
	src := sampleFile(t, dir)
	tr := filepath.Join(dir, "t.mapiscope")
	if code, _, errs := runCLI(t, "", "import", src, "--trace", tr); code != 0 {
		t.Fatalf("import: exit %d: %s", code, errs)
	}
	code, out, errs := runCLI(t, "", "ls", tr, "--json")
	if code != 0 {
		t.Fatalf("ls: %d %s", code, errs)
	}
	var rows []map[string]any
	if err := json.Unmarshal([]byte(out), &rows); err != nil {
		t.Fatalf("ls --json: %v\n%s", err, out)
	}
	if len(rows) != 8 {
		t.Fatalf("%d exchanges", len(rows))
	}
	for _, k := range []string{"id", "session", "method", "url", "request_type", "http_status", "x_response_code", "rops"} {
		if _, ok := rows[3][k]; !ok {
			t.Fatalf("ls --json lacks %q: %v", k, rows[3])
		}
	}
	rops := rows[3]["rops"].([]any)
	first := rops[0].(map[string]any)
	if first["name"] != "RopOpenFolder" || first["RopId"] != float64(2) || first["ReturnValue"] != float64(0) {
		t.Fatalf("rops[0] = %v", first)
	}
	// A filter: the exchange with the failing ROP.
	code, out, _ = runCLI(t, "", "ls", tr, "~ec 0x8004010F", "--json")
	json.Unmarshal([]byte(out), &rows)
	if code != 0 || len(rows) != 1 || rows[0]["rops"].([]any)[0].(map[string]any)["ReturnValue"] != float64(0x8004010F) {
		t.Fatalf("~ec filter: %d %s", code, out)
	}
	code, out, _ = runCLI(t, "", "ls", tr, "~rop QueryRows & ~prop PidTagSubject")
	if code != 0 || !strings.Contains(out, "QueryRows") || strings.Count(out, "\n") != 2 {
		t.Fatalf("~rop & ~prop: %s", out)
	}
	code, _, errs = runCLI(t, "", "ls", tr, "~rop NoSuchRop")
	if code != 2 || !strings.Contains(errs, "column") {
		t.Fatalf("bad filter: %d %q", code, errs)
	}
	code, out, _ = runCLI(t, "", "ls", tr, "--sessions")
	if code != 0 || !strings.Contains(out, "emsmdb") || !strings.Contains(out, "alice@example.test") {
		t.Fatalf("--sessions: %s", out)
	}
	code, out, _ = runCLI(t, "", "ls", tr, "--rops", "~ec")
	if code != 0 || !strings.Contains(out, "RopOpenFolder") || !strings.Contains(out, "ecNotFound") {
		t.Fatalf("--rops: %s", out)
	}
	code, out, _ = runCLI(t, "", "show", tr, "6")
	if code != 0 || !strings.Contains(out, "Quarterly report") || !strings.Contains(out, "on contents table of folder Inbox") {
		t.Fatalf("show: %d\n%s", code, out)
	}
	code, out, _ = runCLI(t, "", "show", tr, "8")
	if code != 0 || !strings.Contains(out, "PENDING") {
		t.Fatalf("show timeline: %s", out)
	}
	code, out, _ = runCLI(t, "", "stats", tr, "--json")
	var st []map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &st) != nil || len(st) != 2 {
		t.Fatalf("stats: %d %s", code, out)
	}
	code, out, _ = runCLI(t, "", "stats", tr)
	if code != 0 || !strings.Contains(out, "RopQueryRows") || !strings.Contains(out, "p50") {
		t.Fatalf("stats text: %s", out)
	}
}

// Export then import keeps every byte of every body and every timing.
func TestExportImportRoundTrip(t *testing.T) {
	dir := t.TempDir()
	tr := filepath.Join(dir, "t.mapiscope")
	if code, _, errs := runCLI(t, "", "import", sampleFile(t, dir), "--trace", tr); code != 0 {
		t.Fatalf("import: %s", errs)
	}
	want := readAll(t, tr)
	for _, format := range []string{"har", "saz", "json"} {
		file := filepath.Join(dir, "out."+format)
		if code, _, errs := runCLI(t, "", "export", tr, "--format", format, file); code != 0 {
			t.Fatalf("export %s: %s", format, errs)
		}
		tr2 := filepath.Join(dir, "again-"+format+".mapiscope")
		if code, _, errs := runCLI(t, "", "import", file, "--trace", tr2); code != 0 {
			t.Fatalf("re-import %s: %s", format, errs)
		}
		got := readAll(t, tr2)
		if len(got) != len(want) {
			t.Fatalf("%s: %d exchanges, want %d", format, len(got), len(want))
		}
		for i := range want {
			w, g := want[i], got[i]
			if !bytes.Equal(w.ReqBody, g.ReqBody) || !bytes.Equal(w.RespBody, g.RespBody) {
				t.Fatalf("%s: exchange %d bodies differ", format, i+1)
			}
			if !w.Started.Equal(g.Started) || !w.Ended.Equal(g.Ended) || !w.RequestDone.Equal(g.RequestDone) || !w.ResponseStart.Equal(g.ResponseStart) {
				t.Fatalf("%s: exchange %d timings differ: %v %v / %v %v", format, i+1, w.Started, g.Started, w.Ended, g.Ended)
			}
			if len(w.Chunks) != len(g.Chunks) {
				t.Fatalf("%s: exchange %d: %d chunks, want %d", format, i+1, len(g.Chunks), len(w.Chunks))
			}
			for k := range w.Chunks {
				if w.Chunks[k].Offset != g.Chunks[k].Offset || w.Chunks[k].Length != g.Chunks[k].Length || !w.Chunks[k].At.Equal(g.Chunks[k].At) {
					t.Fatalf("%s: exchange %d chunk %d differs: %+v vs %+v", format, i+1, k, g.Chunks[k], w.Chunks[k])
				}
			}
		}
	}
}

func readAll(t *testing.T, path string) []*trace.Exchange {
	t.Helper()
	tr, err := trace.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	var out []*trace.Exchange
	if err := tr.ReadExchanges("", nil, func(_ int64, ex *trace.Exchange) error { out = append(out, ex); return nil }); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestImportBadInput(t *testing.T) {
	dir := t.TempDir()
	for name, content := range map[string][]byte{
		"corrupt.pcap": append([]byte{0xd4, 0xc3, 0xb2, 0xa1}, bytes.Repeat([]byte{0xff}, 40)...),
		"notsaz.zip":   zipWith(t, "hello.txt", "hi"),
		"bad.har":      []byte(`{"log": {"version": "1.2", "entries": [{"startedDateTime": "2026-11-28T09:00:00Z", "time": 1, "request": {"method": "POST", "url": "http://x/mapi/emsmdb/", "httpVersion": "HTTP/1.1", "headers": [], "postData": {"mimeType": "application/mapi-http", "text": "!!!", "_encoding": "base64"}}, "response": {"status": 200, "statusText": "OK", "httpVersion": "HTTP/1.1", "headers": [], "content": {"size": 0, "mimeType": "x"}}, "timings": {"send": 0, "wait": 0, "receive": 0}}]}}`),
		"random.bin":   []byte("this is not a capture at all"),
	} {
		p := filepath.Join(dir, name)
		os.WriteFile(p, content, 0o644)
		tr := filepath.Join(dir, name+".mapiscope")
		code, _, errs := runCLI(t, "", "import", p, "--trace", tr)
		if code != 2 {
			t.Errorf("%s: exit %d", name, code)
		}
		if strings.Count(strings.TrimSpace(errs), "\n") != 0 || errs == "" {
			t.Errorf("%s: stderr not one line: %q", name, errs)
		}
		if _, err := os.Stat(tr); err == nil {
			t.Errorf("%s: a half-written trace was left behind", name)
		}
	}
}

func zipWith(t *testing.T, name, content string) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	w, _ := zw.Create(name)
	w.Write([]byte(content))
	zw.Close()
	return b.Bytes()
}

// pcapFile writes the sample session as a pcap with real TCP/IP framing:
// one keep-alive connection, chunked responses sent chunk by chunk at their
// recorded times.
func pcapFile(t *testing.T, dir string) (string, []*trace.Exchange) {
	t.Helper()
	exs, err := mapitest.SampleSession(mapitest.NewConversation())
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	w, err := pcap.NewWriter(&b, pcap.WriterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	conn, err := w.Dial(netip.MustParseAddrPort("192.0.2.10:50123"), netip.MustParseAddrPort("192.0.2.1:80"), exs[0].Started.Add(-time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	for _, ex := range exs {
		h := ex.ReqHeader.Clone()
		h.Set("Host", ex.Host)
		if _, err := conn.Send(true, pcap.HTTPRequest(ex.Method, ex.URL, h, ex.ReqBody), ex.Started); err != nil {
			t.Fatal(err)
		}
		if _, err := conn.Send(false, pcap.HTTPChunkedHead(ex.Status, ex.RespHeader), ex.ResponseStart); err != nil {
			t.Fatal(err)
		}
		for _, c := range ex.Chunks {
			if _, err := conn.Send(false, pcap.HTTPChunk(ex.RespBody[c.Offset:c.Offset+c.Length]), c.At); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := conn.Send(false, pcap.HTTPLastChunk(), ex.Ended); err != nil {
			t.Fatal(err)
		}
	}
	conn.Close(exs[len(exs)-1].Ended.Add(time.Millisecond))
	w.Close()
	p := filepath.Join(dir, "sample.pcap")
	if err := os.WriteFile(p, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p, exs
}

// pcap → trace → HAR → trace and → SAZ → trace keep every body byte-equal.
func TestPcapRoundTrips(t *testing.T) {
	dir := t.TempDir()
	src, exs := pcapFile(t, dir)
	tr := filepath.Join(dir, "p.mapiscope")
	if code, _, errs := runCLI(t, "", "import", src, "--trace", tr); code != 0 {
		t.Fatalf("import pcap: %s", errs)
	}
	got := readAll(t, tr)
	if len(got) != len(exs) {
		t.Fatalf("%d exchanges from the pcap, want %d", len(got), len(exs))
	}
	for i := range exs {
		if !bytes.Equal(got[i].ReqBody, exs[i].ReqBody) || !bytes.Equal(got[i].RespBody, exs[i].RespBody) {
			t.Fatalf("exchange %d: bodies differ after pcap import", i+1)
		}
		if len(got[i].Chunks) != len(exs[i].Chunks) {
			t.Fatalf("exchange %d: %d chunks, want %d", i+1, len(got[i].Chunks), len(exs[i].Chunks))
		}
	}
	// The decoded session is the same as from any other source.
	code, out, _ := runCLI(t, "", "ls", tr, "~rop QueryRows", "--json")
	var rows []map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &rows) != nil || len(rows) != 1 {
		t.Fatalf("ls after pcap import: %s", out)
	}
	for _, format := range []string{"har", "saz"} {
		file := filepath.Join(dir, "p."+format)
		if code, _, errs := runCLI(t, "", "export", tr, "--format", format, file); code != 0 {
			t.Fatalf("export %s: %s", format, errs)
		}
		tr2 := filepath.Join(dir, "p-"+format+".mapiscope")
		if code, _, errs := runCLI(t, "", "import", file, "--trace", tr2); code != 0 {
			t.Fatalf("import %s: %s", format, errs)
		}
		again := readAll(t, tr2)
		for i := range got {
			if !bytes.Equal(got[i].ReqBody, again[i].ReqBody) || !bytes.Equal(got[i].RespBody, again[i].RespBody) {
				t.Fatalf("%s: exchange %d bodies differ", format, i+1)
			}
		}
	}
}

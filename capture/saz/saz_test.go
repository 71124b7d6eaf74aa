package saz

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mapiscope/mapiscope/trace"
)

func writeSAZ(t testing.TB, xs []*trace.Exchange) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := Write(&b, slices.Values(xs)); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func readSAZ(t testing.TB, data []byte) ([]*trace.Exchange, Stats) {
	t.Helper()
	var out []*trace.Exchange
	st, err := Read(bytes.NewReader(data), int64(len(data)), func(e *trace.Exchange) error {
		out = append(out, e)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out, st
}

func TestRoundTrip(t *testing.T) {
	in := sampleExchanges()
	data := writeSAZ(t, in)
	out, st := readSAZ(t, data)
	if len(out) != len(in) {
		t.Fatalf("read %d exchanges, wrote %d", len(out), len(in))
	}
	if st.Sessions != len(in) || st.Partial != 2 {
		t.Errorf("stats %+v", st)
	}
	for i := range in {
		if d := diff(in[i], out[i]); d != nil {
			t.Errorf("exchange %d:\n  %s", i+1, strings.Join(d, "\n  "))
		}
		if want := fmt.Sprintf("SAZ session %d", i+1); out[i].Source != want {
			t.Errorf("Source %q, want %q", out[i].Source, want)
		}
	}
	// Twice gives the same bytes.
	if again := writeSAZ(t, out); !bytes.Equal(again, data) {
		t.Errorf("second write differs from first")
	}
}

// TestWrittenFiles checks the archive's files are what Fiddler writes.
func TestWrittenFiles(t *testing.T) {
	data := writeSAZ(t, sampleExchanges())
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{}
	for _, f := range zr.File {
		rc, _ := f.Open()
		b, _ := io.ReadAll(rc)
		files[f.Name] = string(b)
	}
	for _, name := range []string{"[Content_Types].xml", "_index.htm", "raw/0001_c.txt", "raw/0001_s.txt", "raw/0001_m.xml", "raw/0004_c.txt", "raw/0004_m.xml"} {
		if _, ok := files[name]; !ok {
			t.Errorf("no %s", name)
		}
	}
	if _, ok := files["raw/0004_s.txt"]; ok {
		t.Errorf("raw/0004_s.txt written for an exchange without response")
	}
	c := files["raw/0001_c.txt"]
	if !strings.HasPrefix(c, "POST https://mail.example.com/mapi/emsmdb/?MailboxId=0c1f@example.com HTTP/1.1\r\nHost: mail.example.com\r\n") {
		t.Errorf("request starts %q", c[:min(len(c), 120)])
	}
	s := files["raw/0001_s.txt"]
	wantChunks := "\r\n\r\nc\r\nPROCESSING\r\n\r\n9\r\nPENDING\r\n\r\n9\r\nPENDING\r\n\r\n"
	if !strings.Contains(s, wantChunks) || !strings.HasSuffix(s, "\r\n0\r\n\r\n") {
		t.Errorf("response not chunked at the timeline's boundaries: %q", s[:min(len(s), 200)])
	}
	if s5 := files["raw/0005_s.txt"]; strings.HasSuffix(s5, "0\r\n\r\n") {
		t.Errorf("cut-short response has a last chunk: %q", s5)
	}
	m := files["raw/0001_m.xml"]
	for _, want := range []string{
		`<Session SID="1" BitFlags="1">`,
		`ClientBeginRequest="2026-03-14T09:26:53.5897932+01:00"`,
		`ClientDoneRequest="2026-03-14T09:26:53.5910278+01:00"`,
		`ClientDoneResponse="2026-03-14T09:27:24.5897933+01:00"`,
		`DNSTime="0"`,
		`<SessionFlag N="x-clientip" V="10.0.0.5" />`,
		`<SessionFlag N="x-clientport" V="50123" />`,
		`<SessionFlag N="x-hostip" V="192.0.2.10" />`,
	} {
		if !strings.Contains(m, want) {
			t.Errorf("_m.xml lacks %s:\n%s", want, m)
		}
	}
	if m4 := files["raw/0004_m.xml"]; !strings.Contains(m4, `ServerBeginResponse="0001-01-01T00:00:00"`) {
		t.Errorf("unset timer not written as DateTime.MinValue:\n%s", m4)
	}
	if s2 := files["raw/0002_s.txt"]; !strings.Contains(s2, "\r\n\r\n\x1f\x8b") {
		t.Errorf("gzip body not compressed again")
	}
}

// zipOf builds a zip from name, content pairs, deflated.
func zipOf(t testing.TB, files ...string) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for i := 0; i+1 < len(files); i += 2 {
		w, err := zw.Create(files[i])
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(files[i+1]))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func gz(s string) string {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	w.Write([]byte(s))
	w.Close()
	return b.String()
}

// A session as Fiddler Classic writes it: absolute URL, chunked body kept
// chunked, metadata with 7-digit timers.
const fiddlerMeta = `<?xml version="1.0" encoding="utf-8"?>
<Session SID="1" BitFlags="9">
  <SessionTimers ClientConnected="2025-08-30T11:33:29.3569420-07:00" ClientBeginRequest="2025-08-30T11:33:40.0256586-07:00" GotRequestHeaders="2025-08-30T11:33:40.0266588-07:00" ClientDoneRequest="2025-08-30T11:33:40.0266589-07:00" GatewayTime="0" DNSTime="0" TCPConnectTime="122" HTTPSHandshakeTime="122" ServerConnected="2025-08-30T11:33:40.1488416-07:00" FiddlerBeginRequest="2025-08-30T11:33:40.2713745-07:00" ServerGotRequest="2025-08-30T11:33:40.2713745-07:00" ServerBeginResponse="2025-08-30T11:33:41.4264004-07:00" GotResponseHeaders="2025-08-30T11:33:41.4264005-07:00" ServerDoneResponse="2025-08-30T11:33:42.0000000-07:00" ClientBeginResponse="2025-08-30T11:33:41.4264006-07:00" ClientDoneResponse="2025-08-30T11:33:42.1000000-07:00" />
  <PipeInfo CltReuse="true" />
  <SessionFlags>
    <SessionFlag N="https-client-version" V="Tls12" />
    <SessionFlag N="x-clientip" V="127.0.0.1" />
    <SessionFlag N="x-clientport" V="64971" />
    <SessionFlag N="x-egressport" V="64982" />
    <SessionFlag N="x-hostip" V="44.195.242.49" />
    <SessionFlag N="x-processinfo" V="outlook:12140" />
  </SessionFlags>
</Session>`

func fiddlerArchive(t testing.TB) []byte {
	req := "POST https://mail.example.com/mapi/emsmdb/?MailboxId=a@b HTTP/1.1\r\n" +
		"Host: mail.example.com\r\nContent-Type: application/mapi-http\r\nX-RequestType: Execute\r\nContent-Length: 4\r\n\r\n\x00\x01\xfe\xff"
	resp := "HTTP/1.1 200 OK\r\nContent-Type: application/mapi-http\r\nTransfer-Encoding: chunked\r\nX-ResponseCode: 0\r\n\r\n" +
		"c\r\nPROCESSING\r\n\r\n" + "9;ext=1\r\nPENDING\r\n\r\n" + "8\r\nDONE\r\n\x00\xff\r\n" + "0\r\nX-Trailer: yes\r\n\r\n"
	z := gz("hello, gzip")
	resp10 := fmt.Sprintf("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: %d\r\n\r\n%s", len(z), z)
	return zipOf(t,
		"[Content_Types].xml", contentTypes,
		"_index.htm", "<html></html>",
		"raw/01_c.txt", req,
		"raw/01_s.txt", resp,
		"raw/01_m.xml", fiddlerMeta,
		"raw/10_c.txt", "GET http://intranet/x HTTP/1.1\r\nHost: intranet\r\n\r\n",
		"raw/10_s.txt", resp10,
		"raw/09_c.txt", "GET /y HTTP/1.1\nHost: intranet\n\n", // bare LF, no metadata
		"raw/09_s.txt", "HTTP/1.1 404 Not Found\nContent-Length: 10\n\nshort",
		"raw/11_w.txt", "websocket",
	)
}

func TestFiddlerArchive(t *testing.T) {
	out, st := readSAZ(t, fiddlerArchive(t))
	if len(out) != 3 {
		t.Fatalf("%d exchanges", len(out))
	}
	if got := []string{out[0].Source, out[1].Source, out[2].Source}; !slices.Equal(got, []string{"SAZ session 1", "SAZ session 9", "SAZ session 10"}) {
		t.Errorf("order %v", got)
	}
	e := out[0]
	if e.Method != "POST" || e.URL != "https://mail.example.com/mapi/emsmdb/?MailboxId=a@b" || e.Host != "mail.example.com" || e.Proto != "HTTP/1.1" {
		t.Errorf("request line: %q %q %q %q", e.Method, e.URL, e.Host, e.Proto)
	}
	if e.ReqHeader.Get("X-RequestType") != "Execute" || !bytes.Equal(e.ReqBody, []byte{0, 1, 0xfe, 0xff}) {
		t.Errorf("request %v %q", e.ReqHeader, e.ReqBody)
	}
	wantBody := "PROCESSING\r\nPENDING\r\nDONE\r\n\x00\xff"
	if string(e.RespBody) != wantBody || e.Status != 200 || e.StatusText != "OK" {
		t.Errorf("response %d %q %q", e.Status, e.StatusText, e.RespBody)
	}
	if e.RespHeader.Get("Transfer-Encoding") != "chunked" || e.RespHeader.Get("X-Trailer") != "yes" {
		t.Errorf("response headers %v", e.RespHeader)
	}
	ended := time.Date(2025, 8, 30, 11, 33, 42, 100000000, time.FixedZone("", -7*3600))
	wantChunks := []trace.Chunk{{Offset: 0, Length: 12, At: ended}, {Offset: 12, Length: 9, At: ended}, {Offset: 21, Length: 8, At: ended}}
	if len(e.Chunks) != 3 {
		t.Fatalf("chunks %v", e.Chunks)
	}
	for i, c := range e.Chunks {
		if c.Offset != wantChunks[i].Offset || c.Length != wantChunks[i].Length || !c.At.Equal(ended) {
			t.Errorf("chunk %d: %v, want %v", i, c, wantChunks[i])
		}
	}
	tz := time.FixedZone("", -7*3600)
	if want := time.Date(2025, 8, 30, 11, 33, 40, 25658600, tz); !e.Started.Equal(want) {
		t.Errorf("Started %v", e.Started)
	}
	if want := time.Date(2025, 8, 30, 11, 33, 40, 26658900, tz); !e.RequestDone.Equal(want) {
		t.Errorf("RequestDone %v", e.RequestDone)
	}
	if want := time.Date(2025, 8, 30, 11, 33, 41, 426400400, tz); !e.ResponseStart.Equal(want) {
		t.Errorf("ResponseStart %v", e.ResponseStart)
	}
	if !e.Ended.Equal(ended) {
		t.Errorf("Ended %v", e.Ended)
	}
	if e.Client != "127.0.0.1:64971" || e.Server != "44.195.242.49:443" || e.Conn != "tcp/127.0.0.1:64971" {
		t.Errorf("where: %q %q %q", e.Client, e.Server, e.Conn)
	}
	if e.Error != "" || e.ReqPartial || e.RespPartial {
		t.Errorf("complete session reported %q %v %v", e.Error, e.ReqPartial, e.RespPartial)
	}

	// Bare LF, body shorter than Content-Length, no metadata.
	e = out[1]
	if e.URL != "/y" || e.Status != 404 || string(e.RespBody) != "short" || !e.RespPartial || !strings.Contains(e.Error, "5 of 10") {
		t.Errorf("session 9: %q %d %q %v %q", e.URL, e.Status, e.RespBody, e.RespPartial, e.Error)
	}
	if !e.Started.IsZero() || e.Client != "" {
		t.Errorf("session 9 without metadata has times or addresses")
	}
	// 100 Continue skipped, gzip decoded with the header kept.
	e = out[2]
	if e.Status != 200 || string(e.RespBody) != "hello, gzip" || e.RespHeader.Get("Content-Encoding") != "gzip" || e.Error != "" {
		t.Errorf("session 10: %d %q %v %q", e.Status, e.RespBody, e.RespHeader, e.Error)
	}
	if st.Sessions != 3 || st.Partial != 1 || len(st.Notes) != 1 || !strings.Contains(st.Notes[0], "11_w.txt") {
		t.Errorf("stats %+v", st)
	}
}

// TestChunkedGzip reads a chunked gzip body as a server sends it: the
// chunk boundaries fall anywhere in the compressed stream and are mapped
// to what the bytes so far decode to.
func TestChunkedGzip(t *testing.T) {
	plain := strings.Repeat("abcdefghij", 1000)
	z := gz(plain)
	cuts := []int{10, len(z) / 2, len(z)}
	var body strings.Builder
	prev := 0
	for _, c := range cuts {
		fmt.Fprintf(&body, "%x\r\n%s\r\n", c-prev, z[prev:c])
		prev = c
	}
	body.WriteString("0\r\n\r\n")
	data := zipOf(t,
		"raw/1_c.txt", "GET http://h/ HTTP/1.1\r\nHost: h\r\n\r\n",
		"raw/1_s.txt", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Encoding: gzip\r\n\r\n"+body.String())
	out, _ := readSAZ(t, data)
	e := out[0]
	if string(e.RespBody) != plain {
		t.Fatalf("body %d bytes", len(e.RespBody))
	}
	if len(e.Chunks) != 3 || e.Chunks[0].Length != 0 || e.Chunks[2].Offset+e.Chunks[2].Length != len(plain) {
		t.Errorf("chunks %v", e.Chunks)
	}
	for i := 1; i < len(e.Chunks); i++ {
		if e.Chunks[i].Offset != e.Chunks[i-1].Offset+e.Chunks[i-1].Length {
			t.Errorf("chunks do not tile: %v", e.Chunks)
		}
	}
}

func TestBadArchives(t *testing.T) {
	good := writeSAZ(t, sampleExchanges())

	// Password-protected: the encrypted bit, or WinZip AES (method 99).
	protected := func(flags, method uint16, extra []byte) []byte {
		var b bytes.Buffer
		zw := zip.NewWriter(&b)
		for _, name := range []string{"raw/01_c.txt", "raw/01_s.txt"} {
			w, err := zw.CreateRaw(&zip.FileHeader{Name: name, Flags: flags, Method: method, Extra: extra, CompressedSize64: 4, UncompressedSize64: 4})
			if err != nil {
				t.Fatal(err)
			}
			w.Write([]byte{1, 2, 3, 4})
		}
		zw.Close()
		return b.Bytes()
	}
	// Bytes of a deflated entry flipped: its session is partial.
	corrupt := zipOf(t, "raw/1_c.txt", "GET / HTTP/1.1\r\nHost: h\r\n\r\n", "raw/1_s.txt", "HTTP/1.1 200 OK\r\n\r\n"+strings.Repeat("body bytes ", 500))
	i := bytes.Index(corrupt, []byte("raw/1_s.txt")) + len("raw/1_s.txt") + 20
	for j := i; j < i+40; j++ {
		corrupt[j] ^= 0xff
	}

	for _, tc := range []struct {
		name, data, want string
	}{
		{"not a zip", "GET / HTTP/1.1\r\n\r\n", "saz: not a Fiddler archive (not a zip file)"},
		{"empty", "", "saz: not a Fiddler archive (not a zip file)"},
		{"zip without sessions", string(zipOf(t, "readme.txt", "hello", "raw/notes.txt", "x")), "saz: the archive is a zip but holds no Fiddler sessions (raw/NN_c.txt)"},
		{"encrypted bit", string(protected(1, zip.Store, nil)), "saz: the archive is password-protected; in Fiddler save it again with File > Save > All Sessions without a password"},
		{"AES", string(protected(0, 99, []byte{0x01, 0x99, 7, 0, 2, 0, 'A', 'E', 3, 8, 0})), "saz: the archive is password-protected; in Fiddler save it again with File > Save > All Sessions without a password"},
		{"truncated", string(good[:len(good)/2]), "saz: the archive is a damaged or truncated zip file (zip: not a valid zip file)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Read(strings.NewReader(tc.data), int64(len(tc.data)), func(*trace.Exchange) error { return nil })
			if err == nil || err.Error() != tc.want {
				t.Errorf("error %v, want %s", err, tc.want)
			}
			if err != nil && strings.Contains(err.Error(), "\n") {
				t.Errorf("error has several lines")
			}
		})
	}

	out, st := readSAZ(t, corrupt)
	if len(out) != 1 || !out[0].RespPartial || !strings.Contains(out[0].Error, "raw/1_s.txt: ") || st.Partial != 1 {
		t.Errorf("corrupt entry: %+v %+v", out, st)
	}
	if strings.Contains(out[0].Error, "\n") {
		t.Errorf("error has several lines: %q", out[0].Error)
	}

	// An error from each stops the read.
	stop := fmt.Errorf("stop")
	n := 0
	_, err := Read(bytes.NewReader(good), int64(len(good)), func(*trace.Exchange) error { n++; return stop })
	if err != stop || n != 1 {
		t.Errorf("each error: %v after %d", err, n)
	}
}

// TestBrokenSessions: files that are not HTTP give partial exchanges,
// never a failed read.
func TestBrokenSessions(t *testing.T) {
	data := zipOf(t,
		"raw/1_c.txt", "",
		"raw/2_c.txt", "GARBAGE",
		"raw/2_m.xml", "<Session><not xml",
		"raw/3_c.txt", "POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc",
		"raw/3_s.txt", "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\n\r\nnot gzip",
		"raw/4_s.txt", "HTTP/1.1 200 OK\r\n\r\n",
	)
	out, st := readSAZ(t, data)
	if len(out) != 4 || st.Partial != 4 {
		t.Fatalf("%d exchanges, stats %+v", len(out), st)
	}
	for _, e := range out {
		if e.Error == "" {
			t.Errorf("%s: no error", e.Source)
		}
	}
	if !out[0].ReqPartial || !out[1].ReqPartial || !strings.Contains(out[1].Error, "bad XML") {
		t.Errorf("sessions 1, 2: %+v %+v", out[0], out[1])
	}
	if e := out[2]; !e.ReqPartial || string(e.RespBody) != "not gzip" || !strings.Contains(e.Error, "gzip") {
		t.Errorf("session 3: %q %q", e.RespBody, e.Error)
	}
	if e := out[3]; !strings.Contains(e.Error, "raw/4_c.txt missing") || e.Status != 200 {
		t.Errorf("session 4: %q", e.Error)
	}
}

func TestReadFile(t *testing.T) {
	_, err := ReadFile("/nonexistent/x.saz", func(*trace.Exchange) error { return nil })
	if err == nil || !strings.HasPrefix(err.Error(), "saz: ") {
		t.Errorf("missing file: %v", err)
	}
}

// TestNotUTF8: bytes that are not UTF-8 in the request line, headers and
// the exchange's own fields come back as they were.
func TestNotUTF8(t *testing.T) {
	e := sampleExchanges()[0]
	e.URL = "/caf\xe9?x=\xff"
	e.ReqHeader.Set("Content-Disposition", "attachment; filename=\"r\xe9sum\xe9.txt\"")
	e.Error = "bad \x80 byte \ufffe"
	e.Conn = "\x00conn"
	out, _ := readSAZ(t, writeSAZ(t, []*trace.Exchange{e}))
	if d := diff(e, out[0]); d != nil {
		t.Errorf("%s", strings.Join(d, "\n"))
	}
}

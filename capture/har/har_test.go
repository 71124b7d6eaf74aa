package har

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mapiscope/mapiscope/trace"
)

func writeHAR(t testing.TB, xs []*trace.Exchange) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := Write(&b, slices.Values(xs)); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func readHAR(t testing.TB, data []byte) ([]*trace.Exchange, Stats) {
	t.Helper()
	var out []*trace.Exchange
	st, err := Read(bytes.NewReader(data), func(e *trace.Exchange) error {
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
	data := writeHAR(t, in)
	out, st := readHAR(t, data)
	if len(out) != len(in) || st.Entries != len(in) || st.Partial != 2 {
		t.Fatalf("read %d exchanges (stats %+v), wrote %d", len(out), st, len(in))
	}
	for i := range in {
		if d := diff(in[i], out[i]); d != nil {
			t.Errorf("exchange %d:\n  %s", i+1, strings.Join(d, "\n  "))
		}
		if want := fmt.Sprintf("HAR entry %d", i+1); out[i].Source != want {
			t.Errorf("Source %q, want %q", out[i].Source, want)
		}
	}
	if again := writeHAR(t, out); !bytes.Equal(again, data) {
		t.Errorf("second write differs from first")
	}
	var empty bytes.Buffer
	if err := Write(&empty, slices.Values([]*trace.Exchange(nil))); err != nil {
		t.Fatal(err)
	}
	if out, _ := readHAR(t, empty.Bytes()); len(out) != 0 {
		t.Errorf("empty HAR gave %d", len(out))
	}
}

// TestWrittenHAR checks the file is HAR 1.2 as other tools read it.
func TestWrittenHAR(t *testing.T) {
	data := writeHAR(t, sampleExchanges())
	var h struct {
		Log struct {
			Version string
			Creator struct{ Name string }
			Entries []map[string]any
		}
	}
	if err := json.Unmarshal(data, &h); err != nil {
		t.Fatal(err)
	}
	if h.Log.Version != "1.2" || h.Log.Creator.Name != "mapiscope" || len(h.Log.Entries) != 6 {
		t.Fatalf("log %+v", h.Log)
	}
	e := h.Log.Entries[0]
	get := func(m any, path ...string) any {
		for _, p := range path {
			mm, ok := m.(map[string]any)
			if !ok {
				return nil
			}
			m = mm[p]
		}
		return m
	}
	checks := []struct {
		path []string
		want any
	}{
		{[]string{"startedDateTime"}, "2026-03-14T09:26:53.589+01:00"},
		{[]string{"request", "url"}, "https://mail.example.com/mapi/emsmdb/?MailboxId=0c1f@example.com"},
		{[]string{"request", "postData", "_encoding"}, "base64"},
		{[]string{"request", "postData", "mimeType"}, "application/mapi-http"},
		{[]string{"response", "content", "encoding"}, "base64"},
		{[]string{"response", "content", "size"}, float64(613)},
		{[]string{"timings", "send"}, 1.234567},
		{[]string{"timings", "wait"}, 14998.765434},
		{[]string{"timings", "dns"}, float64(-1)},
		{[]string{"time"}, 31000.000123},
		{[]string{"serverIPAddress"}, "192.0.2.10"},
		{[]string{"connection"}, "tcp/7"},
		{[]string{"_client"}, "10.0.0.5:50123"},
		{[]string{"_mapiscope", "ended"}, "2026-03-14T09:27:24.589793361+01:00"},
	}
	for _, c := range checks {
		got := get(e, c.path...)
		if f, ok := got.(float64); ok {
			if w, ok := c.want.(float64); ok && abs(f-w) < 1e-6 {
				continue
			}
		}
		if got != c.want {
			t.Errorf("%s = %v, want %v", strings.Join(c.path, "."), got, c.want)
		}
	}
	if get(h.Log.Entries[1], "response", "content", "text") == nil || get(h.Log.Entries[1], "response", "content", "encoding") != nil {
		t.Errorf("text body not written as text")
	}
	if got := get(h.Log.Entries[3], "_error"); got != "upstream down" {
		t.Errorf("_error %v", got)
	}
	if got := get(h.Log.Entries[4], "_partial"); fmt.Sprint(got) != "[response]" {
		t.Errorf("_partial %v", got)
	}
	chunks, _ := get(e, "_chunks").([]any)
	if len(chunks) != 4 || get(chunks[1], "offset") != float64(12) || get(chunks[1], "at") != "2026-03-14T09:27:23.58979324+01:00" {
		t.Errorf("_chunks %v", chunks)
	}
}

func abs(f float64) float64 {
	if f < 0 {
		return -f
	}
	return f
}

// A HAR as a browser writes it (with a byte order mark, as Fiddler's
// export has): a base64 binary response, text request body, HTTP/2
// pseudo-headers, a numeric connection id, no custom fields.
const browserHAR = "\xef\xbb\xbf" + `{
  "log": {
    "version": "1.2",
    "creator": {"name": "WebInspector", "version": "537.36"},
    "pages": [],
    "entries": [
      {
        "startedDateTime": "2026-01-02T10:00:00.123Z",
        "time": 160.5,
        "request": {
          "method": "POST",
          "url": "https://mail.example.com/mapi/emsmdb/?MailboxId=u@example.com",
          "httpVersion": "h2",
          "headers": [
            {"name": ":authority", "value": "mail.example.com"},
            {"name": ":method", "value": "POST"},
            {"name": "content-type", "value": "application/mapi-http"},
            {"name": "x-requesttype", "value": "Connect"}
          ],
          "queryString": [{"name": "MailboxId", "value": "u@example.com"}],
          "cookies": [],
          "headersSize": -1,
          "bodySize": 5,
          "postData": {"mimeType": "application/mapi-http", "text": "hello"}
        },
        "response": {
          "status": 200,
          "statusText": "",
          "httpVersion": "h2",
          "headers": [
            {"name": "content-type", "value": "application/mapi-http"},
            {"name": "x-responsecode", "value": "0"}
          ],
          "cookies": [],
          "content": {"size": 6, "mimeType": "application/mapi-http", "text": "AAH+/4AK", "encoding": "base64"},
          "redirectURL": "",
          "headersSize": -1,
          "bodySize": -1,
          "_transferSize": 400
        },
        "cache": {},
        "timings": {"blocked": 0.5, "dns": -1, "ssl": -1, "connect": -1, "send": 10, "wait": 100, "receive": 50},
        "serverIPAddress": "[2001:db8::1]",
        "_initiator": {"type": "other"},
        "connection": 4242
      },
      {
        "startedDateTime": "2026-01-02T10:00:01.000+01:00",
        "time": 20,
        "request": {"method": "GET", "url": "http://intranet/x", "httpVersion": "HTTP/1.1", "headers": [], "queryString": [], "cookies": [], "headersSize": -1, "bodySize": 0},
        "response": {"status": 0, "statusText": "", "httpVersion": "", "headers": [], "cookies": [], "content": {"size": 0, "mimeType": "x-unknown"}, "redirectURL": "", "headersSize": -1, "bodySize": -1, "_error": "net::ERR_CONNECTION_REFUSED"},
        "cache": {},
        "timings": {"send": 0, "wait": 0, "receive": 0}
      }
    ]
  }
}`

func TestBrowserHAR(t *testing.T) {
	out, st := readHAR(t, []byte(browserHAR))
	if len(out) != 2 || st.Partial != 1 {
		t.Fatalf("%d exchanges, %+v", len(out), st)
	}
	e := out[0]
	if e.Method != "POST" || e.URL != "https://mail.example.com/mapi/emsmdb/?MailboxId=u@example.com" || e.Host != "mail.example.com" || e.Proto != "h2" {
		t.Errorf("request %q %q %q %q", e.Method, e.URL, e.Host, e.Proto)
	}
	if _, ok := e.ReqHeader[":authority"]; ok || e.ReqHeader.Get("X-RequestType") != "Connect" {
		t.Errorf("request headers %v", e.ReqHeader)
	}
	if string(e.ReqBody) != "hello" || !bytes.Equal(e.RespBody, []byte{0, 1, 0xfe, 0xff, 0x80, 0x0a}) {
		t.Errorf("bodies %q %q", e.ReqBody, e.RespBody)
	}
	t0 := time.Date(2026, 1, 2, 10, 0, 0, 123000000, time.UTC)
	ms := func(f float64) time.Time { return t0.Add(time.Duration(f * float64(time.Millisecond))) }
	if !e.Started.Equal(t0) || !e.RequestDone.Equal(ms(10.5)) || !e.ResponseStart.Equal(ms(110.5)) || !e.Ended.Equal(ms(160.5)) {
		t.Errorf("times %v %v %v %v", e.Started, e.RequestDone, e.ResponseStart, e.Ended)
	}
	if e.Server != "[2001:db8::1]:443" || e.Conn != "4242" {
		t.Errorf("where %q %q", e.Server, e.Conn)
	}
	if len(e.Chunks) != 1 || e.Chunks[0].Length != 6 || !e.Chunks[0].At.Equal(e.Ended) {
		t.Errorf("chunks %v", e.Chunks)
	}
	e = out[1]
	if e.Status != 0 || e.Error != "net::ERR_CONNECTION_REFUSED" || e.RespHeader != nil || e.Host != "intranet" {
		t.Errorf("failed entry %+v", e)
	}
	if !e.Ended.Equal(time.Date(2026, 1, 2, 9, 0, 1, 20000000, time.UTC)) || !e.RequestDone.IsZero() {
		t.Errorf("failed entry times %v %v", e.RequestDone, e.Ended)
	}
}

func TestBadHAR(t *testing.T) {
	good := string(writeHAR(t, sampleExchanges()))
	badB64 := breakThirdBase64(t, good)
	for _, tc := range []struct {
		name, data, want string
	}{
		{"not JSON", "PK\x03\x04", "har: not a HAR file: invalid character 'P' looking for beginning of value"},
		{"empty", "", "har: not a HAR file: empty"},
		{"array", "[]", "har: not a HAR file: not a JSON object"},
		{"no log", `{"x": 1}`, `har: not a HAR file: no "log" object`},
		{"log not object", `{"log": 3}`, `har: not a HAR file: "log" is not an object`},
		{"no entries", `{"log": {"version": "1.2"}}`, `har: not a HAR file: no "log.entries" array`},
		{"bad base64", badB64, "har: entry 3: response body: bad base64: illegal base64 data at input byte 4"},
		{"bad request base64", `{"log":{"entries":[{"request":{"postData":{"text":"!!","_encoding":"base64"}}}]}}`, "har: entry 1: request body: bad base64: illegal base64 data at input byte 0"},
		{"wrong type", `{"log":{"entries":[{"response":{"status":"200"}}]}}`, "har: entry 1: json: cannot unmarshal string into Go struct field harResponse.response.status of type int"},
		{"truncated", good[:len(good)/2], "har: entry "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Read(strings.NewReader(tc.data), func(*trace.Exchange) error { return nil })
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
				t.Errorf("error %v, want %s", err, tc.want)
			}
			if err != nil && strings.Contains(err.Error(), "\n") {
				t.Errorf("error has several lines")
			}
		})
	}
	stop := errors.New("stop")
	n := 0
	if _, err := Read(strings.NewReader(good), func(*trace.Exchange) error { n++; return stop }); err != stop || n != 1 {
		t.Errorf("each error: %v after %d", err, n)
	}
}

// breakThirdBase64 puts a bad character into the third entry's base64
// response body.
func breakThirdBase64(t *testing.T, har string) string {
	entries := strings.SplitAfter(har, `"_mapiscope"`)
	if len(entries) < 4 {
		t.Fatal("fewer than 3 entries")
	}
	third := entries[2]
	i := strings.Index(third, `"encoding": "base64"`)
	j := strings.LastIndex(third[:i], `"text": "`)
	if i < 0 || j < 0 {
		t.Fatalf("third entry has no base64 response")
	}
	j += len(`"text": "`) + 4
	entries[2] = third[:j] + "!" + third[j+1:]
	return strings.Join(entries, "")
}

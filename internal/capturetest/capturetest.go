// Package capturetest holds the exchanges the capture importers and
// exporters (saz, har, jsonl) test their round trips with.
package capturetest

import (
	"bytes"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/mapiscope/mapiscope/trace"
)

// allBytes is every byte value, twice, in two orders.
func AllBytes() []byte {
	b := make([]byte, 0, 512)
	for i := range 256 {
		b = append(b, byte(i))
	}
	for i := range 256 {
		b = append(b, byte(255-i))
	}
	return b
}

var T0 = time.Date(2026, 3, 14, 9, 26, 53, 589793238, time.FixedZone("CET", 3600))

func At(ns int64) time.Time { return T0.Add(time.Duration(ns)) }

// sampleExchanges covers what the formats must carry: a MAPI/HTTP Execute
// with a binary request and a chunked PROCESSING/PENDING/DONE response,
// gzip bodies (chunked and not), a request with no response, a response
// cut short, a forward-proxy request and an exchange whose request
// headers lack Host.
func SampleExchanges() []*trace.Exchange {
	bin := AllBytes()
	done := append([]byte("DONE\r\nX-ElapsedTime: 12\r\nX-StartTime: Sat, 14 Mar 2026 08:26:53 GMT\r\n\r\n"), bin...)
	mapiBody := slices.Concat([]byte("PROCESSING\r\n"), []byte("PENDING\r\n"), []byte("PENDING\r\n"), done)
	text := []byte(strings.Repeat("The quick brown fox jumps over the lazy dog. ", 200))
	return []*trace.Exchange{
		{
			Client: "10.0.0.5:50123", Server: "192.0.2.10:443", Conn: "tcp/7",
			Started: At(0), RequestDone: At(1_234_567), ResponseStart: At(15_000_000_001), Ended: At(31_000_000_123),
			Method: "POST", URL: "/mapi/emsmdb/?MailboxId=0c1f@example.com", Host: "mail.example.com", Proto: "HTTP/1.1",
			ReqHeader: http.Header{
				"Host":           {"mail.example.com"},
				"Content-Type":   {"application/mapi-http"},
				"X-Requesttype":  {"Execute"},
				"X-Clientinfo":   {"{2F94A2BF-A2E6-4CCC-BF98-B5F22C542226}-5"},
				"Content-Length": {fmt.Sprint(len(bin))},
				"Cookie":         {"MapiContext=abc", "MapiSequence=3-xyz"},
			},
			ReqBody: bin,
			Status:  200, StatusText: "OK",
			RespHeader: http.Header{
				"Content-Type":      {"application/mapi-http"},
				"Transfer-Encoding": {"chunked"},
				"X-Responsecode":    {"0"},
				"X-Pendingperiod":   {"15000"},
			},
			RespBody: mapiBody,
			Chunks: []trace.Chunk{
				{Offset: 0, Length: 12, At: At(15_000_000_001)},
				{Offset: 12, Length: 9, At: At(30_000_000_002)},
				{Offset: 21, Length: 9, At: At(30_500_000_003)},
				{Offset: 30, Length: len(done), At: At(31_000_000_123)},
			},
			Source: "frame 1234",
		},
		{
			Client: "10.0.0.5:50124", Server: "192.0.2.10:443", Conn: "tcp/8",
			Started: At(40_000_000_000), RequestDone: At(40_000_000_500), ResponseStart: At(40_100_000_000), Ended: At(40_200_000_007),
			Method: "GET", URL: "/autodiscover/autodiscover.xml", Host: "mail.example.com", Proto: "HTTP/1.1",
			ReqHeader: http.Header{"Host": {"mail.example.com"}, "Accept-Encoding": {"gzip"}},
			Status:    200, StatusText: "OK",
			RespHeader: http.Header{
				"Content-Type":     {"text/xml"},
				"Content-Encoding": {"gzip"},
				"Content-Length":   {"321"},
			},
			RespBody: text,
			Chunks:   []trace.Chunk{{Offset: 0, Length: 4000, At: At(40_150_000_000)}, {Offset: 4000, Length: len(text) - 4000, At: At(40_200_000_007)}},
		},
		{
			Started: At(50_000_000_000), RequestDone: At(50_000_000_001), ResponseStart: At(50_000_000_002), Ended: At(50_000_000_003),
			Method: "GET", URL: "/stream", Host: "mail.example.com:8080", Proto: "HTTP/1.1",
			ReqHeader: http.Header{"Host": {"mail.example.com:8080"}},
			Status:    200, StatusText: "Fine Thanks",
			RespHeader: http.Header{
				"Transfer-Encoding": {"chunked"},
				"Content-Encoding":  {"gzip"},
			},
			RespBody: slices.Concat(text[:100], bin, text[100:]),
			Chunks: []trace.Chunk{
				{Offset: 0, Length: 100, At: At(50_000_000_002)},
				{Offset: 100, Length: 512, At: At(50_000_000_002)},
				{Offset: 612, Length: len(text) - 100, At: At(50_000_000_003)},
			},
		},
		{
			Client: "10.0.0.5:50125", Conn: "tcp/9",
			Started: At(60_000_000_000), RequestDone: At(60_000_000_010),
			Method: "POST", URL: "/mapi/nspi/?MailboxId=x", Host: "mail.example.com", Proto: "HTTP/1.1",
			ReqHeader: http.Header{"Content-Length": {"3"}, "X-Requesttype": {"Bind"}},
			ReqBody:   []byte{0, 1, 2},
			Error:     "upstream down",
		},
		{
			Started: At(70_000_000_000), RequestDone: At(70_000_000_010), ResponseStart: At(70_000_000_020), Ended: At(70_000_000_030),
			Method: "POST", URL: "http://proxy.example.net/mapi/emsmdb/", Host: "proxy.example.net", Proto: "HTTP/1.1",
			ReqHeader: http.Header{"Host": {"proxy.example.net"}},
			Status:    200, StatusText: "OK",
			RespHeader: http.Header{
				"Transfer-Encoding": {"chunked"},
				"Content-Type":      {"application/mapi-http"},
			},
			RespBody:    []byte("PROCESSING\r\nPENDING\r\n"),
			RespPartial: true,
			Chunks: []trace.Chunk{
				{Offset: 0, Length: 12, At: At(70_000_000_020)},
				{Offset: 12, Length: 9, At: At(70_000_000_030)},
			},
			Error: "capture truncated",
		},
		{
			Started: At(80_000_000_000), Ended: At(80_000_000_001),
			Method: "HEAD", URL: "/", Host: "mail.example.com", Proto: "HTTP/1.1",
			Status: 304, StatusText: "Not Modified",
			RespHeader: http.Header{"Content-Length": {"999"}},
		},
	}
}

// diff lists the fields where two exchanges differ: times by instant,
// nil and empty alike; Source is not compared.
func Diff(a, b *trace.Exchange) []string {
	var d []string
	str := func(name, x, y string) {
		if x != y {
			d = append(d, fmt.Sprintf("%s: %q != %q", name, x, y))
		}
	}
	tm := func(name string, x, y time.Time) {
		if !x.Equal(y) || x.IsZero() != y.IsZero() {
			d = append(d, fmt.Sprintf("%s: %v != %v", name, x, y))
		}
	}
	hdr := func(name string, x, y http.Header) {
		if len(x) != len(y) {
			d = append(d, fmt.Sprintf("%s: %v != %v", name, x, y))
			return
		}
		for k, v := range x {
			if !slices.Equal(v, y[k]) {
				d = append(d, fmt.Sprintf("%s[%s]: %q != %q", name, k, v, y[k]))
			}
		}
	}
	str("Client", a.Client, b.Client)
	str("Server", a.Server, b.Server)
	str("Conn", a.Conn, b.Conn)
	tm("Started", a.Started, b.Started)
	tm("RequestDone", a.RequestDone, b.RequestDone)
	tm("ResponseStart", a.ResponseStart, b.ResponseStart)
	tm("Ended", a.Ended, b.Ended)
	str("Method", a.Method, b.Method)
	str("URL", a.URL, b.URL)
	str("Host", a.Host, b.Host)
	str("Proto", a.Proto, b.Proto)
	hdr("ReqHeader", a.ReqHeader, b.ReqHeader)
	if !bytes.Equal(a.ReqBody, b.ReqBody) {
		d = append(d, fmt.Sprintf("ReqBody: %d bytes != %d bytes", len(a.ReqBody), len(b.ReqBody)))
	}
	if a.ReqPartial != b.ReqPartial {
		d = append(d, fmt.Sprintf("ReqPartial: %v != %v", a.ReqPartial, b.ReqPartial))
	}
	if a.Status != b.Status {
		d = append(d, fmt.Sprintf("Status: %d != %d", a.Status, b.Status))
	}
	str("StatusText", a.StatusText, b.StatusText)
	hdr("RespHeader", a.RespHeader, b.RespHeader)
	if !bytes.Equal(a.RespBody, b.RespBody) {
		d = append(d, fmt.Sprintf("RespBody: %d bytes != %d bytes", len(a.RespBody), len(b.RespBody)))
	}
	if a.RespPartial != b.RespPartial {
		d = append(d, fmt.Sprintf("RespPartial: %v != %v", a.RespPartial, b.RespPartial))
	}
	if len(a.Chunks) != len(b.Chunks) {
		d = append(d, fmt.Sprintf("Chunks: %v != %v", a.Chunks, b.Chunks))
	} else {
		for i := range a.Chunks {
			x, y := a.Chunks[i], b.Chunks[i]
			if x.Offset != y.Offset || x.Length != y.Length || !x.At.Equal(y.At) || x.At.IsZero() != y.At.IsZero() {
				d = append(d, fmt.Sprintf("Chunks[%d]: %v != %v", i, x, y))
			}
		}
	}
	str("Error", a.Error, b.Error)
	return d
}

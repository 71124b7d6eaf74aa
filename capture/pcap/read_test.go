package pcap_test

import (
	"bytes"
	"compress/gzip"
	"errors"
	"net/http"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/mapiscope/mapiscope/capture/pcap"
	"github.com/mapiscope/mapiscope/decode/mapihttp"
	"github.com/mapiscope/mapiscope/trace"
)

func TestPlainExchange(t *testing.T) {
	m := connect(t)
	var reqAt, doneAt time.Time
	b := build(t, pcap.WriterOptions{}, func(w *pcap.Writer) {
		c, err := w.Dial(client, server, t0)
		must(t, err)
		reqAt = t0.Add(time.Second)
		req := pcap.HTTPRequest("POST", "/mapi/emsmdb/?MailboxId=alice@contoso.com", http.Header{"Host": {"mail.contoso.com"}, "X-Requesttype": {"Connect"}, "Content-Type": {"application/mapi-http"}}, m.reqBody)
		send(t, c, true, req, reqAt)
		resp := pcap.HTTPResponse(200, http.Header{"X-Responsecode": {"0"}}, m.framed())
		doneAt = send(t, c, false, resp, reqAt.Add(40*time.Millisecond))
		must(t, c.Close(doneAt.Add(time.Millisecond)))
	})
	xs, st := read(t, b)
	if len(xs) != 1 || st.Exchanges != 1 || st.Connections != 1 || st.Partial != 0 {
		t.Fatalf("%d exchanges, stats %+v", len(xs), st)
	}
	e := xs[0]
	if e.Method != "POST" || e.URL != "/mapi/emsmdb/?MailboxId=alice@contoso.com" || e.Host != "mail.contoso.com" || e.Proto != "HTTP/1.1" {
		t.Fatalf("request line: %s %s %s host %s", e.Method, e.URL, e.Proto, e.Host)
	}
	if e.ReqHeader.Get("X-RequestType") != "Connect" || e.RespHeader.Get("X-ResponseCode") != "0" {
		t.Fatalf("headers %v / %v", e.ReqHeader, e.RespHeader)
	}
	if !bytes.Equal(e.ReqBody, m.reqBody) || !bytes.Equal(e.RespBody, m.framed()) {
		t.Fatal("bodies differ")
	}
	if e.Status != 200 || e.StatusText != "OK" {
		t.Fatalf("status %d %q", e.Status, e.StatusText)
	}
	if e.Client != "10.0.0.5:50123" || e.Server != "10.0.0.10:8080" || e.Conn != "tcp/1" {
		t.Fatalf("client %s server %s conn %s", e.Client, e.Server, e.Conn)
	}
	if !e.Started.Equal(reqAt) || !e.RequestDone.Equal(reqAt) || !e.ResponseStart.Equal(reqAt.Add(40*time.Millisecond)) || !e.Ended.Equal(doneAt) {
		t.Fatalf("times %v %v %v %v", e.Started, e.RequestDone, e.ResponseStart, e.Ended)
	}
	// SYN, SYN-ACK, ACK, the request (4), its ACK, the response (6…).
	if !strings.HasPrefix(e.Source, "frames 4-") {
		t.Fatalf("source %q", e.Source)
	}
	// The bodies are real MAPI/HTTP.
	if _, _, err := mapihttp.DecodeRequest(mapihttp.TypeConnect, e.ReqBody, 0, false); err != nil {
		t.Fatal(err)
	}
	f, err := mapihttp.ParseResponseBody(e.RespBody)
	if err != nil || !f.Done() {
		t.Fatalf("response body: %v", err)
	}
	if len(st.Warnings) != 0 {
		t.Fatalf("warnings %q", st.Warnings)
	}
}

func TestKeepAliveSeveralExchanges(t *testing.T) {
	ms := []mapiExchange{connect(t), execTable(t, 50), execProps(t, 1, 5000), execFX(t, 32000, 0), execTable(t, 3)}
	b := build(t, pcap.WriterOptions{}, func(w *pcap.Writer) {
		c, err := w.Dial(client, server, t0)
		must(t, err)
		at := t0
		for i, m := range ms {
			at = at.Add(100 * time.Millisecond)
			writeMAPI(t, c, i, m, at)
		}
		must(t, c.Close(at.Add(time.Second)))
	})
	xs, st := read(t, b)
	if len(xs) != len(ms) || st.Connections != 1 {
		t.Fatalf("%d exchanges on %d connections", len(xs), st.Connections)
	}
	for i, e := range xs {
		checkMAPI(t, e, ms[i])
		if e.Conn != "tcp/1" {
			t.Fatalf("conn %q", e.Conn)
		}
		if want := ms[i].kind; e.RespHeader.Get("X-RequestType") != want {
			t.Fatalf("exchange %d paired with the wrong response", i)
		}
	}
}

// Pipelined requests (several sent before the first response) are paired
// in order.
func TestPipelining(t *testing.T) {
	b := build(t, pcap.WriterOptions{}, func(w *pcap.Writer) {
		c, err := w.Dial(client, server, t0)
		must(t, err)
		for i := range 3 {
			send(t, c, true, pcap.HTTPRequest("GET", "/r"+string(rune('0'+i)), http.Header{"Host": {"h"}}, nil), t0.Add(time.Duration(i+1)*time.Millisecond))
		}
		var all []byte
		for i := range 3 {
			all = append(all, pcap.HTTPResponse(200, http.Header{}, []byte("body "+string(rune('0'+i))))...)
		}
		send(t, c, false, all, t0.Add(10*time.Millisecond))
		must(t, c.Close(t0.Add(time.Second)))
	})
	xs, _ := read(t, b)
	if len(xs) != 3 {
		t.Fatalf("%d exchanges", len(xs))
	}
	for i, e := range xs {
		n := string(rune('0' + i))
		if e.URL != "/r"+n || string(e.RespBody) != "body "+n {
			t.Fatalf("exchange %d: %s → %q", i, e.URL, e.RespBody)
		}
	}
}

func TestChunkedTimeline(t *testing.T) {
	m := execFX(t, 32000, 2) // PROCESSING, PENDING, PENDING, DONE+body
	var done []time.Time
	b := build(t, pcap.WriterOptions{}, func(w *pcap.Writer) {
		c, err := w.Dial(client, server, t0)
		must(t, err)
		done = writeMAPI(t, c, 0, m, t0.Add(time.Second))
		must(t, c.Close(t0.Add(2*time.Second)))
	})
	xs, _ := read(t, b)
	if len(xs) != 1 {
		t.Fatalf("%d exchanges", len(xs))
	}
	e := xs[0]
	checkMAPI(t, e, m)
	for i, ch := range e.Chunks {
		if !ch.At.Equal(done[i]) {
			t.Fatalf("chunk %d at %v, want %v (the packet that completed it)", i, ch.At, done[i])
		}
	}
	if !e.Ended.Equal(done[len(done)-1]) {
		t.Fatalf("ended %v, want %v", e.Ended, done[len(done)-1])
	}
	// The timeline finds the meta-tags where they were streamed.
	if got := string(e.RespBody[e.Chunks[1].Offset : e.Chunks[1].Offset+e.Chunks[1].Length]); got != "PENDING\r\n" {
		t.Fatalf("chunk 1 is %q", got)
	}
	f, err := mapihttp.ParseResponseBody(e.RespBody)
	if err != nil || f.Pendings() != 2 || !f.Done() {
		t.Fatalf("framed body: %v, %d pendings", err, f.Pendings())
	}
}

func TestRetransmission(t *testing.T) {
	m := execFX(t, 32000, 0)
	b := build(t, pcap.WriterOptions{}, func(w *pcap.Writer) {
		c, err := w.Dial(client, server, t0)
		must(t, err)
		writeMAPI(t, c, 0, m, t0.Add(time.Second), pcap.Fault{Kind: pcap.Retransmit, Segment: 3}, pcap.Fault{Kind: pcap.Retransmit, Segment: -1})
		must(t, c.Close(t0.Add(2*time.Second)))
	})
	xs, _ := read(t, b)
	if len(xs) != 1 {
		t.Fatalf("%d exchanges", len(xs))
	}
	checkMAPI(t, xs[0], m)
}

func TestReordering(t *testing.T) {
	m := execFX(t, 32000, 0)
	var done []time.Time
	b := build(t, pcap.WriterOptions{}, func(w *pcap.Writer) {
		c, err := w.Dial(client, server, t0)
		must(t, err)
		done = writeMAPI(t, c, 0, m, t0.Add(time.Second), pcap.Fault{Kind: pcap.Swap, Segment: 2}, pcap.Fault{Kind: pcap.Swap, Segment: 10})
		must(t, c.Close(t0.Add(2*time.Second)))
	})
	xs, _ := read(t, b)
	if len(xs) != 1 {
		t.Fatalf("%d exchanges", len(xs))
	}
	checkMAPI(t, xs[0], m)
	if at := xs[0].Chunks[len(xs[0].Chunks)-1].At; !at.Equal(done[len(done)-1]) {
		t.Fatalf("last chunk at %v, want %v", at, done[len(done)-1])
	}
}

// Sequence numbers wrapping past 2^32 in the middle of a body.
func TestSequenceWrap(t *testing.T) {
	m := execFX(t, 32000, 0)
	b := build(t, pcap.WriterOptions{}, func(w *pcap.Writer) {
		c, err := w.DialISN(client, server, t0, 0xFFFFFF00, 0xFFFFF000)
		must(t, err)
		writeMAPI(t, c, 0, m, t0.Add(time.Second), pcap.Fault{Kind: pcap.Swap, Segment: 0})
		must(t, c.Close(t0.Add(2*time.Second)))
	})
	xs, _ := read(t, b)
	if len(xs) != 1 {
		t.Fatalf("%d exchanges", len(xs))
	}
	checkMAPI(t, xs[0], m)
}

func TestIPv6(t *testing.T) {
	m := execTable(t, 100)
	cl := netip.MustParseAddrPort("[2001:db8::5]:50123")
	sv := netip.MustParseAddrPort("[2001:db8::10]:8080")
	b := build(t, pcap.WriterOptions{}, func(w *pcap.Writer) {
		c, err := w.Dial(cl, sv, t0)
		must(t, err)
		writeMAPI(t, c, 0, m, t0.Add(time.Second))
		must(t, c.Close(t0.Add(2*time.Second)))
	})
	xs, _ := read(t, b)
	if len(xs) != 1 {
		t.Fatalf("%d exchanges", len(xs))
	}
	checkMAPI(t, xs[0], m)
	if xs[0].Client != "[2001:db8::5]:50123" || xs[0].Server != "[2001:db8::10]:8080" {
		t.Fatalf("%s → %s", xs[0].Client, xs[0].Server)
	}
}

func TestLinkTypes(t *testing.T) {
	m := execProps(t, 2, 3000)
	for _, tc := range []struct {
		name string
		opt  pcap.WriterOptions
	}{
		{"ethernet", pcap.WriterOptions{}},
		{"vlan", pcap.WriterOptions{VLAN: 42}},
		{"sll", pcap.WriterOptions{Link: pcap.LinkSLL}},
		{"sll2", pcap.WriterOptions{Link: pcap.LinkSLL2}},
		{"raw", pcap.WriterOptions{Link: pcap.LinkRaw}},
		{"pcapng", pcap.WriterOptions{Format: pcap.FormatPcapNG}},
		{"pcapng-vlan", pcap.WriterOptions{Format: pcap.FormatPcapNG, VLAN: 7}},
		{"small-mss", pcap.WriterOptions{MSS: 536}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := build(t, tc.opt, func(w *pcap.Writer) {
				c, err := w.Dial(client, server, t0)
				must(t, err)
				writeMAPI(t, c, 0, m, t0.Add(time.Second))
				must(t, c.Close(t0.Add(2*time.Second)))
			})
			xs, _ := read(t, b)
			if len(xs) != 1 {
				t.Fatalf("%d exchanges", len(xs))
			}
			checkMAPI(t, xs[0], m)
		})
	}
}

func TestPcapNG(t *testing.T) {
	m := execTable(t, 20)
	reqAt := t0.Add(1234567891 * time.Nanosecond)
	b := build(t, pcap.WriterOptions{Format: pcap.FormatPcapNG}, func(w *pcap.Writer) {
		c, err := w.Dial(client, server, t0)
		must(t, err)
		writeMAPI(t, c, 0, m, reqAt)
		writeMAPI(t, c, 1, m, reqAt.Add(time.Second))
		must(t, c.Close(t0.Add(3*time.Second)))
	})
	if !bytes.HasPrefix(b, []byte{0x0A, 0x0D, 0x0D, 0x0A}) {
		t.Fatal("not a pcapng file")
	}
	xs, _ := read(t, b)
	if len(xs) != 2 {
		t.Fatalf("%d exchanges", len(xs))
	}
	checkMAPI(t, xs[0], m)
	checkMAPI(t, xs[1], m)
	if !xs[0].Started.Equal(reqAt) {
		t.Fatalf("nanosecond timestamps lost: %v, want %v", xs[0].Started, reqAt)
	}
}

// A gzip-compressed capture file is read as well.
func TestGzipFile(t *testing.T) {
	m := execTable(t, 5)
	b := build(t, pcap.WriterOptions{}, func(w *pcap.Writer) {
		c, err := w.Dial(client, server, t0)
		must(t, err)
		writeMAPI(t, c, 0, m, t0.Add(time.Second))
		must(t, c.Close(t0.Add(2*time.Second)))
	})
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	zw.Write(b)
	zw.Close()
	xs, _ := read(t, z.Bytes())
	if len(xs) != 1 {
		t.Fatalf("%d exchanges", len(xs))
	}
	checkMAPI(t, xs[0], m)
}

// A capture cut in the middle of a response: the exchange is delivered,
// marked partial, never dropped.
func TestTruncatedCapture(t *testing.T) {
	m := execFX(t, 32000, 1)
	// Find the file offset in the middle of the response's last chunk.
	var cut int64
	build(t, pcap.WriterOptions{}, func(w *pcap.Writer) {
		c, err := w.Dial(client, server, t0)
		must(t, err)
		writeMAPI(t, c, 0, m, t0.Add(time.Second))
		before := w.Offset()
		writeMAPI(t, c, 1, m, t0.Add(2*time.Second))
		cut = before + (w.Offset()-before)*2/3 + 7 // inside a packet record
	})
	b := build(t, pcap.WriterOptions{CutAt: cut}, func(w *pcap.Writer) {
		c, err := w.Dial(client, server, t0)
		must(t, err)
		writeMAPI(t, c, 0, m, t0.Add(time.Second))
		writeMAPI(t, c, 1, m, t0.Add(2*time.Second))
		must(t, c.Close(t0.Add(3*time.Second)))
	})
	if int64(len(b)) != cut {
		t.Fatalf("file is %d bytes, cut at %d", len(b), cut)
	}
	xs, st := read(t, b)
	if len(xs) != 2 || st.Partial != 1 {
		t.Fatalf("%d exchanges, %d partial", len(xs), st.Partial)
	}
	checkMAPI(t, xs[0], m)
	e := xs[1]
	if e.ReqPartial || !e.RespPartial || e.Error != "capture ends mid-exchange" {
		t.Fatalf("partial %v/%v error %q", e.ReqPartial, e.RespPartial, e.Error)
	}
	if !bytes.Equal(e.ReqBody, m.reqBody) || !bytes.HasPrefix(m.framed(), e.RespBody) || len(e.RespBody) == 0 {
		t.Fatalf("bodies: request %d bytes, response %d bytes (a prefix?)", len(e.ReqBody), len(e.RespBody))
	}
	if !hasWarning(st, "ends in the middle of a record") {
		t.Fatalf("no warning about the cut file: %q", st.Warnings)
	}
}

// A capture that stops (cleanly, between records) after a request whose
// response never came, and one that stops inside a request body.
func TestCaptureEndsMidRequest(t *testing.T) {
	m := execProps(t, 3, 20000)
	b := build(t, pcap.WriterOptions{}, func(w *pcap.Writer) {
		c, err := w.Dial(client, server, t0)
		must(t, err)
		req := pcap.HTTPRequest("POST", "/mapi/emsmdb/", http.Header{"X-Requesttype": {"Execute"}}, m.reqBody)
		send(t, c, true, req, t0.Add(time.Second))
		c2, err := w.Dial(netip.MustParseAddrPort("10.0.0.5:50200"), server, t0)
		must(t, err)
		req = pcap.HTTPRequest("POST", "/mapi/emsmdb/", http.Header{"X-Requesttype": {"Execute"}}, bytes.Repeat([]byte("x"), 10000))
		send(t, c2, true, req[:len(req)-5000], t0.Add(time.Second))
	})
	xs, st := read(t, b)
	if len(xs) != 2 || st.Partial != 2 {
		t.Fatalf("%d exchanges, %d partial", len(xs), st.Partial)
	}
	for _, e := range xs {
		if !strings.Contains(e.Error, "capture ends mid-exchange") || !e.RespPartial || e.Status != 0 {
			t.Fatalf("%s: partial %v/%v status %d error %q", e.Conn, e.ReqPartial, e.RespPartial, e.Status, e.Error)
		}
	}
	if xs[0].ReqPartial || !bytes.Equal(xs[0].ReqBody, m.reqBody) {
		t.Fatal("the complete request was not kept whole")
	}
	if !xs[1].ReqPartial || len(xs[1].ReqBody) != 5000 {
		t.Fatalf("cut request: partial %v, %d body bytes", xs[1].ReqPartial, len(xs[1].ReqBody))
	}
}

func TestTLSOnlyCapture(t *testing.T) {
	hello := append([]byte{0x16, 0x03, 0x01, 0x00, 0xF4, 0x01, 0x00, 0x00, 0xF0, 0x03, 0x03}, bytes.Repeat([]byte{0xAB}, 240)...)
	b := build(t, pcap.WriterOptions{}, func(w *pcap.Writer) {
		for i := range 3 {
			c, err := w.Dial(netip.AddrPortFrom(client.Addr(), uint16(50000+i)), netip.MustParseAddrPort("10.0.0.10:443"), t0)
			must(t, err)
			send(t, c, true, hello, t0.Add(time.Millisecond))
			send(t, c, false, append([]byte{0x16, 0x03, 0x03, 0x00, 0x50}, bytes.Repeat([]byte{1}, 80)...), t0.Add(2*time.Millisecond))
			must(t, c.Close(t0.Add(time.Second)))
		}
	})
	_, st, err := readErr(b)
	if err == nil || !errors.Is(err, pcap.ErrOnlyTLS) {
		t.Fatalf("error %v", err)
	}
	want := "the capture holds only TLS traffic (3 connections) that mapiscope cannot read: capture the plain-HTTP leg behind the TLS terminator (e.g. between nginx and the MAPI backend), or put `mapiscope proxy` in front of the server"
	if err.Error() != want {
		t.Fatalf("error\n%s\nwant\n%s", err, want)
	}
	if st.TLSConnections != 3 || st.Exchanges != 0 {
		t.Fatalf("stats %+v", st)
	}
}

// TLS next to plain HTTP: the HTTP is read, the TLS connections counted.
func TestTLSAndHTTP(t *testing.T) {
	m := execTable(t, 5)
	b := build(t, pcap.WriterOptions{}, func(w *pcap.Writer) {
		c, err := w.Dial(netip.MustParseAddrPort("10.0.0.5:50001"), netip.MustParseAddrPort("10.0.0.10:443"), t0)
		must(t, err)
		send(t, c, true, []byte{0x16, 0x03, 0x01, 0x00, 0x05, 1, 2, 3, 4, 5}, t0.Add(time.Millisecond))
		h, err := w.Dial(client, server, t0)
		must(t, err)
		writeMAPI(t, h, 0, m, t0.Add(time.Second))
		must(t, h.Close(t0.Add(2*time.Second)))
	})
	xs, st := read(t, b)
	if len(xs) != 1 || st.TLSConnections != 1 || st.Connections != 2 {
		t.Fatalf("%d exchanges, stats %+v", len(xs), st)
	}
	checkMAPI(t, xs[0], m)
}

func TestCorruptFiles(t *testing.T) {
	good := build(t, pcap.WriterOptions{}, func(w *pcap.Writer) {
		c, err := w.Dial(client, server, t0)
		must(t, err)
		writeMAPI(t, c, 0, execTable(t, 5), t0.Add(time.Second))
	})
	bad := append([]byte(nil), good...)
	bad[24+8] = 0xFF // first record: captured length 0xFF…
	bad[24+9], bad[24+10], bad[24+11] = 0xFF, 0xFF, 0x7F
	ng := build(t, pcap.WriterOptions{Format: pcap.FormatPcapNG}, func(w *pcap.Writer) {
		c, err := w.Dial(client, server, t0)
		must(t, err)
		writeMAPI(t, c, 0, execTable(t, 5), t0.Add(time.Second))
	})
	badNG := append([]byte(nil), ng...)
	badNG[28+32+4] = 0x03 // first EPB: length not a multiple of 4
	for _, tc := range []struct {
		name string
		b    []byte
		want string
	}{
		{"empty", nil, "pcap: the file is too short to be a capture (0 bytes)"},
		{"text", []byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n"), "pcap: bad magic 0x47455420: not a pcap or pcapng file"},
		{"header only part", good[:20], "pcap: truncated file header (20 of 24 bytes)"},
		{"record header cut", good[:24+9], "pcap: truncated record header at offset 24"},
		{"huge record", bad, "pcap: bad record header at offset 24: captured length 2147483647 exceeds 1048576 (corrupt file)"},
		{"pcapng bad block", badNG, "pcapng: bad block at offset 60: block type 0x6 has length"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := readErr(tc.b)
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("error spans lines: %q", err)
			}
		})
	}
}

// The start of a connection was not captured: the reader skips to the
// first HTTP message with a warning.
func TestMidStreamPickup(t *testing.T) {
	m := execTable(t, 20)
	b := build(t, pcap.WriterOptions{}, func(w *pcap.Writer) {
		c := w.Resume(client, server)
		// The tail of an earlier response body, then a whole exchange.
		send(t, c, false, bytes.Repeat([]byte("tail of a body\x00\x01\n"), 300), t0)
		writeMAPI(t, c, 5, m, t0.Add(time.Second))
		must(t, c.Close(t0.Add(2*time.Second)))
	})
	xs, st := read(t, b)
	if len(xs) != 1 {
		t.Fatalf("%d exchanges", len(xs))
	}
	checkMAPI(t, xs[0], m)
	if !hasWarning(st, "connection start not captured; skipped 5100 bytes") {
		t.Fatalf("warnings %q", st.Warnings)
	}
}

// Picked up between a request and its response: the response is kept,
// marked as having no captured request.
func TestOrphanResponse(t *testing.T) {
	m := execTable(t, 3)
	b := build(t, pcap.WriterOptions{}, func(w *pcap.Writer) {
		c := w.Resume(client, server)
		send(t, c, false, pcap.HTTPResponse(200, http.Header{}, []byte("late")), t0)
		writeMAPI(t, c, 1, m, t0.Add(time.Second))
		must(t, c.Close(t0.Add(2*time.Second)))
	})
	xs, _ := read(t, b)
	if len(xs) != 2 {
		t.Fatalf("%d exchanges", len(xs))
	}
	if e := xs[0]; e.Method != "" || !e.ReqPartial || string(e.RespBody) != "late" || e.Error != "request not captured" || e.Client != "10.0.0.5:50123" {
		t.Fatalf("orphan: %+v", e)
	}
	checkMAPI(t, xs[1], m)
}

func TestSnaplenTruncatedPackets(t *testing.T) {
	m := execFX(t, 32000, 0)
	b := build(t, pcap.WriterOptions{Snaplen: 1000}, func(w *pcap.Writer) {
		c, err := w.Dial(client, server, t0)
		must(t, err)
		writeMAPI(t, c, 0, m, t0.Add(time.Second))
		must(t, c.Close(t0.Add(2*time.Second)))
	})
	xs, st := read(t, b)
	if len(xs) != 1 || st.Partial != 1 {
		t.Fatalf("%d exchanges, %d partial", len(xs), st.Partial)
	}
	e := xs[0]
	if !e.RespPartial || !strings.Contains(e.Error, "cut by the capture's snap length") {
		t.Fatalf("partial %v error %q", e.RespPartial, e.Error)
	}
	// The framing survives: lengths are right, the missing bytes are zeros.
	if len(e.RespBody) != len(m.framed()) {
		t.Fatalf("response body %d bytes, want %d", len(e.RespBody), len(m.framed()))
	}
	if !hasWarning(st, "cut short by the capture's snap length") {
		t.Fatalf("warnings %q", st.Warnings)
	}
}

// A segment the capture lacks: after waiting, the reader fills the hole
// with zeros and marks the exchange partial.
func TestMissingSegment(t *testing.T) {
	m := execFX(t, 32000, 0)
	b := build(t, pcap.WriterOptions{}, func(w *pcap.Writer) {
		c, err := w.Dial(client, server, t0)
		must(t, err)
		writeMAPI(t, c, 0, m, t0.Add(time.Second), pcap.Fault{Kind: pcap.Drop, Segment: 5})
		m2 := execTable(t, 5)
		writeMAPI(t, c, 1, m2, t0.Add(2*time.Second))
		must(t, c.Close(t0.Add(3*time.Second)))
	})
	xs, st := read(t, b)
	if len(xs) != 2 {
		t.Fatalf("%d exchanges: %q", len(xs), st.Warnings)
	}
	e := xs[0]
	if !e.RespPartial || !strings.Contains(e.Error, "1460 bytes of the response were missing") || len(e.RespBody) != len(m.framed()) {
		t.Fatalf("partial %v error %q body %d", e.RespPartial, e.Error, len(e.RespBody))
	}
	checkMAPI(t, xs[1], execTable(t, 5))
}

func TestGzipContentEncoding(t *testing.T) {
	m := execTable(t, 50)
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	zw.Write(m.framed())
	zw.Close()
	zb := z.Bytes()
	b := build(t, pcap.WriterOptions{}, func(w *pcap.Writer) {
		c, err := w.Dial(client, server, t0)
		must(t, err)
		send(t, c, true, pcap.HTTPRequest("POST", "/mapi/emsmdb/", http.Header{"Accept-Encoding": {"gzip"}}, m.reqBody), t0)
		h := http.Header{"Content-Encoding": {"gzip"}, "Content-Type": {"application/mapi-http"}}
		send(t, c, false, append(pcap.HTTPChunkedHead(200, h), pcap.HTTPChunk(zb[:100])...), t0.Add(time.Millisecond))
		send(t, c, false, append(pcap.HTTPChunk(zb[100:]), pcap.HTTPLastChunk()...), t0.Add(2*time.Millisecond))
		must(t, c.Close(t0.Add(time.Second)))
	})
	xs, _ := read(t, b)
	e := xs[0]
	if !bytes.Equal(e.RespBody, m.framed()) || e.RespHeader.Get("Content-Encoding") != "gzip" || e.Error != "" {
		t.Fatalf("gzip body not decoded: %d bytes, error %q", len(e.RespBody), e.Error)
	}
	if len(e.Chunks) != 2 || e.Chunks[1].Offset+e.Chunks[1].Length != len(e.RespBody) || e.Chunks[0].Offset != 0 {
		t.Fatalf("timeline not moved to the decoded body: %+v (%d bytes)", e.Chunks, len(e.RespBody))
	}
}

// A response without a length ends when the server closes.
func TestResponseEndingAtFIN(t *testing.T) {
	body := bytes.Repeat([]byte("0123456789"), 1000)
	var last time.Time
	b := build(t, pcap.WriterOptions{}, func(w *pcap.Writer) {
		c, err := w.Dial(client, server, t0)
		must(t, err)
		send(t, c, true, []byte("GET /old HTTP/1.0\r\nHost: legacy\r\n\r\n"), t0)
		send(t, c, false, []byte("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\n"), t0.Add(time.Millisecond))
		send(t, c, false, body[:4000], t0.Add(2*time.Millisecond))
		last = send(t, c, false, body[4000:], t0.Add(50*time.Millisecond))
		must(t, c.CloseServer(t0.Add(60*time.Millisecond)))
	})
	xs, _ := read(t, b)
	if len(xs) != 1 {
		t.Fatalf("%d exchanges", len(xs))
	}
	e := xs[0]
	if !bytes.Equal(e.RespBody, body) || e.RespPartial || e.Error != "" || e.Proto != "HTTP/1.0" {
		t.Fatalf("body %d bytes, partial %v, error %q", len(e.RespBody), e.RespPartial, e.Error)
	}
	// Two bursts: the first 4000 bytes, then the rest 48 ms later.
	if len(e.Chunks) != 2 || e.Chunks[0].Length != 4000 || !e.Chunks[1].At.Equal(last) {
		t.Fatalf("timeline %+v", e.Chunks)
	}
}

// A reset cuts the response; a new connection then reuses the ports.
func TestResetAndPortReuse(t *testing.T) {
	m := execTable(t, 5)
	b := build(t, pcap.WriterOptions{}, func(w *pcap.Writer) {
		c, err := w.Dial(client, server, t0)
		must(t, err)
		send(t, c, true, pcap.HTTPRequest("POST", "/mapi/emsmdb/", http.Header{}, m.reqBody), t0)
		send(t, c, false, []byte("HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\npartial"), t0.Add(time.Millisecond))
		must(t, c.Reset(false, t0.Add(2*time.Millisecond)))
		c2, err := w.Dial(client, server, t0.Add(time.Second))
		must(t, err)
		writeMAPI(t, c2, 0, m, t0.Add(2*time.Second))
		must(t, c2.Close(t0.Add(3*time.Second)))
	})
	xs, st := read(t, b)
	if len(xs) != 2 || st.Connections != 2 {
		t.Fatalf("%d exchanges, %d connections", len(xs), st.Connections)
	}
	if e := xs[0]; !e.RespPartial || e.Error != "the connection was reset mid-response" || string(e.RespBody) != "partial" || e.Conn != "tcp/1" {
		t.Fatalf("reset exchange: partial %v error %q body %q conn %s", e.RespPartial, e.Error, e.RespBody, e.Conn)
	}
	checkMAPI(t, xs[1], m)
	if xs[1].Conn != "tcp/2" {
		t.Fatalf("reused ports not a new connection: %s", xs[1].Conn)
	}
}

func TestInterimResponse(t *testing.T) {
	b := build(t, pcap.WriterOptions{}, func(w *pcap.Writer) {
		c, err := w.Dial(client, server, t0)
		must(t, err)
		send(t, c, true, []byte("POST /up HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n"), t0)
		send(t, c, false, []byte("HTTP/1.1 100 Continue\r\n\r\n"), t0.Add(time.Millisecond))
		send(t, c, true, []byte("hello"), t0.Add(2*time.Millisecond))
		send(t, c, false, pcap.HTTPResponse(201, http.Header{}, []byte("made")), t0.Add(3*time.Millisecond))
		must(t, c.Close(t0.Add(time.Second)))
	})
	xs, _ := read(t, b)
	if len(xs) != 1 || string(xs[0].ReqBody) != "hello" || xs[0].Status != 201 || string(xs[0].RespBody) != "made" {
		t.Fatalf("%+v", xs)
	}
}

// Non-HTTP TCP traffic next to HTTP is skipped.
func TestNonHTTPConnection(t *testing.T) {
	b := build(t, pcap.WriterOptions{}, func(w *pcap.Writer) {
		c, err := w.Dial(client, netip.MustParseAddrPort("10.0.0.10:22"), t0)
		must(t, err)
		send(t, c, false, []byte("SSH-2.0-OpenSSH_9.2\r\n"), t0.Add(time.Millisecond))
		send(t, c, true, []byte("SSH-2.0-OpenSSH_9.6\r\n"), t0.Add(2*time.Millisecond))
		must(t, c.Close(t0.Add(time.Second)))
	})
	xs, st := read(t, b)
	if len(xs) != 0 || !hasWarning(st, "other than HTTP/1.x") {
		t.Fatalf("%d exchanges, warnings %q", len(xs), st.Warnings)
	}
}

// An error from the callback stops the read and is returned.
func TestCallbackError(t *testing.T) {
	m := execTable(t, 3)
	b := build(t, pcap.WriterOptions{}, func(w *pcap.Writer) {
		c, err := w.Dial(client, server, t0)
		must(t, err)
		for i := range 3 {
			writeMAPI(t, c, i, m, t0.Add(time.Duration(i+1)*time.Second))
		}
	})
	stop := errors.New("stop")
	n := 0
	_, err := pcap.Read(bytes.NewReader(b), pcap.Options{}, func(*trace.Exchange) error {
		n++
		return stop
	})
	if err != stop || n != 1 {
		t.Fatalf("err %v after %d calls", err, n)
	}
}

func TestProgress(t *testing.T) {
	b := build(t, pcap.WriterOptions{}, func(w *pcap.Writer) {
		c, err := w.Dial(client, server, t0)
		must(t, err)
		for i := range 60 {
			writeMAPI(t, c, i, execFX(t, 32000, 0), t0.Add(time.Duration(i)*time.Second))
		}
	})
	var calls []int64
	st, err := pcap.Read(bytes.NewReader(b), pcap.Options{Progress: func(n int64) { calls = append(calls, n) }}, func(*trace.Exchange) error { return nil })
	must(t, err)
	if len(calls) < 2 || calls[len(calls)-1] != int64(len(b)) || st.Bytes != int64(len(b)) {
		t.Fatalf("progress %v for %d bytes", calls, len(b))
	}
}

func hasWarning(st pcap.Stats, s string) bool {
	for _, w := range st.Warnings {
		if strings.Contains(w, s) {
			return true
		}
	}
	return false
}

// A connection silent for over two hours (in capture time) is ended: its
// exchange waiting for a response is delivered, marked partial, while the
// capture goes on.
func TestIdleConnection(t *testing.T) {
	m := execTable(t, 5)
	b := build(t, pcap.WriterOptions{}, func(w *pcap.Writer) {
		c, err := w.Dial(client, server, t0)
		must(t, err)
		send(t, c, true, pcap.HTTPRequest("POST", "/mapi/emsmdb/", http.Header{"X-Requesttype": {"NotificationWait"}}, []byte{0, 0, 0, 0, 0, 0, 0, 0}), t0)
		later, err := w.Dial(netip.MustParseAddrPort("10.0.0.5:50999"), server, t0.Add(3*time.Hour))
		must(t, err)
		for i := range 3 {
			writeMAPI(t, later, i, m, t0.Add(3*time.Hour+time.Duration(i)*10*time.Second))
		}
	})
	xs, _ := read(t, b)
	if len(xs) != 4 {
		t.Fatalf("%d exchanges", len(xs))
	}
	// The idle one is delivered first, when the later traffic flushed it.
	e := xs[0]
	if e.Conn != "tcp/1" || !e.RespPartial || e.Error != "no response within the capture: no packet for 2h0m0s" {
		t.Fatalf("idle exchange %s: partial %v, error %q", e.Conn, e.RespPartial, e.Error)
	}
	for _, e := range xs[1:] {
		checkMAPI(t, e, m)
	}
}

// A body that does not decode as its Content-Encoding says is kept as
// sent, with the reason.
func TestBadGzipBody(t *testing.T) {
	b := build(t, pcap.WriterOptions{}, func(w *pcap.Writer) {
		c, err := w.Dial(client, server, t0)
		must(t, err)
		send(t, c, true, pcap.HTTPRequest("GET", "/", http.Header{"Host": {"h"}}, nil), t0)
		send(t, c, false, pcap.HTTPResponse(200, http.Header{"Content-Encoding": {"gzip"}}, []byte("not gzip at all")), t0.Add(time.Millisecond))
		must(t, c.Close(t0.Add(time.Second)))
	})
	xs, _ := read(t, b)
	if e := xs[0]; string(e.RespBody) != "not gzip at all" || !strings.Contains(e.Error, "kept encoded") || e.RespPartial {
		t.Fatalf("body %q error %q partial %v", e.RespBody, e.Error, e.RespPartial)
	}
}

// A framing error (a bad chunk size) cuts that response; the parser finds
// the next message on the connection.
func TestFramingErrorResync(t *testing.T) {
	m := execTable(t, 5)
	b := build(t, pcap.WriterOptions{}, func(w *pcap.Writer) {
		c, err := w.Dial(client, server, t0)
		must(t, err)
		send(t, c, true, pcap.HTTPRequest("GET", "/a", http.Header{"Host": {"h"}}, nil), t0)
		send(t, c, false, append(pcap.HTTPChunkedHead(200, http.Header{}), "5\r\nhello\r\nzz\r\nbroken\r\n0\r\n\r\n"...), t0.Add(time.Millisecond))
		writeMAPI(t, c, 1, m, t0.Add(time.Second))
		must(t, c.Close(t0.Add(2*time.Second)))
	})
	xs, st := read(t, b)
	if len(xs) != 2 {
		t.Fatalf("%d exchanges", len(xs))
	}
	if e := xs[0]; !e.RespPartial || string(e.RespBody) != "hello" || !strings.Contains(e.Error, `HTTP framing error: bad chunk size "zz"`) {
		t.Fatalf("broken response: partial %v body %q error %q", e.RespPartial, e.RespBody, e.Error)
	}
	checkMAPI(t, xs[1], m)
	if !hasWarning(st, "HTTP framing error") {
		t.Fatalf("warnings %q", st.Warnings)
	}
}

package pcap_test

import (
	"bytes"
	"net/http"
	"net/netip"
	"testing"
	"time"

	"github.com/mapiscope/mapiscope/capture/pcap"
	"github.com/mapiscope/mapiscope/capture/pcap/synth"
	"github.com/mapiscope/mapiscope/trace"
)

var (
	t0     = time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	client = netip.MustParseAddrPort("10.0.0.5:50123")
	server = netip.MustParseAddrPort("10.0.0.10:8080")
)

// build writes a capture with the given options.
func build(t testing.TB, opt pcap.WriterOptions, f func(w *pcap.Writer)) []byte {
	t.Helper()
	var b bytes.Buffer
	w, err := pcap.NewWriter(&b, opt)
	if err != nil {
		t.Fatal(err)
	}
	f(w)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// read imports a capture, failing the test on an error.
func read(t testing.TB, b []byte) ([]*trace.Exchange, pcap.Stats) {
	t.Helper()
	xs, st, err := readErr(b)
	if err != nil {
		t.Fatalf("Read: %v (warnings %q)", err, st.Warnings)
	}
	return xs, st
}

func readErr(b []byte) ([]*trace.Exchange, pcap.Stats, error) {
	var xs []*trace.Exchange
	st, err := pcap.Read(bytes.NewReader(b), pcap.Options{}, func(e *trace.Exchange) error {
		xs = append(xs, e)
		return nil
	})
	return xs, st, err
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func send(t testing.TB, c *pcap.Conn, fromClient bool, data []byte, at time.Time, faults ...pcap.Fault) time.Time {
	t.Helper()
	last, err := c.Send(fromClient, data, at, faults...)
	must(t, err)
	return last
}

// mapiExchange is a MAPI/HTTP exchange as written: a request and a
// chunked response streamed in parts.
type mapiExchange struct {
	kind    string
	reqBody []byte
	parts   [][]byte // HTTP chunks of the response body
}

// framed is the response body after de-chunking.
func (m mapiExchange) framed() []byte { return bytes.Join(m.parts, nil) }

func execTable(t testing.TB, rows int) mapiExchange {
	req, resp, err := synth.TableRead(rows)
	must(t, err)
	return mapiExchange{"Execute", req, synth.Parts(0, 20*time.Millisecond, t0, resp)}
}

func execProps(t testing.TB, i, chars int) mapiExchange {
	req, resp, err := synth.PropertyRead(i, chars)
	must(t, err)
	return mapiExchange{"Execute", req, synth.Parts(0, 5*time.Millisecond, t0, resp)}
}

func execFX(t testing.TB, size int, pending int) mapiExchange {
	req, resp, err := synth.FastTransfer(1, size, true)
	must(t, err)
	return mapiExchange{"Execute", req, synth.Parts(pending, 90*time.Millisecond, t0, resp)}
}

func connect(t testing.TB) mapiExchange {
	req, resp, err := synth.Connect("alice")
	must(t, err)
	return mapiExchange{"Connect", req, synth.Parts(0, 30*time.Millisecond, t0, resp)}
}

var ident = synth.NewIdentity(1)

// writeMAPI writes one exchange on c starting at at: the request, then
// the response head with the first chunk, each further chunk 1 ms later,
// the last with the terminating chunk. It returns the time each chunk was
// complete (its last segment).
func writeMAPI(t testing.TB, c *pcap.Conn, seq int, m mapiExchange, at time.Time, faults ...pcap.Fault) []time.Time {
	t.Helper()
	req := pcap.HTTPRequest("POST", "/mapi/emsmdb/?MailboxId=alice@contoso.com", synth.RequestHeader(ident, m.kind, seq, "192.0.2.7"), m.reqBody)
	send(t, c, true, req, at)
	head := pcap.HTTPChunkedHead(http.StatusOK, synth.ResponseHeader(ident, m.kind, seq, at))
	var done []time.Time
	for i, p := range m.parts {
		data := pcap.HTTPChunk(p)
		if i == 0 {
			data = append(head, data...)
		}
		if i == len(m.parts)-1 {
			data = append(data, pcap.HTTPLastChunk()...)
		}
		var f []pcap.Fault
		if i == len(m.parts)-1 {
			f = faults
		}
		done = append(done, send(t, c, false, data, at.Add(time.Duration(i+1)*time.Millisecond), f...))
	}
	return done
}

// checkMAPI compares an imported exchange with what was written.
func checkMAPI(t testing.TB, e *trace.Exchange, m mapiExchange) {
	t.Helper()
	if e.Method != "POST" || e.Status != 200 || e.Proto != "HTTP/1.1" {
		t.Fatalf("exchange %s %s %d", e.Method, e.Proto, e.Status)
	}
	if got := e.ReqHeader.Get("X-RequestType"); got != m.kind {
		t.Fatalf("X-RequestType %q, want %q", got, m.kind)
	}
	if !bytes.Equal(e.ReqBody, m.reqBody) {
		t.Fatalf("request body differs: %d bytes, want %d", len(e.ReqBody), len(m.reqBody))
	}
	if !bytes.Equal(e.RespBody, m.framed()) {
		t.Fatalf("response body differs: %d bytes, want %d", len(e.RespBody), len(m.framed()))
	}
	if e.ReqPartial || e.RespPartial || e.Error != "" {
		t.Fatalf("exchange marked partial (%v/%v): %q", e.ReqPartial, e.RespPartial, e.Error)
	}
	if len(e.Chunks) != len(m.parts) {
		t.Fatalf("%d chunks, want %d", len(e.Chunks), len(m.parts))
	}
	off := 0
	for i, ch := range e.Chunks {
		if ch.Offset != off || ch.Length != len(m.parts[i]) {
			t.Fatalf("chunk %d at %d+%d, want %d+%d", i, ch.Offset, ch.Length, off, len(m.parts[i]))
		}
		off += ch.Length
	}
}

package pcap_test

import (
	"bytes"
	"fmt"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/mapiscope/mapiscope/capture/pcap"
	"github.com/mapiscope/mapiscope/trace"
)

// fuzzSeeds are small captures covering the formats, link types and the
// transport faults; they are also committed under testdata/fuzz/FuzzRead
// (MAPISCOPE_WRITE_SEEDS=1 go test -run TestWriteFuzzSeeds rewrites them).
func fuzzSeeds(t testing.TB) map[string][]byte {
	small := execTable(t, 2)
	one := func(opt pcap.WriterOptions, cl, sv netip.AddrPort, faults ...pcap.Fault) []byte {
		return build(t, opt, func(w *pcap.Writer) {
			c, err := w.Dial(cl, sv, t0)
			must(t, err)
			writeMAPI(t, c, 0, small, t0.Add(time.Second), faults...)
			must(t, c.Close(t0.Add(2*time.Second)))
		})
	}
	v6c := netip.MustParseAddrPort("[2001:db8::5]:50123")
	v6s := netip.MustParseAddrPort("[2001:db8::10]:8080")
	seeds := map[string][]byte{
		"plain":     one(pcap.WriterOptions{}, client, server),
		"pcapng":    one(pcap.WriterOptions{Format: pcap.FormatPcapNG, VLAN: 3}, client, server),
		"sll2-ipv6": one(pcap.WriterOptions{Link: pcap.LinkSLL2, MSS: 300}, v6c, v6s, pcap.Fault{Kind: pcap.Swap, Segment: 0}),
		"raw-retx":  one(pcap.WriterOptions{Link: pcap.LinkRaw, MSS: 200}, client, server, pcap.Fault{Kind: pcap.Retransmit, Segment: 1}),
		"snaplen":   one(pcap.WriterOptions{Link: pcap.LinkSLL, Snaplen: 120}, client, server),
		"truncated": one(pcap.WriterOptions{CutAt: 1500}, client, server),
		"gap-midstr": build(t, pcap.WriterOptions{MSS: 256}, func(w *pcap.Writer) {
			c := w.Resume(client, server)
			send(t, c, false, []byte("y\r\n0\r\n\r\n"), t0)
			writeMAPI(t, c, 3, small, t0.Add(time.Second), pcap.Fault{Kind: pcap.Drop, Segment: 1})
		}),
		"tls": build(t, pcap.WriterOptions{}, func(w *pcap.Writer) {
			c, err := w.Dial(client, server, t0)
			must(t, err)
			send(t, c, true, []byte{0x16, 0x03, 0x01, 0x00, 0x04, 1, 0, 0, 0}, t0)
		}),
		"gzip-close": build(t, pcap.WriterOptions{}, func(w *pcap.Writer) {
			c, err := w.Dial(client, server, t0)
			must(t, err)
			send(t, c, true, pcap.HTTPRequest("GET", "/", http.Header{"Host": {"h"}}, nil), t0)
			send(t, c, false, []byte("HTTP/1.0 200 OK\r\nContent-Encoding: gzip\r\n\r\n\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff\xcbH\xcd\xc9\xc9\x07\x00\x86\xa6\x106\x05\x00\x00\x00"), t0)
			must(t, c.CloseServer(t0.Add(time.Second)))
		}),
	}
	return seeds
}

func TestWriteFuzzSeeds(t *testing.T) {
	if os.Getenv("MAPISCOPE_WRITE_SEEDS") == "" {
		t.Skip("set MAPISCOPE_WRITE_SEEDS=1 to rewrite testdata/fuzz/FuzzRead")
	}
	dir := filepath.Join("testdata", "fuzz", "FuzzRead")
	must(t, os.MkdirAll(dir, 0o755))
	for name, b := range fuzzSeeds(t) {
		body := fmt.Sprintf("go test fuzz v1\n[]byte(%s)\n", strconv.Quote(string(b)))
		must(t, os.WriteFile(filepath.Join(dir, "seed-"+name), []byte(body), 0o644))
	}
}

// FuzzRead reads arbitrary bytes as a capture file: it must never panic,
// never allocate from unchecked lengths, and every exchange it delivers
// must be consistent.
func FuzzRead(f *testing.F) {
	for _, b := range fuzzSeeds(f) {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		st, err := pcap.Read(bytes.NewReader(data), pcap.Options{MaxBody: 1 << 20}, func(e *trace.Exchange) error {
			if len(e.ReqBody) > 1<<20 || len(e.RespBody) > 1<<20 {
				t.Fatalf("body over MaxBody: %d/%d", len(e.ReqBody), len(e.RespBody))
			}
			end := 0
			for _, ch := range e.Chunks {
				if ch.Offset < end || ch.Length < 0 || ch.Offset+ch.Length > len(e.RespBody) {
					t.Fatalf("chunk %+v outside the %d-byte body (previous end %d)", ch, len(e.RespBody), end)
				}
				end = ch.Offset + ch.Length
			}
			if e.Conn == "" || e.Source == "" {
				t.Fatalf("exchange without connection or source: %+v", e)
			}
			return nil
		})
		if err != nil && bytes.ContainsRune([]byte(err.Error()), '\n') {
			t.Fatalf("multi-line error %q", err)
		}
		if st.Exchanges < st.Partial || len(st.Warnings) > 101 {
			t.Fatalf("stats %+v", st)
		}
	})
}

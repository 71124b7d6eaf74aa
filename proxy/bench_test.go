package proxy

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/mapiscope/mapiscope/decode/auxbuf"
	"github.com/mapiscope/mapiscope/decode/mapihttp"
	"github.com/mapiscope/mapiscope/decode/rop"
	"github.com/mapiscope/mapiscope/decode/rpcext"
	"github.com/mapiscope/mapiscope/decode/wire"
	"github.com/mapiscope/mapiscope/server"
)

// BenchmarkProxy runs one workload — MAPI sessions sending a 3-ROP
// Execute batch to the built-in server — directly, through mapiscope's
// proxy (recording into a trace, and without a trace to show what
// recording costs), through a bare httputil.ReverseProxy,
// and, when MITMDUMP names a mitmdump binary, through mitmproxy in
// reverse mode; at 1 and 16 concurrent clients, all on the same upstream
// in the same run. It reports p50/p99 latency, throughput and CPU per
// request (the process's own CPU; for mitmproxy its process's too).
// scripts/bench-proxy.sh installs mitmproxy and runs it.
func BenchmarkProxy(b *testing.B) {
	// The garbage collector setting mapiscope proxy runs with (GCPercent),
	// for every path alike.
	defer debug.SetGCPercent(debug.SetGCPercent(GCPercent))
	users := make([]server.UserSpec, 16)
	for i := range users {
		users[i] = server.UserSpec{Email: fmt.Sprintf("user%02d@example.test", i), Password: pw}
	}
	up, err := server.Start(server.RunConfig{Listen: "http://127.0.0.1:0", Users: users, NoSeed: true, Logger: quiet})
	if err != nil {
		b.Fatal(err)
	}
	defer up.Close()
	upURL, _ := url.Parse(up.URL)

	mp, err := Start(RunConfig{Listen: "http://127.0.0.1:0", Upstream: up.URL, Trace: filepath.Join(b.TempDir(), "bench.trace"), Logger: quiet})
	if err != nil {
		b.Fatal(err)
	}
	defer mp.Close()

	norec, err := Start(RunConfig{Listen: "http://127.0.0.1:0", Upstream: up.URL, Logger: quiet})
	if err != nil {
		b.Fatal(err)
	}
	defer norec.Close()

	rp := httputil.NewSingleHostReverseProxy(upURL)
	rp.FlushInterval = -1
	rp.ErrorLog = nil
	bare := httptest.NewServer(rp)
	defer bare.Close()

	type path struct {
		name string
		url  string
		pid  int // a separate proxy process, for its CPU
	}
	paths := []path{{"direct", up.URL, 0}, {"mapiscope", mp.URL, 0}, {"mapiscope-norecord", norec.URL, 0}, {"bare", bare.URL, 0}}
	if bin := os.Getenv("MITMDUMP"); bin != "" {
		ln, _ := net.Listen("tcp", "127.0.0.1:0")
		port := ln.Addr().(*net.TCPAddr).Port
		ln.Close()
		cmd := exec.Command(bin, "--mode", "reverse:"+up.URL, "--listen-host", "127.0.0.1", "-p", strconv.Itoa(port), "-q", "--set", "connection_strategy=lazy")
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		defer func() { cmd.Process.Kill(); cmd.Wait() }()
		addr := fmt.Sprintf("127.0.0.1:%d", port)
		for i := 0; i < 100; i++ {
			if c, err := net.Dial("tcp", addr); err == nil {
				c.Close()
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		paths = append(paths, path{"mitmproxy", "http://" + addr, cmd.Process.Pid})
	}

	direct := map[int]float64{} // CPU per request of the direct path, by clients
	for _, p := range paths {
		for _, clients := range []int{1, 16} {
			b.Run(fmt.Sprintf("path=%s/clients=%d", p.name, clients), func(b *testing.B) {
				hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64, DisableCompression: true}}
				sessions := make([]*bsess, clients)
				for i := range sessions {
					sessions[i] = newBSess(b, hc, p.url, users[i].Email, up)
				}
				per := (b.N + clients - 1) / clients
				lat := make([][]time.Duration, clients)
				cpu0, child0 := cpuTime(), procCPU(p.pid)
				b.ResetTimer()
				start := time.Now()
				var wg sync.WaitGroup
				for i, s := range sessions {
					wg.Add(1)
					go func(i int, s *bsess) {
						defer wg.Done()
						l := make([]time.Duration, 0, per)
						for range per {
							t := time.Now()
							s.post(b, "Execute", s.batch)
							l = append(l, time.Since(t))
						}
						lat[i] = l
					}(i, s)
				}
				wg.Wait()
				elapsed := time.Since(start)
				b.StopTimer()
				n := per * clients
				var all []time.Duration
				for _, l := range lat {
					all = append(all, l...)
				}
				sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
				cpuPer := (cpuTime() - cpu0 + procCPU(p.pid) - child0).Seconds() * 1e6 / float64(n)
				b.ReportMetric(float64(all[len(all)/2].Microseconds())/1000, "p50-ms")
				b.ReportMetric(float64(all[len(all)*99/100].Microseconds())/1000, "p99-ms")
				b.ReportMetric(float64(n)/elapsed.Seconds(), "req/s")
				b.ReportMetric(cpuPer, "cpu-us/req")
				if p.name == "direct" {
					direct[clients] = cpuPer
				} else if d, ok := direct[clients]; ok {
					b.ReportMetric(cpuPer-d, "proxy-cpu-us/req")
				}
			})
		}
	}
}

// cpuTime is this process's user+system CPU time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// procCPU is another process's user+system CPU time (Linux /proc).
func procCPU(pid int) time.Duration {
	if pid == 0 {
		return 0
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	if len(f) < 13 {
		return 0
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut+st) * 10 * time.Millisecond // USER_HZ = 100
}

// bsess is a minimal MAPI/HTTP session for the benchmark.
type bsess struct {
	hc      *http.Client
	base    string
	email   string
	cookies map[string]string
	n       int
	batch   []byte
}

func encodeBody(b *testing.B, body mapihttp.Body) []byte {
	c := wire.NewEncoder(nil)
	body.Codec(c)
	if err := c.Err(); err != nil {
		b.Fatal(err)
	}
	return c.Output()
}

func ropChain(rops []rop.Request, handles []uint32) []byte {
	enc := wire.NewEncoder(nil)
	rop.CodecRequestBuffer(enc, &rop.RequestBuffer{Rops: rops, Handles: handles}, nil)
	chain, _ := rpcext.Append(nil, []rpcext.Block{rpcext.Build(enc.Output(), 0, true)})
	return chain
}

func newBSess(b *testing.B, hc *http.Client, base, email string, up *server.Running) *bsess {
	s := &bsess{hc: hc, base: base, email: email, cookies: map[string]string{}}
	mb, err := up.Store.MailboxByEmail(email)
	if err != nil {
		b.Fatal(err)
	}
	s.post(b, "Connect", encodeBody(b, &mapihttp.ConnectRequest{UserDn: mb.LegacyDN, DefaultCodePage: 1252, AuxiliaryBuffer: auxbuf.Buffer{}}))
	logon := ropChain([]rop.Request{&rop.LogonRequest{RequestHeader: rop.RequestHeader{RopId: 0xFE}, LogonFlags: 1, OpenFlags: 0x01000004, Essdn: mb.LegacyDN}}, []uint32{0xFFFFFFFF})
	s.post(b, "Execute", encodeBody(b, &mapihttp.ExecuteRequest{RopBuffer: logon, MaxRopOut: 0x10008, AuxiliaryBuffer: auxbuf.Buffer{}}))
	batch := ropChain([]rop.Request{
		&rop.GetReceiveFolderRequest{RequestHeader: rop.RequestHeader{RopId: 0x27}, MessageClass: "IPM.Note"},
		&rop.GetStoreStateRequest{RequestHeader: rop.RequestHeader{RopId: 0x7B}},
		&rop.GetReceiveFolderTableRequest{RequestHeader: rop.RequestHeader{RopId: 0x68}},
	}, []uint32{0})
	s.batch = encodeBody(b, &mapihttp.ExecuteRequest{RopBuffer: batch, MaxRopOut: 0x10008, AuxiliaryBuffer: auxbuf.Buffer{}})
	return s
}

func (s *bsess) post(b *testing.B, rt string, body []byte) {
	req, _ := http.NewRequest("POST", s.base+"/mapi/emsmdb/?MailboxId="+s.email, bytes.NewReader(body))
	req.SetBasicAuth(s.email, pw)
	req.Header.Set("Content-Type", mapihttp.ContentType)
	req.Header.Set("X-RequestType", rt)
	s.n++
	req.Header.Set("X-RequestId", fmt.Sprintf("{bench}:%d", s.n))
	for k, v := range s.cookies {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	resp, err := s.hc.Do(req)
	if err != nil {
		b.Error(err)
		return
	}
	all, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, c := range resp.Cookies() {
		s.cookies[c.Name] = c.Value
	}
	if resp.Header.Get("X-ResponseCode") != "0" || !bytes.Contains(all, []byte("X-ResponseCode: 0\r\n")) {
		b.Errorf("%s through %s failed: %q", rt, s.base, all[:min(len(all), 120)])
	}
}

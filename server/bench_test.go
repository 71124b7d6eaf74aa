package server

import (
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mapiscope/mapiscope/decode/auxbuf"
	"github.com/mapiscope/mapiscope/decode/mapihttp"
	"github.com/mapiscope/mapiscope/decode/rop"
	"github.com/mapiscope/mapiscope/decode/rpcext"
	"github.com/mapiscope/mapiscope/decode/wire"
	"github.com/mapiscope/mapiscope/server/store"
)

// BenchmarkExecute measures Execute round trips over loopback for a
// 3-ROP store-level batch, at 1 and 16 concurrent sessions, against the
// built-in server and, in the same run, against a do-nothing MAPI/HTTP
// handler that frames a canned response the same way (the ceiling).
func BenchmarkExecute(b *testing.B) {
	st, err := store.Open(filepath.Join(b.TempDir(), "s.db"), store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	srv, err := New(Config{Store: st, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	users := make([]string, 16)
	for i := range users {
		users[i] = fmt.Sprintf("user%02d@example.test", i)
		if _, err := srv.AddUser(users[i], pw, ""); err != nil {
			b.Fatal(err)
		}
	}
	real := httptest.NewServer(srv)
	defer real.Close()

	// A real response to replay from the ceiling handler.
	var canned []byte
	{
		s := newBenchSession(b, real.URL, users[0], st)
		canned = s.execute(b)
	}
	ceiling := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		h := w.Header()
		h.Set("Content-Type", mapihttp.ContentType)
		h.Set("X-RequestType", r.Header.Get("X-RequestType"))
		h.Set("X-RequestId", r.Header.Get("X-RequestId"))
		h.Set("X-ResponseCode", "0")
		h.Add("Set-Cookie", "MapiContext=ceiling; Path=/mapi/emsmdb/")
		h.Add("Set-Cookie", "MapiSequence=ceiling; Path=/mapi/emsmdb/")
		w.WriteHeader(200)
		w.Write(mapihttp.AppendMetaTag(nil, mapihttp.Processing))
		w.(http.Flusher).Flush()
		out := mapihttp.AppendDone(nil, mapihttp.DoneHeaders(0, 0, time.Now().UTC().Format(http.TimeFormat)))
		w.Write(append(out, canned...))
	}))
	defer ceiling.Close()

	for _, target := range []struct {
		name string
		url  string
	}{{"server", real.URL}, {"ceiling", ceiling.URL}} {
		for _, n := range []int{1, 16} {
			b.Run(fmt.Sprintf("%s/sessions=%d", target.name, n), func(b *testing.B) {
				sessions := make([]*benchSession, n)
				for i := range sessions {
					if target.name == "server" {
						sessions[i] = newBenchSession(b, target.url, users[i], st)
					} else {
						sessions[i] = &benchSession{url: target.url, email: users[i], cookies: map[string]string{}, client: benchClient, body: sessionsBody(b, 0)}
					}
				}
				b.ResetTimer()
				start := time.Now()
				var wg sync.WaitGroup
				per := (b.N + n - 1) / n
				for _, s := range sessions {
					wg.Add(1)
					go func(s *benchSession) {
						defer wg.Done()
						for range per {
							s.execute(b)
						}
					}(s)
				}
				wg.Wait()
				b.ReportMetric(float64(per*n)/time.Since(start).Seconds(), "req/s")
			})
		}
	}
}

var benchClient = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64, MaxConnsPerHost: 64}}

type benchSession struct {
	url, email string
	cookies    map[string]string
	client     *http.Client
	body       []byte
	n          int
}

func newBenchSession(b *testing.B, url, email string, st *store.Store) *benchSession {
	s := &benchSession{url: url, email: email, cookies: map[string]string{}, client: benchClient}
	mb, err := st.MailboxByEmail(email)
	if err != nil {
		b.Fatal(err)
	}
	s.post(b, "Connect", encodeTest(b, &mapihttp.ConnectRequest{UserDn: mb.LegacyDN, DefaultCodePage: 1252, AuxiliaryBuffer: auxbuf.Buffer{}}))
	// Logon, then the batch works on handle 0.
	enc := wire.NewEncoder(nil)
	rop.CodecRequestBuffer(enc, &rop.RequestBuffer{Rops: []rop.Request{&rop.LogonRequest{RequestHeader: rop.RequestHeader{RopId: 0xFE}, LogonFlags: 1, OpenFlags: 0x01000004, Essdn: mb.LegacyDN}}, Handles: []uint32{0xFFFFFFFF}}, nil)
	chain, _ := rpcext.Append(nil, []rpcext.Block{rpcext.Build(enc.Output(), 0, true)})
	s.post(b, "Execute", encodeTest(b, &mapihttp.ExecuteRequest{RopBuffer: chain, MaxRopOut: 0x10008, AuxiliaryBuffer: auxbuf.Buffer{}}))
	s.body = sessionsBody(b, 0)
	return s
}

// sessionsBody is the benchmark batch: three store-level ROPs on the
// logon handle.
func sessionsBody(b *testing.B, logon uint32) []byte {
	enc := wire.NewEncoder(nil)
	rop.CodecRequestBuffer(enc, &rop.RequestBuffer{Rops: []rop.Request{
		&rop.GetReceiveFolderRequest{RequestHeader: hdr(0x27, 0), MessageClass: "IPM.Note"},
		&rop.GetStoreStateRequest{RequestHeader: hdr(0x7B, 0)},
		&rop.GetReceiveFolderTableRequest{RequestHeader: hdr(0x68, 0)},
	}, Handles: []uint32{logon}}, nil)
	chain, _ := rpcext.Append(nil, []rpcext.Block{rpcext.Build(enc.Output(), 0, true)})
	return encodeTest(b, &mapihttp.ExecuteRequest{RopBuffer: chain, MaxRopOut: 0x10008, AuxiliaryBuffer: auxbuf.Buffer{}})
}

func (s *benchSession) execute(b *testing.B) []byte { return s.post(b, "Execute", s.body) }

func (s *benchSession) post(b *testing.B, rt string, body []byte) []byte {
	req, _ := http.NewRequest("POST", s.url+"/mapi/emsmdb/?MailboxId="+s.email, bytes.NewReader(body))
	req.SetBasicAuth(s.email, pw)
	req.Header.Set("Content-Type", mapihttp.ContentType)
	req.Header.Set("X-RequestType", rt)
	s.n++
	req.Header.Set("X-RequestId", fmt.Sprintf("{bench}:%d", s.n))
	for k, v := range s.cookies {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	resp, err := s.client.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	all, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range resp.Cookies() {
		s.cookies[c.Name] = c.Value
	}
	i := bytes.Index(all, []byte("\r\n\r\n"))
	if resp.Header.Get("X-ResponseCode") != "0" || i < 0 || !strings.Contains(string(all[:i]), "X-ResponseCode: 0") {
		b.Fatalf("%s failed: %q", rt, all[:min(len(all), 200)])
	}
	return all[i+4:]
}

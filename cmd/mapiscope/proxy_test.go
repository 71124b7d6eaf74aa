package main

import (
	"bytes"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/mapiscope/mapiscope/trace"
)

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestProxySignal: SIGINT stops mapiscope proxy with the trace flushed
// and closed.
func TestProxySignal(t *testing.T) {
	path := filepath.Join(t.TempDir(), "p.trace")
	var out, errb syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- run([]string{"proxy", "--listen", "http://127.0.0.1:0", "--trace", path, "--user", "alice@example.test:secret"}, nil, &out, &errb)
	}()
	re := regexp.MustCompile(`listening on (http://\S+)`)
	var base string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if m := re.FindStringSubmatch(out.String()); m != nil && strings.Contains(out.String(), "Trace:") {
			base = m[1]
			break
		}
	}
	if base == "" {
		t.Fatalf("proxy did not start: %s %s", out.String(), errb.String())
	}
	req, _ := http.NewRequest("POST", base+"/autodiscover/autodiscover.xml", strings.NewReader(`<?xml version="1.0"?><Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006"><Request><EMailAddress>alice@example.test</EMailAddress><AcceptableResponseSchema>http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a</AcceptableResponseSchema></Request></Autodiscover>`))
	req.SetBasicAuth("alice@example.test", "secret")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	syscall.Kill(os.Getpid(), syscall.SIGINT)
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errb.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("proxy did not stop on SIGINT")
	}
	tr, err := trace.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	var n, finished int
	tr.DB.QueryRow(`SELECT count(*) FROM exchanges`).Scan(&n)
	tr.DB.QueryRow(`SELECT count(*) FROM captures WHERE finished IS NOT NULL`).Scan(&finished)
	if n != 1 || finished != 1 {
		t.Errorf("%d exchanges, %d finished captures; want 1 and 1", n, finished)
	}
}

package pcap_test

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/mapiscope/mapiscope/capture/pcap"
	"github.com/mapiscope/mapiscope/capture/pcap/synth"
	"github.com/mapiscope/mapiscope/trace"
)

var bench struct {
	once      sync.Once
	file      string
	data      []byte
	sum       synth.Summary
	err       error
	tsharkMBs float64 // wall clock
	tsharkCPU float64 // MB per CPU second
}

// benchCapture generates a ~64 MiB capture of MAPI/HTTP traffic once per
// test binary, in a temporary directory, and times tshark's HTTP
// dissection of it when tshark is installed.
func benchCapture(b *testing.B) ([]byte, synth.Summary) {
	bench.once.Do(func() {
		dir, err := os.MkdirTemp("", "mapiscope-bench")
		if err != nil {
			bench.err = err
			return
		}
		bench.file = filepath.Join(dir, "bench.pcap")
		f, err := os.Create(bench.file)
		if err != nil {
			bench.err = err
			return
		}
		bench.sum, bench.err = synth.Generate(f, synth.Config{Size: 64 << 20, Seed: 7})
		f.Close()
		if bench.err != nil {
			return
		}
		bench.data, bench.err = os.ReadFile(bench.file)
		if _, err := exec.LookPath("tshark"); err == nil {
			cmd := exec.Command("tshark", "-r", bench.file, "-Y", "http", "-T", "fields", "-e", "http.request.method")
			cmd.Stdout = io.Discard
			start := time.Now()
			if err := cmd.Run(); err == nil {
				mb := float64(len(bench.data)) / 1e6
				bench.tsharkMBs = mb / time.Since(start).Seconds()
				cpu := cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
				bench.tsharkCPU = mb / cpu.Seconds()
			}
		}
		os.RemoveAll(dir)
	})
	if bench.err != nil {
		b.Fatal(bench.err)
	}
	return bench.data, bench.sum
}

// BenchmarkRead imports a generated ~64 MiB capture (many keep-alive
// MAPI/HTTP sessions with chunked, meta-tagged responses). MB/s is the
// file's size over the time taken; tshark-MB/s is tshark's HTTP
// dissection of the same file (tshark -Y http), measured once, and
// tshark-cpu-MB/s the same per CPU second.
func BenchmarkRead(b *testing.B) {
	data, sum := benchCapture(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		n := 0
		st, err := pcap.Read(bytes.NewReader(data), pcap.Options{}, func(e *trace.Exchange) error {
			n++
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		if n != sum.Exchanges || st.Partial != 0 {
			b.Fatalf("%d exchanges (%d partial), generated %d; warnings %q", n, st.Partial, sum.Exchanges, st.Warnings)
		}
	}
	if bench.tsharkMBs > 0 {
		b.ReportMetric(bench.tsharkMBs, "tshark-MB/s")
		b.ReportMetric(bench.tsharkCPU, "tshark-cpu-MB/s")
	}
}

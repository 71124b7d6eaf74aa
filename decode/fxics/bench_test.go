package fxics

import (
	"sync"
	"syscall"
	"testing"
	"time"
)

// cpuTime is the process's user+system CPU time: on a shared machine it
// measures the work, where wall time measures the queue for the CPUs.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPU adds MB per CPU-second (GC work on other threads included).
func reportCPU(b *testing.B, start time.Duration, size int) {
	if d := cpuTime() - start; d > 0 {
		b.ReportMetric(float64(size)*float64(b.N)/1e6/d.Seconds(), "MB/cpu-s")
	}
}

var benchStream = sync.OnceValue(func() []byte {
	// A few hundred messages with bodies, recipients and attachments:
	// about 4 MiB.
	b, err := Encode(sampleContentsSync(300, 5200))
	if err != nil {
		panic(err)
	}
	return b
})

// BenchmarkFastTransferDecode lexes and parses a ~4 MiB contentsSync
// (no spans).
func BenchmarkFastTransferDecode(b *testing.B) {
	s := benchStream()
	b.SetBytes(int64(len(s)))
	b.ReportAllocs()
	start := cpuTime()
	for b.Loop() {
		e, _, an := DecodeStream(s, RootContentsSync, false)
		if len(an) != 0 || len(e.Children) != 2*300+5 {
			b.Fatalf("%d children, anomalies %v", len(e.Children), an)
		}
	}
	reportCPU(b, start, len(s))
}

// BenchmarkFastTransferFeed is the same through the incremental Decoder
// in 32 KiB buffers (copying what it keeps).
func BenchmarkFastTransferFeed(b *testing.B) {
	s := benchStream()
	b.SetBytes(int64(len(s)))
	b.ReportAllocs()
	start := cpuTime()
	for b.Loop() {
		d := NewDecoder(Options{Root: RootContentsSync})
		for i := 0; i < len(s); i += 32 << 10 {
			d.Feed(s[i:min(i+32<<10, len(s))])
		}
		d.Close()
		if !d.Done() {
			b.Fatal("not done")
		}
	}
	reportCPU(b, start, len(s))
}

func TestBenchStreamSize(t *testing.T) {
	if testing.Short() {
		t.Skip()
	}
	n := len(benchStream())
	if n < 3<<20 || n > 5<<20 {
		t.Fatalf("bench stream is %d bytes", n)
	}
	e := decodeClean(t, benchStream(), RootUnknown)
	if e.Kind != KindContentsSync {
		t.Fatal(e.Kind)
	}
}

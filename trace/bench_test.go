package trace_test

import (
	"path/filepath"
	"testing"

	"github.com/mapiscope/mapiscope/internal/mapitest"
	"github.com/mapiscope/mapiscope/trace"
)

// BenchmarkWriterAdd measures decoding and storing MAPI exchanges (bytes
// are the request and response bodies).
func BenchmarkWriterAdd(b *testing.B) {
	cv := mapitest.NewConversation()
	exs, err := mapitest.SampleSession(cv)
	if err != nil {
		b.Fatal(err)
	}
	var size int64
	for _, ex := range exs {
		size += int64(len(ex.ReqBody) + len(ex.RespBody))
	}
	tr, err := trace.Create(filepath.Join(b.TempDir(), "b.mapiscope"))
	if err != nil {
		b.Fatal(err)
	}
	defer tr.Close()
	w, _ := tr.NewWriter("bench", "", "bench")
	b.SetBytes(size)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, ex := range exs {
			if _, err := w.Add(ex); err != nil {
				b.Fatal(err)
			}
		}
	}
	w.Close()
}

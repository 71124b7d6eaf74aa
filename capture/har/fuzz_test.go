package har

import (
	"bytes"
	"slices"
	"testing"

	"github.com/mapiscope/mapiscope/trace"
)

// FuzzHAR reads arbitrary bytes as a HAR: never a panic, and what was
// read can be written and read again to the same exchanges.
func FuzzHAR(f *testing.F) {
	f.Add([]byte(browserHAR))
	f.Add(writeHAR(f, sampleExchanges()))
	f.Add([]byte(`{"log":{"entries":[{"request":{"postData":{"params":[{"name":"a","value":"b c"}]}},"_chunks":[{"offset":9,"length":1}],"_mapiscope":{"started":"x"}}]}}`))
	f.Add([]byte(`{"log":{"entries":[{"startedDateTime":"2026-01-01T00:00:00Z","timings":{"send":1e300,"wait":-5,"receive":"x"}}]}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var got []*trace.Exchange
		if _, err := Read(bytes.NewReader(data), func(e *trace.Exchange) error {
			got = append(got, e)
			return nil
		}); err != nil {
			return
		}
		var w bytes.Buffer
		if err := Write(&w, slices.Values(got)); err != nil {
			t.Fatal(err)
		}
		var again []*trace.Exchange
		if _, err := Read(bytes.NewReader(w.Bytes()), func(e *trace.Exchange) error {
			again = append(again, e)
			return nil
		}); err != nil || len(again) != len(got) {
			t.Fatalf("written HAR not read: %v", err)
		}
		for i := range got {
			if d := diff(got[i], again[i]); d != nil {
				t.Errorf("entry %d: write then read changed the exchange: %v", i+1, d)
			}
		}
	})
}

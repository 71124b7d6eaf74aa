package synth

import (
	"bytes"
	"testing"

	"github.com/mapiscope/mapiscope/capture/pcap"
	"github.com/mapiscope/mapiscope/decode/mapihttp"
	"github.com/mapiscope/mapiscope/trace"
)

// A generated capture reads back whole: every exchange, none partial,
// each response a complete meta-tagged MAPI/HTTP body on its timeline.
func TestGenerateReadsBack(t *testing.T) {
	for _, f := range []pcap.Format{pcap.FormatPcap, pcap.FormatPcapNG} {
		var b bytes.Buffer
		sum, err := Generate(&b, Config{Size: 3 << 20, Format: f, Seed: 3, Sessions: 4})
		if err != nil {
			t.Fatal(err)
		}
		if sum.Bytes != int64(b.Len()) || sum.Bytes < 3<<20 {
			t.Fatalf("summary %+v for %d bytes", sum, b.Len())
		}
		types := map[string]int{}
		conns := map[string]bool{}
		st, err := pcap.Read(&b, pcap.Options{}, func(e *trace.Exchange) error {
			types[e.ReqHeader.Get("X-RequestType")]++
			conns[e.Conn] = true
			if e.ReqPartial || e.RespPartial || e.Error != "" {
				t.Fatalf("%s %s: partial, %q", e.Conn, e.Source, e.Error)
			}
			fr, err := mapihttp.ParseResponseBody(e.RespBody)
			if err != nil || !fr.Done() {
				t.Fatalf("%s %s: response body: %v", e.Conn, e.Source, err)
			}
			if len(e.Chunks) < 2 || !e.Ended.Equal(e.Chunks[len(e.Chunks)-1].At) {
				t.Fatalf("%s %s: timeline %+v", e.Conn, e.Source, e.Chunks)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if st.Exchanges != sum.Exchanges || st.Connections != sum.Connections || len(conns) != sum.Connections {
			t.Fatalf("read %d exchanges on %d connections; generated %+v", st.Exchanges, st.Connections, sum)
		}
		if types["Connect"] == 0 || types["Execute"] < 10*types["Connect"] || len(st.Warnings) != 0 {
			t.Fatalf("request types %v, warnings %q", types, st.Warnings)
		}
	}
}

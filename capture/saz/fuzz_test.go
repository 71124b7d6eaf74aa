package saz

import (
	"archive/zip"
	"bytes"
	"slices"
	"testing"

	"github.com/mapiscope/mapiscope/trace"
)

// FuzzSAZ reads arbitrary bytes as an archive, and arbitrary request,
// response and metadata files as a session: never a panic, and what was
// read can be written and read again.
func FuzzSAZ(f *testing.F) {
	f.Add(fiddlerArchive(f), []byte("GET / HTTP/1.1\r\nHost: h\r\n\r\n"), []byte("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"), []byte(fiddlerMeta))
	f.Add(writeSAZ(f, sampleExchanges()), []byte("POST http://x/ HTTP/1.1\r\nContent-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n"), []byte("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Encoding: gzip, deflate\r\n\r\n\x1f\x8b"), []byte(`<Session BitFlags="zz"><SessionFlags><SessionFlag N="x-mapiscope" V="{&quot;chunks&quot;:[{&quot;o&quot;:5,&quot;n&quot;:-1}]}"/></SessionFlags></Session>`))
	f.Add([]byte("PK\x03\x04"), []byte{}, []byte{}, []byte{})
	f.Fuzz(func(t *testing.T, archive, c, s, m []byte) {
		Read(bytes.NewReader(archive), int64(len(archive)), func(*trace.Exchange) error { return nil })

		var b bytes.Buffer
		zw := zip.NewWriter(&b)
		for _, file := range []struct {
			name string
			data []byte
		}{{"raw/1_c.txt", c}, {"raw/1_s.txt", s}, {"raw/1_m.xml", m}} {
			w, _ := zw.CreateHeader(&zip.FileHeader{Name: file.name, Method: zip.Store})
			w.Write(file.data)
		}
		zw.Close()
		var got []*trace.Exchange
		if _, err := Read(bytes.NewReader(b.Bytes()), int64(b.Len()), func(e *trace.Exchange) error {
			got = append(got, e)
			return nil
		}); err != nil || len(got) != 1 {
			t.Fatalf("session not read: %v", err)
		}
		var w bytes.Buffer
		if err := Write(&w, slices.Values(got)); err != nil {
			t.Fatal(err)
		}
		var again []*trace.Exchange
		if _, err := Read(bytes.NewReader(w.Bytes()), int64(w.Len()), func(e *trace.Exchange) error {
			again = append(again, e)
			return nil
		}); err != nil || len(again) != 1 {
			t.Fatalf("written session not read: %v", err)
		}
		if d := diff(got[0], again[0]); d != nil {
			t.Errorf("write then read changed the exchange: %v", d)
		}
	})
}

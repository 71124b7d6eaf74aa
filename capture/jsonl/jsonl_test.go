package jsonl

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/mapiscope/mapiscope/trace"
)

func TestRoundTrip(t *testing.T) {
	in := sampleExchanges()
	var b bytes.Buffer
	for _, e := range in {
		if err := Write(&b, e); err != nil {
			t.Fatal(err)
		}
	}
	if n := strings.Count(b.String(), "\n"); n != len(in) {
		t.Fatalf("%d lines for %d exchanges", n, len(in))
	}
	data := b.Bytes()
	var out []*trace.Exchange
	if err := Read(bytes.NewReader(data), func(e *trace.Exchange) error { out = append(out, e); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(out) != len(in) {
		t.Fatalf("read %d, wrote %d", len(out), len(in))
	}
	for i := range in {
		if d := diff(in[i], out[i]); d != nil {
			t.Errorf("exchange %d:\n  %s", i+1, strings.Join(d, "\n  "))
		}
		if in[i].Source != out[i].Source {
			t.Errorf("Source %q != %q", in[i].Source, out[i].Source)
		}
	}
	var again bytes.Buffer
	for _, e := range out {
		Write(&again, e)
	}
	if !bytes.Equal(again.Bytes(), data) {
		t.Errorf("second write differs")
	}
	if !strings.Contains(b.String(), `"reqBody":"AAECAwQF`) || !strings.Contains(b.String(), `"started":"2026-03-14T09:26:53.589793238+01:00"`) {
		t.Errorf("unexpected encoding: %.300s", b.String())
	}
}

func TestReadErrors(t *testing.T) {
	var b bytes.Buffer
	Write(&b, sampleExchanges()[0])
	good := b.String()
	for _, tc := range []struct{ name, data, want string }{
		{"not JSON", good + "\nPK\x03\x04\n", "jsonl: line 3: invalid character 'P' looking for beginning of value"},
		{"bad base64", `{"reqBody":"!!"}`, "jsonl: line 1: illegal base64 data at input byte 0"},
		{"truncated", good[:len(good)/2], "jsonl: line 1: unexpected end of JSON input"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := 0
			err := Read(strings.NewReader(tc.data), func(*trace.Exchange) error { n++; return nil })
			if err == nil || err.Error() != tc.want {
				t.Errorf("error %v, want %s", err, tc.want)
			}
		})
	}
	stop := errors.New("stop")
	if err := Read(strings.NewReader(good+good), func(*trace.Exchange) error { return stop }); err != stop {
		t.Errorf("each error: %v", err)
	}
	n := 0
	if err := Read(strings.NewReader("\n\n"+good+"  \n"), func(*trace.Exchange) error { n++; return nil }); err != nil || n != 1 {
		t.Errorf("blank lines: %v, %d", err, n)
	}
}

// TestNotUTF8: strings that are not UTF-8 come back byte for byte.
func TestNotUTF8(t *testing.T) {
	e := sampleExchanges()[0]
	e.URL = "/caf\xe9?x=\xff"
	e.ReqHeader.Set("Content-Disposition", "attachment; filename=\"r\xe9sum\xe9.txt\"")
	e.Error = "bad \x80 byte"
	var b bytes.Buffer
	if err := Write(&b, e); err != nil {
		t.Fatal(err)
	}
	var got *trace.Exchange
	if err := Read(&b, func(x *trace.Exchange) error { got = x; return nil }); err != nil {
		t.Fatal(err)
	}
	if d := diff(e, got); d != nil {
		t.Errorf("%s", strings.Join(d, "\n"))
	}
}

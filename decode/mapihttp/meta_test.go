package mapihttp

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

var doneHeaders = []HeaderLine{
	{Name: "X-ResponseCode", Value: "0"},
	{Name: "X-ElapsedTime", Value: "12"},
	{Name: "X-StartTime", Value: "Mon, 01 Jan 2024 10:00:00 GMT"},
}

func TestBuildAndParse(t *testing.T) {
	body := []byte{0, 0, 0, 0, 0x0d, 0x0a, 0xff, 0x0a} // binary, with CR/LF bytes inside
	b := BuildResponseBody(2, doneHeaders, body)
	want := "PROCESSING\r\nPENDING\r\nPENDING\r\nDONE\r\nX-ResponseCode: 0\r\nX-ElapsedTime: 12\r\nX-StartTime: Mon, 01 Jan 2024 10:00:00 GMT\r\n\r\n"
	if string(b[:len(b)-len(body)]) != want {
		t.Fatalf("built %q", b)
	}
	f, err := ParseResponseBody(b)
	if err != nil || len(f.Anomalies) > 0 {
		t.Fatalf("err %v anomalies %v", err, f.Anomalies)
	}
	wantTags := []TagAt{{Processing, 0}, {Pending, 12}, {Pending, 21}, {Done, 30}}
	if len(f.Tags) != 4 {
		t.Fatalf("tags %+v", f.Tags)
	}
	for i := range wantTags {
		if f.Tags[i] != wantTags[i] {
			t.Errorf("tag %d: %+v want %+v", i, f.Tags[i], wantTags[i])
		}
	}
	if !f.Done() || !f.Complete || f.Pendings() != 2 {
		t.Error("Done/Complete/Pendings")
	}
	if len(f.Headers) != 3 || f.Headers[0].Offset != 36 || f.Headers[1].Name != "X-ElapsedTime" {
		t.Fatalf("headers %+v", f.Headers)
	}
	v := f.View()
	if code, ok := v.Code(); !ok || code != 0 || v.ElapsedTime != "12" || v.StartTime == "" {
		t.Fatalf("view %+v", v)
	}
	if f.BodyOffset != len(want) || !bytes.Equal(f.Body, body) {
		t.Fatalf("body at %d: %x", f.BodyOffset, f.Body)
	}
	if !bytes.Equal(f.Bytes(), b) {
		t.Fatalf("Bytes() %q", f.Bytes())
	}
	if got := DoneHeaders(CodeSuccess, 12, "Mon, 01 Jan 2024 10:00:00 GMT"); len(got) != 3 || got[0].text() != "X-ResponseCode: 0" {
		t.Fatalf("DoneHeaders %+v", got)
	}
}

func TestScannerByteByByte(t *testing.T) {
	body := []byte("\x00\x01PENDING\r\n\x02")
	b := BuildResponseBody(1, doneHeaders, body)
	var s MetaScanner
	var kinds []EventKind
	var got []byte
	tagAt := map[MetaTag][]int{}
	for i := range b {
		for _, e := range s.Feed(b[i : i+1]) {
			kinds = append(kinds, e.Kind)
			switch e.Kind {
			case EventMetaTag:
				// reported as soon as the line's LF arrives
				if i != e.Offset+len(e.Tag)+1 {
					t.Errorf("%s at %d reported at byte %d", e.Tag, e.Offset, i)
				}
				tagAt[e.Tag] = append(tagAt[e.Tag], e.Offset)
			case EventBody:
				got = append(got, e.Data...)
			case EventAnomaly:
				t.Errorf("anomaly %s", e.Reason)
			}
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, body) {
		t.Fatalf("body %q", got)
	}
	if len(tagAt[Processing]) != 1 || len(tagAt[Pending]) != 1 || tagAt[Done][0] != 21 {
		t.Fatalf("tags %v", tagAt)
	}
	wantKinds := []EventKind{EventMetaTag, EventMetaTag, EventMetaTag, EventHeader, EventHeader, EventHeader, EventHeadersEnd}
	if len(kinds) < len(wantKinds) {
		t.Fatalf("kinds %v", kinds)
	}
	for i, k := range wantKinds {
		if kinds[i] != k {
			t.Fatalf("kinds %v", kinds)
		}
	}
	if !s.InBody() || s.BodyOffset() != len(b)-len(body) || len(s.Headers()) != 3 || len(s.Tags()) != 3 {
		t.Fatal("scanner state")
	}
}

func TestScannerChunks(t *testing.T) {
	// The way a server streams: each meta-tag in its own chunk, DONE,
	// headers and body in the last.
	chunks := [][]byte{
		AppendMetaTag(nil, Processing),
		AppendMetaTag(nil, Pending),
		append(AppendDone(nil, doneHeaders[:1]), 1, 2, 3),
	}
	var s MetaScanner
	var tags []MetaTag
	for _, c := range chunks {
		for _, e := range s.Feed(c) {
			if e.Kind == EventMetaTag {
				tags = append(tags, e.Tag)
			}
		}
	}
	if s.Close() != nil || len(tags) != 3 || tags[2] != Done {
		t.Fatalf("tags %v err %v", tags, s.Err())
	}
}

func errorAt(t *testing.T, b []byte, off int, substr string) *Framed {
	t.Helper()
	f, err := ParseResponseBody(b)
	var fe *Error
	if !errors.As(err, &fe) {
		t.Fatalf("%q: error %v", b, err)
	}
	if fe.Offset != off || !strings.Contains(fe.Reason, substr) {
		t.Fatalf("%q: error %v, want %q at %d", b, err, substr, off)
	}
	found := false
	for _, a := range f.Anomalies {
		if a.Offset == off && strings.Contains(a.Reason, substr) {
			found = true
		}
	}
	if !found {
		t.Fatalf("anomalies %v", f.Anomalies)
	}
	return f
}

func TestFramingErrors(t *testing.T) {
	// No DONE.
	f := errorAt(t, []byte("PROCESSING\r\nPENDING\r\n"), 21, "before the DONE")
	if len(f.Tags) != 2 || len(f.Body) != 0 {
		t.Fatalf("%+v", f)
	}
	// A truncated meta-tag at the end becomes the body.
	f = errorAt(t, []byte("PROCESSING\r\nDON"), 12, "before the DONE")
	if string(f.Body) != "DON" {
		t.Fatalf("body %q", f.Body)
	}
	// Binary from the first byte: garbage at 0, everything is body.
	bin := []byte{0, 0, 0, 0, 0x11, 0x22}
	f = errorAt(t, bin, 0, "does not start with the meta-tags")
	if !bytes.Equal(f.Body, bin) || f.BodyOffset != 0 {
		t.Fatalf("body %x at %d", f.Body, f.BodyOffset)
	}
	// Garbage after PROCESSING, detected by its complete line too.
	f = errorAt(t, []byte("PROCESSING\r\nPENDINGX\r\nrest"), 12, "expected a meta-tag line")
	if string(f.Body) != "PENDINGX\r\nrest" || !bytes.Equal(f.Bytes(), []byte("PROCESSING\r\nPENDINGX\r\nrest")) {
		t.Fatalf("body %q", f.Body)
	}
	errorAt(t, []byte("PROCESSING\r\nDONE!\r\n"), 12, "expected a meta-tag line")
	// Headers never end.
	errorAt(t, []byte("PROCESSING\r\nDONE\r\nX-ResponseCode: 0\r\n"), 37, "inside the additional headers")
	// A header line without a colon.
	f = errorAt(t, []byte("PROCESSING\r\nDONE\r\nbogus line\r\n\x00\x01"), 18, "expected an additional header line")
	if string(f.Body) != "bogus line\r\n\x00\x01" {
		t.Fatalf("body %q", f.Body)
	}
	// An empty body is not an error: nothing at all is.
	errorAt(t, nil, 0, "before the DONE")
}

func TestFramingNotes(t *testing.T) {
	// Bare LF line endings and a first tag other than PROCESSING are
	// anomalies, not errors.
	b := []byte("PENDING\nDONE\r\nX-ResponseCode: 6\n\nbody")
	f, err := ParseResponseBody(b)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Anomalies) != 4 {
		t.Fatalf("anomalies %v", f.Anomalies)
	}
	if string(f.Body) != "body" || f.BodyOffset != 33 {
		t.Fatalf("body %q at %d", f.Body, f.BodyOffset)
	}
	if code, _ := f.View().Code(); code != CodeInvalidContextCookie {
		t.Fatal("code")
	}
	// PROCESSING twice.
	f, err = ParseResponseBody([]byte("PROCESSING\r\nPROCESSING\r\nDONE\r\n\r\n"))
	if err != nil || len(f.Anomalies) != 1 || f.Anomalies[0].Offset != 12 {
		t.Fatalf("%v %v", err, f.Anomalies)
	}
}

func TestOverlongHeaderLine(t *testing.T) {
	b := append([]byte("PROCESSING\r\nDONE\r\nX-A: "), bytes.Repeat([]byte("a"), MaxLine+10)...)
	errorAt(t, b, 18, "longer than")
}

// feedSplit feeds b in pieces whose sizes come from b itself.
func feedSplit(b []byte) (*MetaScanner, []byte) {
	var s MetaScanner
	var body []byte
	step := 1
	if len(b) > 0 {
		step = int(b[0])%7 + 1
	}
	for i := 0; i < len(b); i += step {
		end := min(i+step, len(b))
		for _, e := range s.Feed(b[i:end]) {
			if e.Kind == EventBody {
				body = append(body, e.Data...)
			}
		}
	}
	for _, e := range s.Finish() {
		if e.Kind == EventBody {
			body = append(body, e.Data...)
		}
	}
	return &s, body
}

func FuzzResponseMeta(f *testing.F) {
	f.Add(BuildResponseBody(2, doneHeaders, []byte{0, 0, 0, 0, 9}))
	f.Add([]byte("PROCESSING\r\nDONE\r\nX-ResponseCode: 0\r\n\r\n"))
	f.Add([]byte("PROCESSING\r\nPEND"))
	f.Add([]byte{0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		fr, err := ParseResponseBody(b)
		if fr == nil {
			t.Fatal("nil Framed")
		}
		if fr.BodyOffset < 0 || fr.BodyOffset > len(b) || !bytes.Equal(fr.Body, b[fr.BodyOffset:]) {
			t.Fatalf("body offset %d of %d", fr.BodyOffset, len(b))
		}
		if err == nil && len(fr.Anomalies) == 0 && !bytes.Equal(fr.Bytes(), b) {
			t.Fatalf("Bytes() %q, input %q", fr.Bytes(), b)
		}
		// Streaming in pieces gives the same result as one Feed.
		s, body := feedSplit(b)
		if len(s.Tags()) != len(fr.Tags) || len(s.Headers()) != len(fr.Headers) || s.BodyOffset() != fr.BodyOffset {
			t.Fatalf("split: %d tags %d headers body at %d; whole: %d %d %d",
				len(s.Tags()), len(s.Headers()), s.BodyOffset(), len(fr.Tags), len(fr.Headers), fr.BodyOffset)
		}
		if (s.Err() == nil) != (err == nil) {
			t.Fatalf("split err %v, whole err %v", s.Err(), err)
		}
		if !bytes.Equal(body, fr.Body) {
			t.Fatalf("split body %q, whole %q", body, fr.Body)
		}
	})
}

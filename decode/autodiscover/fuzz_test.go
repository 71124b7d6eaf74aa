package autodiscover

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mapiscope/mapiscope/decode/wire"
)

// FuzzParse: Parse and Inspect never panic; a document that parses
// marshals back unchanged, has sane spans, renders as valid JSON, survives
// an identity rewrite unchanged, and a real rewrite leaves a document that
// parses again with the new values in place.
func FuzzParse(f *testing.F) {
	names, _ := filepath.Glob(filepath.Join("testdata", "*.xml"))
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add(BuildRequest(Request{EMailAddress: "a@b.c", LegacyDN: "/o=x"}))
	f.Add(NewMapiHTTPResponse(User{DisplayName: "d"}, "https://a/", "https://b/",
		WithProtocols(Protocol{Type: TypeEXHTTP, Server: "s", EwsUrl: "https://e/"})))
	f.Add(NewErrorResponse(Error{ErrorCode: "500", Time: "1", Id: "2"}))
	f.Add([]byte(`<Autodiscover><Response><Account><Protocol Type="mapiHttp" Version="1"><MailStore><InternalUrl/></MailStore></Protocol><Protocol><Type>EXPR</Type><Server><![CDATA[a<b]]></Server></Protocol></Account></Response></Autodiscover>`))
	f.Add([]byte(`<?xml version="1.0"?><!-- c --><a:Autodiscover xmlns:a="u"><a:Request a:x='1' y="&amp;"><?pi x?></a:Request></a:Autodiscover>`))
	f.Add([]byte("<Autodiscover><Request>"))
	f.Add([]byte(""))
	f.Fuzz(func(t *testing.T, data []byte) {
		tr, _, _ := Inspect(data)
		_ = tr.Text()
		_ = tr.JSON(wire.JSONOptions{Spans: true})
		d, err := Parse(data)
		if err != nil {
			return
		}
		if out, err := d.Marshal(); err != nil || !bytes.Equal(out, data) {
			t.Fatalf("marshal differs (%v)", err)
		}
		d.Root.Walk(func(e *Element) {
			if e.Start < 0 || e.Start >= e.ContentStart || e.ContentStart > e.ContentEnd || e.ContentEnd > e.End || e.End > len(data) ||
				data[e.Start] != '<' || data[e.ContentStart-1] != '>' || data[e.End-1] != '>' {
				t.Fatalf("%s: spans %d %d %d %d", e.Path(), e.Start, e.ContentStart, e.ContentEnd, e.End)
			}
		})
		_ = Check(d)
		js := Tree(d).JSON(wire.JSONOptions{Spans: true})
		if !json.Valid(js) {
			t.Fatalf("invalid JSON: %s", js)
		}
		if n, err := RewriteURLs(d, func(u string) string { return u }); n != 0 || err != nil {
			t.Fatalf("identity rewrite: %d %v", n, err)
		}
		if len(data) > MaxDocumentSize/4 {
			return
		}
		want := map[string]string{}
		d.Root.Walk(func(e *Element) {
			if len(e.Children) == 0 && IsURLElement(e) && e.Value() != "" {
				want[e.Path()] = e.Value() + "/p&<q>"
			}
		})
		if _, err := RewriteURLs(d, func(u string) string { return u + "/p&<q>" }); err != nil {
			t.Fatalf("rewrite: %v", err)
		}
		d.Root.Walk(func(e *Element) {
			if w, ok := want[e.Path()]; ok && len(e.Children) == 0 && IsURLElement(e) && e.Value() != "" && !strings.HasSuffix(e.Value(), "/p&<q>") {
				t.Fatalf("%s: %q, want like %q", e.Path(), e.Value(), w)
			}
		})
		if _, err := Rewrite(d, func(e *Element, v string) (string, bool) { return "z", true }); err != nil {
			t.Fatalf("rewrite all: %v", err)
		}
	})
}

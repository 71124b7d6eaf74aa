package autodiscover

import (
	"bytes"
	"net/url"
	"strings"
	"testing"
)

// toProxy points a URL at the proxy, keeping path and query.
func toProxy(u string) string {
	p, err := url.Parse(u)
	if err != nil || p.Host == "" {
		return "BAD:" + u
	}
	p.Scheme, p.Host = "https", "proxy.example:8443"
	return p.String()
}

// skeleton returns the document with the content of every element pick
// selects cut out, for comparing what must not change.
func skeleton(d *Document, pick func(*Element) bool) []byte {
	raw := d.Bytes()
	var out bytes.Buffer
	last := 0
	d.Root.Walk(func(e *Element) {
		if len(e.Children) == 0 && pick(e) {
			out.Write(raw[last:e.ContentStart])
			out.WriteString("…")
			last = e.ContentEnd
		}
	})
	out.Write(raw[last:])
	return out.Bytes()
}

type changed struct{ path, old, new string }

// values lists the picked elements' values in document order.
func values(d *Document, pick func(*Element) bool) []changed {
	var out []changed
	d.Root.Walk(func(e *Element) {
		if len(e.Children) == 0 && pick(e) {
			out = append(out, changed{path: e.Path(), old: e.Value()})
		}
	})
	return out
}

func TestRewriteURLs(t *testing.T) {
	for name, b := range fixtures(t) {
		orig := mustParse(t, b)
		before := values(orig, func(e *Element) bool { return IsURLElement(e) && e.Value() != "" })
		skel := skeleton(orig, IsURLElement)
		d := mustParse(t, b)
		var seen []string
		n, err := RewriteURLs(d, func(u string) string { seen = append(seen, u); return toProxy(u) })
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if n != len(before) || len(seen) != len(before) {
			t.Errorf("%s: %d changed, %d seen, %d URL elements", name, n, len(seen), len(before))
		}
		after := values(d, func(e *Element) bool { return IsURLElement(e) && e.Value() != "" })
		if len(after) != len(before) {
			t.Fatalf("%s: %d URL elements after", name, len(after))
		}
		for i := range before {
			if after[i].path != before[i].path || after[i].old != toProxy(before[i].old) {
				t.Errorf("%s: %s %q -> %q", name, before[i].path, before[i].old, after[i].old)
			}
		}
		if got := skeleton(d, IsURLElement); !bytes.Equal(got, skel) {
			t.Errorf("%s: bytes outside URL elements changed:\n%s\n---\n%s", name, skel, got)
		}
		if as := Check(d); len(as) != 0 {
			t.Errorf("%s: %v", name, as)
		}
	}
}

func TestRewriteURLsExchange(t *testing.T) {
	b := fixture(t, "exchange.xml")
	d := mustParse(t, b)
	n, err := RewriteURLs(d, toProxy)
	if err != nil {
		t.Fatal(err)
	}
	// 4 mapiHttp, EXCH 8 (ASUrl EwsUrl EmwsUrl EcpUrl OOFUrl UMUrl OABUrl
	// and no SharingUrl), EXPR 3, WEB 2 OWAUrl + 1 nested ASUrl.
	if n != 4+7+3+3 {
		t.Errorf("%d URLs changed", n)
	}
	m := d.Response.MapiHTTP()
	if m.MailStore.InternalUrl != "https://proxy.example:8443/mapi/emsmdb/?MailboxId=0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d@contoso.com" ||
		m.AddressBook.ExternalUrl != "https://proxy.example:8443/mapi/nspi/?MailboxId=0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d@contoso.com" {
		t.Errorf("%+v %+v", m.MailStore, m.AddressBook)
	}
	out, _ := d.Marshal()
	for _, keep := range []string{
		"\xef\xbb\xbf<?xml", "\r\n", "<!-- mapiHttp first, as Exchange 2016 writes it -->",
		"<EcpUrl-um>?path=/options/callanswering</EcpUrl-um>",
		"&amp;exsvurl=1&amp;IsOWA=&lt;IsOWA&gt;",
		"<Server>0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d@contoso.com</Server>",
		"<x:Url>https://mail.contoso.com/future</x:Url>", // unknown element: not a URL element
		"<OWAUrl AuthenticationMethod='Fba'>https://proxy.example:8443/owa/</OWAUrl>",
		"<AD>dc01.corp.contoso.com</AD>",
	} {
		if !bytes.Contains(out, []byte(keep)) {
			t.Errorf("output lacks %q", keep)
		}
	}
	if bytes.Contains(out, []byte("https://ex01.corp.contoso.com")) {
		t.Error("an internal URL survived")
	}
}

func TestRewriteServers(t *testing.T) {
	b := fixture(t, "exchange.xml")
	d := mustParse(t, b)
	skel := skeleton(d, IsServerElement)
	var seen []string
	n, err := RewriteServers(d, func(s string) string { seen = append(seen, s); return "proxy.example" })
	if err != nil {
		t.Fatal(err)
	}
	if n != 3 || strings.Join(seen, ",") != "mail.contoso.com,ex01.corp.contoso.com,mail.contoso.com" {
		t.Errorf("%d %v", n, seen)
	}
	if got := skeleton(d, IsServerElement); !bytes.Equal(got, skel) {
		t.Errorf("bytes outside Server elements changed")
	}
	a := d.Response.Account
	if a.Protocol(TypeEXPR).Server != "proxy.example" || a.Protocol(TypeEXCH).Server != "0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d@contoso.com" {
		t.Errorf("%+v", a)
	}
	for _, p := range a.Protocols {
		if p.Type == TypeEXHTTP && p.Server != "proxy.example" {
			t.Errorf("EXHTTP %q", p.Server)
		}
	}
	out, _ := d.Marshal()
	// The whitespace around the multi-line Server stays.
	if !bytes.Contains(out, []byte("<Server>\r\n          proxy.example\r\n        </Server>")) {
		t.Errorf("whitespace lost:\n%s", out)
	}
	// URLs are not servers.
	if !bytes.Contains(out, []byte("<EwsUrl>https://mail.contoso.com/EWS/Exchange.asmx</EwsUrl>")) {
		t.Error("EwsUrl changed")
	}
	// The settings fixture: EXPR's Server changes, EXCH's does not.
	d = mustParse(t, fixture(t, "settings.xml"))
	if n, _ := RewriteServers(d, strings.ToUpper); n != 1 || d.Response.Account.Protocol(TypeEXPR).Server != "EXCHANGE.CONTOSO.COM" {
		t.Errorf("settings: %d", n)
	}
}

func TestRewriteNoChange(t *testing.T) {
	for name, b := range fixtures(t) {
		d := mustParse(t, b)
		n, err := RewriteURLs(d, func(u string) string { return u })
		m, err2 := RewriteServers(d, func(s string) string { return s })
		out, _ := d.Marshal()
		if n != 0 || m != 0 || err != nil || err2 != nil || !bytes.Equal(out, b) {
			t.Errorf("%s: identity rewrite changed %d/%d (%v %v)", name, n, m, err, err2)
		}
	}
}

func TestRewriteEscaping(t *testing.T) {
	d := mustParse(t, fixture(t, "mapihttp.xml"))
	want := "https://p/?a=1&b=<2>\r\"x\"]]>"
	if _, err := RewriteURLs(d, func(string) string { return want }); err != nil {
		t.Fatal(err)
	}
	if got := d.Response.MapiHTTP().MailStore.InternalUrl; got != want {
		t.Errorf("%q", got)
	}
	out, _ := d.Marshal()
	if !bytes.Contains(out, []byte("https://p/?a=1&amp;b=&lt;2&gt;&#xD;\"x\"]]&gt;")) {
		t.Errorf("escaping:\n%s", out)
	}
	// Characters XML cannot hold become U+FFFD rather than breaking the document.
	if _, err := RewriteURLs(d, func(string) string { return "a\x00b\xffc" }); err != nil {
		t.Fatal(err)
	}
	if got := d.Response.MapiHTTP().MailStore.InternalUrl; got != "a\ufffdb\ufffdc" {
		t.Errorf("%q", got)
	}
}

// Rewrite fills empty elements, self-closing or not, prefixed or not.
func TestRewriteEmptyElements(t *testing.T) {
	src := `<Autodiscover xmlns="` + ResponseSchema + `"><Response xmlns:r="` + OutlookResponseSchema + `"><r:Account>` +
		`<r:Protocol><r:Type>EXPR</r:Type><r:Server/><r:EwsUrl  x="1" /><r:OABUrl></r:OABUrl><r:UMUrl> </r:UMUrl></r:Protocol>` +
		`</r:Account></Response></Autodiscover>`
	d := mustParse(t, []byte(src))
	if n, _ := RewriteURLs(d, toProxy); n != 0 {
		t.Errorf("empty URLs rewritten: %d", n)
	}
	n, err := Rewrite(d, func(e *Element, v string) (string, bool) {
		if e.Is("Type") {
			return "", false
		}
		return "v-" + e.Name.Local, true
	})
	if err != nil || n != 4 {
		t.Fatalf("%d %v", n, err)
	}
	out, _ := d.Marshal()
	want := `<r:Protocol><r:Type>EXPR</r:Type><r:Server>v-Server</r:Server><r:EwsUrl  x="1">v-EwsUrl</r:EwsUrl><r:OABUrl>v-OABUrl</r:OABUrl><r:UMUrl>v-UMUrl</r:UMUrl></r:Protocol>`
	if !bytes.Contains(out, []byte(want)) {
		t.Errorf("got\n%s", out)
	}
	p := d.Response.Account.Protocol(TypeEXPR)
	if p.Server != "v-Server" || p.EwsUrl != "v-EwsUrl" || p.OABUrl != "v-OABUrl" || p.UMUrl != "v-UMUrl" {
		t.Errorf("%+v", p)
	}
}

func TestRewriteErrors(t *testing.T) {
	if _, err := RewriteURLs(nil, toProxy); err == nil {
		t.Error("nil document")
	}
	if _, err := RewriteURLs(&Document{}, toProxy); err == nil {
		t.Error("empty document")
	}
	if _, err := (*Document)(nil).Marshal(); err == nil {
		t.Error("nil marshal")
	}
	// A rewrite that would pass the size limit fails and leaves the
	// document as it was.
	b := fixture(t, "mapihttp.xml")
	d := mustParse(t, b)
	_, err := RewriteURLs(d, func(string) string { return strings.Repeat("x", MaxDocumentSize) })
	if err == nil {
		t.Fatal("oversized rewrite accepted")
	}
	if out, _ := d.Marshal(); !bytes.Equal(out, b) {
		t.Error("failed rewrite changed the document")
	}
}

package autodiscover

import (
	"bytes"
	"errors"
	"fmt"
	"sort"
	"strings"
)

// urlElements are the elements whose text is an absolute URL a client
// connects to. The EcpUrl-* elements are left out: they hold fragments
// appended to EcpUrl, which is rewritten. InternalUrl and ExternalUrl count
// only under MailStore and AddressBook (see IsURLElement).
var urlElements = map[string]bool{
	"asurl": true, "ewsurl": true, "emwsurl": true, "sharingurl": true,
	"ecpurl": true, "oofurl": true, "umurl": true, "oaburl": true,
	"ewspartnerurl": true, "exchangerpcurl": true, "sitemailboxcreationurl": true,
	"owaurl": true, "redirecturl": true,
}

// IsURLElement reports whether e holds a URL RewriteURLs passes to its
// function: the mapiHttp MailStore/AddressBook InternalUrl and ExternalUrl,
// ASUrl, EwsUrl, EmwsUrl, SharingUrl, EcpUrl, OOFUrl, UMUrl, OABUrl,
// EwsPartnerUrl, ExchangeRpcUrl, SiteMailboxCreationURL, OWAUrl and
// RedirectUrl.
func IsURLElement(e *Element) bool {
	if e == nil {
		return false
	}
	if urlElements[strings.ToLower(e.Name.Local)] {
		return true
	}
	if e.Is("InternalUrl") || e.Is("ExternalUrl") {
		return e.Parent.Is("MailStore") || e.Parent.Is("AddressBook")
	}
	return false
}

// ProtocolType returns the type of a Protocol element: its Type attribute,
// or its Type child's text.
func ProtocolType(p *Element) string {
	if v, ok := p.AttrValue("Type"); ok && strings.TrimSpace(v) != "" {
		return strings.TrimSpace(v)
	}
	return p.ChildValue("Type")
}

// IsServerElement reports whether e is the Server element of a Protocol of
// type EXHTTP or EXPR — the RPC/HTTP proxy host name RewriteServers
// changes.
func IsServerElement(e *Element) bool {
	if e == nil || !e.Is("Server") || !e.Parent.Is("Protocol") {
		return false
	}
	t := ProtocolType(e.Parent)
	return strings.EqualFold(t, TypeEXHTTP) || strings.EqualFold(t, TypeEXPR)
}

// RewriteURLs passes the text of every URL element (see IsURLElement) that
// is not empty to f and writes back what f returns. It returns how many
// elements changed. Bytes outside the changed element contents stay as
// they were, whitespace around the URL included.
func RewriteURLs(doc *Document, f func(u string) string) (int, error) {
	return Rewrite(doc, func(e *Element, v string) (string, bool) {
		if v == "" || !IsURLElement(e) {
			return "", false
		}
		return f(v), true
	})
}

// RewriteServers passes the text of every EXHTTP and EXPR Protocol's Server
// element to f and writes back what f returns, like RewriteURLs.
func RewriteServers(doc *Document, f func(name string) string) (int, error) {
	return Rewrite(doc, func(e *Element, v string) (string, bool) {
		if v == "" || !IsServerElement(e) {
			return "", false
		}
		return f(v), true
	})
}

type edit struct {
	start, end int
	text       string
}

// Rewrite offers every element without child elements to f, with its
// trimmed text; when f returns ok and a value different from the text, the
// element's content is replaced with the value (escaped), keeping the
// whitespace that surrounded the old text. An empty element (<X/> or
// <X></X>) gains the value as content. The document is parsed again
// afterwards, so its element tree, offsets and typed view stay right.
// Rewrite returns how many elements changed; on error the document is
// unchanged.
func Rewrite(doc *Document, f func(e *Element, value string) (string, bool)) (int, error) {
	if doc == nil || doc.Root == nil {
		return 0, errors.New("autodiscover: rewrite of an empty document")
	}
	raw := doc.raw
	var edits []edit
	doc.Root.Walk(func(e *Element) {
		if len(e.Children) > 0 {
			return
		}
		old := e.Value()
		nv, ok := f(e, old)
		if !ok || nv == old {
			return
		}
		esc := escapeText(nv)
		if e.SelfClosing {
			tag := bytes.TrimRight(raw[e.Start:e.ContentStart-2], " \t\r\n")
			edits = append(edits, edit{e.Start, e.End,
				string(tag) + ">" + esc + "</" + rawName(tag) + ">"})
			return
		}
		content := raw[e.ContentStart:e.ContentEnd]
		lead := len(content) - len(bytes.TrimLeft(content, " \t\r\n"))
		trail := len(content) - len(bytes.TrimRight(content, " \t\r\n"))
		if lead == len(content) { // empty or whitespace only
			lead, trail = 0, 0
		}
		edits = append(edits, edit{e.ContentStart + lead, e.ContentEnd - trail, esc})
	})
	if len(edits) == 0 {
		return 0, nil
	}
	sort.Slice(edits, func(i, j int) bool { return edits[i].start < edits[j].start })
	var out bytes.Buffer
	last := 0
	for _, ed := range edits {
		out.Write(raw[last:ed.start])
		out.WriteString(ed.text)
		last = ed.end
	}
	out.Write(raw[last:])
	nd, err := parseXML(out.Bytes())
	if err != nil {
		return 0, fmt.Errorf("autodiscover: rewritten document does not parse: %w", err)
	}
	*doc = *nd
	return len(edits), nil
}

// rawName returns the qualified name of a start tag as written ("<a:Foo x=…"
// gives "a:Foo").
func rawName(tag []byte) string {
	tag = bytes.TrimPrefix(tag, []byte("<"))
	if i := bytes.IndexAny(tag, " \t\r\n/>"); i >= 0 {
		tag = tag[:i]
	}
	return string(tag)
}

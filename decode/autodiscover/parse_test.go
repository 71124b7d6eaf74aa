package autodiscover

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustParse(t testing.TB, b []byte) *Document {
	t.Helper()
	d, err := Parse(b)
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	return d
}

func fixtures(t testing.TB) map[string][]byte {
	t.Helper()
	names, err := filepath.Glob(filepath.Join("testdata", "*.xml"))
	if err != nil || len(names) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	out := map[string][]byte{}
	for _, n := range names {
		out[filepath.Base(n)] = fixture(t, filepath.Base(n))
	}
	return out
}

// Every fixture parses, checks clean, marshals back byte for byte, and its
// element spans point at the right bytes.
func TestFixturesRoundTrip(t *testing.T) {
	for name, b := range fixtures(t) {
		d := mustParse(t, b)
		if as := Check(d); len(as) != 0 {
			t.Errorf("%s: anomalies %v", name, as)
		}
		out, err := d.Marshal()
		if err != nil || !bytes.Equal(out, b) {
			t.Errorf("%s: marshal differs (%v)", name, err)
		}
		checkSpans(t, name, d)
	}
}

func checkSpans(t *testing.T, name string, d *Document) {
	t.Helper()
	raw := d.Bytes()
	d.Root.Walk(func(e *Element) {
		start := string(raw[e.Start:e.ContentStart])
		if !strings.HasPrefix(start, "<") || !strings.HasSuffix(start, ">") || !strings.Contains(start, e.Name.Local) {
			t.Errorf("%s: %s start tag %q", name, e.Path(), start)
		}
		if e.SelfClosing {
			if e.ContentEnd != e.ContentStart || e.End != e.ContentStart || !strings.HasSuffix(start, "/>") {
				t.Errorf("%s: %s self-closing spans %d %d %d %d", name, e.Path(), e.Start, e.ContentStart, e.ContentEnd, e.End)
			}
			return
		}
		end := string(raw[e.ContentEnd:e.End])
		if !strings.HasPrefix(end, "</") || !strings.HasSuffix(end, ">") || !strings.Contains(end, e.Name.Local) {
			t.Errorf("%s: %s end tag %q", name, e.Path(), end)
		}
		if len(e.Children) == 0 && !strings.Contains(string(raw[e.ContentStart:e.ContentEnd]), strings.TrimSpace(strings.SplitN(e.Value(), "&", 2)[0])) {
			t.Errorf("%s: %s content %q does not hold %q", name, e.Path(), raw[e.ContentStart:e.ContentEnd], e.Value())
		}
		for _, c := range e.Children {
			if c.Start < e.ContentStart || c.End > e.ContentEnd || c.Parent != e || c.Depth != e.Depth+1 {
				t.Errorf("%s: %s child %s outside parent", name, e.Path(), c.Name.Local)
			}
		}
	})
}

func TestParseRequest(t *testing.T) {
	d := mustParse(t, fixture(t, "request.xml"))
	if d.Kind != KindRequest || d.Response != nil || d.Request == nil {
		t.Fatalf("kind %v", d.Kind)
	}
	r := d.Request
	if r.EMailAddress != "user@contoso.com" || r.LegacyDN != "" || r.AcceptableResponseSchema != OutlookResponseSchema {
		t.Errorf("%+v", r)
	}
	if d.Root.Name.Space != RequestSchema {
		t.Errorf("namespace %q", d.Root.Name.Space)
	}
	d = mustParse(t, fixture(t, "request_legacydn.xml"))
	if d.Request.EMailAddress != "" || !strings.HasSuffix(d.Request.LegacyDN, "/cn=Recipients/cn=user") {
		t.Errorf("%+v", d.Request)
	}
	if s := Summary(d); !strings.HasPrefix(s, "request for /o=contoso") {
		t.Errorf("summary %q", s)
	}
}

// The EXCH / EXPR / WEB example of the POX reference.
func TestParseSettings(t *testing.T) {
	d := mustParse(t, fixture(t, "settings.xml"))
	r := d.Response
	if d.Kind != KindResponse || r == nil || r.Error != nil || r.Namespace != OutlookResponseSchema {
		t.Fatalf("%+v", d)
	}
	if r.User.DisplayName != "First Last" || r.User.DeploymentId != "644560b8-a1ce-429c-8ace-23395843f701" ||
		r.User.AutoDiscoverSMTPAddress != "" {
		t.Errorf("user %+v", r.User)
	}
	a := r.Account
	if a.AccountType != "email" || a.Action != ActionSettings || len(a.Protocols) != 3 {
		t.Fatalf("account %+v", a)
	}
	ex := a.Protocol("exch")
	if ex == nil || ex.Server != "MBX-SERVER.mail.internal.contoso.com" || ex.ServerVersion != "72008287" ||
		!strings.HasSuffix(ex.MdbDN, "/cn=Microsoft Private MDB") || ex.ASUrl != "https://mail.contoso.com/ews/exchange.asmx" ||
		ex.OABUrl != "https://mail.contoso.com/OAB/d29844a9-724e-468c-8820-0f7b345b767b/" || ex.TypeAttr != "" {
		t.Errorf("EXCH %+v", ex)
	}
	if p := a.Protocol(TypeEXPR); p == nil || p.Server != "Exchange.contoso.com" || p.UMUrl == "" {
		t.Errorf("EXPR %+v", p)
	}
	web := a.Protocol(TypeWEB)
	if web == nil || web.Internal == nil || web.External != nil || len(web.Internal.OWAUrls) != 4 {
		t.Fatalf("WEB %+v", web)
	}
	if o := web.Internal.OWAUrls[2]; o.AuthenticationMethod != "Basic" || o.URL != "https://cas-04-server.mail.internal.contoso.com/owa" {
		t.Errorf("OWA %+v", o)
	}
	if r.MapiHTTP() != nil {
		t.Error("no mapiHttp expected")
	}
	if s := Summary(d); s != "settings: EXCH, EXPR, WEB" {
		t.Errorf("summary %q", s)
	}
}

// [MS-OXDSCLI] 4.4 MapiHttp Response.
func TestParseMapiHTTP(t *testing.T) {
	d := mustParse(t, fixture(t, "mapihttp.xml"))
	r := d.Response
	if r.User.AutoDiscoverSMTPAddress != "user@Contoso.com" || r.User.LegacyDN != "/o=microsoft/ou=Contoso/cn=Recipients/cn=486021" {
		t.Errorf("user %+v", r.User)
	}
	m := r.MapiHTTP()
	if m == nil || !m.IsMapiHTTP() || m.TypeAttr != "mapiHttp" || m.Version != "1" || m.VersionNumber() != 1 {
		t.Fatalf("mapiHttp %+v", m)
	}
	if m.MailStore == nil || m.MailStore.InternalUrl != "https://mail.Contoso.com/mapi/emsmdb/?MailboxId=416c6368-656d-794a-6f45-57615272456e@Contoso.com" ||
		m.MailStore.ExternalUrl != "" {
		t.Errorf("MailStore %+v", m.MailStore)
	}
	if m.AddressBook == nil || !strings.Contains(m.AddressBook.InternalUrl, "/mapi/nspi/") {
		t.Errorf("AddressBook %+v", m.AddressBook)
	}
	web := r.Account.Protocol(TypeWEB)
	if web == nil || web.External == nil || len(web.External.Protocols) != 1 || web.External.Protocols[0].Type != TypeEXPR ||
		web.External.Protocols[0].ASUrl != "https://mail.Contoso.com/ews/exchange.asmx" {
		t.Fatalf("WEB %+v", web)
	}
	if len(web.Internal.OWAUrls) != 2 || web.Internal.Protocols[0].Type != TypeEXCH {
		t.Errorf("WEB internal %+v", web.Internal)
	}
	if s := Summary(d); s != "settings: mapiHttp, WEB" {
		t.Errorf("summary %q", s)
	}
}

// A response shaped like what Exchange 2016 sends to Outlook with
// X-MapiHttpCapability and X-ClientCanHandle: BOM, CRLF, a comment, an
// element in an unknown namespace.
func TestParseExchange(t *testing.T) {
	b := fixture(t, "exchange.xml")
	d := mustParse(t, b)
	a := d.Response.Account
	if len(a.Protocols) != 6 || a.MicrosoftOnline != "False" || a.ConsumerMailbox != "False" {
		t.Fatalf("%+v", a)
	}
	m := d.Response.MapiHTTP()
	if m.MailStore.ExternalUrl != "https://mail.contoso.com/mapi/emsmdb/?MailboxId=0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d@contoso.com" ||
		m.AddressBook.InternalUrl != "https://ex01.corp.contoso.com/mapi/nspi/?MailboxId=0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d@contoso.com" {
		t.Errorf("mapiHttp %+v %+v", m.MailStore, m.AddressBook)
	}
	ex := a.Protocol(TypeEXCH)
	if ex.AD != "dc01.corp.contoso.com" || ex.PublicFolderServer != "mail.contoso.com" || ex.EcpUrlUm != "?path=/options/callanswering" ||
		!strings.Contains(ex.EcpUrlMt, "rfr=olk&exsvurl=1&IsOWA=<IsOWA>&") || ex.EcpUrlExtInstall != "?path=/options/manageapps" ||
		ex.ServerExclusiveConnect != "off" || ex.EmwsUrl == "" {
		t.Errorf("EXCH %+v", ex)
	}
	expr := a.Protocol(TypeEXPR)
	if expr.SSL != "On" || expr.AuthPackage != "Ntlm" || expr.CertPrincipalName != "msstd:mail.contoso.com" ||
		expr.GroupingInformation != "Default-First-Site-Name" || expr.EwsPartnerUrl == "" {
		t.Errorf("EXPR %+v", expr)
	}
	var exhttp []*Protocol
	for _, p := range a.Protocols {
		if p.Type == TypeEXHTTP {
			exhttp = append(exhttp, p)
		}
	}
	if len(exhttp) != 2 || exhttp[1].Server != "mail.contoso.com" || exhttp[1].AuthPackage != "Negotiate" {
		t.Errorf("EXHTTP %+v", exhttp)
	}
	if len(a.AlternativeMailboxes) != 1 || a.AlternativeMailboxes[0].Type != "Archive" ||
		a.AlternativeMailboxes[0].OwnerSmtpAddress != "chris@contoso.com" {
		t.Errorf("alternative %+v", a.AlternativeMailboxes)
	}
	if !a.HasPublicFolderInfo || a.PublicFolderSmtpAddress != "pfmbx1@contoso.com" {
		t.Errorf("public folders %q", a.PublicFolderSmtpAddress)
	}
	fut := a.Elem.Child("FutureSetting")
	if fut == nil || fut.Name.Space != "urn:example:future" || fut.ChildValue("Url") != "https://mail.contoso.com/future" {
		t.Errorf("unknown element %+v", fut)
	}
	if v, ok := fut.AttrValue("level"); !ok || v != "2" {
		t.Errorf("unknown attribute %q", v)
	}
}

func TestParseRedirects(t *testing.T) {
	d := mustParse(t, fixture(t, "redirectaddr.xml"))
	a := d.Response.Account
	if a.Action != ActionRedirectAddr || a.RedirectAddr != "user@subdomain.contoso.com" || d.Response.User != nil || len(a.Protocols) != 0 {
		t.Errorf("%+v", a)
	}
	if s := Summary(d); s != "redirectAddr user@subdomain.contoso.com" {
		t.Errorf("summary %q", s)
	}
	d = mustParse(t, fixture(t, "redirecturl.xml"))
	a = d.Response.Account
	if a.Action != ActionRedirectURL || a.RedirectUrl != "https://autodiscover.subdomain.contoso.com/autodiscover/autodiscover.xml" {
		t.Errorf("%+v", a)
	}
}

func TestParseErrors(t *testing.T) {
	d := mustParse(t, fixture(t, "error600.xml"))
	e := d.Response.Error
	if !d.Response.IsError() || e.Code() != ErrorInvalidRequest || e.Message != "Invalid Request" ||
		e.Time != "21:25:04.8897083" || e.Id != "4130155072" || e.DebugData != "" || d.Response.Namespace != ResponseSchema {
		t.Errorf("%+v", e)
	}
	if s := Summary(d); s != "error 600 InvalidRequest" {
		t.Errorf("summary %q", s)
	}
	d = mustParse(t, fixture(t, "error500.xml"))
	if e := d.Response.Error; e.Code() != ErrorEmailNotFound || ErrorCodeName(e.Code()) != "EmailAddressNotFound" ||
		d.Response.Namespace != ResponseSchema { // inherited default namespace
		t.Errorf("%+v ns %q", e, d.Response.Namespace)
	}
	// The Account/Error form of the POX reference.
	d = mustParse(t, []byte(`<Autodiscover xmlns="`+ResponseSchema+`"><Response xmlns="`+OutlookResponseSchema+
		`"><Account><Error Time="1" Id="2"><ErrorCode>603</ErrorCode><Message>m</Message><DebugData>dd</DebugData></Error></Account></Response></Autodiscover>`))
	if e := d.Response.Error; e == nil || e.Code() != ErrorInternal || e.DebugData != "dd" || d.Response.Account.Error != e {
		t.Errorf("%+v", d.Response)
	}
	if as := Check(d); len(as) != 0 {
		t.Errorf("%v", as)
	}
	for code := range 700 {
		name, msg := ErrorCodeName(code), ErrorCodeMessage(code)
		known := code == 500 || code == 501 || (code >= 600 && code <= 603)
		if (name != "") != known || (msg != "") != known {
			t.Errorf("%d: %q %q", code, name, msg)
		}
	}
}

// Names match whatever the case and namespace prefix; unknown elements stay
// in the element tree.
func TestParseLenient(t *testing.T) {
	d := mustParse(t, []byte(`<a:Autodiscover xmlns:a="`+ResponseSchema+`"><b:response xmlns:b="`+OutlookResponseSchema+
		`"><b:ACCOUNT><b:action>settings</b:action><b:Protocol type="MAPIHTTP" version=" 2 "><b:mailstore><b:externalurl> https://x/ </b:externalurl></b:mailstore></b:Protocol><b:Extra/></b:ACCOUNT></b:response></a:Autodiscover>`))
	m := d.Response.MapiHTTP()
	if m == nil || m.VersionNumber() != 2 || m.MailStore.ExternalUrl != "https://x/" {
		t.Fatalf("%+v", d.Response.Account)
	}
	if d.Response.Account.Elem.Child("extra") == nil {
		t.Error("unknown element lost")
	}
}

func TestParseMalformed(t *testing.T) {
	bad := []string{
		"",
		"   \n",
		"not xml",
		"<Autodiscover>",
		"<Autodiscover></Autodiscovery>",
		"<Autodiscover><Response></Autodiscover>",
		"<Autodiscover/><Autodiscover/>",
		"<Autodiscover/>trailing",
		"leading<Autodiscover/>",
		"<Autodiscover a='1' a='2'/>",
		"<Autodiscover>&bogus;</Autodiscover>",
		"<Autodiscover>\xff\xfe</Autodiscover>",
		"<Autodiscover><![CDATA[x</Autodiscover>",
		"<Autodiscover><!DOCTYPE x></Autodiscover>",
		`<?xml version="1.0" encoding="utf-16"?><Autodiscover/>`,
		`<?xml version="1.0" encoding="windows-1252"?><Autodiscover/>`,
		"<Autodiscover><Request><EMailAddress>a</EMailAddress></Request>",
		"</Autodiscover>",
		"<:Autodiscover/>",
	}
	for _, s := range bad {
		if d, err := Parse([]byte(s)); err == nil {
			t.Errorf("%q parsed: %+v", s, d.Root)
		}
	}
	// Every proper prefix of every fixture is malformed (up to the root's
	// end tag), and none panics.
	for name, b := range fixtures(t) {
		d := mustParse(t, b)
		for i := range d.Root.End {
			if len(b) > 2048 && i%7 != 0 && i < d.Root.End-64 {
				continue // the large fixture: a sample of its prefixes
			}
			if _, err := Parse(b[:i]); err == nil {
				t.Errorf("%s: prefix of %d bytes parsed", name, i)
			}
		}
	}
	_, err := Parse([]byte(`<Envelope><Body/></Envelope>`))
	if !errors.Is(err, ErrNotAutodiscover) {
		t.Errorf("wrong root: %v", err)
	}
	_, err = Parse([]byte("<Autodiscover>\n<x></y></Autodiscover>"))
	var se *SyntaxError
	if !errors.As(err, &se) || se.Offset < 15 || se.Offset > 22 {
		t.Errorf("syntax error offset: %v", err)
	}
}

func TestParseLimits(t *testing.T) {
	big := append([]byte("<Autodiscover><Request><EMailAddress>"), bytes.Repeat([]byte("a"), MaxDocumentSize)...)
	big = append(big, "</EMailAddress></Request></Autodiscover>"...)
	_, err := Parse(big)
	if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "limit") {
		t.Errorf("large: %v", err)
	}
	deep := strings.Repeat("<a>", MaxDepth+1) + strings.Repeat("</a>", MaxDepth+1)
	if _, err := Parse([]byte("<Autodiscover>" + deep + "</Autodiscover>")); err == nil || !strings.Contains(err.Error(), "nested") {
		t.Errorf("deep: %v", err)
	}
	ok := strings.Repeat("<a>", MaxDepth-1) + strings.Repeat("</a>", MaxDepth-1)
	if _, err := Parse([]byte("<Autodiscover>" + ok + "</Autodiscover>")); err != nil {
		t.Errorf("depth %d refused: %v", MaxDepth, err)
	}
	many := "<Autodiscover>" + strings.Repeat("<a/>", MaxElements) + "</Autodiscover>"
	if _, err := Parse([]byte(many)); err == nil || !strings.Contains(err.Error(), "elements") {
		t.Errorf("many: %v", err)
	}
}

func TestParseEncodings(t *testing.T) {
	for _, decl := range []string{"", `<?xml version="1.0"?>`, `<?xml version="1.0" encoding="UTF-8"?>`, `<?xml version="1.0" encoding="us-ascii"?>`} {
		for _, bom := range []string{"", "\ufeff"} {
			b := []byte(bom + decl + "\r\n<Autodiscover xmlns='" + RequestSchema + "'><Request><EMailAddress>u@c.com</EMailAddress></Request></Autodiscover>\r\n")
			d, err := Parse(b)
			if err != nil || d.Request.EMailAddress != "u@c.com" {
				t.Errorf("%q %q: %v", bom, decl, err)
			}
		}
	}
}

func TestSmallHelpers(t *testing.T) {
	if KindRequest.String() != "request" || KindResponse.String() != "response" || KindUnknown.String() != "unknown" {
		t.Error("Kind names")
	}
	var attrs strings.Builder
	for i := range 10 {
		attrs.WriteString(" a" + strings.Repeat("x", i) + "=''")
	}
	if _, err := Parse([]byte("<Autodiscover" + attrs.String() + " axxx='1'/>")); err == nil || !strings.Contains(err.Error(), "repeated") {
		t.Errorf("repeated attribute among many: %v", err)
	}
	if _, err := Parse([]byte("<Autodiscover" + attrs.String() + "/>")); err != nil {
		t.Errorf("many attributes: %v", err)
	}
	// Attribute values with quotes, tabs and newlines survive the builder.
	m := "Basic,\t\"Fba\"\n"
	d := mustParse(t, NewMapiHTTPResponse(User{}, "https://a/", "https://b/", WithProtocols(Protocol{Type: TypeWEB,
		External: &WebEndpoints{OWAUrls: []OWAUrl{{AuthenticationMethod: m, URL: "https://o/"}}}})))
	if got := d.Response.Account.Protocol(TypeWEB).External.OWAUrls[0].AuthenticationMethod; got != m {
		t.Errorf("%q", got)
	}
	var nilErr *Error
	var nilResp *Response
	if nilErr.Code() != 0 || (&Error{ErrorCode: "x"}).Code() != 0 || nilResp.MapiHTTP() != nil || nilResp.IsError() {
		t.Error("nil helpers")
	}
	var nilElem *Element
	if nilElem.Path() != "" || nilElem.Child("x") != nil || nilElem.Value() != "" || nilElem.ChildrenNamed("x") != nil {
		t.Error("nil element helpers")
	}
	if _, ok := nilElem.AttrValue("x"); ok {
		t.Error("nil attr")
	}
	nilElem.Walk(func(*Element) { t.Error("walked nil") })
}

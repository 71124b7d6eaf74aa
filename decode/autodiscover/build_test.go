package autodiscover

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestBuildRequest(t *testing.T) {
	b := BuildRequest(Request{EMailAddress: "user@contoso.com"})
	want := `<?xml version="1.0" encoding="utf-8"?>
<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006">
  <Request>
    <EMailAddress>user@contoso.com</EMailAddress>
    <AcceptableResponseSchema>http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a</AcceptableResponseSchema>
  </Request>
</Autodiscover>
`
	if string(b) != want {
		t.Errorf("got\n%s", b)
	}
	d := mustParse(t, BuildRequest(Request{EMailAddress: "a&b@c.com", LegacyDN: "/o=x/cn=<y>"}))
	if d.Request.EMailAddress != "a&b@c.com" || d.Request.LegacyDN != "/o=x/cn=<y>" || d.Request.AcceptableResponseSchema != OutlookResponseSchema {
		t.Errorf("%+v", d.Request)
	}
	if as := Check(d); len(as) != 0 {
		t.Errorf("%v", as)
	}
	// Same content as the reference request.
	ref := mustParse(t, fixture(t, "request.xml")).Request
	got := mustParse(t, BuildRequest(Request{EMailAddress: ref.EMailAddress})).Request
	if got.EMailAddress != ref.EMailAddress || got.AcceptableResponseSchema != ref.AcceptableResponseSchema {
		t.Errorf("%+v vs %+v", got, ref)
	}
}

func TestNewMapiHTTPResponse(t *testing.T) {
	user := User{DisplayName: "Chris", LegacyDN: "/o=mapiscope/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn=chris",
		AutoDiscoverSMTPAddress: "chris@contoso.com", DeploymentId: "00000000-0000-0000-0000-000000000001"}
	ms := "https://127.0.0.1:8443/mapi/emsmdb/?MailboxId=chris@contoso.com"
	ab := "https://127.0.0.1:8443/mapi/nspi/?MailboxId=chris@contoso.com"
	b := NewMapiHTTPResponse(user, ms, ab)
	want := `<?xml version="1.0" encoding="utf-8"?>
<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006">
  <Response xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a">
    <User>
      <DisplayName>Chris</DisplayName>
      <LegacyDN>/o=mapiscope/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn=chris</LegacyDN>
      <AutoDiscoverSMTPAddress>chris@contoso.com</AutoDiscoverSMTPAddress>
      <DeploymentId>00000000-0000-0000-0000-000000000001</DeploymentId>
    </User>
    <Account>
      <AccountType>email</AccountType>
      <Action>settings</Action>
      <MicrosoftOnline>False</MicrosoftOnline>
      <Protocol Type="mapiHttp" Version="1">
        <MailStore>
          <InternalUrl>https://127.0.0.1:8443/mapi/emsmdb/?MailboxId=chris@contoso.com</InternalUrl>
          <ExternalUrl>https://127.0.0.1:8443/mapi/emsmdb/?MailboxId=chris@contoso.com</ExternalUrl>
        </MailStore>
        <AddressBook>
          <InternalUrl>https://127.0.0.1:8443/mapi/nspi/?MailboxId=chris@contoso.com</InternalUrl>
          <ExternalUrl>https://127.0.0.1:8443/mapi/nspi/?MailboxId=chris@contoso.com</ExternalUrl>
        </AddressBook>
      </Protocol>
    </Account>
  </Response>
</Autodiscover>
`
	if string(b) != want {
		t.Errorf("got\n%s", b)
	}
	d := mustParse(t, b)
	if as := Check(d); len(as) != 0 {
		t.Errorf("%v", as)
	}
	r := d.Response
	if *r.User != (User{DisplayName: user.DisplayName, LegacyDN: user.LegacyDN, AutoDiscoverSMTPAddress: user.AutoDiscoverSMTPAddress,
		DeploymentId: user.DeploymentId, Elem: r.User.Elem}) {
		t.Errorf("%+v", r.User)
	}
	m := r.MapiHTTP()
	if m.VersionNumber() != 1 || m.MailStore.InternalUrl != ms || m.MailStore.ExternalUrl != ms || m.AddressBook.ExternalUrl != ab {
		t.Errorf("%+v", m)
	}
	if as := CheckExchange(Headers{HasMapiHttpCapability: true, MapiHttpCapability: 1}, d); len(as) != 0 {
		t.Errorf("%v", as)
	}

	// Options: external URLs, version, extra protocols.
	web := Protocol{Type: TypeWEB,
		Internal: &WebEndpoints{OWAUrls: []OWAUrl{{AuthenticationMethod: "Basic, Fba", URL: "https://p/owa/"}},
			Protocols: []*Protocol{{Type: TypeEXCH, ASUrl: "https://p/EWS/Exchange.asmx"}}},
		External: &WebEndpoints{OWAUrls: []OWAUrl{{URL: "https://q/owa/"}}}}
	expr := Protocol{Type: TypeEXPR, Server: "p.example", SSL: "On", AuthPackage: "Basic", EwsUrl: "https://p/EWS/Exchange.asmx",
		EcpUrl: "https://p/owa/", EcpUrlUm: "?path=/options/callanswering"}
	b = NewMapiHTTPResponse(User{DisplayName: "A & B"}, ms, ab, WithExternalURLs("https://ext/ms", ""), WithVersion(2),
		WithMicrosoftOnline(""), WithProtocols(web, expr))
	d = mustParse(t, b)
	if as := Check(d); len(as) != 0 {
		t.Errorf("%v\n%s", as, b)
	}
	r = d.Response
	m = r.MapiHTTP()
	if r.User.DisplayName != "A & B" || r.Account.MicrosoftOnline != "" || m.Version != "2" ||
		m.MailStore.ExternalUrl != "https://ext/ms" || m.AddressBook.ExternalUrl != "" || m.AddressBook.InternalUrl != ab {
		t.Errorf("%+v %+v %+v", r.User, m.MailStore, m.AddressBook)
	}
	if len(r.Account.Protocols) != 3 {
		t.Fatalf("%d protocols", len(r.Account.Protocols))
	}
	w := r.Account.Protocol(TypeWEB)
	if w.Internal.OWAUrls[0] != web.Internal.OWAUrls[0] || w.Internal.Protocols[0].ASUrl != "https://p/EWS/Exchange.asmx" ||
		w.External.OWAUrls[0].URL != "https://q/owa/" || w.External.OWAUrls[0].AuthenticationMethod != "" {
		t.Errorf("%+v", w)
	}
	e := r.Account.Protocol(TypeEXPR)
	if e.Server != "p.example" || e.SSL != "On" || e.EcpUrlUm != expr.EcpUrlUm || e.EwsUrl != expr.EwsUrl {
		t.Errorf("%+v", e)
	}
	if as := CheckExchange(Headers{HasMapiHttpCapability: true, MapiHttpCapability: 1}, d); len(as) != 1 || !strings.Contains(as[0].Reason, "Version 2") {
		t.Errorf("%v", as)
	}
	if !bytes.Contains(b, []byte(`<DisplayName>A &amp; B</DisplayName>`)) {
		t.Errorf("escaping:\n%s", b)
	}
}

// Every Protocol field the builder knows round-trips through Parse.
func TestBuildProtocolFields(t *testing.T) {
	var p Protocol
	p.Type = TypeEXHTTP
	for _, f := range protocolFields {
		*f.f(&p) = "v-" + f.name
	}
	d := mustParse(t, NewMapiHTTPResponse(User{}, "https://a/", "https://b/", WithProtocols(p)))
	got := d.Response.Account.Protocol(TypeEXHTTP)
	for _, f := range protocolFields {
		if v := *f.f(got); v != "v-"+f.name {
			t.Errorf("%s: %q", f.name, v)
		}
		if got.Elem.Child(f.name) == nil {
			t.Errorf("%s: no element", f.name)
		}
	}
}

// The builders reproduce the specification's examples byte for byte.
func TestBuildMatchesExamples(t *testing.T) {
	if got := NewRedirectAddrResponse("user@subdomain.contoso.com"); !bytes.Equal(got, fixture(t, "redirectaddr.xml")) {
		t.Errorf("redirectAddr:\n%s", got)
	}
	got := NewRedirectURLResponse("https://autodiscover.subdomain.contoso.com/autodiscover/autodiscover.xml")
	if !bytes.Equal(got, fixture(t, "redirecturl.xml")) {
		t.Errorf("redirectUrl:\n%s", got)
	}
	got = NewErrorResponse(Error{Time: "21:25:04.8897083", Id: "4130155072", ErrorCode: "600"})
	if !bytes.Equal(got, fixture(t, "error600.xml")) {
		t.Errorf("error:\n%s", got)
	}
}

func TestNewNotFoundResponse(t *testing.T) {
	at := time.Date(2025, 3, 4, 9, 14, 31, 42634100, time.FixedZone("x", 3600))
	if s := FormatErrorTime(at); s != "08:14:31.0426341" {
		t.Errorf("time %q", s)
	}
	d := mustParse(t, NewNotFoundResponse(at, "2871254381"))
	e := d.Response.Error
	if e.Code() != ErrorEmailNotFound || e.Message != "The email address can't be found." || e.Time != "08:14:31.0426341" ||
		e.Id != "2871254381" || e.DebugData != "" || d.Response.Namespace != ResponseSchema {
		t.Errorf("%+v", e)
	}
	if as := Check(d); len(as) != 0 {
		t.Errorf("%v", as)
	}
	// Same structure as the error response Exchange sends.
	ref := mustParse(t, fixture(t, "error500.xml")).Response.Error
	if ref.Code() != e.Code() || ref.Message != e.Message {
		t.Errorf("%+v vs %+v", e, ref)
	}
	// No Time or Id: the attributes are left out.
	b := NewErrorResponse(Error{ErrorCode: "603", Message: "boom", DebugData: "trace"})
	if !bytes.Contains(b, []byte("<Error>\n")) || !bytes.Contains(b, []byte("<DebugData>trace</DebugData>")) {
		t.Errorf("%s", b)
	}
}

package autodiscover

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/mapiscope/mapiscope/decode/wire"
)

func TestTreeMapiHTTP(t *testing.T) {
	b := fixture(t, "mapihttp.xml")
	d := mustParse(t, b)
	tr := Tree(d)
	if tr.Name != "Autodiscover" || tr.Off != 0 || tr.Len != len(b) || tr.Sym != "settings: mapiHttp, WEB" {
		t.Errorf("root %+v", tr)
	}
	var v map[string]any
	js := tr.JSON(wire.JSONOptions{})
	if err := json.Unmarshal(js, &v); err != nil {
		t.Fatalf("%v\n%s", err, js)
	}
	resp := v["Response"].(map[string]any)
	if resp["@xmlns"] != OutlookResponseSchema {
		t.Errorf("%v", resp["@xmlns"])
	}
	protos := resp["Account"].(map[string]any)["Protocol"].([]any)
	if len(protos) != 2 {
		t.Fatalf("%d protocols", len(protos))
	}
	mapi := protos[0].(map[string]any)
	if mapi["@Type"] != "mapiHttp" || mapi["@Version"] != "1" ||
		mapi["MailStore"].(map[string]any)["InternalUrl"] != "https://mail.Contoso.com/mapi/emsmdb/?MailboxId=416c6368-656d-794a-6f45-57615272456e@Contoso.com" {
		t.Errorf("%v", mapi)
	}
	web := protos[1].(map[string]any)
	owa := web["Internal"].(map[string]any)["OWAUrl"].([]any)
	if len(owa) != 2 || owa[1].(map[string]any)["@AuthenticationMethod"] != "Basic, Fba" || owa[1].(map[string]any)["#text"] != "https://mail.Contoso.com/owa" {
		t.Errorf("%v", owa)
	}
	if web["External"].(map[string]any)["Protocol"].(map[string]any)["Type"] != "EXPR" {
		t.Errorf("%v", web["External"])
	}

	// Offsets: every node's bytes hold what it shows.
	tr.Walk(func(path string, n *wire.Node) {
		if n.Off < 0 || n.Off+n.Len > len(b) {
			t.Errorf("%s: span %d+%d", path, n.Off, n.Len)
			return
		}
		span := string(b[n.Off : n.Off+n.Len])
		switch {
		case path == "":
		case strings.HasSuffix(path, "#text"):
			if !strings.Contains(span, n.Value.(string)) {
				t.Errorf("%s: %q not in %q", path, n.Value, span)
			}
		case strings.Contains(path[strings.LastIndex(path, ".")+1:], "@"):
			name := n.Name[1:]
			if !strings.HasPrefix(span, name+"=") || !strings.Contains(span, n.Value.(string)) {
				t.Errorf("%s: attribute span %q", path, span)
			}
		case n.Kind == wire.KindArray:
			if !strings.HasPrefix(span, "<"+n.Name) || !strings.HasSuffix(span, "</"+n.Name+">") {
				t.Errorf("%s: array span %q", path, span)
			}
		default:
			if !strings.HasPrefix(span, "<"+n.Name) || !strings.HasSuffix(span, ">") {
				t.Errorf("%s: element span %q", path, span)
			}
			if s, ok := n.Value.(string); ok && !strings.Contains(span, s) {
				t.Errorf("%s: %q not in %q", path, s, span)
			}
		}
	})
	// Find: a byte inside a URL selects the URL's leaf.
	i := bytes.Index(b, []byte("/mapi/nspi/"))
	if n := tr.Find(i); n == nil || n.Name != "InternalUrl" || !strings.Contains(n.Value.(string), "/mapi/nspi/") {
		t.Errorf("find %+v", n)
	}
	i = bytes.Index(b, []byte(`Version="1"`))
	if n := tr.Find(i); n == nil || n.Name != "@Version" {
		t.Errorf("find %+v", n)
	}
	text := tr.Text()
	for _, want := range []string{"Autodiscover (settings: mapiHttp, WEB)  @0+", "Protocol [2]", "[0] Protocol (mapiHttp)", `@Type: "mapiHttp"`, `#text: "https://mail.Contoso.com/owa"`} {
		if !strings.Contains(text, want) {
			t.Errorf("text lacks %q:\n%s", want, text)
		}
	}
}

func TestTreeError(t *testing.T) {
	d := mustParse(t, fixture(t, "error600.xml"))
	tr := Tree(d)
	var v map[string]any
	if err := json.Unmarshal(tr.JSON(wire.JSONOptions{Spans: true}), &v); err != nil {
		t.Fatal(err)
	}
	code := v["Response"].(map[string]any)["Error"].(map[string]any)["ErrorCode"].(map[string]any)
	if code["value"] != 600.0 || code["name"] != "InvalidRequest" {
		t.Errorf("%v", code)
	}
	if !strings.Contains(tr.Text(), "Error (InvalidRequest)") || !strings.Contains(tr.Text(), "ErrorCode: 600 (InvalidRequest)") {
		t.Errorf("%s", tr.Text())
	}
	if tr.Sym != "error 600 InvalidRequest" {
		t.Errorf("%q", tr.Sym)
	}
}

func TestTreeAllFixtures(t *testing.T) {
	for name, b := range fixtures(t) {
		tr, d, as := Inspect(b)
		if d == nil || len(as) != 0 || tr.Len != len(b) {
			t.Errorf("%s: %v", name, as)
		}
		var v any
		if err := json.Unmarshal(tr.JSON(wire.JSONOptions{Spans: true, Indent: "  "}), &v); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		if tr.Text() == "" {
			t.Errorf("%s: no text", name)
		}
	}
}

func TestInspect(t *testing.T) {
	tr, d, as := Inspect([]byte("<Autodiscover><Request>"))
	if d != nil || len(as) != 1 || tr == nil || tr.Len != 23 || !strings.Contains(as[0].Reason, "offset") {
		t.Errorf("%+v %v", tr, as)
	}
	big := bytes.Repeat([]byte(" "), MaxDocumentSize+1)
	if _, _, as := Inspect(big); len(as) != 1 || as[0].Raw != nil || !strings.Contains(as[0].Reason, "too large") {
		t.Errorf("%v", as)
	}
	tr, d, as = Inspect([]byte(`<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>x</s:Body></s:Envelope>`))
	if d == nil || len(as) != 1 || !strings.Contains(as[0].Reason, "not <Autodiscover>") || tr.Name != "Envelope" || tr.Child("Body").Value != "x" {
		t.Errorf("%+v %v", tr, as)
	}
	if Tree(nil).Name != "Autodiscover" || Summary(nil) != "" || Check(nil) != nil {
		t.Error("nil document")
	}
}

func TestCheck(t *testing.T) {
	cases := map[string]string{
		`<Autodiscover xmlns="` + RequestSchema + `"><Request><AcceptableResponseSchema>` + OutlookResponseSchema + `</AcceptableResponseSchema></Request></Autodiscover>`:                                                                                              "neither EMailAddress nor LegacyDN",
		`<Autodiscover xmlns="` + RequestSchema + `"><Request><EMailAddress>a</EMailAddress></Request></Autodiscover>`:                                                                                                                                                  "no AcceptableResponseSchema",
		`<Autodiscover xmlns="` + RequestSchema + `"><Request><EMailAddress>a</EMailAddress><AcceptableResponseSchema>` + MobileSyncResponseSchema + `</AcceptableResponseSchema></Request></Autodiscover>`:                                                             "not the Outlook 2006a schema",
		`<Autodiscover xmlns="urn:x"><Request><EMailAddress>a</EMailAddress><AcceptableResponseSchema>` + OutlookResponseSchema + `</AcceptableResponseSchema></Request></Autodiscover>`:                                                                                "request namespace",
		`<Autodiscover xmlns="` + ResponseSchema + `"><Response xmlns="` + OutlookResponseSchema + `"><Account><Action>redirectAddr</Action></Account></Response></Autodiscover>`:                                                                                       "without RedirectAddr",
		`<Autodiscover xmlns="` + ResponseSchema + `"><Response xmlns="` + OutlookResponseSchema + `"><Account><Action>redirectUrl</Action></Account></Response></Autodiscover>`:                                                                                        "without RedirectUrl",
		`<Autodiscover xmlns="` + ResponseSchema + `"><Response xmlns="` + OutlookResponseSchema + `"><Account><Action>settings</Action></Account></Response></Autodiscover>`:                                                                                           "without a Protocol",
		`<Autodiscover xmlns="` + ResponseSchema + `"><Response xmlns="` + OutlookResponseSchema + `"><Account><Action>jump</Action></Account></Response></Autodiscover>`:                                                                                               "unknown Action",
		`<Autodiscover xmlns="` + ResponseSchema + `"><Response xmlns="` + OutlookResponseSchema + `"><Account><Action>settings</Action><Protocol Type="mapiHttp"><MailStore><InternalUrl>u</InternalUrl></MailStore></Protocol></Account></Response></Autodiscover>`:   "Version",
		`<Autodiscover xmlns="` + ResponseSchema + `"><Response xmlns="` + OutlookResponseSchema + `"><Account><Action>settings</Action><Protocol Type="mapiHttp" Version="1"><AddressBook/></Protocol></Account></Response></Autodiscover>`:                            "without MailStore",
		`<Autodiscover xmlns="` + ResponseSchema + `"><Response xmlns="` + OutlookResponseSchema + `"><Account><Action>settings</Action><Protocol><Server>s</Server></Protocol></Account></Response></Autodiscover>`:                                                    "Protocol without Type",
		`<Autodiscover xmlns="` + ResponseSchema + `"><Response xmlns="` + OutlookResponseSchema + `"><Account><Action>settings</Action><Protocol><Type>EXPR</Type></Protocol><PublicFolderInformation/><PublicFolderInformation/></Account></Response></Autodiscover>`: "PublicFolderInformation elements",
		`<Autodiscover xmlns="` + ResponseSchema + `"><Response><Error><ErrorCode>42</ErrorCode></Error></Response></Autodiscover>`:                                                                                                                                     "unknown ErrorCode",
		`<Autodiscover xmlns="` + ResponseSchema + `"><Response><Error><Message>m</Message></Error></Response></Autodiscover>`:                                                                                                                                          "without ErrorCode",
		`<Autodiscover xmlns="` + ResponseSchema + `"><Response/></Autodiscover>`:                                                                                                                                                                                       "neither Account nor Error",
		`<Autodiscover xmlns="` + ResponseSchema + `"><Response xmlns="` + MobileSyncResponseSchema + `"><Culture>en:us</Culture></Response></Autodiscover>`:                                                                                                            "ActiveSync",
		`<Autodiscover xmlns="` + ResponseSchema + `"/>`: "neither Request nor Response",
		`<Autodiscover xmlns="` + RequestSchema + `"><Request><EMailAddress>a</EMailAddress><AcceptableResponseSchema>` + OutlookResponseSchema + `</AcceptableResponseSchema></Request><Request/></Autodiscover>`: "2 Request elements",
	}
	for src, want := range cases {
		d := mustParse(t, []byte(src))
		as := Check(d)
		found := false
		for _, a := range as {
			if strings.Contains(a.Reason, want) {
				found = true
				if a.Path == "" || a.Offset < 0 || a.Offset >= len(src) {
					t.Errorf("%q: anomaly position %+v", want, a)
				}
			}
		}
		if !found {
			t.Errorf("%q not among %v", want, as)
		}
	}
}

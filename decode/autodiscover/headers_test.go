package autodiscover

import (
	"net/http"
	"reflect"
	"testing"
)

func TestParseHeaders(t *testing.T) {
	h := http.Header{}
	h.Set("x-mapihttpcapability", " 1 ")
	h.Add("X-ClientCanHandle", "Negotiate, ExHttpInfo")
	h.Add("X-ClientCanHandle", " ,foo,, ")
	h.Set("X-AnchorMailbox", " chris@contoso.com ")
	got := ParseHeaders(h)
	want := Headers{MapiHttpCapability: 1, MapiHttpCapabilityRaw: "1", HasMapiHttpCapability: true,
		ClientCanHandle: []string{"Negotiate", "ExHttpInfo", "foo"}, AnchorMailbox: "chris@contoso.com"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%+v", got)
	}
	if !got.Has("exhttpinfo") || !got.Has(CanHandleNegotiate) || got.Has("Nego") {
		t.Error("Has")
	}
	if !CanHandle(h, "NEGOTIATE") || CanHandle(h, "bar") {
		t.Error("CanHandle")
	}
	if v, ok := MapiHttpCapability(h); !ok || v != 1 {
		t.Errorf("%d %v", v, ok)
	}
	if AnchorMailbox(h) != "chris@contoso.com" {
		t.Error("anchor")
	}

	empty := ParseHeaders(http.Header{})
	if empty.HasMapiHttpCapability || empty.MapiHttpCapability != 0 || empty.ClientCanHandle != nil || empty.AnchorMailbox != "" {
		t.Errorf("%+v", empty)
	}
	if _, ok := MapiHttpCapability(http.Header{}); ok {
		t.Error("absent header accepted")
	}
	for _, v := range []string{"", "0", "-1", "one", "1.0", "99999999999999999999"} {
		if n, ok := ParseMapiHttpCapability(v); ok || n != 0 {
			t.Errorf("%q -> %d %v", v, n, ok)
		}
	}
	bad := ParseHeaders(http.Header{"X-Mapihttpcapability": {"yes"}})
	if !bad.HasMapiHttpCapability || bad.MapiHttpCapability != 0 || bad.MapiHttpCapabilityRaw != "yes" {
		t.Errorf("%+v", bad)
	}
	if n, ok := ParseMapiHttpCapability("2"); !ok || n != 2 {
		t.Error("2")
	}
}

func TestCheckExchange(t *testing.T) {
	d := mustParse(t, fixture(t, "exchange.xml"))
	full := Headers{HasMapiHttpCapability: true, MapiHttpCapability: 1, ClientCanHandle: []string{"Negotiate", "ExHttpInfo"}}
	if as := CheckExchange(full, d); len(as) != 0 {
		t.Errorf("%v", as)
	}
	as := CheckExchange(Headers{}, d)
	if len(as) != 3 { // mapiHttp unasked, two EXHTTP without ExHttpInfo
		t.Errorf("%v", as)
	}
	if CheckExchange(Headers{}, nil) != nil || CheckExchange(Headers{}, mustParse(t, fixture(t, "request.xml"))) != nil {
		t.Error("no response, no anomalies")
	}
}

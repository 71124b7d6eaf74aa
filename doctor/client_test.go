package doctor

import (
	"net/http"
	"testing"

	"github.com/mapiscope/mapiscope/internal/mapitest"
	"github.com/mapiscope/mapiscope/trace"
)

func connectAs(t *testing.T, app string) *trace.Exchange {
	t.Helper()
	cv := mapitest.NewConversation()
	cv.ClientApp = app
	ex, err := cv.Connect()
	if err != nil {
		t.Fatal(err)
	}
	return ex
}

func TestUnsupportedClient(t *testing.T) {
	mac := connectAs(t, "MacOutlook/16.89.24091630 (Intelx64 Mac OS X 14.6.1 (Build 23G93))")
	f := want(t, check(t, newTrace(t, mac), "unsupported-client"), Error)
	if f.Title != "Outlook for Mac" {
		t.Errorf("title %q", f.Title)
	}

	ua := http.Header{}
	ua.Set("User-Agent", "Microsoft Office/14.0 (Windows NT 6.1; Microsoft Outlook 14.0.7113; Pro)")
	old := httpExchange("POST", "mail.example.test", "/autodiscover/autodiscover.xml", ua, nil, 401, nil, nil)
	f = want(t, check(t, newTrace(t, old, old), "unsupported-client"), Error)
	if f.Title != "Outlook 2010 (older than Outlook 2013)" || f.Evidence[0].Note == "" {
		t.Errorf("finding %s", dump([]Finding{f}))
	}

	want(t, check(t, newTrace(t, connectAs(t, "Outlook/15.0.5023.1000")), "unsupported-client"), Info)
}

func TestSupportedClient(t *testing.T) {
	none(t, check(t, newTrace(t, connectAs(t, "Outlook/16.0.17928.20114")), "unsupported-client"))
	none(t, check(t, realTrace(t), "unsupported-client"))
	for _, s := range []string{"Outlook/16.0.17928.20114", "Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17928; Pro)"} {
		if k, m := clientKind(s); k != "windows" || m != 16 {
			t.Errorf("%q: %s %d", s, k, m)
		}
	}
	if k, _ := clientKind("mapiscope/dev"); k != "" {
		t.Errorf("mapiscope/dev is %q", k)
	}
}

package doctor

import (
	"net/http"
	"strings"
	"testing"

	"github.com/mapiscope/mapiscope/internal/mapitest"
	"github.com/mapiscope/mapiscope/trace"
)

// onPremSession is Autodiscover on the on-premise server answered with
// settings, then a Connect to its MAPI endpoint.
func onPremSession(t *testing.T) []*trace.Exchange {
	t.Helper()
	cv := mapitest.NewConversation()
	connect, err := cv.Connect()
	if err != nil {
		t.Fatal(err)
	}
	return []*trace.Exchange{adPost("mail.example.test", alice, "Basic [redacted]", 200, nil, adSettings("mail.example.test", alice)), connect}
}

func TestAutodiscoverO365(t *testing.T) {
	exs := []*trace.Exchange{
		adPost("autodiscover-s.outlook.com", alice, "", 401, nil, nil),
		httpExchange("GET", "outlook.office365.com", "https://outlook.office365.com/autodiscover/autodiscover.json/v1.0/"+alice+"?Protocol=AutodiscoverV1",
			nil, nil, 200, nil, []byte(`{"Protocol":"AutodiscoverV1","Url":"https://autodiscover-s.outlook.com/autodiscover/autodiscover.xml"}`)),
		httpExchange("CONNECT", "login.microsoftonline.com:443", "login.microsoftonline.com:443", nil, nil, 403, nil, nil),
	}
	tr := newTrace(t, append(exs, onPremSession(t)...)...)
	f := want(t, check(t, tr, "autodiscover-hosts"), Warning)
	evidenceExists(t, tr, f)
	if len(f.Evidence) != 3 {
		t.Errorf("%d evidence, want 3: %s", len(f.Evidence), dump([]Finding{f}))
	}
	for _, s := range []string{"ExcludeExplicitO365Endpoint=1", "DisableAutoDiscoverV2Service=1", "mapiscope outlook-reg"} {
		if !strings.Contains(f.Fix, s) {
			t.Errorf("fix lacks %q: %s", s, f.Fix)
		}
	}
	if !strings.Contains(f.Title, "login.microsoftonline.com") {
		t.Errorf("title %q", f.Title)
	}
}

func TestAutodiscoverOtherHosts(t *testing.T) {
	exs := []*trace.Exchange{
		adPost("example.test", alice, "", 404, nil, []byte("<html>not found</html>")),
		adPost("dc01.corp.example.test", alice, "", 0, nil, nil),
		// autodiscover.<domain> is where the guide keeps Outlook looking.
		adPost("autodiscover.example.test", alice, "", 302, http.Header{"Location": {"https://mail.example.test/autodiscover/autodiscover.xml"}}, nil),
	}
	exs[1].Error = "connection refused"
	tr := newTrace(t, append(exs, onPremSession(t)...)...)
	f := want(t, check(t, tr, "autodiscover-hosts"), Warning)
	evidenceExists(t, tr, f)
	if len(f.Evidence) != 2 || !strings.Contains(f.Fix, "ExcludeHttpsRootDomain=1") || !strings.Contains(f.Explanation, "mail.example.test") {
		t.Errorf("finding: %s", dump([]Finding{f}))
	}
}

func TestAutodiscoverOnPremOnly(t *testing.T) {
	exs := []*trace.Exchange{
		adPost("autodiscover.example.test", alice, "", 302, http.Header{"Location": {"https://mail.example.test/autodiscover/autodiscover.xml"}}, nil),
		// A second Autodiscover server that answers with settings is on-premise too.
		adPost("ad2.example.test", alice, "", 200, nil, adSettings("mail.example.test", alice)),
	}
	none(t, check(t, newTrace(t, append(exs, onPremSession(t)...)...), "autodiscover-hosts"))
	none(t, check(t, realTrace(t), "autodiscover-hosts"))
	// Without any on-premise server known, other hosts are not judged.
	none(t, check(t, newTrace(t, adPost("example.test", alice, "", 404, nil, nil)), "autodiscover-hosts"))
}

// Office telemetry and licensing hosts are not Autodiscover lookups.
func TestAutodiscoverTelemetryIgnored(t *testing.T) {
	exs := []*trace.Exchange{
		httpExchange("CONNECT", "nexus.officeapps.live.com:443", "nexus.officeapps.live.com:443", nil, nil, 200, nil, nil),
		httpExchange("POST", "ecs.office.com", "https://ecs.office.com/config/v1/Outlook/16.0.17928", nil, nil, 200, nil, nil),
	}
	none(t, check(t, newTrace(t, append(exs, onPremSession(t)...)...), "autodiscover-hosts"))
}

package doctor

import (
	"net/http"
	"strings"
	"testing"

	"github.com/mapiscope/mapiscope/decode/rop"
	"github.com/mapiscope/mapiscope/internal/mapitest"
	"github.com/mapiscope/mapiscope/trace"
)

// mapiFailure is an Execute answered with X-ResponseCode code (and an
// HTML body, as servers send with a nonzero code) or an HTTP error.
func mapiFailure(status int, code string) *trace.Exchange {
	req := http.Header{}
	req.Set("X-RequestType", "Execute")
	req.Set("Content-Type", "application/mapi-http")
	resp := http.Header{}
	resp.Set("Content-Type", "text/html")
	if code != "" {
		resp.Set("X-ResponseCode", code)
	}
	b := &mapitest.Batch{Requests: []rop.Request{&rop.ReleaseRequest{RequestHeader: mapitest.Req(0x01, 0, 0)}}, ReqHandles: []uint32{0x100}}
	body, _, _ := b.Bodies()
	return httpExchange("POST", "mail.example.test", "/mapi/emsmdb/?MailboxId=x@example.test", req, body, status, resp, []byte("<html>error</html>"))
}

func TestResponseCode(t *testing.T) {
	tr := newTrace(t, mapiFailure(200, "10"), mapiFailure(200, "10"), mapiFailure(200, "9"), mapiFailure(503, ""))
	fs := check(t, tr, "response-code")
	if len(fs) != 3 {
		t.Fatalf("%d findings: %s", len(fs), dump(fs))
	}
	// Worst first: the 9 (Too Large) and the 503 are errors, the lost
	// context a warning.
	if fs[0].Severity != Error || fs[1].Severity != Error || fs[2].Severity != Warning {
		t.Errorf("severities: %s", dump(fs))
	}
	if !strings.Contains(fs[0].Title, "9 (Too Large)") || !strings.Contains(fs[0].Fix, "client_max_body_size") {
		t.Errorf("first: %s", dump(fs[:1]))
	}
	if !strings.Contains(fs[1].Title, "HTTP 503") || len(fs[2].Evidence) != 2 || !strings.Contains(fs[2].Title, "Context Not Found") {
		t.Errorf("findings: %s", dump(fs))
	}
	for _, f := range fs {
		evidenceExists(t, tr, f)
	}
}

func TestResponseCodeClean(t *testing.T) {
	exs, err := mapitest.SampleSession(mapitest.NewConversation())
	if err != nil {
		t.Fatal(err)
	}
	none(t, check(t, newTrace(t, exs...), "response-code"))
	none(t, check(t, realTrace(t), "response-code"))
	// A 5xx elsewhere (a web site) is not a MAPI failure.
	none(t, check(t, newTrace(t, httpExchange("GET", "www.example.test", "/", nil, nil, 502, nil, nil)), "response-code"))
}

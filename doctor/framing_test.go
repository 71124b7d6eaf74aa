package doctor

import (
	"testing"

	"github.com/mapiscope/mapiscope/decode/mapihttp"
	"github.com/mapiscope/mapiscope/internal/mapitest"
	"github.com/mapiscope/mapiscope/trace"
)

// framed builds a Connect whose response body is body as given.
func framed(t *testing.T, body []byte, contentType string) *trace.Exchange {
	t.Helper()
	ex, err := mapitest.NewConversation().Connect()
	if err != nil {
		t.Fatal(err)
	}
	ex.RespBody, ex.Chunks = body, nil
	ex.RespHeader.Set("Content-Type", contentType)
	return ex
}

func TestFraming(t *testing.T) {
	resp, _ := mapihttp.Encode(nil, &mapihttp.ConnectResponse{PollsMax: 60000})
	done := mapihttp.AppendDone(nil, mapihttp.DoneHeaders(0, 5, ""))
	noProcessing := framed(t, append(append([]byte(nil), done...), resp...), mapihttp.ContentType)
	noDone := framed(t, mapihttp.AppendMetaTag(mapihttp.AppendMetaTag(nil, mapihttp.Processing), mapihttp.Pending), mapihttp.ContentType)
	login := framed(t, []byte("<html><form>Sign in</form></html>"), "text/html; charset=utf-8")
	tr := newTraceAnomalous(t, noProcessing, noDone, login, login)
	fs := check(t, tr, "framing")
	if len(fs) != 3 {
		t.Fatalf("%d findings: %s", len(fs), dump(fs))
	}
	if fs[0].Severity != Error || len(fs[0].Evidence) != 2 || fs[1].Severity != Error || len(fs[1].Evidence) != 1 ||
		fs[2].Severity != Warning || len(fs[2].Evidence) != 1 {
		t.Errorf("findings: %s", dump(fs))
	}
	for _, f := range fs {
		evidenceExists(t, tr, f)
	}
}

func TestFramingClean(t *testing.T) {
	exs, err := mapitest.SampleSession(mapitest.NewConversation())
	if err != nil {
		t.Fatal(err)
	}
	none(t, check(t, newTrace(t, exs...), "framing"))
	none(t, check(t, realTrace(t), "framing"))
}

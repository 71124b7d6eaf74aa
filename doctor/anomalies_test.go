package doctor

import (
	"strings"
	"testing"

	"github.com/mapiscope/mapiscope/decode/mapihttp"
	"github.com/mapiscope/mapiscope/internal/mapitest"
)

func TestAnomalies(t *testing.T) {
	// A Connect response with bytes after its body.
	cv := mapitest.NewConversation()
	req, _ := mapihttp.Encode(nil, &mapihttp.ConnectRequest{UserDn: "/o=x/cn=alice", DefaultCodePage: 1252})
	resp, _ := mapihttp.Encode(nil, &mapihttp.ConnectResponse{PollsMax: 60000})
	bad := cv.Exchange("emsmdb", "Connect", req, append(resp, 1, 2, 3), 0)
	tr := newTraceAnomalous(t, bad)
	f := want(t, check(t, tr, "anomalies"), Warning)
	evidenceExists(t, tr, f)
	if !strings.Contains(f.Evidence[0].Note, "response") {
		t.Errorf("note %q", f.Evidence[0].Note)
	}
}

func TestAnomaliesClean(t *testing.T) {
	exs, err := mapitest.SampleSession(mapitest.NewConversation())
	if err != nil {
		t.Fatal(err)
	}
	none(t, check(t, newTrace(t, exs...), "anomalies"))
	none(t, check(t, realTrace(t), "anomalies"))
}

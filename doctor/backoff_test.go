package doctor

import (
	"strings"
	"testing"

	"github.com/mapiscope/mapiscope/decode/prop"
	"github.com/mapiscope/mapiscope/decode/rop"
	"github.com/mapiscope/mapiscope/internal/mapitest"
)

// busyBatch asks for the display name on the logon and gets ecServerBusy
// and a RopBackoff.
func busyBatch() *mapitest.Batch {
	get := &rop.GetPropertiesSpecificRequest{RequestHeader: mapitest.Req(0x07, 0, 0), PropertyTags: []prop.Tag{0x3001001F}}
	return &mapitest.Batch{Requests: []rop.Request{get}, ReqHandles: []uint32{0x100},
		Responses: []rop.Response{
			&rop.GetPropertiesSpecificResponse{ResponseHeader: mapitest.Fail(0x07, 0, 0x480)},
			&rop.BackoffResponse{RopId: 0xF9, Duration: 5000, BackoffRopData: []rop.BackoffRop{{RopIdBackoff: 0x07, Duration: 5000}}},
		},
		Pair:        []int{0, -1},
		RespHandles: []uint32{0x100}}
}

func TestBackoffStorm(t *testing.T) {
	tr := newTrace(t, session(t, mapitest.NewConversation(), logonBatch(0, aliceDN, 0x2100040C, logonOK(0)),
		busyBatch(), busyBatch(), busyBatch())...)
	f := want(t, check(t, tr, "backoff-storm"), Warning)
	evidenceExists(t, tr, f)
	if len(f.Evidence) != 6 {
		t.Errorf("%d evidence: %s", len(f.Evidence), dump([]Finding{f}))
	}
	found := false
	for _, e := range f.Evidence {
		if strings.HasPrefix(e.Note, "RopBackoff: wait 5s") && e.Rop != 0 {
			found = true
		}
	}
	if !found {
		t.Errorf("no RopBackoff evidence: %s", dump([]Finding{f}))
	}
}

func TestBackoffOnce(t *testing.T) {
	tr := newTrace(t, session(t, mapitest.NewConversation(), logonBatch(0, aliceDN, 0x2100040C, logonOK(0)), busyBatch())...)
	none(t, check(t, tr, "backoff-storm"))
	none(t, check(t, realTrace(t), "backoff-storm"))
}

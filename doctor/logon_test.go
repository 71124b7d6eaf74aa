package doctor

import (
	"strings"
	"testing"

	"github.com/mapiscope/mapiscope/decode/prop"
	"github.com/mapiscope/mapiscope/decode/rop"
	"github.com/mapiscope/mapiscope/internal/mapitest"
	"github.com/mapiscope/mapiscope/trace"
)

const (
	aliceDN = "/o=example/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn=alice"
	bobDN   = "/o=example/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn=bob"
)

// logonBatch is one RopLogon (LogonId id) to essdn, answered with resp.
func logonBatch(id uint8, essdn string, openFlags uint32, resp rop.Response) *mapitest.Batch {
	req := &rop.LogonRequest{RequestHeader: mapitest.Req(0xFE, id, 0), LogonFlags: 0x01, OpenFlags: openFlags, Essdn: essdn}
	h := uint32(mapitest.None)
	if lr, ok := resp.(*rop.LogonResponse); ok && lr.ReturnValue == 0 {
		h = 0x100 + uint32(id)
	}
	return &mapitest.Batch{Requests: []rop.Request{req}, ReqHandles: []uint32{mapitest.None}, Responses: []rop.Response{resp}, RespHandles: []uint32{h}}
}

func logonOK(id uint8) *rop.LogonResponse {
	lr := &rop.LogonResponse{ResponseHeader: mapitest.OK(0xFE, 0), LogonFlags: 0x01, ResponseFlags: 0x01, ReplId: 1}
	for i := range lr.FolderIds {
		lr.FolderIds[i] = prop.MakeID(1, uint64(0x1230+i))
	}
	lr.LogonTime = rop.LogonTime{Seconds: 5, Hour: 9, DayOfWeek: 6, Day: 28, Month: 11, Year: 2026}
	return lr
}

// session builds Connect and the Executes of batches in one conversation.
func session(t *testing.T, cv *mapitest.Conversation, batches ...*mapitest.Batch) []*trace.Exchange {
	t.Helper()
	c, err := cv.Connect()
	if err != nil {
		t.Fatal(err)
	}
	out := []*trace.Exchange{c}
	for _, b := range batches {
		ex, err := cv.Execute(b)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, ex)
	}
	return out
}

func TestLogonFailed(t *testing.T) {
	wrong := &rop.LogonResponse{ResponseHeader: mapitest.Fail(0xFE, 0, 0x478), LogonFlags: 0x01, ServerName: "mbx2.example.test"}
	exs := session(t, mapitest.NewConversation(),
		logonBatch(0, aliceDN, 0x2100040C, logonOK(0)),
		logonBatch(1, bobDN, 0x01000000, &rop.LogonResponse{ResponseHeader: mapitest.Fail(0xFE, 0, 0x3F2)}),
		logonBatch(1, bobDN, 0x01000000, &rop.LogonResponse{ResponseHeader: mapitest.Fail(0xFE, 0, 0x3F2)}),
		logonBatch(2, "/o=example/cn=Recipients/cn=shared", 0x01000000, wrong),
	)
	tr := newTrace(t, exs...)
	fs := check(t, tr, "logon-failed")
	if len(fs) != 2 {
		t.Fatalf("%d findings: %s", len(fs), dump(fs))
	}
	for _, f := range fs {
		evidenceExists(t, tr, f)
		if f.Severity != Warning || f.Evidence[0].Rop == 0 {
			t.Errorf("finding: %s", dump([]Finding{f}))
		}
	}
	if !strings.Contains(fs[0].Title, "ecLoginPerm") || len(fs[0].Evidence) != 2 || !strings.Contains(fs[0].Title, "cn=bob") {
		t.Errorf("first: %s", dump(fs[:1]))
	}
	if !strings.Contains(fs[1].Evidence[0].Note, "mbx2.example.test") || !strings.Contains(fs[1].Explanation, "mbx2.example.test") {
		t.Errorf("second: %s", dump(fs[1:]))
	}

	// The user's own mailbox refused: an error.
	tr = newTrace(t, session(t, mapitest.NewConversation(),
		logonBatch(0, aliceDN, 0x2100040C, &rop.LogonResponse{ResponseHeader: mapitest.Fail(0xFE, 0, 0x3EB)}))...)
	f := want(t, check(t, tr, "logon-failed"), Error)
	if !strings.Contains(f.Title, "own mailbox") || !strings.Contains(f.Fix, "new profile") {
		t.Errorf("finding: %s", dump([]Finding{f}))
	}
}

func TestLogonOK(t *testing.T) {
	exs := session(t, mapitest.NewConversation(), logonBatch(0, aliceDN, 0x2100040C, logonOK(0)), logonBatch(1, bobDN, 0x01000000, logonOK(1)))
	none(t, check(t, newTrace(t, exs...), "logon-failed"))
	none(t, check(t, realTrace(t), "logon-failed"))
}

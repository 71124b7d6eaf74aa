package doctor

import (
	"strings"
	"testing"

	"github.com/mapiscope/mapiscope/decode/mapihttp"
	"github.com/mapiscope/mapiscope/internal/mapitest"
	"github.com/mapiscope/mapiscope/trace"
)

// connectDN builds a Connect of a conversation as userDN.
func connectDN(t *testing.T, cv *mapitest.Conversation, userDN string) *trace.Exchange {
	t.Helper()
	req, err := mapihttp.Encode(nil, &mapihttp.ConnectRequest{UserDn: userDN, DefaultCodePage: 1252, LcidSort: 1033, LcidString: 1033})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := mapihttp.Encode(nil, &mapihttp.ConnectResponse{PollsMax: 60000, RetryCount: 6, RetryDelay: 10000, DisplayName: "x"})
	if err != nil {
		t.Fatal(err)
	}
	return cv.Exchange("emsmdb", "Connect", req, resp, 0)
}

func TestMultipleAccounts(t *testing.T) {
	a := mapitest.NewConversation()
	b := mapitest.NewConversation()
	b.Mailbox, b.User, b.Client = "0c1d2e3f-0000-4000-8000-000000000002@example.test", "bob@example.test", "192.0.2.10:50124"
	tr := newTrace(t, connectDN(t, a, aliceDN), connectDN(t, b, bobDN))
	f := want(t, check(t, tr, "multiple-accounts"), Warning)
	evidenceExists(t, tr, f)
	if len(f.Evidence) != 2 || !strings.Contains(f.Title, "cn=bob") || !strings.Contains(f.Fix, "new Outlook profile") {
		t.Errorf("finding: %s", dump([]Finding{f}))
	}
}

func TestOneAccount(t *testing.T) {
	// Two mailbox sessions of alice (her mailbox and an archive: two
	// MailboxIds), and bob's mailbox opened as a delegate: one account.
	a := mapitest.NewConversation()
	exs := session(t, a, logonBatch(0, aliceDN, 0x2100040C, logonOK(0)), logonBatch(1, bobDN, 0x01000000, logonOK(1)))
	arch := mapitest.NewConversation()
	arch.Mailbox, arch.Client = "9a9a9a9a-0000-4000-8000-000000000003@example.test", "192.0.2.10:50125"
	exs = append(exs, connectDN(t, arch, aliceDN))
	tr := newTrace(t, exs...)
	f := want(t, check(t, tr, "multiple-accounts"), Info)
	evidenceExists(t, tr, f)
	if !strings.Contains(f.Evidence[0].Note, "cn=bob") || f.Evidence[0].Rop == 0 {
		t.Errorf("finding: %s", dump([]Finding{f}))
	}
	none(t, check(t, realTrace(t), "multiple-accounts"))
}

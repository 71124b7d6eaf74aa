package doctor

import (
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mapiscope/mapiscope/client"
)

// TestAuthRejectedReal: the scripted client, given a wrong password, is
// refused twice by the built-in server through the proxy.
func TestAuthRejectedReal(t *testing.T) {
	path := filepath.Join(t.TempDir(), "wrong.trace")
	if err := recordScenario(path, 2, client.Config{Email: alice, Password: "wrong"}); err == nil {
		t.Fatal("the scenario with a wrong password succeeded")
	}
	tr := openTrace(t, path)
	f := want(t, check(t, tr, "auth-rejected"), Warning)
	evidenceExists(t, tr, f)
	if len(f.Evidence) != 2 || !strings.Contains(f.Title, alice) {
		t.Errorf("finding: %s", dump([]Finding{f}))
	}
	for _, s := range []string{"MicrosoftOffice16_Data:SSPI:" + alice, "`127.0.0.1`", "cmdkey"} {
		if !strings.Contains(f.Fix, s) {
			t.Errorf("fix does not name %q: %s", s, f.Fix)
		}
	}
	// One refusal alone is only info.
	path1 := filepath.Join(t.TempDir(), "once.trace")
	recordScenario(path1, 1, client.Config{Email: alice, Password: "wrong"})
	want(t, check(t, openTrace(t, path1), "auth-rejected"), Info)
}

// TestAuthHandshakeNotRejected: the 401s of an NTLM handshake (no
// credentials, then a challenge with a token) are not refusals.
func TestAuthHandshakeNotRejected(t *testing.T) {
	ntlm := func(v string) http.Header { h := http.Header{}; h.Set("WWW-Authenticate", v); return h }
	tr := newTrace(t,
		adPost("mail.example.test", alice, "", 401, ntlm("NTLM"), nil),
		adPost("mail.example.test", alice, "NTLM [redacted]", 401, ntlm("NTLM TlRMTVNTUAACAAAADAAMADgAAAA="), nil),
		adPost("mail.example.test", alice, "NTLM [redacted]", 200, nil, adSettings("mail.example.test", alice)),
		adPost("mail.example.test", alice, "", 401, ntlm("Negotiate"), nil),
	)
	none(t, check(t, tr, "auth-rejected"))
	none(t, check(t, realTrace(t), "auth-rejected"))

	// The same handshake where the token is refused: a bare challenge
	// after credentials.
	tr = newTrace(t,
		adPost("mail.example.test", alice, "Negotiate [redacted]", 401, ntlm("Negotiate"), nil),
		adPost("mail.example.test", alice, "Negotiate [redacted]", 401, ntlm("Negotiate"), nil),
	)
	want(t, check(t, tr, "auth-rejected"), Warning)
}

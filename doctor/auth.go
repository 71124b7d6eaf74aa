package doctor

import (
	"fmt"
	"net/url"
	"sort"
	"strings"
)

// authRejected finds credentials the server refused, per user: the
// BlueMind guide's "account creation fails because of a wrong saved
// password". Outlook keeps the password it was given in the Windows
// Credential Manager and sends it again and again; each try is a 401.
//
// A 401 is a refusal only when the request carried credentials and the
// server did not go on with a handshake: a 401 to a request without
// Authorization is the normal challenge, and a 401 whose WWW-Authenticate
// carries an NTLM or Negotiate token is the second leg of that handshake
// (RFC 4559, [MS-NTHT] 2.2). A Basic 401 after Basic credentials, or a bare
// "NTLM"/"Negotiate" challenge after a token, means "start again": the
// credentials were wrong.
type authRejected struct{}

func init() { register(authRejected{}) }

func (authRejected) ID() string { return "auth-rejected" }
func (authRejected) Title() string {
	return "Repeated 401s: a wrong password saved in Windows Credential Manager"
}

// rejectedThreshold is how many refusals for one user make a warning (one
// alone is reported as info: a mistyped password happens).
const rejectedThreshold = 2

func (r authRejected) Check(c *Context) []Finding {
	type group struct {
		user  string
		hosts map[string]bool
		ev    []Evidence
	}
	groups := map[string]*group{}
	var order []string
	for _, e := range c.Exchanges() {
		if e.Status != 401 || e.Endpoint == "other" || !credentialsRefused(e) {
			continue
		}
		user := c.userOf(e)
		g := groups[user]
		if g == nil {
			g = &group{user: user, hosts: map[string]bool{}}
			groups[user] = g
			order = append(order, user)
		}
		if h := e.Hostname(); h != "" {
			g.hosts[h] = true
		}
		scheme, _, _ := strings.Cut(strings.TrimSpace(e.ReqHeader.Get("Authorization")), " ")
		g.ev = append(g.ev, e.Evidence(fmt.Sprintf("401 on %s %s after %s credentials", e.Endpoint, e.Path(), scheme)))
	}
	var out []Finding
	for _, user := range order {
		g := groups[user]
		sev := Warning
		if len(g.ev) < rejectedThreshold {
			sev = Info
		}
		hosts := make([]string, 0, len(g.hosts))
		for h := range g.hosts {
			hosts = append(hosts, h)
		}
		sort.Strings(hosts)
		who := user
		if who == "" {
			who = "an unidentified user"
		}
		out = append(out, Finding{
			Severity: sev,
			Title:    fmt.Sprintf("%s of %s refused with 401 (wrong credentials)", nof(len(g.ev), "request"), who),
			Evidence: g.ev,
			Explanation: "The server refused the credentials these requests carried. When it happens again and again for " +
				"the same user, Outlook is sending a password saved in the Windows Credential Manager at an earlier " +
				"attempt: typing the right one in the prompt does not help, account creation keeps saying the " +
				"password is wrong, and the server's access log shows 401 on /autodiscover/autodiscover.xml and " +
				"/mapi/nspi for that user.",
			Fix: credentialFix(user, hosts),
		})
	}
	return out
}

// credentialsRefused reports a 401 that answers credentials (see
// authRejected).
func credentialsRefused(e *Exchange) bool {
	auth := strings.TrimSpace(e.ReqHeader.Get("Authorization"))
	if auth == "" {
		return false
	}
	scheme, _, _ := strings.Cut(auth, " ")
	if strings.EqualFold(scheme, "Basic") {
		return true
	}
	for _, v := range e.RespHeader.Values("Www-Authenticate") {
		s, token, _ := strings.Cut(strings.TrimSpace(v), " ")
		if (strings.EqualFold(s, "NTLM") || strings.EqualFold(s, "Negotiate")) && strings.TrimSpace(token) != "" {
			return false // a handshake going on
		}
	}
	return true
}

// userOf names who made a request: the Autodiscover address, the
// X-AnchorMailbox, the session's user, or the MailboxId.
func (c *Context) userOf(e *Exchange) string {
	if e.Endpoint == "autodiscover" {
		for _, a := range c.Autodiscovers() {
			if a.ID == e.ID && a.EMailAddress != "" {
				return strings.ToLower(a.EMailAddress)
			}
		}
	}
	if v := strings.TrimSpace(e.ReqHeader.Get("X-AnchorMailbox")); v != "" {
		return strings.ToLower(v)
	}
	if s := c.Session(e.Session); s != nil && s.User != "" {
		return strings.ToLower(s.User)
	}
	if u, err := url.Parse(e.URL); err == nil {
		for k, v := range u.Query() {
			if strings.EqualFold(k, "MailboxId") && len(v) > 0 {
				return strings.ToLower(v[0])
			}
		}
	}
	return ""
}

func credentialFix(user string, hosts []string) string {
	var b strings.Builder
	b.WriteString("Close Outlook (and the account creation window). Open the Credential Manager (Windows+R, " +
		"`control /name Microsoft.CredentialManager`, or `cmdkey /list` in a command prompt) and delete, under " +
		"Windows Credentials and Generic Credentials, the entries ")
	if user != "" && strings.Contains(user, "@") {
		fmt.Fprintf(&b, "`MicrosoftOffice16_Data:SSPI:%s` (MicrosoftOffice15_… for Outlook 2013; "+
			"older Outlook names it `MicrosoftOffice16_SSPI:%s`)", user, user)
	} else {
		b.WriteString("`MicrosoftOffice16_Data:SSPI:<address>` (MicrosoftOffice15_… for Outlook 2013)")
	}
	if len(hosts) > 0 {
		b.WriteString(" and those named after the server: ")
		for i, h := range hosts {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("`" + h + "`")
		}
	}
	b.WriteString(" (`cmdkey /delete:TARGET` does it from a prompt). Start Outlook again and type the " +
		"password when asked.")
	return b.String()
}

package doctor

import (
	"fmt"
	"strings"

	"github.com/mapiscope/mapiscope/decode/mapihttp"
	"github.com/mapiscope/mapiscope/decode/rop"
)

// multipleAccounts finds more than one Exchange account in the traffic of
// one Outlook: mailbox sessions connected as different users (the UserDn
// of Connect, [MS-OXCMAPIHTTP] 2.2.4.1.1), or home logons to different
// mailboxes. The BlueMind guide requires a new profile holding only the
// BlueMind account. Other mailboxes opened through the account (shared
// or delegated ones, a logon without HOME_LOGON) are reported as info.
//
// Outlook opens one mailbox session per mailbox, each with its own
// MailboxId, all connected as the same user: several MailboxIds alone are
// not several accounts.
type multipleAccounts struct{}

func init() { register(multipleAccounts{}) }

func (multipleAccounts) ID() string { return "multiple-accounts" }
func (multipleAccounts) Title() string {
	return "More than one Exchange account in the same Outlook profile"
}

func (multipleAccounts) Check(c *Context) []Finding {
	type account struct {
		name string
		ev   Evidence
	}
	var byDN, byHome []account
	seenDN, seenHome := map[string]bool{}, map[string]bool{}
	for _, e := range c.Exchanges() {
		if e.Endpoint != "emsmdb" || e.Type() != mapihttp.TypeConnect {
			continue
		}
		req, _ := c.Bodies(e.ID)
		var cr mapihttp.ConnectRequest
		if mapihttp.Decode(&cr, req, 0, false).Failed() || cr.UserDn == "" {
			continue
		}
		k := strings.ToLower(cr.UserDn)
		if !seenDN[k] {
			seenDN[k] = true
			byDN = append(byDN, account{cr.UserDn, e.Evidence("Connect as " + cr.UserDn)})
		}
	}
	var others []Evidence
	otherDNs := map[string]bool{}
	for _, r := range c.Rops() {
		req, ok := r.Request.(*rop.LogonRequest)
		if !ok || req.LogonFlags&logonPrivate == 0 || req.Essdn == "" {
			continue
		}
		if rv, ok := r.ReturnValue(); !ok || rv != 0 {
			continue
		}
		k := strings.ToLower(req.Essdn)
		if req.OpenFlags&openHomeLogon != 0 {
			if !seenHome[k] {
				seenHome[k] = true
				byHome = append(byHome, account{req.Essdn, r.Evidence("home logon to " + req.Essdn)})
			}
			continue
		}
		if !otherDNs[k] {
			otherDNs[k] = true
			others = append(others, r.Evidence("logon to "+req.Essdn))
		}
	}
	accounts := byDN
	if len(byHome) > len(accounts) {
		accounts = byHome
	}
	var out []Finding
	if len(accounts) > 1 {
		var names []string
		var ev []Evidence
		for _, a := range accounts {
			names = append(names, a.name)
			ev = append(ev, a.ev)
		}
		out = append(out, Finding{
			Severity: Warning,
			Title:    fmt.Sprintf("%d Exchange accounts in the same traffic: %s", len(accounts), strings.Join(names, ", ")),
			Evidence: ev,
			Explanation: "Outlook connected to the mail server as more than one user: the profile holds several " +
				"Exchange accounts, or the BlueMind account was added to a profile that already had one. BlueMind " +
				"requires a new profile with the BlueMind account alone; mixed profiles misbehave in ways that are " +
				"hard to trace (folders, rules and free/busy of the wrong account).",
			Fix: "Create a new Outlook profile (Control Panel > Mail > Show Profiles > Add) holding only this account, " +
				"and make it the default. To keep users from adding more: the Group Policy MaxNumExchange=1, or " +
				"DisableMultipleExchange=1 under the Cached Mode policy key (`mapiscope outlook-reg --cached-mode` " +
				"writes it).",
		})
	}
	if len(others) > 0 {
		out = append(out, Finding{
			Severity: Info,
			Title:    nof(len(others), "other mailbox") + " opened through the account",
			Evidence: others,
			Explanation: "Besides its own mailbox, Outlook opened these mailboxes (shared, delegated, or added in the " +
				"account's Advanced settings). That is supported; it matters when their folders misbehave, since " +
				"they are synchronised with the rights of this user.",
			Fix: "Nothing to do unless those mailboxes misbehave; then check the user's rights on them on the server.",
		})
	}
	return out
}

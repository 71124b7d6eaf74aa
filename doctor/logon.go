package doctor

import (
	"fmt"
	"strings"

	"github.com/mapiscope/mapiscope/decode/prop"
	"github.com/mapiscope/mapiscope/decode/rop"
)

// logonFailed finds RopLogon requests the server refused — [MS-OXCSTOR]
// 3.2.5.1: opening a shared mailbox or another user's without the right
// (ecLoginPerm), a mailbox that lives on another server (ecWrongServer,
// the response names it), an ESSDN the server does not know
// (ecUnknownUser). The user's own mailbox (OpenFlags HOME_LOGON) failing
// is an error: Outlook cannot start.
type logonFailed struct{}

func init() { register(logonFailed{}) }

func (logonFailed) ID() string { return "logon-failed" }
func (logonFailed) Title() string {
	return "RopLogon to a mailbox refused (ecLoginPerm, ecWrongServer, …)"
}

// RopLogon OpenFlags and LogonFlags — [MS-OXCSTOR] 2.2.1.1.1.
const (
	openHomeLogon = 0x00000004
	logonPrivate  = 0x01
)

const (
	ecUnknownUser  prop.ErrorCode = 0x000003EB
	ecLoginPerm    prop.ErrorCode = 0x000003F2
	ecWrongServer  prop.ErrorCode = 0x00000478
	ecLoginFailure prop.ErrorCode = 0x80040111
	ecAccessDenied prop.ErrorCode = 0x80070005
)

func (logonFailed) Check(c *Context) []Finding {
	type group struct {
		home  bool
		code  prop.ErrorCode
		ev    []Evidence
		dns   map[string]bool
		extra string
	}
	groups := map[string]*group{}
	var order []string
	for _, r := range c.Rops() {
		req, ok := r.Request.(*rop.LogonRequest)
		if !ok || r.Response == nil {
			continue
		}
		rv, ok := r.ReturnValue()
		if !ok || rv == 0 {
			continue
		}
		home := req.OpenFlags&openHomeLogon != 0 && req.LogonFlags&logonPrivate != 0
		key := fmt.Sprintf("%v/%08X", home, uint32(rv))
		g := groups[key]
		if g == nil {
			g = &group{home: home, code: rv, dns: map[string]bool{}}
			groups[key] = g
			order = append(order, key)
		}
		target := req.Essdn
		if req.LogonFlags&logonPrivate == 0 {
			target = "public folders"
		}
		if target == "" {
			target = "(no ESSDN)"
		}
		g.dns[target] = true
		note := fmt.Sprintf("RopLogon to %s: %s", target, rv)
		if resp, ok := r.Response.(*rop.LogonResponse); ok && rv == ecWrongServer && resp.ServerName != "" {
			note += " (the mailbox is on " + resp.ServerName + ")"
			g.extra = resp.ServerName
		}
		g.ev = append(g.ev, r.Evidence(note))
	}
	var out []Finding
	for _, key := range order {
		g := groups[key]
		expl, fix := logonAdvice(g.code, g.extra)
		sev, whose := Warning, "another mailbox"
		if g.home {
			sev, whose = Error, "the user's own mailbox"
			expl = "Outlook could not open the user's own mailbox, so it cannot start. " + expl
		}
		var targets []string
		for dn := range g.dns {
			targets = append(targets, dn)
		}
		out = append(out, Finding{
			Severity: sev,
			Title: fmt.Sprintf("RopLogon to %s refused with %s (%s: %s)", whose, g.code, times(len(g.ev)),
				strings.Join(sortedStrings(targets), ", ")),
			Evidence:    g.ev,
			Explanation: expl,
			Fix:         fix,
		})
	}
	return out
}

func logonAdvice(code prop.ErrorCode, server string) (expl, fix string) {
	switch code {
	case ecLoginPerm, ecAccessDenied, ecLoginFailure:
		return "The server refused to open the mailbox for this user: the user has no right to it. Outlook opens " +
				"shared and delegated mailboxes, and the extra mailboxes of the account's Advanced tab, this way.",
			"Give the user access to that mailbox on the server (BlueMind: share the mailbox with the user, and " +
				"from 4.3 on subscribe to it in the account settings, Mail > Subscriptions), or remove it from " +
				"Outlook (Account settings > More settings > Advanced)."
	case ecWrongServer:
		where := "another server"
		if server != "" {
			where = server
		}
		return "The server says the mailbox lives on " + where + ". Outlook must find it through Autodiscover; if " +
				"it keeps asking this server, the profile holds a stale server name.",
			"Check Autodiscover answers for that mailbox (and its AlternativeMailbox entries) with the right " +
				"server; recreate the profile if it predates a migration. With BlueMind 4.4 and older, shared " +
				"mailboxes are public folders, not mailboxes to add."
	case ecUnknownUser:
		return "The server knows no mailbox with that ESSDN (the /o=…/cn=… name Outlook keeps in the profile): " +
				"the mailbox was renamed, deleted or migrated, or the name was typed by hand.",
			"Remove the mailbox from Outlook (Account settings > More settings > Advanced) and add it again by " +
				"its primary address; for the user's own mailbox, create a new profile."
	}
	return "The server refused the logon with " + code.String() + ".",
		"Look in the server's log at the time of the evidence (BlueMind: /var/log/bm-mapi/mapi.log)."
}

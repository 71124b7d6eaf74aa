package doctor

import (
	"fmt"
	"strings"
)

// autodiscoverHosts finds Autodiscover lookups that leave the on-premise
// server: to Microsoft 365 (Outlook 2016 and later ask it first, and
// prompt for a password there), or to other hosts Outlook derives from
// the address (https://<domain>/autodiscover/…), Active Directory (SCP),
// DNS SRV records or a cached URL — [MS-OXDISCO] 3.1.5 lists the order.
// The registry values and policies that stop each are those of the
// BlueMind Outlook guide.
//
// The on-premise server is where the MAPI endpoints were reached, and any
// host whose Autodiscover answer was a settings or redirect response. When
// the trace has neither, only Microsoft 365 lookups are reported.
type autodiscoverHosts struct{}

func init() { register(autodiscoverHosts{}) }

func (autodiscoverHosts) ID() string { return "autodiscover-hosts" }
func (autodiscoverHosts) Title() string {
	return "Autodiscover asks Microsoft 365 or hosts other than the on-premise server"
}

// o365Hosts are the Microsoft 365 services Outlook contacts on its own
// while it looks for a mailbox: Autodiscover (autodiscover-s.outlook.com,
// outlook.office365.com), sign-in (login.microsoftonline.com), the account
// settings detection service (odc.officeapps.live.com) and the Office
// config service. Other Microsoft hosts (telemetry, licensing) are not
// Autodiscover and are left alone; an Autodiscover request to any host
// under o365Domains counts too.
var o365Hosts = map[string]bool{"autodiscover-s.outlook.com": true, "autodiscover.outlook.com": true,
	"outlook.office365.com": true, "outlook.office.com": true, "login.microsoftonline.com": true,
	"login.windows.net": true, "odc.officeapps.live.com": true, "officeclient.microsoft.com": true}

var o365Domains = []string{"outlook.com", "office365.com", "office.com", "microsoftonline.com"}

// isO365 reports a Microsoft 365 host Outlook asks about a mailbox.
func isO365(e *Exchange) bool {
	h := e.Hostname()
	if o365Hosts[h] {
		return true
	}
	if e.Endpoint != "autodiscover" {
		return false
	}
	for _, d := range o365Domains {
		if h == d || strings.HasSuffix(h, "."+d) {
			return true
		}
	}
	return false
}

func (autodiscoverHosts) Check(c *Context) []Finding {
	onPrem := c.mapiHosts()
	for _, a := range c.Autodiscovers() {
		if r := a.Response; r != nil && r.Account != nil && !r.IsError() && a.Hostname() != "" && !isO365(a.Exchange) {
			onPrem[a.Hostname()] = true
		}
	}
	domains := map[string]bool{}
	for addr := range c.accountAddresses() {
		_, d, _ := strings.Cut(addr, "@")
		domains[d] = true
	}

	var o365, other []Evidence
	o365Hosts, otherHosts := map[string]bool{}, map[string]bool{}
	v2, rootDomain := false, false
	for _, e := range c.Exchanges() {
		h := e.Hostname()
		if h == "" {
			continue
		}
		what := e.Method + " " + e.Path()
		if strings.EqualFold(e.Method, "CONNECT") {
			what = "CONNECT " + e.URL
		}
		switch {
		case isO365(e):
			o365Hosts[h] = true
			if strings.Contains(e.Path(), "autodiscover.json") {
				v2 = true
			}
			o365 = append(o365, e.Evidence(fmt.Sprintf("%s to %s (%s)", what, h, statusText(e))))
		case e.Endpoint == "autodiscover" && len(onPrem) > 0 && !onPrem[h] && !domains[strings.TrimPrefix(h, "autodiscover.")]:
			otherHosts[h] = true
			other = append(other, e.Evidence(fmt.Sprintf("%s to %s (%s)", what, h, statusText(e))))
		case e.Endpoint == "autodiscover" && domains[h] && len(onPrem) > 0 && !onPrem[h]:
			// https://<domain>/autodiscover/…: the root domain lookup.
			otherHosts[h] = true
			rootDomain = true
			other = append(other, e.Evidence(fmt.Sprintf("%s to %s, the address's domain (%s)", what, h, statusText(e))))
		}
	}
	var out []Finding
	if len(o365) > 0 {
		fix := "Stop the Microsoft 365 lookups on the Outlook machine: under " +
			`HKEY_CURRENT_USER\Software\Microsoft\Office\16.0\Outlook\AutoDiscover set the DWORD ExcludeExplicitO365Endpoint=1 ` +
			"(15.0 for Outlook 2013); `mapiscope outlook-reg` writes a .reg file with it and the other AutoDiscover values " +
			"of the guide. With Group Policy (the BlueMind guide's list): DisableAutoDiscoverV2Service=1, " +
			"ExcludeExplicitO365Endpoint=1, SignInOptions=3 (no Microsoft 365 sign-in), " +
			"DisableOffice365SimplifiedAccountCreation=1, DisableAccountSettingsDetectionService=1, " +
			"DisableExchangeConsumerAccounts=1. Restart Outlook afterwards."
		if v2 {
			fix += " The JSON lookups (autodiscover.json) are Autodiscover v2: DisableAutoDiscoverV2Service=1 stops them."
		}
		out = append(out, Finding{
			Severity: Warning,
			Title:    "Outlook contacts Microsoft 365 (" + joinKeys(o365Hosts) + ")",
			Evidence: o365,
			Explanation: "Outlook 2016 and later ask Microsoft 365 about the address before the on-premise server, and " +
				"sign in there. For a mailbox on an on-premise server this delays profile creation, can send Outlook " +
				"to the wrong service, and causes password prompts that no password satisfies (the BlueMind guide's " +
				"\"password prompt loop after a successful setup\").",
			Fix: fix,
		})
	}
	if len(other) > 0 {
		var keys []string
		if rootDomain {
			keys = append(keys, "ExcludeHttpsRootDomain=1 (the https://<domain>/autodiscover/… lookup)")
		}
		keys = append(keys, "ExcludeScpLookup=1 (Active Directory)", "ExcludeSrvRecord=1 (DNS SRV)",
			"ExcludeLastKnownGoodURL=1 (a cached URL)")
		out = append(out, Finding{
			Severity: Warning,
			Title:    "Autodiscover asks hosts other than the on-premise server (" + joinKeys(otherHosts) + ")",
			Evidence: other,
			Explanation: fmt.Sprintf("The mailbox is served by %s, but Outlook also looked for its settings at other "+
				"hosts, which did not give a settings response. Outlook tries the address's domain, Active Directory, "+
				"DNS SRV records and the last URL that worked, in turn; a host that answers slowly, with an error "+
				"or with a login page delays or breaks profile creation, and one that answers may send Outlook "+
				"elsewhere.", joinKeys(onPrem)),
			Fix: "Keep Outlook on the on-premise Autodiscover URL: under " +
				`HKEY_CURRENT_USER\Software\Microsoft\Office\16.0\Outlook\AutoDiscover set the DWORDs ` +
				strings.Join(keys, ", ") + ", and keep ExcludeHttpsAutoDiscoverDomain=0 (https://autodiscover.<domain>). " +
				"`mapiscope outlook-reg` writes these values as a .reg file; the BlueMind guide gives the same as Group Policy.",
		})
	}
	return out
}

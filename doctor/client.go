package doctor

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// unsupportedClient finds clients the server side does not support, from
// X-ClientApplication ("Outlook/16.0.17928.20114") and User-Agent
// ("Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17928;
// Pro)", "MacOutlook/16.89…"). The BlueMind guide supports Outlook for
// Windows only, 2013 and later; BlueMind 5 wants 2016 or later (5.5:
// 2021, 2024, Microsoft 365). Version 16.0 covers Outlook 2016 to 365,
// 15.0 is Outlook 2013, 14.0 Outlook 2010.
type unsupportedClient struct{}

func init() { register(unsupportedClient{}) }

func (unsupportedClient) ID() string    { return "unsupported-client" }
func (unsupportedClient) Title() string { return "Outlook for Mac, or an Outlook older than 2013" }

var outlookVersionRE = regexp.MustCompile(`(?i)\boutlook[/ ](\d+)\.(\d+)`)

// clientKind classifies a client string: "mac", or "windows" with the
// Outlook major version (0 when the string names no Outlook).
func clientKind(s string) (kind string, major int) {
	l := strings.ToLower(s)
	if strings.Contains(l, "macoutlook") || strings.Contains(l, "outlook") && (strings.Contains(l, "macintosh") || strings.Contains(l, "mac os")) {
		return "mac", 0
	}
	if m := outlookVersionRE.FindStringSubmatch(s); m != nil {
		major, _ = strconv.Atoi(m[1])
		return "windows", major
	}
	return "", 0
}

var outlookNames = map[int]string{11: "Outlook 2003", 12: "Outlook 2007", 14: "Outlook 2010", 15: "Outlook 2013"}

func (unsupportedClient) Check(c *Context) []Finding {
	type seen struct {
		first *Exchange
		n     int
	}
	clients := map[string]*seen{}
	var order []string
	for _, e := range c.Exchanges() {
		for _, v := range []string{e.ReqHeader.Get("X-ClientApplication"), e.ReqHeader.Get("User-Agent")} {
			v = strings.TrimSpace(v)
			if v == "" {
				continue
			}
			s := clients[v]
			if s == nil {
				s = &seen{first: e}
				clients[v] = s
				order = append(order, v)
			}
			s.n++
		}
	}
	var mac, old, v2013 []Evidence
	oldest := 99
	for _, v := range order {
		s := clients[v]
		ev := s.first.Evidence(fmt.Sprintf("%q (%d requests)", v, s.n))
		switch kind, major := clientKind(v); {
		case kind == "mac":
			mac = append(mac, ev)
		case kind == "windows" && major > 0 && major < 15:
			old = append(old, ev)
			oldest = min(oldest, major)
		case kind == "windows" && major == 15:
			v2013 = append(v2013, ev)
		}
	}
	var out []Finding
	if len(mac) > 0 {
		out = append(out, Finding{
			Severity: Error,
			Title:    "Outlook for Mac",
			Evidence: mac,
			Explanation: "Outlook for Mac talks to the server with other protocols than Outlook for Windows and is not " +
				"supported: the BlueMind guide guarantees compatibility with Outlook for Windows only.",
			Fix: "Use Outlook for Windows, or on a Mac a client the server supports over IMAP/CalDAV/CardDAV or " +
				"ActiveSync (for BlueMind: its web client or Thunderbird with its connector).",
		})
	}
	if len(old) > 0 {
		name := outlookNames[oldest]
		if name == "" {
			name = fmt.Sprintf("Outlook %d.0", oldest)
		}
		out = append(out, Finding{
			Severity: Error,
			Title:    name + " (older than Outlook 2013)",
			Evidence: old,
			Explanation: "Outlook older than 2013 does not speak MAPI over HTTP and is not supported: the BlueMind " +
				"guide requires Outlook 2013 or later on an up-to-date Windows.",
			Fix: "Upgrade Outlook: 2016 or later (BlueMind 5.5 supports Outlook 2021, 2024 and Microsoft 365), with all updates.",
		})
	}
	if len(v2013) > 0 {
		out = append(out, Finding{
			Severity: Info,
			Title:    "Outlook 2013",
			Evidence: v2013,
			Explanation: "Outlook 2013 is the oldest Outlook that speaks MAPI over HTTP. BlueMind 4 supports it; BlueMind " +
				"5 supports Outlook 2016 and later only (5.5: 2021, 2024 and Microsoft 365), and Microsoft no longer " +
				"updates it.",
			Fix: "Plan an upgrade to a supported Outlook; make sure Outlook 2013 has its last updates meanwhile.",
		})
	}
	return out
}

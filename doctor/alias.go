package doctor

import (
	"fmt"
	"sort"
	"strings"

	"github.com/mapiscope/mapiscope/decode/mapihttp"
	"github.com/mapiscope/mapiscope/decode/nspi"
	"github.com/mapiscope/mapiscope/decode/prop"
)

// mailboxAlias finds a mailbox addressed by an alias rather than its
// primary SMTP address. The BlueMind guide: "use the user's default
// address: aliases are not handled", and its known problem "the name
// cannot be matched to a name in the address list" at profile creation,
// where Outlook checks the address in the address book.
//
// Signs: an Autodiscover answer whose AutoDiscoverSMTPAddress
// ([MS-OXDSCLI] 2.2.4.1.1.1.3, the primary address) differs from the
// address asked about; an Autodiscover error 500 (EmailAddressNotFound);
// an NSPI ResolveNames ([MS-OXNSPI] 3.1.4.1.17) that leaves the account's
// own address MID_UNRESOLVED.
type mailboxAlias struct{}

func init() { register(mailboxAlias{}) }

func (mailboxAlias) ID() string { return "mailbox-alias" }
func (mailboxAlias) Title() string {
	return "The mailbox is addressed by an alias, not its primary address"
}

const tagSmtpAddress prop.Tag = 0x39FE001F

func (mailboxAlias) Check(c *Context) []Finding {
	accounts := c.accountAddresses()
	primaries := map[string]string{} // address asked → primary address
	var failed, aliased []Evidence
	unknown := map[string]bool{}

	for _, a := range c.Autodiscovers() {
		asked := strings.ToLower(a.EMailAddress)
		if asked == "" || a.Response == nil {
			continue
		}
		r := a.Response
		switch {
		case r.IsError() && r.Error.Code() == 500:
			unknown[asked] = true
			failed = append(failed, a.Evidence(fmt.Sprintf("Autodiscover for %s: error 500 (%s)", asked, strings.TrimSpace(r.Error.Message))))
		case r.User != nil && r.User.AutoDiscoverSMTPAddress != "" && !strings.EqualFold(r.User.AutoDiscoverSMTPAddress, asked):
			p := strings.ToLower(r.User.AutoDiscoverSMTPAddress)
			primaries[asked] = p
			aliased = append(aliased, a.Evidence(fmt.Sprintf("Autodiscover for %s answered for %s", asked, p)))
		case r.User != nil && r.User.AutoDiscoverSMTPAddress != "":
			primaries[asked] = asked
		}
	}

	for _, e := range c.Exchanges() {
		if e.Endpoint != "nspi" || e.Type() != mapihttp.TypeResolveNames {
			continue
		}
		reqBody, _ := c.Bodies(e.ID)
		var req nspi.ResolveNamesRequest
		if nspi.Decode(&req, reqBody, 0, false).Failed() || len(req.NameValues) == 0 {
			continue
		}
		var resp nspi.ResolveNamesResponse
		body := c.ResponseBody(e)
		if body == nil || nspi.Decode(&resp, body, 0, false).Failed() || resp.ErrorCode != 0 {
			continue
		}
		for i, name := range req.NameValues {
			n := strings.ToLower(strings.TrimSpace(name))
			if !accounts[n] || i >= len(resp.MinimalIds) {
				continue
			}
			switch resp.MinimalIds[i] {
			case nspi.MIDUnresolved:
				unknown[n] = true
				failed = append(failed, e.Evidence(fmt.Sprintf("ResolveNames(%s): MID_UNRESOLVED", name)))
			case nspi.MIDAmbiguous:
				failed = append(failed, e.Evidence(fmt.Sprintf("ResolveNames(%s): MID_AMBIGUOUS", name)))
			default:
				if len(req.NameValues) == 1 && len(resp.RowData) == 1 {
					if p := abString(resp.PropertyTags, resp.RowData[0], tagSmtpAddress); p != "" && !strings.EqualFold(p, n) {
						primaries[n] = strings.ToLower(p)
						aliased = append(aliased, e.Evidence(fmt.Sprintf("ResolveNames(%s) resolved to %s", name, p)))
					}
				}
			}
		}
	}
	if len(failed) == 0 && len(aliased) == 0 {
		return nil
	}
	// The primary address, when the trace shows one for another name.
	var known []string
	for asked, p := range primaries {
		if asked == p || !unknown[p] {
			known = append(known, p)
		}
	}
	known = uniq(known)
	var aliases []string
	for asked, p := range primaries {
		if asked != p {
			aliases = append(aliases, asked+" (primary "+p+")")
		}
	}
	for u := range unknown {
		aliases = append(aliases, u)
	}
	aliases = uniq(aliases)
	sev, title := Warning, "The server does not know the mailbox by "+strings.Join(aliases, ", ")
	if len(failed) == 0 {
		sev, title = Info, "The mailbox is addressed by an alias: "+strings.Join(aliases, ", ")
	}
	expl := "The profile was created with an address that is not the mailbox's primary address. Exchange resolves " +
		"aliases; BlueMind does not (its guide: use the default address, aliases are not handled): Autodiscover " +
		"answers error 500 for them and the address book cannot match the name, so profile creation stops with " +
		"\"the name cannot be matched to a name in the address list\"."
	if len(known) > 0 {
		expl += " The primary address seen in this trace: " + strings.Join(known, ", ") + "."
	}
	return []Finding{{
		Severity:    sev,
		Title:       title,
		Evidence:    append(failed, aliased...),
		Explanation: expl,
		Fix: "Create the profile with the mailbox's primary (default) address — the one the server's " +
			"administration shows first — in a new Outlook profile; keep aliases for receiving mail only.",
	}}
}

// abString returns the string value of tag in an address book row.
func abString(cols []prop.Tag, row nspi.PropertyRow, tag prop.Tag) string {
	for i, c := range cols {
		if c == tag && i < len(row.ValueArray) && row.ValueArray[i].Flag == nspi.FlagValue {
			s, _ := row.ValueArray[i].Value.(string)
			return s
		}
	}
	return ""
}

func uniq(s []string) []string {
	sort.Strings(s)
	out := s[:0]
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}

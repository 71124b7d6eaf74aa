package doctor

import (
	"strings"
	"testing"

	"github.com/mapiscope/mapiscope/decode/autodiscover"
	"github.com/mapiscope/mapiscope/decode/nspi"
	"github.com/mapiscope/mapiscope/decode/prop"
	"github.com/mapiscope/mapiscope/internal/mapitest"
	"github.com/mapiscope/mapiscope/trace"
)

const aliasAddr = "a.liddell@example.test"

// resolve is an NSPI Bind then a ResolveNames of name answered with mid
// (and, when resolved, a row with smtp as PidTagSmtpAddress).
func resolve(t *testing.T, name string, mid uint32, smtp string) []*trace.Exchange {
	t.Helper()
	cv := mapitest.NewConversation()
	bind, err := cv.Bind()
	if err != nil {
		t.Fatal(err)
	}
	req, err := nspi.Encode(nil, &nspi.ResolveNamesRequest{HasState: nspi.True, State: &nspi.STAT{CodePage: 1252},
		PropertyTags: []prop.Tag{0x3001001F, tagSmtpAddress}, NameValues: []string{name}})
	if err != nil {
		t.Fatal(err)
	}
	r := &nspi.ResolveNamesResponse{CodePage: 1252, HasMinimalIds: nspi.True, MinimalIds: []uint32{mid}}
	if smtp != "" {
		r.PropertyTags = []prop.Tag{0x3001001F, tagSmtpAddress}
		r.RowData = []nspi.PropertyRow{{ValueArray: []nspi.RowValue{
			{PropertyValue: nspi.PropertyValue{Value: "Alice"}}, {PropertyValue: nspi.PropertyValue{Value: smtp}}}}}
	}
	resp, err := nspi.Encode(nil, r)
	if err != nil {
		t.Fatal(err)
	}
	return []*trace.Exchange{bind, cv.Exchange("nspi", "ResolveNames", req, resp, 0)}
}

func TestMailboxAliasUnknown(t *testing.T) {
	exs := []*trace.Exchange{
		adPost("mail.example.test", aliasAddr, "", 200, nil, autodiscover.NewNotFoundResponse(t0, "a1b2c3d4")),
		adPost("mail.example.test", alice, "", 200, nil, adSettings("mail.example.test", alice)),
	}
	exs = append(exs, resolve(t, aliasAddr, nspi.MIDUnresolved, "")...)
	tr := newTrace(t, exs...)
	f := want(t, check(t, tr, "mailbox-alias"), Warning)
	evidenceExists(t, tr, f)
	if len(f.Evidence) != 2 || !strings.Contains(f.Title, aliasAddr) || !strings.Contains(f.Explanation, "primary address seen in this trace: "+alice) {
		t.Errorf("finding: %s", dump([]Finding{f}))
	}
}

func TestMailboxAliasResolved(t *testing.T) {
	// Exchange-like: the alias works, but the answers name the primary.
	exs := []*trace.Exchange{adPost("mail.example.test", aliasAddr, "", 200, nil, adSettings("mail.example.test", alice))}
	exs = append(exs, resolve(t, aliasAddr, 0x1001, alice)...)
	f := want(t, check(t, newTrace(t, exs...), "mailbox-alias"), Info)
	if len(f.Evidence) != 2 || !strings.Contains(f.Title, aliasAddr+" (primary "+alice+")") {
		t.Errorf("finding: %s", dump([]Finding{f}))
	}
}

func TestMailboxPrimary(t *testing.T) {
	exs := []*trace.Exchange{adPost("mail.example.test", alice, "", 200, nil, adSettings("mail.example.test", alice))}
	exs = append(exs, resolve(t, alice, 0x1001, alice)...)
	// A recipient that does not resolve is not the mailbox's address.
	exs = append(exs, resolve(t, "nobody@elsewhere.test", nspi.MIDUnresolved, "")...)
	none(t, check(t, newTrace(t, exs...), "mailbox-alias"))
	none(t, check(t, realTrace(t), "mailbox-alias"))
}

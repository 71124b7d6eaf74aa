package replay

import (
	"strings"
	"testing"

	"github.com/mapiscope/mapiscope/decode/prop"
	"github.com/mapiscope/mapiscope/decode/rop"
	"github.com/mapiscope/mapiscope/decode/wire"
)

func tree(t *testing.T, r interface {
	Codec(*wire.Codec, *rop.Ctx)
}, ctx *rop.Ctx) *wire.Node {
	t.Helper()
	b, err := rop.Encode(nil, r, ctx)
	if err != nil {
		t.Fatal(err)
	}
	c := wire.NewDecoder(b, true, "rop")
	var out rop.Response
	if ctx == nil {
		ctx = &rop.Ctx{}
	}
	out, err = rop.DecodeResponse(c, ctx)
	if err != nil || out == nil {
		t.Fatal(err)
	}
	return c.Tree().Children[0]
}

// TestCompareNormalises: times, GUIDs and ids a server makes up do not
// count; ids map one-to-one as learnt; other fields do.
func TestCompareNormalises(t *testing.T) {
	logon := func(guid byte, sec uint8, inbox prop.ID) *rop.LogonResponse {
		r := &rop.LogonResponse{LogonFlags: 1, ReplId: 1}
		r.RopId = 0xFE
		r.MailboxGuid[0], r.ReplGuid[0] = guid, guid+1
		r.LogonTime.Seconds = sec
		r.FolderIds[4] = inbox
		r.FolderIds[0] = prop.MakeID(1, 1)
		return r
	}
	n := NewNormalizer()
	if d := n.Compare(tree(t, logon(1, 5, prop.MakeID(1, 5)), nil), tree(t, logon(9, 7, prop.MakeID(1, 0x55)), nil)); len(d) != 0 {
		t.Fatalf("normalised logons differ: %v", d)
	}
	// The Inbox id is now mapped: 0x5 ↔ 0x55; the same recorded id against
	// another live one is a difference.
	if v, ok := n.IDs.Live(prop.MakeID(1, 5).String()); !ok || v != prop.MakeID(1, 0x55).String() {
		t.Fatalf("id map: %q %v", v, ok)
	}
	d := n.Compare(tree(t, logon(1, 5, prop.MakeID(1, 5)), nil), tree(t, logon(9, 7, prop.MakeID(1, 0x56)), nil))
	if len(d) != 1 || !strings.Contains(d[0].Path, "FolderIds") {
		t.Fatalf("differences %v, want the Inbox id", d)
	}
	// A return value is a difference.
	a, b := logon(1, 5, prop.MakeID(1, 5)), logon(1, 5, prop.MakeID(1, 5))
	b.ReturnValue = 0x80040111
	if d := NewNormalizer().Compare(tree(t, a, nil), tree(t, b, nil)); len(d) == 0 {
		t.Fatal("a failed logon compares equal")
	}
}

func TestLoadRules(t *testing.T) {
	n := NewNormalizer()
	err := n.LoadRules(strings.NewReader("# comment\nfield ReturnValue\nprop PidTagSubject\nprop 0x0E070003\npath RopLogon/*\nrop RopGetStoreState\n"))
	if err != nil {
		t.Fatal(err)
	}
	if !n.IgnoresRop("GetStoreState") || !n.props[0x0037] || !n.props[0x0E07] || !n.fields["returnvalue"] {
		t.Error("rules not loaded")
	}
	for _, bad := range []string{"bogus x", "prop NoSuchProp", "field", "path [", "prop 0xZZ"} {
		if err := NewNormalizer().LoadRules(strings.NewReader(bad)); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

package prop

import (
	"bytes"
	"encoding/hex"
	"reflect"
	"strings"
	"testing"

	"github.com/mapiscope/mapiscope/decode/wire"
)

// RuleAction structures — [MS-OXORULE] 2.2.5. Hex is composed field by
// field from the specification's tables.

func raBytes(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.Join(strings.Fields(s), ""))
	if err != nil {
		t.Fatalf("bad hex in test: %v", err)
	}
	return b
}

// raCheck decodes a RuleAction buffer (with and without spans), requires
// no anomaly and every byte consumed, re-encodes it and requires the same
// bytes.
func raCheck(t *testing.T, s string, w Width) *RuleActions {
	t.Helper()
	b := raBytes(t, s)
	var r *RuleActions
	for _, spans := range []bool{false, true} {
		r = &RuleActions{}
		c := wire.NewDecoder(b, spans, "RuleAction")
		CodecRuleActions(c, r, "RuleAction", w)
		if len(c.Anomalies()) > 0 || c.Remaining() != 0 {
			t.Fatalf("decode (spans=%v): anomalies %v, %d bytes left", spans, c.Anomalies(), c.Remaining())
		}
	}
	e := wire.NewEncoder(nil)
	CodecRuleActions(e, r, "", w)
	if e.Failed() || !bytes.Equal(e.Output(), b) {
		t.Fatalf("round trip: %v\n got %x\nwant %x", e.Anomalies(), e.Output(), b)
	}
	return r
}

// raAnomalies decodes and returns the anomalies and the span tree JSON.
func raAnomalies(t *testing.T, s string, w Width) (*RuleActions, []wire.Anomaly, string) {
	t.Helper()
	r := &RuleActions{}
	c := wire.NewDecoder(raBytes(t, s), true, "RuleAction")
	CodecRuleActions(c, r, "RuleAction", w)
	return r, c.Anomalies(), string(c.Tree().JSON(wire.JSONOptions{}))
}

// A Folder EntryID ([MS-OXCDATA] 2.2.4.1): Flags, ProviderUID, FolderType,
// DatabaseGuid, GlobalCounter, Pad — 46 bytes.
const folderEntryID = "00000000" + "000102030405060708090a0b0c0d0e0f" + "0100" +
	"101112131415161718191a1b1c1d1e1f" + "000000000123" + "0000"

// Every action type in the standard-rule form (16-bit counts).
const standardActions = "0900" + // NoOfActions
	// OP_COPY to a folder of another store
	"3f00" + // ActionLength: 63
	"02 00000000 00000000" + // ActionType, ActionFlavor, ActionFlags
	"00" + // FolderInThisStore: FALSE
	"0300 aabbcc" + // StoreEIDSize, StoreEID
	"2e00" + folderEntryID + // FolderEIDSize, FolderEID
	// OP_REPLY
	"2900" + // ActionLength: 41
	"03 01000000 00000000" + // ActionType, ActionFlavor: NS, ActionFlags
	"0100000000000001" + // ReplyTemplateFID
	"0100000000000002" + // ReplyTemplateMID
	"00112233445566778899aabbccddeeff" + // ReplyTemplateGUID
	// OP_OOF_REPLY
	"2900" + // ActionLength: 41
	"04 02000000 00000000" + // ActionType, ActionFlavor: ST, ActionFlags
	"0100000000000001 0100000000000003 00112233445566778899aabbccddeeff" +
	// OP_DEFER_ACTION
	"0d00" + // ActionLength: 13
	"05 00000000 00000000" + // ActionType, ActionFlavor, ActionFlags
	"01020304" + // DeferredActionData
	// OP_BOUNCE
	"0d00" + // ActionLength: 13
	"06 00000000 00000000" + // ActionType, ActionFlavor, ActionFlags
	"0d000000" + // BounceCode: message too large
	// OP_DELEGATE
	"2600" + // ActionLength: 38
	"08 00000000 00000000" + // ActionType, ActionFlavor, ActionFlags
	"0100" + // RecipientCount
	"01" + // Reserved
	"0300" + // NoOfProperties
	"1f000130 41000000" + // PidTagDisplayName "A"
	"0201ff0f 0200 abcd" + // PidTagEntryId (16-bit binary count)
	"0300150c 01000000" + // PidTagRecipientType
	// OP_TAG
	"1100" + // ActionLength: 17
	"09 00000000 00000000" + // ActionType, ActionFlavor, ActionFlags
	"03001700 02000000" + // PidTagImportance 2
	// OP_DELETE
	"0900 0a 00000000 00000000" +
	// OP_MARK_AS_READ
	"0900 0b 00000000 00000000"

func TestRuleActionsStandard(t *testing.T) {
	r := raCheck(t, standardActions, ROP)
	if len(r.Actions) != 9 {
		t.Fatalf("got %d actions", len(r.Actions))
	}
	a := r.Actions
	cp := a[0].MoveCopy
	if a[0].ActionType != OpCopy || cp == nil || cp.FolderInThisStore || cp.ServerEid != nil ||
		len(cp.FolderEID) != 46 || string(cp.StoreEID) != "\xaa\xbb\xcc" {
		t.Fatalf("copy %+v", a[0])
	}
	if a[1].ActionType != OpReply || a[1].ActionFlavor != FlavorNS || a[1].Reply.ReplyTemplateMID != MakeID(1, 2) ||
		a[1].Reply.ReplyTemplateGUID.String() != "33221100-5544-7766-8899-aabbccddeeff" {
		t.Fatalf("reply %+v %+v", a[1], a[1].Reply)
	}
	if a[2].ActionType != OpOOFReply || a[2].ActionFlavor != FlavorST || a[2].Reply.ReplyTemplateFID != MakeID(1, 1) {
		t.Fatalf("oof reply %+v", a[2])
	}
	if a[3].ActionType != OpDeferAction || string(a[3].DeferredActionData) != "\x01\x02\x03\x04" {
		t.Fatalf("defer %+v", a[3])
	}
	if a[4].ActionType != OpBounce || a[4].BounceCode != BounceMessageTooLarge {
		t.Fatalf("bounce %+v", a[4])
	}
	rb := a[5].RecipientBlocks
	if a[5].ActionType != OpDelegate || len(rb) != 1 || rb[0].Reserved != 1 || len(rb[0].PropertyValues) != 3 ||
		rb[0].PropertyValues[0].Value.(string) != "A" || string(rb[0].PropertyValues[1].Value.([]byte)) != "\xab\xcd" {
		t.Fatalf("delegate %+v", a[5])
	}
	if a[6].ActionType != OpTag || a[6].Tag.Tag != 0x00170003 || a[6].Tag.Value.(int32) != 2 {
		t.Fatalf("tag %+v", a[6])
	}
	if a[7].ActionType != OpDelete || a[8].ActionType != OpMarkAsRead {
		t.Fatalf("delete/read %+v %+v", a[7], a[8])
	}
	_, _, js := raAnomalies(t, standardActions, ROP)
	for _, s := range []string{`"OP_COPY"`, `"OP_REPLY"`, `"NS"`, `"OP_OOF_REPLY"`, `"ST"`, `"OP_DEFER_ACTION"`,
		`"OP_BOUNCE"`, `"message too large"`, `"OP_DELEGATE"`, `"OP_TAG"`, `"OP_DELETE"`, `"OP_MARK_AS_READ"`,
		`"ReplyTemplateGUID"`, `"DeferredActionData"`, "PidTagImportance", "PidTagRecipientType"} {
		if !strings.Contains(js, s) {
			t.Fatalf("json lacks %s: %s", s, js)
		}
	}
}

// The extended-rule form: 32-bit NoOfActions, ActionLength, EntryID sizes,
// RecipientCount and binary counts.
func TestRuleActionsExtended(t *testing.T) {
	messageEID := strings.Repeat("5a", 70)
	s := "03000000" + // NoOfActions
		// OP_MOVE
		"42000000" + // ActionLength: 66
		"01 00000000 00000000" + // ActionType, ActionFlavor, ActionFlags
		"03000000 aabbcc" + // StoreEIDSize, StoreEID
		"2e000000" + folderEntryID + // FolderEIDSize, FolderEID
		// OP_REPLY
		"63000000" + // ActionLength: 99
		"03 00000000 00000000" + // ActionType, ActionFlavor, ActionFlags
		"46000000" + messageEID + // MessageEIDSize, ReplyTemplateMessageEID
		"00112233445566778899aabbccddeeff" + // ReplyTemplateGUID
		// OP_FORWARD
		"1c000000" + // ActionLength: 28
		"07 04000000 00000000" + // ActionType, ActionFlavor: AT, ActionFlags
		"01000000" + // RecipientCount
		"01" + // Reserved
		"01000000" + // NoOfProperties
		"0201ff0f 02000000 abcd" // PidTagEntryId (32-bit binary count)
	r := raCheck(t, s, Wide)
	a := r.Actions
	if len(a) != 3 || a[0].MoveCopy.ServerEid != nil || len(a[0].MoveCopy.FolderEID) != 46 {
		t.Fatalf("move %+v", a[0])
	}
	if len(a[1].Reply.ReplyTemplateMessageEID) != 70 || a[1].Reply.ReplyTemplateFID != 0 {
		t.Fatalf("reply %+v", a[1].Reply)
	}
	if a[2].ActionFlavor != FlavorAT || string(a[2].RecipientBlocks[0].PropertyValues[0].Value.([]byte)) != "\xab\xcd" {
		t.Fatalf("forward %+v", a[2])
	}
	// The same bytes read with 16-bit counts do not decode cleanly.
	if _, an, _ := raAnomalies(t, s, ROP); len(an) == 0 {
		t.Fatal("extended bytes decoded as standard without an anomaly")
	}
}

func TestRuleActionsServerEid(t *testing.T) {
	s := "0100" + // NoOfActions
		"2400" + // ActionLength: 36
		"01 00000000 00000000" + // OP_MOVE, ActionFlavor, ActionFlags
		"01" + // FolderInThisStore
		"0100 00" + // StoreEIDSize, StoreEID (ignored)
		"1500" + // FolderEIDSize: 21
		"01 0100000000000042 0000000000000000 00000000" // ServerEid
	r := raCheck(t, s, ROP)
	se := r.Actions[0].MoveCopy.ServerEid
	if se == nil || se.Ours != 1 || se.FolderId != MakeID(1, 0x42) || r.Actions[0].MoveCopy.FolderEID != nil {
		t.Fatalf("got %+v", r.Actions[0].MoveCopy)
	}
	// MessageId and Instance must be zero.
	bad := strings.Replace(s, "0000000000000000 00000000", "0100000000000000 00000000", 1)
	if _, an, _ := raAnomalies(t, bad, ROP); len(an) != 1 {
		t.Fatalf("anomalies %v", an)
	}
	// Ours 0x00: a client-defined structure, kept as bytes.
	r = raCheck(t, strings.Replace(s, "1500"+"01 01", "1500"+"00 01", 1), ROP)
	if r.Actions[0].MoveCopy.ServerEid != nil || len(r.Actions[0].MoveCopy.FolderEID) != 21 {
		t.Fatalf("got %+v", r.Actions[0].MoveCopy)
	}
	// Ours 0x01 but not 21 bytes.
	short := "0100 2300 01 00000000 00000000 01 0100 00 1400 01 0100000000000042 0000000000000000 000000"
	if r, an, _ := raAnomalies(t, short, ROP); len(an) != 1 || len(r.Actions[0].MoveCopy.FolderEID) != 20 {
		t.Fatalf("anomalies %v", an)
	}
}

func TestRuleActionsBad(t *testing.T) {
	for _, tc := range []struct{ name, hex string }{
		{"unknown ActionType", "0100 0a00 0c 00000000 00000000 ff"},
		{"flavor on OP_DELETE", "0100 0900 0a 01000000 00000000"},
		{"bytes left inside ActionLength", "0100 0a00 0a 00000000 00000000 00"},
		{"ActionLength past the end", "0100 ff00 0a 00000000 00000000"},
		{"NoOfActions past the end", "ffff 0900 0a 00000000 00000000"},
		{"truncated ActionData", "0100 0d00 06 00000000 00000000 0d00"},
		{"RecipientCount zero", "0100 0b00 07 00000000 00000000 0000"},
		{"truncated RecipientBlock", "0100 1000 07 00000000 00000000 0100 01 0200 03001700"},
		{"NoOfProperties zero", "0100 0e00 07 00000000 00000000 0100 01 0000"},
	} {
		if _, an, _ := raAnomalies(t, tc.hex, ROP); len(an) == 0 {
			t.Errorf("%s: no anomaly", tc.name)
		}
	}
	// An unknown action still round-trips as bytes.
	b := raBytes(t, "0100 0a00 0c 00000000 00000000 ff")
	r, _, _ := raAnomalies(t, "0100 0a00 0c 00000000 00000000 ff", ROP)
	if string(r.Actions[0].ActionData) != "\xff" {
		t.Fatalf("got %+v", r.Actions[0])
	}
	e := wire.NewEncoder(nil)
	CodecRuleActions(e, r, "", ROP)
	if !bytes.Equal(e.Output(), b) {
		t.Fatalf("round trip %x", e.Output())
	}
}

func TestRuleActionsEncodeErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		a    ActionBlock
		w    Width
	}{
		{"move without data", ActionBlock{ActionType: OpMove}, ROP},
		{"reply without data", ActionBlock{ActionType: OpReply}, ROP},
		{"ServerEid in an extended rule", MoveAction(MakeID(1, 2)), Wide},
	} {
		e := wire.NewEncoder(nil)
		CodecRuleActions(e, &RuleActions{Actions: []ActionBlock{tc.a}}, "", tc.w)
		if !e.Failed() {
			t.Errorf("%s: encoded %x", tc.name, e.Output())
		}
	}
}

// Actions built in Go encode to bytes that decode back to them.
func TestRuleActionsBuilders(t *testing.T) {
	in := &RuleActions{Actions: []ActionBlock{
		MoveAction(MakeID(1, 0x10)),
		CopyAction(MakeID(1, 0x11)),
		ReplyActionOf(OpReply, FlavorNS, MakeID(1, 1), MakeID(1, 2), GUID{1, 2, 3}),
		DeferAction([]byte{9, 8, 7}),
		BounceAction(BounceDenied),
		ForwardAction(FlavorPR|FlavorNC, Recipient("Bo", "SMTP", "bo@example.com")),
		DelegateAction(Recipient("Al", "EX", "/o=x/cn=al")),
		TagAction(TaggedValue{Tag: 0x00170003, Value: int32(2)}),
		DeleteAction(),
		MarkAsReadAction(),
	}}
	e := wire.NewEncoder(nil)
	CodecRuleActions(e, in, "", ROP)
	if e.Failed() {
		t.Fatalf("encode: %v", e.Anomalies())
	}
	out := raCheck(t, hex.EncodeToString(e.Output()), ROP)
	if !reflect.DeepEqual(in, out) {
		t.Fatalf("decoded differs:\n in %+v\nout %+v", in, out)
	}
}

// A PtypRuleAction value inside a TaggedPropertyValue goes through
// CodecValue (PidTagRuleActions in a RopModifyRules RuleData).
func TestRuleActionsAsPropertyValue(t *testing.T) {
	b := raBytes(t, "fe008066"+ // PropertyTag: PidTagRuleActions
		"0100 0900 0b 00000000 00000000") // RuleAction: OP_MARK_AS_READ
	var tv TaggedValue
	c := wire.NewDecoder(b, true, "v")
	CodecTagged(c, &tv, "PropertyValue", ROP)
	if len(c.Anomalies()) != 0 || c.Remaining() != 0 {
		t.Fatalf("anomalies %v", c.Anomalies())
	}
	ra, ok := tv.Value.(*RuleActions)
	if !ok || len(ra.Actions) != 1 || ra.Actions[0].ActionType != OpMarkAsRead {
		t.Fatalf("got %+v", tv)
	}
	e := wire.NewEncoder(nil)
	CodecTagged(e, &tv, "", ROP)
	if !bytes.Equal(e.Output(), b) {
		t.Fatalf("round trip %x", e.Output())
	}
}

// FuzzRuleActions decodes arbitrary bytes as a RuleAction buffer in both
// widths. It must never panic; bytes that decode with no anomaly and are
// fully consumed must encode back to themselves.
func FuzzRuleActions(f *testing.F) {
	f.Add(raBytesF(standardActions), false)
	f.Add(raBytesF("0100 2400 01 00000000 00000000 01 0100 00 1500 01 0100000000000042 0000000000000000 00000000"), false)
	f.Add(raBytesF("01000000 1c000000 07 04000000 00000000 01000000 01 01000000 0201ff0f 02000000 abcd"), true)
	f.Fuzz(func(t *testing.T, b []byte, wide bool) {
		w := ROP
		if wide {
			w = Wide
		}
		var r RuleActions
		c := wire.NewDecoder(b, false, "")
		CodecRuleActions(c, &r, "", w)
		if len(c.Anomalies()) > 0 || c.Remaining() != 0 {
			return
		}
		e := wire.NewEncoder(nil)
		CodecRuleActions(e, &r, "", w)
		if e.Failed() || !bytes.Equal(e.Output(), b) {
			t.Fatalf("round trip:\n got %x\nwant %x", e.Output(), b)
		}
	})
}

func raBytesF(s string) []byte {
	b, err := hex.DecodeString(strings.Join(strings.Fields(s), ""))
	if err != nil {
		panic(err)
	}
	return b
}

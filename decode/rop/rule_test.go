package rop

import (
	"encoding/hex"
	"strings"
	"testing"

	"github.com/mapiscope/mapiscope/decode/prop"
	"github.com/mapiscope/mapiscope/decode/wire"
)

// Rule ROPs — [MS-OXCROPS] 2.2.11, [MS-OXORULE].

func TestGetRulesTable(t *testing.T) {
	hexs := "3f 00 00" + // RopId, LogonId, InputHandleIndex
		"01" + // OutputHandleIndex
		"40" // TableFlags: U (Unicode)
	req := checkRequest(t, hexs, nil).(*GetRulesTableRequest)
	if req.OutputHandleIndex != 1 || req.TableFlags != RulesTableUnicode {
		t.Fatalf("got %+v", req)
	}
	if js := treeJSON(t, hexs, nil, true); !strings.Contains(js, `"Unicode"`) {
		t.Fatalf("json %s", js)
	}
	c := &Ctx{}
	if _, err := DecodeRequest(wire.NewDecoder(unhex(t, hexs), false, "rop"), c); err != nil || !c.HasOutput || c.OutputHandleIndex != 1 {
		t.Fatalf("output handle not recorded: %+v %v", c, err)
	}
	// [MS-OXORULE] 4.2.2 (shared vector oxorule-4.2.2-getrulestable-resp).
	resp := checkResponse(t, "3f 01 00000000", nil).(*GetRulesTableResponse) // RopId, OutputHandleIndex, ReturnValue
	if resp.HandleIndex != 1 || resp.ReturnValue != 0 {
		t.Fatalf("got %+v", resp)
	}
	// [MS-OXORULE] 4.2.2 (shared vector oxorule-4.2.2-setcolumns-resp):
	// the RopSetColumns on the rules table that follows.
	sc := checkResponse(t, "12 01 00000000 00", nil).(*SetColumnsResponse) // RopId, InputHandleIndex, ReturnValue, TableStatus
	if sc.TableStatus != TblStatComplete {
		t.Fatalf("got %+v", sc)
	}
}

// A standard rule added with a content condition, a move to a folder of
// the mailbox and a forward — [MS-OXCROPS] 2.2.11.1.1, [MS-OXORULE]
// 2.2.1.3, 2.2.5.
const modifyRulesAddReq = "41 00 01" + // RopId, LogonId, InputHandleIndex
	"00" + // ModifyRulesFlag
	"0100" + // RulesCount
	// RulesData[0]
	"01" + // RuleDataFlags: ROW_ADD
	"0500" + // PropertyValueCount
	"03007666 0a000000" + // PidTagRuleSequence 10
	"03007766 01000000" + // PidTagRuleState ST_ENABLED
	"1f008266 720031000000" + // PidTagRuleName "r1"
	"fd007966" + // PidTagRuleCondition (PtypRestriction):
	"03" + // RestrictType: ContentRestriction
	"0100" + // FuzzyLevelLow: FL_SUBSTRING
	"0100" + // FuzzyLevelHigh: FL_IGNORECASE
	"1f003700" + // PropertyTag: PidTagSubject
	"1f003700 480069000000" + // TaggedValue: PidTagSubject "Hi"
	"fe008066" + // PidTagRuleActions (PtypRuleAction):
	"0200" + // NoOfActions
	// ActionBlocks[0]
	"2400" + // ActionLength: 36
	"01" + // ActionType: OP_MOVE
	"00000000" + // ActionFlavor
	"00000000" + // ActionFlags
	"01" + // FolderInThisStore
	"0100 01" + // StoreEIDSize, StoreEID
	"1500" + // FolderEIDSize: 21
	"01 0100000000000123 0000000000000000 00000000" + // ServerEid: Ours, FolderId, MessageId, Instance
	// ActionBlocks[1]
	"2000" + // ActionLength: 32
	"07" + // ActionType: OP_FORWARD
	"01000000" + // ActionFlavor: PR
	"00000000" + // ActionFlags
	"0100" + // RecipientCount
	"01" + // RecipientBlocks[0].Reserved
	"0200" + // NoOfProperties
	"1f000130 42006f000000" + // PidTagDisplayName "Bo"
	"0300150c 01000000" // PidTagRecipientType MAPI_TO

func TestModifyRulesAdd(t *testing.T) {
	r := checkRequest(t, modifyRulesAddReq, nil).(*ModifyRulesRequest)
	if r.ModifyRulesFlag != 0 || len(r.RulesData) != 1 {
		t.Fatalf("got %+v", r)
	}
	d := r.RulesData[0]
	if d.RuleDataFlags != RowAdd || len(d.PropertyValues) != 5 {
		t.Fatalf("RuleData %+v", d)
	}
	if d.PropertyValues[2].Value.(string) != "r1" {
		t.Fatalf("rule name %v", d.PropertyValues[2].Value)
	}
	cond := d.PropertyValues[3].Value.(*prop.Restriction)
	if cond.RestrictType != prop.RestrictContent || cond.FuzzyLevelLow != 1 || cond.TaggedValue.Value.(string) != "Hi" {
		t.Fatalf("condition %+v", cond)
	}
	acts := d.PropertyValues[4].Value.(*prop.RuleActions)
	if len(acts.Actions) != 2 {
		t.Fatalf("actions %+v", acts)
	}
	mv := acts.Actions[0]
	if mv.ActionType != prop.OpMove || mv.MoveCopy == nil || !mv.MoveCopy.FolderInThisStore ||
		mv.MoveCopy.ServerEid == nil || mv.MoveCopy.ServerEid.FolderId != prop.MakeID(1, 0x123) {
		t.Fatalf("move %+v", mv)
	}
	fw := acts.Actions[1]
	if fw.ActionType != prop.OpForward || fw.ActionFlavor != prop.FlavorPR || len(fw.RecipientBlocks) != 1 ||
		fw.RecipientBlocks[0].PropertyValues[0].Value.(string) != "Bo" {
		t.Fatalf("forward %+v", fw)
	}
	js := treeJSON(t, modifyRulesAddReq, nil, true)
	for _, s := range []string{`"ROW_ADD"`, `"OP_MOVE"`, `"OP_FORWARD"`, `"PR"`, "PidTagRuleCondition", "PidTagRuleActions",
		`"ContentRestriction"`, `"Ours"`, `"FolderId"`, `"RecipientBlocks"`, `"NoOfProperties"`} {
		if !strings.Contains(js, s) {
			t.Fatalf("json lacks %s: %s", s, js)
		}
	}
	// Truncated inside the forward action.
	full := unhex(t, modifyRulesAddReq)
	decodeFails(t, hex.EncodeToString(full[:len(full)-6]), nil, true)
	// An ActionLength larger than the buffer.
	bad := strings.Replace(modifyRulesAddReq, "2000"+"07", "ff00"+"07", 1)
	decodeFails(t, bad, nil, true)

	checkResponse(t, "41 01 00000000", nil) // RopId, InputHandleIndex, ReturnValue
	f := checkResponse(t, "41 01 05000780", nil).(*ModifyRulesResponse)
	if f.ReturnValue != 0x80070005 {
		t.Fatalf("got %+v", f)
	}
}

// Modifying and removing rules by PidTagRuleId — [MS-OXORULE] 3.1.4.2.1.
func TestModifyRulesModifyRemove(t *testing.T) {
	r := checkRequest(t, "41 00 01"+ // RopId, LogonId, InputHandleIndex
		"00"+ // ModifyRulesFlag
		"0200"+ // RulesCount
		"02 0200 14007466 0100000000000000 03007766 00000000"+ // ROW_MODIFY: PidTagRuleId 1, PidTagRuleState 0
		"04 0100 14007466 0200000000000000", // ROW_REMOVE: PidTagRuleId 2
		nil).(*ModifyRulesRequest)
	if len(r.RulesData) != 2 || r.RulesData[0].RuleDataFlags != RowModify || r.RulesData[1].RuleDataFlags != RowRemove ||
		r.RulesData[1].PropertyValues[0].Value.(int64) != 2 {
		t.Fatalf("got %+v", r)
	}
	// The Replace flag requires every RuleData to be ROW_ADD.
	decodeFails(t, "41 00 01 01 0100 04 0100 14007466 0200000000000000", nil, true)
	// PropertyValueCount must be greater than zero.
	decodeFails(t, "41 00 01 00 0100 04 0000", nil, true)
}

// Rules built in Go encode to what decodes back to them.
func TestModifyRulesBuilt(t *testing.T) {
	actions := &prop.RuleActions{Actions: []prop.ActionBlock{
		prop.MoveAction(prop.MakeID(1, 0x42)),
		prop.MarkAsReadAction(),
		prop.ForwardAction(0, prop.Recipient("Bo", "SMTP", "bo@example.com")),
	}}
	req := &ModifyRulesRequest{RulesData: []RuleData{{
		RuleDataFlags: RowAdd,
		PropertyValues: []prop.TaggedValue{
			{Tag: 0x6681001F, Value: "RuleOrganizer"}, // PidTagRuleProvider
			{Tag: 0x667900FD, Value: &prop.Restriction{RestrictType: prop.RestrictExist, PropTag: 0x0037001F}},
			{Tag: 0x668000FE, Value: actions},
		},
	}}}
	b, err := Encode(nil, req, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := checkRequest(t, hex.EncodeToString(b), nil).(*ModifyRulesRequest)
	acts := got.RulesData[0].PropertyValues[2].Value.(*prop.RuleActions)
	if len(acts.Actions) != 3 || acts.Actions[0].MoveCopy.ServerEid.FolderId != prop.MakeID(1, 0x42) ||
		acts.Actions[1].ActionType != prop.OpMarkAsRead ||
		acts.Actions[2].RecipientBlocks[0].PropertyValues[2].Value.(string) != "bo@example.com" {
		t.Fatalf("got %+v", acts)
	}
}

func TestUpdateDeferredActionMessages(t *testing.T) {
	req := checkRequest(t, "57 00 01"+ // RopId, LogonId, InputHandleIndex
		"0300"+ // ServerEntryIdSize
		"aabbcc"+ // ServerEntryId
		"0200"+ // ClientEntryIdSize
		"ddee", // ClientEntryId
		nil).(*UpdateDeferredActionMessagesRequest)
	if string(req.ServerEntryId) != "\xaa\xbb\xcc" || string(req.ClientEntryId) != "\xdd\xee" {
		t.Fatalf("got %+v", req)
	}
	decodeFails(t, "57 00 01 0300 aabbcc 0500 ddee", nil, true)
	checkResponse(t, "57 01 00000000", nil) // RopId, InputHandleIndex, ReturnValue
}

package rop

import (
	"github.com/mapiscope/mapiscope/decode/prop"
	"github.com/mapiscope/mapiscope/decode/wire"
)

// The rule ROPs of [MS-OXCROPS] 2.2.11, whose semantics [MS-OXORULE]
// specifies. A rule's PidTagRuleCondition (PtypRestriction) and
// PidTagRuleActions (PtypRuleAction) values decode through prop.CodecValue
// as a restriction and a prop.RuleActions with 16-bit counts.

// ModifyRulesFlag — [MS-OXORULE] 2.2.1.1: the R bit replaces the folder's
// whole rule set.
var modifyRulesFlagSym = wire.Flags(
	wire.Flag{Mask: 0x01, Name: "Replace"},
)

// RuleDataFlags — [MS-OXORULE] 2.2.1.3.
var ruleDataFlagsSym = wire.Flags(
	wire.Flag{Mask: 0x01, Name: "ROW_ADD"},
	wire.Flag{Mask: 0x02, Name: "ROW_MODIFY"},
	wire.Flag{Mask: 0x04, Name: "ROW_REMOVE"},
)

// TableFlags of RopGetRulesTable — [MS-OXORULE] 2.2.2.1: the U bit asks for
// string columns in Unicode.
var rulesTableFlagsSym = wire.Flags(
	wire.Flag{Mask: 0x40, Name: "Unicode"},
)

// Flag values of the rule ROPs — [MS-OXORULE] 2.2.1.1, 2.2.1.3, 2.2.2.1.
const (
	ModifyRulesReplace uint8 = 0x01 // ModifyRulesFlag
	RowAdd             uint8 = 0x01 // RuleDataFlags
	RowModify          uint8 = 0x02 // RuleDataFlags
	RowRemove          uint8 = 0x04 // RuleDataFlags
	RulesTableUnicode  uint8 = 0x40 // TableFlags
)

// ---- RopModifyRules 0x41 ----

// RuleData is one change to a folder's rule set — [MS-OXCROPS]
// 2.2.11.1.1.1, [MS-OXORULE] 2.2.1.3. ROW_ADD carries the rule's
// properties, ROW_MODIFY its PidTagRuleId and the changed properties,
// ROW_REMOVE only its PidTagRuleId.
type RuleData struct {
	RuleDataFlags  uint8
	PropertyValues []prop.TaggedValue
}

// RopModifyRules request — [MS-OXCROPS] 2.2.11.1.1. ([MS-OXORULE] 2.2.1.1
// spells the flags field ModifyRulesFlags; [MS-OXCROPS] ModifyRulesFlag.)
type ModifyRulesRequest struct {
	RequestHeader
	ModifyRulesFlag uint8
	RulesData       []RuleData
}

func (r *ModifyRulesRequest) Codec(c *wire.Codec, ctx *Ctx) {
	r.RequestHeader.Codec(c, 0x41)
	c.U8(&r.ModifyRulesFlag, "ModifyRulesFlag")
	c.Hex().Named(modifyRulesFlagSym)
	// A RuleData is at least its flags byte and 16-bit count.
	n := c.Count16(len(r.RulesData), 3, "RulesCount")
	wire.Make(c, &r.RulesData, n)
	c.BeginArray("RulesData")
	for i := range r.RulesData {
		if c.Failed() {
			break
		}
		d := &r.RulesData[i]
		c.Begin("")
		c.U8(&d.RuleDataFlags, "RuleDataFlags")
		c.Hex().Named(ruleDataFlagsSym)
		prop.CodecTaggedList(c, &d.PropertyValues, "PropertyValueCount", "PropertyValues", 2, prop.ROP)
		if c.Decoding() && !c.Failed() {
			if r.ModifyRulesFlag&ModifyRulesReplace != 0 && d.RuleDataFlags != RowAdd {
				c.Note("RuleData %d: RuleDataFlags 0x%02X where the Replace flag requires ROW_ADD", i, d.RuleDataFlags)
			}
			if len(d.PropertyValues) == 0 {
				c.Note("RuleData %d: PropertyValueCount is 0; it must be greater than zero", i)
			}
		}
		c.End()
	}
	c.End()
}

// RopModifyRules response — [MS-OXCROPS] 2.2.11.1.2 (header only).
type ModifyRulesResponse struct {
	ResponseHeader
}

func (r *ModifyRulesResponse) Codec(c *wire.Codec, ctx *Ctx) {
	r.ResponseHeader.Codec(c, 0x41, "InputHandleIndex")
}

// ---- RopGetRulesTable 0x3F ----

// RopGetRulesTable request — [MS-OXCROPS] 2.2.11.2.1. It opens the
// folder's rules as a Table object.
type GetRulesTableRequest struct {
	RequestHeader
	OutputHandleIndex uint8
	TableFlags        uint8
}

func (r *GetRulesTableRequest) Codec(c *wire.Codec, ctx *Ctx) {
	r.RequestHeader.Codec(c, 0x3F)
	OutputHandle(c, ctx, &r.OutputHandleIndex)
	c.U8(&r.TableFlags, "TableFlags")
	c.Hex().Named(rulesTableFlagsSym)
}

// RopGetRulesTable response — [MS-OXCROPS] 2.2.11.2.2 (header only).
type GetRulesTableResponse struct {
	ResponseHeader
}

func (r *GetRulesTableResponse) Codec(c *wire.Codec, ctx *Ctx) {
	r.ResponseHeader.Codec(c, 0x3F, "OutputHandleIndex")
}

// ---- RopUpdateDeferredActionMessages 0x57 ----

// RopUpdateDeferredActionMessages request — [MS-OXCROPS] 2.2.11.3.1.
// ServerEntryId is a message EntryID as the server knows it (the
// PidTagDeferredActionMessageOriginalEntryId of deferred action messages),
// ClientEntryId the EntryID the client has for the same message.
type UpdateDeferredActionMessagesRequest struct {
	RequestHeader
	ServerEntryId []byte
	ClientEntryId []byte
}

func (r *UpdateDeferredActionMessagesRequest) Codec(c *wire.Codec, ctx *Ctx) {
	r.RequestHeader.Codec(c, 0x57)
	codecSizedBytes(c, &r.ServerEntryId, "ServerEntryIdSize", "ServerEntryId")
	codecSizedBytes(c, &r.ClientEntryId, "ClientEntryIdSize", "ClientEntryId")
}

// RopUpdateDeferredActionMessages response — [MS-OXCROPS] 2.2.11.3.2
// (header only).
type UpdateDeferredActionMessagesResponse struct {
	ResponseHeader
}

func (r *UpdateDeferredActionMessagesResponse) Codec(c *wire.Codec, ctx *Ctx) {
	r.ResponseHeader.Codec(c, 0x57, "InputHandleIndex")
}

func init() {
	register(Info{ID: 0x41, Section: "2.2.11.1",
		Request:  func() Request { return &ModifyRulesRequest{} },
		Response: func() Response { return &ModifyRulesResponse{} }})
	register(Info{ID: 0x3F, Section: "2.2.11.2",
		Request:  func() Request { return &GetRulesTableRequest{} },
		Response: func() Response { return &GetRulesTableResponse{} }})
	register(Info{ID: 0x57, Section: "2.2.11.3",
		Request:  func() Request { return &UpdateDeferredActionMessagesRequest{} },
		Response: func() Response { return &UpdateDeferredActionMessagesResponse{} }})
}

package prop

import (
	"fmt"

	"github.com/mapiscope/mapiscope/decode/wire"
)

// RuleActions is a RuleAction structure — [MS-OXORULE] 2.2.5: NoOfActions
// then that many ActionBlocks. It is the value of a PtypRuleAction property
// (PidTagRuleActions) in standard rules, where the counts and sizes inside
// are 16 bits (Width ROP), and the RuleActionsBuffer of
// PidTagExtendedRuleMessageActions in extended rules, where they are 32
// bits (Width Wide).
type RuleActions struct {
	Actions []ActionBlock
}

// ActionType values — [MS-OXORULE] 2.2.5.1.
const (
	OpMove        uint8 = 0x01
	OpCopy        uint8 = 0x02
	OpReply       uint8 = 0x03
	OpOOFReply    uint8 = 0x04
	OpDeferAction uint8 = 0x05
	OpBounce      uint8 = 0x06
	OpForward     uint8 = 0x07
	OpDelegate    uint8 = 0x08
	OpTag         uint8 = 0x09
	OpDelete      uint8 = 0x0A
	OpMarkAsRead  uint8 = 0x0B
)

var actionTypeNames = [...]string{
	"", "OP_MOVE", "OP_COPY", "OP_REPLY", "OP_OOF_REPLY", "OP_DEFER_ACTION",
	"OP_BOUNCE", "OP_FORWARD", "OP_DELEGATE", "OP_TAG", "OP_DELETE", "OP_MARK_AS_READ",
}

// ActionTypeName names an ActionType ("OP_MOVE"), or "" when unknown.
func ActionTypeName(t uint8) string {
	if int(t) < len(actionTypeNames) {
		return actionTypeNames[t]
	}
	return ""
}

func actionTypeSym(v uint64) string {
	if v > 0xFF {
		return ""
	}
	return ActionTypeName(uint8(v))
}

// ActionFlavor flags — [MS-OXORULE] 2.2.5.1.1. OP_FORWARD takes PR, NC, AT
// and TM; OP_REPLY and OP_OOF_REPLY take NS and ST; every other action has
// flavor 0.
const (
	FlavorPR uint32 = 0x00000001 // forward: preserve sender, mark autoforwarded
	FlavorNC uint32 = 0x00000002 // forward: no changes to the message
	FlavorAT uint32 = 0x00000004 // forward as an attachment
	FlavorTM uint32 = 0x00000008 // forward as an SMS text message
	FlavorNS uint32 = 0x00000001 // reply: do not send to the message sender
	FlavorST uint32 = 0x00000002 // reply: use server-defined text
)

var forwardFlavorSym = wire.Flags(
	wire.Flag{Mask: 0x1, Name: "PR"},
	wire.Flag{Mask: 0x2, Name: "NC"},
	wire.Flag{Mask: 0x4, Name: "AT"},
	wire.Flag{Mask: 0x8, Name: "TM"},
)

var replyFlavorSym = wire.Flags(
	wire.Flag{Mask: 0x1, Name: "NS"},
	wire.Flag{Mask: 0x2, Name: "ST"},
)

// BounceCode values of OP_BOUNCE — [MS-OXORULE] 2.2.5.1.2.3.
const (
	BounceMessageTooLarge uint32 = 0x0000000D
	BounceCannotDisplay   uint32 = 0x0000001F
	BounceDenied          uint32 = 0x00000026
)

var bounceCodeSym = wire.Enum(
	wire.Flag{Mask: 0x0D, Name: "message too large"},
	wire.Flag{Mask: 0x1F, Name: "message cannot be displayed"},
	wire.Flag{Mask: 0x26, Name: "delivery denied"},
)

// ActionBlock is one action of a rule — [MS-OXORULE] 2.2.5.1. Which
// ActionData field is used depends on ActionType:
//
//	OP_MOVE, OP_COPY          MoveCopy
//	OP_REPLY, OP_OOF_REPLY    Reply
//	OP_DEFER_ACTION           DeferredActionData
//	OP_BOUNCE                 BounceCode
//	OP_FORWARD, OP_DELEGATE   RecipientBlocks
//	OP_TAG                    Tag
//	OP_DELETE, OP_MARK_AS_READ (no data)
//	any other type            ActionData (the raw bytes)
//
// ActionLength is not kept: it is the encoded size of the fields after it.
type ActionBlock struct {
	ActionType   uint8
	ActionFlavor uint32
	ActionFlags  uint32

	MoveCopy           *MoveCopyAction
	Reply              *ReplyAction
	DeferredActionData []byte
	BounceCode         uint32
	RecipientBlocks    []RecipientBlock
	Tag                TaggedValue
	ActionData         []byte
}

// MoveCopyAction is the ActionData of OP_MOVE and OP_COPY —
// [MS-OXORULE] 2.2.5.1.2.1. In a standard rule FolderInThisStore says
// whether the destination is in the user's mailbox; if so FolderEID holds a
// ServerEid (decoded into ServerEid, FolderEID then nil) and StoreEID is
// ignored. Otherwise FolderEID is a Folder EntryID and StoreEID the Store
// Object EntryID of the other store. Extended rules have no
// FolderInThisStore: FolderEID is always a Folder EntryID.
type MoveCopyAction struct {
	FolderInThisStore bool
	StoreEID          []byte
	FolderEID         []byte
	ServerEid         *ServerEid
}

// ServerEid identifies a folder of the user's mailbox in a standard rule's
// move or copy action — [MS-OXORULE] 2.2.5.1.2.1.1. Ours is 0x01;
// MessageId and Instance are unused and zero.
type ServerEid struct {
	Ours      uint8
	FolderId  ID
	MessageId ID
	Instance  uint32
}

// serverEidSize is the encoded size of a ServerEid.
const serverEidSize = 1 + 8 + 8 + 4

// ReplyAction is the ActionData of OP_REPLY and OP_OOF_REPLY —
// [MS-OXORULE] 2.2.5.1.2.2. A standard rule names the reply template (an
// FAI message) by ReplyTemplateFID and ReplyTemplateMID, an extended rule
// by ReplyTemplateMessageEID (a Message EntryID); both carry
// ReplyTemplateGUID, the template's PidTagReplyTemplateId.
type ReplyAction struct {
	ReplyTemplateFID        ID
	ReplyTemplateMID        ID
	ReplyTemplateMessageEID []byte
	ReplyTemplateGUID       GUID
}

// RecipientBlock is a RecipientBlockData — [MS-OXORULE] 2.2.5.1.2.4.1: one
// recipient of a forward or delegate action, at least PidTagDisplayName,
// PidTagEmailAddress and PidTagRecipientType.
type RecipientBlock struct {
	Reserved       uint8
	PropertyValues []TaggedValue
}

// CodecRuleActions reads or writes a RuleAction structure. w is ROP for
// standard rules (NoOfActions, ActionLength, RecipientCount,
// NoOfProperties and the EntryID sizes of a move/copy action are 16 bits,
// binary values have 16-bit counts) and Wide for extended rules (all 32
// bits).
func CodecRuleActions(c *wire.Codec, r *RuleActions, name string, w Width) {
	c.Begin(name)
	// The smallest ActionBlock is ActionLength plus ActionType,
	// ActionFlavor and ActionFlags.
	var n int
	if w == Wide {
		n = c.Count32(len(r.Actions), 4+9, "NoOfActions")
	} else {
		n = c.Count16(len(r.Actions), 2+9, "NoOfActions")
	}
	wire.Make(c, &r.Actions, n)
	c.BeginArray("ActionBlocks")
	for i := range r.Actions {
		if c.Failed() {
			break
		}
		CodecActionBlock(c, &r.Actions[i], "", w)
	}
	c.End()
	c.End()
}

// CodecActionBlock reads or writes one ActionBlock, its ActionLength
// derived from the fields that follow it.
func CodecActionBlock(c *wire.Codec, a *ActionBlock, name string, w Width) {
	c.Begin(name)
	width := 2
	if w == Wide {
		width = 4
	}
	c.Sized(width, "ActionLength", func() {
		c.U8(&a.ActionType, "ActionType")
		c.Hex().Named(actionTypeSym)
		c.SetTitle(ActionTypeName(a.ActionType))
		c.U32(&a.ActionFlavor, "ActionFlavor")
		switch a.ActionType {
		case OpForward:
			c.Hex().Named(forwardFlavorSym)
		case OpReply, OpOOFReply:
			c.Hex().Named(replyFlavorSym)
		default:
			c.Hex()
			if c.Decoding() && a.ActionFlavor != 0 && !c.Failed() {
				c.NoteAt(c.Pos()-4, "ActionFlavor 0x%08X must be 0 for %s", a.ActionFlavor, nameOrHex(a.ActionType))
			}
		}
		c.U32(&a.ActionFlags, "ActionFlags")
		c.Hex()
		codecActionData(c, a, w)
	})
	c.End()
}

func nameOrHex(t uint8) string {
	if n := ActionTypeName(t); n != "" {
		return n
	}
	return fmt.Sprintf("ActionType 0x%02X", t)
}

// codecActionData reads or writes the ActionData of a's type; decoding is
// limited to the ActionLength region.
func codecActionData(c *wire.Codec, a *ActionBlock, w Width) {
	switch a.ActionType {
	case OpMove, OpCopy:
		if c.Decoding() {
			a.MoveCopy = &MoveCopyAction{}
		} else if a.MoveCopy == nil {
			c.EncodeError("%s action has no MoveCopy data", ActionTypeName(a.ActionType))
			return
		}
		codecMoveCopy(c, a.MoveCopy, w)
	case OpReply, OpOOFReply:
		if c.Decoding() {
			a.Reply = &ReplyAction{}
		} else if a.Reply == nil {
			c.EncodeError("%s action has no Reply data", ActionTypeName(a.ActionType))
			return
		}
		codecReply(c, a.Reply, w)
	case OpDeferAction:
		// Client-defined bytes filling the rest of the action.
		c.Rest(&a.DeferredActionData, "DeferredActionData")
	case OpBounce:
		c.Begin("ActionData")
		c.U32(&a.BounceCode, "BounceCode")
		c.Hex().Named(bounceCodeSym)
		c.End()
	case OpForward, OpDelegate:
		codecRecipientBlocks(c, &a.RecipientBlocks, w)
	case OpTag:
		CodecTagged(c, &a.Tag, "ActionData", w)
	case OpDelete, OpMarkAsRead:
		// No ActionData.
	default:
		if c.Decoding() {
			c.Note("unknown ActionType 0x%02X: ActionData kept as bytes", a.ActionType)
		}
		c.Rest(&a.ActionData, "ActionData")
	}
}

func codecMoveCopy(c *wire.Codec, m *MoveCopyAction, w Width) {
	c.Begin("ActionData")
	if w == Wide {
		if c.Encoding() && m.ServerEid != nil && m.FolderEID == nil {
			c.EncodeError("move/copy action: an extended rule names its folder by a Folder EntryID, not a ServerEid")
			return
		}
		n := c.Count32(len(m.StoreEID), 1, "StoreEIDSize")
		c.Fixed(&m.StoreEID, n, "StoreEID")
		c.Sized(4, "FolderEIDSize", func() { c.Rest(&m.FolderEID, "FolderEID") })
		c.End()
		return
	}
	c.Bool8(&m.FolderInThisStore, "FolderInThisStore")
	n := c.Count16(len(m.StoreEID), 1, "StoreEIDSize")
	c.Fixed(&m.StoreEID, n, "StoreEID")
	c.Sized(2, "FolderEIDSize", func() {
		useServerEid := false
		if c.Decoding() {
			if m.FolderInThisStore {
				ours, _ := c.Peek8()
				useServerEid = c.Remaining() == serverEidSize && ours == 0x01
				if !useServerEid && ours == 0x01 {
					c.Note("FolderEID: a ServerEid is %d bytes, not %d", serverEidSize, c.Remaining())
				}
			}
			if useServerEid {
				m.ServerEid = &ServerEid{}
			}
		} else {
			useServerEid = m.ServerEid != nil
		}
		if useServerEid {
			codecServerEid(c, m.ServerEid, "FolderEID")
		} else {
			c.Rest(&m.FolderEID, "FolderEID")
		}
	})
	c.End()
}

// codecServerEid reads or writes a ServerEid (21 bytes).
func codecServerEid(c *wire.Codec, s *ServerEid, name string) {
	c.Begin(name)
	c.U8(&s.Ours, "Ours")
	c.Hex()
	CodecID(c, &s.FolderId, "FolderId")
	CodecID(c, &s.MessageId, "MessageId")
	c.U32(&s.Instance, "Instance")
	c.Hex()
	if c.Decoding() && !c.Failed() && (s.MessageId != 0 || s.Instance != 0) {
		c.Note("ServerEid: MessageId and Instance must be zero")
	}
	c.End()
}

func codecReply(c *wire.Codec, r *ReplyAction, w Width) {
	c.Begin("ActionData")
	if w == Wide {
		n := c.Count32(len(r.ReplyTemplateMessageEID), 1, "MessageEIDSize")
		c.Fixed(&r.ReplyTemplateMessageEID, n, "ReplyTemplateMessageEID")
	} else {
		CodecID(c, &r.ReplyTemplateFID, "ReplyTemplateFID")
		CodecID(c, &r.ReplyTemplateMID, "ReplyTemplateMID")
	}
	CodecGUID(c, &r.ReplyTemplateGUID, "ReplyTemplateGUID")
	c.End()
}

// codecRecipientBlocks reads or writes RecipientCount and the
// RecipientBlockData structures. RecipientCount and each NoOfProperties are
// 16 bits in standard rules and 32 bits in extended rules. ([MS-OXORULE]
// 2.2.5.1.2.4.1 now gives NoOfProperties as 4 bytes without distinction;
// servers that interoperate with Outlook read 2 bytes in standard rules,
// as the other counts of the form are, and so does this codec.)
func codecRecipientBlocks(c *wire.Codec, l *[]RecipientBlock, w Width) {
	c.Begin("ActionData")
	var n int
	if w == Wide {
		n = c.Count32(len(*l), 1+4, "RecipientCount")
	} else {
		n = c.Count16(len(*l), 1+2, "RecipientCount")
	}
	if c.Decoding() && !c.Failed() && n == 0 {
		c.Note("RecipientCount is 0; it must be greater than zero")
	}
	wire.Make(c, l, n)
	c.BeginArray("RecipientBlocks")
	for i := range *l {
		if c.Failed() {
			break
		}
		b := &(*l)[i]
		c.Begin("")
		c.U8(&b.Reserved, "Reserved")
		c.Hex()
		countWidth := 2
		if w == Wide {
			countWidth = 4
		}
		CodecTaggedList(c, &b.PropertyValues, "NoOfProperties", "PropertyValues", countWidth, w)
		if c.Decoding() && !c.Failed() && len(b.PropertyValues) == 0 {
			c.Note("RecipientBlockData %d: NoOfProperties is 0; it must be greater than zero", i)
		}
		c.End()
	}
	c.End()
	c.End()
}

// ---- building actions ----

// serverStoreEID is the StoreEID written for a destination in the user's
// own mailbox, where the field is ignored but must not be empty
// ([MS-OXORULE] 2.2.5.1.2.1).
var serverStoreEID = []byte{0x01}

// MoveAction returns a standard-rule OP_MOVE to folder fid of the user's
// mailbox.
func MoveAction(fid ID) ActionBlock { return moveCopy(OpMove, fid) }

// CopyAction returns a standard-rule OP_COPY to folder fid of the user's
// mailbox.
func CopyAction(fid ID) ActionBlock { return moveCopy(OpCopy, fid) }

func moveCopy(op uint8, fid ID) ActionBlock {
	return ActionBlock{ActionType: op, MoveCopy: &MoveCopyAction{
		FolderInThisStore: true,
		StoreEID:          append([]byte(nil), serverStoreEID...),
		ServerEid:         &ServerEid{Ours: 0x01, FolderId: fid},
	}}
}

// ReplyActionOf returns a standard-rule OP_REPLY or OP_OOF_REPLY (op) using
// the reply template message mid in folder fid, whose PidTagReplyTemplateId
// is guid; flavor is 0, FlavorNS and/or FlavorST.
func ReplyActionOf(op uint8, flavor uint32, fid, mid ID, guid GUID) ActionBlock {
	return ActionBlock{ActionType: op, ActionFlavor: flavor, Reply: &ReplyAction{
		ReplyTemplateFID: fid, ReplyTemplateMID: mid, ReplyTemplateGUID: guid,
	}}
}

// DeferAction returns an OP_DEFER_ACTION carrying client-defined data.
func DeferAction(data []byte) ActionBlock {
	return ActionBlock{ActionType: OpDeferAction, DeferredActionData: data}
}

// BounceAction returns an OP_BOUNCE with a BounceCode.
func BounceAction(code uint32) ActionBlock {
	return ActionBlock{ActionType: OpBounce, BounceCode: code}
}

// ForwardAction returns an OP_FORWARD to recipients; flavor is 0 or a
// combination of FlavorPR, FlavorNC, FlavorAT, FlavorTM.
func ForwardAction(flavor uint32, recipients ...RecipientBlock) ActionBlock {
	return ActionBlock{ActionType: OpForward, ActionFlavor: flavor, RecipientBlocks: recipients}
}

// DelegateAction returns an OP_DELEGATE to recipients.
func DelegateAction(recipients ...RecipientBlock) ActionBlock {
	return ActionBlock{ActionType: OpDelegate, RecipientBlocks: recipients}
}

// TagAction returns an OP_TAG setting one property on the message.
func TagAction(v TaggedValue) ActionBlock {
	return ActionBlock{ActionType: OpTag, Tag: v}
}

// DeleteAction returns an OP_DELETE.
func DeleteAction() ActionBlock { return ActionBlock{ActionType: OpDelete} }

// MarkAsReadAction returns an OP_MARK_AS_READ.
func MarkAsReadAction() ActionBlock { return ActionBlock{ActionType: OpMarkAsRead} }

// Property tags of a RecipientBlockData's minimum set.
const (
	tagDisplayName   Tag = 0x3001001F // PidTagDisplayName
	tagAddressType   Tag = 0x3002001F // PidTagAddressType
	tagEmailAddress  Tag = 0x3003001F // PidTagEmailAddress
	tagRecipientType Tag = 0x0C150003 // PidTagRecipientType
)

// Recipient returns a RecipientBlock for a To recipient with the
// properties [MS-OXORULE] 2.2.5.1.2.4.1 requires (display name, address
// type such as "SMTP", email address, recipient type). Reserved is
// implementation-specific; 0x01 is written.
func Recipient(displayName, addressType, emailAddress string) RecipientBlock {
	return RecipientBlock{Reserved: 0x01, PropertyValues: []TaggedValue{
		{Tag: tagDisplayName, Value: displayName},
		{Tag: tagAddressType, Value: addressType},
		{Tag: tagEmailAddress, Value: emailAddress},
		{Tag: tagRecipientType, Value: int32(1)}, // MAPI_TO
	}}
}

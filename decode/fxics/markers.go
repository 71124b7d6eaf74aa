package fxics

import (
	"fmt"

	"github.com/mapiscope/mapiscope/decode/prop"
)

// Marker is a FastTransfer stream marker: a 4-byte value shaped like a
// property tag that carries no value — [MS-OXCFXICS] 2.2.4.1.4.
type Marker uint32

// The markers of [MS-OXCFXICS] 2.2.4.1.4, all of them.
const (
	StartTopFld            Marker = 0x40090003
	EndFolder              Marker = 0x400B0003
	StartSubFld            Marker = 0x400A0003
	StartMessage           Marker = 0x400C0003
	EndMessage             Marker = 0x400D0003
	StartFAIMsg            Marker = 0x40100003
	StartEmbed             Marker = 0x40010003
	EndEmbed               Marker = 0x40020003
	StartRecip             Marker = 0x40030003
	EndToRecip             Marker = 0x40040003
	NewAttach              Marker = 0x40000003
	EndAttach              Marker = 0x400E0003
	IncrSyncChg            Marker = 0x40120003
	IncrSyncChgPartial     Marker = 0x407D0003
	IncrSyncDel            Marker = 0x40130003
	IncrSyncEnd            Marker = 0x40140003
	IncrSyncRead           Marker = 0x402F0003
	IncrSyncStateBegin     Marker = 0x403A0003
	IncrSyncStateEnd       Marker = 0x403B0003
	IncrSyncProgressMode   Marker = 0x4074000B
	IncrSyncProgressPerMsg Marker = 0x4075000B
	IncrSyncMessage        Marker = 0x40150003
	IncrSyncGroupInfo      Marker = 0x407B0102
	FXErrorInfo            Marker = 0x40180003
)

var markerNames = map[Marker]string{
	StartTopFld: "StartTopFld", EndFolder: "EndFolder", StartSubFld: "StartSubFld",
	StartMessage: "StartMessage", EndMessage: "EndMessage", StartFAIMsg: "StartFAIMsg",
	StartEmbed: "StartEmbed", EndEmbed: "EndEmbed", StartRecip: "StartRecip",
	EndToRecip: "EndToRecip", NewAttach: "NewAttach", EndAttach: "EndAttach",
	IncrSyncChg: "IncrSyncChg", IncrSyncChgPartial: "IncrSyncChgPartial",
	IncrSyncDel: "IncrSyncDel", IncrSyncEnd: "IncrSyncEnd", IncrSyncRead: "IncrSyncRead",
	IncrSyncStateBegin: "IncrSyncStateBegin", IncrSyncStateEnd: "IncrSyncStateEnd",
	IncrSyncProgressMode: "IncrSyncProgressMode", IncrSyncProgressPerMsg: "IncrSyncProgressPerMsg",
	IncrSyncMessage: "IncrSyncMessage", IncrSyncGroupInfo: "IncrSyncGroupInfo",
	FXErrorInfo: "FXErrorInfo",
}

// IsMarker reports whether a 32-bit value read where a propValue or marker
// may start is a marker. Markers win over the property reading of the same
// bits (StartTopFld is not a PtypInteger32 property 0x4009).
func IsMarker(v uint32) bool {
	// All markers have ids 0x4000..0x407D; a range test first keeps the
	// common case (an ordinary property tag) off the map.
	if v>>16 < 0x4000 || v>>16 > 0x407D {
		return false
	}
	_, ok := markerNames[Marker(v)]
	return ok
}

func (m Marker) String() string {
	if n, ok := markerNames[m]; ok {
		return n
	}
	return fmt.Sprintf("Marker(0x%08X)", uint32(m))
}

// Meta-properties — [MS-OXCFXICS] 2.2.4.1.5 — and the ICS state and
// deletion/read-state properties of [MS-OXCFXICS] 2.2.1 that FastTransfer
// streams carry as ordinary propValues.
const (
	MetaTagFXDelProp                     prop.Tag = 0x40160003
	MetaTagEcWarning                     prop.Tag = 0x400F0003
	MetaTagNewFXFolder                   prop.Tag = 0x40110102
	MetaTagIncrSyncGroupId               prop.Tag = 0x407C0003
	MetaTagIncrementalSyncMessagePartial prop.Tag = 0x407A0003
	MetaTagDnPrefix                      prop.Tag = 0x4008001E

	// MetaTagIdsetGiven is typed PtypInteger32 but its value is serialized
	// like a PtypBinary: a 4-byte length, then a REPLGUID-based IDSET
	// ([MS-OXCFXICS] 2.2.1.1.1).
	MetaTagIdsetGiven   prop.Tag = 0x40170003
	MetaTagCnsetSeen    prop.Tag = 0x67960102
	MetaTagCnsetSeenFAI prop.Tag = 0x67DA0102
	MetaTagCnsetRead    prop.Tag = 0x67D20102

	MetaTagIdsetDeleted         prop.Tag = 0x67E50102
	MetaTagIdsetNoLongerInScope prop.Tag = 0x40210102
	MetaTagIdsetExpired         prop.Tag = 0x67930102
	MetaTagIdsetRead            prop.Tag = 0x402D0102
	MetaTagIdsetUnread          prop.Tag = 0x402E0102
)

// Properties the grammar itself refers to.
const (
	PidTagAttachNumber             prop.Tag = 0x0E210003
	PidTagAttachMethod             prop.Tag = 0x37050003
	PidTagMessageRecipients        prop.Tag = 0x0E12000D
	PidTagMessageAttachments       prop.Tag = 0x0E13000D
	PidTagContainerHierarchy       prop.Tag = 0x360E000D
	PidTagContainerContents        prop.Tag = 0x360F000D
	PidTagFolderAssociatedContents prop.Tag = 0x3610000D
	PidTagSourceKey                prop.Tag = 0x65E00102
	PidTagParentSourceKey          prop.Tag = 0x65E10102
	PidTagChangeKey                prop.Tag = 0x65E20102
	PidTagPredecessorChangeList    prop.Tag = 0x65E30102
	PidTagChangeNumber             prop.Tag = 0x67A40014
	PidTagFolderId                 prop.Tag = 0x67480014
	PidTagParentFolderId           prop.Tag = 0x67490014
	PidTagMid                      prop.Tag = 0x674A0014
	PidTagInstID                   prop.Tag = 0x674D0014
	PidTagAssociated               prop.Tag = 0x67AA000B
	PidTagMessageSize              prop.Tag = 0x0E080003
	PidTagLastModificationTime     prop.Tag = 0x30080040
	PidTagDisplayName              prop.Tag = 0x3001001F
	PidTagFolderType               prop.Tag = 0x36010003
	PidTagContainerClass           prop.Tag = 0x3613001F
)

// syntacticMeta reports the meta-properties that delimit grammar elements
// (as opposed to the ones that are simply values inside a propList).
func syntacticMeta(t prop.Tag) bool {
	switch t {
	case MetaTagFXDelProp, MetaTagEcWarning, MetaTagNewFXFolder, MetaTagIncrSyncGroupId,
		MetaTagIncrementalSyncMessagePartial, MetaTagDnPrefix:
		return true
	}
	return false
}

// IDSetTag reports whether a property holds a serialized IDSET and in which
// form ([MS-OXCFXICS] 3.1.5.4.2): the ICS state properties persist the
// REPLGUID-based form, the transient deletion and read-state sets the
// REPLID-based form.
func IDSetTag(t prop.Tag) (form IDSetForm, ok bool) {
	switch t {
	case MetaTagIdsetGiven, MetaTagCnsetSeen, MetaTagCnsetSeenFAI, MetaTagCnsetRead,
		MetaTagIdsetGiven&0xFFFF0000 | 0x0102:
		return FormREPLGUID, true
	case MetaTagIdsetDeleted, MetaTagIdsetNoLongerInScope, MetaTagIdsetExpired,
		MetaTagIdsetRead, MetaTagIdsetUnread:
		return FormREPLID, true
	}
	return FormUnknown, false
}

package store

import "github.com/mapiscope/mapiscope/decode/prop"

// Property tags the store reads or computes itself ([MS-OXPROPS]).
const (
	TagDisplayName                  prop.Tag = 0x3001001F
	TagContainerClass               prop.Tag = 0x3613001F
	TagFolderType                   prop.Tag = 0x36010003
	TagContentCount                 prop.Tag = 0x36020003
	TagContentUnreadCount           prop.Tag = 0x36030003
	TagAssociatedContentCount       prop.Tag = 0x36170003
	TagSubfolders                   prop.Tag = 0x360A000B
	TagFolderId                     prop.Tag = 0x67480014
	TagParentFolderId               prop.Tag = 0x67490014
	TagMid                          prop.Tag = 0x674A0014
	TagSourceKey                    prop.Tag = 0x65E00102
	TagParentSourceKey              prop.Tag = 0x65E10102
	TagChangeKey                    prop.Tag = 0x65E20102
	TagPredecessorChangeList        prop.Tag = 0x65E30102
	TagChangeNumber                 prop.Tag = 0x67A40014
	TagLastModificationTime         prop.Tag = 0x30080040
	TagCreationTime                 prop.Tag = 0x30070040
	TagMessageFlags                 prop.Tag = 0x0E070003
	TagMessageSize                  prop.Tag = 0x0E080003
	TagMessageClass                 prop.Tag = 0x001A001F
	TagSubject                      prop.Tag = 0x0037001F
	TagNormalizedSubject            prop.Tag = 0x0E1D001F
	TagBody                         prop.Tag = 0x1000001F
	TagHtml                         prop.Tag = 0x10130102
	TagAttachNumber                 prop.Tag = 0x0E210003
	TagAttachMethod                 prop.Tag = 0x37050003
	TagAttachDataBinary             prop.Tag = 0x37010102
	TagAttachDataObject             prop.Tag = 0x3701000D
	TagAttachFilename               prop.Tag = 0x3704001F
	TagAttachLongFilename           prop.Tag = 0x3707001F
	TagAttachExtension              prop.Tag = 0x3703001F
	TagAttachMimeTag                prop.Tag = 0x370E001F
	TagAttachSize                   prop.Tag = 0x0E200003
	TagRowid                        prop.Tag = 0x30000003
	TagRecipientType                prop.Tag = 0x0C150003
	TagEmailAddress                 prop.Tag = 0x3003001F
	TagAddressType                  prop.Tag = 0x3002001F
	TagSmtpAddress                  prop.Tag = 0x39FE001F
	TagMessageRecipients            prop.Tag = 0x0E12000D
	TagMessageAttachments           prop.Tag = 0x0E13000D
	TagSenderName                   prop.Tag = 0x0C1A001F
	TagSenderEmailAddress           prop.Tag = 0x0C1F001F
	TagSenderAddressType            prop.Tag = 0x0C1E001F
	TagSenderSmtpAddress            prop.Tag = 0x5D01001F
	TagSentRepresentingName         prop.Tag = 0x0042001F
	TagSentRepresentingEmailAddress prop.Tag = 0x0065001F
	TagSentRepresentingAddressType  prop.Tag = 0x0064001F
	TagMessageDeliveryTime          prop.Tag = 0x0E060040
	TagClientSubmitTime             prop.Tag = 0x00390040
	TagDisplayTo                    prop.Tag = 0x0E04001F
	TagDisplayCc                    prop.Tag = 0x0E03001F
	TagHasAttachments               prop.Tag = 0x0E1B000B
	TagRuleId                       prop.Tag = 0x66740014
	TagRuleSequence                 prop.Tag = 0x66760003
	TagRuleState                    prop.Tag = 0x66770003
	TagRuleUserFlags                prop.Tag = 0x66780003
	TagRuleCondition                prop.Tag = 0x667900FD
	TagRuleActions                  prop.Tag = 0x668000FE
	TagRuleProvider                 prop.Tag = 0x6681001F
	TagRuleName                     prop.Tag = 0x6682001F
	TagRuleLevel                    prop.Tag = 0x66830003
	TagRuleProviderData             prop.Tag = 0x66840102
	TagMemberId                     prop.Tag = 0x66710014
	TagMemberName                   prop.Tag = 0x6672001F
	TagMemberRights                 prop.Tag = 0x66730003
	TagEntryId                      prop.Tag = 0x0FFF0102
	TagRecordKey                    prop.Tag = 0x0FF90102
	TagAccess                       prop.Tag = 0x0FF40003
	TagLocalCommitTimeMax           prop.Tag = 0x670A0040
	TagDeletedCountTotal            prop.Tag = 0x670B0003
	TagAttributeHidden              prop.Tag = 0x10F4000B
	TagComment                      prop.Tag = 0x3004001F
	TagMessageStatus                prop.Tag = 0x0E170003
	TagInternetMessageId            prop.Tag = 0x1035001F
	TagImportance                   prop.Tag = 0x00170003
	TagStartDate                    prop.Tag = 0x00600040
	TagEndDate                      prop.Tag = 0x00610040
	TagSearchKey                    prop.Tag = 0x300B0102
	TagConversationTopic            prop.Tag = 0x0070001F
	TagDisplayBcc                   prop.Tag = 0x0E02001F
	TagObjectType                   prop.Tag = 0x0FFE0003
	TagDeleteAfterSubmit            prop.Tag = 0x0E01000B
	TagMessageCodepage              prop.Tag = 0x3FFD0003
)

// PidTagMessageFlags bits — [MS-OXCMSG] 2.2.1.6.
const (
	MsgFlagRead       uint32 = 0x00000001
	MsgFlagUnmodified uint32 = 0x00000002
	MsgFlagSubmitted  uint32 = 0x00000004
	MsgFlagUnsent     uint32 = 0x00000008
	MsgFlagHasAttach  uint32 = 0x00000010
	MsgFlagFromMe     uint32 = 0x00000020
	MsgFlagAssociated uint32 = 0x00000040
)

// PidTagFolderType values — [MS-OXCFOLD] 2.2.2.2.1.3.
const (
	FolderRoot    uint32 = 0
	FolderGeneric uint32 = 1
	FolderSearch  uint32 = 2
)

// Recipient types (PidTagRecipientType).
const (
	RecipTo  uint32 = 1
	RecipCc  uint32 = 2
	RecipBcc uint32 = 3
)

// Attach methods (PidTagAttachMethod).
const (
	AttachByValue         uint32 = 1
	AttachEmbeddedMessage uint32 = 5
)

// Errors are prop.ErrorCode values so that a ROP handler can put them into
// ReturnValue as they are (errors.As(err, &code)).
const (
	ErrNotFound          = prop.ErrorCode(0x8004010F)
	ErrDuplicateName     = prop.ErrorCode(0x80040604)
	ErrFolderHasChildren = prop.ErrorCode(0x80040609)
	ErrFolderHasContents = prop.ErrorCode(0x8004060A)
	ErrAccessDenied      = prop.ErrorCode(0x80070005)
	ErrInvalidParam      = prop.ErrorCode(0x80070057)
	ErrObjectDeleted     = prop.ErrorCode(0x8004010A)
	ErrNoSupport         = prop.ErrorCode(0x80040102)
	ErrTooBig            = prop.ErrorCode(0x80040305)
	ErrObjectModified    = prop.ErrorCode(0x80040109)
	ErrNotEnoughMemory   = prop.ErrorCode(0x8007000E)
	ErrError             = prop.ErrorCode(0x80004005)
)

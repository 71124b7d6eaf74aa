package prop

// errorNames maps codes to their [MS-OXCDATA] 2.4 names.
//
// The specification names each code (GeneralFailure, NotFound, …) and lists
// alternate names in parentheses (E_FAIL, MAPI_E_CALL_FAILED, ecError, …).
// Wire traces and server logs use the "ec" names, so where the spec lists
// one or more ec names the first of them is kept (0x80004005 is "ecError",
// 0x000003F0 is "ecServerOOM" rather than its second alias ecMemory). A code
// the spec gives no ec name keeps its primary name (0x80040FFF is
// "NotImplemented", 0x80030001 "StorageInvalidFunction").
var errorNames = map[ErrorCode]string{
	// ---- [MS-OXCDATA] 2.4 Error Codes ----
	0x00000000: "Success",                   // S_OK, SUCCESS_SUCCESS (ecNone)
	0x80004005: "ecError",                   // GeneralFailure, E_FAIL, MAPI_E_CALL_FAILED
	0x8007000E: "ecMAPIOOM",                 // OutOfMemory, MAPI_E_NOT_ENOUGH_MEMORY, ecPropSize
	0x80070057: "ecInvalidParam",            // InvalidParameter, ecInvalidSession, ecBadBuffer
	0x80004002: "ecInterfaceNotSupported",   // NoInterface, E_NOINTERFACE
	0x80070005: "ecAccessDenied",            // AccessDenied, MAPI_E_NO_ACCESS, ecPropSecurityViolation
	0x80030001: "StorageInvalidFunction",    // STG_E_INVALIDFUNCTION
	0x80030005: "StorageAccessDenied",       // STG_E_ACCESSDENIED
	0x80030008: "StorageInsufficientMemory", // STG_E_INSUFFICIENTMEMORY
	0x80030009: "StorageInvalidPointer",     // STG_E_INVALIDPOINTER
	0x8003001E: "StorageReadFault",          // STG_E_READFAULT
	0x80030021: "StorageLockViolation",      // STG_E_LOCKVIOLATION
	0x80030057: "StorageInvalidParameter",   // STG_E_INVALIDPARAMETER
	0x800300FF: "StorageInvalidFlag",        // STG_E_INVALIDFLAG
	0x80030103: "StorageCantSave",           // STG_E_CANTSAVE
	0x80040102: "ecNotSupported",            // NotSupported, MAPI_E_NO_SUPPORT, ecNotImplemented
	0x80040103: "ecBadCharwidth",            // InvalidCharacterWidth, MAPI_E_BAD_CHARWIDTH
	0x80040105: "ecStringTooLarge",          // StringTooLong, MAPI_E_STRING_TOO_LONG
	0x80040106: "ecUnknownFlags",            // InvalidFlag, MAPI_E_UNKNOWN_FLAGS
	0x80040107: "ecInvalidEntryId",          // InvalidEntryID, MAPI_E_INVALID_ENTRYID
	0x80040108: "ecInvalidObject",           // InvalidObject, MAPI_E_INVALID_OBJECT
	0x80040109: "ecObjectModified",          // ObjectChanged, MAPI_E_OBJECT_CHANGED
	0x8004010A: "ecObjectDeleted",           // ObjectDeleted, MAPI_E_OBJECT_DELETED
	0x8004010B: "ecBusy",                    // ServerBusy, MAPI_E_BUSY
	0x8004010D: "ecDiskFull",                // OutOfDisk, MAPI_E_NOT_ENOUGH_DISK
	0x8004010E: "ecInsufficientResrc",       // OutOfResources, MAPI_E_NOT_ENOUGH_RESOURCES
	0x8004010F: "ecNotFound",                // NotFound, MAPI_E_NOT_FOUND, ecAttachNotFound, ecUnknownRecip, ecPropNotExistent
	0x80040110: "ecVersionMismatch",         // VersionMismatch, MAPI_E_VERSION, ecVersion
	0x80040111: "ecLoginFailure",            // LogonFailed, MAPI_E_LOGON_FAILED
	0x80040112: "ecTooManySessions",         // TooManySessions, MAPI_E_SESSION_LIMIT
	0x80040113: "ecUserAbort",               // UserCanceled, MAPI_E_USER_CANCEL
	0x80040114: "ecUnableToAbort",           // AbortFailed, MAPI_E_UNABLE_TO_ABORT
	0x80040115: "ecNetwork",                 // NetworkError, MAPI_E_NETWORK_ERROR
	0x80040116: "ecWriteFault",              // DiskError, MAPI_E_DISK_ERROR, ecReadFault
	0x80040117: "ecTooComplex",              // TooComplex, MAPI_E_TOO_COMPLEX
	0x80040118: "InvalidColumn",             // MAPI_E_BAD_COLUMN
	0x8004011A: "ecComputed",                // ComputedValue, MAPI_E_COMPUTED
	0x8004011B: "ecCorruptData",             // CorruptData, MAPI_E_CORRUPT_DATA
	0x8004011E: "InvalidCodepage",           // MAPI_E_UNKNOWN_CPID
	0x8004011F: "InvalidLocale",             // MAPI_E_UNKNOWN_LCID
	0x80040123: "ecTimeSkew",                // TimeSkew, MAPI_E_INVALID_ACCESS_TIME
	0x80040200: "EndOfSession",              // MAPI_E_END_OF_SESSION
	0x80040201: "UnknownEntryId",            // MAPI_E_UNKNOWN_ENTRYID
	0x80040400: "ecUnableToComplete",        // NotCompleted, MAPI_E_UNABLE_TO_COMPLETE
	0x80040401: "ecTimeout",                 // Timeout, MAPI_E_TIMEOUT
	0x80040402: "ecTableEmpty",              // EmptyTable, MAPI_E_TABLE_EMPTY
	0x80040403: "ecTableTooBig",             // TableTooBig, MAPI_E_TABLE_TOO_BIG
	0x80040405: "ecInvalidBookmark",         // InvalidBookmark, MAPI_E_INVALID_BOOKMARK
	0x80040500: "ecWait",                    // ErrorWait, MAPI_E_WAIT
	0x80040501: "ecCancel",                  // ErrorCancel, MAPI_E_CANCEL
	0x80040602: "NoSuppress",                // MAPI_E_NO_SUPPRESS
	0x80040604: "ecDuplicateName",           // CollidingNames, MAPI_E_COLLISION
	0x80040605: "ecNotInitialized",          // NotInitialized, MAPI_E_NOT_INITIALIZED
	0x80040607: "NoRecipients",              // MAPI_E_NO_RECIPIENTS
	0x80040608: "ecSubmitted",               // AlreadySent, MAPI_E_SUBMITTED
	0x80040609: "ecFolderHasChildren",       // HasFolders, MAPI_E_HAS_FOLDERS
	0x8004060A: "ecFolderHasContents",       // HasMessages, MAPI_E_HAS_MESSAGES
	0x8004060B: "ecRootFolder",              // FolderCycle, MAPI_E_FOLDER_CYCLE
	0x8004060D: "ecLockIdLimit",             // TooManyLocks, MAPI_E_LOCKID_LIMIT
	0x80040700: "ecAmbiguousRecip",          // AmbiguousRecipient, MAPI_E_AMBIGUOUS_RECIP
	0x80040800: "SyncObjectDeleted",         // SYNC_E_OBJECT_DELETED
	0x80040801: "IgnoreFailure",             // SYNC_E_IGNORE
	0x80040802: "SyncConflict",              // SYNC_E_CONFLICT
	0x80040803: "NoParentFolder",            // SYNC_E_NO_PARENT
	0x80040804: "CycleDetected",             // SYNC_E_CYCLE
	0x80040805: "NotSynchronized",           // SYNC_E_UNSYNCHRONIZED
	0x80040900: "ecNPQuotaExceeded",         // NamedPropertyQuota, MAPI_E_NAMED_PROP_QUOTA_EXCEEDED
	0x80040FFF: "NotImplemented",            // MAPI_E_NOT_IMPLEMENTED (not ecNotImplemented, an alias of 0x80040102)

	// ---- [MS-OXCDATA] 2.4.1 Additional Error Codes ----
	0x0000011C: "ecProfileNotConfigured",       // ProfileNotConfigured
	0x000003EA: "ecJetError",                   // IsamError
	0x000003EB: "ecUnknownUser",                // UnknownUser
	0x000003ED: "ecExiting",                    // Exiting
	0x000003EE: "ecBadConfig",                  // BadConfiguration
	0x000003EF: "ecUnknownCodePage",            // UnknownCodePage
	0x000003F0: "ecServerOOM",                  // ServerMemory, ecMemory
	0x000003F2: "ecLoginPerm",                  // LoginPermission
	0x000003F3: "ecDatabaseRolledBack",         // DatabaseRolledBack
	0x000003F4: "ecDatabaseCopiedError",        // DatabaseCopiedError
	0x000003F5: "ecAuditNotAllowed",            // AuditNotAllowed
	0x000003F6: "ecZombieUser",                 // ZombieUser
	0x000003F7: "ecUnconvertableACL",           // UnconvertableACL
	0x0000044C: "ecNoFreeJses",                 // NoFreeJetSessions
	0x0000044D: "ecDifferentJses",              // DifferentJetSession
	0x0000044F: "ecFileRemove",                 // FileRemove
	0x00000450: "ecParameterOverflow",          // ParameterOverflow
	0x00000451: "ecBadVersion",                 // BadVersion
	0x00000452: "ecTooManyCols",                // TooManyColumns
	0x00000453: "ecHaveMore",                   // HaveMore
	0x00000454: "ecDatabaseError",              // DatabaseError
	0x00000455: "ecIndexNameTooBig",            // IndexNameTooBig
	0x00000456: "ecUnsupportedProp",            // UnsupportedProperty
	0x00000457: "ecMsgNotSaved",                // MessageNotSaved
	0x00000459: "ecUnpubNotif",                 // UnpublishedNotification
	0x0000045B: "ecDifferentRoot",              // DifferentRoot
	0x0000045C: "ecBadFolderName",              // BadFolderName
	0x0000045D: "ecAttachOpen",                 // AttachmentOpen
	0x0000045E: "ecInvClpsState",               // InvalidCollapseState
	0x0000045F: "ecSkipMyChildren",             // SkipMyChildren
	0x00000460: "ecSearchFolder",               // SearchFolder
	0x00000461: "ecNotSearchFolder",            // NotSearchFolder
	0x00000462: "ecFolderSetReceive",           // FolderSetReceive
	0x00000463: "ecNoReceiveFolder",            // NoReceiveFolder
	0x00000465: "ecNoDelSubmitMsg",             // DeleteSubmittedMessage
	0x00000467: "ecInvalidRecips",              // InvalidRecipients
	0x00000468: "ecNoReplicaHere",              // NoReplicaHere
	0x00000469: "ecNoReplicaAvailable",         // NoReplicaAvailable
	0x0000046A: "ecPublicMDB",                  // PublicDatabase
	0x0000046B: "ecNotPublicMDB",               // NotPublicDatabase
	0x0000046C: "ecRecordNotFound",             // RecordNotFound
	0x0000046D: "ecReplConflict",               // ReplicationConflict
	0x00000470: "ecFXBufferOverrun",            // FXBufferOverrun
	0x00000471: "ecFXBufferEmpty",              // FXBufferEmpty
	0x00000472: "ecFxPartialValue",             // FXPartialValue
	0x00000473: "ecFxNoRoom",                   // FXNoRoom
	0x00000474: "ecMaxTimeExpired",             // TimeExpired
	0x00000475: "ecDstError",                   // DestinationError
	0x00000476: "ecMDBNotInit",                 // DatabaseNotInitialized
	0x00000478: "ecWrongServer",                // WrongServer
	0x0000047D: "ecBufferTooSmall",             // BufferTooSmall
	0x0000047E: "ecRequiresRefResolve",         // AttachmentResolutionRequired
	0x0000047F: "ecServerPaused",               // ServerPaused
	0x00000480: "ecServerBusy",                 // ServerBusy
	0x00000481: "ecNoSuchLogon",                // NoSuchLogon
	0x00000482: "ecLoadLibFailed",              // LoadLibraryFailed
	0x00000483: "ecObjAlreadyConfig",           // AlreadyConfigured
	0x00000484: "ecObjNotConfig",               // NotConfigured
	0x00000485: "ecDataLoss",                   // DataLoss
	0x00000488: "ecMaxSendThreadExceeded",      // MaximumSendThreadExceeded
	0x00000489: "ecFxErrorMarker",              // FxErrorMarker
	0x0000048A: "ecNoFreeJtabs",                // NoFreeJtabs
	0x0000048B: "ecNotPrivateMDB",              // NotPrivateDatabase
	0x0000048C: "ecIsintegMDB",                 // IsintegMDB
	0x0000048D: "ecRecoveryMDBMismatch",        // RecoveryMismatch
	0x0000048E: "ecTableMayNotBeDeleted",       // TableMayNotBeDeleted
	0x00000490: "ecSearchFolderScopeViolation", // SearchFolderScopeViolation
	0x000004B1: "ecRpcRegisterIf",              // RpcRegisterIf
	0x000004B2: "ecRpcListen",                  // RpcListen
	0x000004B6: "ecRpcFormat",                  // RpcFormat
	0x000004B7: "ecNoCopyTo",                   // NoCopyTo
	0x000004B9: "ecNullObject",                 // NullObject
	0x000004BC: "ecRpcAuthentication",          // RpcAuthentication
	0x000004BD: "ecRpcBadAuthenticationLevel",  // RpcBadAuthenticationLevel
	0x000004BE: "ecNullCommentRestriction",     // NullCommentRestriction
	0x000004CC: "ecRulesLoadError",             // RulesLoadError
	0x000004CD: "ecRulesDeliverErr",            // RulesDeliverErr
	0x000004CE: "ecRulesParsingErr",            // RulesParsingErr
	0x000004CF: "ecRulesCreateDaeErr",          // RulesCreateDAE
	0x000004D0: "ecRulesCreateDamErr",          // RulesCreateDAM
	0x000004D1: "ecRulesNoMoveCopyFolder",      // RulesNoMoveCopyFolder
	0x000004D2: "ecRulesNoFolderRights",        // RulesNoFolderRights
	0x000004D4: "ecMessageTooBig",              // MessageTooBig
	0x000004D5: "ecFormNotValid",               // FormNotValid
	0x000004D6: "ecNotAuthorized",              // NotAuthorized
	0x000004D7: "ecDeleteMessage",              // DeleteMessage
	0x000004D8: "ecBounceMessage",              // BounceMessage
	0x000004D9: "ecQuotaExceeded",              // QuotaExceeded
	0x000004DA: "ecMaxSubmissionExceeded",      // MaxSubmissionExceeded
	0x000004DB: "ecMaxAttachmentExceeded",      // MaxAttachmentExceeded
	0x000004DC: "ecSendAsDenied",               // SendAsDenied
	0x000004DD: "ecShutoffQuotaExceeded",       // ShutoffQuotaExceeded
	0x000004DE: "ecMaxObjsExceeded",            // TooManyOpenObjects
	0x000004DF: "ecClientVersionDisallowed",    // ClientVersionBlocked
	0x000004E0: "ecRpcHttpDisallowed",          // RpcHttpDisallowed
	0x000004E1: "ecCachedModeRequired",         // CachedModeRequired
	0x000004E3: "ecFolderNotCleanedUp",         // FolderNotCleanedUp
	0x000004ED: "ecFmtError",                   // FormatError
	0x000004F7: "ecNotExpanded",                // NotExpanded
	0x000004F8: "ecNotCollapsed",               // NotCollapsed
	0x000004F9: "ecLeaf",                       // NoExpandLeafRow
	0x000004FA: "ecUnregisteredNamedProp",      // UnregisteredNameProp
	0x000004FB: "ecFolderDisabled",             // FolderDisabled
	0x000004FC: "ecDomainError",                // DomainError
	0x000004FF: "ecNoCreateRight",              // NoCreateRight
	0x00000500: "ecPublicRoot",                 // PublicRoot
	0x00000501: "ecNoReadRight",                // NoReadRight
	0x00000502: "ecNoCreateSubfolderRight",     // NoCreateSubfolderRight
	0x00000503: "ecDstNullObject",              // NullDestinationObject
	0x00000504: "ecMsgCycle",                   // MessageCycle
	0x00000505: "ecTooManyRecips",              // TooManyRecips
	0x0000050A: "ecVirusScanInProgress",        // VirusScanInProgress
	0x0000050B: "ecVirusDetected",              // VirusDetected
	0x0000050C: "ecMailboxInTransit",           // MailboxInTransit
	0x0000050D: "ecBackupInProgress",           // BackupInProgress
	0x0000050E: "ecVirusMessageDeleted",        // VirusMessageDeleted
	0x0000050F: "ecInvalidBackupSequence",      // InvalidBackupSequence
	0x00000510: "ecInvalidBackupType",          // InvalidBackupType
	0x00000511: "ecTooManyBackupsInProgress",   // TooManyBackups
	0x00000512: "ecRestoreInProgress",          // RestoreInProgress
	0x00000579: "ecDuplicateObject",            // DuplicateObject
	0x0000057A: "ecObjectNotFound",             // ObjectNotFound
	0x0000057B: "ecFixupReplyRule",             // FixupReplyRule
	0x0000057C: "ecTemplateNotFound",           // TemplateNotFound
	0x0000057D: "ecRuleExecution",              // RuleExecution
	0x0000057E: "ecDSNoSuchObject",             // DSNoSuchObject
	0x0000057F: "ecMessageAlreadyTombstoned",   // AlreadyTombstoned
	0x00000596: "ecRequiresRWTransaction",      // ReadOnlyTransaction
	0x0000060E: "ecPaused",                     // Paused
	0x0000060F: "ecNotPaused",                  // NotPaused
	0x00000648: "ecWrongMailbox",               // WrongMailbox
	0x0000064C: "ecChgPassword",                // ChangePassword
	0x0000064D: "ecPwExpired",                  // PasswordExpired
	0x0000064E: "ecInvWkstn",                   // InvalidWorkstation
	0x0000064F: "ecInvLogonHrs",                // InvalidLogonHours
	0x00000650: "ecAcctDisabled",               // AccountDisabled
	0x000006A4: "ecRuleVersion",                // RuleVersion
	0x000006A5: "ecRuleFormat",                 // RuleFormat
	0x000006A6: "ecRuleSendAsDenied",           // RuleSendAsDenied
	0x000006B9: "ecNoServerSupport",            // NoServerSupport
	0x000006BA: "ecLockTimedOut",               // LockTimedOut
	0x000006BB: "ecObjectLocked",               // ObjectLocked
	0x000006BD: "ecInvalidLockNamespace",       // InvalidLockNamespace
	0x000007D6: "ecMessageDeleted",             // MessageDeleted
	0x000007D8: "ecProtocolDisabled",           // ProtocolDisabled
	0x000007D9: "ecCleartextLogonDisabled",     // CleartextLogonDisabled
	0x000007EE: "ecRejected",                   // Rejected
	0x0000089A: "ecAmbiguousAlias",             // AmbiguousAlias
	0x0000089B: "ecUnknownMailbox",             // UnknownMailbox
	0x000008FC: "ecExpReserved",                // ExpressionReserved
	0x000008FD: "ecExpParseDepth",              // ExpressionParseDepth
	0x000008FE: "ecExpFuncArgType",             // ExpressionArgumentType
	0x000008FF: "ecExpSyntax",                  // ExpressionSyntax
	0x00000900: "ecExpBadStrToken",             // ExpressionBadStringToken
	0x00000901: "ecExpBadColToken",             // ExpressionBadColToken
	0x00000902: "ecExpTypeMismatch",            // ExpressionTypeMismatch
	0x00000903: "ecExpOpNotSupported",          // ExpressionOperatorNotSupported
	0x00000904: "ecExpDivByZero",               // ExpressionDivideByZero
	0x00000905: "ecExpUnaryArgType",            // ExpressionUnaryArgument
	0x00000960: "ecNotLocked",                  // NotLocked
	0x00000961: "ecClientEvent",                // ClientEvent
	0x00000965: "ecCorruptEvent",               // CorruptEvent
	0x00000966: "ecCorruptWatermark",           // CorruptWatermark
	0x00000967: "ecEventError",                 // EventError
	0x00000968: "ecWatermarkError",             // WatermarkError
	0x00000969: "ecNonCanonicalACL",            // NonCanonicalACL
	0x0000096C: "ecMailboxDisabled",            // MailboxDisabled
	0x0000096D: "ecRulesFolderOverQuota",       // RulesFolderOverQuota
	0x0000096E: "ecADUnavailable",              // AddressBookUnavailable
	0x0000096F: "ecADError",                    // AddressBookError
	0x00000970: "ecNotEncrypted",               // NotEncrypted
	0x00000971: "ecADNotFound",                 // AddressBookObjectNotFound
	0x00000972: "ecADPropertyError",            // AddressBookPropertyError
	0x00000973: "ecRpcServerTooBusy",           // RpcServerTooBusy
	0x00000974: "ecRpcOutOfMemory",             // RpcOutOfMemory
	0x00000975: "ecRpcServerOutOfMemory",       // RpcServerOutOfMemory
	0x00000976: "ecRpcOutOfResources",          // RpcOutOfResources
	0x00000977: "ecRpcServerUnavailable",       // RpcServerUnavailable
	0x0000097A: "ecSecureSubmitError",          // SecureSubmitError
	0x0000097C: "ecEventsDeleted",              // EventsDeleted
	0x0000097D: "ecSubsystemStopping",          // SubsystemStopping
	0x0000097E: "ecSAUnavailable",              // AttendantUnavailable
	0x00000A28: "ecCiStopping",                 // CIStopping
	0x00000A29: "ecFxInvalidState",             // FxInvalidState
	0x00000A2A: "ecFxUnexpectedMarker",         // FxUnexpectedMarker
	0x00000A2B: "ecDuplicateDelivery",          // DuplicateDelivery
	0x00000A2C: "ecConditionViolation",         // ConditionViolation
	0x00000A2D: "ecMaxPoolExceeded",            // MaximumConnectionPoolsExceeded
	0x00000A2E: "ecRpcInvalidHandle",           // InvalidRpcHandle
	0x00000A2F: "ecEventNotFound",              // EventNotFound
	0x00000A30: "ecPropNotPromoted",            // PropertyNotPromoted
	0x00000A31: "ecLowMdbSpace",                // LowFreeSpaceForDatabase
	0x00000A32: "ecLowMdbLogSpace",             // LowFreeSpaceForLogs
	0x00000A33: "ecMailboxQuarantined",         // MailboxIsQuarantined
	0x00000A34: "ecMountInProgress",            // DatabaseMountInProgress
	0x00000A35: "ecDismountInProgress",         // DatabaseDismountInProgress
	0x00000A36: "ecMaxConnectionsExceeded",     // ConnectionsOverBudget
	0x00000A37: "ecNotFoundInContainer",        // NotFoundInContainer
	0x00000A38: "ecCannotRemove",               // CannotRemove
	0x00000A39: "ecInvalidPool",                // InvalidConnectionPool
	0x00000A3A: "ecVirusScanGeneralFailure",    // VirusScanGeneralFailure

	// ---- [MS-OXCDATA] 2.4.2 Property Error Codes ----
	// NotEnoughMemory (0x8007000E) and NotFound (0x8004010F) are above.
	0x80040301: "ecPropBadValue",     // BadValue, MAPI_E_BAD_VALUE
	0x80040302: "ecInvalidType",      // InvalidType, MAPI_E_INVALID_TYPE
	0x80040303: "ecTypeNotSupported", // UnsupportedType, MAPI_E_TYPE_NO_SUPPORT
	0x80040304: "ecPropType",         // UnexpectedType, MAPI_E_UNEXPECTED_TYPE
	0x80040305: "ecTooBig",           // TooBig, MAPI_E_TOO_BIG
	0x80040306: "DeclineCopy",        // MAPI_E_DECLINE_COPY
	0x80040307: "UnexpectedId",       // MAPI_E_UNEXPECTED_ID

	// ---- [MS-OXCDATA] 2.4.3 Warning Codes ----
	0x00040380: "ecWarnWithErrors",      // ErrorsReturned, MAPI_W_ERRORS_RETURNED
	0x00040481: "ecWarnPositionChanged", // PositionChanged, MAPI_W_POSITION_CHANGED
	0x00040482: "ecWarnApproxCount",     // ApproximateCount, MAPI_W_APPROX_COUNT
	0x00040680: "ecPartialCompletion",   // PartiallyComplete, MAPI_W_PARTIAL_COMPLETION
	0x00040820: "SyncProgress",          // SYNC_W_PROGRESS
	0x00040821: "NewerClientChange",     // SYNC_W_CLIENT_CHANGE_NEWER

	// ---- outside [MS-OXCDATA] 2.4 ----
	// Stream errors that [MS-OXCPRPT] returns from RopSeekStream and
	// RopWriteStream/RopSetStreamSize.
	0x80030019: "StreamSeekError", // STG_E_SEEKERROR
	0x80030070: "StreamSizeError", // STG_E_MEDIUMFULL
	// MAPI codes of mapicode.h that Exchange-compatible servers return but
	// [MS-OXCDATA] does not list; they have no ec name, so they keep the
	// MAPI name.
	0x80040119: "MAPI_E_EXTENDED_ERROR",
	0x8004011D: "MAPI_E_FAILONEPROVIDER",
	0x80040202: "MAPI_E_MISSING_REQUIRED_COLUMN",
	0x80040600: "MAPI_E_CORRUPT_STORE",
	0x80040601: "MAPI_E_NOT_IN_QUEUE",
	0x80040606: "MAPI_E_NON_STANDARD",
	0x8004060C: "MAPI_E_STORE_FULL",
	0x00040580: "MAPI_W_CANCEL_MESSAGE",
}

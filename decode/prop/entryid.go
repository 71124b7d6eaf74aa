package prop

import (
	"math/bits"
	"strings"

	"github.com/mapiscope/mapiscope/decode/wire"
)

// EntryIDs — [MS-OXCDATA] 2.2.4 (objects of a message store) and 2.2.5
// (address book objects). Every form starts with 4 bytes of Flags (zero in a
// long-term EntryID) and the 16-byte ProviderUID of the provider that made
// it; DecodeEntryID recognises the form from the ProviderUID, the type
// fields and the length. The UIDs below are in wire order, as the
// specification writes them (%x38.A1.BB.10…).
var (
	// ProviderUIDStoreWrap is the ProviderUID of every Store Object EntryID
	// (the Exchange provider emsmdb.dll wrapping the store's own EntryID).
	ProviderUIDStoreWrap = GUID{0x38, 0xA1, 0xBB, 0x10, 0x05, 0xE5, 0x10, 0x1A, 0xA1, 0xBB, 0x08, 0x00, 0x2B, 0x2A, 0x56, 0xC2}
	// ProviderUIDMailboxStore is the WrappedProvider UID of a mailbox store.
	ProviderUIDMailboxStore = GUID{0x1B, 0x55, 0xFA, 0x20, 0xAA, 0x66, 0x11, 0xCD, 0x9B, 0xC8, 0x00, 0xAA, 0x00, 0x2F, 0xC4, 0x5A}
	// ProviderUIDPublicStore is the WrappedProvider UID of the public folder store.
	ProviderUIDPublicStore = GUID{0x1C, 0x83, 0x02, 0x10, 0xAA, 0x66, 0x11, 0xCD, 0x9B, 0xC8, 0x00, 0xAA, 0x00, 0x2F, 0xC4, 0x5A}
	// ProviderUIDPublicFolders is the ProviderUID of Folder and Message
	// EntryIDs of the public folder store (a private mailbox uses its
	// MailboxGuid instead).
	ProviderUIDPublicFolders = GUID{0x1A, 0x44, 0x73, 0x90, 0xAA, 0x66, 0x11, 0xCD, 0x9B, 0xC8, 0x00, 0xAA, 0x00, 0x2F, 0xC4, 0x5A}
	// ProviderUIDOneOff is the ProviderUID of a One-Off EntryID.
	ProviderUIDOneOff = GUID{0x81, 0x2B, 0x1F, 0xA4, 0xBE, 0xA3, 0x10, 0x19, 0x9D, 0x6E, 0x00, 0xDD, 0x01, 0x0F, 0x54, 0x02}
	// ProviderUIDAddressBook is the ProviderUID of an Address Book EntryID.
	ProviderUIDAddressBook = GUID{0xDC, 0xA7, 0x40, 0xC8, 0xC0, 0x42, 0x10, 0x1A, 0xB4, 0xB9, 0x08, 0x00, 0x2B, 0x2F, 0xE1, 0x82}
	// ProviderUIDContactAB is the ProviderUID of Contact Address and
	// Personal Distribution List EntryIDs (the contact address book).
	ProviderUIDContactAB = GUID{0xFE, 0x42, 0xAA, 0x0A, 0x18, 0xC7, 0x1A, 0x10, 0xE8, 0x85, 0x0B, 0x65, 0x1C, 0x24, 0x00, 0x00}
)

var providerNames = map[GUID]string{
	ProviderUIDStoreWrap:     "store object (emsmdb.dll)",
	ProviderUIDMailboxStore:  "mailbox store",
	ProviderUIDPublicStore:   "public folder store",
	ProviderUIDPublicFolders: "public folders",
	ProviderUIDOneOff:        "one-off",
	ProviderUIDAddressBook:   "address book",
	ProviderUIDContactAB:     "contact address book",
}

// Store object types of Folder and Message EntryIDs — [MS-OXCDATA] 2.2.4.
const (
	EitLTPrivateFolder          uint16 = 0x0001 // PrivateFolder
	EitLTPublicFolder           uint16 = 0x0003 // PublicFolder
	EitLTWackyFolder            uint16 = 0x0005 // MappedPublicFolder
	EitLTPrivateMessage         uint16 = 0x0007 // PrivateMessage
	EitLTPublicMessage          uint16 = 0x0009 // PublicMessage
	EitLTWackyMessage           uint16 = 0x000B // MappedPublicMessage
	EitLTPublicFolderByName     uint16 = 0x000C // PublicNewsgroupFolder
	folderEntryIDSize                  = 4 + 16 + 2 + 16 + 6 + 2
	messageEntryIDSize                 = 4 + 16 + 2 + 16 + 6 + 2 + 16 + 6 + 2
	storeEntryIDFixedSize              = 4 + 16 + 1 + 1 + 14 + 4 + 16 + 4
	addressBookEntryIDFixedSize        = 4 + 16 + 4 + 4
	contactEntryIDFixedSize            = 4 + 16 + 4 + 4 + 4 + 4
	oneOffEntryIDFixedSize             = 4 + 16 + 2 + 2
	entryIDHeaderSize                  = 4 + 16
	storeWrappedTypeMailbox     uint32 = 0x0000000C
	storeWrappedTypePublic      uint32 = 0x00000006
)

var objectTypeSym = wire.Enum(
	wire.Flag{Mask: 0x0001, Name: "PrivateFolder"},
	wire.Flag{Mask: 0x0003, Name: "PublicFolder"},
	wire.Flag{Mask: 0x0005, Name: "MappedPublicFolder"},
	wire.Flag{Mask: 0x0007, Name: "PrivateMessage"},
	wire.Flag{Mask: 0x0009, Name: "PublicMessage"},
	wire.Flag{Mask: 0x000B, Name: "MappedPublicMessage"},
	wire.Flag{Mask: 0x000C, Name: "PublicNewsgroupFolder"},
)

func isFolderType(t uint16) bool {
	return t == EitLTPrivateFolder || t == EitLTPublicFolder || t == EitLTWackyFolder || t == EitLTPublicFolderByName
}

func isMessageType(t uint16) bool {
	return t == EitLTPrivateMessage || t == EitLTPublicMessage || t == EitLTWackyMessage
}

// codecEntryIDHeader reads or writes Flags and ProviderUID, naming the
// provider, and notes nonzero Flags (a short-term EntryID, which has no
// business in a property value).
func codecEntryIDHeader(c *wire.Codec, flags *uint32, uid *GUID) {
	c.U32(flags, "Flags")
	c.Hex()
	if c.Decoding() && *flags != 0 && !c.Failed() {
		c.NoteAt(c.Pos()-4, "Flags 0x%08X: a long-term EntryID has Flags 0x00000000", *flags)
	}
	CodecGUID(c, uid, "ProviderUID")
	if n, ok := providerNames[*uid]; ok {
		c.Sym(n)
	}
}

// notePad notes a Pad field that is not zero.
func notePad(c *wire.Codec, v uint16, name string) {
	if c.Decoding() && v != 0 && !c.Failed() {
		c.NoteAt(c.Pos()-2, "%s 0x%04X must be zero", name, v)
	}
}

// ---- Folder EntryID ----

// FolderEntryID — [MS-OXCDATA] 2.2.4.1: a folder as a long-term id
// (DatabaseGuid and GlobalCounter) in a store named by ProviderUID (the
// mailbox's MailboxGuid, or ProviderUIDPublicFolders). 46 bytes.
type FolderEntryID struct {
	Flags         uint32
	ProviderUID   GUID
	FolderType    uint16
	DatabaseGuid  GUID
	GlobalCounter GlobCnt
	Pad           uint16
}

// CodecFolderEntryID reads or writes a Folder EntryID.
func CodecFolderEntryID(c *wire.Codec, e *FolderEntryID, name string) {
	c.Begin(name)
	codecFolderEntryID(c, e)
	c.End()
}

func codecFolderEntryID(c *wire.Codec, e *FolderEntryID) {
	codecEntryIDHeader(c, &e.Flags, &e.ProviderUID)
	c.U16(&e.FolderType, "FolderType")
	c.Hex().Named(objectTypeSym)
	if c.Decoding() && !c.Failed() && !isFolderType(e.FolderType) {
		c.NoteAt(c.Pos()-2, "FolderType 0x%04X is not a folder type", e.FolderType)
	}
	CodecGUID(c, &e.DatabaseGuid, "DatabaseGuid")
	CodecGlobCnt(c, &e.GlobalCounter, "GlobalCounter")
	c.U16(&e.Pad, "Pad")
	c.Hex()
	notePad(c, e.Pad, "Pad")
}

// ---- Message EntryID ----

// MessageEntryID — [MS-OXCDATA] 2.2.4.2: a message as the long-term ids of
// its folder and of itself. 70 bytes. The specification calls both padding
// fields Pad; they are Pad1 (after the folder) and Pad2 (after the message)
// here so that each keeps its own name in JSON.
type MessageEntryID struct {
	Flags                uint32
	ProviderUID          GUID
	MessageType          uint16
	FolderDatabaseGuid   GUID
	FolderGlobalCounter  GlobCnt
	Pad1                 uint16
	MessageDatabaseGuid  GUID
	MessageGlobalCounter GlobCnt
	Pad2                 uint16
}

// CodecMessageEntryID reads or writes a Message EntryID.
func CodecMessageEntryID(c *wire.Codec, e *MessageEntryID, name string) {
	c.Begin(name)
	codecMessageEntryID(c, e)
	c.End()
}

func codecMessageEntryID(c *wire.Codec, e *MessageEntryID) {
	codecEntryIDHeader(c, &e.Flags, &e.ProviderUID)
	c.U16(&e.MessageType, "MessageType")
	c.Hex().Named(objectTypeSym)
	if c.Decoding() && !c.Failed() && !isMessageType(e.MessageType) {
		c.NoteAt(c.Pos()-2, "MessageType 0x%04X is not a message type", e.MessageType)
	}
	CodecGUID(c, &e.FolderDatabaseGuid, "FolderDatabaseGuid")
	CodecGlobCnt(c, &e.FolderGlobalCounter, "FolderGlobalCounter")
	c.U16(&e.Pad1, "Pad1")
	c.Hex()
	notePad(c, e.Pad1, "Pad1")
	CodecGUID(c, &e.MessageDatabaseGuid, "MessageDatabaseGuid")
	CodecGlobCnt(c, &e.MessageGlobalCounter, "MessageGlobalCounter")
	c.U16(&e.Pad2, "Pad2")
	c.Hex()
	notePad(c, e.Pad2, "Pad2")
}

// ---- Store Object EntryID ----

// StoreEntryID is a Store Object EntryID — [MS-OXCDATA] 2.2.4.3: the
// EntryID of a mailbox or of the public folder store, the store provider's
// own EntryID (WrappedFlags … MailboxDN) wrapped by emsmdb.dll.
//
// MailboxDN is present only for a mailbox store (WrappedType 0x0000000C).
// Extension holds bytes after the last field the specification defines:
// Outlook appends the "v2" and "v3" blocks (server DN and FQDN, SMTP
// address) that [MS-OXCDATA] does not describe; they are kept as bytes.
type StoreEntryID struct {
	Flags              uint32
	ProviderUID        GUID
	Version            uint8
	Flag               uint8
	DLLFileName        []byte // 14 bytes: "emsmdb.dll" and NULs
	WrappedFlags       uint32
	WrappedProviderUID GUID
	WrappedType        uint32
	ServerShortname    string
	MailboxDN          string
	Extension          []byte
}

// StoreDLLFileName is the DLLFileName of every Store Object EntryID.
var StoreDLLFileName = []byte("EMSMDB.DLL\x00\x00\x00\x00")

var wrappedTypeSym = wire.Enum(
	wire.Flag{Mask: uint64(storeWrappedTypeMailbox), Name: "mailbox store"},
	wire.Flag{Mask: uint64(storeWrappedTypePublic), Name: "public folder store"},
)

// IsMailbox reports a mailbox store (the form with a MailboxDN).
func (e *StoreEntryID) IsMailbox() bool { return e.WrappedType == storeWrappedTypeMailbox }

// CodecStoreEntryID reads or writes a Store Object EntryID. Decoding reads
// up to the current limit (Extension takes what follows MailboxDN), so the
// caller bounds it to the EntryID's bytes (a PtypBinary value, say).
func CodecStoreEntryID(c *wire.Codec, e *StoreEntryID, name string) {
	c.Begin(name)
	codecStoreEntryID(c, e)
	c.End()
}

func codecStoreEntryID(c *wire.Codec, e *StoreEntryID) {
	codecEntryIDHeader(c, &e.Flags, &e.ProviderUID)
	if c.Decoding() && !c.Failed() && e.ProviderUID != ProviderUIDStoreWrap {
		c.NoteAt(c.Pos()-16, "ProviderUID %s is not the store wrapper's", e.ProviderUID)
	}
	c.U8(&e.Version, "Version")
	c.U8(&e.Flag, "Flag")
	c.Hex()
	if c.Decoding() && !c.Failed() && (e.Version != 0 || e.Flag != 0) {
		c.NoteAt(c.Pos()-2, "Version and Flag must be zero")
	}
	c.Fixed(&e.DLLFileName, 14, "DLLFileName")
	if c.Decoding() && !c.Failed() {
		if nd := c.Last(); nd != nil && c.Spans() {
			nd.Value = strings.TrimRight(string(e.DLLFileName), "\x00")
		}
		if !strings.EqualFold(string(e.DLLFileName), string(StoreDLLFileName)) {
			c.NoteAt(c.Pos()-14, "DLLFileName is not \"emsmdb.dll\" padded with NULs to 14 bytes")
		}
	}
	c.U32(&e.WrappedFlags, "WrappedFlags")
	c.Hex()
	CodecGUID(c, &e.WrappedProviderUID, "WrappedProviderUID")
	if n, ok := providerNames[e.WrappedProviderUID]; ok {
		c.Sym(n)
	}
	c.U32(&e.WrappedType, "WrappedType")
	c.Hex().Named(wrappedTypeSym)
	if c.Decoding() && !c.Failed() {
		switch {
		case e.WrappedType == storeWrappedTypeMailbox && e.WrappedProviderUID != ProviderUIDMailboxStore,
			e.WrappedType == storeWrappedTypePublic && e.WrappedProviderUID != ProviderUIDPublicStore:
			c.NoteAt(c.Pos()-4, "WrappedType 0x%08X does not match WrappedProviderUID", e.WrappedType)
		case e.WrappedType != storeWrappedTypeMailbox && e.WrappedType != storeWrappedTypePublic:
			c.NoteAt(c.Pos()-4, "WrappedType 0x%08X is neither 0x0000000C (mailbox) nor 0x00000006 (public)", e.WrappedType)
		}
	}
	c.String8Z(&e.ServerShortname, "ServerShortname")
	if e.IsMailbox() {
		c.String8Z(&e.MailboxDN, "MailboxDN")
	} else if c.Decoding() {
		e.MailboxDN = ""
	}
	if c.Decoding() && c.Remaining() == 0 {
		e.Extension = nil
		return
	}
	c.Rest(&e.Extension, "Extension")
}

// ---- One-Off EntryID ----

// One-off bit fields, as masks of OneOffEntryID.Bits — [MS-OXCDATA] 2.2.5.1.
// The specification numbers the two bytes after Version as one big-endian
// word (first byte high): MAE and Format sit in the first byte, M in its
// low bit, U, R and L in the second byte.
const (
	OneOffMAEMask    uint16 = 0x6000 // Macintosh attachment encoding
	OneOffFormatMask uint16 = 0x1E00 // message format
	OneOffM          uint16 = 0x0100 // MIME: send without rich (TNEF) content
	OneOffU          uint16 = 0x0080 // strings are UTF-16 (else 8-bit)
	OneOffRMask      uint16 = 0x0060 // reserved
	OneOffL          uint16 = 0x0010 // do not look the address up
	oneOffPadMask    uint16 = 0x800F // reserved
)

// Format values of a One-Off EntryID (the 4-bit field value).
const (
	OneOffTextOnly    = 0x3
	OneOffHtmlOnly    = 0x7
	OneOffTextAndHtml = 0xB
)

var oneOffMAESym = wire.Enum(
	wire.Flag{Mask: 0, Name: "BinHex"},
	wire.Flag{Mask: 1, Name: "UUENCODE"},
	wire.Flag{Mask: 2, Name: "AppleSingle"},
	wire.Flag{Mask: 3, Name: "AppleDouble"},
)

var oneOffFormatSym = wire.Enum(
	wire.Flag{Mask: OneOffTextOnly, Name: "TextOnly"},
	wire.Flag{Mask: OneOffHtmlOnly, Name: "HtmlOnly"},
	wire.Flag{Mask: OneOffTextAndHtml, Name: "TextAndHtml"},
)

// OneOffEntryID — [MS-OXCDATA] 2.2.5.1: a recipient that is not in the
// directory, carried whole in the EntryID. Bits holds the 16 bits after
// Version as the specification's masks read them (see OneOffU and the other
// masks); when U is set the three strings are UTF-16, otherwise 8-bit.
type OneOffEntryID struct {
	Flags        uint32
	ProviderUID  GUID
	Version      uint16
	Bits         uint16
	DisplayName  string
	AddressType  string
	EmailAddress string
}

// Unicode reports whether the strings are UTF-16.
func (e *OneOffEntryID) Unicode() bool { return e.Bits&OneOffU != 0 }

// MAE returns the 2-bit Macintosh attachment encoding.
func (e *OneOffEntryID) MAE() uint16 { return (e.Bits & OneOffMAEMask) >> 13 }

// Format returns the 4-bit message format (OneOffTextOnly, …).
func (e *OneOffEntryID) Format() uint16 { return (e.Bits & OneOffFormatMask) >> 9 }

// CodecOneOffEntryID reads or writes a One-Off EntryID.
func CodecOneOffEntryID(c *wire.Codec, e *OneOffEntryID, name string) {
	c.Begin(name)
	codecOneOffEntryID(c, e)
	c.End()
}

func oneOffBitsSym(v uint64) string {
	b := uint16(v)
	var parts []string
	parts = append(parts, "MAE="+oneOffMAESym(uint64(b&OneOffMAEMask)>>13))
	if f := oneOffFormatSym(uint64(b&OneOffFormatMask) >> 9); f != "" {
		parts = append(parts, "Format="+f)
	}
	for _, f := range []struct {
		m uint16
		n string
	}{{OneOffM, "M"}, {OneOffU, "U"}, {OneOffL, "L"}} {
		if b&f.m != 0 {
			parts = append(parts, f.n)
		}
	}
	return strings.Join(parts, "|")
}

func codecOneOffEntryID(c *wire.Codec, e *OneOffEntryID) {
	codecEntryIDHeader(c, &e.Flags, &e.ProviderUID)
	c.U16(&e.Version, "Version")
	c.Hex()
	if c.Decoding() && !c.Failed() && e.Version != 0 {
		c.NoteAt(c.Pos()-2, "Version 0x%04X must be 0x0000", e.Version)
	}
	// The two bytes are read little-endian and swapped so that Bits
	// matches the specification's big-endian masks.
	le := bits.ReverseBytes16(e.Bits)
	c.U16(&le, "Bits")
	e.Bits = bits.ReverseBytes16(le)
	if c.Spans() {
		if nd := c.Last(); nd != nil && !c.Failed() {
			nd.Value = uint64(e.Bits)
			nd.Hex = true
			nd.Sym = oneOffBitsSym(uint64(e.Bits))
			c.Derive("MAE", uint64(e.MAE()), false, oneOffMAESym(uint64(e.MAE())))
			c.Derive("Format", uint64(e.Format()), false, oneOffFormatSym(uint64(e.Format())))
			c.Derive("M", e.Bits&OneOffM != 0, false, "")
			c.Derive("U", e.Unicode(), false, "")
			c.Derive("R", uint64(e.Bits&OneOffRMask)>>5, false, "")
			c.Derive("L", e.Bits&OneOffL != 0, false, "")
		}
	}
	if c.Decoding() && !c.Failed() && e.Bits&(oneOffPadMask|OneOffRMask) != 0 {
		c.NoteAt(c.Pos()-2, "reserved bits 0x%04X of the one-off flags are set", e.Bits&(oneOffPadMask|OneOffRMask))
	}
	str := c.String8Z
	if e.Unicode() {
		str = c.UnicodeZ
	}
	str(&e.DisplayName, "DisplayName")
	str(&e.AddressType, "AddressType")
	str(&e.EmailAddress, "EmailAddress")
}

// ---- Address Book EntryID ----

// Address Book EntryID types — [MS-OXCDATA] 2.2.5.2.
const (
	ABLocalMailUser           uint32 = 0x00000000
	ABDistributionList        uint32 = 0x00000001
	ABBulletinBoard           uint32 = 0x00000002 // bulletin board or public folder
	ABAutomatedMailbox        uint32 = 0x00000003
	ABOrganizationalMailbox   uint32 = 0x00000004
	ABPrivateDistributionList uint32 = 0x00000005
	ABRemoteMailUser          uint32 = 0x00000006
	ABContainer               uint32 = 0x00000100
	ABTemplate                uint32 = 0x00000101
	ABOneOffUser              uint32 = 0x00000102
	ABSearch                  uint32 = 0x00000200
)

var abTypeSym = wire.Enum(
	wire.Flag{Mask: 0x000, Name: "LocalMailUser"},
	wire.Flag{Mask: 0x001, Name: "DistributionList"},
	wire.Flag{Mask: 0x002, Name: "BulletinBoardOrPublicFolder"},
	wire.Flag{Mask: 0x003, Name: "AutomatedMailbox"},
	wire.Flag{Mask: 0x004, Name: "OrganizationalMailbox"},
	wire.Flag{Mask: 0x005, Name: "PrivateDistributionList"},
	wire.Flag{Mask: 0x006, Name: "RemoteMailUser"},
	wire.Flag{Mask: 0x100, Name: "Container"},
	wire.Flag{Mask: 0x101, Name: "Template"},
	wire.Flag{Mask: 0x102, Name: "OneOffUser"},
	wire.Flag{Mask: 0x200, Name: "Search"},
)

// AddressBookEntryID — [MS-OXCDATA] 2.2.5.2: a user, distribution list,
// container or template of the address book, named by its X500 DN.
type AddressBookEntryID struct {
	Flags       uint32
	ProviderUID GUID
	Version     uint32
	Type        uint32
	X500DN      string
}

// CodecAddressBookEntryID reads or writes an Address Book EntryID.
func CodecAddressBookEntryID(c *wire.Codec, e *AddressBookEntryID, name string) {
	c.Begin(name)
	codecAddressBookEntryID(c, e)
	c.End()
}

func codecAddressBookEntryID(c *wire.Codec, e *AddressBookEntryID) {
	codecEntryIDHeader(c, &e.Flags, &e.ProviderUID)
	c.U32(&e.Version, "Version")
	c.Hex()
	if c.Decoding() && !c.Failed() && e.Version != 1 {
		c.NoteAt(c.Pos()-4, "Version 0x%08X must be 0x00000001", e.Version)
	}
	c.U32(&e.Type, "Type")
	c.Hex().Named(abTypeSym)
	if c.Decoding() && !c.Failed() && abTypeSym(uint64(e.Type)) == "" {
		c.NoteAt(c.Pos()-4, "Type 0x%08X is not an address book EntryID type", e.Type)
	}
	c.String8Z(&e.X500DN, "X500DN")
}

// ---- Contact Address / Personal Distribution List EntryID ----

// Types of the contact address book's EntryIDs.
const (
	ContactAddressType            uint32 = 0x00000004 // [MS-OXCDATA] 2.2.5.3
	PersonalDistributionListType  uint32 = 0x00000005 // [MS-OXCDATA] 2.2.5.4
	PersonalDistributionListIndex uint32 = 0x000000FF
)

var contactIndexSym = wire.Enum(
	wire.Flag{Mask: 0, Name: "Email1"},
	wire.Flag{Mask: 1, Name: "Email2"},
	wire.Flag{Mask: 2, Name: "Email3"},
	wire.Flag{Mask: 3, Name: "Fax1"},
	wire.Flag{Mask: 4, Name: "Fax2"},
	wire.Flag{Mask: 5, Name: "Fax3"},
	wire.Flag{Mask: 0xFF, Name: "personal distribution list"},
)

var contactTypeSym = wire.Enum(
	wire.Flag{Mask: uint64(ContactAddressType), Name: "ContactAddress"},
	wire.Flag{Mask: uint64(PersonalDistributionListType), Name: "PersonalDistributionList"},
)

// ContactAddressEntryID — [MS-OXCDATA] 2.2.5.3: one electronic address
// (Index: Email1..3, Fax1..3) of a Contact object, whose Message EntryID is
// EntryIdBytes. Message is EntryIdBytes decoded when it has the 70 bytes of
// a Message EntryID (set by decoding; encoding writes EntryIdBytes).
type ContactAddressEntryID struct {
	Flags        uint32
	ProviderUID  GUID
	Version      uint32
	Type         uint32
	Index        uint32
	EntryIdBytes []byte
	Message      *MessageEntryID
}

// PersonalDistributionListEntryID — [MS-OXCDATA] 2.2.5.4: the same layout
// as a Contact Address EntryID, Type 0x00000005 and Index 0x000000FF, with
// EntryIdBytes the Message EntryID of the Personal Distribution List.
type PersonalDistributionListEntryID ContactAddressEntryID

// CodecContactAddressEntryID reads or writes a Contact Address EntryID.
func CodecContactAddressEntryID(c *wire.Codec, e *ContactAddressEntryID, name string) {
	c.Begin(name)
	codecContactEntryID(c, e, ContactAddressType)
	c.End()
}

// CodecPersonalDistributionListEntryID reads or writes a Personal
// Distribution List EntryID.
func CodecPersonalDistributionListEntryID(c *wire.Codec, e *PersonalDistributionListEntryID, name string) {
	c.Begin(name)
	codecContactEntryID(c, (*ContactAddressEntryID)(e), PersonalDistributionListType)
	c.End()
}

func codecContactEntryID(c *wire.Codec, e *ContactAddressEntryID, want uint32) {
	codecEntryIDHeader(c, &e.Flags, &e.ProviderUID)
	c.U32(&e.Version, "Version")
	c.Hex()
	if c.Decoding() && !c.Failed() && e.Version != 3 {
		c.NoteAt(c.Pos()-4, "Version 0x%08X must be 0x00000003", e.Version)
	}
	c.U32(&e.Type, "Type")
	c.Hex().Named(contactTypeSym)
	if c.Decoding() && !c.Failed() && e.Type != want {
		c.NoteAt(c.Pos()-4, "Type 0x%08X must be 0x%08X", e.Type, want)
	}
	c.U32(&e.Index, "Index")
	c.Named(contactIndexSym)
	if c.Decoding() && !c.Failed() {
		if want == PersonalDistributionListType && e.Index != PersonalDistributionListIndex {
			c.NoteAt(c.Pos()-4, "Index %d must be 0xFF in a Personal Distribution List EntryID", e.Index)
		} else if want == ContactAddressType && e.Index > 5 {
			c.NoteAt(c.Pos()-4, "Index %d is not 0 through 5", e.Index)
		}
	}
	n := c.Count32(len(e.EntryIdBytes), 1, "EntryIdCount")
	c.Fixed(&e.EntryIdBytes, n, "EntryIdBytes")
	if !c.Decoding() || c.Failed() {
		return
	}
	e.Message = nil
	if n != messageEntryIDSize {
		return
	}
	// Show the contact's Message EntryID in place of its bytes.
	sub := c.Sub(e.EntryIdBytes, c.Base()+c.Pos()-n, "EntryIdBytes")
	var m MessageEntryID
	codecMessageEntryID(sub, &m)
	if sub.Failed() {
		return
	}
	e.Message = &m
	if c.Spans() {
		c.DropLast()
	}
	c.Adopt(sub)
}

// ---- generic ----

// EntryID is an EntryID of a form DecodeEntryID does not know: Flags,
// ProviderUID and the provider's own bytes ([MS-OXCDATA] 2.2.4).
type EntryID struct {
	Flags        uint32
	ProviderUID  GUID
	ProviderData []byte
}

// CodecEntryID reads or writes a generic EntryID up to the current limit.
func CodecEntryID(c *wire.Codec, e *EntryID, name string) {
	c.Begin(name)
	codecEntryIDHeader(c, &e.Flags, &e.ProviderUID)
	c.Rest(&e.ProviderData, "ProviderData")
	c.End()
}

// ---- dispatch ----

// Kinds of EntryID that EntryIDKind and DecodeEntryID return.
const (
	KindFolderEntryID                   = "FolderEntryID"
	KindMessageEntryID                  = "MessageEntryID"
	KindStoreEntryID                    = "StoreObjectEntryID"
	KindOneOffEntryID                   = "OneOffEntryID"
	KindAddressBookEntryID              = "AddressBookEntryID"
	KindContactAddressEntryID           = "ContactAddressEntryID"
	KindPersonalDistributionListEntryID = "PersonalDistributionListEntryID"
	KindEntryID                         = "EntryID"
)

// EntryIDKind tells which form b is: by ProviderUID for the store wrapper,
// one-off, address book and contact address book providers (the last split
// by Type), and otherwise by ObjectType and length for Folder (46 bytes)
// and Message (70 bytes) EntryIDs. Anything else is KindEntryID; "" means b
// is too short to be an EntryID at all.
func EntryIDKind(b []byte) string {
	if len(b) < entryIDHeaderSize {
		return ""
	}
	var uid GUID
	copy(uid[:], b[4:20])
	switch uid {
	case ProviderUIDStoreWrap:
		return KindStoreEntryID
	case ProviderUIDOneOff:
		return KindOneOffEntryID
	case ProviderUIDAddressBook:
		return KindAddressBookEntryID
	case ProviderUIDContactAB:
		if len(b) >= 28 && le32(b[24:]) == PersonalDistributionListType {
			return KindPersonalDistributionListEntryID
		}
		return KindContactAddressEntryID
	}
	if len(b) >= 22 {
		t := uint16(b[20]) | uint16(b[21])<<8
		if isFolderType(t) && len(b) == folderEntryIDSize {
			return KindFolderEntryID
		}
		if isMessageType(t) && len(b) == messageEntryIDSize {
			return KindMessageEntryID
		}
	}
	return KindEntryID
}

func le32(b []byte) uint32 {
	return uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24
}

// DecodeEntryID decodes an EntryID of any form. kind is one of the Kind
// constants ("" when b is too short); v is a pointer to the form's struct
// (*FolderEntryID, *MessageEntryID, *StoreEntryID, *OneOffEntryID,
// *AddressBookEntryID, *ContactAddressEntryID,
// *PersonalDistributionListEntryID or *EntryID). With spans, tree is the
// span tree, its root named after the kind. Bytes left after the form's
// last field are noted.
func DecodeEntryID(b []byte, spans bool) (kind string, v any, tree *wire.Node, anomalies []wire.Anomaly) {
	kind = EntryIDKind(b)
	root := kind
	if root == "" {
		root = KindEntryID
	}
	c := wire.NewDecoder(b, spans, root)
	c.SetTitle(root)
	switch kind {
	case "":
		c.Fail("EntryID of %d bytes is shorter than Flags and ProviderUID (%d bytes)", len(b), entryIDHeaderSize)
	case KindFolderEntryID:
		e := &FolderEntryID{}
		codecFolderEntryID(c, e)
		v = e
	case KindMessageEntryID:
		e := &MessageEntryID{}
		codecMessageEntryID(c, e)
		v = e
	case KindStoreEntryID:
		e := &StoreEntryID{}
		codecStoreEntryID(c, e)
		v = e
	case KindOneOffEntryID:
		e := &OneOffEntryID{}
		codecOneOffEntryID(c, e)
		v = e
	case KindAddressBookEntryID:
		e := &AddressBookEntryID{}
		codecAddressBookEntryID(c, e)
		v = e
	case KindContactAddressEntryID:
		e := &ContactAddressEntryID{}
		codecContactEntryID(c, e, ContactAddressType)
		v = e
	case KindPersonalDistributionListEntryID:
		e := &PersonalDistributionListEntryID{}
		codecContactEntryID(c, (*ContactAddressEntryID)(e), PersonalDistributionListType)
		v = e
	default:
		e := &EntryID{}
		codecEntryIDHeader(c, &e.Flags, &e.ProviderUID)
		c.Rest(&e.ProviderData, "ProviderData")
		v = e
	}
	if !c.Failed() && c.Remaining() > 0 {
		c.Note("%d bytes after the end of the %s", c.Remaining(), kind)
	}
	return kind, v, c.Tree(), c.Anomalies()
}

// EncodeEntryID encodes v, a pointer to one of the EntryID structs that
// DecodeEntryID returns.
func EncodeEntryID(v any) ([]byte, error) {
	c := wire.NewEncoder(nil)
	switch e := v.(type) {
	case *FolderEntryID:
		codecFolderEntryID(c, e)
	case *MessageEntryID:
		codecMessageEntryID(c, e)
	case *StoreEntryID:
		codecStoreEntryID(c, e)
	case *OneOffEntryID:
		codecOneOffEntryID(c, e)
	case *AddressBookEntryID:
		codecAddressBookEntryID(c, e)
	case *ContactAddressEntryID:
		codecContactEntryID(c, e, ContactAddressType)
	case *PersonalDistributionListEntryID:
		codecContactEntryID(c, (*ContactAddressEntryID)(e), PersonalDistributionListType)
	case *EntryID:
		codecEntryIDHeader(c, &e.Flags, &e.ProviderUID)
		c.Rest(&e.ProviderData, "ProviderData")
	default:
		c.EncodeError("EncodeEntryID: %T is not an EntryID", v)
	}
	if err := c.Err(); err != nil {
		return nil, err
	}
	return c.Output(), nil
}

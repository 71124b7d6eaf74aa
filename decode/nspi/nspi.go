// Package nspi decodes the address book server endpoint of the MAPI
// Extensions for HTTP: the request and response bodies of the nineteen
// address book request types ([MS-OXCMAPIHTTP] 2.2.5), the common
// structures they are built from ([MS-OXCMAPIHTTP] 2.2.1) and the Exchange
// Server NSPI structures those carry ([MS-OXNSPI]): STAT, Minimal Entry IDs
// and the Ephemeral and Permanent Entry IDs.
//
// Every structure has one Codec method (or Codec function) that decodes,
// encodes and records the span tree, as in package mapihttp; the bodies
// follow the mailbox bodies' pattern: a response body has its success
// layout when StatusCode is 0 and its failure layout (StatusCode and the
// auxiliary buffer) otherwise.
//
// Count widths: the address book over MAPI/HTTP uses 32-bit counts
// throughout — LargePropertyTagArray, AddressBookPropertyValueList,
// explicit tables and string arrays have 32-bit counts, and property values
// are in the "MAPI extensions for HTTP" context of [MS-OXCDATA] 2.11.1
// (32-bit PtypBinary byte counts and PtypMultiple value counts). The
// GetMatches Filter is a [MS-OXCDATA] 2.12 restriction decoded with the
// same wide counts (prop.Wide).
package nspi

import (
	"github.com/mapiscope/mapiscope/decode/prop"
	"github.com/mapiscope/mapiscope/decode/wire"
)

// Bool is a one-byte Boolean of the address book bodies: the Has* presence
// bytes, DeltaRequested and HasValue. Any nonzero value is true; the
// specification's TRUE is 0xFF. The byte is kept as sent so that a body
// re-encodes unchanged.
type Bool uint8

const (
	False Bool = 0x00
	True  Bool = 0xFF
)

// Set reports a true (nonzero) value.
func (b Bool) Set() bool { return b != 0 }

func boolSym(v uint64) string {
	switch v {
	case 0:
		return "FALSE"
	case 0xFF:
		return "TRUE"
	}
	return "TRUE (nonzero)"
}

// codecBool reads or writes a Bool field as it stands.
func codecBool(c *wire.Codec, p *Bool, name string) {
	u := uint8(*p)
	c.U8(&u, name)
	c.Hex().Named(boolSym)
	*p = Bool(u)
}

// codecHas reads or writes a presence byte (HasState, HasColumns, …) and
// reports whether the fields it announces follow. Encoding writes *p when
// it is nonzero; a zero *p is written as True when present says the
// announced fields hold something and as False otherwise, so a body built
// by hand needs no Has* bytes set, while a decoded body keeps the byte it
// was sent with.
func codecHas(c *wire.Codec, p *Bool, present bool, name string) bool {
	u := uint8(*p)
	if c.Encoding() && u == 0 && present {
		u = uint8(True)
	}
	c.U8(&u, name)
	c.Hex().Named(boolSym)
	if c.Decoding() {
		*p = Bool(u)
	}
	return u != 0
}

// codecHasValue is codecHas for a HasValue byte, which MUST be TRUE (0xFF)
// or FALSE (0x00) — [MS-OXCMAPIHTTP] 2.2.1.1.
func codecHasValue(c *wire.Codec, p *Bool, present bool, name string) bool {
	set := codecHas(c, p, present, name)
	noteHasValue(c, uint8(*p), name)
	return set
}

func noteHasValue(c *wire.Codec, u uint8, name string) {
	if c.Decoding() && !c.Failed() && u != 0 && u != 0xFF {
		c.NoteAt(c.Pos()-1, "%s is 0x%02X; it MUST be TRUE (0xFF) or FALSE (0x00)", name, u)
	}
}

// ---- Minimal Entry IDs — [MS-OXNSPI] 2.2.9.1, 2.2.1.8, 2.2.1.9 ----

// Positioning Minimal Entry IDs — [MS-OXNSPI] 2.2.1.8: values of
// STAT.CurrentRec that name a position rather than an object.
const (
	MIDBeginningOfTable uint32 = 0x00000000 // MID_BEGINNING_OF_TABLE
	MIDCurrent          uint32 = 0x00000001 // MID_CURRENT
	MIDEndOfTable       uint32 = 0x00000002 // MID_END_OF_TABLE
)

// Ambiguous name resolution Minimal Entry IDs — [MS-OXNSPI] 2.2.1.9: the
// outcome of ResolveNames for each name.
const (
	MIDUnresolved uint32 = 0x00000000 // MID_UNRESOLVED
	MIDAmbiguous  uint32 = 0x00000001 // MID_AMBIGUOUS
	MIDResolved   uint32 = 0x00000002 // MID_RESOLVED
)

var positionSym = wire.Enum(
	wire.Flag{Mask: uint64(MIDBeginningOfTable), Name: "MID_BEGINNING_OF_TABLE"},
	wire.Flag{Mask: uint64(MIDCurrent), Name: "MID_CURRENT"},
	wire.Flag{Mask: uint64(MIDEndOfTable), Name: "MID_END_OF_TABLE"},
)

var anrSym = wire.Enum(
	wire.Flag{Mask: uint64(MIDUnresolved), Name: "MID_UNRESOLVED"},
	wire.Flag{Mask: uint64(MIDAmbiguous), Name: "MID_AMBIGUOUS"},
	wire.Flag{Mask: uint64(MIDResolved), Name: "MID_RESOLVED"},
)

// MinimalEntryIDSize is the wire size of a MinimalEntryID.
const MinimalEntryIDSize = 4

// codecMId reads or writes one MinimalEntryID.
func codecMId(c *wire.Codec, p *uint32, name string, sym func(uint64) string) {
	c.U32(p, name)
	c.Hex()
	if sym != nil {
		c.Named(sym)
	}
}

// codecMIds reads or writes a 32-bit count and that many MinimalEntryIDs
// (an explicit table, [MS-OXNSPI] 3.1.4.4.2, or a list of results).
func codecMIds(c *wire.Codec, ids *[]uint32, countName, name string, sym func(uint64) string) {
	n := c.Count32(len(*ids), MinimalEntryIDSize, countName)
	wire.Make(c, ids, n)
	c.BeginArray(name)
	for i := range *ids {
		codecMId(c, &(*ids)[i], "", sym)
	}
	c.End()
}

// ---- STAT — [MS-OXNSPI] 2.2.8 ----

// Table sort orders — [MS-OXNSPI] 2.2.1.10: values of STAT.SortType.
const (
	SortTypeDisplayName         uint32 = 0x00000000
	SortTypePhoneticDisplayName uint32 = 0x00000003
	SortTypeDisplayNameRO       uint32 = 0x000003E8 // SortTypeDisplayName_RO
	SortTypeDisplayNameW        uint32 = 0x000003E9 // SortTypeDisplayName_W
)

var sortTypeSym = wire.Enum(
	wire.Flag{Mask: uint64(SortTypeDisplayName), Name: "SortTypeDisplayName"},
	wire.Flag{Mask: uint64(SortTypePhoneticDisplayName), Name: "SortTypePhoneticDisplayName"},
	wire.Flag{Mask: uint64(SortTypeDisplayNameRO), Name: "SortTypeDisplayName_RO"},
	wire.Flag{Mask: uint64(SortTypeDisplayNameW), Name: "SortTypeDisplayName_W"},
)

// Code pages the NSPI protocol names — [MS-OXNSPI] 2.2.1 (CP_WINUNICODE
// is what a client asks for to get Unicode strings).
const (
	CPTeletex    uint32 = 0x00004F25 // CP_TELETEX
	CPWinUnicode uint32 = 0x000004B0 // CP_WINUNICODE
)

var codePageSym = wire.Enum(
	wire.Flag{Mask: uint64(CPTeletex), Name: "CP_TELETEX"},
	wire.Flag{Mask: uint64(CPWinUnicode), Name: "CP_WINUNICODE"},
)

// STAT is the state of an address book table and a position in it —
// [MS-OXNSPI] 2.2.8.
type STAT struct {
	SortType       uint32 // SortType* value
	ContainerID    uint32 // Minimal Entry ID of the address book container (0: the Global Address List)
	CurrentRec     uint32 // Minimal Entry ID of the position (or a MID_* positioning value)
	Delta          int32  // offset from CurrentRec
	NumPos         uint32 // approximate fractional position
	TotalRecs      uint32 // rows in the table
	CodePage       uint32
	TemplateLocale uint32 // LCID
	SortLocale     uint32 // LCID
}

// STATSize is the wire size of a STAT.
const STATSize = 36

// CodecSTAT reads or writes a STAT.
func CodecSTAT(c *wire.Codec, s *STAT, name string) {
	c.Begin(name)
	c.U32(&s.SortType, "SortType")
	c.Hex().Named(sortTypeSym)
	c.U32(&s.ContainerID, "ContainerID")
	c.Hex()
	c.U32(&s.CurrentRec, "CurrentRec")
	c.Hex().Named(positionSym)
	c.I32(&s.Delta, "Delta")
	c.U32(&s.NumPos, "NumPos")
	c.U32(&s.TotalRecs, "TotalRecs")
	c.U32(&s.CodePage, "CodePage")
	c.Named(codePageSym)
	c.U32(&s.TemplateLocale, "TemplateLocale")
	c.Hex()
	c.U32(&s.SortLocale, "SortLocale")
	c.Hex()
	c.End()
}

// codecState reads or writes HasState and the optional State.
func codecState(c *wire.Codec, has *Bool, s **STAT) {
	if !codecHas(c, has, *s != nil, "HasState") {
		if c.Decoding() {
			*s = nil
		}
		return
	}
	if c.Decoding() {
		*s = &STAT{}
	} else if *s == nil {
		var zero STAT
		CodecSTAT(c, &zero, "State")
		return
	}
	CodecSTAT(c, *s, "State")
}

// ---- flags and values of [MS-OXNSPI] 2.2.1 ----

// NspiBind flag — [MS-OXNSPI] 2.2.1 (Bind request Flags).
const FAnonymousLogin uint32 = 0x00000020

// Retrieve property flags — [MS-OXNSPI] 2.2.1 (GetPropList, GetProps and
// QueryRows request Flags).
const (
	FSkipObjects uint32 = 0x00000001
	FEphID       uint32 = 0x00000002
)

// NspiGetSpecialTable flags — [MS-OXNSPI] 2.2.1 (GetSpecialTable Flags).
const (
	NspiAddressCreationTemplates uint32 = 0x00000002
	NspiUnicodeStrings           uint32 = 0x00000004
)

// NspiQueryColumns flag — [MS-OXNSPI] 2.2.1 (QueryColumns MapiFlags).
const NspiUnicodeProptypes uint32 = 0x80000000

// NspiGetTemplateInfo flags — [MS-OXNSPI] 2.2.1 (GetTemplateInfo Flags).
const (
	TITemplate         uint32 = 0x00000001 // TI_TEMPLATE
	TIScript           uint32 = 0x00000004 // TI_SCRIPT
	TIEMT              uint32 = 0x00000010 // TI_EMT
	TIHelpFileName     uint32 = 0x00000020 // TI_HELPFILE_NAME
	TIHelpFileContents uint32 = 0x00000040 // TI_HELPFILE_CONTENTS
)

// NspiModLinkAtt flag — [MS-OXNSPI] 2.2.1 (ModLinkAtt Flags).
const FDelete uint32 = 0x00000001

var (
	bindFlagsSym = wire.Flags(wire.Flag{Mask: uint64(FAnonymousLogin), Name: "fAnonymousLogin"})
	propFlagsSym = wire.Flags(
		wire.Flag{Mask: uint64(FSkipObjects), Name: "fSkipObjects"},
		wire.Flag{Mask: uint64(FEphID), Name: "fEphID"},
	)
	specialTableFlagsSym = wire.Flags(
		wire.Flag{Mask: uint64(NspiAddressCreationTemplates), Name: "NspiAddressCreationTemplates"},
		wire.Flag{Mask: uint64(NspiUnicodeStrings), Name: "NspiUnicodeStrings"},
	)
	queryColumnsFlagsSym = wire.Flags(wire.Flag{Mask: uint64(NspiUnicodeProptypes), Name: "NspiUnicodeProptypes"})
	templateFlagsSym     = wire.Flags(
		wire.Flag{Mask: uint64(TITemplate), Name: "TI_TEMPLATE"},
		wire.Flag{Mask: uint64(TIScript), Name: "TI_SCRIPT"},
		wire.Flag{Mask: uint64(TIEMT), Name: "TI_EMT"},
		wire.Flag{Mask: uint64(TIHelpFileName), Name: "TI_HELPFILE_NAME"},
		wire.Flag{Mask: uint64(TIHelpFileContents), Name: "TI_HELPFILE_CONTENTS"},
	)
	modLinkAttFlagsSym = wire.Flags(wire.Flag{Mask: uint64(FDelete), Name: "fDelete"})
)

// Display type values — [MS-OXNSPI] 2.2.1.3 (PidTagDisplayType, the
// Display Type of Entry IDs, the GetTemplateInfo DisplayType).
const (
	DTMailUser        uint32 = 0x00000000
	DTDistList        uint32 = 0x00000001
	DTForum           uint32 = 0x00000002
	DTAgent           uint32 = 0x00000003
	DTOrganization    uint32 = 0x00000004
	DTPrivateDistList uint32 = 0x00000005
	DTRemoteMailUser  uint32 = 0x00000006
	DTContainer       uint32 = 0x00000100
	DTTemplate        uint32 = 0x00000101
	DTAddressTemplate uint32 = 0x00000102
	DTSearch          uint32 = 0x00000200
)

var displayTypeSym = wire.Enum(
	wire.Flag{Mask: uint64(DTMailUser), Name: "DT_MAILUSER"},
	wire.Flag{Mask: uint64(DTDistList), Name: "DT_DISTLIST"},
	wire.Flag{Mask: uint64(DTForum), Name: "DT_FORUM"},
	wire.Flag{Mask: uint64(DTAgent), Name: "DT_AGENT"},
	wire.Flag{Mask: uint64(DTOrganization), Name: "DT_ORGANIZATION"},
	wire.Flag{Mask: uint64(DTPrivateDistList), Name: "DT_PRIVATE_DISTLIST"},
	wire.Flag{Mask: uint64(DTRemoteMailUser), Name: "DT_REMOTE_MAILUSER"},
	wire.Flag{Mask: uint64(DTContainer), Name: "DT_CONTAINER"},
	wire.Flag{Mask: uint64(DTTemplate), Name: "DT_TEMPLATE"},
	wire.Flag{Mask: uint64(DTAddressTemplate), Name: "DT_ADDRESS_TEMPLATE"},
	wire.Flag{Mask: uint64(DTSearch), Name: "DT_SEARCH"},
)

// ---- LargePropertyTagArray — [MS-OXCMAPIHTTP] 2.2.1.8 ----

// CodecLargePropertyTagArray reads or writes a LargePropertyTagArray: a
// 32-bit PropertyTagCount and the PropertyTags.
func CodecLargePropertyTagArray(c *wire.Codec, tags *[]prop.Tag, name string) {
	c.Begin(name)
	prop.CodecTags(c, tags, "PropertyTagCount", "PropertyTags", 4)
	c.End()
}

// codecOptTags reads or writes a presence byte and an optional
// LargePropertyTagArray.
func codecOptTags(c *wire.Codec, has *Bool, tags *[]prop.Tag, hasName, name string) {
	if codecHas(c, has, len(*tags) > 0, hasName) {
		CodecLargePropertyTagArray(c, tags, name)
	} else if c.Decoding() {
		*tags = nil
	}
}

// codecOptMIds reads or writes HasMinimalIds, MinimalIdCount and
// MinimalIds.
func codecOptMIds(c *wire.Codec, has *Bool, ids *[]uint32, sym func(uint64) string) {
	if codecHas(c, has, len(*ids) > 0, "HasMinimalIds") {
		codecMIds(c, ids, "MinimalIdCount", "MinimalIds", sym)
	} else if c.Decoding() {
		*ids = nil
	}
}

// ---- string arrays ----

// codecStrings reads or writes a 32-bit count and that many
// null-terminated strings, 8-bit or UTF-16.
func codecStrings(c *wire.Codec, l *[]string, unicode bool, countName, name string) {
	minSize := 1
	if unicode {
		minSize = 2
	}
	n := c.Count32(len(*l), minSize, countName)
	wire.Make(c, l, n)
	c.BeginArray(name)
	for i := range *l {
		if c.Failed() {
			break
		}
		if unicode {
			c.UnicodeZ(&(*l)[i], "")
		} else {
			c.String8Z(&(*l)[i], "")
		}
	}
	c.End()
}

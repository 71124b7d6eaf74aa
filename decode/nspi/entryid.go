package nspi

import (
	"github.com/mapiscope/mapiscope/decode/prop"
	"github.com/mapiscope/mapiscope/decode/wire"
)

// ID Type values of the address book Entry IDs.
const (
	IDTypeEphemeral uint8 = 0x87 // EphemeralEntryID — [MS-OXNSPI] 2.2.9.2
	IDTypePermanent uint8 = 0x00 // PermanentEntryID — [MS-OXNSPI] 2.2.9.3
)

// GUIDNSPI is the Permanent Entry ID GUID — [MS-OXNSPI] 2.2.1.7:
// {C840A7DC-42C0-1A10-B4B9-08002B2FE182}, the ProviderUID of every
// PermanentEntryID.
var GUIDNSPI = prop.GUID{0xDC, 0xA7, 0x40, 0xC8, 0xC0, 0x42, 0x10, 0x1A, 0xB4, 0xB9, 0x08, 0x00, 0x2B, 0x2F, 0xE1, 0x82}

var idTypeSym = wire.Enum(
	wire.Flag{Mask: uint64(IDTypeEphemeral), Name: "EphemeralEntryID"},
	wire.Flag{Mask: uint64(IDTypePermanent), Name: "PermanentEntryID"},
)

// EntryID is an address book Entry ID as the ModLinkAtt request carries it:
// an EphemeralEntryID ([MS-OXNSPI] 2.2.9.2, IDType 0x87: the server's GUID
// and a Minimal Entry ID) or a PermanentEntryID ([MS-OXNSPI] 2.2.9.3,
// IDType 0x00: GUIDNSPI and a distinguished name).
type EntryID struct {
	IDType      uint8 // "ID Type"
	R1, R2, R3  uint8 // reserved, 0
	ProviderUID prop.GUID
	R4          uint32 // reserved, 1
	// DisplayType is the "Display Type" of an Ephemeral Entry ID and the
	// "Display Type String" of a Permanent Entry ID (DT_* values).
	DisplayType       uint32
	MId               uint32 // Ephemeral Entry ID
	DistinguishedName string // Permanent Entry ID, 8-bit
}

// Ephemeral reports an EphemeralEntryID.
func (e *EntryID) Ephemeral() bool { return e.IDType == IDTypeEphemeral }

// EntryIDMinSize is the fewest bytes an EntryID occupies (a Permanent
// Entry ID with an empty DN).
const EntryIDMinSize = 29

// CodecEntryID reads or writes an Ephemeral or Permanent Entry ID, which
// its first byte tells apart.
func CodecEntryID(c *wire.Codec, e *EntryID, name string) {
	c.Begin(name)
	c.U8(&e.IDType, "IDType")
	c.Hex().Named(idTypeSym)
	if e.IDType != IDTypeEphemeral && e.IDType != IDTypePermanent {
		if c.Decoding() {
			c.Fail("EntryID: ID Type 0x%02X is neither 0x87 (Ephemeral) nor 0x00 (Permanent)", e.IDType)
		} else {
			c.EncodeError("EntryID: ID Type 0x%02X", e.IDType)
		}
		c.End()
		return
	}
	c.SetTitle(idTypeSym(uint64(e.IDType)))
	for _, r := range []struct {
		p    *uint8
		name string
	}{{&e.R1, "R1"}, {&e.R2, "R2"}, {&e.R3, "R3"}} {
		c.U8(r.p, r.name)
		c.Hex()
		if c.Decoding() && !c.Failed() && *r.p != 0 {
			c.NoteAt(c.Pos()-1, "EntryID: %s is 0x%02X; it MUST be 0x00", r.name, *r.p)
		}
	}
	prop.CodecGUID(c, &e.ProviderUID, "ProviderUID")
	if c.Decoding() && !c.Failed() && e.IDType == IDTypePermanent && e.ProviderUID != GUIDNSPI {
		c.NoteAt(c.Pos()-16, "PermanentEntryID: ProviderUID %s is not the Permanent Entry ID GUID %s", e.ProviderUID, GUIDNSPI)
	}
	c.U32(&e.R4, "R4")
	c.Hex()
	if c.Decoding() && !c.Failed() && e.R4 != 1 {
		c.NoteAt(c.Pos()-4, "EntryID: R4 is 0x%08X; it MUST be 0x00000001", e.R4)
	}
	if e.IDType == IDTypeEphemeral {
		c.U32(&e.DisplayType, "DisplayType")
		c.Hex().Named(displayTypeSym)
		codecMId(c, &e.MId, "MId", nil)
		if c.Decoding() {
			e.DistinguishedName = ""
		}
	} else {
		c.U32(&e.DisplayType, "DisplayTypeString")
		c.Hex().Named(displayTypeSym)
		c.String8Z(&e.DistinguishedName, "DistinguishedName")
		if c.Decoding() {
			e.MId = 0
		}
	}
	c.End()
}

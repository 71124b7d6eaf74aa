package nspi

import (
	"bytes"
	"encoding/binary"
	"strings"
	"testing"

	"github.com/mapiscope/mapiscope/decode/auxbuf"
	"github.com/mapiscope/mapiscope/decode/mapihttp"
	"github.com/mapiscope/mapiscope/decode/prop"
	"github.com/mapiscope/mapiscope/decode/wire"
)

// bb builds little-endian fixtures field by field.
type bb []byte

func (b bb) u8(v uint8) bb       { return append(b, v) }
func (b bb) u16(v uint16) bb     { return binary.LittleEndian.AppendUint16(b, v) }
func (b bb) u32(v uint32) bb     { return binary.LittleEndian.AppendUint32(b, v) }
func (b bb) i32(v int32) bb      { return b.u32(uint32(v)) }
func (b bb) raw(p ...byte) bb    { return append(b, p...) }
func (b bb) str8z(s string) bb   { return append(append(b, s...), 0) }
func (b bb) utf16z(s string) bb  { return append(wire.AppendUTF16(b, s), 0, 0) }
func (b bb) guid(g prop.GUID) bb { return append(b, g[:]...) }
func (b bb) sized(p []byte) bb   { return b.u32(uint32(len(p))).raw(p...) }
func (b bb) tags(t ...uint32) bb { // LargePropertyTagArray
	b = b.
		u32(uint32(len(t))) // PropertyTagCount
	for _, x := range t {
		b = b.
			u32(x) // PropertyTags
	}
	return b
}
func (b bb) mids(m ...uint32) bb { // a 32-bit count and MinimalEntryIDs
	b = b.u32(uint32(len(m)))
	for _, x := range m {
		b = b.u32(x)
	}
	return b
}

// stat builds a STAT ([MS-OXNSPI] 2.2.8), field by field.
func (b bb) stat(s STAT) bb {
	return b.
		u32(s.SortType).       // SortType
		u32(s.ContainerID).    // ContainerID
		u32(s.CurrentRec).     // CurrentRec
		i32(s.Delta).          // Delta
		u32(s.NumPos).         // NumPos
		u32(s.TotalRecs).      // TotalRecs
		u32(s.CodePage).       // CodePage
		u32(s.TemplateLocale). // TemplateLocale
		u32(s.SortLocale)      // SortLocale
}

// Property tags of the address book used below.
const (
	tagDisplayName    = 0x3001001F // PidTagDisplayName
	tagAddressType    = 0x3002001F // PidTagAddressType
	tagEmailAddress   = 0x3003001F // PidTagEmailAddress
	tagEntryID        = 0x0FFF0102 // PidTagEntryId
	tagObjectType     = 0x0FFE0003 // PidTagObjectType
	tagDisplayType    = 0x39000003 // PidTagDisplayType
	tagAccountAny     = 0x3A000000 // PidTagAccount, PtypUnspecified
	tagProxyAddresses = 0x800F101F // PidTagAddressBookProxyAddresses
	tagX509           = 0x8C6A1102 // PidTagAddressBookX509Certificate
	tagMember         = 0x8009000D // PidTagAddressBookMember
	tagAnr            = 0x360C001F // PidTagAnr
	tagContainerFlags = 0x36000003 // PidTagContainerFlags
	tagDepth          = 0x30050003 // PidTagDepth
	tagTemplateData   = 0x00010102 // PidTagTemplateData
	tagScriptData     = 0x00040102 // PidTagScriptData
	tagSelectable     = 0x3609000B // PidTagSelectable
)

// serverGUID is the server GUID of the NspiBind example of [MS-OXNSPI]
// section 4: bytes abbc8b867933c448a1ef1b53e63bdc46.
var serverGUID = prop.GUID{0xab, 0xbc, 0x8b, 0x86, 0x79, 0x33, 0xc4, 0x48, 0xa1, 0xef, 0x1b, 0x53, 0xe6, 0x3b, 0xdc, 0x46}

// A STAT as a client sends it: GAL, beginning of table, code page 1252,
// US English.
var clientStat = STAT{SortType: SortTypeDisplayName, CodePage: 1252, TemplateLocale: 0x409, SortLocale: 0x409}

// ephemeral builds an EphemeralEntryID ([MS-OXNSPI] 2.2.9.2).
func ephemeral(dt, mid uint32) bb {
	return bb{}.
		u8(0x87).          // ID Type
		u8(0).u8(0).u8(0). // R1, R2, R3
		guid(serverGUID).  // ProviderUID
		u32(1).            // R4
		u32(dt).           // Display Type
		u32(mid)           // MId
}

// permanent builds a PermanentEntryID ([MS-OXNSPI] 2.2.9.3).
func permanent(dt uint32, dn string) bb {
	return bb{}.
		u8(0x00).          // ID Type
		u8(0).u8(0).u8(0). // R1, R2, R3
		guid(GUIDNSPI).    // ProviderUID
		u32(1).            // R4
		u32(dt).           // Display Type String
		str8z(dn)          // Distinguished Name
}

const (
	dnAlice = "/o=Contoso/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn=alice"
	dnBob   = "/o=Contoso/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn=bob"
	dnSrv   = "/o=Contoso/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Configuration/cn=Servers/cn=mbx1"
)

// rpcHeader builds an RPC_HEADER_EXT ([MS-OXCRPC] 2.2.2.1).
func rpcHeader(flags uint16, size int) bb {
	return bb{}.u16(0).u16(flags).u16(uint16(size)).u16(uint16(size))
}

// auxBlock builds an AUX_HEADER and block.
func auxBlock(version, typ uint8, body []byte) bb {
	return bb{}.u16(uint16(4 + len(body))).u8(version).u8(typ).raw(body...)
}

const flagLast = 0x0004

// clientAux is an auxiliary buffer as Outlook sends it: one
// RPC_HEADER_EXT (Last) around AUX_PERF_PROCESSINFO.
func clientAux() []byte {
	guid := bytes.Repeat([]byte{0xAB}, 16)
	payload := auxBlock(2, 0x0B, bb{}.u16(1).u16(0).raw(guid...).u16(28).u16(0).utf16z("OUTLOOK.EXE").raw(0, 0))
	return rpcHeader(flagLast, len(payload)).raw(payload...)
}

// serverAux is an auxiliary buffer as a server returns it:
// AUX_SERVER_SESSION_INFO.
func serverAux() []byte {
	payload := auxBlock(1, 0x4B, bb{}.u16(6).utf16z("s1").raw(0, 0))
	return rpcHeader(flagLast, len(payload)).raw(payload...)
}

type bodyCase struct {
	name string
	t    mapihttp.RequestType
	resp bool
	b    []byte
	chk  func(t *testing.T, body Body)
}

func str(v any) string    { s, _ := v.(string); return s }
func bin(v any) []byte    { b, _ := v.([]byte); return b }
func strs(v any) []string { s, _ := v.([]string); return s }

func statEq(t *testing.T, got *STAT, want STAT) {
	t.Helper()
	if got == nil || *got != want {
		t.Fatalf("State = %+v, want %+v", got, want)
	}
}

func tagsEq(t *testing.T, got []prop.Tag, want ...uint32) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("tags %v, want %x", got, want)
	}
	for i := range want {
		if uint32(got[i]) != want[i] {
			t.Fatalf("tag %d = %v, want 0x%08X", i, got[i], want[i])
		}
	}
}

func midsEq(t *testing.T, got []uint32, want ...uint32) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("MIds %x, want %x", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("MId %d = 0x%X, want 0x%X", i, got[i], want[i])
		}
	}
}

// failure is the failure response body of every request type —
// [MS-OXCMAPIHTTP] 2.2.5.x.3: StatusCode (nonzero) and the auxiliary buffer.
func failure(status uint32) []byte {
	return bb{}.
		u32(status). // StatusCode
		sized(nil)   // AuxiliaryBufferSize 0, AuxiliaryBuffer
}

func failureCase(name string, rt mapihttp.RequestType, status uint32) bodyCase {
	return bodyCase{name + " failure response", rt, true, failure(status), func(t *testing.T, body Body) {
		r := body.(Response)
		if !Failed(body) || r.Status() != status {
			t.Fatalf("%+v", body)
		}
	}}
}

func bodyCases() []bodyCase {
	var cases []bodyCase
	add := func(c ...bodyCase) { cases = append(cases, c...) }

	// ---- Bind — 2.2.5.1 ----
	add(bodyCase{"Bind request", mapihttp.TypeBind, false,
		bb{}.
			u32(0).             // Flags
			u8(0xFF).           // HasState
			stat(clientStat).   // State
			sized(clientAux()), // AuxiliaryBufferSize, AuxiliaryBuffer
		func(t *testing.T, body Body) {
			r := body.(*BindRequest)
			statEq(t, r.State, clientStat)
			if r.Flags != 0 || r.HasState != True || r.AuxiliaryBuffer.Find("AUX_PERF_PROCESSINFO") == nil {
				t.Fatalf("%+v", r)
			}
			if r.AuxiliaryBuffer.Find("AUX_PERF_PROCESSINFO").Body.(*auxbuf.PerfProcessInfo).ProcessName != "OUTLOOK.EXE" {
				t.Fatal("aux")
			}
		}},
		bodyCase{"Bind request anonymous without state", mapihttp.TypeBind, false,
			bb{}.
				u32(FAnonymousLogin). // Flags: fAnonymousLogin
				u8(0).                // HasState: FALSE, no State
				sized(nil),           // AuxiliaryBufferSize 0
			func(t *testing.T, body Body) {
				r := body.(*BindRequest)
				if r.Flags != FAnonymousLogin || r.HasState != False || r.State != nil {
					t.Fatalf("%+v", r)
				}
			}},
		bodyCase{"Bind success response", mapihttp.TypeBind, true,
			bb{}.
				u32(0).             // StatusCode
				u32(0).             // ErrorCode: Success
				guid(serverGUID).   // ServerGuid
				sized(serverAux()), // AuxiliaryBufferSize, AuxiliaryBuffer
			func(t *testing.T, body Body) {
				r := body.(*BindResponse)
				if Failed(r) || r.ErrorCode != prop.Success || r.ServerGuid.String() != "868bbcab-3379-48c4-a1ef-1b53e63bdc46" {
					t.Fatalf("%+v %s", r, r.ServerGuid)
				}
				if r.AuxiliaryBuffer.Find("AUX_SERVER_SESSION_INFO") == nil {
					t.Fatal("aux")
				}
			}},
		failureCase("Bind", mapihttp.TypeBind, 8)) // Anonymous Not Allowed

	// ---- Unbind — 2.2.5.2 ----
	add(bodyCase{"Unbind request", mapihttp.TypeUnbind, false,
		bb{}.
			u32(0).     // Reserved
			sized(nil), // AuxiliaryBufferSize 0
		nil},
		bodyCase{"Unbind success response", mapihttp.TypeUnbind, true,
			bb{}.
				u32(0).     // StatusCode
				u32(0).     // ErrorCode
				sized(nil), // AuxiliaryBufferSize 0
			func(t *testing.T, body Body) {
				if Failed(body) || body.(*UnbindResponse).ErrorCode != 0 {
					t.Fatal(body)
				}
			}},
		failureCase("Unbind", mapihttp.TypeUnbind, 10)) // Context Not Found

	// ---- CompareMIds — 2.2.5.3 ----
	add(bodyCase{"CompareMIds request", mapihttp.TypeCompareMIds, false,
		bb{}.
			u32(0).           // Reserved
			u8(0xFF).         // HasState
			stat(clientStat). // State
			u32(0x1234).      // MinimalId1
			u32(0x5678).      // MinimalId2
			sized(nil),       // AuxiliaryBufferSize 0
		func(t *testing.T, body Body) {
			r := body.(*CompareMIdsRequest)
			statEq(t, r.State, clientStat)
			if r.MinimalId1 != 0x1234 || r.MinimalId2 != 0x5678 {
				t.Fatalf("%+v", r)
			}
		}},
		bodyCase{"CompareMIds success response", mapihttp.TypeCompareMIds, true,
			bb{}.
				u32(0).     // StatusCode
				u32(0).     // ErrorCode
				i32(-1).    // Result: MinimalId1 sorts first
				sized(nil), // AuxiliaryBufferSize 0
			func(t *testing.T, body Body) {
				if r := body.(*CompareMIdsResponse); r.Result != -1 {
					t.Fatalf("%+v", r)
				}
			}},
		failureCase("CompareMIds", mapihttp.TypeCompareMIds, 1))

	// ---- DNToMId — 2.2.5.4 ----
	add(bodyCase{"DNToMId request", mapihttp.TypeDNToMId, false,
		bb{}.
			u32(0).       // Reserved
			u8(0xFF).     // HasNames
			u32(2).       // NameCount
			str8z(dnBob). // NameValues[0]
			str8z(dnSrv). // NameValues[1]
			sized(nil),   // AuxiliaryBufferSize 0
		func(t *testing.T, body Body) {
			r := body.(*DNToMIdRequest)
			if r.HasNames != True || len(r.NameValues) != 2 || r.NameValues[0] != dnBob || r.NameValues[1] != dnSrv {
				t.Fatalf("%+v", r)
			}
		}},
		bodyCase{"DNToMId success response", mapihttp.TypeDNToMId, true,
			bb{}.
				u32(0).                   // StatusCode
				u32(0).                   // ErrorCode
				u8(0xFF).                 // HasMinimalIds
				mids(0x1002, 0x00000000). // MinimalIdCount, MinimalIds: bob, not found
				sized(nil),               // AuxiliaryBufferSize 0
			func(t *testing.T, body Body) {
				midsEq(t, body.(*DNToMIdResponse).MinimalIds, 0x1002, 0)
			}},
		failureCase("DNToMId", mapihttp.TypeDNToMId, 12)) // Invalid Request Body

	// ---- GetMatches — 2.2.5.5 ----
	anrStat := STAT{SortType: SortTypeDisplayName, CurrentRec: MIDBeginningOfTable, CodePage: 1252, TemplateLocale: 0x409, SortLocale: 0x409}
	filter := bb{}.
		u8(0x00).                      // AndRestriction
		u32(2).                        // RestrictCount (32 bits)
		u8(0x04).u8(0x04).u32(tagAnr). // PropertyRestriction, RelOp RELOP_EQ, PropTag PidTagAnr
		u32(tagAnr).utf16z("alice").   // TaggedValue: PropertyTag, Value
		u8(0x08).u32(tagEmailAddress)  // ExistRestriction, PropTag PidTagEmailAddress
	add(bodyCase{"GetMatches request with filter", mapihttp.TypeGetMatches, false,
		bb{}.
			u32(0).                                                // Reserved
			u8(0xFF).                                              // HasState
			stat(anrStat).                                         // State
			u8(0).                                                 // HasMinimalIds: FALSE
			u32(0).                                                // InterfaceOptionFlags
			u8(0xFF).                                              // HasFilter
			raw(filter...).                                        // Filter
			u8(0).                                                 // HasPropertyName: FALSE
			u32(50).                                               // RowCount
			u8(0xFF).                                              // HasColumns
			tags(tagDisplayName, tagEmailAddress, tagDisplayType). // Columns
			sized(nil),                                            // AuxiliaryBufferSize 0
		func(t *testing.T, body Body) {
			r := body.(*GetMatchesRequest)
			statEq(t, r.State, anrStat)
			f := r.Filter
			if f == nil || f.RestrictType != prop.RestrictAnd || len(f.Restricts) != 2 {
				t.Fatalf("filter %+v", f)
			}
			p := f.Restricts[0]
			if p.RestrictType != prop.RestrictProperty || p.RelOp != prop.RelopEQ || p.PropTag != tagAnr || p.TaggedValue.Value != "alice" {
				t.Fatalf("property restriction %+v", p)
			}
			if f.Restricts[1].RestrictType != prop.RestrictExist || f.Restricts[1].PropTag != tagEmailAddress {
				t.Fatalf("exist restriction %+v", f.Restricts[1])
			}
			if r.HasMinimalIds != False || r.MinimalIds != nil || r.HasPropertyName != False || r.RowCount != 50 {
				t.Fatalf("%+v", r)
			}
			tagsEq(t, r.Columns, tagDisplayName, tagEmailAddress, tagDisplayType)
		}},
		bodyCase{"GetMatches request on a property", mapihttp.TypeGetMatches, false,
			bb{}.
				u32(0).                                                                                                                    // Reserved
				u8(0xFF).                                                                                                                  // HasState
				stat(STAT{SortType: SortTypeDisplayNameRO, CurrentRec: 0x2001, CodePage: 1252, TemplateLocale: 0x409, SortLocale: 0x409}). // State
				u8(0xFF).                                                                                                                  // HasMinimalIds
				mids(0x2001).                                                                                                              // MinimalIdCount, MinimalIds
				u32(0).                                                                                                                    // InterfaceOptionFlags
				u8(0).                                                                                                                     // HasFilter: FALSE
				u8(0xFF).                                                                                                                  // HasPropertyName
				guid(prop.GUID{0x28, 0x03, 0x02, 0, 0, 0, 0, 0, 0xC0, 0, 0, 0, 0, 0, 0, 0x46}).                                            // PropertyNameGuid: PS_MAPI
				u32(tagMember).                                                                                                            // PropertyNameId
				u32(10).                                                                                                                   // RowCount
				u8(0).                                                                                                                     // HasColumns: FALSE
				sized(nil),                                                                                                                // AuxiliaryBufferSize 0
			func(t *testing.T, body Body) {
				r := body.(*GetMatchesRequest)
				if r.State.SortType != SortTypeDisplayNameRO || r.Filter != nil || r.PropertyNameId != tagMember || r.PropertyNameGuid.String() != "00020328-0000-0000-c000-000000000046" || r.Columns != nil {
					t.Fatalf("%+v", r)
				}
				midsEq(t, r.MinimalIds, 0x2001)
			}},
		bodyCase{"GetMatches success response", mapihttp.TypeGetMatches, true,
			bb{}.
				u32(0).                                                                                                            // StatusCode
				u32(0).                                                                                                            // ErrorCode
				u8(0xFF).                                                                                                          // HasState
				stat(STAT{CurrentRec: 0x1002, NumPos: 2, TotalRecs: 2, CodePage: 1252, TemplateLocale: 0x409, SortLocale: 0x409}). // State
				u8(0xFF).                                                                                                          // HasMinimalIds
				mids(0x1001, 0x1002).                                                                                              // MinimalIdCount, MinimalIds
				u8(0xFF).                                                                                                          // HasColsAndRows
				tags(tagDisplayName, tagEmailAddress, tagDisplayType).                                                             // Columns
				u32(2).                                                                                                            // RowCount
				// RowData[0]: standard row
				u8(0x00).                 // Flags
				u8(0xFF).utf16z("Alice"). // PidTagDisplayName: HasValue, PropertyValue
				u8(0xFF).utf16z(dnAlice). // PidTagEmailAddress: HasValue, PropertyValue
				u32(DTMailUser).          // PidTagDisplayType
				// RowData[1]: flagged row
				u8(0x01).                        // Flags
				u8(0x00).u8(0xFF).utf16z("Bob"). // PidTagDisplayName: Flag value, HasValue, PropertyValue
				u8(0x0A).u32(0x8004010F).        // PidTagEmailAddress: Flag error, ecNotFound
				u8(0x01).                        // PidTagDisplayType: Flag not present
				sized(nil),                      // AuxiliaryBufferSize 0
			func(t *testing.T, body Body) {
				r := body.(*GetMatchesResponse)
				midsEq(t, r.MinimalIds, 0x1001, 0x1002)
				tagsEq(t, r.Columns, tagDisplayName, tagEmailAddress, tagDisplayType)
				if len(r.RowData) != 2 || r.State.TotalRecs != 2 {
					t.Fatalf("%+v", r)
				}
				a, b := r.RowData[0], r.RowData[1]
				if a.Flags != RowStandard || str(a.ValueArray[0].Value) != "Alice" || a.ValueArray[0].HasValue != True ||
					str(a.ValueArray[1].Value) != dnAlice || a.ValueArray[2].Value != int32(0) || a.ValueArray[2].PropertyType != prop.PtypInteger32 {
					t.Fatalf("row 0 %+v", a)
				}
				if b.Flags != RowFlagged || b.ValueArray[0].Flag != FlagValue || str(b.ValueArray[0].Value) != "Bob" ||
					b.ValueArray[1].Flag != FlagError || b.ValueArray[1].Value != prop.ErrorCode(0x8004010F) ||
					b.ValueArray[2].Flag != FlagNotFound || b.ValueArray[2].Value != nil {
					t.Fatalf("row 1 %+v", b)
				}
			}},
		bodyCase{"GetMatches success response with an NSPI error", mapihttp.TypeGetMatches, true,
			bb{}.
				u32(0).          // StatusCode
				u32(0x8004010F). // ErrorCode: ecNotFound
				u8(0).           // HasState: FALSE
				u8(0).           // HasMinimalIds: FALSE
				u8(0).           // HasColsAndRows: FALSE
				sized(nil),      // AuxiliaryBufferSize 0
			func(t *testing.T, body Body) {
				r := body.(*GetMatchesResponse)
				if Failed(r) || r.ErrorCode != 0x8004010F || r.State != nil || r.RowData != nil {
					t.Fatalf("%+v", r)
				}
			}},
		failureCase("GetMatches", mapihttp.TypeGetMatches, 6)) // Invalid Context Cookie

	// ---- GetPropList — 2.2.5.6 ----
	add(bodyCase{"GetPropList request", mapihttp.TypeGetPropList, false,
		bb{}.
			u32(FEphID). // Flags: fEphID
			u32(0x1001). // MinimalId
			u32(1252).   // CodePage
			sized(nil),  // AuxiliaryBufferSize 0
		func(t *testing.T, body Body) {
			if r := body.(*GetPropListRequest); r.Flags != FEphID || r.MinimalId != 0x1001 || r.CodePage != 1252 {
				t.Fatalf("%+v", r)
			}
		}},
		bodyCase{"GetPropList success response", mapihttp.TypeGetPropList, true,
			bb{}.
				u32(0).                                              // StatusCode
				u32(0).                                              // ErrorCode
				u8(0xFF).                                            // HasPropertyTags
				tags(tagDisplayName, tagEntryID, tagProxyAddresses). // PropertyTags
				sized(nil),                                          // AuxiliaryBufferSize 0
			func(t *testing.T, body Body) {
				tagsEq(t, body.(*GetPropListResponse).PropertyTags, tagDisplayName, tagEntryID, tagProxyAddresses)
			}},
		failureCase("GetPropList", mapihttp.TypeGetPropList, 1))

	// ---- GetProps — 2.2.5.7 ----
	aliceStat := clientStat
	aliceStat.CurrentRec = 0x1001
	eid := ephemeral(DTMailUser, 0x1001)
	add(bodyCase{"GetProps request", mapihttp.TypeGetProps, false,
		bb{}.
			u32(0).                                                             // Flags
			u8(0xFF).                                                           // HasState
			stat(aliceStat).                                                    // State: CurrentRec is the object
			u8(0xFF).                                                           // HasPropertyTags
			tags(tagDisplayName, tagEntryID, tagProxyAddresses, tagAccountAny). // PropertyTags
			sized(nil),                                                         // AuxiliaryBufferSize 0
		func(t *testing.T, body Body) {
			r := body.(*GetPropsRequest)
			statEq(t, r.State, aliceStat)
			tagsEq(t, r.PropertyTags, tagDisplayName, tagEntryID, tagProxyAddresses, tagAccountAny)
		}},
		bodyCase{"GetProps success response", mapihttp.TypeGetProps, true,
			bb{}.
				u32(0).                                                                       // StatusCode
				u32(0x00040380).                                                              // ErrorCode: ecWarnWithErrors
				u32(1252).                                                                    // CodePage
				u8(0xFF).                                                                     // HasPropertyValues
				u32(9).                                                                       // PropertyValueCount
				u16(0x001F).u16(0x3001).u8(0xFF).utf16z("Alice").                             // PidTagDisplayName: PropertyType, PropertyId, HasValue, PropertyValue
				u16(0x0102).u16(0x0FFF).u8(0xFF).u32(uint32(len(eid))).raw(eid...).           // PidTagEntryId: HasValue, 32-bit Count, bytes
				u16(0x101F).u16(0x800F).u8(0xFF).u32(3).                                      // PidTagAddressBookProxyAddresses: HasValue, 32-bit value count
				u8(0xFF).utf16z("SMTP:alice@contoso.com").                                    // value 0: HasValue, string
				u8(0x00).                                                                     // value 1: HasValue FALSE
				u8(0xFF).utf16z("X500:"+dnAlice).                                             // value 2
				u16(0x101E).u16(0x800F).u8(0xFF).u32(1).u8(0xFF).str8z("smtp:a@contoso.com"). // PtypMultipleString8
				u16(0x1102).u16(0x8C6A).u8(0xFF).u32(2).                                      // PidTagAddressBookX509Certificate: HasValue, 2 values
				u8(0xFF).u32(3).raw(0x30, 0x82, 0x01).                                        // value 0: HasValue, Count, bytes
				u8(0x00).                                                                     // value 1: HasValue FALSE
				u16(0x0102).u16(0x8C9E).u8(0x00).                                             // PidTagThumbnailPhoto: HasValue FALSE, no value
				u16(0x0003).u16(0x3900).u32(DTMailUser).                                      // PidTagDisplayType: no HasValue
				u16(0x000B).u16(0x3609).u8(1).                                                // PidTagSelectable: PtypBoolean
				u16(0x1003).u16(0x6800).u8(0xFF).u32(2).u32(7).u32(9).                        // PtypMultipleInteger32: HasValue, count, values
				sized(nil),                                                                   // AuxiliaryBufferSize 0
			func(t *testing.T, body Body) {
				r := body.(*GetPropsResponse)
				v := r.PropertyValues
				if r.ErrorCode != 0x00040380 || r.CodePage != 1252 || len(v) != 9 {
					t.Fatalf("%+v", r)
				}
				if v[0].Tag() != tagDisplayName || str(v[0].Value) != "Alice" || !bytes.Equal(bin(v[1].Value), eid) {
					t.Fatalf("values 0,1: %+v %+v", v[0], v[1])
				}
				p := strs(v[2].Value)
				if len(p) != 3 || p[0] != "SMTP:alice@contoso.com" || p[1] != "" || p[2] != "X500:"+dnAlice ||
					len(v[2].ItemHasValue) != 3 || v[2].ItemHasValue[1] != False || v[2].ItemHasValue[2] != True {
					t.Fatalf("proxy addresses %+v", v[2])
				}
				if s := strs(v[3].Value); len(s) != 1 || s[0] != "smtp:a@contoso.com" {
					t.Fatalf("string8 %+v", v[3])
				}
				if x, _ := v[4].Value.([][]byte); len(x) != 2 || !bytes.Equal(x[0], []byte{0x30, 0x82, 0x01}) || x[1] != nil || v[4].ItemHasValue[1] != False {
					t.Fatalf("x509 %+v", v[4])
				}
				if v[5].HasValue != False || v[5].Value != nil || v[6].Value != int32(0) || v[7].Value != true {
					t.Fatalf("values 5-7: %+v %+v %+v", v[5], v[6], v[7])
				}
				if x, _ := v[8].Value.([]int32); len(x) != 2 || x[0] != 7 || x[1] != 9 {
					t.Fatalf("mv int32 %+v", v[8])
				}
			}},
		failureCase("GetProps", mapihttp.TypeGetProps, 11)) // No Privilege

	// ---- GetSpecialTable — 2.2.5.8 ----
	add(bodyCase{"GetSpecialTable request", mapihttp.TypeGetSpecialTable, false,
		bb{}.
			u32(NspiUnicodeStrings). // Flags
			u8(0xFF).                // HasState
			stat(clientStat).        // State
			u8(0xFF).                // HasVersion
			u32(1).                  // Version
			sized(nil),              // AuxiliaryBufferSize 0
		func(t *testing.T, body Body) {
			if r := body.(*GetSpecialTableRequest); r.Flags != NspiUnicodeStrings || r.HasVersion != True || r.Version != 1 {
				t.Fatalf("%+v", r)
			}
		}},
		bodyCase{"GetSpecialTable success response", mapihttp.TypeGetSpecialTable, true,
			bb{}.
				u32(0).    // StatusCode
				u32(0).    // ErrorCode
				u32(1252). // CodePage
				u8(0xFF).  // HasVersion
				u32(2).    // Version
				u8(0xFF).  // HasRows
				u32(2).    // RowCount
				// Rows[0]: AddressBookPropertyValueList
				u32(4).                                                                                                           // PropertyValueCount
				u16(0x0102).u16(0x0FFF).u8(0xFF).u32(uint32(len(permanent(DTContainer, "")))).raw(permanent(DTContainer, "")...). // PidTagEntryId
				u16(0x001F).u16(0x3001).u8(0xFF).utf16z("All Address Lists").                                                     // PidTagDisplayName
				u16(0x0003).u16(0x3600).u32(1).                                                                                   // PidTagContainerFlags
				u16(0x0003).u16(0x3005).u32(0).                                                                                   // PidTagDepth
				// Rows[1]
				u32(1).                                                         // PropertyValueCount
				u16(0x001F).u16(0x3001).u8(0xFF).utf16z("Global Address List"). // PidTagDisplayName
				sized(nil),                                                     // AuxiliaryBufferSize 0
			func(t *testing.T, body Body) {
				r := body.(*GetSpecialTableResponse)
				if r.Version != 2 || len(r.Rows) != 2 || len(r.Rows[0]) != 4 || str(r.Rows[1][0].Value) != "Global Address List" || r.Rows[0][2].Value != int32(1) {
					t.Fatalf("%+v", r)
				}
			}},
		failureCase("GetSpecialTable", mapihttp.TypeGetSpecialTable, 1))

	// ---- GetTemplateInfo — 2.2.5.9 ----
	const templateDn = "/o=Contoso/cn=addrtype/cn=templates/cn=0409/cn=00000000"
	add(bodyCase{"GetTemplateInfo request", mapihttp.TypeGetTemplateInfo, false,
		bb{}.
			u32(TITemplate | TIScript). // Flags
			u32(DTMailUser).            // DisplayType
			u8(0xFF).                   // HasTemplateDn
			str8z(templateDn).          // TemplateDn
			u32(1252).                  // CodePage
			u32(0x409).                 // LocaleId
			sized(nil),                 // AuxiliaryBufferSize 0
		func(t *testing.T, body Body) {
			if r := body.(*GetTemplateInfoRequest); r.Flags != 5 || r.TemplateDn != templateDn || r.LocaleId != 0x409 {
				t.Fatalf("%+v", r)
			}
		}},
		bodyCase{"GetTemplateInfo success response", mapihttp.TypeGetTemplateInfo, true,
			bb{}.
				u32(0).                                                  // StatusCode
				u32(0).                                                  // ErrorCode
				u32(1252).                                               // CodePage
				u8(0xFF).                                                // HasRow
				u32(2).                                                  // PropertyValueCount
				u16(0x0102).u16(0x0001).u8(0xFF).u32(4).raw(1, 2, 3, 4). // PidTagTemplateData
				u16(0x0102).u16(0x0004).u8(0xFF).u32(0).                 // PidTagScriptData: empty
				sized(nil),                                              // AuxiliaryBufferSize 0
			func(t *testing.T, body Body) {
				r := body.(*GetTemplateInfoResponse)
				if len(r.Row) != 2 || !bytes.Equal(bin(r.Row[0].Value), []byte{1, 2, 3, 4}) || r.Row[1].Value == nil || len(bin(r.Row[1].Value)) != 0 {
					t.Fatalf("%+v", r)
				}
			}},
		failureCase("GetTemplateInfo", mapihttp.TypeGetTemplateInfo, 1))

	// ---- ModLinkAtt — 2.2.5.10 ----
	add(bodyCase{"ModLinkAtt request", mapihttp.TypeModLinkAtt, false,
		bb{}.
			u32(FDelete).                          // Flags: fDelete
			u32(tagMember).                        // PropertyTag: PidTagAddressBookMember
			u32(0x2001).                           // MinimalId: the distribution list
			u8(0xFF).                              // HasEntryIds
			u32(2).                                // EntryIdCount
			raw(ephemeral(DTMailUser, 0x1001)...). // EntryIds[0]
			raw(permanent(DTMailUser, dnBob)...).  // EntryIds[1]
			sized(nil),                            // AuxiliaryBufferSize 0
		func(t *testing.T, body Body) {
			r := body.(*ModLinkAttRequest)
			if r.Flags != FDelete || r.PropertyTag != tagMember || r.MinimalId != 0x2001 || len(r.EntryIds) != 2 {
				t.Fatalf("%+v", r)
			}
			e, p := r.EntryIds[0], r.EntryIds[1]
			if !e.Ephemeral() || e.ProviderUID != serverGUID || e.R4 != 1 || e.MId != 0x1001 {
				t.Fatalf("ephemeral %+v", e)
			}
			if p.Ephemeral() || p.ProviderUID != GUIDNSPI || p.DistinguishedName != dnBob {
				t.Fatalf("permanent %+v", p)
			}
		}},
		bodyCase{"ModLinkAtt success response", mapihttp.TypeModLinkAtt, true,
			bb{}.
				u32(0).     // StatusCode
				u32(0).     // ErrorCode
				sized(nil), // AuxiliaryBufferSize 0
			nil},
		failureCase("ModLinkAtt", mapihttp.TypeModLinkAtt, 1))

	// ---- ModProps — 2.2.5.11 ----
	add(bodyCase{"ModProps request", mapihttp.TypeModProps, false,
		bb{}.
			u32(0).                                                                  // Reserved
			u8(0xFF).                                                                // HasState
			stat(aliceStat).                                                         // State
			u8(0xFF).                                                                // HasPropertyTags
			tags(tagX509).                                                           // PropertyTags: to remove
			u8(0xFF).                                                                // HasPropertyValues
			u32(1).                                                                  // PropertyValueCount
			u16(0x1102).u16(0x8C6A).u8(0xFF).u32(1).u8(0xFF).u32(2).raw(0x30, 0x82). // PidTagAddressBookX509Certificate
			sized(nil),                                                              // AuxiliaryBufferSize 0
		func(t *testing.T, body Body) {
			r := body.(*ModPropsRequest)
			tagsEq(t, r.PropertyTags, tagX509)
			if len(r.PropertyValues) != 1 || r.PropertyValues[0].Tag() != tagX509 {
				t.Fatalf("%+v", r)
			}
		}},
		bodyCase{"ModProps success response", mapihttp.TypeModProps, true,
			bb{}.
				u32(0).     // StatusCode
				u32(0).     // ErrorCode
				sized(nil), // AuxiliaryBufferSize 0
			nil},
		failureCase("ModProps", mapihttp.TypeModProps, 1))

	// ---- QueryColumns — 2.2.5.13 ----
	add(bodyCase{"QueryColumns request", mapihttp.TypeQueryColumns, false,
		bb{}.
			u32(0).                    // Reserved
			u32(NspiUnicodeProptypes). // MapiFlags
			sized(nil),                // AuxiliaryBufferSize 0
		func(t *testing.T, body Body) {
			if body.(*QueryColumnsRequest).MapiFlags != NspiUnicodeProptypes {
				t.Fatal(body)
			}
		}},
		bodyCase{"QueryColumns success response", mapihttp.TypeQueryColumns, true,
			bb{}.
				u32(0).                                                               // StatusCode
				u32(0).                                                               // ErrorCode
				u8(0xFF).                                                             // HasColumns
				tags(tagDisplayName, tagAddressType, tagEmailAddress, tagObjectType). // Columns
				sized(nil),                                                           // AuxiliaryBufferSize 0
			func(t *testing.T, body Body) {
				tagsEq(t, body.(*QueryColumnsResponse).Columns, tagDisplayName, tagAddressType, tagEmailAddress, tagObjectType)
			}},
		failureCase("QueryColumns", mapihttp.TypeQueryColumns, 1))

	// ---- QueryRows — 2.2.5.12 ----
	add(bodyCase{"QueryRows request", mapihttp.TypeQueryRows, false,
		bb{}.
			u32(FEphID).                                                     // Flags
			u8(0xFF).                                                        // HasState
			stat(clientStat).                                                // State
			u32(0).                                                          // ExplicitTableCount: none
			u32(25).                                                         // RowCount
			u8(0xFF).                                                        // HasColumns
			tags(tagDisplayName, tagEntryID, tagAccountAny, tagDisplayType). // Columns
			sized(nil),                                                      // AuxiliaryBufferSize 0
		func(t *testing.T, body Body) {
			r := body.(*QueryRowsRequest)
			if r.ExplicitTable != nil || r.RowCount != 25 {
				t.Fatalf("%+v", r)
			}
			tagsEq(t, r.Columns, tagDisplayName, tagEntryID, tagAccountAny, tagDisplayType)
		}},
		bodyCase{"QueryRows request with an explicit table", mapihttp.TypeQueryRows, false,
			bb{}.
				u32(0).               // Flags
				u8(0).                // HasState: FALSE
				mids(0x1001, 0x1002). // ExplicitTableCount, ExplicitTable
				u32(2).               // RowCount
				u8(0).                // HasColumns: FALSE
				sized(nil),           // AuxiliaryBufferSize 0
			func(t *testing.T, body Body) {
				r := body.(*QueryRowsRequest)
				midsEq(t, r.ExplicitTable, 0x1001, 0x1002)
				if r.State != nil || r.Columns != nil {
					t.Fatalf("%+v", r)
				}
			}},
		bodyCase{"QueryRows success response", mapihttp.TypeQueryRows, true,
			bb{}.
				u32(0).                                                                                                                   // StatusCode
				u32(0).                                                                                                                   // ErrorCode
				u8(0xFF).                                                                                                                 // HasState
				stat(STAT{CurrentRec: MIDEndOfTable, NumPos: 2, TotalRecs: 2, CodePage: 1252, TemplateLocale: 0x409, SortLocale: 0x409}). // State
				u8(0xFF).                                                                                                                 // HasColsAndRows
				tags(tagDisplayName, tagEntryID, tagAccountAny, tagDisplayType).                                                          // Columns
				u32(2).                                                                                                                   // RowCount
				// RowData[0]: standard row
				u8(0x00).                                   // Flags
				u8(0xFF).utf16z("Alice").                   // PidTagDisplayName: HasValue, PropertyValue
				u8(0xFF).u32(uint32(len(eid))).raw(eid...). // PidTagEntryId: HasValue, Count, bytes
				u16(0x001F).u8(0xFF).utf16z("alice").       // PidTagAccount: AddressBookTypedPropertyValue
				u32(DTMailUser).                            // PidTagDisplayType
				// RowData[1]: flagged row
				u8(0x01).                             // Flags
				u8(0x00).u8(0xFF).utf16z("Bob").      // PidTagDisplayName: Flag, HasValue, PropertyValue
				u8(0x01).                             // PidTagEntryId: Flag not present
				u16(0x000A).u8(0x0A).u32(0x8004010F). // PidTagAccount: WithType, Flag error, ecNotFound
				u8(0x00).u32(DTRemoteMailUser).       // PidTagDisplayType: Flag, value
				sized(nil),                           // AuxiliaryBufferSize 0
			func(t *testing.T, body Body) {
				r := body.(*QueryRowsResponse)
				if r.State.CurrentRec != MIDEndOfTable || len(r.RowData) != 2 {
					t.Fatalf("%+v", r)
				}
				a, b := r.RowData[0].ValueArray, r.RowData[1].ValueArray
				if str(a[0].Value) != "Alice" || !bytes.Equal(bin(a[1].Value), eid) || a[2].PropertyType != prop.PtypString || str(a[2].Value) != "alice" || a[3].Value != int32(0) {
					t.Fatalf("row 0 %+v", a)
				}
				if str(b[0].Value) != "Bob" || b[1].Flag != FlagNotFound || b[2].PropertyType != prop.PtypErrorCode || b[2].Flag != FlagError ||
					b[2].Value != prop.ErrorCode(0x8004010F) || b[3].Value != int32(DTRemoteMailUser) {
					t.Fatalf("row 1 %+v", b)
				}
			}},
		failureCase("QueryRows", mapihttp.TypeQueryRows, 1))

	// ---- ResolveNames — 2.2.5.14 ----
	add(bodyCase{"ResolveNames request", mapihttp.TypeResolveNames, false,
		bb{}.
			u32(0).                                       // Reserved
			u8(0xFF).                                     // HasState
			stat(clientStat).                             // State
			u8(0xFF).                                     // HasPropertyTags
			tags(tagDisplayName, tagEmailAddress).        // PropertyTags
			u8(0xFF).                                     // HasNames
			u32(3).                                       // NameCount
			utf16z("alice").utf16z("b").utf16z("nobody"). // NameValues
			sized(nil),                                   // AuxiliaryBufferSize 0
		func(t *testing.T, body Body) {
			r := body.(*ResolveNamesRequest)
			if len(r.NameValues) != 3 || r.NameValues[0] != "alice" || r.NameValues[2] != "nobody" {
				t.Fatalf("%+v", r)
			}
		}},
		bodyCase{"ResolveNames success response", mapihttp.TypeResolveNames, true,
			bb{}.
				u32(0).                                                     // StatusCode
				u32(0).                                                     // ErrorCode
				u32(1252).                                                  // CodePage
				u8(0xFF).                                                   // HasMinimalIds
				mids(0x1001, MIDAmbiguous, MIDUnresolved).                  // MinimalIdCount, MinimalIds
				u8(0xFF).                                                   // HasRowsAndCols
				tags(tagDisplayName, tagEmailAddress).                      // PropertyTags
				u32(1).                                                     // RowCount
				u8(0x00).u8(0xFF).utf16z("Alice").u8(0xFF).utf16z(dnAlice). // RowData[0]
				sized(nil),                                                 // AuxiliaryBufferSize 0
			func(t *testing.T, body Body) {
				r := body.(*ResolveNamesResponse)
				midsEq(t, r.MinimalIds, 0x1001, MIDAmbiguous, MIDUnresolved)
				tagsEq(t, r.PropertyTags, tagDisplayName, tagEmailAddress)
				if len(r.RowData) != 1 || str(r.RowData[0].ValueArray[1].Value) != dnAlice {
					t.Fatalf("%+v", r)
				}
			}},
		failureCase("ResolveNames", mapihttp.TypeResolveNames, 1))

	// ---- ResortRestriction — 2.2.5.15 ----
	add(bodyCase{"ResortRestriction request", mapihttp.TypeResortRestriction, false,
		bb{}.
			u32(0).                       // Reserved
			u8(0xFF).                     // HasState
			stat(clientStat).             // State
			u8(0xFF).                     // HasMinimalIds
			mids(0x1003, 0x1001, 0x1002). // MinimalIdCount, MinimalIds
			sized(nil),                   // AuxiliaryBufferSize 0
		func(t *testing.T, body Body) {
			midsEq(t, body.(*ResortRestrictionRequest).MinimalIds, 0x1003, 0x1001, 0x1002)
		}},
		bodyCase{"ResortRestriction success response", mapihttp.TypeResortRestriction, true,
			bb{}.
				u32(0).                                                                                                 // StatusCode
				u32(0).                                                                                                 // ErrorCode
				u8(0xFF).                                                                                               // HasState
				stat(STAT{CurrentRec: 0x1001, TotalRecs: 3, CodePage: 1252, TemplateLocale: 0x409, SortLocale: 0x409}). // State
				u8(0xFF).                                                                                               // HasMinimalIds
				mids(0x1001, 0x1002, 0x1003).                                                                           // MinimalIdCount, MinimalIds
				sized(nil),                                                                                             // AuxiliaryBufferSize 0
			func(t *testing.T, body Body) {
				r := body.(*ResortRestrictionResponse)
				midsEq(t, r.MinimalIds, 0x1001, 0x1002, 0x1003)
				if r.State.TotalRecs != 3 {
					t.Fatalf("%+v", r)
				}
			}},
		failureCase("ResortRestriction", mapihttp.TypeResortRestriction, 1))

	// ---- SeekEntries — 2.2.5.16 ----
	add(bodyCase{"SeekEntries request", mapihttp.TypeSeekEntries, false,
		bb{}.
			u32(0).                                        // Reserved
			u8(0xFF).                                      // HasState
			stat(clientStat).                              // State
			u8(0xFF).                                      // HasTarget
			u16(0x001F).u16(0x3001).u8(0xFF).utf16z("Bo"). // Target: PidTagDisplayName "Bo"
			u8(0xFF).                                      // HasExplicitTable
			mids(0x1001, 0x1002).                          // ExplicitTableCount, ExplicitTable
			u8(0xFF).                                      // HasColumns
			tags(tagDisplayName).                          // Columns
			sized(nil),                                    // AuxiliaryBufferSize 0
		func(t *testing.T, body Body) {
			r := body.(*SeekEntriesRequest)
			if r.Target == nil || r.Target.Tag() != tagDisplayName || str(r.Target.Value) != "Bo" {
				t.Fatalf("%+v", r)
			}
			midsEq(t, r.ExplicitTable, 0x1001, 0x1002)
		}},
		bodyCase{"SeekEntries success response", mapihttp.TypeSeekEntries, true,
			bb{}.
				u32(0).                                                                                                            // StatusCode
				u32(0).                                                                                                            // ErrorCode
				u8(0xFF).                                                                                                          // HasState
				stat(STAT{CurrentRec: 0x1002, NumPos: 1, TotalRecs: 2, CodePage: 1252, TemplateLocale: 0x409, SortLocale: 0x409}). // State
				u8(0xFF).                                                                                                          // HasColsAndRows
				tags(tagDisplayName).                                                                                              // Columns
				u32(1).                                                                                                            // RowCount
				u8(0x00).u8(0xFF).utf16z("Bob").                                                                                   // RowData[0]
				sized(nil),                                                                                                        // AuxiliaryBufferSize 0
			func(t *testing.T, body Body) {
				r := body.(*SeekEntriesResponse)
				if r.State.CurrentRec != 0x1002 || len(r.RowData) != 1 || str(r.RowData[0].ValueArray[0].Value) != "Bob" {
					t.Fatalf("%+v", r)
				}
			}},
		failureCase("SeekEntries", mapihttp.TypeSeekEntries, 1))

	// ---- UpdateStat — 2.2.5.17 ----
	moveStat := clientStat
	moveStat.Delta = 5
	add(bodyCase{"UpdateStat request", mapihttp.TypeUpdateStat, false,
		bb{}.
			u32(0).         // Reserved
			u8(0xFF).       // HasState
			stat(moveStat). // State: Delta 5
			u8(0xFF).       // DeltaRequested
			sized(nil),     // AuxiliaryBufferSize 0
		func(t *testing.T, body Body) {
			r := body.(*UpdateStatRequest)
			if r.DeltaRequested != True || r.State.Delta != 5 {
				t.Fatalf("%+v", r)
			}
		}},
		bodyCase{"UpdateStat success response", mapihttp.TypeUpdateStat, true,
			bb{}.
				u32(0).                                                                                                            // StatusCode
				u32(0).                                                                                                            // ErrorCode
				u8(0xFF).                                                                                                          // HasState
				stat(STAT{CurrentRec: 0x1006, NumPos: 5, TotalRecs: 9, CodePage: 1252, TemplateLocale: 0x409, SortLocale: 0x409}). // State
				u8(0xFF).                                                                                                          // HasDelta
				i32(-3).                                                                                                           // Delta
				sized(nil),                                                                                                        // AuxiliaryBufferSize 0
			func(t *testing.T, body Body) {
				if r := body.(*UpdateStatResponse); r.Delta != -3 || r.State.CurrentRec != 0x1006 {
					t.Fatalf("%+v", r)
				}
			}},
		failureCase("UpdateStat", mapihttp.TypeUpdateStat, 1))

	// ---- GetMailboxUrl — 2.2.5.18 ----
	const mbxURL = "https://mail.contoso.com/mapi/emsmdb/?MailboxId=4a5c3e9a-7d44-4a36-b1b5-9d2c4b1f7c1e@contoso.com"
	add(bodyCase{"GetMailboxUrl request", mapihttp.TypeGetMailboxUrl, false,
		bb{}.
			u32(0).                                      // Flags
			utf16z(dnSrv + "/cn=Microsoft Private MDB"). // ServerDn
			sized(nil),                                  // AuxiliaryBufferSize 0
		func(t *testing.T, body Body) {
			if body.(*GetMailboxUrlRequest).ServerDn != dnSrv+"/cn=Microsoft Private MDB" {
				t.Fatal(body)
			}
		}},
		bodyCase{"GetMailboxUrl success response", mapihttp.TypeGetMailboxUrl, true,
			bb{}.
				u32(0).         // StatusCode
				u32(0).         // ErrorCode
				utf16z(mbxURL). // ServerUrl
				sized(nil),     // AuxiliaryBufferSize 0
			func(t *testing.T, body Body) {
				if body.(*GetMailboxUrlResponse).ServerUrl != mbxURL {
					t.Fatal(body)
				}
			}},
		failureCase("GetMailboxUrl", mapihttp.TypeGetMailboxUrl, 1))

	// ---- GetAddressBookUrl — 2.2.5.19 ----
	const abURL = "https://mail.contoso.com/mapi/nspi/?MailboxId=4a5c3e9a-7d44-4a36-b1b5-9d2c4b1f7c1e@contoso.com"
	add(bodyCase{"GetAddressBookUrl request", mapihttp.TypeGetAddressBookUrl, false,
		bb{}.
			u32(0).          // Flags
			utf16z(dnAlice). // UserDn
			sized(nil),      // AuxiliaryBufferSize 0
		func(t *testing.T, body Body) {
			if body.(*GetAddressBookUrlRequest).UserDn != dnAlice {
				t.Fatal(body)
			}
		}},
		bodyCase{"GetAddressBookUrl success response", mapihttp.TypeGetAddressBookUrl, true,
			bb{}.
				u32(0).        // StatusCode
				u32(0).        // ErrorCode
				utf16z(abURL). // ServerUrl
				sized(nil),    // AuxiliaryBufferSize 0
			func(t *testing.T, body Body) {
				if body.(*GetAddressBookUrlResponse).ServerUrl != abURL {
					t.Fatal(body)
				}
			}},
		failureCase("GetAddressBookUrl", mapihttp.TypeGetAddressBookUrl, 1))

	// PING, which the address book endpoint serves too.
	add(bodyCase{"PING request", mapihttp.TypePing, false, nil, nil},
		bodyCase{"PING response", mapihttp.TypePing, true, nil, nil})
	return cases
}

func decodeCase(tc bodyCase, base int, spans bool) (Body, *wire.Codec, error) {
	if tc.resp {
		return DecodeResponse(tc.t, tc.b, base, spans)
	}
	return DecodeRequest(tc.t, tc.b, base, spans)
}

func TestBodies(t *testing.T) {
	for _, tc := range bodyCases() {
		t.Run(tc.name, func(t *testing.T) {
			var body Body
			for _, spans := range []bool{false, true} {
				var c *wire.Codec
				var err error
				body, c, err = decodeCase(tc, 0, spans)
				if err != nil || len(c.Anomalies()) > 0 {
					t.Fatalf("spans=%v: %v %v", spans, err, c.Anomalies())
				}
				if spans && len(c.Tree().JSON(wire.JSONOptions{})) == 0 {
					t.Fatal("no tree")
				}
			}
			if tc.chk != nil {
				tc.chk(t, body)
			}
			out, err := Encode(nil, body)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(out, tc.b) {
				t.Fatalf("round trip differs:\n got %x\nwant %x", out, tc.b)
			}
		})
	}
}

// TestEveryType checks that each of the nineteen request types has a
// request, a success response and a failure response case.
func TestEveryType(t *testing.T) {
	type key struct {
		t    mapihttp.RequestType
		what string
	}
	seen := map[key]bool{}
	for _, tc := range bodyCases() {
		what := "request"
		if tc.resp {
			what = "success"
			if len(tc.b) >= 4 && binary.LittleEndian.Uint32(tc.b) != 0 {
				what = "failure"
			}
		}
		seen[key{tc.t, what}] = true
	}
	types := RequestTypes()
	if len(types) != 19 {
		t.Fatalf("%d address book request types", len(types))
	}
	for _, rt := range types {
		for _, what := range []string{"request", "success", "failure"} {
			if !seen[key{rt, what}] {
				t.Errorf("%s: no %s case", rt, what)
			}
		}
	}
}

func TestTruncated(t *testing.T) {
	for _, tc := range bodyCases() {
		for i := 0; i < len(tc.b); i++ {
			cut := tc
			cut.b = tc.b[:i]
			for _, spans := range []bool{false, true} {
				_, c, err := decodeCase(cut, 0, spans)
				if err == nil || len(c.Anomalies()) == 0 {
					t.Fatalf("%s cut at %d: no anomaly", tc.name, i)
				}
			}
		}
	}
}

func TestTrailingBytes(t *testing.T) {
	tc := bodyCases()[0]
	tc.b = append(append([]byte(nil), tc.b...), 0xEE)
	_, c, err := decodeCase(tc, 0, false)
	if err != nil || len(c.Anomalies()) != 1 || !strings.Contains(c.Anomalies()[0].Reason, "1 bytes follow the BindRequest") {
		t.Fatalf("%v %v", err, c.Anomalies())
	}
}

func caseNamed(t *testing.T, name string) bodyCase {
	for _, tc := range bodyCases() {
		if tc.name == name {
			return tc
		}
	}
	t.Fatalf("no case %q", name)
	return bodyCase{}
}

func TestTreeJSON(t *testing.T) {
	tc := caseNamed(t, "QueryRows success response")
	_, c, _ := decodeCase(tc, 1000, true)
	js := string(c.Tree().JSON(wire.JSONOptions{}))
	for _, want := range []string{
		`"StatusCode":0,`, `"ErrorCode":{"value":0,"name":"Success"`,
		`"HasState":{"value":255,"name":"TRUE"`,
		`"CurrentRec":{"value":2,"name":"MID_END_OF_TABLE"`,
		`"HasColsAndRows":{"value":255,"name":"TRUE"`,
		`"Columns":{"PropertyTagCount":4,"PropertyTags":[`,
		`"RowCount":2`,
		// The ValueArray is an array: one element per column, in column order.
		`"ValueArray":[{"HasValue":{"value":255,"name":"TRUE"`, `"PropertyValue":"Alice"`,
		`{"PropertyType":{"value":31,"name":"PtypString"`,
		`"Flag":{"value":10,"name":"error"`, `"name":"ecNotFound"`,
		`"alice"}},0]}`,
		`"AuxiliaryBufferSize":0`,
	} {
		if !strings.Contains(js, want) {
			t.Errorf("JSON lacks %s\n%s", want, js)
		}
	}
	// Offsets are absolute: the body starts at 1000.
	if n := c.Tree().Find(1000); n == nil || n.Name != "StatusCode" {
		t.Fatalf("Find(1000) = %+v", n)
	}

	tc = caseNamed(t, "GetProps success response")
	_, c, _ = decodeCase(tc, 0, true)
	js = string(c.Tree().JSON(wire.JSONOptions{}))
	for _, want := range []string{
		`"PropertyValueCount":9`,
		`"PropertyId":{"value":12289,"name":"PidTagDisplayName"`,
		`"Values":[{"HasValue":{"value":255,"name":"TRUE"`,
		`{"HasValue":{"value":0,"name":"FALSE"`,
	} {
		if !strings.Contains(js, want) {
			t.Errorf("JSON lacks %s\n%s", want, js)
		}
	}

	tc = caseNamed(t, "ModLinkAtt request")
	_, c, _ = decodeCase(tc, 0, true)
	js = string(c.Tree().JSON(wire.JSONOptions{}))
	for _, want := range []string{
		`"Flags":{"value":1,"name":"fDelete"`,
		`"PropertyTag":{"value":2148073485,"name":"PidTagAddressBookMember:PtypObject"`,
		`"EntryIdCount":2`,
		`"IDType":{"value":135,"name":"EphemeralEntryID"`,
		`"ProviderUID":"868bbcab-3379-48c4-a1ef-1b53e63bdc46"`,
		`"DisplayTypeString":{"value":0,"name":"DT_MAILUSER"`,
		`"DistinguishedName":"` + dnBob + `"`,
	} {
		if !strings.Contains(js, want) {
			t.Errorf("JSON lacks %s\n%s", want, js)
		}
	}
}

// TestEncodeBuilt encodes bodies built by hand, without Has* bytes: they
// are derived from what the optional fields hold.
func TestEncodeBuilt(t *testing.T) {
	st := clientStat
	// A QueryRows request as a client would build it.
	req := &QueryRowsRequest{
		Flags:    FEphID,
		State:    &st,
		RowCount: 25,
		Columns:  []prop.Tag{tagDisplayName, tagEntryID, tagAccountAny, tagDisplayType},
	}
	out, err := Encode(nil, req)
	if err != nil || !bytes.Equal(out, caseNamed(t, "QueryRows request").b) {
		t.Fatalf("%v\n got %x\nwant %x", err, out, caseNamed(t, "QueryRows request").b)
	}
	// A GetProps response with values given as plain Go values.
	resp := &GetPropsResponse{
		CodePage: 1252,
		PropertyValues: []TaggedValue{
			Tagged(tagDisplayName, "Alice"),
			Tagged(tagProxyAddresses, []string{"SMTP:alice@contoso.com"}),
			Tagged(tagDisplayType, int32(0)),
			Tagged(0x8C9E0102, nil), // absent: HasValue FALSE
		},
	}
	want := bb{}.u32(0).u32(0).u32(1252).u8(0xFF).u32(4).
		u16(0x001F).u16(0x3001).u8(0xFF).utf16z("Alice").
		u16(0x101F).u16(0x800F).u8(0xFF).u32(1).u8(0xFF).utf16z("SMTP:alice@contoso.com").
		u16(0x0003).u16(0x3900).u32(0).
		u16(0x0102).u16(0x8C9E).u8(0x00).
		sized(nil)
	out, err = Encode(nil, resp)
	if err != nil || !bytes.Equal(out, want) {
		t.Fatalf("%v\n got %x\nwant %x", err, out, []byte(want))
	}
	// A failure response ignores the success fields.
	out, err = Encode(nil, &BindResponse{ResponseHeader: ResponseHeader{StatusCode: 5}, ServerGuid: serverGUID})
	if err != nil || !bytes.Equal(out, failure(5)) {
		t.Fatalf("%v %x", err, out)
	}
	// Values that do not fit their columns are encode errors.
	bad := &QueryRowsResponse{Columns: []prop.Tag{tagDisplayName}, RowData: []PropertyRow{{}}}
	if _, err := Encode(nil, bad); err == nil {
		t.Fatal("row without values encoded")
	}
	bad2 := &GetPropsResponse{PropertyValues: []TaggedValue{Tagged(tagProxyAddresses, 42)}}
	if _, err := Encode(nil, bad2); err == nil {
		t.Fatal("int as PtypMultipleString encoded")
	}
}

func TestAnomalies(t *testing.T) {
	for _, tc := range []struct {
		name string
		t    mapihttp.RequestType
		resp bool
		b    []byte
		want string
		fail bool
	}{
		{"HasValue neither TRUE nor FALSE", mapihttp.TypeGetProps, true,
			bb{}.u32(0).u32(0).u32(1252).u8(0xFF).u32(1).u16(0x001F).u16(0x3001).u8(0x01).utf16z("A").sized(nil),
			"HasValue is 0x01; it MUST be TRUE (0xFF) or FALSE (0x00)", false},
		{"nonzero Reserved", mapihttp.TypeUnbind, false, bb{}.u32(7).sized(nil),
			"Reserved is 0x00000007", false},
		{"bad row Flags", mapihttp.TypeSeekEntries, true,
			bb{}.u32(0).u32(0).u8(0).u8(0xFF).tags(tagDisplayName).u32(1).u8(0x02).sized(nil),
			"Flags 0x02 is neither 0x00 nor 0x01", true},
		{"bad flagged value Flag", mapihttp.TypeSeekEntries, true,
			bb{}.u32(0).u32(0).u8(0).u8(0xFF).tags(tagDisplayType).u32(1).u8(0x01).u8(0x05).sized(nil),
			"Flag 0x05 is not 0x0, 0x1 or 0xA", true},
		{"bad EntryID type", mapihttp.TypeModLinkAtt, false,
			bb{}.u32(0).u32(tagMember).u32(1).u8(0xFF).u32(1).raw(bytes.Repeat([]byte{0x42}, 32)...).sized(nil),
			"ID Type 0x42", true},
		{"EntryID R4 not 1", mapihttp.TypeModLinkAtt, false,
			bb{}.u32(0).u32(tagMember).u32(1).u8(0xFF).u32(1).
				u8(0x87).u8(0).u8(0).u8(0).guid(serverGUID).u32(2).u32(0).u32(0x1001).sized(nil),
			"R4 is 0x00000002", false},
		{"huge MinimalIdCount", mapihttp.TypeDNToMId, true,
			bb{}.u32(0).u32(0).u8(0xFF).u32(0x10000000).sized(nil),
			"MinimalIdCount: count 268435456 cannot fit", true},
		{"PtypNull columns cannot make millions of cells", mapihttp.TypeQueryRows, true,
			append(bb{}.u32(0).u32(0).u8(0).u8(0xFF).u32(20000).raw(bytes.Repeat([]byte{0x01, 0x00, 0x01, 0x00}, 20000)...).
				u32(30000), make([]byte, 30004)...),
			"rows of 20000 columns cannot come from", true},
		{"restriction too deep", mapihttp.TypeGetMatches, false,
			append(bb{}.u32(0).u8(0).u8(0).u32(0).u8(0xFF), bytes.Repeat([]byte{0x02}, 100)...),
			"nested deeper", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var c *wire.Codec
			if tc.resp {
				_, c, _ = DecodeResponse(tc.t, tc.b, 0, true)
			} else {
				_, c, _ = DecodeRequest(tc.t, tc.b, 0, true)
			}
			found := false
			for _, a := range c.Anomalies() {
				if strings.Contains(a.Reason, tc.want) {
					found = true
				}
			}
			if !found || c.Failed() != tc.fail {
				t.Fatalf("failed=%v anomalies %v", c.Failed(), c.Anomalies())
			}
		})
	}
}

// TestKeepsBytes checks that Boolean bytes other than 0xFF round-trip.
func TestKeepsBytes(t *testing.T) {
	b := bb{}.
		u32(0).           // Reserved
		u8(0x01).         // HasState: a nonzero Boolean other than TRUE
		stat(clientStat). // State
		u8(0x01).         // DeltaRequested
		sized(nil)
	body, c, err := DecodeRequest(mapihttp.TypeUpdateStat, b, 0, false)
	if err != nil || len(c.Anomalies()) != 0 || body.(*UpdateStatRequest).State == nil {
		t.Fatalf("%v %v", err, c.Anomalies())
	}
	out, _ := Encode(nil, body)
	if !bytes.Equal(out, b) {
		t.Fatalf("got %x want %x", out, []byte(b))
	}
}

func TestDispatch(t *testing.T) {
	for _, rt := range RequestTypes() {
		if !rt.AddressBook() || NewRequest(rt) == nil || NewResponse(rt) == nil {
			t.Errorf("%s", rt)
		}
		if _, ok := NewResponse(rt).(Response); !ok {
			t.Errorf("%s response has no Status", rt)
		}
		if n := NewRequest(rt).Name(); n != rt.String()+"Request" {
			t.Errorf("%s request is named %s", rt, n)
		}
		if n := NewResponse(rt).Name(); n != rt.String()+"Response" {
			t.Errorf("%s response is named %s", rt, n)
		}
	}
	if NewRequest(mapihttp.TypeExecute) != nil || NewResponse(mapihttp.TypeConnect) != nil {
		t.Error("mailbox types")
	}
	if _, _, err := DecodeRequest(mapihttp.TypeExecute, nil, 0, false); err == nil {
		t.Error("Execute decoded")
	}
	if rt, ok := ParseRequestType(" getmatches "); !ok || rt != mapihttp.TypeGetMatches {
		t.Error("getmatches")
	}
	if rt, ok := ParseRequestType("DNTOMID"); !ok || rt != mapihttp.TypeDNToMId {
		t.Error("DNTOMID")
	}
	if _, ok := ParseRequestType("Execute"); ok {
		t.Error("Execute is a mailbox type")
	}
	if rt, ok := ParseRequestType("ping"); !ok || NewRequest(rt) == nil {
		t.Error("PING")
	}
}

func TestHasValueType(t *testing.T) {
	for ty, want := range map[prop.Type]bool{
		prop.PtypString: true, prop.PtypString8: true, prop.PtypBinary: true,
		prop.PtypMultipleInteger32: true, prop.PtypMultipleString: true, prop.PtypMultipleBinary: true,
		prop.PtypString | prop.MultiValueInstance | prop.MultiValued: true, // an instance column holds one PtypString
		prop.PtypInteger32: false, prop.PtypBoolean: false, prop.PtypErrorCode: false, prop.PtypNull: false,
		prop.PtypGuid: false, prop.PtypTime: false, prop.PtypObject: false,
	} {
		if HasValueType(ty) != want {
			t.Errorf("HasValueType(%s) = %v", ty, !want)
		}
	}
}

package nspi

import (
	"encoding/binary"
	"net/url"
	"sort"
	"strings"

	nsp "github.com/mapiscope/mapiscope/decode/nspi"
	"github.com/mapiscope/mapiscope/decode/prop"
	"github.com/mapiscope/mapiscope/decode/wire"
)

// firstMId is the Minimal Entry ID of the first GAL row. Values below
// 0x10 are positioning and resolution signals ([MS-OXNSPI] 2.2.1.8,
// 2.2.1.9), never objects.
const firstMId uint32 = 0x00001000

// pv is one property value of an address book object, in its canonical
// type.
type pv struct {
	t prop.Type
	v any
}

// object is one address book object of a session: a GAL user, or a
// hidden object (the server) that DNToMId and GetProps know but no table
// holds.
type object struct {
	mid         uint32
	dn          string
	displayName string
	alias       string
	email       string
	displayType uint32
	props       map[uint16]pv
	order       []uint16 // property ids in the order GetPropList lists them
}

func (o *object) set(tag prop.Tag, v any) {
	if _, ok := o.props[tag.ID()]; !ok {
		o.order = append(o.order, tag.ID())
	}
	o.props[tag.ID()] = pv{tag.Type(), v}
}

// gal is a session's snapshot of the address book: the GAL table sorted
// by display name ([MS-OXNSPI] 2.2.1.10 SortTypeDisplayName) and every
// object by Minimal Entry ID and DN.
type gal struct {
	srv    *Server
	user   *object   // the session's user, when in the GAL
	rows   []*object // the GAL, in table order
	byMId  map[uint32]*object
	byDN   map[string]*object // lower-cased DN
	pos    map[uint32]int     // MId → row index
	guid   prop.GUID          // ServerGuid, the Ephemeral Entry IDs' ProviderUID
	server *object
}

// snapshot builds a session's GAL from Config.Entries.
func (s *Server) snapshot(userEmail string) *gal {
	var entries []Entry
	if s.cfg.Entries != nil {
		entries = append(entries, s.cfg.Entries()...)
	}
	sort.SliceStable(entries, func(i, j int) bool {
		a, b := sortKey(entries[i]), sortKey(entries[j])
		if a != b {
			return a < b
		}
		return strings.ToLower(entries[i].Email) < strings.ToLower(entries[j].Email)
	})
	g := &gal{
		srv:   s,
		byMId: map[uint32]*object{},
		byDN:  map[string]*object{},
		pos:   map[uint32]int{},
		guid:  s.cfg.ServerGUID,
	}
	host := serverHost(s, userEmail)
	mid := firstMId
	for _, e := range entries {
		if e.LegacyDN == "" || g.byDN[strings.ToLower(e.LegacyDN)] != nil {
			continue // an entry without a DN cannot be addressed; a duplicate DN would be ambiguous
		}
		o := s.userObject(e, mid, host)
		g.pos[mid] = len(g.rows)
		g.rows = append(g.rows, o)
		g.add(o)
		if strings.EqualFold(e.Email, userEmail) {
			g.user = o
		}
		mid++
	}
	g.server = s.serverObject(mid, host)
	g.add(g.server)
	return g
}

func (g *gal) add(o *object) {
	g.byMId[o.mid] = o
	g.byDN[strings.ToLower(o.dn)] = o
}

func sortKey(e Entry) string {
	if e.DisplayName != "" {
		return strings.ToLower(e.DisplayName)
	}
	return strings.ToLower(e.Email)
}

// serverHost is the host name network addresses name: the mailbox URL's
// host, else the server object's common name.
func serverHost(s *Server, userEmail string) string {
	if s.cfg.MailboxURL != nil {
		if u, err := url.Parse(s.cfg.MailboxURL(userEmail)); err == nil && u.Hostname() != "" {
			return u.Hostname()
		}
	}
	return lastCN(s.cfg.ServerDN)
}

// lastCN returns the value of a DN's last "cn=" component.
func lastCN(dn string) string {
	i := strings.LastIndex(strings.ToLower(dn), "/cn=")
	if i < 0 {
		return dn
	}
	return dn[i+4:]
}

// Property tags the address book serves — [MS-OXPROPS]; their names are
// checked against decode/propnames by the tests.
const (
	tagEntryID              = prop.Tag(0x0FFF0102) // PidTagEntryId
	tagObjectType           = prop.Tag(0x0FFE0003) // PidTagObjectType
	tagInstanceKey          = prop.Tag(0x0FF60102) // PidTagInstanceKey
	tagRecordKey            = prop.Tag(0x0FF90102) // PidTagRecordKey
	tagMappingSignature     = prop.Tag(0x0FF80102) // PidTagMappingSignature
	tagDisplayName          = prop.Tag(0x3001001F) // PidTagDisplayName
	tagAddressType          = prop.Tag(0x3002001F) // PidTagAddressType
	tagEmailAddress         = prop.Tag(0x3003001F) // PidTagEmailAddress
	tagDepth                = prop.Tag(0x30050003) // PidTagDepth
	tagSearchKey            = prop.Tag(0x300B0102) // PidTagSearchKey
	tagContainerFlags       = prop.Tag(0x36000003) // PidTagContainerFlags
	tagAnr                  = prop.Tag(0x360C001F) // PidTagAnr
	tagDisplayType          = prop.Tag(0x39000003) // PidTagDisplayType
	tagTemplateID           = prop.Tag(0x39020102) // PidTagTemplateid
	tagDisplayTypeEx        = prop.Tag(0x39050003) // PidTagDisplayTypeEx
	tagSMTPAddress          = prop.Tag(0x39FE001F) // PidTagSmtpAddress
	tagDisplayNamePrintable = prop.Tag(0x39FF001F) // PidTagAddressBookDisplayNamePrintable
	tagAccount              = prop.Tag(0x3A00001F) // PidTagAccount
	tagTransmittableName    = prop.Tag(0x3A20001F) // PidTagTransmittableDisplayName
	tagSendRichInfo         = prop.Tag(0x3A40000B) // PidTagSendRichInfo
	tagInitialDetailsPane   = prop.Tag(0x3F080003) // PidTagInitialDetailsPane
	tagHomeMDB              = prop.Tag(0x8006001E) // PidTagAddressBookHomeMessageDatabase
	tagMember               = prop.Tag(0x8009000D) // PidTagAddressBookMember
	tagPublicDelegates      = prop.Tag(0x8015000D) // PidTagAddressBookPublicDelegates
	tagProxyAddresses       = prop.Tag(0x800F101F) // PidTagAddressBookProxyAddresses
	tagObjectDN             = prop.Tag(0x803C001F) // PidTagAddressBookObjectDistinguishedName
	tagNetworkAddress       = prop.Tag(0x8170101F) // PidTagAddressBookNetworkAddress
	tagObjectGUID           = prop.Tag(0x8C6D0102) // PidTagAddressBookObjectGuid
	tagContainerID          = prop.Tag(0xFFFD0003) // PidTagAddressBookContainerId
	tagIsMaster             = prop.Tag(0xFFFB000B) // PidTagAddressBookIsMaster
	tagPrimaryTelephone     = prop.Tag(0x3A1A001E) // PidTagPrimaryTelephoneNumber
	tagDepartmentName       = prop.Tag(0x3A18001E) // PidTagDepartmentName
	tagOfficeLocation       = prop.Tag(0x3A19001E) // PidTagOfficeLocation
)

// Values of PidTagObjectType ([MS-OXOABK] 2.2.3.10), PidTagDisplayTypeEx
// and PidTagContainerFlags ([MS-OXOABK] 2.2.2.1).
const (
	objectTypeMailUser int32  = 0x00000006 // MAPI_MAILUSER
	dteFlagACLCapable  uint32 = 0x40000000 // DTE_FLAG_ACL_CAPABLE
	abRecipients       int32  = 0x00000001 // AB_RECIPIENTS
	abUnmodifiable     int32  = 0x00000008 // AB_UNMODIFIABLE
	hierarchyVersion   uint32 = 1          // the hierarchy table never changes
	galContainerID     uint32 = 0          // ContainerID of the Global Address List
	maxSeekRows               = 100        // rows SeekEntries returns at most
)

// userObject builds a GAL mail user's object and its properties —
// the Required Properties of [MS-OXNSPI] 3.1.4 and [MS-OXOABK] 2.2.3.
func (s *Server) userObject(e Entry, mid uint32, host string) *object {
	alias := e.Alias
	if alias == "" {
		alias, _, _ = strings.Cut(e.Email, "@")
	}
	name := e.DisplayName
	if name == "" {
		name = e.Email
	}
	o := &object{
		mid: mid, dn: e.LegacyDN, displayName: name, alias: alias, email: e.Email,
		displayType: nsp.DTMailUser, props: map[uint16]pv{},
	}
	permanent := permanentEntryID(nsp.DTMailUser, e.LegacyDN)
	o.set(tagEntryID, permanent)
	o.set(tagRecordKey, permanent)
	o.set(tagTemplateID, permanent)
	o.set(tagInstanceKey, binary.LittleEndian.AppendUint32(nil, mid))
	o.set(tagMappingSignature, append([]byte(nil), nsp.GUIDNSPI[:]...))
	o.set(tagObjectType, objectTypeMailUser)
	o.set(tagDisplayType, int32(nsp.DTMailUser))
	o.set(tagDisplayTypeEx, int32(dteFlagACLCapable|nsp.DTMailUser))
	o.set(tagContainerID, int32(galContainerID))
	o.set(tagInitialDetailsPane, int32(0))
	o.set(tagDisplayName, name)
	o.set(tagTransmittableName, name)
	o.set(tagDisplayNamePrintable, printable(name, alias))
	o.set(tagAccount, alias)
	o.set(tagAddressType, "EX")
	o.set(tagEmailAddress, e.LegacyDN)
	o.set(tagObjectDN, e.LegacyDN)
	o.set(tagSearchKey, append([]byte("EX:"+strings.ToUpper(e.LegacyDN)), 0))
	o.set(tagSMTPAddress, e.Email)
	o.set(tagProxyAddresses, []string{"SMTP:" + e.Email})
	o.set(tagHomeMDB, s.mdbDN())
	o.set(tagNetworkAddress, networkAddresses(host))
	o.set(tagObjectGUID, append([]byte(nil), e.MailboxGUID[:]...))
	o.set(tagSendRichInfo, true)
	return o
}

// serverObject is the server object: not in the GAL table, but Outlook
// maps its DN with DNToMId and reads its network addresses.
func (s *Server) serverObject(mid uint32, host string) *object {
	name := lastCN(s.cfg.ServerDN)
	o := &object{mid: mid, dn: s.cfg.ServerDN, displayName: name, displayType: nsp.DTMailUser, props: map[uint16]pv{}}
	o.set(tagEntryID, permanentEntryID(nsp.DTMailUser, s.cfg.ServerDN))
	o.set(tagDisplayName, name)
	o.set(tagObjectDN, s.cfg.ServerDN)
	o.set(tagEmailAddress, s.cfg.ServerDN)
	o.set(tagAddressType, "EX")
	o.set(tagInstanceKey, binary.LittleEndian.AppendUint32(nil, mid))
	o.set(tagMappingSignature, append([]byte(nil), nsp.GUIDNSPI[:]...))
	o.set(tagNetworkAddress, networkAddresses(host))
	return o
}

func networkAddresses(host string) []string {
	return []string{"ncacn_ip_tcp:" + host, "ncacn_http:" + host}
}

// printable is PidTagAddressBookDisplayNamePrintable: the display name
// when it is printable ASCII, else the alias.
func printable(name, alias string) string {
	for _, r := range name {
		if r < 0x20 || r > 0x7E {
			return alias
		}
	}
	return name
}

// permanentEntryID encodes a PermanentEntryID — [MS-OXNSPI] 2.2.9.3.
func permanentEntryID(displayType uint32, dn string) []byte {
	return encodeEntryID(&nsp.EntryID{
		IDType: nsp.IDTypePermanent, ProviderUID: nsp.GUIDNSPI, R4: 1,
		DisplayType: displayType, DistinguishedName: dn,
	})
}

// ephemeralEntryID encodes an EphemeralEntryID — [MS-OXNSPI] 2.2.9.2:
// the server's GUID and the session's Minimal Entry ID.
func (g *gal) ephemeralEntryID(o *object) []byte {
	return encodeEntryID(&nsp.EntryID{
		IDType: nsp.IDTypeEphemeral, ProviderUID: g.guid, R4: 1,
		DisplayType: o.displayType, MId: o.mid,
	})
}

func encodeEntryID(e *nsp.EntryID) []byte {
	c := wire.NewEncoder(nil)
	nsp.CodecEntryID(c, e, "")
	return c.Output()
}

// lookup returns the object with a Minimal Entry ID (nil for the
// positioning values and unknown ones).
func (g *gal) lookup(mid uint32) *object { return g.byMId[mid] }

// byName returns the object with a distinguished name, compared
// case-insensitively as [MS-OXNSPI] 2.2.6 compares DNs.
func (g *gal) byName(dn string) *object { return g.byDN[strings.ToLower(dn)] }

package fxics

import (
	"github.com/mapiscope/mapiscope/decode/prop"
	"github.com/mapiscope/mapiscope/decode/wire"
)

// ProgressInformation is the value of the PtypBinary 0x00000102 property
// of progressTotal — [MS-OXCFXICS] 2.2.2.7.
type ProgressInformation struct {
	Version                uint16
	Padding1               uint16
	FAIMessageCount        uint32
	FAIMessageTotalSize    uint64
	NormalMessageCount     uint32
	Padding2               uint32
	NormalMessageTotalSize uint64
}

// ProgressInformationSize is its wire size.
const ProgressInformationSize = 32

// Codec reads or writes the structure.
func (p *ProgressInformation) Codec(c *wire.Codec) {
	c.U16(&p.Version, "Version")
	c.U16(&p.Padding1, "Padding1")
	c.U32(&p.FAIMessageCount, "FAIMessageCount")
	c.U64(&p.FAIMessageTotalSize, "FAIMessageTotalSize")
	c.U32(&p.NormalMessageCount, "NormalMessageCount")
	c.U32(&p.Padding2, "Padding2")
	c.U64(&p.NormalMessageTotalSize, "NormalMessageTotalSize")
}

// Bytes encodes the structure.
func (p ProgressInformation) Bytes() []byte {
	c := wire.NewEncoder(nil)
	p.Codec(c)
	return c.Output()
}

// GroupPropertyName names a named property inside a PropertyGroup —
// [MS-OXCFXICS] 2.2.2.8.1.1 (Kind is 4 bytes here, and the name has a
// 4-byte NameSize).
type GroupPropertyName struct {
	Guid prop.GUID
	Kind uint32
	LID  uint32
	Name string
}

// GroupProperty is one property of a PropertyGroup: its tag and, for a
// named property (id 0x8000 and up), its GroupPropertyName.
type GroupProperty struct {
	Tag  prop.Tag
	Name *GroupPropertyName
}

// PropertyGroup — [MS-OXCFXICS] 2.2.2.8.1.
type PropertyGroup struct {
	PropertyTags []GroupProperty
}

// PropertyGroupInfo is a property group mapping, the value of the
// PtypBinary 0x00000102 property of groupInfo — [MS-OXCFXICS] 2.2.2.8.
type PropertyGroupInfo struct {
	GroupId  uint32
	Reserved uint32
	Groups   []PropertyGroup
}

// Codec reads or writes the structure.
func (g *PropertyGroupInfo) Codec(c *wire.Codec) {
	c.U32(&g.GroupId, "GroupId")
	c.U32(&g.Reserved, "Reserved")
	n := c.Count32(len(g.Groups), 4, "GroupsCount")
	wire.Make(c, &g.Groups, n)
	c.BeginArray("Groups")
	for i := range g.Groups {
		if c.Failed() {
			break
		}
		grp := &g.Groups[i]
		c.Begin("")
		m := c.Count32(len(grp.PropertyTags), 4, "PropertyTagCount")
		wire.Make(c, &grp.PropertyTags, m)
		c.BeginArray("PropertyTags")
		for j := range grp.PropertyTags {
			if c.Failed() {
				break
			}
			gp := &grp.PropertyTags[j]
			c.Begin("")
			prop.CodecTag(c, &gp.Tag, "PropertyTag")
			if gp.Tag.Named() {
				if gp.Name == nil {
					gp.Name = &GroupPropertyName{}
				}
				codecGroupPropertyName(c, gp.Name)
			}
			c.End()
		}
		c.End()
		c.End()
	}
	c.End()
}

func codecGroupPropertyName(c *wire.Codec, n *GroupPropertyName) {
	c.Begin("GroupPropertyName")
	prop.CodecGUID(c, &n.Guid, "GUID")
	c.U32(&n.Kind, "Kind")
	switch n.Kind {
	case 0:
		c.U32(&n.LID, "LID")
		c.Hex()
	case 1:
		var size uint32
		if c.Encoding() {
			size = uint32(wire.UTF16Len(n.Name) + 2)
		}
		c.U32(&size, "NameSize")
		if c.Decoding() && uint64(size) > uint64(c.Remaining()) {
			c.Fail("GroupPropertyName: NameSize %d exceeds the %d bytes left", size, c.Remaining())
			break
		}
		c.Within(int(size), "Name", func() { c.UnicodeZ(&n.Name, "Name") })
	default:
		if c.Decoding() {
			c.Fail("GroupPropertyName: Kind 0x%08X is neither 0 (LID) nor 1 (name)", n.Kind)
		} else {
			c.EncodeError("GroupPropertyName: Kind 0x%08X", n.Kind)
		}
	}
	c.End()
}

// FolderReplicaInfo is the value of MetaTagNewFXFolder — [MS-OXCFXICS]
// 2.2.2.9.
type FolderReplicaInfo struct {
	Flags              uint32
	Depth              uint32
	FolderLongTermId   prop.LongTermID
	CheapServerDNCount uint32
	ServerDNArray      []string
}

// Codec reads or writes the structure.
func (f *FolderReplicaInfo) Codec(c *wire.Codec) {
	c.U32(&f.Flags, "Flags")
	c.Hex()
	c.U32(&f.Depth, "Depth")
	prop.CodecLongTermID(c, &f.FolderLongTermId, "FolderLongTermId")
	n := c.Count32(len(f.ServerDNArray), 1, "ServerDNCount")
	c.U32(&f.CheapServerDNCount, "CheapServerDNCount")
	if c.Decoding() && !c.Failed() && int(f.CheapServerDNCount) > n {
		c.Note("FolderReplicaInfo: CheapServerDNCount %d exceeds ServerDNCount %d", f.CheapServerDNCount, n)
	}
	wire.Make(c, &f.ServerDNArray, n)
	c.BeginArray("ServerDNArray")
	for i := range f.ServerDNArray {
		if c.Failed() {
			break
		}
		c.String8Z(&f.ServerDNArray[i], "")
	}
	c.End()
}

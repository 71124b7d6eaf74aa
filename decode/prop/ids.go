package prop

import (
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"

	"github.com/mapiscope/mapiscope/decode/wire"
)

// ID is a FolderID or MessageID — [MS-OXCDATA] 2.2.1.1/2.2.1.2: a 16-bit
// ReplicaId (little-endian) then a 48-bit GlobalCounter (big-endian). It is
// kept as the 8 wire bytes read as one little-endian uint64, as Exchange and
// Outlook handle it.
type ID uint64

// MakeID builds an ID from a replica id and a global counter.
func MakeID(replid uint16, globcnt uint64) ID {
	var b [8]byte
	binary.LittleEndian.PutUint16(b[:], replid)
	for i := 0; i < 6; i++ {
		b[2+i] = byte(globcnt >> (8 * (5 - i)))
	}
	return ID(binary.LittleEndian.Uint64(b[:]))
}

// ReplicaId returns the replica id.
func (id ID) ReplicaId() uint16 { return uint16(id) }

// GlobalCounter returns the 48-bit counter as a number.
func (id ID) GlobalCounter() uint64 {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], uint64(id))
	var g uint64
	for i := 0; i < 6; i++ {
		g = g<<8 | uint64(b[2+i])
	}
	return g
}

// Bytes returns the 8 wire bytes.
func (id ID) Bytes() []byte {
	b := make([]byte, 8)
	binary.LittleEndian.PutUint64(b, uint64(id))
	return b
}

// String renders RRRR-GGGGGGGGGGGG in hex, replica id then counter.
func (id ID) String() string {
	return fmt.Sprintf("%04X-%012X", id.ReplicaId(), id.GlobalCounter())
}

// ParseID parses RRRR-GGGGGGGGGGGG or 0x<16 hex digits of the LE uint64>.
func ParseID(s string) (ID, error) {
	if r, g, ok := strings.Cut(s, "-"); ok {
		rv, err1 := strconv.ParseUint(r, 16, 16)
		gv, err2 := strconv.ParseUint(g, 16, 48)
		if err1 != nil || err2 != nil {
			return 0, fmt.Errorf("bad id %q (want RRRR-GGGGGGGGGGGG)", s)
		}
		return MakeID(uint16(rv), gv), nil
	}
	v, err := strconv.ParseUint(strings.TrimPrefix(s, "0x"), 16, 64)
	if err != nil {
		return 0, fmt.Errorf("bad id %q", s)
	}
	return ID(v), nil
}

// CodecID reads or writes an 8-byte FolderID/MessageID. With spans the
// value shows as RRRR-GGGGGGGGGGGG with the raw bytes beside it.
func CodecID(c *wire.Codec, id *ID, name string) {
	u := uint64(*id)
	c.U64(&u, name)
	*id = ID(u)
	if c.Spans() {
		if nd := c.Last(); nd != nil {
			nd.Value = id.String()
			nd.Hex = true
			if name != "" {
				c.Derive(name+"Bytes", id.Bytes(), false, "")
			}
		}
	}
}

// CodecIDs reads or writes a count-prefixed list of IDs (count width 2 or 4).
func CodecIDs(c *wire.Codec, ids *[]ID, countName, name string, countWidth int) {
	var n int
	if countWidth == 4 {
		n = c.Count32(len(*ids), 8, countName)
	} else {
		n = c.Count16(len(*ids), 8, countName)
	}
	wire.Make(c, ids, n)
	c.BeginArray(name)
	for i := range *ids {
		CodecID(c, &(*ids)[i], "")
	}
	c.End()
}

// GlobCnt is a 6-byte GlobalCounter, big-endian on the wire — [MS-OXCDATA] 2.2.1.
type GlobCnt uint64

// CodecGlobCnt reads or writes a 6-byte GlobalCounter.
func CodecGlobCnt(c *wire.Codec, g *GlobCnt, name string) {
	var b []byte
	if c.Encoding() {
		b = make([]byte, 6)
		for i := 0; i < 6; i++ {
			b[i] = byte(uint64(*g) >> (8 * (5 - i)))
		}
	}
	c.Fixed(&b, 6, name)
	if c.Decoding() {
		var v uint64
		for _, x := range b {
			v = v<<8 | uint64(x)
		}
		*g = GlobCnt(v)
		if nd := c.Last(); nd != nil && c.Spans() {
			nd.Value = fmt.Sprintf("%012X", v)
			nd.Hex = true
		}
	}
}

// LongTermID — [MS-OXCDATA] 2.2.1.3.1: DatabaseGuid, GlobalCounter, Pad.
type LongTermID struct {
	DatabaseGuid  GUID
	GlobalCounter GlobCnt
	Pad           uint16
}

// CodecLongTermID reads or writes a 24-byte LongTermID.
func CodecLongTermID(c *wire.Codec, l *LongTermID, name string) {
	c.Begin(name)
	g := [16]byte(l.DatabaseGuid)
	c.Array16(&g, "DatabaseGuid")
	l.DatabaseGuid = GUID(g)
	CodecGlobCnt(c, &l.GlobalCounter, "GlobalCounter")
	c.U16(&l.Pad, "Pad")
	c.End()
}

// CodecGUID reads or writes a GUID field.
func CodecGUID(c *wire.Codec, g *GUID, name string) {
	a := [16]byte(*g)
	c.Array16(&a, name)
	*g = GUID(a)
}

// idTags are the PtypInteger64 properties that hold a FolderID or
// MessageID: PidTagFolderId, PidTagParentFolderId, PidTagMid, PidTagInstID.
var idTags = map[uint16]bool{0x6748: true, 0x6749: true, 0x674A: true, 0x674D: true}

// annotateID shows an Integer64 id-valued property as RRRR-GGGGGGGGGGGG.
func annotateID(c *wire.Codec, t Tag, v any) {
	if !c.Spans() || t.Type().Cell() != PtypInteger64 || !idTags[t.ID()] {
		return
	}
	if x, ok := v.(int64); ok {
		if nd := c.Last(); nd != nil {
			nd.Sym = ID(x).String()
		}
	}
}

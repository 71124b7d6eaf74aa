package fxics

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/mapiscope/mapiscope/decode/prop"
	"github.com/mapiscope/mapiscope/decode/wire"
)

// XID is an external identifier — [MS-OXCFXICS] 2.2.2.2: a NamespaceGuid
// and a LocalId of 1 to 8 bytes. PidTagSourceKey and PidTagChangeKey are
// XIDs whose LocalId is a 6-byte GLOBCNT (22 bytes in all); foreign
// identifiers made by clients use other LocalId sizes (3.3.5.2.3).
type XID struct {
	NamespaceGuid prop.GUID
	LocalId       []byte
}

// XID size limits: a GUID and 1 to 8 LocalId bytes.
const (
	XIDMinSize = 17
	XIDMaxSize = 24
)

// NewXID builds the 22-byte XID of a GUID and a GLOBCNT (a source key or
// change key of an object the server made).
func NewXID(g prop.GUID, globcnt uint64) XID {
	return XID{NamespaceGuid: g, LocalId: appendGC(nil, globcnt, 0, 6)}
}

// DecodeXID reads an XID that fills b.
func DecodeXID(b []byte) (XID, error) {
	if len(b) < XIDMinSize || len(b) > XIDMaxSize {
		return XID{}, fmt.Errorf("XID of %d bytes: an XID is %d to %d bytes", len(b), XIDMinSize, XIDMaxSize)
	}
	var x XID
	copy(x.NamespaceGuid[:], b)
	x.LocalId = append([]byte(nil), b[16:]...)
	return x, nil
}

// Bytes returns the XID's wire bytes.
func (x XID) Bytes() []byte {
	return append(append([]byte(nil), x.NamespaceGuid[:]...), x.LocalId...)
}

// GLOBCNT returns the LocalId as a number when it is a 6-byte GLOBCNT.
func (x XID) GLOBCNT() (uint64, bool) {
	if len(x.LocalId) != 6 {
		return 0, false
	}
	return gcValue(x.LocalId), true
}

// String renders {guid}:LOCALID (hex).
func (x XID) String() string {
	return fmt.Sprintf("{%s}:%X", x.NamespaceGuid, x.LocalId)
}

// CodecXID reads or writes an XID of size bytes (the size comes from the
// context: the property length, or a SizedXid's XidSize).
func CodecXID(c *wire.Codec, x *XID, size int, name string) {
	c.Begin(name)
	prop.CodecGUID(c, &x.NamespaceGuid, "NamespaceGuid")
	n := size - 16
	if c.Encoding() {
		n = len(x.LocalId)
	} else if n < 1 || n > 8 {
		c.Fail("XID: LocalId of %d bytes (1 to 8 allowed)", n)
		c.End()
		return
	}
	c.Fixed(&x.LocalId, n, "LocalId")
	if c.Decoding() && !c.Failed() {
		x.LocalId = append([]byte(nil), x.LocalId...)
		if g, ok := x.GLOBCNT(); ok && c.Spans() {
			c.Sym("GLOBCNT " + strconv.FormatUint(g, 10))
		}
	}
	if c.Spans() && !c.Failed() {
		c.SetTitle(x.String())
	}
	c.End()
}

// CodecPredecessorChangeList reads or writes a PidTagPredecessorChangeList
// value — [MS-OXCFXICS] 2.2.2.3: SizedXid structures (XidSize, then an
// XID of that many bytes) until the value ends.
func CodecPredecessorChangeList(c *wire.Codec, l *[]XID, name string) {
	c.BeginArray(name)
	if c.Encoding() {
		for i := range *l {
			x := &(*l)[i]
			size := uint8(16 + len(x.LocalId))
			c.U8(&size, "XidSize")
			CodecXID(c, x, int(size), "XID")
		}
		c.End()
		return
	}
	var out []XID
	for c.Remaining() > 0 && !c.Failed() {
		c.Begin("SizedXid")
		var size uint8
		c.U8(&size, "XidSize")
		if int(size) < XIDMinSize || int(size) > XIDMaxSize {
			c.Fail("SizedXid: XidSize %d (an XID is %d to %d bytes)", size, XIDMinSize, XIDMaxSize)
			c.End()
			break
		}
		var x XID
		CodecXID(c, &x, int(size), "XID")
		c.End()
		if !c.Failed() {
			out = append(out, x)
		}
	}
	c.End()
	*l = out
}

// DecodePredecessorChangeList decodes a PidTagPredecessorChangeList value.
func DecodePredecessorChangeList(b []byte) ([]XID, error) {
	c := wire.NewDecoder(b, false, "PredecessorChangeList")
	var l []XID
	CodecPredecessorChangeList(c, &l, "PredecessorChangeList")
	return l, c.Err()
}

// EncodePredecessorChangeList encodes XIDs as SizedXids.
func EncodePredecessorChangeList(l []XID) ([]byte, error) {
	for _, x := range l {
		if len(x.LocalId) < 1 || len(x.LocalId) > 8 {
			return nil, errors.New("PredecessorChangeList: an XID LocalId is 1 to 8 bytes")
		}
	}
	c := wire.NewEncoder(nil)
	CodecPredecessorChangeList(c, &l, "PredecessorChangeList")
	return c.Output(), c.Err()
}

// FormatPredecessorChangeList renders the list one XID after the other.
func FormatPredecessorChangeList(l []XID) string {
	parts := make([]string, len(l))
	for i, x := range l {
		parts[i] = x.String()
	}
	return strings.Join(parts, ", ")
}

// CN is a change number — [MS-OXCFXICS] 2.2.2.1: the same layout as a
// Folder ID or Message ID (a 2-byte ReplicaId, then a 6-byte GlobalCounter
// naming the change), as PidTagChangeNumber carries it in a PtypInteger64.
type CN = prop.ID

// MakeCN builds a change number from a replica id and a change counter.
func MakeCN(replid uint16, globcnt uint64) CN { return prop.MakeID(replid, globcnt) }

// CNFromInt64 reads the PtypInteger64 value of PidTagChangeNumber.
func CNFromInt64(v int64) CN { return CN(uint64(v)) }

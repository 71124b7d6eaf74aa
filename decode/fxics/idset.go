package fxics

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/mapiscope/mapiscope/decode/prop"
	"github.com/mapiscope/mapiscope/decode/wire"
)

// GLOBCNTMax is the largest 48-bit GLOBCNT — [MS-OXCFXICS] 2.2.2.5.
const GLOBCNTMax = 1<<48 - 1

// Range is an inclusive range of GLOBCNT values (48-bit, compared as the
// big-endian 6 bytes they are on the wire).
type Range struct{ Low, High uint64 }

// ReplicaRanges is the GLOBSET of one replica in an IDSET: the replica is
// named by REPLID (ReplID) or by REPLGUID (ReplGUID, HasGUID set).
type ReplicaRanges struct {
	ReplID   uint16
	ReplGUID prop.GUID
	HasGUID  bool
	Ranges   []Range
}

// IDSet is a set of IDs (or change numbers) — [MS-OXCFXICS] 2.2.2.4: per
// replica, a GLOBSET of GLOBCNT ranges.
type IDSet []ReplicaRanges

// IDSetForm says how an IDSET names its replicas — [MS-OXCFXICS] 3.1.5.4.2.
type IDSetForm uint8

const (
	FormUnknown  IDSetForm = iota
	FormREPLID             // 2-byte REPLID, then the GLOBSET (2.2.2.4.1)
	FormREPLGUID           // 16-byte REPLGUID, then the GLOBSET (2.2.2.4.2)
)

func (f IDSetForm) String() string {
	switch f {
	case FormREPLID:
		return "REPLID"
	case FormREPLGUID:
		return "REPLGUID"
	}
	return "unknown"
}

// ParseIDSetForm accepts "replid", "replguid" (or "guid") and ""/"auto".
func ParseIDSetForm(s string) (IDSetForm, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "auto", "unknown":
		return FormUnknown, nil
	case "replid", "id":
		return FormREPLID, nil
	case "replguid", "guid":
		return FormREPLGUID, nil
	}
	return FormUnknown, fmt.Errorf("unknown IDSET form %q (replid, replguid or auto)", s)
}

// GLOBSET commands — [MS-OXCFXICS] 2.2.2.6.
const (
	cmdEnd     = 0x00
	cmdPop     = 0x50
	cmdBitmask = 0x42
	cmdRange   = 0x52
)

var cmdSym = func(v uint64) string {
	switch {
	case v >= 1 && v <= 6:
		return "Push"
	case v == cmdPop:
		return "Pop"
	case v == cmdBitmask:
		return "Bitmask"
	case v == cmdRange:
		return "Range"
	case v == cmdEnd:
		return "End"
	}
	return ""
}

// gcValue reads a big-endian GLOBCNT of up to 6 bytes.
func gcValue(b []byte) uint64 {
	var v uint64
	for _, x := range b {
		v = v<<8 | uint64(x)
	}
	return v
}

// byteAt is byte i (0 = high-order) of a 6-byte GLOBCNT.
func byteAt(v uint64, i int) byte { return byte(v >> (8 * (5 - i))) }

func appendGC(dst []byte, v uint64, from, to int) []byte {
	for i := from; i < to; i++ {
		dst = append(dst, byteAt(v, i))
	}
	return dst
}

// FormatGLOBCNT renders a GLOBCNT as 12 hex digits.
func FormatGLOBCNT(v uint64) string { return fmt.Sprintf("%012X", v) }

// CodecGLOBSET reads a GLOBSET ([MS-OXCFXICS] 2.2.2.6, decoding per
// 3.1.5.4.3.2) into normalized ranges (sorted, merged), or writes the
// canonical encoding of the ranges. Decoding is bounded: the common byte
// stack holds at most 6 bytes, and every range comes from bytes read.
func CodecGLOBSET(c *wire.Codec, r *[]Range, name string) {
	if c.Encoding() {
		b := AppendGLOBSET(nil, *r)
		c.Rest(&b, name)
		return
	}
	c.BeginArray(name)
	var stack [6]byte
	var sizes [6]int // bytes of each push still on the stack
	depth, pushes := 0, 0
	var raw []Range
	add := func(lo, hi uint64) { raw = append(raw, Range{lo, hi}) }
	for !c.Failed() {
		start := c.Pos()
		c.Begin("")
		var cmd uint8
		c.U8(&cmd, "Command")
		c.Hex().Named(cmdSym)
		if c.Failed() {
			c.End()
			break
		}
		title := ""
		done := false
		switch {
		case cmd >= 1 && cmd <= 6:
			n := int(cmd)
			if depth+n > 6 {
				c.Fail("GLOBSET: Push of %d bytes overflows the common byte stack (%d bytes on it, 6 at most)", n, depth)
				break
			}
			var b []byte
			c.Fixed(&b, n, "CommonBytes")
			if c.Failed() {
				break
			}
			if depth+n == 6 {
				// A sixth byte completes a GLOBCNT: a singleton, and the
				// push is undone at once (3.1.5.4.3.1.1).
				v := gcValue(append(append([]byte(nil), stack[:depth]...), b...))
				add(v, v)
				title = "Push (singleton " + FormatGLOBCNT(v) + ")"
			} else {
				copy(stack[depth:], b)
				sizes[pushes] = n
				pushes++
				depth += n
				title = fmt.Sprintf("Push %d (%d common bytes)", n, depth)
			}
		case cmd == cmdPop:
			if pushes == 0 {
				c.Fail("GLOBSET: Pop with an empty common byte stack")
				break
			}
			pushes--
			depth -= sizes[pushes]
			title = "Pop"
		case cmd == cmdBitmask:
			if depth != 5 {
				c.Fail("GLOBSET: Bitmask with %d bytes on the common byte stack (it needs 5)", depth)
				break
			}
			var sv, bm uint8
			c.U8(&sv, "StartingValue")
			c.Hex()
			c.U8(&bm, "Bitmask")
			c.Hex()
			if c.Failed() {
				break
			}
			hi := gcValue(stack[:5]) << 8
			add(hi|uint64(sv), hi|uint64(sv))
			for i := 0; i < 8; i++ {
				if bm&(1<<i) == 0 {
					continue
				}
				v := int(sv) + i + 1
				if v > 0xFF {
					c.NoteAt(start, "GLOBSET: Bitmask bit %d names low byte 0x%X, past 0xFF", i, v)
					continue
				}
				add(hi|uint64(v), hi|uint64(v))
			}
			title = fmt.Sprintf("Bitmask from %s", FormatGLOBCNT(hi|uint64(sv)))
		case cmd == cmdRange:
			n := 6 - depth
			var lo, hi []byte
			c.Fixed(&lo, n, "LowValue")
			c.Fixed(&hi, n, "HighValue")
			if c.Failed() {
				break
			}
			l := gcValue(append(append([]byte(nil), stack[:depth]...), lo...))
			h := gcValue(append(append([]byte(nil), stack[:depth]...), hi...))
			if l > h {
				c.NoteAt(start, "GLOBSET: Range low value %s is above its high value %s", FormatGLOBCNT(l), FormatGLOBCNT(h))
				l, h = h, l
			}
			add(l, h)
			title = "Range " + FormatGLOBCNT(l) + "-" + FormatGLOBCNT(h)
		case cmd == cmdEnd:
			if depth != 0 {
				c.NoteAt(start, "GLOBSET: End with %d bytes still on the common byte stack", depth)
			}
			title = "End"
			done = true
		default:
			c.Fail("GLOBSET: unknown command 0x%02X", cmd)
		}
		c.SetTitle(title)
		c.End()
		if done {
			break
		}
	}
	c.End()
	for i := 1; i < len(raw); i++ {
		if raw[i].Low <= raw[i-1].High {
			c.Note("GLOBSET: ranges are not in ascending order (%s after %s)", FormatGLOBCNT(raw[i].Low), FormatGLOBCNT(raw[i-1].High))
			break
		}
	}
	*r = normalizeRanges(raw)
}

// AppendGLOBSET appends the canonical GLOBSET encoding of ranges: the
// common high-order bytes pushed, a singleton as a push completing six
// bytes, ranges that differ in a byte as a Range, values that differ only
// in the low byte as a Range, a one-byte push, or a Bitmask when several
// fall within 9 consecutive values; then pops and the End command
// ([MS-OXCFXICS] 3.1.5.4.3.1).
func AppendGLOBSET(dst []byte, ranges []Range) []byte {
	rs := normalizeRanges(ranges)
	dst = encodeLevel(dst, rs, 0)
	return append(dst, cmdEnd)
}

func encodeLevel(dst []byte, rs []Range, d int) []byte {
	if len(rs) == 0 {
		return dst
	}
	if len(rs) == 1 && rs[0].Low == rs[0].High {
		dst = append(dst, byte(6-d))
		return appendGC(dst, rs[0].Low, d, 6)
	}
	lo, hi := rs[0].Low, rs[len(rs)-1].High
	c := 0
	for d+c < 6 && byteAt(lo, d+c) == byteAt(hi, d+c) {
		c++
	}
	if c > 0 {
		dst = append(dst, byte(c))
		dst = appendGC(dst, lo, d, d+c)
		dst = encodeLevel(dst, rs, d+c)
		return append(dst, cmdPop)
	}
	if d == 5 {
		return encodeLow(dst, rs)
	}
	for i := 0; i < len(rs); {
		r := rs[i]
		b := byteAt(r.Low, d)
		if b != byteAt(r.High, d) {
			dst = append(dst, cmdRange)
			dst = appendGC(dst, r.Low, d, 6)
			dst = appendGC(dst, r.High, d, 6)
			i++
			continue
		}
		j := i + 1
		for j < len(rs) && byteAt(rs[j].Low, d) == b && byteAt(rs[j].High, d) == b {
			j++
		}
		dst = encodeLevel(dst, rs[i:j], d)
		i = j
	}
	return dst
}

// encodeLow encodes ranges that share their five high-order bytes (on
// the stack).
func encodeLow(dst []byte, rs []Range) []byte {
	for i := 0; i < len(rs); {
		lo := byte(rs[i].Low)
		end := int(lo) + 8
		j := i + 1
		for j < len(rs) && int(byte(rs[j].High)) <= end {
			j++
		}
		if j-i == 1 {
			r := rs[i]
			if r.Low == r.High {
				dst = append(dst, 1, byte(r.Low))
			} else {
				dst = append(dst, cmdRange, byte(r.Low), byte(r.High))
			}
		} else {
			var mask byte
			for k := i; k < j; k++ {
				for v := int(byte(rs[k].Low)); v <= int(byte(rs[k].High)); v++ {
					if off := v - int(lo); off > 0 {
						mask |= 1 << (off - 1)
					}
				}
			}
			dst = append(dst, cmdBitmask, lo, mask)
		}
		i = j
	}
	return dst
}

// normalizeRanges sorts, clamps to 48 bits and merges overlapping and
// adjacent ranges (a new slice).
func normalizeRanges(in []Range) []Range {
	if len(in) == 0 {
		return nil
	}
	rs := make([]Range, 0, len(in))
	for _, r := range in {
		if r.Low > r.High {
			r.Low, r.High = r.High, r.Low
		}
		if r.Low > GLOBCNTMax {
			continue
		}
		if r.High > GLOBCNTMax {
			r.High = GLOBCNTMax
		}
		rs = append(rs, r)
	}
	sort.Slice(rs, func(i, j int) bool { return rs[i].Low < rs[j].Low })
	out := rs[:0]
	for _, r := range rs {
		if n := len(out); n > 0 && r.Low <= out[n-1].High+1 {
			if r.High > out[n-1].High {
				out[n-1].High = r.High
			}
			continue
		}
		out = append(out, r)
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// ---- IDSET ----

type replKey struct {
	guid bool
	id   uint16
	g    prop.GUID
}

func (r *ReplicaRanges) key() replKey { return replKey{r.HasGUID, r.ReplID, r.ReplGUID} }

func keyLess(a, b replKey) bool {
	if a.guid != b.guid {
		return !a.guid
	}
	if !a.guid {
		return a.id < b.id
	}
	return bytes.Compare(a.g[:], b.g[:]) < 0
}

// Replica names the replica: "1" for a REPLID, the GUID for a REPLGUID.
func (r *ReplicaRanges) Replica() string {
	if r.HasGUID {
		return "{" + r.ReplGUID.String() + "}"
	}
	return strconv.Itoa(int(r.ReplID))
}

// RangesString renders the ranges as "1-5, 9, 12-20" (decimal GLOBCNTs).
func RangesString(rs []Range) string {
	if len(rs) == 0 {
		return "(empty)"
	}
	var b strings.Builder
	for i, r := range rs {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(strconv.FormatUint(r.Low, 10))
		if r.High != r.Low {
			b.WriteByte('-')
			b.WriteString(strconv.FormatUint(r.High, 10))
		}
	}
	return b.String()
}

// String renders the set as "replica 1: 1-5, 9, 12-20; replica {guid}: 3".
func (s IDSet) String() string {
	if len(s) == 0 {
		return "(empty)"
	}
	var b strings.Builder
	for i := range s {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString("replica ")
		b.WriteString(s[i].Replica())
		b.WriteString(": ")
		b.WriteString(RangesString(s[i].Ranges))
	}
	return b.String()
}

// canonical merges replicas named alike, sorts them as the specification
// orders them (REPLIDs ascending, REPLGUIDs by byte comparison) and
// normalizes their ranges; replicas with no range stay.
func (s IDSet) canonical() IDSet {
	idx := map[replKey]int{}
	var out IDSet
	for i := range s {
		k := s[i].key()
		if j, ok := idx[k]; ok {
			out[j].Ranges = append(out[j].Ranges, s[i].Ranges...)
			continue
		}
		idx[k] = len(out)
		r := s[i]
		r.Ranges = append([]Range(nil), r.Ranges...)
		if !r.HasGUID {
			r.ReplGUID = prop.GUID{}
		} else {
			r.ReplID = 0
		}
		out = append(out, r)
	}
	for i := range out {
		out[i].Ranges = normalizeRanges(out[i].Ranges)
	}
	sort.SliceStable(out, func(i, j int) bool { return keyLess(out[i].key(), out[j].key()) })
	return out
}

// Normalize returns the canonical form of the set: replicas merged and
// sorted, ranges sorted and merged, empty replicas dropped.
func (s IDSet) Normalize() IDSet {
	c := s.canonical()
	out := c[:0]
	for _, r := range c {
		if len(r.Ranges) > 0 {
			out = append(out, r)
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// Encode serializes the set canonically in the REPLGUID form (guidForm)
// or the REPLID form. In the REPLID form replicas named by GUID cannot be
// written and are skipped, and the other way round.
func (s IDSet) Encode(guidForm bool) []byte {
	var out []byte
	for _, r := range s.canonical() {
		if r.HasGUID != guidForm {
			continue
		}
		if guidForm {
			out = append(out, r.ReplGUID[:]...)
		} else {
			out = binary.LittleEndian.AppendUint16(out, r.ReplID)
		}
		out = AppendGLOBSET(out, r.Ranges)
	}
	if out == nil {
		out = []byte{}
	}
	return out
}

// CodecIDSet reads an IDSET in the given form (REPLID or REPLGUID
// replicas, each followed by its GLOBSET, until the input ends) or writes
// the canonical encoding.
func CodecIDSet(c *wire.Codec, s *IDSet, guidForm bool, name string) {
	if c.Encoding() {
		b := s.Encode(guidForm)
		c.Rest(&b, name)
		return
	}
	c.BeginArray(name)
	var out IDSet
	var prev replKey
	for i := 0; c.Remaining() > 0 && !c.Failed(); i++ {
		start := c.Pos()
		var r ReplicaRanges
		c.Begin("")
		if guidForm {
			prop.CodecGUID(c, &r.ReplGUID, "REPLGUID")
			r.HasGUID = true
		} else {
			c.U16(&r.ReplID, "REPLID")
			c.Hex()
		}
		CodecGLOBSET(c, &r.Ranges, "GLOBSET")
		if c.Spans() && !c.Failed() {
			c.Derive("Ranges", RangesString(r.Ranges), false, "")
			c.SetTitle("replica " + r.Replica())
		}
		c.End()
		if c.Failed() {
			break
		}
		if i > 0 && !keyLess(prev, r.key()) {
			c.NoteAt(start, "IDSET: replica %s does not follow %s in ascending order", r.Replica(), (&ReplicaRanges{ReplID: prev.id, ReplGUID: prev.g, HasGUID: prev.guid}).Replica())
		}
		prev = r.key()
		out = append(out, r)
	}
	c.End()
	*s = out
}

// DecodeIDSet decodes a serialized IDSET of the given form; the error is
// the first anomaly that stopped decoding (notes about non-canonical but
// readable input are not errors).
func DecodeIDSet(b []byte, guidForm bool) (IDSet, error) {
	c := wire.NewDecoder(b, false, "IDSET")
	var s IDSet
	CodecIDSet(c, &s, guidForm, "IDSET")
	return s, c.Err()
}

// DecodeIDSetNode decodes an IDSET with its span tree (when spans) and all
// anomalies; base is the absolute offset of b[0]. With FormUnknown both
// forms are tried and the one with fewer anomalies wins (the REPLGUID form
// on a tie, as persisted ICS state uses it).
func DecodeIDSetNode(b []byte, form IDSetForm, base int, spans bool) (IDSet, IDSetForm, *wire.Node, []wire.Anomaly) {
	run := func(guid bool) (IDSet, *wire.Node, []wire.Anomaly) {
		c := wire.NewDecoder(b, spans, "IDSET")
		c.SetBase(base)
		var s IDSet
		CodecIDSet(c, &s, guid, "IDSET")
		t := c.Tree()
		if t != nil {
			// The array node is the codec root's only child; show it as
			// the root, placed at base.
			if len(t.Children) == 1 {
				t = t.Children[0]
			}
			t.Off, t.Len = base, len(b)
			t.Sym = s.String()
		}
		return s, t, c.Anomalies()
	}
	switch form {
	case FormREPLID:
		s, n, an := run(false)
		return s, FormREPLID, n, an
	case FormREPLGUID:
		s, n, an := run(true)
		return s, FormREPLGUID, n, an
	}
	gs, gn, ga := run(true)
	rs, rn, ra := run(false)
	if len(ra) < len(ga) {
		return rs, FormREPLID, rn, ra
	}
	return gs, FormREPLGUID, gn, ga
}

// ---- set operations ----

// Union returns the normalized union of the sets.
func Union(sets ...IDSet) IDSet {
	var all IDSet
	for _, s := range sets {
		all = append(all, s...)
	}
	return all.Normalize()
}

// Difference returns the values of a that are not in b (replicas matched
// by REPLID or by REPLGUID), normalized.
func Difference(a, b IDSet) IDSet {
	nb := map[replKey][]Range{}
	for _, r := range b.Normalize() {
		nb[r.key()] = r.Ranges
	}
	var out IDSet
	for _, r := range a.Normalize() {
		r.Ranges = subtractRanges(r.Ranges, nb[r.key()])
		if len(r.Ranges) > 0 {
			out = append(out, r)
		}
	}
	return out
}

// Intersect returns the values in both sets, normalized.
func Intersect(a, b IDSet) IDSet {
	return Difference(a, Difference(a, b))
}

// subtractRanges removes b from a (both normalized).
func subtractRanges(a, b []Range) []Range {
	var out []Range
	j := 0
	for _, r := range a {
		lo := r.Low
		for j < len(b) && b[j].High < lo {
			j++
		}
		k := j
		for k < len(b) && b[k].Low <= r.High {
			if b[k].Low > lo {
				out = append(out, Range{lo, b[k].Low - 1})
			}
			if b[k].High >= r.High {
				lo = r.High + 1
				break
			}
			lo = b[k].High + 1
			k++
		}
		if lo <= r.High {
			out = append(out, Range{lo, r.High})
		}
	}
	return out
}

func (s IDSet) find(k replKey) []Range {
	var out []Range
	for i := range s {
		if s[i].key() == k {
			out = append(out, s[i].Ranges...)
		}
	}
	return out
}

func containsRange(rs []Range, v uint64) bool {
	for _, r := range rs {
		if v >= r.Low && v <= r.High {
			return true
		}
	}
	return false
}

// Contains reports whether GLOBCNT v of the REPLID replica is in the set.
func (s IDSet) Contains(replID uint16, v uint64) bool {
	return containsRange(s.find(replKey{id: replID}), v)
}

// ContainsGUID reports whether GLOBCNT v of the REPLGUID replica is in the set.
func (s IDSet) ContainsGUID(g prop.GUID, v uint64) bool {
	return containsRange(s.find(replKey{guid: true, g: g}), v)
}

// ContainsID reports whether a Folder ID / Message ID (or CN) is in a
// REPLID-form set.
func (s IDSet) ContainsID(id prop.ID) bool { return s.Contains(id.ReplicaId(), id.GlobalCounter()) }

// AddRange adds GLOBCNTs low..high of a REPLID replica (the result is
// normalized).
func (s IDSet) AddRange(replID uint16, low, high uint64) IDSet {
	return append(s, ReplicaRanges{ReplID: replID, Ranges: []Range{{low, high}}}).Normalize()
}

// AddRangeGUID adds GLOBCNTs low..high of a REPLGUID replica.
func (s IDSet) AddRangeGUID(g prop.GUID, low, high uint64) IDSet {
	return append(s, ReplicaRanges{ReplGUID: g, HasGUID: true, Ranges: []Range{{low, high}}}).Normalize()
}

// AddID adds a Folder ID / Message ID to a REPLID-form set.
func (s IDSet) AddID(id prop.ID) IDSet {
	return s.AddRange(id.ReplicaId(), id.GlobalCounter(), id.GlobalCounter())
}

// Count returns the number of values in the set (after normalizing).
func (s IDSet) Count() uint64 {
	var n uint64
	for _, r := range s.Normalize() {
		for _, x := range r.Ranges {
			n += x.High - x.Low + 1
		}
	}
	return n
}

// Equal reports whether two sets hold the same values.
func (s IDSet) Equal(o IDSet) bool {
	a, b := s.Normalize(), o.Normalize()
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].key() != b[i].key() || len(a[i].Ranges) != len(b[i].Ranges) {
			return false
		}
		for j := range a[i].Ranges {
			if a[i].Ranges[j] != b[i].Ranges[j] {
				return false
			}
		}
	}
	return true
}

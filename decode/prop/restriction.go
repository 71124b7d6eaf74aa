package prop

import (
	"sync"

	"github.com/mapiscope/mapiscope/decode/wire"
)

// RestrictType values — [MS-OXCDATA] 2.12.
const (
	RestrictAnd               uint8 = 0x00
	RestrictOr                uint8 = 0x01
	RestrictNot               uint8 = 0x02
	RestrictContent           uint8 = 0x03
	RestrictProperty          uint8 = 0x04
	RestrictCompareProperties uint8 = 0x05
	RestrictBitMask           uint8 = 0x06
	RestrictSize              uint8 = 0x07
	RestrictExist             uint8 = 0x08
	RestrictSubObject         uint8 = 0x09
	RestrictComment           uint8 = 0x0A
	RestrictCount             uint8 = 0x0B
)

var restrictNames = [...]string{
	"AndRestriction", "OrRestriction", "NotRestriction", "ContentRestriction",
	"PropertyRestriction", "ComparePropertiesRestriction", "BitMaskRestriction",
	"SizeRestriction", "ExistRestriction", "SubObjectRestriction",
	"CommentRestriction", "CountRestriction",
}

// RestrictName names a RestrictType.
func RestrictName(t uint8) string {
	if int(t) < len(restrictNames) {
		return restrictNames[t]
	}
	return ""
}

func restrictSym(v uint64) string { return RestrictName(uint8(v)) }

// RelOp values for Property, CompareProperties and Size restrictions —
// [MS-OXCDATA] 2.12.5.
const (
	RelopLT         uint8 = 0x00
	RelopLE         uint8 = 0x01
	RelopGT         uint8 = 0x02
	RelopGE         uint8 = 0x03
	RelopEQ         uint8 = 0x04
	RelopNE         uint8 = 0x05
	RelopMemberOfDL uint8 = 0x64
)

func relopSym(v uint64) string {
	switch uint8(v) {
	case RelopLT:
		return "RELOP_LT"
	case RelopLE:
		return "RELOP_LE"
	case RelopGT:
		return "RELOP_GT"
	case RelopGE:
		return "RELOP_GE"
	case RelopEQ:
		return "RELOP_EQ"
	case RelopNE:
		return "RELOP_NE"
	case RelopMemberOfDL:
		return "RELOP_MEMBER_OF_DL"
	}
	return ""
}

// Fuzzy levels of a ContentRestriction — [MS-OXCDATA] 2.12.3.
const (
	FLFullString     uint16 = 0x0000
	FLSubstring      uint16 = 0x0001
	FLPrefix         uint16 = 0x0002
	FLIgnoreCase     uint16 = 0x0001
	FLIgnoreNonSpace uint16 = 0x0002
	FLLoose          uint16 = 0x0004
)

func fuzzyLowSym(v uint64) string {
	switch v {
	case 0:
		return "FL_FULLSTRING"
	case 1:
		return "FL_SUBSTRING"
	case 2:
		return "FL_PREFIX"
	}
	return ""
}

func fuzzyHighSym(v uint64) string {
	s := ""
	add := func(x string) {
		if s != "" {
			s += "|"
		}
		s += x
	}
	if v&1 != 0 {
		add("FL_IGNORECASE")
	}
	if v&2 != 0 {
		add("FL_IGNORENONSPACE")
	}
	if v&4 != 0 {
		add("FL_LOOSE")
	}
	return s
}

// Restriction is one node of a restriction tree — [MS-OXCDATA] 2.12. Which
// fields are used depends on RestrictType; the names follow the spec.
type Restriction struct {
	RestrictType uint8

	Restricts   []Restriction // And, Or
	Restriction *Restriction  // Not, SubObject, Comment (when present), Count (SubRestriction)

	FuzzyLevelLow  uint16 // Content
	FuzzyLevelHigh uint16 // Content
	RelOp          uint8  // Property, CompareProperties, Size; BitmapRelOp for BitMask
	PropTag        Tag    // Content (PropertyTag), Property, BitMask, Size, Exist
	PropTag2       Tag    // CompareProperties (PropTag1 is PropTag)
	TaggedValue    TaggedValue
	Mask           uint32        // BitMask
	Size           uint32        // Size
	Subobject      Tag           // SubObject
	TaggedValues   []TaggedValue // Comment
	Count          uint32        // Count
}

// MaxRestrictionDepth bounds nesting so hostile input cannot exhaust the stack.
const MaxRestrictionDepth = 64

// CodecRestriction reads or writes a restriction. In ROP buffers (w == ROP)
// RestrictCount is 16 bits; in extended rules (w == Wide) 32 bits.
func CodecRestriction(c *wire.Codec, r *Restriction, name string, w Width) {
	depth := enterRestriction(c)
	defer leaveRestriction(c, depth)
	if depth > MaxRestrictionDepth {
		if c.Decoding() {
			c.Fail("restriction nested deeper than %d levels", MaxRestrictionDepth)
		} else {
			c.EncodeError("restriction nested deeper than %d levels", MaxRestrictionDepth)
		}
		return
	}
	codecRestriction(c, r, name, w)
}

// restrictionNesting counts, per codec, the restrictions open around the
// one being read or written. Besides the direct nesting (And, Or, Not,
// SubObject, Comment, Count), a restriction can hide inside a value it
// holds: a PtypRestriction TaggedValue of a Content or Property
// restriction, or a PtypRuleAction whose OP_TAG action holds one. Those
// paths come back through CodecRestriction, so counting there bounds the
// nesting along every path. A codec is used by one goroutine at a time.
var restrictionNesting sync.Map // *wire.Codec -> int

// enterRestriction returns how many restrictions are open on c and counts
// one more.
func enterRestriction(c *wire.Codec) int {
	d := 0
	if v, ok := restrictionNesting.Load(c); ok {
		d = v.(int)
	}
	restrictionNesting.Store(c, d+1)
	return d
}

// leaveRestriction restores the count enterRestriction returned.
func leaveRestriction(c *wire.Codec, outer int) {
	if outer == 0 {
		restrictionNesting.Delete(c)
		return
	}
	restrictionNesting.Store(c, outer)
}

func codecRestriction(c *wire.Codec, r *Restriction, name string, w Width) {
	c.Begin(name)
	c.U8(&r.RestrictType, "RestrictType")
	c.Hex().Named(restrictSym)
	c.SetTitle(RestrictName(r.RestrictType))
	sub := func(p **Restriction, n string) {
		if c.Decoding() {
			*p = &Restriction{}
		} else if *p == nil {
			c.EncodeError("%s: %s missing", RestrictName(r.RestrictType), n)
			return
		}
		CodecRestriction(c, *p, n, w)
	}
	switch r.RestrictType {
	case RestrictAnd, RestrictOr:
		var n int
		if w == Wide {
			n = c.Count32(len(r.Restricts), 1, "RestrictCount")
		} else {
			n = c.Count16(len(r.Restricts), 1, "RestrictCount")
		}
		wire.Make(c, &r.Restricts, n)
		c.BeginArray("Restricts")
		for i := range r.Restricts {
			if c.Failed() {
				break
			}
			CodecRestriction(c, &r.Restricts[i], "", w)
		}
		c.End()
	case RestrictNot:
		sub(&r.Restriction, "Restriction")
	case RestrictContent:
		c.U16(&r.FuzzyLevelLow, "FuzzyLevelLow")
		c.Hex().Named(fuzzyLowSym)
		c.U16(&r.FuzzyLevelHigh, "FuzzyLevelHigh")
		c.Hex().Named(fuzzyHighSym)
		CodecTag(c, &r.PropTag, "PropertyTag")
		CodecTagged(c, &r.TaggedValue, "TaggedValue", w)
	case RestrictProperty:
		c.U8(&r.RelOp, "RelOp")
		c.Hex().Named(relopSym)
		CodecTag(c, &r.PropTag, "PropTag")
		CodecTagged(c, &r.TaggedValue, "TaggedValue", w)
	case RestrictCompareProperties:
		c.U8(&r.RelOp, "RelOp")
		c.Hex().Named(relopSym)
		CodecTag(c, &r.PropTag, "PropTag1")
		CodecTag(c, &r.PropTag2, "PropTag2")
	case RestrictBitMask:
		c.U8(&r.RelOp, "BitmapRelOp")
		c.Hex().Named(func(v uint64) string {
			switch v {
			case 0:
				return "BMR_EQZ"
			case 1:
				return "BMR_NEZ"
			}
			return ""
		})
		CodecTag(c, &r.PropTag, "PropTag")
		c.U32(&r.Mask, "Mask")
		c.Hex()
	case RestrictSize:
		c.U8(&r.RelOp, "RelOp")
		c.Hex().Named(relopSym)
		CodecTag(c, &r.PropTag, "PropTag")
		c.U32(&r.Size, "Size")
	case RestrictExist:
		CodecTag(c, &r.PropTag, "PropTag")
	case RestrictSubObject:
		CodecTag(c, &r.Subobject, "Subobject")
		sub(&r.Restriction, "Restriction")
	case RestrictComment:
		n := c.Count8(len(r.TaggedValues), 4, "TaggedValuesCount")
		wire.Make(c, &r.TaggedValues, n)
		c.BeginArray("TaggedValues")
		for i := range r.TaggedValues {
			CodecTagged(c, &r.TaggedValues[i], "", w)
		}
		c.End()
		present := r.Restriction != nil
		c.Bool8(&present, "RestrictionPresent")
		if present {
			sub(&r.Restriction, "Restriction")
		} else if c.Decoding() {
			r.Restriction = nil
		}
	case RestrictCount:
		c.U32(&r.Count, "Count")
		sub(&r.Restriction, "SubRestriction")
	default:
		if c.Decoding() {
			c.Fail("restriction: unknown RestrictType 0x%02X", r.RestrictType)
		} else {
			c.EncodeError("restriction: unknown RestrictType 0x%02X", r.RestrictType)
		}
	}
	c.End()
}

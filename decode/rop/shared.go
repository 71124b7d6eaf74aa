package rop

import (
	"github.com/mapiscope/mapiscope/decode/prop"
	"github.com/mapiscope/mapiscope/decode/wire"
)

// Helpers shared by several ROP families live here, so that each family
// file keeps to its own ROPs.

// codecRestrictionData reads or writes RestrictionDataSize and a
// RestrictionData restriction ([MS-OXCDATA] 2.12, 16-bit counts) sized by
// it. A RestrictionDataSize of 0 carries no restriction: *r is nil.
// (RopRestrict, RopSetSearchCriteria, RopSynchronizationConfigure, …)
func codecRestrictionData(c *wire.Codec, r **prop.Restriction) {
	if c.Decoding() {
		if size, ok := c.Peek16(); ok && size == 0 {
			c.U16(&size, "RestrictionDataSize")
			*r = nil
			return
		}
		*r = &prop.Restriction{}
	} else if *r == nil {
		var zero uint16
		c.U16(&zero, "RestrictionDataSize")
		return
	}
	c.Sized(2, "RestrictionDataSize", func() {
		prop.CodecRestriction(c, *r, "RestrictionData", prop.ROP)
	})
}

package prop

import "github.com/mapiscope/mapiscope/decode/wire"

// RuleActions is a RuleAction buffer — [MS-OXORULE] 2.2.5. (Filled in by
// the rules codec.)
type RuleActions struct {
	Raw []byte
}

// CodecRuleActions reads or writes a RuleAction buffer.
func CodecRuleActions(c *wire.Codec, r *RuleActions, name string, w Width) {
	c.Rest(&r.Raw, name)
}

package rop

import (
	"fmt"
	"strings"
)

// Markdown renders the ROP registry as the table of docs/ROPS.md.
func Markdown() string {
	var b strings.Builder
	b.WriteString("# ROPs\n\n")
	b.WriteString("Generated from the ROP registry (`decode/rop`) by `go test ./decode/rop -run TestRopsDoc -update`; do not edit by hand.\n\n")
	b.WriteString("Every ROP id of [MS-OXCROPS] 2.2, the section that defines its buffers, the specification of its semantics, which directions mapiscope decodes and encodes, and the session context its decoding needs (supplied by `decode.Session`, or by `mapiscope decode --columns` for a single ROP).\n\n")
	b.WriteString("| RopId | Name | [MS-OXCROPS] | Semantics | Request | Response | Context |\n")
	b.WriteString("|---|---|---|---|---|---|---|\n")
	var nreq, nresp, n int
	for _, in := range All() {
		n++
		req, resp := "—", "—"
		if in.Request != nil {
			req, nreq = "yes", nreq+1
		} else if in.RespOnly {
			req = "n/a (response only)"
		}
		if in.Response != nil {
			resp, nresp = "yes", nresp+1
		} else if in.ReqOnly {
			resp = "n/a (no response)"
		}
		name := in.Name
		if in.NotOnWire {
			name += " (not used on the wire)"
		}
		ctx := in.Context
		if ctx == "" {
			ctx = "—"
		}
		sec := in.Section
		if sec == "" {
			sec = "?"
		}
		fmt.Fprintf(&b, "| 0x%02X | %s | %s | %s | %s | %s | %s |\n", in.ID, name, sec, in.Spec, req, resp, ctx)
	}
	fmt.Fprintf(&b, "\n%d ROP ids; %d with a request codec, %d with a response codec.\n", n, nreq, nresp)
	return b.String()
}

package decode

import (
	"github.com/mapiscope/mapiscope/decode/rop"
)

// ReplayExecute decodes one Execute exchange again, on its own, with the
// session context each ROP had when it was first decoded (RopPair.Context,
// by request index): the trace keeps those contexts so that a viewer can
// show any exchange with full byte spans without walking its session
// again.
func ReplayExecute(reqBody, respBody []byte, contexts map[int]RopContext, spans bool) *ExecuteResult {
	s := NewSession()
	s.replay = contexts
	return s.Execute(reqBody, respBody, spans)
}

// replayCtx fills a ROP's context from a stored one.
func replayCtx(stored map[int]RopContext, ri int, ctx *rop.Ctx) {
	rc, ok := stored[ri]
	if !ok {
		return
	}
	if rc.HasColumns {
		ctx.Columns, ctx.HasColumns = rc.Columns, true
	}
	if rc.HasLogonFlags {
		ctx.LogonFlags, ctx.HasLogonFlags = rc.LogonFlags, true
	}
}

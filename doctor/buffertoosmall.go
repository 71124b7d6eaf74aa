package doctor

import (
	"fmt"

	"github.com/mapiscope/mapiscope/decode/rop"
)

// bufferTooSmallLoop finds requests sent again and again although the
// server answered each with RopBufferTooSmall — [MS-OXCROPS] 2.2.15.1:
// the response did not fit the client's buffer and the ROPs listed in
// RequestBuffers did not run. The client is expected to send them again
// with room for SizeNeeded bytes; the same request answered
// RopBufferTooSmall twice is a loop that never ends.
type bufferTooSmallLoop struct{}

func init() { register(bufferTooSmallLoop{}) }

func (bufferTooSmallLoop) ID() string { return "buffer-too-small-loop" }
func (bufferTooSmallLoop) Title() string {
	return "The same request repeated after RopBufferTooSmall"
}

func (bufferTooSmallLoop) Check(c *Context) []Finding {
	type loop struct {
		ev []Evidence
	}
	loops := map[string]*loop{} // session + request bytes
	var order []string
	for _, x := range c.Executes() {
		for _, r := range x.Rops {
			resp, ok := r.Response.(*rop.BufferTooSmallResponse)
			if !ok {
				continue
			}
			key := fmt.Sprintf("%d/%x", x.Session, x.RopBuffer)
			l := loops[key]
			if l == nil {
				l = &loop{}
				loops[key] = l
				order = append(order, key)
			}
			l.ev = append(l.ev, r.Evidence(fmt.Sprintf("RopBufferTooSmall: SizeNeeded %d, %d request bytes not run",
				resp.SizeNeeded, len(resp.RequestBuffers))))
			break
		}
	}
	var out []Finding
	for _, k := range order {
		l := loops[k]
		if len(l.ev) < 2 {
			continue
		}
		out = append(out, Finding{
			Severity: Warning,
			Title:    fmt.Sprintf("A request answered RopBufferTooSmall %s", times(len(l.ev))),
			Evidence: l.ev,
			Explanation: "The client sent the same ROPs, on the same handles, again after the server said their " +
				"response does not fit (RopBufferTooSmall), and got the same answer. Nothing progresses: Outlook " +
				"retries forever, typically on one large message or table row.",
			Fix: "Find the ROP the server could not fit (the first of RequestBuffers in the evidence) and the object " +
				"it reads. A server that asks for more than the client's maximum (MaxRopOut) must split its answer " +
				"(QueryRows fewer rows, properties as streams); report it to the server's vendor.",
		})
	}
	return out
}

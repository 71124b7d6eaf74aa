package doctor

import (
	"fmt"
	"time"

	"github.com/mapiscope/mapiscope/decode/prop"
	"github.com/mapiscope/mapiscope/decode/rop"
)

// backoffStorm finds sessions the server kept telling to slow down:
// RopBackoff responses ([MS-OXCROPS] 2.2.15.2) and ROPs failed with
// ecServerBusy (a RopFastTransferSourceGetBuffer then carries
// BackoffTime). A few are throttling doing its job; backoffThreshold or
// more in one session is a storm that stalls Outlook's synchronisation.
type backoffStorm struct{}

func init() { register(backoffStorm{}) }

func (backoffStorm) ID() string { return "backoff-storm" }
func (backoffStorm) Title() string {
	return "RopBackoff / ecServerBusy storms: the server throttles the client"
}

const (
	backoffThreshold                = 3
	ecServerBusy     prop.ErrorCode = 0x00000480
)

func (backoffStorm) Check(c *Context) []Finding {
	perSession := map[int64][]Evidence{}
	var order []int64
	for _, r := range c.Rops() {
		var note string
		switch resp := r.Response.(type) {
		case *rop.BackoffResponse:
			note = fmt.Sprintf("RopBackoff: wait %s", time.Duration(resp.Duration)*time.Millisecond)
			for _, b := range resp.BackoffRopData {
				note += fmt.Sprintf(", %s %s", rop.Name(b.RopIdBackoff), time.Duration(b.Duration)*time.Millisecond)
			}
		case *rop.FastTransferSourceGetBufferResponse:
			if resp.ReturnValue == ecServerBusy {
				note = fmt.Sprintf("RopFastTransferSourceGetBuffer: ecServerBusy, BackoffTime %s", time.Duration(resp.BackoffTime)*time.Millisecond)
			}
		default:
			if rv, ok := r.ReturnValue(); ok && rv == ecServerBusy {
				note = r.Name() + ": ecServerBusy"
			}
		}
		if note == "" {
			continue
		}
		if _, ok := perSession[r.Session]; !ok {
			order = append(order, r.Session)
		}
		perSession[r.Session] = append(perSession[r.Session], r.Evidence(note))
	}
	var out []Finding
	for _, sid := range order {
		ev := perSession[sid]
		if len(ev) < backoffThreshold {
			continue
		}
		out = append(out, Finding{
			Severity: Warning,
			Title:    fmt.Sprintf("Session %d: the server asked the client to back off %s", sid, times(len(ev))),
			Evidence: ev,
			Explanation: "The server answered with RopBackoff or ecServerBusy again and again: it throttles this " +
				"client. Outlook waits the time it is given before each retry, so downloads and folder views stall; " +
				"during a first synchronisation of a big mailbox it can take hours.",
			Fix: "Look at the server's load and throttling settings at that time (for Exchange, the throttling policy " +
				"of the user; for BlueMind, the bm-mapi service's load and the mail store replication). If one " +
				"client causes it, find what it keeps asking for in the ROPs before the storm.",
		})
	}
	return out
}

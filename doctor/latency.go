package doctor

import (
	"fmt"
	"sort"
	"time"

	"github.com/mapiscope/mapiscope/decode/mapihttp"
)

// slowExecute finds Execute requests that took far longer than the
// others: the server blocked on something (a big folder, a slow store, a
// lock). NotificationWait is left out: it waits by design.
//
// Threshold: ten times the median Execute duration of the trace, but at
// least slowFloor (fast servers answer in milliseconds, and a few hundred
// of them is no problem) and at most slowCeiling (an Execute that takes
// longer is slow whatever the others do).
type slowExecute struct{}

func init() { register(slowExecute{}) }

func (slowExecute) ID() string    { return "slow-execute" }
func (slowExecute) Title() string { return "Execute requests much slower than the others" }

const (
	slowFactor  = 10
	slowFloor   = time.Second
	slowCeiling = 10 * time.Second
)

// slowThreshold is the duration above which an Execute is an outlier,
// given the durations of all.
func slowThreshold(d []time.Duration) time.Duration {
	if len(d) == 0 {
		return slowCeiling
	}
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	median := s[len(s)/2]
	if len(s)%2 == 0 {
		median = (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	return min(max(slowFactor*median, slowFloor), slowCeiling)
}

func (slowExecute) Check(c *Context) []Finding {
	var exs []*Exchange
	var d []time.Duration
	for _, e := range c.Exchanges() {
		if e.Type() == mapihttp.TypeExecute && e.Duration > 0 {
			exs = append(exs, e)
			d = append(d, e.Duration)
		}
	}
	limit := slowThreshold(d)
	var ev []Evidence
	var worst time.Duration
	for _, e := range exs {
		if e.Duration > limit {
			ev = append(ev, e.Evidence(fmt.Sprintf("Execute took %s", e.Duration.Round(time.Millisecond))))
			worst = max(worst, e.Duration)
		}
	}
	if len(ev) == 0 {
		return nil
	}
	return []Finding{{
		Severity: Warning,
		Title: fmt.Sprintf("%s (up to %s; the threshold is %s)", nof(len(ev), "slow Execute request"),
			worst.Round(time.Millisecond), limit.Round(time.Millisecond)),
		Evidence: ev,
		Explanation: fmt.Sprintf("Of %d Execute requests, these took more than %s (ten times the median, between %s "+
			"and %s). Outlook waits for each Execute before sending the next of the same session: a slow one "+
			"freezes the folder view or the send/receive that asked for it.", len(exs),
			limit.Round(time.Millisecond), slowFloor, slowCeiling),
		Fix: "Look at the ROPs of each slow Execute (`mapiscope show TRACE ID`): a big QueryRows or FastTransfer " +
			"download points at a large folder, one ROP on its own at a server-side cost. Compare with the server's " +
			"log and load at that time (BlueMind: /var/log/bm-mapi/mapi.log, and the replication from the mail " +
			"store).",
	}}
}

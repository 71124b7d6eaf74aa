package doctor

import (
	"testing"
	"time"

	"github.com/mapiscope/mapiscope/internal/mapitest"
	"github.com/mapiscope/mapiscope/trace"
)

// executes returns the sample session with the duration of its n-th
// Execute set to d.
func sampleWithDuration(t *testing.T, n int, d time.Duration) []*trace.Exchange {
	t.Helper()
	exs, err := mapitest.SampleSession(mapitest.NewConversation())
	if err != nil {
		t.Fatal(err)
	}
	k := 0
	for _, ex := range exs {
		if ex.ReqHeader.Get("X-RequestType") == "Execute" {
			if k == n {
				ex.Ended = ex.Started.Add(d)
			}
			k++
		}
	}
	return exs
}

func TestSlowExecute(t *testing.T) {
	tr := newTrace(t, sampleWithDuration(t, 2, 3*time.Second)...)
	f := want(t, check(t, tr, "slow-execute"), Warning)
	evidenceExists(t, tr, f)
	if len(f.Evidence) != 1 || f.Evidence[0].Note != "Execute took 3s" {
		t.Errorf("finding: %s", dump([]Finding{f}))
	}
}

func TestSlowExecuteNone(t *testing.T) {
	// 600 ms is over ten times the median (19 ms), but under the floor.
	none(t, check(t, newTrace(t, sampleWithDuration(t, 2, 600*time.Millisecond)...), "slow-execute"))
	none(t, check(t, realTrace(t), "slow-execute"))
	ms := time.Millisecond
	for _, c := range []struct {
		d    []time.Duration
		want time.Duration
	}{
		{nil, 10 * time.Second},
		{[]time.Duration{20 * ms, 30 * ms, 40 * ms}, time.Second},
		{[]time.Duration{200 * ms, 300 * ms, 400 * ms, 500 * ms}, 3500 * ms},
		{[]time.Duration{5 * time.Second}, 10 * time.Second},
	} {
		if got := slowThreshold(c.d); got != c.want {
			t.Errorf("slowThreshold(%v) = %v, want %v", c.d, got, c.want)
		}
	}
}

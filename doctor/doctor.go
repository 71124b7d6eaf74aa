// Package doctor finds the known Outlook and MAPI/HTTP problems in a
// trace and says, in plain words, what is wrong, where the evidence is and
// what fixes it: a wrong password saved in Windows, Autodiscover wandering
// off to Microsoft 365, a profile in online mode where full cached mode is
// required, ICS downloads whose state does not cover what they sent, a
// server that answers with X-ResponseCode or backs off in storms, …
//
// Each rule lives in its own file and registers itself in init(); a rule
// reads the trace through a Context, which decodes what it needs once and
// shares it with the other rules. Evidence names exchanges and ROPs by
// their trace ids, the ones `mapiscope show` and the TUI take.
package doctor

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/mapiscope/mapiscope/trace"
)

// Severity says how bad a finding is.
type Severity int

const (
	// Info is worth knowing; nothing needs doing.
	Info Severity = iota
	// Warning is a problem that explains misbehaviour and has a fix.
	Warning
	// Error is a configuration that cannot work.
	Error
)

var severityNames = [...]string{"info", "warning", "error"}

func (s Severity) String() string {
	if s >= 0 && int(s) < len(severityNames) {
		return severityNames[s]
	}
	return fmt.Sprintf("severity(%d)", int(s))
}

// ParseSeverity reads "info", "warning" or "error".
func ParseSeverity(s string) (Severity, error) {
	for i, n := range severityNames {
		if strings.EqualFold(strings.TrimSpace(s), n) {
			return Severity(i), nil
		}
	}
	return 0, fmt.Errorf("unknown severity %q (info, warning or error)", s)
}

// MarshalJSON writes the severity's name.
func (s Severity) MarshalJSON() ([]byte, error) { return json.Marshal(s.String()) }

// UnmarshalJSON reads a severity's name.
func (s *Severity) UnmarshalJSON(b []byte) error {
	var n string
	if err := json.Unmarshal(b, &n); err != nil {
		return err
	}
	v, err := ParseSeverity(n)
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// Evidence is one exchange or ROP that shows a finding. Exchange is the
// trace's exchange id (`mapiscope show TRACE 12`); Rop, when not 0, the
// trace's ROP id (`mapiscope show TRACE r345`).
type Evidence struct {
	Exchange int64  `json:"exchange"`
	Rop      int64  `json:"rop,omitempty"`
	Note     string `json:"note,omitempty"`
}

// Ref is the id `mapiscope show` takes: "r345" for a ROP, "12" for an
// exchange.
func (e Evidence) Ref() string {
	if e.Rop != 0 {
		return fmt.Sprintf("r%d", e.Rop)
	}
	return fmt.Sprint(e.Exchange)
}

// Finding is one problem a rule found.
type Finding struct {
	Rule     string     `json:"rule"`
	Severity Severity   `json:"severity"`
	Title    string     `json:"title"`
	Evidence []Evidence `json:"evidence"`
	// Omitted says how many more pieces of evidence there were beyond
	// Options.MaxEvidence.
	Omitted     int    `json:"omitted_evidence,omitempty"`
	Explanation string `json:"explanation"`
	Fix         string `json:"fix"`
}

// Rule is one check. Check reads the trace through the Context and
// returns what it found; it leaves Rule empty (Run fills it in) and need
// not bound its evidence (Run does).
type Rule interface {
	ID() string
	Title() string
	Check(c *Context) []Finding
}

// registry holds the rules; it is written only by the init functions of
// the rule files.
var registry = map[string]Rule{}

func register(r Rule) {
	if _, dup := registry[r.ID()]; dup {
		panic("doctor: rule " + r.ID() + " registered twice")
	}
	registry[r.ID()] = r
}

// Rules returns every rule, by id.
func Rules() []Rule {
	out := make([]Rule, 0, len(registry))
	for _, r := range registry {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID() < out[j].ID() })
	return out
}

// Options configure Run.
type Options struct {
	// Rules restricts the run to these rule ids (empty: all).
	Rules []string
	// MaxEvidence bounds the evidence of one finding (0: 20; <0: no
	// bound); the rest is counted in Finding.Omitted.
	MaxEvidence int
}

// Run runs the rules over a trace and returns the findings, worst first.
// A trace that cannot be read gives an error and no findings, an unknown
// rule id too; a rule that fails (panics) gives an error naming it along
// with the findings of the others.
func Run(ctx context.Context, tr *trace.Trace, opts Options) ([]Finding, error) {
	rules := Rules()
	if len(opts.Rules) > 0 {
		var sel []Rule
		for _, id := range opts.Rules {
			r, ok := registry[strings.TrimSpace(id)]
			if !ok {
				return nil, fmt.Errorf("unknown rule %q (rules: %s)", id, strings.Join(RuleIDs(), ", "))
			}
			sel = append(sel, r)
		}
		rules = sel
	}
	max := opts.MaxEvidence
	if max == 0 {
		max = 20
	}
	c := newContext(ctx, tr)
	var out []Finding
	var failed []error
	for _, r := range rules {
		if err := c.Err(); err != nil {
			return nil, err
		}
		fs, err := runRule(c, r)
		if err != nil {
			failed = append(failed, err)
			continue
		}
		for _, f := range fs {
			f.Rule = r.ID()
			if f.Evidence == nil {
				f.Evidence = []Evidence{}
			}
			if max > 0 && len(f.Evidence) > max {
				f.Omitted += len(f.Evidence) - max
				f.Evidence = f.Evidence[:max]
			}
			out = append(out, f)
		}
	}
	if err := c.Err(); err != nil {
		return nil, err
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Severity > out[j].Severity })
	return out, errors.Join(failed...)
}

// runRule runs one rule; a rule that panics on a trace it did not expect
// is reported as an error, and the other rules still run.
func runRule(c *Context, r Rule) (fs []Finding, err error) {
	defer func() {
		if p := recover(); p != nil {
			fs, err = nil, fmt.Errorf("rule %s failed on this trace: %v", r.ID(), p)
		}
	}()
	return r.Check(c), nil
}

// RuleIDs lists the rule ids.
func RuleIDs() []string {
	var ids []string
	for _, r := range Rules() {
		ids = append(ids, r.ID())
	}
	return ids
}

// Worst returns the highest severity among findings (and false when there
// are none).
func Worst(fs []Finding) (Severity, bool) {
	if len(fs) == 0 {
		return 0, false
	}
	w := fs[0].Severity
	for _, f := range fs[1:] {
		if f.Severity > w {
			w = f.Severity
		}
	}
	return w, true
}

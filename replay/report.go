package replay

import (
	"bufio"
	"encoding/xml"
	"fmt"
	"io"
	"strings"
)

// WriteText writes the replay report for people: every ROP that did not
// compare the same, with its field differences, then the summary.
func (r *Result) WriteText(w io.Writer) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "replay of %s against %s: %d requests, %d ROPs in %s\n",
		r.Session, r.Target, r.Requests, len(r.Rops), r.Elapsed.Round(1e6))
	for _, rr := range r.Rops {
		if rr.Outcome == Same {
			continue
		}
		fmt.Fprintf(bw, "%s: %s\n", rr.label(), rr.Outcome)
		for _, d := range rr.Diffs {
			fmt.Fprintf(bw, "    %s\n", d)
		}
	}
	for _, e := range r.Errors {
		fmt.Fprintf(bw, "error: %s\n", e)
	}
	s := r.Summary
	verdict := "no differences"
	if !s.Clean() {
		verdict = "DIFFERENCES"
	}
	fmt.Fprintf(bw, "%d same, %d different, %d missing, %d extra: %s\n", s.Same, s.Different, s.Missing, s.Extra, verdict)
	return bw.Flush()
}

// label names a ROP in reports: "exchange 7 rop 3 RopGetPropertiesSpecific".
func (rr RopResult) label() string {
	switch {
	case !strings.HasPrefix(rr.Rop, "Rop"):
		return fmt.Sprintf("exchange %d %s", rr.Exchange, rr.Rop)
	case rr.Index < 0:
		return fmt.Sprintf("exchange %d unsolicited %s", rr.Exchange, rr.Rop)
	default:
		return fmt.Sprintf("exchange %d rop %d %s", rr.Exchange, rr.Index, rr.Rop)
	}
}

// JUnit XML, as CI servers read it: one testsuite, one testcase per ROP.
type junitSuites struct {
	XMLName xml.Name     `xml:"testsuites"`
	Suites  []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name      string      `xml:"name,attr"`
	Tests     int         `xml:"tests,attr"`
	Failures  int         `xml:"failures,attr"`
	Errors    int         `xml:"errors,attr"`
	Time      string      `xml:"time,attr"`
	Cases     []junitCase `xml:"testcase"`
	SystemErr string      `xml:"system-err,omitempty"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Failure   *junitFailure `xml:"failure,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

// WriteJUnit writes the result as JUnit XML: one testcase per ROP, a
// failure for each different, missing or extra one listing the field
// paths with both values; requests that failed outright go to
// system-err.
func (r *Result) WriteJUnit(w io.Writer) error {
	suite := junitSuite{Name: "mapiscope replay " + r.Session.String(), Tests: len(r.Rops),
		Time: fmt.Sprintf("%.3f", r.Elapsed.Seconds()), Cases: make([]junitCase, 0, len(r.Rops))}
	class := "replay." + strings.NewReplacer(".", "_", " ", "_").Replace(r.Session.String())
	for _, rr := range r.Rops {
		c := junitCase{Name: rr.label(), Classname: class}
		if rr.Outcome != Same {
			suite.Failures++
			var b strings.Builder
			paths := make([]string, 0, len(rr.Diffs))
			for _, d := range rr.Diffs {
				fmt.Fprintf(&b, "%s\n", d)
				paths = append(paths, d.Path)
			}
			msg := fmt.Sprintf("%s %s", rr.Rop, rr.Outcome)
			if len(paths) > 0 {
				msg += ": " + strings.Join(paths, ", ")
			}
			c.Failure = &junitFailure{Message: msg, Type: string(rr.Outcome), Text: b.String()}
		}
		suite.Cases = append(suite.Cases, c)
	}
	if len(r.Errors) > 0 {
		suite.SystemErr = strings.Join(r.Errors, "\n")
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(junitSuites{Suites: []junitSuite{suite}}); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

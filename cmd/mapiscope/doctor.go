package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/mapiscope/mapiscope/doctor"
)

func newDoctorCmd() *cobra.Command {
	var (
		asJSON, list bool
		rules        []string
		maxEvidence  int
	)
	cmd := &cobra.Command{
		Use:   "doctor TRACE",
		Short: "Find the known Outlook/MAPI problems in a trace: what is wrong, the evidence, the fix",
		Long: `doctor runs a set of rules over a trace and prints what they find: a severity
(info, warning, error), a title, the exchanges and ROPs that are the evidence (ids
that mapiscope show and the TUI take: 12 is an exchange, r345 a ROP), an
explanation and the fix. The rules know the problems support engineers meet with
Outlook and MAPI/HTTP servers (BlueMind, Exchange): a wrong password saved in
Windows, Autodiscover asking Microsoft 365, aliases, online mode, several
accounts in one profile, refused logons, ICS synchronisation faults, unsupported
Outlook versions, server-side protocol faults. --list shows them.

Exit status: 0 when no finding is a warning or worse, 1 otherwise, 2 when the
trace cannot be read.`,
		Example: `  mapiscope doctor outlook.trace
  mapiscope doctor outlook.trace --rule auth-rejected,autodiscover-hosts
  mapiscope doctor outlook.trace --json | jq '.[] | select(.severity != "info")'
  mapiscope doctor --list`,
		Args: func(cmd *cobra.Command, args []string) error {
			if list {
				return cobra.NoArgs(cmd, args)
			}
			return cobra.ExactArgs(1)(cmd, args)
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			out := cmd.OutOrStdout()
			if list {
				return listRules(out, asJSON)
			}
			t, err := openTrace(args[0])
			if err != nil {
				return err
			}
			defer t.Close()
			var sel []string
			for _, r := range rules {
				for _, id := range strings.Split(r, ",") {
					if id = strings.TrimSpace(id); id != "" {
						sel = append(sel, id)
					}
				}
			}
			fs, err := doctor.Run(cmd.Context(), t, doctor.Options{Rules: sel, MaxEvidence: maxEvidence})
			if err != nil && fs == nil {
				return usageErr("doctor: %v", err)
			}
			if asJSON {
				if err := writeJSON(out, nonNil(fs)); err != nil {
					return err
				}
			} else {
				writeFindings(out, fs, args[0])
			}
			if err != nil {
				// Some rule failed; the others' findings are above.
				return usageErr("doctor: %v", err)
			}
			if w, ok := doctor.Worst(fs); ok && w >= doctor.Warning {
				return &exitError{code: 1}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	cmd.Flags().BoolVar(&list, "list", false, "list the rules")
	cmd.Flags().StringSliceVar(&rules, "rule", nil, "run only these rules (ids, comma-separated or repeated)")
	cmd.Flags().IntVar(&maxEvidence, "max-evidence", 20, "evidence listed per finding (-1: all)")
	return cmd
}

func listRules(w io.Writer, asJSON bool) error {
	type rule struct {
		ID    string `json:"id"`
		Title string `json:"title"`
	}
	var rs []rule
	for _, r := range doctor.Rules() {
		rs = append(rs, rule{r.ID(), r.Title()})
	}
	if asJSON {
		return writeJSON(w, rs)
	}
	for _, r := range rs {
		fmt.Fprintf(w, "%-22s %s\n", r.ID, r.Title)
	}
	return nil
}

// writeFindings prints findings for people, worst first, and a summary.
func writeFindings(w io.Writer, fs []doctor.Finding, tracePath string) {
	counts := map[doctor.Severity]int{}
	for _, f := range fs {
		counts[f.Severity]++
		fmt.Fprintf(w, "%s  %s  [%s]\n", strings.ToUpper(f.Severity.String()), f.Title, f.Rule)
		for i, e := range f.Evidence {
			label := "evidence:"
			if i > 0 {
				label = "         "
			}
			line := fmt.Sprintf("  %s %-6s", label, e.Ref())
			if e.Note != "" {
				line += " " + e.Note
			}
			fmt.Fprintln(w, line)
		}
		if f.Omitted > 0 {
			fmt.Fprintf(w, "            … and %d more (--max-evidence -1 lists all)\n", f.Omitted)
		}
		wrapIndented(w, "  why:  ", f.Explanation)
		wrapIndented(w, "  fix:  ", f.Fix)
		fmt.Fprintln(w)
	}
	if len(fs) == 0 {
		fmt.Fprintln(w, "no findings: none of the rules matched this trace")
		return
	}
	var parts []string
	for _, s := range []doctor.Severity{doctor.Error, doctor.Warning, doctor.Info} {
		if n := counts[s]; n > 0 {
			name := s.String()
			if n > 1 {
				name += "s"
			}
			parts = append(parts, fmt.Sprintf("%d %s", n, name))
		}
	}
	fmt.Fprintf(w, "%d findings: %s. Show evidence with: mapiscope show %s ID\n", len(fs), strings.Join(parts, ", "), tracePath)
}

// wrapIndented writes text wrapped at 100 columns, the first line after
// label and the others indented as far.
func wrapIndented(w io.Writer, label, text string) {
	const width = 100
	pad := strings.Repeat(" ", len([]rune(label)))
	line := label
	n := len([]rune(line))
	for _, word := range strings.Fields(text) {
		wl := len([]rune(word))
		if n > len([]rune(pad)) && n+1+wl > width {
			fmt.Fprintln(w, line)
			line, n = pad, len([]rune(pad))
		}
		if n > len([]rune(pad)) {
			line += " "
			n++
		}
		line += word
		n += wl
	}
	fmt.Fprintln(w, line)
}

package main

import (
	"os"

	"github.com/spf13/cobra"

	"github.com/mapiscope/mapiscope/replay"
)

func newDiffCmd() *cobra.Command {
	var ignore string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "diff A B",
		Short: "Compare two recorded sessions ROP by ROP: inserted, removed and changed ROPs, ICS state",
		Long: `diff compares two recorded MAPI sessions: A and B are each a trace (all its
sessions in order, as one client run) or one session of a trace (TRACE:SESSION,
see mapiscope ls --sessions). The ROPs and requests of both sides are aligned by
request and sequence; aligned pairs are compared field by field after
normalisation (handles, times, change numbers and keys, server GUIDs; folder and
message ids mapped as learnt), and ICS state is compared as range sets per
replica. --ignore FILE adds normalisation rules, one a line (# comments):
  field NAME      a field of any ROP (LogonTime, ReturnValue, …)
  prop TAG        a property, by name (PidTagSubject) or tag (0x0037001F)
  path PATTERN    a field path with * and ? (RopGetPropertiesAll/*/PidTagSubject)
  rop NAME        a whole ROP (RopGetStoreState)

Exit status: 0 no difference, 1 differences, 2 bad usage or unreadable input.`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			var refs [2]replay.SessionRef
			for i, arg := range args {
				ref, err := replay.ParseSessionRef(arg)
				if err != nil {
					return usageErr("%v", err)
				}
				if _, err := os.Stat(ref.Trace); err != nil {
					return usageErr("%s: no such trace", ref.Trace)
				}
				refs[i] = ref
			}
			n := replay.NewNormalizer()
			if ignore != "" {
				f, err := os.Open(ignore)
				if err != nil {
					return usageErr("--ignore: %v", err)
				}
				err = n.LoadRules(f)
				f.Close()
				if err != nil {
					return usageErr("--ignore %s: %v", ignore, err)
				}
			}
			res, err := replay.Diff(cmd.Context(), refs[0], refs[1], n)
			if err != nil {
				// Unreadable input: a file that is no trace, a session
				// that is not there, a trace that cannot be decoded.
				return usageErr("%v", err)
			}
			out := cmd.OutOrStdout()
			if asJSON {
				if res.Ops == nil {
					res.Ops = []replay.DiffOp{}
				}
				err = writeJSON(out, res)
			} else {
				err = res.WriteText(out)
			}
			if err != nil {
				return err
			}
			if !res.Clean() {
				return &exitError{code: 1}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&ignore, "ignore", "", "file of normalisation rules (field, prop, path, rop lines)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

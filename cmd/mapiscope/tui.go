package main

import (
	"os"

	"github.com/spf13/cobra"

	"github.com/mapiscope/mapiscope/tui"
)

func newTuiCmd() *cobra.Command {
	var follow bool
	var expr string
	cmd := &cobra.Command{
		Use:   "tui TRACE",
		Short: "Browse, search and inspect a trace in the terminal",
		Long: `Open a trace in a terminal UI: sessions, exchanges, the ROPs of an exchange and
its decoded tree linked to a hex view, raw HTTP, chunk timing, server objects and
anomalies. Press ? for the keys. A trace being written shows new exchanges as
they arrive; F (or --follow) keeps the newest in view.`,
		Example: `  mapiscope tui trace.mapiscope
  mapiscope tui trace.mapiscope --filter '~ec'`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if _, err := os.Stat(args[0]); err != nil {
				return usageErr("%s: no such trace", args[0])
			}
			if err := tui.Run(args[0], tui.Options{Follow: follow, Filter: expr}); err != nil {
				return usageErr("%v", err)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&follow, "follow", false, "follow the newest exchange")
	cmd.Flags().StringVar(&expr, "filter", "", "initial filter expression")
	return cmd
}

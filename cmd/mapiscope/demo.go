package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"time"

	"github.com/spf13/cobra"

	"github.com/mapiscope/mapiscope/client"
	"github.com/mapiscope/mapiscope/proxy"
	"github.com/mapiscope/mapiscope/server"
	"github.com/mapiscope/mapiscope/tui"
)

func newDemoCmd() *cobra.Command {
	var (
		traceFlag string
		noTUI     bool
		scenarios []string
	)
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "See mapiscope work end to end: built-in server, proxy, a scripted client, the trace in the TUI",
		Long: `demo starts the built-in MAPI/HTTP server with a seeded demo mailbox, puts the
recording proxy in front of it, runs a scripted client session through the
proxy (Autodiscover, address book, logon, folders, tables, a message with an
attachment, rules, sending mail; then an Outlook-style cached-mode ICS
synchronisation), and opens the recorded trace in the terminal
UI. It needs no arguments and no network beyond 127.0.0.1.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			out := cmd.OutOrStdout()
			path := traceFlag
			if path == "" {
				path = "mapiscope-demo-" + time.Now().Format("20060102-150405") + ".trace"
			}
			const demoPassword = "demo"
			debug.SetGCPercent(proxy.GCPercent)
			run, err := proxy.Start(proxy.RunConfig{
				Listen: "http://127.0.0.1:0", Trace: path, ToolVersion: version,
				Users: []server.UserSpec{{Email: server.DemoUser, Password: demoPassword, DisplayName: "Demo User"}},
			})
			if err != nil {
				return usageErr("demo: %v", err)
			}
			defer run.Close()
			fmt.Fprintf(out, "built-in server %s, proxy %s, trace %s\n", run.Builtin.URL, run.URL, path)
			ctx, cancel := context.WithTimeout(cmd.Context(), 2*time.Minute)
			defer cancel()
			failed := false
			for _, sc := range scenarios {
				fmt.Fprintf(out, "running the %q client scenario through the proxy as %s\n", sc, server.DemoUser)
				_, err = client.RunScenario(ctx, sc, run.AutodiscoverURL, client.Config{Email: server.DemoUser, Password: demoPassword}, func(s client.Step) {
					status := "ok  "
					if !s.OK() {
						status, failed = "FAIL", true
					}
					detail := s.Detail
					if s.Err != nil {
						detail = s.Err.Error()
					}
					fmt.Fprintf(out, "  %s  %-14s %6s  %s\n", status, s.Name, s.Elapsed.Round(time.Millisecond), oneLine(detail))
				})
				if err != nil {
					return usageErr("demo: %v", err)
				}
			}
			if err := run.Flush(); err != nil {
				return fmt.Errorf("demo: trace: %v", err)
			}
			abs, _ := filepath.Abs(path)
			if failed {
				return &exitError{code: 1, msg: "demo: a scenario step failed; the trace is " + abs}
			}
			if noTUI || !isTerminal(os.Stdout) {
				fmt.Fprintf(out, "trace written to %s\nbrowse it with: mapiscope tui %s\n", abs, path)
				return nil
			}
			return tui.Run(path, tui.Options{Follow: true})
		},
	}
	cmd.Flags().StringVar(&traceFlag, "trace", "", "trace file (default mapiscope-demo-DATE-TIME.trace)")
	cmd.Flags().BoolVar(&noTUI, "no-tui", false, "do not open the terminal UI at the end")
	cmd.Flags().StringSliceVar(&scenarios, "scenario", []string{"basic", "sync"}, "client scenarios to run, in order")
	return cmd
}

func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

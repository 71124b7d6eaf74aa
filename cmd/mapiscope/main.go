// Command mapiscope is a debugging proxy and traffic inspector for MAPI over
// HTTP. This file wires flags to package calls; the logic lives in the
// packages.
package main

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/spf13/cobra"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

// exitError carries an exit status with a one-line message.
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return e.msg }

// usageErr is exit status 2: bad usage or unreadable input.
func usageErr(format string, args ...any) error {
	return &exitError{code: 2, msg: fmt.Sprintf(format, args...)}
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run executes the command line and returns the exit status: 0 ok, 1
// differences or failures found, 2 bad usage or unreadable input.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	root := newRoot()
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.Execute()
	if err == nil {
		return 0
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.msg != "" {
			fmt.Fprintln(stderr, "mapiscope: "+oneLine(ee.msg))
		}
		return ee.code
	}
	fmt.Fprintln(stderr, "mapiscope: "+oneLine(err.Error()))
	return 2
}

func newRoot() *cobra.Command {
	var verbose bool
	root := &cobra.Command{
		Use:   "mapiscope",
		Short: "Debugging proxy and traffic inspector for MAPI over HTTP",
		Long: `mapiscope decodes the MAPI-over-HTTP traffic between Outlook and
Exchange-compatible servers (BlueMind, Exchange, grommunio): every request,
every ROP, every property.`,
		Version:       version,
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRun: func(cmd *cobra.Command, args []string) {
			level := slog.LevelWarn
			if verbose {
				level = slog.LevelDebug
			}
			slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level})))
		},
	}
	root.PersistentFlags().BoolVarP(&verbose, "verbose", "v", false, "log more (to stderr)")
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return usageErr("%s: %v (see %s --help)", c.Name(), err, c.CommandPath())
	})
	root.AddCommand(newDecodeCmd(), newImportCmd(), newExportCmd(), newLsCmd(), newShowCmd(), newStatsCmd(), newTuiCmd(), newServeCmd(), newClientCmd(), newProxyCmd(), newCACmd(), newOutlookRegCmd(), newDemoCmd(), newReplayCmd(), newDiffCmd(), newDoctorCmd())
	return root
}

// oneLine keeps an error message to one line.
func oneLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return s
}

package main

import (
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/mapiscope/mapiscope/capture/har"
	"github.com/mapiscope/mapiscope/capture/jsonl"
	"github.com/mapiscope/mapiscope/capture/saz"
	"github.com/mapiscope/mapiscope/trace"
)

func newExportCmd() *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "export TRACE --format har|saz|json FILE [FILTER]",
		Short: "Export the exchanges of a trace (all, or those matching FILTER) as HAR, Fiddler SAZ or JSON lines",
		Long: `Export exchanges with every byte of every body and every timing, so that
importing the file again gives the same exchanges. Credentials were redacted
when the trace was written and stay redacted.`,
		Example: `  mapiscope export t.mapiscope --format har t.har
  mapiscope export t.mapiscope --format saz failing.saz '~ec'`,
		Args: cobra.RangeArgs(2, 3),
		RunE: func(cmd *cobra.Command, args []string) error {
			t, err := openTrace(args[0])
			if err != nil {
				return err
			}
			defer t.Close()
			expr := ""
			if len(args) > 2 {
				expr = args[2]
			}
			f, err := compileFilter(expr)
			if err != nil {
				return err
			}
			where, wargs := f.ExchangeWhere()
			out, err := os.Create(args[1])
			if err != nil {
				return usageErr("export: %v", err)
			}
			n, err := exportTo(out, t, format, where, wargs)
			if cerr := out.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				os.Remove(args[1])
				return usageErr("export: %v", err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "exported %d exchanges to %s\n", n, args[1])
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", "", "har, saz or json (JSON lines)")
	return cmd
}

func exportTo(w io.Writer, t *trace.Trace, format, where string, args []any) (int, error) {
	n := 0
	switch format {
	case "har":
		hw := har.NewWriter(w)
		err := t.ReadExchanges(where, args, func(_ int64, ex *trace.Exchange) error { n++; return hw.Add(ex) })
		if err != nil {
			return n, err
		}
		return n, hw.Close()
	case "saz":
		sw := saz.NewWriter(w)
		err := t.ReadExchanges(where, args, func(_ int64, ex *trace.Exchange) error { n++; return sw.Add(ex) })
		if err != nil {
			return n, err
		}
		return n, sw.Close()
	case "json", "jsonl":
		err := t.ReadExchanges(where, args, func(_ int64, ex *trace.Exchange) error { n++; return jsonl.Write(w, ex) })
		return n, err
	}
	return 0, fmt.Errorf("--format must be har, saz or json, not %q", format)
}

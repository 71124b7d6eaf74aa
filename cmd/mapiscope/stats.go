package main

import (
	"fmt"
	"io"
	"sort"

	"github.com/spf13/cobra"

	"github.com/mapiscope/mapiscope/trace"
)

func newStatsCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "stats TRACE [FILTER]",
		Short: "Per-session statistics: requests by type, ROP counts, error codes, latency percentiles",
		Args:  cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			t, err := openTrace(args[0])
			if err != nil {
				return err
			}
			defer t.Close()
			expr := ""
			if len(args) > 1 {
				expr = args[1]
			}
			f, err := compileFilter(expr)
			if err != nil {
				return err
			}
			where, wargs := f.SessionWhere()
			st, err := t.SessionStats(where, wargs)
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(cmd.OutOrStdout(), nonNil(st))
			}
			for i := range st {
				writeStats(cmd.OutOrStdout(), &st[i])
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func writeStats(w io.Writer, s *trace.Stats) {
	ss := s.Session
	fmt.Fprintf(w, "session %d  %s  %s  %s\n", ss.ID, ss.Endpoint, dash(ss.User), dash(ss.MailboxID))
	fmt.Fprintf(w, "  exchanges %d, ROPs %d, failed ROPs %d, anomalies %d\n", ss.Exchanges, ss.Rops, ss.Errors, ss.Anomalies)
	section := func(title string, m map[string]int) {
		if len(m) == 0 {
			return
		}
		fmt.Fprintf(w, "  %s:\n", title)
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Slice(keys, func(i, j int) bool { return m[keys[i]] > m[keys[j]] || m[keys[i]] == m[keys[j]] && keys[i] < keys[j] })
		for _, k := range keys {
			fmt.Fprintf(w, "    %-44s %d\n", k, m[k])
		}
	}
	section("requests by type", s.RequestTypes)
	section("HTTP status", s.HTTPStatus)
	section("ROPs", s.Rops)
	section("error codes", s.ErrorCodes)
	if n := s.LatencyMs["count"]; n > 0 {
		fmt.Fprintf(w, "  latency (ms, %d exchanges): p50 %.1f  p90 %.1f  p99 %.1f  max %.1f\n", int(n),
			s.LatencyMs["p50"], s.LatencyMs["p90"], s.LatencyMs["p99"], s.LatencyMs["max"])
		types := make([]string, 0, len(s.LatencyByType))
		for k := range s.LatencyByType {
			types = append(types, k)
		}
		sort.Strings(types)
		for _, k := range types {
			l := s.LatencyByType[k]
			fmt.Fprintf(w, "    %-18s p50 %.1f  p90 %.1f  p99 %.1f  max %.1f  (%d)\n", k, l["p50"], l["p90"], l["p99"], l["max"], int(l["count"]))
		}
	}
}

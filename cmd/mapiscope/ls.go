package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/mapiscope/mapiscope/decode/prop"
	"github.com/mapiscope/mapiscope/trace"
	"github.com/mapiscope/mapiscope/trace/filter"
)

// openTrace opens a trace for reading with a one-line error.
func openTrace(path string) (*trace.Trace, error) {
	t, err := trace.Open(path)
	if err != nil {
		if os.IsNotExist(err) {
			return nil, usageErr("%s: no such trace", path)
		}
		return nil, usageErr("%v", err)
	}
	return t, nil
}

// compileFilter parses a filter expression, with the caret line in the
// error message's second line dropped to keep the error to one line.
func compileFilter(expr string) (*filter.Filter, error) {
	f, err := filter.Parse(expr)
	if err != nil {
		return nil, usageErr("%v", err)
	}
	return f, nil
}

func newLsCmd() *cobra.Command {
	var sessions, rops, asJSON bool
	var limit, offset int
	cmd := &cobra.Command{
		Use:   "ls TRACE [FILTER]",
		Short: "List exchanges (or sessions, or ROPs) of a trace, optionally filtered",
		Long: `List the exchanges of a trace, or with --sessions its MAPI sessions, or with
--rops its ROPs. FILTER uses mitmproxy-style atoms with MAPI additions:

  ~rt TYPE      request type (Execute, Connect, NotificationWait, Bind, …)
  ~rop NAME     the request holds that ROP (QueryRows, RopLogon, 0x15)
  ~ec [CODE]    a ROP failed (any, or that ReturnValue: 0x8004010F, ecNotFound)
  ~prop TAG     a property appears in request or response (PidTagSubject)
  ~sid N        session id          ~code N   HTTP status
  ~xrc N        X-ResponseCode      ~anomaly  something did not decode
  ~u RE  ~h RE  ~b RE               URL, headers, body (regular expressions)
  ~m  ~c TEXT   marked / commented exchanges
  ! & | ( )     not, and, or, grouping; a bare word is ~u WORD`,
		Example: `  mapiscope ls trace.mapiscope
  mapiscope ls trace.mapiscope '~rop QueryRows & ~ec'
  mapiscope ls trace.mapiscope --sessions --json
  mapiscope ls trace.mapiscope '~ec 0x8004010F' --rops`,
		Args: cobra.RangeArgs(1, 2),
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
			page := trace.Page{Limit: limit, Offset: offset}
			out := cmd.OutOrStdout()
			switch {
			case sessions:
				where, wargs := f.SessionWhere()
				rows, err := t.Sessions(where, wargs, page)
				if err != nil {
					return err
				}
				if asJSON {
					return writeJSON(out, nonNil(rows))
				}
				printSessions(out, rows)
			case rops:
				where, wargs := f.RopWhere()
				rows, err := t.Rops(where, wargs, page)
				if err != nil {
					return err
				}
				if asJSON {
					return writeJSON(out, nonNil(rows))
				}
				printRops(out, rows)
			default:
				where, wargs := f.ExchangeWhere()
				rows, err := t.Exchanges(where, wargs, page)
				if err != nil {
					return err
				}
				if asJSON {
					return writeJSON(out, nonNil(rows))
				}
				printExchanges(out, rows)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&sessions, "sessions", false, "list MAPI sessions")
	cmd.Flags().BoolVar(&rops, "rops", false, "list ROPs")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print a JSON array")
	cmd.Flags().IntVar(&limit, "limit", 0, "at most this many rows (0: all)")
	cmd.Flags().IntVar(&offset, "offset", 0, "skip this many rows")
	return cmd
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

func printExchanges(w io.Writer, rows []trace.ExchangeRow) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSESSION\tTIME\tTYPE\tHTTP\tXRC\tMS\tSIZE\tROPS")
	for _, r := range rows {
		sess, tm, xrc, ms := "-", "-", "-", "-"
		if r.Session != nil {
			sess = fmt.Sprint(*r.Session)
		}
		if r.Started != nil {
			tm = r.Started.Format("15:04:05.000")
		}
		if r.XResponseCode != nil {
			xrc = fmt.Sprint(*r.XResponseCode)
		}
		if r.DurationMs != nil {
			ms = fmt.Sprintf("%.1f", *r.DurationMs)
		}
		typ := r.RequestType
		if typ == "" {
			typ = r.Method + " " + shortURL(r.URL)
		}
		summary := r.RopSummary
		if r.Errors > 0 {
			summary += fmt.Sprintf("  [%d failed]", r.Errors)
		}
		if r.Anomalies > 0 {
			summary += fmt.Sprintf("  [%d anomalies]", r.Anomalies)
		}
		if r.Error != "" {
			summary += "  [" + r.Error + "]"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%d\t%s\t%s\t%d/%d\t%s\n", r.ID, sess, tm, typ, r.HTTPStatus, xrc, ms, r.ReqSize, r.RespSize, summary)
	}
	tw.Flush()
}

func shortURL(u string) string {
	if len(u) > 48 {
		return u[:45] + "…"
	}
	return u
}

func printSessions(w io.Writer, rows []trace.SessionRow) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tENDPOINT\tUSER\tMAILBOX\tFIRST\tEXCHANGES\tROPS\tERRORS\tANOMALIES")
	for _, r := range rows {
		first := "-"
		if r.FirstSeen != nil {
			first = r.FirstSeen.Format("2006-01-02 15:04:05")
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%d\t%d\t%d\t%d\n", r.ID, r.Endpoint, dash(r.User), dash(r.MailboxID), first, r.Exchanges, r.Rops, r.Errors, r.Anomalies)
	}
	tw.Flush()
}

func printRops(w io.Writer, rows []trace.RopRow) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tEXCHANGE\tPOS\tROP\tRESULT\tOBJECTS")
	for _, r := range rows {
		res := "-"
		if r.ReturnValue != nil {
			res = prop.ErrorCode(uint32(*r.ReturnValue)).String()
		}
		fmt.Fprintf(tw, "r%d\t%d\t%d\t%s\t%s\t%s\n", r.ID, r.Exchange, r.Position, r.Name, res, r.Summary)
	}
	tw.Flush()
}

func dash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "-"
	}
	return s
}

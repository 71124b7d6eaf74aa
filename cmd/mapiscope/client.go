package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/mapiscope/mapiscope/client"
)

func newClientCmd() *cobra.Command {
	var (
		url, user, scenario string
		insecure, asJSON    bool
		timeout             time.Duration
	)
	cmd := &cobra.Command{
		Use:   "client --url AUTODISCOVER_URL --user EMAIL[:PASSWORD] [--scenario basic|sync]",
		Short: "Run an Outlook-like MAPI/HTTP session against a server and report each step",
		Long: `Act as a MAPI/HTTP client: Autodiscover, the address book (NSPI) and the
mailbox (EMSMDB) endpoints, through a scenario of steps, each reported as it
ends. Every ROP must succeed and every response must decode without anomaly.

Scenarios: ` + strings.Join(client.Scenarios(), ", ") + `. basic logs on, lists the folders
and the Inbox, writes a draft with an attachment and reads it back, adds and
removes an Inbox rule, and sends a message to oneself. sync does what Outlook
in cached mode does: a first full ICS synchronisation of the hierarchy and
every folder into a local replica, an uploaded local change, a change made by
a second session, an incremental synchronisation, and a check that the
replica converged with the server.

The password comes after the first colon of --user, or from
MAPISCOPE_PASSWORD when --user is the address alone. Exit status 1 when a
step failed.`,
		Example: `  mapiscope client --url https://mail.example.com/autodiscover/autodiscover.xml --user ada@example.com:secret
  MAPISCOPE_PASSWORD=secret mapiscope client --url http://127.0.0.1:8080/autodiscover/autodiscover.xml --user ada@example.com --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if url == "" {
				return usageErr("client: --url AUTODISCOVER_URL is required")
			}
			if user == "" {
				return usageErr("client: --user EMAIL:PASSWORD is required")
			}
			email, password, ok := strings.Cut(user, ":")
			if !ok {
				password, ok = os.LookupEnv("MAPISCOPE_PASSWORD")
				if !ok {
					return usageErr("client: --user %s has no password: give EMAIL:PASSWORD or set MAPISCOPE_PASSWORD", user)
				}
			}
			if email == "" || !strings.Contains(email, "@") {
				return usageErr("client: --user: %q is not an email address (give EMAIL:PASSWORD)", email)
			}
			if !slices.Contains(client.Scenarios(), scenario) {
				return usageErr("client: unknown scenario %q (known: %s)", scenario, strings.Join(client.Scenarios(), ", "))
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt)
			defer stop()
			if timeout > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, timeout)
				defer cancel()
			}
			cfg := client.Config{Email: email, Password: password, Insecure: insecure, UserAgent: "mapiscope/" + version,
				ClientApplication: "mapiscope/" + version}
			out := cmd.OutOrStdout()
			each := printStep(out)
			if asJSON {
				each = jsonStep(out)
			}
			steps, err := client.RunScenario(ctx, scenario, url, cfg, each)
			if err != nil {
				failed := 0
				for _, s := range steps {
					if !s.OK() {
						failed++
					}
				}
				return &exitError{code: 1, msg: fmt.Sprintf("client: scenario %s: %d of %d steps failed: %v", scenario, failed, len(steps), err)}
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&url, "url", "", "the Autodiscover URL (…/autodiscover/autodiscover.xml)")
	f.StringVar(&user, "user", "", "EMAIL:PASSWORD, or EMAIL with the password in MAPISCOPE_PASSWORD")
	f.StringVar(&scenario, "scenario", "basic", "what to do: "+strings.Join(client.Scenarios(), ", "))
	f.BoolVar(&insecure, "insecure", false, "accept any TLS certificate (self-signed servers)")
	f.BoolVar(&asJSON, "json", false, "one JSON object per step")
	f.DurationVar(&timeout, "timeout", 5*time.Minute, "give up after this long (0: never)")
	return cmd
}

// printStep writes "ok    name   12ms  detail" or "FAIL  name   12ms  reason".
func printStep(w io.Writer) func(client.Step) {
	return func(s client.Step) {
		status, text := "ok", s.Detail
		if !s.OK() {
			status, text = "FAIL", oneLine(s.Err.Error())
		}
		line := fmt.Sprintf("%-5s %-14s %7s  %s", status, s.Name, s.Elapsed.Round(time.Millisecond), text)
		fmt.Fprintln(w, strings.TrimRight(line, " "))
	}
}

// jsonStep writes one JSON object per step.
func jsonStep(w io.Writer) func(client.Step) {
	enc := json.NewEncoder(w)
	return func(s client.Step) {
		v := struct {
			Step      string  `json:"step"`
			OK        bool    `json:"ok"`
			ElapsedMs float64 `json:"elapsed_ms"`
			Detail    string  `json:"detail,omitempty"`
			Error     string  `json:"error,omitempty"`
		}{Step: s.Name, OK: s.OK(), ElapsedMs: float64(s.Elapsed.Microseconds()) / 1000, Detail: s.Detail}
		if s.Err != nil {
			v.Error = s.Err.Error()
		}
		_ = enc.Encode(v)
	}
}

package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/mapiscope/mapiscope/proxy"
	"github.com/mapiscope/mapiscope/replay"
)

func newReplayCmd() *cobra.Command {
	var (
		target, user, ignore, junit, listen string
		insecure, asJSON, seed, serve       bool
	)
	cmd := &cobra.Command{
		Use:   "replay TRACE[:SESSION]",
		Short: "Re-run a recorded MAPI session against a server and compare the answers ROP by ROP",
		Long: `replay re-issues a recorded MAPI session — Connect, every Execute, NotificationWait
(bounded), Disconnect; NSPI Bind, every address book request, Unbind — through
mapiscope's client, rewriting handles, cookies, request ids and folder/message ids
as it learns them from the live answers, and compares each live ROP response with
the recorded one after normalisation (handles, times, GUIDs, change numbers and
server-generated ids do not count as differences).

Without :SESSION every MAPI session of the trace is replayed, in recorded order.

--target builtin starts the built-in server in deterministic mode for the trace's
user (with --seed-from-trace, the mailbox is first built from what the trace shows;
else it holds the demo mail). A URL target is the server's Autodiscover URL (or its
base URL); the credentials come from --user or the trace's user and
$MAPISCOPE_PASSWORD.

--ignore FILE adds normalisation rules, one per line:
  field NAME     prop TAG     path PATTERN     rop NAME

--serve answers clients from the trace instead (a mock server on --listen) until
SIGINT, then lists the requests it had no recorded answer for.

Exit status: 0 no difference, 1 differences (or the target failed), 2 bad input.`,
		Example: `  mapiscope replay outlook.trace --target builtin
  mapiscope replay outlook.trace:2 --target https://mail.example.test --user alice@example.test --junit replay.xml
  mapiscope replay outlook.trace --serve --listen http://127.0.0.1:8081`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ref, err := replay.ParseSessionRef(args[0])
			if err != nil {
				return usageErr("replay: %v", err)
			}
			if _, err := os.Stat(ref.Trace); err != nil {
				return usageErr("replay: %v", err)
			}
			if serve {
				if target != "" || seed || junit != "" {
					return usageErr("replay: --serve answers from the trace: no --target, --seed-from-trace or --junit")
				}
				return serveMock(cmd, ref, listen)
			}
			if target == "" {
				return usageErr("replay: --target builtin or the server's Autodiscover URL is required (or --serve)")
			}
			opt := replay.Options{Target: target, Insecure: insecure, SeedFromTrace: seed, Normalizer: replay.NewNormalizer()}
			if user != "" {
				opt.Email, opt.Password, _ = strings.Cut(user, ":")
				if !strings.Contains(opt.Email, "@") {
					return usageErr("replay: --user %q: want EMAIL or EMAIL:PASSWORD", user)
				}
			}
			if ignore != "" {
				f, err := os.Open(ignore)
				if err != nil {
					return usageErr("replay: --ignore: %v", err)
				}
				err = opt.Normalizer.LoadRules(f)
				f.Close()
				if err != nil {
					return usageErr("replay: --ignore %s: %v", ignore, err)
				}
			}
			// Replay keeps little live memory (one Execute's trees at a
			// time): collecting less often leaves the CPU to the work.
			debug.SetGCPercent(proxy.GCPercent)
			res, err := replay.Run(cmd.Context(), ref, opt)
			if err != nil {
				if errors.Is(err, replay.ErrBadInput) {
					return usageErr("replay: %v", strings.TrimPrefix(err.Error(), replay.ErrBadInput.Error()+": "))
				}
				return &exitError{code: 1, msg: "replay: " + err.Error()}
			}
			if junit != "" {
				f, err := os.Create(junit)
				if err != nil {
					return usageErr("replay: --junit: %v", err)
				}
				err = res.WriteJUnit(f)
				if cerr := f.Close(); err == nil {
					err = cerr
				}
				if err != nil {
					return &exitError{code: 1, msg: "replay: --junit: " + err.Error()}
				}
			}
			out := cmd.OutOrStdout()
			if asJSON {
				enc := json.NewEncoder(out)
				enc.SetIndent("", "  ")
				if err := enc.Encode(res); err != nil {
					return err
				}
			} else if err := res.WriteText(out); err != nil {
				return err
			}
			if !res.Summary.Clean() {
				return &exitError{code: 1}
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&target, "target", "", "builtin, or the server's Autodiscover URL (or base URL)")
	f.StringVar(&user, "user", "", "EMAIL or EMAIL:PASSWORD to log on with (default: the trace's user, $MAPISCOPE_PASSWORD)")
	f.BoolVar(&insecure, "insecure", false, "do not verify the target's TLS certificate")
	f.StringVar(&ignore, "ignore", "", "file of extra normalisation rules (field, prop, path, rop)")
	f.BoolVar(&asJSON, "json", false, "write the result as JSON")
	f.StringVar(&junit, "junit", "", "also write the result as JUnit XML to this file (one testcase per ROP)")
	f.BoolVar(&seed, "seed-from-trace", false, "builtin target: build the mailbox from the trace instead of the demo mail")
	f.BoolVar(&serve, "serve", false, "answer clients from the trace (mock server) until SIGINT")
	f.StringVar(&listen, "listen", "http://127.0.0.1:8080", "--serve: listen URL http(s)://HOST:PORT")
	return cmd
}

// serveMock runs the mock server until SIGINT or SIGTERM, then lists the
// requests it could not answer from the trace.
func serveMock(cmd *cobra.Command, ref replay.SessionRef, listen string) error {
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sig)
	m, err := replay.StartMock(replay.MockConfig{Ref: ref, Listen: listen, Logger: slog.Default()})
	if err != nil {
		return usageErr("replay --serve: %v", err)
	}
	out := cmd.OutOrStdout()
	fmt.Fprintf(out, "mapiscope replay: answering from %s on %s\nAutodiscover URL: %s\n", ref, m.URL, m.AutodiscoverURL)
	select {
	case <-sig:
	case <-cmd.Context().Done():
	}
	err = m.Close()
	un := m.Unmatched()
	fmt.Fprintf(out, "mapiscope replay: stopped; %d requests had no recorded answer\n", len(un))
	for _, u := range un {
		fmt.Fprintf(out, "  %s\n", u)
	}
	if err != nil {
		return &exitError{code: 1, msg: "replay --serve: " + err.Error()}
	}
	if len(un) > 0 {
		return &exitError{code: 1}
	}
	return nil
}

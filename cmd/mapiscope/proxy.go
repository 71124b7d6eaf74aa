package main

import (
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/mapiscope/mapiscope/proxy"
	"github.com/mapiscope/mapiscope/server"
	"github.com/mapiscope/mapiscope/tui"
)

func newProxyCmd() *cobra.Command {
	var (
		rc        proxy.RunConfig
		mode      string
		users     []string
		openTUI   bool
		traceFlag string
	)
	cmd := &cobra.Command{
		Use:   "proxy",
		Short: "Record MAPI/HTTP traffic between a client and a server (reverse or forward proxy)",
		Long: `proxy sits between Outlook (or any MAPI/HTTP client) and the server, forwards
every request and streams every response back as it arrives, and records each
exchange, decoded, into a trace.

Reverse mode (default) listens in the server's place and forwards to --upstream,
or to the built-in server started in-process when --upstream is builtin or not
given. Autodiscover and NSPI GetMailboxUrl/GetAddressBookUrl answers are
rewritten to point at the proxy, so the client stays on it.

Forward mode is an explicit HTTP proxy: CONNECT tunnels to hosts matching
--intercept are decrypted with certificates from mapiscope's CA (see
'mapiscope ca export') and recorded; hosts matching --allow are tunnelled
untouched; other hosts are refused unless --allow-any.

Authorization values are redacted in the trace unless --keep-secrets. SIGINT or
SIGTERM flushes and closes the trace.`,
		Example: `  mapiscope proxy --trace demo.trace                       # in front of the built-in server
  mapiscope proxy --listen https://127.0.0.1:8443 --upstream https://mail.example.test --trace outlook.trace
  mapiscope proxy --mode forward --listen http://127.0.0.1:8888 --intercept '(mail|autodiscover)\.example\.test' --trace outlook.trace`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			rc.Mode = proxy.Mode(mode)
			if rc.Mode != proxy.Reverse && rc.Mode != proxy.Forward {
				return usageErr("proxy: --mode %q: reverse or forward", mode)
			}
			if rc.Mode == proxy.Forward && rc.Intercept == "" && rc.Allow == "" && !rc.AllowAny {
				return usageErr("proxy: forward mode needs --intercept REGEX (and/or --allow REGEX, --allow-any)")
			}
			for _, u := range users {
				s, err := server.ParseUserSpec(u)
				if err != nil {
					return usageErr("proxy: --user: %v", err)
				}
				rc.Users = append(rc.Users, s)
			}
			if (rc.CertFile == "") != (rc.KeyFile == "") {
				return usageErr("proxy: --cert and --key go together")
			}
			rc.Trace = traceFlag
			if rc.Trace == "" {
				rc.Trace = "mapiscope-" + time.Now().Format("20060102-150405") + ".trace"
			}
			rc.ToolVersion = version
			debug.SetGCPercent(proxy.GCPercent)
			// Catch SIGINT/SIGTERM before listening, so that a signal
			// always flushes and closes the trace.
			sig := make(chan os.Signal, 1)
			signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
			defer signal.Stop(sig)
			run, err := proxy.Start(rc)
			if err != nil {
				return usageErr("proxy: %v", err)
			}
			defer run.Close()
			out := cmd.OutOrStdout()
			if !openTUI {
				fmt.Fprintf(out, "mapiscope proxy (%s): listening on %s\n", rc.Mode, run.URL)
				if run.Upstream != nil {
					fmt.Fprintf(out, "Upstream: %s\n", run.Upstream)
				}
				if run.Builtin != nil {
					fmt.Fprintf(out, "Built-in server behind the proxy; give clients the Autodiscover URL %s\n", run.AutodiscoverURL)
					for _, u := range run.Builtin.Users {
						if len(users) == 0 {
							fmt.Fprintf(out, "User: %s  password: %s\n", u.Email, u.Password)
						} else {
							fmt.Fprintf(out, "User: %s\n", u.Email)
						}
					}
				} else if rc.Mode == proxy.Reverse {
					fmt.Fprintf(out, "Autodiscover through the proxy: %s\n", run.AutodiscoverURL)
				}
				if run.CA != nil {
					fmt.Fprintf(out, "CA: %s (trust it on clients: mapiscope ca export --format cer)\n", run.CA.CertPath())
				}
				abs, _ := filepath.Abs(rc.Trace)
				fmt.Fprintf(out, "Trace: %s (browse it with: mapiscope tui %s)\n", abs, rc.Trace)
			}
			if openTUI {
				return tui.Run(rc.Trace, tui.Options{Follow: true})
			}
			<-sig
			fmt.Fprintln(out, "mapiscope proxy: stopping, flushing the trace")
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&mode, "mode", "reverse", "reverse (in the server's place) or forward (an explicit HTTP proxy)")
	f.StringVar(&rc.Listen, "listen", "http://127.0.0.1:8080", "listen URL: http(s)://HOST:PORT")
	f.StringVar(&rc.PublicURL, "public-url", "", "base URL clients reach the proxy at (default: the listen URL)")
	f.StringVar(&rc.Upstream, "upstream", "", "the server's URL, or builtin (reverse mode; default builtin)")
	f.StringVar(&rc.UpstreamAddr, "upstream-addr", "", "HOST:PORT to dial for the upstream instead of its name (when a hosts entry points the name at the proxy)")
	f.BoolVar(&rc.UpstreamInsecure, "upstream-insecure", false, "do not verify the upstream's TLS certificate")
	f.StringVar(&traceFlag, "trace", "", "trace file to record into (default mapiscope-DATE-TIME.trace; appended to when it exists)")
	f.StringVar(&rc.Intercept, "intercept", "", "forward mode: decrypt and record CONNECTs to hosts matching this regular expression")
	f.StringVar(&rc.Allow, "allow", "", "forward mode: tunnel (unrecorded) CONNECTs to hosts matching this regular expression")
	f.BoolVar(&rc.AllowAny, "allow-any", false, "forward mode: relay to any host")
	f.StringVar(&rc.CADir, "ca-dir", "", "directory of mapiscope's CA (default: the user's config directory)")
	f.StringVar(&rc.CertFile, "cert", "", "certificate (PEM) for an https listener, instead of one from the CA")
	f.StringVar(&rc.KeyFile, "key", "", "key (PEM) of --cert")
	f.StringVar(&rc.KeyLog, "keylog", "", "append NSS key log lines of both TLS legs to this file (for Wireshark)")
	f.BoolVar(&rc.KeepSecrets, "keep-secrets", false, "keep Authorization values in the trace")
	f.StringArrayVar(&users, "user", nil, "built-in upstream: a user as EMAIL:PASSWORD (repeatable)")
	f.BoolVar(&openTUI, "tui", false, "open the terminal UI on the trace, following it live")
	return cmd
}

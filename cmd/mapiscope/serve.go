package main

import (
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/mapiscope/mapiscope/server"
)

func newServeCmd() *cobra.Command {
	var (
		listen, publicURL, data, usersFile, certFile, keyFile string
		users                                                 []string
		deterministic, noSeed                                 bool
	)
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the built-in MAPI/HTTP server (emsmdb, nspi, Autodiscover) over a SQLite mailbox store",
		Long: `serve runs mapiscope's built-in MAPI/HTTP server: Autodiscover at
/autodiscover/autodiscover.xml, the mailbox endpoint /mapi/emsmdb/ and the
address book endpoint /mapi/nspi/, with HTTP Basic authentication.

New mailboxes are seeded with demo mail unless --no-seed. Without --data the
store lives in a temporary directory removed on exit. https:// listeners use
a self-signed certificate unless --cert/--key are given.`,
		Example: `  mapiscope serve --listen http://127.0.0.1:8080 --user alice@example.test:secret
  mapiscope serve --listen https://127.0.0.1:8443 --users-file users.txt --data ./mailboxes`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			var specs []server.UserSpec
			for _, u := range users {
				s, err := server.ParseUserSpec(u)
				if err != nil {
					return usageErr("serve: --user: %v", err)
				}
				specs = append(specs, s)
			}
			if usersFile != "" {
				more, err := server.ReadUsersFile(usersFile)
				if err != nil {
					return usageErr("serve: --users-file: %v", err)
				}
				specs = append(specs, more...)
			}
			if (certFile == "") != (keyFile == "") {
				return usageErr("serve: --cert and --key go together")
			}
			run, err := server.Start(server.RunConfig{
				Listen: listen, PublicURL: publicURL, DataDir: data, Users: specs,
				NoSeed: noSeed, Deterministic: deterministic, CertFile: certFile, KeyFile: keyFile,
			})
			if err != nil {
				return usageErr("serve: %v", err)
			}
			defer run.Close()
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "mapiscope serve: listening on %s\n", run.URL)
			fmt.Fprintf(out, "Autodiscover URL: %s\n", run.AutodiscoverURL)
			fmt.Fprintf(out, "Mailbox endpoint: %s/mapi/emsmdb/  Address book: %s/mapi/nspi/\n", strings.TrimSuffix(run.AutodiscoverURL, "/autodiscover/autodiscover.xml"), strings.TrimSuffix(run.AutodiscoverURL, "/autodiscover/autodiscover.xml"))
			for _, u := range run.Users {
				if len(users) == 0 && usersFile == "" {
					fmt.Fprintf(out, "User: %s  password: %s\n", u.Email, u.Password)
				} else {
					fmt.Fprintf(out, "User: %s\n", u.Email)
				}
			}
			if run.CertDER != nil {
				fmt.Fprintln(out, "TLS: self-signed certificate (clients need --insecure or to trust it)")
			}
			if data == "" {
				fmt.Fprintln(out, "Store: temporary (removed on exit; --data DIR keeps it)")
			} else {
				fmt.Fprintf(out, "Store: %s\n", run.DataDir)
			}
			if deterministic {
				fmt.Fprintln(out, "Deterministic mode: fixed clock, seeded ids")
			}
			sig := make(chan os.Signal, 1)
			signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
			defer signal.Stop(sig)
			<-sig
			fmt.Fprintln(out, "mapiscope serve: stopping")
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&listen, "listen", "http://127.0.0.1:8080", "listen URL: http(s)://HOST:PORT (port 0 picks a free one)")
	f.StringVar(&publicURL, "public-url", "", "base URL clients reach the server at (default: derived from --listen)")
	f.StringArrayVar(&users, "user", nil, "a user as EMAIL:PASSWORD[:Display Name] (repeatable)")
	f.StringVar(&usersFile, "users-file", "", "file of users, one EMAIL:PASSWORD[:Display Name] per line")
	f.StringVar(&data, "data", "", "directory of the mailbox store (default: temporary)")
	f.BoolVar(&deterministic, "deterministic", false, "fixed clock and seeded ids: identical runs give identical responses")
	f.BoolVar(&noSeed, "no-seed", false, "leave new mailboxes empty")
	f.StringVar(&certFile, "cert", "", "TLS certificate (PEM) for https")
	f.StringVar(&keyFile, "key", "", "TLS key (PEM) for https")
	return cmd
}

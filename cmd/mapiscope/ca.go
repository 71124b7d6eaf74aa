package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/mapiscope/mapiscope/proxy/certs"
)

func newCACmd() *cobra.Command {
	var dir string
	cmd := &cobra.Command{
		Use:   "ca",
		Short: "Export the proxy's certificate authority, to trust it on the Outlook machine",
		Long: `mapiscope proxy terminates TLS with leaf certificates signed by a local
certificate authority, created on first use in the configuration directory
($MAPISCOPE_CONFIG_DIR, else the user configuration directory + /mapiscope).
Outlook connects through the proxy only once that CA is trusted on its machine.
The CA key never leaves that directory.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return usageErr("ca: say export or path (see %s --help)", cmd.CommandPath())
		},
	}
	cmd.PersistentFlags().StringVar(&dir, "dir", "", "CA directory (default $MAPISCOPE_CONFIG_DIR or <user config dir>/mapiscope)")
	cmd.AddCommand(newCAExportCmd(&dir), newCAPathCmd(&dir))
	return cmd
}

func caDir(dir string) (string, error) {
	if dir != "" {
		return dir, nil
	}
	d, err := certs.DefaultDir()
	if err != nil {
		return "", usageErr("ca: %v", err)
	}
	return d, nil
}

func newCAExportCmd(dir *string) *cobra.Command {
	var format, out string
	cmd := &cobra.Command{
		Use:   "export [--format pem|cer] [--out FILE]",
		Short: "Write the CA certificate (creating the CA if needed) and print how to trust it on Windows",
		Example: `  mapiscope ca export --format cer --out mapiscope-ca.cer
  mapiscope ca export > mapiscope-ca.pem`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			var body []byte
			switch format {
			case "pem", "cer":
			default:
				return usageErr("ca export: --format must be pem or cer, not %q", format)
			}
			d, err := caDir(*dir)
			if err != nil {
				return err
			}
			ca, err := certs.LoadOrCreateCA(d)
			if err != nil {
				return usageErr("ca export: %v", err)
			}
			if format == "cer" {
				body = ca.CertDER()
			} else {
				body = ca.CertPEM()
			}
			if out == "" || out == "-" {
				if _, err := cmd.OutOrStdout().Write(body); err != nil {
					return usageErr("ca export: %v", err)
				}
			} else if err := os.WriteFile(out, body, 0o644); err != nil {
				return usageErr("ca export: %v", err)
			}
			file := "mapiscope-ca.cer"
			if out != "" && out != "-" {
				file = filepath.Base(out)
			}
			printTrustHelp(cmd.ErrOrStderr(), ca, file, out == "" || out == "-")
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", "pem", "pem (PEM text) or cer (DER, for Windows' import wizard and certutil)")
	cmd.Flags().StringVarP(&out, "out", "o", "", "write to FILE instead of standard output")
	return cmd
}

// printTrustHelp tells how to trust the CA on the Outlook machine and how to
// remove it afterwards. The removal commands name the certificate by its exact
// subject and by its thumbprint: certutil matches the name exactly, so a
// prefix such as "mapiscope CA" removes nothing.
func printTrustHelp(w io.Writer, ca *certs.CA, file string, toStdout bool) {
	p := func(format string, args ...any) { fmt.Fprintf(w, format+"\n", args...) }
	p("CA certificate %q", ca.Name())
	p("  SHA-256 fingerprint %s", ca.Fingerprint())
	p("  Windows thumbprint  %s", ca.Thumbprint())
	if toStdout {
		p("(written to standard output; save it as %s, e.g. mapiscope ca export --format cer --out %s)", file, file)
	}
	p("")
	p("Trust it on the Windows machine that runs Outlook, with one of:")
	p("  certutil -addstore -f Root %s               (all users; run as administrator)", file)
	p("  certutil -user -addstore Root %s            (current user only)", file)
	p(`  Import-Certificate -FilePath %s -CertStoreLocation Cert:\LocalMachine\Root   (PowerShell, administrator)`, file)
	p("  Group Policy: Computer Configuration > Policies > Windows Settings > Security Settings >")
	p("    Public Key Policies > Trusted Root Certification Authorities > Import")
	p("")
	p("Remove it when done:")
	p(`  certutil -delstore Root "%s"`, ca.Name())
	p(`  certutil -user -delstore Root "%s"`, ca.Name())
	p(`  Remove-Item Cert:\LocalMachine\Root\%s   (PowerShell, administrator)`, ca.Thumbprint())
}

func newCAPathCmd(dir *string) *cobra.Command {
	return &cobra.Command{
		Use:   "path",
		Short: "Print where the CA certificate and key are (without creating them)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			d, err := caDir(*dir)
			if err != nil {
				return err
			}
			cert := filepath.Join(d, certs.CertFile)
			key := filepath.Join(d, certs.KeyFile)
			fmt.Fprintf(cmd.OutOrStdout(), "certificate %s\nkey         %s\n", cert, key)
			if _, err := os.Stat(cert); errors.Is(err, fs.ErrNotExist) {
				fmt.Fprintln(cmd.ErrOrStderr(), "(no CA there yet: mapiscope ca export or mapiscope proxy creates it)")
			}
			return nil
		},
	}
}

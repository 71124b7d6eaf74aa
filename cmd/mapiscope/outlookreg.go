package main

import (
	"fmt"
	"net/url"
	"os"
	"strings"
	"unicode/utf16"

	"github.com/spf13/cobra"

	"github.com/mapiscope/mapiscope/decode/autodiscover"
)

// regValue is one registry value of a .reg file: a DWORD, a string, or (when
// undoing) a deletion. Why is written above it as a comment.
type regValue struct {
	Name   string
	Kind   string // "dword", "sz"
	DWORD  uint32
	String string
	Why    string
}

// regKey is one [key] section.
type regKey struct {
	Path    string
	Comment string
	Values  []regValue
}

// officeVersions maps what users call Outlook to the registry version key.
var officeVersions = map[string]string{
	"2013": "15.0", "15": "15.0", "15.0": "15.0",
	"2016": "16.0", "2019": "16.0", "2021": "16.0", "2024": "16.0", "365": "16.0", "16": "16.0", "16.0": "16.0",
}

type outlookRegOptions struct {
	versions   []string // registry versions, deduplicated, in order asked
	domain     string
	adURL      string
	xmlPath    string
	cachedMode bool
	undo       bool
}

func newOutlookRegCmd() *cobra.Command {
	var (
		versions []string
		out      string
		xmlOut   string
		o        outlookRegOptions
	)
	cmd := &cobra.Command{
		Use:   "outlook-reg [--version 2016,...] [--out FILE] [--domain DOMAIN --autodiscover-url URL]",
		Short: "Write a Windows .reg file that keeps Outlook on on-premise Autodiscover and MAPI/HTTP",
		Long: `Write a .reg file (UTF-16LE with BOM, CRLF: what regedit itself writes) with the
registry values that make Outlook find its server through the on-premise
Autodiscover URL — the one a hosts-file entry can send to mapiscope proxy —
instead of Microsoft 365, Active Directory, DNS SRV records or a cached URL, and
that keep MAPI over HTTP enabled. The values are those of the BlueMind Outlook
guide; each carries a comment saying why. Import it on the Outlook machine with
regedit (double-click) or reg import FILE, then restart Outlook.

--domain with --autodiscover-url adds PreferLocalXML and a local Autodiscover
file for DOMAIN (at --xml-path on the Windows machine) that redirects Outlook to
URL; --xml-out writes that file here, to copy there.

--undo writes the file that deletes every value again.`,
		Example: `  mapiscope outlook-reg --out mapiscope-outlook.reg
  mapiscope outlook-reg --version 2013,365 --out outlook.reg
  mapiscope outlook-reg --domain example.test --autodiscover-url https://mail.example.test/autodiscover/autodiscover.xml \
      --xml-out autodiscover.xml --out outlook.reg
  mapiscope outlook-reg --undo --out undo-mapiscope-outlook.reg`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			seen := map[string]bool{}
			for _, v := range versions {
				for _, part := range strings.Split(v, ",") {
					part = strings.TrimSpace(part)
					if part == "" {
						continue
					}
					rv, ok := officeVersions[strings.ToLower(part)]
					if !ok {
						return usageErr("outlook-reg: unknown --version %q (2013, 2016, 2019, 2021, 365, or 15.0/16.0)", part)
					}
					if !seen[rv] {
						seen[rv] = true
						o.versions = append(o.versions, rv)
					}
				}
			}
			if len(o.versions) == 0 {
				o.versions = []string{"16.0"}
			}
			if (o.domain == "") != (o.adURL == "") {
				return usageErr("outlook-reg: --domain and --autodiscover-url go together")
			}
			if xmlOut != "" && o.adURL == "" {
				return usageErr("outlook-reg: --xml-out needs --domain and --autodiscover-url")
			}
			if o.domain != "" {
				d, err := regHostName(o.domain)
				if err != nil {
					return usageErr("outlook-reg: --domain: %v", err)
				}
				o.domain = d
				u, err := url.Parse(o.adURL)
				if err != nil || u.Scheme != "https" || u.Host == "" {
					return usageErr("outlook-reg: --autodiscover-url must be an https:// URL, not %q", o.adURL)
				}
				if strings.ContainsAny(o.xmlPath, "\"\r\n") || o.xmlPath == "" {
					return usageErr("outlook-reg: bad --xml-path %q", o.xmlPath)
				}
			}
			body := encodeRegFile(outlookRegKeys(o))
			if out == "" || out == "-" {
				if _, err := cmd.OutOrStdout().Write(body); err != nil {
					return usageErr("outlook-reg: %v", err)
				}
			} else if err := os.WriteFile(out, body, 0o644); err != nil {
				return usageErr("outlook-reg: %v", err)
			}
			if xmlOut != "" {
				xml := autodiscover.NewRedirectURLResponse(o.adURL)
				if err := os.WriteFile(xmlOut, xml, 0o644); err != nil {
					return usageErr("outlook-reg: %v", err)
				}
				fmt.Fprintf(cmd.ErrOrStderr(), "copy %s to %s on the Outlook machine\n", xmlOut, o.xmlPath)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringSliceVar(&versions, "version", nil, "Outlook versions: 2013, 2016, 2019, 2021, 365 (comma-separated; default 2016, i.e. 16.0)")
	f.StringVarP(&out, "out", "o", "", "write the .reg file to FILE instead of standard output")
	f.StringVar(&o.domain, "domain", "", "e-mail domain whose Autodiscover is answered from a local file")
	f.StringVar(&o.adURL, "autodiscover-url", "", "https URL of the Autodiscover service (the proxy's), for the local file")
	f.StringVar(&o.xmlPath, "xml-path", `C:\mapiscope\autodiscover.xml`, "where the local Autodiscover file will be on the Windows machine")
	f.StringVar(&xmlOut, "xml-out", "", "write the local Autodiscover file (a redirectUrl response) to FILE")
	f.BoolVar(&o.cachedMode, "cached-mode", false, "add the BlueMind guide's cached-mode policy: cache everything, one Exchange account per profile")
	f.BoolVar(&o.undo, "undo", false, "write the .reg file that deletes these values")
	return cmd
}

// regHostName checks a domain name for use as a registry value name.
func regHostName(s string) (string, error) {
	h := strings.ToLower(strings.TrimSuffix(strings.TrimSpace(s), "."))
	if h == "" || !strings.Contains(h, ".") {
		return "", fmt.Errorf("%q is not a domain name", s)
	}
	for _, label := range strings.Split(h, ".") {
		if label == "" || label[0] == '-' || label[len(label)-1] == '-' {
			return "", fmt.Errorf("%q is not a domain name", s)
		}
		for _, r := range label {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
				return "", fmt.Errorf("%q is not a domain name", s)
			}
		}
	}
	return h, nil
}

// outlookRegKeys lists the registry values. The Autodiscover values are those
// of the BlueMind guide's .reg file and its Group Policy list
// (ExcludeLastKnownGoodURL, ExcludeHttpRedirect); MapiHttpDisabled is
// Microsoft's switch back to RPC over HTTP (KB 2937684); PreferLocalXML and
// the value named after a domain are the local-XML Autodiscover step.
func outlookRegKeys(o outlookRegOptions) []regKey {
	var keys []regKey
	for _, v := range o.versions {
		name := map[string]string{"15.0": "Outlook 2013", "16.0": "Outlook 2016, 2019, 2021 and Microsoft 365"}[v]
		k := regKey{
			Path:    `HKEY_CURRENT_USER\Software\Microsoft\Office\` + v + `\Outlook\AutoDiscover`,
			Comment: name + ": which Autodiscover lookups Outlook tries",
			Values: []regValue{
				{Name: "ExcludeExplicitO365Endpoint", Kind: "dword", DWORD: 1,
					Why: "do not ask Microsoft 365 first: Outlook 2016 and later do, before any on-premise lookup"},
				{Name: "ExcludeScpLookup", Kind: "dword", DWORD: 1,
					Why: "skip the Active Directory SCP, which sends domain-joined machines straight to the server"},
				{Name: "ExcludeHttpsRootDomain", Kind: "dword", DWORD: 1,
					Why: "skip https://<domain>/autodiscover/..., often a web site that is not the mail server"},
				{Name: "ExcludeHttpsAutoDiscoverDomain", Kind: "dword", DWORD: 0,
					Why: "keep https://autodiscover.<domain>/autodiscover/...: the name a hosts-file entry points at the proxy"},
				{Name: "ExcludeHttpRedirect", Kind: "dword", DWORD: 0,
					Why: "keep the http://autodiscover.<domain> redirect (the guide's Group Policy leaves it on)"},
				{Name: "ExcludeSrvRecord", Kind: "dword", DWORD: 1,
					Why: "skip the _autodiscover._tcp SRV record, which may name a host that does not go through the proxy"},
				{Name: "ExcludeLastKnownGoodURL", Kind: "dword", DWORD: 1,
					Why: "do not reuse an Autodiscover URL cached before the proxy was put in between"},
			},
		}
		if o.domain != "" {
			k.Values = append(k.Values,
				regValue{Name: "PreferLocalXML", Kind: "dword", DWORD: 1,
					Why: "read the local Autodiscover file below before any network lookup"},
				regValue{Name: o.domain, Kind: "sz", String: o.xmlPath,
					Why: "local Autodiscover file for " + o.domain + ": a redirectUrl response to " + o.adURL +
						" (mapiscope outlook-reg --xml-out writes it); without it, add the proxy's address for autodiscover." + o.domain + " to the hosts file"})
		}
		keys = append(keys, k)
	}
	keys = append(keys, regKey{
		Path:    `HKEY_CURRENT_USER\Software\Microsoft\Exchange`,
		Comment: "all Outlook versions: the transport",
		Values: []regValue{
			{Name: "MapiHttpDisabled", Kind: "dword", DWORD: 0,
				Why: "keep MAPI over HTTP on: 1 sends Outlook back to RPC over HTTP, which mapiscope does not decode"},
		},
	})
	if o.cachedMode {
		for _, v := range o.versions {
			keys = append(keys, regKey{
				Path:    `HKEY_CURRENT_USER\Software\Policies\Microsoft\Office\` + v + `\Outlook\Cached Mode`,
				Comment: "policy from the BlueMind guide, which supports Outlook in full cached mode only",
				Values: []regValue{
					{Name: "DisableMultipleExchange", Kind: "dword", DWORD: 1,
						Why: "one Exchange account per profile"},
					{Name: "SyncWindowSetting", Kind: "dword", DWORD: 0,
						Why: "cache all mail, not only the last months"},
				},
			})
		}
	}
	if o.undo {
		for i := range keys {
			keys[i].Comment = "undo: " + keys[i].Comment
			for j := range keys[i].Values {
				keys[i].Values[j].Kind = "delete"
				keys[i].Values[j].Why = "delete " + keys[i].Values[j].Name
			}
		}
	}
	return keys
}

// encodeRegFile writes keys as a regedit version 5 file: UTF-16LE with a byte
// order mark and CRLF line ends, as regedit exports. (regedit also imports
// plain ASCII, but a domain or path outside ASCII needs UTF-16.)
func encodeRegFile(keys []regKey) []byte {
	var b strings.Builder
	line := func(s string) { b.WriteString(s); b.WriteString("\r\n") }
	line("Windows Registry Editor Version 5.00")
	line("")
	line("; Written by mapiscope outlook-reg. Import with regedit or: reg import FILE; then restart Outlook.")
	for _, k := range keys {
		line("")
		if k.Comment != "" {
			line("; " + k.Comment)
		}
		line("[" + k.Path + "]")
		for _, v := range k.Values {
			line("; " + v.Why)
			name := `"` + regEscape(v.Name) + `"`
			switch v.Kind {
			case "dword":
				line(fmt.Sprintf("%s=dword:%08x", name, v.DWORD))
			case "sz":
				line(name + `="` + regEscape(v.String) + `"`)
			case "delete":
				line(name + "=-")
			}
		}
	}
	u := utf16.Encode([]rune(b.String()))
	out := make([]byte, 2, 2+2*len(u))
	out[0], out[1] = 0xFF, 0xFE
	for _, c := range u {
		out = append(out, byte(c), byte(c>>8))
	}
	return out
}

// regEscape escapes a string for the inside of double quotes in a .reg file.
func regEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s)
}

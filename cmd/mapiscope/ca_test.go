package main

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/mapiscope/mapiscope/decode/autodiscover"
	"github.com/mapiscope/mapiscope/proxy/certs"
)

// runCA runs the command line like run does, adding the ca and outlook-reg
// commands to the root if main.go does not have them yet.
func runCA(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	root := newRoot()
	if c, _, err := root.Find(args[:1]); err == nil && c != root {
		return runCLI(t, "", args...)
	}
	root.AddCommand(newCACmd(), newOutlookRegCmd())
	var out, errb bytes.Buffer
	root.SetArgs(args)
	root.SetOut(&out)
	root.SetErr(&errb)
	err := root.Execute()
	code = 0
	if err != nil {
		code = 2
		var ee *exitError
		if errors.As(err, &ee) {
			code = ee.code
		}
		fmt.Fprintln(&errb, "mapiscope: "+oneLine(err.Error()))
	}
	return code, out.String(), errb.String()
}

func TestCAExport(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ca")
	code, out, errs := runCA(t, "ca", "export", "--dir", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	blk, _ := pem.Decode([]byte(out))
	if blk == nil || blk.Type != "CERTIFICATE" {
		t.Fatalf("stdout is not a PEM certificate:\n%s", out)
	}
	cert, err := x509.ParseCertificate(blk.Bytes)
	if err != nil || !cert.IsCA {
		t.Fatalf("exported certificate: %v", err)
	}
	ca, err := certs.LoadOrCreateCA(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !cert.Equal(ca.Certificate()) {
		t.Fatal("exported certificate is not the CA on disk")
	}
	for _, want := range []string{
		ca.Fingerprint(), ca.Thumbprint(),
		"certutil -addstore -f Root mapiscope-ca.cer",
		"certutil -user -addstore Root mapiscope-ca.cer",
		`Import-Certificate -FilePath mapiscope-ca.cer -CertStoreLocation Cert:\LocalMachine\Root`,
		"Trusted Root Certification Authorities",
		`certutil -delstore Root "` + ca.Name() + `"`,
	} {
		if !strings.Contains(errs, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errs)
		}
	}
	if strings.Contains(out+errs, "PRIVATE KEY") {
		t.Fatal("the CA key was printed")
	}

	// DER to a file: the same certificate, and the instructions name the file.
	cer := filepath.Join(t.TempDir(), "lab-ca.cer")
	code, out, errs = runCA(t, "ca", "export", "--dir", dir, "--format", "cer", "--out", cer)
	if code != 0 || out != "" {
		t.Fatalf("exit %d, stdout %q: %s", code, out, errs)
	}
	der, _ := os.ReadFile(cer)
	if !bytes.Equal(der, ca.CertDER()) {
		t.Fatal("the .cer file is not the CA certificate in DER")
	}
	if !strings.Contains(errs, "certutil -addstore -f Root lab-ca.cer") {
		t.Errorf("instructions do not name the file:\n%s", errs)
	}

	// Without --dir, MAPISCOPE_CONFIG_DIR decides.
	t.Setenv(certs.EnvConfigDir, dir)
	code, out, _ = runCA(t, "ca", "export", "--format", "cer")
	if code != 0 || out != string(ca.CertDER()) {
		t.Fatalf("env dir: exit %d, different certificate", code)
	}
}

func TestCAPath(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ca")
	code, out, errs := runCA(t, "ca", "path", "--dir", dir)
	if code != 0 || !strings.Contains(out, filepath.Join(dir, "ca.pem")) || !strings.Contains(out, filepath.Join(dir, "ca-key.pem")) {
		t.Fatalf("exit %d\n%s%s", code, out, errs)
	}
	if !strings.Contains(errs, "no CA there yet") {
		t.Errorf("no note that the CA does not exist yet: %q", errs)
	}
	if _, err := os.Stat(dir); err == nil {
		t.Error("ca path created the CA")
	}
	runCA(t, "ca", "export", "--dir", dir)
	_, _, errs = runCA(t, "ca", "path", "--dir", dir)
	if errs != "" {
		t.Errorf("stderr once the CA exists: %q", errs)
	}
}

func TestCABadUsage(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"ca", "export", "--dir", dir, "--format", "der"}, "--format"},
		{[]string{"ca", "export", "--dir", dir, "--bogus"}, "bogus"},
		{[]string{"ca"}, "export or path"},
		{[]string{"ca", "frobnicate"}, "frobnicate"},
		{[]string{"ca", "export", "--dir", dir, "--out", filepath.Join(dir, "no", "such", "dir", "x.cer")}, "no such"},
	} {
		code, _, errs := runCA(t, tc.args...)
		if code != 2 || strings.Count(strings.TrimSpace(errs), "\n") != 0 || !strings.Contains(errs, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and one line mentioning %q", tc.args, code, errs, tc.want)
		}
	}
	// A key readable by others is refused with a one-line chmod hint.
	if _, err := certs.LoadOrCreateCA(dir); err != nil {
		t.Fatal(err)
	}
	os.Chmod(filepath.Join(dir, "ca-key.pem"), 0o644)
	code, _, errs := runCA(t, "ca", "export", "--dir", dir)
	if code != 2 || !strings.Contains(errs, "chmod 600") || strings.Count(strings.TrimSpace(errs), "\n") != 0 {
		t.Errorf("loose key: exit %d, %q", code, errs)
	}
}

// regFile is a .reg file read back: values by key, right-hand sides as
// written (dword:00000001, "text", -).
type regFile map[string]map[string]string

// parseRegFile decodes a regedit 5 file the way regedit reads it, failing on
// anything regedit would not import.
func parseRegFile(t *testing.T, b []byte) regFile {
	t.Helper()
	if len(b) < 2 || b[0] != 0xFF || b[1] != 0xFE || len(b)%2 != 0 {
		t.Fatalf("not UTF-16LE with a byte order mark: % x", b[:min(len(b), 8)])
	}
	u := make([]uint16, 0, len(b)/2-1)
	for i := 2; i < len(b); i += 2 {
		u = append(u, uint16(b[i])|uint16(b[i+1])<<8)
	}
	text := string(utf16.Decode(u))
	if strings.Count(text, "\n") != strings.Count(text, "\r\n") || !strings.HasSuffix(text, "\r\n") {
		t.Fatal("line ends are not all CRLF")
	}
	lines := strings.Split(strings.TrimSuffix(text, "\r\n"), "\r\n")
	if lines[0] != "Windows Registry Editor Version 5.00" {
		t.Fatalf("header %q", lines[0])
	}
	f := regFile{}
	var key string
	for i, l := range lines[1:] {
		switch {
		case l == "" || strings.HasPrefix(l, ";"):
		case strings.HasPrefix(l, "[") && strings.HasSuffix(l, "]"):
			key = l[1 : len(l)-1]
			if !strings.HasPrefix(key, `HKEY_CURRENT_USER\`) {
				t.Fatalf("line %d: key outside HKEY_CURRENT_USER: %s", i+2, key)
			}
			f[key] = map[string]string{}
		case strings.HasPrefix(l, `"`) && key != "":
			end := strings.Index(l, `"=`)
			if end < 0 {
				t.Fatalf("line %d: %q", i+2, l)
			}
			f[key][l[1:end]] = l[end+2:]
		default:
			t.Fatalf("line %d: regedit would not read %q", i+2, l)
		}
	}
	return f
}

func TestOutlookReg(t *testing.T) {
	code, out, errs := runCA(t, "outlook-reg")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	f := parseRegFile(t, []byte(out))
	ad := f[`HKEY_CURRENT_USER\Software\Microsoft\Office\16.0\Outlook\AutoDiscover`]
	want := map[string]string{
		"ExcludeExplicitO365Endpoint":    "dword:00000001",
		"ExcludeScpLookup":               "dword:00000001",
		"ExcludeHttpsRootDomain":         "dword:00000001",
		"ExcludeHttpsAutoDiscoverDomain": "dword:00000000",
		"ExcludeSrvRecord":               "dword:00000001",
		"ExcludeLastKnownGoodURL":        "dword:00000001",
	}
	for name, v := range want {
		if ad[name] != v {
			t.Errorf("%s = %q, want %q", name, ad[name], v)
		}
	}
	if _, ok := ad["PreferLocalXML"]; ok {
		t.Error("PreferLocalXML without --domain")
	}
	if got := f[`HKEY_CURRENT_USER\Software\Microsoft\Exchange`]["MapiHttpDisabled"]; got != "dword:00000000" {
		t.Errorf("MapiHttpDisabled = %q", got)
	}
	if len(f) != 2 {
		t.Errorf("%d keys, want 16.0 AutoDiscover and Exchange: %v", len(f), f)
	}
	// Every value has a comment saying why, on the line above it.
	text := decodeUTF16(out)
	for name := range want {
		i := strings.Index(text, `"`+name+`"=`)
		prev := text[:i-2]
		if !strings.HasPrefix(prev[strings.LastIndex(prev, "\r\n")+2:], "; ") {
			t.Errorf("%s has no comment above it", name)
		}
	}

	// Versions map to registry keys, deduplicated.
	dir := t.TempDir()
	regPath := filepath.Join(dir, "o.reg")
	code, out, errs = runCA(t, "outlook-reg", "--version", "2013,2016", "--version", "365,2019", "--cached-mode", "--out", regPath)
	if code != 0 || out != "" {
		t.Fatalf("exit %d: %s", code, errs)
	}
	b, _ := os.ReadFile(regPath)
	f = parseRegFile(t, b)
	n := 0
	for k := range f {
		if strings.HasSuffix(k, `\Outlook\AutoDiscover`) {
			n++
		}
	}
	if n != 2 || f[`HKEY_CURRENT_USER\Software\Microsoft\Office\15.0\Outlook\AutoDiscover`] == nil {
		t.Errorf("want 15.0 and 16.0 once each: %v", f)
	}
	if cm := f[`HKEY_CURRENT_USER\Software\Policies\Microsoft\Office\15.0\Outlook\Cached Mode`]; cm["SyncWindowSetting"] != "dword:00000000" || cm["DisableMultipleExchange"] != "dword:00000001" {
		t.Errorf("cached mode: %v", cm)
	}
}

func decodeUTF16(s string) string {
	b := []byte(s)[2:]
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = uint16(b[2*i]) | uint16(b[2*i+1])<<8
	}
	return string(utf16.Decode(u))
}

func TestOutlookRegLocalXML(t *testing.T) {
	dir := t.TempDir()
	xmlFile := filepath.Join(dir, "autodiscover.xml")
	code, out, errs := runCA(t, "outlook-reg", "--domain", "Example.TEST", "--autodiscover-url", "https://mail.example.test/autodiscover/autodiscover.xml",
		"--xml-path", `D:\lab files\ad.xml`, "--xml-out", xmlFile)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	ad := parseRegFile(t, []byte(out))[`HKEY_CURRENT_USER\Software\Microsoft\Office\16.0\Outlook\AutoDiscover`]
	if ad["PreferLocalXML"] != "dword:00000001" {
		t.Errorf("PreferLocalXML = %q", ad["PreferLocalXML"])
	}
	if got := ad["example.test"]; got != `"D:\\lab files\\ad.xml"` {
		t.Errorf("local XML value = %s", got)
	}
	if !strings.Contains(errs, `D:\lab files\ad.xml`) {
		t.Errorf("stderr: %q", errs)
	}
	b, err := os.ReadFile(xmlFile)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := autodiscover.Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	if doc.Response == nil || doc.Response.Account == nil || doc.Response.Account.Action != "redirectUrl" ||
		doc.Response.Account.RedirectUrl != "https://mail.example.test/autodiscover/autodiscover.xml" {
		t.Fatalf("local XML is not a redirectUrl response:\n%s", b)
	}
}

func TestOutlookRegUndo(t *testing.T) {
	code, out, errs := runCA(t, "outlook-reg", "--undo", "--version", "2013", "--domain", "example.test", "--autodiscover-url", "https://p.example.test/autodiscover/autodiscover.xml")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	f := parseRegFile(t, []byte(out))
	n := 0
	for k, vals := range f {
		for name, v := range vals {
			n++
			if v != "-" {
				t.Errorf("%s %s = %q, want deletion", k, name, v)
			}
		}
	}
	if n != 10 {
		t.Errorf("%d deletions, want 10", n)
	}
}

func TestOutlookRegBadUsage(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"outlook-reg", "--version", "2010"}, "2010"},
		{[]string{"outlook-reg", "--domain", "example.test"}, "go together"},
		{[]string{"outlook-reg", "--domain", "exa mple.test", "--autodiscover-url", "https://x.test/a"}, "domain"},
		{[]string{"outlook-reg", "--domain", "example.test", "--autodiscover-url", "http://x.test/a"}, "https"},
		{[]string{"outlook-reg", "--xml-out", "x.xml"}, "--xml-out"},
		{[]string{"outlook-reg", "--domain", "example.test", "--autodiscover-url", "https://x.test/a", "--xml-path", `C:\a"b`}, "--xml-path"},
		{[]string{"outlook-reg", "extra"}, "extra"},
	} {
		code, _, errs := runCA(t, tc.args...)
		if code != 2 || strings.Count(strings.TrimSpace(errs), "\n") != 0 || !strings.Contains(errs, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and one line mentioning %q", tc.args, code, errs, tc.want)
		}
	}
}

package certs

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestLoadOrCreateCA(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "conf", "mapiscope")
	ca, err := LoadOrCreateCA(dir)
	if err != nil {
		t.Fatal(err)
	}
	c := ca.Certificate()
	if !c.IsCA || !c.BasicConstraintsValid || c.KeyUsage != x509.KeyUsageCertSign|x509.KeyUsageCRLSign {
		t.Errorf("CA constraints: IsCA=%v KeyUsage=%v", c.IsCA, c.KeyUsage)
	}
	if _, ok := c.PublicKey.(*ecdsa.PublicKey); !ok {
		t.Errorf("CA key is %T, want ECDSA", c.PublicKey)
	}
	if !regexp.MustCompile(`^mapiscope CA [0-9A-F]{8}$`).MatchString(ca.Name()) {
		t.Errorf("CA name %q", ca.Name())
	}
	if years := c.NotAfter.Sub(c.NotBefore).Hours() / 24 / 365; years < 9.9 || years > 10.1 {
		t.Errorf("CA validity %.1f years", years)
	}
	if len(c.PermittedDNSDomains)+len(c.ExcludedDNSDomains) != 0 {
		t.Errorf("CA has name constraints")
	}
	if !regexp.MustCompile(`^([0-9A-F]{2}:){31}[0-9A-F]{2}$`).MatchString(ca.Fingerprint()) {
		t.Errorf("fingerprint %q", ca.Fingerprint())
	}
	if ca.KeyPath() != filepath.Join(dir, "ca-key.pem") || ca.CertPath() != filepath.Join(dir, "ca.pem") {
		t.Errorf("paths %s %s", ca.KeyPath(), ca.CertPath())
	}
	if blk, _ := pem.Decode(ca.CertPEM()); blk == nil || !bytes.Equal(blk.Bytes, ca.CertDER()) {
		t.Errorf("CertPEM and CertDER disagree")
	}
	if runtime.GOOS != "windows" {
		for path, want := range map[string]os.FileMode{dir: 0o700, ca.KeyPath(): 0o600, ca.CertPath(): 0o644} {
			fi, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			if fi.Mode().Perm() != want {
				t.Errorf("%s mode %04o, want %04o", filepath.Base(path), fi.Mode().Perm(), want)
			}
		}
	}
	// The key file is PKCS#8.
	b, _ := os.ReadFile(ca.KeyPath())
	if blk, _ := pem.Decode(b); blk == nil || blk.Type != "PRIVATE KEY" {
		t.Errorf("key file is not a PKCS#8 PEM block")
	}
	// No stray temporary files are left.
	ents, _ := os.ReadDir(dir)
	if len(ents) != 2 {
		t.Errorf("directory holds %d entries, want 2", len(ents))
	}

	again, err := LoadOrCreateCA(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again.CertDER(), ca.CertDER()) || !again.key.Equal(ca.key) {
		t.Fatal("reloading gave a different CA")
	}
	other, err := LoadOrCreateCA(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if other.Name() == ca.Name() || other.Fingerprint() == ca.Fingerprint() {
		t.Fatal("two installs are indistinguishable")
	}
}

func TestLoadRefusesLooseKey(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no Unix modes")
	}
	dir := t.TempDir()
	ca, err := LoadOrCreateCA(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, mode := range []os.FileMode{0o644, 0o640, 0o604} {
		if err := os.Chmod(ca.KeyPath(), mode); err != nil {
			t.Fatal(err)
		}
		_, err = LoadOrCreateCA(dir)
		if err == nil || !strings.Contains(err.Error(), "chmod 600") || strings.Contains(err.Error(), "\n") {
			t.Errorf("mode %04o: err = %v, want one line telling to chmod 600", mode, err)
		}
	}
	os.Chmod(ca.KeyPath(), 0o600)
	if _, err := LoadOrCreateCA(dir); err != nil {
		t.Fatalf("after chmod 600: %v", err)
	}
}

func TestLoadBadFiles(t *testing.T) {
	// Cert without key: refuse rather than silently replacing a trusted CA.
	dir := t.TempDir()
	ca, _ := LoadOrCreateCA(dir)
	os.Remove(ca.KeyPath())
	if _, err := LoadOrCreateCA(dir); err == nil || !strings.Contains(err.Error(), "without") {
		t.Errorf("cert without key: %v", err)
	}
	// A key that does not match the certificate.
	dir2 := t.TempDir()
	ca2, _ := LoadOrCreateCA(dir2)
	k, _ := os.ReadFile(ca2.KeyPath())
	os.WriteFile(ca.KeyPath(), k, 0o600)
	if _, err := LoadOrCreateCA(dir); err == nil || !strings.Contains(err.Error(), "does not belong") {
		t.Errorf("mismatched key: %v", err)
	}
	// Garbage.
	os.WriteFile(ca.KeyPath(), []byte("not a key"), 0o600)
	if _, err := LoadOrCreateCA(dir); err == nil || !strings.Contains(err.Error(), "PRIVATE KEY") {
		t.Errorf("garbage key: %v", err)
	}
	os.WriteFile(ca2.CertPath(), []byte("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"), 0o644)
	if _, err := LoadOrCreateCA(dir2); err == nil {
		t.Errorf("garbage certificate loaded")
	}
	if _, err := LoadOrCreateCA(""); err == nil {
		t.Errorf("empty dir accepted")
	}
}

func TestDefaultDir(t *testing.T) {
	t.Setenv(EnvConfigDir, "/some/where")
	if d, err := DefaultDir(); err != nil || d != "/some/where" {
		t.Errorf("with env: %q %v", d, err)
	}
	t.Setenv(EnvConfigDir, "")
	t.Setenv("XDG_CONFIG_HOME", "/xdg")
	t.Setenv("HOME", "/home/u")
	t.Setenv("AppData", `C:\Users\u\AppData\Roaming`)
	d, err := DefaultDir()
	if err != nil || filepath.Base(d) != "mapiscope" {
		t.Errorf("default: %q %v", d, err)
	}
}

// TestConcurrentFirstUse starts several processes on an empty directory at
// once; they must all end up with the one CA that is on disk.
func TestConcurrentFirstUse(t *testing.T) {
	if dir := os.Getenv("MAPISCOPE_CERTS_HELPER_DIR"); dir != "" {
		ca, err := LoadOrCreateCA(dir)
		if err != nil {
			fmt.Println("error:", err)
			os.Exit(1)
		}
		fmt.Println("fingerprint:", ca.Fingerprint())
		os.Exit(0)
	}
	exe, err := os.Executable()
	if err != nil {
		t.Skip(err)
	}
	for round := 0; round < 3; round++ {
		dir := filepath.Join(t.TempDir(), "ca")
		const n = 4
		outs := make([]string, n)
		var wg sync.WaitGroup
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				cmd := exec.Command(exe, "-test.run=^TestConcurrentFirstUse$")
				cmd.Env = append(os.Environ(), "MAPISCOPE_CERTS_HELPER_DIR="+dir)
				out, err := cmd.CombinedOutput()
				if err != nil {
					outs[i] = fmt.Sprintf("%v: %s", err, out)
					return
				}
				outs[i] = strings.TrimSpace(string(out))
			}(i)
		}
		wg.Wait()
		ca, err := LoadOrCreateCA(dir)
		if err != nil {
			t.Fatal(err)
		}
		want := "fingerprint: " + ca.Fingerprint()
		for i, o := range outs {
			if !strings.Contains(o, want) {
				t.Fatalf("round %d process %d: %q, want %q", round, i, o, want)
			}
		}
	}
}

// TestLeafTLS serves leaves through a real TLS listener and verifies them
// with the CA as the only root, for a DNS name and for IP addresses.
func TestLeafTLS(t *testing.T) {
	ca, err := LoadOrCreateCA(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{GetCertificate: ca.GetCertificate})
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				c.SetDeadline(time.Now().Add(10 * time.Second))
				io.WriteString(c, "ok")
			}()
		}
	}()
	dial := func(serverName string) (*x509.Certificate, error) {
		conn, err := tls.Dial("tcp", ln.Addr().String(), &tls.Config{RootCAs: ca.Pool(), ServerName: serverName})
		if err != nil {
			return nil, err
		}
		defer conn.Close()
		buf := make([]byte, 2)
		if _, err := io.ReadFull(conn, buf); err != nil || string(buf) != "ok" {
			return nil, fmt.Errorf("read: %q %v", buf, err)
		}
		st := conn.ConnectionState()
		if len(st.PeerCertificates) != 2 || !st.PeerCertificates[1].Equal(ca.Certificate()) {
			return nil, fmt.Errorf("chain of %d, want [leaf, CA]", len(st.PeerCertificates))
		}
		return st.PeerCertificates[0], nil
	}

	leaf, err := dial("mail.example.test")
	if err != nil {
		t.Fatalf("DNS name: %v", err)
	}
	if leaf.Subject.CommonName != "mail.example.test" || len(leaf.DNSNames) != 1 || leaf.DNSNames[0] != "mail.example.test" {
		t.Errorf("leaf names: CN %q SAN %v", leaf.Subject.CommonName, leaf.DNSNames)
	}
	if d := leaf.NotAfter.Sub(leaf.NotBefore); d > 397*24*time.Hour {
		t.Errorf("leaf valid %v", d)
	}
	if len(leaf.ExtKeyUsage) != 1 || leaf.ExtKeyUsage[0] != x509.ExtKeyUsageServerAuth || leaf.IsCA {
		t.Errorf("leaf usage %v IsCA %v", leaf.ExtKeyUsage, leaf.IsCA)
	}
	if _, ok := leaf.PublicKey.(*ecdsa.PublicKey); !ok {
		t.Errorf("leaf key %T", leaf.PublicKey)
	}
	// Connecting by IP sends no SNI: the leaf is for the local address.
	leaf, err = dial("127.0.0.1")
	if err != nil {
		t.Fatalf("IP: %v", err)
	}
	if len(leaf.IPAddresses) != 1 || !leaf.IPAddresses[0].Equal(net.IPv4(127, 0, 0, 1)) || leaf.Subject.CommonName != "127.0.0.1" {
		t.Errorf("IP leaf: CN %q IPs %v", leaf.Subject.CommonName, leaf.IPAddresses)
	}
	// A name the client does not ask for does not verify.
	if _, err := tls.Dial("tcp", ln.Addr().String(), &tls.Config{RootCAs: x509.NewCertPool(), ServerName: "mail.example.test"}); err == nil {
		t.Error("leaf verified without the CA in the pool")
	}
}

func TestFallbackHost(t *testing.T) {
	ca, err := LoadOrCreateCA(t.TempDir(), WithFallbackHost("mail.example.test"))
	if err != nil {
		t.Fatal(err)
	}
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{GetCertificate: ca.GetCertificate})
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err == nil {
			c.(*tls.Conn).Handshake()
			c.Close()
		}
	}()
	conn, err := tls.Dial("tcp", ln.Addr().String(), &tls.Config{RootCAs: ca.Pool(), ServerName: "mail.example.test"})
	if err != nil {
		t.Fatal(err)
	}
	conn.Close()
	// With no SNI and no connection, the fallback name is used.
	cert, err := ca.GetCertificate(&tls.ClientHelloInfo{})
	if err != nil || cert.Leaf.Subject.CommonName != "mail.example.test" {
		t.Fatalf("fallback: %v", err)
	}
	noFallback, _ := LoadOrCreateCA(t.TempDir())
	if _, err := noFallback.GetCertificate(&tls.ClientHelloInfo{}); err == nil {
		t.Error("no SNI, no fallback, no connection: got a certificate")
	}
}

func TestLeafHosts(t *testing.T) {
	ca, err := LoadOrCreateCA(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ in, cn string }{
		{"Mail.Example.TEST.", "mail.example.test"},
		{"[::1]", "::1"},
		{"fe80::1%eth0", "fe80::1"},
		{"::ffff:10.0.0.1", "10.0.0.1"},
		{"_autodiscover.example.test", "_autodiscover.example.test"},
	} {
		c, err := ca.Leaf(tc.in)
		if err != nil {
			t.Errorf("%q: %v", tc.in, err)
			continue
		}
		if c.Leaf.Subject.CommonName != tc.cn {
			t.Errorf("%q: CN %q, want %q", tc.in, c.Leaf.Subject.CommonName, tc.cn)
		}
		if _, err := c.Leaf.Verify(x509.VerifyOptions{Roots: ca.Pool(), DNSName: tc.cn}); err != nil {
			t.Errorf("%q: %v", tc.in, err)
		}
	}
	for _, bad := range []string{"", "host:443", "*.example.test", "a..b", "-a.b", "a b", "x\"y", strings.Repeat("a", 64) + ".test"} {
		if _, err := ca.Leaf(bad); err == nil {
			t.Errorf("%q: accepted", bad)
		}
	}
	// The same host twice gives the cached leaf.
	a, _ := ca.Leaf("mail.example.test")
	b, _ := ca.Leaf("MAIL.example.test")
	if a != b {
		t.Error("leaf not cached")
	}
}

func TestLeafConcurrentAndBounded(t *testing.T) {
	ca, err := LoadOrCreateCA(t.TempDir(), WithLeafCacheSize(8))
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 20; i++ {
				host := fmt.Sprintf("h%d.example.test", (g+i)%12)
				c, err := ca.Leaf(host)
				if err != nil {
					errs <- err
					return
				}
				if c.Leaf.DNSNames[0] != host {
					errs <- fmt.Errorf("asked %s, got %s", host, c.Leaf.DNSNames[0])
					return
				}
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	ca.mu.Lock()
	n, m := ca.leaves.order.Len(), len(ca.leaves.byKey)
	ca.mu.Unlock()
	if n > 8 || n != m {
		t.Errorf("cache holds %d (map %d), bound 8", n, m)
	}
}

func BenchmarkLeafCached(b *testing.B) {
	ca, err := LoadOrCreateCA(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	ca.Leaf("mail.example.test")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ca.Leaf("mail.example.test")
	}
}

// Package certs keeps the local certificate authority that the recording
// proxy uses to terminate TLS: one CA per user, created on first use and kept
// on disk, and leaf certificates minted from it per host name on demand.
//
// The CA is ECDSA P-256. Windows accepts ECDSA roots (CNG, since Vista), and
// the default Schannel cipher-suite order on Windows 10 and later puts
// TLS_ECDHE_ECDSA_WITH_AES_*_GCM first, so Outlook negotiates with an ECDSA
// leaf without any change on the client.
package certs

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"
)

// File names inside the CA directory.
const (
	CertFile = "ca.pem"
	KeyFile  = "ca-key.pem"
)

// caValidity is how long a new CA is valid.
const caValidity = 10 * 365 * 24 * time.Hour

// EnvConfigDir overrides DefaultDir.
const EnvConfigDir = "MAPISCOPE_CONFIG_DIR"

// DefaultDir is where the CA lives unless told otherwise:
// $MAPISCOPE_CONFIG_DIR if set, else os.UserConfigDir()/mapiscope.
func DefaultDir() (string, error) {
	if d := os.Getenv(EnvConfigDir); d != "" {
		return d, nil
	}
	base, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("no configuration directory (set %s): %w", EnvConfigDir, err)
	}
	return filepath.Join(base, "mapiscope"), nil
}

// CA is the proxy's certificate authority. It is safe for concurrent use.
type CA struct {
	dir      string
	cert     *x509.Certificate
	key      *ecdsa.PrivateKey
	fallback string

	mu     sync.Mutex
	leaves leafCache
}

// Option configures a CA when it is loaded.
type Option func(*CA)

// WithFallbackHost names the host GetCertificate mints a leaf for when the
// client sends no SNI (a client that connects to an IP address sends none).
// Without it, the leaf is for the local IP address the client connected to.
func WithFallbackHost(host string) Option { return func(c *CA) { c.fallback = host } }

// WithLeafCacheSize bounds the number of leaf certificates kept in memory
// (default 1024).
func WithLeafCacheSize(n int) Option { return func(c *CA) { c.leaves.max = n } }

// LoadOrCreateCA loads the CA from dir, creating dir (mode 0700) and a new CA
// in it if there is none. Two processes doing this at once end with the same
// CA: each file is installed with a create-if-absent link from a temporary
// file, never replaced, and both processes then use what is on disk.
//
// The key file must not be readable by group or others.
func LoadOrCreateCA(dir string, opts ...Option) (*CA, error) {
	if dir == "" {
		return nil, errors.New("certificate authority: no directory")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("certificate authority: %w", err)
	}
	keyPath := filepath.Join(dir, KeyFile)
	certPath := filepath.Join(dir, CertFile)

	key, err := loadKey(keyPath)
	if errors.Is(err, fs.ErrNotExist) {
		if _, cerr := os.Stat(certPath); cerr == nil {
			return nil, fmt.Errorf("certificate authority: %s exists without %s; remove it to create a new CA", certPath, KeyFile)
		}
		if err = createKey(keyPath); err == nil {
			key, err = loadKey(keyPath)
		}
	}
	if err != nil {
		return nil, err
	}

	cert, err := loadCert(certPath)
	if errors.Is(err, fs.ErrNotExist) {
		// Whoever links first wins; everyone reads the winner's file.
		if err = createCert(certPath, key); err == nil {
			cert, err = loadCert(certPath)
		}
	}
	if err != nil {
		return nil, err
	}
	if !key.PublicKey.Equal(cert.PublicKey) {
		return nil, fmt.Errorf("certificate authority: %s does not belong to %s; remove both to create a new CA", certPath, keyPath)
	}
	c := &CA{dir: dir, cert: cert, key: key}
	c.leaves.max = defaultLeafCache
	for _, o := range opts {
		o(c)
	}
	return c, nil
}

func loadKey(path string) (*ecdsa.PrivateKey, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("certificate authority: %s is not a regular file", path)
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("certificate authority: %s is readable by others (mode %04o); run: chmod 600 %s", path, fi.Mode().Perm(), path)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	blk, _ := pem.Decode(b)
	if blk == nil || blk.Type != "PRIVATE KEY" {
		return nil, fmt.Errorf("certificate authority: %s: no PKCS#8 PRIVATE KEY block", path)
	}
	k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	if err != nil {
		return nil, fmt.Errorf("certificate authority: %s: %w", path, err)
	}
	ek, ok := k.(*ecdsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("certificate authority: %s: key is %T, want ECDSA", path, k)
	}
	return ek, nil
}

func loadCert(path string) (*x509.Certificate, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	blk, _ := pem.Decode(b)
	if blk == nil || blk.Type != "CERTIFICATE" {
		return nil, fmt.Errorf("certificate authority: %s: no CERTIFICATE block", path)
	}
	c, err := x509.ParseCertificate(blk.Bytes)
	if err != nil {
		return nil, fmt.Errorf("certificate authority: %s: %w", path, err)
	}
	if !c.IsCA || c.KeyUsage&x509.KeyUsageCertSign == 0 {
		return nil, fmt.Errorf("certificate authority: %s is not a CA certificate", path)
	}
	if time.Now().After(c.NotAfter) {
		return nil, fmt.Errorf("certificate authority: %s expired on %s; remove %s and %s to create a new CA", path, c.NotAfter.Format("2006-01-02"), CertFile, KeyFile)
	}
	return c, nil
}

func createKey(path string) error {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		return err
	}
	return installFile(path, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600)
}

func createCert(path string, key *ecdsa.PrivateKey) error {
	serial, err := randomSerial()
	if err != nil {
		return err
	}
	// The name carries part of the serial, so that two installs (and the
	// commands that remove one from a Windows store) are told apart.
	suffix := strings.ToUpper(hex.EncodeToString(serial.Bytes()))
	if len(suffix) > 8 {
		suffix = suffix[:8]
	}
	now := time.Now().Add(-time.Hour)
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "mapiscope CA " + suffix, Organization: []string{"mapiscope"}},
		NotBefore:             now,
		NotAfter:              now.Add(caValidity),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return err
	}
	return installFile(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644)
}

// installFile puts data at path unless a file is already there. The data is
// written to a temporary file first and hard-linked into place, so a reader
// never sees half a file; where hard links are not supported, the file is
// created with O_EXCL instead. An existing file is not an error: the caller
// reads whatever is there.
func installFile(path string, data []byte, perm os.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("certificate authority: %w", err)
	}
	tmpName := tmp.Name()
	defer os.Remove(tmpName)
	err = tmp.Chmod(perm)
	if err != nil && runtime.GOOS != "windows" {
		tmp.Close()
		return fmt.Errorf("certificate authority: %w", err)
	}
	if _, err = tmp.Write(data); err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("certificate authority: %w", err)
	}
	err = os.Link(tmpName, path)
	if err == nil || errors.Is(err, fs.ErrExist) {
		return nil
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if errors.Is(err, fs.ErrExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("certificate authority: %w", err)
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return fmt.Errorf("certificate authority: %w", err)
	}
	return nil
}

func randomSerial() (*big.Int, error) {
	// 128 random bits, positive, first byte non-zero so the hex suffix has
	// its full length.
	for {
		n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
		if err != nil {
			return nil, err
		}
		if n.BitLen() > 120 {
			return n, nil
		}
	}
}

// Dir is the directory the CA files are in.
func (c *CA) Dir() string { return c.dir }

// CertPath is the path of the CA certificate (PEM).
func (c *CA) CertPath() string { return filepath.Join(c.dir, CertFile) }

// KeyPath is the path of the CA private key (PKCS#8 PEM, mode 0600).
func (c *CA) KeyPath() string { return filepath.Join(c.dir, KeyFile) }

// Certificate is the parsed CA certificate.
func (c *CA) Certificate() *x509.Certificate { return c.cert }

// Name is the CA's subject common name, as Windows' certificate stores show it.
func (c *CA) Name() string { return c.cert.Subject.CommonName }

// CertDER is the CA certificate in DER, the form of a Windows .cer file.
func (c *CA) CertDER() []byte { return append([]byte(nil), c.cert.Raw...) }

// CertPEM is the CA certificate in PEM.
func (c *CA) CertPEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.cert.Raw})
}

// Pool is a certificate pool holding only this CA.
func (c *CA) Pool() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(c.cert)
	return p
}

// Fingerprint is the SHA-256 of the certificate, colon-separated upper-case
// hex (as openssl and browsers print it).
func (c *CA) Fingerprint() string {
	sum := sha256.Sum256(c.cert.Raw)
	return colonHex(sum[:])
}

// Thumbprint is the SHA-1 of the certificate in upper-case hex without
// separators: the name Windows gives a certificate in its stores
// (Cert:\LocalMachine\Root\<thumbprint>, certutil). It identifies, it does not
// secure.
func (c *CA) Thumbprint() string {
	sum := sha1.Sum(c.cert.Raw)
	return strings.ToUpper(hex.EncodeToString(sum[:]))
}

// SerialHex is the serial number in hex, as certutil prints it.
func (c *CA) SerialHex() string { return hex.EncodeToString(c.cert.SerialNumber.Bytes()) }

func colonHex(b []byte) string {
	const digits = "0123456789ABCDEF"
	out := make([]byte, 0, len(b)*3)
	for i, v := range b {
		if i > 0 {
			out = append(out, ':')
		}
		out = append(out, digits[v>>4], digits[v&0x0f])
	}
	return string(out)
}

package server

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/mapiscope/mapiscope/server/store"
)

// RunConfig describes a server to start on a listener (mapiscope serve,
// the proxy's built-in upstream, the demo).
type RunConfig struct {
	// Listen is http://HOST:PORT or https://HOST:PORT (port 0 picks one).
	Listen string
	// PublicURL is the base URL clients use (default: the listen URL with
	// the port actually bound).
	PublicURL string
	// DataDir keeps the mailbox store (mailboxes.db); empty means a
	// temporary directory removed by Close.
	DataDir string
	// Users to create (and let log on); none means one demo user with a
	// generated password.
	Users []UserSpec
	// NoSeed leaves new mailboxes empty instead of seeding the demo mail.
	NoSeed bool
	// Deterministic mode (see Config.Deterministic).
	Deterministic bool
	// CertFile/KeyFile present a given certificate for https; without
	// them a self-signed one is made for the listen and public names.
	CertFile, KeyFile string
	Logger            *slog.Logger
	// Tune adjusts the server configuration before it starts.
	Tune func(*Config)
}

// Running is a started server.
type Running struct {
	Server *Server
	Store  *store.Store
	// URL is the base URL the listener answers on.
	URL             string
	AutodiscoverURL string
	Users           []UserSpec
	DataDir         string
	// CertDER is the self-signed certificate (https without CertFile).
	CertDER []byte

	hs  *http.Server
	tmp bool
}

// DemoUser is the user made when none is given.
const DemoUser = "demo@mapiscope.test"

// Start opens the store, creates the users and serves on the listener.
func Start(rc RunConfig) (*Running, error) {
	u, err := url.Parse(rc.Listen)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("--listen %q: want http://HOST:PORT or https://HOST:PORT", rc.Listen)
	}
	host := u.Host
	if u.Port() == "" {
		host = net.JoinHostPort(u.Hostname(), map[string]string{"http": "80", "https": "443"}[u.Scheme])
	}
	run := &Running{DataDir: rc.DataDir}
	if run.DataDir == "" {
		dir, err := os.MkdirTemp("", "mapiscope-serve-")
		if err != nil {
			return nil, err
		}
		run.DataDir, run.tmp = dir, true
	} else if err := os.MkdirAll(run.DataDir, 0o700); err != nil {
		return nil, err
	}
	fail := func(err error) (*Running, error) {
		run.Close()
		return nil, err
	}
	opts := store.Options{}
	if rc.Deterministic {
		opts = DeterministicStoreOptions()
	}
	st, err := store.Open(filepath.Join(run.DataDir, "mailboxes.db"), opts)
	if err != nil {
		return fail(err)
	}
	run.Store = st
	ln, err := net.Listen("tcp", host)
	if err != nil {
		return fail(err)
	}
	bound := ln.Addr().(*net.TCPAddr)
	base := u.Scheme + "://" + net.JoinHostPort(u.Hostname(), fmt.Sprint(bound.Port))
	run.URL = base
	public := rc.PublicURL
	if public == "" {
		public = base
	}
	cfg := Config{Store: st, PublicURL: public, Deterministic: rc.Deterministic, Logger: rc.Logger}
	if rc.Tune != nil {
		rc.Tune(&cfg)
	}
	srv, err := New(cfg)
	if err != nil {
		ln.Close()
		return fail(err)
	}
	run.Server = srv
	run.AutodiscoverURL = srv.AutodiscoverURL()
	users := rc.Users
	if len(users) == 0 {
		users = []UserSpec{{Email: DemoUser, Password: randomPassword(), DisplayName: "Demo User"}}
	}
	for _, us := range users {
		created, err := srv.AddUser(us.Email, us.Password, us.DisplayName)
		if err != nil {
			ln.Close()
			return fail(err)
		}
		if created && !rc.NoSeed {
			mb, err := st.MailboxByEmail(us.Email)
			if err == nil {
				err = st.SeedDemo(mb)
			}
			if err != nil {
				ln.Close()
				return fail(fmt.Errorf("seeding %s: %v", us.Email, err))
			}
		}
	}
	run.Users = users
	run.hs = &http.Server{Handler: srv, ReadHeaderTimeout: 30 * time.Second, ErrorLog: nil}
	if u.Scheme == "https" {
		var cert tls.Certificate
		if rc.CertFile != "" || rc.KeyFile != "" {
			cert, err = tls.LoadX509KeyPair(rc.CertFile, rc.KeyFile)
			if err != nil {
				ln.Close()
				return fail(fmt.Errorf("certificate: %v", err))
			}
		} else {
			names := []string{u.Hostname(), "localhost", "127.0.0.1", "::1"}
			if pu, err := url.Parse(public); err == nil && pu.Hostname() != "" {
				names = append(names, pu.Hostname())
			}
			cert, err = SelfSigned(names...)
			if err != nil {
				ln.Close()
				return fail(err)
			}
			run.CertDER = cert.Certificate[0]
		}
		ln = tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12, NextProtos: []string{"http/1.1"}})
	}
	go run.hs.Serve(ln)
	return run, nil
}

// Close stops the listener and the server, and closes the store
// (removing a temporary data directory).
func (r *Running) Close() error {
	var errs []error
	if r.hs != nil {
		errs = append(errs, r.hs.Close())
	}
	if r.Server != nil {
		r.Server.Close()
	}
	if r.Store != nil {
		errs = append(errs, r.Store.Close())
	}
	if r.tmp && r.DataDir != "" {
		errs = append(errs, os.RemoveAll(r.DataDir))
	}
	return errors.Join(errs...)
}

func randomPassword() string {
	const alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	b := make([]byte, 12)
	rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

// SelfSigned makes a self-signed ECDSA certificate for the names (DNS
// names or IP addresses), valid for a year.
func SelfSigned(names ...string) (tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, err
	}
	serial, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 120))
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "mapiscope built-in server", Organization: []string{"mapiscope"}},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(365 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
	}
	seen := map[string]bool{}
	for _, n := range names {
		n = strings.Trim(n, "[]")
		if n == "" || seen[n] {
			continue
		}
		seen[n] = true
		if ip := net.ParseIP(n); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, n)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, err
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, nil
}

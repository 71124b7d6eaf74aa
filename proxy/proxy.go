// Package proxy is mapiscope's recording proxy: it sits between a MAPI/HTTP
// client (Outlook) and the backing server, forwards every request as it
// comes and every response as it streams — PROCESSING and PENDING chunks
// reach the client as they arrive — and records each exchange into a
// trace beside the stream.
//
// In reverse mode it listens in the server's place and forwards to one
// upstream; in forward mode it is an explicit HTTP proxy that intercepts
// CONNECT tunnels to the hosts it is told to with leaf certificates from
// mapiscope's CA. Autodiscover responses and the NSPI GetMailboxUrl /
// GetAddressBookUrl answers are rewritten so that the client keeps talking
// through the proxy.
package proxy

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mapiscope/mapiscope/proxy/certs"
	"github.com/mapiscope/mapiscope/trace"
)

// Mode is reverse or forward.
type Mode string

const (
	Reverse Mode = "reverse"
	Forward Mode = "forward"
)

// Config configures a Proxy.
type Config struct {
	Mode Mode
	// Upstream is the server a reverse proxy forwards to.
	Upstream *url.URL
	// PublicURL is the base URL clients reach the proxy at; Autodiscover
	// and NSPI URLs are rewritten to it (reverse mode).
	PublicURL *url.URL
	// Intercept selects the CONNECT hosts a forward proxy decrypts and
	// records; Allow the other hosts it relays (tunnels or plain HTTP);
	// AllowAny relays to any host.
	Intercept *regexp.Regexp
	Allow     *regexp.Regexp
	AllowAny  bool
	// CA signs the leaf certificates of intercepted hosts (forward mode)
	// and of an https reverse listener without Cert.
	CA *certs.CA
	// Cert is presented by an https reverse listener instead of a leaf
	// from the CA (the server's own certificate, when available).
	Cert *tls.Certificate
	// UpstreamInsecure skips verification of the upstream's certificate.
	UpstreamInsecure bool
	// UpstreamAddr, when set, is the HOST:PORT dialled for the upstream
	// instead of its name (a proxy on the client's machine, whose hosts
	// file points the server name at the proxy itself).
	UpstreamAddr string
	// KeyLog receives NSS key log lines of both TLS legs.
	KeyLog io.Writer
	// Writer records exchanges; nil records nothing.
	Writer *trace.Writer
	// KeepSecrets keeps Authorization values in the trace.
	KeepSecrets bool
	// MaxBody bounds a request body (default 64 MiB) and the recorded copy
	// of a response body (longer responses are forwarded whole and
	// recorded cut, marked partial).
	MaxBody int64
	Logger  *slog.Logger
	// OnExchange, when set, sees each exchange after it is recorded.
	OnExchange func(*trace.Exchange)
}

// DefaultMaxBody is the default request-body and recorded-body limit.
const DefaultMaxBody = 64 << 20

// Proxy is a recording MAPI/HTTP proxy.
type Proxy struct {
	cfg  Config
	log  *slog.Logger
	rec  *recorder
	conn atomic.Int64 // connection counter

	mu    sync.Mutex
	conns map[net.Conn]*clientConn
	hs    []*http.Server
}

// New makes a proxy.
func New(cfg Config) (*Proxy, error) {
	switch cfg.Mode {
	case "", Reverse:
		cfg.Mode = Reverse
		if cfg.Upstream == nil || cfg.Upstream.Host == "" || (cfg.Upstream.Scheme != "http" && cfg.Upstream.Scheme != "https") {
			return nil, errors.New("reverse proxy: upstream must be an http(s) URL")
		}
	case Forward:
	default:
		return nil, fmt.Errorf("unknown proxy mode %q (reverse or forward)", cfg.Mode)
	}
	if cfg.MaxBody <= 0 {
		cfg.MaxBody = DefaultMaxBody
	}
	p := &Proxy{cfg: cfg, log: cfg.Logger, conns: map[net.Conn]*clientConn{}}
	if p.log == nil {
		p.log = slog.Default()
	}
	p.rec = newRecorder(cfg.Writer, p.log, cfg.OnExchange)
	return p, nil
}

// clientConn is what the proxy keeps per client connection: its own
// upstream transport, so that each client connection maps onto one
// upstream connection and connection-oriented authentication (NTLM,
// Negotiate) survives.
type clientConn struct {
	id        string
	transport *http.Transport
	// target is the origin of an intercepted CONNECT tunnel (forward
	// mode); nil elsewhere.
	target *url.URL
}

type connKey struct{}

func (p *Proxy) newTransport() *http.Transport {
	d := &net.Dialer{Timeout: 15 * time.Second, KeepAlive: 30 * time.Second}
	dial := d.DialContext
	if p.cfg.UpstreamAddr != "" {
		dial = func(ctx context.Context, network, _ string) (net.Conn, error) {
			return d.DialContext(ctx, network, p.cfg.UpstreamAddr)
		}
	}
	return &http.Transport{
		Proxy:               nil,
		DialContext:         dial,
		TLSClientConfig:     &tls.Config{InsecureSkipVerify: p.cfg.UpstreamInsecure, KeyLogWriter: p.cfg.KeyLog, NextProtos: []string{"http/1.1"}},
		TLSHandshakeTimeout: 15 * time.Second,
		DisableCompression:  true,
		MaxIdleConns:        1,
		MaxIdleConnsPerHost: 1,
		MaxConnsPerHost:     1,
		IdleConnTimeout:     2 * time.Minute,
		ForceAttemptHTTP2:   false,
	}
}

// server returns an http.Server running the proxy handler with one
// upstream transport per client connection.
func (p *Proxy) server(target *url.URL) *http.Server {
	hs := &http.Server{
		Handler:           p,
		ReadHeaderTimeout: 60 * time.Second,
		ErrorLog:          slog.NewLogLogger(p.log.Handler(), slog.LevelDebug),
		ConnContext: func(ctx context.Context, c net.Conn) context.Context {
			cc := &clientConn{id: fmt.Sprintf("proxy/%d", p.conn.Add(1)), transport: p.newTransport(), target: target}
			p.mu.Lock()
			p.conns[c] = cc
			p.mu.Unlock()
			return context.WithValue(ctx, connKey{}, cc)
		},
		ConnState: func(c net.Conn, st http.ConnState) {
			if st != http.StateClosed && st != http.StateHijacked {
				return
			}
			p.mu.Lock()
			cc := p.conns[c]
			delete(p.conns, c)
			p.mu.Unlock()
			if cc != nil && st == http.StateClosed {
				cc.transport.CloseIdleConnections()
			}
		},
	}
	p.mu.Lock()
	p.hs = append(p.hs, hs)
	p.mu.Unlock()
	return hs
}

func (p *Proxy) forget(hs *http.Server) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for i, h := range p.hs {
		if h == hs {
			p.hs = append(p.hs[:i], p.hs[i+1:]...)
			return
		}
	}
}

// Serve accepts client connections on ln (already TLS-wrapped for an
// https listener) until Close.
func (p *Proxy) Serve(ln net.Listener) error {
	err := p.server(nil).Serve(ln)
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// TLSConfig is the configuration of an https reverse listener: the given
// certificate, or leaves from the CA for the names clients ask for.
func (p *Proxy) TLSConfig() (*tls.Config, error) {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12, NextProtos: []string{"http/1.1"}, KeyLogWriter: p.cfg.KeyLog}
	switch {
	case p.cfg.Cert != nil:
		cfg.Certificates = []tls.Certificate{*p.cfg.Cert}
	case p.cfg.CA != nil:
		cfg.GetCertificate = p.cfg.CA.GetCertificate
	default:
		return nil, errors.New("an https listener needs --cert/--key or the CA")
	}
	return cfg, nil
}

// Close stops accepting, closes client connections and flushes the
// recorder (the trace writer stays open: its owner closes it).
func (p *Proxy) Close() error {
	p.mu.Lock()
	servers := p.hs
	p.hs = nil
	p.mu.Unlock()
	for _, hs := range servers {
		hs.Close()
	}
	return p.rec.close()
}

// hop-by-hop headers are not forwarded — RFC 9110 7.6.1.
var hopHeaders = []string{"Connection", "Proxy-Connection", "Keep-Alive", "Proxy-Authenticate", "Proxy-Authorization", "Te", "Trailer", "Transfer-Encoding", "Upgrade"}

func removeHop(h http.Header) {
	for _, f := range h.Values("Connection") {
		for _, name := range strings.Split(f, ",") {
			if name = strings.TrimSpace(name); name != "" {
				h.Del(name)
			}
		}
	}
	for _, name := range hopHeaders {
		h.Del(name)
	}
}

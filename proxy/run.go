package proxy

import (
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"regexp"

	"github.com/mapiscope/mapiscope/proxy/certs"
	"github.com/mapiscope/mapiscope/server"
	"github.com/mapiscope/mapiscope/trace"
)

// GCPercent is the garbage collector setting of mapiscope proxy and demo:
// the proxy keeps little live memory (the exchanges in flight and the
// recording queue), so collecting less often is cheap, and it leaves the
// CPU to forwarding.
const GCPercent = 400

// RunConfig describes a proxy to start (mapiscope proxy, mapiscope demo).
type RunConfig struct {
	Mode Mode
	// Listen is http(s)://HOST:PORT (port 0 picks one).
	Listen string
	// PublicURL is the base URL clients reach the proxy at (default: the
	// listen URL with the bound port).
	PublicURL string
	// Upstream is the server's URL, or "builtin" (or empty, in reverse
	// mode) for the built-in server started in-process.
	Upstream string
	// Users of the built-in server (none: a demo user).
	Users []server.UserSpec
	// BuiltinTune adjusts the built-in server's configuration.
	BuiltinTune func(*server.Config)
	// Trace is the trace file to record into (created when missing);
	// empty records nothing.
	Trace       string
	ToolVersion string
	Intercept   string // regular expression (forward mode)
	Allow       string // regular expression (forward mode)
	AllowAny    bool
	// CADir holds mapiscope's CA (default certs.DefaultDir()).
	CADir             string
	CertFile, KeyFile string
	UpstreamInsecure  bool
	UpstreamAddr      string
	KeyLog            string // file for NSS key log lines
	KeepSecrets       bool
	Logger            *slog.Logger
	OnExchange        func(*trace.Exchange)
}

// Running is a started proxy.
type Running struct {
	Proxy *Proxy
	// URL is the base URL the proxy listens on; AutodiscoverURL is the one
	// to give a client in reverse mode.
	URL             string
	AutodiscoverURL string
	Upstream        *url.URL
	// Builtin is the in-process built-in server, when used.
	Builtin *server.Running
	CA      *certs.CA

	trace   *trace.Trace
	writer  *trace.Writer
	keylog  *os.File
	ln      net.Listener
	serving chan error
}

// Start starts a proxy.
func Start(rc RunConfig) (*Running, error) {
	if rc.Mode == "" {
		rc.Mode = Reverse
	}
	lu, err := url.Parse(rc.Listen)
	if err != nil || (lu.Scheme != "http" && lu.Scheme != "https") || lu.Host == "" {
		return nil, fmt.Errorf("--listen %q: want http://HOST:PORT or https://HOST:PORT", rc.Listen)
	}
	run := &Running{serving: make(chan error, 1)}
	fail := func(err error) (*Running, error) {
		run.Close()
		return nil, err
	}
	cfg := Config{Mode: rc.Mode, KeepSecrets: rc.KeepSecrets, UpstreamInsecure: rc.UpstreamInsecure, UpstreamAddr: rc.UpstreamAddr, Logger: rc.Logger, OnExchange: rc.OnExchange}
	if rc.Intercept != "" {
		if cfg.Intercept, err = regexp.Compile(rc.Intercept); err != nil {
			return fail(fmt.Errorf("--intercept: %v", err))
		}
	}
	if rc.Allow != "" {
		if cfg.Allow, err = regexp.Compile(rc.Allow); err != nil {
			return fail(fmt.Errorf("--allow: %v", err))
		}
	}
	cfg.AllowAny = rc.AllowAny
	if rc.Mode == Reverse {
		if rc.Upstream == "" || rc.Upstream == "builtin" {
			b, err := server.Start(server.RunConfig{Listen: "http://127.0.0.1:0", Users: rc.Users, Logger: rc.Logger, Tune: rc.BuiltinTune})
			if err != nil {
				return fail(fmt.Errorf("built-in server: %v", err))
			}
			run.Builtin = b
			rc.Upstream = b.URL
		}
		up, err := url.Parse(rc.Upstream)
		if err != nil || up.Host == "" || (up.Scheme != "http" && up.Scheme != "https") {
			return fail(fmt.Errorf("--upstream %q: want an http(s) URL or builtin", rc.Upstream))
		}
		cfg.Upstream = &url.URL{Scheme: up.Scheme, Host: up.Host}
		run.Upstream = cfg.Upstream
	} else if rc.Upstream != "" {
		return fail(errors.New("--upstream is for reverse mode; a forward proxy goes where clients ask"))
	}
	if rc.KeyLog != "" {
		f, err := os.OpenFile(rc.KeyLog, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
		if err != nil {
			return fail(fmt.Errorf("--keylog: %v", err))
		}
		run.keylog = f
		cfg.KeyLog = f
	}
	needCA := (rc.Mode == Forward && cfg.Intercept != nil) || (lu.Scheme == "https" && rc.CertFile == "")
	if needCA {
		dir := rc.CADir
		if dir == "" {
			if dir, err = certs.DefaultDir(); err != nil {
				return fail(err)
			}
		}
		ca, err := certs.LoadOrCreateCA(dir, certs.WithFallbackHost(lu.Hostname()))
		if err != nil {
			return fail(fmt.Errorf("CA: %v", err))
		}
		run.CA, cfg.CA = ca, ca
	}
	if rc.CertFile != "" || rc.KeyFile != "" {
		cert, err := tls.LoadX509KeyPair(rc.CertFile, rc.KeyFile)
		if err != nil {
			return fail(fmt.Errorf("--cert/--key: %v", err))
		}
		cfg.Cert = &cert
	}
	if rc.Trace != "" {
		t, err := openTrace(rc.Trace)
		if err != nil {
			return fail(fmt.Errorf("trace %s: %v", rc.Trace, err))
		}
		run.trace = t
		w, err := t.NewWriter("proxy", rc.Trace, rc.ToolVersion)
		if err != nil {
			return fail(fmt.Errorf("trace %s: %v", rc.Trace, err))
		}
		run.writer = w
		cfg.Writer = w
	}
	ln, err := net.Listen("tcp", lu.Host)
	if err != nil {
		return fail(err)
	}
	run.ln = ln
	port := ln.Addr().(*net.TCPAddr).Port
	run.URL = fmt.Sprintf("%s://%s", lu.Scheme, net.JoinHostPort(lu.Hostname(), fmt.Sprint(port)))
	public := rc.PublicURL
	if public == "" {
		public = run.URL
	}
	if cfg.PublicURL, err = url.Parse(public); err != nil {
		return fail(fmt.Errorf("--public-url: %v", err))
	}
	run.AutodiscoverURL = public + "/autodiscover/autodiscover.xml"
	p, err := New(cfg)
	if err != nil {
		return fail(err)
	}
	run.Proxy = p
	if lu.Scheme == "https" {
		tc, err := p.TLSConfig()
		if err != nil {
			return fail(err)
		}
		ln = tls.NewListener(ln, tc)
	}
	go func() { run.serving <- p.Serve(ln) }()
	return run, nil
}

func openTrace(path string) (*trace.Trace, error) {
	if _, err := os.Stat(path); err == nil {
		return trace.Open(path)
	}
	return trace.Create(path)
}

// Close stops the proxy, records what is queued, closes the trace and
// stops the built-in server.
func (r *Running) Close() error {
	var errs []error
	if r.Proxy != nil {
		errs = append(errs, r.Proxy.Close())
	} else if r.ln != nil {
		r.ln.Close()
	}
	if r.writer != nil {
		errs = append(errs, r.writer.Close())
	}
	if r.trace != nil {
		errs = append(errs, r.trace.Close())
	}
	if r.Builtin != nil {
		errs = append(errs, r.Builtin.Close())
	}
	if r.keylog != nil {
		errs = append(errs, r.keylog.Close())
	}
	return errors.Join(errs...)
}

// Flush commits what has been recorded so far (for a live reader).
func (r *Running) Flush() error {
	if r.Proxy == nil {
		return nil
	}
	return r.Proxy.rec.flush()
}

var _ io.Writer = (*os.File)(nil)

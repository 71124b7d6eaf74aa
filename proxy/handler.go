package proxy

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/mapiscope/mapiscope/trace"
)

// ServeHTTP forwards one request and records the exchange.
func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodConnect {
		p.connect(w, r)
		return
	}
	cc, _ := r.Context().Value(connKey{}).(*clientConn)
	if cc == nil {
		cc = &clientConn{id: "proxy/0", transport: p.newTransport()}
	}
	ex := &trace.Exchange{
		Client: r.RemoteAddr, Conn: cc.id, Started: time.Now(),
		Method: r.Method, URL: r.URL.RequestURI(), Host: r.Host, Proto: r.Proto,
		ReqHeader: p.redact(r.Header), Source: "proxy",
	}
	target, err := p.target(r, cc)
	if err != nil {
		if r.URL.IsAbs() {
			ex.URL = r.URL.String()
		}
		p.fail(w, ex, http.StatusForbidden, err.Error())
		return
	}
	if cc.target == nil && p.cfg.Mode == Forward {
		ex.URL = r.URL.String() // forward-proxy form, as the client sent it
	}
	ex.Server = target.Host

	// Read the whole request body before forwarding (a streamed request
	// body through a reverse proxy loses replies under load:
	// golang/go#40747); MAPI/HTTP request bodies are small.
	body, err := io.ReadAll(io.LimitReader(r.Body, p.cfg.MaxBody+1))
	ex.ReqBody = body
	ex.RequestDone = time.Now()
	if err != nil {
		ex.ReqPartial = true
		ex.Error = "client gone while sending the request: " + oneLine(err.Error())
		p.rec.add(ex)
		return
	}
	if int64(len(body)) > p.cfg.MaxBody {
		ex.ReqBody = body[:p.cfg.MaxBody]
		ex.ReqPartial = true
		p.fail(w, ex, http.StatusRequestEntityTooLarge, fmt.Sprintf("request body over the proxy's limit of %d bytes", p.cfg.MaxBody))
		return
	}

	out, err := http.NewRequestWithContext(r.Context(), r.Method, target.Scheme+"://"+target.Host+r.URL.RequestURI(), bytes.NewReader(body))
	if err != nil {
		p.fail(w, ex, http.StatusBadRequest, oneLine(err.Error()))
		return
	}
	out.Header = r.Header.Clone()
	removeHop(out.Header)
	out.Host = target.Host
	out.ContentLength = int64(len(body))
	if len(body) == 0 && r.ContentLength <= 0 && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
		out.Body = http.NoBody
	}

	resp, err := cc.transport.RoundTrip(out)
	if err != nil {
		if r.Context().Err() != nil {
			ex.Error = "client gone before the response"
			ex.RespPartial = true
			p.rec.add(ex)
			return
		}
		p.fail(w, ex, http.StatusBadGateway, "upstream "+target.Host+": "+oneLine(err.Error()))
		return
	}
	defer resp.Body.Close()
	ex.ResponseStart = time.Now()
	ex.Status = resp.StatusCode
	ex.StatusText = strings.TrimSpace(strings.TrimPrefix(resp.Status, strconv.Itoa(resp.StatusCode)))
	ex.RespHeader = resp.Header.Clone()

	h := w.Header()
	for k, vs := range resp.Header {
		h[k] = append([]string(nil), vs...)
	}
	removeHop(h)
	if p.cfg.Mode == Reverse {
		rewriteSetCookies(h)
	}

	if kind := p.rewriteKind(r, resp); kind != rewriteNone {
		p.forwardRewritten(w, r, resp, ex, kind)
		return
	}
	if resp.ContentLength >= 0 {
		h.Set("Content-Length", strconv.FormatInt(resp.ContentLength, 10))
	}
	w.WriteHeader(resp.StatusCode)
	p.stream(w, r, resp, ex)
}

// stream copies the response body to the client as it arrives, flushing
// after every read so that PROCESSING and PENDING reach the client at
// once, and records a copy with its chunk timeline.
func (p *Proxy) stream(w http.ResponseWriter, r *http.Request, resp *http.Response, ex *trace.Exchange) {
	fl, _ := w.(http.Flusher)
	if fl != nil {
		fl.Flush()
	}
	buf := make([]byte, 32<<10)
	var rec []byte
	cut := false
	for {
		n, err := resp.Body.Read(buf)
		if n > 0 {
			at := time.Now()
			if !cut {
				if int64(len(rec)+n) > p.cfg.MaxBody {
					cut = true
				} else {
					ex.Chunks = append(ex.Chunks, trace.Chunk{Offset: len(rec), Length: n, At: at})
					rec = append(rec, buf[:n]...)
				}
			}
			if _, werr := w.Write(buf[:n]); werr != nil {
				ex.RespBody, ex.RespPartial, ex.Ended = rec, true, time.Now()
				ex.Error = "client gone mid-response: " + oneLine(werr.Error())
				p.rec.add(ex)
				return // the deferred Close cancels the upstream request
			}
			if fl != nil {
				fl.Flush()
			}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			ex.RespBody, ex.RespPartial, ex.Ended = rec, true, time.Now()
			if r.Context().Err() != nil {
				ex.Error = "client gone mid-response"
			} else {
				ex.Error = "upstream broke off the response: " + oneLine(err.Error())
			}
			p.rec.add(ex)
			// Abort the client's response so that it sees the break too.
			panic(http.ErrAbortHandler)
		}
	}
	ex.RespBody, ex.Ended = rec, time.Now()
	if cut {
		ex.RespPartial = true
		ex.Error = fmt.Sprintf("response recorded up to %d bytes (forwarded whole)", p.cfg.MaxBody)
	}
	p.rec.add(ex)
}

// fail answers the client with a one-line reason and records the
// exchange with it.
func (p *Proxy) fail(w http.ResponseWriter, ex *trace.Exchange, status int, reason string) {
	p.log.Warn("proxy", "status", status, "url", ex.URL, "reason", reason)
	msg := fmt.Sprintf("%d %s: mapiscope proxy: %s\n", status, http.StatusText(status), reason)
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Mapiscope-Error", reason)
	w.WriteHeader(status)
	io.WriteString(w, msg)
	now := time.Now()
	ex.ResponseStart, ex.Ended = now, now
	ex.Status, ex.StatusText = status, http.StatusText(status)
	ex.RespHeader = w.Header().Clone()
	ex.RespBody = []byte(msg)
	ex.Error = reason
	p.rec.add(ex)
}

// target is where a request goes: the upstream (reverse), the origin of
// an intercepted tunnel, or the absolute URL of a forward-proxy request.
func (p *Proxy) target(r *http.Request, cc *clientConn) (*url.URL, error) {
	if cc.target != nil {
		return cc.target, nil
	}
	if p.cfg.Mode == Reverse {
		return p.cfg.Upstream, nil
	}
	if !r.URL.IsAbs() || r.URL.Host == "" {
		return nil, errors.New("a forward proxy takes absolute URLs or CONNECT")
	}
	if r.URL.Scheme != "http" {
		return nil, fmt.Errorf("scheme %q: use CONNECT for https", r.URL.Scheme)
	}
	if !p.allowed(r.URL.Hostname()) {
		return nil, fmt.Errorf("host %s is not one the proxy relays to (--intercept, --allow or --allow-any)", r.URL.Hostname())
	}
	return &url.URL{Scheme: "http", Host: r.URL.Host}, nil
}

func (p *Proxy) allowed(host string) bool {
	return p.cfg.AllowAny || (p.cfg.Allow != nil && p.cfg.Allow.MatchString(host)) || (p.cfg.Intercept != nil && p.cfg.Intercept.MatchString(host))
}

// redact returns the headers to record: Authorization values reduced to
// their scheme unless KeepSecrets.
func (p *Proxy) redact(h http.Header) http.Header {
	c := h.Clone()
	if p.cfg.KeepSecrets {
		return c
	}
	for _, name := range []string{"Authorization", "Proxy-Authorization"} {
		vs := c.Values(name)
		if len(vs) == 0 {
			continue
		}
		out := make([]string, len(vs))
		for i, v := range vs {
			scheme, _, _ := strings.Cut(strings.TrimSpace(v), " ")
			out[i] = scheme + " [redacted]"
		}
		c[http.CanonicalHeaderKey(name)] = out
	}
	return c
}

// rewriteSetCookies drops the Domain attribute of upstream cookies, so
// that the client keeps them for the proxy's name.
func rewriteSetCookies(h http.Header) {
	vs := h.Values("Set-Cookie")
	if len(vs) == 0 {
		return
	}
	out := make([]string, 0, len(vs))
	for _, v := range vs {
		parts := strings.Split(v, ";")
		kept := parts[:1]
		for _, a := range parts[1:] {
			if k, _, _ := strings.Cut(strings.TrimSpace(a), "="); strings.EqualFold(k, "domain") {
				continue
			}
			kept = append(kept, a)
		}
		out = append(out, strings.Join(kept, ";"))
	}
	h["Set-Cookie"] = out
}

func oneLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return s
}

// ---- forward mode: CONNECT ----

// connect handles CONNECT: intercepted hosts get a TLS server with a leaf
// from the CA and their requests are proxied and recorded like any other;
// allowed hosts are tunnelled untouched; others are refused.
func (p *Proxy) connect(w http.ResponseWriter, r *http.Request) {
	host := r.Host
	name := host
	if h, _, err := net.SplitHostPort(host); err == nil {
		name = h
	} else {
		host = net.JoinHostPort(host, "443")
	}
	intercept := p.cfg.Mode == Forward && p.cfg.Intercept != nil && p.cfg.Intercept.MatchString(name) && p.cfg.CA != nil
	ex := &trace.Exchange{Client: r.RemoteAddr, Started: time.Now(), Method: r.Method, URL: host, Host: host, Proto: r.Proto, ReqHeader: p.redact(r.Header), Server: host, Source: "proxy"}
	if p.cfg.Mode != Forward || !(intercept || p.allowed(name)) {
		p.fail(w, ex, http.StatusForbidden, fmt.Sprintf("CONNECT to %s refused: not a host the proxy relays to (--intercept, --allow or --allow-any)", name))
		return
	}
	hj, ok := w.(http.Hijacker)
	if !ok {
		p.fail(w, ex, http.StatusInternalServerError, "connection cannot be taken over")
		return
	}
	var upstream net.Conn
	if !intercept {
		var err error
		upstream, err = net.DialTimeout("tcp", host, 15*time.Second)
		if err != nil {
			p.fail(w, ex, http.StatusBadGateway, "upstream "+host+": "+oneLine(err.Error()))
			return
		}
	}
	conn, brw, err := hj.Hijack()
	if err != nil {
		if upstream != nil {
			upstream.Close()
		}
		return
	}
	io.WriteString(conn, "HTTP/1.1 200 Connection Established\r\n\r\n")
	client := net.Conn(conn)
	if brw.Reader.Buffered() > 0 {
		client = &prefixConn{Conn: conn, r: io.MultiReader(bytes.NewReader(peek(brw.Reader)), conn)}
	}
	if !intercept {
		tunnel(client, upstream)
		return
	}
	tc := tls.Server(client, &tls.Config{
		MinVersion: tls.VersionTLS12, NextProtos: []string{"http/1.1"}, KeyLogWriter: p.cfg.KeyLog,
		GetCertificate: func(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
			n := hello.ServerName
			if n == "" {
				n = name
			}
			return p.cfg.CA.Leaf(n)
		},
	})
	hs := p.server(&url.URL{Scheme: "https", Host: host})
	hs.Serve(newOneConnListener(tc))
	p.forget(hs)
}

func peek(r *bufio.Reader) []byte {
	b, _ := r.Peek(r.Buffered())
	return append([]byte(nil), b...)
}

type prefixConn struct {
	net.Conn
	r io.Reader
}

func (c *prefixConn) Read(b []byte) (int, error) { return c.r.Read(b) }

func tunnel(a, b net.Conn) {
	var wg sync.WaitGroup
	wg.Add(2)
	cp := func(dst, src net.Conn) {
		defer wg.Done()
		io.Copy(dst, src)
		if c, ok := dst.(interface{ CloseWrite() error }); ok {
			c.CloseWrite()
		} else {
			dst.Close()
		}
	}
	go cp(a, b)
	go cp(b, a)
	wg.Wait()
	a.Close()
	b.Close()
}

// oneConnListener serves one connection: Accept returns it once, then
// blocks until it is closed.
type oneConnListener struct {
	conn   net.Conn
	once   sync.Once
	closed chan struct{}
	taken  bool
	mu     sync.Mutex
}

func newOneConnListener(c net.Conn) *oneConnListener {
	l := &oneConnListener{closed: make(chan struct{})}
	l.conn = &notifyConn{Conn: c, l: l}
	return l
}

func (l *oneConnListener) Accept() (net.Conn, error) {
	l.mu.Lock()
	if !l.taken {
		l.taken = true
		l.mu.Unlock()
		return l.conn, nil
	}
	l.mu.Unlock()
	<-l.closed
	return nil, net.ErrClosed
}

func (l *oneConnListener) Close() error {
	l.once.Do(func() { close(l.closed) })
	return nil
}

func (l *oneConnListener) Addr() net.Addr { return l.conn.LocalAddr() }

type notifyConn struct {
	net.Conn
	l *oneConnListener
}

func (c *notifyConn) Close() error {
	err := c.Conn.Close()
	c.l.Close()
	return err
}

package certs

import (
	"container/list"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"
)

// leafValidity keeps leaves under the 397-day limit that browsers and the
// CA/Browser Forum put on server certificates; some TLS stacks apply it to
// locally trusted roots too.
const leafValidity = 396 * 24 * time.Hour

// leafRenewBefore: a cached leaf this close to expiry is minted again.
const leafRenewBefore = 24 * time.Hour

const defaultLeafCache = 1024

// leafCache is a bounded LRU of leaves by host. Guarded by CA.mu.
type leafCache struct {
	max   int
	order list.List // front = most recently used; values are *leafEntry
	byKey map[string]*list.Element
}

type leafEntry struct {
	host string
	cert *tls.Certificate
}

func (lc *leafCache) get(host string, now time.Time) *tls.Certificate {
	e, ok := lc.byKey[host]
	if !ok {
		return nil
	}
	le := e.Value.(*leafEntry)
	if now.Add(leafRenewBefore).After(le.cert.Leaf.NotAfter) {
		lc.order.Remove(e)
		delete(lc.byKey, host)
		return nil
	}
	lc.order.MoveToFront(e)
	return le.cert
}

func (lc *leafCache) put(host string, cert *tls.Certificate) {
	if lc.byKey == nil {
		lc.byKey = make(map[string]*list.Element)
	}
	if e, ok := lc.byKey[host]; ok {
		e.Value.(*leafEntry).cert = cert
		lc.order.MoveToFront(e)
		return
	}
	lc.byKey[host] = lc.order.PushFront(&leafEntry{host: host, cert: cert})
	max := lc.max
	if max <= 0 {
		max = defaultLeafCache
	}
	for lc.order.Len() > max {
		last := lc.order.Back()
		lc.order.Remove(last)
		delete(lc.byKey, last.Value.(*leafEntry).host)
	}
}

// Leaf returns a server certificate for host (a DNS name or an IP address),
// signed by the CA, with the chain [leaf, CA]. Leaves are cached per host.
func (c *CA) Leaf(host string) (*tls.Certificate, error) {
	name, ip, err := normalizeHost(host)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	c.mu.Lock()
	cert := c.leaves.get(name, now)
	c.mu.Unlock()
	if cert != nil {
		return cert, nil
	}
	// Minted outside the lock: two goroutines asking for the same new host
	// both mint one and the later put wins; either certificate is valid.
	cert, err = c.mint(name, ip, now)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	c.leaves.put(name, cert)
	c.mu.Unlock()
	return cert, nil
}

func (c *CA) mint(name string, ip net.IP, now time.Time) (*tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	serial, err := randomSerial()
	if err != nil {
		return nil, err
	}
	notBefore := now.Add(-time.Hour)
	if notBefore.Before(c.cert.NotBefore) {
		notBefore = c.cert.NotBefore
	}
	notAfter := notBefore.Add(leafValidity)
	if notAfter.After(c.cert.NotAfter) {
		notAfter = c.cert.NotAfter
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: name, Organization: []string{"mapiscope"}},
		NotBefore:             notBefore,
		NotAfter:              notAfter,
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
	}
	if ip != nil {
		tmpl.IPAddresses = []net.IP{ip}
	} else {
		tmpl.DNSNames = []string{name}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, c.cert, &key.PublicKey, c.key)
	if err != nil {
		return nil, fmt.Errorf("leaf certificate for %s: %w", name, err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("leaf certificate for %s: %w", name, err)
	}
	return &tls.Certificate{Certificate: [][]byte{der, c.cert.Raw}, PrivateKey: key, Leaf: leaf}, nil
}

// GetCertificate is a tls.Config.GetCertificate: the leaf for the SNI name,
// or, when the client sent none, for the fallback host or else the local IP
// address the client connected to.
func (c *CA) GetCertificate(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
	if hello == nil {
		return nil, errors.New("leaf certificate: no ClientHello")
	}
	host := hello.ServerName
	if host == "" {
		host = c.fallback
	}
	if host == "" && hello.Conn != nil {
		if a, ok := hello.Conn.LocalAddr().(*net.TCPAddr); ok {
			host = a.IP.String()
		} else if h, _, err := net.SplitHostPort(hello.Conn.LocalAddr().String()); err == nil {
			host = h
		}
	}
	if host == "" {
		return nil, errors.New("leaf certificate: client sent no server name and no fallback host is set")
	}
	return c.Leaf(host)
}

// normalizeHost lower-cases a DNS name and drops a trailing dot, or parses an
// IP address (brackets and an IPv6 zone allowed). Anything else — a port,
// spaces, a wildcard, an empty label — is refused rather than signed.
func normalizeHost(host string) (string, net.IP, error) {
	h := strings.TrimSpace(host)
	if strings.HasPrefix(h, "[") && strings.HasSuffix(h, "]") {
		h = h[1 : len(h)-1]
	}
	if i := strings.IndexByte(h, '%'); i >= 0 && strings.Contains(h, ":") {
		h = h[:i]
	}
	if ip := net.ParseIP(h); ip != nil {
		if v4 := ip.To4(); v4 != nil {
			ip = v4
		}
		return ip.String(), ip, nil
	}
	h = strings.ToLower(strings.TrimSuffix(h, "."))
	if h == "" || len(h) > 253 {
		return "", nil, fmt.Errorf("leaf certificate: %q is not a host name", host)
	}
	for _, label := range strings.Split(h, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return "", nil, fmt.Errorf("leaf certificate: %q is not a host name", host)
		}
		for i := 0; i < len(label); i++ {
			b := label[i]
			if !(b >= 'a' && b <= 'z' || b >= '0' && b <= '9' || b == '-' || b == '_') {
				return "", nil, fmt.Errorf("leaf certificate: %q is not a host name", host)
			}
		}
	}
	return h, nil, nil
}

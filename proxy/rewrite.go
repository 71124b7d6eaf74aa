package proxy

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/mapiscope/mapiscope/decode/autodiscover"
	"github.com/mapiscope/mapiscope/decode/mapihttp"
	"github.com/mapiscope/mapiscope/decode/nspi"
	"github.com/mapiscope/mapiscope/decode/wire"
	"github.com/mapiscope/mapiscope/trace"
)

// Rewriting keeps a client on the proxy after discovery: in reverse mode
// the URLs an Autodiscover response gives ([MS-OXDSCLI] 2.2.4.1.1.2.3:
// the mapiHttp MailStore and AddressBook URLs, EWS and the others) and the
// EXHTTP/EXPR server names are pointed at the proxy, and so are the URLs
// of the NSPI GetMailboxUrl and GetAddressBookUrl responses
// ([MS-OXCMAPIHTTP] 2.2.5.19, 2.2.5.20).

type rewriteKind uint8

const (
	rewriteNone rewriteKind = iota
	rewriteAutodiscover
	rewriteNspiURL
)

func (p *Proxy) rewriteKind(r *http.Request, resp *http.Response) rewriteKind {
	if p.cfg.Mode != Reverse || p.cfg.PublicURL == nil || resp.StatusCode != http.StatusOK {
		return rewriteNone
	}
	path := strings.ToLower(r.URL.Path)
	if strings.HasSuffix(path, "/autodiscover/autodiscover.xml") {
		return rewriteAutodiscover
	}
	if strings.HasPrefix(path, "/mapi/nspi") {
		if t, ok := mapihttp.ParseRequestType(r.Header.Get(mapihttp.HeaderRequestType)); ok && (t == mapihttp.TypeGetMailboxUrl || t == mapihttp.TypeGetAddressBookUrl) {
			return rewriteNspiURL
		}
	}
	return rewriteNone
}

// proxyURL points u (an absolute URL) at the proxy, keeping its path and
// query, when it names the upstream or a MAPI/Autodiscover path.
func (p *Proxy) proxyURL(u string) string {
	pu, err := url.Parse(strings.TrimSpace(u))
	if err != nil || !pu.IsAbs() || pu.Host == "" {
		return u
	}
	up := p.cfg.Upstream
	samehost := strings.EqualFold(pu.Hostname(), up.Hostname())
	mapi := strings.HasPrefix(strings.ToLower(pu.Path), "/mapi/")
	if !samehost && !mapi {
		return u
	}
	pu.Scheme = p.cfg.PublicURL.Scheme
	pu.Host = p.cfg.PublicURL.Host
	return pu.String()
}

// forwardRewritten reads a small response whole, rewrites it and sends it.
func (p *Proxy) forwardRewritten(w http.ResponseWriter, r *http.Request, resp *http.Response, ex *trace.Exchange, kind rewriteKind) {
	body, err := io.ReadAll(io.LimitReader(resp.Body, p.cfg.MaxBody))
	ex.Chunks = []trace.Chunk{{Offset: 0, Length: len(body), At: time.Now()}}
	if err != nil {
		ex.RespBody, ex.RespPartial, ex.Ended = body, true, time.Now()
		ex.Error = "upstream broke off the response: " + oneLine(err.Error())
		p.rec.add(ex)
		panic(http.ErrAbortHandler)
	}
	var out []byte
	var n int
	switch kind {
	case rewriteAutodiscover:
		out, n, err = p.rewriteAutodiscover(body)
	case rewriteNspiURL:
		out, n, err = p.rewriteNspi(body)
	}
	note := ""
	if err != nil {
		out = body
		note = "not rewritten: " + oneLine(err.Error())
		p.log.Warn("proxy: response not rewritten", "url", ex.URL, "err", err)
	} else {
		note = fmt.Sprintf("%d URLs pointed at the proxy", n)
	}
	h := w.Header()
	h.Set("Content-Length", strconv.Itoa(len(out)))
	h.Del("Content-MD5")
	w.WriteHeader(resp.StatusCode)
	_, werr := w.Write(out)
	ex.RespBody, ex.Ended = out, time.Now()
	ex.Chunks = []trace.Chunk{{Offset: 0, Length: len(out), At: ex.Ended}}
	// The trace keeps what the client received; the header says so.
	ex.RespHeader.Set("X-Mapiscope-Rewritten", note)
	if werr != nil {
		ex.RespPartial = true
		ex.Error = "client gone mid-response: " + oneLine(werr.Error())
	}
	p.rec.add(ex)
}

func (p *Proxy) rewriteAutodiscover(body []byte) ([]byte, int, error) {
	doc, err := autodiscover.Parse(body)
	if err != nil {
		return nil, 0, err
	}
	n, err := autodiscover.RewriteURLs(doc, p.proxyURL)
	if err != nil {
		return nil, 0, err
	}
	host := p.cfg.PublicURL.Hostname()
	m, err := autodiscover.RewriteServers(doc, func(string) string { return host })
	if err != nil {
		return nil, 0, err
	}
	out, err := doc.Marshal()
	return out, n + m, err
}

func (p *Proxy) rewriteNspi(body []byte) ([]byte, int, error) {
	f, err := mapihttp.ParseResponseBody(body)
	if err != nil {
		return nil, 0, err
	}
	// GetMailboxUrl and GetAddressBookUrl responses share one layout.
	resp := &nspi.GetMailboxUrlResponse{}
	urlp := &resp.ServerUrl
	c := wire.NewDecoder(f.Body, false, "nspi url response")
	resp.Codec(c)
	if c.Failed() {
		return nil, 0, fmt.Errorf("%s", c.Anomalies()[0].Reason)
	}
	if *urlp == "" {
		return body, 0, nil
	}
	old := *urlp
	*urlp = p.proxyURL(old)
	if *urlp == old {
		return body, 0, nil
	}
	enc := wire.NewEncoder(nil)
	resp.Codec(enc)
	if err := enc.Err(); err != nil {
		return nil, 0, err
	}
	f.Body = enc.Output()
	return f.Bytes(), 1, nil
}

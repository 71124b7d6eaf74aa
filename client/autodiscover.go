package client

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/mapiscope/mapiscope/decode/autodiscover"
)

// Discovery is what Autodiscover says about a mailbox: the user and the
// MAPI/HTTP endpoints.
type Discovery struct {
	DisplayName string
	LegacyDN    string
	// MailStoreURL and AddressBookURL are the mapiHttp MailStore and
	// AddressBook URLs, internal preferred, external as fallback.
	MailStoreURL   string
	AddressBookURL string
	// Raw is the response document as received.
	Raw []byte
}

// AutodiscoverError is an Autodiscover error response — [MS-OXDSCLI]
// 2.2.4.1.1.3.
type AutodiscoverError struct {
	Code      int
	ErrorCode string
	Message   string
	DebugData string
}

func (e *AutodiscoverError) Error() string {
	s := "autodiscover error " + e.ErrorCode
	if n := autodiscover.ErrorCodeName(e.Code); n != "" {
		s += " (" + n + ")"
	}
	if e.Message != "" {
		s += ": " + e.Message
	}
	return s
}

// maxRedirects bounds redirectAddr / redirectUrl hops.
const maxRedirects = 5

// Autodiscover POSTs the POX request for cfg.Email to url (…/autodiscover/
// autodiscover.xml) asking for MAPI/HTTP settings — [MS-OXDSCLI] 2.2.3,
// 3.1.5 — and returns the mapiHttp endpoints ([MS-OXDSCLI] 2.2.4.1.1.2.6).
// It follows redirectAddr and redirectUrl responses a few times.
func Autodiscover(ctx context.Context, url string, cfg Config) (*Discovery, error) {
	hc := cfg.httpClient()
	email := cfg.Email
	for hop := 0; ; hop++ {
		doc, raw, err := autodiscoverOnce(ctx, hc, url, email, cfg)
		if err != nil {
			return nil, err
		}
		r := doc.Response
		if r == nil {
			return nil, errors.New("autodiscover: the document is not a response")
		}
		if r.IsError() {
			e := r.Error
			return nil, &AutodiscoverError{Code: e.Code(), ErrorCode: e.ErrorCode, Message: e.Message, DebugData: e.DebugData}
		}
		if a := r.Account; a != nil && hop < maxRedirects {
			switch {
			case strings.EqualFold(a.Action, autodiscover.ActionRedirectAddr) && a.RedirectAddr != "":
				email = a.RedirectAddr
				continue
			case strings.EqualFold(a.Action, autodiscover.ActionRedirectURL) && a.RedirectUrl != "":
				// Credentials go only to an https URL ([MS-OXDSCLI] 3.1.5.3).
				if !strings.HasPrefix(strings.ToLower(a.RedirectUrl), "https://") {
					return nil, fmt.Errorf("autodiscover: redirectUrl %q is not https; not sending credentials there", a.RedirectUrl)
				}
				url = a.RedirectUrl
				continue
			}
		}
		p := r.MapiHTTP()
		if p == nil {
			return nil, errors.New("autodiscover: the response has no <Protocol Type=\"mapiHttp\">: the server does not offer MAPI/HTTP")
		}
		d := &Discovery{Raw: raw, MailStoreURL: endpointURL(p.MailStore), AddressBookURL: endpointURL(p.AddressBook)}
		if u := r.User; u != nil {
			d.DisplayName, d.LegacyDN = u.DisplayName, u.LegacyDN
		}
		if d.MailStoreURL == "" || d.AddressBookURL == "" {
			return d, errors.New("autodiscover: the mapiHttp protocol lacks a MailStore or AddressBook URL")
		}
		return d, nil
	}
}

func endpointURL(e *autodiscover.MapiEndpoint) string {
	if e == nil {
		return ""
	}
	if u := strings.TrimSpace(e.InternalUrl); u != "" {
		return u
	}
	return strings.TrimSpace(e.ExternalUrl)
}

func autodiscoverOnce(ctx context.Context, hc *http.Client, url, email string, cfg Config) (*autodiscover.Document, []byte, error) {
	body := autodiscover.BuildRequest(autodiscover.Request{EMailAddress: email})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return nil, nil, fmt.Errorf("autodiscover: %w", err)
	}
	h := req.Header
	h.Set("Content-Type", "text/xml; charset=utf-8")
	h.Set("X-MapiHttpCapability", "1")
	h.Set("X-AnchorMailbox", email)
	h.Set("X-ClientCanHandle", "Negotiate, ExHttpInfo")
	if cfg.UserAgent != "" {
		h.Set("User-Agent", cfg.UserAgent)
	}
	req.SetBasicAuth(cfg.username(), cfg.Password)
	ex := &Exchange{Endpoint: "autodiscover", URL: url, RequestHeader: redacted(h), Request: body}
	raw, err := roundTrip(hc, req, ex, false, nil)
	var doc *autodiscover.Document
	if err == nil {
		if doc, err = autodiscover.Parse(raw); err != nil {
			err = fmt.Errorf("autodiscover response: %w", err)
		}
	}
	ex.Err = err
	if cfg.Observer != nil {
		cfg.Observer(*ex)
	}
	if err != nil {
		return nil, raw, err
	}
	return doc, raw, nil
}

package autodiscover

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

const xmlDecl = `<?xml version="1.0" encoding="utf-8"?>` + "\n"

// writer builds indented XML the way Exchange lays out its responses: two
// spaces an indent level, one element a line.
type writer struct {
	b     strings.Builder
	depth int
}

func (w *writer) indent() {
	for range w.depth {
		w.b.WriteString("  ")
	}
}

// open writes <name attrs…> on its own line; attrs are name, value pairs.
func (w *writer) open(name string, attrs ...string) {
	w.indent()
	w.b.WriteString("<" + name)
	for i := 0; i+1 < len(attrs); i += 2 {
		w.b.WriteString(" " + attrs[i] + `="` + escapeAttr(attrs[i+1]) + `"`)
	}
	w.b.WriteString(">\n")
	w.depth++
}

func (w *writer) close(name string) {
	w.depth--
	w.indent()
	w.b.WriteString("</" + name + ">\n")
}

// leaf writes <name>value</name>, or <name /> for an empty value.
func (w *writer) leaf(name, value string, attrs ...string) {
	w.indent()
	w.b.WriteString("<" + name)
	for i := 0; i+1 < len(attrs); i += 2 {
		w.b.WriteString(" " + attrs[i] + `="` + escapeAttr(attrs[i+1]) + `"`)
	}
	if value == "" {
		w.b.WriteString(" />\n")
		return
	}
	w.b.WriteString(">" + escapeText(value) + "</" + name + ">\n")
}

// opt writes a leaf only when value is not empty.
func (w *writer) opt(name, value string) {
	if value != "" {
		w.leaf(name, value)
	}
}

func (w *writer) bytes() []byte { return []byte(w.b.String()) }

// BuildRequest writes a POX request. An empty AcceptableResponseSchema
// becomes OutlookResponseSchema (2006a). EMailAddress and LegacyDN are
// written when set, in that order.
func BuildRequest(r Request) []byte {
	if r.AcceptableResponseSchema == "" {
		r.AcceptableResponseSchema = OutlookResponseSchema
	}
	var w writer
	w.b.WriteString(xmlDecl)
	w.open("Autodiscover", "xmlns", RequestSchema)
	w.open("Request")
	w.opt("EMailAddress", r.EMailAddress)
	w.opt("LegacyDN", r.LegacyDN)
	w.leaf("AcceptableResponseSchema", r.AcceptableResponseSchema)
	w.close("Request")
	w.close("Autodiscover")
	return w.bytes()
}

// BuildOption adjusts NewMapiHTTPResponse.
type BuildOption func(*buildConfig)

type buildConfig struct {
	extMailStore, extAddressBook string
	hasExternal                  bool
	version                      int
	microsoftOnline              string
	protocols                    []Protocol
}

// WithExternalURLs sets the ExternalUrl of MailStore and AddressBook
// (by default both equal the InternalUrl; an empty value leaves ExternalUrl
// out).
func WithExternalURLs(mailStore, addressBook string) BuildOption {
	return func(c *buildConfig) { c.extMailStore, c.extAddressBook, c.hasExternal = mailStore, addressBook, true }
}

// WithVersion sets the mapiHttp Version attribute (default 1). It must not
// exceed the client's X-MapiHttpCapability ([MS-OXDSCLI] 2.2.4.1.1.2.6).
func WithVersion(v int) BuildOption { return func(c *buildConfig) { c.version = v } }

// WithMicrosoftOnline sets the MicrosoftOnline element ("False" by
// default; "" leaves it out).
func WithMicrosoftOnline(v string) BuildOption { return func(c *buildConfig) { c.microsoftOnline = v } }

// WithProtocols appends further Protocol sections after the mapiHttp one
// (a WEB section with OWA and EWS URLs, say).
func WithProtocols(p ...Protocol) BuildOption {
	return func(c *buildConfig) { c.protocols = append(c.protocols, p...) }
}

// NewMapiHTTPResponse writes a 2006a settings response for the built-in
// server, laid out as Exchange does: User, then Account with AccountType
// email, Action settings, MicrosoftOnline and a
// <Protocol Type="mapiHttp" Version="1"> section whose MailStore and
// AddressBook carry InternalUrl and ExternalUrl.
func NewMapiHTTPResponse(user User, mailStoreURL, addressBookURL string, opts ...BuildOption) []byte {
	c := buildConfig{extMailStore: mailStoreURL, extAddressBook: addressBookURL, version: 1, microsoftOnline: "False"}
	for _, o := range opts {
		o(&c)
	}
	if c.version < 1 {
		c.version = 1
	}
	mapi := Protocol{TypeAttr: TypeMapiHTTP, Version: strconv.Itoa(c.version),
		MailStore:   &MapiEndpoint{InternalUrl: mailStoreURL, ExternalUrl: c.extMailStore},
		AddressBook: &MapiEndpoint{InternalUrl: addressBookURL, ExternalUrl: c.extAddressBook}}
	acc := Account{AccountType: "email", Action: ActionSettings, MicrosoftOnline: c.microsoftOnline}
	protocols := append([]Protocol{mapi}, c.protocols...)
	return buildResponse(&user, &acc, protocols)
}

// NewRedirectAddrResponse writes a 2006a response that sends the client
// to another address ([MS-OXDSCLI] 4.2 lays it out).
func NewRedirectAddrResponse(addr string) []byte {
	return buildResponse(nil, &Account{Action: ActionRedirectAddr, RedirectAddr: addr}, nil)
}

// NewRedirectURLResponse writes a 2006a response that sends the client to
// another Autodiscover URL.
func NewRedirectURLResponse(url string) []byte {
	return buildResponse(nil, &Account{Action: ActionRedirectURL, RedirectUrl: url}, nil)
}

func buildResponse(u *User, a *Account, protocols []Protocol) []byte {
	var w writer
	w.b.WriteString(xmlDecl)
	w.open("Autodiscover", "xmlns", ResponseSchema)
	w.open("Response", "xmlns", OutlookResponseSchema)
	if u != nil {
		w.open("User")
		w.opt("DisplayName", u.DisplayName)
		w.opt("LegacyDN", u.LegacyDN)
		w.opt("AutoDiscoverSMTPAddress", u.AutoDiscoverSMTPAddress)
		w.opt("DeploymentId", u.DeploymentId)
		w.opt("DefaultABView", u.DefaultABView)
		w.close("User")
	}
	w.open("Account")
	w.opt("AccountType", a.AccountType)
	w.leaf("Action", a.Action)
	w.opt("RedirectAddr", a.RedirectAddr)
	w.opt("RedirectUrl", a.RedirectUrl)
	w.opt("MicrosoftOnline", a.MicrosoftOnline)
	w.opt("ConsumerMailbox", a.ConsumerMailbox)
	for i := range protocols {
		writeProtocol(&w, &protocols[i])
	}
	w.close("Account")
	w.close("Response")
	w.close("Autodiscover")
	return w.bytes()
}

func writeProtocol(w *writer, p *Protocol) {
	var attrs []string
	if p.TypeAttr != "" {
		attrs = append(attrs, "Type", p.TypeAttr)
		if p.Version != "" {
			attrs = append(attrs, "Version", p.Version)
		}
	}
	w.open("Protocol", attrs...)
	if p.TypeAttr == "" {
		w.opt("Type", p.Type)
	}
	for _, side := range []struct {
		name string
		web  *WebEndpoints
	}{{"Internal", p.Internal}, {"External", p.External}} {
		if side.web == nil {
			continue
		}
		w.open(side.name)
		for _, o := range side.web.OWAUrls {
			if o.AuthenticationMethod != "" {
				w.leaf("OWAUrl", o.URL, "AuthenticationMethod", o.AuthenticationMethod)
			} else {
				w.leaf("OWAUrl", o.URL)
			}
		}
		for _, np := range side.web.Protocols {
			writeProtocol(w, np)
		}
		w.close(side.name)
	}
	for _, f := range protocolFields {
		w.opt(f.name, *f.f(p))
	}
	for _, m := range []struct {
		name string
		ep   *MapiEndpoint
	}{{"MailStore", p.MailStore}, {"AddressBook", p.AddressBook}} {
		if m.ep == nil {
			continue
		}
		w.open(m.name)
		w.opt("InternalUrl", m.ep.InternalUrl)
		w.opt("ExternalUrl", m.ep.ExternalUrl)
		w.close(m.name)
	}
	w.close("Protocol")
}

// NewErrorResponse writes the error response of [MS-OXDSCLI] 2.2.4.1.1.3:
// Autodiscover/Response/Error with Time and Id attributes, ErrorCode,
// Message and DebugData, all in the 2006 namespace. An empty Message
// becomes ErrorCodeMessage(code); empty Time and Id attributes are left
// out.
func NewErrorResponse(e Error) []byte {
	if e.Message == "" {
		e.Message = ErrorCodeMessage(e.Code())
	}
	var attrs []string
	if e.Time != "" {
		attrs = append(attrs, "Time", e.Time)
	}
	if e.Id != "" {
		attrs = append(attrs, "Id", e.Id)
	}
	var w writer
	w.b.WriteString(xmlDecl)
	w.open("Autodiscover", "xmlns", ResponseSchema)
	w.open("Response", "xmlns", ResponseSchema)
	w.open("Error", attrs...)
	w.leaf("ErrorCode", e.ErrorCode)
	w.leaf("Message", e.Message)
	w.leaf("DebugData", e.DebugData)
	w.close("Error")
	w.close("Response")
	w.close("Autodiscover")
	return w.bytes()
}

// NewNotFoundResponse writes the error response for an address the server
// does not know: ErrorCode 500 at time t.
func NewNotFoundResponse(t time.Time, id string) []byte {
	return NewErrorResponse(Error{ErrorCode: strconv.Itoa(ErrorEmailNotFound), Time: FormatErrorTime(t), Id: id})
}

// FormatErrorTime writes an Error Time attribute as Exchange does:
// hh:mm:ss.fffffff (UTC, 100-nanosecond ticks).
func FormatErrorTime(t time.Time) string {
	t = t.UTC()
	return fmt.Sprintf("%02d:%02d:%02d.%07d", t.Hour(), t.Minute(), t.Second(), t.Nanosecond()/100)
}

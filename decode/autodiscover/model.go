package autodiscover

import (
	"strconv"
	"strings"
)

// Request is the POX request — [MS-OXDSCLI] 2.2.3: Autodiscover/Request
// with EMailAddress or LegacyDN, and AcceptableResponseSchema.
type Request struct {
	EMailAddress             string
	LegacyDN                 string
	AcceptableResponseSchema string
	Elem                     *Element `json:"-"`
}

// Response is Autodiscover/Response — [MS-OXDSCLI] 2.2.4.1.1: User and
// Account for a settings or redirect response, Error for an error response.
type Response struct {
	// Namespace is the namespace of the Response element (2006a for
	// settings and redirects, 2006 for errors).
	Namespace string
	User      *User
	Account   *Account
	// Error is Response/Error, or Account/Error when the server put it
	// there (both forms are in use).
	Error *Error
	Elem  *Element `json:"-"`
}

// User — [MS-OXDSCLI] 2.2.4.1.1.1.
type User struct {
	DisplayName             string
	LegacyDN                string
	AutoDiscoverSMTPAddress string
	DeploymentId            string
	DefaultABView           string
	Elem                    *Element `json:"-"`
}

// Action values — [MS-OXDSCLI] 2.2.4.1.1.2.2.
const (
	ActionSettings     = "settings"
	ActionRedirectAddr = "redirectAddr"
	ActionRedirectURL  = "redirectUrl"
)

// Account — [MS-OXDSCLI] 2.2.4.1.1.2.
type Account struct {
	AccountType          string // "email"
	Action               string // settings | redirectAddr | redirectUrl
	RedirectAddr         string
	RedirectUrl          string
	MicrosoftOnline      string // "True" / "False"
	ConsumerMailbox      string
	ConsumerMailboxFlags string
	Image                string
	ServiceHome          string
	AlternativeMailboxes []*AlternativeMailbox
	// PublicFolderInformation/SmtpAddress.
	PublicFolderSmtpAddress string
	HasPublicFolderInfo     bool
	Protocols               []*Protocol
	Error                   *Error
	Elem                    *Element `json:"-"`
}

// AlternativeMailbox — [MS-OXDSCLI] 2.2.4.1.1.2.5: an additional mailbox
// (archive, delegate, team mailbox) Outlook may open.
type AlternativeMailbox struct {
	Type             string
	DisplayName      string
	LegacyDN         string
	Server           string
	SmtpAddress      string
	OwnerSmtpAddress string
	Elem             *Element `json:"-"`
}

// Protocol types.
const (
	TypeEXCH     = "EXCH"     // RPC over TCP, internal
	TypeEXPR     = "EXPR"     // RPC over HTTP (Outlook Anywhere), external
	TypeEXHTTP   = "EXHTTP"   // RPC over HTTP, both (X-ClientCanHandle: ExHttpInfo)
	TypeWEB      = "WEB"      // Outlook Web App URLs
	TypeMapiHTTP = "mapiHttp" // MAPI over HTTP: <Protocol Type="mapiHttp" Version="1">
)

// Protocol — [MS-OXDSCLI] 2.2.4.1.1.2.6: one way to reach the mailbox.
// The classic form names its type in a Type child element (EXCH, EXPR,
// EXHTTP, WEB, or POP3/IMAP/SMTP for ISP settings); the MAPI/HTTP form
// carries Type and Version attributes and MailStore/AddressBook children.
type Protocol struct {
	// Type is the Type attribute or, failing that, the Type child.
	Type string
	// TypeAttr and Version are the attributes of the mapiHttp form.
	TypeAttr string
	Version  string

	// Common child elements ([MS-OXDSCLI] 2.2.4.1.1.2.6.x), in the order
	// Exchange writes them.
	TTL                    string
	Server                 string
	ServerDN               string
	ServerVersion          string
	MdbDN                  string
	PublicFolderServer     string
	AD                     string
	Port                   string
	DirectoryPort          string
	ReferralPort           string
	ASUrl                  string
	EwsUrl                 string
	EmwsUrl                string
	SharingUrl             string
	EcpUrl                 string
	EcpUrlUm               string // EcpUrl-um
	EcpUrlAggr             string // EcpUrl-aggr
	EcpUrlMt               string // EcpUrl-mt
	EcpUrlRet              string // EcpUrl-ret
	EcpUrlSms              string // EcpUrl-sms
	EcpUrlPublish          string // EcpUrl-publish
	EcpUrlPhoto            string // EcpUrl-photo
	EcpUrlConnect          string // EcpUrl-connect
	EcpUrlTm               string // EcpUrl-tm
	EcpUrlTmCreating       string // EcpUrl-tmCreating
	EcpUrlTmHiding         string // EcpUrl-tmHiding
	EcpUrlTmEditing        string // EcpUrl-tmEditing
	EcpUrlExtInstall       string // EcpUrl-extinstall
	OOFUrl                 string
	UMUrl                  string
	OABUrl                 string
	EwsPartnerUrl          string
	ExchangeRpcUrl         string
	SiteMailboxCreationURL string
	ServerExclusiveConnect string
	CertPrincipalName      string
	GroupingInformation    string
	LoginName              string
	DomainRequired         string
	DomainName             string
	SPA                    string
	AuthPackage            string
	SSL                    string
	AuthRequired           string
	UsePOPAuth             string
	SMTPLast               string
	Encryption             string

	// Internal and External (WEB): OWA URLs and nested Protocol elements.
	Internal *WebEndpoints
	External *WebEndpoints
	// MailStore and AddressBook (mapiHttp).
	MailStore   *MapiEndpoint
	AddressBook *MapiEndpoint

	Elem *Element `json:"-"`
}

// IsMapiHTTP reports whether p is the <Protocol Type="mapiHttp"> form.
func (p *Protocol) IsMapiHTTP() bool { return p != nil && strings.EqualFold(p.Type, TypeMapiHTTP) }

// VersionNumber returns the Version attribute as a number (0 when absent
// or not a number).
func (p *Protocol) VersionNumber() int {
	v, err := strconv.Atoi(strings.TrimSpace(p.Version))
	if err != nil || v < 0 {
		return 0
	}
	return v
}

// WebEndpoints is a Protocol's Internal or External element
// ([MS-OXDSCLI] 2.2.4.1.1.2.6.27 / .25).
type WebEndpoints struct {
	OWAUrls   []OWAUrl
	Protocols []*Protocol
	Elem      *Element `json:"-"`
}

// OWAUrl is one Outlook Web App URL with its AuthenticationMethod
// attribute ("Basic, Fba", "Ntlm, WindowsIntegrated", …).
type OWAUrl struct {
	AuthenticationMethod string
	URL                  string
}

// MapiEndpoint is a mapiHttp Protocol's MailStore or AddressBook.
type MapiEndpoint struct {
	InternalUrl string
	ExternalUrl string
	Elem        *Element `json:"-"`
}

// Error — [MS-OXDSCLI] 2.2.4.1.1.3: an error response.
type Error struct {
	Time      string // Time attribute, "hh:mm:ss.fffffff"
	Id        string // Id attribute, a hash of the server name
	ErrorCode string
	Message   string
	DebugData string
	Elem      *Element `json:"-"`
}

// Code returns ErrorCode as a number (0 when absent or not a number).
func (e *Error) Code() int {
	if e == nil {
		return 0
	}
	v, err := strconv.Atoi(strings.TrimSpace(e.ErrorCode))
	if err != nil || v < 0 {
		return 0
	}
	return v
}

// Error codes — [MS-OXDSCLI] 2.2.4.1.1.3.1 (ErrorCode).
const (
	ErrorEmailNotFound       = 500 // the email address cannot be found
	ErrorBadAddressNoConfig  = 501 // recognised, but has no configuration options
	ErrorInvalidRequest      = 600 // the XML request was improperly formatted
	ErrorProviderUnavailable = 601 // no configuration of the requested schema
	ErrorBadAddressConfig    = 602 // recognised, but configuration errors
	ErrorInternal            = 603 // the server threw an internal error
)

var errorCodes = map[int][2]string{
	ErrorEmailNotFound:       {"EmailAddressNotFound", "The email address can't be found."},
	ErrorBadAddressNoConfig:  {"BadAddressNoConfiguration", "The email address has no configuration options."},
	ErrorInvalidRequest:      {"InvalidRequest", "Invalid Request"},
	ErrorProviderUnavailable: {"ProviderUnavailable", "The server can't provide configuration information of the requested type."},
	ErrorBadAddressConfig:    {"BadAddressConfigurationError", "The email address can't be configured because of configuration errors."},
	ErrorInternal:            {"InternalServerError", "The Autodiscover server encountered an internal error."},
}

// ErrorCodeName returns a short name for an ErrorCode ("" when unknown).
func ErrorCodeName(code int) string { return errorCodes[code][0] }

// ErrorCodeMessage returns a Message text for an ErrorCode, in the words
// Exchange and the specification use ("" when unknown).
func ErrorCodeMessage(code int) string { return errorCodes[code][1] }

// protocolFields maps Protocol child element names to fields, in the order
// the builder writes them.
var protocolFields = []struct {
	name string
	f    func(*Protocol) *string
}{
	{"TTL", func(p *Protocol) *string { return &p.TTL }},
	{"Server", func(p *Protocol) *string { return &p.Server }},
	{"ServerDN", func(p *Protocol) *string { return &p.ServerDN }},
	{"ServerVersion", func(p *Protocol) *string { return &p.ServerVersion }},
	{"MdbDN", func(p *Protocol) *string { return &p.MdbDN }},
	{"PublicFolderServer", func(p *Protocol) *string { return &p.PublicFolderServer }},
	{"AD", func(p *Protocol) *string { return &p.AD }},
	{"Port", func(p *Protocol) *string { return &p.Port }},
	{"DirectoryPort", func(p *Protocol) *string { return &p.DirectoryPort }},
	{"ReferralPort", func(p *Protocol) *string { return &p.ReferralPort }},
	{"LoginName", func(p *Protocol) *string { return &p.LoginName }},
	{"DomainRequired", func(p *Protocol) *string { return &p.DomainRequired }},
	{"DomainName", func(p *Protocol) *string { return &p.DomainName }},
	{"SPA", func(p *Protocol) *string { return &p.SPA }},
	{"SSL", func(p *Protocol) *string { return &p.SSL }},
	{"Encryption", func(p *Protocol) *string { return &p.Encryption }},
	{"AuthPackage", func(p *Protocol) *string { return &p.AuthPackage }},
	{"AuthRequired", func(p *Protocol) *string { return &p.AuthRequired }},
	{"UsePOPAuth", func(p *Protocol) *string { return &p.UsePOPAuth }},
	{"SMTPLast", func(p *Protocol) *string { return &p.SMTPLast }},
	{"CertPrincipalName", func(p *Protocol) *string { return &p.CertPrincipalName }},
	{"ASUrl", func(p *Protocol) *string { return &p.ASUrl }},
	{"EwsUrl", func(p *Protocol) *string { return &p.EwsUrl }},
	{"EmwsUrl", func(p *Protocol) *string { return &p.EmwsUrl }},
	{"SharingUrl", func(p *Protocol) *string { return &p.SharingUrl }},
	{"EcpUrl", func(p *Protocol) *string { return &p.EcpUrl }},
	{"EcpUrl-um", func(p *Protocol) *string { return &p.EcpUrlUm }},
	{"EcpUrl-aggr", func(p *Protocol) *string { return &p.EcpUrlAggr }},
	{"EcpUrl-mt", func(p *Protocol) *string { return &p.EcpUrlMt }},
	{"EcpUrl-ret", func(p *Protocol) *string { return &p.EcpUrlRet }},
	{"EcpUrl-sms", func(p *Protocol) *string { return &p.EcpUrlSms }},
	{"EcpUrl-publish", func(p *Protocol) *string { return &p.EcpUrlPublish }},
	{"EcpUrl-photo", func(p *Protocol) *string { return &p.EcpUrlPhoto }},
	{"EcpUrl-connect", func(p *Protocol) *string { return &p.EcpUrlConnect }},
	{"EcpUrl-tm", func(p *Protocol) *string { return &p.EcpUrlTm }},
	{"EcpUrl-tmCreating", func(p *Protocol) *string { return &p.EcpUrlTmCreating }},
	{"EcpUrl-tmHiding", func(p *Protocol) *string { return &p.EcpUrlTmHiding }},
	{"EcpUrl-tmEditing", func(p *Protocol) *string { return &p.EcpUrlTmEditing }},
	{"EcpUrl-extinstall", func(p *Protocol) *string { return &p.EcpUrlExtInstall }},
	{"OOFUrl", func(p *Protocol) *string { return &p.OOFUrl }},
	{"UMUrl", func(p *Protocol) *string { return &p.UMUrl }},
	{"OABUrl", func(p *Protocol) *string { return &p.OABUrl }},
	{"EwsPartnerUrl", func(p *Protocol) *string { return &p.EwsPartnerUrl }},
	{"ExchangeRpcUrl", func(p *Protocol) *string { return &p.ExchangeRpcUrl }},
	{"SiteMailboxCreationURL", func(p *Protocol) *string { return &p.SiteMailboxCreationURL }},
	{"ServerExclusiveConnect", func(p *Protocol) *string { return &p.ServerExclusiveConnect }},
	{"GroupingInformation", func(p *Protocol) *string { return &p.GroupingInformation }},
}

var protocolFieldIndex = func() map[string]int {
	m := make(map[string]int, len(protocolFields))
	for i, f := range protocolFields {
		m[strings.ToLower(f.name)] = i
	}
	return m
}()

// fill reads the typed view from the element tree.
func (d *Document) fill() {
	d.Kind, d.Request, d.Response = KindUnknown, nil, nil
	if e := d.Root.Child("Request"); e != nil {
		d.Kind = KindRequest
		d.Request = &Request{
			EMailAddress:             e.ChildValue("EMailAddress"),
			LegacyDN:                 e.ChildValue("LegacyDN"),
			AcceptableResponseSchema: e.ChildValue("AcceptableResponseSchema"),
			Elem:                     e,
		}
		return
	}
	e := d.Root.Child("Response")
	if e == nil {
		return
	}
	d.Kind = KindResponse
	r := &Response{Namespace: e.Name.Space, Elem: e}
	if u := e.Child("User"); u != nil {
		r.User = &User{
			DisplayName:             u.ChildValue("DisplayName"),
			LegacyDN:                u.ChildValue("LegacyDN"),
			AutoDiscoverSMTPAddress: u.ChildValue("AutoDiscoverSMTPAddress"),
			DeploymentId:            u.ChildValue("DeploymentId"),
			DefaultABView:           u.ChildValue("DefaultABView"),
			Elem:                    u,
		}
	}
	if a := e.Child("Account"); a != nil {
		r.Account = readAccount(a)
	}
	if x := e.Child("Error"); x != nil {
		r.Error = readError(x)
	} else if r.Account != nil && r.Account.Error != nil {
		r.Error = r.Account.Error
	}
	d.Response = r
}

func readAccount(a *Element) *Account {
	acc := &Account{
		AccountType:          a.ChildValue("AccountType"),
		Action:               a.ChildValue("Action"),
		RedirectAddr:         a.ChildValue("RedirectAddr"),
		RedirectUrl:          a.ChildValue("RedirectUrl"),
		MicrosoftOnline:      a.ChildValue("MicrosoftOnline"),
		ConsumerMailbox:      a.ChildValue("ConsumerMailbox"),
		ConsumerMailboxFlags: a.ChildValue("ConsumerMailboxFlags"),
		Image:                a.ChildValue("Image"),
		ServiceHome:          a.ChildValue("ServiceHome"),
		Elem:                 a,
	}
	for _, c := range a.Children {
		switch {
		case c.Is("Protocol"):
			acc.Protocols = append(acc.Protocols, readProtocol(c))
		case c.Is("AlternativeMailbox"):
			acc.AlternativeMailboxes = append(acc.AlternativeMailboxes, &AlternativeMailbox{
				Type:             c.ChildValue("Type"),
				DisplayName:      c.ChildValue("DisplayName"),
				LegacyDN:         c.ChildValue("LegacyDN"),
				Server:           c.ChildValue("Server"),
				SmtpAddress:      c.ChildValue("SmtpAddress"),
				OwnerSmtpAddress: c.ChildValue("OwnerSmtpAddress"),
				Elem:             c,
			})
		case c.Is("PublicFolderInformation"):
			acc.HasPublicFolderInfo = true
			acc.PublicFolderSmtpAddress = c.ChildValue("SmtpAddress")
		case c.Is("Error"):
			acc.Error = readError(c)
		}
	}
	return acc
}

func readProtocol(e *Element) *Protocol {
	p := &Protocol{Elem: e}
	p.TypeAttr, _ = e.AttrValue("Type")
	p.Version, _ = e.AttrValue("Version")
	p.Type = strings.TrimSpace(p.TypeAttr)
	if p.Type == "" {
		p.Type = e.ChildValue("Type")
	}
	for _, c := range e.Children {
		if i, ok := protocolFieldIndex[strings.ToLower(c.Name.Local)]; ok {
			if f := protocolFields[i].f(p); *f == "" {
				*f = c.Value()
			}
			continue
		}
		switch {
		case c.Is("Internal"):
			p.Internal = readWeb(c)
		case c.Is("External"):
			p.External = readWeb(c)
		case c.Is("MailStore"):
			p.MailStore = readMapi(c)
		case c.Is("AddressBook"):
			p.AddressBook = readMapi(c)
		}
	}
	return p
}

func readWeb(e *Element) *WebEndpoints {
	w := &WebEndpoints{Elem: e}
	for _, c := range e.Children {
		switch {
		case c.Is("OWAUrl"):
			m, _ := c.AttrValue("AuthenticationMethod")
			w.OWAUrls = append(w.OWAUrls, OWAUrl{AuthenticationMethod: m, URL: c.Value()})
		case c.Is("Protocol"):
			w.Protocols = append(w.Protocols, readProtocol(c))
		}
	}
	return w
}

func readMapi(e *Element) *MapiEndpoint {
	return &MapiEndpoint{InternalUrl: e.ChildValue("InternalUrl"), ExternalUrl: e.ChildValue("ExternalUrl"), Elem: e}
}

func readError(e *Element) *Error {
	x := &Error{ErrorCode: e.ChildValue("ErrorCode"), Message: e.ChildValue("Message"),
		DebugData: e.ChildValue("DebugData"), Elem: e}
	x.Time, _ = e.AttrValue("Time")
	x.Id, _ = e.AttrValue("Id")
	return x
}

// Protocol returns the first protocol of the given type (case-insensitive),
// or nil.
func (a *Account) Protocol(typ string) *Protocol {
	if a == nil {
		return nil
	}
	for _, p := range a.Protocols {
		if strings.EqualFold(p.Type, typ) {
			return p
		}
	}
	return nil
}

// MapiHTTP returns the response's mapiHttp Protocol, or nil.
func (r *Response) MapiHTTP() *Protocol {
	if r == nil {
		return nil
	}
	return r.Account.Protocol(TypeMapiHTTP)
}

// IsError reports whether the response is an error response.
func (r *Response) IsError() bool { return r != nil && r.Error != nil }

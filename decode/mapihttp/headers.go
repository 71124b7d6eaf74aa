// Package mapihttp decodes the MAPI Extensions for HTTP transport —
// [MS-OXCMAPIHTTP] section 2.2: the HTTP headers that matter, the request
// types, the X-ResponseCode values, the response meta-tags (PROCESSING,
// PENDING, DONE) that precede every response body, and the mailbox
// endpoint's request and response bodies (Connect, Execute, Disconnect,
// NotificationWait, PING).
//
// The ROP buffers inside Execute bodies stay bytes here; they are
// RPC_HEADER_EXT chains (package rpcext) around ROP buffers (package rop).
// Auxiliary buffers are decoded with package auxbuf.
package mapihttp

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Header names — [MS-OXCMAPIHTTP] 2.2.3.
const (
	HeaderContentType       = "Content-Type"
	HeaderContentLength     = "Content-Length"
	HeaderTransferEncoding  = "Transfer-Encoding"
	HeaderCookie            = "Cookie"
	HeaderSetCookie         = "Set-Cookie"
	HeaderRequestType       = "X-RequestType"
	HeaderRequestID         = "X-RequestId"
	HeaderClientInfo        = "X-ClientInfo"
	HeaderClientApplication = "X-ClientApplication"
	HeaderResponseCode      = "X-ResponseCode"
	HeaderPendingPeriod     = "X-PendingPeriod"
	HeaderExpirationInfo    = "X-ExpirationInfo"
	HeaderServerApplication = "X-ServerApplication"
	HeaderElapsedTime       = "X-ElapsedTime"
	HeaderStartTime         = "X-StartTime"
	HeaderDeviceInfo        = "X-DeviceInfo"
	HeaderUserIdentity      = "X-User-Identity"
)

// ContentType is the media type of every MAPI/HTTP request and response.
const ContentType = "application/mapi-http"

// Cookie is one name=value pair of a Cookie or Set-Cookie header. The
// names are opaque: Exchange uses MapiContext and MapiSequence, other
// servers their own (sid, sequence, …).
type Cookie struct {
	Name, Value string
	// Set is true for a Set-Cookie pair; Attrs then holds the attributes
	// after the pair (path, expiry, …) as sent.
	Set   bool
	Attrs string
}

// ParseCookies reads the pairs of Cookie headers ("a=1; b=2") and the
// leading pair of Set-Cookie headers. Malformed pieces without '=' are
// skipped.
func ParseCookies(h http.Header) []Cookie {
	var out []Cookie
	for _, line := range h.Values(HeaderCookie) {
		for _, part := range strings.Split(line, ";") {
			if name, value, ok := splitPair(part); ok {
				out = append(out, Cookie{Name: name, Value: value})
			}
		}
	}
	for _, line := range h.Values(HeaderSetCookie) {
		pair, attrs, _ := strings.Cut(line, ";")
		if name, value, ok := splitPair(pair); ok {
			out = append(out, Cookie{Name: name, Value: value, Set: true, Attrs: strings.TrimSpace(attrs)})
		}
	}
	return out
}

func splitPair(s string) (name, value string, ok bool) {
	name, value, ok = strings.Cut(strings.TrimSpace(s), "=")
	name = strings.TrimSpace(name)
	if !ok || name == "" {
		return "", "", false
	}
	value = strings.TrimSpace(value)
	if len(value) >= 2 && value[0] == '"' && value[len(value)-1] == '"' {
		value = value[1 : len(value)-1]
	}
	return name, value, true
}

// Headers is the view of the headers MAPI/HTTP defines, from a request,
// a response, or the additional headers after the DONE meta-tag.
type Headers struct {
	RequestType       string
	RequestId         string
	ClientInfo        string
	ClientApplication string
	ResponseCode      string
	PendingPeriod     string
	ExpirationInfo    string
	ServerApplication string
	ElapsedTime       string
	StartTime         string
	DeviceInfo        string
	UserIdentity      string
	ContentType       string
	Cookies           []Cookie
}

// ParseHeaders picks the MAPI/HTTP headers out of h (names match
// case-insensitively, as HTTP header names do).
func ParseHeaders(h http.Header) Headers {
	g := func(name string) string { return strings.TrimSpace(h.Get(name)) }
	return Headers{
		RequestType:       g(HeaderRequestType),
		RequestId:         g(HeaderRequestID),
		ClientInfo:        g(HeaderClientInfo),
		ClientApplication: g(HeaderClientApplication),
		ResponseCode:      g(HeaderResponseCode),
		PendingPeriod:     g(HeaderPendingPeriod),
		ExpirationInfo:    g(HeaderExpirationInfo),
		ServerApplication: g(HeaderServerApplication),
		ElapsedTime:       g(HeaderElapsedTime),
		StartTime:         g(HeaderStartTime),
		DeviceInfo:        g(HeaderDeviceInfo),
		UserIdentity:      g(HeaderUserIdentity),
		ContentType:       g(HeaderContentType),
		Cookies:           ParseCookies(h),
	}
}

// Merge fills the fields of h that are empty from o (the response headers
// merged with those after DONE, say; those after DONE win when passed as h).
func (h Headers) Merge(o Headers) Headers {
	f := func(a *string, b string) {
		if *a == "" {
			*a = b
		}
	}
	f(&h.RequestType, o.RequestType)
	f(&h.RequestId, o.RequestId)
	f(&h.ClientInfo, o.ClientInfo)
	f(&h.ClientApplication, o.ClientApplication)
	f(&h.ResponseCode, o.ResponseCode)
	f(&h.PendingPeriod, o.PendingPeriod)
	f(&h.ExpirationInfo, o.ExpirationInfo)
	f(&h.ServerApplication, o.ServerApplication)
	f(&h.ElapsedTime, o.ElapsedTime)
	f(&h.StartTime, o.StartTime)
	f(&h.DeviceInfo, o.DeviceInfo)
	f(&h.UserIdentity, o.UserIdentity)
	f(&h.ContentType, o.ContentType)
	h.Cookies = append(append([]Cookie(nil), h.Cookies...), o.Cookies...)
	return h
}

// Type returns the request type (TypeUnknown when absent or unknown).
func (h Headers) Type() RequestType {
	t, _ := ParseRequestType(h.RequestType)
	return t
}

// Code returns X-ResponseCode (ok false when absent or not a number).
func (h Headers) Code() (ResponseCode, bool) {
	v, err := strconv.ParseUint(strings.TrimSpace(h.ResponseCode), 10, 32)
	if err != nil {
		return 0, false
	}
	return ResponseCode(v), true
}

func millis(s string) (time.Duration, bool) {
	v, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || v < 0 || v > int64(time.Duration(1<<62)/time.Millisecond) {
		return 0, false
	}
	return time.Duration(v) * time.Millisecond, true
}

// Pending returns X-PendingPeriod (milliseconds between PENDING keep-alives).
func (h Headers) Pending() (time.Duration, bool) { return millis(h.PendingPeriod) }

// Expiration returns X-ExpirationInfo (milliseconds the session context
// lives without requests).
func (h Headers) Expiration() (time.Duration, bool) { return millis(h.ExpirationInfo) }

// Elapsed returns X-ElapsedTime (milliseconds the server spent).
func (h Headers) Elapsed() (time.Duration, bool) { return millis(h.ElapsedTime) }

// IsMapiHTTP reports whether Content-Type is application/mapi-http
// (parameters ignored, case-insensitive).
func (h Headers) IsMapiHTTP() bool { return IsContentType(h.ContentType) }

// IsContentType reports whether a Content-Type value is
// application/mapi-http.
func IsContentType(v string) bool {
	mt, _, _ := strings.Cut(v, ";")
	return strings.EqualFold(strings.TrimSpace(mt), ContentType)
}

// ---- request types ----

// RequestType is the value of X-RequestType — [MS-OXCMAPIHTTP] 2.2.3.3.1.
type RequestType uint8

const (
	TypeUnknown RequestType = iota
	// Mailbox server endpoint (EMSMDB).
	TypeConnect
	TypeExecute
	TypeDisconnect
	TypeNotificationWait
	// Both endpoints.
	TypePing
	// Address book server endpoint (NSPI).
	TypeBind
	TypeUnbind
	TypeCompareMIds
	TypeDNToMId
	TypeGetMatches
	TypeGetPropList
	TypeGetProps
	TypeGetSpecialTable
	TypeGetTemplateInfo
	TypeModLinkAtt
	TypeModProps
	TypeQueryColumns
	TypeQueryRows
	TypeResolveNames
	TypeResortRestriction
	TypeSeekEntries
	TypeUpdateStat
	TypeGetMailboxUrl
	TypeGetAddressBookUrl
	typeCount
)

var typeNames = [typeCount]string{
	TypeUnknown:           "",
	TypeConnect:           "Connect",
	TypeExecute:           "Execute",
	TypeDisconnect:        "Disconnect",
	TypeNotificationWait:  "NotificationWait",
	TypePing:              "PING",
	TypeBind:              "Bind",
	TypeUnbind:            "Unbind",
	TypeCompareMIds:       "CompareMIds",
	TypeDNToMId:           "DNToMId",
	TypeGetMatches:        "GetMatches",
	TypeGetPropList:       "GetPropList",
	TypeGetProps:          "GetProps",
	TypeGetSpecialTable:   "GetSpecialTable",
	TypeGetTemplateInfo:   "GetTemplateInfo",
	TypeModLinkAtt:        "ModLinkAtt",
	TypeModProps:          "ModProps",
	TypeQueryColumns:      "QueryColumns",
	TypeQueryRows:         "QueryRows",
	TypeResolveNames:      "ResolveNames",
	TypeResortRestriction: "ResortRestriction",
	TypeSeekEntries:       "SeekEntries",
	TypeUpdateStat:        "UpdateStat",
	TypeGetMailboxUrl:     "GetMailboxUrl",
	TypeGetAddressBookUrl: "GetAddressBookUrl",
}

// String returns the specification's spelling ("Execute", "PING").
func (t RequestType) String() string {
	if t < typeCount {
		return typeNames[t]
	}
	return ""
}

// ParseRequestType matches an X-RequestType value case-insensitively.
func ParseRequestType(s string) (RequestType, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return TypeUnknown, false
	}
	for t := TypeConnect; t < typeCount; t++ {
		if strings.EqualFold(typeNames[t], s) {
			return t, true
		}
	}
	return TypeUnknown, false
}

// Mailbox reports a request type of the mailbox server endpoint (PING
// belongs to both endpoints).
func (t RequestType) Mailbox() bool { return t >= TypeConnect && t <= TypePing }

// AddressBook reports a request type of the address book server endpoint
// (PING belongs to both endpoints).
func (t RequestType) AddressBook() bool { return t >= TypePing && t < typeCount }

// RequestTypes lists every defined request type.
func RequestTypes() []RequestType {
	out := make([]RequestType, 0, typeCount-1)
	for t := TypeConnect; t < typeCount; t++ {
		out = append(out, t)
	}
	return out
}

// ---- X-ResponseCode ----

// ResponseCode is the value of X-ResponseCode — [MS-OXCMAPIHTTP] 2.2.3.3.3.
type ResponseCode uint32

const (
	CodeSuccess              ResponseCode = 0
	CodeUnknownFailure       ResponseCode = 1
	CodeInvalidVerb          ResponseCode = 2
	CodeInvalidPath          ResponseCode = 3
	CodeInvalidHeader        ResponseCode = 4
	CodeInvalidRequestType   ResponseCode = 5
	CodeInvalidContextCookie ResponseCode = 6
	CodeMissingHeader        ResponseCode = 7
	CodeAnonymousNotAllowed  ResponseCode = 8
	CodeTooLarge             ResponseCode = 9
	CodeContextNotFound      ResponseCode = 10
	CodeNoPrivilege          ResponseCode = 11
	CodeInvalidRequestBody   ResponseCode = 12
	CodeMissingCookie        ResponseCode = 13
	CodeReserved             ResponseCode = 14
	CodeInvalidSequence      ResponseCode = 15
	CodeEndpointDisabled     ResponseCode = 16
	CodeInvalidResponse      ResponseCode = 17
	CodeEndpointShuttingDown ResponseCode = 18
)

var codeNames = [...]string{
	"Success",
	"Unknown Failure",
	"Invalid Verb",
	"Invalid Path",
	"Invalid Header",
	"Invalid Request Type",
	"Invalid Context Cookie",
	"Missing Header",
	"Anonymous Not Allowed",
	"Too Large",
	"Context Not Found",
	"No Privilege",
	"Invalid Request Body",
	"Missing Cookie",
	"Reserved",
	"Invalid Sequence",
	"Endpoint Disabled",
	"Invalid Response",
	"Endpoint Shutting Down",
}

// Name returns the specification's name ("Invalid Context Cookie"), or ""
// for an undefined code.
func (c ResponseCode) Name() string {
	if int(c) < len(codeNames) {
		return codeNames[c]
	}
	return ""
}

func (c ResponseCode) String() string {
	if n := c.Name(); n != "" {
		return strconv.FormatUint(uint64(c), 10) + " (" + n + ")"
	}
	return strconv.FormatUint(uint64(c), 10)
}

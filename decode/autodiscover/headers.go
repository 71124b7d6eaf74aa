package autodiscover

import (
	"net/http"
	"strconv"
	"strings"
)

// Header names — [MS-OXDSCLI] 2.2.2.
const (
	// HeaderMapiHttpCapability (2.2.2.1), on a request: the highest
	// MAPI/HTTP version the client supports; without it the server leaves
	// the mapiHttp Protocol out. A server may echo it on the response.
	HeaderMapiHttpCapability = "X-MapiHttpCapability"
	// HeaderAnchorMailbox (2.2.2.2): the address whose configuration is
	// asked for; sent along with X-MapiHttpCapability.
	HeaderAnchorMailbox = "X-AnchorMailbox"
	// HeaderClientCanHandle (2.2.2.3): comma-separated capability tokens.
	HeaderClientCanHandle = "X-ClientCanHandle"
)

// X-ClientCanHandle tokens (case-insensitive).
const (
	// CanHandleNegotiate lets the server return "Negotiate" in AuthPackage.
	CanHandleNegotiate = "Negotiate"
	// CanHandleExHttpInfo lets the server return the EXHTTP Protocol.
	CanHandleExHttpInfo = "ExHttpInfo"
)

// Headers is the view of the Autodiscover headers of a request (or of a
// response that echoes them).
type Headers struct {
	// MapiHttpCapability is the X-MapiHttpCapability version (0 when the
	// header is absent or not a positive integer); MapiHttpCapabilityRaw
	// is the header as sent.
	MapiHttpCapability    int
	MapiHttpCapabilityRaw string
	HasMapiHttpCapability bool
	ClientCanHandle       []string
	AnchorMailbox         string
}

// ParseHeaders picks the Autodiscover headers out of h.
func ParseHeaders(h http.Header) Headers {
	var out Headers
	if vs := h.Values(HeaderMapiHttpCapability); len(vs) > 0 {
		out.HasMapiHttpCapability = true
		out.MapiHttpCapabilityRaw = strings.TrimSpace(vs[0])
		out.MapiHttpCapability, _ = ParseMapiHttpCapability(out.MapiHttpCapabilityRaw)
	}
	out.ClientCanHandle = ClientCanHandle(h)
	out.AnchorMailbox = AnchorMailbox(h)
	return out
}

// ParseMapiHttpCapability reads an X-MapiHttpCapability value: a positive
// integer. ok is false for anything else.
func ParseMapiHttpCapability(v string) (version int, ok bool) {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n <= 0 {
		return 0, false
	}
	return n, true
}

// MapiHttpCapability returns the X-MapiHttpCapability version of h (ok
// false when absent or not a positive integer).
func MapiHttpCapability(h http.Header) (version int, ok bool) {
	if vs := h.Values(HeaderMapiHttpCapability); len(vs) > 0 {
		return ParseMapiHttpCapability(vs[0])
	}
	return 0, false
}

// ClientCanHandle returns the X-ClientCanHandle tokens of every header
// line, trimmed, empty ones dropped, in order.
func ClientCanHandle(h http.Header) []string {
	var out []string
	for _, line := range h.Values(HeaderClientCanHandle) {
		out = append(out, SplitTokens(line)...)
	}
	return out
}

// SplitTokens splits a comma-separated header value into trimmed, non-empty
// tokens.
func SplitTokens(v string) []string {
	var out []string
	for _, t := range strings.Split(v, ",") {
		if t = strings.TrimSpace(t); t != "" {
			out = append(out, t)
		}
	}
	return out
}

// CanHandle reports whether X-ClientCanHandle lists token
// (case-insensitive).
func CanHandle(h http.Header, token string) bool {
	for _, t := range ClientCanHandle(h) {
		if strings.EqualFold(t, token) {
			return true
		}
	}
	return false
}

// Has reports whether the parsed X-ClientCanHandle lists token.
func (h Headers) Has(token string) bool {
	for _, t := range h.ClientCanHandle {
		if strings.EqualFold(t, token) {
			return true
		}
	}
	return false
}

// AnchorMailbox returns X-AnchorMailbox, trimmed.
func AnchorMailbox(h http.Header) string {
	return strings.TrimSpace(h.Get(HeaderAnchorMailbox))
}

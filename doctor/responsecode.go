package doctor

import (
	"fmt"
	"sort"

	"github.com/mapiscope/mapiscope/decode/mapihttp"
)

// responseCode finds MAPI/HTTP requests the server failed as a whole: a
// nonzero X-ResponseCode ([MS-OXCMAPIHTTP] 2.2.3.3.3) or an HTTP 5xx from
// the MAPI endpoints (which usually comes from a reverse proxy in front
// of the server). One finding per code.
type responseCode struct{}

func init() { register(responseCode{}) }

func (responseCode) ID() string { return "response-code" }
func (responseCode) Title() string {
	return "MAPI/HTTP requests failed with X-ResponseCode or HTTP 5xx"
}

// responseCodeAdvice explains the codes whose cause is known; others get a
// general text.
var responseCodeAdvice = map[mapihttp.ResponseCode][2]string{
	mapihttp.CodeUnknownFailure: {"The server failed the request without saying why.",
		"Look in the server's log at the time of the evidence (BlueMind: /var/log/bm-mapi/mapi.log; `bm-cli mapi logging --enable USER` for a per-user log)."},
	mapihttp.CodeInvalidContextCookie: {"The request carried a session cookie the server does not know: the session was lost (server restart, or a load balancer that sent the request to another server).",
		"Give the MAPI endpoints session affinity on the load balancer (by the MapiContext cookie or the client address) and check for server restarts; Outlook reconnects by itself, but each loss costs a reconnect."},
	mapihttp.CodeContextNotFound: {"The session the request belongs to no longer exists on the server: it expired or the server restarted.",
		"Check for server restarts and the session idle time-out; with several servers, give the MAPI endpoints session affinity."},
	mapihttp.CodeInvalidSequence: {"The request's sequence cookie is not the one the server expects: a request was replayed, or two requests of one session crossed (a reverse proxy retrying a POST).",
		"Make sure no reverse proxy or load balancer retries MAPI/HTTP POSTs or rewrites the MapiSequence cookie."},
	mapihttp.CodeAnonymousNotAllowed: {"The request reached the MAPI endpoint without an authenticated user: authentication stopped at a reverse proxy, or the client sent none.",
		"Check the reverse proxy passes the Authorization header through and that the MAPI endpoints require authentication consistently."},
	mapihttp.CodeTooLarge: {"The request body is larger than the server or a reverse proxy accepts.",
		"Raise the body size limit of the reverse proxy (nginx client_max_body_size) on /mapi/."},
	mapihttp.CodeEndpointDisabled: {"MAPI over HTTP is disabled for this user or server.",
		"Enable MAPI over HTTP for the user (BlueMind: the MAPI subscription and its service must be active)."},
	mapihttp.CodeEndpointShuttingDown: {"The server was shutting down.",
		"Nothing, if it was a planned restart; otherwise find out why the MAPI service stopped."},
	mapihttp.CodeNoPrivilege: {"The user may not use this endpoint.",
		"Check the user's rights on the server (mailbox access, MAPI allowed)."},
}

func (responseCode) Check(c *Context) []Finding {
	byCode := map[int][]Evidence{}
	byStatus := map[int][]Evidence{}
	for _, e := range c.Exchanges() {
		if e.Endpoint != "emsmdb" && e.Endpoint != "nspi" {
			continue
		}
		switch {
		case e.XResponseCode != nil && *e.XResponseCode != 0:
			code := mapihttp.ResponseCode(*e.XResponseCode)
			byCode[*e.XResponseCode] = append(byCode[*e.XResponseCode],
				e.Evidence(fmt.Sprintf("%s %s: X-ResponseCode %s", e.Endpoint, e.RequestType, code)))
		case e.Status >= 500:
			byStatus[e.Status] = append(byStatus[e.Status], e.Evidence(fmt.Sprintf("%s %s: HTTP %d", e.Endpoint, e.RequestType, e.Status)))
		}
	}
	var out []Finding
	for _, code := range sortedKeys(byCode) {
		rc := mapihttp.ResponseCode(code)
		expl, fix := "The server rejected the request as a whole: none of its operations ran.",
			"Look in the server's log at the time of the evidence; the code names what it did not accept."
		if a, ok := responseCodeAdvice[rc]; ok {
			expl, fix = a[0], a[1]
		}
		sev := Error
		switch rc {
		case mapihttp.CodeInvalidContextCookie, mapihttp.CodeContextNotFound, mapihttp.CodeEndpointShuttingDown:
			sev = Warning // Outlook recovers by reconnecting
		}
		out = append(out, Finding{
			Severity:    sev,
			Title:       fmt.Sprintf("%s failed with X-ResponseCode %s", nof(len(byCode[code]), "request"), rc),
			Evidence:    byCode[code],
			Explanation: expl,
			Fix:         fix,
		})
	}
	for _, st := range sortedKeys(byStatus) {
		out = append(out, Finding{
			Severity: Error,
			Title:    fmt.Sprintf("%s answered HTTP %d", nof(len(byStatus[st]), "MAPI/HTTP request"), st),
			Evidence: byStatus[st],
			Explanation: "The MAPI endpoint answered with a server error instead of a MAPI/HTTP response. A 502, 503 or " +
				"504 usually comes from a reverse proxy whose upstream (the MAPI service) was down or too slow; a 500 " +
				"from the service itself.",
			Fix: "Check the MAPI service is running and the reverse proxy's upstream time-out exceeds the server's " +
				"keep-alive period (MAPI/HTTP requests legitimately take minutes: NotificationWait); look in both logs " +
				"at the time of the evidence.",
		})
	}
	return out
}

func sortedKeys[V any](m map[int]V) []int {
	keys := make([]int, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Ints(keys)
	return keys
}

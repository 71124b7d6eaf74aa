package doctor

import (
	"fmt"

	"github.com/mapiscope/mapiscope/decode/mapihttp"
)

// framing finds 200 responses of the MAPI endpoints that are not framed
// as MAPI/HTTP requires — [MS-OXCMAPIHTTP] 2.2.7: the body starts with
// PROCESSING, may carry PENDING keep-alives, then DONE, the additional
// headers and an empty line before the binary body. A 200 that is not
// application/mapi-http at all is usually a login page of a reverse proxy
// or single sign-on portal.
type framing struct{}

func init() { register(framing{}) }

func (framing) ID() string { return "framing" }
func (framing) Title() string {
	return "MAPI/HTTP responses without PROCESSING/DONE, or not MAPI/HTTP at all"
}

func (framing) Check(c *Context) []Finding {
	var notMapi, noDone, noProcessing []Evidence
	for _, e := range c.Exchanges() {
		if (e.Endpoint != "emsmdb" && e.Endpoint != "nspi") || e.Status != 200 || e.Type() == mapihttp.TypeUnknown {
			continue
		}
		if e.XResponseCode != nil && *e.XResponseCode != 0 {
			continue // response-code reports it
		}
		ct := e.RespHeader.Get("Content-Type")
		if !mapihttp.IsContentType(ct) {
			if ct == "" {
				ct = "no Content-Type"
			}
			notMapi = append(notMapi, e.Evidence(fmt.Sprintf("%s %s answered 200 with %s", e.Endpoint, e.RequestType, ct)))
			continue
		}
		_, resp := c.Bodies(e.ID)
		f, err := mapihttp.ParseResponseBody(resp)
		hasDone, firstProcessing := false, false
		if f != nil {
			for i, t := range f.Tags {
				if i == 0 && t.Tag == mapihttp.Processing {
					firstProcessing = true
				}
				if t.Tag == mapihttp.Done {
					hasDone = true
				}
			}
		}
		switch {
		case !hasDone || !f.Complete:
			why := "no DONE meta-tag"
			if err != nil {
				why = err.Error()
			}
			noDone = append(noDone, e.Evidence(fmt.Sprintf("%s %s: %s", e.Endpoint, e.RequestType, why)))
		case !firstProcessing:
			first := "nothing"
			if len(f.Tags) > 0 {
				first = string(f.Tags[0].Tag)
			}
			noProcessing = append(noProcessing, e.Evidence(fmt.Sprintf("%s %s: the body starts with %s, not PROCESSING",
				e.Endpoint, e.RequestType, first)))
		}
	}
	var out []Finding
	if len(notMapi) > 0 {
		out = append(out, Finding{
			Severity: Error,
			Title:    nof(len(notMapi), "MAPI/HTTP request") + " answered 200 with something else than application/mapi-http",
			Evidence: notMapi,
			Explanation: "The MAPI endpoint answered 200 with a body that is not a MAPI/HTTP response: typically the " +
				"login page of a reverse proxy or single sign-on portal that intercepts /mapi/, or an error page. " +
				"Outlook cannot read it and reports the server as unavailable.",
			Fix: "Exclude /mapi/ (and /autodiscover/) from the portal's interactive login and pass the requests, with " +
				"their Authorization header, straight to the MAPI service.",
		})
	}
	if len(noDone) > 0 {
		out = append(out, Finding{
			Severity: Error,
			Title:    nof(len(noDone), "MAPI/HTTP response") + " without a complete DONE block",
			Evidence: noDone,
			Explanation: "A MAPI/HTTP response body must carry the DONE meta-tag, its additional headers and an empty " +
				"line before the binary body. Without them the client cannot find the body: the response was cut " +
				"(a reverse proxy time-out or buffer limit) or the server wrote it wrongly.",
			Fix: "Check the reverse proxy does not cut long responses (time-outs above the server's keep-alive period, " +
				"no response buffering limit on /mapi/) and look in the server's log at the time of the evidence.",
		})
	}
	if len(noProcessing) > 0 {
		out = append(out, Finding{
			Severity: Warning,
			Title:    nof(len(noProcessing), "MAPI/HTTP response") + " not starting with PROCESSING",
			Evidence: noProcessing,
			Explanation: "A MAPI/HTTP response body starts with the PROCESSING meta-tag, sent as soon as the server " +
				"takes the request, then PENDING keep-alives while it works. A server (or a proxy that rewrites " +
				"bodies) that leaves it out breaks clients that wait for it.",
			Fix: "Report it to the server's vendor with the evidence (`mapiscope show TRACE ID --bodies`); check no " +
				"proxy in between rewrites or buffers MAPI/HTTP bodies.",
		})
	}
	return out
}

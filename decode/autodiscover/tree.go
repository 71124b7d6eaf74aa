package autodiscover

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/mapiscope/mapiscope/decode/wire"
)

// Tree renders a document as a wire.Node tree for the text and JSON views:
// element local names as node names, text as string values, attributes as
// children named "@Name", the text of an element that also has attributes
// or children as "#text". Siblings sharing a name (several Protocol or
// OWAUrl elements) are gathered into an array node under that name. Offsets
// are byte offsets into the document: an element covers its start tag to
// its end tag, an attribute its name="value", "#text" the content between
// the tags. The root node covers the whole input and is named after the
// root element, with a one-line summary as its symbolic name.
func Tree(doc *Document) *wire.Node {
	if doc == nil || doc.Root == nil {
		return &wire.Node{Name: "Autodiscover", Kind: wire.KindStruct}
	}
	root := &wire.Node{Name: doc.Root.Name.Local, Kind: wire.KindStruct, Len: len(doc.raw), Sym: Summary(doc)}
	addContent(root, doc.Root, doc.raw)
	return root
}

// Summary describes a document in a few words: "request for
// user@contoso.com", "settings: mapiHttp, WEB", "redirectAddr
// user@sub.contoso.com", "error 500 EmailAddressNotFound".
func Summary(doc *Document) string {
	if doc == nil {
		return ""
	}
	switch {
	case doc.Request != nil:
		who := doc.Request.EMailAddress
		if who == "" {
			who = doc.Request.LegacyDN
		}
		return strings.TrimSpace("request for " + who)
	case doc.Response != nil:
		r := doc.Response
		if r.Error != nil {
			s := "error " + r.Error.ErrorCode
			if n := ErrorCodeName(r.Error.Code()); n != "" {
				s += " " + n
			}
			return s
		}
		if r.Account == nil {
			return "response"
		}
		a := r.Account
		switch {
		case strings.EqualFold(a.Action, ActionRedirectAddr):
			return a.Action + " " + a.RedirectAddr
		case strings.EqualFold(a.Action, ActionRedirectURL):
			return a.Action + " " + a.RedirectUrl
		}
		var types []string
		for _, p := range a.Protocols {
			types = append(types, p.Type)
		}
		s := a.Action
		if s == "" {
			s = "response"
		}
		if len(types) > 0 {
			s += ": " + strings.Join(types, ", ")
		}
		return s
	}
	if doc.Root != nil && !doc.Root.Is("Autodiscover") {
		return "not Autodiscover"
	}
	return ""
}

// elementNode renders one element.
func elementNode(e *Element, raw []byte) *wire.Node {
	if len(e.Children) == 0 && len(e.Attr) == 0 {
		n := &wire.Node{Name: e.Name.Local, Off: e.Start, Len: e.End - e.Start, Value: e.Value()}
		decorateLeaf(n, e)
		return n
	}
	n := &wire.Node{Name: e.Name.Local, Kind: wire.KindStruct, Off: e.Start, Len: e.End - e.Start}
	if e.Is("Protocol") {
		n.Sym = ProtocolType(e)
	} else if e.Is("Error") {
		n.Sym = ErrorCodeName(readError(e).Code())
	}
	addContent(n, e, raw)
	return n
}

// decorateLeaf gives number-valued leaves a number and a name.
func decorateLeaf(n *wire.Node, e *Element) {
	if e.Is("ErrorCode") {
		if v, err := strconv.ParseUint(e.Value(), 10, 32); err == nil {
			n.Value = v
			n.Sym = ErrorCodeName(int(v))
		}
	}
}

// addContent appends e's attributes, text and children to n.
func addContent(n *wire.Node, e *Element, raw []byte) {
	spans := scanAttrs(raw, e.Start, e.ContentStart)
	if len(spans) != len(e.Attr) {
		spans = nil
	}
	for i, a := range e.Attr {
		an := &wire.Node{Name: "@" + a.Name.Local, Value: a.Value, Off: e.Start, Len: e.ContentStart - e.Start}
		if spans != nil {
			an.Name = "@" + spans[i].name
			an.Off, an.Len = spans[i].off, spans[i].n
		}
		n.Children = append(n.Children, an)
	}
	if text := e.Value(); len(e.Children) == 0 || text != "" {
		if len(e.Attr) > 0 || len(e.Children) > 0 {
			tn := &wire.Node{Name: "#text", Value: text, Off: e.ContentStart, Len: e.ContentEnd - e.ContentStart}
			decorateLeaf(tn, e)
			n.Children = append(n.Children, tn)
		}
	}
	count := map[string]int{}
	for _, c := range e.Children {
		count[c.Name.Local]++
	}
	arrays := map[string]*wire.Node{}
	for _, c := range e.Children {
		cn := elementNode(c, raw)
		if count[c.Name.Local] < 2 {
			n.Children = append(n.Children, cn)
			continue
		}
		arr := arrays[c.Name.Local]
		if arr == nil {
			arr = &wire.Node{Name: c.Name.Local, Kind: wire.KindArray, Off: c.Start}
			arrays[c.Name.Local] = arr
			n.Children = append(n.Children, arr)
		}
		arr.Children = append(arr.Children, cn)
		arr.Len = c.End - arr.Off
	}
}

type attrSpan struct {
	name   string
	off, n int
}

// scanAttrs finds the name="value" spans of the start tag raw[start:end]
// in order, or nil when the tag does not read as expected.
func scanAttrs(raw []byte, start, end int) []attrSpan {
	if start < 0 || end > len(raw) || start >= end || raw[start] != '<' {
		return nil
	}
	isSpace := func(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }
	i := start + 1
	for i < end && !isSpace(raw[i]) && raw[i] != '/' && raw[i] != '>' {
		i++
	}
	var out []attrSpan
	for {
		for i < end && isSpace(raw[i]) {
			i++
		}
		if i >= end || raw[i] == '/' || raw[i] == '>' {
			return out
		}
		ns := i
		for i < end && !isSpace(raw[i]) && raw[i] != '=' && raw[i] != '/' && raw[i] != '>' {
			i++
		}
		name := string(raw[ns:i])
		for i < end && isSpace(raw[i]) {
			i++
		}
		if i >= end || raw[i] != '=' || name == "" {
			return nil
		}
		i++
		for i < end && isSpace(raw[i]) {
			i++
		}
		if i >= end || (raw[i] != '"' && raw[i] != '\'') {
			return nil
		}
		q := raw[i]
		i++
		for i < end && raw[i] != q {
			i++
		}
		if i >= end {
			return nil
		}
		i++
		out = append(out, attrSpan{name: name, off: ns, n: i - ns})
	}
}

// Check reports what in a document breaks [MS-OXDSCLI] or will puzzle a
// client: unexpected namespaces, a request without an address, an Action
// without its redirect target, a settings response without a Protocol, a
// mapiHttp Protocol without Version or MailStore, an unknown ErrorCode.
// Offsets are those of the element concerned.
func Check(doc *Document) []wire.Anomaly {
	if doc == nil || doc.Root == nil {
		return nil
	}
	var out []wire.Anomaly
	note := func(e *Element, format string, args ...any) {
		out = append(out, wire.Anomaly{Offset: e.Start, Path: e.Path(), Reason: fmt.Sprintf(format, args...)})
	}
	root := doc.Root
	if !root.Is("Autodiscover") {
		note(root, "root element is <%s>, not <Autodiscover>", root.Name.Local)
		return out
	}
	switch doc.Kind {
	case KindRequest:
		if root.Name.Space != RequestSchema {
			note(root, "request namespace %q, want %q", root.Name.Space, RequestSchema)
		}
		if n := len(root.ChildrenNamed("Request")); n > 1 {
			note(root, "%d Request elements (a server answers ErrorCode 600)", n)
		}
		r := doc.Request
		if r.EMailAddress == "" && r.LegacyDN == "" {
			note(r.Elem, "request has neither EMailAddress nor LegacyDN")
		}
		switch {
		case r.AcceptableResponseSchema == "":
			note(r.Elem, "request has no AcceptableResponseSchema")
		case r.AcceptableResponseSchema != OutlookResponseSchema:
			note(r.Elem, "AcceptableResponseSchema %q is not the Outlook 2006a schema", r.AcceptableResponseSchema)
		}
	case KindResponse:
		if root.Name.Space != ResponseSchema {
			note(root, "response namespace %q, want %q", root.Name.Space, ResponseSchema)
		}
		checkResponse(doc.Response, note)
	default:
		note(root, "Autodiscover element has neither Request nor Response")
	}
	return out
}

func checkResponse(r *Response, note func(*Element, string, ...any)) {
	switch r.Namespace {
	case OutlookResponseSchema, ResponseSchema:
	case MobileSyncResponseSchema:
		note(r.Elem, "an ActiveSync (mobilesync) response; only the Outlook schema is decoded")
		return
	default:
		note(r.Elem, "Response namespace %q is not the Outlook 2006a schema", r.Namespace)
	}
	if r.Error != nil {
		e := r.Error
		switch {
		case e.ErrorCode == "":
			note(e.Elem, "Error without ErrorCode")
		case ErrorCodeName(e.Code()) == "":
			note(e.Elem, "unknown ErrorCode %q", e.ErrorCode)
		}
	}
	a := r.Account
	if a == nil {
		if r.Error == nil {
			note(r.Elem, "Response has neither Account nor Error")
		}
		return
	}
	switch {
	case strings.EqualFold(a.Action, ActionSettings):
		if len(a.Protocols) == 0 {
			note(a.Elem, "Action settings without a Protocol")
		}
	case strings.EqualFold(a.Action, ActionRedirectAddr):
		if a.RedirectAddr == "" {
			note(a.Elem, "Action redirectAddr without RedirectAddr")
		}
	case strings.EqualFold(a.Action, ActionRedirectURL):
		if a.RedirectUrl == "" {
			note(a.Elem, "Action redirectUrl without RedirectUrl")
		}
	case a.Action == "":
		if a.Error == nil {
			note(a.Elem, "Account without Action")
		}
	default:
		note(a.Elem, "unknown Action %q", a.Action)
	}
	if n := len(a.Elem.ChildrenNamed("PublicFolderInformation")); n > 1 {
		note(a.Elem, "%d PublicFolderInformation elements (at most one is allowed)", n)
	}
	for _, p := range a.Protocols {
		if p.Type == "" {
			note(p.Elem, "Protocol without Type")
		}
		if !p.IsMapiHTTP() {
			continue
		}
		if p.VersionNumber() < 1 {
			note(p.Elem, "mapiHttp Protocol Version %q is not a positive integer", p.Version)
		}
		if p.MailStore == nil {
			note(p.Elem, "mapiHttp Protocol without MailStore")
		}
		for _, ep := range []*MapiEndpoint{p.MailStore, p.AddressBook} {
			if ep != nil && ep.InternalUrl == "" && ep.ExternalUrl == "" {
				note(ep.Elem, "%s without InternalUrl or ExternalUrl", ep.Elem.Name.Local)
			}
		}
	}
}

// CheckExchange checks a response against the headers of the request it
// answers: a mapiHttp Protocol only when X-MapiHttpCapability was sent,
// with a Version no higher than the capability ([MS-OXDSCLI] 2.2.4.1.1.2.6),
// and an EXHTTP Protocol only when X-ClientCanHandle lists ExHttpInfo.
func CheckExchange(req Headers, resp *Document) []wire.Anomaly {
	if resp == nil || resp.Response == nil || resp.Response.Account == nil {
		return nil
	}
	var out []wire.Anomaly
	for _, p := range resp.Response.Account.Protocols {
		e := p.Elem
		switch {
		case p.IsMapiHTTP() && !req.HasMapiHttpCapability:
			out = append(out, wire.Anomaly{Offset: e.Start, Path: e.Path(),
				Reason: "mapiHttp Protocol in answer to a request without X-MapiHttpCapability"})
		case p.IsMapiHTTP() && req.MapiHttpCapability > 0 && p.VersionNumber() > req.MapiHttpCapability:
			out = append(out, wire.Anomaly{Offset: e.Start, Path: e.Path(),
				Reason: fmt.Sprintf("mapiHttp Version %d above the client's X-MapiHttpCapability %d", p.VersionNumber(), req.MapiHttpCapability)})
		case strings.EqualFold(p.Type, TypeEXHTTP) && !req.Has(CanHandleExHttpInfo):
			out = append(out, wire.Anomaly{Offset: e.Start, Path: e.Path(),
				Reason: "EXHTTP Protocol although X-ClientCanHandle does not list ExHttpInfo"})
		}
	}
	return out
}

// Inspect is the decode layer's entry point: it parses b and returns the
// tree, the document (nil when b is not well-formed XML) and the anomalies
// — the parse error, or what Check finds. A well-formed document whose root
// is not Autodiscover is still rendered, with an anomaly.
func Inspect(b []byte) (*wire.Node, *Document, []wire.Anomaly) {
	doc, err := parseXML(b)
	if err != nil {
		off := 0
		var se *SyntaxError
		if errors.As(err, &se) {
			off = se.Offset
		}
		if off < 0 || off > len(b) {
			off = 0
		}
		raw := b[off:]
		if len(raw) > wire.MaxAnomalyRaw {
			raw = raw[:wire.MaxAnomalyRaw]
		}
		if errors.Is(err, ErrTooLarge) {
			raw = nil
		}
		a := wire.Anomaly{Offset: off, Reason: err.Error(), Raw: append([]byte(nil), raw...)}
		return &wire.Node{Name: "Autodiscover", Kind: wire.KindStruct, Len: len(b)}, nil, []wire.Anomaly{a}
	}
	return Tree(doc), doc, Check(doc)
}

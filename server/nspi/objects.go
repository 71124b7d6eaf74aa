package nspi

import (
	"strings"

	nsp "github.com/mapiscope/mapiscope/decode/nspi"
	"github.com/mapiscope/mapiscope/decode/prop"
)

// getProps is NspiGetProps — [MS-OXNSPI] 3.1.4.1.7: the properties of the
// object at STAT.CurrentRec (all of them when the client names none). A
// property the object lacks is a PtypErrorCode NotFound value and the
// return value ErrorsReturned (constraint 12); an object the server
// cannot locate is treated as one without properties (constraint 11).
// Strings are Unicode when the code page is CP_WINUNICODE.
func (g *gal) getProps(r *nsp.GetPropsRequest) nsp.Body {
	st := stateOr(r.State)
	if !knownCodePage(st.CodePage) {
		return &nsp.GetPropsResponse{ResponseHeader: header(InvalidCodepage)}
	}
	unicode := st.CodePage == nsp.CPWinUnicode
	o := g.lookup(st.CurrentRec)
	tags := r.PropertyTags
	if len(tags) == 0 {
		if o == nil {
			return &nsp.GetPropsResponse{ResponseHeader: header(ErrorsReturned), CodePage: st.CodePage}
		}
		tags = propList(o, unicode)
	}
	vals, errs := g.tagged(o, tags, r.Flags, unicode)
	code := Success
	if errs {
		code = ErrorsReturned
	}
	return &nsp.GetPropsResponse{
		ResponseHeader:    header(code),
		CodePage:          st.CodePage,
		HasPropertyValues: nsp.True,
		PropertyValues:    vals,
	}
}

// getPropList is NspiGetPropList — [MS-OXNSPI] 3.1.4.1.6: the tags of
// the properties the object has, strings in Unicode types when CodePage
// is CP_WINUNICODE. An unknown Minimal Entry ID is NotFound.
func (g *gal) getPropList(r *nsp.GetPropListRequest) nsp.Body {
	if !knownCodePage(r.CodePage) {
		return &nsp.GetPropListResponse{ResponseHeader: header(InvalidCodepage)}
	}
	o := g.lookup(r.MinimalId)
	if o == nil {
		return &nsp.GetPropListResponse{ResponseHeader: header(NotFound)}
	}
	return &nsp.GetPropListResponse{
		ResponseHeader:  header(Success),
		HasPropertyTags: nsp.True,
		PropertyTags:    propList(o, r.CodePage == nsp.CPWinUnicode),
	}
}

// queryColumns is NspiQueryColumns — [MS-OXNSPI] 3.1.4.1: every
// property the server knows, strings in Unicode types under
// NspiUnicodeProptypes and in 8-bit types otherwise.
func (g *gal) queryColumns(r *nsp.QueryColumnsRequest) nsp.Body {
	unicode := r.MapiFlags&nsp.NspiUnicodeProptypes != 0
	seen := map[uint16]bool{}
	var tags []prop.Tag
	add := func(o *object) {
		for _, t := range propList(o, unicode) {
			if !seen[t.ID()] {
				seen[t.ID()] = true
				tags = append(tags, t)
			}
		}
	}
	if len(g.rows) > 0 {
		add(g.rows[0])
	} else {
		// The properties are the same for every user: list those of a
		// user the snapshot does not hold.
		add(g.srv.userObject(Entry{LegacyDN: "/"}, 0, ""))
	}
	add(g.server)
	return &nsp.QueryColumnsResponse{ResponseHeader: header(Success), HasColumns: nsp.True, Columns: tags}
}

// getSpecialTable is NspiGetSpecialTable — [MS-OXNSPI] 3.1.4.1. The
// address book hierarchy table has one row, the Global Address List
// ([MS-OXOABK] 2.2.2: PidTagEntryId, PidTagContainerFlags, PidTagDepth,
// PidTagAddressBookContainerId, PidTagDisplayName, PidTagAddressBookIsMaster),
// returned whatever Version the client holds, as Exchange does. The
// address creation table is empty: the server has no templates. Strings
// are Unicode under NspiUnicodeStrings; CP_WINUNICODE without that flag is
// refused (constraint 1 leaves it to the server).
func (g *gal) getSpecialTable(r *nsp.GetSpecialTableRequest) nsp.Body {
	st := stateOr(r.State)
	unicode := r.Flags&nsp.NspiUnicodeStrings != 0
	if !serviceCodePage(st.CodePage) && (!unicode || st.CodePage != nsp.CPWinUnicode) {
		return &nsp.GetSpecialTableResponse{ResponseHeader: header(InvalidCodepage)}
	}
	resp := &nsp.GetSpecialTableResponse{ResponseHeader: header(Success), CodePage: st.CodePage}
	if r.Flags&nsp.NspiAddressCreationTemplates != 0 {
		return resp
	}
	nameType := prop.PtypString8
	if unicode {
		nameType = prop.PtypString
	}
	resp.HasVersion, resp.Version = nsp.True, hierarchyVersion
	resp.HasRows = nsp.True
	resp.Rows = [][]nsp.TaggedValue{{
		nsp.Tagged(tagEntryID, permanentEntryID(nsp.DTContainer, "/")),
		nsp.Tagged(tagContainerFlags, abRecipients|abUnmodifiable),
		nsp.Tagged(tagDepth, int32(0)),
		nsp.Tagged(tagContainerID, int32(galContainerID)),
		nsp.Tagged(tagDisplayName.WithType(nameType), ""),
		nsp.Tagged(tagIsMaster, false),
	}}
	return resp
}

// getTemplateInfo is NspiGetTemplateInfo — [MS-OXNSPI] 3.1.4.1.18. The
// server has no templates, so after the code page checks (constraints 3
// and 4: CP_WINUNICODE or an unknown code page is InvalidCodepage) every
// request is one for a template it cannot locate: InvalidLocale
// (constraint 5).
func getTemplateInfo(r *nsp.GetTemplateInfoRequest, session prop.ErrorCode) nsp.Body {
	code := InvalidLocale
	switch {
	case session != Success:
		code = session
	case !serviceCodePage(r.CodePage):
		code = InvalidCodepage
	}
	return &nsp.GetTemplateInfoResponse{ResponseHeader: header(code)}
}

// modProps is NspiModProps — [MS-OXNSPI] 3.1.4.1: the address book is
// read-only. The request is checked as the specification orders it (no
// property tags, or an object that cannot be located, is
// InvalidParameter) and then refused with AccessDenied, the answer of a
// server that will not apply the modification.
func (g *gal) modProps(r *nsp.ModPropsRequest) nsp.Body {
	st := stateOr(r.State)
	code := AccessDenied
	switch {
	case !knownCodePage(st.CodePage):
		code = InvalidCodepage
	case len(r.PropertyTags) == 0:
		code = InvalidParameter
	case g.lookup(st.CurrentRec) == nil:
		code = InvalidParameter
	}
	return &nsp.ModPropsResponse{ResponseHeader: header(code)}
}

// modLinkAtt is NspiModLinkAtt — [MS-OXNSPI] 3.1.4.1: a property tag the
// server does not recognize as a link (PidTagAddressBookMember,
// PidTagAddressBookPublicDelegates) is NotFound, an object it cannot
// locate InvalidParameter, and every modification AccessDenied: the
// address book is read-only.
func (g *gal) modLinkAtt(r *nsp.ModLinkAttRequest) nsp.Body {
	code := AccessDenied
	switch {
	case r.PropertyTag.ID() != tagMember.ID() && r.PropertyTag.ID() != tagPublicDelegates.ID():
		code = NotFound
	case g.lookup(r.MinimalId) == nil:
		code = InvalidParameter
	}
	return &nsp.ModLinkAttResponse{ResponseHeader: header(code)}
}

// getMailboxURL answers GetMailboxUrl — [MS-OXCMAPIHTTP] 2.2.5.18: the
// mailbox server endpoint URL of the mailbox ServerDn names. ServerDn is
// the DN of the user, or of the server or its store (the session user's
// mailbox), or a per-mailbox server DN whose last component is
// "<mailbox GUID>@domain". A DN the server does not know is NotFound.
func (s *Server) getMailboxURL(sess *Session, r *nsp.GetMailboxUrlRequest) nsp.Body {
	if s.cfg.MailboxURL == nil {
		return &nsp.GetMailboxUrlResponse{ResponseHeader: header(NotSupported)}
	}
	email, ok := s.mailboxOf(sess, r.ServerDn)
	if !ok {
		return &nsp.GetMailboxUrlResponse{ResponseHeader: header(NotFound)}
	}
	return &nsp.GetMailboxUrlResponse{ResponseHeader: header(Success), ServerUrl: s.cfg.MailboxURL(email)}
}

// getAddressBookURL answers GetAddressBookUrl — [MS-OXCMAPIHTTP]
// 2.2.5.19: the address book server endpoint URL for the user UserDn
// names (the session's user when it is empty).
func (s *Server) getAddressBookURL(sess *Session, r *nsp.GetAddressBookUrlRequest) nsp.Body {
	if s.cfg.AddressBookURL == nil {
		return &nsp.GetAddressBookUrlResponse{ResponseHeader: header(NotSupported)}
	}
	email, ok := s.mailboxOf(sess, r.UserDn)
	if !ok {
		return &nsp.GetAddressBookUrlResponse{ResponseHeader: header(NotFound)}
	}
	return &nsp.GetAddressBookUrlResponse{ResponseHeader: header(Success), ServerUrl: s.cfg.AddressBookURL(email)}
}

// mailboxOf finds the SMTP address of the mailbox a DN names.
func (s *Server) mailboxOf(sess *Session, dn string) (string, bool) {
	g := sess.gal
	if g == nil {
		g = s.snapshot(sess.user)
	}
	dn = strings.TrimSpace(dn)
	if dn == "" {
		return sess.user, sess.user != ""
	}
	if o := g.byName(dn); o != nil && o != g.server {
		return o.email, true
	}
	ldn, server := strings.ToLower(dn), strings.ToLower(s.cfg.ServerDN)
	if ldn == server || strings.HasPrefix(ldn, server+"/") {
		return sess.user, sess.user != ""
	}
	cn := lastCN(dn)
	if guid, _, ok := strings.Cut(cn, "@"); ok {
		if id, err := prop.ParseGUIDString(guid); err == nil {
			for _, o := range g.rows {
				if p, ok := o.props[tagObjectGUID.ID()]; ok {
					if b, _ := p.v.([]byte); string(b) == string(id[:]) {
						return o.email, true
					}
				}
			}
		}
	}
	return "", false
}

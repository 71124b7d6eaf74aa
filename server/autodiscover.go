package server

import (
	"io"
	"net/http"
	"strings"

	"github.com/mapiscope/mapiscope/decode/autodiscover"
)

// autodiscover answers POST /autodiscover/autodiscover.xml with the POX
// 2006a response of [MS-OXDSCLI] 2.2.4: User, Account and a
// Protocol Type="mapiHttp" section whose MailStore and AddressBook URLs
// point at this server; an unknown address gets the specification's
// error response (ErrorCode 500, "The e-mail address cannot be found.").
func (s *Server) autodiscover(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		http.Error(w, "405 Method Not Allowed: Autodiscover takes POST", http.StatusMethodNotAllowed)
		return
	}
	u := s.users.authenticate(r.Header.Get("Authorization"))
	if u == nil {
		challenge(w)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 64<<10))
	if err != nil {
		http.Error(w, "400 Bad Request: "+err.Error(), http.StatusBadRequest)
		return
	}
	email := ""
	if doc, err := autodiscover.Parse(body); err == nil && doc.Request != nil {
		email = strings.TrimSpace(doc.Request.EMailAddress)
	} else if err != nil {
		http.Error(w, "400 Bad Request: "+oneLine(err.Error()), http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	var target *user
	if email != "" {
		target = s.users.lookup(email)
	} else if doc, _ := autodiscover.Parse(body); doc != nil && doc.Request != nil && doc.Request.LegacyDN != "" {
		if mb, err := s.st.MailboxByLegacyDN(strings.TrimSpace(doc.Request.LegacyDN)); err == nil {
			target = s.users.lookup(mb.Email)
		}
	}
	if target == nil {
		w.Write(autodiscover.NewNotFoundResponse(s.cfg.Clock(), s.newCookie()[:8]))
		return
	}
	mb := target.mb
	user := autodiscover.User{
		DisplayName:             mb.DisplayName,
		LegacyDN:                mb.LegacyDN,
		AutoDiscoverSMTPAddress: mb.Email,
		DeploymentId:            mb.MailboxGUID.String(),
	}
	w.Write(autodiscover.NewMapiHTTPResponse(user,
		s.mailStoreURL()+"?MailboxId="+mb.Email,
		s.addressBookURL()+"?MailboxId="+mb.Email,
		autodiscover.WithExternalURLs(s.mailStoreURL()+"?MailboxId="+mb.Email, s.addressBookURL()+"?MailboxId="+mb.Email)))
}

func oneLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return s
}

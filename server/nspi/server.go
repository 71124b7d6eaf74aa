// Package nspi is the address book half of mapiscope's built-in MAPI/HTTP
// server: it answers the nineteen address book request types of
// [MS-OXCMAPIHTTP] 2.2.5 with the semantics of the Exchange Server NSPI
// Protocol ([MS-OXNSPI] 3.1.4), over a Global Address List of mail users
// that the caller supplies.
//
// The HTTP transport (cookies, meta-tags, authentication) is not here: it
// calls Handle with a request type and the raw request body, and writes
// back the bytes Handle returns. Bodies are decoded and encoded with
// package decode/nspi; nothing here knows a byte layout.
//
// Each bound session takes a snapshot of the GAL, sorted by display name,
// and assigns the Minimal Entry IDs ([MS-OXNSPI] 2.2.9.1) the session uses
// from then on. The address book is read-only: ModProps and ModLinkAtt
// are refused as the NspiModProps and NspiModLinkAtt processing rules of
// [MS-OXNSPI] 3.1.4.1 have a server that will not apply modifications
// answer.
package nspi

import (
	"fmt"
	"strings"
	"sync"

	"github.com/mapiscope/mapiscope/decode/mapihttp"
	nsp "github.com/mapiscope/mapiscope/decode/nspi"
	"github.com/mapiscope/mapiscope/decode/prop"
)

// Entry is one GAL entry (a mail user).
type Entry struct {
	Email       string // SMTP address
	DisplayName string
	// LegacyDN is the user's distinguished name, like
	// "/o=mapiscope/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn=alice".
	LegacyDN string
	// Alias is the local part, used by ambiguous name resolution and
	// PidTagAccount.
	Alias       string
	MailboxGUID prop.GUID
}

// Config is what a Server needs from the rest of the built-in server.
type Config struct {
	// Entries is called when a session binds (a GAL snapshot); it may
	// return something else at the next bind.
	Entries func() []Entry
	// ServerDN is the server object's distinguished name, e.g.
	// "/o=mapiscope/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Configuration/cn=Servers/cn=mapiscope".
	ServerDN string
	// MailboxURL and AddressBookURL answer GetMailboxUrl and
	// GetAddressBookUrl for a user's SMTP address.
	MailboxURL     func(email string) string
	AddressBookURL func(email string) string
	// ServerGUID is the NSPI server GUID Bind returns; it is also the
	// ProviderUID of Ephemeral Entry IDs ([MS-OXNSPI] 2.2.9.2).
	ServerGUID prop.GUID
}

// DefaultServerDN is used when Config.ServerDN is empty.
const DefaultServerDN = "/o=mapiscope/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Configuration/cn=Servers/cn=mapiscope"

// Server answers address book requests. It holds no session state; that
// is in Session.
type Server struct {
	cfg Config
}

// New returns a Server for cfg.
func New(cfg Config) *Server {
	if cfg.ServerDN == "" {
		cfg.ServerDN = DefaultServerDN
	}
	return &Server{cfg: cfg}
}

// mdbDN is the distinguished name of the server's mailbox store, the
// value of every user's PidTagAddressBookHomeMessageDatabase.
func (s *Server) mdbDN() string { return s.cfg.ServerDN + "/cn=Microsoft Private MDB" }

// Session is the state of one bound NSPI session context (one per
// context cookie): the GAL snapshot taken at Bind, with its Minimal Entry
// IDs. It is safe for concurrent use.
type Session struct {
	user string // SMTP address of the authenticated user

	mu  sync.Mutex
	gal *gal // nil until the session binds
}

// NewSession returns an unbound session for the authenticated user
// userEmail ("" for an anonymous client, which Bind refuses).
func (s *Server) NewSession(userEmail string) *Session {
	return &Session{user: userEmail}
}

// BadRequest is the error Handle returns for a request body that cannot
// be decoded; the transport answers it with X-ResponseCode 12 (invalid
// request body) — [MS-OXCMAPIHTTP] 2.2.3.3.3.
type BadRequest struct {
	Type   mapihttp.RequestType
	Reason string
}

func (e *BadRequest) Error() string {
	r := strings.Join(strings.Fields(e.Reason), " ")
	return fmt.Sprintf("nspi: %s request body cannot be decoded: %s", e.Type, r)
}

// Handle answers one request. body is the request body (after any
// meta-tags the client cannot send; the whole POST body). It returns the
// response body: the specification's response structure with StatusCode
// 0 and the NSPI return value in ErrorCode. err is a *BadRequest when the
// body cannot be decoded or t is not an address book request type.
func (s *Server) Handle(sess *Session, t mapihttp.RequestType, body []byte) ([]byte, error) {
	if t == mapihttp.TypePing {
		return nil, nil
	}
	if !t.AddressBook() {
		return nil, &BadRequest{Type: t, Reason: "not an address book request type"}
	}
	req, _, err := nsp.DecodeRequest(t, body, 0, false)
	if err != nil {
		return nil, &BadRequest{Type: t, Reason: err.Error()}
	}
	if sess == nil {
		sess = &Session{}
	}
	sess.mu.Lock()
	resp := s.dispatch(sess, req)
	sess.mu.Unlock()
	out, err := nsp.Encode(nil, resp)
	if err != nil {
		return nil, fmt.Errorf("nspi: encoding %s: %w", resp.Name(), err)
	}
	return out, nil
}

// dispatch runs one decoded request; the session lock is held.
func (s *Server) dispatch(sess *Session, req nsp.Body) nsp.Body {
	switch r := req.(type) {
	case *nsp.BindRequest:
		return s.bind(sess, r)
	case *nsp.UnbindRequest:
		sess.gal = nil
		return &nsp.UnbindResponse{ResponseHeader: header(UnbindSuccess)}
	case *nsp.GetMailboxUrlRequest:
		return s.getMailboxURL(sess, r)
	case *nsp.GetAddressBookUrlRequest:
		return s.getAddressBookURL(sess, r)
	}
	g, code := s.session(sess)
	switch r := req.(type) {
	case *nsp.CompareMIdsRequest:
		if code != Success {
			return &nsp.CompareMIdsResponse{ResponseHeader: header(code)}
		}
		return g.compareMIds(r)
	case *nsp.DNToMIdRequest:
		if code != Success {
			return &nsp.DNToMIdResponse{ResponseHeader: header(code)}
		}
		return g.dnToMId(r)
	case *nsp.GetMatchesRequest:
		if code != Success {
			return &nsp.GetMatchesResponse{ResponseHeader: header(code)}
		}
		return g.getMatches(r)
	case *nsp.GetPropListRequest:
		if code != Success {
			return &nsp.GetPropListResponse{ResponseHeader: header(code)}
		}
		return g.getPropList(r)
	case *nsp.GetPropsRequest:
		if code != Success {
			return &nsp.GetPropsResponse{ResponseHeader: header(code)}
		}
		return g.getProps(r)
	case *nsp.GetSpecialTableRequest:
		if code != Success {
			return &nsp.GetSpecialTableResponse{ResponseHeader: header(code)}
		}
		return g.getSpecialTable(r)
	case *nsp.GetTemplateInfoRequest:
		return getTemplateInfo(r, code)
	case *nsp.ModLinkAttRequest:
		if code != Success {
			return &nsp.ModLinkAttResponse{ResponseHeader: header(code)}
		}
		return g.modLinkAtt(r)
	case *nsp.ModPropsRequest:
		if code != Success {
			return &nsp.ModPropsResponse{ResponseHeader: header(code)}
		}
		return g.modProps(r)
	case *nsp.QueryColumnsRequest:
		if code != Success {
			return &nsp.QueryColumnsResponse{ResponseHeader: header(code)}
		}
		return g.queryColumns(r)
	case *nsp.QueryRowsRequest:
		if code != Success {
			return &nsp.QueryRowsResponse{ResponseHeader: header(code)}
		}
		return g.queryRows(r)
	case *nsp.ResolveNamesRequest:
		if code != Success {
			return &nsp.ResolveNamesResponse{ResponseHeader: header(code)}
		}
		return g.resolveNames(r)
	case *nsp.ResortRestrictionRequest:
		if code != Success {
			return &nsp.ResortRestrictionResponse{ResponseHeader: header(code)}
		}
		return g.resortRestriction(r)
	case *nsp.SeekEntriesRequest:
		if code != Success {
			return &nsp.SeekEntriesResponse{ResponseHeader: header(code)}
		}
		return g.seekEntries(r)
	case *nsp.UpdateStatRequest:
		if code != Success {
			return &nsp.UpdateStatResponse{ResponseHeader: header(code)}
		}
		return g.updateStat(r)
	}
	// Unreachable: DecodeRequest returns only the bodies above for the
	// address book types, and PING was answered before decoding.
	return &mapihttp.PingResponse{}
}

// session returns the session's GAL snapshot. A session that has not
// bound (or has unbound) binds implicitly when it has a user: the
// transport only creates sessions for authenticated users, and answering
// is more useful to a debugging client than refusing. Without a user the
// request fails as Bind would — [MS-OXNSPI] 3.1.4.1 (NspiBind).
func (s *Server) session(sess *Session) (*gal, prop.ErrorCode) {
	if sess.gal != nil {
		return sess.gal, Success
	}
	if sess.user == "" {
		return nil, LogonFailed
	}
	sess.gal = s.snapshot(sess.user)
	return sess.gal, Success
}

// bind is NspiBind — [MS-OXNSPI] 3.1.4.1, [MS-OXCMAPIHTTP] 2.2.5.1.
// Anonymous logins are not supported (Exchange 2010 and later answer
// NotSupported, [MS-OXNSPI] product behavior note on fAnonymousLogin); a
// session without an authenticated user fails with LogonFailed; the code
// page must be one the server serves, and CP_WINUNICODE is not
// (InvalidCodepage, constraint 5).
func (s *Server) bind(sess *Session, r *nsp.BindRequest) nsp.Body {
	if r.Flags&nsp.FAnonymousLogin != 0 {
		return &nsp.BindResponse{ResponseHeader: header(NotSupported)}
	}
	if sess.user == "" {
		return &nsp.BindResponse{ResponseHeader: header(LogonFailed)}
	}
	if r.State != nil && !serviceCodePage(r.State.CodePage) {
		return &nsp.BindResponse{ResponseHeader: header(InvalidCodepage)}
	}
	sess.gal = s.snapshot(sess.user)
	return &nsp.BindResponse{ResponseHeader: header(Success), ServerGuid: s.cfg.ServerGUID}
}

func header(code prop.ErrorCode) nsp.ResponseHeader {
	return nsp.ResponseHeader{ErrorCode: code}
}

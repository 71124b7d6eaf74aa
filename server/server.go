// Package server is mapiscope's built-in MAPI/HTTP server: the emsmdb and
// nspi endpoints of [MS-OXCMAPIHTTP], Autodiscover ([MS-OXDSCLI]) and HTTP
// Basic authentication, over the SQLite mailbox store of server/store.
//
// Requests are answered as Exchange answers them wherever the
// specifications leave room: chunked responses with PROCESSING, PENDING
// keep-alives and DONE, MapiContext/MapiSequence cookies, handles
// allocated as (LogonId<<24)|n, error ROP responses rather than failed
// requests.
package server

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	mrand "math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/mapiscope/mapiscope/decode/prop"
	"github.com/mapiscope/mapiscope/server/nspi"
	"github.com/mapiscope/mapiscope/server/store"
)

// Config configures a Server. Zero values take the defaults noted.
type Config struct {
	// Store is the mailbox store (required).
	Store *store.Store
	// PublicURL is the base URL clients reach the server at
	// ("https://mail.example.test"); Autodiscover builds the MailStore and
	// AddressBook URLs from it.
	PublicURL string
	// Deterministic fixes the clock and seeds cookies, so that two runs of
	// the same client script get byte-identical response bodies. The
	// store must have been opened with the same fixed clock and seed
	// (see DeterministicStoreOptions).
	Deterministic bool
	// Clock gives the time (time.Now; fixed in deterministic mode).
	Clock func() time.Time
	// PendingPeriod is the interval of PENDING keep-alives
	// (X-PendingPeriod, default 15 s as Exchange).
	PendingPeriod time.Duration
	// SessionIdle is how long an unused session context lives
	// (X-ExpirationInfo, default 15 minutes).
	SessionIdle time.Duration
	// NotificationWaitMax bounds a NotificationWait long-poll
	// (default 5 minutes, as Exchange).
	NotificationWaitMax time.Duration
	// MaxBody is the largest request body accepted (default 16 MiB);
	// larger ones get X-ResponseCode 9 (Too Large).
	MaxBody int64
	// MaxSessionsPerUser bounds the session contexts one user holds
	// (default 64); the oldest idle one is dropped beyond it.
	MaxSessionsPerUser int
	// ServerApplication is sent in X-ServerApplication.
	ServerApplication string
	// Logger receives one line per failed request (slog.Default when nil).
	Logger *slog.Logger
	// RopHook, when set, sees every ROP response before it is encoded
	// and may change it (a test hook for replay comparisons).
	RopHook func(logonUser string, req any, resp any)
}

// Defaults.
const (
	DefaultPendingPeriod       = 15 * time.Second
	DefaultSessionIdle         = 15 * time.Minute
	DefaultNotificationWaitMax = 5 * time.Minute
	DefaultMaxBody             = 16 << 20
	DefaultMaxSessionsPerUser  = 64
	DefaultServerApplication   = "Exchange/15.02.1544.004"
)

// DeterministicEpoch is the fixed time of deterministic mode.
var DeterministicEpoch = time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)

// DeterministicStoreOptions returns store options with a fixed clock and
// a seeded GUID source, for deterministic mode.
func DeterministicStoreOptions() store.Options {
	return store.Options{Clock: func() time.Time { return DeterministicEpoch }, Rand: newSeeded(1)}
}

// seeded is a deterministic byte source.
type seeded struct {
	mu sync.Mutex
	r  *mrand.ChaCha8
}

func newSeeded(n uint64) *seeded {
	var seed [32]byte
	binary.LittleEndian.PutUint64(seed[:], n)
	return &seeded{r: mrand.NewChaCha8(seed)}
}

func (s *seeded) Read(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.r.Read(p)
}

// Server is the built-in MAPI/HTTP server; it is an http.Handler.
type Server struct {
	cfg   Config
	st    *store.Store
	log   *slog.Logger
	rand  io.Reader
	users *userDB
	nspi  *nspi.Server

	mu       sync.Mutex
	sessions map[string]*session
	closed   bool
	done     chan struct{}

	events *eventBus
}

// New makes a server over cfg.Store.
func New(cfg Config) (*Server, error) {
	if cfg.Store == nil {
		return nil, errors.New("server: no store")
	}
	if cfg.PendingPeriod <= 0 {
		cfg.PendingPeriod = DefaultPendingPeriod
	}
	if cfg.SessionIdle <= 0 {
		cfg.SessionIdle = DefaultSessionIdle
	}
	if cfg.NotificationWaitMax <= 0 {
		cfg.NotificationWaitMax = DefaultNotificationWaitMax
	}
	if cfg.MaxBody <= 0 {
		cfg.MaxBody = DefaultMaxBody
	}
	if cfg.MaxSessionsPerUser <= 0 {
		cfg.MaxSessionsPerUser = DefaultMaxSessionsPerUser
	}
	if cfg.ServerApplication == "" {
		cfg.ServerApplication = DefaultServerApplication
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
		if cfg.Deterministic {
			cfg.Clock = func() time.Time { return DeterministicEpoch }
		}
	}
	if cfg.PublicURL == "" {
		cfg.PublicURL = "http://127.0.0.1"
	}
	cfg.PublicURL = strings.TrimRight(cfg.PublicURL, "/")
	if _, err := url.Parse(cfg.PublicURL); err != nil {
		return nil, fmt.Errorf("server: public URL: %v", err)
	}
	s := &Server{
		cfg:      cfg,
		st:       cfg.Store,
		log:      cfg.Logger,
		rand:     rand.Reader,
		users:    newUserDB(),
		sessions: map[string]*session{},
		done:     make(chan struct{}),
		events:   newEventBus(),
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	if cfg.Deterministic {
		s.rand = newSeeded(2)
	}
	s.nspi = nspi.New(nspi.Config{
		Entries:        s.galEntries,
		ServerDN:       ServerDN,
		MailboxURL:     func(string) string { return s.mailStoreURL() },
		AddressBookURL: func(string) string { return s.addressBookURL() },
		ServerGUID:     s.serverGUID(),
	})
	go s.sweep()
	return s, nil
}

// ServerDN is the distinguished name of the server object.
const ServerDN = "/o=mapiscope/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Configuration/cn=Servers/cn=mapiscope"

func (s *Server) serverGUID() prop.GUID {
	var g prop.GUID
	io.ReadFull(s.rand, g[:])
	return g
}

func (s *Server) mailStoreURL() string   { return s.cfg.PublicURL + "/mapi/emsmdb/" }
func (s *Server) addressBookURL() string { return s.cfg.PublicURL + "/mapi/nspi/" }

// AutodiscoverURL is the URL to give a client.
func (s *Server) AutodiscoverURL() string {
	return s.cfg.PublicURL + "/autodiscover/autodiscover.xml"
}

// galEntries lists the users as GAL entries.
func (s *Server) galEntries() []nspi.Entry {
	mbs, err := s.st.Mailboxes()
	if err != nil {
		s.log.Warn("listing mailboxes", "err", err)
		return nil
	}
	out := make([]nspi.Entry, 0, len(mbs))
	for _, mb := range mbs {
		alias, _, _ := strings.Cut(mb.Email, "@")
		out = append(out, nspi.Entry{Email: mb.Email, DisplayName: mb.DisplayName, LegacyDN: mb.LegacyDN, Alias: alias, MailboxGUID: mb.MailboxGUID})
	}
	return out
}

// AddUser adds a user who can log on with password, creating the
// mailbox when the store has none for email. It reports whether the
// mailbox was created.
func (s *Server) AddUser(email, password, displayName string) (created bool, err error) {
	email = strings.TrimSpace(email)
	if email == "" || !strings.Contains(email, "@") {
		return false, fmt.Errorf("user %q: not an email address", email)
	}
	mb, err := s.st.MailboxByEmail(email)
	if errors.Is(err, store.ErrNotFound) {
		if displayName == "" {
			displayName = defaultDisplayName(email)
		}
		mb, err = s.st.CreateMailbox(email, displayName)
		created = true
	}
	if err != nil {
		return false, err
	}
	s.users.add(mb, password)
	return created, nil
}

// Users lists the users' email addresses.
func (s *Server) Users() []string { return s.users.emails() }

func defaultDisplayName(email string) string {
	local, _, _ := strings.Cut(email, "@")
	parts := strings.FieldsFunc(local, func(r rune) bool { return r == '.' || r == '_' || r == '-' })
	for i, p := range parts {
		if p != "" {
			parts[i] = strings.ToUpper(p[:1]) + p[1:]
		}
	}
	return strings.Join(parts, " ")
}

// Close ends every session; the store stays open.
func (s *Server) Close() error {
	s.mu.Lock()
	if !s.closed {
		s.closed = true
		close(s.done)
	}
	sessions := s.sessions
	s.sessions = map[string]*session{}
	s.mu.Unlock()
	for _, ss := range sessions {
		ss.end()
	}
	return nil
}

// ServeHTTP routes Autodiscover, emsmdb and nspi requests.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p := strings.ToLower(r.URL.Path)
	switch {
	case p == "/autodiscover/autodiscover.xml":
		s.autodiscover(w, r)
	case p == "/mapi/emsmdb" || p == "/mapi/emsmdb/":
		s.mapi(w, r, endpointEmsmdb)
	case p == "/mapi/nspi" || p == "/mapi/nspi/":
		s.mapi(w, r, endpointNspi)
	case p == "/" || p == "":
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintf(w, "mapiscope built-in MAPI/HTTP server\nAutodiscover: %s\n", s.AutodiscoverURL())
	default:
		http.NotFound(w, r)
	}
}

// newCookie returns a fresh opaque cookie value.
func (s *Server) newCookie() string {
	var b [18]byte
	io.ReadFull(s.rand, b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// sweep expires idle sessions.
func (s *Server) sweep() {
	period := s.cfg.SessionIdle / 4
	if period < 50*time.Millisecond {
		period = 50 * time.Millisecond
	}
	t := time.NewTicker(period)
	defer t.Stop()
	for {
		select {
		case <-s.done:
			return
		case <-t.C:
		}
		now := time.Now()
		var dead []*session
		s.mu.Lock()
		for id, ss := range s.sessions {
			if ss.expired(now, s.cfg.SessionIdle) {
				delete(s.sessions, id)
				dead = append(dead, ss)
			}
		}
		s.mu.Unlock()
		for _, ss := range dead {
			ss.end()
		}
	}
}

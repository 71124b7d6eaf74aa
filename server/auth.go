package server

import (
	"bufio"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"strings"
	"sync"

	"github.com/mapiscope/mapiscope/server/store"
)

// Passwords are kept as PBKDF2-SHA256 hashes. Verifying one costs a few
// milliseconds on purpose, so the server verifies a password once — when
// a session context is created, or the first time an Authorization value
// is seen — and afterwards compares the request's Authorization value
// with the one it verified (see session.authorized).
const pbkdf2Iterations = 20000

type user struct {
	mb   *store.Mailbox
	salt []byte
	hash []byte
}

type userDB struct {
	mu     sync.RWMutex
	byName map[string]*user // lower-case email and DOMAIN\alias and alias
	// verified caches Authorization values already checked, so that
	// Autodiscover and new session contexts from a client that keeps its
	// credentials do not hash again. Bounded.
	verified map[string]*user
}

func newUserDB() *userDB {
	return &userDB{byName: map[string]*user{}, verified: map[string]*user{}}
}

func hashPassword(password string, salt []byte) []byte {
	h, _ := pbkdf2.Key(sha256.New, password, salt, pbkdf2Iterations, 32)
	return h
}

func (d *userDB) add(mb *store.Mailbox, password string) {
	salt := make([]byte, 16)
	io.ReadFull(rand.Reader, salt)
	u := &user{mb: mb, salt: salt, hash: hashPassword(password, salt)}
	d.mu.Lock()
	defer d.mu.Unlock()
	email := strings.ToLower(mb.Email)
	alias, domain, _ := strings.Cut(email, "@")
	d.byName[email] = u
	d.byName[alias] = u
	d.byName[domain+`\`+alias] = u
	if dom, _, ok := strings.Cut(domain, "."); ok {
		d.byName[dom+`\`+alias] = u
	}
	for k, v := range d.verified {
		if v.mb.ID == mb.ID {
			delete(d.verified, k)
		}
	}
}

func (d *userDB) emails() []string {
	d.mu.RLock()
	defer d.mu.RUnlock()
	seen := map[string]bool{}
	var out []string
	for _, u := range d.byName {
		if !seen[u.mb.Email] {
			seen[u.mb.Email] = true
			out = append(out, u.mb.Email)
		}
	}
	sort.Strings(out)
	return out
}

func (d *userDB) lookup(name string) *user {
	d.mu.RLock()
	defer d.mu.RUnlock()
	return d.byName[strings.ToLower(strings.TrimSpace(name))]
}

// authenticate checks an Authorization header value: HTTP Basic with
// EMAIL:PASSWORD, DOMAIN\user:PASSWORD or alias:PASSWORD.
func (d *userDB) authenticate(authz string) *user {
	if authz == "" {
		return nil
	}
	d.mu.RLock()
	u := d.verified[authz]
	d.mu.RUnlock()
	if u != nil {
		return u
	}
	scheme, cred, ok := strings.Cut(authz, " ")
	if !ok || !strings.EqualFold(scheme, "Basic") {
		return nil
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(cred))
	if err != nil {
		return nil
	}
	name, password, ok := strings.Cut(string(raw), ":")
	if !ok {
		return nil
	}
	u = d.lookup(name)
	if u == nil {
		// Hash anyway so that unknown users cost as much as wrong passwords.
		hashPassword(password, make([]byte, 16))
		return nil
	}
	if subtle.ConstantTimeCompare(hashPassword(password, u.salt), u.hash) != 1 {
		return nil
	}
	d.mu.Lock()
	if len(d.verified) > 4096 {
		clear(d.verified)
	}
	d.verified[authz] = u
	d.mu.Unlock()
	return u
}

// challenge answers 401 with a Basic challenge.
func challenge(w http.ResponseWriter) {
	w.Header().Set("WWW-Authenticate", `Basic realm="mapiscope"`)
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusUnauthorized)
	io.WriteString(w, "401 Unauthorized: HTTP Basic credentials required\n")
}

// UserSpec is one user given on the command line or in a users file.
type UserSpec struct {
	Email, Password, DisplayName string
}

// ParseUserSpec reads "EMAIL:PASSWORD" or "EMAIL:PASSWORD:Display Name".
func ParseUserSpec(s string) (UserSpec, error) {
	email, rest, ok := strings.Cut(strings.TrimSpace(s), ":")
	if !ok || email == "" || !strings.Contains(email, "@") {
		return UserSpec{}, fmt.Errorf("user %q: want EMAIL:PASSWORD", s)
	}
	password, display, _ := strings.Cut(rest, ":")
	if password == "" {
		return UserSpec{}, fmt.Errorf("user %q: empty password", email)
	}
	return UserSpec{Email: email, Password: password, DisplayName: strings.TrimSpace(display)}, nil
}

// ReadUsersFile reads a users file: one EMAIL:PASSWORD[:Display Name] per
// line; blank lines and lines starting with # are skipped.
func ReadUsersFile(path string) ([]UserSpec, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []UserSpec
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		u, err := ParseUserSpec(line)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %v", path, n, err)
		}
		out = append(out, u)
	}
	return out, sc.Err()
}

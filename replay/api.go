package replay

import (
	"fmt"
	"strconv"
	"strings"
)

// SessionRef names a recorded MAPI session: a trace file and a session
// id in it (0: the trace's sessions in order, as one client run).
type SessionRef struct {
	Trace   string `json:"trace"`
	Session int64  `json:"session,omitempty"`
}

// ParseSessionRef reads TRACE or TRACE:SESSION.
func ParseSessionRef(s string) (SessionRef, error) {
	if i := strings.LastIndexByte(s, ':'); i > 0 && i < len(s)-1 {
		if id, err := strconv.ParseInt(s[i+1:], 10, 64); err == nil {
			if id <= 0 {
				return SessionRef{}, fmt.Errorf("%q: session ids start at 1", s)
			}
			return SessionRef{Trace: s[:i], Session: id}, nil
		}
	}
	if s == "" {
		return SessionRef{}, fmt.Errorf("no trace named")
	}
	return SessionRef{Trace: s}, nil
}

func (r SessionRef) String() string {
	if r.Session == 0 {
		return r.Trace
	}
	return fmt.Sprintf("%s:%d", r.Trace, r.Session)
}

// Outcome is how one ROP compared.
type Outcome string

const (
	Same      Outcome = "same"
	Different Outcome = "different"
	Missing   Outcome = "missing" // recorded, no live answer
	Extra     Outcome = "extra"   // live answer with no recorded one
)

// Summary counts outcomes.
type Summary struct {
	Same      int `json:"same"`
	Different int `json:"different"`
	Missing   int `json:"missing"`
	Extra     int `json:"extra"`
}

// Add counts one outcome.
func (s *Summary) Add(o Outcome) {
	switch o {
	case Same:
		s.Same++
	case Different:
		s.Different++
	case Missing:
		s.Missing++
	case Extra:
		s.Extra++
	}
}

// Clean reports no unexpected difference.
func (s Summary) Clean() bool { return s.Different == 0 && s.Missing == 0 && s.Extra == 0 }

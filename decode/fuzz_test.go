package decode

import (
	"testing"
)

// FuzzExecuteSession feeds whole Execute request and response bodies
// through a Session: the decoder must never panic, whatever the bytes,
// and the session must stay usable for the next exchange.
func FuzzExecuteSession(f *testing.F) {
	for _, rows := range []int{0, 3} {
		req, resp := benchExecute(f, rows)
		f.Add(req, resp)
	}
	req, resp := sessionStep(f)
	f.Add(req, resp)
	f.Add([]byte{}, []byte{})
	f.Add([]byte{0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff}, []byte{0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, req, resp []byte) {
		s := NewSession()
		logonForBench(s)
		s.Execute(req, resp, false)
		s.Execute(req, resp, true)
		// The context survives garbage: a well-formed exchange still decodes.
		r2, p2 := sessionStep(t)
		if res := s.Execute(r2, p2, false); len(res.Pairs()) == 0 {
			t.Fatalf("session unusable after garbage")
		}
	})
}

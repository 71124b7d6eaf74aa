package synth

import (
	"testing"

	"github.com/mapiscope/mapiscope/decode"
	"github.com/mapiscope/mapiscope/decode/mapihttp"
)

// The bodies are valid MAPI/HTTP: the project's decoder reads them without
// an anomaly, pairing every ROP response with its request.
func TestBodiesDecode(t *testing.T) {
	s := decode.NewSession()
	lreq, lresp, err := Logon("user0001")
	if err != nil {
		t.Fatal(err)
	}
	check := func(name string, req, resp []byte, pairs int) {
		t.Helper()
		res := s.Execute(req, resp, false)
		if len(res.Anomalies) != 0 {
			t.Errorf("%s: %v", name, res.Anomalies)
		}
		if n := len(res.Pairs()); n != pairs {
			t.Errorf("%s: %d ROPs, want %d", name, n, pairs)
		}
		for _, p := range res.Pairs() {
			if p.Response == nil && p.Name() != "RopRelease" {
				t.Errorf("%s: %s has no response", name, p.Name())
			}
		}
	}
	check("logon", lreq, lresp, 2)
	for _, rows := range []int{5, 200} {
		req, resp, err := TableRead(rows)
		if err != nil {
			t.Fatal(err)
		}
		check("table", req, resp, 7)
	}
	req, resp, err := PropertyRead(3, 9000)
	if err != nil {
		t.Fatal(err)
	}
	check("props", req, resp, 3)
	req, resp, err = FastTransfer(1, 32000, true)
	if err != nil {
		t.Fatal(err)
	}
	check("fx", req, resp, 1)
	creq, cresp, _ := Connect("bob")
	if _, _, err := mapihttp.DecodeRequest(mapihttp.TypeConnect, creq, 0, false); err != nil {
		t.Error(err)
	}
	if _, _, err := mapihttp.DecodeResponse(mapihttp.TypeConnect, cresp, 0, false); err != nil {
		t.Error(err)
	}
	dreq, dresp, _ := Disconnect()
	if _, _, err := mapihttp.DecodeRequest(mapihttp.TypeDisconnect, dreq, 0, false); err != nil {
		t.Error(err)
	}
	if _, _, err := mapihttp.DecodeResponse(mapihttp.TypeDisconnect, dresp, 0, false); err != nil {
		t.Error(err)
	}
}

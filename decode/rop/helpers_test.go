package rop

import (
	"bytes"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/mapiscope/mapiscope/decode/wire"
)

// unhex turns spaced or plain hex into bytes.
func unhex(t *testing.T, s string) []byte {
	t.Helper()
	s = strings.Join(strings.Fields(s), "")
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatalf("bad hex in test: %v", err)
	}
	return b
}

// checkRequest decodes b as one ROP request (with and without spans),
// requires no anomaly and every byte consumed, re-encodes it and requires
// the same bytes. It returns the decoded request.
func checkRequest(t *testing.T, hexs string, ctx *Ctx) Request {
	t.Helper()
	return checkRop(t, hexs, ctx, true).(Request)
}

// checkResponse is checkRequest for a response. ctx carries the request
// or columns the response needs.
func checkResponse(t *testing.T, hexs string, ctx *Ctx) Response {
	t.Helper()
	return checkRop(t, hexs, ctx, false).(Response)
}

func checkRop(t *testing.T, hexs string, ctx *Ctx, request bool) any {
	t.Helper()
	b := unhex(t, hexs)
	if ctx == nil {
		ctx = &Ctx{}
	}
	var out any
	for _, spans := range []bool{false, true} {
		c := wire.NewDecoder(b, spans, "rop")
		cx := *ctx
		var err error
		if request {
			out, err = DecodeRequest(c, &cx)
		} else {
			out, err = DecodeResponse(c, &cx)
		}
		if err != nil || len(c.Anomalies()) > 0 {
			t.Fatalf("decode %s (spans=%v): err=%v anomalies=%v", hexs, spans, err, c.Anomalies())
		}
		if c.Remaining() != 0 {
			t.Fatalf("decode %s: %d bytes left unread", hexs, c.Remaining())
		}
		if spans {
			if c.Tree() == nil || len(c.Tree().JSON(wire.JSONOptions{})) == 0 {
				t.Fatalf("no span tree")
			}
		}
	}
	cx := *ctx
	enc, err := Encode(nil, out.(interface{ Codec(*wire.Codec, *Ctx) }), &cx)
	if err != nil {
		t.Fatalf("encode: %v", err)
	}
	if !bytes.Equal(enc, b) {
		t.Fatalf("round trip differs:\n got %x\nwant %x", enc, b)
	}
	return out
}

// decodeFails decodes b and requires an anomaly (truncated or invalid).
func decodeFails(t *testing.T, hexs string, ctx *Ctx, request bool) {
	t.Helper()
	b := unhex(t, hexs)
	if ctx == nil {
		ctx = &Ctx{}
	}
	c := wire.NewDecoder(b, true, "rop")
	if request {
		DecodeRequest(c, ctx)
	} else {
		DecodeResponse(c, ctx)
	}
	if len(c.Anomalies()) == 0 {
		t.Fatalf("decode %s: expected an anomaly, got none", hexs)
	}
}

// treeJSON decodes with spans and returns the JSON of the ROP node.
func treeJSON(t *testing.T, hexs string, ctx *Ctx, request bool) string {
	t.Helper()
	b := unhex(t, hexs)
	if ctx == nil {
		ctx = &Ctx{}
	}
	c := wire.NewDecoder(b, true, "rop")
	if request {
		DecodeRequest(c, ctx)
	} else {
		DecodeResponse(c, ctx)
	}
	return string(c.Tree().JSON(wire.JSONOptions{}))
}

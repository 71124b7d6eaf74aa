package nspi

import (
	"bytes"
	"testing"

	"github.com/mapiscope/mapiscope/decode/mapihttp"
	"github.com/mapiscope/mapiscope/decode/wire"
)

// fuzzTarget maps the first byte of a fuzz input to a request type and a
// direction: byte 2i is the request of RequestTypes()[i], 2i+1 its
// response (modulo 38).
func fuzzTarget(b byte) (mapihttp.RequestType, bool) {
	types := RequestTypes()
	i := int(b) % (2 * len(types))
	return types[i/2], i%2 == 1
}

func fuzzSelector(rt mapihttp.RequestType, resp bool) (byte, bool) {
	for i, t := range RequestTypes() {
		if t == rt {
			s := byte(2 * i)
			if resp {
				s++
			}
			return s, true
		}
	}
	return 0, false
}

// FuzzNSPIBodies decodes any bytes as any address book body: decoding
// never panics, spans on or off give the same result, and a body that
// decodes without anomaly re-encodes to the same bytes.
func FuzzNSPIBodies(f *testing.F) {
	for _, tc := range bodyCases() {
		if s, ok := fuzzSelector(tc.t, tc.resp); ok {
			f.Add(append([]byte{s}, tc.b...))
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) == 0 {
			return
		}
		rt, resp := fuzzTarget(data[0])
		b := data[1:]
		decode := func(spans bool) (Body, int, bool) {
			var body Body
			var c *wire.Codec
			var err error
			if resp {
				body, c, err = DecodeResponse(rt, b, 0, spans)
			} else {
				body, c, err = DecodeRequest(rt, b, 0, spans)
			}
			if spans {
				c.Tree().JSON(wire.JSONOptions{Spans: true})
				c.Tree().Text()
			}
			return body, len(c.Anomalies()), c.Failed() || err != nil
		}
		body, n, failed := decode(true)
		_, n2, failed2 := decode(false)
		if n != n2 || failed != failed2 {
			t.Fatalf("%s resp=%v: spans change the result: %d/%v vs %d/%v", rt, resp, n, failed, n2, failed2)
		}
		out, err := Encode(nil, body)
		if n == 0 {
			if err != nil {
				t.Fatalf("%s resp=%v: encode: %v", rt, resp, err)
			}
			if !bytes.Equal(out, b) {
				t.Fatalf("%s resp=%v: round trip differs:\n got %x\nwant %x", rt, resp, out, b)
			}
		}
	})
}

package rop

import (
	"bytes"
	"encoding/hex"
	"testing"

	"github.com/mapiscope/mapiscope/decode/prop"
	"github.com/mapiscope/mapiscope/decode/wire"
)

// fuzzColumns gives table ROPs a column set so their rows decode.
type fuzzColumns struct{}

func (fuzzColumns) BeforeRequest(int, uint8, uint8, *Ctx) {}
func (fuzzColumns) BeforeResponse(_ int, ctx *Ctx) {
	ctx.Columns = []prop.Tag{0x67480014, 0x0037001F, 0x0E060040, 0x0FFF0102, 0x0E070003}
	ctx.HasColumns = true
}
func (fuzzColumns) AfterResponse(int, Response, *Ctx) {}

// FuzzRopBuffer decodes arbitrary bytes as a request buffer and as a
// response buffer. It must never panic; a buffer that decodes with no
// anomaly must encode back to the same bytes.
func FuzzRopBuffer(f *testing.F) {
	for _, s := range []string{
		"0200", "08000100000100016f0000006e000000",
		"0c0002000001000000000000000001ffffffff",
		"0e001500000000000000000001000000",
		"0900f90034120000000000",
	} {
		f.Add(unhexF(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		c := wire.NewDecoder(b, false, "")
		var rb RequestBuffer
		CodecRequestBuffer(c, &rb, nil)
		if len(c.Anomalies()) == 0 && c.Remaining() == 0 {
			e := wire.NewEncoder(nil)
			CodecRequestBuffer(e, &rb, nil)
			if !bytes.Equal(e.Output(), b) {
				t.Fatalf("request buffer round trip:\n in %x\nout %x", b, e.Output())
			}
		}
		c = wire.NewDecoder(b, true, "")
		var sb ResponseBuffer
		CodecResponseBuffer(c, &sb, &rb, fuzzColumns{})
		if len(c.Anomalies()) == 0 && c.Remaining() == 0 {
			e := wire.NewEncoder(nil)
			CodecResponseBuffer(e, &sb, &rb, nil)
			_ = e
		}
	})
}

func unhexF(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

package decode

import (
	"encoding/hex"
	"flag"
	"os"
	"strings"
	"testing"

	"github.com/mapiscope/mapiscope/decode/mapihttp"
	"github.com/mapiscope/mapiscope/decode/prop"
	"github.com/mapiscope/mapiscope/decode/rop"
	"github.com/mapiscope/mapiscope/decode/rpcext"
	"github.com/mapiscope/mapiscope/decode/wire"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/examples")

// executeBodies builds an Execute request body (RopLogon, RopGetReceiveFolder)
// and its response body; respFlags chooses compression/obfuscation of the
// response payload.
func executeBodies(t *testing.T, respFlags uint16) (req, resp []byte) {
	t.Helper()
	sc := sessionScript{t}
	logon := &rop.LogonRequest{RequestHeader: hdr(0xFE, 0, 0), LogonFlags: 0x01, OpenFlags: 0x2100040C, Essdn: "/o=mapiscope/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn=alice"}
	grf := &rop.GetReceiveFolderRequest{RequestHeader: hdr(0x27, 0, 0), MessageClass: "IPM"}
	reqROPs := sc.reqBuf([]uint32{none}, logon, grf)
	lr := &rop.LogonResponse{ResponseHeader: ok(0xFE, 0), LogonFlags: 0x01, ResponseFlags: 0x01, ReplId: 1}
	for i := range lr.FolderIds {
		lr.FolderIds[i] = prop.MakeID(1, uint64(i+1))
	}
	lr.LogonTime = rop.LogonTime{Seconds: 1, Minutes: 2, Hour: 3, DayOfWeek: 6, Day: 28, Month: 11, Year: 2026}
	grfResp := &rop.GetReceiveFolderResponse{ResponseHeader: ok(0x27, 0), FolderId: prop.MakeID(1, 5), ExplicitMessageClass: "IPM"}
	respROPs := sc.respBuf([]uint32{0x00000123}, nil, []rop.Request{logon, grf}, lr, grfResp)

	blk := rpcext.Build(reqROPs, 0, true)
	rb, err := rpcext.Append(nil, []rpcext.Block{blk})
	if err != nil {
		t.Fatal(err)
	}
	req, err = mapihttp.Encode(nil, &mapihttp.ExecuteRequest{Flags: mapihttp.ExecuteNoXorMagic, RopBuffer: rb, MaxRopOut: 0x8007})
	if err != nil {
		t.Fatal(err)
	}
	pb, err := rpcext.Append(nil, []rpcext.Block{rpcext.Build(respROPs, respFlags, true)})
	if err != nil {
		t.Fatal(err)
	}
	resp, err = mapihttp.Encode(nil, &mapihttp.ExecuteResponse{RopBuffer: pb})
	if err != nil {
		t.Fatal(err)
	}
	return req, resp
}

func TestExecuteRoundTripThroughSession(t *testing.T) {
	for _, flags := range []uint16{0, rpcext.FlagCompressed, rpcext.FlagXorMagic, rpcext.FlagCompressed | rpcext.FlagXorMagic} {
		req, resp := executeBodies(t, flags)
		s := NewSession()
		res := s.Execute(req, resp, true)
		if len(res.Anomalies) != 0 {
			t.Fatalf("flags %#x: anomalies %v", flags, res.Anomalies)
		}
		pairs := res.Pairs()
		if len(pairs) != 2 || pairs[0].Name() != "RopLogon" || pairs[1].Name() != "RopGetReceiveFolder" {
			t.Fatalf("pairs %+v", pairs)
		}
		if pairs[0].Response == nil || pairs[1].Response == nil {
			t.Fatalf("flags %#x: responses not paired", flags)
		}
		if o := s.ObjectByHandle(0x123); o == nil || o.Kind != KindLogon {
			t.Fatalf("logon object not bound to handle 0x123: %+v", o)
		}
		// The request tree nests the ROPs under the RPC_HEADER_EXT block at
		// their real byte offsets.
		node := res.ReqTree.Find(pairs[0].ReqNode.Off + 1)
		if node == nil || node.Name != "LogonId" {
			t.Fatalf("offset of LogonId does not find it: %+v", node)
		}
		if !strings.Contains(res.RespTree.Text(), "GetReceiveFolder") {
			t.Fatalf("response tree lacks the ROP:\n%s", res.RespTree.Text())
		}
	}
}

func TestExecuteLayers(t *testing.T) {
	req, resp := executeBodies(t, rpcext.FlagCompressed)
	for layer, b := range map[string][]byte{"execute-request": req, "execute-response": resp} {
		res, err := Decode(layer, b, Options{Spans: true})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Anomalies) != 0 {
			t.Fatalf("%s: %v", layer, res.Anomalies)
		}
		js := string(res.Tree.JSON(wire.JSONOptions{}))
		for _, want := range []string{`"RopLogon"`, `"RPC_HEADER_EXT"`} {
			if !strings.Contains(js, want) {
				t.Fatalf("%s JSON lacks %s: %s", layer, want, js)
			}
		}
		// auto finds the same layer.
		a, _ := Decode("auto", b, Options{Spans: true})
		if a.Layer != layer {
			t.Fatalf("auto chose %s for an %s", a.Layer, layer)
		}
	}
	// A framed response with meta-tags decodes through mapihttp-response.
	framed := mapihttp.BuildResponseBody(1, mapihttp.DoneHeaders(0, 12, "Sat, 28 Nov 2026 02:00:00 GMT"), resp)
	res, _ := Decode("mapihttp-response", framed, Options{Spans: true})
	if len(res.Anomalies) != 0 || !strings.Contains(res.Tree.Text(), "RopGetReceiveFolder") {
		t.Fatalf("framed: %v\n%s", res.Anomalies, res.Tree.Text())
	}
	if *update {
		writeExample(t, "execute-request.hex", req)
		writeExample(t, "execute-response.hex", resp)
	}
}

func writeExample(t *testing.T, name string, b []byte) {
	var sb strings.Builder
	h := hex.EncodeToString(b)
	for len(h) > 64 {
		sb.WriteString(h[:64] + "\n")
		h = h[64:]
	}
	sb.WriteString(h + "\n")
	if err := os.WriteFile("../testdata/examples/"+name, []byte(sb.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// Truncated and garbage bodies give anomalies with offsets, never a panic.
func TestExecuteBadInput(t *testing.T) {
	req, resp := executeBodies(t, 0)
	for _, b := range [][]byte{req[:len(req)/2], resp[:7], {0xff, 0xff, 0xff, 0xff}, []byte("garbage!garbage!")} {
		res := NewSession().Execute(b, b, true)
		if len(res.Anomalies) == 0 {
			t.Fatalf("%x: no anomaly", b)
		}
	}
	// A 4-byte Flags then a RopBufferSize claiming 4 GiB allocates nothing big.
	huge := []byte{0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff}
	allocs := testing.AllocsPerRun(10, func() { NewSession().Execute(huge, nil, false) })
	if allocs > 100 {
		t.Fatalf("%v allocations for a hostile size", allocs)
	}
}

package decode

import (
	"bufio"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/mapiscope/mapiscope/decode/wire"
)

// vector is one line of testdata/spec-examples.jsonl: bytes printed in a
// Microsoft specification with the field values the spec states for them.
type vector struct {
	ID     string         `json:"id"`
	Kind   string         `json:"kind"`
	Hex    string         `json:"hex"`
	Length int            `json:"length"`
	Expect map[string]any `json:"expect"`
}

func loadVectors(t *testing.T) []vector {
	t.Helper()
	f, err := os.Open("../testdata/spec-examples.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []vector
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var v vector
		if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
			t.Fatalf("bad vector line: %v", err)
		}
		out = append(out, v)
	}
	return out
}

// layerFor picks the decode layer a vector's kind calls for.
func layerFor(v vector) (string, Options) {
	o := Options{Spans: true}
	switch v.Kind {
	case "rop_request":
		return "rop-request", o
	case "rop_response":
		return "rop-response", o
	case "ropbuffer":
		return "ropbuffer-request", o
	case "compressed":
		return "lz77", o
	case "nspi_guid":
		return "guid", o
	case "property_value":
		if s, _ := v.Expect["structure"].(string); s == "PropertyRow" {
			return "property-row", o
		}
		return "tagged-property-value", o
	case "other":
		if _, ok := v.Expect["ServerObjectHandleTable"]; ok {
			return "handle-table", o
		}
		return "sort-order-set", o
	}
	return "auto", o
}

// TestSpecVectors checks every `expect` field of every specification
// example against the decoder's JSON output.
func TestSpecVectors(t *testing.T) {
	for _, v := range loadVectors(t) {
		t.Run(v.ID, func(t *testing.T) {
			b, err := hex.DecodeString(v.Hex)
			if err != nil {
				t.Fatal(err)
			}
			layer, o := layerFor(v)
			res, err := Decode(layer, b, o)
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Anomalies) > 0 {
				t.Fatalf("layer %s: anomalies %v", layer, res.Anomalies)
			}
			var got map[string]any
			if err := json.Unmarshal(res.Tree.JSON(wire.JSONOptions{}), &got); err != nil {
				t.Fatalf("JSON output does not parse: %v", err)
			}
			for k, want := range v.Expect {
				if k == "note" || k == "expect_source" || k == "structure" || strings.HasSuffix(k, "_ascii") {
					continue
				}
				g, ok := got[k]
				if !ok {
					t.Errorf("field %s missing from output %s", k, res.Tree.JSON(wire.JSONOptions{}))
					continue
				}
				if err := sameValue(want, g); err != nil {
					t.Errorf("field %s: %v", k, err)
				}
			}
		})
	}
}

// sameValue compares an expected value (numbers may be "0x…" strings)
// with the decoder's JSON (values may be wrapped as {"value": …}).
func sameValue(want, got any) error {
	if m, ok := got.(map[string]any); ok {
		if v, has := m["value"]; has {
			if _, wantObj := want.(map[string]any); !wantObj {
				got = v
			}
		}
	}
	switch w := want.(type) {
	case []any:
		g, ok := got.([]any)
		if !ok {
			return fmt.Errorf("want array %v, got %v", w, got)
		}
		if len(g) != len(w) {
			return fmt.Errorf("want %d elements, got %d (%v)", len(w), len(g), g)
		}
		for i := range w {
			if err := sameValue(w[i], g[i]); err != nil {
				return fmt.Errorf("[%d]: %w", i, err)
			}
		}
		return nil
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return fmt.Errorf("want object, got %v", got)
		}
		for k, wv := range w {
			gv, ok := g[k]
			if !ok {
				return fmt.Errorf("member %s missing in %v", k, g)
			}
			if err := sameValue(wv, gv); err != nil {
				return fmt.Errorf("%s: %w", k, err)
			}
		}
		return nil
	}
	wn, wIsNum := number(want)
	gn, gIsNum := number(got)
	if wIsNum && gIsNum {
		if wn != gn {
			return fmt.Errorf("want %v, got %v", want, got)
		}
		return nil
	}
	if fmt.Sprint(want) != fmt.Sprint(got) && !strings.EqualFold(fmt.Sprint(want), fmt.Sprint(got)) {
		return fmt.Errorf("want %v, got %v", want, got)
	}
	return nil
}

// number reads a JSON number or a "0x…" string as a number.
func number(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case bool:
		if x {
			return 1, true
		}
		return 0, true
	case string:
		if strings.HasPrefix(x, "0x") || strings.HasPrefix(x, "0X") {
			u, err := strconv.ParseUint(x[2:], 16, 64)
			if err == nil {
				return float64(u), true
			}
		}
	}
	return 0, false
}

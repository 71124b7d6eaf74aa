package rop

import (
	"flag"
	"os"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files (docs/ROPS.md)")

// TestRegistryCoverage fails for any ROP id without request and response
// codecs, except where the specification defines only one direction.
func TestRegistryCoverage(t *testing.T) {
	all := All()
	if len(all) < 130 {
		t.Fatalf("registry holds %d ROP ids, want the ~132 of [MS-OXCROPS] 2.2", len(all))
	}
	for _, in := range all {
		if in.Section == "" {
			t.Errorf("0x%02X %s: no [MS-OXCROPS] section", in.ID, in.Name)
		}
		if in.Request == nil && !in.RespOnly {
			t.Errorf("0x%02X %s: no request codec", in.ID, in.Name)
		}
		if in.Response == nil && !in.ReqOnly {
			t.Errorf("0x%02X %s: no response codec", in.ID, in.Name)
		}
		if in.Request != nil {
			if r := in.Request(); r == nil {
				t.Errorf("0x%02X: request constructor returns nil", in.ID)
			}
		}
	}
}

// TestRopsDoc keeps docs/ROPS.md in step with the registry.
func TestRopsDoc(t *testing.T) {
	const path = "../../docs/ROPS.md"
	want := Markdown()
	if *update {
		if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./decode/rop -run TestRopsDoc -update)", err)
	}
	if string(got) != want {
		t.Fatalf("docs/ROPS.md is stale: run go test ./decode/rop -run TestRopsDoc -update")
	}
}

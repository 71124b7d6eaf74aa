package server

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/mapiscope/mapiscope/decode/rop"
)

var update = flag.Bool("update", false, "rewrite the ROP table of docs/server.md")

// TestServerDoc keeps the ROP table of docs/server.md in step with the
// handlers.
func TestServerDoc(t *testing.T) {
	const path = "../docs/server.md"
	doc, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	b.WriteString("<!-- rops -->\n| id | ROP | spec |\n|---|---|---|\n")
	n := 0
	for _, in := range rop.All() {
		if !Implemented(in.ID) || in.Request == nil {
			continue
		}
		n++
		fmt.Fprintf(&b, "| 0x%02X | %s | %s |\n", in.ID, in.Name, in.Spec)
	}
	fmt.Fprintf(&b, "\n%d ROPs.\n<!-- /rops -->", n)
	s := string(doc)
	i, j := strings.Index(s, "<!-- rops -->"), strings.Index(s, "<!-- /rops -->")
	if i < 0 || j < i {
		t.Fatal("docs/server.md has no <!-- rops --> section")
	}
	want := s[:i] + b.String() + s[j+len("<!-- /rops -->"):]
	if *update {
		if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if want != s {
		t.Fatal("docs/server.md's ROP table is stale: run go test ./server -run TestServerDoc -update")
	}
}

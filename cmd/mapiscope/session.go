package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/mapiscope/mapiscope/decode"
	"github.com/mapiscope/mapiscope/decode/wire"
)

// decodeSession prints every exchange of a session file with its ROPs
// paired and resolved against the session's objects.
func decodeSession(w io.Writer, path string, asJSON, brief, spans bool) error {
	var r io.Reader = os.Stdin
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return usageErr("decode: --session: %v", err)
		}
		defer f.Close()
		r = f
	}
	anomalies := 0
	first := true
	if asJSON {
		fmt.Fprint(w, "[")
	}
	err := decode.DecodeSessionFile(r, true, func(ex *decode.SessionExchange) {
		anomalies += len(ex.Anomalies)
		if asJSON {
			if !first {
				fmt.Fprint(w, ",")
			}
			first = false
			writeExchangeJSON(w, ex, spans)
			return
		}
		writeExchangeText(w, ex, brief)
	})
	if asJSON {
		fmt.Fprintln(w, "\n]")
	}
	if err != nil {
		return usageErr("decode: --session %s: %v", path, err)
	}
	if anomalies > 0 {
		return &exitError{code: 2, msg: fmt.Sprintf("decode --session: %d anomalies (see the output)", anomalies)}
	}
	return nil
}

func ropLine(p *decode.RopPair) string {
	var b strings.Builder
	if p.Index >= 0 {
		fmt.Fprintf(&b, "[%d] ", p.Index)
	} else {
		b.WriteString("[-] ")
	}
	b.WriteString(p.Name())
	if p.Input != nil {
		b.WriteString(" on " + p.Input.Name())
	}
	if rv, ok := p.ReturnValue(); ok {
		b.WriteString(" → " + rv.String())
	} else if p.Request != nil && p.Response == nil {
		b.WriteString(" (no response)")
	}
	if p.Output != nil {
		fmt.Fprintf(&b, " ⇒ %s", p.Output.Name())
		if p.Output.Handle != 0 {
			fmt.Fprintf(&b, " [handle 0x%08X]", p.Output.Handle)
		}
	}
	return b.String()
}

func writeExchangeText(w io.Writer, ex *decode.SessionExchange, brief bool) {
	fmt.Fprintf(w, "── line %d: %s ──\n", ex.Line, ex.Type)
	if ex.Execute != nil {
		for i := range ex.Execute.Pairs() {
			fmt.Fprintln(w, "  "+ropLine(&ex.Execute.Pairs()[i]))
		}
	}
	if !brief {
		if ex.ReqTree != nil {
			fmt.Fprint(w, indent(ex.ReqTree.Text(), "  "))
		}
		if ex.RespTree != nil {
			fmt.Fprint(w, indent(ex.RespTree.Text(), "  "))
		}
	}
	for _, a := range ex.Anomalies {
		fmt.Fprintf(w, "  anomaly: %s\n", a)
	}
}

func indent(s, pre string) string {
	lines := strings.SplitAfter(s, "\n")
	var b strings.Builder
	for _, l := range lines {
		if l != "" {
			b.WriteString(pre + l)
		}
	}
	return b.String()
}

func writeExchangeJSON(w io.Writer, ex *decode.SessionExchange, spans bool) {
	o := wire.JSONOptions{Spans: spans}
	fmt.Fprintf(w, "\n{\"line\": %d, \"type\": %q", ex.Line, ex.Type)
	if ex.Execute != nil {
		type ropJSON struct {
			Index       int    `json:"index"`
			RopId       uint8  `json:"RopId"`
			Name        string `json:"name"`
			Input       string `json:"input,omitempty"`
			Output      string `json:"output,omitempty"`
			Handle      uint32 `json:"handle,omitempty"`
			ReturnValue *int64 `json:"ReturnValue,omitempty"`
		}
		var rops []ropJSON
		for i := range ex.Execute.Pairs() {
			p := &ex.Execute.Pairs()[i]
			rj := ropJSON{Index: p.Index, Name: p.Name()}
			if p.Request != nil {
				rj.RopId = p.Request.Header().RopId
			} else if p.Response != nil {
				rj.RopId = p.Response.Header().RopId
			}
			if p.Input != nil {
				rj.Input = p.Input.Name()
			}
			if p.Output != nil {
				rj.Output, rj.Handle = p.Output.Name(), p.Output.Handle
			}
			if rv, ok := p.ReturnValue(); ok {
				v := int64(rv)
				rj.ReturnValue = &v
			}
			rops = append(rops, rj)
		}
		b, _ := json.Marshal(rops)
		fmt.Fprintf(w, ", \"rops\": %s", b)
	}
	if ex.ReqTree != nil {
		fmt.Fprintf(w, ", \"request\": %s", strings.TrimSpace(string(ex.ReqTree.JSON(o))))
	}
	if ex.RespTree != nil {
		fmt.Fprintf(w, ", \"response\": %s", strings.TrimSpace(string(ex.RespTree.JSON(o))))
	}
	if len(ex.Anomalies) > 0 {
		b, _ := json.Marshal(ex.Anomalies)
		fmt.Fprintf(w, ", \"anomalies\": %s", b)
	}
	fmt.Fprint(w, "}")
}

package main

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/mapiscope/mapiscope/decode"
	"github.com/mapiscope/mapiscope/decode/prop"
	"github.com/mapiscope/mapiscope/decode/wire"
)

func newDecodeCmd() *cobra.Command {
	var (
		layer, hexIn, columns, typ, session string
		asJSON, spans, brief                bool
	)
	cmd := &cobra.Command{
		Use:   "decode [--layer L] [--hex HEX | FILE | -]",
		Short: "Decode bytes of one MAPI/HTTP structure and print the tree",
		Long: `Decode one structure — an Execute body, a ROP buffer, one ROP, a property
row … — from --hex, a file (binary, or hex text) or standard input, and print
it as an indented tree or, with --json, as JSON with every field under its
specification name.

Layers: auto (guess) and ` + strings.Join(decode.LayerNames(), ", ") + `.`,
		Example: `  mapiscope decode --layer rop-request --hex 1d000105010000000e8edf36
  mapiscope decode --layer rop-response --columns PidTagFolderId,PidTagDisplayName --hex …
  mapiscope decode --json body.bin
  mapiscope decode --session testdata/examples/session.jsonl --brief`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if session != "" {
				return decodeSession(cmd.OutOrStdout(), session, asJSON, brief, spans)
			}
			b, err := readInput(hexIn, args, cmd.InOrStdin())
			if err != nil {
				return err
			}
			o := decode.Options{Spans: true, Type: typ}
			if cmd.Flags().Changed("columns") {
				tags, err := prop.ParseTags(columns)
				if err != nil {
					return usageErr("decode: --columns: %v", err)
				}
				o.Columns, o.HasColumns = tags, true
			}
			res, err := decode.Decode(layer, b, o)
			if err != nil {
				return usageErr("decode: %v", err)
			}
			out := cmd.OutOrStdout()
			if asJSON {
				writeJSONResult(out, res, spans)
			} else {
				fmt.Fprintf(out, "layer %s, %d bytes\n", res.Layer, len(b))
				if res.Tree != nil {
					fmt.Fprint(out, res.Tree.Text())
				}
				for _, a := range res.Anomalies {
					fmt.Fprintf(out, "anomaly: %s\n", a)
				}
			}
			if len(res.Anomalies) > 0 {
				a := res.Anomalies[0]
				return &exitError{code: 2, msg: fmt.Sprintf("decode %s: %s", res.Layer, a)}
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&layer, "layer", "auto", "what the bytes are (see the list above)")
	f.StringVar(&hexIn, "hex", "", "the input as hex (spaces and 0x allowed)")
	f.StringVar(&columns, "columns", "", "column set or requested tags: TAG,… (0x3001001F or PidTagDisplayName)")
	f.StringVar(&typ, "type", "", "request type for layers that need one (nspi-request, nspi-response)")
	f.BoolVar(&asJSON, "json", false, "print JSON")
	f.BoolVar(&spans, "spans", false, "with --json: every value as {value, offset, length}")
	f.StringVar(&session, "session", "", "decode a session file: JSON lines {\"type\": \"Execute\", \"request\": HEX, \"response\": HEX} in order, with session context")
	f.BoolVar(&brief, "brief", false, "with --session: one line per ROP, no trees")
	return cmd
}

// readInput takes --hex, a file (binary or hex text) or stdin ("-" or none).
func readInput(hexIn string, args []string, stdin io.Reader) ([]byte, error) {
	if hexIn != "" {
		b, err := parseHex(hexIn)
		if err != nil {
			return nil, usageErr("decode: --hex: %v", err)
		}
		return b, nil
	}
	var raw []byte
	var err error
	if len(args) == 0 || args[0] == "-" {
		raw, err = io.ReadAll(stdin)
	} else {
		raw, err = os.ReadFile(args[0])
	}
	if err != nil {
		return nil, usageErr("decode: %v", err)
	}
	if looksHex(raw) {
		if b, err := parseHex(string(raw)); err == nil {
			return b, nil
		}
	}
	return raw, nil
}

func parseHex(s string) ([]byte, error) {
	var sb strings.Builder
	for _, f := range strings.Fields(s) {
		f = strings.TrimPrefix(strings.TrimPrefix(f, "0x"), "0X")
		sb.WriteString(f)
	}
	h := sb.String()
	if len(h)%2 != 0 {
		return nil, fmt.Errorf("odd number of hex digits (%d)", len(h))
	}
	b, err := hex.DecodeString(h)
	if err != nil {
		return nil, fmt.Errorf("not hex: %v", err)
	}
	return b, nil
}

// looksHex reports text made only of hex digits and white space.
func looksHex(b []byte) bool {
	t := bytes.TrimSpace(b)
	if len(t) == 0 {
		return false
	}
	for _, x := range t {
		switch {
		case x >= '0' && x <= '9', x >= 'a' && x <= 'f', x >= 'A' && x <= 'F',
			x == ' ', x == '\n', x == '\r', x == '\t', x == 'x', x == 'X':
		default:
			return false
		}
	}
	return true
}

func writeJSONResult(w io.Writer, res *decode.Result, spans bool) {
	o := wire.JSONOptions{Spans: spans, Indent: "  "}
	if res.Tree == nil {
		fmt.Fprintln(w, "{}")
		return
	}
	body := res.Tree.JSON(o)
	if len(res.Anomalies) == 0 {
		w.Write(body)
		return
	}
	// Add the anomalies as a last member of the top-level object.
	body = bytes.TrimRight(body, "\n")
	var sb strings.Builder
	sb.WriteString(`,
  "anomalies": [`)
	for i, a := range res.Anomalies {
		if i > 0 {
			sb.WriteString(",")
		}
		fmt.Fprintf(&sb, `
    {"offset": %d, "path": %q, "reason": %q, "raw": %q}`, a.Offset, a.Path, a.Reason, hex.EncodeToString(a.Raw))
	}
	sb.WriteString("\n  ]\n}\n")
	if bytes.HasSuffix(body, []byte("}")) && len(body) > 2 {
		w.Write(body[:len(body)-2])
		io.WriteString(w, sb.String())
		return
	}
	w.Write(body)
	io.WriteString(w, "\n")
}

package main

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/mapiscope/mapiscope/decode/prop"
	"github.com/mapiscope/mapiscope/trace"
)

func newShowCmd() *cobra.Command {
	var asJSON, bodies bool
	cmd := &cobra.Command{
		Use:   "show TRACE ID",
		Short: "Show one exchange (ID) or one ROP (rID) of a trace as a decoded tree",
		Example: `  mapiscope show trace.mapiscope 12
  mapiscope show trace.mapiscope r345 --json`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			t, err := openTrace(args[0])
			if err != nil {
				return err
			}
			defer t.Close()
			id := args[1]
			out := cmd.OutOrStdout()
			if r, ok := strings.CutPrefix(strings.TrimPrefix(id, "rop:"), "r"); ok || strings.HasPrefix(id, "rop:") {
				n, err := strconv.ParseInt(r, 10, 64)
				if err != nil {
					return usageErr("show: bad ROP id %q (want r123)", id)
				}
				return showRop(out, t, n, asJSON)
			}
			n, err := strconv.ParseInt(id, 10, 64)
			if err != nil {
				return usageErr("show: bad id %q (an exchange id like 12, or a ROP id like r345)", id)
			}
			return showExchange(out, t, n, asJSON, bodies)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	cmd.Flags().BoolVar(&bodies, "bodies", false, "also dump the raw bodies as hex")
	return cmd
}

type ropDetail struct {
	ID           int64           `json:"id"`
	Exchange     int64           `json:"exchange"`
	Position     int             `json:"position"`
	RopId        uint8           `json:"RopId"`
	Name         string          `json:"name"`
	ReturnValue  *int64          `json:"ReturnValue,omitempty"`
	InputObject  string          `json:"input_object,omitempty"`
	OutputObject string          `json:"output_object,omitempty"`
	Request      json.RawMessage `json:"request,omitempty"`
	Response     json.RawMessage `json:"response,omitempty"`
}

func loadRops(t *trace.Trace, cond string, arg int64) ([]ropDetail, error) {
	rows, err := t.DB.Query(`SELECT r.id, r.exchange_id, r.position, r.rop_id, r.name, r.return_value,
		coalesce(i.name, ''), coalesce(o.name, ''), r.request_json, r.response_json
		FROM rops r LEFT JOIN objects i ON i.id = r.input_object LEFT JOIN objects o ON o.id = r.output_object
		WHERE `+cond+` ORDER BY r.position`, arg)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ropDetail
	for rows.Next() {
		var d ropDetail
		var rv sql.NullInt64
		var rq, rs sql.NullString
		if err := rows.Scan(&d.ID, &d.Exchange, &d.Position, &d.RopId, &d.Name, &rv, &d.InputObject, &d.OutputObject, &rq, &rs); err != nil {
			return nil, err
		}
		if rv.Valid {
			v := rv.Int64
			d.ReturnValue = &v
		}
		if rq.Valid {
			d.Request = json.RawMessage(rq.String)
		}
		if rs.Valid {
			d.Response = json.RawMessage(rs.String)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

func showRop(w io.Writer, t *trace.Trace, id int64, asJSON bool) error {
	rops, err := loadRops(t, "r.id = ?", id)
	if err != nil {
		return err
	}
	if len(rops) == 0 {
		return usageErr("show: no ROP r%d in this trace", id)
	}
	if asJSON {
		return writeJSON(w, rops[0])
	}
	writeRopText(w, &rops[0])
	return nil
}

func writeRopText(w io.Writer, d *ropDetail) {
	res := ""
	if d.ReturnValue != nil {
		res = " → " + prop.ErrorCode(uint32(*d.ReturnValue)).String()
	}
	fmt.Fprintf(w, "r%d  [%d] %s%s\n", d.ID, d.Position, d.Name, res)
	if d.InputObject != "" {
		fmt.Fprintf(w, "  on %s\n", d.InputObject)
	}
	if d.OutputObject != "" {
		fmt.Fprintf(w, "  opens %s\n", d.OutputObject)
	}
	if d.Request != nil {
		fmt.Fprintln(w, "  request:")
		jsonText(w, d.Request, "    ")
	}
	if d.Response != nil {
		fmt.Fprintln(w, "  response:")
		jsonText(w, d.Response, "    ")
	}
}

func showExchange(w io.Writer, t *trace.Trace, id int64, asJSON, bodies bool) error {
	rows, err := t.Exchanges("e.id = ?", []any{id}, trace.Page{})
	if err != nil {
		return err
	}
	if len(rows) == 0 {
		return usageErr("show: no exchange %d in this trace", id)
	}
	ex := rows[0]
	var reqH, respH sql.NullString
	var reqB, respB []byte
	t.DB.QueryRow(`SELECT req_headers, resp_headers, req_body, resp_body FROM exchanges WHERE id = ?`, id).Scan(&reqH, &respH, &reqB, &respB)
	rops, err := loadRops(t, "r.exchange_id = ?", id)
	if err != nil {
		return err
	}
	type chunk struct {
		Offset int     `json:"offset"`
		Length int     `json:"length"`
		AtMs   float64 `json:"at_ms"`
		Tag    string  `json:"tag,omitempty"`
	}
	var chunks []chunk
	crows, err := t.DB.Query(`SELECT offset, length, at, coalesce(tag, '') FROM chunks WHERE exchange_id = ? ORDER BY seq`, id)
	if err != nil {
		return err
	}
	for crows.Next() {
		var c chunk
		var at sql.NullInt64
		crows.Scan(&c.Offset, &c.Length, &at, &c.Tag)
		if at.Valid && ex.Started != nil {
			c.AtMs = float64(time.Unix(0, at.Int64).Sub(*ex.Started)) / 1e6
		}
		chunks = append(chunks, c)
	}
	crows.Close()
	type anomaly struct {
		Direction string `json:"direction"`
		Offset    int    `json:"offset"`
		Reason    string `json:"reason"`
	}
	var anomalies []anomaly
	arows, err := t.DB.Query(`SELECT coalesce(direction, ''), coalesce(offset, 0), reason FROM anomalies WHERE exchange_id = ? ORDER BY id`, id)
	if err != nil {
		return err
	}
	for arows.Next() {
		var a anomaly
		arows.Scan(&a.Direction, &a.Offset, &a.Reason)
		anomalies = append(anomalies, a)
	}
	arows.Close()
	if asJSON {
		return writeJSON(w, map[string]any{
			"exchange": ex, "request_headers": reqH.String, "response_headers": respH.String,
			"chunks": nonNil(chunks), "rops": nonNil(rops), "anomalies": nonNil(anomalies),
		})
	}
	sess := "-"
	if ex.Session != nil {
		sess = fmt.Sprint(*ex.Session)
	}
	fmt.Fprintf(w, "exchange %d (session %s)  %s %s  → %d", ex.ID, sess, ex.Method, ex.URL, ex.HTTPStatus)
	if ex.XResponseCode != nil {
		fmt.Fprintf(w, "  X-ResponseCode %d", *ex.XResponseCode)
	}
	fmt.Fprintln(w)
	if ex.Started != nil {
		fmt.Fprintf(w, "started %s", ex.Started.Format(time.RFC3339Nano))
		if ex.DurationMs != nil {
			fmt.Fprintf(w, ", %.3f ms", *ex.DurationMs)
		}
		fmt.Fprintln(w)
	}
	if ex.Error != "" {
		fmt.Fprintf(w, "error: %s\n", ex.Error)
	}
	fmt.Fprintln(w, "request headers:")
	fmt.Fprint(w, indentLines(reqH.String, "  "))
	fmt.Fprintln(w, "response headers:")
	fmt.Fprint(w, indentLines(respH.String, "  "))
	if len(chunks) > 0 {
		fmt.Fprintln(w, "response timeline:")
		for _, c := range chunks {
			fmt.Fprintf(w, "  +%8.3f ms  %6d bytes at %-6d %s\n", c.AtMs, c.Length, c.Offset, c.Tag)
		}
	}
	for i := range rops {
		writeRopText(w, &rops[i])
	}
	for _, a := range anomalies {
		fmt.Fprintf(w, "anomaly (%s, offset %d): %s\n", a.Direction, a.Offset, a.Reason)
	}
	if bodies {
		fmt.Fprintf(w, "request body (%d bytes):\n%s", len(reqB), hexDump(reqB))
		fmt.Fprintf(w, "response body (%d bytes):\n%s", len(respB), hexDump(respB))
	}
	return nil
}

func indentLines(s, pre string) string {
	if s == "" {
		return ""
	}
	return pre + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n"+pre) + "\n"
}

func hexDump(b []byte) string {
	var sb strings.Builder
	for i := 0; i < len(b); i += 16 {
		end := min(i+16, len(b))
		fmt.Fprintf(&sb, "  %08x  % x\n", i, b[i:end])
	}
	return sb.String()
}

// jsonText renders a decoded-ROP JSON document as an indented tree,
// keeping the order of the fields.
func jsonText(w io.Writer, data []byte, indent string) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	tok, err := dec.Token()
	if err != nil {
		return
	}
	_ = v
	renderJSONValue(w, dec, tok, indent, "")
}

func renderJSONValue(w io.Writer, dec *json.Decoder, tok json.Token, indent, label string) {
	prefix := indent
	if label != "" {
		prefix += label + ": "
	}
	switch t := tok.(type) {
	case json.Delim:
		if t == '{' {
			// A {value, name, offset, length} leaf prints on one line.
			fields := map[string]any{}
			var order []string
			var nested []json.RawMessage
			for dec.More() {
				k, _ := dec.Token()
				key := fmt.Sprint(k)
				var raw json.RawMessage
				dec.Decode(&raw)
				order = append(order, key)
				nested = append(nested, raw)
				fields[key] = raw
			}
			dec.Token()
			if _, ok := fields["value"]; ok && len(order) <= 4 && (order[0] == "value") {
				val := string(nested[0])
				if n, ok := fields["name"]; ok {
					var s string
					json.Unmarshal(n.(json.RawMessage), &s)
					val += " (" + s + ")"
				}
				fmt.Fprintln(w, prefix+val)
				return
			}
			if label != "" {
				fmt.Fprintln(w, indent+label+":")
			}
			for i, k := range order {
				sub := json.NewDecoder(bytes.NewReader(nested[i]))
				sub.UseNumber()
				tk, _ := sub.Token()
				renderJSONValue(w, sub, tk, indent+"  ", k)
			}
			return
		}
		if t == '[' {
			fmt.Fprintln(w, indent+label+":")
			i := 0
			for dec.More() {
				var raw json.RawMessage
				dec.Decode(&raw)
				sub := json.NewDecoder(bytes.NewReader(raw))
				sub.UseNumber()
				tk, _ := sub.Token()
				renderJSONValue(w, sub, tk, indent+"  ", fmt.Sprintf("[%d]", i))
				i++
			}
			dec.Token()
			return
		}
	case string:
		fmt.Fprintln(w, prefix+strconv.Quote(t))
	default:
		fmt.Fprintln(w, prefix+fmt.Sprint(t))
	}
}

package trace

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/mapiscope/mapiscope/decode"
	"github.com/mapiscope/mapiscope/decode/mapihttp"
	"github.com/mapiscope/mapiscope/decode/wire"
)

// Decoded is one exchange decoded again with full byte spans, for viewers
// (the TUI's tree and hex views, `show`): the request and response bodies
// and, for an Execute, its ROPs paired.
type Decoded struct {
	ID          int64
	RequestType string
	ReqBody     []byte
	RespBody    []byte // as stored: meta-tags included
	// RespBodyOffset is where the binary body starts in RespBody (after
	// the meta-tags); response tree offsets count from RespBody[0].
	RespBodyOffset int
	ReqTree        *wire.Node
	RespTree       *wire.Node
	Execute        *decode.ExecuteResult // nil for other request types
	Anomalies      []wire.Anomaly
}

// DecodeExchange decodes exchange id again on its own, using the session
// context each of its ROPs had when the trace was written.
func (t *Trace) DecodeExchange(id int64) (*Decoded, error) {
	d := &Decoded{ID: id}
	var rt sql.NullString
	if err := t.DB.QueryRow(`SELECT request_type, req_body, resp_body FROM exchanges WHERE id = ?`, id).Scan(&rt, &d.ReqBody, &d.RespBody); err != nil {
		if err == sql.ErrNoRows {
			return nil, fmt.Errorf("no exchange %d", id)
		}
		return nil, err
	}
	d.RequestType = rt.String
	var bin []byte
	if len(d.RespBody) > 0 && looksFramed(d.RespBody) {
		if f, err := mapihttp.ParseResponseBody(d.RespBody); err == nil {
			bin, d.RespBodyOffset = f.Body, f.BodyOffset
			d.Anomalies = append(d.Anomalies, f.Anomalies...)
		}
	}
	typ, _ := mapihttp.ParseRequestType(d.RequestType)
	if typ == mapihttp.TypeExecute {
		ctxs := map[int]decode.RopContext{}
		rows, err := t.DB.Query(`SELECT position, context FROM rops WHERE exchange_id = ? AND context IS NOT NULL`, id)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var pos int
			var js string
			if err := rows.Scan(&pos, &js); err != nil {
				rows.Close()
				return nil, err
			}
			var rc decode.RopContext
			if json.Unmarshal([]byte(js), &rc) == nil {
				ctxs[pos] = rc
			}
		}
		rows.Close()
		res := decode.ReplayExecute(d.ReqBody, bin, ctxs, true)
		d.Execute, d.ReqTree, d.RespTree = res, res.ReqTree, res.RespTree
		d.Anomalies = append(d.Anomalies, res.Anomalies...)
		shiftTree(d.RespTree, d.RespBodyOffset)
		return d, nil
	}
	if typ == mapihttp.TypeUnknown {
		return d, nil
	}
	if r, err := decode.Decode(bodyLayer(typ, false), d.ReqBody, decode.Options{Spans: true, Type: typ.String()}); err == nil {
		d.ReqTree = r.Tree
		d.Anomalies = append(d.Anomalies, r.Anomalies...)
	}
	if bin != nil {
		if r, err := decode.Decode(bodyLayer(typ, true), bin, decode.Options{Spans: true, Type: typ.String()}); err == nil {
			d.RespTree = r.Tree
			shiftTree(d.RespTree, d.RespBodyOffset)
			d.Anomalies = append(d.Anomalies, r.Anomalies...)
		}
	}
	return d, nil
}

func looksFramed(b []byte) bool {
	for _, p := range []string{"PROCESSING\r\n", "PENDING\r\n", "DONE\r\n"} {
		if strings.HasPrefix(string(b[:min(len(b), 12)]), p) {
			return true
		}
	}
	return false
}

// shiftTree moves the wire offsets of a tree by d (subtrees over decoded
// data keep theirs).
func shiftTree(n *wire.Node, d int) {
	if n == nil || d == 0 {
		return
	}
	n.Off += d
	if n.Data != nil || n.Derived {
		return
	}
	for _, ch := range n.Children {
		shiftTree(ch, d)
	}
}

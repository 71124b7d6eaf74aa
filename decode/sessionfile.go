package decode

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/mapiscope/mapiscope/decode/mapihttp"
	"github.com/mapiscope/mapiscope/decode/wire"
)

// SessionLine is one line of a session file: one exchange of a MAPI
// session, bodies as hex. Type is the X-RequestType (Execute when empty).
// A response may be the binary body alone or the whole de-chunked body
// with its PROCESSING/PENDING/DONE meta-tags.
//
//	{"type": "Execute", "request": "0200…", "response": "0000…"}
type SessionLine struct {
	Type     string `json:"type,omitempty"`
	Request  string `json:"request"`
	Response string `json:"response,omitempty"`
}

// SessionExchange is one decoded line of a session file.
type SessionExchange struct {
	Line      int
	Type      string
	Execute   *ExecuteResult // for Execute lines
	ReqTree   *wire.Node
	RespTree  *wire.Node
	Anomalies []wire.Anomaly
}

// maxSessionLine bounds one line of a session file (hex of two bodies).
const maxSessionLine = 64 << 20

// DecodeSessionFile reads a session file (JSON lines of SessionLine) and
// decodes its exchanges in order through one Session: a Connect starts a
// new session context. It returns an error for a line that is not valid
// JSON or hex; decoding problems become anomalies of the exchange.
func DecodeSessionFile(r io.Reader, spans bool, each func(*SessionExchange)) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), maxSessionLine)
	s := NewSession()
	n := 0
	for sc.Scan() {
		n++
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 || line[0] == '#' {
			continue
		}
		var sl SessionLine
		if err := json.Unmarshal(line, &sl); err != nil {
			return fmt.Errorf("line %d: not a JSON object of {type, request, response}: %v", n, err)
		}
		req, err := hexField(sl.Request)
		if err != nil {
			return fmt.Errorf("line %d: request: %v", n, err)
		}
		var resp []byte
		if sl.Response != "" {
			if resp, err = hexField(sl.Response); err != nil {
				return fmt.Errorf("line %d: response: %v", n, err)
			}
		}
		typ := sl.Type
		if typ == "" {
			typ = "Execute"
		}
		t, ok := mapihttp.ParseRequestType(typ)
		if !ok {
			return fmt.Errorf("line %d: unknown request type %q", n, sl.Type)
		}
		ex := &SessionExchange{Line: n, Type: t.String()}
		if resp != nil && looksFramed(resp) {
			f, err := mapihttp.ParseResponseBody(resp)
			if err != nil {
				ex.Anomalies = append(ex.Anomalies, wire.Anomaly{Reason: "response framing: " + err.Error()})
			} else {
				ex.Anomalies = append(ex.Anomalies, f.Anomalies...)
				resp = f.Body
			}
		}
		switch t {
		case mapihttp.TypeExecute:
			res := s.Execute(req, resp, spans)
			ex.Execute, ex.ReqTree, ex.RespTree = res, res.ReqTree, res.RespTree
			ex.Anomalies = append(ex.Anomalies, res.Anomalies...)
		default:
			if t == mapihttp.TypeConnect {
				s = NewSession()
			}
			rq := decodeBody(req, Options{Spans: spans}, bodyFor(t, false))
			ex.ReqTree = rq.Tree
			ex.Anomalies = append(ex.Anomalies, rq.Anomalies...)
			if resp != nil {
				rs := decodeBody(resp, Options{Spans: spans}, bodyFor(t, true))
				ex.RespTree = rs.Tree
				ex.Anomalies = append(ex.Anomalies, rs.Anomalies...)
			}
		}
		each(ex)
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("line %d: %v", n+1, err)
	}
	return nil
}

func looksFramed(b []byte) bool {
	for _, p := range []string{"PROCESSING\r\n", "PENDING\r\n", "DONE\r\n"} {
		if bytes.HasPrefix(b, []byte(p)) {
			return true
		}
	}
	return false
}

func hexField(s string) ([]byte, error) {
	s = strings.Join(strings.Fields(s), "")
	b, err := hex.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("not hex: %v", err)
	}
	return b, nil
}

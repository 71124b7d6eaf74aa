package trace

import (
	"database/sql"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"
)

// Writer adds exchanges to a trace: it groups them into MAPI sessions,
// decodes them in each session's context and stores everything in batched
// transactions. A batch is committed every BatchSize exchanges or
// BatchEvery, whichever comes first, so that a process killed at any
// moment leaves a readable trace holding every exchange committed before.
// A Writer is not safe for concurrent use: feed it from one goroutine.
type Writer struct {
	t         *Trace
	CaptureID int64
	// BatchSize and BatchEvery bound how much work one transaction holds.
	BatchSize  int
	BatchEvery time.Duration
	// OnCommit, when set, is called after each commit with the number of
	// exchanges committed so far.
	OnCommit func(total int)

	tx        *sql.Tx
	st        stmts
	pending   int
	total     int
	batchFrom time.Time
	pipe      *pipeline
}

type stmts struct {
	exchange, chunk, rop, ropProp, object, objectUpdate, anomaly, session, sessionUpdate *sql.Stmt
}

// NewWriter starts a capture of the given source ("proxy", "pcap", "saz",
// "har", "jsonl") and returns a writer for it.
func (t *Trace) NewWriter(source, path, toolVersion string) (*Writer, error) {
	res, err := t.DB.Exec(`INSERT INTO captures(source, path, started, tool_version) VALUES(?, ?, ?, ?)`,
		source, path, time.Now().UnixNano(), toolVersion)
	if err != nil {
		return nil, err
	}
	id, _ := res.LastInsertId()
	w := &Writer{t: t, CaptureID: id, BatchSize: 500, BatchEvery: 250 * time.Millisecond}
	w.pipe = newPipeline(w)
	return w, nil
}

func (w *Writer) begin() error {
	if w.tx != nil {
		return nil
	}
	tx, err := w.t.DB.Begin()
	if err != nil {
		return err
	}
	w.tx = tx
	w.batchFrom = time.Now()
	prep := func(q string) *sql.Stmt {
		if err != nil {
			return nil
		}
		var s *sql.Stmt
		s, err = tx.Prepare(q)
		return s
	}
	w.st = stmts{
		exchange: prep(`INSERT INTO exchanges(capture_id, session_id, seq, started, request_done, response_start, ended, duration,
			client, server, conn, method, url, host, request_type, request_id, client_info, client_app, http_status, x_response_code,
			req_headers, resp_headers, req_body, resp_body, req_size, resp_size, rop_count, rop_summary, error_count, anomaly_count,
			partial, error, source) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`),
		chunk: prep(`INSERT INTO chunks(exchange_id, seq, offset, length, at, tag) VALUES(?,?,?,?,?,?)`),
		rop: prep(`INSERT INTO rops(exchange_id, session_id, position, rop_id, name, logon_id, input_index, output_index,
			input_handle, output_handle, input_object, output_object, return_value, req_off, req_len, resp_off, resp_len,
			summary, request_json, response_json, context) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`),
		ropProp: prep(`INSERT OR IGNORE INTO rop_props(property_id, rop, exchange_id) VALUES(?,?,?)`),
		object: prep(`INSERT INTO objects(session_id, seq, kind, detail, name, handle, logon_id, parent_id, folder_id, message_id,
			created_exchange, created_rop) VALUES(?,?,?,?,?,?,?,?,?,?,?,?)`),
		objectUpdate: prep(`UPDATE objects SET name = ?, handle = ?, released_exchange = ?, released_rop = ? WHERE id = ?`),
		anomaly:      prep(`INSERT INTO anomalies(exchange_id, session_id, direction, offset, path, reason, raw) VALUES(?,?,?,?,?,?,?)`),
		session: prep(`INSERT INTO sessions(capture_id, endpoint, mailbox_id, user, cookie, client_app, client_info, server, first_seen, last_seen)
			VALUES(?,?,?,?,?,?,?,?,?,?)`),
		sessionUpdate: prep(`UPDATE sessions SET last_seen = ?, exchanges = ?, rops = ?, errors = ?, anomalies = ?, user = coalesce(user, ?), cookie = coalesce(cookie, ?) WHERE id = ?`),
	}
	if err != nil {
		tx.Rollback()
		w.tx = nil
		return err
	}
	return nil
}

// Add decodes ex and stores it, returning its exchange id.
func (w *Writer) Add(ex *Exchange) (int64, error) {
	if err := w.begin(); err != nil {
		return 0, err
	}
	id, err := w.pipe.add(ex)
	if err != nil {
		return 0, err
	}
	w.pending++
	w.total++
	if w.pending >= w.BatchSize || time.Since(w.batchFrom) >= w.BatchEvery {
		if err := w.Flush(); err != nil {
			return id, err
		}
	}
	return id, nil
}

// Flush commits what has been added.
func (w *Writer) Flush() error {
	if w.tx == nil {
		return nil
	}
	if err := w.pipe.flushSessions(); err != nil {
		return err
	}
	if _, err := w.tx.Exec(`UPDATE captures SET exchanges = ? WHERE id = ?`, w.total, w.CaptureID); err != nil {
		return err
	}
	err := w.tx.Commit()
	w.tx = nil
	w.pending = 0
	if err == nil && w.OnCommit != nil {
		w.OnCommit(w.total)
	}
	return err
}

// Close commits and marks the capture finished.
func (w *Writer) Close() error {
	if err := w.Flush(); err != nil {
		return err
	}
	_, err := w.t.DB.Exec(`UPDATE captures SET finished = ?, exchanges = ? WHERE id = ?`, time.Now().UnixNano(), w.total, w.CaptureID)
	return err
}

// Abort rolls back the open batch and removes everything this capture
// added, so a failed import leaves no half-written capture behind.
func (w *Writer) Abort(reason string) error {
	if w.tx != nil {
		w.tx.Rollback()
		w.tx = nil
	}
	tx, err := w.t.DB.Begin()
	if err != nil {
		return err
	}
	for _, q := range []string{
		`DELETE FROM rop_props WHERE exchange_id IN (SELECT id FROM exchanges WHERE capture_id = ?)`,
		`DELETE FROM rops WHERE exchange_id IN (SELECT id FROM exchanges WHERE capture_id = ?)`,
		`DELETE FROM chunks WHERE exchange_id IN (SELECT id FROM exchanges WHERE capture_id = ?)`,
		`DELETE FROM anomalies WHERE exchange_id IN (SELECT id FROM exchanges WHERE capture_id = ?)`,
		`DELETE FROM objects WHERE session_id IN (SELECT id FROM sessions WHERE capture_id = ?)`,
		`DELETE FROM exchanges WHERE capture_id = ?`,
		`DELETE FROM sessions WHERE capture_id = ?`,
		`DELETE FROM captures WHERE id = ?`,
	} {
		if _, err := tx.Exec(q, w.CaptureID); err != nil {
			tx.Rollback()
			return err
		}
	}
	return tx.Commit()
}

// Total is the number of exchanges added.
func (w *Writer) Total() int { return w.total }

// headerText renders headers as "Name: value" lines in a stable order.
func headerText(h http.Header) string {
	if len(h) == 0 {
		return ""
	}
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		for _, v := range h[k] {
			b.WriteString(k)
			b.WriteString(": ")
			b.WriteString(v)
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// ParseHeaderText reads headers written by headerText.
func ParseHeaderText(s string) http.Header {
	h := http.Header{}
	for _, line := range strings.Split(s, "\n") {
		k, v, ok := strings.Cut(line, ": ")
		if ok {
			h[k] = append(h[k], v)
		}
	}
	return h
}

func nsOrNil(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixNano()
}

func nullStr(s string) any {
	if s == "" {
		return nil
	}
	return s
}

var errClosed = fmt.Errorf("trace writer closed")

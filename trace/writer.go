package trace

import (
	"database/sql"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"
)

// Writer adds exchanges to a trace: it groups them into MAPI sessions,
// decodes them in each session's context and stores everything in batched
// transactions. Decoding runs in the caller's goroutine and storing in the
// writer's own, so the two overlap on separate cores. A batch is committed
// every BatchSize exchanges or BatchEvery, whichever comes first (also when
// idle), so that a process killed at any moment leaves a readable trace
// holding every exchange committed before. Row ids are assigned by the
// writer, which is the trace's only writer while it is open.
//
// Add, Flush, Close and Abort must be called from one goroutine.
type Writer struct {
	t         *Trace
	CaptureID int64
	// BatchSize and BatchEvery bound how much work one transaction holds.
	BatchSize  int
	BatchEvery time.Duration
	// OnCommit, when set, is called (from the writer's goroutine) after
	// each commit with the number of exchanges committed so far.
	OnCommit func(total int)

	pipe    *pipeline
	total   int
	ids     rowIDs
	jobs    chan job
	stopped chan struct{}
	started bool

	mu  sync.Mutex
	err error // the first storing error

	// Owned by the storing goroutine.
	tx        *sql.Tx
	st        [numStmts]*sql.Stmt
	pending   int
	committed int
	batchFrom time.Time
}

// rowIDs are the next ids the writer hands out.
type rowIDs struct{ session, exchange, rop, object int64 }

// stmtKind names the prepared statements.
type stmtKind uint8

const (
	stExchange stmtKind = iota
	stChunk
	stRop
	stRopProp
	stObject
	stObjectUpdate
	stAnomaly
	stSession
	stSessionUpdate
	numStmts
)

var stmtSQL = [numStmts]string{
	stExchange: `INSERT INTO exchanges(id, capture_id, session_id, seq, started, request_done, response_start, ended, duration,
		client, server, conn, method, url, host, request_type, request_id, client_info, client_app, http_status, x_response_code,
		req_headers, resp_headers, req_body, resp_body, req_size, resp_size, rop_count, rop_summary, error_count, anomaly_count,
		partial, error, source) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
	stChunk: `INSERT INTO chunks(exchange_id, seq, offset, length, at, tag) VALUES(?,?,?,?,?,?)`,
	stRop: `INSERT INTO rops(id, exchange_id, session_id, position, rop_id, name, logon_id, input_index, output_index,
		input_handle, output_handle, input_object, output_object, return_value, req_off, req_len, resp_off, resp_len,
		summary, request_json, response_json, context) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
	stRopProp: `INSERT OR IGNORE INTO rop_props(property_id, rop, exchange_id) VALUES(?,?,?)`,
	stObject: `INSERT INTO objects(id, session_id, seq, kind, detail, name, handle, logon_id, parent_id, folder_id, message_id,
		created_exchange, created_rop) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?)`,
	stObjectUpdate: `UPDATE objects SET name = ?, handle = ?, released_exchange = coalesce(?, released_exchange),
		released_rop = coalesce(?, released_rop) WHERE id = ?`,
	stAnomaly: `INSERT INTO anomalies(exchange_id, session_id, direction, offset, path, reason, raw) VALUES(?,?,?,?,?,?,?)`,
	stSession: `INSERT INTO sessions(id, capture_id, endpoint, mailbox_id, user, cookie, client_app, client_info, server, first_seen, last_seen)
		VALUES(?,?,?,?,?,?,?,?,?,?,?)`,
	stSessionUpdate: `UPDATE sessions SET last_seen = ?, exchanges = ?, rops = ?, errors = ?, anomalies = ?,
		user = coalesce(user, ?), cookie = coalesce(cookie, ?) WHERE id = ?`,
}

// op is one statement execution.
type op struct {
	k    stmtKind
	args []any
}

// job is what the decoding side hands the storing side: the rows of one
// exchange, or a request to commit (flush) or to stop.
type job struct {
	ops       []op
	exchanges int
	flush     chan error
	finish    *finishReq
}

type finishReq struct {
	done chan error
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
	next := func(table string) (int64, error) {
		var n sql.NullInt64
		err := t.DB.QueryRow(`SELECT max(id) FROM ` + table).Scan(&n)
		return n.Int64 + 1, err
	}
	for _, f := range []struct {
		table string
		p     *int64
	}{{"sessions", &w.ids.session}, {"exchanges", &w.ids.exchange}, {"rops", &w.ids.rop}, {"objects", &w.ids.object}} {
		if *f.p, err = next(f.table); err != nil {
			return nil, err
		}
	}
	w.pipe = newPipeline(w)
	return w, nil
}

func (w *Writer) start() {
	if w.started {
		return
	}
	w.started = true
	w.jobs = make(chan job, 256)
	w.stopped = make(chan struct{})
	go w.store()
}

func (w *Writer) setErr(err error) {
	w.mu.Lock()
	if w.err == nil {
		w.err = err
	}
	w.mu.Unlock()
}

// Err returns the first error the storing side met.
func (w *Writer) Err() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.err
}

// Add decodes ex and queues its rows for storing, returning the id its
// exchange row gets. A storing error shows at a later Add, Flush or Close.
func (w *Writer) Add(ex *Exchange) (int64, error) {
	if err := w.Err(); err != nil {
		return 0, err
	}
	w.start()
	ops, id, err := w.pipe.add(ex)
	if err != nil {
		return 0, err
	}
	w.total++
	if w.total%200 == 0 {
		ops = append(ops, w.pipe.sessionOps()...)
	}
	w.jobs <- job{ops: ops, exchanges: 1}
	return id, nil
}

// Flush stores and commits everything added so far.
func (w *Writer) Flush() error {
	if !w.started {
		return w.Err()
	}
	done := make(chan error, 1)
	w.jobs <- job{ops: w.pipe.sessionOps(), flush: done}
	if err := <-done; err != nil {
		return err
	}
	return w.Err()
}

// Close commits, marks the capture finished and stops the writer.
func (w *Writer) Close() error {
	err := w.Flush()
	w.stop()
	if err != nil {
		return err
	}
	_, err = w.t.DB.Exec(`UPDATE captures SET finished = ?, exchanges = ? WHERE id = ?`, time.Now().UnixNano(), w.total, w.CaptureID)
	return err
}

func (w *Writer) stop() {
	if !w.started {
		return
	}
	done := make(chan error, 1)
	w.jobs <- job{finish: &finishReq{done: done}}
	<-done
	close(w.jobs)
	<-w.stopped
	w.started = false
}

// Abort drops what is queued, rolls back the open batch and removes
// everything this capture added, so a failed import leaves no
// half-written capture behind.
func (w *Writer) Abort(reason string) error {
	w.setErr(fmt.Errorf("aborted: %s", reason))
	w.stop()
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

// store is the storing goroutine: it executes the rows it is handed in
// batched transactions.
func (w *Writer) store() {
	defer close(w.stopped)
	tick := time.NewTicker(w.BatchEvery / 2)
	defer tick.Stop()
	for {
		select {
		case j, ok := <-w.jobs:
			if !ok {
				return
			}
			switch {
			case j.finish != nil:
				if w.tx != nil {
					w.tx.Rollback()
					w.tx = nil
				}
				j.finish.done <- nil
				continue
			case w.Err() != nil:
				if j.flush != nil {
					j.flush <- w.Err()
				}
				continue
			}
			if err := w.exec(j.ops); err != nil {
				w.setErr(err)
			}
			w.pending += j.exchanges
			if j.flush != nil {
				j.flush <- w.commit()
				continue
			}
			if w.pending >= w.BatchSize || (w.tx != nil && time.Since(w.batchFrom) >= w.BatchEvery) {
				if err := w.commit(); err != nil {
					w.setErr(err)
				}
			}
		case <-tick.C:
			if w.tx != nil && w.Err() == nil && time.Since(w.batchFrom) >= w.BatchEvery {
				if err := w.commit(); err != nil {
					w.setErr(err)
				}
			}
		}
	}
}

func (w *Writer) exec(ops []op) error {
	if len(ops) == 0 {
		return nil
	}
	if w.tx == nil {
		tx, err := w.t.DB.Begin()
		if err != nil {
			return err
		}
		w.tx = tx
		w.batchFrom = time.Now()
		for k := range w.st {
			if w.st[k], err = tx.Prepare(stmtSQL[k]); err != nil {
				tx.Rollback()
				w.tx = nil
				return err
			}
		}
	}
	for _, o := range ops {
		if _, err := w.st[o.k].Exec(o.args...); err != nil {
			return fmt.Errorf("storing: %w", err)
		}
	}
	return nil
}

func (w *Writer) commit() error {
	if w.tx == nil {
		return w.Err()
	}
	if _, err := w.tx.Exec(`UPDATE captures SET exchanges = ? WHERE id = ?`, w.committed+w.pending, w.CaptureID); err != nil {
		return err
	}
	err := w.tx.Commit()
	w.tx = nil
	if err != nil {
		return err
	}
	w.committed += w.pending
	w.pending = 0
	if w.OnCommit != nil {
		w.OnCommit(w.committed)
	}
	return nil
}

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

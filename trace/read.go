package trace

import (
	"database/sql"
	"strings"
	"time"
)

// ReadExchanges calls each with the exchanges matching cond (over
// `exchanges e`), rebuilt as captured: headers, bodies, timings and the
// chunk timeline, in id order. Stored request headers have their
// credentials redacted, and so do the rebuilt ones.
func (t *Trace) ReadExchanges(cond string, args []any, each func(id int64, ex *Exchange) error) error {
	q := `SELECT e.id, e.client, e.server, e.conn, e.started, e.request_done, e.response_start, e.ended, e.method, e.url,
		e.host, e.req_headers, e.req_body, e.http_status, e.resp_headers, e.resp_body, e.partial, e.error, e.source
		FROM exchanges e`
	if cond != "" {
		q += " WHERE " + cond
	}
	q += " ORDER BY e.id"
	rows, err := t.DB.Query(q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	chunkStmt, err := t.DB.Prepare(`SELECT offset, length, at FROM chunks WHERE exchange_id = ? ORDER BY seq`)
	if err != nil {
		return err
	}
	defer chunkStmt.Close()
	for rows.Next() {
		var id int64
		var client, server, conn, method, url, host, reqH, respH, errs, source sql.NullString
		var started, reqDone, respStart, ended sql.NullInt64
		var status, partial int
		ex := &Exchange{}
		if err := rows.Scan(&id, &client, &server, &conn, &started, &reqDone, &respStart, &ended, &method, &url, &host,
			&reqH, &ex.ReqBody, &status, &respH, &ex.RespBody, &partial, &errs, &source); err != nil {
			return err
		}
		ex.Client, ex.Server, ex.Conn, ex.Method, ex.URL, ex.Host = client.String, server.String, conn.String, method.String, url.String, host.String
		ex.Started, ex.RequestDone, ex.ResponseStart, ex.Ended = nsTime(started), nsTime(reqDone), nsTime(respStart), nsTime(ended)
		ex.Proto = "HTTP/1.1"
		ex.ReqHeader = ParseHeaderText(reqH.String)
		ex.Status = status
		if respH.Valid && respH.String != "" || status != 0 {
			ex.RespHeader = ParseHeaderText(respH.String)
		}
		ex.ReqPartial = partial != 0 && len(ex.RespBody) == 0 && status == 0
		ex.RespPartial = partial != 0 && !ex.ReqPartial
		ex.Error, ex.Source = errs.String, source.String
		if ex.ReqBody == nil {
			ex.ReqBody = []byte{}
		}
		crows, err := chunkStmt.Query(id)
		if err != nil {
			return err
		}
		for crows.Next() {
			var c Chunk
			var at sql.NullInt64
			if err := crows.Scan(&c.Offset, &c.Length, &at); err != nil {
				crows.Close()
				return err
			}
			c.At = nsTime(at)
			ex.Chunks = append(ex.Chunks, c)
		}
		crows.Close()
		if err := each(id, ex); err != nil {
			return err
		}
	}
	return rows.Err()
}

func nsTime(n sql.NullInt64) time.Time {
	if !n.Valid {
		return time.Time{}
	}
	return time.Unix(0, n.Int64).UTC()
}

// Mark sets or clears (empty mark) the mark of an exchange.
func (t *Trace) Mark(id int64, mark string) error {
	_, err := t.DB.Exec(`UPDATE exchanges SET mark = ? WHERE id = ?`, nullStr(mark), id)
	return err
}

// Comment sets or clears the comment of an exchange.
func (t *Trace) Comment(id int64, comment string) error {
	_, err := t.DB.Exec(`UPDATE exchanges SET comment = ? WHERE id = ?`, nullStr(strings.TrimSpace(comment)), id)
	return err
}

package trace

import (
	"database/sql"
	"fmt"
	"sort"
	"strings"
	"time"
)

// ExchangeRow is an exchange as listings show it.
type ExchangeRow struct {
	ID            int64      `json:"id"`
	Session       *int64     `json:"session"`
	Seq           int        `json:"seq,omitempty"`
	Started       *time.Time `json:"started,omitempty"`
	DurationMs    *float64   `json:"duration_ms,omitempty"`
	Client        string     `json:"client,omitempty"`
	Server        string     `json:"server,omitempty"`
	Method        string     `json:"method"`
	URL           string     `json:"url"`
	RequestType   string     `json:"request_type"`
	HTTPStatus    int        `json:"http_status"`
	XResponseCode *int       `json:"x_response_code"`
	ReqSize       int        `json:"req_size"`
	RespSize      int        `json:"resp_size"`
	RopSummary    string     `json:"rop_summary,omitempty"`
	Errors        int        `json:"errors"`
	Anomalies     int        `json:"anomalies"`
	Partial       bool       `json:"partial,omitempty"`
	Error         string     `json:"error,omitempty"`
	Mark          string     `json:"mark,omitempty"`
	Comment       string     `json:"comment,omitempty"`
	Rops          []RopBrief `json:"rops"`
}

// RopBrief is a ROP in an exchange listing.
type RopBrief struct {
	RopId       uint8  `json:"RopId"`
	Name        string `json:"name"`
	ReturnValue *int64 `json:"ReturnValue,omitempty"`
}

const exchangeCols = `e.id, e.session_id, e.seq, e.started, e.duration, e.client, e.server, e.method, e.url, e.request_type,
	e.http_status, e.x_response_code, e.req_size, e.resp_size, e.rop_summary, e.error_count, e.anomaly_count, e.partial,
	e.error, e.mark, e.comment`

func scanExchange(rows *sql.Rows) (ExchangeRow, error) {
	var r ExchangeRow
	var sid, started, dur, xrc sql.NullInt64
	var client, server, method, url, rt, summary, errs, mark, comment sql.NullString
	var partial int
	err := rows.Scan(&r.ID, &sid, &r.Seq, &started, &dur, &client, &server, &method, &url, &rt, &r.HTTPStatus, &xrc,
		&r.ReqSize, &r.RespSize, &summary, &r.Errors, &r.Anomalies, &partial, &errs, &mark, &comment)
	if err != nil {
		return r, err
	}
	if sid.Valid {
		r.Session = &sid.Int64
	}
	if started.Valid {
		t := time.Unix(0, started.Int64).UTC()
		r.Started = &t
	}
	if dur.Valid {
		ms := float64(dur.Int64) / 1e6
		r.DurationMs = &ms
	}
	if xrc.Valid {
		v := int(xrc.Int64)
		r.XResponseCode = &v
	}
	r.Client, r.Server, r.Method, r.URL, r.RequestType = client.String, server.String, method.String, url.String, rt.String
	r.RopSummary, r.Error, r.Mark, r.Comment = summary.String, errs.String, mark.String, comment.String
	r.Partial = partial != 0
	r.Rops = []RopBrief{}
	return r, nil
}

// Page is a window of a listing: Limit 0 means no limit.
type Page struct {
	Limit, Offset int
	// After, when set, continues a listing after that id (keyset paging,
	// fast on big traces); it overrides Offset.
	After int64
	// Desc lists newest first.
	Desc bool
}

func (p Page) clause(col string, where *[]string, args *[]any) string {
	if p.After > 0 {
		op := ">"
		if p.Desc {
			op = "<"
		}
		*where = append(*where, col+" "+op+" ?")
		*args = append(*args, p.After)
	}
	order := " ORDER BY " + col
	if p.Desc {
		order += " DESC"
	}
	if p.Limit > 0 {
		order += fmt.Sprintf(" LIMIT %d", p.Limit)
		if p.After == 0 && p.Offset > 0 {
			order += fmt.Sprintf(" OFFSET %d", p.Offset)
		}
	}
	return order
}

func whereSQL(parts []string) string {
	if len(parts) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(parts, " AND ")
}

// Exchanges lists exchanges matching a condition over `exchanges e`
// (empty: all), with their ROPs.
func (t *Trace) Exchanges(cond string, args []any, p Page) ([]ExchangeRow, error) {
	var where []string
	if cond != "" {
		where = append(where, "("+cond+")")
	}
	order := p.clause("e.id", &where, &args)
	rows, err := t.DB.Query(`SELECT `+exchangeCols+` FROM exchanges e`+whereSQL(where)+order, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ExchangeRow
	index := map[int64]int{}
	for rows.Next() {
		r, err := scanExchange(rows)
		if err != nil {
			return nil, err
		}
		index[r.ID] = len(out)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return out, nil
	}
	ids := make([]string, 0, len(out))
	for _, r := range out {
		ids = append(ids, fmt.Sprint(r.ID))
	}
	rr, err := t.DB.Query(`SELECT exchange_id, rop_id, name, return_value FROM rops WHERE exchange_id IN (` +
		strings.Join(ids, ",") + `) ORDER BY exchange_id, position`)
	if err != nil {
		return nil, err
	}
	defer rr.Close()
	for rr.Next() {
		var ex int64
		var b RopBrief
		var rv sql.NullInt64
		if err := rr.Scan(&ex, &b.RopId, &b.Name, &rv); err != nil {
			return nil, err
		}
		if rv.Valid {
			v := rv.Int64
			b.ReturnValue = &v
		}
		if i, ok := index[ex]; ok {
			out[i].Rops = append(out[i].Rops, b)
		}
	}
	return out, rr.Err()
}

// SessionRow is a MAPI session as listings show it.
type SessionRow struct {
	ID        int64      `json:"id"`
	Endpoint  string     `json:"endpoint"`
	MailboxID string     `json:"mailbox_id,omitempty"`
	User      string     `json:"user,omitempty"`
	ClientApp string     `json:"client_app,omitempty"`
	Server    string     `json:"server,omitempty"`
	FirstSeen *time.Time `json:"first_seen,omitempty"`
	LastSeen  *time.Time `json:"last_seen,omitempty"`
	Exchanges int        `json:"exchanges"`
	Rops      int        `json:"rops"`
	Errors    int        `json:"errors"`
	Anomalies int        `json:"anomalies"`
}

// Sessions lists sessions matching a condition over `sessions s`.
func (t *Trace) Sessions(cond string, args []any, p Page) ([]SessionRow, error) {
	var where []string
	if cond != "" {
		where = append(where, "("+cond+")")
	}
	order := p.clause("s.id", &where, &args)
	rows, err := t.DB.Query(`SELECT s.id, s.endpoint, s.mailbox_id, s.user, s.client_app, s.server, s.first_seen, s.last_seen,
		s.exchanges, s.rops, s.errors, s.anomalies FROM sessions s`+whereSQL(where)+order, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []SessionRow
	for rows.Next() {
		var r SessionRow
		var mb, user, app, srv sql.NullString
		var first, last sql.NullInt64
		if err := rows.Scan(&r.ID, &r.Endpoint, &mb, &user, &app, &srv, &first, &last, &r.Exchanges, &r.Rops, &r.Errors, &r.Anomalies); err != nil {
			return nil, err
		}
		r.MailboxID, r.User, r.ClientApp, r.Server = mb.String, user.String, app.String, srv.String
		if first.Valid {
			x := time.Unix(0, first.Int64).UTC()
			r.FirstSeen = &x
		}
		if last.Valid {
			x := time.Unix(0, last.Int64).UTC()
			r.LastSeen = &x
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// RopRow is a ROP as listings show it.
type RopRow struct {
	ID           int64  `json:"id"`
	Exchange     int64  `json:"exchange"`
	Session      *int64 `json:"session"`
	Position     int    `json:"position"`
	RopId        uint8  `json:"RopId"`
	Name         string `json:"name"`
	LogonId      *int64 `json:"LogonId,omitempty"`
	InputHandle  *int64 `json:"input_handle,omitempty"`
	OutputHandle *int64 `json:"output_handle,omitempty"`
	ReturnValue  *int64 `json:"ReturnValue,omitempty"`
	Summary      string `json:"summary,omitempty"`
}

// Rops lists ROPs matching a condition over `rops r JOIN exchanges e`.
func (t *Trace) Rops(cond string, args []any, p Page) ([]RopRow, error) {
	var where []string
	if cond != "" {
		where = append(where, "("+cond+")")
	}
	order := p.clause("r.id", &where, &args)
	rows, err := t.DB.Query(`SELECT r.id, r.exchange_id, r.session_id, r.position, r.rop_id, r.name, r.logon_id, r.input_handle,
		r.output_handle, r.return_value, r.summary FROM rops r JOIN exchanges e ON e.id = r.exchange_id`+whereSQL(where)+order, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []RopRow
	for rows.Next() {
		var r RopRow
		var sid, logon, ih, oh, rv sql.NullInt64
		var summary sql.NullString
		if err := rows.Scan(&r.ID, &r.Exchange, &sid, &r.Position, &r.RopId, &r.Name, &logon, &ih, &oh, &rv, &summary); err != nil {
			return nil, err
		}
		r.Session, r.LogonId, r.InputHandle, r.OutputHandle, r.ReturnValue = ptr(sid), ptr(logon), ptr(ih), ptr(oh), ptr(rv)
		r.Summary = summary.String
		out = append(out, r)
	}
	return out, rows.Err()
}

func ptr(n sql.NullInt64) *int64 {
	if !n.Valid {
		return nil
	}
	v := n.Int64
	return &v
}

// Stats are per-session figures.
type Stats struct {
	Session       SessionRow                    `json:"session"`
	RequestTypes  map[string]int                `json:"request_types"`
	Rops          map[string]int                `json:"rops"`
	ErrorCodes    map[string]int                `json:"error_codes"`
	HTTPStatus    map[string]int                `json:"http_status"`
	LatencyMs     map[string]float64            `json:"latency_ms"` // p50, p90, p99, max over exchanges with a duration
	LatencyByType map[string]map[string]float64 `json:"latency_by_type_ms"`
}

// SessionStats computes the statistics of the sessions matching cond.
func (t *Trace) SessionStats(cond string, args []any) ([]Stats, error) {
	sessions, err := t.Sessions(cond, args, Page{})
	if err != nil {
		return nil, err
	}
	var out []Stats
	for _, s := range sessions {
		st := Stats{Session: s, RequestTypes: map[string]int{}, Rops: map[string]int{}, ErrorCodes: map[string]int{},
			HTTPStatus: map[string]int{}, LatencyMs: map[string]float64{}, LatencyByType: map[string]map[string]float64{}}
		if err := t.countInto(st.RequestTypes, `SELECT coalesce(request_type, '(none)'), count(*) FROM exchanges WHERE session_id = ? GROUP BY 1`, s.ID); err != nil {
			return nil, err
		}
		if err := t.countInto(st.HTTPStatus, `SELECT http_status, count(*) FROM exchanges WHERE session_id = ? GROUP BY 1`, s.ID); err != nil {
			return nil, err
		}
		if err := t.countInto(st.Rops, `SELECT name, count(*) FROM rops WHERE session_id = ? GROUP BY 1`, s.ID); err != nil {
			return nil, err
		}
		if err := t.countInto(st.ErrorCodes, `SELECT printf('0x%08X', return_value), count(*) FROM rops WHERE session_id = ? AND return_value != 0 GROUP BY 1`, s.ID); err != nil {
			return nil, err
		}
		byType := map[string][]float64{}
		var all []float64
		rows, err := t.DB.Query(`SELECT coalesce(request_type, '(none)'), duration FROM exchanges WHERE session_id = ? AND duration IS NOT NULL`, s.ID)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var rt string
			var d int64
			if err := rows.Scan(&rt, &d); err != nil {
				rows.Close()
				return nil, err
			}
			ms := float64(d) / 1e6
			all = append(all, ms)
			byType[rt] = append(byType[rt], ms)
		}
		rows.Close()
		st.LatencyMs = percentiles(all)
		for k, v := range byType {
			st.LatencyByType[k] = percentiles(v)
		}
		out = append(out, st)
	}
	return out, nil
}

func (t *Trace) countInto(m map[string]int, q string, args ...any) error {
	rows, err := t.DB.Query(q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var k string
		var n int
		if err := rows.Scan(&k, &n); err != nil {
			return err
		}
		m[k] = n
	}
	return rows.Err()
}

// percentiles returns p50/p90/p99/max (nearest rank) of values.
func percentiles(v []float64) map[string]float64 {
	out := map[string]float64{}
	if len(v) == 0 {
		return out
	}
	sort.Float64s(v)
	rank := func(p float64) float64 {
		i := int(p*float64(len(v))+0.999999) - 1
		if i < 0 {
			i = 0
		}
		if i >= len(v) {
			i = len(v) - 1
		}
		return v[i]
	}
	out["p50"], out["p90"], out["p99"], out["max"] = rank(0.50), rank(0.90), rank(0.99), v[len(v)-1]
	out["count"] = float64(len(v))
	return out
}

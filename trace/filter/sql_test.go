package filter

import (
	"database/sql"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// smallTrace builds a trace with a row for each atom kind:
//
//	session 1: exchanges 1 (Execute: QueryRows, GetPropertiesSpecific naming
//	           PidTagSubject; body "hello"), 2 (Connect; marked, commented),
//	           3 (Execute, 500: OpenFolder failing ecNotFound, Release with no
//	           response; an anomaly)
//	session 2: exchanges 4 (NotificationWait, no response), 5 (Execute to
//	           nspi: SetColumns naming PidTagSubject and PidTagMessageFlags,
//	           QueryRows failing 0x80040102 whose JSON holds "Quarterly report")
//	session 3: no exchanges
//	no session: exchange 6 (autodiscover GET; status NULL)
func smallTrace(t *testing.T) *sql.DB {
	db := openTrace(t, t.TempDir())
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := db.Exec(q, args...); err != nil {
			t.Fatalf("%v\n%s", err, q)
		}
	}
	exec(`INSERT INTO captures(id, source, started) VALUES(1, 'proxy', 0)`)
	for id := 1; id <= 3; id++ {
		exec(`INSERT INTO sessions(id, capture_id, endpoint) VALUES(?, 1, 'emsmdb')`, id)
	}
	type ex struct {
		id                int
		sid               any
		rt                any
		status            any
		xrc               any
		url               string
		reqH, respH       string
		reqBody, respBody []byte
		errs, anomalies   int
		mark, comment     any
	}
	for _, x := range []ex{
		{1, 1, "Execute", 200, 0, "/mapi/emsmdb/?MailboxId=a@contoso.com",
			"X-RequestType: Execute\nContent-Type: application/mapi-http", "X-ResponseCode: 0",
			[]byte("\x00\x01hello\xff"), []byte{0, 0}, 0, 0, nil, nil},
		{2, 1, "Connect", 200, 0, "/mapi/emsmdb/?MailboxId=a@contoso.com",
			"X-RequestType: Connect", "X-ResponseCode: 0", nil, nil, 0, 0, "red", "Check THIS one"},
		{3, 1, "Execute", 500, 10, "/mapi/emsmdb/?MailboxId=a@contoso.com",
			"X-RequestType: Execute", "", nil, nil, 1, 1, nil, "50% done"},
		{4, 2, "NotificationWait", 0, nil, "/mapi/emsmdb/?MailboxId=b@contoso.com",
			"X-RequestType: NotificationWait", "", nil, nil, 0, 0, nil, nil},
		{5, 2, "execute", 200, 0, "/mapi/nspi/?MailboxId=b@contoso.com",
			"X-RequestType: execute", "X-ResponseCode: 0", []byte{1}, []byte{2}, 1, 0, nil, nil},
		{6, nil, nil, nil, nil, "/autodiscover/autodiscover.xml",
			"Host: autodiscover.contoso.com", "", nil, nil, 0, 0, nil, nil},
	} {
		exec(`INSERT INTO exchanges(id, capture_id, session_id, request_type, http_status, x_response_code, url,
			req_headers, resp_headers, req_body, resp_body, error_count, anomaly_count, mark, comment, method)
			VALUES(?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'POST')`,
			x.id, x.sid, x.rt, x.status, x.xrc, x.url, x.reqH, x.respH, x.reqBody, x.respBody, x.errs, x.anomalies, x.mark, x.comment)
	}
	type rp struct {
		id, ex, sid, ropID int
		name               string
		rv                 any
		reqJSON, respJSON  string
		props              []int
	}
	for _, r := range []rp{
		{1, 1, 1, 0x15, "RopQueryRows", 0, `{"RopId":21}`, `{"RowCount":1}`, nil},
		{2, 1, 1, 0x07, "RopGetPropertiesSpecific", 0, `{"PropertyTags":["PidTagSubject"]}`, `{"Subject":"Hi"}`, []int{0x0037}},
		{3, 3, 1, 0x02, "RopOpenFolder", 0x8004010F, `{}`, `{}`, nil},
		{4, 3, 1, 0x01, "RopRelease", nil, `{}`, ``, nil},
		{5, 5, 2, 0x12, "RopSetColumns", 0, `{}`, `{}`, []int{0x0037, 0x0E07}},
		{6, 5, 2, 0x15, "RopQueryRows", 0x80040102, `{}`, `{"Subject":"Quarterly report"}`, nil},
	} {
		exec(`INSERT INTO rops(id, exchange_id, session_id, position, rop_id, name, return_value, request_json, response_json)
			VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?)`, r.id, r.ex, r.sid, r.id, r.ropID, r.name, r.rv, r.reqJSON, r.respJSON)
		for _, p := range r.props {
			exec(`INSERT INTO rop_props(property_id, rop, exchange_id) VALUES(?, ?, ?)`, p, r.id, r.ex)
		}
	}
	return db
}

// match runs a compiled filter over the small trace and returns the ids.
func match(t *testing.T, db *sql.DB, expr, what string) []int64 {
	t.Helper()
	f, err := Parse(expr)
	if err != nil {
		t.Fatalf("Parse(%q): %v", expr, err)
	}
	var q string
	var args []any
	switch what {
	case "exchanges":
		w, a := f.ExchangeWhere()
		q, args = "SELECT e.id FROM exchanges e WHERE "+w+" ORDER BY e.id", a
	case "rops":
		w, a := f.RopWhere()
		q, args = "SELECT r.id FROM rops r JOIN exchanges e ON e.id = r.exchange_id WHERE "+w+" ORDER BY r.id", a
	case "sessions":
		w, a := f.SessionWhere()
		q, args = "SELECT s.id FROM sessions s WHERE "+w+" ORDER BY s.id", a
	}
	return ids(t, db, q, args...)
}

func TestExchangeWhere(t *testing.T) {
	db := smallTrace(t)
	for _, tc := range []struct {
		expr string
		want []int64
	}{
		{"", []int64{1, 2, 3, 4, 5, 6}},
		{"~rt Execute", []int64{1, 3, 5}},
		{"~rt EXECUTE", []int64{1, 3, 5}},
		{"~rt notificationwait", []int64{4}},
		{"!~rt Execute", []int64{2, 4, 6}}, // 6 has no request type
		{"~rop QueryRows", []int64{1, 5}},
		{"~rop 0x02", []int64{3}},
		{"~rop RopRelease", []int64{3}},
		{"~rop Logon", nil},
		{"!~rop QueryRows", []int64{2, 3, 4, 6}},
		{"~ec", []int64{3, 5}},
		{"!~ec", []int64{1, 2, 4, 6}},
		{"~ec ecNotFound", []int64{3}},
		{"~ec NotFound", []int64{3}},
		{"~ec 0x80040102", []int64{5}},
		{"~ec 2147746063", []int64{3}},
		{"~ec Success", []int64{1, 5}},
		{"~ec 0x80004005", nil},
		{"~prop PidTagSubject", []int64{1, 5}},
		{"~prop 0x0E07", []int64{5}},
		{"~prop 0x0E07000F", []int64{5}},
		{"!~prop Subject", []int64{2, 3, 4, 6}},
		{"~sid 1", []int64{1, 2, 3}},
		{"!~sid 1", []int64{4, 5, 6}},
		{"~code 200", []int64{1, 2, 5}},
		{"!~code 200", []int64{3, 4, 6}},
		{"~code 0", []int64{4}},
		{"~rt Execute & !~code 200", []int64{3}},
		{"~xrc 10", []int64{3}},
		{"!~xrc 0", []int64{3, 4, 6}},
		{"~u nspi", []int64{5}},
		{"nspi", []int64{5}},
		{"NSPI", []int64{5}},
		{"~u ^/mapi/", []int64{1, 2, 3, 4, 5}},
		{"~u 'MailboxId=b@'", []int64{4, 5}},
		{"/mapi/(nspi|autodiscover)", []int64{5}},
		{"autodiscover", []int64{6}},
		{"~h application/mapi-http", []int64{1}},
		{"~h '^Content-Type: application/mapi-http$'", []int64{1}},
		{"~h ^X-ResponseCode", []int64{1, 2, 5}},
		{"~h ^x-responsecode", nil}, // case-sensitive as in mitmproxy
		{"~h (?i)^x-responsecode", []int64{1, 2, 5}},
		{"~b hello", []int64{1}},
		{`~b '\x00\x01hel+o\xff'`, nil}, // \xff in a Go regexp is U+00FF, not the byte
		{`~b '^\x00\x01hello'`, []int64{1}},
		{"~b 'Quarterly report'", []int64{5}},
		{"~b PidTagSubject", []int64{1}},
		{"~b '\"Subject\"'", []int64{1, 5}},
		{"~anomaly", []int64{3}},
		{"~m", []int64{2}},
		{"!~m", []int64{1, 3, 4, 5, 6}},
		{"~c this", []int64{2}},
		{"~c '50%'", []int64{3}},
		{"~c 0%", []int64{3}},
		{"~c 5_", nil}, // _ and % are not wildcards
		{"~c %", []int64{3}},
		{"!~c this", []int64{1, 3, 4, 5, 6}},
		{"~q", []int64{4, 6}},
		{"~s", []int64{1, 2, 3, 5}},
		{"!~q", []int64{1, 2, 3, 5}},
		// combinations
		{"~rop QueryRows | ~rop OpenFolder", []int64{1, 3, 5}},
		{"~rop QueryRows ~ec", []int64{5}},
		{"(~rt Execute | ~rt Connect) & !~ec", []int64{1, 2}},
		{"~rt Execute | ~rt Connect & !~ec", []int64{1, 2, 3, 5}},
		{"!(~rt Execute | ~m)", []int64{4, 6}},
		{"~sid 2 | ~anomaly ~rop OpenFolder", []int64{3, 4, 5}},
		{"!(~code 200 & ~sid 1)", []int64{3, 4, 5, 6}},
	} {
		if got := match(t, db, tc.expr, "exchanges"); !slices.Equal(got, tc.want) {
			t.Errorf("exchanges %q = %v, want %v", tc.expr, got, tc.want)
		}
	}
}

func TestRopWhere(t *testing.T) {
	db := smallTrace(t)
	for _, tc := range []struct {
		expr string
		want []int64
	}{
		{"", []int64{1, 2, 3, 4, 5, 6}},
		{"~rop QueryRows", []int64{1, 6}},
		{"!~rop QueryRows", []int64{2, 3, 4, 5}},
		{"~ec", []int64{3, 6}},
		{"!~ec", []int64{1, 2, 4, 5}}, // 4 has no response
		{"~ec 0x80040102", []int64{6}},
		{"~ec Success", []int64{1, 2, 5}},
		{"~prop Subject", []int64{2, 5}},
		{"~prop 0x0E07", []int64{5}},
		{"!~prop Subject", []int64{1, 3, 4, 6}},
		{"~rt Execute & ~rop QueryRows", []int64{1, 6}},
		{"~sid 2", []int64{5, 6}},
		{"~code 500", []int64{3, 4}},
		{"~b Quarterly", []int64{5, 6}}, // the exchange's bodies or JSON
		{"~anomaly | ~prop 0x0E07", []int64{3, 4, 5}},
		{"nspi ~ec", []int64{6}},
	} {
		if got := match(t, db, tc.expr, "rops"); !slices.Equal(got, tc.want) {
			t.Errorf("rops %q = %v, want %v", tc.expr, got, tc.want)
		}
	}
}

func TestSessionWhere(t *testing.T) {
	db := smallTrace(t)
	for _, tc := range []struct {
		expr string
		want []int64
	}{
		{"", []int64{1, 2, 3}},
		{"~sid 3", []int64{3}},
		{"!~sid 1", []int64{2, 3}},
		{"~sid 1 | ~sid 3", []int64{1, 3}},
		{"~rop QueryRows", []int64{1, 2}},
		{"~rop OpenFolder", []int64{1}},
		{"~sid 1 & ~rop SetColumns", nil},
		{"~sid 2 & ~rop SetColumns", []int64{2}},
		{"~sid 3 | ~rt NotificationWait", []int64{2, 3}},
		{"~q", []int64{2}},
		{"!~rop QueryRows", []int64{1, 2}},
		{"~rop SetColumns & ~rop QueryRows", []int64{2}},     // exchange 5 has both
		{"~rop OpenFolder & ~rop QueryRows", nil},            // in one exchange
		{"~rop OpenFolder | ~rop SetColumns", []int64{1, 2}}, // in any exchange
		{"~ec ecNotFound", []int64{1}},
		{"~m", []int64{1}},
		{"!(~sid 1) & ~ec", []int64{2}},
		{"~anomaly", []int64{1}},
	} {
		if got := match(t, db, tc.expr, "sessions"); !slices.Equal(got, tc.want) {
			t.Errorf("sessions %q = %v, want %v", tc.expr, got, tc.want)
		}
	}
}

// TestQueryPlans checks that the atoms that test ROPs use the indexes of
// the schema.
func TestQueryPlans(t *testing.T) {
	db := smallTrace(t)
	db.Exec("ANALYZE")
	plan := func(q string, args []any) string {
		rows, err := db.Query("EXPLAIN QUERY PLAN "+q, args...)
		if err != nil {
			t.Fatalf("%v\n%s", err, q)
		}
		defer rows.Close()
		var b strings.Builder
		for rows.Next() {
			var id, parent, notused int
			var detail string
			if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
				t.Fatal(err)
			}
			fmt.Fprintln(&b, detail)
		}
		return b.String()
	}
	for _, tc := range []struct {
		expr, what, want string
	}{
		{"~rop QueryRows", "exchanges", "USING COVERING INDEX rops_ropid (rop_id=? AND exchange_id=?)"},
		{"~ec ecNotFound", "exchanges", "USING COVERING INDEX rops_error (return_value=? AND exchange_id=?)"},
		{"~prop Subject", "exchanges", "USING PRIMARY KEY (property_id=?)"},
		{"~prop Subject", "rops", "USING PRIMARY KEY (property_id=? AND rop=?)"},
		{"~rop QueryRows", "sessions", "INDEX exchanges_session (session_id=?)"},
	} {
		f, _ := Parse(tc.expr)
		var q string
		var args []any
		switch tc.what {
		case "exchanges":
			w, a := f.ExchangeWhere()
			q, args = "SELECT e.id FROM exchanges e WHERE "+w+" ORDER BY e.id LIMIT 100", a
		case "rops":
			w, a := f.RopWhere()
			q, args = "SELECT r.id FROM rops r JOIN exchanges e ON e.id = r.exchange_id WHERE "+w+" ORDER BY r.id LIMIT 100", a
		case "sessions":
			w, a := f.SessionWhere()
			q, args = "SELECT s.id FROM sessions s WHERE "+w+" ORDER BY s.id", a
		}
		p := plan(q, args)
		t.Logf("%s %q:\n%s", tc.what, tc.expr, p)
		if !strings.Contains(p, tc.want) {
			t.Errorf("%s %q: plan lacks %q:\n%s", tc.what, tc.expr, tc.want, p)
		}
	}
}

// TestRegexAtomsAgreeWithGo checks the SQL of ~u ~h ~b, with their
// literal prefilters, against Go's regexp on awkward values: case
// folding beyond ASCII, LIKE's wildcards, NUL and invalid bytes, NULL.
func TestRegexAtomsAgreeWithGo(t *testing.T) {
	db := openTrace(t, t.TempDir())
	values := []any{
		"/mapi/emsmdb/?MailboxId=x", "/MAPI/EMSMDB", "/mapi/em\u017Fmdb", "/\u212Aey", "/key", "ü/Ü", "/EM\u017FMDB/\u212A",
		"a%b_c", "ab", "", nil, "line1\nX-Key: v\nline3", "\xff\xfeab",
		[]byte{0, 'a', 'b', 0xff, 'c'}, []byte("hello\nworld"), []byte{}, []byte{0xff},
	}
	if _, err := db.Exec(`INSERT INTO captures(id, source, started) VALUES(1, 'x', 0)`); err != nil {
		t.Fatal(err)
	}
	for i, v := range values {
		var text any = v
		if b, ok := v.([]byte); ok {
			text = string(b)
		}
		if _, err := db.Exec(`INSERT INTO exchanges(id, capture_id, url, req_headers, req_body) VALUES(?, 1, ?, ?, ?)`,
			i+1, text, text, v); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(`INSERT INTO rops(exchange_id, position, rop_id, name, response_json) VALUES(?, 0, 1, 'RopRelease', ?)`,
			i+1, text); err != nil {
			t.Fatal(err)
		}
	}
	patterns := []string{
		"emsmdb", "EMSMDB", "key", "(?-i)key", "Key", "ü", "Ü", "a%b", "a_b", "b_c", "%", "_", "^$", "^/mapi/",
		`\x{FFFD}`, "ab", "a.*c", "(?i)HELLO", "o$", "^world", "^X-Key", `\x00ab`, "hello.world", "(?i)KEY", "y$",
		"emſmdb", "EMSMDB", "(?-i)EMSMDB", "\u212A", "ſ", "(?i)MAPI.*DB", "(?i)ms.*db", "x-key: v", "(?i)x-key: v",
		`\xff`, "\xc3\xbc", "(?i)ü", "(?i)Ü/", "hello\nworld", "(?i)WORLD$",
	}
	for _, p := range patterns {
		for _, k := range []kind{kURL, kHeader, kBody} {
			expr := "~" + specs[k].name + " " + quoteValue(p)
			re := regexp.MustCompile(regexFlags[k] + p)
			var want []int64
			for i, v := range values {
				var ok bool
				switch v := v.(type) {
				case string:
					ok = re.MatchString(v)
				case []byte:
					ok = re.Match(v)
				}
				if ok {
					want = append(want, int64(i+1))
				}
			}
			if got := match(t, db, expr, "exchanges"); !slices.Equal(got, want) {
				f, _ := Parse(expr)
				w, args := f.ExchangeWhere()
				t.Errorf("%s: SQL %v, Go %v\n%s %q", expr, got, want, w, args)
			}
		}
	}
}

func quoteValue(v string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(v) + `"`
}

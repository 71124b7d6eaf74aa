package trace_test

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mapiscope/mapiscope/internal/mapitest"
	"github.com/mapiscope/mapiscope/trace"
)

func sample(t testing.TB) []*trace.Exchange {
	t.Helper()
	exs, err := mapitest.SampleSession(mapitest.NewConversation())
	if err != nil {
		t.Fatal(err)
	}
	return exs
}

func writeTrace(t testing.TB, path string, exs []*trace.Exchange) {
	t.Helper()
	tr, err := trace.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	w, err := tr.NewWriter("test", "", "test")
	if err != nil {
		t.Fatal(err)
	}
	for _, ex := range exs {
		if _, err := w.Add(ex); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestWriterStoresDecodedSession(t *testing.T) {
	path := filepath.Join(t.TempDir(), "t.mapiscope")
	writeTrace(t, path, sample(t))
	tr, err := trace.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	q := func(query string, args ...any) string {
		t.Helper()
		var s string
		if err := tr.DB.QueryRow(query, args...).Scan(&s); err != nil {
			t.Fatalf("%s: %v", query, err)
		}
		return s
	}
	// One NSPI and one EMSMDB session; every EMSMDB exchange lands in it.
	if got := q(`SELECT group_concat(endpoint || ':' || exchanges, ' ') FROM (SELECT * FROM sessions ORDER BY id)`); got != "nspi:1 emsmdb:7" {
		t.Fatalf("sessions: %s", got)
	}
	if got := q(`SELECT group_concat(request_type, ',') FROM (SELECT * FROM exchanges ORDER BY id)`); got != "Bind,Connect,Execute,Execute,Execute,Execute,Execute,NotificationWait" {
		t.Fatalf("exchanges: %s", got)
	}
	if got := q(`SELECT rop_summary FROM exchanges WHERE id = 4`); got != "OpenFolder, GetContentsTable, SetColumns" {
		t.Fatalf("summary: %q", got)
	}
	// ROP rows with names, handles, return values and paired responses.
	if got := q(`SELECT count(*) FROM rops`); got != "8" {
		t.Fatalf("rops: %s", got)
	}
	if got := q(`SELECT return_value FROM rops WHERE name = 'RopOpenFolder' ORDER BY id DESC LIMIT 1`); got != strconv.Itoa(0x8004010F) {
		t.Fatalf("failing OpenFolder: %s", got)
	}
	if got := q(`SELECT e.error_count FROM exchanges e JOIN rops r ON r.exchange_id = e.id WHERE r.return_value != 0`); got != "1" {
		t.Fatalf("error_count: %s", got)
	}
	// The QueryRows response decoded its rows (columns from two Executes
	// earlier) and names the named property.
	js := q(`SELECT response_json FROM rops WHERE name = 'RopQueryRows'`)
	if !strings.Contains(js, "Quarterly report") || !strings.Contains(js, "Lunch?") {
		t.Fatalf("QueryRows JSON: %s", js)
	}
	// ~prop support: PidTagSubject (0x0037) and the named 0x8001 are indexed.
	if got := q(`SELECT count(DISTINCT property_id) FROM rop_props WHERE property_id IN (0x0037, 0x8001)`); got != "2" {
		t.Fatalf("rop_props: %s", got)
	}
	// Objects with lineage: the contents table's parent is the Inbox folder.
	if got := q(`SELECT o.name || ' <- ' || p.name FROM objects o JOIN objects p ON p.id = o.parent_id WHERE o.kind = 'table'`); got != "contents table of folder Inbox <- folder Inbox" {
		t.Fatalf("objects: %s", got)
	}
	if got := q(`SELECT released_exchange IS NOT NULL AND released_rop IS NOT NULL FROM objects WHERE kind = 'table'`); got != "1" {
		t.Fatal("table release not recorded")
	}
	if got := q(`SELECT created_rop IS NOT NULL FROM objects WHERE kind = 'table'`); got != "1" {
		t.Fatal("table creation not linked to its ROP")
	}
	// The chunk timeline keeps the meta-tags.
	if got := q(`SELECT group_concat(tag, ' ') FROM (SELECT tag FROM chunks WHERE exchange_id = 8 ORDER BY seq)`); got != "PROCESSING PENDING PENDING DONE" {
		t.Fatalf("chunks: %s", got)
	}
	// Credentials never reach the trace.
	if got := q(`SELECT count(*) FROM exchanges WHERE req_headers LIKE '%YWxpY2%'`); got != "0" {
		t.Fatal("Authorization secret stored")
	}
	if got := q(`SELECT user FROM sessions WHERE endpoint = 'emsmdb'`); got != "alice@example.test" {
		t.Fatalf("user: %s", got)
	}
	if got := q(`SELECT count(*) FROM anomalies`); got != "0" {
		rows, _ := tr.DB.Query(`SELECT exchange_id, reason FROM anomalies`)
		for rows.Next() {
			var id int
			var r string
			rows.Scan(&id, &r)
			t.Logf("anomaly in exchange %d: %s", id, r)
		}
		t.Fatalf("%s anomalies in a clean session", got)
	}
	if got := q(`SELECT finished IS NOT NULL FROM captures`); got != "1" {
		t.Fatal("capture not marked finished")
	}
}

func TestWriterAbortLeavesNothing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "t.mapiscope")
	writeTrace(t, path, sample(t)[:2])
	tr, _ := trace.Create(path)
	w, _ := tr.NewWriter("test", "", "test")
	for _, ex := range sample(t) {
		w.Add(ex)
	}
	w.Flush()
	if err := w.Abort("test"); err != nil {
		t.Fatal(err)
	}
	var n int
	tr.DB.QueryRow(`SELECT (SELECT count(*) FROM exchanges) + (SELECT count(*) FROM captures)`).Scan(&n)
	tr.Close()
	if n != 3 { // the first capture's 2 exchanges and its captures row
		t.Fatalf("after abort: %d rows", n)
	}
}

// A process killed with SIGKILL leaves a readable trace holding every
// exchange committed before the kill.
func TestWriterSurvivesSIGKILL(t *testing.T) {
	if os.Getenv("MAPISCOPE_KILL_CHILD") != "" {
		killChild()
		return
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "t.mapiscope")
	cmd := exec.Command(os.Args[0], "-test.run=^TestWriterSurvivesSIGKILL$")
	cmd.Env = append(os.Environ(), "MAPISCOPE_KILL_CHILD="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(out)
	committed := 0
	for sc.Scan() {
		if n, ok := strings.CutPrefix(sc.Text(), "committed "); ok {
			committed, _ = strconv.Atoi(n)
			if committed >= 400 {
				break
			}
		}
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	if committed < 400 {
		t.Fatalf("child committed only %d", committed)
	}
	tr, err := trace.Open(path)
	if err != nil {
		t.Fatalf("trace unreadable after SIGKILL: %v", err)
	}
	defer tr.Close()
	var n int
	if err := tr.DB.QueryRow(`SELECT count(*) FROM exchanges`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n < committed {
		t.Fatalf("%d exchanges in the trace, %d were committed", n, committed)
	}
	var ok string
	tr.DB.QueryRow(`PRAGMA integrity_check`).Scan(&ok)
	if ok != "ok" {
		t.Fatalf("integrity: %s", ok)
	}
}

// killChild writes exchanges forever, printing each commit.
func killChild() {
	path := os.Getenv("MAPISCOPE_KILL_CHILD")
	tr, err := trace.Create(path)
	if err != nil {
		panic(err)
	}
	w, err := tr.NewWriter("test", "", "test")
	if err != nil {
		panic(err)
	}
	w.BatchSize = 50
	w.OnCommit = func(total int) { fmt.Printf("committed %d\n", total) }
	cv := mapitest.NewConversation()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		exs, err := mapitest.SampleSession(cv)
		if err != nil {
			panic(err)
		}
		for _, ex := range exs {
			if _, err := w.Add(ex); err != nil {
				panic(err)
			}
		}
	}
	os.Exit(3)
}

// Any exchange decodes again on its own, with its ROPs' stored context:
// the QueryRows rows (whose columns were set two Executes earlier) and
// byte spans that point into the stored bodies.
func TestDecodeExchangeAlone(t *testing.T) {
	path := filepath.Join(t.TempDir(), "t.mapiscope")
	writeTrace(t, path, sample(t))
	tr, err := trace.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	d, err := tr.DecodeExchange(6)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Anomalies) != 0 {
		t.Fatalf("anomalies: %v", d.Anomalies)
	}
	if !strings.Contains(d.RespTree.Text(), "Quarterly report") {
		t.Fatalf("rows not decoded:\n%s", d.RespTree.Text())
	}
	// The RopQueryRows response node's span points at its RopId byte in the
	// stored response body.
	p := d.Execute.Pairs()[0]
	if d.RespBody[p.RespNode.Off] != 0x15 {
		t.Fatalf("span of RopQueryRows response at %d is byte %#x", p.RespNode.Off, d.RespBody[p.RespNode.Off])
	}
	if d.ReqBody[p.ReqNode.Off] != 0x15 {
		t.Fatalf("span of the request at %d is byte %#x", p.ReqNode.Off, d.ReqBody[p.ReqNode.Off])
	}
	// Non-Execute bodies decode too.
	d, err = tr.DecodeExchange(1)
	if err != nil || d.ReqTree == nil || d.RespTree == nil || len(d.Anomalies) != 0 {
		t.Fatalf("Bind: %v %v", err, d.Anomalies)
	}
}

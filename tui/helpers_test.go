package tui

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gdamore/tcell/v2"

	"github.com/mapiscope/mapiscope/internal/mapitest"
	"github.com/mapiscope/mapiscope/trace"
)

// sampleTrace writes mapitest's sample session into a temporary trace.
func sampleTrace(t testing.TB) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "s.mapiscope")
	exs, err := mapitest.SampleSession(mapitest.NewConversation())
	if err != nil {
		t.Fatal(err)
	}
	tr, err := trace.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w, err := tr.NewWriter("jsonl", "test", "dev")
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
	tr.Close()
	return path
}

// genTrace inserts n exchanges with ropsPer ROPs each straight into the
// schema's tables, in one transaction (no decoding).
func genTrace(t testing.TB, path string, n, ropsPer int) {
	t.Helper()
	tr, err := trace.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	tx, err := tr.DB.Begin()
	if err != nil {
		t.Fatal(err)
	}
	tx.Exec(`INSERT INTO captures(id, source, started) VALUES(1, 'proxy', 0)`)
	tx.Exec(`INSERT INTO sessions(id, capture_id, endpoint, user, exchanges, rops) VALUES(1, 1, 'emsmdb', 'bench', ?, ?)`, n, n*ropsPer)
	ex, _ := tx.Prepare(`INSERT INTO exchanges(id, capture_id, session_id, seq, started, ended, duration, method, url, request_type,
		http_status, x_response_code, req_size, resp_size, rop_count, rop_summary, error_count) VALUES(?,1,1,?,?,?,?,'POST','/mapi/emsmdb/?MailboxId=x','Execute',200,0,100,200,?,?,?)`)
	rp, _ := tx.Prepare(`INSERT INTO rops(exchange_id, session_id, position, rop_id, name, return_value, summary) VALUES(?,1,?,?,?,?,?)`)
	names := []string{"RopQueryRows", "RopOpenFolder", "RopGetPropertiesSpecific", "RopSetColumns", "RopRelease"}
	ids := []int{0x15, 0x02, 0x07, 0x12, 0x01}
	base := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC).UnixNano()
	for i := 1; i <= n; i++ {
		var sum []string
		fails := 0
		for p := 0; p < ropsPer; p++ {
			k := (i + p) % len(names)
			sum = append(sum, strings.TrimPrefix(names[k], "Rop"))
			rv := 0
			if i%97 == 0 && p == 0 {
				rv, fails = 0x8004010F, 1
			}
			if _, err := rp.Exec(i, p, ids[k], names[k], rv, "on contents table of folder Inbox"); err != nil {
				t.Fatal(err)
			}
		}
		st := base + int64(i)*int64(time.Millisecond)
		if _, err := ex.Exec(i, i, st, st+5e6, 5e6, ropsPer, trace.SummarizeNames(sum), fails); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
}

type harness struct {
	t    testing.TB
	ui   *UI
	sim  tcell.SimulationScreen
	done chan error
}

func start(t testing.TB, path string, opts Options) *harness {
	t.Helper()
	tr, err := trace.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	sim := tcell.NewSimulationScreen("UTF-8")
	opts.Screen = sim
	if opts.Poll == 0 {
		opts.Poll = -1
	}
	ui, err := New(tr, opts)
	if err != nil {
		t.Fatal(err)
	}
	sim.SetSize(160, 48)
	h := &harness{t: t, ui: ui, sim: sim, done: make(chan error, 1)}
	go func() { h.done <- ui.Run() }()
	t.Cleanup(func() {
		ui.Stop()
		<-h.done
		ui.Close()
		tr.Close()
	})
	h.sync()
	return h
}

// sync waits until the event loop has handled what was sent before and
// drawn.
func (h *harness) sync() {
	for i := 0; i < 2; i++ {
		ch := make(chan struct{})
		h.ui.app.QueueUpdateDraw(func() { close(ch) })
		select {
		case <-ch:
		case <-time.After(5 * time.Second):
			h.t.Fatal("UI does not respond")
		}
	}
}

// do runs f on the event loop and waits for it.
func (h *harness) do(f func()) {
	ch := make(chan struct{})
	h.ui.app.QueueUpdateDraw(func() { f(); close(ch) })
	<-ch
}

func (h *harness) text() string {
	cells, w, _ := h.sim.GetContents()
	var b strings.Builder
	for i, c := range cells {
		if len(c.Runes) > 0 {
			b.WriteString(string(c.Runes))
		} else {
			b.WriteByte(' ')
		}
		if (i+1)%w == 0 {
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// line returns the screen line holding s ("" if none).
func (h *harness) line(s string) string {
	for _, l := range strings.Split(h.text(), "\n") {
		if strings.Contains(l, s) {
			return l
		}
	}
	return ""
}

func (h *harness) waitFor(s string) {
	h.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if strings.Contains(h.text(), s) {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	h.t.Fatalf("%q not on screen:\n%s", s, h.text())
}

func (h *harness) key(k tcell.Key) {
	h.sim.InjectKey(k, 0, tcell.ModNone)
	h.waitEvents()
}

func (h *harness) keys(s string) {
	for _, r := range s {
		h.sim.InjectKey(tcell.KeyRune, r, tcell.ModNone)
		h.waitEvents()
	}
}

// waitEvents waits for injected events to be handled: the event queue and
// the update queue are separate, so give the loop a moment and sync.
func (h *harness) waitEvents() {
	time.Sleep(5 * time.Millisecond)
	h.sync()
}

func (h *harness) current() int64 {
	var id int64
	h.do(func() {
		if r := h.ui.ex.Current(); r != nil {
			id = r.ID
		}
	})
	return id
}

var _ = fmt.Sprint

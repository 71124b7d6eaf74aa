package tui

import (
	"context"
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gdamore/tcell/v2"

	"github.com/mapiscope/mapiscope/client"
	"github.com/mapiscope/mapiscope/decode/prop"
	"github.com/mapiscope/mapiscope/decode/rop"
	"github.com/mapiscope/mapiscope/proxy"
	"github.com/mapiscope/mapiscope/replay"
	"github.com/mapiscope/mapiscope/server"
)

const scenarioUser, scenarioPassword = "tui@example.com", "tui-secret"

// recordBasic records, through the proxy, the client basic scenario
// against a fresh deterministic built-in server into dir/name, then what
// after does. The scenario's token is fixed, so that two recordings are
// two runs of the same client behaviour.
func recordBasic(t *testing.T, dir, name string, after func(ctx context.Context, autodiscoverURL string) error) string {
	t.Helper()
	srv, err := server.Start(server.RunConfig{Listen: "http://127.0.0.1:0", Deterministic: true,
		Users: []server.UserSpec{{Email: scenarioUser, Password: scenarioPassword}}})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	path := filepath.Join(dir, name)
	p, err := proxy.Start(proxy.RunConfig{Listen: "http://127.0.0.1:0", Upstream: srv.URL, Trace: path})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	cfg := client.Config{Email: scenarioUser, Password: scenarioPassword, Token: "fixed"}
	if _, err := client.RunScenario(ctx, "basic", p.AutodiscoverURL, cfg, nil); err != nil {
		p.Close()
		t.Fatal(err)
	}
	if after != nil {
		if err := after(ctx, p.AutodiscoverURL); err != nil {
			p.Close()
			t.Fatal(err)
		}
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// oneMoreMessage logs on in a mailbox session of its own and saves one
// message in the Inbox.
func oneMoreMessage(ctx context.Context, autodiscoverURL string) error {
	const none = 0xFFFFFFFF
	cfg := client.Config{Email: scenarioUser, Password: scenarioPassword}
	d, err := client.Autodiscover(ctx, autodiscoverURL, cfg)
	if err != nil {
		return err
	}
	mb := client.NewMailbox(d.MailStoreURL, cfg)
	if _, err := mb.Connect(ctx, d.LegacyDN); err != nil {
		return err
	}
	res, err := mb.Execute(ctx, []rop.Request{&rop.LogonRequest{LogonFlags: 0x01, OpenFlags: 0x0100000C, Essdn: d.LegacyDN}}, []uint32{none})
	if err != nil {
		return err
	}
	if err := res.Check(); err != nil {
		return err
	}
	lr, ok := res.Response(0).(*rop.LogonResponse)
	if !ok {
		return errors.New("no RopLogon response")
	}
	inbox := lr.FolderIds[4]
	in := func(i uint8) rop.RequestHeader { return rop.RequestHeader{InputHandleIndex: i} }
	res, err = mb.Execute(ctx, []rop.Request{
		&rop.OpenFolderRequest{RequestHeader: in(0), OutputHandleIndex: 1, FolderId: inbox},
		&rop.CreateMessageRequest{RequestHeader: in(1), OutputHandleIndex: 2, CodePageId: 0x0FFF, FolderId: inbox},
		&rop.SetPropertiesRequest{RequestHeader: in(2), PropertyValues: []prop.TaggedValue{
			{Tag: 0x001A001F, Value: "IPM.Note"}, {Tag: 0x0037001F, Value: "one more message"}}},
		&rop.SaveChangesMessageRequest{RequestHeader: in(2), ResponseHandleIndex: 2, SaveFlags: 0x02},
		&rop.ReleaseRequest{RequestHeader: in(2)},
		&rop.ReleaseRequest{RequestHeader: in(1)},
	}, []uint32{res.Handle(0), none, none})
	if err != nil {
		return err
	}
	if err := res.Check(); err != nil {
		return err
	}
	return mb.Disconnect(ctx)
}

// screen is the screen's text, read on the event loop: the views draw
// when background work ends, while the test polls.
func (h *harness) screen() string {
	var s string
	h.do(func() { s = h.text() })
	return s
}

// screenLine is the screen line holding s ("" if none).
func (h *harness) screenLine(s string) string {
	for _, l := range strings.Split(h.screen(), "\n") {
		if strings.Contains(l, s) {
			return l
		}
	}
	return ""
}

// waitShown waits for s to be on the screen.
func (h *harness) waitShown(s string) {
	h.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if strings.Contains(h.screen(), s) {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	h.t.Fatalf("%q not on screen:\n%s", s, h.screen())
}

// command opens the command line, fills it with line (typing a trace's
// path key by key takes long) and runs it with enter.
func (h *harness) command(line string) {
	h.keys(":")
	h.do(func() { h.ui.input.SetText(line) })
	h.key(tcell.KeyEnter)
}

// selectedDiffOp is the row under the diff view's cursor and its operation.
func (h *harness) selectedDiffOp() (int, replay.DiffOp) {
	var row int
	var op replay.DiffOp
	h.do(func() {
		row, _ = h.ui.diff.list.GetSelection()
		if row >= 1 && row <= len(h.ui.diff.res.Ops) {
			op = h.ui.diff.res.Ops[row-1]
		}
	})
	return row, op
}

// Two recordings of the same scenario: every line pairs an operation of A
// with the same one of B, the title counts them, enter goes to A's
// exchange in the main view.
func TestDiffViewSame(t *testing.T) {
	dir := t.TempDir()
	a := recordBasic(t, dir, "a.trace", nil)
	b := recordBasic(t, dir, "b.trace", nil)
	h := start(t, a, Options{})

	h.command("diff ")
	h.waitShown("diff: usage: diff OTHER_TRACE[:SESSION] or diff SESSION_A SESSION_B")
	h.command("diff " + filepath.Join(dir, "none.trace"))
	h.waitShown("diff: no trace " + filepath.Join(dir, "none.trace"))

	h.command("diff " + b)
	h.waitShown("0 changed, 0 removed (A only), 0 inserted (B only)")
	var res *replay.DiffResult
	h.do(func() { res = h.ui.diff.res })
	if len(res.Ops) < 60 || res.Summary.Same != len(res.Ops) {
		t.Fatalf("summary %+v of %d operations", res.Summary, len(res.Ops))
	}
	h.waitShown(fmt.Sprintf(" diff: %d same, 0 changed", len(res.Ops)))
	h.waitShown("A a.trace")
	h.waitShown("B b.trace")
	// Side by side: A's RopLogon left of the bar, B's right of it.
	l := h.screenLine("RopLogon")
	if i, j, k := strings.Index(l, "RopLogon"), strings.Index(l, "│ "), strings.LastIndex(l, "RopLogon"); i < 0 || j < i || k < j {
		t.Errorf("RopLogon line: %q", l)
	}
	h.waitShown("the same in A and B after normalisation")

	h.keys("n")
	h.waitShown("no more differences")

	// Enter on a ROP that is not the first of its request shows it in
	// the main view, in the decoded tree.
	idx := -1
	for i, op := range res.Ops {
		if op.A.Index > 0 {
			idx = i
			break
		}
	}
	for range idx {
		h.keys("j")
	}
	if row, op := h.selectedDiffOp(); row != idx+1 || op.A.Index < 1 {
		t.Fatalf("on row %d %+v, want %+v", row, op.A, res.Ops[idx].A)
	}
	h.key(tcell.KeyEnter)
	want := res.Ops[idx].A
	h.waitShown(fmt.Sprintf("ROPs of exchange %d", want.Exchange))
	if id := h.current(); id != want.Exchange {
		t.Fatalf("main view on exchange %d, want %d", id, want.Exchange)
	}
	var pos int
	var tree bool
	h.do(func() {
		if row, _ := h.ui.rops.GetSelection(); row >= 1 && row <= len(h.ui.ropIDs) {
			pos = h.ui.ropIDs[row-1].position
		}
		tree = h.ui.app.GetFocus() == h.ui.tree
	})
	if pos != want.Index || !tree {
		t.Errorf("ROP %d selected (tree focused %v), want %d", pos, tree, want.Index)
	}

	// d shows the diff again; esc closes it.
	h.keys("d")
	h.waitShown("0 inserted (B only)")
	h.key(tcell.KeyEsc)
	h.sync()
	if strings.Contains(h.screen(), "0 inserted (B only)") {
		t.Error("esc did not close the diff")
	}
}

// A recording with one more message saved after the scenario: its
// session's operations are "+" lines, n jumps to the first of them, N
// back finds no difference before it, and enter on it says it is not in
// the open trace.
func TestDiffViewExtraMessage(t *testing.T) {
	dir := t.TempDir()
	a := recordBasic(t, dir, "a.trace", nil)
	c := recordBasic(t, dir, "c.trace", oneMoreMessage)
	h := start(t, a, Options{})
	h.command("diff " + c)
	h.waitShown("0 changed, 0 removed (A only), 9 inserted (B only)")
	var res *replay.DiffResult
	h.do(func() { res = h.ui.diff.res })
	first := -1
	for i, op := range res.Ops {
		if op.Kind != replay.OpSame {
			first = i
			break
		}
	}
	if first < 1 || res.Ops[first].Kind != replay.OpInserted {
		t.Fatalf("first difference at %d: %+v", first, res.Ops[max(first, 0)])
	}

	h.keys("n")
	row, op := h.selectedDiffOp()
	if row != first+1 || op.Kind != replay.OpInserted || op.A != nil {
		t.Fatalf("n went to row %d (%+v), want %d", row, op, first+1)
	}
	h.waitShown("+ " + op.Rop() + "  only in B")
	// The row: a "+" in the mark column, nothing on A's side.
	found := false
	for _, l := range strings.Split(h.screen(), "\n") {
		f := strings.Fields(strings.Trim(l, "│║ "))
		if len(f) >= 4 && f[0] == "+" && f[1] == "│" && f[3] == op.Rop() {
			found = true
			break
		}
	}
	if !found {
		t.Errorf("no + line for %s:\n%s", op.Rop(), h.screen())
	}
	h.key(tcell.KeyEnter)
	h.waitShown(op.Rop() + " is not in the open trace")

	h.keys("N")
	h.waitShown("no more differences")
	if r, _ := h.selectedDiffOp(); r != first+1 {
		t.Errorf("N moved to row %d", r)
	}
	// The last "+" line, then nothing.
	for range 8 {
		h.keys("n")
	}
	if _, op := h.selectedDiffOp(); op.Kind != replay.OpInserted {
		t.Errorf("ninth difference: %+v", op)
	}
	h.keys("n")
	h.waitShown("no more differences")
}

// :replay against the built-in server: progress, then every ROP the same.
func TestReplayView(t *testing.T) {
	a := recordBasic(t, t.TempDir(), "a.trace", nil)
	h := start(t, a, Options{})

	h.command("replay 1 2")
	h.waitShown("replay: usage: replay [SESSION] [--target builtin|URL]")
	h.command("replay --target")
	h.waitShown("replay: --target wants builtin")

	h.command("replay")
	h.waitShown("0 different, 0 missing, 0 extra")
	var res *replay.Result
	h.do(func() { res = h.ui.replays.res })
	if res == nil || res.Summary.Same < 70 || !res.Summary.Clean() {
		t.Fatalf("replay result %+v", res)
	}
	h.waitShown(fmt.Sprintf("██████████ %d/%d requests", res.Requests, res.Requests))
	h.waitShown(fmt.Sprintf(" replay of a.trace against builtin: %d requests, %d ROPs in ", res.Requests, len(res.Rops)))
	if l := h.screenLine("RopSubmitMessage"); !strings.Contains(l, "same") {
		t.Errorf("RopSubmitMessage line: %q", l)
	}
	h.waitShown("the live answer is the recorded one after normalisation")
	h.keys("n")
	h.waitShown("no more differences")

	// Enter goes to the recorded exchange.
	h.key(tcell.KeyEnter)
	h.waitShown(fmt.Sprintf("replay: exchange %d %s same", res.Rops[0].Exchange, res.Rops[0].Rop))
	if id := h.current(); id != res.Rops[0].Exchange {
		t.Errorf("main view on exchange %d, want %d", id, res.Rops[0].Exchange)
	}
	// R shows the last replay again.
	h.keys("R")
	h.waitShown("0 different, 0 missing, 0 extra")
	h.key(tcell.KeyEsc)
}

// esc cancels a replay whose server never answers.
func TestReplayViewCancel(t *testing.T) {
	a := recordBasic(t, t.TempDir(), "a.trace", nil)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		var held []net.Conn
		defer func() {
			for _, c := range held {
				c.Close()
			}
		}()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			held = append(held, c)
		}
	}()
	h := start(t, a, Options{})
	h.command("replay 2 --target http://" + ln.Addr().String())
	h.waitShown("replay of a.trace:2 against http://" + ln.Addr().String() + ": running")
	h.waitShown("<esc> cancel")
	h.key(tcell.KeyEsc)
	h.waitShown("replay cancelled")
	if strings.Contains(h.screen(), ": running") {
		t.Error("the replay view is still open")
	}
}

package tui

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/gdamore/tcell/v2"
	"github.com/rivo/tview"

	"github.com/mapiscope/mapiscope/replay"
)

// The replay view re-runs a session of the open trace against a server
// and compares every answer with the recorded one, as `mapiscope replay`
// does (replay.Run, issue 9 §1–3, 6): a progress bar while it runs, then
// one line per ROP (and per request without ROPs) with its outcome — same,
// different, missing, extra — and the selected one's field differences
// (path: recorded → live) below. n/N go from difference to difference,
// enter shows the recorded exchange in the main view, esc (or ctrl-c)
// cancels a replay that is running.
//
// :replay [SESSION] [--target builtin|URL] replays a session (default: the
// one the exchanges are restricted to, else the whole trace) against the
// built-in server (default) or the server whose Autodiscover URL is given
// (the trace's user, the password from $MAPISCOPE_PASSWORD). R shows the
// last replay, or starts one of the shown session against the built-in
// server.

const replayPage = "replay"

const replayHints = "<n/N> next/prev difference  <enter> go there  <tab> details  <esc> back"

type replayView struct {
	root   *tview.Flex
	list   *tview.Table
	text   *tview.TextView
	status *tview.TextView
	ref    replay.SessionRef
	target string

	cancel   context.CancelFunc // while running
	res      *replay.Result
	err      error
	progress atomic.Int64 // requests done << 32 | total, written by the replay
	pending  atomic.Bool  // a progress draw is queued
}

func (rv *replayView) running() bool { return rv.cancel != nil }

func (rv *replayView) counts() (done, total int) {
	p := rv.progress.Load()
	return int(p >> 32), int(uint32(p))
}

// replayCommand runs :replay with its arguments.
func (u *UI) replayCommand(args []string) {
	ref, target, err := u.replayArgs(args)
	if err != nil {
		u.flash("replay: %v", err)
		return
	}
	u.startReplay(ref, target)
}

// replayArgs reads [SESSION] [--target builtin|URL].
func (u *UI) replayArgs(args []string) (replay.SessionRef, string, error) {
	ref := replay.SessionRef{Trace: u.t.Path, Session: u.session}
	target, session := "builtin", false
	const usage = "usage: replay [SESSION] [--target builtin|URL]"
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--target" || a == "-t":
			if i+1 == len(args) {
				return ref, "", errors.New("--target wants builtin or the server's Autodiscover URL")
			}
			i++
			target = args[i]
		case strings.HasPrefix(a, "--target="):
			target = strings.TrimPrefix(a, "--target=")
		case strings.HasPrefix(a, "-") || session:
			return ref, "", errors.New(usage)
		default:
			id, err := strconv.ParseInt(strings.TrimPrefix(a, "#"), 10, 64)
			if err != nil || id <= 0 {
				return ref, "", fmt.Errorf("%q is not a session id of the open trace (%s)", a, usage)
			}
			ref.Session, session = id, true
		}
	}
	if target == "" {
		return ref, "", errors.New("--target wants builtin or the server's Autodiscover URL")
	}
	return ref, target, nil
}

// startReplay runs the replay in the background and shows its view.
func (u *UI) startReplay(ref replay.SessionRef, target string) {
	if rv := u.replays; rv != nil && rv.running() {
		u.showReplay()
		u.replayStatus(rv, "a replay is running: esc cancels it", false)
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	rv := u.newReplayView(ref, target)
	rv.cancel = cancel
	u.replays = rv
	u.showReplay()
	u.drawProgress(rv)
	go func() {
		select {
		case <-u.done:
			cancel()
		case <-ctx.Done():
		}
	}()
	go func() {
		defer cancel()
		res, err := replay.Run(ctx, ref, replay.Options{Target: target,
			Progress: func(done, total int) { u.replayProgress(rv, done, total) }})
		u.app.QueueUpdateDraw(func() { u.replayDone(rv, res, err) })
	}()
}

// replayProgress is called by the replay after each request. At most one
// draw is queued at a time, so a fast replay does not wait for the screen.
func (u *UI) replayProgress(rv *replayView, done, total int) {
	rv.progress.Store(int64(done)<<32 | int64(uint32(total)))
	if rv.pending.Swap(true) {
		return
	}
	go u.app.QueueUpdateDraw(func() {
		rv.pending.Store(false)
		u.drawProgress(rv)
	})
}

// showReplay brings the last replay to the front.
func (u *UI) showReplay() {
	u.pages.AddPage(replayPage, u.replays.root, true, true)
	u.app.SetFocus(u.replays.list)
}

func (u *UI) newReplayView(ref replay.SessionRef, target string) *replayView {
	rv := &replayView{ref: ref, target: target}
	rv.list = tview.NewTable().SetSelectable(true, false).SetFixed(1, 0).SetSelectedStyle(u.th.selected)
	rv.list.SetBorder(true)
	rv.text = tview.NewTextView().SetDynamicColors(true).SetWrap(false)
	rv.text.SetBorder(true).SetTitle(" differences (recorded → live) ")
	rv.status = tview.NewTextView().SetDynamicColors(true)
	rv.list.SetSelectionChangedFunc(func(row, _ int) { u.showReplayRop(rv, row-1) })
	rv.root = tview.NewFlex().SetDirection(tview.FlexRow).
		AddItem(rv.list, 0, 3, true).AddItem(rv.text, 0, 2, false).AddItem(rv.status, 1, 0, false)
	return rv
}

func (rv *replayView) title(state string) string {
	return tview.Escape(fmt.Sprintf(" replay of %s against %s: %s ", refName(rv.ref), rv.target, state))
}

// progressBar draws done of total in width cells.
func progressBar(done, total, width int) string {
	if total <= 0 {
		return strings.Repeat("░", width)
	}
	n := min(width, max(0, done*width/total))
	return strings.Repeat("█", n) + strings.Repeat("░", width-n)
}

// drawProgress shows how far a running replay is.
func (u *UI) drawProgress(rv *replayView) {
	if !rv.running() {
		return
	}
	done, total := rv.counts()
	count := "starting…"
	if total > 0 {
		count = fmt.Sprintf("%d/%d requests", done, total)
	}
	rv.list.SetTitle(rv.title("running"))
	rv.status.SetText(fmt.Sprintf("replaying %s %s   %s", progressBar(done, total, 30), count,
		u.th.tag("yellow")+"<esc> cancel"+u.th.tag("-")))
}

// replayStatus sets the view's bottom line: msg (in red when bad), then
// the progress the replay made and the view's keys.
func (u *UI) replayStatus(rv *replayView, msg string, bad bool) {
	var b strings.Builder
	if msg != "" {
		if bad {
			b.WriteString(u.th.tag("red") + tview.Escape(msg) + u.th.tag("-"))
		} else {
			b.WriteString(tview.Escape(msg))
		}
		b.WriteString("   ")
	}
	if done, total := rv.counts(); total > 0 && !rv.running() {
		fmt.Fprintf(&b, "%s %d/%d requests   ", progressBar(done, total, 10), done, total)
	}
	b.WriteString(u.th.tag("yellow") + tview.Escape(replayHints) + u.th.tag("-"))
	rv.status.SetText(b.String())
}

// replaySummary counts as `mapiscope replay` does.
func replaySummary(r *replay.Result) string {
	s := r.Summary
	return fmt.Sprintf("%d same, %d different, %d missing, %d extra", s.Same, s.Different, s.Missing, s.Extra)
}

// ropIndex is a result's ROP position, or -1 for a request without ROPs
// (Connect, Bind, …), which the replay files under position 0.
func ropIndex(rr *replay.RopResult) int {
	if !strings.HasPrefix(rr.Rop, "Rop") {
		return -1
	}
	return rr.Index
}

// outcomeKinds map replay outcomes to the diff's kinds, for colours.
var outcomeKinds = map[replay.Outcome]string{replay.Same: replay.OpSame, replay.Different: replay.OpChanged,
	replay.Missing: replay.OpRemoved, replay.Extra: replay.OpInserted}

// replayDone shows the result of the replay (or why there is none).
func (u *UI) replayDone(rv *replayView, res *replay.Result, err error) {
	rv.cancel = nil
	if err != nil {
		rv.err = err
		msg := "replay: " + err.Error()
		if errors.Is(err, context.Canceled) {
			msg = "replay cancelled"
		}
		rv.list.SetTitle(rv.title("failed"))
		rv.list.Clear()
		rv.list.SetCell(0, 0, tview.NewTableCell(tview.Escape(msg)).SetStyle(u.th.err).SetSelectable(false))
		u.replayStatus(rv, msg, true)
		u.flash("%s", msg)
		return
	}
	rv.res = res
	if done, total := rv.counts(); total == 0 || done != total {
		// Progress draws are dropped once the replay has ended.
		rv.progress.Store(int64(res.Requests)<<32 | int64(res.Requests))
	}
	rv.list.SetTitle(rv.title(fmt.Sprintf("%d requests, %d ROPs in %s — %s", res.Requests, len(res.Rops),
		res.Elapsed.Round(1e6), replaySummary(res))))
	rv.list.Clear()
	for c, h := range []string{"OUTCOME", "EX:ROP", "ROP", "DIFFERENCES"} {
		rv.list.SetCell(0, c, tview.NewTableCell(h).SetStyle(u.th.header).SetSelectable(false))
	}
	for i, rr := range res.Rops {
		st := u.kindStyle(outcomeKinds[rr.Outcome])
		rv.list.SetCell(i+1, 0, tview.NewTableCell(string(rr.Outcome)).SetStyle(st))
		rv.list.SetCell(i+1, 1, tview.NewTableCell(shortRef(rr.Exchange, ropIndex(&rr))).SetStyle(u.th.dim))
		rv.list.SetCell(i+1, 2, tview.NewTableCell(tview.Escape(rr.Rop)).SetStyle(st))
		note := ""
		switch len(rr.Diffs) {
		case 0:
		case 1:
			note = rr.Diffs[0].String()
		default:
			note = fmt.Sprintf("%d fields: %s, …", len(rr.Diffs), rr.Diffs[0].Path)
		}
		rv.list.SetCell(i+1, 3, tview.NewTableCell(tview.Escape(shortURL(note, 100))).SetStyle(u.th.dim).SetExpansion(1))
	}
	if len(res.Rops) == 0 {
		rv.list.SetCell(1, 2, tview.NewTableCell("nothing was replayed").SetSelectable(false))
	} else {
		rv.list.Select(1, 0)
		u.showReplayRop(rv, 0)
	}
	switch n := len(res.Errors); n {
	case 0:
		u.replayStatus(rv, replaySummary(res), !res.Summary.Clean())
	default:
		msg := fmt.Sprintf("%d error: %s", n, res.Errors[0])
		if n > 1 {
			msg = fmt.Sprintf("%d errors, the first: %s", n, res.Errors[0])
		}
		u.replayStatus(rv, msg, true)
	}
	u.flash("replay: %s", replaySummary(res))
}

// showReplayRop fills the detail pane with result i, and the replay's
// errors after it.
func (u *UI) showReplayRop(rv *replayView, i int) {
	if rv.res == nil || i < 0 || i >= len(rv.res.Rops) {
		return
	}
	rr := &rv.res.Rops[i]
	var b strings.Builder
	label := fmt.Sprintf("exchange %d rop %d", rr.Exchange, rr.Index)
	switch {
	case ropIndex(rr) < 0:
		label = fmt.Sprintf("exchange %d", rr.Exchange)
	case rr.Index < 0:
		label = fmt.Sprintf("exchange %d unsolicited", rr.Exchange)
	}
	fmt.Fprintf(&b, "%s%s%s  %s  %s\n", u.th.tag("yellow"), tview.Escape(rr.Rop), u.th.tag("-"), label, rr.Outcome)
	switch rr.Outcome {
	case replay.Same:
		b.WriteString("  the live answer is the recorded one after normalisation\n")
	case replay.Missing:
		b.WriteString("  recorded, but the server gave no answer to compare\n")
	case replay.Extra:
		b.WriteString("  the server answered with a ROP the recording does not have\n")
	}
	if len(rr.Diffs) > 0 {
		b.WriteString("\n")
		for _, d := range rr.Diffs {
			fmt.Fprintf(&b, "  %s%s%s: %s %s→%s %s\n", u.th.tag("aqua"), tview.Escape(d.Path), u.th.tag("-"),
				tview.Escape(d.Recorded), u.th.tag("yellow"), u.th.tag("-"), tview.Escape(d.Live))
		}
	}
	if len(rv.res.Errors) > 0 {
		fmt.Fprintf(&b, "\n%sreplay errors%s\n", u.th.tag("red"), u.th.tag("-"))
		for _, e := range rv.res.Errors {
			fmt.Fprintf(&b, "  %s\n", tview.Escape(e))
		}
	}
	fmt.Fprintf(&b, "\n%senter: show exchange %d in the main view%s\n", u.th.tag("gray"), rr.Exchange, u.th.tag("-"))
	rv.text.SetText(b.String()).ScrollToBeginning()
}

// nextReplayDiff moves to the next (dir 1) or previous (dir -1) ROP that
// did not compare the same.
func (u *UI) nextReplayDiff(rv *replayView, dir int) {
	if rv.res == nil {
		return
	}
	row, _ := rv.list.GetSelection()
	for i := row - 1 + dir; i >= 0 && i < len(rv.res.Rops); i += dir {
		if rv.res.Rops[i].Outcome != replay.Same {
			rv.list.Select(i+1, 0)
			u.replayStatus(rv, "", false)
			return
		}
	}
	u.replayStatus(rv, "no more differences", false)
}

// replayKey handles keys while the replay view is in front.
func (u *UI) replayKey(ev *tcell.EventKey) *tcell.EventKey {
	rv := u.replays
	if rv == nil {
		u.pages.RemovePage(replayPage)
		return nil
	}
	focus := u.app.GetFocus()
	switch {
	case ev.Key() == tcell.KeyCtrlC && rv.running():
		rv.cancel()
		rv.status.SetText("cancelling the replay…")
		return nil
	case ev.Key() == tcell.KeyCtrlC:
		u.app.Stop()
		return nil
	case ev.Key() == tcell.KeyEsc || ev.Rune() == 'q':
		if rv.running() {
			rv.cancel()
			u.flash("replay: cancelling…")
		} else if focus != rv.list {
			u.app.SetFocus(rv.list)
			return nil
		}
		u.pages.RemovePage(replayPage)
		u.app.SetFocus(u.ex)
		return nil
	case ev.Key() == tcell.KeyTab || ev.Key() == tcell.KeyBacktab:
		if focus == rv.list {
			u.app.SetFocus(rv.text)
		} else {
			u.app.SetFocus(rv.list)
		}
		return nil
	case ev.Key() == tcell.KeyEnter:
		row, _ := rv.list.GetSelection()
		if rv.res == nil || row < 1 || row > len(rv.res.Rops) {
			return nil
		}
		rr := rv.res.Rops[row-1]
		u.pages.RemovePage(replayPage)
		if u.gotoRop(rr.Exchange, ropIndex(&rr)) {
			u.flash("replay: exchange %d %s %s", rr.Exchange, rr.Rop, rr.Outcome)
		}
		return nil
	case ev.Rune() == 'n':
		u.nextReplayDiff(rv, 1)
		return nil
	case ev.Rune() == 'N':
		u.nextReplayDiff(rv, -1)
		return nil
	}
	return pageKeys(ev)
}

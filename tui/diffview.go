package tui

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/gdamore/tcell/v2"
	"github.com/rivo/tview"

	"github.com/mapiscope/mapiscope/replay"
)

// The diff view compares two recorded sessions operation by operation, as
// `mapiscope diff` does (replay.Diff, issue 9 §5–6): A's operations on the
// left, B's on the right, aligned by request and ROP sequence; "~" marks a
// changed operation, "-" one only A has, "+" one only B has. The pane below
// shows the selected operation's field differences (path: A → B) and the
// ICS state it changed; n/N go from difference to difference; enter on an
// operation of the open trace shows it in the main view.
//
// :diff OTHER compares the open trace — or the session the exchanges are
// restricted to — with OTHER; :diff A B compares two. Each is a session id
// of the open trace or TRACE[:SESSION]. The diff runs in the background; d
// shows the last one again.

const diffPage = "diff"

const diffHints = "<n/N> next/prev difference  <enter> go there  <tab> details  <esc> back"

type diffView struct {
	root   *tview.Flex
	list   *tview.Table
	text   *tview.TextView
	status *tview.TextView
	res    *replay.DiffResult
	state  map[replay.RopRef][]replay.StateChange // by the operation that carries it
	openA  bool                                   // A's operations are exchanges of the open trace
	openB  bool
}

// diffRun is a diff being computed; a newer :diff cancels it.
type diffRun struct{ cancel context.CancelFunc }

// diffCommand runs :diff with its arguments.
func (u *UI) diffCommand(args []string) {
	a, b, err := u.diffArgs(args)
	if err != nil {
		u.flash("diff: %v", err)
		return
	}
	u.startDiff(a, b)
}

// diffArgs reads the sessions :diff compares: one argument is B, compared
// with the open trace (or its shown session); two are A and B.
func (u *UI) diffArgs(args []string) (a, b replay.SessionRef, err error) {
	switch len(args) {
	case 1:
		a = replay.SessionRef{Trace: u.t.Path, Session: u.session}
		b, err = u.sessionArg(args[0])
	case 2:
		if a, err = u.sessionArg(args[0]); err == nil {
			b, err = u.sessionArg(args[1])
		}
	default:
		err = errors.New("usage: diff OTHER_TRACE[:SESSION] or diff SESSION_A SESSION_B")
	}
	return a, b, err
}

// sessionArg reads a session of the open trace ("3", "#3") or
// TRACE[:SESSION] (a trace file named by digits only: ./3).
func (u *UI) sessionArg(s string) (replay.SessionRef, error) {
	if id, err := strconv.ParseInt(strings.TrimPrefix(s, "#"), 10, 64); err == nil {
		if id <= 0 {
			return replay.SessionRef{}, fmt.Errorf("%q: session ids start at 1", s)
		}
		return replay.SessionRef{Trace: u.t.Path, Session: id}, nil
	}
	ref, err := replay.ParseSessionRef(s)
	if err != nil {
		return ref, err
	}
	if _, err := os.Stat(ref.Trace); err != nil {
		return ref, fmt.Errorf("no trace %s", ref.Trace)
	}
	return ref, nil
}

// startDiff computes the diff of a and b in the background and shows it.
func (u *UI) startDiff(a, b replay.SessionRef) {
	if u.diffing != nil {
		u.diffing.cancel()
	}
	ctx, cancel := context.WithCancel(context.Background())
	run := &diffRun{cancel: cancel}
	u.diffing = run
	u.flash("diff: comparing %s with %s…", refName(a), refName(b))
	go func() {
		select {
		case <-u.done:
			cancel()
		case <-ctx.Done():
		}
	}()
	go func() {
		defer cancel()
		res, err := replay.Diff(ctx, a, b, nil)
		u.app.QueueUpdateDraw(func() {
			if u.diffing != run {
				return // replaced by a newer diff
			}
			u.diffing = nil
			if err != nil {
				u.flash("diff: %v", err)
				return
			}
			u.diff = u.newDiffView(res)
			u.showDiff()
			u.flash("diff: %s", diffSummary(res))
		})
	}()
}

// showDiff brings the last diff to the front.
func (u *UI) showDiff() {
	u.pages.AddPage(diffPage, u.diff.root, true, true)
	u.app.SetFocus(u.diff.list)
}

// diffSummary counts as `mapiscope diff` does.
func diffSummary(d *replay.DiffResult) string {
	s := d.Summary
	out := fmt.Sprintf("%d same, %d changed, %d removed (A only), %d inserted (B only)", s.Same, s.Different, s.Missing, s.Extra)
	if len(d.State) > 0 {
		out += fmt.Sprintf("; %d ICS state changes", len(d.State))
	}
	return out
}

// refName shortens a session reference to the trace's file name.
func refName(r replay.SessionRef) string {
	r.Trace = filepath.Base(r.Trace)
	return r.String()
}

// sameFile reports whether two paths name one file.
func sameFile(p, q string) bool {
	a, err := os.Stat(p)
	if err != nil {
		return false
	}
	b, err := os.Stat(q)
	return err == nil && os.SameFile(a, b)
}

// opMarks are the diff's one-character marks, as `mapiscope diff` prints them.
var opMarks = map[string]string{replay.OpSame: " ", replay.OpChanged: "~", replay.OpRemoved: "-", replay.OpInserted: "+"}

// kindStyle colours an operation by kind: changed as a warning, removed as
// an error, inserted green (underlined in monochrome).
func (u *UI) kindStyle(kind string) tcell.Style {
	switch kind {
	case replay.OpChanged:
		return u.th.warn
	case replay.OpRemoved:
		return u.th.err
	case replay.OpInserted:
		if u.th.mono {
			return tcell.StyleDefault.Underline(true)
		}
		return tcell.StyleDefault.Foreground(tcell.ColorGreen)
	}
	return u.th.normal
}

// shortRef is "EXCHANGE:POSITION", or the exchange alone for requests
// without ROPs.
func shortRef(exchange int64, index int) string {
	if index < 0 {
		return strconv.FormatInt(exchange, 10)
	}
	return fmt.Sprintf("%d:%d", exchange, index)
}

func (u *UI) newDiffView(res *replay.DiffResult) *diffView {
	dv := &diffView{res: res, state: map[replay.RopRef][]replay.StateChange{},
		openA: sameFile(res.A.Trace, u.t.Path), openB: sameFile(res.B.Trace, u.t.Path)}
	for _, c := range res.State {
		dv.state[c.Rop] = append(dv.state[c.Rop], c)
	}
	dv.list = tview.NewTable().SetSelectable(true, false).SetFixed(1, 0).SetSelectedStyle(u.th.selected)
	dv.list.SetBorder(true).SetTitle(tview.Escape(fmt.Sprintf(" diff: %s ", diffSummary(res))))
	for c, h := range []string{"", "EX:ROP", "A " + refName(res.A), "", "EX:ROP", "B " + refName(res.B), ""} {
		dv.list.SetCell(0, c, tview.NewTableCell(tview.Escape(h)).SetStyle(u.th.header).SetSelectable(false))
	}
	side := func(row, col int, r *replay.RopRef, st tcell.Style) {
		if r == nil {
			dv.list.SetCell(row, col, tview.NewTableCell(""))
			dv.list.SetCell(row, col+1, tview.NewTableCell("").SetExpansion(1))
			return
		}
		dv.list.SetCell(row, col, tview.NewTableCell(shortRef(r.Exchange, r.Index)).SetStyle(u.th.dim))
		dv.list.SetCell(row, col+1, tview.NewTableCell(tview.Escape(r.Rop)).SetStyle(st).SetExpansion(1))
	}
	for i := range res.Ops {
		op := &res.Ops[i]
		st := u.kindStyle(op.Kind)
		dv.list.SetCell(i+1, 0, tview.NewTableCell(opMarks[op.Kind]).SetStyle(st))
		side(i+1, 1, op.A, st)
		dv.list.SetCell(i+1, 3, tview.NewTableCell("│").SetStyle(u.th.dim))
		side(i+1, 4, op.B, st)
		note := ""
		if n := len(op.Diffs); n > 0 {
			note = fmt.Sprintf("%d field", n)
			if n > 1 {
				note += "s"
			}
		}
		if n := len(dv.state[opRef(op)]); n > 0 {
			note = strings.TrimSpace(note + fmt.Sprintf(" %d state", n))
		}
		dv.list.SetCell(i+1, 6, tview.NewTableCell(note).SetStyle(u.th.dim))
	}
	if len(res.Ops) == 0 {
		dv.list.SetCell(1, 2, tview.NewTableCell("no operations on either side").SetSelectable(false))
	}
	dv.text = tview.NewTextView().SetDynamicColors(true).SetWrap(false)
	dv.text.SetBorder(true).SetTitle(" differences (A → B) ")
	dv.status = tview.NewTextView().SetDynamicColors(true)
	u.viewStatus(dv.status, diffHints, "")
	dv.list.SetSelectionChangedFunc(func(row, _ int) { u.showDiffOp(dv, row-1) })
	dv.root = tview.NewFlex().SetDirection(tview.FlexRow).
		AddItem(dv.list, 0, 3, true).AddItem(dv.text, 0, 2, false).AddItem(dv.status, 1, 0, false)
	if len(res.Ops) > 0 {
		dv.list.Select(1, 0)
		u.showDiffOp(dv, 0)
	}
	return dv
}

// opRef is the reference the diff files an operation's state changes under.
func opRef(op *replay.DiffOp) replay.RopRef {
	switch {
	case op.B != nil:
		return *op.B
	case op.A != nil:
		return *op.A
	}
	return replay.RopRef{}
}

// viewStatus sets a view's bottom line: msg, then the view's keys.
func (u *UI) viewStatus(tv *tview.TextView, hints, msg string) {
	if msg != "" {
		msg = tview.Escape(msg) + "   "
	}
	tv.SetText(msg + u.th.tag("yellow") + tview.Escape(hints) + u.th.tag("-"))
}

// showDiffOp fills the detail pane with operation i.
func (u *UI) showDiffOp(dv *diffView, i int) {
	if i < 0 || i >= len(dv.res.Ops) {
		return
	}
	op := &dv.res.Ops[i]
	var b strings.Builder
	what := map[string]string{replay.OpSame: "the same in A and B after normalisation", replay.OpChanged: "changed",
		replay.OpRemoved: "only in A", replay.OpInserted: "only in B"}[op.Kind]
	fmt.Fprintf(&b, "%s%s %s%s  %s\n", u.th.tag("yellow"), opMarks[op.Kind], tview.Escape(op.Rop()), u.th.tag("-"), what)
	for _, s := range []struct {
		name string
		r    *replay.RopRef
	}{{"A", op.A}, {"B", op.B}} {
		if s.r != nil {
			fmt.Fprintf(&b, "  %s  %s  %s\n", s.name, s.r, tview.Escape(s.r.Rop))
		}
	}
	if len(op.Diffs) > 0 {
		b.WriteString("\n")
		for _, d := range op.Diffs {
			fmt.Fprintf(&b, "  %s%s%s: %s %s→%s %s\n", u.th.tag("aqua"), tview.Escape(d.Path), u.th.tag("-"),
				tview.Escape(d.Recorded), u.th.tag("yellow"), u.th.tag("-"), tview.Escape(d.Live))
		}
	}
	if cs := dv.state[opRef(op)]; len(cs) > 0 {
		fmt.Fprintf(&b, "\n%sICS state%s\n", u.th.tag("aqua"), u.th.tag("-"))
		for _, c := range cs {
			fmt.Fprintf(&b, "  %s\n", tview.Escape(c.String()))
		}
	}
	if r := dv.target(op); r != nil {
		fmt.Fprintf(&b, "\n%senter: show exchange %d in the main view%s\n", u.th.tag("gray"), r.Exchange, u.th.tag("-"))
	}
	dv.text.SetText(b.String()).ScrollToBeginning()
}

// target is the side of op that enter shows: A's when A is of the open
// trace, else B's when B is.
func (dv *diffView) target(op *replay.DiffOp) *replay.RopRef {
	switch {
	case op.A != nil && dv.openA:
		return op.A
	case op.B != nil && dv.openB:
		return op.B
	}
	return nil
}

// nextDiff moves to the next (dir 1) or previous (dir -1) operation that
// is not the same on both sides.
func (u *UI) nextDiff(dv *diffView, dir int) {
	row, _ := dv.list.GetSelection()
	for i := row - 1 + dir; i >= 0 && i < len(dv.res.Ops); i += dir {
		if dv.res.Ops[i].Kind != replay.OpSame {
			dv.list.Select(i+1, 0)
			u.viewStatus(dv.status, diffHints, "")
			return
		}
	}
	u.viewStatus(dv.status, diffHints, "no more differences")
}

// diffKey handles keys while the diff view is in front.
func (u *UI) diffKey(ev *tcell.EventKey) *tcell.EventKey {
	dv := u.diff
	if dv == nil {
		u.pages.RemovePage(diffPage)
		return nil
	}
	focus := u.app.GetFocus()
	switch {
	case ev.Key() == tcell.KeyEsc || ev.Rune() == 'q':
		if focus != dv.list {
			u.app.SetFocus(dv.list)
			return nil
		}
		u.pages.RemovePage(diffPage)
		u.app.SetFocus(u.ex)
		return nil
	case ev.Key() == tcell.KeyTab || ev.Key() == tcell.KeyBacktab:
		if focus == dv.list {
			u.app.SetFocus(dv.text)
		} else {
			u.app.SetFocus(dv.list)
		}
		return nil
	case ev.Key() == tcell.KeyEnter:
		row, _ := dv.list.GetSelection()
		if row < 1 || row > len(dv.res.Ops) {
			return nil
		}
		op := &dv.res.Ops[row-1]
		r := dv.target(op)
		if r == nil {
			u.viewStatus(dv.status, diffHints, op.Rop()+" is not in the open trace")
			return nil
		}
		u.pages.RemovePage(diffPage)
		if u.gotoRop(r.Exchange, r.Index) {
			u.flash("diff: %s %s", r, r.Rop)
		}
		return nil
	case ev.Rune() == 'n':
		u.nextDiff(dv, 1)
		return nil
	case ev.Rune() == 'N':
		u.nextDiff(dv, -1)
		return nil
	case ev.Key() == tcell.KeyCtrlC:
		u.app.Stop()
		return nil
	}
	return pageKeys(ev)
}

// pageKeys turns ctrl-d/ctrl-u into the page keys tables and text views know.
func pageKeys(ev *tcell.EventKey) *tcell.EventKey {
	switch ev.Key() {
	case tcell.KeyCtrlD:
		return tcell.NewEventKey(tcell.KeyPgDn, 0, tcell.ModNone)
	case tcell.KeyCtrlU:
		return tcell.NewEventKey(tcell.KeyPgUp, 0, tcell.ModNone)
	}
	return ev
}

// gotoRop shows an exchange in the main view and, for position ≥ 0, its
// ROP at that position in the decoded tree. A filter or session that hides
// the exchange is cleared.
func (u *UI) gotoRop(exchange int64, position int) bool {
	return u.gotoExchange(exchange, func(l ropLine) bool { return position >= 0 && l.position == position })
}

// gotoExchange shows an exchange in the main view (clearing the session
// and filter when they hide it) and selects its first ROP line that
// pick accepts; false when the exchange is not in the trace.
func (u *UI) gotoExchange(exchange int64, pick func(ropLine) bool) bool {
	at := func() bool {
		if !u.ex.Goto(exchange) {
			return false
		}
		cur := u.ex.Current()
		return cur != nil && cur.ID == exchange
	}
	if !at() {
		u.session = 0
		u.loadSessions()
		u.applyFilter("")
		if !at() {
			u.flash("exchange %d is not in the trace", exchange)
			u.app.SetFocus(u.ex)
			return false
		}
	}
	u.onExchange(u.ex.Current())
	u.app.SetFocus(u.ex)
	for i, l := range u.ropIDs {
		if pick(l) {
			u.rops.Select(i+1, 0)
			u.focusRop()
			break
		}
	}
	return true
}

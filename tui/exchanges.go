package tui

import (
	"fmt"
	"slices"
	"strings"

	"github.com/gdamore/tcell/v2"
	"github.com/rivo/tview"

	"github.com/mapiscope/mapiscope/trace"
)

// Window sizes of the exchange list: it holds at most maxWindow rows
// around the cursor and fetches pageSize more through keyset paging
// (Page.After) when the cursor nears an end, so a trace of millions of
// exchanges is never loaded whole.
const (
	pageSize  = 100
	maxWindow = 300
)

// exList is the exchanges pane: a table over a window of the rows that
// match cond.
type exList struct {
	*tview.Table
	t                *trace.Trace
	th               *theme
	cond             string
	args             []any
	rows             []trace.ExchangeRow
	atStart, atEnd   bool
	onSelect         func(r *trace.ExchangeRow)
	err              error
	suppressCallback bool
}

func newExList(t *trace.Trace, th *theme) *exList {
	l := &exList{Table: tview.NewTable(), t: t, th: th}
	l.SetSelectable(true, false).SetFixed(1, 0).SetSelectedStyle(th.selected)
	l.SetBorder(true).SetTitle(" exchanges ")
	l.SetSelectionChangedFunc(func(row, _ int) {
		if l.suppressCallback || l.onSelect == nil {
			return
		}
		if r := l.Current(); r != nil {
			l.onSelect(r)
		}
	})
	return l
}

// fetch runs one page query with the list's condition and extra terms.
func (l *exList) fetch(extra string, extraArgs []any, p trace.Page) []trace.ExchangeRow {
	cond, args := l.cond, slices.Clone(l.args)
	if extra != "" {
		if cond != "" {
			cond = "(" + cond + ") AND "
		}
		cond += extra
		args = append(args, extraArgs...)
	}
	rows, err := l.t.Exchanges(cond, args, p)
	if err != nil {
		l.err = err
		return nil
	}
	return rows
}

func reversed(r []trace.ExchangeRow) []trace.ExchangeRow {
	slices.Reverse(r)
	return r
}

// SetCond sets the condition (over `exchanges e`) and shows its first rows.
func (l *exList) SetCond(cond string, args []any) {
	l.cond, l.args, l.err = cond, args, nil
	l.First()
}

// First shows the first rows.
func (l *exList) First() {
	l.rows = l.fetch("", nil, trace.Page{Limit: 2 * pageSize})
	l.atStart, l.atEnd = true, len(l.rows) < 2*pageSize
	l.render(0)
}

// Last shows the last rows with the cursor on the last.
func (l *exList) Last() {
	l.rows = reversed(l.fetch("", nil, trace.Page{Limit: 2 * pageSize, Desc: true}))
	l.atEnd, l.atStart = true, len(l.rows) < 2*pageSize
	l.render(len(l.rows) - 1)
}

// Goto shows the rows around exchange id with the cursor on it (or on the
// nearest following match); false when nothing is there.
func (l *exList) Goto(id int64) bool {
	before := reversed(l.fetch("e.id < ?", []any{id}, trace.Page{Limit: pageSize, Desc: true}))
	after := l.fetch("e.id >= ?", []any{id}, trace.Page{Limit: pageSize})
	if len(after) == 0 {
		return false
	}
	l.rows = append(before, after...)
	l.atStart, l.atEnd = len(before) < pageSize, len(after) < pageSize
	l.render(len(before))
	return true
}

// extendDown fetches the page after the window; it returns how many rows
// were dropped at the front.
func (l *exList) extendDown() (dropped int, ok bool) {
	if l.atEnd || len(l.rows) == 0 {
		return 0, false
	}
	more := l.fetch("", nil, trace.Page{After: l.rows[len(l.rows)-1].ID, Limit: pageSize})
	if len(more) < pageSize {
		l.atEnd = true
	}
	if len(more) == 0 {
		return 0, false
	}
	l.rows = append(l.rows, more...)
	if over := len(l.rows) - maxWindow; over > 0 {
		l.rows = l.rows[over:]
		l.atStart = false
		dropped = over
	}
	return dropped, true
}

// extendUp fetches the page before the window; it returns how many rows
// were added at the front.
func (l *exList) extendUp() (added int, ok bool) {
	if l.atStart || len(l.rows) == 0 {
		return 0, false
	}
	more := reversed(l.fetch("", nil, trace.Page{After: l.rows[0].ID, Limit: pageSize, Desc: true}))
	if len(more) < pageSize {
		l.atStart = true
	}
	if len(more) == 0 {
		return 0, false
	}
	l.rows = append(more, l.rows...)
	if over := len(l.rows) - maxWindow; over > 0 {
		l.rows = l.rows[:len(l.rows)-over]
		l.atEnd = false
	}
	return len(more), true
}

// Refresh fetches rows added after the window's end (live mode); it
// returns true when some were.
func (l *exList) Refresh() bool {
	if len(l.rows) == 0 {
		l.First()
		return len(l.rows) > 0
	}
	if !l.atEnd {
		return false
	}
	sel := l.index()
	l.atEnd = false
	dropped, ok := l.extendDown()
	if ok {
		l.render(sel - dropped)
	}
	return ok
}

// Move moves the cursor by delta rows, fetching pages as needed.
func (l *exList) Move(delta int) {
	target := l.index() + delta
	for target > len(l.rows)-1-pageSize/4 && !l.atEnd {
		d, ok := l.extendDown()
		if !ok {
			break
		}
		target -= d
	}
	for target < pageSize/4 && !l.atStart {
		a, ok := l.extendUp()
		if !ok {
			break
		}
		target += a
	}
	l.render(max(0, min(target, len(l.rows)-1)))
}

// index is the cursor's position in rows.
func (l *exList) index() int {
	r, _ := l.GetSelection()
	return r - 1
}

// Current returns the exchange under the cursor.
func (l *exList) Current() *trace.ExchangeRow {
	i := l.index()
	if i < 0 || i >= len(l.rows) {
		return nil
	}
	return &l.rows[i]
}

// Replace updates one row (after a mark or comment).
func (l *exList) Replace(r trace.ExchangeRow) {
	for i := range l.rows {
		if l.rows[i].ID == r.ID {
			l.rows[i] = r
			l.render(l.index())
			return
		}
	}
}

var exHeaders = []string{"ID", "", "TIME", "SID", "TYPE", "HTTP", "XRC", "MS", "SIZE", "ROPS"}

func (l *exList) render(sel int) {
	l.suppressCallback = true
	l.Clear()
	for c, h := range exHeaders {
		l.SetCell(0, c, tview.NewTableCell(h).SetStyle(l.th.header).SetSelectable(false))
	}
	for i := range l.rows {
		r := &l.rows[i]
		flag := ""
		if r.Mark != "" {
			flag += "★"
		}
		if r.Comment != "" {
			flag += "✎"
		}
		if r.Anomalies > 0 || r.Error != "" || r.Partial {
			flag += "⚠"
		}
		tm, sid, xrc, ms := "-", "-", "-", "-"
		if r.Started != nil {
			tm = r.Started.Format("15:04:05.000")
		}
		if r.Session != nil {
			sid = fmt.Sprint(*r.Session)
		}
		if r.XResponseCode != nil {
			xrc = fmt.Sprint(*r.XResponseCode)
		}
		if r.DurationMs != nil {
			ms = fmt.Sprintf("%.1f", *r.DurationMs)
		}
		typ := r.RequestType
		if typ == "" {
			typ = r.Method + " " + shortURL(r.URL, 30)
		}
		sum := r.RopSummary
		if r.Errors > 0 {
			sum += fmt.Sprintf("  [%d failed]", r.Errors)
		}
		if r.Error != "" {
			sum += "  [" + r.Error + "]"
		}
		cells := []string{fmt.Sprint(r.ID), flag, tm, sid, typ, fmt.Sprint(r.HTTPStatus), xrc, ms, fmt.Sprintf("%d/%d", r.ReqSize, r.RespSize), sum}
		for c, s := range cells {
			cell := tview.NewTableCell(tview.Escape(s)).SetStyle(l.th.normal)
			switch {
			case c == 1 && strings.Contains(s, "⚠"):
				cell.SetStyle(l.th.warn)
			case c == 5 && r.HTTPStatus != 200:
				cell.SetStyle(l.th.err)
			case c == 6 && r.XResponseCode != nil && *r.XResponseCode != 0:
				cell.SetStyle(l.th.err)
			case c == 9 && r.Errors > 0:
				cell.SetStyle(l.th.err)
			}
			if c == 9 {
				cell.SetExpansion(1)
			}
			l.SetCell(i+1, c, cell)
		}
	}
	l.suppressCallback = false
	if len(l.rows) == 0 {
		l.SetCell(1, 0, tview.NewTableCell("(no exchanges)").SetSelectable(false))
		return
	}
	prev := l.index()
	l.Select(sel+1, 0)
	if prev == sel && l.onSelect != nil {
		// Select does not report an unchanged row, but the rows changed.
		if r := l.Current(); r != nil {
			l.onSelect(r)
		}
	}
}

func shortURL(u string, n int) string {
	if len([]rune(u)) > n {
		return string([]rune(u)[:n-1]) + "…"
	}
	return u
}

// handleKey moves the cursor for the movement keys; false for others.
func (l *exList) handleKey(ev *tcell.EventKey) bool {
	_, _, _, h := l.GetInnerRect()
	half := max(1, (h-1)/2)
	switch ev.Key() {
	case tcell.KeyDown:
		l.Move(1)
	case tcell.KeyUp:
		l.Move(-1)
	case tcell.KeyCtrlD:
		l.Move(half)
	case tcell.KeyCtrlU:
		l.Move(-half)
	case tcell.KeyPgDn, tcell.KeyCtrlF:
		l.Move(2 * half)
	case tcell.KeyPgUp, tcell.KeyCtrlB:
		l.Move(-2 * half)
	case tcell.KeyHome:
		l.First()
	case tcell.KeyEnd:
		l.Last()
	case tcell.KeyRune:
		switch ev.Rune() {
		case 'j':
			l.Move(1)
		case 'k':
			l.Move(-1)
		case 'g':
			l.First()
		case 'G':
			l.Last()
		default:
			return false
		}
	default:
		return false
	}
	return true
}

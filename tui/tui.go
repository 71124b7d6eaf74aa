// Package tui is mapiscope's terminal UI: browse, search and inspect a
// trace. Sessions, exchanges, the ROPs of the selected exchange and a
// detail pane (decoded tree linked to a hex view, raw HTTP, chunk timing,
// server objects, anomalies), with the focus and key conventions of k9s
// and lazygit. Every list pages through indexed SQL, so traces of
// millions of exchanges open at once; a trace being written shows its new
// rows as they come (live mode).
package tui

import (
	"database/sql"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/gdamore/tcell/v2"
	"github.com/rivo/tview"

	"github.com/mapiscope/mapiscope/decode/prop"
	"github.com/mapiscope/mapiscope/decode/wire"
	"github.com/mapiscope/mapiscope/trace"
	"github.com/mapiscope/mapiscope/trace/filter"
)

// Options configure the UI.
type Options struct {
	// Follow keeps the cursor on the newest exchange as the trace grows.
	Follow bool
	// Filter is an initial filter expression.
	Filter string
	// Screen, when set, is drawn on instead of the terminal (tests use a
	// tcell.SimulationScreen).
	Screen tcell.Screen
	// Poll is how often live mode looks for new rows (0: 500 ms; <0: never).
	Poll time.Duration
}

// Run opens the trace at path read-only and runs the UI until the user quits.
func Run(path string, opts Options) error {
	t, err := trace.Open(path)
	if err != nil {
		return err
	}
	defer t.Close()
	ui, err := New(t, opts)
	if err != nil {
		return err
	}
	defer ui.Close()
	return ui.Run()
}

// UI is a running terminal UI over one trace.
type UI struct {
	app    *tview.Application
	screen tcell.Screen
	t      *trace.Trace
	w      *trace.Trace // writable handle for marks and comments, opened when first needed
	opts   Options
	th     theme

	pages    *tview.Pages
	sessions *tview.Table
	ex       *exList
	rops     *tview.Table
	tabs     *tview.TextView
	detail   *tview.Pages
	tree     *tview.TreeView
	hex      *HexView
	httpView *tview.TextView
	timing   *tview.TextView
	objects  *tview.TextView
	anoms    *tview.TextView
	input    *tview.InputField
	status   *tview.TextView
	hints    *tview.TextView
	bottom   *tview.Flex

	sessionIDs []int64 // rows of the sessions pane (0: all)
	session    int64   // the session the exchanges are restricted to (0: all)
	filterExpr string
	search     string // the last filter applied: n/N look for it once the filter is cleared
	inputMode  string // "", "filter", "command", "comment"
	tab        int
	follow     bool
	message    string

	ropIDs   []ropLine
	decoded  *trace.Decoded
	treeOf   map[*wire.Node]*tview.TreeNode
	linking  bool
	curEx    int64
	countGen int
	maxID    int64
	findings *findingsView // the last doctor run (findings.go)
	diff     *diffView     // the last :diff (diffview.go)
	diffing  *diffRun      // the :diff being computed
	replays  *replayView   // the last :replay (replayview.go)

	mu     sync.Mutex
	done   chan struct{}
	closed bool
}

type ropLine struct {
	id       int64
	position int
	name     string
	summary  string
}

// panes in focus order.
func (u *UI) panes() []tview.Primitive {
	p := []tview.Primitive{u.sessions, u.ex, u.rops}
	switch u.tab {
	case 0:
		p = append(p, u.tree, u.hex)
	default:
		p = append(p, u.detailView())
	}
	return p
}

var tabNames = []string{"Decoded", "HTTP", "Timing", "Objects", "Anomalies"}

// New builds the UI over an open trace.
func New(t *trace.Trace, opts Options) (*UI, error) {
	u := &UI{t: t, opts: opts, th: newTheme(), app: tview.NewApplication(), follow: opts.Follow, done: make(chan struct{})}
	scr := opts.Screen
	if scr == nil {
		var err error
		if scr, err = tcell.NewScreen(); err != nil {
			return nil, err
		}
	}
	u.screen = scr
	u.app.SetScreen(scr).EnableMouse(true)

	u.sessions = tview.NewTable().SetSelectable(true, false).SetSelectedStyle(u.th.selected)
	u.sessions.SetBorder(true).SetTitle(" sessions ")
	u.ex = newExList(t, &u.th)
	u.ex.onSelect = u.onExchange
	u.rops = tview.NewTable().SetSelectable(true, false).SetFixed(1, 0).SetSelectedStyle(u.th.selected)
	u.rops.SetBorder(true).SetTitle(" ROPs ")
	u.tree = tview.NewTreeView()
	u.tree.SetBorder(true).SetTitle(" decoded ")
	u.tree.SetChangedFunc(u.onTreeNode)
	u.tree.SetSelectedFunc(func(n *tview.TreeNode) { n.SetExpanded(!n.IsExpanded()) })
	u.hex = newHexView(&u.th)
	u.hex.OnCursor = u.onHexCursor
	text := func(title string) *tview.TextView {
		v := tview.NewTextView().SetDynamicColors(true).SetWrap(false)
		v.SetBorder(true).SetTitle(" " + title + " ")
		return v
	}
	u.httpView, u.timing, u.objects, u.anoms = text("raw HTTP"), text("timing"), text("objects"), text("anomalies")
	u.tabs = tview.NewTextView().SetDynamicColors(true).SetRegions(true)
	u.detail = tview.NewPages().
		AddPage("0", tview.NewFlex().AddItem(u.tree, 0, 1, false).AddItem(u.hex, 78, 0, false), true, true).
		AddPage("1", u.httpView, true, false).AddPage("2", u.timing, true, false).
		AddPage("3", u.objects, true, false).AddPage("4", u.anoms, true, false)
	u.input = tview.NewInputField().SetFieldStyle(u.th.normal.Underline(true)).SetLabelStyle(u.th.header)
	u.input.SetChangedFunc(u.onInputChanged).SetDoneFunc(u.onInputDone)
	u.input.SetAutocompleteFunc(u.complete)
	u.input.SetAutocompletedFunc(func(text string, _, source int) bool {
		if source != tview.AutocompletedNavigate {
			u.input.SetText(text)
		}
		return source == tview.AutocompletedEnter || source == tview.AutocompletedClick
	})
	u.status = tview.NewTextView().SetDynamicColors(true)
	u.hints = tview.NewTextView().SetDynamicColors(true)

	top := tview.NewFlex().AddItem(u.sessions, 34, 0, false).AddItem(u.ex, 0, 1, true)
	u.bottom = tview.NewFlex().SetDirection(tview.FlexRow)
	main := tview.NewFlex().SetDirection(tview.FlexRow).
		AddItem(top, 0, 3, true).
		AddItem(u.rops, 0, 2, false).
		AddItem(u.tabs, 1, 0, false).
		AddItem(u.detail, 0, 4, false).
		AddItem(u.bottom, 2, 0, false)
	u.pages = tview.NewPages().AddPage("main", main, true, true)
	u.app.SetRoot(u.pages, true).SetFocus(u.ex)
	u.app.SetInputCapture(u.onKey)
	u.app.SetAfterDrawFunc(func(tcell.Screen) {})
	u.ex.SetFocusFunc(u.updateHints)
	for _, p := range []interface {
		SetFocusFunc(func()) *tview.Box
	}{u.sessions, u.rops, u.tree, u.hex, u.httpView, u.timing, u.objects, u.anoms} {
		p.SetFocusFunc(u.updateHints)
	}
	u.showBottom(false)
	u.setTab(0)

	u.loadSessions()
	u.sessions.SetSelectedFunc(func(row, _ int) {
		if row >= 0 && row < len(u.sessionIDs) {
			u.session = u.sessionIDs[row]
			u.applyFilter(u.filterExpr)
			u.app.SetFocus(u.ex)
		}
	})
	if err := u.applyFilter(opts.Filter); err != nil {
		return nil, err
	}
	if u.follow {
		u.ex.Last()
	}
	u.t.DB.QueryRow(`SELECT coalesce(max(id), 0) FROM exchanges`).Scan(&u.maxID)
	u.updateHints()
	return u, nil
}

// Run runs the event loop (and live mode) until the user quits.
func (u *UI) Run() error {
	if u.opts.Poll >= 0 {
		go u.poll()
	}
	return u.app.Run()
}

// Stop ends Run.
func (u *UI) Stop() { u.app.Stop() }

// Close stops live mode and closes the writable handle.
func (u *UI) Close() {
	u.mu.Lock()
	defer u.mu.Unlock()
	if !u.closed {
		u.closed = true
		close(u.done)
	}
	if u.w != nil {
		u.w.Close()
		u.w = nil
	}
}

// ---- sessions ----

func (u *UI) loadSessions() {
	rows, err := u.t.Sessions("", nil, trace.Page{Limit: 1000})
	if err != nil {
		u.flash("sessions: %v", err)
		return
	}
	u.sessions.Clear()
	u.sessionIDs = []int64{0}
	u.sessions.SetCell(0, 0, tview.NewTableCell("all sessions").SetExpansion(1))
	sel := 0
	for i, s := range rows {
		who := s.User
		if who == "" {
			who = s.MailboxID
		}
		label := fmt.Sprintf("%d %s %s", s.ID, s.Endpoint, who)
		cell := tview.NewTableCell(tview.Escape(shortURL(label, 24)))
		u.sessions.SetCell(i+1, 0, cell)
		n := tview.NewTableCell(fmt.Sprintf("%d", s.Exchanges)).SetAlign(tview.AlignRight)
		if s.Errors > 0 {
			n.SetText(fmt.Sprintf("%d ✗%d", s.Exchanges, s.Errors)).SetStyle(u.th.err)
		}
		u.sessions.SetCell(i+1, 1, n)
		u.sessionIDs = append(u.sessionIDs, s.ID)
		if s.ID == u.session {
			sel = i + 1
		}
	}
	u.sessions.Select(sel, 0)
}

// ---- filter ----

// applyFilter restricts the exchanges to expr (and the chosen session).
func (u *UI) applyFilter(expr string) error {
	f, err := filter.Parse(expr)
	if err != nil {
		return err
	}
	u.filterExpr = strings.TrimSpace(expr)
	if u.filterExpr != "" {
		u.search = u.filterExpr
	}
	cond, args := u.cond(f)
	u.ex.SetCond(cond, args)
	if u.ex.err != nil {
		u.flash("%v", u.ex.err)
	}
	u.countLater()
	return nil
}

func (u *UI) cond(f *filter.Filter) (string, []any) {
	cond, args := f.ExchangeWhere()
	if u.session != 0 {
		cond = "(" + cond + ") AND e.session_id = ?"
		args = append(args, u.session)
	}
	return cond, args
}

// countLater counts the matching exchanges in the background and shows
// the total in the pane's title when known.
func (u *UI) countLater() {
	u.countGen++
	gen := u.countGen
	cond, args := u.ex.cond, u.ex.args
	u.setExTitle("…")
	go func() {
		var n int64
		err := u.t.DB.QueryRow(`SELECT count(*) FROM exchanges e WHERE `+cond, args...).Scan(&n)
		u.app.QueueUpdateDraw(func() {
			if gen != u.countGen {
				return
			}
			if err != nil {
				u.setExTitle("?")
				return
			}
			u.setExTitle(fmt.Sprint(n))
		})
	}()
}

func (u *UI) setExTitle(total string) {
	t := " exchanges (" + total + ")"
	if u.session != 0 {
		t += fmt.Sprintf(" session %d", u.session)
	}
	if u.filterExpr != "" {
		t += " / " + u.filterExpr
	}
	if u.follow {
		t += " [following]"
	}
	u.ex.SetTitle(tview.Escape(t + " "))
}

// jump moves to the next (dir 1) or previous (dir -1) exchange matching
// the last search, in the list as currently shown.
func (u *UI) jump(dir int) {
	if u.search == "" {
		u.flash("no search yet: / sets one")
		return
	}
	f, err := filter.Parse(u.search)
	if err != nil {
		return
	}
	cur := u.ex.Current()
	if cur == nil {
		return
	}
	sc, sargs := f.ExchangeWhere()
	cond := "(" + sc + ") AND (" + u.ex.cond + ")"
	args := append(append([]any{}, sargs...), u.ex.args...)
	op, order := ">", "ASC"
	if dir < 0 {
		op, order = "<", "DESC"
	}
	var id int64
	err = u.t.DB.QueryRow(`SELECT e.id FROM exchanges e WHERE `+cond+` AND e.id `+op+` ? ORDER BY e.id `+order+` LIMIT 1`,
		append(args, cur.ID)...).Scan(&id)
	if err != nil {
		u.flash("no more matches of %s", u.search)
		return
	}
	u.ex.Goto(id)
	u.flash("match: exchange %d", id)
}

// ---- selection ----

func (u *UI) onExchange(r *trace.ExchangeRow) {
	if r.ID == u.curEx {
		return
	}
	u.curEx = r.ID
	u.loadRops(r.ID)
	u.loadDetail(r)
}

func (u *UI) loadRops(id int64) {
	u.rops.Clear()
	u.ropIDs = nil
	for c, h := range []string{"#", "ROP", "RESULT", "HANDLES", "OBJECT"} {
		u.rops.SetCell(0, c, tview.NewTableCell(h).SetStyle(u.th.header).SetSelectable(false))
	}
	rows, err := u.t.DB.Query(`SELECT r.id, r.position, r.name, r.return_value, r.input_handle, r.output_handle,
		coalesce(i.name, ''), coalesce(o.name, ''), coalesce(r.summary, '')
		FROM rops r LEFT JOIN objects i ON i.id = r.input_object LEFT JOIN objects o ON o.id = r.output_object
		WHERE r.exchange_id = ? ORDER BY r.position LIMIT 2000`, id)
	if err != nil {
		u.flash("ROPs: %v", err)
		return
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var l ropLine
		var rv, ih, oh sql.NullInt64
		var in, out string
		if err := rows.Scan(&l.id, &l.position, &l.name, &rv, &ih, &oh, &in, &out, &l.summary); err != nil {
			break
		}
		n++
		res, st := "(no response)", u.th.dim
		if rv.Valid {
			res, st = prop.ErrorCode(uint32(rv.Int64)).String(), u.th.normal
			if rv.Int64 != 0 {
				st = u.th.err
			}
		}
		handles := ""
		if ih.Valid {
			handles = fmt.Sprintf("0x%X", ih.Int64)
		}
		if oh.Valid {
			handles += fmt.Sprintf(" ⇒ 0x%X", oh.Int64)
		}
		obj := l.summary
		if obj == "" {
			obj = in
			if out != "" {
				obj += " ⇒ " + out
			}
		}
		u.rops.SetCell(n, 0, tview.NewTableCell(fmt.Sprint(l.position)))
		u.rops.SetCell(n, 1, tview.NewTableCell(l.name))
		rc := tview.NewTableCell(res).SetStyle(st)
		if st == u.th.err {
			rc.SetSelectedStyle(u.th.errSel)
		}
		u.rops.SetCell(n, 2, rc)
		u.rops.SetCell(n, 3, tview.NewTableCell(handles))
		u.rops.SetCell(n, 4, tview.NewTableCell(tview.Escape(obj)).SetExpansion(1))
		u.ropIDs = append(u.ropIDs, l)
	}
	u.rops.SetTitle(fmt.Sprintf(" ROPs of exchange %d (%d) ", id, n))
	if n > 0 {
		u.rops.Select(1, 0)
	}
}

// focusRop selects the request of the ROP under the cursor in the tree.
func (u *UI) focusRop() {
	row, _ := u.rops.GetSelection()
	if row < 1 || row > len(u.ropIDs) || u.decoded == nil || u.decoded.Execute == nil {
		return
	}
	pos := u.ropIDs[row-1].position
	for _, p := range u.decoded.Execute.Pairs() {
		if p.Index == pos && p.ReqNode != nil {
			if tn := u.treeOf[p.ReqNode]; tn != nil {
				u.expandTo(tn)
				tn.SetExpanded(true)
				if p.RespNode != nil {
					if rn := u.treeOf[p.RespNode]; rn != nil {
						u.expandTo(rn)
						rn.SetExpanded(true)
					}
				}
				u.setTab(0)
				u.tree.SetCurrentNode(tn)
				u.onTreeNode(tn)
				u.app.SetFocus(u.tree)
			}
			return
		}
	}
	u.setTab(0)
	u.app.SetFocus(u.tree)
}

// ---- bottom line: input, status and hints ----

func (u *UI) showBottom(input bool) {
	u.bottom.Clear()
	if input {
		u.bottom.AddItem(u.input, 1, 0, true).AddItem(u.status, 1, 0, false)
		u.app.SetFocus(u.input)
	} else {
		u.bottom.AddItem(u.status, 1, 0, false).AddItem(u.hints, 1, 0, false)
	}
}

func (u *UI) flash(format string, args ...any) {
	u.message = fmt.Sprintf(format, args...)
	u.status.SetText(tview.Escape(u.message))
}

func (u *UI) updateHints() {
	var h string
	switch u.app.GetFocus() {
	case u.sessions:
		h = "<enter> show session  <tab> next pane"
	case u.ex:
		h = "<enter> ROPs  </> filter  <n/N> next/prev match  <m> mark  <c> comment  <F> follow  <s> stats"
	case u.rops:
		h = "<enter> decoded tree  <esc> back"
	case u.tree:
		h = "<enter> fold  <tab> hex  <y> copy value  <esc> back"
	case u.hex:
		h = "<hjkl> move (selects field)  <y> copy bytes  <esc> back"
	default:
		h = "<1-5> tabs  <esc> back"
	}
	u.hints.SetText(u.th.tag("yellow") + tview.Escape(h+"  <?> help  <:> command  <q> quit") + u.th.tag("-"))
}

func (u *UI) setTab(i int) {
	u.tab = i
	u.detail.SwitchToPage(fmt.Sprint(i))
	var b strings.Builder
	for k, n := range tabNames {
		if k == i {
			fmt.Fprintf(&b, " %s[%d %s]%s ", u.th.tag("black:aqua"), k+1, n, u.th.tag("-:-"))
			if u.th.mono {
				b.Reset()
				for kk, nn := range tabNames {
					if kk == i {
						fmt.Fprintf(&b, " [::r][%d %s][::-] ", kk+1, nn)
					} else {
						fmt.Fprintf(&b, "  %d %s  ", kk+1, nn)
					}
				}
				break
			}
		} else {
			fmt.Fprintf(&b, "  %d %s  ", k+1, n)
		}
	}
	u.tabs.SetText(b.String())
}

func (u *UI) detailView() tview.Primitive {
	return []tview.Primitive{u.tree, u.httpView, u.timing, u.objects, u.anoms}[u.tab]
}

// ---- writes ----

func (u *UI) writable() (*trace.Trace, error) {
	if u.w == nil {
		w, err := trace.Create(u.t.Path)
		if err != nil {
			return nil, err
		}
		u.w = w
	}
	return u.w, nil
}

func (u *UI) reloadRow(id int64) {
	rows, err := u.t.Exchanges("e.id = ?", []any{id}, trace.Page{})
	if err == nil && len(rows) == 1 {
		u.ex.Replace(rows[0])
	}
}

func (u *UI) toggleMark() {
	r := u.ex.Current()
	if r == nil {
		return
	}
	w, err := u.writable()
	if err != nil {
		u.flash("mark: %v", err)
		return
	}
	mark := "*"
	if r.Mark != "" {
		mark = ""
	}
	id := r.ID
	if err := w.Mark(id, mark); err != nil {
		u.flash("mark: %v", err)
		return
	}
	u.reloadRow(id)
	if mark == "" {
		u.flash("exchange %d unmarked", id)
	} else {
		u.flash("exchange %d marked", id)
	}
}

func (u *UI) setComment(text string) {
	r := u.ex.Current()
	if r == nil {
		return
	}
	w, err := u.writable()
	if err != nil {
		u.flash("comment: %v", err)
		return
	}
	id := r.ID
	if err := w.Comment(id, text); err != nil {
		u.flash("comment: %v", err)
		return
	}
	u.reloadRow(id)
	u.flash("comment on exchange %d saved", id)
}

// copy puts the selected value on the clipboard (OSC 52).
func (u *UI) copy() {
	var s string
	switch u.app.GetFocus() {
	case u.tree:
		if n := u.tree.GetCurrentNode(); n != nil {
			if ref, ok := n.GetReference().(*nodeRef); ok && ref.n != nil && len(ref.n.Children) == 0 {
				s = wire.FormatValue(ref.n)
			} else {
				s = n.GetText()
			}
		}
	case u.hex:
		s = fmt.Sprintf("%x", u.hex.Selection())
	case u.rops:
		if row, _ := u.rops.GetSelection(); row >= 1 && row <= len(u.ropIDs) {
			l := u.ropIDs[row-1]
			s = fmt.Sprintf("r%d %s %s", l.id, l.name, l.summary)
		}
	default:
		if r := u.ex.Current(); r != nil {
			s = fmt.Sprintf("%d %s %s %s", r.ID, r.RequestType, r.URL, r.RopSummary)
		}
	}
	if s == "" {
		return
	}
	u.screen.SetClipboard([]byte(s))
	u.flash("copied: %s", shortURL(s, 60))
}

// ---- live mode ----

func (u *UI) poll() {
	every := u.opts.Poll
	if every == 0 {
		every = 500 * time.Millisecond
	}
	tk := time.NewTicker(every)
	defer tk.Stop()
	for {
		select {
		case <-u.done:
			return
		case <-tk.C:
		}
		var m int64
		if err := u.t.DB.QueryRow(`SELECT coalesce(max(id), 0) FROM exchanges`).Scan(&m); err != nil {
			continue
		}
		u.app.QueueUpdateDraw(func() {
			if m <= u.maxID {
				return
			}
			u.maxID = m
			u.grow()
		})
	}
}

// grow shows rows added to the trace since it was last looked at.
func (u *UI) grow() {
	if u.follow {
		u.ex.Last()
	} else {
		u.ex.Refresh()
	}
	row, _ := u.sessions.GetSelection()
	u.loadSessions()
	u.sessions.Select(row, 0)
	u.countLater()
}

func (u *UI) toggleFollow() {
	u.follow = !u.follow
	if u.follow {
		u.ex.Last()
		u.flash("following the newest exchange")
	} else {
		u.flash("follow off")
	}
	u.countLater()
}

// ---- misc ----

func (u *UI) isInput() bool { return u.inputMode != "" }

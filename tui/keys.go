package tui

import (
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"

	"github.com/gdamore/tcell/v2"
	"github.com/rivo/tview"

	"github.com/mapiscope/mapiscope/capture/har"
	"github.com/mapiscope/mapiscope/capture/saz"
	"github.com/mapiscope/mapiscope/replay"
	"github.com/mapiscope/mapiscope/trace"
	"github.com/mapiscope/mapiscope/trace/filter"
)

// Keys is the key table `?` shows (and the README lists).
var Keys = [][2]string{
	{"tab / shift-tab", "next / previous pane (sessions → exchanges → ROPs → tree → hex)"},
	{"enter", "drill in: session → its exchanges → ROPs → decoded tree; fold a tree node"},
	{"esc", "back to the previous pane; on exchanges, clear the filter first"},
	{"j k ↓ ↑", "move"},
	{"g G home end", "first / last"},
	{"ctrl-d ctrl-u", "half a page down / up (pgdn pgup, ctrl-f ctrl-b: a page)"},
	{"h l ← →", "hex view: previous / next byte (selects the field under it)"},
	{"1 … 5", "detail tabs: Decoded (tree + hex), HTTP, Timing, Objects, Anomalies"},
	{"/", "filter exchanges (live validation; enter applies, empty clears)"},
	{"n / N", "next / previous exchange matching the last filter (after esc cleared it: in the full list)"},
	{":", "command line (tab completes): export har|saz FILE, goto ID, filter EXPR, mark, comment TEXT, stats, follow, doctor, diff OTHER_TRACE[:SESSION] | diff SESSION_A SESSION_B, replay [SESSION] [--target builtin|URL], quit"},
	{"m", "toggle the mark of the exchange (stored in the trace)"},
	{"c", "comment the exchange (stored in the trace; empty clears)"},
	{"y", "copy the selected value (OSC 52)"},
	{"F", "follow the newest exchange (live traces)"},
	{"s", "statistics of the sessions"},
	{"D", "doctor: known Outlook/MAPI problems in the trace; enter on evidence goes there (:doctor reruns)"},
	{"d", "diff view: the last :diff again (none yet: the command line with diff)"},
	{"R", "replay view: the last :replay again (none yet: replays the shown session against the built-in server)"},
	{"n N enter esc", "diff and replay views: next / previous difference, go to the exchange, back (cancels a running replay)"},
	{"?", "this help"},
	{"q ctrl-c", "quit"},
}

// Commands of the command line.
var Commands = []string{"export har ", "export saz ", "goto ", "filter ", "mark", "comment ", "stats", "follow", "doctor", "diff ", "replay", "help", "quit"}

func (u *UI) onKey(ev *tcell.EventKey) *tcell.EventKey {
	if u.isInput() {
		return ev
	}
	name, _ := u.pages.GetFrontPage()
	if name == findingsPage {
		return u.findingsKey(ev)
	}
	if name == diffPage {
		return u.diffKey(ev)
	}
	if name == replayPage {
		return u.replayKey(ev)
	}
	if name != "main" {
		if ev.Key() == tcell.KeyEsc || ev.Rune() == 'q' || ev.Rune() == '?' || ev.Key() == tcell.KeyEnter {
			u.pages.RemovePage(name)
			return nil
		}
		return ev
	}
	focus := u.app.GetFocus()
	switch ev.Key() {
	case tcell.KeyTab, tcell.KeyBacktab:
		d := 1
		if ev.Key() == tcell.KeyBacktab {
			d = -1
		}
		p := u.panes()
		i := 0
		for k, x := range p {
			if x == focus {
				i = k
			}
		}
		u.app.SetFocus(p[(i+d+len(p))%len(p)])
		return nil
	case tcell.KeyEnter:
		switch focus {
		case u.ex:
			if u.rops.GetRowCount() > 1 {
				u.app.SetFocus(u.rops)
			} else {
				u.app.SetFocus(u.tree)
			}
			return nil
		case u.rops:
			u.focusRop()
			return nil
		}
		return ev
	case tcell.KeyEsc:
		switch focus {
		case u.ex:
			if u.filterExpr != "" {
				cur := u.ex.Current()
				u.applyFilter("")
				if cur != nil {
					u.ex.Goto(cur.ID)
				}
				u.flash("filter cleared; n/N jump between matches of %s", u.search)
			} else {
				u.app.SetFocus(u.sessions)
			}
		case u.rops:
			u.app.SetFocus(u.ex)
		case u.tree, u.hex, u.httpView, u.timing, u.objects, u.anoms:
			u.app.SetFocus(u.rops)
		}
		return nil
	case tcell.KeyCtrlC:
		u.app.Stop()
		return nil
	}
	if focus == u.ex && u.ex.handleKey(ev) {
		return nil
	}
	if ev.Key() == tcell.KeyCtrlD || ev.Key() == tcell.KeyCtrlU {
		// Half pages in tables and text views.
		k := tcell.KeyPgDn
		if ev.Key() == tcell.KeyCtrlU {
			k = tcell.KeyPgUp
		}
		if focus != u.hex {
			return tcell.NewEventKey(k, 0, tcell.ModNone)
		}
	}
	if ev.Key() != tcell.KeyRune {
		return ev
	}
	switch r := ev.Rune(); r {
	case 'q':
		u.app.Stop()
	case '?':
		u.showHelp()
	case '/':
		u.openInput("filter", "/", u.filterExpr)
	case ':':
		u.openInput("command", ":", "")
	case 'c':
		if cur := u.ex.Current(); cur != nil {
			u.openInput("comment", fmt.Sprintf("comment on %d: ", cur.ID), cur.Comment)
		}
	case 'n':
		u.jump(1)
	case 'N':
		u.jump(-1)
	case 'm':
		u.toggleMark()
	case 'y':
		u.copy()
	case 'F':
		u.toggleFollow()
	case 's':
		u.showStats()
	case 'D':
		u.openFindings(false)
	case 'd':
		if u.diff != nil {
			u.showDiff()
		} else {
			u.openInput("command", ":", "diff ")
		}
	case 'R':
		if u.replays != nil {
			u.showReplay()
		} else {
			u.startReplay(replay.SessionRef{Trace: u.t.Path, Session: u.session}, "builtin")
		}
	case '1', '2', '3', '4', '5':
		was := focus == u.detailView() || focus == u.hex
		u.setTab(int(r - '1'))
		if was {
			u.app.SetFocus(u.detailView())
		}
	default:
		return ev
	}
	return nil
}

// ---- the input line: filter, command, comment ----

func (u *UI) openInput(mode, label, text string) {
	u.inputMode = mode
	u.input.SetLabel(label).SetText(text)
	u.status.SetText("")
	u.showBottom(true)
	u.onInputChanged(text)
}

func (u *UI) closeInput() {
	u.inputMode = ""
	u.showBottom(false)
	u.app.SetFocus(u.ex)
	u.updateHints()
}

// onInputChanged validates a filter as it is typed: the error shows
// under the input with a caret at its column.
func (u *UI) onInputChanged(text string) {
	if u.inputMode != "filter" && !(u.inputMode == "command" && strings.HasPrefix(text, "filter ")) {
		u.status.SetText("")
		return
	}
	expr, pad := text, len([]rune(u.input.GetLabel()))
	if u.inputMode == "command" {
		expr, pad = strings.TrimPrefix(text, "filter "), pad+len("filter ")
	}
	_, err := filter.Parse(expr)
	if err == nil {
		u.status.SetText(u.th.tag("green") + "✓ valid filter" + u.th.tag("-"))
		return
	}
	col := 1
	msg := err.Error()
	if fe, ok := err.(*filter.Error); ok {
		col, msg = fe.Col, fmt.Sprintf("column %d: %s", fe.Col, fe.Msg)
	}
	u.status.SetText(strings.Repeat(" ", pad+col-1) + u.th.tag("red") + "^ " + tview.Escape(msg) + u.th.tag("-"))
}

func (u *UI) onInputDone(key tcell.Key) {
	mode, text := u.inputMode, u.input.GetText()
	if key == tcell.KeyEsc {
		u.closeInput()
		return
	}
	if key != tcell.KeyEnter {
		return
	}
	switch mode {
	case "filter":
		if err := u.applyFilter(text); err != nil {
			return // keep the input open with its error shown
		}
		u.closeInput()
		if text != "" {
			u.flash("filter: %s", text)
		}
	case "comment":
		u.closeInput()
		u.setComment(text)
	case "command":
		if strings.HasPrefix(text, "filter ") {
			if _, err := filter.Parse(strings.TrimPrefix(text, "filter ")); err != nil {
				return
			}
		}
		u.closeInput()
		u.command(text)
	}
}

func (u *UI) complete(text string) []string {
	if u.inputMode != "command" || text == "" {
		return nil
	}
	var out []string
	for _, c := range Commands {
		if strings.HasPrefix(c, text) && c != text {
			out = append(out, c)
		}
	}
	return out
}

// command runs a command-line command.
func (u *UI) command(line string) {
	f := strings.Fields(line)
	if len(f) == 0 {
		return
	}
	rest := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(line), f[0]))
	switch f[0] {
	case "q", "quit":
		u.app.Stop()
	case "goto":
		id, err := strconv.ParseInt(strings.TrimPrefix(rest, "#"), 10, 64)
		if err != nil {
			u.flash("goto: want an exchange id")
			return
		}
		if !u.ex.Goto(id) || u.ex.Current().ID != id {
			u.flash("goto: exchange %d is not in the list (clear the filter with esc)", id)
		}
	case "filter":
		if err := u.applyFilter(rest); err != nil {
			u.flash("%v", err)
		}
	case "mark":
		u.toggleMark()
	case "comment":
		u.setComment(rest)
	case "stats":
		u.showStats()
	case "follow":
		u.toggleFollow()
	case "doctor":
		u.openFindings(true)
	case "diff":
		u.diffCommand(f[1:])
	case "replay":
		u.replayCommand(f[1:])
	case "help":
		u.showHelp()
	case "export":
		if len(f) != 3 || f[1] != "har" && f[1] != "saz" {
			u.flash("usage: export har|saz FILE")
			return
		}
		n, err := u.export(f[1], f[2])
		if err != nil {
			u.flash("export: %v", err)
			return
		}
		u.flash("exported %d exchanges to %s", n, f[2])
	default:
		u.flash("unknown command %q (tab completes)", f[0])
	}
}

// export writes the exchanges of the list (filter and session) to path.
func (u *UI) export(format, path string) (int, error) {
	out, err := os.Create(path)
	if err != nil {
		return 0, err
	}
	n := 0
	type adder interface {
		Add(*trace.Exchange) error
		Close() error
	}
	var w adder
	if format == "har" {
		w = har.NewWriter(out)
	} else {
		w = saz.NewWriter(out)
	}
	err = u.t.ReadExchanges(u.ex.cond, u.ex.args, func(_ int64, ex *trace.Exchange) error { n++; return w.Add(ex) })
	if err == nil {
		err = w.Close()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
	}
	return n, err
}

// ---- overlays ----

func (u *UI) overlay(name, title, text string) {
	v := tview.NewTextView().SetDynamicColors(true).SetText(text)
	v.SetBorder(true).SetTitle(" " + title + " (esc closes) ")
	u.pages.AddPage(name, v, true, true)
	u.app.SetFocus(v)
}

func (u *UI) showHelp() {
	var b strings.Builder
	for _, k := range Keys {
		fmt.Fprintf(&b, "  %s%-16s%s %s\n", u.th.tag("yellow"), k[0], u.th.tag("-"), tview.Escape(k[1]))
	}
	b.WriteString("\n  Filter atoms: " + strings.Join(filter.Atoms, " ") + "   ! & | ( )\n")
	u.overlay("help", "help", b.String())
}

func (u *UI) showStats() {
	cond, args := "", []any(nil)
	if u.session != 0 {
		cond, args = "s.id = ?", []any{u.session}
	}
	st, err := u.t.SessionStats(cond, args)
	if err != nil {
		u.flash("stats: %v", err)
		return
	}
	u.overlay("stats", "statistics", tview.Escape(StatsText(st)))
}

// StatsText renders session statistics as `mapiscope stats` does.
func StatsText(st []trace.Stats) string {
	var b strings.Builder
	for _, s := range st {
		ss := s.Session
		fmt.Fprintf(&b, "session %d  %s  %s  %s\n", ss.ID, ss.Endpoint, dash(ss.User), dash(ss.MailboxID))
		fmt.Fprintf(&b, "  exchanges %d, ROPs %d, failed ROPs %d, anomalies %d\n", ss.Exchanges, ss.Rops, ss.Errors, ss.Anomalies)
		section := func(title string, m map[string]int) {
			if len(m) == 0 {
				return
			}
			fmt.Fprintf(&b, "  %s:\n", title)
			keys := make([]string, 0, len(m))
			for k := range m {
				keys = append(keys, k)
			}
			sort.Slice(keys, func(i, j int) bool { return m[keys[i]] > m[keys[j]] || m[keys[i]] == m[keys[j]] && keys[i] < keys[j] })
			for _, k := range keys {
				fmt.Fprintf(&b, "    %-44s %d\n", k, m[k])
			}
		}
		section("requests by type", s.RequestTypes)
		section("HTTP status", s.HTTPStatus)
		section("ROPs", s.Rops)
		section("error codes", s.ErrorCodes)
		if n := s.LatencyMs["count"]; n > 0 {
			fmt.Fprintf(&b, "  latency (ms, %d exchanges): p50 %.1f  p90 %.1f  p99 %.1f  max %.1f\n", int(n),
				s.LatencyMs["p50"], s.LatencyMs["p90"], s.LatencyMs["p99"], s.LatencyMs["max"])
			types := make([]string, 0, len(s.LatencyByType))
			for k := range s.LatencyByType {
				types = append(types, k)
			}
			sort.Strings(types)
			for _, k := range types {
				l := s.LatencyByType[k]
				fmt.Fprintf(&b, "    %-18s p50 %.1f  p90 %.1f  p99 %.1f  max %.1f  (%d)\n", k, l["p50"], l["p90"], l["p99"], l["max"], int(l["count"]))
			}
		}
	}
	if len(st) == 0 {
		b.WriteString("no sessions\n")
	}
	return b.String()
}

func dash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "-"
	}
	return s
}

package tui

import (
	"context"
	"fmt"
	"strings"

	"github.com/gdamore/tcell/v2"
	"github.com/rivo/tview"

	"github.com/mapiscope/mapiscope/doctor"
)

// The findings view shows what `mapiscope doctor` finds in the trace: the
// findings on the left (worst first), the selected one's explanation and
// fix on the right, its evidence below; enter on a piece of evidence goes
// to that exchange (and ROP) in the main view. D opens it (running the
// rules the first time, and again when the trace has grown); :doctor runs
// them again.

const findingsPage = "findings"

type findingsView struct {
	root     *tview.Flex
	list     *tview.Table
	text     *tview.TextView
	evidence *tview.Table
	fs       []doctor.Finding
	maxID    int64 // the trace's last exchange when the rules ran
}

// openFindings shows the findings, running the rules when they have not
// run yet, the trace grew since, or rerun is set.
func (u *UI) openFindings(rerun bool) {
	if fv := u.findings; fv != nil && !rerun && fv.maxID == u.maxID {
		u.pages.AddPage(findingsPage, fv.root, true, true)
		u.app.SetFocus(fv.list)
		return
	}
	u.flash("doctor: running the rules…")
	maxID := u.maxID
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		select {
		case <-u.done:
			cancel()
		case <-ctx.Done():
		}
	}()
	go func() {
		defer cancel()
		fs, err := doctor.Run(ctx, u.t, doctor.Options{MaxEvidence: -1})
		u.app.QueueUpdateDraw(func() {
			if err != nil && fs == nil {
				u.flash("doctor: %v", err)
				return
			}
			u.findings = u.newFindingsView(fs, maxID)
			u.pages.AddPage(findingsPage, u.findings.root, true, true)
			u.app.SetFocus(u.findings.list)
			if err != nil {
				u.flash("doctor: %v", err)
			} else {
				u.flash("doctor: %s", findingsSummary(fs))
			}
		})
	}()
}

func findingsSummary(fs []doctor.Finding) string {
	if len(fs) == 0 {
		return "no findings"
	}
	n := map[doctor.Severity]int{}
	for _, f := range fs {
		n[f.Severity]++
	}
	var parts []string
	for _, s := range []doctor.Severity{doctor.Error, doctor.Warning, doctor.Info} {
		if n[s] == 0 {
			continue
		}
		name := s.String()
		if n[s] > 1 && s != doctor.Info {
			name += "s"
		}
		parts = append(parts, fmt.Sprintf("%d %s", n[s], name))
	}
	return strings.Join(parts, ", ")
}

func (u *UI) newFindingsView(fs []doctor.Finding, maxID int64) *findingsView {
	fv := &findingsView{fs: fs, maxID: maxID}
	fv.list = tview.NewTable().SetSelectable(true, false).SetSelectedStyle(u.th.selected)
	fv.list.SetBorder(true).SetTitle(fmt.Sprintf(" doctor: %s ", findingsSummary(fs)))
	fv.text = tview.NewTextView().SetDynamicColors(true).SetWrap(true).SetWordWrap(true)
	fv.text.SetBorder(true).SetTitle(" what and why (enter: evidence, esc: close) ")
	fv.evidence = tview.NewTable().SetSelectable(true, false).SetSelectedStyle(u.th.selected)
	fv.evidence.SetBorder(true).SetTitle(" evidence (enter: go there, esc: back) ")
	for i, f := range fs {
		st := u.th.normal
		switch f.Severity {
		case doctor.Error:
			st = u.th.err
		case doctor.Warning:
			st = u.th.warn
		}
		fv.list.SetCell(i, 0, tview.NewTableCell(strings.ToUpper(f.Severity.String())).SetStyle(st))
		fv.list.SetCell(i, 1, tview.NewTableCell(tview.Escape(f.Title)).SetExpansion(1))
	}
	if len(fs) == 0 {
		fv.list.SetCell(0, 1, tview.NewTableCell("no findings: none of the rules matched this trace").SetSelectable(false))
		fv.text.SetText("The rules (mapiscope doctor --list) found nothing worth reporting.")
	}
	fv.list.SetSelectionChangedFunc(func(row, _ int) { u.showFinding(fv, row) })
	right := tview.NewFlex().SetDirection(tview.FlexRow).AddItem(fv.text, 0, 3, false).AddItem(fv.evidence, 0, 2, false)
	fv.root = tview.NewFlex().AddItem(fv.list, 0, 2, true).AddItem(right, 0, 3, false)
	if len(fs) > 0 {
		fv.list.Select(0, 0)
		u.showFinding(fv, 0)
	}
	return fv
}

// showFinding fills the text and evidence panes with finding i.
func (u *UI) showFinding(fv *findingsView, i int) {
	if i < 0 || i >= len(fv.fs) {
		return
	}
	f := fv.fs[i]
	var b strings.Builder
	fmt.Fprintf(&b, "%s%s%s  %s\n%s\n\n", u.th.tag("yellow"), strings.ToUpper(f.Severity.String()), u.th.tag("-"),
		tview.Escape(f.Title), tview.Escape("["+f.Rule+"]"))
	fmt.Fprintf(&b, "%sWhy%s\n%s\n\n%sFix%s\n%s\n", u.th.tag("aqua"), u.th.tag("-"), tview.Escape(f.Explanation),
		u.th.tag("aqua"), u.th.tag("-"), tview.Escape(f.Fix))
	fv.text.SetText(b.String()).ScrollToBeginning()
	fv.evidence.Clear()
	for k, e := range f.Evidence {
		fv.evidence.SetCell(k, 0, tview.NewTableCell(e.Ref()).SetStyle(u.th.header))
		fv.evidence.SetCell(k, 1, tview.NewTableCell(tview.Escape(e.Note)).SetExpansion(1))
	}
	if f.Omitted > 0 {
		fv.evidence.SetCell(len(f.Evidence), 1, tview.NewTableCell(fmt.Sprintf("… and %d more", f.Omitted)).SetSelectable(false))
	}
	fv.evidence.Select(0, 0).ScrollToBeginning()
}

// findingsKey handles keys while the findings view is in front.
func (u *UI) findingsKey(ev *tcell.EventKey) *tcell.EventKey {
	fv := u.findings
	if fv == nil {
		u.pages.RemovePage(findingsPage)
		return nil
	}
	focus := u.app.GetFocus()
	switch {
	case ev.Key() == tcell.KeyEsc || ev.Rune() == 'q':
		if focus == fv.evidence {
			u.app.SetFocus(fv.list)
			return nil
		}
		u.pages.RemovePage(findingsPage)
		u.app.SetFocus(u.ex)
		return nil
	case ev.Key() == tcell.KeyTab || ev.Key() == tcell.KeyBacktab:
		if focus == fv.list {
			u.app.SetFocus(fv.evidence)
		} else {
			u.app.SetFocus(fv.list)
		}
		return nil
	case ev.Key() == tcell.KeyEnter:
		row, _ := fv.list.GetSelection()
		if row < 0 || row >= len(fv.fs) {
			return nil
		}
		if focus == fv.list {
			u.app.SetFocus(fv.evidence)
			return nil
		}
		if k, _ := fv.evidence.GetSelection(); k >= 0 && k < len(fv.fs[row].Evidence) {
			u.gotoEvidence(fv.fs[row].Evidence[k])
		}
		return nil
	case ev.Key() == tcell.KeyCtrlC:
		u.app.Stop()
		return nil
	}
	return ev
}

// gotoEvidence closes the findings and shows the evidence's exchange, and
// its ROP in the decoded tree. An exchange the filter or the session hides
// clears them.
func (u *UI) gotoEvidence(e doctor.Evidence) {
	u.pages.RemovePage(findingsPage)
	if !u.gotoExchange(e.Exchange, func(l ropLine) bool { return e.Rop != 0 && l.id == e.Rop }) {
		return
	}
	u.flash("evidence %s: %s", e.Ref(), e.Note)
}

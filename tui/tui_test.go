package tui

import (
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/gdamore/tcell/v2"
	"github.com/rivo/tview"

	"github.com/mapiscope/mapiscope/internal/mapitest"
	"github.com/mapiscope/mapiscope/trace"
)

func TestFirstScreen(t *testing.T) {
	h := start(t, sampleTrace(t), Options{})
	h.waitFor("OpenFolder, GetContentsTable, SetColumns")
	h.waitFor("NotificationWait")
	h.waitFor("exchanges (8)")
	h.waitFor("all sessions")
	h.waitFor("<?> help")
	if l := h.line("OpenFolder  [1 failed]"); !strings.Contains(l, "Execute") {
		t.Errorf("failed exchange line: %q", l)
	}
}

func TestFilterApplied(t *testing.T) {
	h := start(t, sampleTrace(t), Options{})
	h.keys("/~rop QueryRows")
	h.waitFor("✓ valid filter")
	h.key(tcell.KeyEnter)
	h.waitFor("exchanges (1) / ~rop QueryRows")
	h.waitFor("QueryRows, Release")
	for _, gone := range []string{"NotificationWait", "GetPropertyIdsFromNames", "GetContentsTable"} {
		if strings.Contains(h.text(), gone) {
			t.Errorf("%s still visible:\n%s", gone, h.text())
		}
	}
	// esc clears the filter and keeps the cursor; n/N then jump between matches.
	h.key(tcell.KeyEsc)
	h.waitFor("exchanges (8)")
	if id := h.current(); id != 6 {
		t.Fatalf("cursor on %d after clearing the filter, want 6", id)
	}
	h.keys("g")
	h.keys("n")
	if id := h.current(); id != 6 {
		t.Errorf("n went to %d, want 6", id)
	}
	h.keys("G")
	h.keys("N")
	if id := h.current(); id != 6 {
		t.Errorf("N went to %d, want 6", id)
	}
}

func TestFilterErrorColumn(t *testing.T) {
	h := start(t, sampleTrace(t), Options{})
	h.keys("/~rt Execute & ~zz")
	h.waitFor("column 15")
	l := h.line("column 15")
	// The caret sits under column 15 of the expression (the label "/" takes one cell).
	if i := strings.Index(l, "^"); i != 15 {
		t.Errorf("caret at %d, want 15: %q", i, l)
	}
	h.key(tcell.KeyEnter) // refused: the input stays open
	h.waitFor("column 15")
	h.key(tcell.KeyEsc)
	h.waitFor("exchanges (8)")
}

func TestDrillDownAndTreeHexLink(t *testing.T) {
	h := start(t, sampleTrace(t), Options{})
	h.keys("jjj") // exchange 4: OpenFolder, GetContentsTable, SetColumns
	if id := h.current(); id != 4 {
		t.Fatalf("on %d", id)
	}
	h.key(tcell.KeyEnter)
	h.waitFor("ROPs of exchange 4 (3)")
	h.waitFor("RopGetContentsTable")
	h.waitFor("on folder Inbox ⇒ contents table of folder Inbox")
	h.keys("j") // RopGetContentsTable
	h.key(tcell.KeyEnter)
	var focusTree bool
	var off, n, selOff, selLen int
	h.do(func() {
		focusTree = h.ui.app.GetFocus() == h.ui.tree
		ref := h.ui.tree.GetCurrentNode().GetReference().(*nodeRef)
		off, n = ref.n.Off, ref.n.Len
		selOff, selLen = h.ui.hex.selOff, h.ui.hex.selLen
	})
	if !focusTree {
		t.Fatal("enter on a ROP does not focus the tree")
	}
	h.waitFor("RopGetContentsTable")
	if selOff != off || selLen != n || n == 0 {
		t.Errorf("hex highlights %d+%d, node is %d+%d", selOff, selLen, off, n)
	}
	if !strings.Contains(h.line("hex "), "@"+itoa(off)+"+"+itoa(n)) {
		t.Errorf("hex title: %q", h.line("hex "))
	}
	// Tree → hex: moving in the tree moves the highlight.
	h.keys("j")
	h.do(func() {
		ref := h.ui.tree.GetCurrentNode().GetReference().(*nodeRef)
		off, n = ref.n.Off, ref.n.Len
		selOff, selLen = h.ui.hex.selOff, h.ui.hex.selLen
	})
	if selOff != off || selLen != n {
		t.Errorf("after j: hex highlights %d+%d, node is %d+%d", selOff, selLen, off, n)
	}
	// Hex → tree: moving the cursor selects the deepest node covering it.
	h.key(tcell.KeyTab)
	var before, after string
	h.do(func() { before = h.ui.tree.GetCurrentNode().GetText() })
	for range 3 {
		h.keys("l")
	}
	var cursor int
	var found string
	h.do(func() {
		after = h.ui.tree.GetCurrentNode().GetText()
		cursor = h.ui.hex.Cursor()
		ref := h.ui.tree.GetCurrentNode().GetReference().(*nodeRef)
		if ref.root.Find(cursor) != ref.n {
			found = "mismatch"
		}
	})
	if before == after {
		t.Errorf("tree selection did not follow the hex cursor (%q)", after)
	}
	if found != "" {
		t.Errorf("tree node is not the deepest node at offset %d", cursor)
	}
	h.key(tcell.KeyEsc)
	h.key(tcell.KeyEsc)
	h.do(func() { focusTree = h.ui.app.GetFocus() == h.ui.ex })
	if !focusTree {
		t.Error("esc esc does not go back to the exchanges")
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

func TestRopErrorAndTabs(t *testing.T) {
	h := start(t, sampleTrace(t), Options{})
	h.keys(":goto 7")
	h.key(tcell.KeyEnter)
	h.waitFor("ecNotFound (0x8004010F)")
	// The failing ReturnValue is red.
	cells, w, _ := h.sim.GetContents()
	txt := h.text()
	i := strings.Index(strings.ReplaceAll(txt, "\n", ""), "ecNotFound")
	_ = w
	if i < 0 {
		t.Fatal("no ecNotFound")
	}
	// Index in runes of the flattened text = cell index (one rune a cell here).
	ri := len([]rune(strings.ReplaceAll(txt, "\n", "")[:i]))
	fg, bg, _ := cells[ri].Style.Decompose()
	if fg != tcell.ColorRed && bg != tcell.ColorRed {
		t.Errorf("ReturnValue colour %v, want red", fg)
	}
	h.keys("2")
	h.waitFor("X-Requesttype: Execute")
	h.keys("3")
	h.waitFor("response chunks:")
	h.keys("4")
	h.waitFor("folder Inbox")
	h.keys("5")
	h.waitFor("no anomalies")
}

func TestHelpAndStats(t *testing.T) {
	h := start(t, sampleTrace(t), Options{})
	h.keys("?")
	h.waitFor("this help")
	h.waitFor("ctrl-d ctrl-u")
	h.key(tcell.KeyEsc)
	h.keys("s")
	h.waitFor("requests by type")
	h.waitFor("0x8004010F")
	h.key(tcell.KeyEsc)
	h.keys(":sta")
	h.waitFor("stats")
}

func TestMarksAndCommentsPersisted(t *testing.T) {
	path := sampleTrace(t)
	h := start(t, path, Options{})
	h.keys("jj")
	h.keys("m")
	h.waitFor("exchange 3 marked")
	h.waitFor("★")
	h.keys("c")
	h.keys("slow logon")
	h.key(tcell.KeyEnter)
	h.waitFor("comment on exchange 3 saved")
	tr, err := trace.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	rows, err := tr.Exchanges("e.id = 3", nil, trace.Page{})
	if err != nil || len(rows) != 1 {
		t.Fatal(rows, err)
	}
	if rows[0].Mark == "" || rows[0].Comment != "slow logon" {
		t.Errorf("mark %q comment %q", rows[0].Mark, rows[0].Comment)
	}
	h.keys("/~m")
	h.key(tcell.KeyEnter)
	h.waitFor("exchanges (1) / ~m")
	h.keys("m")
	h.waitFor("exchange 3 unmarked")
}

func TestNoColor(t *testing.T) {
	t.Setenv("NO_COLOR", "1")
	defer func() { tview.Styles = tview.Theme{}; newThemeReset() }()
	h := start(t, sampleTrace(t), Options{})
	h.keys(":goto 7")
	h.key(tcell.KeyEnter)
	h.waitFor("ecNotFound")
	cells, _, _ := h.sim.GetContents()
	for i, c := range cells {
		fg, bg, _ := c.Style.Decompose()
		if fg != tcell.ColorDefault || bg != tcell.ColorDefault {
			t.Fatalf("cell %d %q has colours %v/%v under NO_COLOR", i, string(c.Runes), fg, bg)
		}
	}
}

func newThemeReset() { t := newTheme(); _ = t }

func TestWindowedPaging(t *testing.T) {
	path := filepath.Join(t.TempDir(), "big.mapiscope")
	genTrace(t, path, 2000, 3)
	h := start(t, path, Options{})
	h.waitFor("exchanges (2000)")
	h.keys("G")
	if id := h.current(); id != 2000 {
		t.Errorf("G: on %d", id)
	}
	h.keys("g")
	if id := h.current(); id != 1 {
		t.Errorf("g: on %d", id)
	}
	for range 30 {
		h.key(tcell.KeyCtrlD)
	}
	id := h.current()
	if id < 150 {
		t.Errorf("30 × ctrl-d reached only %d", id)
	}
	var n int
	h.do(func() { n = len(h.ui.ex.rows) })
	if n > maxWindow {
		t.Errorf("window holds %d rows", n)
	}
	for range 30 {
		h.key(tcell.KeyCtrlU)
	}
	if id := h.current(); id != 1 {
		t.Errorf("back up to %d", id)
	}
	h.keys(":goto 1500")
	h.key(tcell.KeyEnter)
	if id := h.current(); id != 1500 {
		t.Errorf("goto: %d", id)
	}
	h.keys("k")
	if id := h.current(); id != 1499 {
		t.Errorf("k: %d", id)
	}
}

func TestLiveFollow(t *testing.T) {
	path := sampleTrace(t)
	h := start(t, path, Options{Poll: 20e6})
	h.waitFor("exchanges (8)")
	h.keys("F")
	h.waitFor("[following]")
	tr, err := trace.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	w, _ := tr.NewWriter("proxy", "", "dev")
	exs, _ := mapitest.SampleSession(mapitest.NewConversation())
	for _, ex := range exs {
		w.Add(ex)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	h.waitFor("exchanges (16)")
	if id := h.current(); id != 16 {
		t.Errorf("following: on %d, want 16", id)
	}
}

func TestCommandCompletion(t *testing.T) {
	h := start(t, sampleTrace(t), Options{})
	h.keys(":exp")
	h.waitFor("export har")
	h.waitFor("export saz")
	h.key(tcell.KeyEsc)
	h.key(tcell.KeyEsc)
	out := filepath.Join(t.TempDir(), "x.har")
	h.keys(":export har " + out)
	h.key(tcell.KeyEnter)
	h.waitFor("exported 8 exchanges")
}

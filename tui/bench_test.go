package tui

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/gdamore/tcell/v2"
	"github.com/rivo/tview"

	"github.com/mapiscope/mapiscope/trace"
)

// benchTrace is a generated trace of 100,000 exchanges and 1,000,000
// ROPs, kept in the temporary directory between runs.
func benchTrace(b *testing.B) string {
	path := filepath.Join(os.TempDir(), "mapiscope-tui-bench-100k.mapiscope")
	if _, err := os.Stat(path); err == nil {
		return path
	}
	start := time.Now()
	genTrace(b, path+".tmp", 100_000, 10)
	os.Rename(path+".tmp", path)
	os.Remove(path + ".tmp-wal")
	os.Remove(path + ".tmp-shm")
	b.Logf("generated %s in %v", path, time.Since(start))
	return path
}

// BenchmarkOpen measures the time from opening the trace to the first
// screen drawn (run: go test ./tui -run X -bench Open).
func BenchmarkOpen(b *testing.B) {
	path := benchTrace(b)
	b.ResetTimer()
	for range b.N {
		tr, err := trace.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		sim := tcell.NewSimulationScreen("UTF-8")
		ui, err := New(tr, Options{Screen: sim, Poll: -1})
		if err != nil {
			b.Fatal(err)
		}
		sim.SetSize(160, 48)
		ui.app.ForceDraw()
		b.StopTimer()
		ui.Close()
		sim.Fini()
		tr.Close()
		b.StartTimer()
	}
}

// BenchmarkKeys measures one keystroke each, handled and drawn.
func BenchmarkKeys(b *testing.B) {
	path := benchTrace(b)
	h := start(b, path, Options{})
	for _, k := range []struct {
		name string
		keys []*tcell.EventKey
	}{
		{"j", []*tcell.EventKey{tcell.NewEventKey(tcell.KeyRune, 'j', 0)}},
		{"G", []*tcell.EventKey{tcell.NewEventKey(tcell.KeyRune, 'G', 0)}},
		{"g", []*tcell.EventKey{tcell.NewEventKey(tcell.KeyRune, 'g', 0)}},
		{"ctrl-d", []*tcell.EventKey{tcell.NewEventKey(tcell.KeyCtrlD, 0, 0)}},
		{"enter", []*tcell.EventKey{tcell.NewEventKey(tcell.KeyEnter, 0, 0), tcell.NewEventKey(tcell.KeyEsc, 0, 0)}},
		{"filter", nil},
	} {
		b.Run(k.name, func(b *testing.B) {
			for range b.N {
				h.do(func() {
					if k.keys == nil {
						h.ui.applyFilter("~rop QueryRows & ~ec")
						h.ui.applyFilter("")
						return
					}
					for _, ev := range k.keys {
						if e := h.ui.onKey(ev); e != nil {
							if hd := h.ui.app.GetFocus().InputHandler(); hd != nil {
								hd(e, func(p tview.Primitive) { h.ui.app.SetFocus(p) })
							}
						}
					}
				})
			}
		})
	}
}

package tui

import (
	"fmt"

	"github.com/gdamore/tcell/v2"
	"github.com/rivo/tview"
)

// HexView shows a byte buffer as a hex dump with one range highlighted
// (the selected tree node's bytes) and a cursor that can be moved over the
// bytes; OnCursor is told each offset the user moves to.
type HexView struct {
	*tview.Box
	buf            []byte
	selOff, selLen int
	cursor, top    int
	th             *theme
	OnCursor       func(off int)
}

func newHexView(th *theme) *HexView {
	h := &HexView{Box: tview.NewBox(), th: th}
	h.SetBorder(true).SetTitle(" hex ")
	return h
}

// SetData shows buf with [off, off+n) highlighted and the cursor at off,
// without calling OnCursor.
func (h *HexView) SetData(buf []byte, off, n int) {
	h.buf, h.selOff, h.selLen = buf, off, n
	h.cursor = max(0, min(off, len(buf)-1))
	h.scrollTo()
}

// Selection returns the highlighted bytes.
func (h *HexView) Selection() []byte {
	if h.selOff < 0 || h.selOff >= len(h.buf) {
		return nil
	}
	return h.buf[h.selOff:min(len(h.buf), h.selOff+h.selLen)]
}

// Cursor returns the cursor's offset.
func (h *HexView) Cursor() int { return h.cursor }

func (h *HexView) lines() int {
	_, _, _, hh := h.GetInnerRect()
	return max(1, hh)
}

func (h *HexView) scrollTo() {
	line := h.cursor / 16
	if line < h.top {
		h.top = line
	}
	if n := h.lines(); line >= h.top+n {
		h.top = line - n + 1
	}
}

// Draw draws the dump.
func (h *HexView) Draw(screen tcell.Screen) {
	h.Box.DrawForSubclass(screen, h)
	x, y, w, hh := h.GetInnerRect()
	h.scrollTo()
	if len(h.buf) == 0 {
		tview.Print(screen, "(no bytes)", x, y, w, tview.AlignLeft, tcell.ColorDefault)
		return
	}
	for row := 0; row < hh; row++ {
		base := (h.top + row) * 16
		if base >= len(h.buf) {
			break
		}
		cx := x
		put := func(s string, st tcell.Style) {
			for _, r := range s {
				if cx < x+w {
					screen.SetContent(cx, y+row, r, nil, st)
				}
				cx++
			}
		}
		put(fmt.Sprintf("%08x  ", base), h.th.dim)
		for i := 0; i < 16; i++ {
			off := base + i
			if off >= len(h.buf) {
				put("   ", h.th.normal)
				continue
			}
			st := h.style(off)
			put(fmt.Sprintf("%02x", h.buf[off]), st)
			sep := h.th.normal
			if h.inSel(off) && h.inSel(off+1) && i != 15 {
				sep = h.th.hexSel
			}
			put(" ", sep)
			if i == 7 {
				put(" ", h.th.normal)
			}
		}
		put(" ", h.th.normal)
		for i := 0; i < 16 && base+i < len(h.buf); i++ {
			c := h.buf[base+i]
			r := '.'
			if c >= 0x20 && c < 0x7f {
				r = rune(c)
			}
			put(string(r), h.style(base+i))
		}
	}
}

func (h *HexView) inSel(off int) bool { return off >= h.selOff && off < h.selOff+h.selLen }

func (h *HexView) style(off int) tcell.Style {
	if off == h.cursor && h.HasFocus() {
		return h.th.hexCur
	}
	if h.inSel(off) {
		return h.th.hexSel
	}
	return h.th.normal
}

// move sets the cursor and tells OnCursor.
func (h *HexView) move(to int) {
	if len(h.buf) == 0 {
		return
	}
	to = max(0, min(to, len(h.buf)-1))
	if to == h.cursor {
		return
	}
	h.cursor = to
	h.scrollTo()
	if h.OnCursor != nil {
		h.OnCursor(to)
	}
}

// InputHandler moves the cursor: arrows/hjkl by byte and line, ctrl-d/u and
// page keys by half a screen, g/G to the ends.
func (h *HexView) InputHandler() func(event *tcell.EventKey, setFocus func(p tview.Primitive)) {
	return h.WrapInputHandler(func(ev *tcell.EventKey, _ func(p tview.Primitive)) {
		half := max(1, h.lines()/2) * 16
		switch ev.Key() {
		case tcell.KeyLeft:
			h.move(h.cursor - 1)
		case tcell.KeyRight:
			h.move(h.cursor + 1)
		case tcell.KeyUp:
			h.move(h.cursor - 16)
		case tcell.KeyDown:
			h.move(h.cursor + 16)
		case tcell.KeyCtrlD, tcell.KeyPgDn:
			h.move(h.cursor + half)
		case tcell.KeyCtrlU, tcell.KeyPgUp:
			h.move(h.cursor - half)
		case tcell.KeyHome:
			h.move(0)
		case tcell.KeyEnd:
			h.move(len(h.buf) - 1)
		case tcell.KeyRune:
			switch ev.Rune() {
			case 'h':
				h.move(h.cursor - 1)
			case 'l':
				h.move(h.cursor + 1)
			case 'k':
				h.move(h.cursor - 16)
			case 'j':
				h.move(h.cursor + 16)
			case 'g':
				h.move(0)
			case 'G':
				h.move(len(h.buf) - 1)
			}
		}
	})
}

// MouseHandler puts the cursor on the clicked byte and scrolls on the wheel.
func (h *HexView) MouseHandler() func(action tview.MouseAction, event *tcell.EventMouse, setFocus func(p tview.Primitive)) (bool, tview.Primitive) {
	return h.WrapMouseHandler(func(action tview.MouseAction, ev *tcell.EventMouse, setFocus func(p tview.Primitive)) (bool, tview.Primitive) {
		mx, my := ev.Position()
		if !h.InRect(mx, my) {
			return false, nil
		}
		switch action {
		case tview.MouseLeftClick:
			setFocus(h)
			x, y, _, _ := h.GetInnerRect()
			col := mx - x - 10
			if col < 0 || col >= 49 {
				return true, nil
			}
			if col > 24 {
				col--
			}
			h.move((h.top+my-y)*16 + col/3)
			return true, nil
		case tview.MouseScrollDown:
			h.move(h.cursor + 48)
			return true, nil
		case tview.MouseScrollUp:
			h.move(h.cursor - 48)
			return true, nil
		}
		return false, nil
	})
}

package tui

import (
	"os"

	"github.com/gdamore/tcell/v2"
	"github.com/rivo/tview"
)

// theme holds the styles the views use. With NO_COLOR set
// (https://no-color.org) it is monochrome: emphasis by reverse video,
// bold and underline only.
type theme struct {
	mono     bool
	err      tcell.Style // a failed ROP's ReturnValue
	errSel   tcell.Style // the same in a selected row
	warn     tcell.Style // anomaly marker
	header   tcell.Style // table headers
	selected tcell.Style // a table's selected row
	hexSel   tcell.Style // the selected node's bytes
	hexCur   tcell.Style // the hex cursor
	dim      tcell.Style
	normal   tcell.Style
}

func newTheme() theme {
	if os.Getenv("NO_COLOR") != "" {
		d := tcell.StyleDefault
		tview.Styles = tview.Theme{
			PrimitiveBackgroundColor:    tcell.ColorDefault,
			ContrastBackgroundColor:     tcell.ColorDefault,
			MoreContrastBackgroundColor: tcell.ColorDefault,
			BorderColor:                 tcell.ColorDefault,
			TitleColor:                  tcell.ColorDefault,
			GraphicsColor:               tcell.ColorDefault,
			PrimaryTextColor:            tcell.ColorDefault,
			SecondaryTextColor:          tcell.ColorDefault,
			TertiaryTextColor:           tcell.ColorDefault,
			InverseTextColor:            tcell.ColorDefault,
			ContrastSecondaryTextColor:  tcell.ColorDefault,
		}
		return theme{mono: true, err: d.Bold(true), errSel: d.Bold(true).Reverse(true), warn: d.Bold(true), header: d.Bold(true).Underline(true),
			selected: d.Reverse(true), hexSel: d.Reverse(true), hexCur: d.Underline(true).Bold(true), dim: d, normal: d}
	}
	tview.Styles = tview.Theme{
		PrimitiveBackgroundColor:    tcell.ColorDefault,
		ContrastBackgroundColor:     tcell.ColorDarkBlue,
		MoreContrastBackgroundColor: tcell.ColorGreen,
		BorderColor:                 tcell.ColorGray,
		TitleColor:                  tcell.ColorAqua,
		GraphicsColor:               tcell.ColorGray,
		PrimaryTextColor:            tcell.ColorDefault,
		SecondaryTextColor:          tcell.ColorYellow,
		TertiaryTextColor:           tcell.ColorGreen,
		InverseTextColor:            tcell.ColorBlue,
		ContrastSecondaryTextColor:  tcell.ColorNavy,
	}
	d := tcell.StyleDefault
	return theme{err: d.Foreground(tcell.ColorRed).Bold(true), errSel: d.Background(tcell.ColorRed).Foreground(tcell.ColorWhite).Bold(true), warn: d.Foreground(tcell.ColorYellow),
		header: d.Foreground(tcell.ColorAqua).Bold(true), selected: d.Background(tcell.ColorDarkCyan).Foreground(tcell.ColorWhite),
		hexSel: d.Background(tcell.ColorDarkBlue).Foreground(tcell.ColorWhite), hexCur: d.Background(tcell.ColorYellow).Foreground(tcell.ColorBlack),
		dim: d.Foreground(tcell.ColorGray), normal: d}
}

// tag returns a tview colour tag, or "" in monochrome.
func (th theme) tag(t string) string {
	if th.mono {
		if t == "-" || t == "" {
			return "[::-]"
		}
		return "[::b]"
	}
	return "[" + t + "]"
}

package app

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// wideSelect gives a select in a row of filters the width of its longest
// option, so 全部顾问 / All consultants is not cut to “All consult…”.
func wideSelect(s *widget.Select, more ...string) fyne.CanvasObject {
	var w float32
	for _, o := range append(append([]string(nil), s.Options...), more...) {
		w = max(w, fyne.MeasureText(o, theme.TextSize(), fyne.TextStyle{}).Width)
	}
	w += 4*theme.InnerPadding() + theme.IconInlineSize()
	return container.NewStack(container.NewGridWrap(fyne.NewSize(w, 0), layout.NewSpacer()), s)
}

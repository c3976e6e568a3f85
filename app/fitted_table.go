package app

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// fittedTable lays out a table over its whole space with the columns
// fitted to the width: fit sets the column widths for a width, and runs
// when the width changes and after refit (the columns' needs changed).
// The board stretches its columns on a wide screen; the tickets list also
// drops the columns that do not fit (ticketTableLayout).
type fittedTable struct {
	table *widget.Table
	fit   func(width float32)
	width float32 // the width the columns were last fitted to
	dirty bool
}

func (l *fittedTable) MinSize([]fyne.CanvasObject) fyne.Size { return l.table.MinSize() }

func (l *fittedTable) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	if size.Width != l.width || l.dirty {
		l.width, l.dirty = size.Width, false
		l.fit(size.Width)
	}
	for _, o := range objs {
		o.Resize(size)
		o.Move(fyne.NewPos(0, 0))
	}
}

// refit fits the columns again now if the table has been laid out, else
// at its first layout.
func (l *fittedTable) refit() {
	if l.width <= 0 {
		l.dirty = true
		return
	}
	l.dirty = false
	l.fit(l.width)
}

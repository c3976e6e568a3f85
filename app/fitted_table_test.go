package app

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// The one fitted-table layout fits the columns at the first layout, again
// only when the width changes, and after refit — at once when laid out,
// else at the next layout.
func TestFittedTableFitsOnWidthChangeAndRefit(t *testing.T) {
	test.NewTempApp(t)
	table := widget.NewTable(func() (int, int) { return 1, 1 }, func() fyne.CanvasObject { return widget.NewLabel("") }, func(widget.TableCellID, fyne.CanvasObject) {})
	var fits []float32
	l := &fittedTable{table: table, fit: func(w float32) { fits = append(fits, w) }}
	l.refit() // before any layout: waits for it
	if len(fits) != 0 {
		t.Fatalf("fitted before layout: %v", fits)
	}
	for _, w := range []float32{800, 800, 1200} {
		l.Layout([]fyne.CanvasObject{table}, fyne.NewSize(w, 400))
	}
	l.refit()
	want := []float32{800, 1200, 1200}
	if len(fits) != len(want) {
		t.Fatalf("fits %v, want %v", fits, want)
	}
	for i := range want {
		if fits[i] != want[i] {
			t.Fatalf("fits %v, want %v", fits, want)
		}
	}
	if table.Size() != fyne.NewSize(1200, 400) {
		t.Errorf("table size %v", table.Size())
	}
}

// One modal size for every modal: what it asks for, or the window less
// the modal's frame.
func TestModalSizeFitsTheWindow(t *testing.T) {
	for _, c := range []struct {
		win, ask, want fyne.Size
	}{
		{fyne.NewSize(1920, 1080), fyne.NewSize(940, 600), fyne.NewSize(940, 600)},
		{fyne.NewSize(1024, 768), fyne.NewSize(1200, 820), fyne.NewSize(960, 618)},
		{fyne.NewSize(800, 600), fyne.NewSize(460, 700), fyne.NewSize(460, 450)},
	} {
		a := test.NewTempApp(t)
		w := a.NewWindow("")
		w.Resize(c.win)
		u := &UI{win: w}
		if got := u.modalSize(c.ask.Width, c.ask.Height); got != c.want {
			t.Errorf("window %v asking %v: %v, want %v", c.win, c.ask, got, c.want)
		}
	}
}

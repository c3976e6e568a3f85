package app

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// Golden-file tests of the app's own widgets and layouts: each renders on
// a test canvas in the app's theme and is compared with the markup under
// testdata/golden/. A change that moves or restyles one fails here with the
// new markup written to testdata/failed/golden/; look at it, and if it is
// what you meant, run scripts/update-golden.sh to take it as the new master.

// goldenCanvas is a test window of size showing o in the app's theme.
func goldenCanvas(t *testing.T, o fyne.CanvasObject, size fyne.Size) fyne.Canvas {
	return goldenWindow(t, o, size).Canvas()
}

func goldenWindow(t *testing.T, o fyne.CanvasObject, size fyne.Size) fyne.Window {
	t.Helper()
	SetLanguage("zh")
	a := test.NewTempApp(t)
	a.Settings().SetTheme(NewTheme())
	w := test.NewWindow(o)
	t.Cleanup(w.Close)
	w.SetPadded(false)
	w.Resize(size)
	layoutAll(o)
	return w
}

// layoutAll lays out every widget under o at its size, as the window's
// first frame does: widgets made as struct literals (&widget.Button{…})
// get their renderer only when first drawn, after the layout sized them.
func layoutAll(o fyne.CanvasObject) {
	switch x := o.(type) {
	case *fyne.Container:
		for _, c := range x.Objects {
			layoutAll(c)
		}
	case fyne.Widget:
		r := test.WidgetRenderer(x)
		r.Layout(x.Size())
		for _, c := range r.Objects() {
			layoutAll(c)
		}
	}
}

func TestGoldenSignaturePad(t *testing.T) {
	p := NewSignaturePad("请在此签名")
	c := goldenCanvas(t, p, fyne.NewSize(320, 160))
	test.AssertRendersToMarkup(t, "golden/signature_pad_empty.xml", c)

	// Two strokes: a drag across, then a short one down.
	for _, s := range [][2]fyne.Position{{{X: 40, Y: 80}, {X: 280, Y: 60}}, {{X: 160, Y: 40}, {X: 160, Y: 120}}} {
		from, to := s[0], s[1]
		mid := fyne.NewPos((from.X+to.X)/2, (from.Y+to.Y)/2)
		p.Dragged(&fyne.DragEvent{PointEvent: fyne.PointEvent{Position: mid}, Dragged: fyne.NewDelta(mid.X-from.X, mid.Y-from.Y)})
		p.Dragged(&fyne.DragEvent{PointEvent: fyne.PointEvent{Position: to}, Dragged: fyne.NewDelta(to.X-mid.X, to.Y-mid.Y)})
		p.DragEnd()
	}
	layoutAll(p)
	if p.Empty() {
		t.Fatal("the strokes were not drawn")
	}
	test.AssertRendersToMarkup(t, "golden/signature_pad_signed.xml", c)
}

// A fitted table stretches its columns to a wide window and keeps them at
// their needs in a narrow one.
func TestGoldenFittedTable(t *testing.T) {
	needs := []float32{80, 160, 120}
	cells := [][]string{{"10:05", "王先生", "看房"}, {"10:20", "李女士", "咨询"}}
	table := widget.NewTable(func() (int, int) { return len(cells), len(needs) },
		func() fyne.CanvasObject { return widget.NewLabel("") },
		func(id widget.TableCellID, o fyne.CanvasObject) { o.(*widget.Label).SetText(cells[id.Row][id.Col]) })
	l := &fittedTable{table: table, fit: func(width float32) {
		for i, w := range fitColumnsOf([]int{0, 1, 2}, needs, width) {
			table.SetColumnWidth(i, w)
		}
	}}
	w := goldenWindow(t, container.New(l, table), fyne.NewSize(720, 160))
	test.AssertRendersToMarkup(t, "golden/fitted_table_wide.xml", w.Canvas())
	w.Resize(fyne.NewSize(360, 160))
	layoutAll(w.Content())
	test.AssertRendersToMarkup(t, "golden/fitted_table_narrow.xml", w.Canvas())
}

// A filter's select is as wide as its longest option.
func TestGoldenWideSelect(t *testing.T) {
	s := widget.NewSelect([]string{"全部顾问", "陈思远"}, nil)
	s.SetSelected("全部顾问")
	row := container.NewHBox(wideSelect(s, "All consultants"), widget.NewLabel("|"))
	c := goldenCanvas(t, row, fyne.NewSize(480, 60))
	test.AssertRendersToMarkup(t, "golden/wide_select.xml", c)
}

// The kiosk's keypad at 1024×768 (scale 1) and on a 1920×1080 screen.
func TestGoldenKioskKeypad(t *testing.T) {
	for _, c := range []struct {
		name  string
		scale float32
		size  fyne.Size
	}{
		{"golden/kiosk_keypad_1024.xml", 1, fyne.NewSize(440, 400)},
		{"golden/kiosk_keypad_1920.xml", 1080.0 / 768, fyne.NewSize(620, 560)},
	} {
		k := &kioskScreen{scale: c.scale}
		pad := k.keypad(func(string) {}, "+")
		test.AssertRendersToMarkup(t, c.name, goldenCanvas(t, pad, c.size))
	}
}

// The status line takes no room while empty and colours its message by
// kind.
func TestGoldenStatusLine(t *testing.T) {
	s := newStatusLine()
	box := container.NewVBox(widget.NewLabel("上"), s, widget.NewLabel("下"))
	c := goldenCanvas(t, box, fyne.NewSize(360, 140))
	test.AssertRendersToMarkup(t, "golden/status_line_empty.xml", c)
	s.SetError("姓名：必填。")
	box.Refresh() // what the window's next frame does: lay out again
	layoutAll(box)
	test.AssertRendersToMarkup(t, "golden/status_line_error.xml", c)
	s.SetSuccess("已登记")
	box.Refresh()
	layoutAll(box)
	test.AssertRendersToMarkup(t, "golden/status_line_success.xml", c)
	s.SetText("")
	box.Refresh()
	layoutAll(box)
	test.AssertRendersToMarkup(t, "golden/status_line_empty.xml", c)
}

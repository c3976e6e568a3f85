package app

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"
)

// tab is one page of the desk.
type tab struct {
	Title   string
	Content fyne.CanvasObject
}

// tabs is the desk's row of page buttons over the current page. Fyne's
// AppTabs draws its labels bold, which makes Fyne parse the CJK font a
// second time (about 20 MB); these buttons use the regular face.
type tabs struct {
	Items      []*tab
	OnSelected func(*tab)

	buttons  []*widget.Button
	marks    []*canvas.Rectangle
	body     *fyne.Container
	selected int
}

func newTabs(items ...*tab) *tabs {
	t := &tabs{Items: items, body: container.NewStack()}
	for i, it := range items {
		i := i
		t.buttons = append(t.buttons, &widget.Button{Text: it.Title, Importance: widget.LowImportance, OnTapped: func() { t.SelectIndex(i) }})
		mark := canvas.NewRectangle(colorPrimary)
		mark.SetMinSize(fyne.NewSize(0, 3))
		t.marks = append(t.marks, mark)
		t.body.Add(it.Content)
	}
	t.show(0)
	return t
}

// object is the bar and the page; trailing objects sit at the bar's right end.
func (t *tabs) object(trailing ...fyne.CanvasObject) fyne.CanvasObject {
	var cells []fyne.CanvasObject
	for i, b := range t.buttons {
		cells = append(cells, container.NewBorder(nil, t.marks[i], nil, nil, b))
	}
	cells = append(cells, layout.NewSpacer())
	cells = append(cells, trailing...)
	bar := container.NewHBox(cells...)
	return container.NewBorder(container.NewVBox(bar, widget.NewSeparator()), nil, nil, nil, t.body)
}

// SelectIndex shows the i-th page.
func (t *tabs) SelectIndex(i int) {
	if i < 0 || i >= len(t.Items) {
		return
	}
	t.show(i)
	if t.OnSelected != nil {
		t.OnSelected(t.Items[i])
	}
}

// Select shows the page it.
func (t *tabs) Select(it *tab) {
	for i, x := range t.Items {
		if x == it {
			t.SelectIndex(i)
		}
	}
}

func (t *tabs) show(i int) {
	t.selected = i
	for j, it := range t.Items {
		if j == i {
			it.Content.Show()
			t.marks[j].FillColor = colorPrimary
			t.buttons[j].Importance = widget.HighImportance
		} else {
			it.Content.Hide()
			t.marks[j].FillColor = color.Transparent // kept, so every tab is the same height
			t.buttons[j].Importance = widget.LowImportance
		}
		t.buttons[j].Refresh()
		t.marks[j].Refresh()
	}
	t.body.Refresh()
}

func newTab(title string, content fyne.CanvasObject) *tab {
	return &tab{Title: title, Content: content}
}

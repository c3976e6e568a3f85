package app

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"
)

// The app draws no bold text: Fyne parses the theme font once per text
// style, and each parse of the CJK font costs about 20 MB. Fyne's own
// dialogs and cards use bold titles, so the app uses these instead.

// modal is a dialog over the window: a title, the content and a row of
// buttons, the last of which is the default.
type modal struct {
	pop      *widget.PopUp
	onClosed func()
}

// showModal shows content under title. Each button closes the modal and then
// runs its own action; dismiss (may be "") adds a plain close button.
func (u *UI) showModal(title string, content fyne.CanvasObject, dismiss string, buttons ...*widget.Button) *modal {
	m := &modal{}
	var row []fyne.CanvasObject
	row = append(row, layout.NewSpacer())
	if dismiss != "" {
		row = append(row, &widget.Button{Text: dismiss, OnTapped: m.Hide})
	}
	for _, b := range buttons {
		action := b.OnTapped
		b.OnTapped = func() {
			m.Hide()
			if action != nil {
				action()
			}
		}
		row = append(row, b)
	}
	row = append(row, layout.NewSpacer())
	body := container.NewBorder(heading(title), container.NewHBox(row...), nil, nil, content)
	m.pop = widget.NewModalPopUp(container.NewPadded(body), u.win.Canvas())
	m.pop.Show()
	return m
}

// modalSize is a modal's content size: w×h, or less on a small window,
// leaving room for the modal's padding, title and buttons.
func (u *UI) modalSize(w, h float32) fyne.Size {
	c := u.win.Canvas().Size()
	if c.Width > 0 {
		w = min(w, c.Width-64)
	}
	if c.Height > 0 {
		h = min(h, c.Height-150)
	}
	return fyne.NewSize(w, h)
}

// setEnabled enables or disables w.
func setEnabled(w fyne.Disableable, on bool) {
	if on {
		w.Enable()
	} else {
		w.Disable()
	}
}

// Hide closes the modal.
func (m *modal) Hide() {
	if m.pop.Visible() {
		m.pop.Hide()
		if m.onClosed != nil {
			m.onClosed()
		}
	}
}

// section is a titled panel (what widget.Card is, without the bold title).
func section(title, subtitle string, content fyne.CanvasObject) fyne.CanvasObject {
	bg := canvas.NewRectangle(colorPanel)
	bg.CornerRadius = 6
	head := []fyne.CanvasObject{heading(title)}
	if subtitle != "" {
		sub := widget.NewLabel(subtitle)
		sub.Wrapping = fyne.TextWrapWord
		head = append(head, sub)
	}
	return container.NewStack(bg, container.NewPadded(container.NewBorder(container.NewVBox(head...), nil, nil, nil, content)))
}

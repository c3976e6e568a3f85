package app

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"anchang/data"
)

// firstAdminScreen: an HQ device (joined with an HQ code) has no staff of
// its own, and nobody could sign in to approve anything. Right after it
// joined (and at start while it still has none) it asks for its first
// admin's name and PIN. A second HQ device gets the first one's staff from
// HQ and never shows it. See docs/sync.md, HQ devices and their first admin.
type firstAdminScreen struct {
	u       *UI
	name    *widget.Entry
	pin     *widget.Entry
	pin2    *widget.Entry
	fields  []*field
	submit  *widget.Button
	message *statusLine
}

func (u *UI) showFirstAdmin() {
	s := &firstAdminScreen{u: u}
	u.firstAdmin = s
	u.setTitle(T("sync.first_admin.title"))
	u.win.SetContent(s.buildUI())
	u.win.Canvas().Focus(s.name)
}

func (s *firstAdminScreen) buildUI() fyne.CanvasObject {
	s.name = &widget.Entry{PlaceHolder: T("setup.admin_name.hint")}
	s.pin = &widget.Entry{Password: true, PlaceHolder: T("setup.pin.hint")}
	s.pin2 = &widget.Entry{Password: true}
	s.pin2.OnSubmitted = func(string) { s.onSubmit() }
	s.fields = []*field{
		newField("name", "setup.admin_name", s.name),
		newField("pin", "setup.pin", s.pin),
		newField("pin2", "setup.pin2", s.pin2),
	}
	s.submit = &widget.Button{Text: T("sync.first_admin.submit"), Importance: widget.HighImportance, OnTapped: s.onSubmit}
	s.message = newStatusLine()
	intro := widget.NewLabel(T("sync.first_admin.intro"))
	intro.Wrapping = fyne.TextWrapWord
	body := container.NewVBox(
		heading(T("sync.first_admin.title")),
		intro,
		languagePicker(s.u, s.u.showFirstAdmin),
		formGrid(s.fields...),
		s.message,
		container.NewHBox(s.submit),
	)
	return container.NewCenter(withWidth(640, container.NewPadded(body)))
}

func (s *firstAdminScreen) onSubmit() {
	s.message.SetText("")
	if s.pin.Text != s.pin2.Text {
		showFieldErrors(s.fields, map[string]*data.Error{"pin2": {Key: "err.pin.mismatch"}}, nil)
		return
	}
	showFieldErrors(s.fields, nil, nil)
	in := data.FirstAdminInput{Name: s.name.Text, PIN: s.pin.Text}
	s.submit.Disable()
	load(s.u, func(ctx context.Context) (data.Staff, error) {
		return s.u.store.CreateFirstAdmin(ctx, in)
	}, func(admin data.Staff, err error) {
		s.submit.Enable()
		if err != nil {
			if !showFieldErrors(s.fields, fieldErrorsOf(err), s.message.SetText) {
				s.message.SetError(s.u.errText(err))
			}
			return
		}
		s.u.firstAdmin = nil
		s.u.signedIn(admin)
	})
}

package app

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"anchang/data"
)

// The office's PIN key (data/pinkey.go): an admin reads it in Settings and
// types it on the sign-in screen of a PC that lacks it (a new device of the
// office, a database restored on another PC).

// pinKeySection is Settings' 员工 PIN 密钥 section (admins).
func (u *UI) pinKeySection() fyne.CanvasObject {
	msg := newStatusLine()
	show := &widget.Button{Text: T("settings.pinkey.show")}
	show.OnTapped = func() {
		show.Disable()
		actor := u.user.ID
		load(u, func(ctx context.Context) (string, error) {
			return u.store.PINKeyCode(ctx, actor)
		}, func(code string, err error) {
			show.Enable()
			if err != nil {
				msg.SetError(u.errText(err))
				return
			}
			msg.SetText("")
			key := &widget.Label{Text: code, TextStyle: fyne.TextStyle{Monospace: true}, Alignment: fyne.TextAlignCenter}
			help := &widget.Label{Text: T("pinkey.shown.help"), Wrapping: fyne.TextWrapWord}
			body := container.NewVBox(key, help)
			u.showModal(T("pinkey.shown.title"), container.NewGridWrap(fyne.NewSize(520, body.MinSize().Height+40), body), T("pinkey.shown.close"))
		})
	}
	return section(T("settings.pinkey"), T("settings.pinkey.sub"), container.NewVBox(container.NewHBox(show), msg))
}

// pinKeyForm is the sign-in screen's 输入 PIN 密钥 row, shown when staff
// here have PINs sealed with a key this PC does not hold.
type pinKeyForm struct {
	box    *fyne.Container
	entry  *widget.Entry
	submit *widget.Button
}

func (s *signInScreen) buildPINKeyForm() *pinKeyForm {
	f := &pinKeyForm{}
	f.entry = &widget.Entry{PlaceHolder: T("signin.pinkey.placeholder")}
	f.entry.OnSubmitted = func(string) { s.onPINKey() }
	f.submit = &widget.Button{Text: T("signin.pinkey.submit"), OnTapped: s.onPINKey}
	f.box = container.NewVBox(widget.NewLabel(T("signin.pinkey.label")), container.NewBorder(nil, nil, nil, f.submit, f.entry))
	f.box.Hide()
	return f
}

func (s *signInScreen) onPINKey() {
	code := s.key.entry.Text
	if code == "" {
		s.message.SetError(T("err.field.required"))
		return
	}
	s.key.submit.Disable()
	load(s.u, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, s.store.SetPINKey(ctx, code)
	}, func(_ struct{}, err error) {
		s.key.submit.Enable()
		if err != nil {
			s.message.SetError(s.u.errText(err))
			return
		}
		s.key.entry.SetText("")
		s.key.box.Hide()
		s.message.SetText(T("signin.pinkey.done"))
	})
}

// promptLongerPIN asks a staff member whose PIN is shorter than their role
// now needs (data.Staff.ShortPIN) to choose a longer one; "later" keeps
// the old one until the next sign-in.
func (u *UI) promptLongerPIN(st data.Staff, oldPIN string) {
	newPIN := &widget.Entry{Password: true, PlaceHolder: T("pin.change.new")}
	again := &widget.Entry{Password: true, PlaceHolder: T("pin.change.again")}
	msg := newStatusLine()
	help := &widget.Label{Text: T("pin.change.help", map[string]any{"Min": st.Role.MinPIN()}), Wrapping: fyne.TextWrapWord}
	var pop *widget.PopUp
	later := &widget.Button{Text: T("pin.change.later")}
	save := &widget.Button{Text: T("pin.change.save"), Importance: widget.HighImportance}
	later.OnTapped = func() { pop.Hide() }
	save.OnTapped = func() {
		if newPIN.Text != again.Text {
			msg.SetError(T("err.pin.mismatch"))
			return
		}
		pin := newPIN.Text
		save.Disable()
		load(u, func(ctx context.Context) (struct{}, error) {
			return struct{}{}, u.store.ChangeOwnPIN(ctx, st.ID, oldPIN, pin)
		}, func(_ struct{}, err error) {
			save.Enable()
			if err != nil {
				msg.SetError(u.errText(err))
				return
			}
			pop.Hide()
		})
	}
	again.OnSubmitted = func(string) { save.OnTapped() }
	body := container.NewVBox(help, newPIN, again, msg)
	content := container.NewBorder(heading(T("pin.change.title")), container.NewHBox(layout.NewSpacer(), later, save, layout.NewSpacer()), nil, nil,
		container.NewGridWrap(fyne.NewSize(420, body.MinSize().Height+60), body))
	pop = widget.NewModalPopUp(container.NewPadded(content), u.win.Canvas())
	u.pinPrompt = pop
	pop.Show()
	u.win.Canvas().Focus(newPIN)
}

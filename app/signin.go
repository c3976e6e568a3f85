package app

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"anchang/data"
)

// signInStore is what signing in (and entering the office's PIN key,
// app/pinkey.go) needs from the store; *data.Store satisfies it.
type signInStore interface {
	NeedsFirstAdmin(ctx context.Context) (bool, error)
	ListStaff(ctx context.Context, includeInactive bool) ([]data.Staff, error)
	NeedsPINKey(ctx context.Context) (bool, error)
	SignIn(ctx context.Context, staffID, pin string) (data.Staff, error)
	SetPINKey(ctx context.Context, code string) error
}

var _ signInStore = (*data.Store)(nil)

// signInScreen: pick your name, type your PIN.
type signInScreen struct {
	u       *UI
	store   signInStore
	staff   []data.Staff
	who     *widget.Select
	pin     *widget.Entry
	submit  *widget.Button
	message *statusLine
	key     *pinKeyForm // the office's PIN key, when this PC lacks it
}

func (u *UI) showSignIn() {
	u.user = data.Staff{}
	u.Stop()
	s := &signInScreen{u: u, store: u.store}
	u.signIn = s
	u.setTitle(T("signin.title"))
	u.win.SetMainMenu(nil)
	u.win.Canvas().SetOnTypedKey(nil)
	u.win.Canvas().SetOnTypedRune(nil)
	u.win.SetContent(s.buildUI())
	type who struct {
		staff     []data.Staff
		needAdmin bool // an HQ device nobody can sign in to yet
		needKey   bool // staff PINs sealed with a key this PC lacks
	}
	st := s.store
	load(u, func(ctx context.Context) (who, error) {
		need, err := st.NeedsFirstAdmin(ctx)
		if err != nil || need {
			return who{needAdmin: need}, err
		}
		staff, err := st.ListStaff(ctx, false)
		if err != nil {
			return who{}, err
		}
		needKey, err := st.NeedsPINKey(ctx)
		return who{staff: staff, needKey: needKey}, err
	}, func(w who, err error) {
		if err != nil {
			s.message.SetError(u.errText(err))
			return
		}
		if w.needAdmin {
			u.signIn = nil
			u.showFirstAdmin()
			return
		}
		s.setStaff(w.staff)
		if w.needKey {
			s.key.box.Show()
			s.message.SetError(T("err.pinkey.needed"))
		}
	})
}

func (s *signInScreen) buildUI() fyne.CanvasObject {
	s.who = widget.NewSelect(nil, func(string) { s.u.win.Canvas().Focus(s.pin) })
	s.who.PlaceHolder = T("signin.who")
	s.pin = &widget.Entry{Password: true, PlaceHolder: T("signin.pin")}
	s.pin.OnSubmitted = func(string) { s.onSubmit() }
	s.submit = &widget.Button{Text: T("signin.submit"), Importance: widget.HighImportance, OnTapped: s.onSubmit}
	s.message = newStatusLine()
	s.key = s.buildPINKeyForm()
	office := heading(s.u.office.Name)
	office.Alignment = fyne.TextAlignCenter
	sub := widget.NewLabel(T("signin.title"))
	sub.Alignment = fyne.TextAlignCenter
	body := container.NewVBox(
		container.NewCenter(container.NewGridWrap(fyne.NewSize(72, 72), &widget.Icon{Resource: logoResource})),
		office, sub,
		s.who, s.pin, s.submit, s.message, s.key.box,
		container.NewCenter(languagePicker(s.u, s.u.showSignIn)),
	)
	s.key.box.Show() // room for it, should this PC lack the PIN key
	h := body.MinSize().Height + 60
	s.key.box.Hide()
	return s.u.withDemoBanner(container.NewCenter(container.NewGridWrap(fyne.NewSize(380, h), body)), true)
}

func (s *signInScreen) setStaff(staff []data.Staff) {
	s.staff = s.staff[:0]
	var names []string
	for _, st := range staff {
		if st.HasPIN {
			s.staff = append(s.staff, st)
			names = append(names, staffOption(st))
		}
	}
	s.who.SetOptions(names)
	if len(names) == 1 {
		s.who.SetSelectedIndex(0)
	}
}

func (s *signInScreen) onSubmit() {
	i := s.who.SelectedIndex()
	if i < 0 || i >= len(s.staff) {
		s.message.SetError(T("signin.pick"))
		return
	}
	if s.pin.Text == "" {
		s.message.SetError(T("err.field.required"))
		return
	}
	id, pin := s.staff[i].ID, s.pin.Text
	s.submit.Disable()
	load(s.u, func(ctx context.Context) (data.Staff, error) {
		return s.store.SignIn(ctx, id, pin)
	}, func(st data.Staff, err error) {
		s.submit.Enable()
		s.pin.SetText("")
		if err != nil {
			if e, ok := data.AsError(err); ok && e.Key == "err.pinkey.needed" {
				s.key.box.Show()
			}
			s.message.SetError(s.u.errText(err))
			return
		}
		s.u.signedIn(st)
		if st.ShortPIN {
			s.u.promptLongerPIN(st, pin)
		}
	})
}

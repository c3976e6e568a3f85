package app

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"anchang/assets"
	"anchang/data"
)

// setupStore is what the first-run form needs from the store;
// *data.Store satisfies it.
type setupStore interface {
	Setup(ctx context.Context, in data.SetupInput) (data.Staff, error)
	EnsureStarterFAQ(ctx context.Context, manual []byte) (int, error)
}

var _ setupStore = (*data.Store)(nil)

// setupScreen is the first-run form: the office, this device and the first
// admin.
type setupScreen struct {
	u          *UI
	store      setupStore
	officeName *widget.Entry
	officeCode *widget.Entry
	deviceName *widget.Entry
	adminName  *widget.Entry
	pin        *widget.Entry
	pin2       *widget.Entry
	fields     []*field
	submit     *widget.Button
	join       *widget.Button // join an office at HQ instead
	message    *statusLine
}

func (u *UI) showSetup() {
	s := &setupScreen{u: u, store: u.store}
	u.setup = s
	u.setTitle(T("setup.title"))
	u.win.SetContent(s.buildUI())
	u.win.Canvas().Focus(s.officeName)
}

func (s *setupScreen) buildUI() fyne.CanvasObject {
	s.officeName = &widget.Entry{PlaceHolder: T("setup.office_name.hint")}
	s.officeCode = &widget.Entry{PlaceHolder: T("setup.office_code.hint")}
	s.deviceName = &widget.Entry{PlaceHolder: T("setup.device_name.hint")}
	s.adminName = &widget.Entry{PlaceHolder: T("setup.admin_name.hint")}
	s.pin = &widget.Entry{Password: true, PlaceHolder: T("setup.pin.hint")}
	s.pin2 = &widget.Entry{Password: true}
	s.pin2.OnSubmitted = func(string) { s.onSubmit() }
	s.fields = []*field{
		newField("office_name", "setup.office_name", s.officeName),
		newField("office_code", "setup.office_code", s.officeCode),
		newField("device_name", "setup.device_name", s.deviceName),
		newField("admin_name", "setup.admin_name", s.adminName),
		newField("admin_pin", "setup.pin", s.pin),
		newField("admin_pin2", "setup.pin2", s.pin2),
	}
	onEdit(s.fields, func() {
		if anyError(s.fields) {
			_, errs := s.check()
			revalidate(s.fields, errs)
		}
	})
	s.submit = &widget.Button{Text: T("setup.submit"), Importance: widget.HighImportance, OnTapped: s.onSubmit}
	s.message = newStatusLine()
	intro := widget.NewLabel(T("setup.intro"))
	intro.Wrapping = fyne.TextWrapWord
	form := container.NewVBox(
		heading(T("setup.title")),
		intro,
		languagePicker(s.u, s.u.showSetup),
		s.joinOffer(),
	)
	if d := s.u.demoOffer(); d != nil { // try the product first, in a directory of its own
		form.Add(d)
	}
	form.Add(formGrid(s.fields...))
	form.Add(s.message)
	form.Add(container.NewHBox(s.submit))
	return container.NewCenter(container.NewGridWrap(fyne.NewSize(640, form.MinSize().Height+40), container.NewPadded(form)))
}

// joinOffer is the other way to start: join an office HQ already has.
func (s *setupScreen) joinOffer() fyne.CanvasObject {
	s.join = &widget.Button{Text: T("sync.join.title"), Icon: theme.NavigateNextIcon(), IconPlacement: widget.ButtonIconTrailingText, OnTapped: s.u.showJoin}
	box := container.NewHBox(widget.NewLabel(T("sync.join.offer")), s.join)
	if !s.u.hqEnabled() {
		box.Hide()
	}
	return box
}

// check is the form's input and every field's error at once, the PINs'
// mismatch included.
func (s *setupScreen) check() (data.SetupInput, map[string]*data.Error) {
	in := data.SetupInput{OfficeName: s.officeName.Text, OfficeCode: s.officeCode.Text, DeviceName: s.deviceName.Text,
		AdminName: s.adminName.Text, AdminPIN: s.pin.Text}
	errs := map[string]*data.Error{}
	if err := in.Validate(); err != nil {
		for f, e := range fieldErrorsOf(err) {
			errs[f] = e
		}
	}
	if s.pin.Text != s.pin2.Text && errs["admin_pin"] == nil {
		errs["admin_pin2"] = &data.Error{Key: "err.pin.mismatch"}
	}
	return in, errs
}

func (s *setupScreen) onSubmit() {
	in, errs := s.check()
	s.message.SetText("")
	if len(errs) > 0 {
		showFieldErrors(s.fields, errs, s.message.SetText)
		return
	}
	showFieldErrors(s.fields, nil, nil)
	s.submit.Disable()
	load(s.u, func(ctx context.Context) (data.Staff, error) {
		admin, err := s.store.Setup(ctx, in)
		if err == nil {
			// The template manual, for the company to replace.
			if _, ferr := s.store.EnsureStarterFAQ(ctx, assets.StarterFAQ); ferr != nil {
				s.u.log.Error("load starter faq", "err", ferr)
			}
		}
		return admin, err
	}, func(admin data.Staff, err error) {
		s.submit.Enable()
		if err != nil {
			if !showFieldErrors(s.fields, fieldErrorsOf(err), s.message.SetText) {
				s.message.SetError(s.u.errText(err))
			}
			return
		}
		s.u.loadDevice()
		s.u.signedIn(admin)
	})
}

// languagePicker switches the app's language, saves the choice and redraws
// the current screen with rebuild.
func languagePicker(u *UI, rebuild func()) fyne.CanvasObject {
	names := []string{"中文", "English"}
	codes := []string{"zh", "en"}
	sel := widget.NewSelect(names, nil)
	for i, c := range codes {
		if c == Language() {
			sel.SetSelectedIndex(i)
		}
	}
	sel.OnChanged = func(string) {
		code := codes[sel.SelectedIndex()]
		if code == Language() {
			return
		}
		SetLanguage(code)
		do(u, func(ctx context.Context) error {
			return u.store.SetSetting(ctx, settingLanguage, code)
		}, func(err error) {
			if err != nil {
				u.log.Error("save language", "err", err)
			}
		})
		rebuild()
	}
	return container.NewHBox(widget.NewLabel(T("settings.language")), sel)
}

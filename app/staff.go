package app

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"anchang/data"
)

// staffStore is what the staff screen needs from the store; *data.Store
// satisfies it.
type staffStore interface {
	ListStaff(ctx context.Context, includeInactive bool) ([]data.Staff, error)
	CreateStaff(ctx context.Context, actorID string, in data.StaffInput) (data.Staff, error)
	UpdateStaff(ctx context.Context, actorID, id string, in data.StaffInput, active bool) error
	stepsStore // the first steps, until consultants are on duty (app/first_steps.go)
}

var _ staffStore = (*data.Store)(nil)

// staffScreen lets the office admin add staff, change roles, reset PINs and
// deactivate people who left.
type staffScreen struct {
	u       *UI
	store   staffStore
	next    *nextStep // the first steps, until consultants are on duty
	list    *widget.List
	staff   []data.Staff
	editing *data.Staff // nil = adding

	formTitle *widget.Label
	name      *widget.Entry
	role      *widget.Select
	pin       *widget.Entry
	active    *widget.Check
	save      *widget.Button
	addNew    *widget.Button
	message   *statusLine
	fields    []*field
}

func newStaffScreen(u *UI) *staffScreen { return &staffScreen{u: u, store: u.store} }

func (s *staffScreen) buildUI() fyne.CanvasObject {
	s.list = widget.NewList(func() int { return len(s.staff) }, func() fyne.CanvasObject {
		cells := []fyne.CanvasObject{widget.NewLabel(""), widget.NewLabel(""), widget.NewLabel("")}
		for _, c := range cells {
			c.(*widget.Label).Truncation = fyne.TextTruncateEllipsis
		}
		return container.NewGridWithColumns(3, cells...)
	}, func(i widget.ListItemID, o fyne.CanvasObject) {
		st := s.staff[i]
		cells := o.(*fyne.Container).Objects
		cells[0].(*widget.Label).SetText(st.Name)
		cells[1].(*widget.Label).SetText(T("role." + string(st.Role)))
		state := T("staff.active")
		if !st.Active {
			state = T("staff.inactive")
		} else if !st.HasPIN {
			state = T("staff.no_pin")
		}
		cells[2].(*widget.Label).SetText(state)
	})
	s.list.OnSelected = func(i widget.ListItemID) {
		if i < len(s.staff) {
			st := s.staff[i]
			s.edit(&st)
		}
	}
	s.formTitle = heading("")
	s.name = &widget.Entry{}
	var roles []string
	for _, r := range data.Roles {
		roles = append(roles, T("role."+string(r)))
	}
	s.role = widget.NewSelect(roles, nil)
	s.role.PlaceHolder = T("checkin.choose")
	s.pin = &widget.Entry{Password: true}
	s.active = widget.NewCheck(T("staff.active"), nil)
	s.save = &widget.Button{Text: T("staff.save"), Importance: widget.HighImportance, OnTapped: s.onSave}
	s.addNew = &widget.Button{Text: T("staff.add"), OnTapped: func() { s.list.UnselectAll(); s.edit(nil) }}
	s.message = newStatusLine()
	s.fields = []*field{
		newField("name", "staff.name", s.name),
		newField("role", "staff.role", s.role),
		newField("pin", "staff.pin", s.pin),
		newField("active", "staff.state", s.active),
	}
	s.next = newNextStep()
	form := container.NewVBox(s.next.box, s.formTitle, formGrid(s.fields...), widget.NewLabel(T("staff.pin_help")), container.NewHBox(s.save, s.addNew), s.message)
	s.edit(nil)
	split := container.NewHSplit(container.NewBorder(heading(T("tab.staff")), nil, nil, nil, s.list), container.NewVScroll(form))
	split.Offset = 0.5
	root := container.NewPadded(split)
	s.next.root = root
	return root
}

func (s *staffScreen) edit(st *data.Staff) {
	s.editing = st
	showFieldErrors(s.fields, nil, nil)
	s.pin.SetText("")
	if st == nil {
		s.formTitle.SetText(T("staff.add"))
		s.name.SetText("")
		s.role.ClearSelected()
		s.active.SetChecked(true)
		s.active.Disable()
		s.pin.SetPlaceHolder(T("staff.pin.new"))
		return
	}
	s.formTitle.SetText(T("staff.edit", map[string]any{"Name": st.Name}))
	s.name.SetText(st.Name)
	for i, r := range data.Roles {
		if r == st.Role {
			s.role.SetSelectedIndex(i)
		}
	}
	s.active.SetChecked(st.Active)
	s.active.Enable()
	s.pin.SetPlaceHolder(T("staff.pin.keep"))
}

func (s *staffScreen) reload() {
	if s.list == nil {
		return
	}
	u := s.u
	load(u, func(ctx context.Context) ([]data.Staff, error) {
		staff, err := s.store.ListStaff(ctx, true)
		sortStaffForList(staff)
		return staff, err
	}, func(staff []data.Staff, err error) {
		if err != nil {
			s.message.SetError(u.errText(err))
			return
		}
		s.staff = staff
		s.list.Refresh()
		s.showStep()
	})
}

// showStep names the next step while the office has no consultant, or
// none on duty today.
func (s *staffScreen) showStep() {
	u := s.u
	load(u, func(ctx context.Context) (int, error) {
		return loadSteps(ctx, s.store)
	}, func(step int, err error) {
		if err != nil || step == s.next.step {
			return
		}
		if step == stepConsultants {
			s.next.show(step, s.addConsultant)
		} else {
			s.next.show(step, u.goToStep(step))
		}
	})
}

// addConsultant opens the form for a new consultant, name first.
func (s *staffScreen) addConsultant() {
	s.list.UnselectAll()
	s.edit(nil)
	for i, r := range data.Roles {
		if r == data.RoleConsultant {
			s.role.SetSelectedIndex(i)
		}
	}
	s.u.win.Canvas().Focus(s.name)
}

func (s *staffScreen) onSave() {
	in := data.StaffInput{Name: s.name.Text, PIN: s.pin.Text}
	if i := s.role.SelectedIndex(); i >= 0 {
		in.Role = data.Roles[i]
	}
	u := s.u
	editing := s.editing
	active := s.active.Checked
	s.save.Disable()
	actor := u.user.ID
	do(u, func(ctx context.Context) error {
		if editing == nil {
			_, err := s.store.CreateStaff(ctx, actor, in)
			return err
		}
		return s.store.UpdateStaff(ctx, actor, editing.ID, in, active)
	}, func(err error) {
		s.save.Enable()
		if err != nil {
			if !showFieldErrors(s.fields, fieldErrorsOf(err), nil) {
				s.message.SetError(u.errText(err))
			} else {
				s.message.SetText("")
			}
			return
		}
		s.message.SetSuccess(T("staff.saved", map[string]any{"Name": in.Name}))
		s.list.UnselectAll()
		s.edit(nil)
	})
}

package app

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"anchang/data"
)

// newInspectionForm starts an inspection: the unit, its owners and their
// phone, the date and who accompanies the owner.
type newInspectionForm struct {
	s *inspectionScreen

	kind      *widget.RadioGroup
	project   *widget.Entry
	building  *widget.Entry
	unit      *widget.Entry
	owners    *widget.Entry
	phone     *widget.Entry
	date      *widget.Entry
	inspector *widget.Select
	start     *widget.Button
	message   *statusLine
	fields    []*field

	staff []data.Staff // behind the inspector select's options
}

func (s *inspectionScreen) showNew() {
	f := &newInspectionForm{s: s}
	s.form = f
	s.show(f.buildUI())
}

func (f *newInspectionForm) buildUI() fyne.CanvasObject {
	u := f.s.u
	f.kind = widget.NewRadioGroup([]string{T("insp.kind.handover"), T("insp.kind.reinspection")}, nil)
	f.kind.Horizontal = true
	f.kind.Required = true
	f.kind.SetSelected(T("insp.kind.handover"))
	f.project = &widget.Entry{PlaceHolder: T("insp.project.hint")}
	f.building = &widget.Entry{PlaceHolder: T("insp.building.hint")}
	f.unit = &widget.Entry{PlaceHolder: T("insp.unit.hint")}
	f.owners = &widget.Entry{PlaceHolder: T("insp.owners.hint")}
	f.phone = &widget.Entry{PlaceHolder: T("checkin.phone.hint")}
	f.date = &widget.Entry{Text: u.now().In(u.location()).Format("2006-01-02")}
	f.inspector = widget.NewSelect(nil, nil)
	f.start = &widget.Button{Text: T("insp.start"), Importance: widget.HighImportance, OnTapped: f.onStart}
	f.message = newStatusLine()
	for _, e := range []*widget.Entry{f.project, f.building, f.unit} {
		e.OnChanged = func(string) { f.lookupDefects() }
	}
	f.fields = []*field{
		newField("kind", "insp.kind", f.kind),
		newField("project", "insp.project", f.project),
		newField("building", "insp.building", f.building),
		newField("unit", "insp.unit", f.unit),
		newField("owners", "insp.owners", f.owners),
		newField("phone", "insp.phone", f.phone),
		newField("date", "insp.date", f.date),
		newField("inspector", "insp.inspector", f.inspector),
	}
	back := &widget.Button{Text: T("insp.back"), OnTapped: f.s.showList}
	form := container.NewVBox(
		bar(heading(T("insp.new")), back),
		formGrid(f.fields...),
		container.NewHBox(f.start, &widget.Button{Text: T("dialog.cancel"), OnTapped: f.s.showList}),
		f.message,
	)
	load(u, func(ctx context.Context) ([]data.Staff, error) {
		return f.s.store.ListStaff(ctx, false)
	}, func(staff []data.Staff, err error) {
		if err != nil {
			f.message.SetError(u.errText(err))
			return
		}
		var opts []string
		me := ""
		for _, st := range staff {
			if st.Role.CanInspect() {
				f.staff = append(f.staff, st)
				opts = append(opts, staffOption(st))
				if st.ID == u.user.ID {
					me = staffOption(st)
				}
			}
		}
		f.inspector.Options = opts
		f.inspector.SetSelected(me)
	})
	// the form is narrow enough to read at 1920 and scrolls at 768
	return container.NewVScroll(container.NewHBox(container.New(fixedWidth(720), form)))
}

// lookupDefects offers a re-inspection when the unit has open defects.
func (f *newInspectionForm) lookupDefects() {
	p, b, n := f.project.Text, f.building.Text, f.unit.Text
	if strings.TrimSpace(p) == "" || strings.TrimSpace(b) == "" || strings.TrimSpace(n) == "" {
		f.message.SetText("")
		return
	}
	load(f.s.u, func(ctx context.Context) (int, error) {
		return f.s.store.OpenDefectCount(ctx, p, b, n)
	}, func(count int, err error) {
		if err != nil || f.project.Text != p || f.building.Text != b || f.unit.Text != n {
			return
		}
		if count > 0 {
			f.message.Importance = widget.WarningImportance
			f.message.SetText(T("insp.has_open_defects", map[string]any{"N": count}))
			f.kind.SetSelected(T("insp.kind.reinspection"))
		} else {
			f.message.SetText("")
		}
	})
}

// splitOwners reads "王秀英、张伟" or "王秀英, 张伟" as two names.
func splitOwners(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune("、,，;；/", r) })
}

func (f *newInspectionForm) onStart() {
	u := f.s.u
	in := data.InspectionInput{Kind: data.InspectionHandover, Project: f.project.Text, Building: f.building.Text, Unit: f.unit.Text,
		Owners: splitOwners(f.owners.Text), Phone: f.phone.Text, Date: f.date.Text}
	if f.kind.Selected == T("insp.kind.reinspection") {
		in.Kind = data.InspectionReinspection
	}
	if i := f.inspector.SelectedIndex(); i >= 0 && i < len(f.staff) {
		in.InspectorID = f.staff[i].ID
	}
	actor := u.user.ID
	setEnabled(f.start, false)
	load(u, func(ctx context.Context) (data.Inspection, error) {
		return f.s.store.StartInspection(ctx, actor, in)
	}, func(ins data.Inspection, err error) {
		setEnabled(f.start, true)
		showFieldErrors(f.fields, fieldErrorsOf(err), nil)
		if err != nil {
			f.message.SetError(u.errText(err))
			return
		}
		f.s.open(ins.ID)
	})
}

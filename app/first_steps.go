package app

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"anchang/data"
)

// The first steps after setup, shown where the desk is still empty: add
// consultants (员工), put them on duty (顾问轮排), replace the starter
// manual with the project's own (咨询应答 → 导入导出). Each card says what
// to do and, for whoever may do it, has a button that goes there; it goes
// away once the step is done.

// Office set-up steps, in order.
const (
	stepNone        = 0
	stepConsultants = 1 // no active consultant
	stepOnDuty      = 2 // nobody on duty today
	stepManual      = 3 // the manual is only the starter template
)

// officeStep is the first step not yet done by the staff and today's
// rotation (the manual's step is checked by the answers tab).
func officeStep(staff []data.Staff, rotation []data.RotationEntry) int {
	consultants := 0
	for _, s := range staff {
		if s.Role == data.RoleConsultant && s.Active {
			consultants++
		}
	}
	if consultants == 0 {
		return stepConsultants
	}
	if len(rotation) == 0 {
		return stepOnDuty
	}
	return stepNone
}

// nextStep is a card naming the next step, with a button that goes there.
type nextStep struct {
	box    *fyne.Container
	title  *widget.Label
	text   *paragraph
	button *widget.Button
	step   int // shown now; stepNone when hidden
	// root is the screen the card sits in: showing or hiding the card
	// changes the height of what is around it, so the screen is laid out
	// again (a hidden card would otherwise leave its space, and the board's
	// first row drawn below it, until the window next resized).
	root fyne.CanvasObject
}

func newNextStep() *nextStep {
	n := &nextStep{title: heading(""), text: newParagraph(""), button: &widget.Button{Importance: widget.HighImportance}}
	bg := canvas.NewRectangle(theme.Color(theme.ColorNameSelection))
	bg.CornerRadius = 6
	n.box = container.NewStack(bg, container.NewPadded(container.NewVBox(n.title, n.text, container.NewHBox(n.button))))
	n.box.Hide()
	return n
}

// show names step; go (nil when the signed-in role may not take the
// step) is what its button does.
func (n *nextStep) show(step int, goTo func()) {
	n.step = step
	if step == stepNone {
		n.box.Hide()
		n.relayout()
		return
	}
	key := map[int]string{stepConsultants: "consultants", stepOnDuty: "on_duty", stepManual: "manual"}[step]
	n.title.SetText(T("steps.title", map[string]any{"Step": step, "Of": stepManual, "What": T("steps." + key + ".title")}))
	if goTo == nil {
		n.text.SetText(T("steps." + key + ".other"))
		n.button.Hide()
	} else {
		n.text.SetText(T("steps." + key + ".text"))
		n.button.SetText(T("steps." + key + ".go"))
		n.button.OnTapped = goTo
		n.button.Show()
	}
	n.box.Show()
	n.box.Refresh()
	n.relayout()
}

func (n *nextStep) relayout() {
	if n.root != nil {
		n.root.Refresh()
	}
}

// goToStep is the button's action for a step, or nil when the signed-in
// role cannot take it.
func (u *UI) goToStep(step int) func() {
	sh := u.shell
	if sh == nil {
		return nil
	}
	switch step {
	case stepConsultants:
		if sh.staff == nil {
			return nil
		}
		return func() {
			sh.selectTabOf(sh.staffTab)
			sh.staff.addConsultant()
		}
	case stepOnDuty:
		return func() { sh.selectTabOf(sh.rotationTab) }
	case stepManual:
		if sh.faqAdmin == nil {
			return nil
		}
		return func() {
			sh.selectTabOf(sh.faqTab)
			sh.faqAdmin.pages.Select(sh.faqAdmin.files)
		}
	}
	return nil
}

// selectTabOf opens a desk tab.
func (sh *shell) selectTabOf(t *tab) {
	if t != nil {
		sh.tabs.Select(t)
	}
}

// stepsStore is what finding the office's first step reads.
type stepsStore interface {
	Today() string
	ListStaff(ctx context.Context, includeInactive bool) ([]data.Staff, error)
	Rotation(ctx context.Context, day string) ([]data.RotationEntry, error)
}

// loadSteps reads what the board's and the staff screen's cards need.
func loadSteps(ctx context.Context, st stepsStore) (int, error) {
	staff, err := st.ListStaff(ctx, false)
	if err != nil {
		return stepNone, err
	}
	rot, err := st.Rotation(ctx, st.Today())
	if err != nil {
		return stepNone, err
	}
	return officeStep(staff, rot), nil
}

// manualIsStarter reports whether every entry the desk answers from is a
// starter template (the project's own manual not yet imported).
func manualIsStarter(entries []data.FAQEntry) bool {
	for _, e := range entries {
		if e.LiveVersion > 0 && !e.Latest.Template {
			return false
		}
	}
	return true
}

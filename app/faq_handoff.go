package app

import (
	"context"
	"strings"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"anchang/data"
)

// The answers tab's hand-offs: a question the manual does not answer goes
// to a colleague, due for follow-up in an hour, and stays listed on the tab
// until someone marks it done.

// handoffForm is the "not answered here" form.
type handoffForm struct {
	modal    *modal
	role     *widget.Select
	staff    *widget.Select
	question *widget.Entry
	visit    *widget.Select
	submit   *widget.Button
	message  *statusLine
	fields   []*field
	staffIDs []string // behind the staff select's options; "" = anyone
}

func handoffRoleText(r data.HandoffRole) string { return T("faq.handoff.role." + string(r)) }

// onNotHere offers to hand the question to a colleague; a search that found
// nothing is recorded as a miss.
func (f *faqScreen) onNotHere() {
	q, problem := cleanQuery(f.search.Text)
	if problem == "" && q != "" && q == f.lastQuery && f.lastTotal == 0 {
		f.recordMiss(q)
	}
	u := f.u
	form := &handoffForm{message: newStatusLine()}
	var roles []string
	for _, r := range data.HandoffRoles {
		roles = append(roles, handoffRoleText(r))
	}
	form.role = widget.NewSelect(roles, nil)
	form.role.PlaceHolder = T("checkin.choose")
	form.staffIDs = []string{""}
	names := []string{T("faq.handoff.staff.none")}
	for _, st := range f.staff {
		if st.ID == u.user.ID {
			continue
		}
		form.staffIDs = append(form.staffIDs, st.ID)
		names = append(names, st.Name+" · "+T("role."+string(st.Role)))
	}
	form.staff = widget.NewSelect(names, nil)
	form.staff.SetSelectedIndex(0)
	form.question = &widget.Entry{MultiLine: true, Wrapping: fyne.TextWrapWord}
	form.question.SetMinRowsVisible(3)
	switch {
	case problem == "" && q != "":
		form.question.SetText(q)
	case f.selected != nil:
		form.question.SetText(f.selected.Question)
	}
	form.visit = widget.NewSelect(f.visit.Options, nil)
	form.visit.SetSelectedIndex(max(f.visit.SelectedIndex(), 0))
	form.fields = []*field{
		newField("to_role", "faq.handoff.role", form.role),
		newField("to_staff", "faq.handoff.staff", form.staff),
		newField("question", "faq.handoff.question", form.question),
		newField("visit", "faq.visit", form.visit),
	}
	cancel := &widget.Button{Text: T("dialog.cancel")}
	form.submit = &widget.Button{Text: T("faq.handoff.submit"), Importance: widget.HighImportance, OnTapped: func() { f.submitHandoff(form) }}
	content := container.NewVBox(formGrid(form.fields...), form.message,
		container.NewHBox(layout.NewSpacer(), cancel, form.submit, layout.NewSpacer()))
	form.modal = u.showModal(T("faq.handoff.title"), container.NewGridWrap(fyne.NewSize(560, content.MinSize().Height), content), "")
	cancel.OnTapped = form.modal.Hide
	u.win.Canvas().Focus(form.question)
}

func (f *faqScreen) submitHandoff(form *handoffForm) {
	u := f.u
	in := data.HandoffInput{Question: form.question.Text}
	if i := form.role.SelectedIndex(); i >= 0 {
		in.ToRole = data.HandoffRoles[i]
	}
	if i := form.staff.SelectedIndex(); i > 0 && i < len(form.staffIDs) {
		in.ToStaffID = form.staffIDs[i]
	}
	if i := form.visit.SelectedIndex(); i > 0 && i-1 < len(f.visits) {
		in.VisitID = f.visits[i-1].VisitID
	}
	form.submit.Disable()
	actor := u.user.ID
	load(u, func(ctx context.Context) (data.Handoff, error) {
		return f.store.HandOffQuestion(ctx, actor, in)
	}, func(h data.Handoff, err error) {
		form.submit.Enable()
		if err != nil {
			showFieldErrors(form.fields, fieldErrorsOf(err), form.message.SetError)
			form.message.SetError(u.errText(err))
			return
		}
		form.modal.Hide()
		f.message.SetSuccess(T("faq.handoff.done_msg", map[string]any{"Role": handoffRoleText(h.ToRole), "Time": u.clockTime(h.DueAt)}))
		f.reloadHandoffs()
	})
}

func (f *faqScreen) reloadHandoffs() {
	u := f.u
	load(u, func(ctx context.Context) ([]data.Handoff, error) {
		return f.store.OpenHandoffs(ctx)
	}, func(open []data.Handoff, err error) {
		if err != nil {
			f.message.SetError(u.errText(err))
			return
		}
		f.open = open
		f.showHandoffs()
	})
}

// showHandoffs lists the open hand-offs, soonest due first, the overdue
// ones in the error colour.
func (f *faqScreen) showHandoffs() {
	u := f.u
	f.handoffs.RemoveAll()
	if len(f.open) == 0 {
		f.handoffs.Add(widget.NewLabel(T("faq.handoffs.none")))
		return
	}
	now := u.now()
	for _, h := range f.open {
		due := &widget.Label{Text: T("faq.handoff.due", map[string]any{"Time": u.clockTime(h.DueAt)}), Importance: widget.WarningImportance}
		if h.Overdue(now) {
			due.Text = T("faq.handoff.overdue", map[string]any{"Time": u.clockTime(h.DueAt)})
			due.Importance = widget.DangerImportance
		}
		to := handoffRoleText(h.ToRole)
		for _, st := range f.staff {
			if st.ID == h.ToStaffID {
				to += " · " + st.Name
			}
		}
		q := h.Question
		if utf8.RuneCountInString(q) > 80 {
			q = string([]rune(q)[:80]) + "…"
		}
		text := &widget.Label{Text: T("faq.handoff.line", map[string]any{"To": to, "Question": strings.Join(strings.Fields(q), " ")}), Wrapping: fyne.TextWrapWord}
		id := h.ID
		done := &widget.Button{Text: T("faq.handoff.finish"), OnTapped: func() { f.onFinishHandoff(id) }}
		buttons := container.NewVBox(done, f.ticketButton(h))
		f.handoffs.Add(container.NewBorder(nil, nil, nil, container.NewCenter(buttons), container.NewVBox(due, text)))
		f.handoffs.Add(widget.NewSeparator())
	}
}

// onFinishHandoff asks for an optional note and marks the hand-off done.
func (f *faqScreen) onFinishHandoff(id string) {
	u := f.u
	note := &widget.Entry{PlaceHolder: T("faq.handoff.note")}
	u.showModal(T("faq.handoff.finish"), container.NewGridWrap(fyne.NewSize(420, note.MinSize().Height), note), T("dialog.cancel"),
		&widget.Button{Text: T("faq.handoff.finish"), Importance: widget.HighImportance, OnTapped: func() {
			text := note.Text
			actor := u.user.ID
			do(u, func(ctx context.Context) error {
				return f.store.FinishHandoff(ctx, actor, id, text)
			}, func(err error) {
				if err != nil {
					f.message.SetError(u.errText(err))
					return
				}
				f.message.SetSuccess(T("faq.handoff.finished"))
				f.reloadHandoffs()
			})
		}})
}

// ticketButton turns a hand-off into an inquiry ticket (the new-ticket
// form, prefilled), or opens the ticket it already became.
func (f *faqScreen) ticketButton(h data.Handoff) *widget.Button {
	if f.u.shell == nil || f.u.shell.tickets == nil {
		b := &widget.Button{}
		b.Hide()
		return b
	}
	tickets := f.u.shell.tickets
	if h.TicketID != "" {
		id := h.TicketID
		return &widget.Button{Text: T("faq.handoff.open_ticket"), OnTapped: func() { tickets.openDetail(id) }}
	}
	return &widget.Button{Text: T("faq.handoff.make_ticket"), OnTapped: func() {
		tickets.openForm(data.TicketInput{Kind: data.TicketInquiry, Category: data.CatService, Severity: data.SeverityGeneral,
			Description: h.Question, VisitID: h.VisitID, OpenedAt: h.CreatedAt}, &h)
	}}
}

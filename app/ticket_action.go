package app

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"anchang/data"
)

// ticketActionForm records one event on a ticket: when it happened (now
// unless changed; never before the ticket's last event), what it carries
// by kind, and a note.
type ticketActionForm struct {
	d     *ticketDetail
	kind  string
	modal *modal

	at          *widget.Entry
	atDefault   string
	to          *widget.Select // assigned: the new owner
	toIDs       []string
	level       *widget.Select // escalated
	score       *widget.Select // revisited: 1–5
	method      *widget.Select // revisited
	quality     *widget.Entry
	effect      *widget.Entry
	shortcoming *widget.Entry
	suggestion  *widget.Entry
	reason      *widget.Select // closed
	note        *widget.Entry
	fields      []*field
	message     *statusLine
	submit      *widget.Button
}

// openAction opens the form for an event of kind.
func (d *ticketDetail) openAction(kind string) {
	u, t := d.s.u, d.t
	f := &ticketActionForm{d: d, kind: kind, message: newStatusLine()}
	f.atDefault = u.now().In(u.location()).Format(ticketTimeLayout)
	f.at = &widget.Entry{Text: f.atDefault}
	f.fields = append(f.fields, newField("at", "ticket.f.at", f.at))
	switch kind {
	case data.EvAssigned:
		var names []string
		for _, st := range d.staff {
			if st.Active && st.ID != t.OwnerID {
				f.toIDs = append(f.toIDs, st.ID)
				names = append(names, staffOption(st))
			}
		}
		f.to = widget.NewSelect(names, nil)
		f.to.PlaceHolder = T("checkin.choose")
		f.fields = append(f.fields, newField("owner", "ticket.f.to", f.to))
	case data.EvEscalated:
		f.level = widget.NewSelect([]string{T(levelKey(data.EscalateSupervisor)), T(levelKey(data.EscalateLeadership))}, nil)
		f.level.SetSelectedIndex(min(t.Escalation, 1))
		f.fields = append(f.fields, newField("level", "ticket.f.level", f.level))
	case data.EvRevisited:
		var scores []string
		for i := 5; i >= 1; i-- {
			scores = append(scores, T("ticket.sat.option", map[string]any{"Score": i, "Text": T(satisfactionKey(i))}))
		}
		f.score = widget.NewSelect(scores, nil)
		f.score.PlaceHolder = T("checkin.choose")
		var methods []string
		for _, m := range data.RevisitMethods {
			methods = append(methods, T("ticket.revisit."+m))
		}
		f.method = widget.NewSelect(methods, nil)
		f.method.SetSelectedIndex(0)
		f.quality = &widget.Entry{}
		f.effect = &widget.Entry{}
		f.shortcoming = &widget.Entry{}
		f.suggestion = &widget.Entry{}
		f.fields = append(f.fields,
			newField("satisfaction", "ticket.f.satisfaction", f.score),
			newField("method", "ticket.f.method", f.method),
			newField("quality", "ticket.f.quality", f.quality),
			newField("effect", "ticket.f.effect", f.effect),
			newField("shortcomings", "ticket.f.shortcomings", f.shortcoming),
			newField("suggestions", "ticket.f.suggestions", f.suggestion))
	case data.EvClosed:
		var reasons []string
		for _, r := range data.CloseReasons {
			reasons = append(reasons, T("ticket.close."+r))
		}
		f.reason = widget.NewSelect(reasons, nil)
		f.reason.PlaceHolder = T("checkin.choose")
		f.fields = append(f.fields, newField("reason", "ticket.f.reason", f.reason))
	}
	f.note = &widget.Entry{MultiLine: true, Wrapping: fyne.TextWrapWord, PlaceHolder: T("ticket.note.hint." + kind)}
	f.note.SetMinRowsVisible(2)
	noteKey := "ticket.f.note"
	if kind == data.EvRevisited {
		noteKey = "ticket.f.comments"
	}
	f.fields = append(f.fields, newField("note", noteKey, f.note))

	cancel := &widget.Button{Text: T("dialog.cancel")}
	f.submit = &widget.Button{Text: T("ticket.act.save"), Importance: widget.HighImportance, OnTapped: f.onSubmit}
	var top []fyne.CanvasObject
	top = append(top, &widget.Label{Text: T("ticket.act.about", map[string]any{"Number": t.Number, "State": T("ticket.state." + string(t.State))}), Wrapping: fyne.TextWrapWord})
	if kind == data.EvEscalated && escalationSuggested(t, u.now()) {
		top = append(top, &widget.Label{Text: T("ticket.hint.escalate", map[string]any{"Time": u.dateTime(t.Deadlines.Escalation)}), Importance: widget.DangerImportance, Wrapping: fyne.TextWrapWord})
	}
	content := container.NewVBox(append(top, formGrid(f.fields...), f.message,
		container.NewHBox(layout.NewSpacer(), cancel, f.submit, layout.NewSpacer()))...)
	f.modal = u.showModal(T("ticket.event."+kind), container.NewGridWrap(fyne.NewSize(560, content.MinSize().Height+60), content), "")
	cancel.OnTapped = f.modal.Hide
	d.form = f
	f.modal.onClosed = func() {
		if d.form == f {
			d.form = nil
		}
	}
}

// event is the event the form holds, or field errors for a time it
// cannot read.
func (f *ticketActionForm) event() (data.TicketEvent, map[string]*data.Error) {
	u := f.d.s.u
	ev := data.TicketEvent{Kind: f.kind, Note: f.note.Text}
	if strings.TrimSpace(f.at.Text) != f.atDefault {
		at, ok := u.parseTicketTime(f.at.Text)
		if !ok || at.IsZero() {
			return ev, map[string]*data.Error{"at": {Code: data.EINVALID, Field: "at", Key: "ticket.err.time"}}
		}
		ev.At = at
	}
	if f.to != nil {
		if i := f.to.SelectedIndex(); i >= 0 && i < len(f.toIDs) {
			ev.To = f.toIDs[i]
		}
	}
	if f.level != nil {
		ev.Level = f.level.SelectedIndex() + 1
	}
	if f.score != nil {
		if i := f.score.SelectedIndex(); i >= 0 {
			ev.Satisfaction = 5 - i
		}
		ev.Revisit = data.RevisitNotes{Method: codeOf(f.method, data.RevisitMethods), Quality: f.quality.Text, Effect: f.effect.Text,
			Shortcomings: f.shortcoming.Text, Suggestions: f.suggestion.Text}
	}
	if f.reason != nil {
		ev.Reason = codeOf(f.reason, data.CloseReasons)
	}
	return ev, nil
}

func (f *ticketActionForm) onSubmit() {
	d := f.d
	u := d.s.u
	ev, errs := f.event()
	if errs != nil {
		showFieldErrors(f.fields, errs, f.message.SetError)
		return
	}
	showFieldErrors(f.fields, nil, nil)
	f.message.SetText("")
	f.submit.Disable()
	id, before, st := d.id, d.t, d.s.store
	actor := u.user.ID
	load(u, func(ctx context.Context) (data.Ticket, error) {
		return st.AddTicketEvent(ctx, actor, id, ev)
	}, func(t data.Ticket, err error) {
		f.submit.Enable()
		if err != nil {
			errs := fieldErrorsOf(err)
			shown := false
			for _, fl := range f.fields {
				shown = shown || errs[fl.name] != nil
			}
			showFieldErrors(f.fields, errs, f.message.SetError)
			if !shown {
				f.message.SetError(u.errText(err))
			}
			return
		}
		f.modal.Hide()
		msg := T("ticket.done", map[string]any{"Event": T("ticket.event." + ev.Kind), "State": T("ticket.state." + string(t.State))})
		if ev.Kind == data.EvRevisited && t.Reopened > before.Reopened {
			msg = T("ticket.done.unsatisfied", map[string]any{"Score": ev.Satisfaction, "Level": T(levelKey(t.Escalation))})
		}
		if ev.Kind == data.EvResolved && t.State == data.StateRevisitDue {
			msg = T("ticket.done.revisit_scheduled", map[string]any{"From": u.dateTime(t.RevisitFrom), "To": u.dateTime(t.RevisitTo)})
		}
		d.load(func() {
			if ev.Kind == data.EvRevisited && t.Reopened > before.Reopened {
				d.notice.SetError(msg)
			} else {
				d.notice.SetSuccess(msg)
			}
		})
		d.s.changed()
	})
}

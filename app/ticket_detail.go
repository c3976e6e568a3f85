package app

import (
	"context"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"anchang/data"
)

// ticketDetail is one ticket in a modal: what was recorded, its deadlines
// and how they stand, the timeline of what happened (who and when), and
// the actions its state allows.
type ticketDetail struct {
	s     *ticketsScreen
	id    string
	modal *modal

	t      data.Ticket
	events []data.TicketEvent
	staff  []data.Staff

	title     *widget.Label
	customer  *widget.Label     // who the ticket is for, at the top: read out first on the phone
	left      *container.Scroll // the record's pane
	hint      *statusLine       // escalation suggested, revisit overdue, reopened
	notice    *statusLine       // what just happened, or why it was refused
	record    *fyne.Container
	deadlines *fyne.Container
	timeline  *fyne.Container
	actions   *fyne.Container
	buttons   map[string]*widget.Button // by event kind, and "print", "print_revisit"
	form      *ticketActionForm         // the open action form, if any
	printing  *printScreen              // the last print modal opened
}

// ticketActions are the actions the detail offers, in order: the event
// each records and its button's key.
var ticketActions = []struct{ kind, key string }{
	{data.EvAcknowledged, "ticket.act.acknowledge"},
	{data.EvAssigned, "ticket.act.assign"},
	{data.EvEscalated, "ticket.act.escalate"},
	{data.EvResponded, "ticket.act.respond"},
	{data.EvResolved, "ticket.act.resolve"},
	{data.EvRevisited, "ticket.act.revisit"},
	{data.EvClosed, "ticket.act.close"},
	{data.EvReopened, "ticket.act.reopen"},
	{data.EvNote, "ticket.act.note"},
}

// ticketActionAllowed reports whether the transition table lets a ticket
// of kind in state take the event (with some closure reason, for closing).
func ticketActionAllowed(kind string, state data.TicketState, ev string) bool {
	probe := data.TicketEvent{Kind: ev, To: "someone", Level: data.EscalateSupervisor, Satisfaction: 5}
	if ev == data.EvClosed {
		for _, r := range data.CloseReasons {
			probe.Reason = r
			if _, err := data.NextTicketState(kind, state, probe); err == nil {
				return true
			}
		}
		return false
	}
	_, err := data.NextTicketState(kind, state, probe)
	return err == nil
}

// mayWork reports whether the signed-in staff member may record events
// other than notes and revisits: the owner, a supervisor or an admin.
func (d *ticketDetail) mayWork() bool {
	u := d.s.u
	return u.user.ID == d.t.OwnerID || u.user.Role == data.RoleSupervisor || u.user.Role == data.RoleAdmin
}

func newTicketDetail(s *ticketsScreen, id string) *ticketDetail {
	u := s.u
	d := &ticketDetail{s: s, id: id, buttons: map[string]*widget.Button{}}
	d.title = &widget.Label{Text: T("ticket.loading"), Wrapping: fyne.TextWrapWord}
	d.hint = newStatusLine()
	d.notice = newStatusLine()
	d.record = container.New(layout.NewFormLayout())
	d.deadlines = container.New(layout.NewFormLayout())
	d.timeline = container.NewVBox()
	d.actions = container.NewGridWithColumns(6)
	d.customer = &widget.Label{Wrapping: fyne.TextWrapWord, SizeName: theme.SizeNameSubHeadingText}
	d.left = container.NewVScroll(container.NewVBox(d.customer, widget.NewSeparator(), heading(T("ticket.deadlines")), d.deadlines, widget.NewSeparator(), d.record))
	left := d.left
	right := container.NewVScroll(container.NewVBox(heading(T("ticket.timeline")), d.timeline))
	split := container.NewHSplit(left, right)
	split.Offset = 0.55
	content := container.NewBorder(container.NewVBox(d.title, d.hint), container.NewVBox(d.notice, d.actions), nil, nil, split)
	d.modal = u.showModal(T("ticket.detail.title"), container.NewGridWrap(u.modalSize(1200, 820), content), T("dialog.close"))
	d.modal.onClosed = func() {
		if d.form != nil {
			d.form.modal.Hide()
		}
		if s.detail == d {
			s.detail = nil
		}
	}
	d.load(nil)
	return d
}

func (d *ticketDetail) close() { d.modal.Hide() }

// load reads the ticket, its events and the staff; then runs then.
func (d *ticketDetail) load(then func()) {
	u := d.s.u
	type result struct {
		t      data.Ticket
		events []data.TicketEvent
		staff  []data.Staff
	}
	id, st := d.id, d.s.store
	actor := u.user.ID
	load(u, func(ctx context.Context) (result, error) {
		t, err := st.Ticket(ctx, actor, id)
		if err != nil {
			return result{}, err
		}
		events, err := st.TicketEvents(ctx, id)
		if err != nil {
			return result{}, err
		}
		staff, err := st.ListStaff(ctx, true)
		return result{t, events, staff}, err
	}, func(r result, err error) {
		if err != nil {
			d.notice.SetError(u.errText(err))
			return
		}
		d.t, d.events, d.staff = r.t, r.events, r.staff
		d.show()
		if then != nil {
			then()
		}
	})
}

func (d *ticketDetail) staffName(id string) string {
	for _, st := range d.staff {
		if st.ID == id {
			return st.Name
		}
	}
	return ""
}

// show fills the detail from the loaded ticket.
func (d *ticketDetail) show() {
	u, t := d.s.u, d.t
	d.title.SetText(T("ticket.detail.head", map[string]any{"Number": t.Number, "Kind": T("ticket.kind." + t.Kind), "State": T("ticket.state." + string(t.State))}))
	d.title.Importance = widget.HighImportance
	d.title.Refresh()
	d.showHint()

	d.customer.SetText(customerLine(t))

	d.record.RemoveAll()
	add := func(key, value string) {
		if strings.TrimSpace(value) == "" {
			return
		}
		d.record.Add(widget.NewLabel(T(key)))
		d.record.Add(&widget.Label{Text: value, Wrapping: fyne.TextWrapWord})
	}
	sev := T("ticket.cat."+t.Category) + " · " + severityText(t.Severity, t.Urgent)
	add("ticket.f.category", sev)
	valid := T("ticket.valid")
	if !t.Valid {
		valid = T("ticket.invalid_mark")
	}
	add("ticket.f.validity", valid)
	add("ticket.f.opened_at", u.dateTime(t.OpenedAt))
	add("ticket.f.occurred_at", u.dateTime(t.OccurredAt))
	add("ticket.f.place", strings.Join(strings.Fields(t.Project+" "+t.Building+" "+t.Unit), " "))
	add("ticket.f.subject", t.Subject)
	add("ticket.f.description", t.Description)
	add("ticket.f.demand", t.Demand)
	add("ticket.f.department", t.Department)
	add("ticket.f.owner", t.OwnerName)
	add("ticket.f.opened_by", d.staffName(t.CreatedBy))
	if t.HandoffID != "" {
		add("ticket.f.source", T("ticket.from_handoff.short"))
	}
	if t.VisitID != "" {
		add("ticket.f.visit", T("ticket.visit.linked"))
	}
	add("ticket.f.policy", T("ticket.policy", map[string]any{"Version": t.Deadlines.PolicyVersion}))

	d.showDeadlines()
	d.showTimeline()
	d.showActions()
}

// customerLine is who the ticket is for: name, phone and unit, or that
// the customer left none.
func customerLine(t data.Ticket) string {
	phone := t.Phone
	if strings.HasPrefix(phone, "+") {
		phone = data.FormatPhone(phone)
	}
	who := strings.TrimSpace(t.CustomerName + "  " + phone)
	if who == "" {
		who = T("ticket.customer.none")
	}
	if place := strings.Join(strings.Fields(t.Project+" "+t.Building+" "+t.Unit), " "); place != "" {
		who += " · " + place
	}
	return T("ticket.customer.line", map[string]any{"Customer": who})
}

// tick re-reckons how the deadlines stand now, without reading the store.
func (d *ticketDetail) tick() {
	d.showHint()
	d.showDeadlines()
	d.showActions()
}

// showHint says what needs doing: escalation suggested, a revisit overdue,
// an unsatisfactory revisit that reopened the ticket.
func (d *ticketDetail) showHint() {
	u, t := d.s.u, d.t
	now := u.now()
	var lines []string
	if escalationSuggested(t, now) {
		lines = append(lines, T("ticket.hint.escalate", map[string]any{"Time": u.dateTime(t.Deadlines.Escalation)}))
	}
	if t.RevisitOverdue(now) {
		lines = append(lines, T("ticket.hint.revisit_overdue", map[string]any{"Time": u.dateTime(t.RevisitTo)}))
	}
	if t.State.IsOpen() && t.Reopened > 0 && t.Satisfaction > 0 && t.Satisfaction <= data.UnsatisfiedMax {
		lines = append(lines, T("ticket.hint.unsatisfied", map[string]any{"Score": t.Satisfaction, "Level": T(levelKey(t.Escalation))}))
	}
	if !t.Valid && t.State.IsOpen() {
		lines = append(lines, T("ticket.hint.invalid"))
	}
	d.hint.SetError(strings.Join(lines, "\n"))
}

// escalationSuggested reports whether the ticket's escalation deadline has
// passed while it is still being handled and nobody escalated it (as the
// list's data.TicketRow.EscalationSuggested).
func escalationSuggested(t data.Ticket, now time.Time) bool {
	switch t.State {
	case data.StateOpen, data.StateAcknowledged, data.StateResponded:
		return t.Escalation == 0 && !t.Deadlines.Escalation.IsZero() && !now.Before(t.Deadlines.Escalation)
	}
	return false
}

func levelKey(level int) string {
	return "ticket.level." + itoa(min(max(level, data.EscalateSupervisor), data.EscalateLeadership))
}

// deadline state texts and colours.
func (d *ticketDetail) dueValue(opened, due time.Time, met time.Time, metKey string) (string, widget.Importance) {
	u := d.s.u
	if due.IsZero() {
		return T("ticket.dl.none"), widget.MediumImportance
	}
	if !met.IsZero() {
		key, imp := metKey, widget.SuccessImportance
		if met.After(due) {
			key, imp = metKey+"_late", widget.WarningImportance
		}
		return T(key, map[string]any{"Time": u.dateTime(met), "Due": u.dateTime(due)}), imp
	}
	if !d.t.State.IsOpen() {
		return u.dateTime(due), widget.MediumImportance
	}
	switch data.Due(opened, due, u.now()) {
	case data.DueOverdue:
		return T("ticket.dl.overdue", map[string]any{"Time": u.dateTime(due)}), widget.DangerImportance
	case data.DueSoon:
		return T("ticket.dl.due_soon", map[string]any{"Time": u.dateTime(due)}), widget.WarningImportance
	}
	return T("ticket.dl.pending", map[string]any{"Time": u.dateTime(due)}), widget.MediumImportance
}

func (d *ticketDetail) showDeadlines() {
	u, t := d.s.u, d.t
	now := u.now()
	d.deadlines.RemoveAll()
	row := func(key, text string, imp widget.Importance) {
		d.deadlines.Add(widget.NewLabel(T(key)))
		d.deadlines.Add(&widget.Label{Text: text, Importance: imp, Wrapping: fyne.TextWrapWord})
	}
	if !t.Deadlines.Entry.IsZero() {
		if t.CreatedAt.After(t.Deadlines.Entry) {
			row("ticket.deadline.entry", T("ticket.dl.entry_late", map[string]any{"Due": u.dateTime(t.Deadlines.Entry)}), widget.WarningImportance)
		} else {
			row("ticket.deadline.entry", T("ticket.dl.entry_ok", map[string]any{"Time": u.dateTime(t.CreatedAt)}), widget.SuccessImportance)
		}
	}
	if !t.Deadlines.Ack.IsZero() {
		// Taken up when acknowledged, or answered or resolved first.
		taken := t.Acknowledged
		for _, x := range []time.Time{t.Responded, t.Resolved} {
			if !x.IsZero() && (taken.IsZero() || x.Before(taken)) {
				taken = x
			}
		}
		text, imp := d.dueValue(t.OpenedAt, t.Deadlines.Ack, taken, "ticket.dl.acknowledged")
		row("ticket.deadline.ack", text, imp)
	}
	text, imp := d.dueValue(t.OpenedAt, t.Deadlines.Response, t.Responded, "ticket.dl.responded")
	row("ticket.deadline.response", text, imp)
	switch {
	case t.Deadlines.Escalation.IsZero() && t.Escalation == 0:
		row("ticket.deadline.escalation", T("ticket.dl.none"), widget.MediumImportance)
	case t.Escalation > 0:
		row("ticket.deadline.escalation", T("ticket.dl.escalated", map[string]any{"Level": T(levelKey(t.Escalation))}), widget.SuccessImportance)
	case escalationSuggested(t, now):
		row("ticket.deadline.escalation", T("ticket.dl.escalate_now", map[string]any{"Time": u.dateTime(t.Deadlines.Escalation)}), widget.DangerImportance)
	default:
		row("ticket.deadline.escalation", T("ticket.dl.pending", map[string]any{"Time": u.dateTime(t.Deadlines.Escalation)}), widget.MediumImportance)
	}
	text, imp = d.dueValue(t.OpenedAt, t.Deadlines.Resolution, t.Resolved, "ticket.dl.resolved")
	row("ticket.deadline.resolution", text, imp)
	if !t.Deadlines.Requested.IsZero() {
		key := "ticket.dl.requested_sooner" // the owner's deadline is the one in force
		if t.Deadlines.Requested.After(t.Deadlines.Resolution) {
			key = "ticket.dl.requested_later"
		}
		row("ticket.deadline.requested", T(key, map[string]any{"Time": u.dateTime(t.Deadlines.Requested)}), widget.MediumImportance)
	}
	switch {
	case !data.NeedsRevisit(t.Kind):
		row("ticket.deadline.revisit", T("ticket.dl.no_revisit"), widget.MediumImportance)
	case t.RevisitOverdue(now):
		row("ticket.deadline.revisit", T("ticket.dl.revisit_overdue", map[string]any{"From": u.dateTime(t.RevisitFrom), "To": u.dateTime(t.RevisitTo)}), widget.DangerImportance)
	case t.State == data.StateRevisitDue:
		imp := widget.WarningImportance
		if now.After(t.RevisitTo) {
			imp = widget.DangerImportance
		}
		row("ticket.deadline.revisit", T("ticket.dl.revisit_window", map[string]any{"From": u.dateTime(t.RevisitFrom), "To": u.dateTime(t.RevisitTo)}), imp)
	case !t.Revisited.IsZero():
		row("ticket.deadline.revisit", T("ticket.dl.revisited", map[string]any{"Time": u.dateTime(t.Revisited), "Score": t.Satisfaction}), widget.SuccessImportance)
	default:
		row("ticket.deadline.revisit", T("ticket.dl.revisit_after"), widget.MediumImportance)
	}
	if !t.State.IsOpen() {
		row("ticket.dl.closed", T("ticket.dl.closed_at", map[string]any{"Time": u.dateTime(t.Closed), "Reason": T("ticket.close." + t.CloseReason)}), widget.MediumImportance)
	}
	if len(t.EstimatedYears) > 0 {
		row("ticket.deadline.calendar", T("ticket.dl.estimated", map[string]any{"Years": yearList(t.EstimatedYears)}), widget.WarningImportance)
	}
}

// yearList is years joined for a sentence: 2027、2028.
func yearList(years []int) string {
	parts := make([]string, len(years))
	for i, y := range years {
		parts[i] = strconv.Itoa(y)
	}
	return strings.Join(parts, T("settings.holidays.sep"))
}

// eventText is one event of the timeline: when, what and who on the
// first line; what it carried on the next.
func (d *ticketDetail) eventText(ev data.TicketEvent) (string, string) {
	u := d.s.u
	by := ev.ByName
	if by == "" {
		by = d.staffName(ev.By)
	}
	head := T("ticket.ev.head", map[string]any{"Time": u.dateTime(ev.At), "Event": T("ticket.event." + ev.Kind), "By": by})
	var more []string
	if ev.Skipped {
		more = append(more, T("ticket.event.skipped"))
	}
	if ev.Auto {
		more = append(more, T("ticket.ev.auto"))
	}
	switch ev.Kind {
	case data.EvOpened:
		if ev.Valid != nil && !*ev.Valid {
			more = append(more, T("ticket.invalid_mark"))
		}
	case data.EvAssigned:
		more = append(more, T("ticket.ev.to", map[string]any{"Name": d.staffName(ev.To)}))
	case data.EvEscalated:
		more = append(more, T("ticket.ev.level", map[string]any{"Level": T(levelKey(ev.Level))}))
		if ev.To != "" {
			more = append(more, T("ticket.ev.to", map[string]any{"Name": d.staffName(ev.To)}))
		}
	case data.EvRevisitScheduled:
		more = append(more, T("ticket.ev.window", map[string]any{"From": u.dateTime(ev.From), "To": u.dateTime(ev.Due)}))
	case data.EvRevisited:
		more = append(more, T("ticket.ev.satisfaction", map[string]any{"Score": ev.Satisfaction, "Text": T(satisfactionKey(ev.Satisfaction))}))
		if ev.Revisit.Method != "" {
			more = append(more, T("ticket.revisit."+ev.Revisit.Method))
		}
		for _, f := range []struct{ key, v string }{{"ticket.f.quality", ev.Revisit.Quality}, {"ticket.f.effect", ev.Revisit.Effect},
			{"ticket.f.shortcomings", ev.Revisit.Shortcomings}, {"ticket.f.suggestions", ev.Revisit.Suggestions}} {
			if f.v != "" {
				more = append(more, T("ticket.ev.field", map[string]any{"Name": T(f.key), "Value": f.v}))
			}
		}
	case data.EvClosed:
		more = append(more, T("ticket.close."+ev.Reason))
	}
	if ev.Note != "" {
		more = append(more, T("ticket.ev.note", map[string]any{"Note": ev.Note}))
	}
	if !ev.RecordedAt.IsZero() && ev.RecordedAt.Sub(ev.At) > 10*time.Minute {
		more = append(more, T("ticket.ev.recorded", map[string]any{"Time": u.dateTime(ev.RecordedAt)}))
	}
	return head, strings.Join(more, " · ")
}

func satisfactionKey(n int) string {
	return "ticket.satisfaction." + itoa(min(max(n, 1), 5))
}

func (d *ticketDetail) showTimeline() {
	d.timeline.RemoveAll()
	for i := len(d.events) - 1; i >= 0; i-- { // newest first
		ev := d.events[i]
		head, more := d.eventText(ev)
		h := &widget.Label{Text: head, Wrapping: fyne.TextWrapWord}
		switch {
		case ev.Kind == data.EvEscalated || (ev.Kind == data.EvRevisited && ev.Satisfaction <= data.UnsatisfiedMax) || ev.Kind == data.EvReopened:
			h.Importance = widget.DangerImportance
		case ev.Kind == data.EvClosed || ev.Kind == data.EvResolved:
			h.Importance = widget.SuccessImportance
		}
		d.timeline.Add(h)
		if more != "" {
			d.timeline.Add(&widget.Label{Text: more, Wrapping: fyne.TextWrapWord})
		}
		d.timeline.Add(widget.NewSeparator())
	}
}

func (d *ticketDetail) showActions() {
	u, t := d.s.u, d.t
	d.actions.RemoveAll()
	d.buttons = map[string]*widget.Button{}
	work := d.mayWork()
	escalate := escalationSuggested(t, u.now())
	for _, a := range ticketActions {
		if !ticketActionAllowed(t.Kind, t.State, a.kind) {
			continue
		}
		kind := a.kind
		b := &widget.Button{Text: T(a.key), OnTapped: func() { d.openAction(kind) }}
		switch {
		case kind == data.EvEscalated && escalate:
			b.Importance = widget.DangerImportance
		case kind == data.EvRevisited && t.State == data.StateRevisitDue && u.now().After(t.RevisitTo):
			b.Importance = widget.DangerImportance // late: the supervisor follows it up
		case kind == data.EvRevisited && t.State == data.StateRevisitDue && !u.now().Before(t.RevisitFrom):
			b.Importance = widget.HighImportance // due now
		}
		if kind != data.EvNote && kind != data.EvRevisited && !work {
			b.Disable()
		}
		d.buttons[kind] = b
		d.actions.Add(b)
	}
	p := &widget.Button{Text: T("ticket.print"), OnTapped: func() { d.printing = u.printTicket(d.id) }}
	d.buttons["print"] = p
	d.actions.Add(p)
	if !t.Revisited.IsZero() {
		pr := &widget.Button{Text: T("ticket.print_revisit"), OnTapped: func() { d.printing = u.printTicketRevisit(d.id) }}
		d.buttons["print_revisit"] = pr
		d.actions.Add(pr)
	}
	d.actions.Refresh()
}

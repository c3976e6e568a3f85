package app

import (
	"context"
	"errors"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"anchang/data"
)

// ticketForm is the new-ticket form (新建工单): the reception/complaint
// record's columns. A FAQ hand-off opens it prefilled as an inquiry.
type ticketForm struct {
	s       *ticketsScreen
	modal   *modal
	handoff *data.Handoff // the hand-off it turns into a ticket, if any

	kind, category, severity *widget.Select
	urgent, invalid          *widget.Check
	openedAt, occurredAt     *widget.Entry
	requestedBy              *widget.Entry // the owner's requested deadline, optional
	openedDefault            string
	project, building, unit  *widget.Entry
	subject, department      *widget.Entry
	description, demand      *widget.Entry
	customer, phone          *widget.Entry
	visit                    *widget.Select
	visitIDs                 []string // behind the visit select's options; "" = none
	fields                   []*field
	message                  *statusLine
	submit                   *widget.Button
	// known says what the office knows of the phone typed: the customer
	// and their open tickets (a new one is likely a repeat).
	known     *widget.Label
	lookupSeq int
}

// ticketTimeLayout is how the form shows and reads times.
const ticketTimeLayout = "2006-01-02 15:04"

// openForm shows the new-ticket form with prefill's values; from a
// hand-off it is an inquiry opened when the question was handed off.
func (s *ticketsScreen) openForm(prefill data.TicketInput, handoff *data.Handoff) *ticketForm {
	u := s.u
	f := &ticketForm{s: s, handoff: handoff, message: newStatusLine()}
	s.form = f
	var kinds, cats, sevs []string
	for _, k := range data.TicketKinds {
		kinds = append(kinds, T("ticket.kind."+k))
	}
	for _, c := range data.TicketCategories {
		cats = append(cats, T("ticket.cat."+c))
	}
	for _, v := range data.Severities {
		sevs = append(sevs, T("ticket.sev."+v))
	}
	f.kind = widget.NewSelect(kinds, nil)
	f.kind.PlaceHolder = T("checkin.choose")
	f.category = widget.NewSelect(cats, nil)
	f.category.PlaceHolder = T("checkin.choose")
	f.severity = widget.NewSelect(sevs, nil)
	f.severity.PlaceHolder = T("checkin.choose")
	selectCode(f.kind, data.TicketKinds, prefill.Kind)
	selectCode(f.category, data.TicketCategories, prefill.Category)
	if prefill.Severity == "" {
		prefill.Severity = data.SeverityGeneral
	}
	selectCode(f.severity, data.Severities, prefill.Severity)
	f.urgent = widget.NewCheck(T("ticket.urgent"), nil)
	f.urgent.Checked = prefill.Urgent
	f.invalid = widget.NewCheck(T("ticket.invalid"), nil)
	f.invalid.Checked = prefill.Invalid

	opened := u.now()
	if !prefill.OpenedAt.IsZero() {
		opened = prefill.OpenedAt
	}
	f.openedDefault = opened.In(u.location()).Format(ticketTimeLayout)
	f.openedAt = &widget.Entry{Text: f.openedDefault}
	f.occurredAt = &widget.Entry{PlaceHolder: T("ticket.time.hint")}
	if !prefill.OccurredAt.IsZero() {
		f.occurredAt.Text = prefill.OccurredAt.In(u.location()).Format(ticketTimeLayout)
	}
	f.requestedBy = &widget.Entry{PlaceHolder: T("ticket.requested.hint")}
	if !prefill.RequestedBy.IsZero() {
		f.requestedBy.Text = prefill.RequestedBy.In(u.location()).Format(ticketTimeLayout)
	}
	line := func(text, hint string) *widget.Entry { return &widget.Entry{Text: text, PlaceHolder: hint} }
	f.project = line(prefill.Project, "")
	f.building = line(prefill.Building, "")
	f.unit = line(prefill.Unit, "")
	f.subject = line(prefill.Subject, T("ticket.subject.hint"))
	f.department = line(prefill.Department, "")
	f.customer = line(prefill.CustomerName, "")
	f.phone = line(prefill.Phone, "")
	f.phone.OnChanged = func(string) { f.lookUpPhone() }
	f.known = &widget.Label{Wrapping: fyne.TextWrapWord, Importance: widget.WarningImportance}
	f.known.Hide()
	multi := func(text string) *widget.Entry {
		e := &widget.Entry{Text: text, MultiLine: true, Wrapping: fyne.TextWrapWord}
		e.SetMinRowsVisible(3)
		return e
	}
	f.description = multi(prefill.Description)
	f.description.SetMinRowsVisible(5)
	f.demand = multi(prefill.Demand)
	f.visit = widget.NewSelect([]string{T("ticket.visit.none")}, nil)
	f.visit.SetSelectedIndex(0)
	f.visitIDs = []string{""}
	if prefill.VisitID != "" {
		f.visit.Options = append(f.visit.Options, T("ticket.visit.linked"))
		f.visitIDs = append(f.visitIDs, prefill.VisitID)
		f.visit.SetSelectedIndex(1)
	}
	f.visit.OnChanged = func(string) { f.onVisit() }
	if handoff != nil {
		f.kind.Disable()
	}

	fKind := newField("kind", "ticket.f.kind", f.kind)
	fCat := newField("category", "ticket.f.category", f.category)
	fSev := newField("severity", "ticket.f.severity", container.NewBorder(nil, nil, nil, container.NewHBox(f.urgent, f.invalid), f.severity))
	fOpened := newField("opened_at", "ticket.f.opened_at", f.openedAt)
	fOccurred := newField("occurred_at", "ticket.f.occurred_at", f.occurredAt)
	fRequested := newField("requested_by", "ticket.f.requested_by", f.requestedBy)
	fVisit := newField("visit", "ticket.f.visit", f.visit)
	fCustomer := newField("customer_name", "ticket.f.customer", f.customer)
	fPhone := newField("phone", "ticket.f.phone", f.phone)
	fDept := newField("department", "ticket.f.department", f.department)
	fProject := newField("project", "ticket.f.project", f.project)
	fBuilding := newField("building", "ticket.f.building", f.building)
	fUnit := newField("unit", "ticket.f.unit", f.unit)
	fSubject := newField("subject", "ticket.f.subject", f.subject)
	fDesc := newField("description", "ticket.f.description", f.description)
	fDemand := newField("demand", "ticket.f.demand", f.demand)
	left := []*field{fKind, fCat, fSev, fOpened, fOccurred, fRequested, fVisit, fCustomer, fPhone}
	right := []*field{fProject, fBuilding, fUnit, fSubject, fDept, fDesc, fDemand}
	f.fields = append(append([]*field{}, left...), right...)

	cancel := &widget.Button{Text: T("dialog.cancel")}
	f.submit = &widget.Button{Text: T("ticket.save"), Importance: widget.HighImportance, OnTapped: f.onSubmit}
	var head fyne.CanvasObject = layout.NewSpacer()
	if handoff != nil {
		head = &widget.Label{Text: T("ticket.from_handoff", map[string]any{"Time": u.dateTime(handoff.CreatedAt)}), Wrapping: fyne.TextWrapWord, Importance: widget.HighImportance}
	}
	body := container.NewGridWithColumns(2, formGrid(left...), formGrid(right...))
	buttons := container.NewHBox(layout.NewSpacer(), cancel, f.submit, layout.NewSpacer())
	foot := container.NewVBox(f.known, f.message, buttons)
	content := container.NewBorder(head, foot, nil, nil, container.NewVScroll(body))
	// As tall as the form with a line of error under each field, or the window allows.
	h := body.MinSize().Height + head.MinSize().Height + foot.MinSize().Height + 4*theme.Padding() + 5*fyne.MeasureText("Xg", theme.TextSize(), fyne.TextStyle{}).Height
	f.modal = u.showModal(T("ticket.new.title"), container.NewGridWrap(u.modalSize(940, h), content), "")
	cancel.OnTapped = f.modal.Hide
	f.loadVisits(prefill.VisitID)
	u.win.Canvas().Focus(f.description)
	return f
}

// selectCode selects the option of code in codes.
func selectCode(s *widget.Select, codes []string, code string) {
	for i, c := range codes {
		if c == code {
			s.SetSelectedIndex(i)
		}
	}
}

// codeOf is the code behind a select's chosen option, "" when none.
func codeOf(s *widget.Select, codes []string) string {
	if i := s.SelectedIndex(); i >= 0 && i < len(codes) {
		return codes[i]
	}
	return ""
}

// loadVisits offers today's visits to link (a consultant's own).
func (f *ticketForm) loadVisits(linked string) {
	u := f.s.u
	bf := data.BoardFilter{}
	if u.user.Role == data.RoleConsultant {
		bf.ConsultantID = u.user.ID
	}
	load(u, func(ctx context.Context) (data.Board, error) {
		return f.s.store.Board(ctx, f.s.store.Today(), bf)
	}, func(b data.Board, err error) {
		if err != nil {
			u.log.Warn("ticket form: today's visits", "err", err)
			return
		}
		opts, ids := []string{T("ticket.visit.none")}, []string{""}
		sel := 0
		for _, r := range b.Rows {
			ids = append(ids, r.VisitID)
			opts = append(opts, T("ticket.visit.option", map[string]any{"Time": u.clockTime(r.ArrivedAt), "Name": visitorName(r.Name, r.Title), "Phone": r.PhoneMasked}))
			if r.VisitID == linked {
				sel = len(ids) - 1
			}
		}
		if linked != "" && sel == 0 {
			ids = append(ids, linked)
			opts = append(opts, T("ticket.visit.linked"))
			sel = len(ids) - 1
		}
		f.visitIDs = ids
		f.visit.OnChanged = nil
		f.visit.Options = opts
		f.visit.SetSelectedIndex(sel)
		f.visit.OnChanged = func(string) { f.onVisit() }
		f.visit.Refresh()
		if sel > 0 {
			f.onVisit()
		}
	})
}

// onVisit fills in the customer of the chosen visit while the contact is
// empty; the full number only where the role may see it.
func (f *ticketForm) onVisit() {
	u := f.s.u
	i := f.visit.SelectedIndex()
	if i <= 0 || i >= len(f.visitIDs) || strings.TrimSpace(f.customer.Text) != "" || strings.TrimSpace(f.phone.Text) != "" {
		return
	}
	id := f.visitIDs[i]
	actor := u.user.ID
	load(u, func(ctx context.Context) (data.Visit, error) {
		return f.s.store.VisitDetail(ctx, actor, id)
	}, func(v data.Visit, err error) {
		if err != nil || strings.TrimSpace(f.customer.Text) != "" || strings.TrimSpace(f.phone.Text) != "" {
			return
		}
		f.customer.SetText(visitorName(v.Name, v.Title))
		if !strings.Contains(v.Phone, "*") {
			f.phone.SetText(v.Phone)
		}
	})
}

// lookUpPhone looks the typed number up: a known customer's name and unit
// fill the fields still empty, and their open tickets are listed before
// the receptionist writes a likely repeat.
func (f *ticketForm) lookUpPhone() {
	u := f.s.u
	phone := f.phone.Text
	actor := u.user.ID
	f.lookupSeq++
	seq := f.lookupSeq
	if _, err := data.NormalizePhone("phone", phone); err != nil {
		f.known.SetText("")
		f.known.Hide()
		return
	}
	load(u, func(ctx context.Context) (data.PhoneCustomer, error) {
		c, ok, err := f.s.store.CustomerByPhone(ctx, actor, phone)
		if !ok && err == nil {
			return data.PhoneCustomer{}, errUnknownPhone
		}
		return c, err
	}, func(c data.PhoneCustomer, err error) {
		if seq != f.lookupSeq {
			return
		}
		if err != nil {
			if err != errUnknownPhone {
				u.log.Warn("ticket form: phone lookup", "err", err)
			}
			f.known.SetText("")
			f.known.Hide()
			return
		}
		for _, fill := range []struct {
			e *widget.Entry
			v string
		}{{f.customer, visitorName(c.Name, c.Title)}, {f.project, c.Project}, {f.building, c.Building}, {f.unit, c.Unit}} {
			if strings.TrimSpace(fill.e.Text) == "" && fill.v != "" {
				fill.e.SetText(fill.v)
			}
		}
		lines := []string{T("ticket.known", map[string]any{"Name": visitorName(c.Name, c.Title)})}
		if len(c.OpenTickets) == 0 {
			lines[0] += " " + T("ticket.known.no_open")
		} else {
			lines[0] += " " + T("ticket.known.open", map[string]any{"Count": len(c.OpenTickets)})
			for i, t := range c.OpenTickets {
				if i == 3 {
					lines = append(lines, T("ticket.known.more", map[string]any{"Count": len(c.OpenTickets) - 3}))
					break
				}
				lines = append(lines, "  "+strings.Join([]string{t.Number, T("ticket.kind." + t.Kind), T("ticket.state." + string(t.State)),
					u.dateTime(t.OpenedAt), t.Summary}, " · "))
			}
		}
		f.known.SetText(strings.Join(lines, "\n"))
		f.known.Show()
	})
}

// errUnknownPhone: a number the office has not recorded.
var errUnknownPhone = errors.New("unknown phone")

// parseTicketTime reads a time typed in the form ("" = zero).
func (u *UI) parseTicketTime(s string) (time.Time, bool) {
	s = strings.TrimSpace(strings.ReplaceAll(data.FoldInput(s), "：", ":"))
	if s == "" {
		return time.Time{}, true
	}
	t, err := time.ParseInLocation(ticketTimeLayout, s, u.location())
	return t, err == nil
}

// parseDeadline reads a deadline as a time (2026-11-23 14:30) or a day
// alone (2026-11-23: by the end of the working day, 18:00); "" is none.
func (u *UI) parseDeadline(s string) (time.Time, bool) {
	if t, ok := u.parseTicketTime(s); ok {
		return t, true
	}
	s = strings.TrimSpace(data.FoldInput(s))
	d, err := time.ParseInLocation(time.DateOnly, s, u.location())
	if err != nil {
		return time.Time{}, false
	}
	return d.Add(data.DefaultWorkEnd), true
}

// input is what the form holds, or field errors for times it cannot read.
func (f *ticketForm) input() (data.TicketInput, map[string]*data.Error) {
	u := f.s.u
	in := data.TicketInput{
		Kind: codeOf(f.kind, data.TicketKinds), Category: codeOf(f.category, data.TicketCategories), Severity: codeOf(f.severity, data.Severities),
		Urgent: f.urgent.Checked, Invalid: f.invalid.Checked,
		Project: f.project.Text, Building: f.building.Text, Unit: f.unit.Text, Subject: f.subject.Text, Department: f.department.Text,
		Description: f.description.Text, Demand: f.demand.Text, CustomerName: f.customer.Text, Phone: f.phone.Text,
	}
	if i := f.visit.SelectedIndex(); i > 0 && i < len(f.visitIDs) {
		in.VisitID = f.visitIDs[i]
	}
	errs := map[string]*data.Error{}
	if strings.TrimSpace(f.openedAt.Text) != f.openedDefault {
		t, ok := u.parseTicketTime(f.openedAt.Text)
		if !ok || t.IsZero() {
			errs["opened_at"] = &data.Error{Code: data.EINVALID, Field: "opened_at", Key: "ticket.err.time"}
		}
		in.OpenedAt = t
	}
	if t, ok := u.parseTicketTime(f.occurredAt.Text); ok {
		in.OccurredAt = t
	} else {
		errs["occurred_at"] = &data.Error{Code: data.EINVALID, Field: "occurred_at", Key: "ticket.err.time"}
	}
	if t, ok := u.parseDeadline(f.requestedBy.Text); ok {
		in.RequestedBy = t
	} else {
		errs["requested_by"] = &data.Error{Code: data.EINVALID, Field: "requested_by", Key: "ticket.err.requested_time"}
	}
	if len(errs) > 0 {
		return in, errs
	}
	return in, nil
}

func (f *ticketForm) onSubmit() {
	u := f.s.u
	in, errs := f.input()
	if errs != nil {
		showFieldErrors(f.fields, errs, f.message.SetError)
		f.message.SetError(T("err.form"))
		return
	}
	f.message.SetText("")
	f.submit.Disable()
	handoff := f.handoff
	actor := u.user.ID
	load(u, func(ctx context.Context) (data.Ticket, error) {
		if handoff != nil {
			return f.s.store.OpenTicketFromHandoff(ctx, actor, handoff.ID, in)
		}
		return f.s.store.OpenTicket(ctx, actor, in)
	}, func(t data.Ticket, err error) {
		f.submit.Enable()
		if err != nil {
			errs := fieldErrorsOf(err)
			if e := errs["category"]; e != nil && in.Category == "" {
				errs["category"] = &data.Error{Code: e.Code, Field: e.Field, Key: "ticket.err.category"}
			}
			showFieldErrors(f.fields, errs, f.message.SetError)
			f.message.SetError(u.errText(err))
			return
		}
		f.modal.Hide()
		f.s.changed()
		if handoff != nil && u.shell != nil {
			u.shell.faq.reloadHandoffs()
		}
		f.s.showSaved(t)
	})
}

// showSaved says the ticket's number and the deadlines it must meet.
func (s *ticketsScreen) showSaved(t data.Ticket) {
	u := s.u
	lines := []string{
		T("ticket.saved.number", map[string]any{"Number": t.Number}),
		T("ticket.saved.owner", map[string]any{"Name": t.OwnerName}),
	}
	lines = append(lines, s.deadlineLines(t)...)
	text := &widget.Label{Text: strings.Join(lines, "\n"), Wrapping: fyne.TextWrapWord}
	id := t.ID
	u.showModal(T("ticket.saved.title"), container.NewGridWrap(fyne.NewSize(460, text.MinSize().Height+40), text), T("dialog.ok"),
		&widget.Button{Text: T("ticket.open_detail"), Importance: widget.HighImportance, OnTapped: func() { s.openDetail(id) }})
}

// deadlineLines are a new ticket's deadlines, one a line.
func (s *ticketsScreen) deadlineLines(t data.Ticket) []string {
	u := s.u
	var out []string
	for _, d := range []struct {
		key string
		at  time.Time
	}{{"ticket.deadline.ack", t.Deadlines.Ack}, {"ticket.deadline.response", t.Deadlines.Response}, {"ticket.deadline.escalation", t.Deadlines.Escalation},
		{"ticket.deadline.requested", t.Deadlines.Requested}, {"ticket.deadline.resolution", t.Deadlines.Resolution}} {
		if d.at.IsZero() && (d.key == "ticket.deadline.ack" || d.key == "ticket.deadline.requested") {
			continue
		}
		v := T("ticket.dl.none")
		if !d.at.IsZero() {
			v = u.dateTime(d.at)
		}
		out = append(out, T("ticket.dl.line", map[string]any{"Name": T(d.key), "Time": v}))
	}
	if len(t.EstimatedYears) > 0 {
		out = append(out, T("ticket.dl.estimated", map[string]any{"Years": yearList(t.EstimatedYears)}))
	}
	return out
}

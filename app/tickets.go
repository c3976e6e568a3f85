package app

import (
	"context"
	"sort"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"anchang/data"
)

// ticketStore is what the ticket desk needs from the store.
type ticketStore interface {
	OpenTicket(ctx context.Context, actorID string, in data.TicketInput) (data.Ticket, error)
	OpenTicketFromHandoff(ctx context.Context, actorID, handoffID string, in data.TicketInput) (data.Ticket, error)
	AddTicketEvent(ctx context.Context, actorID, ticketID string, ev data.TicketEvent) (data.Ticket, error)
	Ticket(ctx context.Context, actorID, id string) (data.Ticket, error)
	TicketEvents(ctx context.Context, ticketID string) ([]data.TicketEvent, error)
	TicketsFor(ctx context.Context, actorID string, f data.TicketFilter) ([]data.TicketRow, error)
	ticketPrintStore // the printed records (app/ticket_print.go)
}

// ticketsScreen is the ticket desk (工单): complaints, repairs, inquiry
// follow-ups and suggestions, the most pressing first, with filters; a row
// opens the ticket's detail. Its glance button in the top bar counts the
// overdue and due-soon tickets from every tab.
type ticketsScreen struct {
	u   *UI
	tab *tab

	glance   *widget.Button // in the shell's top bar
	search   *widget.Entry
	state    *widget.Select
	kind     *widget.Select
	severity *widget.Select
	mine     *widget.Check
	newBtn   *widget.Button
	summary  *widget.Label
	table    *widget.Table
	empty    *widget.Label
	message  *statusLine

	rows    []data.TicketRow
	counts  ticketCounts
	loadSeq int
	detail  *ticketDetail // the open detail, if any
	form    *ticketForm   // the last new-ticket form opened
}

func newTicketsScreen(u *UI) *ticketsScreen { return &ticketsScreen{u: u} }

// Ticket list filter by state: open (not closed), all, closed.
const (
	ticketShowOpen = iota
	ticketShowAll
	ticketShowClosed
)

// ticketColumns are the list's columns: the header's key and the least width.
var ticketColumns = []struct {
	key   string
	width float32
}{
	{"ticket.col.number", 120}, {"ticket.col.kind", 50}, {"ticket.col.category", 70}, {"ticket.col.severity", 60},
	{"ticket.col.customer", 120}, {"ticket.col.unit", 70}, {"ticket.col.owner", 64}, {"ticket.col.state", 64},
	{"ticket.col.next", 118}, {"ticket.col.due", 76},
}

// ticketColumnWidths measures what each column needs for its header and
// its longest value in the current language.
func ticketColumnWidths() []float32 {
	samples := map[string][]string{
		"ticket.col.number":   {"XHW-20261123-001"},
		"ticket.col.customer": {"王芳 138****5678"},
	}
	for _, d := range []string{data.DeadlineResponse, data.DeadlineResolution, data.DeadlineRevisit} {
		samples["ticket.col.next"] = append(samples["ticket.col.next"], T("ticket.next.line", map[string]any{"Deadline": T("ticket.next." + d), "Time": "11-23 18:00"}))
	}
	for _, k := range data.TicketKinds {
		samples["ticket.col.kind"] = append(samples["ticket.col.kind"], T("ticket.kind."+k))
	}
	for _, c := range data.TicketCategories {
		samples["ticket.col.category"] = append(samples["ticket.col.category"], T("ticket.cat."+c))
	}
	for _, s := range data.Severities {
		samples["ticket.col.severity"] = append(samples["ticket.col.severity"], severityText(s, true))
	}
	for _, s := range data.TicketStates {
		samples["ticket.col.state"] = append(samples["ticket.col.state"], T("ticket.state."+string(s)))
	}
	for _, k := range []string{"ticket.due.overdue", "ticket.due.due_soon", "ticket.flag.escalate", "ticket.mark.revisit_overdue"} {
		samples["ticket.col.due"] = append(samples["ticket.col.due"], T(k))
	}
	size := theme.TextSize()
	pad := 2*theme.InnerPadding() + theme.Padding()
	out := make([]float32, len(ticketColumns))
	for i, c := range ticketColumns {
		w := c.width
		for _, text := range append(samples[c.key], T(c.key)) {
			w = max(w, fyne.MeasureText(text, size, fyne.TextStyle{}).Width+pad)
		}
		out[i] = min(w, maxTicketColumn) // longer values truncate
	}
	return out
}

// maxTicketColumn is the widest a column of the ticket list gets before
// the table is stretched to the window.
const maxTicketColumn = 150

func severityText(s string, urgent bool) string {
	t := T("ticket.sev." + s)
	if urgent {
		t += " · " + T("ticket.urgent")
	}
	return t
}

func (s *ticketsScreen) buildUI() fyne.CanvasObject {
	u := s.u
	s.search = &widget.Entry{PlaceHolder: T("ticket.search")}
	s.search.OnChanged = func(string) { s.reload() }
	s.state = widget.NewSelect([]string{T("ticket.show.open"), T("ticket.show.all"), T("ticket.show.closed")}, func(string) { s.reload() })
	s.state.SetSelectedIndex(ticketShowOpen)
	kinds := []string{T("ticket.all_kinds")}
	for _, k := range data.TicketKinds {
		kinds = append(kinds, T("ticket.kind."+k))
	}
	s.kind = widget.NewSelect(kinds, func(string) { s.reload() })
	s.kind.SetSelectedIndex(0)
	sevs := []string{T("ticket.all_severities")}
	for _, v := range data.Severities {
		sevs = append(sevs, T("ticket.sev."+v))
	}
	s.severity = widget.NewSelect(sevs, func(string) { s.reload() })
	s.severity.SetSelectedIndex(0)
	s.mine = widget.NewCheck(T("ticket.mine"), func(bool) { s.reload() })
	s.newBtn = &widget.Button{Text: T("ticket.new"), Icon: theme.ContentAddIcon(), Importance: widget.HighImportance, OnTapped: func() { s.openForm(data.TicketInput{}, nil) }}
	s.summary = &widget.Label{Truncation: fyne.TextTruncateEllipsis}
	s.message = newStatusLine()
	s.empty = widget.NewLabel(T("ticket.empty"))
	s.empty.Hide()

	s.table = widget.NewTableWithHeaders(
		func() (int, int) { return len(s.rows), len(ticketColumns) },
		func() fyne.CanvasObject {
			return &widget.Label{Truncation: fyne.TextTruncateEllipsis}
		},
		s.updateCell)
	s.table.ShowHeaderColumn = false
	s.table.CreateHeader = func() fyne.CanvasObject { return widget.NewLabel("") }
	s.table.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		if id.Col >= 0 {
			o.(*widget.Label).SetText(T(ticketColumns[id.Col].key))
		}
	}
	s.table.OnSelected = func(id widget.TableCellID) {
		if id.Row >= 0 && id.Row < len(s.rows) {
			s.openDetail(s.rows[id.Row].ID)
		}
		s.table.UnselectAll()
	}
	right := container.NewHBox(s.state, s.kind, s.severity, s.mine, s.newBtn)
	filters := container.NewBorder(nil, nil, nil, right, s.search)
	top := container.NewVBox(filters, s.summary, s.message)
	table := container.New(&ticketTableLayout{table: s.table}, s.table)
	_ = u
	return container.NewPadded(container.NewBorder(top, nil, nil, nil, container.NewStack(table, container.NewCenter(s.empty))))
}

// glanceButton is the top bar's count of overdue and due-soon tickets; it
// opens the tickets tab.
func (s *ticketsScreen) glanceButton() *widget.Button {
	s.glance = &widget.Button{Text: T("ticket.glance.none"), Icon: theme.WarningIcon(), Importance: widget.LowImportance, OnTapped: func() {
		if sh := s.u.shell; sh != nil && s.tab != nil {
			sh.tabs.Select(s.tab)
		}
	}}
	return s.glance
}

// newTicketsTab makes the tickets tab.
func (s *ticketsScreen) newTab() *tab {
	s.tab = newTab(T("tab.tickets"), s.buildUI())
	return s.tab
}

// ticketCounts are the open tickets by how their deadlines stand.
type ticketCounts struct {
	open, overdue, soon, escalate, revisitLate int
}

// overdueish reports whether a row has a passed deadline that needs action:
// its next deadline, its escalation deadline or its revisit window.
func overdueish(r data.TicketRow) bool {
	return r.Due == data.DueOverdue || r.EscalationSuggested || r.RevisitOverdue
}

func countTickets(rows []data.TicketRow) ticketCounts {
	var c ticketCounts
	for _, r := range rows {
		if !r.State.IsOpen() {
			continue
		}
		c.open++
		switch {
		case overdueish(r):
			c.overdue++
		case r.Due == data.DueSoon:
			c.soon++
		}
		if r.EscalationSuggested {
			c.escalate++
		}
		if r.RevisitOverdue {
			c.revisitLate++
		}
	}
	return c
}

// sortTickets puts the most pressing first: open tickets with a passed
// deadline, then due soon, then by their next deadline; closed ones last,
// newest first.
func sortTickets(rows []data.TicketRow) {
	rank := func(r data.TicketRow) int {
		switch {
		case !r.State.IsOpen():
			return 4
		case overdueish(r):
			return 0
		case r.Due == data.DueSoon:
			return 1
		case r.Due == data.DueOK:
			return 2
		}
		return 3
	}
	sort.SliceStable(rows, func(i, j int) bool {
		a, b := rows[i], rows[j]
		if ra, rb := rank(a), rank(b); ra != rb {
			return ra < rb
		}
		if rank(a) < 3 && !a.NextDue.Equal(b.NextDue) {
			return a.NextDue.Before(b.NextDue)
		}
		return a.OpenedAt.After(b.OpenedAt)
	})
}

// filter is the list's filter from the controls.
func (s *ticketsScreen) filter() (data.TicketFilter, int) {
	f := data.TicketFilter{Query: strings.TrimSpace(s.search.Text)}
	show := max(s.state.SelectedIndex(), 0)
	switch show {
	case ticketShowOpen:
		f.OpenOnly = true
	case ticketShowClosed:
		f.State = data.StateClosed
	}
	if i := s.kind.SelectedIndex(); i > 0 {
		f.Kind = data.TicketKinds[i-1]
	}
	if i := s.severity.SelectedIndex(); i > 0 {
		f.Severity = data.Severities[i-1]
	}
	if s.mine.Checked {
		f.OwnerID = s.u.user.ID
	}
	return f, show
}

// reload loads the list with the current filters, and the open tickets
// for the counts.
func (s *ticketsScreen) reload() {
	if s.table == nil {
		return
	}
	u := s.u
	f, _ := s.filter()
	s.loadSeq++
	seq := s.loadSeq
	type result struct {
		rows, open []data.TicketRow
	}
	load(u, func(ctx context.Context) (result, error) {
		rows, err := u.store.TicketsFor(ctx, u.user.ID, f)
		if err != nil {
			return result{}, err
		}
		open, err := u.store.TicketsFor(ctx, u.user.ID, data.TicketFilter{OpenOnly: true, Limit: 100000})
		return result{rows, open}, err
	}, func(r result, err error) {
		if seq != s.loadSeq {
			return
		}
		if err != nil {
			s.message.SetError(u.errText(err))
			return
		}
		s.message.SetText("")
		sortTickets(r.rows)
		s.rows = r.rows
		s.counts = countTickets(r.open)
		s.showCounts()
		if len(s.rows) == 0 {
			s.empty.Show()
		} else {
			s.empty.Hide()
		}
		s.table.Refresh()
	})
}

// showCounts updates the summary line and the top bar's glance button.
func (s *ticketsScreen) showCounts() {
	c := s.counts
	s.summary.SetText(T("ticket.summary", map[string]any{"Open": c.open, "Overdue": c.overdue, "Soon": c.soon,
		"Escalate": c.escalate, "Revisit": c.revisitLate}))
	if s.glance == nil {
		return
	}
	switch {
	case c.overdue > 0 || c.soon > 0:
		s.glance.SetText(T("ticket.glance", map[string]any{"Overdue": c.overdue, "Soon": c.soon}))
	default:
		s.glance.SetText(T("ticket.glance.none"))
	}
	switch {
	case c.overdue > 0:
		s.glance.Importance = widget.DangerImportance
	case c.soon > 0:
		s.glance.Importance = widget.WarningImportance
	default:
		s.glance.Importance = widget.LowImportance
	}
	s.glance.Refresh()
}

// dueMark is a row's deadline marker and its colour.
func dueMark(r data.TicketRow) (string, widget.Importance) {
	if !r.State.IsOpen() {
		return "", widget.MediumImportance
	}
	switch {
	case r.RevisitOverdue:
		return T("ticket.mark.revisit_overdue"), widget.DangerImportance
	case r.EscalationSuggested:
		return T("ticket.flag.escalate"), widget.DangerImportance
	case r.Due == data.DueOverdue:
		return T("ticket.due.overdue"), widget.DangerImportance
	case r.Due == data.DueSoon:
		return T("ticket.due.due_soon"), widget.WarningImportance
	case r.Due == data.DueOK:
		return T("ticket.due.ok"), widget.SuccessImportance
	}
	return "", widget.MediumImportance
}

func (s *ticketsScreen) updateCell(id widget.TableCellID, o fyne.CanvasObject) {
	l := o.(*widget.Label)
	if id.Row >= len(s.rows) {
		return
	}
	r := s.rows[id.Row]
	l.Importance = widget.MediumImportance
	text := ""
	switch ticketColumns[id.Col].key {
	case "ticket.col.number":
		text = r.Number
	case "ticket.col.kind":
		text = T("ticket.kind." + r.Kind)
	case "ticket.col.category":
		text = T("ticket.cat." + r.Category)
	case "ticket.col.severity":
		text = severityText(r.Severity, r.Urgent)
		if r.Urgent || r.Severity == data.SeverityMajor {
			l.Importance = widget.DangerImportance
		}
	case "ticket.col.customer":
		text = strings.TrimSpace(r.CustomerName + " " + r.Phone)
	case "ticket.col.unit":
		text = strings.TrimSpace(r.Building + " " + r.Unit)
	case "ticket.col.owner":
		text = r.OwnerName
	case "ticket.col.state":
		text = T("ticket.state." + string(r.State))
		if !r.Valid {
			text += " · " + T("ticket.invalid_mark")
		}
	case "ticket.col.next":
		if r.Next != "" && r.State.IsOpen() {
			text = T("ticket.next.line", map[string]any{"Deadline": T("ticket.next." + r.Next), "Time": s.u.shortTime(r.NextDue)})
		}
		if r.Due == data.DueOverdue {
			l.Importance = widget.DangerImportance
		}
	case "ticket.col.due":
		text, l.Importance = dueMark(r)
	}
	l.SetText(text)
}

// shortTime is a deadline as the list shows it: 11-23 14:00.
func (u *UI) shortTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(u.location()).Format("01-02 15:04")
}

// openDetail shows a ticket's detail.
func (s *ticketsScreen) openDetail(id string) {
	if s.detail != nil {
		s.detail.close()
	}
	s.detail = newTicketDetail(s, id)
}

// changed reloads the list (and the top bar) after a ticket changed.
func (s *ticketsScreen) changed() {
	if sh := s.u.shell; sh != nil && sh.tickets == s {
		sh.refresh()
		return
	}
	s.reload()
}

// ticketTableLayout lays out the ticket table, widening its columns in
// proportion when there is more room than they need.
type ticketTableLayout struct {
	table *widget.Table
	width float32
	lang  string
}

func (l *ticketTableLayout) MinSize([]fyne.CanvasObject) fyne.Size { return l.table.MinSize() }

func (l *ticketTableLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	if size.Width != l.width || l.lang != Language() {
		l.width, l.lang = size.Width, Language()
		widths := ticketColumnWidths()
		var sum float32
		for _, w := range widths {
			sum += w
		}
		// Fill the width: wider on a large screen, narrower (truncating)
		// when the columns do not fit.
		scale := float32(1)
		if avail := size.Width - theme.Padding()*float32(len(widths)+2); avail > 0 {
			scale = avail / sum
		}
		for i, w := range widths {
			l.table.SetColumnWidth(i, w*scale)
		}
	}
	for _, o := range objs {
		o.Resize(size)
		o.Move(fyne.NewPos(0, 0))
	}
}

// itoa is strconv.Itoa, for templates.
func itoa(n int) string { return strconv.Itoa(n) }

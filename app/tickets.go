package app

import (
	"context"
	"slices"
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
	ListStaff(ctx context.Context, includeInactive bool) ([]data.Staff, error) // the detail's names
	// A new ticket's visit and customer (app/ticket_open.go).
	Today() string
	Board(ctx context.Context, day string, f data.BoardFilter) (data.Board, error)
	VisitDetail(ctx context.Context, actorID, visitID string) (data.Visit, error)
	CustomerByPhone(ctx context.Context, actorID, phone string) (data.PhoneCustomer, bool, error)
}

var _ ticketStore = (*data.Store)(nil)

// ticketsScreen is the ticket desk (工单): complaints, repairs, inquiry
// follow-ups and suggestions, the most pressing first, with filters; a row
// opens the ticket's detail. Its glance button in the top bar counts the
// overdue and due-soon tickets from every tab.
type ticketsScreen struct {
	u     *UI
	store ticketStore
	tab   *tab

	glance   *widget.Button // in the shell's top bar
	search   *widget.Entry
	state    *widget.Select
	kind     *widget.Select
	severity *widget.Select
	mine     *widget.Check
	newBtn   *widget.Button
	summary  *widget.Label
	table    *widget.Table
	layout   *ticketTableLayout
	empty    *widget.Label
	message  *statusLine

	rows    []data.TicketRow
	counts  ticketCounts
	loadSeq int
	detail  *ticketDetail // the open detail, if any
	form    *ticketForm   // the last new-ticket form opened
	care    *careRevisits // the care revisits last opened (app/care_revisits.go)
}

func newTicketsScreen(u *UI) *ticketsScreen { return &ticketsScreen{u: u, store: u.store} }

// Ticket list filter by state: open (not closed), all, closed.
const (
	ticketShowOpen = iota
	ticketShowAll
	ticketShowClosed
	ticketShowLate // open with a passed deadline: what the supervisor follows up
)

// ticketColumns are the list's columns: the header's key and the least width.
var ticketColumns = []struct {
	key   string
	width float32
}{
	{"ticket.col.number", 120}, {"ticket.col.kind", 50}, {"ticket.col.category", 70}, {"ticket.col.severity", 60},
	{"ticket.col.customer", 96}, {"ticket.col.unit", 70}, {"ticket.col.owner", 64}, {"ticket.col.state", 64},
	{"ticket.col.next", 118}, {"ticket.col.due", 76},
}

// ticketColumnWidths measures what each column needs for its header and
// the values of rows (the first few hundred), at least its least width.
func (s *ticketsScreen) ticketColumnWidths(rows []data.TicketRow) []float32 {
	size := theme.TextSize()
	pad := 2*theme.InnerPadding() + theme.Padding() // a label's own padding, and a little room
	out := make([]float32, len(ticketColumns))
	measure := func(i int, text string) {
		out[i] = max(out[i], fyne.MeasureText(text, size, fyne.TextStyle{}).Width+pad)
	}
	for i, c := range ticketColumns {
		out[i] = c.width
		measure(i, T(c.key))
	}
	for n, r := range rows {
		if n == 300 {
			break
		}
		for i, c := range ticketColumns {
			text, _ := s.cell(r, c.key)
			measure(i, text)
		}
	}
	return out
}

// fitColumns fits widths to avail: wider in proportion on a large
// screen; on a small one the customer, unit and category columns give way
// first (their values truncate), then the named values, then every
// column but the number.
func fitColumns(widths []float32, avail float32) []float32 {
	return fitColumnsOf(allTicketColumns(), widths, avail)
}

// allTicketColumns is every column's index.
func allTicketColumns() []int {
	cols := make([]int, len(ticketColumns))
	for i := range cols {
		cols[i] = i
	}
	return cols
}

// ticketDropOrder: the columns left out, in turn, while the list does not
// fit its width (1024×768 in English): their values are in the detail.
var ticketDropOrder = []string{"ticket.col.category", "ticket.col.owner", "ticket.col.severity"}

// visibleTicketColumns is the columns that fit avail with the widths they
// need, leaving out ticketDropOrder's in turn while they do not.
func visibleTicketColumns(need []float32, avail float32) []int {
	cols := allTicketColumns()
	sum := func() float32 {
		var s float32
		for _, c := range cols {
			s += need[c]
		}
		return s
	}
	for _, key := range ticketDropOrder {
		if sum()+theme.Padding()*float32(len(cols)) <= avail {
			break
		}
		cols = slices.DeleteFunc(cols, func(c int) bool { return ticketColumns[c].key == key })
	}
	return cols
}

// fitColumnsOf is fitColumns for the columns cols (indices into
// ticketColumns) with widths[i] the need of cols[i].
func fitColumnsOf(cols []int, widths []float32, avail float32) []float32 {
	out := append([]float32(nil), widths...)
	var sum float32
	for _, w := range out {
		sum += w
	}
	if sum <= 0 || avail <= 0 {
		return out
	}
	if sum <= avail {
		for i := range out {
			out[i] *= avail / sum
		}
		return out
	}
	over := sum - avail
	// give takes the excess from the columns of keys, each in proportion to
	// what it has above its least width.
	give := func(keys []string, least func(i int) float32) {
		var spare float32
		for i, ci := range cols {
			if slices.Contains(keys, ticketColumns[ci].key) {
				spare += max(out[i]-least(i), 0)
			}
		}
		if spare <= 0 || over <= 0 {
			return
		}
		take := min(over, spare)
		for i, ci := range cols {
			if slices.Contains(keys, ticketColumns[ci].key) {
				out[i] -= max(out[i]-least(i), 0) * take / spare
			}
		}
		over -= take
	}
	// The customer, unit and category down to their least widths; then the
	// named values (kind, category, severity, state, owner) to a few
	// characters, so the deadlines stay readable.
	give([]string{"ticket.col.customer", "ticket.col.unit", "ticket.col.category"}, func(i int) float32 { return ticketColumns[cols[i]].width })
	give([]string{"ticket.col.category", "ticket.col.kind", "ticket.col.severity", "ticket.col.state", "ticket.col.owner"}, func(int) float32 { return 56 })
	if over > 0 { // then every column but the number, in proportion
		var rest float32
		for i, ci := range cols {
			if ticketColumns[ci].key != "ticket.col.number" {
				rest += out[i]
			}
		}
		scale := max(rest-over, 0) / rest
		for i, ci := range cols {
			if ticketColumns[ci].key != "ticket.col.number" {
				out[i] *= scale
			}
		}
	}
	return out
}

func severityText(s string, urgent bool) string {
	t := T("ticket.sev." + s)
	if urgent {
		t += T("ticket.urgent_mark")
	}
	return t
}

func (s *ticketsScreen) buildUI() fyne.CanvasObject {
	u := s.u
	s.search = &widget.Entry{PlaceHolder: T("ticket.search")}
	s.search.OnChanged = func(string) { s.reload() }
	s.state = widget.NewSelect([]string{T("ticket.show.open"), T("ticket.show.all"), T("ticket.show.closed"), T("ticket.show.late")}, func(string) { s.reload() })
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

	s.layout = &ticketTableLayout{cols: allTicketColumns()}
	s.table = widget.NewTableWithHeaders(
		func() (int, int) { return len(s.rows), len(s.layout.cols) },
		func() fyne.CanvasObject {
			return &widget.Label{Truncation: fyne.TextTruncateEllipsis}
		},
		s.updateCell)
	s.layout.table = s.table
	s.layout.fitted = &fittedTable{table: s.table, fit: s.layout.fit}
	s.table.ShowHeaderColumn = false
	s.table.CreateHeader = func() fyne.CanvasObject { return widget.NewLabel("") }
	s.table.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		if id.Col >= 0 {
			o.(*widget.Label).SetText(T(s.layout.key(id.Col)))
		}
	}
	s.table.OnSelected = func(id widget.TableCellID) {
		if id.Row >= 0 && id.Row < len(s.rows) {
			s.openDetail(s.rows[id.Row].ID)
		}
		s.table.UnselectAll()
	}
	right := container.NewHBox(s.state, s.kind, s.severity, s.mine)
	if canSeeLedger(u.user.Role) {
		right.Add(&widget.Button{Text: T("ledger.title"), Icon: theme.ListIcon(), OnTapped: func() { u.showTicketLedger() }})
	}
	right.Add(&widget.Button{Text: T("care.button"), Icon: theme.HistoryIcon(), OnTapped: func() { s.care = u.showCareRevisits() }})
	right.Add(s.newBtn)
	filters := container.NewBorder(nil, nil, nil, right, s.search)
	top := container.NewVBox(filters, s.summary, s.message)
	s.layout.widths = s.ticketColumnWidths(nil)
	table := container.New(s.layout.fitted, s.table)
	return container.NewPadded(container.NewBorder(top, nil, nil, nil, container.NewStack(table, container.NewCenter(s.empty))))
}

// glanceButton is the top bar's count of overdue and due-soon tickets; it
// opens the tickets tab.
func (s *ticketsScreen) glanceButton() *widget.Button {
	s.glance = &widget.Button{Text: T("ticket.glance.none"), Icon: theme.ConfirmIcon(), Importance: widget.LowImportance, OnTapped: func() {
		if sh := s.u.shell; sh != nil && s.tab != nil {
			sh.tabs.Select(s.tab)
		}
	}}
	return s.glance
}

// newTab makes the tickets tab.
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
	case ticketShowOpen, ticketShowLate:
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
	f, show := s.filter()
	s.loadSeq++
	seq := s.loadSeq
	type result struct {
		rows, open []data.TicketRow
	}
	actor := u.user.ID
	load(u, func(ctx context.Context) (result, error) {
		rows, err := s.store.TicketsFor(ctx, actor, f)
		if err != nil {
			return result{}, err
		}
		open, err := s.store.TicketsFor(ctx, actor, data.TicketFilter{OpenOnly: true, Limit: 100000})
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
		if show == ticketShowLate {
			late := r.rows[:0]
			for _, row := range r.rows {
				if overdueish(row) {
					late = append(late, row)
				}
			}
			r.rows = late
		}
		sortTickets(r.rows)
		s.rows = r.rows
		s.layout.setWidths(s.ticketColumnWidths(s.rows))
		s.counts = countTickets(r.open)
		s.showCounts()
		if len(s.rows) == 0 {
			s.empty.Show()
		} else {
			s.empty.Hide()
		}
		s.table.Refresh()
		if d := s.detail; d != nil && d.form == nil && d.t.ID != "" {
			d.tick() // deadlines pass while the detail is open
		}
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
	// Only the parts that are not zero: "工单 3 逾期", "工单 2 将到期", both.
	switch {
	case c.overdue > 0 && c.soon > 0:
		s.glance.SetText(T("ticket.glance", map[string]any{"Overdue": c.overdue, "Soon": c.soon}))
	case c.overdue > 0:
		s.glance.SetText(T("ticket.glance.overdue", map[string]any{"Overdue": c.overdue}))
	case c.soon > 0:
		s.glance.SetText(T("ticket.glance.soon", map[string]any{"Soon": c.soon}))
	default:
		s.glance.SetText(T("ticket.glance.none"))
	}
	s.glance.Icon = theme.WarningIcon()
	switch {
	case c.overdue > 0:
		s.glance.Importance = widget.DangerImportance
	case c.soon > 0:
		s.glance.Importance = widget.WarningImportance
	default:
		s.glance.Importance, s.glance.Icon = widget.LowImportance, theme.ConfirmIcon()
	}
	s.glance.Refresh()
}

// dueMark is a row's deadline marker and its colour.
func dueMark(r data.TicketRow) (string, widget.Importance) {
	if !r.State.IsOpen() || r.State == data.StateRevisited {
		// Done with its deadlines: the revisit's score, if any.
		switch {
		case r.Satisfaction <= 0:
			return "", widget.MediumImportance
		case r.Satisfaction <= data.UnsatisfiedMax:
			return T("ticket.score", map[string]any{"Score": r.Satisfaction}), widget.DangerImportance
		}
		return T("ticket.score", map[string]any{"Score": r.Satisfaction}), widget.MediumImportance
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
	key := s.layout.key(id.Col)
	text, imp := s.cell(r, key)
	if key == "ticket.col.number" && !s.layout.shows("ticket.col.severity") && (r.Urgent || r.Severity == data.SeverityMajor) {
		imp = widget.DangerImportance // the severity column is left out: the number says it
	}
	l.Importance = imp
	l.SetText(text)
}

// cell is what a column shows for a row, and in which colour.
func (s *ticketsScreen) cell(r data.TicketRow, key string) (string, widget.Importance) {
	switch key {
	case "ticket.col.number":
		return r.Number, widget.MediumImportance
	case "ticket.col.kind":
		return T("ticket.kind." + r.Kind), widget.MediumImportance
	case "ticket.col.category":
		return T("ticket.cat." + r.Category), widget.MediumImportance
	case "ticket.col.severity":
		if r.Urgent || r.Severity == data.SeverityMajor {
			return severityText(r.Severity, r.Urgent), widget.DangerImportance
		}
		return severityText(r.Severity, r.Urgent), widget.MediumImportance
	case "ticket.col.customer":
		return strings.TrimSpace(r.CustomerName + " " + r.Phone), widget.MediumImportance
	case "ticket.col.unit":
		return strings.TrimSpace(r.Building + " " + r.Unit), widget.MediumImportance
	case "ticket.col.owner":
		return r.OwnerName, widget.MediumImportance
	case "ticket.col.state":
		if !r.Valid {
			return T("ticket.state."+string(r.State)) + " · " + T("ticket.invalid_mark"), widget.MediumImportance
		}
		return T("ticket.state." + string(r.State)), widget.MediumImportance
	case "ticket.col.next":
		if r.Next == "" || !r.State.IsOpen() {
			return "", widget.MediumImportance
		}
		text := T("ticket.next.line", map[string]any{"Deadline": T("ticket.next." + r.Next), "Time": s.u.shortTime(r.NextDue)})
		if r.Due == data.DueOverdue {
			return text, widget.DangerImportance
		}
		return text, widget.MediumImportance
	case "ticket.col.due":
		return dueMark(r)
	}
	return "", widget.MediumImportance
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

// closeTop closes the topmost ticket modal (an action form, the new-ticket
// form, the detail) for Escape; it reports whether there was one.
func (s *ticketsScreen) closeTop() bool {
	if d := s.detail; d != nil && d.form != nil && d.form.modal.pop.Visible() {
		d.form.modal.Hide()
		return true
	}
	if f := s.form; f != nil && f.modal.pop.Visible() {
		f.modal.Hide()
		return true
	}
	if d := s.detail; d != nil {
		d.close()
		return true
	}
	return false
}

// changed reloads the list after a ticket changed, unless it is the
// desk's, which the store's change reloads with the rest (UI.storeChanged).
func (s *ticketsScreen) changed() {
	if sh := s.u.shell; sh != nil && sh.tickets == s {
		return
	}
	s.reload()
}

// ticketTableLayout is the ticket table's columns: which are shown and
// how wide, fitted to the width (see fitColumns) by its fittedTable.
type ticketTableLayout struct {
	table  *widget.Table
	fitted *fittedTable
	cols   []int     // the columns shown (indices into ticketColumns)
	widths []float32 // what every column needs; set by reload
}

// setWidths takes new column needs and refits when they changed.
func (l *ticketTableLayout) setWidths(w []float32) {
	if len(w) == len(l.widths) {
		same := true
		for i := range w {
			same = same && w[i] == l.widths[i]
		}
		if same {
			return
		}
	}
	l.widths = w
	l.fitted.refit()
}

func (l *ticketTableLayout) fit(width float32) {
	l.cols = visibleTicketColumns(l.widths, width-2*theme.Padding())
	avail := width - theme.Padding()*float32(len(l.cols)+2)
	need := make([]float32, len(l.cols))
	for i, c := range l.cols {
		need[i] = l.widths[c]
	}
	for i, w := range fitColumnsOf(l.cols, need, avail) {
		l.table.SetColumnWidth(i, w)
	}
	l.table.Refresh()
}

// key is the header key of the table's column col.
func (l *ticketTableLayout) key(col int) string {
	if col < 0 || col >= len(l.cols) {
		return ""
	}
	return ticketColumns[l.cols[col]].key
}

// shows reports whether the column of key is shown.
func (l *ticketTableLayout) shows(key string) bool {
	for _, c := range l.cols {
		if ticketColumns[c].key == key {
			return true
		}
	}
	return false
}

// itoa is strconv.Itoa, for templates.
func itoa(n int) string { return strconv.Itoa(n) }

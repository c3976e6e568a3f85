package app

import (
	"context"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"anchang/data"
)

// The SLA policy editor (时限政策): one tab per ticket kind with its four
// severities' limits — entering the ticket, acknowledgement (initial
// handling), first response, escalation, resolution — each picked as a
// number and a unit (the unit says which calendar it counts on: the clock,
// the company's working days, the office's opening hours); a tab for the
// urgent tightening; and a tab for the service figures (targets, the repeat
// window, the revisit windows, the hand-off follow-up). Saving makes a new
// policy version for tickets opened from then on; open tickets keep theirs.
// The policy is HQ's; on a device that is not enrolled the office admin
// stands in for HQ (as for the FAQ, see data.Role.CanEditFAQ).

// policyStore is what the SLA policy editor needs from the store;
// *data.Store satisfies it.
type policyStore interface {
	SLAPolicy(ctx context.Context) (data.SLAPolicy, error)
	SLAPolicyInfo(ctx context.Context) (data.SLAPolicyInfo, error)
	SavePolicy(ctx context.Context, actorID string, p data.SLAPolicy) (data.SLAPolicy, error)
}

var _ policyStore = (*data.Store)(nil)

// ticketAdminStore is what the policy, holiday and ledger screens need
// from the store: the union of each one's own.
type ticketAdminStore interface {
	policyStore       // the SLA policy (this file)
	holidayStore      // the holiday calendar and office hours (app/holidays.go)
	ticketLedgerStore // the complaint ledger (app/ticket_ledger.go)
}

// canEditTicketPolicy: the SLA policy and the holiday calendar are HQ's;
// the office admin stands in for HQ on a device.
func canEditTicketPolicy(r data.Role) bool { return r == data.RoleAdmin }

// limitNames are a rule's five limits in row order (translated as
// settings.sla.col.<name>).
var limitNames = []string{"entry", "ack", "response", "escalation", "resolution"}

func limitsOf(r *data.SLARule) []*data.Limit {
	return []*data.Limit{&r.Entry, &r.Ack, &r.Response, &r.Escalation, &r.Resolution}
}

// pickerUnits are the units a limit picker offers, "" for no limit
// (translated as settings.sla.unit.<unit>, settings.sla.unit.none).
var pickerUnits = []data.LimitUnit{"", data.UnitHours, data.UnitWorkingHours, data.UnitWorkingDays, data.UnitSameDay,
	data.UnitOpenHours, data.UnitOpenDays, data.UnitOpenSameDay}

func unitLabel(u data.LimitUnit) string {
	if u == "" {
		return T("settings.sla.unit.none")
	}
	return T("settings.sla.unit." + string(u))
}

// counted reports a unit that takes a number (not "none" or "same day").
func counted(u data.LimitUnit) bool {
	return u != "" && u != data.UnitSameDay && u != data.UnitOpenSameDay
}

// limitPicker is one limit: a number and a unit.
type limitPicker struct {
	n         *widget.Entry
	unit      *widget.Select
	onChanged func()
}

func newLimitPicker(onChanged func()) *limitPicker {
	p := &limitPicker{onChanged: onChanged}
	p.n = &widget.Entry{}
	var opts []string
	for _, u := range pickerUnits {
		opts = append(opts, unitLabel(u))
	}
	p.unit = widget.NewSelect(opts, nil)
	p.unit.PlaceHolder = " "
	p.unit.SetSelectedIndex(0)
	p.n.Disable()
	p.n.OnChanged = func(string) { p.changed() }
	p.unit.OnChanged = func(string) {
		if counted(p.selected()) {
			p.n.Enable()
			if strings.TrimSpace(p.n.Text) == "" {
				p.n.SetText("1")
			}
		} else {
			p.n.SetText("")
			p.n.Disable()
		}
		p.changed()
	}
	return p
}

func (p *limitPicker) changed() {
	if p.onChanged != nil {
		p.onChanged()
	}
}

func (p *limitPicker) selected() data.LimitUnit {
	if i := p.unit.SelectedIndex(); i >= 0 && i < len(pickerUnits) {
		return pickerUnits[i]
	}
	return ""
}

// set shows l.
func (p *limitPicker) set(l data.Limit) {
	for i, u := range pickerUnits {
		if u == l.Unit {
			p.unit.SetSelectedIndex(i)
		}
	}
	if counted(l.Unit) {
		p.n.SetText(strconv.Itoa(l.N))
	}
}

// limit reads the picker; the message key when the number is not one.
func (p *limitPicker) limit() (data.Limit, string) {
	u := p.selected()
	if !counted(u) {
		return data.Limit{Unit: u}, ""
	}
	n, err := strconv.Atoi(strings.TrimSpace(data.FoldInput(p.n.Text)))
	if err != nil || n < 1 || n > 999 {
		return data.Limit{}, "settings.sla.n_invalid"
	}
	return data.Limit{N: n, Unit: u}, ""
}

func (p *limitPicker) object() fyne.CanvasObject {
	n := container.NewGridWrap(fyne.NewSize(46, p.n.MinSize().Height), p.n)
	return container.NewBorder(nil, nil, n, nil, p.unit)
}

// policyRow is one rule: its five limits.
type policyRow struct {
	kind, severity string // both "" for the urgent rule
	pickers        []*limitPicker
}

// windowRow is one revisit window's editor: from and to as months and
// days after the event, and the required rate in percent.
type windowRow struct {
	care             bool   // a care revisit kind, else a ticket kind
	kind             string // data.RevisitKinds or data.CareKinds
	fromM, fromD     *widget.Entry
	toM, toD, target *widget.Entry
}

type policyEditor struct {
	u       *UI
	store   policyStore
	info    *widget.Label
	tabs    *container.AppTabs
	rows    []*policyRow
	urgent  *policyRow
	errs    map[string]*widget.Label // by tab: kind, "urgent", "service"
	save    *widget.Button
	status  *statusLine
	current data.SLAPolicy
	modal   *modal

	repeatRate, repeatDays, satisfaction *widget.Entry
	supervisorDays                       *widget.Entry
	followUp                             *limitPicker
	windows                              []*windowRow
}

// showSLAPolicy opens the policy editor as a modal.
func (u *UI) showSLAPolicy() *policyEditor {
	p := &policyEditor{u: u, store: u.store, errs: map[string]*widget.Label{}}
	content := p.buildUI()
	p.modal = u.showModal(T("settings.sla.title"), container.NewGridWrap(u.modalSize(960, 660), content), T("dialog.close"))
	p.reload()
	return p
}

func errLabel() *widget.Label {
	l := &widget.Label{Importance: widget.DangerImportance, Wrapping: fyne.TextWrapWord}
	l.Hide()
	return l
}

func (p *policyEditor) buildUI() fyne.CanvasObject {
	p.info = widget.NewLabel("")
	p.info.Wrapping = fyne.TextWrapWord
	legend := widget.NewLabel(T("settings.sla.legend"))
	legend.Wrapping = fyne.TextWrapWord

	p.tabs = container.NewAppTabs()
	for _, k := range data.TicketKinds {
		var rows []*policyRow
		for _, s := range data.Severities {
			r := p.newRow(k, s)
			p.rows = append(p.rows, r)
			rows = append(rows, r)
		}
		p.errs[k] = errLabel()
		p.tabs.Append(container.NewTabItem(T("ticket.kind."+k), p.limitGrid(k, rows)))
	}
	p.urgent = p.newRow("", "")
	p.urgent.pickers[0].unit.Disable() // urgent does not change the entry deadline
	p.errs["urgent"] = errLabel()
	urgentHint := &widget.Label{Text: T("settings.sla.urgent.hint"), Wrapping: fyne.TextWrapWord}
	p.tabs.Append(container.NewTabItem(T("settings.sla.urgent"), container.NewVBox(urgentHint, p.limitGrid("urgent", []*policyRow{p.urgent}))))
	p.errs["service"] = errLabel()
	service := container.NewTabItem(T("settings.sla.tab.service"), container.NewVScroll(p.serviceForm()))
	p.tabs.Append(service)
	// The legend explains the limits' units; the service tab has room for
	// its windows without it.
	p.tabs.OnSelected = func(t *container.TabItem) {
		if t == service {
			legend.Hide()
		} else {
			legend.Show()
		}
	}

	p.status = newStatusLine()
	p.save = &widget.Button{Text: T("settings.sla.save"), Importance: widget.HighImportance, OnTapped: p.onSave}
	bottom := container.NewVBox(p.status, container.NewBorder(nil, nil, nil, p.save, p.u.byHQHint(p.save)))
	return container.NewBorder(container.NewVBox(p.info, legend), bottom, nil, nil, p.tabs)
}

// limitGrid lays out rows (one rule per column, the limits as rows) with
// the tab's error line under it.
func (p *policyEditor) limitGrid(tab string, rows []*policyRow) fyne.CanvasObject {
	// The limits' names take only their own width, so the pickers get the
	// rest ("same work day" whole in English at 1024x768).
	var labelW float32
	for _, n := range limitNames {
		labelW = max(labelW, widget.NewLabel(T("settings.sla.col."+n)).MinSize().Width)
	}
	row := func(first fyne.CanvasObject, cells []fyne.CanvasObject) fyne.CanvasObject {
		h := first.MinSize().Height
		for _, c := range cells {
			h = max(h, c.MinSize().Height)
		}
		return container.NewBorder(nil, nil, container.NewGridWrap(fyne.NewSize(labelW, h), first), nil,
			container.NewGridWithColumns(len(cells), cells...))
	}
	var head []fyne.CanvasObject
	for _, r := range rows {
		name := T("settings.sla.urgent")
		if r.severity != "" {
			name = T("ticket.sev." + r.severity)
		}
		head = append(head, &widget.Label{Text: name, TextStyle: fyne.TextStyle{Bold: true}})
	}
	grid := container.NewVBox(row(widget.NewLabel(""), head))
	for i, n := range limitNames {
		var cells []fyne.CanvasObject
		for _, r := range rows {
			cells = append(cells, r.pickers[i].object())
		}
		grid.Add(row(widget.NewLabel(T("settings.sla.col."+n)), cells))
	}
	var g fyne.CanvasObject = grid
	if len(rows) == 1 { // the urgent rule: half the width is enough
		g = container.NewGridWithColumns(2, grid, layout.NewSpacer())
	}
	return container.NewVScroll(container.NewVBox(g, p.errs[tab]))
}

func (p *policyEditor) newRow(kind, severity string) *policyRow {
	r := &policyRow{kind: kind, severity: severity}
	tab := kind
	if tab == "" {
		tab = "urgent"
	}
	for range limitNames {
		r.pickers = append(r.pickers, newLimitPicker(func() { p.checkTab(tab) }))
	}
	return r
}

// serviceForm is the service figures' tab.
func (p *policyEditor) serviceForm() fyne.CanvasObject {
	num := func() *widget.Entry { return &widget.Entry{} }
	narrow := func(e *widget.Entry, w float32) fyne.CanvasObject {
		return container.NewGridWrap(fyne.NewSize(w, e.MinSize().Height), e)
	}
	p.repeatRate, p.repeatDays, p.satisfaction, p.supervisorDays = num(), num(), num(), num()
	for _, e := range []*widget.Entry{p.repeatRate, p.repeatDays, p.satisfaction, p.supervisorDays} {
		e.OnChanged = func(string) { p.checkService() }
	}
	p.followUp = newLimitPicker(p.checkService)
	line := func(objs ...fyne.CanvasObject) fyne.CanvasObject { return container.NewHBox(objs...) }
	label := func(key string) *widget.Label { return widget.NewLabel(T(key)) }
	// Two figures a line, so the tab fits 1024x768 without scrolling.
	// The tab's name says these are the targets; its messages come first,
	// where they are seen without scrolling.
	targets := container.NewVBox(
		line(label("settings.sla.repeat_rate"), narrow(p.repeatRate, 64), label("settings.sla.percent"),
			label("settings.sla.repeat_days"), narrow(p.repeatDays, 64), label("settings.sla.days"),
			layout.NewSpacer(), label("settings.sla.satisfaction"), narrow(p.satisfaction, 64), label("settings.sla.points")),
		line(label("settings.sla.followup"), container.NewGridWrap(fyne.NewSize(200, p.followUp.n.MinSize().Height), p.followUp.object()),
			layout.NewSpacer(), label("settings.sla.supervisor_days"), narrow(p.supervisorDays, 56), label("settings.sla.days_late")),
	)
	wgrid := container.NewGridWithColumns(4, &widget.Label{Text: T("settings.sla.window.kind"), TextStyle: fyne.TextStyle{Bold: true}},
		&widget.Label{Text: T("settings.sla.window.from"), TextStyle: fyne.TextStyle{Bold: true}},
		&widget.Label{Text: T("settings.sla.window.to"), TextStyle: fyne.TextStyle{Bold: true}},
		&widget.Label{Text: T("settings.sla.window.target"), TextStyle: fyne.TextStyle{Bold: true}})
	offset := func(m, d *widget.Entry) fyne.CanvasObject {
		return line(narrow(m, 48), label("settings.sla.months"), narrow(d, 56), label("settings.sla.days"))
	}
	add := func(care bool, kind, key string) {
		w := &windowRow{care: care, kind: kind, fromM: num(), fromD: num(), toM: num(), toD: num(), target: num()}
		for _, e := range []*widget.Entry{w.fromM, w.fromD, w.toM, w.toD, w.target} {
			e.OnChanged = func(string) { p.checkService() }
		}
		p.windows = append(p.windows, w)
		wgrid.Add(widget.NewLabel(T(key)))
		wgrid.Add(offset(w.fromM, w.fromD))
		wgrid.Add(offset(w.toM, w.toD))
		wgrid.Add(line(narrow(w.target, 64), label("settings.sla.percent")))
	}
	for _, k := range data.RevisitKinds {
		add(false, k, "settings.sla.window.ticket."+k)
	}
	for _, k := range data.CareKinds {
		add(true, k, "settings.sla.window.care."+k)
	}
	hint := &widget.Label{Text: T("settings.sla.window.hint"), Wrapping: fyne.TextWrapWord}
	return container.NewVBox(p.errs["service"], targets, widget.NewSeparator(),
		&widget.Label{Text: T("settings.sla.windows"), TextStyle: fyne.TextStyle{Bold: true}}, hint, wgrid)
}

// checkTab checks a limit tab's pickers and shows or clears its messages.
func (p *policyEditor) checkTab(tab string) int {
	rows := []*policyRow{p.urgent}
	if tab != "urgent" {
		rows = nil
		for _, r := range p.rows {
			if r.kind == tab {
				rows = append(rows, r)
			}
		}
	}
	var msgs []string
	for _, r := range rows {
		for i, pk := range r.pickers {
			if _, key := pk.limit(); key != "" {
				col := T("settings.sla.col." + limitNames[i])
				if r.severity != "" {
					col = T("ticket.sev."+r.severity) + " · " + col
				}
				msgs = append(msgs, T("settings.sla.cell_error", map[string]any{"Column": col, "Message": T(key)}))
			}
		}
	}
	showMsgs(p.errs[tab], msgs)
	return len(msgs)
}

func showMsgs(l *widget.Label, msgs []string) {
	if l == nil {
		return
	}
	l.SetText(strings.Join(msgs, "\n"))
	if len(msgs) == 0 {
		l.Hide()
	} else {
		l.Show()
	}
}

// service reads the service tab; msgs are its messages for what does not
// read as a number.
func (p *policyEditor) service() (sp data.ServicePolicy, msgs []string) {
	sp = p.current.Service
	sp.Revisits, sp.Care = map[string]data.Window{}, map[string]data.Window{}
	float := func(e *widget.Entry, name string) float64 {
		v, err := strconv.ParseFloat(strings.TrimSpace(data.FoldInput(e.Text)), 64)
		if err != nil {
			msgs = append(msgs, T("settings.sla.num_invalid", map[string]any{"Field": name}))
		}
		return v
	}
	integer := func(e *widget.Entry, name string) int {
		t := strings.TrimSpace(data.FoldInput(e.Text))
		if t == "" {
			return 0
		}
		v, err := strconv.Atoi(t)
		if err != nil {
			msgs = append(msgs, T("settings.sla.int_invalid", map[string]any{"Field": name}))
		}
		return v
	}
	sp.RepeatRate = float(p.repeatRate, T("settings.sla.repeat_rate")) / 100
	sp.RepeatDays = integer(p.repeatDays, T("settings.sla.repeat_days"))
	sp.Satisfaction = float(p.satisfaction, T("settings.sla.satisfaction"))
	sp.SupervisorDays = integer(p.supervisorDays, T("settings.sla.supervisor_days"))
	var key string
	if sp.HandoffFollowUp, key = p.followUp.limit(); key != "" {
		msgs = append(msgs, T("settings.sla.cell_error", map[string]any{"Column": T("settings.sla.followup"), "Message": T(key)}))
	}
	for _, w := range p.windows {
		label := "settings.sla.window.ticket." + w.kind
		if w.care {
			label = "settings.sla.window.care." + w.kind
		}
		name := T(label)
		win := data.Window{From: data.Offset{Months: integer(w.fromM, name), Days: integer(w.fromD, name)},
			To: data.Offset{Months: integer(w.toM, name), Days: integer(w.toD, name)}}
		if strings.TrimSpace(w.target.Text) != "" {
			win.Target = float(w.target, name) / 100
		}
		if w.care {
			sp.Care[w.kind] = win
		} else {
			sp.Revisits[w.kind] = win
		}
	}
	return sp, msgs
}

func (p *policyEditor) checkService() {
	_, msgs := p.service()
	showMsgs(p.errs["service"], msgs)
}

func (p *policyEditor) reload() {
	u := p.u
	type loaded struct {
		pol  data.SLAPolicy
		info data.SLAPolicyInfo
	}
	load(u, func(ctx context.Context) (loaded, error) {
		st := p.store
		pol, err := st.SLAPolicy(ctx)
		if err != nil {
			return loaded{}, err
		}
		info, err := st.SLAPolicyInfo(ctx)
		return loaded{pol, info}, err
	}, func(l loaded, err error) {
		if err != nil {
			p.status.SetError(u.errText(err))
			return
		}
		p.current = l.pol
		p.info.SetText(policyInfoText(u, l.info))
		for _, r := range p.rows {
			for _, rule := range l.pol.Rules {
				if rule.Kind == r.kind && rule.Severity == r.severity {
					r.set(rule)
				}
			}
		}
		p.urgent.set(l.pol.Urgent)
		p.urgent.pickers[0].set(data.Limit{})
		p.setService(l.pol.Service)
	})
}

// pct writes a rate in percent: 0.05 → "5", 0.925 → "92.5".
func pct(v float64) string { return strconv.FormatFloat(math.Round(v*1000)/10, 'f', -1, 64) }

func (p *policyEditor) setService(sp data.ServicePolicy) {
	p.repeatRate.SetText(pct(sp.RepeatRate))
	p.repeatDays.SetText(strconv.Itoa(sp.RepeatDays))
	p.satisfaction.SetText(strconv.FormatFloat(sp.Satisfaction, 'f', -1, 64))
	p.supervisorDays.SetText(strconv.Itoa(sp.SupervisorDays))
	p.followUp.set(sp.HandoffFollowUp)
	for _, w := range p.windows {
		win := sp.Revisits[w.kind]
		if w.care {
			win = sp.Care[w.kind]
		}
		w.fromM.SetText(strconv.Itoa(win.From.Months))
		w.fromD.SetText(strconv.Itoa(win.From.Days))
		w.toM.SetText(strconv.Itoa(win.To.Months))
		w.toD.SetText(strconv.Itoa(win.To.Days))
		w.target.SetText(pct(win.Target))
	}
}

func (r *policyRow) set(rule data.SLARule) {
	for i, l := range limitsOf(&rule) {
		r.pickers[i].set(*l)
	}
}

// policyInfoText says which version is current and who saved it when.
func policyInfoText(u *UI, info data.SLAPolicyInfo) string {
	if info.SavedAt.IsZero() {
		return T("settings.sla.info.default", map[string]any{"Version": info.Version})
	}
	return T("settings.sla.info", map[string]any{"Version": info.Version, "Name": info.SavedByName, "At": u.dateTime(info.SavedAt)})
}

// read reads the whole editor; bad is how many entries do not read (each
// then shows its message, and the first tab with one is selected).
func (p *policyEditor) read() (pol data.SLAPolicy, bad int) {
	read := func(r *policyRow) data.SLARule {
		rule := data.SLARule{Kind: r.kind, Severity: r.severity}
		for i, dst := range limitsOf(&rule) {
			*dst, _ = r.pickers[i].limit()
		}
		return rule
	}
	first := -1
	for i, k := range append(append([]string{}, data.TicketKinds...), "urgent") {
		if n := p.checkTab(k); n > 0 {
			bad += n
			if first < 0 {
				first = i
			}
		}
	}
	for _, r := range p.rows {
		pol.Rules = append(pol.Rules, read(r))
	}
	pol.Urgent = read(p.urgent)
	pol.Urgent.Entry = data.Limit{}
	var msgs []string
	pol.Service, msgs = p.service()
	showMsgs(p.errs["service"], msgs)
	if len(msgs) > 0 {
		bad += len(msgs)
		if first < 0 {
			first = len(data.TicketKinds) + 1
		}
	}
	if first >= 0 {
		p.tabs.SelectIndex(first)
	}
	return pol, bad
}

func samePolicy(a, b data.SLAPolicy) bool {
	if len(a.Rules) != len(b.Rules) || a.Urgent.Ack != b.Urgent.Ack || a.Urgent.Response != b.Urgent.Response ||
		a.Urgent.Escalation != b.Urgent.Escalation || a.Urgent.Resolution != b.Urgent.Resolution || !reflect.DeepEqual(a.Service, b.Service) {
		return false
	}
	for _, r := range b.Rules {
		if !slices.Contains(a.Rules, r) {
			return false
		}
	}
	return true
}

func (p *policyEditor) onSave() {
	u := p.u
	pol, bad := p.read()
	if bad > 0 {
		p.status.SetError(T("settings.sla.fix_cells", map[string]any{"Count": bad}))
		return
	}
	if samePolicy(p.current, pol) {
		p.status.SetError(T("settings.sla.unchanged"))
		return
	}
	p.save.Disable()
	actor := u.user.ID
	load(u, func(ctx context.Context) (data.SLAPolicy, error) {
		return p.store.SavePolicy(ctx, actor, pol)
	}, func(saved data.SLAPolicy, err error) {
		p.save.Enable()
		if err != nil {
			p.status.SetError(p.policyErrText(err))
			return
		}
		p.status.SetSuccess(T("settings.sla.saved", map[string]any{"Version": saved.Version, "At": u.dateTime(u.now())}))
		p.reload()
	})
}

// policyErrText names kinds and severities in words.
func (p *policyEditor) policyErrText(err error) string {
	if e, ok := data.AsError(err); ok && e.Args != nil {
		args := map[string]any{}
		for k, v := range e.Args {
			args[k] = v
		}
		if k, ok := args["Kind"].(string); ok && k != "" {
			args["Kind"] = T("ticket.kind." + k)
		}
		if s, ok := args["Severity"].(string); ok && s != "" {
			args["Severity"] = T("ticket.sev." + s)
		}
		return p.fieldPrefix(e, T(e.Key, args))
	}
	if e, ok := data.AsError(err); ok {
		return p.fieldPrefix(e, p.u.errText(err))
	}
	return p.u.errText(err)
}

// timeOfDay renders a duration from midnight as 09:00.
func timeOfDay(d time.Duration) string {
	return time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC).Add(d).Format("15:04")
}

// fieldPrefix names the revisit window or figure a message is about.
func (p *policyEditor) fieldPrefix(e *data.Error, msg string) string {
	var name string
	switch {
	case strings.HasPrefix(e.Field, "revisit."):
		name = T("settings.sla.window.ticket." + strings.TrimPrefix(e.Field, "revisit."))
	case strings.HasPrefix(e.Field, "care."):
		name = T("settings.sla.window.care." + strings.TrimPrefix(e.Field, "care."))
	case e.Field == "repeat_rate", e.Field == "repeat_days", e.Field == "satisfaction":
		name = T("settings.sla." + e.Field)
	case e.Field == "handoff":
		name = T("settings.sla.followup")
	default:
		return msg
	}
	return T("settings.sla.field_error", map[string]any{"Field": name, "Message": msg})
}

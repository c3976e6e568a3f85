package app

import (
	"context"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"anchang/data"
)

// The SLA policy editor (时限政策): for each ticket kind × severity the four
// limits — entering the ticket, first response, escalation, resolution —
// in the policy's own notation ("2h", "4wh", "3wd", "sameday", empty for
// none), plus the urgent tightening. Saving makes a new policy version for
// tickets opened from then on; open tickets keep theirs. The policy is
// HQ's; there is no HQ role on a device yet, so the office admin stands in
// for it (as for the FAQ, see data.Role.CanEditFAQ).

// ticketAdminStore is what the policy, holiday and ledger screens need
// from the store.
type ticketAdminStore interface {
	SLAPolicy(ctx context.Context) (data.SLAPolicy, error)
	SLAPolicyInfo(ctx context.Context) (data.SLAPolicyInfo, error)
	SaveSLAPolicy(ctx context.Context, actorID string, rules []data.SLARule, urgent data.SLARule) (data.SLAPolicy, error)
	HolidaySchedules(ctx context.Context) ([]data.HolidayYear, error)
	ImportHolidays(ctx context.Context, actorID string, b []byte) (int, error)
	Calendar(ctx context.Context) (*data.Calendar, error)
	SetOfficeHours(ctx context.Context, actorID string, h data.OfficeHours) error
	ticketLedgerStore
}

// canEditTicketPolicy: the SLA policy and the holiday calendar are HQ's;
// the office admin stands in for HQ on a device.
func canEditTicketPolicy(r data.Role) bool { return r == data.RoleAdmin }

// limitNames are a rule's four limits in column order (translated as
// settings.sla.col.<name>).
var limitNames = []string{"entry", "response", "escalation", "resolution"}

func limitsOf(r *data.SLARule) []*data.Limit {
	return []*data.Limit{&r.Entry, &r.Response, &r.Escalation, &r.Resolution}
}

// policyRow is one line of the editor: a rule's four limit entries and the
// line's error messages.
type policyRow struct {
	kind, severity string // both "" for the urgent rule
	entries        []*widget.Entry
	errs           []string
	errLabel       *widget.Label
}

type policyEditor struct {
	u       *UI
	info    *widget.Label
	rows    []*policyRow
	urgent  *policyRow
	save    *widget.Button
	status  *statusLine
	current data.SLAPolicy
	modal   *modal
}

// showSLAPolicy opens the policy editor as a modal.
func (u *UI) showSLAPolicy() *policyEditor {
	p := &policyEditor{u: u}
	content := p.buildUI()
	p.modal = u.showModal(T("settings.sla.title"), container.NewGridWrap(adminModalSize(u, 960, 660), content), T("dialog.close"))
	p.reload()
	return p
}

// adminModalSize is a modal's content size: w×h, or less on a small window.
func adminModalSize(u *UI, w, h float32) fyne.Size {
	c := u.win.Canvas().Size()
	if c.Width > 0 {
		w = min(w, c.Width-64)
	}
	if c.Height > 0 {
		h = min(h, c.Height-150)
	}
	return fyne.NewSize(w, h)
}

func (p *policyEditor) buildUI() fyne.CanvasObject {
	p.info = widget.NewLabel("")
	p.info.Wrapping = fyne.TextWrapWord
	legend := widget.NewLabel(T("settings.sla.legend"))
	legend.Wrapping = fyne.TextWrapWord

	header := []fyne.CanvasObject{widget.NewLabel(T("settings.sla.col.kind")), widget.NewLabel(T("settings.sla.col.severity"))}
	for _, n := range limitNames {
		header = append(header, widget.NewLabel(T("settings.sla.col."+n)))
	}
	grid := container.NewVBox(container.NewGridWithColumns(6, header...), widget.NewSeparator())
	for _, k := range data.TicketKinds {
		for i, s := range data.Severities {
			r := p.newRow(k, s)
			p.rows = append(p.rows, r)
			kindLabel := widget.NewLabel("")
			if i == 0 {
				kindLabel.SetText(T("ticket.kind." + k))
			}
			grid.Add(r.object(kindLabel, widget.NewLabel(T("ticket.sev."+s))))
		}
		grid.Add(widget.NewSeparator())
	}
	p.urgent = p.newRow("", "")
	p.urgent.entries[0].Disable() // urgent does not change the entry deadline
	urgentHint := widget.NewLabel(T("settings.sla.urgent.hint"))
	urgentHint.Wrapping = fyne.TextWrapWord
	grid.Add(p.urgent.object(widget.NewLabel(T("settings.sla.urgent")), widget.NewLabel("")))
	grid.Add(urgentHint)

	p.status = newStatusLine()
	p.save = &widget.Button{Text: T("settings.sla.save"), Importance: widget.HighImportance, OnTapped: p.onSave}
	bottom := container.NewVBox(p.status, container.NewBorder(nil, nil, nil, p.save, p.u.byHQHint(p.save)))
	return container.NewBorder(container.NewVBox(p.info, legend), bottom, nil, nil, container.NewVScroll(grid))
}

func (p *policyEditor) newRow(kind, severity string) *policyRow {
	r := &policyRow{kind: kind, severity: severity, errs: make([]string, len(limitNames))}
	r.errLabel = widget.NewLabel("")
	r.errLabel.Importance = widget.DangerImportance
	r.errLabel.Wrapping = fyne.TextWrapWord
	r.errLabel.Hide()
	for i := range limitNames {
		e := &widget.Entry{PlaceHolder: "—"}
		e.OnChanged = func(string) { p.check(r, i) }
		r.entries = append(r.entries, e)
	}
	return r
}

func (r *policyRow) object(kind, severity fyne.CanvasObject) fyne.CanvasObject {
	cells := []fyne.CanvasObject{kind, severity}
	for _, e := range r.entries {
		cells = append(cells, e)
	}
	return container.NewVBox(container.NewGridWithColumns(6, cells...), r.errLabel)
}

// check parses the i-th limit of r and shows or clears its message.
func (p *policyEditor) check(r *policyRow, i int) bool {
	_, err := data.ParseLimit(r.entries[i].Text)
	r.errs[i] = ""
	if err != nil {
		r.errs[i] = T("settings.sla.cell_error", map[string]any{"Column": T("settings.sla.col." + limitNames[i]), "Message": p.u.errText(err)})
	}
	r.showErrors()
	return err == nil
}

func (r *policyRow) showErrors() {
	var msg string
	for _, e := range r.errs {
		if e != "" {
			if msg != "" {
				msg += "\n"
			}
			msg += e
		}
	}
	r.errLabel.SetText(msg)
	if msg == "" {
		r.errLabel.Hide()
	} else {
		r.errLabel.Show()
	}
}

func (p *policyEditor) reload() {
	u := p.u
	type loaded struct {
		pol  data.SLAPolicy
		info data.SLAPolicyInfo
	}
	load(u, func(ctx context.Context) (loaded, error) {
		st := u.store
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
		p.urgent.entries[0].SetText("")
	})
}

func (r *policyRow) set(rule data.SLARule) {
	for i, l := range limitsOf(&rule) {
		r.entries[i].SetText(l.String())
	}
}

// policyInfoText says which version is current and who saved it when.
func policyInfoText(u *UI, info data.SLAPolicyInfo) string {
	if info.SavedAt.IsZero() {
		return T("settings.sla.info.default", map[string]any{"Version": info.Version})
	}
	return T("settings.sla.info", map[string]any{"Version": info.Version, "Name": info.SavedByName, "At": u.dateTime(info.SavedAt)})
}

// rules reads the grid; ok is false when any cell does not parse (each
// bad cell then shows its message).
func (p *policyEditor) rules() (rules []data.SLARule, urgent data.SLARule, bad int) {
	read := func(r *policyRow) data.SLARule {
		rule := data.SLARule{Kind: r.kind, Severity: r.severity}
		for i, dst := range limitsOf(&rule) {
			if !p.check(r, i) {
				bad++
				continue
			}
			*dst, _ = data.ParseLimit(r.entries[i].Text)
		}
		return rule
	}
	for _, r := range p.rows {
		rules = append(rules, read(r))
	}
	urgent = read(p.urgent)
	urgent.Entry = data.Limit{}
	return rules, urgent, bad
}

func samePolicy(a data.SLAPolicy, rules []data.SLARule, urgent data.SLARule) bool {
	if len(a.Rules) != len(rules) || a.Urgent.Response != urgent.Response || a.Urgent.Escalation != urgent.Escalation || a.Urgent.Resolution != urgent.Resolution {
		return false
	}
	for _, r := range rules {
		found := false
		for _, x := range a.Rules {
			found = found || x == r
		}
		if !found {
			return false
		}
	}
	return true
}

func (p *policyEditor) onSave() {
	u := p.u
	rules, urgent, bad := p.rules()
	if bad > 0 {
		p.status.SetError(T("settings.sla.fix_cells", map[string]any{"Count": bad}))
		return
	}
	if samePolicy(p.current, rules, urgent) {
		p.status.SetError(T("settings.sla.unchanged"))
		return
	}
	p.save.Disable()
	load(u, func(ctx context.Context) (data.SLAPolicy, error) {
		return u.store.SaveSLAPolicy(ctx, u.user.ID, rules, urgent)
	}, func(pol data.SLAPolicy, err error) {
		p.save.Enable()
		if err != nil {
			p.status.SetError(p.policyErrText(err))
			return
		}
		p.status.SetSuccess(T("settings.sla.saved", map[string]any{"Version": pol.Version, "At": u.dateTime(u.now())}))
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
		return T(e.Key, args)
	}
	return p.u.errText(err)
}

// timeOfDay renders a duration from midnight as 09:00.
func timeOfDay(d time.Duration) string {
	return time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC).Add(d).Format("15:04")
}

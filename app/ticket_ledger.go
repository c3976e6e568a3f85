package app

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"anchang/data"
	"anchang/data/sheet"
)

// The complaint ledger (投诉电子台账): the tickets of a period with the
// figures the service standards set targets for — repeat rate (≤ 5%),
// average satisfaction (≥ 4.5), responses (and acknowledgements) and
// resolutions on time, revisit completion (complaints 100%, repairs 90%);
// the targets are the current SLA policy's — the weekly summary by
// category, and an Excel export to the printouts folder. Opened from the
// tickets tab (u.showTicketLedger) by the desk roles; consultants see
// only their own tickets and get no ledger.

// ticketLedgerStore is what the complaint ledger needs from the store.
type ticketLedgerStore interface {
	TicketLedger(ctx context.Context, f data.LedgerFilter) (data.TicketLedger, error)
	ListStaff(ctx context.Context, includeInactive bool) ([]data.Staff, error) // the owners offered
}

var _ ticketLedgerStore = (*data.Store)(nil)

// canSeeLedger: the desk roles (receptionists, supervisors, admins).
func canSeeLedger(r data.Role) bool { return r != data.RoleConsultant }

// Ledger periods (translated as ledger.period.<name>).
const (
	periodThisWeek  = "this_week"
	periodLastWeek  = "last_week"
	periodThisMonth = "this_month"
	periodCustom    = "custom"
)

var ledgerPeriods = []string{periodThisWeek, periodLastWeek, periodThisMonth, periodCustom}

// ledgerColumns are the table's columns (translated as ledger.col.<name>)
// and their widths.
var ledgerColumns = []struct {
	name  string
	width float32
}{
	{"number", 180}, {"opened", 140}, {"kind", 64}, {"category", 80}, {"severity", 60}, {"state", 70},
	{"repeat", 225}, {"customer", 80}, {"unit", 110}, {"summary", 240}, {"owner", 70}, {"response", 60},
	{"resolution", 60}, {"satisfaction", 60},
}

type ledgerScreen struct {
	u     *UI
	store ticketLedgerStore

	period                  *widget.Select
	from, to                *widget.Entry
	custom                  *fyne.Container
	kind, cat, sev, state   *widget.Select
	owner                   *widget.Select
	ownerIDs                map[string]string // option text → staff id
	periodText              *widget.Label
	cards                   *fyne.Container
	table                   *widget.Table
	empty                   *widget.Label // "no tickets" over the empty table
	weeks                   *fyne.Container
	pages                   *tabs
	ledgerTab               *tab
	export                  *widget.Button
	status                  *statusLine
	ledger                  data.TicketLedger
	loadedFrom, loadedUntil time.Time
	seq                     int // the newest reload; older answers are dropped
}

// showTicketLedger opens the complaint ledger as a modal.
func (u *UI) showTicketLedger() *ledgerScreen {
	l := &ledgerScreen{u: u, store: u.store}
	content := l.buildUI()
	u.showModal(T("ledger.title"), container.NewGridWrap(u.modalSize(1240, 900), content), T("dialog.close"))
	l.loadOwners()
	l.reload()
	return l
}

// option lists: "all" first, then the codes translated.
func ledgerOptions(allKey, prefix string, codes []string) []string {
	out := []string{T(allKey)}
	for _, c := range codes {
		out = append(out, T(prefix+c))
	}
	return out
}

// optionCode is the code of the option picked, "" for all.
func optionCode(sel *widget.Select, prefix string, codes []string) string {
	for _, c := range codes {
		if sel.Selected == T(prefix+c) {
			return c
		}
	}
	return ""
}

func (l *ledgerScreen) buildUI() fyne.CanvasObject {
	onChange := func(string) { l.reload() }
	var periods []string
	for _, p := range ledgerPeriods {
		periods = append(periods, T("ledger.period."+p))
	}
	l.period = widget.NewSelect(periods, func(s string) {
		if s == T("ledger.period."+periodCustom) {
			l.custom.Show()
		} else {
			l.custom.Hide()
		}
		l.reload()
	})
	l.from = &widget.Entry{PlaceHolder: "2026-11-01"}
	l.to = &widget.Entry{PlaceHolder: "2026-11-30"}
	l.from.OnSubmitted, l.to.OnSubmitted = onChange, onChange
	l.custom = container.NewHBox(widget.NewLabel(T("ledger.from")), sized(l.from, 120), widget.NewLabel(T("ledger.to")), sized(l.to, 120),
		&widget.Button{Text: T("ledger.apply"), OnTapped: l.reload})
	l.custom.Hide()
	var states []string
	for _, s := range data.TicketStates {
		states = append(states, string(s))
	}
	l.kind = widget.NewSelect(ledgerOptions("ledger.all_kinds", "ticket.kind.", data.TicketKinds), onChange)
	l.cat = widget.NewSelect(ledgerOptions("ledger.all_categories", "ticket.cat.", data.TicketCategories), onChange)
	l.sev = widget.NewSelect(ledgerOptions("ledger.all_severities", "ticket.sev.", data.Severities), onChange)
	l.state = widget.NewSelect(ledgerOptions("ledger.all_states", "ticket.state.", states), onChange)
	l.owner = widget.NewSelect([]string{T("ledger.all_owners")}, onChange)
	selects := []fyne.CanvasObject{}
	for _, s := range []*widget.Select{l.kind, l.cat, l.sev, l.state, l.owner} {
		s.SetSelectedIndex(0)
		selects = append(selects, sized(s, textWidth(s.Options...)+48))
	}
	l.period.SetSelectedIndex(0)

	l.periodText = widget.NewLabel("")
	l.status = newStatusLine()
	l.export = &widget.Button{Text: T("ledger.export"), OnTapped: l.onExport}
	actions := []fyne.CanvasObject{l.export}
	if canCarryOver(l.u.user.Role) {
		actions = append([]fyne.CanvasObject{&widget.Button{Text: T("ticket.import.open"), OnTapped: func() {
			l.u.showTicketImport(func(int) { l.reload() })
		}}}, actions...)
	}
	filters := container.NewVBox(
		container.NewHBox(append([]fyne.CanvasObject{widget.NewLabel(T("ledger.period")), l.period, l.custom, layout.NewSpacer()}, actions...)...),
		container.NewHBox(selects...),
		l.periodText,
	)
	l.cards = container.NewGridWithColumns(6)

	l.table = widget.NewTable(func() (int, int) { return len(l.ledger.Rows) + 1, len(ledgerColumns) },
		func() fyne.CanvasObject { return widget.NewLabel("") },
		func(id widget.TableCellID, o fyne.CanvasObject) {
			lab := o.(*widget.Label)
			text, imp := l.cell(id.Row, id.Col)
			lab.Truncation = fyne.TextTruncateEllipsis
			lab.Importance = imp
			lab.SetText(text)
		})
	for i, c := range ledgerColumns {
		l.table.SetColumnWidth(i, columnWidth(c.name, c.width))
	}
	l.table.StickyRowCount = 1
	l.weeks = container.NewVBox()
	l.empty = widget.NewLabel(T("ledger.none"))
	l.empty.Alignment = fyne.TextAlignCenter
	l.empty.Hide()
	l.ledgerTab = newTab(T("ledger.tab.tickets"), container.NewStack(l.table, container.NewCenter(l.empty)))
	l.pages = newTabs(l.ledgerTab, newTab(T("ledger.tab.weeks"), container.NewVScroll(l.weeks)))
	return container.NewBorder(container.NewVBox(filters, l.cards), l.status, nil, nil, l.pages.object())
}

// textWidth is how wide text is drawn in the theme's text size.
func textWidth(texts ...string) float32 {
	w := float32(0)
	for _, t := range texts {
		w = max(w, fyne.MeasureText(t, theme.TextSize(), fyne.TextStyle{}).Width)
	}
	return w
}

// columnWidth is a column's width: its base width, or wider when its
// header or (for coded columns) the longest translated value needs it.
func columnWidth(name string, base float32) float32 {
	texts := []string{T("ledger.col." + name)}
	add := func(prefix string, codes []string, suffix string) {
		for _, c := range codes {
			texts = append(texts, T(prefix+c)+suffix)
		}
	}
	switch name {
	case "kind":
		add("ticket.kind.", data.TicketKinds, "")
	case "category":
		add("ticket.cat.", data.TicketCategories, "")
	case "severity":
		add("ticket.sev.", data.Severities, T("ledger.urgent"))
	case "state":
		for _, st := range data.TicketStates {
			texts = append(texts, T("ticket.state."+string(st)))
		}
	}
	return max(base, textWidth(texts...)+4*theme.Padding()+4)
}

// sized gives an entry a fixed width in a row.
func sized(o fyne.CanvasObject, w float32) fyne.CanvasObject {
	return container.NewGridWrap(fyne.NewSize(w, o.MinSize().Height), o)
}

// cell is the text of a ledger table cell (row 0 is the header).
func (l *ledgerScreen) cell(row, col int) (string, widget.Importance) {
	name := ledgerColumns[col].name
	if row == 0 {
		return T("ledger.col." + name), widget.HighImportance
	}
	r := l.ledger.Rows[row-1]
	yn := func(b *bool) (string, widget.Importance) {
		switch {
		case b == nil:
			return "", widget.MediumImportance
		case *b:
			return T("ledger.on_time"), widget.SuccessImportance
		}
		return T("ledger.late"), widget.DangerImportance
	}
	switch name {
	case "number":
		if r.Repeat {
			return r.Number, widget.DangerImportance
		}
		return r.Number, widget.MediumImportance
	case "opened":
		return l.u.dateTime(r.OpenedAt), widget.MediumImportance
	case "kind":
		return T("ticket.kind." + r.Kind), widget.MediumImportance
	case "category":
		return T("ticket.cat." + r.Category), widget.MediumImportance
	case "severity":
		if r.Urgent {
			return T("ticket.sev."+r.Severity) + T("ledger.urgent"), widget.WarningImportance
		}
		return T("ticket.sev." + r.Severity), widget.MediumImportance
	case "state":
		return T("ticket.state." + string(r.State)), widget.MediumImportance
	case "customer":
		return r.CustomerName, widget.MediumImportance
	case "unit":
		return strings.Join(nonEmpty(r.Building, r.Unit), "-"), widget.MediumImportance
	case "summary":
		s := r.Description
		if i := strings.IndexByte(s, '\n'); i >= 0 {
			s = s[:i]
		}
		return s, widget.MediumImportance
	case "owner":
		return r.OwnerName, widget.MediumImportance
	case "response":
		return yn(r.ResponseOnTime)
	case "resolution":
		return yn(r.ResolutionOnTime)
	case "satisfaction":
		if r.Satisfaction > 0 {
			imp := widget.MediumImportance
			if r.Satisfaction <= data.UnsatisfiedMax {
				imp = widget.DangerImportance
			}
			return strconv.Itoa(r.Satisfaction), imp
		}
		return "", widget.MediumImportance
	case "repeat":
		if r.Repeat {
			return T("ledger.repeat_of", map[string]any{"Number": r.RepeatOf}), widget.DangerImportance
		}
	}
	return "", widget.MediumImportance
}

func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// periodRange is the period picked, as [from, until) in the office's
// time zone, or an error message.
func (l *ledgerScreen) periodRange() (from, until time.Time, msg string) {
	loc := l.u.location()
	now := l.u.now().In(loc)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)
	monday := today.AddDate(0, 0, -((int(today.Weekday()) + 6) % 7))
	switch l.period.Selected {
	case T("ledger.period." + periodLastWeek):
		return monday.AddDate(0, 0, -7), monday, ""
	case T("ledger.period." + periodThisMonth):
		first := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, loc)
		return first, first.AddDate(0, 1, 0), ""
	case T("ledger.period." + periodCustom):
		f, err1 := time.ParseInLocation(time.DateOnly, strings.TrimSpace(data.FoldInput(l.from.Text)), loc)
		t, err2 := time.ParseInLocation(time.DateOnly, strings.TrimSpace(data.FoldInput(l.to.Text)), loc)
		switch {
		case err1 != nil:
			return from, until, T("ledger.err.date", map[string]any{"Value": truncText(l.from.Text, 20)})
		case err2 != nil:
			return from, until, T("ledger.err.date", map[string]any{"Value": truncText(l.to.Text, 20)})
		case t.Before(f):
			return from, until, T("ledger.err.order")
		case t.Sub(f) > 366*24*time.Hour:
			return from, until, T("ledger.err.too_long")
		}
		return f, t.AddDate(0, 0, 1), ""
	}
	return monday, monday.AddDate(0, 0, 7), ""
}

func truncText(s string, n int) string {
	r := []rune(strings.TrimSpace(s))
	if len(r) > n {
		return string(r[:n]) + "…"
	}
	return string(r)
}

func (l *ledgerScreen) filter() (data.LedgerFilter, string) {
	from, until, msg := l.periodRange()
	if msg != "" {
		return data.LedgerFilter{}, msg
	}
	var states []string
	for _, s := range data.TicketStates {
		states = append(states, string(s))
	}
	return data.LedgerFilter{From: from, To: until,
		Kind:     optionCode(l.kind, "ticket.kind.", data.TicketKinds),
		Category: optionCode(l.cat, "ticket.cat.", data.TicketCategories),
		Severity: optionCode(l.sev, "ticket.sev.", data.Severities),
		State:    data.TicketState(optionCode(l.state, "ticket.state.", states)),
		OwnerID:  l.ownerIDs[l.owner.Selected]}, ""
}

func (l *ledgerScreen) loadOwners() {
	u := l.u
	load(u, func(ctx context.Context) ([]data.Staff, error) {
		return l.store.ListStaff(ctx, true)
	}, func(staff []data.Staff, err error) {
		if err != nil {
			l.status.SetError(u.errText(err))
			return
		}
		l.ownerIDs = map[string]string{}
		opts := []string{T("ledger.all_owners")}
		for _, st := range staff {
			o := staffOption(st)
			l.ownerIDs[o] = st.ID
			opts = append(opts, o)
		}
		l.owner.Options = opts
		l.owner.Refresh()
	})
}

// reload reads the ledger for the filters now set.
func (l *ledgerScreen) reload() {
	u := l.u
	if l.status == nil || l.owner == nil {
		return // still building
	}
	f, msg := l.filter()
	if msg != "" {
		l.status.SetError(msg)
		return
	}
	l.seq++
	seq := l.seq
	load(u, func(ctx context.Context) (data.TicketLedger, error) {
		return l.store.TicketLedger(ctx, f)
	}, func(led data.TicketLedger, err error) {
		if seq != l.seq {
			return // a newer filter is loading
		}
		if err != nil {
			l.status.SetError(u.errText(err))
			return
		}
		l.status.SetText("")
		l.ledger = led
		l.loadedFrom, l.loadedUntil = f.From, f.To
		l.periodText.SetText(T("ledger.period_text", map[string]any{"From": f.From.Format(time.DateOnly),
			"To": f.To.AddDate(0, 0, -1).Format(time.DateOnly), "Count": len(led.Rows), "Open": led.Open, "Late": led.Late}))
		l.showCards()
		l.showWeeks()
		l.table.Refresh()
		l.table.ScrollToTop()
		if len(led.Rows) == 0 {
			l.empty.Show()
		} else {
			l.empty.Hide()
		}
	})
}

// rateText is a rate as a percentage, "—" without a total.
func rateText(r data.Rate) string {
	if r.Den == 0 {
		return "—"
	}
	return strconv.FormatFloat(100*r.Value(), 'f', 1, 64) + "%"
}

// figureState is how a figure stands against its target.
type figureState int

const (
	figureNone   figureState = iota // nothing counted yet, or no numeric target
	figureMet                       // green
	figureMissed                    // red
)

// rateState is how a rate stands against its target.
func rateState(r data.Rate) figureState {
	switch {
	case r.Den == 0 || r.Target == 0:
		return figureNone
	case r.Met():
		return figureMet
	}
	return figureMissed
}

// figureCard is one figure: its name, value, and the target with the
// counts behind it; the value is red when the target is missed.
func figureCard(name, value, target string, r figureState) fyne.CanvasObject {
	bg := canvas.NewRectangle(colorPanel)
	bg.CornerRadius = 6
	title := widget.NewLabel(name)
	title.Truncation = fyne.TextTruncateEllipsis
	v := widget.NewLabel(value)
	v.SizeName = theme.SizeNameSubHeadingText
	v.Importance = map[figureState]widget.Importance{figureMet: widget.SuccessImportance, figureMissed: widget.DangerImportance}[r]
	t := widget.NewLabel(target)
	t.Truncation = fyne.TextTruncateEllipsis
	return container.NewStack(bg, container.NewVBox(title, v, t))
}

func (l *ledgerScreen) showCards() {
	led := l.ledger
	counts := func(r data.Rate) string { return fmt.Sprintf("%d/%d", r.Num, r.Den) }
	sat := "—"
	if led.SatisfactionN > 0 {
		sat = strconv.FormatFloat(led.SatisfactionAvg, 'f', 2, 64)
	}
	satState := figureNone
	if led.SatisfactionN > 0 {
		satState = figureMissed
		if led.SatisfactionMet() {
			satState = figureMet
		}
	}
	responseSub := T("ledger.fig.counts", map[string]any{"Counts": counts(led.ResponseOnTime)})
	if led.AckOnTime.Den > 0 { // acknowledgements (initial handling) on time
		responseSub += T("ledger.fig.ack", map[string]any{"Rate": rateText(led.AckOnTime), "Counts": counts(led.AckOnTime)})
	}
	cards := []fyne.CanvasObject{
		figureCard(T("ledger.fig.repeat"), rateText(led.Repeat),
			T("ledger.fig.target_max", map[string]any{"Target": pctTarget(led.Repeat.Target), "Counts": counts(led.Repeat)}), rateState(led.Repeat)),
		figureCard(T("ledger.fig.satisfaction"), sat,
			T("ledger.fig.target_min", map[string]any{"Target": strconv.FormatFloat(led.Service.Satisfaction, 'f', -1, 64),
				"Counts": T("ledger.fig.revisits", map[string]any{"Count": led.SatisfactionN})}), satState),
		figureCard(T("ledger.fig.response"), rateText(led.ResponseOnTime), responseSub, rateState(led.ResponseOnTime)),
		figureCard(T("ledger.fig.resolution"), rateText(led.ResolutionOnTime),
			T("ledger.fig.counts", map[string]any{"Counts": counts(led.ResolutionOnTime)}), rateState(led.ResolutionOnTime)),
	}
	for _, k := range []string{data.TicketComplaint, data.TicketRepair} {
		r := led.RevisitCompletion[k]
		sub := T("ledger.fig.target_min", map[string]any{"Target": pctTarget(r.Target), "Counts": counts(r)})
		if n := led.RevisitLate[k]; n > 0 {
			sub += T("ledger.fig.revisit_late", map[string]any{"Count": n}) // made after the window: not on time
		}
		if n := led.RevisitEarly[k]; n > 0 {
			sub += T("ledger.fig.revisit_early", map[string]any{"Count": n})
		}
		cards = append(cards, figureCard(T("ledger.fig.revisit."+k), rateText(r), sub, rateState(r)))
	}
	l.cards.Objects = cards
	l.cards.Refresh()
}

// showWeeks fills the weekly summary: one row per week, a column per category.
func (l *ledgerScreen) showWeeks() {
	cols := len(data.TicketCategories) + 2
	cells := []fyne.CanvasObject{widget.NewLabel(T("ledger.week_of"))}
	for _, c := range data.TicketCategories {
		cells = append(cells, widget.NewLabel(T("ticket.cat."+c)))
	}
	cells = append(cells, widget.NewLabel(T("ledger.total")))
	total := map[string]int{}
	all := 0
	for _, w := range l.ledger.Weeks {
		cells = append(cells, widget.NewLabel(w.Start))
		for _, c := range data.TicketCategories {
			cells = append(cells, widget.NewLabel(strconv.Itoa(w.ByCategory[c])))
			total[c] += w.ByCategory[c]
		}
		cells = append(cells, widget.NewLabel(strconv.Itoa(w.Total)))
		all += w.Total
	}
	if len(l.ledger.Weeks) == 0 {
		l.weeks.Objects = []fyne.CanvasObject{widget.NewLabel(T("ledger.none"))}
		l.weeks.Refresh()
		return
	}
	cells = append(cells, widget.NewLabel(T("ledger.total")))
	for _, c := range data.TicketCategories {
		cells = append(cells, widget.NewLabel(strconv.Itoa(total[c])))
	}
	cells = append(cells, widget.NewLabel(strconv.Itoa(all)))
	l.weeks.Objects = []fyne.CanvasObject{container.NewGridWithColumns(cols, cells...)}
	l.weeks.Refresh()
}

// onExport writes the ledger shown to an Excel file in the printouts
// folder, in the background.
func (l *ledgerScreen) onExport() {
	u := l.u
	led, from, until := l.ledger, l.loadedFrom, l.loadedUntil
	if from.IsZero() {
		return
	}
	name := T("ledger.file", map[string]any{"From": from.Format("20060102"), "To": until.AddDate(0, 0, -1).Format("20060102"),
		"At": u.now().In(u.location()).Format("150405")}) + ".xlsx"
	l.export.Disable()
	l.status.SetSuccess(T("ledger.exporting"))
	loc := u.location()
	load(u, func(ctx context.Context) (string, error) {
		dir := u.printFolder()
		return writeLedgerFile(dir, name, led, loc)
	}, func(path string, err error) {
		l.export.Enable()
		if err != nil {
			msg := err.Error()
			if _, ok := data.AsError(err); ok {
				msg = u.errText(err)
			}
			l.status.SetError(T("ledger.export_failed", map[string]any{"Message": msg}))
			return
		}
		l.status.SetSuccess(T("ledger.exported", map[string]any{"Count": len(led.Rows), "Path": path}))
	})
}

// writeLedgerFile writes the workbook to dir/name through a temporary file.
func writeLedgerFile(dir, name string, led data.TicketLedger, loc *time.Location) (string, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	f, err := os.CreateTemp(dir, ".ledger-*.xlsx")
	if err != nil {
		return "", err
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	if err := sheet.WriteLedger(f, led, loc, func(key string) string { return T(key) }); err != nil {
		f.Close()
		return "", err
	}
	if err := f.Close(); err != nil {
		return "", err
	}
	// CreateTemp made it 0600: the ledger holds customers' names and phones.
	path := filepath.Join(dir, name)
	if err := os.Rename(tmp, path); err != nil {
		return "", err
	}
	return path, nil
}

// pctTarget writes a target rate: 0.05 → "5%", 0.925 → "92.5%".
func pctTarget(v float64) string { return pct(v) + "%" }

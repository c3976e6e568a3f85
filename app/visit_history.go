package app

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"anchang/data"
	"anchang/data/sheet"
)

// visitHistoryStore is what past visits and the customer file need.
type visitHistoryStore interface {
	VisitHistory(ctx context.Context, actorID string, q data.VisitQuery) ([]data.BoardRow, error)
	CustomerFile(ctx context.Context, actorID, visitorID string) (data.CustomerFile, error)
	VisitLog(ctx context.Context, actorID string, q data.VisitQuery) ([]data.LogRow, error)
	Today() string // the period's default end
	// CustomerByPhone: a new ticket's customer (ticket_open.go).
	CustomerByPhone(ctx context.Context, actorID, phone string) (data.PhoneCustomer, bool, error)
}

var _ visitHistoryStore = (*data.Store)(nil)

// visitHistory is the modal of past visits: any period, searched by name
// (characters or pinyin) or phone; a row opens the customer's file; the
// desk roles export the period's visits to Excel. Phones are masked.
type visitHistory struct {
	u       *UI
	store   visitHistoryStore
	modal   *modal
	from    *widget.Entry
	to      *widget.Entry
	search  *widget.Entry
	export  *widget.Button
	table   *widget.Table
	count   *widget.Label
	message *statusLine
	rows    []data.BoardRow
	loadSeq int
	file    *modal // the customer file open over it
	fileTxt *widget.Label
}

// historyColumns: the header's key and its width at 1024×768.
var historyColumns = []struct {
	key   string
	width float32
}{
	{"history.col.day", 104}, {"board.col.arrived", 60}, {"board.col.name", 130}, {"board.col.phone", 120},
	{"board.col.purpose", 100}, {"board.col.kind", 70}, {"board.col.consultant", 110},
}

// historyDays is the period the modal opens on: the last 30 days.
const historyDays = 30

func (u *UI) showVisitHistory() *visitHistory {
	h := &visitHistory{u: u, store: u.store, message: newStatusLine(), count: widget.NewLabel("")}
	today := h.store.Today()
	if t, err := time.Parse(time.DateOnly, today); err == nil {
		h.from = &widget.Entry{Text: t.AddDate(0, 0, -historyDays+1).Format(time.DateOnly), PlaceHolder: "2026-11-01"}
	} else {
		h.from = &widget.Entry{PlaceHolder: "2026-11-01"}
	}
	h.to = &widget.Entry{Text: today, PlaceHolder: "2026-11-30"}
	h.search = &widget.Entry{PlaceHolder: T("history.search")}
	for _, e := range []*widget.Entry{h.from, h.to, h.search} {
		e.OnChanged = func(string) { h.reload() }
	}
	h.table = widget.NewTableWithHeaders(
		func() (int, int) { return len(h.rows), len(historyColumns) },
		func() fyne.CanvasObject {
			l := widget.NewLabel("")
			l.Truncation = fyne.TextTruncateEllipsis
			return l
		},
		h.updateCell)
	h.table.ShowHeaderColumn = false
	h.table.CreateHeader = func() fyne.CanvasObject { return widget.NewLabel("") }
	h.table.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		if id.Col >= 0 {
			o.(*widget.Label).SetText(T(historyColumns[id.Col].key))
		}
	}
	for i, c := range historyColumns {
		h.table.SetColumnWidth(i, c.width)
	}
	h.table.OnSelected = func(id widget.TableCellID) {
		if id.Row >= 0 && id.Row < len(h.rows) {
			h.openFile(h.rows[id.Row].VisitorID)
		}
		h.table.UnselectAll()
	}
	period := container.NewHBox(widget.NewLabel(T("history.from")), container.NewGridWrap(fyne.NewSize(120, h.from.MinSize().Height), h.from),
		widget.NewLabel(T("history.to")), container.NewGridWrap(fyne.NewSize(120, h.to.MinSize().Height), h.to))
	var right fyne.CanvasObject = container.NewHBox()
	if u.user.Role.CanCheckIn() {
		h.export = &widget.Button{Text: T("history.export"), OnTapped: h.onExport}
		right = h.export
	}
	top := container.NewVBox(container.NewBorder(nil, nil, period, right, h.search), h.count, h.message)
	body := container.NewBorder(top, nil, nil, nil, h.table)
	h.modal = u.showModal(T("history.title"), container.NewGridWrap(fyne.NewSize(900, 560), body), T("dialog.close"))
	u.win.Canvas().Focus(h.search)
	h.reload()
	return h
}

func (h *visitHistory) query() data.VisitQuery {
	return data.VisitQuery{From: h.from.Text, To: h.to.Text, Query: h.search.Text}
}

// reload searches with the current period and words; an answer that a
// later keystroke overtook is dropped.
func (h *visitHistory) reload() {
	u := h.u
	q := h.query()
	actor := u.user.ID
	h.loadSeq++
	seq := h.loadSeq
	load(u, func(ctx context.Context) ([]data.BoardRow, error) {
		return h.store.VisitHistory(ctx, actor, q)
	}, func(rows []data.BoardRow, err error) {
		if seq != h.loadSeq {
			return
		}
		if err != nil {
			h.message.SetError(fieldErrorsText(u, err))
			return
		}
		h.message.SetText("")
		h.rows = rows
		switch {
		case len(rows) == 0:
			h.count.SetText(T("history.none"))
		case len(rows) >= data.HistoryLimit:
			h.count.SetText(T("history.count_capped", map[string]any{"Count": len(rows)}))
		default:
			h.count.SetText(T("history.count", map[string]any{"Count": len(rows)}))
		}
		h.table.Refresh()
	})
}

// fieldErrorsText is every field's message of a form error, in the
// form's order of fields as the data layer names them, or the error's text.
func fieldErrorsText(u *UI, err error) string {
	var fe data.FieldErrors
	if !errors.As(err, &fe) {
		return u.errText(err)
	}
	var fields []string
	for f := range fe {
		fields = append(fields, f)
	}
	sort.Strings(fields)
	var msgs []string
	for _, f := range fields {
		msgs = append(msgs, T(fe[f].Key, fe[f].Args))
	}
	return strings.Join(msgs, " ")
}

func (h *visitHistory) updateCell(id widget.TableCellID, o fyne.CanvasObject) {
	l := o.(*widget.Label)
	if id.Row >= len(h.rows) {
		return
	}
	r := h.rows[id.Row]
	text := ""
	switch historyColumns[id.Col].key {
	case "history.col.day":
		text = r.Day
	case "board.col.arrived":
		text = h.u.clockTime(r.ArrivedAt)
	case "board.col.name":
		text = visitorName(r.Name, r.Title)
	case "board.col.phone":
		text = r.PhoneMasked
	case "board.col.purpose":
		text = purposeText(r.Purpose)
	case "board.col.kind":
		text = kindText(r.Kind)
	case "board.col.consultant":
		text = r.ConsultantName
	}
	l.SetText(text)
}

// openFile shows the customer's file over the list.
func (h *visitHistory) openFile(visitorID string) {
	u := h.u
	actor := u.user.ID
	load(u, func(ctx context.Context) (data.CustomerFile, error) {
		return h.store.CustomerFile(ctx, actor, visitorID)
	}, func(cf data.CustomerFile, err error) {
		if err != nil {
			h.message.SetError(u.errText(err))
			return
		}
		h.fileTxt = &widget.Label{Text: u.customerFileText(cf), Wrapping: fyne.TextWrapWord}
		title := T("history.file", map[string]any{"Name": visitorName(cf.Name, cf.Title)})
		h.file = u.showModal(title, container.NewGridWrap(fyne.NewSize(720, 480), container.NewVScroll(h.fileTxt)), T("dialog.close"))
	})
}

// customerFileText is the file as lines: the phone and own consultant,
// then visits, tickets, inspections and revisits, newest first.
func (u *UI) customerFileText(cf data.CustomerFile) string {
	phone := cf.Phone
	if !strings.Contains(phone, "*") {
		phone = data.FormatPhone(phone)
	}
	lines := []string{T("board.d.phone", map[string]any{"Phone": phone})}
	if cf.ConsultantName != "" {
		lines = append(lines, T("history.own_consultant", map[string]any{"Name": cf.ConsultantName}))
	}
	lines = append(lines, "", T("history.visits", map[string]any{"Count": len(cf.Visits)}))
	for _, v := range cf.Visits {
		parts := []string{u.dateTime(v.ArrivedAt), purposeText(v.Purpose), kindText(v.Kind)}
		if v.ConsultantName != "" {
			parts = append(parts, v.ConsultantName)
		}
		lines = append(lines, "  "+strings.Join(parts, " · "))
	}
	lines = append(lines, "", T("history.tickets", map[string]any{"Count": len(cf.Tickets)}))
	for _, t := range cf.Tickets {
		parts := []string{t.Number, T("ticket.kind." + t.Kind), T("ticket.state." + string(t.State)), u.dateTime(t.OpenedAt)}
		if unit := strings.TrimSpace(t.Building + " " + t.Unit); unit != "" {
			parts = append(parts, unit)
		}
		lines = append(lines, "  "+strings.Join(parts, " · "))
		if t.Summary != "" {
			lines = append(lines, "    "+t.Summary)
		}
	}
	lines = append(lines, "", T("history.inspections", map[string]any{"Count": len(cf.Inspections)}))
	for _, in := range cf.Inspections {
		lines = append(lines, "  "+strings.Join([]string{in.Date, strings.TrimSpace(in.Project + " " + in.UnitLabel()),
			inspectionSummary(in.Summary(), "")}, " · "))
	}
	lines = append(lines, "", T("history.revisits", map[string]any{"Count": len(cf.Revisits)}))
	for _, r := range cf.Revisits {
		lines = append(lines, "  "+strings.Join([]string{T("care.kind." + r.Kind), r.From.In(u.location()).Format(time.DateOnly) + " – " +
			r.To.In(u.location()).Format(time.DateOnly), T("care.status." + string(r.Status))}, " · "))
	}
	return strings.Join(lines, "\n")
}

// onExport writes the period's visits (with the search) to an Excel file
// in the print folder.
func (h *visitHistory) onExport() {
	u := h.u
	q := h.query()
	actor := u.user.ID
	loc := u.location()
	name := T("history.file_name", map[string]any{"From": strings.ReplaceAll(q.From, "-", ""), "To": strings.ReplaceAll(q.To, "-", ""),
		"At": u.now().In(loc).Format("150405")}) + ".xlsx"
	dir := u.printFolder()
	h.export.Disable()
	type result struct {
		path string
		n    int
	}
	load(u, func(ctx context.Context) (result, error) {
		rows, err := h.store.VisitLog(ctx, actor, q)
		if err != nil {
			return result{}, err
		}
		path, err := writeVisitsFile(dir, name, rows, loc)
		return result{path, len(rows)}, err
	}, func(r result, err error) {
		h.export.Enable()
		if err != nil {
			if _, ok := data.AsError(err); ok || errors.As(err, new(data.FieldErrors)) {
				h.message.SetError(fieldErrorsText(u, err))
			} else {
				u.log.Error("export visits", "err", err)
				h.message.SetError(T("history.export_failed", map[string]any{"Message": err.Error()}))
			}
			return
		}
		h.message.SetSuccess(T("history.exported", map[string]any{"Count": r.n, "Path": r.path}))
	})
}

// writeVisitsFile writes the workbook to dir/name through a temporary file.
func writeVisitsFile(dir, name string, rows []data.LogRow, loc *time.Location) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	f, err := os.CreateTemp(dir, ".visits-*.xlsx")
	if err != nil {
		return "", err
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	if err := sheet.WriteVisits(f, rows, loc, func(key string) string { return T(key) }); err != nil {
		f.Close()
		return "", err
	}
	if err := f.Close(); err != nil {
		return "", err
	}
	if err := os.Chmod(tmp, 0o644); err != nil {
		return "", err
	}
	path := filepath.Join(dir, name)
	return path, os.Rename(tmp, path)
}

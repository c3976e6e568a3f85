package app

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"anchang/data"
)

// The holiday calendar screen (节假日与工作时间): which years' official
// schedules the office calendar knows (embedded in the binary, or imported
// by the admin standing in for HQ), each year's holidays and make-up
// working days (调休) — for the current or next year without a schedule,
// the statutory holidays it is estimated on —, the company's working hours
// and time zone, the office's opening days and hours (a setting), and the
// import of a new year's schedule from a JSON file (the holiday-cn format
// of assets/holidays/*.json). Deadlines of new tickets are counted on this
// calendar.

// maxHolidayFile is how much of a schedule file is read; larger files are
// refused by the store (err.holiday.too_big).
const maxHolidayFile = 256 << 10

// maxHolidayYear is the last year the store's holiday_imports table
// accepts (its CHECK), though the parser reads up to 2200.
const maxHolidayYear = 2100

// holidayStore is what the holiday calendar and office hours need from
// the store; *data.Store satisfies it.
type holidayStore interface {
	HolidaySchedules(ctx context.Context) ([]data.HolidayYear, error)
	ImportHolidays(ctx context.Context, actorID string, b []byte) (int, error)
	Calendar(ctx context.Context) (*data.Calendar, error)
	SetOfficeHours(ctx context.Context, actorID string, h data.OfficeHours) error
}

var _ holidayStore = (*data.Store)(nil)

type holidayScreen struct {
	u       *UI
	store   holidayStore
	years   *widget.Label
	hours   *widget.Label
	yearSel *widget.Select
	days    *widget.Label
	path    *widget.Entry
	doImp   *widget.Button
	replace *fyne.Container
	confirm *widget.Label
	status  *statusLine

	// The office's opening hours: a check per weekday (Monday first),
	// opening and closing times.
	openDays  []*widget.Check
	openAt    *widget.Entry
	closeAt   *widget.Entry
	saveHours *widget.Button
	hoursMsg  *statusLine

	loaded    []data.HolidayYear
	estimated map[int][]data.HolidayDay // years shown from the statutory holidays
	pending   []byte                    // a file waiting for the replace confirmation
}

// showHolidays opens the holiday calendar as a modal.
func (u *UI) showHolidays() *holidayScreen {
	h := &holidayScreen{u: u, store: u.store}
	content := h.buildUI()
	u.showModal(T("settings.holidays.title"), container.NewGridWrap(u.modalSize(900, 640), content), T("dialog.close"))
	h.reload("")
	return h
}

func (h *holidayScreen) buildUI() fyne.CanvasObject {
	h.years = widget.NewLabel("")
	h.years.Wrapping = fyne.TextWrapWord
	h.hours = widget.NewLabel("")
	h.hours.Wrapping = fyne.TextWrapWord
	h.days = widget.NewLabel("")
	h.days.Wrapping = fyne.TextWrapWord
	h.yearSel = widget.NewSelect(nil, func(string) { h.showYear() })
	h.yearSel.PlaceHolder = T("settings.holidays.pick_year")

	hint := widget.NewLabel(T("settings.holidays.import.hint"))
	hint.Wrapping = fyne.TextWrapWord
	h.path = &widget.Entry{PlaceHolder: T("settings.holidays.import.path")}
	h.path.OnSubmitted = func(string) { h.onImport() }
	h.doImp = &widget.Button{Text: T("settings.holidays.import"), Importance: widget.HighImportance, OnTapped: h.onImport}
	h.status = newStatusLine()
	h.confirm = widget.NewLabel("")
	h.confirm.Wrapping = fyne.TextWrapWord
	h.confirm.Importance = widget.WarningImportance
	h.replace = container.NewBorder(nil, nil, nil, container.NewHBox(
		&widget.Button{Text: T("dialog.cancel"), OnTapped: h.cancelReplace},
		&widget.Button{Text: T("settings.holidays.replace"), Importance: widget.DangerImportance, OnTapped: h.onReplace}), h.confirm)
	h.replace.Hide()

	for iso := 1; iso <= 7; iso++ {
		h.openDays = append(h.openDays, widget.NewCheck(T("settings.hours.day."+strconv.Itoa(iso)), nil))
	}
	h.openAt = &widget.Entry{PlaceHolder: "09:00"}
	h.closeAt = &widget.Entry{PlaceHolder: "18:00"}
	h.saveHours = &widget.Button{Text: T("settings.hours.save"), OnTapped: h.onSaveHours}
	h.hoursMsg = newStatusLine()
	days := container.NewGridWithColumns(4)
	for _, c := range h.openDays {
		days.Add(c)
	}
	officeHours := section(T("settings.hours.title"), T("settings.hours.sub"), container.NewVBox(days,
		container.NewHBox(widget.NewLabel(T("settings.hours.open")), container.NewGridWrap(fyne.NewSize(90, h.openAt.MinSize().Height), h.openAt),
			widget.NewLabel(T("settings.hours.close")), container.NewGridWrap(fyne.NewSize(90, h.closeAt.MinSize().Height), h.closeAt)),
		container.NewHBox(h.saveHours), h.hoursMsg))

	top := container.NewVBox(h.hours, h.years)
	list := container.NewBorder(container.NewBorder(nil, nil, widget.NewLabel(T("settings.holidays.year")), nil, container.NewHBox(h.yearSel)),
		nil, nil, nil, container.NewVScroll(h.days))
	byHQ := h.u.byHQHint(h.doImp)
	if h.u.byHQ() {
		h.path.Disable() // Enter in the path would import
	}
	imp := section(T("settings.holidays.import.title"), "", container.NewVBox(hint,
		container.NewBorder(nil, nil, nil, h.doImp, h.path), byHQ, h.replace, h.status))
	// The opening hours beside the year's days, so the days keep their height.
	return container.NewBorder(top, imp, nil, nil, container.NewGridWithColumns(2, container.NewVScroll(officeHours), list))
}

type holidayView struct {
	years []data.HolidayYear
	cal   *data.Calendar
}

// reload reads the schedules and the calendar; show is the year to show
// ("" keeps the current one, or this year's).
func (h *holidayScreen) reload(show string) {
	u := h.u
	load(u, func(ctx context.Context) (holidayView, error) {
		years, err := h.store.HolidaySchedules(ctx)
		if err != nil {
			return holidayView{}, err
		}
		cal, err := h.store.Calendar(ctx)
		return holidayView{years, cal}, err
	}, func(v holidayView, err error) {
		if err != nil {
			h.status.SetError(u.errText(err))
			return
		}
		h.loaded = v.years
		start, end := v.cal.WorkingHours()
		h.hours.SetText(T("settings.holidays.hours", map[string]any{"Start": timeOfDay(start), "End": timeOfDay(end), "TimeZone": v.cal.Location().String()}))
		h.showOfficeHours(v.cal.OfficeHours())
		var parts, opts []string
		for _, y := range v.years {
			src := T("settings.holidays.embedded")
			if y.Imported {
				src = T("settings.holidays.imported", map[string]any{"At": u.dateTime(y.ImportedAt), "Name": y.ImportedByName})
			}
			parts = append(parts, T("settings.holidays.year_source", map[string]any{"Year": y.Year, "Source": src}))
			opts = append(opts, strconv.Itoa(y.Year))
		}
		h.years.SetText(T("settings.holidays.covered", map[string]any{"Years": strings.Join(parts, T("settings.holidays.sep"))}))
		// The current and next year without a schedule are shown with the
		// statutory holidays their deadlines are estimated on.
		h.estimated = map[int][]data.HolidayDay{}
		this := u.now().In(u.location()).Year()
		for _, y := range []int{this, this + 1} {
			if !h.covers(y) {
				h.estimated[y] = data.StatutoryHolidays(y)
				opts = append(opts, strconv.Itoa(y))
				h.years.SetText(h.years.Text + "\n" + T("settings.holidays.next_missing", map[string]any{"Year": y}))
			}
		}
		cur := h.yearSel.Selected
		if show != "" {
			cur = show
		}
		if cur == "" {
			cur = strconv.Itoa(u.now().In(u.location()).Year())
		}
		h.yearSel.Options = opts
		if !slicesContains(opts, cur) && len(opts) > 0 {
			cur = opts[len(opts)-1]
		}
		h.yearSel.SetSelected(cur)
		h.yearSel.Refresh()
		h.showYear()
	})
}

func slicesContains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

func (h *holidayScreen) covers(year int) bool {
	for _, y := range h.loaded {
		if y.Year == year {
			return true
		}
	}
	return false
}

func (h *holidayScreen) showYear() {
	for _, y := range h.loaded {
		if strconv.Itoa(y.Year) == h.yearSel.Selected {
			h.days.SetText(holidayLines(y.Days))
			return
		}
	}
	for y, days := range h.estimated {
		if strconv.Itoa(y) == h.yearSel.Selected {
			h.days.SetText(T("settings.holidays.estimated", map[string]any{"Year": y}) + "\n" + holidayLines(days))
			return
		}
	}
	h.days.SetText("")
}

// showOfficeHours fills the opening hours form.
func (h *holidayScreen) showOfficeHours(oh data.OfficeHours) {
	for i, c := range h.openDays {
		c.SetChecked(oh.Days[(i+1)%7])
	}
	h.openAt.SetText(data.ClockTime(oh.Open))
	h.closeAt.SetText(data.ClockTime(oh.Close))
}

// onSaveHours stores the opening hours; a bad time or no day says what is
// wrong and stores nothing.
func (h *holidayScreen) onSaveHours() {
	u := h.u
	var oh data.OfficeHours
	for i, c := range h.openDays {
		oh.Days[(i+1)%7] = c.Checked
	}
	var err error
	if oh.Open, err = data.ParseClockTime(h.openAt.Text); err != nil {
		h.hoursMsg.SetError(u.errText(err))
		return
	}
	if oh.Close, err = data.ParseClockTime(h.closeAt.Text); err != nil {
		h.hoursMsg.SetError(u.errText(err))
		return
	}
	h.saveHours.Disable()
	actor := u.user.ID
	load(u, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, h.store.SetOfficeHours(ctx, actor, oh)
	}, func(_ struct{}, err error) {
		h.saveHours.Enable()
		if err != nil {
			h.hoursMsg.SetError(u.errText(err))
			return
		}
		h.hoursMsg.SetSuccess(T("settings.hours.saved"))
		h.reload("")
	})
}

// holidayLines is a year's schedule, one line per holiday: its days off
// as date ranges and its make-up working days with their weekdays.
func holidayLines(days []data.HolidayDay) string {
	type group struct {
		name     string
		off, on  []time.Time
		firstDay string
	}
	var order []*group
	byName := map[string]*group{}
	for _, d := range days {
		t, err := time.Parse(time.DateOnly, d.Date)
		if err != nil {
			continue
		}
		g := byName[d.Name]
		if g == nil {
			g = &group{name: d.Name, firstDay: d.Date}
			byName[d.Name] = g
			order = append(order, g)
		}
		if d.Off {
			g.off = append(g.off, t)
		} else {
			g.on = append(g.on, t)
		}
	}
	sort.SliceStable(order, func(i, j int) bool { return order[i].firstDay < order[j].firstDay })
	var lines []string
	for _, g := range order {
		var ranges []string
		for i := 0; i < len(g.off); {
			j := i
			for j+1 < len(g.off) && g.off[j+1].Sub(g.off[j]) == 24*time.Hour {
				j++
			}
			if i == j {
				ranges = append(ranges, shortDate(g.off[i]))
			} else {
				ranges = append(ranges, shortDate(g.off[i])+"–"+shortDate(g.off[j]))
			}
			i = j + 1
		}
		line := T("settings.holidays.line", map[string]any{"Name": g.name, "Off": strings.Join(ranges, T("settings.holidays.sep")), "Days": len(g.off)})
		if len(g.on) > 0 {
			var ons []string
			for _, t := range g.on {
				ons = append(ons, shortDate(t)+T("settings.holidays.weekday."+strconv.Itoa(int(t.Weekday()))))
			}
			line += T("settings.holidays.workdays", map[string]any{"Days": strings.Join(ons, T("settings.holidays.sep"))})
		}
		lines = append(lines, line)
	}
	return strings.Join(lines, "\n")
}

func shortDate(t time.Time) string {
	return T("settings.holidays.date", map[string]any{"Month": int(t.Month()), "Day": t.Day()})
}

// holidayFile is a schedule file read and checked, not yet imported.
type holidayFile struct {
	year      int
	off, work int
	b         []byte
}

func (h *holidayScreen) onImport() {
	u := h.u
	path := strings.Trim(strings.TrimSpace(h.path.Text), `"'`)
	h.cancelReplace()
	if path == "" {
		h.status.SetError(T("settings.holidays.err.no_path"))
		return
	}
	h.doImp.Disable()
	load(u, func(ctx context.Context) (holidayFile, error) {
		return readHolidayFile(path)
	}, func(f holidayFile, err error) {
		setEnabled(h.doImp, !u.byHQ())
		if err != nil {
			h.status.SetError(h.fileErrText(path, err))
			return
		}
		if h.covers(f.year) {
			h.pending = f.b
			h.confirm.SetText(T("settings.holidays.present", map[string]any{"Year": f.year}))
			h.status.SetText("")
			h.replace.Show()
			return
		}
		h.importFile(f)
	})
}

// readHolidayFile reads and checks a schedule file (on a background goroutine).
func readHolidayFile(path string) (holidayFile, error) {
	if rest, ok := strings.CutPrefix(path, "~/"); ok {
		if home, err := os.UserHomeDir(); err == nil {
			path = filepath.Join(home, rest)
		}
	}
	fh, err := os.Open(path)
	if err != nil {
		return holidayFile{}, err
	}
	defer fh.Close()
	st, err := fh.Stat()
	if err != nil {
		return holidayFile{}, err
	}
	if st.IsDir() {
		return holidayFile{}, errIsDir
	}
	b, err := io.ReadAll(io.LimitReader(fh, maxHolidayFile+1))
	if err != nil {
		return holidayFile{}, err
	}
	if len(b) > maxHolidayFile {
		return holidayFile{}, &data.Error{Code: data.EINVALID, Key: "err.holiday.too_big"}
	}
	year, days, err := data.ParseHolidaySchedule(b)
	if err != nil {
		return holidayFile{}, err
	}
	if year > maxHolidayYear {
		return holidayFile{}, &data.Error{Code: data.EINVALID, Key: "err.holiday.year", Args: map[string]any{"Year": year}}
	}
	f := holidayFile{year: year, b: b}
	for _, d := range days {
		if d.Off {
			f.off++
		} else {
			f.work++
		}
	}
	return f, nil
}

var errIsDir = errors.New("is a directory")

// fileErrText says what is wrong with the file at path.
func (h *holidayScreen) fileErrText(path string, err error) string {
	name := filepath.Base(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return T("settings.holidays.err.not_found", map[string]any{"Path": path})
	case errors.Is(err, fs.ErrPermission):
		return T("settings.holidays.err.permission", map[string]any{"Path": path})
	case errors.Is(err, errIsDir):
		return T("settings.holidays.err.dir", map[string]any{"Path": path})
	}
	if _, ok := data.AsError(err); ok {
		return T("settings.holidays.err.file", map[string]any{"File": name, "Message": h.u.errText(err)})
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return T("settings.holidays.err.read", map[string]any{"Path": path})
	}
	return h.u.errText(err)
}

func (h *holidayScreen) onReplace() {
	b := h.pending
	h.cancelReplace()
	if b == nil {
		return
	}
	year, days, err := data.ParseHolidaySchedule(b)
	if err != nil {
		h.status.SetError(h.u.errText(err))
		return
	}
	f := holidayFile{year: year, b: b}
	for _, d := range days {
		if d.Off {
			f.off++
		} else {
			f.work++
		}
	}
	h.importFile(f)
}

func (h *holidayScreen) cancelReplace() {
	h.pending = nil
	h.replace.Hide()
}

// importFile imports a checked file.
func (h *holidayScreen) importFile(f holidayFile) {
	u := h.u
	h.doImp.Disable()
	actor := u.user.ID
	load(u, func(ctx context.Context) (int, error) {
		return h.store.ImportHolidays(ctx, actor, f.b)
	}, func(year int, err error) {
		setEnabled(h.doImp, !u.byHQ())
		if err != nil {
			h.status.SetError(u.errText(err))
			return
		}
		h.status.SetSuccess(T("settings.holidays.imported_ok", map[string]any{"Year": year, "Off": f.off, "Work": f.work}))
		h.path.SetText("")
		h.reload(strconv.Itoa(year))
	})
}

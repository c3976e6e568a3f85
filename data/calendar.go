package data

import (
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"anchang/assets"
)

// HolidayDay is one day of an official schedule: a public holiday (Off) or a
// weekend day that becomes a working day (调休, !Off).
type HolidayDay struct {
	Date string // YYYY-MM-DD
	Name string // 春节, 国庆节, …
	Off  bool
}

// Calendar is a business calendar: working hours on working days, in the
// office's time zone. Working days are Monday to Friday except public
// holidays, plus the make-up working days of the official schedule.
// Deadlines (the tickets' SLA) are computed on it.
type Calendar struct {
	loc        *time.Location
	start, end time.Duration // working hours, from midnight
	days       map[string]HolidayDay
	years      map[int]bool
}

// DefaultWorkStart and DefaultWorkEnd are a sales office's usual hours.
const (
	DefaultWorkStart = 9 * time.Hour
	DefaultWorkEnd   = 18 * time.Hour
)

// NewCalendar makes a calendar with working hours [start, end) and the
// schedules of the given years.
func NewCalendar(loc *time.Location, start, end time.Duration, years map[int][]HolidayDay) (*Calendar, error) {
	if loc == nil {
		return nil, fmt.Errorf("calendar: no time zone")
	}
	if start < 0 || end > 24*time.Hour || end <= start {
		return nil, invalid("work_hours", "err.calendar.hours", nil)
	}
	c := &Calendar{loc: loc, start: start, end: end, days: map[string]HolidayDay{}, years: map[int]bool{}}
	for y, days := range years {
		c.years[y] = true
		for _, d := range days {
			c.days[d.Date] = d
		}
	}
	return c, nil
}

// DefaultCalendar is the shipped calendar: 09:00–18:00 in loc with the
// embedded schedules (2025 and 2026).
func DefaultCalendar(loc *time.Location) (*Calendar, error) {
	files, err := assets.HolidayYears()
	if err != nil {
		return nil, fmt.Errorf("holiday schedules: %w", err)
	}
	years := map[int][]HolidayDay{}
	for y, b := range files {
		year, days, err := ParseHolidaySchedule(b)
		if err != nil {
			return nil, fmt.Errorf("holiday schedule %d: %w", y, err)
		}
		years[year] = days
	}
	return NewCalendar(loc, DefaultWorkStart, DefaultWorkEnd, years)
}

// holidayFile is the NateScarlet/holiday-cn JSON format.
type holidayFile struct {
	Year int `json:"year"`
	Days []struct {
		Name     string `json:"name"`
		Date     string `json:"date"`
		IsOffDay *bool  `json:"isOffDay"`
	} `json:"days"`
}

// ParseHolidaySchedule reads one year's official schedule (the holiday-cn
// JSON format an HQ admin imports for a new year) and checks it: every day
// in that year, a real date, named, listed once.
func ParseHolidaySchedule(b []byte) (int, []HolidayDay, error) {
	var f holidayFile
	if err := json.Unmarshal(b, &f); err != nil {
		return 0, nil, &Error{Code: EINVALID, Key: "err.holiday.format", Err: err}
	}
	if f.Year < 2000 || f.Year > 2200 {
		return 0, nil, &Error{Code: EINVALID, Key: "err.holiday.year", Args: map[string]any{"Year": f.Year}}
	}
	if len(f.Days) == 0 {
		return 0, nil, &Error{Code: EINVALID, Key: "err.holiday.empty", Args: map[string]any{"Year": f.Year}}
	}
	seen := map[string]bool{}
	var days []HolidayDay
	for _, d := range f.Days {
		t, err := time.Parse(time.DateOnly, d.Date)
		if err != nil || t.Year() != f.Year {
			return 0, nil, &Error{Code: EINVALID, Key: "err.holiday.date", Args: map[string]any{"Date": d.Date, "Year": f.Year}}
		}
		if d.Name == "" || d.IsOffDay == nil {
			return 0, nil, &Error{Code: EINVALID, Key: "err.holiday.day", Args: map[string]any{"Date": d.Date}}
		}
		if seen[d.Date] {
			return 0, nil, &Error{Code: EINVALID, Key: "err.holiday.duplicate", Args: map[string]any{"Date": d.Date}}
		}
		seen[d.Date] = true
		days = append(days, HolidayDay{Date: d.Date, Name: d.Name, Off: *d.IsOffDay})
	}
	sort.Slice(days, func(i, j int) bool { return days[i].Date < days[j].Date })
	return f.Year, days, nil
}

// Covers reports whether the official schedule of year is loaded. Without
// it, public holidays of that year are not known and only weekends count.
func (c *Calendar) Covers(year int) bool { return c.years[year] }

// IsWorkingDay reports whether the office-local date of t is a working day.
func (c *Calendar) IsWorkingDay(t time.Time) bool {
	t = t.In(c.loc)
	if d, ok := c.days[t.Format(time.DateOnly)]; ok {
		return !d.Off
	}
	wd := t.Weekday()
	return wd != time.Saturday && wd != time.Sunday
}

func (c *Calendar) midnight(t time.Time) time.Time {
	t = t.In(c.loc)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, c.loc)
}

// nextWorkStart is the start of working hours on the first working day
// after t's date.
func (c *Calendar) nextWorkStart(t time.Time) time.Time {
	day := c.midnight(t)
	for i := 0; i < 366; i++ {
		day = day.AddDate(0, 0, 1)
		if c.IsWorkingDay(day) {
			return day.Add(c.start)
		}
	}
	return day.Add(c.start) // a year without working days: not a real calendar
}

// AddWorkingTime returns when d of working time has passed after t,
// counting only working hours on working days. A start outside working
// hours counts from the next start of work.
func (c *Calendar) AddWorkingTime(t time.Time, d time.Duration) time.Time {
	t = t.In(c.loc)
	for {
		if !c.IsWorkingDay(t) {
			t = c.nextWorkStart(t)
			continue
		}
		day := c.midnight(t)
		dayStart, dayEnd := day.Add(c.start), day.Add(c.end)
		if t.Before(dayStart) {
			t = dayStart
		}
		if !t.Before(dayEnd) {
			t = c.nextWorkStart(t)
			continue
		}
		if left := dayEnd.Sub(t); d <= left {
			return t.Add(d)
		} else {
			d -= left
		}
		t = c.nextWorkStart(t)
	}
}

// AddWorkingDays is n working days after t: n full working days of working
// time, so a deadline ends at the close of work rather than the next
// morning (Friday 17:00 + 1 working day = Monday 17:00).
func (c *Calendar) AddWorkingDays(t time.Time, n int) time.Time {
	return c.AddWorkingTime(t, time.Duration(n)*(c.end-c.start))
}

// EndOfWorkingDay is the close of work on t's date if that is a working
// day and t is before it, else the close of the next working day ("handled
// the same day").
func (c *Calendar) EndOfWorkingDay(t time.Time) time.Time {
	t = t.In(c.loc)
	if c.IsWorkingDay(t) {
		if end := c.midnight(t).Add(c.end); t.Before(end) {
			return end
		}
	}
	return c.midnight(c.nextWorkStart(t)).Add(c.end)
}

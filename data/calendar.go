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

// Calendar is an office's business calendar, in the office's time zone.
// It knows two clocks a deadline can count on (see LimitUnit):
//
//   - the company's working time: working hours (09:00–18:00) on working
//     days, Monday to Friday except public holidays, plus the make-up
//     working days (调休) of the official schedule. A year without an
//     official schedule falls back to the statutory holidays
//     (StatutoryHolidays) and is Estimated;
//   - the office's opening hours (OfficeHours): the sales office's own
//     days and hours, every day 09:00–18:00 by default, holidays included
//     (售楼处节假日正常营业).
//
// Deadlines (the tickets' SLA) are computed on it. A Calendar is safe for
// concurrent use.
type Calendar struct {
	loc        *time.Location
	start, end time.Duration // working hours, from midnight
	days       map[string]HolidayDay
	years      map[int]bool
	office     OfficeHours
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
	c := &Calendar{loc: loc, start: start, end: end, days: map[string]HolidayDay{}, years: map[int]bool{},
		office: DefaultOfficeHours()}
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
// it, the year's working days are Estimated from the statutory holidays.
func (c *Calendar) Covers(year int) bool { return c.years[year] }

// Estimated reports whether year's working days are estimated from the
// statutory holidays because its official schedule is not present.
func (c *Calendar) Estimated(year int) bool { return !c.years[year] }

// Holiday is the holiday or make-up working day (调休) of the office-local
// date of t, from the official schedule or, in an Estimated year, the
// statutory holidays; ok is false on an ordinary day.
func (c *Calendar) Holiday(t time.Time) (d HolidayDay, ok bool) {
	t = t.In(c.loc)
	key := t.Format(time.DateOnly)
	if c.years[t.Year()] {
		d, ok = c.days[key]
		return d, ok
	}
	d, ok = statutoryDays(t.Year())[key]
	return d, ok
}

// IsWorkingDay reports whether the office-local date of t is a working day
// of the company.
func (c *Calendar) IsWorkingDay(t time.Time) bool {
	t = t.In(c.loc)
	if d, ok := c.Holiday(t); ok {
		return !d.Off
	}
	wd := t.Weekday()
	return wd != time.Saturday && wd != time.Sunday
}

func (c *Calendar) midnight(t time.Time) time.Time {
	t = t.In(c.loc)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, c.loc)
}

// clock is the days and hours time is counted in: the company's working
// time or the office's opening hours.
type clock struct {
	c          *Calendar
	start, end time.Duration
	isDay      func(time.Time) bool
}

func (c *Calendar) company() clock { return clock{c, c.start, c.end, c.IsWorkingDay} }

func (c *Calendar) opening() clock {
	return clock{c, c.office.Open, c.office.Close, c.IsOpenDay}
}

// IsOpenDay reports whether the office is open on the office-local date of t.
func (c *Calendar) IsOpenDay(t time.Time) bool { return c.office.Days[t.In(c.loc).Weekday()] }

// nextStart is the start of hours on the first day after t's date.
func (k clock) nextStart(t time.Time) time.Time {
	day := k.c.midnight(t)
	for i := 0; i < 366; i++ {
		day = day.AddDate(0, 0, 1)
		if k.isDay(day) {
			return day.Add(k.start)
		}
	}
	return day.Add(k.start) // a year without a day: not a real calendar
}

// add returns when d of counted time has passed after t; a start outside
// the hours counts from the next start.
func (k clock) add(t time.Time, d time.Duration) time.Time {
	t = t.In(k.c.loc)
	for {
		if !k.isDay(t) {
			t = k.nextStart(t)
			continue
		}
		day := k.c.midnight(t)
		dayStart, dayEnd := day.Add(k.start), day.Add(k.end)
		if t.Before(dayStart) {
			t = dayStart
		}
		if !t.Before(dayEnd) {
			t = k.nextStart(t)
			continue
		}
		if left := dayEnd.Sub(t); d <= left {
			return t.Add(d)
		} else {
			d -= left
		}
		t = k.nextStart(t)
	}
}

// endOfDay is the close on t's date if that is a day and t is before it,
// else the close of the next day.
func (k clock) endOfDay(t time.Time) time.Time {
	t = t.In(k.c.loc)
	if k.isDay(t) {
		if end := k.c.midnight(t).Add(k.end); t.Before(end) {
			return end
		}
	}
	return k.c.midnight(k.nextStart(t)).Add(k.end)
}

// AddWorkingTime returns when d of working time has passed after t,
// counting only working hours on working days. A start outside working
// hours counts from the next start of work.
func (c *Calendar) AddWorkingTime(t time.Time, d time.Duration) time.Time {
	return c.company().add(t, d)
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
func (c *Calendar) EndOfWorkingDay(t time.Time) time.Time { return c.company().endOfDay(t) }

// AddOpenTime returns when d of the office's opening hours has passed
// after t. A start while the office is closed counts from its next opening.
func (c *Calendar) AddOpenTime(t time.Time, d time.Duration) time.Time { return c.opening().add(t, d) }

// AddOpenDays is n full opening days after t (Sunday 17:00 + 1 opening
// day = Monday 17:00 when the office opens every day).
func (c *Calendar) AddOpenDays(t time.Time, n int) time.Time {
	return c.AddOpenTime(t, time.Duration(n)*(c.office.Close-c.office.Open))
}

// EndOfOpenDay is the office's closing time on t's date if it opens that
// day and t is before closing, else its closing time on the next day it opens.
func (c *Calendar) EndOfOpenDay(t time.Time) time.Time { return c.opening().endOfDay(t) }

// WithOfficeHours is a copy of c counting opening hours h.
func (c *Calendar) WithOfficeHours(h OfficeHours) (*Calendar, error) {
	if err := h.Validate(); err != nil {
		return nil, err
	}
	return &Calendar{loc: c.loc, start: c.start, end: c.end, days: c.days, years: c.years, office: h}, nil
}

// OfficeHours is the calendar's opening hours.
func (c *Calendar) OfficeHours() OfficeHours { return c.office }

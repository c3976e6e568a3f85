package data

import (
	"testing"
	"time"
)

func at(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, shanghai)
	if err != nil {
		panic(err)
	}
	return t
}

func defaultCalendar(t *testing.T) *Calendar {
	t.Helper()
	c, err := DefaultCalendar(shanghai)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestCalendarWorkingDays(t *testing.T) {
	c := defaultCalendar(t)
	for _, tt := range []struct {
		date    string
		working bool
	}{
		{"2026-02-13", true},  // Friday before the Spring Festival
		{"2026-02-14", true},  // Saturday made a working day (调休)
		{"2026-02-15", false}, // Spring Festival
		{"2026-02-23", false}, // Monday, still the holiday
		{"2026-02-24", true},  // back to work
		{"2026-02-28", true},  // Saturday made a working day
		{"2026-05-09", true},  // Saturday made a working day after Labour Day
		{"2026-09-20", true},  // Sunday made a working day before National Day
		{"2026-10-01", false}, // National Day
		{"2026-10-07", false},
		{"2026-10-10", true}, // Saturday made a working day
		{"2026-10-11", false},
		{"2025-01-01", false},
		{"2026-01-04", true},  // Sunday made a working day
		{"2026-11-21", false}, // an ordinary Saturday
		{"2026-11-23", true},  // an ordinary Monday
	} {
		if got := c.IsWorkingDay(at(tt.date + " 12:00")); got != tt.working {
			t.Errorf("%s working = %v, want %v", tt.date, got, tt.working)
		}
	}
	if !c.Covers(2025) || !c.Covers(2026) || c.Covers(2027) {
		t.Fatal("the shipped calendar covers 2025 and 2026 only")
	}
}

func TestCalendarDeadlines(t *testing.T) {
	c := defaultCalendar(t)
	tests := []struct {
		name  string
		start string
		calc  func(time.Time) time.Time
		want  string
	}{
		// Clock hours are elapsed time, whatever the calendar says.
		{"2 clock hours over a holiday night", "2026-09-30 23:00", func(t time.Time) time.Time { return t.Add(2 * time.Hour) }, "2026-10-01 01:00"},
		// Working hours skip nights, weekends and holidays.
		{"4 working hours inside a day", "2026-11-23 10:00", func(t time.Time) time.Time { return c.AddWorkingTime(t, 4*time.Hour) }, "2026-11-23 14:00"},
		{"4 working hours over the evening", "2026-11-23 16:00", func(t time.Time) time.Time { return c.AddWorkingTime(t, 4*time.Hour) }, "2026-11-24 11:00"},
		{"1 working hour from midnight Friday", "2026-11-20 23:59", func(t time.Time) time.Time { return c.AddWorkingTime(t, time.Hour) }, "2026-11-23 10:00"},
		{"before opening counts from 09:00", "2026-11-23 07:30", func(t time.Time) time.Time { return c.AddWorkingTime(t, time.Hour) }, "2026-11-23 10:00"},
		{"across the year end onto a make-up Sunday", "2025-12-31 17:00", func(t time.Time) time.Time { return c.AddWorkingTime(t, 4*time.Hour) }, "2026-01-04 12:00"},
		// Working days: n full days of working time.
		{"1 working day", "2026-11-23 10:00", func(t time.Time) time.Time { return c.AddWorkingDays(t, 1) }, "2026-11-24 10:00"},
		{"1 working day from Friday afternoon", "2026-11-20 17:00", func(t time.Time) time.Time { return c.AddWorkingDays(t, 1) }, "2026-11-23 17:00"},
		{"2 working days over the Spring Festival", "2026-02-13 17:00", func(t time.Time) time.Time { return c.AddWorkingDays(t, 2) }, "2026-02-24 17:00"},
		{"3 working days into the Spring Festival", "2026-02-12 10:00", func(t time.Time) time.Time { return c.AddWorkingDays(t, 3) }, "2026-02-24 10:00"},
		{"1 working day over National Day", "2026-09-30 16:00", func(t time.Time) time.Time { return c.AddWorkingDays(t, 1) }, "2026-10-08 16:00"},
		{"3 working days including the make-up Saturday", "2026-10-08 10:00", func(t time.Time) time.Time { return c.AddWorkingDays(t, 3) }, "2026-10-12 10:00"},
		{"received on a holiday", "2026-10-03 11:00", func(t time.Time) time.Time { return c.AddWorkingDays(t, 1) }, "2026-10-08 18:00"},
		// The same day.
		{"same day", "2026-11-23 10:00", c.EndOfWorkingDay, "2026-11-23 18:00"},
		{"same day after closing", "2026-11-23 19:00", c.EndOfWorkingDay, "2026-11-24 18:00"},
		{"same day on a holiday", "2026-10-01 10:00", c.EndOfWorkingDay, "2026-10-08 18:00"},
		{"zero working time", "2026-11-23 10:00", func(t time.Time) time.Time { return c.AddWorkingTime(t, 0) }, "2026-11-23 10:00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.calc(at(tt.start))
			if want := at(tt.want); !got.Equal(want) {
				t.Fatalf("from %s: got %s, want %s", tt.start, got.In(shanghai).Format("2006-01-02 15:04 Mon"), tt.want)
			}
		})
	}
}

func TestCalendarOtherTimeZone(t *testing.T) {
	// The calendar is in the office's zone, whatever zone the time comes in.
	c := defaultCalendar(t)
	utc := at("2026-11-23 17:00").UTC() // 09:00 UTC
	if got := c.AddWorkingTime(utc, 2*time.Hour); !got.Equal(at("2026-11-24 10:00")) {
		t.Fatalf("got %s", got.In(shanghai))
	}
}

func TestParseHolidaySchedule(t *testing.T) {
	good := `{"year": 2027, "days": [{"name": "元旦", "date": "2027-01-01", "isOffDay": true}, {"name": "春节", "date": "2027-02-06", "isOffDay": false}]}`
	year, days, err := ParseHolidaySchedule([]byte(good))
	if err != nil || year != 2027 || len(days) != 2 || !days[0].Off || days[1].Off {
		t.Fatalf("%d %+v %v", year, days, err)
	}
	// A 2027 schedule added by HQ makes 2027's holidays count.
	c, err := NewCalendar(shanghai, DefaultWorkStart, DefaultWorkEnd, map[int][]HolidayDay{year: days})
	if err != nil || !c.Covers(2027) || c.IsWorkingDay(at("2027-01-01 10:00")) || !c.IsWorkingDay(at("2027-02-06 10:00")) {
		t.Fatalf("2027 calendar wrong: %v", err)
	}
	for _, tt := range []struct{ name, json, key string }{
		{"not json", `{"year": 2027,`, "err.holiday.format"},
		{"no year", `{"days": [{"name": "元旦", "date": "2027-01-01", "isOffDay": true}]}`, "err.holiday.year"},
		{"no days", `{"year": 2027, "days": []}`, "err.holiday.empty"},
		{"date of another year", `{"year": 2027, "days": [{"name": "元旦", "date": "2026-01-01", "isOffDay": true}]}`, "err.holiday.date"},
		{"impossible date", `{"year": 2027, "days": [{"name": "元旦", "date": "2027-02-30", "isOffDay": true}]}`, "err.holiday.date"},
		{"no off flag", `{"year": 2027, "days": [{"name": "元旦", "date": "2027-01-01"}]}`, "err.holiday.day"},
		{"twice", `{"year": 2027, "days": [{"name": "元旦", "date": "2027-01-01", "isOffDay": true}, {"name": "元旦", "date": "2027-01-01", "isOffDay": true}]}`, "err.holiday.duplicate"},
	} {
		_, _, err := ParseHolidaySchedule([]byte(tt.json))
		if e, ok := AsError(err); !ok || e.Key != tt.key {
			t.Errorf("%s: got %v, want %s", tt.name, err, tt.key)
		}
	}
	if _, err := NewCalendar(shanghai, 18*time.Hour, 9*time.Hour, nil); ErrorCode(err) != EINVALID {
		t.Fatalf("backwards working hours accepted: %v", err)
	}
}

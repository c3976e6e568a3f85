package data

import (
	"context"
	"strings"
	"testing"
	"time"

	"anchang/assets"
)

// The statutory holidays of 全国年节及纪念日放假办法 (2024 revision) against
// dates known from the published lunar calendar and the State Council's
// notices.
func TestStatutoryHolidaysKnownDates(t *testing.T) {
	for _, tt := range []struct {
		year int
		name string
		want []string
	}{
		{2027, "元旦", []string{"2027-01-01"}},
		{2027, "春节", []string{"2027-02-05", "2027-02-06", "2027-02-07", "2027-02-08"}}, // 除夕 5 Feb, 初一 6 Feb
		{2027, "清明节", []string{"2027-04-05"}},
		{2027, "劳动节", []string{"2027-05-01", "2027-05-02"}},
		{2027, "端午节", []string{"2027-06-09"}},
		{2027, "中秋节", []string{"2027-09-15"}},
		{2027, "国庆节", []string{"2027-10-01", "2027-10-02", "2027-10-03"}},
		{2028, "春节", []string{"2028-01-25", "2028-01-26", "2028-01-27", "2028-01-28"}},
		{2028, "清明节", []string{"2028-04-04"}}, // a leap year: 4 April
		{2028, "端午节", []string{"2028-05-28"}},
		{2028, "中秋节", []string{"2028-10-03"}},                                          // inside 国庆
		{2024, "春节", []string{"2024-02-09", "2024-02-10", "2024-02-11", "2024-02-12"}}, // 除夕 on 腊月廿九
		{2025, "春节", []string{"2025-01-28", "2025-01-29", "2025-01-30", "2025-01-31"}}, // 除夕 on 腊月廿九
		{2029, "春节", []string{"2029-02-12", "2029-02-13", "2029-02-14", "2029-02-15"}},
		{2030, "春节", []string{"2030-02-02", "2030-02-03", "2030-02-04", "2030-02-05"}},
	} {
		var got []string
		for _, d := range StatutoryHolidays(tt.year) {
			if d.Name == tt.name {
				if !d.Off {
					t.Errorf("%d %s %s is not a day off", tt.year, tt.name, d.Date)
				}
				got = append(got, d.Date)
			}
		}
		if strings.Join(got, " ") != strings.Join(tt.want, " ") {
			t.Errorf("%d %s = %v, want %v", tt.year, tt.name, got, tt.want)
		}
	}
	if n := len(StatutoryHolidays(2027)); n != 13 {
		t.Errorf("2027 has %d statutory days off, want 13 (the law's 13 days)", n)
	}
}

// Every statutory day off is a day off in the State Council's notices of
// the embedded years: the fallback never calls a real holiday a working day.
func TestStatutoryHolidaysWithinOfficialSchedules(t *testing.T) {
	files, err := assets.HolidayYears()
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no embedded schedules")
	}
	for _, b := range files {
		year, days, err := ParseHolidaySchedule(b)
		if err != nil {
			t.Fatal(err)
		}
		official := map[string]HolidayDay{}
		for _, d := range days {
			official[d.Date] = d
		}
		for _, d := range StatutoryHolidays(year) {
			o, ok := official[d.Date]
			if !ok || !o.Off {
				t.Errorf("%d: statutory %s %s is not a day off in the official schedule", year, d.Name, d.Date)
				continue
			}
			if !strings.Contains(o.Name, strings.TrimSuffix(d.Name, "节")) {
				t.Errorf("%d: %s is %s officially, %s by the law", year, d.Date, o.Name, d.Name)
			}
		}
	}
}

// A year without an official schedule counts the statutory holidays: 元旦
// 2027 and the Spring Festival are days off, not ordinary working days.
func TestCalendarFallsBackToStatutoryHolidays(t *testing.T) {
	c := defaultCalendar(t)
	for _, tt := range []struct {
		date    string
		working bool
	}{
		{"2026-12-31", true},  // Thursday, official 2026 schedule
		{"2027-01-01", false}, // 元旦, Friday
		{"2027-01-04", true},
		{"2027-02-04", true},  // Thursday before 除夕
		{"2027-02-05", false}, // 除夕, Friday
		{"2027-02-08", false}, // 初三, Monday
		{"2027-02-09", true},  // back to work (no make-up day is guessed)
		{"2027-04-05", false}, // 清明, Monday
		{"2027-06-09", false}, // 端午, Wednesday
		{"2027-09-15", false}, // 中秋, Wednesday
		{"2027-10-01", false},
		{"2027-10-04", true}, // Monday: the notice's extra days are not guessed
	} {
		if got := c.IsWorkingDay(at(tt.date + " 12:00")); got != tt.working {
			t.Errorf("%s working = %v, want %v", tt.date, got, tt.working)
		}
	}
	if c.Estimated(2026) || !c.Estimated(2027) {
		t.Errorf("Estimated(2026) = %v, Estimated(2027) = %v", c.Estimated(2026), c.Estimated(2027))
	}
	if d, ok := c.Holiday(at("2027-02-06 12:00")); !ok || d.Name != "春节" || !d.Off {
		t.Errorf("Holiday(2027-02-06) = %+v, %v", d, ok)
	}
	// An imported 2027 schedule wins over the estimate: a make-up working
	// Saturday works, and a bridging day is off.
	imp, err := NewCalendar(shanghai, DefaultWorkStart, DefaultWorkEnd, map[int][]HolidayDay{2027: {
		{Date: "2027-01-01", Name: "元旦", Off: true}, {Date: "2027-02-09", Name: "春节", Off: true}, {Date: "2027-02-20", Name: "春节", Off: false}}})
	if err != nil {
		t.Fatal(err)
	}
	if imp.Estimated(2027) || imp.IsWorkingDay(at("2027-02-09 12:00")) || !imp.IsWorkingDay(at("2027-02-20 12:00")) || !imp.IsWorkingDay(at("2027-02-05 12:00")) {
		t.Error("an official 2027 schedule does not replace the statutory estimate")
	}
}

// The admin's warning: all year while the current year has no schedule;
// from 1 November while the next year has none.
func TestMissingSchedule(t *testing.T) {
	c := defaultCalendar(t) // 2025 and 2026
	for _, tt := range []struct {
		now  string
		year int
	}{
		{"2026-10-31 23:59", 0},
		{"2026-11-01 00:00", 2027},
		{"2026-12-07 10:00", 2027},
		{"2027-01-01 08:00", 2027},
		{"2027-06-30 12:00", 2027},
		{"2025-11-15 12:00", 0},
		{"2024-03-01 12:00", 2024},
	} {
		y, ok := c.MissingSchedule(at(tt.now))
		if ok != (tt.year != 0) || y != tt.year {
			t.Errorf("%s: MissingSchedule = %d, %v; want %d", tt.now, y, ok, tt.year)
		}
	}
}

// A complaint opened on 31 December 2026 gets its deadlines on the fallback
// calendar (2027-01-01 is a holiday, then the weekend), and the ticket says
// its deadlines are estimated until 2027's schedule is imported.
func TestComplaintOpenedOnNewYearsEve(t *testing.T) {
	s, p, clk := newTicketStore(t)
	ctx := context.Background()
	clk.t = time.Date(2026, 12, 31, 16, 0, 0, 0, shanghai)
	in := complaint(1)
	in.Severity = SeverityMinor // 4wh entry, 2wd response and resolution
	tk := mustOpen(t, s, p.recep.ID, in)
	for _, tt := range []struct {
		what      string
		got, want time.Time
	}{
		{"entry", tk.Deadlines.Entry, at("2027-01-04 11:00")},           // 2 h on the 31st, 2 h on Monday 4 January
		{"response", tk.Deadlines.Response, at("2027-01-05 16:00")},     // 2 working days: 31 Dec, (1–3 Jan off), 4 Jan, to 5 Jan 16:00
		{"resolution", tk.Deadlines.Resolution, at("2027-01-05 16:00")}, // same
	} {
		if !tt.got.Equal(tt.want) {
			t.Errorf("%s = %s, want %s", tt.what, tt.got.In(shanghai).Format("2006-01-02 15:04 Mon"), tt.want.Format("2006-01-02 15:04 Mon"))
		}
	}
	if len(tk.EstimatedYears) != 1 || tk.EstimatedYears[0] != 2027 {
		t.Errorf("EstimatedYears = %v, want [2027]", tk.EstimatedYears)
	}
	// A complaint opened in November whose deadlines stay in 2026 is not estimated.
	clk.t = time.Date(2026, 11, 23, 10, 0, 0, 0, shanghai)
	if tk2 := mustOpen(t, s, p.recep.ID, complaint(2)); len(tk2.EstimatedYears) != 0 {
		t.Errorf("a November ticket: EstimatedYears = %v", tk2.EstimatedYears)
	}
	// After the 2027 schedule is imported, the same ticket no longer warns.
	sched := `{"year": 2027, "days": [{"name": "元旦", "date": "2027-01-01", "isOffDay": true}]}`
	if _, err := s.ImportHolidays(ctx, p.admin.ID, []byte(sched)); err != nil {
		t.Fatal(err)
	}
	again, err := s.Ticket(ctx, p.admin.ID, tk.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(again.EstimatedYears) != 0 {
		t.Errorf("after the import: EstimatedYears = %v", again.EstimatedYears)
	}
}

// BenchmarkStatutoryHolidays is one year's computation, done once per
// calendar and estimated year.
func BenchmarkStatutoryHolidays(b *testing.B) {
	for b.Loop() {
		StatutoryHolidays(2027)
	}
}

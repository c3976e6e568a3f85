package data

import (
	"context"
	"testing"
	"time"
)

// One test per combination of the calendar a limit counts on (the clock,
// the company's working days, the office's opening hours) and the kind of
// limit (hours, days, the same day), on ordinary days, weekends, public
// holidays (official and estimated) and an office with its own hours.
func TestDeadlineCalendars(t *testing.T) {
	std := defaultCalendar(t) // office open every day 09:00–18:00
	var closedWed OfficeHours
	for _, d := range []time.Weekday{time.Monday, time.Tuesday, time.Thursday, time.Friday, time.Saturday, time.Sunday} {
		closedWed.Days[d] = true
	}
	closedWed.Open, closedWed.Close = 10*time.Hour, 20*time.Hour
	own, err := std.WithOfficeHours(closedWed)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name   string
		cal    *Calendar
		limit  string
		opened string
		want   string
	}{
		{"clock hours ignore weekends", std, "24h", "2026-11-21 17:00", "2026-11-22 17:00"},
		{"clock hours ignore the estimated New Year", std, "24h", "2026-12-31 16:00", "2027-01-01 16:00"},

		{"company hours skip the weekend", std, "4wh", "2026-11-21 17:00", "2026-11-23 13:00"},
		{"company hours skip the estimated 元旦", std, "4wh", "2026-12-31 16:00", "2027-01-04 11:00"},
		{"company hours work the 调休 Saturday", std, "4wh", "2026-02-13 16:00", "2026-02-14 11:00"},
		{"company days skip the weekend", std, "1wd", "2026-11-22 17:00", "2026-11-23 18:00"},
		{"company days skip the estimated Spring Festival", std, "2wd", "2027-02-04 10:00", "2027-02-10 10:00"},
		{"company same day on National Day is the next working day", std, "sameday", "2026-10-01 10:00", "2026-10-08 18:00"},
		{"company same day on a Saturday is Monday", std, "sameday", "2026-11-21 10:00", "2026-11-23 18:00"},

		{"opening hours run through the weekend", std, "4oh", "2026-11-21 17:00", "2026-11-22 12:00"},
		{"opening hours run through the estimated Spring Festival", std, "4oh", "2027-02-06 10:00", "2027-02-06 14:00"},
		{"opening days run through 元旦", std, "1od", "2026-12-31 16:00", "2027-01-01 16:00"},
		{"opening days on a Sunday", std, "1od", "2026-11-22 17:00", "2026-11-23 17:00"},
		{"opening same day on National Day", std, "osameday", "2026-10-01 10:00", "2026-10-01 18:00"},
		{"opening same day after closing is tomorrow's close", std, "osameday", "2026-11-21 18:30", "2026-11-22 18:00"},

		{"own hours: closed on Wednesday", own, "3oh", "2026-11-24 19:00", "2026-11-26 12:00"},
		{"own hours: before opening counts from 10:00", own, "3oh", "2026-11-26 08:00", "2026-11-26 13:00"},
		{"own hours: an opening day is 10 hours", own, "1od", "2026-11-24 19:00", "2026-11-26 19:00"},
		{"own hours: same day on the closed Wednesday", own, "osameday", "2026-11-25 11:00", "2026-11-26 20:00"},
		{"own hours leave the company's days alone", own, "1wd", "2026-11-24 17:00", "2026-11-25 17:00"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			l, err := ParseLimit(tt.limit)
			if err != nil {
				t.Fatal(err)
			}
			if got := l.After(tt.cal, at(tt.opened)); !got.Equal(at(tt.want)) {
				t.Errorf("%s after %s = %s, want %s", tt.limit, tt.opened, got.In(shanghai).Format("2006-01-02 15:04 Mon"), tt.want)
			}
		})
	}
}

func TestLimitUnitCalendar(t *testing.T) {
	for in, want := range map[string]string{"2h": "clock", "4wh": "company", "3wd": "company", "sameday": "company",
		"4oh": "office", "2od": "office", "osameday": "office", "": ""} {
		l, err := ParseLimit(in)
		if err != nil {
			t.Fatal(err)
		}
		if got := l.Unit.Calendar(); got != want {
			t.Errorf("%q counts on %q, want %q", in, got, want)
		}
		if back, _ := ParseLimit(l.String()); back != l {
			t.Errorf("%v does not round-trip through %q", l, l.String())
		}
	}
	if _, err := ParseLimit("4xh"); err == nil {
		t.Error("4xh accepted")
	}
}

func TestParseClockTime(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want time.Duration
		bad  bool
	}{
		{"09:00", 9 * time.Hour, false},
		{"9:30", 9*time.Hour + 30*time.Minute, false},
		{"２０：００", 20 * time.Hour, false}, // full-width digits and colon
		{"24:00", 24 * time.Hour, false},
		{"24:30", 0, true},
		{"9", 0, true},
		{"09:60", 0, true},
		{"-1:00", 0, true},
		{"9:00pm", 0, true},
	} {
		got, err := ParseClockTime(tt.in)
		if tt.bad {
			if e, ok := AsError(err); !ok || e.Key != "err.office_hours.time" {
				t.Errorf("ParseClockTime(%q) = %v, %v; want err.office_hours.time", tt.in, got, err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseClockTime(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
}

// The office's opening hours are a setting: the default every day
// 09:00–18:00; an admin changes them; a bad setting is refused and nothing
// changes; a ticket whose policy counts on opening hours uses them.
func TestStoreOfficeHours(t *testing.T) {
	s, p, clk := newTicketStore(t)
	ctx := context.Background()
	h, err := s.OfficeHours(ctx)
	if err != nil || h != DefaultOfficeHours() {
		t.Fatalf("default office hours = %+v, %v", h, err)
	}
	// Closed on Wednesday, open 10:00–20:00.
	var want OfficeHours
	for _, d := range []time.Weekday{time.Monday, time.Tuesday, time.Thursday, time.Friday, time.Saturday, time.Sunday} {
		want.Days[d] = true
	}
	want.Open, want.Close = 10*time.Hour, 20*time.Hour
	wantKey(t, s.SetOfficeHours(ctx, p.recep.ID, want), EFORBIDDEN, "err.forbidden")
	wantKey(t, s.SetOfficeHours(ctx, p.admin.ID, OfficeHours{Open: 9 * time.Hour, Close: 18 * time.Hour}), EINVALID, "err.office_hours.days")
	wantKey(t, s.SetOfficeHours(ctx, p.admin.ID, OfficeHours{Days: want.Days, Open: 18 * time.Hour, Close: 9 * time.Hour}), EINVALID, "err.office_hours.times")
	if h, _ := s.OfficeHours(ctx); h != DefaultOfficeHours() {
		t.Fatalf("a refused setting changed the hours: %+v", h)
	}
	mustOK(t, s.SetOfficeHours(ctx, p.admin.ID, want))
	if h, err := s.OfficeHours(ctx); err != nil || h != want {
		t.Fatalf("office hours = %+v, %v; want %+v", h, err, want)
	}
	cal, err := s.Calendar(ctx)
	if err != nil || cal.OfficeHours() != want {
		t.Fatalf("calendar office hours = %+v, %v", cal.OfficeHours(), err)
	}

	// A policy whose general complaints are closed by the office's close
	// the same opening day, not the company's working day.
	pol, err := s.SLAPolicy(ctx)
	mustOK(t, err)
	rules := append([]SLARule(nil), pol.Rules...)
	for i := range rules {
		if rules[i].Kind == TicketComplaint && rules[i].Severity == SeverityGeneral {
			rules[i].Resolution = mustLimit("osameday")
			rules[i].Response = mustLimit("2oh")
		}
	}
	if _, err := s.SaveSLAPolicy(ctx, p.admin.ID, rules, pol.Urgent); err != nil {
		t.Fatal(err)
	}
	clk.t = time.Date(2026, 11, 25, 11, 0, 0, 0, shanghai) // a Wednesday: office closed, company working
	tk := mustOpen(t, s, p.recep.ID, complaint(3))
	if want := at("2026-11-26 20:00"); !tk.Deadlines.Resolution.Equal(want) {
		t.Errorf("resolution = %s, want Thursday's closing 20:00", tk.Deadlines.Resolution.In(shanghai).Format("2006-01-02 15:04"))
	}
	if want := at("2026-11-26 12:00"); !tk.Deadlines.Response.Equal(want) {
		t.Errorf("response = %s, want Thursday 12:00", tk.Deadlines.Response.In(shanghai).Format("2006-01-02 15:04"))
	}
	if want := at("2026-11-25 15:00"); !tk.Deadlines.Entry.Equal(want) { // 4wh on the company's Wednesday
		t.Errorf("entry = %s, want 15:00 the same day", tk.Deadlines.Entry.In(shanghai).Format("2006-01-02 15:04"))
	}
}

package data

import (
	"testing"
	"time"
)

func TestParseLimit(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want Limit
		bad  bool
	}{
		{"2h", Limit{2, UnitHours}, false},
		{"4WH", Limit{4, UnitWorkingHours}, false},
		{" 3wd ", Limit{3, UnitWorkingDays}, false},
		{"sameday", Limit{Unit: UnitSameDay}, false},
		{"", Limit{}, false},
		{"0h", Limit{}, true},
		{"-2h", Limit{}, true},
		{"2 days", Limit{}, true},
		{"1000wd", Limit{}, true},
		{"h", Limit{}, true},
		{"'; DROP TABLE x", Limit{}, true},
	} {
		got, err := ParseLimit(tt.in)
		if tt.bad {
			if e, ok := AsError(err); !ok || e.Key != "err.sla.limit" {
				t.Errorf("ParseLimit(%q) = %v, %v; want err.sla.limit", tt.in, got, err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseLimit(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
		if back, _ := ParseLimit(got.String()); back != got {
			t.Errorf("%v does not round-trip through %q", got, got.String())
		}
	}
}

func TestDefaultSLAPolicyDeadlines(t *testing.T) {
	c := defaultCalendar(t)
	p := DefaultSLAPolicy()
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	type want struct{ entry, response, escalation, resolution string }
	tests := []struct {
		name           string
		kind, severity string
		urgent         bool
		opened         string
		want           want
	}{
		{"important complaint on a Monday morning", TicketComplaint, SeverityImportant, false, "2026-11-23 10:00",
			want{"2026-11-23 14:00", "2026-11-25 10:00", "2026-11-23 11:00", "2026-11-26 10:00"}},
		{"major complaint: leadership the same day", TicketComplaint, SeverityMajor, false, "2026-11-23 10:00",
			want{"2026-11-23 14:00", "2026-11-25 10:00", "2026-11-23 18:00", "2026-11-26 10:00"}},
		{"general complaint closed the same day", TicketComplaint, SeverityGeneral, false, "2026-11-23 17:30",
			want{"2026-11-24 12:30", "2026-11-23 18:00", "", "2026-11-23 18:00"}},
		{"minor complaint before the Spring Festival", TicketComplaint, SeverityMinor, false, "2026-02-13 16:00",
			want{"2026-02-14 11:00", "2026-02-24 16:00", "", "2026-02-24 16:00"}},
		{"urgent complaint on a holiday: 2 clock hours, then the next working day", TicketComplaint, SeverityMinor, true, "2026-10-02 20:00",
			want{"2026-10-08 13:00", "2026-10-02 22:00", "2026-10-02 22:00", "2026-10-08 18:00"}},
		{"repair: 24 clock hours across a weekend", TicketRepair, SeverityGeneral, false, "2026-11-20 17:00",
			want{"2026-11-23 12:00", "2026-11-21 17:00", "", "2026-11-25 17:00"}},
		// Across the year end into 2027, whose schedule is not loaded yet: 1
		// January is 元旦 on the statutory fallback, so the working-hours
		// entry deadline moves to Monday 4 January; clock hours do not care.
		{"inquiry: follow up within an hour, answer within 24", TicketInquiry, SeverityGeneral, false, "2026-12-31 23:30",
			want{"2027-01-04 13:00", "2027-01-01 00:30", "", "2027-01-01 23:30"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := p.Deadlines(c, tt.kind, tt.severity, tt.urgent, at(tt.opened))
			if err != nil {
				t.Fatal(err)
			}
			check := func(what string, got time.Time, want string) {
				if want == "" {
					if !got.IsZero() {
						t.Errorf("%s: got %s, want none", what, got.In(shanghai).Format("2006-01-02 15:04"))
					}
					return
				}
				if !got.Equal(at(want)) {
					t.Errorf("%s: got %s, want %s", what, got.In(shanghai).Format("2006-01-02 15:04 Mon"), want)
				}
			}
			check("entry", d.Entry, tt.want.entry)
			check("response", d.Response, tt.want.response)
			check("escalation", d.Escalation, tt.want.escalation)
			check("resolution", d.Resolution, tt.want.resolution)
			if d.PolicyVersion != 1 {
				t.Errorf("policy version %d", d.PolicyVersion)
			}
		})
	}
}

func TestSLAPolicyValidate(t *testing.T) {
	p := DefaultSLAPolicy()
	p.Rules = p.Rules[1:]
	if e, ok := AsError(p.Validate()); !ok || e.Key != "err.sla.missing" {
		t.Fatalf("a missing rule passed: %v", e)
	}
	p = DefaultSLAPolicy()
	p.Rules = append(p.Rules, p.Rules[0])
	if e, ok := AsError(p.Validate()); !ok || e.Key != "err.sla.duplicate" {
		t.Fatalf("a duplicate rule passed: %v", e)
	}
	p = DefaultSLAPolicy()
	p.Rules[0].Resolution = Limit{}
	if e, ok := AsError(p.Validate()); !ok || e.Key != "err.sla.missing" {
		t.Fatalf("a rule without resolution passed: %v", e)
	}
	p = DefaultSLAPolicy()
	p.Rules[0].Kind = "praise"
	if e, ok := AsError(p.Validate()); !ok || e.Key != "err.sla.rule" {
		t.Fatalf("an unknown kind passed: %v", e)
	}
	if _, err := DefaultSLAPolicy().Deadlines(defaultCalendar(t), "praise", SeverityMinor, false, at("2026-11-23 10:00")); ErrorCode(err) != EINVALID {
		t.Fatalf("deadlines for an unknown kind: %v", err)
	}
}

func TestDueState(t *testing.T) {
	opened, due := at("2026-11-23 10:00"), at("2026-11-23 18:00") // 8 h: margin 2 h
	for _, tt := range []struct {
		now  string
		want DueState
	}{
		{"2026-11-23 10:30", DueOK},
		{"2026-11-23 15:59", DueOK},
		{"2026-11-23 16:00", DueSoon},
		{"2026-11-23 17:59", DueSoon},
		{"2026-11-23 18:00", DueOverdue},
		{"2026-11-24 09:00", DueOverdue},
	} {
		if got := Due(opened, due, at(tt.now)); got != tt.want {
			t.Errorf("at %s: %q, want %q", tt.now, got, tt.want)
		}
	}
	if Due(opened, time.Time{}, at("2030-01-01 00:00")) != DueNone {
		t.Fatal("no deadline is never overdue")
	}
	if m := DueSoonMargin(opened, opened.Add(time.Hour)); m != 15*time.Minute {
		t.Fatalf("short deadline margin %s", m)
	}
	if m := DueSoonMargin(opened, opened.AddDate(0, 0, 10)); m != 4*time.Hour {
		t.Fatalf("long deadline margin %s", m)
	}
}

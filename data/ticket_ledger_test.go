package data

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

// TestTicketLedgerFigures builds three weeks of tickets by hand and checks
// the ledger's figures against numbers worked out on paper (see comments).
func TestTicketLedgerFigures(t *testing.T) {
	ctx := context.Background()
	s, clk, _, open, ev := ticketsByHand(t)
	mk := func(kind, cat, sev string, phone int, unit string) TicketInput {
		in := complaint(phone)
		in.Kind, in.Category, in.Severity = kind, cat, sev
		in.Project, in.Building, in.Unit = "", "", ""
		if unit != "" {
			parts := strings.Split(unit, "/")
			in.Project, in.Building, in.Unit = parts[0], parts[1], parts[2]
		}
		if phone == 0 {
			in.CustomerName, in.Phone = "", ""
		}
		return in
	}
	// T0 before the period, never answered: T1 (another customer of the unit, no defect named) is no repeat of it.
	open("2026-10-20 10:00", mk(TicketComplaint, CatEngineering, SeverityGeneral, 1, "星河湾/3栋/1502"))
	// T1: same unit and category as T0, another phone → no repeat. Responded and resolved the same day (on time), revisited 5, closed.
	t1 := open("2026-11-03 10:00", mk(TicketComplaint, CatEngineering, SeverityGeneral, 2, "星河湾/3栋/1502"))
	ev("2026-11-03 11:00", t1, TicketEvent{Kind: EvResponded})
	ev("2026-11-03 17:00", t1, TicketEvent{Kind: EvResolved})
	ev("2026-11-04 10:00", t1, TicketEvent{Kind: EvRevisited, Satisfaction: 5})
	ev("2026-11-04 10:05", t1, TicketEvent{Kind: EvClosed, Reason: CloseSatisfied})
	// T2: T0's phone but another category → no repeat. Minor: 2 working days (due 11-06 10:00), answered and resolved late; revisited 4.
	t2 := open("2026-11-04 10:00", mk(TicketComplaint, CatSales, SeverityMinor, 1, "星河湾/5栋/201"))
	ev("2026-11-09 10:00", t2, TicketEvent{Kind: EvResponded})
	ev("2026-11-09 11:00", t2, TicketEvent{Kind: EvResolved})
	ev("2026-11-10 10:00", t2, TicketEvent{Kind: EvRevisited, Satisfaction: 4})
	// T3: repair, on time; its revisit window (11-19 … 12-12) has not ended.
	t3 := open("2026-11-10 10:00", mk(TicketRepair, CatEngineering, SeverityGeneral, 3, "星河湾/8栋/101"))
	ev("2026-11-10 12:00", t3, TicketEvent{Kind: EvResponded})
	ev("2026-11-12 10:00", t3, TicketEvent{Kind: EvResolved})
	// T4: T1's phone and category, after T1 was answered → repeat; nothing done, both deadlines (11-11 18:00) passed.
	t4 := open("2026-11-11 10:00", mk(TicketComplaint, CatEngineering, SeverityGeneral, 2, ""))
	// T5: T0's unit, another category → no repeat; on time; revisit window ended 11-21 12:00 without a revisit.
	t5 := open("2026-11-17 10:00", mk(TicketComplaint, CatService, SeverityImportant, 4, "星河湾/3栋/1502"))
	ev("2026-11-18 10:00", t5, TicketEvent{Kind: EvResponded})
	ev("2026-11-18 12:00", t5, TicketEvent{Kind: EvResolved})
	// T6: suggestion without contact, resolved (which answers it) on time, closed.
	t6 := open("2026-11-18 10:00", mk(TicketSuggestion, CatDesign, SeverityGeneral, 0, ""))
	ev("2026-11-19 10:00", t6, TicketEvent{Kind: EvResolved})
	ev("2026-11-19 10:01", t6, TicketEvent{Kind: EvClosed, Reason: CloseSatisfied})
	// T7: inquiry answered in 30 min, not resolved within 24 h. Its text would be a formula in a spreadsheet.
	in7 := mk(TicketInquiry, CatService, SeverityGeneral, 5, "")
	in7.Description = "=HYPERLINK(\"http://x\",\"点我\")"
	t7 := open("2026-11-20 10:00", in7)
	ev("2026-11-20 10:30", t7, TicketEvent{Kind: EvResponded})
	// After the period.
	open("2026-11-23 09:00", mk(TicketComplaint, CatOther, SeverityMinor, 6, ""))
	clk.t = at("2026-11-23 10:00")

	period := LedgerFilter{From: at("2026-11-02 00:00"), To: at("2026-11-23 00:00")}
	l, err := s.TicketLedger(ctx, period)
	mustOK(t, err)
	var numbers []string
	for _, r := range l.Rows {
		numbers = append(numbers, r.Number)
	}
	if want := []string{t1.Number, t2.Number, t3.Number, t4.Number, t5.Number, t6.Number, t7.Number}; fmt.Sprint(numbers) != fmt.Sprint(want) {
		t.Fatalf("rows %v, want %v", numbers, want)
	}
	rate := func(r Rate) string { return fmt.Sprintf("%d/%d", r.Num, r.Den) }
	for _, c := range []struct{ name, got, want string }{
		{"repeat (T4 of 5 problems)", rate(l.Repeat), "1/5"},
		{"repeat target", fmt.Sprint(l.Repeat.Met()), "false"},
		{"satisfaction (5+4)/2", fmt.Sprintf("%.2f/%d", l.SatisfactionAvg, l.SatisfactionN), "4.50/2"},
		{"satisfaction target", fmt.Sprint(l.SatisfactionMet()), "true"},
		{"responses on time (late: T2, T4)", rate(l.ResponseOnTime), "5/7"},
		{"resolutions on time (late: T2, T4, T7)", rate(l.ResolutionOnTime), "4/7"},
		{"complaint revisits (T1, T2 of T1, T2, T5)", rate(l.RevisitCompletion[TicketComplaint]), "2/3"},
		{"repair revisits (T3 not due)", rate(l.RevisitCompletion[TicketRepair]), "0/0"},
		{"open/closed/late (T4, T5 revisit, T7)", fmt.Sprintf("%d/%d/%d", l.Open, l.Closed, l.Late), "5/2/3"},
		{"by category", fmt.Sprint(l.ByCategory), "map[design:1 engineering:3 sales:1 service:2]"},
		{"repeat of", l.Rows[0].RepeatOf + "/" + l.Rows[3].RepeatOf, "/" + t1.Number},
		{"phones masked", l.Rows[0].Phone, "139****0002"},
	} {
		if c.got != c.want {
			t.Errorf("%s: %s, want %s", c.name, c.got, c.want)
		}
	}
	var weeks []string
	for _, w := range l.Weeks {
		weeks = append(weeks, fmt.Sprintf("%s %d %v", w.Start, w.Total, w.ByCategory))
	}
	if want := "[2026-11-02 2 map[engineering:1 sales:1] 2026-11-09 2 map[engineering:2] 2026-11-16 3 map[design:1 service:2]]"; fmt.Sprint(weeks) != want {
		t.Errorf("weeks %v", weeks)
	}
	// Filters still find repeats against tickets they leave out.
	l2, err := s.TicketLedger(ctx, LedgerFilter{From: period.From, To: period.To, Kind: TicketComplaint, Category: CatEngineering})
	mustOK(t, err)
	if len(l2.Rows) != 2 || rate(l2.Repeat) != "1/2" || l2.Rows[1].RepeatOf != t1.Number {
		t.Fatalf("filtered ledger %d rows, repeat %s", len(l2.Rows), rate(l2.Repeat))
	}
}

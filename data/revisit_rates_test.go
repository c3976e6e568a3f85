package data

import (
	"context"
	"testing"
)

// Revisit rates mean what they say (issue 10, docs/guide.md Revisit rates):
// a revisit completes on time only inside its window; a late one is shown
// late; a repair revisit before its one-week window opens is refused with
// the window, and one an older desk recorded early is not counted.
// Cases built by hand, dates worked out on paper.
func TestTicketRevisitRatesCountOnlyInsideTheWindow(t *testing.T) {
	ctx := context.Background()
	s, clk, who, open, ev := ticketsByHand(t)
	repair := func(phone int) TicketInput {
		in := complaint(phone)
		in.Kind, in.Project, in.Building, in.Unit = TicketRepair, "", "", ""
		return in
	}
	// C1: complaint resolved 11-03 17:00, window to 11-06 17:00; revisited 11-04: on time.
	c1 := open("2026-11-03 10:00", complaint(11))
	ev("2026-11-03 17:00", c1, TicketEvent{Kind: EvResolved})
	ev("2026-11-04 10:00", c1, TicketEvent{Kind: EvRevisited, Satisfaction: 5})
	// C2: complaint resolved 11-03 17:00; revisited 11-10, four days after its window: late.
	c2 := open("2026-11-03 11:00", complaint(12))
	ev("2026-11-03 17:00", c2, TicketEvent{Kind: EvResolved})
	ev("2026-11-10 10:00", c2, TicketEvent{Kind: EvRevisited, Satisfaction: 4})
	// R1: repair resolved 11-02 12:00, window 11-09 12:00 … 12-02 12:00.
	// A revisit on 11-05 is refused with the window, and nothing is written.
	r1 := open("2026-11-02 10:00", repair(13))
	ev("2026-11-02 12:00", r1, TicketEvent{Kind: EvResolved})
	clk.t = at("2026-11-05 10:00")
	events := countRows(t, s, "ticket_events")
	_, err := s.AddTicketEvent(ctx, who, r1.ID, TicketEvent{Kind: EvRevisited, Satisfaction: 5, Revisit: RevisitNotes{Method: "phone"}})
	if e, ok := AsError(err); !ok || e.Key != "err.ticket.revisit_early" || e.Field != "at" || e.Args["From"] != "2026-11-09 12:00" {
		t.Fatalf("early repair revisit: %v (%+v)", err, e)
	}
	if countRows(t, s, "ticket_events") != events {
		t.Fatal("a refused revisit was written")
	}
	// On 11-10 it is inside the window: on time.
	ev("2026-11-10 10:00", r1, TicketEvent{Kind: EvRevisited, Satisfaction: 5})
	// R2: repair resolved 11-02 12:00, revisited by an older desk on 11-04
	// (no check there; it arrives through sync): early, not counted.
	r2 := open("2026-11-02 10:30", repair(14))
	ev("2026-11-02 12:00", r2, TicketEvent{Kind: EvResolved})
	clk.t = at("2026-11-04 10:00")
	err = s.tx(ctx, func(tx *txn) error {
		st, err := s.stamp()
		if err != nil {
			return err
		}
		_, err = appendTicketEvents(ctx, tx, st, r2.ID, TicketRepair, who, TicketEvent{Kind: EvRevisited, At: clk.t, Satisfaction: 5})
		return err
	})
	mustOK(t, err)
	// R3: repair resolved 10-05 12:00, window to 11-05 12:00, revisited 11-20: late.
	r3 := open("2026-10-05 10:00", repair(15))
	ev("2026-10-05 12:00", r3, TicketEvent{Kind: EvResolved})
	ev("2026-11-20 10:00", r3, TicketEvent{Kind: EvRevisited, Satisfaction: 4})
	// R4: repair resolved 10-06 12:00, window ended 11-06 12:00, never revisited: due, not done.
	r4 := open("2026-10-06 10:00", repair(16))
	ev("2026-10-06 12:00", r4, TicketEvent{Kind: EvResolved})
	clk.t = at("2026-11-23 10:00")

	l, err := s.TicketLedger(ctx, LedgerFilter{From: at("2026-10-01 00:00"), To: at("2026-11-23 00:00")})
	mustOK(t, err)
	for _, tc := range []struct {
		what      string
		got       Rate
		num, den  int
		late, erl int
	}{
		// Complaints: C1 on time, C2 late → 1/2, 1 late.
		{"complaints", l.RevisitCompletion[TicketComplaint], 1, 2, l.RevisitLate[TicketComplaint], l.RevisitEarly[TicketComplaint]},
		// Repairs: R1 on time, R2 early, R3 late, R4 missed → 1/4, 1 late, 1 early.
		{"repairs", l.RevisitCompletion[TicketRepair], 1, 4, l.RevisitLate[TicketRepair], l.RevisitEarly[TicketRepair]},
	} {
		want := map[string][2]int{"complaints": {1, 0}, "repairs": {1, 1}}[tc.what]
		if tc.got.Num != tc.num || tc.got.Den != tc.den || tc.late != want[0] || tc.erl != want[1] {
			t.Errorf("%s: %d/%d, %d late, %d early; want %d/%d, %d late, %d early", tc.what, tc.got.Num, tc.got.Den, tc.late, tc.erl, tc.num, tc.den, want[0], want[1])
		}
	}
	if l.RevisitCompletion[TicketComplaint].Met() || l.RevisitCompletion[TicketRepair].Met() {
		t.Error("rates with late and early revisits meet their targets")
	}
}

// Care revisits: a revisit before its window opens is refused with the
// window (a week after signing is not two days after); made inside it,
// it is on time; made after it, late.
func TestCareRevisitEarlyRefusedLateCountedLate(t *testing.T) {
	ctx := context.Background()
	s, admin, clk := newTestStore(t)
	start := clk.Now()
	for i := range 3 {
		in := desk(t, s, "签约客户", testPhone(200+i))
		in.Purpose = PurposeSigning
		mustCheckIn(t, s, admin.ID, in)
	}
	all := careList(t, s, admin.ID, CareFilterAll, CareSigning)
	if len(all) != 3 {
		t.Fatalf("%d signing revisits", len(all))
	}
	clk.Advance(2 * careDay)
	before := countRows(t, s, "care_revisit_results")
	_, err := s.RecordCareRevisit(ctx, admin.ID, all[0].ID, CareResult{Method: "phone", Satisfaction: 5})
	fe, ok := err.(FieldErrors)
	if !ok || fe["at"] == nil || fe["at"].Key != "err.care.early" || fe["at"].Args["From"] != all[0].From.In(s.Location()).Format("2006-01-02") {
		t.Fatalf("early care revisit: %v", err)
	}
	if countRows(t, s, "care_revisit_results") != before {
		t.Fatal("a refused revisit was written")
	}
	clk.Advance(6 * careDay) // day 8: inside 7–10
	_, err = s.RecordCareRevisit(ctx, admin.ID, all[0].ID, CareResult{Method: "phone", Satisfaction: 5})
	mustOK(t, err)
	clk.Advance(5 * careDay) // day 13: after the window
	_, err = s.RecordCareRevisit(ctx, admin.ID, all[1].ID, CareResult{Method: "phone", Satisfaction: 4})
	mustOK(t, err)
	rates, err := s.CareRates(ctx, start, start.AddDate(0, 1, 0))
	mustOK(t, err)
	for _, r := range rates {
		if r.Kind != CareSigning {
			continue
		}
		// Three due (windows ended), two made: one on time, one late, one missed.
		if r.Due != 3 || r.Done != 2 || r.OnTime != 1 || r.Late != 1 || r.Early != 0 || r.Rate < 0.333 || r.Rate > 0.334 {
			t.Fatalf("signing rates %+v", r)
		}
	}
}

// ticketsByHand is a ticket store for figures worked out on paper: open
// opens a ticket and ev records an event, each at a given office time
// ("2026-11-05 10:00"), as the receptionist (who).
func ticketsByHand(t *testing.T) (s *Store, clk *testClock, who string, open func(when string, in TicketInput) Ticket,
	ev func(when string, tk Ticket, e TicketEvent)) {
	t.Helper()
	s, p, clk := newTicketStore(t)
	who = p.recep.ID
	open = func(when string, in TicketInput) Ticket {
		clk.t = at(when)
		in.OpenedAt = clk.t
		return mustOpen(t, s, who, in)
	}
	ev = func(when string, tk Ticket, e TicketEvent) {
		clk.t = at(when)
		mustEvent(t, s, who, tk.ID, e)
	}
	return s, clk, who, open, ev
}

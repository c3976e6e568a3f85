package data

import (
	"context"
	"testing"
	"time"
)

// TestDemoTickets: the demo has tickets in every state the screens show,
// overdue ones, flagged ones and revisits, each one's stored state the one
// its events derive.
func TestDemoTickets(t *testing.T) {
	ctx := context.Background()
	s, _, _ := newTestStore(t)
	res, err := s.LoadDemo(ctx, DemoOptions{Days: 28, PerDay: 4, Seed: 5})
	mustOK(t, err)
	if res.Tickets < 30 || countRows(t, s, "tickets") != res.Tickets {
		t.Fatalf("demo tickets %d (%d rows)", res.Tickets, countRows(t, s, "tickets"))
	}
	rows, err := s.TicketList(ctx, TicketFilter{})
	mustOK(t, err)
	states, due := map[TicketState]int{}, map[DueState]int{}
	var escalate, revisitLate, revisited int
	for _, r := range rows {
		states[r.State]++
		due[r.Due]++
		if r.EscalationSuggested {
			escalate++
		}
		if r.RevisitOverdue {
			revisitLate++
		}
		if r.Satisfaction > 0 {
			revisited++
		}
		tk, err := s.Ticket(ctx, res.AdminID, r.ID)
		mustOK(t, err)
		evs, err := s.TicketEvents(ctx, r.ID)
		mustOK(t, err)
		st, err := DeriveTicket(tk.Kind, evs)
		mustOK(t, err)
		if st != tk.TicketStatus {
			t.Fatalf("%s stored %+v, derived %+v", tk.Number, tk.TicketStatus, st)
		}
		if evs[len(evs)-1].At.After(s.now()) {
			t.Fatalf("%s has an event in the future", tk.Number)
		}
	}
	t.Logf("demo: %d tickets, states %v, due %v, revisited %d, revisit late %d, escalation due %d", len(rows), states, due, revisited, revisitLate, escalate)
	if escalate == 0 {
		t.Error("no demo ticket due for escalation")
	}
	for _, st := range []TicketState{StateOpen, StateClosed, StateAcknowledged, StateRevisitDue} {
		if states[st] == 0 {
			t.Errorf("no demo ticket %s: %v", st, states)
		}
	}
	if states[StateOpen]+states[StateAcknowledged]+states[StateResponded] < 3 || due[DueOverdue] == 0 || revisited < 5 || revisitLate == 0 {
		t.Errorf("demo: states %v due %v revisited %d revisit late %d escalate %d", states, due, revisited, revisitLate, escalate)
	}
	l, err := s.TicketLedger(ctx, LedgerFilter{From: s.now().AddDate(0, 0, -28), To: s.now().Add(time.Minute)})
	mustOK(t, err)
	if l.Repeat.Num == 0 || l.SatisfactionN == 0 || l.Closed == 0 {
		t.Errorf("demo ledger: repeat %+v satisfaction %d closed %d", l.Repeat, l.SatisfactionN, l.Closed)
	}
	// A one-day demo (the print command's) still has a few tickets.
	s2, _, _ := newTestStore(t)
	res2, err := s2.LoadDemo(ctx, DemoOptions{Days: 1, PerDay: 5, Seed: 1})
	mustOK(t, err)
	if res2.Tickets < 3 {
		t.Fatalf("one-day demo tickets %d", res2.Tickets)
	}
}

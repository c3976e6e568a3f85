package data

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// genTickets writes n tickets over the 60 days before the store's now, in
// one transaction, a third of them resolved and some closed.
func genTickets(tb testing.TB, s *Store, actor string, n int) {
	tb.Helper()
	ctx := context.Background()
	pol := DefaultSLAPolicy()
	cal, err := s.Calendar(ctx)
	mustOK(tb, err)
	dev, off, err := s.ids()
	mustOK(tb, err)
	now := s.now()
	mustOK(tb, s.tx(ctx, func(tx *txn) error {
		for i := 0; i < n; i++ {
			opened := now.Add(-time.Duration(n-i) * 60 * 24 * time.Hour / time.Duration(n+1))
			in := TicketInput{Kind: TicketKinds[i%3], Category: TicketCategories[i%len(TicketCategories)], Severity: Severities[i%4],
				OpenedAt: opened, Project: "星河湾", Building: fmt.Sprintf("%d栋", i%12), Unit: fmt.Sprintf("%d", 100+i%300),
				Description: "客厅墙面渗水，第 " + fmt.Sprint(i) + " 号", CustomerName: "王芳", Phone: fmt.Sprintf("+86139%08d", i%2000)}
			dl, err := pol.Deadlines(cal, in.Kind, in.Severity, in.Urgent, opened)
			if err != nil {
				return err
			}
			mk := func(t time.Time) stamp { return stamp{id: newIDAt(t), office: off.ID, device: dev.ID, at: ms(t)} }
			tk, err := openTicketTx(ctx, tx, mk(opened), off.Code, actor, in, dl, s.Location())
			if err != nil {
				return err
			}
			if i%3 == 0 {
				t := opened.Add(2 * time.Hour)
				if _, err := appendTicketEvents(ctx, tx, mk(t), tk.ID, in.Kind, actor, TicketEvent{Kind: EvResolved, At: t}); err != nil {
					return err
				}
			}
		}
		return nil
	}))
}

// BenchmarkTicketList lists the open tickets of an office with 5,000
// tickets (the desk's ticket tab) and a filtered page of them.
func BenchmarkTicketList(b *testing.B) {
	s, admin, _ := newTestStore(b)
	genTickets(b, s, admin.ID, 5000)
	ctx := context.Background()
	b.Run("open", func(b *testing.B) {
		for b.Loop() {
			rows, err := s.OpenTickets(ctx)
			if err != nil || len(rows) < 3000 {
				b.Fatalf("%d rows, %v", len(rows), err)
			}
		}
	})
	b.Run("filtered", func(b *testing.B) {
		for b.Loop() {
			rows, err := s.TicketList(ctx, TicketFilter{Kind: TicketComplaint, Query: "渗水", Limit: 200})
			if err != nil || len(rows) != 200 {
				b.Fatalf("%d rows, %v", len(rows), err)
			}
		}
	})
	b.Run("ledger_month", func(b *testing.B) {
		for b.Loop() {
			l, err := s.TicketLedger(ctx, LedgerFilter{From: s.now().AddDate(0, -1, 0), To: s.now()})
			if err != nil || len(l.Rows) < 2000 {
				b.Fatalf("%d rows, %v", len(l.Rows), err)
			}
		}
	})
}

package data

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// genCareRevisits writes n care revisits over the year before now, in one
// transaction, with every other one done.
func genCareRevisits(tb testing.TB, s *Store, actor string, n int) {
	tb.Helper()
	ctx := context.Background()
	dev, off, err := s.ids()
	mustOK(tb, err)
	now := s.now()
	mustOK(tb, s.tx(ctx, func(tx *txn) error {
		for i := range n {
			at := now.Add(-time.Duration(n-i) * 365 * 24 * time.Hour / time.Duration(n+1))
			st := stamp{id: newIDAt(at), office: off.ID, device: dev.ID, at: ms(at)}
			kind := CareKinds[i%len(CareKinds)]
			from, to := CareWindow(kind, at, s.Location())
			id, err := insertCareRevisit(ctx, tx, st, careRow{kind: kind, name: "王芳", phone: fmt.Sprintf("+86139%08d", i), place: "3号楼", by: actor, from: from, to: to})
			if err != nil {
				return err
			}
			if i%2 == 0 {
				if _, err := tx.ExecContext(ctx, `INSERT INTO care_revisit_results (id, office_id, device_id, created_at, created_by, revisit_id, at, method, satisfaction)
					VALUES (?, ?, ?, ?, ?, ?, ?, 'phone', 5)`, newIDAt(to), off.ID, dev.ID, ms(to), actor, id, ms(to)); err != nil {
					return err
				}
			}
		}
		return nil
	}))
}

// BenchmarkCareRevisits: the due list and the quarter's rates with 20,000
// revisits on file (years of a busy office).
func BenchmarkCareRevisits(b *testing.B) {
	s, admin, _ := newTestStore(b)
	genCareRevisits(b, s, admin.ID, 20000)
	ctx := context.Background()
	now := s.now()
	b.ResetTimer()
	for b.Loop() {
		if _, err := s.CareRevisits(ctx, admin.ID, CareFilterDue, ""); err != nil {
			b.Fatal(err)
		}
		if _, err := s.CareRates(ctx, now.AddDate(0, -3, 0), now); err != nil {
			b.Fatal(err)
		}
	}
}

package data

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// bulkSpec describes visits written straight into the database, for tests
// and benchmarks that need many of them fast.
type bulkSpec struct {
	start    time.Time     // first arrival
	step     time.Duration // between arrivals
	visits   int
	visitors int // distinct visitors; 0 = one per visit. Later visits are returns of earlier visitors.
	phone0   int // first visitor's phone is testPhone(phone0)
}

// bulkVisits writes spec's visitors and visits in one transaction with
// prepared statements: a third have left, a third are with a consultant and
// a third wait. It returns the phones (E.164) of the visitors in order.
func bulkVisits(tb testing.TB, s *Store, spec bulkSpec) []string {
	tb.Helper()
	if spec.visitors <= 0 || spec.visitors > spec.visits {
		spec.visitors = spec.visits
	}
	ctx := context.Background()
	dev, off, err := s.ids()
	if err != nil {
		tb.Fatal(err)
	}
	var consultants []string
	rows, err := s.db.QueryContext(ctx, `SELECT id FROM staff WHERE role = 'consultant' AND active = 1 ORDER BY name`)
	if err != nil {
		tb.Fatal(err)
	}
	for rows.Next() {
		var id string
		rows.Scan(&id)
		consultants = append(consultants, id)
	}
	rows.Close()

	phones := make([]string, spec.visitors)
	visitorIDs := make([]string, spec.visitors)
	err = s.tx(ctx, func(tx *txn) error {
		insVisitor, err := tx.PrepareContext(ctx, `INSERT INTO visitors (id, office_id, device_id, created_at, name, title, phone, consultant_id)
			VALUES (?, ?, ?, ?, ?, '', ?, ?)`)
		if err != nil {
			return err
		}
		defer insVisitor.Close()
		insVisit, err := tx.PrepareContext(ctx, `INSERT INTO visits (id, office_id, device_id, created_at, visitor_id, name, title,
			arrived_at, day, party_size, purpose, kind, via, consent_version, consultant_id, assigned_at, handed_over_at, area, left_at)
			VALUES (?, ?, ?, ?, ?, ?, '', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
		if err != nil {
			return err
		}
		defer insVisit.Close()
		day, dayEnd := "", time.Time{}
		for i := range spec.visits {
			at := spec.start.Add(time.Duration(i) * spec.step)
			atMS := ms(at)
			if !at.Before(dayEnd) { // Day formats a date: only once a day
				day = s.Day(at)
				d, _ := time.ParseInLocation(time.DateOnly, day, s.Location())
				dayEnd = d.AddDate(0, 0, 1)
			}
			var consultant any
			if len(consultants) > 0 {
				consultant = consultants[i%len(consultants)]
			}
			name := demoName(i)
			kind, vi := KindFirst, i
			if i >= spec.visitors {
				kind, vi = KindReturn, int((uint64(i)*2654435761)%uint64(spec.visitors))
			} else {
				visitorIDs[i] = newIDAt(at)
				phones[i] = "+86" + testPhone(spec.phone0+i)
				if _, err := insVisitor.ExecContext(ctx, visitorIDs[i], off.ID, dev.ID, atMS, name, phones[i], consultant); err != nil {
					return fmt.Errorf("visitor %d: %w", i, err)
				}
			}
			via := ViaDesk
			if i%5 == 0 {
				via = ViaKiosk
			}
			var assigned, handed, left any
			area := ""
			switch i % 3 {
			case 0: // left
				assigned, handed, left, area = atMS+30_000, atMS+300_000, atMS+3_600_000, string(AreaNegotiation)
			case 1: // with a consultant
				assigned, handed, area = atMS+30_000, atMS+240_000, string(AreaSandTable)
			default: // waiting
				consultant = nil
			}
			if _, err := insVisit.ExecContext(ctx, newIDAt(at), off.ID, dev.ID, atMS, visitorIDs[vi], name, atMS, day,
				1+i%3, string(Purposes[i%len(Purposes)]), kind, via, ConsentVersion, consultant, assigned, handed, area, left); err != nil {
				return fmt.Errorf("visit %d: %w", i, err)
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return phones
}

// seedDay writes n first visits arriving every 10 seconds from start.
func seedDay(tb testing.TB, s *Store, start time.Time, n, phone0 int) []string {
	tb.Helper()
	return bulkVisits(tb, s, bulkSpec{start: start, step: 10 * time.Second, visits: n, phone0: phone0})
}

// demoName is a plausible name for visitor i.
func demoName(i int) string {
	return string(demoSurnames[i%len(demoSurnames)]) + string(demoGiven[(i/len(demoSurnames))%len(demoGiven)])
}

package data

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"
)

func openFresh(t *testing.T, now time.Time) (*Store, *testClock) {
	t.Helper()
	s, err := Open(context.Background(), t.TempDir())
	mustOK(t, err)
	t.Cleanup(func() { s.Close() })
	clk := &testClock{t: now}
	s.Now = clk.Now
	return s, clk
}

func TestLoadDemo(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	now := time.Date(2026, 11, 23, 15, 0, 0, 0, shanghai) // a Monday afternoon
	s, _ := openFresh(t, now)
	res, err := s.LoadDemo(ctx, DemoOptions{Days: 3, PerDay: 20, Seed: 7})
	mustOK(t, err)

	_, office, err := s.Device()
	mustOK(t, err)
	if office.Code != "DEMO" || res.AdminID == "" || res.Consultants != len(demoConsultants) {
		t.Fatalf("office %+v result %+v", office, res)
	}
	if _, err := s.SignIn(ctx, res.AdminID, DemoAdminPIN); err != nil {
		t.Fatalf("demo admin sign-in: %v", err)
	}
	staff, err := s.ListStaff(ctx, false)
	mustOK(t, err)
	roles := map[Role]int{}
	for _, st := range staff {
		roles[st.Role]++
	}
	if roles[RoleConsultant] != 8 || roles[RoleReceptionist] != 2 || roles[RoleSupervisor] != 1 || roles[RoleAdmin] != 1 {
		t.Fatalf("staff roles %v", roles)
	}
	if n := countRows(t, s, "visits"); n != res.Visits {
		t.Fatalf("%d visits, result says %d", n, res.Visits)
	}
	if n := countRows(t, s, "visitors"); n != res.Visitors {
		t.Fatalf("%d visitors, result says %d", n, res.Visitors)
	}

	days := []string{"2026-11-21", "2026-11-22", "2026-11-23"}
	for _, day := range days {
		var visits, returns, events, joins, unassigned int
		mustOK(t, s.db.QueryRow(`SELECT count(*), count(*) FILTER (WHERE kind = 'return'), count(*) FILTER (WHERE consultant_id IS NULL) FROM visits WHERE day = ?`, day).
			Scan(&visits, &returns, &unassigned))
		mustOK(t, s.db.QueryRow(`SELECT count(*), count(*) FILTER (WHERE action = 'join') FROM rotation_events WHERE day = ?`, day).Scan(&events, &joins))
		if visits == 0 || events <= joins || joins != len(demoConsultants)-1 || unassigned != 0 {
			t.Fatalf("%s: %d visits, %d rotation events, %d joins, %d unassigned", day, visits, events, joins, unassigned)
		}
		if day != days[0] && returns == 0 {
			t.Fatalf("%s: no return visits", day)
		}
		var present int
		mustOK(t, s.db.QueryRow(`SELECT count(*) FROM visits WHERE day = ? AND left_at IS NULL`, day).Scan(&present))
		if day != "2026-11-23" && present != 0 {
			t.Fatalf("%s: %d visitors never left", day, present)
		}
		// Stored days agree with arrival times in the office's zone.
		var wrongDay int
		rows, err := s.db.Query(`SELECT arrived_at FROM visits WHERE day = ?`, day)
		mustOK(t, err)
		for rows.Next() {
			var at int64
			rows.Scan(&at)
			if s.Day(fromMS(at)) != day {
				wrongDay++
			}
		}
		rows.Close()
		if wrongDay > 0 {
			t.Fatalf("%s: %d visits arrived on another day", day, wrongDay)
		}
	}
	var total int
	mustOK(t, s.db.QueryRow(`SELECT count(*) FROM visits WHERE day IN (?, ?, ?)`, days[0], days[1], days[2]).Scan(&total))
	if total != res.Visits {
		t.Fatalf("%d visits on the 3 days, %d in all", total, res.Visits)
	}
	// Every return visit is by a visitor first seen earlier.
	var orphans int
	mustOK(t, s.db.QueryRow(`SELECT count(*) FROM visits r WHERE r.kind = 'return' AND NOT EXISTS
		(SELECT 1 FROM visits f WHERE f.visitor_id = r.visitor_id AND f.kind = 'first' AND f.arrived_at < r.arrived_at)`).Scan(&orphans))
	if orphans != 0 {
		t.Fatalf("%d return visits without an earlier first visit", orphans)
	}
	// Nothing is in the future.
	for _, q := range []string{
		`SELECT count(*) FROM visits WHERE arrived_at > ?1 OR assigned_at > ?1 OR handed_over_at > ?1 OR left_at > ?1`,
		`SELECT count(*) FROM visit_events WHERE created_at > ?`,
		`SELECT count(*) FROM rotation_events WHERE created_at > ?`,
		`SELECT count(*) FROM outbox WHERE created_at > ?`,
	} {
		var n int
		mustOK(t, s.db.QueryRow(q, ms(now)).Scan(&n))
		if n != 0 {
			t.Errorf("%d rows after now: %s", n, q)
		}
	}
	var checkins int
	mustOK(t, s.db.QueryRow(`SELECT count(*) FROM outbox WHERE mutation = ?`, MutVisitCheckIn).Scan(&checkins))
	if checkins != res.Visits {
		t.Fatalf("%d check-ins in the outbox, %d visits", checkins, res.Visits)
	}

	b, err := s.Board(ctx, s.Today(), BoardFilter{})
	mustOK(t, err)
	var today int
	mustOK(t, s.db.QueryRow(`SELECT count(*) FROM visits WHERE day = '2026-11-23'`).Scan(&today))
	f := b.Figures
	if f.Visits != today || len(b.Rows) != today || f.First+f.Return != f.Visits || f.Present > f.Visits || f.Waiting > f.Present || f.AvgWait <= 0 {
		t.Fatalf("today's board: %d rows, figures %+v, %d visits", len(b.Rows), f, today)
	}
	for _, r := range b.Rows {
		if r.ArrivedAt.After(now) || r.Wait(now) < 0 || r.ArrivedAt.In(s.Location()).Hour() < 9 {
			t.Fatalf("row %+v", r)
		}
	}
	q, err := s.Rotation(ctx, s.Today())
	mustOK(t, err)
	if len(q) != len(demoConsultants)-1 {
		t.Fatalf("today's queue has %d consultants", len(q))
	}
	log, err := s.RotationLog(ctx, s.Today(), 1000)
	mustOK(t, err)
	for _, e := range log {
		if e.At.After(now) || e.ConsultantName == "" {
			t.Fatalf("log entry %+v", e)
		}
	}
}

// TestLoadDemoEarly: loading the demo before the office opens makes no
// visits today and nothing in the future.
func TestLoadDemoEarly(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	now := time.Date(2026, 11, 23, 8, 50, 0, 0, shanghai)
	s, _ := openFresh(t, now)
	_, err := s.LoadDemo(ctx, DemoOptions{Days: 2, PerDay: 10, Seed: 1})
	mustOK(t, err)
	var today, future int
	mustOK(t, s.db.QueryRow(`SELECT count(*) FROM visits WHERE day = '2026-11-23'`).Scan(&today))
	mustOK(t, s.db.QueryRow(`SELECT count(*) FROM rotation_events WHERE created_at > ?`, ms(now)).Scan(&future))
	if today != 0 || future != 0 {
		t.Fatalf("%d visits today, %d rotation events after now", today, future)
	}
}

// TestDemoVisitJustBeforeNow: a visitor who arrived seconds ago is not
// assigned in the future.
func TestDemoVisitJustBeforeNow(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	now := time.Date(2026, 11, 23, 15, 0, 0, 0, shanghai)
	s, _ := openFresh(t, now)
	res, err := s.LoadDemo(ctx, DemoOptions{Days: 1, PerDay: 1, Seed: 3})
	mustOK(t, err)
	consultants := []Staff{}
	all, _ := s.ListStaff(ctx, false)
	for _, st := range all {
		if st.Role == RoleConsultant {
			consultants = append(consultants, st)
		}
	}
	srcs, _ := s.Sources(ctx)
	dev, off, _ := s.ids()
	for seed := range uint64(20) {
		g := &demoGen{s: s, rng: rand.New(rand.NewPCG(seed, seed)), consultants: consultants, sources: srcs, by: res.AdminID}
		err := s.tx(ctx, func(tx *txn) error {
			mk := func(at time.Time) stamp { return stamp{id: newIDAt(at), office: off.ID, device: dev.ID, at: ms(at)} }
			_, err := g.visit(ctx, tx, mk, now.Add(-5*time.Second), "2026-11-23", true, now)
			return err
		})
		mustOK(t, err)
	}
	var future int
	mustOK(t, s.db.QueryRow(`SELECT count(*) FROM visit_events WHERE created_at > ?`, ms(now)).Scan(&future))
	var futureAssign int
	mustOK(t, s.db.QueryRow(`SELECT count(*) FROM visits WHERE assigned_at > ?`, ms(now)).Scan(&futureAssign))
	if future != 0 || futureAssign != 0 {
		t.Fatalf("%d visit events and %d assignments after now", future, futureAssign)
	}
}

// TestLoadDemoIntoAnOfficeAtWork: the demo can be loaded from the menu into
// an office whose consultants are already on duty today, and twice.
func TestLoadDemoIntoAnOfficeAtWork(t *testing.T) {
	s, admin, _ := newTestStore(t)
	ctx := context.Background()
	c := mustStaff(t, s, admin, "陈思远", RoleConsultant, "")
	mustOK(t, s.RotationAction(ctx, admin.ID, c.ID, RotJoin))
	first, err := s.LoadDemo(ctx, DemoOptions{Days: 2, PerDay: 10, Seed: 1})
	mustOK(t, err)
	second, err := s.LoadDemo(ctx, DemoOptions{Days: 2, PerDay: 10, Seed: 2})
	mustOK(t, err)
	if first.Visits == 0 || second.Visits == 0 {
		t.Fatalf("visits %d then %d", first.Visits, second.Visits)
	}
	if n := countRows(t, s, "visits"); n != first.Visits+second.Visits {
		t.Fatalf("visits table has %d rows, want %d", n, first.Visits+second.Visits)
	}
}

// TestLoadDemoInspections: the demo has a signed handover a week old whose
// three defects are repair tickets, its re-inspection today with one defect
// fixed, and another unit in progress; loading it again adds none.
func TestLoadDemoInspections(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	now := time.Date(2026, 11, 23, 15, 0, 0, 0, shanghai)
	s, _ := openFresh(t, now)
	res, err := s.LoadDemo(ctx, DemoOptions{Days: 2, PerDay: 10, Seed: 3})
	mustOK(t, err)
	if res.Inspections != 3 {
		t.Fatalf("%d demo inspections", res.Inspections)
	}
	list, err := s.ListInspections(ctx, res.AdminID, InspectionFilter{})
	mustOK(t, err)
	var done *Inspection
	open := 0
	for i, in := range list {
		if in.Status == InspectionCompleted {
			done = &list[i]
		} else {
			open++
		}
	}
	if done == nil || open != 2 || done.Date != "2026-11-16" {
		t.Fatalf("inspections %+v", list)
	}
	st, err := s.InspectionDetail(ctx, res.AdminID, done.ID)
	mustOK(t, err)
	if st.Completion == nil || len(st.Completion.OwnerSignature) == 0 || len(st.Completion.StaffSignature) == 0 || st.Keys["door"] != 3 {
		t.Fatalf("completed inspection %+v", st.Completion)
	}
	tickets, err := s.DefectTickets(ctx, res.AdminID, done.ID)
	mustOK(t, err)
	if len(tickets) != 3 {
		t.Fatalf("%d defects", len(tickets))
	}
	for _, d := range tickets {
		if d.TicketNumber == "" {
			t.Fatalf("defect %q has no repair ticket", d.Description)
		}
	}
	again, err := s.LoadDemo(ctx, DemoOptions{Days: 1, PerDay: 5, Seed: 4})
	mustOK(t, err)
	if again.Inspections != 0 || countRows(t, s, "inspections") != 3 {
		t.Fatalf("second demo added %d inspections", again.Inspections)
	}
}

// TestLoadDemoCareRevisits: recent signings have their revisits, most of
// those already due were made inside their window, none in the future.
func TestLoadDemoCareRevisits(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	now := time.Date(2026, 11, 23, 15, 0, 0, 0, shanghai)
	s, _ := openFresh(t, now)
	res, err := s.LoadDemo(ctx, DemoOptions{Days: 21, PerDay: 30, Seed: 9})
	mustOK(t, err)
	all, err := s.CareRevisits(ctx, res.AdminID, CareFilterAll, CareSigning)
	mustOK(t, err)
	var ended, made int
	for _, r := range all {
		if !r.To.After(now) {
			ended++
		}
		if r.Result == nil {
			continue
		}
		made++
		if r.Result.At.Before(r.From) || r.Result.At.After(r.To) || r.Result.At.After(now) {
			t.Fatalf("revisit made at %v, window %v – %v", r.Result.At, r.From, r.To)
		}
	}
	if len(all) == 0 || ended == 0 || made*2 < ended {
		t.Fatalf("%d signing revisits, %d ended, %d made", len(all), ended, made)
	}
}

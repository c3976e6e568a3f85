package data

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"
)

func TestReturningVisitor(t *testing.T) {
	t.Parallel()
	s, admin, clk := newTestStore(t)
	ctx := context.Background()
	a := mustStaff(t, s, admin, "甲", RoleConsultant, "")
	b := mustStaff(t, s, admin, "乙", RoleConsultant, "")

	first := mustCheckIn(t, s, admin.ID, desk(t, s, "王芳", "13812345678"))
	if first.Kind != KindFirst || first.VisitorID == "" || first.Phone != "+8613812345678" || first.ConsultantID != "" {
		t.Fatalf("first visit %+v", first)
	}
	mustOK(t, s.Assign(ctx, admin.ID, first.ID, a.ID))

	// The same number typed differently, on later days, with other names and consultants.
	typed := []struct {
		phone, name, consultant string
		purpose                 Purpose
	}{
		{"138 1234 5678", "王芳", "", PurposeConsultation},
		{"+86 138 1234 5678", "王女士", b.ID, PurposeSigning},
		{"138-1234-5678", "王芳", a.ID, PurposeHandover},
		{"008613812345678", "王芳", "", PurposeComplaint},
		{"(138) 1234-5678", "王芳", b.ID, PurposeOther},
		{"+8613812345678", "王芳", a.ID, PurposeViewing},
	}
	visits := []Visit{first}
	for i, tt := range typed {
		clk.Advance(24*time.Hour + time.Duration(i)*time.Minute)
		in := desk(t, s, tt.name, tt.phone)
		in.Purpose, in.ConsultantID = tt.purpose, tt.consultant
		v := mustCheckIn(t, s, admin.ID, in)
		if v.Kind != KindReturn || v.VisitorID != first.VisitorID || v.Phone != "+8613812345678" || v.Name != tt.name {
			t.Fatalf("visit %d (%q): %+v", i, tt.phone, v)
		}
		visits = append(visits, v)
	}
	if n := countRows(t, s, "visitors"); n != 1 {
		t.Fatalf("%d visitors, want 1", n)
	}

	for _, typedAs := range []string{"13812345678", " 138 1234 5678 ", "+86-138-1234-5678", "008613812345678"} {
		r, ok, err := s.LookupPhone(ctx, typedAs)
		if err != nil || !ok {
			t.Fatalf("lookup %q: ok=%v err=%v", typedAs, ok, err)
		}
		if r.VisitorID != first.VisitorID || r.Name != "王芳" || r.ConsultantID != a.ID || r.ConsultantName != "甲" || r.Visits != 7 {
			t.Fatalf("lookup %q: %+v", typedAs, r)
		}
		if len(r.Recent) != 5 {
			t.Fatalf("%d recent visits, want 5", len(r.Recent))
		}
		// Newest first: the last five check-ins in reverse.
		wantNames := []string{"甲", "乙", "", "甲", "乙"}
		for i, pv := range r.Recent {
			v := visits[len(visits)-1-i]
			if !pv.ArrivedAt.Equal(v.ArrivedAt) || pv.Purpose != v.Purpose || pv.ConsultantName != wantNames[i] {
				t.Fatalf("recent[%d] = %+v, want %v %s %q", i, pv, v.ArrivedAt, v.Purpose, wantNames[i])
			}
		}
		if !slices.IsSortedFunc(r.Recent, func(x, y PastVisit) int { return y.ArrivedAt.Compare(x.ArrivedAt) }) {
			t.Fatal("recent visits not newest first")
		}
	}

	for _, unknown := range []string{"13900000000", "abc", "", "+86 010 1234 5678", "12345"} {
		r, ok, err := s.LookupPhone(ctx, unknown)
		if err != nil || ok || r.VisitorID != "" {
			t.Fatalf("lookup %q: %+v ok=%v err=%v", unknown, r, ok, err)
		}
	}
}

func TestReturningVisitorWithoutConsultant(t *testing.T) {
	t.Parallel()
	s, admin, _ := newTestStore(t)
	ctx := context.Background()
	v1 := mustCheckIn(t, s, admin.ID, desk(t, s, "王芳", "13812345678"))
	v2 := mustCheckIn(t, s, admin.ID, desk(t, s, "王芳", "138 1234 5678"))
	if v2.Kind != KindReturn || v2.VisitorID != v1.VisitorID {
		t.Fatalf("second visit %+v", v2)
	}
	r, ok, err := s.LookupPhone(ctx, "13812345678")
	if err != nil || !ok || r.ConsultantID != "" || r.ConsultantName != "" || r.Visits != 2 || len(r.Recent) != 2 {
		t.Fatalf("lookup %+v %v %v", r, ok, err)
	}
	// The first consultant to take the customer becomes theirs.
	c := mustStaff(t, s, admin, "甲", RoleConsultant, "")
	mustOK(t, s.Assign(ctx, admin.ID, v2.ID, c.ID))
	r, _, _ = s.LookupPhone(ctx, "13812345678")
	if r.ConsultantID != c.ID || r.ConsultantName != "甲" {
		t.Fatalf("owner after assign %+v", r)
	}
}

func TestCheckInActors(t *testing.T) {
	t.Parallel()
	s, admin, _ := newTestStore(t)
	ctx := context.Background()
	recep := mustStaff(t, s, admin, "李静", RoleReceptionist, "135792")
	cons := mustStaff(t, s, admin, "甲", RoleConsultant, "")

	kiosk := CheckInInput{Name: "王", Title: TitleMs, Phone: "13812345678", Purpose: PurposeViewing, Consent: true, Via: ViaKiosk}
	v, err := s.CheckIn(ctx, "", kiosk)
	mustOK(t, err)
	if v.Via != ViaKiosk || v.CreatedBy != "" || v.SourceID != "" || v.PartySize != 1 || v.ConsentVersion != ConsentVersion {
		t.Fatalf("kiosk visit %+v", v)
	}
	var createdBy, source any
	mustOK(t, s.db.QueryRow(`SELECT created_by, source_id FROM visits WHERE id = ?`, v.ID).Scan(&createdBy, &source))
	if createdBy != nil || source != nil {
		t.Fatalf("kiosk visit created_by %v source %v, want NULL", createdBy, source)
	}
	v, err = s.CheckIn(ctx, recep.ID, desk(t, s, "李雷", "13900000001"))
	mustOK(t, err)
	if v.CreatedBy != recep.ID || v.Via != ViaDesk {
		t.Fatalf("desk visit %+v", v)
	}

	before := snapshotCounts(t, s)
	_, err = s.CheckIn(ctx, "", desk(t, s, "李雷", "13900000002")) // desk form without a signed-in actor
	wantCode(t, err, EFORBIDDEN)
	_, err = s.CheckIn(ctx, cons.ID, desk(t, s, "李雷", "13900000002"))
	wantCode(t, err, EFORBIDDEN)
	_, err = s.CheckIn(ctx, "no-such-staff", desk(t, s, "李雷", "13900000002"))
	wantCode(t, err, ENOTFOUND)
	wantUnchanged(t, s, before)
}

func TestVisitEvents(t *testing.T) {
	t.Parallel()
	s, admin, clk := newTestStore(t)
	ctx := context.Background()
	a := mustStaff(t, s, admin, "甲", RoleConsultant, "")
	b := mustStaff(t, s, admin, "乙", RoleConsultant, "")
	recep := mustStaff(t, s, admin, "李静", RoleReceptionist, "135792")
	gone := mustStaff(t, s, admin, "丙", RoleConsultant, "")
	mustOK(t, s.UpdateStaff(ctx, admin.ID, gone.ID, StaffInput{Name: "丙", Role: RoleConsultant}, false))

	arrived := clk.Now()
	v := mustCheckIn(t, s, admin.ID, desk(t, s, "王芳", "13812345678"))
	steps := []struct {
		name    string
		advance time.Duration
		do      func() error
		code    string
		key     string
	}{
		{"hand over unassigned", 0, func() error { return s.HandOver(ctx, admin.ID, v.ID, AreaSandTable) }, ECONFLICT, "err.visit.unassigned"},
		{"assign receptionist", 0, func() error { return s.Assign(ctx, admin.ID, v.ID, recep.ID) }, EINVALID, "err.consultant.invalid"},
		{"assign inactive", 0, func() error { return s.Assign(ctx, admin.ID, v.ID, gone.ID) }, EINVALID, "err.consultant.invalid"},
		{"assign unknown", 0, func() error { return s.Assign(ctx, admin.ID, v.ID, "nobody") }, ENOTFOUND, "err.staff.not_found"},
		{"consultant may not assign", 0, func() error { return s.Assign(ctx, a.ID, v.ID, a.ID) }, EFORBIDDEN, "err.forbidden"},
		{"unknown visit", 0, func() error { return s.Assign(ctx, admin.ID, "nope", a.ID) }, ENOTFOUND, "err.visit.not_found"},
		{"assign", 3 * time.Minute, func() error { return s.Assign(ctx, admin.ID, v.ID, a.ID) }, "", ""},
		{"assign same again is a no-op", 0, func() error { return s.Assign(ctx, admin.ID, v.ID, a.ID) }, "", ""},
		{"reassign before hand-over", time.Minute, func() error { return s.Assign(ctx, admin.ID, v.ID, b.ID) }, "", ""},
		{"hand over bad area", 0, func() error { return s.HandOver(ctx, admin.ID, v.ID, "lobby") }, EINVALID, "err.field.choose"},
		{"hand over", 8*time.Minute + 30*time.Second, func() error { return s.HandOver(ctx, recep.ID, v.ID, AreaSandTable) }, "", ""},
		{"hand over twice", time.Minute, func() error { return s.HandOver(ctx, admin.ID, v.ID, AreaNegotiation) }, ECONFLICT, "err.visit.handed_over"},
		{"assign after hand-over", 0, func() error { return s.Assign(ctx, admin.ID, v.ID, a.ID) }, ECONFLICT, "err.visit.handed_over"},
		{"move to bad area", 0, func() error { return s.MoveArea(ctx, admin.ID, v.ID, "") }, EINVALID, "err.field.choose"},
		{"move to unknown area", 0, func() error { return s.MoveArea(ctx, admin.ID, v.ID, "roof") }, EINVALID, "err.field.choose"},
		{"move area", 10 * time.Minute, func() error { return s.MoveArea(ctx, admin.ID, v.ID, AreaShowUnit) }, "", ""},
		{"consultant may not check out", 0, func() error { return s.CheckOut(ctx, a.ID, v.ID) }, EFORBIDDEN, "err.forbidden"},
		{"check out", 30 * time.Minute, func() error { return s.CheckOut(ctx, admin.ID, v.ID) }, "", ""},
		{"check out twice", time.Minute, func() error { return s.CheckOut(ctx, admin.ID, v.ID) }, ECONFLICT, "err.visit.left"},
		{"move after leaving", 0, func() error { return s.MoveArea(ctx, admin.ID, v.ID, AreaSandTable) }, ECONFLICT, "err.visit.left"},
		{"hand over after leaving", 0, func() error { return s.HandOver(ctx, admin.ID, v.ID, AreaSandTable) }, ECONFLICT, "err.visit.left"},
		{"assign after leaving", 0, func() error { return s.Assign(ctx, admin.ID, v.ID, a.ID) }, ECONFLICT, "err.visit.left"},
	}
	for _, st := range steps {
		clk.Advance(st.advance)
		before := snapshotCounts(t, s)
		err := st.do()
		if st.code == "" {
			if err != nil {
				t.Fatalf("%s: %v", st.name, err)
			}
			continue
		}
		e, ok := AsError(err)
		if !ok || e.Code != st.code || e.Key != st.key {
			t.Fatalf("%s: %v, want %s %s", st.name, err, st.code, st.key)
		}
		wantUnchanged(t, s, before)
	}

	// The recorded events, in order, with their consultant and area.
	rows, err := s.db.Query(`SELECT kind, COALESCE(consultant_id, ''), area, created_at, COALESCE(created_by, '') FROM visit_events WHERE visit_id = ? ORDER BY created_at, id`, v.ID)
	mustOK(t, err)
	type ev struct {
		kind, consultant, area string
		at                     time.Duration // since arrival
		by                     string
	}
	var got []ev
	for rows.Next() {
		var e ev
		var at int64
		mustOK(t, rows.Scan(&e.kind, &e.consultant, &e.area, &at, &e.by))
		e.at = fromMS(at).Sub(arrived)
		got = append(got, e)
	}
	rows.Close()
	want := []ev{
		{"assign", a.ID, "", 3 * time.Minute, admin.ID},
		{"assign", b.ID, "", 4 * time.Minute, admin.ID},
		{"handover", b.ID, "sand_table", 12*time.Minute + 30*time.Second, recep.ID},
		{"area", "", "show_unit", 23*time.Minute + 30*time.Second, admin.ID},
		{"checkout", "", "", 53*time.Minute + 30*time.Second, admin.ID},
	}
	if !slices.Equal(got, want) {
		t.Fatalf("events\n got %+v\nwant %+v", got, want)
	}

	d, err := s.VisitDetail(ctx, admin.ID, v.ID)
	mustOK(t, err)
	if d.ConsultantID != b.ID || d.ConsultantName != "乙" || d.Area != AreaShowUnit ||
		d.AssignedAt.Sub(arrived) != 4*time.Minute || d.HandedOverAt.Sub(arrived) != 12*time.Minute+30*time.Second ||
		d.LeftAt.Sub(arrived) != 53*time.Minute+30*time.Second {
		t.Fatalf("detail %+v", d)
	}
	// Wait = hand-over − arrival, whatever the time now.
	board, err := s.Board(ctx, s.Today(), BoardFilter{})
	mustOK(t, err)
	if len(board.Rows) != 1 {
		t.Fatalf("%d board rows", len(board.Rows))
	}
	row := board.Rows[0]
	for _, now := range []time.Time{clk.Now(), clk.Now().Add(5 * time.Hour), arrived} {
		if w := row.Wait(now); w != 12*time.Minute+30*time.Second {
			t.Fatalf("wait %v at %v", w, now)
		}
	}
	// The figure is rounded to the minute, as the daily log prints it (WaitTotal).
	if row.Status() != BoardLeft || board.Figures.AvgWait != 13*time.Minute {
		t.Fatalf("row status %s, avg wait %v", row.Status(), board.Figures.AvgWait)
	}
}

func TestBoardRowWait(t *testing.T) {
	arr := time.Date(2026, 11, 23, 10, 0, 0, 0, shanghai)
	now := arr.Add(time.Hour)
	tests := []struct {
		name         string
		handed, left time.Duration // after arrival; 0 = not yet
		status       string
		wait         time.Duration
	}{
		{"waiting", 0, 0, BoardWaiting, time.Hour},
		{"serving", 7 * time.Minute, 0, BoardServing, 7 * time.Minute},
		{"left after hand-over", 7 * time.Minute, 40 * time.Minute, BoardLeft, 7 * time.Minute},
		{"left while waiting", 0, 20 * time.Minute, BoardLeft, 20 * time.Minute},
	}
	for _, tt := range tests {
		r := BoardRow{ArrivedAt: arr}
		if tt.handed > 0 {
			r.HandedOverAt = arr.Add(tt.handed)
		}
		if tt.left > 0 {
			r.LeftAt = arr.Add(tt.left)
		}
		if r.Status() != tt.status || r.Wait(now) != tt.wait {
			t.Errorf("%s: status %s wait %v, want %s %v", tt.name, r.Status(), r.Wait(now), tt.status, tt.wait)
		}
	}
}

func TestVisitDetailPhone(t *testing.T) {
	t.Parallel()
	s, admin, _ := newTestStore(t)
	ctx := context.Background()
	a := mustStaff(t, s, admin, "甲", RoleConsultant, "")
	b := mustStaff(t, s, admin, "乙", RoleConsultant, "")
	recep := mustStaff(t, s, admin, "李静", RoleReceptionist, "135792")
	in := desk(t, s, "王芳", "13812345678")
	in.ConsultantID = a.ID
	v := mustCheckIn(t, s, admin.ID, in)
	for _, tt := range []struct {
		actor, phone string
	}{
		{admin.ID, "+8613812345678"},
		{recep.ID, "+8613812345678"},
		{a.ID, "+8613812345678"},
		{b.ID, "138****5678"},
	} {
		d, err := s.VisitDetail(ctx, tt.actor, v.ID)
		mustOK(t, err)
		if d.Phone != tt.phone {
			t.Errorf("actor %s sees %q, want %q", tt.actor, d.Phone, tt.phone)
		}
	}
	_, err := s.VisitDetail(ctx, admin.ID, "nope")
	wantCode(t, err, ENOTFOUND)

	// The customer comes back and 乙 serves them: 甲 still owns the
	// customer and sees the number; 乙 sees it while serving.
	in2 := desk(t, s, "王芳", "13812345678")
	in2.ConsultantID = b.ID
	v2 := mustCheckIn(t, s, admin.ID, in2)
	c := mustStaff(t, s, admin, "丙", RoleConsultant, "")
	for _, tt := range []struct {
		actor, phone string
	}{
		{a.ID, "+8613812345678"},
		{b.ID, "+8613812345678"},
		{c.ID, "138****5678"},
	} {
		d, err := s.VisitDetail(ctx, tt.actor, v2.ID)
		mustOK(t, err)
		if d.Phone != tt.phone {
			t.Errorf("return visit: actor %s sees %q, want %q", tt.actor, d.Phone, tt.phone)
		}
	}
}

// TestConcurrentCheckIns: write transactions are serialised (BEGIN
// IMMEDIATE), so desks checking in the same new number at once make one
// visitor, and every change keeps its outbox rows.
func TestConcurrentCheckIns(t *testing.T) {
	t.Parallel()
	s, admin, _ := newTestStore(t)
	ctx := context.Background()
	for _, n := range []string{"甲", "乙", "丙"} {
		c := mustStaff(t, s, admin, n, RoleConsultant, "")
		mustOK(t, s.RotationAction(ctx, admin.ID, c.ID, RotJoin))
	}
	before := countRows(t, s, "outbox")
	form := desk(t, s, "王芳", "") // built here: t.Fatal may not run in the workers
	form.AutoAssign = true
	const workers, each = 6, 5
	errs := make(chan error, workers*each)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				phone := "13812345678" // everyone's first check-in is the same new visitor
				if i > 0 {
					phone = testPhone(w*100 + i)
				}
				in := form
				in.Phone = phone
				_, err := s.CheckIn(ctx, admin.ID, in)
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		mustOK(t, err)
	}
	var visitors, first, ret int
	mustOK(t, s.db.QueryRow(`SELECT count(*) FROM visitors WHERE phone = '+8613812345678'`).Scan(&visitors))
	mustOK(t, s.db.QueryRow(`SELECT count(*) FILTER (WHERE kind = 'first'), count(*) FILTER (WHERE kind = 'return') FROM visits v
		JOIN visitors p ON p.id = v.visitor_id WHERE p.phone = '+8613812345678'`).Scan(&first, &ret))
	if visitors != 1 || first != 1 || ret != workers-1 {
		t.Fatalf("same number at once: %d visitors, %d first, %d return visits", visitors, first, ret)
	}
	// Every assignment has its event and rotation action; three consultants
	// take three new visitors (an owner may take returns on top).
	var checkins, events, actions, maxSeq, n, assigned int
	mustOK(t, s.db.QueryRow(`SELECT count(*) FILTER (WHERE mutation = 'visit.checkin'), count(*) FILTER (WHERE mutation = 'visit.event'),
		count(*) FILTER (WHERE mutation = 'rotation.action'), max(seq), count(*) FROM outbox WHERE seq > ?`, before).Scan(&checkins, &events, &actions, &maxSeq, &n))
	mustOK(t, s.db.QueryRow(`SELECT count(*) FROM visits WHERE consultant_id IS NOT NULL`).Scan(&assigned))
	if checkins != workers*each || events != assigned || actions != assigned || assigned < 3 || maxSeq != before+n {
		t.Fatalf("outbox: %d check-ins, %d events, %d actions for %d assigned visits, max seq %d after %d (+%d)",
			checkins, events, actions, assigned, maxSeq, before, n)
	}
	q, err := s.Rotation(ctx, s.Today())
	mustOK(t, err)
	served := 0
	for _, e := range q {
		served += e.Served
	}
	if served != assigned {
		t.Fatalf("rotation served %d, %d visits assigned", served, assigned)
	}
}

package data

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
)

// ticketStaff are the people of the ticket tests.
type ticketStaff struct {
	admin, recep, recep2, sup, cons Staff
}

func newTicketStore(t testing.TB) (*Store, ticketStaff, *testClock) {
	t.Helper()
	s, admin, clk := newTestStore(t)
	p := ticketStaff{admin: admin,
		recep:  mustStaff(t, s, admin, "李静", RoleReceptionist, "135792"),
		recep2: mustStaff(t, s, admin, "王敏", RoleReceptionist, "246813"),
		sup:    mustStaff(t, s, admin, "赵主管", RoleSupervisor, "369014"),
		cons:   mustStaff(t, s, admin, "陈顾问", RoleConsultant, "4812")}
	return s, p, clk
}

func complaint(phone int) TicketInput {
	return TicketInput{Kind: TicketComplaint, Category: CatEngineering, Severity: SeverityGeneral,
		Project: "星河湾", Building: "3栋", Unit: "1502", Subject: "工程部",
		Description: "客厅墙面渗水，已三次报修未解决", Demand: "一周内修好并赔偿", CustomerName: "王芳", Phone: testPhone(phone)}
}

func mustOpen(t testing.TB, s *Store, actor string, in TicketInput) Ticket {
	t.Helper()
	tk, err := s.OpenTicket(context.Background(), actor, in)
	if err != nil {
		t.Fatalf("open ticket: %v", err)
	}
	return tk
}

func mustEvent(t testing.TB, s *Store, actor, id string, ev TicketEvent) Ticket {
	t.Helper()
	tk, err := s.AddTicketEvent(context.Background(), actor, id, ev)
	if err != nil {
		t.Fatalf("%s: %v", ev.Kind, err)
	}
	return tk
}

// TestTicketTransitionTable checks every state × event pair against the
// table written out by hand ("-" = refused).
func TestTicketTransitionTable(t *testing.T) {
	events := []string{EvAcknowledged, EvAssigned, EvEscalated, EvResponded, EvResolved, EvRevisitScheduled, EvRevisited, EvClosed, EvReopened, EvNote, EvOpened}
	want := map[TicketState]string{
		//               ack          assign       esc          resp       resol     rsched      rvisit     close  reopen       note         opened
		StateOpen:         "acknowledged open open responded resolved - - - - open -",
		StateAcknowledged: "- acknowledged acknowledged responded resolved - - closed - acknowledged -",
		StateResponded:    "- responded responded responded resolved - - closed - responded -",
		StateResolved:     "- resolved resolved - - revisit_due revisited closed acknowledged resolved -",
		StateRevisitDue:   "- revisit_due revisit_due - - revisit_due revisited closed acknowledged revisit_due -",
		StateRevisited:    "- revisited revisited - - - - closed acknowledged revisited -",
		StateClosed:       "- - - - - - - - acknowledged closed -",
	}
	now := at("2026-11-23 10:00")
	for _, from := range TicketStates {
		cells := strings.Fields(want[from])
		if len(cells) != len(events) {
			t.Fatalf("%s: %d cells", from, len(cells))
		}
		for i, kind := range events {
			// A well-formed payload for each kind; close gives a reason allowed from every state that closes at all.
			ev := TicketEvent{Kind: kind, At: now, To: "st", Level: 1, Satisfaction: 4, Reason: CloseBeyondAuthority, From: now, Due: now.Add(time.Hour)}
			got, err := NextTicketState(TicketComplaint, from, ev)
			switch {
			case cells[i] == "-" && err == nil:
				t.Errorf("%s + %s = %s, want refused", from, kind, got)
			case cells[i] == "-":
				e, ok := AsError(err)
				if !ok || !strings.HasPrefix(e.Key, "err.ticket.") {
					t.Errorf("%s + %s: untranslated error %v", from, kind, err)
				}
			case err != nil:
				t.Errorf("%s + %s: %v, want %s", from, kind, err, cells[i])
			case string(got) != cells[i]:
				t.Errorf("%s + %s = %s, want %s", from, kind, got, cells[i])
			}
		}
	}
	// Only "opened" starts a ticket.
	if st, err := NextTicketState(TicketComplaint, "", TicketEvent{Kind: EvOpened}); err != nil || st != StateOpen {
		t.Fatalf("open: %s %v", st, err)
	}
	_, err := NextTicketState(TicketComplaint, "", TicketEvent{Kind: EvNote})
	wantKey(t, err, ECONFLICT, "err.ticket.not_opened")
}

func TestTicketCloseReasons(t *testing.T) {
	for _, tt := range []struct {
		kind, reason string
		from         TicketState
		ok           bool
	}{
		{TicketComplaint, CloseSatisfied, StateRevisited, true},
		{TicketComplaint, CloseSatisfied, StateResolved, false}, // a complaint needs its revisit
		{TicketComplaint, CloseSatisfied, StateRevisitDue, false},
		{TicketInquiry, CloseSatisfied, StateResolved, true}, // no revisit required
		{TicketSuggestion, CloseSatisfied, StateResolved, true},
		{TicketRepair, CloseSatisfied, StateResolved, false},
		{TicketComplaint, CloseInvalid, StateOpen, true},
		{TicketComplaint, CloseInvalid, StateRevisited, false},
		{TicketComplaint, CloseLawfulDisagrees, StateOpen, false},
		{TicketComplaint, CloseLawfulDisagrees, StateRevisitDue, true},
		{TicketComplaint, CloseBeyondAuthority, StateResponded, true},
		{TicketComplaint, "tired", StateRevisited, false},
	} {
		_, err := NextTicketState(tt.kind, tt.from, TicketEvent{Kind: EvClosed, Reason: tt.reason})
		if (err == nil) != tt.ok {
			t.Errorf("%s %s from %s: %v, want ok=%v", tt.kind, tt.reason, tt.from, err, tt.ok)
		}
	}
	for _, ev := range []TicketEvent{{Kind: EvRevisited, Satisfaction: 0}, {Kind: EvRevisited, Satisfaction: 6}} {
		_, err := NextTicketState(TicketComplaint, StateRevisitDue, ev)
		wantKey(t, err, EINVALID, "err.ticket.satisfaction")
	}
	_, err := NextTicketState(TicketComplaint, StateOpen, TicketEvent{Kind: EvEscalated, Level: 3})
	wantKey(t, err, EINVALID, "err.ticket.level")
	_, err = NextTicketState(TicketComplaint, StateOpen, TicketEvent{Kind: "shout"})
	wantKey(t, err, EINVALID, "err.ticket.event_kind")
}

func TestDeriveTicket(t *testing.T) {
	t0 := at("2026-11-23 10:00")
	h := func(n int) time.Time { return t0.Add(time.Duration(n) * time.Hour) }
	f := false
	evs := []TicketEvent{
		{Kind: EvOpened, At: t0, By: "a"},
		{Kind: EvAcknowledged, At: h(1), By: "a"},
		{Kind: EvEscalated, At: h(2), Level: 1},
		{Kind: EvResponded, At: h(3)},
		{Kind: EvResponded, At: h(4)},
		{Kind: EvAssigned, At: h(5), To: "b"},
		{Kind: EvResolved, At: h(6)},
		{Kind: EvRevisitScheduled, At: h(6), From: h(6), Due: h(78)},
		{Kind: EvRevisited, At: h(30), Satisfaction: 2},
		{Kind: EvEscalated, At: h(30), Level: 2},
		{Kind: EvReopened, At: h(30)},
		{Kind: EvNote, At: h(31), Note: "约周六上门"},
	}
	for i := range evs {
		evs[i].Seq = i + 1
	}
	st, err := DeriveTicket(TicketComplaint, evs)
	mustOK(t, err)
	if st.State != StateAcknowledged || st.OwnerID != "b" || st.Escalation != 2 || !st.Responded.Equal(h(3)) || !st.Resolved.Equal(h(6)) ||
		!st.RevisitTo.Equal(h(78)) || st.Satisfaction != 2 || st.Reopened != 1 || !st.Valid || st.LastSeq != 12 || !st.LastEventAt.Equal(h(31)) {
		t.Fatalf("derived %+v", st)
	}
	// Closing as invalid marks it invalid; an invalid opening too.
	inv := []TicketEvent{{Seq: 1, Kind: EvOpened, At: t0, By: "a", Valid: &f}, {Seq: 2, Kind: EvClosed, At: h(1), Reason: CloseInvalid}}
	st, err = DeriveTicket(TicketComplaint, inv[:1])
	mustOK(t, err)
	if st.Valid {
		t.Fatal("opened invalid")
	}
	st, err = DeriveTicket(TicketComplaint, inv)
	mustOK(t, err)
	if st.State != StateClosed || st.CloseReason != CloseInvalid || st.Closed.IsZero() {
		t.Fatalf("closed %+v", st)
	}
	// Out of time order, or a refused transition, fails.
	bad := []TicketEvent{{Seq: 1, Kind: EvOpened, At: h(2)}, {Seq: 2, Kind: EvNote, At: h(1)}}
	_, err = DeriveTicket(TicketComplaint, bad)
	wantKey(t, err, EINVALID, "err.ticket.backdated")
	bad = []TicketEvent{{Seq: 1, Kind: EvOpened, At: t0}, {Seq: 2, Kind: EvRevisited, At: h(1), Satisfaction: 5}}
	_, err = DeriveTicket(TicketComplaint, bad)
	wantKey(t, err, ECONFLICT, "err.ticket.cannot.revisited")
}

func TestTicketDeadlinesOnTheCalendar(t *testing.T) {
	ctx := context.Background()
	s, p, clk := newTicketStore(t)
	for _, tt := range []struct {
		name                         string
		opened                       string
		kind, severity               string
		urgent                       bool
		entry, resp, esc, resolution string
	}{
		// Friday before the Spring Festival: 3 working days end after the holiday (and the make-up Saturday 02-14 counts).
		{"complaint before the Spring Festival", "2026-02-13 17:00", TicketComplaint, SeverityMinor, false,
			"2026-02-14 12:00", "2026-02-24 17:00", "-", "2026-02-24 17:00"},
		{"important complaint on the eve of National Day", "2026-09-30 17:30", TicketComplaint, SeverityImportant, false,
			"2026-10-08 12:30", "2026-10-09 17:30", "2026-09-30 18:30", "2026-10-10 17:30"}, // the make-up Saturday counts
		{"general complaint just before midnight", "2026-11-23 23:50", TicketComplaint, SeverityGeneral, false,
			"2026-11-24 13:00", "2026-11-24 18:00", "-", "2026-11-24 18:00"},
		{"repair on New Year's Eve", "2025-12-31 16:00", TicketRepair, SeverityGeneral, false,
			"2026-01-04 11:00", "2026-01-01 16:00", "-", "2026-01-06 16:00"},
		{"urgent repair in a holiday", "2026-10-03 11:00", TicketRepair, SeverityMajor, true,
			"2026-10-08 13:00", "2026-10-03 13:00", "2026-10-03 13:00", "2026-10-08 18:00"},
		{"inquiry 24 h", "2026-11-20 17:00", TicketInquiry, SeverityGeneral, false,
			"2026-11-23 12:00", "2026-11-20 18:00", "-", "2026-11-21 17:00"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			clk.t = at(tt.opened).Add(time.Minute)
			in := complaint(1)
			in.Kind, in.Severity, in.Urgent, in.OpenedAt = tt.kind, tt.severity, tt.urgent, at(tt.opened)
			tk, err := s.OpenTicket(ctx, p.recep.ID, in)
			mustOK(t, err)
			f := func(x time.Time) string {
				if x.IsZero() {
					return "-"
				}
				return x.In(shanghai).Format("2006-01-02 15:04")
			}
			got := []string{f(tk.Deadlines.Entry), f(tk.Deadlines.Response), f(tk.Deadlines.Escalation), f(tk.Deadlines.Resolution)}
			if want := []string{tt.entry, tt.resp, tt.esc, tt.resolution}; strings.Join(got, " | ") != strings.Join(want, " | ") {
				t.Fatalf("deadlines\n got %s\nwant %s", strings.Join(got, " | "), strings.Join(want, " | "))
			}
			if tk.Deadlines.PolicyVersion != 1 {
				t.Fatalf("policy version %d", tk.Deadlines.PolicyVersion)
			}
			if day := strings.ReplaceAll(tt.opened[:10], "-", ""); !strings.HasPrefix(tk.Number, "XHW-01-"+day+"-") {
				t.Fatalf("number %s", tk.Number)
			}
		})
	}
}

func TestTicketNumbersPerDay(t *testing.T) {
	s, p, clk := newTicketStore(t)
	a := mustOpen(t, s, p.recep.ID, complaint(1))
	b := mustOpen(t, s, p.recep.ID, complaint(2))
	clk.Advance(24 * time.Hour)
	c := mustOpen(t, s, p.recep.ID, complaint(3))
	if a.Number != "XHW-01-20261123-001" || b.Number != "XHW-01-20261123-002" || c.Number != "XHW-01-20261124-001" {
		t.Fatalf("numbers %s %s %s", a.Number, b.Number, c.Number)
	}
	got, err := s.TicketByNumber(context.Background(), p.recep.ID, " xhw-01-20261123-002 ")
	mustOK(t, err)
	if got.ID != b.ID {
		t.Fatal("by number")
	}
}

func TestSLAPolicyVersioning(t *testing.T) {
	ctx := context.Background()
	s, p, clk := newTicketStore(t)
	old := mustOpen(t, s, p.recep.ID, complaint(1))
	pol, err := s.SLAPolicy(ctx)
	mustOK(t, err)
	if pol.Version != 1 {
		t.Fatalf("default version %d", pol.Version)
	}
	rules := append([]SLARule(nil), pol.Rules...)
	for i := range rules {
		if rules[i].Kind == TicketComplaint && rules[i].Severity == SeverityGeneral {
			rules[i].Response = mustLimit("2h")
			rules[i].Resolution = mustLimit("1wd")
		}
	}
	_, err = s.SaveSLAPolicy(ctx, p.sup.ID, rules, pol.Urgent)
	wantCode(t, err, EFORBIDDEN)
	_, err = s.SaveSLAPolicy(ctx, p.admin.ID, rules[1:], pol.Urgent)
	wantKey(t, err, EINVALID, "err.sla.missing")
	if countRows(t, s, "sla_policies") != 0 {
		t.Fatal("refused policy saved")
	}
	v2, err := s.SaveSLAPolicy(ctx, p.admin.ID, rules, pol.Urgent)
	mustOK(t, err)
	if v2.Version != 2 {
		t.Fatalf("new version %d", v2.Version)
	}
	clk.Advance(time.Minute)
	tk := mustOpen(t, s, p.recep.ID, complaint(2))
	if tk.Deadlines.PolicyVersion != 2 || !tk.Deadlines.Response.Equal(clk.t.Add(2*time.Hour)) || !tk.Deadlines.Resolution.Equal(clk.t.Add(24*time.Hour)) {
		t.Fatalf("new ticket %s", tk.Deadlines)
	}
	again, err := s.Ticket(ctx, p.recep.ID, old.ID)
	mustOK(t, err)
	if again.Deadlines != old.Deadlines || again.Deadlines.PolicyVersion != 1 {
		t.Fatalf("old ticket changed: %s → %s", old.Deadlines, again.Deadlines)
	}
	back, err := s.SLAPolicyVersion(ctx, 1)
	mustOK(t, err)
	if back.Version != 1 || len(back.Rules) != 16 {
		t.Fatal("version 1")
	}
	cur, err := s.SLAPolicy(ctx)
	mustOK(t, err)
	if cur.Version != 2 || cur.Urgent != pol.Urgent || len(cur.Rules) != 16 {
		t.Fatalf("reloaded %+v", cur)
	}
	wantOutbox(t, s, MutSLAPolicy, 1)
}

// wantOutbox checks the number of outbox rows of a mutation.
func wantOutbox(t testing.TB, s *Store, mutation string, n int) {
	t.Helper()
	var got int
	mustOK(t, s.db.QueryRow(`SELECT count(*) FROM outbox WHERE mutation = ?`, mutation).Scan(&got))
	if got != n {
		t.Fatalf("outbox %s: %d rows, want %d", mutation, got, n)
	}
}

func TestTicketLifecycle(t *testing.T) {
	ctx := context.Background()
	s, p, clk := newTicketStore(t)
	tk := mustOpen(t, s, p.recep.ID, complaint(1))
	if tk.State != StateOpen || tk.OwnerID != p.recep.ID || tk.OwnerName != "李静" || tk.Phone != "+8613900000001" {
		t.Fatalf("opened %+v", tk)
	}
	wantOutbox(t, s, MutTicketOpen, 1)

	// First-contact ownership: a colleague may note but not act.
	_, err := s.AddTicketEvent(ctx, p.recep2.ID, tk.ID, TicketEvent{Kind: EvAcknowledged})
	wantKey(t, err, EFORBIDDEN, "err.ticket.not_owner")
	mustEvent(t, s, p.recep2.ID, tk.ID, TicketEvent{Kind: EvNote, Note: "客户又来电催促"})

	clk.Advance(10 * time.Minute)
	tk = mustEvent(t, s, p.recep.ID, tk.ID, TicketEvent{Kind: EvAcknowledged})
	// Back-dated before the last event, or in the future: refused, nothing written.
	before := countRows(t, s, "ticket_events")
	_, err = s.AddTicketEvent(ctx, p.recep.ID, tk.ID, TicketEvent{Kind: EvResponded, At: clk.t.Add(-time.Hour)})
	wantKey(t, err, EINVALID, "err.ticket.backdated")
	_, err = s.AddTicketEvent(ctx, p.recep.ID, tk.ID, TicketEvent{Kind: EvResponded, At: clk.t.Add(time.Hour)})
	wantKey(t, err, EINVALID, "err.ticket.future")
	_, err = s.AddTicketEvent(ctx, p.recep.ID, tk.ID, TicketEvent{Kind: EvRevisited, Satisfaction: 5})
	wantKey(t, err, ECONFLICT, "err.ticket.cannot.revisited")
	_, err = s.AddTicketEvent(ctx, p.recep.ID, tk.ID, TicketEvent{Kind: EvAssigned, To: p.cons.ID + "x"})
	wantKey(t, err, EINVALID, "err.ticket.owner")
	_, err = s.AddTicketEvent(ctx, p.recep.ID, "nope", TicketEvent{Kind: EvNote})
	wantKey(t, err, ENOTFOUND, "err.ticket.not_found")
	_, err = s.AddTicketEvent(ctx, p.recep.ID, tk.ID, TicketEvent{Kind: EvNote, Note: "bad\x07bell"})
	wantKey(t, err, EINVALID, "err.field.control")
	if countRows(t, s, "ticket_events") != before {
		t.Fatal("refused events written")
	}

	// Handed on: the new owner acts, the old one no longer may.
	clk.Advance(time.Hour)
	tk = mustEvent(t, s, p.recep.ID, tk.ID, TicketEvent{Kind: EvAssigned, To: p.recep2.ID, Note: "转交工程对接人"})
	if tk.OwnerID != p.recep2.ID {
		t.Fatal("not handed on")
	}
	_, err = s.AddTicketEvent(ctx, p.recep.ID, tk.ID, TicketEvent{Kind: EvResponded})
	wantKey(t, err, EFORBIDDEN, "err.ticket.not_owner")
	tk = mustEvent(t, s, p.recep2.ID, tk.ID, TicketEvent{Kind: EvResponded, Note: "已电话告知维修安排"})
	tk = mustEvent(t, s, p.sup.ID, tk.ID, TicketEvent{Kind: EvEscalated, Level: EscalateSupervisor, To: p.sup.ID})
	clk.Advance(24 * time.Hour)
	resolvedAt := clk.t
	tk = mustEvent(t, s, p.recep2.ID, tk.ID, TicketEvent{Kind: EvResolved, Note: "已修复"})
	if tk.State != StateRevisitDue || !tk.RevisitFrom.Equal(resolvedAt) || !tk.RevisitTo.Equal(resolvedAt.Add(72*time.Hour)) {
		t.Fatalf("revisit not scheduled: %s %v %v", tk.State, tk.RevisitFrom, tk.RevisitTo)
	}
	// An unsatisfactory revisit (by someone else) escalates and reopens.
	clk.Advance(24 * time.Hour)
	tk = mustEvent(t, s, p.recep.ID, tk.ID, TicketEvent{Kind: EvRevisited, Satisfaction: 2, Revisit: RevisitNotes{Method: "phone", Shortcomings: "墙面仍有水渍"}})
	if tk.State != StateAcknowledged || tk.Escalation != EscalateLeadership || tk.Reopened != 1 || tk.Satisfaction != 2 {
		t.Fatalf("unsatisfied revisit: %+v", tk.TicketStatus)
	}
	clk.Advance(24 * time.Hour)
	mustEvent(t, s, p.recep2.ID, tk.ID, TicketEvent{Kind: EvResolved, Note: "更换防水层"})
	clk.Advance(24 * time.Hour)
	tk = mustEvent(t, s, p.recep.ID, tk.ID, TicketEvent{Kind: EvRevisited, Satisfaction: 5, Revisit: RevisitNotes{Method: "visit", Quality: "良好"}})
	if tk.State != StateRevisited {
		t.Fatalf("revisited %s", tk.State)
	}
	_, err = s.AddTicketEvent(ctx, p.recep2.ID, tk.ID, TicketEvent{Kind: EvClosed, Reason: CloseInvalid})
	wantKey(t, err, ECONFLICT, "err.ticket.close_from")
	tk = mustEvent(t, s, p.recep2.ID, tk.ID, TicketEvent{Kind: EvClosed, Reason: CloseSatisfied})
	if tk.State != StateClosed || tk.CloseReason != CloseSatisfied || tk.Closed.IsZero() {
		t.Fatalf("closed %+v", tk.TicketStatus)
	}
	evs, err := s.TicketEvents(ctx, tk.ID)
	mustOK(t, err)
	var kinds []string
	for _, e := range evs {
		kinds = append(kinds, e.Kind)
	}
	want := "opened note acknowledged assigned responded escalated resolved revisit_scheduled revisited escalated reopened resolved revisit_scheduled revisited closed"
	if strings.Join(kinds, " ") != want {
		t.Fatalf("events\n got %s\nwant %s", strings.Join(kinds, " "), want)
	}
	if evs[8].Revisit.Shortcomings != "墙面仍有水渍" || evs[8].ByName != "李静" || !evs[9].Auto || evs[1].ByName != "王敏" {
		t.Fatalf("event details %+v", evs[8])
	}
	// Every event but the opening one is an outbox row; the stored state is the derived one.
	wantOutbox(t, s, MutTicketEvent, len(evs)-1)
	st, err := DeriveTicket(tk.Kind, evs)
	mustOK(t, err)
	if st != tk.TicketStatus {
		t.Fatalf("stored status differs from derived:\n%+v\n%+v", tk.TicketStatus, st)
	}
	var payload string
	mustOK(t, s.db.QueryRow(`SELECT payload FROM outbox WHERE mutation = ? ORDER BY seq DESC LIMIT 1`, MutTicketEvent).Scan(&payload))
	var pl map[string]any
	mustOK(t, json.Unmarshal([]byte(payload), &pl))
	if pl["kind"] != EvClosed || pl["ticket_id"] != tk.ID {
		t.Fatalf("outbox payload %s", payload)
	}
	// Reopened after closing.
	tk = mustEvent(t, s, p.sup.ID, tk.ID, TicketEvent{Kind: EvReopened, Note: "客户再次投诉"})
	if tk.State != StateAcknowledged || !tk.Closed.IsZero() || tk.Reopened != 2 {
		t.Fatalf("reopened %+v", tk.TicketStatus)
	}
}

func TestTicketPhoneVisibility(t *testing.T) {
	ctx := context.Background()
	s, p, _ := newTicketStore(t)
	tk := mustOpen(t, s, p.recep.ID, complaint(1))
	other, err := s.Ticket(ctx, p.cons.ID, tk.ID)
	mustOK(t, err)
	if other.Phone != "139****0001" {
		t.Fatalf("consultant sees %s", other.Phone)
	}
	rows, err := s.TicketList(ctx, TicketFilter{})
	mustOK(t, err)
	if len(rows) != 1 || rows[0].Phone != "139****0001" {
		t.Fatalf("list phone %+v", rows)
	}
	own := mustOpen(t, s, p.cons.ID, complaint(2))
	if own.Phone != "+8613900000002" {
		t.Fatalf("consultant's own ticket %s", own.Phone)
	}
}

func TestTicketBadInput(t *testing.T) {
	ctx := context.Background()
	s, p, clk := newTicketStore(t)
	long := strings.Repeat("漏", 10000)
	for _, tt := range []struct {
		name  string
		edit  func(*TicketInput)
		field string
		key   string
	}{
		{"complaint without contact", func(in *TicketInput) { in.Phone = "" }, "phone", "err.ticket.contact_needed"},
		{"repair without name", func(in *TicketInput) { in.Kind, in.CustomerName = TicketRepair, " " }, "customer_name", "err.ticket.contact_needed"},
		{"inquiry without contact", func(in *TicketInput) { in.Kind, in.CustomerName, in.Phone = TicketInquiry, "", "" }, "customer_name", "err.ticket.contact_needed"},
		{"unknown category", func(in *TicketInput) { in.Category = "工程质量" }, "category", "err.ticket.category"},
		{"unknown kind", func(in *TicketInput) { in.Kind = "praise" }, "kind", "err.ticket.kind"},
		{"unknown severity", func(in *TicketInput) { in.Severity = "huge" }, "severity", "err.ticket.severity"},
		{"empty description", func(in *TicketInput) { in.Description = "  \n " }, "description", "err.field.required"},
		{"10,000-char paste", func(in *TicketInput) { in.Description = long }, "description", "err.field.too_long"},
		{"control chars in unit", func(in *TicketInput) { in.Unit = "15\x0002" }, "unit", "err.field.control"},
		{"bidi override in subject", func(in *TicketInput) { in.Subject = "工程\u202e部" }, "subject", "err.field.control"},
		{"emoji name", func(in *TicketInput) { in.CustomerName = "王芳😀" }, "customer_name", "err.name.emoji"},
		{"bad phone", func(in *TicketInput) { in.Phone = "12345" }, "phone", "err.phone.cn_mobile"},
		{"opened in the future", func(in *TicketInput) { in.OpenedAt = clk.t.Add(time.Hour) }, "opened_at", "err.ticket.future"},
		{"opened too long ago", func(in *TicketInput) { in.OpenedAt = clk.t.AddDate(0, -2, 0) }, "opened_at", "err.ticket.too_old"},
		{"occurred after opening", func(in *TicketInput) { in.OccurredAt = clk.t.Add(time.Hour) }, "occurred_at", "err.ticket.occurred_after"},
		{"unknown visit", func(in *TicketInput) { in.VisitID = "nope" }, "", "err.visit.not_found"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			in := complaint(1)
			tt.edit(&in)
			before := countRows(t, s, "tickets") + countRows(t, s, "ticket_events") + countRows(t, s, "outbox")
			_, err := s.OpenTicket(ctx, p.recep.ID, in)
			if err == nil {
				t.Fatal("accepted")
			}
			if fe, ok := err.(FieldErrors); ok {
				e := fe[tt.field]
				if e == nil || e.Key != tt.key {
					t.Fatalf("errors %v, want %s %s", fe, tt.field, tt.key)
				}
			} else if e, ok := AsError(err); !ok || e.Key != tt.key {
				t.Fatalf("error %v, want %s", err, tt.key)
			}
			if after := countRows(t, s, "tickets") + countRows(t, s, "ticket_events") + countRows(t, s, "outbox"); after != before {
				t.Fatal("something was written")
			}
		})
	}
	// A suggestion needs no contact; SQL-looking text is kept as typed.
	sql := "'); DROP TABLE tickets; --"
	sug := TicketInput{Kind: TicketSuggestion, Category: CatDesign, Severity: SeverityMinor, Description: sql, Subject: "Robert'); DROP TABLE--"}
	tk := mustOpen(t, s, p.recep.ID, sug)
	if tk.Description != sql || tk.Phone != "" || countRows(t, s, "tickets") != 1 {
		t.Fatalf("suggestion %+v", tk)
	}
	_, err := s.OpenTicket(ctx, "nobody", complaint(1))
	wantKey(t, err, ENOTFOUND, "err.staff.not_found")
}

func TestTicketDueStatesAndRevisitFlags(t *testing.T) {
	ctx := context.Background()
	s, p, clk := newTicketStore(t)
	// Monday 2026-11-23 10:00.
	important := complaint(1)
	important.Severity = SeverityImportant // escalation within 1 h, response 2 wd, resolution 3 wd
	imp := mustOpen(t, s, p.recep.ID, important)
	general := complaint(2) // same day
	gen := mustOpen(t, s, p.recep.ID, general)
	repair := complaint(3)
	repair.Kind = TicketRepair
	rep := mustOpen(t, s, p.recep.ID, repair)
	clk.Advance(30 * time.Minute)
	mustEvent(t, s, p.recep.ID, rep.ID, TicketEvent{Kind: EvResolved})

	clk.t = at("2026-11-23 16:00")
	rows, err := s.OpenTickets(ctx)
	mustOK(t, err)
	byID := map[string]TicketRow{}
	for _, r := range rows {
		byID[r.ID] = r
	}
	// Important: acknowledgement within 24 h comes before the 2-working-day response.
	if r := byID[imp.ID]; r.Next != DeadlineAck || !r.NextDue.Equal(at("2026-11-24 10:00")) || r.Due != DueOK || !r.EscalationSuggested {
		t.Fatalf("important %+v", r)
	}
	// General: same-day resolution at 18:00; 8 h window → due soon within 2 h.
	if r := byID[gen.ID]; r.Next != DeadlineResponse || r.Due != DueSoon || r.EscalationSuggested || !r.NextDue.Equal(at("2026-11-23 18:00")) {
		t.Fatalf("general %+v", r)
	}
	if r := byID[rep.ID]; r.State != StateRevisitDue || r.Next != DeadlineRevisit || r.Due != DueOK || r.RevisitOverdue {
		t.Fatalf("repair %+v", r)
	}
	if rows[0].ID != gen.ID {
		t.Fatalf("most pressing first: %s", rows[0].Number)
	}
	mustEvent(t, s, p.sup.ID, imp.ID, TicketEvent{Kind: EvEscalated, Level: EscalateSupervisor})
	clk.t = at("2026-11-24 09:00")
	rows, err = s.OpenTickets(ctx)
	mustOK(t, err)
	byID = map[string]TicketRow{}
	for _, r := range rows {
		byID[r.ID] = r
	}
	if r := byID[imp.ID]; r.EscalationSuggested || r.Escalation != 1 {
		t.Fatalf("escalated %+v", r)
	}
	if r := byID[gen.ID]; r.Due != DueOverdue || rows[0].ID != gen.ID {
		t.Fatalf("general overdue %+v", r)
	}
	// Repair revisit window: 1 week to 1 month; more than the policy's
	// supervisor days (3 by default, then 5 once saved) past it is flagged.
	flagged := func(days int, after time.Duration, want bool) {
		t.Helper()
		clk.t = at("2026-12-23 10:31").Add(time.Duration(days)*24*time.Hour + after)
		rows, err := s.TicketList(ctx, TicketFilter{Kind: TicketRepair})
		mustOK(t, err)
		if len(rows) != 1 || rows[0].RevisitOverdue != want || rows[0].Due != DueOverdue {
			t.Fatalf("%d days %v past: revisit overdue %+v, want %v", days, after, rows, want)
		}
		tk, err := s.Ticket(ctx, p.recep.ID, rep.ID)
		mustOK(t, err)
		if tk.RevisitOverdue(clk.t) != want {
			t.Fatalf("%d days %v past: ticket's revisit overdue %v (supervisor at %v)", days, after, !want, tk.SupervisorAt)
		}
	}
	flagged(DefaultSupervisorDays, -time.Minute, false)
	flagged(DefaultSupervisorDays, 0, true)
	pol, err := s.SLAPolicy(ctx)
	mustOK(t, err)
	pol.Service = pol.Service.clone()
	pol.Service.SupervisorDays = 5
	_, err = s.SavePolicy(ctx, p.admin.ID, pol)
	mustOK(t, err)
	flagged(3, 0, false)
	flagged(5, -time.Minute, false)
	flagged(5, 0, true)
	// Filters.
	for _, tt := range []struct {
		f    TicketFilter
		want int
	}{
		{TicketFilter{}, 3}, {TicketFilter{Severity: SeverityImportant}, 1}, {TicketFilter{State: StateRevisitDue}, 1},
		{TicketFilter{OwnerID: p.recep.ID}, 3}, {TicketFilter{OwnerID: p.sup.ID}, 0}, {TicketFilter{Mine: p.recep.ID}, 3}, {TicketFilter{Mine: p.cons.ID}, 0}, {TicketFilter{Query: "渗水"}, 3},
		{TicketFilter{Query: "%"}, 0}, {TicketFilter{Query: imp.Number}, 1}, {TicketFilter{From: at("2026-11-24 00:00")}, 0},
		{TicketFilter{Category: CatSales}, 0}, {TicketFilter{Limit: 2}, 2},
	} {
		rows, err := s.TicketList(ctx, tt.f)
		mustOK(t, err)
		if len(rows) != tt.want {
			t.Errorf("filter %+v: %d rows, want %d", tt.f, len(rows), tt.want)
		}
	}
}

func TestImportHolidays(t *testing.T) {
	ctx := context.Background()
	s, p, clk := newTicketStore(t)
	y2027 := []byte(`{"year": 2027, "days": [
		{"name": "元旦", "date": "2027-01-01", "isOffDay": true},
		{"name": "春节", "date": "2027-02-08", "isOffDay": true},
		{"name": "春节", "date": "2027-02-06", "isOffDay": false}]}`)
	_, err := s.ImportHolidays(ctx, p.sup.ID, y2027)
	wantCode(t, err, EFORBIDDEN)
	for _, tt := range []struct {
		name, file, key string
	}{
		{"not JSON", `{"year": 2027, days: [}`, "err.holiday.format"},
		{"no days", `{"year": 2027, "days": []}`, "err.holiday.empty"},
		{"wrong year", `{"year": 2027, "days": [{"name": "元旦", "date": "2028-01-01", "isOffDay": true}]}`, "err.holiday.date"},
		{"no name", `{"year": 2027, "days": [{"date": "2027-01-01", "isOffDay": true}]}`, "err.holiday.day"},
		{"twice", `{"year": 2027, "days": [{"name": "a", "date": "2027-01-01", "isOffDay": true}, {"name": "a", "date": "2027-01-01", "isOffDay": true}]}`, "err.holiday.duplicate"},
		{"silly year", `{"year": 1066, "days": [{"name": "a", "date": "1066-01-01", "isOffDay": true}]}`, "err.holiday.year"},
		{"huge", `{"year": 2027, "days": [], "pad": "` + strings.Repeat("x", 300<<10) + `"}`, "err.holiday.too_big"},
	} {
		_, err := s.ImportHolidays(ctx, p.admin.ID, []byte(tt.file))
		wantKey(t, err, EINVALID, tt.key)
	}
	if countRows(t, s, "holiday_imports") != 0 {
		t.Fatal("refused schedule stored")
	}
	year, err := s.ImportHolidays(ctx, p.admin.ID, y2027)
	mustOK(t, err)
	years, err := s.HolidayYears(ctx)
	mustOK(t, err)
	if year != 2027 || fmt.Sprint(years) != "[2025 2026 2027]" {
		t.Fatalf("years %d %v", year, years)
	}
	cal, err := s.Calendar(ctx)
	mustOK(t, err)
	if cal.IsWorkingDay(at("2027-02-08 12:00")) || !cal.IsWorkingDay(at("2027-02-06 12:00")) || !cal.Covers(2027) {
		t.Fatal("2027 schedule not in the calendar")
	}
	wantOutbox(t, s, MutHolidayImport, 1)
	// A ticket on Friday 2027-02-05 17:00: 1 working day of response runs onto the make-up Saturday,
	// skipping the imported holiday on Monday.
	clk.t = at("2027-02-05 17:01")
	in := complaint(1)
	in.Severity, in.OpenedAt = SeverityMinor, at("2027-02-05 17:00")
	tk := mustOpen(t, s, p.recep.ID, in)
	if got := tk.Deadlines.Response.In(shanghai).Format("2006-01-02 15:04"); got != "2027-02-09 17:00" {
		t.Fatalf("response due %s", got)
	}
	// A later import of the same year replaces the earlier.
	_, err = s.ImportHolidays(ctx, p.admin.ID, []byte(`{"year": 2027, "days": [{"name": "元旦", "date": "2027-01-01", "isOffDay": true}]}`))
	mustOK(t, err)
	cal, err = s.Calendar(ctx)
	mustOK(t, err)
	if !cal.IsWorkingDay(at("2027-02-08 12:00")) {
		t.Fatal("newest import does not win")
	}
}

func TestTicketFromHandoff(t *testing.T) {
	ctx := context.Background()
	s, p, clk := newTicketStore(t)
	v := mustCheckIn(t, s, p.recep.ID, desk(t, s, "张伟", testPhone(7)))
	h, err := s.HandOffQuestion(ctx, p.recep.ID, HandoffInput{VisitID: v.ID, Question: "公积金能否组合贷？", ToRole: HandoffLoan})
	mustOK(t, err)
	clk.Advance(20 * time.Minute)
	tk, err := s.OpenTicketFromHandoff(ctx, p.recep.ID, h.ID, TicketInput{})
	mustOK(t, err)
	if tk.Kind != TicketInquiry || tk.HandoffID != h.ID || tk.VisitID != v.ID || tk.CustomerName != "张伟" || tk.Phone != "+8613900000007" ||
		tk.Description != "公积金能否组合贷？" || !tk.OpenedAt.Equal(h.CreatedAt) || !tk.Deadlines.Resolution.Equal(h.CreatedAt.Add(24*time.Hour)) {
		t.Fatalf("inquiry %+v", tk)
	}
	open, err := s.OpenHandoffs(ctx)
	mustOK(t, err)
	if len(open) != 1 || open[0].TicketID != tk.ID {
		t.Fatalf("handoff not linked: %+v", open)
	}
	_, err = s.OpenTicketFromHandoff(ctx, p.recep.ID, h.ID, TicketInput{})
	wantKey(t, err, ECONFLICT, "err.ticket.handoff_taken")
	_, err = s.OpenTicketFromHandoff(ctx, p.recep.ID, "nope", TicketInput{})
	wantKey(t, err, ENOTFOUND, "err.faq.handoff_not_found")
	// Standalone hand-off: the contact must be given.
	h2, err := s.HandOffQuestion(ctx, p.recep.ID, HandoffInput{Question: "物业费何时开始收？", ToRole: HandoffOther})
	mustOK(t, err)
	_, err = s.OpenTicketFromHandoff(ctx, p.recep.ID, h2.ID, TicketInput{})
	if fe, ok := err.(FieldErrors); !ok || fe["phone"] == nil {
		t.Fatalf("standalone without contact: %v", err)
	}
	var linked *string
	mustOK(t, s.db.QueryRow(`SELECT ticket_id FROM consult_handoffs WHERE id = ?`, h2.ID).Scan(&linked))
	if linked != nil {
		t.Fatal("refused ticket linked the hand-off")
	}
	// An inquiry closes satisfied once resolved: no revisit needed.
	tk = mustEvent(t, s, p.recep.ID, tk.ID, TicketEvent{Kind: EvResolved})
	if tk.State != StateResolved {
		t.Fatalf("inquiry resolved %s", tk.State)
	}
	mustEvent(t, s, p.recep.ID, tk.ID, TicketEvent{Kind: EvClosed, Reason: CloseSatisfied})
}

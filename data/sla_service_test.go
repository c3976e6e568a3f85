package data

import (
	"context"
	"database/sql"
	"encoding/json"
	"reflect"
	"slices"
	"testing"
	"time"
)

// TestServicePolicyDefaults: the default policy carries the seeds' numbers
// (DOMAIN.md: revisits; targets and KPIs; "initial handling of a complaint
// within 24 h"), and its windows land where the table says.
func TestServicePolicyDefaults(t *testing.T) {
	p := DefaultSLAPolicy()
	mustOK(t, p.Validate())
	sp := p.Service
	if sp.RepeatRate != 0.05 || sp.Satisfaction != 4.5 || sp.RepeatDays != 90 || sp.HandoffFollowUp != (Limit{N: 1, Unit: UnitHours}) {
		t.Fatalf("targets %+v", sp)
	}
	for _, r := range p.Rules {
		want := Limit{}
		if r.Kind == TicketComplaint {
			want = Limit{N: 24, Unit: UnitHours}
		}
		if r.Ack != want {
			t.Errorf("%s/%s ack %v, want %v", r.Kind, r.Severity, r.Ack, want)
		}
	}
	ev := at("2026-01-15 10:00")
	for _, tt := range []struct {
		name     string
		from, to time.Time
		target   float64
	}{
		{name: "complaint: within 3 days, 100%", from: ev, to: at("2026-01-18 10:00"), target: 1},
		{name: "repair: 1 week to 1 month, 90%", from: at("2026-01-22 10:00"), to: at("2026-02-15 10:00"), target: 0.9},
		{name: "signing: 7-10 days", from: at("2026-01-22 10:00"), to: at("2026-01-25 10:00")},
		{name: "move-in 3 months ±7 days", from: at("2026-04-08 10:00"), to: at("2026-04-22 10:00")},
		{name: "move-in 1 year ±14 days", from: at("2027-01-01 10:00"), to: at("2027-01-29 10:00")},
		{name: "special: within a week, 90%", from: ev, to: at("2026-01-22 10:00"), target: 0.9},
	} {
		var f, to time.Time
		var rate float64
		switch tt.name[:4] {
		case "comp":
			f, to, _ = sp.RevisitWindow(TicketComplaint, ev, shanghai)
			rate = sp.RevisitTarget(TicketComplaint)
		case "repa":
			f, to, _ = sp.RevisitWindow(TicketRepair, ev, shanghai)
			rate = sp.RevisitTarget(TicketRepair)
		case "sign":
			f, to = sp.CareWindow(CareSigning, ev, shanghai)
			rate = sp.CareTarget(CareSigning)
		case "move":
			k := CareMoveIn3M
			if tt.name[8] == '1' {
				k = CareMoveIn1Y
			}
			f, to = sp.CareWindow(k, ev, shanghai)
			rate = sp.CareTarget(k)
		case "spec":
			f, to = sp.CareWindow(CareSpecial, ev, shanghai)
			rate = sp.CareTarget(CareSpecial)
		}
		if !f.Equal(tt.from) || !to.Equal(tt.to) || rate != tt.target {
			t.Errorf("%s: %v – %v at %v, want %v – %v at %v", tt.name, f, to, rate, tt.from, tt.to, tt.target)
		}
	}
	if _, _, ok := sp.RevisitWindow(TicketInquiry, ev, shanghai); ok {
		t.Error("an inquiry has a revisit window")
	}
}

// oldPolicyRules is a policy version as a desk stored it before
// acknowledgement deadlines and the service part existed.
const oldPolicyRules = `{"rules":[
{"kind":"complaint","severity":"major","entry":"4wh","response":"1wd","escalation":"sameday","resolution":"3wd"},
{"kind":"complaint","severity":"important","entry":"4wh","response":"2wd","escalation":"1h","resolution":"3wd"},
{"kind":"complaint","severity":"general","entry":"4wh","response":"sameday","escalation":"","resolution":"sameday"},
{"kind":"complaint","severity":"minor","entry":"4wh","response":"2wd","escalation":"","resolution":"2wd"},
{"kind":"repair","severity":"major","entry":"4wh","response":"24h","escalation":"sameday","resolution":"3wd"},
{"kind":"repair","severity":"important","entry":"4wh","response":"24h","escalation":"1h","resolution":"3wd"},
{"kind":"repair","severity":"general","entry":"4wh","response":"24h","escalation":"","resolution":"3wd"},
{"kind":"repair","severity":"minor","entry":"4wh","response":"24h","escalation":"","resolution":"2wd"},
{"kind":"inquiry","severity":"major","entry":"4wh","response":"1h","escalation":"sameday","resolution":"24h"},
{"kind":"inquiry","severity":"important","entry":"4wh","response":"1h","escalation":"","resolution":"24h"},
{"kind":"inquiry","severity":"general","entry":"4wh","response":"1h","escalation":"","resolution":"24h"},
{"kind":"inquiry","severity":"minor","entry":"4wh","response":"1h","escalation":"","resolution":"24h"},
{"kind":"suggestion","severity":"major","entry":"4wh","response":"2wd","escalation":"sameday","resolution":"48h"},
{"kind":"suggestion","severity":"important","entry":"4wh","response":"2wd","escalation":"","resolution":"48h"},
{"kind":"suggestion","severity":"general","entry":"4wh","response":"2wd","escalation":"","resolution":"48h"},
{"kind":"suggestion","severity":"minor","entry":"4wh","response":"2wd","escalation":"","resolution":"48h"}],
"urgent":{"entry":"","response":"2h","escalation":"2h","resolution":"sameday"}}`

// TestOldPolicyVersionsReadAsDefaults: a version stored before the new
// fields reads them as the defaults; one with only some service keys reads
// the others as the defaults; its own values stay.
func TestOldPolicyVersionsReadAsDefaults(t *testing.T) {
	ctx := context.Background()
	s, _, _ := newTestStore(t)
	partial := oldPolicyRules[:len(oldPolicyRules)-1] + `,"service":{"repeat_rate":0.1,"revisits":{"complaint":{"from":[0,0],"to":[0,5],"target":0.95}}}}`
	for v, rules := range map[int]string{2: oldPolicyRules, 3: partial} {
		_, err := s.db.Exec(`INSERT INTO sla_policies (id, office_id, device_id, created_at, version, rules) VALUES (?, 'o', 'd', 1, ?, ?)`, newID(), v, rules)
		mustOK(t, err)
	}
	old, err := s.SLAPolicyVersion(ctx, 2)
	mustOK(t, err)
	def := DefaultSLAPolicy()
	if !reflect.DeepEqual(old.Service, def.Service) {
		t.Fatalf("old service %+v, want the defaults %+v", old.Service, def.Service)
	}
	for i, r := range old.Rules {
		if r.Ack != def.Rules[i].Ack || r.Kind != def.Rules[i].Kind {
			t.Fatalf("old rule %+v ack, want %v", r, def.Rules[i].Ack)
		}
	}
	if old.Rules[0].Response != (Limit{N: 1, Unit: UnitWorkingDays}) || !old.Urgent.Ack.IsZero() {
		t.Fatalf("old rules lost: %+v urgent %+v", old.Rules[0], old.Urgent)
	}
	mustOK(t, old.Validate())

	cur, err := s.SLAPolicy(ctx)
	mustOK(t, err)
	want := def.Service.clone()
	want.RepeatRate = 0.1
	want.Revisits[TicketComplaint] = Window{To: Offset{Days: 5}, Target: 0.95}
	if cur.Version != 3 || !reflect.DeepEqual(cur.Service, want) {
		t.Fatalf("partial service v%d %+v, want %+v", cur.Version, cur.Service, want)
	}
}

// servicePolicyEdit is a policy with every new field away from its default.
func servicePolicyEdit(t *testing.T, s *Store) SLAPolicy {
	t.Helper()
	p, err := s.SLAPolicy(context.Background())
	mustOK(t, err)
	p.Rules = slices.Clone(p.Rules)
	p.Service = p.Service.clone()
	for i := range p.Rules {
		if p.Rules[i].Kind == TicketComplaint {
			p.Rules[i].Ack = Limit{N: 4, Unit: UnitWorkingHours}
		}
		if p.Rules[i].Kind == TicketRepair {
			p.Rules[i].Ack = Limit{N: 1, Unit: UnitWorkingDays}
		}
	}
	p.Service.RepeatRate, p.Service.Satisfaction, p.Service.RepeatDays = 0.1, 4.0, 30
	p.Service.Revisits[TicketComplaint] = Window{To: Offset{Days: 5}, Target: 0.95}
	p.Service.Care[CareSigning] = Window{From: Offset{Days: 3}, To: Offset{Days: 5}}
	p.Service.Care[CareSpecial] = Window{To: Offset{Days: 14}, Target: 0.8}
	p.Service.HandoffFollowUp = Limit{N: 2, Unit: UnitHours}
	return p
}

// TestSavedServicePolicyIsUsed: a saved version's fields are what every
// consumer reads — the ledger's targets and repeat window, the revisit
// window of a ticket opened under it (one opened before keeps its own),
// care windows and rates, the hand-off follow-up, the acknowledgement
// deadline.
func TestSavedServicePolicyIsUsed(t *testing.T) {
	ctx := context.Background()
	s, p, clk := newTicketStore(t)
	before := mustOpen(t, s, p.recep.ID, complaint(1)) // under version 1

	edit := servicePolicyEdit(t, s)
	saved, err := s.SavePolicy(ctx, p.admin.ID, edit)
	mustOK(t, err)
	back, err := s.SLAPolicyVersion(ctx, saved.Version)
	mustOK(t, err)
	if saved.Version != 2 || !reflect.DeepEqual(back.Service, edit.Service) || !reflect.DeepEqual(back.Rules, edit.Rules) {
		t.Fatalf("saved v%d %+v, read back %+v", saved.Version, edit.Service, back.Service)
	}
	// SaveSLAPolicy (rules only) keeps the service part.
	kept, err := s.SaveSLAPolicy(ctx, p.admin.ID, edit.Rules, edit.Urgent)
	mustOK(t, err)
	if !reflect.DeepEqual(kept.Service, edit.Service) {
		t.Fatalf("rules-only save lost the service part: %+v", kept.Service)
	}

	// Monday 10:00: the complaint's acknowledgement is 4 working hours later.
	tk := mustOpen(t, s, p.recep.ID, complaint(2))
	if !tk.Deadlines.Ack.Equal(at("2026-11-23 14:00")) || tk.Deadlines.PolicyVersion != kept.Version {
		t.Fatalf("ack %v under v%d", tk.Deadlines.Ack, tk.Deadlines.PolicyVersion)
	}
	// Resolved: the new ticket's window is its version's 5 days, the old
	// ticket's its version's 3.
	clk.Advance(time.Hour)
	resolved := clk.Now()
	newT := mustEvent(t, s, p.recep.ID, tk.ID, TicketEvent{Kind: EvResolved})
	oldT := mustEvent(t, s, p.recep.ID, before.ID, TicketEvent{Kind: EvResolved})
	if !newT.RevisitTo.Equal(resolved.Add(5*24*time.Hour)) || !oldT.RevisitTo.Equal(resolved.Add(3*24*time.Hour)) {
		t.Fatalf("revisit windows: new %v, old %v", newT.RevisitTo, oldT.RevisitTo)
	}

	// The ledger measures against the current targets.
	l, err := s.TicketLedger(ctx, LedgerFilter{From: at("2026-11-01 00:00"), To: at("2026-12-01 00:00")})
	mustOK(t, err)
	if l.Repeat.Target != 0.1 || l.Service.Satisfaction != 4.0 || l.RevisitCompletion[TicketComplaint].Target != 0.95 ||
		l.RevisitCompletion[TicketRepair].Target != 0.9 {
		t.Fatalf("ledger targets repeat %v satisfaction %v revisits %+v", l.Repeat.Target, l.Service.Satisfaction, l.RevisitCompletion)
	}
	l.SatisfactionN, l.SatisfactionAvg = 1, 4.2
	if !l.SatisfactionMet() {
		t.Fatal("4.2 does not meet a 4.0 target")
	}

	// A special revisit's default window and its rate's target.
	sp, err := s.ScheduleSpecialRevisit(ctx, p.recep.ID, SpecialRevisitInput{CustomerName: "王芳", Phone: "13812345678"})
	mustOK(t, err)
	if !sp.To.Equal(sp.From.Add(14 * 24 * time.Hour)) {
		t.Fatalf("special window %v – %v, want 14 days", sp.From, sp.To)
	}
	rates, err := s.CareRates(ctx, at("2026-01-01 00:00"), at("2028-01-01 00:00"))
	mustOK(t, err)
	for _, r := range rates {
		if want := map[string]float64{CareSpecial: 0.8}[r.Kind]; r.Target != want {
			t.Errorf("%s target %v, want %v", r.Kind, r.Target, want)
		}
	}

	// A signing check-in's revisit: 3 to 5 days later.
	in := desk(t, s, "李娜", "13812345679")
	in.Purpose = PurposeSigning
	signedAt := clk.Now()
	mustCheckIn(t, s, p.admin.ID, in)
	for _, r := range careList(t, s, p.admin.ID, CareFilterAll, "") {
		if r.Kind == CareSigning && (!r.From.Equal(signedAt.Add(3*24*time.Hour)) || !r.To.Equal(signedAt.Add(5*24*time.Hour))) {
			t.Fatalf("signing window %v – %v after %v", r.From, r.To, signedAt)
		}
	}

	// A hand-off is followed up within the policy's 2 hours.
	h, err := s.HandOffQuestion(ctx, p.recep.ID, HandoffInput{Question: "车位能否分期付款？", ToRole: HandoffRoles[0]})
	mustOK(t, err)
	if got := h.DueAt.Sub(h.CreatedAt); got != 2*time.Hour {
		t.Fatalf("hand-off due after %v, want 2h", got)
	}
}

// TestServicePolicyValidate: each bad value is refused with its own
// message, and nothing is written.
func TestServicePolicyValidate(t *testing.T) {
	ctx := context.Background()
	s, p, _ := newTicketStore(t)
	for _, tt := range []struct {
		name string
		edit func(sp *ServicePolicy)
		key  string
	}{
		{"repeat rate over 100%", func(sp *ServicePolicy) { sp.RepeatRate = 1.5 }, "err.sla.rate"},
		{"negative target", func(sp *ServicePolicy) {
			sp.Revisits[TicketRepair] = Window{From: Offset{Days: 7}, To: Offset{Months: 1}, Target: -0.1}
		}, "err.sla.rate"},
		{"satisfaction over 5", func(sp *ServicePolicy) { sp.Satisfaction = 6 }, "err.sla.satisfaction"},
		{"no repeat window", func(sp *ServicePolicy) { sp.RepeatDays = 0 }, "err.sla.repeat_days"},
		{"window ends before it opens", func(sp *ServicePolicy) { sp.Care[CareSigning] = Window{From: Offset{Days: 10}, To: Offset{Days: 7}} }, "err.sla.window"},
		{"window opens before the event", func(sp *ServicePolicy) {
			sp.Revisits[TicketComplaint] = Window{From: Offset{Days: -1}, To: Offset{Days: 3}}
		}, "err.sla.window"},
		{"window too far", func(sp *ServicePolicy) {
			sp.Care[CareMoveIn1Y] = Window{From: Offset{Months: 30}, To: Offset{Months: 31}}
		}, "err.sla.window_range"},
		{"no follow-up", func(sp *ServicePolicy) { sp.HandoffFollowUp = Limit{} }, "err.sla.followup"},
		{"supervisor at once", func(sp *ServicePolicy) { sp.SupervisorDays = 0 }, "err.sla.supervisor_days"},
		{"supervisor too late", func(sp *ServicePolicy) { sp.SupervisorDays = MaxSupervisorDays + 1 }, "err.sla.supervisor_days"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			pol := DefaultSLAPolicy()
			tt.edit(&pol.Service)
			_, err := s.SavePolicy(ctx, p.admin.ID, pol)
			wantKey(t, err, EINVALID, tt.key)
			if n := countRows(t, s, "sla_policies"); n != 0 {
				t.Fatalf("%d versions written", n)
			}
		})
	}
}

// TestRequestedDeadlineSoonerWins: a minor complaint is resolved within 2
// working days or by the deadline the owner asked for, whichever is
// sooner — across the National Day holiday of 2026 too.
func TestRequestedDeadlineSoonerWins(t *testing.T) {
	ctx := context.Background()
	s, p, clk := newTicketStore(t)
	minor := func(phone int, requested time.Time) TicketInput {
		in := complaint(phone)
		in.Severity, in.RequestedBy = SeverityMinor, requested
		return in
	}
	for i, tt := range []struct {
		name       string
		now        string // the ticket is opened now
		requested  string // "" none
		resolution string // want
		key        string // want refused
	}{
		// Monday: 2 working days = Wednesday 10:00.
		{name: "none asked", now: "2026-11-23 10:00", resolution: "2026-11-25 10:00"},
		{name: "the owner asks sooner", now: "2026-11-23 10:00", requested: "2026-11-24 12:00", resolution: "2026-11-24 12:00"},
		{name: "the owner asks later", now: "2026-11-23 10:00", requested: "2026-11-30 18:00", resolution: "2026-11-25 10:00"},
		{name: "the same time", now: "2026-11-23 10:00", requested: "2026-11-25 10:00", resolution: "2026-11-25 10:00"},
		// Wednesday before National Day: 1–7 October off, so 2 working days
		// are Thursday 8 and Friday 9 October.
		{name: "across the holiday, none asked", now: "2026-09-30 10:00", resolution: "2026-10-09 10:00"},
		{name: "across the holiday, the owner asks within it", now: "2026-09-30 10:00", requested: "2026-10-05 18:00", resolution: "2026-10-05 18:00"},
		{name: "across the holiday, the owner asks after", now: "2026-09-30 10:00", requested: "2026-10-12 18:00", resolution: "2026-10-09 10:00"},
		{name: "in the past", now: "2026-11-23 10:00", requested: "2026-11-23 09:00", key: "err.ticket.requested_past"},
		{name: "over a year ahead", now: "2026-11-23 10:00", requested: "2028-01-01 18:00", key: "err.ticket.requested_far"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			clk.t = at(tt.now)
			var req time.Time
			if tt.requested != "" {
				req = at(tt.requested)
			}
			before := countRows(t, s, "tickets") + countRows(t, s, "outbox")
			tk, err := s.OpenTicket(ctx, p.recep.ID, minor(i, req))
			if tt.key != "" {
				var fe FieldErrors
				if !asFieldErrors(err, &fe) || fe["requested_by"] == nil || fe["requested_by"].Key != tt.key {
					t.Fatalf("error %v, want requested_by %s", err, tt.key)
				}
				if after := countRows(t, s, "tickets") + countRows(t, s, "outbox"); after != before {
					t.Fatal("something was written")
				}
				return
			}
			mustOK(t, err)
			if !tk.Deadlines.Resolution.Equal(at(tt.resolution)) || !tk.Deadlines.Requested.Equal(req) || !tk.RequestedBy.Equal(req) {
				t.Fatalf("resolution %v requested %v, want %s", tk.Deadlines.Resolution, tk.Deadlines.Requested, tt.resolution)
			}
			// It travels in the ticket's payload (ticket.open v2).
			var version int
			var payload string
			mustOK(t, s.db.QueryRow(`SELECT version, payload FROM outbox WHERE mutation = ? AND record_id = ?`, MutTicketOpen, tk.ID).Scan(&version, &payload))
			var pl ticketOpenPayloadV2
			mustOK(t, json.Unmarshal([]byte(payload), &pl))
			if version != 2 || pl.RequestedDue != msOrZero(req) || pl.ResolutionDue != ms(at(tt.resolution)) {
				t.Fatalf("outbox v%d %s", version, payload)
			}
		})
	}
}

// TestAckDeadline: a complaint is acknowledged within 24 hours of opening
// (clock hours: through the weekend); its due state turns on the
// acknowledgement until the owner takes it up, and the ledger counts
// acknowledgements on time. An inquiry has none.
func TestAckDeadline(t *testing.T) {
	ctx := context.Background()
	s, p, clk := newTicketStore(t)
	clk.t = at("2026-11-27 17:00") // Friday
	c := complaint(1)
	c.Severity = SeverityMajor // response 2 working days: Tuesday 17:00
	tk := mustOpen(t, s, p.recep.ID, c)
	inq := complaint(2)
	inq.Kind = TicketInquiry
	iq := mustOpen(t, s, p.recep.ID, inq)
	lc := complaint(3)
	lc.Severity = SeverityMajor
	late := mustOpen(t, s, p.recep.ID, lc)
	if !tk.Deadlines.Ack.Equal(at("2026-11-28 17:00")) || !iq.Deadlines.Ack.IsZero() {
		t.Fatalf("ack %v, inquiry %v", tk.Deadlines.Ack, iq.Deadlines.Ack)
	}
	row := func(id string) TicketRow {
		rows, err := s.OpenTickets(ctx)
		mustOK(t, err)
		for _, r := range rows {
			if r.ID == id {
				return r
			}
		}
		t.Fatalf("no row %s", id)
		return TicketRow{}
	}
	clk.t = at("2026-11-28 14:00") // 3 h left of 24: due soon (margin 4 h)
	if r := row(tk.ID); r.Next != DeadlineAck || r.Due != DueSoon || !r.NextDue.Equal(tk.Deadlines.Ack) {
		t.Fatalf("before acknowledging: %+v", r)
	}
	mustEvent(t, s, p.recep.ID, tk.ID, TicketEvent{Kind: EvAcknowledged})
	if r := row(tk.ID); r.Next != DeadlineResponse || r.Due != DueOK {
		t.Fatalf("after acknowledging: %+v", r)
	}
	clk.t = at("2026-11-28 18:00")
	if r := row(late.ID); r.Next != DeadlineAck || r.Due != DueOverdue {
		t.Fatalf("not acknowledged: %+v", r)
	}
	l, err := s.TicketLedger(ctx, LedgerFilter{From: at("2026-11-01 00:00"), To: at("2026-12-01 00:00")})
	mustOK(t, err)
	if l.AckOnTime.Num != 1 || l.AckOnTime.Den != 2 {
		t.Fatalf("acknowledged on time %d/%d, want 1/2", l.AckOnTime.Num, l.AckOnTime.Den)
	}
	// Urgent tightening applies to the acknowledgement too.
	pol := DefaultSLAPolicy()
	pol.Urgent.Ack = Limit{N: 2, Unit: UnitHours}
	_, err = s.SavePolicy(ctx, p.admin.ID, pol)
	mustOK(t, err)
	u := complaint(4)
	u.Urgent = true
	ut := mustOpen(t, s, p.recep.ID, u)
	if !ut.Deadlines.Ack.Equal(clk.Now().Add(2 * time.Hour)) {
		t.Fatalf("urgent ack %v", ut.Deadlines.Ack)
	}
}

// TestServicePolicySyncsToOffice: HQ's policy version with every new field
// changed reaches an office whole; a ticket opened there with an
// acknowledgement and a requested deadline reaches the office's other
// device with both.
func TestServicePolicySyncsToOffice(t *testing.T) {
	ctx := context.Background()
	a, p, _ := newTicketStore(t)
	b := cloneDevice(t, a, "B")
	edit := servicePolicyEdit(t, a)
	pol, err := a.SavePolicy(ctx, p.admin.ID, edit)
	mustOK(t, err)
	req := at("2026-11-24 12:00")
	in := complaint(1)
	in.Severity, in.RequestedBy = SeverityMinor, req
	tk := mustOpen(t, a, p.recep.ID, in)

	var hq evLog
	var changes []OutboxEntry
	for _, c := range hq.push(t, a) {
		if c.Mutation != MutSLAPolicy && c.Mutation != MutTicketOpen {
			continue
		}
		if _, err := DescribeMutation(c.Mutation, c.Version, c.Payload); err != nil {
			t.Fatalf("%s v%d: %v", c.Mutation, c.Version, err)
		}
		changes = append(changes, c)
	}
	if len(changes) != 2 {
		t.Fatalf("%d changes", len(changes))
	}
	hq.pull(t, b, changes)
	got, err := b.SLAPolicy(ctx)
	mustOK(t, err)
	if got.Version != pol.Version || !reflect.DeepEqual(got.Service, edit.Service) || !reflect.DeepEqual(got.Rules, edit.Rules) {
		t.Fatalf("office policy v%d %+v, want v%d %+v", got.Version, got.Service, pol.Version, edit.Service)
	}
	bt, err := b.Ticket(ctx, p.admin.ID, tk.ID)
	mustOK(t, err)
	if !bt.Deadlines.Ack.Equal(tk.Deadlines.Ack) || bt.Deadlines.Ack.IsZero() || !bt.Deadlines.Requested.Equal(req) || !bt.Deadlines.Resolution.Equal(req) {
		t.Fatalf("pulled ticket deadlines %v, want %v", bt.Deadlines, tk.Deadlines)
	}
}

// fixtureV12 is a database from before acknowledgement and requested
// deadlines (schema 12): a ticket and a policy version in the old shape.
// After migrating, the ticket has neither deadline and the policy reads
// the new fields as the defaults.
func fixtureV12(t *testing.T, db *sql.DB) func(*testing.T, *Store) {
	fixtureV4(t, db) // its rows (a ticket); its checks assume no policy version
	if _, err := db.Exec(`INSERT INTO sla_policies (id, office_id, device_id, created_at, version, rules) VALUES ('sp-2', 'off-1', 'dev-1', 1700000000000, 2, ?)`,
		oldPolicyRules); err != nil {
		t.Fatal(err)
	}
	return func(t *testing.T, s *Store) {
		ctx := context.Background()
		tk, err := s.Ticket(ctx, "st-admin", "tk-1")
		mustOK(t, err)
		if !tk.Deadlines.Ack.IsZero() || !tk.Deadlines.Requested.IsZero() || tk.Description != "主卫地漏返味" {
			t.Fatalf("v12 ticket after migration: %+v", tk.Deadlines)
		}
		pol, err := s.SLAPolicy(ctx)
		mustOK(t, err)
		if pol.Version != 2 || !reflect.DeepEqual(pol.Service, DefaultServicePolicy()) || pol.Rules[0].Ack != DefaultAck(TicketComplaint, SeverityMajor) {
			t.Fatalf("v12 policy after migration: %+v", pol)
		}
	}
}

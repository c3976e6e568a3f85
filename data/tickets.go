package data

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Ticket field limits, in characters.
const (
	MaxTicketTextLen  = 2000 // what happened
	MaxTicketNoteLen  = 1000 // demand, event notes
	MaxTicketPlaceLen = 40   // project, building, unit, department
	MaxTicketSubject  = 60   // person or department complained about
)

// TicketClockSkew is how far in the future an event's time may lie (device
// clocks differ); TicketMaxBackdate is how long before now a ticket may be
// recorded as opened (a complaint taken by phone and entered later).
const (
	TicketClockSkew   = 5 * time.Minute
	TicketMaxBackdate = 30 * 24 * time.Hour
)

// MaxRequestedAhead is how far ahead an owner's requested deadline may lie.
const MaxRequestedAhead = 366 * 24 * time.Hour

// TicketInput is what the desk records when it opens a ticket (the
// reception/complaint record's columns).
type TicketInput struct {
	Kind       string    // TicketComplaint, TicketRepair, TicketInquiry, TicketSuggestion
	Category   string    // one of TicketCategories
	Severity   string    // one of Severities
	Urgent     bool      // act at once: tighter deadlines (SLAPolicy.Urgent)
	Invalid    bool      // judged invalid at once (not the company's fault): explain and close
	OpenedAt   time.Time // when the customer raised it; zero = now; at most 30 days back
	OccurredAt time.Time // when the matter happened, if known
	// RequestedBy is the deadline the owner asked for (轻微投诉: "within 2
	// days or by the deadline the owner asked for"), zero for none: the
	// resolution deadline is the sooner of it and the policy's. It may not
	// lie in the past.
	RequestedBy time.Time

	Project, Building, Unit string // the place
	Subject                 string // person or department complained about
	Description             string // what happened (required)
	Demand                  string // the customer's demand
	CustomerName            string // required, with Phone, for complaints, repairs and inquiries (a callback is owed)
	Phone                   string // as typed; stored in E.164
	Department              string // the responsible department

	VisitID   string // optional: the visit it came up in
	HandoffID string // set by OpenTicketFromHandoff

	// carriedOver is set by ImportTickets: a ticket from a paper or
	// spreadsheet ledger may be older than TicketMaxBackdate, and its
	// opening event notes where it came from.
	carriedOver string
}

// Ticket is a stored ticket: what was recorded at opening, its deadlines
// and its current status. Phone is the full number only when the reader's
// role may see it (see Role.SeesFullPhone), else masked.
type Ticket struct {
	ID, Number string
	TicketInput
	CreatedAt time.Time
	CreatedBy string
	Deadlines Deadlines // PolicyVersion is the SLA version it was opened under
	TicketStatus
	OwnerName string
	// EstimatedYears are the years without an official holiday schedule
	// that the deadlines counted on the company's working days pass
	// through (see SLAPolicy.EstimatedYears); set by Store.Ticket.
	EstimatedYears []int
	// SupervisorAt is when a revisit still due is flagged for the
	// supervisor: the window's end plus the policy's SupervisorDays (the
	// policy in force); zero without a revisit window. Set by Store.Ticket.
	SupervisorAt time.Time
}

// RevisitOverdue reports whether the ticket's revisit is so late that the
// supervisor follows it up.
func (t Ticket) RevisitOverdue(now time.Time) bool {
	return t.State == StateRevisitDue && !t.SupervisorAt.IsZero() && now.After(t.SupervisorAt)
}

// NeedsContact reports whether a kind of ticket owes the customer a
// callback, so its contact is required.
func NeedsContact(kind string) bool { return kind != TicketSuggestion }

func (in *TicketInput) validate(now time.Time) error {
	fe := FieldErrors{}
	add := func(e *Error) {
		if e != nil && fe[e.Field] == nil {
			fe[e.Field] = e
		}
	}
	if !contains(TicketKinds, in.Kind) {
		add(invalid("kind", "err.ticket.kind", nil))
	}
	if !contains(TicketCategories, in.Category) {
		add(invalid("category", "err.ticket.category", map[string]any{"Value": truncRunes(in.Category, 20)}))
	}
	if !contains(Severities, in.Severity) {
		add(invalid("severity", "err.ticket.severity", nil))
	}
	var e *Error
	for _, f := range []struct {
		name string
		v    *string
		max  int
	}{{"project", &in.Project, MaxTicketPlaceLen}, {"building", &in.Building, MaxTicketPlaceLen}, {"unit", &in.Unit, MaxTicketPlaceLen},
		{"department", &in.Department, MaxTicketPlaceLen}, {"subject", &in.Subject, MaxTicketSubject}} {
		*f.v, e = cleanLine(f.name, *f.v, false, f.max)
		add(e)
	}
	in.Description, e = cleanText("description", in.Description, MaxTicketTextLen)
	add(e)
	if e == nil && in.Description == "" {
		add(invalid("description", "err.field.required", nil))
	}
	in.Demand, e = cleanText("demand", in.Demand, MaxTicketNoteLen)
	add(e)
	need := NeedsContact(in.Kind)
	if strings.TrimSpace(in.CustomerName) != "" || need {
		if strings.TrimSpace(in.CustomerName) == "" {
			add(invalid("customer_name", "err.ticket.contact_needed", nil))
		} else {
			in.CustomerName, e = CleanPersonName("customer_name", in.CustomerName)
			add(e)
		}
	}
	if strings.TrimSpace(in.Phone) != "" || need {
		if strings.TrimSpace(in.Phone) == "" {
			add(invalid("phone", "err.ticket.contact_needed", nil))
		} else {
			in.Phone, e = NormalizePhone("phone", in.Phone)
			add(e)
		}
	}
	if in.OpenedAt.IsZero() {
		in.OpenedAt = now
	}
	if in.OpenedAt.After(now.Add(TicketClockSkew)) {
		add(invalid("opened_at", "err.ticket.future", nil))
	} else if in.HandoffID == "" && in.carriedOver == "" && in.OpenedAt.Before(now.Add(-TicketMaxBackdate)) {
		add(invalid("opened_at", "err.ticket.too_old", map[string]any{"Days": int(TicketMaxBackdate.Hours() / 24)}))
	}
	if !in.OccurredAt.IsZero() && in.OccurredAt.After(in.OpenedAt.Add(TicketClockSkew)) {
		add(invalid("occurred_at", "err.ticket.occurred_after", nil))
	}
	if !in.RequestedBy.IsZero() && in.carriedOver == "" {
		if in.RequestedBy.Before(now) {
			add(invalid("requested_by", "err.ticket.requested_past", nil))
		} else if in.RequestedBy.After(now.Add(MaxRequestedAhead)) {
			add(invalid("requested_by", "err.ticket.requested_far", map[string]any{"Days": int(MaxRequestedAhead.Hours() / 24)}))
		}
	}
	if len(fe) > 0 {
		return fe
	}
	return nil
}

func truncRunes(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

// OpenTicket records a new ticket. The actor becomes its owner (首问负责制:
// whoever takes it owns it until it is explicitly handed on with an
// "assigned" event). Its deadlines are computed on the office calendar
// under the current SLA policy and stored with the policy version. An
// invalid ticket is opened and (if Invalid) left for the owner to explain
// and close. Any active staff member may open one.
func (s *Store) OpenTicket(ctx context.Context, actorID string, in TicketInput) (Ticket, error) {
	dl, err := s.checkTicket(ctx, &in)
	if err != nil {
		return Ticket{}, err
	}
	_, office, err := s.ids()
	if err != nil {
		return Ticket{}, err
	}
	var t Ticket
	err = s.actorTx(ctx, actorID, anyRole, func(tx *txn, st stamp) error {
		t, err = openTicketTx(ctx, tx, st, office.Code, actorID, in, dl, s.Location())
		return err
	})
	if err != nil {
		return Ticket{}, err
	}
	return s.Ticket(ctx, actorID, t.ID)
}

// checkTicket validates in (cleaning it) and computes its deadlines on the
// office calendar under the current SLA policy.
func (s *Store) checkTicket(ctx context.Context, in *TicketInput) (Deadlines, error) {
	if err := in.validate(s.now()); err != nil {
		return Deadlines{}, err
	}
	pol, err := s.SLAPolicy(ctx)
	if err != nil {
		return Deadlines{}, err
	}
	cal, err := s.Calendar(ctx)
	if err != nil {
		return Deadlines{}, err
	}
	dl, err := pol.Deadlines(cal, in.Kind, in.Severity, in.Urgent, in.OpenedAt)
	if err != nil {
		return Deadlines{}, err
	}
	return dl.WithRequested(in.RequestedBy), nil
}

func openTicketTx(ctx context.Context, tx *txn, st stamp, officeCode, actorID string, in TicketInput, dl Deadlines, loc *time.Location) (Ticket, error) {
	if err := checkVisit(ctx, tx, st.office, in.VisitID); err != nil {
		return Ticket{}, err
	}
	day := in.OpenedAt.In(loc).Format(time.DateOnly)
	// Numbers are per device and day: an enrolled device puts its tag
	// before the daily number (SH01-20261207-B003), so devices offline
	// on one day never print the same number.
	var seq int
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(seq), 0) + 1 FROM tickets WHERE device_id = ? AND day = ?`, st.device, day).Scan(&seq); err != nil {
		return Ticket{}, fmt.Errorf("ticket number: %w", err)
	}
	number := fmt.Sprintf("%s-%s-%s%03d", officeCode, strings.ReplaceAll(day, "-", ""), deviceTag(ctx, tx, st.device), seq)
	p := &ticketOpenPayloadV2{ticketOpenPayload: ticketOpenPayload{recStamp: newRecStamp(st, actorID), EventID: newIDAt(in.OpenedAt),
		Number: number, Day: day, Seq: seq, Kind: in.Kind, Category: in.Category, Severity: in.Severity, Urgent: in.Urgent, Valid: !in.Invalid,
		OpenedAt: ms(in.OpenedAt), OccurredAt: msOrZero(in.OccurredAt), Project: in.Project, Building: in.Building, Unit: in.Unit,
		Subject: in.Subject, Description: in.Description, Demand: in.Demand, CustomerName: in.CustomerName, Phone: in.Phone,
		Department: in.Department, VisitID: in.VisitID, HandoffID: in.HandoffID, Note: in.carriedOver, PolicyVersion: dl.PolicyVersion,
		EntryDue: msOrZero(dl.Entry), ResponseDue: msOrZero(dl.Response), EscalationDue: msOrZero(dl.Escalation), ResolutionDue: msOrZero(dl.Resolution)},
		AckDue: msOrZero(dl.Ack), RequestedDue: msOrZero(dl.Requested)}
	if err := record(ctx, tx, st.at, p); err != nil {
		return Ticket{}, err
	}
	return Ticket{ID: st.id, Number: number}, nil
}

// deviceTag is this device's one-letter tag from HQ ("" while it is not
// enrolled).
func deviceTag(ctx context.Context, tx *txn, device string) string {
	var tag string
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(tag, '') FROM device WHERE id = ?`, device).Scan(&tag); err != nil {
		return ""
	}
	return strings.ToUpper(strings.TrimSpace(tag))
}

func msOrZero(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return ms(t)
}

func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return ms(t)
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// eventPayload is the stored JSON of an event.
type eventPayload struct {
	To           string `json:"to,omitempty"`
	Level        int    `json:"level,omitempty"`
	Satisfaction int    `json:"satisfaction,omitempty"`
	Reason       string `json:"reason,omitempty"`
	Note         string `json:"note,omitempty"`
	From         int64  `json:"from,omitempty"`
	Due          int64  `json:"due,omitempty"`
	Auto         bool   `json:"auto,omitempty"`
	Valid        *bool  `json:"valid,omitempty"`
	Method       string `json:"method,omitempty"`
	Quality      string `json:"quality,omitempty"`
	Effect       string `json:"effect,omitempty"`
	Shortcomings string `json:"shortcomings,omitempty"`
	Suggestions  string `json:"suggestions,omitempty"`
}

func (ev TicketEvent) payload() eventPayload {
	p := eventPayload{To: ev.To, Level: ev.Level, Satisfaction: ev.Satisfaction, Reason: ev.Reason, Note: ev.Note, Auto: ev.Auto, Valid: ev.Valid,
		Method: ev.Revisit.Method, Quality: ev.Revisit.Quality, Effect: ev.Revisit.Effect, Shortcomings: ev.Revisit.Shortcomings, Suggestions: ev.Revisit.Suggestions}
	if !ev.From.IsZero() {
		p.From = ms(ev.From)
	}
	if !ev.Due.IsZero() {
		p.Due = ms(ev.Due)
	}
	return p
}

func (p eventPayload) apply(ev *TicketEvent) {
	ev.To, ev.Level, ev.Satisfaction, ev.Reason, ev.Note, ev.Auto, ev.Valid = p.To, p.Level, p.Satisfaction, p.Reason, p.Note, p.Auto, p.Valid
	ev.Revisit = RevisitNotes{Method: p.Method, Quality: p.Quality, Effect: p.Effect, Shortcomings: p.Shortcomings, Suggestions: p.Suggestions}
	if p.From != 0 {
		ev.From = fromMS(p.From)
	}
	if p.Due != 0 {
		ev.Due = fromMS(p.Due)
	}
}

// RevisitNotes are the revisit record's findings (回访记录表), carried by a
// "revisited" event.
type RevisitNotes struct {
	Method       string // phone / visit / sms
	Quality      string // the quality of the work
	Effect       string // the effect of the service
	Shortcomings string
	Suggestions  string
}

// RevisitMethods are the ways a revisit is made (translated as
// ticket.revisit.<method>).
var RevisitMethods = []string{"phone", "visit", "sms"}

func ticketEvents(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, ticketID string) ([]TicketEvent, error) {
	rows, err := q.QueryContext(ctx, `SELECT e.id, e.kind, e.at, COALESCE(e.created_by, ''), e.created_at, e.payload, COALESCE(s.name, ''), e.skipped
		FROM ticket_events e LEFT JOIN staff s ON s.id = e.created_by WHERE e.ticket_id = ? ORDER BY e.kind != 'opened', e.sync_ord, e.id`, ticketID)
	if err != nil {
		return nil, fmt.Errorf("ticket events: %w", err)
	}
	defer rows.Close()
	var out []TicketEvent
	for rows.Next() {
		var ev TicketEvent
		var at, rec int64
		var p string
		ev.Seq = len(out) + 1
		if err := rows.Scan(&ev.ID, &ev.Kind, &at, &ev.By, &rec, &p, &ev.ByName, &ev.Skipped); err != nil {
			return nil, fmt.Errorf("ticket events: %w", err)
		}
		ev.At, ev.RecordedAt = fromMS(at), fromMS(rec)
		var pl eventPayload
		if err := json.Unmarshal([]byte(p), &pl); err != nil {
			return nil, fmt.Errorf("ticket event %s: %w", ev.ID, err)
		}
		pl.apply(&ev)
		out = append(out, ev)
	}
	return out, rows.Err()
}

// TicketEvents is a ticket's history in sync order (HQ's order, then this
// device's changes HQ has not ordered yet), with who recorded each event
// and whether the derivation skipped it (Skipped).
func (s *Store) TicketEvents(ctx context.Context, ticketID string) ([]TicketEvent, error) {
	return ticketEvents(ctx, s.db, ticketID)
}

// mayAct says who may add an event of kind: notes and revisits anyone
// active; everything else the owner, a supervisor or an admin.
func mayAct(kind string, actor Staff, ownerID string) bool {
	switch kind {
	case EvNote, EvRevisited:
		return true
	}
	return actor.ID == ownerID || actor.Role == RoleSupervisor || actor.Role == RoleAdmin
}

// AddTicketEvent records what happened to a ticket and returns the ticket
// as it now stands. ev.Kind is any event but "opened"; ev.At zero means
// now. An event before the ticket's last event, or more than
// TicketClockSkew in the future, is refused (err.ticket.backdated /
// err.ticket.future); so is one the transition table refuses
// (err.ticket.cannot.<kind>). Payload by kind: assigned → To (an active
// staff member, the new owner); escalated → Level (1 supervisor, 2
// leadership) and optionally To; revisited → Satisfaction 1–5 and
// Revisit notes; closed → Reason (CloseReasons); Note on any.
//
// The store adds events of its own in the same transaction: "resolved"
// schedules the revisit the kind requires (revisit_scheduled with its
// window); a revisit scored UnsatisfiedMax or less escalates one level
// and reopens the ticket. Notes and revisits may be added by any active
// staff member, everything else by the owner, a supervisor or an admin.
func (s *Store) AddTicketEvent(ctx context.Context, actorID, ticketID string, ev TicketEvent) (Ticket, error) {
	var e *Error
	if ev.Note, e = cleanText("note", ev.Note, MaxTicketNoteLen); e != nil {
		return Ticket{}, e
	}
	for _, f := range []struct {
		name string
		v    *string
	}{{"quality", &ev.Revisit.Quality}, {"effect", &ev.Revisit.Effect}, {"shortcomings", &ev.Revisit.Shortcomings}, {"suggestions", &ev.Revisit.Suggestions}} {
		if *f.v, e = cleanText(f.name, *f.v, MaxTicketNoteLen); e != nil {
			return Ticket{}, e
		}
	}
	if ev.Revisit.Method != "" && !contains(RevisitMethods, ev.Revisit.Method) {
		return Ticket{}, invalid("method", "err.ticket.revisit_method", nil)
	}
	if ev.Kind == EvOpened || !contains(TicketEventKinds, ev.Kind) {
		return Ticket{}, invalid("event", "err.ticket.event_kind", nil)
	}
	now := s.now()
	if ev.At.IsZero() {
		ev.At = now
	}
	if ev.At.After(now.Add(TicketClockSkew)) {
		return Ticket{}, invalid("at", "err.ticket.future", nil)
	}
	err := s.tx(ctx, func(tx *txn) error {
		actor, err := requireActor(ctx, tx, actorID, anyRole)
		if err != nil {
			return err
		}
		st, err := s.stamp()
		if err != nil {
			return err
		}
		var kind, owner, phone string
		var revisitFrom, revisitTo int64
		err = tx.QueryRowContext(ctx, `SELECT kind, COALESCE(owner_id, ''), phone, COALESCE(revisit_from, 0), COALESCE(revisit_to, 0) FROM tickets WHERE id = ? AND office_id = ?`, ticketID, st.office).
			Scan(&kind, &owner, &phone, &revisitFrom, &revisitTo)
		if isNoRows(err) {
			return &Error{Code: ENOTFOUND, Key: "err.ticket.not_found"}
		}
		if err != nil {
			return fmt.Errorf("find ticket: %w", err)
		}
		if !mayAct(ev.Kind, actor, owner) {
			return &Error{Code: EFORBIDDEN, Key: "err.ticket.not_owner"}
		}
		if ev.Kind == EvRevisited && revisitFrom > 0 && ev.At.Before(fromMS(revisitFrom)) {
			// A repair is revisited once it has stood a week: earlier, the
			// revisit cannot tell whether the repair held (docs/guide.md,
			// Revisit rates). Refused rather than recorded and not counted.
			return invalid("at", "err.ticket.revisit_early", map[string]any{
				"From": fromMS(revisitFrom).In(s.Location()).Format("2006-01-02 15:04"),
				"To":   fromMS(revisitTo).In(s.Location()).Format("2006-01-02")})
		}
		if ev.Revisit.Method == "sms" && phone != "" && !IsMobile(phone) { // an SMS needs a mobile
			return invalid("method", "err.revisit.sms_landline", nil)
		}
		if ev.To != "" {
			to, err := findStaff(ctx, tx, ev.To)
			if err != nil || !to.Active {
				return invalid("owner", "err.ticket.owner", nil)
			}
		}
		_, err = appendTicketEvents(ctx, tx, st, ticketID, kind, actorID, ev)
		return err
	})
	if err != nil {
		return Ticket{}, err
	}
	return s.Ticket(ctx, actorID, ticketID)
}

// appendTicketEvents adds ev (and the events it implies) to a ticket,
// checking each against the ticket's current state, and records each
// (outbox row + apply, which re-derives the stored state).
func appendTicketEvents(ctx context.Context, tx *txn, st stamp, ticketID, kind, actorID string, ev TicketEvent) (TicketStatus, error) {
	events, err := ticketEvents(ctx, tx, ticketID)
	if err != nil {
		return TicketStatus{}, err
	}
	if len(events) == 0 {
		return TicketStatus{}, errorf(EINTERNAL, "err.internal", "ticket %s has no events", ticketID)
	}
	cur := FoldTicket(kind, events)
	if ev.At.Before(cur.LastEventAt) || ev.At.Before(events[0].At) {
		return TicketStatus{}, &Error{Code: EINVALID, Field: "at", Key: "err.ticket.backdated"}
	}
	ev.By, ev.RecordedAt = actorID, fromMS(st.at)
	add := []TicketEvent{ev}
	switch {
	case ev.Kind == EvResolved && NeedsRevisit(kind):
		// The window of the policy the ticket was opened under.
		var v int
		if err := tx.QueryRowContext(ctx, `SELECT policy_version FROM tickets WHERE id = ?`, ticketID).Scan(&v); err != nil {
			return TicketStatus{}, fmt.Errorf("ticket policy: %w", err)
		}
		pol, err := policyOf(ctx, tx, v)
		if e, is := AsError(err); is && e.Code == ENOTFOUND {
			pol, err = policyOf(ctx, tx, 0) // a version this device never received: the one in force
		}
		if err != nil {
			return TicketStatus{}, err
		}
		from, due, ok := pol.Service.RevisitWindow(kind, ev.At, tx.s.Location())
		if !ok {
			break
		}
		add = append(add, TicketEvent{Kind: EvRevisitScheduled, At: ev.At, By: actorID, RecordedAt: ev.RecordedAt, From: from, Due: due, Auto: true})
	case ev.Kind == EvRevisited && ev.Satisfaction >= 1 && ev.Satisfaction <= UnsatisfiedMax:
		level := min(EscalateLeadership, cur.Escalation+1)
		add = append(add,
			TicketEvent{Kind: EvEscalated, At: ev.At, By: actorID, RecordedAt: ev.RecordedAt, Level: level, Auto: true},
			TicketEvent{Kind: EvReopened, At: ev.At, By: actorID, RecordedAt: ev.RecordedAt, Auto: true})
	}
	state := cur.State
	for i := range add {
		if state, err = NextTicketState(kind, state, add[i]); err != nil {
			return TicketStatus{}, err
		}
		if i == 0 {
			add[i].ID = st.id
		} else {
			add[i].ID = newID()
		}
	}
	for _, a := range add {
		rs := newRecStamp(st, actorID)
		rs.ID = a.ID
		p := &ticketEventPayload{recStamp: rs, TicketID: ticketID, Kind: a.Kind, At: ms(a.At), Data: a.payload()}
		if err := record(ctx, tx, st.at, p); err != nil {
			return TicketStatus{}, err
		}
	}
	return FoldTicket(kind, append(events, add...)), nil
}

func storeTicketStatus(ctx context.Context, tx *txn, id string, s TicketStatus) error {
	sat := any(nil)
	if s.Satisfaction > 0 {
		sat = s.Satisfaction
	}
	_, err := tx.ExecContext(ctx, `UPDATE tickets SET state = ?, valid = ?, owner_id = ?, escalation = ?, acknowledged_at = ?, responded_at = ?,
		resolved_at = ?, revisit_from = ?, revisit_to = ?, revisited_at = ?, satisfaction = ?, closed_at = ?, close_reason = ?, reopened = ?,
		last_event_at = ?, last_seq = ? WHERE id = ?`,
		string(s.State), boolInt(s.Valid), nullStr(s.OwnerID), s.Escalation, nullTime(s.Acknowledged), nullTime(s.Responded),
		nullTime(s.Resolved), nullTime(s.RevisitFrom), nullTime(s.RevisitTo), nullTime(s.Revisited), sat, nullTime(s.Closed), s.CloseReason, s.Reopened,
		ms(s.LastEventAt), s.LastSeq, id)
	if err != nil {
		return fmt.Errorf("store ticket status: %w", err)
	}
	return nil
}

const ticketCols = `t.id, t.number, t.kind, t.category, t.severity, t.urgent, t.opened_at, COALESCE(t.occurred_at, 0), t.project, t.building, t.unit,
	t.subject, t.description, t.demand, t.customer_name, t.phone, t.department, COALESCE(t.visit_id, ''), COALESCE(t.handoff_id, ''),
	t.created_at, COALESCE(t.created_by, ''), t.policy_version, COALESCE(t.entry_due, 0), COALESCE(t.response_due, 0), COALESCE(t.escalation_due, 0),
	COALESCE(t.resolution_due, 0), t.state, t.valid, COALESCE(t.owner_id, ''), t.escalation, COALESCE(t.acknowledged_at, 0), COALESCE(t.responded_at, 0),
	COALESCE(t.resolved_at, 0), COALESCE(t.revisit_from, 0), COALESCE(t.revisit_to, 0), COALESCE(t.revisited_at, 0), COALESCE(t.satisfaction, 0),
	COALESCE(t.closed_at, 0), t.close_reason, t.reopened, t.last_event_at, t.last_seq, COALESCE(o.name, ''), COALESCE(t.ack_due, 0),
	COALESCE(t.requested_due, 0)`

// msTime is a stored time, 0 meaning none.
func msTime(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return fromMS(v)
}

func scanTicket(sc interface{ Scan(...any) error }) (Ticket, error) {
	var t Ticket
	var urgent, valid bool
	var opened, occurred, created, entry, resp, esc, res, ack, responded, resolved, rf, rt, rv, closed, last, ackDue, requested int64
	var state string
	err := sc.Scan(&t.ID, &t.Number, &t.Kind, &t.Category, &t.Severity, &urgent, &opened, &occurred, &t.Project, &t.Building, &t.Unit,
		&t.Subject, &t.Description, &t.Demand, &t.CustomerName, &t.Phone, &t.Department, &t.VisitID, &t.HandoffID,
		&created, &t.CreatedBy, &t.Deadlines.PolicyVersion, &entry, &resp, &esc, &res, &state, &valid, &t.OwnerID, &t.Escalation,
		&ack, &responded, &resolved, &rf, &rt, &rv, &t.Satisfaction, &closed, &t.CloseReason, &t.Reopened, &last, &t.LastSeq, &t.OwnerName,
		&ackDue, &requested)
	if err != nil {
		return t, err
	}
	t.Urgent, t.Valid, t.Invalid, t.State = urgent, valid, !valid, TicketState(state)
	t.OpenedAt, t.OccurredAt, t.CreatedAt = fromMS(opened), msTime(occurred), fromMS(created)
	t.Deadlines.Entry, t.Deadlines.Response, t.Deadlines.Escalation, t.Deadlines.Resolution = msTime(entry), msTime(resp), msTime(esc), msTime(res)
	t.Deadlines.Ack, t.Deadlines.Requested, t.RequestedBy = msTime(ackDue), msTime(requested), msTime(requested)
	t.Acknowledged, t.Responded, t.Resolved = msTime(ack), msTime(responded), msTime(resolved)
	t.RevisitFrom, t.RevisitTo, t.Revisited, t.Closed, t.LastEventAt = msTime(rf), msTime(rt), msTime(rv), msTime(closed), fromMS(last)
	return t, nil
}

// Ticket reads one ticket as actorID may see it: the full phone number for
// roles that may see it (receptionists, supervisors, admins; a consultant
// only for a ticket they opened or own), masked otherwise.
func (s *Store) Ticket(ctx context.Context, actorID, id string) (Ticket, error) {
	_, o, err := s.ids()
	if err != nil {
		return Ticket{}, err
	}
	t, err := scanTicket(s.db.QueryRowContext(ctx, `SELECT `+ticketCols+` FROM tickets t LEFT JOIN staff o ON o.id = t.owner_id
		WHERE t.id = ? AND t.office_id = ?`, id, o.ID))
	if isNoRows(err) {
		return Ticket{}, &Error{Code: ENOTFOUND, Key: "err.ticket.not_found"}
	}
	if err != nil {
		return Ticket{}, fmt.Errorf("ticket: %w", err)
	}
	actor, err := s.StaffByID(ctx, actorID)
	if err != nil || !actor.Role.SeesFullPhone(actor.ID == t.OwnerID || actor.ID == t.CreatedBy) {
		t.Phone = MaskPhone(t.Phone)
	}
	if err := s.ticketEstimatedYears(ctx, &t); err != nil {
		return Ticket{}, err
	}
	if !t.RevisitTo.IsZero() {
		sp, err := s.ServicePolicy(ctx)
		if err != nil {
			return Ticket{}, err
		}
		t.SupervisorAt = t.RevisitTo.Add(sp.SupervisorAfter())
	}
	return t, nil
}

// TicketByNumber finds a ticket by its human number (SH01-20261123-003).
func (s *Store) TicketByNumber(ctx context.Context, actorID, number string) (Ticket, error) {
	var id string
	err := s.db.QueryRowContext(ctx, `SELECT id FROM tickets WHERE number = ?`, strings.ToUpper(strings.TrimSpace(number))).Scan(&id)
	if isNoRows(err) {
		return Ticket{}, &Error{Code: ENOTFOUND, Key: "err.ticket.not_found"}
	}
	if err != nil {
		return Ticket{}, fmt.Errorf("ticket by number: %w", err)
	}
	return s.Ticket(ctx, actorID, id)
}

// OpenTicketFromHandoff turns a FAQ hand-off (a question not answered
// here) into an inquiry ticket: kind inquiry, opened when the question was
// handed off, the question as the description unless in.Description says
// more, the customer of the hand-off's visit unless in names one. The
// hand-off records the ticket (consult_handoffs.ticket_id); a hand-off
// already made a ticket is refused (err.ticket.handoff_taken). Inquiry
// deadlines apply (an answer within 24 h).
func (s *Store) OpenTicketFromHandoff(ctx context.Context, actorID, handoffID string, in TicketInput) (Ticket, error) {
	_, office, err := s.ids()
	if err != nil {
		return Ticket{}, err
	}
	var question, visitID, ticketID string
	var created int64
	err = s.db.QueryRowContext(ctx, `SELECT question, COALESCE(visit_id, ''), COALESCE(ticket_id, ''), created_at FROM consult_handoffs WHERE id = ? AND office_id = ?`,
		handoffID, office.ID).Scan(&question, &visitID, &ticketID, &created)
	if isNoRows(err) {
		return Ticket{}, &Error{Code: ENOTFOUND, Key: "err.faq.handoff_not_found"}
	}
	if err != nil {
		return Ticket{}, fmt.Errorf("find handoff: %w", err)
	}
	if ticketID != "" {
		return Ticket{}, &Error{Code: ECONFLICT, Key: "err.ticket.handoff_taken"}
	}
	in.Kind, in.HandoffID = TicketInquiry, handoffID
	if in.Severity == "" {
		in.Severity = SeverityGeneral
	}
	if in.Category == "" {
		in.Category = CatService
	}
	if strings.TrimSpace(in.Description) == "" {
		in.Description = question
	}
	if in.VisitID == "" {
		in.VisitID = visitID
	}
	if in.OpenedAt.IsZero() {
		in.OpenedAt = fromMS(created)
	}
	if in.VisitID != "" && strings.TrimSpace(in.CustomerName) == "" && strings.TrimSpace(in.Phone) == "" {
		_ = s.db.QueryRowContext(ctx, `SELECT v.name, r.phone FROM visits v JOIN visitors r ON r.id = v.visitor_id WHERE v.id = ?`, in.VisitID).Scan(&in.CustomerName, &in.Phone)
	}
	dl, err := s.checkTicket(ctx, &in)
	if err != nil {
		return Ticket{}, err
	}
	var t Ticket
	err = s.actorTx(ctx, actorID, anyRole, func(tx *txn, st stamp) error {
		res, err := tx.ExecContext(ctx, `UPDATE consult_handoffs SET ticket_id = ? WHERE id = ? AND ticket_id IS NULL`, st.id, handoffID)
		if err != nil {
			return fmt.Errorf("link handoff: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return &Error{Code: ECONFLICT, Key: "err.ticket.handoff_taken"}
		}
		t, err = openTicketTx(ctx, tx, st, office.Code, actorID, in, dl, s.Location())
		return err
	})
	if err != nil {
		return Ticket{}, err
	}
	return s.Ticket(ctx, actorID, t.ID)
}

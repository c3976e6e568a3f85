package data

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// The ticket mutations: ticket.open (the ticket as recorded at opening,
// with its "opened" event) and ticket.event (every later event). A
// ticket's state is derived from its events in sync order (sync_ord):
// the same events give the same state on every device, whatever order
// they arrived in. An event the transition table refuses at its place
// in that order is kept, flagged skipped, and left out of the fold.

// textTooLong reports a payload text over max characters.
func textTooLong(field, v string, max int) *Error {
	if n := len([]rune(v)); n > max {
		return invalid(field, "err.field.too_long", map[string]any{"Max": max, "Len": n})
	}
	return nil
}

// ticketOpenPayload is ticket.open v1: the ticket as recorded at opening.
// Times are Unix milliseconds; 0 means none.
type ticketOpenPayload struct {
	recStamp
	EventID string `json:"event_id"` // the "opened" event

	Number string `json:"number"`
	Day    string `json:"day"`
	Seq    int    `json:"seq"`

	Kind       string `json:"kind"`
	Category   string `json:"category"`
	Severity   string `json:"severity"`
	Urgent     bool   `json:"urgent"`
	Valid      bool   `json:"valid"`
	OpenedAt   int64  `json:"opened_at"`
	OccurredAt int64  `json:"occurred_at"`

	Project      string `json:"project"`
	Building     string `json:"building"`
	Unit         string `json:"unit"`
	Subject      string `json:"subject"`
	Description  string `json:"description"`
	Demand       string `json:"demand"`
	CustomerName string `json:"customer_name"`
	Phone        string `json:"phone"`
	Department   string `json:"department"`
	VisitID      string `json:"visit_id"`
	HandoffID    string `json:"handoff_id"`
	Note         string `json:"note"` // of the opened event (where a carried-over ticket came from)

	PolicyVersion int   `json:"policy_version"`
	EntryDue      int64 `json:"entry_due"`
	ResponseDue   int64 `json:"response_due"`
	EscalationDue int64 `json:"escalation_due"`
	ResolutionDue int64 `json:"resolution_due"`
}

// ticketOpenPayloadV2 is ticket.open v2: v1 with the acknowledgement
// deadline and the owner's requested deadline (0: none; the resolution
// deadline already is the sooner of the policy's and the requested one).
// Devices write v2; v1 from older devices still applies (no
// acknowledgement deadline, nothing requested).
type ticketOpenPayloadV2 struct {
	ticketOpenPayload
	AckDue       int64 `json:"ack_due"`
	RequestedDue int64 `json:"requested_due"`
}

// ticketEventPayload is ticket.event v1: one event of a ticket after its
// opening. Data holds the fields of its kind.
type ticketEventPayload struct {
	recStamp
	TicketID string       `json:"ticket_id"`
	Kind     string       `json:"kind"`
	At       int64        `json:"at"`
	Data     eventPayload `json:"data"`
}

func init() {
	registerMutation[ticketOpenPayload](MutationSpec{Name: MutTicketOpen, Version: 1, Entity: "ticket", Owner: OwnerOffice, Rank: rankRecord})
	registerMutation[ticketOpenPayloadV2](MutationSpec{Name: MutTicketOpen, Version: 2, Entity: "ticket", Owner: OwnerOffice, Rank: rankRecord, MinSchema: 13})
	registerMutation[ticketEventPayload](MutationSpec{Name: MutTicketEvent, Version: 1, Entity: "ticket_event", Owner: OwnerOffice, Rank: rankEvent})
}

func (p *ticketOpenPayload) spec() *MutationSpec { return specOf(MutTicketOpen, 1) }
func (p *ticketOpenPayload) refs() []Ref {
	var r []Ref
	if p.VisitID != "" {
		r = append(r, Ref{Entity: "visit", ID: p.VisitID})
	}
	if p.HandoffID != "" {
		r = append(r, Ref{Entity: "consult_handoff", ID: p.HandoffID})
	}
	return r
}

func (p *ticketOpenPayload) validate() error {
	if err := p.check(); err != nil {
		return err
	}
	if err := checkIDs("event_id", p.EventID); err != nil {
		return err
	}
	for _, f := range [][2]string{{"visit_id", p.VisitID}, {"handoff_id", p.HandoffID}} {
		if err := checkUUID(f[0], f[1], false); err != nil {
			return err
		}
	}
	if err := checkChoice("kind", p.Kind, TicketKinds...); err != nil {
		return err
	}
	if err := checkChoice("category", p.Category, TicketCategories...); err != nil {
		return err
	}
	if err := checkChoice("severity", p.Severity, Severities...); err != nil {
		return err
	}
	if err := checkDay("day", p.Day, true); err != nil {
		return err
	}
	if p.Seq < 1 || p.Number == "" || len(p.Number) > 40 {
		return invalid("number", "err.field.required", nil)
	}
	if p.OpenedAt <= 0 {
		return invalid("opened_at", "err.field.required", nil)
	}
	if p.PolicyVersion < 1 {
		return invalid("policy_version", "err.field.required", nil)
	}
	if strings.TrimSpace(p.Description) == "" {
		return invalid("description", "err.field.required", nil)
	}
	for _, f := range []struct {
		name, v string
		max     int
	}{{"project", p.Project, MaxTicketPlaceLen}, {"building", p.Building, MaxTicketPlaceLen}, {"unit", p.Unit, MaxTicketPlaceLen},
		{"department", p.Department, MaxTicketPlaceLen}, {"subject", p.Subject, MaxTicketSubject}, {"description", p.Description, MaxTicketTextLen},
		{"demand", p.Demand, MaxTicketNoteLen}, {"customer_name", p.CustomerName, MaxNameLen + 4}, {"phone", p.Phone, 20}, {"note", p.Note, MaxTicketNoteLen}} {
		if err := textTooLong(f.name, f.v, f.max); err != nil {
			return err
		}
	}
	return nil
}

func (p *ticketOpenPayload) apply(ctx context.Context, tx *txn, ac applyCtx) error {
	number := p.Number
	var other string
	err := tx.QueryRowContext(ctx, `SELECT id FROM tickets WHERE number = ?`, number).Scan(&other)
	switch {
	case err == nil && other != p.ID:
		// Numbers are unique per device by construction; should two ever
		// meet (an old standalone history), the later arrival shows which.
		number += "~" + p.ID[len(p.ID)-4:]
	case err != nil && !isNoRows(err):
		return fmt.Errorf("ticket number: %w", err)
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO tickets (id, office_id, device_id, created_at, created_by, number, day, seq, kind, opened_at, occurred_at,
		project, building, unit, subject, description, demand, customer_name, phone, category, severity, urgent, department, visit_id, handoff_id,
		policy_version, entry_due, response_due, escalation_due, resolution_due, state, valid, owner_id, last_event_at, last_seq)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, ?, ?, 1)
		ON CONFLICT (id) DO NOTHING`,
		p.ID, p.OfficeID, p.DeviceID, p.CreatedAt, nullStr(p.CreatedBy), number, p.Day, p.Seq, p.Kind, p.OpenedAt, nullMSArg(p.OccurredAt),
		p.Project, p.Building, p.Unit, p.Subject, p.Description, p.Demand, p.CustomerName, p.Phone, p.Category, p.Severity, boolInt(p.Urgent),
		p.Department, nullStr(p.VisitID), nullStr(p.HandoffID), p.PolicyVersion, nullMSArg(p.EntryDue), nullMSArg(p.ResponseDue),
		nullMSArg(p.EscalationDue), nullMSArg(p.ResolutionDue), boolInt(p.Valid), nullStr(p.CreatedBy), p.OpenedAt)
	if err != nil {
		return fmt.Errorf("insert ticket: %w", err)
	}
	if p.HandoffID != "" {
		if _, err := tx.ExecContext(ctx, `UPDATE consult_handoffs SET ticket_id = ? WHERE id = ? AND ticket_id IS NULL`, p.ID, p.HandoffID); err != nil {
			return fmt.Errorf("link handoff: %w", err)
		}
	}
	valid := p.Valid
	data := eventPayload{Note: p.Note, Valid: &valid}
	if err := insertTicketEventRow(ctx, tx, ac, p.EventID, p.OfficeID, p.DeviceID, p.CreatedAt, p.CreatedBy, p.ID, EvOpened, p.OpenedAt, data); err != nil {
		return err
	}
	return ac.rederive(ctx, tx, derivedTicket, p.ID, "", 0)
}

func (p *ticketOpenPayloadV2) spec() *MutationSpec { return specOf(MutTicketOpen, 2) }

func (p *ticketOpenPayloadV2) validate() error {
	if err := p.ticketOpenPayload.validate(); err != nil {
		return err
	}
	if p.AckDue < 0 || p.RequestedDue < 0 {
		return invalid("ack_due", "err.sync.payload", nil)
	}
	if p.RequestedDue > 0 && (p.ResolutionDue <= 0 || p.ResolutionDue > p.RequestedDue) {
		// the resolution deadline is the sooner of the two
		return invalid("requested_due", "err.sync.payload", nil)
	}
	return nil
}

func (p *ticketOpenPayloadV2) apply(ctx context.Context, tx *txn, ac applyCtx) error {
	if err := p.ticketOpenPayload.apply(ctx, tx, ac); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE tickets SET ack_due = ?, requested_due = ? WHERE id = ?`,
		nullMSArg(p.AckDue), nullMSArg(p.RequestedDue), p.ID); err != nil {
		return fmt.Errorf("insert ticket: %w", err)
	}
	return nil
}

func nullMSArg(v int64) any {
	if v == 0 {
		return nil
	}
	return v
}

func (p *ticketEventPayload) spec() *MutationSpec { return specOf(MutTicketEvent, 1) }
func (p *ticketEventPayload) refs() []Ref {
	r := []Ref{{Entity: "ticket", ID: p.TicketID}}
	if p.Data.To != "" { // assigned or transferred to a staff member
		r = append(r, Ref{Entity: "staff", ID: p.Data.To})
	}
	return r
}

func (p *ticketEventPayload) validate() error {
	if err := p.check(); err != nil {
		return err
	}
	if err := checkIDs("ticket_id", p.TicketID); err != nil {
		return err
	}
	if err := checkUUID("to", p.Data.To, false); err != nil {
		return err
	}
	if p.Kind == EvOpened || !contains(TicketEventKinds, p.Kind) {
		return invalid("kind", "err.ticket.event_kind", nil)
	}
	if p.At <= 0 {
		return invalid("at", "err.field.required", nil)
	}
	d := p.Data
	if d.Method != "" && !contains(RevisitMethods, d.Method) {
		return invalid("method", "err.ticket.revisit_method", nil)
	}
	for _, f := range [][2]string{{"reason", d.Reason}, {"note", d.Note}, {"quality", d.Quality}, {"effect", d.Effect},
		{"shortcomings", d.Shortcomings}, {"suggestions", d.Suggestions}} {
		if err := textTooLong(f[0], f[1], MaxTicketNoteLen); err != nil {
			return err
		}
	}
	// The payload checks of the transition table (reason, level, score,
	// window) hold wherever the event lands.
	ev := TicketEvent{Kind: p.Kind}
	d.apply(&ev)
	if _, err := NextTicketState(TicketComplaint, anyStateFor(p.Kind), ev); err != nil {
		var e *Error
		if errors.As(err, &e) && e.Code == EINVALID {
			return e
		}
	}
	return nil
}

// anyStateFor is a state in which kind is allowed, for checking an
// event's payload apart from its place.
func anyStateFor(kind string) TicketState {
	for _, st := range TicketStates {
		if _, ok := ticketTransitions[st][kind]; ok {
			return st
		}
	}
	return StateOpen
}

func (p *ticketEventPayload) apply(ctx context.Context, tx *txn, ac applyCtx) error {
	if err := insertTicketEventRow(ctx, tx, ac, p.ID, p.OfficeID, p.DeviceID, p.CreatedAt, p.CreatedBy, p.TicketID, p.Kind, p.At, p.Data); err != nil {
		return err
	}
	return ac.rederive(ctx, tx, derivedTicket, p.TicketID, "", 0)
}

// insertTicketEventRow writes an event once; applying it again with an
// earlier place (HQ's order replacing the device's pending one) moves it.
func insertTicketEventRow(ctx context.Context, tx *txn, ac applyCtx, id, office, device string, created int64, by, ticketID, kind string, at int64, data eventPayload) error {
	b, _ := json.Marshal(data)
	if _, err := tx.ExecContext(ctx, `INSERT INTO ticket_events (id, office_id, device_id, created_at, created_by, ticket_id, seq, kind, at, payload, sync_ord)
		VALUES (?, ?, ?, ?, ?, ?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM ticket_events WHERE ticket_id = ?), ?, ?, ?, ?)
		`+keepEarliestOrd,
		id, office, device, created, nullStr(by), ticketID, ticketID, kind, at, string(b), ac.ord); err != nil {
		return fmt.Errorf("insert ticket event: %w", err)
	}
	return nil
}

// rederiveTicket folds a ticket's events in sync order into its stored
// state and marks the events the fold skipped.
func rederiveTicket(ctx context.Context, tx *txn, ticketID string) error {
	var kind string
	if err := tx.QueryRowContext(ctx, `SELECT kind FROM tickets WHERE id = ?`, ticketID).Scan(&kind); err != nil {
		if isNoRows(err) {
			return nil // an event whose ticket has not arrived: folded when it does
		}
		return fmt.Errorf("derive ticket: %w", err)
	}
	events, err := ticketEvents(ctx, tx, ticketID)
	if err != nil {
		return err
	}
	was := make([]bool, len(events))
	for i := range events {
		was[i] = events[i].Skipped
	}
	status := FoldTicket(kind, events)
	for i, ev := range events {
		if ev.Skipped != was[i] {
			if _, err := tx.ExecContext(ctx, `UPDATE ticket_events SET skipped = ? WHERE id = ?`, boolInt(ev.Skipped), ev.ID); err != nil {
				return fmt.Errorf("derive ticket: %w", err)
			}
		}
	}
	return storeTicketStatus(ctx, tx, ticketID, status)
}

// FoldTicket derives a ticket's status from its events in sync order (as
// TicketEvents returns them). Unlike DeriveTicket it never fails: an
// event the transition table refuses where it stands is marked Skipped
// and left out, and event times need not increase (they come from
// device clocks). Seq is set to each event's place, from 1.
func FoldTicket(kind string, events []TicketEvent) TicketStatus {
	var st TicketStatus
	for i := range events {
		ev := &events[i]
		ev.Seq = i + 1
		next, err := NextTicketState(kind, st.State, *ev)
		ev.Skipped = err != nil
		if err != nil {
			continue
		}
		foldEvent(&st, *ev)
		st.State = next
		if ev.At.After(st.LastEventAt) {
			st.LastEventAt = ev.At
		}
		st.LastSeq = ev.Seq
	}
	if n := len(events); n > 0 {
		st.LastSeq = n
	}
	return st
}

// foldEvent applies an allowed event's effect on the status (not the state).
func foldEvent(st *TicketStatus, ev TicketEvent) {
	switch ev.Kind {
	case EvOpened:
		st.OwnerID = ev.By
		st.Valid = ev.Valid == nil || *ev.Valid
	case EvAcknowledged:
		st.Acknowledged = ev.At
	case EvAssigned:
		st.OwnerID = ev.To
	case EvEscalated:
		st.Escalation = max(st.Escalation, ev.Level)
	case EvResponded:
		if st.Responded.IsZero() {
			st.Responded = ev.At
		}
	case EvResolved:
		st.Resolved = ev.At
	case EvRevisitScheduled:
		st.RevisitFrom, st.RevisitTo = ev.From, ev.Due
	case EvRevisited:
		st.Revisited, st.Satisfaction = ev.At, ev.Satisfaction
	case EvClosed:
		st.Closed, st.CloseReason = ev.At, ev.Reason
		if ev.Reason == CloseInvalid {
			st.Valid = false
		}
	case EvReopened:
		st.Reopened++
		st.Closed, st.CloseReason = time.Time{}, ""
	}
}

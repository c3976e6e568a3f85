package data

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"
)

// Which deadline a ticket must meet next (translated as ticket.deadline.<name>).
const (
	DeadlineAck        = "ack" // acknowledgement (initial handling)
	DeadlineResponse   = "response"
	DeadlineResolution = "resolution"
	DeadlineRevisit    = "revisit"
)

// TicketFilter selects tickets for TicketList. Zero fields select all.
type TicketFilter struct {
	From, To time.Time   // opened in [From, To)
	Kind     string      // TicketKinds
	Category string      // TicketCategories
	Severity string      // Severities
	State    TicketState // one state
	OpenOnly bool        // anything not closed
	OwnerID  string
	Mine     string // a staff id: only tickets they own or opened (a consultant's view)
	Query    string // part of the number, customer name, unit or description
	Phone    string // the customer's whole number, E.164
	Limit    int    // 0 = 1000
}

// TicketRow is a ticket as lists show it, with its due state at the time
// of the query. Phone is always masked.
type TicketRow struct {
	ID, Number, Kind, Category, Severity string
	Urgent, Valid                        bool
	State                                TicketState
	OpenedAt                             time.Time
	CustomerName, Phone                  string // Phone masked
	Project, Building, Unit              string
	Subject, Summary, Department         string // Summary: the start of what happened
	OwnerID, OwnerName                   string
	Escalation                           int
	Satisfaction                         int
	PolicyVersion                        int

	Next    string    // the deadline to meet next: DeadlineResponse, DeadlineResolution, DeadlineRevisit or ""
	NextDue time.Time // its time
	Due     DueState  // how it stands now (ok / due_soon / overdue)

	EntryLate           bool // entered into the system after the entry deadline
	EscalationSuggested bool // the escalation deadline passed and nobody escalated it
	RevisitOverdue      bool // more than the policy's SupervisorDays past the revisit window: the supervisor follows up
}

// ticketDueFields are what the due state is computed from.
type ticketDueFields struct {
	State                                        TicketState
	OpenedAt, CreatedAt                          time.Time
	Entry, Ack, Response, Escalation, Resolution time.Time
	Acknowledged, Responded, Resolved            time.Time
	RevisitFrom, RevisitTo                       time.Time
	Escalated                                    int
}

// ticketDue is the pure due-state computation of a list row: the earliest
// unmet deadline among the acknowledgement (until the owner takes it up,
// replies or resolves it), the response (until the first reply) and the
// resolution (until resolved); for a revisit due, the revisit window's end.
func ticketDue(f ticketDueFields, now time.Time, supervisor time.Duration) (next string, due time.Time, state DueState, escalate, revisitOverdue bool) {
	switch f.State {
	case StateClosed, StateRevisited, StateResolved:
		return "", time.Time{}, DueNone, false, false
	case StateRevisitDue:
		return DeadlineRevisit, f.RevisitTo, Due(f.RevisitFrom, f.RevisitTo, now), false, now.After(f.RevisitTo.Add(supervisor))
	}
	if !f.Ack.IsZero() && f.Acknowledged.IsZero() && f.Responded.IsZero() && f.Resolved.IsZero() {
		next, due = DeadlineAck, f.Ack
	}
	if f.Responded.IsZero() && !f.Response.IsZero() && (due.IsZero() || f.Response.Before(due)) {
		next, due = DeadlineResponse, f.Response
	}
	if f.Resolved.IsZero() && !f.Resolution.IsZero() && (due.IsZero() || f.Resolution.Before(due)) {
		next, due = DeadlineResolution, f.Resolution
	}
	escalate = f.Escalated == 0 && !f.Escalation.IsZero() && !now.Before(f.Escalation)
	return next, due, Due(f.OpenedAt, due, now), escalate, false
}

// TicketList lists tickets matching f, newest first, with their due
// states now.
func (s *Store) TicketList(ctx context.Context, f TicketFilter) ([]TicketRow, error) {
	_, o, err := s.ids()
	if err != nil {
		return nil, err
	}
	where := []string{"t.office_id = ?"}
	args := []any{o.ID}
	if !f.From.IsZero() {
		where, args = append(where, "t.opened_at >= ?"), append(args, ms(f.From))
	}
	if !f.To.IsZero() {
		where, args = append(where, "t.opened_at < ?"), append(args, ms(f.To))
	}
	for _, c := range []struct{ col, v string }{{"t.kind", f.Kind}, {"t.category", f.Category}, {"t.severity", f.Severity},
		{"t.state", string(f.State)}, {"t.owner_id", f.OwnerID}} {
		if c.v != "" {
			where, args = append(where, c.col+" = ?"), append(args, c.v)
		}
	}
	if f.OpenOnly {
		where = append(where, "t.state <> 'closed'")
	}
	if f.Phone != "" {
		where, args = append(where, "t.phone = ?"), append(args, f.Phone)
	}
	if f.Mine != "" {
		where, args = append(where, "(t.owner_id = ? OR t.created_by = ?)"), append(args, f.Mine, f.Mine)
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		like := "%" + escapeLike(q) + "%"
		where = append(where, `(t.number LIKE ? ESCAPE '\' OR t.customer_name LIKE ? ESCAPE '\' OR t.unit LIKE ? ESCAPE '\' OR t.description LIKE ? ESCAPE '\')`)
		args = append(args, like, like, like, like)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 1000
	}
	args = append(args, limit)
	rows, err := s.db.QueryContext(ctx, `SELECT t.id, t.number, t.kind, t.category, t.severity, t.urgent, t.valid, t.state, t.opened_at, t.created_at,
		t.customer_name, t.phone, t.project, t.building, t.unit, t.subject, substr(t.description, 1, 80), t.department,
		COALESCE(t.owner_id, ''), COALESCE(o.name, ''), t.escalation, COALESCE(t.satisfaction, 0), t.policy_version,
		COALESCE(t.entry_due, 0), COALESCE(t.response_due, 0), COALESCE(t.escalation_due, 0), COALESCE(t.resolution_due, 0),
		COALESCE(t.responded_at, 0), COALESCE(t.resolved_at, 0), COALESCE(t.revisit_from, 0), COALESCE(t.revisit_to, 0),
		COALESCE(t.ack_due, 0), COALESCE(t.acknowledged_at, 0)
		FROM tickets t LEFT JOIN staff o ON o.id = t.owner_id WHERE `+strings.Join(where, " AND ")+` ORDER BY t.opened_at DESC, t.id DESC LIMIT ?`, args...)
	if err != nil {
		return nil, fmt.Errorf("ticket list: %w", err)
	}
	defer rows.Close()
	now := s.now()
	sp, err := s.ServicePolicy(ctx)
	if err != nil {
		return nil, fmt.Errorf("ticket list: %w", err)
	}
	var out []TicketRow
	for rows.Next() {
		var r TicketRow
		var state string
		var opened, created, entry, resp, esc, res, responded, resolved, rf, rt, ackDue, acked int64
		if err := rows.Scan(&r.ID, &r.Number, &r.Kind, &r.Category, &r.Severity, &r.Urgent, &r.Valid, &state, &opened, &created,
			&r.CustomerName, &r.Phone, &r.Project, &r.Building, &r.Unit, &r.Subject, &r.Summary, &r.Department,
			&r.OwnerID, &r.OwnerName, &r.Escalation, &r.Satisfaction, &r.PolicyVersion,
			&entry, &resp, &esc, &res, &responded, &resolved, &rf, &rt, &ackDue, &acked); err != nil {
			return nil, fmt.Errorf("ticket list: %w", err)
		}
		r.State, r.OpenedAt = TicketState(state), fromMS(opened)
		if r.Phone != "" {
			r.Phone = MaskPhone(r.Phone)
		}
		if i := strings.IndexByte(r.Summary, '\n'); i >= 0 {
			r.Summary = r.Summary[:i]
		}
		df := ticketDueFields{State: r.State, OpenedAt: r.OpenedAt, CreatedAt: fromMS(created), Entry: msTime(entry), Response: msTime(resp),
			Escalation: msTime(esc), Resolution: msTime(res), Responded: msTime(responded), Resolved: msTime(resolved),
			RevisitFrom: msTime(rf), RevisitTo: msTime(rt), Escalated: r.Escalation, Ack: msTime(ackDue), Acknowledged: msTime(acked)}
		r.Next, r.NextDue, r.Due, r.EscalationSuggested, r.RevisitOverdue = ticketDue(df, now, sp.SupervisorAfter())
		r.EntryLate = !df.Entry.IsZero() && df.CreatedAt.After(df.Entry)
		out = append(out, r)
	}
	return out, rows.Err()
}

// OpenTickets lists the tickets not closed, the most pressing first:
// overdue, then due soon, then by their next deadline; tickets waiting
// only to be closed come last.
func (s *Store) OpenTickets(ctx context.Context) ([]TicketRow, error) {
	rows, err := s.TicketList(ctx, TicketFilter{OpenOnly: true, Limit: 100000})
	if err != nil {
		return nil, err
	}
	rank := map[DueState]int{DueOverdue: 0, DueSoon: 1, DueOK: 2, DueNone: 3}
	sort.SliceStable(rows, func(i, j int) bool {
		a, b := rows[i], rows[j]
		if rank[a.Due] != rank[b.Due] {
			return rank[a.Due] < rank[b.Due]
		}
		if !a.NextDue.Equal(b.NextDue) {
			return a.NextDue.Before(b.NextDue)
		}
		return a.OpenedAt.Before(b.OpenedAt)
	})
	return rows, nil
}

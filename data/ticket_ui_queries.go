package data

import (
	"context"
	"fmt"
)

// TicketsFor lists the tickets matching f that actorID may see: every
// ticket of the office for the desk roles (receptionists, supervisors,
// admins); for a sales consultant only the tickets they own or opened.
func (s *Store) TicketsFor(ctx context.Context, actorID string, f TicketFilter) ([]TicketRow, error) {
	actor, err := s.StaffByID(ctx, actorID)
	if err != nil {
		return nil, err
	}
	if actor.Role != RoleConsultant {
		return s.TicketList(ctx, f)
	}
	rows, err := s.TicketList(ctx, f)
	if err != nil {
		return nil, err
	}
	_, o, err := s.ids()
	if err != nil {
		return nil, err
	}
	q, err := s.db.QueryContext(ctx, `SELECT id FROM tickets WHERE office_id = ? AND (owner_id = ? OR created_by = ?)`, o.ID, actorID, actorID)
	if err != nil {
		return nil, fmt.Errorf("tickets for %s: %w", actorID, err)
	}
	defer q.Close()
	mine := map[string]bool{}
	for q.Next() {
		var id string
		if err := q.Scan(&id); err != nil {
			return nil, fmt.Errorf("tickets for %s: %w", actorID, err)
		}
		mine[id] = true
	}
	if err := q.Err(); err != nil {
		return nil, fmt.Errorf("tickets for %s: %w", actorID, err)
	}
	out := rows[:0]
	for _, r := range rows {
		if mine[r.ID] {
			out = append(out, r)
		}
	}
	return out, nil
}

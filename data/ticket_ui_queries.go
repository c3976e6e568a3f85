package data

import "context"

// TicketsFor lists the tickets matching f that actorID may see: every
// ticket of the office for the desk roles (receptionists, supervisors,
// admins); for a sales consultant only the tickets they own or opened.
func (s *Store) TicketsFor(ctx context.Context, actorID string, f TicketFilter) ([]TicketRow, error) {
	actor, err := s.StaffByID(ctx, actorID)
	if err != nil {
		return nil, err
	}
	if actor.Role == RoleConsultant {
		f.Mine = actorID
	}
	return s.TicketList(ctx, f)
}

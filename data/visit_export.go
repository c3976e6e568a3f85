package data

import (
	"context"
	"fmt"
	"strings"
)

// VisitLog returns every visit of a period (VisitQuery's days and search)
// in arrival order, with no row limit, for the visits export. Only the
// desk roles may; the phone is whole for the roles that may see it
// (Role.SeesFullPhone), else masked.
func (s *Store) VisitLog(ctx context.Context, actorID string, q VisitQuery) ([]LogRow, error) {
	actor, err := s.StaffByID(ctx, actorID)
	if err != nil {
		return nil, err
	}
	if !actor.Role.CanCheckIn() {
		return nil, &Error{Code: EFORBIDDEN, Key: "err.forbidden"}
	}
	_, o, err := s.ids()
	if err != nil {
		return nil, err
	}
	q.From, q.To = strings.TrimSpace(q.From), strings.TrimSpace(q.To)
	if err := checkPeriod(q.From, q.To); err != nil {
		return nil, err
	}
	cond, args := "1 = 1", []any{}
	if q.From != "" {
		cond, args = cond+" AND v.day >= ?", append(args, q.From)
	}
	if q.To != "" {
		cond, args = cond+" AND v.day <= ?", append(args, q.To)
	}
	if strings.TrimSpace(q.Query) != "" {
		// The same search as the list: only the visits it found.
		found, err := s.visitRows(ctx, o.ID, cond, args, BoardFilter{Query: q.Query}, 1<<30)
		if err != nil {
			return nil, fmt.Errorf("visit log: %w", err)
		}
		if len(found) == 0 {
			return nil, nil
		}
		cond += " AND v.id IN (?" + strings.Repeat(", ?", len(found)-1) + ")"
		for _, r := range found {
			args = append(args, r.VisitID)
		}
	}
	out, err := s.logRows(ctx, o.ID, cond, args, func(owner, consultant string) bool {
		return actor.Role.SeesFullPhone(actor.ID == owner || actor.ID == consultant)
	})
	if err != nil {
		return nil, fmt.Errorf("visit log: %w", err)
	}
	return out, nil
}

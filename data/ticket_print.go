package data

import (
	"context"
	"fmt"
	"strings"
)

// TicketRecord is a ticket as the printed forms need it: the reception/
// complaint record (AC-KF-02-F01, one line per ticket) and the revisit
// record (F02, from the latest revisit). It holds facts; app/forms words
// them as the forms do.
type TicketRecord struct {
	Ticket
	Events       []TicketEvent // oldest first, with ByName
	OpenedByName string
}

// TicketRecord loads a ticket with its history for printing. id is the
// ticket's id or its number (XHW-01-20261123-003). The phone is full only
// for a reader whose role may see it (as Ticket); actorID "" masks it.
func (s *Store) TicketRecord(ctx context.Context, actorID, id string) (TicketRecord, error) {
	t, err := s.Ticket(ctx, actorID, id)
	if ErrorCode(err) == ENOTFOUND {
		t, err = s.TicketByNumber(ctx, actorID, id)
	}
	if err != nil {
		return TicketRecord{}, err
	}
	evs, err := s.TicketEvents(ctx, t.ID)
	if err != nil {
		return TicketRecord{}, err
	}
	r := TicketRecord{Ticket: t, Events: evs}
	if len(evs) > 0 {
		r.OpenedByName = evs[0].ByName
	}
	return r, nil
}

// LatestRevisit is the ticket's latest "revisited" event, or nil.
func (r TicketRecord) LatestRevisit() *TicketEvent {
	for i := len(r.Events) - 1; i >= 0; i-- {
		if r.Events[i].Kind == EvRevisited {
			return &r.Events[i]
		}
	}
	return nil
}

// Place is project, building and unit joined for a form's place column.
func (r TicketRecord) Place() string {
	var parts []string
	for _, p := range []string{r.Project, r.Building, r.Unit} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, " ")
}

// errTicketNoRevisit is returned when a revisit record is asked of a
// ticket not revisited yet.
func errTicketNoRevisit(number string) error {
	return &Error{Code: ECONFLICT, Key: "err.ticket.no_revisit", Err: fmt.Errorf("ticket %s has no revisit", number)}
}

// TicketRevisitRecord is TicketRecord for the revisit form: it refuses a
// ticket without a revisit (err.ticket.no_revisit).
func (s *Store) TicketRevisitRecord(ctx context.Context, actorID, id string) (TicketRecord, error) {
	r, err := s.TicketRecord(ctx, actorID, id)
	if err != nil {
		return r, err
	}
	if r.LatestRevisit() == nil {
		return r, errTicketNoRevisit(r.Number)
	}
	return r, nil
}

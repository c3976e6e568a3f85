package data

import (
	"context"
	"strings"
	"testing"
)

// fixtureV3Check runs after the v3 fixture's own checks: the old hand-off
// becomes an inquiry ticket for its visit's customer, numbered by the day
// it was handed off, and is linked to it.
func fixtureV3Check(t *testing.T, s *Store) {
	ctx := context.Background()
	tk, err := s.OpenTicketFromHandoff(ctx, "st-recep", "ho-1", TicketInput{})
	mustOK(t, err)
	if tk.Kind != TicketInquiry || tk.CustomerName != "王芳" || !strings.HasPrefix(tk.Number, "OLD-20231115-") || tk.VisitID != "vs-1" || tk.State != StateOpen {
		t.Fatalf("ticket from an old hand-off: %+v", tk)
	}
	var linked string
	mustOK(t, s.db.QueryRow(`SELECT ticket_id FROM consult_handoffs WHERE id = 'ho-1'`).Scan(&linked))
	if linked != tk.ID {
		t.Fatalf("hand-off linked to %q", linked)
	}
}

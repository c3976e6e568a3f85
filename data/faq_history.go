package data

import (
	"context"
	"fmt"
	"time"
)

// FAQStatusEvent is one status change of a version of an entry: saved as a
// draft, submitted for review, sent back, approved or retired.
type FAQStatusEvent struct {
	EntryID string
	Version int
	Status  FAQStatus
	Note    string
	By      string // staff id; "" when made without a signed-in actor
	At      time.Time
}

// FAQStatusEvents lists every status change of an entry's versions, oldest
// first. With FAQHistory it is the entry's whole record: who saved each
// version and who moved it, and when.
func (s *Store) FAQStatusEvents(ctx context.Context, entryID string) ([]FAQStatusEvent, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT entry_id, version, status, note, COALESCE(created_by, ''), created_at
		FROM faq_status_events WHERE entry_id = ? ORDER BY sync_ord, id`, entryID)
	if err != nil {
		return nil, fmt.Errorf("faq status events: %w", err)
	}
	defer rows.Close()
	var out []FAQStatusEvent
	for rows.Next() {
		var e FAQStatusEvent
		var at int64
		if err := rows.Scan(&e.EntryID, &e.Version, &e.Status, &e.Note, &e.By, &at); err != nil {
			return nil, fmt.Errorf("faq status events: %w", err)
		}
		e.At = fromMS(at)
		out = append(out, e)
	}
	return out, rows.Err()
}

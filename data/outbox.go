package data

import (
	"context"
	"encoding/json"
	"fmt"
)

// Mutation names and versions written to the outbox. HQ keeps a handler for
// every version it has ever seen, so a payload's shape never changes without a
// new version.
const (
	MutOfficeSetup    = "office.setup"
	MutStaffSave      = "staff.save"
	MutSourceSave     = "source.save"
	MutVisitCheckIn   = "visit.checkin"
	MutVisitEvent     = "visit.event"
	MutRotationAction = "rotation.action"
	MutFAQCategory    = "faq.category"
	MutFAQSynonyms    = "faq.synonyms"
	MutFAQVagueWords  = "faq.vague_words"
	MutFAQSave        = "faq.save"
	MutFAQStatus      = "faq.status"
	MutConsultLog     = "consult.log"
	MutConsultHandoff = "consult.handoff"
	MutHandoffDone    = "consult.handoff_done"
	MutFAQMiss        = "faq.miss"
	MutTicketOpen     = "ticket.open"
	MutTicketEvent    = "ticket.event"
	MutSLAPolicy      = "sla.policy"
	MutHolidayImport  = "holiday.import"
)

// OutboxEntry is one change waiting to be pushed to HQ.
type OutboxEntry struct {
	Seq       int64
	Mutation  string
	Version   int
	RecordID  string
	Payload   json.RawMessage
	Hash      string
	CreatedAt int64
}

// PendingOutbox returns up to limit changes not yet acknowledged by HQ,
// oldest first. It stops before an import under way (import_staged.go):
// half an import is never sent, and nothing after it either, so the seqs
// HQ receives stay in order.
func (s *Store) PendingOutbox(ctx context.Context, limit int) ([]OutboxEntry, error) {
	rows, err := s.db.QueryContext(ctx,
		`SELECT seq, mutation, version, record_id, payload, hash, created_at FROM outbox
		 WHERE pushed_at IS NULL AND seq < COALESCE((SELECT min(first_seq) FROM imports), 9223372036854775807) ORDER BY seq LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("read outbox: %w", err)
	}
	defer rows.Close()
	var out []OutboxEntry
	for rows.Next() {
		var e OutboxEntry
		var p string
		if err := rows.Scan(&e.Seq, &e.Mutation, &e.Version, &e.RecordID, &p, &e.Hash, &e.CreatedAt); err != nil {
			return nil, fmt.Errorf("read outbox: %w", err)
		}
		e.Payload = json.RawMessage(p)
		out = append(out, e)
	}
	return out, rows.Err()
}

package data

import (
	"context"
	"fmt"
	"sort"
)

// Audit reads for the sync proofs (sync/e2e, cmd/anchang-faults): which
// records of each kind this device holds, and every outbox row with its
// acknowledgement, so a checker can compare a device's view with HQ's.

// auditTables maps a mutation's Entity to the table that holds its records
// by id. An entity missing here cannot be audited (AuditRecordIDs says so).
var auditTables = map[string]string{
	"office":                   "office",
	"office_hours":             "office_hours",
	"source":                   "sources",
	"staff":                    "staff",
	"visit":                    "visits",
	"visit_event":              "visit_events",
	"rotation_event":           "rotation_events",
	"faq_category":             "faq_categories",
	"faq_synonyms":             "faq_synonyms",
	"faq_vague_words":          "faq_vague_words",
	"faq_version":              "faq_versions",
	"faq_status_event":         "faq_status_events",
	"consult_log":              "consult_log",
	"consult_handoff":          "consult_handoffs",
	"consult_handoff_event":    "consult_handoff_events",
	"faq_miss":                 "faq_misses",
	"ticket":                   "tickets",
	"ticket_event":             "ticket_events",
	"sla_policy":               "sla_policies",
	"holiday_import":           "holiday_imports",
	"care_revisit":             "care_revisits",
	"care_revisit_result":      "care_revisit_results",
	"inspection_template":      "inspection_templates",
	"inspection":               "inspections",
	"inspection_result":        "inspection_results",
	"inspection_followup":      "inspection_followups",
	"inspection_value":         "inspection_values",
	"inspection_photo":         "inspection_photos",
	"inspection_completion":    "inspection_completions",
	"inspection_defect_ticket": "inspection_defect_tickets",
}

// auditCarried leaves out the rows another record's mutation carries (they
// have no mutation of their own): a ticket's "opened" event comes with
// ticket.open, and a FAQ version's "draft" event (the version's id) with
// its faq.save.
var auditCarried = map[string]string{
	"ticket_event":     `kind <> 'opened'`,
	"faq_status_event": `id NOT IN (SELECT id FROM faq_versions)`,
}

// AuditRecordIDs returns the ids of the entity's records on this device,
// sorted. An entity it does not know is an error.
func (s *Store) AuditRecordIDs(ctx context.Context, entity string) ([]string, error) {
	table, ok := auditTables[entity]
	if !ok {
		return nil, fmt.Errorf("audit: entity %q has no table", entity)
	}
	q := `SELECT id FROM ` + table
	if w, ok := auditCarried[entity]; ok {
		q += ` WHERE ` + w
	}
	rows, err := s.db.QueryContext(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("audit %s: %w", entity, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("audit %s: %w", entity, err)
		}
		out = append(out, id)
	}
	sort.Strings(out)
	return out, rows.Err()
}

// AuditedOutbox is an outbox row with HQ's acknowledgement.
type AuditedOutbox struct {
	OutboxEntry
	Acked     bool   // HQ answered for it
	AckStatus string // applied | duplicate | rejected, once acked
}

// AuditOutbox returns every outbox row still kept, pending or acknowledged,
// oldest first.
func (s *Store) AuditOutbox(ctx context.Context) ([]AuditedOutbox, error) {
	rows, err := s.db.QueryContext(ctx,
		`SELECT seq, mutation, version, record_id, payload, hash, created_at, pushed_at IS NOT NULL, ack_status FROM outbox ORDER BY seq`)
	if err != nil {
		return nil, fmt.Errorf("audit outbox: %w", err)
	}
	defer rows.Close()
	var out []AuditedOutbox
	for rows.Next() {
		var e AuditedOutbox
		var p string
		if err := rows.Scan(&e.Seq, &e.Mutation, &e.Version, &e.RecordID, &p, &e.Hash, &e.CreatedAt, &e.Acked, &e.AckStatus); err != nil {
			return nil, fmt.Errorf("audit outbox: %w", err)
		}
		e.Payload = []byte(p)
		out = append(out, e)
	}
	return out, rows.Err()
}

// AuditSplitCustomers lists the customers whose visits are split between
// visitors: for each office and phone whose visits point to more than one
// visitor, those visitors' ids, comma-separated (never the phone). The
// merge rule (mergeVisitors) leaves none once a device holds every
// check-in of the phone.
func (s *Store) AuditSplitCustomers(ctx context.Context) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT group_concat(DISTINCT v.visitor_id) FROM visits v JOIN visitors p ON p.id = v.visitor_id
		GROUP BY p.office_id, p.phone HAVING count(DISTINCT v.visitor_id) > 1`)
	if err != nil {
		return nil, fmt.Errorf("audit customers: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var ids string
		if err := rows.Scan(&ids); err != nil {
			return nil, fmt.Errorf("audit customers: %w", err)
		}
		out = append(out, ids)
	}
	return out, rows.Err()
}

package data

import (
	"database/sql"
	"testing"
)

// fixtureV3 is a database from before tickets (schema 3): the v2 rows plus
// an FAQ category, entry and version, a consultation and an open hand-off.
// After migrating, the hand-off has no ticket and the ticket tables are
// empty and usable.
func fixtureV3(t *testing.T, db *sql.DB) func(*testing.T, *Store) {
	fixtureV2(t, db) // its rows; its checks assume no FAQ yet
	for _, q := range []string{
		`INSERT INTO faq_categories (id, office_id, device_id, created_at, created_by, code, name_zh, name_en, sort, active) VALUES ('fc-1', 'off-1', 'dev-1', 1700000000000, 'st-admin', 'oldcat', '旧分类', 'Old', 10, 1)`,
		`INSERT INTO faq_entries (id, office_id, device_id, created_at, created_by, latest_version, latest_status, live_version, updated_at) VALUES ('fe-1', 'off-1', 'dev-1', 1700000000000, 'st-admin', 1, 'approved', 1, 1700000000000)`,
		`INSERT INTO faq_versions (id, office_id, device_id, created_at, created_by, entry_id, version, category, question, answer, effective_on) VALUES ('fv-1', 'off-1', 'dev-1', 1700000000000, 'st-admin', 'fe-1', 1, 'oldcat', '旧问题', '旧答案', '2023-11-01')`,
		`INSERT INTO consult_log (id, office_id, device_id, created_at, created_by, visit_id, entry_id, entry_version, query) VALUES ('cl-1', 'off-1', 'dev-1', 1700000000000, 'st-recep', 'vs-1', 'fe-1', 1, '旧')`,
		`INSERT INTO consult_handoffs (id, office_id, device_id, created_at, created_by, visit_id, question, to_role, due_at) VALUES ('ho-1', 'off-1', 'dev-1', 1700000000000, 'st-recep', 'vs-1', '车位能否分期付款?', 'loan', 1700086400000)`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	return func(t *testing.T, s *Store) {
		if _, o, err := s.Device(); err != nil || o.Code != "OLD" || countRows(t, s, "visits") != 1 || countRows(t, s, "faq_entries") != 1 {
			t.Fatalf("v3 data after migration: %+v %v", o, err)
		}
		var ticket sql.NullString
		if err := s.db.QueryRow(`SELECT ticket_id FROM consult_handoffs WHERE id = 'ho-1'`).Scan(&ticket); err != nil || ticket.Valid {
			t.Fatalf("hand-off after migration: %v %v", ticket, err)
		}
		if n := countRows(t, s, "tickets"); n != 0 {
			t.Fatalf("tickets after migration: %d", n)
		}
		fixtureV3Check(t, s)
	}
}

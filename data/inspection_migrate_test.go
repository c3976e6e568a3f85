package data

import (
	"context"
	"database/sql"
	"testing"

	"anchang/assets"
)

// fixtureV4 is a database from before the handover inspection (schema 4):
// the v3 rows plus a repair ticket for a unit. After migrating, the ticket
// is untouched, the default checklist loads and the unit can be inspected
// and signed off.
func fixtureV4(t *testing.T, db *sql.DB) func(*testing.T, *Store) {
	fixtureV3(t, db) // its rows; its checks assume no tickets
	for _, q := range []string{
		`INSERT INTO tickets (id, office_id, device_id, created_at, created_by, number, day, seq, kind, opened_at, project, building, unit, description,
			customer_name, phone, category, severity, policy_version, state, last_event_at, last_seq)
		 VALUES ('tk-1', 'off-1', 'dev-1', 1700000000000, 'st-recep', 'OLD-20231115-001', '2023-11-15', 1, 'repair', 1700000000000, '星河湾', '3号楼', '1202',
			'主卫地漏返味', '王芳', '+8613812345678', 'engineering', 'general', 1, 'open', 1700000000000, 1)`,
		`INSERT INTO ticket_events (id, office_id, device_id, created_at, created_by, ticket_id, seq, kind, at) VALUES ('te-1', 'off-1', 'dev-1', 1700000000000, 'st-recep', 'tk-1', 1, 'opened', 1700000000000)`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	return func(t *testing.T, s *Store) {
		ctx := context.Background()
		var desc string
		if err := s.db.QueryRow(`SELECT description FROM tickets WHERE id = 'tk-1'`).Scan(&desc); err != nil || desc != "主卫地漏返味" {
			t.Fatalf("v4 ticket after migration: %q %v", desc, err)
		}
		if loaded, err := s.EnsureInspectionTemplate(ctx, assets.HandoverTemplate); err != nil || !loaded {
			t.Fatalf("default template after migration: %v %v", loaded, err)
		}
		in, err := s.StartInspection(ctx, "st-recep", InspectionInput{Kind: InspectionHandover, Project: "星河湾", Building: "3号楼", Unit: "1202",
			Owners: []string{"王芳"}, Phone: "13812345678"})
		mustOK(t, err)
		if _, err := s.RecordResult(ctx, "st-recep", in.ID, ResultInput{Item: "entry.lock", Result: ResultDefect, Description: "备用钥匙打不开"}); err != nil {
			t.Fatal(err)
		}
		st, err := s.InspectionDetail(ctx, "st-recep", in.ID)
		mustOK(t, err)
		if st.Answered != 1 || st.Defects != 1 || st.Results["entry.lock"].Description != "备用钥匙打不开" {
			t.Fatalf("inspection after migration: %+v", st.Inspection)
		}
	}
}

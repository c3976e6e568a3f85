package data

import (
	"context"
	"database/sql"
	"testing"
)

// fixtureV5 is a database from before care revisits (schema 5): the v4 rows
// plus a completed handover inspection. After migrating, nothing is
// scheduled for the old inspection (revisits are only born with their
// cause), and a signing check-in schedules its revisit.
func fixtureV5(t *testing.T, db *sql.DB) func(*testing.T, *Store) {
	check4 := fixtureV4(t, db)
	for _, q := range []string{
		`INSERT INTO inspection_templates (id, office_id, device_id, created_at, code, version, name, body, items)
		 VALUES ('tpl-old', 'off-1', 'dev-1', 1700000000000, 'old', 1, '旧清单', '{}', 0)`,
		`INSERT INTO inspections (id, office_id, device_id, created_at, created_by, template_id, kind, project, building, unit, unit_key, owners, phone,
			inspected_on, inspector_id, status, completed_at, updated_at)
		 VALUES ('in-1', 'off-1', 'dev-1', 1700000000000, 'st-recep', 'tpl-old', 'handover', '星河湾', '5号楼', '801', '星河湾|5号楼|801', '["赵敏"]',
			'+8613900001111', '2023-11-15', 'st-recep', 'completed', 1700000000000, 1700000000000)`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	return func(t *testing.T, s *Store) {
		check4(t, s)
		ctx := context.Background()
		var n int
		mustOK(t, s.db.QueryRow(`SELECT count(*) FROM care_revisits`).Scan(&n))
		if n != 0 {
			t.Fatalf("%d care revisits after migration, want none", n)
		}
		var status string
		if err := s.db.QueryRow(`SELECT status FROM inspections WHERE id = 'in-1'`).Scan(&status); err != nil || status != "completed" {
			t.Fatalf("v5 inspection after migration: %q %v", status, err)
		}
		v, err := s.CheckIn(ctx, "st-recep", CheckInInput{Name: "钱多多", Phone: "13911112222", Purpose: PurposeSigning, SourceID: "src-1", Consent: true})
		mustOK(t, err)
		list, err := s.CareRevisits(ctx, "st-recep", CareFilterAll, CareSigning)
		mustOK(t, err)
		if len(list) != 1 || list[0].SourceID != v.ID {
			t.Fatalf("signing revisit after migration: %+v", list)
		}
	}
}

package data

import (
	"context"
	"database/sql"
	"testing"

	"anchang/assets"
)

// fixtureV2 is a reception database from before the FAQ (schema 2): the
// v1 office and staff plus a visit. After migrating, the starter manual
// loads and a consultation can be logged against the old visit.
func fixtureV2(t *testing.T, db *sql.DB) func(*testing.T, *Store) {
	fixtureV1(t, db) // its rows; its checks assume no source channels
	for _, q := range []string{
		`INSERT INTO sources (id, office_id, device_id, created_at, created_by, code, name, sort, active) VALUES ('src-1', 'off-1', 'dev-1', 1700000000000, 'st-admin', 'walkin', 'walkin', 10, 1)`,
		`INSERT INTO visitors (id, office_id, device_id, created_at, created_by, name, phone, consultant_id) VALUES ('vr-1', 'off-1', 'dev-1', 1700000000000, 'st-recep', '王芳', '+8613812345678', 'st-cons')`,
		`INSERT INTO visits (id, office_id, device_id, created_at, created_by, visitor_id, name, arrived_at, day, party_size, purpose, source_id, kind, via, consent_version)
		 VALUES ('vs-1', 'off-1', 'dev-1', 1700000000000, 'st-recep', 'vr-1', '王芳', 1700000000000, '2023-11-15', 1, 'viewing', 'src-1', 'first', 'desk', '2026-11.1')`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	return func(t *testing.T, s *Store) {
		ctx := context.Background()
		if _, o, err := s.Device(); err != nil || o.Code != "OLD" || countRows(t, s, "visits") != 1 {
			t.Fatalf("v2 data after migration: %+v %v", o, err)
		}
		n, err := s.EnsureStarterFAQ(ctx, assets.StarterFAQ)
		mustOK(t, err)
		if n < 60 {
			t.Fatalf("starter manual after migration: %d", n)
		}
		res, err := s.SearchFAQ(ctx, "车位", 1)
		mustOK(t, err)
		if len(res.Hits) != 1 {
			t.Fatal("no search after migration")
		}
		mustOK(t, s.LogConsultation(ctx, "st-recep", "vs-1", res.Hits[0].Entry.EntryID, "车位"))
		top, err := s.MostAskedFAQ(ctx, fromMS(0), 5)
		mustOK(t, err)
		if len(top) != 1 || top[0].Count != 1 {
			t.Fatalf("most asked %+v", top)
		}
	}
}

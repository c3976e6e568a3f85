package data

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

// schemaFixture writes rows that are valid at one schema version into a
// database at that version, and returns the checks to run once the store
// has been opened (and so migrated to SchemaVersion).
type schemaFixture func(t *testing.T, db *sql.DB) (check func(t *testing.T, s *Store))

// schemaFixtures has one entry for every schema version a database may
// still be at. A new migration makes the previous version one of them: add
// its fixture.
var schemaFixtures = map[int]schemaFixture{
	0: func(t *testing.T, db *sql.DB) func(*testing.T, *Store) {
		return func(t *testing.T, s *Store) {
			if s.IsSetUp() {
				t.Fatal("empty database is set up")
			}
		}
	},
	1:  fixtureV1,
	2:  fixtureV2,  // faq_migrate_test.go
	3:  fixtureV3,  // tickets_migrate_test.go
	4:  fixtureV4,  // inspection_migrate_test.go
	5:  fixtureV5,  // care_migrate_test.go
	6:  fixtureV6,  // sync_migrate_test.go
	7:  fixtureV7,  // sync_events_migrate_test.go
	8:  fixtureV8,  // sync_restore_test.go
	9:  fixtureV9,  // sync_merge_test.go
	10: fixtureV10, // faq_synonyms_test.go
	11: fixtureV11, // faq_vague_test.go
	12: fixtureV12, // sla_service_test.go
	13: fixtureV13, // import_staged_test.go
	14: fixtureV14, // import_staged_test.go
}

func fixtureV1(t *testing.T, db *sql.DB) func(*testing.T, *Store) {
	adminHash, err := hashPIN("258014")
	mustOK(t, err)
	recepHash, err := hashPIN("135792")
	mustOK(t, err)
	const at = 1_700_000_000_000
	stmts := []struct {
		q    string
		args []any
	}{
		{`INSERT INTO device (id, office_id, device_id, created_at, name, install_epoch) VALUES ('dev-1', 'off-1', 'dev-1', ?, '前台老机', 42)`, []any{at}},
		{`INSERT INTO office (id, office_id, device_id, created_at, created_by, code, name, time_zone) VALUES ('off-1', 'off-1', 'dev-1', ?, 'st-admin', 'OLD', '老售楼处', 'Asia/Shanghai')`, []any{at}},
		{`INSERT INTO staff (id, office_id, device_id, created_at, name, role, pin_hash, active, updated_at) VALUES ('st-admin', 'off-1', 'dev-1', ?, '老管理员', 'admin', ?, 1, ?)`, []any{at, adminHash, at}},
		{`INSERT INTO staff (id, office_id, device_id, created_at, created_by, name, role, pin_hash, active, updated_at) VALUES ('st-recep', 'off-1', 'dev-1', ?, 'st-admin', '老前台', 'receptionist', ?, 1, ?)`, []any{at, recepHash, at}},
		{`INSERT INTO staff (id, office_id, device_id, created_at, created_by, name, role, active, updated_at) VALUES ('st-cons', 'off-1', 'dev-1', ?, 'st-admin', '老顾问', 'consultant', 1, ?)`, []any{at, at}},
		{`INSERT INTO staff (id, office_id, device_id, created_at, created_by, name, role, active, updated_at) VALUES ('st-gone', 'off-1', 'dev-1', ?, 'st-admin', '离职顾问', 'consultant', 0, ?)`, []any{at, at}},
		{`INSERT INTO signin_guard (staff_id, failures, locked_until) VALUES ('st-recep', 2, 0)`, nil},
		{`INSERT INTO settings (key, value) VALUES ('lang', 'en')`, nil},
		{`INSERT INTO outbox (mutation, version, record_id, payload, hash, created_at, pushed_at) VALUES ('office.setup', 1, 'off-1', '{}', 'h1', ?, ?)`, []any{at, at + 1000}},
		{`INSERT INTO outbox (mutation, version, record_id, payload, hash, created_at) VALUES ('staff.save', 1, 'st-cons', '{"ID":"st-cons"}', 'h2', ?)`, []any{at}},
	}
	for _, st := range stmts {
		if _, err := db.Exec(st.q, st.args...); err != nil {
			t.Fatalf("%s: %v", st.q, err)
		}
	}
	return func(t *testing.T, s *Store) {
		ctx := context.Background()
		d, o, err := s.Device()
		mustOK(t, err)
		if d.ID != "dev-1" || d.OfficeID != "off-1" || d.Name != "前台老机" || d.InstallEpoch != 42 || d.CreatedAt.UnixMilli() != at ||
			o.Code != "OLD" || o.Name != "老售楼处" || o.TimeZone != "Asia/Shanghai" {
			t.Fatalf("device %+v office %+v", d, o)
		}
		all, err := s.ListStaff(ctx, true)
		mustOK(t, err)
		var names []string
		for _, st := range all {
			names = append(names, st.Name+":"+string(st.Role))
		}
		if !slices.Equal(names, []string{"老前台:receptionist", "老管理员:admin", "老顾问:consultant", "离职顾问:consultant"}) {
			t.Fatalf("staff %v", names)
		}
		if _, err := s.SignIn(ctx, "st-admin", "258014"); err != nil {
			t.Fatalf("admin sign-in after migration: %v", err)
		}
		// The device-local failure count survived: two before, this is the third.
		_, err = s.SignIn(ctx, "st-recep", "246813")
		if e, ok := AsError(err); !ok || e.Args["Left"] != 2 {
			t.Fatalf("receptionist wrong PIN: %v", err)
		}
		if lang, _ := s.Setting(ctx, "lang", "zh"); lang != "en" {
			t.Fatalf("setting lang = %q", lang)
		}
		pending, err := s.PendingOutbox(ctx, 10)
		mustOK(t, err)
		// The pending row keeps its seq; its payload is re-encoded (typed
		// JSON rebuilt from the staff row) and so is its hash.
		if len(pending) != 3 || pending[0].Seq != 2 || pending[0].Mutation != MutStaffSave || pending[0].Hash == "h2" ||
			!strings.Contains(string(pending[0].Payload), `"id":"st-cons"`) || pending[0].Hash != sha256Hex(pending[0].Payload) {
			t.Fatalf("pending outbox %+v", pending)
		}
		// Then the PIN hashes sealed with the new office key (pinkey.go),
		// one new staff.save each, for HQ and the office's other devices.
		for i, id := range []string{"st-admin", "st-recep"} {
			e := pending[1+i]
			if e.Mutation != MutStaffSave || e.RecordID != id || !strings.Contains(string(e.Payload), `"pin_hash":"$anchang-pin$`) {
				t.Fatalf("sealed row %d: %s %s %s", i, e.Mutation, e.RecordID, e.Payload)
			}
		}
		// Version 1 had no source channels; the admin adds one for the desk.
		src, err := s.AddSource(ctx, "st-admin", "老客户")
		mustOK(t, err)
		if src.Sort != 10 {
			t.Fatalf("first source sort %d", src.Sort)
		}
		var seq int64
		mustOK(t, s.db.QueryRow(`SELECT max(seq) FROM outbox`).Scan(&seq))
		if seq != 5 {
			t.Fatalf("new outbox row seq %d, want 5", seq)
		}
		mustOK(t, s.RotationAction(ctx, "st-recep", "st-cons", RotJoin))
		in := CheckInInput{Name: "王芳", Phone: "13812345678", Purpose: PurposeViewing, SourceID: src.ID, Consent: true, Via: ViaDesk, AutoAssign: true}
		v, err := s.CheckIn(ctx, "st-recep", in)
		mustOK(t, err)
		if v.ConsultantName != "老顾问" {
			t.Fatalf("check-in after migration: %+v", v)
		}
	}
}

func schemaSQL(t *testing.T, db *sql.DB) []string {
	t.Helper()
	rows, err := db.Query(`SELECT type || ' ' || name || ': ' || COALESCE(sql, '') FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name`)
	mustOK(t, err)
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		mustOK(t, rows.Scan(&s))
		out = append(out, s)
	}
	return out
}

func rawDB(t *testing.T, dir string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", DSN(filepath.Join(dir, DBFileName)))
	mustOK(t, err)
	return db
}

func TestMigrateFromEveryVersion(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	fresh, err := Open(ctx, t.TempDir())
	mustOK(t, err)
	wantSchema := schemaSQL(t, fresh.db)
	fresh.Close()
	if len(wantSchema) == 0 {
		t.Fatal("no schema")
	}

	for v := 0; v < SchemaVersion; v++ {
		fixture, ok := schemaFixtures[v]
		if !ok {
			t.Fatalf("no fixture for schema version %d: add one to schemaFixtures", v)
		}
		t.Run(fmt.Sprintf("from_v%d", v), func(t *testing.T) {
			dir := t.TempDir()
			db := rawDB(t, dir)
			mustOK(t, migrate(ctx, db, migrations[:v]))
			if got, _ := userVersion(ctx, db); got != v {
				t.Fatalf("built version %d, want %d", got, v)
			}
			check := fixture(t, db)
			mustOK(t, db.Close())

			s, err := Open(ctx, dir)
			mustOK(t, err)
			defer s.Close()
			clk := &testClock{t: time.Date(2026, 11, 23, 10, 0, 0, 0, shanghai)}
			s.Now = clk.Now
			if got, _ := userVersion(ctx, s.db); got != SchemaVersion {
				t.Fatalf("user_version %d after Open, want %d", got, SchemaVersion)
			}
			if got := schemaSQL(t, s.db); !slices.Equal(got, wantSchema) {
				t.Fatalf("migrated schema differs from a fresh one:\n%s\n----\n%s", strings.Join(got, "\n"), strings.Join(wantSchema, "\n"))
			}
			check(t, s)
			// Whatever the starting point, the store works: set up if need be, check in.
			if !s.IsSetUp() {
				_, err := s.Setup(ctx, SetupInput{OfficeName: "新售楼处", OfficeCode: "NEW", DeviceName: "前台", AdminName: "管理员", AdminPIN: "258014"})
				mustOK(t, err)
			}
			v, err := s.CheckIn(ctx, "", CheckInInput{Name: "李雷", Phone: "13900000001", Purpose: PurposeViewing, Consent: true, Via: ViaKiosk})
			mustOK(t, err)
			b, err := s.Board(ctx, s.Today(), BoardFilter{})
			mustOK(t, err)
			if len(b.Rows) == 0 || b.Rows[0].VisitID != v.ID {
				t.Fatalf("board after migration %+v", b)
			}
			// Opening again is a no-op.
			s.Close()
			s2, err := Open(ctx, dir)
			mustOK(t, err)
			defer s2.Close()
			if got, _ := userVersion(ctx, s2.db); got != SchemaVersion || countRows(t, s2, "visits") == 0 {
				t.Fatalf("reopen: version %d", got)
			}
		})
	}
}

func TestFailedMigrationIsRolledBack(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	bogus := migration{version: SchemaVersion + 1, name: "9999_bogus.sql", sql: `
		CREATE TABLE bogus (x INTEGER);
		INSERT INTO bogus VALUES (1);
		ALTER TABLE visits ADD COLUMN bogus TEXT;
		INSERT INTO no_such_table VALUES (1);`}
	tableExists := func(db *sql.DB, name string) bool {
		var n int
		mustOK(t, db.QueryRow(`SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?`, name).Scan(&n))
		return n > 0
	}

	t.Run("on an up-to-date database", func(t *testing.T) {
		dir := t.TempDir()
		s, err := Open(ctx, dir)
		mustOK(t, err)
		before := schemaSQL(t, s.db)
		s.Close()
		db := rawDB(t, dir)
		defer db.Close()
		ms := append(slices.Clone(migrations), bogus)
		err = migrate(ctx, db, ms)
		if err == nil || !strings.Contains(err.Error(), "9999_bogus.sql") {
			t.Fatalf("migrate = %v, want an error naming the migration", err)
		}
		if v, _ := userVersion(ctx, db); v != SchemaVersion {
			t.Fatalf("user_version %d after failed migration, want %d", v, SchemaVersion)
		}
		if tableExists(db, "bogus") || !slices.Equal(schemaSQL(t, db), before) {
			t.Fatal("failed migration left schema changes")
		}
		// Still opens with the real migrations.
		s, err = Open(ctx, dir)
		mustOK(t, err)
		s.Close()
	})

	t.Run("partway through an upgrade", func(t *testing.T) {
		db := rawDB(t, t.TempDir())
		defer db.Close()
		b := bogus
		b.version = 2
		err := migrate(ctx, db, []migration{migrations[0], b})
		if err == nil {
			t.Fatal("bogus migration succeeded")
		}
		if v, _ := userVersion(ctx, db); v != 1 {
			t.Fatalf("user_version %d, want 1 (the good migration stays)", v)
		}
		if !tableExists(db, "device") || tableExists(db, "bogus") {
			t.Fatal("wrong tables after partial upgrade")
		}
		// The real second migration then applies cleanly.
		mustOK(t, migrate(ctx, db, migrations))
		if v, _ := userVersion(ctx, db); v != SchemaVersion {
			t.Fatalf("user_version %d", v)
		}
	})

	t.Run("first migration fails on a new file", func(t *testing.T) {
		db := rawDB(t, t.TempDir())
		defer db.Close()
		err := migrate(ctx, db, []migration{{version: 1, name: "0001_empty.sql", sql: `CREATE TABLE a (x); SELECT RAISE(ABORT, 'no')`}})
		if err == nil {
			t.Fatal("want error")
		}
		if v, _ := userVersion(ctx, db); v != 0 || tableExists(db, "a") {
			t.Fatalf("user_version %d", v)
		}
	})
}

func TestLoadMigrations(t *testing.T) {
	if SchemaVersion != len(migrations) || SchemaVersion < 2 {
		t.Fatalf("SchemaVersion %d, %d migrations", SchemaVersion, len(migrations))
	}
	for i, m := range migrations {
		if m.version != i+1 || !strings.HasPrefix(m.name, fmt.Sprintf("%04d_", i+1)) || strings.TrimSpace(m.sql) == "" {
			t.Fatalf("migration %d: %d %s", i, m.version, m.name)
		}
	}
	file := &fstest.MapFile{Data: []byte("CREATE TABLE t (x);")}
	ok := fstest.MapFS{"migrations/0002_b.sql": file, "migrations/0001_a.sql": file, "migrations/README": file}
	if ms := mustLoadMigrations(ok); len(ms) != 2 || ms[0].name != "0001_a.sql" || ms[1].version != 2 {
		t.Fatalf("loaded %+v", ms)
	}
	for name, fsys := range map[string]fstest.MapFS{
		"gap":         {"migrations/0001_a.sql": file, "migrations/0003_c.sql": file},
		"no first":    {"migrations/0002_b.sql": file},
		"not numeric": {"migrations/first.sql": file},
		"duplicate":   {"migrations/0001_a.sql": file, "migrations/0001_b.sql": file},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			mustLoadMigrations(fsys)
		}()
	}
}

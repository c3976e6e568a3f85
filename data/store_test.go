package data

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"
)

// testClock is a settable clock for the store.
type testClock struct{ t time.Time }

func (c *testClock) Now() time.Time          { return c.t }
func (c *testClock) Advance(d time.Duration) { c.t = c.t.Add(d) }

// newTestStore opens a store on a real SQLite file in a temp dir, set up
// with an office and an admin, at 10:00 office time on a Monday.
func newTestStore(t testing.TB) (*Store, Staff, *testClock) {
	t.Helper()
	ctx := context.Background()
	s, err := Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	clk := &testClock{t: time.Date(2026, 11, 23, 10, 0, 0, 0, shanghai)}
	s.Now = clk.Now
	admin, err := s.Setup(ctx, SetupInput{OfficeName: "星河湾售楼处", OfficeCode: "xhw-01", DeviceName: "前台", AdminName: "管理员", AdminPIN: "258014"})
	if err != nil {
		t.Fatal(err)
	}
	return s, admin, clk
}

func mustStaff(t testing.TB, s *Store, admin Staff, name string, role Role, pin string) Staff {
	t.Helper()
	st, err := s.CreateStaff(context.Background(), admin.ID, StaffInput{Name: name, Role: role, PIN: pin})
	if err != nil {
		t.Fatalf("create %s: %v", name, err)
	}
	return st
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := ErrorCode(err); got != code {
		t.Fatalf("error code = %q (%v), want %q", got, err, code)
	}
}

// wantKey checks both the code and the translation key of a store error.
func wantKey(t testing.TB, err error, code, key string) {
	t.Helper()
	e, ok := AsError(err)
	if !ok || e.Code != code || e.Key != key {
		t.Fatalf("error = %v, want %s %s", err, code, key)
	}
}

// mustOK fails the test on an unexpected error.
func mustOK(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// countRows counts the rows of a table straight from the database file.
func countRows(t testing.TB, s *Store, table string) int {
	t.Helper()
	var n int
	if err := s.db.QueryRow(`SELECT count(*) FROM ` + table).Scan(&n); err != nil {
		t.Fatalf("count %s: %v", table, err)
	}
	return n
}

// writtenTables are the tables a change to the reception data may write.
var writtenTables = []string{"visitors", "visits", "visit_events", "rotation", "rotation_events", "outbox", "staff", "sources"}

// snapshotCounts is the row count of every table in writtenTables.
func snapshotCounts(t testing.TB, s *Store) map[string]int {
	t.Helper()
	m := map[string]int{}
	for _, tb := range writtenTables {
		m[tb] = countRows(t, s, tb)
	}
	return m
}

// wantUnchanged fails when any table's row count differs from before.
func wantUnchanged(t testing.TB, s *Store, before map[string]int) {
	t.Helper()
	after := snapshotCounts(t, s)
	for tb, n := range before {
		if after[tb] != n {
			t.Errorf("%s: %d rows, want %d (nothing may be written)", tb, after[tb], n)
		}
	}
}

// firstSource is the id of the office's first active source channel.
func firstSource(t testing.TB, s *Store) string {
	t.Helper()
	srcs, err := s.Sources(context.Background())
	if err != nil || len(srcs) == 0 {
		t.Fatalf("sources: %v %v", srcs, err)
	}
	return srcs[0].ID
}

// desk is a valid desk check-in form for name and phone.
func desk(t testing.TB, s *Store, name, phone string) CheckInInput {
	t.Helper()
	return CheckInInput{Name: name, Phone: phone, PartySize: "2", Purpose: PurposeViewing,
		SourceID: firstSource(t, s), Consent: true, Via: ViaDesk}
}

// mustCheckIn checks a visitor in and fails the test on error.
func mustCheckIn(t testing.TB, s *Store, actorID string, in CheckInInput) Visit {
	t.Helper()
	v, err := s.CheckIn(context.Background(), actorID, in)
	if err != nil {
		t.Fatalf("check in %s: %v", in.Name, err)
	}
	return v
}

// testPhone is a distinct valid mainland mobile number for each i.
func testPhone(i int) string { return fmt.Sprintf("139%08d", i) }

func TestSetupOnce(t *testing.T) {
	s, admin, _ := newTestStore(t)
	d, o, err := s.Device()
	if err != nil {
		t.Fatal(err)
	}
	if o.Code != "XHW-01" || o.Name != "星河湾售楼处" || d.Name != "前台" || d.OfficeID != o.ID {
		t.Fatalf("device %+v office %+v", d, o)
	}
	if admin.Role != RoleAdmin || !admin.HasPIN {
		t.Fatalf("admin %+v", admin)
	}
	_, err = s.Setup(context.Background(), SetupInput{OfficeName: "x", OfficeCode: "y", DeviceName: "z", AdminName: "管理员", AdminPIN: "258014"})
	wantCode(t, err, ECONFLICT)
	// Reopening finds the setup.
	s2, err := Open(context.Background(), s.path[:len(s.path)-len(DBFileName)-1])
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if !s2.IsSetUp() {
		t.Fatal("reopened store not set up")
	}
	srcs, err := s2.Sources(context.Background())
	if err != nil || len(srcs) != len(DefaultSourceCodes) {
		t.Fatalf("sources %v %v", srcs, err)
	}
}

func TestSetupValidation(t *testing.T) {
	good := SetupInput{OfficeName: "星河湾", OfficeCode: "XHW", DeviceName: "前台", AdminName: "王芳", AdminPIN: "258014"}
	tests := []struct {
		name  string
		edit  func(*SetupInput)
		field string
		key   string
	}{
		{"empty office", func(in *SetupInput) { in.OfficeName = "  " }, "office_name", "err.field.required"},
		{"code with spaces", func(in *SetupInput) { in.OfficeCode = "XH W" }, "office_code", "err.office_code.chars"},
		{"sql in code", func(in *SetupInput) { in.OfficeCode = "x'; DROP TABLE staff;--" }, "office_code", "err.field.too_long"},
		{"short pin", func(in *SetupInput) { in.AdminPIN = "12" }, "admin_pin", "err.pin.length"},
		{"letters in pin", func(in *SetupInput) { in.AdminPIN = "12a456" }, "admin_pin", "err.pin.digits"},
		{"weak pin", func(in *SetupInput) { in.AdminPIN = "111111" }, "admin_pin", "err.pin.weak"},
		{"sequence pin", func(in *SetupInput) { in.AdminPIN = "345678" }, "admin_pin", "err.pin.weak"},
		{"emoji admin", func(in *SetupInput) { in.AdminName = "王😀" }, "admin_name", "err.name.emoji"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := good
			tt.edit(&in)
			err := in.Validate()
			var fe FieldErrors
			if !asFieldErrors(err, &fe) || len(fe) != 1 || fe[tt.field] == nil || fe[tt.field].Key != tt.key {
				t.Fatalf("got %v, want %s %s", err, tt.field, tt.key)
			}
		})
	}
	in := good
	if err := in.Validate(); err != nil {
		t.Fatal(err)
	}
	// Every field's error at once, as check-in does.
	in = SetupInput{OfficeCode: "X Y", AdminName: "王😀", AdminPIN: "1"}
	var fe FieldErrors
	if err := in.Validate(); !asFieldErrors(err, &fe) || len(fe) != 5 {
		t.Fatalf("all at once: %v", err)
	}
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.Exec("PRAGMA user_version = 99"); err != nil {
		t.Fatal(err)
	}
	s.Close()
	_, err = Open(context.Background(), dir)
	wantCode(t, err, ESCHEMA)
	e, _ := AsError(err)
	if e.Args["Found"] != 99 || e.Args["Supported"] != SchemaVersion {
		t.Fatalf("args %v", e.Args)
	}
}

func TestPragmasOnEveryConnection(t *testing.T) {
	s, _, _ := newTestStore(t)
	ctx := context.Background()
	// Hold several connections at once so the pool must open new ones.
	var conns []interface{ Close() error }
	for i := 0; i < 4; i++ {
		c, err := s.db.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
		var mode string
		var syncMode, fk, busy int
		if err := c.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
			t.Fatal(err)
		}
		c.QueryRowContext(ctx, "PRAGMA synchronous").Scan(&syncMode)
		c.QueryRowContext(ctx, "PRAGMA foreign_keys").Scan(&fk)
		c.QueryRowContext(ctx, "PRAGMA busy_timeout").Scan(&busy)
		if mode != "wal" || syncMode != 2 || fk != 1 || busy != 5000 {
			t.Fatalf("conn %d: journal=%s synchronous=%d foreign_keys=%d busy=%d", i, mode, syncMode, fk, busy)
		}
	}
	for _, c := range conns {
		c.Close()
	}
}

func TestErrorsAreCoded(t *testing.T) {
	err := error(&Error{Code: ENOTFOUND, Key: "k"})
	if ErrorCode(err) != ENOTFOUND || ErrorCode(errors.New("x")) != EINTERNAL || ErrorCode(nil) != "" {
		t.Fatal("codes")
	}
}

func TestCountRows(t *testing.T) {
	s, admin, _ := newTestStore(t)
	ctx := context.Background()
	mustCheckIn(t, s, admin.ID, desk(t, s, "王芳", "13812345678"))
	for _, table := range []string{"visits", "visitors", "visit_events", "rotation_events", "staff", "outbox", "sources"} {
		n, err := s.CountRows(ctx, table)
		if err != nil || n != countRows(t, s, table) {
			t.Fatalf("CountRows(%s) = %d, %v; want %d", table, n, err, countRows(t, s, table))
		}
	}
	if n, _ := s.CountRows(ctx, "visits"); n != 1 {
		t.Fatalf("%d visits", n)
	}
	for _, table := range []string{"signin_guard", "settings", "visits; DROP TABLE visits", "", "VISITS"} {
		if _, err := s.CountRows(ctx, table); err == nil {
			t.Fatalf("CountRows(%q) allowed", table)
		}
	}
	if countRows(t, s, "visits") != 1 {
		t.Fatal("visits gone")
	}
}

package data

import (
	"context"
	"database/sql"
	"testing"
)

// HQ's pull tip is stored with its cursor, in the transaction of the page
// or snapshot, and survives the program's restart; a refused page changes
// neither; a new enrollment and leaving HQ forget both.
func TestCursorTipsPersist(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	a, admin, clk := newTestStore(t)
	mustStaff(t, a, admin, "甲", RoleConsultant, "")
	_, office, _ := a.Device()
	log := &hqLog{scope: "office:" + office.ID}
	log.push(t, a)
	mustStaff(t, a, admin, "乙", RoleConsultant, "")
	log.push(t, a)
	n := int64(len(log.changes))
	if n < 4 {
		t.Fatalf("log of %d changes", n)
	}

	dir := t.TempDir()
	b, err := Open(ctx, dir)
	mustOK(t, err)
	b.Now = clk.Now
	id, err := b.SyncIdentity(ctx)
	mustOK(t, err)
	enrol := Enrollment{HQURL: "https://hq.example:8443", HQID: "hq-1", DeviceID: id.DeviceID, OfficeID: office.ID,
		OfficeCode: office.Code, OfficeName: office.Name, Role: SyncRoleOffice, Tag: "B", Scopes: []string{log.scope, "global"},
		Secret: "s3cret-B", DeviceName: "设备B"}
	mustOK(t, b.Enroll(ctx, enrol))
	tips := func(s *Store) map[string]string {
		t.Helper()
		m, err := s.CursorTips(ctx)
		mustOK(t, err)
		return m
	}
	// The snapshot's tip, with its cursor.
	i := 0
	mustOK(t, b.ApplySnapshot(ctx, log.scope, 2, "tip-2", func() (PulledChange, bool, error) {
		if i == 2 {
			return PulledChange{}, false, nil
		}
		i++
		return log.changes[i-1], true, nil
	}))
	mustOK(t, b.ApplySnapshot(ctx, "global", 0, "", func() (PulledChange, bool, error) { return PulledChange{}, false, nil }))
	if got := tips(b); len(got) != 1 || got[log.scope] != "tip-2" {
		t.Fatalf("after the snapshot: tips %v", got)
	}
	// A page refused (a gap) changes neither cursor nor tip.
	wantKey(t, b.ApplyPulled(ctx, log.scope, log.changes[3:n], n, "tip-bad"), ECONFLICT, "err.sync.gap")
	if got := tips(b); got[log.scope] != "tip-2" {
		t.Fatalf("a refused page changed the tip: %v", got)
	}
	// A page's tip replaces it with its cursor.
	mustOK(t, b.ApplyPulled(ctx, log.scope, log.changes[2:n], n, "tip-n"))
	// The program restarts: cursor and tip are still there, together.
	mustOK(t, b.Close())
	b, err = Open(ctx, dir)
	mustOK(t, err)
	t.Cleanup(func() { b.Close() })
	b.Now = clk.Now
	cur, err := b.Cursors(ctx)
	mustOK(t, err)
	if cur[log.scope] != n || tips(b)[log.scope] != "tip-n" {
		t.Fatalf("after a restart: cursor %v, tips %v; want %d and tip-n", cur, tips(b), n)
	}
	// An empty page at the cursor stores only the tip (an older store's
	// cursor had none).
	mustOK(t, b.ApplyPulled(ctx, "global", nil, 0, "tip-g"))
	if got := tips(b); got["global"] != "tip-g" || got[log.scope] != "tip-n" {
		t.Fatalf("empty page: tips %v", got)
	}
	if cur, _ := b.Cursors(ctx); cur["global"] != 0 || cur[log.scope] != n {
		t.Fatalf("empty page moved a cursor: %v", cur)
	}
	// Leaving HQ forgets cursors and tips.
	mustOK(t, b.LeaveHQ(ctx))
	if got := tips(b); len(got) != 0 {
		t.Fatalf("after leaving hq: tips %v", got)
	}
}

// fixtureV8: a device with cursors from before the tips were stored keeps
// them, each without a tip (HQ's next answer gives one).
func fixtureV8(t *testing.T, db *sql.DB) func(*testing.T, *Store) {
	for _, q := range []string{
		`INSERT INTO sync_cursors (scope, cursor) VALUES ('office:off-8', 42), ('global', 7)`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	return func(t *testing.T, s *Store) {
		ctx := context.Background()
		cur, err := s.Cursors(ctx)
		mustOK(t, err)
		if len(cur) != 2 || cur["office:off-8"] != 42 || cur["global"] != 7 {
			t.Fatalf("cursors after migration %v", cur)
		}
		tips, err := s.CursorTips(ctx)
		mustOK(t, err)
		if len(tips) != 0 {
			t.Fatalf("tips after migration %v", tips)
		}
	}
}

package data

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"strings"
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
	office, log := pushedLog(t, a)
	mustStaff(t, a, admin, "乙", RoleConsultant, "")
	log.push(t, a)
	n := int64(len(log.changes))
	if n < 4 {
		t.Fatalf("log of %d changes", n)
	}

	dir := t.TempDir()
	b := joinStoreIn(t, dir, office, "B", clk)
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
	b, err := Open(ctx, dir)
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

// renewFixture makes, in dir, an enrolled device whose outbox has rows
// HQ acknowledged (a new consultant, two check-ins), one it refused (a
// check-in) and three waiting (the consultant renamed, two check-ins),
// then closes it. It returns the log HQ holds and the waiting rows'
// record ids in order.
func renewFixture(t *testing.T, dir string) (*hqLog, []string) {
	t.Helper()
	ctx := context.Background()
	a, admin, clk := newTestStore(t)
	office, log := pushedLog(t, a)
	b := joinStoreIn(t, dir, office, "B", clk)
	defer b.Close()
	log.pull(t, b, 100)
	checkIn := func(name, phone string) string {
		v, err := b.CheckIn(ctx, "", CheckInInput{Name: name, Phone: phone, Purpose: PurposeViewing, Consent: true, Via: ViaKiosk})
		mustOK(t, err)
		return v.ID
	}
	cons := mustStaff(t, b, admin, "丙顾问", RoleConsultant, "")
	checkIn("赵一", "13900000001")
	checkIn("钱二", "13900000002")
	log.push(t, b)
	checkIn("孙三", "13900000003")
	pending, err := b.PendingOutbox(ctx, 10)
	mustOK(t, err)
	if len(pending) != 1 {
		t.Fatalf("pending %d", len(pending))
	}
	mustOK(t, b.AckPushed(ctx, []PushOutcome{{Seq: pending[0].Seq, Status: PushRejected, Code: EFORBIDDEN, Key: "err.sync.other_office"}}))
	mustOK(t, b.UpdateStaff(ctx, admin.ID, cons.ID, StaffInput{Name: "丙顾问改名", Role: RoleConsultant}, true))
	waiting := []string{cons.ID, checkIn("李四", "13900000004"), checkIn("周五", "13900000005")}
	return log, waiting
}

// epochState is what a renewal may change, one line per row.
func epochState(t *testing.T, s *Store) string {
	t.Helper()
	var b strings.Builder
	q := func(query string) {
		rows, err := s.db.Query(query)
		mustOK(t, err)
		defer rows.Close()
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			mustOK(t, rows.Scan(ptrs...))
			fmt.Fprintln(&b, vals...)
		}
		mustOK(t, rows.Err())
	}
	q(`SELECT 'outbox', seq, mutation, record_id, hash, pushed_at IS NOT NULL, ack_status, scope_seq FROM outbox ORDER BY seq`)
	q(`SELECT 'rejection', seq, mutation, record_id, key FROM sync_rejections ORDER BY seq`)
	q(`SELECT 'state', install_epoch, last_acked FROM sync_state`)
	q(`SELECT 'device', install_epoch FROM device`)
	q(`SELECT 'counter', seq FROM sqlite_sequence WHERE name = 'outbox'`)
	tables, err := s.db.Query(`SELECT m.name FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type = 'table' AND p.name = 'sync_ord' ORDER BY m.name`)
	mustOK(t, err)
	var names []string
	for tables.Next() {
		var n string
		mustOK(t, tables.Scan(&n))
		names = append(names, n)
	}
	tables.Close()
	for _, n := range names {
		q(`SELECT '` + n + `', rowid, sync_ord FROM "` + n + `" ORDER BY rowid`)
	}
	return b.String()
}

// checkRenewed checks a store renewed from the fixture: the waiting rows
// are seqs 1… in their order with their payloads, the acknowledged ones
// gone with their records in HQ's order, the refusal still listed below
// 1, and the next write takes the next seq.
func checkRenewed(t *testing.T, s *Store, old int64, before []PendingMutation, waiting []string, log *hqLog) {
	t.Helper()
	ctx := context.Background()
	id, err := s.SyncIdentity(ctx)
	mustOK(t, err)
	d, _, err := s.Device()
	mustOK(t, err)
	if id.InstallEpoch <= old || d.InstallEpoch != id.InstallEpoch {
		t.Fatalf("epoch %d (device %d), was %d", id.InstallEpoch, d.InstallEpoch, old)
	}
	pending, err := s.PendingOutbox(ctx, 100)
	mustOK(t, err)
	if len(pending) != len(before) {
		t.Fatalf("%d rows waiting, were %d", len(pending), len(before))
	}
	for i, p := range pending {
		b := before[i]
		if p.Seq != int64(i+1) || p.RecordID != waiting[i] || p.Mutation != b.Mutation || p.Hash != b.Hash || string(p.Payload) != string(b.Payload) {
			t.Fatalf("row %d: %+v, was %+v", i, p, b)
		}
	}
	rows, err := s.AuditOutbox(ctx)
	mustOK(t, err)
	if len(rows) != len(pending) {
		t.Fatalf("outbox has %d rows, %d waiting: the acknowledged ones stayed", len(rows), len(pending))
	}
	if last, _ := s.LastAcked(ctx); last != 0 {
		t.Fatalf("last acked %d", last)
	}
	if hw, _ := s.OutboxHighWater(ctx); hw != int64(len(pending)) {
		t.Fatalf("high water %d", hw)
	}
	rej, err := s.Rejections(ctx)
	mustOK(t, err)
	if len(rej) != 1 || rej[0].Seq > 0 || rej[0].Mutation != MutVisitCheckIn {
		t.Fatalf("rejections %+v", rej)
	}
	// The renamed consultant still outranks HQ's older version, under its
	// new number; the acknowledged check-ins took HQ's order.
	var ord int64
	mustOK(t, s.db.QueryRow(`SELECT sync_ord FROM staff WHERE id = ?`, waiting[0]).Scan(&ord))
	if ord != pendingOrd+1 {
		t.Fatalf("renamed staff ord %d, want pending + 1", ord)
	}
	for _, c := range log.changes {
		if c.Name != MutVisitCheckIn || c.OriginDevice != id.DeviceID {
			continue
		}
		mustOK(t, s.db.QueryRow(`SELECT sync_ord FROM visits WHERE id = ?`, c.RecordID).Scan(&ord))
		if ord != c.Seq {
			t.Fatalf("acknowledged visit ord %d, HQ's seq %d", ord, c.Seq)
		}
	}
	for i, rid := range waiting[1:] {
		mustOK(t, s.db.QueryRow(`SELECT sync_ord FROM visits WHERE id = ?`, rid).Scan(&ord))
		if ord != pendingOrd+int64(i+2) {
			t.Fatalf("waiting visit %d ord %d", i, ord)
		}
	}
	v, err := s.CheckIn(ctx, "", CheckInInput{Name: "吴六", Phone: "13900000006", Purpose: PurposeViewing, Consent: true, Via: ViaKiosk})
	mustOK(t, err)
	pending, err = s.PendingOutbox(ctx, 100)
	mustOK(t, err)
	if n := len(pending); pending[n-1].RecordID != v.ID || pending[n-1].Seq != int64(n) {
		t.Fatalf("next write: %+v", pending[n-1])
	}
}

// A new install epoch renumbers the waiting rows from 1 in one
// transaction; asked again about the old epoch it does nothing.
func TestRenewInstallEpoch(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	log, waiting := renewFixture(t, dir)
	s, err := Open(ctx, dir)
	mustOK(t, err)
	defer s.Close()
	old, err := s.SyncIdentity(ctx)
	mustOK(t, err)
	before, err := s.PendingOutbox(ctx, 100)
	mustOK(t, err)
	if hw, _ := s.OutboxHighWater(ctx); hw != before[len(before)-1].Seq {
		t.Fatalf("high water %d, last row %d", hw, before[len(before)-1].Seq)
	}
	r, err := s.RenewInstallEpoch(ctx, old.InstallEpoch)
	mustOK(t, err)
	if !r.Renewed || r.Renumbered != 3 || r.Dropped < 4 {
		t.Fatalf("renewal %+v", r)
	}
	// Asked again about the old epoch (a retry): nothing changes.
	state := epochState(t, s)
	again, err := s.RenewInstallEpoch(ctx, old.InstallEpoch)
	mustOK(t, err)
	if again.Renewed || again.Epoch != r.Epoch || epochState(t, s) != state {
		t.Fatalf("a second renewal changed something: %+v", again)
	}
	checkRenewed(t, s, old.InstallEpoch, before, waiting, log)

	// The device's own old changes coming back under the old epoch are not
	// echoes of the waiting rows that now have their numbers: HQ's older
	// version of the consultant (old seq 1) does not replace the renamed
	// one waiting as seq 1 of the new epoch.
	cur, err := s.Cursors(ctx)
	mustOK(t, err)
	rest := append([]PulledChange{}, log.changes[cur[log.scope]:]...)
	collides := false
	for i := range rest {
		if rest[i].OriginDevice == old.DeviceID {
			rest[i].OriginEpoch = old.InstallEpoch
			collides = collides || (rest[i].RecordID == waiting[0] && rest[i].OriginSeq == 1)
		}
	}
	if !collides {
		t.Fatal("the fixture's consultant was not the old epoch's seq 1")
	}
	mustOK(t, s.ApplyPulled(ctx, log.scope, rest, int64(len(log.changes)), ""))
	st, err := s.StaffByID(ctx, waiting[0])
	mustOK(t, err)
	if st.Name != "丙顾问改名" {
		t.Fatalf("an old epoch's change taken as the echo of a waiting one: staff %q", st.Name)
	}
}

const envRenewChild = "ANCHANG_TEST_RENEW_CHILD"

// TestRenewEpochKillChild is TestRenewEpochKilled's child: it renews the
// store's epoch and, at the step named, says so and waits to be killed.
func TestRenewEpochKillChild(t *testing.T) {
	arg := os.Getenv(envRenewChild)
	if arg == "" {
		t.Skip("the child of TestRenewEpochKilled")
	}
	dir, stepName, _ := strings.Cut(arg, "|")
	ctx := context.Background()
	s, err := Open(ctx, dir)
	mustOK(t, err)
	id, err := s.SyncIdentity(ctx)
	mustOK(t, err)
	renewEpochStep = func(step string) {
		if step == stepName {
			fmt.Println("AT", step)
			select {}
		}
	}
	_, err = s.RenewInstallEpoch(ctx, id.InstallEpoch)
	fmt.Println("RETURNED", err)
}

// A device killed (SIGKILL) at any step of a renewal has its old epoch
// and outbox exactly as before, and renews from there as if never killed.
func TestRenewEpochKilled(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	t.Parallel()
	for _, step := range []string{"acked-ords", "drop-acked", "rejections", "renumber", "pending-ords", "epoch", "done"} {
		t.Run(step, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			dir := t.TempDir()
			log, waiting := renewFixture(t, dir)
			s, err := Open(ctx, dir)
			mustOK(t, err)
			old, err := s.SyncIdentity(ctx)
			mustOK(t, err)
			pending, err := s.PendingOutbox(ctx, 100)
			mustOK(t, err)
			state := epochState(t, s)
			mustOK(t, s.Close())

			cmd := exec.Command(os.Args[0], "-test.run=^TestRenewEpochKillChild$", "-test.v")
			cmd.Env = append(os.Environ(), envRenewChild+"="+dir+"|"+step)
			out, err := cmd.StdoutPipe()
			mustOK(t, err)
			mustOK(t, cmd.Start())
			sc := bufio.NewScanner(out)
			reached := false
			for sc.Scan() {
				if strings.HasPrefix(sc.Text(), "AT "+step) {
					reached = true
					cmd.Process.Kill() // SIGKILL inside the renewal's transaction
					break
				}
				if strings.HasPrefix(sc.Text(), "RETURNED") || strings.HasPrefix(sc.Text(), "--- FAIL") {
					break
				}
			}
			cmd.Process.Kill()
			cmd.Wait()
			if !reached {
				t.Fatalf("the child never reached step %s", step)
			}
			s, err = Open(ctx, dir)
			mustOK(t, err)
			defer s.Close()
			if got := epochState(t, s); got != state {
				t.Fatalf("killed at %s: the store changed:\n%s\nwas\n%s", step, got, state)
			}
			r, err := s.RenewInstallEpoch(ctx, old.InstallEpoch)
			mustOK(t, err)
			if !r.Renewed || r.Renumbered != len(pending) {
				t.Fatalf("renewal after the kill %+v", r)
			}
			checkRenewed(t, s, old.InstallEpoch, pending, waiting, log)
		})
	}
}

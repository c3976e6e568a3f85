package e2e

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"anchang/data"
	hqsync "anchang/sync"
)

func writeN(t *testing.T, ctx context.Context, d *Device, n int, tag string) []string {
	t.Helper()
	var ids []string
	for i := 0; i < n; i++ {
		v, err := d.CheckIn(ctx, nextPhone("1380013"), tag)
		if err != nil {
			t.Fatalf("%s: %v", d.Name, err)
		}
		ids = append(ids, v.ID)
	}
	return ids
}

// officeAdmin is the id of the office's admin on d.
func officeAdmin(t *testing.T, ctx context.Context, d *Device) string {
	t.Helper()
	staff, err := d.Store.ListStaff(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range staff {
		if s.Role == data.RoleAdmin {
			return s.ID
		}
	}
	t.Fatalf("%s: no admin", d.Name)
	return ""
}

func stopBackupStart(t *testing.T, h Server, backup string) {
	t.Helper()
	h.Stop()
	if err := CopyDB(backup, h.DBPath()); err != nil {
		t.Fatal(err)
	}
	if err := h.Start(); err != nil {
		t.Fatal(err)
	}
}

func restoreStart(t *testing.T, h Server, backup string) {
	t.Helper()
	h.Stop()
	if err := CopyDB(h.DBPath(), backup); err != nil {
		t.Fatal(err)
	}
	if err := h.Start(); err != nil {
		t.Fatal(err)
	}
}

// HQ restored from an older backup: the devices that pushed after the
// backup see HQ behind what it acknowledged and push their kept rows again;
// a device whose cursor is past HQ's head reloads the scope. Nothing lost,
// nothing doubled.
func TestHQRestoredFromBackup(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	h := startHQ(t)
	o := newOffice(t, ctx, h, "SH01", "上海一号案场", 2)
	a, c := o.devices[0], o.devices[1]
	writeN(t, ctx, a, 3, "before backup")
	syncAll(t, ctx, a, c)
	backup := filepath.Join(t.TempDir(), "hq-backup.db")
	stopBackupStart(t, h, backup)
	writeN(t, ctx, a, 5, "after backup")
	writeN(t, ctx, c, 2, "after backup")
	syncAll(t, ctx, a, c)
	restoreStart(t, h, backup)
	rep, err := a.Round(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Requeued == 0 {
		t.Errorf("a: hq restored from a backup, but nothing was pushed again: %+v", rep)
	}
	syncAll(t, ctx, a, c)
	checkAll(t, ctx, h, a, c)
}

// The same, when HQ's head passes a device's cursor again before that
// device syncs: other devices push (new records and their kept rows) into
// the seqs the device had already pulled before the restore. A cursor
// check against HQ's head cannot see that the log under the cursor
// changed; the pull tip the device sends back does.
func TestHQRestoredThenOvertaken(t *testing.T) {
	t.Parallel()
	for _, restarted := range []bool{false, true} {
		name := "running"
		if restarted {
			name = "restarted"
		}
		t.Run(name, func(t *testing.T) { t.Parallel(); hqRestoredThenOvertaken(t, restarted) })
	}
}

// hqRestoredThenOvertaken: restarted restarts the device that misses the
// changes before it syncs (a program restarted after HQ's restore): the
// tips are stored with the cursors, so it sends them all the same.
func hqRestoredThenOvertaken(t *testing.T, restarted bool) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	h := startHQ(t)
	o := newOffice(t, ctx, h, "SH01", "上海一号案场", 3)
	a, b, c := o.devices[0], o.devices[1], o.devices[2]
	syncAll(t, ctx, a, b, c)
	backup := filepath.Join(t.TempDir(), "hq-backup.db")
	stopBackupStart(t, h, backup)
	writeN(t, ctx, a, 5, "after backup")
	if err := a.SyncUntilQuiet(ctx, 5); err != nil {
		t.Fatal(err)
	}
	if err := c.SyncUntilQuiet(ctx, 5); err != nil { // c pulls a's five
		t.Fatal(err)
	}
	writeN(t, ctx, b, 2, "offline during the restore")
	restoreStart(t, h, backup)
	if err := b.SyncUntilQuiet(ctx, 5); err != nil { // b's two take the seqs a's first two had
		t.Fatal(err)
	}
	if err := a.SyncUntilQuiet(ctx, 5); err != nil { // a pushes its five again after them
		t.Fatal(err)
	}
	if restarted {
		if err := c.Restart(ctx); err != nil {
			t.Fatal(err)
		}
	}
	syncAll(t, ctx, c, a, b)
	checkAll(t, ctx, h, a, b, c)
}

// knownDefect lets a test that shows a defect of the design (reported in
// docs/sync.md, Failure cases) pass in CI while it stands: it runs, logs
// what it found, and only fails with ANCHANG_E2E_DEFECTS=1.
func knownDefect(t *testing.T, name string) bool {
	if os.Getenv("ANCHANG_E2E_DEFECTS") == "1" {
		return false
	}
	t.Logf("known defect %s: checks logged, not failed (ANCHANG_E2E_DEFECTS=1 fails them)", name)
	return true
}

// A device's own old backup restored over its store, then used and synced.
// The restored store reuses its install epoch and the outbox seqs HQ
// already holds with the records made after the backup: the device starts
// a new install epoch and numbers its waiting changes from 1 under it.
// synced: the restored device syncs before it writes (HQ's last seq above
// its outbox's); offline: it writes first, and the first new record's seq
// is one HQ holds with another record (integrity). Either way the records
// made after the backup come back from HQ, the new ones reach HQ, and
// nothing is lost or doubled.
// many: more rows waiting in the backup than one push carries, so HQ's
// last seq is above the outbox's while rows it holds still wait: they are
// acknowledged under the old epoch before the renewal, not pushed again.
func TestDeviceBackupRestored(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		offline bool
		waiting int
	}{
		{"synced", false, 2},
		{"offline", true, 2},
		{"many", false, hqsync.MaxPushMutations + 20},
	} {
		t.Run(tc.name, func(t *testing.T) { t.Parallel(); deviceBackupRestored(t, tc.offline, tc.waiting) })
	}
}

func deviceBackupRestored(t *testing.T, offline bool, nWaiting int) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	h := startHQ(t)
	o := newOffice(t, ctx, h, "SH01", "上海一号案场", 2)
	d, other := o.devices[0], o.devices[1]
	before := writeN(t, ctx, d, 2, "before the backup")
	syncAll(t, ctx, d, other)
	waiting := writeN(t, ctx, d, nWaiting, "waiting in the backup") // pending in the backup, pushed after it
	oldID, err := d.Store.SyncIdentity(ctx)
	if err != nil {
		t.Fatal(err)
	}
	d.Close()
	backup := t.TempDir()
	if err := CopyDB(filepath.Join(backup, data.DBFileName), filepath.Join(d.Dir, data.DBFileName)); err != nil {
		t.Fatal(err)
	}
	if err := d.open(ctx); err != nil {
		t.Fatal(err)
	}
	d.PickActor(ctx)
	lost := writeN(t, ctx, d, 3, "after the backup")
	syncAll(t, ctx, d, other)
	d.Close()
	if err := CopyDB(filepath.Join(d.Dir, data.DBFileName), filepath.Join(backup, data.DBFileName)); err != nil {
		t.Fatal(err)
	}
	if err := d.open(ctx); err != nil {
		t.Fatal(err)
	}
	d.PickActor(ctx)
	var fresh []string
	if offline {
		fresh = writeN(t, ctx, d, 4, "after the restore, offline")
	}
	rep, err := d.Round(ctx)
	if err != nil {
		t.Fatalf("first round after the restore: %v", err)
	}
	if rep.NewEpoch <= oldID.InstallEpoch {
		t.Errorf("first round after the restore: new epoch %d, was %d", rep.NewEpoch, oldID.InstallEpoch)
	}
	if err := d.SyncUntilQuiet(ctx, 5); err != nil {
		t.Fatal(err)
	}
	id, err := d.Store.SyncIdentity(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if id.InstallEpoch != rep.NewEpoch || id.DeviceID != oldID.DeviceID {
		t.Errorf("identity after the restore: %+v (device %s epoch %d before)", id, oldID.DeviceID, oldID.InstallEpoch)
	}
	fresh = append(fresh, writeN(t, ctx, d, 2, "after the restore")...)
	syncAll(t, ctx, d, other)
	// Everything made on the device, before the backup, waiting in it,
	// after it (back from HQ) and after the restore, is on both devices.
	for _, dev := range []*Device{d, other} {
		ids, err := dev.Store.AuditRecordIDs(ctx, "visit")
		if err != nil {
			t.Fatal(err)
		}
		have := map[string]bool{}
		for _, id := range ids {
			have[id] = true
		}
		for what, want := range map[string][]string{"before the backup": before, "waiting in the backup": waiting, "after the backup": lost, "after the restore": fresh} {
			for _, id := range want {
				if !have[id] {
					t.Errorf("%s: visit %s made %s is missing", dev.Name, id, what)
				}
			}
		}
	}
	// The new records went under the new epoch from seq 1.
	rows, err := d.Store.AuditOutbox(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(fresh) {
		t.Errorf("outbox after the restore: %d rows, want the %d made since", len(rows), len(fresh))
	}
	for i, r := range rows {
		if r.Seq != int64(i+1) {
			t.Errorf("outbox row %d has seq %d", i, r.Seq)
		}
	}
	checkAll(t, ctx, h, d, other)
}

// A device offline past HQ's retention window with changes waiting (check-ins
// and a staff member removed): it pushes first, then reloads the scope;
// nothing its user saw disappears, and a removal made on another device
// while the log under its cursor was purged reaches it through the snapshot.
func TestOfflinePastRetention(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	h := startHQ(t)
	o := newOffice(t, ctx, h, "SH01", "上海一号案场", 2)
	on, off := o.devices[0], o.devices[1]
	// Two consultants both devices know; while off is offline, each
	// device removes one (a delete is a replaced record: the staff member
	// saved inactive, which HQ keeps and a snapshot carries).
	admin := officeAdmin(t, ctx, on)
	x, err := on.Store.CreateStaff(ctx, admin, data.StaffInput{Name: "顾问甲", Role: data.RoleConsultant})
	if err != nil {
		t.Fatal(err)
	}
	y, err := on.Store.CreateStaff(ctx, admin, data.StaffInput{Name: "顾问乙", Role: data.RoleConsultant})
	if err != nil {
		t.Fatal(err)
	}
	syncAll(t, ctx, on, off)
	off.Faults.Set(Always(Offline, ""))
	writeN(t, ctx, off, 3, "offline")
	if err := off.Store.UpdateStaff(ctx, admin, x.ID, data.StaffInput{Name: x.Name, Role: x.Role}, false); err != nil {
		t.Fatal(err)
	}
	writeN(t, ctx, on, 10, "online")
	if err := on.Store.UpdateStaff(ctx, admin, y.ID, data.StaffInput{Name: y.Name, Role: y.Role}, false); err != nil {
		t.Fatal(err)
	}
	if err := on.SyncUntilQuiet(ctx, 5); err != nil {
		t.Fatal(err)
	}
	if _, err := off.Round(ctx); err == nil {
		t.Fatal("an offline round succeeded")
	}
	n, err := h.Store().Purge(ctx, time.Now().Add(time.Hour).UnixMilli())
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("purged %d changes", n)
	writeN(t, ctx, on, 2, "after the purge")
	if err := on.SyncUntilQuiet(ctx, 5); err != nil {
		t.Fatal(err)
	}
	seen, err := BoardState(ctx, off.Store)
	if err != nil {
		t.Fatal(err)
	}
	off.Faults.Set(nil)
	rep, err := off.Round(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Applied != 4 || len(rep.Loaded) == 0 {
		t.Errorf("back after the purge: applied %d, loaded %v; want 4 pushed and the scope reloaded", rep.Applied, rep.Loaded)
	}
	syncAll(t, ctx, on, off)
	// Both removals hold on both devices: off's own (pushed before the
	// reload), and on's, which off only ever saw in the snapshot.
	for _, d := range []*Device{on, off} {
		active, err := d.Store.ListStaff(ctx, false)
		if err != nil {
			t.Fatal(err)
		}
		all, err := d.Store.ListStaff(ctx, true)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range active {
			if s.ID == x.ID || s.ID == y.ID {
				t.Errorf("%s: removed staff member %s is active", d.Name, s.Name)
			}
		}
		if len(all) != len(active)+2 {
			t.Errorf("%s: %d staff, %d active; want the 2 removed kept inactive", d.Name, len(all), len(active))
		}
	}
	now, err := BoardState(ctx, off.Store)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range splitLines(seen) {
		if !containsLine(now, line) {
			t.Errorf("after the reload the board lost %q", line)
		}
	}
	onBoard, _ := BoardState(ctx, on.Store)
	if onBoard != now {
		t.Errorf("boards differ:\n%s\nvs\n%s", now, onBoard)
	}
	for _, d := range []*Device{on, off} {
		if err := CheckDeviceView(ctx, h.Store(), d); err != nil {
			t.Error(err)
		}
		id, _ := d.Store.SyncIdentity(ctx)
		if err := CheckDeviceAtHQ(ctx, h.Store(), d, id.Scopes); err != nil {
			t.Error(err)
		}
	}
}

// An old client (protocol or schema too old) is told to update; its outbox
// is kept and goes once it speaks the current version.
func TestOldClient(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	h := startHQ(t)
	o := newOffice(t, ctx, h, "SH01", "上海一号案场", 1)
	d := o.devices[0]
	for _, tc := range []struct {
		name, header, value string
	}{
		{"protocol", hqsync.HeaderProtocol, strconv.Itoa(hqsync.Protocol - 1)},
		{"schema", hqsync.HeaderSchema, "1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h.Stop()
			h.Args = []string{"--min-schema", strconv.Itoa(data.SchemaVersion)}
			if err := h.Start(); err != nil {
				t.Fatal(err)
			}
			writeN(t, ctx, d, 2, "old client")
			before := pending(t, ctx, d)
			d.Faults.Set(func(r *http.Request) Fault { r.Header.Set(tc.header, tc.value); return Pass })
			_, err := d.Round(ctx)
			if data.ErrorCode(err) != hqsync.CodeUpdateRequired {
				t.Fatalf("old %s: %v, want %s", tc.name, err, hqsync.CodeUpdateRequired)
			}
			if e, ok := data.AsError(err); !ok || e.Key == "" {
				t.Errorf("old %s: no message key: %v", tc.name, err)
			}
			if n := pending(t, ctx, d); n != before {
				t.Errorf("old %s: pending %d, was %d", tc.name, n, before)
			}
			d.Faults.Set(nil)
			if err := d.SyncUntilQuiet(ctx, 5); err != nil {
				t.Fatal(err)
			}
			if n := pending(t, ctx, d); n != 0 {
				t.Errorf("updated client: %d pending", n)
			}
		})
	}
	checkAll(t, ctx, h, d)
}

// Devices whose clocks are a day ahead, a day behind and in 2001 sync as
// the others do: HQ orders, never device clocks.
func TestSkewedClocks(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	h := startHQ(t)
	o := newOffice(t, ctx, h, "SH01", "上海一号案场", 1)
	devs := []*Device{o.devices[0]}
	y2001 := time.Date(2001, 3, 4, 10, 0, 0, 0, time.UTC)
	start := time.Now()
	for _, now := range []func() time.Time{
		func() time.Time { return time.Now().Add(24 * time.Hour) },
		func() time.Time { return time.Now().Add(-24 * time.Hour) },
		func() time.Time { return y2001.Add(time.Since(start)) },
	} {
		d, err := OpenDevice(ctx, t.TempDir(), fmt.Sprintf("skew-%d", len(devs)), now)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { d.Close() })
		code, err := h.Code(ctx, "SH01", false)
		if err != nil {
			t.Fatal(err)
		}
		url, fp := h.Endpoint()
		if _, err := d.Enroll(ctx, url, fp, code); err != nil {
			t.Fatal(err)
		}
		devs = append(devs, d)
	}
	for _, d := range devs {
		writeN(t, ctx, d, 3, "skewed")
	}
	syncAll(t, ctx, devs...)
	checkAll(t, ctx, h, devs...)
}

func splitLines(s string) []string {
	var out []string
	for _, l := range splitOn(s, '\n') {
		if l != "" {
			out = append(out, l)
		}
	}
	return out
}

func splitOn(s string, sep byte) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); i++ {
		if s[i] == sep {
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

func containsLine(s, line string) bool {
	for _, l := range splitLines(s) {
		if l == line {
			return true
		}
	}
	return false
}

package e2e

import (
	"context"
	"fmt"
	"net/http"
	"os"
	gosync "sync"
	"testing"
	"time"

	hqsync "anchang/sync"
	"anchang/sync/hq"
)

// checkAll checks HQ's log and every device against HQ after they synced.
func checkAll(t *testing.T, ctx context.Context, h Server, devs ...*Device) {
	t.Helper()
	scopes, err := AllScopes(ctx, h.Store())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := CheckHQLog(ctx, h.Store(), scopes); err != nil {
		t.Error(err)
	}
	for _, d := range devs {
		id, err := d.Store.SyncIdentity(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if err := CheckDeviceAtHQ(ctx, h.Store(), d, id.Scopes); err != nil {
			t.Error(err)
		}
		if err := CheckDeviceView(ctx, h.Store(), d); err != nil {
			t.Error(err)
		}
	}
}

func syncAll(t *testing.T, ctx context.Context, devs ...*Device) {
	t.Helper()
	for pass := 0; pass < 2; pass++ {
		for _, d := range devs {
			if err := d.SyncUntilQuiet(ctx, 10); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func pending(t *testing.T, ctx context.Context, d *Device) int {
	t.Helper()
	ss, err := d.Store.SyncStatus(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return ss.Pending
}

// The device process is killed with SIGKILL after HQ committed its push and
// before the answer reached it. HQ holds each record once; the restarted
// device pushes the same rows again, HQ acknowledges them as duplicates.
func TestKilledAfterHQCommitted(t *testing.T) {
	t.Parallel()
	for _, backend := range []string{hq.SQLite, hq.Postgres} {
		t.Run(backend, func(t *testing.T) { t.Parallel(); killedAfterHQCommitted(t, backend) })
	}
}

func killedAfterHQCommitted(t *testing.T, backend string) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	h := startHQOn(t, backend)
	o := newOffice(t, ctx, h, "SH01", "上海一号案场", 1)
	d := o.devices[0]
	scope := hqsync.OfficeScope(o.hq.ID)
	before, err := HQLog(ctx, h.Store(), scope)
	if err != nil {
		t.Fatal(err)
	}
	d.Close()
	if !runDeviceChild(t, "push-kill", d.Dir, 5, 0) {
		t.Fatal("the device process was not killed")
	}
	after, err := HQLog(ctx, h.Store(), scope)
	if err != nil {
		t.Fatal(err)
	}
	if got := len(after) - len(before); got != 5 {
		t.Fatalf("hq committed %d changes of the killed push, want 5", got)
	}
	if err := d.open(ctx); err != nil {
		t.Fatal(err)
	}
	if n := pending(t, ctx, d); n != 5 {
		t.Fatalf("after the kill %d rows pending, want 5 (the answer never arrived)", n)
	}
	rep, err := d.Round(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Duplicates != 5 || rep.Applied != 0 {
		t.Errorf("re-push: %d duplicates, %d applied; want 5, 0", rep.Duplicates, rep.Applied)
	}
	final, err := HQLog(ctx, h.Store(), scope)
	if err != nil {
		t.Fatal(err)
	}
	if len(final) != len(after) {
		t.Errorf("hq log grew from %d to %d on the re-push", len(after), len(final))
	}
	checkAll(t, ctx, h, d)
}

// cursorConsistent checks that a device's rows agree with its cursor in the
// office scope: every record HQ logged at or before the cursor is there;
// a born-once record another device made after the cursor is not.
func cursorConsistent(t *testing.T, ctx context.Context, h Server, d *Device, scope string) int64 {
	t.Helper()
	cur, err := d.Store.Cursors(ctx)
	if err != nil {
		t.Fatal(err)
	}
	c := cur[scope]
	id, err := d.Store.SyncIdentity(ctx)
	if err != nil {
		t.Fatal(err)
	}
	log, err := HQLog(ctx, h.Store(), scope)
	if err != nil {
		t.Fatal(err)
	}
	ids, err := d.Store.AuditRecordIDs(ctx, "visit")
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{}
	for _, id := range ids {
		have[id] = true
	}
	for _, ch := range log {
		if ch.Name != "visit.checkin" {
			continue
		}
		if ch.Seq <= c && !have[ch.RecordID] {
			t.Errorf("%s: cursor %d but visit %s (seq %d) missing", d.Name, c, ch.RecordID, ch.Seq)
		}
		if ch.Seq > c && have[ch.RecordID] && ch.OriginDevice != id.DeviceID {
			t.Errorf("%s: cursor %d but visit %s (seq %d) already here", d.Name, c, ch.RecordID, ch.Seq)
		}
	}
	return c
}

// A device process killed during a pull: once right after a page arrived
// (before it was applied), then at random moments of a long catch-up. Each
// time the cursor and the rows agree, and the device then catches up.
func TestKilledDuringPull(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	h := startHQ(t)
	o := newOffice(t, ctx, h, "SH01", "上海一号案场", 2)
	w, r := o.devices[0], o.devices[1]
	scope := hqsync.OfficeScope(o.hq.ID)
	n := 520 // two pages of 500
	if long() {
		n = 1500
	}
	for i := 0; i < n; i++ {
		if _, err := w.CheckIn(ctx, "1350000"+pad4(i), "bulk"); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.SyncUntilQuiet(ctx, 5); err != nil {
		t.Fatal(err)
	}
	r.Close()
	c0 := reopenAndCheck(t, ctx, h, r, scope)
	if !runDeviceChild(t, "pull-kill", r.Dir, 0, 0) {
		t.Fatal("the device process was not killed")
	}
	for _, after := range []time.Duration{150 * time.Millisecond, 400 * time.Millisecond, 900 * time.Millisecond} {
		t.Logf("cursor %d (at first %d)", reopenAndCheck(t, ctx, h, r, scope), c0)
		runDeviceChild(t, "sync-loop", r.Dir, 0, after)
	}
	if err := r.open(ctx); err != nil {
		t.Fatal(err)
	}
	cursorConsistent(t, ctx, h, r, scope)
	syncAll(t, ctx, w, r)
	checkAll(t, ctx, h, w, r)
}

// long says whether to run the long variants (ANCHANG_E2E_LONG=1): more
// records and more kill timings than CI's budget allows under -race.
func long() bool { return os.Getenv("ANCHANG_E2E_LONG") == "1" }

func pad4(i int) string { return fmt.Sprintf("%04d", i) }

// reopenAndCheck opens a closed device's store, checks its cursor against
// its rows, and closes it again.
func reopenAndCheck(t *testing.T, ctx context.Context, h Server, r *Device, scope string) int64 {
	t.Helper()
	d, err := OpenDevice(ctx, r.Dir, r.Name, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	return cursorConsistent(t, ctx, h, d, scope)
}

// HQ's process killed with SIGKILL while a push is in flight (before,
// during or after its transaction), then restarted: the device pushes
// again and HQ holds every record once.
func TestHQKilledMidPush(t *testing.T) {
	t.Parallel()
	for _, backend := range []string{hq.SQLite, hq.Postgres} {
		t.Run(backend, func(t *testing.T) { t.Parallel(); hqKilledMidPush(t, backend) })
	}
}

func hqKilledMidPush(t *testing.T, backend string) {
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	h := startHQOn(t, backend)
	o := newOffice(t, ctx, h, "SH01", "上海一号案场", 2)
	d, other := o.devices[0], o.devices[1]
	delays, n := []time.Duration{0, 20 * time.Millisecond, 40 * time.Millisecond}, 60
	if long() {
		delays, n = []time.Duration{0, 5 * time.Millisecond, 15 * time.Millisecond, 25 * time.Millisecond, 35 * time.Millisecond, 45 * time.Millisecond, 60 * time.Millisecond}, 150
	}
	for _, delay := range delays {
		writeN(t, ctx, d, n, "mid-push")
		killed := make(chan struct{})
		var once gosync.Once
		d.Faults.OnSent = func(r *http.Request) {
			if r.URL.Path == "/v1/push" {
				once.Do(func() {
					go func() {
						time.Sleep(delay)
						h.Kill()
						close(killed)
					}()
				})
			}
		}
		_, err := d.Round(ctx)
		<-killed
		d.Faults.OnSent = nil
		if err := h.Start(); err != nil {
			t.Fatal(err)
		}
		id, _ := d.Store.SyncIdentity(ctx)
		dev, derr := h.Store().Device(ctx, id.DeviceID)
		last, _ := d.Store.LastAcked(ctx)
		t.Logf("kill after %v: round: %v; device acked to %d, hq has to %d (%v)", delay, err, last, dev.LastSeq, derr)
		syncAll(t, ctx, d, other)
		checkAll(t, ctx, h, d, other)
	}
}

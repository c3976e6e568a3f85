package hqsync_test

// The device's side of sync against real parts: a real HQ (hqtest: HTTPS on
// loopback, SQLite store) and real device stores on disk.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"anchang/data"
	hqsync "anchang/sync"
	"anchang/sync/hq"
	"anchang/sync/hq/hqtest"

	"go.uber.org/goleak"
)

// device is one desk PC: a store in its own directory.
type device struct {
	t     *testing.T
	s     *data.Store
	dir   string
	admin data.Staff
}

// standalone is a device set up as its own office, as before sync.
func standalone(t *testing.T, code string, now func() time.Time) *device {
	t.Helper()
	d := fresh(t, now)
	admin, err := d.s.Setup(context.Background(), data.SetupInput{OfficeName: "星河湾售楼处", OfficeCode: code, DeviceName: "前台", AdminName: "管理员", AdminPIN: "258014"})
	if err != nil {
		t.Fatal(err)
	}
	d.admin = admin
	return d
}

// fresh is a device that was never set up.
func fresh(t *testing.T, now func() time.Time) *device {
	t.Helper()
	dir := t.TempDir()
	s, err := data.Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	if now != nil {
		s.Now = now
	}
	t.Cleanup(func() { s.Close() })
	return &device{t: t, s: s, dir: dir}
}

// checkIn records a kiosk check-in (no staff needed).
func (d *device) checkIn(name string) {
	d.t.Helper()
	_, err := d.s.CheckIn(context.Background(), "", data.CheckInInput{Name: name, Phone: "13800138000", PartySize: "2",
		Purpose: data.PurposeViewing, Consent: true, Via: data.ViaKiosk, Title: title(name)})
	if err != nil {
		d.t.Fatal(err)
	}
}

// title is 先生 for a lone surname (which check-in refuses without one).
func title(name string) string {
	if data.IsBareSurname(name) {
		return data.TitleMr
	}
	return data.TitleNone
}

func (d *device) count(table string) int {
	d.t.Helper()
	n, err := d.s.CountRows(context.Background(), table)
	if err != nil {
		d.t.Fatal(err)
	}
	return n
}

func (d *device) identity() data.SyncIdentity {
	d.t.Helper()
	id, err := d.s.SyncIdentity(context.Background())
	if err != nil {
		d.t.Fatal(err)
	}
	return id
}

func (d *device) pending() int {
	d.t.Helper()
	st, err := d.s.SyncStatus(context.Background())
	if err != nil {
		d.t.Fatal(err)
	}
	return st.Pending
}

func (d *device) enroll(h *hqtest.HQ, code string, opts hqsync.Options) (hqsync.EnrollResult, error) {
	return hqsync.Enroll(context.Background(), d.s, hqsync.EnrollInput{HQURL: h.URL, Fingerprint: h.Fingerprint, Code: code}, opts)
}

func (d *device) mustEnroll(h *hqtest.HQ, code string, opts hqsync.Options) hqsync.EnrollResult {
	d.t.Helper()
	res, err := d.enroll(h, code, opts)
	if err != nil {
		d.t.Fatalf("enroll: %v", err)
	}
	return res
}

func (d *device) round(opts hqsync.Options) hqsync.Report {
	d.t.Helper()
	rep, err := hqsync.NewLoop(d.s, opts).Round(context.Background())
	if err != nil {
		d.t.Fatalf("round: %v", err)
	}
	return rep
}

func keyOf(err error) string {
	if err == nil {
		return ""
	}
	return hqsync.ErrorKey(err)
}

func quiet() hqsync.Options {
	return hqsync.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
}

// A standalone office with weeks of records enrolls and takes them to HQ; a
// fresh device then joins the same office and receives them.
func TestEnrollStandaloneThenFresh(t *testing.T) {
	t.Parallel()
	h := hqtest.Start(t, hq.SQLite)
	h.AddOffice("SH01", "上海一号案场")
	a := standalone(t, "SH01", nil)
	for i := range 5 {
		a.checkIn(fmt.Sprintf("王芳%c", 'a'+i))
	}
	before := a.count("visits")
	res := a.mustEnroll(h, h.Code("SH01"), quiet())
	if res.OfficeCode != "SH01" || res.OfficeName != "上海一号案场" || res.Role != hqsync.RoleOffice || res.Tag == "" {
		t.Fatalf("enrolled as %+v", res)
	}
	id := a.identity()
	if !id.Enrolled || id.OfficeID != res.OfficeID || len(id.Scopes) != 2 {
		t.Fatalf("identity after enrollment: %+v", id)
	}
	rep := a.round(quiet())
	if rep.Applied == 0 || len(rep.Rejected) != 0 || rep.Duplicates != 0 {
		t.Fatalf("first push: %+v", rep)
	}
	if a.pending() != 0 {
		t.Fatalf("%d rows still pending after the round", a.pending())
	}
	if a.count("visits") != before {
		t.Fatalf("visits %d after enrolling, %d before", a.count("visits"), before)
	}

	var progress []hqsync.Progress
	b := fresh(t, nil)
	opts := quiet()
	resB, err := hqsync.Enroll(context.Background(), b.s, hqsync.EnrollInput{HQURL: h.URL, Fingerprint: h.Fingerprint, Code: h.Code("SH01"), DeviceName: "展厅二号机",
		Progress: func(p hqsync.Progress) { progress = append(progress, p) }}, opts)
	if err != nil {
		t.Fatal(err)
	}
	if resB.OfficeID != res.OfficeID || resB.Tag == res.Tag {
		t.Fatalf("second device: %+v (first %+v)", resB, res)
	}
	if got := b.count("visits"); got != before {
		t.Fatalf("fresh device has %d visits, the office %d", got, before)
	}
	if len(progress) == 0 {
		t.Fatal("no progress reported")
	}
	last := progress[len(progress)-1]
	if last.Done != last.Total {
		t.Fatalf("last progress %+v", last)
	}
	if total := resB.Loaded[hqsync.OfficeScope(res.OfficeID)]; total == 0 {
		t.Fatalf("loaded %v", resB.Loaded)
	}
}

// Wrong code, wrong fingerprint, HQ unreachable, an office that has
// history: the right key, and nothing changes on the device.
func TestEnrollErrors(t *testing.T) {
	t.Parallel()
	h := hqtest.Start(t, hq.SQLite)
	h.AddOffice("SH01", "上海一号案场")
	h.AddOffice("SH02", "上海二号案场")
	// SH02 gets history from a first standalone device.
	first := standalone(t, "SH02", nil)
	first.checkIn("李雷")
	first.mustEnroll(h, h.Code("SH02"), quiet())
	first.round(quiet())

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "https://" + ln.Addr().String()
	ln.Close()
	used := h.Code("SH01")
	fresh(t, nil).mustEnroll(h, used, quiet())

	for _, tc := range []struct {
		name, url, fp, code string
		standalone          bool
		want                string
	}{
		{"wrong code", h.URL, h.Fingerprint, "AAAA-BBBB-CCCC", false, hqsync.KeyBadCode},
		{"used code", h.URL, h.Fingerprint, used, false, hqsync.KeyCodeUsed},
		{"wrong fingerprint", h.URL, strings.Repeat("ab", 32), h.Code("SH01"), false, hqsync.KeyFingerprintMismatch},
		{"unreachable", closed, h.Fingerprint, h.Code("SH01"), false, hqsync.KeyUnreachable},
		{"plain http", strings.Replace(h.URL, "https", "http", 1), h.Fingerprint, h.Code("SH01"), false, hqsync.KeyURLNotHTTPS},
		{"office has history", h.URL, h.Fingerprint, h.Code("SH02"), true, hqsync.KeyOfficeHasHistory},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var d *device
			if tc.standalone {
				d = standalone(t, "SH02", nil)
				d.checkIn("韩梅梅")
			} else {
				d = fresh(t, nil)
			}
			idBefore, pendingBefore := d.identity(), d.pending()
			_, err := hqsync.Enroll(context.Background(), d.s, hqsync.EnrollInput{HQURL: tc.url, Fingerprint: tc.fp, Code: tc.code}, quiet())
			if keyOf(err) != tc.want {
				t.Fatalf("key %q, want %q (%v)", keyOf(err), tc.want, err)
			}
			id := d.identity()
			if id.Enrolled || id.OfficeID != idBefore.OfficeID || d.pending() != pendingBefore {
				t.Fatalf("the device changed: %+v, pending %d (was %+v, %d)", id, d.pending(), idBefore, pendingBefore)
			}
		})
	}
}

// enrolledPair is an office at HQ with two enrolled devices.
func enrolledPair(t *testing.T, h *hqtest.HQ, nowA, nowB func() time.Time) (*device, *device) {
	t.Helper()
	h.AddOffice("SH01", "上海一号案场")
	a := standalone(t, "SH01", nowA)
	a.mustEnroll(h, h.Code("SH01"), quiet())
	a.round(quiet())
	b := fresh(t, nowB)
	b.mustEnroll(h, h.Code("SH01"), quiet())
	return a, b
}

// Records made at one device reach the other through HQ, both ways; with
// device clocks a day ahead, a day behind or in 2001 it goes the same.
func TestRoundTripTwoStores(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name       string
		skewA      time.Duration
		skewB      time.Duration
		yearTwoK1B bool
	}{
		{"clocks right", 0, 0, false},
		{"a day ahead and a day behind", 24 * time.Hour, -24 * time.Hour, false},
		{"one in 2001", 0, 0, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := hqtest.Start(t, hq.SQLite)
			nowA := func() time.Time { return time.Now().Add(tc.skewA) }
			nowB := func() time.Time { return time.Now().Add(tc.skewB) }
			if tc.yearTwoK1B {
				start := time.Now()
				nowB = func() time.Time { return time.Date(2001, 9, 1, 9, 0, 0, 0, time.UTC).Add(time.Since(start)) }
			}
			a, b := enrolledPair(t, h, nowA, nowB)
			optsA, optsB := quiet(), quiet()
			optsA.Now, optsB.Now = nowA, nowB
			base := b.count("visits")
			a.checkIn("张伟")
			a.checkIn("李娜")
			rep := a.round(optsA)
			if rep.Applied != 2 {
				t.Fatalf("a pushed %+v", rep)
			}
			rep = b.round(optsB)
			if got := sum(rep.Pulled); got < 2 {
				t.Fatalf("b pulled %v", rep.Pulled)
			}
			if b.count("visits") != base+2 {
				t.Fatalf("b has %d visits, want %d", b.count("visits"), base+2)
			}
			b.checkIn("刘洋")
			if rep := b.round(optsB); rep.Applied != 1 {
				t.Fatalf("b pushed %+v", rep)
			}
			a.round(optsA)
			if a.count("visits") != b.count("visits") {
				t.Fatalf("a %d visits, b %d", a.count("visits"), b.count("visits"))
			}
			// Nothing left: a round moves nothing.
			if rep := a.round(optsA); rep.Pushed != 0 || sum(rep.Pulled) != 0 {
				t.Fatalf("idle round moved %+v", rep)
			}
		})
	}
}

func sum(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

// faults is a RoundTripper in front of the real transport that can drop
// the answer of a request HQ has served, or cut an answer short.
type faults struct {
	next http.RoundTripper
	mu   sync.Mutex
	// dropAnswer: the request reaches HQ, which commits; the device gets an
	// error instead of the answer (the connection dies after the request).
	dropAnswer map[string]int
	// truncate: the answer's body stops after half its bytes.
	truncate map[string]int
	// corrupt: one byte of the body is flipped.
	corrupt map[string]int
	served  map[string]int
}

func newFaults() *faults {
	return &faults{dropAnswer: map[string]int{}, truncate: map[string]int{}, corrupt: map[string]int{}, served: map[string]int{}}
}

func (f *faults) wrap(next http.RoundTripper) http.RoundTripper { f.next = next; return f }

func (f *faults) take(m map[string]int, path string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if m[path] > 0 {
		m[path]--
		return true
	}
	return false
}

func (f *faults) RoundTrip(r *http.Request) (*http.Response, error) {
	res, err := f.next.RoundTrip(r)
	if err != nil {
		return res, err
	}
	p := r.URL.Path
	f.mu.Lock()
	f.served[p]++
	f.mu.Unlock()
	switch {
	case f.take(f.dropAnswer, p):
		io.Copy(io.Discard, res.Body) // HQ has answered: it committed
		res.Body.Close()
		return nil, errors.New("connection reset by peer (fault injected)")
	case f.take(f.truncate, p):
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		res.Body = io.NopCloser(io.MultiReader(bytes.NewReader(b[:len(b)/2]), errReader{}))
	case f.take(f.corrupt, p):
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		// A NUL is invalid anywhere in JSON, in a string or not.
		b = append(b[:len(b)/2:len(b)/2], append([]byte{0}, b[len(b)/2:]...)...)
		res.Body = io.NopCloser(bytes.NewReader(b))
		res.ContentLength = int64(len(b))
	}
	return res, nil
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, io.ErrUnexpectedEOF }

// HQ commits a push but its answer is lost: the device retries, HQ answers
// duplicate, and the other device sees each record once.
func TestLostPushAnswerIsAcknowledgedAsDuplicate(t *testing.T) {
	t.Parallel()
	h := hqtest.Start(t, hq.SQLite)
	a, b := enrolledPair(t, h, nil, nil)
	base := b.count("visits")
	f := newFaults()
	opts := quiet()
	opts.WrapTransport = f.wrap
	loop := hqsync.NewLoop(a.s, opts)
	a.checkIn("周杰")
	a.checkIn("吴敏")
	f.dropAnswer["/v1/push"] = 1
	if _, err := loop.Round(context.Background()); keyOf(err) != hqsync.KeyUnreachable {
		t.Fatalf("lost answer: %v", err)
	}
	if a.pending() != 2 {
		t.Fatalf("pending after a lost answer: %d, want 2", a.pending())
	}
	rep, err := loop.Round(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if rep.Duplicates != 2 || rep.Applied != 0 {
		t.Fatalf("retry: %+v", rep)
	}
	if a.pending() != 0 {
		t.Fatalf("pending after the retry: %d", a.pending())
	}
	b.round(quiet())
	if got := b.count("visits"); got != base+2 {
		t.Fatalf("b has %d visits, want %d: a record went twice or not at all", got, base+2)
	}
}

// A pull answer cut short or corrupted applies nothing; the next round
// recovers.
func TestBrokenPullAnswerAppliesNothing(t *testing.T) {
	t.Parallel()
	for _, fault := range []string{"truncate", "corrupt"} {
		t.Run(fault, func(t *testing.T) {
			t.Parallel()
			h := hqtest.Start(t, hq.SQLite)
			a, b := enrolledPair(t, h, nil, nil)
			base := b.count("visits")
			a.checkIn("郑爽")
			a.checkIn("孙俪")
			a.round(quiet())
			f := newFaults()
			opts := quiet()
			opts.WrapTransport = f.wrap
			loop := hqsync.NewLoop(b.s, opts)
			cursors, _ := b.s.Cursors(context.Background())
			if fault == "truncate" {
				f.truncate["/v1/pull"] = 1
			} else {
				f.corrupt["/v1/pull"] = 1
			}
			_, err := loop.Round(context.Background())
			if err == nil {
				t.Fatal("a broken answer was accepted")
			}
			if k := keyOf(err); k != hqsync.KeyBadResponse && k != hqsync.KeyUnreachable {
				t.Fatalf("key %q (%v)", k, err)
			}
			after, _ := b.s.Cursors(context.Background())
			if b.count("visits") != base || fmt.Sprint(after) != fmt.Sprint(cursors) {
				t.Fatalf("applied from a broken answer: visits %d (base %d), cursors %v → %v", b.count("visits"), base, cursors, after)
			}
			if _, err := loop.Round(context.Background()); err != nil {
				t.Fatal(err)
			}
			if b.count("visits") != base+2 {
				t.Fatalf("after recovery: %d visits, want %d", b.count("visits"), base+2)
			}
		})
	}
}

// hqFiles finds the running test HQ's SQLite files (hqtest keeps them in
// one of the test's temporary directories).
func hqFiles(t *testing.T) string {
	t.Helper()
	matches, _ := filepath.Glob(filepath.Join(filepath.Dir(t.TempDir()), "*", "hq.db"))
	if len(matches) != 1 {
		t.Fatalf("HQ database: %v", matches)
	}
	return matches[0]
}

func copyDB(t *testing.T, from, to string) {
	t.Helper()
	for _, suffix := range []string{"", "-wal", "-shm"} {
		os.Remove(to + suffix)
		b, err := os.ReadFile(from + suffix)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(to+suffix, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

// HQ is restored from a backup older than what the devices saw: the device
// whose rows HQ lost pushes them again (Requeue), and the other device,
// whose cursor is now ahead of HQ, reloads the scope (resync) after pushing
// its own; both end with the same records, none twice.
func TestHQRestoredFromOlderBackup(t *testing.T) {
	t.Parallel()
	h := hqtest.Start(t, hq.SQLite)
	a, b := enrolledPair(t, h, nil, nil)
	a.checkIn("赵敏")
	a.round(quiet())
	b.round(quiet())
	db := hqFiles(t)
	backup := filepath.Join(t.TempDir(), "backup.db")
	h.Stop()
	copyDB(t, db, backup)
	h.Restart()

	a.checkIn("钱进")
	a.checkIn("孙悦")
	if rep := a.round(quiet()); rep.Applied != 2 {
		t.Fatalf("a pushed %+v", rep)
	}
	b.round(quiet())
	want := a.count("visits")
	if b.count("visits") != want {
		t.Fatalf("before the restore: b %d visits, a %d", b.count("visits"), want)
	}
	// B writes one more, unpushed, before HQ loses its memory.
	b.checkIn("李白")

	h.Stop()
	copyDB(t, backup, db)
	h.Restart()

	// B pushes first: HQ's head is now below B's cursor, so B reloads.
	repB := b.round(quiet())
	if len(repB.Loaded) == 0 || repB.Applied != 1 {
		t.Fatalf("b after the restore: %+v", repB)
	}
	// A finds HQ behind its acknowledged rows: it pushes them again and,
	// HQ's numbering having gone back, reloads its scopes.
	repA := a.round(quiet())
	if repA.Requeued == 0 || repA.Applied != 2 || len(repA.Loaded) == 0 {
		t.Fatalf("a after the restore: %+v", repA)
	}
	b.round(quiet())
	a.round(quiet())
	want++
	for name, d := range map[string]*device{"a": a, "b": b} {
		if got := d.count("visits"); got != want {
			t.Errorf("%s has %d visits, want %d", name, got, want)
		}
		if d.pending() != 0 {
			t.Errorf("%s has %d pending", name, d.pending())
		}
	}
}

// A revoked device stops with err.sync.revoked; the loop says revoked.
func TestRevokedDevice(t *testing.T) {
	t.Parallel()
	h := hqtest.Start(t, hq.SQLite)
	a, _ := enrolledPair(t, h, nil, nil)
	h.Revoke(a.identity().DeviceID)
	a.checkIn("王五")
	_, err := hqsync.NewLoop(a.s, quiet()).Round(context.Background())
	if keyOf(err) != hqsync.KeyRevoked {
		t.Fatalf("revoked: %v", err)
	}
	if a.pending() != 1 {
		t.Fatalf("the outbox changed: %d pending", a.pending())
	}
}

// The background loop, with real goroutines: a check-in at one device
// reaches the other's long-poll within about a second; SyncNow and Kick
// never block; Stop returns promptly and leaves no goroutine behind.
func TestLoopDeliversWithinASecond(t *testing.T) {
	h := hqtest.Start(t, hq.SQLite)
	a, b := enrolledPair(t, h, nil, nil)
	// Every goroutine the loops start ends with Stop (HQ's are older).
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	var statuses atomic.Int32
	optsA, optsB := quiet(), quiet()
	optsA.OnStatus = func(hqsync.Status) { statuses.Add(1) }
	la, lb := hqsync.NewLoop(a.s, optsA), hqsync.NewLoop(b.s, optsB)
	ctx := context.Background()
	la.Start(ctx)
	lb.Start(ctx)
	defer la.Stop()
	defer lb.Stop()
	waitFor(t, 10*time.Second, func() bool {
		return la.Status().State == hqsync.StateOnline && lb.Status().State == hqsync.StateOnline
	})
	arrived := make(chan struct{}, 8)
	cancel := b.s.OnChange(func() { arrived <- struct{}{} })
	defer cancel()
	base := b.count("visits")
	for i := range 3 {
		start := time.Now()
		a.checkIn(fmt.Sprintf("快递%c", 'a'+i))
		la.Kick()
		deadline := time.After(5 * time.Second)
		for b.count("visits") != base+i+1 {
			select {
			case <-arrived:
			case <-deadline:
				t.Fatalf("check-in %d not at b after 5 s", i)
			case <-time.After(50 * time.Millisecond):
			}
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("check-in %d took %v to reach b", i, d)
		} else {
			t.Logf("check-in %d at b after %v", i, d.Round(time.Millisecond))
		}
	}
	// Without a Kick: the outbox poll finds the write.
	start := time.Now()
	a.checkIn("无人通知")
	waitFor(t, 10*time.Second, func() bool { return b.count("visits") == base+4 })
	t.Logf("unkicked check-in at b after %v", time.Since(start).Round(time.Millisecond))
	if statuses.Load() == 0 {
		t.Error("no status callback")
	}
	waitFor(t, 5*time.Second, func() bool { st := la.Status(); return st.State == hqsync.StateOnline && st.Pending == 0 })
	if st := la.Status(); st.LastSuccess.IsZero() || st.ErrKey != "" {
		t.Errorf("a's status %+v", st)
	}
	stopped := time.Now()
	la.Stop()
	lb.Stop()
	if d := time.Since(stopped); d > 2*time.Second {
		t.Errorf("Stop took %v", d)
	}
}

func waitFor(t *testing.T, limit time.Duration, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// HQ down: the loop goes offline with err.sync.unreachable and comes back by
// itself when HQ returns; SyncNow cuts the back-off short.
func TestLoopOfflineAndBack(t *testing.T) {
	t.Parallel()
	h := hqtest.Start(t, hq.SQLite)
	a, b := enrolledPair(t, h, nil, nil)
	opts := quiet()
	opts.MinBackoff, opts.MaxBackoff = 200*time.Millisecond, 400*time.Millisecond
	l := hqsync.NewLoop(a.s, opts)
	l.Start(context.Background())
	defer l.Stop()
	waitFor(t, 10*time.Second, func() bool { return l.Status().State == hqsync.StateOnline })
	h.Stop()
	a.checkIn("离线登记")
	l.Kick()
	waitFor(t, 10*time.Second, func() bool { st := l.Status(); return st.State == hqsync.StateOffline && st.Pending == 1 })
	// Unreachable, or unavailable when the stopping HQ answered 503 first.
	if st := l.Status(); st.ErrKey != hqsync.KeyUnreachable && st.ErrKey != hqsync.KeyUnavailable {
		t.Fatalf("offline status %+v", st)
	}
	h.Restart()
	l.SyncNow()
	waitFor(t, 10*time.Second, func() bool { st := l.Status(); return st.State == hqsync.StateOnline && st.Pending == 0 })
	b.round(quiet())
	if b.count("visits") != a.count("visits") {
		t.Fatalf("b %d visits, a %d", b.count("visits"), a.count("visits"))
	}
}

// Nothing secret reaches the log in a whole enrollment and round at debug
// level.
func TestNoSecretsInTheLog(t *testing.T) {
	t.Parallel()
	h := hqtest.Start(t, hq.SQLite)
	h.AddOffice("SH01", "上海一号案场")
	var buf bytes.Buffer
	var mu sync.Mutex
	opts := hqsync.Options{Logger: slog.New(slog.NewTextHandler(lockedWriter{&mu, &buf}, &slog.HandlerOptions{Level: slog.LevelDebug}))}
	a := standalone(t, "SH01", nil)
	a.checkIn("陈晨")
	code := h.Code("SH01")
	a.mustEnroll(h, code, opts)
	a.round(opts)
	secret, err := a.s.DeviceSecret(context.Background())
	if err != nil || secret == "" {
		t.Fatal(err)
	}
	mu.Lock()
	out := buf.String()
	mu.Unlock()
	if !strings.Contains(out, "/v1/push") {
		t.Fatalf("nothing logged:\n%s", out)
	}
	for _, s := range []string{secret, code, "Bearer", "13800138000", "陈晨"} {
		if strings.Contains(out, s) {
			t.Fatalf("the log holds %q:\n%s", s, out)
		}
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// HQ needs a newer schema: the round stops with err.sync.update_required,
// the outbox is kept, and the loop says update_required.
func TestUpdateRequired(t *testing.T) {
	t.Parallel()
	h := hqtest.StartWith(t, hq.SQLite, hqtest.Options{Config: func(c *hq.Config) { c.MinSchema = data.SchemaVersion + 1 }})
	h.AddOffice("SH01", "上海一号案场")
	a := standalone(t, "SH01", nil)
	a.checkIn("王五")
	pending := a.pending()
	_, err := a.enroll(h, h.Code("SH01"), quiet())
	if keyOf(err) != hqsync.KeyUpdateRequired {
		t.Fatalf("enroll: %v", err)
	}
	if a.identity().Enrolled || a.pending() != pending {
		t.Fatalf("the device changed: %+v, pending %d", a.identity(), a.pending())
	}
}

// HQ's clock jumps past the device's token: HQ answers 401, the device
// gets a new token and the round goes through.
func TestExpiredTokenAtHQIsRenewed(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	skew := time.Duration(0)
	hqNow := func() time.Time { mu.Lock(); defer mu.Unlock(); return time.Now().Add(skew) }
	h := hqtest.StartWith(t, hq.SQLite, hqtest.Options{Now: hqNow})
	a, b := enrolledPair(t, h, nil, nil)
	l := hqsync.NewLoop(a.s, quiet())
	a.checkIn("甲")
	if rep, err := l.Round(context.Background()); err != nil || rep.Applied != 1 {
		t.Fatalf("first round: %+v %v", rep, err)
	}
	mu.Lock()
	skew = 20 * time.Minute
	mu.Unlock()
	a.checkIn("乙")
	if rep, err := l.Round(context.Background()); err != nil || rep.Applied != 1 {
		t.Fatalf("round after HQ's clock jumped: %+v %v", rep, err)
	}
	b.round(quiet())
	if a.count("visits") != b.count("visits") {
		t.Fatalf("a %d, b %d", a.count("visits"), b.count("visits"))
	}
}

// HQ is restored from a backup and other devices push past the old head
// before a device with nothing to push pulls again: its cursor is below
// HQ's head, but the change under it is another one. The tip it sends with
// the cursor tells HQ, which answers resync, and the device reloads rather
// than skip the rows it never saw.
func TestHQRestoredThenOvertaken(t *testing.T) {
	t.Parallel()
	h := hqtest.Start(t, hq.SQLite)
	a, b := enrolledPair(t, h, nil, nil)
	d := fresh(t, nil)
	d.mustEnroll(h, h.Code("SH01"), quiet())
	// A new loop for every round of B's, as a program restarted each time:
	// the tips are stored with the cursors.
	lb := func() *hqsync.Loop { return hqsync.NewLoop(b.s, quiet()) }
	if _, err := lb().Round(context.Background()); err != nil {
		t.Fatal(err)
	}
	db := hqFiles(t)
	backup := filepath.Join(t.TempDir(), "backup.db")
	h.Stop()
	copyDB(t, db, backup)
	h.Restart()
	a.checkIn("甲一")
	a.checkIn("甲二")
	a.round(quiet())
	if _, err := lb().Round(context.Background()); err != nil {
		t.Fatal(err)
	}
	h.Stop()
	copyDB(t, backup, db)
	h.Restart()
	// D writes three records: HQ's head passes B's cursor.
	for _, n := range []string{"丁一", "丁二", "丁三"} {
		d.checkIn(n)
	}
	d.round(quiet())
	rep, err := lb().Round(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Loaded) == 0 {
		t.Fatalf("b did not reload: %+v", rep)
	}
	// A finds HQ behind and pushes its two again; everyone converges.
	a.round(quiet())
	if _, err := lb().Round(context.Background()); err != nil {
		t.Fatal(err)
	}
	d.round(quiet())
	want := a.count("visits")
	for name, dev := range map[string]*device{"b": b, "d": d} {
		if got := dev.count("visits"); got != want {
			t.Errorf("%s has %d visits, a %d", name, got, want)
		}
	}
	if want != 5 {
		t.Errorf("a has %d visits, want 5", want)
	}
}

// A device enrolled with an HQ code reads global and the offices; a round
// after an office pushed brings its records.
func TestEnrollHQDevice(t *testing.T) {
	t.Parallel()
	h := hqtest.Start(t, hq.SQLite)
	a, _ := enrolledPair(t, h, nil, nil)
	a.checkIn("总部看")
	a.round(quiet())
	d := fresh(t, nil)
	res := d.mustEnroll(h, h.HQCode(), quiet())
	if res.Role != hqsync.RoleHQ {
		t.Fatalf("enrolled as %+v", res)
	}
	rep := d.round(quiet())
	t.Logf("hq device: scopes %v, loaded %v, round %+v", res.Scopes, res.Loaded, rep)
	if !slices.Contains(res.Scopes, hqsync.ScopeGlobal) {
		t.Fatalf("scopes %v", res.Scopes)
	}
}

// A local write wakes the loop by itself (the store tells it on commit):
// with the outbox poll an hour long and nobody calling Kick, a check-in at
// a still reaches b through HQ within two seconds.
func TestLocalWriteWakesTheLoop(t *testing.T) {
	h := hqtest.Start(t, hq.SQLite)
	a, b := enrolledPair(t, h, nil, nil)
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	optsA, optsB := quiet(), quiet()
	optsA.OutboxPoll, optsB.OutboxPoll = time.Hour, time.Hour
	la, lb := hqsync.NewLoop(a.s, optsA), hqsync.NewLoop(b.s, optsB)
	ctx := context.Background()
	la.Start(ctx)
	lb.Start(ctx)
	defer la.Stop()
	defer lb.Stop()
	waitFor(t, 10*time.Second, func() bool {
		return la.Status().State == hqsync.StateOnline && lb.Status().State == hqsync.StateOnline
	})
	base := b.count("visits")
	for i := range 3 {
		start := time.Now()
		a.checkIn(fmt.Sprintf("自己醒%c", 'a'+i))
		waitFor(t, 10*time.Second, func() bool { return b.count("visits") == base+i+1 })
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("check-in %d took %v to reach b without a Kick", i, d)
		} else {
			t.Logf("check-in %d at b after %v", i, d.Round(time.Millisecond))
		}
	}
}

// A device renamed in Settings after it enrolled: HQ's device list follows
// at its next token request; the office's name and code stay HQ's.
func TestDeviceRenameReachesHQ(t *testing.T) {
	t.Parallel()
	h := hqtest.Start(t, hq.SQLite)
	a, _ := enrolledPair(t, h, nil, nil)
	ctx := context.Background()
	_, off, err := a.s.Device()
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := a.s.EditOffice(ctx, a.admin.ID, data.OfficeEdit{OfficeName: off.Name, OfficeCode: off.Code, DeviceName: "前台三号机"}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := a.s.EditOffice(ctx, a.admin.ID, data.OfficeEdit{OfficeName: "别的名字", OfficeCode: off.Code, DeviceName: "前台三号机"}); err == nil {
		t.Fatal("an enrolled office was renamed at the desk")
	}
	a.round(quiet()) // a new loop asks for a token
	id := a.identity().DeviceID
	for _, d := range h.Devices() {
		if d.ID == id && d.Name != "前台三号机" {
			t.Fatalf("HQ lists the device as %q", d.Name)
		}
		if d.ID == id {
			return
		}
	}
	t.Fatal("the device is not in HQ's list")
}

// HQ renames an enrolled office (anchang-hq office rename): its devices
// get the new name with their next pull; the code and the ticket numbers
// stay. A bad name changes nothing.
func TestHQRenamesOffice(t *testing.T) {
	t.Parallel()
	h := hqtest.Start(t, hq.SQLite)
	a, b := enrolledPair(t, h, nil, nil)
	ctx := context.Background()
	for _, bad := range []string{"", "  ", "上海\u0007一号", strings.Repeat("名", 61)} {
		if _, err := hq.RenameOffice(ctx, h.Store, data.DescribeMutation, "SH01", bad, time.Now()); data.ErrorCode(err) != data.EINVALID {
			t.Fatalf("name %q: %v", bad, err)
		}
	}
	if _, err := hq.RenameOffice(ctx, h.Store, data.DescribeMutation, "NOPE", "某案场", time.Now()); err == nil {
		t.Fatal("renamed an office that does not exist")
	}
	if _, err := hq.RenameOffice(ctx, h.Store, data.DescribeMutation, "sh01", "上海一号售楼处", time.Now()); err != nil {
		t.Fatal(err)
	}
	for _, d := range []*device{a, b} {
		d.round(quiet())
		_, off, err := d.s.Device()
		if err != nil {
			t.Fatal(err)
		}
		if off.Name != "上海一号售楼处" || off.Code != "SH01" {
			t.Fatalf("the device has %+v", off)
		}
	}
}

package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	gosync "sync"
	"sync/atomic"
	"testing"
	"time"

	"anchang/data"
	"anchang/sync/hq"
	"anchang/sync/hq/pgtest"
)

// office is a test office: its HQ record and its devices.
type office struct {
	hq      hq.Office
	devices []*Device
}

// newOffice creates the office at HQ; its first device was a standalone
// office that enrolls with its history, the others join fresh.
func newOffice(t *testing.T, ctx context.Context, h Server, code, name string, n int) *office {
	t.Helper()
	url, fp := h.Endpoint()
	return newOfficeVia(t, ctx, h, url, fp, code, name, n)
}

// newOfficeVia is newOffice with the devices talking to HQ at url.
func newOfficeVia(t *testing.T, ctx context.Context, h Server, url, fp, code, name string, n int) *office {
	t.Helper()
	off, err := h.AddOffice(ctx, code, name)
	if err != nil {
		t.Fatal(err)
	}
	o := &office{hq: off}
	for i := 0; i < n; i++ {
		d, err := OpenDevice(ctx, filepath.Join(t.TempDir(), "dev"), fmt.Sprintf("%s-%d", code, i+1), nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { d.Close() })
		if i == 0 {
			if err := d.SetUp(ctx, code, name); err != nil {
				t.Fatal(err)
			}
			for _, n := range []string{"李娜", "王强"} {
				if _, err := d.Store.CreateStaff(ctx, d.Actor, data.StaffInput{Name: n, Role: data.RoleConsultant}); err != nil {
					t.Fatal(err)
				}
			}
			checkIn(t, ctx, d, "standalone")
		}
		c, err := h.Code(ctx, code, false)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := d.Enroll(ctx, url, fp, c); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			if err := d.SyncUntilQuiet(ctx, 5); err != nil {
				t.Fatal(err)
			}
		}
		o.devices = append(o.devices, d)
	}
	return o
}

// phoneSeq numbers the visitors' phones across parallel tests.
var phoneSeq atomic.Int64

func nextPhone(prefix string) string { return fmt.Sprintf("%s%04d", prefix, phoneSeq.Add(1)%10000) }

func checkIn(t *testing.T, ctx context.Context, d *Device, note string) data.Visit {
	t.Helper()
	phone := nextPhone("1380013")
	srcs, err := d.Store.Sources(ctx)
	if err != nil || len(srcs) == 0 {
		t.Fatalf("%s: sources: %v (%d)", d.Name, err, len(srcs))
	}
	v, err := d.Store.CheckIn(ctx, d.Actor, data.CheckInInput{Name: "张三", Phone: phone, PartySize: "2",
		Purpose: data.PurposeViewing, SourceID: srcs[int(phone[len(phone)-1])%len(srcs)].ID, Consent: true, Notes: note})
	if err != nil {
		t.Fatalf("%s: check-in: %v", d.Name, err)
	}
	return v
}

// startHQ starts HQ as the real anchang-hq process (built once per test
// binary) with its data in a temporary directory; it is killed when the
// test ends.
func startHQ(t *testing.T) *Proc { t.Helper(); return startHQOn(t, hq.SQLite) }

// startHQOn starts the HQ process on a backend: hq.SQLite, or hq.Postgres
// (a fresh database on the throwaway PostgreSQL server of pgtest).
func startHQOn(t *testing.T, backend string) *Proc {
	t.Helper()
	hqBuild.Do(func() {
		dir, err := os.MkdirTemp("", "anchang-hq-bin-")
		if err != nil {
			hqBuildErr = err
			return
		}
		hqBinDir = dir
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		hqBin, hqBuildErr = BuildHQ(ctx, dir)
	})
	if hqBuildErr != nil {
		t.Fatal(hqBuildErr)
	}
	dsn := ""
	if backend == hq.Postgres {
		dsn = pgtest.DSN(t)
	}
	p, err := StartProcWith(hqBin, t.TempDir(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Kill)
	return p
}

var (
	hqBuild    gosync.Once
	hqBin      string
	hqBinDir   string
	hqBuildErr error
)

// startInProcessHQ starts HQ in this process (for a test that needs a
// configuration the binary has no flag for).
func startInProcessHQ(t *testing.T) *HQ {
	t.Helper()
	h, err := StartHQ(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(h.Kill)
	return h
}

// newHQDevice is an HQ-scoped desktop client: enrolled with an HQ code,
// then given its first admin (an HQ device has no staff of its own).
func newHQDevice(t *testing.T, ctx context.Context, h Server) *Device {
	t.Helper()
	d, err := OpenDevice(ctx, filepath.Join(t.TempDir(), "dev"), "HQ-1", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	c, err := h.Code(ctx, "", true)
	if err != nil {
		t.Fatal(err)
	}
	url, fp := h.Endpoint()
	if _, err := d.Enroll(ctx, url, fp, c); err != nil {
		t.Fatal(err)
	}
	if err := d.SyncUntilQuiet(ctx, 5); err != nil {
		t.Fatal(err)
	}
	if need, err := d.Store.NeedsFirstAdmin(ctx); err != nil || !need {
		t.Fatalf("hq device: needs a first admin = %v, %v", need, err)
	}
	admin, err := d.Store.CreateFirstAdmin(ctx, data.FirstAdminInput{Name: "总部管理员", PIN: "258014"})
	if err != nil {
		t.Fatal(err)
	}
	d.Actor = admin.ID
	return d
}

// holidays2027 is a year's official schedule (the assets/holidays format)
// as HQ would publish it: the test's own, not the State Council's.
const holidays2027 = `{"year":2027,"papers":[],"days":[
 {"name":"元旦","date":"2027-01-01","isOffDay":true},
 {"name":"春节","date":"2027-02-06","isOffDay":true},
 {"name":"春节","date":"2027-02-07","isOffDay":true},
 {"name":"春节","date":"2027-02-20","isOffDay":false}]}`

// Two offices with two devices each and an HQ device, all offline while
// they record; then they sync. Every record reaches every device of its
// office and no other office; the FAQ entry HQ approved reaches both
// offices; the devices of one office derive the same board and rotation.
func TestEndToEnd(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	h := startHQ(t)
	a := newOffice(t, ctx, h, "SH01", "上海一号案场", 2)
	b := newOffice(t, ctx, h, "BJ01", "北京一号案场", 2)
	hd := newHQDevice(t, ctx, h)
	offices := []*office{a, b}
	all := append(append([]*Device{hd}, a.devices...), b.devices...)
	// HQ publishes the manual's categories (an enrolled office has none
	// of its own until HQ's arrive).
	if err := hd.Store.AddFAQCategory(ctx, hd.Actor, data.FAQCategory{Code: "showroom", NameZH: "样板间", NameEN: "Show flat"}); err != nil {
		t.Fatal(err)
	}
	syncAll(t, ctx, all...)
	for _, d := range all {
		d.Faults.Set(Always(Offline, ""))
	}
	// Offline at every device.
	made := map[string]map[string]bool{} // office id -> visit ids
	for _, o := range offices {
		made[o.hq.ID] = map[string]bool{}
		for _, d := range o.devices {
			for _, id := range writeN(t, ctx, d, 4, "offline") {
				made[o.hq.ID][id] = true
			}
			staff, err := d.Store.ListStaff(ctx, false)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range staff {
				if s.Role != data.RoleConsultant {
					continue
				}
				if err := d.Store.RotationAction(ctx, d.Actor, s.ID, data.RotJoin); err != nil {
					t.Logf("%s: rotation join: %v", d.Name, err)
				}
			}
			if Registered(data.MutTicketOpen) {
				for i := 0; i < 2; i++ {
					tk, err := OpenTicket(ctx, d, nextPhone("1370013"), "样板间漏水")
					if err != nil {
						t.Fatalf("%s: ticket: %v", d.Name, err)
					}
					// Both devices of the office act on the first device's tickets
					// only after syncing; here each acknowledges its own.
					if _, err := d.Store.AddTicketEvent(ctx, d.Actor, tk.ID, data.TicketEvent{Kind: data.EvAcknowledged}); err != nil {
						t.Fatalf("%s: ticket event: %v", d.Name, err)
					}
				}
			}
			b, err := d.Store.Board(ctx, d.Store.Today(), data.BoardFilter{})
			if err != nil {
				t.Fatal(err)
			}
			for i, r := range b.Rows {
				if i%3 == 0 {
					if err := d.Store.CheckOut(ctx, d.Actor, r.VisitID); err != nil {
						t.Logf("%s: check-out: %v", d.Name, err)
					}
				}
			}
		}
	}
	// Office A's admin drafts an answer and submits it for review; HQ
	// publishes an SLA policy and next year's holidays.
	draft, err := a.devices[0].Store.SaveFAQ(ctx, a.devices[0].Actor, "", data.FAQInput{Category: faqCategory(t, ctx, a.devices[0]),
		Question: "样板间几点开放？", Answer: "每天上午九点到下午六点开放。"})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.devices[0].Store.SetFAQStatus(ctx, a.devices[0].Actor, draft.EntryID, data.FAQReview, ""); err != nil {
		t.Fatal(err)
	}
	if err := a.devices[0].Store.SetFAQStatus(ctx, a.devices[0].Actor, draft.EntryID, data.FAQApproved, ""); errKey(err) != "err.sync.approved_at_hq" {
		t.Errorf("office approves its own draft: %v, want err.sync.approved_at_hq", err)
	}
	cur, err := hd.Store.SLAPolicy(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// HQ's version changes the service part and an acknowledgement limit too.
	cur.Rules = slices.Clone(cur.Rules)
	cur.Rules[0].Ack = data.Limit{N: 12, Unit: data.UnitHours}
	cur.Service.Satisfaction, cur.Service.RepeatDays = 4.2, 60
	pol, err := hd.Store.SavePolicy(ctx, hd.Actor, cur)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := hd.Store.ImportHolidays(ctx, hd.Actor, []byte(holidays2027)); err != nil {
		t.Fatal(err)
	}
	for _, d := range all {
		d.Faults.Set(nil)
	}
	syncAll(t, ctx, all...)
	// The draft reached HQ's review queue (and no other office); HQ approves it.
	if v, err := hd.Store.FAQVersionOf(ctx, draft.EntryID, 0); err != nil || v.Status != data.FAQReview {
		t.Fatalf("hq device: office's submitted draft: %+v, %v", v, err)
	}
	if _, err := b.devices[0].Store.FAQVersionOf(ctx, draft.EntryID, 0); errKey(err) != "err.faq.not_found" {
		t.Errorf("office B sees office A's draft: %v", err)
	}
	if err := hd.Store.SetFAQStatus(ctx, hd.Actor, draft.EntryID, data.FAQApproved, ""); err != nil {
		t.Fatalf("hq approves the draft: %v", err)
	}
	faqEntry := draft.EntryID
	for _, d := range all {
		d.Faults.Set(nil)
	}
	syncAll(t, ctx, all...)
	checkAll(t, ctx, h, all...)
	if !Registered(data.MutTicketOpen) {
		t.Log("tickets are not sync mutations on this build: their part is left out")
	}
	for _, o := range offices {
		var board, rot, tks string
		for i, d := range o.devices {
			bs, err := BoardState(ctx, d.Store)
			if err != nil {
				t.Fatal(err)
			}
			rs, err := RotationState(ctx, d.Store)
			if err != nil {
				t.Fatal(err)
			}
			ts, err := TicketState(ctx, d.Store)
			if err != nil {
				t.Fatal(err)
			}
			if err := UniqueTicketNumbers(ctx, d.Store); err != nil {
				t.Error(err)
			}
			if i == 0 {
				board, rot, tks = bs, rs, ts
			} else {
				if ts != tks {
					t.Errorf("%s: tickets differ from %s:\n%s\nvs\n%s", d.Name, o.devices[0].Name, ts, tks)
				}
				if bs != board {
					t.Errorf("%s: board differs from %s:\n%s\nvs\n%s", d.Name, o.devices[0].Name, bs, board)
				}
				if rs != rot {
					t.Errorf("%s: rotation differs from %s:\n%s\nvs\n%s", d.Name, o.devices[0].Name, rs, rot)
				}
			}
			ids, err := d.Store.AuditRecordIDs(ctx, "visit")
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, id := range ids {
				if made[o.hq.ID][id] {
					n++
				}
				for off, m := range made {
					if off != o.hq.ID && m[id] {
						t.Errorf("%s: holds visit %s of another office", d.Name, id)
					}
				}
			}
			if n != len(made[o.hq.ID]) {
				t.Errorf("%s: %d of its office's %d offline visits", d.Name, n, len(made[o.hq.ID]))
			}
			live, err := d.Store.LiveFAQ(ctx, faqEntry)
			if err != nil || live.Question != "样板间几点开放？" {
				t.Errorf("%s: hq's approved faq entry: %+v, %v", d.Name, live.Question, err)
			}
			if p, err := d.Store.SLAPolicy(ctx); err != nil || p.Version != pol.Version || p.Service.Satisfaction != 4.2 || p.Service.RepeatDays != 60 ||
				p.Rules[0].Ack != pol.Rules[0].Ack {
				t.Errorf("%s: sla policy version %d (satisfaction %v, repeat days %d, ack %v), %v; hq published %d", d.Name, p.Version,
					p.Service.Satisfaction, p.Service.RepeatDays, p.Rules[0].Ack, err, pol.Version)
			}
			if years, err := d.Store.HolidayYears(ctx); err != nil || !slices.Contains(years, 2027) {
				t.Errorf("%s: holiday years %v, %v; hq published 2027", d.Name, years, err)
			}
		}
	}
}

// errKey is the key of a coded error, "" for none.
func errKey(err error) string {
	if e, ok := data.AsError(err); ok {
		return e.Key
	}
	return ""
}

func faqCategory(t *testing.T, ctx context.Context, d *Device) string {
	t.Helper()
	cats, err := d.Store.FAQCategories(ctx)
	if err != nil || len(cats) == 0 {
		t.Fatalf("%s: faq categories: %v (%d)", d.Name, err, len(cats))
	}
	return cats[0].Code
}

package e2e

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"anchang/data"
)

// joinDevice enrolls a new device into office code: it bootstraps from
// HQ's snapshot.
func joinDevice(t *testing.T, ctx context.Context, h Server, code, name string) *Device {
	t.Helper()
	d, err := OpenDevice(ctx, filepath.Join(t.TempDir(), "dev"), name, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	c, err := h.Code(ctx, code, false)
	if err != nil {
		t.Fatal(err)
	}
	url, fp := h.Endpoint()
	if _, err := d.Enroll(ctx, url, fp, c); err != nil {
		t.Fatal(err)
	}
	return d
}

// TestMergeRulesThroughHQ: two devices of one office, both offline, check
// the same phone in and each set the office's opening hours; through the
// real HQ process, both devices and one that joins afterwards (from the
// snapshot) see one customer with both visits, and the opening hours HQ
// received last (docs/sync.md, Merge rules).
func TestMergeRulesThroughHQ(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	h := startHQ(t)
	o := newOffice(t, ctx, h, "SH07", "上海七号案场", 2)
	a, b := o.devices[0], o.devices[1]
	syncAll(t, ctx, a, b)
	admin := officeAdmin(t, ctx, a)
	for _, d := range []*Device{a, b} {
		d.Faults.Set(Always(Offline, ""))
	}
	phone := nextPhone("1390013")
	va, err := a.CheckIn(ctx, phone, "A")
	if err != nil {
		t.Fatal(err)
	}
	vb, err := b.CheckIn(ctx, phone, "B")
	if err != nil {
		t.Fatal(err)
	}
	if va.Kind != data.KindFirst || vb.Kind != data.KindFirst || va.VisitorID == vb.VisitorID {
		t.Fatalf("offline check-ins %+v %+v", va, vb)
	}
	early := data.OfficeHours{Days: [7]bool{false, true, true, true, true, true, true}, Open: 8 * time.Hour, Close: 17 * time.Hour}
	late := data.OfficeHours{Days: [7]bool{true, true, true, true, true, true, true}, Open: 10 * time.Hour, Close: 21 * time.Hour}
	if err := a.Store.SetOfficeHours(ctx, admin, early); err != nil {
		t.Fatal(err)
	}
	if err := b.Store.SetOfficeHours(ctx, admin, late); err != nil {
		t.Fatal(err)
	}
	for _, d := range []*Device{a, b} {
		d.Faults.Set(nil)
		if err := d.SyncUntilQuiet(ctx, 10); err != nil { // A reaches HQ first, then B
			t.Fatal(err)
		}
	}
	syncAll(t, ctx, a, b)
	c := joinDevice(t, ctx, h, "SH07", "SH07-3")
	syncAll(t, ctx, a, b, c)

	var board string
	for i, d := range []*Device{a, b, c} {
		r, ok, err := d.Store.LookupPhone(ctx, phone)
		if err != nil || !ok {
			t.Fatalf("%s: lookup %v %v", d.Name, ok, err)
		}
		if r.VisitorID != va.VisitorID || r.Visits != 2 {
			t.Errorf("%s: customer %s with %d visits, want A's %s (first at HQ) with 2", d.Name, r.VisitorID, r.Visits, va.VisitorID)
		}
		if got, err := d.Store.OfficeHours(ctx); err != nil || got != late {
			t.Errorf("%s: opening hours %+v %v, want B's (last at HQ)", d.Name, got, err)
		}
		bs, err := BoardState(ctx, d.Store)
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			board = bs
		} else if bs != board {
			t.Errorf("%s: board differs:\n%s\nvs\n%s", d.Name, bs, board)
		}
		if err := CheckDeviceView(ctx, h.Store(), d); err != nil {
			t.Error(err)
		}
	}
	// The next check-in of the phone, on any device, is a return visit.
	v, err := c.CheckIn(ctx, phone, "C")
	if err != nil || v.Kind != data.KindReturn || v.VisitorID != va.VisitorID {
		t.Fatalf("after the merge: %+v %v", v, err)
	}
}

package hqsync_test

import (
	"context"
	"testing"

	"anchang/data"
	"anchang/sync/hq"
	"anchang/sync/hq/hqtest"
)

// A demo office never enrolls: refused with err.demo.enrol before HQ is
// asked, so the one-time code is still good for a real device afterwards,
// and the demo stays standalone.
func TestDemoOfficeNeverEnrolls(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h := hqtest.Start(t, hq.SQLite)
	h.AddOffice("SH01", "上海一号案场")
	code := h.Code("SH01")

	dir := t.TempDir()
	if _, err := data.CreateDemo(ctx, dir, data.DemoOptions{Days: 1, PerDay: 5, Seed: 1}); err != nil {
		t.Fatal(err)
	}
	s, err := data.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	demo := &device{t: t, s: s, dir: dir}
	pending := demo.pending()
	_, err = demo.enroll(h, code, quiet())
	if e, ok := data.AsError(err); !ok || e.Key != "err.demo.enrol" {
		t.Fatalf("enrolling the demo office: %v", err)
	}
	if id := demo.identity(); id.Enrolled || id.HQURL != "" || demo.pending() != pending {
		t.Fatalf("the demo office after the refusal: %+v, %d pending (was %d)", id, demo.pending(), pending)
	}
	real := fresh(t, nil)
	if res := real.mustEnroll(h, code, quiet()); res.OfficeCode != "SH01" {
		t.Fatalf("a real device with the same code: %+v", res)
	}
}

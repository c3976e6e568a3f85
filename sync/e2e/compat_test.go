package e2e

import (
	"context"
	"maps"
	"net/http"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"anchang/data"
	hqsync "anchang/sync"
)

// A desk older than the schema a mutation version needs (ticket.open v2:
// schema 13) is never handed that version: HQ (the real anchang-hq process,
// started without --min-schema) answers its pull, and its bootstrap
// snapshot, with 426 update_required naming the version, and the desk
// applies nothing and keeps its cursors; what it pushes is accepted as
// before. Claiming schema 13 it syncs; a desk of the current schema is
// never refused.
func TestOldDeskIsNotHandedWhatItCannotRead(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	h := startHQ(t)
	o := newOffice(t, ctx, h, "SH01", "上海一号案场", 2)
	a, b := o.devices[0], o.devices[1]
	syncAll(t, ctx, a, b)

	need := data.MutationMinSchema(data.MutTicketOpen, 2)
	if need != 13 {
		t.Fatalf("ticket.open v2 needs schema %d, want 13", need)
	}
	tk, err := OpenTicket(ctx, a, nextPhone("1390013"), "老版本前台读不了的工单")
	if err != nil {
		t.Fatal(err)
	}
	if err := a.SyncUntilQuiet(ctx, 5); err != nil { // the current schema: never refused
		t.Fatalf("current desk: %v", err)
	}
	log, err := HQLog(ctx, h.Store(), "office:"+o.hq.ID)
	if err != nil {
		t.Fatal(err)
	}
	v2 := 0
	for _, c := range log {
		if c.Name == data.MutTicketOpen && c.Version == 2 && c.RecordID == tk.ID {
			v2++
		}
	}
	if v2 != 1 {
		t.Fatalf("HQ holds %d ticket.open v2 of the ticket, want 1", v2)
	}
	claim := func(d *Device, schema int) {
		d.Faults.Set(func(r *http.Request) Fault {
			r.Header.Set(hqsync.HeaderSchema, strconv.Itoa(schema))
			return Pass
		})
	}
	tickets := func(d *Device) int {
		_, err := d.Store.Ticket(ctx, d.Actor, tk.ID)
		switch {
		case err == nil:
			return 1
		case data.ErrorCode(err) == data.ENOTFOUND || data.ErrorCode(err) == data.ENOTSETUP:
			return 0
		}
		t.Fatalf("%s: ticket: %v", d.Name, err)
		return 0
	}
	cursors := func(d *Device) map[string]int64 {
		c, err := d.Store.Cursors(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}

	// The old desk pushes a check-in: accepted. Its pull is refused whole.
	checkIn(t, ctx, b, "old desk")
	before := cursors(b)
	claim(b, need-1)
	for round := 0; round < 2; round++ {
		_, err = b.Round(ctx)
		if data.ErrorCode(err) != hqsync.CodeUpdateRequired || errKey(err) != hqsync.KeyUpdateRequired {
			t.Fatalf("schema %d, round %d: %v, want %s", need-1, round, err, hqsync.CodeUpdateRequired)
		}
		e, _ := data.AsError(err)
		if e.Args["Mutation"] != "ticket.open v2" || e.Args["Schema"] != float64(need) {
			t.Errorf("426 does not name what needs updating: %v", e.Args)
		}
		if n := tickets(b); n != 0 {
			t.Fatalf("the old desk applied the ticket (%d)", n)
		}
		if c := cursors(b); !maps.Equal(c, before) {
			t.Fatalf("cursors moved: %v, were %v", c, before)
		}
		if n := pending(t, ctx, b); n != 0 {
			t.Errorf("the old desk's push was not accepted: %d pending", n)
		}
	}

	// A desk of schema 12 enrolling: its bootstrap snapshot is refused too.
	c, err := OpenDevice(ctx, filepath.Join(t.TempDir(), "dev"), "SH01-3", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	code, err := h.Code(ctx, "SH01", false)
	if err != nil {
		t.Fatal(err)
	}
	claim(c, need-1)
	url, fp := h.Endpoint()
	if _, err := c.Enroll(ctx, url, fp, code); data.ErrorCode(err) != hqsync.CodeUpdateRequired {
		t.Fatalf("old desk's bootstrap: %v, want %s", err, hqsync.CodeUpdateRequired)
	}
	if n := tickets(c); n != 0 {
		t.Fatalf("the old desk's snapshot applied the ticket (%d)", n)
	}
	if _, err := c.Round(ctx); data.ErrorCode(err) != hqsync.CodeUpdateRequired {
		t.Fatalf("old desk's next round: %v, want %s", err, hqsync.CodeUpdateRequired)
	}

	// Updated to schema 13 (or later), both sync.
	for _, d := range []*Device{b, c} {
		claim(d, need)
		if err := d.SyncUntilQuiet(ctx, 5); err != nil {
			t.Fatalf("%s at schema %d: %v", d.Name, need, err)
		}
		if n := tickets(d); n != 1 {
			t.Fatalf("%s at schema %d: %d tickets", d.Name, need, n)
		}
		d.Faults.Set(nil)
	}
	syncAll(t, ctx, a, b, c)
	checkAll(t, ctx, h, a, b, c)
}

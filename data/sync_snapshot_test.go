package data

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
)

// generatedOffice records, at s, a few days of an office's work through
// the desk's API: the work of officeWork (staff, sources, visits,
// rotation, FAQ, consultations, hand-offs), then each day the consultants
// join, visitors check in and are handed over, moved and checked out at
// random, tickets are opened and worked, and a hand-over inspection is
// answered, valued and completed.
func generatedOffice(t *testing.T, s *Store, admin, recep Staff, clk *testClock, seed uint64) {
	t.Helper()
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(seed, seed+1))
	cons := officeWork(t, s, admin, clk)
	areas := []Area{AreaSandTable, AreaShowUnit}
	for day := range 3 {
		clk.Advance(24 * time.Hour)
		for _, c := range cons {
			mustOK(t, s.RotationAction(ctx, admin.ID, c.ID, RotJoin))
		}
		var open []string
		for i := range 12 {
			clk.Advance(7 * time.Minute)
			in := desk(t, s, "访客"+string(rune('甲'+i)), fmt.Sprintf("1390000%02d%02d", day, i%8)) // some return
			in.AutoAssign = rng.IntN(4) > 0
			v := mustCheckIn(t, s, recep.ID, in)
			if v.ConsultantID == "" {
				mustOK(t, s.Assign(ctx, admin.ID, v.ID, cons[rng.IntN(len(cons))].ID))
			}
			open = append(open, v.ID)
			for _, id := range slices.Clone(open) {
				switch rng.IntN(5) {
				case 0:
					if err := s.HandOver(ctx, admin.ID, id, areas[rng.IntN(2)]); err != nil && ErrorCode(err) != ECONFLICT && ErrorCode(err) != EINVALID {
						t.Fatal(err)
					}
				case 1:
					if err := s.MoveArea(ctx, admin.ID, id, areas[rng.IntN(2)]); err != nil && ErrorCode(err) != ECONFLICT && ErrorCode(err) != EINVALID {
						t.Fatal(err)
					}
				case 2:
					mustOK(t, s.CheckOut(ctx, admin.ID, id))
					open = slices.DeleteFunc(open, func(o string) bool { return o == id })
				}
			}
		}
		tk := mustOpen(t, s, recep.ID, complaint(day+1))
		for _, ev := range []TicketEvent{{Kind: EvAcknowledged}, {Kind: EvAssigned, To: recep.ID}, {Kind: EvResponded, Note: "已回复"}, {Kind: EvResolved}}[:1+rng.IntN(4)] {
			clk.Advance(time.Hour)
			mustEvent(t, s, admin.ID, tk.ID, ev)
		}
		ins := mustStart(t, s, recep.ID, handoverInput(fmt.Sprintf("12%02d", day)))
		answerAll(t, s, recep.ID, mustDetail(t, s, recep.ID, ins.ID), map[string]string{"kitchen.drain": "下水慢", "living.wall": "墙面空鼓"})
		mustOK(t, s.SetInspectionValue(ctx, recep.ID, ins.ID, ValueMeter, "water", fmt.Sprintf("%d.5", day)))
		clk.Advance(time.Hour)
		if day != 1 {
			mustOK(t, s.CompleteInspection(ctx, recep.ID, ins.ID, CompleteInput{OwnerSignature: signature(t), StaffSignature: demoSignature(1)}))
		}
	}
}

// storeDump is every row of every table of office data and the state
// derived from them (all but the device's own tables), sorted: two stores
// holding the same records and derived state have the same dump.
func storeDump(t *testing.T, s *Store) string {
	t.Helper()
	own := map[string]bool{"device": true, "outbox": true, "settings": true, "signin_guard": true, "sync_cursors": true,
		"sync_rejections": true, "sync_secret": true, "sync_state": true, "schema_migrations": true}
	rows, err := s.db.Query(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`)
	mustOK(t, err)
	var tables []string
	for rows.Next() {
		var n string
		mustOK(t, rows.Scan(&n))
		if !own[n] {
			tables = append(tables, n)
		}
	}
	mustOK(t, rows.Err())
	rows.Close()
	var b strings.Builder
	for _, tb := range tables {
		rows, err := s.db.Query(`SELECT * FROM "` + tb + `"`)
		mustOK(t, err)
		cols, _ := rows.Columns()
		var lines []string
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			mustOK(t, rows.Scan(ptrs...))
			var l strings.Builder
			for i, c := range cols {
				if tb == "office" && c == "device_id" {
					continue // the device that enrolled
				}
				v := vals[i]
				if bs, ok := v.([]byte); ok {
					v = string(bs)
				}
				fmt.Fprintf(&l, " %s=%v", c, v)
			}
			lines = append(lines, tb+":"+l.String())
		}
		mustOK(t, rows.Err())
		rows.Close()
		slices.Sort(lines)
		for _, l := range lines {
			b.WriteString(l)
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// TestSnapshotMatchesOneByOne: an office's log applied as a snapshot —
// in groups of changes, with the derived state re-derived at the end or
// in batches — gives exactly the records and derived state of the same
// log applied one change at a time, with the same changes skipped. The
// log is a generated office (visits, rotation, tickets, inspections, FAQ,
// consultations, and visitors of one phone made by two devices offline)
// with two bad changes HQ might send in the middle of it:
// one that does not decode and one whose visit does not exist (its
// insert fails inside a group, which is then applied change by change).
func TestSnapshotMatchesOneByOne(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	a, admin, recep, clk := inspectionStore(t)
	generatedOffice(t, a, admin, recep, clk, 7)
	_, office, _ := a.Device()
	log := &hqLog{scope: "office:" + office.ID}
	log.push(t, a)
	if len(log.changes) < 2*pulledGroup {
		t.Fatalf("only %d changes: the snapshot must span several groups", len(log.changes))
	}
	// The bad changes, in the middle of the log.
	ghost, err := json.Marshal(&visitEvent{recStamp: recStamp{ID: newID(), OfficeID: office.ID, DeviceID: newID(), CreatedAt: ms(clk.Now()), CreatedBy: admin.ID},
		VisitID: newID(), Kind: VisitCheckout})
	mustOK(t, err)
	var changes []PulledChange
	for i, c := range log.changes {
		if i == len(log.changes)/2 {
			changes = append(changes, PulledChange{Name: MutVisitEvent, Version: 1, RecordID: newID(), Payload: json.RawMessage(`{"id":`)},
				PulledChange{Name: MutVisitEvent, Version: 1, RecordID: newID(), Payload: ghost})
		}
		c.OriginDevice, c.OriginSeq = "", 0 // not the echo of anyone's
		changes = append(changes, c)
	}
	// Another device of the office checked some of the same phones in
	// while offline: visitors of one phone, merged into one customer.
	n := 0
	for _, c := range log.changes {
		if c.Name != MutVisitCheckIn || n == 10 {
			continue
		}
		var p visitCheckIn
		mustOK(t, json.Unmarshal(c.Payload, &p))
		p.ID, p.Visitor.ID, p.DeviceID, p.Kind, p.Visitor.New = newID(), newID(), newID(), KindFirst, true
		raw, err := json.Marshal(&p)
		mustOK(t, err)
		changes = append(changes, PulledChange{Name: MutVisitCheckIn, Version: 1, RecordID: p.ID, Payload: raw})
		n++
	}
	for i := range changes {
		changes[i].Seq = int64(i + 1)
	}
	scope, cursor := log.scope, int64(len(changes))

	oneByOne := joinStore(t, office, "B", clk)
	for i, c := range changes {
		mustOK(t, oneByOne.ApplyPulled(ctx, scope, changes[i:i+1], c.Seq, ""))
	}
	want := storeDump(t, oneByOne)
	for _, tb := range []string{"visits", "visit_events", "rotation", "tickets", "ticket_events", "inspections", "inspection_results", "faq_entries", "consult_handoffs"} {
		if !strings.Contains(want, "\n"+tb+":") {
			t.Fatalf("no %s in the office", tb)
		}
	}
	var merged int
	mustOK(t, oneByOne.db.QueryRow(`SELECT count(*) FROM visitors WHERE id NOT IN (SELECT visitor_id FROM visits)`).Scan(&merged))
	if merged < 5 {
		t.Fatalf("%d visitors merged away, want the other device's", merged)
	}
	st, err := oneByOne.SyncStatus(ctx)
	mustOK(t, err)
	if st.Skipped != 2 {
		t.Fatalf("one by one: %d skipped, want 2", st.Skipped)
	}

	// HQ's order: by rank, then seq (records of one rank may refer to
	// each other: an inspection's results to its start).
	snap := slices.Clone(changes)
	slices.SortStableFunc(snap, func(x, y PulledChange) int {
		return mutationSpecs[mutationKey{x.Name, x.Version}].Rank - mutationSpecs[mutationKey{y.Name, y.Version}].Rank
	})
	for _, tc := range []struct {
		name        string
		deriveBatch int
	}{
		{"derived at the end", 0},
		{"derived in batches of 5", 5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := joinStore(t, office, "C", clk)
			s.deriveBatch = tc.deriveBatch
			k := 0
			mustOK(t, s.ApplySnapshot(ctx, scope, cursor, "", func() (PulledChange, bool, error) {
				if k == len(snap) {
					return PulledChange{}, false, nil
				}
				k++
				return snap[k-1], true, nil
			}))
			if got := storeDump(t, s); got != want {
				t.Fatalf("the snapshot's store differs from one by one's:\n%s", firstDiff([]byte(got), []byte(want)))
			}
			st, err := s.SyncStatus(ctx)
			mustOK(t, err)
			if st.Skipped != 2 {
				t.Fatalf("%d skipped, want 2", st.Skipped)
			}
			cur, err := s.Cursors(ctx)
			mustOK(t, err)
			if cur[scope] != cursor {
				t.Fatalf("cursor %d, want %d", cur[scope], cursor)
			}
		})
	}
}

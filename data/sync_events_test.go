package data

import (
	"context"
	"encoding/json"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"anchang/assets"
)

// Two devices of one office: cloneDevice copies a store's database (the
// office, its staff and everything recorded so far, as a device that
// bootstrapped from HQ would have it) into a new store with its own
// device id, HQ tag and an empty outbox.
func cloneDevice(t *testing.T, s *Store, tag string) *Store {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	_, err := s.db.ExecContext(ctx, `VACUUM INTO ?`, filepath.Join(dir, DBFileName))
	mustOK(t, err)
	c, err := Open(ctx, dir)
	mustOK(t, err)
	t.Cleanup(func() { c.Close() })
	c.Now = s.Now
	id := newID()
	mustOK(t, c.tx(ctx, func(tx *txn) error {
		for _, q := range []string{`UPDATE device SET id = ?, device_id = ?`, `UPDATE sync_state SET device_id = ? WHERE ? = ?`, `DELETE FROM outbox WHERE ? = ?`} {
			args := []any{id, id, id}[:strings.Count(q, "?")]
			if _, err := tx.ExecContext(ctx, q, args...); err != nil {
				return err
			}
		}
		return nil
	}))
	mustOK(t, c.loadDevice(ctx))
	setTag(t, c, tag)
	return c
}

// setTag gives a store the tag HQ hands out at enrollment.
func setTag(t *testing.T, s *Store, tag string) {
	t.Helper()
	_, err := s.db.Exec(`UPDATE device SET tag = ?`, tag)
	mustOK(t, err)
}

// evLog stands in for HQ's log of one scope, like hqLog, but hands each
// device the changes in any arrival order (applyRemote), to show that the
// derived state depends on HQ's order only.
type evLog struct {
	changes []OutboxEntry
}

// push appends a store's pending outbox to the log (as HQ orders a push)
// and marks it pushed.
func (h *evLog) push(t *testing.T, s *Store) []OutboxEntry {
	t.Helper()
	all, err := s.PendingOutbox(context.Background(), 100_000)
	mustOK(t, err)
	var pending []OutboxEntry
	for _, e := range all {
		if _, ok := mutationSpecs[mutationKey{e.Mutation, e.Version}]; ok { // not yet every mutation is registered
			pending = append(pending, e)
		}
	}
	h.changes = append(h.changes, pending...)
	_, err = s.db.Exec(`UPDATE outbox SET pushed_at = 1 WHERE pushed_at IS NULL`)
	mustOK(t, err)
	return pending
}

// ord is a change's HQ sequence number: its place in the log, from 1.
func (h *evLog) ord(e OutboxEntry) int64 {
	for i, c := range h.changes {
		if c.Mutation == e.Mutation && c.RecordID == e.RecordID && c.Hash == e.Hash {
			return int64(i + 1)
		}
	}
	return 0
}

// pull applies the given changes of the log to s, as pulled from HQ.
func (h *evLog) pull(t *testing.T, s *Store, changes []OutboxEntry) {
	t.Helper()
	for _, c := range changes {
		applyRemote(t, s, c, h.ord(c))
	}
}

// applyRemote applies one change as pulled from HQ with sequence ord,
// through the registry, without an outbox row.
func applyRemote(t *testing.T, s *Store, c OutboxEntry, ord int64) {
	t.Helper()
	ctx := context.Background()
	spec, ok := mutationSpecs[mutationKey{c.Mutation, c.Version}]
	if !ok {
		t.Fatalf("no mutation %s v%d", c.Mutation, c.Version)
	}
	if _, err := DescribeMutation(c.Mutation, c.Version, c.Payload); err != nil {
		t.Fatalf("describe %s: %v\n%s", c.Mutation, err, c.Payload)
	}
	p, err := spec.decode(c.Payload)
	mustOK(t, err)
	if err := s.tx(ctx, func(tx *txn) error { return p.apply(ctx, tx, applyCtx{remote: true, ord: ord}) }); err != nil {
		t.Fatalf("apply %s: %v", c.Mutation, err)
	}
}

func ticketNumbers(t *testing.T, s *Store, actor string) []string {
	t.Helper()
	rows, err := s.TicketsFor(context.Background(), actor, TicketFilter{})
	mustOK(t, err)
	var out []string
	for _, tk := range rows {
		out = append(out, tk.Number)
	}
	slices.Sort(out)
	return out
}

func TestTicketNumbersPerDevice(t *testing.T) {
	t.Parallel()
	a, p, _ := newTicketStore(t)
	setTag(t, a, "A")
	b := cloneDevice(t, a, "B")
	ta := mustOpen(t, a, p.recep.ID, complaint(1))
	tb := mustOpen(t, b, p.recep.ID, complaint(2))
	tb2 := mustOpen(t, b, p.recep.ID, complaint(3))
	if ta.Number != "XHW-01-20261123-A001" || tb.Number != "XHW-01-20261123-B001" || tb2.Number != "XHW-01-20261123-B002" {
		t.Fatalf("numbers %s %s %s", ta.Number, tb.Number, tb2.Number)
	}
	// A standalone device numbers as before.
	c := cloneDevice(t, a, "")
	if tc := mustOpen(t, c, p.recep.ID, complaint(4)); tc.Number != "XHW-01-20261123-001" {
		t.Fatalf("standalone number %s", tc.Number)
	}
	var hq evLog
	fromA, fromB := hq.push(t, a), hq.push(t, b)
	hq.pull(t, a, fromB)
	hq.pull(t, b, fromA)
	want := []string{ta.Number, tb.Number, tb2.Number}
	for _, s := range []*Store{a, b} {
		if got := ticketNumbers(t, s, p.recep.ID); !slices.Equal(got, want) {
			t.Fatalf("tickets %v, want %v", got, want)
		}
	}
	// The pulled ticket reads as the local one, and numbering on each
	// device carries on from its own tickets.
	ga, err := a.Ticket(context.Background(), p.recep.ID, tb.ID)
	mustOK(t, err)
	gb, err := b.Ticket(context.Background(), p.recep.ID, tb.ID)
	mustOK(t, err)
	if !reflect.DeepEqual(ga, gb) {
		t.Fatalf("pulled ticket differs:\n%+v\n%+v", ga, gb)
	}
	if n := mustOpen(t, a, p.recep.ID, complaint(5)).Number; n != "XHW-01-20261123-A002" {
		t.Fatalf("next number on A %s", n)
	}
}

// ticketView is what a screen shows of a ticket: its status and its
// timeline with the skipped flags.
func ticketView(t *testing.T, s *Store, actor, id string) (TicketStatus, []string) {
	t.Helper()
	tk, err := s.Ticket(context.Background(), actor, id)
	mustOK(t, err)
	evs, err := s.TicketEvents(context.Background(), id)
	mustOK(t, err)
	var line []string
	for _, e := range evs {
		l := e.Kind
		if e.Skipped {
			l += "(skipped)"
		}
		line = append(line, l)
	}
	return tk.TicketStatus, line
}

// TestTicketEventsInHQOrder: two devices act on one ticket offline; one
// closes it, the other acknowledges and notes it. HQ takes the close
// first, so the acknowledgement is not allowed where it lands: it is
// kept, shown skipped, and every device (and one that receives the
// changes in another order) derives the same state.
func TestTicketEventsInHQOrder(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	a, p, clk := newTicketStore(t)
	setTag(t, a, "A")
	b := cloneDevice(t, a, "B")
	fresh := cloneDevice(t, a, "C")
	tk := mustOpen(t, a, p.recep.ID, complaint(1))
	var hq evLog
	opened := hq.push(t, a)
	hq.pull(t, b, opened)
	hq.pull(t, fresh, opened)

	clk.Advance(time.Hour)
	// A (behind, its clock an hour slow) closes it as invalid; B acknowledges, then notes.
	mustEvent(t, a, p.sup.ID, tk.ID, TicketEvent{Kind: EvClosed, Reason: CloseInvalid, At: clk.Now().Add(-30 * time.Minute)})
	mustEvent(t, b, p.recep.ID, tk.ID, TicketEvent{Kind: EvAcknowledged})
	mustEvent(t, b, p.recep.ID, tk.ID, TicketEvent{Kind: EvNote, Note: "已致电"})
	// Each device, before sync, sees its own story.
	if st, _ := ticketView(t, b, p.recep.ID, tk.ID); st.State != StateAcknowledged {
		t.Fatalf("B before sync: %s", st.State)
	}
	fromA := hq.push(t, a) // HQ takes A's close first
	fromB := hq.push(t, b)
	hq.pull(t, a, append(slices.Clone(fromA), fromB...)) // A gets its own back (its place) and B's
	hq.pull(t, b, append(slices.Clone(fromA), fromB...))
	rev := append(slices.Clone(fromB), fromA...) // another arrival order, same HQ order
	hq.pull(t, fresh, rev)

	wantLine := []string{"opened", "closed", "acknowledged(skipped)", "note"}
	var first TicketStatus
	for i, s := range []*Store{a, b, fresh} {
		st, line := ticketView(t, s, p.recep.ID, tk.ID)
		if !slices.Equal(line, wantLine) {
			t.Fatalf("device %d timeline %v, want %v", i, line, wantLine)
		}
		if st.State != StateClosed || st.Valid || st.CloseReason != CloseInvalid || !st.Acknowledged.IsZero() {
			t.Fatalf("device %d status %+v", i, st)
		}
		if i == 0 {
			first = st
		} else if st != first {
			t.Fatalf("device %d status differs:\n%+v\n%+v", i, st, first)
		}
	}
	// The desk still refuses what the state does not allow.
	_, err := b.AddTicketEvent(ctx, p.recep.ID, tk.ID, TicketEvent{Kind: EvAcknowledged})
	wantKey(t, err, ECONFLICT, "err.ticket.cannot.acknowledged")
	// A change applied twice leaves the same state.
	hq.pull(t, fresh, rev)
	if st, line := ticketView(t, fresh, p.recep.ID, tk.ID); st != first || !slices.Equal(line, wantLine) {
		t.Fatalf("after a second apply: %+v %v", st, line)
	}
}

// TestTicketMutationsRoundTrip: every ticket mutation a desk makes
// (opening, each kind of event, the automatic ones) applied on a second
// device reads the same there.
func TestTicketMutationsRoundTrip(t *testing.T) {
	t.Parallel()
	a, p, clk := newTicketStore(t)
	b := cloneDevice(t, a, "B")
	tk := mustOpen(t, a, p.recep.ID, complaint(1))
	for _, ev := range []TicketEvent{
		{Kind: EvAcknowledged}, {Kind: EvAssigned, To: p.recep2.ID}, {Kind: EvEscalated, Level: 1, Note: "业主情绪激动"},
		{Kind: EvResponded, Note: "已回复"}, {Kind: EvResolved},
		{Kind: EvRevisited, Satisfaction: 2, Revisit: RevisitNotes{Method: "phone", Shortcomings: "墙面仍有水渍"}},
	} {
		clk.Advance(time.Hour)
		mustEvent(t, a, p.sup.ID, tk.ID, ev)
	}
	var hq evLog
	hq.pull(t, b, hq.push(t, a))
	sa, la := ticketView(t, a, p.sup.ID, tk.ID)
	sb, lb := ticketView(t, b, p.sup.ID, tk.ID)
	if sa != sb || !slices.Equal(la, lb) || sa.Reopened != 1 || sa.Escalation != 2 || sa.OwnerID != p.recep2.ID {
		t.Fatalf("A %+v %v\nB %+v %v", sa, la, sb, lb)
	}
	ea, _ := a.TicketEvents(context.Background(), tk.ID)
	eb, _ := b.TicketEvents(context.Background(), tk.ID)
	for i := range ea {
		if !reflect.DeepEqual(ea[i], eb[i]) {
			t.Fatalf("event %d differs:\n%+v\n%+v", i, ea[i], eb[i])
		}
	}
	if !strings.HasPrefix(ea[len(ea)-1].ID, "0") || !ea[len(ea)-1].Auto {
		t.Fatalf("last event %+v", ea[len(ea)-1])
	}
}

// TestInspectionMutationsRoundTrip: an inspection recorded on one device
// (start, photo, every result, readings, keys, signatures, defect
// tickets, a re-inspection's verdict) reads the same on a second device
// that applied the changes; the images follow apart, by hash, and until
// they arrive the records read fine without them.
func TestInspectionMutationsRoundTrip(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	a, _, recep, clk := inspectionStore(t)
	b := cloneDevice(t, a, "B")
	ins := mustStart(t, a, recep.ID, handoverInput("1202"))
	st := mustDetail(t, a, recep.ID, ins.ID)
	photo, err := a.AddInspectionPhoto(ctx, recep.ID, ins.ID, "kitchen.drain", jpegPhoto(t, 64, 48))
	mustOK(t, err)
	answerAll(t, a, recep.ID, st, map[string]string{"kitchen.drain": "下水慢", "living.wall": "墙面空鼓"})
	_, err = a.RecordResult(ctx, recep.ID, ins.ID, ResultInput{Item: "kitchen.drain", Result: ResultDefect, Description: "下水慢", Photos: []string{photo.ID}})
	mustOK(t, err)
	mustOK(t, a.SetInspectionValue(ctx, recep.ID, ins.ID, ValueMeter, "water", "1.5"))
	mustOK(t, a.SetInspectionValue(ctx, recep.ID, ins.ID, ValueMeter, "water", "2.25"))
	mustOK(t, a.SetInspectionValue(ctx, recep.ID, ins.ID, ValueKey, st.Template.Keys[0].Code, "3"))
	mustOK(t, a.CompleteInspection(ctx, recep.ID, ins.ID, CompleteInput{OwnerSignature: signature(t), StaffSignature: demoSignature(1)}))
	_, err = a.OpenDefectTickets(ctx, recep.ID, ins.ID)
	mustOK(t, err)
	clk.Advance(48 * time.Hour)
	in := handoverInput("1202")
	in.Kind = InspectionReinspection
	re := mustStart(t, a, recep.ID, in)
	rst := mustDetail(t, a, recep.ID, re.ID)
	mustOK(t, a.RecordFollowUp(ctx, recep.ID, re.ID, rst.Carried[0].DefectID, OutcomeFixed, "已修好"))

	var hq evLog
	hq.pull(t, b, hq.push(t, a))

	// The images have not come: the records read, the bytes are empty.
	missing, err := b.MissingBlobs(ctx, 10)
	mustOK(t, err)
	pending, err := a.PendingBlobs(ctx, 10)
	mustOK(t, err)
	if len(missing) != 3 || len(pending) != 3 {
		t.Fatalf("missing on B %v, pending on A %v", missing, pending)
	}
	ph, err := b.InspectionPhoto(ctx, photo.ID)
	mustOK(t, err)
	if len(ph.JPEG) != 0 || ph.Width != photo.Width {
		t.Fatalf("photo before its bytes: %d bytes, %d wide", len(ph.JPEG), ph.Width)
	}
	if c := mustDetail(t, b, recep.ID, ins.ID).Completion; c == nil || c.OwnerSignature != nil || c.PaperSign {
		t.Fatalf("completion before its signatures: %+v", c)
	}
	// A blob that does not hash to its name is refused.
	wrong, err := a.Blob(ctx, pending[1].SHA256)
	mustOK(t, err)
	wantKey(t, b.PutBlob(ctx, pending[0].SHA256, wrong), EINVALID, "err.blob.hash")
	for _, m := range missing {
		bs, err := a.Blob(ctx, m.SHA256)
		mustOK(t, err)
		mustOK(t, b.PutBlob(ctx, m.SHA256, bs))
		mustOK(t, a.MarkBlobUploaded(ctx, m.SHA256))
	}
	for _, s := range []*Store{a, b} {
		for _, list := range []func(context.Context, int) ([]BlobInfo, error){s.MissingBlobs, s.PendingBlobs} {
			if l, err := list(ctx, 10); err != nil || len(l) != 0 {
				t.Fatalf("blobs left %v %v", l, err)
			}
		}
	}

	for _, id := range []string{ins.ID, re.ID} {
		da, db := mustDetail(t, a, recep.ID, id), mustDetail(t, b, recep.ID, id)
		if !reflect.DeepEqual(da, db) {
			t.Fatalf("inspection differs:\nA %+v\nB %+v", da, db)
		}
	}
	da := mustDetail(t, a, recep.ID, ins.ID)
	if da.Status != InspectionCompleted || da.Meters["water"] != "2.25" || da.Defects != 2 || da.Completion == nil || len(da.Completion.StaffSignature) == 0 {
		t.Fatalf("inspection %+v", da.Inspection)
	}
	pa, err := a.InspectionPhoto(ctx, photo.ID)
	mustOK(t, err)
	pb, err := b.InspectionPhoto(ctx, photo.ID)
	mustOK(t, err)
	if !reflect.DeepEqual(pa, pb) || len(pb.JPEG) == 0 {
		t.Fatal("photo differs")
	}
	ta, err := a.DefectTickets(ctx, recep.ID, ins.ID)
	mustOK(t, err)
	tb, err := b.DefectTickets(ctx, recep.ID, ins.ID)
	mustOK(t, err)
	if !reflect.DeepEqual(ta, tb) || len(ta) != 2 || ta[0].TicketID == "" {
		t.Fatalf("defect tickets\nA %+v\nB %+v", ta, tb)
	}
}

// TestInspectionResultsInHQOrder: two devices tick one item offline; the
// later in HQ order is the item's result on every device, whatever the
// arrival order and the devices' clocks.
func TestInspectionResultsInHQOrder(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	a, _, recep, clk := inspectionStore(t)
	b := cloneDevice(t, a, "B")
	c := cloneDevice(t, a, "C")
	ins := mustStart(t, a, recep.ID, handoverInput("1202"))
	var hq evLog
	start := hq.push(t, a)
	hq.pull(t, b, start)
	hq.pull(t, c, start)
	item := mustDetail(t, a, recep.ID, ins.ID).Template.Items()[0].Key
	clk.Advance(time.Hour)
	_, err := a.RecordResult(ctx, recep.ID, ins.ID, ResultInput{Item: item, Result: ResultPass})
	mustOK(t, err)
	b.Now = func() time.Time { return clk.Now().Add(-24 * time.Hour) } // B's clock a day slow
	_, err = b.RecordResult(ctx, recep.ID, ins.ID, ResultInput{Item: item, Result: ResultDefect, Description: "插座松动"})
	mustOK(t, err)
	fromA := hq.push(t, a) // A first: B's defect is the later, and wins
	fromB := hq.push(t, b)
	hq.pull(t, a, append(slices.Clone(fromA), fromB...))
	hq.pull(t, b, append(slices.Clone(fromA), fromB...))
	hq.pull(t, c, append(slices.Clone(fromB), fromA...))
	for i, s := range []*Store{a, b, c} {
		d := mustDetail(t, s, recep.ID, ins.ID)
		if r := d.Results[item]; r.Result != ResultDefect || d.Defects != 1 || d.Answered != 1 {
			t.Fatalf("device %d: %s → %+v (defects %d, answered %d)", i, item, r, d.Defects, d.Answered)
		}
	}
}

// TestReferenceMutationsRoundTrip: an SLA policy version, a holiday
// schedule and a checklist template version made on one device (HQ's)
// apply on another; the reference data describes as global.
func TestReferenceMutationsRoundTrip(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	a, p, _ := newTicketStore(t)
	_, err := a.EnsureInspectionTemplate(ctx, assets.HandoverTemplate)
	mustOK(t, err)
	b := cloneDevice(t, a, "B")
	pol, err := a.SLAPolicy(ctx)
	mustOK(t, err)
	rules := slices.Clone(pol.Rules)
	rules[0].Response = mustLimit("2h")
	_, err = a.SaveSLAPolicy(ctx, p.admin.ID, rules, pol.Urgent)
	mustOK(t, err)
	y2027 := `{"year": 2027, "days": [{"name": "元旦", "date": "2027-01-01", "isOffDay": true}, {"name": "春节", "date": "2027-02-08", "isOffDay": true}]}`
	_, err = a.ImportHolidays(ctx, p.admin.ID, []byte(y2027))
	mustOK(t, err)
	_, err = a.ImportHolidays(ctx, p.admin.ID, []byte(`{"year": 2027, "days": [{"name": "元旦", "date": "2027-01-01", "isOffDay": true}]}`))
	mustOK(t, err)
	tpl, err := a.CurrentInspectionTemplate(ctx, TemplateCodeHandover)
	mustOK(t, err)
	tpl.Name += "（修订）"
	body, err := json.Marshal(tpl)
	mustOK(t, err)
	_, err = a.ImportInspectionTemplate(ctx, p.admin.ID, body)
	mustOK(t, err)

	var hq evLog
	var changes []OutboxEntry
	for _, c := range hq.push(t, a) {
		switch c.Mutation {
		case MutSLAPolicy, MutHolidayImport, MutInspectionTemplate:
			changes = append(changes, c)
		}
	}
	for _, c := range changes {
		d, err := DescribeMutation(c.Mutation, c.Version, c.Payload)
		mustOK(t, err)
		if d.OfficeID != "" || d.Spec.Owner != OwnerHQ {
			t.Fatalf("%s describes as office %q owner %s", c.Mutation, d.OfficeID, d.Spec.Owner)
		}
	}
	if len(changes) != 4 {
		t.Fatalf("%d changes", len(changes))
	}
	hq.pull(t, b, changes)
	hq.pull(t, b, changes) // twice: nothing doubles
	for _, q := range []func(s *Store) any{
		func(s *Store) any { v, err := s.SLAPolicy(ctx); mustOK(t, err); return v },
		func(s *Store) any { v, err := s.HolidayYears(ctx); mustOK(t, err); return v },
		func(s *Store) any {
			c, err := s.Calendar(ctx)
			mustOK(t, err)
			return c.IsWorkingDay(at("2027-02-08 12:00"))
		},
		func(s *Store) any {
			v, err := s.CurrentInspectionTemplate(ctx, TemplateCodeHandover)
			mustOK(t, err)
			return v
		},
		func(s *Store) any {
			v, err := s.InspectionTemplateVersions(ctx, TemplateCodeHandover)
			mustOK(t, err)
			return v
		},
		func(s *Store) any { return countRows(t, s, "holiday_imports") },
	} {
		if va, vb := q(a), q(b); !reflect.DeepEqual(va, vb) {
			t.Fatalf("differs:\nA %+v\nB %+v", va, vb)
		}
	}
	if pb, _ := b.SLAPolicy(ctx); pb.Version != 2 {
		t.Fatalf("B's policy version %d", pb.Version)
	}
}

// TestCareMutationsRoundTrip: revisits scheduled by a signing check-in,
// a completed handover and the desk, and an unsatisfactory result with
// the complaint it opened, read the same on a second device; two results
// of one revisit recorded offline on two devices end as the first in HQ
// order on both.
func TestCareMutationsRoundTrip(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	a, admin, recep, clk := inspectionStore(t)
	b := cloneDevice(t, a, "B")
	ins := mustStart(t, a, recep.ID, handoverInput("1202"))
	answerAll(t, a, recep.ID, mustDetail(t, a, recep.ID, ins.ID), nil)
	mustOK(t, a.CompleteInspection(ctx, recep.ID, ins.ID, CompleteInput{PaperSign: true}))
	sp, err := a.ScheduleSpecialRevisit(ctx, admin.ID, SpecialRevisitInput{CustomerName: "赵敏", Phone: "13900001111", Place: "5号楼801"})
	mustOK(t, err)
	var hq evLog
	hq.pull(t, b, hq.push(t, a))
	clk.Advance(time.Hour)
	_, err = a.RecordCareRevisit(ctx, recep.ID, sp.ID, CareResult{Method: "visit", Satisfaction: 2, Shortcomings: "维修太慢"})
	mustOK(t, err)
	_, err = b.RecordCareRevisit(ctx, admin.ID, sp.ID, CareResult{Method: "phone", Satisfaction: 5})
	mustOK(t, err)
	fromB := hq.push(t, b) // B's result first at HQ
	fromA := hq.push(t, a)
	hq.pull(t, a, append(slices.Clone(fromB), fromA...))
	hq.pull(t, b, append(slices.Clone(fromA), fromB...)) // another arrival order
	for _, f := range []CareFilter{CareFilterAll, CareFilterDone} {
		la, lb := careList(t, a, admin.ID, f, ""), careList(t, b, admin.ID, f, "")
		if !reflect.DeepEqual(la, lb) || len(la) == 0 {
			t.Fatalf("%s differs:\nA %+v\nB %+v", f, la, lb)
		}
	}
	r, err := a.CareRevisit(ctx, admin.ID, sp.ID)
	mustOK(t, err)
	if r.Result == nil || r.Result.Satisfaction != 5 || r.Result.By != admin.ID {
		t.Fatalf("result %+v", r.Result)
	}
	// A's unsatisfied result opened a complaint: it is on both devices.
	if got := ticketNumbers(t, b, admin.ID); len(got) != 1 || !slices.Equal(got, ticketNumbers(t, a, admin.ID)) {
		t.Fatalf("tickets %v", got)
	}
	ra, err := a.CareRates(ctx, clk.Now().AddDate(0, -1, 0), clk.Now().AddDate(1, 0, 0))
	mustOK(t, err)
	rb, err := b.CareRates(ctx, clk.Now().AddDate(0, -1, 0), clk.Now().AddDate(1, 0, 0))
	mustOK(t, err)
	if !reflect.DeepEqual(ra, rb) {
		t.Fatalf("rates\nA %+v\nB %+v", ra, rb)
	}
}

// TestEventsSyncThroughApplyPulled: tickets, an inspection with its
// photo and signatures, and care revisits made on one device reach a
// device that joins the office later through the sync store's pull
// (pages, savepoints, re-derivation after each page), read the same
// there, and come back to the first device as an echo that changes
// nothing but their order.
func TestEventsSyncThroughApplyPulled(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	a, admin, recep, clk := inspectionStore(t)
	tk := mustOpen(t, a, recep.ID, complaint(1))
	clk.Advance(time.Hour)
	mustEvent(t, a, admin.ID, tk.ID, TicketEvent{Kind: EvAcknowledged})
	mustEvent(t, a, admin.ID, tk.ID, TicketEvent{Kind: EvResolved})
	ins := mustStart(t, a, recep.ID, handoverInput("1202"))
	photo, err := a.AddInspectionPhoto(ctx, recep.ID, ins.ID, "kitchen.drain", jpegPhoto(t, 64, 48))
	mustOK(t, err)
	answerAll(t, a, recep.ID, mustDetail(t, a, recep.ID, ins.ID), map[string]string{"kitchen.drain": "下水慢"})
	_, err = a.RecordResult(ctx, recep.ID, ins.ID, ResultInput{Item: "kitchen.drain", Result: ResultDefect, Description: "下水慢", Photos: []string{photo.ID}})
	mustOK(t, err)
	mustOK(t, a.CompleteInspection(ctx, recep.ID, ins.ID, CompleteInput{OwnerSignature: signature(t), StaffSignature: demoSignature(1)}))

	_, office, _ := a.Device()
	log := &hqLog{scope: "office:" + office.ID}
	log.push(t, a)
	b := joinStore(t, office, "B", clk)
	log.pull(t, b, 9)
	if st, err := b.SyncStatus(ctx); err != nil || st.Skipped != 0 {
		t.Fatalf("pulled changes skipped: %+v %v", st, err)
	}
	type view struct {
		Ticket Ticket
		Events []TicketEvent
		Detail InspectionState
		Care   []CareRevisit
	}
	read := func(s *Store) view {
		t.Helper()
		var v view
		var err error
		v.Ticket, err = s.Ticket(ctx, admin.ID, tk.ID)
		mustOK(t, err)
		v.Events, err = s.TicketEvents(ctx, tk.ID)
		mustOK(t, err)
		v.Detail = mustDetail(t, s, recep.ID, ins.ID)
		v.Detail.Completion.OwnerSignature, v.Detail.Completion.StaffSignature = nil, nil // the bytes travel apart
		v.Care, err = s.CareRevisits(ctx, admin.ID, CareFilterAll, "")
		mustOK(t, err)
		return v
	}
	same := func(what string, got, want view) {
		t.Helper()
		for i, pair := range [][2]any{{got.Ticket, want.Ticket}, {got.Events, want.Events}, {got.Detail.Inspection, want.Detail.Inspection},
			{got.Detail.Results, want.Detail.Results}, {*got.Detail.Completion, *want.Detail.Completion}, {got.Care, want.Care}} {
			if !reflect.DeepEqual(pair[0], pair[1]) {
				t.Fatalf("%s: part %d differs:\n%+v\n---- want\n%+v", what, i, pair[0], pair[1])
			}
		}
	}
	want := read(a)
	same("B", read(b), want)
	log.pull(t, a, 4) // the echo
	same("A after the echo", read(a), want)
	for _, q := range []string{`SELECT max(sync_ord) FROM ticket_events`, `SELECT max(sync_ord) FROM inspection_results`, `SELECT max(sync_ord) FROM inspections`} {
		var ord int64
		mustOK(t, a.db.QueryRow(q).Scan(&ord))
		if ord >= pendingOrd {
			t.Fatalf("%s: %d, still pending after the echo", q, ord)
		}
	}
	if n, err := b.MissingBlobs(ctx, 10); err != nil || len(n) != 3 {
		t.Fatalf("B misses %v %v", n, err)
	}
}

// TestEventReencodeRebuildsPayloads: the re-encoders of the event
// mutations rebuild, from the rows, exactly the payload record wrote (the
// same bytes, hash and record id), so rows written before the registry
// reach HQ as if written now.
func TestEventReencodeRebuildsPayloads(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	s, admin, clk := newTestStoreIn(t, dir)
	_, err := s.EnsureInspectionTemplate(ctx, assets.HandoverTemplate)
	mustOK(t, err)
	recep := mustStaff(t, s, admin, "林晓雯", RoleReceptionist, "135792")
	tk := mustOpen(t, s, recep.ID, complaint(1))
	clk.Advance(time.Hour)
	for _, ev := range []TicketEvent{{Kind: EvAcknowledged}, {Kind: EvResolved, Note: "已修"},
		{Kind: EvRevisited, Satisfaction: 1, Revisit: RevisitNotes{Method: "phone", Shortcomings: "仍漏水"}}} {
		mustEvent(t, s, admin.ID, tk.ID, ev)
	}
	ins := mustStart(t, s, recep.ID, handoverInput("1202"))
	photo, err := s.AddInspectionPhoto(ctx, recep.ID, ins.ID, "kitchen.drain", jpegPhoto(t, 64, 48))
	mustOK(t, err)
	answerAll(t, s, recep.ID, mustDetail(t, s, recep.ID, ins.ID), nil)
	_, err = s.RecordResult(ctx, recep.ID, ins.ID, ResultInput{Item: "kitchen.drain", Result: ResultDefect, Description: "下水慢", Photos: []string{photo.ID}})
	mustOK(t, err)
	mustOK(t, s.SetInspectionValue(ctx, recep.ID, ins.ID, ValueMeter, "water", "12.5"))
	mustOK(t, s.CompleteInspection(ctx, recep.ID, ins.ID, CompleteInput{OwnerSignature: signature(t), StaffSignature: demoSignature(1)}))
	_, err = s.OpenDefectTickets(ctx, recep.ID, ins.ID)
	mustOK(t, err)
	in := handoverInput("1202")
	in.Kind = InspectionReinspection
	re := mustStart(t, s, recep.ID, in)
	mustOK(t, s.RecordFollowUp(ctx, recep.ID, re.ID, mustDetail(t, s, recep.ID, re.ID).Carried[0].DefectID, OutcomeNotFixed, "仍慢"))
	sp, err := s.ScheduleSpecialRevisit(ctx, admin.ID, SpecialRevisitInput{CustomerName: "赵敏", Phone: "13900001111"})
	mustOK(t, err)
	_, err = s.RecordCareRevisit(ctx, recep.ID, sp.ID, CareResult{Method: "visit", Satisfaction: 2, Shortcomings: "太慢"})
	mustOK(t, err)
	pol, err := s.SLAPolicy(ctx)
	mustOK(t, err)
	_, err = s.SaveSLAPolicy(ctx, admin.ID, pol.Rules, pol.Urgent)
	mustOK(t, err)
	_, err = s.ImportHolidays(ctx, admin.ID, []byte(`{"year": 2027, "days": [{"name": "元旦", "date": "2027-01-01", "isOffDay": true}]}`))
	mustOK(t, err)
	tpl, err := s.CurrentInspectionTemplate(ctx, TemplateCodeHandover)
	mustOK(t, err)
	body, _ := json.Marshal(tpl)
	_, err = s.ImportInspectionTemplate(ctx, admin.ID, body)
	mustOK(t, err)

	all, err := s.PendingOutbox(ctx, 100000)
	mustOK(t, err)
	ours := []string{MutTicketOpen, MutTicketEvent, MutSLAPolicy, MutHolidayImport, MutInspectionTemplate, MutInspectionStart, MutInspectionResult,
		MutInspectionFollowUp, MutInspectionValue, MutInspectionPhoto, MutInspectionComplete, MutInspectionTicket, MutCareRevisitSchedule, MutCareRevisitResult}
	var want []OutboxEntry
	seen := map[string]bool{}
	for _, e := range all {
		if !slices.Contains(ours, e.Mutation) {
			continue
		}
		want = append(want, e)
		seen[e.Mutation] = true
		_, err := s.db.Exec(`UPDATE outbox SET format = 0, payload = '{"Old":true}', hash = 'old' WHERE seq = ?`, e.Seq)
		mustOK(t, err)
	}
	for _, m := range ours {
		if !seen[m] {
			t.Errorf("no %s written", m)
		}
	}
	s.Close()
	s2, err := Open(ctx, dir)
	mustOK(t, err)
	defer s2.Close()
	got, err := s2.PendingOutbox(ctx, 100000)
	mustOK(t, err)
	bySeq := map[int64]OutboxEntry{}
	for _, e := range got {
		bySeq[e.Seq] = e
	}
	for _, w := range want {
		e := bySeq[w.Seq]
		if e.Mutation != w.Mutation || e.RecordID != w.RecordID || string(e.Payload) != string(w.Payload) || e.Hash != w.Hash {
			t.Fatalf("outbox %d re-encoded as\n%s %s %s\nwant\n%s %s %s", w.Seq, e.Mutation, e.RecordID, e.Payload, w.Mutation, w.RecordID, w.Payload)
		}
	}
}

package data

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"anchang/assets"
)

// fixtureV7 is a database from before sync_ord on tickets, inspections and
// care revisits (schema 7), written the way those versions wrote it:
// photos and signatures inside their records, and outbox rows in the old
// payload shapes (PascalCase inspection maps, the JPEG in the payload).
// After migrating: the images are blobs, found by their records; the
// events have their places; the outbox rows re-encode to payloads that
// describe strictly; the stores work on.
func fixtureV7(t *testing.T, db *sql.DB) func(*testing.T, *Store) {
	const (
		at     = int64(1_795_399_200_000) // 2026-11-23 10:00 Shanghai
		dev    = "01a25147-eb88-7d7f-a310-6b45785b4953"
		off    = "01a25147-eb88-7d84-8153-97d95138ae1d"
		admin  = "01a25147-eb8b-7a96-a2cf-ac14c6c70760"
		tk     = "01a25147-ec00-7000-8000-000000000001"
		evOpen = "01a25147-ec00-7000-8000-000000000002"
		evAck  = "01a25147-ec00-7000-8000-000000000003"
		tpl    = "01a25147-ec00-7000-8000-000000000004"
		ins    = "01a25147-ec00-7000-8000-000000000005"
		photo  = "01a25147-ec00-7000-8000-000000000006"
		res    = "01a25147-ec00-7000-8000-000000000007"
		comp   = "01a25147-ec00-7000-8000-000000000008"
		care   = "01a25147-ec00-7000-8000-000000000009"
		careR  = "01a25147-ec00-7000-8000-00000000000a"
	)
	jpg := jpegPhoto(t, 40, 30).JPEG // any bytes: the migration does not look inside
	ownerSig, staffSig := signature(t), demoSignature(1)
	tplFile, err := ParseInspectionTemplate(assets.HandoverTemplate)
	mustOK(t, err)
	body, _ := json.Marshal(tplFile)
	item := tplFile.Items()[0].Key
	hash, err := hashPIN("258014")
	mustOK(t, err)
	oldPhoto, _ := json.Marshal(map[string]any{"ID": photo, "InspectionID": ins, "Item": item, "Width": 40, "Height": 30, "JPEG": jpg, "CreatedAt": at, "CreatedBy": admin})
	oldComp, _ := json.Marshal(map[string]any{"ID": comp, "InspectionID": ins, "PaperSign": false, "OwnerSignature": ownerSig, "StaffSignature": staffSig, "CreatedAt": at, "CreatedBy": admin})
	stmts := []struct {
		q    string
		args []any
	}{
		{`INSERT INTO device (id, office_id, device_id, created_at, name, install_epoch) VALUES (?, ?, ?, ?, '前台', 7)`, []any{dev, off, dev, at}},
		{`INSERT INTO office (id, office_id, device_id, created_at, created_by, code, name) VALUES (?, ?, ?, ?, ?, 'SH01', '上海一号案场')`, []any{off, off, dev, at, admin}},
		{`INSERT INTO staff (id, office_id, device_id, created_at, name, role, pin_hash, active, updated_at) VALUES (?, ?, ?, ?, '管理员', 'admin', ?, 1, ?)`, []any{admin, off, dev, at, hash, at}},
		{`INSERT INTO tickets (id, office_id, device_id, created_at, created_by, number, day, seq, kind, opened_at, project, building, unit, description,
			customer_name, phone, category, severity, policy_version, state, owner_id, acknowledged_at, last_event_at, last_seq)
		  VALUES (?, ?, ?, ?, ?, 'SH01-20261123-001', '2026-11-23', 1, 'repair', ?, '星河湾', '3号楼', '1202', '主卫地漏返味', '王芳', '+8613812345678',
			'engineering', 'general', 1, 'acknowledged', ?, ?, ?, 2)`, []any{tk, off, dev, at, admin, at, admin, at + 60_000, at + 60_000}},
		{`INSERT INTO ticket_events (id, office_id, device_id, created_at, created_by, ticket_id, seq, kind, at) VALUES (?, ?, ?, ?, ?, ?, 1, 'opened', ?)`,
			[]any{evOpen, off, dev, at, admin, tk, at}},
		{`INSERT INTO ticket_events (id, office_id, device_id, created_at, created_by, ticket_id, seq, kind, at) VALUES (?, ?, ?, ?, ?, ?, 2, 'acknowledged', ?)`,
			[]any{evAck, off, dev, at + 60_000, admin, tk, at + 60_000}},
		{`INSERT INTO inspection_templates (id, office_id, device_id, created_at, code, version, name, name_en, body, items) VALUES (?, ?, ?, ?, 'handover', 1, ?, ?, ?, ?)`,
			[]any{tpl, off, dev, at, tplFile.Name, tplFile.NameEn, string(body), tplFile.ItemCount()}},
		{`INSERT INTO inspections (id, office_id, device_id, created_at, created_by, template_id, kind, project, building, unit, unit_key, owners, phone,
			inspected_on, inspector_id, status, answered, defects, completed_at, updated_at)
		  VALUES (?, ?, ?, ?, ?, ?, 'handover', '星河湾', '5号楼', '801', '星河湾|5号楼|801', '["赵敏"]', '+8613900001111', '2026-11-23', ?, 'completed', 1, 1, ?, ?)`,
			[]any{ins, off, dev, at, admin, tpl, admin, at, at}},
		{`INSERT INTO inspection_photos (id, office_id, device_id, created_at, created_by, inspection_id, item, width, height, jpeg) VALUES (?, ?, ?, ?, ?, ?, ?, 40, 30, ?)`,
			[]any{photo, off, dev, at, admin, ins, item, jpg}},
		{`INSERT INTO inspection_results (id, office_id, device_id, created_at, created_by, inspection_id, n, item, result, description, photos)
		  VALUES (?, ?, ?, ?, ?, ?, 1, ?, 'defect', '插座松动', ?)`, []any{res, off, dev, at, admin, ins, item, `["` + photo + `"]`}},
		{`INSERT INTO inspection_completions (id, office_id, device_id, created_at, created_by, inspection_id, paper_sign, owner_signature, staff_signature)
		  VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?)`, []any{comp, off, dev, at, admin, ins, ownerSig, staffSig}},
		{`INSERT INTO care_revisits (id, office_id, device_id, created_at, created_by, kind, source_id, customer_name, phone, place, due_from, due_to)
		  VALUES (?, ?, ?, ?, ?, 'move_in_3m', ?, '赵敏', '+8613900001111', '星河湾 5号楼 801', ?, ?)`, []any{care, off, dev, at, admin, ins, at, at + 86_400_000}},
		{`INSERT INTO care_revisit_results (id, office_id, device_id, created_at, created_by, revisit_id, at, method, satisfaction)
		  VALUES (?, ?, ?, ?, ?, ?, ?, 'phone', 5)`, []any{careR, off, dev, at, admin, care, at}},
		// the outbox as those versions wrote it
		{`INSERT INTO outbox (mutation, version, record_id, payload, hash, created_at) VALUES ('ticket.open', 1, ?, ?, 'h', ?)`,
			[]any{tk, `{"id":"` + tk + `","number":"SH01-20261123-001"}`, at}},
		{`INSERT INTO outbox (mutation, version, record_id, payload, hash, created_at) VALUES ('ticket.event', 1, ?, '{"seq":2}', 'h', ?)`, []any{evAck, at}},
		{`INSERT INTO outbox (mutation, version, record_id, payload, hash, created_at) VALUES ('inspection.start', 1, ?, '{"ID":"x"}', 'h', ?)`, []any{ins, at}},
		{`INSERT INTO outbox (mutation, version, record_id, payload, hash, created_at) VALUES ('inspection.photo', 1, ?, ?, 'h', ?)`, []any{photo, string(oldPhoto), at}},
		{`INSERT INTO outbox (mutation, version, record_id, payload, hash, created_at) VALUES ('inspection.result', 1, ?, '{"ID":"x"}', 'h', ?)`, []any{res, at}},
		{`INSERT INTO outbox (mutation, version, record_id, payload, hash, created_at) VALUES ('inspection.complete', 1, ?, ?, 'h', ?)`, []any{comp, string(oldComp), at}},
		{`INSERT INTO outbox (mutation, version, record_id, payload, hash, created_at) VALUES ('care_revisit.schedule', 1, ?, '{}', 'h', ?)`, []any{care, at}},
		{`INSERT INTO outbox (mutation, version, record_id, payload, hash, created_at) VALUES ('care_revisit.result', 1, ?, '{}', 'h', ?)`, []any{careR, at}},
	}
	for _, st := range stmts {
		if _, err := db.Exec(st.q, st.args...); err != nil {
			t.Fatalf("%s: %v", st.q, err)
		}
	}
	return func(t *testing.T, s *Store) {
		ctx := context.Background()
		// Images: blobs, found by their records; nothing left inline.
		p, err := s.InspectionPhoto(ctx, photo)
		mustOK(t, err)
		if !bytes.Equal(p.JPEG, jpg) {
			t.Fatal("photo bytes after migration")
		}
		d, err := s.InspectionDetail(ctx, admin, ins)
		mustOK(t, err)
		if d.Completion == nil || !bytes.Equal(d.Completion.OwnerSignature, ownerSig) || !bytes.Equal(d.Completion.StaffSignature, staffSig) ||
			d.Status != InspectionCompleted || d.Defects != 1 || d.Results[item].Photos[0] != photo {
			t.Fatalf("inspection after migration %+v", d.Inspection)
		}
		var inline int
		mustOK(t, s.db.QueryRow(`SELECT (SELECT count(*) FROM inspection_photos WHERE length(jpeg) > 0) +
			(SELECT count(*) FROM inspection_completions WHERE owner_signature IS NOT NULL OR staff_signature IS NOT NULL)`).Scan(&inline))
		if pend, err := s.PendingBlobs(ctx, 10); err != nil || len(pend) != 3 || inline != 0 {
			t.Fatalf("blobs to upload %v %v; %d inline", pend, err, inline)
		}
		// Events: in the order they were made; the ticket goes on.
		evs, err := s.TicketEvents(ctx, tk)
		mustOK(t, err)
		if len(evs) != 2 || evs[0].ID != evOpen || evs[1].ID != evAck || evs[1].Skipped {
			t.Fatalf("ticket events after migration %+v", evs)
		}
		s.Now = func() time.Time { return fromMS(at + 3_600_000) }
		got, err := s.AddTicketEvent(ctx, admin, tk, TicketEvent{Kind: EvResponded})
		mustOK(t, err)
		if got.State != StateResponded || got.LastSeq != 3 {
			t.Fatalf("ticket after migration %+v", got.TicketStatus)
		}
		r, err := s.CareRevisit(ctx, admin, care)
		mustOK(t, err)
		if r.Result == nil || r.Result.Satisfaction != 5 {
			t.Fatalf("care revisit after migration %+v", r)
		}
		// The outbox: every row re-encoded to a payload that describes strictly.
		mustOK(t, s.reencodeOutbox(ctx))
		rows, err := s.PendingOutbox(ctx, 100)
		mustOK(t, err)
		seen := 0
		for _, e := range rows {
			if !strings.HasPrefix(e.Mutation, "ticket.") && !strings.HasPrefix(e.Mutation, "inspection.") && !strings.HasPrefix(e.Mutation, "care_revisit.") {
				continue
			}
			if _, err := DescribeMutation(e.Mutation, e.Version, e.Payload); err != nil {
				t.Fatalf("%s after re-encoding: %v\n%s", e.Mutation, err, e.Payload)
			}
			if e.Mutation == MutInspectionPhoto && (bytes.Contains(e.Payload, []byte("JPEG")) || !bytes.Contains(e.Payload, []byte(sha256Hex(jpg)))) {
				t.Fatalf("photo payload %s", e.Payload)
			}
			seen++
		}
		if seen != 9 { // the 8 old rows and the new event
			t.Fatalf("%d outbox rows of these mutations", seen)
		}
	}
}

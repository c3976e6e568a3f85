package data

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
)

// Outbox rows written before the mutation registry (tickets, inspections,
// care revisits, SLA policy, holidays) are rebuilt from the rows they
// wrote: see reencodeOutbox.

func init() {
	registerReencoder(MutTicketOpen, reencodeTicketOpen)
	registerReencoder(MutTicketEvent, reencodeTicketEvent)
	registerReencoder(MutSLAPolicy, reencodeSLAPolicy)
	registerReencoder(MutHolidayImport, reencodeHolidayImport)
	registerReencoder(MutInspectionTemplate, reencodeInspectionTemplate)
	registerReencoder(MutInspectionStart, reencodeInspectionStart)
	registerReencoder(MutInspectionResult, reencodeInspectionResult)
	registerReencoder(MutInspectionFollowUp, reencodeInspectionFollowUp)
	registerReencoder(MutInspectionValue, reencodeInspectionValue)
	registerReencoder(MutInspectionPhoto, reencodeInspectionPhoto)
	registerReencoder(MutInspectionComplete, reencodeInspectionComplete)
	registerReencoder(MutInspectionTicket, reencodeInspectionTicket)
	registerReencoder(MutCareRevisitSchedule, reencodeCareRevisit)
	registerReencoder(MutCareRevisitResult, reencodeCareResult)
}

// stampCols are the columns every record has, read into a recStamp.
const stampCols = `id, office_id, device_id, created_at, COALESCE(created_by, '')`

func stampDest(r *recStamp) []any {
	return []any{&r.ID, &r.OfficeID, &r.DeviceID, &r.CreatedAt, &r.CreatedBy}
}

// scanRow reads one row by id into the stamp and dest.
func scanRow(ctx context.Context, tx *txn, table, cols, id string, r *recStamp, dest ...any) error {
	err := tx.QueryRowContext(ctx, `SELECT `+stampCols+`, `+cols+` FROM `+table+` WHERE id = ?`, id).Scan(append(stampDest(r), dest...)...)
	if isNoRows(err) {
		return &Error{Code: ENOTFOUND, Key: "err.sync.payload", Err: fmt.Errorf("%s %s is gone", table, id)}
	}
	if err != nil {
		return fmt.Errorf("%s %s: %w", table, id, err)
	}
	return nil
}

func reencodeTicketOpen(ctx context.Context, tx *txn, e OutboxEntry) (payload, error) {
	p := &ticketOpenPayload{}
	var occurred, entry, resp, esc, res sql.NullInt64
	var visit, handoff sql.NullString
	if err := scanRow(ctx, tx, "tickets", `number, day, seq, kind, category, severity, urgent, opened_at, occurred_at, project, building, unit, subject,
		description, demand, customer_name, phone, department, visit_id, handoff_id, policy_version, entry_due, response_due, escalation_due, resolution_due`,
		e.RecordID, &p.recStamp, &p.Number, &p.Day, &p.Seq, &p.Kind, &p.Category, &p.Severity, &p.Urgent, &p.OpenedAt, &occurred, &p.Project, &p.Building,
		&p.Unit, &p.Subject, &p.Description, &p.Demand, &p.CustomerName, &p.Phone, &p.Department, &visit, &handoff, &p.PolicyVersion,
		&entry, &resp, &esc, &res); err != nil {
		return nil, err
	}
	p.OccurredAt, p.EntryDue, p.ResponseDue, p.EscalationDue, p.ResolutionDue = occurred.Int64, entry.Int64, resp.Int64, esc.Int64, res.Int64
	p.VisitID, p.HandoffID = visit.String, handoff.String
	var data string
	if err := tx.QueryRowContext(ctx, `SELECT id, payload FROM ticket_events WHERE ticket_id = ? AND kind = 'opened'`, e.RecordID).Scan(&p.EventID, &data); err != nil {
		return nil, fmt.Errorf("ticket %s opened: %w", e.RecordID, err)
	}
	var d eventPayload
	if err := json.Unmarshal([]byte(data), &d); err != nil {
		return nil, fmt.Errorf("ticket %s opened: %w", e.RecordID, err)
	}
	p.Valid, p.Note = d.Valid == nil || *d.Valid, d.Note
	// Written as v2, as the desk writes tickets now: an old row has no
	// acknowledgement or requested deadline (0).
	p2 := &ticketOpenPayloadV2{ticketOpenPayload: *p}
	var ack, requested sql.NullInt64
	if err := tx.QueryRowContext(ctx, `SELECT ack_due, requested_due FROM tickets WHERE id = ?`, e.RecordID).Scan(&ack, &requested); err != nil {
		return nil, fmt.Errorf("ticket %s: %w", e.RecordID, err)
	}
	p2.AckDue, p2.RequestedDue = ack.Int64, requested.Int64
	return p2, nil
}

func reencodeTicketEvent(ctx context.Context, tx *txn, e OutboxEntry) (payload, error) {
	p := &ticketEventPayload{}
	var data string
	if err := scanRow(ctx, tx, "ticket_events", `ticket_id, kind, at, payload`, e.RecordID, &p.recStamp, &p.TicketID, &p.Kind, &p.At, &data); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(data), &p.Data); err != nil {
		return nil, fmt.Errorf("ticket event %s: %w", e.RecordID, err)
	}
	return p, nil
}

func reencodeSLAPolicy(ctx context.Context, tx *txn, e OutboxEntry) (payload, error) {
	p := &slaPolicyPayload{}
	var rules string
	if err := scanRow(ctx, tx, "sla_policies", `version, rules`, e.RecordID, &p.recStamp, &p.Version, &rules); err != nil {
		return nil, err
	}
	p.Rules = json.RawMessage(rules)
	return p, nil
}

func reencodeHolidayImport(ctx context.Context, tx *txn, e OutboxEntry) (payload, error) {
	p := &holidayImportPayload{}
	return p, scanRow(ctx, tx, "holiday_imports", `year, schedule`, e.RecordID, &p.recStamp, &p.Year, &p.Schedule)
}

func reencodeInspectionTemplate(ctx context.Context, tx *txn, e OutboxEntry) (payload, error) {
	p := &inspectionTemplatePayload{}
	var body string
	if err := scanRow(ctx, tx, "inspection_templates", `code, version, name, name_en, body, items`, e.RecordID, &p.recStamp,
		&p.Code, &p.Version, &p.Name, &p.NameEn, &body, &p.Items); err != nil {
		return nil, err
	}
	p.Body = json.RawMessage(body)
	return p, nil
}

func reencodeInspectionStart(ctx context.Context, tx *txn, e OutboxEntry) (payload, error) {
	p := &inspectionStartPayload{Carried: []string{}}
	var owners string
	if err := scanRow(ctx, tx, "inspections", `template_id, kind, project, building, unit, owners, phone, inspected_on, inspector_id`, e.RecordID,
		&p.recStamp, &p.TemplateID, &p.Kind, &p.Project, &p.Building, &p.Unit, &owners, &p.Phone, &p.Date, &p.InspectorID); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(owners), &p.Owners); err != nil {
		return nil, fmt.Errorf("inspection %s owners: %w", e.RecordID, err)
	}
	rows, err := tx.QueryContext(ctx, `SELECT defect_id FROM inspection_carried WHERE inspection_id = ? ORDER BY sort`, e.RecordID)
	if err != nil {
		return nil, fmt.Errorf("inspection %s carried: %w", e.RecordID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var d string
		if err := rows.Scan(&d); err != nil {
			return nil, fmt.Errorf("inspection %s carried: %w", e.RecordID, err)
		}
		p.Carried = append(p.Carried, d)
	}
	return p, rows.Err()
}

func reencodeInspectionResult(ctx context.Context, tx *txn, e OutboxEntry) (payload, error) {
	p := &inspectionResultPayload{}
	var photos string
	if err := scanRow(ctx, tx, "inspection_results", `inspection_id, item, result, description, location, photos`, e.RecordID, &p.recStamp,
		&p.InspectionID, &p.Item, &p.Result, &p.Description, &p.Location, &photos); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(photos), &p.Photos); err != nil {
		return nil, fmt.Errorf("inspection result %s photos: %w", e.RecordID, err)
	}
	return p, nil
}

func reencodeInspectionFollowUp(ctx context.Context, tx *txn, e OutboxEntry) (payload, error) {
	p := &inspectionFollowUpPayload{}
	return p, scanRow(ctx, tx, "inspection_followups", `inspection_id, defect_id, outcome, note`, e.RecordID, &p.recStamp,
		&p.InspectionID, &p.DefectID, &p.Outcome, &p.Note)
}

func reencodeInspectionValue(ctx context.Context, tx *txn, e OutboxEntry) (payload, error) {
	p := &inspectionValuePayload{}
	return p, scanRow(ctx, tx, "inspection_values", `inspection_id, kind, code, value`, e.RecordID, &p.recStamp,
		&p.InspectionID, &p.Kind, &p.Code, &p.Value)
}

func reencodeInspectionPhoto(ctx context.Context, tx *txn, e OutboxEntry) (payload, error) {
	p := &inspectionPhotoPayload{MIME: "image/jpeg"}
	return p, scanRow(ctx, tx, "inspection_photos", `inspection_id, item, width, height, sha256, size`, e.RecordID, &p.recStamp,
		&p.InspectionID, &p.Item, &p.Width, &p.Height, &p.SHA256, &p.Size)
}

func reencodeInspectionComplete(ctx context.Context, tx *txn, e OutboxEntry) (payload, error) {
	p := &inspectionCompletePayload{}
	if err := scanRow(ctx, tx, "inspection_completions", `inspection_id, paper_sign, owner_sig_sha256, staff_sig_sha256,
		COALESCE((SELECT size FROM blobs WHERE sha256 = owner_sig_sha256), 0), COALESCE((SELECT size FROM blobs WHERE sha256 = staff_sig_sha256), 0)`,
		e.RecordID, &p.recStamp, &p.InspectionID, &p.PaperSign, &p.OwnerSig, &p.StaffSig, &p.OwnerSigSize, &p.StaffSigSize); err != nil {
		return nil, err
	}
	return p, nil
}

func reencodeInspectionTicket(ctx context.Context, tx *txn, e OutboxEntry) (payload, error) {
	p := &inspectionTicketPayload{}
	return p, scanRow(ctx, tx, "inspection_defect_tickets", `inspection_id, defect_id, ticket_id`, e.RecordID, &p.recStamp,
		&p.InspectionID, &p.DefectID, &p.TicketID)
}

func reencodeCareRevisit(ctx context.Context, tx *txn, e OutboxEntry) (payload, error) {
	p := &careRevisitPayload{}
	return p, scanRow(ctx, tx, "care_revisits", `kind, COALESCE(source_id, ''), customer_name, phone, place, note, due_from, due_to`, e.RecordID,
		&p.recStamp, &p.Kind, &p.SourceID, &p.CustomerName, &p.Phone, &p.Place, &p.Note, &p.DueFrom, &p.DueTo)
}

func reencodeCareResult(ctx context.Context, tx *txn, e OutboxEntry) (payload, error) {
	p := &careResultPayload{}
	return p, scanRow(ctx, tx, "care_revisit_results", `revisit_id, at, method, satisfaction, quality, effect, shortcomings, suggestions, note,
		COALESCE(ticket_id, '')`, e.RecordID, &p.recStamp, &p.RevisitID, &p.At, &p.Method, &p.Satisfaction, &p.Quality, &p.Effect,
		&p.Shortcomings, &p.Suggestions, &p.Note, &p.TicketID)
}

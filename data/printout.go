package data

import (
	"context"
	"database/sql"
	"fmt"
)

// Read-only views for printed forms (app/forms). A printed form needs a few
// things the screens do not: the visit's number within its day (the form's
// serial), the source channel's name, who registered it, and the whole day
// in arrival order.

// VisitRecord is one visit as the visitor registration form prints it.
type VisitRecord struct {
	Visit
	Ordinal       int    // 1 for the day's first arrival at the office
	Day           string // office-local date, YYYY-MM-DD
	SourceCode    string // built-in channel code ("walkin"), or ""
	SourceName    string // the office's own channel name
	CreatedByName string // staff who registered it; "" for the kiosk
}

// VisitRecord loads one visit for printing. The phone is masked unless
// actorID names a staff member whose role may see it (the same rule as
// VisitDetail); an empty actorID always gets the masked number.
func (s *Store) VisitRecord(ctx context.Context, actorID, visitID string) (VisitRecord, error) {
	_, o, err := s.ids()
	if err != nil {
		return VisitRecord{}, err
	}
	var r VisitRecord
	if actorID != "" {
		r.Visit, err = s.VisitDetail(ctx, actorID, visitID)
		if err != nil {
			return VisitRecord{}, err
		}
	}
	var srcCode, srcName, byName sql.NullString
	err = s.db.QueryRowContext(ctx, `SELECT v.day, s.code, s.name, b.name,
		(SELECT count(*) FROM visits w WHERE w.office_id = v.office_id AND w.day = v.day
			AND (w.arrived_at < v.arrived_at OR (w.arrived_at = v.arrived_at AND w.id <= v.id)))
		FROM visits v LEFT JOIN sources s ON s.id = v.source_id LEFT JOIN staff b ON b.id = v.created_by
		WHERE v.id = ? AND v.office_id = ?`, visitID, o.ID).
		Scan(&r.Day, &srcCode, &srcName, &byName, &r.Ordinal)
	if isNoRows(err) {
		return VisitRecord{}, &Error{Code: ENOTFOUND, Key: "err.visit.not_found"}
	}
	if err != nil {
		return VisitRecord{}, fmt.Errorf("visit record: %w", err)
	}
	if actorID == "" {
		// No one signed in: the visit without its full number.
		if r.Visit, err = s.visitMasked(ctx, visitID); err != nil {
			return VisitRecord{}, err
		}
	}
	r.SourceCode, r.SourceName, r.CreatedByName = srcCode.String, srcName.String, byName.String
	return r, nil
}

// visitMasked is VisitDetail for no one in particular: the phone masked.
func (s *Store) visitMasked(ctx context.Context, visitID string) (Visit, error) {
	var v Visit
	var src, cid, cname, by sql.NullString
	var assigned, handed, left sql.NullInt64
	var arrived int64
	err := s.db.QueryRowContext(ctx, `SELECT v.id, v.visitor_id, v.name, v.title, p.phone, v.arrived_at, v.party_size, v.purpose,
		v.source_id, v.kind, v.via, v.interest_unit, v.interest_budget, v.notes, v.consent_version, v.consultant_id, c.name,
		v.assigned_at, v.handed_over_at, v.area, v.left_at, v.created_by
		FROM visits v JOIN visitors p ON p.id = v.visitor_id LEFT JOIN staff c ON c.id = v.consultant_id WHERE v.id = ?`, visitID).
		Scan(&v.ID, &v.VisitorID, &v.Name, &v.Title, &v.Phone, &arrived, &v.PartySize, &v.Purpose, &src, &v.Kind, &v.Via,
			&v.InterestUnit, &v.InterestBudget, &v.Notes, &v.ConsentVersion, &cid, &cname, &assigned, &handed, &v.Area, &left, &by)
	if isNoRows(err) {
		return Visit{}, &Error{Code: ENOTFOUND, Key: "err.visit.not_found"}
	}
	if err != nil {
		return Visit{}, fmt.Errorf("visit record: %w", err)
	}
	v.ArrivedAt, v.AssignedAt, v.HandedOverAt, v.LeftAt = fromMS(arrived), nullMS(assigned), nullMS(handed), nullMS(left)
	v.SourceID, v.ConsultantID, v.ConsultantName, v.CreatedBy = src.String, cid.String, cname.String, by.String
	v.Phone = MaskPhone(v.Phone)
	return v, nil
}

// LogRow is one visit of the daily visitor log or a visits export.
type LogRow struct {
	BoardRow
	Phone        string // masked, or whole where the list says so (VisitLog)
	Ordinal      int    // arrival order within the day, from 1
	SourceCode   string
	SourceName   string
	InterestUnit string
}

// DayLog returns every visit of an office-local day (YYYY-MM-DD) in arrival
// order, with no row limit: the printed daily visitor log lists them all.
func (s *Store) DayLog(ctx context.Context, day string) ([]LogRow, error) {
	_, o, err := s.ids()
	if err != nil {
		return nil, err
	}
	out, err := s.logRows(ctx, o.ID, "v.day = ?", []any{day}, nil)
	if err != nil {
		return nil, fmt.Errorf("day log: %w", err)
	}
	return out, nil
}

// logRows lists the office's visits matching cond in arrival order;
// Ordinal counts within each day. fullPhone, if not nil, says for a
// visit's (visitor's own consultant, visit's consultant) whether LogRow.Phone
// holds the whole number; else it is masked like PhoneMasked.
func (s *Store) logRows(ctx context.Context, officeID, cond string, args []any, fullPhone func(owner, consultant string) bool) ([]LogRow, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT v.id, v.arrived_at, v.name, v.title, p.phone, v.party_size, v.purpose, v.kind, v.via,
		COALESCE(v.consultant_id, ''), COALESCE(c.name, ''), v.area, v.handed_over_at, v.left_at,
		COALESCE(s.code, ''), COALESCE(s.name, ''), v.interest_unit, v.day, v.visitor_id, COALESCE(p.consultant_id, '')
		FROM visits v JOIN visitors p ON p.id = v.visitor_id LEFT JOIN staff c ON c.id = v.consultant_id
		LEFT JOIN sources s ON s.id = v.source_id
		WHERE v.office_id = ? AND `+cond+` ORDER BY v.arrived_at, v.id`, append([]any{officeID}, args...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []LogRow
	ordinal := 0
	for rows.Next() {
		var r LogRow
		var arrived int64
		var phone, owner string
		var handed, left nullInt
		if err := rows.Scan(&r.VisitID, &arrived, &r.Name, &r.Title, &phone, &r.PartySize, &r.Purpose, &r.Kind, &r.Via,
			&r.ConsultantID, &r.ConsultantName, &r.Area, &handed, &left, &r.SourceCode, &r.SourceName, &r.InterestUnit,
			&r.Day, &r.VisitorID, &owner); err != nil {
			return nil, err
		}
		r.ArrivedAt, r.HandedOverAt, r.LeftAt = fromMS(arrived), handed.time(), left.time()
		r.PhoneMasked = MaskPhone(phone)
		r.Phone = r.PhoneMasked
		if fullPhone != nil && fullPhone(owner, r.ConsultantID) {
			r.Phone = phone
		}
		if len(out) == 0 || out[len(out)-1].Day != r.Day {
			ordinal = 0
		}
		ordinal++
		r.Ordinal = ordinal
		out = append(out, r)
	}
	return out, rows.Err()
}

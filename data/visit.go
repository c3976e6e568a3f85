package data

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Purpose of a visit.
type Purpose string

const (
	PurposeViewing      Purpose = "viewing"      // 看房
	PurposeConsultation Purpose = "consultation" // 咨询
	PurposeSigning      Purpose = "signing"      // 签约
	PurposeHandover     Purpose = "handover"     // 交付验房
	PurposeComplaint    Purpose = "complaint"    // 投诉报修
	PurposeOther        Purpose = "other"        // 其他
)

// Purposes in display order.
var Purposes = []Purpose{PurposeViewing, PurposeConsultation, PurposeSigning, PurposeHandover, PurposeComplaint, PurposeOther}

// Area of the office a visitor is taken to.
type Area string

const (
	AreaSandTable   Area = "sand_table"  // 沙盘区
	AreaNegotiation Area = "negotiation" // 洽谈区
	AreaShowUnit    Area = "show_unit"   // 样板间
)

// Areas in display order.
var Areas = []Area{AreaSandTable, AreaNegotiation, AreaShowUnit}

// AddressedAs is how a record outside the visit (a ticket, a revisit)
// names a visitor: a surname with its title is 王先生 / 王女士.
func AddressedAs(name, title string) string {
	switch title {
	case TitleMr:
		return name + "先生"
	case TitleMs:
		return name + "女士"
	}
	return name
}

// Titles a visitor known only by surname is addressed with (先生/女士).
const (
	TitleNone = ""
	TitleMr   = "mr"
	TitleMs   = "ms"
)

// ConsentVersion names the wording of the data-use consent shown at check-in
// (translation key consent.text). Change both together.
const ConsentVersion = "2026-11.1"

// Via says where a visit was registered.
const (
	ViaDesk  = "desk"
	ViaKiosk = "kiosk"
)

// CheckInInput is the registration form, at the desk or the kiosk.
type CheckInInput struct {
	Name           string
	Title          string // TitleNone, TitleMr, TitleMs
	Phone          string // as typed; normalised to E.164
	PartySize      string // as typed
	Purpose        Purpose
	SourceID       string
	InterestUnit   string
	InterestBudget string
	Notes          string
	Consent        bool
	Via            string
	// ConsultantID hands the visitor to this consultant now; "" leaves the
	// visit waiting for assignment unless AutoAssign is set.
	ConsultantID string
	// AutoAssign picks the returning visitor's own consultant when on duty,
	// otherwise the next in the rotation (the kiosk uses this).
	AutoAssign bool
}

// checkInValues is a validated CheckInInput.
type checkInValues struct {
	name, title, phone, source, unit, budget, notes, via string
	party                                                int
	purpose                                              Purpose
}

// ValidateCheckIn checks the whole form and returns every field's error
// (field name → error), so the form can show them all at once.
func ValidateCheckIn(in CheckInInput) map[string]*Error {
	_, errs := validateCheckIn(in)
	return errs
}

func validateCheckIn(in CheckInInput) (checkInValues, map[string]*Error) {
	errs := map[string]*Error{}
	var v checkInValues
	var err *Error
	if v.name, err = CleanPersonName("name", in.Name); err != nil {
		errs["name"] = err
	}
	switch in.Title {
	case TitleNone, TitleMr, TitleMs:
		v.title = in.Title
	default:
		errs["title"] = invalid("title", "err.field.choice", nil)
	}
	if v.phone, err = NormalizePhone("phone", in.Phone); err != nil {
		errs["phone"] = err
	}
	if v.party, err = parseParty(in.PartySize); err != nil {
		errs["party"] = err
	}
	v.purpose = in.Purpose
	if !validPurpose(in.Purpose) {
		errs["purpose"] = invalid("purpose", "err.field.choose", nil)
	}
	if v.source = in.SourceID; v.source == "" && in.Via != ViaKiosk {
		errs["source"] = invalid("source", "err.field.choose", nil)
	}
	if v.unit, err = cleanLine("interest_unit", in.InterestUnit, false, MaxInterestLen); err != nil {
		errs["interest_unit"] = err
	}
	if v.budget, err = cleanLine("interest_budget", in.InterestBudget, false, MaxInterestLen); err != nil {
		errs["interest_budget"] = err
	}
	if v.notes, err = cleanText("notes", in.Notes, MaxNotesLen); err != nil {
		errs["notes"] = err
	}
	if !in.Consent {
		errs["consent"] = invalid("consent", "err.consent.required", nil)
	}
	switch in.Via {
	case ViaDesk, ViaKiosk:
		v.via = in.Via
	default:
		v.via = ViaDesk
	}
	return v, errs
}

func parseParty(s string) (int, *Error) {
	s = strings.TrimSpace(FoldInput(s))
	if s == "" {
		return 1, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > MaxPartySize {
		return 0, invalid("party", "err.party.range", map[string]any{"Max": MaxPartySize})
	}
	return n, nil
}

func validPurpose(p Purpose) bool {
	for _, x := range Purposes {
		if p == x {
			return true
		}
	}
	return false
}

func validArea(a Area) bool {
	for _, x := range Areas {
		if a == x {
			return true
		}
	}
	return false
}

// FieldErrors is returned by CheckIn when the form is invalid: every field's error.
type FieldErrors map[string]*Error

func (f FieldErrors) Error() string {
	var b strings.Builder
	b.WriteString("invalid check-in:")
	for k, e := range f {
		b.WriteString(" " + k + "=" + e.Key)
	}
	return b.String()
}

// Visit is a registered visit with its current state.
type Visit struct {
	ID             string
	VisitorID      string
	Name           string
	Title          string
	Phone          string // E.164; only for roles that may see it
	ArrivedAt      time.Time
	PartySize      int
	Purpose        Purpose
	SourceID       string
	Kind           string // "first" (首访) or "return" (复访)
	Via            string
	InterestUnit   string
	InterestBudget string
	Notes          string
	ConsentVersion string
	ConsultantID   string
	ConsultantName string
	AssignedAt     time.Time
	HandedOverAt   time.Time
	Area           Area
	LeftAt         time.Time
	CreatedBy      string
}

// Visit kinds.
const (
	KindFirst  = "first"
	KindReturn = "return"
)

// CheckIn registers a visit. The visitor is matched by phone: a known number
// makes it a return visit (复访) owned by the visitor's consultant. The
// visit, any assignment, the rotation change and their outbox rows commit in
// one transaction; when CheckIn returns without error the visit is on disk.
// actorID is the signed-in staff member, or "" for the kiosk.
func (s *Store) CheckIn(ctx context.Context, actorID string, in CheckInInput) (Visit, error) {
	v, errs := validateCheckIn(in)
	if len(errs) > 0 {
		return Visit{}, FieldErrors(errs)
	}
	st, err := s.stamp()
	if err != nil {
		return Visit{}, err
	}
	now := fromMS(st.at)
	day := s.Day(now)
	var by any
	if actorID != "" {
		by = actorID
	}
	visit := Visit{ID: st.id, Name: v.name, Title: v.title, Phone: v.phone, ArrivedAt: now, PartySize: v.party,
		Purpose: v.purpose, SourceID: v.source, Via: v.via, InterestUnit: v.unit, InterestBudget: v.budget,
		Notes: v.notes, ConsentVersion: ConsentVersion, CreatedBy: actorID}
	err = s.tx(ctx, func(tx *txn) error {
		if actorID != "" {
			if _, err := requireActor(ctx, tx, actorID, Role.CanCheckIn); err != nil {
				return err
			}
		} else if v.via != ViaKiosk {
			return &Error{Code: EFORBIDDEN, Key: "err.forbidden"}
		}
		if v.source != "" {
			var ok int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM sources WHERE id = ? AND office_id = ?`, v.source, st.office).Scan(&ok); err != nil {
				return err
			}
			if ok == 0 {
				return FieldErrors{"source": invalid("source", "err.field.choose", nil)}
			}
		}
		// The visitor: known by phone, or new.
		var owner sql.NullString
		err := tx.QueryRowContext(ctx, `SELECT id, consultant_id FROM visitors WHERE phone = ? AND office_id = ?
			ORDER BY created_at LIMIT 1`, v.phone, st.office).Scan(&visit.VisitorID, &owner)
		switch {
		case isNoRows(err):
			visit.Kind = KindFirst
			visit.VisitorID = newID()
		case err != nil:
			return fmt.Errorf("find visitor: %w", err)
		default:
			visit.Kind = KindReturn
		}
		if err := insertVisit(ctx, tx, st, by, visit.VisitorID, visit.Kind, day, v); err != nil {
			return err
		}
		if err := s.scheduleSigningRevisit(ctx, tx, st, by, v); err != nil {
			return err
		}
		consultant := in.ConsultantID
		if consultant == "" && in.AutoAssign {
			if owner.Valid && onDuty(ctx, tx, st.office, day, owner.String) {
				consultant = owner.String
			} else if next, err := nextInTurn(ctx, tx, st.office, day); err != nil {
				return err
			} else {
				consultant = next
			}
		}
		if consultant == "" {
			return nil
		}
		name, err := assign(ctx, tx, st, by, visit.ID, visit.VisitorID, owner.String, consultant, day)
		if err != nil {
			return err
		}
		visit.ConsultantID, visit.ConsultantName, visit.AssignedAt = consultant, name, now
		return nil
	})
	if err != nil {
		return Visit{}, err
	}
	return visit, nil
}

// insertVisit writes a checked-in visit — and its visitor when the visit is
// a first one — with its outbox row. CheckIn and the demo data share it, so
// the payload of visit.checkin v1 has one shape.
func insertVisit(ctx context.Context, tx *txn, st stamp, by any, visitorID, kind, day string, v checkInValues) error {
	if kind == KindFirst {
		if _, err := tx.ExecContext(ctx, `INSERT INTO visitors (id, office_id, device_id, created_at, created_by, name, title, phone)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, visitorID, st.office, st.device, st.at, by, v.name, v.title, v.phone); err != nil {
			return fmt.Errorf("insert visitor: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO visits (id, office_id, device_id, created_at, created_by, visitor_id, name, title,
		arrived_at, day, party_size, purpose, source_id, kind, via, interest_unit, interest_budget, notes, consent_version)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULLIF(?, ''), ?, ?, ?, ?, ?, ?)`,
		st.id, st.office, st.device, st.at, by, visitorID, v.name, v.title, st.at, day, v.party, string(v.purpose),
		v.source, kind, v.via, v.unit, v.budget, v.notes, ConsentVersion); err != nil {
		return fmt.Errorf("insert visit: %w", err)
	}
	return emit(ctx, tx, st.at, MutVisitCheckIn, 1, st.id, map[string]any{
		"id": st.id, "office_id": st.office, "device_id": st.device, "created_at": st.at, "created_by": by,
		"visitor": map[string]any{"id": visitorID, "name": v.name, "title": v.title, "phone": v.phone, "new": kind == KindFirst},
		"name":    v.name, "title": v.title, "arrived_at": st.at, "day": day, "party_size": v.party, "purpose": v.purpose,
		"source_id": v.source, "kind": kind, "via": v.via, "interest_unit": v.unit, "interest_budget": v.budget,
		"notes": v.notes, "consent_version": ConsentVersion,
	})
}

// assign hands a visit to a consultant. The visitor's own consultant takes
// them without using a turn; anyone else uses their turn in the rotation.
// A new visitor becomes the consultant's customer.
func assign(ctx context.Context, tx *txn, st stamp, by any, visitID, visitorID, owner, consultantID, day string) (string, error) {
	c, err := findStaff(ctx, tx, consultantID)
	if err != nil {
		return "", err
	}
	if !c.Active || c.Role != RoleConsultant {
		return "", invalid("consultant", "err.consultant.invalid", nil)
	}
	ev := stamp{id: newID(), office: st.office, device: st.device, at: st.at}
	if err := addVisitEvent(ctx, tx, ev, by, visitID, "assign", consultantID, ""); err != nil {
		return "", err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE visits SET consultant_id = ?, assigned_at = ? WHERE id = ?`, consultantID, st.at, visitID); err != nil {
		return "", fmt.Errorf("assign visit: %w", err)
	}
	if owner == "" {
		if _, err := tx.ExecContext(ctx, `UPDATE visitors SET consultant_id = ? WHERE id = ? AND consultant_id IS NULL`, consultantID, visitorID); err != nil {
			return "", fmt.Errorf("assign visitor: %w", err)
		}
	}
	action := RotAssign
	if owner == consultantID {
		action = RotOwn
	}
	if err := rotate(ctx, tx, stamp{id: newID(), office: st.office, device: st.device, at: st.at}, by, day, consultantID, action, visitID); err != nil {
		return "", err
	}
	return c.Name, nil
}

func addVisitEvent(ctx context.Context, tx *txn, st stamp, by any, visitID, kind, consultantID string, area Area) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO visit_events (id, office_id, device_id, created_at, created_by, visit_id, kind, consultant_id, area)
		VALUES (?, ?, ?, ?, ?, ?, ?, NULLIF(?, ''), ?)`, st.id, st.office, st.device, st.at, by, visitID, kind, consultantID, string(area)); err != nil {
		return fmt.Errorf("visit event %s: %w", kind, err)
	}
	return emit(ctx, tx, st.at, MutVisitEvent, 1, st.id, map[string]any{
		"id": st.id, "office_id": st.office, "device_id": st.device, "created_at": st.at, "created_by": by,
		"visit_id": visitID, "kind": kind, "consultant_id": consultantID, "area": area,
	})
}

// visitState is the part of a visit that events change.
type visitState struct {
	visitorID, consultant, owner string
	handedOver, left             bool
}

func findVisitState(ctx context.Context, tx *txn, office, id string) (visitState, error) {
	var vs visitState
	var c, o sql.NullString
	var h, l sql.NullInt64
	err := tx.QueryRowContext(ctx, `SELECT v.visitor_id, v.consultant_id, p.consultant_id, v.handed_over_at, v.left_at
		FROM visits v JOIN visitors p ON p.id = v.visitor_id WHERE v.id = ? AND v.office_id = ?`, id, office).
		Scan(&vs.visitorID, &c, &o, &h, &l)
	if isNoRows(err) {
		return vs, &Error{Code: ENOTFOUND, Key: "err.visit.not_found"}
	}
	if err != nil {
		return vs, fmt.Errorf("find visit: %w", err)
	}
	vs.consultant, vs.owner, vs.handedOver, vs.left = c.String, o.String, h.Valid, l.Valid
	return vs, nil
}

// visitEvent runs one change to a visit: check the actor and the state, then apply.
func (s *Store) visitEvent(ctx context.Context, actorID, visitID string, apply func(tx *txn, st stamp, vs visitState) error) error {
	st, err := s.stamp()
	if err != nil {
		return err
	}
	return s.tx(ctx, func(tx *txn) error {
		if _, err := requireActor(ctx, tx, actorID, Role.CanCheckIn); err != nil {
			return err
		}
		vs, err := findVisitState(ctx, tx, st.office, visitID)
		if err != nil {
			return err
		}
		if vs.left {
			return &Error{Code: ECONFLICT, Key: "err.visit.left"}
		}
		return apply(tx, st, vs)
	})
}

// Assign hands a waiting visit to a consultant (or another one, before hand-over).
func (s *Store) Assign(ctx context.Context, actorID, visitID, consultantID string) error {
	return s.visitEvent(ctx, actorID, visitID, func(tx *txn, st stamp, vs visitState) error {
		if vs.handedOver {
			return &Error{Code: ECONFLICT, Key: "err.visit.handed_over"}
		}
		if vs.consultant == consultantID {
			return nil
		}
		day := s.Day(fromMS(st.at))
		if _, err := assign(ctx, tx, st, actorID, visitID, vs.visitorID, vs.owner, consultantID, day); err != nil {
			return err
		}
		if vs.consultant == "" {
			return nil
		}
		// The consultant it was taken from is free again if no one else of theirs is in.
		return freeIfIdle(ctx, tx, st, actorID, day, vs.consultant, visitID)
	})
}

// HandOver records that the consultant has taken over the visitor in an
// area; the time from arrival to now is the visitor's wait.
func (s *Store) HandOver(ctx context.Context, actorID, visitID string, area Area) error {
	if !validArea(area) {
		return invalid("area", "err.field.choose", nil)
	}
	return s.visitEvent(ctx, actorID, visitID, func(tx *txn, st stamp, vs visitState) error {
		if vs.consultant == "" {
			return &Error{Code: ECONFLICT, Key: "err.visit.unassigned"}
		}
		if vs.handedOver {
			return &Error{Code: ECONFLICT, Key: "err.visit.handed_over"}
		}
		if err := addVisitEvent(ctx, tx, st, actorID, visitID, "handover", vs.consultant, area); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE visits SET handed_over_at = ?, area = ? WHERE id = ?`, st.at, string(area), visitID)
		return err
	})
}

// MoveArea records that the visitor moved to another area.
func (s *Store) MoveArea(ctx context.Context, actorID, visitID string, area Area) error {
	if !validArea(area) {
		return invalid("area", "err.field.choose", nil)
	}
	return s.visitEvent(ctx, actorID, visitID, func(tx *txn, st stamp, vs visitState) error {
		if err := addVisitEvent(ctx, tx, st, actorID, visitID, "area", "", area); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE visits SET area = ? WHERE id = ?`, string(area), visitID)
		return err
	})
}

// CheckOut records that the visitor left. A consultant with no other visitor
// in the office is back in the rotation as available.
func (s *Store) CheckOut(ctx context.Context, actorID, visitID string) error {
	return s.visitEvent(ctx, actorID, visitID, func(tx *txn, st stamp, vs visitState) error {
		if err := addVisitEvent(ctx, tx, st, actorID, visitID, "checkout", "", ""); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE visits SET left_at = ? WHERE id = ?`, st.at, visitID); err != nil {
			return fmt.Errorf("check out: %w", err)
		}
		if vs.consultant == "" {
			return nil
		}
		return freeIfIdle(ctx, tx, st, actorID, s.Day(fromMS(st.at)), vs.consultant, visitID)
	})
}

// freeIfIdle puts a busy consultant back in the rotation as available when
// no visitor of theirs is still in the office today.
func freeIfIdle(ctx context.Context, tx *txn, st stamp, by any, day, consultant, visitID string) error {
	var others int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM visits WHERE office_id = ? AND day = ? AND consultant_id = ? AND left_at IS NULL`,
		st.office, day, consultant).Scan(&others); err != nil {
		return err
	}
	var status string
	err := tx.QueryRowContext(ctx, `SELECT status FROM rotation WHERE office_id = ? AND day = ? AND consultant_id = ?`, st.office, day, consultant).Scan(&status)
	if err != nil && !isNoRows(err) {
		return err
	}
	if isNoRows(err) || others > 0 || status != StatusBusy {
		return nil
	}
	return rotate(ctx, tx, stamp{id: newID(), office: st.office, device: st.device, at: st.at}, by, day, consultant, RotAvailable, visitID)
}

// VisitDetail returns one visit. The full phone number is included only
// when the actor's role may see it; otherwise Phone is masked.
func (s *Store) VisitDetail(ctx context.Context, actorID, visitID string) (Visit, error) {
	actor, err := s.StaffByID(ctx, actorID)
	if err != nil {
		return Visit{}, err
	}
	var v Visit
	var src, cid, cname, by, owner sql.NullString
	var assigned, handed, left sql.NullInt64
	var arrived int64
	err = s.db.QueryRowContext(ctx, `SELECT v.id, v.visitor_id, v.name, v.title, p.phone, v.arrived_at, v.party_size, v.purpose,
		v.source_id, v.kind, v.via, v.interest_unit, v.interest_budget, v.notes, v.consent_version, v.consultant_id, c.name,
		v.assigned_at, v.handed_over_at, v.area, v.left_at, v.created_by, p.consultant_id
		FROM visits v JOIN visitors p ON p.id = v.visitor_id LEFT JOIN staff c ON c.id = v.consultant_id WHERE v.id = ?`, visitID).
		Scan(&v.ID, &v.VisitorID, &v.Name, &v.Title, &v.Phone, &arrived, &v.PartySize, &v.Purpose, &src, &v.Kind, &v.Via,
			&v.InterestUnit, &v.InterestBudget, &v.Notes, &v.ConsentVersion, &cid, &cname, &assigned, &handed, &v.Area, &left, &by, &owner)
	if isNoRows(err) {
		return Visit{}, &Error{Code: ENOTFOUND, Key: "err.visit.not_found"}
	}
	if err != nil {
		return Visit{}, fmt.Errorf("visit detail: %w", err)
	}
	v.ArrivedAt, v.AssignedAt, v.HandedOverAt, v.LeftAt = fromMS(arrived), nullMS(assigned), nullMS(handed), nullMS(left)
	v.SourceID, v.ConsultantID, v.ConsultantName, v.CreatedBy = src.String, cid.String, cname.String, by.String
	// A consultant sees the number of the customers they own or are serving.
	if !actor.Role.SeesFullPhone(actor.ID == owner.String || actor.ID == v.ConsultantID) {
		v.Phone = MaskPhone(v.Phone)
	}
	return v, nil
}

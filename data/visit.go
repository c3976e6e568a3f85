package data

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
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
// (translation keys consent.text and consent.agree.*). Change both together.
// 2026-12.1: the closing sentence names the control the visitor's agreement
// is recorded with where the notice is shown (the kiosk's button, the
// desk's check box); the desk's used to name the kiosk's button.
const ConsentVersion = "2026-12.1"

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

// compoundSurnames are the two-character surnames a name may be alone.
var compoundSurnames = map[string]bool{"欧阳": true, "司马": true, "上官": true, "诸葛": true, "东方": true, "皇甫": true,
	"尉迟": true, "公孙": true, "慕容": true, "长孙": true, "宇文": true, "司徒": true, "夏侯": true, "轩辕": true,
	"令狐": true, "端木": true, "澹台": true, "西门": true, "南宫": true, "独孤": true}

// IsBareSurname reports whether a cleaned name is only a surname — one
// Chinese character, or a compound surname such as 欧阳 — which needs
// 先生 or 女士 after it.
func IsBareSurname(name string) bool {
	rs := []rune(name)
	return len(rs) == 1 && unicode.Is(unicode.Han, rs[0]) || compoundSurnames[name]
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
		if in.Title == TitleNone && errs["name"] == nil && IsBareSurname(v.name) {
			// The guide: a full name, or a surname with 先生/女士.
			errs["title"] = invalid("title", "err.name.surname_title", nil)
		}
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
			// A hidden channel is no longer offered; a visit recorded through
			// it keeps showing it (the row stays).
			var active sql.NullBool
			err := tx.QueryRowContext(ctx, `SELECT active FROM sources WHERE id = ? AND office_id = ?`, v.source, st.office).Scan(&active)
			if err != nil && !isNoRows(err) {
				return err
			}
			if !active.Valid {
				return FieldErrors{"source": invalid("source", "err.field.choose", nil)}
			}
			if !active.Bool {
				return FieldErrors{"source": invalid("source", "err.source.hidden", nil)}
			}
		}
		// The visitor: known by phone, or new.
		var owner sql.NullString
		var knownName, knownTitle string
		err := tx.QueryRowContext(ctx, `SELECT id, consultant_id, name, title FROM visitors WHERE phone = ? AND office_id = ?
			ORDER BY `+visitorOrder+` LIMIT 1`, v.phone, st.office).Scan(&visit.VisitorID, &owner, &knownName, &knownTitle)
		switch {
		case isNoRows(err):
			visit.Kind = KindFirst
			visit.VisitorID = newID()
		case err != nil:
			return fmt.Errorf("find visitor: %w", err)
		default:
			visit.Kind = KindReturn
			if v.via == ViaKiosk && (v.name != knownName || v.title != knownTitle) {
				// A surname and title tapped at the kiosk do not rename a
				// known visitor (王 + 先生 for a known 王芳, 女士): the visit
				// keeps the name on record and notes what was tapped, for
				// the desk to see.
				v.notes = kioskNameNote(v.name, v.title, v.notes)
				v.name, v.title = knownName, knownTitle
				visit.Name, visit.Title, visit.Notes = v.name, v.title, v.notes
			}
		}
		if err := insertVisit(ctx, tx, st, actorID, visit.VisitorID, visit.Kind, day, v); err != nil {
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
		name, err := assign(ctx, tx, st, actorID, visit.ID, visit.VisitorID, owner.String, consultant, day)
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
// a first one — through visit.checkin. CheckIn and the demo data share it.
func insertVisit(ctx context.Context, tx *txn, st stamp, by string, visitorID, kind, day string, v checkInValues) error {
	return record(ctx, tx, st.at, &visitCheckIn{recStamp: newRecStamp(st, by),
		Visitor: visitorPart{ID: visitorID, Name: v.name, Title: v.title, Phone: v.phone, New: kind == KindFirst},
		Name:    v.name, Title: v.title, ArrivedAt: st.at, Day: day, PartySize: v.party, Purpose: v.purpose,
		SourceID: v.source, Kind: kind, Via: v.via, InterestUnit: v.unit, InterestBudget: v.budget, Notes: v.notes, ConsentVersion: ConsentVersion})
}

// visitCheckIn (visit.checkin v1) is a visit as registered, with its
// visitor: a first visit brings the visitor's record, a return visit names
// it (and carries it too, so a device missing it still shows the visit).
type visitCheckIn struct {
	recStamp
	Visitor        visitorPart `json:"visitor"`
	Name           string      `json:"name"` // as given at this visit
	Title          string      `json:"title"`
	ArrivedAt      int64       `json:"arrived_at"`
	Day            string      `json:"day"` // office-local YYYY-MM-DD
	PartySize      int         `json:"party_size"`
	Purpose        Purpose     `json:"purpose"`
	SourceID       string      `json:"source_id"` // "" = not asked (kiosk)
	Kind           string      `json:"kind"`      // first | return
	Via            string      `json:"via"`       // desk | kiosk
	InterestUnit   string      `json:"interest_unit"`
	InterestBudget string      `json:"interest_budget"`
	Notes          string      `json:"notes"`
	ConsentVersion string      `json:"consent_version"`
}

// storedPhoneRe is a phone as NormalizePhone stores it: E.164, and a
// landline's extension as ";ext=NNN".
var storedPhoneRe = regexp.MustCompile(`^\+[1-9][0-9]{3,14}(;ext=[0-9]{1,6})?$`)

// visitorPart is the visitor of a visit.checkin.
type visitorPart struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Title string `json:"title"`
	Phone string `json:"phone"` // E.164
	New   bool   `json:"new"`   // this visit made the visitor
}

func init() {
	registerMutation[visitCheckIn](MutationSpec{Name: MutVisitCheckIn, Version: 1, Entity: "visit", Owner: OwnerOffice, Rank: rankRecord})
	registerReencoder(MutVisitCheckIn, func(ctx context.Context, tx *txn, e OutboxEntry) (payload, error) {
		var p visitCheckIn
		var by, src sql.NullString
		err := tx.QueryRowContext(ctx, `SELECT v.id, v.office_id, v.device_id, v.created_at, v.created_by, v.visitor_id, p.name, p.title, p.phone,
			p.created_at = v.created_at AND v.kind = 'first', v.name, v.title, v.arrived_at, v.day, v.party_size, v.purpose, v.source_id, v.kind, v.via,
			v.interest_unit, v.interest_budget, v.notes, v.consent_version FROM visits v JOIN visitors p ON p.id = v.visitor_id WHERE v.id = ?`, e.RecordID).
			Scan(&p.ID, &p.OfficeID, &p.DeviceID, &p.CreatedAt, &by, &p.Visitor.ID, &p.Visitor.Name, &p.Visitor.Title, &p.Visitor.Phone,
				&p.Visitor.New, &p.Name, &p.Title, &p.ArrivedAt, &p.Day, &p.PartySize, &p.Purpose, &src, &p.Kind, &p.Via,
				&p.InterestUnit, &p.InterestBudget, &p.Notes, &p.ConsentVersion)
		p.CreatedBy, p.SourceID = by.String, src.String
		return &p, err
	})
}

func (*visitCheckIn) spec() *MutationSpec { return specOf(MutVisitCheckIn, 1) }

func (p *visitCheckIn) refs() []Ref {
	var r []Ref
	if p.SourceID != "" {
		r = append(r, Ref{Entity: "source", ID: p.SourceID})
	}
	if p.CreatedBy != "" {
		r = append(r, Ref{Entity: "staff", ID: p.CreatedBy})
	}
	return r
}

func (p *visitCheckIn) validate() error {
	if err := p.check(); err != nil {
		return err
	}
	if err := checkIDs("visitor", p.Visitor.ID); err != nil {
		return err
	}
	if err := checkUUID("source", p.SourceID, false); err != nil {
		return err
	}
	for _, n := range []string{p.Name, p.Visitor.Name} {
		if _, err := CleanPersonName("name", n); err != nil {
			return err
		}
	}
	for _, t := range []string{p.Title, p.Visitor.Title} {
		if err := checkChoice("title", t, TitleNone, TitleMr, TitleMs); err != nil {
			return err
		}
	}
	if !storedPhoneRe.MatchString(p.Visitor.Phone) {
		return invalid("phone", "err.phone.invalid", nil)
	}
	if p.ArrivedAt <= 0 {
		return invalid("arrived_at", "err.field.required", nil)
	}
	if err := checkDay("day", p.Day, true); err != nil {
		return err
	}
	if p.PartySize < 1 || p.PartySize > MaxPartySize {
		return invalid("party", "err.party.range", map[string]any{"Max": MaxPartySize})
	}
	if !validPurpose(p.Purpose) {
		return invalid("purpose", "err.field.choice", nil)
	}
	if err := checkChoice("kind", p.Kind, KindFirst, KindReturn); err != nil {
		return err
	}
	if p.Visitor.New != (p.Kind == KindFirst) {
		return invalid("kind", "err.field.choice", nil)
	}
	if err := checkChoice("via", p.Via, ViaDesk, ViaKiosk); err != nil {
		return err
	}
	if _, err := cleanLine("interest_unit", p.InterestUnit, false, MaxInterestLen); err != nil {
		return err
	}
	if _, err := cleanLine("interest_budget", p.InterestBudget, false, MaxInterestLen); err != nil {
		return err
	}
	if _, err := cleanText("notes", p.Notes, MaxNotesLen); err != nil {
		return err
	}
	if _, err := cleanLine("consent_version", p.ConsentVersion, true, MaxCodeLen); err != nil {
		return err
	}
	return nil
}

func (p *visitCheckIn) apply(ctx context.Context, tx *txn, ac applyCtx) error {
	// The visitor: made by a first visit; a return visit's device may not
	// have it yet. The visit earliest in sync order that carries it says
	// what it is (its name, title, phone), the same on every device
	// whatever order the visits arrive in.
	if _, err := tx.ExecContext(ctx, `INSERT INTO visitors (id, office_id, device_id, created_at, created_by, name, title, phone, sync_ord)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET
		name = CASE WHEN excluded.sync_ord < sync_ord THEN excluded.name ELSE name END,
		title = CASE WHEN excluded.sync_ord < sync_ord THEN excluded.title ELSE title END,
		phone = CASE WHEN excluded.sync_ord < sync_ord THEN excluded.phone ELSE phone END,
		sync_ord = min(sync_ord, excluded.sync_ord)`,
		p.Visitor.ID, p.OfficeID, p.DeviceID, p.CreatedAt, p.by(), p.Visitor.Name, p.Visitor.Title, p.Visitor.Phone, ac.ord); err != nil {
		return fmt.Errorf("insert visitor: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO visits (id, office_id, device_id, created_at, created_by, visitor_id, name, title,
		arrived_at, day, party_size, purpose, source_id, kind, via, interest_unit, interest_budget, notes, consent_version, sync_ord)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULLIF(?, ''), ?, ?, ?, ?, ?, ?, ?)`+keepEarliestOrd,
		p.ID, p.OfficeID, p.DeviceID, p.CreatedAt, p.by(), p.Visitor.ID, p.Name, p.Title, p.ArrivedAt, p.Day, p.PartySize, string(p.Purpose),
		p.SourceID, p.Kind, p.Via, p.InterestUnit, p.InterestBudget, p.Notes, p.ConsentVersion, ac.ord); err != nil {
		return fmt.Errorf("insert visit: %w", err)
	}
	if !ac.remote {
		return nil // a new visit has no events yet; CheckIn found its visitor by phone
	}
	// Two devices offline may each have made a visitor for one phone.
	if err := ac.rederive(ctx, tx, derivedVisitors, p.OfficeID, p.Visitor.Phone, 0); err != nil {
		return err
	}
	// Its events may have come first.
	return ac.rederive(ctx, tx, derivedVisit, p.ID, "", 0)
}

// visitorOrder orders the visitors of one phone: the first is the
// customer (see mergeVisitors).
const visitorOrder = `sync_ord, id`

// mergeVisitors makes the visitors of one office with one phone a single
// customer. Two devices that check the same phone in while both are
// offline each make a visitor; once both are here, the one first in sync
// order (then by id) is the customer: every visit of the others points to
// it, and its consultant is whoever was assigned one of those visits
// first. The others stay (a later change may still name them) with no
// visit. The result depends only on the set of visits and their sync
// order, so every device that holds the same changes holds the same
// customer, whatever order they arrived in; when a visitor's place moves
// (its own change ordered by HQ), the next merge moves the visits again.
func mergeVisitors(ctx context.Context, tx *txn, office, phone string) error {
	rows, err := tx.QueryContext(ctx, `SELECT id FROM visitors WHERE office_id = ? AND phone = ? ORDER BY `+visitorOrder, office, phone)
	if err != nil {
		return fmt.Errorf("merge visitors: %w", err)
	}
	var ids []any
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return fmt.Errorf("merge visitors: %w", err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("merge visitors: %w", err)
	}
	if len(ids) < 2 {
		return nil
	}
	in := strings.Repeat(", ?", len(ids)-1)[2:]
	if _, err := tx.ExecContext(ctx, `UPDATE visits SET visitor_id = ? WHERE visitor_id IN (`+in+`)`, ids...); err != nil {
		return fmt.Errorf("merge visitors: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE visitors SET consultant_id = NULL WHERE id IN (`+in+`)`, ids[1:]...); err != nil {
		return fmt.Errorf("merge visitors: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE visitors SET consultant_id = (SELECT e.consultant_id FROM visit_events e JOIN visits v ON v.id = e.visit_id
		WHERE v.visitor_id = visitors.id AND e.kind = 'assign' ORDER BY e.sync_ord, e.id LIMIT 1) WHERE id = ?`, ids[0]); err != nil {
		return fmt.Errorf("merge visitors: %w", err)
	}
	return nil
}

// mergeVisitorsOf is mergeVisitors of many phones at once (a snapshot's,
// pairs of office and phone): one query reads their visitors, and three
// statements merge every phone that has more than one, as mergeVisitors
// does each (phones share no visitor, so the order does not matter).
func mergeVisitorsOf(ctx context.Context, tx *txn, keys [][2]string) error {
	list, err := json.Marshal(keys)
	if err != nil {
		return fmt.Errorf("merge visitors: %w", err)
	}
	rows, err := tx.QueryContext(ctx, `SELECT v.office_id, v.phone, v.id FROM visitors v
		JOIN (SELECT DISTINCT value ->> 0 AS office, value ->> 1 AS phone FROM json_each(?)) k ON v.office_id = k.office AND v.phone = k.phone
		ORDER BY v.office_id, v.phone, v.`+strings.ReplaceAll(visitorOrder, ", ", ", v."), string(list))
	if err != nil {
		return fmt.Errorf("merge visitors: %w", err)
	}
	var moves [][2]string // [a visitor merged away, the customer]
	var customers []string
	var office, phone, first string
	for rows.Next() {
		var o, p, id string
		if err := rows.Scan(&o, &p, &id); err != nil {
			rows.Close()
			return fmt.Errorf("merge visitors: %w", err)
		}
		if o != office || p != phone || first == "" {
			office, phone, first = o, p, id
			continue
		}
		if len(customers) == 0 || customers[len(customers)-1] != first {
			customers = append(customers, first)
		}
		moves = append(moves, [2]string{id, first})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("merge visitors: %w", err)
	}
	if len(moves) == 0 {
		return nil
	}
	m, err := json.Marshal(moves)
	if err != nil {
		return fmt.Errorf("merge visitors: %w", err)
	}
	c, err := json.Marshal(customers)
	if err != nil {
		return fmt.Errorf("merge visitors: %w", err)
	}
	for _, q := range []struct {
		sql, arg string
	}{
		{`UPDATE visits SET visitor_id = m.value ->> 1 FROM json_each(?) AS m WHERE visits.visitor_id = m.value ->> 0`, string(m)},
		{`UPDATE visitors SET consultant_id = NULL WHERE id IN (SELECT value ->> 0 FROM json_each(?))`, string(m)},
		{`UPDATE visitors SET consultant_id = (SELECT e.consultant_id FROM visit_events e JOIN visits v ON v.id = e.visit_id
			WHERE v.visitor_id = visitors.id AND e.kind = 'assign' ORDER BY e.sync_ord, e.id LIMIT 1) WHERE id IN (SELECT value FROM json_each(?))`, string(c)},
	} {
		if _, err := tx.ExecContext(ctx, q.sql, q.arg); err != nil {
			return fmt.Errorf("merge visitors: %w", err)
		}
	}
	return nil
}

// visitEvent (visit.event v1) is a change to a visit: assigned to a
// consultant, handed over in an area, moved to an area, checked out.
type visitEvent struct {
	recStamp
	VisitID      string `json:"visit_id"`
	Kind         string `json:"kind"`          // assign | handover | area | checkout
	ConsultantID string `json:"consultant_id"` // assign, handover: the consultant
	Area         Area   `json:"area"`          // handover, area
}

// Visit event kinds.
const (
	VisitAssign   = "assign"
	VisitHandover = "handover"
	VisitArea     = "area"
	VisitCheckout = "checkout"
)

func init() {
	registerMutation[visitEvent](MutationSpec{Name: MutVisitEvent, Version: 1, Entity: "visit_event", Owner: OwnerOffice, Rank: rankEvent})
	registerReencoder(MutVisitEvent, func(ctx context.Context, tx *txn, e OutboxEntry) (payload, error) {
		var p visitEvent
		var by, c sql.NullString
		err := tx.QueryRowContext(ctx, `SELECT id, office_id, device_id, created_at, created_by, visit_id, kind, consultant_id, area FROM visit_events WHERE id = ?`, e.RecordID).
			Scan(&p.ID, &p.OfficeID, &p.DeviceID, &p.CreatedAt, &by, &p.VisitID, &p.Kind, &c, &p.Area)
		p.CreatedBy, p.ConsultantID = by.String, c.String
		return &p, err
	})
}

func (*visitEvent) spec() *MutationSpec { return specOf(MutVisitEvent, 1) }

func (p *visitEvent) refs() []Ref {
	r := []Ref{{Entity: "visit", ID: p.VisitID}}
	if p.ConsultantID != "" {
		r = append(r, Ref{Entity: "staff", ID: p.ConsultantID})
	}
	return r
}

func (p *visitEvent) validate() error {
	if err := p.check(); err != nil {
		return err
	}
	if err := checkIDs("visit", p.VisitID); err != nil {
		return err
	}
	if err := checkUUID("consultant", p.ConsultantID, p.Kind == VisitAssign || p.Kind == VisitHandover); err != nil {
		return err
	}
	if err := checkChoice("kind", p.Kind, VisitAssign, VisitHandover, VisitArea, VisitCheckout); err != nil {
		return err
	}
	switch p.Kind {
	case VisitHandover, VisitArea:
		if !validArea(p.Area) {
			return invalid("area", "err.field.choose", nil)
		}
	default:
		if p.Area != "" {
			return invalid("area", "err.field.choice", nil)
		}
	}
	return nil
}

func (p *visitEvent) apply(ctx context.Context, tx *txn, ac applyCtx) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO visit_events (id, office_id, device_id, created_at, created_by, visit_id, kind, consultant_id, area, sync_ord)
		VALUES (?, ?, ?, ?, ?, ?, ?, NULLIF(?, ''), ?, ?)`+keepEarliestOrd,
		p.ID, p.OfficeID, p.DeviceID, p.CreatedAt, p.by(), p.VisitID, p.Kind, p.ConsultantID, string(p.Area), ac.ord); err != nil {
		return fmt.Errorf("visit event %s: %w", p.Kind, err)
	}
	return ac.rederive(ctx, tx, derivedVisit, p.VisitID, "", 0)
}

// deriveVisit recomputes a visit's current state — its consultant,
// hand-over, area and departure — and its visitor's own consultant from
// the events in sync order. An event not allowed where it falls (an
// assignment after the hand-over, a second check-out: two devices offline)
// is kept but passed over, the same on every device.
func deriveVisit(ctx context.Context, tx *txn, visitID string) error {
	rows, err := tx.QueryContext(ctx, `SELECT kind, COALESCE(consultant_id, ''), area, created_at FROM visit_events WHERE visit_id = ? ORDER BY sync_ord, id`, visitID)
	if err != nil {
		return fmt.Errorf("derive visit: %w", err)
	}
	var f visitFold
	for rows.Next() {
		var kind, c, a string
		var at int64
		if err := rows.Scan(&kind, &c, &a, &at); err != nil {
			rows.Close()
			return fmt.Errorf("derive visit: %w", err)
		}
		f.step(kind, c, a, at)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("derive visit: %w", err)
	}
	if f.events == 0 {
		// Events are never removed, so a visit with none still has the
		// state it was written with (no consultant, no area, not left),
		// and it adds nothing to its visitor's: a snapshot's visits come
		// before their events and most of them need no writing here.
		return nil
	}
	if _, err := tx.ExecContext(ctx, `UPDATE visits SET consultant_id = NULLIF(?, ''), assigned_at = ?, handed_over_at = ?, area = ?, left_at = ? WHERE id = ?`,
		f.consultant, f.assigned, f.handed, f.area, f.left, visitID); err != nil {
		return fmt.Errorf("derive visit: %w", err)
	}
	// The visitor is the customer of whoever was assigned them first.
	if _, err := tx.ExecContext(ctx, `UPDATE visitors SET consultant_id = (SELECT e.consultant_id FROM visit_events e JOIN visits v ON v.id = e.visit_id
		WHERE v.visitor_id = visitors.id AND e.kind = 'assign' ORDER BY e.sync_ord, e.id LIMIT 1)
		WHERE id = (SELECT visitor_id FROM visits WHERE id = ?)`, visitID); err != nil {
		return fmt.Errorf("derive visitor: %w", err)
	}
	return nil
}

// visitFold is a visit's state folded from its events in sync order.
type visitFold struct {
	events                 int
	consultant, area       string
	assigned, handed, left sql.NullInt64
}

func (f *visitFold) step(kind, c, a string, at int64) {
	f.events++
	if f.left.Valid {
		return
	}
	switch kind {
	case VisitAssign:
		if !f.handed.Valid {
			f.consultant, f.assigned = c, sql.NullInt64{Int64: at, Valid: true}
		}
	case VisitHandover:
		if !f.handed.Valid && f.consultant != "" {
			f.handed, f.area = sql.NullInt64{Int64: at, Valid: true}, a
		}
	case VisitArea:
		f.area = a
	case VisitCheckout:
		f.left = sql.NullInt64{Int64: at, Valid: true}
	}
}

// deriveVisits is deriveVisit of many visits at once (a snapshot's): one
// query reads their events, one statement writes the visits that have
// any and one their visitors.
func deriveVisits(ctx context.Context, tx *txn, ids []string) error {
	list, err := json.Marshal(ids)
	if err != nil {
		return fmt.Errorf("derive visits: %w", err)
	}
	rows, err := tx.QueryContext(ctx, `SELECT visit_id, kind, COALESCE(consultant_id, ''), area, created_at FROM visit_events
		WHERE visit_id IN (SELECT value FROM json_each(?)) ORDER BY visit_id, sync_ord, id`, string(list))
	if err != nil {
		return fmt.Errorf("derive visits: %w", err)
	}
	null := func(v sql.NullInt64) any {
		if !v.Valid {
			return nil
		}
		return v.Int64
	}
	var set [][]any // [id, consultant, assigned, handed, area, left] of each visit with events
	var cur string
	var f visitFold
	done := func() {
		if f.events > 0 {
			set = append(set, []any{cur, f.consultant, null(f.assigned), null(f.handed), f.area, null(f.left)})
		}
	}
	for rows.Next() {
		var id, kind, c, a string
		var at int64
		if err := rows.Scan(&id, &kind, &c, &a, &at); err != nil {
			rows.Close()
			return fmt.Errorf("derive visits: %w", err)
		}
		if id != cur {
			done()
			cur, f = id, visitFold{}
		}
		f.step(kind, c, a, at)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("derive visits: %w", err)
	}
	done()
	if len(set) == 0 {
		return nil
	}
	b, err := json.Marshal(set)
	if err != nil {
		return fmt.Errorf("derive visits: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE visits SET consultant_id = NULLIF(d.value ->> 1, ''), assigned_at = d.value ->> 2,
		handed_over_at = d.value ->> 3, area = d.value ->> 4, left_at = d.value ->> 5
		FROM json_each(?) AS d WHERE visits.id = d.value ->> 0`, string(b)); err != nil {
		return fmt.Errorf("derive visits: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE visitors SET consultant_id = (SELECT e.consultant_id FROM visit_events e JOIN visits v ON v.id = e.visit_id
		WHERE v.visitor_id = visitors.id AND e.kind = 'assign' ORDER BY e.sync_ord, e.id LIMIT 1)
		WHERE id IN (SELECT v.visitor_id FROM visits v WHERE v.id IN (SELECT value ->> 0 FROM json_each(?)))`, string(b)); err != nil {
		return fmt.Errorf("derive visitors: %w", err)
	}
	return nil
}

// assign hands a visit to a consultant. The visitor's own consultant takes
// them without using a turn; anyone else uses their turn in the rotation.
// A new visitor becomes the consultant's customer.
func assign(ctx context.Context, tx *txn, st stamp, by string, visitID, visitorID, owner, consultantID, day string) (string, error) {
	c, err := findStaff(ctx, tx, consultantID)
	if err != nil {
		return "", err
	}
	if !c.Active || c.Role != RoleConsultant {
		return "", invalid("consultant", "err.consultant.invalid", nil)
	}
	ev := stamp{id: newID(), office: st.office, device: st.device, at: st.at}
	if err := addVisitEvent(ctx, tx, ev, by, visitID, VisitAssign, consultantID, ""); err != nil {
		return "", err
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

func addVisitEvent(ctx context.Context, tx *txn, st stamp, by string, visitID, kind, consultantID string, area Area) error {
	return record(ctx, tx, st.at, &visitEvent{recStamp: newRecStamp(st, by), VisitID: visitID, Kind: kind, ConsultantID: consultantID, Area: area})
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
		return addVisitEvent(ctx, tx, st, actorID, visitID, VisitHandover, vs.consultant, area)
	})
}

// MoveArea records that the visitor moved to another area.
func (s *Store) MoveArea(ctx context.Context, actorID, visitID string, area Area) error {
	if !validArea(area) {
		return invalid("area", "err.field.choose", nil)
	}
	return s.visitEvent(ctx, actorID, visitID, func(tx *txn, st stamp, vs visitState) error {
		return addVisitEvent(ctx, tx, st, actorID, visitID, VisitArea, "", area)
	})
}

// CheckOut records that the visitor left. A consultant with no other visitor
// in the office is back in the rotation as available.
func (s *Store) CheckOut(ctx context.Context, actorID, visitID string) error {
	return s.visitEvent(ctx, actorID, visitID, func(tx *txn, st stamp, vs visitState) error {
		if err := addVisitEvent(ctx, tx, st, actorID, visitID, VisitCheckout, "", ""); err != nil {
			return err
		}
		if vs.consultant == "" {
			return nil
		}
		return freeIfIdle(ctx, tx, st, actorID, s.Day(fromMS(st.at)), vs.consultant, visitID)
	})
}

// freeIfIdle puts a busy consultant back in the rotation as available when
// no visitor of theirs is still in the office today.
func freeIfIdle(ctx context.Context, tx *txn, st stamp, by string, day, consultant, visitID string) error {
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

// kioskNameNote is a kiosk visit's note when the name tapped differs from
// the known visitor's: what was tapped, then any note.
func kioskNameNote(name, title, notes string) string {
	n := "自助机登记时填写：" + name + map[string]string{TitleMr: "先生", TitleMs: "女士"}[title]
	if notes != "" {
		n += "\n" + notes
	}
	return n
}

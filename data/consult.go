package data

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// MaxMissQueryLen caps a recorded miss, in characters.
const MaxMissQueryLen = 100

// HandoffRole is the colleague a question is handed to.
type HandoffRole string

const (
	HandoffLoan         HandoffRole = "loan"          // 贷款专员
	HandoffEngineering  HandoffRole = "engineering"   // 工程部
	HandoffSalesManager HandoffRole = "sales_manager" // 销售经理
	HandoffOther        HandoffRole = "other"
)

// HandoffRoles in display order.
var HandoffRoles = []HandoffRole{HandoffLoan, HandoffEngineering, HandoffSalesManager, HandoffOther}

// LogConsultation records that the actor answered from an entry (the live
// version), during a visit or standalone (visitID ""). query is what was searched.
func (s *Store) LogConsultation(ctx context.Context, actorID, visitID, entryID, query string) error {
	query, verr := cleanLine("query", query, false, MaxMissQueryLen)
	if verr != nil {
		return verr
	}
	return s.actorTx(ctx, actorID, anyRole, func(tx *txn, st stamp) error {
		if err := checkVisit(ctx, tx, st.office, visitID); err != nil {
			return err
		}
		var live int
		err := tx.QueryRowContext(ctx, `SELECT COALESCE(live_version, 0) FROM faq_entries WHERE id = ?`, entryID).Scan(&live)
		if isNoRows(err) || err == nil && live == 0 {
			return &Error{Code: ENOTFOUND, Key: "err.faq.not_found"}
		}
		if err != nil {
			return fmt.Errorf("log consultation: %w", err)
		}
		return record(ctx, tx, st.at, &consultLog{recStamp: newRecStamp(st, actorID), VisitID: visitID, EntryID: entryID, EntryVersion: live, Query: query})
	})
}

func checkVisit(ctx context.Context, tx *txn, office, visitID string) error {
	if visitID == "" {
		return nil
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM visits WHERE id = ? AND office_id = ?`, visitID, office).Scan(&n); err != nil {
		return fmt.Errorf("find visit: %w", err)
	}
	if n == 0 {
		return &Error{Code: ENOTFOUND, Key: "err.visit.not_found"}
	}
	return nil
}

// HandoffInput is a question not answered here.
type HandoffInput struct {
	VisitID   string // "" = standalone
	Question  string
	ToRole    HandoffRole
	ToStaffID string // optional: the colleague by name
}

// Handoff is a question handed to a colleague, open until done.
type Handoff struct {
	ID        string
	VisitID   string
	Question  string
	ToRole    HandoffRole
	ToStaffID string
	CreatedBy string
	CreatedAt time.Time
	DueAt     time.Time
	DoneAt    time.Time // zero while open
	DoneBy    string
	DoneNote  string
	TicketID  string // set once the tickets feature takes it over
}

// Overdue reports whether an open hand-off is past its follow-up time.
func (h Handoff) Overdue(now time.Time) bool { return h.DoneAt.IsZero() && now.After(h.DueAt) }

// HandOffQuestion records a question the desk could not answer, handed to
// a colleague with a follow-up due by the policy's HandoffFollowUp (one
// hour by default) from now.
func (s *Store) HandOffQuestion(ctx context.Context, actorID string, in HandoffInput) (Handoff, error) {
	q, verr := cleanText("question", in.Question, MaxNotesLen)
	if verr != nil {
		return Handoff{}, verr
	}
	if q == "" {
		return Handoff{}, invalid("question", "err.field.required", nil)
	}
	valid := false
	for _, r := range HandoffRoles {
		valid = valid || r == in.ToRole
	}
	if !valid {
		return Handoff{}, invalid("to_role", "err.faq.handoff_role", nil)
	}
	st, err := s.stamp()
	if err != nil {
		return Handoff{}, err
	}
	due, err := s.handoffDue(ctx, fromMS(st.at))
	if err != nil {
		return Handoff{}, err
	}
	h := Handoff{ID: st.id, VisitID: in.VisitID, Question: q, ToRole: in.ToRole, ToStaffID: in.ToStaffID, CreatedBy: actorID,
		CreatedAt: fromMS(st.at), DueAt: due}
	err = s.tx(ctx, func(tx *txn) error {
		if _, err := requireActor(ctx, tx, actorID, func(Role) bool { return true }); err != nil {
			return err
		}
		if err := checkVisit(ctx, tx, st.office, in.VisitID); err != nil {
			return err
		}
		if in.ToStaffID != "" {
			if to, err := findStaff(ctx, tx, in.ToStaffID); err != nil || !to.Active {
				return invalid("to_staff", "err.faq.handoff_staff", nil)
			}
		}
		return record(ctx, tx, st.at, &consultHandoff{recStamp: newRecStamp(st, actorID), VisitID: in.VisitID, Question: q, ToRole: in.ToRole,
			ToStaffID: in.ToStaffID, DueAt: ms(h.DueAt)})
	})
	if err != nil {
		return Handoff{}, err
	}
	return h, nil
}

// FinishHandoff marks a hand-off followed up.
func (s *Store) FinishHandoff(ctx context.Context, actorID, id, note string) error {
	note, verr := cleanText("note", note, MaxNotesLen)
	if verr != nil {
		return verr
	}
	return s.actorTx(ctx, actorID, anyRole, func(tx *txn, st stamp) error {
		var done *int64
		err := tx.QueryRowContext(ctx, `SELECT done_at FROM consult_handoffs WHERE id = ? AND office_id = ?`, id, st.office).Scan(&done)
		if isNoRows(err) {
			return &Error{Code: ENOTFOUND, Key: "err.faq.handoff_not_found"}
		}
		if err != nil {
			return fmt.Errorf("finish handoff: %w", err)
		}
		if done != nil {
			return &Error{Code: ECONFLICT, Key: "err.faq.handoff_done"}
		}
		return record(ctx, tx, st.at, &handoffDone{recStamp: newRecStamp(st, actorID), HandoffID: id, Note: note})
	})
}

// OpenHandoffs lists the office's hand-offs not yet done, soonest due first:
// what the desk shows until each is followed up.
func (s *Store) OpenHandoffs(ctx context.Context) ([]Handoff, error) {
	_, o, err := s.ids()
	if err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT id, COALESCE(visit_id, ''), question, to_role, COALESCE(to_staff_id, ''), COALESCE(created_by, ''),
		created_at, due_at, COALESCE(ticket_id, '') FROM consult_handoffs WHERE office_id = ? AND done_at IS NULL ORDER BY due_at, id`, o.ID)
	if err != nil {
		return nil, fmt.Errorf("open handoffs: %w", err)
	}
	defer rows.Close()
	var out []Handoff
	for rows.Next() {
		var h Handoff
		var created, due int64
		if err := rows.Scan(&h.ID, &h.VisitID, &h.Question, &h.ToRole, &h.ToStaffID, &h.CreatedBy, &created, &due, &h.TicketID); err != nil {
			return nil, fmt.Errorf("open handoffs: %w", err)
		}
		h.CreatedAt, h.DueAt = fromMS(created), fromMS(due)
		out = append(out, h)
	}
	return out, rows.Err()
}

// RecordFAQMiss records a search that found nothing, phone-like and
// ID-card-like numbers replaced by placeholders. The UI calls it when
// the staff member gives up on a query (not on every keystroke); actorID
// may be "" (command line).
func (s *Store) RecordFAQMiss(ctx context.Context, actorID, query string) error {
	query = strings.Join(strings.Fields(query), " ")
	if r := []rune(query); len(r) > MaxMissQueryLen {
		query = string(r[:MaxMissQueryLen])
	}
	query, verr := cleanLine("query", query, true, MaxMissQueryLen)
	if verr != nil {
		return verr
	}
	query = scrubPersonal(query) // phones and ID numbers never stored nor synced
	return s.tx(ctx, func(tx *txn) error {
		st, err := s.stamp()
		if err != nil {
			return err
		}
		return record(ctx, tx, st.at, &faqMiss{recStamp: newRecStamp(st, actorID), Query: query})
	})
}

// FAQCount is an entry or a query with how often it came up.
type FAQCount struct {
	EntryID  string // for entries
	Question string // the entry's question, or the missed query
	Count    int
	Last     time.Time
}

// MostAskedFAQ lists the entries answered from most often since since
// (zero = ever), most first.
func (s *Store) MostAskedFAQ(ctx context.Context, since time.Time, limit int) ([]FAQCount, error) {
	return s.faqCounts(ctx, `SELECT l.entry_id, v.question, count(*), max(l.created_at) FROM consult_log l
		JOIN faq_entries x ON x.id = l.entry_id JOIN faq_versions v ON v.entry_id = x.id AND v.version = x.latest_version
		WHERE l.created_at >= ? GROUP BY l.entry_id ORDER BY count(*) DESC, max(l.created_at) DESC LIMIT ?`, ms(since), limit)
}

// RecentFAQ lists the entries this staff member answered from most
// recently ("" = anyone on this device's office).
func (s *Store) RecentFAQ(ctx context.Context, staffID string, limit int) ([]FAQCount, error) {
	return s.faqCounts(ctx, `SELECT l.entry_id, v.question, count(*), max(l.created_at) FROM consult_log l
		JOIN faq_entries x ON x.id = l.entry_id JOIN faq_versions v ON v.entry_id = x.id AND v.version = x.latest_version
		WHERE (? = '' OR l.created_by = ?) AND x.live_version IS NOT NULL GROUP BY l.entry_id ORDER BY max(l.created_at) DESC LIMIT ?`, staffID, staffID, limit)
}

// TopFAQMisses lists the queries that most often found nothing since since.
func (s *Store) TopFAQMisses(ctx context.Context, since time.Time, limit int) ([]FAQCount, error) {
	return s.faqCounts(ctx, `SELECT '', min(query), count(*), max(created_at) FROM faq_misses
		WHERE created_at >= ? GROUP BY norm ORDER BY count(*) DESC, max(created_at) DESC LIMIT ?`, ms(since), limit)
}

func (s *Store) faqCounts(ctx context.Context, q string, args ...any) ([]FAQCount, error) {
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("faq counts: %w", err)
	}
	defer rows.Close()
	var out []FAQCount
	for rows.Next() {
		var c FAQCount
		var last int64
		if err := rows.Scan(&c.EntryID, &c.Question, &c.Count, &last); err != nil {
			return nil, fmt.Errorf("faq counts: %w", err)
		}
		c.Last = fromMS(last)
		out = append(out, c)
	}
	return out, rows.Err()
}

// Consultation is one logged answer.
type Consultation struct {
	ID           string
	VisitID      string
	EntryID      string
	EntryVersion int
	Question     string // the entry's question in that version
	Query        string
	StaffID      string
	At           time.Time
}

// VisitConsultations lists what was answered during a visit, in order.
func (s *Store) VisitConsultations(ctx context.Context, visitID string) ([]Consultation, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT l.id, COALESCE(l.visit_id, ''), l.entry_id, l.entry_version, v.question, l.query, COALESCE(l.created_by, ''), l.created_at
		FROM consult_log l JOIN faq_versions v ON v.entry_id = l.entry_id AND v.version = l.entry_version
		WHERE l.visit_id = ? ORDER BY l.created_at, l.id`, visitID)
	if err != nil {
		return nil, fmt.Errorf("visit consultations: %w", err)
	}
	defer rows.Close()
	var out []Consultation
	for rows.Next() {
		var c Consultation
		var at int64
		if err := rows.Scan(&c.ID, &c.VisitID, &c.EntryID, &c.EntryVersion, &c.Question, &c.Query, &c.StaffID, &at); err != nil {
			return nil, fmt.Errorf("visit consultations: %w", err)
		}
		c.At = fromMS(at)
		out = append(out, c)
	}
	return out, rows.Err()
}

// consultLog (consult.log v1): a staff member answered from an entry's
// version, during a visit or not.
type consultLog struct {
	recStamp
	VisitID      string `json:"visit_id"` // "" = standalone
	EntryID      string `json:"entry_id"`
	EntryVersion int    `json:"entry_version"`
	Query        string `json:"query"` // what was searched
}

// consultHandoff (consult.handoff v1): a question handed to a colleague.
type consultHandoff struct {
	recStamp
	VisitID   string      `json:"visit_id"` // "" = standalone
	Question  string      `json:"question"`
	ToRole    HandoffRole `json:"to_role"`
	ToStaffID string      `json:"to_staff_id"` // "" = anyone of the role
	DueAt     int64       `json:"due_at"`
}

// handoffDone (consult.handoff_done v1): a hand-off followed up.
type handoffDone struct {
	recStamp
	HandoffID string `json:"handoff_id"`
	Note      string `json:"note"`
}

// faqMiss (faq.miss v1): a search that found nothing.
type faqMiss struct {
	recStamp
	Query string `json:"query"` // as typed, trimmed
}

func init() {
	registerMutation[consultLog](MutationSpec{Name: MutConsultLog, Version: 1, Entity: "consult_log", Owner: OwnerOffice, Rank: rankEvent})
	registerMutation[consultHandoff](MutationSpec{Name: MutConsultHandoff, Version: 1, Entity: "consult_handoff", Owner: OwnerOffice, Rank: rankEvent})
	registerMutation[handoffDone](MutationSpec{Name: MutHandoffDone, Version: 1, Entity: "consult_handoff_event", Owner: OwnerOffice, Rank: rankFollowUp})
	registerMutation[faqMiss](MutationSpec{Name: MutFAQMiss, Version: 1, Entity: "faq_miss", Owner: OwnerOffice, Rank: rankRecord})
	registerReencoder(MutConsultLog, func(ctx context.Context, tx *txn, e OutboxEntry) (payload, error) {
		var p consultLog
		var by, v sql.NullString
		err := tx.QueryRowContext(ctx, `SELECT id, office_id, device_id, created_at, created_by, visit_id, entry_id, entry_version, query FROM consult_log WHERE id = ?`, e.RecordID).
			Scan(&p.ID, &p.OfficeID, &p.DeviceID, &p.CreatedAt, &by, &v, &p.EntryID, &p.EntryVersion, &p.Query)
		p.CreatedBy, p.VisitID = by.String, v.String
		return &p, err
	})
	registerReencoder(MutConsultHandoff, func(ctx context.Context, tx *txn, e OutboxEntry) (payload, error) {
		var p consultHandoff
		var by, v, to sql.NullString
		err := tx.QueryRowContext(ctx, `SELECT id, office_id, device_id, created_at, created_by, visit_id, question, to_role, to_staff_id, due_at FROM consult_handoffs WHERE id = ?`, e.RecordID).
			Scan(&p.ID, &p.OfficeID, &p.DeviceID, &p.CreatedAt, &by, &v, &p.Question, &p.ToRole, &to, &p.DueAt)
		p.CreatedBy, p.VisitID, p.ToStaffID = by.String, v.String, to.String
		return &p, err
	})
	registerReencoder(MutHandoffDone, func(ctx context.Context, tx *txn, e OutboxEntry) (payload, error) {
		var p handoffDone
		var by sql.NullString
		err := tx.QueryRowContext(ctx, `SELECT id, office_id, device_id, created_at, created_by, handoff_id, note FROM consult_handoff_events WHERE id = ?`, e.RecordID).
			Scan(&p.ID, &p.OfficeID, &p.DeviceID, &p.CreatedAt, &by, &p.HandoffID, &p.Note)
		p.CreatedBy = by.String
		return &p, err
	})
	registerReencoder(MutFAQMiss, func(ctx context.Context, tx *txn, e OutboxEntry) (payload, error) {
		var p faqMiss
		var by sql.NullString
		err := tx.QueryRowContext(ctx, `SELECT id, office_id, device_id, created_at, created_by, query FROM faq_misses WHERE id = ?`, e.RecordID).
			Scan(&p.ID, &p.OfficeID, &p.DeviceID, &p.CreatedAt, &by, &p.Query)
		p.CreatedBy = by.String
		return &p, err
	})
}

func (*consultLog) spec() *MutationSpec     { return specOf(MutConsultLog, 1) }
func (*consultHandoff) spec() *MutationSpec { return specOf(MutConsultHandoff, 1) }
func (*handoffDone) spec() *MutationSpec    { return specOf(MutHandoffDone, 1) }
func (*faqMiss) spec() *MutationSpec        { return specOf(MutFAQMiss, 1) }

func (p *consultLog) refs() []Ref {
	// No ref to the FAQ entry: HQ holds FAQ versions, never an entry
	// record (see faqStatus.refs).
	var r []Ref
	if p.VisitID != "" {
		r = append(r, Ref{Entity: "visit", ID: p.VisitID})
	}
	return r
}

func (p *consultHandoff) refs() []Ref {
	var r []Ref
	if p.VisitID != "" {
		r = append(r, Ref{Entity: "visit", ID: p.VisitID})
	}
	if p.ToStaffID != "" {
		r = append(r, Ref{Entity: "staff", ID: p.ToStaffID})
	}
	return r
}

func (p *handoffDone) refs() []Ref { return []Ref{{Entity: "consult_handoff", ID: p.HandoffID}} }
func (*faqMiss) refs() []Ref       { return nil }

func (p *consultLog) validate() error {
	if err := p.check(); err != nil {
		return err
	}
	if err := checkIDs("entry_id", p.EntryID); err != nil {
		return err
	}
	if err := checkUUID("visit", p.VisitID, false); err != nil {
		return err
	}
	if p.EntryVersion < 1 {
		return invalid("entry_version", "err.field.required", nil)
	}
	_, err := cleanLine("query", p.Query, false, MaxMissQueryLen)
	return errOrNil(err)
}

func (p *consultHandoff) validate() error {
	if err := p.check(); err != nil {
		return err
	}
	if err := checkUUID("visit", p.VisitID, false); err != nil {
		return err
	}
	if err := checkUUID("to_staff", p.ToStaffID, false); err != nil {
		return err
	}
	if q, err := cleanText("question", p.Question, MaxNotesLen); err != nil {
		return err
	} else if q == "" {
		return invalid("question", "err.field.required", nil)
	}
	if err := checkChoice("to_role", p.ToRole, HandoffRoles...); err != nil {
		return err
	}
	if p.DueAt <= 0 {
		return invalid("due_at", "err.field.required", nil)
	}
	return nil
}

func (p *handoffDone) validate() error {
	if err := p.check(); err != nil {
		return err
	}
	if err := checkIDs("handoff_id", p.HandoffID); err != nil {
		return err
	}
	_, err := cleanText("note", p.Note, MaxNotesLen)
	return errOrNil(err)
}

func (p *faqMiss) validate() error {
	if err := p.check(); err != nil {
		return err
	}
	_, err := cleanLine("query", p.Query, true, MaxMissQueryLen)
	return errOrNil(err)
}

// errOrNil turns a nil *Error into a nil error.
func errOrNil(err *Error) error {
	if err == nil {
		return nil
	}
	return err
}

func (p *consultLog) apply(ctx context.Context, tx *txn, ac applyCtx) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO consult_log (id, office_id, device_id, created_at, created_by, visit_id, entry_id, entry_version, query, sync_ord)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`+keepEarliestOrd, p.ID, p.OfficeID, p.DeviceID, p.CreatedAt, p.by(), nullStr(p.VisitID), p.EntryID, p.EntryVersion, p.Query, ac.ord); err != nil {
		return fmt.Errorf("log consultation: %w", err)
	}
	return nil
}

func (p *consultHandoff) apply(ctx context.Context, tx *txn, ac applyCtx) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO consult_handoffs (id, office_id, device_id, created_at, created_by, visit_id, question, to_role, to_staff_id, due_at, sync_ord)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`+keepEarliestOrd, p.ID, p.OfficeID, p.DeviceID, p.CreatedAt, p.by(), nullStr(p.VisitID), p.Question,
		string(p.ToRole), nullStr(p.ToStaffID), p.DueAt, ac.ord); err != nil {
		return fmt.Errorf("insert handoff: %w", err)
	}
	if !ac.remote {
		return nil
	}
	return ac.rederive(ctx, tx, derivedHandoff, p.ID, "", 0)
}

func (p *handoffDone) apply(ctx context.Context, tx *txn, ac applyCtx) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO consult_handoff_events (id, office_id, device_id, created_at, created_by, handoff_id, kind, note, sync_ord)
		VALUES (?, ?, ?, ?, ?, ?, 'done', ?, ?)`+keepEarliestOrd, p.ID, p.OfficeID, p.DeviceID, p.CreatedAt, p.by(), p.HandoffID, p.Note, ac.ord); err != nil {
		return fmt.Errorf("finish handoff: %w", err)
	}
	return ac.rederive(ctx, tx, derivedHandoff, p.HandoffID, "", 0)
}

func (p *faqMiss) apply(ctx context.Context, tx *txn, ac applyCtx) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO faq_misses (id, office_id, device_id, created_at, created_by, query, norm, sync_ord) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`+keepEarliestOrd,
		p.ID, p.OfficeID, p.DeviceID, p.CreatedAt, p.by(), p.Query, foldText(p.Query), ac.ord); err != nil {
		return fmt.Errorf("record miss: %w", err)
	}
	return nil
}

// deriveHandoff: a hand-off is done by its first done event in sync order
// (two devices may both mark it done offline).
func deriveHandoff(ctx context.Context, tx *txn, id string) error {
	if _, err := tx.ExecContext(ctx, `UPDATE consult_handoffs SET
		done_at = (SELECT e.created_at FROM consult_handoff_events e WHERE e.handoff_id = consult_handoffs.id ORDER BY e.sync_ord, e.id LIMIT 1),
		done_by = (SELECT e.created_by FROM consult_handoff_events e WHERE e.handoff_id = consult_handoffs.id ORDER BY e.sync_ord, e.id LIMIT 1),
		done_note = COALESCE((SELECT e.note FROM consult_handoff_events e WHERE e.handoff_id = consult_handoffs.id ORDER BY e.sync_ord, e.id LIMIT 1), '')
		WHERE id = ?`, id); err != nil {
		return fmt.Errorf("derive handoff: %w", err)
	}
	return nil
}

// handoffDue is when a hand-off made at t must be followed up, under the
// policy in force.
func (s *Store) handoffDue(ctx context.Context, t time.Time) (time.Time, error) {
	sp, err := s.ServicePolicy(ctx)
	if err != nil {
		return time.Time{}, err
	}
	var cal *Calendar
	if sp.HandoffFollowUp.Unit.Calendar() != "clock" {
		if cal, err = s.Calendar(ctx); err != nil {
			return time.Time{}, err
		}
	}
	return sp.HandoffFollowUp.After(cal, t), nil
}

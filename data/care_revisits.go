package data

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Care revisits (客户回访) are the revisits of the seeds' table that are not
// tickets: one week after a contract is signed, the 3-month living revisit
// and the 1-year quality check after handover, and special (help service)
// revisits. Signing and move-in revisits are scheduled by the store in the
// transaction of the check-in or the completed handover that causes them.

// Care revisit kinds (translated as care.kind.<kind>).
const (
	CareSigning  = "signing"    // 1 week after the contract is signed
	CareMoveIn3M = "move_in_3m" // 3-month living revisit
	CareMoveIn1Y = "move_in_1y" // 1-year quality check
	CareSpecial  = "special"    // help service, within a week
)

// CareKinds in display order.
var CareKinds = []string{CareSigning, CareMoveIn3M, CareMoveIn1Y, CareSpecial}

// Outbox mutations of care revisits.
const (
	MutCareRevisitSchedule = "care_revisit.schedule"
	MutCareRevisitResult   = "care_revisit.result"
)

// Care revisit limits. The windows and required rates are the SLA
// policy's (ServicePolicy.Care).
const (
	CareMaxWindow   = 366 * 24 * time.Hour // the longest window a special revisit may have
	MaxCarePlaceLen = 80
	MaxCareTextLen  = MaxTicketNoteLen
)

// CareWindow is the revisit window of kind for something that happened at
// t under the default policy: signing 7–10 days later; move-in 3 months ±
// 7 days and 1 year ± 14 days (calendar months in loc); special within a
// week. The store uses the policy in force (ServicePolicy.CareWindow).
func CareWindow(kind string, t time.Time, loc *time.Location) (from, to time.Time) {
	return DefaultServicePolicy().CareWindow(kind, t, loc)
}

// CareStatus is where a care revisit stands (translated as care.status.<status>).
type CareStatus string

const (
	CareUpcoming CareStatus = "upcoming" // its window has not opened
	CareDueNow   CareStatus = "due"      // in its window
	CareOverdue  CareStatus = "overdue"  // its window has passed, not done
	CareDone     CareStatus = "done"     // a result is recorded
)

// CareResult is a revisit record (回访记录表).
type CareResult struct {
	At           time.Time // when the customer was reached; zero = now
	Method       string    // one of RevisitMethods
	Satisfaction int       // 1–5; UnsatisfiedMax or less opens a complaint ticket
	Quality      string
	Effect       string
	Shortcomings string
	Suggestions  string
	Note         string

	// Filled when read.
	ID           string
	By, ByName   string
	TicketID     string // the complaint an unsatisfactory result opened
	TicketNumber string
}

// CareRevisit is a scheduled care revisit and how it stands at a moment.
// Phone is the full number only for roles that may see it, else masked.
type CareRevisit struct {
	ID, Kind, SourceID string
	CustomerName       string
	Phone              string
	Place, Note        string
	From, To           time.Time
	CreatedAt          time.Time
	CreatedBy          string

	Status     CareStatus
	Due        DueState    // of the window's end (DueNone once done)
	Supervisor bool        // more than the policy's SupervisorDays past its window: the supervisor follows up
	Result     *CareResult // nil until done
}

// SpecialRevisitInput schedules a special (help service) revisit.
type SpecialRevisitInput struct {
	CustomerName, Phone, Place, Note string
	From, To                         time.Time // zero: now, and the end of the policy's special window from From
}

type careRow struct {
	id, kind, source, name, phone, place, note string
	by                                         any
	from, to                                   time.Time
}

func insertCareRevisit(ctx context.Context, tx *txn, st stamp, r careRow) (string, error) {
	by, _ := r.by.(string)
	rs := newRecStamp(st, by)
	rs.ID = careRevisitID(r.source, r.kind)
	if r.source == "" {
		rs.ID = newIDAt(fromMS(st.at))
	}
	return rs.ID, record(ctx, tx, st.at, &careRevisitPayload{recStamp: rs, Kind: r.kind, SourceID: r.source, CustomerName: r.name, Phone: r.phone,
		Place: r.place, Note: r.note, DueFrom: ms(r.from), DueTo: ms(r.to)})
}

// careRevisitID is the id of the revisit of kind that source (a visit or
// an inspection) schedules: the same on every device, so a handover
// completed on two devices offline schedules each revisit once.
func careRevisitID(source, kind string) string {
	return uuid.NewSHA1(uuid.NameSpaceOID, []byte("anchang/care_revisit/"+source+"/"+kind)).String()
}

// scheduleSigningRevisit is CheckIn's hook: a check-in to sign a contract
// schedules the revisit one week after signing (7–10 days).
func (s *Store) scheduleSigningRevisit(ctx context.Context, tx *txn, st stamp, by any, v checkInValues) error {
	if v.purpose != PurposeSigning {
		return nil
	}
	pol, err := policyOf(ctx, tx, 0)
	if err != nil {
		return err
	}
	from, to := pol.Service.CareWindow(CareSigning, fromMS(st.at), s.Location())
	_, err = insertCareRevisit(ctx, tx, st, careRow{kind: CareSigning, source: st.id, name: AddressedAs(v.name, v.title), phone: v.phone, place: v.unit, by: by, from: from, to: to})
	return err
}

// scheduleMoveInRevisits is CompleteInspection's hook: a completed handover
// (not a re-inspection) schedules the 3-month and 1-year revisits for the
// inspection's owners and phone.
func (s *Store) scheduleMoveInRevisits(ctx context.Context, tx *txn, st stamp, actorID, inspectionID, kind string) error {
	if kind != InspectionHandover {
		return nil
	}
	var project, building, unit, owners, phone string
	if err := tx.QueryRowContext(ctx, `SELECT project, building, unit, owners, phone FROM inspections WHERE id = ?`, inspectionID).
		Scan(&project, &building, &unit, &owners, &phone); err != nil {
		return fmt.Errorf("move-in revisits: %w", err)
	}
	var names []string
	_ = json.Unmarshal([]byte(owners), &names)
	place := strings.Join(strings.Fields(project+" "+building+" "+unit), " ")
	pol, err := policyOf(ctx, tx, 0)
	if err != nil {
		return err
	}
	for _, k := range []string{CareMoveIn3M, CareMoveIn1Y} {
		from, to := pol.Service.CareWindow(k, fromMS(st.at), s.Location())
		if _, err := insertCareRevisit(ctx, tx, st, careRow{kind: k, source: inspectionID, name: strings.Join(names, "、"), phone: phone,
			place: place, by: actorID, from: from, to: to}); err != nil {
			return err
		}
	}
	return nil
}

// ScheduleSpecialRevisit schedules a special (help service) revisit. The
// window defaults to the next week; it may not end before now, nor be
// longer than CareMaxWindow. Any active staff member may schedule one.
func (s *Store) ScheduleSpecialRevisit(ctx context.Context, actorID string, in SpecialRevisitInput) (CareRevisit, error) {
	now := s.now()
	fe := FieldErrors{}
	var e *Error
	if in.CustomerName, e = CleanPersonName("customer_name", in.CustomerName); e != nil {
		fe["customer_name"] = e
	}
	if in.Phone, e = NormalizePhone("phone", in.Phone); e != nil {
		fe["phone"] = e
	}
	if in.Place, e = cleanLine("place", in.Place, false, MaxCarePlaceLen); e != nil {
		fe["place"] = e
	}
	if in.Note, e = cleanText("note", in.Note, MaxCareTextLen); e != nil {
		fe["note"] = e
	}
	if in.From.IsZero() {
		in.From = now
	}
	if in.To.IsZero() {
		sp, err := s.ServicePolicy(ctx)
		if err != nil {
			return CareRevisit{}, err
		}
		_, in.To = sp.CareWindow(CareSpecial, in.From, s.Location())
	}
	if in.To.Before(in.From) || in.To.Before(now) || in.To.Sub(in.From) > CareMaxWindow {
		fe["window"] = invalid("window", "err.care.window", nil)
	}
	if len(fe) > 0 {
		return CareRevisit{}, fe
	}
	var id string
	err := s.actorTx(ctx, actorID, anyRole, func(tx *txn, st stamp) error {
		var err error
		id, err = insertCareRevisit(ctx, tx, st, careRow{kind: CareSpecial, name: in.CustomerName, phone: in.Phone, place: in.Place,
			note: in.Note, by: actorID, from: in.From, to: in.To})
		return err
	})
	if err != nil {
		return CareRevisit{}, err
	}
	return s.CareRevisit(ctx, actorID, id)
}

func (in *CareResult) validate(now, scheduled time.Time) error {
	fe := FieldErrors{}
	if !contains(RevisitMethods, in.Method) {
		fe["method"] = invalid("method", "err.ticket.revisit_method", nil)
	}
	if in.Satisfaction < 1 || in.Satisfaction > 5 {
		fe["satisfaction"] = invalid("satisfaction", "err.ticket.satisfaction", nil)
	}
	var e *Error
	for _, f := range []struct {
		name string
		v    *string
	}{{"quality", &in.Quality}, {"effect", &in.Effect}, {"shortcomings", &in.Shortcomings}, {"suggestions", &in.Suggestions}, {"note", &in.Note}} {
		if *f.v, e = cleanText(f.name, *f.v, MaxCareTextLen); e != nil {
			fe[f.name] = e
		}
	}
	if in.Satisfaction >= 1 && in.Satisfaction <= UnsatisfiedMax && fe["shortcomings"] == nil && fe["note"] == nil &&
		in.Shortcomings == "" && in.Note == "" {
		fe["shortcomings"] = invalid("shortcomings", "err.care.why_unsatisfied", nil)
	}
	if in.At.IsZero() {
		in.At = now
	}
	if in.At.After(now.Add(TicketClockSkew)) {
		fe["at"] = invalid("at", "err.ticket.future", nil)
	} else if in.At.Before(scheduled) {
		fe["at"] = invalid("at", "err.care.before_scheduled", nil)
	}
	if len(fe) > 0 {
		return fe
	}
	return nil
}

// RecordCareRevisit records the result of care revisit id, made by the
// actor. Satisfaction 1–5 and a method are required; the result may not
// be dated before the revisit was scheduled nor in the future. A result
// scored UnsatisfiedMax or less must say why (shortcomings or note) and
// opens a complaint ticket (service, important) in the same transaction,
// linked from the result. A revisit has one result: a second is refused.
func (s *Store) RecordCareRevisit(ctx context.Context, actorID, id string, in CareResult) (CareRevisit, error) {
	var created int64
	var kind, name, phone, place, source string
	_, office, err := s.ids()
	if err != nil {
		return CareRevisit{}, err
	}
	var dueFrom, dueTo int64
	err = s.db.QueryRowContext(ctx, `SELECT created_at, kind, customer_name, phone, place, COALESCE(source_id, ''), due_from, due_to FROM care_revisits WHERE id = ? AND office_id = ?`, id, office.ID).
		Scan(&created, &kind, &name, &phone, &place, &source, &dueFrom, &dueTo)
	if isNoRows(err) {
		return CareRevisit{}, &Error{Code: ENOTFOUND, Key: "err.care.not_found"}
	}
	if err != nil {
		return CareRevisit{}, fmt.Errorf("care revisit: %w", err)
	}
	if err := in.validate(s.now(), fromMS(created)); err != nil {
		return CareRevisit{}, err
	}
	if in.At.Before(fromMS(dueFrom)) {
		// Before its window the revisit asks too soon (a week after signing,
		// three months after moving in): refused with the window, rather
		// than recorded and not counted (docs/guide.md, Revisit rates).
		return CareRevisit{}, FieldErrors{"at": invalid("at", "err.care.early", map[string]any{
			"From": fromMS(dueFrom).In(s.Location()).Format("2006-01-02"), "To": fromMS(dueTo).In(s.Location()).Format("2006-01-02")})}
	}
	if in.Method == "sms" && !IsMobile(phone) { // the one place a number must be a mobile
		return CareRevisit{}, FieldErrors{"method": invalid("method", "err.revisit.sms_landline", nil)}
	}
	var ticket *TicketInput
	var dl Deadlines
	if in.Satisfaction <= UnsatisfiedMax {
		desc := strings.TrimSpace(in.Shortcomings + "\n" + in.Note)
		if place != "" {
			desc = place + "\n" + desc
		}
		t := TicketInput{Kind: TicketComplaint, Category: CatService, Severity: SeverityImportant, OpenedAt: in.At,
			Description: truncRunes(desc, MaxTicketTextLen-1), CustomerName: strings.Split(name, "、")[0], Phone: phone} // the first of joint owners
		if kind == CareSigning && source != "" {
			t.VisitID = source
		}
		if dl, err = s.checkTicket(ctx, &t); err != nil {
			return CareRevisit{}, err
		}
		ticket = &t
	}
	err = s.actorTx(ctx, actorID, anyRole, func(tx *txn, st stamp) error {
		var done int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM care_revisit_results WHERE revisit_id = ?`, id).Scan(&done); err != nil {
			return fmt.Errorf("care revisit: %w", err)
		}
		if done > 0 {
			return &Error{Code: ECONFLICT, Key: "err.care.done"}
		}
		ticketID := ""
		if ticket != nil {
			tst := stamp{id: newIDAt(in.At), office: st.office, device: st.device, at: st.at}
			t, err := openTicketTx(ctx, tx, tst, office.Code, actorID, *ticket, dl, s.Location())
			if err != nil {
				return err
			}
			ticketID = t.ID
		}
		return record(ctx, tx, st.at, &careResultPayload{recStamp: newRecStamp(st, actorID), RevisitID: id, At: ms(in.At), Method: in.Method,
			Satisfaction: in.Satisfaction, Quality: in.Quality, Effect: in.Effect, Shortcomings: in.Shortcomings, Suggestions: in.Suggestions,
			Note: in.Note, TicketID: ticketID})
	})
	if err != nil {
		return CareRevisit{}, err
	}
	return s.CareRevisit(ctx, actorID, id)
}

// CareFilter selects care revisits.
type CareFilter string

const (
	CareFilterDue      CareFilter = "due"      // in or past their window, not done
	CareFilterUpcoming CareFilter = "upcoming" // window not open yet
	CareFilterDone     CareFilter = "done"
	CareFilterAll      CareFilter = "all"
)

// CareFilters in display order.
var CareFilters = []CareFilter{CareFilterDue, CareFilterUpcoming, CareFilterDone, CareFilterAll}

// careFirstResult is the id of revisit r's result: the first in sync order.
const careFirstResult = `SELECT y.id FROM care_revisit_results y WHERE y.revisit_id = r.id ORDER BY y.sync_ord, y.id LIMIT 1`

const careCols = `r.id, r.kind, COALESCE(r.source_id, ''), r.customer_name, r.phone, r.place, r.note, r.due_from, r.due_to, r.created_at,
	COALESCE(r.created_by, ''), COALESCE(x.id, ''), COALESCE(x.at, 0), COALESCE(x.method, ''), COALESCE(x.satisfaction, 0), COALESCE(x.quality, ''),
	COALESCE(x.effect, ''), COALESCE(x.shortcomings, ''), COALESCE(x.suggestions, ''), COALESCE(x.note, ''), COALESCE(x.created_by, ''),
	COALESCE(s.name, ''), COALESCE(x.ticket_id, ''), COALESCE(t.number, '')
	FROM care_revisits r LEFT JOIN care_revisit_results x ON x.id = (` + careFirstResult + `) LEFT JOIN staff s ON s.id = x.created_by
	LEFT JOIN tickets t ON t.id = x.ticket_id`

func scanCare(sc interface{ Scan(...any) error }, now time.Time, supervisor time.Duration, full bool) (CareRevisit, error) {
	var r CareRevisit
	var res CareResult
	var from, to, created, at int64
	if err := sc.Scan(&r.ID, &r.Kind, &r.SourceID, &r.CustomerName, &r.Phone, &r.Place, &r.Note, &from, &to, &created, &r.CreatedBy,
		&res.ID, &at, &res.Method, &res.Satisfaction, &res.Quality, &res.Effect, &res.Shortcomings, &res.Suggestions, &res.Note, &res.By,
		&res.ByName, &res.TicketID, &res.TicketNumber); err != nil {
		return r, fmt.Errorf("care revisits: %w", err)
	}
	r.From, r.To, r.CreatedAt = fromMS(from), fromMS(to), fromMS(created)
	if !full {
		r.Phone = MaskPhone(r.Phone)
	}
	switch {
	case res.ID != "":
		res.At = fromMS(at)
		r.Result, r.Status = &res, CareDone
	case now.Before(r.From):
		r.Status, r.Due = CareUpcoming, Due(r.From, r.To, now)
	default:
		r.Due = Due(r.From, r.To, now)
		r.Status = CareDueNow
		if r.Due == DueOverdue {
			r.Status = CareOverdue
		}
		r.Supervisor = now.After(r.To.Add(supervisor))
	}
	return r, nil
}

// CareRevisit is one care revisit as it stands now.
func (s *Store) CareRevisit(ctx context.Context, actorID, id string) (CareRevisit, error) {
	actor, err := s.StaffByID(ctx, actorID)
	if err != nil {
		return CareRevisit{}, err
	}
	sp, err := s.ServicePolicy(ctx)
	if err != nil {
		return CareRevisit{}, err
	}
	r, err := scanCare(s.db.QueryRowContext(ctx, `SELECT `+careCols+` WHERE r.id = ?`, id), s.now(), sp.SupervisorAfter(), actor.Role.SeesFullPhone(false))
	if err != nil && isNoRows(err) {
		return r, &Error{Code: ENOTFOUND, Key: "err.care.not_found"}
	}
	return r, err
}

// CareRevisits lists care revisits by filter and kind ("" every kind):
// those not done by the end of their window, earliest first (so the
// overdue lead), then done ones, latest result first.
func (s *Store) CareRevisits(ctx context.Context, actorID string, f CareFilter, kind string) ([]CareRevisit, error) {
	actor, err := s.StaffByID(ctx, actorID)
	if err != nil {
		return nil, err
	}
	now := s.now()
	sp, err := s.ServicePolicy(ctx)
	if err != nil {
		return nil, err
	}
	where := []string{"1 = 1"}
	args := []any{}
	switch f {
	case CareFilterDue:
		where = append(where, "x.id IS NULL AND r.due_from <= ?")
		args = append(args, ms(now))
	case CareFilterUpcoming:
		where = append(where, "x.id IS NULL AND r.due_from > ?")
		args = append(args, ms(now))
	case CareFilterDone:
		where = append(where, "x.id IS NOT NULL")
	case CareFilterAll, "":
	default:
		return nil, invalid("filter", "err.field.choose", nil)
	}
	if kind != "" {
		where = append(where, "r.kind = ?")
		args = append(args, kind)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+careCols+` WHERE `+strings.Join(where, " AND ")+
		` ORDER BY x.id IS NOT NULL, CASE WHEN x.id IS NULL THEN r.due_to ELSE -x.at END, r.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("care revisits: %w", err)
	}
	defer rows.Close()
	var out []CareRevisit
	full := actor.Role.SeesFullPhone(false)
	for rows.Next() {
		r, err := scanCare(rows, now, sp.SupervisorAfter(), full)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// CareRate is the completion of one kind of care revisit over a period:
// of the revisits whose window ended in it (Due), how many have a result
// (Done), how many of those were made by the window's end (OnTime).
type CareRate struct {
	Kind              string
	Due, Done, OnTime int     // due; made at all; made inside the window
	Late, Early       int     // made after the window; made before it opened (an older desk; not counted)
	Rate              float64 // OnTime / Due; 0 when none were due
	Target            float64 // the current policy's required rate of kind; 0 informational
}

// Met reports whether the rate meets the kind's target (always, without one).
func (r CareRate) Met() bool { return r.Target == 0 || r.Due == 0 || r.Rate >= r.Target }

// CareRates is the completion rate of each kind for revisits whose window
// ends in [from, to) and is already due: its window has ended, or it was
// made (a revisit still inside its window counts once done, not before).
// A revisit is completed on time only inside its window; one made after
// it is Late, one made before it opened Early (the desk refuses it now,
// err.care.early; an older desk may have recorded it), and neither counts
// in the rate.
func (s *Store) CareRates(ctx context.Context, from, to time.Time) ([]CareRate, error) {
	sp, err := s.ServicePolicy(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT r.kind, count(*), count(x.id), COALESCE(sum(x.at >= r.due_from AND x.at <= r.due_to), 0),
		COALESCE(sum(x.at > r.due_to), 0), COALESCE(sum(x.at < r.due_from), 0)
		FROM care_revisits r LEFT JOIN care_revisit_results x ON x.id = (`+careFirstResult+`)
		WHERE r.due_to >= ? AND r.due_to < ? AND (r.due_to <= ? OR x.id IS NOT NULL) GROUP BY r.kind`, ms(from), ms(to), ms(s.now()))
	if err != nil {
		return nil, fmt.Errorf("care rates: %w", err)
	}
	defer rows.Close()
	by := map[string]CareRate{}
	for rows.Next() {
		var r CareRate
		if err := rows.Scan(&r.Kind, &r.Due, &r.Done, &r.OnTime, &r.Late, &r.Early); err != nil {
			return nil, fmt.Errorf("care rates: %w", err)
		}
		by[r.Kind] = r
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]CareRate, 0, len(CareKinds))
	for _, k := range CareKinds {
		r := by[k]
		r.Kind, r.Target = k, sp.CareTarget(k)
		if r.Due > 0 {
			r.Rate = float64(r.OnTime) / float64(r.Due)
		}
		out = append(out, r)
	}
	return out, nil
}

package data

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// VisitQuery finds past visits: any period, by name (characters or
// pinyin) or phone, as the board's search does for today.
type VisitQuery struct {
	From, To string // office-local days YYYY-MM-DD, inclusive; "" leaves that end open
	Query    string
}

// HistoryLimit caps the visits VisitHistory returns (newest first).
const HistoryLimit = 1000

// checkPeriod checks a period's days; either may be empty.
func checkPeriod(from, to string) error {
	fe := FieldErrors{}
	for _, d := range []struct{ field, v string }{{"from", from}, {"to", to}} {
		if d.v == "" {
			continue
		}
		if _, err := time.Parse(time.DateOnly, d.v); err != nil {
			fe[d.field] = invalid(d.field, "err.visits.date", map[string]any{"Value": d.v})
		}
	}
	if len(fe) == 0 && from != "" && to != "" && from > to {
		fe["to"] = invalid("to", "err.visits.range", nil)
	}
	if len(fe) > 0 {
		return fe
	}
	return nil
}

// VisitHistory lists the visits of the period matching q, newest first, at
// most HistoryLimit, phones masked. A consultant sees only the visits they
// served (as on the board).
func (s *Store) VisitHistory(ctx context.Context, actorID string, q VisitQuery) ([]BoardRow, error) {
	actor, err := s.StaffByID(ctx, actorID)
	if err != nil {
		return nil, err
	}
	_, o, err := s.ids()
	if err != nil {
		return nil, err
	}
	q.From, q.To = strings.TrimSpace(q.From), strings.TrimSpace(q.To)
	if err := checkPeriod(q.From, q.To); err != nil {
		return nil, err
	}
	cond, args := "1 = 1", []any{}
	if q.From != "" {
		cond, args = cond+" AND v.day >= ?", append(args, q.From)
	}
	if q.To != "" {
		cond, args = cond+" AND v.day <= ?", append(args, q.To)
	}
	f := BoardFilter{Query: q.Query}
	if actor.Role == RoleConsultant {
		f.ConsultantID = actor.ID
	}
	rows, err := s.visitRows(ctx, o.ID, cond, args, f, HistoryLimit)
	if err != nil {
		return nil, fmt.Errorf("visit history: %w", err)
	}
	return rows, nil
}

// CustomerFile is everything the office holds for one customer, found by
// their phone number: visits, tickets, handover inspections and care
// revisits, each newest first.
type CustomerFile struct {
	VisitorID   string
	Name, Title string
	// Phone is the full number for roles that may see it, else masked.
	Phone          string
	ConsultantName string // their own consultant
	Visits         []BoardRow
	Tickets        []TicketRow
	Inspections    []Inspection
	Revisits       []CareRevisit
}

// CustomerFile loads visitor visitorID's file for actorID. A consultant
// sees the file of their own customers only.
func (s *Store) CustomerFile(ctx context.Context, actorID, visitorID string) (CustomerFile, error) {
	actor, err := s.StaffByID(ctx, actorID)
	if err != nil {
		return CustomerFile{}, err
	}
	_, o, err := s.ids()
	if err != nil {
		return CustomerFile{}, err
	}
	var cf CustomerFile
	var phone, owner string
	err = s.db.QueryRowContext(ctx, `SELECT p.id, p.name, p.title, p.phone, COALESCE(p.consultant_id, ''), COALESCE(c.name, '')
		FROM visitors p LEFT JOIN staff c ON c.id = p.consultant_id WHERE p.id = ? AND p.office_id = ?`, visitorID, o.ID).
		Scan(&cf.VisitorID, &cf.Name, &cf.Title, &phone, &owner, &cf.ConsultantName)
	if isNoRows(err) {
		return CustomerFile{}, &Error{Code: ENOTFOUND, Key: "err.visit.not_found"}
	}
	if err != nil {
		return CustomerFile{}, fmt.Errorf("customer file: %w", err)
	}
	own := actor.ID == owner
	if actor.Role == RoleConsultant && !own {
		return CustomerFile{}, &Error{Code: EFORBIDDEN, Key: "err.forbidden"}
	}
	cf.Phone = phone
	if !actor.Role.SeesFullPhone(own) {
		cf.Phone = MaskPhone(phone)
	}
	if cf.Visits, err = s.visitRows(ctx, o.ID, "v.visitor_id = ?", []any{visitorID}, BoardFilter{}, HistoryLimit); err != nil {
		return CustomerFile{}, fmt.Errorf("customer file: %w", err)
	}
	tf := TicketFilter{Phone: phone}
	if actor.Role == RoleConsultant {
		tf.Mine = actor.ID // as TicketsFor
	}
	if cf.Tickets, err = s.TicketList(ctx, tf); err != nil {
		return CustomerFile{}, err
	}
	if actor.Role.CanInspect() {
		if cf.Inspections, err = s.ListInspections(ctx, actorID, InspectionFilter{Phone: phone}); err != nil {
			return CustomerFile{}, err
		}
	}
	if cf.Revisits, err = s.careRevisitsOf(ctx, actor, phone); err != nil {
		return CustomerFile{}, err
	}
	return cf, nil
}

// careRevisitsOf lists the care revisits of a phone number, latest window first.
func (s *Store) careRevisitsOf(ctx context.Context, actor Staff, phone string) ([]CareRevisit, error) {
	sp, err := s.ServicePolicy(ctx)
	if err != nil {
		return nil, fmt.Errorf("customer revisits: %w", err)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+careCols+` WHERE r.phone = ? ORDER BY r.due_from DESC, r.id`, phone)
	if err != nil {
		return nil, fmt.Errorf("customer revisits: %w", err)
	}
	defer rows.Close()
	now := s.now()
	var out []CareRevisit
	for rows.Next() {
		r, err := scanCare(rows, now, sp.SupervisorAfter(), actor.Role.SeesFullPhone(false))
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// PhoneCustomer is what the office knows of a phone number when a new
// ticket is written: the name it was last recorded under, the unit of its
// latest ticket or inspection, and its tickets not yet closed (a new one
// is likely a repeat).
type PhoneCustomer struct {
	Name                    string // as on the latest ticket, else the visitor's
	Title                   string // the visitor's title when Name is theirs
	Project, Building, Unit string
	OpenTickets             []TicketRow
}

// CustomerByPhone looks a typed phone number up for a new ticket; ok is
// false for an invalid number or one the office has never recorded. A
// consultant sees only the open tickets they own or opened (as TicketsFor).
func (s *Store) CustomerByPhone(ctx context.Context, actorID, phone string) (c PhoneCustomer, ok bool, err error) {
	actor, err := s.StaffByID(ctx, actorID)
	if err != nil {
		return c, false, err
	}
	_, o, err := s.ids()
	if err != nil {
		return c, false, err
	}
	e164, verr := NormalizePhone("phone", phone)
	if verr != nil {
		return c, false, nil
	}
	var visitorName, title string
	err = s.db.QueryRowContext(ctx, `SELECT name, title FROM visitors WHERE phone = ? AND office_id = ? ORDER BY `+visitorOrder+` LIMIT 1`, e164, o.ID).
		Scan(&visitorName, &title)
	if err != nil && !isNoRows(err) {
		return c, false, fmt.Errorf("customer by phone: %w", err)
	}
	found := err == nil
	err = s.db.QueryRowContext(ctx, `SELECT customer_name, project, building, unit FROM tickets WHERE phone = ? AND office_id = ?
		ORDER BY opened_at DESC, id DESC LIMIT 1`, e164, o.ID).Scan(&c.Name, &c.Project, &c.Building, &c.Unit)
	if err != nil && !isNoRows(err) {
		return c, false, fmt.Errorf("customer by phone: %w", err)
	}
	found = found || err == nil
	if c.Unit == "" {
		var owners string
		err = s.db.QueryRowContext(ctx, `SELECT project, building, unit, owners FROM inspections WHERE phone = ? ORDER BY created_at DESC, id DESC LIMIT 1`, e164).
			Scan(&c.Project, &c.Building, &c.Unit, &owners)
		if err != nil && !isNoRows(err) {
			return c, false, fmt.Errorf("customer by phone: %w", err)
		}
		if err == nil && c.Name == "" && visitorName == "" {
			var names []string
			if json.Unmarshal([]byte(owners), &names) == nil && len(names) > 0 {
				c.Name = names[0]
			}
		}
		found = found || err == nil
	}
	if !found {
		return PhoneCustomer{}, false, nil
	}
	if c.Name == "" {
		c.Name, c.Title = visitorName, title
	}
	f := TicketFilter{Phone: e164, OpenOnly: true, Limit: 20}
	if actor.Role == RoleConsultant {
		f.Mine = actor.ID
	}
	if c.OpenTickets, err = s.TicketList(ctx, f); err != nil {
		return c, false, err
	}
	return c, true, nil
}

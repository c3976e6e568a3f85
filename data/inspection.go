package data

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/unicode/norm"
)

// Handover inspection (交付验房): staff guide the owner through the unit,
// item by item of a checklist template; defects are recorded, assigned,
// fixed and re-inspected. Everything recorded during an inspection is an
// append-only event (inspection_results, inspection_followups,
// inspection_values, inspection_photos, inspection_completions); the
// inspection row holds the current state derived from them in the same
// transaction, so every tick is on disk the moment the screen shows it.

// Kinds of inspection.
const (
	InspectionHandover     = "handover"     // the full checklist at handover
	InspectionReinspection = "reinspection" // only the unit's open defects
)

// Inspection statuses.
const (
	InspectionOpen      = "open"
	InspectionCompleted = "completed"
)

// Item results.
const (
	ResultPass   = "pass"
	ResultDefect = "defect"
	ResultNA     = "na"
	ResultNone   = "" // cleared
)

// Follow-up outcomes of an earlier defect.
const (
	OutcomeFixed    = "fixed"
	OutcomeNotFixed = "not_fixed"
)

// Input limits.
const (
	MaxProjectLen     = 40
	MaxBuildingLen    = 20
	MaxUnitLen        = 20
	MaxOwners         = 4
	MaxDescriptionLen = 500
	MaxLocationLen    = 60
	MaxPhotosPerItem  = 6
)

// CanInspect: the desk roles guide handover inspections. Consultants do
// not: handover is customer service's, and the owner's contact is not
// theirs to see (the tab is hidden from them).
func (r Role) CanInspect() bool { return r != RoleConsultant }

func canInspect(r Role) bool { return r.CanInspect() }

// InspectionInput starts an inspection.
type InspectionInput struct {
	Kind        string // InspectionHandover or InspectionReinspection
	Project     string
	Building    string
	Unit        string
	Owners      []string // 1–4 names
	Phone       string   // as typed; stored E.164
	Date        string   // YYYY-MM-DD; "" = today
	InspectorID string   // "" = the actor
}

// Inspection is one inspection and its derived state.
type Inspection struct {
	ID              string
	TemplateID      string
	TemplateVersion int
	Kind            string
	Project         string
	Building        string
	Unit            string
	Owners          []string
	Phone           string // E.164 for roles that may see it, else masked
	PhoneMasked     string
	Date            string
	InspectorID     string
	InspectorName   string
	Status          string
	Answered        int // items answered (or carried defects judged)
	Total           int // items to answer
	Defects         int // items with a defect (carried defects not fixed, for a re-inspection)
	CreatedAt       time.Time
	UpdatedAt       time.Time
	CompletedAt     time.Time
}

// InspectionSummary is what an inspection comes to so far: how many of
// its items are checked and how many are defects. The desk's screens and
// the printed form all say it from this one value (Inspection.Summary), so
// an unfinished inspection never shows totals without its unchecked items.
type InspectionSummary struct {
	Completed bool
	Total     int // items to answer (carried defects to judge, for a re-inspection)
	Answered  int
	Defects   int // items with a defect (carried defects not fixed)
}

// Unchecked is how many items have no answer yet.
func (s InspectionSummary) Unchecked() int { return max(s.Total-s.Answered, 0) }

// Summary is the inspection's summary from its stored counts.
func (in Inspection) Summary() InspectionSummary {
	return InspectionSummary{Completed: in.Status == InspectionCompleted, Total: in.Total, Answered: in.Answered, Defects: in.Defects}
}

// UnitLabel is "3号楼 2单元1202".
func (in Inspection) UnitLabel() string { return strings.TrimSpace(in.Building + " " + in.Unit) }

// unitKey identifies a unit across inspections however it was typed:
// NFKC (full-width digits and letters become ASCII), no spaces, upper case.
func unitKey(project, building, unit string) string {
	f := func(s string) string {
		s = norm.NFKC.String(s)
		s = strings.Join(strings.Fields(s), "")
		return strings.ToUpper(s)
	}
	return f(project) + "|" + f(building) + "|" + f(unit)
}

func (in *InspectionInput) clean(now time.Time, loc *time.Location) (FieldErrors, []string) {
	errs := FieldErrors{}
	set := func(field string, v *string, max int) {
		c, err := cleanLine(field, *v, true, max)
		if err != nil {
			errs[field] = err
			return
		}
		*v = c
	}
	switch in.Kind {
	case InspectionHandover, InspectionReinspection:
	default:
		errs["kind"] = invalid("kind", "err.field.required", nil)
	}
	set("project", &in.Project, MaxProjectLen)
	set("building", &in.Building, MaxBuildingLen)
	set("unit", &in.Unit, MaxUnitLen)
	var owners []string
	for _, o := range in.Owners {
		if strings.TrimSpace(o) == "" {
			continue
		}
		name, err := CleanPersonName("owners", o)
		if err != nil {
			errs["owners"] = err
			break
		}
		owners = append(owners, name)
	}
	switch {
	case errs["owners"] != nil:
	case len(owners) == 0:
		errs["owners"] = invalid("owners", "err.field.required", nil)
	case len(owners) > MaxOwners:
		errs["owners"] = invalid("owners", "err.inspection.owners", map[string]any{"Max": MaxOwners})
	}
	if p, err := NormalizePhone("phone", in.Phone); err != nil {
		errs["phone"] = err
	} else {
		in.Phone = p
	}
	today := now.In(loc).Format(time.DateOnly)
	if strings.TrimSpace(in.Date) == "" {
		in.Date = today
	}
	in.Date = strings.TrimSpace(in.Date)
	if d, err := time.ParseInLocation(time.DateOnly, in.Date, loc); err != nil {
		errs["date"] = invalid("date", "err.inspection.date", nil)
	} else if in.Date > now.In(loc).AddDate(0, 0, 1).Format(time.DateOnly) || d.Before(now.AddDate(-5, 0, 0)) {
		errs["date"] = invalid("date", "err.inspection.date_range", nil)
	}
	return errs, owners
}

// StartInspection opens an inspection of a unit with the newest checklist
// template. It carries the unit's open defects (from its completed
// inspections) to be judged fixed or not; a re-inspection has only those.
// A unit has at most one open inspection.
func (s *Store) StartInspection(ctx context.Context, actorID string, in InspectionInput) (Inspection, error) {
	errs, owners := in.clean(s.now(), s.Location())
	if len(errs) > 0 {
		return Inspection{}, errs
	}
	in.Owners = owners
	if in.InspectorID == "" {
		in.InspectorID = actorID
	}
	key := unitKey(in.Project, in.Building, in.Unit)
	var id string
	err := s.actorTx(ctx, actorID, canInspect, func(tx *txn, st stamp) error {
		if _, err := requireActor(ctx, tx, in.InspectorID, canInspect); err != nil {
			return invalid("inspector", "err.inspection.inspector", nil)
		}
		var open string
		err := tx.QueryRowContext(ctx, `SELECT id FROM inspections WHERE unit_key = ? AND status = 'open' LIMIT 1`, key).Scan(&open)
		if err == nil {
			return &Error{Code: ECONFLICT, Key: "err.inspection.unit_open", Args: map[string]any{"Unit": in.Building + " " + in.Unit}}
		}
		if !isNoRows(err) {
			return fmt.Errorf("start inspection: %w", err)
		}
		var tplID string
		if err := tx.QueryRowContext(ctx, `SELECT id FROM inspection_templates WHERE code = ? ORDER BY version DESC LIMIT 1`, TemplateCodeHandover).Scan(&tplID); err != nil {
			if isNoRows(err) {
				return &Error{Code: ENOTFOUND, Key: "err.template.not_found"}
			}
			return fmt.Errorf("start inspection: %w", err)
		}
		carried, err := openDefects(ctx, tx, key)
		if err != nil {
			return err
		}
		if in.Kind == InspectionReinspection && len(carried) == 0 {
			return &Error{Code: ECONFLICT, Field: "kind", Key: "err.inspection.no_open_defects"}
		}
		id = st.id
		carriedIDs := []string{}
		for _, d := range carried {
			carriedIDs = append(carriedIDs, d.DefectID)
		}
		return record(ctx, tx, st.at, &inspectionStartPayload{recStamp: newRecStamp(st, actorID), TemplateID: tplID, Kind: in.Kind,
			Project: in.Project, Building: in.Building, Unit: in.Unit, Owners: in.Owners, Phone: in.Phone, Date: in.Date,
			InspectorID: in.InspectorID, Carried: carriedIDs})
	})
	if err != nil {
		return Inspection{}, err
	}
	return s.inspectionRow(ctx, id, true)
}

const inspectionCols = `i.id, i.template_id, t.version, t.items, i.kind, i.project, i.building, i.unit, i.owners, i.phone, i.inspected_on,
	i.inspector_id, COALESCE(p.name, ''), i.status, i.answered, i.defects, i.created_at, i.updated_at, i.completed_at,
	(SELECT count(*) FROM inspection_carried c WHERE c.inspection_id = i.id)`

const inspectionFrom = ` FROM inspections i JOIN inspection_templates t ON t.id = i.template_id LEFT JOIN staff p ON p.id = i.inspector_id`

func scanInspection(sc interface{ Scan(...any) error }, fullPhone bool) (Inspection, error) {
	var in Inspection
	var owners string
	var created, updated int64
	var completed sql.NullInt64
	var items, carried int
	err := sc.Scan(&in.ID, &in.TemplateID, &in.TemplateVersion, &items, &in.Kind, &in.Project, &in.Building, &in.Unit, &owners, &in.Phone,
		&in.Date, &in.InspectorID, &in.InspectorName, &in.Status, &in.Answered, &in.Defects, &created, &updated, &completed, &carried)
	if err != nil {
		return in, err
	}
	json.Unmarshal([]byte(owners), &in.Owners)
	in.CreatedAt, in.UpdatedAt, in.CompletedAt = fromMS(created), fromMS(updated), nullMS(completed)
	in.Total = carried
	if in.Kind == InspectionHandover {
		in.Total += items
	}
	in.PhoneMasked = MaskPhone(in.Phone)
	if !fullPhone {
		in.Phone = in.PhoneMasked
	}
	return in, nil
}

func (s *Store) inspectionRow(ctx context.Context, id string, fullPhone bool) (Inspection, error) {
	in, err := scanInspection(s.db.QueryRowContext(ctx, `SELECT `+inspectionCols+inspectionFrom+` WHERE i.id = ?`, id), fullPhone)
	if isNoRows(err) {
		return in, &Error{Code: ENOTFOUND, Key: "err.inspection.not_found"}
	}
	if err != nil {
		return in, fmt.Errorf("inspection %s: %w", id, err)
	}
	return in, nil
}

// InspectionFilter narrows the list of inspections.
type InspectionFilter struct {
	Query  string // part of the project, building, unit or an owner's name
	Status string // "" = any
	Phone  string // the owners' whole number, E.164
	Limit  int    // 0 = 200
}

// ListInspections lists inspections, open ones first, newest first, with
// masked phones. Only the desk roles may.
func (s *Store) ListInspections(ctx context.Context, actorID string, f InspectionFilter) ([]Inspection, error) {
	if err := s.requireReader(ctx, actorID); err != nil {
		return nil, err
	}
	q, cerr := cleanLine("query", f.Query, false, 60)
	if cerr != nil {
		return nil, cerr
	}
	if f.Limit <= 0 {
		f.Limit = 200
	}
	where := []string{"1 = 1"}
	var args []any
	if q != "" {
		like := "%" + escapeLike(q) + "%"
		where = append(where, `(i.project || ' ' || i.building || ' ' || i.unit || ' ' || i.owners LIKE ? ESCAPE '\' OR replace(i.unit_key, '|', '') LIKE ? ESCAPE '\')`)
		args = append(args, like, "%"+escapeLike(strings.ToUpper(strings.Join(strings.Fields(norm.NFKC.String(q)), "")))+"%")
	}
	if f.Status != "" {
		where = append(where, "i.status = ?")
		args = append(args, f.Status)
	}
	if f.Phone != "" {
		where = append(where, "i.phone = ?")
		args = append(args, f.Phone)
	}
	args = append(args, f.Limit)
	rows, err := s.db.QueryContext(ctx, `SELECT `+inspectionCols+inspectionFrom+` WHERE `+strings.Join(where, " AND ")+
		` ORDER BY i.status = 'completed', i.updated_at DESC, i.id DESC LIMIT ?`, args...)
	if err != nil {
		return nil, fmt.Errorf("list inspections: %w", err)
	}
	defer rows.Close()
	var out []Inspection
	for rows.Next() {
		in, err := scanInspection(rows, false)
		if err != nil {
			return nil, fmt.Errorf("list inspections: %w", err)
		}
		out = append(out, in)
	}
	return out, rows.Err()
}

// requireReader checks that actorID may read inspections; "" is the
// command line (phones masked).
func (s *Store) requireReader(ctx context.Context, actorID string) error {
	if actorID == "" {
		return nil
	}
	st, err := s.StaffByID(ctx, actorID)
	if err != nil {
		return err
	}
	if !st.Active || !st.Role.CanInspect() {
		return &Error{Code: EFORBIDDEN, Key: "err.forbidden"}
	}
	return nil
}

// ItemResult is the current result of a checklist item (its latest tick).
type ItemResult struct {
	ID          string // the event that set it: a defect's identity
	Item        string // template item key
	Result      string
	Description string
	Location    string
	Photos      []string // photo ids
	At          time.Time
	By          string
}

// CarriedDefect is an earlier open defect a later inspection judges.
type CarriedDefect struct {
	DefectID         string // the inspection_results row that recorded it
	FromInspectionID string
	FromDate         string
	Item             CheckItem
	Description      string
	Location         string
	Photos           []string
	Outcome          string // this inspection's verdict: fixed, not_fixed or ""
	Note             string
}

// Completion is how an inspection was signed off.
type Completion struct {
	At             time.Time
	By             string
	PaperSign      bool
	OwnerSignature []byte // PNG
	StaffSignature []byte // PNG
}

// InspectionState is everything an inspection screen or form shows.
type InspectionState struct {
	Inspection
	Template   InspectionTemplate
	Results    map[string]ItemResult // by item key
	Carried    []CarriedDefect
	Meters     map[string]string // meter code → reading
	Keys       map[string]int    // key code → count
	Completion *Completion       // nil while open
	// Ordinal is the inspection's number among those started on its
	// date (the printed form's serial).
	Ordinal int
}

// InspectionDetail loads an inspection with its current state. The phone is
// full for the desk roles, masked for actorID "" (the command line).
func (s *Store) InspectionDetail(ctx context.Context, actorID, id string) (InspectionState, error) {
	if err := s.requireReader(ctx, actorID); err != nil {
		return InspectionState{}, err
	}
	in, err := s.inspectionRow(ctx, id, actorID != "")
	if err != nil {
		return InspectionState{}, err
	}
	st := InspectionState{Inspection: in, Results: map[string]ItemResult{}, Meters: map[string]string{}, Keys: map[string]int{}}
	if st.Template, err = s.InspectionTemplateByID(ctx, in.TemplateID); err != nil {
		return st, err
	}
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM inspections w JOIN inspections i ON i.id = ? WHERE w.inspected_on = i.inspected_on
		AND (w.created_at < i.created_at OR (w.created_at = i.created_at AND w.id <= i.id))`, id).Scan(&st.Ordinal); err != nil {
		return st, fmt.Errorf("inspection ordinal: %w", err)
	}
	if st.Results, err = latestResults(ctx, s.db, id); err != nil {
		return st, err
	}
	if st.Carried, err = s.carriedDefects(ctx, id); err != nil {
		return st, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT kind, code, value FROM inspection_values v WHERE inspection_id = ?
		AND sync_ord = (SELECT max(sync_ord) FROM inspection_values w WHERE w.inspection_id = v.inspection_id AND w.kind = v.kind AND w.code = v.code)`, id)
	if err != nil {
		return st, fmt.Errorf("inspection values: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var kind, code, value string
		if err := rows.Scan(&kind, &code, &value); err != nil {
			return st, fmt.Errorf("inspection values: %w", err)
		}
		if value == "" {
			continue
		}
		if kind == "meter" {
			st.Meters[code] = value
		} else {
			n, _ := strconv.Atoi(value)
			st.Keys[code] = n
		}
	}
	if err := rows.Err(); err != nil {
		return st, err
	}
	var c Completion
	var at int64
	var by sql.NullString
	var ownerSig, staffSig string
	err = s.db.QueryRowContext(ctx, `SELECT created_at, created_by, paper_sign, owner_sig_sha256, staff_sig_sha256 FROM inspection_completions WHERE inspection_id = ?`, id).
		Scan(&at, &by, &c.PaperSign, &ownerSig, &staffSig)
	switch {
	case isNoRows(err):
	case err != nil:
		return st, fmt.Errorf("inspection completion: %w", err)
	default:
		c.At, c.By = fromMS(at), by.String
		// A signature not fetched yet reads as none: the form shows a placeholder.
		if c.OwnerSignature, err = blobBytes(ctx, s.db, ownerSig); err != nil {
			return st, err
		}
		if c.StaffSignature, err = blobBytes(ctx, s.db, staffSig); err != nil {
			return st, err
		}
		st.Completion = &c
	}
	return st, nil
}

type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// latestResults is the latest tick of every item of an inspection.
func latestResults(ctx context.Context, q querier, id string) (map[string]ItemResult, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, item, result, description, location, photos, created_at, COALESCE(created_by, '')
		FROM inspection_results r WHERE inspection_id = ?
		AND sync_ord = (SELECT max(sync_ord) FROM inspection_results x WHERE x.inspection_id = r.inspection_id AND x.item = r.item)`, id)
	if err != nil {
		return nil, fmt.Errorf("inspection results: %w", err)
	}
	defer rows.Close()
	out := map[string]ItemResult{}
	for rows.Next() {
		var r ItemResult
		var photos string
		var at int64
		if err := rows.Scan(&r.ID, &r.Item, &r.Result, &r.Description, &r.Location, &photos, &at, &r.By); err != nil {
			return nil, fmt.Errorf("inspection results: %w", err)
		}
		json.Unmarshal([]byte(photos), &r.Photos)
		r.At = fromMS(at)
		if r.Result != ResultNone {
			out[r.Item] = r
		}
	}
	return out, rows.Err()
}

// carriedDefects are the earlier defects inspection id judges, with its
// latest verdict on each.
func (s *Store) carriedDefects(ctx context.Context, id string) ([]CarriedDefect, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT r.id, r.inspection_id, o.inspected_on, o.template_id, r.item, r.description, r.location, r.photos,
		COALESCE((SELECT f.outcome FROM inspection_followups f WHERE f.inspection_id = c.inspection_id AND f.defect_id = c.defect_id ORDER BY f.sync_ord DESC LIMIT 1), ''),
		COALESCE((SELECT f.note FROM inspection_followups f WHERE f.inspection_id = c.inspection_id AND f.defect_id = c.defect_id ORDER BY f.sync_ord DESC LIMIT 1), '')
		FROM inspection_carried c JOIN inspection_results r ON r.id = c.defect_id JOIN inspections o ON o.id = r.inspection_id
		WHERE c.inspection_id = ? ORDER BY c.sort`, id)
	if err != nil {
		return nil, fmt.Errorf("carried defects: %w", err)
	}
	var rs []defectRow
	for rows.Next() {
		var r defectRow
		var photos string
		if err := rows.Scan(&r.d.DefectID, &r.d.FromInspectionID, &r.d.FromDate, &r.tpl, &r.d.Item.Key, &r.d.Description, &r.d.Location, &photos,
			&r.d.Outcome, &r.d.Note); err != nil {
			rows.Close()
			return nil, fmt.Errorf("carried defects: %w", err)
		}
		json.Unmarshal([]byte(photos), &r.d.Photos)
		rs = append(rs, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return s.nameDefects(ctx, rs)
}

// defectRow is a defect as read, with the template its item comes from.
type defectRow struct {
	d   CarriedDefect
	tpl string
}

// nameDefects gives each defect its item as its template names it.
func (s *Store) nameDefects(ctx context.Context, rs []defectRow) ([]CarriedDefect, error) {
	out := make([]CarriedDefect, 0, len(rs))
	tpls := map[string]map[string]CheckItem{}
	for _, r := range rs {
		items, ok := tpls[r.tpl]
		if !ok {
			t, err := s.InspectionTemplateByID(ctx, r.tpl)
			if err != nil {
				return nil, err
			}
			items = map[string]CheckItem{}
			for _, it := range t.Items() {
				items[it.Key] = it
			}
			tpls[r.tpl] = items
		}
		if it, ok := items[r.d.Item.Key]; ok {
			r.d.Item = it
		}
		out = append(out, r.d)
	}
	return out, nil
}

// openDefects are the unit's defects not yet judged fixed: every defect
// of its completed inspections, minus those a later completed inspection
// judged fixed (its latest verdict counts), oldest first.
func openDefects(ctx context.Context, q querier, key string) ([]CarriedDefect, error) {
	rs, err := unitDefects(ctx, q, key, false)
	if err != nil {
		return nil, err
	}
	verdicts, err := defectVerdicts(ctx, q, key)
	if err != nil {
		return nil, err
	}
	var open []CarriedDefect
	for _, r := range rs {
		if verdicts[r.d.DefectID] != OutcomeFixed {
			open = append(open, r.d)
		}
	}
	return open, nil
}

// defectVerdicts is the latest verdict on each defect of a unit, from its
// completed inspections in the order they were made.
func defectVerdicts(ctx context.Context, q querier, key string) (map[string]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT f.defect_id, f.outcome FROM inspection_followups f JOIN inspections i ON i.id = f.inspection_id
		WHERE i.unit_key = ? AND i.status = 'completed'
		AND f.sync_ord = (SELECT max(sync_ord) FROM inspection_followups g WHERE g.inspection_id = f.inspection_id AND g.defect_id = f.defect_id)
		ORDER BY f.sync_ord`, key)
	if err != nil {
		return nil, fmt.Errorf("defect verdicts: %w", err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var id, outcome string
		if err := rows.Scan(&id, &outcome); err != nil {
			return nil, fmt.Errorf("defect verdicts: %w", err)
		}
		out[id] = outcome
	}
	return out, rows.Err()
}

// UnitDefect is a defect in a unit's history and what became of it.
type UnitDefect struct {
	CarriedDefect
	Verdict   string // latest verdict of a completed later inspection: fixed, not_fixed or "" (not re-inspected yet)
	VerdictOn string // the date of that inspection
	// InProgress: recorded by an inspection not completed yet; it is not
	// carried into a re-inspection until that one is completed.
	InProgress bool
}

// UnitHistory is every inspection of a unit and every defect found.
type UnitHistory struct {
	Project, Building, Unit string
	Inspections             []Inspection // oldest first
	Defects                 []UnitDefect // oldest first
}

// UnitHistoryOf is the history of the unit of inspection id.
func (s *Store) UnitHistoryOf(ctx context.Context, actorID, id string) (UnitHistory, error) {
	if err := s.requireReader(ctx, actorID); err != nil {
		return UnitHistory{}, err
	}
	var key string
	var h UnitHistory
	err := s.db.QueryRowContext(ctx, `SELECT unit_key, project, building, unit FROM inspections WHERE id = ?`, id).Scan(&key, &h.Project, &h.Building, &h.Unit)
	if isNoRows(err) {
		return h, &Error{Code: ENOTFOUND, Key: "err.inspection.not_found"}
	}
	if err != nil {
		return h, fmt.Errorf("unit history: %w", err)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+inspectionCols+inspectionFrom+` WHERE i.unit_key = ? ORDER BY i.created_at, i.id`, key)
	if err != nil {
		return h, fmt.Errorf("unit history: %w", err)
	}
	for rows.Next() {
		in, err := scanInspection(rows, false)
		if err != nil {
			rows.Close()
			return h, fmt.Errorf("unit history: %w", err)
		}
		h.Inspections = append(h.Inspections, in)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return h, err
	}
	// every defect of a completed inspection, and the latest verdict on it
	dates := map[string]string{}
	for _, in := range h.Inspections {
		dates[in.ID] = in.Date
	}
	// the defects of the inspections in progress too, so the history
	// lists every defect its inspections' summaries count
	rs, err := unitDefects(ctx, s.db, key, true)
	if err != nil {
		return h, err
	}
	all, err := s.nameDefects(ctx, rs)
	if err != nil {
		return h, err
	}
	open := map[string]bool{}
	for _, in := range h.Inspections {
		open[in.ID] = in.Status != InspectionCompleted
	}
	rows, err = s.db.QueryContext(ctx, `SELECT f.defect_id, f.outcome, i.inspected_on FROM inspection_followups f JOIN inspections i ON i.id = f.inspection_id
		WHERE i.unit_key = ? AND i.status = 'completed'
		AND f.sync_ord = (SELECT max(sync_ord) FROM inspection_followups g WHERE g.inspection_id = f.inspection_id AND g.defect_id = f.defect_id)
		ORDER BY i.created_at, f.sync_ord`, key)
	if err != nil {
		return h, fmt.Errorf("unit history: %w", err)
	}
	verdict := map[string][2]string{}
	for rows.Next() {
		var id, outcome, on string
		if err := rows.Scan(&id, &outcome, &on); err != nil {
			rows.Close()
			return h, err
		}
		verdict[id] = [2]string{outcome, on}
	}
	rows.Close()
	for _, d := range all {
		v := verdict[d.DefectID]
		h.Defects = append(h.Defects, UnitDefect{CarriedDefect: d, Verdict: v[0], VerdictOn: v[1], InProgress: open[d.FromInspectionID]})
	}
	return h, nil
}

// unitDefects reads every defect of the unit's completed inspections (each
// item's latest result), oldest first, with the template it comes from;
// withOpen adds those of the inspections still in progress.
func unitDefects(ctx context.Context, q querier, key string, withOpen bool) ([]defectRow, error) {
	status := "i.status = 'completed'"
	if withOpen {
		status = "i.status IN ('completed', 'open')"
	}
	rows, err := q.QueryContext(ctx, `SELECT r.id, r.inspection_id, i.inspected_on, i.template_id, r.item, r.description, r.location, r.photos
		FROM inspection_results r JOIN inspections i ON i.id = r.inspection_id
		WHERE i.unit_key = ? AND `+status+` AND r.result = 'defect'
		AND r.sync_ord = (SELECT max(sync_ord) FROM inspection_results x WHERE x.inspection_id = r.inspection_id AND x.item = r.item)
		ORDER BY i.created_at, r.sync_ord`, key)
	if err != nil {
		return nil, fmt.Errorf("unit defects: %w", err)
	}
	defer rows.Close()
	var rs []defectRow
	for rows.Next() {
		var r defectRow
		var photos string
		if err := rows.Scan(&r.d.DefectID, &r.d.FromInspectionID, &r.d.FromDate, &r.tpl, &r.d.Item.Key, &r.d.Description, &r.d.Location, &photos); err != nil {
			return nil, fmt.Errorf("unit defects: %w", err)
		}
		json.Unmarshal([]byte(photos), &r.d.Photos)
		rs = append(rs, r)
	}
	return rs, rows.Err()
}

// OpenDefectsOf lists the open defects of the unit of inspection id (what
// a re-inspection would carry).
func (s *Store) OpenDefectsOf(ctx context.Context, actorID, id string) ([]CarriedDefect, error) {
	h, err := s.UnitHistoryOf(ctx, actorID, id)
	if err != nil {
		return nil, err
	}
	var out []CarriedDefect
	for _, d := range h.Defects {
		if d.Verdict != OutcomeFixed && !d.InProgress {
			out = append(out, d.CarriedDefect)
		}
	}
	return out, nil
}

// OpenDefectCount is how many open defects the unit has: the new
// inspection form offers a re-inspection when there are some.
func (s *Store) OpenDefectCount(ctx context.Context, project, building, unit string) (int, error) {
	d, err := openDefects(ctx, s.db, unitKey(project, building, unit))
	return len(d), err
}

// sortedKeys returns a map's keys in order (for stable output).
func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Outbox mutations of the handover inspection (all version 1).
const (
	MutInspectionTemplate = "inspection.template"
	MutInspectionStart    = "inspection.start"
	MutInspectionResult   = "inspection.result"
	MutInspectionFollowUp = "inspection.followup"
	MutInspectionValue    = "inspection.value"
	MutInspectionPhoto    = "inspection.photo"
	MutInspectionComplete = "inspection.complete"
)

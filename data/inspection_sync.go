package data

import (
	"context"
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"strings"
	"sync"

	"anchang/assets"

	"github.com/google/uuid"
	"modernc.org/sqlite"
)

// builtinHandoverID is the id of the built-in handover checklist
// (assets.HandoverTemplate) as version 1, the same on every device.
var builtinHandoverID = sync.OnceValue(func() string {
	return builtinTemplateID(TemplateCodeHandover, assets.HandoverTemplate)
})

// The inspection mutations. An inspection and everything recorded in it
// are born once; the current state (each item's result, each carried
// defect's verdict, each meter and key) is the latest record in sync
// order, so every device shows the same inspection whatever order the
// records arrived in. Photos and signatures are carried by their SHA-256
// (see blobs.go). All share one snapshot rank: a re-inspection refers to
// the results of earlier inspections, so no order of kinds puts every
// record after what it refers to; HQ order within one rank does.

// HQ-owned reference data has no office: its mutations describe as global.

// inspectionTemplatePayload is inspection.template v1: one version of a
// checklist template (HQ reference data).
type inspectionTemplatePayload struct {
	recStamp
	Code    string          `json:"code"`
	Version int             `json:"version"`
	Name    string          `json:"name"`
	NameEn  string          `json:"name_en"`
	Body    json.RawMessage `json:"body"` // the template as JSON (InspectionTemplate)
	Items   int             `json:"items"`
}

type inspectionStartPayload struct {
	recStamp
	TemplateID  string   `json:"template_id"`
	Kind        string   `json:"kind"`
	Project     string   `json:"project"`
	Building    string   `json:"building"`
	Unit        string   `json:"unit"`
	Owners      []string `json:"owners"`
	Phone       string   `json:"phone"`
	Date        string   `json:"date"`
	InspectorID string   `json:"inspector_id"`
	Carried     []string `json:"carried"` // the earlier defects it judges, in order
}

type inspectionResultPayload struct {
	recStamp
	InspectionID string   `json:"inspection_id"`
	Item         string   `json:"item"`
	Result       string   `json:"result"`
	Description  string   `json:"description"`
	Location     string   `json:"location"`
	Photos       []string `json:"photos"`
}

type inspectionFollowUpPayload struct {
	recStamp
	InspectionID string `json:"inspection_id"`
	DefectID     string `json:"defect_id"`
	Outcome      string `json:"outcome"`
	Note         string `json:"note"`
}

type inspectionValuePayload struct {
	recStamp
	InspectionID string `json:"inspection_id"`
	Kind         string `json:"kind"`
	Code         string `json:"code"`
	Value        string `json:"value"`
}

type inspectionPhotoPayload struct {
	recStamp
	InspectionID string `json:"inspection_id"`
	Item         string `json:"item"`
	Width        int    `json:"width"`
	Height       int    `json:"height"`
	SHA256       string `json:"sha256"`
	Size         int64  `json:"size"`
	MIME         string `json:"mime"`
}

type inspectionCompletePayload struct {
	recStamp
	InspectionID string `json:"inspection_id"`
	PaperSign    bool   `json:"paper_sign"`
	OwnerSig     string `json:"owner_signature_sha256"` // "" when signed on paper
	OwnerSigSize int64  `json:"owner_signature_size"`
	StaffSig     string `json:"staff_signature_sha256"`
	StaffSigSize int64  `json:"staff_signature_size"`
}

type inspectionTicketPayload struct {
	recStamp
	InspectionID string `json:"inspection_id"`
	DefectID     string `json:"defect_id"`
	TicketID     string `json:"ticket_id"`
}

func init() {
	// anchang_builtin_handover_id() lets migration 0008 give the built-in
	// checklist its id.
	sqlite.MustRegisterDeterministicScalarFunction("anchang_builtin_handover_id", 0, func(*sqlite.FunctionContext, []driver.Value) (driver.Value, error) {
		return builtinHandoverID(), nil
	})
	for _, m := range []struct {
		spec MutationSpec
		reg  func(MutationSpec)
	}{
		{MutationSpec{Name: MutInspectionTemplate, Entity: "inspection_template", Owner: OwnerHQ, Rank: rankReference}, registerMutation[inspectionTemplatePayload]},
		{MutationSpec{Name: MutInspectionStart, Entity: "inspection", Rank: rankEvent}, registerMutation[inspectionStartPayload]},
		{MutationSpec{Name: MutInspectionResult, Entity: "inspection_result", Rank: rankEvent}, registerMutation[inspectionResultPayload]},
		{MutationSpec{Name: MutInspectionFollowUp, Entity: "inspection_followup", Rank: rankEvent}, registerMutation[inspectionFollowUpPayload]},
		{MutationSpec{Name: MutInspectionValue, Entity: "inspection_value", Rank: rankEvent}, registerMutation[inspectionValuePayload]},
		{MutationSpec{Name: MutInspectionPhoto, Entity: "inspection_photo", Rank: rankEvent}, registerMutation[inspectionPhotoPayload]},
		{MutationSpec{Name: MutInspectionComplete, Entity: "inspection_completion", Rank: rankEvent}, registerMutation[inspectionCompletePayload]},
		{MutationSpec{Name: MutInspectionTicket, Entity: "inspection_defect_ticket", Rank: rankFollowUp}, registerMutation[inspectionTicketPayload]},
	} {
		m.spec.Version = 1
		if m.spec.Owner == "" {
			m.spec.Owner = OwnerOffice
		}
		m.reg(m.spec)
	}
}

func (p *inspectionTemplatePayload) spec() *MutationSpec { return specOf(MutInspectionTemplate, 1) }
func (p *inspectionStartPayload) spec() *MutationSpec    { return specOf(MutInspectionStart, 1) }
func (p *inspectionResultPayload) spec() *MutationSpec   { return specOf(MutInspectionResult, 1) }
func (p *inspectionFollowUpPayload) spec() *MutationSpec { return specOf(MutInspectionFollowUp, 1) }
func (p *inspectionValuePayload) spec() *MutationSpec    { return specOf(MutInspectionValue, 1) }
func (p *inspectionPhotoPayload) spec() *MutationSpec    { return specOf(MutInspectionPhoto, 1) }
func (p *inspectionCompletePayload) spec() *MutationSpec { return specOf(MutInspectionComplete, 1) }
func (p *inspectionTicketPayload) spec() *MutationSpec   { return specOf(MutInspectionTicket, 1) }

// officeID: a template is global reference data.
func (p *inspectionTemplatePayload) officeID() string { return "" }

func inspectionRef(id string) Ref { return Ref{Entity: "inspection", ID: id} }

func (p *inspectionTemplatePayload) refs() []Ref { return nil }
func (p *inspectionStartPayload) refs() []Ref {
	var r []Ref
	if p.TemplateID != builtinHandoverID() { // the built-in one is everywhere, never sent
		r = append(r, Ref{Entity: "inspection_template", ID: p.TemplateID})
	}
	for _, d := range p.Carried {
		r = append(r, Ref{Entity: "inspection_result", ID: d})
	}
	return r
}
func (p *inspectionResultPayload) refs() []Ref {
	r := []Ref{inspectionRef(p.InspectionID)}
	for _, ph := range p.Photos {
		r = append(r, Ref{Entity: "inspection_photo", ID: ph})
	}
	return r
}
func (p *inspectionFollowUpPayload) refs() []Ref {
	return []Ref{inspectionRef(p.InspectionID), {Entity: "inspection_result", ID: p.DefectID}}
}
func (p *inspectionValuePayload) refs() []Ref    { return []Ref{inspectionRef(p.InspectionID)} }
func (p *inspectionPhotoPayload) refs() []Ref    { return []Ref{inspectionRef(p.InspectionID)} }
func (p *inspectionCompletePayload) refs() []Ref { return []Ref{inspectionRef(p.InspectionID)} }
func (p *inspectionTicketPayload) refs() []Ref {
	return []Ref{inspectionRef(p.InspectionID), {Entity: "inspection_result", ID: p.DefectID}, {Entity: "ticket", ID: p.TicketID}}
}

// checkItemKey checks a template key ("kitchen.gas", a meter's code).
func checkItemKey(field, v string) *Error {
	if v == "" || len(v) > 80 || strings.ContainsAny(v, " \t\r\n") {
		return invalid(field, "err.inspection.item", nil)
	}
	return nil
}

func (p *inspectionTemplatePayload) validate() error {
	if err := p.check(); err != nil {
		return err
	}
	if p.Version < 1 || p.Items < 0 {
		return invalid("version", "err.field.required", nil)
	}
	t, err := ParseInspectionTemplate(p.Body)
	if err != nil {
		return err
	}
	if t.Code != p.Code || t.ItemCount() != p.Items {
		return invalid("body", "err.sync.payload", nil)
	}
	return nil
}

func (p *inspectionStartPayload) validate() error {
	if err := p.check(); err != nil {
		return err
	}
	if err := checkIDs("template_id", p.TemplateID, "inspector_id", p.InspectorID); err != nil {
		return err
	}
	if err := checkChoice("kind", p.Kind, InspectionHandover, InspectionReinspection); err != nil {
		return err
	}
	for _, f := range []struct {
		name, v string
		max     int
	}{{"project", p.Project, MaxProjectLen}, {"building", p.Building, MaxBuildingLen}, {"unit", p.Unit, MaxUnitLen}} {
		if strings.TrimSpace(f.v) == "" {
			return invalid(f.name, "err.field.required", nil)
		}
		if err := textTooLong(f.name, f.v, f.max); err != nil {
			return err
		}
	}
	if len(p.Owners) == 0 || len(p.Owners) > MaxOwners {
		return invalid("owners", "err.inspection.owners", map[string]any{"Max": MaxOwners})
	}
	for _, o := range p.Owners {
		if _, err := CleanPersonName("owners", o); err != nil {
			return err
		}
	}
	if p.Phone == "" || len(p.Phone) > 20 {
		return invalid("phone", "err.field.required", nil)
	}
	if err := checkDay("date", p.Date, true); err != nil {
		return err
	}
	for _, d := range p.Carried {
		if err := checkUUID("carried", d, true); err != nil {
			return err
		}
	}
	return nil
}

func (p *inspectionResultPayload) validate() error {
	if err := p.check(); err != nil {
		return err
	}
	if err := checkIDs("inspection_id", p.InspectionID); err != nil {
		return err
	}
	if err := checkItemKey("item", p.Item); err != nil {
		return err
	}
	in := ResultInput{Item: p.Item, Result: p.Result, Description: p.Description, Location: p.Location, Photos: p.Photos}
	if err := in.clean(); err != nil {
		return err
	}
	for _, ph := range p.Photos {
		if err := checkUUID("photos", ph, true); err != nil {
			return err
		}
	}
	return nil
}

func (p *inspectionFollowUpPayload) validate() error {
	if err := p.check(); err != nil {
		return err
	}
	if err := checkIDs("inspection_id", p.InspectionID, "defect_id", p.DefectID); err != nil {
		return err
	}
	if err := checkChoice("outcome", p.Outcome, OutcomeFixed, OutcomeNotFixed, ""); err != nil {
		return err
	}
	if err := textTooLong("note", p.Note, MaxDescriptionLen); err != nil {
		return err
	}
	return nil
}

func (p *inspectionValuePayload) validate() error {
	if err := p.check(); err != nil {
		return err
	}
	if err := checkIDs("inspection_id", p.InspectionID); err != nil {
		return err
	}
	if err := checkItemKey("code", p.Code); err != nil {
		return err
	}
	v, err := cleanInspectionValue(p.Kind, p.Code, p.Value)
	if err != nil {
		return err
	}
	if v != p.Value {
		return invalid(p.Kind+"."+p.Code, "err.inspection.keys", map[string]any{"Max": MaxKeys})
	}
	return nil
}

func (p *inspectionPhotoPayload) validate() error {
	if err := p.check(); err != nil {
		return err
	}
	if err := checkIDs("inspection_id", p.InspectionID); err != nil {
		return err
	}
	if err := checkItemKey("item", p.Item); err != nil {
		return err
	}
	if !validSHA256(p.SHA256) || p.Size <= 0 || p.Size > MaxPhotoBytes || p.MIME != "image/jpeg" ||
		p.Width <= 0 || p.Height <= 0 || p.Width > PhotoMaxSide || p.Height > PhotoMaxSide {
		return invalid("photo", "err.photo.not_image", nil)
	}
	return nil
}

func (p *inspectionCompletePayload) validate() error {
	if err := p.check(); err != nil {
		return err
	}
	if err := checkIDs("inspection_id", p.InspectionID); err != nil {
		return err
	}
	for _, s := range []struct {
		field, sha string
		size       int64
	}{{"owner_signature", p.OwnerSig, p.OwnerSigSize}, {"staff_signature", p.StaffSig, p.StaffSigSize}} {
		if p.PaperSign && s.sha == "" && s.size == 0 {
			continue
		}
		if !validSHA256(s.sha) || s.size <= 0 || s.size > MaxSignatureBytes {
			return invalid(s.field, "err.signature.missing", nil)
		}
	}
	return nil
}

func (p *inspectionTicketPayload) validate() error {
	if err := p.check(); err != nil {
		return err
	}
	if err := checkIDs("inspection_id", p.InspectionID, "defect_id", p.DefectID, "ticket_id", p.TicketID); err != nil {
		return err
	}
	return nil
}

func (p *inspectionTemplatePayload) apply(ctx context.Context, tx *txn, ac applyCtx) error {
	// Versions are born once; (code, version) is unique: a version
	// already here (the built-in default every device loads) stays.
	_, err := tx.ExecContext(ctx, `INSERT INTO inspection_templates (id, office_id, device_id, created_at, created_by, code, version, name, name_en, body, items)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		p.ID, p.OfficeID, p.DeviceID, p.CreatedAt, p.by(), p.Code, p.Version, p.Name, p.NameEn, string(p.Body), p.Items)
	if err != nil {
		return fmt.Errorf("insert inspection template: %w", err)
	}
	return nil
}

// carriedID is the id of an inspection's carried-defect row: the same on
// every device.
func carriedID(inspectionID, defectID string) string {
	return uuid.NewSHA1(uuid.NameSpaceOID, []byte("anchang/inspection_carried/"+inspectionID+"/"+defectID)).String()
}

func (p *inspectionStartPayload) apply(ctx context.Context, tx *txn, ac applyCtx) error {
	if p.TemplateID == builtinHandoverID() {
		// A device that has not opened its inspections yet has not loaded
		// the built-in checklist: load it now, as every device has it.
		tpl, err := ParseInspectionTemplate(assets.HandoverTemplate)
		if err != nil {
			return fmt.Errorf("default inspection template: %w", err)
		}
		tp, err := templatePayload(stamp{id: p.TemplateID, office: p.OfficeID, device: p.DeviceID, at: p.CreatedAt}, "", tpl, 1)
		if err != nil {
			return err
		}
		if err := tp.apply(ctx, tx, ac); err != nil {
			return err
		}
	}
	owners, _ := json.Marshal(p.Owners)
	_, err := tx.ExecContext(ctx, `INSERT INTO inspections (id, office_id, device_id, created_at, created_by, template_id, kind, project, building, unit, unit_key,
		owners, phone, inspected_on, inspector_id, updated_at, sync_ord) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`+keepEarliestOrd,
		p.ID, p.OfficeID, p.DeviceID, p.CreatedAt, p.by(), p.TemplateID, p.Kind, p.Project, p.Building, p.Unit, unitKey(p.Project, p.Building, p.Unit),
		string(owners), p.Phone, p.Date, p.InspectorID, p.CreatedAt, ac.ord)
	if err != nil {
		return fmt.Errorf("insert inspection: %w", err)
	}
	for i, d := range p.Carried {
		if _, err := tx.ExecContext(ctx, `INSERT INTO inspection_carried (id, office_id, device_id, created_at, created_by, inspection_id, defect_id, sort)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`, carriedID(p.ID, d), p.OfficeID, p.DeviceID, p.CreatedAt, p.by(), p.ID, d, i+1); err != nil {
			return fmt.Errorf("carry defect: %w", err)
		}
	}
	return rederiveInspectionLater(ctx, tx, ac, p.ID, p.CreatedAt)
}

// insertInspectionEvent inserts a born-once row of an inspection's event
// table with the next local number n and its sync place.
func insertInspectionEvent(ctx context.Context, tx *txn, ac applyCtx, table string, r *recStamp, inspectionID string, cols []string, vals ...any) error {
	q := `INSERT INTO ` + table + ` (id, office_id, device_id, created_at, created_by, inspection_id, n, ` + strings.Join(cols, ", ") + `, sync_ord)
		VALUES (?, ?, ?, ?, ?, ?, (SELECT COALESCE(max(n), 0) + 1 FROM ` + table + ` WHERE inspection_id = ?), ` +
		strings.Repeat("?, ", len(cols)) + `?)` + keepEarliestOrd
	args := append([]any{r.ID, r.OfficeID, r.DeviceID, r.CreatedAt, r.by(), inspectionID, inspectionID}, vals...)
	args = append(args, ac.ord)
	if _, err := tx.ExecContext(ctx, q, args...); err != nil {
		return fmt.Errorf("%s: %w", table, err)
	}
	return nil
}

func (p *inspectionResultPayload) apply(ctx context.Context, tx *txn, ac applyCtx) error {
	photos := p.Photos
	if photos == nil {
		photos = []string{}
	}
	b, _ := json.Marshal(photos)
	if err := insertInspectionEvent(ctx, tx, ac, "inspection_results", &p.recStamp, p.InspectionID, []string{"item", "result", "description", "location", "photos"},
		p.Item, p.Result, p.Description, p.Location, string(b)); err != nil {
		return err
	}
	return rederiveInspectionLater(ctx, tx, ac, p.InspectionID, p.CreatedAt)
}

func (p *inspectionFollowUpPayload) apply(ctx context.Context, tx *txn, ac applyCtx) error {
	if err := insertInspectionEvent(ctx, tx, ac, "inspection_followups", &p.recStamp, p.InspectionID, []string{"defect_id", "outcome", "note"},
		p.DefectID, p.Outcome, p.Note); err != nil {
		return err
	}
	return rederiveInspectionLater(ctx, tx, ac, p.InspectionID, p.CreatedAt)
}

func (p *inspectionValuePayload) apply(ctx context.Context, tx *txn, ac applyCtx) error {
	if err := insertInspectionEvent(ctx, tx, ac, "inspection_values", &p.recStamp, p.InspectionID, []string{"kind", "code", "value"},
		p.Kind, p.Code, p.Value); err != nil {
		return err
	}
	return rederiveInspectionLater(ctx, tx, ac, p.InspectionID, p.CreatedAt)
}

func (p *inspectionPhotoPayload) apply(ctx context.Context, tx *txn, ac applyCtx) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO inspection_photos (id, office_id, device_id, created_at, created_by, inspection_id, item, width, height, jpeg, sha256, size)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, x'', ?, ?) ON CONFLICT (id) DO NOTHING`,
		p.ID, p.OfficeID, p.DeviceID, p.CreatedAt, p.by(), p.InspectionID, p.Item, p.Width, p.Height, p.SHA256, p.Size); err != nil {
		return fmt.Errorf("insert photo: %w", err)
	}
	return referBlob(ctx, tx, p.SHA256, p.Size, p.MIME, p.CreatedAt)
}

func (p *inspectionCompletePayload) apply(ctx context.Context, tx *txn, ac applyCtx) error {
	// One completion per inspection: should two devices both complete
	// it offline, the first in sync order is the one shown everywhere.
	if _, err := tx.ExecContext(ctx, `INSERT INTO inspection_completions (id, office_id, device_id, created_at, created_by, inspection_id, paper_sign,
		owner_sig_sha256, staff_sig_sha256, sync_ord) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (inspection_id) DO UPDATE SET id = excluded.id, office_id = excluded.office_id, device_id = excluded.device_id,
			created_at = excluded.created_at, created_by = excluded.created_by, paper_sign = excluded.paper_sign,
			owner_sig_sha256 = excluded.owner_sig_sha256, staff_sig_sha256 = excluded.staff_sig_sha256, sync_ord = excluded.sync_ord
		WHERE excluded.sync_ord < inspection_completions.sync_ord`,
		p.ID, p.OfficeID, p.DeviceID, p.CreatedAt, p.by(), p.InspectionID, p.PaperSign, p.OwnerSig, p.StaffSig, ac.ord); err != nil {
		return fmt.Errorf("complete inspection: %w", err)
	}
	for _, s := range []struct {
		sha  string
		size int64
	}{{p.OwnerSig, p.OwnerSigSize}, {p.StaffSig, p.StaffSigSize}} {
		if err := referBlob(ctx, tx, s.sha, s.size, "image/png", p.CreatedAt); err != nil {
			return err
		}
	}
	return rederiveInspectionLater(ctx, tx, ac, p.InspectionID, p.CreatedAt)
}

func (p *inspectionTicketPayload) apply(ctx context.Context, tx *txn, ac applyCtx) error {
	// One ticket per defect: a second link (two devices offline) is dropped;
	// both tickets stay.
	if _, err := tx.ExecContext(ctx, `INSERT INTO inspection_defect_tickets (id, office_id, device_id, created_at, created_by, inspection_id, defect_id, ticket_id)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		p.ID, p.OfficeID, p.DeviceID, p.CreatedAt, p.by(), p.InspectionID, p.DefectID, p.TicketID); err != nil {
		return fmt.Errorf("defect ticket: %w", err)
	}
	return nil
}

func rederiveInspectionLater(ctx context.Context, tx *txn, ac applyCtx, id string, at int64) error {
	return ac.rederive(ctx, tx, derivedInspection, id, "", at)
}

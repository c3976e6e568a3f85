package data

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image/png"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// Recording an inspection: each tick, verdict, reading and sign-off is one
// small transaction that appends an event and updates the inspection's
// derived state, so nothing is lost if the app closes mid-inspection.

// ResultInput is one tick of a checklist item.
type ResultInput struct {
	Item        string // template item key
	Result      string // ResultPass, ResultDefect, ResultNA or ResultNone (clear)
	Description string // a defect's description (required for a defect)
	Location    string // where exactly ("东墙距地 1.2 m")
	Photos      []string
}

// openInspection loads what a write to inspection id needs, refusing a
// completed one.
func openInspection(ctx context.Context, tx *txn, id string) (tplID, kind string, err error) {
	var status string
	err = tx.QueryRowContext(ctx, `SELECT template_id, kind, status FROM inspections WHERE id = ?`, id).Scan(&tplID, &kind, &status)
	if isNoRows(err) {
		return "", "", &Error{Code: ENOTFOUND, Key: "err.inspection.not_found"}
	}
	if err != nil {
		return "", "", fmt.Errorf("inspection %s: %w", id, err)
	}
	if status != InspectionOpen {
		return "", "", &Error{Code: ECONFLICT, Key: "err.inspection.completed"}
	}
	return tplID, kind, nil
}

func (in *ResultInput) clean() error {
	errs := FieldErrors{}
	switch in.Result {
	case ResultPass, ResultNA, ResultNone:
		in.Description, in.Location, in.Photos = "", "", nil
	case ResultDefect:
		d, err := cleanText("description", in.Description, MaxDescriptionLen)
		switch {
		case err != nil:
			errs["description"] = err
		case d == "":
			errs["description"] = invalid("description", "err.field.required", nil)
		default:
			in.Description = d
		}
		if l, err := cleanLine("location", in.Location, false, MaxLocationLen); err != nil {
			errs["location"] = err
		} else {
			in.Location = l
		}
		if len(in.Photos) > MaxPhotosPerItem {
			errs["photos"] = invalid("photos", "err.photo.too_many", map[string]any{"Max": MaxPhotosPerItem})
		}
	default:
		errs["result"] = invalid("result", "err.inspection.result", nil)
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

// RecordResult records one tick of a checklist item (or clears it) and
// returns the item's new result.
func (s *Store) RecordResult(ctx context.Context, actorID, inspectionID string, in ResultInput) (ItemResult, error) {
	if err := in.clean(); err != nil {
		return ItemResult{}, err
	}
	if in.Photos == nil {
		in.Photos = []string{}
	}
	var res ItemResult
	err := s.actorTx(ctx, actorID, canInspect, func(tx *txn, st stamp) error {
		tplID, kind, err := openInspection(ctx, tx, inspectionID)
		if err != nil {
			return err
		}
		if kind != InspectionHandover {
			return &Error{Code: ECONFLICT, Key: "err.inspection.no_checklist"}
		}
		if err := templateHasItem(ctx, tx, tplID, in.Item); err != nil {
			return err
		}
		for _, p := range in.Photos {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM inspection_photos WHERE id = ? AND inspection_id = ? AND item = ?`, p, inspectionID, in.Item).Scan(&n); err != nil {
				return fmt.Errorf("photo: %w", err)
			}
			if n == 0 {
				return invalid("photos", "err.photo.not_found", nil)
			}
		}
		res = ItemResult{ID: st.id, Item: in.Item, Result: in.Result, Description: in.Description, Location: in.Location, Photos: in.Photos, At: fromMS(st.at), By: actorID}
		return record(ctx, tx, st.at, &inspectionResultPayload{recStamp: newRecStamp(st, actorID), InspectionID: inspectionID, Item: in.Item,
			Result: in.Result, Description: in.Description, Location: in.Location, Photos: in.Photos})
	})
	return res, err
}

// templateItems caches each template version's item keys: versions are
// never edited, and ids are unique, so an entry never goes stale.
var templateItems sync.Map // template id → map[string]bool

// templateHasItem checks that the template version has the item key.
func templateHasItem(ctx context.Context, tx *txn, tplID, key string) error {
	keys, ok := templateItems.Load(tplID)
	if !ok {
		var body string
		if err := tx.QueryRowContext(ctx, `SELECT body FROM inspection_templates WHERE id = ?`, tplID).Scan(&body); err != nil {
			return fmt.Errorf("inspection template: %w", err)
		}
		var t InspectionTemplate
		if err := json.Unmarshal([]byte(body), &t); err != nil {
			return fmt.Errorf("inspection template: %w", err)
		}
		m := map[string]bool{}
		for _, it := range t.Items() {
			m[it.Key] = true
		}
		keys, _ = templateItems.LoadOrStore(tplID, m)
	}
	if !keys.(map[string]bool)[key] {
		return invalid("item", "err.inspection.item", nil)
	}
	return nil
}

// deriveInspection recomputes the inspection's derived state from its
// records: answered and defect counts (each item's and carried defect's
// latest record in sync order), completion, and the time of the latest
// change (at, if later).
func deriveInspection(ctx context.Context, tx *txn, id string, at int64) error {
	_, err := tx.ExecContext(ctx, `UPDATE inspections SET
		answered = (SELECT count(*) FROM inspection_results r WHERE r.inspection_id = inspections.id AND r.result != ''
			AND r.sync_ord = (SELECT max(sync_ord) FROM inspection_results x WHERE x.inspection_id = r.inspection_id AND x.item = r.item))
			+ (SELECT count(*) FROM inspection_followups f WHERE f.inspection_id = inspections.id AND f.outcome != ''
			AND f.sync_ord = (SELECT max(sync_ord) FROM inspection_followups g WHERE g.inspection_id = f.inspection_id AND g.defect_id = f.defect_id)),
		defects = (SELECT count(*) FROM inspection_results r WHERE r.inspection_id = inspections.id AND r.result = 'defect'
			AND r.sync_ord = (SELECT max(sync_ord) FROM inspection_results x WHERE x.inspection_id = r.inspection_id AND x.item = r.item))
			+ (SELECT count(*) FROM inspection_followups f WHERE f.inspection_id = inspections.id AND f.outcome = 'not_fixed'
			AND f.sync_ord = (SELECT max(sync_ord) FROM inspection_followups g WHERE g.inspection_id = f.inspection_id AND g.defect_id = f.defect_id)),
		status = CASE WHEN EXISTS (SELECT 1 FROM inspection_completions c WHERE c.inspection_id = inspections.id) THEN 'completed' ELSE 'open' END,
		completed_at = (SELECT c.created_at FROM inspection_completions c WHERE c.inspection_id = inspections.id),
		updated_at = max(updated_at, ?)
		WHERE id = ?`, at, id)
	if err != nil {
		return fmt.Errorf("derive inspection: %w", err)
	}
	return nil
}

// RecordFollowUp records a verdict on an earlier defect the inspection
// carries: fixed, not fixed, or "" to clear it.
func (s *Store) RecordFollowUp(ctx context.Context, actorID, inspectionID, defectID, outcome, note string) error {
	switch outcome {
	case OutcomeFixed, OutcomeNotFixed, "":
	default:
		return invalid("outcome", "err.inspection.result", nil)
	}
	note, cerr := cleanText("note", note, MaxDescriptionLen)
	if cerr != nil {
		return cerr
	}
	return s.actorTx(ctx, actorID, canInspect, func(tx *txn, st stamp) error {
		if _, _, err := openInspection(ctx, tx, inspectionID); err != nil {
			return err
		}
		var c int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM inspection_carried WHERE inspection_id = ? AND defect_id = ?`, inspectionID, defectID).Scan(&c); err != nil {
			return fmt.Errorf("follow-up: %w", err)
		}
		if c == 0 {
			return invalid("defect", "err.inspection.not_carried", nil)
		}
		return record(ctx, tx, st.at, &inspectionFollowUpPayload{recStamp: newRecStamp(st, actorID), InspectionID: inspectionID,
			DefectID: defectID, Outcome: outcome, Note: note})
	})
}

// Kinds of recorded values.
const (
	ValueMeter = "meter"
	ValueKey   = "key"
)

var meterReading = regexp.MustCompile(`^[0-9]{1,8}(\.[0-9]{1,3})?$`)

// MaxKeys is the most keys of one kind an inspection records.
const MaxKeys = 99

// SetInspectionValue records a meter reading (digits, up to three
// decimals) or a count of keys of one kind (0–99); "" clears it. The code
// must be one of the template's meters or keys.
func (s *Store) SetInspectionValue(ctx context.Context, actorID, inspectionID, kind, code, value string) error {
	value, verr := cleanInspectionValue(kind, code, value)
	if verr != nil {
		return verr
	}
	field := kind + "." + code
	return s.actorTx(ctx, actorID, canInspect, func(tx *txn, st stamp) error {
		tplID, _, err := openInspection(ctx, tx, inspectionID)
		if err != nil {
			return err
		}
		t, err := tx.s.findTemplate(ctx, tx, `SELECT id, version, body, COALESCE(created_by, '') FROM inspection_templates WHERE id = ?`, tplID)
		if err != nil {
			return err
		}
		things := t.Meters
		if kind == ValueKey {
			things = t.Keys
		}
		if !slices.ContainsFunc(things, func(th TemplateThing) bool { return th.Code == code }) {
			return invalid(field, "err.inspection.item", nil)
		}
		return record(ctx, tx, st.at, &inspectionValuePayload{recStamp: newRecStamp(st, actorID), InspectionID: inspectionID,
			Kind: kind, Code: code, Value: value})
	})
}

// cleanInspectionValue checks a meter reading (digits, up to three
// decimals) or a count of keys (0–99), "" clearing it, and returns it in
// its stored form.
func cleanInspectionValue(kind, code, value string) (string, error) {
	value = strings.TrimSpace(FoldInput(value))
	field := kind + "." + code
	switch kind {
	case ValueMeter:
		if value != "" && !meterReading.MatchString(value) {
			return "", invalid(field, "err.inspection.meter", nil)
		}
	case ValueKey:
		if value != "" {
			n, err := strconv.Atoi(value)
			if err != nil || n < 0 || n > MaxKeys {
				return "", invalid(field, "err.inspection.keys", map[string]any{"Max": MaxKeys})
			}
			value = strconv.Itoa(n)
		}
	default:
		return "", invalid("kind", "err.inspection.result", nil)
	}
	return value, nil
}

// CompleteInput signs an inspection off.
type CompleteInput struct {
	PaperSign      bool   // both sign the printed form instead
	OwnerSignature []byte // PNG drawn on screen
	StaffSignature []byte // PNG drawn on screen
}

// Signature limits.
const (
	MaxSignatureBytes = 256 << 10
	MaxSignatureSide  = 2000
)

// checkSignature: a PNG of sensible size.
func checkSignature(field string, b []byte) *Error {
	if len(b) == 0 {
		return invalid(field, "err.signature.missing", nil)
	}
	if len(b) > MaxSignatureBytes {
		return invalid(field, "err.signature.too_big", nil)
	}
	cfg, err := png.DecodeConfig(bytes.NewReader(b))
	if err != nil || cfg.Width < 10 || cfg.Height < 10 || cfg.Width > MaxSignatureSide || cfg.Height > MaxSignatureSide {
		return invalid(field, "err.signature.bad", nil)
	}
	return nil
}

// CompleteInspection closes an inspection: every checklist item answered
// (not applicable counts as an answer), every carried defect judged, and
// either both signatures drawn or the choice to sign on paper. A completed
// inspection takes no more changes; its defects become the unit's open
// defects.
func (s *Store) CompleteInspection(ctx context.Context, actorID, inspectionID string, in CompleteInput) error {
	var owner, staff []byte
	if !in.PaperSign {
		errs := FieldErrors{}
		if e := checkSignature("owner_signature", in.OwnerSignature); e != nil {
			errs["owner_signature"] = e
		}
		if e := checkSignature("staff_signature", in.StaffSignature); e != nil {
			errs["staff_signature"] = e
		}
		if len(errs) > 0 {
			return errs
		}
		owner, staff = in.OwnerSignature, in.StaffSignature
	}
	return s.actorTx(ctx, actorID, canInspect, func(tx *txn, st stamp) error {
		tplID, kind, err := openInspection(ctx, tx, inspectionID)
		if err != nil {
			return err
		}
		var total, carried, answered int
		if err := tx.QueryRowContext(ctx, `SELECT t.items, (SELECT count(*) FROM inspection_carried c WHERE c.inspection_id = i.id), i.answered
			FROM inspections i JOIN inspection_templates t ON t.id = i.template_id WHERE i.id = ?`, inspectionID).Scan(&total, &carried, &answered); err != nil {
			return fmt.Errorf("complete inspection: %w", err)
		}
		_ = tplID
		if kind != InspectionHandover {
			total = 0
		}
		if missing := total + carried - answered; missing > 0 {
			return &Error{Code: EINVALID, Field: "items", Key: "err.inspection.unanswered", Args: map[string]any{"N": missing}}
		}
		p := &inspectionCompletePayload{recStamp: newRecStamp(st, actorID), InspectionID: inspectionID, PaperSign: in.PaperSign}
		if owner != nil {
			if p.OwnerSig, err = putLocalBlob(ctx, tx, owner, "image/png", st.at); err != nil {
				return err
			}
			if p.StaffSig, err = putLocalBlob(ctx, tx, staff, "image/png", st.at); err != nil {
				return err
			}
			p.OwnerSigSize, p.StaffSigSize = int64(len(owner)), int64(len(staff))
		}
		if err := record(ctx, tx, st.at, p); err != nil {
			return err
		}
		return s.scheduleMoveInRevisits(ctx, tx, st, actorID, inspectionID, kind)
	})
}

package data

import (
	"context"
	"encoding/json"
	"fmt"
)

// The SLA policy and holiday schedules are HQ reference data (global):
// each SLA policy version and each holiday import is born once. The
// newest policy version applies to new tickets; the last import of a
// year in sync order wins.

type slaPolicyPayload struct {
	recStamp
	Version int             `json:"version"`
	Rules   json.RawMessage `json:"rules"` // {"rules":[…],"urgent":{…}} with limits as "4wh", "2wd", "1h", "sameday"
}

type holidayImportPayload struct {
	recStamp
	Year     int    `json:"year"`
	Schedule string `json:"schedule"` // the file as imported (assets/holidays format)
}

// MaxHolidayFile is the largest holiday schedule file accepted.
const MaxHolidayFile = 256 << 10

func init() {
	registerMutation[slaPolicyPayload](MutationSpec{Name: MutSLAPolicy, Version: 1, Entity: "sla_policy", Owner: OwnerHQ, Rank: rankReference})
	registerMutation[holidayImportPayload](MutationSpec{Name: MutHolidayImport, Version: 1, Entity: "holiday_import", Owner: OwnerHQ, Rank: rankReference})
}

// HQVersionBase: the versions of HQ-owned reference data (SLA policy,
// checklist templates) an HQ device publishes start above it, so they
// never clash with the versions a standalone office numbered 2, 3, … on
// its own before it enrolled (its history, kept in its office's scope,
// and the versions its tickets and inspections were made under). An
// office's own version stays the current one until HQ publishes.
const HQVersionBase = 1000

// nextRefVersion is the version after max, the highest of the kind this
// device holds: on an HQ device at least HQVersionBase + 1.
func nextRefVersion(ctx context.Context, tx *txn, max int) (int, error) {
	var enrolled bool
	var role string
	err := tx.QueryRowContext(ctx, `SELECT enrolled, role FROM sync_state WHERE id = 1`).Scan(&enrolled, &role)
	if err != nil && !isNoRows(err) {
		return 0, err
	}
	if enrolled && role == SyncRoleHQ && max < HQVersionBase {
		return HQVersionBase + 1, nil
	}
	return max + 1, nil
}

func (p *slaPolicyPayload) spec() *MutationSpec     { return specOf(MutSLAPolicy, 1) }
func (p *holidayImportPayload) spec() *MutationSpec { return specOf(MutHolidayImport, 1) }
func (p *slaPolicyPayload) officeID() string        { return "" }
func (p *holidayImportPayload) officeID() string    { return "" }
func (p *slaPolicyPayload) refs() []Ref             { return nil }
func (p *holidayImportPayload) refs() []Ref         { return nil }

func (p *slaPolicyPayload) validate() error {
	if err := p.check(); err != nil {
		return err
	}
	if p.Version < 2 { // version 1 is the built-in default
		return invalid("version", "err.sla.not_found", map[string]any{"Version": p.Version})
	}
	pol, err := decodePolicy(p.Version, string(p.Rules))
	if err != nil {
		return invalid("rules", "err.sync.payload", nil)
	}
	return pol.Validate()
}

func (p *holidayImportPayload) validate() error {
	if err := p.check(); err != nil {
		return err
	}
	if len(p.Schedule) > MaxHolidayFile {
		return &Error{Code: EINVALID, Key: "err.holiday.too_big"}
	}
	year, _, err := ParseHolidaySchedule([]byte(p.Schedule))
	if err != nil {
		return err
	}
	if year != p.Year {
		return invalid("year", "err.sync.payload", nil)
	}
	return nil
}

func (p *slaPolicyPayload) apply(ctx context.Context, tx *txn, ac applyCtx) error {
	// Versions are unique: a version already here stays.
	if _, err := tx.ExecContext(ctx, `INSERT INTO sla_policies (id, office_id, device_id, created_at, created_by, version, rules) VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT DO NOTHING`, p.ID, p.OfficeID, p.DeviceID, p.CreatedAt, p.by(), p.Version, string(p.Rules)); err != nil {
		return fmt.Errorf("save sla policy: %w", err)
	}
	return nil
}

func (p *holidayImportPayload) apply(ctx context.Context, tx *txn, ac applyCtx) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO holiday_imports (id, office_id, device_id, created_at, created_by, year, schedule, sync_ord)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`+keepEarliestOrd, p.ID, p.OfficeID, p.DeviceID, p.CreatedAt, p.by(), p.Year, p.Schedule, ac.ord); err != nil {
		return fmt.Errorf("import holidays: %w", err)
	}
	return nil
}

package data

import (
	"context"
	"database/sql"
	"fmt"
)

// Source is a channel a visitor came through (客户来源). Built-in channels
// carry a Code the UI translates; an office's own channels carry a Name.
type Source struct {
	ID     string
	Code   string
	Name   string
	Sort   int
	Active bool
}

// DefaultSourceCodes are the channels every office starts with.
var DefaultSourceCodes = []string{"walkin", "referral", "online", "agent", "phone", "outdoor", "event", "other"}

func insertDefaultSources(ctx context.Context, tx *txn, office, device string, at int64, by string) error {
	for i, code := range DefaultSourceCodes {
		st := stamp{id: newID(), office: office, device: device, at: at}
		if err := insertSource(ctx, tx, st, by, Source{ID: st.id, Code: code, Name: code, Sort: (i + 1) * 10, Active: true}); err != nil {
			return err
		}
	}
	return nil
}

func insertSource(ctx context.Context, tx *txn, st stamp, by string, src Source) error {
	return record(ctx, tx, st.at, &sourceSave{recStamp: newRecStamp(st, by), Code: src.Code, Name: src.Name, Sort: src.Sort, Active: src.Active})
}

// sourceSave (source.save v1) writes a source channel as it now is.
type sourceSave struct {
	recStamp
	Code   string `json:"code"` // a DefaultSourceCodes code, or "" for the office's own
	Name   string `json:"name"`
	Sort   int    `json:"sort"`
	Active bool   `json:"active"`
}

func init() {
	registerMutation[sourceSave](MutationSpec{Name: MutSourceSave, Version: 1, Entity: "source", Owner: OwnerOffice, Replace: true, Rank: rankReference})
	registerReencoder(MutSourceSave, func(ctx context.Context, tx *txn, e OutboxEntry) (payload, error) {
		var p sourceSave
		var by sql.NullString
		err := tx.QueryRowContext(ctx, `SELECT id, office_id, device_id, created_at, created_by, code, name, sort, active FROM sources WHERE id = ?`, e.RecordID).
			Scan(&p.ID, &p.OfficeID, &p.DeviceID, &p.CreatedAt, &by, &p.Code, &p.Name, &p.Sort, &p.Active)
		p.CreatedBy = by.String
		return &p, err
	})
}

func (*sourceSave) spec() *MutationSpec { return specOf(MutSourceSave, 1) }
func (*sourceSave) refs() []Ref         { return nil }

func (p *sourceSave) validate() error {
	if err := p.check(); err != nil {
		return err
	}
	if p.Code != "" {
		if err := checkChoice("code", p.Code, DefaultSourceCodes...); err != nil {
			return err
		}
	}
	if _, err := cleanLine("source_name", p.Name, true, 30); err != nil {
		return err
	}
	return nil
}

func (p *sourceSave) apply(ctx context.Context, tx *txn, ac applyCtx) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO sources (id, office_id, device_id, created_at, created_by, code, name, sort, active, sync_ord)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET code = excluded.code, name = excluded.name, sort = excluded.sort,
		active = excluded.active, sync_ord = excluded.sync_ord WHERE `+replaceIfNewer,
		p.ID, p.OfficeID, p.DeviceID, p.CreatedAt, p.by(), p.Code, p.Name, p.Sort, p.Active, ac.ord, ac.echoOrd()); err != nil {
		return fmt.Errorf("write source: %w", err)
	}
	return nil
}

// Sources lists the office's active channels in display order.
func (s *Store) Sources(ctx context.Context) ([]Source, error) {
	_, o, err := s.ids()
	if err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT id, code, name, sort, active FROM sources WHERE office_id = ? AND active = 1 ORDER BY sort, name`, o.ID)
	if err != nil {
		return nil, fmt.Errorf("list sources: %w", err)
	}
	defer rows.Close()
	var out []Source
	for rows.Next() {
		var src Source
		if err := rows.Scan(&src.ID, &src.Code, &src.Name, &src.Sort, &src.Active); err != nil {
			return nil, fmt.Errorf("list sources: %w", err)
		}
		out = append(out, src)
	}
	return out, rows.Err()
}

// AddSource adds a custom channel at the end of the list. Admins and supervisors may.
func (s *Store) AddSource(ctx context.Context, actorID, name string) (Source, error) {
	name, verr := cleanLine("source_name", name, true, 30)
	if verr != nil {
		return Source{}, verr
	}
	st, err := s.stamp()
	if err != nil {
		return Source{}, err
	}
	src := Source{ID: st.id, Name: name, Active: true}
	err = s.tx(ctx, func(tx *txn) error {
		if _, err := requireActor(ctx, tx, actorID, func(r Role) bool { return r == RoleAdmin || r == RoleSupervisor }); err != nil {
			return err
		}
		var dup int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM sources WHERE office_id = ? AND active = 1 AND code = '' AND name = ?`, st.office, name).Scan(&dup); err != nil {
			return err
		}
		if dup > 0 {
			return invalid("source_name", "err.source.duplicate", nil)
		}
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(max(sort), 0) + 10 FROM sources WHERE office_id = ?`, st.office).Scan(&src.Sort); err != nil {
			return err
		}
		return insertSource(ctx, tx, st, actorID, src)
	})
	return src, err
}

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
	return s.listSources(ctx, `SELECT id, code, name, sort, active FROM sources WHERE office_id = ? AND active = 1 ORDER BY sort, name`, o.ID)
}

// listSources runs a sources query selecting id, code, name, sort, active.
func (s *Store) listSources(ctx context.Context, query string, args ...any) ([]Source, error) {
	rows, err := s.db.QueryContext(ctx, query, args...)
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

// AllSources lists every channel of the office in display order, the
// hidden ones too (Settings shows them to bring back).
func (s *Store) AllSources(ctx context.Context) ([]Source, error) {
	_, o, err := s.ids()
	if err != nil {
		return nil, err
	}
	return s.listSources(ctx, `SELECT id, code, name, sort, active FROM sources WHERE office_id = ? ORDER BY sort, name, id`, o.ID)
}

// canEditSources: admins and supervisors keep the office's channels.
func canEditSources(r Role) bool { return r == RoleAdmin || r == RoleSupervisor }

// findSource reads one channel of the office.
func findSource(ctx context.Context, tx *txn, office, id string) (Source, error) {
	var src Source
	err := tx.QueryRowContext(ctx, `SELECT id, code, name, sort, active FROM sources WHERE id = ? AND office_id = ?`, id, office).
		Scan(&src.ID, &src.Code, &src.Name, &src.Sort, &src.Active)
	if isNoRows(err) {
		return Source{}, &Error{Code: ENOTFOUND, Key: "err.source.not_found"}
	}
	if err != nil {
		return Source{}, fmt.Errorf("find source: %w", err)
	}
	return src, nil
}

// saveSource records a channel as it now is (a new version of source.save),
// keeping the record's original stamp.
func saveSource(ctx context.Context, tx *txn, at int64, id string, src Source) error {
	p := sourceSave{Code: src.Code, Name: src.Name, Sort: src.Sort, Active: src.Active}
	var by sql.NullString
	if err := tx.QueryRowContext(ctx, `SELECT id, office_id, device_id, created_at, created_by FROM sources WHERE id = ?`, id).
		Scan(&p.ID, &p.OfficeID, &p.DeviceID, &p.CreatedAt, &by); err != nil {
		return fmt.Errorf("save source: %w", err)
	}
	p.CreatedBy = by.String
	return record(ctx, tx, at, &p)
}

// RenameSource gives a channel a new name. A built-in channel renamed
// becomes the office's own (its name shows as typed, in both languages).
// Visits already recorded show the new name: they refer to the channel.
func (s *Store) RenameSource(ctx context.Context, actorID, id, name string) (Source, error) {
	name, verr := cleanLine("source_name", name, true, 30)
	if verr != nil {
		return Source{}, verr
	}
	_, o, err := s.ids()
	if err != nil {
		return Source{}, err
	}
	var src Source
	err = s.tx(ctx, func(tx *txn) error {
		if _, err := requireActor(ctx, tx, actorID, canEditSources); err != nil {
			return err
		}
		if src, err = findSource(ctx, tx, o.ID, id); err != nil {
			return err
		}
		if src.Code == "" && src.Name == name {
			return nil // unchanged
		}
		var dup int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM sources WHERE office_id = ? AND active = 1 AND code = '' AND name = ? AND id != ?`, o.ID, name, id).Scan(&dup); err != nil {
			return err
		}
		if dup > 0 {
			return invalid("source_name", "err.source.duplicate", nil)
		}
		src.Code, src.Name = "", name
		return saveSource(ctx, tx, ms(s.now()), id, src)
	})
	if err != nil {
		return Source{}, err
	}
	return src, nil
}

// SetSourceActive hides a channel (no longer offered at check-in; the
// visits that came through it keep showing it) or brings it back.
func (s *Store) SetSourceActive(ctx context.Context, actorID, id string, active bool) error {
	_, o, err := s.ids()
	if err != nil {
		return err
	}
	return s.tx(ctx, func(tx *txn) error {
		if _, err := requireActor(ctx, tx, actorID, canEditSources); err != nil {
			return err
		}
		src, err := findSource(ctx, tx, o.ID, id)
		if err != nil || src.Active == active {
			return err
		}
		if !active {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM sources WHERE office_id = ? AND active = 1 AND id != ?`, o.ID, id).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				return invalid("source", "err.source.last", nil)
			}
		}
		if active && src.Code == "" {
			var dup int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM sources WHERE office_id = ? AND active = 1 AND code = '' AND name = ?`, o.ID, src.Name).Scan(&dup); err != nil {
				return err
			}
			if dup > 0 {
				return invalid("source_name", "err.source.duplicate", nil)
			}
		}
		src.Active = active
		return saveSource(ctx, tx, ms(s.now()), id, src)
	})
}

// OrderSources puts the office's channels in the order of ids, which must
// name each of them (the hidden ones too) exactly once: a list made from a
// stale view is refused (err.source.order_stale) rather than half applied.
// Only the channels whose place changed get a new version.
func (s *Store) OrderSources(ctx context.Context, actorID string, ids []string) error {
	_, o, err := s.ids()
	if err != nil {
		return err
	}
	return s.tx(ctx, func(tx *txn) error {
		if _, err := requireActor(ctx, tx, actorID, canEditSources); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT id, code, name, sort, active FROM sources WHERE office_id = ?`, o.ID)
		if err != nil {
			return fmt.Errorf("order sources: %w", err)
		}
		cur := map[string]Source{}
		for rows.Next() {
			var src Source
			if err := rows.Scan(&src.ID, &src.Code, &src.Name, &src.Sort, &src.Active); err != nil {
				rows.Close()
				return fmt.Errorf("order sources: %w", err)
			}
			cur[src.ID] = src
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("order sources: %w", err)
		}
		seen := map[string]bool{}
		for _, id := range ids {
			if _, ok := cur[id]; !ok || seen[id] {
				return invalid("source", "err.source.order_stale", nil)
			}
			seen[id] = true
		}
		if len(seen) != len(cur) {
			return invalid("source", "err.source.order_stale", nil)
		}
		at := ms(s.now())
		for i, id := range ids {
			src := cur[id]
			if src.Sort == (i+1)*10 {
				continue
			}
			src.Sort = (i + 1) * 10
			if err := saveSource(ctx, tx, at, id, src); err != nil {
				return err
			}
		}
		return nil
	})
}

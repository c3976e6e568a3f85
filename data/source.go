package data

import (
	"context"
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
	if _, err := tx.ExecContext(ctx, `INSERT INTO sources (id, office_id, device_id, created_at, created_by, code, name, sort, active)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, st.id, st.office, st.device, st.at, by, src.Code, src.Name, src.Sort, src.Active); err != nil {
		return fmt.Errorf("insert source: %w", err)
	}
	return emit(ctx, tx, st.at, MutSourceSave, 1, st.id, map[string]any{
		"id": st.id, "office_id": st.office, "code": src.Code, "name": src.Name, "sort": src.Sort, "active": src.Active, "created_at": st.at, "created_by": by,
	})
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

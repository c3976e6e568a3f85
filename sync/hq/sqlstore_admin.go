package hq

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"anchang/data"
	hqsync "anchang/sync"

	"github.com/google/uuid"
)

var officeCodeRe = regexp.MustCompile(`^[A-Z0-9][A-Z0-9_-]{0,15}$`)

func coded(code, key string, args map[string]any) *data.Error {
	return &data.Error{Code: code, Key: key, Args: args}
}

// AddOffice creates an office with a new id. The code is stored upper-case
// and must be unique.
func (s *SQLStore) AddOffice(ctx context.Context, code, name string, now int64) (Office, error) {
	code = strings.ToUpper(strings.TrimSpace(code))
	name = strings.TrimSpace(name)
	if !officeCodeRe.MatchString(code) || code == HQOfficeCode {
		return Office{}, coded(data.EINVALID, "err.office_code.chars", nil)
	}
	if name == "" || len([]rune(name)) > 60 {
		return Office{}, coded(data.EINVALID, "err.sync.office_name", nil)
	}
	o := Office{ID: uuid.Must(uuid.NewV7()).String(), Code: code, Name: name, CreatedAt: now}
	err := s.write(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM hq_offices WHERE code = ?`), code).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return coded(data.ECONFLICT, "err.sync.office_exists", map[string]any{"Code": code})
		}
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO hq_offices (id, code, name, created_at) VALUES (?, ?, ?, ?)`),
			o.ID, o.Code, o.Name, o.CreatedAt); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, s.q(`INSERT INTO hq_scopes (scope, head, horizon) VALUES (?, 0, 0) ON CONFLICT (scope) DO NOTHING`),
			hqsync.OfficeScope(o.ID))
		return err
	})
	if err != nil {
		if _, ok := data.AsError(err); ok {
			return Office{}, err
		}
		return Office{}, fmt.Errorf("add office: %w", err)
	}
	return o, nil
}

// Offices lists every office by code, the HQ pseudo-office included.
func (s *SQLStore) Offices(ctx context.Context) ([]Office, error) {
	rows, err := s.rdb.QueryContext(ctx, `SELECT id, code, name, created_at FROM hq_offices ORDER BY code`)
	if err != nil {
		return nil, fmt.Errorf("offices: %w", err)
	}
	defer rows.Close()
	var out []Office
	for rows.Next() {
		var o Office
		if err := rows.Scan(&o.ID, &o.Code, &o.Name, &o.CreatedAt); err != nil {
			return nil, fmt.Errorf("offices: %w", err)
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// OfficeByCode finds an office by its code (any case).
func (s *SQLStore) OfficeByCode(ctx context.Context, code string) (Office, error) {
	var o Office
	err := s.rdb.QueryRowContext(ctx, s.q(`SELECT id, code, name, created_at FROM hq_offices WHERE code = ?`),
		strings.ToUpper(strings.TrimSpace(code))).Scan(&o.ID, &o.Code, &o.Name, &o.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return Office{}, coded(data.ENOTFOUND, "err.sync.no_office", map[string]any{"Code": code})
	}
	if err != nil {
		return Office{}, fmt.Errorf("office: %w", err)
	}
	return o, nil
}

// AddEnrollCode stores an enrollment code's hash.
func (s *SQLStore) AddEnrollCode(ctx context.Context, codeHash, officeID, role string, now, expiresAt int64) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, s.q(`INSERT INTO hq_enroll_codes (code_hash, office_id, role, created_at, expires_at) VALUES (?, ?, ?, ?, ?)`),
			codeHash, officeID, role, now, expiresAt)
		return err
	})
	if err != nil {
		return fmt.Errorf("enroll code: %w", err)
	}
	return nil
}

// Enroll consumes a code and enrolls (or re-enrolls) a device. The office row
// is locked, so two enrollments into one office never take the same tag.
//
// A device id already enrolled may enroll again with a new code into the same
// office (a reinstall, or after a revocation the admin chose to undo): it gets
// the new secret, keeps its tag and is no longer revoked. Into another office
// it is refused (409 err.sync.device_other_office).
func (s *SQLStore) Enroll(ctx context.Context, in EnrollInput) (Device, Office, error) {
	var dev Device
	var off Office
	err := s.write(ctx, func(tx *sql.Tx) error {
		var officeID, role string
		var expires, used int64
		err := tx.QueryRowContext(ctx, s.q(`SELECT office_id, role, expires_at, used_at FROM hq_enroll_codes WHERE code_hash = ?`+s.forUpdate()),
			in.CodeHash).Scan(&officeID, &role, &expires, &used)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return coded(hqsync.CodeUnauthorized, "err.sync.code_invalid", nil)
		case err != nil:
			return err
		case used != 0:
			return coded(hqsync.CodeUnauthorized, "err.sync.code_used", nil)
		case in.Now >= expires:
			return coded(hqsync.CodeUnauthorized, "err.sync.code_expired", nil)
		}
		var historyFrom string
		err = tx.QueryRowContext(ctx, s.q(`SELECT id, code, name, created_at, history_from FROM hq_offices WHERE id = ?`+s.forUpdate()),
			officeID).Scan(&off.ID, &off.Code, &off.Name, &off.CreatedAt, &historyFrom)
		if err != nil {
			return fmt.Errorf("office: %w", err)
		}
		// A device already known?
		var prevOffice, prevTag string
		err = tx.QueryRowContext(ctx, s.q(`SELECT office_id, tag FROM hq_devices WHERE id = ?`+s.forUpdate()), in.DeviceID).Scan(&prevOffice, &prevTag)
		known := err == nil
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if known && prevOffice != officeID {
			return coded(data.ECONFLICT, "err.sync.device_other_office", nil)
		}
		if in.Standalone != nil && in.Standalone.HasHistory && role == hqsync.RoleOffice {
			if historyFrom != "" && historyFrom != in.DeviceID {
				return coded(data.ECONFLICT, "err.sync.office_has_history", map[string]any{"Office": off.Code})
			}
			var n int
			// History is what the office's devices recorded: not HQ's own
			// records (origin "hq", or an HQ device's) nor this device's.
			if err := tx.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM hq_records r WHERE r.scope = ? AND r.origin_device NOT IN (?, ?)
				AND NOT EXISTS (SELECT 1 FROM hq_devices d WHERE d.id = r.origin_device AND d.role = 'hq')`),
				hqsync.OfficeScope(officeID), HQOrigin, in.DeviceID).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return coded(data.ECONFLICT, "err.sync.office_has_history", map[string]any{"Office": off.Code})
			}
			if _, err := tx.ExecContext(ctx, s.q(`UPDATE hq_offices SET history_from = ? WHERE id = ?`), in.DeviceID, officeID); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE hq_enroll_codes SET used_at = ?, used_by = ? WHERE code_hash = ?`),
			in.Now, in.DeviceID, in.CodeHash); err != nil {
			return err
		}
		tag := prevTag
		if known {
			_, err = tx.ExecContext(ctx, s.q(`UPDATE hq_devices SET secret_hash = ?, name = ?, install_epoch = ?, revoked_at = 0, role = ?, last_contact = ? WHERE id = ?`),
				in.SecretHash, in.DeviceName, in.InstallEpoch, role, in.Now, in.DeviceID)
		} else {
			tags := map[string]bool{}
			rows, qerr := tx.QueryContext(ctx, s.q(`SELECT tag FROM hq_devices WHERE office_id = ?`), officeID)
			if qerr != nil {
				return qerr
			}
			for rows.Next() {
				var t string
				rows.Scan(&t)
				tags[t] = true
			}
			rows.Close()
			for i := 0; ; i++ {
				if t := tagName(i); !tags[t] {
					tag = t
					break
				}
			}
			_, err = tx.ExecContext(ctx, s.q(`INSERT INTO hq_devices (id, office_id, role, tag, name, secret_hash, install_epoch, last_contact, enrolled_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`),
				in.DeviceID, officeID, role, tag, in.DeviceName, in.SecretHash, in.InstallEpoch, in.Now, in.Now)
		}
		if err != nil {
			return err
		}
		if in.Standalone != nil && in.HistoryUpto > 0 && role == hqsync.RoleOffice {
			if _, err := tx.ExecContext(ctx, s.q(`UPDATE hq_devices SET history_epoch = ?, history_upto = ? WHERE id = ?`),
				in.InstallEpoch, in.HistoryUpto, in.DeviceID); err != nil {
				return err
			}
		}
		dev, err = s.device(ctx, tx, in.DeviceID)
		return err
	})
	if err != nil {
		if _, ok := data.AsError(err); ok {
			return Device{}, Office{}, err
		}
		return Device{}, Office{}, fmt.Errorf("enroll: %w", err)
	}
	return dev, off, nil
}

// tagName is the i-th device tag: A … Z, then AA, AB, …
func tagName(i int) string {
	const letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	if i < 26 {
		return letters[i : i+1]
	}
	return tagName(i/26-1) + letters[i%26:i%26+1]
}

type queryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

const deviceCols = `d.id, d.office_id, o.code, d.role, d.tag, d.name, d.install_epoch, d.last_seq, d.pending, d.last_contact, d.enrolled_at, d.revoked_at, d.secret_hash, d.history_epoch, d.history_upto`

func scanDevice(sc interface{ Scan(...any) error }) (Device, error) {
	var d Device
	err := sc.Scan(&d.ID, &d.OfficeID, &d.OfficeCode, &d.Role, &d.Tag, &d.Name, &d.InstallEpoch, &d.LastSeq, &d.Pending, &d.LastContact, &d.EnrolledAt, &d.RevokedAt, &d.SecretHash, &d.HistoryEpoch, &d.HistoryUpto)
	return d, err
}

func (s *SQLStore) device(ctx context.Context, q queryer, id string) (Device, error) {
	d, err := scanDevice(q.QueryRowContext(ctx, s.q(`SELECT `+deviceCols+` FROM hq_devices d JOIN hq_offices o ON o.id = d.office_id WHERE d.id = ?`), id))
	if errors.Is(err, sql.ErrNoRows) {
		return Device{}, coded(data.ENOTFOUND, "err.sync.no_device", nil)
	}
	return d, err
}

// Device reads one device.
func (s *SQLStore) Device(ctx context.Context, id string) (Device, error) {
	d, err := s.device(ctx, s.reads, id)
	if err != nil {
		if _, ok := data.AsError(err); ok {
			return Device{}, err
		}
		return Device{}, fmt.Errorf("device: %w", err)
	}
	return d, nil
}

// Devices lists every device by office code and tag.
func (s *SQLStore) Devices(ctx context.Context) ([]Device, error) {
	rows, err := s.rdb.QueryContext(ctx, `SELECT `+deviceCols+` FROM hq_devices d JOIN hq_offices o ON o.id = d.office_id ORDER BY o.code, length(d.tag), d.tag`)
	if err != nil {
		return nil, fmt.Errorf("devices: %w", err)
	}
	defer rows.Close()
	var out []Device
	for rows.Next() {
		d, err := scanDevice(rows)
		if err != nil {
			return nil, fmt.Errorf("devices: %w", err)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// Revoke marks a device revoked; its next request is refused.
func (s *SQLStore) Revoke(ctx context.Context, deviceID string, now int64) error {
	var n int64
	err := s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`UPDATE hq_devices SET revoked_at = ? WHERE id = ? AND revoked_at = 0`), now, deviceID)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return fmt.Errorf("revoke: %w", err)
	}
	if n == 0 {
		if _, err := s.Device(ctx, deviceID); err != nil {
			return err
		}
	}
	return nil
}

// Touch records a device's last contact.
func (s *SQLStore) Touch(ctx context.Context, deviceID string, now int64) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, s.q(`UPDATE hq_devices SET last_contact = ? WHERE id = ?`), now, deviceID)
		return err
	})
}

// RenameOffice gives the office with that code a new name.
func (s *SQLStore) RenameOffice(ctx context.Context, code, name string) (Office, error) {
	name = strings.TrimSpace(name)
	if name == "" || len([]rune(name)) > 60 || !utf8.ValidString(name) || strings.IndexFunc(name, unicode.IsControl) >= 0 {
		return Office{}, coded(data.EINVALID, "err.sync.office_name", nil)
	}
	o, err := s.OfficeByCode(ctx, code)
	if err != nil {
		return Office{}, err
	}
	if o.Code == HQOfficeCode {
		return Office{}, coded(data.EINVALID, "err.office_code.chars", nil)
	}
	err = s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, s.q(`UPDATE hq_offices SET name = ? WHERE id = ?`), name, o.ID)
		return err
	})
	o.Name = name
	return o, err
}

// RenameDevice records the name a device now goes by.
func (s *SQLStore) RenameDevice(ctx context.Context, deviceID, name string) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, s.q(`UPDATE hq_devices SET name = ? WHERE id = ?`), name, deviceID)
		return err
	})
}

// Rejections lists refused mutations, newest first; officeID "" for all.
func (s *SQLStore) Rejections(ctx context.Context, officeID string, limit int) ([]Rejection, error) {
	if limit <= 0 {
		limit = 100
	}
	rows, err := s.rdb.QueryContext(ctx, s.q(`SELECT r.device_id, o.code, r.install_epoch, r.seq, r.name, r.version, r.code, r.err_key, r.args, r.at
		FROM hq_rejections r JOIN hq_offices o ON o.id = r.office_id
		WHERE (? = '' OR r.office_id = ?) ORDER BY r.at DESC, r.seq DESC LIMIT ?`), officeID, officeID, limit)
	if err != nil {
		return nil, fmt.Errorf("rejections: %w", err)
	}
	defer rows.Close()
	var out []Rejection
	for rows.Next() {
		var r Rejection
		if err := rows.Scan(&r.DeviceID, &r.OfficeCode, &r.InstallEpoch, &r.Seq, &r.Name, &r.Version, &r.Code, &r.Key, &r.Args, &r.At); err != nil {
			return nil, fmt.Errorf("rejections: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

package data

import (
	"context"
	"fmt"
)

// OfficeEdit is an admin's change of the office's name and code and this
// device's name, made in Settings after setup.
//
// Who owns what (docs/sync.md, "The office's name and code"):
//   - The device name is this device's own: always editable here; the
//     sync client sends it with its token request, and HQ's device list
//     follows.
//   - The office's name and code are its office.setup record. A standalone
//     office writes a new version of it (it travels as the office's history
//     when the office enrols, where HQ's office replaces it). Once the
//     office is enrolled HQ owns the record: the desk refuses a change
//     (err.office.at_hq) and the name changes at HQ.
//   - A new code applies to what is numbered from now on. Ticket numbers
//     already given keep the code they were printed with (a number is
//     stored, never derived again); the daily counter of this device goes
//     on, so a day with two codes never repeats a number. A code that FAQ
//     entries are limited to (their scope) is refused while they are in
//     the manual (err.office.code_scoped): they would silently drop out of
//     the office's answers.
type OfficeEdit struct {
	OfficeName string
	OfficeCode string
	DeviceName string
}

// Validate cleans the edit and returns every field's error at once
// (FieldErrors), with the setup form's rules.
func (in *OfficeEdit) Validate() error {
	fe := validateOffice(&in.OfficeName, &in.OfficeCode, &in.DeviceName)
	if len(fe) > 0 {
		return fe
	}
	return nil
}

// OfficeEditable says whether this desk may change the office's name and
// code (false once the office is enrolled at HQ, which owns them).
func (s *Store) OfficeEditable(ctx context.Context) (bool, error) {
	var enrolled bool
	var role string
	err := s.db.QueryRowContext(ctx, `SELECT enrolled, role FROM sync_state WHERE id = 1`).Scan(&enrolled, &role)
	if isNoRows(err) {
		return true, nil
	}
	if err != nil {
		return false, fmt.Errorf("office editable: %w", err)
	}
	return !enrolled, nil
}

// EditOffice changes the office's name and code and this device's name.
// Only an active admin may. Nothing changes on any error.
func (s *Store) EditOffice(ctx context.Context, actorID string, in OfficeEdit) (Device, Office, error) {
	if err := in.Validate(); err != nil {
		return Device{}, Office{}, err
	}
	dev, off, err := s.Device()
	if err != nil {
		return Device{}, Office{}, err
	}
	at := ms(s.now())
	err = s.tx(ctx, func(tx *txn) error {
		if _, err := requireActor(ctx, tx, actorID, func(r Role) bool { return r == RoleAdmin }); err != nil {
			return err
		}
		var cur Office
		var p officeSetup
		var by *string
		if err := tx.QueryRowContext(ctx, `SELECT id, office_id, device_id, created_at, created_by, code, name, time_zone FROM office WHERE id = ?`, off.ID).
			Scan(&p.ID, &p.OfficeID, &p.DeviceID, &p.CreatedAt, &by, &cur.Code, &cur.Name, &cur.TimeZone); err != nil {
			return fmt.Errorf("edit office: %w", err)
		}
		if by != nil {
			p.CreatedBy = *by
		}
		if in.OfficeName != cur.Name || in.OfficeCode != cur.Code {
			var enrolled bool
			if err := tx.QueryRowContext(ctx, `SELECT enrolled FROM sync_state WHERE id = 1`).Scan(&enrolled); err != nil && !isNoRows(err) {
				return fmt.Errorf("edit office: %w", err)
			}
			if enrolled {
				fe := FieldErrors{}
				if in.OfficeName != cur.Name {
					fe["office_name"] = &Error{Code: EFORBIDDEN, Field: "office_name", Key: "err.office.at_hq"}
				}
				if in.OfficeCode != cur.Code {
					fe["office_code"] = &Error{Code: EFORBIDDEN, Field: "office_code", Key: "err.office.at_hq"}
				}
				return fe
			}
			if in.OfficeCode != cur.Code {
				var n int
				if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM faq_versions v JOIN faq_entries x ON x.id = v.entry_id
					WHERE v.scope = ? AND x.latest_status != 'retired'`, cur.Code).Scan(&n); err != nil {
					return fmt.Errorf("edit office: faq scope: %w", err)
				}
				if n > 0 {
					return FieldErrors{"office_code": invalid("office_code", "err.office.code_scoped", map[string]any{"Code": cur.Code, "Count": n})}
				}
			}
			p.Code, p.Name, p.TimeZone = in.OfficeCode, in.OfficeName, cur.TimeZone
			if err := record(ctx, tx, at, &p); err != nil {
				return err
			}
		}
		if in.DeviceName != dev.Name {
			if _, err := tx.ExecContext(ctx, `UPDATE device SET name = ? WHERE id = ?`, in.DeviceName, dev.ID); err != nil {
				return fmt.Errorf("edit office: device name: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return Device{}, Office{}, err
	}
	if err := s.loadDevice(ctx); err != nil {
		return Device{}, Office{}, err
	}
	return s.Device()
}

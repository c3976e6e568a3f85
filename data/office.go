package data

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"strings"
	"time"
)

// Device is this installation.
type Device struct {
	ID           string
	OfficeID     string
	Name         string
	InstallEpoch int64
	CreatedAt    time.Time
	// Tag is the device's letter in its office's ticket numbers, given by
	// HQ at enrollment; "" for a standalone device.
	Tag string
}

// Office is the sales office this device belongs to.
type Office struct {
	ID       string
	Code     string
	Name     string
	TimeZone string
}

// SetupInput is the first-run form.
type SetupInput struct {
	OfficeName string
	OfficeCode string
	DeviceName string
	AdminName  string
	AdminPIN   string
}

var officeCodeRe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]*$`)

// validateOffice cleans an office's name and code and the device's name in
// place (the code upper-cased) and returns their field errors: the rules
// of the setup form and of Settings' office edit.
func validateOffice(officeName, officeCode, deviceName *string) FieldErrors {
	fe := FieldErrors{}
	var err *Error
	if *officeName, err = cleanLine("office_name", *officeName, true, MaxOfficeLen); err != nil {
		fe["office_name"] = err
	}
	if code, err := cleanLine("office_code", *officeCode, true, MaxCodeLen); err != nil {
		fe["office_code"] = err
	} else if !officeCodeRe.MatchString(code) {
		fe["office_code"] = invalid("office_code", "err.office_code.chars", nil)
	} else {
		*officeCode = strings.ToUpper(code)
	}
	if *deviceName, err = cleanLine("device_name", *deviceName, true, MaxOfficeLen); err != nil {
		fe["device_name"] = err
	}
	return fe
}

// Validate checks the setup form and returns every field's error at once
// (FieldErrors).
func (in *SetupInput) Validate() error {
	fe := validateOffice(&in.OfficeName, &in.OfficeCode, &in.DeviceName)
	var err *Error
	if in.AdminName, err = CleanPersonName("admin_name", in.AdminName); err != nil {
		fe["admin_name"] = err
	}
	in.AdminPIN = FoldInput(in.AdminPIN)
	if err = checkPIN("admin_pin", in.AdminPIN, RoleAdmin); err != nil {
		fe["admin_pin"] = err
	}
	if len(fe) > 0 {
		return fe
	}
	return nil
}

// IsSetUp reports whether the first-run setup is done.
func (s *Store) IsSetUp() bool {
	_, _, err := s.ids()
	return err == nil
}

// Device returns this device and its office.
func (s *Store) Device() (Device, Office, error) {
	d, o, err := s.ids()
	if err != nil {
		return Device{}, Office{}, err
	}
	return *d, *o, nil
}

func (s *Store) loadDevice(ctx context.Context) error {
	var d Device
	var o Office
	var created int64
	err := s.db.QueryRowContext(ctx, `SELECT d.id, d.office_id, d.name, d.install_epoch, d.created_at, d.tag,
		o.id, o.code, o.name, o.time_zone FROM device d JOIN office o ON o.id = d.office_id`).
		Scan(&d.ID, &d.OfficeID, &d.Name, &d.InstallEpoch, &created, &d.Tag, &o.ID, &o.Code, &o.Name, &o.TimeZone)
	if isNoRows(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("load device: %w", err)
	}
	d.CreatedAt = fromMS(created)
	loc, lerr := time.LoadLocation(o.TimeZone)
	if lerr != nil {
		loc = shanghai
	}
	s.mu.Lock()
	s.device, s.office, s.loc = &d, &o, loc
	s.mu.Unlock()
	return nil
}

// Setup records the office, this device, the first admin and the default
// source channels, all in one transaction. It can be done once.
func (s *Store) Setup(ctx context.Context, in SetupInput) (Staff, error) {
	if err := in.Validate(); err != nil {
		return Staff{}, err
	}
	if s.IsSetUp() {
		return Staff{}, &Error{Code: ECONFLICT, Key: "err.setup.done"}
	}
	now := s.now()
	at := ms(now)
	dev := Device{ID: newID(), OfficeID: newID(), Name: in.DeviceName, InstallEpoch: now.UnixNano(), CreatedAt: fromMS(at)}
	off := Office{ID: dev.OfficeID, Code: in.OfficeCode, Name: in.OfficeName, TimeZone: "Asia/Shanghai"}
	admin := Staff{ID: newID(), OfficeID: off.ID, Name: in.AdminName, Role: RoleAdmin, HasPIN: true, Active: true, CreatedAt: fromMS(at)}
	hash, err := s.newVerifier(ctx, admin.ID, in.AdminPIN)
	if err != nil {
		return Staff{}, err
	}
	err = s.tx(ctx, func(tx *txn) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM device`).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return &Error{Code: ECONFLICT, Key: "err.setup.done"}
		}
		// A device that showed its identity before setup (to HQ, say) keeps it.
		id, epoch, err := ensureSyncState(ctx, tx, dev.ID, dev.InstallEpoch)
		if err != nil {
			return err
		}
		dev.ID, dev.InstallEpoch = id, epoch
		if _, err := tx.ExecContext(ctx, `INSERT INTO device (id, office_id, device_id, created_at, name, install_epoch) VALUES (?, ?, ?, ?, ?, ?)`,
			dev.ID, off.ID, dev.ID, at, dev.Name, dev.InstallEpoch); err != nil {
			return fmt.Errorf("insert device: %w", err)
		}
		if err := record(ctx, tx, at, &officeSetup{recStamp: recStamp{ID: off.ID, OfficeID: off.ID, DeviceID: dev.ID, CreatedAt: at, CreatedBy: admin.ID},
			Code: off.Code, Name: off.Name, TimeZone: off.TimeZone}); err != nil {
			return err
		}
		st := stamp{id: admin.ID, office: off.ID, device: dev.ID, at: at}
		if err := insertStaff(ctx, tx, st, "", admin, hash); err != nil {
			return err
		}
		return insertDefaultSources(ctx, tx, st.office, st.device, at, admin.ID)
	})
	if err != nil {
		return Staff{}, err
	}
	s.mu.Lock()
	s.device, s.office, s.loc = &dev, &off, shanghai
	s.mu.Unlock()
	return admin, nil
}

// officeSetup (office.setup v1) writes the office's record: its code, name
// and time zone. A standalone device writes it at setup; once the office is
// enrolled HQ owns it (an enrolling device drops its pending office.setup).
type officeSetup struct {
	recStamp        // ID = OfficeID = the office
	Code     string `json:"code"`
	Name     string `json:"name"`
	TimeZone string `json:"time_zone"`
}

func init() {
	registerMutation[officeSetup](MutationSpec{Name: MutOfficeSetup, Version: 1, Entity: "office", Owner: OwnerHQ, Replace: true, Rank: rankOffice})
	registerReencoder(MutOfficeSetup, func(ctx context.Context, tx *txn, e OutboxEntry) (payload, error) {
		var p officeSetup
		var by sql.NullString
		err := tx.QueryRowContext(ctx, `SELECT id, office_id, device_id, created_at, created_by, code, name, time_zone FROM office WHERE id = ?`, e.RecordID).
			Scan(&p.ID, &p.OfficeID, &p.DeviceID, &p.CreatedAt, &by, &p.Code, &p.Name, &p.TimeZone)
		p.CreatedBy = by.String
		return &p, err
	})
}

func (*officeSetup) spec() *MutationSpec { return specOf(MutOfficeSetup, 1) }
func (*officeSetup) refs() []Ref         { return nil }

func (p *officeSetup) validate() error {
	if err := p.check(); err != nil {
		return err
	}
	if p.OfficeID != p.ID {
		return invalid("office_id", "err.sync.payload", nil)
	}
	if _, err := cleanLine("office_name", p.Name, true, MaxOfficeLen); err != nil {
		return err
	}
	if c, err := cleanLine("office_code", p.Code, true, MaxCodeLen); err != nil {
		return err
	} else if !officeCodeRe.MatchString(c) || c != p.Code {
		return invalid("office_code", "err.office_code.chars", nil)
	}
	if _, err := time.LoadLocation(p.TimeZone); err != nil || p.TimeZone == "" {
		return invalid("time_zone", "err.field.choice", nil)
	}
	return nil
}

func (p *officeSetup) apply(ctx context.Context, tx *txn, ac applyCtx) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO office (id, office_id, device_id, created_at, created_by, code, name, time_zone, sync_ord)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET code = excluded.code, name = excluded.name, time_zone = excluded.time_zone,
		sync_ord = excluded.sync_ord WHERE `+replaceIfNewer,
		p.ID, p.OfficeID, p.DeviceID, p.CreatedAt, p.by(), p.Code, p.Name, p.TimeZone, ac.ord, ac.echoOrd()); err != nil {
		return fmt.Errorf("write office: %w", err)
	}
	return nil
}

// deviceTag is this device's letter in its office's ticket numbers
// (SH01-20261207-B003): given by HQ at enrollment, "" while standalone.
func (s *Store) deviceTag() string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.device == nil {
		return ""
	}
	return s.device.Tag
}

// Setting returns a device-local preference, or def when unset.
func (s *Store) Setting(ctx context.Context, key, def string) (string, error) {
	var v string
	err := s.db.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, key).Scan(&v)
	if isNoRows(err) {
		return def, nil
	}
	if err != nil {
		return def, fmt.Errorf("read setting %s: %w", key, err)
	}
	return v, nil
}

// SetSetting stores a device-local preference. Preferences are not synced.
func (s *Store) SetSetting(ctx context.Context, key, value string) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES (?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
	if err != nil {
		return fmt.Errorf("write setting %s: %w", key, err)
	}
	return nil
}

package data

import (
	"context"
	"fmt"

	"github.com/google/uuid"
)

// An HQ device (enrolled with an HQ code) has no office of its own. It
// keeps a local office named after HQ so the desk works, with an id every
// HQ device of one HQ installation shares (HQLocalOfficeID): its staff and
// other office-owned records go to HQ's own scope ("hq"), which only HQ
// devices read, so a second HQ device gets the first one's staff. Its
// first admin is made once it has joined (CreateFirstAdmin), since Setup
// refuses a store the enrollment has set up. See docs/sync.md, HQ devices.

// HQLocalOfficeID is the id of the local office every HQ device of the HQ
// installation hqID keeps. HQ computes it too, to take the HQ devices'
// own records into its scope "hq".
func HQLocalOfficeID(hqID string) string {
	return uuid.NewSHA1(uuid.NameSpaceURL, []byte("anchang-hq:"+hqID)).String()
}

// FirstAdminInput is an HQ device's first administrator.
type FirstAdminInput struct {
	Name, PIN string
}

// isHQDevice says whether this store is enrolled as an HQ device.
func isHQDevice(ctx context.Context, q queryer) (bool, error) {
	var enrolled bool
	var role string
	err := q.QueryRowContext(ctx, `SELECT enrolled, role FROM sync_state WHERE id = 1`).Scan(&enrolled, &role)
	if isNoRows(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("sync state: %w", err)
	}
	return enrolled && role == SyncRoleHQ, nil
}

// IsHQDevice says whether this store is enrolled at HQ as an HQ device
// (it approves and publishes HQ's reference data).
func (s *Store) IsHQDevice(ctx context.Context) (bool, error) { return isHQDevice(ctx, s.db) }

// NeedsFirstAdmin says whether this is an HQ device nobody can sign in to
// yet: enrolled as an HQ device, with no active admin who has a PIN (none
// made here, none arrived from another HQ device).
func (s *Store) NeedsFirstAdmin(ctx context.Context) (bool, error) {
	hq, err := isHQDevice(ctx, s.db)
	if err != nil || !hq {
		return false, err
	}
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM staff WHERE role = ? AND active = 1 AND pin_hash != ''`, RoleAdmin).Scan(&n); err != nil {
		return false, fmt.Errorf("first admin: %w", err)
	}
	return n == 0, nil
}

// CreateFirstAdmin makes the first administrator of an HQ device that has
// none (NeedsFirstAdmin). Anywhere else it is refused: a standalone office
// gets its admin from Setup, an office device its staff from HQ.
func (s *Store) CreateFirstAdmin(ctx context.Context, in FirstAdminInput) (Staff, error) {
	si := StaffInput{Name: in.Name, Role: RoleAdmin, PIN: in.PIN}
	if err := si.validate(true); err != nil {
		return Staff{}, err
	}
	st, err := s.stamp()
	if err != nil {
		return Staff{}, err
	}
	hash, err := s.newVerifier(ctx, st.id, si.PIN)
	if err != nil {
		return Staff{}, err
	}
	out := Staff{ID: st.id, OfficeID: st.office, Name: si.Name, Role: RoleAdmin, HasPIN: true, Active: true, CreatedAt: fromMS(st.at)}
	err = s.tx(ctx, func(tx *txn) error {
		hq, err := isHQDevice(ctx, tx)
		if err != nil {
			return err
		}
		if !hq {
			return &Error{Code: ECONFLICT, Key: "err.first_admin.not_hq"}
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM staff WHERE role = ? AND active = 1 AND pin_hash != ''`, RoleAdmin).Scan(&n); err != nil {
			return fmt.Errorf("first admin: %w", err)
		}
		if n > 0 {
			return &Error{Code: ECONFLICT, Key: "err.first_admin.exists"}
		}
		return insertStaff(ctx, tx, st, "", out, hash)
	})
	if err != nil {
		return Staff{}, err
	}
	return out, nil
}

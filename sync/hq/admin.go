package hq

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"anchang/data"
	hqsync "anchang/sync"
)

// OfficeSetupMutation is the mutation that carries an office's own record
// (data's office.setup v1: HQ-owned, in the office's scope).
const (
	OfficeSetupMutation = "office.setup"
	OfficeSetupVersion  = 1
	DefaultTimeZone     = "Asia/Shanghai"
)

// officeSetupPayload is data's office.setup v1 payload. Describe checks it
// strictly, so a change of shape in data fails AddOffice's tests.
type officeSetupPayload struct {
	ID        string `json:"id"`
	OfficeID  string `json:"office_id"`
	DeviceID  string `json:"device_id"`
	CreatedAt int64  `json:"created_at"`
	CreatedBy string `json:"created_by"`
	Code      string `json:"code"`
	Name      string `json:"name"`
	TimeZone  string `json:"time_zone"`
}

// RenameOffice renames an office and writes its record's next version
// (office.setup, same id and code) into the office's scope as an
// HQ-authored change, so its devices show the new name after their next
// pull (an enrolled desk cannot rename its office: HQ owns the record).
func RenameOffice(ctx context.Context, st Store, describe DescribeFunc, code, name string, now time.Time) (Office, error) {
	off, err := st.RenameOffice(ctx, code, name)
	if err != nil {
		return Office{}, err
	}
	hqID, err := st.HQID(ctx)
	if err != nil {
		return off, fmt.Errorf("office record: %w", err)
	}
	p, _ := json.Marshal(officeSetupPayload{ID: off.ID, OfficeID: off.ID, DeviceID: hqID, CreatedAt: off.CreatedAt,
		Code: off.Code, Name: off.Name, TimeZone: DefaultTimeZone})
	d, err := describe(OfficeSetupMutation, OfficeSetupVersion, p)
	if err != nil {
		return off, fmt.Errorf("office record: %w", err)
	}
	if _, err := st.AppendHQ(ctx, HQChange{Scope: hqsync.OfficeScope(off.ID), Entity: d.Spec.Entity, RecordID: d.RecordID,
		Name: OfficeSetupMutation, Version: OfficeSetupVersion, Rank: d.Spec.Rank, Payload: p}, now.UnixMilli()); err != nil {
		return off, err
	}
	return off, nil
}

// AddOffice creates an office and writes its record (office.setup) into the
// office's scope as an HQ-authored change, so a device joining it gets the
// office in its snapshot. describe validates the payload; when it does not
// know office.setup yet (data not converted), the office is created without
// its record and recorded=false says so.
func AddOffice(ctx context.Context, st Store, describe DescribeFunc, code, name string, now time.Time) (off Office, recorded bool, err error) {
	off, err = st.AddOffice(ctx, code, name, now.UnixMilli())
	if err != nil {
		return Office{}, false, err
	}
	// The record's device is HQ's installation id: data checks that every
	// stamp's device is an id (HQOrigin stays the change's origin).
	hqID, err := st.HQID(ctx)
	if err != nil {
		return off, false, fmt.Errorf("office record: %w", err)
	}
	p, _ := json.Marshal(officeSetupPayload{ID: off.ID, OfficeID: off.ID, DeviceID: hqID, CreatedAt: now.UnixMilli(),
		Code: off.Code, Name: off.Name, TimeZone: DefaultTimeZone})
	d, err := describe(OfficeSetupMutation, OfficeSetupVersion, p)
	if err != nil {
		if e, ok := data.AsError(err); ok && e.Key == "err.sync.unknown_mutation" {
			return off, false, nil
		}
		return off, false, fmt.Errorf("office record: %w", err)
	}
	if _, err := st.AppendHQ(ctx, HQChange{Scope: hqsync.OfficeScope(off.ID), Entity: d.Spec.Entity, RecordID: d.RecordID,
		Name: OfficeSetupMutation, Version: OfficeSetupVersion, Rank: d.Spec.Rank, Payload: p}, now.UnixMilli()); err != nil {
		return off, false, err
	}
	return off, true, nil
}

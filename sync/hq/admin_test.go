package hq_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"anchang/data"
	"anchang/sync/hq"

	"github.com/google/uuid"
)

// The office record HQ writes must pass data's checks of a record's stamp
// once data knows office.setup: its device_id is an id (HQ's), not "hq".
func TestAddOfficeRecordStamp(t *testing.T) {
	ctx := context.Background()
	st, err := hq.OpenSQLite(ctx, filepath.Join(t.TempDir(), "hq.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var payload []byte
	describe := func(name string, version int, p []byte) (data.Described, error) {
		payload = p
		return data.Described{Spec: data.MutationSpec{Name: name, Version: version, Entity: "office", Owner: data.OwnerHQ, Replace: true}, RecordID: "x"}, nil
	}
	if _, _, err := hq.AddOffice(ctx, st, describe, "SH01", "上海一号案场", time.Now()); err != nil {
		t.Fatal(err)
	}
	var stamp struct {
		DeviceID string `json:"device_id"`
	}
	if err := json.Unmarshal(payload, &stamp); err != nil {
		t.Fatal(err)
	}
	hqID, err := st.HQID(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := uuid.Parse(stamp.DeviceID); err != nil || stamp.DeviceID != hqID {
		t.Errorf("office record's device_id %q, want HQ's id %s", stamp.DeviceID, hqID)
	}
}

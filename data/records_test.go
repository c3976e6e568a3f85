package data

import (
	"context"
	"testing"

	"github.com/google/uuid"
)

// TestEveryRecordIsStamped: every row of every table with an office_id (so
// every synced record, today's and future tables alike) has a UUIDv7 id, this
// office and device, and a creation time.
func TestEveryRecordIsStamped(t *testing.T) {
	s, admin, clk := newTestStore(t)
	ctx := context.Background()
	c := mustStaff(t, s, admin, "陈思远", RoleConsultant, "")
	mustOK(t, s.RotationAction(ctx, admin.ID, c.ID, RotJoin))
	in := desk(t, s, "王芳", "13812345678")
	in.ConsultantID = c.ID
	v := mustCheckIn(t, s, admin.ID, in)
	clk.Advance(60e9)
	mustOK(t, s.HandOver(ctx, admin.ID, v.ID, AreaSandTable))
	mustOK(t, s.CheckOut(ctx, admin.ID, v.ID))
	if _, err := s.AddSource(ctx, admin.ID, "抖音"); err != nil {
		t.Fatal(err)
	}
	dev, off, _ := s.Device()

	rows, err := s.db.QueryContext(ctx, `SELECT m.name FROM sqlite_master m WHERE m.type = 'table'
		AND EXISTS (SELECT 1 FROM pragma_table_info(m.name) WHERE name = 'office_id')
		AND EXISTS (SELECT 1 FROM pragma_table_info(m.name) WHERE name = 'id') ORDER BY m.name`)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var n string
		rows.Scan(&n)
		tables = append(tables, n)
	}
	rows.Close()
	if len(tables) < 8 {
		t.Fatalf("found only %v", tables)
	}
	checked := 0
	for _, table := range tables {
		r, err := s.db.QueryContext(ctx, `SELECT id, office_id, device_id, created_at FROM `+table)
		if err != nil {
			t.Fatalf("%s: %v", table, err)
		}
		for r.Next() {
			var id, office, device string
			var created int64
			if err := r.Scan(&id, &office, &device, &created); err != nil {
				t.Fatalf("%s: %v", table, err)
			}
			u, err := uuid.Parse(id)
			if err != nil || u.Version() != 7 {
				t.Errorf("%s: id %q is not a UUIDv7", table, id)
			}
			if office != off.ID || device != dev.ID || created <= 0 {
				t.Errorf("%s %s: office %s device %s created %d", table, id, office, device, created)
			}
			checked++
		}
		r.Close()
	}
	if checked < 20 {
		t.Fatalf("checked only %d rows", checked)
	}
}

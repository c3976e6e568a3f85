package data

import (
	"context"
	"slices"
	"testing"
)

// Past visits over any period by name, pinyin or phone; a customer's file
// with their visits, tickets and revisits; the visits export with phones
// whole only for roles that may see them.
func TestVisitHistoryCustomerFileAndExport(t *testing.T) {
	t.Parallel()
	s, admin, clk := newTestStore(t)
	ctx := context.Background()
	cons := mustStaff(t, s, admin, "陈顾问", RoleConsultant, "")
	other := mustStaff(t, s, admin, "林顾问", RoleConsultant, "")
	recep := mustStaff(t, s, admin, "李静", RoleReceptionist, "135792")
	start := clk.t
	day := func(d int) string { return s.Day(start.AddDate(0, 0, d)) }

	// 张敏 three times over a month (the last with 陈顾问), 王芳 once.
	ids := map[string]string{}
	for _, v := range []struct {
		label, name, phone string
		days               int
		consultant         string
	}{
		{"Z1", "张敏", "13812345678", -30, ""},
		{"W1", "王芳", "13900001111", -20, other.ID},
		{"Z2", "张敏", "138 1234 5678", -10, ""},
		{"Z3", "张敏", "13812345678", 0, cons.ID},
	} {
		clk.t = start.AddDate(0, 0, v.days)
		in := desk(t, s, v.name, v.phone)
		in.ConsultantID = v.consultant
		ids[v.label] = mustCheckIn(t, s, admin.ID, in).ID
	}
	clk.t = start
	labels := func(rows []BoardRow) []string {
		var out []string
		for _, r := range rows {
			for l, id := range ids {
				if r.VisitID == id {
					out = append(out, l)
				}
			}
		}
		return out
	}
	tests := []struct {
		name string
		q    VisitQuery
		want []string
	}{
		{"everything", VisitQuery{}, []string{"Z3", "Z2", "W1", "Z1"}},
		{"name", VisitQuery{Query: "张敏"}, []string{"Z3", "Z2", "Z1"}},
		{"pinyin", VisitQuery{Query: "zm"}, []string{"Z3", "Z2", "Z1"}},
		{"phone tail", VisitQuery{Query: "1111"}, []string{"W1"}},
		{"phone whole", VisitQuery{Query: "138-1234-5678"}, []string{"Z3", "Z2", "Z1"}},
		{"period", VisitQuery{From: day(-25), To: day(-5)}, []string{"Z2", "W1"}},
		{"period and name", VisitQuery{From: day(-25), To: day(-5), Query: "zhang"}, []string{"Z2"}},
		{"open end", VisitQuery{From: day(-10)}, []string{"Z3", "Z2"}},
		{"nobody", VisitQuery{Query: "qq"}, nil},
	}
	for _, tt := range tests {
		rows, err := s.VisitHistory(ctx, recep.ID, tt.q)
		mustOK(t, err)
		if got := labels(rows); !slices.Equal(got, tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
		for _, r := range rows {
			if r.PhoneMasked != "138****5678" && r.PhoneMasked != "139****1111" {
				t.Errorf("%s: phone %q not masked", tt.name, r.PhoneMasked)
			}
		}
	}
	// A consultant sees the visits they served only.
	rows, err := s.VisitHistory(ctx, cons.ID, VisitQuery{})
	mustOK(t, err)
	if got := labels(rows); !slices.Equal(got, []string{"Z3"}) {
		t.Errorf("consultant's history: %v", got)
	}
	// Bad periods are refused with each field's message.
	for _, q := range []VisitQuery{{From: "2026-13-01"}, {To: "yesterday"}, {From: day(0), To: day(-1)}} {
		_, err := s.VisitHistory(ctx, recep.ID, q)
		var fe FieldErrors
		if !asFieldErrors(err, &fe) || len(fe) != 1 {
			t.Errorf("period %+v: %v", q, err)
		}
	}

	// 张敏's file: three visits, their ticket, their special revisit; the
	// full number for the desk, masked for a consultant who does not own them.
	z, err := s.VisitDetail(ctx, admin.ID, ids["Z3"])
	mustOK(t, err)
	in := complaint(0)
	in.Phone, in.CustomerName = "13812345678", "张敏"
	mustOpen(t, s, recep.ID, in)
	in.Phone = "13900001111"
	mustOpen(t, s, recep.ID, in) // someone else's
	_, err = s.ScheduleSpecialRevisit(ctx, admin.ID, SpecialRevisitInput{CustomerName: "张敏", Phone: "13812345678", Place: "5号楼801"})
	mustOK(t, err)
	cf, err := s.CustomerFile(ctx, recep.ID, z.VisitorID)
	mustOK(t, err)
	if cf.Name != "张敏" || cf.Phone != "+8613812345678" || len(cf.Visits) != 3 || len(cf.Tickets) != 1 || len(cf.Revisits) != 1 || cf.ConsultantName != "陈顾问" {
		t.Fatalf("file: %+v", cf)
	}
	if cf.Tickets[0].Phone != "138****5678" || cf.Revisits[0].Phone != "+8613812345678" {
		t.Errorf("file's lists: ticket phone %q, revisit phone %q", cf.Tickets[0].Phone, cf.Revisits[0].Phone)
	}
	cf, err = s.CustomerFile(ctx, cons.ID, z.VisitorID) // 陈顾问 owns 张敏 since Z3
	mustOK(t, err)
	if cf.Phone != "+8613812345678" {
		t.Errorf("owner's view of the phone: %q", cf.Phone)
	}
	_, err = s.CustomerFile(ctx, other.ID, z.VisitorID)
	wantCode(t, err, EFORBIDDEN)

	// The export: every visit of the period in arrival order, numbered
	// within each day; whole phones for the desk, refused to consultants.
	log, err := s.VisitLog(ctx, recep.ID, VisitQuery{From: day(-30), To: day(0)})
	mustOK(t, err)
	if len(log) != 4 || log[0].VisitID != ids["Z1"] || log[0].Phone != "+8613812345678" || log[0].Ordinal != 1 || log[0].Day != day(-30) {
		t.Fatalf("log: %+v", log)
	}
	log, err = s.VisitLog(ctx, recep.ID, VisitQuery{Query: "wangfang"})
	mustOK(t, err)
	if len(log) != 1 || log[0].Name != "王芳" {
		t.Fatalf("log by pinyin: %+v", log)
	}
	_, err = s.VisitLog(ctx, cons.ID, VisitQuery{})
	wantCode(t, err, EFORBIDDEN)
}

package data

import (
	"context"
	"testing"
	"time"
)

func TestConsultationLogAndMostAsked(t *testing.T) {
	ctx := context.Background()
	s, admin, clk := newFAQStore(t)
	rec := mustStaff(t, s, admin, "李静", RoleReceptionist, "135792")
	visit := mustCheckIn(t, s, rec.ID, desk(t, s, "王芳", testPhone(1)))
	hit := func(q string) string {
		res, err := s.SearchFAQ(ctx, q, 1)
		mustOK(t, err)
		if len(res.Hits) == 0 {
			t.Fatalf("nothing for %q", q)
		}
		return res.Hits[0].Entry.EntryID
	}
	fee, parking, loan := hit("物业费多少"), hit("车位配比"), hit("首付比例")
	for _, step := range []struct {
		visit, entry, query string
	}{
		{visit.ID, fee, "物业费"}, {visit.ID, parking, "chewei"}, {"", fee, "wyf"}, {"", fee, ""}, {"", loan, "首付"},
	} {
		clk.Advance(time.Minute)
		mustOK(t, s.LogConsultation(ctx, rec.ID, step.visit, step.entry, step.query))
	}
	during, err := s.VisitConsultations(ctx, visit.ID)
	mustOK(t, err)
	if len(during) != 2 || during[0].EntryID != fee || during[1].EntryID != parking || during[1].Query != "chewei" ||
		during[0].Question != "物业费多少钱？" || during[0].StaffID != rec.ID || during[0].EntryVersion != 1 {
		t.Fatalf("visit consultations %+v", during)
	}
	live, err := s.LiveFAQ(ctx, fee)
	mustOK(t, err)
	if live.Question != "物业费多少钱？" || live.Status != FAQApproved {
		t.Fatalf("live %+v", live)
	}
	_, err = s.LiveFAQ(ctx, "nope")
	wantKey(t, err, ENOTFOUND, "err.faq.not_found")
	wantKey(t, s.LogConsultation(ctx, rec.ID, "no-such-visit", fee, ""), ENOTFOUND, "err.visit.not_found")
	wantKey(t, s.LogConsultation(ctx, rec.ID, "", "no-such-entry", ""), ENOTFOUND, "err.faq.not_found")
	wantKey(t, s.LogConsultation(ctx, "nobody", "", fee, ""), ENOTFOUND, "err.staff.not_found")

	top, err := s.MostAskedFAQ(ctx, time.Time{}, 10)
	mustOK(t, err)
	if len(top) != 3 || top[0].EntryID != fee || top[0].Count != 3 || top[1].EntryID != loan {
		t.Fatalf("most asked %+v", top)
	}
	recent, err := s.RecentFAQ(ctx, rec.ID, 2)
	mustOK(t, err)
	if len(recent) != 2 || recent[0].EntryID != loan || recent[1].EntryID != fee {
		t.Fatalf("recent %+v", recent)
	}
	if r, _ := s.RecentFAQ(ctx, admin.ID, 5); len(r) != 0 {
		t.Fatalf("admin's recent %+v", r)
	}
	var n int
	mustOK(t, s.db.QueryRow(`SELECT count(*) FROM outbox WHERE mutation = ?`, MutConsultLog).Scan(&n))
	if n != 5 {
		t.Fatalf("%d consult.log rows", n)
	}
	// Only since a time.
	since, err := s.MostAskedFAQ(ctx, clk.Now().Add(-90*time.Second), 10)
	mustOK(t, err)
	if len(since) != 2 {
		t.Fatalf("since %+v", since)
	}
}

func TestHandoffs(t *testing.T) {
	ctx := context.Background()
	s, admin, clk := newFAQStore(t)
	rec := mustStaff(t, s, admin, "李静", RoleReceptionist, "135792")
	cons := mustStaff(t, s, admin, "陈顾问", RoleConsultant, "")
	visit := mustCheckIn(t, s, rec.ID, desk(t, s, "王芳", testPhone(2)))
	for _, tc := range []struct {
		name string
		in   HandoffInput
		code string
		key  string
	}{
		{"empty question", HandoffInput{ToRole: HandoffLoan}, EINVALID, "err.field.required"},
		{"no role", HandoffInput{Question: "二套房能贷多少？"}, EINVALID, "err.faq.handoff_role"},
		{"unknown colleague", HandoffInput{Question: "二套房能贷多少？", ToRole: HandoffLoan, ToStaffID: "nobody"}, EINVALID, "err.faq.handoff_staff"},
		{"unknown visit", HandoffInput{Question: "二套房能贷多少？", ToRole: HandoffLoan, VisitID: "nope"}, ENOTFOUND, "err.visit.not_found"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.HandOffQuestion(ctx, rec.ID, tc.in)
			wantKey(t, err, tc.code, tc.key)
		})
	}
	h1, err := s.HandOffQuestion(ctx, rec.ID, HandoffInput{VisitID: visit.ID, Question: "二套房公积金能贷多少？", ToRole: HandoffLoan})
	mustOK(t, err)
	if !h1.DueAt.Equal(clk.Now().Add(time.Hour)) {
		t.Fatalf("due %v", h1.DueAt)
	}
	clk.Advance(10 * time.Minute)
	h2, err := s.HandOffQuestion(ctx, rec.ID, HandoffInput{Question: "样板间的地板是什么品牌？", ToRole: HandoffEngineering, ToStaffID: cons.ID})
	mustOK(t, err)
	open, err := s.OpenHandoffs(ctx)
	mustOK(t, err)
	if len(open) != 2 || open[0].ID != h1.ID || open[1].ID != h2.ID || open[0].VisitID != visit.ID || open[1].ToStaffID != cons.ID {
		t.Fatalf("open %+v", open)
	}
	clk.Advance(55 * time.Minute)
	if !open[0].Overdue(clk.Now()) || open[1].Overdue(clk.Now()) {
		t.Fatal("overdue")
	}
	mustOK(t, s.FinishHandoff(ctx, rec.ID, h1.ID, "贷款专员已电话回复客户"))
	wantKey(t, s.FinishHandoff(ctx, rec.ID, h1.ID, ""), ECONFLICT, "err.faq.handoff_done")
	wantKey(t, s.FinishHandoff(ctx, rec.ID, "nope", ""), ENOTFOUND, "err.faq.handoff_not_found")
	open, err = s.OpenHandoffs(ctx)
	mustOK(t, err)
	if len(open) != 1 || open[0].ID != h2.ID {
		t.Fatalf("open after done %+v", open)
	}
	var muts []string
	rows, err := s.db.Query(`SELECT mutation FROM outbox WHERE mutation LIKE 'consult.%' ORDER BY seq`)
	mustOK(t, err)
	for rows.Next() {
		var m string
		mustOK(t, rows.Scan(&m))
		muts = append(muts, m)
	}
	rows.Close()
	if len(muts) != 3 || muts[2] != MutHandoffDone {
		t.Fatalf("outbox %v", muts)
	}
}

func TestFAQMisses(t *testing.T) {
	ctx := context.Background()
	s, _, clk := newFAQStore(t)
	for _, q := range []string{"游泳池", " 游泳池 ", "ＡＢＣ", "abc", "游泳池", "健身房开放时间"} {
		clk.Advance(time.Minute)
		mustOK(t, s.RecordFAQMiss(ctx, "", q))
	}
	wantKey(t, s.RecordFAQMiss(ctx, "", "   "), EINVALID, "err.field.required")
	top, err := s.TopFAQMisses(ctx, time.Time{}, 2)
	mustOK(t, err)
	if len(top) != 2 || top[0].Question != "游泳池" || top[0].Count != 3 || top[1].Count != 2 {
		t.Fatalf("top misses %+v", top)
	}
	if n := countRows(t, s, "faq_misses"); n != 6 {
		t.Fatalf("%d misses", n)
	}
}

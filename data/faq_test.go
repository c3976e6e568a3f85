package data

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"anchang/assets"
)

// newFAQStore is a set-up store with the starter manual loaded.
func newFAQStore(t testing.TB) (*Store, Staff, *testClock) {
	t.Helper()
	s, admin, clk := newTestStore(t)
	n, err := s.EnsureStarterFAQ(context.Background(), assets.StarterFAQ)
	if err != nil {
		t.Fatal(err)
	}
	if n < 60 {
		t.Fatalf("starter manual: %d entries, want at least 60", n)
	}
	return s, admin, clk
}

func TestStarterFAQ(t *testing.T) {
	ctx := context.Background()
	s, _, _ := newFAQStore(t)
	cats, err := s.FAQCategories(ctx)
	mustOK(t, err)
	if len(cats) != len(DefaultFAQCategories) {
		t.Fatalf("%d categories", len(cats))
	}
	list, err := s.ListFAQ(ctx, FAQFilter{})
	mustOK(t, err)
	per := map[string]int{}
	for _, e := range list {
		v := e.Latest
		per[v.Category]++
		if !v.Template || v.Status != FAQApproved || v.QuestionEN == "" || v.AnswerEN == "" || e.LiveVersion != 1 {
			t.Errorf("starter entry %q: %+v", v.Question, e)
		}
		if issues := LintFAQ(v.FAQInput, DefaultVagueWords); len(issues) > 0 {
			t.Errorf("starter entry %q has vague wording: %v", v.Question, issues)
		}
	}
	for _, c := range DefaultFAQCategories {
		if per[c.Code] == 0 {
			t.Errorf("no starter entry in %s", c.Code)
		}
	}
	// A second call loads nothing.
	n, err := s.EnsureStarterFAQ(ctx, assets.StarterFAQ)
	mustOK(t, err)
	if n != 0 {
		t.Fatalf("second load: %d", n)
	}
	var saves int
	mustOK(t, s.db.QueryRow(`SELECT count(*) FROM outbox WHERE mutation = ?`, MutFAQSave).Scan(&saves))
	if saves != len(list) {
		t.Fatalf("%d faq.save outbox rows for %d entries", saves, len(list))
	}
}

func TestStarterFAQBeforeSetup(t *testing.T) {
	s, err := Open(context.Background(), t.TempDir())
	mustOK(t, err)
	defer s.Close()
	n, err := s.EnsureStarterFAQ(context.Background(), assets.StarterFAQ)
	if n != 0 || err != nil {
		t.Fatalf("before setup: %d, %v", n, err)
	}
}

func faqIn(q, a string) FAQInput {
	return FAQInput{Category: "loans", Question: q, Answer: a}
}

func TestFAQValidation(t *testing.T) {
	ctx := context.Background()
	s, admin, _ := newFAQStore(t)
	long := strings.Repeat("答", MaxFAQAnswerLen+1)
	for _, tc := range []struct {
		name  string
		in    FAQInput
		field string
		key   string
	}{
		{"empty question", faqIn("  ", "答案"), "question", "err.field.required"},
		{"empty answer", faqIn("问题", ""), "answer", "err.field.required"},
		{"answer too long", faqIn("问题", long), "answer", "err.field.too_long"},
		{"question with newline", faqIn("问\n题", "答案"), "question", "err.field.control"},
		{"unknown category", FAQInput{Category: "nope", Question: "问题", Answer: "答案"}, "category", "err.faq.category"},
		{"bad scope", FAQInput{Category: "loans", Scope: "a b", Question: "问题", Answer: "答案"}, "scope", "err.faq.scope"},
		{"bad date", FAQInput{Category: "loans", Question: "问题", Answer: "答案", EffectiveOn: "2026-13-01"}, "effective_on", "err.faq.date"},
		{"expiry before effective", FAQInput{Category: "loans", Question: "问题", Answer: "答案", EffectiveOn: "2026-06-01", ExpiresOn: "2026-05-31"}, "expires_on", "err.faq.expiry_before"},
		{"duplicate question, same scope", faqIn("首付比例是多少？", "答案"), "question", "err.faq.duplicate"},
		{"too many tags", FAQInput{Category: "loans", Question: "问题", Answer: "答案", Tags: manyTags(MaxFAQTags + 1)}, "tags", "err.faq.too_many"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := countRows(t, s, "faq_versions")
			_, err := s.SaveFAQ(ctx, admin.ID, "", tc.in)
			e, ok := AsError(err)
			if !ok || e.Field != tc.field || e.Key != tc.key {
				t.Fatalf("err = %v, want %s %s", err, tc.field, tc.key)
			}
			if after := countRows(t, s, "faq_versions"); after != before {
				t.Fatal("a refused save wrote a version")
			}
		})
	}
	// The same question in another scope is fine; expiry on the effective day too.
	_, err := s.SaveFAQ(ctx, admin.ID, "", FAQInput{Category: "loans", Scope: "XHW-01", Question: "首付比例是多少？", Answer: "本案场首付为两成。", EffectiveOn: "2026-06-01", ExpiresOn: "2026-06-01"})
	mustOK(t, err)
}

func TestFAQRoles(t *testing.T) {
	ctx := context.Background()
	s, admin, _ := newFAQStore(t)
	rec := mustStaff(t, s, admin, "李静", RoleReceptionist, "135792")
	sup := mustStaff(t, s, admin, "刘主管", RoleSupervisor, "246813")
	for _, who := range []Staff{rec, sup} {
		_, err := s.SaveFAQ(ctx, who.ID, "", faqIn("新问题", "新答案"))
		wantKey(t, err, EFORBIDDEN, "err.forbidden")
	}
	v, err := s.SaveFAQ(ctx, admin.ID, "", faqIn("新问题", "新答案"))
	mustOK(t, err)
	wantKey(t, s.SetFAQStatus(ctx, rec.ID, v.EntryID, FAQReview, ""), EFORBIDDEN, "err.forbidden")
	wantKey(t, s.SetVagueWords(ctx, rec.ID, []string{"x"}), EFORBIDDEN, "err.forbidden")
}

func TestFAQStatusTransitions(t *testing.T) {
	ctx := context.Background()
	s, admin, _ := newFAQStore(t)
	v, err := s.SaveFAQ(ctx, admin.ID, "", faqIn("提前还款要收违约金吗？", "合作银行规定：贷款满一年后提前还款不收违约金。"))
	mustOK(t, err)
	id := v.EntryID
	steps := []struct {
		to   FAQStatus
		code string
	}{
		{FAQApproved, ECONFLICT}, // draft cannot be approved directly
		{FAQRetired, ECONFLICT},
		{FAQReview, ""},
		{FAQReview, ECONFLICT},
		{FAQDraft, ""}, // sent back
		{FAQReview, ""},
		{FAQApproved, ""},
		{FAQReview, ECONFLICT},
		{FAQDraft, ECONFLICT},
		{FAQRetired, ""},
		{FAQApproved, ECONFLICT},
		{FAQDraft, ECONFLICT},
	}
	for i, st := range steps {
		err := s.SetFAQStatus(ctx, admin.ID, id, st.to, "")
		if got := ErrorCode(err); got != st.code {
			t.Fatalf("step %d → %s: %v, want %q", i, st.to, err, st.code)
		}
	}
	var events int
	mustOK(t, s.db.QueryRow(`SELECT count(*) FROM faq_status_events WHERE entry_id = ?`, id).Scan(&events))
	if events != 6 { // draft, review, draft, review, approved, retired
		t.Fatalf("%d status events, want 6", events)
	}
	var status string
	var live *int
	mustOK(t, s.db.QueryRow(`SELECT latest_status, live_version FROM faq_entries WHERE id = ?`, id).Scan(&status, &live))
	if status != "retired" || live != nil {
		t.Fatalf("retired entry: %s %v", status, live)
	}
	// A retired entry's question may be asked by a new entry.
	_, err = s.SaveFAQ(ctx, admin.ID, "", faqIn("提前还款要收违约金吗？", "新的口径。"))
	mustOK(t, err)
	_, err = s.SaveFAQ(ctx, admin.ID, "nope", faqIn("另一个问题", "答案"))
	wantKey(t, err, ENOTFOUND, "err.faq.not_found")
}

func TestFAQVersionHistory(t *testing.T) {
	ctx := context.Background()
	s, admin, clk := newFAQStore(t)
	approve := func(id string) {
		t.Helper()
		mustOK(t, s.SetFAQStatus(ctx, admin.ID, id, FAQReview, ""))
		mustOK(t, s.SetFAQStatus(ctx, admin.ID, id, FAQApproved, "ok"))
	}
	v1, err := s.SaveFAQ(ctx, admin.ID, "", faqIn("公积金贷款额度是多少？", "单人缴存最高60万元。"))
	mustOK(t, err)
	id := v1.EntryID
	approve(id)
	clk.Advance(3600e9)
	v2, err := s.SaveFAQ(ctx, admin.ID, id, faqIn("公积金贷款额度是多少？", "单人缴存最高80万元。"))
	mustOK(t, err)
	if v2.Version != 2 || v2.Status != FAQDraft {
		t.Fatalf("v2 = %+v", v2)
	}
	// Saving the same content again stores nothing.
	same, err := s.SaveFAQ(ctx, admin.ID, id, faqIn("公积金贷款额度是多少？", "单人缴存最高80万元。"))
	mustOK(t, err)
	if same.Version != 2 {
		t.Fatalf("identical save made version %d", same.Version)
	}
	// While v2 is a draft the desk still answers from v1.
	res, err := s.SearchFAQ(ctx, "公积金贷款额度", 5)
	mustOK(t, err)
	if len(res.Hits) == 0 || res.Hits[0].Entry.EntryID != id || res.Hits[0].Entry.Version != 1 {
		t.Fatalf("search during draft: %+v", res.Hits)
	}
	approve(id)
	res, err = s.SearchFAQ(ctx, "公积金贷款额度", 5)
	mustOK(t, err)
	if res.Hits[0].Entry.Version != 2 || !strings.Contains(res.Hits[0].Entry.Answer, "80万") {
		t.Fatalf("search after approval: %+v", res.Hits[0].Entry)
	}
	hist, err := s.FAQHistory(ctx, id)
	mustOK(t, err)
	if len(hist) != 2 || hist[0].Answer != "单人缴存最高60万元。" || hist[1].Version != 2 {
		t.Fatalf("history %+v", hist)
	}
	for _, h := range hist {
		if h.Status != FAQApproved || h.ApproverID != admin.ID || h.AuthorID != admin.ID || h.ApprovedAt.IsZero() {
			t.Fatalf("version %d: %+v", h.Version, h)
		}
	}
	old, err := s.FAQVersionOf(ctx, id, 1)
	mustOK(t, err)
	if old.Answer != "单人缴存最高60万元。" {
		t.Fatalf("version 1: %+v", old)
	}
	_, err = s.FAQVersionOf(ctx, id, 9)
	wantKey(t, err, ENOTFOUND, "err.faq.not_found")
	var n int
	// faq.save's record is the version (it was the entry before sync): count the entry's.
	mustOK(t, s.db.QueryRow(`SELECT count(*) FROM outbox WHERE json_extract(payload, '$.entry_id') = ? AND mutation = ?`, id, MutFAQSave).Scan(&n))
	if n != 2 {
		t.Fatalf("%d faq.save rows", n)
	}
}

func TestFAQLint(t *testing.T) {
	for _, tc := range []struct {
		name   string
		answer string
		en     string
		want   []LintIssue // Field, Word, Start, End
	}{
		{"clean", "首付比例为15%。", "The down payment is 15%.", nil},
		{"one word", "交房时间可能推迟。", "", []LintIssue{{Field: "answer", Word: "可能", Start: 4, End: 6}}},
		{"every occurrence", "大概三个月，也许更久，大概吧", "", []LintIssue{
			{Field: "answer", Word: "大概", Start: 0, End: 2}, {Field: "answer", Word: "也许", Start: 6, End: 8}, {Field: "answer", Word: "大概", Start: 11, End: 13}}},
		{"longest word wins", "基本上没问题", "", []LintIssue{{Field: "answer", Word: "基本上", Start: 0, End: 3}}},
		{"english whole words", "", "It will maybe open; Maybelline is fine.", []LintIssue{{Field: "answer_en", Word: "maybe", Start: 8, End: 13}}},
		{"english phrase", "", "I think it is ready.", []LintIssue{{Field: "answer_en", Word: "i think", Start: 0, End: 7}}},
		{"full-width letters", "", "ＭＡＹＢＥ", []LintIssue{{Field: "answer_en", Word: "maybe", Start: 0, End: 5}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := LintFAQ(FAQInput{Answer: tc.answer, AnswerEN: tc.en}, DefaultVagueWords)
			if len(got) != len(tc.want) {
				t.Fatalf("got %+v, want %+v", got, tc.want)
			}
			for i, w := range tc.want {
				g := got[i]
				if g.Field != w.Field || g.Word != w.Word || g.Start != w.Start || g.End != w.End || g.Key != "faq.lint.vague" || g.Args["Word"] != w.Word {
					t.Errorf("issue %d = %+v, want %+v", i, g, w)
				}
			}
		})
	}
}

func TestFAQApproveRefusesVagueWording(t *testing.T) {
	ctx := context.Background()
	s, admin, _ := newFAQStore(t)
	v, err := s.SaveFAQ(ctx, admin.ID, "", faqIn("贷款多久能批？", "大概两周，也可能更快。"))
	mustOK(t, err)
	mustOK(t, s.SetFAQStatus(ctx, admin.ID, v.EntryID, FAQReview, ""))
	err = s.SetFAQStatus(ctx, admin.ID, v.EntryID, FAQApproved, "")
	wantKey(t, err, EINVALID, "err.faq.vague")
	var issues LintIssues
	if !errors.As(err, &issues) || len(issues) != 2 || issues[0].Word != "大概" || issues[1].Word != "可能" {
		t.Fatalf("issues %v", issues)
	}
	// A configured list replaces the default.
	mustOK(t, s.SetVagueWords(ctx, admin.ID, []string{"更快"}))
	words, err := s.VagueWords(ctx)
	mustOK(t, err)
	if !slices.Equal(words, []string{"更快"}) {
		t.Fatalf("words %v", words)
	}
	wantKey(t, s.SetFAQStatus(ctx, admin.ID, v.EntryID, FAQApproved, ""), EINVALID, "err.faq.vague")
	mustOK(t, s.SetVagueWords(ctx, admin.ID, []string{"再议"}))
	mustOK(t, s.SetFAQStatus(ctx, admin.ID, v.EntryID, FAQApproved, ""))
}

func TestFAQListAndCategories(t *testing.T) {
	ctx := context.Background()
	s, admin, clk := newFAQStore(t)
	all, err := s.ListFAQ(ctx, FAQFilter{})
	mustOK(t, err)
	parking, err := s.ListFAQ(ctx, FAQFilter{Category: "parking"})
	mustOK(t, err)
	if len(parking) == 0 || len(parking) >= len(all) {
		t.Fatalf("parking %d of %d", len(parking), len(all))
	}
	// Another office's entry, a future one, an expired one and a draft are not on the desk.
	for _, in := range []FAQInput{
		{Category: "parking", Scope: "OTHER", Question: "别的案场的车位", Answer: "不显示"},
		{Category: "parking", Question: "未来的车位政策", Answer: "不显示", EffectiveOn: "2027-01-01"},
		{Category: "parking", Question: "过期的车位政策", Answer: "不显示", EffectiveOn: "2026-01-01", ExpiresOn: "2026-11-22"},
	} {
		v, err := s.SaveFAQ(ctx, admin.ID, "", in)
		mustOK(t, err)
		mustOK(t, s.SetFAQStatus(ctx, admin.ID, v.EntryID, FAQReview, ""))
		mustOK(t, s.SetFAQStatus(ctx, admin.ID, v.EntryID, FAQApproved, ""))
	}
	draft, err := s.SaveFAQ(ctx, admin.ID, "", FAQInput{Category: "parking", Question: "草稿车位", Answer: "不显示"})
	mustOK(t, err)
	_, err = s.LiveFAQ(ctx, draft.EntryID)
	wantKey(t, err, ENOTFOUND, "err.faq.not_found")
	again, err := s.ListFAQ(ctx, FAQFilter{Category: "parking"})
	mustOK(t, err)
	if len(again) != len(parking) {
		t.Fatalf("desk list grew to %d from %d", len(again), len(parking))
	}
	res, err := s.SearchFAQ(ctx, "车位政策", 10)
	mustOK(t, err)
	if res.Total != 0 {
		t.Fatalf("future/expired entries found: %+v", res.Hits)
	}
	clk.Advance(40 * 24 * 3600e9) // 2027-01-02: the future entry is in force
	res, err = s.SearchFAQ(ctx, "车位政策", 10)
	mustOK(t, err)
	if res.Total != 1 || res.Hits[0].Entry.Question != "未来的车位政策" {
		t.Fatalf("after effective date: %+v", res.Hits)
	}
	editing, err := s.ListFAQ(ctx, FAQFilter{Editing: true, Category: "parking"})
	mustOK(t, err)
	if len(editing) != len(parking)+4 {
		t.Fatalf("editor sees %d, want %d", len(editing), len(parking)+4)
	}
	mustOK(t, s.AddFAQCategory(ctx, admin.ID, FAQCategory{Code: "decor", NameZH: "装修", NameEN: "Renovation"}))
	wantKey(t, s.AddFAQCategory(ctx, admin.ID, FAQCategory{Code: "decor", NameZH: "装修"}), EINVALID, "err.faq.category_exists")
	wantKey(t, s.AddFAQCategory(ctx, admin.ID, FAQCategory{Code: "Bad Code", NameZH: "x"}), EINVALID, "err.faq.category_code")
	cats, err := s.FAQCategories(ctx)
	mustOK(t, err)
	if cats[len(cats)-1].Code != "decor" {
		t.Fatalf("categories %+v", cats)
	}
	_, err = s.SaveFAQ(ctx, admin.ID, "", FAQInput{Category: "decor", Question: "可以自己装修吗？", Answer: "可以，按装修管理规定办理。"})
	mustOK(t, err)
}

func manyTags(n int) []string {
	var out []string
	for i := 0; i < n; i++ {
		out = append(out, "标签"+string(rune('A'+i)))
	}
	return out
}

package data

import (
	"context"
	"database/sql"
	"slices"
	"strings"
	"testing"
)

func TestFAQSynonymsSetAndSearch(t *testing.T) {
	ctx := context.Background()
	s, admin, _ := newFAQStore(t)
	got, err := s.FAQSynonyms(ctx)
	mustOK(t, err)
	if len(got) != len(DefaultFAQSynonyms) || got[0].Word != "车位" {
		t.Fatalf("default list: %+v", got)
	}
	found := func(q string) int {
		res, err := s.SearchFAQ(ctx, q, 5)
		mustOK(t, err)
		return res.Total
	}
	if found("咪表") != 0 || found("车库") == 0 {
		t.Fatal("before: 咪表 found or 车库 not found")
	}
	// HQ's own list replaces the starter set; the search follows at once.
	list, err := ParseFAQSynonyms("车位：咪表、车格\n\n交房: 收楼 交楼")
	mustOK(t, err)
	mustOK(t, s.SetFAQSynonyms(ctx, admin.ID, list))
	got, err = s.FAQSynonyms(ctx)
	mustOK(t, err)
	if FormatFAQSynonyms(got) != "车位：咪表、车格\n交房：收楼、交楼" {
		t.Fatalf("saved: %q", FormatFAQSynonyms(got))
	}
	if found("咪表") == 0 || found("车格") == 0 || found("收楼") == 0 {
		t.Fatal("the new list is not searched")
	}
	if found("车库") != 0 {
		t.Fatal("车库 is no longer a synonym but still finds 车位")
	}
	// An empty list restores the starter set.
	mustOK(t, s.SetFAQSynonyms(ctx, admin.ID, nil))
	if found("车库") == 0 || found("咪表") != 0 {
		t.Fatal("the starter set is not back")
	}
}

func TestFAQSynonymsRefused(t *testing.T) {
	ctx := context.Background()
	s, admin, _ := newFAQStore(t)
	consultant, err := s.CreateStaff(ctx, admin.ID, StaffInput{Name: "顾问甲", Role: RoleConsultant})
	mustOK(t, err)
	for _, tc := range []struct {
		name, text, key string
		line            int
	}{
		{"no colon", "车位 停车位", "err.faq.synonym_group", 1},
		{"no variants", "车位：停车位\n\n贷款：", "err.faq.synonym_group", 3},
		{"word twice", "车位：停车位\n车位：车库", "err.faq.synonym_twice", 2},
		{"variant is the word", "车位：車位", "err.faq.synonym_self", 1},
		{"variant in two groups", "车位：车库\n停车：车库", "err.faq.synonym_taken", 2},
		{"a word is another's variant", "车位：停车位\n停车位：泊位", "err.faq.synonym_taken", 1},
		{"too long", "车位：" + strings.Repeat("车", 21), "err.faq.synonym_too_long", 1},
		{"control character", "车位：车\x01库", "err.faq.synonym_line", 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseFAQSynonyms(tc.text)
			e, ok := AsError(err)
			if !ok || e.Key != tc.key || e.Args["Line"] != tc.line || e.Field != "synonyms" {
				t.Fatalf("%q: %v (%+v), want %s on line %d", tc.text, err, e, tc.key, tc.line)
			}
		})
	}
	before := countRows(t, s, "outbox")
	// Bad groups given directly, and a consultant, change nothing.
	err = s.SetFAQSynonyms(ctx, admin.ID, []FAQSynonym{{Word: "车位", Variants: []string{"车位"}}})
	if ErrorCode(err) != EINVALID {
		t.Fatalf("self synonym: %v", err)
	}
	err = s.SetFAQSynonyms(ctx, consultant.ID, []FAQSynonym{{Word: "车位", Variants: []string{"车库"}}})
	if ErrorCode(err) != EFORBIDDEN {
		t.Fatalf("consultant: %v", err)
	}
	if countRows(t, s, "outbox") != before || countRows(t, s, "faq_synonyms") != 0 {
		t.Fatal("a refused list was written")
	}
	// On an enrolled office device the list is HQ's.
	_, err = s.db.ExecContext(ctx, `UPDATE sync_state SET enrolled = 1, role = ?`, SyncRoleOffice)
	mustOK(t, err)
	err = s.SetFAQSynonyms(ctx, admin.ID, []FAQSynonym{{Word: "车位", Variants: []string{"车库"}}})
	if e, ok := AsError(err); !ok || e.Key != "err.sync.approved_at_hq" {
		t.Fatalf("enrolled office: %v", err)
	}
}

// The list travels as faq.synonyms: another device of the office gets it
// from HQ's log and searches with it; the latest in HQ order wins.
func TestFAQSynonymsSync(t *testing.T) {
	ctx := context.Background()
	a, admin, clk := newFAQStore(t)
	mustOK(t, a.SetFAQSynonyms(ctx, admin.ID, []FAQSynonym{{Word: "车位", Variants: []string{"咪表"}}}))
	mustOK(t, a.SetFAQSynonyms(ctx, admin.ID, []FAQSynonym{{Word: "车位", Variants: []string{"车格"}}}))
	_, office, _ := a.Device()
	log := &hqLog{scope: "office:" + office.ID}
	log.push(t, a)
	b := joinStore(t, office, "B", clk)
	log.pull(t, b, 3)
	got, err := b.FAQSynonyms(ctx)
	mustOK(t, err)
	if len(got) != 1 || !slices.Equal(got[0].Variants, []string{"车格"}) {
		t.Fatalf("device b: %+v", got)
	}
	res, err := b.SearchFAQ(ctx, "车格", 5)
	mustOK(t, err)
	if res.Total == 0 {
		t.Fatal("device b does not search with the pulled list")
	}
	if countRows(t, b, "faq_synonyms") != 1 {
		t.Fatal("one record replaced, not one per save")
	}
}

// fixtureV10: a version-10 database (before the synonym list) has no list:
// once migrated it searches with the starter set.
func fixtureV10(t *testing.T, db *sql.DB) func(*testing.T, *Store) {
	return func(t *testing.T, s *Store) {
		var n int
		mustOK(t, s.db.QueryRow(`SELECT count(*) FROM faq_synonyms`).Scan(&n))
		got, err := s.FAQSynonyms(context.Background())
		mustOK(t, err)
		if n != 0 || len(got) != len(DefaultFAQSynonyms) {
			t.Fatalf("after migrating: %d rows, list %+v", n, got)
		}
	}
}

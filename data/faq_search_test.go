package data

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// addLive saves and approves an entry.
func addLive(t testing.TB, s *Store, admin Staff, in FAQInput) string {
	t.Helper()
	ctx := context.Background()
	v, err := s.SaveFAQ(ctx, admin.ID, "", in)
	if err != nil {
		t.Fatalf("save %q: %v", in.Question, err)
	}
	mustOK(t, s.SetFAQStatus(ctx, admin.ID, v.EntryID, FAQReview, ""))
	mustOK(t, s.SetFAQStatus(ctx, admin.ID, v.EntryID, FAQApproved, ""))
	return v.EntryID
}

// searchCorpus is a small manual whose ranking is easy to reason about.
var searchCorpus = map[string]FAQInput{
	"A": {Category: "loans", Question: "贷款利率是多少？", Alternatives: []string{"房贷利率"}, Tags: []string{"LPR"},
		Answer: "首套房利率为LPR减45个基点。", QuestionEN: "What is the loan interest rate?"},
	"B": {Category: "parking", Question: "地库在哪里？", Tags: []string{"停车"}, Answer: "地下车库入口在东门。"},
	"C": {Category: "parking", Question: "车位价格", Answer: "标准车位15万元。", QuestionEN: "How much is a parking space?"},
	"D": {Category: "property", Question: "物业费多少钱？", Alternatives: []string{"物业管理费"}, Tags: []string{"收费"},
		Answer: "每月每平方米3.2元，停车管理费另计。"},
	"E": {Category: "other", Question: "CheWei app 怎么下载？", Answer: "在应用商店搜索。"},
	"F": {Category: "schools", Question: "市政配套有哪些？", Answer: "公园、学校。"},
	"G": {Category: "loans", Question: "是否可以贷款？", Answer: "可以办理商业贷款。"},
	"H": {Category: "delivery", Question: "交房标准", Alternatives: []string{"交付标准是什么"}, Tags: []string{"精装"},
		Answer: "精装修交付，车位另售。"},
}

func newSearchStore(t testing.TB) (*Store, map[string]string) {
	t.Helper()
	s, admin, _ := newTestStore(t)
	names := map[string]string{} // entry id → corpus name
	keys := make([]string, 0, len(searchCorpus))
	for k := range searchCorpus {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		names[addLive(t, s, admin, searchCorpus[k])] = k
	}
	return s, names
}

func TestFAQSearch(t *testing.T) {
	ctx := context.Background()
	s, names := newSearchStore(t)
	for _, tc := range []struct {
		name, query string
		want        string // corpus names in rank order
	}{
		{"one character, question first", "车", "C B H D"},
		{"two characters", "车位", "C H"},
		{"two characters in a tag", "停车", "B D"},
		{"three characters", "是多少", "A"},
		{"five characters in an alternative", "物业管理费", "D"},
		{"no such text", "游泳池", ""},
		{"pinyin in full", "daikuan", "A G"},
		{"pinyin initials", "dk", "B A G"},
		{"pinyin being typed", "daik", "A G"},
		{"pinyin collision: exact letters beat pinyin", "chewei", "E C"},
		{"pinyin of an alternative", "fangdai", "A"},
		{"zh typed as z", "jfbz", "H"},
		{"zh typed in full", "jfbzh", "H"},
		{"homophone characters do not match", "市", "F"},
		{"english word", "parking", "C"},
		{"english prefix", "park", "C"},
		{"english in the question beats the answer", "lpr", "A"},
		{"full-width and upper case", "ＬＰＲ", "A"},
		{"mixed chinese and pinyin", "贷款 lilv", "A"},
		{"mixed latin and chinese, no space", "LPR利率", "A"},
		{"every term must match", "贷款 车位", ""},
		{"punctuation only", "？！", ""},
		{"single letter is not pinyin", "d", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := s.SearchFAQ(ctx, tc.query, 20)
			mustOK(t, err)
			var got []string
			for _, h := range res.Hits {
				got = append(got, names[h.Entry.EntryID])
			}
			if strings.Join(got, " ") != tc.want {
				var detail []string
				for _, h := range res.Hits {
					detail = append(detail, fmt.Sprintf("%s=%d", names[h.Entry.EntryID], h.Score))
				}
				t.Fatalf("%q → %v, want %s", tc.query, detail, tc.want)
			}
			if res.Total != len(got) {
				t.Fatalf("total %d, hits %d", res.Total, len(got))
			}
		})
	}
}

func TestFAQSearchMatches(t *testing.T) {
	ctx := context.Background()
	s, names := newSearchStore(t)
	id := func(name string) string {
		for k, v := range names {
			if v == name {
				return k
			}
		}
		return ""
	}
	for _, tc := range []struct {
		query, entry string
		want         []FAQMatch
		pinyin       bool
	}{
		{"车位", "C", []FAQMatch{{Field: "question", Start: 0, End: 2}, {Field: "answer", Start: 2, End: 4}}, false},
		{"车位", "H", []FAQMatch{{Field: "answer", Start: 6, End: 8}}, false},
		{"dk", "B", []FAQMatch{{Field: "question", Start: 0, End: 2}}, true},
		{"fangdai", "A", []FAQMatch{{Field: "alternative", Index: 0, Start: 0, End: 2}}, true},
		{"lpr", "A", []FAQMatch{{Field: "tag", Index: 0, Start: 0, End: 3}, {Field: "answer", Start: 6, End: 9}}, false},
		{"parking", "C", []FAQMatch{{Field: "question_en", Start: 14, End: 21}}, false},
	} {
		res, err := s.SearchFAQ(ctx, tc.query, 20)
		mustOK(t, err)
		var hit *FAQHit
		for i := range res.Hits {
			if res.Hits[i].Entry.EntryID == id(tc.entry) {
				hit = &res.Hits[i]
			}
		}
		if hit == nil {
			t.Fatalf("%q: %s not found", tc.query, tc.entry)
		}
		if !slices.Equal(hit.Matches, tc.want) || hit.Pinyin != tc.pinyin {
			t.Errorf("%q on %s: matches %+v pinyin %v, want %+v %v", tc.query, tc.entry, hit.Matches, hit.Pinyin, tc.want, tc.pinyin)
		}
	}
}

func TestFAQSearchFollowsChanges(t *testing.T) {
	ctx := context.Background()
	s, admin, _ := newTestStore(t)
	res, err := s.SearchFAQ(ctx, "车位", 10)
	mustOK(t, err)
	if res.Total != 0 {
		t.Fatal("empty manual found something")
	}
	id := addLive(t, s, admin, FAQInput{Category: "parking", Question: "车位多少钱？", Answer: "15万元。"})
	res, err = s.SearchFAQ(ctx, "chewei", 10)
	mustOK(t, err)
	if res.Total != 1 {
		t.Fatalf("new entry not found: %+v", res)
	}
	mustOK(t, s.SetFAQStatus(ctx, admin.ID, id, FAQRetired, ""))
	res, err = s.SearchFAQ(ctx, "车位", 10)
	mustOK(t, err)
	if res.Total != 0 {
		t.Fatal("retired entry still found")
	}
}

func TestFAQSearchLimit(t *testing.T) {
	ctx := context.Background()
	s, _, _ := newFAQStore(t)
	res, err := s.SearchFAQ(ctx, "车位", 3)
	mustOK(t, err)
	if len(res.Hits) != 3 || res.Total <= 3 {
		t.Fatalf("limit: %d hits of %d", len(res.Hits), res.Total)
	}
	for i := 1; i < len(res.Hits); i++ {
		if res.Hits[i].Score > res.Hits[i-1].Score {
			t.Fatal("not ranked")
		}
	}
	// The starter manual answers the desk's everyday questions.
	for _, q := range []string{"物业费", "wuyefei", "首付", "sf", "公积金", "gongjijin", "五证", "学区", "xuequ", "交房", "loan", "parking"} {
		res, err := s.SearchFAQ(ctx, q, 5)
		mustOK(t, err)
		if res.Total == 0 {
			t.Errorf("starter manual: nothing for %q", q)
		}
	}
}

// The desk searches from a goroutine on every keystroke while HQ content
// changes underneath: no race, and every result is a consistent version.
func TestFAQSearchConcurrentWithChanges(t *testing.T) {
	ctx := context.Background()
	s, admin, _ := newFAQStore(t)
	done := make(chan struct{})
	errs := make(chan error, 4)
	for g := 0; g < 3; g++ {
		go func() {
			for {
				select {
				case <-done:
					errs <- nil
					return
				default:
				}
				for _, q := range []string{"车", "chewei", "贷款 lilv", "parking"} {
					res, err := s.SearchFAQ(ctx, q, 5)
					if err != nil {
						errs <- err
						return
					}
					for _, h := range res.Hits {
						if h.Entry.Status != FAQApproved {
							errs <- fmt.Errorf("%q found a %s version", q, h.Entry.Status)
							return
						}
					}
				}
			}
		}()
	}
	for i := 0; i < 10; i++ {
		addLive(t, s, admin, FAQInput{Category: "parking", Question: fmt.Sprintf("第%d号车位在哪里？", i), Answer: "在地下二层。"})
	}
	close(done)
	for g := 0; g < 3; g++ {
		mustOK(t, <-errs)
	}
	res, err := s.SearchFAQ(ctx, "号车位", 20)
	mustOK(t, err)
	if res.Total != 10 {
		t.Fatalf("after changes: %d", res.Total)
	}
}

// FuzzFAQSearch: any query, valid UTF-8 or not, searches without panicking
// and every highlighted span lies inside its field.
func FuzzFAQSearch(f *testing.F) {
	for _, q := range []string{"车", "车位", "dk", "daikuan", "chewei", "贷款 lilv", "LPR利率", "ＬＰＲ", "？！", "zhzhzh", "\xff\xfe", "a b c d e f g h i j", "𠮷野家"} {
		f.Add(q)
	}
	var vs []FAQVersion
	for k, in := range searchCorpus {
		vs = append(vs, FAQVersion{FAQInput: in, EntryID: k, Version: 1, Status: FAQApproved})
	}
	for i := range vs {
		vs[i].EffectiveOn = "2026-01-01"
	}
	ix := buildFAQIndex(vs)
	f.Fuzz(func(t *testing.T, q string) {
		res := ix.search(q, "2026-11-23", 10)
		if res.Total < len(res.Hits) {
			t.Fatalf("total %d < hits %d", res.Total, len(res.Hits))
		}
		for _, h := range res.Hits {
			for _, m := range h.Matches {
				text := fieldText(h.Entry, m.Field, m.Index)
				if m.Start < 0 || m.End <= m.Start || m.End > len([]rune(text)) {
					t.Fatalf("%q: span %+v outside %q", q, m, text)
				}
			}
		}
	})
}

func fieldText(v FAQVersion, field string, i int) string {
	switch field {
	case "question":
		return v.Question
	case "alternative":
		return v.Alternatives[i]
	case "tag":
		return v.Tags[i]
	case "question_en":
		return v.QuestionEN
	case "answer":
		return v.Answer
	}
	return v.AnswerEN
}

package app

import (
	"context"
	"slices"
	"testing"

	"fyne.io/fyne/v2/test"

	"anchang/data"
)

// TestFAQConfigCategoriesAndVagueWords: the admin adds a category (a bad
// code is refused under its field and adds nothing) and replaces the vague
// word list, which approval then checks; an empty list restores the
// default.
func TestFAQConfigCategoriesAndVagueWords(t *testing.T) {
	h, a := manageDesk(t)
	ctx := context.Background()
	before, err := h.store.FAQCategories(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// A new office gets the domain's categories with its first entry or
	// its first category, whichever comes first.
	want := max(len(before), len(data.DefaultFAQCategories)) + 1
	test.Tap(findButton(t, h, "分类与用词"))
	h.shows("问答分类", "含糊用词", "可能")

	c := a.settings
	test.Type(c.code, "After Sales!")
	test.Type(c.nameZH, "售后服务")
	test.Type(c.nameEN, "After-sales service")
	test.Tap(findButton(t, h, "添加分类"))
	h.shows("分类代码只能用小写英文字母、数字和下划线，以字母开头。")
	if cats, _ := h.store.FAQCategories(ctx); len(cats) != len(before) {
		t.Fatalf("a bad code added a category: %d → %d", len(before), len(cats))
	}
	c.code.SetText("after_sales")
	test.Tap(findButton(t, h, "添加分类"))
	h.shows("已添加分类“售后服务”。", "售后服务  ·  After-sales service  ·  after_sales", "贷款政策  ·  Loans  ·  loans")
	cats, _ := h.store.FAQCategories(ctx)
	if len(cats) != want || cats[len(cats)-1].Code != "after_sales" {
		t.Fatalf("categories after adding: %+v", cats)
	}
	c.code.SetText("after_sales")
	c.nameZH.SetText("售后")
	test.Tap(findButton(t, h, "添加分类"))
	h.shows("已经有这个分类代码了。")

	c.words.SetText("可能\n\n  据说 \n大概")
	test.Tap(findButton(t, h, "保存词表"))
	h.shows("已保存 3 个含糊用词，批准时按新词表检查。")
	words, err := h.store.VagueWords(ctx)
	if err != nil || !slices.Equal(words, []string{"可能", "据说", "大概"}) {
		t.Fatalf("words %q, %v", words, err)
	}
	if issues := data.LintFAQ(data.FAQInput{Answer: "据说下月开盘"}, words); len(issues) != 1 || issues[0].Word != "据说" {
		t.Fatalf("lint with the new list: %+v", issues)
	}
	c.words.SetText("")
	test.Tap(findButton(t, h, "保存词表"))
	h.shows("已恢复默认词表。")
	if words, _ := h.store.VagueWords(ctx); !slices.Equal(words, data.DefaultVagueWords) {
		t.Fatalf("after clearing: %q", words)
	}
}

// TestFAQConfigSynonyms: the admin edits the synonym list beside the vague
// words; a bad line is refused with its number and saves nothing; a saved
// list is kept (data tests check the search uses it); an empty one restores the starter set.
func TestFAQConfigSynonyms(t *testing.T) {
	h, a := manageDesk(t)
	ctx := context.Background()
	test.Tap(findButton(t, h, "分类与用词"))
	h.shows("同义词", "车位：停车位、车库、地库、泊位")
	c := a.settings
	before := h.count("outbox")
	c.syn.SetText("车位：咪表\n贷款")
	test.Tap(findButton(t, h, "保存同义词"))
	h.shows("第 2 行：请写成“词：同义词、同义词”，每行一组。")
	if n := h.count("outbox"); n != before {
		t.Fatalf("a refused list was recorded: outbox %d → %d", before, n)
	}
	c.syn.SetText("车位：咪表、车格\n贷款：按揭")
	test.Tap(findButton(t, h, "保存同义词"))
	h.shows("已保存 2 组同义词，搜索立即按新表查找。")
	if got, err := h.store.FAQSynonyms(ctx); err != nil || data.FormatFAQSynonyms(got) != "车位：咪表、车格\n贷款：按揭" {
		t.Fatalf("saved %+v, %v", got, err)
	}
	c.syn.SetText("")
	test.Tap(findButton(t, h, "保存同义词"))
	h.shows("已恢复默认同义词表。")
	if got, _ := h.store.FAQSynonyms(ctx); len(got) != len(data.DefaultFAQSynonyms) {
		t.Fatalf("after clearing: %+v", got)
	}
}

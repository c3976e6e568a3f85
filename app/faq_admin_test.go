package app

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"anchang/assets"
	"anchang/data"
)

// manageDesk signs the admin in, opens the answers tab and its Manage page.
func manageDesk(t *testing.T) (*harness, *faqAdmin) {
	t.Helper()
	h := newHarness(t, true, "陈思远")
	h.signInAs("管理员")
	h.selectTab("咨询应答")
	a := h.u.shell.faqAdmin
	if a == nil {
		t.Fatal("the admin has no manage pages")
	}
	test.Tap(findButton(t, h, "管理"))
	return h, a
}

// errorColoured is the text a rich text draws in the error colour.
func errorColoured(rt *widget.RichText) []string {
	var out []string
	for _, s := range rt.Segments {
		if ts, ok := s.(*widget.TextSegment); ok && ts.Style.ColorName == theme.ColorNameError {
			out = append(out, ts.Text)
		}
	}
	return out
}

// listed reports whether the manage list shows an entry asking question.
func listed(m *faqManage, question string) bool {
	for _, e := range m.rows {
		if e.Latest.Question == question {
			return true
		}
	}
	return false
}

// entryState reads an entry's newest status and live version from the store.
func entryState(t *testing.T, h *harness, question string) data.FAQEntry {
	t.Helper()
	es, err := h.store.ListFAQ(context.Background(), data.FAQFilter{Editing: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range es {
		if e.Latest.Question == question {
			return e
		}
	}
	t.Fatalf("no entry %q", question)
	return data.FAQEntry{}
}

func TestFAQManageDraftLintApproveThenDeskFindsIt(t *testing.T) {
	h, a := manageDesk(t)
	m := a.editor
	const q = "地下车位什么时候交付？"
	test.Type(m.question, q)
	selectOption(t, m.cat, "车位")
	test.Type(m.alts, "车位几时能用")
	test.Type(m.answer, "车位可能在2027年交付。\n具体大概看工程进度。")

	// Each vague word is marked where it stands, and approval is refused.
	if got := errorColoured(m.lintZH.text); strings.Join(got, "|") != "可能|大概" {
		t.Fatalf("marked %q", got)
	}
	h.shows("答案第 1 段第 3 字：“可能”— 答复须确定，不得使用含糊用词", "答案第 2 段第 3 字：“大概”")
	if !m.approveBtn.Disabled() {
		t.Fatal("approve is enabled with vague wording")
	}
	h.shows("答案中有 2 处含糊用词（如“可能”），不能批准。")

	test.Tap(findButton(t, h, "保存草稿"))
	h.shows("已保存为第 1 版草稿。")
	if !listed(m, q) {
		t.Fatalf("the new draft is not listed: %v", m.rows)
	}
	if e := entryState(t, h, q); e.LatestStatus != data.FAQDraft || e.Latest.Version != 1 || len(e.Latest.Alternatives) != 1 {
		t.Fatalf("stored %+v", e)
	}

	// Submitted, it still cannot be approved; forcing it says why.
	test.Tap(findButton(t, h, "提交审核"))
	h.shows("第 1 版已提交审核。", "第 1 版 · 审核中")
	if !m.approveBtn.Disabled() {
		t.Fatal("approve is enabled with vague wording")
	}
	m.onApprove()
	h.shows("答案中有 2 处含糊用词（如“可能”），不能批准。请改为确定的说法。")
	if e := entryState(t, h, q); e.LatestStatus != data.FAQReview || e.LiveVersion != 0 {
		t.Fatalf("refused approval changed the entry: %+v", e)
	}

	// Fixed, the wording passes; the change goes to review as version 2.
	m.answer.SetText("车位于 2027 年 6 月 30 日交付。")
	if len(errorColoured(m.lintZH.text)) != 0 || !m.lintZH.clean.Visible() {
		t.Fatal("the fixed answer is still marked")
	}
	if !m.approveBtn.Disabled() {
		t.Fatal("approve is enabled with unsaved changes")
	}
	test.Tap(findButton(t, h, "提交审核"))
	h.shows("第 2 版已提交审核。")
	if m.approveBtn.Disabled() {
		t.Fatalf("approve is disabled for a clean version in review: %s", m.approveWhy.Text)
	}
	test.Tap(m.approveBtn)
	h.shows("第 2 版已批准，前台现在按此答复。", "前台在用第 2 版")
	if e := entryState(t, h, q); e.LatestStatus != data.FAQApproved || e.LiveVersion != 2 {
		t.Fatalf("approved entry %+v", e)
	}

	// Version 1, sent for review with vague wording, was replaced unapproved.
	test.Tap(findButton(t, h, "历史版本"))
	h.shows("已批准 · 前台在用", "已被取代")
	m.history.list.Select(1)
	h.shows("第 1 版 · 未批准，已被新版本取代")
	if !strings.Contains(richText(m.history.content), "车位可能在2027年交付。") {
		t.Fatalf("version 1 shows %q", richText(m.history.content))
	}
	m.history.modal.Hide()

	// The receptionist finds it on the desk and has no Manage page.
	h.signInAs("李静")
	h.selectTab("咨询应答")
	if h.u.shell.faqAdmin != nil {
		t.Fatal("a receptionist has the manage pages")
	}
	f := h.u.shell.faq
	test.Type(f.search, "地下车位")
	if texts := rowTexts(f); len(texts) == 0 || texts[0] != q {
		t.Fatalf("desk search found %v", texts)
	}
}

func TestFAQManageEditAgainKeepsEveryVersionInHistory(t *testing.T) {
	h, a := manageDesk(t)
	m := a.editor
	ctx := context.Background()
	in := data.FAQInput{Category: "property", Question: "物业费多少钱？", Answer: "高层住宅物业费每月每平方米 3.2 元。"}
	v, err := h.store.SaveFAQ(ctx, h.admin.ID, "", in)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []data.FAQStatus{data.FAQReview, data.FAQApproved} {
		if err := h.store.SetFAQStatus(ctx, h.admin.ID, v.EntryID, s, ""); err != nil {
			t.Fatal(err)
		}
	}
	m.reload()
	h.clk.Advance(time.Hour)
	m.list.Select(0)
	h.shows("第 1 版 · 已批准", "前台在用第 1 版")
	if m.answer.Text != in.Answer || m.catCode != "property" {
		t.Fatalf("opened %q in %q", m.answer.Text, m.catCode)
	}

	m.answer.SetText("高层住宅物业费每月每平方米 3.5 元，2027 年 1 月起执行。")
	test.Tap(findButton(t, h, "保存草稿"))
	h.shows("已保存为第 2 版草稿。", "第 2 版 · 草稿", "前台在用第 1 版")
	// The desk keeps answering from version 1 until version 2 is approved.
	if live, err := h.store.LiveFAQ(ctx, v.EntryID); err != nil || live.Answer != in.Answer {
		t.Fatalf("live %q %v", live.Answer, err)
	}

	test.Tap(findButton(t, h, "历史版本"))
	hist := m.history
	if hist == nil || len(hist.versions) != 2 {
		t.Fatalf("history %+v", hist)
	}
	h.shows("历史版本", "第 2 版", "第 1 版", "已批准 · 前台在用")
	// Newest first: version 2 is shown; version 1's text is still there.
	if !strings.Contains(richText(hist.content), "3.5 元") {
		t.Fatalf("version 2 shows %q", richText(hist.content))
	}
	hist.list.Select(1)
	h.shows("第 1 版 · 已批准", "2026-11-23 10:00 由 管理员 保存为草稿", "由 管理员 提交审核", "由 管理员 批准")
	if got := richText(hist.content); !strings.Contains(got, "3.2 元") || strings.Contains(got, "3.5 元") {
		t.Fatalf("version 1 shows %q", got)
	}

	// Version 1's text comes back as version 3; nothing is overwritten.
	test.Tap(findButton(t, h, "以此版本重新编辑"))
	h.shows("已载入第 1 版的内容；保存后成为第 3 版，旧版本都会保留。")
	if m.answer.Text != in.Answer || !m.dirty {
		t.Fatalf("form after taking version 1: %q dirty=%v", m.answer.Text, m.dirty)
	}
	test.Tap(findButton(t, h, "保存草稿"))
	h.shows("已保存为第 3 版草稿。")
	vs, err := h.store.FAQHistory(ctx, v.EntryID)
	if err != nil || len(vs) != 3 || vs[0].Answer != in.Answer || vs[1].Answer == in.Answer || vs[2].Answer != in.Answer {
		t.Fatalf("history after restoring: %v %+v", err, vs)
	}
}

// modalButton finds a button of the modal on top.
func modalButton(t *testing.T, h *harness, text string) *widget.Button {
	t.Helper()
	top := h.win.Canvas().Overlays().Top()
	var found *widget.Button
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		if o == nil || !o.Visible() || found != nil {
			return
		}
		switch w := o.(type) {
		case *widget.Button:
			if w.Text == text {
				found = w
			}
		case *fyne.Container:
			for _, c := range w.Objects {
				walk(c)
			}
		case fyne.Widget:
			for _, c := range test.WidgetRenderer(w).Objects() {
				walk(c)
			}
		}
	}
	walk(top)
	if found == nil {
		t.Fatalf("no button %q in the modal", text)
	}
	return found
}

// versionCount is how many versions the manual holds, every entry's.
func versionCount(t *testing.T, h *harness) int {
	t.Helper()
	es, err := h.store.ListFAQ(context.Background(), data.FAQFilter{Editing: true})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range es {
		n += e.Latest.Version
	}
	return n
}

// richText is all the text of a rich text.
func richText(rt *widget.RichText) string {
	var b strings.Builder
	var walk func(segs []widget.RichTextSegment)
	walk = func(segs []widget.RichTextSegment) {
		for _, s := range segs {
			switch x := s.(type) {
			case *widget.TextSegment:
				b.WriteString(x.Text)
			case *widget.ListSegment:
				walk(x.Segments())
			case *widget.ParagraphSegment:
				walk(x.Texts)
			}
		}
	}
	walk(rt.Segments)
	return b.String()
}

func TestFAQManageShowsFieldErrorsAndReadableRefusals(t *testing.T) {
	h, a := manageDesk(t)
	m := a.editor
	ctx := context.Background()
	if _, err := h.store.SaveFAQ(ctx, h.admin.ID, "", data.FAQInput{Category: "parking", Question: "车位怎么卖？", Answer: "每个 15 万元。"}); err != nil {
		t.Fatal(err)
	}
	before := versionCount(t, h)
	save := findButton(t, h, "保存草稿")

	selectOption(t, m.cat, "车位")
	m.answer.SetText("每个 15 万元。")
	test.Tap(save)
	h.shows("必填。")
	if m.fields[0].err.Text != "必填。" {
		t.Fatalf("question error %q", m.fields[0].err.Text)
	}

	m.question.SetText("车位怎么卖？")
	test.Tap(save)
	h.shows("同一适用范围内已经有相同的问题了。")

	m.question.SetText("车位什么时候交付？")
	m.effective.SetText("2026-12-01")
	m.expires.SetText("2026-11-30")
	test.Tap(save)
	if m.fields[7].err.Text != "失效日期不能早于生效日期。" {
		t.Fatalf("expiry error %q", m.fields[7].err.Text)
	}
	m.expires.SetText("")
	m.answer.SetText(strings.Repeat("交", data.MaxFAQAnswerLen+1))
	test.Tap(save)
	h.shows("太长了：最多 4000 个字，现在 4001 个。")
	if n := versionCount(t, h); n != before {
		t.Fatalf("refused saves stored versions: %d → %d", before, n)
	}

	// A move the transitions refuse names the statuses in words.
	m.answer.SetText("2027 年 6 月 30 日交付。")
	test.Tap(save)
	h.shows("已保存为第 1 版草稿。")
	m.move(data.FAQRetired, "faq.manage.retired")
	h.shows("不能从“草稿”改为“已停用”。")
}

func TestFAQManageFiltersByStatusCategoryAndText(t *testing.T) {
	h, a := manageDesk(t)
	m := a.editor
	ctx := context.Background()
	if _, err := h.store.EnsureStarterFAQ(ctx, assets.StarterFAQ); err != nil {
		t.Fatal(err)
	}
	if _, err := h.store.SaveFAQ(ctx, h.admin.ID, "", data.FAQInput{Category: "loans", Question: "公积金贷款额度是多少？", Answer: "最高 120 万元。"}); err != nil {
		t.Fatal(err)
	}
	m.reload()
	total := len(m.rows)
	if total < 60 {
		t.Fatalf("%d entries listed", total)
	}
	selectOption(t, m.status, "草稿")
	if len(m.rows) != 1 || m.rows[0].Latest.Question != "公积金贷款额度是多少？" {
		t.Fatalf("drafts %v", m.rows)
	}
	selectOption(t, m.status, "全部状态")
	selectOption(t, m.category, "贷款政策")
	loans := len(m.rows)
	if loans < 4 || loans >= total {
		t.Fatalf("%d loan entries of %d", loans, total)
	}
	test.Type(m.filter, "公积金")
	for _, e := range m.rows {
		if e.Latest.Category != "loans" || !entryContains(e.Latest, "公积金") {
			t.Fatalf("filtered in %q", e.Latest.Question)
		}
	}
	if len(m.rows) == 0 || len(m.rows) >= loans {
		t.Fatalf("text filter left %d of %d", len(m.rows), loans)
	}
	h.shows(m.count.Text)
}

func TestFAQReportListsMissAndDraftsEntryFromIt(t *testing.T) {
	h := newHarness(t, true)
	if _, err := h.store.EnsureStarterFAQ(context.Background(), assets.StarterFAQ); err != nil {
		t.Fatal(err)
	}
	// The receptionist searches for something the manual does not hold.
	h.signInAs("李静")
	h.selectTab("咨询应答")
	f := h.u.shell.faq
	test.Type(f.search, "售楼处有充电桩吗")
	f.onSearchSubmitted(f.search.Text)
	h.shows("已记下没有答案的问题“售楼处有充电桩吗”。")

	h.signInAs("管理员")
	h.selectTab("咨询应答")
	a := h.u.shell.faqAdmin
	test.Tap(findButton(t, h, "报表"))
	r := a.stats
	if len(r.misses) != 1 || r.misses[0].Question != "售楼处有充电桩吗" || r.misses[0].Count != 1 {
		t.Fatalf("misses %+v", r.misses)
	}
	h.shows("近 30 天", "没有找到答案的搜索", "售楼处有充电桩吗")
	// Periods narrow the report: the miss is a day old.
	h.clk.Advance(8 * 24 * time.Hour)
	selectOption(t, r.period, "近 7 天")
	if len(r.misses) != 0 {
		t.Fatalf("7-day misses %+v", r.misses)
	}
	selectOption(t, r.period, "近 30 天")

	test.Tap(findButton(t, h, "建为草稿"))
	m := a.editor
	if a.pages.selected != 1 || m.question.Text != "售楼处有充电桩吗" || m.current != nil {
		t.Fatalf("draft from miss: page %d, question %q", a.pages.selected, m.question.Text)
	}
	h.shows("新建条目")
}

func TestFAQImportBadRowChangesNothingAndExportReimports(t *testing.T) {
	h, a := manageDesk(t)
	ctx := context.Background()
	if _, err := h.store.EnsureStarterFAQ(ctx, assets.StarterFAQ); err != nil {
		t.Fatal(err)
	}
	test.Tap(findButton(t, h, "导入导出"))
	fs := a.io
	dir := t.TempDir()
	bad := filepath.Join(dir, "新问答.csv")
	csv := "category,question,answer,status\n" +
		"parking,充电桩怎么装？,物业统一报装，费用 2000 元。,draft\n" +
		"parking,,没有问题的一行。,draft\n" +
		"nosuch,分类不对？,答案。,draft\n"
	if err := os.WriteFile(bad, []byte(csv), 0o644); err != nil {
		t.Fatal(err)
	}
	before := versionCount(t, h)
	fs.importPath.SetText(bad)
	test.Tap(findButton(t, h, "检查并导入"))
	h.shows("有 2 处错误，未导入任何内容。")
	if len(fs.rowErrs) != 2 || !fs.errList.Visible() {
		t.Fatalf("row errors %+v", fs.rowErrs)
	}
	if got := rowErrorText(fs.rowErrs[0]); got != "第 3 行 · 问题（question）：必填。" {
		t.Fatalf("first row error %q", got)
	}
	if got := rowErrorText(fs.rowErrs[1]); !strings.HasPrefix(got, "第 4 行 · 分类（category）：没有这个分类：nosuch") {
		t.Fatalf("second row error %q", got)
	}
	if n := versionCount(t, h); n != before {
		t.Fatalf("a refused import stored %d versions", n-before)
	}

	// A missing file is named, not a crash.
	fs.importPath.SetText(filepath.Join(dir, "nosuch.xlsx"))
	test.Tap(findButton(t, h, "检查并导入"))
	h.shows("找不到文件：" + filepath.Join(dir, "nosuch.xlsx"))

	for _, format := range []string{"CSV", "Excel"} {
		selectOption(t, fs.format, format)
		fs.exportPath.SetText(filepath.Join(dir, "手册"))
		fs.onFormat()
		path := fs.exportPath.Text
		test.Tap(findButton(t, h, "导出"))
		h.shows("已导出 67 条到 " + path)
		if st, err := os.Stat(path); err != nil || st.Size() == 0 {
			t.Fatalf("%s: %v", path, err)
		}
		fs.importPath.SetText(path)
		test.Tap(findButton(t, h, "检查并导入"))
		h.shows("已导入：新增 0 条，更新 0 条，67 条没有变化。")
		if n := versionCount(t, h); n != before {
			t.Fatalf("re-importing the export stored %d versions", n-before)
		}
	}

	// A good file is applied whole and the manage list shows it.
	good := filepath.Join(dir, "good.csv")
	if err := os.WriteFile(good, []byte(csv[:strings.Index(csv, "parking,,")]), 0o644); err != nil {
		t.Fatal(err)
	}
	fs.importPath.SetText(good)
	test.Tap(findButton(t, h, "检查并导入"))
	h.shows("已导入：新增 1 条，更新 0 条，0 条没有变化。")
	if !listed(a.editor, "充电桩怎么装？") {
		t.Fatal("the imported entry is not listed")
	}
}

func TestFAQExportDefaultsToADatedFileInTheFormsFolder(t *testing.T) {
	h, a := manageDesk(t)
	dir := t.TempDir()
	h.u.printDir = dir
	test.Tap(findButton(t, h, "导入导出"))
	want := filepath.Join(dir, "咨询应答手册-20261123.xlsx")
	if a.io.exportPath.Text != want {
		t.Fatalf("default path %q, want %q", a.io.exportPath.Text, want)
	}
	selectOption(t, a.io.format, "CSV")
	if a.io.exportPath.Text != strings.TrimSuffix(want, ".xlsx")+".csv" {
		t.Fatalf("csv path %q", a.io.exportPath.Text)
	}
	// A bare name goes into the folder; a bad extension is refused.
	a.io.exportPath.SetText("manual.txt")
	test.Tap(findButton(t, h, "导出"))
	h.shows("不支持“.txt”文件，请使用 .csv 或 .xlsx。")
	a.io.exportPath.SetText("manual.csv")
	test.Tap(findButton(t, h, "导出"))
	if _, err := os.Stat(filepath.Join(dir, "manual.csv")); err != nil {
		t.Fatal(err)
	}
}

func TestFAQManageIsForAdminsOnly(t *testing.T) {
	h := newHarness(t, true, "陈思远")
	ctx := context.Background()
	if _, err := h.store.CreateStaff(ctx, h.admin.ID, data.StaffInput{Name: "刘主管", Role: data.RoleSupervisor, PIN: "468013"}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.store.SaveFAQ(ctx, h.admin.ID, "", data.FAQInput{Category: "other", Question: "样板间几点开放？", Answer: "每天 9:00 至 18:00。"}); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"李静", "陈思远", "刘主管"} {
		t.Run(name, func(t *testing.T) {
			h.signInAs(name)
			h.selectTab("咨询应答")
			if h.u.shell.faqAdmin != nil {
				t.Fatal("manage pages built")
			}
			for _, b := range []string{"管理", "报表", "导入导出", "保存草稿", "批准"} {
				if findVisible(h, func(o fyne.CanvasObject) bool { x, ok := o.(*widget.Button); return ok && x.Text == b }) != nil {
					t.Fatalf("%s sees %q", name, b)
				}
			}
			// Drafts stay off the desk: only approved entries are found.
			f := h.u.shell.faq
			f.search.SetText("")
			test.Type(f.search, "样板间")
			if len(f.rows) != 0 {
				t.Fatalf("found a draft: %v", rowTexts(f))
			}
		})
	}
	h.signInAs("管理员")
	h.selectTab("咨询应答")
	findButton(t, h, "管理")
}

func TestFAQManageEnglishLabels(t *testing.T) {
	h := newHarness(t, true)
	SetLanguage("en")
	h.signInAs("管理员")
	h.selectTab("Answers")
	test.Tap(findButton(t, h, "Manage"))
	m := h.u.shell.faqAdmin.editor
	test.Type(m.answer, "It will probably be ready in June.")
	h.shows("New entry", "Save draft", "Submit", "Approve", "Answer, paragraph 1, character 9: “probably”")
	if got := errorColoured(m.lintZH.text); len(got) != 1 || got[0] != "probably" {
		t.Fatalf("marked %q", got)
	}
}

func TestLintPlaceAndSegments(t *testing.T) {
	text := "第一段没有。\n\n第三段可能有，大概吧"
	issues := data.LintFAQ(data.FAQInput{Answer: text}, data.DefaultVagueWords)
	if len(issues) != 2 {
		t.Fatalf("issues %+v", issues)
	}
	places := lintPlaces(text, issues)
	for i, want := range [][2]int{{3, 4}, {3, 8}} {
		if places[i] != want {
			t.Errorf("issue %d at paragraph and char %v, want %v", i, places[i], want)
		}
	}
	rt := &widget.RichText{Segments: lintSegments(text, issues)}
	if got := errorColoured(rt); strings.Join(got, "|") != "可能|大概" {
		t.Fatalf("marked %q", got)
	}
	if got := richText(rt); got != "第一段没有。第三段可能有，大概吧" {
		t.Fatalf("text %q", got)
	}
}

// TestFAQAdminKeysTranslated checks every faq.* key the admin pages use
// is in both languages (app/i18n_test.go scans only its own prefixes).
func TestFAQAdminKeysTranslated(t *testing.T) {
	lit := regexp.MustCompile(`"(faq\.[a-z0-9_.]*[a-z0-9_])"`)
	keys := map[string]bool{}
	for _, f := range []string{"faq_admin.go", "faq_editor.go", "faq_history.go", "faq_report.go", "faq_io.go"} {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range lit.FindAllStringSubmatch(string(src), -1) {
			keys[m[1]] = true
		}
	}
	for _, k := range []string{"faq.history.was_approved", "faq.history.superseded"} {
		keys[k+".short"] = true
	}
	for _, s := range faqStatuses {
		keys["faq.status."+string(s)] = true
		keys["faq.history.event."+string(s)] = true
	}
	for _, c := range data.FAQColumns {
		keys["faq.io.col."+c] = true
	}
	for _, lang := range []string{"zh", "en"} {
		var m map[string]string
		b, err := assets.Translations(lang)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		for k := range keys {
			if m[k] == "" {
				t.Errorf("%s: no %s", lang, k)
			}
		}
	}
}

func TestFAQManageAsksBeforeDroppingUnsavedChanges(t *testing.T) {
	h, a := manageDesk(t)
	m := a.editor
	ctx := context.Background()
	for _, q := range []string{"车位怎么卖？", "车位能租吗？"} {
		if _, err := h.store.SaveFAQ(ctx, h.admin.ID, "", data.FAQInput{Category: "parking", Question: q, Answer: "见价目表。"}); err != nil {
			t.Fatal(err)
		}
	}
	m.reload()
	m.list.Select(0)
	first := m.question.Text
	m.answer.SetText("见价目表，每个 15 万元。")
	m.list.Select(1)
	h.shows("放弃未保存的修改？")
	test.Tap(modalButton(t, h, "继续编辑"))
	if m.question.Text != first || m.answer.Text != "见价目表，每个 15 万元。" {
		t.Fatalf("kept editing %q: %q", m.question.Text, m.answer.Text)
	}
	m.list.Select(1)
	test.Tap(modalButton(t, h, "放弃修改"))
	if m.question.Text == first || m.answer.Text != "见价目表。" || m.dirty {
		t.Fatalf("after discarding: %q %q dirty=%v", m.question.Text, m.answer.Text, m.dirty)
	}
	// Nothing was saved from the dropped edit.
	if e := entryState(t, h, first); e.Latest.Version != 1 {
		t.Fatalf("dropped edit saved: %+v", e)
	}
}

func TestFAQManageSendBackRetireAndReportOpensEntry(t *testing.T) {
	h, a := manageDesk(t)
	m := a.editor
	ctx := context.Background()
	const q = "样板间几点开放？"
	v, err := h.store.SaveFAQ(ctx, h.admin.ID, "", data.FAQInput{Category: "other", Question: q, Answer: "每天 9:00 至 18:00。"})
	if err != nil {
		t.Fatal(err)
	}
	if err := h.store.SetFAQStatus(ctx, h.admin.ID, v.EntryID, data.FAQReview, ""); err != nil {
		t.Fatal(err)
	}
	m.reload()
	m.list.Select(0)
	test.Tap(findButton(t, h, "退回草稿"))
	h.shows("第 1 版已退回草稿。", "第 1 版 · 草稿")
	test.Tap(findButton(t, h, "提交审核"))
	test.Tap(findButton(t, h, "批准"))
	if e := entryState(t, h, q); e.LiveVersion != 1 {
		t.Fatalf("not approved: %+v", e)
	}
	if err := h.store.LogConsultation(ctx, h.admin.ID, "", v.EntryID, "样板间"); err != nil {
		t.Fatal(err)
	}

	// The report's most asked entry opens in the editor.
	m.newEntry("")
	test.Tap(findButton(t, h, "报表"))
	if len(a.stats.most) != 1 || a.stats.most[0].Count != 1 {
		t.Fatalf("most asked %+v", a.stats.most)
	}
	a.stats.mostList.Select(0)
	if a.pages.selected != 1 || m.entryID != v.EntryID {
		t.Fatalf("report opened page %d entry %q", a.pages.selected, m.entryID)
	}

	// Retiring asks first, then takes it off the desk.
	test.Tap(findButton(t, h, "停用"))
	h.shows("停用“样板间几点开放？”后，前台将不再用它答复。条目和所有版本都会保留。")
	test.Tap(modalButton(t, h, "停用"))
	h.shows("已停用，前台不再用这条答复。", "第 1 版 · 已停用")
	if e := entryState(t, h, q); e.LatestStatus != data.FAQRetired || e.LiveVersion != 0 {
		t.Fatalf("retired %+v", e)
	}
	test.Tap(findButton(t, h, "答复"))
	f := h.u.shell.faq
	test.Type(f.search, "样板间几点")
	for _, r := range f.rows {
		if r.text == q {
			t.Fatal("the desk still finds a retired entry")
		}
	}
}

func TestFAQAdminPagesTakeNoFocusUntilUsed(t *testing.T) {
	h := newHarness(t, true)
	h.signInAs("管理员")
	m := h.u.shell.faqAdmin.editor
	if h.win.Canvas().Focused() == m.question {
		t.Fatal("the hidden editor took the focus at sign-in")
	}
	h.selectTab("咨询应答")
	test.Tap(findButton(t, h, "管理"))
	test.Tap(findButton(t, h, "新建条目"))
	if h.win.Canvas().Focused() != m.question {
		t.Fatal("New entry does not focus the question")
	}
}

// BenchmarkFAQEditorLint is the check run after each pause in typing: a
// full-length answer linted and laid out with its vague words marked.
func BenchmarkFAQEditorLint(b *testing.B) {
	para := "车位于 2027 年 6 月 30 日交付，具体可能看工程进度，交付前书面通知业主。\n"
	text := strings.Repeat(para, data.MaxFAQAnswerLen/len([]rune(para)))
	b.ReportAllocs()
	for b.Loop() {
		issues := data.LintFAQ(data.FAQInput{Answer: text}, data.DefaultVagueWords)
		_ = lintSegments(text, issues)
		_ = lintPlaces(text, issues)
	}
}

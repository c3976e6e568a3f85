package app

import (
	"context"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"anchang/assets"
	"anchang/data"
)

// faqDesk signs in as name on a desk with the starter manual and opens the
// answers tab.
func faqDesk(t *testing.T, name string) (*harness, *faqScreen) {
	t.Helper()
	h := newHarness(t, true, "陈思远", "林晓雯")
	if _, err := h.store.EnsureStarterFAQ(context.Background(), assets.StarterFAQ); err != nil {
		t.Fatal(err)
	}
	h.signInAs(name)
	h.selectTab("咨询应答")
	return h, h.u.shell.faq
}

// faqCount counts what the desk recorded, through the store: the misses,
// the consultation log rows, or the open hand-offs.
func faqCount(h *harness, what string) int {
	h.t.Helper()
	ctx := context.Background()
	var cs []data.FAQCount
	var err error
	switch what {
	case "misses":
		cs, err = h.store.TopFAQMisses(ctx, time.Time{}, 1000)
	case "log":
		cs, err = h.store.MostAskedFAQ(ctx, time.Time{}, 1000)
	case "handoffs":
		open, err := h.store.OpenHandoffs(ctx)
		if err != nil {
			h.t.Fatal(err)
		}
		return len(open)
	}
	if err != nil {
		h.t.Fatal(err)
	}
	n := 0
	for _, c := range cs {
		n += c.Count
	}
	return n
}

// rowTexts are the questions the list shows (section titles in brackets).
func rowTexts(f *faqScreen) []string {
	var out []string
	for _, r := range f.rows {
		if r.header != "" {
			out = append(out, "["+r.header+"]")
		} else {
			out = append(out, r.text)
		}
	}
	return out
}

// highlighted is the coloured text of a row as the list draws it.
func highlighted(f *faqScreen, row int) string {
	o := f.newRow()
	f.updateRow(row, o)
	var b strings.Builder
	for _, s := range o.(*fyne.Container).Objects[0].(*widget.RichText).Segments {
		if ts, ok := s.(*widget.TextSegment); ok && ts.Style.ColorName == colorNameHighlight {
			b.WriteString(ts.Text)
		}
	}
	return b.String()
}

func TestFAQSearchAsYouTypeFindsLoansByCharactersAndPinyin(t *testing.T) {
	_, f := faqDesk(t, "李静")
	for _, q := range []string{"贷款", "daikuan", "dk"} {
		t.Run(q, func(t *testing.T) {
			f.search.SetText("")
			test.Type(f.search, q)
			if len(f.rows) == 0 {
				t.Fatalf("%s found nothing", q)
			}
			loans := 0
			for i, r := range f.rows {
				if r.entry.Category == "loans" {
					loans++
				}
				if strings.Contains(r.text, "贷款") {
					if got := highlighted(f, i); got != "贷款" {
						t.Fatalf("%s: highlighted %q in %q, want 贷款", q, got, r.text)
					}
				}
			}
			if loans < 4 {
				t.Fatalf("%s: %d loan entries in %v", q, loans, rowTexts(f))
			}
		})
	}
	// The characters themselves rank the questions holding them first,
	// before anything found by pinyin.
	f.search.SetText("贷款")
	if f.rows[0].sub != "贷款政策" {
		t.Fatalf("first row's caption %q", f.rows[0].sub)
	}
	for i, r := range f.rows[:4] {
		if !strings.Contains(r.text, "贷款") {
			t.Fatalf("row %d %q does not hold 贷款: %v", i, r.text, rowTexts(f))
		}
	}
}

func TestFAQOneCharacterAndCategoryBrowsing(t *testing.T) {
	h, f := faqDesk(t, "李静")
	test.Type(f.search, "车")
	if len(f.rows) == 0 || highlighted(f, 0) != "车" {
		t.Fatalf("车: %v", rowTexts(f))
	}
	h.shows("找到")

	// With the box empty, a category lists its entries.
	f.search.SetText("")
	selectOption(t, f.category, "车位")
	if len(f.rows) == 0 {
		t.Fatal("the parking category is empty")
	}
	for _, r := range f.rows {
		if r.entry == nil || r.entry.Category != "parking" {
			t.Fatalf("parking lists %v", rowTexts(f))
		}
	}
	// A search within a category keeps to it.
	test.Type(f.search, "多少")
	for _, r := range f.rows {
		if r.entry.Category != "parking" {
			t.Fatalf("多少 in parking lists %q (%s)", r.text, r.entry.Category)
		}
	}
}

func TestFAQAnswerLogsMostAskedAndRecent(t *testing.T) {
	h, f := faqDesk(t, "李静")
	h.shows("还没有答复记录")
	visits := h.seedVisits()
	h.selectTab("咨询应答") // reloads today's visits

	test.Type(f.search, "公积金")
	f.list.Select(0)
	h.shows("可以用公积金贷款吗？", "分类：贷款政策", "第 1 版", "起生效", "按此答复", "给客户看")
	if f.answer.String() == "" {
		t.Fatal("no answer shown")
	}
	selectOption(t, f.visit, "王芳")
	test.Tap(f.answered)
	h.shows("已记录：按“可以用公积金贷款吗？”答复。")
	cs, err := h.store.VisitConsultations(context.Background(), visits[0].ID)
	if err != nil || len(cs) != 1 || cs[0].Query != "公积金" || cs[0].Question != "可以用公积金贷款吗？" {
		t.Fatalf("visit consultations %+v, %v", cs, err)
	}

	// The empty box now offers it as most asked and recently used.
	f.search.SetText("")
	got := strings.Join(rowTexts(f), "|")
	if !strings.Contains(got, "[常问问题]|可以用公积金贷款吗？") || !strings.Contains(got, "[我最近答过]|可以用公积金贷款吗？") {
		t.Fatalf("empty box lists %s", got)
	}
	h.shows("答过 1 次")
	// Choosing it from the list loads the answer.
	f.selected = nil
	f.list.Select(1)
	if f.selected == nil || f.selected.Question != "可以用公积金贷款吗？" {
		t.Fatalf("selected %+v", f.selected)
	}
	// A header row is not an answer.
	f.list.Select(0)
	if f.selected.Question != "可以用公积金贷款吗？" {
		t.Fatal("a section title replaced the answer")
	}
	if n := faqCount(h, "log"); n != 1 {
		t.Fatalf("consult_log has %d rows", n)
	}
}

func TestFAQShowTheCustomerAndCopy(t *testing.T) {
	h, f := faqDesk(t, "陈思远") // consultants answer questions too
	test.Type(f.search, "首付")
	f.list.Select(0)
	desk := h.win.Content()
	h.win.Canvas().Focus(f.search)
	test.Tap(f.showBtn)
	if h.win.Canvas().Focused() != nil {
		t.Fatal("the search box keeps the focus (and Esc) in the customer view")
	}
	if h.win.Content() == desk {
		t.Fatal("the customer view did not fill the window")
	}
	h.shows("首付比例是多少？", "返回（Esc）")
	h.hides("按此答复")
	h.win.Canvas().OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if h.win.Content() != desk {
		t.Fatal("Esc did not close the customer view")
	}
	test.Tap(f.showBtn)
	test.Tap(findButton(t, h, "返回（Esc）"))
	if h.win.Content() != desk {
		t.Fatal("the button did not close the customer view")
	}
	test.Tap(f.copyBtn)
	clip := fyne.CurrentApp().Clipboard().Content()
	if !strings.HasPrefix(clip, "首付比例是多少？\n\n") || len(clip) < 30 {
		t.Fatalf("clipboard %q", clip)
	}
	h.shows("已复制到剪贴板。")
}

func TestFAQHandOffIsListedOverdueAndDone(t *testing.T) {
	h, f := faqDesk(t, "李静")
	h.shows("没有待跟进的转交。")
	test.Type(f.search, "外星人")
	h.shows("没有找到“外星人”的答案")
	test.Tap(f.notHere)
	h.shows("转交同事跟进")
	if n := faqCount(h, "misses"); n != 1 {
		t.Fatalf("choosing not answered here recorded %d misses", n)
	}
	form := findSelectWith(t, h, "贷款专员")
	// No role chosen: the form says so and saves nothing.
	test.Tap(findButton(t, h, "转交"))
	h.shows("请选择转交给谁")
	if n := faqCount(h, "handoffs"); n != 0 {
		t.Fatalf("%d hand-offs without a role", n)
	}
	selectOption(t, form, "工程部")
	selectOption(t, findSelectWith(t, h, "不指定"), "陈思远")
	test.Tap(findButton(t, h, "转交"))
	h.hides("转交同事跟进")
	h.shows("已转交工程部，请在 11:00 前跟进。", "11:00 前跟进", "工程部 · 陈思远：外星人")
	open, err := h.store.OpenHandoffs(context.Background())
	if err != nil || len(open) != 1 || open[0].Question != "外星人" || open[0].ToRole != data.HandoffEngineering {
		t.Fatalf("open hand-offs %+v, %v", open, err)
	}

	h.clk.Advance(61 * time.Minute)
	h.u.shell.refresh()
	h.shows("已超时：应在 11:00 前跟进")
	due := findVisible(h, func(o fyne.CanvasObject) bool {
		l, ok := o.(*widget.Label)
		return ok && strings.HasPrefix(l.Text, "已超时")
	}).(*widget.Label)
	if due.Importance != widget.DangerImportance {
		t.Fatalf("overdue shown with importance %v", due.Importance)
	}

	test.Tap(findButton(t, h, "已跟进"))
	test.Type(findVisible(h, func(o fyne.CanvasObject) bool {
		e, ok := o.(*widget.Entry)
		return ok && e.PlaceHolder == "跟进说明（可选）"
	}).(*widget.Entry), "已电话回复")
	buttons := 0
	findVisible(h, func(o fyne.CanvasObject) bool {
		if b, ok := o.(*widget.Button); ok && b.Text == "已跟进" {
			buttons++
			if buttons == 2 { // the modal's, after the list's
				test.Tap(b)
				return true
			}
		}
		return false
	})
	h.shows("已标记为跟进完毕。", "没有待跟进的转交。")
	if open, _ := h.store.OpenHandoffs(context.Background()); len(open) != 0 {
		t.Fatalf("still open: %+v", open)
	}
}

func TestFAQMissRecordedOnceOnEnter(t *testing.T) {
	h, f := faqDesk(t, "李静")
	// Typing records nothing, however many keystrokes find nothing.
	test.Type(f.search, "火星移民")
	if n := faqCount(h, "misses"); n != 0 {
		t.Fatalf("%d misses while typing", n)
	}
	f.search.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	f.search.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if n := faqCount(h, "misses"); n != 1 {
		t.Fatalf("%d misses after Enter twice, want 1", n)
	}
	h.shows("已记下没有答案的问题“火星移民”。")
	misses, err := h.store.TopFAQMisses(context.Background(), time.Time{}, 5)
	if err != nil || len(misses) != 1 || misses[0].Question != "火星移民" {
		t.Fatalf("misses %+v, %v", misses, err)
	}
	// Enter on a query with results picks the first one and records nothing.
	f.search.SetText("车位")
	f.search.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if f.selected == nil || !strings.Contains(f.selected.Question, "车位") {
		t.Fatalf("Enter selected %+v", f.selected)
	}
	if n := faqCount(h, "misses"); n != 1 {
		t.Fatalf("%d misses", n)
	}
}

func TestFAQBadInputIsRefusedAndSavesNothing(t *testing.T) {
	tests := []struct {
		name  string
		text  string
		shows string
	}{
		{"10,000-character paste", strings.Repeat("贷款利率", 2500), "搜索内容太长：最多 100 个字，现在 10000 个。"},
		{"control character", "贷款\u0000", "搜索内容包含不可见的控制字符"},
		{"bidi override", "贷\u202e款", "搜索内容包含不可见的控制字符"},
		{"escape", "\x1b[31m贷款", "搜索内容包含不可见的控制字符"},
		{"sql-looking", "'); DROP TABLE faq_entries;--", "没有找到"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, f := faqDesk(t, "李静")
			clip := fyne.CurrentApp().Clipboard()
			clip.SetContent(tt.text)
			h.win.Canvas().Focus(f.search)
			f.search.TypedShortcut(&fyne.ShortcutPaste{Clipboard: clip})
			h.shows(tt.shows)
			f.search.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
			if tt.name == "sql-looking" {
				if n := faqCount(h, "misses"); n != 1 {
					t.Fatalf("%d misses for a query that found nothing", n)
				}
				return
			}
			if len(f.rows) != 0 {
				t.Fatalf("listed %v", rowTexts(f))
			}
			for _, table := range []string{"misses", "log", "handoffs"} {
				if n := faqCount(h, table); n != 0 {
					t.Fatalf("%s has %d rows", table, n)
				}
			}
			// The box recovers when cleared.
			f.search.SetText("")
			h.hides(tt.shows)
		})
	}
}

func TestFAQTabInEnglish(t *testing.T) {
	h, f := faqDesk(t, "李静")
	SetLanguage("en")
	h.u.showShell()
	h.selectTab("Answers")
	f = h.u.shell.faq
	test.Type(f.search, "loan")
	if len(f.rows) == 0 {
		t.Fatal("loan found nothing")
	}
	f.list.Select(0)
	h.shows("Category: Loans", "Answered from this", "Show the customer", "Hand-offs to follow up")
}

// typingStore is a store during whose search for query the user goes on
// typing: the box changes to next before the search's result comes back.
type typingStore struct {
	*data.Store
	query, next string
	box         *widget.Entry
}

func (s *typingStore) SearchFAQ(ctx context.Context, query string, limit int) (data.FAQSearchResult, error) {
	if query == s.query {
		s.box.SetText(s.next)
	}
	return s.Store.SearchFAQ(ctx, query, limit)
}

func TestFAQStaleResultsAreDropped(t *testing.T) {
	h, f := faqDesk(t, "李静")
	f.store = &typingStore{Store: h.store, query: "贷款", next: "车位", box: f.search}
	f.search.SetText("贷款")
	if f.search.Text != "车位" || f.lastQuery != "车位" {
		t.Fatalf("box %q, list of %q", f.search.Text, f.lastQuery)
	}
	for _, r := range f.rows {
		if strings.Contains(r.text, "贷款") && !strings.Contains(r.text, "车位") {
			t.Fatalf("the stale search for 贷款 replaced the results: %v", rowTexts(f))
		}
	}
}

func TestFAQConsultantIsOfferedOwnVisits(t *testing.T) {
	h, f := faqDesk(t, "陈思远")
	h.seedVisits() // 王芳 with 陈思远, 李强 with 林晓雯, 张伟 unassigned
	h.selectTab("咨询应答")
	opts := strings.Join(f.visit.Options, "|")
	if !strings.Contains(opts, "王芳") || strings.Contains(opts, "李强") || strings.Contains(opts, "张伟") {
		t.Fatalf("a consultant is offered %s", opts)
	}
}

func TestFAQTabFocusesTheSearchBox(t *testing.T) {
	h, f := faqDesk(t, "李静")
	if h.win.Canvas().Focused() != f.search {
		t.Fatal("the search box is not focused when the tab opens")
	}
}

// A question the manual does not word that way is answered from its
// words (定金能退吗 → the deposit entry), the desk says so, and Enter both
// picks the first answer and records the wording as a miss for HQ.
func TestFAQQuestionFoundApproximatelyIsAMissOnEnter(t *testing.T) {
	h, f := faqDesk(t, "李静")
	test.Type(f.search, "定金能退吗")
	h.shows("没有完全一样的说法，以下按问句里的词、近音字找到。按回车记下这个说法，供总部补充。")
	if rows := rowTexts(f); len(rows) == 0 || !strings.Contains(rows[0], "定金") {
		t.Fatalf("rows %q", rows)
	}
	if got := highlighted(f, 0); got != "定金退" {
		t.Fatalf("highlighted %q", got)
	}
	f.search.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if f.selected == nil || !strings.Contains(f.selected.Question, "定金") {
		t.Fatalf("Enter selected %+v", f.selected)
	}
	if n := faqCount(h, "misses"); n != 1 {
		t.Fatalf("%d misses after Enter, want 1", n)
	}
	// Traditional characters and a synonym are found as typed: no miss.
	for _, q := range []string{"車位配比", "车库多少钱"} {
		f.search.SetText(q)
		f.search.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
		if f.selected == nil || !strings.Contains(f.selected.Question, "车位") {
			t.Fatalf("%q: Enter selected %+v", q, f.selected)
		}
	}
	if n := faqCount(h, "misses"); n != 1 {
		t.Fatalf("%d misses, want 1", n)
	}
}

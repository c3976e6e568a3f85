package app

import (
	"context"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"anchang/data"
)

// faqScreen answers visitors from the consultation manual (咨询应答): a
// search box that finds as the question is typed (characters or pinyin),
// browsing by category, the most asked and recently used answers, the
// chosen answer large enough to read out or show the customer, and what
// became of the question: answered from an entry, or handed to a colleague.
// faqDeskStore is what the answers tab (this file, app/faq_handoff.go)
// needs from the store; *data.Store satisfies it.
type faqDeskStore interface {
	Today() string
	Board(ctx context.Context, day string, f data.BoardFilter) (data.Board, error)
	ListStaff(ctx context.Context, includeInactive bool) ([]data.Staff, error)
	SearchFAQ(ctx context.Context, query string, limit int) (data.FAQSearchResult, error)
	ListFAQ(ctx context.Context, f data.FAQFilter) ([]data.FAQEntry, error)
	FAQCategories(ctx context.Context) ([]data.FAQCategory, error)
	LiveFAQ(ctx context.Context, entryID string) (data.FAQVersion, error)
	MostAskedFAQ(ctx context.Context, since time.Time, limit int) ([]data.FAQCount, error)
	RecentFAQ(ctx context.Context, staffID string, limit int) ([]data.FAQCount, error)
	LogConsultation(ctx context.Context, actorID, visitID, entryID, query string) error
	RecordFAQMiss(ctx context.Context, actorID, query string) error
	HandOffQuestion(ctx context.Context, actorID string, in data.HandoffInput) (data.Handoff, error)
	OpenHandoffs(ctx context.Context) ([]data.Handoff, error)
	FinishHandoff(ctx context.Context, actorID, id, note string) error
}

var _ faqDeskStore = (*data.Store)(nil)

type faqScreen struct {
	u     *UI
	store faqDeskStore

	search   *widget.Entry
	category *widget.Select
	found    *widget.Label
	message  *statusLine
	list     *widget.List
	notHere  *widget.Button
	rows     []faqRow
	cats     []data.FAQCategory
	catIndex int // the category select's last index, to notice a change

	// The selected answer.
	placeholder *widget.Label
	answerBox   *fyne.Container
	question    *widget.Label
	meta        *widget.Label
	template    *widget.Label
	answer      *widget.RichText
	showBtn     *widget.Button
	copyBtn     *widget.Button
	visit       *widget.Select
	answered    *widget.Button
	notice      *statusLine
	selected    *data.FAQVersion
	selQuery    string // what was searched when the entry was chosen

	handoffs   *fyne.Container
	open       []data.Handoff
	visits     []data.BoardRow
	staff      []data.Staff
	customer   fyne.CanvasObject // the desk while the customer view is shown
	searchSeq  int
	lastQuery  string // the query the list shows results of
	lastTotal  int    // how many entries it found
	lastApprox bool   // found only by reading it as a question (data.FAQSearchResult.Approximate)
	lastMissed string // the query last recorded as a miss

	next        *nextStep // import the project's manual (the first steps)
	manualReady bool      // the project's own manual is in: stop checking
}

// faqRow is one line of the list: a section title or an entry.
type faqRow struct {
	header  string // a section title ("" for an entry)
	sub     string // the header's subtitle or the entry's caption
	entryID string
	entry   *data.FAQVersion // nil until loaded (most asked, recent)
	text    string           // the question shown
	spans   [][2]int         // matched characters of text
}

// maxFAQQuery is the longest search the box accepts, in characters.
const maxFAQQuery = data.MaxMissQueryLen

// faqResultLimit caps the hits listed.
const faqResultLimit = 50

// colorNameHighlight colours the matched characters of a result.
const colorNameHighlight fyne.ThemeColorName = "anchang-highlight"

func newFAQScreen(u *UI) *faqScreen { return &faqScreen{u: u, store: u.store} }

func (f *faqScreen) buildUI() fyne.CanvasObject {
	f.search = &widget.Entry{PlaceHolder: T("faq.search.hint")}
	f.search.OnChanged = func(text string) {
		// A new search never leaves the previous answer on show: it could
		// be read out as the answer to the new question.
		f.clearEntry()
		f.onSearchChanged(text)
	}
	f.search.OnSubmitted = f.onSearchSubmitted
	f.category = widget.NewSelect([]string{T("faq.category.popular")}, func(string) { f.onCategory() })
	f.category.SetSelectedIndex(0)
	f.found = &widget.Label{Truncation: fyne.TextTruncateEllipsis}
	f.message = newStatusLine()
	f.list = widget.NewList(func() int { return len(f.rows) }, f.newRow, f.updateRow)
	f.list.OnSelected = f.onRowSelected
	f.notHere = &widget.Button{Text: T("faq.not_here"), Icon: theme.MailForwardIcon(), OnTapped: f.onNotHere}

	left := container.NewBorder(
		container.NewVBox(f.search, container.NewGridWithColumns(2, f.found, f.category), f.message),
		f.notHere, nil, nil, f.list)

	f.placeholder = &widget.Label{Text: T("faq.choose_entry"), Wrapping: fyne.TextWrapWord}
	f.question = &widget.Label{Wrapping: fyne.TextWrapWord, SizeName: theme.SizeNameHeadingText}
	f.meta = &widget.Label{Wrapping: fyne.TextWrapWord}
	f.template = &widget.Label{Text: T("faq.template"), Wrapping: fyne.TextWrapWord, Importance: widget.WarningImportance}
	f.answer = &widget.RichText{Wrapping: fyne.TextWrapWord, Scroll: container.ScrollNone}
	f.showBtn = &widget.Button{Text: T("faq.show_customer"), Icon: theme.ViewFullScreenIcon(), OnTapped: f.showCustomer}
	f.copyBtn = &widget.Button{Text: T("faq.copy"), Icon: theme.ContentCopyIcon(), OnTapped: f.onCopy}
	f.visit = widget.NewSelect(nil, nil)
	f.answered = &widget.Button{Text: T("faq.answered"), Importance: widget.HighImportance, Icon: theme.ConfirmIcon(), OnTapped: f.onAnswered}
	f.notice = newStatusLine()
	actions := container.NewVBox(
		container.NewHBox(f.showBtn, f.copyBtn),
		container.NewBorder(nil, nil, widget.NewLabel(T("faq.visit")), f.answered, f.visit),
		f.notice,
	)
	f.answerBox = container.NewVBox(f.question, f.meta, f.template, widget.NewSeparator(), f.answer, widget.NewSeparator(), actions)
	f.answerBox.Hide()
	f.next = newNextStep()
	f.handoffs = container.NewVBox()
	right := container.NewVSplit(
		container.NewVScroll(container.NewPadded(container.NewVBox(f.next.box, f.placeholder, f.answerBox))),
		container.NewVScroll(section(T("faq.handoffs"), "", f.handoffs)))
	right.Offset = 0.7
	split := container.NewHSplit(container.NewPadded(left), right)
	split.Offset = 0.42
	f.next.root = split
	f.setVisits(nil)
	return split
}

// reload refreshes the categories, the lists shown while the box is empty,
// today's visits and the open hand-offs.
func (f *faqScreen) reload() {
	if f.list == nil {
		return
	}
	u := f.u
	type side struct {
		cats   []data.FAQCategory
		visits []data.BoardRow
		staff  []data.Staff
		open   []data.Handoff
		step   int
	}
	// Until the project's own manual is in, the tab says how to import it
	// (a standalone office; an enrolled one gets HQ's).
	checkManual := !f.manualReady && !u.syncIdentity().Enrolled
	consultant := ""
	if u.user.Role == data.RoleConsultant {
		consultant = u.user.ID // a consultant answers for their own visitors
	}
	load(u, func(ctx context.Context) (side, error) {
		var s side
		var err error
		if s.cats, err = f.store.FAQCategories(ctx); err != nil {
			return s, err
		}
		b, err := f.store.Board(ctx, f.store.Today(), data.BoardFilter{Status: data.BoardPresent, ConsultantID: consultant})
		if err != nil {
			return s, err
		}
		s.visits = b.Rows
		if s.staff, err = f.store.ListStaff(ctx, false); err != nil {
			return s, err
		}
		if s.open, err = f.store.OpenHandoffs(ctx); err != nil {
			return s, err
		}
		if checkManual {
			entries, err := f.store.ListFAQ(ctx, data.FAQFilter{})
			if err != nil {
				return s, err
			}
			if manualIsStarter(entries) {
				s.step = stepManual
			}
		}
		return s, nil
	}, func(s side, err error) {
		if err != nil {
			f.message.SetError(u.errText(err))
			return
		}
		if checkManual {
			f.manualReady = s.step == stepNone
			if s.step != f.next.step {
				f.next.show(s.step, u.goToStep(s.step))
			}
		}
		f.setCategories(s.cats)
		f.setVisits(s.visits)
		f.staff = s.staff
		f.open = s.open
		f.showHandoffs()
	})
	if strings.TrimSpace(f.search.Text) == "" {
		f.browse()
	}
}

func (f *faqScreen) setCategories(cats []data.FAQCategory) {
	f.cats = cats
	opts := []string{T("faq.category.popular")}
	for _, c := range cats {
		opts = append(opts, categoryName(c))
	}
	f.category.Options = opts
	f.category.Refresh()
}

func categoryName(c data.FAQCategory) string {
	if Language() == "en" && c.NameEN != "" {
		return c.NameEN
	}
	return c.NameZH
}

// categoryText names a category code.
func (f *faqScreen) categoryText(code string) string {
	for _, c := range f.cats {
		if c.Code == code {
			return categoryName(c)
		}
	}
	return code
}

// setVisits offers today's visitors in the office to tie an answer to.
func (f *faqScreen) setVisits(rows []data.BoardRow) {
	prev := f.visitID()
	f.visits = rows
	opts := []string{T("faq.visit.none")}
	sel := 0
	for i, r := range rows {
		label := f.u.clockTime(r.ArrivedAt) + " " + visitorName(r.Name, r.Title)
		if r.ConsultantName != "" {
			label += " · " + r.ConsultantName
		}
		opts = append(opts, label)
		if r.VisitID == prev {
			sel = i + 1
		}
	}
	f.visit.Options = opts
	f.visit.SetSelectedIndex(sel)
}

// visitID is the visit chosen in the answer pane ("" = none).
func (f *faqScreen) visitID() string {
	if i := f.visit.SelectedIndex(); i > 0 && i-1 < len(f.visits) {
		return f.visits[i-1].VisitID
	}
	return ""
}

// cleanQuery turns what is in the box into a query, or says why it cannot
// be searched: line breaks and tabs count as spaces; other invisible
// control characters and pastes beyond maxFAQQuery are refused.
func cleanQuery(text string) (string, string) {
	text = strings.Map(func(r rune) rune {
		if r == '\n' || r == '\r' || r == '\t' {
			return ' '
		}
		return r
	}, text)
	for _, r := range text {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return "", T("faq.query_control")
		}
	}
	text = strings.Join(strings.Fields(text), " ")
	if n := utf8.RuneCountInString(text); n > maxFAQQuery {
		return "", T("faq.query_too_long", map[string]any{"Max": maxFAQQuery, "Count": n})
	}
	return text, ""
}

func (f *faqScreen) onSearchChanged(text string) {
	f.searchSeq++
	seq := f.searchSeq
	q, problem := cleanQuery(text)
	if problem != "" {
		f.message.SetError(problem)
		f.setRows(nil, "")
		f.lastQuery, f.lastTotal = "", -1
		return
	}
	f.message.SetText("")
	if q == "" {
		f.lastQuery, f.lastTotal = "", -1
		f.browse()
		return
	}
	u := f.u
	load(u, func(ctx context.Context) (data.FAQSearchResult, error) {
		return f.store.SearchFAQ(ctx, q, faqResultLimit)
	}, func(res data.FAQSearchResult, err error) {
		if seq != f.searchSeq {
			return // the box changed meanwhile
		}
		if err != nil {
			f.message.SetError(u.errText(err))
			return
		}
		f.showResults(q, res)
	})
}

// showResults lists the hits, in the chosen category if any.
func (f *faqScreen) showResults(q string, res data.FAQSearchResult) {
	cat := ""
	if i := f.category.SelectedIndex(); i > 0 && i-1 < len(f.cats) {
		cat = f.cats[i-1].Code
	}
	var rows []faqRow
	total := res.Total
	for i := range res.Hits {
		h := &res.Hits[i]
		if cat != "" && h.Entry.Category != cat {
			continue
		}
		rows = append(rows, f.hitRow(h))
	}
	if cat != "" {
		total = len(rows)
	}
	f.lastQuery, f.lastTotal, f.lastApprox = q, total, res.Approximate
	if total == 0 {
		f.setRows(nil, "")
		f.message.SetError(T("faq.no_results", map[string]any{"Query": q}))
		return
	}
	if res.Approximate {
		// Found by the question's words or by sound, not as typed: the
		// manual lacks this wording, which HQ hears of on Enter.
		f.message.SetNotice(T("faq.approximate"))
	}
	f.setRows(rows, T("faq.found", map[string]any{"Count": total}))
}

// hitRow shows a hit's question in the current language with the matched
// characters marked.
func (f *faqScreen) hitRow(h *data.FAQHit) faqRow {
	v := h.Entry
	spansOf := func(field string) [][2]int {
		var spans [][2]int
		for _, m := range h.Matches {
			if m.Field == field {
				spans = append(spans, [2]int{m.Start, m.End})
			}
		}
		return spans
	}
	text, spans := v.Question, spansOf("question")
	// In English, the English question, unless only the Chinese one matched.
	if en := spansOf("question_en"); Language() == "en" && v.QuestionEN != "" && (len(en) > 0 || len(spans) == 0) {
		text, spans = v.QuestionEN, en
	}
	sub := f.categoryText(v.Category)
	if h.Pinyin {
		sub += " · " + T("faq.pinyin")
	}
	return faqRow{entryID: v.EntryID, entry: &v, text: text, spans: spans, sub: sub}
}

// setRows shows rows; the selection and scroll position stay when the
// rows are the same (the periodic refresh of an unchanged list).
func (f *faqScreen) setRows(rows []faqRow, found string) {
	same := len(rows) == len(f.rows)
	for i := 0; same && i < len(rows); i++ {
		a, b := rows[i], f.rows[i]
		same = a.header == b.header && a.entryID == b.entryID && a.text == b.text && a.sub == b.sub && slices.Equal(a.spans, b.spans)
	}
	f.rows = rows
	f.found.SetText(found)
	if !same {
		f.list.UnselectAll()
		f.list.ScrollToTop()
	}
	f.list.Refresh()
}

func (f *faqScreen) onCategory() {
	i := f.category.SelectedIndex()
	if i == f.catIndex {
		return
	}
	f.catIndex = i
	if strings.TrimSpace(f.search.Text) == "" {
		f.browse()
	} else {
		f.onSearchChanged(f.search.Text)
	}
}

// browse fills the list while the box is empty: a category's entries, or
// the most asked and this staff member's recent answers.
func (f *faqScreen) browse() {
	u := f.u
	f.searchSeq++
	seq := f.searchSeq
	if i := f.category.SelectedIndex(); i > 0 && i-1 < len(f.cats) {
		code := f.cats[i-1].Code
		load(u, func(ctx context.Context) ([]data.FAQEntry, error) {
			return f.store.ListFAQ(ctx, data.FAQFilter{Category: code})
		}, func(es []data.FAQEntry, err error) {
			if seq != f.searchSeq {
				return
			}
			if err != nil {
				f.message.SetError(u.errText(err))
				return
			}
			var rows []faqRow
			for _, e := range es {
				v := e.Latest
				text := v.Question
				if Language() == "en" && v.QuestionEN != "" {
					text = v.QuestionEN
				}
				rows = append(rows, faqRow{entryID: e.ID, entry: &v, text: text, sub: strings.Join(v.Tags, T("faq.tag_sep"))})
			}
			f.setRows(rows, T("faq.found", map[string]any{"Count": len(rows)}))
		})
		return
	}
	type lists struct{ most, recent []data.FAQCount }
	actor := u.user.ID
	load(u, func(ctx context.Context) (lists, error) {
		most, err := f.store.MostAskedFAQ(ctx, u.now().AddDate(0, 0, -30), 8)
		if err != nil {
			return lists{}, err
		}
		recent, err := f.store.RecentFAQ(ctx, actor, 8)
		return lists{most, recent}, err
	}, func(l lists, err error) {
		if seq != f.searchSeq {
			return
		}
		if err != nil {
			f.message.SetError(u.errText(err))
			return
		}
		var rows []faqRow
		add := func(title, sub string, cs []data.FAQCount, caption func(data.FAQCount) string) {
			if len(cs) == 0 {
				return
			}
			rows = append(rows, faqRow{header: title, sub: sub})
			for _, c := range cs {
				rows = append(rows, faqRow{entryID: c.EntryID, text: c.Question, sub: caption(c)})
			}
		}
		add(T("faq.most_asked"), T("faq.most_asked.sub"), l.most, func(c data.FAQCount) string {
			return T("faq.count", map[string]any{"Count": c.Count})
		})
		add(T("faq.recent"), T("faq.recent.sub"), l.recent, func(c data.FAQCount) string { return u.dateTime(c.Last) })
		found := ""
		if len(rows) == 0 {
			found = T("faq.no_history")
		}
		f.setRows(rows, found)
	})
}

func (f *faqScreen) newRow() fyne.CanvasObject {
	text := &widget.RichText{Truncation: fyne.TextTruncateEllipsis, Scroll: container.ScrollNone}
	sub := &widget.RichText{Truncation: fyne.TextTruncateEllipsis, Scroll: container.ScrollNone}
	return container.NewVBox(text, sub)
}

func (f *faqScreen) updateRow(id widget.ListItemID, o fyne.CanvasObject) {
	if id >= len(f.rows) {
		return
	}
	r := f.rows[id]
	box := o.(*fyne.Container)
	text, sub := box.Objects[0].(*widget.RichText), box.Objects[1].(*widget.RichText)
	if r.header != "" {
		text.Segments = []widget.RichTextSegment{&widget.TextSegment{Text: r.header, Style: widget.RichTextStyle{Inline: true, ColorName: theme.ColorNamePrimary, SizeName: theme.SizeNameSubHeadingText}}}
	} else {
		text.Segments = highlightSegments(r.text, r.spans)
	}
	text.Refresh()
	sub.Segments = []widget.RichTextSegment{&widget.TextSegment{Text: r.sub, Style: widget.RichTextStyle{Inline: true, ColorName: theme.ColorNamePlaceHolder, SizeName: theme.SizeNameCaptionText}}}
	sub.Refresh()
}

// highlightSegments is text as inline segments, the characters in spans
// (rune offsets, possibly overlapping) coloured. Colour, not bold: the app
// draws no bold text (see modal.go).
func highlightSegments(text string, spans [][2]int) []widget.RichTextSegment {
	rs := []rune(text)
	mark := make([]bool, len(rs))
	for _, s := range spans {
		for i := max(s[0], 0); i < min(s[1], len(rs)); i++ {
			mark[i] = true
		}
	}
	plain := widget.RichTextStyleInline
	hl := widget.RichTextStyle{Inline: true, ColorName: colorNameHighlight}
	var segs []widget.RichTextSegment
	for start := 0; start < len(rs); {
		end := start
		for end < len(rs) && mark[end] == mark[start] {
			end++
		}
		style := plain
		if mark[start] {
			style = hl
		}
		segs = append(segs, &widget.TextSegment{Text: string(rs[start:end]), Style: style})
		start = end
	}
	return segs
}

func (f *faqScreen) onRowSelected(id widget.ListItemID) {
	if id >= len(f.rows) {
		return
	}
	r := f.rows[id]
	if r.header != "" {
		f.list.Unselect(id)
		return
	}
	query := f.lastQuery
	if r.entry != nil {
		f.showEntry(*r.entry, query)
		return
	}
	u := f.u
	load(u, func(ctx context.Context) (data.FAQVersion, error) {
		return f.store.LiveFAQ(ctx, r.entryID)
	}, func(v data.FAQVersion, err error) {
		if err != nil {
			f.notice.SetError(u.errText(err))
			return
		}
		f.showEntry(v, query)
	})
}

// showEntry shows an answer in the right pane.
func (f *faqScreen) showEntry(v data.FAQVersion, query string) {
	f.selected, f.selQuery = &v, query
	question, answer := entryText(v)
	f.question.SetText(question)
	tags := strings.Join(v.Tags, T("faq.tag_sep"))
	if tags == "" {
		tags = T("faq.meta.no_tags")
	}
	meta := T("faq.meta", map[string]any{"Category": f.categoryText(v.Category), "Tags": tags, "Version": v.Version, "Effective": v.EffectiveOn})
	if v.ExpiresOn != "" {
		meta += T("faq.meta.expires", map[string]any{"Date": v.ExpiresOn})
	}
	f.meta.SetText(meta)
	if v.Template {
		f.template.Show()
	} else {
		f.template.Hide()
	}
	f.answer.Segments = answerSegments(answer, theme.SizeNameSubHeadingText)
	f.answer.Refresh()
	f.notice.SetText("")
	f.placeholder.Hide()
	f.answerBox.Show()
}

// clearEntry empties the answer pane back to its placeholder.
func (f *faqScreen) clearEntry() {
	if f.selected == nil {
		return
	}
	f.selected, f.selQuery = nil, ""
	f.question.SetText("")
	f.meta.SetText("")
	f.answer.Segments = nil
	f.answer.Refresh()
	f.notice.SetText("")
	f.answerBox.Hide()
	f.placeholder.Show()
	f.list.UnselectAll()
}

// entryText is the question and answer in the current language.
func entryText(v data.FAQVersion) (string, string) {
	if Language() == "en" && v.QuestionEN != "" && v.AnswerEN != "" {
		return v.QuestionEN, v.AnswerEN
	}
	return v.Question, v.Answer
}

// answerSegments lays an answer out: a paragraph per line, consecutive
// lines starting with "- " as a bulleted list.
func answerSegments(answer string, size fyne.ThemeSizeName) []widget.RichTextSegment {
	para := widget.RichTextStyleParagraph
	para.SizeName = size
	item := widget.RichTextStyleInline
	item.SizeName = size
	var segs []widget.RichTextSegment
	var list *widget.ListSegment
	for _, line := range strings.Split(answer, "\n") {
		line = strings.TrimSpace(line)
		if rest, ok := strings.CutPrefix(line, "- "); ok {
			if list == nil {
				list = &widget.ListSegment{}
				segs = append(segs, list)
			}
			list.Items = append(list.Items, &widget.ParagraphSegment{Texts: []widget.RichTextSegment{&widget.TextSegment{Text: rest, Style: item}}})
			continue
		}
		list = nil
		if line != "" {
			segs = append(segs, &widget.TextSegment{Text: line, Style: para})
		}
	}
	return segs
}

func (f *faqScreen) onCopy() {
	if f.selected == nil {
		return
	}
	q, a := entryText(*f.selected)
	f.u.fa.Clipboard().SetContent(q + "\n\n" + a)
	f.notice.SetSuccess(T("faq.copied"))
}

// showCustomer fills the window with the answer in very large text, to
// turn the screen towards the customer; a button or Esc goes back.
func (f *faqScreen) showCustomer() {
	if f.selected == nil || f.customer != nil {
		return
	}
	q, a := entryText(*f.selected)
	question := &widget.Label{Text: q, Wrapping: fyne.TextWrapWord, SizeName: theme.SizeNameHeadingText}
	answer := &widget.RichText{Wrapping: fyne.TextWrapWord, Scroll: container.ScrollNone, Segments: answerSegments(a, theme.SizeNameText)}
	back := &widget.Button{Text: T("faq.close_customer"), Importance: widget.HighImportance, OnTapped: func() { f.closeCustomer() }}
	body := container.NewBorder(nil, container.NewCenter(back), nil, nil,
		container.NewVScroll(container.NewPadded(container.NewVBox(question, widget.NewSeparator(), answer))))
	f.customer = f.u.win.Content()
	f.u.win.Canvas().Unfocus() // Esc goes to the window, not the search box
	f.u.win.SetContent(container.NewThemeOverride(container.NewPadded(body), &deskTheme{textSize: 30}))
}

// closeCustomer returns to the desk; it reports whether the customer view
// was open.
func (f *faqScreen) closeCustomer() bool {
	if f.customer == nil {
		return false
	}
	f.u.win.SetContent(f.customer)
	f.customer.Refresh() // repaint now, not at the next mouse move
	f.customer = nil
	f.u.win.Canvas().Focus(f.search)
	return true
}

func (f *faqScreen) onAnswered() {
	v := f.selected
	if v == nil {
		return
	}
	u := f.u
	visit, query := f.visitID(), f.selQuery
	f.answered.Disable()
	actor := u.user.ID
	do(u, func(ctx context.Context) error {
		return f.store.LogConsultation(ctx, actor, visit, v.EntryID, query)
	}, func(err error) {
		f.answered.Enable()
		if err != nil {
			f.notice.SetError(u.errText(err))
			return
		}
		q, _ := entryText(*v)
		f.notice.SetSuccess(T("faq.answered.done", map[string]any{"Question": q}))
		if strings.TrimSpace(f.search.Text) == "" {
			f.browse()
		}
	})
}

func (f *faqScreen) onSearchSubmitted(text string) {
	q, problem := cleanQuery(text)
	if problem != "" || q == "" || q != f.lastQuery {
		return
	}
	if f.lastTotal == 0 {
		f.recordMiss(q)
		return
	}
	if f.lastApprox {
		f.recordMiss(q) // and the hits stay to answer from
	}
	if len(f.rows) > 0 {
		f.list.Select(0)
	}
}

// recordMiss notes once that q found nothing.
func (f *faqScreen) recordMiss(q string) {
	if q == "" || q == f.lastMissed {
		return
	}
	f.lastMissed = q
	u := f.u
	actor := u.user.ID
	do(u, func(ctx context.Context) error {
		return f.store.RecordFAQMiss(ctx, actor, q)
	}, func(err error) {
		if err != nil {
			f.message.SetError(u.errText(err))
			return
		}
		f.message.SetSuccess(T("faq.miss_recorded", map[string]any{"Query": q}))
	})
}

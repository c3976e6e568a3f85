package app

import (
	"context"
	"strings"
	"time"
	"unicode"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"anchang/data"
)

// faqManage is the admin's page of the manual: every entry in any status,
// filtered by status, category and text, and the editor of one entry. Each
// save appends a version and each button moves the newest version through
// the data layer's transitions (draft → review → approved → retired, or
// back to draft); the answer is checked for vague wording as it is typed.
// faqManageStore is what the manual's editor needs from the store;
// *data.Store satisfies it.
type faqManageStore interface {
	FAQCategories(ctx context.Context) ([]data.FAQCategory, error)
	ListFAQ(ctx context.Context, f data.FAQFilter) ([]data.FAQEntry, error)
	ListStaff(ctx context.Context, includeInactive bool) ([]data.Staff, error)
	VagueWords(ctx context.Context) ([]string, error)
	FAQVersionOf(ctx context.Context, entryID string, version int) (data.FAQVersion, error)
	SaveFAQ(ctx context.Context, actorID, entryID string, in data.FAQInput) (data.FAQVersion, error)
	SetFAQStatus(ctx context.Context, actorID, entryID string, to data.FAQStatus, note string) error
	faqHistoryStore // an entry's versions (app/faq_history.go)
}

var _ faqManageStore = (*data.Store)(nil)

type faqManage struct {
	u     *UI
	store faqManageStore

	// The list.
	status   *widget.Select
	category *widget.Select
	filter   *widget.Entry
	count    *widget.Label
	newBtn   *widget.Button
	list     *widget.List
	listMsg  *statusLine
	all      []data.FAQEntry
	rows     []data.FAQEntry // all, filtered
	cats     []data.FAQCategory
	staff    map[string]string // staff id → name
	words    []string          // the vague words

	// The editor.
	title      *widget.Label
	state      *widget.Label
	historyBtn *widget.Button
	question   *widget.Entry
	alts       *widget.Entry
	answer     *widget.Entry
	questionEN *widget.Entry
	answerEN   *widget.Entry
	cat        *widget.Select
	catCode    string // the category the form holds
	tags       *widget.Entry
	scope      *widget.Select
	scopes     []string // behind the scope select's options
	effective  *widget.Entry
	expires    *widget.Entry
	template   *widget.Check
	lintZH     *lintView
	lintEN     *lintView
	approveWhy *widget.Label
	saveBtn    *widget.Button
	submitBtn  *widget.Button
	approveBtn *widget.Button
	backBtn    *widget.Button
	retireBtn  *widget.Button
	message    *statusLine
	fields     []*field

	entryID string           // the open entry; "" = a new one
	current *data.FAQVersion // its newest stored version
	live    int              // the version the desk answers from; 0 = none
	dirty   bool             // the form differs from current
	loading bool             // the form is being filled: changes are not edits
	issues  []data.LintIssue // vague words in the form's answers
	lintSeq int
	history *faqHistory // the history view last opened
}

// lintDelay is how long typing pauses before the answer is checked.
const lintDelay = 300 * time.Millisecond

func newFAQManage(u *UI) *faqManage {
	return &faqManage{u: u, store: u.store, staff: map[string]string{}}
}

func (f *faqManage) buildUI() fyne.CanvasObject {
	statuses := []string{T("faq.manage.all_statuses")}
	for _, s := range faqStatuses {
		statuses = append(statuses, faqStatusText(s))
	}
	f.status = widget.NewSelect(statuses, func(string) { f.applyFilter() })
	f.status.SetSelectedIndex(0)
	f.category = widget.NewSelect([]string{T("faq.manage.all_categories")}, func(string) { f.applyFilter() })
	f.category.SetSelectedIndex(0)
	f.filter = &widget.Entry{PlaceHolder: T("faq.manage.filter")}
	f.filter.OnChanged = func(string) { f.applyFilter() }
	f.count = &widget.Label{Truncation: fyne.TextTruncateEllipsis}
	f.newBtn = &widget.Button{Text: T("faq.manage.new"), Icon: theme.ContentAddIcon(), OnTapped: func() { f.newEntry("") }}
	f.listMsg = newStatusLine()
	f.list = widget.NewList(func() int { return len(f.rows) }, func() fyne.CanvasObject {
		q := &widget.RichText{Truncation: fyne.TextTruncateEllipsis, Scroll: container.ScrollNone}
		c := &widget.RichText{Truncation: fyne.TextTruncateEllipsis, Scroll: container.ScrollNone}
		return container.NewVBox(q, c)
	}, f.updateRow)
	f.list.OnSelected = f.onRowSelected
	left := container.NewBorder(
		container.NewVBox(container.NewGridWithColumns(2, f.status, f.category), f.filter,
			container.NewBorder(nil, nil, nil, f.newBtn, f.count), f.listMsg),
		nil, nil, nil, f.list)

	f.title = heading("")
	f.state = &widget.Label{Wrapping: fyne.TextWrapWord}
	f.historyBtn = &widget.Button{Text: T("faq.manage.history"), Icon: theme.HistoryIcon(), OnTapped: f.onHistory}
	f.question = f.entry(false, 0)
	f.alts = f.entry(true, 3)
	f.alts.PlaceHolder = T("faq.edit.alts.hint")
	f.answer = f.entry(true, 6)
	f.questionEN = f.entry(false, 0)
	f.answerEN = f.entry(true, 3)
	f.cat = widget.NewSelect(nil, func(string) { f.onCategoryChosen() })
	f.cat.PlaceHolder = T("checkin.choose")
	f.tags = f.entry(false, 0)
	f.tags.PlaceHolder = T("faq.edit.tags.hint")
	f.scope = widget.NewSelect(nil, func(string) { f.edited() })
	f.effective = f.entry(false, 0)
	f.effective.PlaceHolder = "2026-01-01"
	f.expires = f.entry(false, 0)
	f.expires.PlaceHolder = T("faq.edit.expires.hint")
	f.template = widget.NewCheck(T("faq.edit.template"), func(bool) { f.edited() })
	f.lintZH, f.lintEN = newLintView(), newLintView()
	f.fields = []*field{
		newField("question", "faq.edit.question", f.question),
		newField("alternatives", "faq.edit.alts", f.alts),
		newField("answer", "faq.edit.answer", container.NewVBox(f.answer, f.lintZH.box)),
		newField("category", "faq.edit.category", f.cat),
		newField("tags", "faq.edit.tags", f.tags),
		newField("scope", "faq.edit.scope", f.scope),
		newField("effective_on", "faq.edit.effective", f.effective),
		newField("expires_on", "faq.edit.expires", f.expires),
		newField("question_en", "faq.edit.question_en", f.questionEN),
		newField("answer_en", "faq.edit.answer_en", container.NewVBox(f.answerEN, f.lintEN.box)),
		newField("template", "faq.edit.template_label", f.template),
	}
	f.approveWhy = &widget.Label{Wrapping: fyne.TextWrapWord}
	f.saveBtn = &widget.Button{Text: T("faq.manage.save"), Icon: theme.DocumentSaveIcon(), OnTapped: f.onSave}
	f.submitBtn = &widget.Button{Text: T("faq.manage.submit"), OnTapped: f.onSubmit}
	f.approveBtn = &widget.Button{Text: T("faq.manage.approve"), Icon: theme.ConfirmIcon(), Importance: widget.HighImportance, OnTapped: f.onApprove}
	f.backBtn = &widget.Button{Text: T("faq.manage.send_back"), OnTapped: f.onSendBack}
	f.retireBtn = &widget.Button{Text: T("faq.manage.retire"), OnTapped: f.onRetire}
	f.message = newStatusLine()
	buttons := container.NewHBox(f.saveBtn, f.submitBtn, f.approveBtn, f.backBtn, f.retireBtn, layout.NewSpacer())
	right := container.NewBorder(
		container.NewBorder(nil, nil, nil, container.NewVBox(f.historyBtn), container.NewVBox(f.title, f.state)),
		container.NewVBox(widget.NewSeparator(), f.approveWhy, f.message, buttons),
		nil, nil,
		container.NewVScroll(formGrid(f.fields...)))
	split := container.NewHSplit(container.NewPadded(left), container.NewPadded(right))
	split.Offset = 0.34
	f.blank("")
	return split
}

// faqStatuses in their order of life.
var faqStatuses = []data.FAQStatus{data.FAQDraft, data.FAQReview, data.FAQApproved, data.FAQRetired}

// entry makes an input whose changes are edits; rows > 0 makes it multi-line.
func (f *faqManage) entry(multi bool, rows int) *widget.Entry {
	e := &widget.Entry{MultiLine: multi}
	if multi {
		e.Wrapping = fyne.TextWrapWord
		e.SetMinRowsVisible(rows)
	}
	e.OnChanged = func(string) { f.edited() }
	return e
}

// reload refreshes the categories, the staff names, the vague words and
// the list; the open entry stays as it is.
func (f *faqManage) reload() {
	if f.list == nil {
		return
	}
	u := f.u
	type snap struct {
		cats    []data.FAQCategory
		entries []data.FAQEntry
		staff   []data.Staff
		words   []string
	}
	load(u, func(ctx context.Context) (snap, error) {
		var s snap
		var err error
		if s.cats, err = f.store.FAQCategories(ctx); err != nil {
			return s, err
		}
		if len(s.cats) == 0 {
			s.cats = data.DefaultFAQCategories // the store adds them with the first entry
		}
		if s.entries, err = f.store.ListFAQ(ctx, data.FAQFilter{Editing: true}); err != nil {
			return s, err
		}
		if s.staff, err = f.store.ListStaff(ctx, true); err != nil {
			return s, err
		}
		s.words, err = f.store.VagueWords(ctx)
		return s, err
	}, func(s snap, err error) {
		if err != nil {
			f.listMsg.SetError(u.errText(err))
			return
		}
		f.listMsg.SetText("")
		for _, st := range s.staff {
			f.staff[st.ID] = st.Name
		}
		f.words = s.words
		f.setCategories(s.cats)
		f.all = s.entries
		f.applyFilter()
		f.lint()
		f.showState()
	})
}

func (f *faqManage) setCategories(cats []data.FAQCategory) {
	f.cats = cats
	filterOpts := []string{T("faq.manage.all_categories")}
	var opts []string
	for _, c := range cats {
		filterOpts = append(filterOpts, categoryName(c))
		opts = append(opts, categoryName(c))
	}
	f.category.Options = filterOpts
	f.category.Refresh()
	was := f.loading
	f.loading = true
	f.cat.Options = opts
	f.selectCategory(f.catCode)
	f.loading = was
}

// onCategoryChosen keeps the code behind the editor's category select.
func (f *faqManage) onCategoryChosen() {
	if i := f.cat.SelectedIndex(); i >= 0 && i < len(f.cats) {
		f.catCode = f.cats[i].Code
	} else if !f.loading {
		f.catCode = ""
	}
	f.edited()
}

// selectCategory chooses code in the editor; it is kept while the
// categories are still loading.
func (f *faqManage) selectCategory(code string) {
	f.catCode = code
	for i, c := range f.cats {
		if c.Code == code {
			f.cat.SetSelectedIndex(i)
			return
		}
	}
	f.cat.ClearSelected()
	f.catCode = code
}

func (f *faqManage) categoryText(code string) string {
	for _, c := range f.cats {
		if c.Code == code {
			return categoryName(c)
		}
	}
	return code
}

// applyFilter lists the entries the filters let through.
func (f *faqManage) applyFilter() {
	if f.list == nil {
		return
	}
	var status data.FAQStatus
	if i := f.status.SelectedIndex(); i > 0 {
		status = faqStatuses[i-1]
	}
	cat := ""
	if i := f.category.SelectedIndex(); i > 0 && i-1 < len(f.cats) {
		cat = f.cats[i-1].Code
	}
	text := strings.ToLower(strings.TrimSpace(f.filter.Text))
	f.rows = f.rows[:0]
	for _, e := range f.all {
		v := e.Latest
		if status != "" && e.LatestStatus != status || cat != "" && v.Category != cat {
			continue
		}
		if text != "" && !entryContains(v, text) {
			continue
		}
		f.rows = append(f.rows, e)
	}
	f.count.SetText(T("faq.manage.count", map[string]any{"Count": len(f.rows), "Total": len(f.all)}))
	f.list.UnselectAll()
	f.list.Refresh()
	f.selectOpen()
}

// selectOpen marks the open entry in the list, without reopening it.
func (f *faqManage) selectOpen() {
	for i, e := range f.rows {
		if e.ID == f.entryID && f.entryID != "" {
			handler := f.list.OnSelected
			f.list.OnSelected = nil
			f.list.Select(i)
			f.list.OnSelected = handler
			return
		}
	}
}

func entryContains(v data.FAQVersion, lower string) bool {
	for _, s := range append([]string{v.Question, v.QuestionEN, v.Answer, v.AnswerEN}, append(v.Alternatives, v.Tags...)...) {
		if strings.Contains(strings.ToLower(s), lower) {
			return true
		}
	}
	return false
}

func (f *faqManage) updateRow(id widget.ListItemID, o fyne.CanvasObject) {
	if id >= len(f.rows) {
		return
	}
	e := f.rows[id]
	v := e.Latest
	box := o.(*fyne.Container)
	q, c := box.Objects[0].(*widget.RichText), box.Objects[1].(*widget.RichText)
	q.Segments = []widget.RichTextSegment{&widget.TextSegment{Text: v.Question, Style: widget.RichTextStyleInline}}
	q.Refresh()
	caption := T("faq.manage.row", map[string]any{"Category": f.categoryText(v.Category), "Version": v.Version})
	if e.LiveVersion > 0 && e.LiveVersion != v.Version {
		caption += T("faq.manage.row.live", map[string]any{"Version": e.LiveVersion})
	}
	c.Segments = []widget.RichTextSegment{
		captionSegment(faqStatusText(e.LatestStatus), faqStatusColor(e.LatestStatus)),
		captionSegment(" · "+caption, theme.ColorNamePlaceHolder),
	}
	c.Refresh()
}

func (f *faqManage) onRowSelected(id widget.ListItemID) {
	if id >= len(f.rows) {
		return
	}
	entryID := f.rows[id].ID
	if entryID == f.entryID {
		return
	}
	f.leave(func() { f.message.SetText(""); f.open(entryID) }, func() { f.list.UnselectAll(); f.selectOpen() })
}

// leave runs next at once, or after asking when the form has unsaved
// changes; stay runs when the admin keeps them.
func (f *faqManage) leave(next, stay func()) {
	if !f.dirty {
		next()
		return
	}
	msg := &widget.Label{Text: T("faq.manage.discard.text"), Wrapping: fyne.TextWrapWord}
	m := f.u.showModal(T("faq.manage.discard"), container.New(fixedWidth(420), msg), "",
		&widget.Button{Text: T("faq.manage.discard.keep"), OnTapped: stay},
		&widget.Button{Text: T("faq.manage.discard.ok"), Importance: widget.DangerImportance, OnTapped: next})
	m.pop.Refresh()
}

// newEntry empties the form for a new entry, asking question (may be "").
func (f *faqManage) newEntry(question string) {
	if f.list == nil {
		return
	}
	f.leave(func() {
		f.blank(question)
		f.u.win.Canvas().Focus(f.question)
	}, nil)
}

// blank empties the form for a new entry asking question.
func (f *faqManage) blank(question string) {
	f.list.UnselectAll()
	today := f.u.now().In(f.u.location()).Format(time.DateOnly)
	f.fill("", nil, 0, data.FAQInput{Question: question, EffectiveOn: today})
	f.message.SetText("")
}

// open loads an entry's newest version into the form.
func (f *faqManage) open(entryID string) {
	u := f.u
	type snap struct {
		v    data.FAQVersion
		live int
	}
	load(u, func(ctx context.Context) (snap, error) {
		v, err := f.store.FAQVersionOf(ctx, entryID, 0)
		if err != nil {
			return snap{}, err
		}
		es, err := f.store.ListFAQ(ctx, data.FAQFilter{Editing: true})
		live := 0
		for _, e := range es {
			if e.ID == entryID {
				live = e.LiveVersion
			}
		}
		return snap{v, live}, err
	}, func(s snap, err error) {
		if err != nil {
			f.message.SetError(u.errText(err))
			return
		}
		f.fill(entryID, &s.v, s.live, s.v.FAQInput)
	})
}

// fill puts in into the form for entryID (cur its newest stored version,
// nil for a new entry).
func (f *faqManage) fill(entryID string, cur *data.FAQVersion, live int, in data.FAQInput) {
	f.loading = true
	f.entryID, f.current, f.live = entryID, cur, live
	f.question.SetText(in.Question)
	f.alts.SetText(strings.Join(in.Alternatives, "\n"))
	f.answer.SetText(in.Answer)
	f.questionEN.SetText(in.QuestionEN)
	f.answerEN.SetText(in.AnswerEN)
	f.selectCategory(in.Category)
	f.tags.SetText(strings.Join(in.Tags, " "))
	f.setScopes(in.Scope)
	f.effective.SetText(in.EffectiveOn)
	f.expires.SetText(in.ExpiresOn)
	f.template.SetChecked(in.Template)
	f.loading = false
	f.dirty = false
	showFieldErrors(f.fields, nil, nil)
	f.lint()
	f.showState()
	f.selectOpen()
}

// setScopes offers every project and this office (and the entry's own
// scope when it is another office's).
func (f *faqManage) setScopes(scope string) {
	code := f.u.office.Code
	f.scopes = []string{""}
	opts := []string{T("faq.edit.scope.all")}
	if code != "" {
		f.scopes = append(f.scopes, code)
		opts = append(opts, T("faq.edit.scope.office", map[string]any{"Code": code}))
	}
	if scope != "" && scope != code {
		f.scopes = append(f.scopes, scope)
		opts = append(opts, T("faq.edit.scope.office", map[string]any{"Code": scope}))
	}
	f.scope.Options = opts
	for i, s := range f.scopes {
		if s == scope {
			f.scope.SetSelectedIndex(i)
		}
	}
}

// input is what the form holds.
func (f *faqManage) input() data.FAQInput {
	in := data.FAQInput{
		Question:     f.question.Text,
		Alternatives: strings.Split(strings.ReplaceAll(f.alts.Text, "\r", ""), "\n"),
		Answer:       f.answer.Text,
		QuestionEN:   f.questionEN.Text,
		AnswerEN:     f.answerEN.Text,
		Category:     f.catCode,
		Tags:         splitTags(f.tags.Text),
		EffectiveOn:  f.effective.Text,
		ExpiresOn:    f.expires.Text,
		Template:     f.template.Checked,
	}
	if i := f.scope.SelectedIndex(); i >= 0 && i < len(f.scopes) {
		in.Scope = f.scopes[i]
	}
	return in
}

// splitTags splits the tags box at spaces, commas, 、 and |.
func splitTags(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || strings.ContainsRune(",，、|｜;；", r)
	})
}

// edited notes a change the admin made and checks the answers again once
// the typing pauses.
func (f *faqManage) edited() {
	if f.loading || f.question == nil {
		return
	}
	f.dirty = true
	f.lintSeq++
	seq := f.lintSeq
	if f.u.inline {
		f.lint()
	} else {
		time.AfterFunc(lintDelay, func() {
			f.u.threads.Do(func() {
				if seq == f.lintSeq {
					f.lint()
				}
			})
		})
	}
	f.showState()
}

// lint marks the vague words in both answers.
func (f *faqManage) lint() {
	if f.answer == nil {
		return
	}
	words := f.words
	if words == nil {
		words = data.DefaultVagueWords
	}
	f.issues = data.LintFAQ(data.FAQInput{Answer: f.answer.Text, AnswerEN: f.answerEN.Text}, words)
	var zh, en []data.LintIssue
	for _, is := range f.issues {
		if is.Field == "answer_en" {
			en = append(en, is)
		} else {
			zh = append(zh, is)
		}
	}
	f.lintZH.show(f.answer.Text, zh, T("faq.edit.answer"))
	f.lintEN.show(f.answerEN.Text, en, T("faq.edit.answer_en"))
	f.showState()
}

// showState writes the entry's version and status and enables what may be
// done with it now.
func (f *faqManage) showState() {
	if f.saveBtn == nil {
		return
	}
	var status data.FAQStatus
	if f.current == nil {
		f.title.SetText(T("faq.manage.new_title"))
		f.state.SetText(T("faq.manage.new_state"))
	} else {
		v := f.current
		f.title.SetText(T("faq.manage.edit_title"))
		status = v.Status
		state := T("faq.manage.state", map[string]any{"Version": v.Version, "Status": faqStatusText(v.Status),
			"By": f.staffName(v.AuthorID), "At": f.u.dateTime(v.CreatedAt)})
		if f.live > 0 {
			state += T("faq.manage.state.live", map[string]any{"Version": f.live})
		} else {
			state += T("faq.manage.state.not_live")
		}
		f.state.SetText(state)
	}
	setEnabled(f.historyBtn, f.current != nil)
	setEnabled(f.submitBtn, f.current == nil || f.dirty || status == data.FAQDraft)
	setEnabled(f.backBtn, status == data.FAQReview)
	setEnabled(f.retireBtn, status == data.FAQApproved && !f.u.byHQ())
	why, bad := f.approveBlock(status)
	setEnabled(f.approveBtn, why == "")
	f.approveWhy.Importance = widget.MediumImportance
	if bad {
		f.approveWhy.Importance = widget.DangerImportance
	}
	f.approveWhy.SetText(why)
	if why == "" || status == data.FAQApproved || status == data.FAQRetired {
		f.approveWhy.Hide()
	} else {
		f.approveWhy.Show()
	}
}

// approveBlock says why the open entry cannot be approved now ("" = it
// can), and whether that is a fault in the content.
func (f *faqManage) approveBlock(status data.FAQStatus) (string, bool) {
	if f.u.byHQ() {
		return T("sync.by_hq.approve"), false
	}
	if n := len(f.issues); n > 0 {
		return T("err.faq.vague", map[string]any{"Count": n, "Word": f.issues[0].Word}), true
	}
	switch {
	case status == data.FAQReview && f.dirty:
		return T("faq.manage.why.unsaved"), false
	case status == data.FAQReview:
		return "", false
	case status == data.FAQApproved:
		if f.dirty {
			return T("faq.manage.why.draft"), false
		}
		return T("faq.manage.why.approved"), false
	case status == data.FAQRetired && !f.dirty:
		return T("faq.manage.why.retired"), false
	}
	return T("faq.manage.why.draft"), false
}

func (f *faqManage) staffName(id string) string {
	if n, ok := f.staff[id]; ok {
		return n
	}
	if id == "" {
		return T("faq.history.nobody")
	}
	return T("faq.history.someone")
}

// afterChange reloads the list and the entry, and says msg.
func (f *faqManage) afterChange(entryID, msg string) {
	f.dirty = false
	f.open(entryID)
	f.reload()
	f.message.SetSuccess(msg)
}

// failed shows err under its field, if it names one, and in the message
// line by the buttons.
func (f *faqManage) failed(err error) {
	showFieldErrors(f.fields, fieldErrorsOf(err), nil)
	f.message.SetError(f.u.faqErrText(err))
}

func (f *faqManage) busy(on bool) {
	for _, b := range []*widget.Button{f.saveBtn, f.submitBtn, f.approveBtn, f.backBtn, f.retireBtn} {
		if on {
			b.Disable()
		}
	}
	if !on {
		f.saveBtn.Enable()
		f.showState()
	}
}

func (f *faqManage) onSave() {
	u := f.u
	entryID, in, prev := f.entryID, f.input(), f.current
	f.busy(true)
	actor := u.user.ID
	load(u, func(ctx context.Context) (data.FAQVersion, error) {
		return f.store.SaveFAQ(ctx, actor, entryID, in) // a new draft version when it changed
	}, func(v data.FAQVersion, err error) {
		f.busy(false)
		if err != nil {
			f.failed(err)
			return
		}
		showFieldErrors(f.fields, nil, nil)
		if prev != nil && v.Version == prev.Version {
			f.message.SetSuccess(T("faq.manage.unchanged"))
			f.dirty = false
			f.showState()
			return
		}
		f.afterChange(v.EntryID, T("faq.manage.saved", map[string]any{"Version": v.Version}))
	})
}

func (f *faqManage) onSubmit() {
	u := f.u
	entryID, in, mustSave := f.entryID, f.input(), f.current == nil || f.dirty
	f.busy(true)
	actor := u.user.ID
	load(u, func(ctx context.Context) (data.FAQVersion, error) {
		var v data.FAQVersion
		var err error
		if mustSave {
			if v, err = f.store.SaveFAQ(ctx, actor, entryID, in); err != nil {
				return v, err
			}
			entryID = v.EntryID
		} else if v, err = f.store.FAQVersionOf(ctx, entryID, 0); err != nil {
			return v, err
		}
		return v, f.store.SetFAQStatus(ctx, actor, entryID, data.FAQReview, "")
	}, func(v data.FAQVersion, err error) {
		f.busy(false)
		if err != nil {
			if v.EntryID != "" && mustSave {
				f.afterChange(v.EntryID, "") // saved, though not submitted
			}
			f.failed(err)
			return
		}
		showFieldErrors(f.fields, nil, nil)
		f.afterChange(v.EntryID, T("faq.manage.submitted", map[string]any{"Version": v.Version}))
	})
}

func (f *faqManage) onApprove() {
	if why, _ := f.approveBlock(f.statusNow()); why != "" {
		f.message.SetError(why)
		return
	}
	f.move(data.FAQApproved, "faq.manage.approved")
}

func (f *faqManage) onSendBack() { f.move(data.FAQDraft, "faq.manage.sent_back") }

func (f *faqManage) onRetire() {
	if f.current == nil {
		return
	}
	msg := &widget.Label{Text: T("faq.manage.retire.text", map[string]any{"Question": f.current.Question}), Wrapping: fyne.TextWrapWord}
	m := f.u.showModal(T("faq.manage.retire"), container.New(fixedWidth(420), msg), T("dialog.cancel"),
		&widget.Button{Text: T("faq.manage.retire"), Importance: widget.DangerImportance, OnTapped: func() {
			f.move(data.FAQRetired, "faq.manage.retired")
		}})
	m.pop.Refresh()
}

func (f *faqManage) statusNow() data.FAQStatus {
	if f.current == nil {
		return ""
	}
	return f.current.Status
}

// move changes the open entry's newest version to status to.
func (f *faqManage) move(to data.FAQStatus, doneKey string) {
	if f.current == nil {
		return
	}
	u := f.u
	entryID, version := f.entryID, f.current.Version
	f.busy(true)
	actor := u.user.ID
	do(u, func(ctx context.Context) error {
		return f.store.SetFAQStatus(ctx, actor, entryID, to, "")
	}, func(err error) {
		f.busy(false)
		if err != nil {
			f.failed(err)
			return
		}
		f.afterChange(entryID, T(doneKey, map[string]any{"Version": version}))
	})
}

func (f *faqManage) onHistory() {
	if f.entryID != "" {
		f.u.showFAQHistory(f.store, f.entryID, f.live, f.staff, f.categoryText, f.useVersion, func(h *faqHistory) { f.history = h })
	}
}

// useVersion puts an older version's content into the form, to be saved
// as a new version of the open entry (nothing is overwritten).
func (f *faqManage) useVersion(v data.FAQVersion) {
	if v.EntryID != f.entryID || f.current == nil {
		return
	}
	f.leave(func() {
		f.fill(f.entryID, f.current, f.live, v.FAQInput)
		f.dirty = true
		f.showState()
		f.message.SetSuccess(T("faq.manage.from_version", map[string]any{"Version": v.Version, "Next": f.current.Version + 1}))
	}, nil)
}

// lintView shows an answer with its vague words in the error colour and a
// line per occurrence saying where it is; hidden while there is none.
type lintView struct {
	box   *fyne.Container
	text  *widget.RichText
	lines *widget.Label
	clean *widget.Label
}

func newLintView() *lintView {
	l := &lintView{
		text:  &widget.RichText{Wrapping: fyne.TextWrapWord, Scroll: container.ScrollNone},
		lines: &widget.Label{Wrapping: fyne.TextWrapWord, Importance: widget.DangerImportance},
		clean: &widget.Label{Text: T("faq.edit.lint.clean"), Importance: widget.SuccessImportance},
	}
	l.box = container.NewVBox(l.clean, l.text, l.lines)
	l.text.Hide()
	l.lines.Hide()
	l.clean.Hide()
	return l
}

// show marks issues in text; name is the field's label.
func (l *lintView) show(text string, issues []data.LintIssue, name string) {
	if len(issues) == 0 {
		l.text.Segments = nil
		l.text.Hide()
		l.lines.Hide()
		if strings.TrimSpace(text) == "" {
			l.clean.Hide()
		} else {
			l.clean.Show()
		}
		return
	}
	l.clean.Hide()
	l.text.Segments = lintSegments(text, issues)
	l.text.Refresh()
	l.text.Show()
	var lines []string
	for i, at := range lintPlaces(text, issues) {
		lines = append(lines, T("faq.edit.lint.line", map[string]any{"Field": name, "Para": at[0], "Char": at[1], "Word": issues[i].Word}))
	}
	l.lines.SetText(strings.Join(lines, "\n"))
	l.lines.Show()
}

// lintPlaces is where each issue (in order of position) starts: the
// paragraph (line) and the character within it, both from 1.
func lintPlaces(text string, issues []data.LintIssue) [][2]int {
	out := make([][2]int, len(issues))
	para, char, j := 1, 1, 0
	i := 0
	for _, r := range text {
		for j < len(issues) && issues[j].Start <= i {
			out[j] = [2]int{para, char}
			j++
		}
		if r == '\n' {
			para, char = para+1, 1
		} else {
			char++
		}
		i++
	}
	for ; j < len(issues); j++ {
		out[j] = [2]int{para, char}
	}
	return out
}

// lintSegments is text a paragraph per line, the issues in the error colour.
func lintSegments(text string, issues []data.LintIssue) []widget.RichTextSegment {
	rs := []rune(text)
	mark := make([]bool, len(rs))
	for _, is := range issues {
		for i := max(is.Start, 0); i < min(is.End, len(rs)); i++ {
			mark[i] = true
		}
	}
	var segs []widget.RichTextSegment
	lineStart := 0
	for i := 0; i <= len(rs); i++ {
		if i < len(rs) && rs[i] != '\n' {
			continue
		}
		if lineStart == i {
			lineStart = i + 1
			continue // an empty line
		}
		for start := lineStart; start < i; {
			end := start
			for end < i && mark[end] == mark[start] {
				end++
			}
			style := widget.RichTextStyleInline
			if mark[start] {
				style.ColorName = theme.ColorNameError
			}
			segs = append(segs, &widget.TextSegment{Text: string(rs[start:end]), Style: style})
			start = end
		}
		// The line ends the paragraph.
		segs = append(segs, &widget.TextSegment{Style: widget.RichTextStyleParagraph})
		lineStart = i + 1
	}
	return segs
}

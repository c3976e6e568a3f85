package app

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"anchang/data"
)

// faqHistory shows every version of an entry: the versions with their
// status changes, who made them and when, and any version's whole content,
// read-only. Nothing is ever overwritten, so every version is there.
type faqHistory struct {
	u        *UI
	names    map[string]string
	catText  func(string) string
	versions []data.FAQVersion
	events   []data.FAQStatusEvent
	live     int // the version the desk answers from; 0 = none
	// use, when set, takes an older version's content back into the
	// editor, to be saved as a new version.
	use func(data.FAQVersion)

	list    *widget.List
	title   *widget.Label
	useBtn  *widget.Button
	shown   int // the version shown, index into versions
	moves   *widget.Label
	detail  *fyne.Container
	content *widget.RichText
	modal   *modal
}

// faqHistoryStore is what an entry's history reads; *data.Store
// satisfies it.
type faqHistoryStore interface {
	FAQHistory(ctx context.Context, entryID string) ([]data.FAQVersion, error)
	FAQStatusEvents(ctx context.Context, entryID string) ([]data.FAQStatusEvent, error)
}

var _ faqHistoryStore = (*data.Store)(nil)

// showFAQHistory loads an entry's versions and opens them from st; live is the
// version the desk answers from, names maps staff ids to names and catText
// names a category. use (may be nil) takes an older version back into the
// editor; opened (may be nil) gets the open view.
func (u *UI) showFAQHistory(st faqHistoryStore, entryID string, live int, names map[string]string, catText func(string) string,
	use func(data.FAQVersion), opened func(*faqHistory)) {
	type snap struct {
		versions []data.FAQVersion
		events   []data.FAQStatusEvent
	}
	load(u, func(ctx context.Context) (snap, error) {
		vs, err := st.FAQHistory(ctx, entryID)
		if err != nil {
			return snap{}, err
		}
		evs, err := st.FAQStatusEvents(ctx, entryID)
		return snap{vs, evs}, err
	}, func(s snap, err error) {
		if err != nil {
			u.showModal(T("faq.history.title"), widget.NewLabel(u.errText(err)), T("dialog.close"))
			return
		}
		h := &faqHistory{u: u, names: names, catText: catText, versions: s.versions, events: s.events, live: live, use: use}
		h.show()
		if opened != nil {
			opened(h)
		}
	})
}

func (h *faqHistory) show() {
	u := h.u
	h.list = widget.NewList(func() int { return len(h.versions) }, func() fyne.CanvasObject {
		return container.NewVBox(widget.NewLabel(""), &widget.RichText{Truncation: fyne.TextTruncateEllipsis, Scroll: container.ScrollNone})
	}, func(i widget.ListItemID, o fyne.CanvasObject) {
		v := h.versions[len(h.versions)-1-i] // newest first
		box := o.(*fyne.Container)
		box.Objects[0].(*widget.Label).SetText(T("faq.history.version", map[string]any{"Version": v.Version}))
		c := box.Objects[1].(*widget.RichText)
		status, color := h.status(v, true)
		c.Segments = []widget.RichTextSegment{
			captionSegment(status, color),
			captionSegment(" · "+h.name(v.AuthorID)+" · "+u.dateTime(v.CreatedAt), theme.ColorNamePlaceHolder),
		}
		c.Refresh()
	})
	h.list.OnSelected = func(i widget.ListItemID) { h.showVersion(len(h.versions) - 1 - i) }
	h.title = heading("")
	h.useBtn = &widget.Button{Text: T("faq.history.use"), Icon: theme.ContentUndoIcon(), OnTapped: h.onUse}
	h.useBtn.Hide()
	h.moves = &widget.Label{Wrapping: fyne.TextWrapWord}
	h.content = &widget.RichText{Wrapping: fyne.TextWrapWord, Scroll: container.ScrollNone}
	h.detail = container.NewVBox(container.NewBorder(nil, nil, nil, container.NewCenter(h.useBtn), h.title), h.moves, widget.NewSeparator(), h.content)
	split := container.NewHSplit(h.list, container.NewVScroll(container.NewPadded(h.detail)))
	split.Offset = 0.32
	size := u.win.Canvas().Size()
	w, ht := min(float32(900), size.Width-80), min(float32(600), size.Height-150)
	h.modal = u.showModal(T("faq.history.title"), container.NewGridWrap(fyne.NewSize(w, ht), split), T("dialog.close"))
	u.setPrinting(h.modal) // Escape closes it
	if len(h.versions) > 0 {
		h.list.Select(0)
	}
}

// status says where a version stands now: the one the desk answers from,
// one replaced by a newer version before it was approved, one approved
// once and since replaced, or its own last status. short is for the list.
func (h *faqHistory) status(v data.FAQVersion, short bool) (string, fyne.ThemeColorName) {
	latest := h.versions[len(h.versions)-1].Version
	suffix := ""
	if short {
		suffix = ".short"
	}
	switch {
	case v.Version == h.live:
		return T("faq.history.live"), theme.ColorNameSuccess
	case v.Version < latest && v.Status == data.FAQApproved:
		return T("faq.history.was_approved" + suffix), theme.ColorNamePlaceHolder
	case v.Version < latest && (v.Status == data.FAQDraft || v.Status == data.FAQReview):
		return T("faq.history.superseded" + suffix), theme.ColorNamePlaceHolder
	}
	return faqStatusText(v.Status), faqStatusColor(v.Status)
}

func (h *faqHistory) name(id string) string {
	if n, ok := h.names[id]; ok {
		return n
	}
	if id == "" {
		return T("faq.history.nobody")
	}
	return T("faq.history.someone")
}

// showVersion shows the i-th version (oldest = 0) with its status changes.
func (h *faqHistory) showVersion(i int) {
	if i < 0 || i >= len(h.versions) {
		return
	}
	v := h.versions[i]
	h.shown = i
	if h.use != nil && i < len(h.versions)-1 {
		h.useBtn.Show()
	} else {
		h.useBtn.Hide()
	}
	status, _ := h.status(v, false)
	h.title.SetText(T("faq.history.version_status", map[string]any{"Version": v.Version, "Status": status}))
	var lines []string
	seen := false
	for _, e := range h.events {
		if e.Version != v.Version {
			continue
		}
		key := "faq.history.event." + string(e.Status)
		if e.Status == data.FAQDraft && seen {
			key = "faq.history.event.sent_back"
		}
		seen = true
		line := T(key, map[string]any{"At": h.u.dateTime(e.At), "By": h.name(e.By)})
		if e.Note != "" {
			line += T("faq.history.note", map[string]any{"Note": e.Note})
		}
		lines = append(lines, line)
	}
	h.moves.SetText(strings.Join(lines, "\n"))
	h.content.Segments = versionSegments(v, h.catText)
	h.content.Refresh()
}

// onUse closes the history and takes the shown version into the editor.
func (h *faqHistory) onUse() {
	if h.use == nil || h.shown < 0 || h.shown >= len(h.versions) {
		return
	}
	h.modal.Hide()
	h.use(h.versions[h.shown])
}

// versionSegments lays out a version's whole content for reading.
func versionSegments(v data.FAQVersion, catText func(string) string) []widget.RichTextSegment {
	sub := widget.RichTextStyleParagraph
	sub.SizeName = theme.SizeNameSubHeadingText
	label := widget.RichTextStyleParagraph
	label.ColorName = theme.ColorNamePlaceHolder
	label.SizeName = theme.SizeNameCaptionText
	para := func(text string, style widget.RichTextStyle) *widget.TextSegment {
		return &widget.TextSegment{Text: text, Style: style}
	}
	scope := T("faq.edit.scope.all")
	if v.Scope != "" {
		scope = T("faq.edit.scope.office", map[string]any{"Code": v.Scope})
	}
	tags := strings.Join(v.Tags, T("faq.tag_sep"))
	if tags == "" {
		tags = T("faq.meta.no_tags")
	}
	expires := v.ExpiresOn
	if expires == "" {
		expires = T("faq.history.no_expiry")
	}
	segs := []widget.RichTextSegment{
		para(v.Question, sub),
		para(T("faq.history.meta", map[string]any{"Category": catText(v.Category), "Tags": tags, "Scope": scope,
			"Effective": v.EffectiveOn, "Expires": expires}), widget.RichTextStyleParagraph),
	}
	if len(v.Alternatives) > 0 {
		segs = append(segs, para(T("faq.edit.alts"), label), para(strings.Join(v.Alternatives, " / "), widget.RichTextStyleParagraph))
	}
	segs = append(segs, para(T("faq.edit.answer"), label))
	segs = append(segs, answerSegments(v.Answer, theme.SizeNameText)...)
	if v.QuestionEN != "" || v.AnswerEN != "" {
		segs = append(segs, para(T("faq.edit.question_en"), label), para(v.QuestionEN, widget.RichTextStyleParagraph),
			para(T("faq.edit.answer_en"), label))
		segs = append(segs, answerSegments(v.AnswerEN, theme.SizeNameText)...)
	}
	if v.Template {
		segs = append(segs, para(T("faq.template"), widget.RichTextStyleParagraph))
	}
	return segs
}

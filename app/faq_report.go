package app

import (
	"context"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"anchang/data"
)

// faqReport is the HQ report of the manual: over a chosen period, the
// entries answered from most often and the searches that found nothing.
// A missed search becomes a new draft entry, its question filled in, in
// one tap; a most-asked entry opens in the editor.
// faqReportStore is what the manual's report reads; *data.Store
// satisfies it.
type faqReportStore interface {
	MostAskedFAQ(ctx context.Context, since time.Time, limit int) ([]data.FAQCount, error)
	TopFAQMisses(ctx context.Context, since time.Time, limit int) ([]data.FAQCount, error)
}

var _ faqReportStore = (*data.Store)(nil)

type faqReport struct {
	u       *UI
	store   faqReportStore
	onDraft func(question string)
	onOpen  func(entryID string)

	period   *widget.Select
	summary  *widget.Label
	message  *statusLine
	mostList *widget.List
	missList *widget.List
	most     []data.FAQCount
	misses   []data.FAQCount
}

// faqReportDays are the periods offered, in days.
var faqReportDays = []int{7, 30, 90}

// faqReportLimit caps each list.
const faqReportLimit = 50

func newFAQReport(u *UI, onDraft func(string), onOpen func(string)) *faqReport {
	return &faqReport{u: u, store: u.store, onDraft: onDraft, onOpen: onOpen}
}

func (r *faqReport) buildUI() fyne.CanvasObject {
	var opts []string
	for _, d := range faqReportDays {
		opts = append(opts, T("faq.report.days", map[string]any{"Days": d}))
	}
	r.period = widget.NewSelect(opts, func(string) { r.reload() })
	r.summary = &widget.Label{Wrapping: fyne.TextWrapWord}
	r.message = newStatusLine()
	r.mostList = widget.NewList(func() int { return len(r.most) }, func() fyne.CanvasObject {
		q := &widget.Label{Truncation: fyne.TextTruncateEllipsis}
		c := &widget.RichText{Truncation: fyne.TextTruncateEllipsis, Scroll: container.ScrollNone}
		return container.NewVBox(q, c)
	}, func(i widget.ListItemID, o fyne.CanvasObject) {
		c := r.most[i]
		box := o.(*fyne.Container)
		box.Objects[0].(*widget.Label).SetText(c.Question)
		rt := box.Objects[1].(*widget.RichText)
		rt.Segments = []widget.RichTextSegment{captionSegment(T("faq.report.answered", map[string]any{"Count": c.Count, "Last": r.u.dateTime(c.Last)}), theme.ColorNamePlaceHolder)}
		rt.Refresh()
	})
	r.mostList.OnSelected = func(i widget.ListItemID) {
		r.mostList.UnselectAll()
		if i < len(r.most) && r.onOpen != nil {
			r.onOpen(r.most[i].EntryID)
		}
	}
	r.missList = widget.NewList(func() int { return len(r.misses) }, func() fyne.CanvasObject {
		q := &widget.Label{Truncation: fyne.TextTruncateEllipsis}
		c := &widget.RichText{Truncation: fyne.TextTruncateEllipsis, Scroll: container.ScrollNone}
		b := &widget.Button{Text: T("faq.report.draft"), Icon: theme.ContentAddIcon()}
		return container.NewBorder(nil, nil, nil, container.NewCenter(b), container.NewVBox(q, c))
	}, func(i widget.ListItemID, o fyne.CanvasObject) {
		c := r.misses[i]
		box := o.(*fyne.Container)
		box.Objects[0].(*fyne.Container).Objects[0].(*widget.Label).SetText(c.Question)
		rt := box.Objects[0].(*fyne.Container).Objects[1].(*widget.RichText)
		rt.Segments = []widget.RichTextSegment{captionSegment(T("faq.report.missed", map[string]any{"Count": c.Count, "Last": r.u.dateTime(c.Last)}), theme.ColorNamePlaceHolder)}
		rt.Refresh()
		btn := box.Objects[1].(*fyne.Container).Objects[0].(*widget.Button)
		q := c.Question
		btn.OnTapped = func() {
			if r.onDraft != nil {
				r.onDraft(q)
			}
		}
	})
	r.missList.OnSelected = func(widget.ListItemID) { r.missList.UnselectAll() }
	top := container.NewVBox(
		container.NewBorder(nil, nil, widget.NewLabel(T("faq.report.period")), nil, container.NewHBox(r.period)),
		r.summary, r.message)
	lists := container.NewGridWithColumns(2,
		section(T("faq.report.most"), T("faq.report.most.sub"), r.mostList),
		section(T("faq.report.misses"), T("faq.report.misses.sub"), r.missList))
	r.period.SetSelectedIndex(1) // 30 days
	return container.NewPadded(container.NewBorder(top, nil, nil, nil, lists))
}

// days is the chosen period.
func (r *faqReport) days() int {
	if i := r.period.SelectedIndex(); i >= 0 && i < len(faqReportDays) {
		return faqReportDays[i]
	}
	return 30
}

func (r *faqReport) reload() {
	if r.mostList == nil {
		return
	}
	u := r.u
	days := r.days()
	since := u.now().AddDate(0, 0, -days)
	type snap struct{ most, misses []data.FAQCount }
	load(u, func(ctx context.Context) (snap, error) {
		most, err := r.store.MostAskedFAQ(ctx, since, faqReportLimit)
		if err != nil {
			return snap{}, err
		}
		misses, err := r.store.TopFAQMisses(ctx, since, faqReportLimit)
		return snap{most, misses}, err
	}, func(s snap, err error) {
		if err != nil {
			r.message.SetError(u.errText(err))
			return
		}
		r.message.SetText("")
		r.most, r.misses = s.most, s.misses
		answered, missed := 0, 0
		for _, c := range s.most {
			answered += c.Count
		}
		for _, c := range s.misses {
			missed += c.Count
		}
		r.summary.SetText(T("faq.report.summary", map[string]any{"Days": days, "Answered": answered, "Entries": len(s.most), "Missed": missed}))
		r.mostList.Refresh()
		r.missList.Refresh()
	})
}

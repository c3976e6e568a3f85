package app

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"anchang/data"
)

// The answers tab for the admin, who stands in for HQ's customer-relations
// centre (data.Role.CanEditFAQ): besides answering, a row of sub-pages to
// manage the manual (list and editor, app/faq_editor.go), read the report
// of most asked entries and searches that found nothing (app/faq_report.go)
// import or export the manual (app/faq_io.go) and set its categories and
// vague words (app/faq_words.go). Everyone else gets the
// answers page alone, approved entries read-only.

// faqAdminStore is what the manual's admin pages need from the store:
// the union of each page's own.
type faqAdminStore interface {
	faqManageStore // the editor (app/faq_editor.go)
	faqReportStore // the report (app/faq_report.go)
	faqFilesStore  // import and export (app/faq_io.go)
	faqConfigStore // categories and vague words (app/faq_words.go)
}

// faqAdmin is the answers tab with the admin's sub-pages.
type faqAdmin struct {
	u      *UI
	desk   *faqScreen
	pages  *tabs
	answer *tab
	manage *tab
	report *tab
	files  *tab
	config *tab

	editor   *faqManage
	stats    *faqReport
	io       *faqFiles
	settings *faqConfig
}

func newFAQAdmin(u *UI, desk *faqScreen) *faqAdmin { return &faqAdmin{u: u, desk: desk} }

// buildUI puts the desk's answers page (deskUI) under a row of sub-pages.
func (a *faqAdmin) buildUI(deskUI fyne.CanvasObject) fyne.CanvasObject {
	a.editor = newFAQManage(a.u)
	a.stats = newFAQReport(a.u, a.draftFromMiss, a.openEntry)
	a.io = newFAQFiles(a.u, a.onImported)
	a.answer = newTab(T("faq.admin.answer"), deskUI)
	a.manage = newTab(T("faq.admin.manage"), a.editor.buildUI())
	a.report = newTab(T("faq.admin.report"), a.stats.buildUI())
	a.files = newTab(T("faq.admin.files"), a.io.buildUI())
	a.settings = newFAQConfig(a.u, func() { a.editor.reload() })
	a.config = newTab(T("faq.admin.config"), a.settings.buildUI())
	a.pages = newTabs(a.answer, a.manage, a.report, a.files, a.config)
	a.pages.OnSelected = func(t *tab) {
		switch t {
		case a.answer:
			a.desk.reload()
			a.u.win.Canvas().Focus(a.desk.search)
		case a.manage:
			a.editor.reload()
		case a.report:
			a.stats.reload()
		case a.files:
			a.io.reload()
		case a.config:
			a.settings.reload()
		}
	}
	return a.pages.object()
}

// draftFromMiss opens a new entry asking what a search did not find.
func (a *faqAdmin) draftFromMiss(query string) {
	a.pages.Select(a.manage)
	a.editor.newEntry(query)
}

// openEntry opens an entry in the editor.
func (a *faqAdmin) openEntry(entryID string) {
	a.pages.Select(a.manage)
	a.editor.open(entryID)
}

func (a *faqAdmin) onImported() { a.editor.reload() }

// faqStatusText names a status in the current language.
func faqStatusText(s data.FAQStatus) string { return T("faq.status." + string(s)) }

// faqStatusColor is the colour a status is written in.
func faqStatusColor(s data.FAQStatus) fyne.ThemeColorName {
	switch s {
	case data.FAQDraft:
		return theme.ColorNameWarning
	case data.FAQReview:
		return theme.ColorNamePrimary
	case data.FAQApproved:
		return theme.ColorNameSuccess
	}
	return theme.ColorNamePlaceHolder
}

// faqErrText is errText with a refused status change naming the statuses
// in words rather than codes.
func (u *UI) faqErrText(err error) string {
	if e, ok := data.AsError(err); ok && e.Key == "err.faq.transition" {
		return T(e.Key, faqArgs(e.Key, e.Args))
	}
	return u.errText(err)
}

// captionSegment is a small line of text in a colour.
func captionSegment(text string, color fyne.ThemeColorName) *widget.TextSegment {
	return &widget.TextSegment{Text: text, Style: widget.RichTextStyle{Inline: true, ColorName: color, SizeName: theme.SizeNameCaptionText}}
}

package app

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"anchang/assets"
	"anchang/data"
)

// inspectionStore is what the handover inspection tab needs from the store.
type inspectionStore interface {
	EnsureInspectionTemplate(ctx context.Context, file []byte) (bool, error)
	CurrentInspectionTemplate(ctx context.Context, code string) (data.InspectionTemplate, error)
	StartInspection(ctx context.Context, actorID string, in data.InspectionInput) (data.Inspection, error)
	ListInspections(ctx context.Context, actorID string, f data.InspectionFilter) ([]data.Inspection, error)
	InspectionDetail(ctx context.Context, actorID, id string) (data.InspectionState, error)
	RecordResult(ctx context.Context, actorID, inspectionID string, in data.ResultInput) (data.ItemResult, error)
	RecordFollowUp(ctx context.Context, actorID, inspectionID, defectID, outcome, note string) error
	SetInspectionValue(ctx context.Context, actorID, inspectionID, kind, code, value string) error
	AddInspectionPhoto(ctx context.Context, actorID, inspectionID, item string, f data.PhotoFile) (data.Photo, error)
	InspectionPhoto(ctx context.Context, id string) (data.Photo, error)
	CompleteInspection(ctx context.Context, actorID, inspectionID string, in data.CompleteInput) error
	UnitHistoryOf(ctx context.Context, actorID, id string) (data.UnitHistory, error)
	OpenDefectCount(ctx context.Context, project, building, unit string) (int, error)
	ListStaff(ctx context.Context, includeInactive bool) ([]data.Staff, error) // the inspectors offered
	templateStore                                                              // the checklist template's versions (app/inspection_templates.go)
	defectTicketStore                                                          // repair tickets for the defects (app/inspection_tickets.go)
}

var _ inspectionStore = (*data.Store)(nil)

// inspectionScreen is the 验房 / Handover tab: the list of inspections, a
// new inspection's form, the checklist of one and the unit's history, one
// at a time in the tab's body. Receptionists, supervisors and admins
// inspect; the tab is hidden from consultants (data.Role.CanInspect).
type inspectionScreen struct {
	u     *UI
	store inspectionStore

	body *fyne.Container // the current view

	search  *widget.Entry
	status  *widget.Select
	list    *widget.List
	rows    []data.Inspection
	count   *widget.Label
	message *statusLine
	newBtn  *widget.Button
	listObj fyne.CanvasObject
	loadSeq int

	form  *newInspectionForm // the last new inspection form
	check *checkView         // the open inspection, if any
	saves *saveQueue
}

func newInspectionScreen(u *UI) *inspectionScreen {
	return &inspectionScreen{u: u, store: u.store, saves: newSaveQueue(u)}
}

// inspectionTab is the tab for roles that inspect, or nil.
func (sh *shell) inspectionTab() *tab {
	if !sh.u.user.Role.CanInspect() {
		return nil
	}
	s := newInspectionScreen(sh.u)
	sh.inspection = s
	return newTab(T("tab.inspection"), s.buildUI())
}

func (s *inspectionScreen) statusOptions() []string {
	return []string{T("insp.status.all"), T("insp.status.open"), T("insp.status.completed")}
}

func (s *inspectionScreen) buildUI() fyne.CanvasObject {
	s.search = &widget.Entry{PlaceHolder: T("insp.search")}
	s.search.OnChanged = func(string) { s.reload() }
	s.status = widget.NewSelect(s.statusOptions(), func(string) { s.reload() })
	s.status.SetSelectedIndex(0)
	s.newBtn = &widget.Button{Text: T("insp.new"), Importance: widget.HighImportance, OnTapped: s.showNew}
	s.count = widget.NewLabel("")
	s.message = newStatusLine()
	s.list = widget.NewList(func() int { return len(s.rows) }, func() fyne.CanvasObject {
		title := widget.NewLabel("")
		title.Truncation = fyne.TextTruncateEllipsis
		sub := caption("")
		sub.Truncation = fyne.TextTruncateEllipsis
		state := widget.NewLabel("")
		return container.NewBorder(nil, nil, nil, state, container.NewVBox(title, sub))
	}, func(id widget.ListItemID, o fyne.CanvasObject) {
		if id >= len(s.rows) {
			return
		}
		r := s.rows[id]
		c := o.(*fyne.Container)
		texts := c.Objects[0].(*fyne.Container).Objects
		texts[0].(*widget.Label).SetText(inspectionTitle(r))
		setCaption(texts[1].(*widget.RichText), strings.Join([]string{r.Project, strings.Join(r.Owners, "、"), r.Phone, r.Date, r.InspectorName}, " · "))
		state := c.Objects[1].(*widget.Label)
		state.SetText(inspectionSummary(r.Summary(), ""))
		state.Importance = widget.MediumImportance
		if r.Status == data.InspectionCompleted {
			state.Importance = widget.SuccessImportance
		}
		state.Refresh()
	})
	s.list.OnSelected = func(id widget.ListItemID) {
		s.list.UnselectAll()
		if id < len(s.rows) {
			s.open(s.rows[id].ID)
		}
	}
	right := container.NewHBox(container.NewGridWrap(fyne.NewSize(150, s.status.MinSize().Height), s.status), s.newBtn)
	if b := s.templatesButton(); b != nil {
		right.Add(b)
	}
	top := container.NewBorder(nil, nil, nil, right, s.search)
	s.listObj = container.NewBorder(container.NewVBox(heading(T("insp.title")), top, s.message), s.count, nil, nil, s.list)
	s.body = container.NewStack(container.NewPadded(s.listObj))
	// the built-in checklist, on a device that has none yet
	load(s.u, func(ctx context.Context) (bool, error) {
		return s.store.EnsureInspectionTemplate(ctx, assets.HandoverTemplate)
	}, func(_ bool, err error) {
		if err != nil {
			s.message.SetError(s.u.errText(err))
		}
		s.reload()
	})
	return s.body
}

// inspectionTitle is "3号楼 2单元1202 · 交付验房".
func inspectionTitle(r data.Inspection) string {
	return r.UnitLabel() + " · " + T("insp.kind."+r.Kind)
}

// inspectionSummary is the one way the desk states an inspection (list,
// unit history, checklist, customer file): "进行中 · 已检 20/112 · 未检查
// 92 项 · 缺陷 1", or "已完成 · 缺陷 1". An unfinished one always says how
// many items are unchecked. completedAt, when given, dates a completed one
// ("已完成 2026-11-23 10:00 · 缺陷 1").
func inspectionSummary(s data.InspectionSummary, completedAt string) string {
	args := map[string]any{"Answered": s.Answered, "Total": s.Total, "Unchecked": s.Unchecked(), "Defects": s.Defects, "Time": completedAt}
	switch {
	case s.Completed && completedAt != "":
		return T("insp.summary.completed_at", args)
	case s.Completed:
		return T("insp.summary.completed", args)
	case s.Unchecked() > 0:
		return T("insp.summary.open", args)
	}
	return T("insp.summary.open_all", args)
}

// reload refreshes the list (the shell calls it every 15 s and on tab changes).
func (s *inspectionScreen) reload() {
	if s.list == nil || s.store == nil {
		return
	}
	f := data.InspectionFilter{Query: s.search.Text}
	switch s.status.SelectedIndex() {
	case 1:
		f.Status = data.InspectionOpen
	case 2:
		f.Status = data.InspectionCompleted
	}
	s.loadSeq++
	seq := s.loadSeq
	actor := s.u.user.ID
	load(s.u, func(ctx context.Context) ([]data.Inspection, error) {
		return s.store.ListInspections(ctx, actor, f)
	}, func(rows []data.Inspection, err error) {
		if seq != s.loadSeq {
			return // a newer search is on its way
		}
		if err != nil {
			s.message.SetError(s.u.errText(err))
			return
		}
		s.rows = rows
		s.list.Refresh()
		if len(rows) == 0 {
			s.count.SetText(T("insp.none"))
		} else {
			s.count.SetText(T("insp.count", map[string]any{"N": len(rows)}))
		}
	})
}

// show puts a view in the tab's body.
func (s *inspectionScreen) show(o fyne.CanvasObject) {
	s.body.Objects = []fyne.CanvasObject{container.NewPadded(o)}
	s.body.Refresh()
}

// showList goes back to the list.
func (s *inspectionScreen) showList() {
	s.check = nil
	s.show(s.listObj)
	s.reload()
}

// open shows the checklist of an inspection.
func (s *inspectionScreen) open(id string) { s.openPage(id, 0) }

// openPage shows an inspection at one of its pages; -1 is the sign-off.
func (s *inspectionScreen) openPage(id string, page int) {
	actor := s.u.user.ID
	load(s.u, func(ctx context.Context) (data.InspectionState, error) {
		return s.store.InspectionDetail(ctx, actor, id)
	}, func(st data.InspectionState, err error) {
		if err != nil {
			s.message.SetError(s.u.errText(err))
			return
		}
		s.check = newCheckView(s, st)
		s.show(s.check.buildUI())
		if page < 0 {
			s.check.nav.Select(len(s.check.pages) - 1)
		} else if page > 0 && page < len(s.check.pages) {
			s.check.nav.Select(page)
		}
	})
}

// bar is a row of a title on the left and buttons on the right.
func bar(left fyne.CanvasObject, buttons ...fyne.CanvasObject) fyne.CanvasObject {
	return container.NewBorder(nil, nil, nil, container.NewHBox(buttons...), left)
}

// inspectionTabs is the 验房 tab for the roles that inspect.
func (sh *shell) inspectionTabs() []*tab {
	if t := sh.inspectionTab(); t != nil {
		return []*tab{t}
	}
	return nil
}

// inspectionReload refreshes the list of inspections, if the tab is there.
func (sh *shell) inspectionReload() {
	if sh.inspection != nil {
		sh.inspection.reload()
	}
}

// caption is secondary text: wrapped, in the placeholder colour (readable,
// unlike the faint low importance).
func caption(text string) *widget.RichText {
	r := widget.NewRichText(&widget.TextSegment{Text: text, Style: widget.RichTextStyle{ColorName: theme.ColorNamePlaceHolder}})
	r.Wrapping = fyne.TextWrapWord
	return r
}

func setCaption(r *widget.RichText, text string) {
	if len(r.Segments) == 1 {
		if seg, ok := r.Segments[0].(*widget.TextSegment); ok && seg.Text == text {
			return
		}
	}
	r.Segments = []widget.RichTextSegment{&widget.TextSegment{Text: text, Style: widget.RichTextStyle{ColorName: theme.ColorNamePlaceHolder}}}
	r.Refresh()
}

package app

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"anchang/data"
)

// showHistory shows every inspection of the unit of inspection id and
// every defect found there, with what became of it.
func (s *inspectionScreen) showHistory(id string) {
	u := s.u
	actor := u.user.ID
	load(u, func(ctx context.Context) (data.UnitHistory, error) {
		return s.store.UnitHistoryOf(ctx, actor, id)
	}, func(h data.UnitHistory, err error) {
		if err != nil {
			if s.check != nil {
				s.check.message.SetError(u.errText(err))
			}
			return
		}
		back := &widget.Button{Text: T("insp.back_to_inspection"), Icon: theme.NavigateBackIcon(), OnTapped: func() { s.open(id) }}
		list := &widget.Button{Text: T("insp.back"), OnTapped: s.showList}
		title := heading(T("insp.history.title", map[string]any{"Unit": h.Building + " " + h.Unit}))
		var rows []fyne.CanvasObject
		for i := len(h.Inspections) - 1; i >= 0; i-- {
			in := h.Inspections[i]
			who := &widget.Label{Text: in.Date + " · " + T("insp.kind."+in.Kind) + " · " + T("insp.accompanied", map[string]any{"Name": in.InspectorName}),
				Truncation: fyne.TextTruncateEllipsis}
			state := widget.NewLabel(inspectionSummary(in.Summary(), ""))
			if in.Summary().Defects > 0 {
				state.Importance = widget.DangerImportance
			}
			open := &widget.Button{Text: T("insp.open"), OnTapped: func() { s.open(in.ID) }}
			rows = append(rows, container.NewBorder(nil, nil, nil, container.NewHBox(state, open), who))
		}
		var defects []fyne.CanvasObject
		if len(h.Defects) == 0 {
			text := T("insp.history.no_defects")
			for _, in := range h.Inspections {
				if !in.Summary().Completed {
					text = T("insp.history.no_defects_yet") // not final while one is in progress
				}
			}
			defects = append(defects, widget.NewLabel(text))
		}
		for _, d := range h.Defects {
			verdict := &widget.Label{Text: T("insp.verdict.open")}
			switch {
			case d.InProgress:
				verdict.Text = T("insp.verdict.in_progress")
			case d.Verdict == data.OutcomeFixed:
				verdict.Text, verdict.Importance = T("insp.verdict.fixed", map[string]any{"Date": d.VerdictOn}), widget.SuccessImportance
			case d.Verdict == data.OutcomeNotFixed:
				verdict.Text, verdict.Importance = T("insp.verdict.not_fixed", map[string]any{"Date": d.VerdictOn}), widget.DangerImportance
			default:
				verdict.Importance = widget.WarningImportance
			}
			what := &widget.Label{Text: localName(d.Item.Room, d.Item.RoomEn) + " · " + localName(d.Item.Name, d.Item.NameEn) + "：" +
				defectText(d.Description, d.Location, len(d.Photos)), Wrapping: fyne.TextWrapWord}
			found := caption(T("insp.found_on", map[string]any{"Date": d.FromDate}))
			defects = append(defects, container.NewBorder(nil, nil, nil, container.NewVBox(verdict), container.NewVBox(what, found)), widget.NewSeparator())
		}
		body := container.NewVBox(
			section(T("insp.history.inspections", map[string]any{"N": len(h.Inspections)}), h.Project, container.NewVBox(rows...)),
			section(T("insp.history.defects", map[string]any{"N": len(h.Defects)}), "", container.NewVBox(defects...)))
		s.show(container.NewBorder(bar(container.NewHBox(back, title), list), nil, nil, nil, container.NewVScroll(body)))
	})
}

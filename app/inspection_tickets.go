package app

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"anchang/data"
)

// defectTicketStore opens repair tickets for a completed inspection's
// open defects (one per defect, never twice).
type defectTicketStore interface {
	DefectTickets(ctx context.Context, actorID, inspectionID string) ([]data.DefectTicket, error)
	OpenDefectTickets(ctx context.Context, actorID, inspectionID string) ([]data.DefectTicket, error)
}

// ticketsUI is the completed inspection's defects with their repair
// tickets, and the button that opens the missing ones.
func (p *signPage) ticketsUI() fyne.CanvasObject {
	c := p.c
	u := c.s.u
	ts := c.s.store
	rows := container.NewVBox()
	status := newStatusLine()
	open := &widget.Button{Text: T("insp.tickets.open", map[string]any{"N": 0}), Importance: widget.HighImportance}
	actor, id := u.user.ID, c.st.ID
	show := func(dts []data.DefectTicket) {
		rows.Objects = nil
		missing := 0
		for _, d := range dts {
			state := &widget.Label{Text: T("insp.tickets.pending"), Importance: widget.WarningImportance}
			if d.TicketID != "" {
				state.Text, state.Importance = T("insp.tickets.opened", map[string]any{"Number": d.TicketNumber}), widget.SuccessImportance
			} else {
				missing++
			}
			what := &widget.Label{Text: localName(d.Item.Room, d.Item.RoomEn) + " · " + localName(d.Item.Name, d.Item.NameEn) + "：" + d.Description,
				Wrapping: fyne.TextWrapWord}
			rows.Add(container.NewBorder(nil, nil, nil, state, what))
		}
		if len(dts) == 0 {
			rows.Add(widget.NewLabel(T("insp.tickets.none")))
		}
		open.SetText(T("insp.tickets.open", map[string]any{"N": missing}))
		if missing == 0 {
			open.Hide()
		} else {
			open.Show()
		}
		rows.Refresh()
	}
	open.OnTapped = func() {
		setEnabled(open, false)
		load(u, func(ctx context.Context) ([]data.DefectTicket, error) {
			return ts.OpenDefectTickets(ctx, actor, id)
		}, func(dts []data.DefectTicket, err error) {
			setEnabled(open, true)
			if err != nil {
				status.SetError(u.errText(err))
				return
			}
			show(dts)
		})
	}
	open.Hide()
	load(u, func(ctx context.Context) ([]data.DefectTicket, error) {
		return ts.DefectTickets(ctx, actor, id)
	}, func(dts []data.DefectTicket, err error) {
		if err != nil {
			status.SetError(u.errText(err))
			return
		}
		show(dts)
	})
	return section(T("insp.tickets"), "", container.NewVBox(rows, container.NewHBox(open), status))
}

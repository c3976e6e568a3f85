package app

import (
	"context"
	"strconv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"anchang/data"
)

// rotationStore is what the rotation screen needs from the store;
// *data.Store satisfies it.
type rotationStore interface {
	Today() string
	Rotation(ctx context.Context, day string) ([]data.RotationEntry, error)
	RotationLog(ctx context.Context, day string, limit int) ([]data.RotationEvent, error)
	RotationAction(ctx context.Context, actorID, consultantID, action string) error
	ListStaff(ctx context.Context, includeInactive bool) ([]data.Staff, error)
}

var _ rotationStore = (*data.Store)(nil)

// rotationScreen is today's consultant rotation (轮排): the queue with its
// actions, who can come on duty, and the log of every action.
type rotationScreen struct {
	u       *UI
	store   rotationStore
	queue   *widget.List
	log     *widget.List
	joinWho *widget.Select
	join    *widget.Button
	next    *widget.Label
	message *statusLine

	entries []data.RotationEntry
	events  []data.RotationEvent
	offDuty []data.Staff // consultants who can join
}

func newRotationScreen(u *UI) *rotationScreen { return &rotationScreen{u: u, store: u.store} }

// rotationRow is one consultant in the queue with the desk's actions.
type rotationRow struct {
	widget.BaseWidget
	pos, name, status         *widget.Label
	skip, busy, makeup, leave *widget.Button
	canAct                    bool
}

func newRotationRow(canAct bool) *rotationRow {
	row := &rotationRow{
		pos: widget.NewLabel("00"), name: widget.NewLabel(""), status: widget.NewLabel(""),
		skip: widget.NewButton(T("rot.skip"), nil), busy: widget.NewButton(T("rot.busy"), nil),
		makeup: widget.NewButton(T("rot.makeup"), nil), leave: widget.NewButton(T("rot.leave"), nil),
		canAct: canAct,
	}
	row.name.Truncation = fyne.TextTruncateEllipsis
	row.status.Truncation = fyne.TextTruncateEllipsis
	row.status.SizeName = theme.SizeNameCaptionText
	row.ExtendBaseWidget(row)
	return row
}

func (row *rotationRow) CreateRenderer() fyne.WidgetRenderer {
	// Equal widths, so the buttons line up from row to row whatever their
	// labels (忙碌 turns into 恢复在岗).
	busy := container.NewStack(row.busy, container.NewGridWrap(widthOf(T("rot.available")), layout.NewSpacer()))
	buttons := container.NewGridWithColumns(4, row.skip, busy, row.makeup, row.leave)
	if !row.canAct {
		buttons.Hide()
	}
	info := container.New(layout.NewCustomPaddedVBoxLayout(0), row.name, row.status)
	return widget.NewSimpleRenderer(container.NewBorder(nil, nil, row.pos, buttons, info))
}

func (r *rotationScreen) buildUI() fyne.CanvasObject {
	canAct := r.u.user.Role.CanCheckIn()
	r.next = heading("")
	r.message = newStatusLine()
	r.queue = widget.NewList(func() int { return len(r.entries) }, func() fyne.CanvasObject {
		return newRotationRow(canAct)
	}, r.updateRow)
	// Each entry: what happened, and under it in small type who did it (on
	// one line it was cut off in English at 1024 pixels).
	r.log = widget.NewList(func() int { return len(r.events) }, func() fyne.CanvasObject {
		what, by := widget.NewLabel(""), widget.NewLabel("")
		what.Truncation = fyne.TextTruncateEllipsis
		by.Truncation = fyne.TextTruncateEllipsis
		by.SizeName = theme.SizeNameCaptionText
		return container.New(layout.NewCustomPaddedVBoxLayout(0), what, by)
	}, func(i widget.ListItemID, o fyne.CanvasObject) {
		e := r.events[i]
		lines := o.(*fyne.Container).Objects
		lines[0].(*widget.Label).SetText(T("rot.log", map[string]any{"Time": r.u.clockTime(e.At), "Name": e.ConsultantName, "Action": T("rot.action." + e.Action)}))
		by := ""
		if e.ByName != "" {
			by = T("rot.by", map[string]any{"Name": e.ByName})
		}
		lines[1].(*widget.Label).SetText(by)
	})
	r.joinWho = widget.NewSelect(nil, nil)
	r.joinWho.PlaceHolder = T("rot.join_who")
	r.join = &widget.Button{Text: T("rot.join"), Importance: widget.HighImportance, OnTapped: r.onJoin}
	joinRow := container.NewBorder(nil, nil, nil, r.join, r.joinWho)
	if !canAct {
		joinRow.Hide()
	}
	left := container.NewBorder(container.NewVBox(r.next, widget.NewLabel(T("rot.help")), joinRow, r.message), nil, nil, nil, r.queue)
	right := section(T("rot.log_title"), "", r.log)
	split := container.NewHSplit(left, right)
	split.Offset = 0.56
	return container.NewPadded(split)
}

func (r *rotationScreen) updateRow(i widget.ListItemID, o fyne.CanvasObject) {
	row := o.(*rotationRow)
	e := r.entries[i]
	onDuty := e.Status != data.StatusOff
	row.pos.SetText("")
	if onDuty {
		row.pos.SetText(strconv.Itoa(i + 1))
	}
	row.name.SetText(e.Name)
	status := T("status."+e.Status) + " · " + T("rot.served", map[string]any{"N": e.Served})
	if e.Makeup {
		status += " · " + T("rotation.makeup_mark")
	}
	if e.Next {
		status = T("rot.next_mark") + " · " + status
		row.status.Importance = widget.SuccessImportance
	} else {
		row.status.Importance = widget.MediumImportance
	}
	row.status.SetText(status)
	id := e.ConsultantID
	row.skip.OnTapped = func() { r.act(id, data.RotSkip) }
	row.makeup.OnTapped = func() { r.act(id, data.RotMakeup) }
	row.leave.OnTapped = func() { r.act(id, data.RotLeave) }
	if e.Status == data.StatusBusy {
		row.busy.SetText(T("rot.available"))
		row.busy.OnTapped = func() { r.act(id, data.RotAvailable) }
	} else {
		row.busy.SetText(T("rot.busy"))
		row.busy.OnTapped = func() { r.act(id, data.RotBusy) }
	}
	for _, b := range []*widget.Button{row.skip, row.busy, row.makeup, row.leave} {
		setEnabled(b, onDuty)
	}
	if !onDuty {
		row.leave.SetText(T("rot.join"))
		row.leave.OnTapped = func() { r.act(id, data.RotJoin) }
		row.leave.Enable()
	} else {
		row.leave.SetText(T("rot.leave"))
	}
}

// reload loads the queue, the log and the staff who can join.
func (r *rotationScreen) reload() {
	if r.queue == nil {
		return
	}
	u := r.u
	type result struct {
		entries []data.RotationEntry
		events  []data.RotationEvent
		staff   []data.Staff
	}
	load(u, func(ctx context.Context) (result, error) {
		day := r.store.Today()
		e, err := r.store.Rotation(ctx, day)
		if err != nil {
			return result{}, err
		}
		l, err := r.store.RotationLog(ctx, day, 200)
		if err != nil {
			return result{}, err
		}
		s, err := r.store.ListStaff(ctx, false)
		return result{e, l, s}, err
	}, func(res result, err error) {
		if err != nil {
			r.message.SetError(u.errText(err))
			return
		}
		r.entries, r.events = res.entries, res.events
		inQueue := map[string]bool{}
		next := ""
		for _, e := range res.entries {
			inQueue[e.ConsultantID] = true
			if e.Next {
				next = e.Name
			}
		}
		r.offDuty = r.offDuty[:0]
		var names []string
		for _, s := range res.staff {
			if s.Role == data.RoleConsultant && !inQueue[s.ID] {
				r.offDuty = append(r.offDuty, s)
				names = append(names, s.Name)
			}
		}
		r.joinWho.Options = names
		r.joinWho.ClearSelected()
		r.joinWho.Refresh()
		if next == "" {
			r.next.SetText(T("checkin.no_one_free"))
		} else {
			r.next.SetText(T("checkin.next", map[string]any{"Name": next}))
		}
		r.queue.Refresh()
		r.log.Refresh()
	})
}

func (r *rotationScreen) onJoin() {
	i := r.joinWho.SelectedIndex()
	if i < 0 || i >= len(r.offDuty) {
		r.message.SetError(T("rot.join_who"))
		return
	}
	r.act(r.offDuty[i].ID, data.RotJoin)
}

func (r *rotationScreen) act(consultantID, action string) {
	u := r.u
	actor := u.user.ID
	do(u, func(ctx context.Context) error {
		return r.store.RotationAction(ctx, actor, consultantID, action)
	}, func(err error) {
		if err != nil {
			r.message.SetError(u.errText(err))
			return
		}
		r.message.SetText("")
	})
}

func (row *rotationRow) buttons() []*widget.Button {
	return []*widget.Button{row.skip, row.busy, row.makeup, row.leave}
}

// widthOf is the size of a button labelled text.
func widthOf(text string) fyne.Size {
	s := fyne.MeasureText(text, theme.TextSize(), fyne.TextStyle{Bold: true})
	return fyne.NewSize(s.Width+4*theme.InnerPadding(), s.Height)
}

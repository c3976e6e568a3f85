package app

import (
	"context"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"anchang/data"
)

// boardStore is what the board needs from the store; *data.Store
// satisfies it.
type boardStore interface {
	Today() string
	Board(ctx context.Context, day string, f data.BoardFilter) (data.Board, error)
	ListStaff(ctx context.Context, includeInactive bool) ([]data.Staff, error)
	VisitDetail(ctx context.Context, actorID, visitID string) (data.Visit, error)
	Assign(ctx context.Context, actorID, visitID, consultantID string) error
	HandOver(ctx context.Context, actorID, visitID string, area data.Area) error
	MoveArea(ctx context.Context, actorID, visitID string, area data.Area) error
	CheckOut(ctx context.Context, actorID, visitID string) error
	stepsStore // the first steps shown on an empty board (app/first_steps.go)
}

var _ boardStore = (*data.Store)(nil)

// boardScreen is today's board: who is in the office, waiting how long,
// with whom and where; filters, figures, and the selected visit's actions.
type boardScreen struct {
	u     *UI
	store boardStore
	next  *nextStep // what to do first, on an empty board after setup

	search      *widget.Entry
	status      *widget.Select
	purpose     *widget.Select
	consultant  *widget.Select
	figures     map[string]*canvas.Text // figure name → its value
	table       *widget.Table
	empty       *widget.Label
	message     *statusLine
	printLog    *widget.Button // today's daily log; desk roles only
	history     *widget.Button // past visits (visit_history.go)
	lastHistory *visitHistory

	// The selected visit's dialog.
	dialog       *modal
	detail       *widget.Label
	assignTo     *widget.Select
	assign       *widget.Button
	area         *widget.Select
	handOver     *widget.Button
	moveArea     *widget.Button
	checkOut     *widget.Button
	printForm    *widget.Button
	notice       *statusLine // errors inside the dialog
	consultants  []data.Staff
	rows         []data.BoardRow
	figuresData  data.Figures
	selected     string // visit id
	selectedInfo *data.Visit
	loadSeq      int
}

func newBoardScreen(u *UI) *boardScreen { return &boardScreen{u: u, store: u.store} }

// Board columns: the header's key and the least width at 1024×768 (names
// and consultants truncate beyond it; the other columns are widened to fit
// their longest value in the current language, see columnWidths).
var boardColumns = []struct {
	key   string
	width float32
}{
	{"board.col.arrived", 60}, {"board.col.name", 110}, {"board.col.phone", 110}, {"board.col.party", 48},
	{"board.col.purpose", 80}, {"board.col.kind", 56}, {"board.col.consultant", 84}, {"board.col.area", 72},
	{"board.col.wait", 76}, {"board.col.status", 72}, {"board.col.action", 68},
}

// columnWidths measures what each column needs for its header and its
// longest possible value in the current language.
func columnWidths() []float32 {
	samples := map[string][]string{
		"board.col.arrived": {"00:00"},
		"board.col.phone":   {"138****5678", "+44 ****3456"},
		"board.col.party":   {"50"},
		"board.col.wait":    {shortDuration(59 * time.Minute), shortDuration(2*time.Hour + 59*time.Minute)},
	}
	for _, p := range data.Purposes {
		samples["board.col.purpose"] = append(samples["board.col.purpose"], purposeText(p))
	}
	for _, k := range []string{data.KindFirst, data.KindReturn} {
		samples["board.col.kind"] = append(samples["board.col.kind"], T("board.kind."+k))
	}
	for _, a := range data.Areas {
		samples["board.col.area"] = append(samples["board.col.area"], areaText(a))
	}
	for _, st := range []string{data.BoardWaiting, data.BoardServing, data.BoardLeft} {
		samples["board.col.status"] = append(samples["board.col.status"], T("board.status."+st))
	}
	samples["board.col.action"] = []string{T("board.check_out")}
	size := theme.TextSize()
	pad := 2*theme.InnerPadding() + 4 // the label's own padding and a little air
	out := make([]float32, len(boardColumns))
	for i, c := range boardColumns {
		w := c.width
		for _, text := range append(samples[c.key], T(c.key)) {
			w = max(w, fyne.MeasureText(text, size, fyne.TextStyle{}).Width+pad)
		}
		out[i] = w
	}
	return out
}

// longWait marks a visitor who has waited too long for a consultant.
const longWait = 5 * time.Minute

var boardStatuses = []string{"", data.BoardPresent, data.BoardWaiting, data.BoardServing, data.BoardLeft}

func (b *boardScreen) buildUI() fyne.CanvasObject {
	b.search = &widget.Entry{PlaceHolder: T("board.search")}
	b.search.OnChanged = func(string) { b.reload() }
	var statuses []string
	for _, s := range boardStatuses {
		statuses = append(statuses, b.statusText(s))
	}
	b.status = widget.NewSelect(statuses, func(string) { b.reload() })
	b.status.SetSelectedIndex(0)
	purposes := []string{T("board.all_purposes")}
	for _, p := range data.Purposes {
		purposes = append(purposes, purposeText(p))
	}
	b.purpose = widget.NewSelect(purposes, func(string) { b.reload() })
	b.purpose.SetSelectedIndex(0)
	b.consultant = widget.NewSelect([]string{T("board.all_consultants")}, func(string) { b.reload() })
	b.consultant.SetSelectedIndex(0)
	b.message = newStatusLine()
	b.empty = widget.NewLabel(T("board.empty"))
	b.empty.Hide()

	b.table = widget.NewTableWithHeaders(
		func() (int, int) { return len(b.rows), len(boardColumns) },
		func() fyne.CanvasObject {
			l := widget.NewLabel("")
			l.Truncation = fyne.TextTruncateEllipsis
			btn := &widget.Button{Importance: widget.LowImportance}
			btn.Hide()
			return container.NewStack(l, btn)
		},
		b.updateCell)
	b.table.ShowHeaderColumn = false
	b.table.CreateHeader = func() fyne.CanvasObject {
		return widget.NewLabel("")
	}
	b.table.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		if id.Col >= 0 {
			o.(*widget.Label).SetText(T(boardColumns[id.Col].key))
		}
	}
	b.table.OnSelected = func(id widget.TableCellID) {
		if id.Row >= 0 && id.Row < len(b.rows) {
			b.selectVisit(b.rows[id.Row].VisitID)
		}
	}

	right := container.NewHBox(wideSelect(b.status), wideSelect(b.purpose), wideSelect(b.consultant))
	b.history = &widget.Button{Text: T("history.open"), OnTapped: func() { b.lastHistory = b.u.showVisitHistory() }}
	right.Add(b.history)
	if b.u.user.Role.CanCheckIn() {
		b.printLog = &widget.Button{Text: T("print.daylog"), OnTapped: func() { b.u.printDayLog(b.store.Today()) }}
		right.Add(b.printLog)
	}
	filters := container.NewBorder(nil, nil, nil, right, b.search)
	b.next = newNextStep()
	top := container.NewVBox(b.figureStrip(), b.next.box, filters, b.message)
	table := container.New(&fittedTable{table: b.table, fit: b.fitColumns}, b.table)
	root := container.NewPadded(container.NewBorder(top, nil, nil, nil, container.NewStack(table, container.NewCenter(b.empty))))
	b.next.root = root
	return root
}

func (b *boardScreen) statusText(s string) string {
	if s == "" {
		return T("board.all_statuses")
	}
	return T("board.status." + s)
}

func (b *boardScreen) updateCell(id widget.TableCellID, o fyne.CanvasObject) {
	stack := o.(*fyne.Container)
	l, btn := stack.Objects[0].(*widget.Label), stack.Objects[1].(*widget.Button)
	if id.Row >= len(b.rows) {
		return
	}
	r := b.rows[id.Row]
	l.Show()
	btn.Hide()
	l.Importance = widget.MediumImportance
	text := ""
	switch boardColumns[id.Col].key {
	case "board.col.arrived":
		text = b.u.clockTime(r.ArrivedAt)
	case "board.col.name":
		text = visitorName(r.Name, r.Title)
	case "board.col.phone":
		text = r.PhoneMasked
	case "board.col.party":
		text = strconv.Itoa(r.PartySize)
	case "board.col.purpose":
		text = purposeText(r.Purpose)
	case "board.col.kind":
		text = T("board.kind." + r.Kind)
		if r.Kind == data.KindReturn {
			l.Importance = widget.HighImportance
		}
	case "board.col.consultant":
		text = r.ConsultantName
		if text == "" {
			text = T("board.unassigned")
			l.Importance = widget.WarningImportance
		}
	case "board.col.area":
		text = areaText(r.Area)
	case "board.col.wait":
		text = shortDuration(r.Wait(b.u.now()))
		if r.Status() == data.BoardWaiting && r.Wait(b.u.now()) > longWait {
			l.Importance = widget.DangerImportance
		}
	case "board.col.status":
		text = T("board.status." + r.Status())
	case "board.col.action":
		l.Hide()
		if r.Status() != data.BoardLeft {
			visitID := r.VisitID
			btn.SetText(T("board.check_out"))
			btn.OnTapped = func() { b.onCheckOut(visitID) }
			btn.Show()
		}
		return
	}
	l.SetText(text)
}

// reload loads the board with the current filters.
func (b *boardScreen) reload() {
	if b.table == nil {
		return
	}
	u := b.u
	f := data.BoardFilter{Query: b.search.Text, Status: boardStatuses[max(b.status.SelectedIndex(), 0)]}
	if i := b.purpose.SelectedIndex(); i > 0 {
		f.Purpose = data.Purposes[i-1]
	}
	if i := b.consultant.SelectedIndex(); i > 0 && i-1 < len(b.consultants) {
		f.ConsultantID = b.consultants[i-1].ID
	}
	if u.user.Role == data.RoleConsultant {
		f.ConsultantID = u.user.ID // a consultant sees their own visitors
	}
	b.loadSeq++
	seq := b.loadSeq
	type result struct {
		board data.Board
		staff []data.Staff
		step  int
	}
	load(u, func(ctx context.Context) (result, error) {
		board, err := b.store.Board(ctx, b.store.Today(), f)
		if err != nil {
			return result{}, err
		}
		staff, err := b.store.ListStaff(ctx, false)
		if err != nil {
			return result{}, err
		}
		step := stepNone
		if len(board.Rows) == 0 {
			step, err = loadSteps(ctx, b.store)
		}
		return result{board, staff, step}, err
	}, func(r result, err error) {
		if seq != b.loadSeq {
			return
		}
		if err != nil {
			b.message.SetError(u.errText(err))
			return
		}
		b.message.SetText("")
		b.setConsultants(r.staff)
		b.rows = r.board.Rows
		b.figuresData = r.board.Figures
		b.showFigures()
		if len(b.rows) == 0 {
			b.empty.Show()
		} else {
			b.empty.Hide()
		}
		// An empty board after setup says what to do first.
		if r.step != b.next.step {
			b.next.show(r.step, u.goToStep(r.step))
		}
		b.table.Refresh()

	})
}

func (b *boardScreen) setConsultants(staff []data.Staff) {
	b.consultants = b.consultants[:0]
	names := []string{T("board.all_consultants")}
	for _, s := range staff {
		if s.Role == data.RoleConsultant {
			b.consultants = append(b.consultants, s)
			names = append(names, s.Name)
		}
	}
	sel := b.consultant.SelectedIndex()
	b.consultant.Options = names
	if sel >= len(names) {
		b.consultant.SetSelectedIndex(0)
	}
	b.consultant.Refresh()
}

// boardFigures are the strip's figures, in order.
var boardFigures = []string{"visits", "first", "return", "present", "waiting", "avg_wait", "kiosk"}

// figureStrip is a row of small cards: a large value over its caption.
func (b *boardScreen) figureStrip() fyne.CanvasObject {
	b.figures = map[string]*canvas.Text{}
	var cards []fyne.CanvasObject
	for _, name := range boardFigures {
		v := canvas.NewText("–", colorPrimary)
		v.TextSize = 24
		v.Alignment = fyne.TextAlignCenter
		b.figures[name] = v
		caption := widget.NewLabel(T("board.fig." + name))
		caption.Alignment = fyne.TextAlignCenter
		bg := canvas.NewRectangle(colorHeader)
		bg.CornerRadius = 6
		cards = append(cards, container.NewStack(bg, container.NewVBox(v, caption)))
	}
	return container.NewGridWithColumns(len(cards), cards...)
}

func (b *boardScreen) showFigures() {
	f := b.figuresData
	values := map[string]string{
		"visits": strconv.Itoa(f.Visits), "first": strconv.Itoa(f.First), "return": strconv.Itoa(f.Return),
		"present": strconv.Itoa(f.Present), "waiting": strconv.Itoa(f.Waiting), "avg_wait": shortDuration(f.AvgWait),
		"kiosk": strconv.Itoa(f.Kiosk),
	}
	if f.HandedOver == 0 {
		values["avg_wait"] = "—" // nobody handed over yet: no average, not 0
	}
	for name, t := range b.figures {
		t.Text = values[name]
		t.Refresh()
	}
}

// selectVisit loads the visit's detail; the full phone number only for
// roles that may see it.
func (b *boardScreen) selectVisit(id string) {
	b.selected = id
	u := b.u
	actor := u.user.ID
	load(u, func(ctx context.Context) (data.Visit, error) {
		return b.store.VisitDetail(ctx, actor, id)
	}, func(v data.Visit, err error) {
		if err != nil || b.selected != id {
			if err != nil {
				b.message.SetError(u.errText(err))
			}
			return
		}
		b.selectedInfo = &v
		b.showDialog()
	})
}

// showDialog shows the selected visit with what the desk can do to it.
func (b *boardScreen) showDialog() {
	b.detail = &widget.Label{Wrapping: fyne.TextWrapWord}
	b.assignTo = widget.NewSelect(nil, nil)
	b.assignTo.PlaceHolder = T("board.choose_consultant")
	for _, c := range b.consultants {
		b.assignTo.Options = append(b.assignTo.Options, c.Name)
	}
	b.assign = &widget.Button{Text: T("board.assign"), OnTapped: b.onAssign}
	var areas []string
	for _, a := range data.Areas {
		areas = append(areas, areaText(a))
	}
	b.area = widget.NewSelect(areas, nil)
	b.area.SetSelectedIndex(0)
	if v := b.selectedInfo; v != nil && v.Area != "" {
		for i, a := range data.Areas {
			if a == v.Area {
				b.area.SetSelectedIndex(i)
			}
		}
	}
	b.handOver = &widget.Button{Text: T("board.hand_over"), Importance: widget.HighImportance, OnTapped: b.onHandOver}
	b.moveArea = &widget.Button{Text: T("board.move_area"), OnTapped: b.onMoveArea}
	b.checkOut = &widget.Button{Text: T("board.check_out"), Importance: widget.WarningImportance, OnTapped: func() { b.onCheckOut(b.selected) }}
	b.printForm = &widget.Button{Text: T("print.visit"), OnTapped: b.onPrint}
	b.notice = newStatusLine()
	content := container.NewVBox(
		b.detail,
		widget.NewSeparator(),
		container.NewBorder(nil, nil, widget.NewLabel(T("board.col.consultant")), b.assign, b.assignTo),
		container.NewBorder(nil, nil, widget.NewLabel(T("board.col.area")), container.NewHBox(b.handOver, b.moveArea), b.area),
		container.NewGridWithColumns(2, b.checkOut, b.printForm),
		b.notice,
	)
	b.showDetail()
	if b.dialog != nil {
		b.dialog.Hide()
	}
	d := b.u.showModal(T("board.detail"), container.NewGridWrap(fyne.NewSize(520, content.MinSize().Height+20), content), T("dialog.close"))
	d.onClosed = func() {
		if b.dialog == d {
			b.dialog, b.selected, b.selectedInfo = nil, "", nil
			b.table.UnselectAll()
		}
	}
	b.dialog = d
}

func (b *boardScreen) showDetail() {
	v := b.selectedInfo
	canAct := b.u.user.Role.CanCheckIn()
	phone := v.Phone
	if strings.HasPrefix(phone, "+") {
		phone = data.FormatPhone(phone)
	}
	lines := []string{
		visitorName(v.Name, v.Title) + " · " + kindText(v.Kind),
		T("board.d.phone", map[string]any{"Phone": phone}),
		T("board.d.arrived", map[string]any{"Time": b.u.dateTime(v.ArrivedAt), "Party": v.PartySize, "Purpose": purposeText(v.Purpose)}),
	}
	if v.InterestUnit != "" || v.InterestBudget != "" {
		lines = append(lines, T("board.d.interest", map[string]any{"Unit": v.InterestUnit, "Budget": v.InterestBudget}))
	}
	if v.Notes != "" {
		lines = append(lines, T("board.d.notes", map[string]any{"Notes": v.Notes}))
	}
	consultant := v.ConsultantName
	if consultant == "" {
		consultant = T("board.unassigned")
	}
	if v.Area == "" {
		lines = append(lines, T("board.d.consultant_only", map[string]any{"Consultant": consultant}))
	} else {
		lines = append(lines, T("board.d.consultant", map[string]any{"Consultant": consultant, "Area": areaText(v.Area)}))
	}
	if !v.HandedOverAt.IsZero() {
		lines = append(lines, T("board.d.handed_over", map[string]any{"Time": b.u.clockTime(v.HandedOverAt), "Wait": shortDuration(v.HandedOverAt.Sub(v.ArrivedAt))}))
	}
	if !v.LeftAt.IsZero() {
		lines = append(lines, T("board.d.left", map[string]any{"Time": b.u.clockTime(v.LeftAt)}))
	}
	if v.Via == data.ViaKiosk {
		lines = append(lines, T("board.d.kiosk"))
	}
	b.detail.SetText(strings.Join(lines, "\n"))
	left := !v.LeftAt.IsZero()
	handed := !v.HandedOverAt.IsZero()
	setEnabled(b.assign, canAct && !left && !handed)
	setEnabled(b.assignTo, canAct && !left && !handed)
	setEnabled(b.handOver, canAct && !left && !handed && v.ConsultantID != "")
	setEnabled(b.moveArea, canAct && !left && handed)
	setEnabled(b.area, canAct && !left)
	setEnabled(b.checkOut, canAct && !left)
}

// act runs a visit change as the signed-in staff member (actor).
func (b *boardScreen) act(work func(ctx context.Context, actor string) error) {
	u := b.u
	actor := u.user.ID
	do(u, func(ctx context.Context) error { return work(ctx, actor) }, func(err error) {
		if err != nil {
			if b.dialog != nil {
				b.notice.SetError(u.errText(err))
			} else {
				b.message.SetError(u.errText(err))
			}
			return
		}
		b.message.SetText("")
		if b.dialog != nil {
			b.dialog.Hide()
		}
		// The board, the rotation and the check-in side refresh from the
		// store's change (UI.storeChanged).
	})
}

func (b *boardScreen) onAssign() {
	i := b.assignTo.SelectedIndex()
	if b.selected == "" || i < 0 || i >= len(b.consultants) {
		b.notice.SetError(T("board.choose_consultant"))
		return
	}
	id, c := b.selected, b.consultants[i].ID
	b.act(func(ctx context.Context, actor string) error { return b.store.Assign(ctx, actor, id, c) })
}

func (b *boardScreen) selectedArea() data.Area { return data.Areas[max(b.area.SelectedIndex(), 0)] }

func (b *boardScreen) onHandOver() {
	id, a := b.selected, b.selectedArea()
	b.act(func(ctx context.Context, actor string) error { return b.store.HandOver(ctx, actor, id, a) })
}

func (b *boardScreen) onMoveArea() {
	id, a := b.selected, b.selectedArea()
	b.act(func(ctx context.Context, actor string) error { return b.store.MoveArea(ctx, actor, id, a) })
}

// onPrint closes the dialog and opens the visit's registration form to print.
func (b *boardScreen) onPrint() {
	id := b.selected
	if id == "" {
		return
	}
	b.dialog.Hide()
	b.u.printVisit(id)
}

func (b *boardScreen) onCheckOut(id string) {
	if id == "" {
		return
	}
	b.act(func(ctx context.Context, actor string) error { return b.store.CheckOut(ctx, actor, id) })
}

// fitColumns widens the board's columns in proportion when there is more
// room than they need (a 1920-pixel screen), so the table never leaves
// half the screen empty.
func (b *boardScreen) fitColumns(width float32) {
	widths := columnWidths()
	var sum float32
	for _, w := range widths {
		sum += w
	}
	scale := float32(1)
	if avail := width - theme.Padding()*float32(len(widths)+2); avail > sum {
		scale = avail / sum
	}
	for i, w := range widths {
		b.table.SetColumnWidth(i, w*scale)
	}
}

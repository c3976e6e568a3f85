package app

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"anchang/data"
)

// checkInStore is what the check-in form needs from the store;
// *data.Store satisfies it.
type checkInStore interface {
	Today() string
	Sources(ctx context.Context) ([]data.Source, error)
	Rotation(ctx context.Context, day string) ([]data.RotationEntry, error)
	LookupPhone(ctx context.Context, phone string) (data.Returning, bool, error)
	CheckIn(ctx context.Context, actorID string, in data.CheckInInput) (data.Visit, error)
}

var _ checkInStore = (*data.Store)(nil)

// checkInScreen registers a visit at the desk: the form on the left, what
// is known about the phone number and the rotation on the right.
type checkInScreen struct {
	u     *UI
	store checkInStore

	phone      *widget.Entry
	name       *widget.Entry
	title      *widget.RadioGroup
	party      *widget.Entry
	purpose    *widget.Select
	source     *widget.Select
	unit       *widget.Entry
	budget     *widget.Entry
	notes      *widget.Entry
	consent    *widget.Check
	consultant *widget.Select
	submit     *widget.Button
	formScroll *container.Scroll
	clear      *widget.Button
	message    *statusLine
	fields     []*field

	returning   *widget.Label // 首访 / 复访 and who
	pastVisits  *widget.Label
	nextInTurn  *widget.Label
	queue       *widget.Label
	sources     []data.Source
	rotation    []data.RotationEntry
	known       *data.Returning // the visitor matching the phone, if any
	lookupSeq   int
	consultants []string // consultant ids behind the consultant select's options; "" = assign later
}

func newCheckInScreen(u *UI) *checkInScreen { return &checkInScreen{u: u, store: u.store} }

var titles = []string{data.TitleNone, data.TitleMr, data.TitleMs}

func (c *checkInScreen) buildUI() fyne.CanvasObject {
	c.phone = &widget.Entry{PlaceHolder: T("checkin.phone.hint")}
	c.phone.OnChanged = c.onPhoneChanged
	c.name = &widget.Entry{PlaceHolder: T("checkin.name.hint")}
	c.title = widget.NewRadioGroup([]string{T("title.none"), T("title.mr"), T("title.ms")}, nil)
	c.title.Horizontal = true
	c.title.Required = true
	c.title.SetSelected(T("title.none"))
	c.party = &widget.Entry{Text: "1"}
	var purposes []string
	for _, p := range data.Purposes {
		purposes = append(purposes, purposeText(p))
	}
	c.purpose = widget.NewSelect(purposes, nil)
	c.purpose.PlaceHolder = T("checkin.choose")
	c.source = widget.NewSelect(nil, nil)
	c.source.PlaceHolder = T("checkin.choose")
	c.unit = &widget.Entry{PlaceHolder: T("checkin.unit.hint")}
	c.budget = &widget.Entry{PlaceHolder: T("checkin.budget.hint")}
	c.notes = &widget.Entry{MultiLine: true, Wrapping: fyne.TextWrapWord}
	c.notes.SetMinRowsVisible(2)
	c.consent = widget.NewCheck(T("checkin.consent", map[string]any{"Version": data.ConsentVersion}), nil)
	c.consultant = widget.NewSelect(nil, nil)
	c.submit = &widget.Button{Text: T("checkin.submit"), Importance: widget.HighImportance, OnTapped: c.onSubmit}
	c.clear = &widget.Button{Text: T("checkin.clear"), OnTapped: c.reset}
	c.message = newStatusLine()

	c.fields = []*field{
		newField("phone", "checkin.phone", c.phone),
		newField("name", "checkin.name", container.NewBorder(nil, nil, nil, c.title, c.name)),
		newField("party", "checkin.party", container.NewGridWithColumns(3, c.party)),
		newField("purpose", "checkin.purpose", c.purpose),
		newField("source", "checkin.source", c.source),
		newField("interest_unit", "checkin.unit", c.unit),
		newField("interest_budget", "checkin.budget", c.budget),
		newField("notes", "checkin.notes", c.notes),
		newField("consent", "checkin.consent.label", container.NewBorder(nil, nil, nil,
			&widget.Button{Text: T("checkin.consent.read"), Importance: widget.LowImportance, OnTapped: c.showConsent}, c.consent)),
		newField("consultant", "checkin.consultant", c.consultant),
	}
	onEdit(c.fields, func() {
		if anyError(c.fields) {
			revalidate(c.fields, nameTitleErrors(data.ValidateCheckIn(c.input())))
		}
	})
	form := container.NewVBox(
		heading(T("checkin.title")),
		formGrid(c.fields...),
		container.NewHBox(c.submit, c.clear),
		c.message,
	)

	c.returning = &widget.Label{Text: T("checkin.enter_phone"), Wrapping: fyne.TextWrapWord}
	c.pastVisits = &widget.Label{Wrapping: fyne.TextWrapWord}
	c.nextInTurn = &widget.Label{Wrapping: fyne.TextWrapWord}
	c.queue = &widget.Label{Wrapping: fyne.TextWrapWord}
	side := container.NewVBox(
		section(T("checkin.visitor_card"), "", container.NewVBox(c.returning, c.pastVisits)),
		section(T("checkin.rotation_card"), "", container.NewVBox(c.nextInTurn, c.queue)),
	)
	c.formScroll = container.NewVScroll(container.NewPadded(form))
	split := container.NewHSplit(c.formScroll, container.NewVScroll(side))
	split.Offset = 0.64
	c.reset()
	return split
}

// reset clears the form for the next visitor.
func (c *checkInScreen) reset() {
	for _, e := range []*widget.Entry{c.phone, c.name, c.unit, c.budget, c.notes} {
		e.SetText("")
	}
	c.party.SetText("1")
	c.title.SetSelected(T("title.none"))
	c.purpose.ClearSelected()
	c.source.ClearSelected()
	c.consent.SetChecked(false)
	c.known = nil
	showFieldErrors(c.fields, nil, nil)
	c.showReturning()
	c.fillConsultants()
}

// reloadSide reloads the channels and the rotation.
func (c *checkInScreen) reloadSide() {
	u := c.u
	type side struct {
		sources  []data.Source
		rotation []data.RotationEntry
	}
	load(u, func(ctx context.Context) (side, error) {
		srcs, err := c.store.Sources(ctx)
		if err != nil {
			return side{}, err
		}
		rot, err := c.store.Rotation(ctx, c.store.Today())
		return side{srcs, rot}, err
	}, func(s side, err error) {
		if err != nil {
			c.message.SetError(u.errText(err))
			return
		}
		c.setSources(s.sources)
		c.rotation = s.rotation
		c.showRotation()
		c.fillConsultants()
	})
}

func (c *checkInScreen) setSources(srcs []data.Source) {
	selected := c.source.SelectedIndex()
	var prev string
	if selected >= 0 && selected < len(c.sources) {
		prev = c.sources[selected].ID
	}
	c.sources = srcs
	var names []string
	for _, s := range srcs {
		names = append(names, sourceText(s))
	}
	c.source.SetOptions(names)
	for i, s := range srcs {
		if s.ID == prev {
			c.source.SetSelectedIndex(i)
		}
	}
}

func (c *checkInScreen) showRotation() {
	var next string
	var lines []string
	for _, e := range c.rotation {
		if e.Next {
			next = e.Name
		}
		if e.Status == data.StatusOff {
			continue
		}
		line := e.Name + " · " + T("status."+e.Status)
		if e.Makeup {
			line += " · " + T("rotation.makeup_mark")
		}
		lines = append(lines, line)
	}
	if next == "" {
		c.nextInTurn.SetText(T("checkin.no_one_free"))
	} else {
		c.nextInTurn.SetText(T("checkin.next", map[string]any{"Name": next}))
	}
	c.queue.SetText(strings.Join(lines, "\n"))
}

// fillConsultants offers the on-duty consultants, the suggested one first
// selected: a returning visitor's own consultant, else the next in turn.
func (c *checkInScreen) fillConsultants() {
	if c.consultant == nil {
		return
	}
	c.consultants = []string{""}
	opts := []string{T("checkin.assign_later")}
	suggest := ""
	owner := ""
	if c.known != nil {
		owner = c.known.ConsultantID
	}
	ownerListed := false
	for _, e := range c.rotation {
		if e.Status == data.StatusOff {
			continue
		}
		label := e.Name + " · " + T("status."+e.Status)
		if e.ConsultantID == owner {
			label = e.Name + " · " + T("checkin.own_consultant")
			ownerListed = true
			suggest = owner
		}
		if e.Next && suggest == "" && owner == "" {
			label += " · " + T("checkin.in_turn")
			suggest = e.ConsultantID
		}
		c.consultants = append(c.consultants, e.ConsultantID)
		opts = append(opts, label)
	}
	if owner != "" && !ownerListed {
		c.consultants = append(c.consultants, owner)
		opts = append(opts, c.known.ConsultantName+" · "+T("checkin.own_not_on_duty"))
	}
	if owner != "" && !ownerListed {
		// The owner is not in today; fall back to the next in turn.
		for _, e := range c.rotation {
			if e.Next {
				suggest = e.ConsultantID
			}
		}
	}
	c.consultant.SetOptions(opts)
	idx := 0
	for i, id := range c.consultants {
		if id == suggest && suggest != "" {
			idx = i
		}
	}
	c.consultant.SetSelectedIndex(idx)
}

func (c *checkInScreen) onPhoneChanged(text string) {
	c.lookupSeq++
	seq := c.lookupSeq
	if _, err := data.NormalizePhone("phone", text); err != nil {
		if c.known != nil {
			c.known = nil
			c.showReturning()
			c.fillConsultants()
		}
		return
	}
	u := c.u
	load(u, func(ctx context.Context) (*data.Returning, error) {
		r, ok, err := c.store.LookupPhone(ctx, text)
		if !ok || err != nil {
			return nil, err
		}
		return &r, nil
	}, func(r *data.Returning, err error) {
		if seq != c.lookupSeq {
			return // the phone changed meanwhile
		}
		if err != nil {
			c.message.SetError(u.errText(err))
			return
		}
		c.known = r
		if r != nil && r.SourceID != "" && c.source.SelectedIndex() < 0 {
			// A returning visitor's channel, unless one is chosen already.
			for i, src := range c.sources {
				if src.ID == r.SourceID {
					c.source.SetSelectedIndex(i)
				}
			}
		}
		if r != nil && strings.TrimSpace(c.name.Text) == "" {
			c.name.SetText(r.Name)
			for i, t := range titles {
				if t == r.Title {
					c.title.SetSelected(c.title.Options[i])
				}
			}
		}
		c.showReturning()
		c.fillConsultants()
	})
}

func (c *checkInScreen) showReturning() {
	if c.returning == nil {
		return
	}
	if c.known == nil {
		if strings.TrimSpace(c.phone.Text) == "" {
			c.returning.SetText(T("checkin.enter_phone"))
		} else {
			c.returning.SetText(T("kind.first"))
		}
		c.pastVisits.SetText("")
		return
	}
	r := c.known
	owner := r.ConsultantName
	if owner == "" {
		owner = T("checkin.no_owner")
	}
	c.returning.SetText(T("checkin.returning", map[string]any{"Name": visitorName(r.Name, r.Title), "Visits": r.Visits, "Consultant": owner}))
	var lines []string
	for _, v := range r.Recent {
		line := c.u.dateTime(v.ArrivedAt) + " · " + purposeText(v.Purpose)
		if v.ConsultantName != "" {
			line += " · " + v.ConsultantName
		}
		lines = append(lines, line)
	}
	c.pastVisits.SetText(strings.Join(lines, "\n"))
}

func (c *checkInScreen) input() data.CheckInInput {
	in := data.CheckInInput{
		Name: c.name.Text, Phone: c.phone.Text, PartySize: c.party.Text, InterestUnit: c.unit.Text,
		InterestBudget: c.budget.Text, Notes: c.notes.Text, Consent: c.consent.Checked, Via: data.ViaDesk,
	}
	for i, o := range c.title.Options {
		if o == c.title.Selected {
			in.Title = titles[i]
		}
	}
	if i := c.purpose.SelectedIndex(); i >= 0 {
		in.Purpose = data.Purposes[i]
	}
	if i := c.source.SelectedIndex(); i >= 0 && i < len(c.sources) {
		in.SourceID = c.sources[i].ID
	}
	if i := c.consultant.SelectedIndex(); i > 0 && i < len(c.consultants) {
		in.ConsultantID = c.consultants[i]
	}
	return in
}

func (c *checkInScreen) onSubmit() {
	in := c.input()
	c.message.SetText("")
	if errs := nameTitleErrors(data.ValidateCheckIn(in)); len(errs) > 0 {
		showFieldErrors(c.fields, errs, c.message.SetText)
		c.message.SetError(T("err.form"))
		c.formScroll.Refresh() // the messages made the form taller: lay it out again
		return
	}
	showFieldErrors(c.fields, nil, nil)
	if r := c.known; r != nil && r.OpenVisitID != "" && c.u.shell != nil {
		// The visitor is in the office now: a second visit would count
		// them twice. Offer their visit; checking in again stays possible.
		id := r.OpenVisitID
		c.u.showModal(T("checkin.present.title"),
			&widget.Label{Text: T("checkin.present.text", map[string]any{"Name": visitorName(r.Name, r.Title)}), Wrapping: fyne.TextWrapWord},
			T("dialog.cancel"),
			&widget.Button{Text: T("checkin.present.again"), OnTapped: func() { c.checkIn(in) }},
			&widget.Button{Text: T("checkin.present.open"), Importance: widget.HighImportance, OnTapped: func() { c.u.shell.board.selectVisit(id) }})
		return
	}
	c.checkIn(in)
}

// nameTitleErrors shows a title's error (a bare surname needs 先生/女士)
// under the name, where the title buttons are.
func nameTitleErrors(errs map[string]*data.Error) map[string]*data.Error {
	if e, ok := errs["title"]; ok {
		if errs["name"] == nil {
			errs["name"] = e
		}
		delete(errs, "title")
	}
	return errs
}

// checkIn saves a valid registration.
func (c *checkInScreen) checkIn(in data.CheckInInput) {
	c.submit.Disable()
	u := c.u
	actor := u.user.ID
	load(u, func(ctx context.Context) (data.Visit, error) {
		return c.store.CheckIn(ctx, actor, in)
	}, func(v data.Visit, err error) {
		c.submit.Enable()
		if err != nil {
			showFieldErrors(c.fields, nameTitleErrors(fieldErrorsOf(err)), nil)
			c.message.SetError(u.errText(err))
			return
		}
		c.reset()
		c.formScroll.ScrollToTop() // the next visitor's number goes where it can be seen
		who := T("checkin.waiting_assignment")
		if v.ConsultantName != "" {
			who = v.ConsultantName
		}
		c.message.SetSuccess(T("checkin.done", map[string]any{"Name": visitorName(v.Name, v.Title), "Kind": kindText(v.Kind), "Consultant": who}))
		u.win.Canvas().Focus(c.phone)
	})
}

func (c *checkInScreen) showConsent() {
	// The desk has no "agree" button: the receptionist ticks the box.
	text := newParagraph(T("consent.text") + "\n\n" + T("consent.agree.desk", map[string]any{"Box": T("checkin.consent.label")}))
	box := container.NewVScroll(text)
	box.SetMinSize(fyne.NewSize(560, 320))
	c.u.showModal(T("consent.title", map[string]any{"Version": data.ConsentVersion}), box, T("dialog.close"))
}

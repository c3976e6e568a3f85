package app

import (
	"context"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"anchang/data"
)

// careRevisitStore is what the care revisits (客户回访) need from the store.
type careRevisitStore interface {
	CareRevisits(ctx context.Context, actorID string, f data.CareFilter, kind string) ([]data.CareRevisit, error)
	RecordCareRevisit(ctx context.Context, actorID, id string, in data.CareResult) (data.CareRevisit, error)
	ScheduleSpecialRevisit(ctx context.Context, actorID string, in data.SpecialRevisitInput) (data.CareRevisit, error)
	CareRates(ctx context.Context, from, to time.Time) ([]data.CareRate, error)
}

var _ careRevisitStore = (*data.Store)(nil)

// careRevisits is the modal of care revisits that are not tickets: after
// signing, 3 months and 1 year after move-in, and special (help service)
// ones. Those due now and overdue come first; more than 3 days late they
// are red with "the supervisor follows up".
type careRevisits struct {
	u       *UI
	store   careRevisitStore
	modal   *modal
	filter  *widget.Select
	kind    *widget.Select
	rates   *widget.Label
	list    *fyne.Container
	empty   *widget.Label
	message *statusLine
	rows    []data.CareRevisit
	form    *careForm // the last form opened
}

// careListMax is how many revisits the list shows at once.
const careListMax = 200

// showCareRevisits opens the care revisits modal.
func (u *UI) showCareRevisits() *careRevisits {
	c := &careRevisits{u: u, store: u.store, message: newStatusLine(), rates: &widget.Label{Wrapping: fyne.TextWrapWord}}
	var filters []string
	for _, f := range data.CareFilters {
		filters = append(filters, T("care.filter."+string(f)))
	}
	c.filter = widget.NewSelect(filters, func(string) { c.reload() })
	kinds := []string{T("care.all_kinds")}
	for _, k := range data.CareKinds {
		kinds = append(kinds, T("care.kind."+k))
	}
	c.kind = widget.NewSelect(kinds, func(string) { c.reload() })
	c.list = container.NewVBox()
	c.empty = widget.NewLabel(T("care.empty"))
	newBtn := &widget.Button{Text: T("care.new"), Icon: theme.ContentAddIcon(), OnTapped: c.openSpecial}
	top := container.NewVBox(container.NewHBox(c.filter, c.kind, layout.NewSpacer(), newBtn), c.rates, c.message)
	scroll := container.NewVScroll(container.NewVBox(c.empty, c.list))
	body := container.NewBorder(top, nil, nil, nil, scroll)
	c.modal = u.showModal(T("care.title"), container.NewGridWrap(fyne.NewSize(880, 560), body), T("dialog.close"))
	c.filter.SetSelectedIndex(0) // loads
	c.kind.SetSelectedIndex(0)
	return c
}

// reload fetches the list and this quarter's rates.
func (c *careRevisits) reload() {
	if c.filter == nil || c.kind == nil {
		return
	}
	u := c.u
	f := data.CareFilterDue
	if i := c.filter.SelectedIndex(); i >= 0 {
		f = data.CareFilters[i]
	}
	kind := ""
	if i := c.kind.SelectedIndex(); i > 0 {
		kind = data.CareKinds[i-1]
	}
	type result struct {
		rows  []data.CareRevisit
		rates []data.CareRate
	}
	now := u.now().In(u.location())
	qStart := time.Date(now.Year(), (now.Month()-1)/3*3+1, 1, 0, 0, 0, 0, now.Location())
	actor := u.user.ID
	st := c.store
	load(u, func(ctx context.Context) (result, error) {
		rows, err := st.CareRevisits(ctx, actor, f, kind)
		if err != nil {
			return result{}, err
		}
		rates, err := st.CareRates(ctx, qStart, qStart.AddDate(0, 3, 0))
		return result{rows, rates}, err
	}, func(r result, err error) {
		if err != nil {
			c.message.SetError(u.errText(err))
			return
		}
		c.rows = r.rows
		c.showRates(r.rates)
		c.showRows()
	})
}

func (c *careRevisits) showRates(rates []data.CareRate) {
	var parts []string
	c.rates.Importance = widget.MediumImportance
	for _, r := range rates {
		if !r.Met() {
			c.rates.Importance = widget.DangerImportance // below the required rate
		}
		// Done is what was made inside the window (the rate's count); a late
		// one is named apart, never counted as done.
		args := map[string]any{"Kind": T("care.kind." + r.Kind), "Done": r.OnTime, "Due": r.Due, "Pct": int(r.Rate*100 + 0.5), "Target": int(r.Target*100 + 0.5)}
		var part string
		switch {
		case r.Due == 0:
			part = T("care.rate.none", args)
		case r.Target > 0:
			part = T("care.rate.target", args)
		default:
			part = T("care.rate", args)
		}
		if r.Late > 0 {
			part += T("care.rate.late", map[string]any{"Count": r.Late})
		}
		parts = append(parts, part)
	}
	c.rates.SetText(T("care.rates", map[string]any{"List": strings.Join(parts, " · ")}))
}

func (c *careRevisits) showRows() {
	c.list.RemoveAll()
	c.empty.Hidden = len(c.rows) > 0
	c.empty.Refresh()
	for i, r := range c.rows {
		if i == careListMax {
			break
		}
		c.list.Add(c.row(r))
	}
	c.list.Refresh()
}

// statusText is how a revisit stands, in words.
func (c *careRevisits) statusText(r data.CareRevisit) (string, widget.Importance) {
	switch {
	case r.Status == data.CareDone:
		return T("care.status.done"), widget.SuccessImportance
	case r.Supervisor:
		return T("care.status.overdue") + " · " + T("care.supervisor"), widget.DangerImportance
	case r.Status == data.CareOverdue:
		return T("care.status.overdue"), widget.WarningImportance
	case r.Due == data.DueSoon:
		return T("care.due_soon"), widget.WarningImportance
	}
	return T("care.status." + string(r.Status)), widget.MediumImportance
}

func (c *careRevisits) row(r data.CareRevisit) fyne.CanvasObject {
	u := c.u
	who := r.CustomerName + " " + data.MaskPhone(r.Phone)
	if strings.Contains(r.Phone, "*") {
		who = r.CustomerName + " " + r.Phone
	}
	head := []string{T("care.kind." + r.Kind), who}
	if r.Place != "" {
		head = append(head, r.Place)
	}
	line1 := &widget.Label{Text: strings.Join(head, " · "), Truncation: fyne.TextTruncateEllipsis}
	status, imp := c.statusText(r)
	line2 := T("care.window", map[string]any{"From": u.dateTime(r.From), "To": u.dateTime(r.To)}) + " · " + status
	if res := r.Result; res != nil {
		line2 = T("care.done_line", map[string]any{"Time": u.dateTime(res.At), "Score": res.Satisfaction,
			"Text": T(satisfactionKey(res.Satisfaction)), "By": res.ByName})
		if res.TicketNumber != "" {
			line2 += " · " + T("care.ticket", map[string]any{"Number": res.TicketNumber})
			imp = widget.DangerImportance
		}
	}
	l2 := &widget.Label{Text: line2, Importance: imp, Truncation: fyne.TextTruncateEllipsis}
	lines := []fyne.CanvasObject{line1, l2}
	if res := r.Result; res != nil {
		var notes []string
		for _, n := range []struct{ key, text string }{{"ticket.f.quality", res.Quality}, {"ticket.f.effect", res.Effect},
			{"ticket.f.shortcomings", res.Shortcomings}, {"ticket.f.suggestions", res.Suggestions}, {"care.f.note", res.Note}} {
			if n.text != "" {
				notes = append(notes, T("care.finding", map[string]any{"Label": T(n.key), "Text": strings.ReplaceAll(n.text, "\n", " ")}))
			}
		}
		if len(notes) > 0 {
			lines = append(lines, &widget.Label{Text: strings.Join(notes, " · "), Truncation: fyne.TextTruncateEllipsis})
		}
	}
	var right fyne.CanvasObject = layout.NewSpacer()
	if r.Result == nil {
		b := &widget.Button{Text: T("care.record")}
		if r.Status != data.CareUpcoming {
			b.Importance = widget.HighImportance
		}
		b.OnTapped = func() { c.openRecord(r) }
		right = container.NewCenter(b)
	}
	return container.NewBorder(nil, widget.NewSeparator(), nil, right, container.NewVBox(lines...))
}

// careForm is the form of a revisit record or a new special revisit.
type careForm struct {
	c       *careRevisits
	modal   *modal
	fields  []*field
	message *statusLine
	submit  *widget.Button

	// revisit record
	method, score                            *widget.Select
	quality, effect, short, suggestion, note *widget.Entry
	// special revisit
	customer, phone, place *widget.Entry
	within                 *widget.Select
}

var careWithinDays = []int{1, 3, 7, 14, 30}

func (c *careRevisits) showForm(f *careForm, title, about string, onSubmit func()) {
	u := c.u
	cancel := &widget.Button{Text: T("dialog.cancel")}
	f.submit = &widget.Button{Text: T("ticket.act.save"), Importance: widget.HighImportance, OnTapped: onSubmit}
	content := container.NewVBox(&widget.Label{Text: about, Wrapping: fyne.TextWrapWord}, formGrid(f.fields...), f.message,
		container.NewHBox(layout.NewSpacer(), cancel, f.submit, layout.NewSpacer()))
	f.modal = u.showModal(title, container.NewGridWrap(fyne.NewSize(560, content.MinSize().Height+60), content), "")
	cancel.OnTapped = f.modal.Hide
	c.form = f
}

// openRecord opens the revisit record (回访记录表) of r.
func (c *careRevisits) openRecord(r data.CareRevisit) {
	f := &careForm{c: c, message: newStatusLine()}
	var methods []string
	for _, m := range data.RevisitMethods {
		methods = append(methods, T("ticket.revisit."+m))
	}
	f.method = widget.NewSelect(methods, nil)
	f.method.SetSelectedIndex(0)
	var scores []string
	for i := 5; i >= 1; i-- {
		scores = append(scores, T("ticket.sat.option", map[string]any{"Score": i, "Text": T(satisfactionKey(i))}))
	}
	f.score = widget.NewSelect(scores, nil)
	f.score.PlaceHolder = T("checkin.choose")
	f.quality, f.effect, f.short, f.suggestion = &widget.Entry{}, &widget.Entry{}, &widget.Entry{}, &widget.Entry{}
	f.note = &widget.Entry{MultiLine: true, Wrapping: fyne.TextWrapWord}
	f.note.SetMinRowsVisible(2)
	f.fields = []*field{newField("method", "ticket.f.method", f.method), newField("satisfaction", "ticket.f.satisfaction", f.score),
		newField("quality", "ticket.f.quality", f.quality), newField("effect", "ticket.f.effect", f.effect),
		newField("shortcomings", "ticket.f.shortcomings", f.short), newField("suggestions", "ticket.f.suggestions", f.suggestion),
		newField("note", "care.f.note", f.note)}
	about := T("care.kind."+r.Kind) + " · " + r.CustomerName
	if !strings.Contains(r.Phone, "*") { // the full number, to call: only roles that see it get it unmasked
		about += " " + data.FormatPhone(r.Phone)
	}
	if r.Place != "" {
		about += " · " + r.Place
	}
	c.showForm(f, T("care.record"), about, func() { f.saveRecord(r.ID) })
}

func (f *careForm) saveRecord(id string) {
	c, u := f.c, f.c.u
	in := data.CareResult{Method: codeOf(f.method, data.RevisitMethods), Quality: f.quality.Text, Effect: f.effect.Text,
		Shortcomings: f.short.Text, Suggestions: f.suggestion.Text, Note: f.note.Text}
	if i := f.score.SelectedIndex(); i >= 0 {
		in.Satisfaction = 5 - i
	}
	f.submit.Disable()
	actor := u.user.ID
	st := f.c.store
	load(u, func(ctx context.Context) (data.CareRevisit, error) {
		return st.RecordCareRevisit(ctx, actor, id, in)
	}, func(r data.CareRevisit, err error) {
		f.submit.Enable()
		if f.failed(err) {
			return
		}
		f.modal.Hide()
		if res := r.Result; res != nil && res.TicketNumber != "" {
			c.message.SetError(T("care.saved.unsatisfied", map[string]any{"Score": res.Satisfaction, "Number": res.TicketNumber}))
		} else {
			c.message.SetSuccess(T("care.saved", map[string]any{"Score": in.Satisfaction}))
		}
		c.reload()
	})
}

// failed shows err on the form; it reports whether there was one.
func (f *careForm) failed(err error) bool {
	if err == nil {
		return false
	}
	errs := fieldErrorsOf(err)
	shown := false
	for _, fl := range f.fields {
		shown = shown || errs[fl.name] != nil
	}
	showFieldErrors(f.fields, errs, f.message.SetError)
	if !shown {
		f.message.SetError(f.c.u.errText(err))
	}
	return true
}

// openSpecial opens the form of a special (help service) revisit.
func (c *careRevisits) openSpecial() {
	f := &careForm{c: c, message: newStatusLine()}
	f.customer, f.phone, f.place = &widget.Entry{}, &widget.Entry{}, &widget.Entry{}
	var within []string
	for _, d := range careWithinDays {
		within = append(within, T("care.within", map[string]any{"Days": d}))
	}
	f.within = widget.NewSelect(within, nil)
	f.within.SetSelectedIndex(2) // a week
	f.note = &widget.Entry{MultiLine: true, Wrapping: fyne.TextWrapWord}
	f.note.SetMinRowsVisible(2)
	f.fields = []*field{newField("customer_name", "care.f.customer", f.customer), newField("phone", "care.f.phone", f.phone),
		newField("place", "care.f.place", f.place), newField("window", "care.f.within", f.within), newField("note", "care.f.note", f.note)}
	c.showForm(f, T("care.new"), T("care.kind."+data.CareSpecial), f.saveSpecial)
}

func (f *careForm) saveSpecial() {
	c, u := f.c, f.c.u
	days := careWithinDays[max(0, f.within.SelectedIndex())]
	now := u.now()
	in := data.SpecialRevisitInput{CustomerName: f.customer.Text, Phone: f.phone.Text, Place: f.place.Text, Note: f.note.Text,
		From: now, To: now.Add(time.Duration(days) * 24 * time.Hour)}
	f.submit.Disable()
	actor := u.user.ID
	st := f.c.store
	load(u, func(ctx context.Context) (data.CareRevisit, error) {
		return st.ScheduleSpecialRevisit(ctx, actor, in)
	}, func(r data.CareRevisit, err error) {
		f.submit.Enable()
		if f.failed(err) {
			return
		}
		f.modal.Hide()
		c.message.SetSuccess(T("care.scheduled", map[string]any{"From": u.dateTime(r.From), "To": u.dateTime(r.To)}))
		c.reload()
	})
}

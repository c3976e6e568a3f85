package app

import (
	"context"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"anchang/data"
)

// checkView is one inspection: its rooms on the left (then meters & keys
// and sign-off), the selected room's items on the right. Every tap is
// saved at once, in order (saveQueue); the screen shows the tap straight
// away and takes it back if the save fails.
type checkView struct {
	s  *inspectionScreen
	st data.InspectionState

	pages    []checkPage
	current  int
	nav      *widget.List
	page     *fyne.Container
	scroll   *container.Scroll
	progress *widget.Label
	message  *statusLine

	rows map[string]*itemRow // the items shown now, by key
	sign *signPage           // the sign-off page, while shown
	rest *widget.Button      // "the rest of this room passes", on a room page
}

// checkPage is a room of the checklist, the carried defects of a
// re-inspection, meters & keys, or the sign-off.
type checkPage struct {
	kind  string // "room", "carried", "values", "sign"
	title string
	items []data.CheckItem
}

func newCheckView(s *inspectionScreen, st data.InspectionState) *checkView {
	c := &checkView{s: s, st: st, rows: map[string]*itemRow{}}
	if st.Kind == data.InspectionReinspection {
		c.pages = append(c.pages, checkPage{kind: "carried", title: T("insp.page.carried")})
	} else {
		items := st.Template.Items()
		for _, r := range st.Template.Rooms {
			p := checkPage{kind: "room", title: localName(r.Name, r.NameEn)}
			for _, it := range items {
				if strings.HasPrefix(it.Key, r.Code+".") {
					p.items = append(p.items, it)
				}
			}
			c.pages = append(c.pages, p)
		}
	}
	c.pages = append(c.pages, checkPage{kind: "values", title: T("insp.page.values")}, checkPage{kind: "sign", title: T("insp.page.sign")})
	return c
}

// localName picks the English name in English when there is one.
func localName(zh, en string) string {
	if Language() == "en" && en != "" {
		return en
	}
	return zh
}

func (c *checkView) readOnly() bool { return c.st.Status == data.InspectionCompleted }

func (c *checkView) buildUI() fyne.CanvasObject {
	s := c.s
	st := c.st
	title := heading(inspectionTitle(st.Inspection))
	owners := strings.Join(st.Owners, "、")
	if st.Phone != "" {
		owners += " " + data.FormatPhone(st.Phone)
	}
	sub := &widget.Label{Text: strings.Join([]string{st.Project, owners, st.Date, T("insp.accompanied", map[string]any{"Name": st.InspectorName}),
		T("insp.template_version", map[string]any{"Version": st.TemplateVersion})}, " · "), Truncation: fyne.TextTruncateEllipsis}
	// the progress sits between the title and the buttons and gives way
	// (truncated) when the window is narrow
	c.progress = &widget.Label{Alignment: fyne.TextAlignTrailing, Truncation: fyne.TextTruncateEllipsis}
	c.message = newStatusLine()
	back := &widget.Button{Text: T("insp.back"), Icon: theme.NavigateBackIcon(), OnTapped: s.showList}
	history := &widget.Button{Text: T("insp.history"), OnTapped: func() { s.showHistory(st.ID) }}
	print := &widget.Button{Text: T("insp.print"), Icon: theme.DocumentPrintIcon(), OnTapped: func() { s.u.printInspection(st.ID) }}
	head := container.NewVBox(container.NewBorder(nil, nil, container.NewHBox(back, title), container.NewHBox(history, print), c.progress), sub, c.message)

	c.nav = widget.NewList(func() int { return len(c.pages) }, func() fyne.CanvasObject {
		name := widget.NewLabel("")
		name.Truncation = fyne.TextTruncateEllipsis
		return container.NewBorder(nil, nil, nil, widget.NewLabel(""), name)
	}, func(id widget.ListItemID, o fyne.CanvasObject) {
		box := o.(*fyne.Container)
		box.Objects[0].(*widget.Label).SetText(c.pages[id].title)
		count := box.Objects[1].(*widget.Label)
		count.SetText(c.pageCount(id))
		count.Importance = widget.MediumImportance
		if c.pageDefects(id) > 0 {
			count.Importance = widget.DangerImportance
		}
		count.Refresh()
	})
	c.nav.OnSelected = func(id widget.ListItemID) { c.showPage(id) }
	c.page = container.NewVBox()
	c.scroll = container.NewVScroll(container.NewPadded(c.page))
	split := container.NewHSplit(c.nav, c.scroll)
	split.Offset = 0.24
	c.updateProgress()
	c.nav.Select(0)
	c.nav.ScrollToTop()
	return container.NewBorder(head, nil, nil, nil, split)
}

// pageCount is "5/7" for a room or the carried defects, "" otherwise.
func (c *checkView) pageCount(i int) string {
	p := c.pages[i]
	switch p.kind {
	case "room":
		n := 0
		for _, it := range p.items {
			if _, ok := c.st.Results[it.Key]; ok {
				n++
			}
		}
		return strconv.Itoa(n) + "/" + strconv.Itoa(len(p.items))
	case "carried":
		n := 0
		for _, d := range c.st.Carried {
			if d.Outcome != "" {
				n++
			}
		}
		return strconv.Itoa(n) + "/" + strconv.Itoa(len(c.st.Carried))
	case "sign":
		if c.readOnly() {
			return "✓"
		}
	}
	return ""
}

func (c *checkView) pageDefects(i int) int {
	p := c.pages[i]
	n := 0
	switch p.kind {
	case "room":
		for _, it := range p.items {
			if c.st.Results[it.Key].Result == data.ResultDefect {
				n++
			}
		}
	case "carried":
		for _, d := range c.st.Carried {
			if d.Outcome == data.OutcomeNotFixed {
				n++
			}
		}
	}
	return n
}

// answered counts the answers the screen holds.
func (c *checkView) answered() (answered, total, defects int) {
	if c.st.Kind == data.InspectionHandover {
		total = c.st.Template.ItemCount()
		for _, r := range c.st.Results {
			answered++
			if r.Result == data.ResultDefect {
				defects++
			}
		}
	}
	for _, d := range c.st.Carried {
		total++
		if d.Outcome != "" {
			answered++
		}
		if d.Outcome == data.OutcomeNotFixed {
			defects++
		}
	}
	return
}

func (c *checkView) updateProgress() {
	a, t, d := c.answered()
	at := ""
	if c.readOnly() && c.st.Completion != nil {
		at = c.s.u.dateTime(c.st.Completion.At)
	}
	text := inspectionSummary(data.InspectionSummary{Completed: c.readOnly(), Total: t, Answered: a, Defects: d}, at)
	c.progress.SetText(text)
	if c.nav != nil {
		c.nav.Refresh()
	}
}

func (c *checkView) showPage(i int) {
	c.current = i
	c.rows = map[string]*itemRow{}
	c.sign, c.rest = nil, nil
	var objs []fyne.CanvasObject
	p := c.pages[i]
	if p.kind == "room" && !c.readOnly() {
		c.rest = &widget.Button{Icon: theme.ConfirmIcon(), OnTapped: func() { c.confirmRest(i) }}
		objs = append(objs, container.NewBorder(nil, nil, nil, container.NewCenter(c.rest), heading(p.title)))
		c.paintRest()
	} else {
		objs = append(objs, heading(p.title))
	}
	switch p.kind {
	case "room":
		for _, it := range p.items {
			r := c.newItemRow(it)
			c.rows[it.Key] = r
			objs = append(objs, r.object, widget.NewSeparator())
		}
		if i+1 < len(c.pages) {
			objs = append(objs, container.NewHBox(&widget.Button{Text: T("insp.next_room", map[string]any{"Room": c.pages[i+1].title}),
				Icon: theme.NavigateNextIcon(), OnTapped: func() { c.nav.Select(i + 1) }}))
		}
	case "carried":
		for j := range c.st.Carried {
			objs = append(objs, c.carriedRow(j), widget.NewSeparator())
		}
	case "values":
		objs = append(objs, c.valuesPage())
	case "sign":
		c.sign = newSignPage(c)
		objs = append(objs, c.sign.buildUI())
	}
	c.page.Objects = objs
	c.page.Refresh()
	c.scroll.ScrollToTop()
}

// itemRow is one checklist item: its name and standard, the three answer
// buttons, and a defect's description.
type itemRow struct {
	item             data.CheckItem
	pass, defect, na *widget.Button
	detail           *widget.Label
	detailBox        *fyne.Container
	answer           *widget.Label // a completed inspection's answer
	edit             *widget.Button
	object           fyne.CanvasObject
}

// answerButton is a large toggle button.
func answerButton(text string, tapped func()) (*widget.Button, fyne.CanvasObject) {
	b := &widget.Button{Text: text, OnTapped: tapped}
	return b, container.NewGridWrap(fyne.NewSize(92, 44), b)
}

func (c *checkView) newItemRow(it data.CheckItem) *itemRow {
	r := &itemRow{item: it}
	name := widget.NewLabel(localName(it.Name, it.NameEn))
	// the acceptance standard is read out to the owner: body size, in a
	// dark grey that keeps ≥ 4.5:1 contrast (TestInspectionStandardReadable)
	standard := widget.NewRichText(&widget.TextSegment{Text: localName(it.Standard, it.StandardEn),
		Style: widget.RichTextStyle{ColorName: colorNameSecondary, SizeName: theme.SizeNameText, Inline: false}})
	standard.Wrapping = fyne.TextWrapWord
	var b1, b2, b3 fyne.CanvasObject
	r.pass, b1 = answerButton(T("insp.result.pass"), func() { c.setResult(it, data.ResultInput{Item: it.Key, Result: data.ResultPass}) })
	r.defect, b2 = answerButton(T("insp.result.defect"), func() { c.showDefect(it) })
	r.na, b3 = answerButton(T("insp.result.na"), func() { c.setResult(it, data.ResultInput{Item: it.Key, Result: data.ResultNA}) })
	r.detail = &widget.Label{Wrapping: fyne.TextWrapWord, Importance: widget.DangerImportance}
	r.edit = &widget.Button{Text: T("insp.defect.edit"), Importance: widget.LowImportance, OnTapped: func() { c.showDefect(it) }}
	detail := container.NewBorder(nil, nil, nil, r.edit, r.detail)
	answers := fyne.CanvasObject(container.NewHBox(b1, b2, b3))
	if c.readOnly() {
		// a completed inspection shows its answer, not buttons (disabled
		// buttons would hide it in grey)
		r.answer = widget.NewLabel("")
		answers = container.NewGridWrap(fyne.NewSize(120, 44), r.answer)
	}
	r.object = container.NewBorder(nil, nil, nil, container.NewVBox(answers), container.NewVBox(name, standard, detail))
	r.detailBox = detail
	c.paintRow(r)
	return r
}

// paintRow shows the item's current answer.
func (c *checkView) paintRow(r *itemRow) {
	res := c.st.Results[r.item.Key]
	for b, want := range map[*widget.Button]string{r.pass: data.ResultPass, r.defect: data.ResultDefect, r.na: data.ResultNA} {
		b.Importance = widget.MediumImportance
		if res.Result == want {
			switch want {
			case data.ResultPass:
				b.Importance = widget.SuccessImportance
			case data.ResultDefect:
				b.Importance = widget.DangerImportance
			default:
				b.Importance = widget.HighImportance
			}
		}
		setEnabled(b, !c.readOnly())
		b.Refresh()
	}
	if r.answer != nil && res.Result != "" {
		r.answer.SetText(T("insp.result." + res.Result))
		r.answer.Importance = map[string]widget.Importance{data.ResultPass: widget.SuccessImportance, data.ResultDefect: widget.DangerImportance}[res.Result]
		r.answer.Refresh()
	}
	if res.Result == data.ResultDefect {
		r.detail.SetText(defectText(res.Description, res.Location, len(res.Photos)))
		r.detailBox.Show()
		if c.readOnly() {
			r.edit.Hide()
		}
	} else {
		r.detailBox.Hide()
	}
}

// defectText is "缺陷：… · 位置：… · 照片 2 张".
func defectText(desc, loc string, photos int) string {
	s := T("insp.defect.text", map[string]any{"Text": desc})
	if loc != "" {
		s += " · " + T("insp.defect.at", map[string]any{"Location": loc})
	}
	if photos > 0 {
		s += " · " + T("insp.defect.photos", map[string]any{"N": photos})
	}
	return s
}

// setResult shows an answer at once and saves it; a failed save puts the
// previous answer back and says why.
func (c *checkView) setResult(it data.CheckItem, in data.ResultInput) {
	if c.readOnly() {
		return
	}
	prev, had := c.st.Results[it.Key]
	c.st.Results[it.Key] = data.ItemResult{Item: it.Key, Result: in.Result, Description: in.Description, Location: in.Location, Photos: in.Photos}
	c.repaint(it.Key)
	u := c.s.u
	actor, id := u.user.ID, c.st.ID
	var saved data.ItemResult
	c.s.saves.run(func(ctx context.Context) error {
		var err error
		saved, err = c.s.store.RecordResult(ctx, actor, id, in)
		return err
	}, func(err error) {
		if c.s.check != c {
			return // the view was left; the save is done either way
		}
		if err != nil {
			if had {
				c.st.Results[it.Key] = prev
			} else {
				delete(c.st.Results, it.Key)
			}
			c.message.SetError(localName(it.Room, it.RoomEn) + " · " + localName(it.Name, it.NameEn) + "：" + u.errText(err))
		} else {
			if cur := c.st.Results[it.Key]; cur.Result == saved.Result && cur.Description == saved.Description {
				c.st.Results[it.Key] = saved
			}
			c.message.SetText("")
		}
		c.repaint(it.Key)
	})
}

func (c *checkView) repaint(key string) {
	if r, ok := c.rows[key]; ok {
		c.paintRow(r)
	}
	c.paintRest()
	c.updateProgress()
}

// unjudged lists the items of page i without an answer yet.
func (c *checkView) unjudged(i int) []data.CheckItem {
	var out []data.CheckItem
	for _, it := range c.pages[i].items {
		if _, ok := c.st.Results[it.Key]; !ok {
			out = append(out, it)
		}
	}
	return out
}

// paintRest shows on the room's button how many items it would pass, and
// disables it when there are none.
func (c *checkView) paintRest() {
	if c.rest == nil {
		return
	}
	n := len(c.unjudged(c.current))
	c.rest.SetText(T("insp.rest_pass", map[string]any{"N": n}))
	setEnabled(c.rest, n > 0)
}

// confirmRest asks before marking every unanswered item of room i pass;
// each is then recorded on its own, as a tap on its 合格 would be (through
// the save queue, in order). Items already answered, defects included,
// are not touched.
func (c *checkView) confirmRest(i int) {
	todo := c.unjudged(i)
	if len(todo) == 0 || c.readOnly() {
		return
	}
	judged, defects := len(c.pages[i].items)-len(todo), c.pageDefects(i)
	text := T("insp.rest_pass.confirm", map[string]any{"Room": c.pages[i].title, "N": len(todo)})
	switch {
	case defects > 0:
		text += "\n" + T("insp.rest_pass.kept", map[string]any{"N": judged, "Defects": defects})
	case judged > 0:
		text += "\n" + T("insp.rest_pass.kept_none", map[string]any{"N": judged})
	}
	msg := &widget.Label{Text: text, Wrapping: fyne.TextWrapWord}
	c.s.u.showModal(T("insp.rest_pass.title"), container.New(fixedWidth(460), msg), T("dialog.cancel"),
		&widget.Button{Text: T("insp.rest_pass.do", map[string]any{"N": len(todo)}), Importance: widget.SuccessImportance, OnTapped: func() {
			for _, it := range todo {
				if _, ok := c.st.Results[it.Key]; !ok { // answered meanwhile: keep that answer
					c.setResult(it, data.ResultInput{Item: it.Key, Result: data.ResultPass})
				}
			}
		}})
}

// carriedRow is an earlier defect of a re-inspection: fixed or not.
func (c *checkView) carriedRow(j int) fyne.CanvasObject {
	d := c.st.Carried[j]
	name := widget.NewLabel(localName(d.Item.Room, d.Item.RoomEn) + " · " + localName(d.Item.Name, d.Item.NameEn))
	desc := &widget.Label{Text: defectText(d.Description, d.Location, len(d.Photos)), Wrapping: fyne.TextWrapWord}
	from := caption(T("insp.found_on", map[string]any{"Date": d.FromDate}))
	note := &widget.Label{Wrapping: fyne.TextWrapWord, Importance: widget.DangerImportance}
	fixed, b1 := answerButton(T("insp.outcome.fixed"), nil)
	notFixed, b2 := answerButton(T("insp.outcome.not_fixed"), nil)
	paint := func() {
		d := c.st.Carried[j]
		fixed.Importance, notFixed.Importance = widget.MediumImportance, widget.MediumImportance
		switch d.Outcome {
		case data.OutcomeFixed:
			fixed.Importance = widget.SuccessImportance
		case data.OutcomeNotFixed:
			notFixed.Importance = widget.DangerImportance
		}
		note.SetText(d.Note)
		if d.Note == "" {
			note.Hide()
		} else {
			note.Show()
		}
		for _, b := range []*widget.Button{fixed, notFixed} {
			setEnabled(b, !c.readOnly())
			b.Refresh()
		}
	}
	save := func(outcome, text string) {
		prev := c.st.Carried[j]
		c.st.Carried[j].Outcome, c.st.Carried[j].Note = outcome, text
		paint()
		c.updateProgress()
		u := c.s.u
		actor, id, defect := u.user.ID, c.st.ID, d.DefectID
		c.s.saves.run(func(ctx context.Context) error {
			return c.s.store.RecordFollowUp(ctx, actor, id, defect, outcome, text)
		}, func(err error) {
			if c.s.check != c {
				return
			}
			if err != nil {
				c.st.Carried[j] = prev
				c.message.SetError(u.errText(err))
			} else {
				c.message.SetText("")
			}
			paint()
			c.updateProgress()
		})
	}
	fixed.OnTapped = func() { save(data.OutcomeFixed, "") }
	notFixed.OnTapped = func() {
		entry := &widget.Entry{MultiLine: true, Wrapping: fyne.TextWrapWord, PlaceHolder: T("insp.not_fixed.hint"), Text: c.st.Carried[j].Note}
		entry.SetMinRowsVisible(3)
		c.s.u.showModal(T("insp.outcome.not_fixed"), container.New(fixedWidth(460), entry), T("dialog.cancel"),
			&widget.Button{Text: T("insp.save"), Importance: widget.HighImportance, OnTapped: func() { save(data.OutcomeNotFixed, entry.Text) }})
	}
	paint()
	answers := fyne.CanvasObject(container.NewHBox(b1, b2))
	if c.readOnly() {
		l := widget.NewLabel("")
		switch d.Outcome {
		case data.OutcomeFixed:
			l.Text, l.Importance = T("insp.outcome.fixed"), widget.SuccessImportance
		case data.OutcomeNotFixed:
			l.Text, l.Importance = T("insp.outcome.not_fixed"), widget.DangerImportance
		}
		answers = container.NewGridWrap(fyne.NewSize(120, 44), l)
	}
	return container.NewBorder(nil, nil, nil, container.NewVBox(answers), container.NewVBox(name, desc, from, note))
}

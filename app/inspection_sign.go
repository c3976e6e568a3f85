package app

import (
	"bytes"
	"context"
	"image"
	_ "image/png" // stored signatures
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"anchang/data"
)

// valuesPage is the meter readings and the keys handed over; each value
// is saved when Enter is pressed in it or Save is tapped.
func (c *checkView) valuesPage() fyne.CanvasObject {
	u := c.s.u
	st := c.st
	type value struct {
		kind, code string
		entry      *widget.Entry
		saved      string
		f          *field
	}
	var values []*value
	var meterFields, keyFields []*field
	mk := func(kind, code, label, text string) *value {
		e := &widget.Entry{Text: text}
		errLabel := &widget.Label{Importance: widget.DangerImportance, Wrapping: fyne.TextWrapWord}
		errLabel.Hide()
		v := &value{kind: kind, code: code, entry: e, saved: text, f: &field{name: kind + "." + code, label: widget.NewLabel(label), input: e, err: errLabel}}
		if c.readOnly() {
			e.Disable()
		}
		values = append(values, v)
		return v
	}
	for _, m := range st.Template.Meters {
		label := localName(m.Name, m.NameEn)
		if m.Unit != "" {
			label += "（" + m.Unit + "）"
		}
		v := mk(data.ValueMeter, m.Code, label, st.Meters[m.Code])
		v.entry.PlaceHolder = "0000.00"
		meterFields = append(meterFields, v.f)
	}
	for _, k := range st.Template.Keys {
		text := ""
		if n, ok := st.Keys[k.Code]; ok {
			text = strconv.Itoa(n)
		}
		v := mk(data.ValueKey, k.Code, localName(k.Name, k.NameEn), text)
		v.entry.PlaceHolder = "0"
		keyFields = append(keyFields, v.f)
	}
	status := newStatusLine()
	var saveBtn *widget.Button
	saveAll := func() {
		status.SetText("")
		for _, v := range values {
			v := v
			text := strings.TrimSpace(data.FoldInput(v.entry.Text)) // as the store reads it
			if text == v.saved {
				continue
			}
			actor, id := u.user.ID, st.ID
			c.s.saves.run(func(ctx context.Context) error {
				return c.s.store.SetInspectionValue(ctx, actor, id, v.kind, v.code, text)
			}, func(err error) {
				if err != nil {
					if e, ok := data.AsError(err); ok && e.Field != "" {
						v.f.setError(T(e.Key, e.Args))
					} else {
						status.SetError(u.errText(err))
					}
					return
				}
				v.f.setError("")
				v.saved = text
				if v.kind == data.ValueMeter {
					c.st.Meters[v.code] = text
				} else {
					n, _ := strconv.Atoi(text)
					c.st.Keys[v.code] = n
				}
				status.SetSuccess(T("insp.values.saved"))
			})
		}
	}
	for _, v := range values {
		v.entry.OnSubmitted = func(string) { saveAll() }
	}
	saveBtn = &widget.Button{Text: T("insp.save"), Importance: widget.HighImportance, OnTapped: saveAll}
	if c.readOnly() {
		saveBtn.Disable()
	}
	return container.NewVBox(
		section(T("insp.meters"), "", formGrid(meterFields...)),
		section(T("insp.keys"), T("insp.keys.hint"), formGrid(keyFields...)),
		container.NewHBox(saveBtn), status)
}

// signPage is the sign-off: what is still open, the two signatures (or
// signing on paper) and Complete.
type signPage struct {
	c        *checkView
	mode     *widget.RadioGroup
	owner    *SignaturePad
	staff    *SignaturePad
	pads     *fyne.Container
	complete *widget.Button
	missing  *widget.Label
	status   *statusLine
}

func newSignPage(c *checkView) *signPage { return &signPage{c: c} }

func (p *signPage) buildUI() fyne.CanvasObject {
	c := p.c
	p.missing = &widget.Label{Wrapping: fyne.TextWrapWord}
	p.status = newStatusLine()
	if c.readOnly() {
		return p.completedUI()
	}
	p.summarise()
	p.mode = widget.NewRadioGroup([]string{T("insp.sign.screen"), T("insp.sign.paper")}, func(string) { p.showPads() })
	p.mode.Required = true
	p.mode.SetSelected(T("insp.sign.screen"))
	p.owner = NewSignaturePad(T("insp.sign.here"))
	p.staff = NewSignaturePad(T("insp.sign.here"))
	pad := func(title string, sp *SignaturePad) fyne.CanvasObject {
		clear := &widget.Button{Text: T("insp.sign.clear"), Importance: widget.LowImportance, OnTapped: sp.Clear}
		return container.NewVBox(bar(widget.NewLabel(title), clear), container.NewGridWrap(fyne.NewSize(340, 140), sp))
	}
	p.pads = container.NewGridWrap(fyne.NewSize(350, 196), pad(T("insp.sign.owner"), p.owner), pad(T("insp.sign.staff", map[string]any{"Name": c.st.InspectorName}), p.staff))
	p.complete = &widget.Button{Text: T("insp.complete"), Importance: widget.HighImportance, OnTapped: p.onComplete}
	p.showPads()
	return container.NewVBox(p.missing, widget.NewSeparator(), p.mode, p.pads, container.NewHBox(p.complete), p.status)
}

// summarise says how many items are still open, naming the first few.
func (p *signPage) summarise() {
	c := p.c
	a, t, d := c.answered()
	if a == t {
		p.missing.Importance = widget.SuccessImportance
		p.missing.SetText(T("insp.sign.all_answered", map[string]any{"Total": t, "Defects": d}))
		return
	}
	var names []string
	for _, it := range c.st.Template.Items() {
		if c.st.Kind != data.InspectionHandover {
			break
		}
		if _, ok := c.st.Results[it.Key]; !ok {
			names = append(names, localName(it.Room, it.RoomEn)+"·"+localName(it.Name, it.NameEn))
		}
	}
	for _, cd := range c.st.Carried {
		if cd.Outcome == "" {
			names = append(names, localName(cd.Item.Room, cd.Item.RoomEn)+"·"+localName(cd.Item.Name, cd.Item.NameEn))
		}
	}
	more := ""
	if len(names) > 6 {
		names, more = names[:6], "…"
	}
	p.missing.Importance = widget.WarningImportance
	p.missing.SetText(T("insp.sign.missing", map[string]any{"N": t - a, "Items": strings.Join(names, "、") + more}))
}

func (p *signPage) showPads() {
	if p.pads == nil {
		return
	}
	if p.mode.Selected == T("insp.sign.paper") {
		p.pads.Hide()
	} else {
		p.pads.Show()
	}
}

func (p *signPage) onComplete() {
	c := p.c
	u := c.s.u
	in := data.CompleteInput{PaperSign: p.mode.Selected == T("insp.sign.paper")}
	if !in.PaperSign {
		in.OwnerSignature, in.StaffSignature = p.owner.PNG(), p.staff.PNG()
	}
	actor, id := u.user.ID, c.st.ID
	setEnabled(p.complete, false)
	p.status.SetText("")
	c.s.saves.run(func(ctx context.Context) error {
		return c.s.store.CompleteInspection(ctx, actor, id, in)
	}, func(err error) {
		setEnabled(p.complete, true)
		if err != nil {
			if fe, ok := err.(data.FieldErrors); ok {
				var msgs []string
				for _, k := range []string{"owner_signature", "staff_signature"} {
					if e := fe[k]; e != nil {
						msgs = append(msgs, T("insp.sign."+strings.TrimSuffix(k, "_signature"), map[string]any{"Name": c.st.InspectorName})+"："+T(e.Key, e.Args))
					}
				}
				p.status.SetError(strings.Join(msgs, "\n"))
			} else {
				p.status.SetError(u.errText(err))
			}
			return
		}
		c.s.u.log.Info("inspection completed", "id", id)
		c.s.openPage(id, -1) // read back what is stored
	})
}

// completedUI shows how the inspection was signed off.
func (p *signPage) completedUI() fyne.CanvasObject {
	c := p.c
	comp := c.st.Completion
	objs := []fyne.CanvasObject{widget.NewLabel(T("insp.completed_at", map[string]any{"Time": c.s.u.dateTime(comp.At)}))}
	if comp.PaperSign {
		objs = append(objs, widget.NewLabel(T("insp.sign.on_paper")))
	} else {
		var sigs []fyne.CanvasObject
		for _, sig := range []struct {
			title string
			png   []byte
		}{{T("insp.sign.owner"), comp.OwnerSignature}, {T("insp.sign.staff", map[string]any{"Name": c.st.InspectorName}), comp.StaffSignature}} {
			img, _, err := image.Decode(bytes.NewReader(sig.png))
			if err != nil { // drawn on another device, not arrived yet
				sigs = append(sigs, container.NewBorder(widget.NewLabel(sig.title), nil, nil, nil, widget.NewLabel(T("insp.photo.pending"))))
				continue
			}
			ci := canvas.NewImageFromImage(img)
			ci.FillMode = canvas.ImageFillContain
			sigs = append(sigs, container.NewBorder(widget.NewLabel(sig.title), nil, nil, nil, ci))
		}
		objs = append(objs, container.NewGridWrap(fyne.NewSize(340, 170), sigs...))
	}
	objs = append(objs, container.NewHBox(&widget.Button{Text: T("insp.print"), Importance: widget.HighImportance,
		OnTapped: func() { c.s.u.printInspection(c.st.ID) }}), p.ticketsUI())
	return container.NewVBox(objs...)
}

package app

import (
	"bytes"
	"context"
	"image"
	_ "image/jpeg" // stored photos are JPEG

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"anchang/data"
	"anchang/data/photo"
)

// defectForm is the small modal a defect is recorded in: what is wrong,
// where, and photos picked from files.
type defectForm struct {
	c    *checkView
	item data.CheckItem

	desc     *widget.Entry
	location *widget.Entry
	photos   []string // photo ids, in order
	thumbs   *fyne.Container
	addPhoto *widget.Button
	save     *widget.Button
	message  *statusLine
	fields   []*field
	modal    *modal
}

func (c *checkView) showDefect(it data.CheckItem) {
	if c.readOnly() {
		return
	}
	f := &defectForm{c: c, item: it}
	cur := c.st.Results[it.Key]
	f.desc = &widget.Entry{MultiLine: true, Wrapping: fyne.TextWrapWord, PlaceHolder: T("insp.defect.desc.hint")}
	f.desc.SetMinRowsVisible(3)
	f.location = &widget.Entry{PlaceHolder: T("insp.defect.location.hint")}
	if cur.Result == data.ResultDefect {
		f.desc.SetText(cur.Description)
		f.location.SetText(cur.Location)
		f.photos = append(f.photos, cur.Photos...)
	}
	f.thumbs = container.NewHBox()
	f.addPhoto = &widget.Button{Text: T("insp.photo.add"), OnTapped: f.onAddPhoto}
	f.save = &widget.Button{Text: T("insp.defect.save"), Importance: widget.DangerImportance, OnTapped: f.onSave}
	f.message = newStatusLine()
	f.fields = []*field{
		newField("description", "insp.defect.desc", f.desc),
		newField("location", "insp.defect.location", f.location),
		newField("photos", "insp.defect.photos_label", container.NewVBox(container.NewHBox(f.addPhoto), f.thumbs)),
	}
	std := caption(localName(it.Standard, it.StandardEn))
	content := container.NewVBox(std, formGrid(f.fields...), f.message,
		container.NewHBox(layout.NewSpacer(), f.save))
	title := T("insp.defect.title", map[string]any{"Item": localName(it.Room, it.RoomEn) + " · " + localName(it.Name, it.NameEn)})
	f.modal = c.s.u.showModal(title, container.New(fixedWidth(560), content), T("dialog.cancel"))
	f.loadThumbs()
	c.s.u.win.Canvas().Focus(f.desc)
}

func (f *defectForm) onSave() {
	f.record(data.ResultInput{Item: f.item.Key, Result: data.ResultDefect, Description: f.desc.Text, Location: f.location.Text, Photos: f.photos})
}

// record saves the defect (through the queue, after any tick before it);
// the modal closes when it is saved and shows what the store refused.
func (f *defectForm) record(in data.ResultInput) {
	c := f.c
	u := c.s.u
	setEnabled(f.save, false)
	actor, id := u.user.ID, c.st.ID
	var saved data.ItemResult
	c.s.saves.run(func(ctx context.Context) error {
		var err error
		saved, err = c.s.store.RecordResult(ctx, actor, id, in)
		return err
	}, func(err error) {
		setEnabled(f.save, true)
		showFieldErrors(f.fields, fieldErrorsOf(err), f.message.SetError)
		if err != nil {
			if fieldErrorsOf(err) == nil {
				f.message.SetError(u.errText(err))
			}
			f.modal.pop.Refresh()
			return
		}
		f.modal.Hide()
		c.st.Results[f.item.Key] = saved
		c.message.SetText("")
		c.repaint(f.item.Key)
	})
}

func (f *defectForm) onAddPhoto() {
	if len(f.photos) >= data.MaxPhotosPerItem {
		f.message.SetError(T("err.photo.too_many", map[string]any{"Max": data.MaxPhotosPerItem}))
		return
	}
	c := f.c
	u := c.s.u
	pickImageFile(u, func(file []byte) {
		actor, id, key := u.user.ID, c.st.ID, f.item.Key
		setEnabled(f.addPhoto, false)
		f.message.SetText("")
		load(u, func(ctx context.Context) (data.Photo, error) {
			jpg, err := photo.Prepare(file) // decoding and scaling, off the UI goroutine
			if err != nil {
				return data.Photo{}, err
			}
			return c.s.store.AddInspectionPhoto(ctx, actor, id, key, jpg)
		}, func(p data.Photo, err error) {
			setEnabled(f.addPhoto, true)
			if err != nil {
				f.message.SetError(u.errText(err))
				return
			}
			f.photos = append(f.photos, p.ID)
			f.addThumb(p)
		})
	})
}

// loadThumbs shows the photos already attached.
func (f *defectForm) loadThumbs() {
	ids := append([]string(nil), f.photos...)
	load(f.c.s.u, func(ctx context.Context) ([]data.Photo, error) {
		var out []data.Photo
		for _, id := range ids {
			p, err := f.c.s.store.InspectionPhoto(ctx, id)
			if err != nil {
				return out, err
			}
			out = append(out, p)
		}
		return out, nil
	}, func(ps []data.Photo, err error) {
		for _, p := range ps {
			f.addThumb(p)
		}
	})
}

func (f *defectForm) addThumb(p data.Photo) {
	var th fyne.CanvasObject
	if img, _, err := image.Decode(bytes.NewReader(p.JPEG)); err == nil {
		im := canvas.NewImageFromImage(img)
		im.FillMode = canvas.ImageFillContain
		im.SetMinSize(fyne.NewSize(72, 54))
		th = im
	} else {
		// Recorded on another device; its bytes have not arrived yet.
		th = container.NewGridWrap(fyne.NewSize(72, 54), &widget.Label{Text: T("insp.photo.pending"), Wrapping: fyne.TextWrapWord})
	}
	remove := &widget.Button{Text: "×", Importance: widget.LowImportance}
	cell := container.NewBorder(nil, remove, nil, nil, th)
	remove.OnTapped = func() {
		for i, id := range f.photos {
			if id == p.ID {
				f.photos = append(f.photos[:i], f.photos[i+1:]...)
				break
			}
		}
		f.thumbs.Remove(cell)
	}
	f.thumbs.Add(cell)
	if f.modal != nil {
		f.modal.pop.Refresh()
	}
}

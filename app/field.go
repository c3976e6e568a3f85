package app

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"anchang/data"
)

// field is one labelled input of a form with its inline error message.
type field struct {
	name  string // the data layer's field name, for matching errors
	label *widget.Label
	input fyne.CanvasObject
	err   *widget.Label
}

func newField(name, labelKey string, input fyne.CanvasObject) *field {
	e := widget.NewLabel("")
	e.Importance = widget.DangerImportance
	e.Wrapping = fyne.TextWrapWord
	e.Hide()
	return &field{name: name, label: widget.NewLabel(T(labelKey)), input: input, err: e}
}

// setError shows msg under the input, or hides the message when msg is "".
func (f *field) setError(msg string) {
	f.err.SetText(msg)
	if msg == "" {
		f.err.Hide()
	} else {
		f.err.Show()
	}
}

// formGrid lays fields out as label | input-with-error rows.
func formGrid(fields ...*field) *fyne.Container {
	var objs []fyne.CanvasObject
	for _, f := range fields {
		objs = append(objs, f.label, container.NewVBox(f.input, f.err))
	}
	return container.New(layout.NewFormLayout(), objs...)
}

// showFieldErrors puts each store error under its field and clears the
// others. It reports whether any error was shown; an error for a field not
// in the form goes to other.
func showFieldErrors(fields []*field, errs map[string]*data.Error, other func(string)) bool {
	shown := false
	for _, f := range fields {
		if e, ok := errs[f.name]; ok {
			f.setError(T(e.Key, e.Args))
			shown = true
		} else {
			f.setError("")
		}
	}
	for name, e := range errs {
		found := false
		for _, f := range fields {
			found = found || f.name == name
		}
		if !found && other != nil {
			other(T(e.Key, e.Args))
			shown = true
		}
	}
	return shown
}

// fieldErrorsOf turns a store error into per-field errors.
func fieldErrorsOf(err error) map[string]*data.Error {
	if fe, ok := err.(data.FieldErrors); ok {
		return fe
	}
	if e, ok := data.AsError(err); ok && e.Field != "" {
		return map[string]*data.Error{e.Field: e}
	}
	return nil
}

// heading is a large bold title.
func heading(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.SizeName = theme.SizeNameSubHeadingText
	return l
}

// statusLine is a one-line message under a form or list (an error, or what
// just happened) that takes no room while empty.
type statusLine struct {
	widget.Label
}

func newStatusLine() *statusLine {
	s := &statusLine{}
	s.Wrapping = fyne.TextWrapWord
	s.Importance = widget.DangerImportance
	s.ExtendBaseWidget(s)
	s.Hide()
	return s
}

// SetText shows text, or hides the line when text is "".
func (s *statusLine) SetText(text string) {
	s.Label.SetText(text)
	if text == "" {
		s.Hide()
	} else {
		s.Show()
	}
}

// SetError shows an error message.
func (s *statusLine) SetError(text string) {
	s.Importance = widget.DangerImportance
	s.SetText(text)
}

// SetNotice shows something to heed that is not an error (a search found
// only approximately, a list kept at HQ).
func (s *statusLine) SetNotice(text string) {
	s.Importance = widget.WarningImportance
	s.SetText(text)
}

// SetSuccess shows what just succeeded.
func (s *statusLine) SetSuccess(text string) {
	s.Importance = widget.SuccessImportance
	s.SetText(text)
}

// revalidate updates the messages a submit put under the fields as the
// form changes: a field's message goes as soon as its value is valid and
// follows the problem while it is not; fields not yet reported stay quiet
// until the next submit. errs is the whole form's check now.
func revalidate(fields []*field, errs map[string]*data.Error) {
	for _, f := range fields {
		if !f.err.Visible() {
			continue
		}
		if e, ok := errs[f.name]; ok {
			f.setError(T(e.Key, e.Args))
		} else {
			f.setError("")
		}
	}
}

// anyError reports whether a field shows a message.
func anyError(fields []*field) bool {
	for _, f := range fields {
		if f.err.Visible() {
			return true
		}
	}
	return false
}

// onEdit calls fn after any entry, select, radio group or check inside the
// fields changes, after the handler it already had.
func onEdit(fields []*field, fn func()) {
	for _, f := range fields {
		hookChanges(f.input, fn)
	}
}

func hookChanges(o fyne.CanvasObject, fn func()) {
	switch w := o.(type) {
	case *widget.Entry:
		prev := w.OnChanged
		w.OnChanged = func(s string) {
			if prev != nil {
				prev(s)
			}
			fn()
		}
	case *widget.Select:
		prev := w.OnChanged
		w.OnChanged = func(s string) {
			if prev != nil {
				prev(s)
			}
			fn()
		}
	case *widget.RadioGroup:
		prev := w.OnChanged
		w.OnChanged = func(s string) {
			if prev != nil {
				prev(s)
			}
			fn()
		}
	case *widget.Check:
		prev := w.OnChanged
		w.OnChanged = func(b bool) {
			if prev != nil {
				prev(b)
			}
			fn()
		}
	case *fyne.Container:
		for _, c := range w.Objects {
			hookChanges(c, fn)
		}
	}
}

package app

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"anchang/app/forms"
)

// Printing from the app: a form is rendered to PDF off the UI goroutine,
// then previewed in the OS viewer, saved to the printouts folder or sent to
// the OS printer. With no printer the PDF is saved and the desk is told
// where it is.

// printJob is one document to print.
type printJob struct {
	def *forms.Definition
	// render writes the PDF in the form's version ("" = the newest in
	// effect) and says what it printed.
	render func(ctx context.Context, w io.Writer, version string) (printed, error)
}

// printed is what a job printed: the record's serial ("" for a blank
// form), which names the saved file, and a line saying which record it is.
type printed struct {
	serial string
	about  string
}

// printScreen is the print modal of one job.
type printScreen struct {
	u   *UI
	job printJob

	pdf    []byte // the rendered form, once ready
	serial string
	about  string

	info    *widget.Label
	pages   *widget.Label
	preview *widget.Button
	save    *widget.Button
	print   *widget.Button
	status  *statusLine
	modal   *modal
	dir     string // where Save puts the PDF, found while the form renders

	// During the days after a new version of the form takes effect both
	// may be printed: version picks one ("" = the newest).
	version    string
	versionSel *widget.Select
	// printer is the chosen print queue ("" = the system default);
	// printers are the queues behind printerSel's options.
	printer    string
	printers   []string
	printerSel *widget.Select
	folder     *widget.Label
}

// printerSetting remembers this computer's chosen printer.
const printerSetting = "printer"

// showPrint opens the print modal for job and renders the form; then, when
// given, runs then (a blank form's Print or Save PDF from the list).
func (u *UI) showPrint(job printJob, then func(p *printScreen)) *printScreen {
	p := &printScreen{u: u, job: job}
	p.info = &widget.Label{Wrapping: fyne.TextWrapWord}
	p.pages = widget.NewLabel(T("print.rendering"))
	p.preview = &widget.Button{Text: T("print.preview"), OnTapped: p.onPreview}
	p.save = &widget.Button{Text: T("print.save"), OnTapped: p.onSave}
	p.print = &widget.Button{Text: T("print.print"), Importance: widget.HighImportance, OnTapped: p.onPrint}
	p.status = newStatusLine()
	p.folder = &widget.Label{Wrapping: fyne.TextWrapBreak} // filled in off the UI goroutine: finding it reads the disk
	p.showInfo()
	p.enable(false)

	choices := container.NewVBox()
	if vs := job.def.Printable(u.now().In(u.location())); len(vs) > 1 {
		var labels []string
		for _, v := range vs {
			labels = append(labels, T("print.version.option", map[string]any{"Version": v.Label, "Effective": v.Effective.Format(time.DateOnly)}))
		}
		p.versionSel = widget.NewSelect(labels, nil)
		p.versionSel.SetSelectedIndex(0)
		p.versionSel.OnChanged = func(string) {
			if v := vs[p.versionSel.SelectedIndex()]; v.Label != p.currentVersion() {
				p.version = v.Label
				p.render(nil)
			}
		}
		choices.Add(container.NewBorder(nil, nil, widget.NewLabel(T("print.version.choose")), nil, p.versionSel))
	}
	p.printerSel = widget.NewSelect(nil, nil)
	p.printerSel.PlaceHolder = T("print.printer.finding")
	p.printerSel.Disable()
	choices.Add(container.NewBorder(nil, nil, widget.NewLabel(T("print.printer")), nil, p.printerSel))

	content := container.NewVBox(p.info, p.pages, choices, widget.NewSeparator(),
		container.NewHBox(layout.NewSpacer(), p.preview, p.save, p.print, layout.NewSpacer()),
		p.folder, p.status)
	p.modal = u.showModal(formTitle(job.def), container.New(fixedWidth(540), content), T("dialog.close"))
	u.setPrinting(p.modal)
	p.findPrinters()
	p.render(then)
	return p
}

// currentVersion is the version label the modal prints now.
func (p *printScreen) currentVersion() string {
	if p.version != "" {
		return p.version
	}
	if v, err := p.job.def.Choose(p.u.now().In(p.u.location()), ""); err == nil {
		return v.Label
	}
	return ""
}

// render makes the PDF in the chosen version off the UI goroutine, finding
// the save folder meanwhile; then shows it and runs then, when given.
func (p *printScreen) render(then func(p *printScreen)) {
	u, job, version := p.u, p.job, p.version
	p.pdf = nil
	p.enable(false)
	p.pages.SetText(T("print.rendering"))
	var buf bytes.Buffer
	var dir string
	load(u, func(ctx context.Context) (printed, error) {
		dir = u.printFolder()
		return job.render(ctx, &buf, version)
	}, func(r printed, err error) {
		if version != p.version {
			return // the version changed while this one rendered
		}
		p.dir = dir
		p.folder.SetText(T("print.folder", map[string]any{"Path": dir}))
		if err != nil {
			p.pages.SetText("")
			p.status.SetError(u.errText(err))
			p.fit()
			return
		}
		p.pdf, p.serial, p.about = buf.Bytes(), r.serial, r.about
		p.showInfo()
		p.pages.SetText(T("print.pages", map[string]any{"Pages": pageCount(p.pdf)}))
		p.enable(true)
		p.fit()
		if then != nil {
			then(p)
		}
	})
}

// findPrinters fills the printer choice from the operating system's print
// queues, preselecting this computer's last choice, else the default.
func (p *printScreen) findPrinters() {
	type found struct {
		names      []string
		def, saved string
	}
	u := p.u
	load(u, func(ctx context.Context) (found, error) {
		names, def, err := forms.Printers(ctx)
		saved, _ := u.store.Setting(ctx, printerSetting, "")
		return found{names, def, saved}, err
	}, func(f found, err error) {
		p.printerSel.PlaceHolder = T("print.printer.none")
		if err != nil || len(f.names) == 0 {
			if err != nil {
				u.log.Info("no printers", "err", err)
			}
			p.printerSel.Refresh()
			return
		}
		p.printers = append([]string{""}, f.names...)
		options := []string{T("print.printer.default", map[string]any{"Name": f.def})}
		if f.def == "" {
			options[0] = T("print.printer.system")
		}
		options = append(options, f.names...)
		p.printerSel.Options = options
		p.printerSel.Enable()
		if i := slices.Index(p.printers, f.saved); i > 0 {
			p.printerSel.SetSelectedIndex(i)
			p.printer = f.saved
		} else {
			p.printerSel.SetSelectedIndex(0)
		}
		p.printerSel.OnChanged = func(string) {
			p.printer = p.printers[p.printerSel.SelectedIndex()]
			chosen := p.printer
			do(u, func(ctx context.Context) error { return u.store.SetSetting(ctx, printerSetting, chosen) }, func(err error) {
				if err != nil {
					u.log.Warn("remember printer", "err", err)
				}
			})
		}
	})
}

// fit grows the modal to what its content now needs (a wrapped message).
func (p *printScreen) fit() { p.modal.pop.Refresh() }

// fixedWidth lays out its objects at this width and the height they need.
type fixedWidth float32

func (w fixedWidth) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var h float32
	for _, o := range objs {
		h = max(h, o.MinSize().Height)
	}
	return fyne.NewSize(float32(w), h)
}

func (w fixedWidth) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objs {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(size)
	}
}

func (p *printScreen) showInfo() {
	def, u := p.job.def, p.u
	var lines []string
	if p.about != "" {
		lines = append(lines, p.about)
	}
	lines = append(lines, T("print.number", map[string]any{"Number": def.Number}))
	if v, err := def.Choose(u.now().In(u.location()), p.version); err == nil {
		lines = append(lines, T("print.version", map[string]any{"Version": v.Label, "Effective": v.Effective.Format(time.DateOnly)}))
	}
	switch {
	case p.serial != "":
		lines = append(lines, T("print.serial", map[string]any{"Serial": p.serial}))
	case p.pdf != nil:
		lines = append(lines, T("print.blank"))
	}
	p.info.SetText(strings.Join(lines, "\n"))
}

func (p *printScreen) enable(on bool) {
	for _, b := range []*widget.Button{p.preview, p.save, p.print} {
		setEnabled(b, on)
	}
}

// busy runs work with the buttons off, then done on the UI goroutine.
func (p *printScreen) busy(work func(ctx context.Context) (string, error), done func(path string, err error)) {
	p.enable(false)
	p.status.SetText("")
	load(p.u, work, func(path string, err error) {
		p.enable(true)
		done(path, err)
		p.fit()
	})
}

// fileName names a saved form by its number and the record's serial.
func (p *printScreen) fileName() string {
	serial := p.serial
	if serial == "" {
		serial = "blank"
	}
	return p.job.def.Number + "_" + serial + ".pdf"
}

func (p *printScreen) onPreview() {
	pdf, name := p.pdf, p.fileName()
	var opened string
	p.busy(func(context.Context) (string, error) {
		path, err := writeTemp(name, pdf)
		if err != nil {
			return "", err
		}
		opened = path
		return path, forms.Open(path)
	}, func(path string, err error) {
		switch {
		case err != nil && opened != "":
			p.u.log.Warn("open preview", "err", err)
			p.status.SetError(T("print.err.preview", map[string]any{"Path": opened}))
		case err != nil:
			p.status.SetError(T("print.err.save", map[string]any{"Err": err.Error()}))
		default:
			p.status.SetSuccess(T("print.opened"))
		}
	})
}

func (p *printScreen) onSave() {
	pdf, dir, name := p.pdf, p.dir, p.fileName()
	p.busy(func(context.Context) (string, error) {
		return savePDF(dir, name, pdf)
	}, func(path string, err error) {
		if err != nil {
			p.status.SetError(T("print.err.save", map[string]any{"Err": err.Error()}))
			return
		}
		p.status.SetSuccess(T("print.saved", map[string]any{"Path": path}))
	})
}

// onPrint sends the form to the printer. When it cannot be printed (no
// printer, or the printer failed) the PDF is saved to the printouts folder
// and the message says where.
func (p *printScreen) onPrint() {
	pdf, dir, name, printer := p.pdf, p.dir, p.fileName(), p.printer
	var printErr error
	p.busy(func(ctx context.Context) (string, error) {
		tmp, err := writeTemp(name, pdf)
		if err == nil {
			err = forms.SendToPrinter(ctx, tmp, printer)
		}
		if err == nil {
			return "", nil
		}
		printErr = err
		p.u.log.Warn("print: saving the PDF instead", "err", err)
		return savePDF(dir, name, pdf)
	}, func(path string, err error) {
		noPrinter := errors.Is(printErr, forms.ErrNoPrinter)
		switch {
		case printErr == nil:
			p.status.SetSuccess(T("print.sent"))
		case err != nil:
			p.u.log.Error("save the PDF", "err", err)
			p.status.SetError(T("print.err.unsaved", map[string]any{"Err": err.Error()}))
		case noPrinter:
			p.status.SetError(T("print.no_printer", map[string]any{"Path": path}))
		default:
			p.status.SetError(T("print.err.print", map[string]any{"Err": printErr.Error(), "Path": path}))
		}
	})
}

// formTitle is the form's title in the current language.
func formTitle(def *forms.Definition) string {
	if Language() == "en" && def.TitleEn != "" {
		return def.TitleEn
	}
	return def.Title
}

var pdfPage = regexp.MustCompile(`/Type\s*/Page[^s]`)

// pageCount counts the pages of a PDF made by gofpdf.
func pageCount(pdf []byte) int { return len(pdfPage.FindAll(pdf, -1)) }

// The jobs.

// recordJob prints the stored record id on def (forms.Print, the path the
// command line prints by too) as the signed-in staff member: the full
// phone only for roles that may see it. about says what it printed.
func (u *UI) recordJob(def *forms.Definition, id string, about func(forms.Printed) string) printJob {
	actor, name, store := u.user.ID, u.user.Name, u.store
	return printJob{def: def, render: func(ctx context.Context, w io.Writer, version string) (printed, error) {
		p, err := forms.Print(ctx, w, store, def, id, forms.PrintOptions{ActorID: actor, PrintedBy: name, Now: u.now(), Version: version})
		if err != nil {
			return printed{}, err
		}
		return printed{serial: p.Serial, about: about(p)}, nil
	}}
}

// printVisit prints the visitor registration form of a visit.
func (u *UI) printVisit(visitID string) {
	u.showPrint(u.recordJob(forms.VisitorRegistration, visitID, func(p forms.Printed) string {
		return T("print.about.visit", map[string]any{"Name": visitorName(p.Visit.Name, p.Visit.Title), "Time": u.dateTime(p.Visit.ArrivedAt)})
	}), nil)
}

// printDayLog prints the daily visitor log of the office-local day.
func (u *UI) printDayLog(day string) {
	u.showPrint(u.recordJob(forms.DailyLog, day, func(forms.Printed) string {
		return T("print.about.day", map[string]any{"Day": day})
	}), nil)
}

// blankJob prints def empty, to fill in by hand.
func (u *UI) blankJob(def *forms.Definition) printJob {
	m := forms.Meta{Office: u.office.Name, PrintedAt: u.now(), PrintedBy: u.user.Name, Loc: u.location()}
	return printJob{def: def, render: func(_ context.Context, w io.Writer, version string) (printed, error) {
		m := m
		m.Version = version
		return printed{}, forms.Blank(w, def, m)
	}}
}

// showBlankForms lists the forms with Print and Save PDF for a blank copy.
func (u *UI) showBlankForms() {
	hint := widget.NewLabel(T("print.blank_hint"))
	hint.Wrapping = fyne.TextWrapWord
	rows := []fyne.CanvasObject{hint}
	var list *modal
	for _, def := range forms.All() {
		version := ""
		if v, err := def.Choose(u.now().In(u.location()), ""); err == nil {
			version = v.Label
		}
		name := widget.NewLabel(formTitle(def))
		name.Truncation = fyne.TextTruncateEllipsis
		number := widget.NewLabel(def.Number + "  " + version)
		open := func(then func(p *printScreen)) func() {
			return func() {
				list.Hide()
				u.showPrint(u.blankJob(def), then)
			}
		}
		buttons := container.NewHBox(
			&widget.Button{Text: T("print.print"), OnTapped: open((*printScreen).onPrint)},
			&widget.Button{Text: T("print.save"), OnTapped: open((*printScreen).onSave)})
		rows = append(rows, container.NewBorder(nil, nil, nil, container.NewHBox(number, buttons), name))
	}
	content := container.NewVBox(rows...)
	list = u.showModal(T("menu.blank_forms"), container.NewGridWrap(fyne.NewSize(660, content.MinSize().Height+10), content), T("dialog.close"))
	u.setPrinting(list)
}

// setPrinting remembers the open print modal or forms list for Escape.
func (u *UI) setPrinting(m *modal) {
	u.printing = m
	m.onClosed = func() {
		if u.printing == m {
			u.printing = nil
		}
	}
}

// closePrinting closes the open print modal or forms list, if any.
func (u *UI) closePrinting() bool {
	if u.printing == nil {
		return false
	}
	u.printing.Hide()
	return true
}

// Files.

// printFolder is where saved PDFs go: Options.PrintDir, else the user's
// Documents/Anchang folder when there is a Documents folder, else the
// data directory's printouts folder.
func (u *UI) printFolder() string {
	if u.printDir != "" {
		return u.printDir
	}
	if docs := documentsDir(); docs != "" {
		return filepath.Join(docs, "Anchang")
	}
	return filepath.Join(filepath.Dir(u.store.Path()), "printouts")
}

// documentsDir is the user's existing documents folder, or "": on Linux
// the XDG one (文档 on a Chinese desktop), elsewhere ~/Documents.
func documentsDir() string {
	home, err := os.UserHomeDir()
	if err != nil {
		return ""
	}
	dir := filepath.Join(home, "Documents")
	if runtime.GOOS == "linux" {
		if d := xdgDocuments(home); d != "" {
			dir = d
		}
	}
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return ""
	}
	return dir
}

// xdgDocuments reads XDG_DOCUMENTS_DIR from user-dirs.dirs; "" when unset
// or when it is the home folder itself (XDG's way of saying none).
func xdgDocuments(home string) string {
	cfg := os.Getenv("XDG_CONFIG_HOME")
	if cfg == "" {
		cfg = filepath.Join(home, ".config")
	}
	f, err := os.Open(filepath.Join(cfg, "user-dirs.dirs"))
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		v, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "XDG_DOCUMENTS_DIR=")
		if !ok {
			continue
		}
		v = strings.ReplaceAll(strings.Trim(v, `"`), "$HOME", home)
		if filepath.Clean(v) == filepath.Clean(home) {
			return ""
		}
		return v
	}
	return ""
}

// savePDF writes pdf as dir/name (replacing an earlier copy of the same
// record) through a temporary file, so a failure never leaves half a file.
func savePDF(dir, name string, pdf []byte) (string, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	path := filepath.Join(dir, name)
	// CreateTemp makes it the owner's only (0600), and so it stays: saved
	// forms and exports hold names and phones (docs/data.md).
	tmp, err := os.CreateTemp(dir, ".anchang-*.pdf")
	if err != nil {
		return "", err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(pdf); err != nil {
		tmp.Close()
		return "", err
	}
	if err := tmp.Close(); err != nil {
		return "", err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return "", err
	}
	return path, nil
}

// previewKeep is how long previews and print spool copies stay in the
// temporary folder: the viewer (or Windows' print verb) reads them after
// the app hands them over.
const previewKeep = 24 * time.Hour

// writeTemp writes pdf to the temporary folder's anchang-forms folder
// (or the temporary folder itself when that cannot be used, say another
// user's) for the viewer or the printer, removing copies older than
// previewKeep.
func writeTemp(name string, pdf []byte) (string, error) {
	dir := filepath.Join(os.TempDir(), "anchang-forms")
	if old, err := os.ReadDir(dir); err == nil {
		for _, e := range old {
			if info, err := e.Info(); err == nil && time.Since(info.ModTime()) > previewKeep {
				os.Remove(filepath.Join(dir, e.Name()))
			}
		}
	}
	pattern := strings.TrimSuffix(name, ".pdf") + "-*.pdf"
	os.MkdirAll(dir, 0o700)
	f, err := os.CreateTemp(dir, pattern)
	if err != nil {
		f, err = os.CreateTemp("", pattern)
	}
	if err != nil {
		return "", err
	}
	if _, err := f.Write(pdf); err != nil {
		f.Close()
		return "", err
	}
	if err := f.Close(); err != nil {
		return "", fmt.Errorf("write %s: %w", f.Name(), err)
	}
	return f.Name(), nil
}

package app

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"anchang/data"
	"anchang/data/sheet"
)

// faqFiles exports the manual to a CSV or Excel file and imports one. Files
// are named by a path typed in a box (Fyne's file dialog would load another
// copy of the CJK font), which starts in the folder saved forms go to. An
// import is checked whole first: with any bad row nothing is applied and
// every problem is listed by line and column; otherwise it is applied whole.
// Reading and writing files happen off the UI goroutine.
// faqFilesStore is what the manual's import and export need from the
// store; *data.Store satisfies it.
type faqFilesStore interface {
	ExportFAQ(ctx context.Context) ([][]string, error)
	ImportFAQ(ctx context.Context, actorID string, t data.Table) (data.FAQImportResult, error)
}

var _ faqFilesStore = (*data.Store)(nil)

type faqFiles struct {
	u          *UI
	store      faqFilesStore
	onImported func()
	folder     string // the default folder, once found

	format     *widget.Select
	exportPath *widget.Entry
	exportBtn  *widget.Button
	exportMsg  *statusLine
	importPath *widget.Entry
	importBtn  *widget.Button
	importMsg  *statusLine
	errList    *widget.List
	rowErrs    data.FAQImportErrors
	exportF    []*field
	importF    []*field
}

// faqFormats are the export formats offered, by extension.
var faqFormats = []string{".xlsx", ".csv"}

func newFAQFiles(u *UI, onImported func()) *faqFiles {
	return &faqFiles{u: u, store: u.store, onImported: onImported}
}

func (f *faqFiles) buildUI() fyne.CanvasObject {
	f.format = widget.NewSelect([]string{T("faq.io.format.xlsx"), T("faq.io.format.csv")}, func(string) { f.onFormat() })
	f.exportPath = &widget.Entry{}
	f.exportBtn = &widget.Button{Text: T("faq.io.export"), Icon: theme.DownloadIcon(), Importance: widget.HighImportance, OnTapped: f.onExport}
	f.exportMsg = newStatusLine()
	f.importPath = &widget.Entry{}
	f.importPath.OnSubmitted = func(string) { f.onImport() }
	f.importBtn = &widget.Button{Text: T("faq.io.import"), Icon: theme.UploadIcon(), Importance: widget.HighImportance, OnTapped: f.onImport}
	f.importMsg = newStatusLine()
	f.errList = widget.NewList(func() int { return len(f.rowErrs) }, func() fyne.CanvasObject {
		return &widget.Label{Truncation: fyne.TextTruncateEllipsis, Importance: widget.DangerImportance}
	}, func(i widget.ListItemID, o fyne.CanvasObject) {
		o.(*widget.Label).SetText(rowErrorText(f.rowErrs[i]))
	})
	f.errList.OnSelected = func(i widget.ListItemID) {
		// A long reason is cut in the row: the message line shows it whole.
		if i < len(f.rowErrs) {
			f.importMsg.SetError(rowErrorText(f.rowErrs[i]))
		}
	}
	f.errList.Hide()
	f.exportF = []*field{
		newField("format", "faq.io.format", f.format),
		newField("export_path", "faq.io.path", f.exportPath),
	}
	f.importF = []*field{newField("import_path", "faq.io.path", f.importPath)}
	export := section(T("faq.io.export.title"), T("faq.io.export.sub"), container.NewVBox(
		formGrid(f.exportF...), container.NewHBox(layout.NewSpacer(), f.exportBtn), f.exportMsg))
	imp := section(T("faq.io.import.title"), T("faq.io.import.sub"), container.NewBorder(
		container.NewVBox(formGrid(f.importF...), container.NewHBox(layout.NewSpacer(), f.importBtn), f.importMsg),
		nil, nil, nil, f.errList))
	f.format.SetSelectedIndex(0)
	return container.NewPadded(container.NewBorder(container.NewVBox(export, widget.NewSeparator()), nil, nil, nil, imp))
}

// reload finds the default folder (reading the disk, so not on the UI
// goroutine) and proposes a file name in it.
func (f *faqFiles) reload() {
	if f.exportPath == nil || f.folder != "" {
		return
	}
	u := f.u
	load(u, func(context.Context) (string, error) { return u.printFolder(), nil }, func(dir string, _ error) {
		f.folder = dir
		if f.exportPath.Text == "" {
			f.exportPath.SetText(filepath.Join(dir, f.defaultName()))
		}
		f.importPath.SetPlaceHolder(filepath.Join(dir, T("faq.io.file_name")+".xlsx"))
	})
}

// defaultName is today's export file name in the chosen format.
func (f *faqFiles) defaultName() string {
	return T("faq.io.file_name") + "-" + f.u.now().In(f.u.location()).Format("20060102") + f.ext()
}

func (f *faqFiles) ext() string {
	if i := f.format.SelectedIndex(); i >= 0 && i < len(faqFormats) {
		return faqFormats[i]
	}
	return faqFormats[0]
}

// onFormat changes the export file's extension to the chosen format.
func (f *faqFiles) onFormat() {
	if f.exportPath == nil {
		return
	}
	p := strings.TrimSpace(f.exportPath.Text)
	if p == "" {
		return
	}
	if slices.Contains(faqFormats, strings.ToLower(filepath.Ext(p))) {
		p = strings.TrimSuffix(p, filepath.Ext(p))
	}
	f.exportPath.SetText(p + f.ext())
}

// resolve makes a typed path absolute, in the default folder when it is a
// bare name; "~" is the home folder.
func (f *faqFiles) resolve(p string) string { return resolvePath(p, f.folder) }

// resolvePath makes a typed path absolute, in folder when it is a bare
// name; "~" is the home folder; "" stays "".
func resolvePath(p, folder string) string {
	p = strings.TrimSpace(p)
	if p == "" {
		return ""
	}
	if rest, ok := strings.CutPrefix(p, "~"); ok {
		if home, err := os.UserHomeDir(); err == nil {
			p = filepath.Join(home, rest)
		}
	}
	if !filepath.IsAbs(p) && folder != "" {
		p = filepath.Join(folder, p)
	}
	return filepath.Clean(p)
}

type exported struct {
	count int
	path  string
}

func (f *faqFiles) onExport() {
	u := f.u
	path := f.resolve(f.exportPath.Text)
	showFieldErrors(f.exportF, nil, nil)
	if path == "" {
		f.exportF[1].setError(T("err.field.required"))
		return
	}
	f.exportBtn.Disable()
	f.exportMsg.SetText("")
	load(u, func(ctx context.Context) (exported, error) {
		table, err := f.store.ExportFAQ(ctx)
		if err != nil {
			return exported{}, err
		}
		var buf bytes.Buffer
		if err := sheet.WriteFAQ(&buf, path, table); err != nil {
			return exported{}, err
		}
		n := len(table) - 1
		saved, err := savePDF(filepath.Dir(path), filepath.Base(path), buf.Bytes())
		if err != nil {
			return exported{}, &fileError{key: "faq.io.cannot_write", path: path, err: err}
		}
		return exported{n, saved}, nil
	}, func(r exported, err error) {
		f.exportBtn.Enable()
		if err != nil {
			f.exportMsg.SetError(f.fileErrText(err))
			return
		}
		f.exportMsg.SetSuccess(T("faq.io.exported", map[string]any{"Count": r.count, "Path": r.path}))
	})
}

func (f *faqFiles) onImport() {
	u := f.u
	path := f.resolve(f.importPath.Text)
	showFieldErrors(f.importF, nil, nil)
	f.setRowErrors(nil)
	if path == "" {
		f.importF[0].setError(T("err.field.required"))
		return
	}
	f.importBtn.Disable()
	f.importMsg.SetText("")
	actor := u.user.ID
	load(u, func(ctx context.Context) (data.FAQImportResult, error) {
		file, err := openImportFile(path)
		if err != nil {
			return data.FAQImportResult{}, err
		}
		defer file.Close()
		t, err := sheet.Read(path, file)
		if err != nil {
			return data.FAQImportResult{}, err
		}
		return f.store.ImportFAQ(ctx, actor, t)
	}, func(res data.FAQImportResult, err error) {
		f.importBtn.Enable()
		if err != nil {
			var rows data.FAQImportErrors
			if errors.As(err, &rows) {
				f.setRowErrors(rows)
			}
			f.importMsg.SetError(f.fileErrText(err))
			return
		}
		f.importMsg.SetSuccess(T("faq.io.imported", map[string]any{"Created": res.Created, "Updated": res.Updated, "Unchanged": res.Unchanged}))
		if f.onImported != nil {
			f.onImported()
		}
	})
}

func (f *faqFiles) setRowErrors(rows data.FAQImportErrors) {
	f.rowErrs = rows
	if len(rows) == 0 {
		f.errList.Hide()
	} else {
		f.errList.Show()
	}
	f.errList.Refresh()
}

// fileError is a file that could not be read or written.
type fileError struct {
	key, path string
	err       error
}

func (e *fileError) Error() string { return e.key + ": " + e.err.Error() }

// openImportFile opens a file to import; a failure is a *fileError that
// says whether it is missing or unreadable.
func openImportFile(path string) (*os.File, error) {
	f, err := os.Open(path)
	if err != nil {
		key := "faq.io.cannot_read"
		if errors.Is(err, os.ErrNotExist) {
			key = "faq.io.not_found"
		}
		return nil, &fileError{key: key, path: path, err: err}
	}
	return f, nil
}
func (e *fileError) Unwrap() error { return e.err }

func (f *faqFiles) fileErrText(err error) string {
	var fe *fileError
	if errors.As(err, &fe) {
		f.u.log.Warn("faq file", "err", err)
		return T(fe.key, map[string]any{"Path": fe.path})
	}
	return f.u.faqErrText(err)
}

// rowErrorText says where a problem of a manual import file is and what it
// is.
func rowErrorText(e data.FAQRowError) string { return importRowText(e, columnName) }

// importRowText says where a problem of an import file is and what it is,
// naming the column with column.
func importRowText(e data.FAQRowError, column func(string) string) string {
	reason := T(e.Key, faqArgs(e.Key, e.Args))
	switch {
	case e.Line == 0:
		return reason
	case e.Column == "":
		return T("faq.io.row", map[string]any{"Line": e.Line, "Reason": reason})
	}
	return T("faq.io.row_column", map[string]any{"Line": e.Line, "Column": column(e.Column), "Reason": reason})
}

// columnName is a column's header in the current language, with its code.
func columnName(col string) string {
	if slices.Contains(data.FAQColumns, col) {
		return withCode(T("faq.io.col."+col), col)
	}
	return col
}

// withCode is a column's header with the code a file may name it by:
// 分类（category）, or the header alone where it is the code (English).
func withCode(name, code string) string {
	if strings.EqualFold(name, code) {
		return name
	}
	return T("import.col_with_code", map[string]any{"Name": name, "Code": code})
}

// faqArgs turns status codes in a message's arguments into words.
func faqArgs(key string, args map[string]any) map[string]any {
	if key != "err.faq.transition" {
		return args
	}
	out := map[string]any{}
	for k, v := range args {
		if s, ok := v.(string); ok && (k == "From" || k == "To") {
			v = faqStatusText(data.FAQStatus(s))
		}
		out[k] = v
	}
	return out
}

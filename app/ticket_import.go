package app

import (
	"context"
	"errors"
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"anchang/data"
	"anchang/data/sheet"
)

// Carrying a paper complaint ledger over (data.ImportTickets): a
// supervisor or admin names a CSV or Excel file of the matters still open;
// it is checked whole, and either every ticket is opened or nothing is and
// each bad cell is listed by line and column. The file is read off the UI
// goroutine; its path is typed (Fyne's file dialog would load another copy
// of the CJK font), starting in the folder saved forms go to.

type ticketImportStore interface {
	ImportTickets(ctx context.Context, actorID string, t data.Table) (int, error)
}

var _ ticketImportStore = (*data.Store)(nil)

// canCarryOver mirrors the data layer: who answers for the ledger.
func canCarryOver(r data.Role) bool { return r == data.RoleSupervisor || r == data.RoleAdmin }

type ticketImport struct {
	u       *UI
	store   ticketImportStore
	folder  string
	path    *widget.Entry
	pathF   *field
	button  *widget.Button
	status  *statusLine
	errList *widget.List
	rowErrs data.FAQImportErrors
	body    *fyne.Container // laid out again when the error list shows
	done    func(n int)
}

// showTicketImport opens the import as a modal; done runs after tickets
// were opened.
func (u *UI) showTicketImport(done func(n int)) *ticketImport {
	ti := &ticketImport{u: u, store: u.store, done: done, status: newStatusLine()}
	ti.path = &widget.Entry{PlaceHolder: T("ticket.import.path_hint")}
	ti.path.OnSubmitted = func(string) { ti.onImport() }
	ti.pathF = newField("path", "ticket.import.path", ti.path)
	ti.button = &widget.Button{Text: T("ticket.import.run"), Icon: theme.UploadIcon(), Importance: widget.HighImportance, OnTapped: ti.onImport}
	ti.errList = widget.NewList(func() int { return len(ti.rowErrs) },
		func() fyne.CanvasObject {
			return &widget.Label{Truncation: fyne.TextTruncateEllipsis, Importance: widget.DangerImportance}
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			o.(*widget.Label).SetText(importRowText(ti.rowErrs[i], ticketColumnName))
		})
	ti.errList.Hide()
	hint := &widget.Label{Text: T("ticket.import.hint"), Wrapping: fyne.TextWrapWord}
	top := container.NewVBox(hint, formGrid(ti.pathF), container.NewHBox(layout.NewSpacer(), ti.button), ti.status)
	ti.body = container.NewBorder(top, nil, nil, nil, ti.errList)
	u.showModal(T("ticket.import.title"), container.NewGridWrap(fyne.NewSize(720, 520), ti.body), T("dialog.close"))
	load(u, func(context.Context) (string, error) { return u.printFolder(), nil }, func(dir string, _ error) {
		ti.folder = dir
		ti.status.SetText(T("ticket.import.folder", map[string]any{"Path": dir}))
	})
	return ti
}

func (ti *ticketImport) onImport() {
	u := ti.u
	path := resolvePath(ti.path.Text, ti.folder)
	showFieldErrors([]*field{ti.pathF}, nil, nil)
	ti.setRowErrors(nil)
	if path == "" {
		ti.pathF.setError(T("err.field.required"))
		return
	}
	ti.button.Disable()
	ti.status.SetText(T("ticket.import.running"))
	actor := u.user.ID
	load(u, func(ctx context.Context) (int, error) {
		f, err := openImportFile(path)
		if err != nil {
			return 0, err
		}
		defer f.Close()
		t, err := sheet.Read(path, f)
		if err != nil {
			return 0, err
		}
		return ti.store.ImportTickets(ctx, actor, t)
	}, func(n int, err error) {
		ti.button.Enable()
		if err != nil {
			var rows data.FAQImportErrors
			if errors.As(err, &rows) {
				ti.setRowErrors(rows)
			}
			var fe *fileError
			if errors.As(err, &fe) {
				u.log.Warn("ticket import", "err", err)
				ti.status.SetError(T(fe.key, map[string]any{"Path": fe.path}))
				return
			}
			ti.status.SetError(u.errText(err))
			return
		}
		ti.status.SetSuccess(T("ticket.import.done", map[string]any{"Count": n}))
		if ti.done != nil {
			ti.done(n)
		}
	})
}

func (ti *ticketImport) setRowErrors(rows data.FAQImportErrors) {
	ti.rowErrs = rows
	if len(rows) == 0 {
		ti.errList.Hide()
	} else {
		ti.errList.Show()
	}
	ti.body.Refresh()
}

// ticketColumnName is an import column's header in the current language,
// with its code.
func ticketColumnName(col string) string {
	if slices.Contains(data.TicketImportColumns, col) {
		return withCode(T("ticket.import.col."+col), col)
	}
	if col == "occurred_at" {
		return withCode(T("ticket.import.col.opened_at"), col)
	}
	return col
}

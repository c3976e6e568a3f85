package app

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"anchang/data"
)

// templateStore is the checklist template's versions: HQ owns it; on a
// device the admin exports the current version, edits it and imports it
// as the next version.
type templateStore interface {
	InspectionTemplateVersions(ctx context.Context, code string) ([]data.TemplateVersion, error)
	ImportInspectionTemplate(ctx context.Context, actorID string, file []byte) (data.InspectionTemplate, error)
}

// templatesButton is the admin's way to the checklist template, or nil.
func (s *inspectionScreen) templatesButton() fyne.CanvasObject {
	if s.u.user.Role != data.RoleAdmin {
		return nil
	}
	return &widget.Button{Text: T("insp.templates"), OnTapped: s.showTemplates}
}

func (s *inspectionScreen) showTemplates() {
	u := s.u
	ts := s.store
	versions := container.NewVBox()
	status := newStatusLine()
	path := &widget.Entry{PlaceHolder: T("insp.templates.path.hint")}
	if dir := documentsDir(); dir != "" {
		path.SetText(filepath.Join(dir, "handover-checklist.json"))
	}
	reload := func() {
		load(u, func(ctx context.Context) ([]data.TemplateVersion, error) {
			return ts.InspectionTemplateVersions(ctx, data.TemplateCodeHandover)
		}, func(vs []data.TemplateVersion, err error) {
			if err != nil {
				status.SetError(u.errText(err))
				return
			}
			versions.Objects = nil
			for i, v := range vs {
				by := T("insp.templates.builtin")
				if v.CreatedBy != "" {
					by = T("insp.templates.imported", map[string]any{"Time": u.dateTime(time.UnixMilli(v.CreatedAt))})
				}
				line := T("insp.templates.version", map[string]any{"Version": v.Version, "Items": v.Items}) + " · " + v.Name + " · " + by
				l := widget.NewLabel(line)
				l.Truncation = fyne.TextTruncateEllipsis
				if i == 0 {
					l.Importance = widget.SuccessImportance
				}
				versions.Add(l)
			}
			versions.Refresh()
		})
	}
	export := &widget.Button{Text: T("insp.templates.export"), OnTapped: func() {
		p := strings.TrimSpace(path.Text)
		status.SetText("")
		load(u, func(ctx context.Context) (string, error) {
			t, err := s.store.CurrentInspectionTemplate(ctx, data.TemplateCodeHandover)
			if err != nil {
				return "", err
			}
			b, err := json.MarshalIndent(t, "", " ")
			if err != nil {
				return "", err
			}
			if err := os.WriteFile(p, append(b, '\n'), 0o644); err != nil {
				return "", fmt.Errorf("write %s: %w", p, err)
			}
			return "v" + strconv.Itoa(t.Version), nil
		}, func(v string, err error) {
			if err != nil {
				if _, ok := data.AsError(err); ok {
					status.SetError(u.errText(err))
				} else {
					status.SetError(T("insp.templates.file_error", map[string]any{"Err": err.Error()}))
				}
				return
			}
			status.SetSuccess(T("insp.templates.exported", map[string]any{"Path": p}))
		})
	}}
	imp := &widget.Button{Text: T("insp.templates.import"), Importance: widget.HighImportance, OnTapped: func() {
		p := strings.TrimSpace(path.Text)
		status.SetText("")
		actor := u.user.ID
		load(u, func(ctx context.Context) (data.InspectionTemplate, error) {
			st, err := os.Stat(p)
			if err != nil {
				return data.InspectionTemplate{}, err
			}
			if st.Size() > data.MaxTemplateBytes {
				return data.InspectionTemplate{}, &data.Error{Code: data.EINVALID, Key: "err.template.too_big", Args: map[string]any{"Max": data.MaxTemplateBytes >> 10}}
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return data.InspectionTemplate{}, err
			}
			return ts.ImportInspectionTemplate(ctx, actor, b)
		}, func(t data.InspectionTemplate, err error) {
			if err != nil {
				if _, ok := data.AsError(err); ok {
					status.SetError(u.errText(err))
				} else {
					status.SetError(T("insp.templates.file_error", map[string]any{"Err": err.Error()}))
				}
				return
			}
			status.SetSuccess(T("insp.templates.done", map[string]any{"Version": t.Version, "Items": t.ItemCount()}))
			reload()
		})
	}}
	hint := caption(T("insp.templates.hint"))
	content := container.NewVBox(hint, versions, widget.NewSeparator(), path, container.NewHBox(export, imp), u.byHQHint(imp), status)
	u.showModal(T("insp.templates"), container.New(fixedWidth(620), content), T("dialog.close"))
	reload()
}

package data

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"
)

// Checklist templates for the handover inspection (交付验房). A template
// belongs to HQ: the default ships in assets/templates/handover.json, and an
// admin imports a revised version. Versions are never edited; an
// inspection keeps the version it was started with.

// TemplateCodeHandover is the code of the handover checklist.
const TemplateCodeHandover = "handover"

// Template size limits.
const (
	MaxTemplateRooms = 40
	MaxTemplateItems = 400
	MaxStandardLen   = 300
	MaxTemplateBytes = 1 << 20
)

// InspectionTemplate is one version of a checklist template.
type InspectionTemplate struct {
	ID        string          `json:"-"`
	Version   int             `json:"-"`
	Code      string          `json:"code"`
	Name      string          `json:"name"`
	NameEn    string          `json:"name_en"`
	Note      string          `json:"note,omitempty"`
	NoteEn    string          `json:"note_en,omitempty"`
	Meters    []TemplateThing `json:"meters"`
	Keys      []TemplateThing `json:"keys"`
	Rooms     []TemplateRoom  `json:"rooms"`
	CreatedBy string          `json:"-"` // "" for the built-in default
}

// TemplateThing is a meter read or a kind of key handed over.
type TemplateThing struct {
	Code   string `json:"code"`
	Name   string `json:"name"`
	NameEn string `json:"name_en"`
	Unit   string `json:"unit,omitempty"` // a meter's unit: m³, kWh
}

// TemplateRoom is a room of the checklist and its items.
type TemplateRoom struct {
	Code   string         `json:"code"`
	Name   string         `json:"name"`
	NameEn string         `json:"name_en"`
	Items  []TemplateItem `json:"items"`
}

// TemplateItem is one thing to check and what good looks like.
type TemplateItem struct {
	Code       string `json:"code"`
	Name       string `json:"name"`
	NameEn     string `json:"name_en"`
	Standard   string `json:"standard"`
	StandardEn string `json:"standard_en"`
}

// CheckItem is a template item in a room, with its key: the room code, a
// dot and the item code ("kitchen.gas"), unique within a template version.
type CheckItem struct {
	Key                  string
	Room, RoomEn         string
	Name, NameEn         string
	Standard, StandardEn string
}

// Items lists the template's items in order.
func (t InspectionTemplate) Items() []CheckItem {
	var out []CheckItem
	for _, r := range t.Rooms {
		for _, it := range r.Items {
			out = append(out, CheckItem{Key: r.Code + "." + it.Code, Room: r.Name, RoomEn: r.NameEn,
				Name: it.Name, NameEn: it.NameEn, Standard: it.Standard, StandardEn: it.StandardEn})
		}
	}
	return out
}

// ItemCount is the number of checklist items.
func (t InspectionTemplate) ItemCount() int {
	n := 0
	for _, r := range t.Rooms {
		n += len(r.Items)
	}
	return n
}

// ParseInspectionTemplate reads and checks a template file: codes short
// and unique, every name and standard present, no control characters,
// within the size limits.
func ParseInspectionTemplate(b []byte) (InspectionTemplate, error) {
	var t InspectionTemplate
	if len(b) > MaxTemplateBytes {
		return t, invalid("template", "err.template.too_big", map[string]any{"Max": MaxTemplateBytes >> 10})
	}
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&t); err != nil {
		return t, &Error{Code: EINVALID, Field: "template", Key: "err.template.json", Args: map[string]any{"Err": err.Error()}, Err: err}
	}
	return t, t.validate()
}

func (t *InspectionTemplate) validate() error {
	bad := func(where string, err *Error) error {
		return &Error{Code: EINVALID, Field: "template", Key: "err.template.field", Args: map[string]any{"Where": where}, Err: err}
	}
	line := func(where, v string, max int) (string, error) {
		v, err := cleanLine("template", v, true, max)
		if err != nil {
			return "", bad(where, err)
		}
		return v, nil
	}
	code := func(where, v string, seen map[string]bool) (string, error) {
		if !validCode(v) {
			return "", &Error{Code: EINVALID, Field: "template", Key: "err.template.code", Args: map[string]any{"Where": where, "Code": v}}
		}
		if seen[v] {
			return "", &Error{Code: EINVALID, Field: "template", Key: "err.template.duplicate", Args: map[string]any{"Where": where, "Code": v}}
		}
		seen[v] = true
		return v, nil
	}
	var err error
	if t.Code, err = code("code", t.Code, map[string]bool{}); err != nil {
		return err
	}
	if t.Name, err = line("name", t.Name, MaxOfficeLen); err != nil {
		return err
	}
	if t.NameEn, err = line("name_en", t.NameEn, 2*MaxOfficeLen); err != nil {
		return err
	}
	for _, n := range []*string{&t.Note, &t.NoteEn} {
		v, e := cleanText("template", *n, MaxNotesLen)
		if e != nil {
			return bad("note", e)
		}
		*n = v
	}
	for kind, things := range map[string][]TemplateThing{"meters": t.Meters, "keys": t.Keys} {
		seen := map[string]bool{}
		if len(things) > 20 {
			return &Error{Code: EINVALID, Field: "template", Key: "err.template.size", Args: map[string]any{"Where": kind}}
		}
		for i := range things {
			th := &things[i]
			where := kind + "." + th.Code
			if th.Code, err = code(where, th.Code, seen); err != nil {
				return err
			}
			if th.Name, err = line(where, th.Name, MaxNameLen); err != nil {
				return err
			}
			if th.NameEn, err = line(where, th.NameEn, 2*MaxNameLen); err != nil {
				return err
			}
			unit, e := cleanLine("template", th.Unit, false, 10)
			if e != nil {
				return bad(where, e)
			}
			th.Unit = unit
		}
	}
	if len(t.Rooms) == 0 || len(t.Rooms) > MaxTemplateRooms {
		return &Error{Code: EINVALID, Field: "template", Key: "err.template.size", Args: map[string]any{"Where": "rooms"}}
	}
	rooms := map[string]bool{}
	total := 0
	for i := range t.Rooms {
		r := &t.Rooms[i]
		if r.Code, err = code("rooms."+r.Code, r.Code, rooms); err != nil {
			return err
		}
		if r.Name, err = line(r.Code, r.Name, MaxNameLen); err != nil {
			return err
		}
		if r.NameEn, err = line(r.Code, r.NameEn, 2*MaxNameLen); err != nil {
			return err
		}
		if len(r.Items) == 0 {
			return &Error{Code: EINVALID, Field: "template", Key: "err.template.size", Args: map[string]any{"Where": r.Code}}
		}
		items := map[string]bool{}
		for j := range r.Items {
			it := &r.Items[j]
			where := r.Code + "." + it.Code
			if it.Code, err = code(where, it.Code, items); err != nil {
				return err
			}
			if it.Name, err = line(where, it.Name, MaxNameLen); err != nil {
				return err
			}
			if it.NameEn, err = line(where, it.NameEn, 2*MaxNameLen); err != nil {
				return err
			}
			if it.Standard, err = line(where, it.Standard, MaxStandardLen); err != nil {
				return err
			}
			if it.StandardEn, err = line(where, it.StandardEn, 2*MaxStandardLen); err != nil {
				return err
			}
			total++
		}
	}
	if total > MaxTemplateItems {
		return &Error{Code: EINVALID, Field: "template", Key: "err.template.size", Args: map[string]any{"Where": "items"}}
	}
	return nil
}

// validCode: 1–32 lowercase ASCII letters, digits, '-' or '_', starting
// with a letter.
func validCode(s string) bool {
	if s == "" || len(s) > 32 || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return utf8.ValidString(s)
}

// canEditTemplates: templates belong to HQ; on a device the admin stands
// in for HQ until sync delivers them.
func canEditTemplates(r Role) bool { return r == RoleAdmin }

// EnsureInspectionTemplate loads the built-in default (assets.HandoverTemplate)
// as version 1 when the device has no version of its template yet. It
// reports whether it loaded it.
func (s *Store) EnsureInspectionTemplate(ctx context.Context, file []byte) (bool, error) {
	t, err := ParseInspectionTemplate(file)
	if err != nil {
		return false, fmt.Errorf("default inspection template: %w", err)
	}
	st, err := s.stamp()
	if err != nil {
		return false, err
	}
	loaded := false
	err = s.tx(ctx, func(tx *txn) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM inspection_templates WHERE code = ?`, t.Code).Scan(&n); err != nil {
			return fmt.Errorf("inspection template: %w", err)
		}
		if n > 0 {
			return nil
		}
		loaded = true
		// The built-in default is the same on every device: the same id,
		// loaded locally, never sent (HQ and every device have it).
		st.id = builtinTemplateID(t.Code, file)
		p, err := templatePayload(st, "", t, 1)
		if err != nil {
			return err
		}
		return p.apply(ctx, tx, applyCtx{})
	})
	return loaded, err
}

// ImportInspectionTemplate stores file as the next version of its
// template. Only an admin may.
func (s *Store) ImportInspectionTemplate(ctx context.Context, actorID string, file []byte) (InspectionTemplate, error) {
	t, err := ParseInspectionTemplate(file)
	if err != nil {
		return InspectionTemplate{}, err
	}
	err = s.actorTx(ctx, actorID, canEditTemplates, func(tx *txn, st stamp) error {
		var v int
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(max(version), 0) FROM inspection_templates WHERE code = ?`, t.Code).Scan(&v); err != nil {
			return fmt.Errorf("inspection template: %w", err)
		}
		next, err := nextRefVersion(ctx, tx, v)
		if err != nil {
			return fmt.Errorf("inspection template: %w", err)
		}
		t.ID, t.Version, t.CreatedBy = st.id, next, actorID
		return insertTemplate(ctx, tx, st, actorID, t, next)
	})
	if err != nil {
		return InspectionTemplate{}, err
	}
	return t, nil
}

func insertTemplate(ctx context.Context, tx *txn, st stamp, by string, t InspectionTemplate, version int) error {
	p, err := templatePayload(st, by, t, version)
	if err != nil {
		return err
	}
	return record(ctx, tx, st.at, p)
}

func templatePayload(st stamp, by string, t InspectionTemplate, version int) (*inspectionTemplatePayload, error) {
	t.ID, t.Version, t.CreatedBy = "", 0, "" // the row says these
	body, err := json.Marshal(t)
	if err != nil {
		return nil, fmt.Errorf("inspection template: %w", err)
	}
	return &inspectionTemplatePayload{recStamp: newRecStamp(st, by), Code: t.Code, Version: version, Name: t.Name, NameEn: t.NameEn,
		Body: body, Items: t.ItemCount()}, nil
}

// builtinTemplateID is the id of a built-in template file as version 1.
func builtinTemplateID(code string, file []byte) string {
	return uuid.NewSHA1(uuid.NameSpaceOID, []byte("anchang/inspection_template/"+code+"/1/"+sha256Hex(file))).String()
}

// CurrentInspectionTemplate is the newest version of the template code.
func (s *Store) CurrentInspectionTemplate(ctx context.Context, code string) (InspectionTemplate, error) {
	return s.findTemplate(ctx, s.db, `SELECT id, version, body, COALESCE(created_by, '') FROM inspection_templates WHERE code = ? ORDER BY version DESC LIMIT 1`, code)
}

// InspectionTemplateByID is one stored template version.
func (s *Store) InspectionTemplateByID(ctx context.Context, id string) (InspectionTemplate, error) {
	return s.findTemplate(ctx, s.db, `SELECT id, version, body, COALESCE(created_by, '') FROM inspection_templates WHERE id = ?`, id)
}

type queryRower interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func (s *Store) findTemplate(ctx context.Context, q queryRower, query string, arg string) (InspectionTemplate, error) {
	var t InspectionTemplate
	var id, body, by string
	var v int
	err := q.QueryRowContext(ctx, query, arg).Scan(&id, &v, &body, &by)
	if isNoRows(err) {
		return t, &Error{Code: ENOTFOUND, Key: "err.template.not_found"}
	}
	if err != nil {
		return t, fmt.Errorf("inspection template: %w", err)
	}
	if err := json.Unmarshal([]byte(body), &t); err != nil {
		return t, fmt.Errorf("inspection template %s: %w", id, err)
	}
	t.ID, t.Version, t.CreatedBy = id, v, by
	return t, nil
}

// TemplateVersion is one stored version, for the list of versions.
type TemplateVersion struct {
	ID, Code, Name string
	Version, Items int
	CreatedBy      string
	CreatedAt      int64
}

// InspectionTemplateVersions lists every version of a template, newest first.
func (s *Store) InspectionTemplateVersions(ctx context.Context, code string) ([]TemplateVersion, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, code, name, version, items, COALESCE(created_by, ''), created_at FROM inspection_templates WHERE code = ? ORDER BY version DESC`, code)
	if err != nil {
		return nil, fmt.Errorf("inspection templates: %w", err)
	}
	defer rows.Close()
	var out []TemplateVersion
	for rows.Next() {
		var v TemplateVersion
		if err := rows.Scan(&v.ID, &v.Code, &v.Name, &v.Version, &v.Items, &v.CreatedBy, &v.CreatedAt); err != nil {
			return nil, fmt.Errorf("inspection templates: %w", err)
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

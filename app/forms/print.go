package forms

import (
	"context"
	"fmt"
	"io"
	"time"

	"anchang/data"
)

// Records is what printing a stored record reads; *data.Store has it.
type Records interface {
	Device() (data.Device, data.Office, error)
	Location() *time.Location
	VisitRecord(ctx context.Context, actorID, visitID string) (data.VisitRecord, error)
	DayLog(ctx context.Context, day string) ([]data.LogRow, error)
}

// PrintOptions say who prints, when, and which version.
type PrintOptions struct {
	ActorID   string    // signed-in staff; "" masks every phone
	PrintedBy string    // their name, printed in the footer
	Now       time.Time // zero = time.Now()
	Version   string    // "" = the newest version in effect
}

// RecordHelp says what a form's record id is, for --id.
func (d *Definition) RecordHelp() string {
	switch d {
	case VisitorRegistration:
		return "a visit's id"
	case DailyLog:
		return "a day, YYYY-MM-DD"
	case HandoverInspection:
		return "an inspection's id"
	case ServiceRecord, RevisitRecord:
		return "a ticket's id or number"
	}
	return "none stored yet (--demo, --blank)"
}

// Blank renders def with no record, to fill in by hand: the visitor
// registration form when the desk computer is down, the inspection
// checklist with its standard items and no results.
func Blank(w io.Writer, def *Definition, m Meta) error {
	m.Serial, m.RecordID = "", ""
	switch def {
	case VisitorRegistration:
		return RenderVisitorRegistration(w, m, data.VisitRecord{})
	case DailyLog:
		return RenderDailyLog(w, m, DayLogData{Blank: 22})
	case ServiceRecord:
		return RenderServiceLog(w, m, ServiceLog{Blank: 12})
	case RevisitRecord:
		return RenderRevisit(w, m, Revisit{})
	case HandoverInspection:
		return RenderInspection(w, m, Inspection{Items: InspectionTemplate(), BlankDefects: 12})
	}
	return fmt.Errorf("print %s: no blank form", def.Name)
}

// Demo renders a form whose records are not stored yet with sample
// content (DemoServiceLog, DemoRevisit, DemoInspection).
func Demo(w io.Writer, def *Definition, m Meta) error {
	switch def {
	case ServiceRecord:
		return RenderServiceLog(w, m, DemoServiceLog(m.PrintedAt.In(m.Loc)))
	case RevisitRecord:
		return RenderRevisit(w, m, DemoRevisit(m.PrintedAt.In(m.Loc)))
	case HandoverInspection:
		return RenderInspection(w, m, DemoInspection(m.PrintedAt.In(m.Loc)))
	}
	return fmt.Errorf("print %s: its demo comes from demo records", def.Name)
}

// Print renders the form def for the stored record id: a visit's id for
// the visitor registration form, a day (YYYY-MM-DD) for the daily log.
func Print(ctx context.Context, w io.Writer, recs Records, def *Definition, id string, opt PrintOptions) error {
	_, office, err := recs.Device()
	if err != nil {
		return fmt.Errorf("print %s: %w", def.Name, err)
	}
	if opt.Now.IsZero() {
		opt.Now = time.Now()
	}
	loc := recs.Location()
	m := Meta{Office: office.Name, PrintedAt: opt.Now.In(loc), PrintedBy: opt.PrintedBy, Version: opt.Version, Loc: loc}
	switch def {
	case VisitorRegistration:
		r, err := recs.VisitRecord(ctx, opt.ActorID, id)
		if err != nil {
			return fmt.Errorf("print %s %s: %w", def.Name, id, err)
		}
		m.Serial, m.RecordID = Serial(office.Code, r.Day, r.Ordinal), r.ID
		return RenderVisitorRegistration(w, m, r)
	case DailyLog:
		if _, err := time.Parse(time.DateOnly, id); err != nil {
			return fmt.Errorf("print %s: the record of a daily log is a day, YYYY-MM-DD, not %q", def.Name, id)
		}
		rows, err := recs.DayLog(ctx, id)
		if err != nil {
			return fmt.Errorf("print %s %s: %w", def.Name, id, err)
		}
		m.Serial, m.RecordID = Serial(office.Code, id, 0), office.Code+"/daylog/"+id
		return RenderDailyLog(w, m, DayLogData{Day: id, Rows: rows})
	case HandoverInspection:
		return printInspection(ctx, w, recs, office, m, id, opt)
	}
	return fmt.Errorf("print %s: this form has no stored records yet; print it with --demo", def.Name)
}

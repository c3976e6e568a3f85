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
	InspectionDetail(ctx context.Context, actorID, id string) (data.InspectionState, error)
	UnitHistoryOf(ctx context.Context, actorID, id string) (data.UnitHistory, error)
	TicketRecord(ctx context.Context, actorID, id string) (data.TicketRecord, error)
	TicketRevisitRecord(ctx context.Context, actorID, id string) (data.TicketRecord, error)
}

// Printed says which record a form printed: its serial and QR record id,
// and the record itself (the field of the form's kind), for the desk to
// say what it printed.
type Printed struct {
	Serial, RecordID string
	Visit            data.VisitRecord     // VisitorRegistration
	Inspection       data.InspectionState // HandoverInspection
	Ticket           data.TicketRecord    // ServiceRecord, RevisitRecord
	// Revisit is the revisit the revisit record prints (RevisitRecord).
	Revisit *data.TicketEvent
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
// the visitor registration form, a day (YYYY-MM-DD) for the daily log, an
// inspection's id for the handover checklist, a ticket's id or number for
// the reception/complaint and revisit records. The desk and the command
// line both print through it, so a form reads the same from either.
func Print(ctx context.Context, w io.Writer, recs Records, def *Definition, id string, opt PrintOptions) (Printed, error) {
	_, office, err := recs.Device()
	if err != nil {
		return Printed{}, fmt.Errorf("print %s: %w", def.Name, err)
	}
	if opt.Now.IsZero() {
		opt.Now = time.Now()
	}
	loc := recs.Location()
	m := Meta{Office: office.Name, PrintedAt: opt.Now.In(loc), PrintedBy: opt.PrintedBy, Version: opt.Version, Loc: loc}
	var p Printed
	switch def {
	case VisitorRegistration:
		r, err := recs.VisitRecord(ctx, opt.ActorID, id)
		if err != nil {
			return Printed{}, fmt.Errorf("print %s %s: %w", def.Name, id, err)
		}
		p = Printed{Serial: Serial(office.Code, r.Day, r.Ordinal), RecordID: r.ID, Visit: r}
		return p, RenderVisitorRegistration(w, m.with(p), r)
	case DailyLog:
		if _, err := time.Parse(time.DateOnly, id); err != nil {
			return Printed{}, fmt.Errorf("print %s: the record of a daily log is a day, YYYY-MM-DD, not %q", def.Name, id)
		}
		rows, err := recs.DayLog(ctx, id)
		if err != nil {
			return Printed{}, fmt.Errorf("print %s %s: %w", def.Name, id, err)
		}
		p = Printed{Serial: Serial(office.Code, id, 0), RecordID: office.Code + "/daylog/" + id}
		return p, RenderDailyLog(w, m.with(p), DayLogData{Day: id, Rows: rows})
	case HandoverInspection:
		st, err := recs.InspectionDetail(ctx, opt.ActorID, id)
		if err != nil {
			return Printed{}, fmt.Errorf("print %s %s: %w", def.Name, id, err)
		}
		h, err := recs.UnitHistoryOf(ctx, opt.ActorID, id)
		if err != nil {
			return Printed{}, fmt.Errorf("print %s %s: %w", def.Name, id, err)
		}
		p = Printed{Serial: Serial(office.Code, st.Date, st.Ordinal), RecordID: st.ID, Inspection: st}
		return p, RenderInspection(w, m.with(p), InspectionOf(st, h, loc))
	case ServiceRecord:
		r, err := recs.TicketRecord(ctx, opt.ActorID, id)
		if err != nil {
			return Printed{}, fmt.Errorf("print %s %s: %w", def.Name, id, err)
		}
		p = Printed{Serial: r.Number, RecordID: r.ID, Ticket: r}
		l := ServiceLog{Period: r.OpenedAt.In(loc).Format(time.DateOnly), Entries: []ServiceEntry{ServiceEntryOf(r, loc)}}
		return p, RenderServiceLog(w, m.with(p), l)
	case RevisitRecord:
		r, err := recs.TicketRevisitRecord(ctx, opt.ActorID, id)
		if err != nil {
			return Printed{}, fmt.Errorf("print %s %s: %w", def.Name, id, err)
		}
		rv := r.LatestRevisit()
		p = Printed{Serial: RevisitSerial(r), RecordID: rv.ID, Ticket: r, Revisit: rv}
		return p, RenderRevisit(w, m.with(p), RevisitOf(r))
	}
	return Printed{}, fmt.Errorf("print %s: this form has no stored records yet; print it with --demo", def.Name)
}

// with is m carrying the printed record's serial and id.
func (m Meta) with(p Printed) Meta {
	m.Serial, m.RecordID = p.Serial, p.RecordID
	return m
}

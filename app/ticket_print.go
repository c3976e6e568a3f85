package app

import (
	"context"
	"io"
	"strings"

	"anchang/app/forms"
	"anchang/data"
)

// Printing a ticket: the stored ticket on the reception/complaint record
// (AC-KF-02-F01), and its latest revisit on the revisit record
// (AC-KF-02-F02), read with data.TicketRecord. The records' contents are
// in Chinese, as the paper forms are; the phone as the printing staff
// member may see it.

// ticketPrintStore is what printing a ticket reads.
type ticketPrintStore interface {
	TicketRecord(ctx context.Context, actorID, id string) (data.TicketRecord, error)
	TicketRevisitRecord(ctx context.Context, actorID, id string) (data.TicketRecord, error)
}

func printedPhone(p string) string {
	if strings.HasPrefix(p, "+") {
		return data.FormatPhone(p)
	}
	return p
}

// ticketMeta is the printed form's header and footer for a ticket.
func (u *UI) ticketMeta(serial, recordID, printedBy, version string) forms.Meta {
	loc := u.location()
	return forms.Meta{Office: u.office.Name, Serial: serial, RecordID: recordID, PrintedAt: u.now().In(loc), PrintedBy: printedBy, Version: version, Loc: loc}
}

// printTicket prints a ticket on the reception/complaint record.
func (u *UI) printTicket(id string) *printScreen {
	actor, name := u.user.ID, u.user.Name
	return u.showPrint(printJob{def: forms.ServiceRecord, render: func(ctx context.Context, w io.Writer, version string) (printed, error) {
		r, err := u.store.TicketRecord(ctx, actor, id)
		if err != nil {
			return printed{}, err
		}
		loc := u.location()
		entry := forms.ServiceEntry{At: r.OpenedAt, Place: r.Place(), Owner: strings.TrimSpace(r.CustomerName + " " + r.Unit),
			Contact: printedPhone(r.Phone), Kind: r.KindZH(), Subject: r.Subject, Account: r.Description, Demand: r.Demand, Handling: r.HandlingZH(loc)}
		l := forms.ServiceLog{Period: r.OpenedAt.In(loc).Format("2006-01-02"), Entries: []forms.ServiceEntry{entry}}
		if err := forms.RenderServiceLog(w, u.ticketMeta(r.Number, r.ID, name, version), l); err != nil {
			return printed{}, err
		}
		return printed{serial: r.Number, about: T("print.about.ticket", map[string]any{"Number": r.Number, "Kind": T("ticket.kind." + r.Kind)})}, nil
	}}, nil)
}

// printTicketRevisit prints a ticket's latest revisit on the revisit record.
func (u *UI) printTicketRevisit(id string) *printScreen {
	actor, name := u.user.ID, u.user.Name
	return u.showPrint(printJob{def: forms.RevisitRecord, render: func(ctx context.Context, w io.Writer, version string) (printed, error) {
		r, err := u.store.TicketRevisitRecord(ctx, actor, id)
		if err != nil {
			return printed{}, err
		}
		rv := r.LatestRevisit()
		serial := r.Number + "-R" + itoa(rv.Seq)
		rec := forms.Revisit{Owner: r.CustomerName, Unit: r.Place(), Contact: printedPhone(r.Phone), Kind: r.RevisitKindZH(),
			Ticket: r.Number, Method: data.RevisitMethodZH(rv.Revisit.Method), At: rv.At, By: rv.ByName, Quality: rv.Revisit.Quality,
			Effect: rv.Revisit.Effect, Satisfaction: rv.Satisfaction, Shortcomings: rv.Revisit.Shortcomings,
			Suggestions: strings.TrimSpace(rv.Revisit.Suggestions + " " + rv.Note), Result: r.RevisitResultZH()}
		if err := forms.RenderRevisit(w, u.ticketMeta(serial, rv.ID, name, version), rec); err != nil {
			return printed{}, err
		}
		return printed{serial: serial, about: T("print.about.revisit", map[string]any{"Number": r.Number, "Time": u.dateTime(rv.At)})}, nil
	}}, nil)
}

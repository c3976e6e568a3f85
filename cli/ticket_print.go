package cli

import (
	"context"
	"fmt"
	"io"
	"strings"

	"anchang/app/forms"
	"anchang/data"
)

// printTicketForm renders the reception/complaint record (service-record)
// or the revisit record (revisit-record) of a stored ticket, id being the
// ticket's id or number. handled is false for other forms. Phones print
// masked from the command line.
func printTicketForm(ctx context.Context, w io.Writer, s *data.Store, def *forms.Definition, id string, opt forms.PrintOptions) (handled bool, err error) {
	if def != forms.ServiceRecord && def != forms.RevisitRecord {
		return false, nil
	}
	_, office, err := s.Device()
	if err != nil {
		return true, fmt.Errorf("print %s: %w", def.Name, err)
	}
	loc := s.Location()
	get := s.TicketRecord
	if def == forms.RevisitRecord {
		get = s.TicketRevisitRecord
	}
	r, err := get(ctx, opt.ActorID, id)
	if err != nil {
		return true, fmt.Errorf("print %s %s: %w", def.Name, id, err)
	}
	m := forms.Meta{Office: office.Name, Serial: r.Number, RecordID: r.ID, PrintedAt: opt.Now.In(loc), PrintedBy: opt.PrintedBy, Version: opt.Version, Loc: loc}
	contact := r.Phone
	if contact != "" && strings.HasPrefix(contact, "+") {
		contact = data.FormatPhone(contact)
	}
	owner := strings.TrimSpace(r.CustomerName + " " + r.Unit)
	if def == forms.ServiceRecord {
		day := r.OpenedAt.In(loc).Format("2006-01-02")
		l := forms.ServiceLog{Period: day, Entries: []forms.ServiceEntry{{At: r.OpenedAt, Place: r.Place(), Owner: owner, Contact: contact,
			Kind: r.KindZH(), Subject: r.Subject, Account: r.Description, Demand: r.Demand, Handling: r.HandlingZH(loc)}}}
		return true, forms.RenderServiceLog(w, m, l)
	}
	rv := r.LatestRevisit()
	return true, forms.RenderRevisit(w, m, forms.Revisit{Owner: r.CustomerName, Unit: r.Place(), Contact: contact, Kind: r.RevisitKindZH(),
		Ticket: r.Number, Method: data.RevisitMethodZH(rv.Revisit.Method), At: rv.At, By: rv.ByName, Quality: rv.Revisit.Quality,
		Effect: rv.Revisit.Effect, Satisfaction: rv.Satisfaction, Shortcomings: rv.Revisit.Shortcomings, Suggestions: rv.Revisit.Suggestions,
		Result: r.RevisitResultZH()})
}

package app

import (
	"anchang/app/forms"
)

// Printing a ticket: the stored ticket on the reception/complaint record
// (AC-KF-02-F01), and its latest revisit on the revisit record
// (AC-KF-02-F02), through forms.Print as the command line prints them.
// The records' contents are in Chinese, as the paper forms are; the phone
// as the printing staff member may see it.

// printTicket prints a ticket on the reception/complaint record.
func (u *UI) printTicket(id string) *printScreen {
	return u.showPrint(u.recordJob(forms.ServiceRecord, id, func(p forms.Printed) string {
		return T("print.about.ticket", map[string]any{"Number": p.Ticket.Number, "Kind": T("ticket.kind." + p.Ticket.Kind)})
	}), nil)
}

// printTicketRevisit prints a ticket's latest revisit on the revisit record.
func (u *UI) printTicketRevisit(id string) *printScreen {
	return u.showPrint(u.recordJob(forms.RevisitRecord, id, func(p forms.Printed) string {
		return T("print.about.revisit", map[string]any{"Number": p.Ticket.Number, "Time": u.dateTime(p.Revisit.At)})
	}), nil)
}

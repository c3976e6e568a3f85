package data

import (
	"context"
	"fmt"
	"strings"
)

// Defects become repair tickets (报修): one ticket per defect, opened by
// the staff member who asks, linked back to the inspection item that
// recorded it (inspection_defect_tickets). Asking again opens none twice:
// a defect carried into a re-inspection keeps the ticket it already has.

// DefectTicket is a defect of an inspection and its repair ticket, if any.
type DefectTicket struct {
	DefectID     string // the inspection_results row that recorded the defect
	Item         CheckItem
	Description  string
	TicketID     string // "" while none is open
	TicketNumber string
}

// DefectTickets lists the defects of a completed inspection that are
// still open at its end (its own defects; for a re-inspection, the
// carried ones judged not fixed) with their tickets.
func (s *Store) DefectTickets(ctx context.Context, actorID, inspectionID string) ([]DefectTicket, error) {
	st, err := s.InspectionDetail(ctx, actorID, inspectionID)
	if err != nil {
		return nil, err
	}
	var out []DefectTicket
	for _, it := range st.Template.Items() {
		if r, ok := st.Results[it.Key]; ok && r.Result == ResultDefect && st.Kind == InspectionHandover {
			out = append(out, DefectTicket{DefectID: r.ID, Item: it, Description: defectLine(r.Description, r.Location)})
		}
	}
	for _, c := range st.Carried {
		if c.Outcome == OutcomeNotFixed {
			d := c.Description
			if c.Note != "" {
				d += "；复验 " + st.Date + "：" + c.Note
			}
			out = append(out, DefectTicket{DefectID: c.DefectID, Item: c.Item, Description: defectLine(d, c.Location)})
		}
	}
	for i := range out {
		err := s.db.QueryRowContext(ctx, `SELECT t.id, t.number FROM inspection_defect_tickets l JOIN tickets t ON t.id = l.ticket_id WHERE l.defect_id = ?`,
			out[i].DefectID).Scan(&out[i].TicketID, &out[i].TicketNumber)
		if err != nil && !isNoRows(err) {
			return nil, fmt.Errorf("defect tickets: %w", err)
		}
	}
	return out, nil
}

func defectLine(desc, loc string) string {
	if loc != "" {
		return desc + "（位置：" + loc + "）"
	}
	return desc
}

// OpenDefectTickets opens a repair ticket for every open defect of a
// completed inspection that has none yet, each with its link in the same
// transaction, and returns the defects with their tickets. The owner
// (first named) and the inspection's phone are the ticket's contact.
func (s *Store) OpenDefectTickets(ctx context.Context, actorID, inspectionID string) ([]DefectTicket, error) {
	st, err := s.InspectionDetail(ctx, actorID, inspectionID)
	if err != nil {
		return nil, err
	}
	if st.Status != InspectionCompleted {
		return nil, &Error{Code: ECONFLICT, Key: "err.inspection.not_completed"}
	}
	defects, err := s.DefectTickets(ctx, actorID, inspectionID)
	if err != nil {
		return nil, err
	}
	_, office, err := s.ids()
	if err != nil {
		return nil, err
	}
	owner := ""
	if len(st.Owners) > 0 {
		owner = st.Owners[0]
	}
	for _, d := range defects {
		if d.TicketID != "" {
			continue
		}
		room := localOr(d.Item.Room, d.Item.Key)
		in := TicketInput{Kind: TicketRepair, Category: CatEngineering, Severity: SeverityGeneral,
			Project: st.Project, Building: st.Building, Unit: st.Unit, Subject: "",
			Description: truncRunes("交付验房 "+st.Date+" · "+room+" "+d.Item.Name+"："+d.Description, MaxTicketTextLen-1),
			Demand:      "整改后通知业主复验", CustomerName: owner, Phone: st.Phone, Department: "工程部"}
		if err := in.validate(s.now()); err != nil {
			return nil, err
		}
		pol, err := s.SLAPolicy(ctx)
		if err != nil {
			return nil, err
		}
		cal, err := s.Calendar(ctx)
		if err != nil {
			return nil, err
		}
		dl, err := pol.Deadlines(cal, in.Kind, in.Severity, in.Urgent, in.OpenedAt)
		if err != nil {
			return nil, err
		}
		defectID := d.DefectID
		err = s.actorTx(ctx, actorID, canInspect, func(tx *txn, stp stamp) error {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM inspection_defect_tickets WHERE defect_id = ?`, defectID).Scan(&n); err != nil {
				return fmt.Errorf("defect ticket: %w", err)
			}
			if n > 0 {
				return nil // opened meanwhile
			}
			t, err := openTicketTx(ctx, tx, stp, office.Code, actorID, in, dl, s.Location())
			if err != nil {
				return err
			}
			rs := newRecStamp(stp, actorID)
			rs.ID = newID()
			return record(ctx, tx, stp.at, &inspectionTicketPayload{recStamp: rs, InspectionID: inspectionID, DefectID: defectID, TicketID: t.ID})
		})
		if err != nil {
			return nil, err
		}
	}
	return s.DefectTickets(ctx, actorID, inspectionID)
}

// MutInspectionTicket links a defect to the repair ticket opened for it.
const MutInspectionTicket = "inspection.ticket"

func localOr(s, alt string) string {
	if strings.TrimSpace(s) == "" {
		return alt
	}
	return s
}

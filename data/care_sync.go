package data

import (
	"context"
	"fmt"
)

// The care revisit mutations: a revisit scheduled (by a signing check-in,
// a completed handover, or the desk) and its result. Both are born once.
// Should two devices each record a result for one revisit offline, both
// are kept and the first in sync order is the revisit's result.

type careRevisitPayload struct {
	recStamp
	Kind         string `json:"kind"`
	SourceID     string `json:"source_id"` // the visit (signing) or inspection (move-in); "" for special
	CustomerName string `json:"customer_name"`
	Phone        string `json:"phone"`
	Place        string `json:"place"`
	Note         string `json:"note"`
	DueFrom      int64  `json:"due_from"`
	DueTo        int64  `json:"due_to"`
}

type careResultPayload struct {
	recStamp
	RevisitID    string `json:"revisit_id"`
	At           int64  `json:"at"`
	Method       string `json:"method"`
	Satisfaction int    `json:"satisfaction"`
	Quality      string `json:"quality"`
	Effect       string `json:"effect"`
	Shortcomings string `json:"shortcomings"`
	Suggestions  string `json:"suggestions"`
	Note         string `json:"note"`
	TicketID     string `json:"ticket_id"` // the complaint an unsatisfactory result opened
}

func init() {
	registerMutation[careRevisitPayload](MutationSpec{Name: MutCareRevisitSchedule, Version: 1, Entity: "care_revisit", Owner: OwnerOffice, Rank: rankFollowUp})
	registerMutation[careResultPayload](MutationSpec{Name: MutCareRevisitResult, Version: 1, Entity: "care_revisit_result", Owner: OwnerOffice, Rank: rankFollowUp + 1})
}

func (p *careRevisitPayload) spec() *MutationSpec { return specOf(MutCareRevisitSchedule, 1) }
func (p *careResultPayload) spec() *MutationSpec  { return specOf(MutCareRevisitResult, 1) }

func (p *careRevisitPayload) refs() []Ref {
	switch {
	case p.SourceID == "":
		return nil
	case p.Kind == CareSigning:
		return []Ref{{Entity: "visit", ID: p.SourceID}}
	}
	return []Ref{{Entity: "inspection", ID: p.SourceID}}
}

func (p *careResultPayload) refs() []Ref {
	r := []Ref{{Entity: "care_revisit", ID: p.RevisitID}}
	if p.TicketID != "" {
		r = append(r, Ref{Entity: "ticket", ID: p.TicketID})
	}
	return r
}

func (p *careRevisitPayload) validate() error {
	if err := p.check(); err != nil {
		return err
	}
	if err := checkChoice("kind", p.Kind, CareKinds...); err != nil {
		return err
	}
	if err := checkUUID("source_id", p.SourceID, p.Kind != CareSpecial); err != nil {
		return err
	}
	if p.CustomerName == "" || p.Phone == "" || len(p.Phone) > 20 {
		return invalid("customer_name", "err.field.required", nil)
	}
	for _, f := range []struct {
		name, v string
		max     int
	}{{"customer_name", p.CustomerName, MaxOwners * (MaxNameLen + 4)}, {"place", p.Place, MaxCarePlaceLen}, {"note", p.Note, MaxCareTextLen}} {
		if err := textTooLong(f.name, f.v, f.max); err != nil {
			return err
		}
	}
	if p.DueFrom <= 0 || p.DueTo < p.DueFrom {
		return invalid("to", "err.care.window", nil)
	}
	return nil
}

func (p *careResultPayload) validate() error {
	if err := p.check(); err != nil {
		return err
	}
	if err := checkIDs("revisit_id", p.RevisitID); err != nil {
		return err
	}
	if err := checkUUID("ticket_id", p.TicketID, false); err != nil {
		return err
	}
	if err := checkChoice("method", p.Method, RevisitMethods...); err != nil {
		return err
	}
	if p.Satisfaction < 1 || p.Satisfaction > 5 {
		return invalid("satisfaction", "err.ticket.satisfaction", nil)
	}
	if p.At <= 0 {
		return invalid("at", "err.field.required", nil)
	}
	for _, f := range [][2]string{{"quality", p.Quality}, {"effect", p.Effect}, {"shortcomings", p.Shortcomings}, {"suggestions", p.Suggestions}, {"note", p.Note}} {
		if err := textTooLong(f[0], f[1], MaxCareTextLen); err != nil {
			return err
		}
	}
	return nil
}

func (p *careRevisitPayload) apply(ctx context.Context, tx *txn, ac applyCtx) error {
	// One revisit of a kind per source. Two devices completing one
	// handover offline make the same id (careRevisitID): the schedule
	// first in sync order is the revisit's, on every device. A second
	// revisit of a kind for a source under another id (scheduled before
	// ids were made from the source) is dropped.
	if _, err := tx.ExecContext(ctx, `INSERT INTO care_revisits (id, office_id, device_id, created_at, created_by, kind, source_id, customer_name, phone,
		place, note, due_from, due_to, sync_ord) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET office_id = excluded.office_id, device_id = excluded.device_id, created_at = excluded.created_at,
			created_by = excluded.created_by, customer_name = excluded.customer_name, phone = excluded.phone, place = excluded.place,
			note = excluded.note, due_from = excluded.due_from, due_to = excluded.due_to, sync_ord = excluded.sync_ord
			WHERE excluded.sync_ord < sync_ord
		ON CONFLICT DO NOTHING`,
		p.ID, p.OfficeID, p.DeviceID, p.CreatedAt, p.by(), p.Kind, nullStr(p.SourceID), p.CustomerName, p.Phone, p.Place, p.Note, p.DueFrom, p.DueTo, ac.ord); err != nil {
		return fmt.Errorf("schedule care revisit: %w", err)
	}
	return nil
}

func (p *careResultPayload) apply(ctx context.Context, tx *txn, ac applyCtx) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO care_revisit_results (id, office_id, device_id, created_at, created_by, revisit_id, at, method,
		satisfaction, quality, effect, shortcomings, suggestions, note, ticket_id, sync_ord) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`+keepEarliestOrd,
		p.ID, p.OfficeID, p.DeviceID, p.CreatedAt, p.CreatedBy, p.RevisitID, p.At, p.Method, p.Satisfaction, p.Quality, p.Effect,
		p.Shortcomings, p.Suggestions, p.Note, nullStr(p.TicketID), ac.ord); err != nil {
		return fmt.Errorf("record care revisit: %w", err)
	}
	return nil
}

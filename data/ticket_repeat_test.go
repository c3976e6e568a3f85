package data

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

// TestRepeats: small ticket histories built by hand, each with the
// repeats a person reading the definition (Repeats) would mark.
func TestRepeats(t *testing.T) {
	// tk is one ticket of a history: its name is its number; unit "" means
	// none given; answered "" means never answered.
	type tk struct {
		name, kind, cat, phone, unit, insp, item, opened, answered string
	}
	const u1, u2 = "星河湾/3栋/1502", "星河湾/5栋/201"
	const a, b, c = "+8613900000001", "+8613900000002", "+8613900000003"
	cases := []struct {
		name    string
		tickets []tk
		want    string // "later→earlier" pairs, space-separated
	}{
		{"same customer, same category, after the answer", []tk{
			{"T1", TicketComplaint, CatEngineering, a, u1, "", "", "2026-11-02 10:00", "2026-11-02 15:00"},
			{"T2", TicketComplaint, CatEngineering, a, u1, "", "", "2026-11-20 10:00", ""},
		}, "T2→T1"},
		{"same customer calling again before any answer: chasing, not a repeat", []tk{
			{"T1", TicketComplaint, CatEngineering, a, u1, "", "", "2026-11-02 10:00", "2026-11-04 10:00"},
			{"T2", TicketComplaint, CatEngineering, a, u1, "", "", "2026-11-03 10:00", ""},
		}, ""},
		{"same customer, another category", []tk{
			{"T1", TicketComplaint, CatEngineering, a, u1, "", "", "2026-11-02 10:00", "2026-11-02 15:00"},
			{"T2", TicketComplaint, CatSales, a, u1, "", "", "2026-11-20 10:00", ""},
		}, ""},
		{"same customer without a unit: the phone is enough; a repair repeats a complaint", []tk{
			{"T1", TicketComplaint, CatEngineering, a, "", "", "", "2026-11-02 10:00", "2026-11-02 15:00"},
			{"T2", TicketRepair, CatEngineering, a, "", "", "", "2026-11-20 10:00", ""},
		}, "T2→T1"},
		{"one inspection's defects (door, wall, drain) are one occasion, even when one is opened after another was answered", []tk{
			{"D1", TicketRepair, CatEngineering, a, u1, "I1", "entry.door", "2026-11-02 10:00", "2026-11-02 12:00"},
			{"D2", TicketRepair, CatEngineering, a, u1, "I1", "living.wall", "2026-11-02 10:00", "2026-11-02 12:00"},
			{"D3", TicketRepair, CatEngineering, a, u1, "I1", "kitchen.drain", "2026-11-03 10:00", ""},
		}, ""},
		{"one inspection's two tickets for one item are one occasion too", []tk{
			{"D1", TicketRepair, CatEngineering, a, u1, "I1", "kitchen.drain", "2026-11-02 10:00", "2026-11-02 12:00"},
			{"D2", TicketRepair, CatEngineering, a, u1, "I1", "kitchen.drain", "2026-11-05 10:00", ""},
		}, ""},
		{"same customer, two inspections, different checklist items", []tk{
			{"D1", TicketRepair, CatEngineering, a, u1, "I1", "entry.door", "2026-11-02 10:00", "2026-11-03 12:00"},
			{"D2", TicketRepair, CatEngineering, a, u1, "I2", "living.wall", "2026-11-20 10:00", ""},
		}, ""},
		{"same customer, two inspections, the same item again", []tk{
			{"D1", TicketRepair, CatEngineering, a, u1, "I1", "kitchen.drain", "2026-11-02 10:00", "2026-11-03 12:00"},
			{"D2", TicketRepair, CatEngineering, a, u1, "I2", "kitchen.drain", "2026-11-20 10:00", ""},
		}, "D2→D1"},
		{"different customers of one unit, different defects", []tk{
			{"T1", TicketComplaint, CatEngineering, a, u1, "", "", "2026-11-02 10:00", "2026-11-02 15:00"},
			{"T2", TicketComplaint, CatEngineering, b, u1, "", "", "2026-11-20 10:00", ""},
			{"D3", TicketRepair, CatEngineering, c, u1, "I1", "entry.door", "2026-11-21 10:00", "2026-11-21 15:00"},
			{"D4", TicketRepair, CatEngineering, b, u1, "I2", "living.wall", "2026-11-25 10:00", ""},
		}, ""},
		{"same unit, same defect, another customer (the other owner)", []tk{
			{"D1", TicketRepair, CatEngineering, a, u1, "I1", "kitchen.drain", "2026-11-02 10:00", "2026-11-03 12:00"},
			{"D2", TicketRepair, CatEngineering, b, u1, "I2", "kitchen.drain", "2026-11-20 10:00", ""},
		}, "D2→D1"},
		{"same defect item in another unit", []tk{
			{"D1", TicketRepair, CatEngineering, a, u1, "I1", "kitchen.drain", "2026-11-02 10:00", "2026-11-03 12:00"},
			{"D2", TicketRepair, CatEngineering, b, u2, "I2", "kitchen.drain", "2026-11-20 10:00", ""},
		}, ""},
		{"outside the window (90 days and a minute)", []tk{
			{"T1", TicketComplaint, CatEngineering, a, u1, "", "", "2026-08-01 10:00", "2026-08-01 15:00"},
			{"T2", TicketComplaint, CatEngineering, a, u1, "", "", "2026-10-30 10:01", ""},
		}, ""},
		{"inside the window (90 days to the minute)", []tk{
			{"T1", TicketComplaint, CatEngineering, a, u1, "", "", "2026-08-01 10:00", "2026-08-01 15:00"},
			{"T2", TicketComplaint, CatEngineering, a, u1, "", "", "2026-10-30 10:00", ""},
		}, "T2→T1"},
		{"inquiries and suggestions are never repeats", []tk{
			{"Q1", TicketInquiry, CatService, a, u1, "", "", "2026-11-02 10:00", "2026-11-02 11:00"},
			{"Q2", TicketInquiry, CatService, a, u1, "", "", "2026-11-20 10:00", ""},
		}, ""},
		{"the latest answered one is named; an unanswered one in between is skipped", []tk{
			{"T1", TicketComplaint, CatEngineering, a, u1, "", "", "2026-11-02 10:00", "2026-11-02 15:00"},
			{"T2", TicketComplaint, CatEngineering, a, u1, "", "", "2026-11-10 10:00", "2026-11-10 15:00"},
			{"T3", TicketComplaint, CatEngineering, a, u1, "", "", "2026-11-12 10:00", ""},
			{"T4", TicketComplaint, CatEngineering, a, u1, "", "", "2026-11-13 10:00", ""},
		}, "T2→T1 T3→T2 T4→T2"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var all []LedgerTicket
			for _, h := range c.tickets {
				lt := LedgerTicket{Inspection: h.insp, Item: h.item}
				lt.Number, lt.Kind, lt.Category, lt.Phone, lt.OpenedAt = h.name, h.kind, h.cat, h.phone, at(h.opened)
				if h.unit != "" {
					p := strings.Split(h.unit, "/")
					lt.Project, lt.Building, lt.Unit = p[0], p[1], p[2]
				}
				if h.answered != "" {
					lt.Responded = at(h.answered)
				}
				all = append(all, lt)
			}
			var got []string
			for i, e := range Repeats(all, DefaultServicePolicy().RepeatWindow()) {
				if e >= 0 {
					got = append(got, all[i].Number+"→"+all[e].Number)
				}
			}
			if strings.Join(got, " ") != c.want {
				t.Errorf("repeats %q, want %q", strings.Join(got, " "), c.want)
			}
			// The ledger counts the same: its rate is repeats among complaints and repairs.
			l := buildLedger(LedgerFilter{}, all, at("2026-12-01 10:00"), shanghai, DefaultServicePolicy())
			problems := 0
			for _, h := range c.tickets {
				if isProblem(h.kind) {
					problems++
				}
			}
			if l.Repeat.Num != len(got) || l.Repeat.Den != problems {
				t.Errorf("ledger repeat %d/%d, want %d/%d", l.Repeat.Num, l.Repeat.Den, len(got), problems)
			}
		})
	}
}

// TestRepeatAnsweredBy: resolving or closing (an invalid complaint,
// explained and closed) answers a ticket as a reply does.
func TestRepeatAnsweredBy(t *testing.T) {
	for _, c := range []struct {
		name string
		set  func(*Ticket)
		want bool
	}{
		{"replied", func(t *Ticket) { t.Responded = at("2026-11-02 12:00") }, true},
		{"resolved without a reply", func(t *Ticket) { t.Resolved = at("2026-11-02 12:00") }, true},
		{"closed (invalid)", func(t *Ticket) { t.Closed = at("2026-11-02 12:00") }, true},
		{"only acknowledged", func(t *Ticket) { t.Acknowledged = at("2026-11-02 12:00") }, false},
		{"replied after the second was opened", func(t *Ticket) { t.Responded = at("2026-11-10 12:00") }, false},
	} {
		var e, l LedgerTicket
		e.Number, e.Kind, e.Category, e.Phone, e.OpenedAt = "E", TicketComplaint, CatEngineering, "+8613900000001", at("2026-11-02 10:00")
		l.Number, l.Kind, l.Category, l.Phone, l.OpenedAt = "L", TicketComplaint, CatEngineering, "+8613900000001", at("2026-11-10 10:00")
		c.set(&e.Ticket)
		if got := Repeats([]LedgerTicket{e, l}, DefaultServicePolicy().RepeatWindow())[1] == 0; got != c.want {
			t.Errorf("%s: repeat %v, want %v", c.name, got, c.want)
		}
	}
}

// TestRepeatsFromInspections runs the definition through the store: one
// handover's three defects become three repair tickets, answered, and
// none is a repeat of another; another owner's later handover of the same
// unit finds the drain blocked again (a repeat) and the balcony door
// (not); a desk complaint from a third person of the unit is no repeat.
func TestRepeatsFromInspections(t *testing.T) {
	ctx := context.Background()
	s, _, recep, clk := inspectionStore(t)
	clk.t = at("2026-11-02 10:00")
	first := mustStart(t, s, recep.ID, handoverInput("1202"))
	answerAll(t, s, recep.ID, mustDetail(t, s, recep.ID, first.ID),
		map[string]string{"entry.lock": "门锁卡滞", "living.wall": "东墙空鼓", "kitchen.drain": "水槽下水慢"})
	mustOK(t, s.CompleteInspection(ctx, recep.ID, first.ID, CompleteInput{PaperSign: true}))
	dts, err := s.OpenDefectTickets(ctx, recep.ID, first.ID)
	mustOK(t, err)
	if len(dts) != 3 {
		t.Fatalf("%d defect tickets", len(dts))
	}
	clk.t = at("2026-11-03 10:00")
	for _, d := range dts {
		mustEvent(t, s, recep.ID, d.TicketID, TicketEvent{Kind: EvResponded, Note: "已安排维修"})
	}
	clk.t = at("2026-11-04 10:00")
	mustEvent(t, s, recep.ID, dts[0].TicketID, TicketEvent{Kind: EvResolved})

	clk.t = at("2026-11-20 10:00")
	in := handoverInput("1202")
	in.Owners, in.Phone = []string{"张伟"}, "139 8765 4321"
	second := mustStart(t, s, recep.ID, in)
	st2 := mustDetail(t, s, recep.ID, second.ID)
	for _, c := range st2.Carried { // the first handover's defects, fixed meanwhile
		mustOK(t, s.RecordFollowUp(ctx, recep.ID, second.ID, c.DefectID, OutcomeFixed, ""))
	}
	answerAll(t, s, recep.ID, st2, map[string]string{"kitchen.drain": "下水又堵", "balcony.door": "推拉门滑轨脱落"})
	mustOK(t, s.CompleteInspection(ctx, recep.ID, second.ID, CompleteInput{PaperSign: true}))
	dts2, err := s.OpenDefectTickets(ctx, recep.ID, second.ID)
	mustOK(t, err)
	clk.t = at("2026-11-21 10:00")
	desk := complaint(3)
	desk.Project, desk.Building, desk.Unit = in.Project, in.Building, in.Unit
	mustOpen(t, s, recep.ID, desk)

	clk.t = at("2026-11-22 10:00")
	l, err := s.TicketLedger(ctx, LedgerFilter{From: at("2026-11-01 00:00"), To: at("2026-11-22 00:00")})
	mustOK(t, err)
	number := map[string]string{}
	for _, d := range append(dts, dts2...) {
		number[d.TicketID] = d.Item.Key
	}
	var got []string
	for _, r := range l.Rows {
		if r.Repeat {
			got = append(got, fmt.Sprintf("%s→%s", number[r.ID], r.RepeatOf))
		}
	}
	drain1 := ""
	for _, d := range dts {
		if d.Item.Key == "kitchen.drain" {
			drain1 = d.TicketNumber
		}
	}
	if len(l.Rows) != 6 || fmt.Sprint(got) != fmt.Sprint([]string{"kitchen.drain→" + drain1}) || l.Repeat.Num != 1 || l.Repeat.Den != 6 {
		t.Fatalf("%d rows, repeats %v (%d/%d), want only the second drain, of %s", len(l.Rows), got, l.Repeat.Num, l.Repeat.Den, drain1)
	}
	// A period that leaves the first handover out still names it.
	l, err = s.TicketLedger(ctx, LedgerFilter{From: at("2026-11-15 00:00"), To: at("2026-11-22 00:00")})
	mustOK(t, err)
	if len(l.Rows) != 3 || l.Repeat.Num != 1 || l.Repeat.Den != 3 {
		t.Fatalf("later period: %d rows, repeat %d/%d", len(l.Rows), l.Repeat.Num, l.Repeat.Den)
	}
}

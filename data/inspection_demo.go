package data

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"math"
	"strings"
	"time"

	"anchang/assets"
)

// demoInspections adds handover inspections to the demo office, through the
// same calls the desk makes: a unit handed over a week ago with three
// defects, signed on screen, whose defects became repair tickets; its
// re-inspection today with one defect fixed so far; and another unit's
// inspection in progress. It returns how many inspections it started and
// how many repair tickets their defects opened.
func (g *demoGen) inspections(ctx context.Context, now time.Time) (n, tickets int, err error) {
	s := g.s
	if _, err := s.EnsureInspectionTemplate(ctx, assets.HandoverTemplate); err != nil {
		return 0, 0, err
	}
	staff, err := s.ListStaff(ctx, false)
	if err != nil {
		return 0, tickets, err
	}
	me := g.by
	for _, st := range staff {
		if st.Role == RoleReceptionist {
			me = st.ID
			break
		}
	}
	weekAgo := now.AddDate(0, 0, -7).Format(time.DateOnly)
	// A unit may have one open inspection: a demo loaded twice skips the
	// units it already has.
	a, err := s.StartInspection(ctx, me, InspectionInput{Kind: InspectionHandover, Project: "星河湾二期", Building: "3号楼", Unit: "2单元1202",
		Owners: []string{"王秀英", "张伟"}, Phone: "13812345678", Date: weekAgo})
	if err != nil {
		if e, ok := AsError(err); ok && e.Key == "err.inspection.unit_open" {
			return 0, 0, nil
		}
		return 0, tickets, err
	}
	tpl, err := s.CurrentInspectionTemplate(ctx, TemplateCodeHandover)
	if err != nil {
		return 0, tickets, err
	}
	defects := map[string][2]string{
		"entry.open":    {"关门时下沿摩擦门槛石，有异响", "门扇下沿"},
		"living.wall":   {"东墙空鼓约 0.3 ㎡，敲击有空响", "东墙距地 1.2 m"},
		"kitchen.drain": {"水槽下水缓慢，约 2 分钟才排尽", ""},
	}
	for _, it := range tpl.Items() {
		in := ResultInput{Item: it.Key, Result: ResultPass}
		if d, ok := defects[it.Key]; ok {
			in = ResultInput{Item: it.Key, Result: ResultDefect, Description: d[0], Location: d[1]}
		}
		if strings.HasPrefix(it.Key, "study.") {
			in.Result = ResultNA
		}
		if _, err := s.RecordResult(ctx, me, a.ID, in); err != nil {
			return 0, tickets, err
		}
	}
	for kind, vals := range map[string]map[string]string{
		ValueMeter: {"water": "0003.25", "power": "0012.6", "gas": "0000.8"},
		ValueKey:   {"door": "3", "mailbox": "2", "access": "2"},
	} {
		for code, v := range vals {
			if err := s.SetInspectionValue(ctx, me, a.ID, kind, code, v); err != nil {
				return 0, tickets, err
			}
		}
	}
	if err := s.CompleteInspection(ctx, me, a.ID, CompleteInput{OwnerSignature: demoSignature(0), StaffSignature: demoSignature(2)}); err != nil {
		return 0, tickets, err
	}
	dt, err := s.OpenDefectTickets(ctx, me, a.ID)
	if err != nil {
		return 0, 0, err
	}
	tickets = len(dt)

	b, err := s.StartInspection(ctx, me, InspectionInput{Kind: InspectionHandover, Project: "星河湾二期", Building: "5号楼", Unit: "1单元0801",
		Owners: []string{"李娜"}, Phone: "13922312231"})
	if err != nil {
		return 1, tickets, err
	}
	for i, it := range tpl.Items()[:20] {
		in := ResultInput{Item: it.Key, Result: ResultPass}
		switch i {
		case 3:
			in = ResultInput{Item: it.Key, Result: ResultDefect, Description: "密封条右上角脱落约 15 cm", Location: "门框右上"}
		case 4:
			in.Result = ResultNA
		}
		if _, err := s.RecordResult(ctx, me, b.ID, in); err != nil {
			return 1, tickets, err
		}
	}

	c, err := s.StartInspection(ctx, me, InspectionInput{Kind: InspectionReinspection, Project: "星河湾二期", Building: "3号楼", Unit: "2单元1202",
		Owners: []string{"王秀英"}, Phone: "13812345678"})
	if err != nil {
		return 2, tickets, err
	}
	cs, err := s.InspectionDetail(ctx, me, c.ID)
	if err != nil {
		return 2, tickets, err
	}
	if len(cs.Carried) > 0 {
		if err := s.RecordFollowUp(ctx, me, c.ID, cs.Carried[0].DefectID, OutcomeFixed, ""); err != nil {
			return 2, tickets, err
		}
	}
	return 3, tickets, nil
}

// demoSignature draws a scrawl as the signature pad would store it.
func demoSignature(seed float64) []byte {
	img := image.NewGray(image.Rect(0, 0, 680, 260))
	for i := range img.Pix {
		img.Pix[i] = 255
	}
	for t := 0.0; t < 1; t += 0.0004 {
		x := 60 + 560*t
		y := 130 + 50*math.Sin(t*18+seed)*math.Cos(t*5)
		for dx := -2; dx <= 2; dx++ {
			for dy := -2; dy <= 2; dy++ {
				img.SetGray(int(x)+dx, int(y)+dy, color.Gray{})
			}
		}
	}
	var b bytes.Buffer
	png.Encode(&b, img)
	return b.Bytes()
}

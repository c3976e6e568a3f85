// Command seedinspections adds handover inspections to a demo data
// directory for the screenshots (docs/inspection-screenshots.sh): a
// completed one with three defects and drawn signatures, one in progress,
// and a re-inspection of the first unit. Usage: seedinspections DATA_DIR
package main

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"strings"
	"time"

	"anchang/assets"
	"anchang/data"
)

// signature draws a scrawl as the signature pad would store it.
func signature(seed float64) []byte {
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

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: seedinspections DATA_DIR")
		os.Exit(2)
	}
	if err := run(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run(dir string) error {
	ctx := context.Background()
	s, err := data.Open(ctx, dir)
	if err != nil {
		return err
	}
	defer s.Close()
	if _, err := s.EnsureInspectionTemplate(ctx, assets.HandoverTemplate); err != nil {
		return err
	}
	staff, err := s.ListStaff(ctx, false)
	if err != nil {
		return err
	}
	var me string
	for _, st := range staff {
		if st.Role == data.RoleReceptionist && me == "" {
			me = st.ID
		}
	}
	now := time.Now()
	s.Now = func() time.Time { return now.Add(-7 * 24 * time.Hour) }
	a, err := s.StartInspection(ctx, me, data.InspectionInput{Kind: data.InspectionHandover, Project: "星河湾二期", Building: "3号楼", Unit: "2单元1202",
		Owners: []string{"王秀英", "张伟"}, Phone: "13812345678"})
	if err != nil {
		return err
	}
	st, err := s.InspectionDetail(ctx, me, a.ID)
	if err != nil {
		return err
	}
	defects := map[string][2]string{
		"entry.open":    {"关门时下沿摩擦门槛石，有异响", "门扇下沿"},
		"living.wall":   {"东墙空鼓约 0.3 ㎡，敲击有空响", "东墙距地 1.2 m"},
		"kitchen.drain": {"水槽下水缓慢，约 2 分钟才排尽", ""},
	}
	for _, it := range st.Template.Items() {
		in := data.ResultInput{Item: it.Key, Result: data.ResultPass}
		if d, ok := defects[it.Key]; ok {
			in = data.ResultInput{Item: it.Key, Result: data.ResultDefect, Description: d[0], Location: d[1]}
		}
		if strings.HasPrefix(it.Key, "study.") {
			in.Result = data.ResultNA
		}
		if _, err := s.RecordResult(ctx, me, a.ID, in); err != nil {
			return err
		}
	}
	for kind, vals := range map[string]map[string]string{
		data.ValueMeter: {"water": "0003.25", "power": "0012.6", "gas": "0000.8"},
		data.ValueKey:   {"door": "3", "mailbox": "2", "access": "2"},
	} {
		for code, v := range vals {
			if err := s.SetInspectionValue(ctx, me, a.ID, kind, code, v); err != nil {
				return err
			}
		}
	}
	if err := s.CompleteInspection(ctx, me, a.ID, data.CompleteInput{OwnerSignature: signature(0), StaffSignature: signature(2)}); err != nil {
		return err
	}

	s.Now = func() time.Time { return now.Add(-2 * time.Hour) }
	b, err := s.StartInspection(ctx, me, data.InspectionInput{Kind: data.InspectionHandover, Project: "星河湾二期", Building: "5号楼", Unit: "1单元0801",
		Owners: []string{"李娜"}, Phone: "13922312231"})
	if err != nil {
		return err
	}
	for i, it := range st.Template.Items()[:20] {
		in := data.ResultInput{Item: it.Key, Result: data.ResultPass}
		switch i {
		case 3:
			in = data.ResultInput{Item: it.Key, Result: data.ResultDefect, Description: "密封条右上角脱落约 15 cm", Location: "门框右上"}
		case 4:
			in.Result = data.ResultNA
		}
		if _, err := s.RecordResult(ctx, me, b.ID, in); err != nil {
			return err
		}
	}

	s.Now = func() time.Time { return now.Add(-30 * time.Minute) }
	c, err := s.StartInspection(ctx, me, data.InspectionInput{Kind: data.InspectionReinspection, Project: "星河湾二期", Building: "3号楼", Unit: "2单元1202",
		Owners: []string{"王秀英"}, Phone: "13812345678"})
	if err != nil {
		return err
	}
	cs, err := s.InspectionDetail(ctx, me, c.ID)
	if err != nil {
		return err
	}
	if err := s.RecordFollowUp(ctx, me, c.ID, cs.Carried[0].DefectID, data.OutcomeFixed, ""); err != nil {
		return err
	}
	fmt.Println(a.ID, b.ID, c.ID)
	return nil
}

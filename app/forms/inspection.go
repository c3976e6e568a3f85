package forms

import (
	"io"
	"strconv"
	"time"

	"anchang/data"
)

// Inspection results of a checklist item.
const (
	ResultPass   = "pass"
	ResultDefect = "defect"
	ResultNA     = "na"
)

// CheckItem is one line of the handover checklist.
type CheckItem struct {
	Room     string // 入户门, 客厅, 厨房 …
	Item     string // what is checked
	Standard string // what good looks like
	Result   string // ResultPass, ResultDefect, ResultNA, or "" (blank)
	Note     string
	Defect   int // the defect's number in the defect list, for a defect
}

// Defect is a problem found at the inspection: recorded, assigned, fixed
// and re-inspected.
type Defect struct {
	Room        string
	Description string
	Responsible string // contractor or department
	Due         string // date or deadline
	Reinspected string // re-inspection result and date
}

// Inspection is one guided handover inspection (指引业主验楼) of a unit.
type Inspection struct {
	Project, Unit, Owner, Staff string
	At                          time.Time
	Meters                      []Reading // water, electricity, gas
	Keys                        string    // keys handed over
	Items                       []CheckItem
	Defects                     []Defect
	BlankDefects                int // empty defect rows to write in by hand
	// Note is printed under the header fields (a re-inspection says what
	// it re-inspects).
	Note string
	// OwnerSignature and StaffSignature are PNG images drawn on screen,
	// printed in their boxes; without them the boxes stay blank to sign
	// on paper. SignedAt dates them.
	OwnerSignature, StaffSignature []byte
	SignedAt                       time.Time
	// Summary is the stored inspection's (data.Inspection.Summary); nil
	// on a blank or demo form. An unfinished inspection's form says how
	// many items are still unchecked, under the header and in the totals.
	Summary *data.InspectionSummary
}

// unfinishedLine says that an inspection is not completed and how many of
// its items are unchecked.
func unfinishedLine(s data.InspectionSummary) string {
	return "验房未完成 Not completed：已检 " + strconv.Itoa(s.Answered) + "/" + strconv.Itoa(s.Total) + " 项，尚有 " +
		strconv.Itoa(s.Unchecked()) + " 项未检查。 " + strconv.Itoa(s.Unchecked()) + " of " + strconv.Itoa(s.Total) + " items are not checked yet."
}

// Reading is a meter reading at handover.
type Reading struct{ Name, Value string }

// RenderInspection writes the handover inspection checklist
// (交付验房检查表) with its defect list.
func RenderInspection(w io.Writer, m Meta, in Inspection) error {
	d, err := newDoc(HandoverInspection, m)
	if err != nil {
		return err
	}
	const lw, size = 26.0, 9.5
	d.fields(lw, size, 8, field{label: "项目 Project", value: in.Project, weight: 1.4}, field{label: "房号 Unit", value: in.Unit, weight: 1})
	d.fields(lw, size, 8, field{label: "业主 Owner", value: in.Owner, weight: 1.4}, field{label: "验房日期 Date", value: d.at(in.At, dateTime), weight: 1})
	meters := make([]field, 0, 4)
	for _, r := range in.Meters {
		meters = append(meters, field{label: r.Name, value: r.Value})
	}
	if len(meters) == 0 {
		meters = []field{{label: "水表 Water"}, {label: "电表 Power"}, {label: "燃气表 Gas"}}
	}
	d.fields(lw, size, 8, meters...)
	d.fields(lw, size, 8, field{label: "钥匙 Keys", value: in.Keys, weight: 1.4}, field{label: "陪验人 Staff", value: in.Staff, weight: 1})
	if in.Note != "" {
		d.gap(1)
		d.paragraph(in.Note, 9)
	}
	if s := in.Summary; s != nil && !s.Completed {
		d.gap(1)
		d.paragraph(unfinishedLine(*s), 10)
	}

	var pass, defects, na int
	for _, it := range in.Items {
		switch it.Result {
		case ResultPass:
			pass++
		case ResultDefect:
			defects++
		case ResultNA:
			na++
		}
	}
	d.section("一、检查项目 Checklist", 11)
	cols := []column{{"序号 No.", 0.45, "C"}, {"部位 Room", 0.7, "L"}, {"检查项目 Item", 0.9, "L"},
		{"验收标准 Standard", 3.3, "L"}, {"结果 Result", 1.25, "C"}, {"备注 Note", 1.2, "L"}}
	rows := make([][]string, 0, len(in.Items))
	for i, it := range in.Items {
		res := map[string]string{ResultPass: "合格 OK", ResultDefect: "不合格 Defect", ResultNA: "不适用 N/A"}[it.Result]
		note := it.Note
		if it.Defect > 0 {
			res += " #" + strconv.Itoa(it.Defect)
		}
		rows = append(rows, []string{strconv.Itoa(i + 1), it.Room, it.Item, it.Standard, res, note})
	}
	d.table(cols, rows, 8)
	if len(in.Items) > 0 {
		d.gap(1)
		total := "合计 Total " + strconv.Itoa(len(in.Items)) + "：合格 OK " + strconv.Itoa(pass) + " · 不合格 Defects " +
			strconv.Itoa(defects) + " · 不适用 N/A " + strconv.Itoa(na)
		if s := in.Summary; s != nil && s.Unchecked() > 0 {
			total += " · 未检查 Unchecked " + strconv.Itoa(s.Unchecked())
		}
		d.paragraph(total, 9)
	}

	d.section("二、问题清单 Defect list", 11)
	dcols := []column{{"编号 No.", 0.5, "C"}, {"部位 Room", 0.9, "L"}, {"问题描述 Description", 3.0, "L"},
		{"责任单位 Responsible", 1.2, "L"}, {"整改期限 Due", 0.9, "C"}, {"复验 Re-inspected", 1.5, "L"}}
	drows := make([][]string, 0, len(in.Defects)+in.BlankDefects)
	for i, df := range in.Defects {
		drows = append(drows, []string{"#" + strconv.Itoa(i+1), df.Room, df.Description, df.Responsible, df.Due, df.Reinspected})
	}
	for range in.BlankDefects {
		drows = append(drows, make([]string, len(dcols)))
	}
	d.tableMin(dcols, drows, 8, 8)
	d.gap(2)
	d.paragraph("业主确认以上检查结果；问题整改完成后复验签认。 The owner confirms the results above; each defect is signed off at re-inspection.", 8.5)
	d.gap(1.5)
	d.signatures(lw, size, in)
	return d.finish(w)
}

package forms

import (
	"strconv"
	"strings"
	"time"

	"anchang/data"
)

// InspectionOf lays a stored inspection out for the form. h, the unit's
// history, fills the defect list's re-inspection column.
func InspectionOf(st data.InspectionState, h data.UnitHistory, loc *time.Location) Inspection {
	if loc == nil {
		loc = time.Local
	}
	owner := strings.Join(st.Owners, "、")
	if st.Phone != "" {
		owner += "（" + phoneOnForm(st.Phone) + "）"
	}
	at := st.CreatedAt.In(loc)
	if at.Format(time.DateOnly) != st.Date {
		if d, err := time.ParseInLocation(time.DateOnly, st.Date, loc); err == nil {
			at = d
		}
	}
	sum := st.Summary()
	in := Inspection{Project: st.Project, Unit: st.UnitLabel(), Owner: owner, Staff: st.InspectorName, At: at, Summary: &sum}
	for _, mt := range st.Template.Meters {
		v := st.Meters[mt.Code]
		if v != "" && mt.Unit != "" {
			v += " " + mt.Unit
		}
		en, _, _ := strings.Cut(mt.NameEn, " ") // "Water meter" → "Water": the label box is narrow
		in.Meters = append(in.Meters, Reading{Name: mt.Name + " " + en, Value: v})
	}
	var keys []string
	for _, k := range st.Template.Keys {
		if n, ok := st.Keys[k.Code]; ok {
			keys = append(keys, k.Name+" "+strconv.Itoa(n))
		}
	}
	in.Keys = strings.Join(keys, "，")

	verdicts := map[string]data.UnitDefect{}
	for _, d := range h.Defects {
		verdicts[d.DefectID] = d
	}
	reinspected := func(defectID string) string {
		v, ok := verdicts[defectID]
		switch {
		case !ok || v.Verdict == "":
			return ""
		case v.Verdict == data.OutcomeFixed:
			return "已整改 Fixed " + v.VerdictOn
		default:
			return "未整改 Not fixed " + v.VerdictOn
		}
	}
	describe := func(desc, loc string) string {
		if loc != "" {
			return desc + "（位置 Location：" + loc + "）"
		}
		return desc
	}

	if st.Kind == data.InspectionReinspection {
		var from []string
		for _, c := range st.Carried {
			if len(from) == 0 || from[len(from)-1] != c.FromDate {
				from = append(from, c.FromDate)
			}
		}
		in.Note = "复验 Re-inspection：逐项复查 " + strings.Join(from, "、") + " 验房记录的 " + strconv.Itoa(len(st.Carried)) +
			" 项问题。 Each open defect of the earlier inspection is checked again."
		for _, c := range st.Carried {
			item := CheckItem{Room: c.Item.Room, Item: c.Item.Name, Standard: c.Item.Standard}
			row := Defect{Room: c.Item.Room + " " + c.Item.Name, Description: describe(c.Description, c.Location), Responsible: "", Due: ""}
			switch c.Outcome {
			case data.OutcomeFixed:
				item.Result, row.Reinspected = ResultPass, "已整改 Fixed "+st.Date
			case data.OutcomeNotFixed:
				item.Result, row.Reinspected = ResultDefect, "未整改 Not fixed "+st.Date
			}
			if c.Note != "" {
				row.Reinspected += "：" + c.Note
			}
			in.Defects = append(in.Defects, row)
			item.Defect = len(in.Defects)
			item.Note = "原验房 " + c.FromDate
			in.Items = append(in.Items, item)
		}
	} else {
		for _, it := range st.Template.Items() {
			c := CheckItem{Room: it.Room, Item: it.Name, Standard: it.Standard}
			if r, ok := st.Results[it.Key]; ok {
				c.Result = r.Result
				if r.Result == data.ResultDefect {
					in.Defects = append(in.Defects, Defect{Room: it.Room + " " + it.Name, Description: describe(r.Description, r.Location),
						Reinspected: reinspected(r.ID)})
					c.Defect = len(in.Defects)
					c.Note = r.Location
					if len(r.Photos) > 0 {
						c.Note = strings.TrimSpace(c.Note + " 照片 " + strconv.Itoa(len(r.Photos)))
					}
				}
			}
			in.Items = append(in.Items, c)
		}
	}
	if len(in.Defects) < 4 {
		in.BlankDefects = 4 - len(in.Defects)
	}
	if c := st.Completion; c != nil && !c.PaperSign {
		in.OwnerSignature, in.StaffSignature, in.SignedAt = c.OwnerSignature, c.StaffSignature, c.At
	}
	return in
}

// phoneOnForm is the number as the detail gave it: full (formatted) for
// the desk roles, already masked otherwise.
func phoneOnForm(p string) string {
	if strings.HasPrefix(p, "+") && !strings.Contains(p, "*") {
		return data.FormatPhone(p)
	}
	return p
}

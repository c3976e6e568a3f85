package forms

import (
	"fmt"
	"io"
	"time"

	"anchang/data"
)

const dateTime = "2006-01-02 15:04"

// RenderVisitorRegistration writes the visitor registration form
// (来访客户登记表) of one visit. The phone prints as the record holds it:
// the store masks it unless the printing staff member may see it.
func RenderVisitorRegistration(w io.Writer, m Meta, r data.VisitRecord) error {
	if m.RecordID == "" {
		m.RecordID = r.ID
	}
	d, err := newDoc(VisitorRegistration, m)
	if err != nil {
		return err
	}
	const lw, size = 34.0, 10.0
	d.section("一、客户信息 Visitor", 11)
	// A blank form (no record) offers the choices as boxes to tick.
	blank := r.ID == ""
	choose := func(label, v string, weight float64, keys ...string) field {
		f := field{label: label, value: v, weight: weight}
		if blank {
			opts := make([]string, len(keys))
			for i, k := range keys {
				opts[i] = termZH(k)
			}
			f.choices = boxes(opts, -1)
		}
		return f
	}
	title := ""
	if r.Title != data.TitleNone {
		title = term("title." + r.Title)
	}
	via := field{label: "登记方式 Via", value: "前台登记 Desk", weight: 2}
	if r.Via == data.ViaKiosk {
		via.value = "自助登记 Kiosk"
	}
	if blank {
		via.choices = boxes([]string{"前台 Desk", "自助机 Kiosk"}, -1)
	}
	registeredBy := r.CreatedByName
	if registeredBy == "" && r.Via == data.ViaKiosk {
		registeredBy = "自助机 Kiosk"
	}
	kind := ""
	if r.Kind != "" {
		kind = term("kind." + r.Kind)
	}
	var purposeKeys, sourceKeys, areaKeys []string
	for _, p := range data.Purposes {
		purposeKeys = append(purposeKeys, "purpose."+string(p))
	}
	for _, c := range data.DefaultSourceCodes {
		sourceKeys = append(sourceKeys, "source."+c)
	}
	for _, a := range data.Areas {
		areaKeys = append(areaKeys, "area."+string(a))
	}
	d.fields(lw, size, 9, field{label: "客户姓名 Name", value: r.Name, weight: 2}, choose("称呼 Title", title, 1, "title.mr", "title.ms"))
	d.fields(lw, size, 9, field{label: "联系电话 Phone", value: phoneText(r.Phone), weight: 2}, field{label: "来访人数 Party", value: partyText(r.PartySize), weight: 1})
	d.fields(lw, size, 9, field{label: "到访时间 Arrived", value: d.at(r.ArrivedAt, dateTime), weight: 2}, choose("来访类型 Visit", kind, 1, "kind.first", "kind.return"))
	d.fields(lw, size, 9, choose("来访目的 Purpose", enumTerm("purpose.", string(r.Purpose)), 1.3, purposeKeys...),
		choose("客户来源 Source", sourceLabel(r.SourceCode, r.SourceName, true), 1.7, sourceKeys...))
	d.fields(lw, size, 9, via, field{label: "登记人 Registered by", value: registeredBy, weight: 1})

	d.section("二、购房意向 Interest", 11)
	d.fields(lw, size, 9, field{label: "意向房源 Unit", value: r.InterestUnit, weight: 2}, field{label: "预算 Budget", value: r.InterestBudget, weight: 1})
	d.fields(lw, size, 22, field{label: "备注 Notes", value: r.Notes, weight: 1})

	d.section("三、接待情况 Reception", 11)
	d.fields(lw, size, 9, field{label: "置业顾问 Consultant", value: r.ConsultantName, weight: 2}, choose("接待区域 Area", enumTerm("area.", string(r.Area)), 1, areaKeys...))
	d.fields(lw, size, 9, field{label: "分配时间 Assigned", value: d.at(r.AssignedAt, dateTime), weight: 2}, field{label: "接手时间 Taken over", value: d.at(r.HandedOverAt, dateTime), weight: 1})
	d.fields(lw, size, 9, field{label: "离开时间 Left", value: d.at(r.LeftAt, dateTime), weight: 2}, field{label: "等候时长 Wait", value: waitText(r.Visit), weight: 1})

	d.section("四、客户确认 Confirmation", 11)
	consent := "本人确认以上信息属实，并同意案场为接待、回访之目的按《个人信息保护法》记录和使用上述信息。" +
		"I confirm the above and consent to its use for reception and follow-up under the Personal Information Protection Law."
	if r.ConsentVersion != "" {
		consent += fmt.Sprintf("（同意书版本 Consent version %s）", r.ConsentVersion)
	}
	d.gap(1.5)
	d.paragraph(consent, 9)
	d.gap(1.5)
	d.fields(lw, size, 14, field{label: "客户签名 Visitor's signature", value: "", weight: 2}, field{label: "日期 Date", value: "", weight: 1})
	d.fields(lw, size, 14, field{label: "接待人签名 Staff signature", value: "", weight: 2}, field{label: "日期 Date", value: "", weight: 1})
	return d.finish(w)
}

func enumTerm(prefix, v string) string {
	if v == "" {
		return ""
	}
	return term(prefix + v)
}

func phoneText(p string) string {
	if len(p) > 0 && p[0] == '+' {
		return data.FormatPhone(p)
	}
	return p
}

func partyText(n int) string {
	if n <= 0 {
		return ""
	}
	return fmt.Sprintf("%d 人", n)
}

// waitText is the time from arrival to being taken over.
func waitText(v data.Visit) string {
	if v.HandedOverAt.IsZero() || v.ArrivedAt.IsZero() {
		return ""
	}
	return minutes(v.HandedOverAt.Sub(v.ArrivedAt))
}

// minutes shows a wait to the minute, as the board does (shortDuration);
// under a minute, in seconds.
func minutes(d time.Duration) string {
	if d < time.Minute {
		return fmt.Sprintf("%d 秒 s", int(d.Round(time.Second)/time.Second))
	}
	m := int(d.Round(time.Minute) / time.Minute)
	if m < 60 {
		return fmt.Sprintf("%d 分钟 min", m)
	}
	return fmt.Sprintf("%d 小时 %d 分钟", m/60, m%60)
}

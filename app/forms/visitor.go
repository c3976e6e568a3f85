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
	title := ""
	if r.Title != data.TitleNone {
		title = term("title." + r.Title)
	}
	via := "前台登记 Desk"
	if r.Via == data.ViaKiosk {
		via = "自助登记 Kiosk"
	}
	registeredBy := r.CreatedByName
	if registeredBy == "" && r.Via == data.ViaKiosk {
		registeredBy = "自助机 Kiosk"
	}
	kind := ""
	if r.Kind != "" {
		kind = term("kind." + r.Kind)
	}
	d.fields(lw, size, 9, field{"客户姓名 Name", r.Name, 2}, field{"称呼 Title", title, 1})
	d.fields(lw, size, 9, field{"联系电话 Phone", phoneText(r.Phone), 2}, field{"来访人数 Party", partyText(r.PartySize), 1})
	d.fields(lw, size, 9, field{"到访时间 Arrived", d.at(r.ArrivedAt, dateTime), 2}, field{"来访类型 Visit", kind, 1})
	d.fields(lw, size, 9, field{"来访目的 Purpose", enumTerm("purpose.", string(r.Purpose)), 2},
		field{"客户来源 Source", sourceLabel(r.SourceCode, r.SourceName, true), 1})
	d.fields(lw, size, 9, field{"登记方式 Via", via, 2}, field{"登记人 Registered by", registeredBy, 1})

	d.section("二、购房意向 Interest", 11)
	d.fields(lw, size, 9, field{"意向房源 Unit", r.InterestUnit, 2}, field{"预算 Budget", r.InterestBudget, 1})
	d.fields(lw, size, 22, field{"备注 Notes", r.Notes, 1})

	d.section("三、接待情况 Reception", 11)
	d.fields(lw, size, 9, field{"置业顾问 Consultant", r.ConsultantName, 2}, field{"接待区域 Area", enumTerm("area.", string(r.Area)), 1})
	d.fields(lw, size, 9, field{"分配时间 Assigned", d.at(r.AssignedAt, dateTime), 2}, field{"接手时间 Taken over", d.at(r.HandedOverAt, dateTime), 1})
	d.fields(lw, size, 9, field{"离开时间 Left", d.at(r.LeftAt, dateTime), 2}, field{"等候时长 Wait", waitText(r.Visit), 1})

	d.section("四、客户确认 Confirmation", 11)
	consent := "本人确认以上信息属实，并同意案场为接待、回访之目的按《个人信息保护法》记录和使用上述信息。" +
		"I confirm the above and consent to its use for reception and follow-up under the Personal Information Protection Law."
	if r.ConsentVersion != "" {
		consent += fmt.Sprintf("（同意书版本 Consent version %s）", r.ConsentVersion)
	}
	d.gap(1.5)
	d.paragraph(consent, 9)
	d.gap(1.5)
	d.fields(lw, size, 14, field{"客户签名 Visitor's signature", "", 2}, field{"日期 Date", "", 1})
	d.fields(lw, size, 14, field{"接待人签名 Staff signature", "", 2}, field{"日期 Date", "", 1})
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

func minutes(d time.Duration) string {
	m := int(d.Round(time.Minute) / time.Minute)
	if m < 60 {
		return fmt.Sprintf("%d 分钟 min", m)
	}
	return fmt.Sprintf("%d 小时 %d 分钟", m/60, m%60)
}

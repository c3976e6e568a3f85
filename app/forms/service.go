package forms

import (
	"fmt"
	"io"
	"strconv"
	"time"
)

// ServiceEntry is one line of the reception/complaint record: a repair
// request, a complaint or a reception, as the staff took it down.
type ServiceEntry struct {
	At       time.Time
	Place    string // where it happened / was reported
	Owner    string // owner or customer, with the unit
	Contact  string // phone as the printing staff may see it
	Kind     string // 报修 / 投诉 / 接待
	Subject  string // person or department complained about
	Account  string // what happened
	Demand   string // the owner's demand
	Handling string // handling and result
}

// ServiceLog is a period of the reception/complaint record.
type ServiceLog struct {
	Period  string // "2026-11-16 至 2026-11-22"
	Entries []ServiceEntry
	Blank   int // empty rows to write in by hand
}

// RenderServiceLog writes the reception/complaint record (报修、投诉、接待
// 情况汇总表). The owner signs each line.
func RenderServiceLog(w io.Writer, m Meta, l ServiceLog) error {
	d, err := newDoc(ServiceRecord, m)
	if err != nil {
		return err
	}
	kinds := map[string]int{}
	for _, e := range l.Entries {
		kinds[e.Kind]++
	}
	d.fields(26, 9.5, 8, field{label: "统计期间 Period", value: l.Period, weight: 1.6},
		field{label: "报修 Repairs", value: count(kinds["报修"], len(l.Entries)), weight: 0.5},
		field{label: "投诉 Complaints", value: count(kinds["投诉"], len(l.Entries)), weight: 0.5},
		field{label: "接待 Receptions", value: count(kinds["接待"], len(l.Entries)), weight: 0.5})
	d.gap(3)
	cols := []column{
		{"序号 No.", 0.45, "C"}, {"时间 Time", 0.8, "C"}, {"地点 Place", 0.8, "L"}, {"业主 Owner", 1.0, "L"},
		{"联系方式 Contact", 0.95, "L"}, {"类别 Type", 0.5, "C"}, {"被投诉人/部门 Subject", 0.95, "L"},
		{"事情经过 What happened", 2.2, "L"}, {"业主诉求 Demand", 1.4, "L"}, {"处理情况 Handling", 1.6, "L"},
		{"业主签名 Owner's signature", 0.9, "L"},
	}
	var rows [][]string
	for i, e := range l.Entries {
		rows = append(rows, []string{strconv.Itoa(i + 1), d.at(e.At, "01-02 15:04"), e.Place, e.Owner, e.Contact, e.Kind,
			e.Subject, e.Account, e.Demand, e.Handling, ""})
	}
	for range l.Blank {
		rows = append(rows, make([]string, len(cols)))
	}
	d.tableMin(cols, rows, 8, 10)
	d.gap(4)
	d.fields(26, 9.5, 12, field{label: "记录人 Recorded by", value: "", weight: 1}, field{label: "客服主管 Supervisor", value: "", weight: 1}, field{label: "日期 Date", value: "", weight: 0.7})
	return d.finish(w)
}

func count(n, total int) string {
	if total == 0 {
		return ""
	}
	return strconv.Itoa(n)
}

// Revisit is one revisit (回访) of an owner after a complaint, a repair,
// a signing or move-in.
type Revisit struct {
	Owner, Unit, Contact string
	Kind                 string // 投诉处理后 / 维修完成后 / 签约后 / 入住三个月 …
	Ticket               string // the complaint or repair it follows up
	Method               string // 电话 / 上门 / 短信
	At                   time.Time
	By                   string // who made the revisit
	Quality              string // the quality of the work
	Effect               string // the effect of the service
	Satisfaction         int    // 1 (very dissatisfied) … 5 (very satisfied); 0 blank
	Shortcomings         string
	Suggestions          string
	Result               string // closed, or escalated and to whom
}

// RevisitKinds are the revisit occasions the form offers (DOMAIN: revisits).
var RevisitKinds = []string{"投诉处理后", "维修完成后", "特约服务后", "签约后", "入住三个月", "一年质量检查"}

var satisfaction = []string{"非常不满意", "不满意", "一般", "满意", "非常满意"}

// RenderRevisit writes the revisit record (回访记录表): what was revisited,
// the owner's view of the quality and the service, satisfaction on the
// 5-point scale, shortcomings and suggestions; the owner signs.
func RenderRevisit(w io.Writer, m Meta, r Revisit) error {
	d, err := newDoc(RevisitRecord, m)
	if err != nil {
		return err
	}
	const lw, size = 34.0, 10.0
	d.section("一、回访对象 Owner", 11)
	d.fields(lw, size, 9, field{label: "业主姓名 Owner", value: r.Owner, weight: 1}, field{label: "房号 Unit", value: r.Unit, weight: 1})
	d.fields(lw, size, 9, field{label: "联系电话 Phone", value: r.Contact, weight: 1}, field{label: "关联单号 Ticket", value: r.Ticket, weight: 1})
	kind := field{label: "回访类型 Occasion", value: r.Kind, weight: 3}
	if r.Kind == "" {
		kind.choices = boxes(RevisitKinds, -1)
	}
	d.fields(lw, size, 9, kind)
	method := field{label: "回访方式 Method", value: r.Method, weight: 1}
	if r.Method == "" {
		method.choices = boxes([]string{"电话 Phone", "上门 Visit", "短信 SMS"}, -1)
	}
	d.fields(lw, size, 9, method, field{label: "回访时间 Time", value: d.at(r.At, dateTime), weight: 1})
	d.fields(lw, size, 9, field{label: "回访人 Revisited by", value: r.By, weight: 3})

	d.section("二、回访内容 Findings", 11)
	d.fields(lw, size, 20, field{label: "质量情况 Quality", value: r.Quality, weight: 1})
	d.fields(lw, size, 20, field{label: "服务效果 Service effect", value: r.Effect, weight: 1})
	labels := make([]string, len(satisfaction))
	for i, s := range satisfaction {
		labels[i] = fmt.Sprintf("%s (%d)", s, i+1)
	}
	d.fields(lw, size, 9, field{label: "满意度 Satisfaction", choices: boxes(labels, r.Satisfaction-1)})
	d.fields(lw, size, 20, field{label: "不足之处 Shortcomings", value: r.Shortcomings, weight: 1})
	d.fields(lw, size, 20, field{label: "意见建议 Suggestions", value: r.Suggestions, weight: 1})
	d.fields(lw, size, 14, field{label: "回访结论 Result", value: r.Result, weight: 1})
	d.gap(1.5)
	d.paragraph("回访不满意的，由客服主管跟进并升级处理；逾期 3 天未回访的由主管督办。 An unsatisfied owner is escalated to the supervisor; a revisit more than 3 days overdue is followed up by the supervisor.", 8.5)
	d.gap(1.5)
	d.fields(lw, size, 14, field{label: "业主签名 Owner's signature", value: "", weight: 2}, field{label: "日期 Date", value: "", weight: 1})
	d.fields(lw, size, 14, field{label: "回访人签名 Staff signature", value: "", weight: 2}, field{label: "日期 Date", value: "", weight: 1})
	return d.finish(w)
}

// boxes gives options a box each, the chosen one (index sel) filled.
func boxes(options []string, sel int) []string {
	out := make([]string, len(options))
	for i, o := range options {
		box := "□ "
		if i == sel {
			box = "■ "
		}
		out[i] = box + o
	}
	return out
}

package sheet

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"time"

	"github.com/xuri/excelize/v2"

	"anchang/data"
)

// The complaint ledger (投诉电子台账) as a workbook: data computes the
// ledger's rows and figures; this words them for the spreadsheet.

// The ledger workbook's sheet names.
const (
	LedgerSheetTickets = "台账 Ledger"
	LedgerSheetWeeks   = "周汇总 Weekly"
	LedgerSheetKPIs    = "指标 KPIs"
)

// LedgerColumns are the ledger sheet's headers.
var LedgerColumns = []string{"编号 No.", "受理时间 Opened", "类型 Kind", "分类 Category", "级别 Severity", "紧急 Urgent", "有效 Valid",
	"状态 State", "客户 Customer", "电话 Phone", "项目 Project", "楼栋 Building", "房号 Unit", "被投诉人/部门 Subject", "事情经过 What happened",
	"客户诉求 Demand", "负责人 Owner", "责任部门 Department", "受理时限 Acknowledgement due", "受理时间 Acknowledged",
	"按时受理 Acknowledged on time", "答复时限 Response due", "答复时间 Responded", "按时答复 Response on time",
	"业主要求期限 Owner's deadline", "解决时限 Resolution due", "解决时间 Resolved", "按时解决 Resolution on time", "回访时间 Revisited", "满意度 Satisfaction",
	"关闭原因 Close reason", "重复投诉 Repeat of", "SLA 版本 Policy"}

// WriteLedger writes the ticket ledger (data.Store.TicketLedger) as an Excel workbook: the
// tickets, the weekly summary by category, and the figures against their
// targets. tr translates enum keys (ticket.kind.*, ticket.cat.*,
// ticket.sev.*, ticket.state.*, ticket.close.*); nil writes the codes.
// Text cells are guarded against formula injection (cellSafe); times are
// office-local "2006-01-02 15:04".
func WriteLedger(w io.Writer, l data.TicketLedger, loc *time.Location, tr func(key string) string) error {
	tr, loc = defaults(tr, loc)
	tf := func(t time.Time) string { return at(t, loc, "2006-01-02 15:04") }
	yn := func(b *bool) string {
		switch {
		case b == nil:
			return ""
		case *b:
			return "✓"
		}
		return "✗"
	}
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", LedgerSheetTickets); err != nil {
		return fmt.Errorf("ledger xlsx: %w", err)
	}
	writeRows := func(sheet string, table [][]any) error {
		for i, rec := range table {
			for j, v := range rec {
				if s, ok := v.(string); ok {
					rec[j] = cellSafe(s)
				}
			}
			cell, _ := excelize.CoordinatesToCellName(1, i+1)
			if err := f.SetSheetRow(sheet, cell, &rec); err != nil {
				return fmt.Errorf("ledger xlsx: %w", err)
			}
		}
		return nil
	}
	table := [][]any{toAny(LedgerColumns)}
	for _, r := range l.Rows {
		sat := any("")
		if r.Satisfaction > 0 {
			sat = r.Satisfaction
		}
		reason := ""
		if r.CloseReason != "" {
			reason = tr("ticket.close." + r.CloseReason)
		}
		b := func(v bool) string {
			if v {
				return "✓"
			}
			return ""
		}
		table = append(table, []any{r.Number, tf(r.OpenedAt), tr("ticket.kind." + r.Kind), tr("ticket.cat." + r.Category), tr("ticket.sev." + r.Severity),
			b(r.Urgent), b(r.Valid), tr("ticket.state." + string(r.State)), r.CustomerName, r.Phone, r.Project, r.Building, r.Unit, r.Subject,
			r.Description, r.Demand, r.OwnerName, r.Department, tf(r.Deadlines.Ack), tf(r.Acknowledged), yn(r.AckOnTime),
			tf(r.Deadlines.Response), tf(r.Responded), yn(r.ResponseOnTime), tf(r.Deadlines.Requested), tf(r.Deadlines.Resolution), tf(r.Resolved), yn(r.ResolutionOnTime), tf(r.Revisited), sat, reason, r.RepeatOf, r.Deadlines.PolicyVersion})
	}
	if err := writeRows(LedgerSheetTickets, table); err != nil {
		return err
	}
	_ = f.SetColWidth(LedgerSheetTickets, "A", "B", 20)
	_ = f.SetColWidth(LedgerSheetTickets, "O", "P", 50)

	if _, err := f.NewSheet(LedgerSheetWeeks); err != nil {
		return fmt.Errorf("ledger xlsx: %w", err)
	}
	head := []any{"周起始 Week of"}
	for _, c := range data.TicketCategories {
		head = append(head, tr("ticket.cat."+c))
	}
	head = append(head, "合计 Total")
	table = [][]any{head}
	for _, wk := range l.Weeks {
		row := []any{wk.Start}
		for _, c := range data.TicketCategories {
			row = append(row, wk.ByCategory[c])
		}
		table = append(table, append(row, wk.Total))
	}
	if err := writeRows(LedgerSheetWeeks, table); err != nil {
		return err
	}

	if _, err := f.NewSheet(LedgerSheetKPIs); err != nil {
		return fmt.Errorf("ledger xlsx: %w", err)
	}
	pct := func(r data.Rate) string {
		if r.Den == 0 {
			return ""
		}
		return strconv.FormatFloat(100*r.Value(), 'f', 1, 64) + "%"
	}
	met := func(ok bool) string {
		if ok {
			return "✓"
		}
		return "✗"
	}
	table = [][]any{{"指标 Figure", "数值 Value", "计数 Count", "目标 Target", "达标 Met"},
		{"重复投诉率 Repeat rate", pct(l.Repeat), fmt.Sprintf("%d/%d", l.Repeat.Num, l.Repeat.Den), "≤ " + pctOf(l.Repeat.Target), met(l.Repeat.Met())},
		{"平均满意度 Average satisfaction", strconv.FormatFloat(l.SatisfactionAvg, 'f', 2, 64), strconv.Itoa(l.SatisfactionN),
			"≥ " + strconv.FormatFloat(l.Service.Satisfaction, 'f', -1, 64), met(l.SatisfactionMet())},
		{"按时受理率 Acknowledged on time", pct(l.AckOnTime), fmt.Sprintf("%d/%d", l.AckOnTime.Num, l.AckOnTime.Den), "", ""},
		{"按时答复率 Responses on time", pct(l.ResponseOnTime), fmt.Sprintf("%d/%d", l.ResponseOnTime.Num, l.ResponseOnTime.Den), "", ""},
		{"按时解决率 Resolutions on time", pct(l.ResolutionOnTime), fmt.Sprintf("%d/%d", l.ResolutionOnTime.Num, l.ResolutionOnTime.Den), "", ""},
	}
	for _, k := range data.TicketKinds {
		if r, ok := l.RevisitCompletion[k]; ok {
			table = append(table, []any{"回访按时完成率 Revisits on time: " + tr("ticket.kind."+k), pct(r), fmt.Sprintf("%d/%d", r.Num, r.Den),
				pctOf(r.Target), met(r.Met())},
				[]any{"逾期回访 Revisits late: " + tr("ticket.kind."+k), l.RevisitLate[k], "", "", ""})
			if n := l.RevisitEarly[k]; n > 0 {
				table = append(table, []any{"提前回访（不计）Revisits early, not counted: " + tr("ticket.kind."+k), n, "", "", ""})
			}
		}
	}
	table = append(table, []any{"未结 Open", l.Open, "", "", ""}, []any{"已关闭 Closed", l.Closed, "", "", ""}, []any{"逾期 Overdue", l.Late, "", "", ""})
	if err := writeRows(LedgerSheetKPIs, table); err != nil {
		return err
	}
	_ = f.SetColWidth(LedgerSheetKPIs, "A", "A", 36)
	if _, err := f.WriteTo(w); err != nil {
		return fmt.Errorf("ledger xlsx: %w", err)
	}
	return nil
}

// pctOf writes a target rate as a percentage: 0.05 → "5%", 0.925 → "92.5%".
func pctOf(v float64) string { return strconv.FormatFloat(math.Round(v*1000)/10, 'f', -1, 64) + "%" }

func toAny(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

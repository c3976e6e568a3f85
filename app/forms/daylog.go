package forms

import (
	"fmt"
	"io"
	"strconv"

	"anchang/data"
)

// DayLogData is one office-local day of visits, in arrival order.
type DayLogData struct {
	Day  string // YYYY-MM-DD
	Rows []data.LogRow
	// Blank adds empty rows to write in by hand (a blank form).
	Blank int
}

// RenderDailyLog writes the daily visitor log (来访客户日登记表): the day's
// figures, every visit as a table row (phones masked), and the signatures.
// The table breaks across pages with its header repeated on each.
func RenderDailyLog(w io.Writer, m Meta, l DayLogData) error {
	d, err := newDoc(DailyLog, m)
	if err != nil {
		return err
	}
	var first, kiosk int
	var waits data.WaitTotal
	for _, r := range l.Rows {
		if r.Kind == data.KindFirst {
			first++
		}
		if r.Via == data.ViaKiosk {
			kiosk++
		}
		waits.Add(r.BoardRow)
	}
	avg := "—" // nobody handed over: no average, not 0
	if a, ok := waits.Average(); ok {
		avg = minutes(a)
	}
	const lw, size = 30.0, 9.5
	d.fields(lw, size, 8, field{label: "日期 Date", value: l.Day, weight: 1}, field{label: "来访批次 Visits", value: strconv.Itoa(len(l.Rows)), weight: 0.6},
		field{label: "首访 / 复访 First / Return", value: fmt.Sprintf("%d / %d", first, len(l.Rows)-first), weight: 0.8},
		field{label: "自助登记 Kiosk", value: strconv.Itoa(kiosk), weight: 0.6}, field{label: "平均等候 Avg. wait", value: avg, weight: 1})
	d.gap(3)
	cols := []column{
		{"序号 No.", 0.55, "C"}, {"到访 Arrived", 0.75, "C"}, {"客户姓名 Name", 1.7, "L"}, {"电话 Phone", 1.15, "L"},
		{"人数 Party", 0.55, "C"}, {"类型 Type", 0.6, "C"}, {"目的 Purpose", 0.8, "L"}, {"来源 Source", 1.15, "L"},
		{"意向 Interest", 1.3, "L"}, {"置业顾问 Consultant", 1.0, "L"}, {"区域 Area", 0.7, "L"},
		{"接手 Taken over", 0.75, "C"}, {"离开 Left", 0.7, "C"},
	}
	rows := make([][]string, 0, len(l.Rows))
	for _, r := range l.Rows {
		rows = append(rows, []string{
			strconv.Itoa(r.Ordinal), d.at(r.ArrivedAt, "15:04"), personName(r.Name, r.Title), r.PhoneMasked,
			strconv.Itoa(r.PartySize), zhTerm("kind.", r.Kind), zhTerm("purpose.", string(r.Purpose)),
			sourceLabel(r.SourceCode, r.SourceName, false), r.InterestUnit, r.ConsultantName,
			zhTerm("area.", string(r.Area)), d.at(r.HandedOverAt, "15:04"), d.at(r.LeftAt, "15:04"),
		})
	}
	for range l.Blank {
		rows = append(rows, make([]string, len(cols)))
	}
	d.tableMin(cols, rows, 8.5, 7)
	if len(l.Rows) == 0 && l.Blank == 0 {
		d.paragraph("本日无来访登记。 No visits this day.", 9)
	}
	d.gap(4)
	d.fields(lw, size, 12, field{label: "登记人 Recorded by", value: "", weight: 1}, field{label: "主管审核 Supervisor", value: "", weight: 1}, field{label: "日期 Date", value: "", weight: 0.7})
	return d.finish(w)
}

func zhTerm(prefix, v string) string {
	if v == "" {
		return ""
	}
	return termZH(prefix + v)
}

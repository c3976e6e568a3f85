package sheet

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"anchang/data"
)

// VisitSheet is the visits export's sheet name.
const VisitSheet = "来访 Visits"

// VisitColumns are the visits export's headers.
var VisitColumns = []string{"日期 Date", "序号 No.", "到访 Arrived", "客户姓名 Name", "称呼 Title", "电话 Phone", "人数 Party",
	"类型 Type", "目的 Purpose", "来源 Source", "意向 Interest", "置业顾问 Consultant", "区域 Area", "接手 Taken over",
	"等候（分钟）Wait (min)", "离开 Left", "自助登记 Kiosk"}

// WriteVisits writes visits (data.Store.VisitLog) as an Excel workbook, one row
// a visit. tr translates enum keys (title.*, kind.*, purpose.*, area.*);
// nil writes the codes. Text cells are guarded against formula injection;
// times are office-local.
func WriteVisits(w io.Writer, rows []data.LogRow, loc *time.Location, tr func(key string) string) error {
	tr, loc = defaults(tr, loc)
	clock := func(t time.Time) string { return at(t, loc, "15:04") }
	term := func(prefix, v string) string {
		if v == "" {
			return ""
		}
		return tr(prefix + v)
	}
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", VisitSheet); err != nil {
		return fmt.Errorf("visits xlsx: %w", err)
	}
	put := func(i int, rec []any) error {
		for j, v := range rec {
			switch s := v.(type) {
			case string:
				rec[j] = cellSafe(s)
			case storedPhone: // validated on the way in: never a formula
				rec[j] = string(s)
			}
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow(VisitSheet, cell, &rec); err != nil {
			return fmt.Errorf("visits xlsx: %w", err)
		}
		return nil
	}
	if err := put(0, toAny(VisitColumns)); err != nil {
		return err
	}
	for i, r := range rows {
		wait := any("")
		if !r.HandedOverAt.IsZero() {
			wait = int(r.HandedOverAt.Sub(r.ArrivedAt).Round(time.Minute) / time.Minute)
		}
		source := r.SourceName
		if source == "" && r.SourceCode != "" {
			source = tr("source." + r.SourceCode)
		}
		kiosk := ""
		if r.Via == data.ViaKiosk {
			kiosk = "✓"
		}
		if err := put(i+1, []any{r.Day, r.Ordinal, clock(r.ArrivedAt), r.Name, term("title.", r.Title), exportPhone(r.Phone), r.PartySize,
			term("kind.", r.Kind), term("purpose.", string(r.Purpose)), source, r.InterestUnit, r.ConsultantName,
			term("area.", string(r.Area)), clock(r.HandedOverAt), wait, clock(r.LeftAt), kiosk}); err != nil {
			return err
		}
	}
	_ = f.SetColWidth(VisitSheet, "A", "A", 12)
	_ = f.SetColWidth(VisitSheet, "D", "D", 16)
	_ = f.SetColWidth(VisitSheet, "F", "F", 16)
	_ = f.SetPanes(VisitSheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
	if err := f.Write(w); err != nil {
		return fmt.Errorf("visits xlsx: %w", err)
	}
	return nil
}

// storedPhone is a phone number from the store, written as it is.
type storedPhone string

// exportPhone is a whole number as the detail view shows it (138 1234
// 5678), or a masked one as it is.
func exportPhone(p string) storedPhone {
	if strings.Contains(p, "*") {
		return storedPhone(p)
	}
	return storedPhone(data.FormatPhone(p))
}

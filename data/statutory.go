package data

import (
	"sync"
	"time"

	"github.com/6tail/lunar-go/calendar"
)

// StatutoryHolidays is the days off that 全国年节及纪念日放假办法 (2024
// revision, 第二条) fixes in advance for every year: 元旦 1 January; 春节
// from 除夕 to 初三 (4 days); 清明节 on the day of the 清明 solar term; 劳动节
// 1–2 May; 端午节 on the 5th of the 5th lunar month; 中秋节 on the 15th of
// the 8th lunar month; 国庆节 1–3 October. The lunar dates and the solar
// term come from github.com/6tail/lunar-go.
//
// It is the fallback for a year whose official schedule (the State
// Council's notice, imported or embedded) is not present: an estimate. It
// cannot know what only the notice decides — the make-up day off when a
// holiday falls on a weekend (第六条), the bridging days and the weekend
// days worked instead (调休) — so a deadline counted on it may come a day
// or two early, never late, against the official schedule.
func StatutoryHolidays(year int) []HolidayDay {
	var days []HolidayDay
	add := func(name string, t time.Time, n int) {
		for i := 0; i < n; i++ {
			days = append(days, HolidayDay{Date: t.AddDate(0, 0, i).Format(time.DateOnly), Name: name, Off: true})
		}
	}
	date := func(m time.Month, d int) time.Time { return time.Date(year, m, d, 0, 0, 0, 0, time.UTC) }
	lunar := func(m, d int) time.Time {
		s := calendar.NewLunarFromYmd(year, m, d).GetSolar()
		return time.Date(s.GetYear(), time.Month(s.GetMonth()), s.GetDay(), 0, 0, 0, 0, time.UTC)
	}
	add("元旦", date(time.January, 1), 1)
	add("春节", lunar(1, 1).AddDate(0, 0, -1), 4) // 除夕 is the last day of the 12th month, 29th or 30th
	qm := calendar.NewSolarFromYmd(year, 4, 15).GetLunar().GetJieQiTable()["清明"]
	add("清明节", time.Date(qm.GetYear(), time.Month(qm.GetMonth()), qm.GetDay(), 0, 0, 0, 0, time.UTC), 1)
	add("劳动节", date(time.May, 1), 2)
	add("端午节", lunar(5, 5), 1)
	add("中秋节", lunar(8, 15), 1)
	add("国庆节", date(time.October, 1), 3)
	return days
}

// statutoryByDate is StatutoryHolidays(year) by date, computed once per
// year for the process (about 2 ms each: lunar-go's conversions) and then
// only read.
var statutoryByDate = struct {
	sync.Mutex
	years map[int]map[string]HolidayDay
}{years: map[int]map[string]HolidayDay{}}

func statutoryDays(year int) map[string]HolidayDay {
	statutoryByDate.Lock()
	defer statutoryByDate.Unlock()
	m := statutoryByDate.years[year]
	if m == nil {
		m = map[string]HolidayDay{}
		for _, d := range StatutoryHolidays(year) {
			m[d.Date] = d
		}
		statutoryByDate.years[year] = m
	}
	return m
}

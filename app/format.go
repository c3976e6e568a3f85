package app

import (
	"fmt"
	"time"

	"anchang/data"
)

// Display helpers: every enum the store uses has a translation key
// "<kind>.<value>".

func staffOption(st data.Staff) string {
	return T("staff.option", map[string]any{"Name": st.Name, "Role": T("role." + string(st.Role))})
}

func purposeText(p data.Purpose) string { return T("purpose." + string(p)) }

func areaText(a data.Area) string {
	if a == "" {
		return ""
	}
	return T("area." + string(a))
}

func kindText(k string) string { return T("kind." + k) }

func sourceText(s data.Source) string {
	if s.Code != "" {
		return T("source." + s.Code)
	}
	return s.Name
}

// visitorName is how staff address the visitor: 王先生 / Mr Wang, or the full name.
func visitorName(name, title string) string {
	if title == data.TitleNone {
		return name
	}
	return T("title."+title+".format", map[string]any{"Name": name})
}

// shortDuration renders a wait: 45秒, 12分, 1时05分 (or the English forms).
func shortDuration(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	d = d.Round(time.Second)
	switch {
	case d < time.Minute:
		return T("dur.seconds", map[string]any{"S": int(d.Seconds())})
	case d < time.Hour:
		return T("dur.minutes", map[string]any{"M": int(d.Minutes())})
	}
	return T("dur.hours", map[string]any{"H": int(d.Hours()), "M": fmt.Sprintf("%02d", int(d.Minutes())%60)})
}

// now is the store's clock: the desk and the records it writes share one
// (data.Store.Now; tests set it). Safe on any goroutine.
func (u *UI) now() time.Time { return u.store.Time() }

// location is the office's time zone, as the store keeps it (Asia/Shanghai
// until setup or HQ says otherwise). Safe on any goroutine.
func (u *UI) location() *time.Location { return u.store.Location() }

func (u *UI) clockTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(u.location()).Format("15:04")
}

func (u *UI) dateTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(u.location()).Format("2006-01-02 15:04")
}

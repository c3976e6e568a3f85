// Package forms renders the office's printed forms as PDF: controlled
// documents (ISO 9001) that carry their form number, version, effective
// date, page x of y, the office, a serial number and a QR code of the
// record's id. It uses gofpdf with the embedded CJK TrueType font (only the
// glyphs used are embedded) and never imports Fyne, so it runs headless.
package forms

import (
	"fmt"
	"slices"
	"time"
)

// Version is one revision of a form: "A/0", then "A/1" … "A/9", "B/0".
type Version struct {
	Label     string    // "A/0"
	Effective time.Time // the date it takes effect (midnight, office time)
}

// OverlapDays is how long, from a new version's effective date, the version
// it replaces may still be printed: for 10 calendar days both are valid.
const OverlapDays = 10

// ParseVersion checks a version label: a capital letter, a slash and one
// digit ("A/0").
func ParseVersion(s string) (letter byte, digit int, err error) {
	if len(s) != 3 || s[0] < 'A' || s[0] > 'Z' || s[1] != '/' || s[2] < '0' || s[2] > '9' {
		return 0, 0, fmt.Errorf("form version %q: want a letter, a slash and a digit, like A/0", s)
	}
	return s[0], int(s[2] - '0'), nil
}

// NextVersion is the label of the revision after v: the digit counts 0–9,
// then the letter moves on (A/9 → B/0).
func NextVersion(v string) (string, error) {
	l, d, err := ParseVersion(v)
	if err != nil {
		return "", err
	}
	if d < 9 {
		return fmt.Sprintf("%c/%d", l, d+1), nil
	}
	if l == 'Z' {
		return "", fmt.Errorf("form version %q: no version after Z/9", v)
	}
	return fmt.Sprintf("%c/0", l+1), nil
}

// Definition is a form: its number, titles and versions. What the form
// prints is drawn by the form's render function; the definition holds the
// document-control marks.
type Definition struct {
	Name      string    // command-line name: "visitor-registration"
	Number    string    // form number: "AC-KF-01-F01"
	Title     string    // Chinese title: 来访客户登记表
	TitleEn   string    // English title: Visitor Registration
	Versions  []Version // oldest first, each effective after the one before
	Landscape bool
	// Records says whether stored records of this form exist yet (print
	// --id); forms whose data comes later print blank or with demo content.
	Records bool
}

// Validate checks the version history: labels well formed and each the
// successor of the one before, effective dates strictly increasing.
func (d *Definition) Validate() error {
	if d.Name == "" || d.Number == "" || d.Title == "" || len(d.Versions) == 0 {
		return fmt.Errorf("form %q: name, number, title and a version are required", d.Name)
	}
	for i, v := range d.Versions {
		if _, _, err := ParseVersion(v.Label); err != nil {
			return fmt.Errorf("form %s: %w", d.Name, err)
		}
		if i == 0 {
			continue
		}
		prev := d.Versions[i-1]
		if next, _ := NextVersion(prev.Label); next != v.Label {
			return fmt.Errorf("form %s: version %s follows %s, want %s", d.Name, v.Label, prev.Label, next)
		}
		if !v.Effective.After(prev.Effective) {
			return fmt.Errorf("form %s: version %s takes effect before %s", d.Name, v.Label, prev.Label)
		}
	}
	return nil
}

// Printable returns the versions valid on the date of at (in at's
// location), newest first: the latest version in effect, and the one it
// replaced during the OverlapDays calendar days from the new one's effective
// date. None when no version is in effect yet.
func (d *Definition) Printable(at time.Time) []Version {
	day := civil(at)
	cur := -1
	for i, v := range d.Versions {
		if !civil(v.Effective).After(day) {
			cur = i
		}
	}
	if cur < 0 {
		return nil
	}
	out := []Version{d.Versions[cur]}
	if cur > 0 && day.Before(civil(d.Versions[cur].Effective).AddDate(0, 0, OverlapDays)) {
		out = append(out, d.Versions[cur-1])
	}
	return out
}

// Choose picks the version to print at time at: label "" means the newest
// in effect; any other label must be printable then.
func (d *Definition) Choose(at time.Time, label string) (Version, error) {
	vs := d.Printable(at)
	if len(vs) == 0 {
		return Version{}, fmt.Errorf("form %s: no version in effect on %s", d.Number, at.Format(time.DateOnly))
	}
	if label == "" {
		return vs[0], nil
	}
	i := slices.IndexFunc(vs, func(v Version) bool { return v.Label == label })
	if i < 0 {
		return Version{}, fmt.Errorf("form %s: version %s may not be printed on %s", d.Number, label, at.Format(time.DateOnly))
	}
	return vs[i], nil
}

// civil is the calendar date of t in its own location, as a UTC midnight.
func civil(t time.Time) time.Time {
	y, m, dd := t.Date()
	return time.Date(y, m, dd, 0, 0, 0, 0, time.UTC)
}

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// The forms. Numbers follow the company's scheme AC-<department>-<process>-F<n>
// (KF: 客服 customer service); a company with its own scheme changes them here
// until form definitions come from HQ.
var (
	VisitorRegistration = &Definition{
		Name: "visitor-registration", Number: "AC-KF-01-F01",
		Title: "来访客户登记表", TitleEn: "Visitor Registration",
		Versions: []Version{{Label: "A/0", Effective: date(2026, 11, 1)}},
		Records:  true,
	}
	DailyLog = &Definition{
		Name: "daily-log", Number: "AC-KF-01-F02",
		Title: "来访客户日登记表", TitleEn: "Daily Visitor Log",
		Versions:  []Version{{Label: "A/0", Effective: date(2026, 11, 1)}},
		Landscape: true, Records: true,
	}

	ServiceRecord = &Definition{
		Name: "service-record", Number: "AC-KF-02-F01",
		Title: "报修、投诉、接待情况汇总表", TitleEn: "Repairs, Complaints and Receptions",
		Versions:  []Version{{Label: "A/0", Effective: date(2026, 11, 1)}},
		Landscape: true,
	}
	RevisitRecord = &Definition{
		Name: "revisit-record", Number: "AC-KF-02-F02",
		Title: "回访记录表", TitleEn: "Revisit Record",
		Versions: []Version{{Label: "A/0", Effective: date(2026, 11, 1)}},
	}
	HandoverInspection = &Definition{
		Name: "handover-inspection", Number: "AC-KF-03-F01",
		Title: "交付验房检查表", TitleEn: "Handover Inspection Checklist",
		Versions: []Version{{Label: "A/0", Effective: date(2026, 11, 1)}},
		Records:  true,
	}
)

// All lists the forms in the order `anchang print --list` shows them.
func All() []*Definition {
	return []*Definition{VisitorRegistration, DailyLog, ServiceRecord, RevisitRecord, HandoverInspection}
}

// Lookup finds a form by its command-line name or its number.
func Lookup(name string) (*Definition, bool) {
	for _, d := range All() {
		if d.Name == name || d.Number == name {
			return d, true
		}
	}
	return nil, false
}

// Package sheet reads and writes the spreadsheets the office exchanges:
// CSV and XLSX import files (the FAQ manual, a paper ticket ledger), the
// FAQ export, the complaint ledger and the visits export. It wraps
// github.com/xuri/excelize so that the data package does not: data deals
// in tables of strings and in figures, this package in files.
package sheet

import (
	"strings"
	"time"

	"anchang/data"
)

// defaults fills what a workbook writer was not given: tr writes an enum
// key's code (ticket.kind.complaint → complaint), loc is an office's
// default time zone.
func defaults(tr func(key string) string, loc *time.Location) (func(key string) string, *time.Location) {
	if tr == nil {
		tr = func(k string) string { return k[strings.LastIndexByte(k, '.')+1:] }
	}
	if loc == nil {
		loc = data.DefaultLocation()
	}
	return tr, loc
}

// at is t in loc as layout; the zero time is an empty cell.
func at(t time.Time, loc *time.Location, layout string) string {
	if t.IsZero() {
		return ""
	}
	return t.In(loc).Format(layout)
}

// cellSafe guards a spreadsheet cell against formula injection like
// csvSafe: text a spreadsheet would read as a formula gets a leading
// apostrophe.
func cellSafe(c string) string {
	if c != "" && strings.ContainsRune("=+-@\t\r", rune(c[0])) {
		return "'" + c
	}
	return c
}

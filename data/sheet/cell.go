// Package sheet reads and writes the spreadsheets the office exchanges:
// CSV and XLSX import files (the FAQ manual, a paper ticket ledger), the
// FAQ export, the complaint ledger and the visits export. It wraps
// github.com/xuri/excelize so that the data package does not: data deals
// in tables of strings and in figures, this package in files.
package sheet

import "strings"

// cellSafe guards a spreadsheet cell against formula injection like
// csvSafe: text a spreadsheet would read as a formula gets a leading
// apostrophe.
func cellSafe(c string) string {
	if c != "" && strings.ContainsRune("=+-@\t\r", rune(c[0])) {
		return "'" + c
	}
	return c
}

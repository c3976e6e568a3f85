package sheet

import (
	"encoding/csv"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/xuri/excelize/v2"
)

// WriteFAQ writes the manual's table (data.Store.ExportFAQ) by the name's
// extension: CSV in UTF-8 with a byte-order mark (which Excel needs), its
// cells guarded against formula injection (csvSafe), or an XLSX workbook
// with one sheet, FAQ. Read reads either back.
func WriteFAQ(w io.Writer, name string, table [][]string) error {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".csv":
		if _, err := io.WriteString(w, "\xef\xbb\xbf"); err != nil {
			return fmt.Errorf("export: %w", err)
		}
		cw := csv.NewWriter(w)
		if err := cw.WriteAll(csvSafe(table)); err != nil {
			return fmt.Errorf("export: %w", err)
		}
		return nil
	case ".xlsx":
		f := excelize.NewFile()
		defer f.Close()
		sheet := "FAQ"
		if err := f.SetSheetName("Sheet1", sheet); err != nil {
			return fmt.Errorf("export: %w", err)
		}
		for i, rec := range table {
			cell, _ := excelize.CoordinatesToCellName(1, i+1)
			row := make([]any, len(rec))
			for j, v := range rec {
				row[j] = v
			}
			if err := f.SetSheetRow(sheet, cell, &row); err != nil {
				return fmt.Errorf("export: %w", err)
			}
		}
		_ = f.SetColWidth(sheet, "E", "E", 40)
		_ = f.SetColWidth(sheet, "H", "H", 80)
		if _, err := f.WriteTo(w); err != nil {
			return fmt.Errorf("export: %w", err)
		}
		return nil
	}
	return fileErr("err.faq.import.ext", map[string]any{"Ext": filepath.Ext(name)}, nil)
}

// csvGuarded are the first characters csvSafe guards: a spreadsheet reads
// = + - @ (or a leading tab or carriage return) as a formula, and hides a
// leading apostrophe, so a cell that really starts with one is guarded too.
const csvGuarded = "=+-@\t\r'"

// csvSafe guards exported cells against spreadsheet formula injection: a
// cell starting with a csvGuarded character gets a leading apostrophe.
// Read removes it again (csvUnsafe) from CSV and XLSX alike, so the round
// trip is clean whether the spreadsheet hides the apostrophe (Excel: the
// file comes back without it) or keeps it as text (LibreOffice, WPS: the
// file comes back with it, as CSV or saved as XLSX).
func csvSafe(table [][]string) [][]string {
	out := make([][]string, len(table))
	for i, rec := range table {
		out[i] = make([]string, len(rec))
		for j, c := range rec {
			if c != "" && strings.ContainsRune(csvGuarded, rune(c[0])) {
				c = "'" + c
			}
			out[i][j] = c
		}
	}
	return out
}

// csvUnsafe undoes csvSafe for one imported cell.
func csvUnsafe(c string) string {
	if len(c) > 1 && c[0] == '\'' && strings.ContainsRune(csvGuarded, rune(c[1])) {
		return c[1:]
	}
	return c
}

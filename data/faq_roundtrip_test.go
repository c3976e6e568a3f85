package data

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// An exported CSV comes back clean through a spreadsheet, whichever way
// the spreadsheet treats the protective apostrophe: kept as text and saved
// as CSV or XLSX (LibreOffice, WPS), or hidden and saved without it
// (Excel). Every entry comes back unchanged; none gains an apostrophe.
func TestFAQCSVRoundTripThroughSpreadsheets(t *testing.T) {
	ctx := context.Background()
	s, admin, _ := newFAQStore(t)
	answers := map[string]string{
		"公式题一": "- 首付三成\n- 贷款最长三十年",
		"公式题二": "=以合同为准",
		"公式题三": "'引号开头的回答",
		"公式题四": "+86 热线请拨总台",
	}
	for q, a := range answers {
		_, err := s.SaveFAQ(ctx, admin.ID, "", FAQInput{Category: "loans", Question: q, Answer: a})
		mustOK(t, err)
	}
	var exported bytes.Buffer
	n, err := s.ExportFAQ(ctx, "manual.csv", &exported)
	mustOK(t, err)
	cr := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(exported.Bytes(), []byte("\xef\xbb\xbf"))))
	table, err := cr.ReadAll()
	mustOK(t, err)
	dir := t.TempDir()

	// What each spreadsheet saves.
	keepsCSV := filepath.Join(dir, "kept.csv")
	mustOK(t, os.WriteFile(keepsCSV, exported.Bytes(), 0o600))
	keepsXLSX := filepath.Join(dir, "kept.xlsx")
	f := excelize.NewFile()
	for i, rec := range table {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		row := make([]any, len(rec))
		for j, v := range rec {
			row[j] = v
		}
		mustOK(t, f.SetSheetRow("Sheet1", cell, &row))
	}
	mustOK(t, f.SaveAs(keepsXLSX))
	f.Close()
	hidden := filepath.Join(dir, "hidden.csv")
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	for _, rec := range table {
		out := make([]string, len(rec))
		for j, c := range rec {
			out[j] = strings.TrimPrefix(c, "'") // Excel's quote prefix: shown and saved without it
		}
		mustOK(t, w.Write(out))
	}
	w.Flush()
	mustOK(t, os.WriteFile(hidden, b.Bytes(), 0o600))

	for _, path := range []string{keepsCSV, keepsXLSX, hidden} {
		file, err := os.Open(path)
		mustOK(t, err)
		res, err := s.ImportFAQ(ctx, admin.ID, path, file)
		file.Close()
		if err != nil {
			t.Fatalf("%s: %v", filepath.Base(path), err)
		}
		if res.Updated != 0 || res.Created != 0 || res.Unchanged != n {
			t.Errorf("%s: %+v, want all %d unchanged", filepath.Base(path), res, n)
		}
		entries, err := s.ListFAQ(ctx, FAQFilter{Editing: true})
		mustOK(t, err)
		for _, e := range entries {
			if want, ok := answers[e.Latest.Question]; ok && e.Latest.Answer != want {
				t.Errorf("%s: %s came back as %q, want %q", filepath.Base(path), e.Latest.Question, e.Latest.Answer, want)
			}
		}
	}
}

package sheet

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"anchang/data"
)

func xlsxFile(t *testing.T, rows [][]string, merge string) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		vals := make([]any, len(r))
		for j, v := range r {
			vals[j] = v
		}
		mustOK(t, f.SetSheetRow("Sheet1", cell, &vals))
	}
	if merge != "" {
		a, b, _ := strings.Cut(merge, ":")
		mustOK(t, f.MergeCell("Sheet1", a, b))
	}
	var buf bytes.Buffer
	_, err := f.WriteTo(&buf)
	mustOK(t, err)
	return buf.Bytes()
}

// TestRead: a CSV (with a byte-order mark and a cell on two lines) and an
// XLSX workbook read as the same table, each row with its line in the
// file, the export's formula guard undone.
func TestRead(t *testing.T) {
	rows := [][]string{{"category", "question", "answer"}, {"loans", "首付可以分期吗？", "=以合同为准"}, {"loans", "多行", "第一段\n第二段"}, {"loans", "末行", "x"}}
	var csvFile bytes.Buffer
	mustOK(t, WriteFAQ(&csvFile, "m.csv", rows))
	for _, c := range []struct {
		name  string
		file  []byte
		lines []int
	}{
		{"m.csv", csvFile.Bytes(), []int{1, 2, 3, 5}},
		{"m.XLSX", xlsxFile(t, [][]string{rows[0], rows[1], rows[2], rows[3]}, ""), []int{1, 2, 3, 4}},
	} {
		tb, err := Read(c.name, bytes.NewReader(c.file))
		mustOK(t, err)
		if tb.Name != c.name || !slices.Equal(tb.Lines, c.lines) || len(tb.Rows) != len(rows) {
			t.Fatalf("%s: %+v", c.name, tb)
		}
		for i := range rows {
			if !slices.Equal(tb.Rows[i], rows[i]) {
				t.Errorf("%s row %d: %q, want %q", c.name, i, tb.Rows[i], rows[i])
			}
		}
	}
}

// TestReadRefuses: a file that cannot be read is refused whole with the
// reason the desk shows.
func TestReadRefuses(t *testing.T) {
	gbk, err := simplifiedchinese.GBK.NewEncoder().String("category,question,answer\nloans,首付可以分期吗？,不可以。\n")
	mustOK(t, err)
	header := []string{"category", "question", "answer"}
	for _, tc := range []struct {
		name, file string
		data       []byte
		key        string
		args       map[string]any
	}{
		{"GBK csv", "m.csv", []byte(gbk), "err.faq.import.gbk", nil},
		{"latin-1 csv", "m.csv", []byte("category,question,answer\nloans,caf\xe9,x\n"), "err.faq.import.encoding", nil},
		{"merged cells", "m.xlsx", xlsxFile(t, [][]string{header, {"loans", "问题一", "答案"}, {"loans", "问题二", ""}}, "C2:C3"), "err.faq.import.merged", map[string]any{"Cells": "C2:C3"}},
		{"not an xlsx", "m.xlsx", []byte("category,question,answer\n"), "err.faq.import.xlsx", nil},
		{"unknown format", "m.txt", []byte("x"), "err.faq.import.ext", map[string]any{"Ext": ".txt"}},
		{"unbalanced quotes", "m.csv", []byte("category,question,answer\nloans,\"问题,答案\n"), "err.faq.import.csv", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Read(tc.file, bytes.NewReader(tc.data))
			wantKey(t, err, data.EINVALID, tc.key)
			e, _ := data.AsError(err)
			for k, v := range tc.args {
				if e.Args[k] != v {
					t.Errorf("args %v, want %s=%v", e.Args, k, v)
				}
			}
		})
	}
}

package data

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
)

func exportFAQ(t *testing.T, s *Store, name string) []byte {
	t.Helper()
	var b bytes.Buffer
	_, err := s.ExportFAQ(context.Background(), name, &b)
	mustOK(t, err)
	return b.Bytes()
}

func TestFAQRoundTrip(t *testing.T) {
	ctx := context.Background()
	for _, ext := range []string{".csv", ".xlsx"} {
		t.Run(ext, func(t *testing.T) {
			src, admin, _ := newFAQStore(t)
			file := exportFAQ(t, src, "manual"+ext)

			// Into the same store: nothing changes.
			versions := countRows(t, src, "faq_versions")
			res, err := src.ImportFAQ(ctx, admin.ID, "manual"+ext, bytes.NewReader(file))
			mustOK(t, err)
			if res.Created != 0 || res.Updated != 0 || res.Unchanged < 60 || countRows(t, src, "faq_versions") != versions {
				t.Fatalf("re-import %+v", res)
			}

			// Into a new device: the same manual, ids and statuses.
			dst, dstAdmin, _ := newTestStore(t)
			res, err = dst.ImportFAQ(ctx, dstAdmin.ID, "manual"+ext, bytes.NewReader(file))
			mustOK(t, err)
			entries, err := src.ListFAQ(ctx, FAQFilter{Editing: true})
			mustOK(t, err)
			if res.Created != len(entries) || res.Updated != 0 || res.Unchanged != 0 {
				t.Fatalf("import into a new device %+v", res)
			}
			a, b := exportFAQ(t, src, "x.csv"), exportFAQ(t, dst, "x.csv")
			if !bytes.Equal(a, b) {
				t.Fatalf("round trip differs: %s", firstDiff(a, b))
			}
			found, err := dst.SearchFAQ(ctx, "daikuan", 3)
			mustOK(t, err)
			if found.Total == 0 {
				t.Fatal("imported manual not searchable")
			}
		})
	}
}

func firstDiff(a, b []byte) string {
	la, lb := strings.Split(string(a), "\n"), strings.Split(string(b), "\n")
	for i := range min(len(la), len(lb)) {
		if la[i] != lb[i] {
			return fmt.Sprintf("line %d:\n%s\n%s", i+1, la[i], lb[i])
		}
	}
	return fmt.Sprintf("%d vs %d lines", len(la), len(lb))
}

func TestFAQImportUpdatesAndMovesStatus(t *testing.T) {
	ctx := context.Background()
	s, admin, _ := newFAQStore(t)
	rows := readCSV(t, exportFAQ(t, s, "m.csv"))
	col := func(name string) int {
		for i, h := range rows[0] {
			if h == name {
				return i
			}
		}
		t.Fatalf("no column %s", name)
		return -1
	}
	rows[1][col("answer")] += "（2026年12月更新）"
	id := rows[1][col("id")]
	rows[2][col("status")] = "retired"
	retired := rows[2][col("id")]
	rows = append(rows, make([]string, len(rows[0])))
	last := rows[len(rows)-1]
	last[col("category")], last[col("question")], last[col("answer")], last[col("status")] = "other", "售楼处有无障碍通道吗？", "有，位于东侧入口。", "review"
	res, err := s.ImportFAQ(ctx, admin.ID, "m.csv", bytes.NewReader(writeCSV(t, rows)))
	mustOK(t, err)
	if res.Created != 1 || res.Updated != 1 {
		t.Fatalf("import %+v", res)
	}
	v, err := s.FAQVersionOf(ctx, id, 0)
	mustOK(t, err)
	if v.Version != 2 || v.Status != FAQApproved || !strings.HasSuffix(v.Answer, "更新）") || v.ApproverID != admin.ID {
		t.Fatalf("updated entry %+v", v)
	}
	r, err := s.FAQVersionOf(ctx, retired, 0)
	mustOK(t, err)
	if r.Status != FAQRetired || r.Version != 1 {
		t.Fatalf("retired entry %+v", r)
	}
	res2, err := s.SearchFAQ(ctx, "无障碍", 3)
	mustOK(t, err)
	if res2.Total != 0 {
		t.Fatal("an entry in review is on the desk")
	}
	// Going back from approved is refused, and nothing is applied.
	rows[1][col("status")] = "draft"
	_, err = s.ImportFAQ(ctx, admin.ID, "m.csv", bytes.NewReader(writeCSV(t, rows)))
	wantRows(t, err, []FAQRowError{{Line: 2, Column: "status", Key: "err.faq.transition"}})
}

func readCSV(t *testing.T, b []byte) [][]string {
	t.Helper()
	rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\xef\xbb\xbf")))).ReadAll()
	mustOK(t, err)
	return rows
}

func writeCSV(t *testing.T, rows [][]string) []byte {
	t.Helper()
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	mustOK(t, w.WriteAll(rows))
	return b.Bytes()
}

// wantRows checks an import refused with exactly these (line, column, key).
func wantRows(t *testing.T, err error, want []FAQRowError) {
	t.Helper()
	wantKey(t, err, EINVALID, "err.faq.import.rows")
	var got FAQImportErrors
	if !errors.As(err, &got) {
		t.Fatalf("no row errors in %v", err)
	}
	if len(got) != len(want) {
		t.Fatalf("row errors %v, want %v", got, want)
	}
	for i, w := range want {
		if got[i].Line != w.Line || got[i].Column != w.Column || got[i].Key != w.Key {
			t.Errorf("row error %d = %+v, want %+v", i, got[i], w)
		}
	}
}

func TestFAQImportRefusesBadRows(t *testing.T) {
	ctx := context.Background()
	s, admin, _ := newFAQStore(t)
	ghost := uuid.Must(uuid.NewV7()).String()
	csvText := "category,question,answer,status,effective_on,expires_on,id,template\n" +
		"loans,首付可以分期吗？,不可以。,approved,,,,\n" + // 2 good
		"loans,,没有问题的答案,,,,,\n" + // 3 empty question
		"loans,\"多行答案的问题\",\"第一段\n第二段\",,,,,\n" + // 4-5 good, answer on two lines
		"loans,多行答案的问题,重复,,,,,\n" + // 6 duplicate of line 4
		"loans,太长的答案," + strings.Repeat("长", MaxFAQAnswerLen+1) + ",,,,,\n" + // 7
		"loans,日期反了,答案,,2026-06-01,2026-05-01,,\n" + // 8
		"nope,分类不存在,答案,,,,,\n" + // 9
		"loans,状态不对,答案,done,,,,\n" + // 10
		"loans,含糊的答案,大概下个月。,approved,,,,\n" + // 11
		"parking,车位配比是多少？,与已有条目重复,,,," + ghost + ",\n" + // 12 same question as a starter entry, other id
		"loans,模板列不对,答案,,,,,maybe\n" + // 13
		"loans,编号不对,答案,,,,not-a-uuid,\n" // 14
	before := snapshotFAQ(t, s)
	_, err := s.ImportFAQ(ctx, admin.ID, "bad.csv", strings.NewReader(csvText))
	wantRows(t, err, []FAQRowError{
		{Line: 3, Column: "question", Key: "err.field.required"},
		{Line: 6, Column: "question", Key: "err.faq.import.dup_row"},
		{Line: 7, Column: "answer", Key: "err.field.too_long"},
		{Line: 8, Column: "expires_on", Key: "err.faq.expiry_before"},
		{Line: 9, Column: "category", Key: "err.faq.category"},
		{Line: 10, Column: "status", Key: "err.faq.import.status"},
		{Line: 11, Column: "answer", Key: "err.faq.vague"},
		{Line: 12, Column: "question", Key: "err.faq.duplicate"},
		{Line: 13, Column: "template", Key: "err.faq.import.bool"},
		{Line: 14, Column: "id", Key: "err.faq.import.id"},
	})
	wantFAQUnchanged(t, s, before)

	// The same file without its bad rows applies whole.
	good := "category,question,answer,status\nloans,首付可以分期吗？,不可以。,approved\nloans,\"多行答案的问题\",\"第一段\n第二段\",\n"
	res, err := s.ImportFAQ(ctx, admin.ID, "good.csv", strings.NewReader(good))
	mustOK(t, err)
	if res.Created != 2 {
		t.Fatalf("good rows %+v", res)
	}
}

func snapshotFAQ(t *testing.T, s *Store) map[string]int {
	m := map[string]int{}
	for _, tb := range []string{"faq_entries", "faq_versions", "faq_status_events", "faq_categories", "outbox"} {
		m[tb] = countRows(t, s, tb)
	}
	return m
}

func wantFAQUnchanged(t *testing.T, s *Store, before map[string]int) {
	t.Helper()
	for tb, n := range snapshotFAQ(t, s) {
		if n != before[tb] {
			t.Errorf("%s: %d rows, was %d: a refused import wrote", tb, n, before[tb])
		}
	}
}

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

func TestFAQImportRefusesBrokenFiles(t *testing.T) {
	ctx := context.Background()
	s, admin, _ := newFAQStore(t)
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
		{"missing column", "m.csv", []byte("category,question\nloans,问题\n"), "err.faq.import.missing_columns", map[string]any{"Columns": "answer"}},
		{"missing columns in xlsx", "m.xlsx", xlsxFile(t, [][]string{{"问题"}, {"首付可以分期吗？"}}, ""), "err.faq.import.missing_columns", map[string]any{"Columns": "category, answer"}},
		{"merged cells", "m.xlsx", xlsxFile(t, [][]string{header, {"loans", "问题一", "答案"}, {"loans", "问题二", ""}}, "C2:C3"), "err.faq.import.merged", map[string]any{"Cells": "C2:C3"}},
		{"not an xlsx", "m.xlsx", []byte("category,question,answer\n"), "err.faq.import.xlsx", nil},
		{"unknown format", "m.txt", []byte("x"), "err.faq.import.ext", map[string]any{"Ext": ".txt"}},
		{"empty csv", "m.csv", nil, "err.faq.import.empty", nil},
		{"header only", "m.csv", []byte("category,question,answer\n"), "err.faq.import.empty", nil},
		{"unbalanced quotes", "m.csv", []byte("category,question,answer\nloans,\"问题,答案\n"), "err.faq.import.csv", nil},
		{"column twice", "m.csv", []byte("category,question,answer,问题\nloans,a,b,c\n"), "err.faq.import.dup_column", map[string]any{"Column": "question"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := snapshotFAQ(t, s)
			_, err := s.ImportFAQ(ctx, admin.ID, tc.file, bytes.NewReader(tc.data))
			wantKey(t, err, EINVALID, tc.key)
			e, _ := AsError(err)
			for k, v := range tc.args {
				if e.Args[k] != v {
					t.Errorf("args %v, want %s=%v", e.Args, k, v)
				}
			}
			wantFAQUnchanged(t, s, before)
		})
	}
	// Chinese headers are accepted; receptionists may not import.
	zh := "分类,问题,答案,状态\nother,售楼处有母婴室吗？,有，位于二楼。,approved\n"
	rec := mustStaff(t, s, admin, "李静", RoleReceptionist, "135792")
	_, err = s.ImportFAQ(ctx, rec.ID, "m.csv", strings.NewReader(zh))
	wantKey(t, err, EFORBIDDEN, "err.forbidden")
	res, err := s.ImportFAQ(ctx, admin.ID, "m.csv", strings.NewReader(zh))
	mustOK(t, err)
	if res.Created != 1 {
		t.Fatalf("chinese headers %+v", res)
	}
}

package data

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
)

// exportFAQ is the store's manual as a table, the header first.
func exportFAQ(t *testing.T, s *Store) [][]string {
	t.Helper()
	table, err := s.ExportFAQ(context.Background())
	mustOK(t, err)
	return table
}

// csvTable reads a CSV import file in a test the plain way (encoding/csv,
// each row's line): the store takes tables; data/sheet reads the files
// and tests every refusal of a file.
func csvTable(t *testing.T, name, text string) Table {
	t.Helper()
	cr := csv.NewReader(strings.NewReader(text))
	cr.FieldsPerRecord = -1
	tb := Table{Name: name}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return tb
		}
		mustOK(t, err)
		line, _ := cr.FieldPos(0)
		tb.Rows, tb.Lines = append(tb.Rows, rec), append(tb.Lines, line)
	}
}

// rowsTable is rows as a file's table, a row a line.
func rowsTable(rows [][]string) Table {
	tb := Table{Name: "manual.csv", Rows: rows}
	for i := range rows {
		tb.Lines = append(tb.Lines, i+1)
	}
	return tb
}

// TestFAQRoundTrip: the exported table imported again changes nothing;
// into a new device it brings the same manual, ids and statuses
// (data/sheet's TestFAQFileRoundTrip does it through CSV and XLSX files).
func TestFAQRoundTrip(t *testing.T) {
	ctx := context.Background()
	src, admin, _ := newFAQStore(t)
	table := exportFAQ(t, src)
	versions := countRows(t, src, "faq_versions")
	res, err := src.ImportFAQ(ctx, admin.ID, rowsTable(table))
	mustOK(t, err)
	if res.Created != 0 || res.Updated != 0 || res.Unchanged < 60 || countRows(t, src, "faq_versions") != versions {
		t.Fatalf("re-import %+v", res)
	}
	dst, dstAdmin, _ := newTestStore(t)
	res, err = dst.ImportFAQ(ctx, dstAdmin.ID, rowsTable(table))
	mustOK(t, err)
	if res.Created != len(table)-1 || res.Updated != 0 || res.Unchanged != 0 {
		t.Fatalf("import into a new device %+v", res)
	}
	if a, b := fmt.Sprint(exportFAQ(t, src)), fmt.Sprint(exportFAQ(t, dst)); a != b {
		t.Fatalf("round trip differs: %s", firstDiff([]byte(a), []byte(b)))
	}
	found, err := dst.SearchFAQ(ctx, "daikuan", 3)
	mustOK(t, err)
	if found.Total == 0 {
		t.Fatal("imported manual not searchable")
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
	rows := exportFAQ(t, s)
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
	id := entryAsking(t, s, rows[1][col("question")])
	rows[2][col("status")] = "retired"
	retired := entryAsking(t, s, rows[2][col("question")])
	rows = append(rows, make([]string, len(rows[0])))
	last := rows[len(rows)-1]
	last[col("category")], last[col("question")], last[col("answer")], last[col("status")] = "other", "售楼处有无障碍通道吗？", "有，位于东侧入口。", "review"
	res, err := s.ImportFAQ(ctx, admin.ID, rowsTable(rows))
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
	_, err = s.ImportFAQ(ctx, admin.ID, rowsTable(rows))
	wantRows(t, err, []FAQRowError{{Line: 2, Column: "status", Key: "err.faq.transition"}})
}

// entryAsking is the id of the entry whose newest version asks q.
func entryAsking(t *testing.T, s *Store, q string) string {
	t.Helper()
	entries, err := s.ListFAQ(context.Background(), FAQFilter{Editing: true})
	mustOK(t, err)
	for _, e := range entries {
		if e.Latest.Question == q {
			return e.ID
		}
	}
	t.Fatalf("no entry asks %q", q)
	return ""
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
	// The id of another starter entry than 车位配比是多少？ (an exported
	// file names them by stable id).
	var other string
	for _, r := range exportFAQ(t, s)[1:] {
		if r[4] != "车位配比是多少？" {
			other = r[0]
		}
	}
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
		"parking,车位配比是多少？,与已有条目重复,,,," + other + ",\n" + // 12 same question as a starter entry, another entry's id
		"loans,模板列不对,答案,,,,,maybe\n" + // 13
		"loans,编号不对,答案,,,,not-a-uuid,\n" // 14
	before := snapshotFAQ(t, s)
	_, err := s.ImportFAQ(ctx, admin.ID, csvTable(t, "bad.csv", csvText))
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
	res, err := s.ImportFAQ(ctx, admin.ID, csvTable(t, "good.csv", good))
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

// TestFAQImportRefusesBadTables: a table without the columns it needs,
// with a column twice or no rows is refused whole (data/sheet's
// TestReadRefuses has the files that cannot be read at all).
func TestFAQImportRefusesBadTables(t *testing.T) {
	ctx := context.Background()
	s, admin, _ := newFAQStore(t)
	var err error
	for _, tc := range []struct {
		name, file string
		data       []byte
		key        string
		args       map[string]any
	}{
		{"missing column", "m.csv", []byte("category,question\nloans,问题\n"), "err.faq.import.missing_columns", map[string]any{"Columns": "answer"}},
		{"missing columns", "m.xlsx", []byte("问题\n首付可以分期吗？\n"), "err.faq.import.missing_columns", map[string]any{"Columns": "category, answer"}},
		{"empty csv", "m.csv", nil, "err.faq.import.empty", nil},
		{"header only", "m.csv", []byte("category,question,answer\n"), "err.faq.import.empty", nil},
		{"column twice", "m.csv", []byte("category,question,answer,问题\nloans,a,b,c\n"), "err.faq.import.dup_column", map[string]any{"Column": "question"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := snapshotFAQ(t, s)
			_, err := s.ImportFAQ(ctx, admin.ID, csvTable(t, tc.file, string(tc.data)))
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
	_, err = s.ImportFAQ(ctx, rec.ID, csvTable(t, "m.csv", zh))
	wantKey(t, err, EFORBIDDEN, "err.forbidden")
	res, err := s.ImportFAQ(ctx, admin.ID, csvTable(t, "m.csv", zh))
	mustOK(t, err)
	if res.Created != 1 {
		t.Fatalf("chinese headers %+v", res)
	}
}

// TestManualMovesBetweenDevices: two devices set up as two new offices,
// each with the starter manual under its own random ids. A manual edited
// on one and exported imports on the other as new versions of the same
// entries (67 rows refused as duplicate questions before), with their
// history, no duplicates, and a second import changes nothing. And back.
func TestManualMovesBetweenDevices(t *testing.T) {
	ctx := context.Background()
	{
		{
			a, adminA, _ := newFAQStore(t)
			b, adminB, _ := newFAQStore(t)
			starter := countRows(t, b, "faq_entries")
			if entryAsking(t, a, "车位配比是多少？") == entryAsking(t, b, "车位配比是多少？") {
				t.Fatal("both devices gave the starter entry one id: the test proves nothing")
			}
			// On A: reword a starter question, change an answer, retire one, add one.
			reworded := entryAsking(t, a, "车位配比是多少？")
			v, err := a.FAQVersionOf(ctx, reworded, 0)
			mustOK(t, err)
			in := v.FAQInput
			in.Question, in.Answer = "车位和户数的配比是多少？", v.Answer+"（2026年12月核实）"
			_, err = a.SaveFAQ(ctx, adminA.ID, reworded, in)
			mustOK(t, err)
			for _, to := range []FAQStatus{FAQReview, FAQApproved} {
				mustOK(t, a.SetFAQStatus(ctx, adminA.ID, reworded, to, ""))
			}
			mustOK(t, a.SetFAQStatus(ctx, adminA.ID, entryAsking(t, a, "买房的流程是怎样的？"), FAQRetired, ""))
			added, err := a.SaveFAQ(ctx, adminA.ID, "", faqIn("售楼处有无障碍通道吗？", "有，位于东侧入口。"))
			mustOK(t, err)

			file := rowsTable(exportFAQ(t, a))
			res, err := b.ImportFAQ(ctx, adminB.ID, file)
			mustOK(t, err)
			if res.Created != 1 || res.Updated != 1 || res.Unchanged != starter-1 {
				t.Fatalf("import on the other device %+v (starter %d)", res, starter)
			}
			if n := countRows(t, b, "faq_entries"); n != starter+1 {
				t.Fatalf("%d entries on B, want %d", n, starter+1)
			}
			// The reworded entry is B's own starter entry, at version 2,
			// its version 1 kept.
			onB := entryAsking(t, b, "车位和户数的配比是多少？")
			hist, err := b.FAQHistory(ctx, onB)
			mustOK(t, err)
			if len(hist) != 2 || hist[0].Question != "车位配比是多少？" || hist[1].Status != FAQApproved || hist[1].Answer != in.Answer {
				t.Fatalf("history on B %+v", hist)
			}
			r, err := b.FAQVersionOf(ctx, entryAsking(t, b, "买房的流程是怎样的？"), 0)
			mustOK(t, err)
			if r.Status != FAQRetired {
				t.Fatalf("retired on A, %s on B", r.Status)
			}
			if nv, err := b.FAQVersionOf(ctx, added.EntryID, 0); err != nil || nv.Status != FAQDraft {
				t.Fatalf("the new entry on B: %+v %v (same id as on A, a draft)", nv, err)
			}
			hits, err := b.SearchFAQ(ctx, "车位和户数", 3)
			mustOK(t, err)
			if hits.Total != 1 {
				t.Fatalf("desk on B finds %d", hits.Total)
			}
			// Again: nothing changes.
			versions := countRows(t, b, "faq_versions")
			res, err = b.ImportFAQ(ctx, adminB.ID, file)
			mustOK(t, err)
			if res.Created != 0 || res.Updated != 0 || countRows(t, b, "faq_versions") != versions {
				t.Fatalf("second import %+v", res)
			}
			// And back: B's export is A's manual.
			res, err = a.ImportFAQ(ctx, adminA.ID, rowsTable(exportFAQ(t, b)))
			mustOK(t, err)
			if res.Created != 0 || res.Updated != 0 {
				t.Fatalf("back on A %+v", res)
			}
		}
	}
}

// TestFAQImportReportsEveryBadCell: each bad cell of each row is listed,
// not only the first of a row.
func TestFAQImportReportsEveryBadCell(t *testing.T) {
	ctx := context.Background()
	s, admin, _ := newFAQStore(t)
	before := snapshotFAQ(t, s)
	csvText := "category,question,answer,status,effective_on,expires_on,template,scope,id\n" +
		"nope,,大概吧,approved,2026-13-01,,maybe,x y,bad-id\n" + // 2: seven bad cells
		"loans,好问题,,done,,2026-02-30,,,\n" // 3: three
	_, err := s.ImportFAQ(ctx, admin.ID, csvTable(t, "bad.csv", csvText))
	wantRows(t, err, []FAQRowError{
		{Line: 2, Column: "template", Key: "err.faq.import.bool"},
		{Line: 2, Column: "id", Key: "err.faq.import.id"},
		{Line: 2, Column: "question", Key: "err.field.required"},
		{Line: 2, Column: "scope", Key: "err.faq.scope"},
		{Line: 2, Column: "effective_on", Key: "err.faq.date"},
		{Line: 2, Column: "answer", Key: "err.faq.vague"},
		{Line: 2, Column: "category", Key: "err.faq.category"},
		{Line: 3, Column: "status", Key: "err.faq.import.status"},
		{Line: 3, Column: "answer", Key: "err.field.required"},
		{Line: 3, Column: "expires_on", Key: "err.faq.date"},
	})
	wantFAQUnchanged(t, s, before)
}

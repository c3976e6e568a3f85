package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"anchang/data"
)

// setUpDir is a data directory with a set-up office.
func setUpDir(t *testing.T) string {
	t.Helper()
	dir, s, _ := setUpStore(t)
	s.Close()
	return dir
}

// setUpStore opens a new data directory and sets the office up; the
// caller closes the store before running a verb on the directory.
func setUpStore(t *testing.T) (string, *data.Store, data.Staff) {
	t.Helper()
	dir := t.TempDir()
	s, err := data.Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	admin, err := s.Setup(context.Background(), data.SetupInput{OfficeName: "星河湾售楼处", OfficeCode: "XHW", DeviceName: "前台", AdminName: "管理员", AdminPIN: "258014"})
	if err != nil {
		s.Close()
		t.Fatal(err)
	}
	return dir, s, admin
}

func runFAQ(t *testing.T, dir string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := Run(context.Background(), Config{DataDir: dir, Verb: "faq", Args: args}, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestFAQSearchPrintsJSONLines(t *testing.T) {
	dir := setUpDir(t)
	for _, tc := range []struct {
		query    string
		first    string // question of the first hit
		category string
	}{
		{"车位", "车位多少钱？", "parking"},
		{"dk", "", ""}, // 对口, 地库 and 贷款 all collide; shorter questions first,
		{"daikuan", "", "loans"},
		{"物业费", "物业费多少钱？", "property"},
		{"parking", "", "parking"},
	} {
		code, out, errOut := runFAQ(t, dir, "search", "--limit", "5", tc.query)
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", tc.query, code, errOut)
		}
		lines := strings.Split(strings.TrimSpace(out), "\n")
		if len(lines) == 0 || len(lines) > 5 {
			t.Fatalf("%s: %d lines", tc.query, len(lines))
		}
		var prev = 1 << 30
		for i, l := range lines {
			var h struct {
				ID, Question, Category string
				Score                  int
			}
			if err := json.Unmarshal([]byte(l), &h); err != nil || h.ID == "" || h.Question == "" {
				t.Fatalf("%s: line %q: %v", tc.query, l, err)
			}
			if h.Score > prev {
				t.Fatalf("%s: not ranked: %s", tc.query, out)
			}
			prev = h.Score
			if i == 0 && (tc.first != "" && h.Question != tc.first || tc.category != "" && h.Category != tc.category) {
				t.Errorf("%s: first hit %+v", tc.query, h)
			}
		}
	}
	// Nothing found: no output, a miss recorded.
	code, out, errOut := runFAQ(t, dir, "search", "游泳池")
	if code != 0 || out != "" || !strings.Contains(errOut, "miss") {
		t.Fatalf("miss: %d %q %q", code, out, errOut)
	}
	s, err := data.Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	misses, err := s.TopFAQMisses(context.Background(), time.Time{}, 5)
	if err != nil || len(misses) != 1 || misses[0].Question != "游泳池" {
		t.Fatalf("misses %+v %v", misses, err)
	}
}

func TestFAQExportImport(t *testing.T) {
	dir := setUpDir(t)
	for _, ext := range []string{".csv", ".xlsx"} {
		file := filepath.Join(t.TempDir(), "manual"+ext)
		code, out, errOut := runFAQ(t, dir, "export", file)
		if code != 0 || !strings.Contains(out, "exported 67 entries") {
			t.Fatalf("export: %d %q %q", code, out, errOut)
		}
		if st, err := os.Stat(file); err != nil || st.Size() == 0 {
			t.Fatalf("no file: %v", err)
		}
		code, out, errOut = runFAQ(t, dir, "import", file)
		if code != 0 || !strings.Contains(out, "0 new, 0 updated, 67 unchanged") {
			t.Fatalf("import: %d %q %q", code, out, errOut)
		}
	}
}

func TestFAQImportReportsEveryBadRow(t *testing.T) {
	t.Setenv("LC_ALL", "")
	t.Setenv("LC_MESSAGES", "")
	t.Setenv("LANG", "en_US.UTF-8")
	dir := setUpDir(t)
	file := filepath.Join(t.TempDir(), "bad.csv")
	if err := os.WriteFile(file, []byte("category,question,answer\nloans,,答案\nloans,日期,大概吧\nnope,分类,答案\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := runFAQ(t, dir, "import", file)
	if code != 1 {
		t.Fatalf("exit %d", code)
	}
	for _, want := range []string{"2 problems found; nothing was imported", "Line 2 · question: Required.", "Line 4 · category: No such category: nope."} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
	t.Setenv("LANG", "zh_CN.UTF-8")
	code, _, errOut = runFAQ(t, dir, "import", file)
	// Every line in Chinese: no English "line", no keys (issue 12).
	if code != 1 || !strings.Contains(errOut, "未导入任何内容") || !strings.Contains(errOut, "第 2 行 · 问题（question）：") ||
		!strings.Contains(errOut, "第 4 行 · 分类（category）：") || strings.Contains(errOut, "line") || strings.Contains(errOut, "err.") {
		t.Fatalf("zh: %d %s", code, errOut)
	}
}

func TestFAQVerbRefusesBadInput(t *testing.T) {
	dir := setUpDir(t)
	for _, tc := range []struct {
		args []string
		dir  string
		says string
	}{
		{nil, dir, "import, export or search"},
		{[]string{"frob"}, dir, `unknown command "frob"`},
		{[]string{"search"}, dir, "give a QUERY"},
		{[]string{"search", "--limit", "0", "x"}, dir, "--limit"},
		{[]string{"import"}, dir, "one FILE"},
		{[]string{"import", "--by", "nobody", "x.csv"}, dir, `no active admin named "nobody"`},
		{[]string{"export", "manual.txt"}, dir, ".txt"},
		{[]string{"import", "/no/such/file.csv"}, dir, "no such file"},
		{[]string{"search", "x"}, t.TempDir(), "no Anchang database"},
	} {
		code, _, errOut := runFAQ(t, tc.dir, tc.args...)
		if code == 0 || !strings.Contains(errOut, tc.says) {
			t.Errorf("%v: exit %d, stderr %q, want %q", tc.args, code, errOut, tc.says)
		}
	}
}

// A verb's flags after its arguments, and the global --data-dir after the
// verb, are honoured, never taken for arguments and ignored; an unknown
// flag anywhere is refused.
func TestVerbFlagsAnywhere(t *testing.T) {
	dir := setUpDir(t)
	lines := func(out string) int { return len(strings.Split(strings.TrimSpace(out), "\n")) }
	code, out, errOut := runFAQ(t, dir, "search", "交房", "--limit", "1")
	if code != 0 || lines(out) != 1 {
		t.Fatalf("--limit after the query: exit %d, %d lines: %s", code, lines(out), errOut)
	}
	// The data directory after the verb: the office's manual, not the
	// default directory's.
	var o, e bytes.Buffer
	cfg, err := Parse([]string{"--data-dir", t.TempDir(), "faq", "search", "交房", "--data-dir", dir, "--limit=2"}, &e)
	if err != nil {
		t.Fatal(err)
	}
	if code := Run(context.Background(), cfg, &o, &e); code != 0 || lines(o.String()) != 2 {
		t.Fatalf("--data-dir after the verb: exit %d: %s%s", code, o.String(), e.String())
	}
	// "--" ends the flags: what follows is the query.
	code, out, _ = runFAQ(t, dir, "search", "--limit", "3", "--", "--limit")
	if code != 0 || strings.Contains(out, "flag") {
		t.Fatalf("-- then a query: exit %d: %s", code, out)
	}
	code, _, errOut = runFAQ(t, dir, "search", "交房", "--bogus")
	if code == 0 || !strings.Contains(errOut, "-bogus") {
		t.Fatalf("unknown flag after the query: exit %d: %s", code, errOut)
	}
}

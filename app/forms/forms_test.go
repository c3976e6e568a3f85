package forms

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"anchang/assets"
	"anchang/data"
)

var shanghai = mustLoc("Asia/Shanghai")

func mustLoc(name string) *time.Location {
	l, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return l
}

var printedAt = time.Date(2026, 11, 23, 16, 30, 0, 0, shanghai)

func meta(serial, id string) Meta {
	return Meta{Office: "星河湾售楼处（演示）", Serial: serial, RecordID: id, PrintedAt: printedAt, PrintedBy: "李静", Loc: shanghai}
}

func sampleVisit() data.VisitRecord {
	arr := time.Date(2026, 11, 23, 10, 12, 0, 0, shanghai)
	return data.VisitRecord{
		Visit: data.Visit{ID: "0193f2a4-7c1e-7b55-9a1d-3c5e8f0a2b61", Name: "王", Title: data.TitleMs, Phone: "138****5678",
			ArrivedAt: arr, PartySize: 3, Purpose: data.PurposeViewing, Kind: data.KindFirst, Via: data.ViaDesk,
			InterestUnit: "3号楼 二单元 1202（三室两厅 118㎡）", InterestBudget: "总价 300–350 万",
			Notes:          "客户关注学区与地铁距离，希望了解贷款政策（公积金组合贷），下周六带父母再来看样板间。",
			ConsentVersion: data.ConsentVersion, ConsultantName: "陈思远",
			AssignedAt: arr.Add(2 * time.Minute), HandedOverAt: arr.Add(4 * time.Minute), Area: data.AreaSandTable},
		Ordinal: 7, Day: "2026-11-23", SourceCode: "referral", CreatedByName: "李静",
	}
}

func sampleLog(n int) DayLogData {
	l := DayLogData{Day: "2026-11-23"}
	base := time.Date(2026, 11, 23, 9, 0, 0, 0, shanghai)
	names := []string{"张伟", "李娜", "王秀英", "刘洋", "陈静", "欧阳明月", "赵", "黄磊"}
	for i := 0; i < n; i++ {
		at := base.Add(time.Duration(i) * 100 * time.Second)
		r := data.LogRow{Ordinal: i + 1, SourceCode: data.DefaultSourceCodes[i%len(data.DefaultSourceCodes)]}
		r.VisitID = fmt.Sprintf("visit-%04d", i)
		r.ArrivedAt, r.Name, r.PhoneMasked, r.PartySize = at, names[i%len(names)], fmt.Sprintf("139****%04d", i), 1+i%4
		r.Purpose, r.Kind, r.Via = data.Purposes[i%len(data.Purposes)], []string{data.KindFirst, data.KindReturn}[i%2], data.ViaDesk
		if i%5 == 0 {
			r.Via, r.SourceCode = data.ViaKiosk, ""
		}
		if i%3 != 2 {
			r.ConsultantName, r.Area, r.HandedOverAt = "林晓雯", data.AreaNegotiation, at.Add(3*time.Minute)
		}
		if i%4 == 0 {
			r.LeftAt = at.Add(50 * time.Minute)
			r.InterestUnit = "5号楼 三室"
		}
		l.Rows = append(l.Rows, r)
	}
	return l
}

// pdfTools skips the test when poppler-utils or qpdf are missing outside CI.
func pdfTools(t testing.TB) {
	t.Helper()
	for _, tool := range []string{"qpdf", "pdftotext", "pdfinfo", "pdffonts"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") != "" {
				t.Fatalf("%s missing: scripts/deps.sh installs qpdf and poppler-utils", tool)
			}
			t.Skipf("%s missing (apt-get install qpdf poppler-utils)", tool)
		}
	}
}

func run(t testing.TB, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// checked is a rendered PDF that passed qpdf, with its text per page.
type checked struct {
	path  string
	pages []string
	size  int
}

func (c checked) text() string { return strings.Join(c.pages, "\f") }

// check writes pdf to a file and checks it with the real tools: qpdf
// finds no fault, the font is an embedded TrueType (subset) font, and
// pdftotext gives the text of every page.
func check(t *testing.T, name string, pdf []byte) checked {
	t.Helper()
	pdfTools(t)
	path := filepath.Join(t.TempDir(), name+".pdf")
	if err := os.WriteFile(path, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	if out := run(t, "qpdf", "--check", path); !strings.Contains(out, "No syntax or stream encoding errors") {
		t.Fatalf("qpdf --check %s:\n%s", name, out)
	}
	fonts := run(t, "pdffonts", path)
	if !regexp.MustCompile(`(?m)TrueType.*\s+yes\s+(yes|no)\s+yes`).MatchString(fonts) {
		t.Fatalf("%s: no embedded TrueType font:\n%s", name, fonts)
	}
	// gofpdf writes no subset tag, so pdffonts says "sub no"; the size
	// shows the subset: the whole font is 4.6 MB.
	if len(pdf) > 400<<10 {
		t.Fatalf("%s: %d KB, the font is not subset", name, len(pdf)>>10)
	}
	info := run(t, "pdfinfo", path)
	m := regexp.MustCompile(`(?m)^Pages:\s+(\d+)`).FindStringSubmatch(info)
	if m == nil {
		t.Fatalf("pdfinfo %s: no page count:\n%s", name, info)
	}
	n, _ := strconv.Atoi(m[1])
	txt := run(t, "pdftotext", "-layout", path, "-")
	pages := strings.Split(strings.TrimSuffix(txt, "\f"), "\f")
	if len(pages) != n {
		t.Fatalf("%s: pdfinfo says %d pages, pdftotext found %d", name, n, len(pages))
	}
	return checked{path: path, pages: pages, size: len(pdf)}
}

// controlMarks checks every page for the document-control marks.
func controlMarks(t *testing.T, c checked, def *Definition, serial, office string) {
	t.Helper()
	for i, p := range c.pages {
		for _, want := range []string{def.Title, def.Number, "A/0", "2026-11-01", serial, office,
			fmt.Sprintf("第 %d 页 共 %d 页", i+1, len(c.pages))} {
			if !strings.Contains(p, want) {
				t.Errorf("%s page %d lacks %q:\n%s", def.Name, i+1, want, p)
			}
		}
	}
}

func TestVisitorRegistration(t *testing.T) {
	var b bytes.Buffer
	r := sampleVisit()
	serial := Serial("DEMO", r.Day, r.Ordinal)
	if err := RenderVisitorRegistration(&b, meta(serial, ""), r); err != nil {
		t.Fatal(err)
	}
	c := check(t, "visitor", b.Bytes())
	if len(c.pages) != 1 {
		t.Fatalf("%d pages, want 1", len(c.pages))
	}
	controlMarks(t, c, VisitorRegistration, "DEMO-20261123-0007", "星河湾售楼处（演示）")
	for _, want := range []string{"来访客户登记表", "Visitor Registration", "138****5678", "王", "女士",
		"老带新/朋友介绍", "陈思远", "沙盘区", "客户签名", "Record ID " + r.ID, "看房 Viewing"} {
		if !strings.Contains(c.text(), want) {
			t.Errorf("text lacks %q", want)
		}
	}
}

func TestDailyLogLong(t *testing.T) {
	var b bytes.Buffer
	l := sampleLog(300)
	serial := Serial("DEMO", l.Day, 0)
	if err := RenderDailyLog(&b, meta(serial, "daylog:2026-11-23"), l); err != nil {
		t.Fatal(err)
	}
	c := check(t, "daylog", b.Bytes())
	if len(c.pages) < 5 {
		t.Fatalf("300 visits on %d pages, want several", len(c.pages))
	}
	controlMarks(t, c, DailyLog, "DEMO-20261123", "星河湾售楼处（演示）")
	seen := 0
	for i, p := range c.pages {
		// the table header on every page
		for _, h := range []string{"序号", "到访", "客户姓名", "置业顾问"} {
			if !strings.Contains(p, h) {
				t.Errorf("page %d lacks the table header %q", i+1, h)
			}
		}
		seen += strings.Count(p, "139****")
	}
	if seen != 300 {
		t.Errorf("%d rows printed, want 300", seen)
	}
	if last := c.pages[len(c.pages)-1]; !strings.Contains(last, "主管审核") {
		t.Errorf("last page lacks the signatures:\n%s", last)
	}
}

// TestWritePreviews writes the forms to $FORMS_PREVIEW_DIR (when set), for
// rendering to PNG: scripts/forms-preview.sh.
func TestWritePreviews(t *testing.T) {
	dir := os.Getenv("FORMS_PREVIEW_DIR")
	if dir == "" {
		t.Skip("FORMS_PREVIEW_DIR not set")
	}
	write := func(name string, render func(*bytes.Buffer) error) {
		var b bytes.Buffer
		if err := render(&b); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name+".pdf"), b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	r := sampleVisit()
	m := meta(Serial("DEMO", r.Day, r.Ordinal), "")
	write("visitor-registration", func(b *bytes.Buffer) error { return RenderVisitorRegistration(b, m, r) })
	write("daily-log", func(b *bytes.Buffer) error {
		return RenderDailyLog(b, meta(Serial("DEMO", "2026-11-23", 0), "DEMO/daylog/2026-11-23"), sampleLog(60))
	})
	m = meta("DEMO-20261123-0001", "0193f2a4-7c1e-7b55-9a1d-3c5e8f0a2b61")
	write("service-record", func(b *bytes.Buffer) error { return RenderServiceLog(b, m, DemoServiceLog(printedAt)) })
	write("revisit-record", func(b *bytes.Buffer) error { return RenderRevisit(b, m, DemoRevisit(printedAt)) })
	write("handover-inspection", func(b *bytes.Buffer) error { return RenderInspection(b, m, DemoInspection(printedAt)) })
	for _, def := range All() {
		write(def.Name+"-blank", func(b *bytes.Buffer) error { return Blank(b, def, m) })
	}
	bad := r
	bad.Name = strings.Repeat("欧阳", 60) + "𠀀䶮😀🇨🇳"
	bad.Notes, bad.InterestUnit, bad.ConsultantName, bad.Area = "", "", "", ""
	write("bad-input", func(b *bytes.Buffer) error {
		return RenderVisitorRegistration(b, meta(Serial("DEMO", r.Day, r.Ordinal), ""), bad)
	})
}

func TestPrintable(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"王小明", "王小明"},
		{"𠀀先生", "□先生"},
		{"龚䶮", "龚□"},
		{"笑😀了", "笑□了"},
		{"👨‍👩‍👧 一家", "□ 一家"},         // one sequence, one placeholder
		{"👍🏽好", "□好"},                // skin tone
		{"🇨🇳国旗", "□国旗"},              // a flag's pair
		{"★\uFE0F", "★"},             // the selector goes, the symbol stays
		{"a\tb\r\nc\x07", "a b\nc□"}, // controls
		{"", ""},
	} {
		if got := Printable(tc.in); got != tc.want {
			t.Errorf("Printable(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if !Covered('王') || Covered(0x20000) || !Covered(Placeholder) {
		t.Error("font coverage wrong for 王, 𠀀 or the placeholder")
	}
}

func TestWrap(t *testing.T) {
	d, err := newDoc(VisitorRegistration, meta("S", "id"))
	if err != nil {
		t.Fatal(err)
	}
	d.font(10)
	for _, s := range []string{
		"客户关注学区与地铁距离，希望了解贷款政策（公积金组合贷），下周六带父母再来看样板间。",
		"Supercalifragilisticexpialidocious words and 中文 mixed together, with a verylongwordthatcannotfitonaline at all",
		strings.Repeat("王", 400),
	} {
		lines := d.wrap(s, 40)
		joined := strings.Join(lines, "")
		if strings.ReplaceAll(joined, " ", "") != strings.ReplaceAll(s, " ", "") {
			t.Errorf("wrap lost text:\n%q\n%q", s, joined)
		}
		for _, l := range lines {
			if w := d.width(l); w > 40.01 {
				t.Errorf("line %q is %.1f mm wide, box 40 mm", l, w)
			}
			if l != "" && strings.ContainsRune("，。）", []rune(l)[0]) {
				t.Errorf("line starts with closing punctuation: %q", l)
			}
		}
	}
}

// TestBadInput: a 400-character name, characters outside the font and
// empty optional fields still make a valid PDF whose text shows the
// placeholder where the missing characters were.
func TestBadInput(t *testing.T) {
	r := sampleVisit()
	r.Name = strings.Repeat("欧阳", 195) + "𠀀䶮😀🇨🇳"
	r.Title, r.InterestUnit, r.InterestBudget, r.Notes = "", "", "", ""
	r.SourceCode, r.ConsultantName, r.Area = "", "", ""
	r.AssignedAt, r.HandedOverAt, r.LeftAt = time.Time{}, time.Time{}, time.Time{}
	r.Phone, r.PartySize, r.Kind = "", 0, ""
	m := meta(Serial("DEMO", r.Day, r.Ordinal), r.ID)
	m.Office = strings.Repeat("非常长的售楼处名称", 30) + "😀"
	m.PrintedBy = ""
	var b bytes.Buffer
	if err := RenderVisitorRegistration(&b, m, r); err != nil {
		t.Fatal(err)
	}
	c := check(t, "bad-visitor", b.Bytes())
	txt := strings.Join(strings.Fields(c.text()), "")
	if !strings.Contains(txt, "欧阳欧阳□□□□") {
		t.Errorf("placeholders missing from the name:\n%s", c.text())
	}
	if n, m := strings.Count(txt, "欧"), strings.Count(txt, "阳"); n != 195 || m != 195 {
		t.Errorf("name cut: %d 欧 and %d 阳 of 195 printed", n, m)
	}
	controlMarks(t, c, VisitorRegistration, "DEMO-20261123-0007", "非常长的售楼处名称")

	l := sampleLog(3)
	l.Rows[1].Name = strings.Repeat("𠀀😀长", 140)
	l.Rows[2].ConsultantName, l.Rows[2].SourceName, l.Rows[2].SourceCode = "", "", ""
	b.Reset()
	if err := RenderDailyLog(&b, meta("DEMO-20261123", ""), l); err != nil {
		t.Fatal(err)
	}
	c = check(t, "bad-log", b.Bytes())
	if !strings.Contains(c.text(), "□□长") {
		t.Errorf("placeholders missing from the log:\n%s", c.text())
	}
	b.Reset()
	if err := RenderDailyLog(&b, meta("DEMO-20261123", ""), DayLogData{Day: "2026-11-23"}); err != nil {
		t.Fatal(err)
	}
	if c = check(t, "empty-log", b.Bytes()); !strings.Contains(c.text(), "本日无来访登记") {
		t.Errorf("empty log:\n%s", c.text())
	}
	// Waits of 3:00 and 4:20 average 3:40: 4 minutes, as the board's
	// data.WaitTotal says (the log truncated to 3 before).
	l = sampleLog(2)
	l.Rows[1].HandedOverAt = l.Rows[1].ArrivedAt.Add(4*time.Minute + 20*time.Second)
	b.Reset()
	if err := RenderDailyLog(&b, meta("DEMO-20261123", ""), l); err != nil {
		t.Fatal(err)
	}
	if txt := check(t, "wait-log", b.Bytes()).text(); !strings.Contains(txt, "4 分钟 min") {
		t.Errorf("average wait of 3:00 and 4:20 not 4 min:\n%s", txt)
	}
	b.Reset()
	if err := RenderDailyLog(&b, meta("DEMO-20261123", ""), DayLogData{Day: "2026-11-23"}); err != nil {
		t.Fatal(err)
	}
	c = check(t, "empty-log", b.Bytes())
	// Nobody handed over: the average wait is "—", not 0 (as on the board).
	if txt := c.text(); !strings.Contains(txt, "—") || strings.Contains(txt, "0 分钟") || strings.Contains(txt, "0 秒") {
		t.Errorf("empty log's average wait:\n%s", txt)
	}
}

func TestVersions(t *testing.T) {
	for _, tc := range []struct{ v, next string }{{"A/0", "A/1"}, {"A/8", "A/9"}, {"A/9", "B/0"}, {"B/3", "B/4"}, {"Y/9", "Z/0"}} {
		if got, err := NextVersion(tc.v); err != nil || got != tc.next {
			t.Errorf("NextVersion(%s) = %s, %v; want %s", tc.v, got, err, tc.next)
		}
	}
	for _, bad := range []string{"", "A0", "a/0", "A/10", "Z/9", "A-0"} {
		if _, err := NextVersion(bad); err == nil {
			t.Errorf("NextVersion(%q) accepted", bad)
		}
	}
	d := &Definition{Name: "t", Number: "T-01", Title: "测试", Versions: []Version{
		{"A/8", date(2026, 1, 1)}, {"A/9", date(2026, 6, 1)}, {"B/0", date(2026, 11, 20)}}}
	if err := d.Validate(); err != nil {
		t.Fatal(err)
	}
	on := func(y int, m time.Month, dd, h int) time.Time { return time.Date(y, m, dd, h, 0, 0, 0, shanghai) }
	for _, tc := range []struct {
		at   time.Time
		want string
	}{
		{on(2025, 12, 31, 23), ""},        // nothing in effect yet
		{on(2026, 1, 1, 0), "A/8"},        // first version, alone
		{on(2026, 6, 1, 9), "A/9 A/8"},    // new version's first day: both
		{on(2026, 6, 10, 23), "A/9 A/8"},  // tenth day: both
		{on(2026, 6, 11, 0), "A/9"},       // eleventh day: the new one only
		{on(2026, 11, 19, 23), "A/9"},     // B/0 not in effect yet
		{on(2026, 11, 23, 16), "B/0 A/9"}, // A/9 → B/0 overlap
		{on(2026, 11, 30, 8), "B/0"},
	} {
		var got []string
		for _, v := range d.Printable(tc.at) {
			got = append(got, v.Label)
		}
		if strings.Join(got, " ") != tc.want {
			t.Errorf("printable on %s: %v, want %s", tc.at, got, tc.want)
		}
	}
	if v, err := d.Choose(on(2026, 11, 23, 16), "A/9"); err != nil || v.Label != "A/9" {
		t.Errorf("choose the old version in the overlap: %v %v", v, err)
	}
	if _, err := d.Choose(on(2026, 12, 1, 16), "A/9"); err == nil {
		t.Error("old version chosen after the overlap")
	}
	bad := *d
	bad.Versions = []Version{{"A/0", date(2026, 1, 1)}, {"A/2", date(2026, 2, 1)}}
	if bad.Validate() == nil {
		t.Error("skipped version accepted")
	}
	bad.Versions = []Version{{"A/0", date(2026, 1, 1)}, {"A/1", date(2026, 1, 1)}}
	if bad.Validate() == nil {
		t.Error("same effective date accepted")
	}
	for _, f := range All() {
		if err := f.Validate(); err != nil {
			t.Error(err)
		}
		if g, ok := Lookup(f.Name); !ok || g != f {
			t.Errorf("lookup %s", f.Name)
		}
	}
}

func BenchmarkDailyLog(b *testing.B) {
	l := sampleLog(120)
	m := meta("DEMO-20261123", "daylog")
	var size int
	b.ResetTimer()
	for b.Loop() {
		var buf bytes.Buffer
		if err := RenderDailyLog(&buf, m, l); err != nil {
			b.Fatal(err)
		}
		size = buf.Len()
	}
	b.ReportMetric(float64(size)/1024, "KB/pdf")
}

func TestServiceRevisitInspection(t *testing.T) {
	m := meta("DEMO-20261123-0001", "0193f2a4-7c1e-7b55-9a1d-3c5e8f0a2b61")
	for _, tc := range []struct {
		def    *Definition
		render func(*bytes.Buffer) error
		pages  int // 0: any
		want   []string
		blank  bool
	}{
		{ServiceRecord, func(b *bytes.Buffer) error { return RenderServiceLog(b, m, DemoServiceLog(printedAt)) }, 0,
			[]string{"地漏返味", "业主诉求", "2026-11-17 至 2026-11-23"}, false},
		{RevisitRecord, func(b *bytes.Buffer) error { return RenderRevisit(b, m, DemoRevisit(printedAt)) }, 1,
			[]string{"回访记录表", "■ 满意 (4)", "TS-20261117-003", "业主签名"}, false},
		{HandoverInspection, func(b *bytes.Buffer) error { return RenderInspection(b, m, DemoInspection(printedAt)) }, 0,
			[]string{"问题清单", "#10", "不合格 Defect #3", "合计 Total 120"}, false},
		{RevisitRecord, func(b *bytes.Buffer) error { return Blank(b, RevisitRecord, m) }, 1, []string{"□ 投诉处理后", "□ 非常满意 (5)"}, true},
		{VisitorRegistration, func(b *bytes.Buffer) error { return Blank(b, VisitorRegistration, m) }, 1, []string{"客户姓名"}, true},
		{DailyLog, func(b *bytes.Buffer) error { return Blank(b, DailyLog, m) }, 0, []string{"序号"}, true},
		{ServiceRecord, func(b *bytes.Buffer) error { return Blank(b, ServiceRecord, m) }, 0, []string{"事情经过"}, true},
		{HandoverInspection, func(b *bytes.Buffer) error { return Blank(b, HandoverInspection, m) }, 0, []string{"验收标准"}, true},
	} {
		var b bytes.Buffer
		if err := tc.render(&b); err != nil {
			t.Fatal(tc.def.Name, err)
		}
		c := check(t, tc.def.Name, b.Bytes())
		if tc.pages > 0 && len(c.pages) != tc.pages {
			t.Errorf("%s: %d pages, want %d", tc.def.Name, len(c.pages), tc.pages)
		}
		serial := "DEMO-20261123-0001"
		if tc.blank { // a blank form has no serial
			serial = ""
		}
		controlMarks(t, c, tc.def, serial, "星河湾售楼处（演示）")
		for _, w := range tc.want {
			if !strings.Contains(c.text(), w) {
				t.Errorf("%s lacks %q", tc.def.Name, w)
			}
		}
	}
	in := DemoInspection(printedAt)
	if len(in.Items) != 120 || len(in.Defects) != 10 {
		t.Fatalf("demo inspection: %d items, %d defects", len(in.Items), len(in.Defects))
	}
}

// TestConcurrentRender: forms render from several goroutines at once (the
// font's character map and the terms are shared).
func TestConcurrentRender(t *testing.T) {
	before := sha256.Sum256(assets.Font)
	defer func() {
		if sha256.Sum256(assets.Font) != before {
			t.Error("rendering changed the embedded font")
		}
	}()
	errs := make(chan error, 4)
	for i := range 4 {
		go func() {
			var b bytes.Buffer
			if i%2 == 0 {
				errs <- RenderDailyLog(&b, meta("S", "id"), sampleLog(30))
			} else {
				errs <- RenderInspection(&b, meta("S", "id"), DemoInspection(printedAt))
			}
		}()
	}
	for range 4 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}

func BenchmarkInspection(b *testing.B) {
	in := DemoInspection(printedAt)
	m := meta("DEMO-20261123-0001", "0193f2a4-7c1e-7b55-9a1d-3c5e8f0a2b61")
	var size int
	b.ResetTimer()
	for b.Loop() {
		var buf bytes.Buffer
		if err := RenderInspection(&buf, m, in); err != nil {
			b.Fatal(err)
		}
		size = buf.Len()
	}
	b.ReportMetric(float64(size)/1024, "KB/pdf")
}

// TestRowTallerThanPage: a cell with more text than a page holds goes on
// over the next pages, every character printed, and the form still ends
// with its signatures.
func TestRowTallerThanPage(t *testing.T) {
	r := sampleVisit()
	var notes strings.Builder
	for i := range 400 {
		fmt.Fprintf(&notes, "第%03d条记录：客户反复询问学区、车位和物业费。", i)
	}
	r.Notes = notes.String()
	var b bytes.Buffer
	if err := RenderVisitorRegistration(&b, meta("S-1", r.ID), r); err != nil {
		t.Fatal(err)
	}
	c := check(t, "tall-row", b.Bytes())
	if len(c.pages) < 3 {
		t.Fatalf("%d pages for %d characters of notes", len(c.pages), len([]rune(r.Notes)))
	}
	txt := strings.Join(strings.Fields(c.text()), "")
	for _, i := range []int{0, 1, 199, 399} {
		if want := fmt.Sprintf("第%03d条记录", i); !strings.Contains(txt, want) {
			t.Errorf("notes lack %q", want)
		}
	}
	if n := strings.Count(txt, "费"); n != 400 { // one 费 in each note, none elsewhere
		t.Errorf("%d of 400 notes' 费 printed", n)
	}
	if !strings.Contains(c.pages[len(c.pages)-1], "接待人签名") {
		t.Error("signatures missing after the long notes")
	}
	if !strings.Contains(c.pages[1], "（续）cont.") {
		t.Error("the notes' label is not continued on page 2")
	}
}

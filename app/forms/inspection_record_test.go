package forms

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"anchang/assets"
	"anchang/data"
)

// signaturePNG draws a signature-like scrawl, as the signature pad stores it.
func signaturePNG(t testing.TB, seed int) []byte {
	img := image.NewGray(image.Rect(0, 0, 480, 160))
	for i := range img.Pix {
		img.Pix[i] = 255
	}
	for x := 30; x < 450; x++ {
		y := 80 + int(40*float64((x*(seed+3))%90-45)/45)
		for dy := -2; dy <= 2; dy++ {
			img.SetGray(x, y+dy, color.Gray{})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// storedInspection makes a completed, signed inspection of every item of
// the template (extra items added to reach n when n > 0), with defects,
// meters and keys, in a real store.
func storedInspection(t testing.TB, extra int) (*data.Store, data.Staff, string) {
	t.Helper()
	ctx := context.Background()
	s, err := data.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	s.Now = func() time.Time { return time.Date(2026, 11, 23, 14, 30, 0, 0, shanghai) }
	admin, err := s.Setup(ctx, data.SetupInput{OfficeName: "星河湾售楼处", OfficeCode: "XHW", DeviceName: "前台", AdminName: "林晓雯", AdminPIN: "258014"})
	if err != nil {
		t.Fatal(err)
	}
	file := assets.HandoverTemplate
	if extra > 0 {
		var tpl map[string]any
		json.Unmarshal(file, &tpl)
		rooms := tpl["rooms"].([]any)
		last := rooms[len(rooms)-1].(map[string]any)
		for i := range extra {
			last["items"] = append(last["items"].([]any), map[string]any{"code": fmt.Sprintf("extra%d", i), "name": fmt.Sprintf("附加项目%d", i),
				"name_en": "Extra", "standard": "符合公司交付标准", "standard_en": "As the delivery standard says"})
		}
		file, _ = json.Marshal(tpl)
	}
	if _, err := s.EnsureInspectionTemplate(ctx, file); err != nil {
		t.Fatal(err)
	}
	in, err := s.StartInspection(ctx, admin.ID, data.InspectionInput{Kind: data.InspectionHandover, Project: "星河湾二期", Building: "3号楼",
		Unit: "2单元1202", Owners: []string{"王秀英", "张伟"}, Phone: "13812345678"})
	if err != nil {
		t.Fatal(err)
	}
	st, err := s.InspectionDetail(ctx, admin.ID, in.ID)
	if err != nil {
		t.Fatal(err)
	}
	defects := map[string][2]string{
		"entry.open":          {"入户门关闭时下沿摩擦门槛石，有异响。", "门扇下沿"},
		"living.wall":         {"客厅东墙距地约 1.2 m 处墙面空鼓约 0.3 ㎡，敲击有空响。", "东墙"},
		"kitchen.drain":       {"水槽下水缓慢，注水后约 2 分钟才排尽。", ""},
		"mainbath.floordrain": {"淋浴区地漏返味。", "淋浴区"},
	}
	for _, it := range st.Template.Items() {
		r := data.ResultInput{Item: it.Key, Result: data.ResultPass}
		if it.Key == "study.weak" || strings.HasPrefix(it.Key, "general.heating") {
			r.Result = data.ResultNA
		}
		if d, ok := defects[it.Key]; ok {
			r = data.ResultInput{Item: it.Key, Result: data.ResultDefect, Description: d[0], Location: d[1]}
		}
		if _, err := s.RecordResult(ctx, admin.ID, in.ID, r); err != nil {
			t.Fatal(it.Key, err)
		}
	}
	for kind, vals := range map[string]map[string]string{
		data.ValueMeter: {"water": "0003.25", "power": "0012.6", "gas": "0000.8"},
		data.ValueKey:   {"door": "3", "mailbox": "2", "access": "2"},
	} {
		for code, v := range vals {
			if err := s.SetInspectionValue(ctx, admin.ID, in.ID, kind, code, v); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := s.CompleteInspection(ctx, admin.ID, in.ID, data.CompleteInput{OwnerSignature: signaturePNG(t, 1), StaffSignature: signaturePNG(t, 2)}); err != nil {
		t.Fatal(err)
	}
	return s, admin, in.ID
}

func TestPrintStoredInspection(t *testing.T) {
	pdfTools(t)
	ctx := context.Background()
	s, admin, id := storedInspection(t, 0)
	render := func(id, actor string) checked {
		var b bytes.Buffer
		if _, err := Print(ctx, &b, s, HandoverInspection, id, PrintOptions{ActorID: actor, PrintedBy: "林晓雯", Now: printedAt}); err != nil {
			t.Fatal(err)
		}
		return check(t, "inspection", b.Bytes())
	}
	c := render(id, admin.ID)
	if dir := os.Getenv("ANCHANG_KEEP_PDF"); dir != "" { // to look at it
		exec.Command("cp", c.path, filepath.Join(dir, "inspection-stored.pdf")).Run()
	}
	controlMarks(t, c, HandoverInspection, "XHW-20261123-0001", "星河湾售楼处")
	txt := c.text()
	for _, want := range []string{"星河湾二期", "3号楼 2单元1202", "王秀英、张伟（138 1234 5678）", "林晓雯", "0003.25 m³", "0012.6 kWh",
		"入户门钥匙 3", "门禁卡 2", "不合格 Defect #1", "不适用 N/A", "空鼓约 0.3 ㎡", "位置 Location：东墙", "合计 Total 112", "不合格 Defects 4",
		"签署日期 Signed 2026-11-23 14:30"} {
		if !strings.Contains(txt, want) {
			t.Errorf("stored inspection lacks %q", want)
		}
	}
	// the signatures are images on the last page
	if _, err := exec.LookPath("pdfimages"); err == nil {
		out := run(t, "pdfimages", "-list", c.path)
		if n := strings.Count(out, "image ") + strings.Count(out, " smask "); n < 2 {
			t.Errorf("signature images: %s", out)
		}
	}
	// from the command line the phone is masked
	if txt := render(id, "").text(); !strings.Contains(txt, "138****5678") || strings.Contains(txt, "1234 5678") {
		t.Error("phone not masked for the command line")
	}

	// A re-inspection: two fixed, two not; its own form, and the first
	// inspection's form now says what was found.
	in := data.InspectionInput{Kind: data.InspectionReinspection, Project: "星河湾二期", Building: "3号楼", Unit: "2单元1202", Owners: []string{"王秀英"}, Phone: "13812345678"}
	s.Now = func() time.Time { return time.Date(2026, 11, 30, 10, 0, 0, 0, shanghai) }
	re, err := s.StartInspection(ctx, admin.ID, in)
	if err != nil {
		t.Fatal(err)
	}
	st, _ := s.InspectionDetail(ctx, admin.ID, re.ID)
	for i, c := range st.Carried {
		outcome, note := data.OutcomeFixed, ""
		if i%2 == 1 {
			outcome, note = data.OutcomeNotFixed, "仍需返修"
		}
		if err := s.RecordFollowUp(ctx, admin.ID, re.ID, c.DefectID, outcome, note); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.CompleteInspection(ctx, admin.ID, re.ID, data.CompleteInput{PaperSign: true}); err != nil {
		t.Fatal(err)
	}
	rt := render(re.ID, admin.ID).text()
	for _, want := range []string{"复验 Re-inspection", "2026-11-23", "已整改 Fixed 2026-11-30", "未整改 Not fixed", "2026-11-30：仍需返修", "原验房 2026-11-23"} {
		if !strings.Contains(rt, want) {
			t.Errorf("re-inspection lacks %q", want)
		}
	}
	if strings.Contains(rt, "签署日期") {
		t.Error("paper sign-off printed a signing date")
	}
	if ft := render(id, admin.ID).text(); !strings.Contains(ft, "已整改 Fixed 2026-11-30") || !strings.Contains(ft, "未整改 Not fixed") {
		t.Error("first inspection's defect list lacks the re-inspection results")
	}
}

// BenchmarkStoredInspection: load and render a completed 120-item
// inspection with signatures.
func BenchmarkStoredInspection(b *testing.B) {
	ctx := context.Background()
	s, admin, id := storedInspection(b, 8)
	var size int
	for b.Loop() {
		var buf bytes.Buffer
		if _, err := Print(ctx, &buf, s, HandoverInspection, id, PrintOptions{ActorID: admin.ID, Now: printedAt}); err != nil {
			b.Fatal(err)
		}
		size = buf.Len()
	}
	b.ReportMetric(float64(size)/1024, "KB")
}

// TestPrintUnfinishedInspection: an inspection printed before it is
// completed says under the header and in the totals how many items are
// still unchecked; a completed one says neither.
func TestPrintUnfinishedInspection(t *testing.T) {
	pdfTools(t)
	ctx := context.Background()
	s, admin, done := storedInspection(t, 0)
	in, err := s.StartInspection(ctx, admin.ID, data.InspectionInput{Kind: data.InspectionHandover, Project: "星河湾二期", Building: "5号楼",
		Unit: "1单元0801", Owners: []string{"赵丽"}, Phone: "13912345678"})
	if err != nil {
		t.Fatal(err)
	}
	st, _ := s.InspectionDetail(ctx, admin.ID, in.ID)
	for i, it := range st.Template.Items()[:20] {
		r := data.ResultInput{Item: it.Key, Result: data.ResultPass}
		if i == 3 {
			r = data.ResultInput{Item: it.Key, Result: data.ResultDefect, Description: "门锁卡滞"}
		}
		if _, err := s.RecordResult(ctx, admin.ID, in.ID, r); err != nil {
			t.Fatal(err)
		}
	}
	render := func(id string) string {
		var b bytes.Buffer
		if _, err := Print(ctx, &b, s, HandoverInspection, id, PrintOptions{ActorID: admin.ID, PrintedBy: "林晓雯", Now: printedAt}); err != nil {
			t.Fatal(err)
		}
		c := check(t, "unfinished", b.Bytes())
		if dir := os.Getenv("ANCHANG_KEEP_PDF"); dir != "" { // to look at it
			exec.Command("cp", c.path, filepath.Join(dir, "inspection-"+id+".pdf")).Run()
		}
		return strings.Join(strings.Fields(c.text()), " ")
	}
	txt := render(in.ID)
	for _, want := range []string{"验房未完成 Not completed：已检 20/112 项，尚有 92 项未检查。", "92 of 112 items are not checked yet.",
		"合计 Total 112：合格 OK 19 · 不合格 Defects 1 · 不适用 N/A 0 · 未检查 Unchecked 92"} {
		if !strings.Contains(txt, want) {
			t.Errorf("unfinished inspection's form lacks %q:\n%s", want, txt)
		}
	}
	if txt := render(done); strings.Contains(txt, "未检查") || strings.Contains(txt, "Not completed") {
		t.Error("a completed inspection's form speaks of unchecked items")
	}
}

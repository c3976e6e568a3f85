package app

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"anchang/data"
)

// startInspection fills the new inspection form and starts it.
func startInspection(t *testing.T, h *harness, unit string) *checkView {
	t.Helper()
	h.selectTab("验房")
	test.Tap(findButton(t, h, "新建验房"))
	f := h.u.shell.inspection.form
	test.Type(f.project, "星河湾二期")
	test.Type(f.building, "3号楼")
	test.Type(f.unit, unit)
	test.Type(f.owners, "王秀英、张伟")
	test.Type(f.phone, "13812345678")
	test.Tap(f.start)
	c := h.u.shell.inspection.check
	if c == nil {
		t.Fatalf("no checklist after starting:\n%s", h.screen())
	}
	return c
}

func TestInspectionHandover(t *testing.T) {
	h := newHarness(t, true)
	h.signInAs("李静")
	c := startInspection(t, h, "2单元1202")
	h.shows("3号楼 2单元1202 · 交付验房", "王秀英、张伟 138 1234 5678", "入户门", "门扇及门框", "合格", "有缺陷", "不适用", "进行中 · 已检 0/112 · 未检查 112 项 · 缺陷 0")

	// tick the entry door: pass, not applicable, and a defect with a description
	test.Tap(c.rows["entry.leaf"].pass)
	test.Tap(c.rows["entry.viewer"].na)
	test.Tap(c.rows["entry.open"].defect)
	h.shows("缺陷：入户门 · 开关性能", "问题描述", "记录缺陷")
	form := findVisible(h, func(o fyne.CanvasObject) bool {
		e, ok := o.(*widget.Entry)
		return ok && e.PlaceHolder == T("insp.defect.desc.hint")
	}).(*widget.Entry)
	test.Tap(findButton(t, h, "记录缺陷")) // empty: refused, the modal stays
	h.shows("必填", "记录缺陷")
	test.Type(form, "关门时下沿摩擦门槛石，有异响")
	test.Tap(findButton(t, h, "记录缺陷"))
	h.hides("记录缺陷")
	h.shows("缺陷：关门时下沿摩擦门槛石，有异响", "已检 3/112 · 未检查 109 项 · 缺陷 1")
	if c.rows["entry.leaf"].pass.Importance != widget.SuccessImportance || c.rows["entry.open"].defect.Importance != widget.DangerImportance {
		t.Fatal("answer buttons do not show the answers")
	}
	// each tap is on disk already
	st, err := h.store.InspectionDetail(context.Background(), h.staffID("李静"), c.st.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Results) != 3 || st.Results["entry.open"].Description != "关门时下沿摩擦门槛石，有异响" || st.Results["entry.viewer"].Result != data.ResultNA {
		t.Fatalf("stored results %+v", st.Results)
	}
	// a second tap on the same item: the latest wins
	test.Tap(c.rows["entry.leaf"].defect)
	test.Tap(findButton(t, h, "取消"))
	test.Tap(c.rows["entry.leaf"].na)
	if st, _ := h.store.InspectionDetail(context.Background(), h.staffID("李静"), c.st.ID); st.Results["entry.leaf"].Result != data.ResultNA {
		t.Fatalf("entry.leaf = %q", st.Results["entry.leaf"].Result)
	}

	// the other rooms through the store, as if ticked on another visit to the screen
	for _, it := range st.Template.Items() {
		if strings.HasPrefix(it.Key, "entry.") {
			continue
		}
		if _, err := h.store.RecordResult(context.Background(), h.staffID("李静"), c.st.ID, data.ResultInput{Item: it.Key, Result: data.ResultPass}); err != nil {
			t.Fatal(err)
		}
	}
	// entry.lock and four more entry items are still open
	h.u.shell.inspection.open(c.st.ID)
	c = h.u.shell.inspection.check
	c.nav.Select(len(c.pages) - 1)
	h.shows("还有 4 项未检查", "入户门·门锁及钥匙")
	for _, k := range []string{"entry.lock", "entry.seal", "entry.threshold", "entry.hardware"} {
		c.nav.Select(0)
		test.Tap(c.rows[k].pass)
	}

	// meters and keys
	c.nav.Select(len(c.pages) - 2)
	meter := findVisible(h, func(o fyne.CanvasObject) bool {
		e, ok := o.(*widget.Entry)
		return ok && e.PlaceHolder == "0000.00"
	}).(*widget.Entry)
	test.Type(meter, "12a")
	test.Tap(findButton(t, h, "保存"))
	h.shows("读数只能是数字")
	meter.SetText("0003.25")
	test.Tap(findButton(t, h, "保存"))
	h.shows("已保存。")

	// sign on screen: both pads, by dragging
	c.nav.Select(len(c.pages) - 1)
	h.shows("全部 112 项已检查，缺陷 1 项")
	sign := c.sign
	test.Tap(sign.complete)
	h.shows("业主签名：请签名")
	for _, pad := range []*SignaturePad{sign.owner, sign.staff} {
		at := fyne.CurrentApp().Driver().AbsolutePositionForObject(pad)
		test.Drag(h.win.Canvas(), at.Add(fyne.NewPos(30, 60)), 120, 25)
		test.Drag(h.win.Canvas(), at.Add(fyne.NewPos(160, 90)), 60, -40)
		if pad.Empty() {
			t.Fatalf("drag drew nothing on the pad at %v", at)
		}
	}
	test.Tap(sign.complete)
	c = h.u.shell.inspection.check
	if c.st.Status != data.InspectionCompleted || c.st.Completion == nil || len(c.st.Completion.OwnerSignature) == 0 {
		t.Fatalf("not completed: %+v\n%s", c.st.Inspection, h.screen())
	}
	h.shows("已完成 2026-11-23 10:00", "报修工单", "未开工单")
	// the defect becomes a repair ticket, once
	test.Tap(findButton(t, h, "为 1 项缺陷开报修工单"))
	h.shows("已开工单 XHW-20261123-001")
	h.hides("为 1 项缺陷开报修工单", "未开工单")
	c.nav.Select(0)
	if !c.rows["entry.lock"].pass.Disabled() {
		t.Fatal("a completed inspection can still be ticked")
	}

	// the unit's history
	test.Tap(findButton(t, h, "房屋履历"))
	h.shows("3号楼 2单元1202 的验房履历", "验房 1 次", "已完成", "发现问题 1 项", "关门时下沿摩擦门槛石", "待复验")
	test.Tap(findButton(t, h, "返回列表"))
	h.shows("3号楼 2单元1202 · 交付验房", "138****5678", "已完成 · 缺陷 1")
	h.hides("138 1234 5678")
}

func TestReinspectionScreen(t *testing.T) {
	h := newHarness(t, true)
	h.signInAs("李静")
	c := startInspection(t, h, "0801")
	ctx := context.Background()
	id := h.staffID("李静")
	for _, it := range c.st.Template.Items() {
		in := data.ResultInput{Item: it.Key, Result: data.ResultPass}
		if it.Key == "kitchen.drain" {
			in = data.ResultInput{Item: it.Key, Result: data.ResultDefect, Description: "水槽下水慢"}
		}
		if _, err := h.store.RecordResult(ctx, id, c.st.ID, in); err != nil {
			t.Fatal(err)
		}
	}
	if err := h.store.CompleteInspection(ctx, id, c.st.ID, data.CompleteInput{PaperSign: true}); err != nil {
		t.Fatal(err)
	}
	test.Tap(findButton(t, h, "返回列表"))
	test.Tap(findButton(t, h, "新建验房"))
	f := h.u.shell.inspection.form
	test.Type(f.project, "星河湾二期")
	test.Type(f.building, "3号楼")
	test.Type(f.unit, "0801")
	h.shows("这套房有 1 项待复验的问题")
	if f.kind.Selected != "复验" {
		t.Fatalf("kind %q", f.kind.Selected)
	}
	test.Type(f.owners, "王秀英")
	test.Type(f.phone, "13812345678")
	test.Tap(f.start)
	c = h.u.shell.inspection.check
	h.shows("3号楼 0801 · 复验", "待复验问题", "厨房 · 排水", "缺陷：水槽下水慢", "已整改", "未整改")
	test.Tap(findButton(t, h, "未整改"))
	test.Type(findVisible(h, func(o fyne.CanvasObject) bool {
		e, ok := o.(*widget.Entry)
		return ok && e.PlaceHolder == T("insp.not_fixed.hint")
	}).(*widget.Entry), "仍有积水")
	test.Tap(findButton(t, h, "保存"))
	h.shows("仍有积水", "已检 1/1 · 缺陷 1")
	c.nav.Select(len(c.pages) - 1)
	tapRadio(t, c.sign.mode, "打印后在纸上签字")
	test.Tap(c.sign.complete)
	h.shows("已完成", "在纸质表单上签字。")
	test.Tap(findButton(t, h, "房屋履历"))
	h.shows("验房 2 次", "复验未整改")
}

func tapRadio(t *testing.T, r *widget.RadioGroup, option string) {
	t.Helper()
	r.SetSelected(option)
	if r.Selected != option {
		t.Fatalf("no option %q", option)
	}
}

func TestInspectionTabHiddenFromConsultants(t *testing.T) {
	h := newHarness(t, true, "陈思远")
	staff, _ := h.store.ListStaff(context.Background(), false)
	for _, st := range staff {
		if st.Name == "陈思远" {
			h.u.signedIn(st)
		}
	}
	for _, it := range h.u.shell.tabs.Items {
		if it.Title == "验房" {
			t.Fatal("a consultant has the handover tab")
		}
	}
	h.signInAs("李静")
	h.selectTab("验房")
	h.shows("交付验房", "新建验房", "还没有验房记录。")
}

func TestInspectionTemplateAdmin(t *testing.T) {
	h := newHarness(t, true)
	h.signInAs("李静")
	h.selectTab("验房")
	h.hides("检查表模板") // receptionists do not edit HQ's checklist
	h.signInAs("管理员")
	h.selectTab("验房")
	test.Tap(findButton(t, h, "检查表模板"))
	h.shows("第 1 版 · 112 项", "内置")
	path := findVisible(h, func(o fyne.CanvasObject) bool {
		e, ok := o.(*widget.Entry)
		return ok && e.PlaceHolder == T("insp.templates.path.hint")
	}).(*widget.Entry)
	file := filepath.Join(t.TempDir(), "checklist.json")
	path.SetText(file)
	test.Tap(findButton(t, h, "导出当前版本"))
	h.shows("已导出到 " + file)
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	// HQ adds an item to the kitchen
	revised := strings.Replace(string(b), `"code": "hob",`, `"code": "purifier", "name": "净水器", "name_en": "Water purifier", "standard": "出水正常，接口无渗漏", "standard_en": "Runs, no leaks"}, {"code": "hob",`, 1)
	if revised == string(b) {
		t.Fatal("the exported template has no kitchen hob")
	}
	os.WriteFile(file, []byte(revised), 0o644)
	test.Tap(findButton(t, h, "导入为新版本"))
	h.shows("已导入第 2 版（113 项）", "第 2 版 · 113 项", "第 1 版 · 112 项")
	os.WriteFile(file, []byte(`{"code": "handover"`), 0o644)
	test.Tap(findButton(t, h, "导入为新版本"))
	h.shows("模板文件格式不对")
}

// TestPrintInspectionFromScreen: 打印 on an inspection opens the print
// modal for the handover checklist form; the saved PDF holds the results.
func TestPrintInspectionFromScreen(t *testing.T) {
	h, dir := printHarness(t)
	h.signInAs("李静")
	c := startInspection(t, h, "2单元1202")
	if _, err := h.store.RecordResult(context.Background(), h.staffID("李静"), c.st.ID,
		data.ResultInput{Item: "kitchen.drain", Result: data.ResultDefect, Description: "水槽下水缓慢"}); err != nil {
		t.Fatal(err)
	}
	test.Tap(findButton(t, h, "打印"))
	h.shows("交付验房检查表", "3号楼 2单元1202 · 2026-11-23 验房", "表单编号：AC-KF-03-F01", "流水号：XHW-20261123-0001", "共 5 页")
	test.Tap(findButton(t, h, "保存 PDF"))
	saved := filepath.Join(dir, "AC-KF-03-F01_XHW-20261123-0001.pdf")
	h.shows("已保存：" + saved)
	contains(t, pdfText(t, saved), "水槽下水缓慢", "王秀英、张伟", "138 1234 5678", "不合格 Defect #1")
}

// TestInspectionBadInputOnScreen: the new inspection form and the defect
// modal say what is wrong, under the field, and save nothing.
func TestInspectionBadInputOnScreen(t *testing.T) {
	h := newHarness(t, true)
	h.signInAs("李静")
	h.selectTab("验房")
	test.Tap(findButton(t, h, "新建验房"))
	f := h.u.shell.inspection.form
	test.Type(f.building, "3号楼")
	f.unit.SetText(strings.Repeat("楼", 10000)) // a paste
	test.Type(f.owners, "王😀")
	test.Type(f.phone, "12345")
	test.Tap(f.start)
	h.shows("必填", "太长了：最多 20 个字，现在 10000 个。", "这个号码有 5 位，不是有效的大陆手机号：手机号是 11 位、以 13–19 开头。")
	if h.u.shell.inspection.check != nil {
		t.Fatal("an inspection started with bad input")
	}
	n, err := h.store.ListInspections(context.Background(), h.staffID("李静"), data.InspectionFilter{})
	if err != nil || len(n) != 0 {
		t.Fatalf("inspections after bad input: %d %v", len(n), err)
	}
	test.Tap(findButton(t, h, "取消"))

	c := startInspection(t, h, "1202")
	test.Tap(c.rows["entry.lock"].defect)
	desc := findVisible(h, func(o fyne.CanvasObject) bool {
		e, ok := o.(*widget.Entry)
		return ok && e.PlaceHolder == T("insp.defect.desc.hint")
	}).(*widget.Entry)
	desc.SetText(strings.Repeat("锁", 10000))
	test.Tap(findButton(t, h, "记录缺陷"))
	h.shows("太长了：最多 500 个字，现在 10000 个。", "记录缺陷")
	desc.SetText("锁芯\x1b[31m卡涩")
	test.Tap(findButton(t, h, "记录缺陷"))
	h.shows("包含不可见的控制字符", "记录缺陷")
	test.Tap(findButton(t, h, "取消"))
	if st, _ := h.store.InspectionDetail(context.Background(), h.staffID("李静"), c.st.ID); len(st.Results) != 0 {
		t.Fatalf("results after bad input: %+v", st.Results)
	}
	h.shows("进行中 · 已检 0/112 · 未检查 112 项 · 缺陷 0")
}

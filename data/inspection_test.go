package data

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"anchang/assets"
)

// inspectionStore is a test store with the default checklist loaded and a
// receptionist who inspects.
func inspectionStore(t testing.TB) (*Store, Staff, Staff, *testClock) {
	t.Helper()
	s, admin, clk := newTestStore(t)
	if _, err := s.EnsureInspectionTemplate(context.Background(), assets.HandoverTemplate); err != nil {
		t.Fatal(err)
	}
	recep := mustStaff(t, s, admin, "林晓雯", RoleReceptionist, "135792")
	return s, admin, recep, clk
}

func handoverInput(unit string) InspectionInput {
	return InspectionInput{Kind: InspectionHandover, Project: "星河湾二期", Building: "3号楼", Unit: unit,
		Owners: []string{"王秀英", "张伟"}, Phone: "138 1234 5678"}
}

func mustStart(t testing.TB, s *Store, actor string, in InspectionInput) Inspection {
	t.Helper()
	ins, err := s.StartInspection(context.Background(), actor, in)
	if err != nil {
		t.Fatalf("start inspection: %v", err)
	}
	return ins
}

func mustDetail(t testing.TB, s *Store, actor, id string) InspectionState {
	t.Helper()
	st, err := s.InspectionDetail(context.Background(), actor, id)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// answerAll marks every item of the checklist pass, except the defects.
func answerAll(t testing.TB, s *Store, actor string, st InspectionState, defects map[string]string) {
	t.Helper()
	for _, it := range st.Template.Items() {
		in := ResultInput{Item: it.Key, Result: ResultPass}
		if d, ok := defects[it.Key]; ok {
			in = ResultInput{Item: it.Key, Result: ResultDefect, Description: d, Location: "东侧"}
		}
		if _, err := s.RecordResult(context.Background(), actor, st.ID, in); err != nil {
			t.Fatalf("%s: %v", it.Key, err)
		}
	}
}

func TestDefaultTemplate(t *testing.T) {
	tpl, err := ParseInspectionTemplate(assets.HandoverTemplate)
	mustOK(t, err)
	items := tpl.Items()
	if len(items) < 100 || len(tpl.Rooms) < 10 || len(tpl.Meters) != 3 || len(tpl.Keys) < 3 {
		t.Fatalf("default template: %d items, %d rooms, %d meters, %d keys", len(items), len(tpl.Rooms), len(tpl.Meters), len(tpl.Keys))
	}
	seen := map[string]bool{}
	for _, it := range items {
		if seen[it.Key] || it.Standard == "" || it.StandardEn == "" || it.NameEn == "" {
			t.Fatalf("item %+v", it)
		}
		seen[it.Key] = true
	}
	for _, want := range []string{"entry.lock", "kitchen.gas", "mainbath.waterproof", "general.rcd", "balcony.rail"} {
		if !seen[want] {
			t.Errorf("no item %s", want)
		}
	}
}

func TestTemplateVersions(t *testing.T) {
	s, admin, recep, _ := inspectionStore(t)
	ctx := context.Background()
	// Loading the default again does nothing.
	if loaded, err := s.EnsureInspectionTemplate(ctx, assets.HandoverTemplate); err != nil || loaded {
		t.Fatalf("second load: %v %v", loaded, err)
	}
	v1, err := s.CurrentInspectionTemplate(ctx, TemplateCodeHandover)
	mustOK(t, err)
	if v1.Version != 1 || v1.CreatedBy != "" {
		t.Fatalf("default version %d by %q", v1.Version, v1.CreatedBy)
	}
	old := mustStart(t, s, recep.ID, handoverInput("1202"))

	// HQ's revision: one more item in the kitchen.
	var tpl map[string]any
	mustOK(t, json.Unmarshal(assets.HandoverTemplate, &tpl))
	rooms := tpl["rooms"].([]any)
	kitchen := rooms[7].(map[string]any)
	kitchen["items"] = append(kitchen["items"].([]any), map[string]any{"code": "purifier", "name": "净水器", "name_en": "Water purifier",
		"standard": "出水正常，接口无渗漏", "standard_en": "Runs, no leaks at the joints"})
	revised, _ := json.Marshal(tpl)
	if _, err := s.ImportInspectionTemplate(ctx, recep.ID, revised); ErrorCode(err) != EFORBIDDEN {
		t.Fatalf("receptionist imports: %v", err)
	}
	v2, err := s.ImportInspectionTemplate(ctx, admin.ID, revised)
	mustOK(t, err)
	if v2.Version != 2 || v2.ItemCount() != v1.ItemCount()+1 {
		t.Fatalf("v2: version %d, %d items", v2.Version, v2.ItemCount())
	}
	vs, err := s.InspectionTemplateVersions(ctx, TemplateCodeHandover)
	mustOK(t, err)
	if len(vs) != 2 || vs[0].Version != 2 || vs[1].Version != 1 || vs[0].CreatedBy != admin.ID {
		t.Fatalf("versions %+v", vs)
	}
	// The inspection started under v1 keeps it; a new one gets v2.
	st := mustDetail(t, s, recep.ID, old.ID)
	if st.TemplateVersion != 1 || st.Total != v1.ItemCount() {
		t.Fatalf("old inspection on version %d with %d items", st.TemplateVersion, st.Total)
	}
	if _, err := s.RecordResult(ctx, recep.ID, old.ID, ResultInput{Item: "kitchen.purifier", Result: ResultPass}); ErrorCode(err) != EINVALID {
		t.Fatalf("v2 item on a v1 inspection: %v", err)
	}
	nw := mustStart(t, s, recep.ID, handoverInput("1203"))
	if nw.TemplateVersion != 2 || nw.Total != v2.ItemCount() {
		t.Fatalf("new inspection on version %d", nw.TemplateVersion)
	}
	mustOK(t, func() error {
		_, err := s.RecordResult(ctx, recep.ID, nw.ID, ResultInput{Item: "kitchen.purifier", Result: ResultPass})
		return err
	}())
}

func TestBadTemplates(t *testing.T) {
	good := string(assets.HandoverTemplate)
	cases := map[string]string{
		"not json":       "{rooms",
		"unknown field":  strings.Replace(good, `"code": "handover"`, `"code": "handover", "colour": "red"`, 1),
		"duplicate item": strings.Replace(good, `"code": "open"`, `"code": "leaf"`, 1),
		"bad code":       strings.Replace(good, `"code": "lock"`, `"code": "Lock!"`, 1),
		"control char":   strings.Replace(good, `"name": "门锁及钥匙"`, `"name": "门锁\u0007"`, 1),
		"empty standard": strings.Replace(good, `"standard": "门扇平整，无变形、划伤、锈蚀；门框安装牢固，与墙体间打胶密实"`, `"standard": ""`, 1),
		"overlong":       strings.Replace(good, `"name": "门锁及钥匙"`, `"name": "`+strings.Repeat("锁", 10000)+`"`, 1),
		"no rooms":       `{"code": "handover", "name": "空", "name_en": "Empty", "meters": [], "keys": [], "rooms": []}`,
		"too big":        good + strings.Repeat(" ", MaxTemplateBytes),
		"room with no items": `{"code": "handover", "name": "空", "name_en": "Empty", "meters": [], "keys": [],
			"rooms": [{"code": "a", "name": "甲", "name_en": "A", "items": []}]}`,
	}
	s, admin, _, _ := inspectionStore(t)
	for name, file := range cases {
		if file == good {
			t.Fatalf("%s: the replacement did not apply", name)
		}
		_, err := s.ImportInspectionTemplate(context.Background(), admin.ID, []byte(file))
		if e, ok := AsError(err); !ok || e.Code != EINVALID || !strings.HasPrefix(e.Key, "err.template.") {
			t.Errorf("%s: %v", name, err)
		}
	}
	if n := countRows(t, s, "inspection_templates"); n != 1 {
		t.Fatalf("%d templates after bad imports", n)
	}
}

// TestTicksSurviveReopen: every tick is on disk when RecordResult
// returns; the latest tick of an item wins.
func TestTicksSurviveReopen(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s2, admin, _ := newTestStoreIn(t, dir)
	_, err := s2.EnsureInspectionTemplate(ctx, assets.HandoverTemplate)
	mustOK(t, err)
	recep := mustStaff(t, s2, admin, "林晓雯", RoleReceptionist, "135792")
	ins := mustStart(t, s2, recep.ID, handoverInput("1202"))
	steps := []ResultInput{
		{Item: "entry.leaf", Result: ResultPass},
		{Item: "entry.lock", Result: ResultDefect, Description: "备用钥匙打不开", Location: "主锁"},
		{Item: "entry.viewer", Result: ResultNA},
		{Item: "entry.leaf", Result: ResultDefect, Description: "门扇下沿划伤约 5 cm"},
		{Item: "entry.lock", Result: ResultPass},
		{Item: "hall.wall", Result: ResultPass},
		{Item: "hall.wall", Result: ResultNone},
	}
	for _, in := range steps {
		if _, err := s2.RecordResult(ctx, recep.ID, ins.ID, in); err != nil {
			t.Fatal(err)
		}
	}
	mustOK(t, s2.SetInspectionValue(ctx, recep.ID, ins.ID, ValueMeter, "water", "0003.25"))
	mustOK(t, s2.SetInspectionValue(ctx, recep.ID, ins.ID, ValueKey, "door", "3"))
	mustOK(t, s2.SetInspectionValue(ctx, recep.ID, ins.ID, ValueKey, "door", "4"))
	s2.Close()

	s3, err := Open(ctx, dir)
	mustOK(t, err)
	defer s3.Close()
	st := mustDetail(t, s3, recep.ID, ins.ID)
	got := map[string]string{}
	for k, r := range st.Results {
		got[k] = r.Result + ":" + r.Description
	}
	want := map[string]string{"entry.leaf": "defect:门扇下沿划伤约 5 cm", "entry.lock": "pass:", "entry.viewer": "na:"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("after reopening: %v, want %v", got, want)
	}
	if st.Answered != 3 || st.Defects != 1 || st.Status != InspectionOpen || st.Meters["water"] != "0003.25" || st.Keys["door"] != 4 {
		t.Fatalf("state after reopening: %+v meters %v keys %v", st.Inspection, st.Meters, st.Keys)
	}
	if st.Phone != "+8613812345678" || len(st.Owners) != 2 {
		t.Fatalf("phone %q owners %v", st.Phone, st.Owners)
	}
	// every tick is an event, and an outbox row
	if n := countRows(t, s3, "inspection_results"); n != len(steps) {
		t.Fatalf("%d result events, want %d", n, len(steps))
	}
	var out int
	mustOK(t, s3.db.QueryRow(`SELECT count(*) FROM outbox WHERE mutation IN (?, ?)`, MutInspectionResult, MutInspectionValue).Scan(&out))
	if out != len(steps)+3 {
		t.Fatalf("%d outbox rows", out)
	}
}

// newTestStoreIn is newTestStore in a given directory.
func newTestStoreIn(t testing.TB, dir string) (*Store, Staff, *testClock) {
	t.Helper()
	ctx := context.Background()
	s, err := Open(ctx, dir)
	mustOK(t, err)
	clk := &testClock{t: time.Date(2026, 11, 23, 10, 0, 0, 0, shanghai)}
	s.Now = clk.Now
	admin, err := s.Setup(ctx, SetupInput{OfficeName: "星河湾售楼处", OfficeCode: "XHW", DeviceName: "前台", AdminName: "管理员", AdminPIN: "258014"})
	mustOK(t, err)
	return s, admin, clk
}

func TestInspectionBadInput(t *testing.T) {
	ctx := context.Background()
	s, _, recep, _ := inspectionStore(t)
	long := strings.Repeat("墙", 10000)
	starts := map[string]func(in *InspectionInput){
		"no project":       func(in *InspectionInput) { in.Project = " " },
		"control char":     func(in *InspectionInput) { in.Unit = "12\x0002" },
		"10000-char paste": func(in *InspectionInput) { in.Unit = long },
		"bidi override":    func(in *InspectionInput) { in.Building = "3号\u202e楼" },
		"bad phone":        func(in *InspectionInput) { in.Phone = "12345" },
		"no owner":         func(in *InspectionInput) { in.Owners = []string{"", " "} },
		"emoji owner":      func(in *InspectionInput) { in.Owners = []string{"王😀"} },
		"sql owner":        func(in *InspectionInput) { in.Owners = []string{"x'; DROP TABLE inspections;--"} },
		"five owners":      func(in *InspectionInput) { in.Owners = []string{"甲", "乙", "丙", "丁", "戊"} },
		"bad date":         func(in *InspectionInput) { in.Date = "2026-13-01" },
		"future date":      func(in *InspectionInput) { in.Date = "2027-01-01" },
		"no kind":          func(in *InspectionInput) { in.Kind = "" },
		"reinspect nothing": func(in *InspectionInput) {
			in.Kind = InspectionReinspection
		},
	}
	for name, f := range starts {
		in := handoverInput("1202")
		f(&in)
		if _, err := s.StartInspection(ctx, recep.ID, in); ErrorCode(err) != EINVALID && ErrorCode(err) != ECONFLICT {
			t.Errorf("%s: %v", name, err)
		}
	}
	if n := countRows(t, s, "inspections"); n != 0 {
		t.Fatalf("%d inspections after bad input", n)
	}
	ins := mustStart(t, s, recep.ID, handoverInput("1202"))
	if _, err := s.StartInspection(ctx, recep.ID, handoverInput(" １２０２ ")); ErrorCode(err) != ECONFLICT {
		t.Fatalf("second open inspection of the unit (full-width digits): %v", err)
	}
	results := map[string]ResultInput{
		"no description":     {Item: "entry.lock", Result: ResultDefect},
		"blank description":  {Item: "entry.lock", Result: ResultDefect, Description: " \n "},
		"10000-char paste":   {Item: "entry.lock", Result: ResultDefect, Description: long},
		"control char":       {Item: "entry.lock", Result: ResultDefect, Description: "锁\x1b[31m坏"},
		"overlong location":  {Item: "entry.lock", Result: ResultDefect, Description: "坏", Location: strings.Repeat("东", 61)},
		"newline location":   {Item: "entry.lock", Result: ResultDefect, Description: "坏", Location: "东\n西"},
		"no such item":       {Item: "entry.moat", Result: ResultPass},
		"no such result":     {Item: "entry.lock", Result: "maybe"},
		"photo of elsewhere": {Item: "entry.lock", Result: ResultDefect, Description: "坏", Photos: []string{"nope"}},
		"seven photos":       {Item: "entry.lock", Result: ResultDefect, Description: "坏", Photos: []string{"a", "b", "c", "d", "e", "f", "g"}},
	}
	for name, in := range results {
		if _, err := s.RecordResult(ctx, recep.ID, ins.ID, in); ErrorCode(err) != EINVALID {
			t.Errorf("%s: %v", name, err)
		}
	}
	values := map[string][3]string{
		"letters":      {ValueMeter, "water", "abc"},
		"negative":     {ValueMeter, "water", "-1"},
		"exponent":     {ValueMeter, "power", "1e5"},
		"nine digits":  {ValueMeter, "gas", "123456789"},
		"4 decimals":   {ValueMeter, "gas", "1.2345"},
		"comma":        {ValueMeter, "gas", "1,5"},
		"no meter":     {ValueMeter, "steam", "1"},
		"100 keys":     {ValueKey, "door", "100"},
		"minus keys":   {ValueKey, "door", "-1"},
		"word keys":    {ValueKey, "door", "two"},
		"no such key":  {ValueKey, "castle", "1"},
		"no such kind": {"colour", "door", "1"},
	}
	for name, v := range values {
		if err := s.SetInspectionValue(ctx, recep.ID, ins.ID, v[0], v[1], v[2]); ErrorCode(err) != EINVALID {
			t.Errorf("%s: %v", name, err)
		}
	}
	// photos not made by photo.Prepare (data/photo tests the files it refuses)
	good := jpegPhoto(t, 64, 48)
	photos := map[string]PhotoFile{
		"empty":     {},
		"not jpeg":  {JPEG: []byte("%PDF-1.4\n"), Width: 64, Height: 48},
		"too big":   {JPEG: append(bytes.Clone(good.JPEG), make([]byte, MaxPhotoBytes)...), Width: 64, Height: 48},
		"too wide":  {JPEG: good.JPEG, Width: PhotoMaxSide + 1, Height: 48},
		"no height": {JPEG: good.JPEG, Width: 64},
	}
	for name, f := range photos {
		if _, err := s.AddInspectionPhoto(ctx, recep.ID, ins.ID, "entry.lock", f); ErrorCode(err) != EINVALID {
			t.Errorf("photo %s: %v", name, err)
		}
	}
	if n := countRows(t, s, "inspection_results") + countRows(t, s, "inspection_values") + countRows(t, s, "inspection_photos"); n != 0 {
		t.Fatalf("%d events after bad input", n)
	}
}

// jpegPhoto is a photo as data/photo.Prepare makes it: a w×h JPEG.
func jpegPhoto(t testing.TB, w, h int) PhotoFile {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = byte(i * 7)
	}
	var b bytes.Buffer
	mustOK(t, jpeg.Encode(&b, img, nil))
	return PhotoFile{JPEG: b.Bytes(), Width: w, Height: h}
}

func TestInspectionPhoto(t *testing.T) {
	ctx := context.Background()
	s, _, recep, _ := inspectionStore(t)
	ins := mustStart(t, s, recep.ID, handoverInput("1202"))
	p, err := s.AddInspectionPhoto(ctx, recep.ID, ins.ID, "entry.lock", jpegPhoto(t, PhotoMaxSide, 1200))
	mustOK(t, err)
	if p.Width != PhotoMaxSide || p.Height != 1200 {
		t.Fatalf("stored %d×%d", p.Width, p.Height)
	}
	small, err := s.AddInspectionPhoto(ctx, recep.ID, ins.ID, "entry.lock", jpegPhoto(t, 300, 200))
	mustOK(t, err)
	r, err := s.RecordResult(ctx, recep.ID, ins.ID, ResultInput{Item: "entry.lock", Result: ResultDefect, Description: "锁芯卡涩", Photos: []string{p.ID, small.ID}})
	mustOK(t, err)
	if len(r.Photos) != 2 {
		t.Fatalf("photos %v", r.Photos)
	}
	// a photo belongs to its item
	if _, err := s.RecordResult(ctx, recep.ID, ins.ID, ResultInput{Item: "entry.leaf", Result: ResultDefect, Description: "划伤", Photos: []string{p.ID}}); ErrorCode(err) != EINVALID {
		t.Fatalf("another item's photo: %v", err)
	}
	got, err := s.InspectionPhoto(ctx, p.ID)
	mustOK(t, err)
	if !bytes.Equal(got.JPEG, p.JPEG) {
		t.Fatal("photo bytes differ")
	}
}

// signature is a drawn-looking PNG.
func signature(t testing.TB) []byte {
	img := image.NewNRGBA(image.Rect(0, 0, 400, 150))
	for x := 20; x < 380; x++ {
		img.Set(x, 75+int(30*float64(x%60)/60), color.Black)
	}
	var b bytes.Buffer
	mustOK(t, png.Encode(&b, img))
	return b.Bytes()
}

func TestCompleteAndReinspect(t *testing.T) {
	ctx := context.Background()
	s, _, recep, clk := inspectionStore(t)
	first := mustStart(t, s, recep.ID, handoverInput("1202"))
	st := mustDetail(t, s, recep.ID, first.ID)

	// not every item answered yet
	_, err := s.RecordResult(ctx, recep.ID, first.ID, ResultInput{Item: "entry.leaf", Result: ResultPass})
	mustOK(t, err)
	err = s.CompleteInspection(ctx, recep.ID, first.ID, CompleteInput{PaperSign: true})
	if e, ok := AsError(err); !ok || e.Key != "err.inspection.unanswered" || e.Args["N"] != st.Total-1 {
		t.Fatalf("complete with items open: %v", err)
	}
	answerAll(t, s, recep.ID, st, map[string]string{"living.wall": "东墙空鼓约 0.3 ㎡", "kitchen.drain": "水槽下水慢", "mainbath.floordrain": "地漏返味"})
	// signatures: neither drawn nor paper
	err = s.CompleteInspection(ctx, recep.ID, first.ID, CompleteInput{})
	if fe, ok := err.(FieldErrors); !ok || fe["owner_signature"] == nil || fe["staff_signature"] == nil {
		t.Fatalf("complete without signatures: %v", err)
	}
	err = s.CompleteInspection(ctx, recep.ID, first.ID, CompleteInput{OwnerSignature: []byte("not a png"), StaffSignature: signature(t)})
	if fe, ok := err.(FieldErrors); !ok || fe["owner_signature"] == nil || fe["staff_signature"] != nil {
		t.Fatalf("complete with a bad signature: %v", err)
	}
	mustOK(t, s.CompleteInspection(ctx, recep.ID, first.ID, CompleteInput{OwnerSignature: signature(t), StaffSignature: signature(t)}))
	done := mustDetail(t, s, recep.ID, first.ID)
	if done.Status != InspectionCompleted || done.Completion == nil || done.Completion.PaperSign || len(done.Completion.OwnerSignature) == 0 || done.Defects != 3 {
		t.Fatalf("completed: %+v", done.Inspection)
	}
	// completed: no more changes
	if _, err := s.RecordResult(ctx, recep.ID, first.ID, ResultInput{Item: "entry.leaf", Result: ResultNA}); ErrorCode(err) != ECONFLICT {
		t.Fatalf("tick after completion: %v", err)
	}
	if err := s.CompleteInspection(ctx, recep.ID, first.ID, CompleteInput{PaperSign: true}); ErrorCode(err) != ECONFLICT {
		t.Fatalf("second completion: %v", err)
	}

	// The re-inspection carries the three defects.
	clk.Advance(7 * 24 * time.Hour)
	n, err := s.OpenDefectCount(ctx, "星河湾二期", "3号楼", "1202")
	mustOK(t, err)
	if n != 3 {
		t.Fatalf("open defects %d", n)
	}
	in := handoverInput("1202")
	in.Kind = InspectionReinspection
	re := mustStart(t, s, recep.ID, in)
	rst := mustDetail(t, s, recep.ID, re.ID)
	if len(rst.Carried) != 3 || rst.Total != 3 || rst.Carried[0].Item.Name != "墙面" || rst.Carried[0].Description != "东墙空鼓约 0.3 ㎡" {
		t.Fatalf("carried %+v total %d", rst.Carried, rst.Total)
	}
	if _, err := s.RecordResult(ctx, recep.ID, re.ID, ResultInput{Item: "entry.leaf", Result: ResultPass}); ErrorCode(err) != ECONFLICT {
		t.Fatalf("checklist tick on a re-inspection: %v", err)
	}
	mustOK(t, s.RecordFollowUp(ctx, recep.ID, re.ID, rst.Carried[0].DefectID, OutcomeFixed, ""))
	mustOK(t, s.RecordFollowUp(ctx, recep.ID, re.ID, rst.Carried[1].DefectID, OutcomeFixed, ""))
	mustOK(t, s.RecordFollowUp(ctx, recep.ID, re.ID, rst.Carried[1].DefectID, OutcomeNotFixed, "仍下水慢"))
	if err := s.RecordFollowUp(ctx, recep.ID, re.ID, rst.Carried[2].DefectID, "maybe", ""); ErrorCode(err) != EINVALID {
		t.Fatalf("bad outcome: %v", err)
	}
	if err := s.RecordFollowUp(ctx, recep.ID, re.ID, "not-a-defect", OutcomeFixed, ""); ErrorCode(err) != EINVALID {
		t.Fatalf("follow-up of an uncarried defect: %v", err)
	}
	if err := s.CompleteInspection(ctx, recep.ID, re.ID, CompleteInput{PaperSign: true}); ErrorCode(err) != EINVALID {
		t.Fatalf("complete with a defect not judged: %v", err)
	}
	mustOK(t, s.RecordFollowUp(ctx, recep.ID, re.ID, rst.Carried[2].DefectID, OutcomeFixed, ""))
	// open until completed: the first inspection's defects are all still open
	if n, _ := s.OpenDefectCount(ctx, "星河湾二期", "3号楼", "1202"); n != 3 {
		t.Fatalf("open defects before the re-inspection completes: %d", n)
	}
	mustOK(t, s.CompleteInspection(ctx, recep.ID, re.ID, CompleteInput{PaperSign: true}))
	if n, _ := s.OpenDefectCount(ctx, "星河湾二期", "3号楼", "1202"); n != 1 {
		t.Fatalf("open defects after the re-inspection: %d", n)
	}

	// A second re-inspection carries the one not fixed; it is fixed.
	clk.Advance(7 * 24 * time.Hour)
	re2 := mustStart(t, s, recep.ID, in)
	r2 := mustDetail(t, s, recep.ID, re2.ID)
	if len(r2.Carried) != 1 || r2.Carried[0].Item.Key != "kitchen.drain" {
		t.Fatalf("second re-inspection carries %+v", r2.Carried)
	}
	mustOK(t, s.RecordFollowUp(ctx, recep.ID, re2.ID, r2.Carried[0].DefectID, OutcomeFixed, "已疏通"))
	mustOK(t, s.CompleteInspection(ctx, recep.ID, re2.ID, CompleteInput{PaperSign: true}))

	h, err := s.UnitHistoryOf(ctx, recep.ID, re2.ID)
	mustOK(t, err)
	if len(h.Inspections) != 3 || h.Inspections[0].ID != first.ID || h.Inspections[2].ID != re2.ID || len(h.Defects) != 3 {
		t.Fatalf("history %+v", h)
	}
	for _, d := range h.Defects {
		if d.Verdict != OutcomeFixed {
			t.Errorf("defect %s verdict %q", d.Item.Key, d.Verdict)
		}
	}
	if h.Defects[1].VerdictOn != r2.Date {
		t.Errorf("drain fixed on %s, want %s", h.Defects[1].VerdictOn, r2.Date)
	}
	if n, _ := s.OpenDefectCount(ctx, "星河湾二期", "3号楼", "1202"); n != 0 {
		t.Fatalf("open defects at the end: %d", n)
	}
	// the same unit typed differently is the same unit
	if n, _ := s.OpenDefectCount(ctx, "星河湾二期", "３号楼", " 1202 "); n != 0 {
		t.Fatal("unit key")
	}
}

func TestListInspections(t *testing.T) {
	ctx := context.Background()
	s, admin, recep, clk := inspectionStore(t)
	a := mustStart(t, s, recep.ID, handoverInput("1202"))
	clk.Advance(time.Minute)
	in := handoverInput("0801")
	in.Owners = []string{"欧阳明月"}
	in.Phone = "+44 7911 123456"
	b := mustStart(t, s, recep.ID, in)
	list, err := s.ListInspections(ctx, recep.ID, InspectionFilter{})
	mustOK(t, err)
	if len(list) != 2 || list[0].ID != b.ID || list[1].ID != a.ID {
		t.Fatalf("list %+v", list)
	}
	if list[1].Phone != "138****5678" || list[0].Phone != "+44 ****3456" {
		t.Fatalf("phones in the list: %q %q", list[1].Phone, list[0].Phone)
	}
	for q, want := range map[string]int{"欧阳": 1, "1202": 1, "3号楼": 2, "３号楼 1202": 1, "王秀英": 1, "%": 0, "_": 0, "": 2} {
		got, err := s.ListInspections(ctx, recep.ID, InspectionFilter{Query: q})
		mustOK(t, err)
		if len(got) != want {
			t.Errorf("query %q: %d, want %d", q, len(got), want)
		}
	}
	got, _ := s.ListInspections(ctx, recep.ID, InspectionFilter{Status: InspectionCompleted})
	if len(got) != 0 {
		t.Fatal("completed filter")
	}
	cons := mustStaff(t, s, admin, "陈思远", RoleConsultant, "")
	if _, err := s.ListInspections(ctx, cons.ID, InspectionFilter{}); ErrorCode(err) != EFORBIDDEN {
		t.Fatalf("consultant lists: %v", err)
	}
	if _, err := s.StartInspection(ctx, cons.ID, handoverInput("0101")); ErrorCode(err) != EFORBIDDEN {
		t.Fatalf("consultant starts: %v", err)
	}
	if _, err := s.InspectionDetail(ctx, cons.ID, a.ID); ErrorCode(err) != EFORBIDDEN {
		t.Fatalf("consultant reads: %v", err)
	}
	// the command line reads with the phone masked
	st := mustDetail(t, s, "", a.ID)
	if st.Phone != "138****5678" {
		t.Fatalf("phone for the command line: %q", st.Phone)
	}
}

// The kill test: a child process ticks items and prints each one as soon as
// RecordResult returns; the parent kills it with SIGKILL mid-run and finds
// every printed tick on disk.
const envInspectionChild = "ANCHANG_TEST_INSPECTION_CHILD"

func TestInspectionKillChild(t *testing.T) {
	dir := os.Getenv(envInspectionChild)
	if dir == "" {
		t.Skip("the child of TestTicksSurviveKill")
	}
	ctx := context.Background()
	s, err := Open(ctx, dir)
	mustOK(t, err)
	var id, actor string
	mustOK(t, s.db.QueryRow(`SELECT id, created_by FROM inspections`).Scan(&id, &actor))
	st := mustDetail(t, s, actor, id)
	w := bufio.NewWriter(os.Stdout)
	for i := 0; ; i++ {
		it := st.Template.Items()[i%len(st.Template.Items())]
		res := []string{ResultPass, ResultNA}[i%2]
		if _, err := s.RecordResult(ctx, actor, id, ResultInput{Item: it.Key, Result: res}); err != nil {
			fmt.Fprintln(w, "ERROR", err)
			w.Flush()
			return
		}
		fmt.Fprintln(w, "SAVED", i, it.Key, res)
		w.Flush()
	}
}

func TestTicksSurviveKill(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a child process")
	}
	ctx := context.Background()
	dir := t.TempDir()
	s, _, _ := newTestStoreIn(t, dir)
	_, err := s.EnsureInspectionTemplate(ctx, assets.HandoverTemplate)
	mustOK(t, err)
	admin, _ := s.ListStaff(ctx, false)
	ins := mustStart(t, s, admin[0].ID, handoverInput("1202"))
	s.Close()

	cmd := exec.Command(os.Args[0], "-test.run=^TestInspectionKillChild$", "-test.v")
	cmd.Env = append(os.Environ(), envInspectionChild+"="+dir)
	out, err := cmd.StdoutPipe()
	mustOK(t, err)
	mustOK(t, cmd.Start())
	sc := bufio.NewScanner(out)
	saved := map[string]string{}
	lines := 0
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) > 0 && f[0] == "ERROR" {
			t.Fatal(sc.Text())
		}
		if len(f) != 4 || f[0] != "SAVED" {
			continue
		}
		saved[f[2]] = f[3]
		if lines++; lines == 150 {
			cmd.Process.Kill() // SIGKILL: no deferred close, no clean shutdown
			break
		}
	}
	cmd.Wait()
	if lines < 150 {
		t.Fatalf("child saved only %d ticks", lines)
	}
	s2, err := Open(ctx, dir)
	mustOK(t, err)
	defer s2.Close()
	st := mustDetail(t, s2, admin[0].ID, ins.ID)
	// Every tick printed is on disk; the one in flight at the kill may be too.
	items := st.Template.Items()
	inFlight := items[lines%len(items)].Key
	for item, res := range saved {
		if got := st.Results[item].Result; got != res && item != inFlight {
			t.Errorf("%s: %q on disk, %q confirmed", item, got, res)
		}
	}
	var events int
	mustOK(t, s2.db.QueryRow(`SELECT count(*) FROM inspection_results WHERE inspection_id = ?`, ins.ID).Scan(&events))
	if events < lines || events > lines+1 {
		t.Fatalf("%d events on disk, %d confirmed", events, lines)
	}
	if st.Answered != len(st.Results) {
		t.Fatalf("derived count %d, %d results", st.Answered, len(st.Results))
	}
}

// BenchmarkInspectionTick: one tick of a checklist item, committed.
func BenchmarkInspectionTick(b *testing.B) {
	ctx := context.Background()
	s, _, recep, _ := inspectionStore(b)
	ins := mustStart(b, s, recep.ID, handoverInput("1202"))
	items := mustDetail(b, s, recep.ID, ins.ID).Template.Items()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		it := items[i%len(items)]
		if _, err := s.RecordResult(ctx, recep.ID, ins.ID, ResultInput{Item: it.Key, Result: ResultPass}); err != nil {
			b.Fatal(err)
		}
	}
}

func TestDefectTickets(t *testing.T) {
	ctx := context.Background()
	s, _, recep, clk := inspectionStore(t)
	ins := mustStart(t, s, recep.ID, handoverInput("1202"))
	st := mustDetail(t, s, recep.ID, ins.ID)
	answerAll(t, s, recep.ID, st, map[string]string{"living.wall": "东墙空鼓约 0.3 ㎡", "kitchen.drain": "水槽下水慢"})
	if _, err := s.OpenDefectTickets(ctx, recep.ID, ins.ID); ErrorCode(err) != ECONFLICT {
		t.Fatalf("tickets before completion: %v", err)
	}
	mustOK(t, s.CompleteInspection(ctx, recep.ID, ins.ID, CompleteInput{PaperSign: true}))
	dts, err := s.OpenDefectTickets(ctx, recep.ID, ins.ID)
	mustOK(t, err)
	if len(dts) != 2 || dts[0].TicketID == "" || dts[1].TicketID == "" || dts[0].TicketID == dts[1].TicketID {
		t.Fatalf("defect tickets %+v", dts)
	}
	tk, err := s.Ticket(ctx, recep.ID, dts[0].TicketID)
	mustOK(t, err)
	if tk.Kind != TicketRepair || tk.Unit != "1202" || tk.CustomerName != "王秀英" || !strings.Contains(tk.Description, "东墙空鼓约 0.3 ㎡") ||
		!strings.Contains(tk.Description, "客厅 墙面") {
		t.Fatalf("ticket %+v", tk.TicketInput)
	}
	// again: nothing new
	again, err := s.OpenDefectTickets(ctx, recep.ID, ins.ID)
	mustOK(t, err)
	if countRows(t, s, "tickets") != 2 || again[0].TicketID != dts[0].TicketID {
		t.Fatalf("second call opened more: %d tickets", countRows(t, s, "tickets"))
	}
	// a re-inspection: the drain is not fixed; it keeps its ticket
	clk.Advance(7 * 24 * time.Hour)
	in := handoverInput("1202")
	in.Kind = InspectionReinspection
	re := mustStart(t, s, recep.ID, in)
	rst := mustDetail(t, s, recep.ID, re.ID)
	mustOK(t, s.RecordFollowUp(ctx, recep.ID, re.ID, rst.Carried[0].DefectID, OutcomeFixed, ""))
	mustOK(t, s.RecordFollowUp(ctx, recep.ID, re.ID, rst.Carried[1].DefectID, OutcomeNotFixed, "仍慢"))
	mustOK(t, s.CompleteInspection(ctx, recep.ID, re.ID, CompleteInput{PaperSign: true}))
	rts, err := s.OpenDefectTickets(ctx, recep.ID, re.ID)
	mustOK(t, err)
	if len(rts) != 1 || rts[0].TicketID != dts[1].TicketID || countRows(t, s, "tickets") != 2 {
		t.Fatalf("re-inspection tickets %+v", rts)
	}
}

// TestInspectionRecordsStamped: every inspection row (events, photos,
// sign-off, ticket links) has a UUIDv7 id, this office and device, a
// creation time and its author.
func TestInspectionRecordsStamped(t *testing.T) {
	ctx := context.Background()
	s, _, recep, _ := inspectionStore(t)
	ins := mustStart(t, s, recep.ID, handoverInput("1202"))
	st := mustDetail(t, s, recep.ID, ins.ID)
	p, err := s.AddInspectionPhoto(ctx, recep.ID, ins.ID, "kitchen.drain", jpegPhoto(t, 64, 48))
	mustOK(t, err)
	answerAll(t, s, recep.ID, st, map[string]string{"kitchen.drain": "下水慢"})
	_, err = s.RecordResult(ctx, recep.ID, ins.ID, ResultInput{Item: "kitchen.drain", Result: ResultDefect, Description: "下水慢", Photos: []string{p.ID}})
	mustOK(t, err)
	mustOK(t, s.SetInspectionValue(ctx, recep.ID, ins.ID, ValueMeter, "water", "1.5"))
	mustOK(t, s.CompleteInspection(ctx, recep.ID, ins.ID, CompleteInput{PaperSign: true}))
	_, err = s.OpenDefectTickets(ctx, recep.ID, ins.ID)
	mustOK(t, err)
	in := handoverInput("1202")
	in.Kind = InspectionReinspection
	re := mustStart(t, s, recep.ID, in)
	rst := mustDetail(t, s, recep.ID, re.ID)
	mustOK(t, s.RecordFollowUp(ctx, recep.ID, re.ID, rst.Carried[0].DefectID, OutcomeFixed, ""))
	dev, off, _ := s.Device()
	for _, table := range []string{"inspections", "inspection_results", "inspection_followups", "inspection_carried", "inspection_values",
		"inspection_photos", "inspection_completions", "inspection_defect_tickets"} {
		rows, err := s.db.Query(`SELECT id, office_id, device_id, created_at, COALESCE(created_by, '') FROM ` + table)
		mustOK(t, err)
		n := 0
		for rows.Next() {
			var id, office, device, by string
			var at int64
			mustOK(t, rows.Scan(&id, &office, &device, &at, &by))
			want := uuid.Version(7)
			if table == "inspection_carried" {
				want = 5 // derived from the inspection and the defect: the same on every device
			}
			if u, err := uuid.Parse(id); err != nil || u.Version() != want || office != off.ID || device != dev.ID || at <= 0 || by != recep.ID {
				t.Errorf("%s row %s: office %s device %s at %d by %s", table, id, office, device, at, by)
			}
			n++
		}
		rows.Close()
		if n == 0 {
			t.Errorf("%s: no rows", table)
		}
	}
	// every change is in the outbox
	var changes int
	mustOK(t, s.db.QueryRow(`SELECT count(*) FROM outbox WHERE mutation LIKE 'inspection.%'`).Scan(&changes))
	// start, photo, the results, the defect again, a reading, completion,
	// the ticket link, the re-inspection and its verdict (the built-in
	// template is loaded on every device, not sent)
	if want := 1 + 1 + st.Total + 1 + 1 + 1 + 1 + 1 + 1; changes != want {
		t.Fatalf("outbox has %d inspection changes, want %d", changes, want)
	}
}

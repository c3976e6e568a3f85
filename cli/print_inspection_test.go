package cli

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"anchang/assets"
	"anchang/data"
)

// TestPrintStoredInspection: `anchang print handover-inspection --id`
// renders a stored inspection, phones masked.
func TestPrintStoredInspection(t *testing.T) {
	ctx := context.Background()
	dir, s, admin := setUpStore(t)
	if _, err := s.EnsureInspectionTemplate(ctx, assets.HandoverTemplate); err != nil {
		t.Fatal(err)
	}
	in, err := s.StartInspection(ctx, admin.ID, data.InspectionInput{Kind: data.InspectionHandover, Project: "星河湾二期", Building: "3号楼", Unit: "1202",
		Owners: []string{"王秀英"}, Phone: "13812345678"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.RecordResult(ctx, admin.ID, in.ID, data.ResultInput{Item: "kitchen.drain", Result: data.ResultDefect, Description: "水槽下水慢"}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	out := filepath.Join(t.TempDir(), "i.pdf")
	code, _, errs := runPrint(t, dir, "handover-inspection", "--id", in.ID, "-o", out)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	txt := pdfText(t, out)
	if txt != "" && (!strings.Contains(txt, "水槽下水慢") || !strings.Contains(txt, "138****5678") || strings.Contains(txt, "1234 5678")) {
		t.Fatalf("printed:\n%s", txt)
	}
	if code, _, _ := runPrint(t, dir, "handover-inspection", "--id", "no-such-id", "-o", out); code == 0 {
		t.Fatal("an unknown id printed")
	}
}

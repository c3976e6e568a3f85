package data

import (
	"context"
	"testing"
)

// TestUnitHistoryInProgress: an inspection in progress with a defect is
// summarised with its unchecked items, and the unit history lists its
// defect (marked in progress) instead of "no defects"; a re-inspection
// does not carry it until the inspection is completed.
func TestUnitHistoryInProgress(t *testing.T) {
	ctx := context.Background()
	s, _, recep, _ := inspectionStore(t)
	ins := mustStart(t, s, recep.ID, handoverInput("1202"))
	st := mustDetail(t, s, recep.ID, ins.ID)
	for i, it := range st.Template.Items()[:20] {
		in := ResultInput{Item: it.Key, Result: ResultPass}
		if i == 3 {
			in = ResultInput{Item: it.Key, Result: ResultDefect, Description: "密封条脱落"}
		}
		if _, err := s.RecordResult(ctx, recep.ID, ins.ID, in); err != nil {
			t.Fatal(err)
		}
	}
	h, err := s.UnitHistoryOf(ctx, recep.ID, ins.ID)
	mustOK(t, err)
	if len(h.Inspections) != 1 {
		t.Fatalf("%d inspections", len(h.Inspections))
	}
	sum := h.Inspections[0].Summary()
	if sum != (InspectionSummary{Completed: false, Total: 112, Answered: 20, Defects: 1}) || sum.Unchecked() != 92 {
		t.Fatalf("summary %+v, unchecked %d", sum, sum.Unchecked())
	}
	if len(h.Defects) != sum.Defects || !h.Defects[0].InProgress || h.Defects[0].Description != "密封条脱落" {
		t.Fatalf("history defects %+v, summary says %d", h.Defects, sum.Defects)
	}
	open, err := s.OpenDefectsOf(ctx, recep.ID, ins.ID)
	mustOK(t, err)
	if n, _ := s.OpenDefectCount(ctx, "星河湾二期", "3号楼", "1202"); len(open) != 0 || n != 0 {
		t.Fatalf("an unfinished inspection's defect is open for re-inspection: %d, %d", len(open), n)
	}

	// completed: the same defect, no longer in progress, and carried
	answerAll(t, s, recep.ID, mustDetail(t, s, recep.ID, ins.ID), map[string]string{st.Template.Items()[3].Key: "密封条脱落"})
	mustOK(t, s.CompleteInspection(ctx, recep.ID, ins.ID, CompleteInput{PaperSign: true}))
	h, err = s.UnitHistoryOf(ctx, recep.ID, ins.ID)
	mustOK(t, err)
	sum = h.Inspections[0].Summary()
	if !sum.Completed || sum.Unchecked() != 0 || sum.Defects != 1 || len(h.Defects) != 1 || h.Defects[0].InProgress {
		t.Fatalf("completed: summary %+v, defects %+v", sum, h.Defects)
	}
	if open, _ := s.OpenDefectsOf(ctx, recep.ID, ins.ID); len(open) != 1 {
		t.Fatalf("completed inspection's defect not open for re-inspection: %d", len(open))
	}
}

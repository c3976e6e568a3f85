package app

import (
	"anchang/app/forms"
)

// printInspection prints a stored inspection on the handover checklist
// form (AC-KF-03-F01): results, defects, meters, keys and signatures.
func (u *UI) printInspection(id string) {
	u.showPrint(u.recordJob(forms.HandoverInspection, id, func(p forms.Printed) string {
		return T("print.about.inspection", map[string]any{"Unit": p.Inspection.UnitLabel(), "Date": p.Inspection.Date})
	}), nil)
}

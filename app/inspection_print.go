package app

import (
	"context"
	"io"

	"anchang/app/forms"
	"anchang/data"
)

// printInspection prints a stored inspection on the handover checklist
// form (AC-KF-03-F01): results, defects, meters, keys and signatures.
func (u *UI) printInspection(id string) {
	actor, name := u.user.ID, u.user.Name
	u.showPrint(printJob{def: forms.HandoverInspection, render: func(ctx context.Context, w io.Writer, version string) (printed, error) {
		recs := &inspectionRecordOf{Store: u.store}
		if err := forms.Print(ctx, w, recs, forms.HandoverInspection, id, forms.PrintOptions{ActorID: actor, PrintedBy: name, Now: u.now(), Version: version}); err != nil {
			return printed{}, err
		}
		_, office, _ := u.store.Device()
		st := recs.st
		return printed{serial: forms.Serial(office.Code, st.Date, st.Ordinal),
			about: T("print.about.inspection", map[string]any{"Unit": st.UnitLabel(), "Date": st.Date})}, nil
	}}, nil)
}

// inspectionRecordOf passes the store to forms.Print and keeps the
// inspection it printed, whose date and number make the serial.
type inspectionRecordOf struct {
	Store
	st data.InspectionState
}

func (r *inspectionRecordOf) InspectionDetail(ctx context.Context, actorID, id string) (data.InspectionState, error) {
	st, err := r.Store.InspectionDetail(ctx, actorID, id)
	r.st = st
	return st, err
}

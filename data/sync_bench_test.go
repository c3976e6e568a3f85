package data

import (
	"context"
	"fmt"
	"runtime"
	"testing"
	"time"
)

// BenchmarkApplySnapshot100k: a new device bootstraps an office of 100,000
// records (20 consultants, 25,000 visits over 250 days, each assigned and
// checked out, with the rotation's joins and assignments) from a snapshot
// in one transaction. Run with -benchtime=1x; it reports the heap in use
// after the apply as heap-MB.
func BenchmarkApplySnapshot100k(b *testing.B) {
	ctx := context.Background()
	src, admin, clk := newTestStore(b)
	_, office, _ := src.Device()
	dev, _, _ := src.Device()
	var changes []PulledChange
	add := func(p payload) {
		raw, _, err := encodePayload(p)
		mustOK(b, err)
		spec := p.spec()
		changes = append(changes, PulledChange{Seq: int64(len(changes) + 1), Name: spec.Name, Version: spec.Version, RecordID: p.recordID(), Payload: raw})
	}
	at := clk.Now().Add(-300 * 24 * time.Hour)
	stampAt := func() recStamp {
		at = at.Add(time.Second)
		return recStamp{ID: newIDAt(at), OfficeID: office.ID, DeviceID: dev.ID, CreatedAt: ms(at), CreatedBy: admin.ID}
	}
	var cons []string
	for i := range 20 {
		st := stampAt()
		add(&staffSave{recStamp: st, Name: fmt.Sprintf("顾问%c", '甲'+rune(i)), Role: RoleConsultant, Active: true, UpdatedAt: st.CreatedAt})
		cons = append(cons, st.ID)
	}
	for len(changes) < 100_000 {
		day := at.In(shanghai).Format(time.DateOnly)
		for _, c := range cons {
			add(&rotationAction{recStamp: stampAt(), Day: day, ConsultantID: c, Action: RotJoin})
		}
		for i := 0; i < 100 && len(changes) < 100_000; i++ {
			v := stampAt()
			c := cons[i%len(cons)]
			add(&visitCheckIn{recStamp: v, Visitor: visitorPart{ID: newIDAt(at), Name: "王芳", Phone: fmt.Sprintf("+86138%08d", len(changes)), New: true},
				Name: "王芳", ArrivedAt: v.CreatedAt, Day: day, PartySize: 2, Purpose: PurposeViewing, Kind: KindFirst, Via: ViaKiosk, ConsentVersion: ConsentVersion})
			add(&visitEvent{recStamp: stampAt(), VisitID: v.ID, Kind: VisitAssign, ConsultantID: c})
			add(&rotationAction{recStamp: stampAt(), Day: day, ConsultantID: c, Action: RotAssign, VisitID: v.ID})
			add(&visitEvent{recStamp: stampAt(), VisitID: v.ID, Kind: VisitCheckout})
		}
		at = at.Add(24 * time.Hour)
	}
	// A snapshot comes by rank.
	ranked := shuffledSnapshot(changes, 1)
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		dst := joinStore(b, office, "B", clk)
		b.StartTimer()
		k := 0
		err := dst.ApplySnapshot(ctx, "office:"+office.ID, int64(len(ranked)), "", func() (PulledChange, bool, error) {
			if k == len(ranked) {
				return PulledChange{}, false, nil
			}
			k++
			return ranked[k-1], true, nil
		})
		mustOK(b, err)
		b.StopTimer()
		if st, _ := dst.SyncStatus(ctx); st.Skipped != 0 {
			b.Fatalf("%d skipped", st.Skipped)
		}
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		b.ReportMetric(float64(m.HeapInuse)/(1<<20), "heap-MB")
		b.StartTimer()
	}
}

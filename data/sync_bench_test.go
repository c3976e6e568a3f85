package data

import (
	"context"
	"fmt"
	"iter"
	"runtime"
	"runtime/metrics"
	"sync"
	"syscall"
	"testing"
	"time"
)

// BenchmarkApplySnapshot: a new device bootstraps an office of 10,000 and
// of 100,000 records (20 consultants; each day 20 join the rotation and
// 100 visitors check in, each assigned in the rotation and checked out)
// from a snapshot streamed into one transaction. The snapshot is made as
// it is read, in HQ's order (rank, then seq), so the benchmark holds no
// record itself and the heap is the store's. It reports records/s, the
// peak of the heap during the apply (sampled every 2 ms; peak-heap-MB) and
// the CPU the process used (cpu-s, which a loaded machine moves less than
// the wall time). Run with -benchtime=1x:
//
//	go test ./data -run XXX -bench BenchmarkApplySnapshot -benchtime 1x
func BenchmarkApplySnapshot(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		b.Run(fmt.Sprintf("records=%d", n), func(b *testing.B) { benchApplySnapshot(b, n) })
	}
}

// benchOffice generates the snapshot of an office of n records.
type benchOffice struct {
	n          int
	office     string
	dev, admin string
	cons       []string
	days       int   // whole days of 20 joins and 100 visits
	lastVisits int   // visits of the last, partial day (its 20 joins included)
	start      int64 // the first day, ms
}

const (
	benchStaff     = 20
	benchVisits    = 100 // a day's visits
	benchPerVisit  = 4   // check-in, assign, rotation assign, check-out
	benchDayLength = benchStaff + benchVisits*benchPerVisit
)

func newBenchOffice(n int, office, dev, admin string, start time.Time) *benchOffice {
	o := &benchOffice{n: n, office: office, dev: dev, admin: admin, start: ms(start)}
	for i := range benchStaff {
		o.cons = append(o.cons, benchID(1, i))
	}
	rest := n - benchStaff
	o.days = rest / benchDayLength
	if left := rest % benchDayLength; left > 0 {
		o.lastVisits = (left - benchStaff) / benchPerVisit
		if left < benchStaff || (left-benchStaff)%benchPerVisit != 0 {
			panic(fmt.Sprintf("bench office of %d records does not end on a whole visit", n))
		}
	}
	return o
}

// benchID is a UUID of kind k and number i, the same in every run.
func benchID(k, i int) string { return fmt.Sprintf("%08x-0000-7000-8000-%012x", k, i) }

func (o *benchOffice) stamp(id string, seq int64) recStamp {
	return recStamp{ID: id, OfficeID: o.office, DeviceID: o.dev, CreatedAt: o.start + seq*1000, CreatedBy: o.admin}
}

func (o *benchOffice) day(d int) string {
	return time.UnixMilli(o.start).In(shanghai).AddDate(0, 0, d).Format(time.DateOnly)
}

// visits is the number of visits of day d.
func (o *benchOffice) visits(d int) int {
	if d < o.days {
		return benchVisits
	}
	return o.lastVisits
}

// stream calls emit with every change of the snapshot, in HQ's order:
// the staff (rank 20), then the check-ins (30), then the events (40),
// each rank in seq order.
func (o *benchOffice) stream(emit func(seq int64, p payload)) {
	for i, c := range o.cons {
		emit(int64(i+1), &staffSave{recStamp: o.stamp(c, int64(i+1)), Name: fmt.Sprintf("顾问%c", '甲'+rune(i)), Role: RoleConsultant, Active: true, UpdatedAt: o.start})
	}
	days := o.days
	if o.lastVisits > 0 || (o.n-benchStaff)%benchDayLength > 0 {
		days++
	}
	base := func(d int) int64 { return int64(benchStaff + d*benchDayLength) }
	visitID := func(d, j int) string { return benchID(2, d*benchVisits+j) }
	for d := range days {
		for j := range o.visits(d) {
			seq := base(d) + benchStaff + int64(j*benchPerVisit) + 1
			v := o.stamp(visitID(d, j), seq)
			emit(seq, &visitCheckIn{recStamp: v, Visitor: visitorPart{ID: benchID(3, d*benchVisits+j), Name: "王芳", Phone: fmt.Sprintf("+86138%08d", d*benchVisits+j), New: true},
				Name: "王芳", ArrivedAt: v.CreatedAt, Day: o.day(d), PartySize: 2, Purpose: PurposeViewing, Kind: KindFirst, Via: ViaKiosk, ConsentVersion: ConsentVersion})
		}
	}
	for d := range days {
		day := o.day(d)
		for i, c := range o.cons {
			seq := base(d) + int64(i+1)
			emit(seq, &rotationAction{recStamp: o.stamp(benchID(4, d*benchStaff+i), seq), Day: day, ConsultantID: c, Action: RotJoin})
		}
		for j := range o.visits(d) {
			seq := base(d) + benchStaff + int64(j*benchPerVisit) + 1
			k := d*benchVisits + j
			c := o.cons[j%benchStaff]
			emit(seq+1, &visitEvent{recStamp: o.stamp(benchID(5, k), seq+1), VisitID: visitID(d, j), Kind: VisitAssign, ConsultantID: c})
			emit(seq+2, &rotationAction{recStamp: o.stamp(benchID(6, k), seq+2), Day: day, ConsultantID: c, Action: RotAssign, VisitID: visitID(d, j)})
			emit(seq+3, &visitEvent{recStamp: o.stamp(benchID(7, k), seq+3), VisitID: visitID(d, j), Kind: VisitCheckout})
		}
	}
}

// next is the snapshot as ApplySnapshot reads it: each change made when
// it is asked for (iter.Pull runs stream as a coroutine of the reader,
// on its thread).
func (o *benchOffice) next() (next func() (PulledChange, bool, error), stop func()) {
	pull, stop := iter.Pull(func(yield func(PulledChange) bool) {
		more := true
		o.stream(func(seq int64, p payload) {
			if !more {
				return
			}
			raw, _, err := encodePayload(p)
			if err != nil {
				panic(err)
			}
			spec := p.spec()
			more = yield(PulledChange{Seq: seq, Name: spec.Name, Version: spec.Version, RecordID: p.recordID(), Payload: raw})
		})
	})
	return func() (PulledChange, bool, error) {
		c, ok := pull()
		return c, ok, nil
	}, stop
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func benchApplySnapshot(b *testing.B, n int) {
	ctx := context.Background()
	src, admin, clk := newTestStore(b)
	_, office, _ := src.Device()
	dev, _, _ := src.Device()
	o := newBenchOffice(n, office.ID, dev.ID, admin.ID, clk.Now().Add(-400*24*time.Hour))
	var peak uint64
	var cpu time.Duration
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		dst := joinStore(b, office, "B", clk)
		next, stop := o.next()
		runtime.GC()
		var wg sync.WaitGroup
		quit := make(chan struct{})
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
			t := time.NewTicker(2 * time.Millisecond)
			defer t.Stop()
			for {
				metrics.Read(s)
				peak = max(peak, s[0].Value.Uint64())
				select {
				case <-quit:
					return
				case <-t.C:
				}
			}
		}()
		cpu0 := cpuTime()
		b.StartTimer()
		err := dst.ApplySnapshot(ctx, "office:"+office.ID, int64(n), "", next)
		b.StopTimer()
		cpu += cpuTime() - cpu0
		close(quit)
		wg.Wait()
		stop()
		mustOK(b, err)
		st, err := dst.SyncStatus(ctx)
		mustOK(b, err)
		if st.Skipped != 0 {
			b.Fatalf("%d skipped", st.Skipped)
		}
		if got := countRows(b, dst, "visits") + countRows(b, dst, "visit_events") + countRows(b, dst, "rotation_events") + countRows(b, dst, "staff"); got != n {
			b.Fatalf("%d records applied, want %d", got, n)
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
	b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s")
}

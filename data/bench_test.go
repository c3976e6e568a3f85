package data

// Benchmarks run only with -bench; `go test ./...` compiles them and moves on.
//
//	go test ./data -run '^$' -bench . -benchtime 200x
//
// BenchmarkLookupPhone1M builds a database of a million visits once and
// keeps it as os.TempDir()/anchang-bench-1m-vN.db (N = SchemaVersion).
// Delete that file after changing bulkVisits.

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// latencies collects per-operation durations.
type latencies []time.Duration

func (l latencies) quantile(q float64) time.Duration {
	if len(l) == 0 {
		return 0
	}
	s := slices.Clone(l)
	slices.Sort(s)
	i := int(q*float64(len(s))+0.5) - 1
	return s[max(0, min(i, len(s)-1))]
}

func msOf(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// bareDB is a one-column table on the same disk with the same DSN as the store.
type bareDB struct {
	db *sql.DB
	n  int
}

func openBare(tb testing.TB, dir string) *bareDB {
	tb.Helper()
	db, err := sql.Open("sqlite", DSN(filepath.Join(dir, "bare.db")))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	if _, err := db.Exec(`CREATE TABLE t (x INTEGER)`); err != nil {
		tb.Fatal(err)
	}
	return &bareDB{db: db}
}

// insert is one row in its own (IMMEDIATE, synchronous=FULL) transaction.
func (b *bareDB) insert(tb testing.TB) time.Duration {
	b.n++
	t0 := time.Now()
	tx, err := b.db.Begin()
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := tx.Exec(`INSERT INTO t (x) VALUES (?)`, b.n); err != nil {
		tb.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		tb.Fatal(err)
	}
	return time.Since(t0)
}

// BenchmarkCheckIn measures a desk check-in that assigns the next
// consultant in turn (visitor, visit, event, rotation and three outbox rows
// in one transaction), from call to durable commit. Between check-ins, with
// the timer stopped, it times a bare one-row insert on the same disk and
// checks the visitor out so a consultant is free again.
func BenchmarkCheckIn(b *testing.B) {
	s, admin, clk := newTestStore(b)
	ctx := context.Background()
	for _, n := range []string{"甲", "乙", "丙"} {
		c := mustStaff(b, s, admin, n, RoleConsultant, "")
		if err := s.RotationAction(ctx, admin.ID, c.ID, RotJoin); err != nil {
			b.Fatal(err)
		}
	}
	bare := openBare(b, filepath.Dir(s.Path()))
	in := desk(b, s, "王芳", "")
	in.AutoAssign, in.Notes = true, "意向三房，预算300万"
	bare.insert(b) // warm both files
	var checkin, bareLat latencies
	b.ResetTimer()
	for i := range b.N {
		clk.Advance(30 * time.Second)
		in.Phone = testPhone(i)
		t0 := time.Now()
		v, err := s.CheckIn(ctx, admin.ID, in)
		d := time.Since(t0)
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if v.ConsultantID == "" {
			b.Fatal("no consultant assigned")
		}
		checkin = append(checkin, d)
		bareLat = append(bareLat, bare.insert(b))
		if err := s.CheckOut(ctx, admin.ID, v.ID); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	b.StopTimer()
	med, bareMed := checkin.quantile(0.5), bareLat.quantile(0.5)
	b.ReportMetric(msOf(med), "median_ms")
	b.ReportMetric(msOf(checkin.quantile(0.95)), "p95_ms")
	b.ReportMetric(msOf(bareMed), "bare_median_ms")
	b.ReportMetric(msOf(bareLat.quantile(0.95)), "bare_p95_ms")
	if bareMed > 0 {
		b.ReportMetric(float64(med)/float64(bareMed), "checkin/bare")
	}
}

// BenchmarkBareInsert is the floor BenchmarkCheckIn compares with: one row
// in a one-column table, in its own transaction, same DSN and disk.
func BenchmarkBareInsert(b *testing.B) {
	bare := openBare(b, b.TempDir())
	bare.insert(b)
	var lat latencies
	b.ResetTimer()
	for range b.N {
		lat = append(lat, bare.insert(b))
	}
	b.StopTimer()
	b.ReportMetric(msOf(lat.quantile(0.5)), "median_ms")
	b.ReportMetric(msOf(lat.quantile(0.95)), "p95_ms")
}

// BenchmarkBoard5000 loads today's board with 5,000 visits today (and a
// month of history before), unfiltered and with the desk's usual filters.
func BenchmarkBoard5000(b *testing.B) {
	s, admin, clk := newTestStore(b)
	ctx := context.Background()
	for _, n := range demoConsultants {
		mustStaff(b, s, admin, n, RoleConsultant, "")
	}
	today := time.Date(2026, 11, 23, 0, 0, 0, 0, shanghai)
	bulkVisits(b, s, bulkSpec{start: today.AddDate(0, 0, -30).Add(8 * time.Hour), step: 120 * time.Second, visits: 20_000, visitors: 15_000, phone0: 1_000_000})
	phones := bulkVisits(b, s, bulkSpec{start: today.Add(8 * time.Hour), step: 9 * time.Second, visits: 5_000, phone0: 2_000_000})
	clk.t = today.Add(21 * time.Hour)
	staff, _ := s.ListStaff(ctx, false)
	var consultant string
	for _, st := range staff {
		if st.Role == RoleConsultant {
			consultant = st.ID
			break
		}
	}
	day := s.Today()
	filters := []struct {
		name string
		f    BoardFilter
		min  int // rows expected at least
	}{
		{"all", BoardFilter{}, BoardLimit},
		{"waiting", BoardFilter{Status: BoardWaiting}, BoardLimit},
		{"consultant", BoardFilter{ConsultantID: consultant}, 100},
		{"name", BoardFilter{Query: demoName(4321)[:3]}, 1},
		{"phone", BoardFilter{Query: phones[4321][len(phones[4321])-6:]}, 1},
	}
	for _, tt := range filters {
		b.Run(tt.name, func(b *testing.B) {
			var lat latencies
			b.ResetTimer()
			for range b.N {
				t0 := time.Now()
				board, err := s.Board(ctx, day, tt.f)
				lat = append(lat, time.Since(t0))
				if err != nil {
					b.Fatal(err)
				}
				if board.Figures.Visits != 5000 || len(board.Rows) < tt.min {
					b.Fatalf("%d visits, %d rows", board.Figures.Visits, len(board.Rows))
				}
			}
			b.StopTimer()
			b.ReportMetric(msOf(lat.quantile(0.5)), "median_ms")
			b.ReportMetric(msOf(lat.quantile(0.95)), "p95_ms")
		})
	}
}

const (
	bench1MVisits   = 1_000_000
	bench1MVisitors = 600_000
)

// bench1MPath is the cached million-visit database for this schema.
func bench1MPath() string {
	return filepath.Join(os.TempDir(), fmt.Sprintf("anchang-bench-1m-v%d.db", SchemaVersion))
}

var bench1MNow = time.Date(2026, 11, 23, 10, 0, 0, 0, shanghai)

// openBench1M opens the cached database in place (lookups only read),
// building it first when it is missing or not what this code would build.
func openBench1M(b *testing.B) *Store {
	b.Helper()
	ctx := context.Background()
	path := bench1MPath()
	s, err := openBenchFile(ctx, path)
	if err == nil {
		b.Cleanup(func() { s.Close() })
		b.Logf("using cached %s", path)
		return s
	}
	b.Logf("building %s: %v", path, err)
	os.Remove(path)
	t0 := time.Now()
	if err := buildBench1M(b, path); err != nil {
		b.Fatal(err)
	}
	b.Logf("built %d visits, %d visitors in %v", bench1MVisits, bench1MVisitors, time.Since(t0).Round(time.Millisecond))
	s, err = openBenchFile(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}

func openBenchFile(ctx context.Context, path string) (*Store, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, err
	}
	db, err := sql.Open("sqlite", DSN(path))
	if err != nil {
		return nil, err
	}
	s := &Store{db: db, path: path, Now: func() time.Time { return bench1MNow }}
	var visits, visitors int
	v, err := userVersion(ctx, db)
	if err == nil {
		err = db.QueryRowContext(ctx, `SELECT (SELECT max(rowid) FROM visits), (SELECT max(rowid) FROM visitors)`).Scan(&visits, &visitors)
	}
	if err == nil && (v != SchemaVersion || visits != bench1MVisits || visitors != bench1MVisitors) {
		err = fmt.Errorf("schema %d, %d visits, %d visitors", v, visits, visitors)
	}
	if err == nil {
		err = s.loadDevice(ctx)
	}
	if err == nil && !s.IsSetUp() {
		err = fmt.Errorf("not set up")
	}
	if err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// buildBench1M writes the database in a scratch directory next to path and
// renames it into place, so an interrupted build leaves no half file.
func buildBench1M(b *testing.B, path string) error {
	ctx := context.Background()
	dir, err := os.MkdirTemp(filepath.Dir(path), "anchang-bench-build-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	s, err := Open(ctx, dir)
	if err != nil {
		return err
	}
	defer s.Close()
	s.Now = func() time.Time { return bench1MNow.AddDate(-1, 0, -1) }
	admin, err := s.Setup(ctx, SetupInput{OfficeName: "基准售楼处", OfficeCode: "BENCH", DeviceName: "前台", AdminName: "管理员", AdminPIN: "258014"})
	if err != nil {
		return err
	}
	for _, n := range demoConsultants {
		mustStaff(b, s, admin, n, RoleConsultant, "")
	}
	// One connection with a big page cache for the bulk transaction.
	s.db.SetMaxOpenConns(1)
	if _, err := s.db.Exec(`PRAGMA cache_size = -262144`); err != nil {
		return err
	}
	// A year of visits, about 2,700 a day; the last 400,000 are returns.
	bulkVisits(b, s, bulkSpec{start: bench1MNow.AddDate(-1, 0, 0), step: 31 * time.Second, visits: bench1MVisits, visitors: bench1MVisitors})
	if _, err := s.db.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		return err
	}
	if _, err := s.db.Exec(`ANALYZE`); err != nil {
		return err
	}
	if err := s.Close(); err != nil {
		return err
	}
	return os.Rename(filepath.Join(dir, DBFileName), path)
}

// BenchmarkLookupPhone1M looks up returning visitors, typed as at the desk,
// among 1,000,000 visits by 600,000 visitors.
func BenchmarkLookupPhone1M(b *testing.B) {
	if testing.Short() {
		b.Skip("builds a million-visit database")
	}
	s := openBench1M(b)
	ctx := context.Background()
	typed := func(i int) string {
		p := testPhone((i * 7919) % bench1MVisitors) // 139xxxxxxxx
		return p[:3] + " " + p[3:7] + " " + p[7:]
	}
	// Sanity: a hit and a miss.
	if r, ok, err := s.LookupPhone(ctx, typed(1)); err != nil || !ok || r.Visits == 0 || len(r.Recent) == 0 {
		b.Fatalf("lookup: %+v %v %v", r, ok, err)
	}
	if _, ok, err := s.LookupPhone(ctx, "137 0000 0000"); err != nil || ok {
		b.Fatalf("miss: %v %v", ok, err)
	}
	var lat latencies
	b.ResetTimer()
	for i := range b.N {
		t0 := time.Now()
		r, ok, err := s.LookupPhone(ctx, typed(i))
		lat = append(lat, time.Since(t0))
		if err != nil || !ok || len(r.Recent) == 0 {
			b.Fatalf("lookup %s: %v %v", typed(i), ok, err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N), "us_per_lookup")
	b.ReportMetric(float64(lat.quantile(0.95))/float64(time.Microsecond), "p95_us")
}

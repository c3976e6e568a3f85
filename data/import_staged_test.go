package data

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"anchang/assets"
)

// bigManual is a manual file of n new entries.
// bigTable is a big manual's CSV as the store takes it.
func bigTable(b []byte) Table {
	var tb Table
	for i, line := range strings.Split(strings.TrimSuffix(string(b), "\n"), "\n") {
		tb.Rows, tb.Lines = append(tb.Rows, strings.Split(line, ",")), append(tb.Lines, i+1)
	}
	return tb
}

func bigManual(n int, status string) []byte {
	var b bytes.Buffer
	b.WriteString("category,question,answer,status,tags\n")
	for i := range n {
		fmt.Fprintf(&b, "loans,第%d号楼的首付比例是多少？,第%d号楼按国家政策执行，首付不低于三成。,%s,首付|贷款\n", i, i, status)
	}
	return b.Bytes()
}

// deskVisitor is the i-th visitor checked in at the desk.
func deskVisitor(t testing.TB, s *Store, i int) CheckInInput {
	given := []rune("明华强伟芳娜静敏丽军")
	in := desk(t, s, "王"+string(given[i%10])+string(given[(i/10)%10]), testPhone(i))
	in.Title = TitleMr
	return in
}

// checkInEvery checks a visitor in every period until stop is closed and
// reports each check-in's error and time.
type deskLoad struct {
	mu     sync.Mutex
	n      int
	failed []error
	worst  time.Duration
	stop   chan struct{}
	done   sync.WaitGroup
}

func checkInEvery(t testing.TB, s *Store, actorID string, period time.Duration, from int) *deskLoad {
	d := &deskLoad{stop: make(chan struct{})}
	d.done.Add(1)
	go func() {
		defer d.done.Done()
		for i := from; ; i++ {
			select {
			case <-d.stop:
				return
			case <-time.After(period):
			}
			t0 := time.Now()
			_, err := s.CheckIn(context.Background(), actorID, deskVisitor(t, s, i))
			d.mu.Lock()
			d.n++
			d.worst = max(d.worst, time.Since(t0))
			if err != nil {
				d.failed = append(d.failed, err)
			}
			d.mu.Unlock()
		}
	}()
	return d
}

func (d *deskLoad) finish() {
	close(d.stop)
	d.done.Wait()
}

// wantDenseOutbox checks that the outbox's seqs run 1…n with no gap (HQ
// refuses a gap) and that every pending record's sync_ord names its row.
func wantDenseOutbox(t *testing.T, s *Store) {
	t.Helper()
	var n, lo, hi int64
	mustOK(t, s.db.QueryRow(`SELECT count(*), COALESCE(min(seq), 0), COALESCE(max(seq), 0) FROM outbox`).Scan(&n, &lo, &hi))
	if n > 0 && (lo != 1 || hi != n) {
		t.Fatalf("outbox seqs %d…%d for %d rows", lo, hi, n)
	}
	var seq int64
	if err := s.db.QueryRow(`SELECT COALESCE(max(seq), 0) FROM sqlite_sequence WHERE name = 'outbox'`).Scan(&seq); err != nil || seq != hi {
		t.Fatalf("sqlite_sequence %d, max seq %d (%v)", seq, hi, err)
	}
	var bad int
	mustOK(t, s.db.QueryRow(`SELECT count(*) FROM visits v WHERE v.sync_ord > ? AND NOT EXISTS
		(SELECT 1 FROM outbox o WHERE o.record_id = v.id AND ? + o.seq = v.sync_ord)`, pendingOrd, pendingOrd).Scan(&bad))
	if bad > 0 {
		t.Fatalf("%d visits whose sync_ord names no outbox row of theirs", bad)
	}
}

// TestImportKeepsTheDeskWriting: a 20,000-row manual is imported while the
// desk checks a visitor in every 50 ms. Every check-in succeeds (in one
// transaction the import held the lock for 6–17 s and a check-in failed
// with SQLITE_BUSY after 5 s); HQ is never offered half the import; the
// manual appears whole at the end.
func TestImportKeepsTheDeskWriting(t *testing.T) {
	if testing.Short() {
		t.Skip("20,000 rows")
	}
	ctx := context.Background()
	s, admin, _ := newFAQStore(t)
	before := countRows(t, s, "faq_entries")
	rows := 20000
	if raceOn {
		rows = 3000
	}
	var offered []int64 // the outbox's pending rows at each chunk
	var firstSeq int64
	var midway []int // entries the editor lists, and desk answers, during the import
	s.importHook = func(stage string, n int) {
		if stage != "chunk" || n%10 != 3 {
			return
		}
		pending, err := s.PendingOutbox(ctx, 1<<20)
		mustOK(t, err)
		if len(pending) > 0 {
			offered = append(offered, pending[len(pending)-1].Seq)
		}
		mustOK(t, s.db.QueryRow(`SELECT first_seq FROM imports`).Scan(&firstSeq))
		list, err := s.ListFAQ(ctx, FAQFilter{Editing: true})
		mustOK(t, err)
		hits, err := s.SearchFAQ(ctx, "号楼的首付", 5)
		mustOK(t, err)
		midway = append(midway, len(list), hits.Total)
	}
	load := checkInEvery(t, s, admin.ID, 50*time.Millisecond, 0)
	t0 := time.Now()
	res, err := s.ImportFAQ(ctx, admin.ID, bigTable(bigManual(rows, "approved")))
	took := time.Since(t0)
	load.finish()
	mustOK(t, err)
	if res.Created != rows {
		t.Fatalf("import %+v", res)
	}
	if len(load.failed) > 0 || load.n < 5 {
		t.Fatalf("%d of %d check-ins failed during the import: %v", len(load.failed), load.n, load.failed[0])
	}
	st := s.lastImport
	t.Logf("%d rows in %v; %d chunks, longest %v, last transaction %v; %d check-ins, slowest %v",
		rows, took, st.chunks, st.longest, st.finish, load.n, load.worst)
	if st.chunks < 3 {
		t.Fatalf("%d chunks", st.chunks)
	}
	for _, seq := range offered {
		if seq >= firstSeq {
			t.Fatalf("the outbox offered seq %d of an import starting at %d", seq, firstSeq)
		}
	}
	for i := 0; i < len(midway); i += 2 {
		if midway[i] != before || midway[i+1] != 0 {
			t.Fatalf("during the import the editor listed %d entries (want %d) and the desk found %d", midway[i], before, midway[i+1])
		}
	}
	if len(midway) == 0 {
		t.Fatal("never looked during the import")
	}
	if n := countRows(t, s, "faq_entries"); n != before+rows {
		t.Fatalf("%d entries, want %d", n, before+rows)
	}
	hits, err := s.SearchFAQ(ctx, fmt.Sprintf("第%d号楼的首付", rows-1), 1)
	mustOK(t, err)
	if hits.Total == 0 {
		t.Fatal("the last row is not on the desk")
	}
	pending, err := s.PendingOutbox(ctx, 1<<20)
	mustOK(t, err)
	if want := countRows(t, s, "outbox"); len(pending) != want {
		t.Fatalf("after the import the outbox offers %d of %d rows", len(pending), want)
	}
	wantDenseOutbox(t, s)
	// An FAQ edit waits for no import now.
	_, err = s.SaveFAQ(ctx, admin.ID, "", faqIn("导入后可以编辑吗？", "可以。"))
	mustOK(t, err)
}

// importCounts are the row counts an import may change.
func importCounts(t *testing.T, s *Store) map[string]int {
	m := map[string]int{}
	for _, tb := range []string{"faq_entries", "faq_versions", "faq_status_events", "faq_categories", "imports"} {
		m[tb] = countRows(t, s, tb)
	}
	return m
}

func wantCounts(t *testing.T, s *Store, want map[string]int) {
	t.Helper()
	for tb, n := range importCounts(t, s) {
		if n != want[tb] {
			t.Errorf("%s: %d rows, want %d", tb, n, want[tb])
		}
	}
}

// TestImportCancelledLeavesNothing: an import stopped half-way (its
// context cancelled) takes out everything it wrote; the check-ins made
// meanwhile stay, with an outbox whose seqs are dense again.
func TestImportCancelledLeavesNothing(t *testing.T) {
	ctx := context.Background()
	s, admin, _ := newFAQStore(t)
	before := importCounts(t, s)
	outbox := countRows(t, s, "outbox")
	ictx, cancel := context.WithCancel(ctx)
	defer cancel()
	var edit error
	s.importHook = func(stage string, n int) {
		if stage == "chunk" && n == 2 {
			mustCheckIn(t, s, admin.ID, deskVisitor(t, s, 900))
			_, edit = s.SaveFAQ(ctx, admin.ID, "", faqIn("导入时可以编辑吗？", "不可以。"))
		}
		if stage == "chunk" && n == 4 {
			mustCheckIn(t, s, admin.ID, deskVisitor(t, s, 901))
			cancel()
		}
	}
	importChunkMax = 50
	defer func() { importChunkMax = 2000 }()
	_, err := s.ImportFAQ(ictx, admin.ID, bigTable(bigManual(2000, "approved")))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("import: %v", err)
	}
	wantKey(t, edit, ECONFLICT, "err.import.running")
	wantCounts(t, s, before)
	if n := countRows(t, s, "outbox"); n != outbox+2 {
		t.Fatalf("outbox %d rows, want %d (the two check-ins)", n, outbox+2)
	}
	wantDenseOutbox(t, s)
	hits, err := s.SearchFAQ(ctx, "号楼的首付", 5)
	mustOK(t, err)
	if hits.Total != 0 {
		t.Fatalf("a cancelled import left %d entries on the desk", hits.Total)
	}
	// And the same file imports whole afterwards.
	s.importHook = nil
	res, err := s.ImportFAQ(ctx, admin.ID, bigTable(bigManual(2000, "approved")))
	mustOK(t, err)
	if res.Created != 2000 {
		t.Fatalf("second import %+v", res)
	}
	wantDenseOutbox(t, s)
}

// TestImportKilledLeavesNothing kills a process (kill -9) in the middle of
// an import, while it also checks visitors in; the next holder of the data
// directory rolls the import back, keeps the check-ins, and the outbox
// held the import's rows back until then.
func TestImportKilledLeavesNothing(t *testing.T) {
	if dir := os.Getenv("ANCHANG_IMPORT_CHILD"); dir != "" {
		importChild(t, dir)
		return
	}
	ctx := context.Background()
	dir := t.TempDir()
	s, admin, _ := newTestStoreIn(t, dir)
	_, err := s.EnsureStarterFAQ(ctx, assets.StarterFAQ)
	mustOK(t, err)
	before := importCounts(t, s)
	outbox := countRows(t, s, "outbox")
	mustOK(t, s.Close())

	cmd := exec.Command(os.Args[0], "-test.run=^TestImportKilledLeavesNothing$", "-test.v")
	cmd.Env = append(os.Environ(), "ANCHANG_IMPORT_CHILD="+dir, "ANCHANG_IMPORT_ADMIN="+admin.ID)
	out, err := cmd.StdoutPipe()
	mustOK(t, err)
	cmd.Stderr = os.Stderr
	mustOK(t, cmd.Start())
	sc := bufio.NewScanner(out)
	chunks := 0
	for sc.Scan() {
		if n, ok := strings.CutPrefix(sc.Text(), "CHUNK "); ok {
			chunks, _ = strconv.Atoi(n)
			if chunks >= 8 {
				break
			}
		}
	}
	mustOK(t, cmd.Process.Signal(syscall.SIGKILL))
	_ = cmd.Wait()
	if chunks < 8 {
		t.Fatalf("the child wrote %d chunks", chunks)
	}

	s2, err := Open(ctx, dir)
	mustOK(t, err)
	defer s2.Close()
	// Before recovery: the import's rows are there, held back.
	var first int64
	mustOK(t, s2.db.QueryRow(`SELECT first_seq FROM imports`).Scan(&first))
	pending, err := s2.PendingOutbox(ctx, 1<<20)
	mustOK(t, err)
	if len(pending) > 0 && pending[len(pending)-1].Seq >= first {
		t.Fatalf("the outbox offers seq %d of an unfinished import from %d", pending[len(pending)-1].Seq, first)
	}
	list, err := s2.ListFAQ(ctx, FAQFilter{Editing: true})
	mustOK(t, err)
	if len(list) != before["faq_entries"] {
		t.Fatalf("the editor lists %d entries of a killed import's, want %d", len(list), before["faq_entries"])
	}
	mustOK(t, s2.RecoverImports(ctx))
	wantCounts(t, s2, before)
	visits := countRows(t, s2, "visits")
	if visits == 0 || countRows(t, s2, "outbox") != outbox+visits {
		t.Fatalf("%d visits, outbox %d rows (was %d)", visits, countRows(t, s2, "outbox"), outbox)
	}
	wantDenseOutbox(t, s2)
	pending, err = s2.PendingOutbox(ctx, 1<<20)
	mustOK(t, err)
	if len(pending) != outbox+visits {
		t.Fatalf("the outbox offers %d of %d rows", len(pending), outbox+visits)
	}
	t.Logf("killed after %d chunks; %d check-ins kept", chunks, visits)
}

// importChild imports in dir, printing each chunk, while checking in.
func importChild(t *testing.T, dir string) {
	ctx := context.Background()
	s, err := Open(ctx, dir)
	mustOK(t, err)
	admin := os.Getenv("ANCHANG_IMPORT_ADMIN")
	importChunkMax = 100
	i := 0
	s.importHook = func(stage string, n int) {
		if stage == "chunk" {
			mustCheckIn(t, s, admin, deskVisitor(t, s, i))
			i++
			fmt.Printf("CHUNK %d\n", n)
			time.Sleep(20 * time.Millisecond)
		}
	}
	_, err = s.ImportFAQ(ctx, admin, bigTable(bigManual(5000, "approved")))
	t.Fatalf("the import was not killed: %v", err)
}

// fixtureV13: an outbox row written before imports were staged is still
// offered to HQ, as no import's.
func fixtureV13(t *testing.T, db *sql.DB) func(*testing.T, *Store) {
	if _, err := db.Exec(`INSERT INTO outbox (mutation, version, record_id, payload, hash, created_at, format) VALUES ('faq.miss', 1, 'r1', '{}', 'h', 1, 1)`); err != nil {
		t.Fatal(err)
	}
	return func(t *testing.T, s *Store) {
		pending, err := s.PendingOutbox(context.Background(), 10)
		mustOK(t, err)
		if len(pending) != 1 || pending[0].RecordID != "r1" || countRows(t, s, "imports") != 0 {
			t.Fatalf("after migrating: %+v", pending)
		}
		var imp sql.NullString
		mustOK(t, s.db.QueryRow(`SELECT import_id FROM outbox`).Scan(&imp))
		if imp.Valid {
			t.Fatalf("import_id %q", imp.String)
		}
	}
}

// ledgerFile is a ledger of rows tickets to carry over.
func ledgerFile(t *testing.T, rows int) Table {
	var b bytes.Buffer
	b.WriteString("受理时间,类型,类别,级别,事由,客户姓名,联系电话\n")
	day := time.Date(2026, 10, 1, 0, 0, 0, 0, shanghai)
	for i := range rows {
		fmt.Fprintf(&b, "%s 10:%02d,投诉,工程质量,一般,阳台栏杆松动第%d处,王芳,%s\n", day.AddDate(0, 0, i%40).Format(time.DateOnly), i%60, i, testPhone(i))
	}
	return csvTable(t, "ledger.csv", b.String())
}

// TestTicketImportKeepsTheDeskWriting: a 5,000-row ledger (the most a file
// may hold) is carried over while the desk checks a visitor in every 50
// ms. Each new ticket's number read every ticket (no index on the device's
// day) and everything ran in one write transaction: 15.8 s at load 23,
// and 2 of 3 check-ins failed. Now the rows are checked reading only and
// the tickets opened in chunks.
func TestTicketImportKeepsTheDeskWriting(t *testing.T) {
	s, admin, _ := newTestStore(t)
	rows := MaxTicketImportRows
	if raceOn {
		rows = 1000
	}
	file := ledgerFile(t, rows)
	load := checkInEvery(t, s, admin.ID, 50*time.Millisecond, 0)
	t0 := time.Now()
	n, err := s.ImportTickets(context.Background(), admin.ID, file)
	took := time.Since(t0)
	load.finish()
	mustOK(t, err)
	if n != rows || countRows(t, s, "tickets") != rows {
		t.Fatalf("%d tickets carried over, %d stored, want %d", n, countRows(t, s, "tickets"), rows)
	}
	if len(load.failed) > 0 {
		t.Fatalf("%d of %d check-ins failed during the import: %v", len(load.failed), load.n, load.failed[0])
	}
	st := s.lastImport
	t.Logf("%d rows in %v; %d chunks, longest %v; %d check-ins, slowest %v", rows, took, st.chunks, st.longest, load.n, load.worst)
	wantDenseOutbox(t, s)
}

// TestTicketImportCancelledLeavesNothing: a ledger import stopped half-way
// takes its tickets out again; a check-in made meanwhile stays.
func TestTicketImportCancelledLeavesNothing(t *testing.T) {
	s, admin, _ := newTestStore(t)
	outbox := countRows(t, s, "outbox")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	importChunkMax, importChunkTime = 20, time.Hour // chunks of 20
	defer func() { importChunkMax, importChunkTime = 2000, 40*time.Millisecond }()
	s.importHook = func(stage string, n int) {
		if stage == "chunk" && n == 3 {
			if c := countRows(t, s, "tickets"); c != 60 {
				t.Errorf("%d tickets after 3 chunks", c)
			}
			mustCheckIn(t, s, admin.ID, deskVisitor(t, s, 1))
			cancel()
		}
	}
	_, err := s.ImportTickets(ctx, admin.ID, ledgerFile(t, 200))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("import: %v", err)
	}
	if n := countRows(t, s, "tickets") + countRows(t, s, "ticket_events") + countRows(t, s, "imports"); n != 0 {
		t.Fatalf("%d rows left", n)
	}
	if n := countRows(t, s, "outbox"); n != outbox+1 {
		t.Fatalf("outbox %d, want %d", n, outbox+1)
	}
	wantDenseOutbox(t, s)
	s.importHook = nil
	n, err := s.ImportTickets(context.Background(), admin.ID, ledgerFile(t, 200))
	if err != nil || n != 200 {
		t.Fatalf("again: %d %v", n, err)
	}
}

// fixtureV14: a version-14 database gets the index that numbers tickets.
func fixtureV14(t *testing.T, db *sql.DB) func(*testing.T, *Store) {
	return func(t *testing.T, s *Store) {
		var n int
		mustOK(t, s.db.QueryRow(`SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = 'tickets_device_day'`).Scan(&n))
		if n != 1 {
			t.Fatal("no tickets_device_day index")
		}
	}
}

// TestEnrollWaitsForAnImport: joining HQ renumbers the outbox, under which
// an import counts its rows, so an enrollment is refused while an import
// runs (and said so by SyncIdentity, which sync.Enroll asks before HQ
// spends the one-time code); once the import is done the same enrollment
// goes through.
func TestEnrollWaitsForAnImport(t *testing.T) {
	ctx := context.Background()
	s, admin, _ := newFAQStore(t)
	id, err := s.SyncIdentity(ctx)
	mustOK(t, err)
	if id.Importing {
		t.Fatal("importing before any import")
	}
	enr := Enrollment{HQURL: "https://hq.example:8443", HQID: newID(), DeviceID: id.DeviceID, OfficeID: newID(), OfficeCode: "SH01",
		OfficeName: "上海一号案场", Role: SyncRoleOffice, Secret: "s3cret", Scopes: []string{"office"}}
	var during SyncIdentity
	var refused error
	s.importHook = func(stage string, n int) {
		if stage == "chunk" && n == 2 {
			during, _ = s.SyncIdentity(ctx)
			refused = s.Enroll(ctx, enr)
		}
	}
	importChunkMax = 50
	defer func() { importChunkMax = 2000 }()
	_, err = s.ImportFAQ(ctx, admin.ID, bigTable(bigManual(300, "approved")))
	mustOK(t, err)
	if !during.Importing {
		t.Fatal("SyncIdentity does not say an import is under way")
	}
	wantKey(t, refused, ECONFLICT, "err.import.enrol")
	s.importHook = nil
	id, err = s.SyncIdentity(ctx)
	mustOK(t, err)
	if id.Importing || id.Enrolled {
		t.Fatalf("after the import: %+v", id)
	}
	wantDenseOutbox(t, s)
	mustOK(t, s.Enroll(ctx, enr))
	if id, _ := s.SyncIdentity(ctx); !id.Enrolled || id.OfficeCode != "SH01" {
		t.Fatalf("enrolled after the import: %+v", id)
	}
}

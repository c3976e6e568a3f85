package data

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// The helper process: the test binary run again with ANCHANG_HELPER set
// does one thing to a data directory, as a second program would.
func TestHelperProcess(t *testing.T) {
	verb := os.Getenv("ANCHANG_HELPER")
	if verb == "" {
		return
	}
	dir := os.Getenv("ANCHANG_HELPER_DIR")
	ctx := context.Background()
	switch verb {
	case "open": // wait for the start file, then open (a double-click)
		for {
			if _, err := os.Stat(dir + ".go"); err == nil {
				break
			}
			time.Sleep(time.Millisecond)
		}
		s, err := Open(ctx, dir)
		if err != nil {
			fmt.Println("error:", err)
			os.Exit(1)
		}
		s.Close()
		fmt.Println("ok")
	case "lock": // hold the directory until stdin closes
		l, err := LockDir(dir)
		if err != nil {
			fmt.Println("error:", err)
			os.Exit(1)
		}
		fmt.Println("locked")
		bufio.NewReader(os.Stdin).ReadString('\n')
		l.Unlock()
	}
	os.Exit(0)
}

func helper(t *testing.T, verb, dir string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$")
	cmd.Env = append(os.Environ(), "ANCHANG_HELPER="+verb, "ANCHANG_HELPER_DIR="+dir)
	return cmd
}

// Any directory name works: the DSN escapes it, so the database is inside
// the directory asked for, in WAL mode, and two such directories never
// share a database.
func TestOpenAnyDataDirPath(t *testing.T) {
	ctx := context.Background()
	names := []string{"q?x", "h#x", "a%20b", "with space", "中文 目录", "q?_pragma=journal_mode(DELETE)", "50%", "semi;colon&amp=1"}
	if runtime.GOOS == "windows" {
		names = []string{"h#x", "a%20b", "with space", "中文 目录", "50%", "semi;colon&amp=1"}
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			parent := t.TempDir()
			dir := filepath.Join(parent, name)
			s, err := Open(ctx, dir)
			if err != nil {
				t.Fatalf("open %q: %v", dir, err)
			}
			_, err = s.Setup(ctx, SetupInput{OfficeName: "星河湾售楼处", OfficeCode: "xhw-01", DeviceName: "前台", AdminName: "管理员", AdminPIN: "258014"})
			mustOK(t, err)
			var mode string
			mustOK(t, s.db.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode))
			if mode != "wal" {
				t.Errorf("journal_mode = %s, want wal", mode)
			}
			var file string
			mustOK(t, s.db.QueryRowContext(ctx, "SELECT file FROM pragma_database_list WHERE name = 'main'").Scan(&file))
			if want := filepath.Join(dir, DBFileName); file != want {
				t.Errorf("database file %q, want %q", file, want)
			}
			s.Close()
			entries, _ := os.ReadDir(parent)
			if len(entries) != 1 || entries[0].Name() != name {
				var got []string
				for _, e := range entries {
					got = append(got, e.Name())
				}
				t.Errorf("parent holds %q, want only %q", got, name)
			}
			// A sibling whose name differs after the ? is another database.
			other, err := Open(ctx, dir+"2")
			mustOK(t, err)
			defer other.Close()
			if other.IsSetUp() {
				t.Errorf("%q shares the database of %q", dir+"2", dir)
			}
			again, err := Open(ctx, dir)
			mustOK(t, err)
			defer again.Close()
			if !again.IsSetUp() {
				t.Errorf("reopening %q lost the setup", dir)
			}
		})
	}
}

// The database and its WAL and shared-memory files are the owner's only,
// even in a directory others may read, and a database made earlier with
// 0644 is narrowed when opened.
func TestDatabaseFilesOwnerOnly(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no Unix modes")
	}
	old := setUmask(0o022)
	defer setUmask(old)
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "shared")
	mustOK(t, os.Mkdir(dir, 0o755))
	s, err := Open(ctx, dir)
	mustOK(t, err)
	_, err = s.Setup(ctx, SetupInput{OfficeName: "星河湾售楼处", OfficeCode: "xhw-01", DeviceName: "前台", AdminName: "管理员", AdminPIN: "258014"})
	mustOK(t, err)
	path := filepath.Join(dir, DBFileName)
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatalf("%s: %v", filepath.Base(p), err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s is %v, want 0600", filepath.Base(p), fi.Mode().Perm())
		}
	}
	s.Close()
	mustOK(t, os.Chmod(path, 0o644))
	s, err = Open(ctx, dir)
	mustOK(t, err)
	s.Close()
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("reopened database is %v, want 0600", fi.Mode().Perm())
	}
	fresh := filepath.Join(t.TempDir(), "a", "b")
	s, err = Open(ctx, fresh)
	mustOK(t, err)
	s.Close()
	for _, d := range []string{fresh, filepath.Dir(fresh)} {
		if fi, _ := os.Stat(d); fi.Mode().Perm() != 0o700 {
			t.Errorf("made directory %s is %v, want 0700", d, fi.Mode().Perm())
		}
	}
	export := filepath.Join(dir, "ledger.xlsx")
	mustOK(t, os.WriteFile(export, []byte("old"), 0o644))
	mustOK(t, WriteOwnerOnly(export, []byte("names and phones")))
	if fi, _ := os.Stat(export); fi.Mode().Perm() != 0o600 {
		t.Errorf("export is %v, want 0600", fi.Mode().Perm())
	}
}

// Several programs opening one new database at the same moment (a
// double-click on first start, or after an upgrade) all succeed: each
// migration is applied once, inside the write lock.
func TestOpenRaceOnNewDatabase(t *testing.T) {
	const rounds, procs = 4, 4
	for r := 0; r < rounds; r++ {
		dir := filepath.Join(t.TempDir(), "new")
		var cmds []*exec.Cmd
		outs := make([]*strings.Builder, procs)
		for i := 0; i < procs; i++ {
			cmd := helper(t, "open", dir)
			outs[i] = &strings.Builder{}
			cmd.Stdout, cmd.Stderr = outs[i], outs[i]
			mustOK(t, cmd.Start())
			cmds = append(cmds, cmd)
		}
		time.Sleep(300 * time.Millisecond) // let them all reach the start line
		mustOK(t, os.WriteFile(dir+".go", nil, 0o600))
		for i, cmd := range cmds {
			if err := cmd.Wait(); err != nil {
				t.Errorf("round %d, process %d: %v: %s", r, i, err, outs[i])
			}
		}
		s, err := Open(context.Background(), dir)
		mustOK(t, err)
		v, err := userVersion(context.Background(), s.db)
		s.Close()
		mustOK(t, err)
		if v != SchemaVersion {
			t.Fatalf("round %d: schema %d, want %d", r, v, SchemaVersion)
		}
	}
}

// One program per data directory: a second is refused with EINUSE while the
// first runs (another process), verbs that only read still work beside it,
// and the directory is free again once the first ends.
func TestLockDirOneInstance(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "desk")
	s, err := Open(ctx, dir)
	mustOK(t, err)
	s.Close()

	first := helper(t, "lock", dir)
	stdin, err := first.StdinPipe()
	mustOK(t, err)
	stdout, err := first.StdoutPipe()
	mustOK(t, err)
	mustOK(t, first.Start())
	line, _ := bufio.NewReader(stdout).ReadString('\n')
	if strings.TrimSpace(line) != "locked" {
		t.Fatalf("first instance: %q", line)
	}
	_, err = LockDir(dir)
	wantKey(t, err, EINUSE, "err.db.in_use")
	if e, _ := AsError(err); e.Args["Dir"] != dir {
		t.Errorf("message args %v", e.Args)
	}
	ro, err := OpenReadOnly(ctx, dir)
	mustOK(t, err)
	ro.Close()

	stdin.Close()
	mustOK(t, first.Wait())
	l, err := LockDir(dir)
	mustOK(t, err)
	mustOK(t, l.Unlock())
}

// Reading never creates: a mistyped directory, or one without a database,
// is said so and left as it was; a read-only store reads beside a writer
// and refuses to write.
func TestOpenReadOnlyNeverCreates(t *testing.T) {
	ctx := context.Background()
	parent := t.TempDir()
	typo := filepath.Join(parent, "anchnag")
	_, err := OpenReadOnly(ctx, typo)
	wantKey(t, err, ENOTFOUND, "err.db.missing")
	if _, err := os.Stat(typo); !os.IsNotExist(err) {
		t.Fatalf("OpenReadOnly made %s (%v)", typo, err)
	}
	_, err = OpenReadOnly(ctx, parent)
	wantKey(t, err, ENOTFOUND, "err.db.missing")
	if entries, _ := os.ReadDir(parent); len(entries) != 0 {
		t.Fatalf("OpenReadOnly left %v", entries)
	}

	w, _, _ := newTestStore(t)
	dir := filepath.Dir(w.Path())
	ro, err := OpenReadOnly(ctx, dir)
	mustOK(t, err)
	defer ro.Close()
	if !ro.IsSetUp() {
		t.Fatal("read-only store does not see the setup")
	}
	// The writer goes on writing while the reader is open.
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; i < 5; i++ {
			if err := w.RecordFAQMiss(ctx, "", fmt.Sprintf("车位 %d", i)); err != nil {
				t.Error(err)
			}
		}
	}()
	for i := 0; i < 5; i++ {
		if _, err := ro.CountRows(ctx, "staff"); err != nil {
			t.Fatal(err)
		}
	}
	wg.Wait()
	if n, _ := ro.CountRows(ctx, "staff"); n != 1 {
		t.Fatalf("read-only store sees %d staff", n)
	}
	err = ro.RecordFAQMiss(ctx, "", "车位")
	wantKey(t, err, ESTORAGE, "err.db.readonly")
}

package app

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"anchang/data"
	hqsync "anchang/sync"
)

// TestBackgroundClosuresCaptureState reads the app's source: a closure
// that runs off the UI goroutine (the work of load, do and saveQueue.run,
// threads.Go, a go statement, a print job's render) may reach the UI only
// for what never changes after New (its store, logger, HQ client and print
// folder); the signed-in user, the office, the time zone, widgets and
// screen fields are copied into locals before it starts. The race test
// (TestRealGoroutines) catches what this misses at run time.
func TestBackgroundClosuresCaptureState(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	var bad []string
	closures := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, decl := range f.Decls {
			fd, ok := decl.(*ast.FuncDecl)
			if !ok || fd.Body == nil {
				continue
			}
			roots := []string{"u"}
			if fd.Recv != nil && len(fd.Recv.List[0].Names) > 0 {
				roots = append(roots, fd.Recv.List[0].Names[0].Name)
			}
			for _, work := range offThread(fd.Body) {
				closures++
				for _, use := range uiReads(work, roots) {
					bad = append(bad, fset.Position(use.Pos()).String()+": "+chain(use))
				}
			}
		}
	}
	if closures < 90 {
		t.Fatalf("found only %d background closures; the scanner has lost them", closures)
	}
	if len(bad) > 0 {
		t.Errorf("%d background closures read UI state off the UI goroutine (capture it first):\n%s", len(bad), strings.Join(bad, "\n"))
	}
}

// offThread finds the closures in body that run off the UI goroutine.
func offThread(body *ast.BlockStmt) []*ast.FuncLit {
	var out []*ast.FuncLit
	add := func(e ast.Expr) {
		if fl, ok := e.(*ast.FuncLit); ok {
			out = append(out, fl)
		}
	}
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.GoStmt:
			add(n.Call.Fun)
		case *ast.CallExpr:
			switch name := callName(n); {
			case (name == "load" || name == "do") && len(n.Args) == 3:
				add(n.Args[1])
			case name == "run" && len(n.Args) == 2:
				add(n.Args[0])
			case name == "Go" && len(n.Args) == 1:
				add(n.Args[0])
			}
		case *ast.KeyValueExpr:
			if k, ok := n.Key.(*ast.Ident); ok && k.Name == "render" {
				add(n.Value)
			}
		case *ast.FuncLit:
			// Work handed on through a helper (boardScreen.act): by
			// convention, a closure that takes a context runs off-thread.
			if ps := n.Type.Params.List; len(ps) > 0 {
				if se, ok := ps[0].Type.(*ast.SelectorExpr); ok && chain(se) == "context.Context" {
					add(n)
				}
			}
		}
		return true
	})
	slices.SortFunc(out, func(a, b *ast.FuncLit) int { return int(a.Pos() - b.Pos()) })
	return slices.CompactFunc(out, func(a, b *ast.FuncLit) bool { return a == b })
}

func callName(c *ast.CallExpr) string {
	switch fn := c.Fun.(type) {
	case *ast.Ident:
		return fn.Name
	case *ast.IndexExpr:
		if id, ok := fn.X.(*ast.Ident); ok {
			return id.Name
		}
	case *ast.SelectorExpr:
		return fn.Sel.Name
	}
	return ""
}

// fixedParts are what a background closure may reach through the UI or a
// screen: set once in New or in the screen's constructor, or read from
// the store (the clock and the time zone), which any goroutine may.
var fixedParts = []string{"store", "log", "hq", "printFolder", "threads", "now", "location", "dateTime", "clockTime"}

// backRefs are the fields through which a screen or form reaches its
// parent (f.u, c.s, f.c): passing through them is not reading state.
var backRefs = []string{"u", "s", "c", "f"}

// uiReads are the selector chains in work, outside the closures it hands
// back to the UI goroutine (threads.Do), that start at the UI or the
// enclosing method's receiver and reach anything but fixedParts.
func uiReads(work *ast.FuncLit, roots []string) []*ast.SelectorExpr {
	local := map[string]bool{}
	ast.Inspect(work, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.AssignStmt:
			if n.Tok == token.DEFINE {
				for _, l := range n.Lhs {
					if id, ok := l.(*ast.Ident); ok {
						local[id.Name] = true
					}
				}
			}
		case *ast.Field:
			for _, id := range n.Names {
				local[id.Name] = true
			}
		case *ast.ValueSpec:
			for _, id := range n.Names {
				local[id.Name] = true
			}
		}
		return true
	})
	var out []*ast.SelectorExpr
	ast.Inspect(work.Body, func(n ast.Node) bool {
		if c, ok := n.(*ast.CallExpr); ok && callName(c) == "Do" {
			return false // back on the UI goroutine
		}
		se, ok := n.(*ast.SelectorExpr)
		if !ok {
			return true
		}
		parts := strings.Split(chain(se), ".")
		if len(parts) < 2 || !slices.Contains(roots, parts[0]) || local[parts[0]] {
			return parts[0] == "" // a chain through an index or a call: look inside
		}
		rest := parts[1:]
		for len(rest) > 1 && slices.Contains(backRefs, rest[0]) {
			rest = rest[1:]
		}
		if !slices.Contains(fixedParts, rest[0]) {
			out = append(out, se)
		}
		return false
	})
	return out
}

// chain is a.b.c for a selector chain of identifiers, "" when it passes
// through anything else.
func chain(e ast.Expr) string {
	switch x := e.(type) {
	case *ast.Ident:
		return x.Name
	case *ast.SelectorExpr:
		s := chain(x.X)
		if s == "" {
			return ""
		}
		return s + "." + x.Sel.Name
	}
	return ""
}

// asyncThreads runs the UI's background work on real goroutines and
// queues what they hand back for the test's goroutine, which plays the
// UI goroutine: settle runs the queue there until nothing is in flight.
// The race detector then sees every read of UI state a closure makes off
// the UI goroutine against the writes the screens make on it.
type asyncThreads struct {
	inFlight atomic.Int64
	mu       sync.Mutex
	queue    []func()
}

func (a *asyncThreads) Go(fn func()) {
	a.inFlight.Add(1)
	go func() {
		defer a.inFlight.Add(-1)
		fn()
	}()
}

func (a *asyncThreads) Do(fn func()) {
	a.mu.Lock()
	a.queue = append(a.queue, fn)
	a.mu.Unlock()
}

// next takes the oldest queued UI call, or nil.
func (a *asyncThreads) next() func() {
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.queue) == 0 {
		return nil
	}
	fn := a.queue[0]
	a.queue = a.queue[1:]
	return fn
}

// settle runs the queued UI calls on the calling goroutine until no
// background work is left and nothing is queued.
func (a *asyncThreads) settle(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		if fn := a.next(); fn != nil {
			fn()
			continue
		}
		if a.inFlight.Load() == 0 {
			if fn := a.next(); fn != nil { // queued before the goroutine ended
				fn()
				continue
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("background work still running after 20 s (%d in flight)", a.inFlight.Load())
		}
		time.Sleep(time.Millisecond)
	}
}

// newAsyncHarness is newHarness with the real goroutines: every store
// call runs off the test's goroutine; h.settle brings the results back.
func newAsyncHarness(t *testing.T, consultants ...string) (*harness, *asyncThreads) {
	t.Helper()
	h := newHarness(t, true, consultants...)
	a := &asyncThreads{}
	h.u = New(h.u.fa, h.win, h.store, Options{})
	h.u.threads = a
	t.Cleanup(func() {
		a.settle(t)
		h.u.Stop()
	})
	h.u.Start()
	a.settle(t)
	return h, a
}

// The receptionist presses 登记 and signs out before the store has
// answered: the visit is recorded as hers, with the real goroutines.
// Under -race this fails if the check-in's closure reads u.user (or any
// other UI state) off the UI goroutine instead of capturing it.
func TestRealGoroutinesCheckInThenSignOut(t *testing.T) {
	h, a := newAsyncHarness(t, "陈思远")
	h.onDuty("陈思远")
	h.signInAs("李静")
	a.settle(t)
	c := h.checkIn()
	fillCheckIn(t, c, "13812345678", "王芳")
	a.settle(t) // the phone's look-up
	test.Tap(c.submit)
	test.Tap(findButton(t, h, "退出登录"))
	a.settle(t)
	h.shows("员工登录")
	if n := h.count("visits"); n != 1 {
		t.Fatalf("%d visits recorded, want 1", n)
	}
	b, err := h.store.Board(t.Context(), h.store.Today(), data.BoardFilter{})
	if err != nil || len(b.Rows) != 1 || b.Rows[0].Name != "王芳" {
		t.Fatalf("board %+v, %v", b.Rows, err)
	}
}

// The board refreshes and opens a visit with the real goroutines while
// the desk signs out and another receptionist signs in.
func TestRealGoroutinesBoardRefresh(t *testing.T) {
	h, a := newAsyncHarness(t, "陈思远")
	if _, err := h.store.CheckIn(t.Context(), h.admin.ID, data.CheckInInput{Name: "王", Title: data.TitleMr, Phone: "13800138000",
		Purpose: data.PurposeViewing, SourceID: h.firstSource(), Consent: true, Via: data.ViaDesk}); err != nil {
		t.Fatal(err)
	}
	h.signInAs("李静")
	h.selectTab("今日看板")
	a.settle(t)
	h.shows("王先生")
	b := h.u.shell.board
	id := b.rows[0].VisitID
	b.reload()
	b.selectVisit(id)
	h.signInAs("管理员")
	a.settle(t)
	b = h.u.shell.board
	b.selectVisit(id)
	a.settle(t)
	if b.selectedInfo == nil || b.selectedInfo.Phone != "+8613800138000" {
		t.Fatalf("the admin's view of the visit: %+v", b.selectedInfo)
	}
}

// The sync loop reports its status from its own goroutine; the bar shows
// it on the UI goroutine, and the rejections panel loads with the real
// goroutines.
func TestRealGoroutinesSyncStatus(t *testing.T) {
	h := newHarness(t, true)
	loop := &fakeLoop{st: hqsync.Status{State: hqsync.StateOffline}}
	ss := &fakeSync{Store: h.store, id: data.SyncIdentity{Enrolled: true, HQURL: "https://hq.example.com", Tag: "B", Role: data.SyncRoleOffice},
		rejections: []data.Rejection{{Mutation: "visit.checkin", RecordID: "r1", Code: "forbidden", Key: "err.sync.other_office", At: h.clk.Now()}}}
	a := &asyncThreads{}
	h.u = New(h.u.fa, h.win, ss, Options{HQ: (&fakeHQ{loop: loop}).hq()})
	h.u.threads = a
	t.Cleanup(func() { a.settle(t); h.u.Stop() })
	h.u.Start()
	a.settle(t)
	h.signInAs("管理员")
	a.settle(t)
	done := make(chan struct{})
	go func() { // the loop's goroutine
		defer close(done)
		for _, n := range []int{3, 2, 1} {
			loop.set(hqsync.Status{State: hqsync.StateOnline, LastSuccess: h.clk.Now(), Pending: n, Rejections: 1})
			h.u.OnSyncStatus(loop.Status())
		}
	}()
	<-done
	a.settle(t)
	h.shows(T("sync.bar.pending", map[string]any{"N": 1}), T("sync.bar.refused", map[string]any{"N": 1}))
}

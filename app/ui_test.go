package app

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"anchang/data"
)

// clock is the settable clock of the store in tests, which the UI reads
// too (UI.now).
type clock struct{ t time.Time }

func (c *clock) Now() time.Time          { return c.t }
func (c *clock) Advance(d time.Duration) { c.t = c.t.Add(d) }

// officeZone is a new office's time zone (data.Store.Location).
var officeZone = func() *time.Location {
	l, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		panic(err)
	}
	return l
}()

// harness is a UI on a headless test app over a real store in a temp dir.
type harness struct {
	t     *testing.T
	u     *UI
	store *data.Store
	win   fyne.Window
	clk   *clock
	dir   string
	admin data.Staff
}

const adminPIN = "258014"

// newHarness opens a fresh store. With setup, the office is set up with an
// admin (PIN 258014), a receptionist 李静 (PIN 135792) and consultants.
func newHarness(t *testing.T, setup bool, consultants ...string) *harness {
	t.Helper()
	SetLanguage("zh")
	t.Cleanup(func() { SetLanguage("zh") })
	fa := test.NewTempApp(t)
	dir := t.TempDir()
	store, err := data.Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	clk := &clock{t: time.Date(2026, 11, 23, 10, 0, 0, 0, officeZone)}
	store.Now = clk.Now
	h := &harness{t: t, store: store, clk: clk, dir: dir}
	if setup {
		h.admin, err = store.Setup(context.Background(), data.SetupInput{OfficeName: "星河湾售楼处", OfficeCode: "XHW", DeviceName: "前台一号机", AdminName: "管理员", AdminPIN: adminPIN})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := store.CreateStaff(context.Background(), h.admin.ID, data.StaffInput{Name: "李静", Role: data.RoleReceptionist, PIN: "135792"}); err != nil {
			t.Fatal(err)
		}
		for _, c := range consultants {
			if _, err := store.CreateStaff(context.Background(), h.admin.ID, data.StaffInput{Name: c, Role: data.RoleConsultant}); err != nil {
				t.Fatal(err)
			}
		}
	}
	h.win = fa.NewWindow("test")
	h.win.Resize(fyne.NewSize(1024, 768))
	h.u = New(fa, h.win, store, Options{Inline: true})
	h.u.Start()
	return h
}

// signInAs goes straight to the desk as the named staff member.
func (h *harness) signInAs(name string) {
	h.t.Helper()
	staff, err := h.store.ListStaff(context.Background(), false)
	if err != nil {
		h.t.Fatal(err)
	}
	for _, st := range staff {
		if st.Name == name {
			h.u.signedIn(st)
			return
		}
	}
	h.t.Fatalf("no staff %s", name)
}

func (h *harness) staffID(name string) string {
	h.t.Helper()
	staff, _ := h.store.ListStaff(context.Background(), true)
	for _, st := range staff {
		if st.Name == name {
			return st.ID
		}
	}
	h.t.Fatalf("no staff %s", name)
	return ""
}

// onDuty puts consultants on duty in this order, as the admin.
func (h *harness) onDuty(names ...string) {
	h.t.Helper()
	for _, n := range names {
		if err := h.store.RotationAction(context.Background(), h.admin.ID, h.staffID(n), data.RotJoin); err != nil {
			h.t.Fatal(err)
		}
	}
}

// screen is every text visible in the window now, one per line: labels,
// buttons, entries, selects, checks and canvas texts, skipping hidden ones.
func (h *harness) screen() string {
	var b strings.Builder
	c := h.win.Canvas()
	walkVisible(c.Content(), &b)
	for _, o := range c.Overlays().List() {
		walkVisible(o, &b)
	}
	return b.String()
}

func walkVisible(o fyne.CanvasObject, b *strings.Builder) {
	if o == nil || !o.Visible() {
		return
	}
	switch w := o.(type) {
	case *widget.Label:
		b.WriteString(w.Text + "\n")
		return
	case *statusLine:
		b.WriteString(w.Text + "\n")
		return
	case *widget.Button:
		b.WriteString(w.Text + "\n")
		return
	case *widget.Check:
		b.WriteString(w.Text + "\n")
		return
	case *widget.Select:
		if w.Selected == "" {
			b.WriteString(w.PlaceHolder + "\n")
		} else {
			b.WriteString(w.Selected + "\n")
		}
		return
	case *widget.Entry:
		b.WriteString(w.Text + "\n")
		return
	case *canvas.Text:
		b.WriteString(w.Text + "\n")
		return
	case *fyne.Container:
		for _, c := range w.Objects {
			walkVisible(c, b)
		}
		return
	case fyne.Widget:
		for _, c := range test.WidgetRenderer(w).Objects() {
			walkVisible(c, b)
		}
	}
}

// shows fails unless every text is visible on the screen.
func (h *harness) shows(texts ...string) {
	h.t.Helper()
	s := h.screen()
	for _, x := range texts {
		if !strings.Contains(s, x) {
			h.t.Fatalf("screen does not show %q; it shows:\n%s", x, s)
		}
	}
}

// hides fails if any text is visible on the screen.
func (h *harness) hides(texts ...string) {
	h.t.Helper()
	s := h.screen()
	for _, x := range texts {
		if strings.Contains(s, x) {
			h.t.Fatalf("screen shows %q but should not; it shows:\n%s", x, s)
		}
	}
}

func (h *harness) count(table string) int {
	h.t.Helper()
	n, err := h.store.CountRows(context.Background(), table)
	if err != nil {
		h.t.Fatal(err)
	}
	return n
}

// selectOption picks an option of a select by its text.
func selectOption(t *testing.T, s *widget.Select, text string) {
	t.Helper()
	for _, o := range s.Options {
		if strings.Contains(o, text) {
			s.SetSelected(o)
			return
		}
	}
	t.Fatalf("no option %q in %v", text, s.Options)
}

// tapCheck taps a check box on its box, as a finger would.
func tapCheck(c *widget.Check) {
	test.TapAt(c, fyne.NewPos(8, c.Size().Height/2))
}

func widgetCell(row, col int) widget.TableCellID { return widget.TableCellID{Row: row, Col: col} }

// cellButton is the action button inside a board cell.
func cellButton(cell fyne.CanvasObject) *widget.Button {
	return cell.(*fyne.Container).Objects[1].(*widget.Button)
}

// selectTab opens the desk tab with this title.
func (h *harness) selectTab(title string) {
	h.t.Helper()
	for _, item := range h.u.shell.tabs.Items {
		if item.Title == title {
			h.u.shell.tabs.Select(item)
			return
		}
	}
	h.t.Fatalf("no tab %q", title)
}

// findVisible returns the first visible object on the window or its
// overlays that match accepts.
func findVisible(h *harness, match func(fyne.CanvasObject) bool) fyne.CanvasObject {
	var found fyne.CanvasObject
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		if o == nil || !o.Visible() || found != nil {
			return
		}
		if match(o) {
			found = o
			return
		}
		switch w := o.(type) {
		case *fyne.Container:
			for _, c := range w.Objects {
				walk(c)
			}
		case fyne.Widget:
			for _, c := range test.WidgetRenderer(w).Objects() {
				walk(c)
			}
		}
	}
	walk(h.win.Canvas().Content())
	for _, o := range h.win.Canvas().Overlays().List() {
		walk(o)
	}
	return found
}

// findButton finds a visible button by its text.
func findButton(t *testing.T, h *harness, text string) *widget.Button {
	t.Helper()
	o := findVisible(h, func(o fyne.CanvasObject) bool {
		b, ok := o.(*widget.Button)
		return ok && b.Text == text
	})
	if o == nil {
		t.Fatalf("no button %q on screen:\n%s", text, h.screen())
	}
	return o.(*widget.Button)
}

// findSelectWith finds a visible select offering option.
func findSelectWith(t *testing.T, h *harness, option string) *widget.Select {
	t.Helper()
	o := findVisible(h, func(o fyne.CanvasObject) bool {
		s, ok := o.(*widget.Select)
		return ok && slices.Contains(s.Options, option)
	})
	if o == nil {
		t.Fatalf("no select offering %q", option)
	}
	return o.(*widget.Select)
}

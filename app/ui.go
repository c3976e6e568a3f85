// Package app is the Fyne desktop client: one file per screen, the theme,
// and the glue between the screens and the local store. Store calls never
// run on the UI goroutine; their results come back through fyne.Do.
package app

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"anchang/data"
)

// Setting keys the app stores on the device.
const settingLanguage = "language"

// UI is the running client: one window whose content is the current screen.
type UI struct {
	guide *helpScreen // the last Help window opened
	fa    fyne.App
	win   fyne.Window
	store Store
	log   *slog.Logger

	// inline runs background work on the calling goroutine; headless tests
	// set it so each step's result is on screen when the call returns.
	inline bool
	// threads runs background work and brings results back (fyneThreads;
	// tests may run real goroutines under their own UI loop).
	threads threads

	// printDir is where saved PDFs go; "" picks Documents/Anchang or the
	// data directory's printouts folder (see printFolder).
	printDir string
	// printing is the open print modal or blank forms list (Escape closes it).
	printing *modal

	user   data.Staff // signed-in staff member
	office data.Office
	device data.Device

	setup *setupScreen
	join  *joinScreen // joining an office at HQ (first run)
	// firstAdmin: an HQ device's first admin, right after it joined
	firstAdmin *firstAdminScreen
	signIn     *signInScreen
	// pinPrompt asks for a longer PIN after sign-in (data.Staff.ShortPIN)
	pinPrompt *widget.PopUp
	shell     *shell
	kiosk     *kioskScreen

	// hq connects to headquarters (zero: standalone only); sync is the
	// enrolment and the running sync loop (sync.go).
	hq   HQ
	sync syncState

	openDemo  func() error // Options.OpenDemo
	leaveDemo func()       // Options.LeaveDemo

	tickers []context.CancelFunc
	// stopMaintain ends the storage checks (StartMaintenance).
	stopMaintain context.CancelFunc
	// saving counts queued writes the screen already shows as done
	// (saveQueue): Stop waits for them, so closing the window loses none.
	saving sync.WaitGroup
}

// Options configure New.
type Options struct {
	Logger *slog.Logger
	Inline bool // run store calls inline (tests only)
	// PrintDir is the folder saved PDFs go to; "" = Documents/Anchang, or
	// the data directory's printouts folder.
	PrintDir string
	// HQ connects the desk to headquarters; the zero value leaves it out.
	HQ HQ
	// OpenDemo opens the demo office in a window of its own (ErrDemoOpen
	// while it is open); nil: not offered. Called off the UI goroutine.
	OpenDemo func() error
	// LeaveDemo leaves a demo office for the real one; nil: the demo
	// banner offers no way back (the window's close button still is one).
	LeaveDemo func()
}

// New makes the UI on win; call Start to show the first screen.
func New(fa fyne.App, win fyne.Window, store Store, opt Options) *UI {
	u := &UI{fa: fa, win: win, store: store, log: opt.Logger, inline: opt.Inline, printDir: opt.PrintDir, hq: opt.HQ,
		openDemo: opt.OpenDemo, leaveDemo: opt.LeaveDemo}
	if u.log == nil {
		u.log = slog.Default()
	}
	u.threads = fyneThreads{}
	fa.Settings().SetTheme(NewTheme())
	win.SetIcon(IconResource)
	return u
}

// Start applies the saved language and shows the first-run setup or the
// sign-in screen.
func (u *UI) Start() {
	load(u, func(ctx context.Context) (string, error) {
		return u.store.Setting(ctx, settingLanguage, defaultLanguage)
	}, func(lang string, err error) {
		if err != nil {
			u.log.Error("read language setting", "err", err)
		}
		SetLanguage(lang)
		if u.store.IsSetUp() {
			u.loadDevice()
			u.startSync(u.showSignIn)
		} else {
			u.showSetup()
		}
	})
}

func (u *UI) loadDevice() {
	d, o, err := u.store.Device()
	if err != nil {
		u.log.Error("load device", "err", err)
		return
	}
	u.device, u.office = d, o
}

// Stop ends the UI's timers and waits for the queued writes.
func (u *UI) Stop() {
	for _, cancel := range u.tickers {
		cancel()
	}
	u.tickers = nil
	u.saving.Wait()
}

// Close ends the UI when the window has closed: its timers, the sync
// loop, and the queued writes.
func (u *UI) Close() {
	if u.stopMaintain != nil {
		u.stopMaintain()
	}
	u.Stop()
	u.stopSync()
}

func (u *UI) setTitle(suffix string) {
	title := T("app.name")
	if u.isDemo() {
		title = T("demo.title") + title
	}
	if u.office.Name != "" {
		title += " · " + u.office.Name
	}
	if suffix != "" {
		title += " · " + suffix
	}
	u.win.SetTitle(title)
}

// load runs work off the UI goroutine and hands its result to done on it.
func load[T any](u *UI, work func(ctx context.Context) (T, error), done func(T, error)) {
	ctx := context.Background()
	if u.inline {
		v, err := work(ctx)
		done(v, err)
		return
	}
	u.threads.Go(func() {
		v, err := work(ctx)
		u.threads.Do(func() { done(v, err) })
	})
}

// do is load for work without a result.
func do(u *UI, work func(ctx context.Context) error, done func(error)) {
	load(u, func(ctx context.Context) (struct{}, error) { return struct{}{}, work(ctx) }, func(_ struct{}, err error) { done(err) })
}

// every calls fn on the UI goroutine every d until the returned cancel (or
// Stop) is called. Headless tests call the tick functions themselves.
func (u *UI) every(d time.Duration, fn func()) context.CancelFunc {
	if u.inline {
		return func() {}
	}
	ctx, cancel := context.WithCancel(context.Background())
	u.tickers = append(u.tickers, cancel)
	go func() {
		t := time.NewTicker(d)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				u.threads.Do(fn)
			}
		}
	}()
	return cancel
}

// errText is the message the user sees for err, in the current language.
// Store errors carry their own translated message; anything else is logged
// (errors never carry personal data) and shown as a generic failure.
func (u *UI) errText(err error) string {
	if err == nil {
		return ""
	}
	var fe data.FieldErrors
	if errors.As(err, &fe) {
		return T("err.form")
	}
	if e, ok := data.AsError(err); ok && e.Code != data.EINTERNAL {
		return T(e.Key, e.Args)
	}
	u.log.Error("unexpected error", "err", err)
	return T("err.internal")
}

// ShowFatal shows why the app cannot start (a database from a newer
// version, an unreadable data directory) and runs until the window closes.
func ShowFatal(fa fyne.App, win fyne.Window, err error) {
	ShowProblem(fa, win, err)
	win.ShowAndRun()
}

// ShowProblem is ShowFatal in a window that is running already.
func ShowProblem(fa fyne.App, win fyne.Window, err error) {
	fa.Settings().SetTheme(NewTheme())
	msg := T("err.internal")
	if e, ok := data.AsError(err); ok && e.Code != data.EINTERNAL {
		msg = T(e.Key, e.Args)
	}
	label := widget.NewLabel(msg)
	label.Wrapping = fyne.TextWrapWord
	win.SetContent(container.NewPadded(container.NewBorder(nil, widget.NewButton(T("dialog.close"), win.Close), nil, nil, label)))
	win.Resize(fyne.NewSize(560, 240))
}

// ShowPreparing is what a demo office's window shows while its data
// directory is filled the first time (data.CreateDemo, off this goroutine).
func ShowPreparing(fa fyne.App, win fyne.Window) {
	fa.Settings().SetTheme(NewTheme())
	win.SetTitle(T("demo.title") + T("app.name"))
	label := widget.NewLabel(T("demo.preparing"))
	label.Wrapping = fyne.TextWrapWord
	label.Alignment = fyne.TextAlignCenter
	win.SetContent(container.NewCenter(container.NewGridWrap(fyne.NewSize(480, 120), container.NewVBox(label, widget.NewProgressBarInfinite()))))
}

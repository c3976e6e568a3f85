package app

import (
	"context"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"anchang/data"
	hqsync "anchang/sync"
)

// The desk's side of syncing with headquarters: what the screens need from
// the sync client (sync/, imported as hqsync) and from the store's sync
// state, as small interfaces, so main.go wires the real ones and tests give
// fakes. See docs/sync.md.

// HQ connects the UI to headquarters. A zero HQ leaves the HQ parts out
// (the first-run screen offers only the standalone setup).
type HQ struct {
	// Probe connects to the HQ at url and returns the SHA-256 fingerprint
	// of its certificate (hex), for the user to compare with what HQ
	// printed (hqsync.Probe).
	Probe func(ctx context.Context, url string) (string, error)
	// Enroll enrols this device (a new one, or this standalone office)
	// with a code, pinning the confirmed fingerprint, and loads the
	// office's records, calling in.Progress as they arrive (hqsync.Enroll).
	Enroll func(ctx context.Context, in hqsync.EnrollInput) error
	// Start starts the background sync loop (at start when the device is
	// enrolled, and when an enrolment completes) and returns it.
	Start func() Syncer
}

// Syncer is the running background sync loop.
type Syncer interface {
	// SyncNow asks for a round now (push, then pull); it never blocks.
	SyncNow()
	// Status is the loop's latest state; cheap (no disk, no network).
	Status() hqsync.Status
	// Stop ends the loop and waits for its goroutine (leaving HQ, exit).
	Stop()
}

// loop is what hqsync.Loop offers.
type loop interface {
	Run(ctx context.Context)
	SyncNow()
	Status() hqsync.Status
}

// RunLoop runs l on its own goroutine until the returned Syncer's Stop.
func RunLoop(l loop) Syncer {
	ctx, cancel := context.WithCancel(context.Background())
	r := &runningLoop{loop: l, cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(r.done)
		l.Run(ctx)
	}()
	return r
}

type runningLoop struct {
	loop
	cancel context.CancelFunc
	done   chan struct{}
}

func (r *runningLoop) Stop() {
	r.cancel()
	<-r.done
}

// OnSyncStatus is the loop's status callback (hqsync.Options.OnStatus):
// the indicator redraws at once instead of at the next second.
func (u *UI) OnSyncStatus(hqsync.Status) {
	u.threads.Do(func() {
		if u.shell != nil && u.shell.syncBar != nil {
			u.shell.syncBar.update()
		}
	})
}

// syncStore is the sync side of the local store; *data.Store satisfies it.
type syncStore interface {
	// SyncIdentity is this device's enrolment.
	SyncIdentity(ctx context.Context) (data.SyncIdentity, error)
	// LeaveHQ ends the enrolment; every record stays on the device.
	LeaveHQ(ctx context.Context) error
	// Rejections lists the changes HQ refused, oldest first.
	Rejections(ctx context.Context) ([]data.Rejection, error)
	// NeedsFirstAdmin: an HQ device nobody can sign in to yet.
	NeedsFirstAdmin(ctx context.Context) (bool, error)
	// CreateFirstAdmin makes an HQ device's first admin.
	CreateFirstAdmin(ctx context.Context, in data.FirstAdminInput) (data.Staff, error)
	// IsHQDevice: enrolled as an HQ device (it publishes HQ's reference data).
	IsHQDevice(ctx context.Context) (bool, error)
}

var _ syncStore = (*data.Store)(nil)

// syncState is the UI's view of sync: the enrolment and the running loop.
type syncState struct {
	mu      sync.Mutex
	id      data.SyncIdentity
	loop    Syncer
	stopOn  func() // cancels the store subscription (UI.onStoreChange)
	pending *time.Timer
	pulled  data.Change // what the pending refresh shows
}

// syncStore returns the store's sync side.
func (u *UI) syncStore() syncStore { return u.store }

// hqEnabled reports whether this build can talk to HQ.
func (u *UI) hqEnabled() bool { return u.hq.Probe != nil && u.hq.Enroll != nil }

// startSync reads the enrolment (off the UI goroutine), starts the loop
// when enrolled and subscribes to pulled changes; then calls then.
func (u *UI) startSync(then func()) {
	ss := u.syncStore()
	if ss == nil {
		then()
		return
	}
	load(u, func(ctx context.Context) (data.SyncIdentity, error) {
		return ss.SyncIdentity(ctx)
	}, func(id data.SyncIdentity, err error) {
		if err != nil {
			u.log.Error("read sync identity", "err", err)
		}
		u.sync.mu.Lock()
		u.sync.id = id
		startLoop := id.Enrolled && u.sync.loop == nil && u.hq.Start != nil
		u.sync.mu.Unlock()
		if startLoop {
			loop := u.hq.Start()
			u.sync.mu.Lock()
			u.sync.loop = loop
			u.sync.mu.Unlock()
		}
		then()
	})
}

// syncLoop is the running loop, or nil.
func (u *UI) syncLoop() Syncer {
	u.sync.mu.Lock()
	defer u.sync.mu.Unlock()
	return u.sync.loop
}

// byHQ says whether HQ-owned reference data (approving and retiring FAQ
// answers, categories, vague words, the SLA policy, checklist templates,
// holiday schedules) is published by HQ for this device: an office device
// enrolled at HQ drafts and submits, and data refuses the rest
// (err.sync.approved_at_hq), so those buttons are disabled with the hint
// of byHQHint instead of offered and then refused.
func (u *UI) byHQ() bool {
	id := u.syncIdentity()
	return id.Enrolled && id.Role == data.SyncRoleOffice
}

// byHQHint is the short line shown beside what HQ publishes (hidden when
// this device may edit it), and disables buttons while it shows.
func (u *UI) byHQHint(buttons ...*widget.Button) *widget.Label {
	l := widget.NewLabel(T("sync.by_hq"))
	l.Importance = widget.MediumImportance
	l.Wrapping = fyne.TextWrapWord
	if !u.byHQ() {
		l.Hide()
		return l
	}
	for _, b := range buttons {
		b.Disable()
	}
	return l
}

// syncIdentity is the enrolment as last read.
func (u *UI) syncIdentity() data.SyncIdentity {
	u.sync.mu.Lock()
	defer u.sync.mu.Unlock()
	return u.sync.id
}

// syncStatus is what the top bar shows now.
func (u *UI) syncStatus() hqsync.Status {
	if l := u.syncLoop(); l != nil {
		st := l.Status()
		if st.State == "" {
			st.State = hqsync.StateOffline // not yet tried
		}
		return st
	}
	return hqsync.Status{State: hqsync.StateNotEnrolled}
}

// refreshDelay gathers the pages of one pull into one refresh of the open
// screen: at most one refresh per delay, however long the stream.
const refreshDelay = 300 * time.Millisecond

// onStoreChange runs on the committing goroutine after records were
// written (data.Store.Subscribe): a local write reaches the screens at
// once, records pulled from HQ once the burst is over.
func (u *UI) onStoreChange(c data.Change) {
	if u.inline {
		u.storeChanged(c)
		return
	}
	if !c.Pulled {
		u.threads.Do(func() { u.storeChanged(c) })
		return
	}
	u.sync.mu.Lock()
	defer u.sync.mu.Unlock()
	if u.sync.pending != nil {
		u.sync.pulled = u.sync.pulled.Merge(c) // a refresh is due already; it shows this change too
		return
	}
	u.sync.pulled = c
	u.sync.pending = time.AfterFunc(refreshDelay, func() {
		u.sync.mu.Lock()
		c := u.sync.pulled
		u.sync.pending, u.sync.pulled = nil, data.Change{}
		u.sync.mu.Unlock()
		u.threads.Do(func() { u.storeChanged(c) })
	})
}

// officeChanged shows the office's name as the store now has it (HQ
// renamed the office, a pulled office.setup): the top bar and the window
// title follow. The store keeps the office in memory, so this reads no disk.
func (u *UI) officeChanged() {
	d, o, err := u.store.Device()
	if err != nil || (o == u.office && d.Name == u.device.Name) {
		return
	}
	u.device, u.office = d, o
	u.setTitle("")
	if u.shell != nil && u.shell.officeName != nil {
		u.shell.officeName.SetText(o.Name)
	}
}

// stopSync ends the loop and the subscription (the window closes).
func (u *UI) stopSync() {
	u.sync.mu.Lock()
	loop, stop := u.sync.loop, u.sync.stopOn
	u.sync.loop, u.sync.stopOn = nil, nil
	if u.sync.pending != nil {
		u.sync.pending.Stop()
		u.sync.pending = nil
	}
	u.sync.mu.Unlock()
	if loop != nil {
		loop.Stop()
	}
	if stop != nil {
		stop()
	}
}

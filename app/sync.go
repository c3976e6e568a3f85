package app

import (
	"context"
	"sync"
	"time"

	"fyne.io/fyne/v2"
)

// The desk's side of syncing with headquarters: what the screens need from
// the sync client (sync/, imported as hqsync) and from the store's sync
// state, as small interfaces, so main.go wires the real ones and tests give
// fakes. See docs/sync.md.

// HQ connects the UI to headquarters. A zero HQ leaves the HQ parts out
// (the first-run screen offers only the standalone setup).
type HQ struct {
	// Probe connects to the HQ at url and returns the SHA-256 fingerprint
	// of its certificate (hex), for the user to compare with what HQ printed.
	Probe func(ctx context.Context, url string) (string, error)
	// Enroll enrols this device with a code, pinning the confirmed
	// fingerprint, and receives the office's records; progress reports the
	// records applied of the total. On failure nothing changes locally.
	Enroll func(ctx context.Context, in EnrollInput, progress func(done, total int)) error
	// Start starts the background sync loop (at start when the device is
	// enrolled, and when an enrolment completes) and returns it.
	Start func() Syncer
}

// EnrollInput is what the user typed to join an office at HQ, cleaned.
type EnrollInput struct {
	URL         string
	Code        string
	DeviceName  string
	Fingerprint string // hex, as Probe returned it
}

// Syncer is the running background sync loop.
type Syncer interface {
	// SyncNow asks for a round now (push, then pull); it never blocks.
	SyncNow()
	// Status is the loop's latest state; cheap (no disk, no network).
	Status() SyncStatus
	// Stop ends the loop (leaving HQ); the loop's own goroutine finishes.
	Stop()
}

// Sync states, as the top bar shows them.
const (
	SyncOnline         = "online"
	SyncOffline        = "offline"
	SyncSyncing        = "syncing"
	SyncNotEnrolled    = "not_enrolled"
	SyncUpdateRequired = "update_required"
	SyncRevoked        = "revoked"
)

// SyncStatus is the state of the sync loop.
type SyncStatus struct {
	State       string    // one of the Sync* states
	LastSuccess time.Time // zero: never
	Pending     int       // changes waiting to go to HQ
	Rejections  int       // changes HQ refused that need attention
	ErrKey      string    // why the last round failed (a translation key), if it did
}

// SyncIdentity is this device's enrolment, as the store keeps it.
type SyncIdentity struct {
	Enrolled   bool
	URL        string
	Tag        string   // the device's letter in ticket numbers
	Role       string   // "office" or "hq"
	Scopes     []string // "office:<id>", "global"
	OfficeName string
	HasHistory bool // the office has records of its own (a standalone office that enrols brings them)
}

// Rejection is one change HQ refused.
type Rejection struct {
	Seq      int64
	Name     string // mutation name, e.g. "visit.checkin"
	RecordID string
	Code     string // the error code, e.g. "forbidden"
	Key      string // translation key of the reason
	Args     map[string]any
	At       time.Time // when HQ refused it
}

// syncStore is the sync side of the local store.
type syncStore interface {
	SyncIdentity(ctx context.Context) (SyncIdentity, error)
	// LeaveHQ ends the enrolment; every record stays on the device.
	LeaveHQ(ctx context.Context) error
	Rejections(ctx context.Context, limit int) ([]Rejection, error)
	// OnChange calls fn (on any goroutine) after records pulled from HQ
	// are written; the returned func stops it.
	OnChange(fn func()) (cancel func())
}

// syncState is the UI's view of sync: the enrolment and the running loop.
type syncState struct {
	mu      sync.Mutex
	id      SyncIdentity
	loop    Syncer
	stopOn  func() // cancels the OnChange subscription
	pending *time.Timer
}

// syncStore returns the store's sync side, or nil when the store has none.
func (u *UI) syncStore() syncStore {
	if s, ok := u.store.(syncStore); ok {
		return s
	}
	return nil
}

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
	load(u, func(ctx context.Context) (SyncIdentity, error) {
		return ss.SyncIdentity(ctx)
	}, func(id SyncIdentity, err error) {
		if err != nil {
			u.log.Error("read sync identity", "err", err)
		}
		u.sync.mu.Lock()
		u.sync.id = id
		startLoop := id.Enrolled && u.sync.loop == nil && u.hq.Start != nil
		if u.sync.stopOn == nil {
			u.sync.stopOn = ss.OnChange(u.onPulled)
		}
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

// syncIdentity is the enrolment as last read.
func (u *UI) syncIdentity() SyncIdentity {
	u.sync.mu.Lock()
	defer u.sync.mu.Unlock()
	return u.sync.id
}

// syncStatus is what the top bar shows now.
func (u *UI) syncStatus() SyncStatus {
	if l := u.syncLoop(); l != nil {
		st := l.Status()
		if st.State == "" {
			st.State = SyncOffline // not yet tried
		}
		return st
	}
	return SyncStatus{State: SyncNotEnrolled}
}

// refreshDelay gathers the pages of one pull into one refresh of the
// open screen.
const refreshDelay = 300 * time.Millisecond

// onPulled runs on the sync loop's goroutine after pulled records are
// written: the open screen reloads once the burst is over.
func (u *UI) onPulled() {
	if u.inline {
		u.refreshOpen()
		return
	}
	u.sync.mu.Lock()
	defer u.sync.mu.Unlock()
	if u.sync.pending != nil {
		u.sync.pending.Reset(refreshDelay)
		return
	}
	u.sync.pending = time.AfterFunc(refreshDelay, func() {
		u.sync.mu.Lock()
		u.sync.pending = nil
		u.sync.mu.Unlock()
		fyne.Do(u.refreshOpen)
	})
}

// refreshOpen reloads the desk's screens and the sync indicator, if the
// desk is what the window shows.
func (u *UI) refreshOpen() {
	if u.shell == nil || u.user.ID == "" || u.win.Content() != u.shell.content {
		return
	}
	u.shell.refresh()
	u.shell.syncBar.update()
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

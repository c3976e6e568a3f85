package hqsync

import (
	"crypto/x509"
	"log/slog"
	"net/http"
	"time"
)

// State is what the top bar says about sync.
type State string

// States of the loop.
const (
	StateNotEnrolled    State = "not_enrolled"    // the device is not enrolled at HQ: nothing to do
	StateOnline         State = "online"          // the last round reached HQ; waiting for changes
	StateSyncing        State = "syncing"         // pushing, pulling or loading a scope
	StateOffline        State = "offline"         // HQ not reached; retrying with back-off (ErrKey says why)
	StateUpdateRequired State = "update_required" // HQ needs a newer version of this program; the outbox is kept
	StateRevoked        State = "revoked"         // HQ revoked this device
)

// Status is what the UI shows: the state, the last successful round, the
// changes waiting to be pushed and the rejections needing attention.
type Status struct {
	State       State
	LastSuccess time.Time // zero: never
	Pending     int       // outbox rows not yet acknowledged by HQ
	Rejections  int       // mutations HQ refused, to be looked at
	ErrKey      string    // translation key of the last error, "" when fine
	ErrArgs     map[string]any
	// Loading is set while a scope is loaded from a snapshot (enrollment,
	// or after a resync); nil otherwise.
	Loading *Progress
}

// Progress is a scope's bootstrap: Done records applied of Total.
type Progress struct {
	Scope string
	Done  int64
	Total int64
}

// Options configure Enroll and the Loop. The zero value is usable.
type Options struct {
	Logger *slog.Logger
	// Now is the clock for token lifetimes and the times noted in the store;
	// time.Now when nil.
	Now func() time.Time
	// OnStatus is called from the loop's goroutine whenever the status
	// changes. It must not block (a Fyne UI hands it to fyne.Do).
	OnStatus func(Status)
	// MinBackoff and MaxBackoff bound the wait after a failed round (with
	// jitter): 1 s and 60 s by default.
	MinBackoff, MaxBackoff time.Duration
	// PollWait is how long a pull waits at HQ for a change (25 s).
	PollWait time.Duration
	// OutboxPoll is how often a waiting loop looks for local writes nobody
	// Kicked about (1 s).
	OutboxPoll time.Duration
	// RootCAs verify HQ when no fingerprint is pinned; nil: the system's.
	RootCAs *x509.CertPool
	// WrapTransport wraps the HTTP transport (tests inject faults with it).
	WrapTransport func(http.RoundTripper) http.RoundTripper
}

func (o Options) withDefaults() Options {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.MinBackoff <= 0 {
		o.MinBackoff = time.Second
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = 60 * time.Second
	}
	if o.MaxBackoff < o.MinBackoff {
		o.MaxBackoff = o.MinBackoff
	}
	if o.PollWait <= 0 {
		o.PollWait = 25 * time.Second
	}
	if o.PollWait > MaxWaitMS*time.Millisecond {
		o.PollWait = MaxWaitMS * time.Millisecond
	}
	if o.OutboxPoll <= 0 {
		o.OutboxPoll = time.Second
	}
	return o
}

// Report is what one round moved, for the CLI and the log.
type Report struct {
	Pushed     int       // mutations sent
	Applied    int       // accepted by HQ
	Duplicates int       // HQ had them already (a retry after a lost answer)
	Rejected   []Refusal // refused by HQ, with the reason
	// Requeued is the seq the outbox was pushed again from because HQ had
	// less than the device had seen acknowledged (restored from a backup);
	// 0 when not.
	Requeued int64
	// NewEpoch is the install epoch this round started because HQ held
	// seqs of the device's epoch that its outbox no longer had (its store
	// restored from an older backup); 0 when not.
	NewEpoch int64
	Pulled   map[string]int   // changes applied, per scope
	Loaded   map[string]int64 // records loaded from a snapshot, per scope
	// BlobsUp and BlobsDown count photos and signatures sent to HQ and
	// fetched from it.
	BlobsUp, BlobsDown int
}

// Refusal is one mutation HQ refused.
type Refusal struct {
	Seq  int64
	Name string
	Code string
	Key  string // translation key of the reason
	Args map[string]any
}

// EnrollInput is what the user gives to join an office at HQ.
type EnrollInput struct {
	HQURL string
	// Fingerprint is the SHA-256 of HQ's certificate the user confirmed
	// (from Probe, or typed from what HQ printed); "" trusts the system's
	// certificate authorities instead.
	Fingerprint string
	Code        string // the one-time enrollment code
	DeviceName  string // "" keeps the device's name
	// Joined, if set, is called once HQ accepted the device and the
	// enrollment is stored, before the scopes load.
	Joined func(EnrollResult)
	// Progress, if set, is called as each scope loads (from the caller's
	// goroutine, as Enroll runs).
	Progress func(Progress)
}

// EnrollResult says what the device joined.
type EnrollResult struct {
	OfficeID   string
	OfficeCode string
	OfficeName string
	Role       string // RoleOffice or RoleHQ
	Tag        string
	Scopes     []string
	Loaded     map[string]int64 // records loaded per scope
}

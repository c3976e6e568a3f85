//go:build !syncstore

package hqsync

// A placeholder until the store's sync API (data/sync_store.go) lands: the
// exported API is the real one, the bodies are not. Built without the
// syncstore tag only.

import (
	"context"
	"errors"

	"anchang/data"
)

// Store is what sync needs of the device's store; *data.Store satisfies it.
type Store interface {
	PendingOutbox(ctx context.Context, limit int) ([]data.OutboxEntry, error)
}

var errNotYet = &data.Error{Code: CodeUnavailable, Key: KeyUnavailable, Err: errors.New("sync client not built yet")}

// Loop is the device's background sync.
type Loop struct {
	opts Options
}

// NewLoop makes a loop over st. Start it with go l.Run(ctx).
func NewLoop(st Store, opts Options) *Loop { return &Loop{opts: opts.withDefaults()} }

// Run syncs until ctx is done.
func (l *Loop) Run(ctx context.Context) {
	if l.opts.OnStatus != nil {
		l.opts.OnStatus(Status{State: StateNotEnrolled})
	}
	<-ctx.Done()
}

// Start runs the loop in its own goroutine until Stop is called or ctx ends.
func (l *Loop) Start(ctx context.Context) {}

// Stop ends a started loop and waits until its goroutine has returned.
func (l *Loop) Stop() {}

// SyncNow asks for a round at once.
func (l *Loop) SyncNow() {}

// Kick tells the loop a local write is waiting.
func (l *Loop) Kick() {}

// Status is the current status.
func (l *Loop) Status() Status { return Status{State: StateNotEnrolled} }

// Round runs one push and one pull without waiting.
func (l *Loop) Round(ctx context.Context) (Report, error) { return Report{}, errNotYet }

// Enroll joins this device to an office at HQ with a one-time code.
func Enroll(ctx context.Context, st Store, in EnrollInput, opts Options) (EnrollResult, error) {
	return EnrollResult{}, errNotYet
}

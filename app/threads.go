package app

import "fyne.io/fyne/v2"

// threads is how the UI leaves its goroutine and comes back to it. Every
// background closure (load, do, saveQueue, the tickers, the sync and
// storage callbacks) goes through it, so a test can run the real
// goroutines and still have the results applied on one goroutine it
// controls (asyncThreads in the tests), where the race detector sees any
// UI state a closure reads off-thread.
//
// The rule for a closure that runs off the UI goroutine: it reads nothing
// of the UI (u.user, u.office, widgets, screen fields); whatever it needs is
// copied into locals on the UI goroutine before it starts.
// TestBackgroundClosuresCaptureState checks the source for it.
type threads interface {
	// Go runs fn off the UI goroutine.
	Go(fn func())
	// Do runs fn on the UI goroutine.
	Do(fn func())
}

// fyneThreads: real goroutines and fyne.Do.
type fyneThreads struct{}

func (fyneThreads) Go(fn func()) { go fn() }
func (fyneThreads) Do(fn func()) { fyne.Do(fn) }

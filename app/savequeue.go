package app

import (
	"context"
	"sync"
)

// saveQueue runs writes off the UI goroutine one at a time, in the order
// they were asked for: two quick taps on the same checklist item commit
// in the order they were made, so the latest tap is the latest event.
// Each result comes back on the UI goroutine. A worker goroutine runs only
// while there is something to write, and UI.Stop waits for the queue to
// drain, so a tap shown as made is written before the app lets go of the
// database.
type saveQueue struct {
	u       *UI
	mu      sync.Mutex
	jobs    []func()
	running bool
}

func newSaveQueue(u *UI) *saveQueue { return &saveQueue{u: u} }

// run queues work; done gets its error on the UI goroutine.
func (q *saveQueue) run(work func(ctx context.Context) error, done func(error)) {
	if q.u.inline {
		done(work(context.Background()))
		return
	}
	q.u.saving.Add(1)
	job := func() {
		defer q.u.saving.Done()
		err := work(context.Background())
		q.u.threads.Do(func() { done(err) })
	}
	q.mu.Lock()
	q.jobs = append(q.jobs, job)
	start := !q.running
	q.running = true
	q.mu.Unlock()
	if start {
		q.u.threads.Go(q.drain)
	}
}

// drain runs the queued jobs in order and ends when none are left.
func (q *saveQueue) drain() {
	for {
		q.mu.Lock()
		if len(q.jobs) == 0 {
			q.running = false
			q.mu.Unlock()
			return
		}
		job := q.jobs[0]
		q.jobs = q.jobs[1:]
		q.mu.Unlock()
		job()
	}
}

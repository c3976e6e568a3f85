package app

import (
	"context"

	"fyne.io/fyne/v2"
)

// saveQueue runs writes off the UI goroutine one at a time, in the order
// they were asked for: two quick taps on the same checklist item commit
// in the order they were made, so the latest tap is the latest event.
// Each result comes back on the UI goroutine.
type saveQueue struct {
	u  *UI
	ch chan func()
}

func newSaveQueue(u *UI) *saveQueue { return &saveQueue{u: u} }

// run queues work; done gets its error on the UI goroutine.
func (q *saveQueue) run(work func(ctx context.Context) error, done func(error)) {
	if q.u.inline {
		done(work(context.Background()))
		return
	}
	if q.ch == nil {
		q.ch = make(chan func(), 256)
		go func() {
			for job := range q.ch {
				job()
			}
		}()
	}
	q.ch <- func() {
		err := work(context.Background())
		fyne.Do(func() { done(err) })
	}
}

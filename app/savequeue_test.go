package app

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
)

// TestSaveQueueKeepsOrderAndStopWaits: writes run one at a time in the
// order asked, Stop does not return while one is queued, and no worker
// goroutine stays behind once the queue is empty.
func TestSaveQueueKeepsOrderAndStopWaits(t *testing.T) {
	test.NewTempApp(t)
	u := &UI{threads: fyneThreads{}}
	q := newSaveQueue(u)
	var mu sync.Mutex
	var got []int
	release := make(chan struct{})
	for i := range 50 {
		q.run(func(context.Context) error {
			if i == 0 {
				<-release
			}
			mu.Lock()
			got = append(got, i)
			mu.Unlock()
			return nil
		}, func(error) {})
	}
	stopped := make(chan struct{})
	go func() {
		u.Stop()
		close(stopped)
	}()
	select {
	case <-stopped:
		t.Fatal("Stop returned while writes were queued")
	case <-time.After(50 * time.Millisecond):
	}
	close(release)
	<-stopped
	mu.Lock()
	defer mu.Unlock()
	want := make([]int, 50)
	for i := range want {
		want[i] = i
	}
	if !slices.Equal(got, want) {
		t.Fatalf("writes ran in order %v", got)
	}
	// The worker ends just after its last write.
	idle := func() bool {
		q.mu.Lock()
		defer q.mu.Unlock()
		return !q.running && len(q.jobs) == 0
	}
	for i := 0; i < 200 && !idle(); i++ {
		time.Sleep(5 * time.Millisecond)
	}
	if !idle() {
		t.Fatal("the queue's worker is still running with nothing to write")
	}
}

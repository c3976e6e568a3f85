package hq

import "sync"

// broadcaster wakes the pulls waiting on a scope when a change commits there
// (in this process after a push, or from another replica through
// PostgreSQL's NOTIFY). A wake-up is a hint: the woken pull reads again.
type broadcaster struct {
	mu      sync.Mutex
	byScope map[string]map[*waiter]struct{}
	all     map[*waiter]struct{}
}

type waiter struct {
	ch     chan struct{} // buffered 1
	scopes []string
}

func newBroadcaster() *broadcaster {
	return &broadcaster{byScope: map[string]map[*waiter]struct{}{}, all: map[*waiter]struct{}{}}
}

func (b *broadcaster) watch(scopes []string) *waiter {
	w := &waiter{ch: make(chan struct{}, 1), scopes: scopes}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.all[w] = struct{}{}
	for _, sc := range scopes {
		set := b.byScope[sc]
		if set == nil {
			set = map[*waiter]struct{}{}
			b.byScope[sc] = set
		}
		set[w] = struct{}{}
	}
	return w
}

func (b *broadcaster) unwatch(w *waiter) {
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.all, w)
	for _, sc := range w.scopes {
		if set := b.byScope[sc]; set != nil {
			delete(set, w)
			if len(set) == 0 {
				delete(b.byScope, sc)
			}
		}
	}
}

// notify wakes the waiters of scope; "" wakes everyone.
func (b *broadcaster) notify(scope string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	set := b.byScope[scope]
	if scope == "" {
		set = b.all
	}
	for w := range set {
		select {
		case w.ch <- struct{}{}:
		default:
		}
	}
}

func (b *broadcaster) waiting() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.all)
}

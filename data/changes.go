package data

import (
	"slices"
	"sort"
)

// Change says what a committed transaction changed: the kinds of record
// it wrote (MutationSpec.Entity: "visit", "ticket_event", "staff", …), and
// whether they came from HQ (a pull or a snapshot). The desk's screens
// refresh from it instead of reloading each other.
type Change struct {
	// Kinds are the kinds of record written, sorted; nil means any kind
	// may have changed (a snapshot).
	Kinds  []string
	Pulled bool
}

// Touches reports whether c may have changed any of kinds.
func (c Change) Touches(kinds ...string) bool {
	if c.Kinds == nil {
		return true
	}
	for _, k := range kinds {
		if _, ok := slices.BinarySearch(c.Kinds, k); ok {
			return true
		}
	}
	return false
}

// Merge is c and d together (a burst of pulls shown once).
func (c Change) Merge(d Change) Change {
	if c.Kinds == nil || d.Kinds == nil {
		return Change{Pulled: c.Pulled || d.Pulled}
	}
	return Change{Kinds: kindsOf(append(append([]string(nil), c.Kinds...), d.Kinds...)), Pulled: c.Pulled || d.Pulled}
}

func kindsOf(ks []string) []string {
	if ks == nil {
		return []string{}
	}
	sort.Strings(ks)
	return slices.Compact(ks)
}

// Subscribe registers fn to run after every commit that wrote records —
// the desk's, the kiosk's, the command line's in this process, and those
// applied from HQ (ApplyPulled, ApplySnapshot). fn runs on the committing
// goroutine after the commit, not under any lock: it must return quickly
// (hand the change to another goroutine). cancel unregisters it.
func (s *Store) Subscribe(fn func(Change)) (cancel func()) {
	s.listenMu.Lock()
	defer s.listenMu.Unlock()
	if s.subscribers == nil {
		s.subscribers = map[int]func(Change){}
	}
	s.nextListener++
	id := s.nextListener
	s.subscribers[id] = fn
	return func() {
		s.listenMu.Lock()
		delete(s.subscribers, id)
		s.listenMu.Unlock()
	}
}

// changed tells the subscribers of c.
func (s *Store) changed(c Change) {
	s.listenMu.Lock()
	fns := make([]func(Change), 0, len(s.subscribers))
	for _, fn := range s.subscribers {
		fns = append(fns, fn)
	}
	s.listenMu.Unlock()
	for _, fn := range fns {
		fn(c)
	}
}

// pulledKinds are the kinds of record a page of pulled changes writes.
func pulledKinds(changes []PulledChange) []string {
	var ks []string
	for _, c := range changes {
		if spec, ok := mutationSpecs[mutationKey{c.Name, c.Version}]; ok {
			ks = append(ks, spec.Entity)
		}
	}
	return kindsOf(ks)
}

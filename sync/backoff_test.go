package hqsync

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"anchang/data"

	"github.com/google/uuid"
)

func TestBackoffBoundsAndJitter(t *testing.T) {
	l := NewLoop(nil, Options{})
	for n := 1; n <= 12; n++ {
		base := min(time.Second<<(n-1), 60*time.Second)
		seen := map[time.Duration]bool{}
		for range 200 {
			d := l.backoff(n, 0)
			if d < base/2 || d > base {
				t.Fatalf("failure %d: wait %v outside [%v, %v]", n, d, base/2, base)
			}
			seen[d] = true
		}
		if len(seen) < 10 {
			t.Fatalf("failure %d: only %d distinct waits: no jitter", n, len(seen))
		}
	}
	if d := l.backoff(1, 7*time.Second); d != 7*time.Second {
		t.Fatalf("Retry-After 7 s ignored: %v", d)
	}
}

// offlineTransport fails every request at once, as a network with no route
// to HQ, and notes when each was tried (on the bubble's clock).
type offlineTransport struct {
	mu    sync.Mutex
	tries []time.Time
}

func (o *offlineTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	o.mu.Lock()
	o.tries = append(o.tries, time.Now())
	o.mu.Unlock()
	return nil, errors.New("connect: no route to host")
}

func (o *offlineTransport) times() []time.Time {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]time.Time(nil), o.tries...)
}

// enrolledStore is a real store enrolled at an HQ that is never reached.
func enrolledStore(t *testing.T) *data.Store {
	t.Helper()
	ctx := context.Background()
	s, err := data.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	id, err := s.SyncIdentity(ctx)
	if err != nil {
		t.Fatal(err)
	}
	office := uuid.Must(uuid.NewV7()).String()
	err = s.Enroll(ctx, data.Enrollment{HQURL: "https://hq.invalid:8443", Fingerprint: strings.Repeat("ab", 32), HQID: "hq-1",
		DeviceID: id.DeviceID, OfficeID: office, OfficeCode: "SH01", OfficeName: "上海一号案场", Role: RoleOffice, Tag: "A",
		Scopes: []string{OfficeScope(office), ScopeGlobal}, Secret: "not-a-real-secret", DeviceName: "前台"})
	if err != nil {
		s.Close()
		t.Fatal(err)
	}
	return s
}

// With HQ out of reach the loop retries after 1, 2, 4 … seconds, each wait
// jittered over its upper half and capped at a minute; SyncNow tries at
// once; the status says offline, unreachable. Fake time (synctest): the
// ten minutes take no time.
func TestLoopBacksOffWhileOffline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := enrolledStore(t)
		defer s.Close()
		tr := &offlineTransport{}
		var states []State
		var mu sync.Mutex
		l := NewLoop(s, Options{
			Logger:        slog.New(slog.NewTextHandler(io.Discard, nil)),
			WrapTransport: func(http.RoundTripper) http.RoundTripper { return tr },
			OnStatus: func(st Status) {
				mu.Lock()
				states = append(states, st.State)
				mu.Unlock()
			},
		})
		ctx, cancel := context.WithCancel(context.Background())
		l.Start(ctx)
		time.Sleep(10 * time.Minute)
		synctest.Wait()
		tries := tr.times()
		if len(tries) < 10 || len(tries) > 25 {
			t.Fatalf("%d tries in 10 minutes", len(tries))
		}
		for i := 1; i < len(tries); i++ {
			base := min(time.Second<<(i-1), 60*time.Second)
			gap := tries[i].Sub(tries[i-1])
			if gap < base/2 || gap > base {
				t.Errorf("wait %d: %v, want within [%v, %v]", i, gap, base/2, base)
			}
		}
		if st := l.Status(); st.State != StateOffline || st.ErrKey != KeyUnreachable {
			t.Errorf("status %+v", st)
		}
		// SyncNow cuts the minute's wait short.
		before := len(tr.times())
		l.SyncNow()
		synctest.Wait()
		if after := tr.times(); len(after) != before+1 || !after[len(after)-1].Equal(time.Now()) {
			t.Errorf("SyncNow: %d tries (was %d)", len(after), before)
		}
		cancel()
		l.Stop()
		mu.Lock()
		defer mu.Unlock()
		if len(states) == 0 || states[len(states)-1] != StateOffline {
			t.Errorf("states %v", states)
		}
	})
}

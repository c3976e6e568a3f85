package hqsync

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"anchang/data"
)

// Store is what sync needs of the device's store; *data.Store satisfies it.
type Store interface {
	SyncIdentity(ctx context.Context) (data.SyncIdentity, error)
	Enroll(ctx context.Context, e data.Enrollment) error
	DeviceSecret(ctx context.Context) (string, error)
	PendingOutbox(ctx context.Context, limit int) ([]data.OutboxEntry, error)
	AckPushed(ctx context.Context, outcomes []data.PushOutcome) error
	LastAcked(ctx context.Context) (int64, error)
	Requeue(ctx context.Context, fromSeq int64) error
	OutboxHighWater(ctx context.Context) (int64, error)
	RenewInstallEpoch(ctx context.Context, from int64) (data.EpochRenewal, error)
	PruneAcked(ctx context.Context, before time.Time) (int, error)
	Cursors(ctx context.Context) (map[string]int64, error)
	CursorTips(ctx context.Context) (map[string]string, error)
	ApplyPulled(ctx context.Context, scope string, changes []data.PulledChange, next int64, tip string) error
	ApplySnapshot(ctx context.Context, scope string, cursor int64, tip string, next func() (data.PulledChange, bool, error)) error
	SyncStatus(ctx context.Context) (data.SyncStatus, error)
	NoteSyncResult(ctx context.Context, at time.Time, errKey string) error
}

const (
	pullLimit      = 500
	pushBytes      = MaxPushBytes - 256<<10 // leave room for the envelope
	keepAcked      = 30 * 24 * time.Hour    // acknowledged outbox rows kept for re-pushing
	pruneEvery     = time.Hour
	idleNotEnroled = 10 * time.Second // how often a device that is not enrolled looks again
	stuckWait      = 5 * time.Minute  // revoked or update required: look again this rarely
)

// localWriter is a store that tells of local writes as they commit
// (*data.Store does).
type localWriter interface {
	OnLocalWrite(fn func()) (cancel func())
}

// Loop is the device's background sync: it pushes the outbox, pulls every
// scope with a long-poll so another device's change arrives within about a
// second, loads scopes from snapshots when needed, and backs off with jitter
// while HQ cannot be reached. Its methods never block on the network.
type Loop struct {
	st   Store
	opts Options
	log  *slog.Logger

	now  chan struct{} // SyncNow: the user asked
	kick chan struct{} // Kick: a local write

	round sync.Mutex // one round at a time (Run and Round)

	runMu  sync.Mutex
	stop   context.CancelFunc // of a Start
	exited chan struct{}      // closed when Start's goroutine ends

	mu        sync.Mutex
	status    Status
	cl        *client
	clKey     string
	checkedHQ bool                 // an empty push has told HQ's last seq since start or resync
	reload    bool                 // HQ went back in time: reload every scope
	blobWait  map[string]time.Time // blobs HQ lacked: not asked for again before
	lastPrune time.Time
}

// NewLoop makes a loop over st. Start it with go l.Run(ctx).
func NewLoop(st Store, opts Options) *Loop {
	opts = opts.withDefaults()
	return &Loop{
		st: st, opts: opts, log: opts.Logger,
		now:    make(chan struct{}, 1),
		kick:   make(chan struct{}, 1),
		status: Status{State: StateSyncing},
	}
}

// Start runs the loop in its own goroutine until Stop is called or ctx
// ends. A second Start while it runs does nothing.
func (l *Loop) Start(ctx context.Context) {
	l.runMu.Lock()
	defer l.runMu.Unlock()
	if l.stop != nil {
		return
	}
	ctx, cancel := context.WithCancel(ctx)
	l.stop, l.exited = cancel, make(chan struct{})
	go func(done chan struct{}) {
		defer close(done)
		l.Run(ctx)
	}(l.exited)
}

// Stop ends a started loop and waits until its goroutine has returned (a
// waiting pull is cut at once). The loop can be started again.
func (l *Loop) Stop() {
	l.runMu.Lock()
	defer l.runMu.Unlock()
	if l.stop == nil {
		return
	}
	l.stop()
	<-l.exited
	l.stop, l.exited = nil, nil
}

// SyncNow asks for a round at once, cutting a back-off short. It never blocks.
func (l *Loop) SyncNow() {
	select {
	case l.now <- struct{}{}:
	default:
	}
}

// Kick tells the loop a local write is waiting, so it pushes promptly (a
// waiting pull is cut short). Call it after a write; it never blocks. The
// loop also looks at the outbox every few seconds by itself.
func (l *Loop) Kick() {
	select {
	case l.kick <- struct{}{}:
	default:
	}
}

// Status is the current status.
func (l *Loop) Status() Status {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.status
}

func (l *Loop) setStatus(f func(*Status)) {
	l.mu.Lock()
	old := l.status
	f(&l.status)
	s := l.status
	l.mu.Unlock()
	if l.opts.OnStatus != nil && !sameStatus(old, s) {
		l.opts.OnStatus(s)
	}
}

func sameStatus(a, b Status) bool {
	return a.State == b.State && a.LastSuccess.Equal(b.LastSuccess) && a.Pending == b.Pending &&
		a.Rejections == b.Rejections && a.ErrKey == b.ErrKey && a.Loading == b.Loading
}

// refreshCounts reads the pending and rejection counts from the store.
func (l *Loop) refreshCounts(ctx context.Context) { l.update(ctx, nil) }

// update changes the status with f (if not nil) and the store's counts, in
// one step, so the UI gets one callback.
func (l *Loop) update(ctx context.Context, f func(*Status)) {
	ss, err := l.st.SyncStatus(ctx)
	if err != nil && ctx.Err() == nil {
		l.log.Warn("sync status", "err", err)
	}
	l.setStatus(func(s *Status) {
		if f != nil {
			f(s)
		}
		if err == nil {
			s.Pending, s.Rejections = int(ss.Pending), int(ss.Rejections)
			if !ss.LastSuccess.IsZero() {
				s.LastSuccess = ss.LastSuccess
			}
		}
	})
}

// Run syncs until ctx is done. Errors go to the status and the log.
func (l *Loop) Run(ctx context.Context) {
	// Every local write, whoever makes it, wakes the loop at once.
	if w, ok := l.st.(localWriter); ok {
		cancel := w.OnLocalWrite(l.Kick)
		defer cancel()
	}
	defer func() {
		l.mu.Lock()
		if l.cl != nil {
			l.cl.close()
			l.cl = nil
		}
		l.mu.Unlock()
	}()
	l.refreshCounts(ctx)
	failures := 0
	for ctx.Err() == nil {
		id, err := l.st.SyncIdentity(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			l.log.Error("sync identity", "err", err)
			failures++
			l.sleep(ctx, l.backoff(failures, 0), false)
			continue
		}
		if !id.Enrolled {
			l.setStatus(func(s *Status) { *s = Status{State: StateNotEnrolled} })
			l.sleep(ctx, idleNotEnroled, true)
			continue
		}
		_, err = l.cycle(ctx, id, true)
		if ctx.Err() != nil {
			return
		}
		if err == nil {
			failures = 0
			continue
		}
		switch data.ErrorCode(err) {
		case CodeRevoked:
			l.fail(ctx, StateRevoked, err)
			l.sleep(ctx, stuckWait, true)
		case CodeUpdateRequired:
			l.fail(ctx, StateUpdateRequired, err)
			l.sleep(ctx, stuckWait, true)
		default:
			l.fail(ctx, StateOffline, err)
			failures++
			l.sleep(ctx, l.backoff(failures, retryAfter(err)), false)
		}
	}
}

// fail records a failed round.
func (l *Loop) fail(ctx context.Context, st State, err error) {
	key := ErrorKey(err)
	var args map[string]any
	if e, ok := data.AsError(err); ok {
		args = e.Args
	}
	l.log.Warn("sync round failed", "state", st, "key", key, "err", err)
	if nerr := l.st.NoteSyncResult(ctx, l.opts.Now(), key); nerr != nil && ctx.Err() == nil {
		l.log.Warn("note sync result", "err", nerr)
	}
	l.update(ctx, func(s *Status) { s.State, s.ErrKey, s.ErrArgs, s.Loading = st, key, args, nil })
}

// backoff is the wait after the n-th failure in a row: doubling from
// MinBackoff to MaxBackoff, with jitter over its upper half so devices that
// lost HQ together do not come back together; at least what HQ asked.
func (l *Loop) backoff(n int, atLeast time.Duration) time.Duration {
	d := l.opts.MinBackoff
	for i := 1; i < n && d < l.opts.MaxBackoff; i++ {
		d *= 2
	}
	d = min(d, l.opts.MaxBackoff)
	d = d/2 + rand.N(d/2+1)
	return max(d, atLeast)
}

// sleep waits d, or less if SyncNow is called (or, with kicks, a local
// write is signalled). Meanwhile the pending count stays current, so the
// top bar counts the writes made while HQ is away.
func (l *Loop) sleep(ctx context.Context, d time.Duration, kicks bool) {
	t := time.NewTimer(d)
	defer t.Stop()
	tick := time.NewTicker(l.opts.OutboxPoll)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			return
		case <-l.now:
			return
		case <-l.kick:
			if kicks {
				return
			}
			l.refreshCounts(ctx)
		case <-tick.C:
			l.refreshCounts(ctx)
		}
	}
}

// Round runs one push and one pull without waiting at HQ, for the command
// line. It fails if the device is not enrolled.
func (l *Loop) Round(ctx context.Context) (Report, error) {
	id, err := l.st.SyncIdentity(ctx)
	if err != nil {
		return Report{}, err
	}
	if !id.Enrolled {
		return Report{}, &data.Error{Code: data.ENOTSETUP, Key: KeyNotEnrolled}
	}
	rep, err := l.cycle(ctx, id, false)
	if err != nil && ctx.Err() == nil {
		if nerr := l.st.NoteSyncResult(ctx, l.opts.Now(), ErrorKey(err)); nerr != nil {
			l.log.Warn("note sync result", "err", nerr)
		}
	}
	l.mu.Lock()
	if l.cl != nil {
		l.cl.close()
		l.cl = nil
	}
	l.mu.Unlock()
	return rep, err
}

// clientFor returns the HTTP client for the device's enrollment.
func (l *Loop) clientFor(id data.SyncIdentity) *client {
	key := id.HQURL + "|" + id.Fingerprint + "|" + id.DeviceID
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.cl == nil || l.clKey != key {
		if l.cl != nil {
			l.cl.close()
		}
		l.cl = newClient(clientConfig{URL: id.HQURL, Fingerprint: id.Fingerprint, RootCAs: l.opts.RootCAs, Wrap: l.opts.WrapTransport, Now: l.opts.Now, Logger: l.log})
		l.cl.creds, l.cl.name = credentials(l.st, id.DeviceID), deviceName(l.st)
		l.clKey = key
		l.checkedHQ = false
	}
	return l.cl
}

// cycle is one round: push everything, load missing scopes, pull until
// caught up, then (wait) one long-poll.
func (l *Loop) cycle(ctx context.Context, id data.SyncIdentity, wait bool) (Report, error) {
	l.round.Lock()
	defer l.round.Unlock()
	c := l.clientFor(id)
	rep := Report{Pulled: map[string]int{}, Loaded: map[string]int64{}}
	if err := l.pushAll(ctx, c, &id, &rep); err != nil {
		return rep, err
	}
	if err := l.pullAll(ctx, c, &id, &rep, wait); err != nil {
		return rep, err
	}
	return rep, nil
}

// pushAll pushes the outbox in batches until it is empty. A new install
// epoch started on the way (see renew) is set in id.
func (l *Loop) pushAll(ctx context.Context, c *client, id *data.SyncIdentity, rep *Report) error {
	stalls, renewals := 0, 0
	for {
		batch, err := l.st.PendingOutbox(ctx, MaxPushMutations)
		if err != nil {
			return fmt.Errorf("push: read outbox: %w", err)
		}
		l.mu.Lock()
		checked := l.checkedHQ
		l.mu.Unlock()
		if len(batch) == 0 && checked {
			return nil
		}
		// Cut the batch to HQ's request size.
		size := 0
		for i, e := range batch {
			size += len(e.Payload) + len(e.RecordID) + len(e.Mutation) + 256
			if size > pushBytes && i > 0 {
				batch = batch[:i]
				break
			}
		}
		if len(batch) > 0 {
			l.setStatus(func(s *Status) { s.State = StateSyncing })
		}
		req := PushRequest{DeviceID: id.DeviceID, InstallEpoch: id.InstallEpoch, Mutations: make([]Mutation, len(batch))}
		for i, e := range batch {
			req.Mutations[i] = Mutation{Seq: e.Seq, Name: e.Mutation, Version: e.Version, RecordID: e.RecordID, Payload: e.Payload, Hash: e.Hash, CreatedAt: e.CreatedAt}
		}
		if ss, err := l.st.SyncStatus(ctx); err == nil && int64(ss.Pending) > int64(len(batch)) {
			req.Pending = int64(ss.Pending) - int64(len(batch))
		}
		res, err := c.push(ctx, req)
		if err != nil {
			if len(batch) == 0 && data.ErrorCode(err) == data.EINVALID {
				// An HQ that refuses an empty push cannot tell its last
				// seq this way; the next real push will.
				l.setChecked(true)
				return nil
			}
			return err
		}
		l.setChecked(true)
		rep.Pushed += len(batch)
		progress, err := l.ack(ctx, batch, res, rep)
		if err != nil && data.ErrorCode(err) != CodeIntegrity {
			return err
		}
		acked, aerr := l.st.LastAcked(ctx)
		if aerr != nil {
			return fmt.Errorf("push: %w", aerr)
		}
		renewed, rerr := l.renew(ctx, id, res, acked, rep)
		if rerr != nil {
			return rerr
		}
		if renewed {
			if renewals++; renewals > 2 {
				return syncError(CodeIntegrity, KeyIntegrity, fmt.Errorf("push: hq holds seqs of %d new install epochs in a row", renewals))
			}
			stalls = 0
			continue
		}
		if err != nil {
			return err // integrity on a seq this device had seen acknowledged: support must look
		}
		requeued := false
		from := res.ResendFrom
		if from == 0 && res.LastSeq < acked {
			from = res.LastSeq + 1
		}
		if from > 0 {
			if from <= acked {
				// HQ has less than it acknowledged: restored from an older
				// backup. Push the kept rows again from where it is, and
				// reload every scope afterwards: HQ's sequence numbers went
				// back too, so the cursors may point past rows this device
				// never saw.
				l.mu.Lock()
				l.reload = true
				l.mu.Unlock()
			}
			if err := l.requeue(ctx, from, rep); err != nil {
				return err
			}
			requeued = true
		}
		if len(batch) == 0 && !requeued {
			return nil
		}
		if progress == 0 {
			stalls++
			if stalls > 3 {
				return syncError(CodeUnavailable, KeyBadResponse, fmt.Errorf("push: no progress after %d tries (last_seq %d, resend_from %d)", stalls, res.LastSeq, res.ResendFrom))
			}
		} else {
			stalls = 0
		}
	}
}

// renew starts a new install epoch when HQ holds seqs of this device's
// epoch that its outbox does not: its store went back in time (restored
// from an older backup) and reuses seqs HQ already has with other
// records. That shows as HQ's last seq above the highest seq this outbox
// ever used, or as an integrity answer for a seq the device never saw
// acknowledged. The records HQ holds under the old epoch come back by the
// pull; the waiting rows are renumbered from 1 under the new epoch
// (data.Store.RenewInstallEpoch) and pushed.
func (l *Loop) renew(ctx context.Context, id *data.SyncIdentity, res PushResponse, acked int64, rep *Report) (bool, error) {
	hw, err := l.st.OutboxHighWater(ctx)
	if err != nil {
		return false, fmt.Errorf("push: %w", err)
	}
	var integrity int64
	for _, r := range res.Results {
		if r.Status == StatusIntegrity {
			integrity = r.Seq
		}
	}
	if integrity == 0 || integrity <= acked {
		if res.LastSeq <= hw {
			return false, nil
		}
		// Rows waiting in the backup that HQ got before the restore are
		// acknowledged (duplicate) under the old epoch first: renumbered,
		// they would be pushed again as new.
		next, err := l.st.PendingOutbox(ctx, 1)
		if err != nil {
			return false, fmt.Errorf("push: %w", err)
		}
		if len(next) > 0 && next[0].Seq <= res.LastSeq {
			return false, nil
		}
	}
	l.log.Warn("hq holds seqs of this device's install epoch that its outbox does not (store restored from a backup?); starting a new epoch",
		"epoch", id.InstallEpoch, "hq_last_seq", res.LastSeq, "outbox_high_water", hw, "integrity_seq", integrity)
	r, err := l.st.RenewInstallEpoch(ctx, id.InstallEpoch)
	if err != nil {
		return false, fmt.Errorf("push: new install epoch: %w", err)
	}
	id.InstallEpoch = r.Epoch
	rep.NewEpoch = r.Epoch
	l.setChecked(false)
	return true, nil
}

func (l *Loop) setChecked(v bool) {
	l.mu.Lock()
	l.checkedHQ = v
	l.mu.Unlock()
}

func (l *Loop) requeue(ctx context.Context, from int64, rep *Report) error {
	l.log.Warn("hq is behind this device; pushing again", "from_seq", from)
	if err := l.st.Requeue(ctx, from); err != nil {
		return fmt.Errorf("push: requeue from %d: %w", from, err)
	}
	if rep.Requeued == 0 || from < rep.Requeued {
		rep.Requeued = from
	}
	return nil
}

// ack records HQ's results and returns how many rows they settled. An
// integrity result (a seq HQ holds with another payload) stops sync: the
// outbox diverged from HQ and support must look.
func (l *Loop) ack(ctx context.Context, batch []data.OutboxEntry, res PushResponse, rep *Report) (int, error) {
	sent := make(map[int64]data.OutboxEntry, len(batch))
	for _, e := range batch {
		sent[e.Seq] = e
	}
	outs := make([]data.PushOutcome, 0, len(res.Results))
	var integrity error
	for _, r := range res.Results {
		e, ok := sent[r.Seq]
		if !ok {
			return 0, syncError(CodeUnavailable, KeyBadResponse, fmt.Errorf("push: result for seq %d not sent", r.Seq))
		}
		o := data.PushOutcome{Seq: r.Seq, Status: r.Status, Scope: r.Scope, ScopeSeq: r.ScopeSeq}
		if r.Error != nil {
			o.Code, o.Key, o.Args = r.Error.Code, r.Error.Key, r.Error.Args
		}
		switch r.Status {
		case StatusApplied:
			rep.Applied++
		case StatusDuplicate:
			rep.Duplicates++
		case StatusRejected:
			if o.Key == "" {
				o.Key = KeyRejected
			}
			if o.Code == "" {
				o.Code = data.EINVALID
			}
			rep.Rejected = append(rep.Rejected, Refusal{Seq: r.Seq, Name: e.Mutation, Code: o.Code, Key: o.Key, Args: o.Args})
		case StatusIntegrity:
			integrity = syncError(CodeIntegrity, KeyIntegrity, fmt.Errorf("push: seq %d is held at HQ with another payload", r.Seq))
		default:
			return 0, syncError(CodeUnavailable, KeyBadResponse, fmt.Errorf("push: unknown status %q for seq %d", r.Status, r.Seq))
		}
		if integrity != nil {
			break
		}
		outs = append(outs, o)
	}
	if len(outs) > 0 {
		if err := l.st.AckPushed(ctx, outs); err != nil {
			return 0, fmt.Errorf("push: acknowledge: %w", err)
		}
	}
	if integrity != nil {
		return len(outs), integrity
	}
	return len(outs), nil
}

// pullAll loads the scopes that have no cursor, pulls every scope until
// caught up, and (wait) then waits at HQ once for the next change.
func (l *Loop) pullAll(ctx context.Context, c *client, id *data.SyncIdentity, rep *Report, wait bool) error {
	if err := l.loadMissing(ctx, c, id, rep); err != nil {
		return err
	}
	more := true
	resynced := map[string]bool{}
	for {
		waiting := wait && !more
		if waiting {
			if err := l.syncBlobs(ctx, c, rep); err != nil {
				return err
			}
			l.succeeded(ctx)
		}
		cursors, err := l.st.Cursors(ctx)
		if err != nil {
			return fmt.Errorf("pull: cursors: %w", err)
		}
		// The tips are stored with their cursors (the same transaction),
		// so a restarted program sends them too.
		tips, err := l.st.CursorTips(ctx)
		if err != nil {
			return fmt.Errorf("pull: %w", err)
		}
		req := PullRequest{Cursors: map[string]int64{}, Limit: pullLimit, Tips: map[string]string{}}
		for _, s := range id.Scopes {
			req.Cursors[s] = cursors[s]
			if tips[s] != "" {
				req.Tips[s] = tips[s]
			}
		}
		var res PullResponse
		if waiting {
			req.WaitMS = int(l.opts.PollWait / time.Millisecond)
			var woken bool
			res, woken, err = l.waitPull(ctx, c, req)
			if woken {
				return nil
			}
		} else {
			res, err = c.pull(ctx, req)
		}
		if err != nil {
			return err
		}
		more = false
		scopes := make([]string, 0, len(res.Scopes))
		for s := range res.Scopes {
			scopes = append(scopes, s)
		}
		slices.Sort(scopes)
		for _, scope := range scopes {
			page := res.Scopes[scope]
			cur, asked := req.Cursors[scope]
			if !asked {
				l.log.Warn("pull: hq answered a scope not asked for", "scope", scope)
				continue
			}
			if page.Resync {
				if resynced[scope] {
					return syncError(CodeUnavailable, KeyBadResponse, fmt.Errorf("pull %s: resync again right after a reload", scope))
				}
				resynced[scope] = true
				if err := l.resync(ctx, c, id, scope, rep); err != nil {
					return err
				}
				more = true
				continue
			}
			if err := checkPage(scope, cur, page); err != nil {
				return err
			}
			if len(page.Changes) == 0 && page.Next == cur {
				if page.Tip != "" && page.Tip != req.Tips[scope] {
					// A cursor stored without a tip (an older version, or
					// HQ had none at 0) gets the one HQ gives now.
					if err := l.st.ApplyPulled(ctx, scope, nil, cur, page.Tip); err != nil {
						return fmt.Errorf("pull %s: store tip: %w", scope, err)
					}
				}
				continue
			}
			if !waiting {
				l.setStatus(func(s *Status) { s.State = StateSyncing })
			}
			changes := make([]data.PulledChange, len(page.Changes))
			for i, ch := range page.Changes {
				changes[i] = pulledChange(ch)
			}
			if err := l.st.ApplyPulled(ctx, scope, changes, page.Next, page.Tip); err != nil {
				return fmt.Errorf("pull %s: apply: %w", scope, err)
			}
			rep.Pulled[scope] += len(changes)
			if page.More {
				more = true
			}
		}
		if waiting {
			return nil
		}
		if !more && !wait {
			if err := l.syncBlobs(ctx, c, rep); err != nil {
				return err
			}
			l.succeeded(ctx)
			return nil
		}
	}
}

// checkPage refuses a page whose seqs do not follow the cursor one by one.
func checkPage(scope string, cursor int64, p ScopePage) error {
	want := cursor
	for _, ch := range p.Changes {
		want++
		if ch.Seq != want || ch.Name == "" {
			return syncError(CodeUnavailable, KeyBadResponse, fmt.Errorf("pull %s: change seq %d after cursor %d, want %d", scope, ch.Seq, cursor, want))
		}
	}
	if p.Next != want {
		return syncError(CodeUnavailable, KeyBadResponse, fmt.Errorf("pull %s: next %d after %d changes from %d", scope, p.Next, len(p.Changes), cursor))
	}
	return nil
}

// waitPull is a long-poll that a local write, SyncNow or the outbox poller
// cuts short (woken; nothing applied, the next cycle pushes).
func (l *Loop) waitPull(ctx context.Context, c *client, req PullRequest) (PullResponse, bool, error) {
	pctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var woke bool
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(l.opts.OutboxPoll)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-l.now:
			case <-l.kick:
			case <-t.C:
				rows, err := l.st.PendingOutbox(pctx, 1)
				if err != nil || len(rows) == 0 {
					continue
				}
			}
			woke = true
			cancel()
			return
		}
	}()
	res, err := c.pull(pctx, req)
	close(stop)
	wg.Wait()
	if woke && ctx.Err() == nil {
		return PullResponse{}, true, nil
	}
	return res, false, err
}

// loadMissing loads every scope of the enrollment that has no cursor yet
// (an enrollment whose bootstrap was cut, or a resync).
func (l *Loop) loadMissing(ctx context.Context, c *client, id *data.SyncIdentity, rep *Report) error {
	cursors, err := l.st.Cursors(ctx)
	if err != nil {
		return fmt.Errorf("pull: cursors: %w", err)
	}
	l.mu.Lock()
	reload := l.reload
	l.reload = false
	l.mu.Unlock()
	for _, scope := range id.Scopes {
		if _, ok := cursors[scope]; ok && !reload {
			continue
		}
		if err := l.load(ctx, c, scope, rep); err != nil {
			if reload {
				l.mu.Lock()
				l.reload = true
				l.mu.Unlock()
			}
			return err
		}
	}
	return nil
}

func (l *Loop) load(ctx context.Context, c *client, scope string, rep *Report) error {
	l.setStatus(func(s *Status) { s.State = StateSyncing; s.Loading = &Progress{Scope: scope} })
	defer l.setStatus(func(s *Status) { s.Loading = nil })
	n, err := bootstrap(ctx, c, l.st, scope, func(p Progress) {
		l.setStatus(func(s *Status) { s.Loading = &p })
	})
	if err != nil {
		return err
	}
	rep.Loaded[scope] += n
	l.log.Info("scope loaded from hq", "scope", scope, "records", n)
	return nil
}

// resync: HQ cannot continue this scope from the cursor (too old, or ahead
// of an HQ restored from a backup). Push first, so nothing local is lost,
// then load the scope again.
func (l *Loop) resync(ctx context.Context, c *client, id *data.SyncIdentity, scope string, rep *Report) error {
	l.log.Warn("hq asks to reload a scope", "scope", scope)
	l.setChecked(false)
	if err := l.pushAll(ctx, c, id, rep); err != nil {
		return err
	}
	return l.load(ctx, c, scope, rep)
}

// succeeded notes a round that reached HQ and caught up.
func (l *Loop) succeeded(ctx context.Context) {
	now := l.opts.Now()
	if err := l.st.NoteSyncResult(ctx, now, ""); err != nil && ctx.Err() == nil {
		l.log.Warn("note sync result", "err", err)
	}
	l.mu.Lock()
	prune := now.Sub(l.lastPrune) >= pruneEvery || now.Before(l.lastPrune)
	if prune {
		l.lastPrune = now
	}
	l.mu.Unlock()
	if prune {
		if n, err := l.st.PruneAcked(ctx, now.Add(-keepAcked)); err != nil {
			l.log.Warn("prune acknowledged outbox", "err", err)
		} else if n > 0 {
			l.log.Info("pruned acknowledged outbox rows", "rows", n)
		}
	}
	l.update(ctx, func(s *Status) { s.State, s.ErrKey, s.ErrArgs, s.Loading = StateOnline, "", nil, nil })
}

// pulledChange converts a wire change to the store's.
func pulledChange(ch Change) data.PulledChange {
	return data.PulledChange{
		Seq: ch.Seq, Name: ch.Name, Version: ch.Version, RecordID: ch.RecordID,
		Payload: ch.Payload, Deleted: ch.Deleted, OriginDevice: ch.OriginDevice, OriginSeq: ch.OriginSeq, OriginEpoch: ch.OriginEpoch,
	}
}

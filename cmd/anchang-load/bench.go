package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"anchang/data"
	hqsync "anchang/sync"
	"anchang/sync/hq"
	"anchang/sync/hq/pgtest"

	"golang.org/x/sync/errgroup"
)

// bench runs the HQ scenarios on one backend.
type bench struct {
	cfg     config
	backend string
	dir     string
	pg      *pgtest.Cluster
	rep     *report
	n       int // databases made
}

func (b *bench) run(ctx context.Context) error {
	c := b.cfg
	if c.Scenarios["ingest"] || c.Scenarios["push"] || c.Scenarios["pull"] {
		if err := b.ingestPushPull(ctx); err != nil {
			return err
		}
	}
	if c.Scenarios["longpoll"] {
		if err := b.longPoll(ctx); err != nil {
			return fmt.Errorf("longpoll: %w", err)
		}
	}
	return nil
}

// database makes a fresh database for one HQ: a SQLite file, or a new
// PostgreSQL database.
func (b *bench) database(ctx context.Context, name string) (string, error) {
	b.n++
	if b.backend == hq.SQLite {
		return filepath.Join(b.dir, name+".db"), nil
	}
	if b.cfg.PGDSN != "" {
		return b.cfg.PGDSN, nil
	}
	return b.pg.CreateDatabase(ctx, fmt.Sprintf("load_%s_%d", name, os.Getpid()))
}

func openStore(ctx context.Context, backend, db string) (*hq.SQLStore, error) {
	if backend == hq.Postgres {
		return hq.OpenPostgres(ctx, db)
	}
	return hq.OpenSQLite(ctx, db)
}

// env is one HQ child with the parent's own handle on its store (for the
// admin verbs, as `anchang-hq office add` / `code` do while HQ runs).
type env struct {
	proc  *hqProc
	store *hq.SQLStore
}

func (b *bench) startEnv(ctx context.Context, name, profile string) (*env, error) {
	db, err := b.database(ctx, name)
	if err != nil {
		return nil, err
	}
	st, err := openStore(ctx, b.backend, db)
	if err != nil {
		return nil, err
	}
	certDir := filepath.Join(b.dir, "cert")
	os.MkdirAll(certDir, 0o700)
	p, err := startHQ(ctx, hqOptions{Backend: b.backend, DB: db, Dir: certDir, CPUProfile: profile, DeviceRate: b.cfg.DeviceRate})
	if err != nil {
		st.Close()
		return nil, err
	}
	return &env{proc: p, store: st}, nil
}

func (e *env) close() error {
	err := e.proc.stop()
	return errors.Join(err, e.store.Close())
}

var officeSeq atomic.Int64

// office adds an office and enrolls n devices in it, conc at a time.
func (e *env) office(ctx context.Context, n, conc int) ([]*device, error) {
	return e.offices(ctx, 1, n, conc)
}

// offices adds k offices and enrolls n devices, spread over them in turn,
// conc at a time.
func (e *env) offices(ctx context.Context, k, n, conc int) ([]*device, error) {
	codes := make([]string, k)
	for i := range codes {
		codes[i] = fmt.Sprintf("L%03d", officeSeq.Add(1))
		// The office's row only (the store's AddOffice): the load needs no
		// office.setup record in the office's scope.
		if _, err := e.store.AddOffice(ctx, codes[i], "压测案场 "+codes[i], time.Now().UnixMilli()); err != nil {
			return nil, fmt.Errorf("office add: %w", err)
		}
	}
	devs := make([]*device, n)
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(conc)
	for i := range devs {
		ec, _, err := hq.IssueEnrollCode(ctx, e.store, codes[i%k], false, time.Hour, time.Now())
		if err != nil {
			return nil, fmt.Errorf("enroll code: %w", err)
		}
		d := newDevice(e.proc.URL, e.proc.Fingerprint)
		devs[i] = d
		g.Go(func() error { return d.enroll(gctx, ec) })
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return devs, nil
}

// batches makes a device's next k pushes of size mutations.
func batches(d *device, k, size int) [][]hqsync.Mutation {
	out := make([][]hqsync.Mutation, k)
	now := time.Now()
	for i := range out {
		out[i] = make([]hqsync.Mutation, size)
		for j := range out[i] {
			d.seq++
			out[i][j] = checkIn(d.Office, d.ID, d.seq, int(d.seq), now)
		}
	}
	return out
}

func (b *bench) ingestPushPull(ctx context.Context) error {
	c := b.cfg
	profile := ""
	if c.Profile != "" {
		os.MkdirAll(c.Profile, 0o755)
		profile, _ = filepath.Abs(filepath.Join(c.Profile, "hq-"+b.backend+"-ingest.pprof"))
	}
	e, err := b.startEnv(ctx, "ingest", profile)
	if err != nil {
		return err
	}
	defer e.close()
	admin := newDevice(e.proc.URL, e.proc.Fingerprint)
	defer admin.close()

	if c.Scenarios["ingest"] {
		if err := b.ingest(ctx, e); err != nil {
			return fmt.Errorf("ingest: %w", err)
		}
	}
	if c.Scenarios["push"] || c.Scenarios["pull"] {
		devs, err := e.office(ctx, 1, 1)
		if err != nil {
			return err
		}
		d := devs[0]
		defer d.close()
		if err := b.pushLatency(ctx, d); err != nil {
			return fmt.Errorf("push: %w", err)
		}
		if c.Scenarios["pull"] {
			if err := b.pullLatency(ctx, d); err != nil {
				return fmt.Errorf("pull: %w", err)
			}
		}
	}
	return nil
}

func (b *bench) ingest(ctx context.Context, e *env) error {
	c := b.cfg
	devs, err := e.offices(ctx, c.Offices, c.Devices, c.Devices)
	if err != nil {
		return err
	}
	defer func() {
		for _, d := range devs {
			d.close()
		}
	}()
	// Every payload is made before the clock starts; the first push of
	// each device (TLS, token, first statements) is not timed.
	work := make([][][]hqsync.Mutation, len(devs))
	for i, d := range devs {
		work[i] = batches(d, c.Batches+1, c.Batch)
	}
	g, gctx := errgroup.WithContext(ctx)
	for i, d := range devs {
		g.Go(func() error { _, err := d.push(gctx, work[i][0]); return err })
	}
	if err := g.Wait(); err != nil {
		return err
	}
	lat := make([][]time.Duration, len(devs))
	results := make([][]hqsync.PushResult, len(devs))
	g, gctx = errgroup.WithContext(ctx)
	pgPID := 0
	if b.backend == hq.Postgres && b.pg != nil && b.cfg.PGDSN == "" {
		pgPID = b.pg.PID()
	}
	cpu0 := e.cpuNow(pgPID)
	start := time.Now()
	for i, d := range devs {
		g.Go(func() error {
			for _, batch := range work[i][1:] {
				t := time.Now()
				res, err := d.push(gctx, batch)
				if err != nil {
					return err
				}
				lat[i] = append(lat[i], time.Since(t))
				results[i] = append(results[i], res.Results...)
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	wall := time.Since(start)
	cpu1 := e.cpuNow(pgPID)
	n := c.Devices * c.Batches * c.Batch
	rate := float64(n) / wall.Seconds()

	// The same rows, as plain multi-row INSERTs in transactions of Batch.
	spec, err := data.DescribeMutation(work[0][1][0].Name, work[0][1][0].Version, work[0][1][0].Payload)
	if err != nil {
		return err
	}
	rows := make([]hq.BaselineRow, 0, n)
	for i, d := range devs {
		k := 0
		for _, batch := range work[i][1:] {
			for _, m := range batch {
				r := results[i][k]
				k++
				rows = append(rows, hq.BaselineRow{Scope: r.Scope, Seq: r.ScopeSeq, Entity: spec.Spec.Entity, RecordID: m.RecordID,
					Name: m.Name, Version: m.Version, Rank: spec.Spec.Rank, Payload: m.Payload, Device: d.ID, Epoch: d.Epoch,
					OriginSeq: m.Seq, Hash: m.Hash, At: m.CreatedAt})
			}
		}
	}
	// Rows interleaved across devices, as the pushes arrived.
	sort.Slice(rows, func(i, j int) bool { return rows[i].Seq < rows[j].Seq })
	bwall, err := e.store.InsertBaseline(ctx, rows, c.Batch, c.Devices)
	if err != nil {
		return err
	}
	brate := float64(n) / bwall.Seconds()
	var all []time.Duration
	for _, l := range lat {
		all = append(all, l...)
	}
	params := fmt.Sprintf("%d devices in %d offices × %d pushes × %d visit.checkin, concurrent, HTTPS loopback", c.Devices, c.Offices, c.Batches, c.Batch)
	b.rep.add(result{Scenario: "ingest", Backend: b.backend, Figure: "HQ ingest", Value: fmt.Sprintf("%.0f mutations/s", rate),
		Target: "≥ 10,000/s", Pass: pass(rate >= 10000), Params: params + fmt.Sprintf(", %d in %s", n, wall.Round(time.Millisecond))})
	b.rep.add(result{Scenario: "ingest", Backend: b.backend, Figure: "raw multi-row INSERT, same rows", Value: fmt.Sprintf("%.0f rows/s", brate),
		Params: fmt.Sprintf("change+record+receipt rows per mutation, %d per transaction, %d writers, same database and driver, %s", c.Batch, c.Devices, bwall.Round(time.Millisecond))})
	b.rep.add(result{Scenario: "ingest", Backend: b.backend, Figure: "HQ ingest ÷ raw insert", Value: fmt.Sprintf("%.2f", rate/brate),
		Target: "≥ 0.3", Pass: pass(rate/brate >= 0.3)})
	b.rep.add(result{Scenario: "ingest", Backend: b.backend, Figure: "CPU per 1,000 mutations: HQ / PostgreSQL / devices", Value: perThousand(cpu0, cpu1, n),
		Params: "process CPU time (user+system) during the ingest, whatever else the machine ran; devices: this tool's simulated devices (JSON, TLS)"})
	b.rep.add(result{Scenario: "ingest", Backend: b.backend, Figure: "push under load p50 / p99", Value: ms(percentile(all, .5)) + " / " + ms(percentile(all, .99)),
		Params: fmt.Sprintf("%d pushes of %d, %d devices at once", len(all), c.Batch, c.Devices)})
	return nil
}

func (b *bench) pushLatency(ctx context.Context, d *device) error {
	c := b.cfg
	work := batches(d, c.Pushes+1, c.Batch)
	if _, err := d.push(ctx, work[0]); err != nil {
		return err
	}
	var lat []time.Duration
	for _, batch := range work[1:] {
		t := time.Now()
		if _, err := d.push(ctx, batch); err != nil {
			return err
		}
		lat = append(lat, time.Since(t))
	}
	if !b.cfg.Scenarios["push"] {
		return nil
	}
	p99 := percentile(lat, .99)
	b.rep.add(result{Scenario: "push", Backend: b.backend, Figure: "push of a batch acknowledged p50 / p99", Value: ms(percentile(lat, .5)) + " / " + ms(p99),
		Target: "p99 ≤ 300 ms", Pass: pass(p99 <= 300*time.Millisecond),
		Params: fmt.Sprintf("%d pushes of %d visit.checkin by one device, one after another, client round trip", c.Pushes, c.Batch)})
	return nil
}

func (b *bench) pullLatency(ctx context.Context, d *device) error {
	c := b.cfg
	cur, err := d.heads(ctx)
	if err != nil {
		return err
	}
	var lat []time.Duration
	for i := 0; i < c.Pulls; i++ {
		t := time.Now()
		res, err := d.pull(ctx, cur, 0)
		if err != nil {
			return err
		}
		lat = append(lat, time.Since(t))
		for sc, p := range res.Scopes {
			if len(p.Changes) > 0 || p.Next != cur[sc] {
				return fmt.Errorf("an empty pull of %s answered %d changes", sc, len(p.Changes))
			}
		}
	}
	p99 := percentile(lat, .99)
	b.rep.add(result{Scenario: "pull", Backend: b.backend, Figure: "empty incremental pull p50 / p99", Value: ms(percentile(lat, .5)) + " / " + ms(p99),
		Target: "≤ 20 ms", Pass: pass(p99 <= 20*time.Millisecond),
		Params: fmt.Sprintf("%d pulls (office + global at head, wait 0), one device, client round trip", c.Pulls)})
	return nil
}

// longPoll: Waiters devices of one office wait in long-poll pulls; another
// device of the office pushes one check-in, Wakes times; each time every
// waiter must receive it.
func (b *bench) longPoll(ctx context.Context) error {
	c := b.cfg
	profile := ""
	if c.Profile != "" {
		os.MkdirAll(c.Profile, 0o755)
		profile, _ = filepath.Abs(filepath.Join(c.Profile, "hq-"+b.backend+"-longpoll.pprof"))
	}
	e, err := b.startEnv(ctx, "longpoll", profile)
	if err != nil {
		return err
	}
	defer e.close()
	devs, err := e.office(ctx, c.Waiters+1, 32)
	if err != nil {
		return err
	}
	defer func() {
		for _, d := range devs {
			d.close()
		}
	}()
	writer, waiters := devs[0], devs[1:]
	type got struct {
		record string
		at     time.Time
	}
	recv := make(chan got, len(waiters)*2)
	lctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	errc := make(chan error, len(waiters))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(64)
	curs := make([]map[string]int64, len(waiters))
	for i, d := range waiters {
		g.Go(func() error {
			cur, err := d.heads(gctx)
			curs[i] = cur
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	for i, d := range waiters {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cur := curs[i]
			for lctx.Err() == nil {
				res, err := d.pull(lctx, cur, hqsync.MaxWaitMS)
				if err != nil {
					if lctx.Err() == nil {
						errc <- err
					}
					return
				}
				at := time.Now()
				for sc, p := range res.Scopes {
					for _, ch := range p.Changes {
						recv <- got{ch.RecordID, at}
					}
					cur[sc] = p.Next
				}
			}
		}()
	}
	waitAll := func() error {
		deadline := time.Now().Add(5 * time.Minute)
		for {
			m, err := writer.metrics(ctx, "anchang_hq_pull_waiting")
			if err != nil {
				return err
			}
			if int(m["anchang_hq_pull_waiting"]) >= len(waiters) {
				return nil
			}
			select {
			case err := <-errc:
				return err
			case <-time.After(100 * time.Millisecond):
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("only %.0f of %d devices waiting after 5 minutes", m["anchang_hq_pull_waiting"], len(waiters))
			}
		}
	}
	if err := waitAll(); err != nil {
		return err
	}
	time.Sleep(time.Second) // settle
	rss, _ := e.proc.rss()
	m, err := writer.metrics(ctx, "go_goroutines", "process_open_fds", "go_memstats_heap_inuse_bytes")
	if err != nil {
		return err
	}
	myRSS, _ := procRSS(os.Getpid())
	params := fmt.Sprintf("%d devices of one office, each its own TLS connection, long-poll wait 30 s", len(waiters))
	b.rep.add(result{Scenario: "longpoll", Backend: b.backend, Figure: "HQ RSS with all waiting", Value: mib(rss), Params: params +
		fmt.Sprintf("; HQ heap in use %s; the devices' process %s", mib(int64(m["go_memstats_heap_inuse_bytes"])), mib(myRSS))})
	b.rep.add(result{Scenario: "longpoll", Backend: b.backend, Figure: "HQ goroutines / open fds", Value: fmt.Sprintf("%.0f / %.0f", m["go_goroutines"], m["process_open_fds"])})

	var p50s, maxes []time.Duration
	for w := 0; w < c.Wakes; w++ {
		batch := batches(writer, 1, 1)[0]
		t0 := time.Now()
		if _, err := writer.push(ctx, batch); err != nil {
			return err
		}
		want := batch[0].RecordID
		var lat []time.Duration
		timeout := time.After(time.Minute)
		for len(lat) < len(waiters) {
			select {
			case g := <-recv:
				if g.record == want {
					lat = append(lat, g.at.Sub(t0))
				}
			case err := <-errc:
				return err
			case <-timeout:
				return fmt.Errorf("wake %d: %d of %d devices got the change within a minute", w, len(lat), len(waiters))
			}
		}
		p50s = append(p50s, percentile(lat, .5))
		maxes = append(maxes, percentile(lat, 1))
		if err := waitAll(); err != nil {
			return err
		}
	}
	cancel()
	for _, d := range waiters {
		d.close()
	}
	wg.Wait()
	b.rep.add(result{Scenario: "longpoll", Backend: b.backend, Figure: "write → all waiting devices: p50 / max", Value: ms(percentile(p50s, .5)) + " / " + ms(percentile(maxes, 1)),
		Params: fmt.Sprintf("%d writes of one check-in, from the push's start until each of %d devices has it (median of p50s / worst)", c.Wakes, len(waiters))})
	return nil
}

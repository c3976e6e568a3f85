// Command anchang-faults is the randomized fault run of sync (docs/sync.md,
// Failure cases): each seeded run drives devices of two offices through
// offline periods, lost and duplicated answers, cut connections, stale
// replays, device kills and HQ restarts, heals the network and checks that
// HQ holds every device's records once and every device holds HQ's view of
// its scopes. It prints one line per failed run and a summary.
//
//	anchang-faults -runs 1000 -seed 1 [-steps 60] [-workers 1] [-v]
//	anchang-faults -postgres ...          HQ on a throwaway PostgreSQL cluster
//	anchang-faults -pg-dsn ADMIN_DSN ...  HQ on an existing PostgreSQL server
//
// With PostgreSQL each run gets a database of its own (camp_<seed>),
// dropped after the run. HQ's "kill" closes its connections and store;
// the PostgreSQL server itself keeps running.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	gosync "sync"
	"sync/atomic"
	"syscall"
	"time"

	"anchang/sync/e2e"
	"anchang/sync/hq/pgtest"
)

func main() {
	runs := flag.Int("runs", 100, "how many seeded runs")
	seed := flag.Uint64("seed", 1, "the first seed; run i uses seed+i")
	steps := flag.Int("steps", 60, "random steps per run before healing")
	workers := flag.Int("workers", 1, "runs at a time")
	verbose := flag.Bool("v", false, "print every run")
	tmp := flag.String("tmp", "", "directory for the runs' files (default: the system's)")
	usePG := flag.Bool("postgres", false, "HQ on PostgreSQL: a throwaway cluster started for the campaign")
	pgDSN := flag.String("pg-dsn", "", "HQ on PostgreSQL: the DSN of an existing server's role that may create databases")
	flag.Parse()
	slog.SetDefault(slog.New(slog.NewTextHandler(io.Discard, nil))) // the stores log skipped changes; the checks say what matters
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var pg *pgtest.Cluster
	switch {
	case *pgDSN != "":
		pg = pgtest.Attach(*pgDSN)
	case *usePG:
		var err error
		if pg, err = pgtest.Start(ctx, pgtest.Options{Settings: []string{"max_connections=300"}}); err != nil {
			fmt.Fprintln(os.Stderr, "postgres:", err)
			os.Exit(2)
		}
		defer pg.Stop()
	}
	start := time.Now()
	var done, failed atomic.Int64
	next := make(chan uint64)
	var wg gosync.WaitGroup
	var out gosync.Mutex
	for w := 0; w < max(1, *workers); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for s := range next {
				dir, err := e2e.TempDir(*tmp, s)
				if err != nil {
					fmt.Fprintln(os.Stderr, err)
					os.Exit(2)
				}
				cfg := e2e.CampaignConfig{Steps: *steps}
				db := fmt.Sprintf("camp_%d", s)
				if pg != nil {
					if cfg.Postgres, err = pg.CreateDatabase(ctx, db); err != nil {
						fmt.Fprintln(os.Stderr, err)
						os.Exit(2)
					}
				}
				st, err := e2e.RunCampaign(ctx, dir, s, cfg)
				os.RemoveAll(dir)
				if pg != nil {
					dctx, cancel := context.WithTimeout(context.Background(), time.Minute)
					if derr := pg.DropDatabase(dctx, db); derr != nil {
						fmt.Fprintln(os.Stderr, derr)
					}
					cancel()
				}
				if ctx.Err() != nil {
					return
				}
				n := done.Add(1)
				out.Lock()
				if err != nil {
					failed.Add(1)
					fmt.Printf("FAIL %s\n  %v\n", st, err)
				} else if *verbose {
					fmt.Printf("ok   %s\n", st)
				}
				if n%100 == 0 {
					fmt.Printf("... %d runs, %d failures, %s\n", n, failed.Load(), time.Since(start).Round(time.Second))
				}
				out.Unlock()
			}
		}()
	}
feed:
	for i := 0; i < *runs; i++ {
		select {
		case next <- *seed + uint64(i):
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	fmt.Printf("runs %d, failures %d, seeds %d..%d, %s\n", done.Load(), failed.Load(), *seed, *seed+uint64(*runs)-1, time.Since(start).Round(time.Second))
	if failed.Load() > 0 {
		os.Exit(1)
	}
}

package e2e

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"anchang/sync/hq/pgtest"
)

// TestFaultCampaign is the short version of cmd/anchang-faults: one seed
// in CI (ANCHANG_FAULT_RUNS sets how many; the long campaign is the
// command's).
func TestFaultCampaign(t *testing.T) {
	t.Parallel()
	runs := 1
	if v, err := strconv.Atoi(os.Getenv("ANCHANG_FAULT_RUNS")); err == nil && v > 0 {
		runs = v
	}
	for seed := uint64(1); seed <= uint64(runs); seed++ {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		st, err := RunCampaign(ctx, t.TempDir(), seed, CampaignConfig{})
		cancel()
		t.Log(st)
		if err != nil {
			t.Errorf("seed %d: %v", seed, err)
		}
	}
}

// TestFaultCampaignPostgres is one seeded run with HQ's store on
// PostgreSQL (`anchang-faults -postgres` runs many).
func TestFaultCampaignPostgres(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	st, err := RunCampaign(ctx, t.TempDir(), 2, CampaignConfig{Postgres: pgtest.DSN(t)})
	t.Log(st)
	if err != nil {
		t.Errorf("seed 2: %v", err)
	}
	if st.HQChanges == 0 {
		t.Error("the run left nothing in HQ's log")
	}
}

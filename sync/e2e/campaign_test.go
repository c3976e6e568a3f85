package e2e

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"
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

// Package e2e is the proof of sync (docs/sync.md, Failure cases): a harness
// that runs HQ on loopback (in this process, or as the real anchang-hq
// process), devices as real stores on disk driven by the real client
// through a fault-injecting transport, and checks that every record is at
// HQ once and every device holds HQ's view of its scopes. The end-to-end
// and fault tests live here; cmd/anchang-faults runs the long randomized
// campaign (RunCampaign).
//
// ANCHANG_E2E_LONG=1 runs the long variants of the fault tests;
// ANCHANG_FAULT_RUNS=N runs N seeds of the campaign test; and
// ANCHANG_E2E_DEFECTS=1 fails the tests that show known defects
// (docs/sync.md, Failure cases) instead of logging them.
package e2e

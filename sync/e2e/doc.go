// Package e2e is the proof of sync (docs/sync.md, Failure cases): a harness
// that runs HQ on loopback (in this process, or as the real anchang-hq
// process), devices as real stores on disk driven by the real client
// through a fault-injecting transport, and checks that every record is at
// HQ once and every device holds HQ's view of its scopes. The end-to-end
// and fault tests live here; cmd/anchang-faults runs the long randomized
// campaign (RunCampaign).
//
// Until the device store's sync API and the client's loop are built
// without the syncstore tag, most of this package needs `-tags syncstore`.
package e2e

package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"anchang/data"
	hqsync "anchang/sync"
)

// The checks can fail: each breaks one invariant on purpose and expects
// the check to name it.
func TestChecksCatchBreakage(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	h := startInProcessHQ(t)
	o := newOffice(t, ctx, h, "SH01", "上海一号案场", 2)
	a, b := o.devices[0], o.devices[1]
	syncAll(t, ctx, a, b)
	scopes, err := AllScopes(ctx, h.Store())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := CheckHQLog(ctx, h.Store(), scopes); err != nil {
		t.Fatalf("clean start: %v", err)
	}

	// A record that is not synced: the writer has it pending, the other
	// device lacks nothing HQ has, but the writer has a visit HQ lacks.
	writeN(t, ctx, a, 1, "unsynced")
	id, _ := a.Store.SyncIdentity(ctx)
	if err := CheckDeviceAtHQ(ctx, h.Store(), a, id.Scopes); err == nil || !strings.Contains(err.Error(), "pending") {
		t.Errorf("pending record: %v", err)
	}
	if err := CheckDeviceView(ctx, h.Store(), a); err == nil || !strings.Contains(err.Error(), "that hq does not have") {
		t.Errorf("record hq lacks: %v", err)
	}
	syncAll(t, ctx, a)
	// b has not pulled it yet.
	if err := CheckDeviceView(ctx, h.Store(), b); err == nil || !strings.Contains(err.Error(), "lacks visit") {
		t.Errorf("record a device lacks: %v", err)
	}
	syncAll(t, ctx, b)

	// The same record pushed again under a new seq by the device that
	// made it (an outbox renumbered after a restored backup, or a client
	// that lost track of it): HQ acknowledges it as a duplicate of the
	// change it holds and does not log it again.
	rows, err := a.Store.AuditOutbox(ctx)
	if err != nil {
		t.Fatal(err)
	}
	last := rows[len(rows)-1]
	again := func(deviceID string) hqsync.PushResult {
		t.Helper()
		dev, err := h.Store().Device(ctx, deviceID)
		if err != nil {
			t.Fatal(err)
		}
		out, err := h.Store().Push(ctx, dev, &hqsync.PushRequest{DeviceID: dev.ID, InstallEpoch: dev.InstallEpoch, Mutations: []hqsync.Mutation{{
			Seq: dev.LastSeq + 1, Name: last.Mutation, Version: last.Version, RecordID: last.RecordID, Payload: last.Payload, Hash: last.Hash, CreatedAt: last.CreatedAt}}},
			data.DescribeMutation, time.Now().UnixMilli())
		if err != nil {
			t.Fatal(err)
		}
		return out.Response.Results[0]
	}
	before, err := CheckHQLog(ctx, h.Store(), scopes)
	if err != nil {
		t.Fatal(err)
	}
	res := again(id.DeviceID)
	n, logErr := CheckHQLog(ctx, h.Store(), scopes)
	if res.Status != hqsync.StatusDuplicate || res.ScopeSeq == 0 || n != before || logErr != nil {
		t.Errorf("the same %s under a new seq: %s at %d, log %d changes (was %d), log check %v; want duplicate of the change hq holds, nothing logged",
			last.Mutation, res.Status, res.ScopeSeq, n, before, logErr)
	}

	// The check can fail: the same record pushed by another device of the
	// office is applied (HQ dedupes a device's own records only), and the
	// log check names it twice.
	idB, _ := b.Store.SyncIdentity(ctx)
	if res := again(idB.DeviceID); res.Status != hqsync.StatusApplied {
		t.Fatalf("the same record from another device: %s %v", res.Status, res.Error)
	}
	if _, err := CheckHQLog(ctx, h.Store(), scopes); err == nil || !strings.Contains(err.Error(), "twice") {
		t.Errorf("a born-once record twice in hq's log: log check %v", err)
	}
}

// Every kind of record a mutation writes can be audited on a device, so the
// view check compares every kind (a new entity needs its table in
// data/sync_audit.go).
func TestEveryEntityAudited(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st, err := data.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for _, s := range data.Mutations() {
		if _, err := st.AuditRecordIDs(ctx, s.Entity); err != nil {
			t.Errorf("%s v%d: %v", s.Name, s.Version, err)
		}
	}
}

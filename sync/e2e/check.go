package e2e

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"anchang/data"
	hqsync "anchang/sync"
	"anchang/sync/hq"
)

// The invariants every test and the campaign check once the network heals
// and every device has synced:
//   - HQ's log has each (origin device, install epoch, origin seq) once, and each record
//     that is born once (not Replace) once;
//   - every record a device committed (its outbox, pushed or not) is at HQ;
//   - every device holds exactly HQ's records of its scopes, of every kind.

// entityOf maps a mutation name to its entity and whether it replaces.
func entityOf() map[string]data.MutationSpec {
	m := map[string]data.MutationSpec{}
	for _, s := range data.Mutations() {
		m[s.Name] = s
	}
	return m
}

// HQLog reads a scope's whole log from HQ's store (from seq 1; it must not
// have been purged).
func HQLog(ctx context.Context, st hq.Store, scope string) ([]hqsync.Change, error) {
	var out []hqsync.Change
	cur := int64(0)
	for {
		pages, err := st.Pull(ctx, map[string]int64{scope: cur}, hqsync.MaxPullLimit)
		if err != nil {
			return nil, fmt.Errorf("hq log %s: %w", scope, err)
		}
		p := pages[scope]
		if p.Resync {
			return nil, fmt.Errorf("hq log %s: purged before %d", scope, cur)
		}
		out = append(out, p.Changes...)
		cur = p.Next
		if !p.More {
			return out, nil
		}
	}
}

// HQRecords reads a scope's current records from HQ's snapshot, by
// entity then record id.
func HQRecords(ctx context.Context, st hq.Store, scope string) (map[string]map[string]hqsync.Change, error) {
	specs := entityOf()
	out := map[string]map[string]hqsync.Change{}
	_, err := st.Snapshot(ctx, scope, func(hqsync.SnapshotHeader) error { return nil }, func(c hqsync.Change) error {
		s, ok := specs[c.Name]
		if !ok {
			return fmt.Errorf("hq snapshot %s: unknown mutation %s", scope, c.Name)
		}
		if out[s.Entity] == nil {
			out[s.Entity] = map[string]hqsync.Change{}
		}
		out[s.Entity][c.RecordID] = c
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("hq snapshot %s: %w", scope, err)
	}
	return out, nil
}

// CheckHQLog checks that no mutation is in HQ's log twice: each (origin
// device, install epoch, origin seq) once, each born-once record once. It returns the
// count of changes.
func CheckHQLog(ctx context.Context, st hq.Store, scopes []string) (int, error) {
	specs := entityOf()
	type origin struct {
		dev        string
		epoch, seq int64
	}
	seen := map[origin]string{}
	born := map[string]string{}
	var errs []error
	n := 0
	for _, scope := range scopes {
		log, err := HQLog(ctx, st, scope)
		if err != nil {
			return 0, err
		}
		n += len(log)
		for _, c := range log {
			if c.OriginDevice != hq.HQOrigin {
				o := origin{c.OriginDevice, c.OriginEpoch, c.OriginSeq}
				if prev, dup := seen[o]; dup {
					errs = append(errs, fmt.Errorf("hq: device %s epoch %d seq %d twice (%s and %s %d)", c.OriginDevice, c.OriginEpoch, c.OriginSeq, prev, scope, c.Seq))
				}
				seen[o] = fmt.Sprintf("%s %d", scope, c.Seq)
			}
			s := specs[c.Name]
			if !s.Replace {
				k := s.Entity + "/" + c.RecordID
				if prev, dup := born[k]; dup {
					errs = append(errs, fmt.Errorf("hq: %s %s twice (%s and %s %d)", s.Entity, c.RecordID, prev, scope, c.Seq))
				}
				born[k] = fmt.Sprintf("%s %d", scope, c.Seq)
			}
		}
	}
	return n, errors.Join(errs...)
}

// CheckDeviceAtHQ checks that every record in the device's outbox (every
// record it committed, pushed or not) is at HQ in one of scopes, and that
// nothing is pending or refused. HQ's log must reach back to the rows.
func CheckDeviceAtHQ(ctx context.Context, st hq.Store, d *Device, scopes []string) error {
	specs := entityOf()
	have := map[string]bool{}
	for _, scope := range scopes {
		recs, err := HQRecords(ctx, st, scope)
		if err != nil {
			return err
		}
		for ent, m := range recs {
			for id := range m {
				have[ent+"/"+id] = true
			}
		}
	}
	rows, err := d.Store.AuditOutbox(ctx)
	if err != nil {
		return err
	}
	var errs []error
	for _, r := range rows {
		if !r.Acked {
			errs = append(errs, fmt.Errorf("%s: outbox seq %d (%s) still pending", d.Name, r.Seq, r.Mutation))
			continue
		}
		if r.AckStatus == data.PushRejected {
			errs = append(errs, fmt.Errorf("%s: outbox seq %d (%s) refused by hq", d.Name, r.Seq, r.Mutation))
			continue
		}
		s := specs[r.Mutation]
		if !have[s.Entity+"/"+r.RecordID] {
			errs = append(errs, fmt.Errorf("%s: %s %s (seq %d) not at hq", d.Name, s.Entity, r.RecordID, r.Seq))
		}
	}
	return errors.Join(errs...)
}

// AuditedEntities are the entities a device's view is compared on: every
// registered entity with a table.
func AuditedEntities(ctx context.Context, st *data.Store) []string {
	var out []string
	for _, s := range data.Mutations() {
		if slices.Contains(out, s.Entity) {
			continue
		}
		if _, err := st.AuditRecordIDs(ctx, s.Entity); err == nil {
			out = append(out, s.Entity)
		}
	}
	sort.Strings(out)
	return out
}

// CheckDeviceView checks that the device holds exactly HQ's records of its
// scopes, kind by kind.
func CheckDeviceView(ctx context.Context, st hq.Store, d *Device) error {
	id, err := d.Store.SyncIdentity(ctx)
	if err != nil {
		return err
	}
	want := map[string]map[string]bool{}
	for _, scope := range id.Scopes {
		recs, err := HQRecords(ctx, st, scope)
		if err != nil {
			return err
		}
		for ent, m := range recs {
			if want[ent] == nil {
				want[ent] = map[string]bool{}
			}
			for rid := range m {
				want[ent][rid] = true
			}
		}
	}
	var errs []error
	for _, ent := range AuditedEntities(ctx, d.Store) {
		ids, err := d.Store.AuditRecordIDs(ctx, ent)
		if err != nil {
			return err
		}
		got := map[string]bool{}
		for _, rid := range ids {
			got[rid] = true
			if ent == "office" && rid == id.OfficeID && id.Role == hqsync.RoleHQ {
				continue // an HQ device's own office is local: HQ's devices are no office's
			}
			if !want[ent][rid] {
				errs = append(errs, fmt.Errorf("%s: has %s %s that hq does not have in %s", d.Name, ent, rid, strings.Join(id.Scopes, ",")))
			}
		}
		for rid := range want[ent] {
			if !got[rid] {
				errs = append(errs, fmt.Errorf("%s: lacks %s %s that hq has", d.Name, ent, rid))
			}
		}
	}
	return errors.Join(errs...)
}

// AllScopes lists every scope HQ has an office for, and global.
func AllScopes(ctx context.Context, st hq.Store) ([]string, error) {
	offs, err := st.Offices(ctx)
	if err != nil {
		return nil, err
	}
	out := []string{hqsync.ScopeGlobal}
	for _, o := range offs {
		if o.ID != hq.HQOfficeID {
			out = append(out, hqsync.OfficeScope(o.ID))
		}
	}
	return out, nil
}

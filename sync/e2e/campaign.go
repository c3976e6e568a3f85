package e2e

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"anchang/data"
)

// The randomized fault run: several devices of two offices, each making
// records while offline for random periods, syncing through a transport
// that drops answers after HQ committed, delivers requests twice, cuts
// answers mid-way, and holds requests to deliver them again later (stale
// and out of order); devices killed right after HQ answered (the round's
// context cancelled there and the store reopened: in-process, what a
// killed program had committed is what its file holds); HQ killed and
// restarted; a device's store copied aside (its backup) and, later, that
// backup restored over it (the device then syncs at once, before it
// writes: a restored desk that opened a ticket offline first could print
// a number it had already printed after the backup). Then the network heals, every device syncs, and Check
// verifies:
//   - HQ's log has no mutation twice and no born-once record twice;
//   - every record any device committed is at HQ, acknowledged, not refused;
//   - every device holds exactly HQ's records of its scopes;
//   - the devices of one office derive the same board.
// HQ runs in this process over loopback HTTPS (real TLS, real SQLite file,
// the real server); devices are real stores on disk with the real client.

// CampaignConfig sizes one run.
type CampaignConfig struct {
	Steps   int // random steps before healing (default 60)
	Offices int // default 2
	Devices int // per office (default 2)
	// Postgres, when set, is the DSN of an empty PostgreSQL database for
	// HQ's store (default: SQLite in the run's directory).
	Postgres string
}

// RunStats says what one run did.
type RunStats struct {
	Seed                                         uint64
	Writes, Rounds, RoundErrors, Kills, Restarts int
	Replayed                                     int
	Backups, Restores                            int // device backups taken and restored
	NewEpochs                                    int // restored devices that started a new install epoch
	Faults                                       map[Fault]int
	HQChanges                                    int
}

func (s RunStats) String() string {
	var f []string
	for k := Pass; k <= Hold; k++ {
		if s.Faults[k] > 0 {
			f = append(f, fmt.Sprintf("%s=%d", k, s.Faults[k]))
		}
	}
	return fmt.Sprintf("seed %d: %d writes, %d rounds (%d failed), %d device kills, %d hq restarts, %d replays, %d device backups restored (of %d; %d new epochs), hq log %d; requests %s",
		s.Seed, s.Writes, s.Rounds, s.RoundErrors, s.Kills, s.Restarts, s.Replayed, s.Restores, s.Backups, s.NewEpochs, s.HQChanges, strings.Join(f, " "))
}

type campDevice struct {
	*Device
	office  int
	offline int    // steps left offline
	backup  string // the directory of its store's backup ("" = none taken)
}

// RunCampaign runs one seeded run in dir (which it fills; the caller
// removes it). The error lists every invariant broken.
func RunCampaign(ctx context.Context, dir string, seed uint64, cfg CampaignConfig) (RunStats, error) {
	if cfg.Steps <= 0 {
		cfg.Steps = 60
	}
	if cfg.Offices <= 0 {
		cfg.Offices = 2
	}
	if cfg.Devices <= 0 {
		cfg.Devices = 2
	}
	st := RunStats{Seed: seed, Faults: map[Fault]int{}}
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	h, err := StartHQOn(filepath.Join(dir, "hq"), nil, cfg.Postgres)
	if err != nil {
		return st, err
	}
	defer h.Kill()
	var devs []*campDevice
	defer func() {
		for _, d := range devs {
			d.Close()
		}
	}()
	for o := 0; o < cfg.Offices; o++ {
		code := fmt.Sprintf("OF%02d", o+1)
		if _, err := h.AddOffice(ctx, code, fmt.Sprintf("案场%d", o+1)); err != nil {
			return st, err
		}
		for i := 0; i < cfg.Devices; i++ {
			d, err := OpenDevice(ctx, filepath.Join(dir, fmt.Sprintf("%s-%d", code, i+1)), fmt.Sprintf("%s-%d", code, i+1), nil)
			if err != nil {
				return st, err
			}
			cd := &campDevice{Device: d, office: o}
			devs = append(devs, cd)
			if i == 0 {
				// The first device worked standalone before it enrolled.
				if err := d.SetUp(ctx, code, fmt.Sprintf("案场%d", o+1)); err != nil {
					return st, err
				}
				if _, err := d.Store.CreateStaff(ctx, d.Actor, data.StaffInput{Name: "李四", Role: data.RoleConsultant}); err != nil {
					return st, fmt.Errorf("staff: %w", err)
				}
				for k := rng.IntN(3); k > 0; k-- {
					if err := randomWrite(ctx, rng, cd); err != nil {
						return st, err
					}
					st.Writes++
				}
			}
			c, err := h.Code(ctx, code, false)
			if err != nil {
				return st, err
			}
			if _, err := d.Enroll(ctx, h.URL, h.Fingerprint, c); err != nil {
				return st, err
			}
			if i == 0 {
				if err := d.SyncUntilQuiet(ctx, 10); err != nil {
					return st, err
				}
			}
		}
	}
	// Every device's store is backed up once it has joined; a later step
	// may restore that backup or take a newer one.
	for _, d := range devs {
		if _, _, err := backupOrRestore(ctx, rng, h, d, dir); err != nil {
			return st, err
		}
		st.Backups++
	}
	faultP := 0.1 + rng.Float64()*0.4
	for step := 0; step < cfg.Steps; step++ {
		d := devs[rng.IntN(len(devs))]
		switch r := rng.IntN(100); {
		case r < 45:
			if err := randomWrite(ctx, rng, d); err != nil {
				return st, fmt.Errorf("step %d: %w", step, err)
			}
			st.Writes++
		case r < 80:
			if !h.Running() {
				if err := h.Start(); err != nil {
					return st, err
				}
			}
			kill := rng.IntN(6) == 0
			hqKill := !kill && rng.IntN(8) == 0
			err := faultyRound(ctx, rng, h, d, faultP, kill, hqKill)
			st.Rounds++
			if hqKill {
				st.Restarts++
			}
			if err != nil {
				st.RoundErrors++
			}
			if kill {
				st.Kills++
				if err := d.Restart(ctx); err != nil {
					return st, err
				}
			}
		case r < 86:
			d.offline = 1 + rng.IntN(10)
		case r < 91:
			// HQ dies (mid-request if a round is in flight elsewhere: not
			// here, rounds run one at a time) and comes back now or later.
			h.Kill()
			st.Restarts++
			if rng.IntN(2) == 0 {
				if err := h.Start(); err != nil {
					return st, err
				}
			}
		case r < 94:
			if h.Running() {
				st.Replayed += len(d.Faults.Replay())
			}
		case r < 96:
			d.Close()
			if err := d.open(ctx); err != nil {
				return st, err
			}
		default:
			restored, renewed, err := backupOrRestore(ctx, rng, h, d, dir)
			if err != nil {
				return st, fmt.Errorf("step %d: %w", step, err)
			}
			if renewed {
				st.NewEpochs++
			}
			if restored {
				st.Restores++
			} else {
				st.Backups++
			}
		}
		for _, d := range devs {
			if d.offline > 0 {
				d.offline--
			}
		}
	}
	// Heal: HQ up, no faults, stale duplicates delivered, everyone syncs
	// until nothing moves, twice round so each sees the others' last pushes.
	if !h.Running() {
		if err := h.Start(); err != nil {
			return st, err
		}
	}
	for _, d := range devs {
		d.Faults.Set(nil)
		st.Replayed += len(d.Faults.Replay())
		for k, v := range d.Faults.Counts {
			st.Faults[k] += v
		}
	}
	for pass := 0; pass < 2; pass++ {
		for _, d := range devs {
			if err := d.SyncUntilQuiet(ctx, 20); err != nil {
				return st, fmt.Errorf("heal: %w", err)
			}
		}
	}
	return st, check(ctx, h, devs, &st)
}

// backupOrRestore copies the device's store aside (closed, as a backup
// tool would) or, when it has a backup and HQ is up, restores that backup
// over it and syncs it at once without faults (the restored desk started
// online): when HQ holds seqs of its epoch it no longer has, it starts a
// new one (renewed).
func backupOrRestore(ctx context.Context, rng *rand.Rand, h *HQ, d *campDevice, dir string) (restored, renewed bool, err error) {
	db := filepath.Join(d.Dir, data.DBFileName)
	restore := d.backup != "" && h.Running() && rng.IntN(3) != 0
	if err := d.Close(); err != nil {
		return false, false, err
	}
	if restore {
		if err := CopyDB(db, filepath.Join(d.backup, data.DBFileName)); err != nil {
			return false, false, err
		}
	} else {
		d.backup = filepath.Join(dir, d.Name+"-backup")
		if err := os.MkdirAll(d.backup, 0o755); err != nil {
			return false, false, err
		}
		if err := CopyDB(filepath.Join(d.backup, data.DBFileName), db); err != nil {
			return false, false, err
		}
	}
	if err := d.open(ctx); err != nil {
		return false, false, err
	}
	if !restore {
		return false, false, nil
	}
	if err := d.PickActor(ctx); err != nil {
		return true, false, err
	}
	before, err := d.Store.SyncIdentity(ctx)
	if err != nil {
		return true, false, err
	}
	if err := d.SyncUntilQuiet(ctx, 10); err != nil {
		return true, false, fmt.Errorf("%s: sync after its backup was restored: %w", d.Name, err)
	}
	after, err := d.Store.SyncIdentity(ctx)
	if err != nil {
		return true, false, err
	}
	return true, after.InstallEpoch != before.InstallEpoch, nil
}

// randomWrite makes one record on the device: a check-in, or an event of a
// visit it sees (assign, hand over, move, check out), or a new source.
func randomWrite(ctx context.Context, rng *rand.Rand, d *campDevice) error {
	day := d.Store.Today()
	b, err := d.Store.Board(ctx, day, data.BoardFilter{})
	if err != nil {
		return err
	}
	var present []data.BoardRow
	for _, r := range b.Rows {
		if r.Status() != data.BoardLeft {
			present = append(present, r)
		}
	}
	r := rng.IntN(100)
	if r < 50 || len(present) == 0 {
		srcs, err := d.Store.Sources(ctx)
		if err != nil || len(srcs) == 0 {
			return fmt.Errorf("%s: sources: %v", d.Name, err)
		}
		phone := campaignPhone(rng.IntN(campaignPhones))
		_, err = d.Store.CheckIn(ctx, d.Actor, data.CheckInInput{Name: "王五", Phone: phone, PartySize: "1",
			Purpose: data.PurposeViewing, SourceID: srcs[rng.IntN(len(srcs))].ID, Consent: true})
		if err != nil {
			return fmt.Errorf("%s: check-in: %w", d.Name, err)
		}
		return nil
	}
	if r < 55 {
		_, err := d.Store.AddSource(ctx, d.Actor, fmt.Sprintf("渠道%d", rng.IntN(1e6)))
		if err != nil && data.ErrorCode(err) != data.ECONFLICT {
			return fmt.Errorf("%s: source: %w", d.Name, err)
		}
		return nil
	}
	if r >= 90 && Registered(data.MutTicketOpen) {
		return randomTicketWrite(ctx, rng, d)
	}
	if r < 62 && Registered(data.MutRotationAction) {
		staff, err := d.Store.ListStaff(ctx, false)
		if err != nil {
			return err
		}
		var cons []string
		for _, s := range staff {
			if s.Role == data.RoleConsultant {
				cons = append(cons, s.ID)
			}
		}
		if len(cons) == 0 {
			return nil
		}
		acts := []string{data.RotJoin, data.RotJoin, data.RotLeave, data.RotBusy, data.RotAvailable, data.RotSkip, data.RotMakeup}
		return allowRefusal(d, "rotation", d.Store.RotationAction(ctx, d.Actor, cons[rng.IntN(len(cons))], acts[rng.IntN(len(acts))]))
	}
	v := present[rng.IntN(len(present))]
	switch {
	case r < 75:
		if !Registered(data.MutRotationAction) {
			return nil // an assignment also moves the rotation, which must sync too
		}
		staff, err := d.Store.ListStaff(ctx, false)
		if err != nil {
			return err
		}
		var cons []string
		for _, s := range staff {
			if s.Role == data.RoleConsultant {
				cons = append(cons, s.ID)
			}
		}
		if len(cons) == 0 {
			return nil
		}
		err = d.Store.Assign(ctx, d.Actor, v.VisitID, cons[rng.IntN(len(cons))])
		return allowRefusal(d, "assign", err)
	case r < 85:
		return allowRefusal(d, "move", d.Store.MoveArea(ctx, d.Actor, v.VisitID, data.AreaNegotiation))
	default:
		return allowRefusal(d, "check-out", d.Store.CheckOut(ctx, d.Actor, v.VisitID))
	}
}

// randomTicketWrite opens a ticket or adds an event to one the device sees
// (two devices may act on one ticket while offline: HQ's order decides
// which event counts).
func randomTicketWrite(ctx context.Context, rng *rand.Rand, d *campDevice) error {
	rows, err := d.Store.TicketList(ctx, data.TicketFilter{OpenOnly: true})
	if err != nil {
		return err
	}
	if len(rows) == 0 || rng.IntN(3) == 0 {
		_, err := OpenTicket(ctx, d.Device, fmt.Sprintf("137%08d", rng.IntN(1000)), "样板间漏水")
		return allowRefusal(d, "ticket", err)
	}
	t := rows[rng.IntN(len(rows))]
	ev := data.TicketEvent{Kind: []string{data.EvAcknowledged, data.EvResponded, data.EvResolved, data.EvNote}[rng.IntN(4)], Note: "处理中"}
	_, err = d.Store.AddTicketEvent(ctx, d.Actor, t.ID, ev)
	return allowRefusal(d, "ticket event", err)
}

// allowRefusal lets the store refuse an action its state does not allow
// (the desk would show the message); anything else is a failure.
func allowRefusal(d *campDevice, what string, err error) error {
	if err == nil {
		return nil
	}
	if _, ok := data.AsError(err); ok && data.ErrorCode(err) != data.EINTERNAL {
		return nil
	}
	return fmt.Errorf("%s: %s: %w", d.Name, what, err)
}

// faultyRound runs one sync round with each request faulted with
// probability p (all of them while the device is offline); kill cancels the
// round right after HQ answered a random request, as a killed program.
//
// hqKill kills HQ while one of the round's requests is in flight (its body
// sent, HQ not yet answered).
func faultyRound(ctx context.Context, rng *rand.Rand, h *HQ, d *campDevice, p float64, kill, hqKill bool) error {
	rctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	offline := d.offline > 0
	killAt := rng.IntN(4)
	n := 0
	seed := rng.Uint64()
	frng := rand.New(rand.NewPCG(seed, seed+1))
	d.Faults.Set(func(r *http.Request) Fault {
		if offline {
			return Offline
		}
		if frng.Float64() >= p {
			return Pass
		}
		return []Fault{Offline, DropAnswer, Duplicate, CutAnswer, Hold}[frng.IntN(5)]
	})
	if kill {
		d.Faults.AfterForward = func(r *http.Request, status int) {
			if n == killAt {
				cancel()
			}
			n++
		}
	} else {
		d.Faults.AfterForward = nil
	}
	killed := make(chan struct{})
	var fired, over atomic.Bool
	if hqKill {
		at := int64(rng.IntN(3))
		var sent atomic.Int64
		d.Faults.OnSent = func(r *http.Request) {
			if sent.Add(1)-1 == at && !over.Load() && fired.CompareAndSwap(false, true) {
				go func() {
					h.Kill()
					close(killed)
				}()
			}
		}
	}
	_, err := d.Round(rctx)
	over.Store(true)
	if fired.Load() {
		<-killed // HQ is down now; the next round or the healing starts it
	}
	d.Faults.OnSent = nil
	d.Faults.AfterForward = nil
	d.Faults.Set(nil)
	return err
}

// check verifies the invariants after healing.
func check(ctx context.Context, h *HQ, devs []*campDevice, st *RunStats) error {
	scopes, err := AllScopes(ctx, h.Store())
	if err != nil {
		return err
	}
	var errs []error
	n, err := CheckHQLog(ctx, h.Store(), scopes)
	st.HQChanges = n
	if err != nil {
		errs = append(errs, err)
	}
	boards, rots, tickets, customers := map[int]string{}, map[int]string{}, map[int]string{}, map[int]string{}
	for _, d := range devs {
		id, err := d.Store.SyncIdentity(ctx)
		if err != nil {
			return err
		}
		if err := CheckDeviceAtHQ(ctx, h.Store(), d.Device, id.Scopes); err != nil {
			errs = append(errs, err)
		}
		if err := CheckDeviceView(ctx, h.Store(), d.Device); err != nil {
			errs = append(errs, err)
		}
		b, err := BoardState(ctx, d.Store)
		if err != nil {
			return err
		}
		if prev, ok := boards[d.office]; ok && prev != b {
			errs = append(errs, fmt.Errorf("%s: board differs from its office's first device:\n%s\nvs\n%s", d.Name, b, prev))
		} else {
			boards[d.office] = b
		}
		cs, err := CustomerState(ctx, d.Store)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", d.Name, err))
		} else if prev, ok := customers[d.office]; ok && prev != cs {
			errs = append(errs, fmt.Errorf("%s: customers differ from its office's first device:\n%s\nvs\n%s", d.Name, cs, prev))
		} else {
			customers[d.office] = cs
		}
		q, err := RotationState(ctx, d.Store)
		if err != nil {
			return err
		}
		if prev, ok := rots[d.office]; ok && prev != q {
			errs = append(errs, fmt.Errorf("%s: rotation differs from its office's first device:\n%s\nvs\n%s", d.Name, q, prev))
		} else {
			rots[d.office] = q
		}
		tk, err := TicketState(ctx, d.Store)
		if err != nil {
			return err
		}
		if prev, ok := tickets[d.office]; ok && prev != tk {
			errs = append(errs, fmt.Errorf("%s: tickets differ from its office's first device:\n%s\nvs\n%s", d.Name, tk, prev))
		} else {
			tickets[d.office] = tk
		}
		if err := UniqueTicketNumbers(ctx, d.Store); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", d.Name, err))
		}
	}
	return errors.Join(errs...)
}

// BoardState is the derived state of a device's board today, as text:
// one line per visit with its status, consultant and area, in visit order.
func BoardState(ctx context.Context, st *data.Store) (string, error) {
	b, err := st.Board(ctx, st.Today(), data.BoardFilter{})
	if err != nil {
		return "", err
	}
	lines := make([]string, 0, len(b.Rows))
	for _, r := range b.Rows {
		lines = append(lines, fmt.Sprintf("%s %s %s %s %s first=%v", r.VisitID, r.Status(), r.ConsultantID, r.Area, r.Kind, r.Kind == "first"))
	}
	slices.Sort(lines)
	return strings.Join(lines, "\n"), nil
}

// CustomerState is who the campaign's visitors are on a device, as text:
// for every phone of the campaign's pool that the device knows, the
// customer a lookup finds (its visitor id, visits and consultant). It
// fails when one phone's visits are split between visitors: two devices
// that checked one phone in while offline hold one customer once synced
// (docs/sync.md, Merge rules).
func CustomerState(ctx context.Context, st *data.Store) (string, error) {
	split, err := st.AuditSplitCustomers(ctx)
	if err != nil {
		return "", err
	}
	if len(split) > 0 {
		return "", fmt.Errorf("visits of one phone split between visitors: %v", split)
	}
	var lines []string
	for i := 0; i < campaignPhones; i++ {
		c, ok, err := st.LookupPhone(ctx, campaignPhone(i))
		if err != nil {
			return "", err
		}
		if ok {
			lines = append(lines, fmt.Sprintf("%d %s visits=%d consultant=%s", i, c.VisitorID, c.Visits, c.ConsultantID))
		}
	}
	return strings.Join(lines, "\n"), nil
}

// The campaign's visitors come from a pool of phones, so devices offline
// at once check some of the same phones in.
const campaignPhones = 8

func campaignPhone(i int) string { return fmt.Sprintf("139%08d", i) }

// RotationState is a device's rotation queue today, as text.
func RotationState(ctx context.Context, st *data.Store) (string, error) {
	q, err := st.Rotation(ctx, st.Today())
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%+v", q), nil
}

// TicketState is the derived state of every ticket on a device, as text:
// number, state, owner, escalation and validity, by ticket id.
func TicketState(ctx context.Context, st *data.Store) (string, error) {
	rows, err := st.TicketList(ctx, data.TicketFilter{Limit: 100000})
	if err != nil {
		return "", err
	}
	lines := make([]string, 0, len(rows))
	for _, r := range rows {
		lines = append(lines, fmt.Sprintf("%s %s %s owner=%s esc=%d valid=%v", r.ID, r.Number, r.State, r.OwnerID, r.Escalation, r.Valid))
	}
	slices.Sort(lines)
	return strings.Join(lines, "\n"), nil
}

// UniqueTicketNumbers checks that no two tickets on the device share a
// number.
func UniqueTicketNumbers(ctx context.Context, st *data.Store) error {
	rows, err := st.TicketList(ctx, data.TicketFilter{Limit: 100000})
	if err != nil {
		return err
	}
	seen := map[string]string{}
	var errs []error
	for _, r := range rows {
		if prev, dup := seen[r.Number]; dup && prev != r.ID {
			errs = append(errs, fmt.Errorf("ticket number %s on %s and %s", r.Number, prev, r.ID))
		}
		seen[r.Number] = r.ID
	}
	return errors.Join(errs...)
}

// OpenTicket opens a complaint at the device.
func OpenTicket(ctx context.Context, d *Device, phone, what string) (data.Ticket, error) {
	return d.Store.OpenTicket(ctx, d.Actor, data.TicketInput{Kind: data.TicketComplaint, Category: data.TicketCategories[0],
		Severity: data.Severities[2], Description: what, CustomerName: "赵六", Phone: phone, Unit: "3-1201"})
}

// TempDir makes a directory for one run.
func TempDir(parent string, seed uint64) (string, error) {
	return os.MkdirTemp(parent, fmt.Sprintf("faults-%d-", seed))
}

// Registered says whether a mutation has a registered payload (a write
// whose mutation is not registered yet cannot sync).
func Registered(name string) bool {
	for _, s := range data.Mutations() {
		if s.Name == name {
			return true
		}
	}
	return false
}

package e2e

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"anchang/data"
	hqsync "anchang/sync"
)

// Device is one desk PC: a real data.Store on disk, synced by the real
// hqsync client through a fault-injecting transport.
type Device struct {
	Name   string
	Dir    string
	Store  *data.Store
	Faults *Faults
	Loop   *hqsync.Loop
	// Now is the device's clock (the store's and the client's).
	Now    func() time.Time
	Logger *slog.Logger
	// Actor is the staff member who makes the device's records.
	Actor string
}

// OpenDevice opens (creating) a device's store in dir.
func OpenDevice(ctx context.Context, dir, name string, now func() time.Time) (*Device, error) {
	if now == nil {
		now = time.Now
	}
	d := &Device{Name: name, Dir: dir, Faults: &Faults{}, Now: now, Logger: slog.New(slog.DiscardHandler)}
	if err := d.open(ctx); err != nil {
		return nil, err
	}
	return d, nil
}

func (d *Device) open(ctx context.Context) error {
	st, err := data.Open(ctx, d.Dir)
	if err != nil {
		return fmt.Errorf("device %s: %w", d.Name, err)
	}
	st.Now = d.Now
	d.Store = st
	d.Loop = hqsync.NewLoop(st, d.Options())
	return nil
}

// Options are the client's options: the device's clock, its fault
// transport, short waits.
func (d *Device) Options() hqsync.Options {
	return hqsync.Options{Logger: d.Logger, Now: d.Now, WrapTransport: d.Faults.Wrap,
		MinBackoff: 10 * time.Millisecond, MaxBackoff: 50 * time.Millisecond,
		PollWait: 200 * time.Millisecond, OutboxPoll: 50 * time.Millisecond}
}

// Close closes the store.
func (d *Device) Close() error {
	if d.Store == nil {
		return nil
	}
	err := d.Store.Close()
	d.Store, d.Loop = nil, nil
	return err
}

// Restart closes the store and opens it again with a new client, as a
// restarted program would (in-process: what a killed process had committed
// is what the file holds, since every write commits with synchronous=FULL).
func (d *Device) Restart(ctx context.Context) error {
	if err := d.Close(); err != nil {
		return err
	}
	return d.open(ctx)
}

// SetUp makes the device a standalone office with an admin, who becomes
// the Actor.
func (d *Device) SetUp(ctx context.Context, officeCode, officeName string) error {
	admin, err := d.Store.Setup(ctx, data.SetupInput{OfficeName: officeName, OfficeCode: officeCode, DeviceName: d.Name, AdminName: "管理员", AdminPIN: "258014"})
	if err != nil {
		return fmt.Errorf("device %s: setup: %w", d.Name, err)
	}
	d.Actor = admin.ID
	return nil
}

// Enroll joins the device to HQ with a code, and picks an Actor among the
// staff it received when it has none.
func (d *Device) Enroll(ctx context.Context, url, fingerprint, code string) (hqsync.EnrollResult, error) {
	res, err := hqsync.Enroll(ctx, d.Store, hqsync.EnrollInput{HQURL: url, Fingerprint: fingerprint, Code: code, DeviceName: d.Name}, d.Options())
	if err != nil {
		return res, fmt.Errorf("device %s: enroll: %w", d.Name, err)
	}
	if d.Actor == "" {
		d.PickActor(ctx)
	}
	return res, nil
}

// Round is one push and pull (`anchang sync`).
func (d *Device) Round(ctx context.Context) (hqsync.Report, error) {
	return d.Loop.Round(ctx)
}

// SyncUntilQuiet runs rounds until one pushes and pulls nothing (at most n).
func (d *Device) SyncUntilQuiet(ctx context.Context, n int) error {
	var last error
	for i := 0; i < n; i++ {
		rep, err := d.Round(ctx)
		if err != nil {
			last = err
			wait := 50 * time.Millisecond
			if data.ErrorCode(err) == hqsync.CodeRateLimited {
				wait = time.Second // HQ's per-device limit: 20/s, bursts of 60
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(wait):
			}
			continue
		}
		moved := rep.Pushed
		for _, p := range rep.Pulled {
			moved += p
		}
		for _, l := range rep.Loaded {
			moved += int(l)
		}
		if moved == 0 {
			return nil
		}
		last = nil
	}
	if last != nil {
		return fmt.Errorf("device %s: sync: %w", d.Name, last)
	}
	return fmt.Errorf("device %s: still moving after %d rounds", d.Name, n)
}

// PickActor makes the first staff member who may check visitors in the
// Actor.
func (d *Device) PickActor(ctx context.Context) error {
	staff, err := d.Store.ListStaff(ctx, false)
	if err != nil {
		return err
	}
	for _, s := range staff {
		if s.Role.CanCheckIn() {
			d.Actor = s.ID
			return nil
		}
	}
	return fmt.Errorf("device %s: no staff who may check in", d.Name)
}

// CheckIn checks a visitor in with this phone at the device.
func (d *Device) CheckIn(ctx context.Context, phone, note string) (data.Visit, error) {
	srcs, err := d.Store.Sources(ctx)
	if err != nil {
		return data.Visit{}, err
	}
	if len(srcs) == 0 {
		return data.Visit{}, fmt.Errorf("device %s: no sources", d.Name)
	}
	return d.Store.CheckIn(ctx, d.Actor, data.CheckInInput{Name: "张三", Phone: phone, PartySize: "2",
		Purpose: data.PurposeViewing, SourceID: srcs[len(phone)%len(srcs)].ID, Consent: true, Notes: note})
}

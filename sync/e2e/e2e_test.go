//go:build syncstore

package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	gosync "sync"
	"testing"
	"time"

	"anchang/data"
	"anchang/sync/hq"
)

// office is a test office: its HQ record and its devices.
type office struct {
	hq      hq.Office
	devices []*Device
}

// newOffice creates the office at HQ; its first device was a standalone
// office that enrolls with its history, the others join fresh.
func newOffice(t *testing.T, ctx context.Context, h Server, code, name string, n int) *office {
	t.Helper()
	url, fp := h.Endpoint()
	return newOfficeVia(t, ctx, h, url, fp, code, name, n)
}

// newOfficeVia is newOffice with the devices talking to HQ at url.
func newOfficeVia(t *testing.T, ctx context.Context, h Server, url, fp, code, name string, n int) *office {
	t.Helper()
	off, err := h.AddOffice(ctx, code, name)
	if err != nil {
		t.Fatal(err)
	}
	o := &office{hq: off}
	for i := 0; i < n; i++ {
		d, err := OpenDevice(ctx, filepath.Join(t.TempDir(), "dev"), fmt.Sprintf("%s-%d", code, i+1), nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { d.Close() })
		if i == 0 {
			if err := d.SetUp(ctx, code, name); err != nil {
				t.Fatal(err)
			}
			checkIn(t, ctx, d, "standalone")
		}
		c, err := h.Code(ctx, code, false)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := d.Enroll(ctx, url, fp, c); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			if err := d.SyncUntilQuiet(ctx, 5); err != nil {
				t.Fatal(err)
			}
		}
		o.devices = append(o.devices, d)
	}
	return o
}

var phoneSeq int

func checkIn(t *testing.T, ctx context.Context, d *Device, note string) data.Visit {
	t.Helper()
	phoneSeq++
	srcs, err := d.Store.Sources(ctx)
	if err != nil || len(srcs) == 0 {
		t.Fatalf("%s: sources: %v (%d)", d.Name, err, len(srcs))
	}
	v, err := d.Store.CheckIn(ctx, d.Actor, data.CheckInInput{Name: "张三", Phone: fmt.Sprintf("1380013%04d", phoneSeq), PartySize: "2",
		Purpose: data.PurposeViewing, SourceID: srcs[phoneSeq%len(srcs)].ID, Consent: true, Notes: note})
	if err != nil {
		t.Fatalf("%s: check-in: %v", d.Name, err)
	}
	return v
}

// startHQ starts HQ as the real anchang-hq process (built once per test
// binary) with its data in a temporary directory; it is killed when the
// test ends.
func startHQ(t *testing.T) *Proc {
	t.Helper()
	hqBuild.Do(func() {
		dir, err := os.MkdirTemp("", "anchang-hq-bin-")
		if err != nil {
			hqBuildErr = err
			return
		}
		hqBinDir = dir
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		hqBin, hqBuildErr = BuildHQ(ctx, dir)
	})
	if hqBuildErr != nil {
		t.Fatal(hqBuildErr)
	}
	p, err := StartProc(hqBin, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Kill)
	return p
}

var (
	hqBuild    gosync.Once
	hqBin      string
	hqBinDir   string
	hqBuildErr error
)

// startInProcessHQ starts HQ in this process (for a test that needs a
// configuration the binary has no flag for).
func startInProcessHQ(t *testing.T) *HQ {
	t.Helper()
	h, err := StartHQ(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(h.Kill)
	return h
}

func TestTwoOfficesConverge(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	h := startHQ(t)
	a := newOffice(t, ctx, h, "SH01", "上海一号案场", 2)
	b := newOffice(t, ctx, h, "BJ01", "北京一号案场", 2)
	for _, o := range []*office{a, b} {
		for _, d := range o.devices {
			for i := 0; i < 3; i++ {
				checkIn(t, ctx, d, "offline")
			}
		}
	}
	all := append(append([]*Device{}, a.devices...), b.devices...)
	for round := 0; round < 2; round++ {
		for _, d := range all {
			if err := d.SyncUntilQuiet(ctx, 5); err != nil {
				t.Fatal(err)
			}
		}
	}
	scopes, err := AllScopes(ctx, h.Store())
	if err != nil {
		t.Fatal(err)
	}
	n, err := CheckHQLog(ctx, h.Store(), scopes)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("hq log: %d changes", n)
	for _, d := range all {
		id, _ := d.Store.SyncIdentity(ctx)
		if err := CheckDeviceAtHQ(ctx, h.Store(), d, id.Scopes); err != nil {
			t.Error(err)
		}
		if err := CheckDeviceView(ctx, h.Store(), d); err != nil {
			t.Error(err)
		}
	}
}

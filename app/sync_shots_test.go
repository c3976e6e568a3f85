//go:build shots

package app

import (
	"context"
	"image/png"
	"os"
	"path/filepath"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"anchang/data"
	hqsync "anchang/sync"
)

// The sync screens' screenshots for docs/sync.md and docs/guide.md, drawn
// by Fyne's software painter at 1024×768 over fakes of HQ:
//
//	go test -tags shots ./app -run TestSyncShots

// capture saves what the window shows as docs/screenshots/sync-NAME-LANG-1024x768.png.
func (h *harness) capture(name string) {
	h.t.Helper()
	// The GL driver re-lays out a container whose content's size changed
	// on its next frame; the test canvas waits for a refresh.
	h.win.Content().Refresh()
	for _, o := range h.win.Canvas().Overlays().List() {
		o.Refresh()
	}
	img := h.win.Canvas().Capture()
	p := filepath.Join("..", "docs", "screenshots", "sync-"+name+"-"+Language()+"-1024x768.png")
	f, err := os.Create(p)
	if err != nil {
		h.t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, img); err != nil {
		h.t.Fatal(err)
	}
}

func TestSyncShots(t *testing.T) {
	for _, lang := range []string{"zh", "en"} {
		t.Run(lang, func(t *testing.T) { syncShots(t, lang) })
	}
}

func syncShots(t *testing.T, lang string) {
	// First run: join an office at HQ.
	h := newHarness(t, false)
	if err := h.store.SetSetting(context.Background(), settingLanguage, lang); err != nil {
		t.Fatal(err)
	}
	hq := &fakeHQ{fp: testFP}
	ss := &fakeSync{}
	h.withHQ(hq, ss)
	h.capture("setup")
	f := h.fillJoin("hq.example.com:8443", "K7QF-93XM-2TPA", map[string]string{"zh": "前台二号机", "en": "Desk 2"}[lang])
	h.capture("join")
	hq.probe = context.DeadlineExceeded
	test.Tap(f.connect)
	h.capture("join-unreachable")
	hq.probe = nil
	test.Tap(f.connect)
	h.capture("fingerprint")
	hq.enroll = func(ctx context.Context, in hqsync.EnrollInput) error {
		in.Progress(hqsync.Progress{Scope: "office:0191", Done: 1830, Total: 4210})
		h.capture("progress")
		admin, err := h.store.Setup(ctx, data.SetupInput{OfficeName: "上海一号案场", OfficeCode: "SH01", DeviceName: in.DeviceName, AdminName: "周敏", AdminPIN: adminPIN})
		if err != nil {
			return err
		}
		for _, p := range []data.StaffInput{{Name: "李静", Role: data.RoleReceptionist, PIN: "1357"}, {Name: "刘主管", Role: data.RoleSupervisor, PIN: "1357"}} {
			if _, err := h.store.CreateStaff(ctx, admin.ID, p); err != nil {
				return err
			}
		}
		ss.id = SyncIdentity{Enrolled: true, URL: in.HQURL, Tag: "B", Role: "office", Scopes: []string{"office:0191", "global"}}
		return nil
	}
	test.Tap(f.matches)
	h.capture("signin")

	// The desk of an enrolled office: the indicator in each state.
	ss.rejections = []Rejection{
		{Name: "visit.checkin", RecordID: "0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b", Code: "forbidden", Key: "err.sync.other_office", At: h.clk.Now().Add(-50 * time.Minute)},
		{Name: "faq.save", RecordID: "0193a1b2-c3d4-7e5f-8a9b-00000000beef", Code: "forbidden", Key: "err.sync.hq_owned", At: h.clk.Now().Add(-20 * time.Minute)},
	}
	h.signInAs("周敏")
	loop := hq.loop
	now := h.clk.Now()
	for _, c := range []struct {
		name string
		st   hqsync.Status
	}{
		{"bar-online", hqsync.Status{State: hqsync.StateOnline, LastSuccess: now.Add(-3 * time.Minute)}},
		{"bar-syncing", hqsync.Status{State: hqsync.StateSyncing, LastSuccess: now.Add(-3 * time.Minute), Pending: 12}},
		{"bar-offline", hqsync.Status{State: hqsync.StateOffline, LastSuccess: now.Add(-2 * time.Hour), Pending: 37, Rejections: 2, ErrKey: "err.sync.unreachable"}},
		{"bar-update", hqsync.Status{State: hqsync.StateUpdateRequired, LastSuccess: now.Add(-26 * time.Hour), Pending: 5, ErrKey: "err.sync.update_required"}},
		{"bar-revoked", hqsync.Status{State: hqsync.StateRevoked, LastSuccess: now.Add(-5 * time.Hour), ErrKey: "err.sync.revoked"}},
	} {
		loop.set(c.st)
		h.u.shell.tick()
		h.capture(c.name)
	}
	loop.set(hqsync.Status{State: hqsync.StateOffline, LastSuccess: now.Add(-2 * time.Hour), Pending: 37, Rejections: 2, ErrKey: "err.sync.unreachable"})
	h.u.shell.tick()
	test.Tap(h.u.shell.syncBar.refused)
	h.capture("panel")
	h.u.shell.syncBar.panel.modal.Hide()

	loop.set(hqsync.Status{State: hqsync.StateOnline, LastSuccess: now.Add(-3 * time.Minute)})
	h.selectTab(T("tab.settings"))
	h.capture("settings")
	test.Tap(findButton(t, h, T("sync.settings.leave")))
	h.capture("leave")
	test.Tap(findButton(t, h, T("sync.settings.leave.do")))

	// A standalone office with history enrols from Settings.
	h.capture("settings-standalone")
	test.Tap(findButton(t, h, T("sync.settings.enrol")))
	sf := h.u.shell.settings.hq.form
	sf.url.SetText("hq.example.com:8443")
	sf.code.SetText("P4RT-X2QM-8HDA")
	h.capture("enrol")
	test.Tap(sf.connect)
	h.capture("enrol-fingerprint")
}

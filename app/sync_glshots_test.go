//go:build glshots

package app

// The sync screens' screenshots for docs/sync.md and docs/guide.md, drawn by
// the real GL driver on a virtual display over fakes of HQ and the loop (the
// first-run join screens in docs/ come from the real client against a real
// anchang-hq; see docs/screenshots-sync.sh):
//
//	Xvfb :77 -screen 0 1024x768x24 &
//	go test -c -tags glshots -o /tmp/glshots ./app
//	(cd app && DISPLAY=:77 ANCHANG_SYNC_SHOTS=zh /tmp/glshots)

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"time"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/test"

	"anchang/data"
	hqsync "anchang/sync"
)

func init() { glShots = takeGLShots }

func takeGLShots(lang string) int {
	ctx := context.Background()
	store, done, err := shotStore(ctx, "glshots")
	if err != nil {
		fmt.Println(err)
		return 1
	}
	defer done()
	if err := store.SetSetting(ctx, settingLanguage, lang); err != nil {
		fmt.Println(err)
		return 1
	}
	fa := fyneapp.NewWithID("com.anchang.glshots")
	win := fa.NewWindow("案场前台")
	win.Resize(fyne.NewSize(1024, 768))
	now := time.Date(2026, 10, 20, 10, 0, 0, 0, officeZone) // before the calendar warning of November
	loop := &fakeLoop{}
	ss := &fakeSync{Store: store}
	hq := &fakeHQ{fp: "4fff4a500bacdfc11b1c3bb15ef6c3c0a9fe21ca4d8d29008f31457185725001", loop: loop}
	release := make(chan struct{})
	hq.enroll = func(ctx context.Context, in hqsync.EnrollInput) error {
		in.Progress(hqsync.Progress{Scope: "office:0191", Done: 1830, Total: 4210})
		<-release
		admin, err := store.Setup(ctx, data.SetupInput{OfficeName: "上海一号案场", OfficeCode: "SH01", DeviceName: in.DeviceName, AdminName: "周敏", AdminPIN: adminPIN})
		if err != nil {
			return err
		}
		for _, p := range []data.StaffInput{{Name: "李静", Role: data.RoleReceptionist, PIN: "135792"}, {Name: "刘主管", Role: data.RoleSupervisor, PIN: "135792"}} {
			if _, err := store.CreateStaff(ctx, admin.ID, p); err != nil {
				return err
			}
		}
		ss.mu.Lock()
		ss.id = data.SyncIdentity{Enrolled: true, HQURL: in.HQURL, Tag: "B", Role: "office", Scopes: []string{"office:0191", "global"}}
		ss.rejections = []data.Rejection{
			{Mutation: "visit.checkin", RecordID: "0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b", Code: "forbidden", Key: "err.sync.other_office", At: now.Add(-50 * time.Minute)},
			{Mutation: "faq.save", RecordID: "0193a1b2-c3d4-7e5f-8a9b-00000000beef", Code: "forbidden", Key: "err.sync.hq_owned", At: now.Add(-20 * time.Minute)},
		}
		ss.mu.Unlock()
		return nil
	}
	store.Now = func() time.Time { return now }
	u := New(fa, win, ss, Options{HQ: hq.hq()})
	failed := 0
	shot := func(name string) {
		time.Sleep(700 * time.Millisecond)
		p := filepath.Join("..", "docs", "screenshots", "sync-"+name+"-"+lang+"-1024x768.png")
		if out, err := exec.Command("import", "-window", "root", p).CombinedOutput(); err != nil {
			fmt.Println(p, err, string(out))
			failed++
		}
		fmt.Println(p)
	}
	on := func(f func()) { fyne.DoAndWait(f) }
	go func() {
		defer fyne.Do(fa.Quit)
		time.Sleep(2 * time.Second)
		on(func() { test.Tap(u.setup.join) })
		f := u.join.form
		on(func() {
			f.url.SetText("hq.example.com:8443")
			f.code.SetText("K7QF-93XM-2TPA")
			f.name.SetText(map[string]string{"zh": "前台二号机", "en": "Desk 2"}[lang])
			test.Tap(f.connect)
		})
		on(func() { test.Tap(f.matches) })
		shot("progress")
		close(release)
		time.Sleep(time.Second)
		shot("signin")

		var admin data.Staff
		staff, _ := store.ListStaff(ctx, false)
		for _, st := range staff {
			if st.Role == data.RoleAdmin {
				admin = st
			}
		}
		on(func() { u.signedIn(admin) })
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
			on(u.shell.tick)
			shot(c.name)
		}
		loop.set(hqsync.Status{State: hqsync.StateOffline, LastSuccess: now.Add(-2 * time.Hour), Pending: 37, Rejections: 2, ErrKey: "err.sync.unreachable"})
		on(func() { u.shell.tick(); test.Tap(u.shell.syncBar.refused) })
		shot("panel")
		on(func() {
			if p := u.shell.syncBar.panel; p != nil {
				p.modal.Hide()
			}
		})

		// What HQ publishes, not offered on the enrolled office.
		loop.set(hqsync.Status{State: hqsync.StateOnline, LastSuccess: now.Add(-3 * time.Minute)})
		on(func() {
			for _, it := range u.shell.tabs.Items {
				if it.Title == T("tab.faq") {
					u.shell.tabs.Select(it)
				}
			}
		})
		if a := u.shell.faqAdmin; a != nil {
			on(func() { a.pages.Select(a.manage); a.editor.newEntry("") })
			shot("byhq-faq")
			on(func() { a.pages.Select(a.config) })
			shot("byhq-config")
		}
		on(func() { u.showSLAPolicy() })
		shot("byhq-sla")
		on(func() { u.win.Canvas().Overlays().Top().Hide() })
		on(func() { u.showHolidays() })
		shot("byhq-holidays")
		on(func() { u.win.Canvas().Overlays().Top().Hide() })

		on(func() { u.shell.tabs.SelectIndex(len(u.shell.tabs.Items) - 1) })
		shot("settings")
		on(func() { test.Tap(u.shell.settings.hq.leave) })
		shot("leave")
		on(func() {
			u.win.Canvas().Overlays().Top().Hide()
			u.shell.settings.hq.doLeave()
		})
		ss.mu.Lock()
		ss.id.HasHistory = true
		ss.mu.Unlock()
		shot("settings-standalone")
		on(func() { test.Tap(u.shell.settings.hq.enrol) })
		sf := u.shell.settings.hq.form
		on(func() {
			sf.url.SetText("hq.example.com:8443")
			sf.code.SetText("P4RT-X2QM-8HDA")
		})
		shot("enrol")
		on(func() { test.Tap(sf.connect) })
		shot("enrol-fingerprint")
	}()
	u.Start()
	win.ShowAndRun()
	u.Close()
	if failed > 0 {
		return 1
	}
	return 0
}

//go:build settingsshots

package app

// Screenshots of the screens of issue 11's "other screens" part (Settings,
// the first steps, Help, the privacy notice, the ticket detail) for
// docs/guide.md, drawn by the real GL driver on a virtual display:
//
//	Xvfb :78 -screen 0 1024x768x24 &
//	go test -c -tags settingsshots -o /tmp/settingsshots ./app
//	(cd app && DISPLAY=:78 ANCHANG_SYNC_SHOTS=zh /tmp/settingsshots)

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"time"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/test"

	"anchang/assets"
	"anchang/data"
)

func init() { glShots = takeSettingsShots }

func takeSettingsShots(lang string) int {
	ctx := context.Background()
	store, done, err := shotStore(ctx, "settingsshots")
	if err != nil {
		fmt.Println(err)
		return 1
	}
	defer done()
	now := time.Date(2026, 10, 20, 10, 0, 0, 0, data.DefaultLocation())
	store.Now = func() time.Time { return now }
	must := func(err error) {
		if err != nil {
			panic(err)
		}
	}
	must(store.SetSetting(ctx, settingLanguage, lang))
	admin, err := store.Setup(ctx, data.SetupInput{OfficeName: "星河湾售楼处", OfficeCode: "XHW-01", DeviceName: "前台一号机", AdminName: "周敏", AdminPIN: adminPIN})
	must(err)
	recep, err := store.CreateStaff(ctx, admin.ID, data.StaffInput{Name: "李静", Role: data.RoleReceptionist, PIN: "135792"})
	must(err)
	_, err = store.EnsureStarterFAQ(ctx, assets.StarterFAQ)
	must(err)
	fa := fyneapp.NewWithID("com.anchang.settingsshots")
	win := fa.NewWindow("案场前台")
	win.Resize(fyne.NewSize(1024, 768))
	u := New(fa, win, store, Options{})
	failed := 0
	shot := func(name string) {
		time.Sleep(700 * time.Millisecond)
		p := filepath.Join("..", "docs", "screenshots", name+"-"+lang+"-1024x768.png")
		if out, err := exec.Command("import", "-window", "root", p).CombinedOutput(); err != nil {
			fmt.Println(p, err, string(out))
			failed++
		}
		fmt.Println(p)
	}
	on := func(f func()) { fyne.DoAndWait(f) }
	tab := func(key string) {
		on(func() {
			for _, it := range u.shell.tabs.Items {
				if it.Title == T(key) {
					u.shell.tabs.Select(it)
				}
			}
		})
	}
	closeTop := func() { on(func() { u.win.Canvas().Overlays().Top().Hide() }) }
	go func() {
		defer fyne.Do(fa.Quit)
		time.Sleep(2 * time.Second)
		on(func() { u.signedIn(admin) })
		tab("tab.board")
		shot("steps-board")
		tab("tab.staff")
		shot("steps-staff")
		tab("tab.faq")
		on(func() { u.shell.faqAdmin.pages.Select(u.shell.faqAdmin.answer) })
		shot("steps-faq")

		// Settings: a hidden channel and a renamed one.
		srcs, _ := store.AllSources(ctx)
		must(store.SetSourceActive(ctx, admin.ID, srcs[3].ID, false))
		_, err := store.RenameSource(ctx, admin.ID, srcs[2].ID, map[string]string{"zh": "抖音直播", "en": "Douyin live"}[lang])
		must(err)
		tab("tab.settings")
		on(func() { u.shell.settings.reload() })
		shot("settings")
		on(func() { u.shell.settings.onRename(srcs[0]) })
		shot("settings-rename")
		closeTop()
		on(func() {
			s := u.shell.settings
			s.officeName.SetText("")
			s.officeCode.SetText("XH W")
			test.Tap(s.saveOffice)
		})
		shot("settings-office-errors")

		on(func() { u.showGuide(0) })
		shot("help-steps")
		on(func() {
			g := u.guide
			g.list.Select(g.section(map[string]string{"zh": "设置", "en": "设置"}[lang]))
		})
		shot("help-guide")
		closeTop()

		on(func() { u.signedIn(recep) })
		on(func() { u.shell.checkin.showConsent() })
		shot("consent-desk")
		closeTop()
		on(func() {
			u.showKiosk()
			u.kiosk.show(kioskConsent)
		})
		shot("consent-kiosk")
		on(func() { u.kiosk.leave(recep) })

		tk, err := store.OpenTicket(ctx, recep.ID, data.TicketInput{Kind: data.TicketComplaint, Category: data.CatEngineering, Severity: data.SeverityGeneral,
			Project: "星河湾", Building: "3栋", Unit: "1502", Subject: "工程部", Description: "客厅墙面渗水，已三次报修未解决",
			Demand: "一周内修好并赔偿", CustomerName: "王芳", Phone: "13812345678"})
		must(err)
		on(func() { u.signedIn(recep) })
		tab("tab.tickets")
		on(func() { u.shell.tickets.openDetail(tk.ID) })
		shot("ticket-detail-customer")
	}()
	u.Start()
	win.ShowAndRun()
	u.Close()
	if failed > 0 {
		return 1
	}
	return 0
}

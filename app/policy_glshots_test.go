//go:build policyshots

package app

// The SLA policy editor's and a ticket detail's screenshots for
// docs/guide.md, drawn by the real GL driver on a virtual display:
//
//	Xvfb :78 -screen 0 1024x768x24 &
//	go test -c -tags policyshots -o /tmp/policyshots ./app
//	(cd app && DISPLAY=:78 ANCHANG_SYNC_SHOTS=zh /tmp/policyshots)

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"time"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"

	"anchang/data"
)

func init() { glShots = takePolicyShots }

func takePolicyShots(lang string) int {
	ctx := context.Background()
	store, done, err := shotStore(ctx, "policyshots")
	if err != nil {
		fmt.Println(err)
		return 1
	}
	defer done()
	now := time.Date(2026, 11, 27, 16, 0, 0, 0, data.DefaultLocation()) // a Friday afternoon
	store.Now = func() time.Time { return now }
	admin, err := store.Setup(ctx, data.SetupInput{OfficeName: "星河湾售楼处", OfficeCode: "XHW", DeviceName: "前台", AdminName: "周敏", AdminPIN: adminPIN})
	if err == nil {
		err = store.SetSetting(ctx, settingLanguage, lang)
	}
	var tk data.Ticket
	if err == nil {
		tk, err = store.OpenTicket(ctx, admin.ID, data.TicketInput{Kind: data.TicketComplaint, Category: data.CatEngineering, Severity: data.SeverityMinor,
			OpenedAt: now.Add(-20 * time.Hour), Project: "星河湾", Building: "3栋", Unit: "1502", Subject: "工程部",
			Description: "客厅墙面渗水，已三次报修未解决", Demand: "下周一前修好", CustomerName: "王芳", Phone: "13912345678",
			RequestedBy: time.Date(2026, 11, 30, 12, 0, 0, 0, data.DefaultLocation())})
	}
	if err != nil {
		fmt.Println(err)
		return 1
	}
	fa := fyneapp.NewWithID("com.anchang.policyshots")
	win := fa.NewWindow("案场前台")
	win.Resize(fyne.NewSize(1024, 768))
	u := New(fa, win, store, Options{})
	u.Start()
	failed := 0
	shot := func(name string) {
		time.Sleep(800 * time.Millisecond)
		p := filepath.Join("..", "docs", "screenshots", name+"-"+lang+"-1024x768.png")
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
		on(func() { u.signedIn(admin) })
		var p *policyEditor
		on(func() { p = u.showSLAPolicy() })
		time.Sleep(time.Second)
		shot("sla-policy")
		on(func() { p.tabs.SelectIndex(len(p.tabs.Items) - 1) })
		shot("sla-policy-service")
		on(func() {
			p.repeatRate.SetText("五")
			p.rows[0].pickers[2].n.SetText("0")
			p.onSave()
			p.tabs.SelectIndex(0)
		})
		shot("sla-policy-errors")
		on(func() { p.modal.Hide() })
		on(func() { u.shell.tickets.openDetail(tk.ID) })
		shot("ticket-detail-ack")
		on(func() { u.win.Canvas().Overlays().Top().Hide() })
		on(func() {
			f := u.shell.tickets.openForm(data.TicketInput{Kind: data.TicketComplaint, Category: data.CatService, Severity: data.SeverityMinor,
				CustomerName: "李娜", Phone: "13812345678", Description: "样板间空调不制冷"}, nil)
			f.requestedBy.SetText("2026-11-26 18:00")
			f.onSubmit()
		})
		shot("ticket-new-requested-past")
	}()
	win.ShowAndRun()
	return failed
}

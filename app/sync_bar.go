package app

import (
	"context"
	"image/color"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"anchang/data"
	hqsync "anchang/sync"
)

// syncBar is the top bar's sync indicator: a coloured dot and a short
// state ("已同步 · 3 分钟前", "离线 · 5 条待上传"), a red count of the
// changes HQ refused, and a sync-now button. Tapping the state opens the
// sync panel. A standalone office does not see it.
type syncBar struct {
	u       *UI
	box     *fyne.Container
	dot     *canvas.Circle
	state   *widget.Button
	refused *widget.Button
	now     *widget.Button
	panel   *syncPanel // open panel, or nil
	shown   hqsync.Status
}

func newSyncBar(u *UI) *syncBar { return &syncBar{u: u} }

func (b *syncBar) buildUI() fyne.CanvasObject {
	b.dot = canvas.NewCircle(colorSuccess)
	b.state = &widget.Button{Importance: widget.LowImportance, OnTapped: b.openPanel}
	b.refused = &widget.Button{Importance: widget.DangerImportance, OnTapped: b.openPanel}
	b.now = &widget.Button{Icon: theme.ViewRefreshIcon(), Importance: widget.LowImportance, OnTapped: b.onSyncNow}
	dot := container.NewCenter(container.NewGridWrap(fyne.NewSize(10, 10), b.dot))
	b.box = container.NewHBox(dot, b.state, b.refused, b.now)
	b.update()
	return b.box
}

// update redraws the indicator from the loop's status; the shell's clock
// calls it every second (Status reads memory only).
func (b *syncBar) update() {
	if b.box == nil {
		return
	}
	u := b.u
	st := u.syncStatus()
	if u.shell != nil && u.shell.settings != nil && u.shell.settings.hq != nil {
		u.shell.settings.hq.update()
	}
	if st.State == hqsync.StateNotEnrolled || st.State == "" {
		b.box.Hide()
		return
	}
	b.box.Show()
	b.dot.FillColor = syncColor(st.State)
	b.dot.Refresh()
	b.state.SetText(u.syncShort(st))
	if st.Rejections > 0 {
		b.refused.SetText(T("sync.bar.refused", map[string]any{"N": st.Rejections}))
		b.refused.Show()
	} else {
		b.refused.Hide()
	}
	if st.State == hqsync.StateRevoked || st.State == hqsync.StateUpdateRequired {
		b.now.Disable()
	} else {
		b.now.Enable()
	}
	changed := st.Rejections != b.shown.Rejections
	b.shown = st
	if b.panel != nil {
		b.panel.update(st)
		if changed {
			b.panel.reload()
		}
	}
}

func (b *syncBar) onSyncNow() {
	if l := b.u.syncLoop(); l != nil {
		l.SyncNow()
	}
	b.update()
}

func syncColor(state hqsync.State) color.Color {
	switch state {
	case hqsync.StateOnline:
		return colorSuccess
	case hqsync.StateSyncing:
		return colorPrimary
	case hqsync.StateOffline:
		return colorWarning
	}
	return colorError
}

// syncShort is the top bar's words for st.
func (u *UI) syncShort(st hqsync.Status) string {
	var parts []string
	switch st.State {
	case hqsync.StateOnline:
		parts = append(parts, T("sync.state.online")+" · "+u.syncAgo(st.LastSuccess))
	case hqsync.StateSyncing:
		parts = append(parts, T("sync.state.syncing"))
	case hqsync.StateOffline:
		parts = append(parts, T("sync.state.offline")+" · "+u.syncAgo(st.LastSuccess))
	default:
		parts = append(parts, T("sync.state."+string(st.State)))
	}
	if p := st.Loading; p != nil {
		parts = append(parts, T("sync.bar.loading", map[string]any{"Done": p.Done, "Total": p.Total}))
	}
	if st.Pending > 0 {
		parts = append(parts, T("sync.bar.pending", map[string]any{"N": st.Pending}))
	}
	return strings.Join(parts, " · ")
}

// syncAgo says when the last successful sync was: 刚刚, 3 分钟前, 2 小时前,
// 12-05, 从未同步.
func (u *UI) syncAgo(t time.Time) string {
	if t.IsZero() {
		return T("sync.ago.never")
	}
	d := u.now().Sub(t)
	switch {
	case d < time.Minute:
		return T("sync.ago.now")
	case d < time.Hour:
		return T("sync.ago.minutes", map[string]any{"N": int(d.Minutes())})
	case d < 24*time.Hour:
		return T("sync.ago.hours", map[string]any{"N": int(d.Hours())})
	}
	return T("sync.ago.date", map[string]any{"Date": t.In(u.location()).Format("01-02")})
}

func (b *syncBar) openPanel() {
	p := &syncPanel{u: b.u, bar: b}
	b.panel = p
	m := b.u.showModal(T("sync.panel.title"), p.buildUI(), T("dialog.close"))
	m.onClosed = func() { b.panel = nil }
	p.modal = m
	p.update(b.u.syncStatus())
	p.reload()
}

// syncPanel is the sync details: state, last success, changes waiting, the
// HQ and this device's tag, sync now, and the changes HQ refused.
type syncPanel struct {
	u      *UI
	bar    *syncBar
	modal  *modal
	state  *widget.Label
	detail *widget.Label
	now    *widget.Button
	list   *fyne.Container
	count  *widget.Label
}

func (p *syncPanel) buildUI() fyne.CanvasObject {
	p.state = &widget.Label{Wrapping: fyne.TextWrapWord}
	p.detail = &widget.Label{Wrapping: fyne.TextWrapWord}
	p.now = &widget.Button{Text: T("sync.now"), Icon: theme.ViewRefreshIcon(), OnTapped: p.bar.onSyncNow}
	p.count = heading(T("sync.rejections.title"))
	p.list = container.NewVBox()
	body := container.NewVBox(p.state, p.detail, container.NewHBox(p.now), widget.NewSeparator(), p.count, p.list)
	return container.NewGridWrap(fyne.NewSize(620, 440), container.NewVScroll(body))
}

// update shows st.
func (p *syncPanel) update(st hqsync.Status) {
	u := p.u
	text := T("sync.panel.state", map[string]any{"State": T("sync.state." + string(st.State))})
	if st.ErrKey != "" {
		if why, ok := translate(st.ErrKey, st.ErrArgs); ok {
			text += "\n" + why
		}
	}
	p.state.SetText(text)
	if st.State == hqsync.StateOnline || st.State == hqsync.StateSyncing {
		p.state.Importance = widget.MediumImportance
	} else {
		p.state.Importance = widget.DangerImportance
	}
	p.state.Refresh()
	last := T("sync.ago.never")
	if !st.LastSuccess.IsZero() {
		last = u.dateTime(st.LastSuccess) + "（" + u.syncAgo(st.LastSuccess) + "）"
		if Language() != "zh" {
			last = u.dateTime(st.LastSuccess) + " (" + u.syncAgo(st.LastSuccess) + ")"
		}
	}
	id := u.syncIdentity()
	p.detail.SetText(T("sync.panel.detail", map[string]any{"Last": last, "Pending": st.Pending, "URL": id.HQURL, "Tag": id.Tag}))
	if st.State == hqsync.StateRevoked || st.State == hqsync.StateUpdateRequired {
		p.now.Disable()
	} else {
		p.now.Enable()
	}
}

// reload reads the refused changes off the UI goroutine.
func (p *syncPanel) reload() {
	u := p.u
	load(u, func(ctx context.Context) ([]data.Rejection, error) {
		return u.store.Rejections(ctx)
	}, func(rs []data.Rejection, err error) {
		p.list.RemoveAll()
		if err != nil {
			p.list.Add(&widget.Label{Text: u.errText(err), Importance: widget.DangerImportance, Wrapping: fyne.TextWrapWord})
			return
		}
		p.count.SetText(T("sync.rejections.count", map[string]any{"N": len(rs)}))
		if len(rs) == 0 {
			p.list.Add(widget.NewLabel(T("sync.rejections.none")))
		}
		for i := len(rs) - 1; i >= 0 && i >= len(rs)-maxRejectionsShown; i-- { // newest first
			p.list.Add(u.rejectionRow(rs[i]))
		}
		p.list.Refresh()
	})
}

// maxRejectionsShown bounds the panel's list (the newest first).
const maxRejectionsShown = 100

// rejectionRow says what HQ refused, why and when, in the user's language:
// the kind of change, the reason, and the record it concerns by a short id
// (no names or phone numbers).
func (u *UI) rejectionRow(r data.Rejection) fyne.CanvasObject {
	what := widget.NewLabel(T("sync.rejection.what", map[string]any{"What": mutationText(r.Mutation), "At": u.dateTime(r.At)}))
	why := &widget.Label{Text: T("sync.rejection.why", map[string]any{"Why": rejectionReason(r)}), Wrapping: fyne.TextWrapWord, Importance: widget.DangerImportance}
	rec := &widget.Label{Text: T("sync.rejection.record", map[string]any{"ID": shortID(r.RecordID)}), SizeName: theme.SizeNameCaptionText}
	return container.NewVBox(what, why, rec, widget.NewSeparator())
}

// mutationText names a kind of change in human words: "visit.checkin" is 登记来访.
func mutationText(name string) string {
	if s, ok := translate("sync.mut." + name); ok {
		return s
	}
	return name
}

// rejectionReason is HQ's reason in the user's language.
func rejectionReason(r data.Rejection) string {
	if s, ok := translate(r.Key, r.Args); ok && r.Key != "" {
		return s
	}
	return T("err.sync.refused", map[string]any{"Code": r.Code})
}

// shortID is the end of a record id: enough to tell records apart when
// talking to HQ, nothing personal.
func shortID(id string) string {
	id = strings.ReplaceAll(id, "-", "")
	if len(id) > 8 {
		return "…" + id[len(id)-8:]
	}
	return id
}

package app

import (
	"context"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"anchang/data"
)

// maintainer is the store's periodic care of its database (*data.Store's
// Maintain: integrity check, automatic backup, free disk space).
type maintainer interface {
	Maintain(ctx context.Context) error
}

// StartMaintenance runs the store's checks in the background now and every
// data.MaintainEvery, and shows what they find (a damaged database, a
// nearly full disk, a failed backup) in a dialog, once until it changes.
// Close stops it.
func (u *UI) StartMaintenance() {
	m := u.store
	ctx, cancel := context.WithCancel(context.Background())
	u.stopMaintain = cancel
	go func() {
		tick := time.NewTicker(data.MaintainEvery)
		defer tick.Stop()
		shown := ""
		for {
			err := m.Maintain(ctx)
			if ctx.Err() != nil {
				return
			}
			key := ""
			if err != nil {
				key = err.Error()
				if e, ok := data.AsError(err); ok {
					key = e.Key
				}
				u.log.Warn("storage check", "err", err)
			}
			if err != nil && key != shown {
				u.threads.Do(func() { u.ShowStorageProblem(err) })
			}
			shown = key
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
		}
	}()
}

// ShowStorageProblem tells the user, in plain words, what is wrong with the
// database or the disk and what to do.
func (u *UI) ShowStorageProblem(err error) {
	label := widget.NewLabel(u.errText(err))
	label.Wrapping = fyne.TextWrapWord
	m := u.showModal(T("storage.title"), label, T("dialog.close"))
	m.pop.Resize(fyne.NewSize(520, 220))
}

package app

import "anchang/data"

// How the screens learn that records changed: the store tells the UI of
// every commit that wrote records (data.Store.Subscribe: the desk's own
// writes, the kiosk's, and records pulled from HQ), and the UI reloads the
// desk's screens that show those kinds of record (shell.watches). A
// screen never reloads another after it wrote.

// changeStore is where the UI hears of changed records; *data.Store
// satisfies it.
type changeStore interface {
	// Subscribe calls fn on the committing goroutine after each commit
	// that wrote records; the returned func stops it.
	Subscribe(fn func(data.Change)) (cancel func())
}

var _ changeStore = (*data.Store)(nil)

// watchStore subscribes the UI to the store's changes, once (the desk
// opens); Close ends it.
func (u *UI) watchStore() {
	u.sync.mu.Lock()
	defer u.sync.mu.Unlock()
	if u.sync.stopOn == nil {
		u.sync.stopOn = u.store.Subscribe(u.onStoreChange)
	}
}

// storeChanged runs on the UI goroutine: the signed-in desk's screens that
// show what c changed reload, and the office's name and the sync bar
// follow what HQ sent.
func (u *UI) storeChanged(c data.Change) {
	if c.Touches("office") {
		u.officeChanged() // HQ renamed the office: the top bar and the title follow
	}
	sh := u.shell
	if sh == nil || u.user.ID == "" {
		return
	}
	for _, w := range sh.watches() {
		if c.Touches(w.kinds...) {
			w.reload()
		}
	}
	if c.Pulled && sh.syncBar != nil {
		sh.syncBar.update()
	}
}

// watch is a screen and the kinds of record (data.MutationSpec.Entity) it
// shows.
type watch struct {
	kinds  []string
	reload func()
}

// Kinds of record the screens show.
var (
	visitKinds    = []string{"visit", "visit_event", "rotation_event", "staff", "source"}
	faqKinds      = []string{"faq_version", "faq_status_event", "faq_category", "faq_synonyms", "faq_vague_words", "consult_handoff", "consult_handoff_event", "visit", "staff"}
	ticketKinds   = []string{"ticket", "ticket_event", "staff", "sla_policy", "office_hours", "holiday_import", "care_revisit", "inspection_defect_ticket"}
	inspectKinds  = []string{"inspection", "inspection_completion", "inspection_template"}
	staffKinds    = []string{"staff"}
	calendarKinds = []string{"holiday_import", "office_hours"}
)

// watches are the desk's open screens and what each shows.
func (sh *shell) watches() []watch {
	ws := []watch{
		{visitKinds, sh.board.reload},
		{visitKinds, sh.rotation.reload},
		{faqKinds, sh.faq.reload},
		{ticketKinds, sh.tickets.reload},
		{inspectKinds, sh.inspectionReload},
		{calendarKinds, sh.reloadCalendarWarning},
	}
	if sh.checkin != nil {
		ws = append(ws, watch{visitKinds, sh.checkin.reloadSide})
	}
	if sh.staff != nil {
		ws = append(ws, watch{staffKinds, sh.staff.reload})
	}
	return ws
}

package app

import (
	"context"
	"time"

	"anchang/app/forms"
	"anchang/data"
)

// Store is what the screens need from the local database; *data.Store
// satisfies it.
type Store interface {
	// What the UI itself needs: whether to set up, the device, settings,
	// PINs from the menu (app/pinkey.go) and the clock.
	IsSetUp() bool
	IsDemo() bool // a demo office's database (app/demo.go)
	Device() (data.Device, data.Office, error)
	Setting(ctx context.Context, key, def string) (string, error)
	SetSetting(ctx context.Context, key, value string) error
	ChangeOwnPIN(ctx context.Context, staffID, oldPIN, newPIN string) error
	PINKeyCode(ctx context.Context, actorID string) (string, error)
	Today() string

	// The clock, shared with the store (UI.now); the office's time zone
	// is forms.Records' Location (UI.location). The screens keep neither.
	Time() time.Time

	// Printing (app/print.go) and where the database lives.
	forms.Records
	Path() string

	// Each screen's own store, next to the screen.
	setupStore        // the first-run form (app/setup.go)
	signInStore       // signing in and the PIN key (app/signin.go)
	boardStore        // today's board (app/board.go)
	checkInStore      // the check-in form (app/checkin.go)
	kioskStore        // the visitors' self check-in (app/kiosk.go)
	staffStore        // the staff screen (app/staff.go)
	rotationStore     // the rotation screen (app/rotation.go)
	faqDeskStore      // the answers tab (app/faq.go)
	faqAdminStore     // the manual's admin pages (app/faq_admin.go)
	inspectionStore   // the handover inspections (app/inspection.go)
	ticketAdminStore  // SLA policy, holidays and the complaint ledger (app/ticket_policy.go)
	ticketStore       // the ticket desk (app/tickets.go)
	ticketImportStore // carrying a paper ledger over (app/ticket_import.go)
	careRevisitStore  // care revisits (app/care_revisits.go)
	visitHistoryStore // past visits and the customer file (app/visit_history.go)
	syncStore         // the enrolment at HQ and its refusals (app/sync.go)
	settingsStore     // the office, this device and the channels (app/settings.go)
	hqSettingsStore   // Settings' HQ section (app/sync_settings.go)
	changeStore       // what changed, for the screens to refresh (app/changes.go)
	maintainer        // the database's periodic checks (app/storage.go)
}

var _ Store = (*data.Store)(nil)

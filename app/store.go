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
	IsSetUp() bool
	IsDemo() bool // a demo office's database (app/demo.go)
	Device() (data.Device, data.Office, error)
	Setup(ctx context.Context, in data.SetupInput) (data.Staff, error)
	Setting(ctx context.Context, key, def string) (string, error)
	SetSetting(ctx context.Context, key, value string) error

	staffStore // the staff screen (app/staff.go)
	SignIn(ctx context.Context, staffID, pin string) (data.Staff, error)
	ChangeOwnPIN(ctx context.Context, staffID, oldPIN, newPIN string) error
	NeedsPINKey(ctx context.Context) (bool, error)
	SetPINKey(ctx context.Context, code string) error
	PINKeyCode(ctx context.Context, actorID string) (string, error)

	Sources(ctx context.Context) ([]data.Source, error)
	AddSource(ctx context.Context, actorID, name string) (data.Source, error)

	Today() string
	CheckIn(ctx context.Context, actorID string, in data.CheckInInput) (data.Visit, error)
	LookupPhone(ctx context.Context, phone string) (data.Returning, bool, error)
	Board(ctx context.Context, day string, f data.BoardFilter) (data.Board, error)
	VisitDetail(ctx context.Context, actorID, visitID string) (data.Visit, error)
	Assign(ctx context.Context, actorID, visitID, consultantID string) error
	HandOver(ctx context.Context, actorID, visitID string, area data.Area) error
	MoveArea(ctx context.Context, actorID, visitID string, area data.Area) error
	CheckOut(ctx context.Context, actorID, visitID string) error

	rotationStore // the rotation screen (app/rotation.go)

	EnsureStarterFAQ(ctx context.Context, manual []byte) (int, error)

	// The clock, shared with the store (UI.now); the office's time zone
	// is forms.Records' Location (UI.location). The screens keep neither.
	Time() time.Time

	// Printing (app/print.go) and where the database lives.
	forms.Records
	Path() string

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
	changeStore       // what changed, for the screens to refresh (app/changes.go)
	maintainer        // the database's periodic checks (app/storage.go)
}

var _ Store = (*data.Store)(nil)

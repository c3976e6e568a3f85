package data

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"time"

	"github.com/google/uuid"
)

// The mutation contract: every change a device makes is one named,
// versioned mutation with a typed payload. This file owns the registry;
// each domain file declares its payload types and registers them in an
// init function (see registerMutation). The wire carries the JSON of the
// payload exactly as the outbox stored it, so a payload's JSON shape never
// changes without a new version, and a handler for every version ever
// emitted stays registered.

// Owner says who may write a mutation once an office is enrolled at HQ.
type Owner string

const (
	// OwnerOffice: written by the office's devices (visits, tickets, …),
	// in the scope office:<office id>.
	OwnerOffice Owner = "office"
	// OwnerHQ: reference data HQ owns (approved FAQ, templates, SLA policy,
	// holidays, …), in the scope "global". A device that is not enrolled
	// writes it locally as it always did.
	OwnerHQ Owner = "hq"
)

// Ref names a record another record depends on.
type Ref struct {
	Entity string `json:"entity"`
	ID     string `json:"id"`
}

// MutationSpec describes one version of one mutation.
type MutationSpec struct {
	Name    string // e.g. "visit.checkin"
	Version int    // payload version, from 1
	Entity  string // the kind of record the mutation writes: "visit", "ticket_event", …
	Owner   Owner
	// Replace: a later mutation of the same (Entity, record id) replaces the
	// earlier one (a single-writer record such as a staff member). Otherwise
	// the record is born once and never changed (an event).
	Replace bool
	// Rank orders a snapshot: records of a lower rank are applied first, so
	// a record always comes after the records it refers to.
	Rank int
	// MinSchema is the schema (SchemaVersion) of the first program that can
	// apply this version; 0 for every version an enrolled desk has always
	// read. HQ never hands a change of this version to a device whose
	// Anchang-Schema is lower: it answers 426 update_required instead, so an
	// older desk is told to update rather than stuck on a page it cannot
	// apply (docs/sync.md, "Versions a desk cannot read").
	MinSchema int

	decode func(raw []byte) (payload, error)
}

// payload is the typed body of one mutation version. Every write in this
// package is split in two: apply writes the change's rows (and re-derives
// the state that depends on them), and emit appends it to the outbox. A
// change pulled from HQ goes through the same apply, without emit.
type payload interface {
	// spec is the registered name and version of this payload type.
	spec() *MutationSpec
	// recordID is the id of the record the mutation writes.
	recordID() string
	// officeID is the office the record belongs to; "" for global data.
	officeID() string
	// refs lists the records this one refers to (for HQ's scope checks).
	refs() []Ref
	// validate checks what can be checked without a database: required
	// fields, lengths, enumerations. HQ runs it on every push.
	validate() error
	// apply writes the change. It is idempotent: applying a change whose
	// record is already present leaves the database as one apply does.
	apply(ctx context.Context, tx *txn, ac applyCtx) error
}

// applyCtx tells apply where a change comes from.
type applyCtx struct {
	// remote is true for a change pulled from HQ (or a snapshot).
	remote bool
	// ord orders events for derived state: HQ's sequence number in the
	// record's scope for a change that came through HQ; for a local change
	// not yet seen by HQ, pendingOrd + the outbox seq.
	ord int64
	// echo is, for this device's own change coming back from HQ, the ord it
	// had locally (pendingOrd + its outbox seq); 0 otherwise. A replaced
	// record whose sync_ord is still that value takes HQ's ord.
	echo int64
	// derive, when set, collects the re-derivations of a page of pulled
	// changes (or a snapshot) so each runs once, after all their rows are
	// written.
	derive *derivations
	// staged is set for a change written by an import in chunks
	// (import_staged.go): a record that would appear at once (a new FAQ
	// entry) stays out of sight until the import's last transaction.
	staged bool
}

// pendingOrd places events HQ has not ordered yet after every HQ-ordered one.
const pendingOrd int64 = 1 << 50

// Snapshot ranks: a record comes after the records it refers to.
const (
	rankOffice    = 10 // the office
	rankReference = 20 // staff, sources, FAQ categories, policies, holidays, templates
	rankRecord    = 30 // visitors and visits, FAQ versions, tickets, inspections, misses
	rankEvent     = 40 // events on those records, and records that refer to two of them
	rankFollowUp  = 50 // events on events
)

// The SQL of idempotent writes. Every synced table has a sync_ord column.
//
// A born-once row (an event, a visit) is inserted with
//
//	INSERT INTO t (…, sync_ord) VALUES (…, ?) ` + "`" + ` + keepEarliestOrd
//
// with ac.ord: applying it again changes nothing but its place, which only
// moves earlier (HQ's seq replaces the local pending ord when the device's
// own change comes back).
//
// A replaced record (Replace: staff, a source) is upserted with
//
//	INSERT INTO t (…, sync_ord) VALUES (…, ?) ON CONFLICT (id) DO UPDATE SET
//	    a = excluded.a, …, sync_ord = excluded.sync_ord WHERE ` + "`" + ` + replaceIfNewer
//
// with the arguments ac.ord …, ac.echoOrd(): the latest in HQ order wins, a
// local change not yet pushed beats every pulled one, and the device's own
// change coming back takes HQ's ord.
const (
	keepEarliestOrd = ` ON CONFLICT (id) DO UPDATE SET sync_ord = min(sync_ord, excluded.sync_ord)`
	replaceIfNewer  = `(excluded.sync_ord > sync_ord OR sync_ord = ?)`
)

// echoOrd is the argument of replaceIfNewer.
func (ac applyCtx) echoOrd() int64 {
	if ac.echo == 0 {
		return -1
	}
	return ac.echo
}

// Kinds of derived state, re-derived from their records (see derivers).
const (
	derivedVisit      = "visit"      // a: the visit
	derivedRotation   = "rotation"   // a: the office, b: the day
	derivedTicket     = "ticket"     // a: the ticket
	derivedInspection = "inspection" // a: the inspection; at: the latest change's time
	derivedFAQ        = "faq"        // a: the FAQ entry
	derivedHandoff    = "handoff"    // a: the hand-off
	derivedVisitors   = "visitors"   // a: the office, b: a phone (mergeVisitors)
)

// derivedKey names one piece of derived state: its kind and whose it is.
type derivedKey struct{ kind, a, b string }

// derivers re-derive each kind of derived state; at is the latest time
// the changes asking for it carry (only an inspection uses it). Each reads
// only recorded rows (never another kind's derived state) and writes only
// its own, so derivations may run in any order.
var derivers = map[string]func(ctx context.Context, tx *txn, a, b string, at int64) error{
	derivedVisit:    func(ctx context.Context, tx *txn, a, _ string, _ int64) error { return deriveVisit(ctx, tx, a) },
	derivedRotation: func(ctx context.Context, tx *txn, a, b string, _ int64) error { return deriveRotation(ctx, tx, a, b) },
	derivedTicket:   func(ctx context.Context, tx *txn, a, _ string, _ int64) error { return rederiveTicket(ctx, tx, a) },
	derivedInspection: func(ctx context.Context, tx *txn, a, _ string, at int64) error {
		return deriveInspection(ctx, tx, a, at)
	},
	derivedFAQ:     func(ctx context.Context, tx *txn, a, _ string, _ int64) error { return deriveFAQEntry(ctx, tx, a) },
	derivedHandoff: func(ctx context.Context, tx *txn, a, _ string, _ int64) error { return deriveHandoff(ctx, tx, a) },
	// The visitors of one phone merged into one customer: it moves visits
	// between visitors and sets the customer's consultant from their
	// assignments, as deriveVisit sets a visitor's; either order ends the same.
	derivedVisitors: func(ctx context.Context, tx *txn, a, b string, _ int64) error { return mergeVisitors(ctx, tx, a, b) },
}

// rederive re-derives the state of kind of a (and b) now — or, while a
// page of pulled changes or a snapshot is applied, once after all of its
// rows are written.
func (ac applyCtx) rederive(ctx context.Context, tx *txn, kind, a, b string, at int64) error {
	if ac.derive == nil {
		return derivers[kind](ctx, tx, a, b, at)
	}
	ac.derive.add(derivedKey{kind, a, b}, at)
	return nil
}

// derivations are the re-derivations a page of pulled changes or a
// snapshot needs, each once (with the latest time asked). A snapshot runs them whenever maxPendingDerivations are
// waiting, between its groups of changes (see pullTarget.flush), so memory
// stays flat however large the office: deriving state early is only work,
// never a difference, as a change to it later asks again.
type derivations struct {
	at    map[derivedKey]int64
	order []derivedKey
}

// maxPendingDerivations is how many derivations a snapshot keeps waiting.
// A snapshot's visits come before their events (rank), so a visit may be
// derived twice; deriveVisits makes that cheap (one query per batch).
const maxPendingDerivations = 4096

func (d *derivations) add(k derivedKey, at int64) {
	if d.at == nil {
		d.at = map[derivedKey]int64{}
	}
	if old, ok := d.at[k]; ok {
		d.at[k] = max(old, at)
		return
	}
	d.at[k] = at
	d.order = append(d.order, k)
}

func (d *derivations) pending() int { return len(d.order) }

// visitBatch is how many visits deriveVisits derives at once; a run with
// fewer to derive derives each alone.
const visitBatch = 500

// run runs them and forgets them: the visits and the phones' visitors in
// batches, the others in the order they were first asked for
// (derivations are independent).
func (d *derivations) run(ctx context.Context, tx *txn) error {
	var visits []string
	var phones [][2]string
	for _, k := range d.order {
		switch k.kind {
		case derivedVisit:
			visits = append(visits, k.a)
		case derivedVisitors:
			phones = append(phones, [2]string{k.a, k.b})
		}
	}
	batchVisits, batchPhones := len(visits) >= 8, len(phones) >= 8
	for batchVisits && len(visits) > 0 {
		n := min(len(visits), visitBatch)
		if err := deriveVisits(ctx, tx, visits[:n]); err != nil {
			return err
		}
		visits = visits[n:]
	}
	for batchPhones && len(phones) > 0 {
		n := min(len(phones), visitBatch)
		if err := mergeVisitorsOf(ctx, tx, phones[:n]); err != nil {
			return err
		}
		phones = phones[n:]
	}
	for _, k := range d.order {
		if batchVisits && k.kind == derivedVisit || batchPhones && k.kind == derivedVisitors {
			continue
		}
		if err := derivers[k.kind](ctx, tx, k.a, k.b, d.at[k]); err != nil {
			return err
		}
	}
	clear(d.at)
	d.order = d.order[:0]
	return nil
}

type mutationKey struct {
	name    string
	version int
}

var (
	mutationSpecs  = map[mutationKey]*MutationSpec{}
	latestVersions = map[string]int{}
)

// registerMutation registers the payload type P for spec. It panics on a
// duplicate, which only a programming error can cause.
func registerMutation[P any, PP interface {
	*P
	payload
}](spec MutationSpec) {
	k := mutationKey{spec.Name, spec.Version}
	if _, dup := mutationSpecs[k]; dup {
		panic("data: mutation registered twice: " + spec.Name)
	}
	s := spec
	s.decode = func(raw []byte) (payload, error) {
		var p P
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&p); err != nil {
			return nil, &Error{Code: EINVALID, Key: "err.sync.payload", Err: fmt.Errorf("%s v%d: %w", spec.Name, spec.Version, err)}
		}
		if dec.More() {
			return nil, &Error{Code: EINVALID, Key: "err.sync.payload", Err: fmt.Errorf("%s v%d: trailing data", spec.Name, spec.Version)}
		}
		return PP(&p), nil
	}
	mutationSpecs[k] = &s
	if spec.Version > latestVersions[spec.Name] {
		latestVersions[spec.Name] = spec.Version
	}
}

// MutationMinSchema is the schema a device needs to apply version of
// mutation name (MutationSpec.MinSchema); 0 for an unknown one.
func MutationMinSchema(name string, version int) int {
	if s := mutationSpecs[mutationKey{name, version}]; s != nil {
		return s.MinSchema
	}
	return 0
}

// specOf is the registered spec of name and version, for payload.spec.
func specOf(name string, version int) *MutationSpec {
	s := mutationSpecs[mutationKey{name, version}]
	if s == nil {
		panic("data: mutation not registered: " + name)
	}
	return s
}

// recStamp is what the payload of every record carries, first in its JSON:
// the record's id, its office, the device that made it, when (the device's
// clock: for display only, never for order) and by whom ("" = no staff
// member: the kiosk, the command line, the system). Embed it.
type recStamp struct {
	ID        string `json:"id"`
	OfficeID  string `json:"office_id"`
	DeviceID  string `json:"device_id"`
	CreatedAt int64  `json:"created_at"`
	CreatedBy string `json:"created_by"`
}

func newRecStamp(st stamp, by string) recStamp {
	return recStamp{ID: st.id, OfficeID: st.office, DeviceID: st.device, CreatedAt: st.at, CreatedBy: by}
}

func (r *recStamp) recordID() string { return r.ID }
func (r *recStamp) creator() string  { return r.CreatedBy }
func (r *recStamp) officeID() string { return r.OfficeID }

// check is checkStamp of the stamp.
func (r *recStamp) check() *Error {
	return checkStamp(r.ID, r.OfficeID, r.DeviceID, r.CreatedBy, r.CreatedAt)
}

// by is the created_by column's value: NULL for "".
func (r *recStamp) by() any { return nullStr(r.CreatedBy) }

// Mutations lists every registered mutation version, by name then version.
func Mutations() []MutationSpec {
	out := make([]MutationSpec, 0, len(mutationSpecs))
	for _, s := range mutationSpecs {
		c := *s
		c.decode = nil
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Name != out[j].Name {
			return out[i].Name < out[j].Name
		}
		return out[i].Version < out[j].Version
	})
	return out
}

// Described is what HQ needs to know about a pushed mutation to check and
// store it without the office's database.
type Described struct {
	Spec     MutationSpec
	RecordID string
	OfficeID string // "" for global reference data
	Refs     []Ref
	// Draft: an HQ-owned mutation an enrolled office may record too (a new
	// FAQ version, a submission for review): HQ keeps it in the office's
	// scope. The payload says so with a draft() method.
	Draft bool
}

// drafter is an HQ-owned payload that is, in some cases, an office's draft.
type drafter interface{ draft() bool }

// isDraft says whether an HQ-owned payload is an office's draft.
func isDraft(p payload) bool {
	d, ok := p.(drafter)
	return ok && d.draft()
}

// DescribeMutation decodes and validates a mutation's payload. An unknown
// name or version, a payload that does not decode strictly, or one that
// fails validation is an *Error whose Key says why in the user's words.
func DescribeMutation(name string, version int, raw []byte) (Described, error) {
	spec, p, err := decodeMutation(name, version, raw)
	if err != nil {
		return Described{}, err
	}
	if h, ok := p.(interface{ hqCheck() error }); ok {
		if err := h.hqCheck(); err != nil {
			return Described{}, err
		}
	}
	c := *spec
	c.decode = nil
	return Described{Spec: c, RecordID: p.recordID(), OfficeID: p.officeID(), Refs: describeRefs(spec, p), Draft: isDraft(p)}, nil
}

// creator is a payload that names the staff member who made it (recStamp).
type creator interface{ creator() string }

// describeRefs is a payload's refs with the staff member who made an
// office record (created_by), so HQ refuses a record whose author it does
// not hold in the office (err.sync.missing_ref). A staff member recorded
// by themselves (the first admin) does not refer to itself; HQ-owned
// records are left as they are (an HQ device's staff never reach HQ).
// Each ref appears once.
func describeRefs(spec *MutationSpec, p payload) []Ref {
	refs := p.refs()
	if c, ok := p.(creator); ok && spec.Owner == OwnerOffice {
		if by := c.creator(); by != "" && !(spec.Entity == "staff" && by == p.recordID()) {
			refs = append(refs, Ref{Entity: "staff", ID: by})
		}
	}
	out := refs[:0:0]
	for _, r := range refs {
		if !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	return out
}

// encodePayload is the one JSON encoding of a payload, and its hash.
func encodePayload(p payload) ([]byte, string, error) {
	b, err := json.Marshal(p)
	if err != nil {
		return nil, "", err
	}
	sum := sha256.Sum256(b)
	return b, hex.EncodeToString(sum[:]), nil
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// record makes a local change: it appends the payload to the outbox and
// applies it, in the caller's transaction, so the change and its outbox row
// commit or vanish together. The outbox seq orders the change's events after
// every HQ-ordered one until HQ gives it its place.
func record(ctx context.Context, tx *txn, at int64, p payload) error {
	spec := p.spec()
	if spec.Owner == OwnerHQ && !isDraft(p) {
		// An enrolled office device drafts and submits; HQ approves and
		// owns the rest (docs/sync.md, HQ-owned reference data).
		var enrolled bool
		var role string
		err := tx.QueryRowContext(ctx, `SELECT enrolled, role FROM sync_state WHERE id = 1`).Scan(&enrolled, &role)
		if err != nil && !isNoRows(err) {
			return fmt.Errorf("outbox %s: %w", spec.Name, err)
		}
		if enrolled && role == SyncRoleOffice {
			return &Error{Code: EFORBIDDEN, Key: "err.sync.approved_at_hq", Err: fmt.Errorf("%s on an enrolled office device", spec.Name)}
		}
	}
	b, hash, err := encodePayload(p)
	if err != nil {
		return fmt.Errorf("outbox %s: %w", spec.Name, err)
	}
	res, err := tx.ExecContext(ctx,
		`INSERT INTO outbox (mutation, version, record_id, payload, hash, created_at, format, import_id) VALUES (?, ?, ?, ?, ?, ?, 1, ?)`,
		spec.Name, spec.Version, p.recordID(), string(b), hash, at, nullStr(tx.importID))
	if err != nil {
		return fmt.Errorf("outbox %s: %w", spec.Name, err)
	}
	seq, err := res.LastInsertId()
	if err != nil {
		return fmt.Errorf("outbox %s: %w", spec.Name, err)
	}
	tx.outbox = true
	tx.kinds = append(tx.kinds, spec.Entity)
	return p.apply(ctx, tx, applyCtx{ord: pendingOrd + seq, derive: tx.derive, staged: tx.importID != ""})
}

// decodeMutation decodes and validates a payload of a registered mutation.
func decodeMutation(name string, version int, raw []byte) (*MutationSpec, payload, error) {
	spec, ok := mutationSpecs[mutationKey{name, version}]
	if !ok {
		return nil, nil, &Error{Code: EINVALID, Key: "err.sync.unknown_mutation", Args: map[string]any{"Name": name, "Version": version}}
	}
	p, err := spec.decode(raw)
	if err != nil {
		return nil, nil, err
	}
	if err := p.validate(); err != nil {
		return nil, nil, err
	}
	if p.recordID() == "" {
		return nil, nil, &Error{Code: EINVALID, Key: "err.sync.payload", Err: fmt.Errorf("%s v%d: no record id", name, version)}
	}
	return spec, p, nil
}

// checkUUID checks that v is an id as this program makes them: a UUID in
// its canonical 36-character form. "" passes when the id is optional.
func checkUUID(field, v string, required bool) *Error {
	if v == "" {
		if required {
			return invalid(field, "err.field.required", nil)
		}
		return nil
	}
	if len(v) != 36 {
		return invalid(field, "err.sync.id", nil)
	}
	if _, err := uuid.Parse(v); err != nil {
		return invalid(field, "err.sync.id", nil)
	}
	return nil
}

// checkIDs checks pairs of (field, id) of required ids.
func checkIDs(pairs ...string) *Error {
	for i := 0; i+1 < len(pairs); i += 2 {
		if err := checkUUID(pairs[i], pairs[i+1], true); err != nil {
			return err
		}
	}
	return nil
}

// checkStamp checks the fields every record carries: its id, office and
// device, and the staff member who made it ("" for none: the kiosk, the
// command line). createdAt is the device's clock, for display only; it
// must only be a time.
func checkStamp(id, office, device, createdBy string, createdAt int64) *Error {
	if err := checkIDs("id", id, "office_id", office, "device_id", device); err != nil {
		return err
	}
	if err := checkUUID("created_by", createdBy, false); err != nil {
		return err
	}
	if createdAt <= 0 {
		return invalid("created_at", "err.field.required", nil)
	}
	return nil
}

// checkChoice checks that v is one of choices.
func checkChoice[T ~string](field string, v T, choices ...T) *Error {
	for _, c := range choices {
		if v == c {
			return nil
		}
	}
	return invalid(field, "err.field.choice", nil)
}

// checkDay checks an office-local date, YYYY-MM-DD.
func checkDay(field, v string, required bool) *Error {
	if v == "" && !required {
		return nil
	}
	if _, err := time.Parse(time.DateOnly, v); err != nil {
		return invalid(field, "err.sync.day", nil)
	}
	return nil
}

// A reencoder rebuilds the payload of an outbox row written before the
// registry (outbox.format 0: inline payloads with mixed key conventions)
// from the rows the change wrote. See reencodeOutbox.
type reencoder func(ctx context.Context, tx *txn, e OutboxEntry) (payload, error)

var reencoders = map[string]reencoder{}

// registerReencoder registers how to rebuild the old rows of mutation name.
func registerReencoder(name string, fn reencoder) {
	if _, dup := reencoders[name]; dup {
		panic("data: reencoder registered twice: " + name)
	}
	reencoders[name] = fn
}

// reencodeOutbox rewrites, in one transaction, every outbox row written
// before the registry whose mutation has a reencoder: its payload becomes
// the typed v1 JSON (rebuilt from the rows it wrote), with its hash and
// record id. No outbox row had left a device when the registry came, so
// the rows are rewritten in place, keeping their seq. A row that cannot be
// rebuilt (its record is gone) stays as it was and is logged; HQ will
// refuse it and the office sees the rejection.
func (s *Store) reencodeOutbox(ctx context.Context) error {
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM outbox WHERE format = 0`).Scan(&n); err != nil {
		return fmt.Errorf("re-encode outbox: %w", err)
	}
	if n == 0 {
		return nil
	}
	return s.tx(ctx, func(tx *txn) error {
		rows, err := tx.QueryContext(ctx, `SELECT seq, mutation, version, record_id, payload, hash, created_at FROM outbox WHERE format = 0 ORDER BY seq`)
		if err != nil {
			return fmt.Errorf("re-encode outbox: %w", err)
		}
		var old []OutboxEntry
		for rows.Next() {
			var e OutboxEntry
			var p string
			if err := rows.Scan(&e.Seq, &e.Mutation, &e.Version, &e.RecordID, &p, &e.Hash, &e.CreatedAt); err != nil {
				rows.Close()
				return fmt.Errorf("re-encode outbox: %w", err)
			}
			e.Payload = json.RawMessage(p)
			old = append(old, e)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("re-encode outbox: %w", err)
		}
		done := 0
		for _, e := range old {
			fn := reencoders[e.Mutation]
			if fn == nil {
				continue // a mutation not converted yet: a later version re-encodes it
			}
			p, err := fn(ctx, tx, e)
			if err != nil {
				slog.Warn("outbox row not re-encoded", "seq", e.Seq, "mutation", e.Mutation, "err", ErrorCode(err))
				continue
			}
			spec := p.spec()
			b, hash, err := encodePayload(p)
			if err != nil {
				return fmt.Errorf("re-encode outbox %d: %w", e.Seq, err)
			}
			if _, err := tx.ExecContext(ctx, `UPDATE outbox SET mutation = ?, version = ?, record_id = ?, payload = ?, hash = ?, format = 1 WHERE seq = ?`,
				spec.Name, spec.Version, p.recordID(), string(b), hash, e.Seq); err != nil {
				return fmt.Errorf("re-encode outbox %d: %w", e.Seq, err)
			}
			done++
		}
		if done > 0 {
			slog.Info("outbox re-encoded", "rows", done, "left", len(old)-done)
		}
		return nil
	})
}

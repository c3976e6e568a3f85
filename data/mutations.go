package data

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
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
}

// pendingOrd places events HQ has not ordered yet after every HQ-ordered one.
const pendingOrd int64 = 1 << 50

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
}

// DescribeMutation decodes and validates a mutation's payload. An unknown
// name or version, a payload that does not decode strictly, or one that
// fails validation is an *Error whose Key says why in the user's words.
func DescribeMutation(name string, version int, raw []byte) (Described, error) {
	spec, ok := mutationSpecs[mutationKey{name, version}]
	if !ok {
		return Described{}, &Error{Code: EINVALID, Key: "err.sync.unknown_mutation", Args: map[string]any{"Name": name, "Version": version}}
	}
	p, err := spec.decode(raw)
	if err != nil {
		return Described{}, err
	}
	if err := p.validate(); err != nil {
		return Described{}, err
	}
	if p.recordID() == "" {
		return Described{}, &Error{Code: EINVALID, Key: "err.sync.payload", Err: fmt.Errorf("%s v%d: no record id", name, version)}
	}
	c := *spec
	c.decode = nil
	return Described{Spec: c, RecordID: p.recordID(), OfficeID: p.officeID(), Refs: p.refs()}, nil
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

// record makes a local change: it appends the payload to the outbox and
// applies it, in the caller's transaction, so the change and its outbox row
// commit or vanish together. The outbox seq orders the change's events after
// every HQ-ordered one until HQ gives it its place.
func record(ctx context.Context, tx *txn, at int64, p payload) error {
	spec := p.spec()
	b, hash, err := encodePayload(p)
	if err != nil {
		return fmt.Errorf("outbox %s: %w", spec.Name, err)
	}
	res, err := tx.ExecContext(ctx,
		`INSERT INTO outbox (mutation, version, record_id, payload, hash, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
		spec.Name, spec.Version, p.recordID(), string(b), hash, at)
	if err != nil {
		return fmt.Errorf("outbox %s: %w", spec.Name, err)
	}
	seq, err := res.LastInsertId()
	if err != nil {
		return fmt.Errorf("outbox %s: %w", spec.Name, err)
	}
	return p.apply(ctx, tx, applyCtx{ord: pendingOrd + seq})
}

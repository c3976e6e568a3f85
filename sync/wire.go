// Package hqsync is the wire protocol between a device and HQ, and the
// device's side of it: the HTTP client, the background sync loop and blob
// transfer. Import it as hqsync everywhere, so it never shadows the standard
// library's sync. See docs/sync.md.
package hqsync

import "encoding/json"

// Protocol is the version of this wire protocol, sent in every request.
const Protocol = 1

// Headers every request carries.
const (
	HeaderProtocol = "Anchang-Protocol"
	HeaderSchema   = "Anchang-Schema"
)

// Scopes.
const (
	ScopeGlobal = "global"
	// ScopeHQ is HQ's own scope, read only by HQ devices: the HQ devices'
	// staff (and other records of their local office) and the review
	// queue, a copy of every office's draft of HQ-owned reference data
	// (entity ReviewEntityPrefix + the entity).
	ScopeHQ = "hq"
	// ReviewEntityPrefix marks a review-queue copy of an office's draft.
	ReviewEntityPrefix = "review:"
)

// OfficeScope is the scope of one office's records.
func OfficeScope(officeID string) string { return "office:" + officeID }

// Error codes that only sync uses; the rest are data's (data/errors.go).
// The list crosses the wire, so it is only ever appended to.
const (
	CodeUnauthorized   = "unauthorized"
	CodeRevoked        = "revoked"
	CodeResync         = "resync"
	CodeTooLarge       = "too_large"
	CodeUpdateRequired = "update_required"
	CodeRateLimited    = "rate_limited"
	CodeUnavailable    = "unavailable"
	CodeIntegrity      = "integrity"
)

// WireError is the body of every error answer: {"error": {...}}.
type WireError struct {
	Code string         `json:"code"`
	Key  string         `json:"key"`
	Args map[string]any `json:"args,omitempty"`
}

// ErrorBody wraps a WireError.
type ErrorBody struct {
	Error WireError `json:"error"`
}

// StandaloneOffice is sent by a device that already has an office of its own.
type StandaloneOffice struct {
	OfficeID   string `json:"office_id"`
	OfficeCode string `json:"office_code"`
	HasHistory bool   `json:"has_history"`
}

// EnrollRequest is POST /v1/enroll.
type EnrollRequest struct {
	Code         string            `json:"code"`
	DeviceID     string            `json:"device_id"`
	InstallEpoch int64             `json:"install_epoch"`
	DeviceName   string            `json:"device_name"`
	Schema       int               `json:"schema"`
	Standalone   *StandaloneOffice `json:"standalone,omitempty"`
	// HistoryUpto: a standalone office's device's outbox seq its history
	// ends at; HQ-owned mutations up to it are the office's own records.
	HistoryUpto int64 `json:"history_upto,omitempty"`
}

// Device roles at HQ.
const (
	RoleOffice = "office"
	RoleHQ     = "hq"
)

// EnrollResponse answers an enrollment.
type EnrollResponse struct {
	DeviceID   string   `json:"device_id"`
	OfficeID   string   `json:"office_id"`   // "" for an HQ device
	OfficeCode string   `json:"office_code"` // "" for an HQ device
	OfficeName string   `json:"office_name"`
	Role       string   `json:"role"` // RoleOffice or RoleHQ
	Tag        string   `json:"tag"`  // the device's letter in its office's ticket numbers
	Scopes     []string `json:"scopes"`
	Secret     string   `json:"secret"` // the device credential; stored only on the device, never logged
	HQID       string   `json:"hq_id"`
}

// TokenRequest is POST /v1/token.
type TokenRequest struct {
	DeviceID string `json:"device_id"`
	Secret   string `json:"secret"`
	// DeviceName is the device's name now (renamed in Settings since it
	// enrolled); HQ's device list follows it. "" (an older device) keeps
	// the name HQ has.
	DeviceName string `json:"device_name,omitempty"`
}

// TokenResponse carries a short-lived bearer token.
type TokenResponse struct {
	Token     string `json:"token"`
	ExpiresAt int64  `json:"expires_at"` // Unix ms
}

// Mutation is one outbox row on the wire.
type Mutation struct {
	Seq       int64           `json:"seq"`
	Name      string          `json:"name"`
	Version   int             `json:"version"`
	RecordID  string          `json:"record_id"`
	Payload   json.RawMessage `json:"payload"`
	Hash      string          `json:"hash"`       // sha256 of Payload's bytes, hex
	CreatedAt int64           `json:"created_at"` // device clock, Unix ms: display only
}

// PushRequest is POST /v1/push.
type PushRequest struct {
	DeviceID     string     `json:"device_id"`
	InstallEpoch int64      `json:"install_epoch"`
	Mutations    []Mutation `json:"mutations"`
	// Pending, when the device knows it, is how many outbox rows wait after
	// this batch; HQ shows it in its device list. Optional.
	Pending int64 `json:"pending,omitempty"`
}

// Push result statuses.
const (
	StatusApplied   = "applied"
	StatusDuplicate = "duplicate"
	StatusRejected  = "rejected"
	// StatusIntegrity: the seq was already used at HQ with another payload
	// hash. The batch stops there (results after it are absent); the device's
	// outbox diverged from what HQ holds and needs support. Not retried.
	StatusIntegrity = "integrity"
)

// PushResult is HQ's answer for one mutation.
type PushResult struct {
	Seq      int64      `json:"seq"`
	Status   string     `json:"status"`
	Scope    string     `json:"scope,omitempty"`
	ScopeSeq int64      `json:"scope_seq,omitempty"`
	Error    *WireError `json:"error,omitempty"`
}

// PushResponse answers a push. LastSeq is HQ's last seq for this device and
// epoch after the push; ResendFrom, when not zero, is the seq HQ expects next
// (a gap or an HQ restored from an older backup).
type PushResponse struct {
	LastSeq    int64        `json:"last_seq"`
	Results    []PushResult `json:"results"`
	ResendFrom int64        `json:"resend_from,omitempty"`
}

// Limits of one request.
const (
	MaxPushMutations = 500
	MaxPushBytes     = 4 << 20
	MaxPullLimit     = 1000
	MaxWaitMS        = 30000
	MaxBlobChunk     = 1 << 20
)

// PullRequest is POST /v1/pull.
type PullRequest struct {
	Cursors map[string]int64 `json:"cursors"`
	Limit   int              `json:"limit"`
	WaitMS  int              `json:"wait_ms"`
	// Tips, per scope, is the Tip HQ gave with the cursor (a page's or a
	// snapshot header's). HQ answers Resync for a scope whose change at the
	// cursor is no longer that one: HQ was restored from an older backup and
	// other devices have written past the cursor since. Optional; a scope
	// without a tip is not checked.
	Tips map[string]string `json:"tips,omitempty"`
}

// Change is one record change in a scope's log.
type Change struct {
	Seq          int64           `json:"seq"`
	Name         string          `json:"name"`
	Version      int             `json:"version"`
	RecordID     string          `json:"record_id"`
	Payload      json.RawMessage `json:"payload,omitempty"`
	Deleted      bool            `json:"deleted,omitempty"`
	OriginDevice string          `json:"origin_device"`
	OriginSeq    int64           `json:"origin_seq"`
	// OriginEpoch is the origin device's install epoch of OriginSeq (its
	// seqs start again at 1 in a new epoch). Absent in a snapshot.
	OriginEpoch int64 `json:"origin_epoch,omitempty"`
}

// ScopePage is one scope's part of a pull answer.
type ScopePage struct {
	Changes []Change `json:"changes"`
	Next    int64    `json:"next"` // the cursor after this page
	Head    int64    `json:"head"`
	More    bool     `json:"more"`
	Resync  bool     `json:"resync,omitempty"`
	// Tip identifies the change at Next; keep it with the cursor and send it
	// back in PullRequest.Tips. "" at cursor 0.
	Tip string `json:"tip,omitempty"`
}

// PullResponse answers a pull.
type PullResponse struct {
	Scopes map[string]ScopePage `json:"scopes"`
}

// SnapshotHeader is the first line of GET /v1/snapshot; each following line
// is a Change; the last is a SnapshotTrailer.
type SnapshotHeader struct {
	Scope  string `json:"scope"`
	Cursor int64  `json:"cursor"`
	Count  int64  `json:"count"`
	Tip    string `json:"tip,omitempty"` // the tip at Cursor (see ScopePage.Tip)
}

// SnapshotTrailer ends a snapshot stream.
type SnapshotTrailer struct {
	Done  bool  `json:"done"`
	Count int64 `json:"count"`
}

// Package hq is the HQ side of sync (docs/sync.md): the HTTP server with its
// handlers, tokens, enrollment, push, long-poll pull, snapshots, blobs,
// metrics and limits, and the Store that keeps HQ's log on SQLite or
// PostgreSQL. It never imports Fyne; it imports anchang/data only for its
// error type and codes (the Server gets data.DescribeMutation as a function).
package hq

import (
	"context"
	"io"

	"anchang/data"
	hqsync "anchang/sync"
)

// DescribeFunc decodes and validates a pushed payload; cmd/anchang-hq passes
// data.DescribeMutation.
type DescribeFunc func(name string, version int, payload []byte) (data.Described, error)

// Office is an office known to HQ. The HQ pseudo-office (code "HQ") holds
// the HQ devices.
type Office struct {
	ID        string
	Code      string
	Name      string
	CreatedAt int64 // Unix ms
}

// HQOfficeID and HQOfficeCode name the pseudo-office of HQ devices.
const (
	HQOfficeID   = "hq"
	HQOfficeCode = "HQ"
	// HQOrigin is the origin_device of changes HQ itself authors (an office's
	// record written by `office add`).
	HQOrigin = "hq"
)

// Device is an enrolled device as HQ knows it.
type Device struct {
	ID           string
	OfficeID     string
	OfficeCode   string
	Role         string // hqsync.RoleOffice or hqsync.RoleHQ
	Tag          string
	Name         string
	InstallEpoch int64
	LastSeq      int64 // in its latest install epoch
	Pending      int64 // outbox rows waiting, as the device last said; -1 unknown
	LastContact  int64 // Unix ms, 0 never
	EnrolledAt   int64
	RevokedAt    int64  // 0 while enrolled
	SecretHash   string // SHA-256 of the device's secret, hex; never logged
	// A standalone office's device brought its history at enrollment: its
	// HQ-owned mutations of install epoch HistoryEpoch with seq ≤
	// HistoryUpto are the office's own records (office scope).
	HistoryEpoch, HistoryUpto int64
}

// ownHistory says whether a device's mutation (of that install epoch and
// seq) was recorded before it enrolled, as a standalone office.
func (d Device) ownHistory(epoch, seq int64) bool {
	return d.Role == hqsync.RoleOffice && d.HistoryUpto > 0 && epoch == d.HistoryEpoch && seq <= d.HistoryUpto
}

// Scopes a device may read.
func (d Device) CanRead(scope string) bool {
	if scope == hqsync.ScopeGlobal {
		return true
	}
	if d.Role == hqsync.RoleHQ {
		return scope == hqsync.ScopeHQ || len(scope) > len("office:") && scope[:len("office:")] == "office:"
	}
	return scope == hqsync.OfficeScope(d.OfficeID)
}

// EnrollInput is one enrollment, with the code and secret already hashed.
type EnrollInput struct {
	CodeHash     string
	DeviceID     string
	InstallEpoch int64
	DeviceName   string
	SecretHash   string
	Standalone   *hqsync.StandaloneOffice
	HistoryUpto  int64 // with Standalone: the device's history ends at this outbox seq
	Now          int64
}

// PushOutcome is a push's answer plus what the server counts and wakes.
type PushOutcome struct {
	Response   hqsync.PushResponse
	Touched    []string // scopes that got changes
	Applied    int
	Duplicates int
	Rejected   map[string]int // by error code
}

// HQChange is a change HQ authors itself (origin_device "hq").
type HQChange struct {
	Scope    string
	Entity   string
	RecordID string
	Name     string
	Version  int
	Rank     int
	Payload  []byte
}

// Rejection is a refused mutation.
type Rejection struct {
	DeviceID     string
	OfficeCode   string
	InstallEpoch int64
	Seq          int64
	Name         string
	Version      int
	Code         string
	Key          string
	Args         string // JSON
	At           int64
}

// BlobState is what HQ holds of a blob.
type BlobState struct {
	Size     int64 // the announced length; 0 when unknown
	Offset   int64 // bytes received
	Complete bool
}

// Store is HQ's storage. SQLStore implements it on SQLite and PostgreSQL.
type Store interface {
	HQID(ctx context.Context) (string, error)
	SigningKey(ctx context.Context) ([]byte, error)
	Ping(ctx context.Context) error

	AddOffice(ctx context.Context, code, name string, now int64) (Office, error)
	// RenameOffice gives the office with that code a new name (the code
	// never changes: it is in the office's ticket numbers).
	RenameOffice(ctx context.Context, code, name string) (Office, error)
	Offices(ctx context.Context) ([]Office, error)
	OfficeByCode(ctx context.Context, code string) (Office, error)
	AddEnrollCode(ctx context.Context, codeHash, officeID, role string, now, expiresAt int64) error
	Enroll(ctx context.Context, in EnrollInput) (Device, Office, error)
	Device(ctx context.Context, id string) (Device, error)
	Devices(ctx context.Context) ([]Device, error)
	Revoke(ctx context.Context, deviceID string, now int64) error
	Touch(ctx context.Context, deviceID string, now int64) error
	// RenameDevice records the name a device now goes by (sent with its
	// token request).
	RenameDevice(ctx context.Context, deviceID, name string) error
	Rejections(ctx context.Context, officeID string, limit int) ([]Rejection, error)

	Push(ctx context.Context, dev Device, req *hqsync.PushRequest, describe DescribeFunc, now int64) (PushOutcome, error)
	AppendHQ(ctx context.Context, c HQChange, now int64) (int64, error)
	// AppendHQAll appends several, in one transaction.
	AppendHQAll(ctx context.Context, cs []HQChange, now int64) ([]int64, error)
	Pull(ctx context.Context, cursors map[string]int64, limit int) (map[string]hqsync.ScopePage, error)
	PullTips(ctx context.Context, cursors map[string]int64, tips map[string]string, limit int) (map[string]hqsync.ScopePage, error)
	Snapshot(ctx context.Context, scope string, header func(hqsync.SnapshotHeader) error, each func(hqsync.Change) error) (int64, error)
	// SnapshotHolds is the first of versions a snapshot of scope would
	// carry (a live record of that mutation version), or false.
	SnapshotHolds(ctx context.Context, scope string, versions []MutationVersion) (MutationVersion, bool, error)
	Purge(ctx context.Context, before int64) (int64, error)

	BlobState(ctx context.Context, sha string) (BlobState, error)
	BlobAppend(ctx context.Context, sha string, offset, length int64, chunk []byte, now int64) (BlobState, error)
	BlobRead(ctx context.Context, sha string, w io.Writer) (int64, error)

	// Listen calls wake with the scope of every change another process
	// commits (PostgreSQL LISTEN/NOTIFY), "" meaning "maybe any" (after a
	// reconnect), until ctx ends.
	Listen(ctx context.Context, wake func(scope string)) error
	Close() error
}

// MutationVersion names one version of one mutation.
type MutationVersion struct {
	Name    string
	Version int
}

package hq

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"math/big"
	"os"
	"time"

	"anchang/data"
	"anchang/data/sheet"
	hqsync "anchang/sync"
)

// What `anchang-hq import` publishes.
const (
	PublishFAQ      = "faq"      // a manual: CSV or XLSX, the desk's FAQ import format
	PublishTemplate = "template" // an inspection checklist template (JSON), as the desk imports it
	PublishHolidays = "holidays" // a year's official holiday schedule (assets/holidays JSON)
)

// PublishResult says what an import published to global.
type PublishResult struct {
	Changes  int                  // changes appended to global
	FAQ      data.FAQImportResult // PublishFAQ: entries created, updated, unchanged
	Template string               // PublishTemplate: the template's code and version, "code v2"
	Year     int                  // PublishHolidays
}

// MaxPublishFile bounds a file HQ publishes.
const MaxPublishFile = 32 << 20

// Publish imports a file for every office: HQ's global scope is loaded
// into a scratch store enrolled as an HQ device (in a temporary directory,
// removed after), the desk's own import runs there (the same formats,
// checks and messages, and versions that follow what global holds), and
// the changes it recorded are appended to global in one transaction, made
// by the command line (created_by ""). A bad file publishes nothing; its
// error is a *data.Error in the desk's terms. Offices receive the changes
// on their next pull (a server on SQLite in another process wakes its
// waiting devices at their next poll, at most 30 s).
func Publish(ctx context.Context, st Store, kind, name string, r io.Reader, now time.Time) (PublishResult, error) {
	var res PublishResult
	switch kind {
	case PublishFAQ, PublishTemplate, PublishHolidays:
	default:
		return res, fmt.Errorf("publish: unknown kind %q (faq, template, holidays)", kind)
	}
	b, err := io.ReadAll(io.LimitReader(r, MaxPublishFile+1))
	if err != nil {
		return res, fmt.Errorf("publish: read %s: %w", name, err)
	}
	if len(b) > MaxPublishFile {
		return res, fmt.Errorf("publish: %s is larger than %d MiB", name, MaxPublishFile>>20)
	}
	hqID, err := st.HQID(ctx)
	if err != nil {
		return res, err
	}
	dir, err := os.MkdirTemp("", "anchang-hq-publish-")
	if err != nil {
		return res, fmt.Errorf("publish: %w", err)
	}
	defer os.RemoveAll(dir)
	scratch, err := data.Open(ctx, dir)
	if err != nil {
		return res, fmt.Errorf("publish: scratch store: %w", err)
	}
	defer scratch.Close()
	scratch.Now = func() time.Time { return now }
	id, err := scratch.SyncIdentity(ctx)
	if err != nil {
		return res, err
	}
	if err := scratch.Enroll(ctx, data.Enrollment{HQURL: "https://hq.invalid", HQID: hqID, DeviceID: id.DeviceID, Role: data.SyncRoleHQ,
		Scopes: []string{hqsync.ScopeGlobal}, Secret: "scratch", DeviceName: "anchang-hq"}); err != nil {
		return res, fmt.Errorf("publish: scratch store: %w", err)
	}
	// HQ's global scope as it is now.
	var head hqsync.SnapshotHeader
	var changes []data.PulledChange
	if _, err := st.Snapshot(ctx, hqsync.ScopeGlobal, func(h hqsync.SnapshotHeader) error { head = h; return nil }, func(c hqsync.Change) error {
		changes = append(changes, data.PulledChange{Seq: c.Seq, Name: c.Name, Version: c.Version, RecordID: c.RecordID, Payload: c.Payload,
			Deleted: c.Deleted, OriginDevice: c.OriginDevice, OriginSeq: c.OriginSeq})
		return nil
	}); err != nil {
		return res, fmt.Errorf("publish: global: %w", err)
	}
	i := 0
	if err := scratch.ApplySnapshot(ctx, hqsync.ScopeGlobal, head.Cursor, head.Tip, func() (data.PulledChange, bool, error) {
		if i == len(changes) {
			return data.PulledChange{}, false, nil
		}
		i++
		return changes[i-1], true, nil
	}); err != nil {
		return res, fmt.Errorf("publish: global: %w", err)
	}
	// A scratch admin to run the import as (its PIN is never used).
	n, _ := rand.Int(rand.Reader, big.NewInt(90_000_000))
	admin, err := scratch.CreateFirstAdmin(ctx, data.FirstAdminInput{Name: "总部", PIN: fmt.Sprint(10_000_000 + n.Int64())})
	if err != nil {
		return res, fmt.Errorf("publish: scratch admin: %w", err)
	}
	switch kind {
	case PublishFAQ:
		var t data.Table
		if t, err = sheet.Read(name, bytes.NewReader(b)); err == nil {
			res.FAQ, err = scratch.ImportFAQ(ctx, admin.ID, t)
		}
	case PublishTemplate:
		var t data.InspectionTemplate
		t, err = scratch.ImportInspectionTemplate(ctx, admin.ID, b)
		res.Template = fmt.Sprintf("%s v%d", t.Code, t.Version)
	case PublishHolidays:
		res.Year, err = scratch.ImportHolidays(ctx, admin.ID, b)
	}
	if err != nil {
		return res, err
	}
	pub, err := scratch.TakePublished(ctx, admin.ID)
	if err != nil {
		return res, err
	}
	cs := make([]HQChange, 0, len(pub))
	for _, p := range pub {
		if p.OfficeID != "" {
			return res, fmt.Errorf("publish: %s names an office", p.Spec.Name)
		}
		cs = append(cs, HQChange{Scope: hqsync.ScopeGlobal, Entity: p.Spec.Entity, RecordID: p.RecordID,
			Name: p.Spec.Name, Version: p.Spec.Version, Rank: p.Spec.Rank, Payload: p.Payload})
	}
	if len(cs) > 0 {
		if _, err := st.AppendHQAll(ctx, cs, now.UnixMilli()); err != nil {
			return res, err
		}
	}
	res.Changes = len(cs)
	return res, nil
}

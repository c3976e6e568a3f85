package hqsync

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"anchang/data"
)

// Enroll joins this device to an office (or to HQ) with a one-time code:
// it checks the address and the pinned certificate, enrolls at HQ, stores
// the enrollment (a standalone office adopts HQ's office id there), then
// loads every scope from HQ's snapshot, streamed, reporting progress. A
// scope that fails to load is loaded again by the Loop, so a cut connection
// after the enrollment itself costs nothing but time.
func Enroll(ctx context.Context, st Store, in EnrollInput, opts Options) (EnrollResult, error) {
	opts = opts.withDefaults()
	base, err := NormalizeURL(in.HQURL)
	if err != nil {
		return EnrollResult{}, err
	}
	fp, err := NormalizeFingerprint(in.Fingerprint)
	if err != nil {
		return EnrollResult{}, err
	}
	code := strings.TrimSpace(in.Code)
	if code == "" {
		return EnrollResult{}, &data.Error{Code: data.EINVALID, Field: "code", Key: KeyBadCode}
	}
	id, err := st.SyncIdentity(ctx)
	if err != nil {
		return EnrollResult{}, fmt.Errorf("enroll: %w", err)
	}
	if id.Enrolled {
		return EnrollResult{}, &data.Error{Code: data.ECONFLICT, Key: KeyAlreadyEnrolled}
	}
	if id.Demo { // before HQ is asked: the one-time code stays unused
		return EnrollResult{}, &data.Error{Code: data.ECONFLICT, Key: "err.demo.enrol"}
	}
	if id.Importing { // likewise: the code stays unused until the import is done
		return EnrollResult{}, &data.Error{Code: data.ECONFLICT, Key: "err.import.enrol"}
	}
	name := strings.TrimSpace(in.DeviceName)
	if name == "" {
		name = id.DeviceName
	}
	c := newClient(clientConfig{URL: base, Fingerprint: fp, RootCAs: opts.RootCAs, Wrap: opts.WrapTransport, Now: opts.Now, Logger: opts.Logger})
	defer c.close()
	req := EnrollRequest{Code: code, DeviceID: id.DeviceID, InstallEpoch: id.InstallEpoch, DeviceName: name, Schema: data.SchemaVersion}
	if id.OfficeID != "" {
		req.Standalone = &StandaloneOffice{OfficeID: id.OfficeID, OfficeCode: id.OfficeCode, HasHistory: id.HasHistory}
		req.HistoryUpto = id.HistoryUpto
	}
	res, err := c.enroll(ctx, req)
	if err != nil {
		return EnrollResult{}, err
	}
	if id.DeviceID != "" && res.DeviceID != id.DeviceID {
		return EnrollResult{}, syncError(CodeUnavailable, KeyBadResponse, errors.New("/v1/enroll: another device id in the answer"))
	}
	err = st.Enroll(ctx, data.Enrollment{
		HQURL: base, Fingerprint: fp, HQID: res.HQID, DeviceID: res.DeviceID,
		OfficeID: res.OfficeID, OfficeCode: res.OfficeCode, OfficeName: res.OfficeName,
		Role: res.Role, Tag: res.Tag, Scopes: res.Scopes, Secret: res.Secret, DeviceName: name,
	})
	if err != nil {
		return EnrollResult{}, fmt.Errorf("enroll: store: %w", err)
	}
	opts.Logger.Info("enrolled at hq", "hq", base, "office", res.OfficeCode, "role", res.Role, "tag", res.Tag)
	out := EnrollResult{OfficeID: res.OfficeID, OfficeCode: res.OfficeCode, OfficeName: res.OfficeName, Role: res.Role, Tag: res.Tag, Scopes: res.Scopes, Loaded: map[string]int64{}}
	id, err = st.SyncIdentity(ctx)
	if err != nil {
		return out, fmt.Errorf("enroll: %w", err)
	}
	c.creds, c.name = credentials(st, id.DeviceID), deviceName(st)
	if in.Joined != nil {
		in.Joined(out)
	}
	for _, scope := range id.Scopes {
		n, err := bootstrap(ctx, c, st, scope, in.Progress)
		if err != nil {
			return out, err
		}
		out.Loaded[scope] = n
	}
	return out, nil
}

// credentials reads the device's secret from the store when a token is due.
func credentials(st Store, deviceID string) func(context.Context) (string, string, error) {
	return func(ctx context.Context) (string, string, error) {
		secret, err := st.DeviceSecret(ctx)
		if err != nil {
			return "", "", fmt.Errorf("device secret: %w", err)
		}
		return deviceID, secret, nil
	}
}

// deviceName reads the device's name as it is now, for the token request
// (HQ's device list follows a rename made in Settings); "" if unreadable.
func deviceName(st Store) func(context.Context) string {
	return func(ctx context.Context) string {
		id, err := st.SyncIdentity(ctx)
		if err != nil {
			return ""
		}
		return id.DeviceName
	}
}

// bootstrap loads one scope from HQ's snapshot in one local transaction
// (a stream cut short applies nothing) and sets its cursor with HQ's tip
// for it. It returns the records loaded.
func bootstrap(ctx context.Context, c *client, st Store, scope string, progress func(Progress)) (int64, error) {
	s, err := c.snapshot(ctx, scope)
	if err != nil {
		return 0, err
	}
	defer s.Close()
	total := s.Header.Count
	var n int64
	if progress != nil {
		progress(Progress{Scope: scope, Done: 0, Total: total})
	}
	err = st.ApplySnapshot(ctx, scope, s.Header.Cursor, s.Header.Tip, func() (data.PulledChange, bool, error) {
		ch, ok, err := s.next()
		if err != nil || !ok {
			return data.PulledChange{}, false, err
		}
		n++
		if progress != nil && n%250 == 0 {
			progress(Progress{Scope: scope, Done: n, Total: total})
		}
		return pulledChange(ch), true, nil
	})
	if err != nil {
		return 0, fmt.Errorf("load %s: %w", scope, err)
	}
	if progress != nil {
		progress(Progress{Scope: scope, Done: n, Total: total})
	}
	return n, nil
}

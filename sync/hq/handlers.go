package hq

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"time"

	"anchang/data"
	hqsync "anchang/sync"
)

// Body limits: a push may carry MaxPushBytes of mutations plus its envelope.
const (
	maxPushBody  = hqsync.MaxPushBytes + 64<<10
	maxPullBody  = 256 << 10
	maxPullScope = 2000
)

func (s *Server) push(c *call) error {
	var req hqsync.PushRequest
	if err := decode(c, maxPushBody, &req); err != nil {
		return err
	}
	if len(req.Mutations) > hqsync.MaxPushMutations {
		return &data.Error{Code: hqsync.CodeTooLarge, Key: "err.sync.too_large"}
	}
	if req.DeviceID != c.dev.ID {
		return &data.Error{Code: data.EFORBIDDEN, Key: "err.sync.other_device"}
	}
	if req.InstallEpoch <= 0 {
		return &data.Error{Code: data.EINVALID, Key: "err.sync.malformed"}
	}
	for _, m := range req.Mutations {
		if m.Seq <= 0 {
			return &data.Error{Code: data.EINVALID, Key: "err.sync.malformed"}
		}
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(c.r.Context()), s.cfg.PushTimeout)
	defer cancel()
	// A push that started finishes even if the client goes away (its answer
	// is lost; the retry is a duplicate) or HQ is shutting down.
	out, err := s.store.Push(ctx, c.dev, &req, s.cfg.Describe, s.now().UnixMilli())
	if err != nil {
		return err
	}
	for _, sc := range out.Touched {
		s.bc.notify(sc)
	}
	s.m.applied.Add(float64(out.Applied))
	s.m.duplicates.Add(float64(out.Duplicates))
	rejected := 0
	for code, n := range out.Rejected {
		s.m.rejections.WithLabelValues(code).Add(float64(n))
		rejected += n
	}
	integrity := 0
	for _, r := range out.Response.Results {
		if r.Status == hqsync.StatusIntegrity {
			integrity++
		}
	}
	s.m.integrity.Add(float64(integrity))
	c.attrs = append(c.attrs, "epoch", req.InstallEpoch, "mutations", len(req.Mutations), "applied", out.Applied,
		"duplicates", out.Duplicates, "rejected", rejected, "integrity", integrity,
		"last_seq", out.Response.LastSeq, "resend_from", out.Response.ResendFrom)
	if out.Response.Results == nil {
		out.Response.Results = []hqsync.PushResult{}
	}
	return writeJSON(c.w, out.Response)
}

func (s *Server) pull(c *call) error {
	var req hqsync.PullRequest
	if err := decode(c, maxPullBody, &req); err != nil {
		return err
	}
	if len(req.Cursors) == 0 || len(req.Cursors) > maxPullScope {
		return &data.Error{Code: data.EINVALID, Key: "err.sync.malformed"}
	}
	scopes := make([]string, 0, len(req.Cursors))
	for sc := range req.Cursors {
		if !c.dev.CanRead(sc) {
			return &data.Error{Code: data.EFORBIDDEN, Key: "err.sync.scope", Args: map[string]any{"Scope": sc}}
		}
		scopes = append(scopes, sc)
	}
	limit := req.Limit
	if limit <= 0 || limit > hqsync.MaxPullLimit {
		limit = hqsync.MaxPullLimit
	}
	wait := time.Duration(min(max(req.WaitMS, 0), hqsync.MaxWaitMS)) * time.Millisecond
	ctx := c.r.Context()

	// Watch before reading, so a change committed between the read and the
	// wait still wakes us.
	var w *waiter
	if wait > 0 {
		w = s.bc.watch(scopes)
		defer s.bc.unwatch(w)
	}
	pages, err := s.store.PullTips(ctx, req.Cursors, req.Tips, limit)
	if err != nil {
		return err
	}
	if w != nil && empty(pages) {
		// Wait for a change in one of the scopes; a wake-up that brings
		// nothing (another scope's hint, a listener reconnect) waits on.
		s.m.waiting.Inc()
		t := time.NewTimer(wait)
	wait:
		for empty(pages) {
			select {
			case <-w.ch:
			case <-t.C:
				break wait
			case <-ctx.Done():
				break wait
			case <-s.closing:
				break wait
			}
			if pages, err = s.store.PullTips(ctx, req.Cursors, req.Tips, limit); err != nil {
				break
			}
		}
		t.Stop()
		s.m.waiting.Dec()
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err != nil {
			return err
		}
		if empty(pages) { // timed out or shutting down: the latest state
			if pages, err = s.store.PullTips(ctx, req.Cursors, req.Tips, limit); err != nil {
				return err
			}
		}
	}
	if old := s.tooOld(c); len(old) > 0 {
		// A change this client cannot apply would fail its whole page
		// (err.sync.unknown_mutation) and stop its sync there: tell it to
		// update instead, before it applies anything of this answer.
		for sc, p := range pages {
			for _, ch := range p.Changes {
				v := MutationVersion{ch.Name, ch.Version}
				if slices.Contains(old, v) {
					return s.updateRequired(c, sc, v)
				}
			}
		}
	}
	n := 0
	for sc, p := range pages {
		s.m.lag.Observe(float64(p.Head - req.Cursors[sc]))
		n += len(p.Changes)
	}
	c.attrs = append(c.attrs, "scopes", len(scopes), "changes", n)
	return writeJSON(c.w, hqsync.PullResponse{Scopes: pages})
}

func empty(pages map[string]hqsync.ScopePage) bool {
	for _, p := range pages {
		if len(p.Changes) > 0 || p.Resync {
			return false
		}
	}
	return true
}

func (s *Server) snapshot(c *call) error {
	scope := c.r.URL.Query().Get("scope")
	if scope == "" {
		return &data.Error{Code: data.EINVALID, Key: "err.sync.malformed"}
	}
	if !c.dev.CanRead(scope) {
		return &data.Error{Code: data.EFORBIDDEN, Key: "err.sync.scope", Args: map[string]any{"Scope": scope}}
	}
	old := s.tooOld(c)
	if len(old) > 0 {
		v, holds, err := s.store.SnapshotHolds(c.r.Context(), scope, old)
		if err != nil {
			return err
		}
		if holds {
			return s.updateRequired(c, scope, v)
		}
	}
	rc := http.NewResponseController(c.w)
	bw := bufio.NewWriterSize(c.w, 64<<10)
	enc := json.NewEncoder(bw)
	started := false
	n, err := s.store.Snapshot(c.r.Context(), scope, func(h hqsync.SnapshotHeader) error {
		c.w.Header().Set("Content-Type", "application/x-ndjson")
		c.w.Header().Set("Cache-Control", "no-store")
		started = true
		return enc.Encode(h)
	}, func(ch hqsync.Change) error {
		if v := (MutationVersion{ch.Name, ch.Version}); len(old) > 0 && slices.Contains(old, v) {
			// Written after the check above: cut the stream (nothing of it
			// applies); the next request gets the 426.
			return s.updateRequired(c, scope, v)
		}
		rc.SetWriteDeadline(time.Now().Add(time.Minute))
		return enc.Encode(ch)
	})
	c.attrs = append(c.attrs, "scope_kind", scopeKind(scope), "records", n)
	if err != nil {
		if started {
			// Cut the stream without its trailer: the client applies nothing.
			bw.Flush()
			panic(http.ErrAbortHandler)
		}
		return err
	}
	if err := enc.Encode(hqsync.SnapshotTrailer{Done: true, Count: n}); err != nil {
		return err
	}
	return bw.Flush()
}

func scopeKind(scope string) string {
	if scope == hqsync.ScopeGlobal {
		return "global"
	}
	return "office"
}

var shaRe = regexp.MustCompile(`^[0-9a-f]{64}$`)

func blobSHA(c *call) (string, error) {
	sha := c.r.PathValue("sha")
	if !shaRe.MatchString(sha) {
		return "", &data.Error{Code: data.EINVALID, Key: "err.sync.blob_name"}
	}
	return sha, nil
}

func (s *Server) blobHead(c *call) error {
	sha, err := blobSHA(c)
	if err != nil {
		return err
	}
	st, err := s.store.BlobState(c.r.Context(), sha)
	if err != nil {
		return err
	}
	blobHeaders(c.w, st)
	c.w.WriteHeader(http.StatusOK)
	return nil
}

func blobHeaders(w http.ResponseWriter, st BlobState) {
	w.Header().Set("Upload-Offset", strconv.FormatInt(st.Offset, 10))
	if st.Size > 0 {
		w.Header().Set("Upload-Length", strconv.FormatInt(st.Size, 10))
	}
	if st.Complete {
		w.Header().Set("Upload-Complete", "1")
	}
	w.Header().Set("Cache-Control", "no-store")
}

func (s *Server) blobPatch(c *call) error {
	sha, err := blobSHA(c)
	if err != nil {
		return err
	}
	off, err1 := strconv.ParseInt(c.r.Header.Get("Upload-Offset"), 10, 64)
	length, err2 := strconv.ParseInt(c.r.Header.Get("Upload-Length"), 10, 64)
	if err1 != nil || err2 != nil || off < 0 || length <= 0 {
		return &data.Error{Code: data.EINVALID, Key: "err.sync.malformed"}
	}
	if length > s.cfg.MaxBlobSize {
		return &data.Error{Code: hqsync.CodeTooLarge, Key: "err.sync.too_large"}
	}
	chunk, err := io.ReadAll(http.MaxBytesReader(c.w, c.r.Body, hqsync.MaxBlobChunk))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return &data.Error{Code: hqsync.CodeTooLarge, Key: "err.sync.too_large"}
		}
		return &data.Error{Code: data.EINVALID, Key: "err.sync.malformed", Err: err}
	}
	st, err := s.store.BlobAppend(context.WithoutCancel(c.r.Context()), sha, off, length, chunk, s.now().UnixMilli())
	if err != nil {
		if e, ok := data.AsError(err); ok && e.Code == data.ECONFLICT {
			if o, ok := e.Args["Offset"].(int64); ok {
				c.w.Header().Set("Upload-Offset", strconv.FormatInt(o, 10))
			}
		}
		return err
	}
	c.attrs = append(c.attrs, "bytes", len(chunk), "complete", st.Complete)
	blobHeaders(c.w, st)
	c.w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) blobGet(c *call) error {
	sha, err := blobSHA(c)
	if err != nil {
		return err
	}
	st, err := s.store.BlobState(c.r.Context(), sha)
	if err != nil {
		return err
	}
	if !st.Complete {
		return &data.Error{Code: data.ENOTFOUND, Key: "err.sync.no_blob"}
	}
	c.w.Header().Set("Content-Type", "application/octet-stream")
	c.w.Header().Set("Content-Length", strconv.FormatInt(st.Size, 10))
	c.w.Header().Set("Cache-Control", "private, max-age=31536000, immutable")
	if _, err := s.store.BlobRead(c.r.Context(), sha, c.w); err != nil {
		if c.w.(*statusWriter).wrote {
			panic(http.ErrAbortHandler)
		}
		return fmt.Errorf("blob read: %w", err)
	}
	return nil
}

package hqsync

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"anchang/data"
)

// BlobStore is what blob transfer needs of the device's store; *data.Store
// satisfies it. A Store without it syncs records only.
type BlobStore interface {
	PendingBlobs(ctx context.Context, limit int) ([]data.BlobInfo, error)
	Blob(ctx context.Context, sha string) ([]byte, error)
	MarkBlobUploaded(ctx context.Context, sha string) error
	MissingBlobs(ctx context.Context, limit int) ([]data.BlobInfo, error)
	PutBlob(ctx context.Context, sha string, b []byte) error
}

const (
	blobBatch      = 50
	blobRetryAfter = 5 * time.Minute // a blob HQ does not have yet is asked for again after this
)

func blobPath(sha string) string { return "/v1/blobs/" + sha }

// blobOffset asks HQ how much of a blob it holds.
func (c *client) blobOffset(ctx context.Context, sha string) (offset int64, complete bool, err error) {
	_, hdr, err := c.send(ctx, request{method: http.MethodHead, path: blobPath(sha), auth: true, limit: maxErrorBody})
	if err != nil {
		return 0, false, err
	}
	offset, _ = strconv.ParseInt(hdr.Get("Upload-Offset"), 10, 64)
	return offset, hdr.Get("Upload-Complete") == "1", nil
}

// uploadBlob sends a blob in chunks from where HQ is (resumable: a cut
// upload goes on from HQ's offset next time). HQ checks the hash when the
// last byte arrives.
func (c *client) uploadBlob(ctx context.Context, sha string, b []byte) error {
	off, complete, err := c.blobOffset(ctx, sha)
	if err != nil {
		return err
	}
	for !complete {
		if off < 0 || off > int64(len(b)) {
			return syncError(CodeUnavailable, KeyBadResponse, fmt.Errorf("blob %.12s: hq offset %d of %d", sha, off, len(b)))
		}
		end := min(off+MaxBlobChunk, int64(len(b)))
		h := http.Header{}
		h.Set("Upload-Offset", strconv.FormatInt(off, 10))
		h.Set("Upload-Length", strconv.Itoa(len(b)))
		h.Set("Content-Type", "application/offset+octet-stream")
		_, hdr, err := c.send(ctx, request{method: http.MethodPatch, path: blobPath(sha), raw: b[off:end], header: h, auth: true, limit: maxErrorBody})
		if err != nil {
			if data.ErrorCode(err) == data.ECONFLICT {
				// Another device (or a lost answer) moved HQ's offset.
				if off, complete, err = c.blobOffset(ctx, sha); err != nil {
					return err
				}
				continue
			}
			return err
		}
		next, perr := strconv.ParseInt(hdr.Get("Upload-Offset"), 10, 64)
		if perr != nil || next <= off {
			return syncError(CodeUnavailable, KeyBadResponse, fmt.Errorf("blob %.12s: offset %q after %d", sha, hdr.Get("Upload-Offset"), off))
		}
		off, complete = next, hdr.Get("Upload-Complete") == "1"
		if !complete && off >= int64(len(b)) {
			return syncError(CodeUnavailable, KeyBadResponse, fmt.Errorf("blob %.12s: all bytes sent, hq did not complete it", sha))
		}
	}
	return nil
}

// fetchBlob gets a complete blob; ok is false when HQ does not have it yet.
func (c *client) fetchBlob(ctx context.Context, sha string) (b []byte, ok bool, err error) {
	b, _, err = c.send(ctx, request{method: http.MethodGet, path: blobPath(sha), auth: true, limit: data.MaxBlobBytes})
	if data.ErrorCode(err) == data.ENOTFOUND {
		return nil, false, nil
	}
	return b, err == nil, err
}

// syncBlobs uploads the photos and signatures made here and fetches the
// ones pulled records refer to. A blob HQ lacks, or one that arrives
// damaged, is skipped (and asked for again later); only a failure to reach
// HQ fails the round.
func (l *Loop) syncBlobs(ctx context.Context, c *client, rep *Report) error {
	bs, ok := l.st.(BlobStore)
	if !ok {
		return nil
	}
	up, err := bs.PendingBlobs(ctx, blobBatch)
	if err != nil {
		return fmt.Errorf("blobs: %w", err)
	}
	for _, bi := range up {
		b, err := bs.Blob(ctx, bi.SHA256)
		if err != nil {
			l.log.Warn("blob to upload unreadable", "sha", bi.SHA256[:12], "err", err)
			continue
		}
		if err := c.uploadBlob(ctx, bi.SHA256, b); err != nil {
			if data.ErrorCode(err) == data.EINVALID {
				l.log.Warn("hq refused a blob", "sha", bi.SHA256[:12], "err", err)
				continue
			}
			return err
		}
		if err := bs.MarkBlobUploaded(ctx, bi.SHA256); err != nil {
			return fmt.Errorf("blobs: %w", err)
		}
		rep.BlobsUp++
	}
	missing, err := bs.MissingBlobs(ctx, 4*blobBatch)
	if err != nil {
		return fmt.Errorf("blobs: %w", err)
	}
	now := time.Now()
	fetched := 0
	for _, bi := range missing {
		if fetched == blobBatch {
			break
		}
		l.mu.Lock()
		wait := l.blobWait[bi.SHA256]
		l.mu.Unlock()
		if now.Before(wait) {
			continue
		}
		fetched++
		b, ok, err := c.fetchBlob(ctx, bi.SHA256)
		if err != nil {
			return err
		}
		if ok {
			err = bs.PutBlob(ctx, bi.SHA256, b)
			if err == nil {
				rep.BlobsDown++
				l.mu.Lock()
				delete(l.blobWait, bi.SHA256)
				l.mu.Unlock()
				continue
			}
			l.log.Warn("blob from hq not stored", "sha", bi.SHA256[:12], "err", err)
		}
		l.mu.Lock()
		if l.blobWait == nil {
			l.blobWait = map[string]time.Time{}
		}
		l.blobWait[bi.SHA256] = now.Add(blobRetryAfter)
		l.mu.Unlock()
	}
	return nil
}

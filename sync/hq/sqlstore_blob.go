package hq

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"

	"anchang/data"
)

// Blobs live in the database on both backends (hq_blobs + hq_blob_chunks, a
// row per chunk of at most 1 MiB), so replicas on PostgreSQL share them and
// a backup of the database is a backup of everything. A blob is visible to
// GET only once its length is reached and its SHA-256 verified.

// BlobState says how much of a blob HQ holds.
func (s *SQLStore) BlobState(ctx context.Context, sha string) (BlobState, error) {
	var st BlobState
	var complete int
	err := s.rdb.QueryRowContext(ctx, s.q(`SELECT size, received, complete FROM hq_blobs WHERE sha256 = ?`), sha).Scan(&st.Size, &st.Offset, &complete)
	if errors.Is(err, sql.ErrNoRows) {
		return BlobState{}, nil
	}
	if err != nil {
		return BlobState{}, fmt.Errorf("blob: %w", err)
	}
	st.Complete = complete != 0
	return st, nil
}

// BlobAppend adds a chunk at offset. The offset must equal what HQ holds
// (409 otherwise, with the state, so the client resumes from there). When the
// announced length is reached the hash is checked: a mismatch discards the
// upload (400 err.sync.blob_hash).
func (s *SQLStore) BlobAppend(ctx context.Context, sha string, offset, length int64, chunk []byte, now int64) (BlobState, error) {
	var st BlobState
	err := s.write(ctx, func(tx *sql.Tx) error {
		var complete int
		err := tx.QueryRowContext(ctx, s.q(`SELECT size, received, complete FROM hq_blobs WHERE sha256 = ?`+s.forUpdate()), sha).Scan(&st.Size, &st.Offset, &complete)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			if offset != 0 {
				return coded(data.ECONFLICT, "err.sync.blob_offset", map[string]any{"Offset": int64(0)})
			}
			if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO hq_blobs (sha256, size, received, complete, created_at) VALUES (?, ?, 0, 0, ?)`), sha, length, now); err != nil {
				return err
			}
			st = BlobState{Size: length}
		case err != nil:
			return err
		}
		st.Complete = complete != 0
		if st.Complete {
			return nil // already there: nothing to add
		}
		if st.Size != length {
			return coded(data.EINVALID, "err.sync.blob_length", nil)
		}
		if offset != st.Offset {
			return coded(data.ECONFLICT, "err.sync.blob_offset", map[string]any{"Offset": st.Offset})
		}
		if offset+int64(len(chunk)) > length {
			return coded(data.EINVALID, "err.sync.blob_length", nil)
		}
		if len(chunk) > 0 {
			if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO hq_blob_chunks (sha256, off, data) VALUES (?, ?, ?)`), sha, offset, chunk); err != nil {
				return err
			}
		}
		st.Offset += int64(len(chunk))
		if st.Offset < length {
			_, err := tx.ExecContext(ctx, s.q(`UPDATE hq_blobs SET received = ? WHERE sha256 = ?`), st.Offset, sha)
			return err
		}
		h := sha256.New()
		if _, err := s.copyChunks(ctx, tx, sha, h); err != nil {
			return err
		}
		if hex.EncodeToString(h.Sum(nil)) != sha {
			return errBlobHash // rolled back; the upload is discarded below
		}
		st.Complete = true
		_, err = tx.ExecContext(ctx, s.q(`UPDATE hq_blobs SET received = ?, complete = 1 WHERE sha256 = ?`), st.Offset, sha)
		return err
	})
	if errors.Is(err, errBlobHash) {
		derr := s.write(ctx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM hq_blob_chunks WHERE sha256 = ?`), sha); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, s.q(`DELETE FROM hq_blobs WHERE sha256 = ? AND complete = 0`), sha)
			return err
		})
		if derr != nil {
			return BlobState{}, fmt.Errorf("blob discard: %w", derr)
		}
		return BlobState{}, coded(data.EINVALID, "err.sync.blob_hash", nil)
	}
	if err != nil {
		if _, ok := data.AsError(err); ok {
			return st, err
		}
		return BlobState{}, fmt.Errorf("blob: %w", err)
	}
	return st, nil
}

var errBlobHash = errors.New("blob hash mismatch")

func (s *SQLStore) copyChunks(ctx context.Context, q queryer, sha string, w io.Writer) (int64, error) {
	// One chunk at a time, so memory stays at one chunk.
	var off, n int64
	for {
		var b []byte
		err := q.QueryRowContext(ctx, s.q(`SELECT data FROM hq_blob_chunks WHERE sha256 = ? AND off = ?`), sha, off).Scan(&b)
		if errors.Is(err, sql.ErrNoRows) {
			return n, nil
		}
		if err != nil {
			return n, err
		}
		if len(b) == 0 {
			return n, nil
		}
		m, err := w.Write(b)
		n += int64(m)
		if err != nil {
			return n, err
		}
		off += int64(len(b))
	}
}

// BlobRead writes a complete blob to w; not_found when absent or incomplete.
func (s *SQLStore) BlobRead(ctx context.Context, sha string, w io.Writer) (int64, error) {
	st, err := s.BlobState(ctx, sha)
	if err != nil {
		return 0, err
	}
	if !st.Complete {
		return 0, coded(data.ENOTFOUND, "err.sync.no_blob", nil)
	}
	return s.copyChunks(ctx, s.rdb, sha, w)
}

package data

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"regexp"

	"modernc.org/sqlite"
)

// Photos and signatures are content-addressed: a record carries the
// SHA-256 of its image (with size and type), and the bytes live in the
// blobs table, keyed by that hash. They travel to and from HQ apart from
// the records (see docs/sync.md, Blobs); a record whose image has not
// arrived yet reads with empty bytes, and the screens show a placeholder.

// BlobInfo describes one blob.
type BlobInfo struct {
	SHA256 string // lower-case hex
	Size   int64
	MIME   string
}

// Limits of blobs a device stores.
const MaxBlobBytes = 4 << 20

var shaHex = regexp.MustCompile(`^[0-9a-f]{64}$`)

// validSHA256 reports whether s is a lower-case hex SHA-256.
func validSHA256(s string) bool { return shaHex.MatchString(s) }

func init() {
	// anchang_sha256(blob) lets migrations move stored images into blobs.
	sqlite.MustRegisterDeterministicScalarFunction("anchang_sha256", 1, func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
		switch v := args[0].(type) {
		case []byte:
			return sha256Hex(v), nil
		case string:
			return sha256Hex([]byte(v)), nil
		case nil:
			return nil, nil
		}
		return nil, fmt.Errorf("anchang_sha256: %T", args[0])
	})
}

// putLocalBlob stores bytes made on this device (a photo taken, a
// signature drawn): HQ does not have them yet.
func putLocalBlob(ctx context.Context, tx *txn, b []byte, mime string, at int64) (string, error) {
	sha := sha256Hex(b)
	if _, err := tx.ExecContext(ctx, `INSERT INTO blobs (sha256, bytes, size, mime, uploaded, created_at) VALUES (?, ?, ?, ?, 0, ?)
		ON CONFLICT (sha256) DO UPDATE SET bytes = excluded.bytes WHERE blobs.bytes IS NULL`, sha, b, len(b), mime, at); err != nil {
		return "", fmt.Errorf("store blob: %w", err)
	}
	return sha, nil
}

// referBlob notes that an applied record refers to a blob: if it is not
// here, it is listed by MissingBlobs until PutBlob brings it.
func referBlob(ctx context.Context, tx *txn, sha string, size int64, mime string, at int64) error {
	if sha == "" {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO blobs (sha256, bytes, size, mime, uploaded, created_at) VALUES (?, NULL, ?, ?, 1, ?)
		ON CONFLICT (sha256) DO NOTHING`, sha, size, mime, at); err != nil {
		return fmt.Errorf("refer blob: %w", err)
	}
	return nil
}

func (s *Store) blobList(ctx context.Context, where string, limit int) ([]BlobInfo, error) {
	if limit <= 0 {
		limit = 100
	}
	rows, err := s.db.QueryContext(ctx, `SELECT sha256, size, mime FROM blobs WHERE `+where+` ORDER BY created_at, sha256 LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("blobs: %w", err)
	}
	defer rows.Close()
	var out []BlobInfo
	for rows.Next() {
		var b BlobInfo
		if err := rows.Scan(&b.SHA256, &b.Size, &b.MIME); err != nil {
			return nil, fmt.Errorf("blobs: %w", err)
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

// PendingBlobs lists up to limit blobs made on this device that HQ does
// not hold yet, oldest first.
func (s *Store) PendingBlobs(ctx context.Context, limit int) ([]BlobInfo, error) {
	return s.blobList(ctx, `bytes IS NOT NULL AND uploaded = 0`, limit)
}

// MissingBlobs lists up to limit blobs that pulled records refer to and
// that are not here yet, oldest first.
func (s *Store) MissingBlobs(ctx context.Context, limit int) ([]BlobInfo, error) {
	return s.blobList(ctx, `bytes IS NULL`, limit)
}

// Blob returns a blob's bytes; ENOTFOUND when it is not here (yet).
func (s *Store) Blob(ctx context.Context, sha string) ([]byte, error) {
	var b []byte
	err := s.db.QueryRowContext(ctx, `SELECT bytes FROM blobs WHERE sha256 = ? AND bytes IS NOT NULL`, sha).Scan(&b)
	if isNoRows(err) {
		return nil, &Error{Code: ENOTFOUND, Key: "err.blob.not_found"}
	}
	if err != nil {
		return nil, fmt.Errorf("blob: %w", err)
	}
	return b, nil
}

// MarkBlobUploaded records that HQ holds the blob.
func (s *Store) MarkBlobUploaded(ctx context.Context, sha string) error {
	return s.tx(ctx, func(tx *txn) error {
		if _, err := tx.ExecContext(ctx, `UPDATE blobs SET uploaded = 1 WHERE sha256 = ?`, sha); err != nil {
			return fmt.Errorf("mark blob uploaded: %w", err)
		}
		return nil
	})
}

// PutBlob stores a blob fetched from HQ. Its bytes must hash to sha (else
// EINVALID, err.blob.hash, and nothing is stored).
func (s *Store) PutBlob(ctx context.Context, sha string, b []byte) error {
	if !validSHA256(sha) || sha256Hex(b) != sha {
		return &Error{Code: EINVALID, Key: "err.blob.hash"}
	}
	if len(b) > MaxBlobBytes {
		return &Error{Code: EINVALID, Key: "err.blob.too_big"}
	}
	return s.tx(ctx, func(tx *txn) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO blobs (sha256, bytes, size, mime, uploaded, created_at) VALUES (?, ?, ?, 'application/octet-stream', 1, ?)
			ON CONFLICT (sha256) DO UPDATE SET bytes = excluded.bytes, size = excluded.size, uploaded = 1 WHERE blobs.bytes IS NULL`,
			sha, b, len(b), ms(s.now())); err != nil {
			return fmt.Errorf("put blob: %w", err)
		}
		return nil
	})
}

// blobBytes reads a blob's bytes in a query; nil when it has not arrived.
func blobBytes(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, sha string) ([]byte, error) {
	if sha == "" {
		return nil, nil
	}
	var b []byte
	err := q.QueryRowContext(ctx, `SELECT bytes FROM blobs WHERE sha256 = ?`, sha).Scan(&b)
	if isNoRows(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("blob: %w", err)
	}
	return b, nil
}

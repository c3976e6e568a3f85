//go:build !syncblobs

package hqsync

import "context"

// syncBlobs is a no-op until the store's blob API (data/blobs.go) lands.
func (l *Loop) syncBlobs(ctx context.Context, c *client, rep *Report) error { return nil }

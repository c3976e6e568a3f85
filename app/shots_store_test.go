//go:build glshots || policyshots || settingsshots

package app

import (
	"context"
	"os"

	"anchang/data"
)

// shotStore opens a store in a new temporary directory for a screenshot
// program (-tags glshots, policyshots or settingsshots); done closes it
// and removes the directory.
func shotStore(ctx context.Context, prefix string) (store *data.Store, done func(), err error) {
	dir, err := os.MkdirTemp("", prefix)
	if err != nil {
		return nil, nil, err
	}
	store, err = data.Open(ctx, dir)
	if err != nil {
		os.RemoveAll(dir)
		return nil, nil, err
	}
	return store, func() { store.Close(); os.RemoveAll(dir) }, nil
}

//go:build !syncstore

package main

import (
	"context"
	"errors"
)

// errNoDeviceStore: bootstrap and kiosk need a real device store with its
// sync API and hqsync's Enroll and Loop, which this build lacks.
var errNoDeviceStore = errors.New("the bootstrap and kiosk scenarios need the device store's sync API (data/sync_store.go) and hqsync's Enroll and Loop, not in this build: run with --scenarios ingest,push,pull,longpoll")

func deviceScenariosReady() error { return errNoDeviceStore }

// deviceScenarios runs the scenarios that need a real device store.
func deviceScenarios(ctx context.Context, c config, dir string, pg *pgCluster, rep *report) error {
	return errNoDeviceStore
}

// bootstrapMain is the hidden verb of the bootstrap child.
func bootstrapMain(args []string) error { return errNoDeviceStore }

//go:build race

package data

// raceOn: the race detector slows each write about tenfold; the big tests
// scale down under it.
const raceOn = true

//go:build !race

package data

const raceOn = false

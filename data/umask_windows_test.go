//go:build windows

package data

func setUmask(m int) int { return 0 }

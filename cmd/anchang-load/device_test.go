package main

import "testing"

// The device scenarios with tiny numbers: real data.Store devices with the
// real hqsync client.
func TestSmokeDevices(t *testing.T) {
	out := smoke(t, "bootstrap,kiosk")
	for _, backend := range []string{"sqlite", "postgres"} {
		for _, fig := range []string{"device joins an office of 50 records", "device joins an office of 200 records", "peak heap 200 ÷ 50", "check-in at kiosk"} {
			if !hasRow(out, backend, fig) {
				t.Errorf("no %q row for %s", fig, backend)
			}
		}
	}
}
